package executor

import "github.com/zkmips/zkmips/program"

// Go programs start runtime threads (sysmon, spare Ms) with clone, and
// zkmips never runs a second thread: the single-threaded state is what the
// fault-proof format can prove. The runtime copes, since with one CPU
// reported every goroutine runs on the main thread, except at one point:
// during initialisation runtime.main keeps the main goroutine locked to the
// main thread, and runtime.gcenable then waits on a channel for the sweeper
// and scavenger goroutines to start, which only another thread could do
// while the main goroutine is locked.
//
// The channel is buffered, so nothing is lost if gcenable does not wait:
// zkmips replaces gcenable's calls to runtime.chanrecv1 with nops at load
// time. gcenable then enables the garbage collector as usual, the two
// goroutines start once initialisation is over, and the GC runs on the main
// thread like every other goroutine. (Cannon and Ziren instead make
// gcenable return at once, which leaves the GC off for good and makes
// runtime.GC wait forever.) If a Go release changes gcenable so that the
// calls are not found, or (before Go 1.23) starting the mark workers also
// needs a second thread, zkmips falls back to that: gcenable and runtime.GC
// return at once, and the collector never runs.
func (m *Machine) patchGoRuntime() {
	if _, ok := m.goFunc("runtime.gcenable"); !ok {
		return // not a Go program
	}
	// Before Go 1.23, starting the GC's mark workers also needs a second
	// thread (notetsleepg hands the processor to one), so the collector
	// must stay off there.
	workersNeedThread := len(m.callsTo("runtime.gcBgMarkStartWorkers", "runtime.notetsleepg")) > 0
	if calls := m.callsTo("runtime.gcenable", "runtime.chanrecv1"); len(calls) == 2 && !workersNeedThread {
		for _, a := range calls {
			m.patch(a, 0) // nop; the delay slot still runs, as after any call
		}
		m.patched = append(m.patched, "runtime.gcenable: does not wait for the sweeper and scavenger")
		return
	}
	for _, name := range []string{"runtime.gcenable", "runtime.GC"} {
		if f, ok := m.goFunc(name); ok {
			m.patch(f.Addr, 0x03e00008) // jr $ra
			m.patch(f.Addr+4, 0)        // nop (delay slot)
			m.patched = append(m.patched, name+": returns at once (garbage collector disabled)")
		}
	}
}

// callsTo returns the addresses of the calls (jal) in function fn to
// function target.
func (m *Machine) callsTo(fn, target string) []uint32 {
	f, ok1 := m.goFunc(fn)
	t, ok2 := m.goFunc(target)
	if !ok1 || !ok2 {
		return nil
	}
	var calls []uint32
	for a := f.Addr; a-f.Addr < f.Size; a += 4 {
		if in := program.Decode(m.mem.Load(a), a); in.Op == program.OpJAL && in.Imm == t.Addr {
			calls = append(calls, a)
		}
	}
	return calls
}

// goFunc looks up a function symbol that is safe to patch.
func (m *Machine) goFunc(name string) (program.Symbol, bool) {
	s, ok := m.prog.Lookup(name)
	if !ok || !s.Func || s.Addr&3 != 0 || s.Addr < NullLimit {
		return program.Symbol{}, false
	}
	return s, true
}

// Patched describes the load-time patches applied to the program.
func (m *Machine) Patched() []string { return m.patched }

// PatchedWord is one word of the program image replaced at load time.
type PatchedWord struct{ Addr, Word uint32 }

// PatchedWords lists the words of the program image replaced at load time,
// for tools that compare a trace with the ELF file.
func (m *Machine) PatchedWords() []PatchedWord { return m.patchWords }

func (m *Machine) patch(a, w uint32) {
	m.WriteWord(a, w)
	m.patchWords = append(m.patchWords, PatchedWord{a, w})
}
