package executor

import (
	"slices"

	"github.com/zkmips/zkmips/program"
)

// Record mode runs the one step loop (run.go) with hooks that log, per
// step, what the step did that the program and the state before it do not
// determine: the values it wrote, where control went when not to the next
// instruction, and what a syscall touched. With the shard's initial values
// of the words it accesses, that log determines every row of its
// execution record (package events replays it). The hooks are compiled
// into a copy of the loop, runRecord (run_record.go, generated from run by
// "go generate"), so the fast loop carries none of them.

// recording is false in run and true in its generated copy runRecord.
const recording = false

// Recorder receives the log of a recorded run. Indices and step numbers
// count from the last Reset.
type Recorder struct {
	// Steps is how many steps were recorded.
	Steps uint64
	// Code holds every instruction address executed, with its word, at
	// its first execution.
	Code []CodeWord
	// Writes holds the values the steps wrote, in step order; within a
	// step: the data words a store wrote (the aligned word, and the
	// next for SDC1), then the registers in the order of
	// program.RegWrites (a syscall: v0, a3 and, if it changed, the TLS
	// pointer). A step that faults writes nothing.
	Writes []uint32
	// Reads holds, for every load or store step, the data words it
	// accessed as they were before the step (one, or two for LDC1 and
	// SDC1). A reader derives them from the shard's initial values; the
	// writer takes a word's initial value from its first access.
	Reads []uint32
	// Control lists the steps after which (pc, next pc) is not
	// (next pc, next pc + 4): taken branches and jumps, annulled delay
	// slots, exits and faults (which leave pc on the instruction).
	Control []Control
	// Syscalls lists the syscall steps that completed (not faults) and
	// SysAccess their memory words, Syscalls[i].Accesses of them each.
	Syscalls  []SyscallStep
	SysAccess []SysAccess
	// Faulted is set when the last recorded step faulted.
	Faulted bool

	raw  []Access // the access log of the current syscall
	seen []uint64 // bit i: code word i was recorded since Reset

	// The step in progress (begin to end).
	open     bool
	npc      uint32
	da       uint32 // aligned data address
	d0, d1   uint32 // data words before
	tlsIn    uint32
	syscallN uint32 // number (v0) of the syscall in progress
}

// CodeWord is an instruction word at its first execution.
type CodeWord struct{ Addr, Word uint32 }

// Control is a step's successor (pc, next pc) when it is not the default.
type Control struct {
	Step       uint32
	PC, NextPC uint32
}

// SyscallStep is a completed syscall step.
type SyscallStep struct {
	Step uint32
	// Accesses is how many SysAccess entries belong to the step.
	Accesses uint32
	// TLS is set when the step changed the TLS pointer (set_thread_area),
	// whose new value then ends the step's Writes.
	TLS bool
}

// SysAccess is one memory word a syscall accessed, in address order: the
// value before its first access and after its last.
type SysAccess struct {
	Addr, First, Last uint32
	Read, Write       bool // read before any write; written
}

// Reset empties the log, keeping its buffers.
func (r *Recorder) Reset() {
	*r = Recorder{
		Code: r.Code[:0], Writes: r.Writes[:0], Reads: r.Reads[:0], Control: r.Control[:0],
		Syscalls: r.Syscalls[:0], SysAccess: r.SysAccess[:0], raw: r.raw[:0], seen: r.seen,
	}
	clear(r.seen)
}

// Reserve makes room for about n steps, so that the log grows in one
// allocation rather than by repeated copying (compiled code writes about
// one value per step, a memory word every third step and a control entry
// every sixth).
func (r *Recorder) Reserve(n int) {
	r.Writes = slices.Grow(r.Writes, n+n/8)
	r.Reads = slices.Grow(r.Reads, n/2)
	r.Control = slices.Grow(r.Control, n/4)
}

