package executor_test

// Differential tests: every guest of testdata/guests runs under qemu-user
// (the reference) and under zkmips with the same argv, environment and
// stdin; stdout, stderr and the exit status must match exactly.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/internal/testutil"
	"github.com/zkmips/zkmips/program"
)

// Known deviations of qemu-user from MIPS Linux that the corpus runs into.
const (
	qemuTrapCode7 = "qemu 7.2 raises SIGTRAP for trap and break code 7 (divide by zero); the Linux kernel raises SIGFPE"
	qemuSIGBUS    = "qemu re-raises the host's SIGBUS, 7 on x86 and arm, where MIPS numbers SIGBUS 10"
)

// diffEnv is the environment of the argv/envp guests: empty and spaced
// values, a variable the program looks up.
var diffEnv = []string{"PATH=/usr/bin:/bin", "ZK_TEST=zkmips differential test", "EMPTY=", "LONG=" + strings.Repeat("v", 300), "UTF8=grüße"}

var diffArgs = []string{"first", "with space", "", "ünïcödé", "--flag=1"}

// committedCases gives the run options of the committed ELFs by name
// (without .mips/.mipsel). An ELF without an entry runs with no arguments
// and must exit 0.
var committedCases = map[string]guestCase{
	// C programs
	"args":   {args: diffArgs, env: diffEnv},
	"stdin":  {stdin: stdinText},
	"exit42": {want: 42},
	"abort":  {want: 134},
	"cbench": {args: []string{"1"}},
	// assembly tests that end in a fault
	"fault_teq":       {want: 133},
	"fault_break":     {want: 133},
	"fault_teqdiv":    {want: 136, qemuExit: 133, qemuDeviates: qemuTrapCode7},
	"fault_break7":    {want: 136, qemuExit: 133, qemuDeviates: qemuTrapCode7},
	"fault_unaligned": {want: 138, qemuExit: 135, qemuDeviates: qemuSIGBUS},
	"fault_overflow":  {want: 136},
	"fault_ri":        {want: 132},
	"fault_null":      {want: 139},
}

// goCases lists the Go guests (testdata/guests/go/NAME) and their options.
var goCases = map[string]guestCase{
	"hello":      {},
	"goroutines": {},
	"maps":       {},
	"sortstr":    {},
	"hashes":     {},
	"bigfact":    {},
	"json":       {},
	"panic":      {want: 2},
	"exit3":      {want: 3},
	"argsenv":    {args: diffArgs, env: diffEnv},
	"sleep":      {},
	"alloc":      {},
	"gobench":    {args: []string{"1"}},
	"stdin":      {stdin: stdinText},
}

// committedELFs lists testdata/guests/bin/*.mips and *.mipsel.
func committedELFs(t testing.TB) []string {
	t.Helper()
	var elfs []string
	for _, pat := range []string{"*.mips", "*.mipsel"} {
		m, err := filepath.Glob(filepath.Join(guestDir, "bin", pat))
		if err != nil {
			t.Fatal(err)
		}
		elfs = append(elfs, m...)
	}
	if len(elfs) == 0 {
		t.Fatalf("no ELFs in %s/bin: run testdata/guests/build.sh", guestDir)
	}
	sort.Strings(elfs)
	return elfs
}

func TestDiffCommitted(t *testing.T) {
	for _, elf := range committedELFs(t) {
		base := filepath.Base(elf)
		name := strings.TrimSuffix(strings.TrimSuffix(base, ".mipsel"), ".mips")
		big := strings.HasSuffix(base, ".mips")
		c := committedCases[name]
		t.Run(base, func(t *testing.T) {
			qemu, err := qemuFor(big)
			if err != nil {
				testutil.Missing(t, "qemu-user is not installed (apt-get install qemu-user)")
			}
			t.Parallel()
			diffGuest(t, qemu, elf, &c)
		})
	}
}

func TestDiffGo(t *testing.T) {
	names := make([]string, 0, len(goCases))
	for n := range goCases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, a := range goArchs {
		t.Run(a.goarch, func(t *testing.T) {
			qemu, err := qemuFor(a.bigEndian)
			if err != nil {
				testutil.Missing(t, "qemu-user is not installed (apt-get install qemu-user)")
			}
			dir := buildGoGuests(t, a.goarch)
			for _, n := range names {
				c := goCases[n]
				t.Run(n, func(t *testing.T) {
					t.Parallel()
					diffGuest(t, qemu, filepath.Join(dir, n), &c)
				})
			}
		})
	}
}

