package executor

import (
	"fmt"
	"math/bits"

	"github.com/zkmips/zkmips/program"
)

// Run executes until the guest exits or faults, an executor error occurs, or
// Config.MaxSteps is reached, and returns the outcome.
func (m *Machine) Run() *Result {
	limit := ^uint64(0)
	if m.cfg.MaxSteps != 0 {
		limit = m.cfg.MaxSteps
	}
	m.RunUntil(limit)
	if !m.exited && m.err == nil && m.step >= limit {
		m.err = fmt.Errorf("%w: %d steps (--max-steps) without exiting, at %s", ErrStepLimit, limit, m.where())
	}
	return m.result()
}

// RunUntil executes until the step counter reaches limit or the run ends.
// RunUntil(Step()+1) executes exactly one instruction: every mode steps
// through this one definition of the instruction semantics.
func (m *Machine) RunUntil(limit uint64) {
	for !m.exited && m.err == nil && m.step < limit {
		m.run(limit)
	}
}

// RunUntilCycle executes until Cycles() reaches c or the run ends: it stops
// at the first step boundary at or past c. Extra cycles only change inside
// precompile calls, which return to this loop, so the limit is exact.
func (m *Machine) RunUntilCycle(c uint64) {
	for !m.exited && m.err == nil && m.step+m.extra < c {
		m.run(c - m.extra)
	}
}

// Unconstrained reports whether the guest is between ENTER_UNCONSTRAINED
// and EXIT_UNCONSTRAINED.
func (m *Machine) Unconstrained() bool { return m.zk.snap != nil }

// RunUnconstrained runs until EXIT_UNCONSTRAINED has restored the state
// saved by ENTER_UNCONSTRAINED (or the run ends). Tracing uses it to skip
// what must not be recorded.
func (m *Machine) RunUnconstrained() {
	for m.zk.snap != nil && !m.exited && m.err == nil {
		m.run(^uint64(0))
	}
}

// fetchSlow returns the instruction at m.pc when it lies outside the decoded
// code list (code written at run time, zero-filled executable tails), or
// raises the fetch fault and returns nil.
func (m *Machine) fetchSlow() *program.Inst {
	pc := m.pc
	if pc&3 != 0 {
		m.raise(FaultAlign, SIGBUS, pc, "instruction fetch from misaligned address")
		return nil
	}
	if pc < NullLimit {
		m.raise(FaultNull, SIGSEGV, pc, "instruction fetch from the null page")
		return nil
	}
	m.scratch = program.Decode(m.mem.load(pc), pc)
	return &m.scratch
}

// DataWords returns the aligned data words the load or store in executes
// from the current state: n words (0, 1, or 2 for LDC1/SDC1) starting at a.
// Syscalls report theirs through LogAccesses. Tracing and step witnesses
// use it, so the step loop's addressing has one description outside it.
func (m *Machine) DataWords(in program.Inst) (a uint32, n int) {
	switch in.Op {
	case program.OpLB, program.OpLH, program.OpLWL, program.OpLW, program.OpLBU, program.OpLHU, program.OpLWR,
		program.OpSB, program.OpSH, program.OpSWL, program.OpSW, program.OpSWR, program.OpLL, program.OpSC,
		program.OpLWC1, program.OpSWC1:
		return (m.regs[in.Rs] + in.Imm) &^ 3, 1
	case program.OpLDC1, program.OpSDC1:
		return (m.regs[in.Rs] + in.Imm) &^ 3, 2
	}
	return 0, 0
}

// InstAt returns the decoded instruction at the aligned address pc, as the
// step loop sees it.
func (m *Machine) InstAt(pc uint32) program.Inst { return m.instAt(pc) }

// instAt decodes the instruction at the aligned address pc.
func (m *Machine) instAt(pc uint32) program.Inst {
	if i := (pc - m.codeBase) >> 2; i < uint32(len(m.code)) {
		return m.code[i]
	}
	return program.Decode(m.mem.load(pc), pc)
}

// fcc reads FP condition code n from FCSR.
func fcc(fcsr uint32, n uint8) bool {
	if n == 0 {
		return fcsr>>23&1 != 0
	}
	return fcsr>>(24+n)&1 != 0
}

