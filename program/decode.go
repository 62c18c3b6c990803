package program

import "fmt"

// Op identifies a decoded instruction. The executor switches on it, so the
// values are dense and start at zero.
type Op uint8

// Instruction opcodes. OpInvalid marks a word that is not an instruction
// (reserved instruction when executed); OpUnsupported marks a real MIPS
// instruction that zkmips does not execute (FP arithmetic, DSP, privileged,
// MIPS16e/microMIPS mode switches): executing it stops the run with an error
// that names it.
const (
	OpInvalid Op = iota
	OpUnsupported

	// SPECIAL
	OpSLL
	OpSRL
	OpSRA
	OpROTR
	OpSLLV
	OpSRLV
	OpSRAV
	OpROTRV
	OpJR
	OpJALR
	OpMOVZ
	OpMOVN
	OpMOVF
	OpMOVT
	OpSYSCALL
	OpBREAK
	OpSYNC
	OpMFHI
	OpMTHI
	OpMFLO
	OpMTLO
	OpMULT
	OpMULTU
	OpDIV
	OpDIVU
	OpADD
	OpADDU
	OpSUB
	OpSUBU
	OpAND
	OpOR
	OpXOR
	OpNOR
	OpSLT
	OpSLTU
	OpTGE
	OpTGEU
	OpTLT
	OpTLTU
	OpTEQ
	OpTNE

	// REGIMM
	OpBLTZ
	OpBGEZ
	OpBLTZL
	OpBGEZL
	OpTGEI
	OpTGEIU
	OpTLTI
	OpTLTIU
	OpTEQI
	OpTNEI
	OpBLTZAL
	OpBGEZAL
	OpBLTZALL
	OpBGEZALL
	OpSYNCI

	// Jumps and branches
	OpJ
	OpJAL
	OpBEQ
	OpBNE
	OpBLEZ
	OpBGTZ
	OpBEQL
	OpBNEL
	OpBLEZL
	OpBGTZL

	// Immediate ALU
	OpADDI
	OpADDIU
	OpSLTI
	OpSLTIU
	OpANDI
	OpORI
	OpXORI
	OpLUI

	// SPECIAL2
	OpMADD
	OpMADDU
	OpMUL
	OpMSUB
	OpMSUBU
	OpCLZ
	OpCLO

	// SPECIAL3
	OpEXT
	OpINS
	OpWSBH
	OpSEB
	OpSEH
	OpRDHWR

	// Loads and stores
	OpLB
	OpLH
	OpLWL
	OpLW
	OpLBU
	OpLHU
	OpLWR
	OpSB
	OpSH
	OpSWL
	OpSW
	OpSWR
	OpLL
	OpSC
	OpPREF // also CACHE: a no-op for user programs
	OpLWC1
	OpSWC1
	OpLDC1
	OpSDC1

	// COP1 moves and branches
	OpMFC1
	OpMTC1
	OpMFHC1
	OpMTHC1
	OpCFC1
	OpCTC1
	OpBC1F
	OpBC1T
	OpBC1FL
	OpBC1TL

	// NumOps is the number of opcodes (for per-opcode tables).
	NumOps
)

// Inst is a decoded instruction: the raw word and its pre-extracted fields.
//
// Imm holds what the executor needs ready to use: the sign- or zero-extended
// immediate (ALU, loads, stores, immediate traps), LUI's shifted constant,
// the absolute target of branches and J/JAL (decoding knows the address), the
// field mask of EXT/INS, the trap or break code, or the FP condition code
// for MOVF/MOVT/BC1x. For OpUnsupported, Imm indexes unsupportedNames.
type Inst struct {
	Op  Op
	Rs  uint8
	Rt  uint8
	Rd  uint8 // also RDHWR's hardware register, COP1 fs for moves
	Sa  uint8 // shift amount; EXT/INS position
	Imm uint32
	// Word is the encoded instruction.
	Word uint32
}

// Register names in the o32 ABI.
var RegNames = [32]string{
	"zero", "at", "v0", "v1", "a0", "a1", "a2", "a3",
	"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7",
	"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7",
	"t8", "t9", "k0", "k1", "gp", "sp", "fp", "ra",
}

// unsupportedNames names the instruction classes decoded as OpUnsupported.
var unsupportedNames = []string{
	"FP arithmetic (COP1)",
	"FP arithmetic (COP1X)",
	"privileged instruction (COP0)",
	"jalx (MIPS16e/microMIPS mode switch)",
	"DSP ASE instruction",
	"sdbbp (EJTAG debug breakpoint)",
	"privileged instruction (wait/eret/tlb)",
}

