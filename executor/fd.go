package executor

import (
	"fmt"
	"math/bits"
)

// The descriptor table: which descriptors are open, the guest-created ones
// (epoll, eventfd, pipes) with their flags, eventfd counters, pipe buffers
// and the epoll interest list. Its state is kept as the fault-proof system
// words themselves (fdState is the words, not a structure encoded into
// them), so fast execution, witness.Prove and the on-chain contract work
// on one representation. docs/fault-proofs.md gives the layout and
// docs/linux.md the semantics and limits.

// Addresses of the descriptor system words in the null page. Every chain
// of lookups goes upward (table and watch set, then headers, then counters
// and pipe states, then interest entries, then pipe buffers), so a step can
// touch its words in ascending address order, as fault proofs require.
const (
	// SysFDTable: bit d (d < 7) set when initial descriptor d is closed,
	// bit d (7 <= d < 23) set when slot d-7 is open; bits 23..27: 1 + the
	// slot of the epoll instance (0: none); bit 28+p: pipe p in use.
	SysFDTable = 0x198
	// SysFDWatch: the epoll instance's interest set, bit d per descriptor.
	SysFDWatch = 0x19c
	// SysFDSlot + 4i: the header of slot i (fd FirstSlotFD + i): kind in
	// bits 24..26, pipe in bits 28..29, and the flags O_NONBLOCK (0x80),
	// O_CLOEXEC (0x80000, FD_CLOEXEC) and EFD_SEMAPHORE (1).
	SysFDSlot = 0x608
	// SysEventfd + 8i: the eventfd counter of slot i, low word then high.
	SysEventfd = 0x648
	// SysPipe + 4p: pipe p's state: read position (bits 0..15), bytes
	// buffered (bits 16..29), read end open (bit 30), write end open (31).
	SysPipe = 0x6c8
	// SysEpoll + 12d: the interest entry of descriptor d: events, then the
	// two words of epoll_data as the guest stored them.
	SysEpoll = 0x6d8
	// SysPipeBuf + PipeCapacity*p: pipe p's ring buffer, bytes laid out as
	// guest memory.
	SysPipeBuf = 0x800
)

// Limits of the descriptor table (docs/linux.md).
const (
	// FirstSlotFD is the number of the first guest-created descriptor
	// (3..6 belong to the pre-image oracle).
	FirstSlotFD = 100
	// FDSlots guest-created descriptors can be open at once (EMFILE).
	FDSlots = 16
	// MaxPipes pipes can exist at once (ENFILE).
	MaxPipes = 4
	// PipeCapacity is a pipe's buffer size; writes up to it are atomic.
	PipeCapacity = 512
	// initialFDs are the descriptors a process starts with: 0-2 and 3-6.
	initialFDs = 7
	// fdDescriptors is the number of descriptor indexes (FDIndex).
	fdDescriptors = initialFDs + FDSlots
)

// Kinds of guest-created descriptors (header bits 24..26; 0: free slot).
const (
	FDKindEpoll = 1 + iota
	FDKindEventfd
	FDKindPipeRead
	FDKindPipeWrite
)

// Flags (MIPS values) and epoll constants.
const (
	oNonblock    = 0x80
	oCloexec     = 0x80000
	efdSemaphore = 1

	epollIn, epollOut, epollErr, epollHup = 0x1, 0x4, 0x8, 0x10
	epollRdnorm, epollWrnorm              = 0x40, 0x100
	epollExclusive                        = 1 << 28
	epollWakeup                           = 1 << 29
	epollOneshot                          = 1 << 30
	epollET                               = 1 << 31
	// epollPrivate are the bits a one-shot entry keeps once it fired.
	epollPrivate = epollWakeup | epollOneshot | epollET | epollExclusive
	// epollExclusiveOK may accompany EPOLLEXCLUSIVE.
	epollExclusiveOK = epollIn | epollOut | epollErr | epollHup | epollWakeup | epollET | epollExclusive
	// epollMaxEvents is Linux's EP_MAX_EVENTS on 32-bit (INT_MAX / 16).
	epollMaxEvents = 0x7fffffff / 16

	pipeReader = 1 << 30
	pipeWriter = 1 << 31
	fdtPipe0   = 28 // table bit of pipe 0
	fdtEpoll   = 23 // table bits 23..27: 1 + slot of the epoll instance
)

