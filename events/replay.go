package events

import (
	"errors"
	"fmt"
	"slices"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
)

// Replay re-executes a shard from its Log, as a Machine a Tracer can step:
// a value a step reads is the word's shard-start value (Log.Local,
// Log.Code) or the last value the shard wrote to it; a value it writes
// comes from Log.Writes; control goes to the next instruction unless
// Log.Control says otherwise. No instruction semantics are involved: only
// the operand roles (program.Roles) say which words a step touches.
type Replay struct {
	l            *Log
	pc, npc      uint32
	step, cycles uint64
	idx          uint64 // steps replayed
	state        [StateLimit / 4]uint32
	mem          map[uint32]uint32
	decoded      map[uint32]program.Inst
	wi, ci       int
	si, ai       int
	acc          *[]executor.Access
	exited       bool
	fault        *executor.Fault
	err          error
}

// ErrLog is wrapped by the errors of a replay whose log is inconsistent
// (a corrupt trace).
var ErrLog = errors.New("inconsistent log")

// NewReplay returns a replay of l positioned at the shard's start.
func NewReplay(l *Log) *Replay {
	r := &Replay{l: l, pc: l.StartPC, npc: l.StartNextPC, step: l.StartStep, cycles: l.StartCycle,
		mem: make(map[uint32]uint32, len(l.Local)+len(l.Code)), decoded: map[uint32]program.Inst{}}
	// A word the shard executes but never loads or stores has one code
	// row, whose word it holds all along.
	for _, c := range l.Code {
		r.mem[c.Addr] = c.Word
	}
	for _, loc := range l.Local {
		if loc.Addr < StateLimit {
			r.state[loc.Addr>>2] = loc.InitValue
		} else {
			r.mem[loc.Addr] = loc.InitValue
		}
	}
	r.state[0] = 0
	return r
}

func (r *Replay) failf(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: shard %d step %d: %s", ErrLog, r.l.Shard, r.idx, fmt.Sprintf(format, args...))
	}
}

// PC returns the pc before the next step.
func (r *Replay) PC() uint32 { return r.pc }

// NextPC returns the next pc before the next step.
func (r *Replay) NextPC() uint32 { return r.npc }

// Step returns the run-wide number of the next step.
func (r *Replay) Step() uint64 { return r.step }

// Cycles returns the run-wide cycle count before the next step.
func (r *Replay) Cycles() uint64 { return r.cycles }

// InstAt returns the instruction at pc as the shard holds it now, from
// its code row.
func (r *Replay) InstAt(pc uint32) program.Inst {
	w := r.mem[pc]
	if in, ok := r.decoded[pc]; ok && in.Word == w {
		return in
	}
	c := r.l.Code
	i, ok := slices.BinarySearchFunc(c, [2]uint32{pc, w}, func(row CodeRow, k [2]uint32) int {
		if d := cmpU32(row.Addr, k[0]); d != 0 {
			return d
		}
		return cmpU32(row.Word, k[1])
	})
	if !ok {
		r.failf("no code row for the word 0x%08x at pc 0x%08x", w, pc)
		return program.Inst{}
	}
	in := c[i].Inst()
	r.decoded[pc] = in
	return in
}

// Reg returns general-purpose register i.
func (r *Replay) Reg(i int) uint32 { return r.state[(AddrReg>>2)+uint32(i&31)] }

// HI returns HI.
func (r *Replay) HI() uint32 { return r.state[AddrHI>>2] }

// LO returns LO.
func (r *Replay) LO() uint32 { return r.state[AddrLO>>2] }

// FCSR returns the FP control and status register.
func (r *Replay) FCSR() uint32 { return r.state[AddrFCSR>>2] }

// FPR returns FP register i.
func (r *Replay) FPR(i int) uint32 { return r.state[(AddrFPR>>2)+uint32(i&31)] }

// TLS returns the TLS pointer.
func (r *Replay) TLS() uint32 { return r.state[AddrTLS>>2] }

// ReadWord returns the word at a &^ 3.
func (r *Replay) ReadWord(a uint32) uint32 { return r.mem[a&^3] }

