package witness

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/asm"
)

// TestScopeStdin: a read of fd 0 is refused only when it would return
// standard input bytes; reads of nothing, reads at end of input and reads
// of a closed fd 0 are proven. The refused step is not executed, and the
// read then returns the bytes (for a stream, the byte read ahead too).
func TestScopeStdin(t *testing.T) {
	for _, in := range []io.Reader{bytes.NewReader([]byte("abcde")), strings.NewReader("abcde")} {
		b := asm.New(false)
		b.BSS("buf", 16)
		read := func(n uint32) {
			b.LI(asm.A0, 0)
			b.LA(asm.A1, "buf")
			b.LI(asm.A2, n)
			b.LI(asm.V0, sysRead)
			b.SYSCALL()
		}
		read(0) // nothing: proven
		read(3) // "abc": refused
		read(8) // "de": refused
		read(8) // end of input: proven
		b.LI(asm.A0, 0)
		b.LI(asm.V0, sysClose)
		b.SYSCALL()
		read(8) // EBADF: proven
		b.Exit(0)
		p, err := b.Program()
		if err != nil {
			t.Fatal(err)
		}
		m, err := executor.New(p, executor.Config{Stdin: in, NoGoPatches: true})
		if err != nil {
			t.Fatal(err)
		}
		tr := NewTree()
		var refused []uint32
		var got []byte
		for !m.Exited() && m.Err() == nil {
			step := m.Step()
			isRead := m.InstAt(m.PC()).Word == 12 && m.Reg(2) == sysRead
			n := m.Reg(6)
			_, err := Prove(m, tr)
			switch {
			case errors.Is(err, ErrUnprovable):
				if m.Step() != step {
					t.Fatalf("%T: a refused step was executed", in)
				}
				refused = append(refused, n)
				m.RunUntil(step + 1)
			case err != nil:
				t.Fatal(err)
			}
			if isRead && m.Reg(7) == 0 {
				got = append(got, m.ReadBytes(b.MustAddr("buf"), int(m.Reg(2)))...)
			}
		}
		if len(refused) != 2 || refused[0] != 3 || refused[1] != 8 || string(got) != "abcde" {
			t.Fatalf("%T: refused reads of %v bytes, read %q", in, refused, got)
		}
	}
}