// Record runs m until its step counter reaches limit or the run ends,
// logging every step into rec. ENTER_UNCONSTRAINED through
// EXIT_UNCONSTRAINED count as one step whose effect is the state after the
// exit: what runs in between is not recorded. A fault is recorded as a
// step that writes nothing (Recorder.Faulted); an executor error stops the
// run without recording the step that caused it.
func (m *Machine) Record(rec *Recorder, limit uint64) {
	for !m.exited && m.err == nil && m.step < limit {
		m.recordRun(rec, limit)
	}
}

// RecordUntilCycle is Record with a limit in cycles, as RunUntilCycle.
func (m *Machine) RecordUntilCycle(rec *Recorder, c uint64) {
	for !m.exited && m.err == nil && m.step+m.extra < c {
		m.recordRun(rec, c-m.extra)
	}
}

// recordRun runs the record loop once (it returns at limit, at the end of
// the run, and after syscalls that change more than registers and memory,
// such as precompiles' extra cycles) and completes the step it stopped on.
func (m *Machine) recordRun(rec *Recorder, limit uint64) {
	if n := (len(m.code) + 63) / 64; len(rec.seen) < n {
		rec.seen = make([]uint64, n)
	}
	m.rec, m.acc = rec, &rec.raw
	defer func() { m.rec, m.acc = nil, nil }()
	m.runRecord(limit)
	switch {
	case m.zk.snap != nil && rec.open && !m.exited && m.err == nil:
		// ENTER_UNCONSTRAINED: run to the restore, unrecorded.
		m.acc = nil
		m.RunUnconstrained()
		m.acc = &rec.raw
		rec.finishSyscall(m)
	case m.fault != nil && rec.open:
		rec.faulted(m)
	case m.fault != nil && !rec.Faulted:
		// The fetch faulted: begin never saw the instruction.
		if m.pc&3 == 0 {
			rec.Code = append(rec.Code, CodeWord{m.pc, m.mem.load(m.pc)})
		}
		rec.npc = m.npc
		rec.faulted(m)
	case m.err != nil:
		rec.open = false
	}
}

// CodeList returns the decoded instruction list and its base address as
// they are now. The list stays as it is: the machine copies it before its
// next store into code, so a log builder can use it after the machine
// has moved on.
func (m *Machine) CodeList() (uint32, []program.Inst) {
	m.codeOwned = false
	return m.codeBase, m.code
}

// begin notes what a step needs from before it: its instruction word the
// first time it runs, its data words.
func (r *Recorder) begin(m *Machine, in *program.Inst, pc, npc uint32) {
	r.open, r.npc = true, npc
	if i := (pc - m.codeBase) >> 2; i < uint32(len(m.code)) {
		if r.seen[i>>6]&(1<<(i&63)) == 0 {
			r.seen[i>>6] |= 1 << (i & 63)
			r.Code = append(r.Code, CodeWord{pc, in.Word})
		}
	} else {
		r.Code = append(r.Code, CodeWord{pc, in.Word}) // rare: code outside the decoded list
	}
	switch n := in.Op.DataWordCount(); n {
	case 0:
		if in.Op == program.OpSYSCALL {
			r.tlsIn, r.syscallN = m.os.tls, m.regs[2]
			r.raw = r.raw[:0]
		}
	case 1:
		r.da = (m.regs[in.Rs] + in.Imm) &^ 3
		r.d0 = m.mem.load(r.da)
	default:
		r.da = (m.regs[in.Rs] + in.Imm) &^ 3
		r.d0, r.d1 = m.mem.load(r.da), m.mem.load(r.da+4)
	}
}

// end logs a completed non-syscall step; pc and npc are its successor.
func (r *Recorder) end(m *Machine, in *program.Inst, pc, npc uint32) {
	ro := in.Op.Roles()
	if ro&(program.MemRead|program.MemWrite) != 0 {
		two := in.Op == program.OpLDC1 || in.Op == program.OpSDC1
		r.Reads = append(r.Reads, r.d0)
		if two {
			r.Reads = append(r.Reads, r.d1)
		}
		if ro&program.MemWrite != 0 {
			r.Writes = append(r.Writes, m.mem.load(r.da))
			if two {
				r.Writes = append(r.Writes, m.mem.load(r.da+4))
			}
		}
	}
	if ro&(program.WriteRd|program.WriteRt) != 0 {
		d := in.Rt
		if ro&program.WriteRd != 0 {
			d = in.Rd
		}
		r.Writes = append(r.Writes, m.regs[d])
	}
	if ro&^(program.WriteRd|program.WriteRt|program.MemRead|program.MemWrite|program.Imm) > program.ReadFs1 {
		r.otherWrites(m, in, ro)
	}
	r.next(pc, npc)
}

