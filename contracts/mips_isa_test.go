package contracts_test

// Differential tests of MIPS.sol against the executor: small programs built
// with internal/asm run step by step in the executor (the reference); every
// step is proven with witness.Prove and executed by the contract, whose post
// state hash must equal the witness's byte for byte. Every instruction family
// with edge-case operands, every fault kind, and the syscalls in the
// contract's scope, in both byte orders; plus every step of the embedded
// examples. Steps outside the contract's scope must make it revert with the
// reason saying why.

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/contracts"
	"github.com/zkmips/zkmips/examples"
	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/asm"
	"github.com/zkmips/zkmips/program"
	"github.com/zkmips/zkmips/witness"
)

// Register aliases.
const (
	rZero = asm.Zero
	rAT   = asm.AT
	rV0   = asm.V0
	rV1   = asm.V1
	rA0   = asm.A0
	rA1   = asm.A1
	rA2   = asm.A2
	rA3   = asm.A3
	rT0   = asm.T0
	rT1   = asm.T1
	rT2   = asm.T2
	rT3   = asm.T3
	rT4   = asm.T4
	rT5   = asm.T5
	rT6   = asm.T6
	rT7   = asm.T7
	rS0   = asm.S0
	rS1   = asm.S1
	rS2   = asm.S2
	rT9   = asm.T9
	rSP   = asm.SP
	rRA   = asm.RA
)

// isaValues are the operands every ALU operation is tried with.
var isaValues = []uint32{
	0, 1, 2, 3, 31, 32, 0x7fff, 0x8000, 0xffff, 0x10000, 0x12345678, 0x7fffffff,
	0x80000000, 0x80000001, 0xfedcba98, 0xfffffffe, 0xffffffff,
}

// isaImms are the 16-bit immediates every immediate operation is tried with.
var isaImms = []uint16{0, 1, 2, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff, 0x1234}

// mipsClass names a step's gas class.
func mipsClass(m *executor.Machine) (string, program.Inst) {
	pc := m.PC()
	if pc&3 != 0 || pc < executor.NullLimit {
		return "fault", program.Inst{}
	}
	in := m.InstAt(pc)
	switch {
	case in.Op == program.OpSYSCALL:
		return "syscall", in
	case in.Op >= program.OpLWC1 && in.Op <= program.OpBC1TL || in.Op == program.OpMOVF || in.Op == program.OpMOVT:
		return "fp", in
	case in.Op == program.OpSB || in.Op == program.OpSH || in.Op == program.OpSWL || in.Op == program.OpSW ||
		in.Op == program.OpSWR || in.Op == program.OpSC:
		return "store", in
	case in.Op >= program.OpLB && in.Op <= program.OpLWR || in.Op == program.OpLL:
		return "load", in
	case in.Op >= program.OpJ && in.Op <= program.OpBGTZL || in.Op >= program.OpBLTZ && in.Op <= program.OpBGEZL ||
		in.Op >= program.OpBLTZAL && in.Op <= program.OpBGEZALL || in.Op == program.OpJR || in.Op == program.OpJALR:
		return "branch", in
	}
	return "alu", in
}

// mipsGas collects execution gas per class.
type mipsGas map[string][]uint64

func (g mipsGas) merge(o mipsGas) {
	for k, v := range o {
		g[k] = append(g[k], v...)
	}
}

func (g mipsGas) report(t *testing.T, name string) {
	t.Helper()
	var all []uint64
	classes := make([]string, 0, len(g))
	for c, v := range g {
		classes = append(classes, c)
		all = append(all, v...)
	}
	slices.Sort(classes)
	for _, c := range classes {
		v := slices.Clone(g[c])
		slices.Sort(v)
		t.Logf("%-10s %-8s n=%-7d median %6d  max %6d", name, c, len(v), v[len(v)/2], v[len(v)-1])
	}
	if len(all) > 0 {
		slices.Sort(all)
		t.Logf("%-10s %-8s n=%-7d median %6d  max %6d", name, "all", len(all), all[len(all)/2], all[len(all)-1])
	}
}

// mipsChecker runs machines step by step and checks every step in the EVM.
type mipsChecker struct {
	t          testing.TB
	name       string
	bigEndian  bool
	vm         *contracts.VM
	gas        mipsGas
	checked    int
	outOfScope int
	// oracleReads counts the steps that read the pre-image oracle, tampered
	// those checked again with a tampered local pre-image.
	oracleReads, tampered int
	fails                 []string
	// localContext is passed to every step.
	localContext [32]byte
	// tree follows the one machine the checker runs.
	tree *witness.Tree
	// sysGas is the gas of the syscall steps by number.
	sysGas map[uint32][]uint64
	// opGas is the gas of the checked steps by instruction (syscalls by
	// number, "syscall 4045"; fetch faults "fault").
	opGas map[string][]uint64
}

func newMIPSChecker(t testing.TB, name string, bigEndian bool) *mipsChecker {
	t.Helper()
	vm, err := contracts.NewVM(bigEndian)
	if err != nil {
		t.Fatal(err)
	}
	return &mipsChecker{t: t, name: name, bigEndian: bigEndian, vm: vm, gas: mipsGas{}, sysGas: map[uint32][]uint64{},
		opGas: map[string][]uint64{}}
}

// run checks every step of m (at most maxSteps) until it exits or stops.
func (c *mipsChecker) run(m *executor.Machine, maxSteps uint64) {
	c.t.Helper()
	if c.tree == nil {
		c.tree = witness.NewTree()
	}
	tree := c.tree
	for n := uint64(0); n < maxSteps && !m.Exited() && m.Err() == nil; n++ {
		step := m.Step()
		cls, in := mipsClass(m)
		num := m.Reg(2)
		desc := fmt.Sprintf("%s step %d (pc 0x%08x %s", c.name, step, m.PC(), in)
		if in.Op == program.OpSYSCALL {
			desc += fmt.Sprintf(" %d a0=0x%x a1=0x%x a2=0x%x a3=0x%x", m.Reg(2), m.Reg(4), m.Reg(5), m.Reg(6), m.Reg(7))
		}
		desc += ")"
		w, err := witness.Prove(m, tree)
		if errors.Is(err, witness.ErrUnprovable) {
			c.outOfScope++
			if m.Err() == nil && !m.Exited() && m.Step() == step {
				m.RunUntil(step + 1)
			}
			continue
		}
		if err != nil {
			c.t.Fatalf("%s: %v", desc, err)
		}
		if w.Oracle != nil {
			c.oracleReads++
			if err := c.vm.LoadPreimage(w.Oracle.Key, w.Oracle.Value[8:], w.Oracle.Offset, c.localContext); err != nil {
				c.t.Fatalf("%s: loading the pre-image: %v", desc, err)
			}
		}
		post, gas, err := c.vm.Step(w.State[:], w.Proofs, c.localContext)
		c.checked++
		switch {
		case err != nil:
			c.fails = append(c.fails, fmt.Sprintf("%s: %v (%d proofs)", desc, err, w.NumProofs()))
		case post != w.Post:
			c.fails = append(c.fails, fmt.Sprintf("%s: contract post %x, executor post %x", desc, post, w.Post))
		default:
			c.gas[cls] = append(c.gas[cls], gas)
			op := in.Op.String()
			switch cls {
			case "syscall":
				c.sysGas[num] = append(c.sysGas[num], gas)
				op = fmt.Sprint("syscall ", num)
			case "fault":
				op = "fault"
			}
			c.opGas[op] = append(c.opGas[op], gas)
			if w.Oracle != nil {
				c.tamperOracle(desc, w)
			}
		}
	}
}

// tamperOracle checks that a different pre-image cannot give the honest
// post state: a hashed key refuses other data outright; a local key (the
// dispute game's own data) accepts it, and the step must then end
// elsewhere or revert.
func (c *mipsChecker) tamperOracle(desc string, w *witness.StepWitness) {
	c.t.Helper()
	o := w.Oracle
	data := append([]byte(nil), o.Value[8:]...)
	switch {
	case o.Offset >= 8 && int(o.Offset-8) < len(data):
		data[o.Offset-8] ^= 0x5a // the first byte the step reads
	case o.Offset == 7:
		data = append(data, 0x5a) // changes the length byte the step reads
	default:
		return // the step reads only the zero high bytes of the length, or nothing
	}
	vm, err := contracts.NewVM(c.bigEndian)
	if err != nil {
		c.t.Fatal(err)
	}
	err = vm.LoadPreimage(o.Key, data, o.Offset, c.localContext)
	if o.Key[0] != contracts.KeyTypeLocal {
		if err == nil {
			c.fails = append(c.fails, desc+": the oracle accepted other data under a hashed key")
		}
		return
	}
	if err != nil {
		if len(data) > 32 {
			return // a local pre-image cannot grow past 32 bytes
		}
		c.t.Fatalf("%s: loading tampered local data: %v", desc, err)
	}
	if post, _, err := vm.Step(w.State[:], w.Proofs, c.localContext); err == nil && post == w.Post {
		c.fails = append(c.fails, desc+": a tampered pre-image gives the honest post state")
	}
	c.tampered++
}

