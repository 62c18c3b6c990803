package executor

// Go programs start runtime threads (sysmon, GC workers) with clone, and
// zkmips never runs a second thread: the single-threaded state is what the
// fault-proof format (issue 3) can prove. Most of the runtime copes, since
// with one CPU reported every goroutine runs on the main thread. One path
// does not: runtime.main keeps the main goroutine locked to the main thread
// during initialisation and gcenable then waits on a channel for two new
// goroutines, which only another thread could run. So, as both peer VMs
// do, the entry of each function below is replaced by "jr $ra; nop" at load
// time. The cost: the garbage collector never runs (memory only grows),
// which keeps execution deterministic and cheap. docs/linux.md has the
// details.
var goRuntimePatches = []string{
	"runtime.gcenable",
}

// patchGoRuntime applies goRuntimePatches to the symbols the program has.
func (m *Machine) patchGoRuntime() {
	for _, name := range goRuntimePatches {
		s, ok := m.prog.Lookup(name)
		if !ok || !s.Func || s.Addr&3 != 0 || s.Addr < NullLimit {
			continue
		}
		m.WriteWord(s.Addr, 0x03e00008) // jr $ra
		m.WriteWord(s.Addr+4, 0)        // nop (delay slot)
		m.patched = append(m.patched, name)
	}
}

// Patched returns the names of the runtime functions patched at load time.
func (m *Machine) Patched() []string { return m.patched }
