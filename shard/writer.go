package shard

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/zkmips/zkmips/events"
)

// CreateOptions configures Create.
type CreateOptions struct {
	// Overwrite lets Close replace an existing trace directory. Only a
	// directory holding a manifest.json, or an empty one, is replaced.
	Overwrite bool
}

// Writer builds a trace directory. Files go to a temporary directory next
// to the target (dir.tmp-XXXX) that Close renames into place, so the trace
// directory appears complete or not at all.
//
// WriteShard may be called from several goroutines at once for different
// shards; WriteMemory once; then Close, or Abort to give up.
type Writer struct {
	dir, tmp string
	opt      CreateOptions

	mu     sync.Mutex
	wg     sync.WaitGroup // writes in flight
	state  writerState
	shards map[uint32]ShardInfo
	busy   map[uint32]bool
	mem    *MemoryInfo
	// memBusy is set while WriteMemory runs.
	memBusy bool
}

type writerState int

const (
	open writerState = iota
	closed
	aborted
)

// Create starts a trace directory at dir, which must not exist.
func Create(dir string) (*Writer, error) { return CreateWith(dir, CreateOptions{}) }

// CreateWith starts a trace directory at dir with options.
func CreateWith(dir string, opt CreateOptions) (*Writer, error) {
	dir = filepath.Clean(dir)
	base := filepath.Base(dir)
	if base == "." || base == ".." || base == string(filepath.Separator) {
		return nil, fmt.Errorf("shard: %q is not a usable trace directory name", dir)
	}
	if err := checkTarget(dir, opt.Overwrite); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), base+".tmp-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	return &Writer{dir: dir, tmp: tmp, opt: opt, shards: map[uint32]ShardInfo{}, busy: map[uint32]bool{}}, nil
}

// checkTarget reports whether dir may become the trace directory.
func checkTarget(dir string, overwrite bool) error {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !overwrite {
		return fmt.Errorf("%s already exists (overwrite it with CreateOptions.Overwrite)", dir)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s exists and is not a directory: not replacing it", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	if mf, err := os.Lstat(filepath.Join(dir, ManifestFile)); err != nil || !mf.Mode().IsRegular() {
		return fmt.Errorf("%s is not a trace directory (no %s): not replacing it", dir, ManifestFile)
	}
	return nil
}

// Dir returns the directory Close publishes.
func (w *Writer) Dir() string { return w.dir }

// stateErr reports whether the writer is closed or aborted.
func (w *Writer) stateErr() error {
	switch w.state {
	case closed:
		return fmt.Errorf("shard: writer for %s is closed", w.dir)
	case aborted:
		return fmt.Errorf("shard: writer for %s was aborted", w.dir)
	}
	return nil
}

// start registers a write in flight.
func (w *Writer) start() error {
	if err := w.stateErr(); err != nil {
		return err
	}
	w.wg.Add(1)
	return nil
}

// WriteShard writes l as shard-NNNNNN.zkt, N being l.Shard (1-based), and
// returns its manifest entry. Each shard index may be written once.
func (w *Writer) WriteShard(l *events.Log) (ShardInfo, error) {
	if l == nil {
		return ShardInfo{}, errors.New("shard: WriteShard of a nil log")
	}
	idx := l.Shard
	if idx == 0 {
		return ShardInfo{}, errors.New("shard: log has shard index 0 (shards are numbered from 1)")
	}
	w.mu.Lock()
	err := w.start()
	if err == nil {
		if _, done := w.shards[idx]; done || w.busy[idx] {
			w.wg.Done()
			err = fmt.Errorf("shard: shard %d written twice", idx)
		}
	}
	if err != nil {
		w.mu.Unlock()
		return ShardInfo{}, err
	}
	w.busy[idx] = true
	w.mu.Unlock()
	defer w.wg.Done()

	// Not synced here: a sync per shard file blocked the writers on the
	// disk for longer than compressing took. Close syncs them all.
	info, err := writeShardFile(filepath.Join(w.tmp, ShardFileName(idx)), l, false)

	w.mu.Lock()
	delete(w.busy, idx)
	if err == nil {
		w.shards[idx] = info
	}
	w.mu.Unlock()
	return info, err
}

// WriteMemory writes the run's init and finalize rows as memory.zkt.
func (w *Writer) WriteMemory(init []events.Init, fin []events.Finalize) error {
	w.mu.Lock()
	err := w.start()
	if err == nil && (w.mem != nil || w.memBusy) {
		w.wg.Done()
		err = errors.New("shard: memory file written twice")
	}
	if err != nil {
		w.mu.Unlock()
		return err
	}
	w.memBusy = true
	w.mu.Unlock()
	defer w.wg.Done()

	info, err := WriteMemoryFile(filepath.Join(w.tmp, MemoryFile), init, fin)

	w.mu.Lock()
	w.memBusy = false
	if err == nil {
		w.mem = &info
	}
	w.mu.Unlock()
	return err
}

