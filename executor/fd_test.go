package executor_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/asm"
)

// Descriptor syscalls and constants (MIPS values).
const (
	nRead, nWrite, nClose, nFcntl         = 4003, 4004, 4006, 4055
	nEpollCreate, nEpollCtl, nEpollWait   = 4248, 4249, 4250
	nEventfd2, nEpollCreate1, nPipe2      = 4325, 4326, 4328
	nRtSigaction                          = 4194
	oNonblock, oCloexec, efdSemaphore     = 0x80, 0x80000, 1
	s4, s5, s6                            = asm.S4, asm.S5, asm.S6
	epIn, epOut, epErr, epHup, epOneshot  = 0x1, 0x4, 0x8, 0x10, 1 << 30
	ctlAdd, ctlDel, ctlMod                = 1, 2, 3
	errBADF, errAGAIN, errINVAL, errEXIST = 9, 11, 22, 17
)

// fdCalls emits syscalls whose arguments are registers or immediates.
type fdCalls struct {
	*asm.Builder
}

// sys emits num(args...): an asm.Reg argument is moved, a uint32 loaded, a
// string is a label's address.
func (b fdCalls) sys(num uint32, args ...any) {
	for i, a := range args {
		switch v := a.(type) {
		case asm.Reg:
			b.MOVE(a0+asm.Reg(i), v)
		case uint32:
			b.LI(a0+asm.Reg(i), v)
		case string: // a label, or label+offset
			name, off, _ := strings.Cut(v, "+")
			b.LA(a0+asm.Reg(i), name)
			if off != "" {
				n, err := strconv.Atoi(off)
				if err != nil {
					panic(err)
				}
				b.ADDIU(a0+asm.Reg(i), a0+asm.Reg(i), int16(n))
			}
		default:
			panic("bad argument")
		}
	}
	b.LI(v0, num)
	b.SYSCALL()
}

