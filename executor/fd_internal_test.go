package executor

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/internal/asm"
)

// TestFDCheckReachable runs random descriptor syscalls and checks after
// every step that the table is one fdState.check accepts (what a snapshot
// may hold). A program may end early when a blocking call would wait
// forever (fcntl may clear O_NONBLOCK).
func TestFDCheckReachable(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for prog := 0; prog < 40; prog++ {
		b := asm.New(prog%2 == 0)
		d := make([]byte, 1024)
		for i := range d {
			d[i] = byte(r.Uint32())
		}
		b.Data("d", d)
		b.DataWords("ign", 0, 1, 0, 0, 0, 0)
		b.LA(asm.A1, "ign")
		b.LI(asm.A0, 13)
		b.LI(asm.V0, sysRtSigaction)
		b.SYSCALL()
		data := b.DataBase
		fd := func() uint32 { return []uint32{0, 1, 2, 100, 101, 102, 103, 104, 105, 106}[r.IntN(10)] }
		for k := 0; k < 60; k++ {
			a := []uint32{fd(), data + uint32(r.IntN(512)), uint32(r.IntN(600)), data + 0x200}
			var num uint32
			switch r.IntN(9) {
			case 0:
				num, a[0], a[1] = sysPipe2, data+0x300, oNonblock
			case 1:
				num, a[1] = sysEventfd2, oNonblock|uint32(r.IntN(2))
			case 2:
				num, a[0] = sysEpollCreate1, 0
			case 3:
				num = sysClose
			case 4:
				num = sysRead
			case 5:
				num = sysWrite
			case 6:
				num, a[1], a[2] = sysFcntl, uint32(1+r.IntN(4)), uint32(r.IntN(0x100))
			case 7:
				// epoll_ctl(epfd, op, fd, event at d+0x200)
				num, a[1], a[2] = sysEpollCtl, uint32(1+r.IntN(3)), fd()
			default:
				num, a[2] = sysEpollPwait, uint32(1+r.IntN(4))
			}
			for j, v := range a {
				b.LI(asm.A0+asm.Reg(j), v)
			}
			b.LI(asm.V0, num)
			b.SYSCALL()
		}
		b.Exit(0)
		p, err := b.Program()
		if err != nil {
			t.Fatal(err)
		}
		m, err := New(p, Config{NoGoPatches: true})
		if err != nil {
			t.Fatal(err)
		}
		for !m.Exited() && m.Err() == nil {
			m.RunUntil(m.step + 1)
			if err := m.os.fd.check(); err != nil {
				t.Fatalf("program %d step %d: %v", prog, m.step, err)
			}
		}
		if m.Err() != nil && !strings.Contains(m.Err().Error(), "guest deadlock") {
			t.Fatalf("program %d: %v", prog, m.Err())
		}
	}
}

// TestFDCheckRejects damages a reachable table in ways no run can and
// expects fdState.check to refuse each.
func TestFDCheckRejects(t *testing.T) {
	var f fdState
	// epoll in slot 0, an eventfd in slot 1, pipe 0 in slots 2 (read) and
	// 3 (write) with 5 bytes at offset 10, the eventfd and the read end
	// watched, fd 4 closed.
	f.table = 1<<4 | 0xf<<initialFDs | 1<<fdtEpoll | 1<<fdtPipe0
	f.setHdr(0, FDKindEpoll<<24)
	f.setHdr(1, FDKindEventfd<<24|oNonblock|efdSemaphore)
	f.setHdr(2, FDKindPipeRead<<24|oNonblock)
	f.setHdr(3, FDKindPipeWrite<<24|oCloexec)
	f.setPipe(0, pipeReader|pipeWriter|5<<16|10)
	f.watch = 1<<8 | 1<<9
	if err := f.check(); err != nil {
		t.Fatalf("a reachable table: %v", err)
	}
	for _, c := range []struct {
		what   string
		damage func(f *fdState)
	}{
		{"an open slot without a header", func(f *fdState) { f.table |= 1 << (initialFDs + 5) }},
		{"a header in a closed slot", func(f *fdState) { f.setHdr(6, FDKindEventfd<<24) }},
		{"kind 5", func(f *fdState) { f.setHdr(1, 5<<24) }},
		{"an unknown flag", func(f *fdState) { f.setHdr(1, f.hdr(1)|0x100) }},
		{"a semaphore pipe", func(f *fdState) { f.setHdr(2, f.hdr(2)|efdSemaphore) }},
		{"the epoll slot not an epoll", func(f *fdState) { f.table += 1 << fdtEpoll }},
		{"the epoll slot past the table", func(f *fdState) { f.table |= 31 << fdtEpoll }},
		{"an epoll not in the table", func(f *fdState) { f.table &^= 31 << fdtEpoll }},
		{"a second read end", func(f *fdState) { f.setHdr(3, FDKindPipeRead<<24) }},
		{"a pipe in use without ends", func(f *fdState) { f.table |= 1 << (fdtPipe0 + 1) }},
		{"a free pipe with state", func(f *fdState) { f.setPipe(2, pipeReader) }},
		{"a missing writer bit", func(f *fdState) { f.setPipe(0, f.pipe(0)&^pipeWriter) }},
		{"513 bytes", func(f *fdState) { f.setPipe(0, f.pipe(0)&^(0x3fff<<16)|513<<16) }},
		{"a read position past the ring", func(f *fdState) { f.setPipe(0, f.pipe(0)&^0xffff|512) }},
		{"a watched closed descriptor", func(f *fdState) { f.watch |= 1 << 4 }},
		{"the epoll watching itself", func(f *fdState) { f.watch |= 1 << 7 }},
		{"a watch set without an epoll", func(f *fdState) {
			f.table &^= 31 << fdtEpoll
			f.table &^= 1 << initialFDs
			f.setHdr(0, 0)
		}},
	} {
		g := f
		c.damage(&g)
		if err := g.check(); err == nil {
			t.Errorf("%s: accepted", c.what)
		}
	}
}
