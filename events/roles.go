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

// Operand roles: which state an instruction reads and writes. This is
// metadata about operands, not semantics: values always come from the
// machine before and after the step.
type role uint32

const (
	rRs role = 1 << iota
	rRt
	rRd // old destination (conditional moves)
	rHI
	rLO
	rFCSR
	rTLS
	rFt  // FP register rt
	rFt2 // FP register rt+1
	rFs  // FP register rd (moves)
	rFs1 // FP register rd+1 (MFHC1)
	wRd
	wRt
	wRA
	wHI
	wLO
	wFt
	wFt2
	wFs
	wFs1
	wFCSR
	memRead  // reads the data words (executor.Machine.DataWords)
	memWrite // writes them
	imm      // C is the decoded immediate rather than rt
)

type opInfo struct {
	fam   family
	roles role
}

var ops [256]opInfo

func set(f family, r role, list ...program.Op) {
	for _, o := range list {
		ops[o] = opInfo{f, r}
	}
}

func init() {
	set(famAddSub, rRs|rRt|wRd, program.OpADD, program.OpADDU, program.OpSUB, program.OpSUBU)
	set(famAddSub, rRs|wRt|imm, program.OpADDI, program.OpADDIU)
	set(famLt, rRs|rRt|wRd, program.OpSLT, program.OpSLTU)
	set(famLt, rRs|wRt|imm, program.OpSLTI, program.OpSLTIU)
	set(famShift, rRt|wRd|imm, program.OpSLL, program.OpSRL, program.OpSRA, program.OpROTR)
	set(famShift, rRs|rRt|wRd, program.OpSLLV, program.OpSRLV, program.OpSRAV, program.OpROTRV)
	set(famBitwise, rRs|rRt|wRd, program.OpAND, program.OpOR, program.OpXOR, program.OpNOR)
	set(famBitwise, rRs|wRt|imm, program.OpANDI, program.OpORI, program.OpXORI)
	set(famBitwise, wRt|imm, program.OpLUI)
	set(famCloClz, rRs|wRd, program.OpCLZ, program.OpCLO)
	set(famBitField, rRs|wRt|imm, program.OpEXT)
	set(famBitField, rRs|rRt|wRt|imm, program.OpINS)
	set(famBitField, rRt|wRd, program.OpWSBH, program.OpSEB, program.OpSEH)
	set(famMovCond, rRs|rRt|rRd|wRd, program.OpMOVZ, program.OpMOVN)
	set(famMovCond, rRs|rFCSR|rRd|wRd, program.OpMOVF, program.OpMOVT)
	set(famMul, rRs|rRt|wHI|wLO, program.OpMULT, program.OpMULTU)
	set(famMul, rRs|rRt|rHI|rLO|wHI|wLO, program.OpMADD, program.OpMADDU, program.OpMSUB, program.OpMSUBU)
	set(famMul, rRs|rRt|wRd, program.OpMUL)
	set(famDivRem, rRs|rRt|wHI|wLO, program.OpDIV, program.OpDIVU)
	set(famNone, rHI|wRd, program.OpMFHI)
	set(famNone, rLO|wRd, program.OpMFLO)
	set(famNone, rRs|wHI, program.OpMTHI)
	set(famNone, rRs|wLO, program.OpMTLO)

	set(famJump, rRs, program.OpJR)
	set(famJump, rRs|wRd, program.OpJALR)
	set(famJump, 0, program.OpJ)
	set(famJump, wRA, program.OpJAL)
	set(famBranch, rRs|rRt, program.OpBEQ, program.OpBNE, program.OpBEQL, program.OpBNEL)
	set(famBranch, rRs, program.OpBLEZ, program.OpBGTZ, program.OpBLTZ, program.OpBGEZ,
		program.OpBLEZL, program.OpBGTZL, program.OpBLTZL, program.OpBGEZL)
	set(famBranch, rRs|wRA, program.OpBLTZAL, program.OpBGEZAL, program.OpBLTZALL, program.OpBGEZALL)
	set(famBranch, rFCSR, program.OpBC1F, program.OpBC1T, program.OpBC1FL, program.OpBC1TL)

	set(famNone, rRs|rRt, program.OpTGE, program.OpTGEU, program.OpTLT, program.OpTLTU, program.OpTEQ, program.OpTNE)
	set(famNone, rRs|imm, program.OpTGEI, program.OpTGEIU, program.OpTLTI, program.OpTLTIU, program.OpTEQI, program.OpTNEI)
	set(famNone, 0, program.OpSYNC, program.OpPREF, program.OpSYNCI, program.OpBREAK)
	set(famSyscall, 0, program.OpSYSCALL)

	set(famMem, rRs|memRead|wRt|imm, program.OpLB, program.OpLBU, program.OpLH, program.OpLHU, program.OpLW, program.OpLL)
	set(famMem, rRs|rRt|memRead|wRt|imm, program.OpLWL, program.OpLWR)
	set(famMem, rRs|rRt|memRead|memWrite|imm, program.OpSB, program.OpSH, program.OpSWL, program.OpSWR)
	set(famMem, rRs|rRt|memWrite|imm, program.OpSW)
	set(famMem, rRs|rRt|memWrite|wRt|imm, program.OpSC)
	set(famMem, rRs|memRead|wFt|imm, program.OpLWC1)
	set(famMem, rRs|rFt|memWrite|imm, program.OpSWC1)
	set(famMem, rRs|memRead|wFt|wFt2|imm, program.OpLDC1)
	set(famMem, rRs|rFt|rFt2|memWrite|imm, program.OpSDC1)

	set(famNone, rFs|wRt, program.OpMFC1)
	set(famNone, rRt|wFs, program.OpMTC1)
	set(famNone, rFs1|wRt, program.OpMFHC1)
	set(famNone, rRt|wFs1, program.OpMTHC1)
	set(famNone, rFCSR|wRt, program.OpCFC1)
	set(famNone, rRt|rFCSR|wFCSR, program.OpCTC1)
	set(famNone, wRt, program.OpRDHWR) // $29 also reads TLS: see Tracer.Step
}
