// Package trace reads a trace directory written by shard.Writer: its
// manifest, and each shard and the memory file on demand, verified against
// the manifest before they are decoded. docs/trace-format.md is the
// specification.
package trace

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/zkmips/zkmips/events"
	"github.com/zkmips/zkmips/shard"
)

// maxManifest bounds the manifest file a reader accepts (a manifest entry
// is well under 1 KiB, so this allows millions of shards).
const maxManifest = 1 << 30

// Reader gives access to a trace directory. Its methods may be called from
// several goroutines at once.
type Reader struct {
	dir string
	m   *shard.Manifest
	// expanders keeps the expanders of finished Shard calls for the next.
	expanders sync.Pool
}

// Open reads and validates dir's manifest.json. It does not read the
// other files: Shard and Memory verify each when they read it.
func Open(dir string) (*Reader, error) {
	path := filepath.Join(dir, shard.ManifestFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxManifest+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxManifest {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxManifest)
	}
	m, err := shard.ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Reader{dir: dir, m: m}, nil
}

// Dir returns the trace directory.
func (r *Reader) Dir() string { return r.dir }

// Manifest returns the validated manifest. Callers must not modify it.
func (r *Reader) Manifest() *shard.Manifest { return r.m }

// NumShards returns the number of shards.
func (r *Reader) NumShards() int { return len(r.m.Shards) }

// readFile reads a file of the trace and checks its size and SHA-256
// against the manifest.
func (r *Reader) readFile(name string, size int64, sum string) ([]byte, error) {
	path := filepath.Join(r.dir, name)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if fi.Size() != size {
		return nil, fmt.Errorf("%s: file is %d bytes, the manifest says %d (truncated or replaced)", path, fi.Size(), size)
	}
	data := make([]byte, size)
	if _, err := f.ReadAt(data, 0); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	got := sha256.Sum256(data)
	if h := hex.EncodeToString(got[:]); h != sum {
		return nil, fmt.Errorf("%s: sha256 mismatch: the file hashes to %s, the manifest says %s", path, h, sum)
	}
	return data, nil
}

// Shard reads, verifies and decodes shard i (0-based; its record's Shard is
// i+1) and expands its log into the shard's record (events.Expand). The
// file must match the manifest's size and SHA-256, the log must replay
// consistently, and the record must match its entry's index, steps,
// cycles, pcs and row counts.
func (r *Reader) Shard(i int) (*events.Record, error) {
	if i < 0 || i >= len(r.m.Shards) {
		return nil, fmt.Errorf("trace %s: shard %d out of range (%d shards, numbered from 0)", r.dir, i, len(r.m.Shards))
	}
	info := &r.m.Shards[i]
	data, err := r.readFile(info.File, info.Bytes, info.SHA256)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(r.dir, info.File)
	l, err := shard.DecodeShardFile(path, data)
	if err != nil {
		return nil, err
	}
	e, _ := r.expanders.Get().(*events.Expander)
	if e == nil {
		e = events.NewExpander()
	}
	rec, err := e.Expand(l)
	r.expanders.Put(e)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := info.Check(rec); err != nil {
		return nil, fmt.Errorf("%s: record does not match the manifest: %w", path, err)
	}
	return rec, nil
}

// Each reads and expands every shard, up to jobs of them at once ahead of
// fn, and calls fn with the records in shard order. It stops at the first
// error, Shard's or fn's, and returns it.
func (r *Reader) Each(jobs int, fn func(rec *events.Record) error) error {
	n := len(r.m.Shards)
	jobs = max(jobs, 1)
	type result struct {
		rec *events.Record
		err error
	}
	results := make([]chan result, n)
	for i := range results {
		results[i] = make(chan result, 1)
	}
	next := make(chan int)
	stop := make(chan struct{})
	window := make(chan struct{}, 2*jobs) // shards expanded and not yet consumed
	var wg sync.WaitGroup
	for range jobs {
		wg.Go(func() {
			for i := range next {
				rec, err := r.Shard(i)
				results[i] <- result{rec, err}
			}
		})
	}
	go func() {
		defer close(next)
		for i := range n {
			select {
			case window <- struct{}{}:
			case <-stop:
				return
			}
			select {
			case next <- i:
			case <-stop:
				return
			}
		}
	}()
	var err error
	for i := 0; i < n && err == nil; i++ {
		res := <-results[i]
		<-window
		if err = res.err; err == nil {
			err = fn(res.rec)
		}
	}
	close(stop)
	wg.Wait()
	return err
}

// Memory reads, verifies and decodes the memory file: the run's init and
// finalize rows.
func (r *Reader) Memory() ([]events.Init, []events.Finalize, error) {
	info := &r.m.Memory
	data, err := r.readFile(info.File, info.Bytes, info.SHA256)
	if err != nil {
		return nil, nil, err
	}
	path := filepath.Join(r.dir, info.File)
	init, fin, err := shard.DecodeMemoryFile(path, data)
	if err != nil {
		return nil, nil, err
	}
	if uint64(len(init)) != info.InitRows || uint64(len(fin)) != info.FinalizeRows {
		return nil, nil, fmt.Errorf("%s: %d init and %d finalize rows, the manifest says %d and %d",
			path, len(init), len(fin), info.InitRows, info.FinalizeRows)
	}
	return init, fin, nil
}
