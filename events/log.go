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
	Code      []CodeRow
	Writes    []uint32 // executor.Recorder.Writes
	Control   []Control
	Syscalls  []SyscallLog
	SysAccess []SysAccess

	// Rows counts the rows of every table of the Record the log expands
	// to (the CPU table included), by table name (RowNames).
	Rows map[string]uint64
}

// CodeRow is an instruction the shard executes: its address and word and
// the word's decoded fields (program.Inst), so that a reader needs no MIPS
// decoder. A word the shard rewrites and executes again has a row for
// each version.
type CodeRow struct {
	Addr uint32
	Word uint32
	Op   uint8
	Rs   uint8
	Rt   uint8
	Rd   uint8
	Sa   uint8
	Imm  uint32
}

func codeRow(addr uint32, in *program.Inst) CodeRow {
	return CodeRow{Addr: addr, Word: in.Word, Op: uint8(in.Op), Rs: in.Rs, Rt: in.Rt, Rd: in.Rd, Sa: in.Sa, Imm: in.Imm}
}

// Inst returns the row's instruction.
func (c *CodeRow) Inst() program.Inst {
	return program.Inst{Op: program.Op(c.Op), Rs: c.Rs, Rt: c.Rt, Rd: c.Rd, Sa: c.Sa, Imm: c.Imm, Word: c.Word}
}

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
	PC, NextPC  uint32
	Step, Cycle uint64
	Regs        [32]uint32
	HI, LO      uint32
	FPR         [32]uint32
	FCSR, TLS   uint32
	CodeBase    uint32
	Code        []program.Inst // the decoded code list at the shard's start (executor.Machine.CodeList)
	BigEndian   bool
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

