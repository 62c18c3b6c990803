package events

import (
	"fmt"
	"slices"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
)

// A Log is a shard's compact record: its scalars, the shard-start value of
// every word it accesses (Local) or executes (Code), and what the
// executor's record mode logged (executor.Recorder): the values each step
// wrote, the steps after which control did not go to the next instruction,
// and what each syscall touched. Replaying it (Replay, Expand) gives the
// shard's full Record, row for row, so a trace file stores the Log and a
// reader expands it (docs/trace-format.md, section 5).
type Log struct {
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
	// Faulted is set when the shard's last step faulted.
	Faulted   bool
	BigEndian bool

	// Local is the Record's Local table: one row per address accessed,
	// sorted by address. Its init values seed the replay.
	Local     []Local
	Code      []CodeWord
	Writes    []uint32 // executor.Recorder.Writes
	Control   []Control
	Syscalls  []SyscallLog
	SysAccess []SysAccess

	// Rows counts the rows of every table of the Record the log expands
	// to (the CPU table included), by table name (RowNames).
	Rows map[string]uint64
}

// CodeWord is the shard-start value of a word the shard executes.
type CodeWord = executor.CodeWord

// Control is a step (shard-local index) after which (pc, next pc) is not
// (next pc, next pc + 4).
type Control = executor.Control

// SyscallLog is a completed syscall step (shard-local index), the number
// of its SysAccess rows and whether it wrote the TLS pointer.
type SyscallLog struct {
	Step     uint32
	Accesses uint32
	TLS      uint8
}

// SysAccess is a memory word a syscall accessed, in address order within
// the syscall: whether it read the word before writing it, whether it
// wrote it, and its value after the syscall.
type SysAccess struct {
	Addr  uint32
	Read  uint8
	Write uint8
	Value uint32
}

// Start is the machine state a shard starts from, as far as a log needs it.
type Start struct {
	PC, NextPC    uint32
	Step, Cycle   uint64
	Regs          [32]uint32
	HI, LO        uint32
	FPR           [32]uint32
	FCSR, TLS     uint32
	CodeBase      uint32
	Code          []program.Inst // the decoded code list at the shard's start (executor.Machine.CodeList)
	BigEndian     bool
	ProgramLength int
}

// StartOf captures m's state at the start of a shard.
func StartOf(m *executor.Machine) Start {
	s := Start{PC: m.PC(), NextPC: m.NextPC(), Step: m.Step(), Cycle: m.Cycles(), HI: m.HI(), LO: m.LO(),
		FCSR: m.FCSR(), TLS: m.TLS(), BigEndian: m.BigEndian()}
	for i := range s.Regs {
		s.Regs[i] = m.Reg(i)
		s.FPR[i] = m.FPR(i)
	}
	s.CodeBase, s.Code = m.CodeList()
	return s
}

// stateValue returns the start value of a CPU-state address.
func (s *Start) stateValue(a uint32) uint32 {
	switch {
	case a < AddrHI:
		return s.Regs[a>>2]
	case a == AddrHI:
		return s.HI
	case a == AddrLO:
		return s.LO
	case a >= AddrFPR && a < AddrFCSR:
		return s.FPR[(a-AddrFPR)>>2]
	case a == AddrFCSR:
		return s.FCSR
	case a == AddrTLS:
		return s.TLS
	}
	return 0
}

// logEntry is the bookkeeping of one word: the shard of its last access
// (another shard's number: not accessed in this one yet), its clock, its
// value after that access and its value at the shard's start.
type logEntry struct {
	shard, clk, value, init uint32
}

type logPage [1024]logEntry

// A LogBuilder turns what the executor recorded for a shard into the
// shard's Log: it walks the steps as the Tracer would, without building
// rows, to find every address the shard accesses, with its first and last
// value and clock. One builder serves many shards (not concurrently).
type LogBuilder struct {
	state logPage    // the CPU state (addresses below StateLimit)
	pages []*logPage // memory, by address >> 12
	// pageShard[i] is the last shard that touched page i; touched lists
	// this shard's pages, so the Local table comes out in address order
	// without sorting.
	pageShard []uint32
	touched   []uint32
	shard     uint32
	log       *Log
	// spare is a log whose buffers the next Build reuses (its code,
	// write and control buffers go to the recorder).
	spare *Log
}

