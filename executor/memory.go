package executor

import (
	"cmp"
	"slices"

	"github.com/zkmips/zkmips/internal/prefault"
)

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
//
// Where the platform allows (table_linux.go) the table lives outside the
// Go heap: the collector would otherwise scan all 8 MiB of it on every
// cycle, faulting in the untouched parts, which cost a short command (a
// proof from a snapshot) more than its actual work. list then keeps the
// pages reachable, and is also how walks over the allocated pages avoid
// reading the whole table.
type Memory struct {
	pages *pageTable
	// list holds every allocated page (pages are never freed), in
	// address order up to sorted.
	list   []*page
	sorted int
	// slab is where new pages come from: pages are allocated in chunks
	// populated at once (package prefault), each as large as the pages
	// allocated so far (4 to 256 pages).
	slab []page
}

// pageTable maps a page number (address >> pageShift) to its page, nil
// for a page never written.
type pageTable [numPages]*page

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
	// index is the page number: the page's address >> pageShift.
	index uint32
}

// zeroWords is the content of a page never written.
var zeroWords [pageWords]uint32

func newMemory() *Memory {
	m := &Memory{}
	m.pages = newPageTable(m)
	return m
}

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
	if len(m.slab) == 0 {
		m.reserve(min(max(len(m.list), 4), 256))
	}
	p := &m.slab[0]
	m.slab = m.slab[1:]
	p.index = i
	m.pages[i] = p
	if m.sorted == len(m.list) && (m.sorted == 0 || m.list[m.sorted-1].index < i) {
		m.sorted++
	}
	m.list = append(m.list, p)
	return p
}

// reserve makes room for n more pages in one chunk.
func (m *Memory) reserve(n int) {
	if len(m.slab) < n {
		m.slab = make([]page, n)
		prefault.Slice(m.slab)
	}
}

// ordered returns the allocated pages in address order.
func (m *Memory) ordered() []*page {
	if m.sorted < len(m.list) {
		slices.SortFunc(m.list, func(a, b *page) int { return cmp.Compare(a.index, b.index) })
		m.sorted = len(m.list)
	}
	return m.list
}

// Load returns the word at address a (rounded down to a word boundary).
func (m *Memory) Load(a uint32) uint32 { return m.load(a &^ 3) }

// Store writes the word at address a (rounded down to a word boundary).
func (m *Memory) Store(a, v uint32) { m.store(a&^3, v) }

// AllocatedPages returns how many pages hold written data.
func (m *Memory) AllocatedPages() int { return len(m.list) }

// clone returns a deep copy (used to snapshot state for unconstrained
// execution); pages never written stay nil.
func (m *Memory) clone() *Memory {
	c := newMemory()
	c.list = make([]*page, len(m.list))
	copies := make([]page, len(m.list))
	prefault.Slice(copies)
	for i, p := range m.ordered() {
		copies[i] = *p
		c.list[i] = &copies[i]
		c.pages[p.index] = &copies[i]
	}
	c.sorted = len(c.list)
	return c
}

// ForEachPage calls fn for every allocated page in address order with the
// page's base address and words (which fn must not retain or modify).
func (m *Memory) ForEachPage(fn func(base uint32, words *[pageWords]uint32)) {
	for _, p := range m.ordered() {
		fn(p.index<<pageShift, &p.w)
	}
}
