package program

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/zkmips/zkmips/internal/prefault"
)

// Limits on what Load accepts. They keep hostile files from costing more
// than their size.
const (
	// MaxFileSize is the largest ELF file LoadFile reads.
	MaxFileSize = 1 << 30
	// MaxLoadSegments is the largest number of PT_LOAD segments Load accepts.
	MaxLoadSegments = 256
)

// ELF constants used by the loader (System V gABI and the MIPS psABI).
const (
	elfHeaderSize = 52 // ELF32 header
	elfPhentSize  = 32 // ELF32 program header
	elfShentSize  = 40 // ELF32 section header
	elfSymSize    = 16 // ELF32 symbol

	// Offsets of ELF32 header fields.
	offClass     = 4
	offData      = 5
	offVersion   = 6
	offType      = 16
	offMachine   = 18
	offEntry     = 24
	offPhoff     = 28
	offShoff     = 32
	offFlags     = 36
	offPhentsize = 42
	offPhnum     = 44
	offShentsize = 46
	offShnum     = 48

	etExec   = 2
	emMIPS   = 8
	ptLoad   = 1
	ptInterp = 3
	ptPhdr   = 6
	ptTLS    = 7
	pfX      = 1
	pfW      = 2
	pfR      = 4

	shtSymtab = 2
	shtStrtab = 3
	shnUndef  = 0

	sttNotype = 0
	sttObject = 1
	sttFunc   = 2

	efMIPSABI2 = 0x20 // n32
)

