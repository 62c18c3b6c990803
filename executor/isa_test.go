package executor_test

// Instruction-set tests: every instruction the decoder knows, in both byte
// orders, with programs built by internal/asm.
//
// Most tests are batches: one program runs every case of a table, each case
// storing its results in an output area, and the test compares them with
// the table. When qemu-user is installed, the same program is also built as
// an ELF file, run under qemu-mips/qemu-mipsel, and the whole data segment
// it writes to stdout must match the executor's memory byte for byte: the
// expected values are then checked against an independent MIPS
// implementation too.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/asm"
	"github.com/zkmips/zkmips/internal/testutil"
)

// Register aliases keep the tables short.
const (
	zero = asm.Zero
	v0   = asm.V0
	v1   = asm.V1
	a0   = asm.A0
	a1   = asm.A1
	a2   = asm.A2
	a3   = asm.A3
	t0   = asm.T0
	t1   = asm.T1
	t2   = asm.T2
	t3   = asm.T3
	t4   = asm.T4
	t5   = asm.T5
	t6   = asm.T6
	t7   = asm.T7
	s0   = asm.S0
	s1   = asm.S1
	s2   = asm.S2
	s3   = asm.S3
	t9   = asm.T9
	ra   = asm.RA
)

const (
	sysWrite         = 4004
	sysSetThreadArea = 4283
	textBase         = asm.TextBase
)

var orders = []struct {
	name string
	be   bool
}{{"big", true}, {"little", false}}

// bothOrders runs f as parallel subtests for the big- and little-endian
// guest.
func bothOrders(t *testing.T, f func(t *testing.T, be bool)) {
	t.Helper()
	for _, o := range orders {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			f(t, o.be)
		})
	}
}