// Close completes m with what the writer knows — format, version,
// clk_per_cycle, the shard and memory entries (shards sorted by index),
// totals.shards, totals.steps and totals.cycles (sums over the shards) —
// validates it, writes manifest.json, syncs everything to disk and renames
// the temporary directory to the trace directory. The shards written must
// be 1..n, and the memory file must have been written. After an error the
// writer stays open: fix the cause and Close again, or Abort.
func (w *Writer) Close(m *Manifest) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.stateErr(); err != nil {
		return err
	}
	if len(w.busy) > 0 || w.memBusy {
		return errors.New("shard: Close while files are being written")
	}
	if w.mem == nil {
		return errors.New("shard: Close before WriteMemory")
	}
	idx := make([]uint32, 0, len(w.shards))
	for i := range w.shards {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	shards := make([]ShardInfo, len(idx))
	for i, n := range idx {
		if n != uint32(i+1) {
			return fmt.Errorf("shard: shard %d is missing (shards written: %d, highest %d)", i+1, len(idx), idx[len(idx)-1])
		}
		shards[i] = w.shards[n]
	}

	m.Format, m.Version, m.ClkPerCycle = FormatName, FormatVersion, events.ClkPerCycle
	m.Shards, m.Memory = shards, *w.mem
	m.Totals.Shards, m.Totals.Steps, m.Totals.Cycles = len(shards), 0, 0
	for _, s := range shards {
		m.Totals.Steps += s.Steps
		m.Totals.Cycles += s.Cycles
	}
	if m.Program.Name != "" {
		m.Program.Name = filepath.Base(filepath.ToSlash(m.Program.Name))
	}
	if m.Inputs == nil {
		m.Inputs = []InputInfo{}
	}
	if m.Args == nil {
		m.Args = []string{}
	}
	if m.Env == nil {
		m.Env = []string{}
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("shard: invalid manifest: %w", err)
	}
	data, err := m.Marshal()
	if err != nil {
		return err
	}
	// The shard files were written back as they came (WriteShard); they
	// are on disk before the manifest that lists them.
	for _, s := range shards {
		if err := syncFile(filepath.Join(w.tmp, s.File)); err != nil {
			return err
		}
	}
	if err := writeFileAtomic(filepath.Join(w.tmp, ManifestFile), data); err != nil {
		return err
	}
	if err := syncFile(w.tmp); err != nil {
		return err
	}
	if err := w.publish(); err != nil {
		return err
	}
	w.state = closed
	return nil
}

// publish renames the temporary directory to the trace directory, moving
// an existing one aside first (and removing it) when overwriting.
func (w *Writer) publish() error {
	parent := filepath.Dir(w.dir)
	_, err := os.Lstat(w.dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Rename(w.tmp, w.dir); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if err := checkTarget(w.dir, w.opt.Overwrite); err != nil {
			return err
		}
		// Move the old directory aside under a fresh name, then the new
		// one into place.
		var b [8]byte
		rand.Read(b[:])
		old := fmt.Sprintf("%s.old-%x", w.dir, b)
		if err := os.Rename(w.dir, old); err != nil {
			return err
		}
		if err := os.Rename(w.tmp, w.dir); err != nil {
			os.Rename(old, w.dir)
			return err
		}
		os.RemoveAll(old)
	}
	return syncFile(parent)
}

// Abort removes the temporary directory, after waiting for writes in
// flight. It does nothing after a successful Close, and may be deferred.
func (w *Writer) Abort() error {
	w.mu.Lock()
	if w.state != open {
		w.mu.Unlock()
		return nil
	}
	w.state = aborted
	w.mu.Unlock()
	w.wg.Wait()
	return os.RemoveAll(w.tmp)
}

// writeFileAtomic writes data to a temporary file next to path, syncs it
// and renames it to path.
func writeFileAtomic(path string, data []byte) error { return writeFile(path, data, true) }

// writeFile writes data to a temporary file next to path and renames it
// to path. With durable it syncs the file first; without, it only starts
// writing it back (see startWriteback), for a caller that syncs later.
func writeFile(path string, data []byte, durable bool) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if durable {
		err = f.Sync()
	} else {
		startWriteback(f)
	}
	if err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// syncFile flushes a file's data, or a directory's entries, to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