// DataWords returns the data words of a load or store, as
// executor.Machine.DataWords does.
func (r *Replay) DataWords(in program.Inst) (uint32, int) {
	n := in.Op.DataWordCount()
	if n == 0 {
		return 0, 0
	}
	return (r.Reg(int(in.Rs)) + in.Imm) &^ 3, n
}

// BigEndian reports the guest byte order.
func (r *Replay) BigEndian() bool { return r.l.BigEndian }

// LogAccesses makes the next syscall step report its memory accesses.
func (r *Replay) LogAccesses(log *[]executor.Access) { r.acc = log }

// Unconstrained is always false: the log holds an unconstrained region
// as the one step that entered it.
func (r *Replay) Unconstrained() bool { return false }

// RunUnconstrained does nothing (see Unconstrained).
func (r *Replay) RunUnconstrained() {}

// Fault returns a fault once the shard's faulting last step replayed.
func (r *Replay) Fault() *executor.Fault { return r.fault }

// Exited reports whether the run ended with the last replayed step.
func (r *Replay) Exited() bool { return r.exited }

// ExitCode returns the run's exit status once it ended.
func (r *Replay) ExitCode() uint8 { return uint8(r.l.ExitCode) }

// Err returns the inconsistency that stopped the replay, if any.
func (r *Replay) Err() error { return r.err }

// RunUntil replays steps until the step counter reaches limit, the shard
// ends or the log proves inconsistent.
func (r *Replay) RunUntil(limit uint64) {
	for r.step < limit && r.idx < r.l.Steps && r.err == nil && !r.exited {
		r.replayStep()
	}
}

func (r *Replay) write() uint32 {
	if r.wi == len(r.l.Writes) {
		r.failf("the write log ends early")
		return 0
	}
	r.wi++
	return r.l.Writes[r.wi-1]
}

func (r *Replay) setMem(a, v uint32) { r.mem[a] = v }

func (r *Replay) replayStep() {
	l := r.l
	last := r.idx == l.Steps-1
	in := program.Inst{}
	if r.pc&3 == 0 {
		in = r.InstAt(r.pc)
	}
	var extra uint32
	if last && l.Faulted {
		r.fault = &executor.Fault{PC: r.pc, Step: r.step}
	} else {
		ro := in.Op.Roles()
		rt, rd := uint32(in.Rt), uint32(in.Rd)
		setState := func(a uint32) { r.state[a>>2] = r.write() }
		switch {
		case in.Op == program.OpSYSCALL:
			code := r.Reg(2)
			if r.si == len(l.Syscalls) || uint64(l.Syscalls[r.si].Step) != r.idx {
				r.failf("syscall not in the syscall log")
				return
			}
			sc := l.Syscalls[r.si]
			r.si++
			if r.ai+int(sc.Accesses) > len(l.SysAccess) {
				r.failf("syscall accesses past the end of their log")
				return
			}
			for _, a := range l.SysAccess[r.ai : r.ai+int(sc.Accesses)] {
				before := r.mem[a.Addr]
				if a.Read != 0 && r.acc != nil {
					*r.acc = append(*r.acc, executor.Access{Addr: a.Addr, Value: before, Prev: before})
				}
				if a.Write != 0 {
					if r.acc != nil {
						*r.acc = append(*r.acc, executor.Access{Addr: a.Addr, Value: a.Value, Prev: before, Write: true})
					}
					r.setMem(a.Addr, a.Value)
				} else if a.Value != before {
					r.failf("syscall read of 0x%08x: value 0x%08x, memory holds 0x%08x", a.Addr, a.Value, before)
				}
			}
			r.ai += int(sc.Accesses)
			if executor.IsPrecompile(code) {
				extra = executor.PrecompileExtraCycles(code)
			}
			setState(AddrReg + 4*2)
			setState(AddrReg + 4*7)
			if sc.TLS != 0 {
				setState(AddrTLS)
			}
		case ro&program.MemWrite != 0:
			a, n := r.DataWords(in)
			ws := [2]uint32{r.write(), 0}
			if n == 2 {
				ws[1] = r.write()
			}
			for k := range n {
				r.setMem(a+4*uint32(k), ws[k])
			}
		}
		if ro&program.WriteRd != 0 {
			setState(AddrReg + 4*rd)
		} else if ro&program.WriteRt != 0 {
			setState(AddrReg + 4*rt)
		}
		for _, w := range [...]struct {
			role program.Roles
			addr uint32
		}{
			{program.WriteRA, AddrReg + 4*31}, {program.WriteHI, AddrHI}, {program.WriteLO, AddrLO},
			{program.WriteFt, AddrFPR + 4*rt}, {program.WriteFt2, AddrFPR + 4*(rt+1)},
			{program.WriteFs, AddrFPR + 4*rd}, {program.WriteFs1, AddrFPR + 4*(rd+1)}, {program.WriteFCSR, AddrFCSR},
		} {
			if ro&w.role != 0 {
				setState(w.addr)
			}
		}
		r.state[0] = 0
	}
	if r.ci < len(l.Control) && uint64(l.Control[r.ci].Step) == r.idx {
		r.pc, r.npc = l.Control[r.ci].PC, l.Control[r.ci].NextPC
		r.ci++
	} else {
		r.pc, r.npc = r.npc, r.npc+4
	}
	r.idx++
	r.step++
	r.cycles += 1 + uint64(extra)
	if last {
		r.exited = l.Exited
		if r.wi != len(l.Writes) || r.ci != len(l.Control) || r.si != len(l.Syscalls) || r.ai != len(l.SysAccess) {
			r.failf("the log holds more than its steps use")
		}
	}
}

