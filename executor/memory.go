package executor

// Memory is the guest's 4 GiB address space as 4 KiB pages behind a flat
// page table, so a lookup is one index and never a map access.
//
// Pages hold 32-bit words as values (the word the guest reads with LW), not
// bytes: word accesses, by far the most common, are then independent of the
// guest byte order, and sub-word accesses pick a byte lane with one XOR (see
// Machine.lane). A page that was never written is a nil entry and reads as
// zero, so a 32 MiB BSS costs nothing until touched, and a new page table
// is one allocation the runtime need not fill (pointing 2^20 entries at a
// shared zero page cost tens of milliseconds per machine).
type Memory struct {
	pages *[numPages]*page
	// count of pages allocated (non-nil)
	allocated int
}

const (
	pageShift = 12
	pageSize  = 1 << pageShift
	pageWords = pageSize / 4
	numPages  = 1 << (32 - pageShift)
)

type page struct {
	w [pageWords]uint32
	// dirty is set by every write; consumers (incremental hashing, shard
	// bookkeeping) clear it when they have accounted for the page.
	dirty bool
}

// zeroWords is the content of a page never written.
var zeroWords [pageWords]uint32

func newMemory() *Memory { return &Memory{pages: new([numPages]*page)} }

// load returns the word at the 4-aligned address a.
func (m *Memory) load(a uint32) uint32 {
	if p := m.pages[a>>pageShift]; p != nil {
		return p.w[a>>2&(pageWords-1)]
	}
	return 0
}

// store writes the word at the 4-aligned address a.
func (m *Memory) store(a, v uint32) {
	p := m.pages[a>>pageShift]
	if p == nil {
		p = m.alloc(a >> pageShift)
	}
	p.w[a>>2&(pageWords-1)] = v
	p.dirty = true
}

func (m *Memory) alloc(i uint32) *page {
	p := new(page)
	m.pages[i] = p
	m.allocated++
	return p
}

// Load returns the word at address a (rounded down to a word boundary).
func (m *Memory) Load(a uint32) uint32 { return m.load(a &^ 3) }

// Store writes the word at address a (rounded down to a word boundary).
func (m *Memory) Store(a, v uint32) { m.store(a&^3, v) }

// AllocatedPages returns how many pages hold written data.
func (m *Memory) AllocatedPages() int { return m.allocated }

// clone returns a deep copy (used to snapshot state for unconstrained
// execution); pages never written stay nil.
func (m *Memory) clone() *Memory {
	c := &Memory{pages: new([numPages]*page), allocated: m.allocated}
	for i, p := range m.pages {
		if p != nil {
			q := *p
			c.pages[i] = &q
		}
	}
	return c
}

// ForEachPage calls fn for every allocated page in address order with the
// page's base address and words (which fn must not retain or modify).
func (m *Memory) ForEachPage(fn func(base uint32, words *[pageWords]uint32)) {
	for i, p := range m.pages {
		if p != nil {
			fn(uint32(i)<<pageShift, &p.w)
		}
	}
}
