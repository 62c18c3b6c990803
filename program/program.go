// Package program loads a MIPS32 ELF executable, validates it against hostile
// input, and decodes its code once into a flat instruction list.
//
// A Program is immutable after Load (apart from Patch, which is applied before
// execution starts); the executor copies segment contents into its own memory.
package program

import (
	"encoding/binary"
	"sort"
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

	// Code is the decoded instruction list covering [CodeBase, CodeBase+4*len(Code)),
	// the smallest range holding every executable segment.
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

// SymbolAt returns the function or object symbol containing addr, if any.
func (p *Program) SymbolAt(addr uint32) (Symbol, bool) {
	i := sort.Search(len(p.Symbols), func(i int) bool { return p.Symbols[i].Addr > addr })
	for j := i - 1; j >= 0; j-- {
		s := p.Symbols[j]
		if addr == s.Addr || addr-s.Addr < s.Size {
			return s, true
		}
		if s.Size != 0 && j < i-8 {
			break
		}
	}
	return Symbol{}, false
}

// WordAt returns the initial memory word at the 4-aligned address addr (zero
// outside the file-backed part of every segment).
func (p *Program) WordAt(addr uint32) uint32 {
	for i := range p.Segments {
		s := &p.Segments[i]
		if uint64(addr) >= uint64(s.Vaddr) && uint64(addr)+4 <= uint64(s.Vaddr)+uint64(len(s.Data)) {
			return p.ByteOrder().Uint32(s.Data[addr-s.Vaddr:])
		}
		if uint64(addr) < s.End() && uint64(addr)+4 > uint64(s.Vaddr) {
			// Partly file-backed word: assemble byte by byte.
			var b [4]byte
			for k := uint32(0); k < 4; k++ {
				a := addr + k
				if a >= s.Vaddr && a-s.Vaddr < uint32(len(s.Data)) {
					b[k] = s.Data[a-s.Vaddr]
				}
			}
			return p.ByteOrder().Uint32(b[:])
		}
	}
	return 0
}

// decodeCode (re)builds Code from the file-backed parts of the executable
// segments. Words outside Code (zero-filled tails, code written at run time)
// are decoded by the executor when reached, so Code never costs more memory
// than the file justifies.
func (p *Program) decodeCode() {
	type span struct{ lo, hi uint64 }
	var spans []span
	var total uint64
	for i := range p.Segments {
		s := &p.Segments[i]
		if !s.Executable() || len(s.Data) == 0 {
			continue
		}
		sp := span{uint64(s.Vaddr) &^ 3, (uint64(s.Vaddr) + uint64(len(s.Data)) + 3) &^ 3}
		spans = append(spans, sp)
		total += sp.hi - sp.lo
	}
	p.CodeBase, p.Code = 0, nil
	if len(spans) == 0 {
		return
	}
	all := spans[0]
	for _, sp := range spans[1:] {
		all.lo, all.hi = min(all.lo, sp.lo), max(all.hi, sp.hi)
	}
	if all.hi-all.lo > 2*total+1<<20 {
		// Executable segments far apart: cover only the largest one rather
		// than the gap between them.
		all = spans[0]
		for _, sp := range spans[1:] {
			if sp.hi-sp.lo > all.hi-all.lo {
				all = sp
			}
		}
	}
	p.CodeBase = uint32(all.lo)
	p.Code = make([]Inst, (all.hi-all.lo)/4)
	for i := range p.Code {
		a := p.CodeBase + uint32(i)*4
		p.Code[i] = Decode(p.WordAt(a), a)
	}
}
