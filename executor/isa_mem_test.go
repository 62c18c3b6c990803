package executor_test

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/asm"
)

// Reference model for memory accesses, written from the manual's
// byte-addressed definitions rather than from the executor's word lanes.

func byteOrder(be bool) binary.ByteOrder {
	if be {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// refLoad reads size bytes at mem[off:] as the guest sees them, sign- or
// zero-extended.
func refLoad(mem []byte, off, size int, signed, be bool) uint32 {
	var v uint32
	for k := 0; k < size; k++ {
		b := uint32(mem[off+k])
		if be {
			v = v<<8 | b
		} else {
			v |= b << (8 * k)
		}
	}
	if signed && v>>(8*size-1)&1 != 0 {
		v |= ^uint32(0) << (8 * size)
	}
	return v
}

// refStore writes the low size bytes of v at mem[off:] in guest order.
func refStore(mem []byte, off, size int, v uint32, be bool) {
	for k := 0; k < size; k++ {
		shift := 8 * k
		if be {
			shift = 8 * (size - 1 - k)
		}
		mem[off+k] = byte(v >> shift)
	}
}

// significance returns the significance (0 = least) of byte i of an
// aligned word in memory.
func significance(i int, be bool) int {
	if be {
		return 3 - i
	}
	return i
}

func setByte(r uint32, j int, b byte) uint32 { return r&^(0xff<<(8*j)) | uint32(b)<<(8*j) }

// The unaligned word instructions, on the aligned word w (4 bytes) and the
// byte index i of the effective address within it. LWL puts the addressed
// byte in the register's most significant byte and fills downwards with
// the less significant bytes of the memory word; LWR puts it in the least
// significant byte and fills upwards with the more significant ones; SWL
// and SWR are their inverses. The remaining register/memory bytes keep
// their values.
func refLWL(w []byte, i int, r uint32, be bool) uint32 {
	si := significance(i, be)
	for k := range 4 {
		if sk := significance(k, be); sk <= si {
			r = setByte(r, 3-si+sk, w[k])
		}
	}
	return r
}

func refLWR(w []byte, i int, r uint32, be bool) uint32 {
	si := significance(i, be)
	for k := range 4 {
		if sk := significance(k, be); sk >= si {
			r = setByte(r, sk-si, w[k])
		}
	}
	return r
}

func refSWL(w []byte, i int, r uint32, be bool) {
	si := significance(i, be)
	for k := range 4 {
		if sk := significance(k, be); sk <= si {
			w[k] = byte(r >> (8 * (3 - si + sk)))
		}
	}
}

func refSWR(w []byte, i int, r uint32, be bool) {
	si := significance(i, be)
	for k := range 4 {
		if sk := significance(k, be); sk >= si {
			w[k] = byte(r >> (8 * (sk - si)))
		}
	}
}

var loadPattern = []byte{0x81, 0x02, 0x83, 0x04, 0x85, 0x86, 0x07, 0x88}

type loadCase struct {
	name   string
	op     func(b *asm.Builder, rt asm.Reg, off int16, base asm.Reg)
	off    int
	size   int
	signed bool
}

func loadCases() []loadCase {
	var cs []loadCase
	for off := range 8 {
		cs = append(cs,
			loadCase{fmt.Sprintf("lb %d", off), (*asm.Builder).LB, off, 1, true},
			loadCase{fmt.Sprintf("lbu %d", off), (*asm.Builder).LBU, off, 1, false})
	}
	for off := 0; off < 8; off += 2 {
		cs = append(cs,
			loadCase{fmt.Sprintf("lh %d", off), (*asm.Builder).LH, off, 2, true},
			loadCase{fmt.Sprintf("lhu %d", off), (*asm.Builder).LHU, off, 2, false})
	}
	for off := 0; off < 8; off += 4 {
		cs = append(cs,
			loadCase{fmt.Sprintf("lw %d", off), (*asm.Builder).LW, off, 4, false},
			loadCase{fmt.Sprintf("ll %d", off), (*asm.Builder).LL, off, 4, false})
	}
	return cs
}

// TestISALoads: every load width at every offset; LB/LH sign-extend and
// LBU/LHU zero-extend; negative offsets from the base work.
func TestISALoads(t *testing.T) {
	cs := loadCases()
	bothOrders(t, func(t *testing.T, be bool) {
		out, _, _ := batch(t, be, len(cs), 2, func(c *caseBuilder) {
			if c.i == 0 {
				c.Data("pattern", loadPattern)
				c.LA(s1, "pattern")
				c.ADDIU(s2, s1, 0x100)
			}
			tc := cs[c.i]
			c.LI(t0, 0xdeadbeef)
			tc.op(c.Builder, t0, int16(tc.off), s1)
			c.Out(t0, 0)
			tc.op(c.Builder, t1, int16(tc.off-0x100), s2)
			c.Out(t1, 1)
		})
		for i, tc := range cs {
			w := refLoad(loadPattern, tc.off, tc.size, tc.signed, be)
			checkOut(t, tc.name, out[i], w, w)
		}
	})
}

// TestISAStores: every store width at every offset, checked byte by byte
// in memory and by loading the word back.
func TestISAStores(t *testing.T) {
	type storeCase struct {
		name string
		op   func(b *asm.Builder, rt asm.Reg, off int16, base asm.Reg)
		off  int
		size int
	}
	var cs []storeCase
	for off := range 4 {
		cs = append(cs, storeCase{fmt.Sprintf("sb %d", off), (*asm.Builder).SB, off, 1})
	}
	cs = append(cs,
		storeCase{"sh 0", (*asm.Builder).SH, 0, 2},
		storeCase{"sh 2", (*asm.Builder).SH, 2, 2},
		storeCase{"sw 0", (*asm.Builder).SW, 0, 4},
		storeCase{"sc 0", (*asm.Builder).SC, 0, 4})
	const val = 0x11223344
	init := []byte{0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7}
	bothOrders(t, func(t *testing.T, be bool) {
		out, m, b := batch(t, be, len(cs), 2, func(c *caseBuilder) {
			tc := cs[c.i]
			c.Data(c.L("area"), init)
			c.LA(s1, c.L("area"))
			c.LI(t0, val)
			if tc.name == "sc 0" {
				c.LL(t3, 0, s1)
			}
			tc.op(c.Builder, t0, int16(tc.off), s1)
			c.LW(t1, 0, s1)
			c.LW(t2, 4, s1)
			c.Out(t1, 0)
			c.Out(t2, 1)
		})
		for i, tc := range cs {
			want := append([]byte(nil), init...)
			refStore(want, tc.off, tc.size, val, be)
			area := b.MustAddr(fmt.Sprintf("area_%d", i))
			got := m.ReadBytes(area, 8)
			for k := range got {
				if m.LoadByte(area+uint32(k)) != want[k] {
					t.Errorf("%s: byte %d = %02x, want %02x (memory % x, want % x)", tc.name, k, got[k], want[k], got, want)
					break
				}
			}
			checkOut(t, tc.name, out[i], byteOrder(be).Uint32(want), byteOrder(be).Uint32(want[4:]))
		}
		// The example from the ISA manual's byte-order discussion.
		area := b.MustAddr("area_6") // sw 0
		if be && m.LoadByte(area) != 0x11 || !be && m.LoadByte(area) != 0x44 {
			t.Errorf("first byte of a stored 0x11223344 is %02x", m.LoadByte(area))
		}
	})
}

// TestISAUnalignedWordAccess: LWL, LWR, SWL and SWR at every byte offset,
// against the reference model.
func TestISAUnalignedWordAccess(t *testing.T) {
	type ulCase struct {
		name  string
		op    func(b *asm.Builder, rt asm.Reg, off int16, base asm.Reg)
		store bool
		off   int
	}
	var cs []ulCase
	for off := range 8 {
		cs = append(cs,
			ulCase{fmt.Sprintf("lwl %d", off), (*asm.Builder).LWL, false, off},
			ulCase{fmt.Sprintf("lwr %d", off), (*asm.Builder).LWR, false, off},
			ulCase{fmt.Sprintf("swl %d", off), (*asm.Builder).SWL, true, off},
			ulCase{fmt.Sprintf("swr %d", off), (*asm.Builder).SWR, true, off})
	}
	init := []byte{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88}
	const reg = 0xa1b2c3d4
	bothOrders(t, func(t *testing.T, be bool) {
		out, m, b := batch(t, be, len(cs), 1, func(c *caseBuilder) {
			tc := cs[c.i]
			c.Data(c.L("area"), init)
			c.LA(s1, c.L("area"))
			c.LI(t0, reg)
			tc.op(c.Builder, t0, int16(tc.off), s1)
			c.Out(t0, 0)
		})
		for i, tc := range cs {
			want := append([]byte(nil), init...)
			w := want[tc.off&^3 : tc.off&^3+4]
			wantReg := uint32(reg)
			switch {
			case tc.store && tc.name[:3] == "swl":
				refSWL(w, tc.off&3, reg, be)
			case tc.store:
				refSWR(w, tc.off&3, reg, be)
			case tc.name[:3] == "lwl":
				wantReg = refLWL(w, tc.off&3, reg, be)
			default:
				wantReg = refLWR(w, tc.off&3, reg, be)
			}
			checkOut(t, tc.name, out[i], wantReg)
			got := m.ReadBytes(b.MustAddr(fmt.Sprintf("area_%d", i)), 8)
			if string(got) != string(want) {
				t.Errorf("%s: memory % x, want % x", tc.name, got, want)
			}
		}
	})
}

// TestISAUnalignedIdiom: the lwl/lwr (ulw) and swl/swr (usw) pairs compilers
// emit load and store a word at any address.
func TestISAUnalignedIdiom(t *testing.T) {
	init := []byte{0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f}
	const val = 0xfedcba98
	bothOrders(t, func(t *testing.T, be bool) {
		// The pair's offsets: big-endian lwl 0 / lwr 3, little-endian lwl 3 / lwr 0.
		hi, lo := int16(0), int16(3)
		if !be {
			hi, lo = 3, 0
		}
		out, m, b := batch(t, be, 8, 1, func(c *caseBuilder) {
			c.Data(c.L("area"), init)
			c.LA(s1, c.L("area"))
			c.ADDIU(s2, s1, int16(c.i))
			c.LI(t0, 0x5a5a5a5a)
			c.LWL(t0, hi, s2)
			c.LWR(t0, lo, s2)
			c.Out(t0, 0)
			c.LI(t1, val)
			c.SWL(t1, hi+4, s2)
			c.SWR(t1, lo+4, s2)
		})
		for i := range 8 {
			checkOut(t, fmt.Sprintf("ulw at +%d", i), out[i], byteOrder(be).Uint32(init[i:]))
			want := append([]byte(nil), init...)
			byteOrder(be).PutUint32(want[i+4:], val)
			if got := m.ReadBytes(b.MustAddr(fmt.Sprintf("area_%d", i)), len(init)); string(got) != string(want) {
				t.Errorf("usw at +%d: memory % x, want % x", i+4, got, want)
			}
		}
	})
}

// TestISAMisalignedAccess: halfword, word and doubleword accesses that are
// not naturally aligned fault with SIGBUS at the instruction, and change
// neither the register nor memory.
func TestISAMisalignedAccess(t *testing.T) {
	cases := []struct {
		name string
		emit func(b *asm.Builder) // accesses via $s1, loads into $t0 / $f4
		addr uint32               // offset from the area
	}{
		{"lh 1", func(b *asm.Builder) { b.LH(t0, 1, s1) }, 1},
		{"lh 3", func(b *asm.Builder) { b.LH(t0, 3, s1) }, 3},
		{"lhu 1", func(b *asm.Builder) { b.LHU(t0, 1, s1) }, 1},
		{"lw 1", func(b *asm.Builder) { b.LW(t0, 1, s1) }, 1},
		{"lw 2", func(b *asm.Builder) { b.LW(t0, 2, s1) }, 2},
		{"lw 3", func(b *asm.Builder) { b.LW(t0, 3, s1) }, 3},
		{"lw -1", func(b *asm.Builder) { b.LW(t0, -1, s1) }, 0xffffffff},
		{"ll 2", func(b *asm.Builder) { b.LL(t0, 2, s1) }, 2},
		{"sh 1", func(b *asm.Builder) { b.SH(t0, 1, s1) }, 1},
		{"sw 2", func(b *asm.Builder) { b.SW(t0, 2, s1) }, 2},
		{"sw 3", func(b *asm.Builder) { b.SW(t0, 3, s1) }, 3},
		{"sc 1", func(b *asm.Builder) { b.SC(t0, 1, s1) }, 1},
		{"lwc1 2", func(b *asm.Builder) { b.LWC1(asm.F4, 2, s1) }, 2},
		{"swc1 1", func(b *asm.Builder) { b.SWC1(asm.F4, 1, s1) }, 1},
		{"ldc1 4", func(b *asm.Builder) { b.LDC1(asm.F4, 4, s1) }, 4},
		{"ldc1 2", func(b *asm.Builder) { b.LDC1(asm.F4, 2, s1) }, 2},
		{"sdc1 4", func(b *asm.Builder) { b.SDC1(asm.F4, 4, s1) }, 4},
	}
	init := []byte{0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bothOrders(t, func(t *testing.T, be bool) {
				m, r, b := runProg(t, be, func(b *asm.Builder) {
					b.LA(s1, "area")
					b.LI(t0, 0x5555aaaa)
					b.MTC1(t0, asm.F4)
					b.MTC1(t0, asm.F5)
					b.Label("bad")
					tc.emit(b)
					b.Exit(0)
					b.Data("pad", []byte{0})
					b.Data("area", init)
				})
				area := b.MustAddr("area")
				wantFault(t, m, r, executor.FaultAlign, executor.SIGBUS, b.MustAddr("bad"), straight(b, "bad"))
				if r.Fault.Addr != area+tc.addr {
					t.Errorf("fault address 0x%x, want 0x%x", r.Fault.Addr, area+tc.addr)
				}
				if m.Reg(int(t0)) != 0x5555aaaa || m.FPR(4) != 0x5555aaaa || m.FPR(5) != 0x5555aaaa {
					t.Errorf("register written: t0 0x%x f4 0x%x f5 0x%x", m.Reg(int(t0)), m.FPR(4), m.FPR(5))
				}
				if got := m.ReadBytes(area, len(init)); string(got) != string(init) {
					t.Errorf("memory written: % x", got)
				}
				if tc.name != "sc 1" { // qemu checks the link before the address
					qemuSignal(t, be, b, executor.SIGBUS)
				}
			})
		})
	}
}

