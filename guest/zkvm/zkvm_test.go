//go:build !(linux && (mips || mipsle))

package zkvm

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"unsafe"
)

// fakeVM records the calls the package makes and serves an input stream.
type fakeVM struct {
	input   [][]byte
	public  []byte
	stdout  []byte
	commits [8]uint32
	halted  int
}

type halted struct{}

func (f *fakeVM) call(t *testing.T, code, a0, a1 uintptr, buf []byte) uintptr {
	switch code {
	case callHintLen:
		if len(f.input) == 0 {
			t.Fatal("HINT_LEN past the end of the input")
		}
		return uintptr(len(f.input[0]))
	case callHintRead:
		if a0%4 != 0 {
			t.Errorf("HINT_READ buffer %#x not 4-aligned", a0)
		}
		if int(a1) != len(f.input[0]) {
			t.Errorf("HINT_READ length %d, item has %d", a1, len(f.input[0]))
		}
		copy(buf, f.input[0])
		f.input = f.input[1:]
	case callWrite:
		switch a0 {
		case Stdout:
			f.stdout = append(f.stdout, buf...)
		case FdPublicValues:
			f.public = append(f.public, buf...)
		case FdHint:
			f.input = append(f.input, append([]byte(nil), buf...))
		}
	case callCommit:
		f.commits[a0] = uint32(a1)
	case callHalt:
		f.halted = int(a0)
		panic(halted{})
	default:
		t.Fatalf("unexpected call %#x", code)
	}
	return 0
}

func withFake(t *testing.T, f *fakeVM) {
	old := hostCall
	hostCall = func(code, a0, a1 uintptr, buf []byte) uintptr { return f.call(t, code, a0, a1, buf) }
	committed.Reset()
	t.Cleanup(func() { hostCall = old; committed.Reset() })
}

func TestReadWriteCommitExit(t *testing.T) {
	f := &fakeVM{input: [][]byte{{1, 2, 3, 4, 5}, {}, {9, 8, 7}}}
	withFake(t, f)

	if got := Read(); !bytes.Equal(got, []byte{1, 2, 3, 4, 5}) {
		t.Fatalf("Read = %v", got)
	}
	if got := Read(); len(got) != 0 {
		t.Fatalf("empty Read = %v", got)
	}
	var words [2]uint32
	dst := unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), 8)[1:] // misaligned
	if n := ReadInto(dst); n != 3 || !bytes.Equal(dst[:3], []byte{9, 8, 7}) {
		t.Fatalf("ReadInto = %d %v", n, dst[:3])
	}
	Hint([]byte("hint"))
	if got := Read(); string(got) != "hint" {
		t.Fatalf("Read after Hint = %q", got)
	}
	Write(Stdout, []byte("out"))
	Commit([]byte("abc"))
	Commit([]byte("def"))
	if string(f.public) != "abcdef" || string(f.stdout) != "out" {
		t.Fatalf("public %q stdout %q", f.public, f.stdout)
	}

	func() {
		defer func() {
			if _, ok := recover().(halted); !ok {
				t.Fatal("Exit did not HALT")
			}
		}()
		Exit(3)
	}()
	if f.halted != 3 {
		t.Fatalf("exit code %d", f.halted)
	}
	d := sha256.Sum256([]byte("abcdef"))
	for i, w := range f.commits {
		if want := binary.LittleEndian.Uint32(d[4*i:]); w != want {
			t.Errorf("COMMIT word %d = %#x, want %#x", i, w, want)
		}
	}
}