const (
	unsFP = iota
	unsFPX
	unsCOP0
	unsJALX
	unsDSP
	unsSDBBP
)

// UnsupportedName describes an OpUnsupported instruction, naming the FP
// operation when it is one (e.g. "add.d (FP arithmetic)").
func (in Inst) UnsupportedName() string {
	if in.Imm == unsFP {
		if n := fpOpName(in.Word); n != "" {
			return n + " (FP arithmetic)"
		}
	}
	if int(in.Imm) < len(unsupportedNames) {
		return unsupportedNames[in.Imm]
	}
	return "unsupported instruction"
}

// fpFunctNames names COP1 arithmetic by function field (for fmt S/D/W/L/PS).
var fpFunctNames = [64]string{
	0: "add", 1: "sub", 2: "mul", 3: "div", 4: "sqrt", 5: "abs", 6: "mov", 7: "neg",
	8: "round.l", 9: "trunc.l", 10: "ceil.l", 11: "floor.l",
	12: "round.w", 13: "trunc.w", 14: "ceil.w", 15: "floor.w",
	17: "movcf", 18: "movz", 19: "movn", 21: "recip", 22: "rsqrt",
	32: "cvt.s", 33: "cvt.d", 36: "cvt.w", 37: "cvt.l", 38: "cvt.ps",
	48: "c.f", 49: "c.un", 50: "c.eq", 51: "c.ueq", 52: "c.olt", 53: "c.ult", 54: "c.ole", 55: "c.ule",
	56: "c.sf", 57: "c.ngle", 58: "c.seq", 59: "c.ngl", 60: "c.lt", 61: "c.nge", 62: "c.le", 63: "c.ngt",
}

func fpOpName(w uint32) string {
	fmts := map[uint32]string{16: "s", 17: "d", 20: "w", 21: "l", 22: "ps"}
	f, ok := fmts[w>>21&31]
	n := fpFunctNames[w&63]
	if !ok || n == "" {
		return ""
	}
	return n + "." + f
}

func sext16(v uint32) uint32 { return uint32(int32(int16(v))) }

