package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/witness"
)

// TestProofAt checks run's schedules: --proof-at writes STEP.json proofs
// that equal prove-step's, --snapshot-at writes a snapshot that prove-step
// and state resume from, --stop-at stops, --info-at prints progress.
func TestProofAt(t *testing.T) {
	dir := t.TempDir()
	pd := filepath.Join(dir, "proofs")
	var out, errb bytes.Buffer
	code := run([]string{"run", "example:hello", "--proof-at", "%50000", "--snapshot-at", "=100000", "--info-at", "=150000", "--stop-at", "=200000", "--proofs-dir", pd}, nil, &out, &errb)
	if code != 0 || !strings.Contains(errb.String(), "stopped before step 200000") || !strings.Contains(errb.String(), "step 150000 pc") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	for _, n := range []string{"0", "50000", "100000", "150000"} {
		b, err := os.ReadFile(filepath.Join(pd, n+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var w witness.StepWitness
		if err := json.Unmarshal(b, &w); err != nil {
			t.Fatal(err)
		}
		var p bytes.Buffer
		if code := run([]string{"prove-step", "example:hello", "--step", n}, nil, &p, &errb); code != 0 || p.String() != string(b) {
			t.Fatalf("step %s: prove-step differs from --proof-at (exit %d)", n, code)
		}
	}
	if _, err := os.Stat(filepath.Join(pd, "200000.json")); err == nil {
		t.Fatal("a proof after --stop-at")
	}
	snap := filepath.Join(pd, "100000.snap")
	var a, b bytes.Buffer
	if code := run([]string{"prove-step", "example:hello", "--from-snapshot", snap, "--step", "100000"}, nil, &a, &errb); code != 0 {
		t.Fatalf("resume: %s", errb.String())
	}
	want, _ := os.ReadFile(filepath.Join(pd, "100000.json"))
	if a.String() != string(want) {
		t.Fatal("the proof from the snapshot differs")
	}
	if code := run([]string{"state", "example:hello", "--from-snapshot", snap}, nil, &b, &errb); code != 0 || !strings.HasPrefix(b.String(), "step 100000 ") {
		t.Fatalf("state from the snapshot: %q", b.String())
	}
	// The snapshot alone, without the program: the same state, in both
	// formats; going further needs the program.
	for _, format := range [][]string{nil, {"--json"}} {
		var fromProg, fromSnap bytes.Buffer
		if code := run(append([]string{"state", "example:hello", "--step", "100000"}, format...), nil, &fromProg, &errb); code != 0 {
			t.Fatalf("state: %s", errb.String())
		}
		if code := run(append([]string{"state", snap}, format...), nil, &fromSnap, &errb); code != 0 || fromSnap.String() != fromProg.String() {
			t.Fatalf("state SNAPSHOT %v (exit %d): %q, want %q", format, code, fromSnap.String(), fromProg.String())
		}
	}
	errb.Reset()
	if code := run([]string{"state", snap, "--step", "100001"}, nil, &b, &errb); code != exitFailure || !strings.Contains(errb.String(), "needs the program") {
		t.Fatalf("state SNAPSHOT --step: exit %d, %q", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"prove-step", "example:hello", "--from-snapshot", snap, "--step", "5"}, nil, &a, &errb); code != exitFailure || !strings.Contains(errb.String(), "past step 5") {
		t.Fatalf("exit %d, %q", code, errb.String())
	}
	// A damaged snapshot is refused, never resumed (the page roots at the
	// end are a cache: TestSnapshotPageRoots).
	raw, _ := os.ReadFile(snap)
	_, roots, err := readSnapshotFile(snap)
	if err != nil || len(roots) == 0 {
		t.Fatalf("snapshot file: %d page roots, %v", len(roots), err)
	}
	zlen := len(raw) - 8 - len(roots)*rootSize - rootsTrailer
	if _, rest, err := readSnapshotFile(writeTemp(t, raw[:zlen])); err != nil || rest != nil {
		t.Fatalf("the snapshot without its roots frame: %d roots, %v", len(rest), err)
	}
	for _, off := range []int{zlen / 2, zlen - 3} {
		bad := append([]byte(nil), raw...)
		bad[off] ^= 0x40
		badf := filepath.Join(dir, "bad.snap")
		os.WriteFile(badf, bad, 0o644)
		errb.Reset()
		if code := run([]string{"state", "example:hello", "--from-snapshot", badf}, nil, &b, &errb); code != exitFailure || !strings.Contains(errb.String(), "--from-snapshot") {
			t.Fatalf("damaged snapshot at %d: exit %d, %q", off, code, errb.String())
		}
	}
	errb.Reset()
	if code := run([]string{"run", "example:hello", "--proof-at", "sometimes"}, nil, &out, &errb); code != exitFailure || !strings.Contains(errb.String(), "--proof-at") {
		t.Fatalf("exit %d, %q", code, errb.String())
	}
}

// TestSnapshotPageRoots checks the page roots a snapshot file carries:
// a proof from the snapshot (at its step and later) equals one from the
// start, and roots that are damaged, or belong to another snapshot, are
// ignored (the proof is the same), never trusted.
func TestSnapshotPageRoots(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run([]string{"run", "example:hello-le", "--snapshot-at", "%60000", "--stop-at", "=120001", "--proofs-dir", dir}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	prove := func(snap, step string) string {
		t.Helper()
		args := []string{"prove-step", "example:hello-le", "--step", step}
		if snap != "" {
			args = append(args, "--from-snapshot", snap)
		}
		var p, e bytes.Buffer
		if code := run(args, nil, &p, &e); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, e.String())
		}
		return p.String()
	}
	snap := filepath.Join(dir, "120000.snap")
	raw, _ := os.ReadFile(snap)
	data, roots, err := readSnapshotFile(snap)
	if err != nil || len(roots) < 10 {
		t.Fatalf("%d page roots, %v", len(roots), err)
	}
	other, _ := os.ReadFile(filepath.Join(dir, "60000.snap"))
	_, otherRoots, _ := readSnapshotFile(filepath.Join(dir, "60000.snap"))
	zlen := len(raw) - 8 - len(roots)*rootSize - rootsTrailer
	olen := len(other) - 8 - len(otherRoots)*rootSize - rootsTrailer
	flipped := bytes.Clone(raw)
	flipped[zlen+8+len(roots)*rootSize/2] ^= 1
	variants := map[string][]byte{
		"intact":          raw,
		"damaged roots":   flipped,
		"no roots":        raw[:zlen],
		"another's roots": append(bytes.Clone(raw[:zlen]), other[olen:]...),
	}
	for _, step := range []string{"120000", "120001"} {
		want := prove("", step)
		for name, b := range variants {
			f := writeTemp(t, b)
			if name != "intact" {
				if d, r, err := readSnapshotFile(f); err != nil || r != nil || !bytes.Equal(d, data) {
					t.Fatalf("%s: %d roots, %v", name, len(r), err)
				}
			}
			if got := prove(f, step); got != want {
				t.Fatalf("step %s from the snapshot with %s: the proof differs from one from the start", step, name)
			}
		}
	}
}

// writeTemp writes b to a new temporary file and returns its name.
func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "f.snap")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestVerifyStep proves a store, a load and a syscall of both byte orders
// and checks them with verify-step; a tampered proof exits 1.
func TestVerifyStep(t *testing.T) {
	dir := t.TempDir()
	for _, ex := range []string{"hello", "hello-le"} {
		var out, errb bytes.Buffer
		pd := filepath.Join(dir, ex)
		if code := run([]string{"prove-step", "example:" + ex, "--step", "0-3,120000,300000", "--out-dir", pd}, nil, &out, &errb); code != 0 {
			t.Fatalf("%s: %s", ex, errb.String())
		}
		files, _ := filepath.Glob(filepath.Join(pd, "*.json"))
		if len(files) != 6 {
			t.Fatalf("%s: %d proofs", ex, len(files))
		}
		for _, f := range files {
			out.Reset()
			if code := run([]string{"verify-step", f}, nil, &out, &errb); code != 0 || !strings.Contains(out.String(), "ok:") {
				t.Fatalf("%s: exit %d: %s %s", f, code, out.String(), errb.String())
			}
			b, _ := os.ReadFile(f)
			var m map[string]any
			json.Unmarshal(b, &m)
			s := m["proof-data"].(string)
			m["proof-data"] = s[:100] + map[byte]string{'0': "1"}[s[100]] + map[bool]string{true: "", false: "0"}[s[100] == '0'] + s[101:]
			bad, _ := json.Marshal(m)
			badf := f + ".bad"
			os.WriteFile(badf, bad, 0o644)
			out.Reset()
			if code := run([]string{"verify-step", badf}, nil, &out, &errb); code != exitInvalid {
				t.Fatalf("%s tampered: exit %d: %s", f, code, out.String())
			}
		}
	}
}

// BenchmarkProofAtAlways measures run --proof-at always (proofs per
// second, files included) on the Go hello program's first 20,000 steps.
func BenchmarkProofAtAlways(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		pd := filepath.Join(dir, "p")
		os.RemoveAll(pd)
		var out, errb bytes.Buffer
		if code := run([]string{"run", "example:hello", "--proof-at", "always", "--stop-at", "=20000", "--proofs-dir", pd}, nil, &out, &errb); code != 0 {
			b.Fatal(errb.String())
		}
	}
	b.ReportMetric(float64(20000*b.N)/b.Elapsed().Seconds(), "proofs/s")
}
