package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExecuteTraceCheck runs execute on the hashing example, then trace
// stats and trace check on the result, then checks a corrupted copy fails.
func TestExecuteTraceCheck(t *testing.T) {
	needExample(t, "hash")
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if err := os.WriteFile(in, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "trace")
	status, stdout, stderr := zkmips(t, "", "execute", "example:hash", "--input", in, "--out", out, "--shard-size", "200000", "--jobs", "2")
	if status != 0 || !strings.Contains(stdout, "sha256^100:    34a10e3f") {
		t.Fatalf("execute: status %d\nstdout %s\nstderr %s", status, stdout, stderr)
	}
	if !strings.Contains(stderr, "zkmips: traced ") || !strings.Contains(stderr, " shards to ") {
		t.Errorf("execute printed no summary: %q", stderr)
	}

	status, stdout, _ = zkmips(t, "", "trace", "stats", out, "--json")
	var stats struct {
		Shards int               `json:"shards"`
		Steps  uint64            `json:"steps"`
		Rows   map[string]uint64 `json:"rows"`
	}
	if status != 0 || json.Unmarshal([]byte(stdout), &stats) != nil || stats.Shards < 4 || stats.Rows["cpu"] != stats.Steps || stats.Rows["precompile_30010005"] != 100 {
		t.Fatalf("trace stats: status %d, %+v\n%s", status, stats, stdout)
	}

	status, stdout, stderr = zkmips(t, "", "trace", "check", out, "--program", "example:hash")
	if status != 0 || !strings.HasPrefix(stdout, "trace ok: ") {
		t.Fatalf("trace check: status %d\nstdout %s\nstderr %s", status, stdout, stderr)
	}
	status, _, stderr = zkmips(t, "", "trace", "check", out, "--program", "example:fib")
	if status != exitFailure {
		t.Errorf("trace check against the wrong program: status %d, want %d", status, exitFailure)
	}
	oneErrorLine(t, stderr, "sha256")

	// A flipped byte in a shard file is caught by its checksum.
	shard := filepath.Join(out, "shard-000002.zkt")
	b, err := os.ReadFile(shard)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(shard, b, 0o644); err != nil {
		t.Fatal(err)
	}
	status, _, stderr = zkmips(t, "", "trace", "check", out)
	if status != exitInvalid {
		t.Errorf("corrupted trace: status %d, want %d", status, exitInvalid)
	}
	oneErrorLine(t, stderr, "shard-000002.zkt")

	// The output directory is never overwritten by accident.
	status, _, stderr = zkmips(t, "", "execute", "example:hash", "--input", in, "--out", out)
	if status != exitFailure {
		t.Errorf("execute into an existing directory: status %d, want %d", status, exitFailure)
	}
	oneErrorLine(t, stderr, "")
}
