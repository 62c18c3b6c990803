// Package executor runs a loaded MIPS32r2 program deterministically.
//
// Every instruction's semantics live in one place, Machine.run; every mode
// (fast execution, later tracing and step witnesses) drives that same loop.
// Faults, exits and syscalls are state transitions: nothing a guest does makes
// the executor panic.
package executor

import (
	"fmt"
	"io"

	"github.com/zkmips/zkmips/internal/prefault"
	"github.com/zkmips/zkmips/program"
)

// Config is what a run gets from outside the program. Nothing else reaches
// the guest: no host time, randomness or environment.
type Config struct {
	// Args is argv; Args[0] is the program name ("prog" when empty).
	Args []string
	// Env is the environment as K=V strings.
	Env []string
	// Stdin feeds fd 0 (empty when nil).
	Stdin io.Reader
	// Stdout and Stderr receive fds 1 and 2 (discarded when nil).
	Stdout, Stderr io.Writer
	// Inputs are the zkVM input stream items (HINT_LEN/HINT_READ).
	Inputs [][]byte
	// Seed drives getrandom and AT_RANDOM.
	Seed uint64
	// MaxSteps stops the run after that many steps (0: no limit).
	MaxSteps uint64
	// Strict makes an unknown syscall an error instead of -ENOSYS.
	Strict bool
	// NoGoPatches disables the load-time patches of Go runtime symbols.
	NoGoPatches bool
	// Oracle answers the guest's hints (fd 4) and pre-image requests
	// (fd 5). Without one, hints are dropped and a read of fd 5 stops the
	// run with an error.
	Oracle Oracle
}

// Address-space layout. Fixed so that runs are reproducible; see
// docs/linux.md.
const (
	// NullLimit: addresses below it are never mapped (nil dereferences fault).
	NullLimit = 0x1000
	// StackTop is the initial stack's upper end.
	StackTop = 0x7fff0000
	// mmapBase is the lowest address anonymous mmap hands out.
	mmapBase = 0x40000000
	// mmapLimit is where anonymous mmap stops (ENOMEM beyond).
	mmapLimit = 0x7f000000 - 16<<20
)

// Machine is one guest execution.
type Machine struct {
	// CPU state. pc/npc model the delay slot: npc != pc+4 exactly when the
	// instruction at pc sits in a taken branch's delay slot.
	regs   [32]uint32
	pc     uint32
	npc    uint32
	hi, lo uint32
	fpr    [32]uint32
	fcsr   uint32
	step   uint64
	extra  uint64 // extra cycles of the precompiles executed (see Cycles)

	exited   bool
	exitCode uint8
	fault    *Fault
	err      error // executor error that stopped the run

	mem *Memory
	// code is the decoded instruction list; stores into code re-decode.
	// It starts as the program's own list (or another machine's, after
	// Clone) and is copied on the first store into code (codeOwned): a
	// Go guest's list is megabytes, and few programs modify their code.
	code      []program.Inst
	codeOwned bool
	codeBase  uint32
	codeBytes uint32
	// x is the byte-lane XOR: 3 for big-endian guests, 0 for little-endian.
	x       uint32
	scratch program.Inst
	prog    *program.Program
	cfg     Config

	patched    []string
	patchWords []PatchedWord
	os         osState
	zk         zkState
	pre        preimageState
	opCount    [256]uint64 // indexed by program.Op; 256 avoids a bounds check
	acc        *[]Access   // see LogAccesses
	rec        *Recorder   // record mode (Record)
	output     bool        // loads read bytes that only leave the machine (Access.Output)
	yield      bool        // set by a syscall that replaced state the step loop caches
}

// New loads p into a fresh machine with the Linux initial stack laid out.
func New(p *program.Program, cfg Config) (*Machine, error) {
	m := &Machine{prog: p, cfg: cfg, mem: newMemory()}
	if p.BigEndian {
		m.x = 3
	}
	var end uint64
	for i := range p.Segments {
		s := &p.Segments[i]
		if s.Vaddr < NullLimit && s.Memsz != 0 {
			return nil, fmt.Errorf("segment at 0x%x (file offset 0x%x) maps the null page below 0x%x, which zkmips keeps unmapped", s.Vaddr, s.Offset, NullLimit)
		}
		m.writeBytes(s.Vaddr, s.Data)
		end = max(end, s.End())
	}
	m.code = p.Code
	m.codeBase = p.CodeBase
	m.codeBytes = uint32(len(m.code) * 4)
	m.pc, m.npc = p.Entry, p.Entry+4
	m.zk.inputs = append([][]byte(nil), cfg.Inputs...)
	if err := m.initOS(uint32(min(end, 1<<32-pageSize))); err != nil {
		return nil, err
	}
	if !cfg.NoGoPatches {
		m.patchGoRuntime()
	}
	return m, nil
}

// Program returns the loaded program.
func (m *Machine) Program() *program.Program { return m.prog }

// Reg returns general-purpose register i.
func (m *Machine) Reg(i int) uint32 { return m.regs[i&31] }

// SetReg sets general-purpose register i (writes to r0 are ignored).
func (m *Machine) SetReg(i int, v uint32) {
	if i&31 != 0 {
		m.regs[i&31] = v
	}
}

// FPR returns floating-point register i.
func (m *Machine) FPR(i int) uint32 { return m.fpr[i&31] }

// PC returns the address of the next instruction to execute.
func (m *Machine) PC() uint32 { return m.pc }

// NextPC returns the address executed after PC (differs from PC+4 in a delay slot).
func (m *Machine) NextPC() uint32 { return m.npc }