// TestDeterminism runs guests twice in zkmips: stdout, the step count and
// the final CPU state must be identical. The Go runtime is multi-threaded
// under Linux (its instruction count varies under qemu); here it must not.
func TestDeterminism(t *testing.T) {
	type guest struct {
		name string
		data []byte
		c    guestCase
	}
	var guests []guest
	for _, n := range []string{"r2.mips", "strmem.mipsel", "jmp.mips"} {
		data, err := os.ReadFile(filepath.Join(guestDir, "bin", n))
		if err != nil {
			t.Fatal(err)
		}
		guests = append(guests, guest{n, data, guestCase{}})
	}
	if _, err := exec.LookPath("go"); err == nil {
		dir := buildGoGuests(t, "mipsle")
		for _, n := range []string{"goroutines", "sleep", "hashes"} {
			data, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				t.Fatal(err)
			}
			guests = append(guests, guest{"go/" + n, data, goCases[n]})
		}
	}
	for _, g := range guests {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			type final struct {
				stdout          []byte
				steps           uint64
				exit            int
				regs            [32]uint32
				pc, npc, hi, lo uint32
			}
			run := func() final {
				var stdout, stderr bytes.Buffer
				m := newGuest(t, g.data, &g.c, &stdout, &stderr)
				res := m.Run()
				if res.Err != nil || !res.Exited {
					t.Fatalf("run did not end cleanly: %s", describe(res))
				}
				f := final{stdout: stdout.Bytes(), steps: res.Steps, exit: res.ExitCode, pc: m.PC(), npc: m.NextPC(), hi: m.HI(), lo: m.LO()}
				for i := range f.regs {
					f.regs[i] = m.Reg(i)
				}
				return f
			}
			a, b := run(), run()
			if !bytes.Equal(a.stdout, b.stdout) {
				t.Errorf("stdout differs between runs:\n%s\n%s", clip(a.stdout), clip(b.stdout))
			}
			if a.steps != b.steps || a.exit != b.exit {
				t.Errorf("runs differ: %d steps exit %d, then %d steps exit %d", a.steps, a.exit, b.steps, b.exit)
			}
			if a.regs != b.regs || a.pc != b.pc || a.npc != b.npc || a.hi != b.hi || a.lo != b.lo {
				t.Errorf("final CPU state differs:\n%+v\n%+v", a, b)
			}
		})
	}
}

// TestGuestsCurrent checks that the committed ELFs are what build.sh makes
// from the sources (reproducible builds).
func TestGuestsCurrent(t *testing.T) {
	for _, tool := range []string{"mips-linux-gnu-gcc", "mipsel-linux-gnu-gcc", "mips-linux-gnu-as", "mipsel-linux-gnu-as", "mips-linux-gnu-ld", "mipsel-linux-gnu-ld", "bash"} {
		testutil.NeedTools(t, tool)
	}
	cmd := exec.Command("bash", filepath.Join(guestDir, "build.sh"), "--check")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 {
		t.Skipf("not the toolchain that built the committed ELFs:\n%s", out)
	}
	if err != nil {
		t.Fatalf("build.sh --check: %v\n%s\nrun testdata/guests/build.sh and commit bin/", err, out)
	}
}

// TestCorpusCoverage checks that the committed corpus executes every
// instruction zkmips decodes, and that the C program r2 reaches the
// MIPS32r2 instructions through compiled code (no qemu needed).
func TestCorpusCoverage(t *testing.T) {
	seen := map[string]bool{}
	r2 := map[string]uint64{}
	for _, elf := range committedELFs(t) {
		base := filepath.Base(elf)
		name := strings.TrimSuffix(strings.TrimSuffix(base, ".mipsel"), ".mips")
		c := committedCases[name]
		data, err := os.ReadFile(elf)
		if err != nil {
			t.Fatal(err)
		}
		z := runZK(t, data, &c)
		if z.exit != c.want || z.res.Err != nil {
			t.Errorf("%s: %s", base, describe(z.res))
		}
		for op := range z.res.OpCounts {
			seen[op] = true
		}
		if base == "r2.mips" {
			r2 = z.res.OpCounts
		}
	}
	n := 0
	for op := program.OpSLL; op < program.NumOps; op++ {
		if !seen[op.String()] {
			t.Errorf("no committed guest executes %s", op)
		} else {
			n++
		}
	}
	t.Logf("the corpus executes %d of the %d opcodes zkmips implements", n, program.NumOps-program.OpSLL)
	for _, op := range []string{"ext", "ins", "seb", "seh", "wsbh", "rotr", "rotrv", "clz", "clo", "madd", "maddu", "msub", "mul", "movz", "movn", "teq"} {
		if r2[op] == 0 {
			t.Errorf("r2.mips does not execute %s", op)
		}
	}
}
