package trace

// The independent trace checker. It re-derives every constraint from the
// rows themselves and the MIPS32r2 definition of each instruction: it does
// not import the executor or the tracer, and it never runs the program. It
// is what a prover's constraint system has to enforce, written as plain
// code: memory checking (every access chains to the previous one, shards
// hand their state on through their Local rows, Init and Finalize close the
// argument), the clock discipline, the pc flow inside and across shards,
// instruction fetch (the recorded word is the one in memory), and the
// semantics of every executed instruction.

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/bits"
	"reflect"
	"sort"
	"strings"

	"github.com/zkmips/zkmips/events"
	"github.com/zkmips/zkmips/program"
)

// Chip names a Violation reports.
const (
	ChipShard      = "Shard" // the record's header fields (Row -1)
	ChipInit       = "Init"
	ChipFinalize   = "Finalize"
	ChipCPU        = "CPU"
	ChipAddSub     = "AddSub"
	ChipLt         = "Lt"
	ChipShift      = "Shift"
	ChipBitwise    = "Bitwise"
	ChipCloClz     = "CloClz"
	ChipBitField   = "BitField"
	ChipMovCond    = "MovCond"
	ChipMul        = "Mul"
	ChipDivRem     = "DivRem"
	ChipMemInstr   = "MemInstr"
	ChipBranch     = "Branch"
	ChipJump       = "Jump"
	ChipSyscall    = "Syscall"
	ChipPrecompile = "Precompile"
	ChipMemory     = "Memory"
	ChipLocal      = "Local"
)

// Violation is a constraint a trace breaks: the shard (0 for the Init and
// Finalize rows, which belong to the whole run), the chip and the row index
// in that chip's table (-1 when the violation concerns a header field or a
// missing table rather than a row).
type Violation struct {
	Shard uint32
	Chip  string
	Row   int
	Msg   string
}

func (v *Violation) Error() string {
	return fmt.Sprintf("shard %d, chip %s, row %d: %s", v.Shard, v.Chip, v.Row, v.Msg)
}

// Addresses and layout the checker relies on (docs/linux.md).
const (
	// nullLimit: guest addresses below it fault, which is what lets CPU
	// state live there in the memory-checking address space.
	nullLimit = events.StateLimit
	// stackLow..stackTop may hold the initial stack (argv, envp, auxv),
	// which the program does not determine. Every other address outside
	// the program image starts zero.
	stackLow = 0x7f000000
	stackTop = 0x7fff0000
	regSP    = 29
)

// precompiles are the zkVM call codes with a chip of their own
// (docs/precompiles.md); byte 3 of the code is the call's extra cycles.
var precompiles = map[uint32]bool{
	0x30010005: true, // SHA_EXTEND
	0x01010006: true, // SHA_COMPRESS
	0x01010009: true, // KECCAK_SPONGE
	0x0101000A: true, // SECP256K1_ADD
	0x0001000B: true, // SECP256K1_DOUBLE
	0x0001000C: true, // SECP256K1_DECOMPRESS
	0x0101000E: true, // BN254_ADD
	0x0001000F: true, // BN254_DOUBLE
	0x0101001D: true, // UINT256_MUL
	0x00010030: true, // POSEIDON2_PERMUTE
}

// Linux and zkVM calls the checker knows: those that end the run, the
// one that changes CPU state besides v0 and a3, and the unconstrained
// section's bounds.
const (
	sysExit          = 4001
	sysExitGroup     = 4246
	sysSetThreadArea = 4283
	zkHalt           = 0x00
	zkEnterUncon     = 0x03
	zkExitUncon      = 0x04
)

// FP control registers (FR=0, no FP arithmetic): FIR reports the S, D, W
// and L formats and nothing else; FCSR bits 22..18 (Impl and reserved)
// read as zero and ignore writes.
const (
	firValue  = 1<<16 | 1<<17 | 1<<20 | 1<<21
	fcsrWrite = 0xff83ffff
)

// cell is what the checker knows of one address: its last access (shard 0:
// none yet, the value is the initial one).
type cell struct {
	shard, clk, value uint32
	// local is the index+1 of the address's Local row in the shard being
	// checked, valid while localShard is that shard.
	local      int32
	localShard uint32
}

// Checker checks a run's records: call Init with the run's initial values,
// Shard with every shard's record in order, then Finish with the final
// values. The first violation found is returned, and returned again by
// every later call.
type Checker struct {
	prog      *program.Program
	bigEndian bool
	entry     uint32
	hasEntry  bool
	patches   map[uint32]uint32

	initCalled bool
	init       []events.Init
	cells      []cell
	state      [events.StateLimit / 4]int32 // index+1 into cells
	index      map[uint32]int32             // index+1 into cells, guest memory

	shards    uint32
	nextStep  uint64
	nextCycle uint64
	endPC     uint32
	endNPC    uint32
	exited    bool

	err error
}

// NewChecker returns a checker for a run of prog. prog may be nil: the
// instruction words are then only checked against memory the trace itself
// shows, initial memory is not checked against the program image, and the
// byte order must be set with SetBigEndian (default little-endian) and
// the entry point with SetEntry (else shard 1 may start anywhere).
func NewChecker(prog *program.Program) *Checker {
	c := &Checker{prog: prog, index: map[uint32]int32{}}
	if prog != nil {
		c.bigEndian = prog.BigEndian
		c.entry, c.hasEntry = prog.Entry, true
	}
	return c
}

// SetBigEndian sets the guest byte order (taken from the program, or from
// the manifest when there is no program).
func (c *Checker) SetBigEndian(be bool) { c.bigEndian = be }

// SetEntry sets the entry point shard 1 must start at (taken from the
// program, or from the manifest when there is no program).
func (c *Checker) SetEntry(pc uint32) { c.entry, c.hasEntry = pc, true }

// Patch declares that the word at addr held w when the run started instead
// of the program's word (a load-time patch, such as the Go runtime patches
// the executor applies). Call it before Init.
func (c *Checker) Patch(addr, w uint32) {
	if c.patches == nil {
		c.patches = map[uint32]uint32{}
	}
	c.patches[addr&^3] = w
}

// CheckRecords checks a whole run held in memory.
func CheckRecords(prog *program.Program, init []events.Init, records []*events.Record, fin []events.Finalize) error {
	c := NewChecker(prog)
	c.Init(init)
	for _, r := range records {
		if err := c.Shard(r); err != nil {
			return err
		}
	}
	return c.Finish(fin)
}

// CheckPublicValues checks that digest is the SHA-256 of the public values.
func CheckPublicValues(pv []byte, digest []byte) error {
	sum := sha256.Sum256(pv)
	if !bytes.Equal(sum[:], digest) {
		return fmt.Errorf("public values digest %x, sha256 of the %d public value bytes is %x", digest, len(pv), sum)
	}
	return nil
}

// fail aborts the check in progress with a violation; the exported
// methods recover it.
func fail(shard uint32, chip string, row int, format string, args ...any) {
	panic(&Violation{Shard: shard, Chip: chip, Row: row, Msg: fmt.Sprintf(format, args...)})
}

func (c *Checker) guard(f func()) (err error) {
	if c.err != nil {
		return c.err
	}
	defer func() {
		if e := recover(); e != nil {
			v, ok := e.(*Violation)
			if !ok {
				panic(e)
			}
			c.err = v
			err = v
		}
	}()
	f()
	return nil
}

// lookup returns the cell of addr, or nil when addr has no Init row.
func (c *Checker) lookup(addr uint32) *cell {
	if addr&3 != 0 {
		return nil
	}
	var i int32
	if addr < events.StateLimit {
		i = c.state[addr>>2]
	} else {
		i = c.index[addr]
	}
	if i == 0 {
		return nil
	}
	return &c.cells[i-1]
}

// value returns the current value of addr, when the trace shows it.
func (c *Checker) value(addr uint32) (uint32, bool) {
	if addr&3 != 0 {
		return 0, false
	}
	if cl := c.lookup(addr); cl != nil {
		return cl.value, true
	}
	return 0, false
}

// validStateAddr reports whether a < StateLimit names a piece of CPU state.
func validStateAddr(a uint32) bool {
	switch {
	case a < events.AddrHI+8: // registers, HI, LO
		return true
	case a >= events.AddrFPR && a < events.AddrFCSR+8: // FPRs, FCSR, TLS
		return true
	}
	return false
}

// imageWord returns the word at addr when the run started, when the
// program determines it: the program image (zero in BSS and in gaps of a
// segment's last page), a load-time patch, or zero away from the image and
// the initial stack.
func (c *Checker) imageWord(addr uint32) (uint32, bool) {
	if w, ok := c.patches[addr]; ok {
		return w, true
	}
	p := c.prog
	if p == nil {
		return 0, false
	}
	if i := (addr - p.CodeBase) >> 2; i < uint32(len(p.Code)) && addr&3 == 0 {
		return p.Code[i].Word, true
	}
	for i := range c.prog.Segments {
		s := &c.prog.Segments[i]
		if uint64(addr)+4 > uint64(s.Vaddr) && uint64(addr) < s.End() {
			return c.prog.WordAt(addr), true
		}
	}
	if addr >= stackLow && addr < stackTop {
		return 0, false
	}
	return 0, true
}

// Init takes the run's initial values, one row per address the run
// touches, sorted by address. Violations in them are returned by the next
// call to Shard or Finish.
func (c *Checker) Init(init []events.Init) {
	c.initCalled = true
	_ = c.guard(func() { c.setInit(init) })
}

