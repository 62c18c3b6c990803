package contracts_test

// Differential tests of the steps that use the OS state kept in the null
// page of the memory tree (the "system words" of docs/fault-proofs.md):
// the COP1 moves, loads, stores and branches (FP registers, FCSR), rdhwr $29
// and set_thread_area (TLS), brk, clone, rt_sigaction, kill/tkill/tgkill and
// getrandom. Every step is proven by witness.Prove and checked by MIPS.sol
// in both byte orders, as in mips_isa_test.go; the programs also check the
// executor's answers (a wrong one exits with a distinct code), so the paths
// meant to be exercised are.

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/asm"
)

// osProg helps write test programs that check their own results.
type osProg struct {
	b      *asm.Builder
	be     bool
	labels int
	checks int
}

func newOSProg(b *asm.Builder, be bool) *osProg { return &osProg{b: b, be: be} }

func (p *osProg) label(prefix string) string {
	p.labels++
	return fmt.Sprintf("%s_%d", prefix, p.labels)
}

// expect exits with code 100 + n (n counting the checks, mod 100) unless
// register r holds v. It uses $at.
func (p *osProg) expect(r asm.Reg, v uint32) {
	p.checks++
	ok := p.label("ok")
	p.b.LI(rAT, v)
	p.b.BEQ(r, rAT, ok)
	p.b.NOP()
	p.b.Exit(int16(100 + p.checks%100))
	p.b.Label(ok)
}

// expectRet checks a syscall's result: v0 = v and a3 = e (0 or 1).
func (p *osProg) expectRet(v, e uint32) {
	p.expect(rV0, v)
	p.expect(rA3, e)
}

// sys emits a syscall with register arguments and checks its result.
func (p *osProg) sys(num uint32, ret, errFlag uint32, args ...uint32) {
	sys(p.b, num, args...)
	p.expectRet(ret, errFlag)
}

// word returns v's 4 bytes in the guest's byte order.
func (p *osProg) word(v uint32) []byte {
	out := make([]byte, 4)
	p.b.ByteOrder().PutUint32(out, v)
	return out
}

// osGasKeys are the step kinds this file adds to the contract's scope.
var osGasKeys = []string{
	"mfc1", "mtc1", "mfhc1", "mthc1", "cfc1", "ctc1", "movf", "movt", "bc1f", "bc1t", "bc1fl", "bc1tl",
	"lwc1", "swc1", "ldc1", "sdc1", "rdhwr",
	"syscall 4045", "syscall 4283", "syscall 4120", "syscall 4194", "syscall 4037", "syscall 4236",
	"syscall 4266", "syscall 4353",
}

// checkOS is checkISA with the outcome's exit code also checked for fatal
// signals (128 + sig, mod 256), and with the gas of the new step kinds
// logged (go test -v).
func checkOS(t *testing.T, emit func(b *asm.Builder, be bool), want isaOutcome) {
	t.Helper()
	isaOrders(t, func(t *testing.T, be bool) {
		c, m := checkISAOrder(t, be, executor.Config{}, [32]byte{}, emit, want)
		if want.fault == executor.FaultSignal && m.ExitCode() != uint8(128+want.sig) {
			t.Errorf("exit code %d, want %d", m.ExitCode(), uint8(128+want.sig))
		}
		if testing.Verbose() {
			logOpGas(t, osGasKeys, c.opGas)
		}
	})
}

func logOpGas(t *testing.T, keys []string, g map[string][]uint64) {
	t.Helper()
	var line []string
	for _, k := range keys {
		v := slices.Clone(g[k])
		if len(v) == 0 {
			continue
		}
		slices.Sort(v)
		line = append(line, fmt.Sprintf("%s n=%d median %d max %d", k, len(v), v[len(v)/2], v[len(v)-1]))
	}
	if len(line) > 0 {
		t.Logf("gas: %s", strings.Join(line, "; "))
	}
}

// ---------------------------------------------------------------------------
// COP1

// fprPattern is the test value of FP register i.
func fprPattern(i int) uint32 { return 0x01020304*uint32(i+1) ^ 0x80400000 }

