package shard

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/zkmips/zkmips/events"
)

func testManifest() *Manifest {
	fault := "SIGSEGV at 0x00000000"
	return &Manifest{
		Program:     ProgramInfo{Name: "/home/someone/bin/prog.mips", SHA256: strings.Repeat("ab", 32), BigEndian: true, Entry: 0x400120},
		Inputs:      []InputInfo{{SHA256: strings.Repeat("01", 32), Bytes: 12}},
		StdinSHA256: strings.Repeat("e3", 32),
		Args:        []string{"prog", "1"},
		Seed:        1 << 63,
		ShardSize:   1 << 20,
		Totals: Totals{ExitCode: 139, Fault: &fault, PublicValues: HexBytes{1, 2, 3},
			PublicValuesDigest: HexBytes(bytes.Repeat([]byte{0xcd}, 32))},
	}
}

// writeTrace writes recs (in the order given, from as many goroutines as
// there are records when concurrent) and memory rows to dir.
func writeTrace(t *testing.T, dir string, recs []*events.Log, concurrent bool) *Manifest {
	t.Helper()
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	var wg sync.WaitGroup
	errs := make([]error, len(recs))
	for i, r := range recs {
		if concurrent {
			wg.Go(func() { _, errs[i] = w.WriteShard(r) })
		} else {
			_, errs[i] = w.WriteShard(r)
		}
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(99, 1))
	init, fin := randRows[events.Init](rng, 100), randRows[events.Finalize](rng, 100)
	if err := w.WriteMemory(init, fin); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s exists before Close: %v", dir, err)
	}
	m := testManifest()
	if err := w.Close(m); err != nil {
		t.Fatal(err)
	}
	return m
}

// leftovers returns the entries of dir's parent that are not dir itself.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != filepath.Base(dir) {
			names = append(names, e.Name())
		}
	}
	return names
}

func TestWriter(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	recs := chainLogs(rng, 7, 50)
	shuffled := append([]*events.Log(nil), recs...)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	dir := filepath.Join(t.TempDir(), "trace")
	m := writeTrace(t, dir, shuffled, true)
	if l := leftovers(t, dir); len(l) > 0 {
		t.Fatalf("left behind: %v", l)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"manifest.json", "memory.zkt", "shard-000001.zkt", "shard-000002.zkt", "shard-000003.zkt",
		"shard-000004.zkt", "shard-000005.zkt", "shard-000006.zkt", "shard-000007.zkt"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("directory holds %v, want %v", names, want)
	}
	// The manifest on disk is the one Close completed, shards in order.
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := m.Marshal(); !bytes.Equal(b, data) {
		t.Fatal("manifest.json differs from the completed manifest")
	}
	pm, err := ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pm, m) {
		t.Fatalf("manifest does not round-trip through JSON:\n%+v\n%+v", pm, m)
	}
	if err := pm.Validate(); err != nil {
		t.Fatal(err)
	}
	if m.Program.Name != "prog.mips" || m.Totals.Shards != 7 || m.Env == nil {
		t.Fatalf("manifest program %+v totals %+v", m.Program, m.Totals)
	}
	for i, s := range m.Shards {
		r := recs[i]
		if s.Index != uint32(i+1) || s.File != ShardFileName(s.Index) || s.Steps != r.Steps || !reflect.DeepEqual(s.Rows, r.Rows) {
			t.Fatalf("shard entry %d: %+v", i, s)
		}
		file, err := os.ReadFile(filepath.Join(dir, s.File))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(file)
		if s.SHA256 != hex.EncodeToString(sum[:]) || s.Bytes != int64(len(file)) {
			t.Fatalf("shard %d: sha256/bytes in the manifest do not match the file", s.Index)
		}
		got, err := DecodeShardFile(s.File, file)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, decoded(r)) {
			t.Fatalf("shard %d does not read back", s.Index)
		}
	}
	for _, want := range []string{
		`"format": "zkmips-trace"`, `"name": "prog.mips"`, `"entry": "0x00400120"`, `"start_pc": "0x00400000"`,
		`"seed": 9223372036854775808`, `"committed_digest": null`, `"public_values": "010203"`, `"env": []`,
		`"fault": "SIGSEGV at 0x00000000"`, `"clk_per_cycle": 16`, `"file": "memory.zkt"`, `"init_rows": 100`,
	} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("manifest.json lacks %s", want)
		}
	}
	if !bytes.HasSuffix(data, []byte("}\n")) {
		t.Error("manifest.json does not end in a newline")
	}
}