// TestFDLinux runs descriptor syscalls under the executor and under
// qemu-user (which passes them to the host's Linux) and compares every
// result and the bytes they move, in both byte orders: eventfd counters and
// EFD_SEMAPHORE, pipes (order of bytes, EAGAIN, EBADF on the wrong end,
// end of file, EPIPE), fcntl flags, epoll_ctl's errors and epoll_wait's
// reports (input, output, hang-up, error, one-shot). Only what zkmips
// models as Linux does is compared: no descriptor numbers (Linux hands out
// 3, 4, ...; zkmips 100, 101, ...), pipes below their capacity, one ready
// descriptor at a time (Linux reports in readiness order, zkmips in
// descriptor order), nothing that would block.
func TestFDLinux(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		var order binary.AppendByteOrder = binary.LittleEndian
		if be {
			order = binary.BigEndian
		}
		u64 := func(v uint64) []byte { return order.AppendUint64(nil, v) }
		event := func(events uint32, data uint64) []byte {
			return append(order.AppendUint32(order.AppendUint32(nil, events), 0), u64(data)...)
		}
		const outputs = 160
		batch(t, be, 1, outputs, func(c *caseBuilder) {
			b := fdCalls{c.Builder}
			b.Data("five", u64(5))
			b.Data("max", u64(1<<64-1))
			b.Data("big", u64(1<<64-6))
			b.Data("one", u64(1))
			b.Data("msg", []byte("hello, pipe"))
			b.Data("evin", event(epIn, 0x1122334455667788))
			b.Data("evout", event(epOut, 0x99))
			b.Data("evshot", event(epOut|epOneshot, 0xabc))
			b.DataWords("ign", 0, 1, 0, 0, 0, 0)
			b.BSS("buf", 64)
			b.BSS("evs", 64)
			b.BSS("fds", 8)
			k := 0
			// rec keeps a3 and, unless the value is a descriptor number, v0.
			rec := func(value bool) {
				if value {
					c.Out(v0, k)
				}
				c.Out(a3, k+1)
				k += 2
			}
			call := func(value bool, num uint32, args ...any) {
				b.sys(num, args...)
				rec(value)
			}
			// eventfd, a semaphore
			call(false, nEventfd2, uint32(3), uint32(oNonblock|efdSemaphore))
			b.MOVE(s2, v0)
			call(true, nRead, s2, "buf", uint32(8))
			call(true, nRead, s2, "buf", uint32(4)) // EINVAL
			call(true, nRead, s2, "buf", uint32(8))
			call(true, nRead, s2, "buf", uint32(8))
			call(true, nRead, s2, "buf", uint32(8)) // EAGAIN
			call(true, nWrite, s2, "five", uint32(8))
			call(true, nWrite, s2, "max", uint32(8)) // EINVAL
			call(true, nWrite, s2, "five", uint32(7))
			call(true, nRead, s2, "buf", uint32(16))
			call(true, nWrite, s2, "big", uint32(8)) // up to 2^64 - 2
			call(true, nWrite, s2, "one", uint32(8)) // EAGAIN
			call(true, nFcntl, s2, uint32(3), uint32(0))
			call(true, nFcntl, s2, uint32(1), uint32(0))
			call(true, nEventfd2, uint32(0), uint32(2)) // EINVAL
			// a pipe
			call(true, nPipe2, "fds", uint32(1)) // EINVAL
			call(true, nPipe2, "fds", uint32(oNonblock))
			b.LA(t0, "fds")
			b.LW(s3, 0, t0)
			b.LW(s4, 4, t0)
			b.SW(zero, 0, t0)
			b.SW(zero, 4, t0)
			call(true, nRead, s3, "buf", uint32(4)) // EAGAIN
			call(true, nWrite, s3, "msg", uint32(4))
			call(true, nRead, s4, "buf", uint32(4))
			call(true, nWrite, s4, "msg", uint32(11))
			call(true, nRead, s3, "buf", uint32(3))
			call(true, nRead, s3, "buf+19", uint32(20))
			call(true, nFcntl, s3, uint32(3), uint32(0))
			call(true, nFcntl, s4, uint32(3), uint32(0))
			call(true, nFcntl, s4, uint32(4), uint32(0))
			call(true, nFcntl, s4, uint32(3), uint32(0))
			call(true, nFcntl, s4, uint32(4), uint32(oNonblock))
			// epoll
			call(true, nEpollCreate, uint32(0))
			call(true, nEpollCreate1, uint32(1))
			call(false, nEpollCreate1, uint32(oCloexec))
			b.MOVE(s1, v0)
			call(true, nFcntl, s1, uint32(1), uint32(0))
			call(true, nFcntl, s1, uint32(3), uint32(0))
			call(true, nEpollCtl, s1, uint32(ctlAdd), s2, "evin")
			call(true, nEpollCtl, s1, uint32(ctlAdd), s2, "evin") // EEXIST
			call(true, nEpollCtl, s1, uint32(ctlMod), s3, "evin") // ENOENT
			call(true, nEpollCtl, s1, uint32(ctlDel), s3, "evin")
			call(true, nEpollCtl, s2, uint32(ctlAdd), s3, "evin") // not an epoll
			call(true, nEpollCtl, s1, uint32(ctlAdd), s1, "evin")
			call(true, nEpollCtl, s1, uint32(7), s3, "evin")
			call(true, nEpollWait, s1, "evs", uint32(8), uint32(0)) // the eventfd
			call(true, nClose, s2)                                  // leaves the interest set
			call(true, nEpollWait, s1, "evs", uint32(8), uint32(0))
			call(true, nEpollCtl, s1, uint32(ctlAdd), s3, "evin")
			call(true, nEpollWait, s1, "evs", uint32(8), uint32(0))
			call(true, nWrite, s4, "msg", uint32(3))
			call(true, nEpollWait, s1, "evs+16", uint32(8), uint32(0)) // the read end
			call(true, nEpollCtl, s1, uint32(ctlAdd), s4, "evout")
			call(true, nRead, s3, "buf", uint32(64))
			call(true, nEpollWait, s1, "evs+32", uint32(8), uint32(0)) // the empty write end
			call(true, nEpollCtl, s1, uint32(ctlDel), s4, "evout")
			call(true, nClose, s4)
			call(true, nEpollWait, s1, "evs+48", uint32(8), uint32(0)) // hang-up
			call(true, nRead, s3, "buf", uint32(64))                   // end of file
			call(true, nClose, s3)
			// one-shot, then a write end without a reader
			call(true, nPipe2, "fds", uint32(oNonblock))
			b.LA(t0, "fds")
			b.LW(s5, 0, t0)
			b.LW(s6, 4, t0)
			b.SW(zero, 0, t0)
			b.SW(zero, 4, t0)
			call(true, nEpollCtl, s1, uint32(ctlAdd), s6, "evshot")
			call(true, nEpollWait, s1, "evs", uint32(8), uint32(0))
			call(true, nEpollWait, s1, "evs", uint32(8), uint32(0)) // disabled
			call(true, nEpollCtl, s1, uint32(ctlMod), s6, "evshot")
			call(true, nRtSigaction, uint32(13), "ign", uint32(0), uint32(16))
			call(true, nClose, s5)
			call(true, nWrite, s6, "msg", uint32(1)) // EPIPE
			call(true, nEpollWait, s1, "evs", uint32(8), uint32(0))
			call(true, nEpollWait, s1, "evs", uint32(0), uint32(0))
			call(true, nEpollWait, s1, uint32(0x800), uint32(1), uint32(0))
			call(true, nEpollWait, s6, "evs", uint32(1), uint32(0))
			call(true, nEpollWait, uint32(99), "evs", uint32(1), uint32(0))
			call(true, nClose, s6)
			call(true, nClose, s1)
			call(true, nClose, s1)
			if k > outputs {
				t.Fatalf("%d outputs", k)
			}
		})
	})
}