// TestISANullPage: any access below 0x1000 faults with SIGSEGV; alignment is
// checked first.
func TestISANullPage(t *testing.T) {
	cases := []struct {
		name string
		emit func(b *asm.Builder)
		addr uint32
		sig  int
	}{
		{"lw 0", func(b *asm.Builder) { b.LW(t0, 0, zero) }, 0, executor.SIGSEGV},
		{"lb 0xfff", func(b *asm.Builder) { b.LB(t0, 0xfff, zero) }, 0xfff, executor.SIGSEGV},
		{"lbu 1", func(b *asm.Builder) { b.LBU(t0, 1, zero) }, 1, executor.SIGSEGV},
		{"lh 0x800", func(b *asm.Builder) { b.LH(t0, 0x800, zero) }, 0x800, executor.SIGSEGV},
		{"lhu 2", func(b *asm.Builder) { b.LHU(t0, 2, zero) }, 2, executor.SIGSEGV},
		{"lwl 3", func(b *asm.Builder) { b.LWL(t0, 3, zero) }, 3, executor.SIGSEGV},
		{"lwr 0", func(b *asm.Builder) { b.LWR(t0, 0, zero) }, 0, executor.SIGSEGV},
		{"ll 8", func(b *asm.Builder) { b.LL(t0, 8, zero) }, 8, executor.SIGSEGV},
		{"sw 16", func(b *asm.Builder) { b.SW(t0, 16, zero) }, 16, executor.SIGSEGV},
		{"sb 0xffc", func(b *asm.Builder) { b.SB(t0, 0xffc, zero) }, 0xffc, executor.SIGSEGV},
		{"sh 4", func(b *asm.Builder) { b.SH(t0, 4, zero) }, 4, executor.SIGSEGV},
		{"swl 1", func(b *asm.Builder) { b.SWL(t0, 1, zero) }, 1, executor.SIGSEGV},
		{"swr 2", func(b *asm.Builder) { b.SWR(t0, 2, zero) }, 2, executor.SIGSEGV},
		{"sc 0", func(b *asm.Builder) { b.SC(t0, 0, zero) }, 0, executor.SIGSEGV},
		{"lwc1 0x100", func(b *asm.Builder) { b.LWC1(asm.F0, 0x100, zero) }, 0x100, executor.SIGSEGV},
		{"swc1 0", func(b *asm.Builder) { b.SWC1(asm.F0, 0, zero) }, 0, executor.SIGSEGV},
		{"ldc1 0", func(b *asm.Builder) { b.LDC1(asm.F0, 0, zero) }, 0, executor.SIGSEGV},
		{"sdc1 0xff8", func(b *asm.Builder) { b.SDC1(asm.F0, 0xff8, zero) }, 0xff8, executor.SIGSEGV},
		{"negative offset into the null page", func(b *asm.Builder) { b.LI(t1, 0x1000); b.LW(t0, -4, t1) }, 0xffc, executor.SIGSEGV},
		{"misaligned in the null page is SIGBUS", func(b *asm.Builder) { b.LW(t0, 1, zero) }, 1, executor.SIGBUS},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bothOrders(t, func(t *testing.T, be bool) {
				m, r, b := runProg(t, be, func(b *asm.Builder) {
					b.LI(t0, 0x77)
					b.Label("bad")
					tc.emit(b)
					b.Exit(0)
				})
				pc := b.PC() - 16 // the access is the instruction before Exit
				kind := executor.FaultNull
				if tc.sig == executor.SIGBUS {
					kind = executor.FaultAlign
				}
				wantFault(t, m, r, kind, tc.sig, pc, uint64(pc-textBase)/4+1)
				if r.Fault.Addr != tc.addr || m.Reg(int(t0)) != 0x77 {
					t.Errorf("fault address 0x%x (want 0x%x), t0 0x%x", r.Fault.Addr, tc.addr, m.Reg(int(t0)))
				}
				qemuSignal(t, be, b, tc.sig)
			})
		})
	}
	// The first address past the null page is ordinary memory.
	bothOrders(t, func(t *testing.T, be bool) {
		m, r, _ := runProg(t, be, func(b *asm.Builder) {
			b.LI(t0, 0x12345678)
			b.SW(t0, 0x1000, zero)
			b.LW(t1, 0x1000, zero)
			b.LBU(t2, 0x1003, zero)
			b.Exit(0)
		})
		wantExit(t, r, 0)
		want := uint32(0x12) // little-endian: the most significant byte is last
		if be {
			want = 0x78
		}
		if m.Reg(int(t1)) != 0x12345678 || m.Reg(int(t2)) != want {
			t.Errorf("t1 0x%x t2 0x%x", m.Reg(int(t1)), m.Reg(int(t2)))
		}
	})
}