// fdAreaWords is the number of words from SysFDSlot to the end of the page.
const fdAreaWords = (NullLimit - SysFDSlot) / 4

// fdState is the descriptor table's system words; all zero is a new
// process's table (0-6 open, nothing else).
type fdState struct {
	table, watch uint32
	area         [fdAreaWords]uint32 // SysFDSlot .. NullLimit-4
}

// word returns the system word at a, one of the descriptor addresses.
func (f *fdState) word(a uint32) *uint32 {
	switch a {
	case SysFDTable:
		return &f.table
	case SysFDWatch:
		return &f.watch
	}
	return &f.area[(a-SysFDSlot)/4]
}

func (f *fdState) hdr(i uint32) uint32  { return f.area[i] }
func (f *fdState) setHdr(i, h uint32)   { f.area[i] = h }
func (f *fdState) pipe(p uint32) uint32 { return *f.word(SysPipe + 4*p) }
func (f *fdState) setPipe(p, s uint32)  { *f.word(SysPipe + 4*p) = s }
func (f *fdState) entry(d uint32) *[3]uint32 {
	return (*[3]uint32)(f.area[(SysEpoll-SysFDSlot)/4+3*d:])
}

func (f *fdState) counter(i uint32) uint64 {
	w := f.area[(SysEventfd-SysFDSlot)/4+2*i:]
	return uint64(w[1])<<32 | uint64(w[0])
}

func (f *fdState) setCounter(i uint32, c uint64) {
	w := f.area[(SysEventfd-SysFDSlot)/4+2*i:]
	w[0], w[1] = uint32(c), uint32(c>>32)
}

// FDIndex maps a descriptor number to its index in the table: 0..6 for the
// initial descriptors, 7+i for slot i (fd FirstSlotFD+i); ok is false for
// numbers that can never be open.
func FDIndex(fd uint32) (d uint32, ok bool) {
	switch {
	case fd < initialFDs:
		return fd, true
	case fd-FirstSlotFD < FDSlots:
		return fd - FirstSlotFD + initialFDs, true
	}
	return 0, false
}

// FDOpen reports whether descriptor index d is open according to the
// table word.
func FDOpen(table, d uint32) bool {
	return (table>>d&1 != 0) == (d >= initialFDs)
}

// FDEpoll returns the descriptor index of the epoll instance, if any.
func FDEpoll(table uint32) (d uint32, ok bool) {
	s := table >> fdtEpoll & 31
	return s - 1 + initialFDs, s != 0
}

// FDKind returns the kind of a slot header (0: free).
func FDKind(hdr uint32) uint32 { return hdr >> 24 & 7 }

// FDPipe returns the pipe a pipe end's header refers to.
func FDPipe(hdr uint32) uint32 { return hdr >> 28 & 3 }

// FDFreeSlots returns the lowest free slots, up to n of them.
func FDFreeSlots(table uint32, n int) []uint32 {
	var s []uint32
	for free := ^table >> initialFDs & (1<<FDSlots - 1); free != 0 && len(s) < n; free &= free - 1 {
		s = append(s, uint32(bits.TrailingZeros32(free)))
	}
	return s
}

// FDFreePipe returns the lowest free pipe.
func FDFreePipe(table uint32) (p uint32, ok bool) {
	free := ^table >> fdtPipe0 & (1<<MaxPipes - 1)
	return uint32(bits.TrailingZeros32(free)), free != 0
}

