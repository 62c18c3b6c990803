package trace

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/events"
	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/testutil"
	"github.com/zkmips/zkmips/program"
	"github.com/zkmips/zkmips/shard"
)

type fixture struct {
	dir  string
	recs []*events.Record // the shards as the Tracer records them
	init []events.Init
	fin  []events.Finalize
}

// fixtureProgram is a C program that prints, reads its arguments and exits.
const fixtureProgram = "../testdata/guests/bin/hello.mips"

func newFixture(t *testing.T) *fixture {
	t.Helper()
	p, err := program.LoadFile(fixtureProgram)
	if err != nil {
		t.Fatal(err)
	}
	newM := func() *executor.Machine {
		m, err := executor.New(p, executor.Config{Args: []string{"prog"}})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	const size = 2500
	f := &fixture{dir: filepath.Join(t.TempDir(), "trace")}
	m := newM()
	tr, l := events.NewTracer(), events.NewLinker()
	for n := uint32(1); !events.Done(m); n++ {
		r := tr.Trace(m, n, size, ^uint64(0))
		if err := l.Link(r); err != nil {
			t.Fatal(err)
		}
		f.recs = append(f.recs, r)
	}
	f.init, f.fin = l.Memory(m)
	if len(f.recs) < 4 {
		t.Fatalf("only %d shards", len(f.recs))
	}
	w, err := shard.Create(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if _, err := shard.Execute(newM(), w, shard.Options{ShardSize: size, Jobs: 2}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(&shard.Manifest{Program: shard.ProgramInfo{Name: "prog"}, ShardSize: size}); err != nil {
		t.Fatal(err)
	}
	return f
}

// editManifest rewrites dir's manifest through edit.
func editManifest(t *testing.T, dir string, edit func(m *shard.Manifest)) {
	t.Helper()
	p := filepath.Join(dir, shard.ManifestFile)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	m, err := shard.ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	edit(m)
	if data, err = m.Marshal(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReader(t *testing.T) {
	f := newFixture(t)
	r, err := Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.NumShards() != len(f.recs) || r.Manifest().Totals.Shards != len(f.recs) || r.Manifest().Program.Name != "prog" {
		t.Fatalf("manifest %+v", r.Manifest())
	}
	for i, want := range f.recs {
		got, err := r.Shard(i)
		if err != nil {
			t.Fatal(err)
		}
		if f := testutil.DifferingField(got, want); f != "" {
			t.Fatalf("shard %d does not read back: %s differs from the tracer's", i, f)
		}
	}
	// Each gives the same records, in order, and stops at fn's error.
	i := 0
	if err := r.Each(3, func(rec *events.Record) error {
		if f := testutil.DifferingField(rec, f.recs[i]); f != "" {
			t.Fatalf("Each: shard %d: %s differs", i, f)
		}
		i++
		return nil
	}); err != nil || i != len(f.recs) {
		t.Fatalf("Each: %v after %d shards", err, i)
	}
	stop := errors.New("stop")
	i = 0
	if err := r.Each(2, func(*events.Record) error { i++; return stop }); err != stop || i != 1 {
		t.Fatalf("Each: %v after %d shards, want stop after 1", err, i)
	}
	init, fin, err := r.Memory()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(init, f.init) || !reflect.DeepEqual(fin, f.fin) {
		t.Fatal("memory rows do not read back")
	}
	for _, i := range []int{-1, len(f.recs)} {
		if _, err := r.Shard(i); err == nil || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("Shard(%d): %v", i, err)
		}
	}
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestReaderDamage damages a trace in many ways; each is reported by Open,
// Shard or Memory with an error naming the file and the problem.
func TestReaderDamage(t *testing.T) {
	shard2 := shard.ShardFileName(2)
	for _, c := range []struct {
		name   string
		damage func(t *testing.T, dir string)
		open   string // the error Open gives, if it fails
		shard  string // the error Shard(1) gives
		memory string // the error Memory gives
	}{
		{name: "flipped byte", damage: func(t *testing.T, dir string) {
			p := filepath.Join(dir, shard2)
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 0x40
			os.WriteFile(p, b, 0o644)
		}, shard: shard2 + ": sha256 mismatch"},
		{name: "truncated", damage: func(t *testing.T, dir string) {
			os.Truncate(filepath.Join(dir, shard2), 100)
		}, shard: shard2 + ": file is 100 bytes, the manifest says"},
		{name: "missing shard", damage: func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, shard2))
		}, shard: shard2 + ": no such file"},
		{name: "missing memory", damage: func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, shard.MemoryFile))
		}, memory: "memory.zkt: no such file"},
		{name: "manifest sha", damage: func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *shard.Manifest) { m.Shards[1].SHA256 = strings.Repeat("0", 64) })
		}, shard: "the manifest says " + strings.Repeat("0", 64)},
		{name: "memory sha", damage: func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *shard.Manifest) { m.Memory.SHA256 = strings.Repeat("1", 64) })
		}, memory: "memory.zkt: sha256 mismatch"},
		{name: "outside", damage: func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *shard.Manifest) { m.Shards[1].File = "../x" })
		}, open: `manifest.json: shard 2: file "../x" is not a plain file name`},
		{name: "format", damage: func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *shard.Manifest) { m.Format = "zip" })
		}, open: `manifest.json: format is "zip"`},
		{name: "version", damage: func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *shard.Manifest) { m.Version = 9 })
		}, open: "manifest.json: version is 9"},
		{name: "counts", damage: func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *shard.Manifest) { m.Totals.Shards = 3 })
		}, open: "manifest.json: totals.shards is 3, the manifest lists"},
		{name: "not json", damage: func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, shard.ManifestFile), []byte("{"), 0o644)
		}, open: "manifest.json: unexpected end of JSON input"},
		{name: "bad pc", damage: func(t *testing.T, dir string) {
			b := mustRead(t, filepath.Join(dir, shard.ManifestFile))
			b = regexp.MustCompile(`"start_pc": "0x[0-9a-f]{8}"`).ReplaceAll(b, []byte(`"start_pc": "4194304"`))
			os.WriteFile(filepath.Join(dir, shard.ManifestFile), b, 0o644)
		}, open: `manifest.json: "4194304" is not a 0x-prefixed 8-digit hex number`},
		{name: "no manifest", damage: func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, shard.ManifestFile))
		}, open: "manifest.json: no such file"},
		{name: "swapped files", damage: func(t *testing.T, dir string) {
			// Shard entry 2 names shard 3's file, with its size and sum:
			// the file verifies but holds another shard.
			editManifest(t, dir, func(m *shard.Manifest) {
				s2, s3 := &m.Shards[1], &m.Shards[2]
				s2.File, s2.Bytes, s2.SHA256, s3.File = s3.File, s3.Bytes, s3.SHA256, s2.File
			})
		}, shard: shard.ShardFileName(3) + ": record does not match the manifest: shard index is 3, manifest says 2"},
		{name: "bad magic, consistent manifest", damage: func(t *testing.T, dir string) {
			p := filepath.Join(dir, shard2)
			b := mustRead(t, p)
			b[0] = 'X'
			os.WriteFile(p, b, 0o644)
			editManifest(t, dir, func(m *shard.Manifest) { m.Shards[1].SHA256 = sum(b) })
		}, shard: shard2 + ": bad magic"},
		{name: "bad payload, consistent manifest", damage: func(t *testing.T, dir string) {
			p := filepath.Join(dir, shard2)
			b := mustRead(t, p)
			b[20] ^= 0xff
			os.WriteFile(p, b, 0o644)
			editManifest(t, dir, func(m *shard.Manifest) { m.Shards[1].SHA256 = sum(b) })
		}, shard: shard2 + ": checksum mismatch"},
		{name: "memory file as shard", damage: func(t *testing.T, dir string) {
			b := mustRead(t, filepath.Join(dir, shard.MemoryFile))
			os.WriteFile(filepath.Join(dir, shard2), b, 0o644)
			editManifest(t, dir, func(m *shard.Manifest) { m.Shards[1].SHA256, m.Shards[1].Bytes = sum(b), int64(len(b)) })
		}, shard: shard2 + ": inconsistent payload: tables are [init finalize]"},
		{name: "memory rows", damage: func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *shard.Manifest) { m.Memory.InitRows++; m.Memory.FinalizeRows++ })
		}, memory: "finalize rows, the manifest says"},
		{name: "inconsistent log, consistent file", damage: func(t *testing.T, dir string) {
			// Control goes elsewhere: the file verifies, the replay does
			// not.
			rewriteShard(t, dir, 1, func(l *events.Log) { l.Control[0].NextPC += 8 })
		}, shard: shard2 + ": inconsistent log: shard 2"},
		{name: "wrong final value", damage: func(t *testing.T, dir string) {
			rewriteShard(t, dir, 1, func(l *events.Log) { l.Local[len(l.Local)-1].FinalValue ^= 1 })
		}, shard: shard2 + ": inconsistent log: shard 2: local row"},
		{name: "short log, consistent file", damage: func(t *testing.T, dir string) {
			rewriteShard(t, dir, 1, func(l *events.Log) { l.Writes = l.Writes[:len(l.Writes)-1] })
		}, shard: "the write log ends early"},
		{name: "rows", damage: func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *shard.Manifest) { m.Shards[1].Rows["cpu"]++ })
		}, shard: "record does not match the manifest: rows of cpu"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			c.damage(t, f.dir)
			r, err := Open(f.dir)
			if c.open != "" {
				if err == nil || !strings.Contains(err.Error(), c.open) || !strings.Contains(err.Error(), f.dir) {
					t.Fatalf("Open: got %v, want an error containing %q", err, c.open)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Shard(1)
			if c.shard != "" {
				if err == nil || !strings.Contains(err.Error(), c.shard) || !strings.Contains(err.Error(), f.dir) {
					t.Fatalf("Shard(1): got %v, want an error containing %q", err, c.shard)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			_, _, err = r.Memory()
			if c.memory != "" {
				if err == nil || !strings.Contains(err.Error(), c.memory) || !strings.Contains(err.Error(), f.dir) {
					t.Fatalf("Memory: got %v, want an error containing %q", err, c.memory)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			// The other shards are unaffected.
			if _, err := r.Shard(0); err != nil && !strings.Contains(c.name, "swapped") {
				t.Fatalf("Shard(0): %v", err)
			}
		})
	}
}

// rewriteShard decodes shard i's log, edits it and writes it back, with
// a manifest entry that matches the new file.
func rewriteShard(t *testing.T, dir string, i int, edit func(l *events.Log)) {
	t.Helper()
	name := shard.ShardFileName(uint32(i + 1))
	l, err := shard.ReadShardFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	edit(l)
	p, err := shard.EncodeLog(l)
	if err != nil {
		t.Fatal(err)
	}
	b := shard.Pack(p)
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
	editManifest(t, dir, func(m *shard.Manifest) { m.Shards[i].SHA256, m.Shards[i].Bytes = sum(b), int64(len(b)) })
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReaderErrorsWrap checks the file-format sentinels survive the
// reader's wrapping.
func TestReaderErrorsWrap(t *testing.T) {
	f := newFixture(t)
	p := filepath.Join(f.dir, shard.ShardFileName(1))
	b := mustRead(t, p)
	os.WriteFile(p, b[:len(b)-1], 0o644)
	editManifest(t, f.dir, func(m *shard.Manifest) { m.Shards[0].SHA256, m.Shards[0].Bytes = sum(b[:len(b)-1]), int64(len(b)-1) })
	r, err := Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Shard(0); !errors.Is(err, shard.ErrTruncated) {
		t.Fatalf("got %v, want ErrTruncated", err)
	}
}