func (c *Checker) setInit(init []events.Init) {
	c.init = init
	c.cells = make([]cell, len(init))
	for i, in := range init {
		if i > 0 && in.Addr <= init[i-1].Addr {
			fail(0, ChipInit, i, "address 0x%x after 0x%x: rows are not sorted by address, or repeat one", in.Addr, init[i-1].Addr)
		}
		if in.Addr&3 != 0 {
			fail(0, ChipInit, i, "address 0x%x is not word-aligned", in.Addr)
		}
		if in.Addr < events.StateLimit {
			if !validStateAddr(in.Addr) {
				fail(0, ChipInit, i, "address 0x%x in the CPU-state range names no register", in.Addr)
			}
			// The process starts with every register zero except $sp
			// (docs/linux.md); HI, LO, the FPU and the TLS pointer too.
			if in.Value != 0 && in.Addr != events.AddrReg+4*regSP {
				fail(0, ChipInit, i, "%s starts at 0x%x, but the initial CPU state is zero (except $sp)", addrName(in.Addr), in.Value)
			}
			c.state[in.Addr>>2] = int32(i + 1)
		} else {
			if w, ok := c.imageWord(in.Addr); ok && w != in.Value {
				fail(0, ChipInit, i, "word 0x%x starts as 0x%x, but the program image holds 0x%x", in.Addr, in.Value, w)
			}
			c.index[in.Addr] = int32(i + 1)
		}
		c.cells[i] = cell{value: in.Value}
	}
}

// Finish checks the final rows: one per address of Init, in the same
// order, each equal to the address's last access.
func (c *Checker) Finish(fin []events.Finalize) error {
	return c.guard(func() {
		if !c.initCalled {
			fail(0, ChipInit, -1, "Finish before Init")
		}
		if len(fin) != len(c.init) {
			n := min(len(fin), len(c.init))
			for i := 0; i < n; i++ {
				if fin[i].Addr != c.init[i].Addr {
					fail(0, ChipFinalize, i, "address 0x%x, but Init row %d is 0x%x", fin[i].Addr, i, c.init[i].Addr)
				}
			}
			fail(0, ChipFinalize, n, "%d Finalize rows for %d Init rows", len(fin), len(c.init))
		}
		for i, f := range fin {
			if f.Addr != c.init[i].Addr {
				fail(0, ChipFinalize, i, "address 0x%x, but Init row %d is 0x%x: the two sets differ", f.Addr, i, c.init[i].Addr)
			}
			cl := &c.cells[i]
			if cl.shard == 0 {
				fail(0, ChipInit, i, "address 0x%x is never accessed", f.Addr)
			}
			if f.Shard != cl.shard || f.Clk != cl.clk || f.Value != cl.value {
				fail(0, ChipFinalize, i, "address 0x%x final (shard %d, clk %d, 0x%x), but its last access is (shard %d, clk %d, 0x%x)",
					f.Addr, f.Shard, f.Clk, f.Value, cl.shard, cl.clk, cl.value)
			}
		}
	})
}

// Shard checks the next shard's record (shards must come in order).
func (c *Checker) Shard(r *events.Record) error {
	return c.guard(func() {
		if !c.initCalled {
			fail(r.Shard, ChipInit, -1, "Shard before Init")
		}
		s := &shardCheck{c: c, r: r, n: r.Shard}
		s.check()
	})
}

// families of rows an instruction needs besides CPU and Memory.
type family int

const (
	famNone family = iota - 1
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
	numFam
)

var famChip = [numFam]string{ChipAddSub, ChipLt, ChipShift, ChipBitwise, ChipCloClz, ChipBitField,
	ChipMovCond, ChipMul, ChipDivRem, ChipMemInstr, ChipBranch, ChipJump, ChipSyscall}

func opFamily(op program.Op) family {
	switch op {
	case program.OpADD, program.OpADDU, program.OpSUB, program.OpSUBU, program.OpADDI, program.OpADDIU:
		return famAddSub
	case program.OpSLT, program.OpSLTU, program.OpSLTI, program.OpSLTIU:
		return famLt
	case program.OpSLL, program.OpSRL, program.OpSRA, program.OpROTR,
		program.OpSLLV, program.OpSRLV, program.OpSRAV, program.OpROTRV:
		return famShift
	case program.OpAND, program.OpOR, program.OpXOR, program.OpNOR,
		program.OpANDI, program.OpORI, program.OpXORI, program.OpLUI:
		return famBitwise
	case program.OpCLZ, program.OpCLO:
		return famCloClz
	case program.OpEXT, program.OpINS, program.OpWSBH, program.OpSEB, program.OpSEH:
		return famBitField
	case program.OpMOVZ, program.OpMOVN, program.OpMOVF, program.OpMOVT:
		return famMovCond
	case program.OpMULT, program.OpMULTU, program.OpMADD, program.OpMADDU,
		program.OpMSUB, program.OpMSUBU, program.OpMUL:
		return famMul
	case program.OpDIV, program.OpDIVU:
		return famDivRem
	case program.OpLB, program.OpLH, program.OpLWL, program.OpLW, program.OpLBU, program.OpLHU,
		program.OpLWR, program.OpSB, program.OpSH, program.OpSWL, program.OpSW, program.OpSWR,
		program.OpLL, program.OpSC, program.OpLWC1, program.OpSWC1, program.OpLDC1, program.OpSDC1:
		return famMem
	case program.OpBEQ, program.OpBNE, program.OpBLEZ, program.OpBGTZ, program.OpBLTZ, program.OpBGEZ,
		program.OpBEQL, program.OpBNEL, program.OpBLEZL, program.OpBGTZL, program.OpBLTZL, program.OpBGEZL,
		program.OpBLTZAL, program.OpBGEZAL, program.OpBLTZALL, program.OpBGEZALL,
		program.OpBC1F, program.OpBC1T, program.OpBC1FL, program.OpBC1TL:
		return famBranch
	case program.OpJ, program.OpJAL, program.OpJR, program.OpJALR:
		return famJump
	case program.OpSYSCALL:
		return famSyscall
	}
	return famNone
}

// hasImm reports whether the CPU row's C holds the decoded immediate (or
// the shift amount) rather than rt's value.
func hasImm(op program.Op) bool {
	switch op {
	case program.OpADDI, program.OpADDIU, program.OpSLTI, program.OpSLTIU,
		program.OpSLL, program.OpSRL, program.OpSRA, program.OpROTR,
		program.OpANDI, program.OpORI, program.OpXORI, program.OpLUI,
		program.OpEXT, program.OpINS,
		program.OpTGEI, program.OpTGEIU, program.OpTLTI, program.OpTLTIU, program.OpTEQI, program.OpTNEI:
		return true
	}
	return opFamily(op) == famMem
}

// readsRt reports whether the instruction reads general register rt as an
// operand (the CPU row's C is then rt's value; without an immediate and
// without rt, C is 0).
// readsRs reports whether op reads rs (the recorded reads, not the
// encoding's field).
func readsRs(op program.Op) bool {
	switch op {
	case program.OpSLL, program.OpSRL, program.OpSRA, program.OpROTR, program.OpJ, program.OpJAL,
		program.OpLUI, program.OpMFHI, program.OpMFLO, program.OpWSBH, program.OpSEB, program.OpSEH,
		program.OpRDHWR, program.OpSYSCALL, program.OpBREAK, program.OpSYNC, program.OpPREF, program.OpSYNCI,
		program.OpMFC1, program.OpMTC1, program.OpMFHC1, program.OpMTHC1, program.OpCFC1, program.OpCTC1,
		program.OpBC1F, program.OpBC1T, program.OpBC1FL, program.OpBC1TL, program.OpInvalid, program.OpUnsupported:
		return false
	}
	return true
}

func readsRt(op program.Op) bool {
	switch op {
	case program.OpADD, program.OpADDU, program.OpSUB, program.OpSUBU, program.OpSLT, program.OpSLTU,
		program.OpSLLV, program.OpSRLV, program.OpSRAV, program.OpROTRV,
		program.OpAND, program.OpOR, program.OpXOR, program.OpNOR,
		program.OpWSBH, program.OpSEB, program.OpSEH, program.OpMOVZ, program.OpMOVN,
		program.OpMULT, program.OpMULTU, program.OpMADD, program.OpMADDU, program.OpMSUB, program.OpMSUBU,
		program.OpMUL, program.OpDIV, program.OpDIVU,
		program.OpBEQ, program.OpBNE, program.OpBEQL, program.OpBNEL,
		program.OpTGE, program.OpTGEU, program.OpTLT, program.OpTLTU, program.OpTEQ, program.OpTNE,
		program.OpMTC1, program.OpMTHC1, program.OpCTC1:
		return true
	}
	return false
}

func isControl(op program.Op) bool {
	f := opFamily(op)
	return f == famBranch || f == famJump
}

// shardCheck is the state of checking one record.
type shardCheck struct {
	c *Checker
	r *events.Record
	n uint32 // shard number

	mp    int // next memory row
	fc    [numFam]int
	pc    map[uint32]int // precompile table cursors
	codes []uint32       // precompile codes, sorted
}

func (s *shardCheck) fail(chip string, row int, format string, args ...any) {
	fail(s.n, chip, row, format, args...)
}