// PipeTransfer returns how many bytes a read (write false) or write of n
// > 0 bytes moves through a pipe in state s: k > 0 bytes, or errno, or
// block when the call would wait forever (no other thread can ever
// change the pipe). A read of an empty pipe without a writer returns 0 (k
// = 0, errno 0). A write needs the read end open (the caller checks it).
// Writes of up to PipeCapacity bytes are atomic (PIPE_BUF): all or
// nothing; larger ones move what fits (non-blocking) and would otherwise
// wait.
func PipeTransfer(s, n uint32, write, nonblock bool) (k uint32, errno int64, block bool) {
	count := s >> 16 & 0x3fff
	if !write {
		if count == 0 {
			if s&pipeWriter == 0 {
				return 0, 0, false // end of file
			}
			if nonblock {
				return 0, eAGAIN, false
			}
			return 0, 0, true
		}
		return min(n, count), 0, false
	}
	free := PipeCapacity - count
	switch {
	case n <= free:
		return n, 0, false
	case !nonblock:
		return 0, 0, true
	case n > PipeCapacity && free > 0:
		return free, 0, false
	}
	return 0, eAGAIN, false
}

// PipeRing returns, ascending, the words of pipe p's buffer holding the k
// bytes that start at ring offset off (wrapping around the end).
func PipeRing(p, off, k uint32) []uint32 {
	if k == 0 {
		return nil
	}
	base := SysPipeBuf + PipeCapacity*p
	var ws []uint32
	add := func(from, to uint32) { // byte offsets, inclusive
		for a := from &^ 3; a <= to; a += 4 {
			if len(ws) == 0 || base+a > ws[len(ws)-1] {
				ws = append(ws, base+a)
			}
		}
	}
	if end := off + k - 1; end < PipeCapacity {
		add(off, end)
	} else {
		add(0, end-PipeCapacity)
		add(off, PipeCapacity-1)
	}
	return ws
}

// PipeReady returns the epoll events a pipe end of the given kind reports
// for pipe state s, as Linux's pipe_poll.
func PipeReady(kind, s uint32) uint32 {
	var r uint32
	count := s >> 16 & 0x3fff
	if kind == FDKindPipeRead {
		if count != 0 {
			r |= epollIn | epollRdnorm
		}
		if s&pipeWriter == 0 {
			r |= epollHup
		}
		return r
	}
	// Writable when an atomic write of PipeCapacity bytes would succeed,
	// as Linux reports EPOLLOUT when a PIPE_BUF write fits.
	if count == 0 {
		r |= epollOut | epollWrnorm
	}
	if s&pipeReader == 0 {
		r |= epollErr
	}
	return r
}

// EventfdReady returns the epoll events of an eventfd with counter c, as
// Linux's eventfd_poll (the counter never reaches 2^64-1).
func EventfdReady(c uint64) uint32 {
	var r uint32
	if c > 0 {
		r |= epollIn
	}
	if c < 1<<64-2 {
		r |= epollOut
	}
	return r
}

// fdLookup finds an open descriptor for read, write, fcntl and fstat: for
// an initial descriptor it reads the table word, for a slot its header
// (hdr 0 for initial descriptors).
func (m *Machine) fdLookup(fd uint32) (d, hdr uint32, ok bool) {
	d, ok = FDIndex(fd)
	if !ok {
		return 0, 0, false
	}
	f := &m.os.fd
	if d < initialFDs {
		return d, 0, FDOpen(f.table, d)
	}
	hdr = f.hdr(d - initialFDs)
	return d, hdr, FDKind(hdr) != 0
}

// fdOpen reports from the table word alone whether fd is open (lseek,
// ioctl, pread64, mmap).
func (m *Machine) fdOpen(fd uint32) bool {
	d, ok := FDIndex(fd)
	return ok && FDOpen(m.os.fd.table, d)
}

// deadlock stops the run: the guest would wait for an event only another
// thread could cause, and none ever runs.
func (m *Machine) deadlock(what string) {
	m.stopWith(fmt.Errorf("guest deadlock: %s with no other thread to wake it, at %s", what, m.where()))
}

