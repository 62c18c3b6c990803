package executor_test

import (
	"bytes"
	"testing"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
)

// TestCloneReplays checks that a clone taken mid-run finishes exactly as
// the original: same output, steps, registers and memory.
func TestCloneReplays(t *testing.T) {
	for _, name := range []string{"../examples/bin/hello-go.mips", "../testdata/guests/bin/stdin.mipsel"} {
		p, err := program.LoadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var out1 bytes.Buffer
		m, err := executor.New(p, executor.Config{Args: []string{"x"}, Stdout: &out1, Stdin: bytes.NewReader([]byte("line one\nline two\n"))})
		if err != nil {
			t.Fatal(err)
		}
		m.RunUntil(50000)
		var out2 bytes.Buffer
		c, err := m.Clone(&out2, nil)
		if err != nil {
			t.Fatal(err)
		}
		before := out1.Len()
		r1, r2 := m.Run(), c.Run()
		if r1.Err != nil || r2.Err != nil || !r1.Exited || r1.Steps != r2.Steps || r1.ExitCode != r2.ExitCode {
			t.Fatalf("%s: original %+v, clone %+v", name, r1, r2)
		}
		if got, want := out2.String(), out1.String()[before:]; got != want {
			t.Fatalf("%s: clone printed %q, original %q", name, got, want)
		}
		for i := 0; i < 32; i++ {
			if m.Reg(i) != c.Reg(i) {
				t.Fatalf("%s: r%d differs", name, i)
			}
		}
		for a := uint32(0x10000); a < 0x20000; a += 4 {
			if m.ReadWord(a) != c.ReadWord(a) {
				t.Fatalf("%s: memory differs at 0x%x", name, a)
			}
		}
	}
}

// TestFatalSignalStep checks that a guest killed by its own signal ends
// with the step counted once and pc at the syscall, like any fault.
func TestFatalSignalStep(t *testing.T) {
	p, err := program.LoadFile("../testdata/guests/bin/abort.mips")
	if err != nil {
		t.Fatal(err)
	}
	m, err := executor.New(p, executor.Config{})
	if err != nil {
		t.Fatal(err)
	}
	res := m.Run()
	if res.ExitCode != 134 || res.Fault == nil {
		t.Fatalf("exit %d, fault %v; want 134 and a SIGABRT fault", res.ExitCode, res.Fault)
	}
	if res.Fault.Step != res.Steps-1 || m.PC() != res.Fault.PC {
		t.Fatalf("fault at step %d pc 0x%x, run ended after %d steps at pc 0x%x", res.Fault.Step, res.Fault.PC, res.Steps, m.PC())
	}
}
