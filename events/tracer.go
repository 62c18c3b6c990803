package events

import (
	"sort"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
)

// entry is the memory-checking shadow of one word: the tracer's shard
// generation of its last access (another generation: not accessed in the
// current shard), that access's clock, and where its Local row of the
// current shard is. Generations, not shard numbers, tell shards apart, so
// a tracer can trace (or expand) any shards in any order, twice too.
type entry struct {
	gen   uint32
	clk   uint32
	local uint32
}

type shadowPage [1024]entry

// Machine is what a Tracer steps and reads: an executor.Machine, or a
// Replay of a shard's log, which answers the same questions from it.
type Machine interface {
	PC() uint32
	NextPC() uint32
	Step() uint64
	Cycles() uint64
	InstAt(pc uint32) program.Inst
	Reg(i int) uint32
	HI() uint32
	LO() uint32
	FCSR() uint32
	FPR(i int) uint32
	TLS() uint32
	ReadWord(a uint32) uint32
	DataWords(in program.Inst) (uint32, int)
	BigEndian() bool
	RunUntil(limit uint64)
	LogAccesses(log *[]executor.Access)
	Unconstrained() bool
	RunUnconstrained()
	Fault() *executor.Fault
	Exited() bool
	ExitCode() uint8
	Err() error
}

// Tracer runs a machine one step at a time through the executor's single
// step loop and records every step's events. It never changes what the
// machine does: it reads state before and after each step and, around
// syscalls, the executor's access log.
//
// A Tracer knows only the shards it traced itself, so the first access to
// an address in a shard gets a placeholder predecessor (0, 0); a Linker,
// fed every shard in order, fills those in. Shards can therefore be traced
// in any order and in parallel, from checkpoints (executor.Machine.Clone)
// or from their logs (Expand).
type Tracer struct {
	m     Machine
	shard uint32
	gen   uint32 // shards begun
	clk   uint32 // clock of the next step, shard-local
	rec   *Record

	state [StateLimit / 4]entry
	pages []*shadowPage // flat table, indexed by address >> 12

	log []executor.Access
	// spare is a finished record whose tables BeginShard reuses.
	spare *Record
	// hint holds the table sizes of the last shard, to size the next.
	hint sizes
}

// sizes are a record's table lengths.
type sizes struct {
	cpu, addSub, lt, shift, bitwise, cloClz, bitField, movCond, mul, divRem,
	memInstr, branch, jump, syscall, memory, local int
}

// NewTracer returns a tracer. It can trace many shards, of one machine or
// of checkpoints of it, one at a time.
func NewTracer() *Tracer {
	return &Tracer{pages: make([]*shadowPage, 1<<20)}
}

// Trace records shard n of m's run, from m's current state: steps until
// the shard holds at least budget cycles and does not end in a delay slot,
// or the run ends, or m has executed limit steps.
func (t *Tracer) Trace(m Machine, n uint32, budget, limit uint64) *Record {
	t.m = m
	t.BeginShard(n, budget)
	for !t.Done() && m.Step() < limit && (t.Cycles() < budget || t.InDelaySlot()) {
		t.Step()
	}
	return t.EndShard()
}

// Done reports whether the run has ended (exit, fault or executor error).
func Done(m Machine) bool { return m.Exited() || m.Err() != nil }

// Done reports whether the traced run has ended.
func (t *Tracer) Done() bool { return Done(t.m) }