// Decode decodes the instruction word w found at address pc. It never fails:
// words that are not instructions decode to OpInvalid.
func Decode(w, pc uint32) Inst {
	in := Inst{
		Word: w,
		Rs:   uint8(w >> 21 & 31),
		Rt:   uint8(w >> 16 & 31),
		Rd:   uint8(w >> 11 & 31),
		Sa:   uint8(w >> 6 & 31),
	}
	imm := w & 0xffff
	simm := sext16(imm)
	branch := pc + 4 + simm<<2
	op := w >> 26
	fn := w & 63
	set := func(o Op, v uint32) Inst { in.Op, in.Imm = o, v; return in }
	unsupported := func(kind uint32) Inst { return set(OpUnsupported, kind) }
	switch op {
	case 0: // SPECIAL
		switch fn {
		case 0:
			return set(OpSLL, 0)
		case 1:
			in.Imm = w >> 18 & 7
			if w>>16&1 == 1 {
				in.Op = OpMOVT
			} else {
				in.Op = OpMOVF
			}
			return in
		case 2:
			switch in.Rs {
			case 0:
				return set(OpSRL, 0)
			case 1:
				return set(OpROTR, 0)
			}
		case 3:
			return set(OpSRA, 0)
		case 4:
			return set(OpSLLV, 0)
		case 6:
			switch in.Sa {
			case 0:
				return set(OpSRLV, 0)
			case 1:
				return set(OpROTRV, 0)
			}
		case 7:
			return set(OpSRAV, 0)
		case 8:
			return set(OpJR, 0)
		case 9:
			return set(OpJALR, 0)
		case 10:
			return set(OpMOVZ, 0)
		case 11:
			return set(OpMOVN, 0)
		case 12:
			return set(OpSYSCALL, w>>6&0xfffff)
		case 13:
			return set(OpBREAK, w>>6&0xfffff)
		case 15:
			return set(OpSYNC, 0)
		case 16:
			return set(OpMFHI, 0)
		case 17:
			return set(OpMTHI, 0)
		case 18:
			return set(OpMFLO, 0)
		case 19:
			return set(OpMTLO, 0)
		case 24:
			return set(OpMULT, 0)
		case 25:
			return set(OpMULTU, 0)
		case 26:
			return set(OpDIV, 0)
		case 27:
			return set(OpDIVU, 0)
		case 32:
			return set(OpADD, 0)
		case 33:
			return set(OpADDU, 0)
		case 34:
			return set(OpSUB, 0)
		case 35:
			return set(OpSUBU, 0)
		case 36:
			return set(OpAND, 0)
		case 37:
			return set(OpOR, 0)
		case 38:
			return set(OpXOR, 0)
		case 39:
			return set(OpNOR, 0)
		case 42:
			return set(OpSLT, 0)
		case 43:
			return set(OpSLTU, 0)
		case 48, 49, 50, 51, 52, 54:
			o := [...]Op{OpTGE, OpTGEU, OpTLT, OpTLTU, OpTEQ, OpInvalid, OpTNE}[fn-48]
			return set(o, w>>6&0x3ff)
		}
	case 1: // REGIMM
		switch in.Rt {
		case 0:
			return set(OpBLTZ, branch)
		case 1:
			return set(OpBGEZ, branch)
		case 2:
			return set(OpBLTZL, branch)
		case 3:
			return set(OpBGEZL, branch)
		case 8:
			return set(OpTGEI, simm)
		case 9:
			return set(OpTGEIU, simm)
		case 10:
			return set(OpTLTI, simm)
		case 11:
			return set(OpTLTIU, simm)
		case 12:
			return set(OpTEQI, simm)
		case 14:
			return set(OpTNEI, simm)
		case 16:
			return set(OpBLTZAL, branch)
		case 17:
			return set(OpBGEZAL, branch)
		case 18:
			return set(OpBLTZALL, branch)
		case 19:
			return set(OpBGEZALL, branch)
		case 31:
			return set(OpSYNCI, simm)
		}
	case 2:
		return set(OpJ, (pc+4)&0xf0000000|(w&0x3ffffff)<<2)
	case 3:
		return set(OpJAL, (pc+4)&0xf0000000|(w&0x3ffffff)<<2)
	case 4:
		return set(OpBEQ, branch)
	case 5:
		return set(OpBNE, branch)
	case 6:
		if in.Rt == 0 {
			return set(OpBLEZ, branch)
		}
	case 7:
		if in.Rt == 0 {
			return set(OpBGTZ, branch)
		}
	case 8:
		return set(OpADDI, simm)
	case 9:
		return set(OpADDIU, simm)
	case 10:
		return set(OpSLTI, simm)
	case 11:
		return set(OpSLTIU, simm)
	case 12:
		return set(OpANDI, imm)
	case 13:
		return set(OpORI, imm)
	case 14:
		return set(OpXORI, imm)
	case 15:
		return set(OpLUI, imm<<16)
	case 16: // COP0
		return unsupported(unsCOP0)
	case 17: // COP1
		switch in.Rs {
		case 0:
			return set(OpMFC1, 0)
		case 2:
			return set(OpCFC1, 0)
		case 3:
			return set(OpMFHC1, 0)
		case 4:
			return set(OpMTC1, 0)
		case 6:
			return set(OpCTC1, 0)
		case 7:
			return set(OpMTHC1, 0)
		case 8: // BC1
			in.Sa = uint8(w >> 18 & 7) // condition code
			o := [...]Op{OpBC1F, OpBC1T, OpBC1FL, OpBC1TL}[w>>16&3]
			return set(o, branch)
		case 16, 17, 20, 21, 22:
			return unsupported(unsFP)
		}
	case 19: // COP1X
		return unsupported(unsFPX)
	case 20:
		return set(OpBEQL, branch)
	case 21:
		return set(OpBNEL, branch)
	case 22:
		if in.Rt == 0 {
			return set(OpBLEZL, branch)
		}
	case 23:
		if in.Rt == 0 {
			return set(OpBGTZL, branch)
		}
	case 28: // SPECIAL2
		switch fn {
		case 0:
			return set(OpMADD, 0)
		case 1:
			return set(OpMADDU, 0)
		case 2:
			return set(OpMUL, 0)
		case 4:
			return set(OpMSUB, 0)
		case 5:
			return set(OpMSUBU, 0)
		case 32:
			return set(OpCLZ, 0)
		case 33:
			return set(OpCLO, 0)
		case 63:
			return unsupported(unsSDBBP)
		}
	case 29:
		return unsupported(unsJALX)
	case 31: // SPECIAL3
		switch fn {
		case 0: // EXT: size = msbd+1, held in Rd
			pos, size := uint32(in.Sa), uint32(in.Rd)+1
			if pos+size > 32 {
				return set(OpInvalid, 0)
			}
			return set(OpEXT, uint32(uint64(1)<<size-1))
		case 4: // INS: msb in Rd, lsb in Sa
			pos, msb := uint32(in.Sa), uint32(in.Rd)
			if msb < pos {
				return set(OpInvalid, 0)
			}
			return set(OpINS, uint32(uint64(1)<<(msb-pos+1)-1)<<pos)
		case 32: // BSHFL
			switch in.Sa {
			case 2:
				return set(OpWSBH, 0)
			case 16:
				return set(OpSEB, 0)
			case 24:
				return set(OpSEH, 0)
			}
		case 59:
			return set(OpRDHWR, 0)
		case 16, 17, 18, 19, 24, 48, 49, 50, 51, 56, 10, 12, 13, 14, 15, 20, 30, 8, 9:
			// DSP ASE (LX, ADDU.QB, ABSQ_S, SHLL, CMPU, DPA, EXTR, INSV, ...)
			return unsupported(unsDSP)
		}
	case 32:
		return set(OpLB, simm)
	case 33:
		return set(OpLH, simm)
	case 34:
		return set(OpLWL, simm)
	case 35:
		return set(OpLW, simm)
	case 36:
		return set(OpLBU, simm)
	case 37:
		return set(OpLHU, simm)
	case 38:
		return set(OpLWR, simm)
	case 40:
		return set(OpSB, simm)
	case 41:
		return set(OpSH, simm)
	case 42:
		return set(OpSWL, simm)
	case 43:
		return set(OpSW, simm)
	case 46:
		return set(OpSWR, simm)
	case 47, 51: // CACHE, PREF
		return set(OpPREF, simm)
	case 48:
		return set(OpLL, simm)
	case 49:
		return set(OpLWC1, simm)
	case 53:
		return set(OpLDC1, simm)
	case 56:
		return set(OpSC, simm)
	case 57:
		return set(OpSWC1, simm)
	case 61:
		return set(OpSDC1, simm)
	}
	return set(OpInvalid, 0)
}