func TestMIPSOSFPMoves(t *testing.T) {
	checkOS(t, func(b *asm.Builder, be bool) {
		p := newOSProg(b, be)
		// mtc1 / mfc1 on every register, and to/from $zero.
		for i := 0; i < 32; i++ {
			b.LI(rT0, fprPattern(i))
			b.MTC1(rT0, asm.FReg(i))
		}
		for i := 0; i < 32; i++ {
			b.MFC1(rT1, asm.FReg(i))
			p.expect(rT1, fprPattern(i))
		}
		b.MTC1(rZero, asm.F5)
		b.MFC1(rZero, asm.F6)
		b.MFC1(rT1, asm.F5)
		p.expect(rT1, 0)
		// mthc1 / mfhc1 on even registers: the odd register of the pair.
		for i := 0; i < 32; i += 2 {
			b.LI(rT0, ^fprPattern(i))
			b.MTHC1(rT0, asm.FReg(i))
			b.MFHC1(rT1, asm.FReg(i))
			p.expect(rT1, ^fprPattern(i))
			b.MFC1(rT1, asm.FReg(i+1))
			p.expect(rT1, ^fprPattern(i))
			b.MFC1(rT1, asm.FReg(i))
			p.expect(rT1, fprPattern(i))
		}
		// Control registers: FIR, then FCSR written through each view.
		b.CFC1(rT1, 0)
		p.expect(rT1, 0x00330000)
		b.CFC1(rT1, 31)
		p.expect(rT1, 0)
		b.LI(rT0, 0xffffffff)
		b.CTC1(rT0, 31)
		b.CFC1(rT1, 31)
		p.expect(rT1, 0xff83ffff)
		b.CFC1(rT1, 25)
		p.expect(rT1, 0xff)
		b.CFC1(rT1, 26)
		p.expect(rT1, 0x0003f07c)
		b.CFC1(rT1, 28)
		p.expect(rT1, 0xf87)
		b.CTC1(rZero, 31)
		for _, v := range []uint32{0xa5, 0x5a, 0xffffffff, 0x100, 1} {
			b.LI(rT0, v)
			b.CTC1(rT0, 25)
			b.CFC1(rT1, 25)
			p.expect(rT1, v&0xff)
			b.CFC1(rT2, 31)
		}
		for _, v := range []uint32{0xffffffff, 0x0003f07c, 0x12345678, 0} {
			b.LI(rT0, v)
			b.CTC1(rT0, 26)
			b.CFC1(rT1, 26)
			p.expect(rT1, v&0x0003f07c)
		}
		for _, v := range []uint32{0xffffffff, 4, 0xf83, 3, 0} {
			b.LI(rT0, v)
			b.CTC1(rT0, 28)
			b.CFC1(rT1, 28)
			p.expect(rT1, v&0xf87)
			b.CFC1(rT2, 31)
		}
		// Condition codes: cc 0 (FCSR bit 23), 2, 5 and 7 true.
		b.LI(rT0, 0xa5)
		b.CTC1(rT0, 25)
		b.CFC1(rT1, 31)
		p.expect(rT1, 0xa4800000)
		ccTrue := func(cc int) bool { return 0xa5>>cc&1 != 0 }
		for cc := 0; cc < 8; cc++ {
			b.LI(rT0, 0xc0de0000+uint32(cc))
			b.LI(rT1, 7)
			b.LI(rT2, 7)
			b.MOVF(rT1, rT0, uint8(cc))
			b.MOVT(rT2, rT0, uint8(cc))
			if ccTrue(cc) {
				p.expect(rT1, 7)
				p.expect(rT2, 0xc0de0000+uint32(cc))
			} else {
				p.expect(rT1, 0xc0de0000+uint32(cc))
				p.expect(rT2, 7)
			}
			b.MOVT(rZero, rT0, uint8(cc))
			// The branches, taken and not: t3 = 1 (taken: the delay slot
			// runs), 3 (not taken), 2 (likely, not taken: the slot is
			// annulled).
			type bc struct {
				emit   func(cc uint8, l string)
				onTrue bool
				likely bool
			}
			for _, x := range []bc{
				{b.BC1F, false, false}, {b.BC1T, true, false}, {b.BC1FL, false, true}, {b.BC1TL, true, true},
			} {
				l := p.label("bc")
				b.LI(rT3, 0)
				x.emit(uint8(cc), l)
				b.ADDIU(rT3, rT3, 1)
				b.ADDIU(rT3, rT3, 2)
				b.Label(l)
				switch {
				case ccTrue(cc) == x.onTrue:
					p.expect(rT3, 1)
				case x.likely:
					p.expect(rT3, 2)
				default:
					p.expect(rT3, 3)
				}
			}
		}
		// A backward bc1t loop: counts FCSR's cc 1 down.
		b.LI(rT4, 3)
		b.LI(rT0, 2)
		b.CTC1(rT0, 25)
		b.Label("loop")
		b.ADDIU(rT4, rT4, -1)
		b.BNE(rT4, rZero, "skip")
		b.NOP()
		b.CTC1(rZero, 25)
		b.Label("skip")
		b.BC1T(1, "loop")
		b.NOP()
		p.expect(rT4, 0)
		b.Exit(0)
	}, isaOutcome{})
}

func TestMIPSOSFPMemory(t *testing.T) {
	checkOS(t, func(b *asm.Builder, be bool) {
		p := newOSProg(b, be)
		var init []uint32
		for i := 0; i < 32; i++ {
			init = append(init, 0xa0b0c0d0+uint32(i)*0x01010101)
		}
		b.DataWords("fd", init...)
		b.BSS("out", 512)
		b.LA(rS0, "fd")
		b.LA(rS1, "out")
		// lwc1 into every register; swc1 back out; compare.
		for i := 0; i < 32; i++ {
			b.LWC1(asm.FReg(i), int16(4*i), rS0)
		}
		for i := 0; i < 32; i++ {
			b.MFC1(rT0, asm.FReg(i))
			p.expect(rT0, init[i])
			b.SWC1(asm.FReg(31-i), int16(4*i), rS1)
		}
		for i := 0; i < 32; i++ {
			b.LW(rT0, int16(4*i), rS1)
			p.expect(rT0, init[31-i])
		}
		// ldc1 / sdc1 on every even pair: in big-endian guests the register
		// ft + 1 (the high word) comes from the lower address.
		for i := 0; i < 32; i += 2 {
			off := int16(4 * ((i + 6) % 32))
			b.LDC1(asm.FReg(i), off, rS0)
			lo, hi := init[(i+6)%32], init[(i+7)%32]
			if be {
				lo, hi = hi, lo
			}
			b.MFC1(rT0, asm.FReg(i))
			p.expect(rT0, lo)
			b.MFHC1(rT0, asm.FReg(i))
			p.expect(rT0, hi)
		}
		for i := 0; i < 32; i += 2 {
			b.SDC1(asm.FReg(i), int16(128+4*i), rS1)
		}
		for i := 0; i < 32; i++ {
			b.LW(rT0, int16(128+4*i), rS1)
			p.expect(rT0, init[(i+6)%32])
		}
		// Negative offsets; a store over the data just loaded from; sdc1
		// of the same pair twice (unchanged words).
		b.ADDIU(rS2, rS1, 256)
		b.SDC1(asm.F4, -8, rS2)
		b.SDC1(asm.F4, -8, rS2)
		b.LDC1(asm.F8, -8, rS2)
		b.SWC1(asm.F8, -4, rS2)
		b.LWC1(asm.F9, -4, rS2)
		b.MFC1(rT0, asm.F9)
		b.MFC1(rT1, asm.F8)
		p.expect(rT0, func() uint32 {
			if be {
				return init[11]
			}
			return init[10]
		}())
		// ldc1 in a branch delay slot.
		b.B("after")
		b.LDC1(asm.F30, 0, rS0)
		b.Label("after")
		b.MFHC1(rT0, asm.F30)
		b.Exit(0)
	}, isaOutcome{})
}

