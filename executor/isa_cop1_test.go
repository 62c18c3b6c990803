package executor_test

import (
	"fmt"
	"testing"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/asm"
)

// TestISACOP1Moves: MTC1/MFC1 on every FP register, MTHC1/MFHC1 on the
// register pairs of FR=0 mode (the high word of even register n is n+1).
func TestISACOP1Moves(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		out, m, _ := batch(t, be, 32+3, 1, func(c *caseBuilder) {
			switch {
			case c.i < 32:
				c.LI(t0, 0x01010101*uint32(c.i)+0x80000000)
				c.MTC1(t0, asm.FReg(c.i))
				if c.i > 0 {
					c.MFC1(t1, asm.FReg(c.i-1)) // not clobbered by the write to i
					c.Out(t1, 0)
				}
			case c.i == 32:
				c.MFC1(t1, asm.F31)
				c.Out(t1, 0)
				c.LI(t0, 0xcafef00d)
				c.MTHC1(t0, asm.F2) // writes $f3
			case c.i == 33:
				c.MFC1(t1, asm.F3)
				c.Out(t1, 0)
				c.LI(t0, 0x600dd00d)
				c.MTC1(t0, asm.F5)
			case c.i == 34:
				c.MFHC1(t1, asm.F4) // reads $f5
				c.Out(t1, 0)
			}
		})
		for i := 1; i < 32; i++ {
			checkOut(t, fmt.Sprintf("mfc1 $f%d", i-1), out[i], 0x01010101*uint32(i-1)+0x80000000)
		}
		checkOut(t, "mfc1 $f31", out[32], 0x01010101*31+0x80000000)
		checkOut(t, "mthc1 $f2", out[33], 0xcafef00d)
		checkOut(t, "mfhc1 $f4", out[34], 0x600dd00d)
		for i := range 32 {
			want := 0x01010101*uint32(i) + 0x80000000
			switch i {
			case 3:
				want = 0xcafef00d
			case 5:
				want = 0x600dd00d
			}
			if m.FPR(i) != want {
				t.Errorf("FPR(%d) = 0x%x, want 0x%x", i, m.FPR(i), want)
			}
		}
	})
}