// BeginShard starts recording shard n (1-based) of about budget cycles
// (used to size the tables of the first shard). Trace does this for you.
func (t *Tracer) BeginShard(n uint32, budget uint64) {
	m := t.m
	if t.hint.cpu == 0 && budget > 0 && budget < 1<<26 {
		// First shard: typical proportions of a compiled program.
		b := int(budget)
		t.hint = sizes{cpu: b, memory: 3 * b, addSub: b / 4, memInstr: b / 3, branch: b / 6, bitwise: b / 8, shift: b / 8}
	}
	t.shard = n
	t.gen++
	t.clk = ClkPerCycle
	r := t.spare
	t.spare = nil
	if r == nil {
		r = new(Record)
	}
	*r = Record{
		Shard: n, StartStep: m.Step(), StartCycle: m.Cycles(), StartPC: m.PC(), StartNextPC: m.NextPC(),
		Precompiles: map[uint32][]Precompile{},
		CPU:         reuse(r.CPU, t.hint.cpu),
		AddSub:      reuse(r.AddSub, t.hint.addSub),
		Lt:          reuse(r.Lt, t.hint.lt),
		Shift:       reuse(r.Shift, t.hint.shift),
		Bitwise:     reuse(r.Bitwise, t.hint.bitwise),
		CloClz:      reuse(r.CloClz, t.hint.cloClz),
		BitField:    reuse(r.BitField, t.hint.bitField),
		MovCond:     reuse(r.MovCond, t.hint.movCond),
		Mul:         reuse(r.Mul, t.hint.mul),
		DivRem:      reuse(r.DivRem, t.hint.divRem),
		MemInstr:    reuse(r.MemInstr, t.hint.memInstr),
		Branch:      reuse(r.Branch, t.hint.branch),
		Jump:        reuse(r.Jump, t.hint.jump),
		Syscall:     reuse(r.Syscall, t.hint.syscall),
		Memory:      reuse(r.Memory, t.hint.memory),
		Local:       reuse(r.Local, t.hint.local),
		first:       reuse(r.first, t.hint.local),
	}
	t.rec = r
}

// reuse returns s emptied if it can hold n rows, else a new table with a
// quarter more room: shards of one run have similar shapes, so after the
// first shard tables rarely grow (and copy) or come fresh from the OS.
func reuse[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:0]
	}
	return make([]T, 0, n+n/4)
}

// Recycle hands a record the caller is done with back to the tracer, whose
// next shard reuses its tables.
func (t *Tracer) Recycle(r *Record) { t.spare = r }

// InDelaySlot reports whether the next step executes a delay slot (a shard
// must not end there).
func (t *Tracer) InDelaySlot() bool { return t.m.NextPC() != t.m.PC()+4 }

// Cycles returns the cycles recorded in the current shard so far.
func (t *Tracer) Cycles() uint64 { return t.rec.Cycles }

// EndShard completes the current shard's record.
func (t *Tracer) EndShard() *Record {
	m, r := t.m, t.rec
	r.Steps = m.Step() - r.StartStep
	r.EndPC, r.EndNextPC = m.PC(), m.NextPC()
	r.Exited, r.ExitCode = m.Exited(), uint32(m.ExitCode())
	for i := range r.Local {
		l := &r.Local[i]
		e := t.entry(l.Addr)
		l.FinalClk, l.FinalValue = e.clk, t.value(l.Addr)
	}
	sort.Sort(byAddr{r.Local, r.first})
	t.hint = sizes{len(r.CPU), len(r.AddSub), len(r.Lt), len(r.Shift), len(r.Bitwise), len(r.CloClz),
		len(r.BitField), len(r.MovCond), len(r.Mul), len(r.DivRem), len(r.MemInstr), len(r.Branch),
		len(r.Jump), len(r.Syscall), len(r.Memory), len(r.Local)}
	t.rec = nil
	return r
}

func (t *Tracer) entry(a uint32) *entry {
	if a < StateLimit {
		return &t.state[a>>2]
	}
	p := t.pages[a>>12]
	if p == nil {
		p = new(shadowPage)
		t.pages[a>>12] = p
	}
	return &p[a>>2&1023]
}

// value returns the current value of a state or memory address.
func (t *Tracer) value(a uint32) uint32 { return Value(t.m, a) }

// Value returns the current value of a state or memory address of m.
func Value(m Machine, a uint32) uint32 {
	switch {
	case a < AddrHI:
		return m.Reg(int(a >> 2))
	case a == AddrHI:
		return m.HI()
	case a == AddrLO:
		return m.LO()
	case a >= AddrFPR && a < AddrFCSR:
		return m.FPR(int((a - AddrFPR) >> 2))
	case a == AddrFCSR:
		return m.FCSR()
	case a == AddrTLS:
		return m.TLS()
	}
	return m.ReadWord(a)
}

