package executor

import (
	"errors"
	"fmt"
)

// Signals a fault ends the guest with; the exit code is 128+signal, as for
// a Linux process killed by it.
const (
	SIGILL  = 4
	SIGTRAP = 5
	SIGFPE  = 8
	SIGBUS  = 10
	SIGSEGV = 11
)

// FaultKind classifies a guest fault.
type FaultKind uint8

// Fault kinds.
const (
	FaultReserved  FaultKind = iota + 1 // reserved or invalid instruction
	FaultDelaySlot                      // branch or jump in a delay slot
	FaultOverflow                       // ADD/ADDI/SUB overflow
	FaultTrap                           // taken trap (TEQ...) or BREAK
	FaultAlign                          // misaligned data or instruction address
	FaultNull                           // access to the unmapped null page
	FaultSignal                         // guest sent itself a fatal signal
)

var faultKindNames = [...]string{
	FaultReserved:  "reserved instruction",
	FaultDelaySlot: "branch in delay slot",
	FaultOverflow:  "integer overflow",
	FaultTrap:      "trap",
	FaultAlign:     "address error",
	FaultNull:      "null page access",
	FaultSignal:    "fatal signal",
}

func (k FaultKind) String() string {
	if int(k) < len(faultKindNames) && faultKindNames[k] != "" {
		return faultKindNames[k]
	}
	return "fault"
}

// Fault describes how a guest was ended by a fault. It is a pure function of
// the machine state before the faulting step, so it can be proven.
type Fault struct {
	Kind   FaultKind
	Signal int
	PC     uint32
	Step   uint64 // the step that faulted (0-based)
	Inst   string // disassembly of the faulting instruction
	Addr   uint32 // offending data address, for address and null faults
	Symbol string // function containing PC, when known
	Detail string
}

var signalNames = map[int]string{SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGFPE: "SIGFPE", SIGBUS: "SIGBUS", SIGSEGV: "SIGSEGV", 6: "SIGABRT", 9: "SIGKILL", 15: "SIGTERM", 1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 13: "SIGPIPE", 14: "SIGALRM"}

// SignalName returns the conventional name of signal n.
func SignalName(n int) string {
	if s, ok := signalNames[n]; ok {
		return s
	}
	return fmt.Sprintf("signal %d", n)
}

func (f *Fault) Error() string {
	s := fmt.Sprintf("%s (%s", SignalName(f.Signal), f.Kind)
	if f.Detail != "" {
		s += ": " + f.Detail
	}
	s += ")"
	if f.Inst != "" {
		s += " executing " + f.Inst
	}
	s += fmt.Sprintf(" at pc 0x%08x", f.PC)
	if f.Symbol != "" {
		s += " in " + f.Symbol
	}
	return s + fmt.Sprintf(", step %d", f.Step)
}

// ErrStepLimit is wrapped by the error a run returns when it reached
// Config.MaxSteps before the guest exited.
var ErrStepLimit = errors.New("step limit reached")

// raise ends the guest with a fault at the current (not yet advanced) pc.
// The faulting step counts as executed.
func (m *Machine) raise(kind FaultKind, sig int, addr uint32, detail string) {
	f := &Fault{Kind: kind, Signal: sig, PC: m.pc, Step: m.step, Addr: addr, Detail: detail}
	if m.pc&3 == 0 {
		f.Inst = m.instAt(m.pc).String()
	}
	if s, ok := m.prog.SymbolAt(m.pc); ok {
		f.Symbol = fmt.Sprintf("%s+0x%x", s.Name, m.pc-s.Addr)
	}
	m.fault = f
	m.exited = true
	m.exitCode = uint8(128 + sig)
	m.step++
}

// stopWith stops the run with an executor error (not a guest outcome).
func (m *Machine) stopWith(err error) {
	if m.err == nil {
		m.err = err
	}
}

// where describes the current position for error messages.
func (m *Machine) where() string {
	s := fmt.Sprintf("pc 0x%08x", m.pc)
	if sym, ok := m.prog.SymbolAt(m.pc); ok {
		s += fmt.Sprintf(" (%s+0x%x)", sym.Name, m.pc-sym.Addr)
	}
	return s + fmt.Sprintf(", step %d", m.step)
}