func TestMIPSOSFPFaults(t *testing.T) {
	addr := func(a uint32) func(b *asm.Builder) { return func(b *asm.Builder) { b.LI(rS0, a) } }
	data := func(off uint32) func(b *asm.Builder) {
		return func(b *asm.Builder) {
			b.Data("d", make([]byte, 32))
			b.LA(rS0, "d")
			b.ADDIU(rS0, rS0, int16(off))
			// Some FP state, so that a wrong update would show.
			b.LI(rT0, 0x3ff00000)
			b.MTC1(rT0, asm.F1)
			b.MTC1(rT0, asm.F2)
		}
	}
	word := func(w uint32) func(b *asm.Builder) { return func(b *asm.Builder) { b.Word(w) } }
	ill, bus, segv := executor.SIGILL, executor.SIGBUS, executor.SIGSEGV
	res, align, null := executor.FaultReserved, executor.FaultAlign, executor.FaultNull
	cases := []faultCase{
		{"lwc1 misaligned", seq(data(1), func(b *asm.Builder) { b.LWC1(asm.F3, 0, rS0) }), align, bus},
		{"lwc1 misaligned 2", seq(data(0), func(b *asm.Builder) { b.LWC1(asm.F3, 6, rS0) }), align, bus},
		{"lwc1 null", seq(addr(0x800), func(b *asm.Builder) { b.LWC1(asm.F3, 0, rS0) }), null, segv},
		{"lwc1 null misaligned", seq(addr(0x802), func(b *asm.Builder) { b.LWC1(asm.F3, 0, rS0) }), align, bus},
		// The data word is a system word (proven once).
		{"lwc1 own fpr", seq(addr(0x100), func(b *asm.Builder) { b.LWC1(asm.F0, 0, rS0) }), null, segv},
		{"lwc1 fcsr", seq(addr(0x180), func(b *asm.Builder) { b.LWC1(asm.F7, 0, rS0) }), null, segv},
		{"swc1 misaligned", seq(data(3), func(b *asm.Builder) { b.SWC1(asm.F1, 0, rS0) }), align, bus},
		{"swc1 null", seq(addr(0x10), func(b *asm.Builder) { b.SWC1(asm.F1, 0, rS0) }), null, segv},
		{"swc1 over fpr", seq(addr(0x104), func(b *asm.Builder) { b.SWC1(asm.F2, 0, rS0) }), null, segv},
		{"swc1 wraps to null", seq(addr(0xfffffff0), func(b *asm.Builder) { b.SWC1(asm.F2, 0x10, rS0) }), null, segv},
		{"ldc1 misaligned 4", seq(data(4), func(b *asm.Builder) { b.LDC1(asm.F2, 0, rS0) }), align, bus},
		{"ldc1 misaligned 2", seq(data(0), func(b *asm.Builder) { b.LDC1(asm.F2, 2, rS0) }), align, bus},
		{"ldc1 odd register", seq(data(0), func(b *asm.Builder) { b.LDC1(asm.F3, 8, rS0) }), res, ill},
		{"ldc1 odd register misaligned", seq(data(4), func(b *asm.Builder) { b.LDC1(asm.F3, 0, rS0) }), align, bus},
		{"ldc1 null", seq(addr(0x800), func(b *asm.Builder) { b.LDC1(asm.F2, 0, rS0) }), null, segv},
		{"ldc1 null odd register", seq(addr(0x800), func(b *asm.Builder) { b.LDC1(asm.F5, 0, rS0) }), null, segv},
		{"ldc1 own pair", seq(addr(0x100), func(b *asm.Builder) { b.LDC1(asm.F0, 0, rS0) }), null, segv},
		{"ldc1 other pair", seq(addr(0x108), func(b *asm.Builder) { b.LDC1(asm.F0, 0, rS0) }), null, segv},
		// The second word wraps around to address 0.
		{"ldc1 top of memory", seq(addr(0xfffffffc), func(b *asm.Builder) { b.LDC1(asm.F0, 0, rS0) }), align, bus},
		{"sdc1 misaligned", seq(data(4), func(b *asm.Builder) { b.SDC1(asm.F0, 0, rS0) }), align, bus},
		{"sdc1 odd register", seq(data(0), func(b *asm.Builder) { b.SDC1(asm.F1, 0, rS0) }), res, ill},
		{"sdc1 null", seq(addr(0x108), func(b *asm.Builder) { b.SDC1(asm.F2, 0, rS0) }), null, segv},
		{"sdc1 top of memory", seq(addr(0xfffffffc), func(b *asm.Builder) { b.SDC1(asm.F2, 0, rS0) }), align, bus},
		{"mfhc1 odd", func(b *asm.Builder) { b.MFHC1(rT0, asm.F1) }, res, ill},
		{"mthc1 odd", func(b *asm.Builder) { b.LI(rT0, 5); b.MTHC1(rT0, asm.F31) }, res, ill},
		{"cfc1 1", func(b *asm.Builder) { b.CFC1(rT0, 1) }, res, ill},
		{"cfc1 24", func(b *asm.Builder) { b.CFC1(rT0, 24) }, res, ill},
		{"cfc1 30", func(b *asm.Builder) { b.CFC1(rT0, 30) }, res, ill},
		{"ctc1 fir", func(b *asm.Builder) { b.LI(rT0, 5); b.CTC1(rT0, 0) }, res, ill},
		{"ctc1 27", func(b *asm.Builder) { b.CTC1(rT0, 27) }, res, ill},
		{"cop1 rs 5", word(17<<26 | 5<<21 | 8<<16 | 2<<11), res, ill},
		{"cop1 rs 31", word(17<<26 | 31<<21), res, ill},
		{"bc1f in a j slot", func(b *asm.Builder) { b.J("x"); b.BC1F(0, "x"); b.NOP(); b.Label("x"); b.NOP() }, executor.FaultDelaySlot, ill},
		{"bc1tl in a beq slot", func(b *asm.Builder) { b.B("x"); b.BC1TL(3, "x"); b.NOP(); b.Label("x"); b.NOP() }, executor.FaultDelaySlot, ill},
		{"lwc1 null in a bc1t slot", func(b *asm.Builder) {
			b.LI(rT0, 1<<23)
			b.CTC1(rT0, 31)
			b.BC1T(0, "x")
			b.LWC1(asm.F4, 8, rZero)
			b.Label("x")
			b.NOP()
		}, null, segv},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkOS(t, func(b *asm.Builder, be bool) {
				tc.emit(b)
				b.Exit(0)
			}, isaOutcome{fault: tc.kind, sig: tc.sig})
		})
	}
}