// NewLogBuilder returns a builder.
func NewLogBuilder() *LogBuilder {
	return &LogBuilder{pages: make([]*logPage, 1<<20), pageShard: make([]uint32, 1<<20)}
}

// touch records an access at clock clk: prev is the word before it
// (its shard-start value if this is the shard's first access), value the
// word after.
func (b *LogBuilder) touch(a, clk, prev, value uint32) {
	p := b.pages[a>>12]
	if b.pageShard[a>>12] != b.shard {
		b.pageShard[a>>12] = b.shard
		b.touched = append(b.touched, a>>12)
		if p == nil {
			p = new(logPage)
			b.pages[a>>12] = p
		}
	}
	e := &p[a>>2&1023]
	if e.shard != b.shard {
		e.shard, e.init = b.shard, prev
	}
	e.clk, e.value = clk, value
}

// touchState is touch for a CPU-state address.
func (b *LogBuilder) touchState(a, clk, prev, value uint32) {
	e := &b.state[a>>2]
	if e.shard != b.shard {
		e.shard, e.init = b.shard, prev
	}
	e.clk, e.value = clk, value
}

// local appends the shard's Local rows to l.Local, in address order.
func (b *LogBuilder) local(l *Log) {
	for i, e := range &b.state {
		if e.shard == b.shard {
			l.Local = append(l.Local, Local{Addr: uint32(i) << 2, InitValue: e.init, FinalClk: e.clk, FinalValue: e.value})
		}
	}
	slices.Sort(b.touched)
	for _, pi := range b.touched {
		for i, e := range b.pages[pi] {
			if e.shard == b.shard {
				l.Local = append(l.Local, Local{Addr: pi<<12 | uint32(i)<<2, InitValue: e.init, FinalClk: e.clk, FinalValue: e.value})
			}
		}
	}
	b.touched = b.touched[:0]
}

// Build returns the log of shard n: s is the state it started from, rec
// what record mode logged for it, end the machine after it. The log is
// not linked yet (Linker.LinkLog).
func (b *LogBuilder) Build(n uint32, s *Start, rec *executor.Recorder, end *executor.Machine) (*Log, error) {
	// Entries of earlier shards must not read as accessed in this one:
	// the builder numbers the shards it builds itself.
	b.shard++
	b.touched = b.touched[:0]
	l := b.spare
	b.spare = nil
	if l == nil {
		l = new(Log)
	}
	oldCode, oldWrites, oldControl := l.Code, l.Writes, l.Control
	*l = Log{
		Shard: n, StartStep: s.Step, Steps: rec.Steps, StartCycle: s.Cycle, Cycles: end.Cycles() - s.Cycle,
		StartPC: s.PC, StartNextPC: s.NextPC, EndPC: end.PC(), EndNextPC: end.NextPC(),
		Exited: end.Exited(), ExitCode: uint32(end.ExitCode()), Faulted: rec.Faulted, BigEndian: s.BigEndian,
		Local: l.Local[:0], Syscalls: l.Syscalls[:0], SysAccess: l.SysAccess[:0],
		// The recorder's buffers become the log's, and the log's earlier
		// buffers the recorder's: no copy.
		Code: rec.Code, Writes: rec.Writes, Control: rec.Control,
	}
	rec.Code, rec.Writes, rec.Control = oldCode[:0], oldWrites[:0], oldControl[:0]
	for _, sc := range rec.Syscalls {
		l.Syscalls = append(l.Syscalls, SyscallLog{Step: sc.Step, Accesses: sc.Accesses, TLS: b2u(sc.TLS)})
	}
	for _, a := range rec.SysAccess {
		l.SysAccess = append(l.SysAccess, SysAccess{Addr: a.Addr, Read: b2u(a.Read), Write: b2u(a.Write), Value: a.Last})
	}
	b.log = l
	defer func() { b.log = nil }()
	if err := b.walk(s, rec); err != nil {
		return nil, fmt.Errorf("shard %d: %w", n, err)
	}
	b.local(l)
	// A code word's shard-start value is its Local init value when the
	// shard also accessed it (perhaps writing it before running it).
	slices.SortFunc(l.Code, func(x, y CodeWord) int { return cmpU32(x.Addr, y.Addr) })
	k := 0
	for i := range l.Code {
		c := &l.Code[i]
		for k < len(l.Local) && l.Local[k].Addr < c.Addr {
			k++
		}
		if k < len(l.Local) && l.Local[k].Addr == c.Addr {
			c.Word = l.Local[k].InitValue
		}
	}
	l.Rows["local"] = uint64(len(l.Local))
	return l, nil
}