// TestISALLSC: a load-linked/store-conditional pair succeeds (no other
// thread can break the link) and SC writes 1 to rt.
func TestISALLSC(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		out, m, b := batch(t, be, 1, 3, func(c *caseBuilder) {
			c.DataWords("counter", 41)
			c.LA(s1, "counter")
			c.Label("retry")
			c.LL(t0, 0, s1)
			c.ADDIU(t1, t0, 1)
			c.SC(t1, 0, s1)
			c.BEQ(t1, zero, "retry")
			c.NOP()
			c.Out(t0, 0)
			c.Out(t1, 1)
			c.LW(t2, 0, s1)
			c.Out(t2, 2)
		})
		checkOut(t, "ll/sc", out[0], 41, 1, 42)
		if m.ReadWord(b.MustAddr("counter")) != 42 {
			t.Errorf("counter %d", m.ReadWord(b.MustAddr("counter")))
		}
	})
}

// TestISASelfModifyingCode: stores into the text segment (every store
// width) take effect when the overwritten instruction next executes, also
// after it already ran.
func TestISASelfModifyingCode(t *testing.T) {
	// Each case runs its patch site twice; the store between the two runs
	// rewrites it, so the outputs are the old and new results.
	type smcCase struct {
		name   string
		patch  func(c *caseBuilder, site string, be bool) // stores via $s1 = site
		first  uint32
		second uint32
	}
	enc := func(be bool, emit func(b *asm.Builder)) uint32 {
		b := asm.New(be)
		emit(b)
		ws, err := b.Words()
		if err != nil {
			panic(err)
		}
		return ws[0]
	}
	cases := []smcCase{
		{"sw whole instruction", func(c *caseBuilder, site string, be bool) {
			c.LI(t5, enc(be, func(b *asm.Builder) { b.ADDIU(t0, zero, 2) }))
			c.SW(t5, 0, s1)
		}, 1, 2},
		{"sh immediate", func(c *caseBuilder, site string, be bool) {
			off := int16(0)
			if be {
				off = 2
			}
			c.ADDIU(t5, zero, 0x1234)
			c.SH(t5, off, s1)
		}, 1, 0x1234},
		{"sb low immediate byte", func(c *caseBuilder, site string, be bool) {
			off := int16(0)
			if be {
				off = 3
			}
			c.ADDIU(t5, zero, 0x99)
			c.SB(t5, off, s1)
		}, 1, 0x99},
		{"swr whole word", func(c *caseBuilder, site string, be bool) {
			c.LI(t5, enc(be, func(b *asm.Builder) { b.LUI(t0, 0x4321) }))
			if be {
				c.SWR(t5, 3, s1)
			} else {
				c.SWR(t5, 0, s1)
			}
		}, 1, 0x43210000},
		{"swc1", func(c *caseBuilder, site string, be bool) {
			c.LI(t5, enc(be, func(b *asm.Builder) { b.ORI(t0, zero, 0xbeef) }))
			c.MTC1(t5, asm.F6)
			c.SWC1(asm.F6, 0, s1)
		}, 1, 0xbeef},
	}
	bothOrders(t, func(t *testing.T, be bool) {
		out, _, _ := batch(t, be, len(cases), 2, func(c *caseBuilder) {
			c.WritableText = true
			tc := cases[c.i]
			site := c.L("site")
			c.LA(s1, site)
			c.ADDIU(t1, zero, 0) // pass
			c.Label(c.L("again"))
			c.Label(site)
			c.ADDIU(t0, zero, 1) // the patched instruction
			c.SLL(t2, t1, 2)
			c.ADDU(t2, t2, s0)
			c.SW(t0, int16(4*c.i*c.nOut), t2) // output t1 of this case
			tc.patch(c, site, be)
			c.ADDIU(t1, t1, 1)
			c.SLTI(t3, t1, 2)
			c.BNE(t3, zero, c.L("again"))
			c.NOP()
		})
		for i, tc := range cases {
			checkOut(t, tc.name, out[i], tc.first, tc.second)
		}
	})
	// SDC1 rewrites two instructions at once; the even register holds the
	// low word, which big-endian memory stores second.
	bothOrders(t, func(t *testing.T, be bool) {
		m, r, b := runProg(t, be, func(b *asm.Builder) {
			b.LA(s1, "site")
			first := enc(be, func(b *asm.Builder) { b.ADDIU(t0, zero, 7) })
			second := enc(be, func(b *asm.Builder) { b.ADDIU(t1, zero, 8) })
			if be {
				first, second = second, first
			}
			b.LI(t5, first)
			b.MTC1(t5, asm.F2)
			b.LI(t5, second)
			b.MTC1(t5, asm.F3)
			b.SDC1(asm.F2, 0, s1)
			for b.PC()%8 != 0 {
				b.NOP()
			}
			b.Label("site")
			b.NOP()
			b.NOP()
			b.Exit(0)
		})
		wantExit(t, r, 0)
		if m.Reg(int(t0)) != 7 || m.Reg(int(t1)) != 8 {
			t.Errorf("t0 %d t1 %d, want 7 8", m.Reg(int(t0)), m.Reg(int(t1)))
		}
		if got := m.Program().Code[(b.MustAddr("site")-textBase)/4].String(); got != "nop" {
			t.Errorf("the program itself changed: %q", got)
		}
	})
	// A store into the delay slot of the next branch.
	bothOrders(t, func(t *testing.T, be bool) {
		m, r, _ := runProg(t, be, func(b *asm.Builder) {
			b.LA(s1, "slot")
			b.LI(t5, enc(be, func(b *asm.Builder) { b.ADDIU(t0, zero, 3) }))
			b.SW(t5, 0, s1)
			b.B("out")
			b.Label("slot")
			b.ADDIU(t0, zero, 1)
			b.Label("out")
			b.Exit(0)
		})
		wantExit(t, r, 0)
		if m.Reg(int(t0)) != 3 {
			t.Errorf("t0 %d, want 3", m.Reg(int(t0)))
		}
	})
}