// newMachine loads the builder's program.
func newMachine(t testing.TB, b *asm.Builder) *executor.Machine {
	t.Helper()
	p, err := b.Program()
	if err != nil {
		t.Fatal(err)
	}
	m, err := executor.New(p, executor.Config{MaxSteps: 1 << 26, NoGoPatches: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// runProg assembles and runs a program.
func runProg(t *testing.T, be bool, emit func(b *asm.Builder)) (*executor.Machine, *executor.Result, *asm.Builder) {
	t.Helper()
	b := asm.New(be)
	emit(b)
	m := newMachine(t, b)
	return m, m.Run(), b
}

// wantExit checks that the guest exited normally with code.
func wantExit(t *testing.T, r *executor.Result, code int) {
	t.Helper()
	if r.Err != nil {
		t.Fatalf("run stopped with error: %v", r.Err)
	}
	if r.Fault != nil {
		t.Fatalf("unexpected fault: %v", r.Fault)
	}
	if !r.Exited || r.ExitCode != code {
		t.Fatalf("exited %v with code %d, want exit code %d", r.Exited, r.ExitCode, code)
	}
}

// wantFault checks that the run ended with the given fault at pc after
// steps steps (the faulting one included).
func wantFault(t *testing.T, m *executor.Machine, r *executor.Result, kind executor.FaultKind, sig int, pc uint32, steps uint64) {
	t.Helper()
	if r.Err != nil {
		t.Fatalf("run stopped with error: %v", r.Err)
	}
	f := r.Fault
	if f == nil {
		t.Fatalf("no fault; exited %v code %d after %d steps", r.Exited, r.ExitCode, r.Steps)
	}
	if f.Kind != kind || f.Signal != sig {
		t.Errorf("fault %v (kind %v, signal %d), want kind %v signal %d", f, f.Kind, f.Signal, kind, sig)
	}
	if f.PC != pc || m.PC() != pc {
		t.Errorf("fault PC 0x%x, machine PC 0x%x, want 0x%x (%v)", f.PC, m.PC(), pc, f)
	}
	if !r.Exited || r.ExitCode != 128+sig || m.Fault() != f {
		t.Errorf("exited %v code %d, want exit code %d", r.Exited, r.ExitCode, 128+sig)
	}
	if r.Steps != steps || f.Step != steps-1 {
		t.Errorf("steps %d, fault step %d; want %d and %d", r.Steps, f.Step, steps, steps-1)
	}
}

// straight returns the step count of a straight-line run that ends with
// the instruction at label (inclusive).
func straight(b *asm.Builder, label string) uint64 {
	return uint64(b.MustAddr(label)-textBase)/4 + 1
}

// caseBuilder is what a batch case emits into: the builder plus Out, which
// stores a register as one of the case's output words.
type caseBuilder struct {
	*asm.Builder
	i, nOut int
}

// Out stores r as output word k of the current case ($s0 holds the output
// area; cases must not change it).
func (c *caseBuilder) Out(r asm.Reg, k int) {
	if k >= c.nOut {
		panic("output index out of range")
	}
	c.SW(r, int16(4*(c.i*c.nOut+k)), s0)
}

// L returns a label name unique to the current case.
func (c *caseBuilder) L(name string) string { return fmt.Sprintf("%s_%d", name, c.i) }

// batch runs n cases in one program and returns each case's nOut output
// words. The program ends by writing its whole data segment to stdout and
// exiting 0; under qemu that output must equal the executor's memory.
func batch(t *testing.T, be bool, n, nOut int, emit func(c *caseBuilder)) ([][]uint32, *executor.Machine, *asm.Builder) {
	t.Helper()
	b := asm.New(be)
	b.Data("dump_start", nil)
	b.LA(s0, "out")
	c := &caseBuilder{Builder: b, nOut: nOut}
	for c.i = 0; c.i < n; c.i++ {
		emit(c)
	}
	b.Label("epilogue")
	b.LA(a1, "dump_start")
	b.LA(a2, "dump_end")
	b.SUBU(a2, a2, a1)
	b.ADDIU(a0, zero, 1)
	b.ADDIU(v0, zero, sysWrite)
	b.SYSCALL()
	b.Exit(0)
	b.BSS("out", uint32(4*n*nOut))
	b.BSS("dump_end", 0)
	m := newMachine(t, b)
	r := m.Run()
	wantExit(t, r, 0)
	out := make([][]uint32, n)
	base := b.MustAddr("out")
	for i := range out {
		out[i] = make([]uint32, nOut)
		for k := range out[i] {
			out[i][k] = m.ReadWord(base + uint32(4*(i*nOut+k)))
		}
	}
	start, end := b.MustAddr("dump_start"), b.MustAddr("dump_end")
	crossCheck(t, be, b, m.ReadBytes(start, int(end-start)))
	return out, m, b
}

// qemuPath returns the qemu-user binary for the byte order, or "" when it
// is not installed (a failure under ZKMIPS_REQUIRE_TOOLS=1).
func qemuPath(t *testing.T, be bool) string {
	t.Helper()
	name := "qemu-mipsel"
	if be {
		name = "qemu-mips"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		if testutil.RequireTools() {
			t.Fatalf("required tool missing under ZKMIPS_REQUIRE_TOOLS=1: %s", name)
		}
		return ""
	}
	return p
}

// runQEMU runs the builder's ELF under qemu-user and returns its stdout and
// wait status.
func runQEMU(t *testing.T, qemu string, b *asm.Builder) ([]byte, syscall.WaitStatus) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "prog")
	if err := os.WriteFile(path, b.ELF(), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(qemu, path)
	cmd.Dir = dir // any core file lands in the temporary directory
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("qemu: %v", err)
	}
	return out.Bytes(), cmd.ProcessState.Sys().(syscall.WaitStatus)
}

// crossCheck runs the program under qemu-user, when installed, and compares
// its data-segment dump with the executor's.
func crossCheck(t *testing.T, be bool, b *asm.Builder, want []byte) {
	t.Helper()
	qemu := qemuPath(t, be)
	if qemu == "" {
		return
	}
	got, ws := runQEMU(t, qemu, b)
	if !ws.Exited() || ws.ExitStatus() != 0 {
		t.Fatalf("under qemu the program ended with status %v (signal %v), want exit 0", ws.ExitStatus(), ws.Signal())
	}
	if bytes.Equal(got, want) {
		return
	}
	if len(got) != len(want) {
		t.Fatalf("qemu wrote %d bytes, executor memory has %d", len(got), len(want))
	}
	out := b.MustAddr("out") - b.MustAddr("dump_start")
	for i := range got {
		if got[i] != want[i] {
			where := fmt.Sprintf("data offset 0x%x", i)
			if uint32(i) >= out {
				where = fmt.Sprintf("output byte %d", uint32(i)-out)
			}
			t.Errorf("qemu and the executor disagree at %s: qemu %02x, executor %02x", where, got[i], want[i])
			return
		}
	}
}

// qemuSignal runs the program under qemu-user, when installed, and checks
// that it dies of signal sig (or exits with code when sig is 0).
func qemuSignal(t *testing.T, be bool, b *asm.Builder, sig int) {
	t.Helper()
	qemu := qemuPath(t, be)
	if qemu == "" {
		return
	}
	_, ws := runQEMU(t, qemu, b)
	// qemu-user dies of the host's signal, whose number may differ.
	host := map[int]syscall.Signal{
		executor.SIGILL: syscall.SIGILL, executor.SIGTRAP: syscall.SIGTRAP, executor.SIGFPE: syscall.SIGFPE,
		executor.SIGBUS: syscall.SIGBUS, executor.SIGSEGV: syscall.SIGSEGV,
	}[sig]
	if !ws.Signaled() || ws.Signal() != host {
		t.Errorf("under qemu: exited %v status %d signaled %v signal %v; want %v", ws.Exited(), ws.ExitStatus(), ws.Signaled(), ws.Signal(), host)
	}
}

// qemuTrapSignal is qemuSignal for trap and break instructions. Linux
// sends SIGFPE for codes 6 (overflow) and 7 (divide by zero); qemu-user
// sends SIGTRAP for every code, so only the SIGTRAP cases are compared.
func qemuTrapSignal(t *testing.T, be bool, b *asm.Builder, sig int) {
	t.Helper()
	if sig == executor.SIGTRAP {
		qemuSignal(t, be, b, sig)
	}
}

// checkOut compares a case's outputs.
func checkOut(t *testing.T, name string, got []uint32, want ...uint32) {
	t.Helper()
	for k := range want {
		if got[k] != want[k] {
			t.Errorf("%s: output %d = 0x%08x, want 0x%08x", name, k, got[k], want[k])
		}
	}
}

// m32 converts a signed constant for tables.
func m32(v int32) uint32 { return uint32(v) }

type rrOp = func(b *asm.Builder, rd, rs, rt asm.Reg)

// threeRegCases covers the SPECIAL and SPECIAL2 rd = f(rs, rt) instructions
// (for SLLV/SRLV/SRAV/ROTRV the operands are value then shift amount).
var threeRegCases = []struct {
	name    string
	op      rrOp
	a, b, w uint32
}{
	{"addu", (*asm.Builder).ADDU, 1, 2, 3},
	{"addu wrap", (*asm.Builder).ADDU, 0xffffffff, 2, 1},
	{"addu no overflow trap", (*asm.Builder).ADDU, 0x7fffffff, 1, 0x80000000},
	{"add", (*asm.Builder).ADD, 5, m32(-3), 2},
	{"add max", (*asm.Builder).ADD, 0x7ffffffe, 1, 0x7fffffff},
	{"add min", (*asm.Builder).ADD, 0x80000001, 0xffffffff, 0x80000000},
	{"add mixed signs", (*asm.Builder).ADD, 0x7fffffff, 0x80000000, 0xffffffff},
	{"sub", (*asm.Builder).SUB, 5, 7, m32(-2)},
	{"sub min", (*asm.Builder).SUB, 0x80000001, 1, 0x80000000},
	{"sub max", (*asm.Builder).SUB, 0x7ffffffe, 0xffffffff, 0x7fffffff},
	{"sub from zero", (*asm.Builder).SUB, 0, 0x7fffffff, 0x80000001},
	{"sub to min", (*asm.Builder).SUB, 0xffffffff, 0x7fffffff, 0x80000000},
	{"subu", (*asm.Builder).SUBU, 0, 1, 0xffffffff},
	{"subu no overflow trap", (*asm.Builder).SUBU, 0x80000000, 1, 0x7fffffff},
	{"and", (*asm.Builder).AND, 0xff00ff00, 0x0ff00ff0, 0x0f000f00},
	{"or", (*asm.Builder).OR, 0xff00ff00, 0x0ff00ff0, 0xfff0fff0},
	{"xor", (*asm.Builder).XOR, 0xff00ff00, 0x0ff00ff0, 0xf0f0f0f0},
	{"nor", (*asm.Builder).NOR, 0xff00ff00, 0x0ff00ff0, 0x000f000f},
	{"nor zero", (*asm.Builder).NOR, 0, 0, 0xffffffff},
	{"slt negative", (*asm.Builder).SLT, 0xffffffff, 0, 1},
	{"slt positive", (*asm.Builder).SLT, 0, 0xffffffff, 0},
	{"slt equal", (*asm.Builder).SLT, 5, 5, 0},
	{"slt min max", (*asm.Builder).SLT, 0x80000000, 0x7fffffff, 1},
	{"sltu big", (*asm.Builder).SLTU, 0xffffffff, 0, 0},
	{"sltu small", (*asm.Builder).SLTU, 0, 0xffffffff, 1},
	{"sltu equal", (*asm.Builder).SLTU, 5, 5, 0},
	{"mul", (*asm.Builder).MUL, 0x12345678, 0x10, 0x23456780},
	{"mul negative", (*asm.Builder).MUL, 0xffffffff, 5, m32(-5)},
	{"mul both negative", (*asm.Builder).MUL, m32(-3), m32(-7), 21},
	{"mul overflow", (*asm.Builder).MUL, 0x10000, 0x10000, 0},
	{"mul wraps", (*asm.Builder).MUL, 0x7fffffff, 3, 0x7ffffffd},
	{"sllv 31", (*asm.Builder).SLLV, 1, 31, 0x80000000},
	{"sllv 32 uses low 5 bits", (*asm.Builder).SLLV, 1, 32, 1},
	{"sllv 33", (*asm.Builder).SLLV, 3, 33, 6},
	{"sllv high bits ignored", (*asm.Builder).SLLV, 0x12345678, 0xffffffe4, 0x23456780},
	{"srlv 31", (*asm.Builder).SRLV, 0x80000000, 31, 1},
	{"srlv 63", (*asm.Builder).SRLV, 0x80000000, 63, 1},
	{"srlv 32", (*asm.Builder).SRLV, 0x80000000, 32, 0x80000000},
	{"srlv 4", (*asm.Builder).SRLV, 0xf0000000, 4, 0x0f000000},
	{"srav 31", (*asm.Builder).SRAV, 0x80000000, 31, 0xffffffff},
	{"srav 4", (*asm.Builder).SRAV, 0x80000000, 4, 0xf8000000},
	{"srav positive", (*asm.Builder).SRAV, 0x40000000, 30, 1},
	{"srav 32", (*asm.Builder).SRAV, 0x80000000, 0x20, 0x80000000},
	{"rotrv 4", (*asm.Builder).ROTRV, 0x12345678, 4, 0x81234567},
	{"rotrv 36", (*asm.Builder).ROTRV, 0x12345678, 36, 0x81234567},
	{"rotrv 0", (*asm.Builder).ROTRV, 0x12345678, 0, 0x12345678},
	{"rotrv 31", (*asm.Builder).ROTRV, 1, 31, 2},
	{"rotrv -1", (*asm.Builder).ROTRV, 0x80000001, 0xffffffff, 3},
}

func TestISAThreeRegister(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		out, _, _ := batch(t, be, len(threeRegCases), 3, func(c *caseBuilder) {
			tc := threeRegCases[c.i]
			c.LI(t0, tc.a)
			c.LI(t1, tc.b)
			c.LI(t2, 0xdeadbeef)
			tc.op(c.Builder, t2, t0, t1)
			c.Out(t2, 0)
			// Same operation with the destination also a source.
			tc.op(c.Builder, t0, t0, t1)
			c.Out(t0, 1)
			c.LI(t0, tc.a)
			tc.op(c.Builder, t1, t0, t1)
			c.Out(t1, 2)
		})
		for i, tc := range threeRegCases {
			checkOut(t, tc.name, out[i], tc.w, tc.w, tc.w)
		}
	})
}

var shiftCases = []struct {
	name string
	op   func(b *asm.Builder, rd, rt asm.Reg, sa uint8)
	a    uint32
	sa   uint8
	w    uint32
}{
	{"sll 0", (*asm.Builder).SLL, 0x12345678, 0, 0x12345678},
	{"sll 31", (*asm.Builder).SLL, 0xffffffff, 31, 0x80000000},
	{"sll 31 even", (*asm.Builder).SLL, 0x12345678, 31, 0},
	{"sll 4", (*asm.Builder).SLL, 1, 4, 0x10},
	{"srl 0", (*asm.Builder).SRL, 0xffffffff, 0, 0xffffffff},
	{"srl 31", (*asm.Builder).SRL, 0x80000000, 31, 1},
	{"srl 8", (*asm.Builder).SRL, 0x12345678, 8, 0x00123456},
	{"sra 0", (*asm.Builder).SRA, 0x80000000, 0, 0x80000000},
	{"sra 31 negative", (*asm.Builder).SRA, 0x80000000, 31, 0xffffffff},
	{"sra 31 positive", (*asm.Builder).SRA, 0x7fffffff, 31, 0},
	{"sra 4", (*asm.Builder).SRA, 0xf0000000, 4, 0xff000000},
	{"rotr 0", (*asm.Builder).ROTR, 0x12345678, 0, 0x12345678},
	{"rotr 8", (*asm.Builder).ROTR, 0x12345678, 8, 0x78123456},
	{"rotr 31", (*asm.Builder).ROTR, 0x12345678, 31, 0x2468acf0},
	{"rotr 1", (*asm.Builder).ROTR, 0x80000001, 1, 0xc0000000},
}

