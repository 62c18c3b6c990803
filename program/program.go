// Package program loads a MIPS32 ELF executable, validates it against hostile
// input, and decodes its code once into a flat instruction list.
//
// A Program is immutable after Load (apart from Patch, which is applied before
// execution starts); the executor copies segment contents into its own memory.
package program

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sort"
	"sync"

	"github.com/zkmips/zkmips/internal/prefault"
)

// Segment is one PT_LOAD segment: Memsz bytes at Vaddr, the first len(Data)
// of them from the file and the rest zero (BSS).
type Segment struct {
	Vaddr  uint32
	Memsz  uint32
	Data   []byte // file bytes, len(Data) == p_filesz
	Offset uint32 // file offset of Data, for error messages
	Flags  uint32 // PF_X=1, PF_W=2, PF_R=4
}

// Executable reports whether the segment is mapped with execute permission.
func (s *Segment) Executable() bool { return s.Flags&1 != 0 }

// End returns the first address past the segment (as uint64: a segment may
// end exactly at 2^32).
func (s *Segment) End() uint64 { return uint64(s.Vaddr) + uint64(s.Memsz) }

// Symbol is an ELF symbol kept for reports, patches and disassembly.
type Symbol struct {
	Name string
	Addr uint32
	Size uint32
	Func bool // STT_FUNC
}

// Program is a loaded executable.
type Program struct {
	// BigEndian is the guest byte order (EI_DATA): true for op-program and
	// Cannon guests, false for zkMIPS/Ziren guests.
	BigEndian bool
	Entry     uint32
	Segments  []Segment // sorted by Vaddr, non-overlapping
	Symbols   []Symbol  // sorted by Addr, then Name

	// PhdrAddr is the guest address of the program headers when a loaded
	// segment covers them (for AT_PHDR), else 0. PhEnt and PhNum go with it.
	PhdrAddr     uint32
	PhEnt, PhNum uint32
	// TLS describes PT_TLS when present (static glibc reads it via AT_PHDR).
	HasTLS bool

	// Code is the decoded instruction list covering [CodeBase, CodeBase+4*len(Code)):
	// the whole file-backed words of the executable segments (see decodeCode).
	CodeBase uint32
	Code     []Inst
}