// TestFDLimits: 16 guest-created descriptors (EMFILE), 4 pipes (ENFILE),
// one epoll instance (EMFILE); numbers from 100, the lowest free first.
func TestFDLimits(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		var results []uint32
		m, r, b := runProg(t, be, func(b *asm.Builder) {
			c := fdCalls{b}
			b.BSS("fds", 8)
			b.BSS("out", 256)
			b.LA(s0, "out")
			n := 0
			out := func() {
				b.SW(v0, int16(8*n), s0)
				b.SW(a3, int16(8*n+4), s0)
				n++
			}
			for i := 0; i < 5; i++ {
				c.sys(nPipe2, "fds", uint32(0))
				out()
			}
			c.sys(nEpollCreate1, uint32(0))
			out()
			c.sys(nEpollCreate1, uint32(0))
			out()
			for i := 0; i < 8; i++ {
				c.sys(nEventfd2, uint32(0), uint32(0))
				out()
			}
			c.sys(nClose, uint32(103))
			out()
			c.sys(nEventfd2, uint32(0), uint32(0))
			out()
			b.Exit(0)
		})
		wantExit(t, r, 0)
		outAddr := b.MustAddr("out")
		for i := uint32(0); i < 2*17; i++ {
			results = append(results, m.ReadWord(outAddr+4*i))
		}
		want := []uint32{0, 0, 0, 0, 0, 0, 0, 0, 23, 1, 108, 0, 24, 1}
		for fd := uint32(109); fd < 116; fd++ {
			want = append(want, fd, 0)
		}
		want = append(want, 24, 1, 0, 0, 103, 0)
		if !slices.Equal(results, want) {
			t.Fatalf("results %v, want %v", results, want)
		}
		if executor.FDSlots != 16 || executor.MaxPipes != 4 || executor.PipeCapacity != 512 {
			t.Fatal("limits changed: update docs/linux.md and the contract")
		}
	})
}

// TestFDDeadlock: a blocking call that could only be completed by another
// thread stops the run with an error, before the step.
func TestFDDeadlock(t *testing.T) {
	cases := []struct {
		name string
		emit func(c fdCalls)
	}{
		{"read empty pipe", func(c fdCalls) {
			c.sys(nPipe2, "fds", uint32(0))
			c.sys(nRead, uint32(100), "buf", uint32(1))
		}},
		{"read eventfd at 0", func(c fdCalls) {
			c.sys(nEventfd2, uint32(0), uint32(0))
			c.sys(nRead, uint32(100), "buf", uint32(8))
		}},
		{"write full pipe", func(c fdCalls) {
			c.sys(nPipe2, "fds", uint32(0))
			c.sys(nWrite, uint32(101), "buf", uint32(512))
			c.sys(nWrite, uint32(101), "buf", uint32(1))
		}},
		{"write more than the capacity", func(c fdCalls) {
			c.sys(nPipe2, "fds", uint32(0))
			c.sys(nWrite, uint32(101), "buf", uint32(513))
		}},
		{"write eventfd full", func(c fdCalls) {
			c.sys(nEventfd2, uint32(0), uint32(0))
			c.sys(nWrite, uint32(100), "max", uint32(8))
			c.sys(nWrite, uint32(100), "one", uint32(8))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bothOrders(t, func(t *testing.T, be bool) {
				m, r, b := runProg(t, be, func(b *asm.Builder) {
					b.BSS("fds", 8)
					b.BSS("buf", 600)
					v := make([]byte, 16)
					b.ByteOrder().PutUint64(v, 1<<64-2)
					b.ByteOrder().PutUint64(v[8:], 1)
					b.Data("max", v[:8])
					b.Data("one", v[8:])
					tc.emit(fdCalls{b})
					b.Label("after")
					b.Exit(0)
				})
				if r.Err == nil || !strings.Contains(r.Err.Error(), "guest deadlock") {
					t.Fatalf("run ended with %v, want a deadlock error", r.Err)
				}
				if m.PC() != b.MustAddr("after")-4 {
					t.Fatalf("stopped at pc 0x%x, want the syscall at 0x%x", m.PC(), b.MustAddr("after")-4)
				}
			})
		})
	}
}