func (s *shardCheck) check() {
	c, r := s.c, s.r
	s.header()
	s.memoryOrder()
	s.tableOrder()
	s.localInit()

	clk := uint32(events.ClkPerCycle)
	var cycles uint64
	for i := range r.CPU {
		row := &r.CPU[i]
		if row.Clk != clk {
			s.fail(ChipCPU, i, "clk %d, want %d (the previous instruction's window ends there)", row.Clk, clk)
		}
		if i == 0 {
			if row.PC != r.StartPC || row.NextPC != r.StartNextPC {
				s.fail(ChipCPU, i, "first row at pc 0x%x/0x%x, but the shard starts at 0x%x/0x%x", row.PC, row.NextPC, r.StartPC, r.StartNextPC)
			}
		} else if p := &r.CPU[i-1]; row.PC != p.NewPC || row.NextPC != p.NewNextPC {
			s.fail(ChipCPU, i, "pc 0x%x/0x%x, but the previous row left 0x%x/0x%x", row.PC, row.NextPC, p.NewPC, p.NewNextPC)
		}
		if row.Exit > 1 {
			s.fail(ChipCPU, i, "exit flag %d", row.Exit)
		}
		if row.Exit == 1 && (i != len(r.CPU)-1 || !r.Exited) {
			s.fail(ChipCPU, i, "exit flag set, but only the last row of a run that exited may end it")
		}
		extra := s.step(i, row)
		cycles += 1 + uint64(extra)
		next := uint64(clk) + events.ClkPerCycle*(1+uint64(extra))
		if next > 1<<32-events.ClkPerCycle {
			s.fail(ChipCPU, i, "the shard's clock overflows")
		}
		clk = uint32(next)
	}
	if s.mp < len(r.Memory) {
		s.fail(ChipMemory, s.mp, "access at clk %d lies in no instruction's window", r.Memory[s.mp].Clk)
	}
	for f := range numFam {
		if s.fc[f] < s.famLen(f) {
			s.fail(famChip[f], s.fc[f], "row at clk %d matches no CPU row that needs it", s.famClk(f, s.fc[f]))
		}
	}
	for _, code := range s.codes {
		if t := r.Precompiles[code]; s.pc[code] < len(t) {
			s.fail(ChipPrecompile, s.pc[code], "code 0x%x: row at clk %d matches no syscall", code, t[s.pc[code]].Clk)
		}
	}
	if cycles != r.Cycles {
		s.fail(ChipShard, -1, "%d cycles, but the rows take %d", r.Cycles, cycles)
	}
	s.localFinal()

	// The tail of the header: where the shard ends.
	endPC, endNPC := r.StartPC, r.StartNextPC
	if n := len(r.CPU); n > 0 {
		endPC, endNPC = r.CPU[n-1].NewPC, r.CPU[n-1].NewNextPC
	}
	if r.EndPC != endPC || r.EndNextPC != endNPC {
		s.fail(ChipShard, -1, "ends at 0x%x/0x%x, but its last row leaves 0x%x/0x%x", r.EndPC, r.EndNextPC, endPC, endNPC)
	}
	if r.Exited {
		if len(r.CPU) == 0 || r.CPU[len(r.CPU)-1].Exit != 1 {
			s.fail(ChipShard, -1, "the run exited, but the shard's last row does not end it")
		}
		if want, ok := s.exitCode(&r.CPU[len(r.CPU)-1]); ok && r.ExitCode != want {
			s.fail(ChipShard, -1, "exit code %d, but the last instruction exits with %d", r.ExitCode, want)
		}
	} else if r.ExitCode != 0 {
		s.fail(ChipShard, -1, "exit code %d, but the run did not exit", r.ExitCode)
	}
	c.shards = r.Shard
	c.nextStep = r.StartStep + r.Steps
	c.nextCycle = r.StartCycle + r.Cycles
	c.endPC, c.endNPC = r.EndPC, r.EndNextPC
	c.exited = r.Exited
}

// header checks the fields that tie the shard to the previous one.
func (s *shardCheck) header() {
	c, r := s.c, s.r
	if r.Shard != c.shards+1 {
		s.fail(ChipShard, -1, "shard number %d, want %d", r.Shard, c.shards+1)
	}
	if c.exited {
		s.fail(ChipShard, -1, "the run exited in shard %d", c.shards)
	}
	if r.StartStep != c.nextStep || r.StartCycle != c.nextCycle {
		s.fail(ChipShard, -1, "starts at step %d, cycle %d, want %d, %d", r.StartStep, r.StartCycle, c.nextStep, c.nextCycle)
	}
	if r.Steps != uint64(len(r.CPU)) {
		s.fail(ChipShard, -1, "%d steps, but %d CPU rows", r.Steps, len(r.CPU))
	}
	if r.Shard == 1 {
		if c.hasEntry && (r.StartPC != c.entry || r.StartNextPC != c.entry+4) {
			s.fail(ChipShard, -1, "the run starts at 0x%x/0x%x, but the entry point is 0x%x", r.StartPC, r.StartNextPC, c.entry)
		}
	} else {
		if r.StartPC != c.endPC || r.StartNextPC != c.endNPC {
			s.fail(ChipShard, -1, "starts at 0x%x/0x%x, but shard %d ended at 0x%x/0x%x", r.StartPC, r.StartNextPC, c.shards, c.endPC, c.endNPC)
		}
		if r.StartNextPC != r.StartPC+4 {
			s.fail(ChipShard, -1, "starts in a delay slot (pc 0x%x, next pc 0x%x)", r.StartPC, r.StartNextPC)
		}
	}
}

// memoryOrder checks that the memory rows come in the order the accesses
// happen: by clock, and by address within a clock (the several words of a
// syscall, or of LDC1/SDC1, share a slot).
func (s *shardCheck) memoryOrder() {
	m := s.r.Memory
	for i := 1; i < len(m); i++ {
		if m[i].Clk < m[i-1].Clk || m[i].Clk == m[i-1].Clk && m[i].Addr <= m[i-1].Addr {
			s.fail(ChipMemory, i, "access to 0x%x at clk %d after one to 0x%x at clk %d: rows are not in (clk, address) order",
				m[i].Addr, m[i].Clk, m[i-1].Addr, m[i-1].Clk)
		}
	}
}

func (s *shardCheck) famLen(f family) int {
	r := s.r
	switch f {
	case famAddSub:
		return len(r.AddSub)
	case famLt:
		return len(r.Lt)
	case famShift:
		return len(r.Shift)
	case famBitwise:
		return len(r.Bitwise)
	case famCloClz:
		return len(r.CloClz)
	case famBitField:
		return len(r.BitField)
	case famMovCond:
		return len(r.MovCond)
	case famMul:
		return len(r.Mul)
	case famDivRem:
		return len(r.DivRem)
	case famMem:
		return len(r.MemInstr)
	case famBranch:
		return len(r.Branch)
	case famJump:
		return len(r.Jump)
	case famSyscall:
		return len(r.Syscall)
	}
	return 0
}

func (s *shardCheck) famClk(f family, i int) uint32 {
	r := s.r
	switch f {
	case famMul:
		return r.Mul[i].Clk
	case famDivRem:
		return r.DivRem[i].Clk
	case famMem:
		return r.MemInstr[i].Clk
	case famBranch:
		return r.Branch[i].Clk
	case famJump:
		return r.Jump[i].Clk
	case famSyscall:
		return r.Syscall[i].Clk
	}
	return s.aluTable(f)[i].Clk
}

func (s *shardCheck) aluTable(f family) []events.ALU {
	r := s.r
	switch f {
	case famAddSub:
		return r.AddSub
	case famLt:
		return r.Lt
	case famShift:
		return r.Shift
	case famBitwise:
		return r.Bitwise
	case famCloClz:
		return r.CloClz
	case famBitField:
		return r.BitField
	case famMovCond:
		return r.MovCond
	}
	panic("not an ALU family")
}

// tableOrder checks that every family table is in clock order, which lets
// the CPU walk match rows with one cursor per table.
func (s *shardCheck) tableOrder() {
	for f := range numFam {
		for i := 1; i < s.famLen(f); i++ {
			if s.famClk(f, i) <= s.famClk(f, i-1) {
				s.fail(famChip[f], i, "clk %d after %d: rows are not in clock order, or two share an instruction", s.famClk(f, i), s.famClk(f, i-1))
			}
		}
	}
	s.pc = map[uint32]int{}
	for code, t := range s.r.Precompiles {
		s.codes = append(s.codes, code)
		for i := range t {
			if t[i].Code != code {
				s.fail(ChipPrecompile, i, "code 0x%x in the table of code 0x%x", t[i].Code, code)
			}
			if i > 0 && t[i].Clk <= t[i-1].Clk {
				s.fail(ChipPrecompile, i, "code 0x%x: clk %d after %d: rows are not in clock order", code, t[i].Clk, t[i-1].Clk)
			}
		}
	}
	sort.Slice(s.codes, func(i, j int) bool { return s.codes[i] < s.codes[j] })
}

// localInit checks the Local rows against the state the earlier shards
// left, and links each address to its row.
func (s *shardCheck) localInit() {
	c, r := s.c, s.r
	for i := range r.Local {
		l := &r.Local[i]
		if i > 0 && l.Addr <= r.Local[i-1].Addr {
			s.fail(ChipLocal, i, "address 0x%x after 0x%x: rows are not sorted by address, or repeat one", l.Addr, r.Local[i-1].Addr)
		}
		if l.Addr&3 != 0 {
			s.fail(ChipLocal, i, "address 0x%x is not word-aligned", l.Addr)
		}
		cl := c.lookup(l.Addr)
		if cl == nil {
			s.fail(ChipLocal, i, "address 0x%x has no Init row", l.Addr)
		}
		if l.InitShard != cl.shard || l.InitClk != cl.clk || l.InitValue != cl.value {
			s.fail(ChipLocal, i, "address 0x%x starts from (shard %d, clk %d, 0x%x), but the earlier shards left (shard %d, clk %d, 0x%x)",
				l.Addr, l.InitShard, l.InitClk, l.InitValue, cl.shard, cl.clk, cl.value)
		}
		cl.local, cl.localShard = int32(i+1), s.n
	}
}