// ---------------------------------------------------------------------------
// TLS, brk, clone

func TestMIPSOSTLS(t *testing.T) {
	checkOS(t, func(b *asm.Builder, be bool) {
		p := newOSProg(b, be)
		b.RDHWR(rT0, 29)
		p.expect(rT0, 0)
		for _, v := range []uint32{0x7fff7000, 0xffffffff, 0, 0x10008ff0} {
			p.sys(4283, 0, 0, v)
			b.RDHWR(rT1, 29)
			p.expect(rT1, v)
			b.RDHWR(rZero, 29)
		}
		p.sys(4283, 0, 0, 0x10008ff0) // the same value again
		b.Exit(0)
	}, isaOutcome{})
}

func TestMIPSOSBrk(t *testing.T) {
	checkOS(t, func(b *asm.Builder, be bool) {
		p := newOSProg(b, be)
		// s0 = the initial break; s1 = the heap field (the next mmap address).
		brk := func(a asm.Reg) {
			b.MOVE(rA0, a)
			b.LI(rV0, 4045)
			b.SYSCALL()
			p.expect(rA3, 0)
		}
		sys(b, 4045, 0)
		p.expect(rA3, 0)
		b.MOVE(rS0, rV0)
		b.SW(rZero, 16, rSP) // mmap's fd (unused: anonymous)
		sys(b, 4210, 0, 0x1000, 3, 0x802)
		p.expect(rA3, 0)
		b.ADDIU(rS1, rV0, 0x1000)
		// Grow.
		b.ADDIU(rT0, rS0, 0x2000)
		brk(rT0)
		b.BNE(rV0, rT0, "bad")
		b.NOP()
		// Shrinking is refused: the current break comes back.
		brk(rS0)
		b.BNE(rV0, rT0, "bad")
		b.NOP()
		b.ADDIU(rT1, rT0, -1)
		brk(rT1)
		b.BNE(rV0, rT0, "bad")
		b.NOP()
		// The same break; then above the heap: refused; up to it: granted.
		brk(rT0)
		b.BNE(rV0, rT0, "bad")
		b.NOP()
		b.ADDIU(rT1, rS1, 1)
		brk(rT1)
		b.BNE(rV0, rT0, "bad")
		b.NOP()
		brk(rS1)
		b.BNE(rV0, rS1, "bad")
		b.NOP()
		b.LI(rT1, 0xffffffff)
		brk(rT1)
		b.BNE(rV0, rS1, "bad")
		b.NOP()
		brk(rZero)
		b.BNE(rV0, rS1, "bad")
		b.NOP()
		// The new break is usable memory.
		b.SW(rS1, -4, rS1)
		b.Exit(0)
		b.Label("bad")
		b.Exit(99)
	}, isaOutcome{})
}

func TestMIPSOSClone(t *testing.T) {
	checkOS(t, func(b *asm.Builder, be bool) {
		p := newOSProg(b, be)
		b.BSS("tid", 16)
		const vm, settid = 0x100, 0x00100000
		p.sys(4120, 89, 1, 0, 0, 0)           // no CLONE_VM: ENOSYS
		p.sys(4120, 89, 1, 0x11|settid, 0, 0) // fork-like
		p.sys(4120, 1001, 0, vm, 0, 0)
		// CLONE_PARENT_SETTID: the tid stored at a2, aligned or not.
		for i, off := range []int16{0, 5, 11} {
			sysBuf(b, 4120, "tid", off, 2, vm|settid, 0)
			p.expectRet(1002+uint32(i), 0)
		}
		b.LA(rS0, "tid")
		b.LW(rT0, 0, rS0)
		p.expect(rT0, 1002)
		b.LWL(rT0, 5, rS0)
		b.LWR(rT0, 8, rS0)
		if !be {
			b.LWL(rT0, 8, rS0)
			b.LWR(rT0, 5, rS0)
		}
		p.expect(rT0, 1003)
		// No store: the flag without a valid range, or the range without the flag.
		p.sys(4120, 1005, 0, vm|settid, 0, 0x800)
		p.sys(4120, 1006, 0, vm|settid, 0, 0xfffffffe)
		p.sys(4120, 1007, 0, vm|settid, 0, 0)
		sysBuf(b, 4120, "tid", 0, 2, vm, 0)
		p.expectRet(1008, 0)
		b.LW(rT0, 0, rS0)
		p.expect(rT0, 1002)
		// The top word of memory; glibc's pthread_create flags.
		p.sys(4120, 1009, 0, vm|settid, 0, 0xfffffffc)
		b.LI(rT0, 0xfffffffc)
		b.LW(rT1, 0, rT0)
		p.expect(rT1, 1009)
		sysBuf(b, 4120, "tid", 4, 2, 0x7d0f00, 0x7f000000)
		p.expectRet(1010, 0)
		// The threads exist for tkill.
		p.sys(4236, 0, 0, 1010, 0)
		p.sys(4236, 3, 1, 1011, 0)
		b.Exit(0)
	}, isaOutcome{})
}

