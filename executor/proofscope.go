package executor

// Addresses of the system words: the OS state the fault-proof memory tree
// keeps in the null page, which guest loads and stores can never reach
// (docs/fault-proofs.md). The FPR, FCSR and TLS addresses are the ones
// execution records use for the same registers. The descriptor table's
// words are in fd.go.
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
	clear(p[:SysFDSlot/4])
	copy(p[SysFPR/4:], m.fpr[:])
	p[SysFCSR/4] = m.fcsr
	p[SysTLS/4] = m.os.tls
	p[SysBrk/4] = m.os.brk
	p[SysNextTid/4] = m.os.nextTid
	p[SysRngLo/4], p[SysRngHi/4] = uint32(m.os.rng), uint32(m.os.rng>>32)
	p[SysFDTable/4], p[SysFDWatch/4] = m.os.fd.table, m.os.fd.watch
	for s := range m.os.handlers {
		p[SysSigBase/4+2*s] = m.os.handlers[s]
		p[SysSigBase/4+2*s+1] = m.os.hflags[s]
	}
	copy(p[SysFDSlot/4:], m.os.fd.area[:])
}

// SystemWord returns one word of SystemPage.
func (m *Machine) SystemWord(a uint32) uint32 {
	a &= pageSize - 4
	if a == SysFDTable || a == SysFDWatch || a >= SysFDSlot {
		return *m.os.fd.word(a)
	}
	var p [pageWords]uint32
	m.SystemPage(&p)
	return p[a/4]
}
