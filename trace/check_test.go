package trace

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/events"
	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/asm"
	"github.com/zkmips/zkmips/internal/testutil"
	"github.com/zkmips/zkmips/program"
)

// tracedRun is a traced execution: its records, initial and final rows.
type tracedRun struct {
	prog    *program.Program
	m       *executor.Machine
	recs    []*events.Record
	init    []events.Init
	fin     []events.Finalize
	patches map[uint32]uint32
}

// traceRun runs p through the tracer in shards of budget cycles (the
// executor is used here, in the test only) and links them.
func traceRun(t *testing.T, p *program.Program, cfg executor.Config, budget uint64) *tracedRun {
	t.Helper()
	m, err := executor.New(p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tr, l := events.NewTracer(), events.NewLinker()
	var recs []*events.Record
	for n := uint32(1); !events.Done(m); n++ {
		r := tr.Trace(m, n, budget, ^uint64(0))
		if err := l.Link(r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	init, fin := l.Memory(m)
	return &tracedRun{prog: p, m: m, recs: recs, init: init, fin: fin, patches: loadPatches(t, p, cfg)}
}

// loadPatches returns the code words a fresh machine holds that differ
// from the program's (the executor's load-time patches of Go runtimes).
func loadPatches(t *testing.T, p *program.Program, cfg executor.Config) map[uint32]uint32 {
	t.Helper()
	m, err := executor.New(p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	patches := map[uint32]uint32{}
	for i := range p.Code {
		a := p.CodeBase + 4*uint32(i)
		if w := m.InstAt(a).Word; w != p.Code[i].Word {
			patches[a] = w
		}
	}
	return patches
}

func (r *tracedRun) checker() *Checker {
	c := NewChecker(r.prog)
	for a, w := range r.patches {
		c.Patch(a, w)
	}
	return c
}

// check checks the run's records, init and final rows as they are now.
func (r *tracedRun) check() error {
	return checkWith(r.checker(), r.init, r.recs, r.fin)
}

func checkWith(c *Checker, init []events.Init, recs []*events.Record, fin []events.Finalize) error {
	c.Init(init)
	for _, rec := range recs {
		if err := c.Shard(rec); err != nil {
			return err
		}
	}
	return c.Finish(fin)
}

// mustPass traces p in shards of each budget and checks the result.
func mustPass(t *testing.T, name string, p *program.Program, cfg executor.Config, budgets ...uint64) *tracedRun {
	t.Helper()
	var r *tracedRun
	for _, budget := range budgets {
		r = traceRun(t, p, cfg, budget)
		if err := r.m.Err(); err != nil {
			t.Fatalf("%s: the run failed: %v", name, err)
		}
		logsMatch(t, name, p, cfg, budget, r)
		if err := r.check(); err != nil {
			t.Fatalf("%s, shards of %d cycles (%d shards): %v", name, budget, len(r.recs), err)
		}
	}
	return r
}

// logsMatch records p in shards of budget cycles as "zkmips execute"
// does, builds, links and expands the logs, and requires the records and
// memory rows the tracer made in r.
func logsMatch(t *testing.T, name string, p *program.Program, cfg executor.Config, budget uint64, r *tracedRun) {
	t.Helper()
	m, err := executor.New(p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var rec executor.Recorder
	b, l := events.NewLogBuilder(), events.NewLinker()
	n := 0
	for ; !events.Done(m); n++ {
		lg, err := events.RecordShard(m, &rec, b, uint32(n+1), budget, ^uint64(0))
		if err != nil {
			t.Fatalf("%s: shard %d: %v", name, n+1, err)
		}
		if err := l.LinkLog(lg); err != nil {
			t.Fatal(err)
		}
		got, err := events.Expand(lg)
		if err != nil {
			t.Fatalf("%s: shard %d: %v", name, n+1, err)
		}
		if n >= len(r.recs) {
			t.Fatalf("%s: more shards recorded than traced", name)
		}
		if f := testutil.DifferingField(got, r.recs[n]); f != "" {
			t.Fatalf("%s, shards of %d cycles: shard %d: %s of the expanded log differs from the tracer's", name, budget, n+1, f)
		}
	}
	init, fin := l.Memory(m)
	if n != len(r.recs) || !reflect.DeepEqual(init, r.init) || !reflect.DeepEqual(fin, r.fin) {
		t.Fatalf("%s, shards of %d cycles: %d shards recorded, %d traced, or memory rows differ", name, budget, n, len(r.recs))
	}
}

func assemble(t *testing.T, b *asm.Builder) *program.Program {
	t.Helper()
	p, err := b.Program()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Syscall numbers the test programs use.
const (
	sysWrite        = 4004
	sysGetpid       = 4020
	sysKill         = 4037
	sysClockGettime = 4263
)

func callSys(b *asm.Builder, num uint32) {
	b.LI(asm.V0, num)
	b.SYSCALL()
}

// allOps assembles a program that executes every instruction family the
// tracer records, with operands that exercise the edge cases: overflowing
// unsigned arithmetic, shift amounts above 31, every byte lane, branches
// taken and not (likely ones annulling their slot), a branch to pc+8,
// division by zero, writes to $zero, syscalls that read and write guest
// memory, zkVM calls, a precompile with extra cycles and an unconstrained
// section.
func allOps(be bool) *asm.Builder {
	b := asm.New(be)
	const (
		T0, T1, T2, T3, T4, T5, T6, T7 = asm.T0, asm.T1, asm.T2, asm.T3, asm.T4, asm.T5, asm.T6, asm.T7
		S0, S1, S2, S3, S7             = asm.S0, asm.S1, asm.S2, asm.S3, asm.S7
		A0, A1, A2, V0, Zero, RA, T9   = asm.A0, asm.A1, asm.A2, asm.V0, asm.Zero, asm.RA, asm.T9
	)
	b.DataWords("words", 0x11223344, 0x55667788, 0x8899aabb, 0xccddeeff, 0xfedcba98, 0x76543210, 0x01020304, 0x80808080)
	b.Data("msg", []byte("hello\n"))
	b.BSS("buf", 64)
	b.BSS("res", 64)
	b.BSS("sha", 256)

	// Add/sub, less-than.
	b.LI(T0, 0x7fffffff)
	b.LI(T1, 0x80000001)
	b.LI(T2, 5)
	b.ADD(T3, T2, T2)
	b.ADD(T3, T0, T1)
	b.ADDU(T3, T0, T1)
	b.ADDU(T3, T0, T0) // wraps
	b.SUB(T3, T2, T0)
	b.SUBU(T3, T1, T0)
	b.ADDI(T3, T2, -7)
	b.ADDIU(T3, T0, 1)
	b.ADDU(Zero, T0, T1) // to $zero
	b.SLT(T3, T1, T0)
	b.SLT(T3, T0, T1)
	b.SLTU(T3, T1, T0)
	b.SLTI(T3, T1, -1)
	b.SLTIU(T3, T2, -1)
	b.SLTIU(T3, T1, 7)

	// Shifts, with variable amounts above 31 (only the low 5 bits count).
	b.SLL(T3, T1, 4)
	b.SRL(T3, T1, 4)
	b.SRA(T3, T1, 4)
	b.ROTR(T3, T1, 4)
	b.SLL(T3, T1, 0)
	b.ROTR(T3, T1, 31)
	b.LI(T4, 35)
	b.SLLV(T3, T1, T4)
	b.SRLV(T3, T1, T4)
	b.SRAV(T3, T1, T4)
	b.ROTRV(T3, T1, T4)
	b.LI(T4, 0xffffffe0)
	b.SRAV(T3, T1, T4)

	// Bitwise.
	b.AND(T3, T0, T1)
	b.OR(T3, T0, T1)
	b.XOR(T3, T0, T1)
	b.NOR(T3, T0, T1)
	b.ANDI(T3, T1, 0xff0f)
	b.ORI(T3, T1, 0xff0f)
	b.XORI(T3, T1, 0xff0f)
	b.LUI(T3, 0x8001)

	// clz/clo, bit fields.
	b.CLZ(T3, T2)
	b.CLZ(T3, Zero)
	b.CLO(T3, T1)
	b.LI(T4, 0xffffffff)
	b.CLO(T3, T4)
	b.EXT(T3, T1, 4, 8)
	b.EXT(T3, T4, 0, 32)
	b.MOVE(T3, T0)
	b.INS(T3, T1, 8, 12)
	b.INS(T3, T2, 0, 32)
	b.LI(T4, 0x12b4c6f8)
	b.WSBH(T3, T4)
	b.SEB(T3, T4)
	b.SEH(T3, T4)
	b.SEB(T3, T0)

	// Conditional moves, on registers and on FP condition codes.
	b.MOVZ(T3, T0, Zero)
	b.MOVZ(T3, T1, T2)
	b.MOVN(T3, T0, T2)
	b.MOVN(T3, T1, Zero)
	b.LI(T4, 0x09) // FCC0 and FCC3 set
	b.CTC1(T4, 25)
	b.MOVF(T3, T0, 0)
	b.MOVT(T3, T1, 0)
	b.MOVF(T3, T0, 1)
	b.MOVT(T3, T1, 1)
	b.MOVT(T3, T2, 3)

	// Multiply and divide.
	b.MULT(T1, T0)
	b.MULTU(T1, T0)
	b.MADD(T1, T2)
	b.MADDU(T1, T2)
	b.MSUB(T0, T0)
	b.MSUBU(T1, T1)
	b.MUL(T3, T1, T0)
	b.MFHI(T3)
	b.MFLO(T3)
	b.DIV(T1, T2)
	b.DIVU(T1, T2)
	b.DIV(T1, Zero) // lo = dividend, hi = 0
	b.DIVU(T1, Zero)
	b.LI(T4, 0x80000000)
	b.LI(T5, 0xffffffff)
	b.DIV(T4, T5) // the quotient overflows
	b.LI(T5, 0xfffffffd)
	b.DIV(T2, T5)
	b.MFHI(T3)
	b.MFLO(T3)
	b.MTHI(T0)
	b.MTLO(T1)
	b.MFHI(Zero)

	// Loads and stores of every width at every byte offset.
	b.LA(S0, "words")
	b.LA(S1, "buf")
	b.LA(S2, "res")
	b.LI(T4, 0xa1b2c3d4)
	for off := int16(0); off < 4; off++ {
		b.LB(T3, off+8, S0)
		b.LBU(T3, off+8, S0)
		b.LWL(T3, off, S0)
		b.LWR(T3, off, S0)
		b.SB(T4, off, S1)
		b.SWL(T4, off+8, S1)
		b.SWR(T4, off+16, S1)
	}
	for off := int16(0); off < 4; off += 2 {
		b.LH(T3, off+8, S0)
		b.LHU(T3, off+8, S0)
		b.SH(T4, off+24, S1)
	}
	b.LW(T3, 4, S0)
	b.SW(T3, 28, S1)
	b.LW(Zero, 0, S0) // a load into $zero
	b.LL(T3, 0, S1)
	b.ADDIU(T3, T3, 1)
	b.SC(T3, 0, S1)
	// The unaligned word at words+1, and 0xa1b2c3d4 stored at buf+33.
	if be {
		b.LWL(T5, 1, S0)
		b.LWR(T5, 4, S0)
		b.SWL(T4, 33, S1)
		b.SWR(T4, 36, S1)
	} else {
		b.LWR(T5, 1, S0)
		b.LWL(T5, 4, S0)
		b.SWR(T4, 33, S1)
		b.SWL(T4, 36, S1)
	}
	b.SW(T5, 0, S2)
	b.LB(T5, 28, S0) // 0x80 sign-extends
	b.SW(T5, 4, S2)
	b.LH(T5, 28, S0)
	b.SW(T5, 8, S2)
	b.PREF(0, 0, S0)
	b.SYNC()
	b.SYNCI(0, S0)

	// FP loads, stores and moves.
	b.LWC1(asm.F1, 12, S0)
	b.SWC1(asm.F1, 40, S1)
	b.LDC1(asm.F2, 16, S0)
	b.SDC1(asm.F2, 48, S1)
	b.MTC1(T0, asm.F4)
	b.MFC1(T3, asm.F4)
	b.MTHC1(T1, asm.F4)
	b.MFHC1(T3, asm.F4)
	b.MFC1(T3, asm.F5)
	for _, fcr := range []uint8{0, 25, 26, 28, 31} {
		b.CFC1(T3, fcr)
	}
	b.LI(T4, 0xffffffff)
	for _, fcr := range []uint8{26, 28, 31, 25} {
		b.CTC1(T4, fcr)
		b.CFC1(T3, 31)
	}
	b.CTC1(Zero, 31)

	// Hardware registers.
	for _, hwr := range []uint8{0, 1, 2, 3, 29} {
		b.RDHWR(T3, hwr)
	}

	// Traps not taken.
	b.TGE(T2, T0, 0)
	b.TGEU(T2, T1, 0)
	b.TLT(T0, T2, 0)
	b.TLTU(T1, T2, 7)
	b.TEQ(T0, T2, 0)
	b.TNE(T2, T2, 0)
	b.TGEI(T2, 6)
	b.TGEIU(T2, 6)
	b.TLTI(T2, 5)
	b.TLTIU(T2, 5)
	b.TEQI(T2, 4)
	b.TNEI(T2, 5)

	// Branches, taken and not: the delay slot always runs (unless a
	// likely branch is not taken), the next instruction only if not taken.
	n := 0
	branch := func(emit func(target string)) {
		n++
		l := fmt.Sprintf("b%d", n)
		emit(l)
		b.ADDIU(T6, T6, 1) // delay slot
		b.ADDIU(T7, T7, 1)
		b.Label(l)
	}
	neg := T1 // negative
	for _, r := range []asm.Reg{T2, Zero, neg} {
		branch(func(l string) { b.BEQ(r, T2, l) })
		branch(func(l string) { b.BNE(r, T2, l) })
		branch(func(l string) { b.BLEZ(r, l) })
		branch(func(l string) { b.BGTZ(r, l) })
		branch(func(l string) { b.BLTZ(r, l) })
		branch(func(l string) { b.BGEZ(r, l) })
		branch(func(l string) { b.BEQL(r, T2, l) })
		branch(func(l string) { b.BNEL(r, T2, l) })
		branch(func(l string) { b.BLEZL(r, l) })
		branch(func(l string) { b.BGTZL(r, l) })
		branch(func(l string) { b.BLTZL(r, l) })
		branch(func(l string) { b.BGEZL(r, l) })
		branch(func(l string) { b.BLTZAL(r, l) })
		branch(func(l string) { b.BGEZAL(r, l) })
		branch(func(l string) { b.BLTZALL(r, l) })
		branch(func(l string) { b.BGEZALL(r, l) })
	}
	b.LI(T4, 0x09)
	b.CTC1(T4, 25)
	for _, cc := range []uint8{0, 1, 3} {
		branch(func(l string) { b.BC1F(cc, l) })
		branch(func(l string) { b.BC1T(cc, l) })
		branch(func(l string) { b.BC1FL(cc, l) })
		branch(func(l string) { b.BC1TL(cc, l) })
	}
	// Branches to pc+8, taken and not.
	b.BNE(T2, T2, "p8a")
	b.NOP()
	b.Label("p8a")
	b.BEQ(T2, T2, "p8b")
	b.NOP()
	b.Label("p8b")
	b.BNEL(T2, T2, "p8c")
	b.NOP()
	b.Label("p8c")
	// A branch in the delay slot of a branch not taken runs as usual.
	b.BNE(T2, T2, "p8d")
	b.BEQ(T2, T2, "p8d")
	b.NOP()
	b.Label("p8d")

	// Jumps.
	b.J("j1")
	b.NOP()
	b.ADDIU(T7, T7, 1)
	b.Label("j1")
	b.JAL("fn")
	b.NOP()
	b.LA(T9, "fn2")
	b.JALR(S7, T9)
	b.NOP()
	b.LA(T9, "j2")
	b.JR(T9)
	b.NOP()
	b.ADDIU(T7, T7, 1)
	b.Label("j2")

	// Self-modifying code: the fetched word is the one stored.
	b.LA(T9, "smc")
	b.LI(T4, 0x25ef0005) // addiu $t7, $t7, 5
	b.SW(T4, 0, T9)
	b.Label("smc")
	b.NOP()

	// Syscalls: one reading guest memory, one writing it, one with no
	// memory, set_thread_area (the TLS pointer) and a read of it.
	b.ADDIU(A0, Zero, 1)
	b.LA(A1, "msg")
	b.ADDIU(A2, Zero, 6)
	callSys(b, sysWrite)
	b.ADDIU(A0, Zero, 1)
	b.ADDIU(A1, S1, 1) // unaligned: partial words
	b.ADDIU(A2, Zero, 6)
	callSys(b, sysWrite)
	b.ADDIU(A0, Zero, 0)
	b.ADDIU(A1, S1, 56)
	callSys(b, sysClockGettime)
	callSys(b, sysGetpid)
	b.LI(A0, 0x12345678)
	callSys(b, 4283)
	b.RDHWR(T3, 29)
	callSys(b, 0x7777)     // unknown: ENOSYS
	callSys(b, 0x00020077) // unknown, though byte 2 is set: not a precompile

	// zkVM calls: the input item, public values, a commit.
	callSys(b, 0xF0) // HINT_LEN
	b.LA(A0, "buf")
	b.ADDIU(A1, Zero, 8)
	callSys(b, 0xF1) // HINT_READ
	b.ADDIU(A0, Zero, 13)
	b.LA(A1, "msg")
	b.ADDIU(A2, Zero, 5)
	callSys(b, 0x02) // WRITE to the public values
	b.ADDIU(A0, Zero, 3)
	b.LI(A1, 0xdeadbeef)
	callSys(b, 0x10) // COMMIT
	// A precompile with extra cycles: the SHA-256 message schedule.
	b.LA(A0, "sha")
	b.ADDIU(A1, Zero, 0)
	callSys(b, 0x30010005)
	// An unconstrained section: its effects vanish when it ends.
	callSys(b, 0x03) // ENTER_UNCONSTRAINED
	b.BEQ(V0, Zero, "constrained")
	b.NOP()
	b.SW(T0, 0, S1)
	b.ADDIU(S3, S3, 1)
	b.LA(A0, "sha")
	callSys(b, 0x30010005) // its extra cycles vanish too
	callSys(b, 0x04)       // EXIT_UNCONSTRAINED
	b.Label("constrained")

	b.Exit(7)

	b.Label("fn")
	b.XOR(T6, T6, T0)
	b.JR(RA)
	b.NOP()
	b.Label("fn2")
	b.JR(S7)
	b.ADDIU(T6, T6, 2) // in the delay slot
	return b
}

var zkInput = executor.Config{Inputs: [][]byte{{1, 2, 3, 4, 5, 6, 7, 8}}}

// TestAllOps checks the trace of every instruction family, in both byte
// orders, in one shard and in shards of a few cycles.
func TestAllOps(t *testing.T) {
	for _, be := range []bool{true, false} {
		name := fmt.Sprintf("allOps (big-endian %v)", be)
		bld := allOps(be)
		p := assemble(t, bld)
		r := mustPass(t, name, p, zkInput, 1<<20, 3, 50)
		if !r.m.Exited() || r.m.ExitCode() != 7 {
			t.Fatalf("%s: exit %v %d", name, r.m.Exited(), r.m.ExitCode())
		}
		// Known answers for the byte lanes, which the checker derives on
		// its own: the checker accepted these results, so they had better
		// be right.
		res, buf := bld.MustAddr("res"), bld.MustAddr("buf")
		unaligned, stored := uint32(0x88112233), []byte{0xd4, 0xc3, 0xb2, 0xa1}
		if be {
			unaligned, stored = 0x22334455, []byte{0xa1, 0xb2, 0xc3, 0xd4}
		}
		for i, want := range []uint32{unaligned, 0xffffff80, 0xffff8080} {
			if got := r.m.ReadWord(res + 4*uint32(i)); got != want {
				t.Errorf("%s: result %d is 0x%x, want 0x%x", name, i, got, want)
			}
		}
		if got := r.m.ReadBytes(buf+33, 4); string(got) != string(stored) {
			t.Errorf("%s: swl/swr stored % x, want % x", name, got, stored)
		}
		// The stored instruction ran, and the checker pins it: the word the
		// program holds there does not pass.
		smc := bld.MustAddr("smc")
		c := r.copy()
		found := false
		for _, rec := range c.recs {
			for i := range rec.CPU {
				if row := &rec.CPU[i]; row.PC == smc {
					if row.Inst != 0x25ef0005 {
						t.Fatalf("%s: ran 0x%08x at the stored word", name, row.Inst)
					}
					row.Inst, row.Op, row.A, found = 0, uint8(program.OpSLL), 0, true
				}
			}
		}
		var v *Violation
		if err := c.check(); !found || !errors.As(err, &v) || v.Chip != ChipCPU || !strings.Contains(v.Msg, "memory holds") {
			t.Fatalf("%s: the original word at the stored one: got %v", name, err)
		}
		// The trace holds every family.
		ops := map[program.Op]bool{}
		for _, rec := range r.recs {
			for _, c := range rec.CPU {
				ops[program.Op(c.Op)] = true
			}
		}
		for op := program.OpSLL; op < program.NumOps; op++ {
			switch op {
			case program.OpBREAK:
				continue // always faults
			}
			if !ops[op] {
				t.Errorf("%s: no %v in the trace", name, op)
			}
		}
	}
}

// basicProgram assembles a loop of register-only instructions, a call, a syscall
// reading guest memory, and an exit: the base for the corruption tests.
func basicProgram(be bool) *program.Program {
	b := asm.New(be)
	b.Data("msg", []byte("hello\n"))
	b.LI(asm.T1, 6)
	b.Label("loop")
	b.ADDU(asm.T3, asm.T3, asm.T1)
	b.ADDU(asm.Zero, asm.T3, asm.T1)
	b.MULT(asm.T3, asm.T1)
	b.MFLO(asm.T4)
	b.SLTI(asm.T5, asm.T1, 3)
	b.JAL("fn")
	b.NOP()
	b.ADDIU(asm.T1, asm.T1, -1)
	b.BNE(asm.T1, asm.Zero, "loop")
	b.NOP()
	b.ADDIU(asm.A0, asm.Zero, 1)
	b.LA(asm.A1, "msg")
	b.ADDIU(asm.A2, asm.Zero, 6)
	callSys(b, sysWrite)
	b.Exit(3)
	b.Label("fn")
	b.XOR(asm.T6, asm.T6, asm.T3)
	b.JR(asm.RA)
	b.NOP()
	return b.MustProgram()
}

func cloneRecord(r *events.Record) *events.Record {
	c := *r
	c.CPU = slices.Clone(r.CPU)
	c.AddSub = slices.Clone(r.AddSub)
	c.Lt = slices.Clone(r.Lt)
	c.Shift = slices.Clone(r.Shift)
	c.Bitwise = slices.Clone(r.Bitwise)
	c.CloClz = slices.Clone(r.CloClz)
	c.BitField = slices.Clone(r.BitField)
	c.MovCond = slices.Clone(r.MovCond)
	c.Mul = slices.Clone(r.Mul)
	c.DivRem = slices.Clone(r.DivRem)
	c.MemInstr = slices.Clone(r.MemInstr)
	c.Branch = slices.Clone(r.Branch)
	c.Jump = slices.Clone(r.Jump)
	c.Syscall = slices.Clone(r.Syscall)
	c.Memory = slices.Clone(r.Memory)
	c.Local = slices.Clone(r.Local)
	c.Precompiles = map[uint32][]events.Precompile{}
	for k, v := range r.Precompiles {
		c.Precompiles[k] = slices.Clone(v)
	}
	return &c
}

// corpus is a copy of a run's rows to corrupt.
type corpus struct {
	run  *tracedRun
	recs []*events.Record
	init []events.Init
	fin  []events.Finalize
}

func (r *tracedRun) copy() *corpus {
	c := &corpus{run: r, init: slices.Clone(r.init), fin: slices.Clone(r.fin)}
	for _, rec := range r.recs {
		c.recs = append(c.recs, cloneRecord(rec))
	}
	return c
}

func (c *corpus) check() error { return checkWith(c.run.checker(), c.init, c.recs, c.fin) }

// cpuRow returns the first CPU row of rec executing op and satisfying ok.
func cpuRow(t *testing.T, rec *events.Record, op program.Op, ok func(in program.Inst) bool) int {
	t.Helper()
	for i, c := range rec.CPU {
		if in := program.Decode(c.Inst, c.PC); in.Op == op && (ok == nil || ok(in)) {
			return i
		}
	}
	t.Fatalf("shard %d: no %v", rec.Shard, op)
	return -1
}

// memRow returns the access of rec at clk to addr.
func memRow(t *testing.T, rec *events.Record, clk, addr uint32) int {
	t.Helper()
	for j, m := range rec.Memory {
		if m.Clk == clk && m.Addr == addr {
			return j
		}
	}
	t.Fatalf("shard %d: no access to 0x%x at clk %d", rec.Shard, addr, clk)
	return -1
}

// aluRow returns the row of an ALU table at clk.
func aluRow(t *testing.T, table []events.ALU, clk uint32) int {
	t.Helper()
	for k, a := range table {
		if a.Clk == clk {
			return k
		}
	}
	t.Fatalf("no row at clk %d", clk)
	return -1
}

func regAddr(r uint8) uint32 { return events.AddrReg + 4*uint32(r) }

func rdNonZero(in program.Inst) bool { return in.Rd != 0 }

// TestCorruptions corrupts one thing in a valid run and checks that the
// checker reports it, at the right shard, chip and row.
func TestCorruptions(t *testing.T) {
	base := traceRun(t, basicProgram(true), executor.Config{}, 20)
	if err := base.check(); err != nil {
		t.Fatalf("the base run does not check: %v", err)
	}
	if len(base.recs) < 4 {
		t.Fatalf("only %d shards", len(base.recs))
	}
	type where struct {
		shard uint32
		chip  string
		row   int
		msg   string
	}
	cases := []struct {
		name    string
		corrupt func(t *testing.T, c *corpus) where
	}{
		{"register write value", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			i := cpuRow(t, r, program.OpADDU, rdNonZero)
			in := program.Decode(r.CPU[i].Inst, r.CPU[i].PC)
			j := memRow(t, r, r.CPU[i].Clk+events.SlotRegWrite, regAddr(in.Rd))
			r.Memory[j].Value ^= 1
			return where{2, ChipMemory, j, "writes"}
		}},
		{"register read value", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			i := cpuRow(t, r, program.OpADDU, rdNonZero)
			in := program.Decode(r.CPU[i].Inst, r.CPU[i].PC)
			j := memRow(t, r, r.CPU[i].Clk, regAddr(in.Rs))
			r.Memory[j].Value ^= 1
			return where{2, ChipMemory, j, "changes the value"}
		}},
		{"memory value read by a syscall", func(t *testing.T, c *corpus) where {
			r := c.recs[len(c.recs)-1]
			i := cpuRow(t, r, program.OpSYSCALL, nil)
			j := memRow(t, r, r.CPU[i].Clk+events.SlotMemRead, c.run.prog.Segments[1].Vaddr)
			r.Memory[j].Value ^= 0x100
			r.Memory[j].PrevValue ^= 0x100
			return where{r.Shard, ChipMemory, j, "previous access"}
		}},
		{"previous value", func(t *testing.T, c *corpus) where {
			r := c.recs[2]
			for j, m := range r.Memory {
				if m.PrevShard == r.Shard {
					r.Memory[j].PrevValue ^= 1
					return where{3, ChipMemory, j, "previous access"}
				}
			}
			t.Fatal("no access with a predecessor in its shard")
			return where{}
		}},
		{"previous shard", func(t *testing.T, c *corpus) where {
			r := c.recs[2]
			for j, m := range r.Memory {
				if m.PrevShard == 2 {
					r.Memory[j].PrevShard = 1
					return where{3, ChipMemory, j, "previous access"}
				}
			}
			t.Fatal("no access chained to shard 2")
			return where{}
		}},
		{"timestamp order", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			for j, m := range r.Memory {
				if m.PrevShard == r.Shard {
					r.Memory[j].PrevClk = m.Clk
					return where{2, ChipMemory, j, "does not come after"}
				}
			}
			t.Fatal("no access with a predecessor in its shard")
			return where{}
		}},
		{"local init value", func(t *testing.T, c *corpus) where {
			c.recs[1].Local[2].InitValue ^= 1
			return where{2, ChipLocal, 2, "earlier shards left"}
		}},
		{"local init clock", func(t *testing.T, c *corpus) where {
			c.recs[2].Local[0].InitClk += 1
			return where{3, ChipLocal, 0, "earlier shards left"}
		}},
		{"local final value", func(t *testing.T, c *corpus) where {
			c.recs[1].Local[1].FinalValue ^= 1
			return where{2, ChipLocal, 1, "last access"}
		}},
		{"missing local row", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			addr := r.Local[1].Addr
			r.Local = slices.Delete(r.Local, 1, 2)
			first := -1
			for j, m := range r.Memory {
				if m.Addr == addr && (first < 0 || m.Clk < r.Memory[first].Clk) {
					first = j
				}
			}
			return where{2, ChipMemory, first, "no Local row"}
		}},
		{"extra local row", func(t *testing.T, c *corpus) where {
			// An address an earlier shard touched and the last one does
			// not, handed on correctly but never accessed.
			type last struct{ shard, clk, value uint32 }
			state := map[uint32]last{}
			for _, r := range c.recs[:len(c.recs)-1] {
				for _, l := range r.Local {
					state[l.Addr] = last{r.Shard, l.FinalClk, l.FinalValue}
				}
			}
			r := c.recs[len(c.recs)-1]
			for _, l := range r.Local {
				delete(state, l.Addr)
			}
			for addr, s := range state {
				extra := events.Local{Addr: addr, InitShard: s.shard, InitClk: s.clk, InitValue: s.value, FinalClk: s.clk, FinalValue: s.value}
				k, _ := slices.BinarySearchFunc(r.Local, addr, func(x events.Local, a uint32) int { return int(int64(x.Addr) - int64(a)) })
				r.Local = slices.Insert(r.Local, k, extra)
				return where{r.Shard, ChipLocal, k, "not accessed"}
			}
			t.Fatal("the last shard touches every address")
			return where{}
		}},
		{"finalize value", func(t *testing.T, c *corpus) where {
			c.fin[3].Value ^= 1
			return where{0, ChipFinalize, 3, "last access"}
		}},
		{"finalize clock", func(t *testing.T, c *corpus) where {
			c.fin[0].Clk++
			return where{0, ChipFinalize, 0, "last access"}
		}},
		{"missing finalize row", func(t *testing.T, c *corpus) where {
			c.fin = c.fin[:len(c.fin)-1]
			return where{0, ChipFinalize, len(c.fin), "Finalize rows"}
		}},
		{"finalize address", func(t *testing.T, c *corpus) where {
			c.fin[2].Addr += 4
			return where{0, ChipFinalize, 2, "differ"}
		}},
		{"init value of the program image", func(t *testing.T, c *corpus) where {
			for k, in := range c.init {
				if in.Addr == c.run.prog.Segments[1].Vaddr {
					c.init[k].Value ^= 1
					return where{0, ChipInit, k, "program image"}
				}
			}
			t.Fatal("the message is not in the init rows")
			return where{}
		}},
		{"init value of a register", func(t *testing.T, c *corpus) where {
			c.init[3].Value = 9
			return where{0, ChipInit, 3, "initial CPU state"}
		}},
		{"init order", func(t *testing.T, c *corpus) where {
			c.init[4], c.init[5] = c.init[5], c.init[4]
			return where{0, ChipInit, 5, "not sorted"}
		}},
		{"alu result", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			i := cpuRow(t, r, program.OpADDU, rdNonZero)
			k := aluRow(t, r.AddSub, r.CPU[i].Clk)
			r.AddSub[k].A ^= 1
			return where{2, ChipAddSub, k, "A 0x"}
		}},
		{"alu operand", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			i := cpuRow(t, r, program.OpSLTI, nil)
			k := aluRow(t, r.Lt, r.CPU[i].Clk)
			r.Lt[k].C++
			return where{2, ChipLt, k, "C 0x"}
		}},
		{"cpu result", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			i := cpuRow(t, r, program.OpADDU, rdNonZero)
			r.CPU[i].A ^= 1
			return where{2, ChipCPU, i, "A 0x"}
		}},
		{"cpu operand", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			i := cpuRow(t, r, program.OpADDU, rdNonZero)
			r.CPU[i].B ^= 1
			return where{2, ChipCPU, i, "B 0x"}
		}},
		{"mul result", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			r.Mul[0].LoOut ^= 1
			return where{2, ChipMul, 0, "LoOut"}
		}},
		{"branch target", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			r.Branch[0].Target += 4
			return where{2, ChipBranch, 0, "Target"}
		}},
		{"branch outcome", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			i := cpuRow(t, r, program.OpBNE, nil)
			r.CPU[i].NewNextPC = r.CPU[i].PC + 8
			r.CPU[i].NewNextPC ^= 0x10
			return where{2, ChipCPU, i, "pc moves"}
		}},
		{"jump link", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			r.Jump[0].Link ^= 4
			return where{2, ChipJump, 0, "Link"}
		}},
		{"pc link between rows", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			i := cpuRow(t, r, program.OpMFLO, nil)
			r.CPU[i].PC += 4
			r.CPU[i].NewPC += 4
			r.CPU[i].NextPC += 4
			return where{2, ChipCPU, i, "previous row left"}
		}},
		{"shard start", func(t *testing.T, c *corpus) where {
			c.recs[1].StartPC += 4
			return where{2, ChipShard, -1, "ended at"}
		}},
		{"shard end", func(t *testing.T, c *corpus) where {
			c.recs[0].EndPC += 4
			return where{1, ChipShard, -1, "ends at"}
		}},
		{"missing shard", func(t *testing.T, c *corpus) where {
			c.recs = slices.Delete(c.recs, 1, 2)
			return where{3, ChipShard, -1, "want 2"}
		}},
		{"shard steps", func(t *testing.T, c *corpus) where {
			c.recs[1].StartStep++
			return where{2, ChipShard, -1, "step"}
		}},
		{"shard cycles", func(t *testing.T, c *corpus) where {
			c.recs[1].Cycles++
			return where{2, ChipShard, -1, "cycles"}
		}},
		{"shard after the exit", func(t *testing.T, c *corpus) where {
			last := cloneRecord(c.recs[len(c.recs)-1])
			last.Shard++
			c.recs = append(c.recs, last)
			return where{last.Shard, ChipShard, -1, "exited"}
		}},
		{"clock", func(t *testing.T, c *corpus) where {
			r := c.recs[2]
			r.CPU[3].Clk += events.ClkPerCycle
			return where{3, ChipCPU, 3, "clk"}
		}},
		{"exit flag", func(t *testing.T, c *corpus) where {
			c.recs[1].CPU[2].Exit = 1
			return where{2, ChipCPU, 2, "exit flag"}
		}},
		{"instruction word", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			i := cpuRow(t, r, program.OpADDU, rdNonZero)
			r.CPU[i].Inst ^= 1 << 11 // another rd
			return where{2, ChipCPU, i, "memory holds"}
		}},
		{"opcode", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			i := cpuRow(t, r, program.OpADDU, rdNonZero)
			r.CPU[i].Op = uint8(program.OpSUBU)
			return where{2, ChipCPU, i, "decodes to"}
		}},
		{"missing family row", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			i := cpuRow(t, r, program.OpADDU, rdNonZero)
			k := aluRow(t, r.AddSub, r.CPU[i].Clk)
			r.AddSub = slices.Delete(r.AddSub, k, k+1)
			return where{2, ChipCPU, i, "needs a AddSub row"}
		}},
		{"extra family row", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			i := cpuRow(t, r, program.OpADDU, rdNonZero)
			clk := r.CPU[i].Clk
			k, _ := slices.BinarySearchFunc(r.Lt, clk, func(x events.ALU, c uint32) int { return int(int64(x.Clk) - int64(c)) })
			r.Lt = slices.Insert(r.Lt, k, events.ALU{Clk: clk, Op: uint8(program.OpSLT)})
			return where{2, ChipLt, k, "needs no Lt row"}
		}},
		{"extra access", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			i := cpuRow(t, r, program.OpADDU, rdNonZero)
			in := program.Decode(r.CPU[i].Inst, r.CPU[i].PC)
			j := memRow(t, r, r.CPU[i].Clk+1, regAddr(in.Rt))
			a := r.Memory[j]
			// A consistent second read of rt, at a slot ADDU does not use.
			r.Memory = slices.Insert(r.Memory, j+1, events.Memory{Addr: a.Addr, Clk: a.Clk + 5, Value: a.Value,
				PrevShard: r.Shard, PrevClk: a.Clk, PrevValue: a.Value})
			return where{2, ChipMemory, j + 1, "found a read"}
		}},
		{"access outside every window", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			last := r.CPU[len(r.CPU)-1]
			r.Memory = append(r.Memory, events.Memory{Addr: regAddr(8), Clk: last.Clk + 4*events.ClkPerCycle})
			return where{2, ChipMemory, len(r.Memory) - 1, "no instruction's window"}
		}},
		{"write to $zero", func(t *testing.T, c *corpus) where {
			r := c.recs[1]
			i := cpuRow(t, r, program.OpADDU, func(in program.Inst) bool { return in.Rd == 0 })
			j := memRow(t, r, r.CPU[i].Clk+events.SlotRegWrite, regAddr(0))
			r.Memory[j].Value = 5
			return where{2, ChipMemory, j, "$zero holds"}
		}},
		{"syscall row", func(t *testing.T, c *corpus) where {
			r := c.recs[len(c.recs)-1]
			r.Syscall[0].Reads++
			return where{r.Shard, ChipSyscall, 0, "Reads"}
		}},
		{"syscall result", func(t *testing.T, c *corpus) where {
			r := c.recs[len(c.recs)-1]
			r.Syscall[0].V0++
			return where{r.Shard, ChipSyscall, 0, "V0"}
		}},
		{"exit code", func(t *testing.T, c *corpus) where {
			r := c.recs[len(c.recs)-1]
			r.ExitCode = 4
			return where{r.Shard, ChipShard, -1, "exit code"}
		}},
	}
	for _, tc := range cases {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			c := base.copy()
			w := tc.corrupt(t, c)
			err := c.check()
			var v *Violation
			if !errors.As(err, &v) {
				t.Fatalf("no violation reported (err %v)", err)
			}
			if v.Shard != w.shard || v.Chip != w.chip || v.Row != w.row || !strings.Contains(v.Msg, w.msg) {
				t.Fatalf("reported %q, want shard %d, chip %s, row %d, message with %q", v, w.shard, w.chip, w.row, w.msg)
			}
			// The original rows still check: the corruption was a copy.
			if err := base.check(); err != nil {
				t.Fatalf("the base run no longer checks: %v", err)
			}
		})
	}
}