// done fails the test on mismatches.
func (c *mipsChecker) done() {
	c.t.Helper()
	for i, f := range c.fails {
		if i == 20 {
			c.t.Errorf("... and %d more", len(c.fails)-20)
			break
		}
		c.t.Error(f)
	}
	if len(c.fails) > 0 {
		c.t.Fatalf("%s: %d of %d steps differ", c.name, len(c.fails), c.checked)
	}
}

// isaOrders runs f for the big- and the little-endian guest.
func isaOrders(t *testing.T, f func(t *testing.T, be bool)) {
	t.Helper()
	for _, o := range []struct {
		name string
		be   bool
	}{{"big", true}, {"little", false}} {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			f(t, o.be)
		})
	}
}

// isaMachine assembles a program.
func isaMachine(t testing.TB, b *asm.Builder, cfg executor.Config) *executor.Machine {
	t.Helper()
	p, err := b.Program()
	if err != nil {
		t.Fatal(err)
	}
	cfg.NoGoPatches = true
	m, err := executor.New(p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// isaOutcome says how a test program must end.
type isaOutcome struct {
	fault  executor.FaultKind // 0: a normal exit
	sig    int
	exit   int // exit code of a normal exit
	scoped int // steps expected to be out of the contract's scope
	// oracleReads is the least number of steps that read the oracle.
	oracleReads int
}

// checkISA builds the program in both byte orders, checks all its steps and
// its outcome, and returns the gas per class of both runs.
func checkISA(t *testing.T, emit func(b *asm.Builder, be bool), want isaOutcome) {
	t.Helper()
	checkISAConfig(t, executor.Config{}, [32]byte{}, emit, want)
}

// checkISAConfig is checkISA with an executor configuration (an oracle) and
// the local context of the steps.
func checkISAConfig(t *testing.T, cfg executor.Config, lc [32]byte, emit func(b *asm.Builder, be bool), want isaOutcome) {
	t.Helper()
	isaOrders(t, func(t *testing.T, be bool) { checkISAOrder(t, be, cfg, lc, emit, want) })
}

// checkISAOrder is checkISAConfig for one byte order; it returns the
// checker and the machine after the run.
func checkISAOrder(t *testing.T, be bool, cfg executor.Config, lc [32]byte, emit func(b *asm.Builder, be bool), want isaOutcome) (*mipsChecker, *executor.Machine) {
	t.Helper()
	b := asm.New(be)
	emit(b, be)
	m := isaMachine(t, b, cfg)
	c := newMIPSChecker(t, t.Name(), be)
	c.localContext = lc
	c.run(m, 1<<20)
	c.done()
	if m.Err() != nil {
		t.Fatalf("run stopped: %v", m.Err())
	}
	if !m.Exited() {
		t.Fatalf("the program did not end within the step budget")
	}
	if c.oracleReads < want.oracleReads {
		t.Errorf("%d steps read the oracle, want at least %d", c.oracleReads, want.oracleReads)
	}
	if c.outOfScope != want.scoped {
		t.Errorf("%d steps out of scope, want %d", c.outOfScope, want.scoped)
	}
	f := m.Fault()
	switch {
	case want.fault == 0 && f != nil:
		t.Errorf("unexpected fault %v", f)
	case want.fault == 0 && int(m.ExitCode()) != want.exit:
		t.Errorf("exit code %d, want %d", m.ExitCode(), want.exit)
	case want.fault != 0 && (f == nil || f.Kind != want.fault || f.Signal != want.sig):
		t.Errorf("fault %v, want kind %v signal %d", f, want.fault, want.sig)
	}
	t.Logf("%d steps checked", c.checked)
	if testing.Verbose() {
		c.gas.report(t, "gas")
	}
	return c, m
}

// ---------------------------------------------------------------------------
// ALU

func addOverflows(a, b uint32) bool { s := a + b; return (a^s)&(b^s)>>31 != 0 }
func subOverflows(a, b uint32) bool { s := a - b; return (a^b)&(a^s)>>31 != 0 }

func TestMIPSALURegister(t *testing.T) {
	checkISA(t, func(b *asm.Builder, be bool) {
		for _, x := range isaValues {
			for _, y := range isaValues {
				b.LI(rT0, x)
				b.LI(rT1, y)
				b.ADDU(rT2, rT0, rT1)
				b.SUBU(rT2, rT0, rT1)
				b.AND(rT2, rT0, rT1)
				b.OR(rT2, rT0, rT1)
				b.XOR(rT2, rT0, rT1)
				b.NOR(rT2, rT0, rT1)
				b.SLT(rT2, rT0, rT1)
				b.SLTU(rT2, rT0, rT1)
				b.SLLV(rT2, rT0, rT1)
				b.SRLV(rT2, rT0, rT1)
				b.SRAV(rT2, rT0, rT1)
				b.ROTRV(rT2, rT0, rT1)
				b.MOVZ(rT3, rT0, rT1)
				b.MOVN(rT4, rT0, rT1)
				b.MUL(rT2, rT0, rT1)
				b.MULT(rT0, rT1)
				b.MFHI(rT2)
				b.MFLO(rT3)
				b.MULTU(rT0, rT1)
				b.MADD(rT0, rT1)
				b.MADDU(rT0, rT1)
				b.MSUB(rT1, rT0)
				b.MSUBU(rT1, rT0)
				b.MFHI(rT2)
				b.DIV(rT0, rT1) // by zero included: lo = rs, hi = 0
				b.MFLO(rT2)
				b.MFHI(rT3)
				b.DIVU(rT0, rT1)
				b.MTHI(rT0)
				b.MTLO(rT1)
				b.MADD(rT1, rT1)
				if !addOverflows(x, y) {
					b.ADD(rT2, rT0, rT1)
				}
				if !subOverflows(x, y) {
					b.SUB(rT2, rT0, rT1)
				}
				// Traps that are not taken.
				if !(int32(x) >= int32(y)) {
					b.TGE(rT0, rT1, 7)
				}
				if !(x >= y) {
					b.TGEU(rT0, rT1, 0)
				}
				if !(int32(x) < int32(y)) {
					b.TLT(rT0, rT1, 6)
				}
				if !(x < y) {
					b.TLTU(rT0, rT1, 1)
				}
				if x != y {
					b.TEQ(rT0, rT1, 7)
				} else {
					b.TNE(rT0, rT1, 7)
				}
				// Writes to $zero are discarded.
				b.ADDU(rZero, rT0, rT1)
				b.MUL(rZero, rT0, rT1)
				b.MOVN(rZero, rT0, rT1)
			}
		}
		b.Exit(0)
	}, isaOutcome{})
}

func TestMIPSALUOneOperand(t *testing.T) {
	checkISA(t, func(b *asm.Builder, be bool) {
		for _, x := range isaValues {
			b.LI(rT0, x)
			b.LI(rT1, ^x)
			b.CLZ(rT2, rT0)
			b.CLO(rT2, rT0)
			b.SEB(rT2, rT0)
			b.SEH(rT2, rT0)
			b.WSBH(rT2, rT0)
			for _, sa := range []uint8{0, 1, 4, 8, 15, 16, 31} {
				b.SLL(rT2, rT0, sa)
				b.SRL(rT2, rT0, sa)
				b.SRA(rT2, rT0, sa)
				b.ROTR(rT2, rT0, sa)
			}
			for _, f := range [][2]uint8{{0, 1}, {0, 32}, {4, 8}, {31, 1}, {16, 16}, {1, 31}, {7, 9}} {
				b.EXT(rT2, rT0, f[0], f[1])
				b.INS(rT1, rT0, f[0], f[1])
				b.INS(rT2, rT1, f[0], f[1])
			}
			for _, imm := range isaImms {
				simm := uint32(int32(int16(imm)))
				b.ADDIU(rT2, rT0, int16(imm))
				if !addOverflows(x, simm) {
					b.ADDI(rT2, rT0, int16(imm))
				}
				b.SLTI(rT2, rT0, int16(imm))
				b.SLTIU(rT2, rT0, int16(imm))
				b.ANDI(rT2, rT0, imm)
				b.ORI(rT2, rT0, imm)
				b.XORI(rT2, rT0, imm)
				b.LUI(rT2, imm)
				if !(int32(x) >= int32(simm)) {
					b.TGEI(rT0, int16(imm))
				}
				if !(x >= simm) {
					b.TGEIU(rT0, int16(imm))
				}
				if !(int32(x) < int32(simm)) {
					b.TLTI(rT0, int16(imm))
				}
				if !(x < simm) {
					b.TLTIU(rT0, int16(imm))
				}
				if x != simm {
					b.TEQI(rT0, int16(imm))
				} else {
					b.TNEI(rT0, int16(imm))
				}
			}
			b.ADDIU(rZero, rT0, 5)
			b.LUI(rZero, 0x1234)
		}
		// Hardware registers and no-ops.
		b.RDHWR(rT2, 0)
		b.RDHWR(rT2, 1)
		b.RDHWR(rT2, 2)
		b.RDHWR(rT2, 3)
		b.SYNC()
		b.SYNCType(16)
		b.SSNOP()
		b.EHB()
		b.NOP()
		b.LI(rT0, 0x10000000)
		b.PREF(0, 4, rT0)
		b.CACHE(0x14, -4, rT0)
		b.SYNCI(8, rT0)
		b.Word(0x00a52803) // sra with rs = 5: still sra
		b.Word(0x00a52844) // sllv with sa = 1: still sllv
		b.Exit(3)
	}, isaOutcome{exit: 3})
}

// TestMIPSRegisterZeroInState checks r0 handling at the edges: a jalr that
// links into $zero, and movz/movn/mfhi writing it.
func TestMIPSRegisterZeroWrites(t *testing.T) {
	checkISA(t, func(b *asm.Builder, be bool) {
		b.LA(rT9, "next")
		b.JALR(rZero, rT9)
		b.NOP()
		b.Label("next")
		b.MFHI(rZero)
		b.MOVZ(rZero, rT9, rZero)
		b.SC(rZero, 0, rSP)
		b.LW(rZero, 0, rSP)
		b.Exit(0)
	}, isaOutcome{})
}

// ---------------------------------------------------------------------------
// Branches and jumps

func TestMIPSBranches(t *testing.T) {
	type br struct {
		name   string
		emit   func(b *asm.Builder, target string)
		two    bool // compares two registers
		likely bool
	}
	branches := []br{
		{"beq", func(b *asm.Builder, l string) { b.BEQ(rT0, rT1, l) }, true, false},
		{"bne", func(b *asm.Builder, l string) { b.BNE(rT0, rT1, l) }, true, false},
		{"blez", func(b *asm.Builder, l string) { b.BLEZ(rT0, l) }, false, false},
		{"bgtz", func(b *asm.Builder, l string) { b.BGTZ(rT0, l) }, false, false},
		{"bltz", func(b *asm.Builder, l string) { b.BLTZ(rT0, l) }, false, false},
		{"bgez", func(b *asm.Builder, l string) { b.BGEZ(rT0, l) }, false, false},
		{"bltzal", func(b *asm.Builder, l string) { b.BLTZAL(rT0, l) }, false, false},
		{"bgezal", func(b *asm.Builder, l string) { b.BGEZAL(rT0, l) }, false, false},
		{"beql", func(b *asm.Builder, l string) { b.BEQL(rT0, rT1, l) }, true, true},
		{"bnel", func(b *asm.Builder, l string) { b.BNEL(rT0, rT1, l) }, true, true},
		{"blezl", func(b *asm.Builder, l string) { b.BLEZL(rT0, l) }, false, true},
		{"bgtzl", func(b *asm.Builder, l string) { b.BGTZL(rT0, l) }, false, true},
		{"bltzl", func(b *asm.Builder, l string) { b.BLTZL(rT0, l) }, false, true},
		{"bgezl", func(b *asm.Builder, l string) { b.BGEZL(rT0, l) }, false, true},
		{"bltzall", func(b *asm.Builder, l string) { b.BLTZALL(rT0, l) }, false, true},
		{"bgezall", func(b *asm.Builder, l string) { b.BGEZALL(rT0, l) }, false, true},
	}
	vals := []uint32{0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 5}
	checkISA(t, func(b *asm.Builder, be bool) {
		n := 0
		for _, br := range branches {
			for _, x := range vals {
				ys := []uint32{0}
				if br.two {
					ys = []uint32{x, x + 1, 0}
				}
				for _, y := range ys {
					n++
					l := fmt.Sprintf("L%d", n)
					b.LI(rT0, x)
					b.LI(rT1, y)
					br.emit(b, l)
					b.ADDIU(rT2, rT2, 1) // delay slot (annulled by a likely branch not taken)
					b.ADDIU(rT3, rT3, 1) // not taken
					b.Label(l)
					b.ADDIU(rT4, rT4, 1)
				}
			}
		}
		// Forward and backward targets, branching on $ra itself.
		b.ADDIU(rT0, rZero, 3)
		b.Label("loop")
		b.ADDIU(rT0, rT0, -1)
		b.BNE(rT0, rZero, "loop")
		b.NOP()
		b.LI(rRA, 0xffffffff)
		b.BLTZAL(rRA, "linked") // reads ra before linking
		b.NOP()
		b.Label("linked")
		b.BAL("bal")
		b.NOP()
		b.Label("bal")
		// Jumps: j, jal, jr, jalr (other rd, rd = rs), hazard variants.
		b.J("j1")
		b.ADDIU(rT2, rT2, 1)
		b.Label("j1")
		b.JAL("j2")
		b.ADDIU(rT2, rT2, 1)
		b.Label("j2")
		b.LA(rT9, "j3")
		b.JR(rT9)
		b.NOP()
		b.Label("j3")
		b.LA(rT9, "j4")
		b.JALR(rT5, rT9)
		b.NOP()
		b.Label("j4")
		b.LA(rT9, "j5")
		b.JALR(rT9, rT9) // target read before the link
		b.NOP()
		b.Label("j5")
		b.LA(rT9, "j6")
		b.JRHB(rT9)
		b.NOP()
		b.Label("j6")
		b.LA(rT9, "j7")
		b.JALRHB(rRA, rT9)
		b.NOP()
		b.Label("j7")
		// A syscall in a delay slot continues at the branch target.
		b.J("j8")
		b.ADDIU(rV0, rZero, 4020) // getpid
		b.Label("j8")
		b.B("j9")
		b.SYSCALL()
		b.Label("j9")
		b.Exit(0)
	}, isaOutcome{})
}

// TestMIPSJumpRegions checks j/jal targets, which take the region of the
// delay slot: code straddling 0x10000000.
func TestMIPSJumpRegions(t *testing.T) {
	checkISA(t, func(b *asm.Builder, be bool) {
		b.TextBase = 0x0ffffff0
		b.DataBase = 0x20000000
		b.NOP()
		b.NOP()
		b.NOP()
		// At 0x0ffffffc: the delay slot is at 0x10000000, so the target is
		// in the region 0x1xxxxxxx: index (0x10000010 >> 2) & 0x3ffffff.
		b.Word(3<<26 | (0x10000010>>2)&0x3ffffff) // jal 0x10000010
		b.NOP()
		b.NOP()
		b.NOP()
		b.NOP()
		b.Exit(0) // 0x10000010
	}, isaOutcome{})
}

// ---------------------------------------------------------------------------
// Loads and stores

func TestMIPSLoadsStores(t *testing.T) {
	checkISA(t, func(b *asm.Builder, be bool) {
		pattern := make([]byte, 64)
		for i := range pattern {
			pattern[i] = byte(0x81 + 0x11*i)
		}
		b.Data("buf", pattern)
		b.LA(rS0, "buf")
		b.LI(rT7, 0xa1b2c3d4)
		for off := int16(0); off < 8; off++ {
			b.LB(rT0, off, rS0)
			b.LBU(rT0, off, rS0)
			b.LWL(rT1, off, rS0)
			b.LWR(rT1, off, rS0)
			b.LI(rT2, 0x55667788)
			b.LWR(rT2, off+3, rS0)
			b.LWL(rT2, off, rS0)
			if off%2 == 0 {
				b.LH(rT0, off, rS0)
				b.LHU(rT0, off, rS0)
			}
			if off%4 == 0 {
				b.LW(rT0, off, rS0)
				b.LL(rT0, off, rS0)
			}
		}
		for off := int16(16); off < 24; off++ {
			b.SB(rT7, off, rS0)
			b.SWL(rT7, off+8, rS0)
			b.SWR(rT7, off+16, rS0)
			b.ADDIU(rT7, rT7, 0x0f1)
			if off%2 == 0 {
				b.SH(rT7, off+24, rS0)
			}
			if off%4 == 0 {
				b.SW(rT7, off-16, rS0)
				b.SC(rT7, off-12, rS0)
			}
		}
		// Negative offsets, a load into the register that is the base.
		b.ADDIU(rS1, rS0, 40)
		b.LW(rT0, -8, rS1)
		b.LBU(rS1, -1, rS1)
		// Self-modifying code: store an instruction, then execute it.
		b.LA(rT9, "patch")
		b.LI(rT0, 0x24080063) // addiu $t0, $zero, 99
		b.SW(rT0, 0, rT9)
		b.Label("patch")
		b.NOP()
		b.Exit(0)
	}, isaOutcome{})
}

// ---------------------------------------------------------------------------
// Faults: each program ends with the faulting step.

type faultCase struct {
	name string
	emit func(b *asm.Builder)
	kind executor.FaultKind
	sig  int
}

func TestMIPSFaults(t *testing.T) {
	li2 := func(x, y uint32) func(b *asm.Builder) {
		return func(b *asm.Builder) { b.LI(rT0, x); b.LI(rT1, y) }
	}
	word := func(w uint32) func(b *asm.Builder) { return func(b *asm.Builder) { b.Word(w) } }
	addr := func(a uint32) func(b *asm.Builder) { return func(b *asm.Builder) { b.LI(rS0, a) } }
	data := func(off uint32) func(b *asm.Builder) {
		return func(b *asm.Builder) {
			b.Data("d", make([]byte, 16))
			b.LA(rS0, "d")
			b.ADDIU(rS0, rS0, int16(off))
		}
	}
	cases := []faultCase{
		{"add overflow", seq(li2(0x7fffffff, 1), func(b *asm.Builder) { b.ADD(rT2, rT0, rT1) }), executor.FaultOverflow, executor.SIGFPE},
		{"add negative overflow", seq(li2(0x80000000, 0xffffffff), func(b *asm.Builder) { b.ADD(rT2, rT0, rT1) }), executor.FaultOverflow, executor.SIGFPE},
		{"sub overflow", seq(li2(0x80000000, 1), func(b *asm.Builder) { b.SUB(rT2, rT0, rT1) }), executor.FaultOverflow, executor.SIGFPE},
		{"sub overflow 2", seq(li2(0x7fffffff, 0xffffffff), func(b *asm.Builder) { b.SUB(rT2, rT0, rT1) }), executor.FaultOverflow, executor.SIGFPE},
		{"addi overflow", seq(li2(0x7fffffff, 0), func(b *asm.Builder) { b.ADDI(rT2, rT0, 1) }), executor.FaultOverflow, executor.SIGFPE},
		{"addi negative overflow", seq(li2(0x80000000, 0), func(b *asm.Builder) { b.ADDI(rT2, rT0, -1) }), executor.FaultOverflow, executor.SIGFPE},
		{"teq code 0", seq(li2(5, 5), func(b *asm.Builder) { b.TEQ(rT0, rT1, 0) }), executor.FaultTrap, executor.SIGTRAP},
		{"teq code 7", seq(li2(0, 0), func(b *asm.Builder) { b.TEQ(rT0, rT1, 7) }), executor.FaultTrap, executor.SIGFPE},
		{"teq code 6", seq(li2(0, 0), func(b *asm.Builder) { b.TEQ(rT0, rT1, 6) }), executor.FaultTrap, executor.SIGFPE},
		{"tne", seq(li2(1, 0), func(b *asm.Builder) { b.TNE(rT0, rT1, 1023) }), executor.FaultTrap, executor.SIGTRAP},
		{"tge", seq(li2(1, 0xffffffff), func(b *asm.Builder) { b.TGE(rT0, rT1, 3) }), executor.FaultTrap, executor.SIGTRAP},
		{"tgeu", seq(li2(0xffffffff, 1), func(b *asm.Builder) { b.TGEU(rT0, rT1, 7) }), executor.FaultTrap, executor.SIGFPE},
		{"tlt", seq(li2(0x80000000, 0), func(b *asm.Builder) { b.TLT(rT0, rT1, 0) }), executor.FaultTrap, executor.SIGTRAP},
		{"tltu", seq(li2(0, 0x80000000), func(b *asm.Builder) { b.TLTU(rT0, rT1, 6) }), executor.FaultTrap, executor.SIGFPE},
		{"tgei", seq(li2(0, 0), func(b *asm.Builder) { b.TGEI(rT0, -1) }), executor.FaultTrap, executor.SIGTRAP},
		{"tgeiu", seq(li2(0xfffffff0, 0), func(b *asm.Builder) { b.TGEIU(rT0, 1) }), executor.FaultTrap, executor.SIGTRAP},
		{"tlti", seq(li2(0xffffff00, 0), func(b *asm.Builder) { b.TLTI(rT0, -1) }), executor.FaultTrap, executor.SIGTRAP},
		{"tltiu", seq(li2(5, 0), func(b *asm.Builder) { b.TLTIU(rT0, -1) }), executor.FaultTrap, executor.SIGTRAP},
		{"teqi", seq(li2(0xffff8000, 0), func(b *asm.Builder) { b.TEQI(rT0, -32768) }), executor.FaultTrap, executor.SIGTRAP},
		{"tnei", seq(li2(7, 0), func(b *asm.Builder) { b.TNEI(rT0, 6) }), executor.FaultTrap, executor.SIGTRAP},
		{"break", func(b *asm.Builder) { b.BREAK(0) }, executor.FaultTrap, executor.SIGTRAP},
		{"break 7", func(b *asm.Builder) { b.BREAK(7) }, executor.FaultTrap, executor.SIGFPE},
		{"break 6", func(b *asm.Builder) { b.BREAK(6) }, executor.FaultTrap, executor.SIGFPE},
		{"break 0,7", func(b *asm.Builder) { b.BREAK2(0, 7) }, executor.FaultTrap, executor.SIGFPE},
		{"break 1,7", func(b *asm.Builder) { b.BREAK2(1, 7) }, executor.FaultTrap, executor.SIGTRAP},
		{"break 7,1", func(b *asm.Builder) { b.BREAK2(7, 1) }, executor.FaultTrap, executor.SIGTRAP},
		// Reserved instructions.
		{"opcode 39", word(39 << 26), executor.FaultReserved, executor.SIGILL},
		{"opcode 63", word(0xfc000000), executor.FaultReserved, executor.SIGILL},
		{"opcode 24", word(24 << 26), executor.FaultReserved, executor.SIGILL},
		{"opcode 30", word(30 << 26), executor.FaultReserved, executor.SIGILL},
		{"opcode 44", word(44 << 26), executor.FaultReserved, executor.SIGILL},
		{"opcode 50 lwc2", word(0xc8000000), executor.FaultReserved, executor.SIGILL},
		{"opcode 58", word(58 << 26), executor.FaultReserved, executor.SIGILL},
		{"cop2", word(18 << 26), executor.FaultReserved, executor.SIGILL},
		{"cop1 rs 1", word(17<<26 | 1<<21), executor.FaultReserved, executor.SIGILL},
		{"cop1 rs 9", word(0x45200000), executor.FaultReserved, executor.SIGILL},
		{"special 5", word(5), executor.FaultReserved, executor.SIGILL},
		{"special 14", word(14), executor.FaultReserved, executor.SIGILL},
		{"special 20", word(20), executor.FaultReserved, executor.SIGILL},
		{"special 28", word(28), executor.FaultReserved, executor.SIGILL},
		{"special 40", word(40), executor.FaultReserved, executor.SIGILL},
		{"special 53", word(53), executor.FaultReserved, executor.SIGILL},
		{"special 63", word(63), executor.FaultReserved, executor.SIGILL},
		{"srl rs 2", word(0x00400802), executor.FaultReserved, executor.SIGILL},
		{"srlv sa 2", word(0x00000086), executor.FaultReserved, executor.SIGILL},
		{"regimm 4", word(0x04840000), executor.FaultReserved, executor.SIGILL},
		{"regimm 13", word(0x040d0000), executor.FaultReserved, executor.SIGILL},
		{"regimm 15", word(0x040f0000), executor.FaultReserved, executor.SIGILL},
		{"regimm 20", word(0x04140000), executor.FaultReserved, executor.SIGILL},
		{"regimm 24", word(0x04180000), executor.FaultReserved, executor.SIGILL},
		{"regimm 28", word(0x041c0000), executor.FaultReserved, executor.SIGILL},
		{"regimm 30", word(0x041e0000), executor.FaultReserved, executor.SIGILL},
		{"blez rt", word(0x19090000), executor.FaultReserved, executor.SIGILL},
		{"bgtz rt", word(0x1d090000), executor.FaultReserved, executor.SIGILL},
		{"blezl rt", word(0x59090000), executor.FaultReserved, executor.SIGILL},
		{"bgtzl rt", word(0x5d090000), executor.FaultReserved, executor.SIGILL},
		{"special2 3", word(28<<26 | 3), executor.FaultReserved, executor.SIGILL},
		{"special2 34", word(28<<26 | 34), executor.FaultReserved, executor.SIGILL},
		{"special3 1", word(31<<26 | 1), executor.FaultReserved, executor.SIGILL},
		{"special3 60", word(31<<26 | 60), executor.FaultReserved, executor.SIGILL},
		{"ext past bit 31", word(31<<26 | 9<<21 | 8<<16 | 31<<11 | 1<<6), executor.FaultReserved, executor.SIGILL},
		{"ins msb below lsb", word(31<<26 | 9<<21 | 8<<16 | 3<<11 | 4<<6 | 4), executor.FaultReserved, executor.SIGILL},
		{"bshfl 3", word(0x7c0410e0), executor.FaultReserved, executor.SIGILL},
		{"bshfl 0", word(0x7c041020), executor.FaultReserved, executor.SIGILL},
		{"rdhwr 4", word(31<<26 | 8<<16 | 4<<11 | 59), executor.FaultReserved, executor.SIGILL},
		{"rdhwr 30", word(31<<26 | 8<<16 | 30<<11 | 59), executor.FaultReserved, executor.SIGILL},
		// Branches and jumps in a delay slot.
		{"beq in a j slot", func(b *asm.Builder) { b.J("x"); b.BEQ(rZero, rZero, "x"); b.NOP(); b.Label("x"); b.NOP() }, executor.FaultDelaySlot, executor.SIGILL},
		{"jr in a jal slot", func(b *asm.Builder) { b.JAL("x"); b.JR(rRA); b.NOP(); b.Label("x"); b.NOP() }, executor.FaultDelaySlot, executor.SIGILL},
		{"j in a bne slot", func(b *asm.Builder) {
			b.ADDIU(rT0, rZero, 1)
			b.BNE(rT0, rZero, "x")
			b.J("x")
			b.NOP()
			b.Label("x")
			b.NOP()
		}, executor.FaultDelaySlot, executor.SIGILL},
		{"beql in a beq slot", func(b *asm.Builder) { b.B("x"); b.BEQL(rZero, rZero, "x"); b.NOP(); b.Label("x"); b.NOP() }, executor.FaultDelaySlot, executor.SIGILL},
		{"bgezal in a jr slot", func(b *asm.Builder) {
			b.LA(rT9, "x")
			b.JR(rT9)
			b.BAL("x")
			b.NOP()
			b.Label("x")
			b.NOP()
		}, executor.FaultDelaySlot, executor.SIGILL},
		{"bltzall in a j slot", func(b *asm.Builder) { b.J("x"); b.BLTZALL(rZero, "x"); b.NOP(); b.Label("x"); b.NOP() }, executor.FaultDelaySlot, executor.SIGILL},
		{"jalr in a bal slot", func(b *asm.Builder) { b.BAL("x"); b.JALR(rRA, rT9); b.NOP(); b.Label("x"); b.NOP() }, executor.FaultDelaySlot, executor.SIGILL},
		// Fetch faults.
		{"jump misaligned", func(b *asm.Builder) {
			b.LA(rT9, "x")
			b.ADDIU(rT9, rT9, 2)
			b.JR(rT9)
			b.NOP()
			b.Label("x")
			b.NOP()
		}, executor.FaultAlign, executor.SIGBUS},
		{"jump misaligned 1", func(b *asm.Builder) {
			b.LA(rT9, "x")
			b.ADDIU(rT9, rT9, 1)
			b.JR(rT9)
			b.NOP()
			b.Label("x")
			b.NOP()
		}, executor.FaultAlign, executor.SIGBUS},
		{"jump null page", func(b *asm.Builder) { b.ADDIU(rT9, rZero, 0x800); b.JALR(rRA, rT9); b.NOP() }, executor.FaultNull, executor.SIGSEGV},
		{"jump zero", func(b *asm.Builder) { b.JR(rZero); b.NOP() }, executor.FaultNull, executor.SIGSEGV},
		{"jump misaligned null", func(b *asm.Builder) { b.ADDIU(rT9, rZero, 0x803); b.JR(rT9); b.NOP() }, executor.FaultAlign, executor.SIGBUS},
		// pc 0xfffffffc holds zeros (a nop); the next pc wraps to 0, the null page.
		{"jump top", func(b *asm.Builder) { b.LI(rT9, 0xfffffffc); b.JR(rT9); b.NOP() }, executor.FaultNull, executor.SIGSEGV},
		// Data faults: misalignment before the null page.
		{"lw misaligned", seq(data(1), func(b *asm.Builder) { b.LW(rT0, 0, rS0) }), executor.FaultAlign, executor.SIGBUS},
		{"lw misaligned 2", seq(data(2), func(b *asm.Builder) { b.LW(rT0, 0, rS0) }), executor.FaultAlign, executor.SIGBUS},
		{"ll misaligned", seq(data(3), func(b *asm.Builder) { b.LL(rT0, 0, rS0) }), executor.FaultAlign, executor.SIGBUS},
		{"lh odd", seq(data(1), func(b *asm.Builder) { b.LH(rT0, 0, rS0) }), executor.FaultAlign, executor.SIGBUS},
		{"lhu odd", seq(data(3), func(b *asm.Builder) { b.LHU(rT0, 0, rS0) }), executor.FaultAlign, executor.SIGBUS},
		{"sh odd", seq(data(1), func(b *asm.Builder) { b.SH(rT0, 0, rS0) }), executor.FaultAlign, executor.SIGBUS},
		{"sw misaligned", seq(data(2), func(b *asm.Builder) { b.SW(rT0, 0, rS0) }), executor.FaultAlign, executor.SIGBUS},
		{"sc misaligned", seq(data(1), func(b *asm.Builder) { b.SC(rT0, 0, rS0) }), executor.FaultAlign, executor.SIGBUS},
		{"lw null", seq(addr(0x800), func(b *asm.Builder) { b.LW(rT0, 4, rS0) }), executor.FaultNull, executor.SIGSEGV},
		{"lw null misaligned", seq(addr(0x800), func(b *asm.Builder) { b.LW(rT0, 2, rS0) }), executor.FaultAlign, executor.SIGBUS},
		{"lw wraps to null", seq(addr(0xfffffff0), func(b *asm.Builder) { b.LW(rT0, 0x20, rS0) }), executor.FaultNull, executor.SIGSEGV},
		{"lb null", seq(addr(0xffc), func(b *asm.Builder) { b.LB(rT0, 3, rS0) }), executor.FaultNull, executor.SIGSEGV},
		{"lbu null", seq(addr(0), func(b *asm.Builder) { b.LBU(rT0, 0, rS0) }), executor.FaultNull, executor.SIGSEGV},
		{"lh null", seq(addr(0x10), func(b *asm.Builder) { b.LH(rT0, 0, rS0) }), executor.FaultNull, executor.SIGSEGV},
		{"lh null odd", seq(addr(0x10), func(b *asm.Builder) { b.LH(rT0, 1, rS0) }), executor.FaultAlign, executor.SIGBUS},
		{"lwl null", seq(addr(0x10), func(b *asm.Builder) { b.LWL(rT0, 1, rS0) }), executor.FaultNull, executor.SIGSEGV},
		{"lwr null", seq(addr(0x10), func(b *asm.Builder) { b.LWR(rT0, 2, rS0) }), executor.FaultNull, executor.SIGSEGV},
		{"sb null", seq(addr(0x10), func(b *asm.Builder) { b.SB(rT0, 3, rS0) }), executor.FaultNull, executor.SIGSEGV},
		{"sh null", seq(addr(0x10), func(b *asm.Builder) { b.SH(rT0, 2, rS0) }), executor.FaultNull, executor.SIGSEGV},
		{"sw null", seq(addr(0x10), func(b *asm.Builder) { b.SW(rT0, 0, rS0) }), executor.FaultNull, executor.SIGSEGV},
		{"swl null", seq(addr(0x10), func(b *asm.Builder) { b.SWL(rT0, 1, rS0) }), executor.FaultNull, executor.SIGSEGV},
		{"swr null", seq(addr(0x10), func(b *asm.Builder) { b.SWR(rT0, 3, rS0) }), executor.FaultNull, executor.SIGSEGV},
		{"sc null", seq(addr(0x10), func(b *asm.Builder) { b.SC(rT0, 0, rS0) }), executor.FaultNull, executor.SIGSEGV},
		{"lw null in a delay slot", seq(addr(0x10), func(b *asm.Builder) { b.J("x"); b.LW(rT0, 0, rS0); b.Label("x"); b.NOP() }), executor.FaultNull, executor.SIGSEGV},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := isaOutcome{fault: tc.kind, sig: tc.sig}
			emit := func(b *asm.Builder, be bool) {
				tc.emit(b)
				b.Exit(0)
			}
			checkISA(t, emit, want)
		})
	}
}