func TestISAShiftImmediate(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		out, _, _ := batch(t, be, len(shiftCases), 2, func(c *caseBuilder) {
			tc := shiftCases[c.i]
			c.LI(t0, tc.a)
			tc.op(c.Builder, t1, t0, tc.sa)
			c.Out(t1, 0)
			tc.op(c.Builder, t0, t0, tc.sa)
			c.Out(t0, 1)
		})
		for i, tc := range shiftCases {
			checkOut(t, tc.name, out[i], tc.w, tc.w)
		}
	})
}

var immCases = []struct {
	name string
	op   func(b *asm.Builder, rt, rs asm.Reg, imm int16)
	a    uint32
	imm  int16
	w    uint32
}{
	{"addiu", (*asm.Builder).ADDIU, 5, -10, m32(-5)},
	{"addiu wrap", (*asm.Builder).ADDIU, 0xffffffff, 1, 0},
	{"addiu no overflow trap", (*asm.Builder).ADDIU, 0x7fffffff, 1, 0x80000000},
	{"addiu min imm", (*asm.Builder).ADDIU, 0, -32768, 0xffff8000},
	{"addi", (*asm.Builder).ADDI, 0x7ffffffe, 1, 0x7fffffff},
	{"addi negative", (*asm.Builder).ADDI, 0x80000001, -1, 0x80000000},
	{"addi min", (*asm.Builder).ADDI, 0x80000000, 1, 0x80000001},
	{"addi max imm", (*asm.Builder).ADDI, 0, 32767, 0x7fff},
	{"slti negative", (*asm.Builder).SLTI, 0xffffffff, 0, 1},
	{"slti negative imm", (*asm.Builder).SLTI, 0, -1, 0},
	{"slti both negative", (*asm.Builder).SLTI, m32(-5), -4, 1},
	{"slti min", (*asm.Builder).SLTI, 0x80000000, -32768, 1},
	{"slti equal", (*asm.Builder).SLTI, 7, 7, 0},
	{"sltiu sign-extended imm", (*asm.Builder).SLTIU, 5, -1, 1},
	{"sltiu max", (*asm.Builder).SLTIU, 0xffffffff, -1, 0},
	{"sltiu equal high", (*asm.Builder).SLTIU, 0xffff8000, -32768, 0},
	{"sltiu below high", (*asm.Builder).SLTIU, 0xffff7fff, -32768, 1},
	{"sltiu zero", (*asm.Builder).SLTIU, 0, 1, 1},
	{"sltiu positive", (*asm.Builder).SLTIU, 0x8000, 0x7fff, 0},
}

func TestISAImmediate(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		out, _, _ := batch(t, be, len(immCases), 2, func(c *caseBuilder) {
			tc := immCases[c.i]
			c.LI(t0, tc.a)
			tc.op(c.Builder, t1, t0, tc.imm)
			c.Out(t1, 0)
			tc.op(c.Builder, t0, t0, tc.imm)
			c.Out(t0, 1)
		})
		for i, tc := range immCases {
			checkOut(t, tc.name, out[i], tc.w, tc.w)
		}
	})
}

var logicImmCases = []struct {
	name string
	op   func(b *asm.Builder, rt, rs asm.Reg, imm uint16)
	a    uint32
	imm  uint16
	w    uint32
}{
	{"andi zero-extends", (*asm.Builder).ANDI, 0xffffffff, 0x8000, 0x8000},
	{"andi ffff", (*asm.Builder).ANDI, 0xffffffff, 0xffff, 0xffff},
	{"andi", (*asm.Builder).ANDI, 0x12345678, 0x0ff0, 0x0670},
	{"ori zero-extends", (*asm.Builder).ORI, 0, 0xffff, 0xffff},
	{"ori", (*asm.Builder).ORI, 0x12340000, 0x8001, 0x12348001},
	{"xori zero-extends", (*asm.Builder).XORI, 0xffffffff, 0xffff, 0xffff0000},
	{"xori", (*asm.Builder).XORI, 0x80000000, 0x8000, 0x80008000},
}

func TestISALogicalImmediate(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		out, _, _ := batch(t, be, len(logicImmCases)+3, 1, func(c *caseBuilder) {
			if c.i >= len(logicImmCases) {
				c.LI(t1, 0xffffffff)
				c.LUI(t1, []uint16{0x8000, 0xffff, 0}[c.i-len(logicImmCases)])
				c.Out(t1, 0)
				return
			}
			tc := logicImmCases[c.i]
			c.LI(t0, tc.a)
			tc.op(c.Builder, t1, t0, tc.imm)
			c.Out(t1, 0)
		})
		for i, tc := range logicImmCases {
			checkOut(t, tc.name, out[i], tc.w)
		}
		for i, w := range []uint32{0x80000000, 0xffff0000, 0} {
			checkOut(t, fmt.Sprintf("lui %d", i), out[len(logicImmCases)+i], w)
		}
	})
}

// hiloCases: HI:LO = op(rs, rt) starting from hi0:lo0 (the accumulators).
var hiloCases = []struct {
	name     string
	op       func(b *asm.Builder, rs, rt asm.Reg)
	hi0, lo0 uint32
	a, b     uint32
	hi, lo   uint32
}{
	{"mult -1*-1", (*asm.Builder).MULT, 9, 9, 0xffffffff, 0xffffffff, 0, 1},
	{"mult min*min", (*asm.Builder).MULT, 9, 9, 0x80000000, 0x80000000, 0x40000000, 0},
	{"mult positive", (*asm.Builder).MULT, 9, 9, 0x7fffffff, 2, 0, 0xfffffffe},
	{"mult negative", (*asm.Builder).MULT, 9, 9, 0xffffffff, 2, 0xffffffff, 0xfffffffe},
	{"mult min*max", (*asm.Builder).MULT, 9, 9, 0x80000000, 0x7fffffff, 0xc0000000, 0x80000000},
	{"multu max*max", (*asm.Builder).MULTU, 9, 9, 0xffffffff, 0xffffffff, 0xfffffffe, 1},
	{"multu carry", (*asm.Builder).MULTU, 9, 9, 0x80000000, 2, 1, 0},
	{"multu", (*asm.Builder).MULTU, 9, 9, 0xffffffff, 2, 1, 0xfffffffe},
	{"div", (*asm.Builder).DIV, 9, 9, 7, 2, 1, 3},
	{"div negative dividend", (*asm.Builder).DIV, 9, 9, m32(-7), 2, m32(-1), m32(-3)},
	{"div negative divisor", (*asm.Builder).DIV, 9, 9, 7, m32(-2), 1, m32(-3)},
	{"div both negative", (*asm.Builder).DIV, 9, 9, m32(-7), m32(-2), m32(-1), 3},
	{"div INT_MIN/-1", (*asm.Builder).DIV, 9, 9, 0x80000000, 0xffffffff, 0, 0x80000000},
	{"div by zero", (*asm.Builder).DIV, 9, 9, 5, 0, 0, 5},
	{"div negative by zero", (*asm.Builder).DIV, 9, 9, m32(-5), 0, 0, m32(-5)},
	{"divu", (*asm.Builder).DIVU, 9, 9, 7, 2, 1, 3},
	{"divu large", (*asm.Builder).DIVU, 9, 9, 0xffffffff, 2, 1, 0x7fffffff},
	{"divu by max", (*asm.Builder).DIVU, 9, 9, 0x80000000, 0xffffffff, 0x80000000, 0},
	{"divu by zero", (*asm.Builder).DIVU, 9, 9, 0xfffffff0, 0, 0, 0xfffffff0},
	{"madd", (*asm.Builder).MADD, 0, 1, 3, 4, 0, 13},
	{"madd carry into hi", (*asm.Builder).MADD, 0, 0xffffffff, 1, 1, 1, 0},
	{"madd negative product", (*asm.Builder).MADD, 0, 0, 0xffffffff, 1, 0xffffffff, 0xffffffff},
	{"madd negative borrows hi", (*asm.Builder).MADD, 1, 0, 0xffffffff, 1, 0, 0xffffffff},
	{"madd large", (*asm.Builder).MADD, 0x10, 0x80000000, 0x80000000, 0x80000000, 0x40000010, 0x80000000},
	{"maddu", (*asm.Builder).MADDU, 0, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0},
	{"maddu wraps 64 bits", (*asm.Builder).MADDU, 0xffffffff, 0xffffffff, 1, 1, 0, 0},
	{"msub", (*asm.Builder).MSUB, 0, 13, 3, 4, 0, 1},
	{"msub borrow from hi", (*asm.Builder).MSUB, 1, 0, 1, 1, 0, 0xffffffff},
	{"msub negative product", (*asm.Builder).MSUB, 0, 0xffffffff, 0xffffffff, 1, 1, 0},
	{"msub below zero", (*asm.Builder).MSUB, 0, 0, 2, 3, 0xffffffff, m32(-6)},
	{"msubu", (*asm.Builder).MSUBU, 1, 0, 0xffffffff, 1, 0, 1},
	{"msubu wraps 64 bits", (*asm.Builder).MSUBU, 0, 0, 0xffffffff, 0xffffffff, 0x00000001, 0xffffffff},
}

