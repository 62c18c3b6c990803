package shard_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
	"github.com/zkmips/zkmips/shard"
)

// execute traces prog into a new directory with the given parallelism.
func execute(t *testing.T, prog *program.Program, inputs [][]byte, size uint64, jobs int) (string, *shard.Summary) {
	t.Helper()
	var out bytes.Buffer
	m, err := executor.New(prog, executor.Config{Args: []string{"prog"}, Stdout: &out, Inputs: inputs})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "trace")
	w, err := shard.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := shard.Execute(m, w, shard.Options{ShardSize: size, Jobs: jobs})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Exited() || m.Err() != nil {
		t.Fatalf("run did not finish: %v", m.Err())
	}
	if out.Len() == 0 {
		t.Fatal("the guest printed nothing: output must come from the fast pass once")
	}
	res := m.Result()
	man := &shard.Manifest{
		Program: shard.ProgramInfo{Name: "prog", SHA256: strings.Repeat("0", 64), BigEndian: prog.BigEndian, Entry: shard.Hex32(prog.Entry)},
		Totals:  shard.Totals{ExitCode: uint32(res.ExitCode), Exited: res.Exited, PublicValues: res.PublicValues, PublicValuesDigest: res.PublicValuesDigest[:]},
	}
	if err := w.Close(man); err != nil {
		t.Fatal(err)
	}
	return dir, sum
}

// TestExecuteJobsIdentical checks that tracing with several jobs, from
// checkpoints, writes exactly the files a single job writes.
func TestExecuteJobsIdentical(t *testing.T) {
	for _, c := range []struct {
		elf    string
		inputs [][]byte
	}{
		{"../examples/bin/hello-go.mipsle", nil},
		{"../testdata/guests/bin/hello.mips", nil},
		{"../examples/bin/zkvm-hash.mipsle", [][]byte{[]byte("hello")}},
	} {
		prog, err := program.LoadFile(c.elf)
		if err != nil {
			t.Fatal(err)
		}
		d1, s1 := execute(t, prog, c.inputs, 3000, 1)
		d3, s3 := execute(t, prog, c.inputs, 3000, 3)
		if s1.Shards < 3 || s1.Shards != s3.Shards || s1.Steps != s3.Steps || s1.Bytes != s3.Bytes {
			t.Fatalf("%s: summaries differ or too few shards: %+v vs %+v", c.elf, s1, s3)
		}
		files, err := os.ReadDir(d1)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			a, _ := os.ReadFile(filepath.Join(d1, f.Name()))
			b, err := os.ReadFile(filepath.Join(d3, f.Name()))
			if err != nil || !bytes.Equal(a, b) {
				t.Fatalf("%s: %s differs between --jobs 1 and 3 (%v)", c.elf, f.Name(), err)
			}
		}
	}
}