// ---------------------------------------------------------------------------
// Linux syscalls

// sys emits a syscall with up to four register arguments.
func sys(b *asm.Builder, num uint32, args ...uint32) {
	for i, a := range args {
		b.LI(rA0+asm.Reg(i), a)
	}
	b.LI(rV0, num)
	b.SYSCALL()
}

// sysBuf emits a syscall whose argument argi is the address of label plus off.
func sysBuf(b *asm.Builder, num uint32, label string, off int16, argi int, args ...uint32) {
	for i, a := range args {
		b.LI(rA0+asm.Reg(i), a)
	}
	r := rA0 + asm.Reg(argi)
	b.LA(r, label)
	b.ADDIU(r, r, off)
	b.LI(rV0, num)
	b.SYSCALL()
}

func TestMIPSSyscallsSimple(t *testing.T) {
	checkISA(t, func(b *asm.Builder, be bool) {
		for _, num := range []uint32{
			4020, 4222, 4064, 4024, 4049, 4047, 4050, 4252, 4309, 4162, 4166, 4265, 4407, 4125, 4167,
			4192, 4367, 4005, 4288, 4085, 4298, 4293, 4000, 4999, 4002, 4444,
		} {
			sys(b, num, 1, 2, 3, 4)
		}
		// Descriptors 0..7: fcntl, lseek, _llseek, pread64, ioctl.
		for fd := uint32(0); fd < 9; fd++ {
			for _, cmd := range []uint32{1, 2, 3, 4, 0, 5, 1030} {
				sys(b, 4055, fd, cmd)
				sys(b, 4220, fd, cmd)
			}
			sys(b, 4019, fd, 0, 0)
			sys(b, 4140, fd, 0, 0)
			sys(b, 4200, fd, 0, 0)
			sys(b, 4054, fd, 0x5401, 0)
		}
		sys(b, 4055, 0xffffff9c, 3) // AT_FDCWD
		// munmap, madvise, mprotect, mremap.
		sys(b, 4091, 0x40000000, 0x1000)
		sys(b, 4091, 0x40000000, 0)
		sys(b, 4091, 0x40000010, 0x1000)
		sys(b, 4218, 0x40000000, 0)
		sys(b, 4218, 0x40000800, 0x1000)
		// futex: wake (and its flags), unknown operations.
		sys(b, 4238, 0x10000000, 1, 1, 0)
		sys(b, 4238, 0x10000000, 129, 1, 0)
		sys(b, 4238, 0x10000000, 10|256, 1, 0)
		sys(b, 4238, 0x10000000, 5, 1, 0)
		sys(b, 4422, 0x10000000, 1, 1, 0)
		// prlimit64 errors, getrlimit errors.
		sys(b, 4338, 1, 3, 0, 0)
		sys(b, 4338, 0, 3, 0x1000, 0)
		sys(b, 4338, 1000, 3, 0, 0)
		sys(b, 4338, 0, 16, 0, 0x10000000)
		sys(b, 4076, 16, 0x10000000)
		sys(b, 4076, 3, 0)
		// getcwd ERANGE; sched_getaffinity EINVAL; clock errors.
		sys(b, 4203, 0x10000000, 1)
		sys(b, 4240, 0, 3, 0x10000000)
		sys(b, 4263, 12, 0x10000000)
		sys(b, 4403, 0xffffffff, 0x10000000)
		b.Exit(42)
	}, isaOutcome{exit: 42})
}