func (m *Machine) closeFD(fd uint32) int64 {
	d, ok := FDIndex(fd)
	f := &m.os.fd
	if !ok || !FDOpen(f.table, d) {
		return -eBADF
	}
	f.watch &^= 1 << d // closing a descriptor removes it from the interest set
	if d < initialFDs {
		f.table |= 1 << d
		return 0
	}
	i := d - initialFDs
	h := f.hdr(i)
	switch FDKind(h) {
	case FDKindEpoll:
		f.watch = 0
		f.table &^= 31 << fdtEpoll
	case FDKindPipeRead, FDKindPipeWrite:
		p := FDPipe(h)
		end := uint32(pipeReader)
		if FDKind(h) == FDKindPipeWrite {
			end = pipeWriter
		}
		s := f.pipe(p) &^ end
		if s&(pipeReader|pipeWriter) == 0 {
			s = 0
			f.table &^= 1 << (fdtPipe0 + p)
		}
		f.setPipe(p, s)
	}
	f.setHdr(i, 0)
	f.table &^= 1 << d
	return 0
}

// newSlot installs header h in the lowest free slot and returns its fd.
func (m *Machine) newSlot(h uint32) (uint32, int64) {
	f := &m.os.fd
	s := FDFreeSlots(f.table, 1)
	if len(s) == 0 {
		return 0, -eMFILE
	}
	f.setHdr(s[0], h)
	f.table |= 1 << (initialFDs + s[0])
	return s[0], 0
}

func (m *Machine) epollCreate(flags uint32) int64 {
	if flags&^oCloexec != 0 {
		return -eINVAL
	}
	f := &m.os.fd
	if _, ok := FDEpoll(f.table); ok {
		return -eMFILE // one epoll instance at a time
	}
	i, errno := m.newSlot(FDKindEpoll<<24 | flags)
	if errno != 0 {
		return errno
	}
	f.table |= (i + 1) << fdtEpoll
	return int64(FirstSlotFD + i)
}

func (m *Machine) eventfd(initval, flags uint32) int64 {
	if flags&^(efdSemaphore|oNonblock|oCloexec) != 0 {
		return -eINVAL
	}
	i, errno := m.newSlot(FDKindEventfd<<24 | flags)
	if errno != 0 {
		return errno
	}
	m.os.fd.setCounter(i, uint64(initval))
	return int64(FirstSlotFD + i)
}

// pipe2 checks as Linux does: flags, then descriptors and pipes, then the
// array's range.
func (m *Machine) pipe2(fds, flags uint32) int64 {
	if flags&^(oNonblock|oCloexec) != 0 {
		return -eINVAL // O_DIRECT (packet mode) and notification pipes are not supported
	}
	f := &m.os.fd
	s := FDFreeSlots(f.table, 2)
	if len(s) < 2 {
		return -eMFILE
	}
	p, ok := FDFreePipe(f.table)
	if !ok {
		return -eNFILE
	}
	if !guestPtr(fds, 8) {
		return -eFAULT
	}
	f.setHdr(s[0], FDKindPipeRead<<24|p<<28|flags)
	f.setHdr(s[1], FDKindPipeWrite<<24|p<<28|flags)
	f.setPipe(p, pipeReader|pipeWriter)
	f.table |= 1<<(initialFDs+s[0]) | 1<<(initialFDs+s[1]) | 1<<(fdtPipe0+p)
	m.putWords(fds, FirstSlotFD+s[0], FirstSlotFD+s[1])
	return 0
}

// ringByte and setRingByte access byte off of pipe p's ring.
func (m *Machine) ringByte(p, off uint32) byte {
	a := SysPipeBuf + PipeCapacity*p + off
	return byte(*m.os.fd.word(a &^ 3) >> m.lane(a))
}

func (m *Machine) setRingByte(p, off uint32, b byte) {
	a := SysPipeBuf + PipeCapacity*p + off
	w := m.os.fd.word(a &^ 3)
	s := m.lane(a)
	*w = *w&^(0xff<<s) | uint32(b)<<s
}