// localFinal checks that every Local row's address was accessed in the
// shard and that its final clock and value are the last access's.
func (s *shardCheck) localFinal() {
	c, r := s.c, s.r
	for i := range r.Local {
		l := &r.Local[i]
		cl := c.lookup(l.Addr)
		if cl.shard != s.n {
			s.fail(ChipLocal, i, "address 0x%x is not accessed in this shard", l.Addr)
		}
		if l.FinalClk != cl.clk || l.FinalValue != cl.value {
			s.fail(ChipLocal, i, "address 0x%x ends at (clk %d, 0x%x), but its last access is (clk %d, 0x%x)", l.Addr, l.FinalClk, l.FinalValue, cl.clk, cl.value)
		}
	}
}

// access checks memory row j against the state of its address and
// applies it.
func (s *shardCheck) access(row int) {
	c := s.c
	a := &s.r.Memory[row]
	if a.Addr&3 != 0 {
		s.fail(ChipMemory, row, "address 0x%x is not word-aligned", a.Addr)
	}
	if a.Write > 1 {
		s.fail(ChipMemory, row, "write flag %d", a.Write)
	}
	cl := c.lookup(a.Addr)
	if cl == nil {
		s.fail(ChipMemory, row, "address 0x%x has no Init row", a.Addr)
	}
	if a.PrevShard == 0 && a.PrevClk != 0 {
		s.fail(ChipMemory, row, "previous access in shard 0 at clk %d: shard 0 is the initial value at clk 0", a.PrevClk)
	}
	if a.PrevShard > s.n || a.PrevShard == s.n && a.PrevClk >= a.Clk {
		s.fail(ChipMemory, row, "timestamp (shard %d, clk %d) does not come after the previous access's (shard %d, clk %d)", s.n, a.Clk, a.PrevShard, a.PrevClk)
	}
	if a.PrevShard != cl.shard || a.PrevClk != cl.clk || a.PrevValue != cl.value {
		s.fail(ChipMemory, row, "address 0x%x: previous access (shard %d, clk %d, 0x%x), but the last access was (shard %d, clk %d, 0x%x)",
			a.Addr, a.PrevShard, a.PrevClk, a.PrevValue, cl.shard, cl.clk, cl.value)
	}
	if a.Write == 0 && a.Value != a.PrevValue {
		s.fail(ChipMemory, row, "read of 0x%x changes the value from 0x%x to 0x%x", a.Addr, a.PrevValue, a.Value)
	}
	if a.Addr == events.AddrReg && a.Value != 0 {
		s.fail(ChipMemory, row, "$zero holds 0x%x", a.Value)
	}
	if cl.shard != s.n && (cl.localShard != s.n || cl.local == 0) {
		s.fail(ChipMemory, row, "address 0x%x is accessed, but the shard has no Local row for it", a.Addr)
	}
	cl.shard, cl.clk, cl.value = s.n, a.Clk, a.Value
}

// step checks CPU row i and everything it owns; it returns the row's extra
// cycles.
func (s *shardCheck) step(i int, row *events.CPU) uint32 {
	c, r := s.c, s.r
	in := s.fetch(i, row)
	op := in.Op

	// Family rows: none may be left behind, the right one must be here.
	need := opFamily(op)
	fault := row.Exit == 1 && (op != program.OpSYSCALL || row.PC < nullLimit ||
		s.fc[famSyscall] >= len(r.Syscall) || r.Syscall[s.fc[famSyscall]].Clk != row.Clk)
	if fault {
		need = famNone
	}
	famRow := -1
	for f := range numFam {
		k := s.fc[f]
		if k >= s.famLen(f) {
			continue
		}
		switch clk := s.famClk(f, k); {
		case clk < row.Clk:
			s.fail(famChip[f], k, "row at clk %d matches no CPU row that needs it", clk)
		case clk == row.Clk && f == need:
			famRow = k
			s.fc[f]++
		case clk == row.Clk:
			s.fail(famChip[f], k, "CPU row %d (%v) needs no %s row", i, op, famChip[f])
		}
	}
	if need != famNone && famRow < 0 {
		s.fail(ChipCPU, i, "%v needs a %s row at clk %d, and there is none", op, famChip[need], row.Clk)
	}
	var extra uint32
	if need == famSyscall {
		extra = r.Syscall[famRow].ExtraCycles
		if extra > 1<<24 {
			s.fail(ChipSyscall, famRow, "%d extra cycles", extra)
		}
	}
	end := uint64(row.Clk) + events.ClkPerCycle*(1+uint64(extra))

	// The window's accesses.
	if s.mp < len(r.Memory) && r.Memory[s.mp].Clk < row.Clk {
		s.fail(ChipMemory, s.mp, "access at clk %d lies in no instruction's window", r.Memory[s.mp].Clk)
	}
	first := s.mp
	for s.mp < len(r.Memory) && uint64(r.Memory[s.mp].Clk) < end {
		s.mp++
	}

	// What the row says the registers held: check against the state
	// before the window's accesses change it.
	// B: rs if read, the value shifted (rt) for immediate shifts, else 0.
	bWant, bKnown := uint32(0), true
	switch {
	case readsRs(op):
		bWant, bKnown = c.value(events.AddrReg + 4*uint32(in.Rs))
	case op == program.OpSLL || op == program.OpSRL || op == program.OpSRA || op == program.OpROTR:
		bWant, bKnown = c.value(events.AddrReg + 4*uint32(in.Rt))
	}
	cWant, cKnown := uint32(0), true // rt unused: 0
	switch {
	case hasImm(op):
		cWant = in.Imm
		switch op {
		case program.OpSLL, program.OpSRL, program.OpSRA, program.OpROTR:
			cWant = uint32(in.Sa)
		}
	case readsRt(op):
		cWant, cKnown = c.value(events.AddrReg + 4*uint32(in.Rt))
	}
	if row.PC&3 != 0 || row.PC < nullLimit {
		bKnown, cKnown = false, false // nothing was decoded
	}
	if bKnown && row.B != bWant {
		s.fail(ChipCPU, i, "B 0x%x, want 0x%x (rs $%d, the value shifted, or 0 when unused)", row.B, bWant, in.Rs)
	}
	if cKnown && row.C != cWant {
		s.fail(ChipCPU, i, "C 0x%x, want 0x%x (rt $%d or the immediate)", row.C, cWant, in.Rt)
	}
	hi, hiKnown := c.value(events.AddrHI)
	lo, loKnown := c.value(events.AddrLO)

	for j := first; j < s.mp; j++ {
		s.access(j)
	}

	if fault {
		// A faulting step reads its operand registers (not when the fetch
		// faulted) and changes nothing.
		for j := first; j < s.mp; j++ {
			if a := &r.Memory[j]; a.Write != 0 || a.Addr >= events.StateLimit || a.Clk-row.Clk >= events.SlotMemRead ||
				row.PC&3 != 0 || row.PC < nullLimit {
				s.fail(ChipMemory, j, "a faulting step only reads registers, and not when its fetch faulted: this access is a %s of 0x%x at slot %d",
					map[uint8]string{0: "read", 1: "write"}[a.Write], a.Addr, a.Clk-row.Clk)
			}
		}
		if row.NewPC != row.PC || row.NewNextPC != row.NextPC {
			s.fail(ChipCPU, i, "faulting step moves pc to 0x%x/0x%x: it must stay at 0x%x/0x%x", row.NewPC, row.NewNextPC, row.PC, row.NextPC)
		}
		if row.A != 0 {
			s.fail(ChipCPU, i, "faulting step writes A 0x%x", row.A)
		}
		if op != program.OpSYSCALL && !s.faults(in, row) {
			s.fail(ChipCPU, i, "%v ends the run with a fault, but it does not fault here (pc 0x%x, next pc 0x%x, B 0x%x, C 0x%x)", in, row.PC, row.NextPC, row.B, row.C)
		}
		return 0
	}

	x := &exec{s: s, i: i, row: row, in: in, k: first, stop: s.mp, nextWrite: events.SlotRegWrite, famRow: famRow,
		hi: hi, lo: lo, hiKnown: hiKnown, loKnown: loKnown, step: r.StartStep + uint64(i)}
	x.run()
	x.end()
	if row.A != x.dest {
		s.fail(ChipCPU, i, "A 0x%x, but %v writes 0x%x to its destination", row.A, op, x.dest)
	}
	return extra
}

// fetch checks the row's instruction word and opcode and decodes it.
func (s *shardCheck) fetch(i int, row *events.CPU) program.Inst {
	c := s.c
	if row.PC&3 != 0 {
		// A misaligned fetch faults before anything is read: the row
		// carries no instruction.
		if row.Exit != 1 || row.Inst != 0 || program.Op(row.Op) != program.OpInvalid {
			s.fail(ChipCPU, i, "misaligned pc 0x%x: the fetch faults, the row must end the run with no instruction", row.PC)
		}
		return program.Inst{}
	}
	in := program.Decode(row.Inst, row.PC)
	if program.Op(row.Op) != in.Op {
		s.fail(ChipCPU, i, "op %v, but 0x%08x at 0x%x decodes to %v", program.Op(row.Op), row.Inst, row.PC, in.Op)
	}
	if row.PC < nullLimit {
		if row.Exit != 1 {
			s.fail(ChipCPU, i, "instruction fetched from the null page at 0x%x: it must fault", row.PC)
		}
		return in
	}
	if in.Op == program.OpUnsupported {
		s.fail(ChipCPU, i, "%s is not executed by zkmips: it cannot appear in a trace", in.UnsupportedName())
	}
	want, known := c.value(row.PC)
	if !known {
		want, known = c.imageWord(row.PC)
	}
	if known && row.Inst != want {
		s.fail(ChipCPU, i, "instruction 0x%08x at pc 0x%x, but memory holds 0x%08x there", row.Inst, row.PC, want)
	}
	return in
}