// TestMIPSSyscallsMemory covers the syscalls that write structs, aligned,
// misaligned (byte-wise) and out of range (EFAULT).
func TestMIPSSyscallsMemory(t *testing.T) {
	checkISA(t, func(b *asm.Builder, be bool) {
		b.BSS("buf", 1024)
		b.BSS("buf2", 1024)
		offs := []int16{0, 1, 2, 3, 4}
		for _, off := range offs {
			sysBuf(b, 4263, "buf", off, 1, 0)       // clock_gettime
			sysBuf(b, 4403, "buf", off, 1, 1)       // clock_gettime64
			sysBuf(b, 4264, "buf", off, 1, 0)       // clock_getres
			sysBuf(b, 4406, "buf", off, 1, 0)       // clock_getres_time64
			sysBuf(b, 4078, "buf", off, 0)          // gettimeofday
			sysBuf(b, 4013, "buf", off, 0)          // time
			sysBuf(b, 4122, "buf", off, 0)          // uname
			sysBuf(b, 4203, "buf", off+500, 0)      // getcwd: a0 = buf, a1 = ... (set below)
			sysBuf(b, 4116, "buf", off, 0)          // sysinfo
			sysBuf(b, 4076, "buf", off, 1, 3)       // getrlimit(RLIMIT_STACK)
			sysBuf(b, 4076, "buf", off, 1, 5)       // getrlimit(RLIMIT_NOFILE)
			sysBuf(b, 4076, "buf", off, 1, 0)       // getrlimit(RLIMIT_CPU)
			sysBuf(b, 4338, "buf", off, 3, 0, 5, 0) // prlimit64
			sysBuf(b, 4338, "buf", off, 3, 1000, 7, 0)
			sysBuf(b, 4195, "buf", off, 2, 0, 0)   // rt_sigprocmask
			sysBuf(b, 4206, "buf", off, 1, 0)      // sigaltstack
			sysBuf(b, 4240, "buf", off, 2, 0, 128) // sched_getaffinity
			for fd := uint32(0); fd < 8; fd += 3 {
				sysBuf(b, 4215, "buf2", off, 1, fd) // fstat64
			}
			sysBuf(b, 4215, "buf2", off, 1, 6)
		}
		// getcwd with room: a1 = 100, and crossing a word.
		b.LI(rA1, 100)
		b.LA(rA0, "buf")
		b.ADDIU(rA0, rA0, 3)
		b.LI(rV0, 4203)
		b.SYSCALL()
		b.LI(rA1, 2)
		b.LA(rA0, "buf")
		b.LI(rV0, 4203)
		b.SYSCALL()
		// The same call twice in a row (idempotent writes: unchanged leaves).
		sysBuf(b, 4206, "buf", 0, 1, 0)
		sysBuf(b, 4206, "buf", 0, 1, 0)
		// Out of range: EFAULT (no memory touched).
		for _, a := range []uint32{0, 0x800, 0xfff, 0xfffffffc, 0xffffff00} {
			sys(b, 4263, 0, a)
			sys(b, 4403, 0, a)
			sys(b, 4122, a)
			sys(b, 4116, a)
			sys(b, 4076, 3, a)
			sys(b, 4338, 0, 3, 0, a)
			sys(b, 4195, 0, 0, a)
			sys(b, 4206, 0, a)
			sys(b, 4240, 0, 4, a)
			sys(b, 4215, 1, a)
		}
		// No range check: clock_getres, gettimeofday, time, getcwd write
		// anywhere (here into the null page and across the top of memory).
		sys(b, 4264, 0, 0x100)
		sys(b, 4406, 0, 0xfffffffa)
		sys(b, 4078, 0x200)
		sys(b, 4013, 0xfffffffe)
		sys(b, 4203, 0xffffffff, 5)
		// NULL pointers that mean "no output".
		sys(b, 4264, 0, 0)
		sys(b, 4078, 0)
		sys(b, 4013, 0)
		sys(b, 4195, 0, 0, 0)
		sys(b, 4206, 0, 0)
		b.Exit(0)
	}, isaOutcome{})
}

