package witness

import (
	"fmt"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
)

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
	// A read of fd 0 that returns standard input bytes: they are not in the
	// fault-proof state (on chain, fd 0 is always at end of file). Reads
	// that fail or find stdin exhausted are provable.
	if n, buf := m.Reg(6), m.Reg(5); num == sysRead && m.Reg(4) == 0 && n != 0 &&
		executor.FDOpen(m.SystemWord(executor.SysFDTable), 0) && guestRange(buf, n) && m.StdinPending() {
		return fmt.Errorf("%w: read of standard input at pc 0x%08x returns stdin bytes, which are not in the fault-proof state (give the data through the pre-image oracle instead)", ErrUnprovable, pc)
	}
	return nil
}
