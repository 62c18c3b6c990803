package witness

import (
	"fmt"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
)

// Linux o32 syscalls whose effect depends on state the 226-byte fault-proof
// state does not hold (docs/fault-proofs.md lists why for each).
var outOfStateSyscalls = map[uint32]string{
	4006: "close (the descriptor table)",
	4248: "epoll_create (the descriptor table)",
	4249: "epoll_ctl (the descriptor table)",
	4250: "epoll_wait (the descriptor table)",
	4313: "epoll_pwait (the descriptor table)",
	4325: "eventfd2 (the descriptor table)",
	4326: "epoll_create1 (the descriptor table)",
	4328: "pipe2 (the descriptor table)",
}

// checkScope refuses, before executing it, a step whose effect the
// on-chain contract cannot reproduce from the state and memory alone.
func checkScope(m *executor.Machine) error {
	pc := m.PC()
	if pc&3 != 0 || pc < executor.NullLimit {
		return nil // a fetch fault, provable
	}
	in := m.InstAt(pc)
	if in.Op != program.OpSYSCALL {
		return nil
	}
	num := m.Reg(2)
	if num < 4000 || num >= 5000 {
		return fmt.Errorf("%w: zkVM call 0x%x at pc 0x%08x (hints, commits and precompiles are not provable on chain)", ErrUnprovable, num, pc)
	}
	if why, ok := outOfStateSyscalls[num]; ok {
		return fmt.Errorf("%w: syscall %s at pc 0x%08x depends on state outside the fault-proof state", ErrUnprovable, why, pc)
	}
	if fdSyscalls[num] && !m.InitialFDs() {
		return fmt.Errorf("%w: syscall %d at pc 0x%08x uses a descriptor table the guest has changed (the contract knows only fds 0-6)", ErrUnprovable, num, pc)
	}
	if num == 4003 && m.Reg(4) == 0 && m.HasStdin() {
		return fmt.Errorf("%w: read of standard input at pc 0x%08x: stdin data is not in the fault-proof state (give pre-images through the oracle instead)", ErrUnprovable, pc)
	}
	return nil
}

// fdSyscalls take a descriptor argument.
var fdSyscalls = map[uint32]bool{
	4003: true, 4004: true, 4019: true, 4054: true, 4055: true, 4090: true, 4140: true,
	4146: true, 4200: true, 4210: true, 4215: true, 4220: true, 4366: true,
}