// ---------------------------------------------------------------------------
// Signals

// sigactionData places a struct sigaction {flags, handler, mask[4]} (act)
// at label, misaligned by off bytes.
func sigactionData(p *osProg, label string, off int, flags, handler uint32) {
	d := make([]byte, off)
	d = append(d, p.word(flags)...)
	d = append(d, p.word(handler)...)
	d = append(d, make([]byte, 16)...)
	p.b.Data(label, d)
}

func TestMIPSOSSigaction(t *testing.T) {
	checkOS(t, func(b *asm.Builder, be bool) {
		p := newOSProg(b, be)
		sigactionData(p, "act", 0, 0x08000000, 0x00401230)
		sigactionData(p, "ign", 0, 0, 1)
		sigactionData(p, "dfl", 0, 0x10, 0)
		sigactionData(p, "actm", 3, 0x80000004, 0x00405678)
		b.BSS("old", 64)
		// sigaction(sig, act label or "", oact offset or -1) with the result.
		sa := func(sig uint32, act string, actOff int16, oact int16, ret, e uint32) {
			b.LI(rA0, sig)
			b.MOVE(rA1, rZero)
			if act != "" {
				b.LA(rA1, act)
				b.ADDIU(rA1, rA1, actOff)
			}
			b.MOVE(rA2, rZero)
			if oact >= 0 {
				b.LA(rA2, "old")
				b.ADDIU(rA2, rA2, oact)
			}
			b.LI(rV0, 4194)
			b.SYSCALL()
			p.expectRet(ret, e)
		}
		// Invalid signals (no system word).
		sa(0, "act", 0, 0, 22, 1)
		sa(129, "act", 0, 0, 22, 1)
		sa(0xffffffff, "", 0, 0, 22, 1)
		sa(9, "act", 0, 0, 22, 1)   // SIGKILL
		sa(23, "ign", 0, -1, 22, 1) // SIGSTOP
		// SIGKILL and SIGSTOP can be read.
		sa(9, "", 0, 0, 0, 0)
		sa(23, "", 0, 8, 0, 0)
		sa(9, "", 0, -1, 0, 0) // neither: only the signal is checked
		// Set, then read back, for several signals; aligned and misaligned.
		for i, sig := range []uint32{1, 2, 15, 16, 17, 18, 31, 32, 64, 65, 127, 128} {
			act := []string{"act", "ign", "actm"}[i%3]
			off := int16(0)
			if act == "actm" {
				off = 3
			}
			sa(sig, act, off, int16(i%4), 0, 0)
			sa(sig, "", 0, int16(20+i%4), 0, 0)
		}
		b.LA(rS0, "old")
		b.LW(rT0, 20, rS0) // sig 128 (i = 11): flags of actm at old+23
		b.LW(rT0, 24, rS0)
		b.LW(rT0, 28, rS0)
		// Old and new at once; the old one is the handler just set.
		sa(15, "dfl", 0, 32, 0, 0)
		b.LW(rT0, 36, rS0)
		p.expect(rT0, 0x00405678) // sig 15 was set from actm
		b.LW(rT0, 32, rS0)
		p.expect(rT0, 0x80000004)
		sa(15, "", 0, 32, 0, 0)
		b.LW(rT0, 32, rS0)
		p.expect(rT0, 0x10)
		// EFAULT: oact first (nothing changes), then act (oact written).
		b.LI(rA0, 2)
		b.LA(rA1, "act")
		b.LI(rA2, 0x800)
		b.LI(rV0, 4194)
		b.SYSCALL()
		p.expectRet(14, 1)
		b.LI(rA0, 2)
		b.LI(rA1, 0)
		b.LI(rA2, 0xfffffff0)
		b.LI(rV0, 4194)
		b.SYSCALL()
		p.expectRet(14, 1)
		b.LI(rA0, 3)
		b.LI(rA1, 0xfffffffc)
		b.LA(rA2, "old")
		b.LI(rV0, 4194)
		b.SYSCALL()
		p.expectRet(14, 1)
		b.LI(rA0, 3)
		b.LI(rA1, 0xffc)
		b.LI(rA2, 0)
		b.LI(rV0, 4194)
		b.SYSCALL()
		p.expectRet(14, 1)
		sa(3, "", 0, 40, 0, 0)
		b.LW(rT0, 44, rS0)
		p.expect(rT0, 0)
		b.Exit(0)
	}, isaOutcome{})
}