// slotRead is read on a guest-created descriptor (open; n > 0, buf valid).
func (m *Machine) slotRead(d, h, buf, n uint32) int64 {
	f := &m.os.fd
	i := d - initialFDs
	switch FDKind(h) {
	case FDKindEpoll:
		return -eINVAL
	case FDKindPipeWrite:
		return -eBADF
	case FDKindEventfd:
		if n < 8 {
			return -eINVAL
		}
		c := f.counter(i)
		if c == 0 {
			if h&oNonblock != 0 {
				return -eAGAIN
			}
			m.deadlock("read of an eventfd whose counter is 0")
			return 0
		}
		v := c
		if h&efdSemaphore != 0 {
			v = 1
		}
		f.setCounter(i, c-v)
		w0, w1 := m.u64(v)
		m.putWords(buf, w0, w1)
		return 8
	}
	p := FDPipe(h)
	s := f.pipe(p)
	k, errno, block := PipeTransfer(s, n, false, h&oNonblock != 0)
	if block {
		m.deadlock("read of an empty pipe")
		return 0
	}
	if errno != 0 || k == 0 {
		return -errno
	}
	head := s & 0xffff
	b := make([]byte, k)
	for j := range b {
		b[j] = m.ringByte(p, (head+uint32(j))%PipeCapacity)
	}
	m.writeBytes(buf, b)
	f.setPipe(p, s&(pipeReader|pipeWriter)|((s>>16&0x3fff)-k)<<16|(head+k)%PipeCapacity)
	return int64(k)
}

// slotWrite is write on a guest-created descriptor (open; buf valid when n
// > 0).
func (m *Machine) slotWrite(d, h, buf, n uint32) int64 {
	f := &m.os.fd
	i := d - initialFDs
	switch FDKind(h) {
	case FDKindEpoll:
		return -eINVAL
	case FDKindPipeRead:
		return -eBADF
	case FDKindEventfd:
		if n < 8 {
			return -eINVAL
		}
		w0, w1 := m.getWord(buf), m.getWord(buf+4)
		if m.x == 0 {
			w0, w1 = w1, w0
		}
		v := uint64(w0)<<32 | uint64(w1)
		if v == 1<<64-1 {
			return -eINVAL
		}
		c := f.counter(i)
		if v >= 1<<64-1-c { // the counter stays below 2^64 - 1
			if h&oNonblock != 0 {
				return -eAGAIN
			}
			m.deadlock("write to a full eventfd")
			return 0
		}
		f.setCounter(i, c+v)
		return 8
	}
	if n == 0 {
		return 0
	}
	p := FDPipe(h)
	s := f.pipe(p)
	if s&pipeReader == 0 {
		m.signalSelf(sigPipe, "write to a pipe whose read end is closed")
		return -ePIPE
	}
	k, errno, block := PipeTransfer(s, n, true, h&oNonblock != 0)
	if block {
		m.deadlock(fmt.Sprintf("write of %d bytes to a pipe with room for %d", n, PipeCapacity-(s>>16&0x3fff)))
		return 0
	}
	if errno != 0 {
		return -errno
	}
	b := m.ReadBytes(buf, int(k))
	count := s >> 16 & 0x3fff
	tail := (s&0xffff + count) % PipeCapacity
	for j, c := range b {
		m.setRingByte(p, (tail+uint32(j))%PipeCapacity, c)
	}
	f.setPipe(p, s&^(0x3fff<<16)|(count+k)<<16)
	return int64(k)
}