// run is the step loop and the single definition of every instruction's
// semantics. Hot state lives in locals and is written back on every exit
// path. Instructions that end the guest leave pc at themselves (like an
// exception's EPC) and count as one step.
//
// The hooks under "if recording" exist only in runRecord, the copy of run
// that go generate makes (run_record.go) for record mode (record.go).
//
//go:generate go test -run TestRunRecordGenerated -update
func (m *Machine) run(limit uint64) {
	r := &m.regs
	rec := m.rec
	mem := m.mem
	code := m.code
	base, cb := m.codeBase, m.codeBytes
	x := m.x
	pc, npc, step := m.pc, m.npc, m.step

	var (
		in     *program.Inst
		fkind  FaultKind
		fsig   int
		faddr  uint32
		fcode  uint32
		detail string
	)
	for step < limit {
		if i := (pc - base) >> 2; i < uint32(len(code)) && pc&3 == 0 {
			in = &code[i]
		} else {
			m.pc, m.npc, m.step = pc, npc, step
			if in = m.fetchSlow(); in == nil {
				return
			}
		}
		m.opCount[in.Op]++
		nnpc := npc + 4
		if recording {
			rec.begin(m, in, pc, npc)
		}

		switch in.Op {
		case program.OpSLL:
			r[in.Rd] = r[in.Rt] << in.Sa
		case program.OpSRL:
			r[in.Rd] = r[in.Rt] >> in.Sa
		case program.OpSRA:
			r[in.Rd] = uint32(int32(r[in.Rt]) >> in.Sa)
		case program.OpROTR:
			r[in.Rd] = bits.RotateLeft32(r[in.Rt], -int(in.Sa))
		case program.OpSLLV:
			r[in.Rd] = r[in.Rt] << (r[in.Rs] & 31)
		case program.OpSRLV:
			r[in.Rd] = r[in.Rt] >> (r[in.Rs] & 31)
		case program.OpSRAV:
			r[in.Rd] = uint32(int32(r[in.Rt]) >> (r[in.Rs] & 31))
		case program.OpROTRV:
			r[in.Rd] = bits.RotateLeft32(r[in.Rt], -int(r[in.Rs]&31))

		case program.OpJR:
			if npc != pc+4 {
				goto delaySlot
			}
			nnpc = r[in.Rs]
		case program.OpJALR:
			if npc != pc+4 {
				goto delaySlot
			}
			nnpc = r[in.Rs]
			r[in.Rd] = pc + 8
		case program.OpJ:
			if npc != pc+4 {
				goto delaySlot
			}
			nnpc = in.Imm
		case program.OpJAL:
			if npc != pc+4 {
				goto delaySlot
			}
			nnpc = in.Imm
			r[31] = pc + 8

		case program.OpMOVZ:
			if r[in.Rt] == 0 {
				r[in.Rd] = r[in.Rs]
			}
		case program.OpMOVN:
			if r[in.Rt] != 0 {
				r[in.Rd] = r[in.Rs]
			}
		case program.OpMOVF:
			if !fcc(m.fcsr, uint8(in.Imm)) {
				r[in.Rd] = r[in.Rs]
			}
		case program.OpMOVT:
			if fcc(m.fcsr, uint8(in.Imm)) {
				r[in.Rd] = r[in.Rs]
			}

		case program.OpSYSCALL:
			// The handler completes the step itself (or stops the run).
			m.pc, m.npc, m.step = pc, npc, step
			m.syscall()
			if recording {
				rec.syscall(m)
			}
			if m.exited || m.err != nil || m.yield {
				m.yield = false // memory or code may have been replaced
				return
			}
			pc, npc, step = m.pc, m.npc, m.step
			continue
		case program.OpBREAK:
			// Linux swaps the two 10-bit halves of a 20-bit break code.
			fcode = in.Imm
			if fcode >= 1<<10 {
				fcode = (fcode&0x3ff)<<10 | fcode>>10
			}
			goto trap
		case program.OpSYNC, program.OpPREF, program.OpSYNCI:

		case program.OpMFHI:
			r[in.Rd] = m.hi
		case program.OpMTHI:
			m.hi = r[in.Rs]
		case program.OpMFLO:
			r[in.Rd] = m.lo
		case program.OpMTLO:
			m.lo = r[in.Rs]
		case program.OpMULT:
			p := int64(int32(r[in.Rs])) * int64(int32(r[in.Rt]))
			m.hi, m.lo = uint32(p>>32), uint32(p)
		case program.OpMULTU:
			p := uint64(r[in.Rs]) * uint64(r[in.Rt])
			m.hi, m.lo = uint32(p>>32), uint32(p)
		case program.OpDIV:
			// Division by zero is UNPREDICTABLE in the manual; like qemu we
			// divide by one instead. MinInt32/-1 wraps to MinInt32 rem 0.
			a, b := int32(r[in.Rs]), int32(r[in.Rt])
			if b == 0 {
				m.lo, m.hi = uint32(a), 0
			} else {
				m.lo, m.hi = uint32(a/b), uint32(a%b)
			}
		case program.OpDIVU:
			a, b := r[in.Rs], r[in.Rt]
			if b == 0 {
				m.lo, m.hi = a, 0
			} else {
				m.lo, m.hi = a/b, a%b
			}
		case program.OpMADD:
			acc := int64(uint64(m.hi)<<32|uint64(m.lo)) + int64(int32(r[in.Rs]))*int64(int32(r[in.Rt]))
			m.hi, m.lo = uint32(uint64(acc)>>32), uint32(acc)
		case program.OpMADDU:
			acc := (uint64(m.hi)<<32 | uint64(m.lo)) + uint64(r[in.Rs])*uint64(r[in.Rt])
			m.hi, m.lo = uint32(acc>>32), uint32(acc)
		case program.OpMSUB:
			acc := int64(uint64(m.hi)<<32|uint64(m.lo)) - int64(int32(r[in.Rs]))*int64(int32(r[in.Rt]))
			m.hi, m.lo = uint32(uint64(acc)>>32), uint32(acc)
		case program.OpMSUBU:
			acc := (uint64(m.hi)<<32 | uint64(m.lo)) - uint64(r[in.Rs])*uint64(r[in.Rt])
			m.hi, m.lo = uint32(acc>>32), uint32(acc)
		case program.OpMUL:
			r[in.Rd] = uint32(int32(r[in.Rs]) * int32(r[in.Rt]))

		case program.OpADD:
			a, b := r[in.Rs], r[in.Rt]
			s := a + b
			if (a^s)&(b^s)>>31 != 0 {
				goto overflow
			}
			r[in.Rd] = s
		case program.OpADDU:
			r[in.Rd] = r[in.Rs] + r[in.Rt]
		case program.OpSUB:
			a, b := r[in.Rs], r[in.Rt]
			s := a - b
			if (a^b)&(a^s)>>31 != 0 {
				goto overflow
			}
			r[in.Rd] = s
		case program.OpSUBU:
			r[in.Rd] = r[in.Rs] - r[in.Rt]
		case program.OpAND:
			r[in.Rd] = r[in.Rs] & r[in.Rt]
		case program.OpOR:
			r[in.Rd] = r[in.Rs] | r[in.Rt]
		case program.OpXOR:
			r[in.Rd] = r[in.Rs] ^ r[in.Rt]
		case program.OpNOR:
			r[in.Rd] = ^(r[in.Rs] | r[in.Rt])
		case program.OpSLT:
			if int32(r[in.Rs]) < int32(r[in.Rt]) {
				r[in.Rd] = 1
			} else {
				r[in.Rd] = 0
			}
		case program.OpSLTU:
			if r[in.Rs] < r[in.Rt] {
				r[in.Rd] = 1
			} else {
				r[in.Rd] = 0
			}

		case program.OpTGE, program.OpTGEU, program.OpTLT, program.OpTLTU, program.OpTEQ, program.OpTNE,
			program.OpTGEI, program.OpTGEIU, program.OpTLTI, program.OpTLTIU, program.OpTEQI, program.OpTNEI:
			if taken, code := trapTaken(in, r); taken {
				fcode = code
				goto trap
			}

		case program.OpBEQ:
			if npc != pc+4 {
				goto delaySlot
			}
			if r[in.Rs] == r[in.Rt] {
				nnpc = in.Imm
			}
		case program.OpBNE:
			if npc != pc+4 {
				goto delaySlot
			}
			if r[in.Rs] != r[in.Rt] {
				nnpc = in.Imm
			}
		case program.OpBLEZ:
			if npc != pc+4 {
				goto delaySlot
			}
			if int32(r[in.Rs]) <= 0 {
				nnpc = in.Imm
			}
		case program.OpBGTZ:
			if npc != pc+4 {
				goto delaySlot
			}
			if int32(r[in.Rs]) > 0 {
				nnpc = in.Imm
			}
		case program.OpBLTZ:
			if npc != pc+4 {
				goto delaySlot
			}
			if int32(r[in.Rs]) < 0 {
				nnpc = in.Imm
			}
		case program.OpBGEZ:
			if npc != pc+4 {
				goto delaySlot
			}
			if int32(r[in.Rs]) >= 0 {
				nnpc = in.Imm
			}
		case program.OpBLTZAL:
			if npc != pc+4 {
				goto delaySlot
			}
			if int32(r[in.Rs]) < 0 {
				nnpc = in.Imm
			}
			r[31] = pc + 8
		case program.OpBGEZAL:
			if npc != pc+4 {
				goto delaySlot
			}
			if int32(r[in.Rs]) >= 0 {
				nnpc = in.Imm
			}
			r[31] = pc + 8
		case program.OpBC1F, program.OpBC1T:
			if npc != pc+4 {
				goto delaySlot
			}
			if fcc(m.fcsr, in.Sa) == (in.Op == program.OpBC1T) {
				nnpc = in.Imm
			}

		// Branch-likely: a branch not taken annuls its delay slot.
		case program.OpBEQL, program.OpBNEL, program.OpBLEZL, program.OpBGTZL, program.OpBLTZL,
			program.OpBGEZL, program.OpBLTZALL, program.OpBGEZALL, program.OpBC1FL, program.OpBC1TL:
			if npc != pc+4 {
				goto delaySlot
			}
			if likelyTaken(in, r, m.fcsr) {
				nnpc = in.Imm
			} else {
				npc += 4
				nnpc = npc + 4
			}
			if in.Op == program.OpBLTZALL || in.Op == program.OpBGEZALL {
				r[31] = pc + 8
			}

		case program.OpADDI:
			a, b := r[in.Rs], in.Imm
			s := a + b
			if (a^s)&(b^s)>>31 != 0 {
				goto overflow
			}
			r[in.Rt] = s
		case program.OpADDIU:
			r[in.Rt] = r[in.Rs] + in.Imm
		case program.OpSLTI:
			if int32(r[in.Rs]) < int32(in.Imm) {
				r[in.Rt] = 1
			} else {
				r[in.Rt] = 0
			}
		case program.OpSLTIU:
			if r[in.Rs] < in.Imm {
				r[in.Rt] = 1
			} else {
				r[in.Rt] = 0
			}
		case program.OpANDI:
			r[in.Rt] = r[in.Rs] & in.Imm
		case program.OpORI:
			r[in.Rt] = r[in.Rs] | in.Imm
		case program.OpXORI:
			r[in.Rt] = r[in.Rs] ^ in.Imm
		case program.OpLUI:
			r[in.Rt] = in.Imm

		case program.OpCLZ:
			r[in.Rd] = uint32(bits.LeadingZeros32(r[in.Rs]))
		case program.OpCLO:
			r[in.Rd] = uint32(bits.LeadingZeros32(^r[in.Rs]))
		case program.OpEXT:
			r[in.Rt] = r[in.Rs] >> in.Sa & in.Imm
		case program.OpINS:
			r[in.Rt] = r[in.Rt]&^in.Imm | r[in.Rs]<<in.Sa&in.Imm
		case program.OpWSBH:
			v := r[in.Rt]
			r[in.Rd] = v&0x00ff00ff<<8 | v>>8&0x00ff00ff
		case program.OpSEB:
			r[in.Rd] = uint32(int32(int8(r[in.Rt])))
		case program.OpSEH:
			r[in.Rd] = uint32(int32(int16(r[in.Rt])))
		case program.OpRDHWR:
			switch in.Rd {
			case 0: // CPUNum
				r[in.Rt] = 0
			case 1: // SYNCI_Step
				r[in.Rt] = 32
			case 2: // CC: a deterministic cycle counter
				r[in.Rt] = uint32(step)
			case 3: // CCRes
				r[in.Rt] = 1
			case 29: // UserLocal: the TLS pointer
				r[in.Rt] = m.os.tls
			default:
				goto reserved
			}

		case program.OpLW, program.OpLL:
			a := r[in.Rs] + in.Imm
			if a&3 != 0 || a < NullLimit {
				faddr = a
				goto badAddr
			}
			r[in.Rt] = mem.load(a)
		case program.OpLB:
			a := r[in.Rs] + in.Imm
			if a < NullLimit {
				faddr = a
				goto badAddr
			}
			r[in.Rt] = uint32(int32(int8(mem.load(a&^3) >> ((a&3 ^ x) << 3))))
		case program.OpLBU:
			a := r[in.Rs] + in.Imm
			if a < NullLimit {
				faddr = a
				goto badAddr
			}
			r[in.Rt] = mem.load(a&^3) >> ((a&3 ^ x) << 3) & 0xff
		case program.OpLH:
			a := r[in.Rs] + in.Imm
			if a&1 != 0 || a < NullLimit {
				faddr = a
				goto badAddr
			}
			r[in.Rt] = uint32(int32(int16(mem.load(a&^3) >> ((a&2 ^ x&2) << 3))))
		case program.OpLHU:
			a := r[in.Rs] + in.Imm
			if a&1 != 0 || a < NullLimit {
				faddr = a
				goto badAddr
			}
			r[in.Rt] = mem.load(a&^3) >> ((a&2 ^ x&2) << 3) & 0xffff
		case program.OpLWL:
			a := r[in.Rs] + in.Imm
			if a < NullLimit {
				faddr = a
				goto badAddr
			}
			s := 24 - (a&3^x)<<3
			r[in.Rt] = mem.load(a&^3)<<s | r[in.Rt]&(1<<s-1)
		case program.OpLWR:
			a := r[in.Rs] + in.Imm
			if a < NullLimit {
				faddr = a
				goto badAddr
			}
			s := (a&3 ^ x) << 3
			r[in.Rt] = mem.load(a&^3)>>s | r[in.Rt]&^(0xffffffff>>s)

		case program.OpSW, program.OpSC:
			a := r[in.Rs] + in.Imm
			if a&3 != 0 || a < NullLimit {
				faddr = a
				goto badAddr
			}
			v := r[in.Rt]
			mem.store(a, v)
			if a-base < cb {
				code = m.recode(a, v)
			}
			if in.Op == program.OpSC {
				// No other thread can break the link.
				r[in.Rt] = 1
			}
		case program.OpSB:
			a := r[in.Rs] + in.Imm
			if a < NullLimit {
				faddr = a
				goto badAddr
			}
			s := (a&3 ^ x) << 3
			a &^= 3
			v := mem.load(a)&^(0xff<<s) | (r[in.Rt]&0xff)<<s
			mem.store(a, v)
			if a-base < cb {
				code = m.recode(a, v)
			}
		case program.OpSH:
			a := r[in.Rs] + in.Imm
			if a&1 != 0 || a < NullLimit {
				faddr = a
				goto badAddr
			}
			s := (a&2 ^ x&2) << 3
			a &^= 3
			v := mem.load(a)&^(0xffff<<s) | (r[in.Rt]&0xffff)<<s
			mem.store(a, v)
			if a-base < cb {
				code = m.recode(a, v)
			}
		case program.OpSWL:
			a := r[in.Rs] + in.Imm
			if a < NullLimit {
				faddr = a
				goto badAddr
			}
			s := 24 - (a&3^x)<<3
			a &^= 3
			v := mem.load(a)&^(0xffffffff>>s) | r[in.Rt]>>s
			mem.store(a, v)
			if a-base < cb {
				code = m.recode(a, v)
			}
		case program.OpSWR:
			a := r[in.Rs] + in.Imm
			if a < NullLimit {
				faddr = a
				goto badAddr
			}
			s := (a&3 ^ x) << 3
			a &^= 3
			v := mem.load(a)&(1<<s-1) | r[in.Rt]<<s
			mem.store(a, v)
			if a-base < cb {
				code = m.recode(a, v)
			}

		// COP1: the FP register file in FR=0 mode (o32), enough for code
		// that saves and restores FP state (glibc's setjmp).
		case program.OpLWC1:
			a := r[in.Rs] + in.Imm
			if a&3 != 0 || a < NullLimit {
				faddr = a
				goto badAddr
			}
			m.fpr[in.Rt] = mem.load(a)
		case program.OpSWC1:
			a := r[in.Rs] + in.Imm
			if a&3 != 0 || a < NullLimit {
				faddr = a
				goto badAddr
			}
			v := m.fpr[in.Rt]
			mem.store(a, v)
			if a-base < cb {
				code = m.recode(a, v)
			}
		case program.OpLDC1:
			a := r[in.Rs] + in.Imm
			if a&7 != 0 || a < NullLimit {
				faddr = a
				goto badAddr
			}
			if in.Rt&1 != 0 {
				detail = "odd FP register pair in FR=0 mode"
				goto reserved
			}
			w0, w1 := mem.load(a), mem.load(a+4)
			if x != 0 { // big-endian: the high word comes first
				w0, w1 = w1, w0
			}
			m.fpr[in.Rt], m.fpr[in.Rt+1] = w0, w1
		case program.OpSDC1:
			a := r[in.Rs] + in.Imm
			if a&7 != 0 || a < NullLimit {
				faddr = a
				goto badAddr
			}
			if in.Rt&1 != 0 {
				detail = "odd FP register pair in FR=0 mode"
				goto reserved
			}
			w0, w1 := m.fpr[in.Rt], m.fpr[in.Rt+1]
			if x != 0 {
				w0, w1 = w1, w0
			}
			mem.store(a, w0)
			mem.store(a+4, w1)
			if a-base < cb {
				code = m.recode(a, w0)
			}
			if a+4-base < cb {
				code = m.recode(a+4, w1)
			}
		case program.OpMFC1:
			r[in.Rt] = m.fpr[in.Rd]
		case program.OpMTC1:
			m.fpr[in.Rd] = r[in.Rt]
		case program.OpMFHC1:
			if in.Rd&1 != 0 {
				detail = "odd FP register pair in FR=0 mode"
				goto reserved
			}
			r[in.Rt] = m.fpr[in.Rd+1]
		case program.OpMTHC1:
			if in.Rd&1 != 0 {
				detail = "odd FP register pair in FR=0 mode"
				goto reserved
			}
			m.fpr[in.Rd+1] = r[in.Rt]
		case program.OpCFC1:
			v, ok := readFCR(m.fcsr, in.Rd)
			if !ok {
				detail = fmt.Sprintf("no FP control register %d", in.Rd)
				goto reserved
			}
			r[in.Rt] = v
		case program.OpCTC1:
			v, ok := writeFCR(m.fcsr, in.Rd, r[in.Rt])
			if !ok {
				detail = fmt.Sprintf("FP control register %d is not writable", in.Rd)
				goto reserved
			}
			m.fcsr = v

		case program.OpUnsupported:
			m.pc, m.npc, m.step = pc, npc, step
			m.err = fmt.Errorf("unsupported instruction %s (0x%08x: %s) at %s", in.UnsupportedName(), in.Word, in, m.where())
			return
		default: // OpInvalid
			goto reserved
		}
		r[0] = 0
		pc, npc = npc, nnpc
		step++
		if recording {
			rec.end(m, in, pc, npc)
		}
	}
	m.pc, m.npc, m.step = pc, npc, step
	return

delaySlot:
	fkind, fsig, detail = FaultDelaySlot, SIGILL, "branch or jump in a delay slot"
	goto fault
overflow:
	fkind, fsig = FaultOverflow, SIGFPE
	goto fault
reserved:
	fkind, fsig = FaultReserved, SIGILL
	goto fault
trap:
	// Linux sends SIGFPE for the overflow (6) and divide-by-zero (7) codes
	// gcc emits, SIGTRAP otherwise.
	fkind, fsig = FaultTrap, SIGTRAP
	if fcode == 6 || fcode == 7 {
		fsig = SIGFPE
	}
	if fcode != 0 {
		detail = fmt.Sprintf("code %d", fcode)
	}
	goto fault
badAddr:
	// Alignment is checked before the null page, as the CPU's address
	// error precedes any translation.
	if faddr&alignMask(in.Op) != 0 {
		fkind, fsig = FaultAlign, SIGBUS
		detail = fmt.Sprintf("misaligned address 0x%08x", faddr)
	} else {
		fkind, fsig = FaultNull, SIGSEGV
		detail = fmt.Sprintf("address 0x%08x", faddr)
	}
fault:
	m.pc, m.npc, m.step = pc, npc, step
	m.raise(fkind, fsig, faddr, detail)
}

