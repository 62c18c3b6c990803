package executor_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
)

// The guest corpus: committed C and assembly ELFs in bin/, Go sources in
// go/ (built by the tests). See testdata/guests/build.sh.
const guestDir = "../testdata/guests"

// diffMaxSteps bounds every zkmips run of the differential tests, so that a
// guest that never exits fails instead of hanging.
const diffMaxSteps = 4_000_000_000

// guestEnv is the environment both qemu and zkmips give a guest (unless a
// case sets its own): nothing from the host leaks in.
var guestEnv = []string{"PATH=/usr/bin:/bin", "HOME=/home/guest", "LANG=C"}

// stdinText is what the stdin-reading guests get.
var stdinText = func() []byte {
	var b bytes.Buffer
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&b, "line %d:%s the quick brown fox %x\n", i, strings.Repeat(" x", i%13), i*i)
	}
	b.WriteString("no newline at the end")
	return b.Bytes()
}()

// guestCase says how to run one guest and what to compare.
type guestCase struct {
	args  []string // after argv[0]
	env   []string // nil: guestEnv
	stdin []byte
	// want is the exit status zkmips must produce; qemu must agree unless
	// qemuDeviates explains why it exits with qemuExit instead.
	want         int
	qemuExit     int
	qemuDeviates string
	// ignoreStderr skips the stderr comparison. (qemu's own "uncaught
	// target signal" line is removed before comparing in any case.)
	ignoreStderr bool
}

// guestOutcome is what a run produced.
type guestOutcome struct {
	stdout, stderr []byte
	exit           int
	steps          uint64
	res            *executor.Result
}

// qemuFor returns the path of the qemu-user binary for a byte order.
func qemuFor(bigEndian bool) (string, error) {
	name := "qemu-mipsel"
	if bigEndian {
		name = "qemu-mips"
	}
	return exec.LookPath(name)
}

// argv returns the guest's argv: argv[0] is always "prog".
func (c *guestCase) argv() []string {
	return append([]string{"prog"}, c.args...)
}

func (c *guestCase) environ() []string {
	if c.env != nil {
		return c.env
	}
	return guestEnv
}

// runQemu runs an ELF under qemu-user with exactly the case's argv and
// environment. A guest killed by a signal gets 128+signal, as from a shell.
func runQemu(t testing.TB, qemu, elf string, c *guestCase) guestOutcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	elf, err := filepath.Abs(elf)
	if err != nil {
		t.Fatal(err)
	}
	argv := c.argv()
	cmd := exec.CommandContext(ctx, qemu, append([]string{"-0", argv[0], elf}, argv[1:]...)...)
	// qemu-user hands the guest its own environment in reverse order:
	// reverse it here so that the guest sees the case's order, as under
	// Linux and zkmips. (Non-nil even when empty: nothing is inherited.)
	env := append([]string{}, c.environ()...)
	slices.Reverse(env)
	cmd.Env = env
	cmd.Dir = t.TempDir() // where a core dump would go
	cmd.Stdin = bytes.NewReader(c.stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	out := guestOutcome{stdout: stdout.Bytes(), stderr: stripQemuNoise(stderr.Bytes())}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		ws, ok := ee.Sys().(syscall.WaitStatus)
		switch {
		case ok && ws.Signaled():
			out.exit = 128 + int(ws.Signal())
		default:
			out.exit = ee.ExitCode()
		}
	default:
		t.Fatalf("qemu: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("qemu: %s did not finish in time", elf)
	}
	return out
}

// stripQemuNoise removes the lines qemu itself prints about a guest killed
// by a signal ("qemu: uncaught target signal 6 (Aborted) - core dumped").
func stripQemuNoise(b []byte) []byte {
	var out []byte
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("qemu: uncaught target signal")) {
			continue
		}
		out = append(out, line...)
	}
	return out
}

// newGuest loads an ELF into a zkmips machine configured like runQemu.
func newGuest(t testing.TB, data []byte, c *guestCase, stdout, stderr *bytes.Buffer) *executor.Machine {
	t.Helper()
	p, err := program.Load(data)
	if err != nil {
		t.Fatalf("program.Load: %v", err)
	}
	m, err := executor.New(p, executor.Config{
		Args:     c.argv(),
		Env:      c.environ(),
		Stdin:    bytes.NewReader(c.stdin),
		Stdout:   stdout,
		Stderr:   stderr,
		Seed:     1,
		MaxSteps: diffMaxSteps,
	})
	if err != nil {
		t.Fatalf("executor.New: %v", err)
	}
	return m
}

