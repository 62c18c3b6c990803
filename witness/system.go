package witness

import (
	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
)

// Linux o32 syscall numbers whose effect involves system words.
const (
	sysKill           = 4037
	sysBrk            = 4045
	sysClone          = 4120
	sysRtSigaction    = 4194
	sysTkill          = 4236
	sysTgkill         = 4266
	sysSetThreadArea  = 4283
	sysGetrandom      = 4353
	guestPID          = 1000
	maxGetrandomBytes = 1<<25 - 1
)

// systemWords returns the system words (the OS state in the null page,
// executor.SystemPage) the next step reads or may write, ascending: the
// proofs of a step carry them first, and the contract touches them in
// that order (docs/fault-proofs.md lists the rule per instruction and
// syscall; it depends on the instruction, the registers and the OS state
// only, never on the step's outcome).
func systemWords(m *executor.Machine) []uint32 {
	pc := m.PC()
	if pc&3 != 0 || pc < executor.NullLimit {
		return nil
	}
	in := m.InstAt(pc)
	fpr := func(i uint8) uint32 { return executor.SysFPR + 4*uint32(i&31) }
	switch in.Op {
	case program.OpMFC1, program.OpMTC1:
		return []uint32{fpr(in.Rd)}
	case program.OpMFHC1, program.OpMTHC1:
		return []uint32{fpr(in.Rd | 1)}
	case program.OpCFC1, program.OpCTC1, program.OpMOVF, program.OpMOVT,
		program.OpBC1F, program.OpBC1T, program.OpBC1FL, program.OpBC1TL:
		return []uint32{executor.SysFCSR}
	case program.OpLWC1, program.OpSWC1:
		return []uint32{fpr(in.Rt)}
	case program.OpLDC1, program.OpSDC1:
		return []uint32{fpr(in.Rt &^ 1), fpr(in.Rt | 1)}
	case program.OpRDHWR:
		if in.Rd == 29 {
			return []uint32{executor.SysTLS}
		}
		return nil
	case program.OpSYSCALL:
	default:
		return nil
	}
	a0, a1, a2 := m.Reg(4), m.Reg(5), m.Reg(6)
	sig := func(s uint32) uint32 { return executor.SysSigBase + 8*s }
	kill := func(tid, s uint32) []uint32 {
		if s > 128 {
			return nil
		}
		var w []uint32
		ok := tid == guestPID
		if !ok {
			w = append(w, executor.SysNextTid)
			ok = tid > guestPID && tid < m.SystemWord(executor.SysNextTid)
		}
		if ok && s != 0 {
			w = append(w, sig(s))
		}
		return w
	}
	switch m.Reg(2) {
	case sysBrk:
		return []uint32{executor.SysBrk}
	case sysSetThreadArea:
		return []uint32{executor.SysTLS}
	case sysClone:
		if a0&0x100 != 0 { // CLONE_VM: a thread id is handed out
			return []uint32{executor.SysNextTid}
		}
	case sysRtSigaction:
		if a0 == 0 || a0 > 128 || a1 != 0 && (a0 == 9 || a0 == 23) {
			return nil
		}
		return []uint32{sig(a0), sig(a0) + 4}
	case sysKill:
		if a0 != guestPID && a0 != 0 && int32(a0) != -1 {
			return nil
		}
		return kill(guestPID, a1)
	case sysTkill:
		return kill(a0, a1)
	case sysTgkill:
		return kill(a1, a2)
	case sysGetrandom:
		n := min(a1, maxGetrandomBytes)
		if n == 0 || a0 < executor.NullLimit || uint64(a0)+uint64(n) > 1<<32 {
			return nil
		}
		return []uint32{executor.SysRngLo, executor.SysRngHi}
	}
	return nil
}