func TestMIPSSyscallsStatx(t *testing.T) {
	checkISA(t, func(b *asm.Builder, be bool) {
		b.BSS("st", 1024)
		b.Data("empty", []byte{0, 0, 0, 0})
		b.Data("path", []byte("/etc\x00"))
		b.ADDIU(rSP, rSP, -64)
		for _, off := range []int16{0, 1, 2, 3} {
			for _, fd := range []uint32{0, 1, 5, 6, 7, 0xffffff9c} {
				// The 5th argument (the struct) is on the stack at sp+16.
				b.LA(rT0, "st")
				b.ADDIU(rT0, rT0, off)
				b.SW(rT0, 16, rSP)
				b.LI(rA0, fd)
				b.LA(rA1, "empty")
				b.ADDIU(rA1, rA1, off)
				b.LI(rA2, 0x1000) // AT_EMPTY_PATH
				b.LI(rA3, 0x7ff)
				b.LI(rV0, 4366)
				b.SYSCALL()
			}
		}
		// Without AT_EMPTY_PATH, with a path, with the path in the null page
		// (its byte is still read), with a struct out of range.
		b.LA(rT0, "st")
		b.SW(rT0, 16, rSP)
		sysBuf(b, 4366, "empty", 0, 1, 1, 0, 0)
		sysBuf(b, 4366, "path", 0, 1, 1, 0, 0x1000)
		sys(b, 4366, 1, 0x10, 0x1000)
		sys(b, 4366, 1, 0xfff, 0x1000)
		b.LI(rT0, 0xffffff80)
		b.SW(rT0, 16, rSP)
		sysBuf(b, 4366, "empty", 0, 1, 1, 0, 0x1000)
		b.Exit(0)
	}, isaOutcome{})
}