// faults reports whether the instruction faults given the row's values.
func (s *shardCheck) faults(in program.Inst, row *events.CPU) bool {
	_, ok := faultSignal(in, row)
	return ok
}

// Signals a fault ends the guest with (exit code 128+signal).
const (
	sigILL  = 4
	sigTRAP = 5
	sigFPE  = 8
	sigBUS  = 10
	sigSEGV = 11
)

// faultSignal returns the signal the instruction faults with given the
// row's pc, next pc and operand values, if it faults.
func faultSignal(in program.Inst, row *events.CPU) (int, bool) {
	b, c := row.B, row.C
	op := in.Op
	switch {
	case row.PC&3 != 0:
		return sigBUS, true
	case row.PC < nullLimit:
		return sigSEGV, true
	case op == program.OpInvalid:
		return sigILL, true
	case isControl(op):
		return sigILL, row.NextPC != row.PC+4
	}
	switch op {
	case program.OpADD, program.OpADDI:
		return sigFPE, addOverflows(b, c)
	case program.OpSUB:
		return sigFPE, subOverflows(b, c)
	case program.OpBREAK:
		code := in.Imm
		if code >= 1<<10 { // Linux swaps the two 10-bit halves
			code = code&0x3ff<<10 | code>>10
		}
		if code == 6 || code == 7 {
			return sigFPE, true
		}
		return sigTRAP, true
	case program.OpTGE, program.OpTGEU, program.OpTLT, program.OpTLTU, program.OpTEQ, program.OpTNE:
		if in.Imm == 6 || in.Imm == 7 {
			return sigFPE, trapTaken(op, b, c)
		}
		return sigTRAP, trapTaken(op, b, c)
	case program.OpTGEI, program.OpTGEIU, program.OpTLTI, program.OpTLTIU, program.OpTEQI, program.OpTNEI:
		return sigTRAP, trapTaken(op, b, in.Imm)
	case program.OpRDHWR:
		switch in.Rd {
		case 0, 1, 2, 3, 29:
			return 0, false
		}
		return sigILL, true
	case program.OpMFHC1, program.OpMTHC1:
		return sigILL, in.Rd&1 != 0
	case program.OpCFC1:
		_, ok := readFCR(0, in.Rd)
		return sigILL, !ok
	case program.OpCTC1:
		_, ok := writeFCR(0, in.Rd, 0)
		return sigILL, !ok
	}
	if opFamily(op) == famMem {
		ea := b + in.Imm
		switch {
		case ea&accessAlign(op) != 0: // alignment is checked first
			return sigBUS, true
		case ea < nullLimit:
			return sigSEGV, true
		case (op == program.OpLDC1 || op == program.OpSDC1) && in.Rt&1 != 0:
			return sigILL, true
		}
	}
	return 0, false
}

// exitCode returns the exit code the run's last row gives, when the row
// determines it.
func (s *shardCheck) exitCode(row *events.CPU) (uint32, bool) {
	var in program.Inst
	if row.PC&3 == 0 {
		in = program.Decode(row.Inst, row.PC)
	}
	if in.Op == program.OpSYSCALL {
		k := s.fc[famSyscall] - 1
		if k >= 0 && s.r.Syscall[k].Clk == row.Clk {
			return s.r.Syscall[k].A0 & 0xff, true // exit, exit_group, HALT
		}
		return 0, false // a fatal signal the guest sent itself
	}
	if sig, ok := faultSignal(in, row); ok {
		return 128 + uint32(sig), true
	}
	return 0, false
}

// accessAlign returns the alignment a load or store needs, minus one.
func accessAlign(op program.Op) uint32 {
	switch op {
	case program.OpLB, program.OpLBU, program.OpSB, program.OpLWL, program.OpLWR, program.OpSWL, program.OpSWR:
		return 0
	case program.OpLH, program.OpLHU, program.OpSH:
		return 1
	case program.OpLDC1, program.OpSDC1:
		return 7
	}
	return 3
}

func addOverflows(a, b uint32) bool {
	s := a + b
	return (a^s)&(b^s)>>31 != 0
}

func subOverflows(a, b uint32) bool {
	s := a - b
	return (a^b)&(a^s)>>31 != 0
}

func trapTaken(op program.Op, a, b uint32) bool {
	switch op {
	case program.OpTGE, program.OpTGEI:
		return int32(a) >= int32(b)
	case program.OpTGEU, program.OpTGEIU:
		return a >= b
	case program.OpTLT, program.OpTLTI:
		return int32(a) < int32(b)
	case program.OpTLTU, program.OpTLTIU:
		return a < b
	case program.OpTEQ, program.OpTEQI:
		return a == b
	}
	return a != b
}

// fcc reads FP condition code n from FCSR (FCC0 is bit 23, FCC1..7 bits
// 25..31).
func fcc(fcsr uint32, n uint32) bool {
	if n == 0 {
		return fcsr>>23&1 != 0
	}
	return fcsr>>(24+n)&1 != 0
}

// readFCR is CFC1: FIR, FCCR, FEXR, FENR or FCSR.
func readFCR(fcsr uint32, n uint8) (uint32, bool) {
	switch n {
	case 0:
		return firValue, true
	case 25: // FCCR: FCC7..0
		return fcsr>>24&0xfe | fcsr>>23&1, true
	case 26: // FEXR: Cause and Flags
		return fcsr & 0x0003f07c, true
	case 28: // FENR: Enables, FS (as bit 2) and RM
		return fcsr&0x00000f83 | fcsr>>22&4, true
	case 31:
		return fcsr, true
	}
	return 0, false
}

// writeFCR is CTC1: FCSR after writing v to control register n.
func writeFCR(fcsr uint32, n uint8, v uint32) (uint32, bool) {
	switch n {
	case 25:
		return fcsr&^0xfe800000 | v&0xfe<<24 | v&1<<23, true
	case 26:
		return fcsr&^0x0003f07c | v&0x0003f07c, true
	case 28:
		return fcsr&^0x01000f83 | v&0x00000f83 | v&4<<22, true
	case 31:
		return v & fcsrWrite, true
	}
	return 0, false
}

// addrName names an address of the memory-checking space.
func addrName(a uint32) string {
	switch {
	case a < events.AddrHI:
		return "$" + program.RegNames[a>>2]
	case a == events.AddrHI:
		return "HI"
	case a == events.AddrLO:
		return "LO"
	case a >= events.AddrFPR && a < events.AddrFCSR:
		return fmt.Sprintf("$f%d", (a-events.AddrFPR)>>2)
	case a == events.AddrFCSR:
		return "FCSR"
	case a == events.AddrTLS:
		return "TLS"
	}
	return fmt.Sprintf("0x%x", a)
}

// diff lists the fields in which two rows of the same type differ.
func diff(got, want any) string {
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	var parts []string
	for k := 0; k < g.NumField(); k++ {
		if gf, wf := g.Field(k).Interface(), w.Field(k).Interface(); gf != wf {
			parts = append(parts, fmt.Sprintf("%s 0x%x, want 0x%x", g.Type().Field(k).Name, gf, wf))
		}
	}
	return strings.Join(parts, "; ")
}

// exec checks one completed instruction: its accesses, in slot order, and
// the values of its rows.
type exec struct {
	s      *shardCheck
	i      int
	row    *events.CPU
	in     program.Inst
	famRow int
	step   uint64

	k, stop   int    // the window's memory rows: next, end
	nextRead  uint32 // next register-read slot
	nextWrite uint32 // next register-write slot
	dest      uint32 // the CPU row's A

	hi, lo           uint32 // HI and LO before the step
	hiKnown, loKnown bool
}

func (x *exec) fail(chip string, row int, format string, args ...any) {
	x.s.fail(chip, row, format, args...)
}

func (x *exec) failCPU(format string, args ...any) {
	x.s.fail(ChipCPU, x.i, "%v: %s", x.in.Op, fmt.Sprintf(format, args...))
}

// take returns the next access, which must be the given one.
func (x *exec) take(addr, slot uint32, write bool) *events.Memory {
	kind := "read"
	if write {
		kind = "write"
	}
	if x.k >= x.stop {
		x.failCPU("no %s of %s at slot %d", kind, addrName(addr), slot)
	}
	j := x.k
	a := &x.s.r.Memory[j]
	if a.Addr != addr || a.Clk != x.row.Clk+slot || (a.Write == 1) != write {
		got := "read"
		if a.Write == 1 {
			got = "write"
		}
		x.fail(ChipMemory, j, "%v needs a %s of %s at clk %d, found a %s of %s at clk %d",
			x.in.Op, kind, addrName(addr), x.row.Clk+slot, got, addrName(a.Addr), a.Clk)
	}
	x.k++
	return a
}

// last returns the memory row of the access taken last.
func (x *exec) last() int { return x.k - 1 }

// read takes the next register-slot read of addr and returns its value.
func (x *exec) read(addr uint32) uint32 {
	a := x.take(addr, x.nextRead, false)
	x.nextRead++
	if x.nextRead > events.SlotMemRead {
		x.failCPU("too many register reads")
	}
	return a.Value
}

func (x *exec) readReg(r uint8) uint32 { return x.read(events.AddrReg + 4*uint32(r)) }