// TestISACodeOutsideText: code copied into the data segment runs there
// (relative branches included), and rewriting it there takes effect.
func TestISACodeOutsideText(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		m, r, b := runProg(t, be, func(b *asm.Builder) {
			// Copy snippet..snippet_end to buf.
			b.LA(t0, "snippet")
			b.LA(t1, "snippet_end")
			b.LA(t2, "buf")
			b.Label("copy")
			b.LW(t3, 0, t0)
			b.SW(t3, 0, t2)
			b.ADDIU(t0, t0, 4)
			b.BNE(t0, t1, "copy")
			b.ADDIU(t2, t2, 4)
			b.ADDIU(s2, zero, 0)
			b.ADDIU(s3, zero, 0)
			b.LA(t9, "buf")
			b.JALR(ra, t9)
			b.NOP()
			// Patch the addiu's immediate in the copy and call it again.
			off := int16(0)
			if be {
				off = 2
			}
			b.ADDIU(t5, zero, 100)
			b.SH(t5, off, t9)
			b.Label("call2")
			b.JALR(ra, t9)
			b.NOP()
			b.Label("after")
			b.Exit(0)

			b.Label("snippet")
			b.ADDIU(s2, s2, 7)
			b.BEQ(zero, zero, "snippet_ret") // relative: lands in the copy
			b.NOP()
			b.ADDIU(s2, s2, 1000) // skipped
			b.Label("snippet_ret")
			b.JR(ra)
			b.ADDIU(s3, s3, 1)
			b.Label("snippet_end")
			b.BSS("buf", 64)
		})
		wantExit(t, r, 0)
		if m.Reg(int(s2)) != 107 || m.Reg(int(s3)) != 2 || m.Reg(int(ra)) != b.MustAddr("after") {
			t.Errorf("s2 %d s3 %d ra 0x%x, want 107 2 0x%x", m.Reg(int(s2)), m.Reg(int(s3)), m.Reg(int(ra)), b.MustAddr("after"))
		}
	})
	// A fault in code outside the text segment reports that PC.
	bothOrders(t, func(t *testing.T, be bool) {
		m, r, b := runProg(t, be, func(b *asm.Builder) {
			b.LA(t9, "bad")
			b.JR(t9)
			b.NOP()
			b.DataWords("bad", 0xfc000000)
		})
		wantFault(t, m, r, executor.FaultReserved, executor.SIGILL, b.MustAddr("bad"), 5)
		if r.Fault.Symbol != "bad+0x0" {
			t.Errorf("fault symbol %q", r.Fault.Symbol)
		}
	})
}
