package program

// Roles says which state an instruction reads and writes: operand
// metadata, not semantics. Execution records use it to name every access
// a step makes, and the executor's record mode to know which values a
// step wrote, so both agree on one list (docs/trace-format.md, section 5).
type Roles uint32

// Operand roles. Reads are listed in the order a step makes them, then
// the data words, then the writes in their order.
const (
	ReadRs   Roles = 1 << iota
	ReadRt         // also INS, which merges into rt
	ReadRd         // the old destination (conditional moves)
	ReadHI         // MADD and friends, MFHI
	ReadLO         // MADD and friends, MFLO
	ReadFCSR       // FP condition codes, CFC1/CTC1
	ReadFt         // FP register rt (SWC1, SDC1)
	ReadFt2        // FP register rt+1 (SDC1)
	ReadFs         // FP register rd (MFC1)
	ReadFs1        // FP register rd+1 (MFHC1)
	WriteRd
	WriteRt
	WriteRA // $31: JAL and the branch-and-link instructions
	WriteHI
	WriteLO
	WriteFt   // LWC1, LDC1
	WriteFt2  // LDC1
	WriteFs   // MTC1
	WriteFs1  // MTHC1
	WriteFCSR // CTC1
	MemRead   // reads its data words (Machine.DataWords)
	MemWrite  // writes them
	Imm       // its second operand is the decoded immediate, not rt
)

// RegWrites are the register roles, in the order a step writes them.
var RegWrites = [...]Roles{WriteRd | WriteRt, WriteRA, WriteHI, WriteLO, WriteFt, WriteFt2, WriteFs, WriteFs1, WriteFCSR}

// Roles returns op's operand roles. RDHWR $29 also reads the TLS pointer
// and SYSCALL reads v0 and a0..a3 and writes v0 and a3 (and, for
// set_thread_area, the TLS pointer): those depend on more than the opcode.
func (op Op) Roles() Roles { return opRoles[op] }

var opRoles = func() (t [256]Roles) {
	set := func(r Roles, ops ...Op) {
		for _, o := range ops {
			t[o] = r
		}
	}
	set(ReadRs|ReadRt|WriteRd, OpADD, OpADDU, OpSUB, OpSUBU, OpSLT, OpSLTU, OpAND, OpOR, OpXOR, OpNOR,
		OpSLLV, OpSRLV, OpSRAV, OpROTRV, OpMUL)
	set(ReadRs|WriteRt|Imm, OpADDI, OpADDIU, OpSLTI, OpSLTIU, OpANDI, OpORI, OpXORI, OpEXT)
	set(ReadRt|WriteRd|Imm, OpSLL, OpSRL, OpSRA, OpROTR)
	set(WriteRt|Imm, OpLUI)
	set(ReadRs|WriteRd, OpCLZ, OpCLO)
	set(ReadRs|ReadRt|WriteRt|Imm, OpINS)
	set(ReadRt|WriteRd, OpWSBH, OpSEB, OpSEH)
	set(ReadRs|ReadRt|ReadRd|WriteRd, OpMOVZ, OpMOVN)
	set(ReadRs|ReadFCSR|ReadRd|WriteRd, OpMOVF, OpMOVT)
	set(ReadRs|ReadRt|WriteHI|WriteLO, OpMULT, OpMULTU, OpDIV, OpDIVU)
	set(ReadRs|ReadRt|ReadHI|ReadLO|WriteHI|WriteLO, OpMADD, OpMADDU, OpMSUB, OpMSUBU)
	set(ReadHI|WriteRd, OpMFHI)
	set(ReadLO|WriteRd, OpMFLO)
	set(ReadRs|WriteHI, OpMTHI)
	set(ReadRs|WriteLO, OpMTLO)

	set(ReadRs, OpJR)
	set(ReadRs|WriteRd, OpJALR)
	set(WriteRA, OpJAL)
	set(ReadRs|ReadRt, OpBEQ, OpBNE, OpBEQL, OpBNEL)
	set(ReadRs, OpBLEZ, OpBGTZ, OpBLTZ, OpBGEZ, OpBLEZL, OpBGTZL, OpBLTZL, OpBGEZL)
	set(ReadRs|WriteRA, OpBLTZAL, OpBGEZAL, OpBLTZALL, OpBGEZALL)
	set(ReadFCSR, OpBC1F, OpBC1T, OpBC1FL, OpBC1TL)

	set(ReadRs|ReadRt, OpTGE, OpTGEU, OpTLT, OpTLTU, OpTEQ, OpTNE)
	set(ReadRs|Imm, OpTGEI, OpTGEIU, OpTLTI, OpTLTIU, OpTEQI, OpTNEI)

	set(ReadRs|MemRead|WriteRt|Imm, OpLB, OpLBU, OpLH, OpLHU, OpLW, OpLL)
	set(ReadRs|ReadRt|MemRead|WriteRt|Imm, OpLWL, OpLWR)
	set(ReadRs|ReadRt|MemRead|MemWrite|Imm, OpSB, OpSH, OpSWL, OpSWR)
	set(ReadRs|ReadRt|MemWrite|Imm, OpSW)
	set(ReadRs|ReadRt|MemWrite|WriteRt|Imm, OpSC)
	set(ReadRs|MemRead|WriteFt|Imm, OpLWC1)
	set(ReadRs|ReadFt|MemWrite|Imm, OpSWC1)
	set(ReadRs|MemRead|WriteFt|WriteFt2|Imm, OpLDC1)
	set(ReadRs|ReadFt|ReadFt2|MemWrite|Imm, OpSDC1)

	set(ReadFs|WriteRt, OpMFC1)
	set(ReadRt|WriteFs, OpMTC1)
	set(ReadFs1|WriteRt, OpMFHC1)
	set(ReadRt|WriteFs1, OpMTHC1)
	set(ReadFCSR|WriteRt, OpCFC1)
	set(ReadRt|ReadFCSR|WriteFCSR, OpCTC1)
	set(WriteRt, OpRDHWR)
	return t
}()

// DataWordCount returns how many aligned data words a load or store of op
// accesses (2 for LDC1 and SDC1), 0 for other instructions.
func (op Op) DataWordCount() int {
	switch {
	case op == OpLDC1 || op == OpSDC1:
		return 2
	case opRoles[op]&(MemRead|MemWrite) != 0:
		return 1
	}
	return 0
}
