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
	rec, err := events.Expand(l)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := info.Check(rec); err != nil {
		return nil, fmt.Errorf("%s: record does not match the manifest: %w", path, err)
	}
	return rec, nil
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