// write takes the next register-slot write of addr, checks that it stores
// v and returns the value before.
func (x *exec) write(addr, v uint32) uint32 {
	a := x.take(addr, x.nextWrite, true)
	x.nextWrite++
	if a.Value != v {
		x.fail(ChipMemory, x.last(), "%v writes 0x%x to %s, want 0x%x", x.in.Op, a.Value, addrName(addr), v)
	}
	return a.PrevValue
}

// writeReg writes general register r (writes to $zero store 0) and makes
// the value the CPU row's A; it returns the value written and the one
// before.
func (x *exec) writeReg(r uint8, v uint32) (uint32, uint32) {
	if r == 0 {
		v = 0
	}
	prev := x.write(events.AddrReg+4*uint32(r), v)
	x.dest = v
	return v, prev
}

// memRead takes a guest memory read (slot SlotMemRead).
func (x *exec) memRead(addr uint32) uint32 {
	return x.take(addr, events.SlotMemRead, false).Value
}

// memWrite takes a guest memory write of v (slot SlotMemWrite) and returns
// the word before.
func (x *exec) memWrite(addr, v uint32) uint32 {
	a := x.take(addr, events.SlotMemWrite, true)
	if a.Value != v {
		x.fail(ChipMemory, x.last(), "%v stores 0x%x at 0x%x, want 0x%x", x.in.Op, a.Value, addr, v)
	}
	return a.PrevValue
}

// end checks that the instruction made no other access.
func (x *exec) end() {
	if x.k < x.stop {
		a := &x.s.r.Memory[x.k]
		x.fail(ChipMemory, x.k, "access to %s at clk %d is not one %v makes", addrName(a.Addr), a.Clk, x.in.Op)
	}
}

// seq checks the ordinary successor: no branch, no exit.
func (x *exec) seq() {
	r := x.row
	if r.NewPC != r.NextPC || r.NewNextPC != r.NextPC+4 {
		x.failCPU("moves pc to 0x%x/0x%x, want 0x%x/0x%x", r.NewPC, r.NewNextPC, r.NextPC, r.NextPC+4)
	}
	if r.Exit != 0 {
		x.failCPU("does not end the run")
	}
}

func (x *exec) alu(f family, a, b, c, d uint32) {
	t := x.s.aluTable(f)
	want := events.ALU{Clk: x.row.Clk, Op: uint8(x.in.Op), A: a, B: b, C: c, D: d}
	if got := t[x.famRow]; got != want {
		x.fail(famChip[f], x.famRow, "%v: %s", x.in.Op, diff(got, want))
	}
}

func (x *exec) mulDiv(f family, want events.MulDiv) {
	t := x.s.r.Mul
	if f == famDivRem {
		t = x.s.r.DivRem
	}
	want.Clk, want.Op = x.row.Clk, uint8(x.in.Op)
	if got := t[x.famRow]; got != want {
		x.fail(famChip[f], x.famRow, "%v: %s", x.in.Op, diff(got, want))
	}
}

// lane returns the bit offset of the byte at address a within its word.
func (x *exec) lane(a uint32) uint32 {
	if x.s.c.bigEndian {
		return (3 - a&3) * 8
	}
	return (a & 3) * 8
}

// laneMask returns the bytes of the aligned word a b-byte access at a
// covers, bit k for the byte at address word+k.
func laneMask(a, n uint32) uint32 { return (1<<n - 1) << (a & 3) }