// trapTaken evaluates a trap instruction's condition and returns the code
// Linux reads from it (immediate forms carry none).
func trapTaken(in *program.Inst, r *[32]uint32) (bool, uint32) {
	a, b, code := r[in.Rs], r[in.Rt], in.Imm
	switch in.Op {
	case program.OpTGEI, program.OpTGEIU, program.OpTLTI, program.OpTLTIU, program.OpTEQI, program.OpTNEI:
		b, code = in.Imm, 0
	}
	switch in.Op {
	case program.OpTGE, program.OpTGEI:
		return int32(a) >= int32(b), code
	case program.OpTGEU, program.OpTGEIU:
		return a >= b, code
	case program.OpTLT, program.OpTLTI:
		return int32(a) < int32(b), code
	case program.OpTLTU, program.OpTLTIU:
		return a < b, code
	case program.OpTEQ, program.OpTEQI:
		return a == b, code
	}
	return a != b, code // TNE, TNEI
}

// likelyTaken evaluates a branch-likely instruction's condition.
func likelyTaken(in *program.Inst, r *[32]uint32, fcsr uint32) bool {
	a := r[in.Rs]
	switch in.Op {
	case program.OpBEQL:
		return a == r[in.Rt]
	case program.OpBNEL:
		return a != r[in.Rt]
	case program.OpBLEZL:
		return int32(a) <= 0
	case program.OpBGTZL:
		return int32(a) > 0
	case program.OpBLTZL, program.OpBLTZALL:
		return int32(a) < 0
	case program.OpBGEZL, program.OpBGEZALL:
		return int32(a) >= 0
	case program.OpBC1FL:
		return !fcc(fcsr, in.Sa)
	}
	return fcc(fcsr, in.Sa) // BC1TL
}