// access records one access at the given slot of the current step.
func (t *Tracer) access(a, value, prev uint32, write bool, slot uint32) {
	e := t.entry(a)
	r := t.rec
	prevShard, prevClk := t.shard, e.clk
	if e.gen != t.gen {
		// First access in this shard: the predecessor is the Linker's to
		// fill in.
		e.local = uint32(len(r.Local))
		r.Local = append(r.Local, Local{Addr: a, InitValue: prev})
		r.first = append(r.first, uint32(len(r.Memory)))
		prevShard, prevClk = 0, 0
	}
	clk := t.clk + slot
	w := uint8(0)
	if write {
		w = 1
	}
	r.Memory = append(r.Memory, Memory{Addr: a, Clk: clk, Value: value, PrevShard: prevShard, PrevClk: prevClk, PrevValue: prev, Write: w})
	e.gen, e.clk = t.gen, clk
}

// Step executes one instruction and records its events.
func (t *Tracer) Step() {
	m := t.m
	if t.Done() {
		return
	}
	pc, npc := m.PC(), m.NextPC()
	var in program.Inst
	if pc&3 == 0 {
		in = m.InstAt(pc)
	}
	info := ops[in.Op]
	rs, rt, rd := int(in.Rs), int(in.Rt), int(in.Rd)
	// B and C are the operands the instruction reads, so rows bind every
	// value they carry: B = rs (for immediate shifts, the value shifted:
	// rt), C = rt or the immediate (the shift amount); 0 when not read.
	immShift := in.Op == program.OpSLL || in.Op == program.OpSRL || in.Op == program.OpSRA || in.Op == program.OpROTR
	b, c := uint32(0), uint32(0)
	if info.roles&program.ReadRs != 0 {
		b = m.Reg(rs)
	}
	if info.roles&program.ReadRt != 0 {
		c = m.Reg(rt)
	}
	if immShift {
		b = m.Reg(rt)
	}
	if info.roles&program.Imm != 0 {
		c = in.Imm
		if immShift {
			c = uint32(in.Sa)
		}
	}
	d := m.Reg(rd)
	if info.roles&program.Imm != 0 && info.fam == famBitField {
		d = m.Reg(rt) // INS reads its destination
	}
	hi, lo, fcsr := m.HI(), m.LO(), m.FCSR()
	raIn, fsIn, fs1In := m.Reg(31), m.FPR(rd), m.FPR((rd+1)&31)
	tlsIn := m.TLS()

	// The pre-step view of what the step reads.
	type read struct{ addr, value uint32 }
	var reads [8]read
	nr := 0
	addRead := func(a, v uint32) { reads[nr] = read{a, v}; nr++ }
	if info.roles&program.ReadRs != 0 {
		addRead(AddrReg+4*uint32(rs), b)
	}
	if info.roles&program.ReadRt != 0 {
		addRead(AddrReg+4*uint32(rt), m.Reg(rt))
	}
	if info.roles&program.ReadRd != 0 {
		addRead(AddrReg+4*uint32(rd), d)
	}
	if info.roles&program.ReadHI != 0 {
		addRead(AddrHI, hi)
	}
	if info.roles&program.ReadLO != 0 {
		addRead(AddrLO, lo)
	}
	if info.roles&program.ReadFCSR != 0 {
		addRead(AddrFCSR, fcsr)
	}
	if in.Op == program.OpRDHWR && in.Rd == 29 {
		addRead(AddrTLS, m.TLS())
	}
	if info.roles&program.ReadFt != 0 {
		addRead(AddrFPR+4*uint32(rt), m.FPR(rt))
	}
	if info.roles&program.ReadFt2 != 0 {
		addRead(AddrFPR+4*uint32(rt+1), m.FPR(rt+1))
	}
	if info.roles&program.ReadFs != 0 {
		addRead(AddrFPR+4*uint32(rd), m.FPR(rd))
	}
	if info.roles&program.ReadFs1 != 0 {
		addRead(AddrFPR+4*uint32(rd+1), m.FPR(rd+1))
	}
	var code uint32
	if in.Op == program.OpSYSCALL {
		code = m.Reg(2)
		for _, r := range []int{2, 4, 5, 6, 7} {
			addRead(AddrReg+4*uint32(r), m.Reg(r))
		}
	}
	ea := b + in.Imm
	var mem0, mem1 uint32
	wordAddr, words := m.DataWords(in)
	if words > 0 {
		mem0 = m.ReadWord(wordAddr)
	}
	if words > 1 {
		mem1 = m.ReadWord(wordAddr + 4)
	}
	rtIn, rtIn2 := m.Reg(rt), uint32(0)
	if in.Op == program.OpLWC1 || in.Op == program.OpSWC1 || in.Op == program.OpLDC1 || in.Op == program.OpSDC1 {
		rtIn, rtIn2 = m.FPR(rt), m.FPR((rt+1)&31)
	}

	// Execute through the executor's one step loop.
	if in.Op == program.OpSYSCALL {
		t.log = t.log[:0]
		m.LogAccesses(&t.log)
	}
	m.RunUntil(m.Step() + 1)
	if in.Op == program.OpSYSCALL {
		m.LogAccesses(nil)
		if code == 3 && m.Unconstrained() { // ENTER_UNCONSTRAINED: skip to its EXIT
			m.RunUnconstrained()
		}
	}
	if m.Err() != nil {
		return // the step did not happen
	}

	r := t.rec
	cpu := CPU{Clk: t.clk, PC: pc, NextPC: npc, NewPC: m.PC(), NewNextPC: m.NextPC(), Inst: in.Word, Op: uint8(in.Op), B: b, C: c}
	fetched := pc&3 == 0 && pc >= executor.NullLimit
	if m.Fault() != nil && !fetched {
		// The fetch faulted: nothing was read, nothing changes.
		cpu.Exit = 1
		r.CPU = append(r.CPU, cpu)
		t.advance(1)
		return
	}
	for i := 0; i < nr; i++ {
		t.access(reads[i].addr, reads[i].value, reads[i].value, false, uint32(i))
	}
	if m.Fault() != nil {
		// A faulting step read its operands and changes nothing else but
		// ends the run.
		cpu.Exit = 1
		r.CPU = append(r.CPU, cpu)
		t.advance(1)
		return
	}

	extra := uint32(0)
	switch info.fam {
	case famMem:
		a := wordAddr
		if info.roles&program.MemRead != 0 {
			t.access(a, mem0, mem0, false, SlotMemRead)
			if words > 1 {
				t.access(a+4, mem1, mem1, false, SlotMemRead)
			}
		}
		out0, out1 := m.ReadWord(a), m.ReadWord(a+4)
		if info.roles&program.MemWrite != 0 {
			t.access(a, out0, mem0, true, SlotMemWrite)
			if words > 1 {
				t.access(a+4, out1, mem1, true, SlotMemWrite)
			}
		}
		mi := MemInstr{Clk: t.clk, Op: uint8(in.Op), Base: b, Offset: in.Imm, Addr: ea, RtIn: rtIn, MemIn: mem0, MemOut: out0,
			LaneMask: laneMask(in.Op, ea, m.BigEndian())}
		switch in.Op {
		case program.OpLWC1, program.OpSWC1:
			mi.RtOut = m.FPR(rt)
		case program.OpLDC1, program.OpSDC1:
			mi.RtOut, mi.RtIn2, mi.RtOut2 = m.FPR(rt), rtIn2, m.FPR(rt+1)
			mi.MemIn2, mi.MemOut2 = mem1, out1
		default:
			mi.RtOut = m.Reg(rt)
		}
		r.MemInstr = append(r.MemInstr, mi)
	case famSyscall:
		sc := Syscall{Clk: t.clk, Code: code, A0: m.Reg(4), A1: m.Reg(5), A2: m.Reg(6), A3: reads[4].value, V0: m.Reg(2), A3Out: m.Reg(7)}
		sc.A0, sc.A1, sc.A2 = reads[1].value, reads[2].value, reads[3].value
		precompile := executor.IsPrecompile(code)
		if precompile {
			extra = executor.PrecompileExtraCycles(code)
		}
		sc.ExtraCycles = extra
		sc.Reads, sc.Writes = t.syscallAccesses()
		if precompile {
			r.Precompiles[code] = append(r.Precompiles[code], Precompile{Clk: t.clk, Code: code, A0: sc.A0, A1: sc.A1, Reads: sc.Reads, Writes: sc.Writes})
		}
		r.Syscall = append(r.Syscall, sc)
		// Every syscall may write v0 and a3; record both with their values.
		t.access(AddrReg+4*2, m.Reg(2), reads[0].value, true, SlotRegWrite)
		t.access(AddrReg+4*7, m.Reg(7), reads[4].value, true, SlotRegWrite+1)
		if tls := m.TLS(); tls != tlsIn { // set_thread_area
			t.access(AddrTLS, tls, tlsIn, true, SlotRegWrite+2)
		}
		if m.Exited() {
			cpu.Exit = 1
		}
	}

	// Register writes.
	slot := uint32(SlotRegWrite)
	write := func(a, prev, now uint32) {
		t.access(a, now, prev, true, slot)
		slot++
	}
	var dest uint32
	switch {
	case info.roles&program.WriteRd != 0:
		dest = m.Reg(rd)
		write(AddrReg+4*uint32(rd), d, dest)
	case info.roles&program.WriteRt != 0:
		dest = m.Reg(rt)
		write(AddrReg+4*uint32(rt), rtIn, dest)
	}
	if info.roles&program.WriteRA != 0 {
		dest = m.Reg(31)
		write(AddrReg+4*31, raIn, dest)
	}
	if info.roles&program.WriteHI != 0 {
		write(AddrHI, hi, m.HI())
	}
	if info.roles&program.WriteLO != 0 {
		write(AddrLO, lo, m.LO())
	}
	if info.roles&program.WriteFt != 0 {
		write(AddrFPR+4*uint32(rt), rtIn, m.FPR(rt))
	}
	if info.roles&program.WriteFt2 != 0 {
		write(AddrFPR+4*uint32(rt+1), rtIn2, m.FPR(rt+1))
	}
	if info.roles&program.WriteFs != 0 {
		write(AddrFPR+4*uint32(rd), fsIn, m.FPR(rd))
	}
	if info.roles&program.WriteFs1 != 0 {
		write(AddrFPR+4*uint32(rd+1), fs1In, m.FPR(rd+1))
	}
	if info.roles&program.WriteFCSR != 0 {
		write(AddrFCSR, fcsr, m.FCSR())
	}
	cpu.A = dest

	switch info.fam {
	case famAddSub:
		r.AddSub = append(r.AddSub, ALU{Clk: t.clk, Op: uint8(in.Op), A: dest, B: b, C: c})
	case famLt:
		r.Lt = append(r.Lt, ALU{Clk: t.clk, Op: uint8(in.Op), A: dest, B: b, C: c})
	case famShift: // B = the value shifted, C = the amount
		if immShift {
			r.Shift = append(r.Shift, ALU{Clk: t.clk, Op: uint8(in.Op), A: dest, B: b, C: c})
		} else {
			r.Shift = append(r.Shift, ALU{Clk: t.clk, Op: uint8(in.Op), A: dest, B: c, C: b})
		}
	case famBitwise:
		r.Bitwise = append(r.Bitwise, ALU{Clk: t.clk, Op: uint8(in.Op), A: dest, B: b, C: c})
	case famCloClz:
		r.CloClz = append(r.CloClz, ALU{Clk: t.clk, Op: uint8(in.Op), A: dest, B: b})
	case famBitField:
		alu := ALU{Clk: t.clk, Op: uint8(in.Op), A: dest, B: b, C: c}
		if in.Op == program.OpINS {
			alu.D = rtIn
		}
		if in.Op == program.OpWSBH || in.Op == program.OpSEB || in.Op == program.OpSEH {
			alu.B = rtIn
		}
		r.BitField = append(r.BitField, alu)
	case famMovCond:
		alu := ALU{Clk: t.clk, Op: uint8(in.Op), A: dest, B: b, C: c, D: d}
		if in.Op == program.OpMOVF || in.Op == program.OpMOVT {
			alu.C = fcsr
		}
		r.MovCond = append(r.MovCond, alu)
	case famMul:
		if in.Op == program.OpMUL {
			// MUL neither reads nor writes HI and LO: its row carries none.
			r.Mul = append(r.Mul, MulDiv{Clk: t.clk, Op: uint8(in.Op), B: b, C: c, A: dest})
		} else {
			r.Mul = append(r.Mul, MulDiv{Clk: t.clk, Op: uint8(in.Op), B: b, C: c, HiIn: hi, LoIn: lo, HiOut: m.HI(), LoOut: m.LO(), A: dest})
		}
	case famDivRem:
		r.DivRem = append(r.DivRem, MulDiv{Clk: t.clk, Op: uint8(in.Op), B: b, C: c, HiIn: hi, LoIn: lo, HiOut: m.HI(), LoOut: m.LO()})
	case famBranch:
		br := Branch{Clk: t.clk, Op: uint8(in.Op), PC: pc, B: b, C: c, Target: in.Imm, NewPC: m.PC(), NewNextPC: m.NextPC()}
		if info.roles&program.ReadFCSR != 0 {
			br.B, br.C = fcsr, 0
		}
		if m.NextPC() == in.Imm && m.PC() == npc {
			br.Taken = 1
		}
		r.Branch = append(r.Branch, br)
	case famJump:
		r.Jump = append(r.Jump, Jump{Clk: t.clk, Op: uint8(in.Op), PC: pc, Target: m.NextPC(), Link: dest})
	}
	r.CPU = append(r.CPU, cpu)
	t.advance(1 + extra)
}