func TestISAHiLo(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		out, _, _ := batch(t, be, len(hiloCases), 2, func(c *caseBuilder) {
			tc := hiloCases[c.i]
			c.LI(t0, tc.hi0)
			c.MTHI(t0)
			c.LI(t0, tc.lo0)
			c.MTLO(t0)
			c.LI(t0, tc.a)
			c.LI(t1, tc.b)
			tc.op(c.Builder, t0, t1)
			c.MFHI(t2)
			c.MFLO(t3)
			c.Out(t2, 0)
			c.Out(t3, 1)
		})
		for i, tc := range hiloCases {
			checkOut(t, tc.name, out[i], tc.hi, tc.lo)
		}
	})
}

// unaryCases: rd = op(rs), with rd preset (INS reads it).
var unaryCases = []struct {
	name   string
	op     func(b *asm.Builder, rd, rs asm.Reg)
	a, old uint32
	w      uint32
}{
	{"clz 0", (*asm.Builder).CLZ, 0, 0, 32},
	{"clz ffffffff", (*asm.Builder).CLZ, 0xffffffff, 0, 0},
	{"clz 1", (*asm.Builder).CLZ, 1, 0, 31},
	{"clz 00010000", (*asm.Builder).CLZ, 0x00010000, 0, 15},
	{"clo 0", (*asm.Builder).CLO, 0, 0, 0},
	{"clo ffffffff", (*asm.Builder).CLO, 0xffffffff, 0, 32},
	{"clo fffffffe", (*asm.Builder).CLO, 0xfffffffe, 0, 31},
	{"clo 7fffffff", (*asm.Builder).CLO, 0x7fffffff, 0, 0},
	{"clo ffff0000", (*asm.Builder).CLO, 0xffff0000, 0, 16},
	{"wsbh", (*asm.Builder).WSBH, 0x11223344, 0, 0x22114433},
	{"wsbh high bits", (*asm.Builder).WSBH, 0x80ff7f01, 0, 0xff80017f},
	{"seb positive", (*asm.Builder).SEB, 0x1234567f, 0, 0x7f},
	{"seb negative", (*asm.Builder).SEB, 0x00000080, 0, 0xffffff80},
	{"seb ff", (*asm.Builder).SEB, 0x123456ff, 0, 0xffffffff},
	{"seh positive", (*asm.Builder).SEH, 0xffff7fff, 0, 0x7fff},
	{"seh negative", (*asm.Builder).SEH, 0x00008000, 0, 0xffff8000},
	{"seh ffff", (*asm.Builder).SEH, 0x1234ffff, 0, 0xffffffff},
	{"ext pos 0 size 32", func(b *asm.Builder, rd, rs asm.Reg) { b.EXT(rd, rs, 0, 32) }, 0x89abcdef, 0, 0x89abcdef},
	{"ext pos 31 size 1", func(b *asm.Builder, rd, rs asm.Reg) { b.EXT(rd, rs, 31, 1) }, 0x80000000, 0, 1},
	{"ext pos 31 size 1 clear", func(b *asm.Builder, rd, rs asm.Reg) { b.EXT(rd, rs, 31, 1) }, 0x7fffffff, 0, 0},
	{"ext pos 0 size 1", func(b *asm.Builder, rd, rs asm.Reg) { b.EXT(rd, rs, 0, 1) }, 0xffffffff, 0, 1},
	{"ext middle", func(b *asm.Builder, rd, rs asm.Reg) { b.EXT(rd, rs, 4, 8) }, 0x89abcdef, 0, 0xde},
	{"ext top field", func(b *asm.Builder, rd, rs asm.Reg) { b.EXT(rd, rs, 16, 16) }, 0x89abcdef, 0, 0x89ab},
	{"ins pos 0 size 32", func(b *asm.Builder, rd, rs asm.Reg) { b.INS(rd, rs, 0, 32) }, 0x89abcdef, 0x12345678, 0x89abcdef},
	{"ins pos 31 size 1", func(b *asm.Builder, rd, rs asm.Reg) { b.INS(rd, rs, 31, 1) }, 0xffffffff, 0x12345678, 0x92345678},
	{"ins pos 31 size 1 clear", func(b *asm.Builder, rd, rs asm.Reg) { b.INS(rd, rs, 31, 1) }, 0xfffffffe, 0xffffffff, 0x7fffffff},
	{"ins pos 0 size 1", func(b *asm.Builder, rd, rs asm.Reg) { b.INS(rd, rs, 0, 1) }, 0x00000001, 0xfffffff0, 0xfffffff1},
	{"ins middle", func(b *asm.Builder, rd, rs asm.Reg) { b.INS(rd, rs, 8, 12) }, 0xfffffabc, 0x12345678, 0x123abc78},
}

func TestISABitOperations(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		out, _, _ := batch(t, be, len(unaryCases), 2, func(c *caseBuilder) {
			tc := unaryCases[c.i]
			c.LI(t0, tc.a)
			c.LI(t1, tc.old)
			tc.op(c.Builder, t1, t0)
			c.Out(t1, 0)
			c.Out(t0, 1) // the source is unchanged
		})
		for i, tc := range unaryCases {
			checkOut(t, tc.name, out[i], tc.w, tc.a)
		}
	})
}

func TestISAConditionalMove(t *testing.T) {
	cases := []struct {
		name    string
		op      rrOp
		cond, w uint32
	}{
		{"movz taken", (*asm.Builder).MOVZ, 0, 0x1111},
		{"movz not taken", (*asm.Builder).MOVZ, 1, 0x2222},
		{"movz not taken negative", (*asm.Builder).MOVZ, 0x80000000, 0x2222},
		{"movn taken", (*asm.Builder).MOVN, 0x80000000, 0x1111},
		{"movn taken 1", (*asm.Builder).MOVN, 1, 0x1111},
		{"movn not taken", (*asm.Builder).MOVN, 0, 0x2222},
	}
	bothOrders(t, func(t *testing.T, be bool) {
		out, _, _ := batch(t, be, len(cases), 1, func(c *caseBuilder) {
			tc := cases[c.i]
			c.LI(t0, 0x1111)
			c.LI(t1, tc.cond)
			c.LI(t2, 0x2222)
			tc.op(c.Builder, t2, t0, t1)
			c.Out(t2, 0)
		})
		for i, tc := range cases {
			checkOut(t, tc.name, out[i], tc.w)
		}
	})
}

