package executor

import (
	"fmt"

	"github.com/zkmips/zkmips/program"
)

// Accessors for fault proofs (package witness) and snapshots. Nothing here
// changes how a step executes.

// State is the part of a machine that the Cannon-compatible fault-proof
// state commits to (docs/fault-proofs.md), memory aside: memory enters that
// state only through its Merkle root.
type State struct {
	PC, NextPC, LO, HI uint32
	// Heap is the next address anonymous mmap hands out.
	Heap     uint32
	ExitCode uint8
	Exited   bool
	Step     uint64
	Regs     [32]uint32
	// PreimageKey and PreimageOffset are the pre-image oracle registers:
	// the key the guest wrote to fd 6 and the position in u64be(len) ||
	// data of the next byte a read of fd 5 returns.
	PreimageKey    [32]byte
	PreimageOffset uint32
}

// State returns the machine's fault-proof state (without memory).
func (m *Machine) State() State {
	return State{
		PC: m.pc, NextPC: m.npc, LO: m.lo, HI: m.hi, Heap: m.os.heap,
		ExitCode: m.exitCode, Exited: m.exited, Step: m.step, Regs: m.regs,
		PreimageKey: m.pre.key, PreimageOffset: m.pre.offset,
	}
}

// BigEndian reports whether the guest is big-endian. Memory pages hold word
// values; a big-endian guest stores a word's most significant byte at the
// lowest address, a little-endian guest its least significant byte.
func (m *Machine) BigEndian() bool { return m.x != 0 }

// DirtyPages calls fn, in address order, for every page written since the
// last call (or since the machine was created or restored), and clears the
// pages' dirty bits before calling fn. It is meant for incremental hashing
// of memory: the dirty bits have a single consumer, so a machine should
// feed one incremental hasher only (a second caller would steal the first
// one's updates).
//
// words is the live page: fn must neither modify it nor keep the pointer
// after it returns, and must not run the machine. The scan costs a look
// at each allocated page, plus fn's work.
func (m *Machine) DirtyPages(fn func(pageAddr uint32, words *[1024]uint32)) {
	for _, p := range m.mem.ordered() {
		if p.dirty {
			p.dirty = false
			fn(p.index<<pageShift, &p.w)
		}
	}
}

// TakeDirtyPage reports whether the page holding address a was written
// since its dirty bit was last cleared, clears the bit, and returns the
// live words of a dirty page (under the same rules as DirtyPages). A
// consumer that knows which pages exist (Memory.AllocatedPages tells when
// new ones appear: pages are never freed) checks them with it instead of
// scanning the whole page table.
func (m *Machine) TakeDirtyPage(a uint32) (*[1024]uint32, bool) {
	p := m.mem.pages[a>>pageShift]
	if p == nil || !p.dirty {
		return nil, false
	}
	p.dirty = false
	return &p.w, true
}

// PageWords returns the words of the 4 KiB page holding address a, or
// false if that page was never written (it reads as zero). The result is
// the live page: callers must not modify it, nor keep it across steps.
func (m *Machine) PageWords(a uint32) (*[1024]uint32, bool) {
	p := m.mem.pages[a>>pageShift]
	if p == nil {
		return nil, false
	}
	return &p.w, true
}

// newBare returns a machine for p with an empty memory and no OS state:
// the common start of Restore and UnmarshalSnapshot.
func newBare(p *program.Program, cfg Config) *Machine {
	m := &Machine{prog: p, cfg: cfg, mem: newMemory()}
	if p.BigEndian {
		m.x = 3
	}
	m.codeBase = p.CodeBase
	m.codeBytes = uint32(len(p.Code) * 4)
	return m
}

// decodeCode rebuilds the decoded instruction list from memory: at load
// time it equals p.Code, and every store re-decodes the word it writes, so
// memory alone determines it. Only words that differ from the program's
// are decoded again, and the program's list is shared (not owned) when
// none does.
func decodeCode(mem *Memory, p *program.Program) (code []program.Inst, owned bool) {
	code = p.Code
	for i := range code {
		a := p.CodeBase + uint32(4*i)
		if w := mem.load(a); w != code[i].Word {
			if !owned {
				code, owned = cloneCode(code), true
			}
			code[i] = program.Decode(w, a)
		}
	}
	return code, owned
}

// setPage installs a copy of words as the page at pageAddr, marked dirty;
// an all-zero page is not allocated.
func (mem *Memory) setPage(pageAddr uint32, words *[pageWords]uint32) {
	if *words == zeroWords {
		return
	}
	p := mem.pages[pageAddr>>pageShift]
	if p == nil {
		p = mem.alloc(pageAddr >> pageShift)
	}
	p.w = *words
	p.dirty = true
}

// Restore builds a machine for p from a fault-proof state and the memory
// pages it commits to (page address -> words; missing pages are zero),
// such as a Cannon-style state file provides.
//
// That state is all the fault-proof VM needs, but it is not all that a
// Linux process has: Restore starts the OS state afresh (descriptors 0-6
// open, no hint bytes pending on fd 4, no TLS pointer, the break at the
// end of the program, default signal handlers, the random stream at its
// start as seeded by cfg.Seed, cfg.Inputs from the first item, no
// load-time patches recorded) and the FP registers at zero. The pre-image
// key and offset come from st.
// To continue a run exactly, use MarshalSnapshot and UnmarshalSnapshot.
func Restore(p *program.Program, cfg Config, st State, pages map[uint32]*[1024]uint32) (*Machine, error) {
	if st.Regs[0] != 0 {
		return nil, fmt.Errorf("restore: register r0 holds 0x%08x, not zero", st.Regs[0])
	}
	if st.ExitCode != 0 && !st.Exited {
		return nil, fmt.Errorf("restore: exit code %d on a machine that has not exited", st.ExitCode)
	}
	m := newBare(p, cfg)
	for a, w := range pages {
		if a&(pageSize-1) != 0 {
			return nil, fmt.Errorf("restore: page address 0x%08x is not 4 KiB aligned", a)
		}
		if w == nil {
			return nil, fmt.Errorf("restore: page 0x%08x has no words", a)
		}
		m.mem.setPage(a, w)
	}
	m.code, m.codeOwned = decodeCode(m.mem, p)
	m.regs, m.pc, m.npc, m.hi, m.lo = st.Regs, st.PC, st.NextPC, st.HI, st.LO
	m.step, m.exited, m.exitCode = st.Step, st.Exited, st.ExitCode
	m.pre.key, m.pre.offset = st.PreimageKey, st.PreimageOffset

	var end uint64
	for i := range p.Segments {
		end = max(end, p.Segments[i].End())
	}
	o := &m.os
	o.rng = cfg.Seed
	o.stdin = cfg.Stdin
	o.calls = map[uint32]uint64{}
	o.unknown = map[uint32]uint64{}
	o.dropped = map[int]uint64{}
	o.nextTid = guestPID + 1
	o.brkStart = uint32((min(end, 1<<32-pageSize) + pageSize - 1) &^ (pageSize - 1))
	o.brk = o.brkStart
	o.heap = st.Heap
	o.heapEnd = mmapLimit
	m.zk.inputs = append([][]byte(nil), cfg.Inputs...)
	return m, nil
}