// Expand replays l into the shard's full Record, linked: each address's
// first access takes its predecessor from l.Local. It fails when the log
// is inconsistent, including when the replay's Local table (addresses,
// initial and final values and clocks) differs from l.Local.
func Expand(l *Log) (*Record, error) { return NewExpander().Expand(l) }

// An Expander expands logs one after another, reusing its tracer's
// bookkeeping (and the tables of records handed back with Recycle): a
// reader of many shards should keep one per goroutine.
type Expander struct {
	t *Tracer
}

// NewExpander returns an expander.
func NewExpander() *Expander { return &Expander{t: NewTracer()} }

// Recycle hands back a record the caller is done with, for the next
// Expand to reuse its tables.
func (e *Expander) Recycle(r *Record) { e.t.Recycle(r) }

// Expand is the function Expand, with e's buffers.
func (e *Expander) Expand(l *Log) (*Record, error) {
	r := NewReplay(l)
	t := e.t
	t.m = r
	t.BeginShard(l.Shard, l.Cycles)
	for r.idx < l.Steps && r.err == nil {
		t.Step()
	}
	rec := t.EndShard()
	if r.err != nil {
		return nil, r.err
	}
	if rec.Cycles != l.Cycles || rec.EndPC != l.EndPC || rec.EndNextPC != l.EndNextPC || rec.Exited != l.Exited {
		return nil, fmt.Errorf("%w: shard %d: replay ends at %d cycles, pc 0x%08x/0x%08x, exited %v; the log says %d, 0x%08x/0x%08x, %v",
			ErrLog, l.Shard, rec.Cycles, rec.EndPC, rec.EndNextPC, rec.Exited, l.Cycles, l.EndPC, l.EndNextPC, l.Exited)
	}
	if len(rec.Local) != len(l.Local) {
		return nil, fmt.Errorf("%w: shard %d: the replay accesses %d addresses, the local table lists %d", ErrLog, l.Shard, len(rec.Local), len(l.Local))
	}
	for i := range rec.Local {
		got, want := &rec.Local[i], &l.Local[i]
		if got.Addr != want.Addr || got.InitValue != want.InitValue || got.FinalClk != want.FinalClk || got.FinalValue != want.FinalValue {
			return nil, fmt.Errorf("%w: shard %d: local row %d: replay gives %+v, the table %+v", ErrLog, l.Shard, i, *got, *want)
		}
		got.InitShard, got.InitClk = want.InitShard, want.InitClk
		acc := &rec.Memory[rec.first[i]]
		acc.PrevShard, acc.PrevClk = want.InitShard, want.InitClk
	}
	rec.linked = true
	return rec, nil
}