// slotFcntl is fcntl on a guest-created descriptor: FD_CLOEXEC and
// O_NONBLOCK are kept in its header.
func (m *Machine) slotFcntl(d, h, cmd, arg uint32) int64 {
	i := d - initialFDs
	switch cmd {
	case 1: // F_GETFD
		return int64(h >> 19 & 1)
	case 2: // F_SETFD
		m.os.fd.setHdr(i, h&^oCloexec|(arg&1)<<19)
		return 0
	case 3: // F_GETFL: the access mode and O_NONBLOCK
		mode := uint32(2) // O_RDWR: epoll, eventfd
		switch FDKind(h) {
		case FDKindPipeRead:
			mode = 0
		case FDKindPipeWrite:
			mode = 1
		}
		return int64(mode | h&oNonblock)
	case 4: // F_SETFL: only O_NONBLOCK is kept
		m.os.fd.setHdr(i, h&^oNonblock|arg&oNonblock)
		return 0
	}
	return -eINVAL
}

// epollCtl checks as Linux does: the event's range (for ADD and MOD),
// both descriptors, the epoll instance, EPOLLEXCLUSIVE's rules, then the
// operation against the interest set.
func (m *Machine) epollCtl(epfd, op, fd, ev uint32) int64 {
	const ctlAdd, ctlDel, ctlMod = 1, 2, 3
	if op != ctlDel && !guestPtr(ev, 16) {
		return -eFAULT
	}
	de, ok1 := FDIndex(epfd)
	dt, ok2 := FDIndex(fd)
	f := &m.os.fd
	if !ok1 || !ok2 || !FDOpen(f.table, de) || !FDOpen(f.table, dt) {
		return -eBADF
	}
	if ep, ok := FDEpoll(f.table); !ok || ep != de || dt == de {
		return -eINVAL
	}
	var events, lo, hi uint32
	if op != ctlDel {
		// struct epoll_event on o32: u32 events, padding, u64 data.
		events = m.getWord(ev) &^ epollWakeup // needs CAP_BLOCK_SUSPEND
		lo, hi = m.getWord(ev+8), m.getWord(ev+12)
		if events&epollExclusive != 0 && (op == ctlMod || op == ctlAdd && events&^epollExclusiveOK != 0) {
			return -eINVAL
		}
	}
	watched := f.watch>>dt&1 != 0
	e := f.entry(dt)
	switch op {
	case ctlAdd:
		if watched {
			return -eEXIST
		}
		*e = [3]uint32{events | epollErr | epollHup, lo, hi}
		f.watch |= 1 << dt
	case ctlDel:
		if !watched {
			return -eNOENT
		}
		f.watch &^= 1 << dt
	case ctlMod:
		if !watched {
			return -eNOENT
		}
		if e[0]&epollExclusive != 0 {
			return -eINVAL
		}
		*e = [3]uint32{events | epollErr | epollHup, lo, hi}
	default:
		return -eINVAL
	}
	return 0
}

// FDReady returns the epoll events descriptor index d reports: pipe ends
// and eventfds as Linux; the standard streams, the oracle's descriptors
// and epoll instances never become ready.
func (m *Machine) FDReady(d uint32) uint32 {
	if d < initialFDs {
		return 0
	}
	f := &m.os.fd
	h := f.hdr(d - initialFDs)
	switch k := FDKind(h); k {
	case FDKindEventfd:
		return EventfdReady(f.counter(d - initialFDs))
	case FDKindPipeRead, FDKindPipeWrite:
		return PipeReady(k, f.pipe(FDPipe(h)))
	}
	return 0
}