// setReg records a write of v to general register d at clock clk.
func (b *LogBuilder) setReg(regs *[StateLimit / 4]uint32, d, clk, v uint32) {
	b.touchState(4*d, clk, regs[d], v)
	regs[d] = v
	regs[0] = 0
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

// End is the machine state after a shard, as far as its log needs it.
type End struct {
	PC, NextPC uint32
	Cycles     uint64
	Exited     bool
	ExitCode   uint32
}

// EndOf captures m's state at the end of a shard.
func EndOf(m *executor.Machine) End {
	return End{PC: m.PC(), NextPC: m.NextPC(), Cycles: m.Cycles(), Exited: m.Exited(), ExitCode: uint32(m.ExitCode())}
}

// Build returns the log of shard n: s is the state it started from, rec
// what record mode logged for it, end the state after it. The log is not
// linked yet (Linker.LinkLog). Build takes rec's code, write and control
// buffers for the log and gives it others.
func (b *LogBuilder) Build(n uint32, s *Start, rec *executor.Recorder, end *End) (*Log, error) {
	// Entries of earlier shards must not read as accessed in this one:
	// the builder numbers the shards it builds itself.
	b.shard++
	b.touched = b.touched[:0]
	l := b.spare
	b.spare = nil
	if l == nil {
		l = new(Log)
	}
	oldWrites, oldControl := l.Writes, l.Control
	*l = Log{
		Shard: n, StartStep: s.Step, Steps: rec.Steps, StartCycle: s.Cycle, Cycles: end.Cycles - s.Cycle,
		StartPC: s.PC, StartNextPC: s.NextPC, EndPC: end.PC, EndNextPC: end.NextPC,
		Exited: end.Exited, ExitCode: end.ExitCode, Faulted: rec.Faulted, BigEndian: s.BigEndian,
		Local: l.Local[:0], Code: l.Code[:0], Syscalls: l.Syscalls[:0], SysAccess: l.SysAccess[:0],
		// The recorder's buffers become the log's, and the log's earlier
		// buffers the recorder's: no copy.
		Writes: rec.Writes, Control: rec.Control,
	}
	rec.Writes, rec.Control = oldWrites[:0], oldControl[:0]
	codeLen := uint32(4 * len(s.Code))
	for _, c := range rec.Code {
		var in program.Inst
		if i := (c.Addr - s.CodeBase) >> 2; c.Addr-s.CodeBase < codeLen && s.Code[i].Word == c.Word {
			in = s.Code[i]
		} else {
			in = program.Decode(c.Word, c.Addr)
		}
		l.Code = append(l.Code, codeRow(c.Addr, &in))
	}
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
	slices.SortFunc(l.Code, func(x, y CodeRow) int {
		if c := cmpU32(x.Addr, y.Addr); c != 0 {
			return c
		}
		return cmpU32(x.Word, y.Word)
	})
	l.Code = slices.CompactFunc(l.Code, func(x, y CodeRow) bool { return x.Addr == y.Addr && x.Word == y.Word })
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

// simpleOp describes an opcode whose operands are general-purpose
// registers only: rs and rt read, at most one register written.
type simpleOp struct {
	ok, rs, rt bool
	dst        uint8
	row        uint8 // the table of its family row (tCPU if none: counted apart)
}

const (
	dstNone = iota
	dstRd
	dstRt
	dstRA
)

var simpleOps = func() (t [256]simpleOp) {
	for op := range t {
		ro := program.Op(op).Roles()
		if ro&^(program.ReadRs|program.ReadRt|program.WriteRd|program.WriteRt|program.WriteRA|program.Imm) != 0 {
			continue
		}
		if f := ops[op].fam; f == famSyscall || f == famMem || program.Op(op) == program.OpRDHWR {
			continue
		}
		s := simpleOp{ok: true, rs: ro&program.ReadRs != 0, rt: ro&program.ReadRt != 0, row: tNone}
		if t := famTable[ops[op].fam]; t >= 0 {
			s.row = uint8(t)
		}
		switch ro & (program.WriteRd | program.WriteRt | program.WriteRA) {
		case 0:
		case program.WriteRd:
			s.dst = dstRd
		case program.WriteRt:
			s.dst = dstRt
		case program.WriteRA:
			s.dst = dstRA
		default:
			continue
		}
		t[op] = s
	}
	return t
}()

// memOp describes a load or store of one data word and general-purpose
// registers: it reads rs (and rt), reads or writes the word, and may
// write rt.
type memOp struct {
	ok, rt, read, write, dst bool
	writes                   uint8 // values it takes from the write log
}

var memOps = func() (t [256]memOp) {
	for op := range t {
		o := program.Op(op)
		ro := o.Roles()
		if ops[op].fam != famMem || o.DataWordCount() != 1 ||
			ro&^(program.ReadRs|program.ReadRt|program.MemRead|program.MemWrite|program.WriteRt|program.Imm) != 0 {
			continue
		}
		m := memOp{ok: true, rt: ro&program.ReadRt != 0, read: ro&program.MemRead != 0,
			write: ro&program.MemWrite != 0, dst: ro&program.WriteRt != 0}
		if m.write {
			m.writes++
		}
		if m.dst {
			m.writes++
		}
		t[op] = m
	}
	return t
}()

// syscallReads are the registers a syscall reads: v0, a0..a3.
var syscallReads = [...]uint32{AddrReg + 4*2, AddrReg + 4*4, AddrReg + 4*5, AddrReg + 4*6, AddrReg + 4*7}

// walk replays the recorded steps' accesses in the Tracer's order and
// counts the rows of every table.
func (b *LogBuilder) walk(s *Start, rec *executor.Recorder) error {
	l := b.log
	var cnt [numTables + 1]uint64 // tNone last
	precompiles := map[uint32]uint64{}
	// CPU-state values as the steps leave them.
	var regs [StateLimit / 4]uint32
	for a := uint32(0); a < StateLimit; a += 4 {
		regs[a>>2] = s.stateValue(a)
	}
	code, codeBase := s.Code, s.CodeBase
	codeLen := uint32(4 * len(code))
	firstExec := map[uint32]uint32{} // outside the code list
	for _, c := range rec.Code {
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
	// A rewritten word that runs needs a code row of its own (Build
	// removes duplicates).
	rewritten := func(pc uint32, in *program.Inst) { l.Code = append(l.Code, codeRow(pc, in)) }
	writes := l.Writes
	wi := 0

	pc, npc := s.PC, s.NextPC
	clk := uint32(ClkPerCycle)
	ri, ci, si, ai := 0, 0, 0, 0
	var other program.Inst // an instruction from outside the code list
	for step := uint64(0); step < rec.Steps; step++ {
		var inp *program.Inst
		if i := (pc - codeBase) >> 2; pc-codeBase < codeLen && pc&3 == 0 && modified == nil {
			inp = &code[i] // the common case
		} else {
			other = program.Inst{}
			if inst, ok := modified[pc]; ok {
				other = inst
				rewritten(pc, &other)
			} else if pc-codeBase < codeLen && pc&3 == 0 {
				other = code[i]
			} else if pc&3 == 0 {
				other = program.Decode(firstExec[pc], pc)
			}
			inp = &other
		}
		in := inp
		var extra uint32
		faulted := rec.Faulted && step == rec.Steps-1
		if faulted && pc&3 == 0 && pc >= executor.NullLimit {
			// A faulting step reads its operands (a faulting fetch
			// reads nothing) and does nothing else.
			slot := uint32(0)
			read := func(a uint32) {
				b.touchState(a, clk+slot, regs[a>>2], regs[a>>2])
				slot++
			}
			if in.Op == program.OpSYSCALL {
				for _, a := range syscallReads {
					read(a)
				}
			} else {
				for _, ref := range plans[in.Op].reads {
					if ref != refTLS || in.Rd == 29 {
						read(ref.addr(in))
					}
				}
			}
			cnt[tMemory] += uint64(slot)
		}
		if so := &simpleOps[in.Op]; so.ok && !faulted {
			// Fast path: register operands only (ALU, branches, jumps).
			n := uint64(0)
			if so.rs {
				a := uint32(in.Rs)
				b.touchState(4*a, clk, regs[a], regs[a])
				n++
			}
			if so.rt {
				a := uint32(in.Rt)
				b.touchState(4*a, clk+uint32(n), regs[a], regs[a])
				n++
			}
			if so.dst != 0 {
				d := uint32(in.Rd)
				if so.dst == dstRt {
					d = uint32(in.Rt)
				} else if so.dst == dstRA {
					d = 31
				}
				if wi == len(writes) {
					return fmt.Errorf("step %d: the write log ends early", step)
				}
				b.setReg(&regs, d, clk+SlotRegWrite, writes[wi])
				wi++
				n++
			}
			cnt[tMemory] += n
			cnt[so.row]++
		} else if mo := &memOps[in.Op]; mo.ok && !faulted {
			// Fast path: a one-word load or store of a general register.
			rs := uint32(in.Rs)
			base := regs[rs]
			b.touchState(4*rs, clk, base, base)
			n := uint64(1)
			if mo.rt {
				rt := uint32(in.Rt)
				b.touchState(4*rt, clk+1, regs[rt], regs[rt])
				n++
			}
			if ri == len(rec.Reads) || wi+int(mo.writes) > len(writes) {
				return fmt.Errorf("step %d: the data word or write log ends early", step)
			}
			a := (base + in.Imm) &^ 3
			v := rec.Reads[ri]
			ri++
			if mo.read {
				b.touch(a, clk+SlotMemRead, v, v)
				n++
			}
			if mo.write {
				w := writes[wi]
				wi++
				b.touch(a, clk+SlotMemWrite, v, w)
				written(a, w)
				n++
			}
			if mo.dst {
				b.setReg(&regs, uint32(in.Rt), clk+SlotRegWrite, writes[wi])
				wi++
				n++
			}
			cnt[tMemory] += n
			cnt[tMemInstr]++
		} else if !faulted {
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
					a := ref.addr(in)
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
					ok = ok && regWrite(ref.addr(in))
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
	tNone = numTables // a count slot for steps without a family row
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

// RecordSteps runs one shard of m's run in record mode into rec (reset
// first), from m's current state, with the boundaries Trace uses: at
// least budget cycles and never ending in a delay slot; the run's end;
// limit steps.
func RecordSteps(m *executor.Machine, rec *executor.Recorder, budget, limit uint64) {
	rec.Reset()
	rec.Reserve(int(min(budget, 1<<26)))
	end := m.Cycles() + budget
	for !Done(m) && m.Step() < limit {
		switch {
		case m.Cycles() < end:
			target := end
			if left := limit - m.Step(); left < end-m.Cycles() {
				target = m.Cycles() + left // each step is at least one cycle
			}
			m.RecordUntilCycle(rec, target)
		case m.NextPC() != m.PC()+4: // never end in a delay slot
			m.Record(rec, m.Step()+1)
		default:
			return
		}
	}
}

// RecordShard records shard n of m's run (RecordSteps) and builds its
// log, not linked yet; nil if the run stopped before the shard's first
// step. rec and b are reused buffers.
func RecordShard(m *executor.Machine, rec *executor.Recorder, b *LogBuilder, n uint32, budget, limit uint64) (*Log, error) {
	s := StartOf(m)
	RecordSteps(m, rec, budget, limit)
	if rec.Steps == 0 {
		return nil, nil
	}
	e := EndOf(m)
	return b.Build(n, &s, rec, &e)
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
