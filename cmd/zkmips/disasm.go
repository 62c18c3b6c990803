package main

import (
	"bufio"
	"fmt"
	"io"
	"sort"

	"github.com/spf13/cobra"
	"github.com/zkmips/zkmips/program"
)

const disasmLong = `Disasm prints the instructions of PROGRAM (a path or example:NAME), one
per line as address, instruction word and GNU as syntax:

  0x00400000  3c1c0042  lui $gp, 0x42

Every executable segment is listed, with a "<name>:" line before each
address a symbol starts at; a run of 16 or more zero words outside every
symbol (padding) is shown as one "..." line. With --symbol only that symbol
is listed, in full.`

func (c *cli) disasmCommand() *cobra.Command {
	var symbol string
	cmd := &cobra.Command{
		Use:   "disasm PROGRAM",
		Short: "Disassemble a program's code",
		Long:  disasmLong,
		Example: `  zkmips disasm example:hello
  zkmips disasm ./guest --symbol main.main`,
		Args: programArg(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			prog, _, err := loadProgram(args[0])
			if err != nil {
				return err
			}
			w := bufio.NewWriterSize(c.stdout, 64<<10)
			if symbol != "" {
				err = disasmSymbol(w, prog, symbol)
			} else {
				disasmAll(w, prog)
			}
			if ferr := w.Flush(); err == nil && ferr != nil {
				err = fmt.Errorf("writing standard output: %w", ferr)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&symbol, "symbol", "", "disassemble only the symbol (function) `NAME`")
	return cmd
}

// disassembler prints address ranges of a program with symbol headers.
type disassembler struct {
	w      io.Writer
	prog   *program.Program
	starts map[uint32][]string // symbol names by start address
	lines  int
}

func newDisassembler(w io.Writer, prog *program.Program) *disassembler {
	d := &disassembler{w: w, prog: prog, starts: map[uint32][]string{}}
	for _, s := range prog.Symbols {
		if s.Name != "" {
			d.starts[s.Addr] = append(d.starts[s.Addr], s.Name)
		}
	}
	return d
}

// inst returns the decoded instruction at the aligned address a.
func (d *disassembler) inst(a uint32) program.Inst {
	p := d.prog
	if i := (a - p.CodeBase) / 4; a >= p.CodeBase && uint64(i) < uint64(len(p.Code)) {
		return p.Code[i]
	}
	return program.Decode(p.WordAt(a), a)
}

// minZeroRun is the shortest run of padding words disasmAll elides.
const minZeroRun = 16

// padding reports whether the word at a is zero and outside every symbol.
func (d *disassembler) padding(a uint32) bool {
	if d.inst(a).Word != 0 || len(d.starts[a]) != 0 {
		return false
	}
	_, in := d.prog.SymbolAt(a)
	return !in
}

// print lists the instructions in [lo, hi) (lo 4-aligned), eliding runs of
// padding when elide is set.
func (d *disassembler) print(lo, hi uint64, elide bool) {
	for a := lo; a < hi; a += 4 {
		addr := uint32(a)
		if elide && d.padding(addr) {
			end := a + 4
			for end < hi && d.padding(uint32(end)) {
				end += 4
			}
			if end-a >= 4*minZeroRun {
				fmt.Fprintln(d.w, "...")
				d.lines++
				a = end - 4
				continue
			}
		}
		for _, name := range d.starts[addr] {
			if d.lines > 0 {
				fmt.Fprintln(d.w)
			}
			fmt.Fprintf(d.w, "<%s>:\n", name)
			d.lines++
		}
		in := d.inst(addr)
		fmt.Fprintf(d.w, "0x%08x  %08x  %s%s\n", addr, in.Word, in.String(), d.target(in))
		d.lines++
	}
}

// disasmAll lists the file-backed part of every executable segment, less
// the ELF and program headers a segment mapping the start of the file holds.
func disasmAll(w io.Writer, prog *program.Program) {
	d := newDisassembler(w, prog)
	for i := range prog.Segments {
		s := &prog.Segments[i]
		if s.Executable() && len(s.Data) > 0 {
			lo := uint64(s.Vaddr) + headerBytes(prog, s)
			d.print(lo&^3, uint64(s.Vaddr)+uint64(len(s.Data)), true)
		}
	}
}

// headerBytes returns how many bytes at the start of segment s are the ELF
// header and program header table rather than code: none unless the
// segment maps file offset 0 and the entry point is past the headers.
func headerBytes(prog *program.Program, s *program.Segment) uint64 {
	const elfHeaderSize = 52
	if s.Offset != 0 || len(s.Data) < elfHeaderSize || string(s.Data[:4]) != "\x7fELF" {
		return 0
	}
	n := uint64(elfHeaderSize)
	if p := uint64(prog.PhdrAddr); p >= uint64(s.Vaddr) && p < uint64(s.Vaddr)+uint64(len(s.Data)) {
		n = max(n, p-uint64(s.Vaddr)+uint64(prog.PhEnt)*uint64(prog.PhNum))
	}
	n = min(n, uint64(len(s.Data)))
	if e := uint64(prog.Entry); e >= uint64(s.Vaddr) && e < uint64(s.Vaddr)+n {
		return 0
	}
	return n
}

// disasmSymbol lists the symbol called name: Size bytes from its address, or
// up to the next symbol when the size is unknown, never past its segment.
func disasmSymbol(w io.Writer, prog *program.Program, name string) error {
	sym, ok := prog.Lookup(name)
	if !ok {
		names := make([]string, 0, len(prog.Symbols))
		for _, s := range prog.Symbols {
			names = append(names, s.Name)
		}
		if s := suggest(name, names); s != "" {
			return fmt.Errorf("no symbol %q in the program (did you mean %q?)", name, s)
		}
		if len(prog.Symbols) == 0 {
			return fmt.Errorf("no symbol %q: the program has no symbol table", name)
		}
		return fmt.Errorf("no symbol %q in the program", name)
	}
	var seg *program.Segment
	for i := range prog.Segments {
		s := &prog.Segments[i]
		if uint64(sym.Addr) >= uint64(s.Vaddr) && uint64(sym.Addr) < s.End() {
			seg = s
		}
	}
	if seg == nil {
		return fmt.Errorf("symbol %s at 0x%08x is not in any loaded segment", name, sym.Addr)
	}
	end := seg.End()
	if sym.Size != 0 {
		end = min(end, uint64(sym.Addr)+uint64(sym.Size))
	} else {
		i := sort.Search(len(prog.Symbols), func(i int) bool { return prog.Symbols[i].Addr > sym.Addr })
		if i < len(prog.Symbols) {
			end = min(end, uint64(prog.Symbols[i].Addr))
		} else {
			end = min(end, uint64(seg.Vaddr)+uint64(len(seg.Data)))
		}
	}
	d := newDisassembler(w, prog)
	d.print(uint64(sym.Addr)&^3, end, false)
	return nil
}

// target names the symbol a jump or branch goes to, as " <name+0xoff>".
func (d *disassembler) target(in program.Inst) string {
	switch in.Op {
	case program.OpJ, program.OpJAL, program.OpBEQ, program.OpBNE, program.OpBLEZ, program.OpBGTZ,
		program.OpBLTZ, program.OpBGEZ, program.OpBLTZAL, program.OpBGEZAL, program.OpBEQL, program.OpBNEL,
		program.OpBLEZL, program.OpBGTZL, program.OpBLTZL, program.OpBGEZL, program.OpBLTZALL, program.OpBGEZALL,
		program.OpBC1F, program.OpBC1T, program.OpBC1FL, program.OpBC1TL:
	default:
		return ""
	}
	s, ok := d.prog.SymbolAt(in.Imm)
	if !ok {
		return ""
	}
	if in.Imm == s.Addr {
		return " <" + s.Name + ">"
	}
	return fmt.Sprintf(" <%s+0x%x>", s.Name, in.Imm-s.Addr)
}