// runZK runs an ELF in zkmips in-process.
func runZK(t testing.TB, data []byte, c *guestCase) guestOutcome {
	t.Helper()
	var stdout, stderr bytes.Buffer
	m := newGuest(t, data, c, &stdout, &stderr)
	res := m.Run()
	return guestOutcome{stdout: stdout.Bytes(), stderr: stderr.Bytes(), exit: res.ExitCode, steps: res.Steps, res: res}
}

// describe summarizes a zkmips result for failure messages.
func describe(r *executor.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "steps %d, exited %v, exit %d", r.Steps, r.Exited, r.ExitCode)
	if r.Fault != nil {
		fmt.Fprintf(&b, "\n  fault: %v", r.Fault)
	}
	if r.Err != nil {
		fmt.Fprintf(&b, "\n  executor error: %v", r.Err)
	}
	if len(r.UnknownSyscalls) > 0 {
		b.WriteString("\n  unknown syscalls (-ENOSYS):")
		for _, n := range executor.SortedKeys(r.UnknownSyscalls) {
			fmt.Fprintf(&b, " %d x%d", n, r.UnknownSyscalls[n])
		}
	}
	if len(r.SyscallCounts) > 0 {
		b.WriteString("\n  syscalls:")
		for _, n := range executor.SortedKeys(r.SyscallCounts) {
			fmt.Fprintf(&b, " %s x%d", n, r.SyscallCounts[n])
		}
	}
	return b.String()
}

// clip shortens output for failure messages.
func clip(b []byte) string {
	const limit = 2000
	if len(b) > limit {
		return fmt.Sprintf("%q... (%d bytes)", b[:limit], len(b))
	}
	return fmt.Sprintf("%q", b)
}

// firstDiff describes where two outputs first differ.
func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-80)
	return fmt.Sprintf("first difference at byte %d:\n  qemu:   %q\n  zkmips: %q", i, a[lo:min(len(a), i+80)], b[lo:min(len(b), i+80)])
}

// diffGuest runs one ELF under qemu and zkmips and compares the outcomes.
func diffGuest(t *testing.T, qemu, elf string, c *guestCase) {
	t.Helper()
	data, err := os.ReadFile(elf)
	if err != nil {
		t.Fatal(err)
	}
	q := runQemu(t, qemu, elf, c)
	z := runZK(t, data, c)
	if z.res.Err != nil {
		t.Errorf("zkmips stopped with an executor error: %s", describe(z.res))
	}
	if !bytes.Equal(q.stdout, z.stdout) {
		t.Errorf("stdout differs; %s\n  qemu:   %s\n  zkmips: %s", firstDiff(q.stdout, z.stdout), clip(q.stdout), clip(z.stdout))
	}
	if !c.ignoreStderr && !bytes.Equal(q.stderr, z.stderr) {
		t.Errorf("stderr differs; %s\n  qemu:   %s\n  zkmips: %s", firstDiff(q.stderr, z.stderr), clip(q.stderr), clip(z.stderr))
	}
	if z.exit != c.want {
		t.Errorf("zkmips exit status %d, want %d (qemu: %d)", z.exit, c.want, q.exit)
	}
	switch {
	case q.exit == c.want:
	case c.qemuDeviates != "" && q.exit == c.qemuExit:
		t.Logf("qemu exit status %d where MIPS Linux (and zkmips) gives %d: %s", q.exit, c.want, c.qemuDeviates)
	default:
		t.Errorf("qemu exit status %d, want %d: the corpus expectation is wrong or qemu changed", q.exit, c.want)
	}
	if t.Failed() {
		t.Logf("zkmips: %s", describe(z.res))
	}
}

// goArchs are the Go guest architectures with their qemu byte order.
var goArchs = []struct {
	goarch    string
	bigEndian bool
}{{"mips", true}, {"mipsle", false}}

// buildGoGuests builds every Go guest in testdata/guests/go for goarch into
// a temporary directory of tb and returns it. It skips tb when there is no
// go command; a failing build is an error.
func buildGoGuests(tb testing.TB, goarch string) string {
	tb.Helper()
	out := tb.TempDir()
	if err := goBuildGuests(goarch, out); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			tb.Skip("no go command to build the Go guests")
		}
		tb.Fatal(err)
	}
	return out
}

// goBuildGuests runs go build for the Go guests, writing one executable per
// guest into out.
func goBuildGuests(goarch, out string) error {
	gocmd, err := exec.LookPath("go")
	if err != nil {
		return err
	}
	cmd := exec.Command(gocmd, "build", "-trimpath", "-o", out+string(filepath.Separator), "./testdata/guests/go/...")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch, "GOMIPS=softfloat", "GOFLAGS=")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the Go guests for %s: %v\n%s", goarch, err, msg)
	}
	return nil
}
