// Package asm is a small MIPS32r2 assembler for tests.
//
// A Builder appends instructions one method call at a time (in the spirit of
// go-ethereum's program builder), resolves labels, and lays the result out as
// a program.Program (text at TextBase, data at DataBase) or as a minimal
// static ELF32 executable of the same program in either byte order.
//
// The builder works like GNU as under ".set noreorder": it never fills delay
// slots or expands an instruction behind the caller's back. The only
// multi-instruction methods are the documented pseudo-instructions (LI, LA,
// Exit, ExitReg), and each always emits the same number of words, so step
// counts and code addresses are predictable.
//
// Errors (undefined or duplicate labels, out-of-range fields or branch
// targets) are recorded and returned by Program, Words and BuildELF; ELF
// panics with them.
package asm

import (
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/zkmips/zkmips/program"
)

// Reg is a general-purpose register number.
type Reg uint8

// General-purpose registers by o32 name.
const (
	Zero Reg = iota
	AT
	V0
	V1
	A0
	A1
	A2
	A3
	T0
	T1
	T2
	T3
	T4
	T5
	T6
	T7
	S0
	S1
	S2
	S3
	S4
	S5
	S6
	S7
	T8
	T9
	K0
	K1
	GP
	SP
	FP
	RA
)

// FReg is a floating-point register number.
type FReg uint8

// Floating-point registers.
const (
	F0 FReg = iota
	F1
	F2
	F3
	F4
	F5
	F6
	F7
	F8
	F9
	F10
	F11
	F12
	F13
	F14
	F15
	F16
	F17
	F18
	F19
	F20
	F21
	F22
	F23
	F24
	F25
	F26
	F27
	F28
	F29
	F30
	F31
)

// Default layout addresses.
const (
	TextBase = 0x00400000
	DataBase = 0x10000000
)

// SysExitGroup is the o32 Linux exit_group syscall number.
const SysExitGroup = 4246

// ELF program header flags.
const (
	PF_X = 1
	PF_W = 2
	PF_R = 4
)

type section uint8

const (
	secText section = iota
	secData
	secBSS
)

type label struct {
	sec section
	off uint32
}

type fixKind uint8

const (
	fixBranch fixKind = iota // 16-bit word offset from the delay slot
	fixJump                  // 26-bit region target of J/JAL
	fixHi                    // upper half of an absolute address (LUI)
	fixLo                    // lower half of an absolute address (ORI)
	fixWord                  // the whole absolute address
)

type fixup struct {
	index int // text word
	kind  fixKind
	label string
}

// Builder assembles one program. The zero value is not usable; call New.
type Builder struct {
	// BigEndian is the byte order of the program.
	BigEndian bool
	// TextBase and DataBase are where text and data are laid out; change
	// them before calling Program or ELF.
	TextBase, DataBase uint32
	// Entry names the entry-point label; empty means TextBase.
	Entry string
	// WritableText adds PF_W to the text segment, so that self-modifying
	// code also runs under a real loader (zkmips memory is always writable).
	WritableText bool

	text   []uint32
	fixups []fixup
	data   []byte
	bss    uint32
	labels map[string]label
	names  []string // labels in definition order
	err    error
}

// New returns an empty builder for the given byte order.
func New(bigEndian bool) *Builder {
	return &Builder{
		BigEndian: bigEndian,
		TextBase:  TextBase,
		DataBase:  DataBase,
		labels:    map[string]label{},
	}
}

// Err returns the first error recorded so far.
func (b *Builder) Err() error { return b.err }

func (b *Builder) errorf(format string, args ...any) {
	if b.err == nil {
		b.err = fmt.Errorf("asm: instruction %d: %s", len(b.text), fmt.Sprintf(format, args...))
	}
}