// otherWrites logs the register writes after the destination, in
// program.RegWrites order.
func (r *Recorder) otherWrites(m *Machine, in *program.Inst, ro program.Roles) {
	if ro&program.WriteRA != 0 {
		r.Writes = append(r.Writes, m.regs[31])
	}
	if ro&program.WriteHI != 0 {
		r.Writes = append(r.Writes, m.hi)
	}
	if ro&program.WriteLO != 0 {
		r.Writes = append(r.Writes, m.lo)
	}
	if ro&program.WriteFt != 0 {
		r.Writes = append(r.Writes, m.fpr[in.Rt&31])
	}
	if ro&program.WriteFt2 != 0 {
		r.Writes = append(r.Writes, m.fpr[(in.Rt+1)&31])
	}
	if ro&program.WriteFs != 0 {
		r.Writes = append(r.Writes, m.fpr[in.Rd&31])
	}
	if ro&program.WriteFs1 != 0 {
		r.Writes = append(r.Writes, m.fpr[(in.Rd+1)&31])
	}
	if ro&program.WriteFCSR != 0 {
		r.Writes = append(r.Writes, m.fcsr)
	}
}

// next closes the step: its successor, if not the default, and the count.
func (r *Recorder) next(pc, npc uint32) {
	if pc != r.npc || npc != r.npc+4 {
		r.Control = append(r.Control, Control{uint32(r.Steps), pc, npc})
	}
	r.Steps++
	r.open = false
}

// syscall logs a syscall step after the handler returned, unless it
// entered unconstrained mode (Record finishes it after the restore).
func (r *Recorder) syscall(m *Machine) {
	switch {
	case m.fault != nil:
		r.faulted(m)
	case m.err != nil:
		r.open = false
	case m.zk.snap == nil:
		r.finishSyscall(m)
	default:
		// ENTER_UNCONSTRAINED: leave the record loop, for Record to run
		// the section unrecorded and then finish the step.
		m.yield = true
	}
}

func (r *Recorder) finishSyscall(m *Machine) {
	s := SyscallStep{Step: uint32(r.Steps), TLS: m.os.tls != r.tlsIn}
	n := len(r.SysAccess)
	r.SysAccess = coalesce(r.SysAccess, r.raw)
	r.raw = r.raw[:0]
	s.Accesses = uint32(len(r.SysAccess) - n)
	r.Syscalls = append(r.Syscalls, s)
	r.Writes = append(r.Writes, m.regs[2], m.regs[7])
	if s.TLS {
		r.Writes = append(r.Writes, m.os.tls)
	}
	r.next(m.pc, m.npc)
}

// faulted logs a step that faulted: it changed nothing but ended the run.
func (r *Recorder) faulted(m *Machine) {
	r.raw = r.raw[:0]
	r.Faulted = true
	r.next(m.pc, m.npc)
}

// coalesce appends the words of an access log, one entry per word in
// address order: its value before the first access and after the last,
// whether it was read before being written and whether it was written.
func coalesce(dst []SysAccess, log []Access) []SysAccess {
	if len(log) == 0 {
		return dst
	}
	// Sorting by address keeps each word's accesses in log order.
	order := make([]int32, len(log))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(i, j int32) int {
		a, b := log[i].Addr, log[j].Addr
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	})
	for k, i := range order {
		a := &log[i]
		if k == 0 || log[order[k-1]].Addr != a.Addr {
			dst = append(dst, SysAccess{Addr: a.Addr, First: a.Prev})
		}
		s := &dst[len(dst)-1]
		s.Last = a.Value
		if a.Write {
			s.Write = true
		} else if !s.Write {
			s.Read = true
		}
	}
	return dst
}