var opNames = [NumOps]string{
	OpInvalid: "invalid", OpUnsupported: "unsupported",
	OpSLL: "sll", OpSRL: "srl", OpSRA: "sra", OpROTR: "rotr", OpSLLV: "sllv", OpSRLV: "srlv",
	OpSRAV: "srav", OpROTRV: "rotrv", OpJR: "jr", OpJALR: "jalr", OpMOVZ: "movz", OpMOVN: "movn",
	OpMOVF: "movf", OpMOVT: "movt", OpSYSCALL: "syscall", OpBREAK: "break", OpSYNC: "sync",
	OpMFHI: "mfhi", OpMTHI: "mthi", OpMFLO: "mflo", OpMTLO: "mtlo", OpMULT: "mult", OpMULTU: "multu",
	OpDIV: "div", OpDIVU: "divu", OpADD: "add", OpADDU: "addu", OpSUB: "sub", OpSUBU: "subu",
	OpAND: "and", OpOR: "or", OpXOR: "xor", OpNOR: "nor", OpSLT: "slt", OpSLTU: "sltu",
	OpTGE: "tge", OpTGEU: "tgeu", OpTLT: "tlt", OpTLTU: "tltu", OpTEQ: "teq", OpTNE: "tne",
	OpBLTZ: "bltz", OpBGEZ: "bgez", OpBLTZL: "bltzl", OpBGEZL: "bgezl", OpTGEI: "tgei",
	OpTGEIU: "tgeiu", OpTLTI: "tlti", OpTLTIU: "tltiu", OpTEQI: "teqi", OpTNEI: "tnei",
	OpBLTZAL: "bltzal", OpBGEZAL: "bgezal", OpBLTZALL: "bltzall", OpBGEZALL: "bgezall", OpSYNCI: "synci",
	OpJ: "j", OpJAL: "jal", OpBEQ: "beq", OpBNE: "bne", OpBLEZ: "blez", OpBGTZ: "bgtz",
	OpBEQL: "beql", OpBNEL: "bnel", OpBLEZL: "blezl", OpBGTZL: "bgtzl",
	OpADDI: "addi", OpADDIU: "addiu", OpSLTI: "slti", OpSLTIU: "sltiu", OpANDI: "andi",
	OpORI: "ori", OpXORI: "xori", OpLUI: "lui",
	OpMADD: "madd", OpMADDU: "maddu", OpMUL: "mul", OpMSUB: "msub", OpMSUBU: "msubu",
	OpCLZ: "clz", OpCLO: "clo", OpEXT: "ext", OpINS: "ins", OpWSBH: "wsbh", OpSEB: "seb",
	OpSEH: "seh", OpRDHWR: "rdhwr",
	OpLB: "lb", OpLH: "lh", OpLWL: "lwl", OpLW: "lw", OpLBU: "lbu", OpLHU: "lhu", OpLWR: "lwr",
	OpSB: "sb", OpSH: "sh", OpSWL: "swl", OpSW: "sw", OpSWR: "swr", OpLL: "ll", OpSC: "sc",
	OpPREF: "pref", OpLWC1: "lwc1", OpSWC1: "swc1", OpLDC1: "ldc1", OpSDC1: "sdc1",
	OpMFC1: "mfc1", OpMTC1: "mtc1", OpMFHC1: "mfhc1", OpMTHC1: "mthc1", OpCFC1: "cfc1",
	OpCTC1: "ctc1", OpBC1F: "bc1f", OpBC1T: "bc1t", OpBC1FL: "bc1fl", OpBC1TL: "bc1tl",
}