// TestWriterDeterministic writes the same records twice, in different
// orders and with different concurrency: every file is byte-identical.
func TestWriterDeterministic(t *testing.T) {
	recs := chainLogs(rand.New(rand.NewPCG(15, 16)), 5, 300)
	rev := append([]*events.Log(nil), recs...)
	slicesReverse(rev)
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	writeTrace(t, a, recs, false)
	writeTrace(t, b, rev, true)
	entries, _ := os.ReadDir(a)
	for _, e := range entries {
		x, _ := os.ReadFile(filepath.Join(a, e.Name()))
		y, err := os.ReadFile(filepath.Join(b, e.Name()))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between the two writes (%v)", e.Name(), err)
		}
	}
}

func slicesReverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

func TestWriterAbort(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "trace")
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range chainLogs(rand.New(rand.NewPCG(17, 18)), 2, 10) {
		if _, err := w.WriteShard(r); err != nil {
			t.Fatal(err)
		}
	}
	if l := leftovers(t, dir); len(l) != 1 || !strings.HasPrefix(l[0], "trace.tmp-") {
		t.Fatalf("before Close: %v", l)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("trace directory exists before Close")
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Fatalf("after Abort: %v", l)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("trace directory exists after Abort")
	}
	if _, err := w.WriteShard(&events.Log{Shard: 3}); err == nil || !strings.Contains(err.Error(), "aborted") {
		t.Fatalf("WriteShard after Abort: %v", err)
	}
	if err := w.Close(&Manifest{}); err == nil {
		t.Fatal("Close after Abort succeeded")
	}
	if err := w.Abort(); err != nil {
		t.Fatal("second Abort:", err)
	}
}

func TestWriterErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	recs := chainLogs(rng, 3, 5)
	dir := filepath.Join(t.TempDir(), "trace")
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if _, err := w.WriteShard(&events.Log{}); err == nil || !strings.Contains(err.Error(), "index 0") {
		t.Fatalf("shard 0: %v", err)
	}
	if _, err := w.WriteShard(nil); err == nil {
		t.Fatal("nil record accepted")
	}
	for _, r := range []*events.Log{recs[0], recs[2]} {
		if _, err := w.WriteShard(r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.WriteShard(recs[0]); err == nil || !strings.Contains(err.Error(), "shard 1 written twice") {
		t.Fatalf("duplicate: %v", err)
	}
	if err := w.Close(testManifest()); err == nil || !strings.Contains(err.Error(), "before WriteMemory") {
		t.Fatalf("Close without memory: %v", err)
	}
	if err := w.WriteMemory(nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteMemory(nil, nil); err == nil {
		t.Fatal("second WriteMemory accepted")
	}
	if err := w.Close(testManifest()); err == nil || !strings.Contains(err.Error(), "shard 2 is missing") {
		t.Fatalf("Close with a gap: %v", err)
	}
	// A manifest the writer cannot complete into a valid one.
	if _, err := w.WriteShard(recs[1]); err != nil {
		t.Fatal(err)
	}
	bad := testManifest()
	bad.Program.SHA256 = "xyz"
	if err := w.Close(bad); err == nil || !strings.Contains(err.Error(), "program sha256") {
		t.Fatalf("Close with a bad manifest: %v", err)
	}
	// The writer is still open: fix and close.
	if err := w.Close(testManifest()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteShard(&events.Log{Shard: 9}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("WriteShard after Close: %v", err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ManifestFile)); err != nil {
		t.Fatal("Abort after Close removed the trace:", err)
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Fatalf("left behind: %v", l)
	}
}

func TestWriterExisting(t *testing.T) {
	recs := chainLogs(rand.New(rand.NewPCG(21, 22)), 2, 5)
	parent := t.TempDir()
	dir := filepath.Join(parent, "trace")
	writeTrace(t, dir, recs[:1], false)
	if _, err := Create(dir); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("Create over an existing trace: %v", err)
	}
	// Overwrite replaces a trace directory.
	w, err := CreateWith(dir, CreateOptions{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if _, err := w.WriteShard(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WriteMemory(nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(testManifest()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ShardFileName(2))); err != nil {
		t.Fatal("the new trace is not in place:", err)
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Fatalf("left behind: %v", l)
	}
	// It refuses to replace anything else.
	other := filepath.Join(parent, "home")
	os.Mkdir(other, 0o755)
	os.WriteFile(filepath.Join(other, "precious.txt"), []byte("x"), 0o644)
	if _, err := CreateWith(other, CreateOptions{Overwrite: true}); err == nil || !strings.Contains(err.Error(), "not a trace directory") {
		t.Fatalf("overwrite of a non-trace directory: %v", err)
	}
	file := filepath.Join(parent, "file")
	os.WriteFile(file, nil, 0o644)
	if _, err := CreateWith(file, CreateOptions{Overwrite: true}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("overwrite of a file: %v", err)
	}
	// An empty directory may be replaced.
	empty := filepath.Join(parent, "empty")
	os.Mkdir(empty, 0o755)
	if w, err := CreateWith(empty, CreateOptions{Overwrite: true}); err != nil {
		t.Fatal(err)
	} else {
		w.Abort()
	}
}

// TestWriterConcurrent writes many shards from many goroutines at once
// (run with -race).
func TestWriterConcurrent(t *testing.T) {
	recs := chainLogs(rand.New(rand.NewPCG(23, 24)), 24, 200)
	dir := filepath.Join(t.TempDir(), "trace")
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	work := make(chan *events.Log)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var infos []ShardInfo
	for range 6 {
		wg.Go(func() {
			for r := range work {
				info, err := w.WriteShard(r)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				infos = append(infos, info)
				mu.Unlock()
			}
		})
	}
	for i := len(recs) - 1; i >= 0; i-- {
		work <- recs[i]
	}
	close(work)
	wg.Wait()
	if err := w.WriteMemory(nil, nil); err != nil {
		t.Fatal(err)
	}
	m := testManifest()
	if err := w.Close(m); err != nil {
		t.Fatal(err)
	}
	if len(infos) != len(recs) || len(m.Shards) != len(recs) {
		t.Fatalf("%d infos, %d manifest shards", len(infos), len(m.Shards))
	}
	for i, s := range m.Shards {
		if s.Index != uint32(i+1) {
			t.Fatalf("manifest shard %d has index %d", i, s.Index)
		}
	}
}

func TestManifestValidate(t *testing.T) {
	recs := chainLogs(rand.New(rand.NewPCG(25, 26)), 3, 5)
	dir := filepath.Join(t.TempDir(), "trace")
	good := writeTrace(t, dir, recs, false)
	for _, c := range []struct {
		name string
		edit func(m *Manifest)
		want string
	}{
		{"format", func(m *Manifest) { m.Format = "other" }, `format is "other"`},
		{"version", func(m *Manifest) { m.Version = FormatVersion + 1 }, fmt.Sprint("version is ", FormatVersion+1)},
		{"clk", func(m *Manifest) { m.ClkPerCycle = 5 }, "clk_per_cycle is 5"},
		{"outside", func(m *Manifest) { m.Shards[1].File = "../x" }, `file "../x" is not a plain file name`},
		{"absolute", func(m *Manifest) { m.Memory.File = "/etc/passwd" }, "not a plain file name"},
		{"hidden", func(m *Manifest) { m.Memory.File = ".." }, "not a plain file name"},
		{"duplicate", func(m *Manifest) { m.Shards[1].File = m.Shards[0].File }, "is also shard 1"},
		{"manifest", func(m *Manifest) { m.Memory.File = ManifestFile }, "is also the manifest"},
		{"index", func(m *Manifest) { m.Shards[1].Index = 5 }, "index is 5, want 2"},
		{"count", func(m *Manifest) { m.Totals.Shards = 2 }, "totals.shards is 2"},
		{"steps", func(m *Manifest) { m.Totals.Steps++ }, "totals say"},
		{"chain", func(m *Manifest) { m.Shards[2].StartStep++ }, "shard 3: starts at step"},
		{"pc", func(m *Manifest) { m.Shards[2].StartPC++ }, "shard 3: starts at pc"},
		{"sha", func(m *Manifest) { m.Shards[0].SHA256 = "00" }, "sha256 \"00\""},
		{"bytes", func(m *Manifest) { m.Shards[0].Bytes = 3 }, "3 bytes is smaller"},
		{"rows", func(m *Manifest) { m.Shards[0].Rows["bogus"] = 1 }, `unknown table "bogus"`},
		{"rows missing", func(m *Manifest) { delete(m.Shards[0].Rows, "cpu") }, `rows lack table "cpu"`},
		{"memory rows", func(m *Manifest) { m.Memory.InitRows++ }, "init rows but"},
		{"program path", func(m *Manifest) { m.Program.Name = "a/b" }, "is a path"},
	} {
		b, _ := good.Marshal()
		m, err := ParseManifest(b)
		if err != nil {
			t.Fatal(err)
		}
		c.edit(m)
		if err := m.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
	var h Hex32
	for _, s := range []string{`"0x1234"`, `"1234567890"`, `"0xgggggggg"`, `5`} {
		if err := json.Unmarshal([]byte(s), &h); err == nil {
			t.Errorf("Hex32 accepted %s", s)
		}
	}
}