func TestISAOverflowTraps(t *testing.T) {
	cases := []struct {
		name string
		a, b uint32
		op   func(b *asm.Builder) // t2 = t0 op t1 (or t0 op imm)
	}{
		{"add max+1", 0x7fffffff, 1, func(b *asm.Builder) { b.ADD(t2, t0, t1) }},
		{"add min+-1", 0x80000000, 0xffffffff, func(b *asm.Builder) { b.ADD(t2, t0, t1) }},
		{"add min+min", 0x80000000, 0x80000000, func(b *asm.Builder) { b.ADD(t2, t0, t1) }},
		{"add max+max", 0x7fffffff, 0x7fffffff, func(b *asm.Builder) { b.ADD(t2, t0, t1) }},
		{"addi max+1", 0x7fffffff, 0, func(b *asm.Builder) { b.ADDI(t2, t0, 1) }},
		{"addi min-1", 0x80000000, 0, func(b *asm.Builder) { b.ADDI(t2, t0, -1) }},
		{"addi into source", 0x7fff8001, 0, func(b *asm.Builder) { b.ADDI(t0, t0, 0x7fff) }},
		{"sub min-1", 0x80000000, 1, func(b *asm.Builder) { b.SUB(t2, t0, t1) }},
		{"sub max--1", 0x7fffffff, 0xffffffff, func(b *asm.Builder) { b.SUB(t2, t0, t1) }},
		{"sub 0-min", 0, 0x80000000, func(b *asm.Builder) { b.SUB(t2, t0, t1) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bothOrders(t, func(t *testing.T, be bool) {
				m, r, b := runProg(t, be, func(b *asm.Builder) {
					b.LI(t0, tc.a)
					b.LI(t1, tc.b)
					b.LI(t2, 0xdeadbeef)
					b.Label("op")
					tc.op(b)
					b.Exit(0)
				})
				wantFault(t, m, r, executor.FaultOverflow, executor.SIGFPE, b.MustAddr("op"), straight(b, "op"))
				if m.Reg(int(t2)) != 0xdeadbeef || m.Reg(int(t0)) != tc.a {
					t.Errorf("destination written: t0 0x%x t2 0x%x", m.Reg(int(t0)), m.Reg(int(t2)))
				}
				qemuSignal(t, be, b, executor.SIGFPE)
			})
		})
	}
}

// branchCase is one control transfer: setup loads the registers it tests,
// br emits it with the given target label.
type branchCase struct {
	name   string
	setup  func(b *asm.Builder)
	br     func(b *asm.Builder, target string)
	taken  bool
	likely bool
	link   asm.Reg // register the instruction links (0: none)
}

func li2(x, y uint32) func(b *asm.Builder) {
	return func(b *asm.Builder) { b.LI(t0, x); b.LI(t1, y) }
}

var branchCases = []branchCase{
	{"beq taken", li2(5, 5), func(b *asm.Builder, l string) { b.BEQ(t0, t1, l) }, true, false, 0},
	{"beq not taken", li2(5, 6), func(b *asm.Builder, l string) { b.BEQ(t0, t1, l) }, false, false, 0},
	{"bne taken", li2(5, 6), func(b *asm.Builder, l string) { b.BNE(t0, t1, l) }, true, false, 0},
	{"bne not taken", li2(5, 5), func(b *asm.Builder, l string) { b.BNE(t0, t1, l) }, false, false, 0},
	{"blez zero", li2(0, 0), func(b *asm.Builder, l string) { b.BLEZ(t0, l) }, true, false, 0},
	{"blez negative", li2(0x80000000, 0), func(b *asm.Builder, l string) { b.BLEZ(t0, l) }, true, false, 0},
	{"blez positive", li2(1, 0), func(b *asm.Builder, l string) { b.BLEZ(t0, l) }, false, false, 0},
	{"bgtz positive", li2(0x7fffffff, 0), func(b *asm.Builder, l string) { b.BGTZ(t0, l) }, true, false, 0},
	{"bgtz zero", li2(0, 0), func(b *asm.Builder, l string) { b.BGTZ(t0, l) }, false, false, 0},
	{"bgtz negative", li2(0x80000000, 0), func(b *asm.Builder, l string) { b.BGTZ(t0, l) }, false, false, 0},
	{"bltz negative", li2(0xffffffff, 0), func(b *asm.Builder, l string) { b.BLTZ(t0, l) }, true, false, 0},
	{"bltz zero", li2(0, 0), func(b *asm.Builder, l string) { b.BLTZ(t0, l) }, false, false, 0},
	{"bgez zero", li2(0, 0), func(b *asm.Builder, l string) { b.BGEZ(t0, l) }, true, false, 0},
	{"bgez negative", li2(0xffffffff, 0), func(b *asm.Builder, l string) { b.BGEZ(t0, l) }, false, false, 0},
	{"bltzal taken", li2(0xffffffff, 0), func(b *asm.Builder, l string) { b.BLTZAL(t0, l) }, true, false, ra},
	{"bltzal not taken links", li2(0, 0), func(b *asm.Builder, l string) { b.BLTZAL(t0, l) }, false, false, ra},
	{"bgezal taken", li2(0, 0), func(b *asm.Builder, l string) { b.BGEZAL(t0, l) }, true, false, ra},
	{"bgezal not taken links", li2(0x80000000, 0), func(b *asm.Builder, l string) { b.BGEZAL(t0, l) }, false, false, ra},
	{"bal", li2(0, 0), func(b *asm.Builder, l string) { b.BAL(l) }, true, false, ra},
	{"b", li2(0, 0), func(b *asm.Builder, l string) { b.B(l) }, true, false, 0},
	{"beql taken", li2(5, 5), func(b *asm.Builder, l string) { b.BEQL(t0, t1, l) }, true, true, 0},
	{"beql not taken annuls", li2(5, 6), func(b *asm.Builder, l string) { b.BEQL(t0, t1, l) }, false, true, 0},
	{"bnel taken", li2(5, 6), func(b *asm.Builder, l string) { b.BNEL(t0, t1, l) }, true, true, 0},
	{"bnel not taken annuls", li2(5, 5), func(b *asm.Builder, l string) { b.BNEL(t0, t1, l) }, false, true, 0},
	{"blezl taken", li2(0, 0), func(b *asm.Builder, l string) { b.BLEZL(t0, l) }, true, true, 0},
	{"blezl not taken annuls", li2(1, 0), func(b *asm.Builder, l string) { b.BLEZL(t0, l) }, false, true, 0},
	{"bgtzl taken", li2(1, 0), func(b *asm.Builder, l string) { b.BGTZL(t0, l) }, true, true, 0},
	{"bgtzl not taken annuls", li2(0, 0), func(b *asm.Builder, l string) { b.BGTZL(t0, l) }, false, true, 0},
	{"bltzl taken", li2(0x80000000, 0), func(b *asm.Builder, l string) { b.BLTZL(t0, l) }, true, true, 0},
	{"bltzl not taken annuls", li2(0, 0), func(b *asm.Builder, l string) { b.BLTZL(t0, l) }, false, true, 0},
	{"bgezl taken", li2(0, 0), func(b *asm.Builder, l string) { b.BGEZL(t0, l) }, true, true, 0},
	{"bgezl not taken annuls", li2(0xffffffff, 0), func(b *asm.Builder, l string) { b.BGEZL(t0, l) }, false, true, 0},
	{"bltzall taken", li2(0xffffffff, 0), func(b *asm.Builder, l string) { b.BLTZALL(t0, l) }, true, true, ra},
	{"bltzall not taken links and annuls", li2(1, 0), func(b *asm.Builder, l string) { b.BLTZALL(t0, l) }, false, true, ra},
	{"bgezall taken", li2(1, 0), func(b *asm.Builder, l string) { b.BGEZALL(t0, l) }, true, true, ra},
	{"bgezall not taken links and annuls", li2(0xffffffff, 0), func(b *asm.Builder, l string) { b.BGEZALL(t0, l) }, false, true, ra},
	{"j", li2(0, 0), func(b *asm.Builder, l string) { b.J(l) }, true, false, 0},
	{"jal", li2(0, 0), func(b *asm.Builder, l string) { b.JAL(l) }, true, false, ra},
	{"jr", nil, func(b *asm.Builder, l string) { b.JR(t9) }, true, false, 0},
	{"jr.hb", nil, func(b *asm.Builder, l string) { b.JRHB(t9) }, true, false, 0},
	{"jalr", nil, func(b *asm.Builder, l string) { b.JALR(ra, t9) }, true, false, ra},
	{"jalr rd s1", nil, func(b *asm.Builder, l string) { b.JALR(s1, t9) }, true, false, s1},
	{"jalr.hb rd t5", nil, func(b *asm.Builder, l string) { b.JALRHB(t5, t9) }, true, false, t5},
	{"jalr rd zero", nil, func(b *asm.Builder, l string) { b.JALR(zero, t9) }, true, false, 0},
}

// emitBranchCase emits the standard harness around a control transfer:
// output 0 is 1 when the delay slot ran, output 1 is 2 when the branch was
// taken and 1 when it fell through, output 2 is the link register, output 3
// is $ra.
func emitBranchCase(c *caseBuilder, bc branchCase) {
	if bc.setup != nil {
		bc.setup(c.Builder)
	} else {
		c.LA(t9, c.L("taken"))
	}
	link := bc.link
	if link == 0 {
		link = s1
	}
	c.ADDIU(t3, zero, 0)
	c.ADDIU(ra, zero, 0)
	c.ADDIU(link, zero, 0)
	c.Label(c.L("branch"))
	bc.br(c.Builder, c.L("taken"))
	c.ADDIU(t3, zero, 1) // delay slot
	c.ADDIU(t4, zero, 1) // fall-through path
	c.B(c.L("join"))
	c.NOP()
	c.Label(c.L("taken"))
	c.ADDIU(t4, zero, 2)
	c.Label(c.L("join"))
	c.Out(t3, 0)
	c.Out(t4, 1)
	c.Out(link, 2)
	c.Out(ra, 3)
}