func TestMIPSOSKill(t *testing.T) {
	checkOS(t, func(b *asm.Builder, be bool) {
		p := newOSProg(b, be)
		sigactionData(p, "act", 0, 0, 0x00401230)
		sigactionData(p, "ign", 0, 0, 1)
		sigactionData(p, "dfl", 0, 0, 0)
		setAct := func(sig uint32, act string) {
			sysBuf(b, 4194, act, 0, 1, sig, 0, 0)
			p.expectRet(0, 0)
		}
		// Checks only (sig 0), and the pid/tid checks.
		p.sys(4037, 0, 0, 1000, 0)
		p.sys(4037, 0, 0, 0, 0)
		p.sys(4037, 0, 0, 0xffffffff, 0)
		p.sys(4037, 3, 1, 1, 0)
		p.sys(4037, 3, 1, 1001, 0)
		p.sys(4037, 22, 1, 1000, 129)
		p.sys(4037, 3, 1, 5, 129) // the pid first
		p.sys(4236, 0, 0, 1000, 0)
		p.sys(4236, 3, 1, 999, 0)
		p.sys(4236, 3, 1, 0, 1)
		p.sys(4236, 3, 1, 1001, 1) // no thread yet
		p.sys(4236, 3, 1, 0xffffffff, 15)
		p.sys(4236, 22, 1, 1000, 129)
		p.sys(4236, 22, 1, 1001, 0xffffffff) // EINVAL before the tid
		p.sys(4266, 0, 0, 1000, 1000, 0)
		p.sys(4266, 0, 0, 0, 1000, 0) // the tgid is not checked
		p.sys(4266, 3, 1, 1000, 7, 2)
		p.sys(4266, 22, 1, 1000, 1000, 200)
		// Default actions that drop the signal: SIGCHLD, SIGWINCH, SIGURG,
		// the stop signals and SIGCONT.
		for _, sig := range []uint32{18, 20, 21, 23, 24, 25, 26, 27} {
			p.sys(4236, 0, 0, 1000, sig)
		}
		p.sys(4037, 0, 0, 0, 18)
		p.sys(4266, 0, 0, 1000, 1000, 25)
		// Ignored and handled signals are dropped.
		setAct(16, "ign")
		setAct(15, "act")
		setAct(128, "act")
		setAct(1, "ign")
		p.sys(4037, 0, 0, 1000, 16)
		p.sys(4037, 0, 0, 0xffffffff, 15)
		p.sys(4236, 0, 0, 1000, 128)
		p.sys(4266, 0, 0, 1000, 1000, 1)
		// A thread: its tid passes the check.
		p.sys(4120, 1001, 0, 0x100, 0, 0)
		p.sys(4236, 0, 0, 1001, 0)
		p.sys(4236, 0, 0, 1001, 16)
		p.sys(4266, 0, 0, 1000, 1001, 18)
		p.sys(4236, 3, 1, 1002, 16)
		// Back to SIG_DFL for a default-ignored signal.
		setAct(18, "dfl")
		p.sys(4236, 0, 0, 1000, 18)
		b.Exit(0)
	}, isaOutcome{})
}

// TestMIPSOSKillFatal: a default action that terminates ends the guest with
// 128 + sig (0 for signal 128).
func TestMIPSOSKillFatal(t *testing.T) {
	cases := []struct {
		name string
		sig  int
		emit func(p *osProg)
	}{
		{"kill SIGTERM", 15, func(p *osProg) { sys(p.b, 4037, 1000, 15) }},
		{"kill 0 SIGHUP", 1, func(p *osProg) { sys(p.b, 4037, 0, 1) }},
		{"kill -1 SIGIO", 22, func(p *osProg) { sys(p.b, 4037, 0xffffffff, 22) }},
		{"tkill SIGKILL", 9, func(p *osProg) { sys(p.b, 4236, 1000, 9) }},
		{"tkill SIGABRT", 6, func(p *osProg) { sys(p.b, 4236, 1000, 6) }},
		{"tgkill 128", 128, func(p *osProg) { sys(p.b, 4266, 1000, 1000, 128) }},
		{"tgkill 127", 127, func(p *osProg) { sys(p.b, 4266, 1000, 1000, 127) }},
		{"tgkill SIGSEGV", 11, func(p *osProg) { sys(p.b, 4266, 0, 1000, 11) }},
		{"thread SIGUSR2", 17, func(p *osProg) {
			sys(p.b, 4120, 0x100, 0, 0)
			sys(p.b, 4236, 1001, 17)
		}},
		{"handler reset", 15, func(p *osProg) {
			sigactionData(p, "act", 0, 0, 0x00401230)
			sigactionData(p, "dfl", 0, 0, 0)
			sysBuf(p.b, 4194, "act", 0, 1, 15, 0, 0)
			sys(p.b, 4236, 1000, 15)
			sysBuf(p.b, 4194, "dfl", 0, 1, 15, 0, 0)
			sys(p.b, 4236, 1000, 15)
		}},
		{"SIGKILL despite a handler attempt", 9, func(p *osProg) {
			sigactionData(p, "ign", 0, 0, 1)
			sysBuf(p.b, 4194, "ign", 0, 1, 9, 0, 0)
			sys(p.b, 4037, 1000, 9)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkOS(t, func(b *asm.Builder, be bool) {
				tc.emit(newOSProg(b, be))
				b.Exit(0)
			}, isaOutcome{fault: executor.FaultSignal, sig: tc.sig})
		})
	}
}

// ---------------------------------------------------------------------------
// getrandom

func TestMIPSOSGetrandom(t *testing.T) {
	checkOS(t, func(b *asm.Builder, be bool) {
		p := newOSProg(b, be)
		b.BSS("buf", 512)
		off := int16(0)
		for _, n := range []uint32{0, 1, 3, 8, 13, 64, 5, 100, 2, 16, 7, 9} {
			for k := int16(0); k < 4; k++ {
				sysBuf(b, 4353, "buf", off+k, 0, 0, n, uint32(k&1))
				p.expectRet(n, 0)
			}
			off += int16(n) + 1
			if off > 400 {
				off = 0
			}
		}
		// EFAULT (no system word touched): a null buffer even for 0 bytes,
		// past the top of memory, and after clamping n to 2^25 - 1.
		p.sys(4353, 14, 1, 0, 0, 0)
		p.sys(4353, 14, 1, 0x800, 4, 0)
		p.sys(4353, 14, 1, 0xfff, 1, 0)
		p.sys(4353, 14, 1, 0xfffffff0, 17, 0)
		p.sys(4353, 14, 1, 0xff000000, 0xffffffff, 0)
		p.sys(4353, 14, 1, 0xfe000002, 0x02000000, 0)
		// Up to the top of memory.
		p.sys(4353, 16, 0, 0xfffffff0, 16, 0)
		p.sys(4353, 1, 0, 0xffffffff, 1, 0)
		p.sys(4353, 3, 0, 0xfffffffd, 3, 0)
		p.sys(4353, 0, 0, 0xfffffff0, 0, 0)
		b.Exit(0)
	}, isaOutcome{})
}