// epollWait reports the ready descriptors of the interest set in
// descriptor order, level-triggered (EPOLLET is reported like level
// triggering; EPOLLONESHOT disables the entry once reported). It never
// waits: with nothing ready it returns 0 at once, as any timeout expires
// at once (see nanosleep). The signal mask of epoll_pwait is ignored.
func (m *Machine) epollWait(epfd, events, max uint32) int64 {
	if int32(max) <= 0 || max > epollMaxEvents {
		return -eINVAL
	}
	if !guestPtr(events, 16*max) {
		return -eFAULT
	}
	de, ok := FDIndex(epfd)
	f := &m.os.fd
	if !ok || !FDOpen(f.table, de) {
		return -eBADF
	}
	if ep, ok := FDEpoll(f.table); !ok || ep != de {
		return -eINVAL
	}
	n := uint32(0)
	for d := uint32(0); d < fdDescriptors && n < max; d++ {
		if f.watch>>d&1 == 0 {
			continue
		}
		r := m.FDReady(d)
		if r == 0 {
			continue
		}
		e := f.entry(d)
		rep := r & e[0]
		if rep == 0 {
			continue
		}
		// Linux writes events and data, not the padding between them.
		m.putWords(events+16*n, rep)
		m.putWords(events+16*n+8, e[1], e[2])
		if e[0]&epollOneshot != 0 {
			e[0] &= epollPrivate
		}
		n++
	}
	return int64(n)
}

// fdFileMode describes an open descriptor for stat: the standard streams,
// the pre-image oracle's descriptors and pipes are FIFOs, epoll and
// eventfd descriptors anonymous inodes.
func (m *Machine) fdFileMode(fd uint32) (uint32, bool) {
	_, h, ok := m.fdLookup(fd)
	if !ok {
		return 0, false
	}
	if k := FDKind(h); k == FDKindEpoll || k == FDKindEventfd {
		return 0o000600, true
	}
	return 0o010600, true // S_IFIFO | 0600
}

// check reports a descriptor table no run can reach (a damaged snapshot):
// every word must be as the syscalls above leave it, so that they never
// see sizes or references out of range.
func (f *fdState) check() error {
	ep, hasEpoll := FDEpoll(f.table)
	if hasEpoll && ep >= fdDescriptors {
		return fmt.Errorf("epoll slot %d", ep-initialFDs)
	}
	var readers, writers [MaxPipes]int
	for i := uint32(0); i < FDSlots; i++ {
		h, d := f.hdr(i), initialFDs+i
		k := FDKind(h)
		allowed := uint32(7<<24 | oNonblock | oCloexec)
		switch k {
		case FDKindEventfd:
			allowed |= efdSemaphore
		case FDKindPipeRead, FDKindPipeWrite:
			allowed |= 3 << 28
			if k == FDKindPipeRead {
				readers[FDPipe(h)]++
			} else {
				writers[FDPipe(h)]++
			}
		}
		switch {
		case k > FDKindPipeWrite || h&^allowed != 0:
			return fmt.Errorf("slot %d: header 0x%08x", i, h)
		case (k != 0) != FDOpen(f.table, d):
			return fmt.Errorf("slot %d: header 0x%08x and table 0x%08x disagree", i, h, f.table)
		case (k == FDKindEpoll) != (hasEpoll && ep == d):
			return fmt.Errorf("slot %d: header 0x%08x and the table's epoll slot disagree", i, h)
		}
	}
	for p := uint32(0); p < MaxPipes; p++ {
		s := f.pipe(p)
		inUse := f.table>>(fdtPipe0+p)&1 != 0
		ends := s & (pipeReader | pipeWriter)
		if readers[p] > 1 || writers[p] > 1 || inUse != (readers[p]+writers[p] > 0) ||
			(s&pipeReader != 0) != (readers[p] == 1) || (s&pipeWriter != 0) != (writers[p] == 1) ||
			!inUse && s != 0 || inUse && (ends == 0 || s&0xffff >= PipeCapacity || s>>16&0x3fff > PipeCapacity) {
			return fmt.Errorf("pipe %d: state 0x%08x with %d read and %d write ends", p, s, readers[p], writers[p])
		}
	}
	var open uint32
	for d := uint32(0); d < fdDescriptors; d++ {
		if FDOpen(f.table, d) {
			open |= 1 << d
		}
	}
	if f.watch&^open != 0 || !hasEpoll && f.watch != 0 || hasEpoll && f.watch>>ep&1 != 0 {
		return fmt.Errorf("interest set 0x%08x with open descriptors 0x%08x", f.watch, open)
	}
	return nil
}