// ByteOrder returns the guest byte order.
func (p *Program) ByteOrder() binary.ByteOrder {
	if p.BigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// Lookup returns the symbol with the given name.
func (p *Program) Lookup(name string) (Symbol, bool) {
	for _, s := range p.Symbols {
		if s.Name == name {
			return s, true
		}
	}
	return Symbol{}, false
}

// SymbolAt returns the symbol containing addr, if any: a symbol contains
// the addresses [Addr, Addr+Size), and a zero-size symbol only its own Addr.
// When several symbols contain addr, a Func symbol is preferred over any
// other kind; among those of the preferred kind the one with the greatest
// Addr wins, and among equal addresses the first by Name. Symbols must be
// sorted by Addr (New sorts them).
func (p *Program) SymbolAt(addr uint32) (Symbol, bool) {
	i := sort.Search(len(p.Symbols), func(i int) bool { return p.Symbols[i].Addr > addr })
	fn, other := -1, -1
	for j := i - 1; j >= 0; j-- {
		s := &p.Symbols[j]
		if fn >= 0 && s.Addr != p.Symbols[fn].Addr {
			break // no lower symbol can beat the function found
		}
		if addr != s.Addr && addr-s.Addr >= s.Size {
			continue
		}
		if s.Func {
			fn = j
		} else if other < 0 || s.Addr == p.Symbols[other].Addr {
			other = j
		}
	}
	if fn >= 0 {
		return p.Symbols[fn], true
	}
	if other >= 0 {
		return p.Symbols[other], true
	}
	return Symbol{}, false
}

// WordAt returns the initial memory word at the 4-aligned address addr (zero
// outside the file-backed part of every segment).
func (p *Program) WordAt(addr uint32) uint32 {
	if s := p.segmentAt(uint64(addr)); s != nil && uint64(addr)+4 <= uint64(s.Vaddr)+uint64(len(s.Data)) {
		return p.ByteOrder().Uint32(s.Data[addr-s.Vaddr:])
	}
	// Partly file-backed or spanning two segments: assemble byte by byte.
	var b [4]byte
	for k := range b {
		a := uint64(addr) + uint64(k)
		if s := p.segmentAt(a); s != nil && a-uint64(s.Vaddr) < uint64(len(s.Data)) {
			b[k] = s.Data[a-uint64(s.Vaddr)]
		}
	}
	return p.ByteOrder().Uint32(b[:])
}

// segmentAt returns the segment whose memory range holds a, or nil.
// Segments are sorted by Vaddr and do not overlap.
func (p *Program) segmentAt(a uint64) *Segment {
	i := sort.Search(len(p.Segments), func(i int) bool { return p.Segments[i].End() > a })
	if i < len(p.Segments) && uint64(p.Segments[i].Vaddr) <= a {
		return &p.Segments[i]
	}
	return nil
}

// decodeCode (re)builds Code from the whole words in the file-backed parts of
// the executable segments. Words outside Code (partial words, zero-filled
// tails, code written at run time) are decoded by the executor when reached.
//
// Code covers the smallest range holding all of them when that range is no
// larger than the file the segments come from (measured as the furthest file
// byte any segment loads, so it is at most the file size), else only the
// largest one. Either way Code never has more entries than the file has
// words, however the segments are laid out or share file bytes.
func (p *Program) decodeCode() {
	type span struct{ lo, hi uint64 }
	var spans []span
	var fileEnd uint64
	for i := range p.Segments {
		s := &p.Segments[i]
		fileEnd = max(fileEnd, uint64(s.Offset)+uint64(len(s.Data)))
		lo, hi := (uint64(s.Vaddr)+3)&^3, (uint64(s.Vaddr)+uint64(len(s.Data)))&^3
		if s.Executable() && hi > lo {
			spans = append(spans, span{lo, hi})
		}
	}
	p.CodeBase, p.Code = 0, nil
	if len(spans) == 0 {
		return
	}
	all, largest := spans[0], spans[0]
	for _, sp := range spans[1:] {
		all.lo, all.hi = min(all.lo, sp.lo), max(all.hi, sp.hi)
		if sp.hi-sp.lo > largest.hi-largest.lo {
			largest = sp
		}
	}
	if all.hi-all.lo > fileEnd {
		all = largest
	}
	p.CodeBase = uint32(all.lo)
	p.Code = make([]Inst, (all.hi-all.lo)/4)
	prefault.Slice(p.Code)
	// A Go guest has hundreds of thousands of words: decoding them is
	// most of loading it, and the halves are independent.
	n := len(p.Code)
	if n < 1<<16 || runtime.GOMAXPROCS(0) < 2 {
		p.decodeRange(all.lo, 0, n)
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() { p.decodeRange(all.lo, n/2, n) })
	p.decodeRange(all.lo, 0, n/2)
	wg.Wait()
}

// decodeRange fills p.Code[from:to], where p.Code[0] is at address lo.
func (p *Program) decodeRange(lo uint64, from, to int) {
	bo := p.ByteOrder()
	j := 0 // segment cursor: segments are sorted, addresses increase
	for i := from; i < to; i++ {
		a := lo + uint64(i)*4
		for j < len(p.Segments) && p.Segments[j].End() <= a {
			j++
		}
		var w uint32
		switch {
		case j == len(p.Segments) || a+4 <= uint64(p.Segments[j].Vaddr):
			// in a gap between segments: zero
		case a >= uint64(p.Segments[j].Vaddr) && a+4 <= uint64(p.Segments[j].Vaddr)+uint64(len(p.Segments[j].Data)):
			s := &p.Segments[j]
			w = bo.Uint32(s.Data[a-uint64(s.Vaddr):])
		case a >= uint64(p.Segments[j].Vaddr)+uint64(len(p.Segments[j].Data)) && a+4 <= p.Segments[j].End():
			// zero-filled tail
		default:
			w = p.WordAt(uint32(a)) // straddles a boundary
		}
		p.Code[i] = Decode(w, uint32(a))
	}
}

// New assembles a Program from segments (in any order) and symbols, checks
// that the segments fit the 32-bit address space without overlapping, and
// decodes the executable ones. The loader uses it; tests use it to build
// programs without an ELF file.
func New(bigEndian bool, entry uint32, segs []Segment, syms []Symbol) (*Program, error) {
	p := &Program{BigEndian: bigEndian, Entry: entry}
	for _, s := range segs {
		if uint64(len(s.Data)) > uint64(s.Memsz) {
			return nil, fmt.Errorf("segment at 0x%x (file offset 0x%x): file size 0x%x exceeds memory size 0x%x", s.Vaddr, s.Offset, len(s.Data), s.Memsz)
		}
		if s.End() > 1<<32 {
			return nil, fmt.Errorf("segment at 0x%x (file offset 0x%x): size 0x%x runs past the end of the 32-bit address space", s.Vaddr, s.Offset, s.Memsz)
		}
		if s.Memsz != 0 {
			p.Segments = append(p.Segments, s)
		}
	}
	sort.SliceStable(p.Segments, func(i, j int) bool { return p.Segments[i].Vaddr < p.Segments[j].Vaddr })
	for i := 1; i < len(p.Segments); i++ {
		a, b := &p.Segments[i-1], &p.Segments[i]
		if a.End() > uint64(b.Vaddr) {
			return nil, fmt.Errorf("segments overlap: [0x%x, 0x%x) (file offset 0x%x) and [0x%x, 0x%x) (file offset 0x%x)", a.Vaddr, a.End(), a.Offset, b.Vaddr, b.End(), b.Offset)
		}
	}
	if entry&3 != 0 {
		return nil, fmt.Errorf("entry point 0x%x is not 4-byte aligned", entry)
	}
	p.Symbols = append([]Symbol(nil), syms...)
	sort.SliceStable(p.Symbols, func(i, j int) bool {
		if p.Symbols[i].Addr != p.Symbols[j].Addr {
			return p.Symbols[i].Addr < p.Symbols[j].Addr
		}
		return p.Symbols[i].Name < p.Symbols[j].Name
	})
	p.decodeCode()
	return p, nil
}
