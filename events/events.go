// Package events defines the typed per-chip records of an execution — one
// row per executed instruction in the CPU table, one per operation in each
// ALU family, one per register or memory access — and the Tracer that
// derives them from the executor, step by step.
//
// Every field is a fixed-width unsigned integer, so a table of rows is a set
// of fixed-width columns (see docs/trace-format.md).
//
// Memory checking: registers, HI/LO, the FP registers, FCSR and the TLS
// pointer are memory words at fixed addresses inside the null page, which
// guest loads and stores can never reach, so one address space and one
// argument cover all state. Each access carries the (shard, clk) and value
// of the previous access to the same address; within a shard every
// instruction owns the clock window [Clk, Clk+ClkPerCycle*(1+extra)) and its
// accesses take distinct, increasing slots in it, so timestamps strictly
// increase per address.
package events

// Addresses of CPU state in the memory-checking address space.
const (
	// AddrReg is the address of general-purpose register i: AddrReg + 4*i.
	AddrReg uint32 = 0x000
	AddrHI  uint32 = 0x080
	AddrLO  uint32 = 0x084
	// AddrFPR is the address of FP register i: AddrFPR + 4*i.
	AddrFPR  uint32 = 0x100
	AddrFCSR uint32 = 0x180
	AddrTLS  uint32 = 0x184
	// StateLimit bounds CPU-state addresses; guest memory starts above it.
	StateLimit uint32 = 0x1000
)

// ClkPerCycle is how far the clock advances per cycle. An instruction uses
// one cycle (a precompile 1 + its extra cycles); its accesses take slots
// Clk+0, Clk+1, ... in order: register reads, memory reads, memory writes,
// register writes.
const ClkPerCycle = 16

// Access slots within an instruction's clock window.
const (
	// SlotMemRead is the slot of every memory word a syscall or precompile
	// reads; SlotMemWrite of every word it writes. Register reads come
	// before, register writes after.
	SlotMemRead  = 8
	SlotMemWrite = 9
	SlotRegWrite = 10
)

// Memory is one read or write of a register or memory word.
type Memory struct {
	Addr      uint32
	Clk       uint32 // this access (shard-local)
	Value     uint32 // the word after the access (reads: the word read)
	PrevShard uint32 // shard of the previous access to Addr (0: the initial value)
	PrevClk   uint32
	PrevValue uint32
	Write     uint8 // 1 for writes
}

// Local is the first and last access to one address within a shard: what
// the shard needs from earlier shards and leaves to later ones.
type Local struct {
	Addr       uint32
	InitShard  uint32 // the access before this shard's first (0: initial value)
	InitClk    uint32
	InitValue  uint32
	FinalClk   uint32 // this shard's last access
	FinalValue uint32
}

// Init is the initial value of an address the run touches (from the ELF
// image, the initial stack or registers, or zero).
type Init struct {
	Addr  uint32
	Value uint32
}

// Finalize is the last access to an address in the whole run.
type Finalize struct {
	Addr  uint32
	Value uint32
	Shard uint32
	Clk   uint32
}

// CPU is one executed instruction.
type CPU struct {
	Clk       uint32
	PC        uint32
	NextPC    uint32 // npc before the step
	NewPC     uint32 // pc after the step
	NewNextPC uint32
	Inst      uint32 // instruction word
	Op        uint8  // program.Op
	A         uint32 // value written to the destination register
	B         uint32 // rs
	C         uint32 // rt, or the decoded immediate
	Exit      uint8  // 1 when this step ended the run
}

// ALU is an operation of the add/sub, less-than, shift, bitwise, clz/clo,
// bit-field (EXT, INS, SEB, SEH, WSBH) and conditional-move families:
// A = f(B, C) (INS and the moves also read the old destination, D).
type ALU struct {
	Clk uint32
	Op  uint8
	A   uint32
	B   uint32
	C   uint32
	D   uint32 // old destination (INS, MOVZ, MOVN, MOVF, MOVT), else 0
}

// MulDiv is a multiply or divide family operation: MULT, MULTU, DIV, DIVU,
// MADD, MADDU, MSUB, MSUBU (HI/LO in and out) and MUL (result in A).
type MulDiv struct {
	Clk   uint32
	Op    uint8
	B     uint32
	C     uint32
	HiIn  uint32
	LoIn  uint32
	HiOut uint32
	LoOut uint32
	A     uint32
}

// MemInstr is a load or store instruction.
type MemInstr struct {
	Clk      uint32
	Op       uint8
	Base     uint32 // rs
	Offset   uint32 // sign-extended immediate
	Addr     uint32 // effective address
	RtIn     uint32 // rt (or FP register) before
	RtOut    uint32 // rt (or FP register) after
	MemIn    uint32 // aligned word before (first word for LDC1/SDC1)
	MemOut   uint32 // aligned word after
	MemIn2   uint32 // second word (LDC1/SDC1), else 0
	MemOut2  uint32
	RtIn2    uint32 // odd FP register (LDC1/SDC1), else 0
	RtOut2   uint32
	LaneMask uint32 // bytes of the word the access covers (bit per byte, address order)
}

// Branch is a conditional branch (including branch-likely and BC1x).
type Branch struct {
	Clk       uint32
	Op        uint8
	PC        uint32
	B         uint32 // rs (FCSR for BC1x)
	C         uint32 // rt
	Taken     uint8
	Target    uint32
	NewPC     uint32
	NewNextPC uint32
}

// Jump is J, JAL, JR or JALR.
type Jump struct {
	Clk    uint32
	Op     uint8
	PC     uint32
	Target uint32
	Link   uint32 // value written to the link register (0 for J/JR)
}

// Syscall is a SYSCALL step: the call number and arguments, the results,
// and how many words of guest memory it read and wrote (their records are
// in the memory table at SlotMemRead/SlotMemWrite of this clock window).
type Syscall struct {
	Clk         uint32
	Code        uint32
	A0          uint32
	A1          uint32
	A2          uint32
	A3          uint32
	V0          uint32 // after
	A3Out       uint32 // after
	Reads       uint32
	Writes      uint32
	ExtraCycles uint32
}

// Precompile is a zkVM precompile call: one table per precompile code.
// Its inputs and outputs are the memory records of its clock window.
type Precompile struct {
	Clk    uint32
	Code   uint32
	A0     uint32
	A1     uint32
	Reads  uint32
	Writes uint32
}

// Record is what a shard produced: its rows, chip by chip.
type Record struct {
	Shard       uint32 // 1-based
	StartStep   uint64
	Steps       uint64
	StartCycle  uint64
	Cycles      uint64
	StartPC     uint32
	StartNextPC uint32
	EndPC       uint32
	EndNextPC   uint32
	Exited      bool
	ExitCode    uint32

	CPU      []CPU
	AddSub   []ALU
	Lt       []ALU
	Shift    []ALU
	Bitwise  []ALU
	CloClz   []ALU
	BitField []ALU
	MovCond  []ALU
	Mul      []MulDiv
	DivRem   []MulDiv
	MemInstr []MemInstr
	Branch   []Branch
	Jump     []Jump
	Syscall  []Syscall
	// Precompiles holds one table per precompile code that occurred.
	Precompiles map[uint32][]Precompile
	Memory      []Memory
	Local       []Local

	// first[i] is the index in Memory of Local[i]'s first access, whose
	// predecessor the Linker fills in.
	first  []uint32
	linked bool
}