// TestISACOP1OddPair: MFHC1/MTHC1 name a 64-bit register; an odd one has no
// high half in FR=0 mode.
func TestISACOP1OddPair(t *testing.T) {
	for _, tc := range []struct {
		name string
		emit func(b *asm.Builder)
	}{
		{"mfhc1 $f3", func(b *asm.Builder) { b.MFHC1(t0, asm.F3) }},
		{"mthc1 $f1", func(b *asm.Builder) { b.MTHC1(t0, asm.F1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bothOrders(t, func(t *testing.T, be bool) {
				m, r, b := runProg(t, be, func(b *asm.Builder) {
					b.NOP()
					b.Label("bad")
					tc.emit(b)
					b.Exit(0)
				})
				wantFault(t, m, r, executor.FaultReserved, executor.SIGILL, b.MustAddr("bad"), 2)
			})
		})
	}
}

// TestISACOP1LoadStore: LWC1/SWC1 move words; LDC1/SDC1 move doublewords
// whose low word is the even register, wherever the byte order puts it.
func TestISACOP1LoadStore(t *testing.T) {
	const hi, lo = 0x01234567, 0x89abcdef
	bothOrders(t, func(t *testing.T, be bool) {
		dbl := make([]byte, 8) // the 64-bit value hi:lo in guest byte order
		if be {
			byteOrder(be).PutUint32(dbl, hi)
			byteOrder(be).PutUint32(dbl[4:], lo)
		} else {
			byteOrder(be).PutUint32(dbl, lo)
			byteOrder(be).PutUint32(dbl[4:], hi)
		}
		out, m, b := batch(t, be, 1, 6, func(c *caseBuilder) {
			c.Data("dbl", dbl)
			c.DataWords("word", 0xfeedface)
			c.Data("wout", make([]byte, 8))
			c.Data("dout", make([]byte, 16))
			c.LA(s1, "dbl")
			c.LA(s2, "wout")
			c.LA(s3, "dout")
			c.LWC1(asm.F4, 8, s1) // "word"
			c.MFC1(t0, asm.F4)
			c.Out(t0, 0)
			c.SWC1(asm.F4, 4, s2)
			c.LDC1(asm.F6, 0, s1)
			c.MFC1(t0, asm.F6)
			c.MFC1(t1, asm.F7)
			c.MFHC1(t2, asm.F6)
			c.Out(t0, 1)
			c.Out(t1, 2)
			c.Out(t2, 3)
			c.SDC1(asm.F6, 8, s3)
			c.LI(t0, 0x11111111)
			c.MTC1(t0, asm.F8)
			c.LI(t0, 0x22222222)
			c.MTHC1(t0, asm.F8)
			c.SDC1(asm.F8, 0, s3)
			c.LW(t0, 0, s3)
			c.LW(t1, 4, s3)
			c.Out(t0, 4)
			c.Out(t1, 5)
		})
		first, second := uint32(0x11111111), uint32(0x22222222) // low word first in little-endian
		if be {
			first, second = second, first
		}
		checkOut(t, "lwc1/ldc1/sdc1", out[0], 0xfeedface, lo, hi, hi, first, second)
		if m.FPR(4) != 0xfeedface || m.FPR(6) != lo || m.FPR(7) != hi {
			t.Errorf("FPRs 4, 6, 7: 0x%x 0x%x 0x%x", m.FPR(4), m.FPR(6), m.FPR(7))
		}
		if got := m.ReadBytes(b.MustAddr("dout")+8, 8); string(got) != string(dbl) {
			t.Errorf("sdc1 stored % x, want % x", got, dbl)
		}
		if got, want := m.ReadBytes(b.MustAddr("wout")+4, 4), m.ReadBytes(b.MustAddr("word"), 4); string(got) != string(want) {
			t.Errorf("swc1 stored % x, want % x", got, want)
		}
		if be && m.LoadByte(b.MustAddr("dout")+8) != 0x01 || !be && m.LoadByte(b.MustAddr("dout")+8) != 0xef {
			t.Errorf("first byte of the stored double is %02x", m.LoadByte(b.MustAddr("dout")+8))
		}
	})
}

// fcrCases write one FP control register and read back all four views of
// FCSR. Values avoid cause bits with their enables set (and the
// unimplemented-operation cause), which would raise an FP exception.
var fcrCases = []struct {
	name                   string
	fcr                    uint8
	v                      uint32
	fcsr, fccr, fexr, fenr uint32
}{
	{"fcsr rounding and enables", 31, 0x00000f83, 0x00000f83, 0, 0, 0x00000f83},
	{"fcsr condition codes and flags", 31, 0xfe80007c, 0xfe80007c, 0xff, 0x7c, 0},
	{"fcsr causes", 31, 0x0001f000, 0x0001f000, 0, 0x0001f000, 0},
	{"fcsr reserved bits read zero", 31, 0x007c0000, 0, 0, 0, 0},
	{"fcsr flush to zero", 31, 0x01000002, 0x01000002, 0, 0, 0x00000006},
	{"fccr all", 25, 0xff, 0xfe800000, 0xff, 0, 0},
	{"fccr cc0", 25, 0x01, 0x00800000, 0x01, 0, 0},
	{"fccr cc1 and cc7", 25, 0x82, 0x82000000, 0x82, 0, 0},
	{"fexr", 26, 0x0001f07c, 0x0001f07c, 0, 0x0001f07c, 0},
	{"fenr", 28, 0x00000f87, 0x01000f83, 0, 0, 0x00000f87},
}

func TestISAFPControl(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		out, m, _ := batch(t, be, len(fcrCases), 4, func(c *caseBuilder) {
			tc := fcrCases[c.i]
			c.CTC1(zero, 31)
			c.LI(t0, tc.v)
			c.CTC1(t0, tc.fcr)
			c.CFC1(t1, 31)
			c.CFC1(t2, 25)
			c.CFC1(t3, 26)
			c.CFC1(t4, 28)
			c.Out(t1, 0)
			c.Out(t2, 1)
			c.Out(t3, 2)
			c.Out(t4, 3)
			if c.i == len(fcrCases)-1 {
				c.CTC1(zero, 31)
			}
		})
		for i, tc := range fcrCases {
			checkOut(t, tc.name, out[i], tc.fcsr, tc.fccr, tc.fexr, tc.fenr)
		}
		if m.FCSR() != 0 {
			t.Errorf("FCSR() = 0x%x", m.FCSR())
		}
	})
	// Writes to FCCR keep the other FCSR fields.
	bothOrders(t, func(t *testing.T, be bool) {
		m, r, _ := runProg(t, be, func(b *asm.Builder) {
			b.LI(t0, 0x00000f82)
			b.CTC1(t0, 31)
			b.ADDIU(t0, zero, 0x41)
			b.CTC1(t0, 25)
			b.CFC1(t1, 0) // FIR
			b.Exit(0)
		})
		wantExit(t, r, 0)
		if m.FCSR() != 0x40800f82 {
			t.Errorf("FCSR() = 0x%x, want 0x40800f82", m.FCSR())
		}
		// FIR: single, double, word and long formats, no FP revision.
		if m.Reg(int(t1)) != 0x00330000 {
			t.Errorf("FIR = 0x%x", m.Reg(int(t1)))
		}
	})
	for _, tc := range []struct {
		name string
		emit func(b *asm.Builder)
	}{
		{"cfc1 $1", func(b *asm.Builder) { b.CFC1(t0, 1) }},
		{"cfc1 $30", func(b *asm.Builder) { b.CFC1(t0, 30) }},
		{"ctc1 $0 (FIR is read-only)", func(b *asm.Builder) { b.CTC1(t0, 0) }},
		{"ctc1 $24", func(b *asm.Builder) { b.CTC1(t0, 24) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bothOrders(t, func(t *testing.T, be bool) {
				m, r, b := runProg(t, be, func(b *asm.Builder) {
					b.ADDIU(t0, zero, 3)
					b.Label("bad")
					tc.emit(b)
					b.Exit(0)
				})
				wantFault(t, m, r, executor.FaultReserved, executor.SIGILL, b.MustAddr("bad"), 2)
				if m.Reg(int(t0)) != 3 || m.FCSR() != 0 {
					t.Errorf("state changed: t0 0x%x FCSR 0x%x", m.Reg(int(t0)), m.FCSR())
				}
			})
		})
	}
}