// checkBranchCase checks the outputs of emitBranchCase.
func checkBranchCase(t *testing.T, b *asm.Builder, i int, bc branchCase, out []uint32) {
	t.Helper()
	slot, path, link, raw := uint32(1), uint32(1), uint32(0), uint32(0)
	if bc.likely && !bc.taken {
		slot = 0
	}
	if bc.taken {
		path = 2
	}
	if bc.link != 0 {
		link = b.MustAddr(fmt.Sprintf("branch_%d", i)) + 8
		if bc.link == ra {
			raw = link
		}
	}
	checkOut(t, bc.name, out, slot, path, link, raw)
}

func TestISABranches(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		out, _, b := batch(t, be, len(branchCases), 4, func(c *caseBuilder) {
			emitBranchCase(c, branchCases[c.i])
		})
		for i, bc := range branchCases {
			checkBranchCase(t, b, i, bc, out[i])
		}
	})
}

// TestISABranchBackward runs a counted loop with a backward branch and a
// call/return, and checks the step count.
func TestISABranchBackward(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		m, r, _ := runProg(t, be, func(b *asm.Builder) {
			b.ADDIU(t0, zero, 100) // 1
			b.ADDIU(t1, zero, 0)   // 1
			b.ADDIU(t2, zero, 0)   // 1
			b.Label("loop")
			b.JAL("add3")       // 100
			b.ADDIU(t0, t0, -1) // 100 (delay slot)
			b.BGTZ(t0, "loop")  // 100
			b.ADDIU(t1, t1, 1)  // 100 (delay slot)
			b.Exit(0)           // 3
			b.Label("add3")
			b.JR(ra)           // 100
			b.ADDIU(t2, t2, 3) // 100
		})
		wantExit(t, r, 0)
		if m.Reg(int(t0)) != 0 || m.Reg(int(t1)) != 100 || m.Reg(int(t2)) != 300 {
			t.Errorf("t0 %d t1 %d t2 %d, want 0 100 300", m.Reg(int(t0)), m.Reg(int(t1)), m.Reg(int(t2)))
		}
		if r.Steps != 3+600+3 {
			t.Errorf("steps %d, want %d", r.Steps, 3+600+3)
		}
		if r.OpCounts["jal"] != 100 || r.OpCounts["jr"] != 100 || r.OpCounts["bgtz"] != 100 || r.OpCounts["addiu"] != 3+300+2 {
			t.Errorf("op counts %v", r.OpCounts)
		}
	})
}

// TestISAStepCounts checks that every executed instruction, delay slots
// included, is one step, that an annulled delay slot is neither executed
// nor counted, and that single-stepping sees the delay-slot PCs.
func TestISAStepCounts(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		emit := func(b *asm.Builder) {
			b.ADDIU(t0, zero, 5) // 1
			b.Label("loop")
			b.ADDIU(t0, t0, -1)     // 5
			b.BNE(t0, zero, "loop") // 5
			b.NOP()                 // 5
			b.Label("bnel")
			b.BNEL(t0, zero, "out") // 1, not taken
			b.ADDIU(t1, zero, 1)    // annulled
			b.Label("beql")
			b.BEQL(t0, zero, "skip") // 1, taken
			b.ADDIU(t2, zero, 1)     // 1 (delay slot)
			b.ADDIU(t3, zero, 1)     // skipped
			b.Label("skip")
			b.Label("out")
			b.Exit(0) // 3
		}
		m, r, b := runProg(t, be, emit)
		wantExit(t, r, 0)
		if r.Steps != 22 || m.Step() != 22 {
			t.Errorf("steps %d (machine %d), want 22", r.Steps, m.Step())
		}
		if m.Reg(int(t1)) != 0 || m.Reg(int(t2)) != 1 || m.Reg(int(t3)) != 0 {
			t.Errorf("t1 %d t2 %d t3 %d, want 0 1 0", m.Reg(int(t1)), m.Reg(int(t2)), m.Reg(int(t3)))
		}
		if r.OpCounts["bne"] != 5 || r.OpCounts["bnel"] != 1 || r.OpCounts["beql"] != 1 || r.OpCounts["addiu"] != 1+5+1+2 || r.OpCounts["sll"] != 5 {
			t.Errorf("op counts %v", r.OpCounts)
		}

		// Single-step the same program and follow pc/npc.
		m = newMachine(t, b)
		type pcs struct{ pc, npc uint32 }
		var trace []pcs
		for !m.Exited() && m.Err() == nil {
			trace = append(trace, pcs{m.PC(), m.NextPC()})
			before := m.Step()
			m.RunUntil(before + 1)
			if m.Step() != before+1 {
				t.Fatalf("RunUntil(%d) ran to step %d", before+1, m.Step())
			}
		}
		if len(trace) != 22 {
			t.Fatalf("single-stepping took %d steps, want 22", len(trace))
		}
		loop, bnel, beql, skip := b.MustAddr("loop"), b.MustAddr("bnel"), b.MustAddr("beql"), b.MustAddr("skip")
		want := map[int]pcs{
			0:  {textBase, textBase + 4},
			2:  {loop + 4, loop + 8}, // first bne
			3:  {loop + 8, loop},     // its delay slot, branch taken
			4:  {loop, loop + 4},
			15: {loop + 8, bnel}, // last delay slot, branch not taken
			16: {bnel, bnel + 4},
			17: {beql, beql + 4}, // bnel not taken: its slot skipped
			18: {beql + 4, skip}, // beql taken: delay slot then target
			19: {skip, skip + 4},
		}
		for i, w := range want {
			if trace[i] != w {
				t.Errorf("step %d: pc 0x%x npc 0x%x, want 0x%x 0x%x", i, trace[i].pc, trace[i].npc, w.pc, w.npc)
			}
		}
	})
}

// TestISABranchInDelaySlot: a branch or jump in a taken branch's delay slot
// is a reserved-instruction fault at the second branch.
func TestISABranchInDelaySlot(t *testing.T) {
	cases := []struct {
		name   string
		first  func(b *asm.Builder)
		inner  func(b *asm.Builder)
		noQEMU bool // qemu runs it as a branch
	}{
		{"beq in beq", func(b *asm.Builder) { b.BEQ(zero, zero, "far") }, func(b *asm.Builder) { b.BEQ(zero, zero, "far2") }, false},
		{"j in jr", func(b *asm.Builder) { b.LA(t9, "far"); b.JR(t9) }, func(b *asm.Builder) { b.J("far2") }, false},
		{"jal in j", func(b *asm.Builder) { b.J("far") }, func(b *asm.Builder) { b.JAL("far2") }, false},
		{"jalr in bal", func(b *asm.Builder) { b.BAL("far") }, func(b *asm.Builder) { b.JALR(ra, zero) }, false},
		{"jr in beql", func(b *asm.Builder) { b.BEQL(zero, zero, "far") }, func(b *asm.Builder) { b.JR(ra) }, false},
		{"bnel in bgezal", func(b *asm.Builder) { b.BGEZAL(zero, "far") }, func(b *asm.Builder) { b.BNEL(zero, t0, "far2") }, false},
		{"bltz in jal", func(b *asm.Builder) { b.JAL("far") }, func(b *asm.Builder) { b.BLTZ(zero, "far2") }, false},
		{"bc1t in j", func(b *asm.Builder) { b.J("far") }, func(b *asm.Builder) { b.BC1T(0, "far2") }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bothOrders(t, func(t *testing.T, be bool) {
				m, r, b := runProg(t, be, func(b *asm.Builder) {
					b.ADDIU(t0, zero, 1)
					tc.first(b)
					b.Label("slot")
					tc.inner(b)
					b.Exit(1)
					b.Label("far")
					b.Exit(2)
					b.Label("far2")
					b.Exit(3)
				})
				wantFault(t, m, r, executor.FaultDelaySlot, executor.SIGILL, b.MustAddr("slot"), straight(b, "slot"))
				if !tc.noQEMU {
					qemuSignal(t, be, b, executor.SIGILL)
				}
			})
		})
	}
}

type trapCase struct {
	name  string
	emit  func(b *asm.Builder) // tests t0 (and t1)
	a, b  uint32
	taken bool
	sig   int
}