// String returns the opcode's assembler mnemonic.
func (o Op) String() string {
	if o < NumOps && opNames[o] != "" {
		return opNames[o]
	}
	return fmt.Sprintf("op%d", uint8(o))
}

// String disassembles the instruction in GNU as syntax (targets absolute).
func (in Inst) String() string {
	r := func(i uint8) string { return "$" + RegNames[i] }
	f := func(i uint8) string { return fmt.Sprintf("$f%d", i) }
	n := in.Op.String()
	simm := int32(in.Imm)
	switch in.Op {
	case OpInvalid:
		return fmt.Sprintf(".word 0x%08x", in.Word)
	case OpUnsupported:
		return fmt.Sprintf(".word 0x%08x # %s", in.Word, in.UnsupportedName())
	case OpSLL:
		switch {
		case in.Word == 0:
			return "nop"
		case in.Word == 1<<6:
			return "ssnop"
		case in.Word == 3<<6:
			return "ehb"
		}
		fallthrough
	case OpSRL, OpSRA, OpROTR:
		return fmt.Sprintf("%s %s, %s, %d", n, r(in.Rd), r(in.Rt), in.Sa)
	case OpSLLV, OpSRLV, OpSRAV, OpROTRV:
		return fmt.Sprintf("%s %s, %s, %s", n, r(in.Rd), r(in.Rt), r(in.Rs))
	case OpJR:
		if in.Word>>10&1 == 1 {
			n = "jr.hb"
		}
		return fmt.Sprintf("%s %s", n, r(in.Rs))
	case OpJALR:
		if in.Word>>10&1 == 1 {
			n = "jalr.hb"
		}
		return fmt.Sprintf("%s %s, %s", n, r(in.Rd), r(in.Rs))
	case OpMOVF, OpMOVT:
		return fmt.Sprintf("%s %s, %s, $fcc%d", n, r(in.Rd), r(in.Rs), in.Imm)
	case OpSYSCALL:
		if in.Imm == 0 {
			return n
		}
		return fmt.Sprintf("%s 0x%x", n, in.Imm)
	case OpBREAK:
		// GNU as puts "break code" in bits 16..25 and the optional second
		// code in bits 6..15.
		switch {
		case in.Imm == 0:
			return n
		case in.Imm&0x3ff == 0:
			return fmt.Sprintf("%s 0x%x", n, in.Imm>>10)
		}
		return fmt.Sprintf("%s 0x%x, 0x%x", n, in.Imm>>10, in.Imm&0x3ff)
	case OpSYNC:
		if in.Sa != 0 {
			return fmt.Sprintf("%s 0x%x", n, in.Sa)
		}
		return n
	case OpMFHI, OpMFLO:
		return fmt.Sprintf("%s %s", n, r(in.Rd))
	case OpMTHI, OpMTLO:
		return fmt.Sprintf("%s %s", n, r(in.Rs))
	case OpDIV, OpDIVU:
		// GNU as expands the two-operand form into a checked macro.
		return fmt.Sprintf("%s $zero, %s, %s", n, r(in.Rs), r(in.Rt))
	case OpMULT, OpMULTU, OpMADD, OpMADDU, OpMSUB, OpMSUBU:
		return fmt.Sprintf("%s %s, %s", n, r(in.Rs), r(in.Rt))
	case OpTGE, OpTGEU, OpTLT, OpTLTU, OpTEQ, OpTNE:
		if in.Imm != 0 {
			return fmt.Sprintf("%s %s, %s, %d", n, r(in.Rs), r(in.Rt), in.Imm)
		}
		return fmt.Sprintf("%s %s, %s", n, r(in.Rs), r(in.Rt))
	case OpBLTZ, OpBGEZ, OpBLTZL, OpBGEZL, OpBLTZAL, OpBGEZAL, OpBLTZALL, OpBGEZALL, OpBLEZ, OpBGTZ, OpBLEZL, OpBGTZL:
		return fmt.Sprintf("%s %s, 0x%x", n, r(in.Rs), in.Imm)
	case OpTGEI, OpTGEIU, OpTLTI, OpTLTIU, OpTEQI, OpTNEI:
		return fmt.Sprintf("%s %s, %d", n, r(in.Rs), simm)
	case OpSYNCI:
		return fmt.Sprintf("%s %d(%s)", n, simm, r(in.Rs))
	case OpJ, OpJAL:
		return fmt.Sprintf("%s 0x%x", n, in.Imm)
	case OpBEQ, OpBNE, OpBEQL, OpBNEL:
		return fmt.Sprintf("%s %s, %s, 0x%x", n, r(in.Rs), r(in.Rt), in.Imm)
	case OpADDI, OpADDIU, OpSLTI, OpSLTIU:
		return fmt.Sprintf("%s %s, %s, %d", n, r(in.Rt), r(in.Rs), simm)
	case OpANDI, OpORI, OpXORI:
		return fmt.Sprintf("%s %s, %s, 0x%x", n, r(in.Rt), r(in.Rs), in.Imm)
	case OpLUI:
		return fmt.Sprintf("%s %s, 0x%x", n, r(in.Rt), in.Imm>>16)
	case OpCLZ, OpCLO:
		return fmt.Sprintf("%s %s, %s", n, r(in.Rd), r(in.Rs))
	case OpEXT:
		return fmt.Sprintf("%s %s, %s, %d, %d", n, r(in.Rt), r(in.Rs), in.Sa, in.Rd+1)
	case OpINS:
		return fmt.Sprintf("%s %s, %s, %d, %d", n, r(in.Rt), r(in.Rs), in.Sa, in.Rd-in.Sa+1)
	case OpWSBH, OpSEB, OpSEH:
		return fmt.Sprintf("%s %s, %s", n, r(in.Rd), r(in.Rt))
	case OpRDHWR:
		return fmt.Sprintf("%s %s, $%d", n, r(in.Rt), in.Rd)
	case OpLB, OpLH, OpLWL, OpLW, OpLBU, OpLHU, OpLWR, OpSB, OpSH, OpSWL, OpSW, OpSWR, OpLL, OpSC:
		return fmt.Sprintf("%s %s, %d(%s)", n, r(in.Rt), simm, r(in.Rs))
	case OpPREF:
		if in.Word>>26 == 47 {
			n = "cache"
		}
		return fmt.Sprintf("%s 0x%x, %d(%s)", n, in.Rt, simm, r(in.Rs))
	case OpLWC1, OpSWC1, OpLDC1, OpSDC1:
		return fmt.Sprintf("%s %s, %d(%s)", n, f(in.Rt), simm, r(in.Rs))
	case OpMFC1, OpMTC1, OpMFHC1, OpMTHC1:
		return fmt.Sprintf("%s %s, %s", n, r(in.Rt), f(in.Rd))
	case OpCFC1, OpCTC1:
		return fmt.Sprintf("%s %s, $%d", n, r(in.Rt), in.Rd)
	case OpBC1F, OpBC1T, OpBC1FL, OpBC1TL:
		return fmt.Sprintf("%s $fcc%d, 0x%x", n, in.Sa, in.Imm)
	}
	return fmt.Sprintf("%s %s, %s, %s", n, r(in.Rd), r(in.Rs), r(in.Rt))
}