// TestMIPSOSGetrandomLarge: one call of 2 KiB (one proof per word).
func TestMIPSOSGetrandomLarge(t *testing.T) {
	checkOS(t, func(b *asm.Builder, be bool) {
		p := newOSProg(b, be)
		b.BSS("buf", 4096)
		sysBuf(b, 4353, "buf", 1, 0, 0, 2047, 0)
		p.expectRet(2047, 0)
		b.Exit(0)
	}, isaOutcome{})
}

// ---------------------------------------------------------------------------
// Random programs

// TestMIPSOSFuzz runs random programs over random FP and OS state: random
// FP registers and FCSR, then random COP1 moves, branches, loads and
// stores (some into the null page, over the system words, misaligned, at
// the top of memory), rdhwr, and brk, set_thread_area, clone,
// rt_sigaction, kill, tkill, tgkill and getrandom with random arguments.
// Every step of every program is checked; a fault or fatal signal ends a
// program early.
func TestMIPSOSFuzz(t *testing.T) {
	n := 150
	if testing.Short() {
		n = 20
	}
	isaOrders(t, func(t *testing.T, be bool) {
		r := rand.New(rand.NewPCG(7, map[bool]uint64{true: 1, false: 2}[be]))
		faults := 0
		steps := fuzzPrograms(t, be, r, n, fuzzOSProgram, osGasKeys, func(i int, m *executor.Machine, c *mipsChecker) {
			if m.Err() != nil || !m.Exited() || c.outOfScope != 0 {
				t.Fatalf("case %d: err %v, exited %v, %d steps out of scope", i, m.Err(), m.Exited(), c.outOfScope)
			}
			if m.Fault() != nil {
				faults++
			}
		})
		t.Logf("%d programs, %d steps checked, %d ended by a fault or signal", n, steps, faults)
	})
}

// fuzzPrograms checks every step of n programs gen emits (at most 2^16
// steps each), calls end with each machine and checker after the run, logs
// how many steps of each of keys' kinds were checked and returns the number
// of steps checked.
func fuzzPrograms(t *testing.T, be bool, r *rand.Rand, n int, gen func(*asm.Builder, *rand.Rand), keys []string,
	end func(i int, m *executor.Machine, c *mipsChecker)) int {
	t.Helper()
	steps := 0
	ran := map[string]int{}
	for i := 0; i < n; i++ {
		b := asm.New(be)
		gen(b, r)
		m := isaMachine(t, b, executor.Config{})
		c := newMIPSChecker(t, fmt.Sprintf("%s case %d", t.Name(), i), be)
		c.run(m, 1<<16)
		c.done()
		end(i, m, c)
		steps += c.checked
		for k, v := range c.opGas {
			ran[k] += len(v)
		}
	}
	var line []string
	for _, k := range keys {
		line = append(line, fmt.Sprintf("%s:%d", k, ran[k]))
	}
	t.Logf("steps checked by kind: %s", strings.Join(line, " "))
	return steps
}

