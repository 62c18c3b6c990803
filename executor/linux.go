package executor

// (stub, being written)
type osState struct {
	tls     uint32
	heap    uint32
	calls   map[uint32]uint64
	unknown map[uint32]uint64
}

type zkState struct {
	public    []byte
	committed bool
	digest    [8]uint32
	deferred  [8]uint32
}

func (m *Machine) initOS(end uint32) error {
	m.regs[29] = StackTop - 64
	return nil
}
func (m *Machine) syscall()        { m.exited = true; m.exitCode = uint8(m.regs[4]) }
func syscallName(n uint32) string  { return "x" }
func (m *Machine) patchGoRuntime() {}