func (x *exec) run() {
	in, row := x.in, x.row
	op := in.Op
	rs, rt, rd := in.Rs, in.Rt, in.Rd
	switch f := opFamily(op); f {
	case famAddSub:
		b := x.readReg(rs)
		c, dst := in.Imm, rt
		if op != program.OpADDI && op != program.OpADDIU {
			c, dst = x.readReg(rt), rd
		}
		v := b + c
		switch op {
		case program.OpSUB, program.OpSUBU:
			v = b - c
			if op == program.OpSUB && subOverflows(b, c) {
				x.failCPU("0x%x - 0x%x overflows: the step would have faulted", b, c)
			}
		case program.OpADD, program.OpADDI:
			if addOverflows(b, c) {
				x.failCPU("0x%x + 0x%x overflows: the step would have faulted", b, c)
			}
		}
		a, _ := x.writeReg(dst, v)
		x.alu(f, a, b, c, 0)
		x.seq()

	case famLt:
		b := x.readReg(rs)
		c, dst := in.Imm, rt
		if op == program.OpSLT || op == program.OpSLTU {
			c, dst = x.readReg(rt), rd
		}
		var lt bool
		if op == program.OpSLT || op == program.OpSLTI {
			lt = int32(b) < int32(c)
		} else {
			lt = b < c
		}
		a, _ := x.writeReg(dst, b2u(lt))
		x.alu(f, a, b, c, 0)
		x.seq()

	case famShift:
		var v, sa, b, c uint32
		switch op {
		case program.OpSLL, program.OpSRL, program.OpSRA, program.OpROTR:
			v, sa = x.readReg(rt), uint32(in.Sa)
		default:
			sa = x.readReg(rs)
			v = x.readReg(rt)
		}
		b, c = v, sa // shift rows: B is the value shifted, C the amount
		sa &= 31
		var res uint32
		switch op {
		case program.OpSLL, program.OpSLLV:
			res = v << sa
		case program.OpSRL, program.OpSRLV:
			res = v >> sa
		case program.OpSRA, program.OpSRAV:
			res = uint32(int32(v) >> sa)
		default:
			res = bits.RotateLeft32(v, -int(sa))
		}
		a, _ := x.writeReg(rd, res)
		x.alu(f, a, b, c, 0)
		x.seq()

	case famBitwise:
		var b, c, res uint32
		dst := rt
		switch op {
		case program.OpLUI:
			b, c, res = row.B, in.Imm, in.Imm
		case program.OpANDI, program.OpORI, program.OpXORI:
			b, c = x.readReg(rs), in.Imm
		default:
			b = x.readReg(rs)
			c = x.readReg(rt)
			dst = rd
		}
		switch op {
		case program.OpAND, program.OpANDI:
			res = b & c
		case program.OpOR, program.OpORI:
			res = b | c
		case program.OpXOR, program.OpXORI:
			res = b ^ c
		case program.OpNOR:
			res = ^(b | c)
		}
		a, _ := x.writeReg(dst, res)
		x.alu(f, a, b, c, 0)
		x.seq()

	case famCloClz:
		b := x.readReg(rs)
		res := uint32(bits.LeadingZeros32(b))
		if op == program.OpCLO {
			res = uint32(bits.LeadingZeros32(^b))
		}
		a, _ := x.writeReg(rd, res)
		x.alu(f, a, b, 0, 0)
		x.seq()

	case famBitField:
		switch op {
		case program.OpEXT:
			b := x.readReg(rs)
			a, _ := x.writeReg(rt, b>>in.Sa&in.Imm)
			x.alu(f, a, b, in.Imm, 0)
		case program.OpINS:
			b := x.readReg(rs)
			d := x.readReg(rt)
			a, _ := x.writeReg(rt, d&^in.Imm|b<<in.Sa&in.Imm)
			x.alu(f, a, b, in.Imm, d)
		default:
			v := x.readReg(rt)
			var res uint32
			switch op {
			case program.OpWSBH:
				res = v&0x00ff00ff<<8 | v>>8&0x00ff00ff
			case program.OpSEB:
				res = uint32(int32(int8(v)))
			case program.OpSEH:
				res = uint32(int32(int16(v)))
			}
			a, _ := x.writeReg(rd, res)
			x.alu(f, a, v, v, 0)
		}
		x.seq()

	case famMovCond:
		b := x.readReg(rs)
		var c, d uint32
		var move bool
		if op == program.OpMOVZ || op == program.OpMOVN {
			c = x.readReg(rt)
			d = x.readReg(rd)
			move = (c == 0) == (op == program.OpMOVZ)
		} else {
			d = x.readReg(rd)
			c = x.read(events.AddrFCSR)
			move = fcc(c, in.Imm) == (op == program.OpMOVT)
		}
		res := d
		if move {
			res = b
		}
		a, _ := x.writeReg(rd, res)
		x.alu(f, a, b, c, d)
		x.seq()

	case famMul:
		b := x.readReg(rs)
		c := x.readReg(rt)
		if op == program.OpMUL {
			a, _ := x.writeReg(rd, uint32(int32(b)*int32(c)))
			// MUL leaves HI and LO alone: its row carries neither.
			x.mulDiv(f, events.MulDiv{B: b, C: c, A: a})
			x.seq()
			return
		}
		var hiIn, loIn uint32
		if op != program.OpMULT && op != program.OpMULTU {
			hiIn = x.read(events.AddrHI)
			loIn = x.read(events.AddrLO)
		}
		acc := uint64(hiIn)<<32 | uint64(loIn)
		var p uint64
		if op == program.OpMULT || op == program.OpMADD || op == program.OpMSUB {
			p = uint64(int64(int32(b)) * int64(int32(c)))
		} else {
			p = uint64(b) * uint64(c)
		}
		switch op {
		case program.OpMULT, program.OpMULTU:
			acc = p
		case program.OpMADD, program.OpMADDU:
			acc += p
		default:
			acc -= p
		}
		hiOut, loOut := uint32(acc>>32), uint32(acc)
		hiPrev := x.write(events.AddrHI, hiOut)
		loPrev := x.write(events.AddrLO, loOut)
		if op == program.OpMULT || op == program.OpMULTU {
			hiIn, loIn = hiPrev, loPrev
		}
		x.mulDiv(f, events.MulDiv{B: b, C: c, HiIn: hiIn, LoIn: loIn, HiOut: hiOut, LoOut: loOut})
		x.seq()

	case famDivRem:
		b := x.readReg(rs)
		c := x.readReg(rt)
		var q, rem uint32
		switch {
		case c == 0: // UNPREDICTABLE; zkmips defines lo = dividend, hi = 0
			q, rem = b, 0
		case op == program.OpDIVU:
			q, rem = b/c, b%c
		case b == 0x80000000 && c == 0xffffffff: // the quotient overflows: it wraps
			q, rem = b, 0
		default:
			q, rem = uint32(int32(b)/int32(c)), uint32(int32(b)%int32(c))
		}
		hiIn := x.write(events.AddrHI, rem)
		loIn := x.write(events.AddrLO, q)
		x.mulDiv(f, events.MulDiv{B: b, C: c, HiIn: hiIn, LoIn: loIn, HiOut: rem, LoOut: q})
		x.seq()

	case famMem:
		x.mem()

	case famBranch:
		x.branch()

	case famJump:
		x.jump()

	case famSyscall:
		x.syscall()

	default:
		x.other()
	}
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// mem checks a load or store.
func (x *exec) mem() {
	in, row := x.in, x.row
	op := in.Op
	base := x.readReg(in.Rs)
	ea := base + in.Imm
	if ea&accessAlign(op) != 0 || ea < nullLimit {
		x.failCPU("address 0x%x: the step would have faulted", ea)
	}
	w := ea &^ 3
	want := events.MemInstr{Clk: row.Clk, Op: uint8(op), Base: base, Offset: in.Imm, Addr: ea}
	s := x.lane(ea) // the byte at ea
	switch op {
	case program.OpLB, program.OpLBU, program.OpLH, program.OpLHU, program.OpLW, program.OpLL:
		m := x.memRead(w)
		var v uint32
		switch op {
		case program.OpLB:
			v = uint32(int32(int8(m >> s)))
			want.LaneMask = laneMask(ea, 1)
		case program.OpLBU:
			v = m >> s & 0xff
			want.LaneMask = laneMask(ea, 1)
		case program.OpLH, program.OpLHU:
			hs := min(s, x.lane(ea+1)) // the halfword's low byte
			v = m >> hs & 0xffff
			if op == program.OpLH {
				v = uint32(int32(int16(v)))
			}
			want.LaneMask = laneMask(ea, 2)
		default:
			v = m
			want.LaneMask = 0xf
		}
		out, prev := x.writeReg(in.Rt, v)
		want.RtIn, want.RtOut, want.MemIn, want.MemOut = prev, out, m, m
	case program.OpLWL, program.OpLWR:
		old := x.readReg(in.Rt)
		m := x.memRead(w)
		var v uint32
		if op == program.OpLWL {
			// The byte at ea goes to the register's most significant byte,
			// the word's less significant bytes below it.
			sh := 24 - s
			v = m<<sh | old&(1<<sh-1)
			want.LaneMask = x.leftMask(ea)
		} else {
			// The byte at ea goes to the least significant byte, the word's
			// more significant bytes above it.
			v = m>>s | old&^(0xffffffff>>s)
			want.LaneMask = x.rightMask(ea)
		}
		out, prev := x.writeReg(in.Rt, v)
		want.RtIn, want.RtOut, want.MemIn, want.MemOut = prev, out, m, m
	case program.OpSB, program.OpSH, program.OpSWL, program.OpSWR:
		v := x.readReg(in.Rt)
		m := x.memRead(w)
		var n uint32
		switch op {
		case program.OpSB:
			n = m&^(0xff<<s) | (v&0xff)<<s
			want.LaneMask = laneMask(ea, 1)
		case program.OpSH:
			hs := min(s, x.lane(ea+1))
			n = m&^(0xffff<<hs) | (v&0xffff)<<hs
			want.LaneMask = laneMask(ea, 2)
		case program.OpSWL:
			sh := 24 - s
			n = m&^(0xffffffff>>sh) | v>>sh
			want.LaneMask = x.leftMask(ea)
		default:
			n = m&(1<<s-1) | v<<s
			want.LaneMask = x.rightMask(ea)
		}
		x.memWrite(w, n)
		want.RtIn, want.RtOut, want.MemIn, want.MemOut = v, v, m, n
	case program.OpSW, program.OpSC:
		v := x.readReg(in.Rt)
		m := x.memWrite(w, v)
		want.RtIn, want.RtOut, want.MemIn, want.MemOut, want.LaneMask = v, v, m, v, 0xf
		if op == program.OpSC {
			// One thread: nothing breaks the link, SC always succeeds.
			out, _ := x.writeReg(in.Rt, 1)
			want.RtOut = out
		}
	case program.OpLWC1:
		m := x.memRead(w)
		f := events.AddrFPR + 4*uint32(in.Rt)
		prev := x.write(f, m)
		want.RtIn, want.RtOut, want.MemIn, want.MemOut, want.LaneMask = prev, m, m, m, 0xf
	case program.OpSWC1:
		v := x.read(events.AddrFPR + 4*uint32(in.Rt))
		m := x.memWrite(w, v)
		want.RtIn, want.RtOut, want.MemIn, want.MemOut, want.LaneMask = v, v, m, v, 0xf
	case program.OpLDC1, program.OpSDC1:
		if in.Rt&1 != 0 {
			x.failCPU("odd FP register pair: the step would have faulted")
		}
		f0 := events.AddrFPR + 4*uint32(in.Rt)
		if op == program.OpLDC1 {
			m0 := x.memRead(w)
			m1 := x.memRead(w + 4)
			// FR=0: the even register holds the double's low word, which
			// comes second in big-endian memory.
			lo, hi := m0, m1
			if x.s.c.bigEndian {
				lo, hi = m1, m0
			}
			p0 := x.write(f0, lo)
			p1 := x.write(f0+4, hi)
			want.RtIn, want.RtOut, want.RtIn2, want.RtOut2 = p0, lo, p1, hi
			want.MemIn, want.MemOut, want.MemIn2, want.MemOut2 = m0, m0, m1, m1
		} else {
			lo := x.read(f0)
			hi := x.read(f0 + 4)
			n0, n1 := lo, hi
			if x.s.c.bigEndian {
				n0, n1 = hi, lo
			}
			m0 := x.memWrite(w, n0)
			m1 := x.memWrite(w+4, n1)
			want.RtIn, want.RtOut, want.RtIn2, want.RtOut2 = lo, lo, hi, hi
			want.MemIn, want.MemOut, want.MemIn2, want.MemOut2 = m0, n0, m1, n1
		}
		want.LaneMask = 0xf
	}
	if got := x.s.r.MemInstr[x.famRow]; got != want {
		x.fail(ChipMemInstr, x.famRow, "%v: %s", op, diff(got, want))
	}
	x.seq()
}

// leftMask is the bytes LWL/SWL at ea cover: from ea to the word's least
// significant byte.
func (x *exec) leftMask(ea uint32) uint32 {
	k := ea & 3
	if x.s.c.bigEndian {
		return 0xf << k & 0xf
	}
	return 1<<(k+1) - 1
}

// rightMask is the bytes LWR/SWR at ea cover: from ea to the word's most
// significant byte.
func (x *exec) rightMask(ea uint32) uint32 {
	k := ea & 3
	if x.s.c.bigEndian {
		return 1<<(k+1) - 1
	}
	return 0xf << k & 0xf
}

// delaySlotCheck: a completed branch or jump cannot sit in a taken
// branch's delay slot (it would have faulted).
func (x *exec) notInDelaySlot() {
	if r := x.row; r.NextPC != r.PC+4 {
		x.failCPU("in a delay slot (pc 0x%x, next pc 0x%x): the step would have faulted", r.PC, r.NextPC)
	}
}

func (x *exec) branch() {
	in, row := x.in, x.row
	op := in.Op
	x.notInDelaySlot()
	var b, c uint32
	var cond bool
	switch op {
	case program.OpBEQ, program.OpBNE, program.OpBEQL, program.OpBNEL:
		b = x.readReg(in.Rs)
		c = x.readReg(in.Rt)
		cond = (b == c) == (op == program.OpBEQ || op == program.OpBEQL)
	case program.OpBC1F, program.OpBC1T, program.OpBC1FL, program.OpBC1TL:
		b = x.read(events.AddrFCSR)
		cond = fcc(b, uint32(in.Sa)) == (op == program.OpBC1T || op == program.OpBC1TL)
	default:
		b = x.readReg(in.Rs)
		c = 0 // rt is not an operand
		v := int32(b)
		switch op {
		case program.OpBLEZ, program.OpBLEZL:
			cond = v <= 0
		case program.OpBGTZ, program.OpBGTZL:
			cond = v > 0
		case program.OpBLTZ, program.OpBLTZL, program.OpBLTZAL, program.OpBLTZALL:
			cond = v < 0
		default:
			cond = v >= 0
		}
	}
	switch op {
	case program.OpBLTZAL, program.OpBGEZAL, program.OpBLTZALL, program.OpBGEZALL:
		x.writeReg(31, row.PC+8) // links whether or not taken
	}
	likely := false
	switch op {
	case program.OpBEQL, program.OpBNEL, program.OpBLEZL, program.OpBGTZL, program.OpBLTZL,
		program.OpBGEZL, program.OpBLTZALL, program.OpBGEZALL, program.OpBC1FL, program.OpBC1TL:
		likely = true
	}
	newPC, newNPC := row.NextPC, row.NextPC+4
	switch {
	case cond:
		newNPC = in.Imm
	case likely: // not taken: the delay slot is annulled
		newPC, newNPC = row.NextPC+4, row.NextPC+8
	}
	if row.NewPC != newPC || row.NewNextPC != newNPC {
		x.failCPU("condition %v: pc moves to 0x%x/0x%x, want 0x%x/0x%x", cond, row.NewPC, row.NewNextPC, newPC, newNPC)
	}
	if row.Exit != 0 {
		x.failCPU("does not end the run")
	}
	// Taken records where control went: to the target after the delay
	// slot. (It differs from the condition only for a branch to pc+8 not
	// taken, whose fall-through is its target.)
	taken := newPC == row.NextPC && newNPC == in.Imm
	want := events.Branch{Clk: row.Clk, Op: uint8(op), PC: row.PC, B: b, C: c, Taken: uint8(b2u(taken)),
		Target: in.Imm, NewPC: newPC, NewNextPC: newNPC}
	if got := x.s.r.Branch[x.famRow]; got != want {
		x.fail(ChipBranch, x.famRow, "%v: %s", op, diff(got, want))
	}
}

func (x *exec) jump() {
	in, row := x.in, x.row
	op := in.Op
	x.notInDelaySlot()
	var target, link uint32
	switch op {
	case program.OpJ:
		target = in.Imm
	case program.OpJAL:
		target = in.Imm
		link, _ = x.writeReg(31, row.PC+8)
	case program.OpJR:
		target = x.readReg(in.Rs)
	case program.OpJALR:
		target = x.readReg(in.Rs)
		link, _ = x.writeReg(in.Rd, row.PC+8)
	}
	if row.NewPC != row.NextPC || row.NewNextPC != target {
		x.failCPU("pc moves to 0x%x/0x%x, want 0x%x/0x%x", row.NewPC, row.NewNextPC, row.NextPC, target)
	}
	if row.Exit != 0 {
		x.failCPU("does not end the run")
	}
	want := events.Jump{Clk: row.Clk, Op: uint8(op), PC: row.PC, Target: target, Link: link}
	if got := x.s.r.Jump[x.famRow]; got != want {
		x.fail(ChipJump, x.famRow, "%v: %s", op, diff(got, want))
	}
}

// syscall checks a SYSCALL: its arguments and results in registers, the
// memory words it read and wrote, and its row (and its precompile row).
func (x *exec) syscall() {
	s, row := x.s, x.row
	sc := &s.r.Syscall[x.famRow]
	code := x.readReg(2)
	a0 := x.readReg(4)
	a1 := x.readReg(5)
	a2 := x.readReg(6)
	a3 := x.readReg(7)

	// Guest memory: reads of words before, then writes, each set in
	// address order, one access per word.
	var reads, writes uint32
	for slot, write := range []bool{false, true} {
		prev := int64(-1)
		for x.k < x.stop {
			j := x.k
			a := &s.r.Memory[j]
			if a.Clk != row.Clk+events.SlotMemRead+uint32(slot) {
				break
			}
			if (a.Write == 1) != write {
				x.fail(ChipMemory, j, "syscall memory access at clk %d must be a %s", a.Clk, map[bool]string{false: "read", true: "write"}[write])
			}
			if a.Addr < nullLimit {
				x.fail(ChipMemory, j, "syscall access to 0x%x in the null page", a.Addr)
			}
			if int64(a.Addr) <= prev {
				x.fail(ChipMemory, j, "syscall access to 0x%x after 0x%x: one access per word, in address order", a.Addr, prev)
			}
			prev = int64(a.Addr)
			x.k++
			if write {
				writes++
			} else {
				reads++
			}
		}
	}
	x.nextWrite = events.SlotRegWrite
	v0 := x.readResult(2)
	a3Out := x.readResult(7)
	if code == sysSetThreadArea {
		// The one syscall that changes other CPU state: it sets the TLS
		// pointer to a0, and a write records the change (none when the
		// pointer already was a0).
		if x.k < x.stop && x.s.r.Memory[x.k].Addr == events.AddrTLS {
			if prev := x.write(events.AddrTLS, a0); prev == a0 {
				x.fail(ChipMemory, x.last(), "set_thread_area records a write of TLS that does not change it")
			}
		} else if tls, ok := x.s.c.value(events.AddrTLS); ok && tls != a0 {
			x.failCPU("set_thread_area changes TLS from 0x%x to 0x%x, but records no write", tls, a0)
		}
	}
	x.dest = 0

	precompile := precompiles[code]
	var extra uint32
	if precompile {
		extra = code >> 24 // byte 3 of a precompile's code
	}
	exits := code == sysExit || code == sysExitGroup || code == zkHalt
	if code == zkEnterUncon && v0 != 0 {
		x.failCPU("ENTER_UNCONSTRAINED is recorded as returning 0, not 0x%x", v0)
	}
	if code == zkExitUncon {
		x.failCPU("EXIT_UNCONSTRAINED outside an unconstrained section")
	}
	want := events.Syscall{Clk: row.Clk, Code: code, A0: a0, A1: a1, A2: a2, A3: a3, V0: v0, A3Out: a3Out,
		Reads: reads, Writes: writes, ExtraCycles: extra}
	if *sc != want {
		x.fail(ChipSyscall, x.famRow, "%s", diff(*sc, want))
	}
	if precompile {
		t := s.r.Precompiles[code]
		k := s.pc[code]
		if k >= len(t) || t[k].Clk != row.Clk {
			if k < len(t) && t[k].Clk < row.Clk {
				x.fail(ChipPrecompile, k, "code 0x%x: row at clk %d matches no syscall", code, t[k].Clk)
			}
			x.failCPU("precompile 0x%x needs a row in its table at clk %d", code, row.Clk)
		}
		pw := events.Precompile{Clk: row.Clk, Code: code, A0: a0, A1: a1, Reads: reads, Writes: writes}
		if t[k] != pw {
			x.fail(ChipPrecompile, k, "code 0x%x: %s", code, diff(t[k], pw))
		}
		s.pc[code]++
	}
	if exits {
		if row.Exit != 1 || row.NewPC != row.PC || row.NewNextPC != row.NextPC {
			x.failCPU("exit call 0x%x must end the run with pc left at 0x%x/0x%x (exit %d, pc 0x%x/0x%x)", code, row.PC, row.NextPC, row.Exit, row.NewPC, row.NewNextPC)
		}
		return
	}
	x.seq()
}

// readResult takes a syscall's write of a result register and returns the
// value written.
func (x *exec) readResult(r uint8) uint32 {
	a := x.take(events.AddrReg+4*uint32(r), x.nextWrite, true)
	x.nextWrite++
	return a.Value
}

// other checks the instructions without a family table.
func (x *exec) other() {
	in := x.in
	rs, rt, rd := in.Rs, in.Rt, in.Rd
	fpr := func(r uint8) uint32 { return events.AddrFPR + 4*uint32(r&31) }
	switch op := in.Op; op {
	case program.OpMFHI:
		x.writeReg(rd, x.read(events.AddrHI))
	case program.OpMFLO:
		x.writeReg(rd, x.read(events.AddrLO))
	case program.OpMTHI:
		x.write(events.AddrHI, x.readReg(rs))
	case program.OpMTLO:
		x.write(events.AddrLO, x.readReg(rs))
	case program.OpTGE, program.OpTGEU, program.OpTLT, program.OpTLTU, program.OpTEQ, program.OpTNE:
		b := x.readReg(rs)
		c := x.readReg(rt)
		if trapTaken(op, b, c) {
			x.failCPU("trap condition holds (0x%x, 0x%x): the step would have faulted", b, c)
		}
	case program.OpTGEI, program.OpTGEIU, program.OpTLTI, program.OpTLTIU, program.OpTEQI, program.OpTNEI:
		b := x.readReg(rs)
		if trapTaken(op, b, in.Imm) {
			x.failCPU("trap condition holds (0x%x, 0x%x): the step would have faulted", b, in.Imm)
		}
	case program.OpSYNC, program.OpPREF, program.OpSYNCI:
	case program.OpMFC1:
		x.writeReg(rt, x.read(fpr(rd)))
	case program.OpMTC1:
		x.write(fpr(rd), x.readReg(rt))
	case program.OpMFHC1, program.OpMTHC1:
		if rd&1 != 0 {
			x.failCPU("odd FP register pair: the step would have faulted")
		}
		if op == program.OpMFHC1 {
			x.writeReg(rt, x.read(fpr(rd+1)))
		} else {
			x.write(fpr(rd+1), x.readReg(rt))
		}
	case program.OpCFC1:
		f := x.read(events.AddrFCSR)
		v, ok := readFCR(f, rd)
		if !ok {
			x.failCPU("no FP control register %d: the step would have faulted", rd)
		}
		x.writeReg(rt, v)
	case program.OpCTC1:
		v := x.readReg(rt)
		f := x.read(events.AddrFCSR)
		n, ok := writeFCR(f, rd, v)
		if !ok {
			x.failCPU("FP control register %d is not writable: the step would have faulted", rd)
		}
		x.write(events.AddrFCSR, n)
	case program.OpRDHWR:
		var v uint32
		switch rd {
		case 0: // CPUNum
		case 1: // SYNCI_Step
			v = 32
		case 2: // CC: the step count
			v = uint32(x.step)
		case 3: // CCRes
			v = 1
		case 29: // UserLocal: the TLS pointer
			v = x.read(events.AddrTLS)
		default:
			x.failCPU("no hardware register %d: the step would have faulted", rd)
		}
		x.writeReg(rt, v)
	case program.OpBREAK:
		x.failCPU("break always faults")
	default:
		x.failCPU("cannot complete")
	}
	x.seq()
}