func TestMIPSSyscallsMmap(t *testing.T) {
	checkISA(t, func(b *asm.Builder, be bool) {
		b.ADDIU(rSP, rSP, -64)
		mmap := func(num, addr, length, flags, fd uint32) {
			b.LI(rT0, fd)
			b.SW(rT0, 16, rSP)
			sys(b, num, addr, length, 3, flags)
		}
		for _, num := range []uint32{4210, 4090} {
			mmap(num, 0, 0x1000, 0x802, 0xffffffff)
			mmap(num, 0, 1, 0x802, 0xffffffff)
			mmap(num, 0x12345000, 0x2001, 0x802, 0)
			mmap(num, 0, 0, 0x802, 0)                 // EINVAL
			mmap(num, 0, 0x1000, 0x2, 3)              // a file: ENOSYS
			mmap(num, 0, 0x1000, 0x2, 9)              // EBADF
			mmap(num, 0x50000000, 0x1000, 0x812, 0)   // MAP_FIXED
			mmap(num, 0x50000010, 0x1000, 0x812, 0)   // misaligned: EINVAL
			mmap(num, 0x0, 0x1000, 0x812, 0)          // null: EINVAL
			mmap(num, 0xfffff000, 0x1000, 0x812, 0)   // up to the top
			mmap(num, 0xfffff000, 0x1001, 0x812, 0)   // past the top
			mmap(num, 0, 0x7fffffff, 0x802, 0)        // ENOMEM
			mmap(num, 0, 0xfffff001, 0x802, 0)        // rounding wraps to 0
			mmap(num, 0, 0x3e000000-0x1000, 0x802, 0) // up to the limit
		}
		// The stack argument's word is read with sp+16 rounded down.
		b.LI(rT0, 3)
		b.SW(rT0, 16, rSP)
		b.ADDIU(rSP, rSP, 2)
		sys(b, 4210, 0, 0x1000, 3, 2)
		b.ADDIU(rSP, rSP, -2)
		b.Exit(0)
	}, isaOutcome{})
}