// fuzzOSProgram emits one random program (see TestMIPSOSFuzz).
func fuzzOSProgram(b *asm.Builder, r *rand.Rand) {
	const dataWords = 2048
	d := make([]uint32, dataWords)
	for k := range d {
		d[k] = r.Uint32()
	}
	b.DataWords("d", d...)
	data := b.DataBase // "d" is the first data
	reg := func() asm.Reg { return asm.Reg(r.IntN(32)) }
	// rare is true once in n draws: the choices that fault are rare, so
	// that most programs run through.
	rare := func(n int) bool { return r.IntN(n) == 0 }
	// An address for an access: mostly in the data, rarely in the null
	// page (system words included), at the top of memory, or misaligned.
	addr := func(align uint32) uint32 {
		switch {
		case rare(60):
			return []uint32{0, 0x100, 0x104, 0x17c, 0x180, 0x188, 0x200, 0x800, 0xffc}[r.IntN(9)]
		case rare(60):
			return []uint32{0xfffffff8, 0xfffffffc, 0xfffffff0, 0xffffffff}[r.IntN(4)]
		case rare(60):
			return data + uint32(r.IntN(4*dataWords-64)) // any alignment
		}
		return data + uint32(r.IntN(4*dataWords-64))&^(align-1)
	}
	// FP registers and FCSR.
	b.LI(rS0, data)
	for f := 0; f < 32; f++ {
		b.LWC1(asm.FReg(f), int16(4*f), rS0)
	}
	b.LI(rT0, r.Uint32())
	b.CTC1(rT0, 31)
	// Some signal dispositions: SIG_IGN (1), a handler, SIG_DFL.
	for k := 0; k < 3; k++ {
		sig := uint32(1 + r.IntN(128))
		if sig == 9 || sig == 23 {
			continue
		}
		h := []uint32{0, 1, 0x00400100}[r.IntN(3)]
		b.LI(rT0, data+4*uint32(100+2*k))
		b.LI(rT1, h)
		b.SW(rT1, 4, rT0)
		sys(b, 4194, sig, 0, 0)
		b.MOVE(rA1, rT0)
		b.LI(rV0, 4194)
		b.SYSCALL()
	}
	// Signals whose delivery is not fatal here: the three just set (if not
	// SIG_DFL, which the draw does not know) and the default-ignored ones.
	quietSig := func() uint32 {
		switch {
		case rare(40):
			return r.Uint32() // EINVAL, or fatal
		case rare(30):
			return uint32(r.IntN(131))
		}
		return []uint32{0, 0, 18, 20, 21, 23, 24, 25, 26, 27}[r.IntN(10)]
	}
	for k := 0; k < 20; k++ {
		inDelaySlot := rare(10)
		after := fmt.Sprintf("after%d", k)
		setup := func(rs ...asm.Reg) {
			for _, x := range rs {
				if x != 0 {
					b.LI(x, r.Uint32())
				}
			}
		}
		branch := func() {
			if inDelaySlot {
				b.BEQ(rZero, rZero, after)
			}
		}
		switch kind := r.IntN(12); kind {
		case 0, 1: // COP1 moves
			rs := []uint32{0, 2, 3, 4, 6, 7}[r.IntN(6)]
			if rare(40) {
				rs = []uint32{1, 5, 9, 10, 11, 12, 13, 14, 15, 18, 19}[r.IntN(11)] // reserved
			}
			rt, fs := reg(), uint32(r.IntN(32))
			if (rs == 3 || rs == 7) && !rare(20) {
				fs &^= 1
			}
			if (rs == 2 && !rare(20)) || (rs == 6 && !rare(20)) {
				fs = []uint32{0, 25, 26, 28, 31, 31}[r.IntN(6)]
				if rs == 6 && fs == 0 {
					fs = 31
				}
			}
			setup(rt)
			branch()
			b.Word(17<<26 | rs<<21 | uint32(rt)<<16 | fs<<11 | uint32(r.IntN(1<<11)))
		case 2: // BC1 (forward, into the nops below)
			if !rare(10) {
				inDelaySlot = false
			}
			branch()
			w := 17<<26 | 8<<21 | uint32(r.IntN(8))<<18 | uint32(r.IntN(4))<<16 | uint32(1+r.IntN(3))
			b.Word(w)
			b.NOP()
			b.NOP()
			b.NOP()
		case 3: // movf, movt
			rs, rd := reg(), reg()
			setup(rs, rd)
			branch()
			b.Word(uint32(rs)<<21 | uint32(r.IntN(32))<<16 | uint32(rd)<<11 | uint32(r.IntN(32))<<6 | 1)
		case 4, 5, 6: // lwc1 ldc1 swc1 sdc1
			op := []uint32{49, 53, 57, 61}[r.IntN(4)]
			base := reg()
			if base == 0 {
				base = rS1
			}
			imm := int16(r.IntN(65) - 32)
			align, ft := uint32(4), uint32(r.IntN(32))
			if op == 53 || op == 61 {
				align = 8
				if !rare(20) {
					ft &^= 1
				}
			}
			b.LI(base, addr(align)-uint32(int32(imm)))
			branch()
			b.Word(op<<26 | uint32(base)<<21 | ft<<16 | uint32(uint16(imm)))
		case 7: // rdhwr
			rt := reg()
			hw := uint32(29)
			if rare(30) {
				hw = uint32(r.IntN(32))
			}
			branch()
			b.Word(31<<26 | uint32(rt)<<16 | hw<<11 | 59)
		default: // syscalls
			num := []uint32{4045, 4283, 4120, 4194, 4037, 4236, 4266, 4353}[r.IntN(8)]
			a := make([]uint32, 4)
			for j := range a {
				a[j] = r.Uint32()
			}
			ptr := func(n uint32) uint32 {
				switch r.IntN(8) {
				case 0:
					return 0
				case 1:
					return []uint32{0x800, 0xfff, 0xfffffffc, 0xfffffff0, 0x1000}[r.IntN(5)]
				}
				return data + uint32(r.IntN(4*dataWords-int(n)-8))
			}
			sig := func() uint32 {
				if rare(6) {
					return r.Uint32()
				}
				return uint32(r.IntN(131))
			}
			tid := func() uint32 {
				return []uint32{1000, 1000, 1001, 1002, 1003, 999, 0, 0xffffffff, r.Uint32()}[r.IntN(9)]
			}
			switch num {
			case 4045:
				a[0] = []uint32{0, a[0], data + 0x10000, 0x40000000, 0x10000000}[r.IntN(5)]
			case 4120:
				a[0] = []uint32{0, 0x100, 0x100100, 0x7d0f00, a[0]}[r.IntN(5)]
				a[2] = ptr(4)
			case 4194:
				a[0], a[1], a[2] = sig(), ptr(8), ptr(24)
			case 4037:
				a[0], a[1] = []uint32{1000, 0, 0xffffffff, 5}[r.IntN(4)], quietSig()
			case 4236:
				a[0], a[1] = tid(), quietSig()
			case 4266:
				a[1], a[2] = tid(), quietSig()
			case 4353:
				a[1] = uint32(r.IntN(70))
				a[0] = ptr(a[1])
				if r.IntN(10) == 0 {
					// Huge: clamped to 2^25 - 1, which does not fit from here.
					a[0], a[1] = 0xfe000000+uint32(r.IntN(1<<20)), 0x01ffffff+uint32(r.IntN(1<<30))
				}
			}
			for j, v := range a {
				b.LI(rA0+asm.Reg(j), v)
			}
			b.LI(rV0, num)
			branch()
			b.SYSCALL()
		}
		if inDelaySlot {
			b.NOP()
			b.Label(after)
		}
	}
	b.Exit(0)
}