// Recycle hands back a log the caller is done with: the builder reuses its
// buffers for the next shard.
func (b *LogBuilder) Recycle(l *Log) { b.spare = l }

func cmpU32(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// A stateRef names a CPU-state word an instruction reads or writes by its
// operand role; plans list them in the Tracer's order.
type stateRef uint8

const (
	refRs stateRef = iota
	refRt
	refRd
	refRA
	refHI
	refLO
	refFCSR
	refTLS
	refFt
	refFt2
	refFs
	refFs1
)

// addr returns the word's address for instruction in.
func (r stateRef) addr(in *program.Inst) uint32 {
	switch r {
	case refRs:
		return AddrReg + 4*uint32(in.Rs)
	case refRt:
		return AddrReg + 4*uint32(in.Rt)
	case refRd:
		return AddrReg + 4*uint32(in.Rd)
	case refRA:
		return AddrReg + 4*31
	case refHI:
		return AddrHI
	case refLO:
		return AddrLO
	case refFCSR:
		return AddrFCSR
	case refTLS:
		return AddrTLS
	case refFt:
		return AddrFPR + 4*uint32(in.Rt)
	case refFt2:
		return AddrFPR + 4*uint32(in.Rt+1)
	case refFs:
		return AddrFPR + 4*uint32(in.Rd)
	}
	return AddrFPR + 4*uint32(in.Rd+1) // refFs1
}

// plan is the CPU-state words an opcode reads and writes, in order.
type plan struct {
	reads, writes []stateRef
}

var plans = func() (t [256]plan) {
	for op := range t {
		ro := program.Op(op).Roles()
		p := &t[op]
		for _, x := range [...]struct {
			role program.Roles
			ref  stateRef
		}{{program.ReadRs, refRs}, {program.ReadRt, refRt}, {program.ReadRd, refRd}, {program.ReadHI, refHI},
			{program.ReadLO, refLO}, {program.ReadFCSR, refFCSR}, {program.ReadFt, refFt}, {program.ReadFt2, refFt2},
			{program.ReadFs, refFs}, {program.ReadFs1, refFs1}} {
			if ro&x.role != 0 {
				p.reads = append(p.reads, x.ref)
			}
			if x.role == program.ReadFCSR && program.Op(op) == program.OpRDHWR {
				p.reads = append(p.reads, refTLS) // RDHWR $29 only: see walk
			}
		}
		for _, x := range [...]struct {
			role program.Roles
			ref  stateRef
		}{{program.WriteRd, refRd}, {program.WriteRt, refRt}, {program.WriteRA, refRA}, {program.WriteHI, refHI},
			{program.WriteLO, refLO}, {program.WriteFt, refFt}, {program.WriteFt2, refFt2}, {program.WriteFs, refFs},
			{program.WriteFs1, refFs1}, {program.WriteFCSR, refFCSR}} {
			if ro&x.role != 0 && !(x.ref == refRt && ro&program.WriteRd != 0) {
				p.writes = append(p.writes, x.ref)
			}
		}
	}
	return t
}()

// syscallReads are the registers a syscall reads: v0, a0..a3.
var syscallReads = [...]uint32{AddrReg + 4*2, AddrReg + 4*4, AddrReg + 4*5, AddrReg + 4*6, AddrReg + 4*7}

// walk replays the recorded steps' accesses in the Tracer's order and
// counts the rows of every table.
func (b *LogBuilder) walk(s *Start, rec *executor.Recorder) error {
	l := b.log
	var cnt [numTables]uint64
	precompiles := map[uint32]uint64{}
	// CPU-state values as the steps leave them.
	var regs [StateLimit / 4]uint32
	for a := uint32(0); a < StateLimit; a += 4 {
		regs[a>>2] = s.stateValue(a)
	}
	code, codeBase := s.Code, s.CodeBase
	codeLen := uint32(4 * len(code))
	firstExec := map[uint32]uint32{} // outside the code list
	for _, c := range l.Code {
		if c.Addr-codeBase >= codeLen {
			firstExec[c.Addr] = c.Word
		}
	}
	var modified map[uint32]program.Inst // code words written in this shard
	written := func(a, v uint32) {
		if _, ok := firstExec[a]; ok || a-codeBase < codeLen {
			if modified == nil {
				modified = map[uint32]program.Inst{}
			}
			modified[a] = program.Decode(v, a)
		}
	}
	writes := l.Writes
	wi := 0

	pc, npc := s.PC, s.NextPC
	clk := uint32(ClkPerCycle)
	ri, ci, si, ai := 0, 0, 0, 0
	for step := uint64(0); step < rec.Steps; step++ {
		var in program.Inst
		if inst, ok := modified[pc]; ok {
			in = inst
		} else if pc-codeBase < codeLen && pc&3 == 0 {
			in = code[(pc-codeBase)>>2]
		} else if pc&3 == 0 {
			in = program.Decode(firstExec[pc], pc)
		}
		var extra uint32
		if !(rec.Faulted && step == rec.Steps-1) {
			fam := ops[in.Op].fam
			p := &plans[in.Op]
			slot := uint32(0)
			var sc executor.SyscallStep
			if fam == famSyscall {
				for _, a := range syscallReads {
					b.touchState(a, clk+slot, regs[a>>2], regs[a>>2])
					slot++
				}
			} else {
				for _, ref := range p.reads {
					if ref == refTLS && in.Rd != 29 {
						continue
					}
					a := ref.addr(&in)
					b.touchState(a, clk+slot, regs[a>>2], regs[a>>2])
					slot++
				}
			}
			cnt[tMemory] += uint64(slot)
			switch fam {
			case famSyscall:
				code := regs[2]
				if si == len(rec.Syscalls) || uint64(rec.Syscalls[si].Step) != step {
					return fmt.Errorf("step %d: syscall not in the syscall log", step)
				}
				sc = rec.Syscalls[si]
				si++
				if ai+int(sc.Accesses) > len(rec.SysAccess) {
					return fmt.Errorf("step %d: syscall accesses past the end of their log", step)
				}
				acc := rec.SysAccess[ai : ai+int(sc.Accesses)]
				ai += int(sc.Accesses)
				for _, a := range acc {
					if a.Read {
						b.touch(a.Addr, clk+SlotMemRead, a.First, a.First)
						cnt[tMemory]++
					}
				}
				for _, a := range acc {
					if a.Write {
						b.touch(a.Addr, clk+SlotMemWrite, a.First, a.Last)
						written(a.Addr, a.Last)
						cnt[tMemory]++
					}
				}
				cnt[tSyscall]++
				if executor.IsPrecompile(code) {
					extra = executor.PrecompileExtraCycles(code)
					precompiles[code]++
				}
			case famMem:
				n := in.Op.DataWordCount()
				if ri+n > len(rec.Reads) {
					return fmt.Errorf("step %d: the data word log ends early", step)
				}
				ro := in.Op.Roles()
				a := (regs[in.Rs] + in.Imm) &^ 3
				for k, v := range rec.Reads[ri : ri+n] {
					if ro&program.MemRead != 0 {
						b.touch(a+4*uint32(k), clk+SlotMemRead, v, v)
						cnt[tMemory]++
					}
				}
				if ro&program.MemWrite != 0 {
					if wi+n > len(writes) {
						return fmt.Errorf("step %d: the write log ends early", step)
					}
					for k, v := range rec.Reads[ri : ri+n] {
						w := writes[wi]
						wi++
						b.touch(a+4*uint32(k), clk+SlotMemWrite, v, w)
						written(a+4*uint32(k), w)
						cnt[tMemory]++
					}
				}
				ri += n
				cnt[tMemInstr]++
			default:
				if t := famTable[fam]; t >= 0 {
					cnt[t]++
				}
			}
			// Register writes.
			slot = SlotRegWrite
			regWrite := func(a uint32) bool {
				if wi == len(writes) {
					return false
				}
				v := writes[wi]
				wi++
				b.touchState(a, clk+slot, regs[a>>2], v)
				regs[a>>2] = v
				slot++
				return true
			}
			ok := true
			if fam == famSyscall {
				ok = regWrite(AddrReg+4*2) && regWrite(AddrReg+4*7) && (!sc.TLS || regWrite(AddrTLS))
			} else {
				for _, ref := range p.writes {
					ok = ok && regWrite(ref.addr(&in))
				}
			}
			if !ok {
				return fmt.Errorf("step %d: the write log ends early", step)
			}
			regs[0] = 0
			cnt[tMemory] += uint64(slot - SlotRegWrite)
		}
		cnt[tCPU]++
		// Successor.
		if ci < len(l.Control) && uint64(l.Control[ci].Step) == step {
			pc, npc = l.Control[ci].PC, l.Control[ci].NextPC
			ci++
		} else {
			pc, npc = npc, npc+4
		}
		clk += ClkPerCycle * (1 + extra)
	}
	if wi != len(writes) || ri != len(rec.Reads) || ci != len(l.Control) || si != len(rec.Syscalls) || ai != len(rec.SysAccess) {
		return fmt.Errorf("the log does not match its steps")
	}
	l.Rows = make(map[string]uint64, numTables+1+len(precompiles))
	for t, name := range tableNames {
		l.Rows[name] = cnt[t]
	}
	for c, n := range precompiles {
		l.Rows[PrecompileTable(c)] = n
	}
	return nil
}

// Tables of a Record, for row counts.
const (
	tCPU = iota
	tAddSub
	tLt
	tShift
	tBitwise
	tCloClz
	tBitField
	tMovCond
	tMul
	tDivRem
	tMemInstr
	tBranch
	tJump
	tSyscall
	tMemory
	numTables
)

// tableNames are the Record's table names (docs/trace-format.md).
var tableNames = [numTables]string{"cpu", "add_sub", "lt", "shift", "bitwise", "clo_clz", "bit_field", "mov_cond",
	"mul", "div_rem", "mem_instr", "branch", "jump", "syscall", "memory"}

// famTable is the table of a family's rows (-1: none, or counted apart).
var famTable = [...]int{famNone: -1, famAddSub: tAddSub, famLt: tLt, famShift: tShift, famBitwise: tBitwise,
	famCloClz: tCloClz, famBitField: tBitField, famMovCond: tMovCond, famMul: tMul, famDivRem: tDivRem,
	famMem: -1, famBranch: tBranch, famJump: tJump, famSyscall: -1}

// PrecompileTable returns the table name of precompile code:
// "precompile_" and the code as 8 lowercase hex digits.
func PrecompileTable(code uint32) string { return fmt.Sprintf("precompile_%08x", code) }

// RecordShard runs shard n of m's run in record mode, from m's current
// state, with the boundaries Trace uses (at least budget cycles, never
// ending in a delay slot; the run's end; limit steps), and returns the
// shard's log, not linked yet. rec and b are reused buffers.
func RecordShard(m *executor.Machine, rec *executor.Recorder, b *LogBuilder, n uint32, budget, limit uint64) (*Log, error) {
	s := StartOf(m)
	rec.Reset()
	end := s.Cycle + budget
	for !Done(m) && m.Step() < limit {
		switch {
		case m.Cycles() < end:
			target := end
			if left := limit - m.Step(); left < end-m.Cycles() {
				target = m.Cycles() + left // each step is at least one cycle
			}
			m.RecordUntilCycle(rec, target)
			continue
		case m.NextPC() != m.PC()+4: // never end in a delay slot
			m.Record(rec, m.Step()+1)
			continue
		}
		break
	}
	if m.Err() != nil && rec.Steps == 0 {
		return nil, nil
	}
	return b.Build(n, &s, rec, m)
}

// RowCounts returns the number of rows of every table of r, by name (the
// tables of docs/trace-format.md, the CPU table included).
func RowCounts(r *Record) map[string]uint64 {
	n := [numTables]int{len(r.CPU), len(r.AddSub), len(r.Lt), len(r.Shift), len(r.Bitwise), len(r.CloClz),
		len(r.BitField), len(r.MovCond), len(r.Mul), len(r.DivRem), len(r.MemInstr), len(r.Branch), len(r.Jump),
		len(r.Syscall), len(r.Memory)}
	m := make(map[string]uint64, numTables+1+len(r.Precompiles))
	for t, name := range tableNames {
		m[name] = uint64(n[t])
	}
	m["local"] = uint64(len(r.Local))
	for c, rows := range r.Precompiles {
		m[PrecompileTable(c)] = uint64(len(rows))
	}
	return m
}
