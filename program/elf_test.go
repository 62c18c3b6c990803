package program

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// A tiny ELF32 writer for tests: header, program headers, segment contents,
// then (optionally) .symtab, .strtab, .shstrtab and the section headers.

type testPhdr struct {
	typ, flags   uint32
	vaddr, memsz uint32 // memsz 0 means "same as the file size"
	data         []byte
	// withHeaders makes the segment start at file offset 0, so it also maps
	// the ELF header and the program headers; vaddr is then the address of
	// file offset 0 and data follows the headers.
	withHeaders bool
}

type testSym struct {
	name        string
	value, size uint32
	typ         uint8 // STT_*
	shndx       uint16
}

type testELF struct {
	big        bool
	flags      uint32 // e_flags
	entry      uint32 // 0: start of the first executable segment's data
	phdrs      []testPhdr
	syms       []testSym
	noSections bool
}

// testLayout is what build produced.
type testLayout struct {
	b        []byte
	phoff    uint32
	dataOff  []uint32 // file offset of each phdr's data
	dataAddr []uint32 // guest address of each phdr's data
}

func align(n, a int) int { return (n + a - 1) / a * a }

func (t *testELF) bo() binary.ByteOrder {
	if t.big {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

func (t *testELF) build() testLayout {
	bo := t.bo()
	const phoff = 52
	n := len(t.phdrs)
	off := align(phoff+32*n, 16)
	lay := testLayout{phoff: phoff, dataOff: make([]uint32, n), dataAddr: make([]uint32, n)}
	b := make([]byte, off)
	type fileRange struct{ off, size uint32 }
	ranges := make([]fileRange, n)
	for i, ph := range t.phdrs {
		off = align(len(b), 16)
		b = append(b, make([]byte, off-len(b))...)
		b = append(b, ph.data...)
		lay.dataOff[i] = uint32(off)
		if ph.withHeaders {
			ranges[i] = fileRange{0, uint32(off + len(ph.data))}
			lay.dataAddr[i] = ph.vaddr + uint32(off)
		} else {
			ranges[i] = fileRange{uint32(off), uint32(len(ph.data))}
			lay.dataAddr[i] = ph.vaddr
		}
	}
	entry := t.entry
	if entry == 0 {
		for i, ph := range t.phdrs {
			if ph.typ == ptLoad && ph.flags&pfX != 0 {
				entry = lay.dataAddr[i]
				break
			}
		}
	}

	var shoff, shnum, shstrndx int
	if !t.noSections {
		// .strtab
		strtab := []byte{0}
		sym := make([]byte, 16) // null symbol
		for _, s := range t.syms {
			e := make([]byte, 16)
			bo.PutUint32(e[0:], uint32(len(strtab)))
			strtab = append(append(strtab, s.name...), 0)
			bo.PutUint32(e[4:], s.value)
			bo.PutUint32(e[8:], s.size)
			e[12] = 1<<4 | s.typ // STB_GLOBAL
			bo.PutUint16(e[14:], s.shndx)
			sym = append(sym, e...)
		}
		shstr := []byte("\x00.text\x00.symtab\x00.strtab\x00.shstrtab\x00")
		b = append(b, make([]byte, align(len(b), 4)-len(b))...)
		symOff := len(b)
		b = append(b, sym...)
		strOff := len(b)
		b = append(b, strtab...)
		shstrOff := len(b)
		b = append(b, shstr...)
		b = append(b, make([]byte, align(len(b), 4)-len(b))...)
		shoff, shnum, shstrndx = len(b), 5, 4
		sh := func(name, typ, addr, off, size, link, info, align, entsize uint32) {
			e := make([]byte, 40)
			for i, v := range []uint32{name, typ, 0, addr, off, size, link, info, align, entsize} {
				bo.PutUint32(e[4*i:], v)
			}
			b = append(b, e...)
		}
		sh(0, 0, 0, 0, 0, 0, 0, 0, 0)
		textAddr, textOff, textSize := uint32(0), uint32(0), uint32(0)
		if n > 0 {
			textAddr, textOff, textSize = lay.dataAddr[0], lay.dataOff[0], uint32(len(t.phdrs[0].data))
		}
		sh(1, 1, textAddr, textOff, textSize, 0, 0, 4, 0)                      // .text
		sh(7, shtSymtab, 0, uint32(symOff), uint32(len(sym)), 3, 1, 4, 16)     // .symtab
		sh(15, shtStrtab, 0, uint32(strOff), uint32(len(strtab)), 0, 0, 1, 0)  // .strtab
		sh(23, shtStrtab, 0, uint32(shstrOff), uint32(len(shstr)), 0, 0, 1, 0) // .shstrtab
	}

	// ELF header.
	copy(b, "\x7fELF")
	b[4] = 1 // ELFCLASS32
	b[5] = 1
	if t.big {
		b[5] = 2
	}
	b[6] = 1 // EV_CURRENT
	bo.PutUint16(b[16:], etExec)
	bo.PutUint16(b[18:], emMIPS)
	bo.PutUint32(b[20:], 1)
	bo.PutUint32(b[24:], entry)
	bo.PutUint32(b[28:], phoff)
	bo.PutUint32(b[32:], uint32(shoff))
	bo.PutUint32(b[36:], t.flags)
	bo.PutUint16(b[40:], 52)
	bo.PutUint16(b[42:], 32)
	bo.PutUint16(b[44:], uint16(n))
	bo.PutUint16(b[46:], 40)
	bo.PutUint16(b[48:], uint16(shnum))
	bo.PutUint16(b[50:], uint16(shstrndx))

	// Program headers.
	for i, ph := range t.phdrs {
		e := b[phoff+32*i:]
		memsz := ph.memsz
		if memsz == 0 {
			memsz = ranges[i].size
		}
		for k, v := range []uint32{ph.typ, ranges[i].off, ph.vaddr, ph.vaddr, ranges[i].size, memsz, ph.flags, 0x1000} {
			bo.PutUint32(e[4*k:], v)
		}
	}
	lay.b = b
	return lay
}

// Instructions of the test program.
var testCode = []uint32{
	0x24020fa1, // addiu v0, zero, 4001
	0x3c041234, // lui a0, 0x1234
	0x0000000c, // syscall
	0x03e00008, // jr ra
	0x00000000, // nop
}

func codeBytes(bo binary.ByteOrder, words []uint32) []byte {
	b := make([]byte, 4*len(words))
	for i, w := range words {
		bo.PutUint32(b[4*i:], w)
	}
	return b
}

const (
	textBase = 0x00400000
	dataBase = 0x00410000
)

// validELF returns a small valid static executable: an R+X segment mapping
// the headers and the code, an R+W data segment with BSS, a PT_GNU_STACK,
// and a few symbols of every kind.
func validELF(big bool) *testELF {
	t := &testELF{big: big, flags: 0x70001007} // MIPS32R2, o32, noreorder|pic|cpic
	bo := t.bo()
	t.phdrs = []testPhdr{
		{typ: ptLoad, flags: pfR | pfX, vaddr: textBase, data: codeBytes(bo, testCode), withHeaders: true},
		{typ: ptLoad, flags: pfR | pfW, vaddr: dataBase, memsz: 0x2000, data: codeBytes(bo, []uint32{0x11223344, 0x55667788})},
		{typ: 0x6474e551, flags: pfR | pfW}, // PT_GNU_STACK
	}
	code := textBase + uint32(align(52+32*3, 16))
	t.syms = []testSym{
		{name: "_start", value: code, size: 12, typ: sttFunc, shndx: 1},
		{name: "helper", value: code + 12, size: 8, typ: sttFunc, shndx: 1},
		{name: "counter", value: dataBase, size: 8, typ: sttObject, shndx: 2},
		{name: "marker", value: dataBase + 0x100, typ: sttNotype, shndx: 2},
		{name: "", value: dataBase + 0x200, typ: sttNotype, shndx: 2},     // dropped: no name
		{name: "zero", value: 0, typ: sttNotype, shndx: 0xfff1},           // dropped: value 0
		{name: "undefined", value: 0x1234, typ: sttFunc, shndx: shnUndef}, // dropped: undefined
		{name: "file.c", value: 0, typ: 4, shndx: 0xfff1},                 // dropped: STT_FILE
		{name: "section", value: code, typ: 3, shndx: 1},                  // dropped: STT_SECTION
	}
	return t
}

func TestLoadValid(t *testing.T) {
	for _, big := range []bool{true, false} {
		t.Run(fmt.Sprintf("big=%v", big), func(t *testing.T) {
			te := validELF(big)
			lay := te.build()
			p, err := Load(lay.b)
			if err != nil {
				t.Fatal(err)
			}
			code := lay.dataAddr[0]
			if code != textBase+0xa0 {
				t.Fatalf("test layout changed: code at 0x%x", code)
			}
			if p.BigEndian != big || p.Entry != code {
				t.Errorf("BigEndian=%v Entry=0x%x, want %v 0x%x", p.BigEndian, p.Entry, big, code)
			}
			if len(p.Segments) != 2 {
				t.Fatalf("%d segments, want 2", len(p.Segments))
			}
			text, data := p.Segments[0], p.Segments[1]
			if text.Vaddr != textBase || text.Memsz != uint32(len(lay.b[:lay.dataOff[0]]))+20 || len(text.Data) != int(text.Memsz) || text.Offset != 0 || text.Flags != pfR|pfX {
				t.Errorf("text segment %+v", text)
			}
			if data.Vaddr != dataBase || data.Memsz != 0x2000 || len(data.Data) != 8 || data.Offset != lay.dataOff[1] || data.Flags != pfR|pfW {
				t.Errorf("data segment %+v", data)
			}
			if p.WordAt(dataBase) != 0x11223344 || p.WordAt(dataBase+4) != 0x55667788 || p.WordAt(dataBase+8) != 0 || p.WordAt(dataBase+0x1ffc) != 0 {
				t.Errorf("data words %x %x %x", p.WordAt(dataBase), p.WordAt(dataBase+4), p.WordAt(dataBase+8))
			}
			if p.PhdrAddr != textBase+52 || p.PhEnt != 32 || p.PhNum != 3 {
				t.Errorf("PhdrAddr=0x%x PhEnt=%d PhNum=%d", p.PhdrAddr, p.PhEnt, p.PhNum)
			}
			if p.HasTLS {
				t.Error("HasTLS without PT_TLS")
			}
			// Code covers the text segment; the instructions decode.
			if p.CodeBase != textBase || len(p.Code) != len(text.Data)/4 {
				t.Errorf("CodeBase=0x%x len(Code)=%d", p.CodeBase, len(p.Code))
			}
			ci := (code - p.CodeBase) / 4
			if p.Code[ci].Op != OpADDIU || p.Code[ci].Imm != 4001 || p.Code[ci+1].Op != OpLUI || p.Code[ci+2].Op != OpSYSCALL || p.Code[ci+3].Op != OpJR {
				t.Errorf("decoded %v %v %v %v", p.Code[ci], p.Code[ci+1], p.Code[ci+2], p.Code[ci+3])
			}
			// Symbols.
			var names []string
			for _, s := range p.Symbols {
				names = append(names, s.Name)
			}
			if got := strings.Join(names, " "); got != "_start helper counter marker" {
				t.Errorf("symbols %q", got)
			}
			if s, ok := p.Lookup("_start"); !ok || s.Addr != code || s.Size != 12 || !s.Func {
				t.Errorf("Lookup(_start) = %+v %v", s, ok)
			}
			if s, ok := p.Lookup("counter"); !ok || s.Addr != dataBase || s.Func {
				t.Errorf("Lookup(counter) = %+v %v", s, ok)
			}
			if _, ok := p.Lookup("undefined"); ok {
				t.Error("undefined symbol kept")
			}
			for _, c := range []struct {
				addr uint32
				want string
			}{
				{code, "_start"}, {code + 8, "_start"}, {code + 12, "helper"}, {code + 16, "helper"},
				{code + 20, ""}, {code - 4, ""}, {dataBase + 4, "counter"}, {dataBase + 8, ""},
				{dataBase + 0x100, "marker"}, {dataBase + 0x104, ""},
			} {
				s, ok := p.SymbolAt(c.addr)
				if ok != (c.want != "") || s.Name != c.want {
					t.Errorf("SymbolAt(0x%x) = %q %v, want %q", c.addr, s.Name, ok, c.want)
				}
			}
		})
	}
}

func TestLoadPTPhdrAndTLS(t *testing.T) {
	te := validELF(true)
	te.phdrs = append(te.phdrs,
		testPhdr{typ: ptPhdr, flags: pfR, vaddr: 0x00500000},
		testPhdr{typ: ptTLS, flags: pfR, vaddr: dataBase, memsz: 8})
	p, err := Load(te.build().b)
	if err != nil {
		t.Fatal(err)
	}
	if p.PhdrAddr != 0x00500000 || p.PhNum != 5 || p.PhEnt != 32 || !p.HasTLS {
		t.Errorf("PhdrAddr=0x%x PhNum=%d HasTLS=%v", p.PhdrAddr, p.PhNum, p.HasTLS)
	}
}

func TestLoadPhdrNotMapped(t *testing.T) {
	te := validELF(false)
	te.phdrs[0].withHeaders = false
	te.entry = textBase
	p, err := Load(te.build().b)
	if err != nil {
		t.Fatal(err)
	}
	if p.PhdrAddr != 0 || p.PhNum != 0 {
		t.Errorf("PhdrAddr=0x%x PhNum=%d, want 0 0", p.PhdrAddr, p.PhNum)
	}
}

func TestLoadNoSections(t *testing.T) {
	te := validELF(true)
	te.noSections = true
	p, err := Load(te.build().b)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Symbols) != 0 {
		t.Errorf("symbols %v", p.Symbols)
	}
}

// Broken section headers or symbol tables never fail the load; they only
// lose the symbols (or the broken part of them).
func TestLoadBrokenSymbols(t *testing.T) {
	base := validELF(false).build()
	bo := binary.LittleEndian
	shoff := int(bo.Uint32(base.b[32:]))
	sec := func(i, field int) int { return shoff + 40*i + 4*field }
	for _, c := range []struct {
		name string
		off  int
		val  uint32
		size int // 2 or 4
	}{
		{"shoff past end", 32, 0xfffffff0, 4},
		{"shoff wraps", 32, 0xffffffff, 4},
		{"shentsize", 46, 32, 2},
		{"shnum huge", 48, 0xffff, 2},
		{"symtab offset", sec(2, 4), 0x7ffffff0, 4},
		{"symtab size", sec(2, 5), 0xfffffff0, 4},
		{"symtab entsize", sec(2, 9), 24, 4},
		{"symtab link out of range", sec(2, 6), 99, 4},
		{"symtab link to itself", sec(2, 6), 2, 4},
		{"strtab offset", sec(3, 4), 0xffffff00, 4},
		{"strtab size", sec(3, 5), 0x10000000, 4},
		{"strtab empty", sec(3, 5), 0, 4},
	} {
		b := append([]byte(nil), base.b...)
		if c.size == 2 {
			bo.PutUint16(b[c.off:], uint16(c.val))
		} else {
			bo.PutUint32(b[c.off:], c.val)
		}
		p, err := Load(b)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if len(p.Segments) != 2 {
			t.Errorf("%s: %d segments", c.name, len(p.Segments))
		}
		if c.name == "strtab empty" {
			// Symbols survive with empty names; NOTYPE ones are dropped.
			for _, s := range p.Symbols {
				if s.Name != "" {
					t.Errorf("%s: name %q", c.name, s.Name)
				}
			}
		} else if len(p.Symbols) != 0 {
			t.Errorf("%s: symbols %v", c.name, p.Symbols)
		}
	}
}

// A string table without a final NUL, and names starting past its end.
func TestLoadSymbolNamesClipped(t *testing.T) {
	te := validELF(true)
	lay := te.build()
	b := lay.b
	bo := binary.BigEndian
	shoff := int(bo.Uint32(b[32:]))
	str := shoff + 40*3
	strOff, strSize := bo.Uint32(b[str+16:]), bo.Uint32(b[str+20:])
	// Cut the string table just after "_start" (offset 1..6), dropping its NUL.
	bo.PutUint32(b[str+20:], 7)
	p, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := p.Lookup("_start"); !ok || !s.Func {
		t.Errorf("_start: %+v %v (strtab at 0x%x size %d)", s, ok, strOff, strSize)
	}
	for _, s := range p.Symbols {
		if s.Name != "_start" && s.Name != "" {
			t.Errorf("name %q read past the string table", s.Name)
		}
	}
}

func TestLoadHugeBSS(t *testing.T) {
	te := validELF(false)
	te.phdrs[1].memsz = 3 << 30 // 3 GiB of BSS
	te.phdrs[1].vaddr = 0x10000000
	b := te.build().b
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	p, err := Load(b)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Segments[1]; s.Memsz != 3<<30 || len(s.Data) != 8 {
		t.Errorf("segment %x memsz 0x%x data %d", s.Vaddr, s.Memsz, len(s.Data))
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<10 {
		t.Errorf("Load allocated %d bytes for a %d-byte file", alloc, len(b))
	}
	if elapsed > time.Second {
		t.Errorf("Load took %v", elapsed)
	}
	if p.WordAt(0x10000000+3<<30-4) != 0 {
		t.Error("BSS not zero")
	}
}

// A segment ending exactly at 2^32 is legal.
func TestLoadSegmentAtTop(t *testing.T) {
	te := validELF(true)
	te.phdrs[1].vaddr = 0xffff0000
	te.phdrs[1].memsz = 0x10000
	p, err := Load(te.build().b)
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Segments[1]; s.End() != 1<<32 {
		t.Errorf("segment end 0x%x", s.End())
	}
}

type put struct {
	off  int
	val  uint32
	size int // 1, 2 or 4
}

// mutate returns a copy of the valid ELF's bytes with the given fields
// overwritten (in the file's byte order).
func mutate(big bool, b []byte, puts ...put) []byte {
	b = append([]byte(nil), b...)
	var bo binary.ByteOrder = binary.LittleEndian
	if big {
		bo = binary.BigEndian
	}
	for _, p := range puts {
		switch p.size {
		case 1:
			b[p.off] = byte(p.val)
		case 2:
			bo.PutUint16(b[p.off:], uint16(p.val))
		default:
			bo.PutUint32(b[p.off:], p.val)
		}
	}
	return b
}

// ph returns the file offset of field k (0 type, 1 offset, 2 vaddr, 3 paddr,
// 4 filesz, 5 memsz, 6 flags, 7 align) of program header i.
func ph(i, k int) int { return 52 + 32*i + 4*k }

func TestLoadRejects(t *testing.T) {
	for _, big := range []bool{true, false} {
		lay := validELF(big).build()
		v := lay.b
		size := len(v)
		code := lay.dataAddr[0]
		m := func(puts ...put) []byte { return mutate(big, v, puts...) }
		many := func(n int, typ uint32) []byte {
			te := validELF(big)
			for i := 0; i < n; i++ {
				te.phdrs = append(te.phdrs, testPhdr{typ: typ, flags: pfR, vaddr: 0x20000000 + uint32(i)*0x1000, memsz: 0x1000})
			}
			return te.build().b
		}
		cases := []struct {
			name string
			b    []byte
			want []string // substrings of the error
		}{
			{"empty", nil, []string{"0 bytes", "shorter than the 52-byte ELF32 header", "file offset 0x0"}},
			{"short", v[:51], []string{"51 bytes", "shorter than the 52-byte", "file offset 0x0"}},
			{"bad magic", m(put{0, 0x7f454c00, 4}), []string{"bad magic", "file offset 0x0", "not an ELF file"}},
			{"text file", []byte("#!/bin/sh\necho hi\n"), []string{"bad magic 23 21 2f 62", "not an ELF file"}},
			{"ELF64", m(put{4, 2, 1}), []string{"ELF64", "ELF32", "file offset 0x4"}},
			{"class 0", m(put{4, 0, 1}), []string{"invalid class 0", "file offset 0x4"}},
			{"data 3", m(put{5, 3, 1}), []string{"data encoding 3", "little-endian", "file offset 0x5"}},
			{"version 2", m(put{6, 2, 1}), []string{"ELF version 2", "expected 1", "file offset 0x6"}},
			{"x86-64", m(put{18, 62, 2}), []string{"machine 62 (x86-64), expected MIPS (8)", "file offset 0x12"}},
			{"ET_DYN", m(put{16, 3, 2}), []string{"ET_DYN (shared object / PIE)", "static ET_EXEC", "-static -no-pie", "file offset 0x10"}},
			{"ET_REL", m(put{16, 1, 2}), []string{"ET_REL", "static ET_EXEC", "file offset 0x10"}},
			{"ET_CORE", m(put{16, 4, 2}), []string{"ET_CORE", "file offset 0x10"}},
			{"MIPS III", m(put{36, 0x20000000, 4}), []string{"MIPS III is 64-bit", "file offset 0x24"}},
			{"MIPS64R2", m(put{36, 0x80000000, 4}), []string{"MIPS64R2 is 64-bit", "file offset 0x24"}},
			{"MIPS64R6", m(put{36, 0xa0000000, 4}), []string{"MIPS64R6 is 64-bit", "file offset 0x24"}},
			{"MIPS32R6", m(put{36, 0x90001000, 4}), []string{"MIPS32R6 is not supported", "file offset 0x24"}},
			{"arch 0xf", m(put{36, 0xf0000000, 4}), []string{"unknown architecture level 0xf", "file offset 0x24"}},
			{"n32", m(put{36, 0x70000020, 4}), []string{"n32 ABI", "EF_MIPS_ABI2", "file offset 0x24"}},
			{"phnum 0", m(put{44, 0, 2}), []string{"no program headers", "file offset 0x2c"}},
			{"phentsize", m(put{42, 56, 2}), []string{"entry size 56, expected 32", "file offset 0x2a"}},
			{"phoff past end", m(put{28, uint32(size - 40), 4}), []string{"program header table", fmt.Sprintf("file offset 0x%x", size-40), fmt.Sprintf("exceeds file size 0x%x", size)}},
			{"phoff wraps", m(put{28, 0xfffffff0, 4}), []string{"program header table", "file offset 0xfffffff0", "exceeds file size"}},
			{"phnum huge", m(put{44, 0xffff, 2}), []string{"65535 entries", "exceeds file size"}},
			{"no PT_LOAD", m(put{ph(0, 0), 4, 4}, put{ph(1, 0), 4, 4}), []string{"none of the 3 program headers", "PT_LOAD", "file offset 0x34"}},
			{"257 PT_LOAD", many(255, ptLoad), []string{"more than 256 PT_LOAD", fmt.Sprintf("program header 257 at file offset 0x%x", ph(257, 0))}},
			{"filesz > memsz", m(put{ph(1, 5), 4, 4}), []string{"program header 1 at file offset 0x54", "file size 0x8 exceeds its memory size 0x4"}},
			{"file range past end", m(put{ph(1, 1), 0x1000, 4}, put{ph(1, 4), 0x90000000 - 0x1000, 4}, put{ph(1, 5), 0x90000000, 4}),
				[]string{"program header 1 at file offset 0x54", fmt.Sprintf("segment file range [0x1000, 0x90000000) exceeds file size 0x%x", size)}},
			{"file offset wraps", m(put{ph(1, 1), 0xfffffffc, 4}), []string{"program header 1 at file offset 0x54", "[0xfffffffc, 0x100000004) exceeds file size"}},
			{"memory wraps", m(put{ph(1, 2), 0xfffff000, 4}), []string{"program header 1 at file offset 0x54", "[0xfffff000, 0x100001000) runs past the end of the 32-bit address space"}},
			{"overlap", m(put{ph(1, 2), textBase + 0x40, 4}), []string{"program header 1 at file offset 0x54", "overlaps", "program header 0 at file offset 0x34"}},
			{"PT_INTERP", m(put{ph(2, 0), ptInterp, 4}), []string{"program header 2 at file offset 0x74", "PT_INTERP", "dynamically linked", "-static"}},
			{"entry in data", m(put{24, dataBase, 4}), []string{"entry point 0x410000", "not inside an executable PT_LOAD", "non-executable", "program header 1", "file offset 0x18"}},
			{"entry outside", m(put{24, 0x12340000, 4}), []string{"entry point 0x12340000 is not inside an executable PT_LOAD segment", "file offset 0x18"}},
			{"entry unaligned", m(put{24, code + 2, 4}), []string{"not 4-byte aligned", "file offset 0x18"}},
			{"entry odd", m(put{24, code + 1, 4}), []string{"not 4-byte aligned", "microMIPS", "file offset 0x18"}},
		}
		for _, c := range cases {
			p, err := Load(c.b)
			if err == nil {
				t.Errorf("big=%v %s: loaded %+v", big, c.name, p)
				continue
			}
			msg := err.Error()
			if big {
				t.Logf("%s: %s", c.name, msg)
			}
			if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "elf: ") {
				t.Errorf("big=%v %s: badly formed error %q", big, c.name, msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("big=%v %s: error %q does not mention %q", big, c.name, msg, w)
				}
			}
		}
	}
}

// Exactly 256 PT_LOAD segments are fine.
func TestLoad256Segments(t *testing.T) {
	te := validELF(false)
	for i := 0; i < 254; i++ {
		te.phdrs = append(te.phdrs, testPhdr{typ: ptLoad, flags: pfR, vaddr: 0x20000000 + uint32(i)*0x1000, memsz: 0x1000})
	}
	p, err := Load(te.build().b)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Segments) != 256 {
		t.Errorf("%d segments", len(p.Segments))
	}
}