var trapCases = []trapCase{
	{"tge equal", func(b *asm.Builder) { b.TGE(t0, t1, 0) }, 5, 5, true, executor.SIGTRAP},
	{"tge signed", func(b *asm.Builder) { b.TGE(t0, t1, 0) }, 0xffffffff, 1, false, 0},
	{"tgeu unsigned", func(b *asm.Builder) { b.TGEU(t0, t1, 0) }, 0xffffffff, 1, true, executor.SIGTRAP},
	{"tgeu less", func(b *asm.Builder) { b.TGEU(t0, t1, 0) }, 1, 2, false, 0},
	{"tlt signed", func(b *asm.Builder) { b.TLT(t0, t1, 0) }, 0xffffffff, 1, true, executor.SIGTRAP},
	{"tlt greater", func(b *asm.Builder) { b.TLT(t0, t1, 0) }, 1, 0xffffffff, false, 0},
	{"tltu unsigned", func(b *asm.Builder) { b.TLTU(t0, t1, 0) }, 1, 0xffffffff, true, executor.SIGTRAP},
	{"tltu greater", func(b *asm.Builder) { b.TLTU(t0, t1, 0) }, 0xffffffff, 1, false, 0},
	{"teq equal", func(b *asm.Builder) { b.TEQ(t0, t1, 0) }, 7, 7, true, executor.SIGTRAP},
	{"teq different", func(b *asm.Builder) { b.TEQ(t0, t1, 0) }, 7, 8, false, 0},
	{"tne different", func(b *asm.Builder) { b.TNE(t0, t1, 0) }, 7, 8, true, executor.SIGTRAP},
	{"tne equal", func(b *asm.Builder) { b.TNE(t0, t1, 0) }, 7, 7, false, 0},
	{"teq code 7 (divide by zero)", func(b *asm.Builder) { b.TEQ(t1, zero, 7) }, 1, 0, true, executor.SIGFPE},
	{"teq code 7 not taken", func(b *asm.Builder) { b.TEQ(t1, zero, 7) }, 1, 1, false, 0},
	{"tne code 6 (overflow)", func(b *asm.Builder) { b.TNE(t0, t1, 6) }, 1, 0, true, executor.SIGFPE},
	{"tge code 5", func(b *asm.Builder) { b.TGE(t0, t1, 5) }, 1, 0, true, executor.SIGTRAP},
	{"tgei equal", func(b *asm.Builder) { b.TGEI(t0, 5) }, 5, 0, true, executor.SIGTRAP},
	{"tgei negative", func(b *asm.Builder) { b.TGEI(t0, 0) }, 0xffffffff, 0, false, 0},
	{"tgeiu unsigned", func(b *asm.Builder) { b.TGEIU(t0, 0) }, 0xffffffff, 0, true, executor.SIGTRAP},
	{"tgeiu sign-extended imm", func(b *asm.Builder) { b.TGEIU(t0, -1) }, 1, 0, false, 0},
	{"tlti negative", func(b *asm.Builder) { b.TLTI(t0, 0) }, 0xffffffff, 0, true, executor.SIGTRAP},
	{"tlti negative imm", func(b *asm.Builder) { b.TLTI(t0, -1) }, 0, 0, false, 0},
	{"tltiu sign-extended imm", func(b *asm.Builder) { b.TLTIU(t0, -1) }, 1, 0, true, executor.SIGTRAP},
	{"tltiu max", func(b *asm.Builder) { b.TLTIU(t0, -1) }, 0xffffffff, 0, false, 0},
	{"teqi negative", func(b *asm.Builder) { b.TEQI(t0, -5) }, m32(-5), 0, true, executor.SIGTRAP},
	{"teqi different", func(b *asm.Builder) { b.TEQI(t0, -5) }, 5, 0, false, 0},
	{"tnei different", func(b *asm.Builder) { b.TNEI(t0, -5) }, 5, 0, true, executor.SIGTRAP},
	{"tnei equal", func(b *asm.Builder) { b.TNEI(t0, -5) }, m32(-5), 0, false, 0},
}

func TestISATraps(t *testing.T) {
	for _, tc := range trapCases {
		if !tc.taken {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			bothOrders(t, func(t *testing.T, be bool) {
				m, r, b := runProg(t, be, func(b *asm.Builder) {
					b.LI(t0, tc.a)
					b.LI(t1, tc.b)
					b.Label("trap")
					tc.emit(b)
					b.Exit(0)
				})
				wantFault(t, m, r, executor.FaultTrap, tc.sig, b.MustAddr("trap"), straight(b, "trap"))
				qemuTrapSignal(t, be, b, tc.sig)
			})
		})
	}
	t.Run("not taken", func(t *testing.T) {
		bothOrders(t, func(t *testing.T, be bool) {
			var n int
			for _, tc := range trapCases {
				if !tc.taken {
					n++
				}
			}
			out, _, _ := batch(t, be, n, 1, func(c *caseBuilder) {
				k := 0
				for _, tc := range trapCases {
					if tc.taken {
						continue
					}
					if k == c.i {
						c.LI(t0, tc.a)
						c.LI(t1, tc.b)
						tc.emit(c.Builder)
						c.ADDIU(t2, zero, int16(c.i+1))
						c.Out(t2, 0)
					}
					k++
				}
			})
			for i := range out {
				checkOut(t, fmt.Sprintf("not-taken trap %d", i), out[i], uint32(i+1))
			}
		})
	})
}

func TestISABreak(t *testing.T) {
	cases := []struct {
		name string
		emit func(b *asm.Builder)
		sig  int
	}{
		{"break", func(b *asm.Builder) { b.BREAK(0) }, executor.SIGTRAP},
		{"break 7", func(b *asm.Builder) { b.BREAK(7) }, executor.SIGFPE},
		{"break 6", func(b *asm.Builder) { b.BREAK(6) }, executor.SIGFPE},
		{"break 0, 7", func(b *asm.Builder) { b.BREAK2(0, 7) }, executor.SIGFPE},
		{"break 5", func(b *asm.Builder) { b.BREAK(5) }, executor.SIGTRAP},
		{"break 1, 2", func(b *asm.Builder) { b.BREAK2(1, 2) }, executor.SIGTRAP},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bothOrders(t, func(t *testing.T, be bool) {
				m, r, b := runProg(t, be, func(b *asm.Builder) {
					b.NOP()
					b.Label("brk")
					tc.emit(b)
					b.Exit(0)
				})
				wantFault(t, m, r, executor.FaultTrap, tc.sig, b.MustAddr("brk"), 2)
				qemuTrapSignal(t, be, b, tc.sig)
			})
		})
	}
}

func TestISAReservedInstruction(t *testing.T) {
	cases := []struct {
		name   string
		word   uint32
		noQEMU bool // qemu executes it
	}{
		{"opcode 63", 0xfc000000, false},
		{"special function 5", 0x00000005, true}, // qemu decodes it as R6 lsa
		{"srl with rs 2", 0x00400802, false},
		{"ext past bit 31", 31<<26 | 9<<21 | 8<<16 | 31<<11 | 1<<6 | 0, false},  // ext $t0, $t1, 1, 32
		{"ins msb below lsb", 31<<26 | 9<<21 | 8<<16 | 3<<11 | 4<<6 | 4, false}, // msb 3, lsb 4
		{"bshfl 3", 0x7c0410e0, false},
		{"regimm 4", 0x04840000, false},
		{"cop1 rs 9 (bc1any2)", 0x45200000, false},
		{"lwc2", 0xc8000000, false},
		{"blez with rt", 0x19090000, true}, // qemu ignores the rt field
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bothOrders(t, func(t *testing.T, be bool) {
				m, r, b := runProg(t, be, func(b *asm.Builder) {
					b.ADDIU(t0, zero, 1)
					b.Label("bad")
					b.Word(tc.word)
					b.Exit(0)
				})
				wantFault(t, m, r, executor.FaultReserved, executor.SIGILL, b.MustAddr("bad"), 2)
				if !strings.Contains(r.Fault.Inst, fmt.Sprintf("0x%08x", tc.word)) {
					t.Errorf("fault instruction %q does not show the word", r.Fault.Inst)
				}
				if !tc.noQEMU {
					qemuSignal(t, be, b, executor.SIGILL)
				}
			})
		})
	}
}