// HI returns the HI register.
func (m *Machine) HI() uint32 { return m.hi }

// LO returns the LO register.
func (m *Machine) LO() uint32 { return m.lo }

// FCSR returns the FP control/status register.
func (m *Machine) FCSR() uint32 { return m.fcsr }

// TLS returns the thread pointer set by set_thread_area (read by rdhwr $29).
func (m *Machine) TLS() uint32 { return m.os.tls }

// Cycles returns the cycles executed: one per step plus the extra cycles
// of every precompile (byte 3 of its code). Shards are cut by cycles.
func (m *Machine) Cycles() uint64 { return m.step + m.extra }

// Step returns the number of steps executed.
func (m *Machine) Step() uint64 { return m.step }

// Exited reports whether the guest has ended (exit syscall, HALT or fault).
func (m *Machine) Exited() bool { return m.exited }

// ExitCode returns the exit code once Exited.
func (m *Machine) ExitCode() uint8 { return m.exitCode }

// Fault returns the fault that ended the run, if any.
func (m *Machine) Fault() *Fault { return m.fault }

// Err returns the executor error that stopped the run, if any.
func (m *Machine) Err() error { return m.err }

// Memory returns the guest memory.
func (m *Machine) Memory() *Memory { return m.mem }

// ReadWord returns the word at the 4-aligned address a.
func (m *Machine) ReadWord(a uint32) uint32 { return m.load(a &^ 3) }

// WriteWord writes the word at the 4-aligned address a, keeping decoded
// code in step with memory.
func (m *Machine) WriteWord(a, v uint32) { m.store(a&^3, v) }

// Access is one guest memory word read or written outside the step loop's
// own loads and stores: by a syscall, a zkVM call or a precompile.
type Access struct {
	Addr  uint32 // 4-aligned
	Value uint32 // the word after the access
	Prev  uint32 // the word before it (equal to Value for reads)
	Write bool
	// Output marks a read of bytes that only leave the machine: the bytes
	// written to stdout and stderr (write, and writev's buffers but not
	// its iovec array) and the hint bytes written to fd 4. Nothing in the
	// machine's state depends on them, so fault proofs leave them out;
	// tracing records them like any other access.
	Output bool
}

// LogAccesses makes every memory access that does not come from a load or
// store instruction (syscalls, zkVM calls, precompiles) append to *log,
// until called with nil. Tracing turns it on around syscall steps; the
// step loop's own accesses are derived from the instruction instead.
func (m *Machine) LogAccesses(log *[]Access) { m.acc = log }

// load and store are the only memory accessors outside the step loop.
func (m *Machine) load(a uint32) uint32 {
	v := m.mem.load(a)
	if m.acc != nil {
		*m.acc = append(*m.acc, Access{Addr: a, Value: v, Prev: v, Output: m.output})
	}
	return v
}

func (m *Machine) store(a, v uint32) {
	prev := m.mem.load(a)
	m.mem.store(a, v)
	m.recode(a, v)
	if m.acc != nil {
		*m.acc = append(*m.acc, Access{Addr: a, Value: v, Prev: prev, Write: true})
	}
}

// lane returns the bit offset of byte a within its word.
func (m *Machine) lane(a uint32) uint32 { return (a&3 ^ m.x) << 3 }

// LoadByte returns the byte at address a.
func (m *Machine) LoadByte(a uint32) byte { return byte(m.load(a&^3) >> m.lane(a)) }

// StoreByte writes the byte at address a.
func (m *Machine) StoreByte(a uint32, b byte) {
	s := m.lane(a)
	m.store(a&^3, m.load(a&^3)&^(0xff<<s)|uint32(b)<<s)
}

// ReadBytes copies n bytes from guest address a.
func (m *Machine) ReadBytes(a uint32, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = m.LoadByte(a + uint32(i))
	}
	return out
}

// writeBytes copies b to guest address a.
func (m *Machine) writeBytes(a uint32, b []byte) {
	i := 0
	for ; i < len(b) && (a+uint32(i))&3 != 0; i++ {
		m.StoreByte(a+uint32(i), b[i])
	}
	for ; i+4 <= len(b); i += 4 {
		var w uint32
		if m.x == 3 {
			w = uint32(b[i])<<24 | uint32(b[i+1])<<16 | uint32(b[i+2])<<8 | uint32(b[i+3])
		} else {
			w = uint32(b[i+3])<<24 | uint32(b[i+2])<<16 | uint32(b[i+1])<<8 | uint32(b[i])
		}
		m.WriteWord(a+uint32(i), w)
	}
	for ; i < len(b); i++ {
		m.StoreByte(a+uint32(i), b[i])
	}
}

// cloneCode copies a decoded instruction list (megabytes for a Go guest)
// into memory populated in one go.
func cloneCode(code []program.Inst) []program.Inst {
	c := make([]program.Inst, len(code))
	prefault.Slice(c)
	copy(c, code)
	return c
}

// recode keeps the decoded instruction list equal to memory after a store
// of v to the aligned address a (self-modifying code, patches), and
// returns the list, which the first such store copies.
func (m *Machine) recode(a, v uint32) []program.Inst {
	if a-m.codeBase < m.codeBytes {
		i := (a - m.codeBase) >> 2
		if in := program.Decode(v, a); in != m.code[i] {
			if !m.codeOwned {
				m.code, m.codeOwned = cloneCode(m.code), true
			}
			m.code[i] = in
		}
	}
	return m.code
}