func TestPipeTransfer(t *testing.T) {
	const open = 3 << 30
	state := func(head, count uint32, ends uint32) uint32 { return ends | count<<16 | head }
	for _, c := range []struct {
		s, n        uint32
		write, nb   bool
		k           uint32
		errno       int64
		block       bool
		description string
	}{
		{state(0, 0, open), 5, false, true, 0, 11, false, "read empty, non-blocking"},
		{state(0, 0, open), 5, false, false, 0, 0, true, "read empty, blocking"},
		{state(0, 0, 1<<30), 5, false, false, 0, 0, false, "read empty without a writer: end of file"},
		{state(7, 10, open), 4, false, false, 4, 0, false, "read part"},
		{state(7, 10, open), 40, false, true, 10, 0, false, "read all"},
		{state(0, 0, open), 512, true, false, 512, 0, false, "write the capacity"},
		{state(0, 1, open), 512, true, true, 0, 11, false, "atomic write without room"},
		{state(0, 1, open), 512, true, false, 0, 0, true, "atomic write without room, blocking"},
		{state(0, 100, open), 600, true, true, 412, 0, false, "large write: what fits"},
		{state(0, 100, open), 600, true, false, 0, 0, true, "large write, blocking"},
		{state(0, 512, open), 600, true, true, 0, 11, false, "large write to a full pipe"},
	} {
		k, errno, block := executor.PipeTransfer(c.s, c.n, c.write, c.nb)
		if k != c.k || errno != c.errno || block != c.block {
			t.Errorf("%s: %d %d %v, want %d %d %v", c.description, k, errno, block, c.k, c.errno, c.block)
		}
	}
	b := uint32(executor.SysPipeBuf + executor.PipeCapacity)
	for _, c := range []struct {
		off, k uint32
		want   []uint32
	}{
		{0, 0, nil},
		{1, 2, []uint32{b}},
		{3, 2, []uint32{b, b + 4}},
		{510, 4, []uint32{b, b + 508}},
		{2, 512, nil}, // every word, once
	} {
		got := executor.PipeRing(1, c.off, c.k)
		if c.k == 512 {
			if len(got) != 128 || !slices.IsSorted(got) || got[0] != b || got[127] != b+508 {
				t.Errorf("ring %d+%d: %x", c.off, c.k, got)
			}
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("ring %d+%d: %x, want %x", c.off, c.k, got, c.want)
		}
	}
}

// TestStdinPending: a read of fd 0 that would return bytes is known before
// it runs, for a bytes.Reader and for a stream (read one byte ahead, which
// the read then returns).
func TestStdinPending(t *testing.T) {
	for _, in := range []io.Reader{bytes.NewReader([]byte("abcdef")), strings.NewReader("abcdef"), io.MultiReader(strings.NewReader("ab"), strings.NewReader("cdef"))} {
		b := asm.New(true)
		c := fdCalls{b}
		b.BSS("buf", 16)
		c.sys(nRead, uint32(0), "buf", uint32(4))
		c.sys(nRead, uint32(0), "buf+4", uint32(4))
		c.sys(nRead, uint32(0), "buf+8", uint32(4))
		b.Exit(0)
		p, err := b.Program()
		if err != nil {
			t.Fatal(err)
		}
		m, err := executor.New(p, executor.Config{Stdin: in, NoGoPatches: true})
		if err != nil {
			t.Fatal(err)
		}
		var pending []bool
		for !m.Exited() && m.Err() == nil {
			if m.InstAt(m.PC()).Word == 12 { // syscall
				pending = append(pending, m.StdinPending())
			}
			m.RunUntil(m.Step() + 1)
		}
		if got := string(m.ReadBytes(b.MustAddr("buf"), 12)); got != "abcdef\x00\x00\x00\x00\x00\x00" {
			t.Fatalf("%T: read %q", in, got)
		}
		if !slices.Equal(pending, []bool{true, true, false, false}) {
			t.Fatalf("%T: pending %v", in, pending)
		}
	}
}

// TestFDClone: a clone's descriptor table (a pipe's bytes included) is its
// own.
func TestFDClone(t *testing.T) {
	b := asm.New(false)
	c := fdCalls{b}
	b.BSS("fds", 8)
	b.BSS("buf", 8)
	b.Data("msg", []byte("abc"))
	c.sys(nPipe2, "fds", uint32(oNonblock))
	c.sys(nWrite, uint32(101), "msg", uint32(3))
	b.Label("fork")
	c.sys(nRead, uint32(100), "buf", uint32(8))
	b.ExitReg(v0)
	p, err := b.Program()
	if err != nil {
		t.Fatal(err)
	}
	m, err := executor.New(p, executor.Config{NoGoPatches: true})
	if err != nil {
		t.Fatal(err)
	}
	for m.PC() != b.MustAddr("fork") {
		m.RunUntil(m.Step() + 1)
	}
	c2, err := m.Clone(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := m.Run(); r.ExitCode != 3 {
		t.Fatalf("original read %d", r.ExitCode)
	}
	if r := c2.Run(); r.ExitCode != 3 {
		t.Fatalf("clone read %d after the original emptied its pipe", r.ExitCode)
	}
}