// TestISAUnsupported: a real instruction zkmips does not execute stops the
// run with an error naming it; it is not a guest fault and not a step.
func TestISAUnsupported(t *testing.T) {
	cases := []struct {
		name, want string
		word       uint32
	}{
		{"add.s", "add.s (FP arithmetic)", 0x46020800},        // add.s $f0, $f1, $f2
		{"madd.d", "FP arithmetic (COP1X)", 0x4c4208a1},       // cop1x
		{"mfc0", "privileged instruction (COP0)", 0x40086000}, // mfc0 $t0, $12
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bothOrders(t, func(t *testing.T, be bool) {
				m, r, b := runProg(t, be, func(b *asm.Builder) {
					b.ADDIU(t0, zero, 1)
					b.Label("fp")
					b.Word(tc.word)
					b.Exit(0)
				})
				if r.Err == nil || !strings.Contains(r.Err.Error(), tc.want) || !strings.Contains(r.Err.Error(), fmt.Sprintf("0x%08x", tc.word)) {
					t.Fatalf("error %v, want one naming %q", r.Err, tc.want)
				}
				if r.Fault != nil || r.Exited || r.Steps != 1 || m.PC() != b.MustAddr("fp") {
					t.Errorf("fault %v exited %v steps %d pc 0x%x", r.Fault, r.Exited, r.Steps, m.PC())
				}
			})
		})
	}
}

func TestISAMisalignedJump(t *testing.T) {
	for _, off := range []uint32{1, 2, 3} {
		t.Run(fmt.Sprint(off), func(t *testing.T) {
			bothOrders(t, func(t *testing.T, be bool) {
				m, r, b := runProg(t, be, func(b *asm.Builder) {
					b.LA(t9, "target")
					b.ADDIU(t9, t9, int16(off))
					b.JR(t9)
					b.ADDIU(t0, zero, 7) // delay slot runs
					b.Label("target")
					b.Exit(0)
				})
				pc := b.MustAddr("target") + off
				wantFault(t, m, r, executor.FaultAlign, executor.SIGBUS, pc, 6)
				if r.Fault.Addr != pc || m.Reg(int(t0)) != 7 {
					t.Errorf("fault address 0x%x, t0 %d", r.Fault.Addr, m.Reg(int(t0)))
				}
				// No qemu comparison: its CPU has MIPS16e, so an odd
				// target switches ISA mode instead of faulting.
			})
		})
	}
}

func TestISAJumpToNullPage(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		m, r, b := runProg(t, be, func(b *asm.Builder) {
			b.ADDIU(t9, zero, 0x100)
			b.JALR(ra, t9)
			b.NOP()
			b.Exit(0)
		})
		wantFault(t, m, r, executor.FaultNull, executor.SIGSEGV, 0x100, 4)
		if m.Reg(int(ra)) != textBase+12 {
			t.Errorf("ra 0x%x", m.Reg(int(ra)))
		}
		qemuSignal(t, be, b, executor.SIGSEGV)
	})
}

func TestISARDHWR(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		m, r, b := runProg(t, be, func(b *asm.Builder) {
			b.RDHWR(t0, 0) // CPUNum
			b.RDHWR(t1, 1) // SYNCI_Step
			b.NOP()
			b.RDHWR(t2, 2) // CC: the step counter
			b.RDHWR(t3, 3) // CCRes
			b.LI(a0, 0x12345678)
			b.ADDIU(v0, zero, sysSetThreadArea)
			b.SYSCALL()
			b.MOVE(s1, v0)
			b.MOVE(s2, a3)
			b.RDHWR(t4, 29) // UserLocal: the TLS pointer
			b.RDHWR(t5, 2)
			b.Label("cc")
			b.Exit(0)
		})
		wantExit(t, r, 0)
		want := map[asm.Reg]uint32{t0: 0, t1: 32, t2: 3, t3: 1, s1: 0, s2: 0, t4: 0x12345678, t5: uint32(straight(b, "cc") - 2)}
		for reg, w := range want {
			if got := m.Reg(int(reg)); got != w {
				t.Errorf("register %d = 0x%x, want 0x%x", reg, got, w)
			}
		}
	})
	for _, hwr := range []uint8{4, 5, 28, 30, 31} {
		t.Run(fmt.Sprintf("rdhwr %d", hwr), func(t *testing.T) {
			bothOrders(t, func(t *testing.T, be bool) {
				m, r, b := runProg(t, be, func(b *asm.Builder) {
					b.LI(t0, 0xdead)
					b.Label("bad")
					b.RDHWR(t0, hwr)
					b.Exit(0)
				})
				wantFault(t, m, r, executor.FaultReserved, executor.SIGILL, b.MustAddr("bad"), 3)
				if m.Reg(int(t0)) != 0xdead {
					t.Errorf("t0 written: 0x%x", m.Reg(int(t0)))
				}
				qemuSignal(t, be, b, executor.SIGILL)
			})
		})
	}
}

// TestISANoOps: SYNC, PREF, CACHE, SYNCI, EHB, SSNOP and NOP change nothing
// but the step count, even when their address is the null page.
func TestISANoOps(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		m, r, b := runProg(t, be, func(b *asm.Builder) {
			b.LI(t0, 0x11111111)
			b.LI(t1, 0x22222222)
			b.LA(s1, "data")
			b.MTHI(t0)
			b.MTLO(t1)
			b.Label("first")
			b.NOP()
			b.SSNOP()
			b.EHB()
			b.SYNC()
			b.SYNCType(0x10)
			b.PREF(0, 0, s1)
			b.PREF(30, 4, s1)
			b.PREF(0, 0, zero) // prefetching the null page does not fault
			b.CACHE(0x14, 0, s1)
			b.SYNCI(0, s1)
			b.Label("last")
			b.Exit(0)
			b.DataWords("data", 0xaabbccdd)
		})
		wantExit(t, r, 0)
		if r.Steps != straight(b, "last")+2 {
			t.Errorf("steps %d", r.Steps)
		}
		if m.Reg(int(t0)) != 0x11111111 || m.Reg(int(t1)) != 0x22222222 || m.HI() != 0x11111111 || m.LO() != 0x22222222 || m.ReadWord(b.MustAddr("data")) != 0xaabbccdd {
			t.Errorf("state changed")
		}
		for i := 1; i < 32; i++ {
			if i == int(t0) || i == int(t1) || i == int(s1) || i == int(a0) || i == int(v0) || i == int(asm.SP) || i == int(a3) {
				continue
			}
			if m.Reg(i) != 0 {
				t.Errorf("register %d = 0x%x", i, m.Reg(i))
			}
		}
	})
}

// TestISAZeroRegister: writes to $zero are discarded by every kind of
// instruction.
func TestISAZeroRegister(t *testing.T) {
	writers := []func(b *asm.Builder){
		func(b *asm.Builder) { b.ADDIU(zero, zero, 5) },
		func(b *asm.Builder) { b.LUI(zero, 0xffff) },
		func(b *asm.Builder) { b.ORI(zero, t0, 0xffff) },
		func(b *asm.Builder) { b.ADDU(zero, t0, t0) },
		func(b *asm.Builder) { b.SLL(zero, t0, 4) },
		func(b *asm.Builder) { b.MUL(zero, t0, t0) },
		func(b *asm.Builder) { b.CLO(zero, t0) },
		func(b *asm.Builder) { b.SEB(zero, t0) },
		func(b *asm.Builder) { b.EXT(zero, t0, 0, 8) },
		func(b *asm.Builder) { b.INS(zero, t0, 0, 8) },
		func(b *asm.Builder) { b.MFHI(zero) },
		func(b *asm.Builder) { b.MOVN(zero, t0, t0) },
		func(b *asm.Builder) { b.LW(zero, 0, s1) },
		func(b *asm.Builder) { b.LB(zero, 0, s1) },
		func(b *asm.Builder) { b.LWL(zero, 1, s1) },
		func(b *asm.Builder) { b.LL(zero, 0, s1) },
		func(b *asm.Builder) { b.SC(zero, 4, s1) },
		func(b *asm.Builder) { b.RDHWR(zero, 1) },
		func(b *asm.Builder) { b.MFC1(zero, asm.F2) },
		func(b *asm.Builder) { b.CFC1(zero, 0) },
		func(b *asm.Builder) { b.JALR(zero, t9) },
	}
	bothOrders(t, func(t *testing.T, be bool) {
		out, m, _ := batch(t, be, len(writers), 1, func(c *caseBuilder) {
			if c.i == 0 {
				c.LI(t0, 0x7fffffff)
				c.MTHI(t0)
				c.MTC1(t0, asm.F2)
				c.LA(s1, "zdata")
				c.DataWords("zdata", 0xffffffff, 0)
			}
			c.ADDIU(t1, zero, 0x55)
			c.LA(t9, c.L("next"))
			writers[c.i](c.Builder)
			c.NOP()
			c.Label(c.L("next"))
			c.ADDU(t1, zero, zero) // reads $zero right after the write
			c.Out(t1, 0)
		})
		for i := range out {
			checkOut(t, fmt.Sprintf("writer %d", i), out[i], 0)
		}
		if m.Reg(0) != 0 {
			t.Errorf("$zero = 0x%x", m.Reg(0))
		}
	})
}