// TestFaults checks runs that a fault ends: the faulting row records no
// access and leaves pc alone, and the exit code is the signal's.
func TestFaults(t *testing.T) {
	const (
		T0, T1, T2, Zero = asm.T0, asm.T1, asm.T2, asm.Zero
	)
	faults := []struct {
		name string
		exit uint8
		emit func(b *asm.Builder)
	}{
		{"add overflow", 136, func(b *asm.Builder) { b.LI(T0, 0x7fffffff); b.ADD(T1, T0, T0) }},
		{"addi overflow", 136, func(b *asm.Builder) { b.LI(T0, 0x7fffffff); b.ADDI(T1, T0, 1) }},
		{"sub overflow", 136, func(b *asm.Builder) { b.LI(T0, 0x80000000); b.ADDIU(T2, Zero, 1); b.SUB(T1, T0, T2) }},
		{"teq", 133, func(b *asm.Builder) { b.ADDIU(T0, Zero, 1); b.TEQ(T0, T0, 0) }},
		{"teq divide by zero", 136, func(b *asm.Builder) { b.TEQ(Zero, Zero, 7) }},
		{"tltiu", 133, func(b *asm.Builder) { b.TLTIU(Zero, 1) }},
		{"break", 133, func(b *asm.Builder) { b.BREAK(0) }},
		{"break 6", 136, func(b *asm.Builder) { b.BREAK(6) }},
		{"reserved instruction", 132, func(b *asm.Builder) { b.Word(0xfc000000) }},
		{"misaligned load", 138, func(b *asm.Builder) { b.LA(T0, "d"); b.LW(T1, 2, T0) }},
		{"misaligned store", 138, func(b *asm.Builder) { b.LA(T0, "d"); b.SH(T1, 1, T0) }},
		{"misaligned ldc1", 138, func(b *asm.Builder) { b.LA(T0, "d"); b.LDC1(asm.F2, 4, T0) }},
		{"odd ldc1 pair", 132, func(b *asm.Builder) { b.LA(T0, "d"); b.LDC1(asm.F3, 0, T0) }},
		{"null load", 139, func(b *asm.Builder) { b.LW(T1, 16, Zero) }},
		{"null store", 139, func(b *asm.Builder) { b.SB(T1, 0xffc, Zero) }},
		{"misaligned pc", 138, func(b *asm.Builder) { b.LA(T0, "d"); b.ADDIU(T0, T0, 2); b.JR(T0); b.NOP() }},
		{"null pc", 139, func(b *asm.Builder) { b.ADDIU(T0, Zero, 0x100); b.JR(T0); b.NOP() }},
		{"branch in a delay slot", 132, func(b *asm.Builder) { b.B("x"); b.B("x"); b.NOP(); b.Label("x") }},
		{"rdhwr", 132, func(b *asm.Builder) { b.RDHWR(T0, 5) }},
		{"cfc1", 132, func(b *asm.Builder) { b.CFC1(T0, 1) }},
		{"ctc1", 132, func(b *asm.Builder) { b.CTC1(T0, 0) }},
		{"mfhc1 odd", 132, func(b *asm.Builder) { b.MFHC1(T0, asm.F1) }},
		{"kill", 134, func(b *asm.Builder) { b.ADDIU(asm.A0, Zero, 0); b.ADDIU(asm.A1, Zero, 6); callSys(b, sysKill) }},
	}
	for _, be := range []bool{true, false} {
		for _, f := range faults {
			b := asm.New(be)
			b.DataWords("d", 1, 2, 3, 4)
			b.ADDIU(T2, Zero, 3)
			f.emit(b)
			b.Exit(0)
			name := fmt.Sprintf("%s (big-endian %v)", f.name, be)
			r := mustPass(t, name, assemble(t, b), executor.Config{}, 1<<20, 2)
			if r.m.Fault() == nil || r.m.ExitCode() != f.exit {
				t.Errorf("%s: fault %v, exit %d, want exit %d", name, r.m.Fault(), r.m.ExitCode(), f.exit)
			}
		}
	}

	// A fault where there is none: an add that does not overflow. (Without
	// the program, nothing pins the instruction word.)
	b := asm.New(true)
	b.LI(T0, 0x7fffffff)
	b.ADD(T1, T0, T0)
	b.Exit(0)
	r := traceRun(t, assemble(t, b), executor.Config{}, 1<<20)
	c := r.copy()
	rec := c.recs[0]
	last := &rec.CPU[len(rec.CPU)-1]
	last.Inst = last.Inst&^0x7ff | 33 // addu
	last.Op = uint8(program.OpADDU)
	chk := NewChecker(nil)
	chk.SetBigEndian(true)
	err := checkWith(chk, c.init, c.recs, c.fin)
	var v *Violation
	if !errors.As(err, &v) || v.Chip != ChipCPU || v.Row != len(rec.CPU)-1 || !strings.Contains(v.Msg, "does not fault") {
		t.Errorf("addu claimed to fault: got %v", err)
	}

	// A faulting step that writes.
	c = r.copy()
	rec = c.recs[0]
	last = &rec.CPU[len(rec.CPU)-1]
	prev := rec.Memory[len(rec.Memory)-1]
	rec.Memory = append(rec.Memory, events.Memory{Addr: prev.Addr, Clk: last.Clk + events.SlotRegWrite, Value: prev.Value + 1,
		PrevShard: 1, PrevClk: prev.Clk, PrevValue: prev.Value, Write: 1})
	err = c.check()
	if !errors.As(err, &v) || v.Chip != ChipMemory || v.Row != len(rec.Memory)-1 || !strings.Contains(v.Msg, "faulting step") {
		t.Errorf("access in a faulting step: got %v", err)
	}
}