func TestMIPSSyscallsFutex(t *testing.T) {
	checkISA(t, func(b *asm.Builder, be bool) {
		b.DataWords("f", 7, 0)
		for _, num := range []uint32{4238, 4422} {
			for _, op := range []uint32{0, 9, 128, 9 | 128 | 256} {
				sysBuf(b, num, "f", 0, 0, 0, op, 6, 1) // EAGAIN
				sysBuf(b, num, "f", 0, 0, 0, op, 7, 1) // ETIMEDOUT
				sysBuf(b, num, "f", 2, 0, 0, op, 7, 1) // EINVAL
				sys(b, num, 0x800, op, 0, 1)           // EFAULT
				sys(b, num, 0xfffffffc, op, 0, 1)      // EFAULT? no: in range
			}
		}
		b.Exit(0)
	}, isaOutcome{})
}

// TestMIPSSyscallsIO covers read, write, writev on every descriptor,
// including the pre-image oracle.
func TestMIPSSyscallsIO(t *testing.T) {
	checkISA(t, func(b *asm.Builder, be bool) {
		b.Data("msg", []byte("hello, world\n"))
		b.BSS("buf", 256)
		b.BSS("iov", 64)
		for fd := uint32(0); fd < 8; fd++ {
			sysBuf(b, 4004, "msg", 0, 1, fd, 0, 13) // write
			sysBuf(b, 4004, "msg", 1, 1, fd, 0, 0)  // write nothing
			if fd != 5 {
				sysBuf(b, 4003, "buf", 0, 1, fd, 0, 4) // read (fd 5: TestMIPSPreimageOracle)
			}
			sysBuf(b, 4003, "buf", 3, 1, fd, 0, 0) // read nothing
			sys(b, 4004, fd, 0x800, 4)             // EFAULT (or EBADF first)
			sys(b, 4003, fd, 0xfffffffe, 4)        // EFAULT
		}
		// writev: iovecs {msg, 5}, {msg+5, 8}, then one misaligned array.
		iov := func(off int16, base string, boff int16, n uint32) {
			b.LA(rT0, base)
			b.ADDIU(rT0, rT0, boff)
			b.LA(rT1, "iov")
			b.SWL(rT0, off, rT1)
			b.SWR(rT0, off+3, rT1)
			b.LI(rT0, n)
			b.SWL(rT0, off+4, rT1)
			b.SWR(rT0, off+7, rT1)
		}
		iov(0, "msg", 0, 5)
		iov(8, "msg", 5, 8)
		iov(17, "msg", 2, 3)
		iov(25, "msg", 0, 0)
		for _, fd := range []uint32{1, 2, 4, 6, 0, 9} {
			sysBuf(b, 4146, "iov", 0, 1, fd, 0, 2)
			sysBuf(b, 4146, "iov", 17, 1, fd, 0, 2)
		}
		sysBuf(b, 4146, "iov", 0, 1, 1, 0, 0)
		sys(b, 4146, 1, 0x800, 1)
		sys(b, 4146, 1, 0xfffffff8, 2)
		sys(b, 4146, 1, 0x10000000, 1025)       // more than UIO_MAXIOV: EINVAL
		sys(b, 4146, 1, 0x10000000, 0x20000000) // 8 * cnt wraps to 0
		b.Exit(0)
	}, isaOutcome{})
}

// ---------------------------------------------------------------------------
// The pre-image oracle: keys written to fd 6, pre-images read from fd 5,
// hints on fds 3 and 4.

// mapOracle serves pre-images from a map and accepts every hint.
type mapOracle map[[32]byte][]byte

func (o mapOracle) Hint([]byte) error { return nil }

func (o mapOracle) Preimage(key [32]byte) ([]byte, error) {
	if d, ok := o[key]; ok {
		return d, nil
	}
	return nil, fmt.Errorf("no pre-image for %x", key)
}