// ByteOrder returns the program's byte order.
func (b *Builder) ByteOrder() binary.ByteOrder {
	if b.BigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// Len returns the number of text words emitted so far.
func (b *Builder) Len() int { return len(b.text) }

// PC returns the address the next instruction will have.
func (b *Builder) PC() uint32 { return b.TextBase + 4*uint32(len(b.text)) }

func (b *Builder) define(name string, l label) {
	if name == "" {
		b.errorf("empty label name")
		return
	}
	if _, dup := b.labels[name]; dup {
		b.errorf("label %q defined twice", name)
		return
	}
	b.labels[name] = l
	b.names = append(b.names, name)
}

// Label defines name as the address of the next instruction.
func (b *Builder) Label(name string) { b.define(name, label{secText, 4 * uint32(len(b.text))}) }

// Addr returns the address of a defined label with the current layout.
func (b *Builder) Addr(name string) (uint32, bool) {
	l, ok := b.labels[name]
	if !ok {
		return 0, false
	}
	return b.addr(l), true
}

// MustAddr is Addr for labels known to exist; it panics otherwise.
func (b *Builder) MustAddr(name string) uint32 {
	a, ok := b.Addr(name)
	if !ok {
		panic(fmt.Sprintf("asm: undefined label %q", name))
	}
	return a
}

func align8(n uint32) uint32 { return (n + 7) &^ 7 }

func (b *Builder) addr(l label) uint32 {
	switch l.sec {
	case secText:
		return b.TextBase + l.off
	case secData:
		return b.DataBase + l.off
	}
	return b.DataBase + align8(uint32(len(b.data))) + l.off
}

// Data places p in the data segment at the next 8-byte aligned offset and
// names it (name may be empty for an anonymous block).
func (b *Builder) Data(name string, p []byte) {
	for len(b.data)%8 != 0 {
		b.data = append(b.data, 0)
	}
	if name != "" {
		b.define(name, label{secData, uint32(len(b.data))})
	}
	b.data = append(b.data, p...)
}

// DataWords places words, encoded in the program's byte order, in the data
// segment like Data.
func (b *Builder) DataWords(name string, ws ...uint32) {
	p := make([]byte, 4*len(ws))
	for i, w := range ws {
		b.ByteOrder().PutUint32(p[4*i:], w)
	}
	b.Data(name, p)
}

// BSS reserves size zero bytes (8-byte aligned) after the data segment's
// file-backed part.
func (b *Builder) BSS(name string, size uint32) {
	b.bss = align8(b.bss)
	if name != "" {
		b.define(name, label{secBSS, b.bss})
	}
	b.bss += size
}

// emit appends one instruction word.
func (b *Builder) emit(w uint32) { b.text = append(b.text, w) }

func (b *Builder) emitFix(w uint32, kind fixKind, target string) {
	b.fixups = append(b.fixups, fixup{len(b.text), kind, target})
	b.emit(w)
}

// Word appends a raw 32-bit word to the text (an instruction the builder
// has no method for, or an invalid one).
func (b *Builder) Word(w uint32) { b.emit(w) }

// WordAddr appends the absolute address of a label to the text (a jump
// table entry).
func (b *Builder) WordAddr(name string) { b.emitFix(0, fixWord, name) }

// Field checks.

func (b *Builder) reg(r Reg) uint32 {
	if r > 31 {
		b.errorf("register %d out of range", r)
	}
	return uint32(r & 31)
}

func (b *Builder) freg(f FReg) uint32 {
	if f > 31 {
		b.errorf("FP register %d out of range", f)
	}
	return uint32(f & 31)
}

func (b *Builder) field(name string, v, bits uint32) uint32 {
	if v >= 1<<bits {
		b.errorf("%s %d does not fit %d bits", name, v, bits)
	}
	return v & (1<<bits - 1)
}

// Instruction formats.

func (b *Builder) rtype(op, rs, rt, rd, sa, fn uint32) {
	b.emit(op<<26 | rs<<21 | rt<<16 | rd<<11 | sa<<6 | fn)
}

func (b *Builder) special(fn uint32, rd, rs, rt Reg) {
	b.rtype(0, b.reg(rs), b.reg(rt), b.reg(rd), 0, fn)
}

func (b *Builder) itype(op uint32, rs, rt uint32, imm uint16) {
	b.emit(op<<26 | rs<<21 | rt<<16 | uint32(imm))
}

func (b *Builder) branch(op uint32, rs, rt uint32, target string) {
	b.emitFix(op<<26|rs<<21|rt<<16, fixBranch, target)
}

func (b *Builder) shift(fn, rs uint32, rd, rt Reg, sa uint8) {
	b.rtype(0, rs, b.reg(rt), b.reg(rd), b.field("shift amount", uint32(sa), 5), fn)
}

// SPECIAL: shifts.

// SLL is rd = rt << sa.
func (b *Builder) SLL(rd, rt Reg, sa uint8) { b.shift(0, 0, rd, rt, sa) }

// SRL is rd = rt >> sa (logical).
func (b *Builder) SRL(rd, rt Reg, sa uint8) { b.shift(2, 0, rd, rt, sa) }

// SRA is rd = rt >> sa (arithmetic).
func (b *Builder) SRA(rd, rt Reg, sa uint8) { b.shift(3, 0, rd, rt, sa) }

// ROTR is rd = rt rotated right by sa.
func (b *Builder) ROTR(rd, rt Reg, sa uint8) { b.shift(2, 1, rd, rt, sa) }

// SLLV is rd = rt << (rs & 31).
func (b *Builder) SLLV(rd, rt, rs Reg) { b.rtype(0, b.reg(rs), b.reg(rt), b.reg(rd), 0, 4) }

// SRLV is rd = rt >> (rs & 31) (logical).
func (b *Builder) SRLV(rd, rt, rs Reg) { b.rtype(0, b.reg(rs), b.reg(rt), b.reg(rd), 0, 6) }

// SRAV is rd = rt >> (rs & 31) (arithmetic).
func (b *Builder) SRAV(rd, rt, rs Reg) { b.rtype(0, b.reg(rs), b.reg(rt), b.reg(rd), 0, 7) }

// ROTRV is rd = rt rotated right by rs & 31.
func (b *Builder) ROTRV(rd, rt, rs Reg) { b.rtype(0, b.reg(rs), b.reg(rt), b.reg(rd), 1, 6) }

// SPECIAL: jumps, moves, system.

// JR jumps to rs.
func (b *Builder) JR(rs Reg) { b.rtype(0, b.reg(rs), 0, 0, 0, 8) }

// JRHB is jr.hb: JR with the hazard-barrier hint.
func (b *Builder) JRHB(rs Reg) { b.rtype(0, b.reg(rs), 0, 0, 16, 8) }

// JALR jumps to rs and links rd.
func (b *Builder) JALR(rd, rs Reg) { b.rtype(0, b.reg(rs), 0, b.reg(rd), 0, 9) }

// JALRHB is jalr.hb: JALR with the hazard-barrier hint.
func (b *Builder) JALRHB(rd, rs Reg) { b.rtype(0, b.reg(rs), 0, b.reg(rd), 16, 9) }

// MOVZ is rd = rs if rt == 0.
func (b *Builder) MOVZ(rd, rs, rt Reg) { b.special(10, rd, rs, rt) }

// MOVN is rd = rs if rt != 0.
func (b *Builder) MOVN(rd, rs, rt Reg) { b.special(11, rd, rs, rt) }

func (b *Builder) movcc(rd, rs Reg, cc uint8, tf uint32) {
	b.rtype(0, b.reg(rs), b.field("condition code", uint32(cc), 3)<<2|tf, b.reg(rd), 0, 1)
}

// MOVF is rd = rs if FP condition code cc is false.
func (b *Builder) MOVF(rd, rs Reg, cc uint8) { b.movcc(rd, rs, cc, 0) }

// MOVT is rd = rs if FP condition code cc is true.
func (b *Builder) MOVT(rd, rs Reg, cc uint8) { b.movcc(rd, rs, cc, 1) }

// SYSCALL is a system call with code 0.
func (b *Builder) SYSCALL() { b.emit(12) }

// SYSCALLCode is a system call with a 20-bit code.
func (b *Builder) SYSCALLCode(code uint32) { b.emit(b.field("syscall code", code, 20)<<6 | 12) }

// BREAK is "break code" as GNU as encodes it: the 10-bit code in bits
// 16..25 (Linux swaps it back, so break 7 raises SIGFPE like a trap with
// code 7).
func (b *Builder) BREAK(code uint32) { b.emit(b.field("break code", code, 10)<<16 | 13) }

// BREAK2 is "break code1, code2": code1 in bits 16..25, code2 in bits 6..15.
func (b *Builder) BREAK2(code1, code2 uint32) {
	b.emit(b.field("break code", code1, 10)<<16 | b.field("break code", code2, 10)<<6 | 13)
}

// SYNC is a memory barrier (stype 0).
func (b *Builder) SYNC() { b.emit(15) }

// SYNCType is sync with an explicit stype.
func (b *Builder) SYNCType(stype uint8) { b.emit(b.field("sync type", uint32(stype), 5)<<6 | 15) }

// MFHI is rd = HI.
func (b *Builder) MFHI(rd Reg) { b.rtype(0, 0, 0, b.reg(rd), 0, 16) }

// MTHI is HI = rs.
func (b *Builder) MTHI(rs Reg) { b.rtype(0, b.reg(rs), 0, 0, 0, 17) }

// MFLO is rd = LO.
func (b *Builder) MFLO(rd Reg) { b.rtype(0, 0, 0, b.reg(rd), 0, 18) }

// MTLO is LO = rs.
func (b *Builder) MTLO(rs Reg) { b.rtype(0, b.reg(rs), 0, 0, 0, 19) }

// MULT is HI:LO = rs * rt (signed).
func (b *Builder) MULT(rs, rt Reg) { b.special(24, 0, rs, rt) }

// MULTU is HI:LO = rs * rt (unsigned).
func (b *Builder) MULTU(rs, rt Reg) { b.special(25, 0, rs, rt) }

// DIV is LO = rs / rt, HI = rs % rt (signed).
func (b *Builder) DIV(rs, rt Reg) { b.special(26, 0, rs, rt) }

// DIVU is LO = rs / rt, HI = rs % rt (unsigned).
func (b *Builder) DIVU(rs, rt Reg) { b.special(27, 0, rs, rt) }

// SPECIAL: three-register ALU.

// ADD is rd = rs + rt, trapping on signed overflow.
func (b *Builder) ADD(rd, rs, rt Reg) { b.special(32, rd, rs, rt) }

// ADDU is rd = rs + rt.
func (b *Builder) ADDU(rd, rs, rt Reg) { b.special(33, rd, rs, rt) }

// SUB is rd = rs - rt, trapping on signed overflow.
func (b *Builder) SUB(rd, rs, rt Reg) { b.special(34, rd, rs, rt) }

// SUBU is rd = rs - rt.
func (b *Builder) SUBU(rd, rs, rt Reg) { b.special(35, rd, rs, rt) }

// AND is rd = rs & rt.
func (b *Builder) AND(rd, rs, rt Reg) { b.special(36, rd, rs, rt) }

// OR is rd = rs | rt.
func (b *Builder) OR(rd, rs, rt Reg) { b.special(37, rd, rs, rt) }

// XOR is rd = rs ^ rt.
func (b *Builder) XOR(rd, rs, rt Reg) { b.special(38, rd, rs, rt) }

// NOR is rd = ^(rs | rt).
func (b *Builder) NOR(rd, rs, rt Reg) { b.special(39, rd, rs, rt) }

// SLT is rd = rs < rt (signed).
func (b *Builder) SLT(rd, rs, rt Reg) { b.special(42, rd, rs, rt) }

// SLTU is rd = rs < rt (unsigned).
func (b *Builder) SLTU(rd, rs, rt Reg) { b.special(43, rd, rs, rt) }

// SPECIAL: register traps with a 10-bit code.

func (b *Builder) trap(fn uint32, rs, rt Reg, code uint32) {
	b.rtype(0, b.reg(rs), b.reg(rt), 0, 0, fn)
	b.text[len(b.text)-1] |= b.field("trap code", code, 10) << 6
}

// TGE traps if rs >= rt (signed).
func (b *Builder) TGE(rs, rt Reg, code uint32) { b.trap(48, rs, rt, code) }

// TGEU traps if rs >= rt (unsigned).
func (b *Builder) TGEU(rs, rt Reg, code uint32) { b.trap(49, rs, rt, code) }

// TLT traps if rs < rt (signed).
func (b *Builder) TLT(rs, rt Reg, code uint32) { b.trap(50, rs, rt, code) }

// TLTU traps if rs < rt (unsigned).
func (b *Builder) TLTU(rs, rt Reg, code uint32) { b.trap(51, rs, rt, code) }

// TEQ traps if rs == rt.
func (b *Builder) TEQ(rs, rt Reg, code uint32) { b.trap(52, rs, rt, code) }

// TNE traps if rs != rt.
func (b *Builder) TNE(rs, rt Reg, code uint32) { b.trap(54, rs, rt, code) }

// REGIMM.

func (b *Builder) regimm(rt uint32, rs Reg, target string) { b.branch(1, b.reg(rs), rt, target) }

// BLTZ branches if rs < 0.
func (b *Builder) BLTZ(rs Reg, target string) { b.regimm(0, rs, target) }

// BGEZ branches if rs >= 0.
func (b *Builder) BGEZ(rs Reg, target string) { b.regimm(1, rs, target) }

// BLTZL is BLTZ that annuls its delay slot when not taken.
func (b *Builder) BLTZL(rs Reg, target string) { b.regimm(2, rs, target) }

// BGEZL is BGEZ that annuls its delay slot when not taken.
func (b *Builder) BGEZL(rs Reg, target string) { b.regimm(3, rs, target) }

// BLTZAL links ra and branches if rs < 0.
func (b *Builder) BLTZAL(rs Reg, target string) { b.regimm(16, rs, target) }

// BGEZAL links ra and branches if rs >= 0.
func (b *Builder) BGEZAL(rs Reg, target string) { b.regimm(17, rs, target) }

// BLTZALL is BLTZAL that annuls its delay slot when not taken.
func (b *Builder) BLTZALL(rs Reg, target string) { b.regimm(18, rs, target) }

// BGEZALL is BGEZAL that annuls its delay slot when not taken.
func (b *Builder) BGEZALL(rs Reg, target string) { b.regimm(19, rs, target) }

func (b *Builder) trapi(rt uint32, rs Reg, imm int16) { b.itype(1, b.reg(rs), rt, uint16(imm)) }

// TGEI traps if rs >= imm (signed).
func (b *Builder) TGEI(rs Reg, imm int16) { b.trapi(8, rs, imm) }

// TGEIU traps if rs >= sign-extended imm (unsigned compare).
func (b *Builder) TGEIU(rs Reg, imm int16) { b.trapi(9, rs, imm) }

// TLTI traps if rs < imm (signed).
func (b *Builder) TLTI(rs Reg, imm int16) { b.trapi(10, rs, imm) }

// TLTIU traps if rs < sign-extended imm (unsigned compare).
func (b *Builder) TLTIU(rs Reg, imm int16) { b.trapi(11, rs, imm) }

// TEQI traps if rs == imm.
func (b *Builder) TEQI(rs Reg, imm int16) { b.trapi(12, rs, imm) }

// TNEI traps if rs != imm.
func (b *Builder) TNEI(rs Reg, imm int16) { b.trapi(14, rs, imm) }

// SYNCI synchronizes caches for the line at off(base).
func (b *Builder) SYNCI(off int16, base Reg) { b.itype(1, b.reg(base), 31, uint16(off)) }

// Jumps and branches.

// J jumps to target (in the same 256 MiB region).
func (b *Builder) J(target string) { b.emitFix(2<<26, fixJump, target) }

// JAL jumps to target and links ra.
func (b *Builder) JAL(target string) { b.emitFix(3<<26, fixJump, target) }

// BEQ branches if rs == rt.
func (b *Builder) BEQ(rs, rt Reg, target string) { b.branch(4, b.reg(rs), b.reg(rt), target) }

// BNE branches if rs != rt.
func (b *Builder) BNE(rs, rt Reg, target string) { b.branch(5, b.reg(rs), b.reg(rt), target) }

// BLEZ branches if rs <= 0.
func (b *Builder) BLEZ(rs Reg, target string) { b.branch(6, b.reg(rs), 0, target) }

// BGTZ branches if rs > 0.
func (b *Builder) BGTZ(rs Reg, target string) { b.branch(7, b.reg(rs), 0, target) }

// BEQL is BEQ that annuls its delay slot when not taken.
func (b *Builder) BEQL(rs, rt Reg, target string) { b.branch(20, b.reg(rs), b.reg(rt), target) }

// BNEL is BNE that annuls its delay slot when not taken.
func (b *Builder) BNEL(rs, rt Reg, target string) { b.branch(21, b.reg(rs), b.reg(rt), target) }

// BLEZL is BLEZ that annuls its delay slot when not taken.
func (b *Builder) BLEZL(rs Reg, target string) { b.branch(22, b.reg(rs), 0, target) }

// BGTZL is BGTZ that annuls its delay slot when not taken.
func (b *Builder) BGTZL(rs Reg, target string) { b.branch(23, b.reg(rs), 0, target) }

// Immediate ALU.

// ADDI is rt = rs + imm, trapping on signed overflow.
func (b *Builder) ADDI(rt, rs Reg, imm int16) { b.itype(8, b.reg(rs), b.reg(rt), uint16(imm)) }

// ADDIU is rt = rs + imm.
func (b *Builder) ADDIU(rt, rs Reg, imm int16) { b.itype(9, b.reg(rs), b.reg(rt), uint16(imm)) }

// SLTI is rt = rs < imm (signed).
func (b *Builder) SLTI(rt, rs Reg, imm int16) { b.itype(10, b.reg(rs), b.reg(rt), uint16(imm)) }

// SLTIU is rt = rs < sign-extended imm (unsigned compare).
func (b *Builder) SLTIU(rt, rs Reg, imm int16) { b.itype(11, b.reg(rs), b.reg(rt), uint16(imm)) }

// ANDI is rt = rs & zero-extended imm.
func (b *Builder) ANDI(rt, rs Reg, imm uint16) { b.itype(12, b.reg(rs), b.reg(rt), imm) }

// ORI is rt = rs | zero-extended imm.
func (b *Builder) ORI(rt, rs Reg, imm uint16) { b.itype(13, b.reg(rs), b.reg(rt), imm) }

// XORI is rt = rs ^ zero-extended imm.
func (b *Builder) XORI(rt, rs Reg, imm uint16) { b.itype(14, b.reg(rs), b.reg(rt), imm) }

// LUI is rt = imm << 16.
func (b *Builder) LUI(rt Reg, imm uint16) { b.itype(15, 0, b.reg(rt), imm) }

// SPECIAL2.

// MADD is HI:LO += rs * rt (signed).
func (b *Builder) MADD(rs, rt Reg) { b.rtype(28, b.reg(rs), b.reg(rt), 0, 0, 0) }

// MADDU is HI:LO += rs * rt (unsigned).
func (b *Builder) MADDU(rs, rt Reg) { b.rtype(28, b.reg(rs), b.reg(rt), 0, 0, 1) }

// MUL is rd = low 32 bits of rs * rt.
func (b *Builder) MUL(rd, rs, rt Reg) { b.rtype(28, b.reg(rs), b.reg(rt), b.reg(rd), 0, 2) }

// MSUB is HI:LO -= rs * rt (signed).
func (b *Builder) MSUB(rs, rt Reg) { b.rtype(28, b.reg(rs), b.reg(rt), 0, 0, 4) }

// MSUBU is HI:LO -= rs * rt (unsigned).
func (b *Builder) MSUBU(rs, rt Reg) { b.rtype(28, b.reg(rs), b.reg(rt), 0, 0, 5) }

// CLZ is rd = count of leading zeros of rs (rt = rd, as the encoding requires).
func (b *Builder) CLZ(rd, rs Reg) { b.rtype(28, b.reg(rs), b.reg(rd), b.reg(rd), 0, 32) }

// CLO is rd = count of leading ones of rs.
func (b *Builder) CLO(rd, rs Reg) { b.rtype(28, b.reg(rs), b.reg(rd), b.reg(rd), 0, 33) }

// SPECIAL3.

// EXT is rt = the size-bit field of rs at bit pos, zero-extended.
func (b *Builder) EXT(rt, rs Reg, pos, size uint8) {
	if size < 1 || uint32(pos)+uint32(size) > 32 {
		b.errorf("ext position %d size %d out of range", pos, size)
	}
	b.rtype(31, b.reg(rs), b.reg(rt), uint32(size-1)&31, uint32(pos)&31, 0)
}

// INS replaces the size-bit field of rt at bit pos with the low bits of rs.
func (b *Builder) INS(rt, rs Reg, pos, size uint8) {
	if size < 1 || uint32(pos)+uint32(size) > 32 {
		b.errorf("ins position %d size %d out of range", pos, size)
	}
	b.rtype(31, b.reg(rs), b.reg(rt), uint32(pos+size-1)&31, uint32(pos)&31, 4)
}

// WSBH swaps the bytes within each halfword of rt.
func (b *Builder) WSBH(rd, rt Reg) { b.rtype(31, 0, b.reg(rt), b.reg(rd), 2, 32) }

// SEB is rd = sign-extended low byte of rt.
func (b *Builder) SEB(rd, rt Reg) { b.rtype(31, 0, b.reg(rt), b.reg(rd), 16, 32) }

// SEH is rd = sign-extended low halfword of rt.
func (b *Builder) SEH(rd, rt Reg) { b.rtype(31, 0, b.reg(rt), b.reg(rd), 24, 32) }

// RDHWR reads hardware register hwr into rt.
func (b *Builder) RDHWR(rt Reg, hwr uint8) {
	b.rtype(31, 0, b.reg(rt), b.field("hardware register", uint32(hwr), 5), 0, 59)
}

// Loads and stores: rt, off(base).

func (b *Builder) mem(op uint32, rt uint32, off int16, base Reg) {
	b.itype(op, b.reg(base), rt, uint16(off))
}

// LB loads a sign-extended byte.
func (b *Builder) LB(rt Reg, off int16, base Reg) { b.mem(32, b.reg(rt), off, base) }

// LH loads a sign-extended halfword.
func (b *Builder) LH(rt Reg, off int16, base Reg) { b.mem(33, b.reg(rt), off, base) }

// LWL loads the left (most significant) part of an unaligned word.
func (b *Builder) LWL(rt Reg, off int16, base Reg) { b.mem(34, b.reg(rt), off, base) }

// LW loads a word.
func (b *Builder) LW(rt Reg, off int16, base Reg) { b.mem(35, b.reg(rt), off, base) }

// LBU loads a zero-extended byte.
func (b *Builder) LBU(rt Reg, off int16, base Reg) { b.mem(36, b.reg(rt), off, base) }

// LHU loads a zero-extended halfword.
func (b *Builder) LHU(rt Reg, off int16, base Reg) { b.mem(37, b.reg(rt), off, base) }

// LWR loads the right (least significant) part of an unaligned word.
func (b *Builder) LWR(rt Reg, off int16, base Reg) { b.mem(38, b.reg(rt), off, base) }

// SB stores a byte.
func (b *Builder) SB(rt Reg, off int16, base Reg) { b.mem(40, b.reg(rt), off, base) }

// SH stores a halfword.
func (b *Builder) SH(rt Reg, off int16, base Reg) { b.mem(41, b.reg(rt), off, base) }

// SWL stores the left part of an unaligned word.
func (b *Builder) SWL(rt Reg, off int16, base Reg) { b.mem(42, b.reg(rt), off, base) }

// SW stores a word.
func (b *Builder) SW(rt Reg, off int16, base Reg) { b.mem(43, b.reg(rt), off, base) }

// SWR stores the right part of an unaligned word.
func (b *Builder) SWR(rt Reg, off int16, base Reg) { b.mem(46, b.reg(rt), off, base) }

// CACHE performs cache operation op on off(base).
func (b *Builder) CACHE(op uint8, off int16, base Reg) {
	b.mem(47, b.field("cache op", uint32(op), 5), off, base)
}

// LL is a load-linked word.
func (b *Builder) LL(rt Reg, off int16, base Reg) { b.mem(48, b.reg(rt), off, base) }

// LWC1 loads a word into FP register ft.
func (b *Builder) LWC1(ft FReg, off int16, base Reg) { b.mem(49, b.freg(ft), off, base) }

// PREF prefetches off(base) with the given hint.
func (b *Builder) PREF(hint uint8, off int16, base Reg) {
	b.mem(51, b.field("prefetch hint", uint32(hint), 5), off, base)
}

// LDC1 loads a doubleword into the FP register pair ft, ft+1.
func (b *Builder) LDC1(ft FReg, off int16, base Reg) { b.mem(53, b.freg(ft), off, base) }

// SC is a store-conditional word; rt becomes 1 on success.
func (b *Builder) SC(rt Reg, off int16, base Reg) { b.mem(56, b.reg(rt), off, base) }

// SWC1 stores FP register ft.
func (b *Builder) SWC1(ft FReg, off int16, base Reg) { b.mem(57, b.freg(ft), off, base) }

// SDC1 stores the FP register pair ft, ft+1 as a doubleword.
func (b *Builder) SDC1(ft FReg, off int16, base Reg) { b.mem(61, b.freg(ft), off, base) }

// COP1 moves and branches.

func (b *Builder) cop1(fmtField uint32, rt Reg, fs uint32) {
	b.rtype(17, fmtField, b.reg(rt), fs, 0, 0)
}

// MFC1 is rt = fs.
func (b *Builder) MFC1(rt Reg, fs FReg) { b.cop1(0, rt, b.freg(fs)) }

// CFC1 is rt = FP control register fcr.
func (b *Builder) CFC1(rt Reg, fcr uint8) {
	b.cop1(2, rt, b.field("FP control register", uint32(fcr), 5))
}

// MFHC1 is rt = the high word of the 64-bit FP register fs.
func (b *Builder) MFHC1(rt Reg, fs FReg) { b.cop1(3, rt, b.freg(fs)) }

// MTC1 is fs = rt.
func (b *Builder) MTC1(rt Reg, fs FReg) { b.cop1(4, rt, b.freg(fs)) }

// CTC1 is FP control register fcr = rt.
func (b *Builder) CTC1(rt Reg, fcr uint8) {
	b.cop1(6, rt, b.field("FP control register", uint32(fcr), 5))
}

// MTHC1 sets the high word of the 64-bit FP register fs to rt.
func (b *Builder) MTHC1(rt Reg, fs FReg) { b.cop1(7, rt, b.freg(fs)) }

func (b *Builder) bc1(cc uint8, ndtf uint32, target string) {
	b.branch(17, 8, b.field("condition code", uint32(cc), 3)<<2|ndtf, target)
}

// BC1F branches if FP condition code cc is false.
func (b *Builder) BC1F(cc uint8, target string) { b.bc1(cc, 0, target) }

// BC1T branches if FP condition code cc is true.
func (b *Builder) BC1T(cc uint8, target string) { b.bc1(cc, 1, target) }

// BC1FL is BC1F that annuls its delay slot when not taken.
func (b *Builder) BC1FL(cc uint8, target string) { b.bc1(cc, 2, target) }

// BC1TL is BC1T that annuls its delay slot when not taken.
func (b *Builder) BC1TL(cc uint8, target string) { b.bc1(cc, 3, target) }

// No-operations.

// NOP is sll $zero, $zero, 0.
func (b *Builder) NOP() { b.emit(0) }

// SSNOP is the superscalar no-op, sll $zero, $zero, 1.
func (b *Builder) SSNOP() { b.emit(1 << 6) }

// EHB is the execution hazard barrier, sll $zero, $zero, 3.
func (b *Builder) EHB() { b.emit(3 << 6) }

// Pseudo-instructions.

// MOVE is rd = rs (addu rd, rs, $zero).
func (b *Builder) MOVE(rd, rs Reg) { b.ADDU(rd, rs, Zero) }

// B branches unconditionally (beq $zero, $zero).
func (b *Builder) B(target string) { b.BEQ(Zero, Zero, target) }

// BAL branches and links unconditionally (bgezal $zero).
func (b *Builder) BAL(target string) { b.BGEZAL(Zero, target) }

// LI loads a 32-bit constant: always lui then ori (two instructions).
func (b *Builder) LI(rt Reg, v uint32) {
	b.LUI(rt, uint16(v>>16))
	b.ORI(rt, rt, uint16(v))
}

// LA loads the address of a label: lui then ori (two instructions).
func (b *Builder) LA(rt Reg, name string) {
	r := b.reg(rt)
	b.emitFix(15<<26|r<<16, fixHi, name)
	b.emitFix(13<<26|r<<21|r<<16, fixLo, name)
}

// Exit ends the program with exit_group(code): addiu $a0, $zero, code;
// addiu $v0, $zero, 4246; syscall (three instructions).
func (b *Builder) Exit(code int16) {
	b.ADDIU(A0, Zero, code)
	b.ADDIU(V0, Zero, SysExitGroup)
	b.SYSCALL()
}

// ExitReg ends the program with exit_group(r): move $a0, r; addiu $v0,
// $zero, 4246; syscall (three instructions).
func (b *Builder) ExitReg(r Reg) {
	b.MOVE(A0, r)
	b.ADDIU(V0, Zero, SysExitGroup)
	b.SYSCALL()
}

// Layout.

// Words returns the text with every label resolved.
func (b *Builder) Words() ([]uint32, error) {
	if b.err != nil {
		return nil, b.err
	}
	out := append([]uint32(nil), b.text...)
	for _, f := range b.fixups {
		l, ok := b.labels[f.label]
		if !ok {
			return nil, fmt.Errorf("asm: instruction %d: undefined label %q", f.index, f.label)
		}
		target := b.addr(l)
		pc := b.TextBase + 4*uint32(f.index)
		switch f.kind {
		case fixBranch:
			d := int64(target) - int64(pc) - 4
			if d&3 != 0 {
				return nil, fmt.Errorf("asm: instruction %d: branch to misaligned %q (0x%x)", f.index, f.label, target)
			}
			if d < -1<<17 || d >= 1<<17 {
				return nil, fmt.Errorf("asm: instruction %d: branch to %q (0x%x) from 0x%x out of range", f.index, f.label, target, pc)
			}
			out[f.index] |= uint32(d>>2) & 0xffff
		case fixJump:
			if target&3 != 0 {
				return nil, fmt.Errorf("asm: instruction %d: jump to misaligned %q (0x%x)", f.index, f.label, target)
			}
			if (pc+4)&0xf0000000 != target&0xf0000000 {
				return nil, fmt.Errorf("asm: instruction %d: jump to %q (0x%x) from 0x%x outside its 256 MiB region", f.index, f.label, target, pc)
			}
			out[f.index] |= target >> 2 & 0x3ffffff
		case fixHi:
			out[f.index] |= target >> 16
		case fixLo:
			out[f.index] |= target & 0xffff
		case fixWord:
			out[f.index] = target
		}
	}
	return out, nil
}

// layout is the resolved program.
type layout struct {
	text  []byte
	data  []byte
	memsz uint32 // data segment size including BSS
	entry uint32
	syms  []program.Symbol
	secs  []section // section of each symbol
}

func (b *Builder) layout() (*layout, error) {
	words, err := b.Words()
	if err != nil {
		return nil, err
	}
	l := &layout{text: make([]byte, 4*len(words)), data: append([]byte(nil), b.data...)}
	for i, w := range words {
		b.ByteOrder().PutUint32(l.text[4*i:], w)
	}
	if b.bss != 0 {
		l.memsz = align8(uint32(len(b.data))) + b.bss
	} else {
		l.memsz = uint32(len(b.data))
	}
	l.entry = b.TextBase
	if b.Entry != "" {
		a, ok := b.Addr(b.Entry)
		if !ok {
			return nil, fmt.Errorf("asm: undefined entry label %q", b.Entry)
		}
		l.entry = a
	}
	// Symbol sizes run to the next higher label of the same section (or
	// the section end), so faults can be attributed to label+offset.
	type ent struct {
		name string
		sec  section
		addr uint32
	}
	ents := make([]ent, 0, len(b.names))
	for _, n := range b.names {
		lb := b.labels[n]
		ents = append(ents, ent{n, lb.sec, b.addr(lb)})
	}
	sort.SliceStable(ents, func(i, j int) bool { return ents[i].addr < ents[j].addr })
	end := func(s section) uint32 {
		if s == secText {
			return b.TextBase + uint32(len(l.text))
		}
		return b.DataBase + l.memsz
	}
	for i, e := range ents {
		next := end(e.sec)
		for _, f := range ents[i+1:] {
			if (f.sec == secText) == (e.sec == secText) && f.addr > e.addr {
				next = min(next, f.addr)
				break
			}
		}
		size := uint32(0)
		if next > e.addr {
			size = next - e.addr
		}
		l.syms = append(l.syms, program.Symbol{Name: e.name, Addr: e.addr, Size: size, Func: e.sec == secText})
		l.secs = append(l.secs, e.sec)
	}
	return l, nil
}

func (b *Builder) textFlags() uint32 {
	if b.WritableText {
		return PF_R | PF_W | PF_X
	}
	return PF_R | PF_X
}

// Program lays out the program (text at TextBase with PF_R|PF_X, data and
// BSS at DataBase with PF_R|PF_W) and builds it with program.New, with one
// symbol per label.
func (b *Builder) Program() (*program.Program, error) {
	l, err := b.layout()
	if err != nil {
		return nil, err
	}
	segs := []program.Segment{{Vaddr: b.TextBase, Memsz: uint32(len(l.text)), Data: l.text, Flags: b.textFlags()}}
	if l.memsz != 0 {
		segs = append(segs, program.Segment{Vaddr: b.DataBase, Memsz: l.memsz, Data: l.data, Flags: PF_R | PF_W})
	}
	return program.New(b.BigEndian, l.entry, segs, l.syms)
}

// MustProgram is Program for tests: it panics on an assembly error.
func (b *Builder) MustProgram() *program.Program {
	p, err := b.Program()
	if err != nil {
		panic(err)
	}
	return p
}

// ELF returns the program as a static ELF32 ET_EXEC EM_MIPS file; it panics
// on an assembly error (see BuildELF).
func (b *Builder) ELF() []byte {
	f, err := b.BuildELF()
	if err != nil {
		panic(err)
	}
	return f
}

// ELF constants.
const (
	elfHeaderSize   = 52
	elfPhdrSize     = 32
	elfShdrSize     = 40
	elfSymSize      = 16
	elfPageSize     = 0x1000
	elfFlagsMIPS    = 0x70001001 // EF_MIPS_ARCH_32R2 | EF_MIPS_ABI_O32 | EF_MIPS_NOREORDER
	shtProgbits     = 1
	shtSymtab       = 2
	shtStrtab       = 3
	shtNobits       = 8
	shfWrite        = 1
	shfAlloc        = 2
	shfExecinstr    = 4
	stbGlobal       = 1
	sttObject       = 1
	sttFunc         = 2
	elfTypeExec     = 2
	elfMachineMIPS  = 8
	ptLoad          = 1
	ptMIPSABIFlags  = 0x70000003
	shtMIPSABIFlags = 0x7000002a
	abiFlagsSize    = 24
)

func roundUp(n, a uint32) uint32 { return (n + a - 1) &^ (a - 1) }

// BuildELF returns the program as a static ELF32 ET_EXEC EM_MIPS file: the
// segments Program builds as PT_LOAD entries (file offsets congruent to
// their addresses modulo the 4 KiB page), a PT_MIPS_ABIFLAGS entry
// declaring MIPS32r2 with 32-bit FP registers (FR=0, as zkmips models, so
// that Linux and qemu-user run the file in the same FP mode), and section
// headers for .text, .data, .bss, .MIPS.abiflags, .symtab (one global
// symbol per label), .strtab and .shstrtab.
func (b *Builder) BuildELF() ([]byte, error) {
	l, err := b.layout()
	if err != nil {
		return nil, err
	}
	bo := b.ByteOrder()
	hasData := l.memsz != 0
	phnum := uint32(2)
	if hasData {
		phnum = 3
	}

	// File layout.
	textOff := roundUp(elfHeaderSize+phnum*elfPhdrSize, elfPageSize) + b.TextBase%elfPageSize
	textEnd := textOff + uint32(len(l.text))
	dataOff := roundUp(textEnd, elfPageSize) + b.DataBase%elfPageSize
	fileEnd := textEnd
	if hasData {
		fileEnd = dataOff + uint32(len(l.data))
	}

	// Sections.
	type shdr struct {
		name                                    string
		typ, flags, addr, off, size, link, info uint32
		align, entsize                          uint32
	}
	shstr := []byte{0}
	strIndex := func(tab *[]byte, s string) uint32 {
		i := uint32(len(*tab))
		*tab = append(*tab, s...)
		*tab = append(*tab, 0)
		return i
	}
	secs := []shdr{{}}
	textIdx := len(secs)
	secs = append(secs, shdr{name: ".text", typ: shtProgbits, flags: shfAlloc | shfExecinstr, addr: b.TextBase, off: textOff, size: uint32(len(l.text)), align: 4})
	dataIdx, bssIdx := 0, 0
	if len(l.data) != 0 {
		dataIdx = len(secs)
		secs = append(secs, shdr{name: ".data", typ: shtProgbits, flags: shfAlloc | shfWrite, addr: b.DataBase, off: dataOff, size: uint32(len(l.data)), align: 8})
	}
	if l.memsz > uint32(len(l.data)) {
		bssStart := align8(uint32(len(l.data)))
		bssIdx = len(secs)
		secs = append(secs, shdr{name: ".bss", typ: shtNobits, flags: shfAlloc | shfWrite, addr: b.DataBase + bssStart, off: dataOff + bssStart, size: l.memsz - bssStart, align: 8})
	}

	// Symbol and string tables.
	strtab := []byte{0}
	symtab := make([]byte, elfSymSize) // the null symbol
	for i, s := range l.syms {
		var shndx uint32
		info := byte(stbGlobal<<4 | sttObject)
		switch l.secs[i] {
		case secText:
			shndx, info = uint32(textIdx), stbGlobal<<4|sttFunc
		case secData:
			shndx = uint32(dataIdx)
		case secBSS:
			shndx = uint32(bssIdx)
		}
		if shndx == 0 {
			// A data label on an empty block at the end of the data:
			// attach it to whichever data section exists.
			shndx = uint32(max(dataIdx, bssIdx))
		}
		if shndx == 0 {
			shndx = 0xfff1 // SHN_ABS
		}
		e := make([]byte, elfSymSize)
		bo.PutUint32(e[0:], strIndex(&strtab, s.Name))
		bo.PutUint32(e[4:], s.Addr)
		bo.PutUint32(e[8:], s.Size)
		e[12] = info
		bo.PutUint16(e[14:], uint16(shndx))
		symtab = append(symtab, e...)
	}
	abiOff := roundUp(fileEnd, 8)
	secs = append(secs, shdr{name: ".MIPS.abiflags", typ: shtMIPSABIFlags, off: abiOff, size: abiFlagsSize, align: 8, entsize: abiFlagsSize})
	symOff := abiOff + abiFlagsSize
	strOff := symOff + uint32(len(symtab))
	symIdx := len(secs)
	secs = append(secs,
		shdr{name: ".symtab", typ: shtSymtab, off: symOff, size: uint32(len(symtab)), link: uint32(symIdx + 1), info: 1, align: 4, entsize: elfSymSize},
		shdr{name: ".strtab", typ: shtStrtab, off: strOff, size: uint32(len(strtab)), align: 1},
	)
	shstrIdx := len(secs)
	secs = append(secs, shdr{name: ".shstrtab", typ: shtStrtab, align: 1})
	names := make([]uint32, len(secs))
	for i := 1; i < len(secs); i++ {
		names[i] = strIndex(&shstr, secs[i].name)
	}
	shstrOff := strOff + uint32(len(strtab))
	secs[shstrIdx].off, secs[shstrIdx].size = shstrOff, uint32(len(shstr))
	shoff := roundUp(shstrOff+uint32(len(shstr)), 4)
	total := shoff + uint32(len(secs))*elfShdrSize

	f := make([]byte, total)
	// ELF header.
	copy(f, "\x7fELF")
	f[4] = 1 // ELFCLASS32
	if b.BigEndian {
		f[5] = 2 // ELFDATA2MSB
	} else {
		f[5] = 1 // ELFDATA2LSB
	}
	f[6] = 1 // EV_CURRENT
	bo.PutUint16(f[16:], elfTypeExec)
	bo.PutUint16(f[18:], elfMachineMIPS)
	bo.PutUint32(f[20:], 1)
	bo.PutUint32(f[24:], l.entry)
	bo.PutUint32(f[28:], elfHeaderSize)
	bo.PutUint32(f[32:], shoff)
	bo.PutUint32(f[36:], elfFlagsMIPS)
	bo.PutUint16(f[40:], elfHeaderSize)
	bo.PutUint16(f[42:], elfPhdrSize)
	bo.PutUint16(f[44:], uint16(phnum))
	bo.PutUint16(f[46:], elfShdrSize)
	bo.PutUint16(f[48:], uint16(len(secs)))
	bo.PutUint16(f[50:], uint16(shstrIdx))

	// Program headers.
	phdr := func(i int, off, vaddr, filesz, memsz, flags uint32) {
		p := f[elfHeaderSize+i*elfPhdrSize:]
		bo.PutUint32(p[0:], ptLoad)
		bo.PutUint32(p[4:], off)
		bo.PutUint32(p[8:], vaddr)
		bo.PutUint32(p[12:], vaddr)
		bo.PutUint32(p[16:], filesz)
		bo.PutUint32(p[20:], memsz)
		bo.PutUint32(p[24:], flags)
		bo.PutUint32(p[28:], elfPageSize)
	}
	phdr(0, textOff, b.TextBase, uint32(len(l.text)), uint32(len(l.text)), b.textFlags())
	copy(f[textOff:], l.text)
	if hasData {
		phdr(1, dataOff, b.DataBase, uint32(len(l.data)), l.memsz, PF_R|PF_W)
		copy(f[dataOff:], l.data)
	}
	phdr(int(phnum-1), abiOff, 0, abiFlagsSize, abiFlagsSize, PF_R)
	bo.PutUint32(f[elfHeaderSize+(phnum-1)*elfPhdrSize:], ptMIPSABIFlags)
	bo.PutUint32(f[elfHeaderSize+(phnum-1)*elfPhdrSize+28:], 8)
	// Elf_MIPS_ABIFlags_v0: version 0, MIPS32 release 2, 32-bit GPRs and
	// FPRs, no COP2, fp_abi Val_GNU_MIPS_ABI_FP_DOUBLE, no extensions.
	copy(f[abiOff:], []byte{0, 0, 32, 2, 1, 1, 0, 1})
	copy(f[symOff:], symtab)
	copy(f[strOff:], strtab)
	copy(f[shstrOff:], shstr)

	// Section headers.
	for i, s := range secs {
		p := f[shoff+uint32(i)*elfShdrSize:]
		bo.PutUint32(p[0:], names[i])
		bo.PutUint32(p[4:], s.typ)
		bo.PutUint32(p[8:], s.flags)
		bo.PutUint32(p[12:], s.addr)
		bo.PutUint32(p[16:], s.off)
		bo.PutUint32(p[20:], s.size)
		bo.PutUint32(p[24:], s.link)
		bo.PutUint32(p[28:], s.info)
		bo.PutUint32(p[32:], s.align)
		bo.PutUint32(p[36:], s.entsize)
	}
	return f, nil
}
