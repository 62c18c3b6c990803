package program

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// fuzzSeeds returns small valid executables of both byte orders and some
// truncated and mutated variants of them. The committed corpus in
// testdata/fuzz/FuzzLoad holds the same inputs.
func fuzzSeeds() map[string][]byte {
	seeds := map[string][]byte{}
	for _, big := range []bool{true, false} {
		suffix := "-le"
		if big {
			suffix = "-be"
		}
		var bo binary.ByteOrder = binary.LittleEndian
		if big {
			bo = binary.BigEndian
		}
		v := validELF(big).build().b
		seeds["valid"+suffix] = v

		te := validELF(big)
		te.noSections = true
		seeds["nosections"+suffix] = te.build().b

		te = validELF(big)
		te.phdrs = append(te.phdrs,
			testPhdr{typ: ptPhdr, flags: pfR, vaddr: textBase + 52},
			testPhdr{typ: ptTLS, flags: pfR, vaddr: dataBase, memsz: 8})
		te.phdrs[1].memsz = 0xc0000000 // 3 GiB of BSS
		te.phdrs[1].vaddr = 0x10000000
		seeds["tls-bigbss"+suffix] = te.build().b

		te = validELF(big)
		te.phdrs[1] = testPhdr{typ: ptLoad, flags: pfR | pfX, data: codeBytes(bo, testCode)}
		lay := te.build()
		te.phdrs[1].vaddr = textBase + lay.dataOff[1]
		seeds["twocode"+suffix] = te.build().b

		seeds["header-only"+suffix] = v[:52]
		seeds["truncated-phdrs"+suffix] = v[:52+40]
		seeds["truncated-half"+suffix] = v[:len(v)/2]
		seeds["truncated-last"+suffix] = v[:len(v)-1]
		seeds["filesz-gt-memsz"+suffix] = mutate(big, v, put{ph(1, 4), 0x100, 4})
		seeds["overlap"+suffix] = mutate(big, v, put{ph(1, 2), textBase + 0x40, 4})
		seeds["wrap"+suffix] = mutate(big, v, put{ph(1, 2), 0xfffff000, 4})
		seeds["interp"+suffix] = mutate(big, v, put{ph(2, 0), ptInterp, 4})
		seeds["entry-data"+suffix] = mutate(big, v, put{24, dataBase, 4})
		seeds["shoff-wild"+suffix] = mutate(big, v, put{32, 0xfffffff0, 4})
		seeds["strtab-wild"+suffix] = mutate(big, v, put{int(bo.Uint32(v[32:])) + 40*3 + 20, 0x7fffffff, 4})
		seeds["phnum-huge"+suffix] = mutate(big, v, put{44, 0xffff, 2})
	}
	seeds["elf64"] = mutate(true, seeds["valid-be"], put{4, 2, 1})
	seeds["not-elf"] = []byte("#!/bin/sh\n")
	return seeds
}

func FuzzLoad(f *testing.F) {
	for _, b := range fuzzSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Load(data)
		if err != nil {
			if p != nil {
				t.Fatalf("Program and error %v", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "elf: ") || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("badly formed error %q", msg)
			}
			return
		}
		if len(p.Segments) == 0 || len(p.Segments) > MaxLoadSegments {
			t.Fatalf("%d segments", len(p.Segments))
		}
		entryOK := false
		for i := range p.Segments {
			s := &p.Segments[i]
			if s.End() > 1<<32 {
				t.Fatalf("segment [0x%x, 0x%x) outside the 32-bit space", s.Vaddr, s.End())
			}
			if uint64(len(s.Data)) > uint64(s.Memsz) {
				t.Fatalf("segment at 0x%x: %d file bytes, memsz 0x%x", s.Vaddr, len(s.Data), s.Memsz)
			}
			if i > 0 && p.Segments[i-1].End() > uint64(s.Vaddr) {
				t.Fatalf("segments [0x%x, 0x%x) and [0x%x, 0x%x) overlap or are unsorted",
					p.Segments[i-1].Vaddr, p.Segments[i-1].End(), s.Vaddr, s.End())
			}
			if n := len(s.Data); n > 0 {
				if uint64(s.Offset)+uint64(n) > uint64(len(data)) || !bytes.Equal(s.Data, data[s.Offset:int(s.Offset)+n]) {
					t.Fatalf("segment at 0x%x: data is not the file range at 0x%x", s.Vaddr, s.Offset)
				}
			}
			if s.Executable() && p.Entry >= s.Vaddr && uint64(p.Entry) < s.End() {
				entryOK = true
			}
		}
		if !entryOK || p.Entry&3 != 0 {
			t.Fatalf("entry 0x%x not in an executable segment", p.Entry)
		}
		if len(p.Code) > len(data)/4+1 {
			t.Fatalf("%d decoded instructions for a %d-byte file", len(p.Code), len(data))
		}
		for i := range p.Code {
			a := p.CodeBase + uint32(i)*4
			if w := p.WordAt(a); p.Code[i].Word != w {
				t.Fatalf("Code at 0x%x holds 0x%08x, memory 0x%08x", a, p.Code[i].Word, w)
			}
		}
		if len(p.Symbols) > len(data)/16 {
			t.Fatalf("%d symbols from a %d-byte file", len(p.Symbols), len(data))
		}
		for i := 1; i < len(p.Symbols); i++ {
			if p.Symbols[i-1].Addr > p.Symbols[i].Addr {
				t.Fatal("symbols not sorted")
			}
		}
		if p.PhdrAddr != 0 && (p.PhEnt != 32 || p.PhNum == 0) {
			t.Fatalf("PhdrAddr 0x%x with PhEnt %d PhNum %d", p.PhdrAddr, p.PhEnt, p.PhNum)
		}
		p.SymbolAt(p.Entry)
	})
}

// The valid seeds must load, or the fuzzer starts from rejected inputs only.
func TestFuzzSeedsLoad(t *testing.T) {
	for name, b := range fuzzSeeds() {
		for _, prefix := range []string{"valid", "nosections", "tls-bigbss", "twocode", "shoff-wild", "strtab-wild"} {
			if strings.HasPrefix(name, prefix+"-") {
				if _, err := Load(b); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
		}
	}
}