func TestMIPSPreimageOracle(t *testing.T) {
	long := make([]byte, 75)
	for i := range long {
		long[i] = byte(3*i + 1)
	}
	keccakKey := witness.Keccak256(long)
	keccakKey[0] = 2
	localKey := [32]byte{1}
	localKey[31] = 7
	local := []byte("local data: 29 bytes long....")
	empty := witness.Keccak256(nil)
	empty[0] = 2
	oracle := mapOracle{keccakKey: long, localKey: local, empty: nil}
	lc := [32]byte{0xc0, 0x01}

	checkISAConfig(t, executor.Config{Oracle: oracle}, lc, func(b *asm.Builder, be bool) {
		b.Data("keys", append(append(append([]byte{0xee}, keccakKey[:]...), localKey[:]...), empty[:]...))
		b.Data("hint", []byte{0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'})
		b.BSS("out", 256)
		// sendKey writes the 32-byte key at keys+off to fd 6, looping over
		// short writes; readAll reads fd 5 in chunks of n to out+boff
		// until it returns 0.
		n := 0
		sendKey := func(off int16) {
			n++
			l := fmt.Sprintf("w%d", n)
			b.LA(rS0, "keys")
			b.ADDIU(rS0, rS0, off)
			b.ADDIU(rS1, rZero, 32)
			b.Label(l)
			b.ADDIU(rA0, rZero, 6)
			b.MOVE(rA1, rS0)
			b.MOVE(rA2, rS1)
			b.ADDIU(rV0, rZero, 4004)
			b.SYSCALL()
			b.ADDU(rS0, rS0, rV0)
			b.SUBU(rS1, rS1, rV0)
			b.BNE(rS1, rZero, l)
			b.NOP()
		}
		readAll := func(boff int16, chunk int16) {
			n++
			l := fmt.Sprintf("r%d", n)
			b.LA(rS0, "out")
			b.ADDIU(rS0, rS0, boff)
			b.Label(l)
			b.ADDIU(rA0, rZero, 5)
			b.MOVE(rA1, rS0)
			b.ADDIU(rA2, rZero, chunk)
			b.ADDIU(rV0, rZero, 4003)
			b.SYSCALL()
			b.BNE(rV0, rZero, l)
			b.ADDU(rS0, rS0, rV0) // delay slot
		}
		// A hint, then its acknowledgement.
		sysBuf(b, 4004, "hint", 0, 1, 4, 0, 9)
		sysBuf(b, 4003, "out", 0, 1, 3, 0, 1)
		sendKey(1) // keccak key, from a misaligned buffer
		readAll(0, 4)
		sendKey(33) // local key
		readAll(1, 3)
		sendKey(1)
		readAll(2, 100)
		sendKey(65) // the empty pre-image: only its length
		readAll(3, 8)
		b.Exit(0)
	}, isaOutcome{oracleReads: 20})
}

// ---------------------------------------------------------------------------
// Steps outside the contract's scope revert with the reason.

// revertAt runs the program to the instruction at label and calls the
// contract on that step with the proofs of the instruction and of the data
// words given (none: the instruction word again).
func revertAt(t *testing.T, be bool, emit func(b *asm.Builder), want string, data ...uint32) {
	t.Helper()
	b := asm.New(be)
	emit(b)
	b.Exit(0)
	m := isaMachine(t, b, executor.Config{})
	at := b.MustAddr("at")
	for m.PC() != at {
		if m.Exited() || m.Err() != nil {
			t.Fatalf("the program ended before reaching the step: %v %v", m.Fault(), m.Err())
		}
		m.RunUntil(m.Step() + 1)
	}
	if _, err := witness.Prove(m, witness.NewTree()); !errors.Is(err, witness.ErrUnprovable) {
		t.Fatalf("witness.Prove: %v, want ErrUnprovable", err)
	}
	tree := witness.NewTree()
	root := tree.Root(m)
	state := witness.EncodeState(root, m.State())
	p0 := tree.Proof(m, at)
	proofs := slices.Clone(p0[:])
	if len(data) == 0 {
		proofs = append(proofs, p0[:]...)
	}
	for _, a := range data {
		p := tree.Proof(m, a)
		proofs = append(proofs, p[:]...)
	}
	vm, err := contracts.NewVM(be)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = vm.Step(state[:], proofs, [32]byte{})
	var rev *contracts.RevertError
	if !errors.As(err, &rev) || !strings.Contains(rev.Reason, want) {
		t.Fatalf("step error %v, want a revert with %q", err, want)
	}
}

func TestMIPSOutOfScope(t *testing.T) {
	const unsupported = "MIPS: unsupported instruction"
	word := func(w uint32) func(b *asm.Builder) {
		return func(b *asm.Builder) { b.Label("at"); b.Word(w) }
	}
	cases := []struct {
		name, want string
		emit       func(b *asm.Builder)
	}{
		{"add.s", unsupported, word(0x46020800)},
		{"add.d", unsupported, word(0x46220800)},
		{"cvt.s.w", unsupported, word(0x46800820)},
		{"cvt.d.l", unsupported, word(0x46a00821)},
		{"add.ps", unsupported, word(0x46c20800)},
		{"madd.d", unsupported, word(0x4c4208a1)},
		{"mfc0", unsupported, word(0x40086000)},
		{"jalx", unsupported, word(29 << 26)},
		{"sdbbp", unsupported, word(28<<26 | 63)},
		{"dsp addu.qb", unsupported, word(31<<26 | 16)},
		{"dsp lx", unsupported, word(31<<26 | 10)},
		{"zkvm halt", "MIPS: zkVM calls are not provable on chain", func(b *asm.Builder) {
			b.ADDIU(rV0, rZero, 0)
			b.Label("at")
			b.SYSCALL()
		}},
		{"zkvm 5000", "MIPS: zkVM calls are not provable on chain", func(b *asm.Builder) {
			b.LI(rV0, 5000)
			b.Label("at")
			b.SYSCALL()
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			isaOrders(t, func(t *testing.T, be bool) { revertAt(t, be, tc.emit, tc.want) })
		})
	}
	// A futex wait without a timeout on an equal word stops the executor (a
	// deadlock): not a step.
	t.Run("futex deadlock", func(t *testing.T) {
		isaOrders(t, func(t *testing.T, be bool) {
			revertAt(t, be, func(b *asm.Builder) {
				b.DataWords("f", 9) // at asm.DataBase
				b.LA(rA0, "f")
				b.LI(rA1, 128)
				b.LI(rA2, 9)
				b.LI(rA3, 0)
				b.LI(rV0, 4238)
				b.Label("at")
				b.SYSCALL()
			}, "MIPS: futex wait without timeout deadlocks", asm.DataBase)
		})
	})
}

// ---------------------------------------------------------------------------
// Calldata and state edge cases.

func TestMIPSEdgeCases(t *testing.T) {
	b := asm.New(true)
	b.NOP()
	b.Exit(5)
	m := isaMachine(t, b, executor.Config{})
	vm, err := contracts.NewVM(true)
	if err != nil {
		t.Fatal(err)
	}
	tree := witness.NewTree()
	w, err := witness.Prove(m, tree)
	if err != nil {
		t.Fatal(err)
	}
	expectRevert := func(what string, err error, want string) {
		t.Helper()
		var rev *contracts.RevertError
		if !errors.As(err, &rev) || !strings.Contains(rev.Reason, want) {
			t.Errorf("%s: %v, want a revert with %q", what, err, want)
		}
	}
	// Proof counts: one, three, a partial one.
	_, _, err = vm.Step(w.State[:], w.Proofs[:witness.ProofSize], [32]byte{})
	expectRevert("one proof", err, "MIPS: wrong number of memory proofs")
	_, _, err = vm.Step(w.State[:], append(slices.Clone(w.Proofs), w.Proofs[:witness.ProofSize]...), [32]byte{})
	expectRevert("three proofs", err, "MIPS: wrong number of memory proofs")
	_, _, err = vm.Step(w.State[:], w.Proofs[:len(w.Proofs)-32], [32]byte{})
	expectRevert("partial proof", err, "MIPS: wrong number of memory proofs")
	// A wrong instruction proof; a wrong proof #1 (not a copy of #0).
	bad := slices.Clone(w.Proofs)
	bad[100] ^= 1
	_, _, err = vm.Step(w.State[:], bad, [32]byte{})
	expectRevert("instruction proof", err, "MIPS: invalid instruction proof")
	bad = slices.Clone(w.Proofs)
	bad[witness.ProofSize+100] ^= 1
	_, _, err = vm.Step(w.State[:], bad, [32]byte{})
	expectRevert("data proof", err, "MIPS: invalid memory proof")
	// Non-canonical calldata: shifted offsets.
	in, err := contracts.StepCalldata(w.State[:], w.Proofs, [32]byte{})
	if err != nil {
		t.Fatal(err)
	}
	// The same arguments 32 bytes further on (valid ABI, not canonical).
	alt := slices.Concat(in[:100], make([]byte, 32), in[100:])
	alt[4+31] = 0x80
	alt[36+30], alt[36+31] = 0x01, 0xa0
	_, _, err = vm.CallMIPS(alt)
	expectRevert("non-canonical calldata", err, "MIPS: non-canonical calldata")
	// Run to the end; an exited state is a fixed point.
	for !m.Exited() {
		if _, err := witness.Prove(m, tree); err != nil {
			t.Fatal(err)
		}
	}
	st := witness.EncodeState(tree.Root(m), m.State())
	pre := witness.StateHash(st)
	post, _, err := vm.Step(st[:], w.Proofs, [32]byte{})
	if err != nil || post != pre {
		t.Errorf("exited state: post %x err %v, want the pre-state hash %x", post, err, pre)
	}
	if pre[0] != witness.StatusPanic {
		t.Errorf("status %d", pre[0])
	}
	st[89] = 2
	_, _, err = vm.Step(st[:], w.Proofs, [32]byte{})
	expectRevert("exited byte 2", err, "MIPS: invalid exited flag")
	// r0 is never non-zero (witness.DecodeState refuses such a state).
	r0 := slices.Clone(w.State[:])
	r0[101] = 1
	_, _, err = vm.Step(r0, w.Proofs, [32]byte{})
	expectRevert("r0 not zero", err, "MIPS: r0 is not zero")
}

// ---------------------------------------------------------------------------
// The embedded examples, every step (every 31st with -short).

func TestMIPSExamples(t *testing.T) {
	every := uint64(1)
	if testing.Short() {
		every = 31
	}
	for _, name := range []string{"hello", "hello-le", "hello-c"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			elf, ok := examples.Get(name)
			if !ok {
				t.Fatalf("no example %s", name)
			}
			p, err := program.Load(elf)
			if err != nil {
				t.Fatal(err)
			}
			m, err := executor.New(p, executor.Config{})
			if err != nil {
				t.Fatal(err)
			}
			c := newMIPSChecker(t, name, p.BigEndian)
			for !m.Exited() && m.Err() == nil {
				if every > 1 && m.Step()%every != 0 {
					m.RunUntil((m.Step()/every + 1) * every)
					continue
				}
				c.run(m, 1)
			}
			if m.Err() != nil {
				t.Fatalf("run stopped: %v", m.Err())
			}
			t.Logf("%s: %d steps checked, %d out of scope, %d differ", name, c.checked, c.outOfScope, len(c.fails))
			c.gas.report(t, name)
			nums := make([]uint32, 0, len(c.sysGas))
			for n := range c.sysGas {
				nums = append(nums, n)
			}
			slices.Sort(nums)
			var line []string
			for _, n := range nums {
				line = append(line, fmt.Sprintf("%d:%d", n, slices.Max(c.sysGas[n])))
			}
			t.Logf("%s syscall max gas by number: %s", name, strings.Join(line, " "))
			c.done()
		})
	}
}

// TestMIPSRestoredState starts from states no short program reaches: huge
// step counters (guest time, step * 100 ns, wraps in 64 bits; the counter
// itself cannot be run past 2^64 - 1: RunUntil takes the step after as its
// limit), hi/lo set, the heap at the mmap limit, a pre-image key and offset
// already set.
func TestMIPSRestoredState(t *testing.T) {
	data := []byte("restored pre-image, read from offset 9")
	key := witness.Keccak256(data)
	key[0] = 2
	cfg := executor.Config{Oracle: mapOracle{key: data}, NoGoPatches: true}
	for _, stepCount := range []uint64{1<<64 - 200, 1<<63 + 12345, 184467440737095517} {
		t.Run(fmt.Sprint(stepCount), func(t *testing.T) {
			isaOrders(t, func(t *testing.T, be bool) {
				b := asm.New(be)
				b.BSS("buf", 64)
				b.RDHWR(rT0, 2)
				b.MADD(rT0, rT0)
				b.MSUBU(rT0, rT0)
				sysBuf(b, 4263, "buf", 0, 1, 0)
				sysBuf(b, 4403, "buf", 1, 1, 0)
				sysBuf(b, 4013, "buf", 0, 0)
				sysBuf(b, 4078, "buf", 2, 0)
				sysBuf(b, 4116, "buf", 0, 0)
				b.ADDIU(rSP, rSP, -32)
				for i := 0; i < 3; i++ {
					sys(b, 4210, 0, 0x1000, 3, 0x802)
				}
				sysBuf(b, 4003, "buf", 3, 1, 5, 0, 4)
				sysBuf(b, 4003, "buf", 0, 1, 5, 0, 4)
				b.Exit(0)
				p, err := b.Program()
				if err != nil {
					t.Fatal(err)
				}
				m0, err := executor.New(p, cfg)
				if err != nil {
					t.Fatal(err)
				}
				pages := map[uint32]*[1024]uint32{}
				m0.Memory().ForEachPage(func(a uint32, w *[1024]uint32) {
					c := *w
					pages[a] = &c
				})
				st := m0.State()
				st.Step, st.HI, st.LO, st.Heap = stepCount, 0x80000000, 0xfffffff7, 0x7dffe000
				st.PreimageKey, st.PreimageOffset = key, 9
				m, err := executor.Restore(p, cfg, st, pages)
				if err != nil {
					t.Fatal(err)
				}
				c := newMIPSChecker(t, t.Name(), be)
				c.run(m, 1000)
				c.done()
				if !m.Exited() || m.Fault() != nil || c.outOfScope != 0 || c.oracleReads != 2 {
					t.Fatalf("exited %v fault %v, %d out of scope, %d oracle reads", m.Exited(), m.Fault(), c.outOfScope, c.oracleReads)
				}
				t.Logf("%d steps checked, final step counter %d", c.checked, m.Step())
			})
		})
	}
}

// seq emits fs in order.
func seq(fs ...func(b *asm.Builder)) func(b *asm.Builder) {
	return func(b *asm.Builder) {
		for _, f := range fs {
			f(b)
		}
	}
}