// LoadFile reads and loads the ELF executable at path. Errors name the path.
func LoadFile(path string) (*Program, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *PathError: names the path
	}
	defer f.Close()
	size := int64(512)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		if st.Size() > MaxFileSize {
			return nil, fmt.Errorf("%s: file is %d bytes, larger than the %d-byte (1 GiB) limit for an executable", path, st.Size(), MaxFileSize)
		}
		size = st.Size() + 1 // one more byte sees EOF without growing
	}
	// Read at most one byte past the limit, so a file that grows or is not
	// a regular file cannot make us read (or allocate) without bound. The
	// buffer starts at the file's size: growing it from io.ReadAll's 512
	// bytes cost tens of milliseconds on large Go guests.
	data := make([]byte, 0, size)
	prefault.Bytes(data[:size])
	for r := io.LimitReader(f, MaxFileSize+1); ; {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err // *PathError: names the path
		}
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: file is larger than the %d-byte (1 GiB) limit for an executable", path, MaxFileSize)
	}
	p, err := Load(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// Load parses a static MIPS32 ELF executable (ELF32, EM_MIPS, ET_EXEC, either
// byte order) and builds its Program. Segment data aliases data. The input
// may be hostile: every problem is reported as a one-line error naming the
// file offset involved, Load never reads outside data, and it allocates no
// more than a small multiple of len(data) whatever the headers claim.
// A missing or broken symbol table is not an error: the program then has no
// symbols.
func Load(data []byte) (*Program, error) {
	bo, err := checkHeader(data)
	if err != nil {
		return nil, err
	}
	big := data[offData] == 2
	entry := bo.Uint32(data[offEntry:])
	phoff := uint64(bo.Uint32(data[offPhoff:]))
	phentsize := bo.Uint16(data[offPhentsize:])
	phnum := uint64(bo.Uint16(data[offPhnum:]))
	size := uint64(len(data))

	if phnum == 0 {
		return nil, fmt.Errorf("elf: e_phnum at file offset 0x%x: no program headers, nothing to load", offPhnum)
	}
	if phentsize != elfPhentSize {
		return nil, fmt.Errorf("elf: e_phentsize at file offset 0x%x: program header entry size %d, expected %d", offPhentsize, phentsize, elfPhentSize)
	}
	phend := phoff + phnum*elfPhentSize
	if phend > size {
		return nil, fmt.Errorf("elf: program header table at file offset 0x%x (%d entries, ending at 0x%x) exceeds file size 0x%x", phoff, phnum, phend, size)
	}

	type load struct {
		idx int
		off uint64 // file offset of the program header
		seg Segment
	}
	var (
		loads    []load
		hasTLS   bool
		phdrAddr uint32
		hasPhdr  bool
	)
	for i := uint64(0); i < phnum; i++ {
		ho := phoff + i*elfPhentSize
		h := data[ho : ho+elfPhentSize]
		typ := bo.Uint32(h[0:])
		off := uint64(bo.Uint32(h[4:]))
		vaddr := uint64(bo.Uint32(h[8:]))
		filesz := uint64(bo.Uint32(h[16:]))
		memsz := uint64(bo.Uint32(h[20:]))
		flags := bo.Uint32(h[24:])
		switch typ {
		case ptInterp:
			return nil, fmt.Errorf("elf: program header %d at file offset 0x%x: PT_INTERP: the executable is dynamically linked; zkmips needs a static executable — link with -static", i, ho)
		case ptTLS:
			hasTLS = true
		case ptPhdr:
			if !hasPhdr {
				hasPhdr, phdrAddr = true, uint32(vaddr)
			}
		case ptLoad:
			if len(loads) == MaxLoadSegments {
				return nil, fmt.Errorf("elf: program header %d at file offset 0x%x: more than %d PT_LOAD segments", i, ho, MaxLoadSegments)
			}
			if filesz > memsz {
				return nil, fmt.Errorf("elf: program header %d at file offset 0x%x: segment file size 0x%x exceeds its memory size 0x%x", i, ho, filesz, memsz)
			}
			if filesz > 0 && off+filesz > size {
				return nil, fmt.Errorf("elf: program header %d at file offset 0x%x: segment file range [0x%x, 0x%x) exceeds file size 0x%x", i, ho, off, off+filesz, size)
			}
			if vaddr+memsz > 1<<32 {
				return nil, fmt.Errorf("elf: program header %d at file offset 0x%x: segment memory range [0x%x, 0x%x) runs past the end of the 32-bit address space", i, ho, vaddr, vaddr+memsz)
			}
			var d []byte
			if filesz > 0 {
				d = data[off : off+filesz : off+filesz]
			}
			loads = append(loads, load{int(i), ho, Segment{
				Vaddr: uint32(vaddr), Memsz: uint32(memsz), Data: d, Offset: uint32(off), Flags: flags,
			}})
		}
	}
	if len(loads) == 0 {
		return nil, fmt.Errorf("elf: none of the %d program headers at file offset 0x%x is a PT_LOAD segment: nothing to load", phnum, phoff)
	}

	// Overlap, reported by program header (program.New checks again).
	byAddr := make([]int, 0, len(loads))
	for k := range loads {
		if loads[k].seg.Memsz != 0 {
			byAddr = append(byAddr, k)
		}
	}
	sort.SliceStable(byAddr, func(a, b int) bool { return loads[byAddr[a]].seg.Vaddr < loads[byAddr[b]].seg.Vaddr })
	for k := 1; k < len(byAddr); k++ {
		a, b := &loads[byAddr[k-1]], &loads[byAddr[k]]
		if a.seg.End() > uint64(b.seg.Vaddr) {
			if a.idx > b.idx {
				a, b = b, a
			}
			return nil, fmt.Errorf("elf: program header %d at file offset 0x%x: segment memory range [0x%x, 0x%x) overlaps [0x%x, 0x%x) of program header %d at file offset 0x%x",
				b.idx, b.off, b.seg.Vaddr, b.seg.End(), a.seg.Vaddr, a.seg.End(), a.idx, a.off)
		}
	}

	// Entry point: aligned, inside an executable segment.
	if entry&3 != 0 {
		hint := ""
		if entry&1 != 0 {
			hint = " (an odd entry point means MIPS16e or microMIPS code, which zkmips does not run)"
		}
		return nil, fmt.Errorf("elf: e_entry at file offset 0x%x: entry point 0x%x is not 4-byte aligned%s", offEntry, entry, hint)
	}
	entryOK := false
	var entryIn *load
	for k := range loads {
		l := &loads[k]
		if uint64(entry) >= uint64(l.seg.Vaddr) && uint64(entry) < l.seg.End() {
			if l.seg.Executable() {
				entryOK = true
				break
			}
			entryIn = l
		}
	}
	if !entryOK {
		if entryIn != nil {
			return nil, fmt.Errorf("elf: e_entry at file offset 0x%x: entry point 0x%x is not inside an executable PT_LOAD segment: it lies in the non-executable segment [0x%x, 0x%x) (flags %s) of program header %d at file offset 0x%x",
				offEntry, entry, entryIn.seg.Vaddr, entryIn.seg.End(), flagString(entryIn.seg.Flags), entryIn.idx, entryIn.off)
		}
		return nil, fmt.Errorf("elf: e_entry at file offset 0x%x: entry point 0x%x is not inside an executable PT_LOAD segment", offEntry, entry)
	}

	// Program header table address, for AT_PHDR.
	if !hasPhdr {
		for k := range loads {
			s := &loads[k].seg
			if uint64(s.Offset) <= phoff && phend <= uint64(s.Offset)+uint64(len(s.Data)) {
				hasPhdr, phdrAddr = true, s.Vaddr+uint32(phoff-uint64(s.Offset))
				break
			}
		}
	}

	segs := make([]Segment, len(loads))
	for k := range loads {
		segs[k] = loads[k].seg
	}
	p, err := New(big, entry, segs, readSymbols(data, bo))
	if err != nil {
		return nil, fmt.Errorf("elf: %w", err)
	}
	p.HasTLS = hasTLS
	if hasPhdr && phdrAddr != 0 {
		p.PhdrAddr, p.PhEnt, p.PhNum = phdrAddr, elfPhentSize, uint32(phnum)
	}
	return p, nil
}

// checkHeader validates the ELF identification and the fields that decide
// whether zkmips can run the file, and returns the file's byte order.
func checkHeader(data []byte) (binary.ByteOrder, error) {
	if len(data) >= 4 && string(data[:4]) != "\x7fELF" {
		return nil, fmt.Errorf("elf: bad magic % x at file offset 0x0, expected 7f 45 4c 46: not an ELF file", data[:4])
	}
	if len(data) > offClass {
		switch c := data[offClass]; c {
		case 1:
		case 2:
			return nil, fmt.Errorf("elf: EI_CLASS at file offset 0x%x: ELF64 file; zkmips runs 32-bit MIPS (ELF32) executables", offClass)
		default:
			return nil, fmt.Errorf("elf: EI_CLASS at file offset 0x%x: invalid class %d, expected 1 (ELF32)", offClass, c)
		}
	}
	if len(data) < elfHeaderSize {
		return nil, fmt.Errorf("elf: file is %d bytes, shorter than the %d-byte ELF32 header at file offset 0x0", len(data), elfHeaderSize)
	}
	var bo binary.ByteOrder
	switch d := data[offData]; d {
	case 1:
		bo = binary.LittleEndian
	case 2:
		bo = binary.BigEndian
	default:
		return nil, fmt.Errorf("elf: EI_DATA at file offset 0x%x: invalid data encoding %d, expected 1 (little-endian) or 2 (big-endian)", offData, d)
	}
	if v := data[offVersion]; v != 1 {
		return nil, fmt.Errorf("elf: EI_VERSION at file offset 0x%x: ELF version %d, expected 1", offVersion, v)
	}
	if m := bo.Uint16(data[offMachine:]); m != emMIPS {
		return nil, fmt.Errorf("elf: e_machine at file offset 0x%x: machine %d (%s), expected MIPS (%d)", offMachine, m, machineName(m), emMIPS)
	}
	if t := bo.Uint16(data[offType:]); t != etExec {
		return nil, fmt.Errorf("elf: e_type at file offset 0x%x: type %s: zkmips needs a static ET_EXEC executable — %s", offType, typeName(t), typeAdvice(t))
	}
	flags := bo.Uint32(data[offFlags:])
	switch arch := flags >> 28; arch {
	case 0, 1, 5, 7: // MIPS I, MIPS II, MIPS32, MIPS32r2
	case 2, 3, 4, 6, 8, 0xa:
		return nil, fmt.Errorf("elf: e_flags at file offset 0x%x: flags 0x%08x: architecture %s is 64-bit; zkmips runs 32-bit MIPS (MIPS I/II, MIPS32, MIPS32r2) code", offFlags, flags, archName(arch))
	case 9:
		return nil, fmt.Errorf("elf: e_flags at file offset 0x%x: flags 0x%08x: architecture MIPS32R6 is not supported (release 6 re-encoded many instructions); zkmips runs MIPS32r2 and earlier — build with -march=mips32r2", offFlags, flags)
	default:
		return nil, fmt.Errorf("elf: e_flags at file offset 0x%x: flags 0x%08x: unknown architecture level 0x%x (EF_MIPS_ARCH); zkmips runs MIPS I/II, MIPS32 and MIPS32r2 code", offFlags, flags, arch)
	}
	if flags&efMIPSABI2 != 0 {
		return nil, fmt.Errorf("elf: e_flags at file offset 0x%x: flags 0x%08x: n32 ABI (EF_MIPS_ABI2); zkmips runs o32 executables", offFlags, flags)
	}
	return bo, nil
}

// readSymbols returns the function and object symbols of the SHT_SYMTAB
// section, or nil when the section headers or the symbol table are missing
// or do not fit the file. Names are substrings of a single copy of the
// string table, so the result costs O(len(data)) memory however the names
// overlap; a table whose names add up to more than twice the file size is
// treated as broken, which bounds the time New spends sorting them.
func readSymbols(data []byte, bo binary.ByteOrder) []Symbol {
	size := uint64(len(data))
	shoff := uint64(bo.Uint32(data[offShoff:]))
	shentsize := bo.Uint16(data[offShentsize:])
	shnum := uint64(bo.Uint16(data[offShnum:]))
	if shoff == 0 || shnum == 0 || shentsize != elfShentSize || shoff+shnum*elfShentSize > size {
		return nil
	}
	// section returns the type, file range, link and entry size of section
	// i, with ok false when its bytes are not inside the file.
	section := func(i uint64) (typ uint32, off, n uint64, link uint32, entsize uint64, ok bool) {
		h := data[shoff+i*elfShentSize:][:elfShentSize]
		typ = bo.Uint32(h[4:])
		off = uint64(bo.Uint32(h[16:]))
		n = uint64(bo.Uint32(h[20:]))
		link = bo.Uint32(h[24:])
		entsize = uint64(bo.Uint32(h[36:]))
		return typ, off, n, link, entsize, off+n <= size
	}
	for i := uint64(1); i < shnum; i++ {
		typ, off, n, link, entsize, ok := section(i)
		if typ != shtSymtab {
			continue
		}
		if !ok || entsize != elfSymSize || uint64(link) >= shnum {
			return nil
		}
		styp, soff, sn, _, _, sok := section(uint64(link))
		if styp != shtStrtab || !sok {
			return nil
		}
		str := data[soff : soff+sn]
		count := n / elfSymSize
		syms := make([]Symbol, 0, count) // at most 2 bytes per file byte
		nameOffs := make([]uint32, 0, count)
		for k := uint64(1); k < count; k++ { // entry 0 is the null symbol
			e := data[off+k*elfSymSize:][:elfSymSize]
			nameOff := bo.Uint32(e[0:])
			value := bo.Uint32(e[4:])
			info := e[12]
			if bo.Uint16(e[14:]) == shnUndef {
				continue
			}
			switch info & 0xf {
			case sttFunc, sttObject:
			case sttNotype:
				if value == 0 || uint64(nameOff) >= sn || str[nameOff] == 0 {
					continue // unnamed or at address 0: a label of no use
				}
			default:
				continue
			}
			syms = append(syms, Symbol{Addr: value, Size: bo.Uint32(e[8:]), Func: info&0xf == sttFunc})
			nameOffs = append(nameOffs, nameOff)
		}
		// Resolve names in order of their offset, so that finding each
		// terminating NUL scans every string table byte at most once even
		// when many names share bytes or the table lacks NULs.
		order := make([]int32, len(syms))
		for k := range order {
			order[k] = int32(k)
		}
		sort.Slice(order, func(a, b int) bool { return nameOffs[order[a]] < nameOffs[order[b]] })
		strs := string(str)           // one copy; names are substrings of it
		nul, have := uint64(0), false // a NUL position (or sn) at or after the offsets seen so far
		names := uint64(0)            // total bytes of the names
		for _, k := range order {
			o := uint64(nameOffs[k])
			if o >= sn {
				continue // no name
			}
			if !have || o > nul {
				have = true
				nul = sn
				if j := bytes.IndexByte(str[o:], 0); j >= 0 {
					nul = o + uint64(j)
				}
			}
			syms[k].Name = strs[o:nul]
			if names += nul - o; names > 2*size {
				// Names overlapping far beyond what the table holds: a
				// crafted table, and sorting such names by Name would cost
				// time out of proportion to the file. Drop the symbols.
				return nil
			}
		}
		return syms
	}
	return nil
}

func flagString(f uint32) string {
	b := []byte("---")
	if f&pfR != 0 {
		b[0] = 'R'
	}
	if f&pfW != 0 {
		b[1] = 'W'
	}
	if f&pfX != 0 {
		b[2] = 'X'
	}
	return string(b)
}

func machineName(m uint16) string {
	switch m {
	case 0:
		return "none"
	case 2:
		return "SPARC"
	case 3:
		return "x86"
	case 10:
		return "MIPS RS3000 little-endian"
	case 20:
		return "PowerPC"
	case 21:
		return "PowerPC64"
	case 22:
		return "S/390"
	case 40:
		return "ARM"
	case 62:
		return "x86-64"
	case 183:
		return "AArch64"
	case 243:
		return "RISC-V"
	case 258:
		return "LoongArch"
	}
	return "unknown"
}

func typeName(t uint16) string {
	switch t {
	case 0:
		return "ET_NONE"
	case 1:
		return "ET_REL (relocatable object)"
	case 3:
		return "ET_DYN (shared object / PIE)"
	case 4:
		return "ET_CORE (core dump)"
	}
	return fmt.Sprintf("%d (unknown)", t)
}

func typeAdvice(t uint16) string {
	switch t {
	case 1:
		return "link the object into an executable with -static"
	case 3:
		return "link with -static -no-pie"
	}
	return "this file is not one"
}

func archName(a uint32) string {
	switch a {
	case 2:
		return "MIPS III"
	case 3:
		return "MIPS IV"
	case 4:
		return "MIPS V"
	case 6:
		return "MIPS64"
	case 8:
		return "MIPS64R2"
	case 0xa:
		return "MIPS64R6"
	}
	return fmt.Sprintf("0x%x", a)
}
