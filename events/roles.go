package events

import "github.com/zkmips/zkmips/program"

// Chip families an opcode's row goes to (besides CPU and memory).
type family uint8

const (
	famNone family = iota
	famAddSub
	famLt
	famShift
	famBitwise
	famCloClz
	famBitField
	famMovCond
	famMul
	famDivRem
	famMem
	famBranch
	famJump
	famSyscall
)

type opInfo struct {
	fam   family
	roles program.Roles
}

// ops holds each opcode's family and its operand roles (program.Roles).
var ops = func() (t [256]opInfo) {
	for op := range t {
		t[op].roles = program.Op(op).Roles()
	}
	set := func(f family, list ...program.Op) {
		for _, o := range list {
			t[o].fam = f
		}
	}
	set(famAddSub, program.OpADD, program.OpADDU, program.OpSUB, program.OpSUBU, program.OpADDI, program.OpADDIU)
	set(famLt, program.OpSLT, program.OpSLTU, program.OpSLTI, program.OpSLTIU)
	set(famShift, program.OpSLL, program.OpSRL, program.OpSRA, program.OpROTR,
		program.OpSLLV, program.OpSRLV, program.OpSRAV, program.OpROTRV)
	set(famBitwise, program.OpAND, program.OpOR, program.OpXOR, program.OpNOR,
		program.OpANDI, program.OpORI, program.OpXORI, program.OpLUI)
	set(famCloClz, program.OpCLZ, program.OpCLO)
	set(famBitField, program.OpEXT, program.OpINS, program.OpWSBH, program.OpSEB, program.OpSEH)
	set(famMovCond, program.OpMOVZ, program.OpMOVN, program.OpMOVF, program.OpMOVT)
	set(famMul, program.OpMULT, program.OpMULTU, program.OpMADD, program.OpMADDU, program.OpMSUB, program.OpMSUBU, program.OpMUL)
	set(famDivRem, program.OpDIV, program.OpDIVU)
	set(famJump, program.OpJR, program.OpJALR, program.OpJ, program.OpJAL)
	set(famBranch, program.OpBEQ, program.OpBNE, program.OpBEQL, program.OpBNEL,
		program.OpBLEZ, program.OpBGTZ, program.OpBLTZ, program.OpBGEZ,
		program.OpBLEZL, program.OpBGTZL, program.OpBLTZL, program.OpBGEZL,
		program.OpBLTZAL, program.OpBGEZAL, program.OpBLTZALL, program.OpBGEZALL,
		program.OpBC1F, program.OpBC1T, program.OpBC1FL, program.OpBC1TL)
	set(famSyscall, program.OpSYSCALL)
	set(famMem, program.OpLB, program.OpLBU, program.OpLH, program.OpLHU, program.OpLW, program.OpLL,
		program.OpLWL, program.OpLWR, program.OpSB, program.OpSH, program.OpSWL, program.OpSWR,
		program.OpSW, program.OpSC, program.OpLWC1, program.OpSWC1, program.OpLDC1, program.OpSDC1)
	return t
}()