// alignMask returns the alignment an access of op needs, minus one.
func alignMask(op program.Op) uint32 {
	switch op {
	case program.OpLH, program.OpLHU, program.OpSH:
		return 1
	case program.OpLDC1, program.OpSDC1:
		return 7
	case program.OpLB, program.OpLBU, program.OpSB, program.OpLWL, program.OpLWR, program.OpSWL, program.OpSWR:
		return 0
	}
	return 3
}

// FP control registers (FR=0, no FP arithmetic): FIR reports single,
// double, word and long formats; FCSR's writable bits are kept.
const (
	firValue  = 0x00330000
	fcsrWrite = 0xff83ffff
)

func readFCR(fcsr uint32, n uint8) (uint32, bool) {
	switch n {
	case 0:
		return firValue, true
	case 25: // FCCR: the eight condition codes
		return fcsr>>24&0xfe | fcsr>>23&1, true
	case 26: // FEXR: cause and flags
		return fcsr & 0x0003f07c, true
	case 28: // FENR: enables, FS and rounding mode
		return fcsr&0x00000f83 | fcsr>>22&4, true
	case 31:
		return fcsr, true
	}
	return 0, false
}

func writeFCR(fcsr uint32, n uint8, v uint32) (uint32, bool) {
	switch n {
	case 25:
		return fcsr&^0xfe800000 | (v&0xfe)<<24 | (v&1)<<23, true
	case 26:
		return fcsr&^0x0003f07c | v&0x0003f07c, true
	case 28:
		return fcsr&^0x01000f83 | v&0x00000f83 | (v&4)<<22, true
	case 31:
		return v & fcsrWrite, true
	}
	return 0, false
}
