package executor

// InitialFDs reports whether the descriptor table is still a new
// process's (0-2 and the oracle's 3-6, each of its initial kind): the
// on-chain contract assumes that table, so fault proofs of descriptor
// syscalls depend on it.
func (m *Machine) InitialFDs() bool {
	init := initialFDs()
	if len(m.os.fds) != len(init) {
		return false
	}
	for fd, e := range init {
		if got, ok := m.os.fds[fd]; !ok || got.kind != e.kind {
			return false
		}
	}
	return true
}

// HasStdin reports whether the guest's standard input has a source (reads
// of fd 0 then return data the fault-proof state does not hold).
func (m *Machine) HasStdin() bool { return m.os.stdin != nil }