// fccr returns a setup that sets the FP condition codes.
func fccr(v uint32) func(b *asm.Builder) {
	return func(b *asm.Builder) { b.LI(t7, v); b.CTC1(t7, 25) }
}

var fpBranchCases = []branchCase{
	{"bc1f cc0 taken", fccr(0xfe), func(b *asm.Builder, l string) { b.BC1F(0, l) }, true, false, 0},
	{"bc1f cc0 not taken", fccr(0x01), func(b *asm.Builder, l string) { b.BC1F(0, l) }, false, false, 0},
	{"bc1t cc0 taken", fccr(0x01), func(b *asm.Builder, l string) { b.BC1T(0, l) }, true, false, 0},
	{"bc1t cc0 not taken", fccr(0xfe), func(b *asm.Builder, l string) { b.BC1T(0, l) }, false, false, 0},
	{"bc1t cc5 taken", fccr(0x20), func(b *asm.Builder, l string) { b.BC1T(5, l) }, true, false, 0},
	{"bc1t cc5 not taken", fccr(0xdf), func(b *asm.Builder, l string) { b.BC1T(5, l) }, false, false, 0},
	{"bc1f cc1 taken", fccr(0xfd), func(b *asm.Builder, l string) { b.BC1F(1, l) }, true, false, 0},
	{"bc1fl cc3 taken", fccr(0xf7), func(b *asm.Builder, l string) { b.BC1FL(3, l) }, true, true, 0},
	{"bc1fl cc3 not taken annuls", fccr(0x08), func(b *asm.Builder, l string) { b.BC1FL(3, l) }, false, true, 0},
	{"bc1tl cc7 taken", fccr(0x80), func(b *asm.Builder, l string) { b.BC1TL(7, l) }, true, true, 0},
	{"bc1tl cc7 not taken annuls", fccr(0x7f), func(b *asm.Builder, l string) { b.BC1TL(7, l) }, false, true, 0},
	{"bc1tl cc0 taken", fccr(0x01), func(b *asm.Builder, l string) { b.BC1TL(0, l) }, true, true, 0},
	{"bc1fl cc0 not taken annuls", fccr(0x01), func(b *asm.Builder, l string) { b.BC1FL(0, l) }, false, true, 0},
}

func TestISAFPBranches(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		out, _, b := batch(t, be, len(fpBranchCases), 4, func(c *caseBuilder) {
			emitBranchCase(c, fpBranchCases[c.i])
		})
		for i, bc := range fpBranchCases {
			checkBranchCase(t, b, i, bc, out[i])
		}
	})
}

func TestISAFPConditionalMove(t *testing.T) {
	cases := []struct {
		name  string
		fccr  uint32
		movt  bool
		cc    uint8
		moved bool
	}{
		{"movt cc0 true", 0x01, true, 0, true},
		{"movt cc0 false", 0xfe, true, 0, false},
		{"movf cc0 false", 0xfe, false, 0, true},
		{"movf cc0 true", 0x01, false, 0, false},
		{"movt cc4 true", 0x10, true, 4, true},
		{"movt cc4 false", 0xef, true, 4, false},
		{"movf cc7 false", 0x7f, false, 7, true},
		{"movf cc7 true", 0x80, false, 7, false},
	}
	bothOrders(t, func(t *testing.T, be bool) {
		out, _, _ := batch(t, be, len(cases), 1, func(c *caseBuilder) {
			tc := cases[c.i]
			fccr(tc.fccr)(c.Builder)
			c.LI(t0, 0x1234)
			c.LI(t1, 0x5678)
			if tc.movt {
				c.MOVT(t1, t0, tc.cc)
			} else {
				c.MOVF(t1, t0, tc.cc)
			}
			c.Out(t1, 0)
			if c.i == len(cases)-1 {
				c.CTC1(zero, 25)
			}
		})
		for i, tc := range cases {
			want := uint32(0x5678)
			if tc.moved {
				want = 0x1234
			}
			checkOut(t, tc.name, out[i], want)
		}
	})
}