// syscallAccesses records the memory words the syscall read and wrote,
// coalesced per word: one read of the value before, one write of the
// value after. It returns how many of each.
func (t *Tracer) syscallAccesses() (reads, writes uint32) {
	if len(t.log) == 0 {
		return 0, 0
	}
	type span struct {
		first, last uint32
		read, write bool
	}
	byAddr := map[uint32]*span{}
	var order []uint32
	for _, a := range t.log {
		s := byAddr[a.Addr]
		if s == nil {
			s = &span{first: a.Prev}
			byAddr[a.Addr] = s
			order = append(order, a.Addr)
		}
		s.last = a.Value
		if a.Write {
			s.write = true
		} else if !s.write {
			s.read = true
		}
	}
	sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
	for _, a := range order {
		if s := byAddr[a]; s.read {
			t.access(a, s.first, s.first, false, SlotMemRead)
			reads++
		}
	}
	for _, a := range order {
		if s := byAddr[a]; s.write {
			t.access(a, s.last, s.first, true, SlotMemWrite)
			writes++
		}
	}
	return reads, writes
}

// advance moves the clock past a step of n cycles.
func (t *Tracer) advance(n uint32) {
	t.clk += ClkPerCycle * n
	t.rec.Cycles += uint64(n)
}

// byAddr sorts Local rows by address, keeping first in step.
type byAddr struct {
	l []Local
	f []uint32
}

func (b byAddr) Len() int           { return len(b.l) }
func (b byAddr) Less(i, j int) bool { return b.l[i].Addr < b.l[j].Addr }
func (b byAddr) Swap(i, j int) {
	b.l[i], b.l[j] = b.l[j], b.l[i]
	b.f[i], b.f[j] = b.f[j], b.f[i]
}

// laneMask returns the bytes of the aligned word at ea that a load or store
// covers: bit i is the byte at address (ea &^ 3) + i.
func laneMask(op program.Op, ea uint32, bigEndian bool) uint32 {
	k := ea & 3
	switch op {
	case program.OpLB, program.OpLBU, program.OpSB:
		return 1 << k
	case program.OpLH, program.OpLHU, program.OpSH:
		return 3 << (k & 2)
	case program.OpLWL, program.OpSWL, program.OpLWR, program.OpSWR:
		// LWL/SWL cover the bytes from ea to the word's most significant
		// end, LWR/SWR from its least significant end to ea; which end is
		// at the higher address depends on the byte order.
		toHigh := (op == program.OpLWL || op == program.OpSWL) == bigEndian
		if toHigh {
			return 0xf &^ (1<<k - 1)
		}
		return 1<<(k+1) - 1
	}
	return 0xf
}
