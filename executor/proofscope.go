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

// Addresses of the system words: the OS state the fault-proof memory tree
// keeps in the null page, which guest loads and stores can never reach
// (docs/fault-proofs.md). The FPR, FCSR and TLS addresses are the ones
// execution records use for the same registers.
const (
	SysFPR     = 0x100 // + 4*i
	SysFCSR    = 0x180
	SysTLS     = 0x184
	SysBrk     = 0x188
	SysNextTid = 0x18c
	SysRngLo   = 0x190
	SysRngHi   = 0x194
	SysSigBase = 0x200 // + 8*sig: sa_handler, then sa_flags
)

// SystemPage fills p with the null page of the fault-proof memory: the
// machine's OS state at the Sys* addresses, zero elsewhere.
func (m *Machine) SystemPage(p *[pageWords]uint32) {
	clear(p[:])
	copy(p[SysFPR/4:], m.fpr[:])
	p[SysFCSR/4] = m.fcsr
	p[SysTLS/4] = m.os.tls
	p[SysBrk/4] = m.os.brk
	p[SysNextTid/4] = m.os.nextTid
	p[SysRngLo/4], p[SysRngHi/4] = uint32(m.os.rng), uint32(m.os.rng>>32)
	for s := range m.os.handlers {
		p[SysSigBase/4+2*s] = m.os.handlers[s]
		p[SysSigBase/4+2*s+1] = m.os.hflags[s]
	}
}

// SystemWord returns one word of SystemPage.
func (m *Machine) SystemWord(a uint32) uint32 {
	var p [pageWords]uint32
	m.SystemPage(&p)
	return p[a>>2&(pageWords-1)]
}