// Many executable segments aliasing the same file bytes must not multiply
// the decoded code.
func TestLoadAliasedCode(t *testing.T) {
	te := validELF(true)
	code := codeBytes(binary.BigEndian, make([]uint32, 1024))
	te.phdrs[0].data = code
	b := te.build().b
	// Turn the data segment into another view of the code, far away.
	bo := binary.BigEndian
	off, size := bo.Uint32(b[ph(0, 1):]), bo.Uint32(b[ph(0, 4):])
	for _, addr := range []uint32{0x00480000, 0x10000000} {
		b2 := mutate(true, b, put{ph(1, 1), off, 4}, put{ph(1, 2), addr, 4}, put{ph(1, 4), size, 4}, put{ph(1, 5), size, 4}, put{ph(1, 6), pfR | pfX, 4})
		p, err := Load(b2)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Code) > len(b2)/4+1 {
			t.Errorf("addr 0x%x: %d instructions decoded from a %d-byte file", addr, len(p.Code), len(b2))
		}
		if p.CodeBase != textBase && p.CodeBase != addr {
			t.Errorf("CodeBase 0x%x", p.CodeBase)
		}
	}
}

// Two executable segments laid out in memory as in the file (as linkers do)
// share one Code array; the words between them come from the read-only
// segment in the gap.
func TestLoadTwoCodeSegments(t *testing.T) {
	bo := binary.LittleEndian
	te := validELF(false)
	te.phdrs[0].data = codeBytes(bo, make([]uint32, 1024))
	te.phdrs[1] = testPhdr{typ: ptLoad, flags: pfR, data: codeBytes(bo, []uint32{0x24030007, 0x24040008})}
	te.phdrs[2] = testPhdr{typ: ptLoad, flags: pfR | pfX, data: codeBytes(bo, testCode)}
	lay := te.build()
	te.phdrs[1].vaddr = textBase + lay.dataOff[1]
	te.phdrs[2].vaddr = textBase + lay.dataOff[2]
	lay = te.build()
	p, err := Load(lay.b)
	if err != nil {
		t.Fatal(err)
	}
	end := textBase + lay.dataOff[2] + 20
	if p.CodeBase != textBase || uint64(p.CodeBase)+4*uint64(len(p.Code)) != uint64(end) {
		t.Fatalf("Code covers [0x%x, +%d words), want [0x%x, 0x%x)", p.CodeBase, len(p.Code), textBase, end)
	}
	if len(p.Code) > len(lay.b)/4+1 {
		t.Errorf("%d instructions for a %d-byte file", len(p.Code), len(lay.b))
	}
	if in := p.Code[lay.dataOff[2]/4]; in.Op != OpADDIU || in.Imm != 4001 {
		t.Errorf("second code segment decoded as %v", in)
	}
	if in := p.Code[lay.dataOff[1]/4+1]; in.Op != OpADDIU || in.Imm != 8 {
		t.Errorf("read-only segment in the gap decoded as %v", in)
	}
	if in := p.Code[lay.dataOff[1]/4+2]; in.Word != 0 {
		t.Errorf("padding decoded as %v", in)
	}

	// Moved far apart, only the larger one is decoded.
	te.phdrs[2].vaddr = 0x10000000
	p, err = Load(te.build().b)
	if err != nil {
		t.Fatal(err)
	}
	if p.CodeBase != textBase || len(p.Code) != int(lay.dataOff[0]/4+1024) {
		t.Errorf("far apart: Code covers [0x%x, +%d words)", p.CodeBase, len(p.Code))
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	if err := os.WriteFile(good, validELF(true).build().b, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := LoadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if !p.BigEndian || len(p.Segments) != 2 {
		t.Errorf("loaded %+v", p)
	}

	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(bad); err == nil || !strings.Contains(err.Error(), bad+": elf: bad magic") {
		t.Errorf("bad file: %v", err)
	}

	missing := filepath.Join(dir, "missing")
	if _, err := LoadFile(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v", err)
	}

	// A sparse file over the size limit is rejected before it is read.
	huge := filepath.Join(dir, "huge")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		f.Close()
		t.Skip("cannot create a sparse file:", err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = LoadFile(huge)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), huge) || !strings.Contains(err.Error(), "1 GiB") {
		t.Errorf("huge file: %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("rejecting a huge file allocated %d bytes", alloc)
	}
}

func TestSymbolAt(t *testing.T) {
	p, err := New(true, 0, nil, []Symbol{
		{Name: "big_table", Addr: 0x1000, Size: 0x1000},         // object covering a lot
		{Name: "f", Addr: 0x1100, Size: 0x10, Func: true},       // function inside it
		{Name: "label", Addr: 0x1104},                           // zero-size, exact match only
		{Name: "g", Addr: 0x1200, Size: 0x20, Func: true},       //
		{Name: "g_alias", Addr: 0x1200, Size: 0x20, Func: true}, // same address: first by name wins
		{Name: "h", Addr: 0x1210, Size: 0x4, Func: true},        // nested function: greater Addr wins
		{Name: "obj", Addr: 0x3000, Size: 8},
		{Name: "obj2", Addr: 0x3004, Size: 8},
		{Name: "end", Addr: 0x4000},
		{Name: "top", Addr: 0xfffffff0, Size: 0x10, Func: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		addr uint32
		want string
	}{
		{0xfff, ""},
		{0x1000, "big_table"},
		{0x10fc, "big_table"},
		{0x1100, "f"},
		{0x1104, "f"}, // functions are preferred over the zero-size label
		{0x110c, "f"},
		{0x1110, "big_table"},
		{0x1200, "g"},
		{0x1210, "h"},
		{0x1214, "g"},
		{0x1220, "big_table"},
		{0x1ffc, "big_table"},
		{0x2000, ""},
		{0x3000, "obj"},
		{0x3004, "obj2"},
		{0x3008, "obj2"},
		{0x300c, ""},
		{0x4000, "end"},
		{0x4004, ""},
		{0xfffffffc, "top"},
		{0, ""},
	} {
		s, ok := p.SymbolAt(c.addr)
		if ok != (c.want != "") || s.Name != c.want {
			t.Errorf("SymbolAt(0x%x) = %q %v, want %q", c.addr, s.Name, ok, c.want)
		}
	}
	var empty Program
	if _, ok := empty.SymbolAt(0x1000); ok {
		t.Error("symbol found in an empty program")
	}
}

// WordAt assembles words that straddle two segments.
func TestWordAtStraddle(t *testing.T) {
	p, err := New(true, 0, []Segment{
		{Vaddr: 0x1000, Memsz: 2, Data: []byte{0xaa, 0xbb}},
		{Vaddr: 0x1002, Memsz: 6, Data: []byte{0xcc, 0xdd, 0xee}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w := p.WordAt(0x1000); w != 0xaabbccdd {
		t.Errorf("WordAt(0x1000) = 0x%08x", w)
	}
	if w := p.WordAt(0x1004); w != 0xee000000 {
		t.Errorf("WordAt(0x1004) = 0x%08x", w)
	}
	if w := p.WordAt(0x0ffc); w != 0 {
		t.Errorf("WordAt(0xffc) = 0x%08x", w)
	}
}

// Names sharing the bytes of a string table without NULs cost neither
// quadratic time nor memory: when they add up to far more than the file,
// the symbol table is treated as broken.
func TestLoadSymbolNamesShared(t *testing.T) {
	const long, count = 1 << 20, 1 << 16
	for _, stride := range []int{0, 7} {
		te := validELF(true)
		te.syms = []testSym{{name: strings.Repeat("a", long), value: textBase + 0xa0, typ: sttFunc, shndx: 1}}
		for i := 0; i < count; i++ {
			te.syms = append(te.syms, testSym{value: textBase + 0xa0, typ: sttFunc, shndx: 1})
		}
		b := te.build().b
		bo := binary.BigEndian
		shoff := int(bo.Uint32(b[32:]))
		symOff := int(bo.Uint32(b[shoff+40*2+16:]))
		bo.PutUint32(b[shoff+40*3+20:], 1+long) // drop the string table's last NUL
		for i := 0; i < count; i++ {
			bo.PutUint32(b[symOff+16*(2+i):], uint32(1+i*stride)) // suffixes of the long name
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		p, err := Load(b)
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Symbols) != 0 {
			t.Errorf("stride %d: %d symbols kept", stride, len(p.Symbols))
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4*uint64(len(b)) {
			t.Errorf("stride %d: Load allocated %d bytes for a %d-byte file", stride, alloc, len(b))
		}
		if elapsed > time.Second {
			t.Errorf("stride %d: Load took %v", stride, elapsed)
		}
	}

	// Sharing within reason (a linker's suffix merging) keeps every name.
	te := validELF(false)
	te.syms = []testSym{{name: "memcpy_impl", value: textBase + 0xa0, typ: sttFunc, shndx: 1}}
	for i := 0; i < 100; i++ {
		te.syms = append(te.syms, testSym{value: textBase + 0xa4, typ: sttObject, shndx: 1})
	}
	b := te.build().b
	bo := binary.LittleEndian
	shoff := int(bo.Uint32(b[32:]))
	symOff := int(bo.Uint32(b[shoff+40*2+16:]))
	for i := 0; i < 100; i++ {
		bo.PutUint32(b[symOff+16*(2+i):], uint32(1+i%11)) // "memcpy_impl", "emcpy_impl", ...
	}
	p, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Symbols) != 101 {
		t.Fatalf("%d symbols", len(p.Symbols))
	}
	if s, ok := p.SymbolAt(textBase + 0xa4); !ok || s.Name != "_impl" { // first by name at that address
		t.Errorf("SymbolAt = %q %v", s.Name, ok)
	}
	if s, _ := p.Lookup("impl"); s.Addr != textBase+0xa4 {
		t.Errorf("Lookup(impl) = %+v", s)
	}
}