// TestDelaySlotBoundary checks that a shard may not start in a delay slot.
func TestDelaySlotBoundary(t *testing.T) {
	p := basicProgram(false)
	// Find the first step that runs a delay slot.
	m, err := executor.New(p, executor.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for m.NextPC() == m.PC()+4 {
		m.RunUntil(m.Step() + 1)
	}
	k := m.Step()

	m, err = executor.New(p, executor.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tr, l := events.NewTracer(), events.NewLinker()
	recs := []*events.Record{tr.Trace(m, 1, 1<<20, k), tr.Trace(m, 2, 1<<20, ^uint64(0))}
	for _, r := range recs {
		if err := l.Link(r); err != nil {
			t.Fatal(err)
		}
	}
	init, fin := l.Memory(m)
	err = CheckRecords(p, init, recs, fin)
	var v *Violation
	if !errors.As(err, &v) || v.Shard != 2 || v.Chip != ChipShard || !strings.Contains(v.Msg, "delay slot") {
		t.Fatalf("shard 2 starts in a delay slot: got %v", err)
	}
}

// TestNoProgram checks a run without the program, given the byte order,
// and that the wrong byte order shows.
func TestNoProgram(t *testing.T) {
	r := mustPass(t, "allOps", assemble(t, allOps(true)), zkInput, 1<<20)
	c := NewChecker(nil)
	c.SetBigEndian(true)
	c.SetEntry(r.prog.Entry)
	if err := checkWith(c, r.init, r.recs, r.fin); err != nil {
		t.Fatalf("without the program: %v", err)
	}
	c = NewChecker(nil)
	c.SetBigEndian(true)
	c.SetEntry(r.prog.Entry + 4)
	err := checkWith(c, r.init, r.recs, r.fin)
	var v *Violation
	if !errors.As(err, &v) || v.Shard != 1 || v.Chip != ChipShard || !strings.Contains(v.Msg, "entry") {
		t.Fatalf("a run that does not start at the entry point: got %v", err)
	}
	c = NewChecker(nil)
	err = checkWith(c, r.init, r.recs, r.fin)
	if !errors.As(err, &v) || v.Chip != ChipMemory || !strings.Contains(v.Msg, "lb writes") {
		t.Fatalf("a big-endian trace checked as little-endian: got %v", err)
	}
}

// TestMemoryOrder checks that the memory rows must come in the order the
// accesses happen.
func TestMemoryOrder(t *testing.T) {
	r := traceRun(t, basicProgram(true), executor.Config{}, 20)
	c := r.copy()
	rec := c.recs[1]
	rec.Memory[3], rec.Memory[4] = rec.Memory[4], rec.Memory[3]
	err := c.check()
	var v *Violation
	if !errors.As(err, &v) || v.Shard != 2 || v.Chip != ChipMemory || v.Row != 4 || !strings.Contains(v.Msg, "order") {
		t.Fatalf("memory rows out of order: got %v", err)
	}
}

// TestMutations flips one random bit of one random field of one row (or
// header field, Init or Finalize row) at a time and checks that every
// corruption is caught.
func TestMutations(t *testing.T) {
	trials := 40
	if testing.Short() {
		trials = 10
	}
	for _, be := range []bool{true, false} {
		base := mustPass(t, "allOps", assemble(t, allOps(be)), zkInput, 50)
		rng := rand.New(rand.NewSource(7))
		rt := reflect.TypeOf(*base.recs[0])
		for f := 0; f < rt.NumField(); f++ {
			ft := rt.Field(f)
			if !ft.IsExported() || ft.Type.Kind() == reflect.Map {
				continue
			}
			for trial := 0; trial < trials; trial++ {
				c := base.copy()
				s := rng.Intn(len(c.recs))
				fv := reflect.ValueOf(c.recs[s]).Elem().Field(f)
				what := ft.Name
				if ft.Type.Kind() == reflect.Slice {
					if fv.Len() == 0 {
						continue
					}
					et := ft.Type.Elem()
					k := rng.Intn(et.NumField())
					row := rng.Intn(fv.Len())
					fv = fv.Index(row).Field(k)
					what = fmt.Sprintf("%s[%d].%s", ft.Name, row, et.Field(k).Name)
				}
				if fv.Kind() == reflect.Bool {
					fv.SetBool(!fv.Bool())
				} else {
					fv.SetUint(fv.Uint() ^ 1<<rng.Intn(fv.Type().Bits()))
				}
				if c.check() == nil {
					t.Errorf("big-endian %v: shard %d: corrupted %s is not caught", be, s+1, what)
				}
			}
		}
		// The precompile tables.
		for trial := 0; trial < trials; trial++ {
			c := base.copy()
			for _, rec := range c.recs {
				for code, table := range rec.Precompiles {
					row := rng.Intn(len(table))
					fv := reflect.ValueOf(&table[row]).Elem()
					k := rng.Intn(fv.NumField())
					fv.Field(k).SetUint(fv.Field(k).Uint() ^ 1<<rng.Intn(32))
					if c.check() == nil {
						t.Errorf("big-endian %v: shard %d: corrupted precompile 0x%x row %d field %d is not caught", be, rec.Shard, code, row, k)
					}
				}
			}
		}
		for trial := 0; trial < 100; trial++ {
			c := base.copy()
			k := rng.Intn(len(c.init))
			switch trial % 6 {
			case 0:
				c.init[k].Addr ^= 1 << rng.Intn(32)
			case 1:
				c.init[k].Value ^= 1 << rng.Intn(32)
			case 2:
				c.fin[k].Addr ^= 1 << rng.Intn(32)
			case 3:
				c.fin[k].Shard ^= 1 << rng.Intn(32)
			case 4:
				c.fin[k].Clk ^= 1 << rng.Intn(32)
			default:
				c.fin[k].Value ^= 1 << rng.Intn(32)
			}
			if c.check() == nil {
				t.Errorf("big-endian %v: corrupted Init/Finalize row %d is not caught (case %d)", be, k, trial%6)
			}
		}
	}
}

// TestGuests checks the traces of real programs: glibc C in both byte
// orders, a Go program (with the executor's load-time patches) and a zkVM
// guest with precompiles, in shards of about 50,000 cycles.
func TestGuests(t *testing.T) {
	for _, g := range []struct {
		path string
		cfg  executor.Config
	}{
		{"../testdata/guests/bin/hello.mips", executor.Config{}},
		{"../testdata/guests/bin/hello.mipsel", executor.Config{}},
		{"../examples/bin/hello-go.mips", executor.Config{}},
		{"../examples/bin/zkvm-fib.mipsle", executor.Config{Inputs: [][]byte{{10, 0, 0, 0}}}},
	} {
		p, err := program.LoadFile(g.path)
		if err != nil {
			t.Fatal(err)
		}
		r := mustPass(t, g.path, p, g.cfg, 50000)
		if !r.m.Exited() || r.m.ExitCode() != 0 {
			t.Fatalf("%s: exit %v %d", g.path, r.m.Exited(), r.m.ExitCode())
		}
		if res := r.m.Result(); res.Committed {
			if err := CheckPublicValues(res.PublicValues, res.CommittedDigest[:]); err != nil {
				t.Errorf("%s: %v", g.path, err)
			}
		}
	}
}

// TestSmallGuests checks every small test guest (faults, syscalls,
// signals, the ISA tests) in small shards.
func TestSmallGuests(t *testing.T) {
	paths, err := filepath.Glob("../testdata/guests/bin/*.mips*")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no guests: %v", err)
	}
	for _, path := range paths {
		switch strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".mipsel"), ".mips") {
		case "cbench", "recurse", "strmem", "int64":
			continue // millions of steps
		}
		p, err := program.LoadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		mustPass(t, path, p, executor.Config{Args: []string{"guest", "a", "b"}}, 2000)
	}
}

func TestPublicValues(t *testing.T) {
	pv := []byte("public")
	sum := sha256.Sum256(pv)
	if err := CheckPublicValues(pv, sum[:]); err != nil {
		t.Fatal(err)
	}
	sum[0] ^= 1
	if CheckPublicValues(pv, sum[:]) == nil {
		t.Fatal("a wrong digest passes")
	}
	if CheckPublicValues(pv, sum[:31]) == nil {
		t.Fatal("a short digest passes")
	}
}

func TestViolationError(t *testing.T) {
	v := &Violation{Shard: 3, Chip: ChipMemory, Row: 17, Msg: "read of 0x8 changes the value"}
	if got, want := v.Error(), "shard 3, chip Memory, row 17: read of 0x8 changes the value"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
	// The first violation sticks.
	c := NewChecker(nil)
	c.Init([]events.Init{{Addr: 8, Value: 1}, {Addr: 4}})
	err1 := c.Shard(&events.Record{Shard: 1})
	err2 := c.Finish(nil)
	if err1 == nil || err1 != err2 {
		t.Fatalf("first %v, then %v", err1, err2)
	}
}
