package executor

import (
	"bytes"
	"fmt"
	"io"
)

// The Linux o32 personality: the initial process stack and the syscalls
// that unmodified static glibc and Go programs make. Every answer depends on
// the machine state and Config only, never on the host. docs/linux.md lists
// each syscall's semantics and why.

// MIPS errno values (they differ from other architectures).
const (
	ePERM    = 1
	eNOENT   = 2
	eSRCH    = 3
	eBADF    = 9
	eAGAIN   = 11
	eNOMEM   = 12
	eFAULT   = 14
	eEXIST   = 17
	eINVAL   = 22
	eNFILE   = 23
	eMFILE   = 24
	eNOTTY   = 25
	eSPIPE   = 29
	ePIPE    = 32
	eRANGE   = 34
	eNOSYS   = 89
	eTIMEOUT = 145
)

// Identity the guest sees.
const (
	guestPID = 1000
	guestUID = 1000
)

// uioMaxIOV is Linux's UIO_MAXIOV, the most iovecs writev takes.
const uioMaxIOV = 1024

// nsPerStep is the deterministic clock: every step advances guest time by
// 100 ns (a 10 MHz machine). Time never comes from the host.
const nsPerStep = 100

// Linux o32 syscall numbers used below.
const (
	sysExit            = 4001
	sysRead            = 4003
	sysWrite           = 4004
	sysOpen            = 4005
	sysClose           = 4006
	sysTime            = 4013
	sysLseek           = 4019
	sysGetpid          = 4020
	sysGetuid          = 4024
	sysKill            = 4037
	sysBrk             = 4045
	sysGetgid          = 4047
	sysGeteuid         = 4049
	sysGetegid         = 4050
	sysIoctl           = 4054
	sysFcntl           = 4055
	sysGetppid         = 4064
	sysGetrlimit       = 4076
	sysGettimeofday    = 4078
	sysReadlink        = 4085
	sysMmap            = 4090
	sysMunmap          = 4091
	sysClone           = 4120
	sysUname           = 4122
	sysMprotect        = 4125
	sysLlseek          = 4140
	sysWritev          = 4146
	sysSchedYield      = 4162
	sysNanosleep       = 4166
	sysMremap          = 4167
	sysPrctl           = 4192
	sysRtSigaction     = 4194
	sysRtSigprocmask   = 4195
	sysPread64         = 4200
	sysGetcwd          = 4203
	sysSysinfo         = 4116
	sysSigaltstack     = 4206
	sysMmap2           = 4210
	sysFstat64         = 4215
	sysMadvise         = 4218
	sysFcntl64         = 4220
	sysGettid          = 4222
	sysTkill           = 4236
	sysFutex           = 4238
	sysSchedGetaff     = 4240
	sysExitGroup       = 4246
	sysEpollCreate     = 4248
	sysEpollCtl        = 4249
	sysEpollWait       = 4250
	sysSetTidAddress   = 4252
	sysClockGettime    = 4263
	sysClockGetres     = 4264
	sysClockNanosleep  = 4265
	sysTgkill          = 4266
	sysSetThreadArea   = 4283
	sysOpenat          = 4288
	sysFstatat64       = 4293
	sysReadlinkat      = 4298
	sysSetRobustList   = 4309
	sysEpollPwait      = 4313
	sysEventfd2        = 4325
	sysEpollCreate1    = 4326
	sysPipe2           = 4328
	sysPrlimit64       = 4338
	sysGetrandom       = 4353
	sysStatx           = 4366
	sysRseq            = 4367
	sysClockGettime64  = 4403
	sysClockGetres64   = 4406
	sysClockNanosleep6 = 4407
	sysFutexTime64     = 4422
)

type osState struct {
	tls      uint32
	heap     uint32 // next anonymous mmap address (Cannon's "heap" field)
	heapEnd  uint32
	brkStart uint32
	brk      uint32
	stdin    io.Reader
	// stdinAhead holds a byte StdinPending read ahead from a stream, and
	// stdinErr the error it got instead: the next read of fd 0 gets them.
	stdinAhead []byte
	stdinErr   error
	fd         fdState
	nextTid    uint32
	rng        uint64
	handlers   [129]uint32 // sa_handler per signal (0 = SIG_DFL, 1 = SIG_IGN)
	hflags     [129]uint32 // sa_flags per signal
	calls      map[uint32]uint64
	unknown    map[uint32]uint64
	threads    int // clone calls answered with a thread that never runs
	dropped    map[int]uint64
}

// rand returns the next word of the deterministic random stream (splitmix64
// seeded by Config.Seed).
func (o *osState) rand() uint64 {
	o.rng += 0x9e3779b97f4a7c15
	z := o.rng
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func (o *osState) randBytes(n int) []byte {
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := o.rand()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

// initOS lays out the address space and the initial stack as Linux does
// for a static executable: argc, argv, envp and auxv at sp, strings above.
func (m *Machine) initOS(end uint32) error {
	o := &m.os
	o.rng = m.cfg.Seed
	o.stdin = m.cfg.Stdin
	o.calls = map[uint32]uint64{}
	o.unknown = map[uint32]uint64{}
	o.dropped = map[int]uint64{}
	o.nextTid = guestPID + 1
	o.brkStart = (end + pageSize - 1) &^ (pageSize - 1)
	o.brk = o.brkStart
	o.heap = mmapBase
	if uint64(o.brkStart)+256<<20 > mmapBase {
		o.heap = o.brkStart + 256<<20
	}
	o.heapEnd = mmapLimit
	if o.brkStart >= StackTop-16<<20 || end >= StackTop-16<<20 {
		return fmt.Errorf("program extends to 0x%x, into the stack area below 0x%x", end, StackTop)
	}

	args := m.cfg.Args
	if len(args) == 0 {
		args = []string{"prog"}
	}
	sp := uint32(StackTop)
	push := func(b []byte) uint32 {
		sp -= uint32(len(b))
		m.writeBytes(sp, b)
		return sp
	}
	pushStr := func(s string) uint32 { return push(append([]byte(s), 0)) }
	var argv, envp []uint32
	var size int
	for _, s := range args {
		size += len(s) + 1
	}
	for _, s := range m.cfg.Env {
		size += len(s) + 1
	}
	if size > 1<<20 {
		return fmt.Errorf("arguments and environment take %d bytes; the limit is 1 MiB", size)
	}
	execfn := pushStr(args[0])
	for _, s := range args {
		argv = append(argv, pushStr(s))
	}
	for _, s := range m.cfg.Env {
		envp = append(envp, pushStr(s))
	}
	platform := pushStr("mips")
	random := push(o.randBytes(16))
	sp &^= 15

	p := m.prog
	auxv := [][2]uint32{
		{3, p.PhdrAddr}, {4, p.PhEnt}, {5, p.PhNum}, // AT_PHDR, AT_PHENT, AT_PHNUM
		{6, pageSize}, {7, 0}, {8, 0}, {9, p.Entry}, // AT_PAGESZ, AT_BASE, AT_FLAGS, AT_ENTRY
		{11, guestUID}, {12, guestUID}, {13, guestUID}, {14, guestUID}, // AT_UID..AT_EGID
		{15, platform}, {16, 0}, {17, 100}, {23, 0}, // AT_PLATFORM, AT_HWCAP, AT_CLKTCK, AT_SECURE
		{25, random}, {26, 0}, {31, execfn}, {0, 0}, // AT_RANDOM, AT_HWCAP2, AT_EXECFN, AT_NULL
	}
	words := []uint32{uint32(len(args))}
	words = append(words, argv...)
	words = append(words, 0)
	words = append(words, envp...)
	words = append(words, 0)
	for _, a := range auxv {
		words = append(words, a[0], a[1])
	}
	sp -= uint32(4 * len(words))
	sp &^= 15
	for i, w := range words {
		m.WriteWord(sp+uint32(4*i), w)
	}
	m.regs[29] = sp
	return nil
}

// Syscall argument helpers: o32 passes arguments 5 and 6 on the stack.
func (m *Machine) arg(i int) uint32 {
	if i < 4 {
		return m.regs[4+i]
	}
	return m.load((m.regs[29] + 16 + uint32(4*(i-4))) &^ 3)
}

// sysReturn completes a Linux syscall: v0 = result, a3 = 0, or on a
// negative errno v0 = errno, a3 = 1; then the step advances. After an
// executor error (m.stopWith) it does nothing: the step did not happen.
func (m *Machine) sysReturn(v int64) {
	if m.exited || m.err != nil {
		return // the call ended the guest (a fatal signal to itself) or failed
	}
	if v < 0 && v > -4096 {
		m.regs[2], m.regs[7] = uint32(-v), 1
	} else {
		m.regs[2], m.regs[7] = uint32(v), 0
	}
	m.advance()
}

// advance moves past the current (syscall) instruction.
func (m *Machine) advance() {
	m.pc, m.npc = m.npc, m.npc+4
	m.step++
}

// exit ends the guest with the given status; the step counts, pc stays.
func (m *Machine) exit(code uint32) {
	m.exited = true
	m.exitCode = uint8(code)
	m.step++
}

// syscall dispatches the SYSCALL at m.pc. It either completes the step
// (advance/exit) or sets m.err and leaves the state untouched.
func (m *Machine) syscall() {
	num := m.regs[2]
	if num >= 4000 && num < 5000 {
		m.os.calls[num]++
		m.linuxSyscall(num)
		return
	}
	m.zkCall(num)
}

// unknownSyscall answers -ENOSYS, as Linux does, and counts it; --strict
// makes it an error instead.
func (m *Machine) unknownSyscall(num uint32) {
	if m.cfg.Strict {
		m.stopWith(fmt.Errorf("unsupported syscall %s (%d) at %s (--strict)", syscallName(num), num, m.where()))
		return
	}
	m.os.unknown[num]++
	m.sysReturn(-eNOSYS)
}

// syscallName names a syscall number for reports.
func syscallName(n uint32) string {
	if s, ok := o32SyscallNames[n]; ok {
		return s
	}
	if s, ok := zkCallNames[n]; ok {
		return s
	}
	return fmt.Sprintf("syscall_%d", n)
}

// guestPtr reports whether [a, a+n) is a range a syscall may touch.
func guestPtr(a, n uint32) bool {
	return a >= NullLimit && uint64(a)+uint64(n) <= 1<<32
}

// putWords stores consecutive words at a (byte-wise if a is misaligned).
func (m *Machine) putWords(a uint32, ws ...uint32) {
	for i, w := range ws {
		at := a + uint32(4*i)
		if at&3 == 0 {
			m.WriteWord(at, w)
			continue
		}
		for k := uint32(0); k < 4; k++ {
			// Most significant byte first in big-endian guests.
			sh := (k ^ m.x) * 8
			m.StoreByte(at+k, byte(w>>sh))
		}
	}
}

// getWord loads a word at a (byte-wise if misaligned).
func (m *Machine) getWord(a uint32) uint32 {
	if a&3 == 0 {
		return m.load(a)
	}
	var w uint32
	for k := uint32(0); k < 4; k++ {
		w |= uint32(m.LoadByte(a+k)) << ((k ^ m.x) * 8)
	}
	return w
}

// u64 splits a 64-bit value into two words in guest memory order.
func (m *Machine) u64(v uint64) (uint32, uint32) {
	if m.x != 0 {
		return uint32(v >> 32), uint32(v)
	}
	return uint32(v), uint32(v >> 32)
}

func (m *Machine) nowNS() uint64 { return m.step * nsPerStep }

func (m *Machine) linuxSyscall(num uint32) {
	a0, a1, a2, a3 := m.regs[4], m.regs[5], m.regs[6], m.regs[7]
	o := &m.os
	switch num {
	case sysExit, sysExitGroup:
		// With no other thread ever running, exit ends the process too.
		m.exit(a0)

	case sysRead:
		m.sysReturn(m.read(a0, a1, a2))
	case sysWrite:
		m.sysReturn(m.write(a0, a1, a2))
	case sysWritev:
		if a2 > uioMaxIOV {
			m.sysReturn(-eINVAL) // as Linux; it also keeps a step's work bounded
			return
		}
		if !guestPtr(a1, 8*a2) {
			m.sysReturn(-eFAULT)
			return
		}
		// Each entry's length is read before its base (the order the
		// step's memory proofs follow); a short write (fd 6) ends the
		// call, as Linux ends writev at a short write.
		var total int64
		for i := uint32(0); i < a2; i++ {
			l := m.getWord(a1 + 8*i + 4)
			n := m.write(a0, m.getWord(a1+8*i), l)
			if m.err != nil || m.exited {
				return // the step did not happen, or SIGPIPE ended the guest
			}
			if n < 0 {
				if total == 0 {
					total = n
				}
				break
			}
			total += n
			if n < int64(l) {
				break
			}
		}
		m.sysReturn(total)
	case sysClose:
		m.sysReturn(m.closeFD(a0))
	case sysOpen, sysOpenat, sysReadlink, sysReadlinkat, sysFstatat64:
		// There is no file system.
		m.sysReturn(-eNOENT)
	case sysStatx:
		const atEmptyPath = 0x1000
		if a2&atEmptyPath != 0 && m.LoadByte(a1) == 0 && guestPtr(a1, 1) {
			m.sysReturn(m.statx(a0, m.arg(4)))
			return
		}
		m.sysReturn(-eNOENT)
	case sysFstat64:
		m.sysReturn(m.fstat64(a0, a1))
	case sysLseek, sysLlseek, sysPread64:
		if !m.fdOpen(a0) {
			m.sysReturn(-eBADF)
			return
		}
		m.sysReturn(-eSPIPE)
	case sysIoctl:
		if !m.fdOpen(a0) {
			m.sysReturn(-eBADF)
			return
		}
		m.sysReturn(-eNOTTY) // nothing is a terminal
	case sysFcntl, sysFcntl64:
		m.sysReturn(m.fcntl(a0, a1, a2))

	case sysBrk:
		m.sysReturn(int64(m.sbrk(a0)))
	case sysMmap, sysMmap2:
		m.sysReturn(m.mmap(a0, a1, a3, m.arg(4)))
	case sysMunmap, sysMadvise:
		// Memory is not returned: mmap never hands an address out twice,
		// so nothing can observe the old contents (see docs/linux.md).
		if a0&(pageSize-1) != 0 || (num == sysMunmap && a1 == 0) {
			m.sysReturn(-eINVAL)
			return
		}
		m.sysReturn(0)
	case sysMprotect:
		m.sysReturn(0) // protections are not modelled
	case sysMremap:
		m.sysReturn(-eNOMEM) // callers fall back to allocate-and-copy

	case sysSetThreadArea:
		o.tls = a0
		m.sysReturn(0)
	case sysSetTidAddress:
		m.sysReturn(guestPID)
	case sysSetRobustList:
		m.sysReturn(0)
	case sysGetpid, sysGettid:
		m.sysReturn(guestPID)
	case sysGetppid:
		m.sysReturn(0)
	case sysGetuid, sysGeteuid, sysGetgid, sysGetegid:
		m.sysReturn(guestUID)
	case sysClone:
		const cloneVM, cloneParentSettid = 0x100, 0x00100000
		if a0&cloneVM == 0 {
			m.sysReturn(-eNOSYS) // no new processes
			return
		}
		// A thread the guest will never see run (see docs/linux.md).
		tid := o.nextTid
		o.nextTid++
		o.threads++
		if a0&cloneParentSettid != 0 && guestPtr(a2, 4) {
			m.putWords(a2, tid)
		}
		m.sysReturn(int64(tid))
	case sysTgkill:
		m.sysReturn(m.kill(a1, a2))
	case sysTkill:
		m.sysReturn(m.kill(a0, a1))
	case sysKill:
		if a0 != guestPID && a0 != 0 && int32(a0) != -1 {
			m.sysReturn(-eSRCH)
			return
		}
		m.sysReturn(m.kill(guestPID, a1))
	case sysRtSigaction:
		m.sysReturn(m.sigaction(a0, a1, a2))
	case sysRtSigprocmask:
		if a2 != 0 {
			if !guestPtr(a2, 16) {
				m.sysReturn(-eFAULT)
				return
			}
			m.putWords(a2, 0, 0, 0, 0)
		}
		m.sysReturn(0)
	case sysSigaltstack:
		if a1 != 0 {
			if !guestPtr(a1, 12) {
				m.sysReturn(-eFAULT)
				return
			}
			m.putWords(a1, 0, 0, 2) // ss_sp, ss_size, ss_flags = SS_DISABLE
		}
		m.sysReturn(0)

	case sysSchedYield, sysNanosleep, sysClockNanosleep, sysClockNanosleep6:
		// Sleeping returns at once: guest time is a function of the step
		// count, so nothing would be gained by waiting.
		m.sysReturn(0)
	case sysSchedGetaff:
		if a1 < 4 {
			m.sysReturn(-eINVAL)
			return
		}
		if !guestPtr(a2, 4) {
			m.sysReturn(-eFAULT)
			return
		}
		m.putWords(a2, 1) // one CPU
		m.sysReturn(4)
	case sysFutex, sysFutexTime64:
		m.futex(a0, a1, a2, a3)

	case sysClockGettime, sysClockGettime64:
		if a0 > 11 {
			m.sysReturn(-eINVAL)
			return
		}
		ns := m.nowNS()
		sec, nsec := ns/1e9, ns%1e9
		if num == sysClockGettime {
			if !guestPtr(a1, 8) {
				m.sysReturn(-eFAULT)
				return
			}
			m.putWords(a1, uint32(sec), uint32(nsec))
		} else {
			if !guestPtr(a1, 16) {
				m.sysReturn(-eFAULT)
				return
			}
			s0, s1 := m.u64(sec)
			n0, n1 := m.u64(nsec)
			m.putWords(a1, s0, s1, n0, n1)
		}
		m.sysReturn(0)
	case sysClockGetres, sysClockGetres64:
		size := uint32(16) // struct timespec64
		if num == sysClockGetres {
			size = 8
		}
		if a1 != 0 {
			if !guestPtr(a1, size) {
				m.sysReturn(-eFAULT)
				return
			}
			if num == sysClockGetres {
				m.putWords(a1, 0, nsPerStep)
			} else {
				s0, s1 := m.u64(0)
				n0, n1 := m.u64(nsPerStep)
				m.putWords(a1, s0, s1, n0, n1)
			}
		}
		m.sysReturn(0)
	case sysGettimeofday:
		if a0 != 0 {
			if !guestPtr(a0, 8) {
				m.sysReturn(-eFAULT)
				return
			}
			ns := m.nowNS()
			m.putWords(a0, uint32(ns/1e9), uint32(ns%1e9/1e3))
		}
		m.sysReturn(0)
	case sysTime:
		sec := m.nowNS() / 1e9
		if a0 != 0 {
			if !guestPtr(a0, 4) {
				m.sysReturn(-eFAULT)
				return
			}
			m.putWords(a0, uint32(sec))
		}
		m.sysReturn(int64(sec))

	case sysGetrandom:
		if a1 > 1<<25-1 {
			a1 = 1<<25 - 1
		}
		if !guestPtr(a0, a1) {
			m.sysReturn(-eFAULT)
			return
		}
		m.writeBytes(a0, o.randBytes(int(a1)))
		m.sysReturn(int64(a1))
	case sysUname:
		if !guestPtr(a0, 6*65) {
			m.sysReturn(-eFAULT)
			return
		}
		buf := make([]byte, 6*65)
		for i, s := range []string{"Linux", "zkmips", "6.1.0", "#1 SMP zkmips", "mips", "(none)"} {
			copy(buf[i*65:], s)
		}
		m.writeBytes(a0, buf)
		m.sysReturn(0)
	case sysGetrlimit:
		m.sysReturn(m.getrlimit(a0, a1, false))
	case sysPrlimit64:
		if a0 != 0 && a0 != guestPID {
			m.sysReturn(-eSRCH)
			return
		}
		if a2 != 0 {
			m.sysReturn(-ePERM) // limits cannot be raised or lowered
			return
		}
		m.sysReturn(m.getrlimit(a1, a3, true))
	case sysGetcwd:
		if a1 < 2 {
			m.sysReturn(-eRANGE)
			return
		}
		if !guestPtr(a0, 2) {
			m.sysReturn(-eFAULT)
			return
		}
		m.writeBytes(a0, []byte("/\x00"))
		m.sysReturn(2)
	case sysSysinfo:
		// A fixed machine: 1 GiB of RAM, half free, one process, no swap.
		if !guestPtr(a0, 64) {
			m.sysReturn(-eFAULT)
			return
		}
		w := make([]uint32, 16)
		w[0] = uint32(m.nowNS() / 1e9) // uptime
		w[4], w[5] = 1<<30, 1<<29      // totalram, freeram
		w[10] = 1                      // procs (a u16 in the first half of its word)
		if m.x != 0 {
			w[10] = 1 << 16
		}
		w[13] = 1 // mem_unit
		m.putWords(a0, w...)
		m.sysReturn(0)
	case sysPrctl:
		m.sysReturn(-eINVAL) // no options are supported

	case sysEpollCreate:
		if int32(a0) <= 0 {
			m.sysReturn(-eINVAL)
			return
		}
		m.sysReturn(m.epollCreate(0))
	case sysEpollCreate1:
		m.sysReturn(m.epollCreate(a0))
	case sysEventfd2:
		m.sysReturn(m.eventfd(a0, a1))
	case sysPipe2:
		m.sysReturn(m.pipe2(a0, a1))
	case sysEpollCtl:
		m.sysReturn(m.epollCtl(a0, a1, a2, a3))
	case sysEpollWait, sysEpollPwait:
		m.sysReturn(m.epollWait(a0, a1, a2))

	case sysRseq:
		m.sysReturn(-eNOSYS) // glibc carries on without restartable sequences
	default:
		m.unknownSyscall(num)
	}
}

// read: an unknown or closed descriptor gives EBADF, a count of 0 returns
// 0, a buffer outside guest memory EFAULT; then the descriptor's kind.
func (m *Machine) read(fd, buf, n uint32) int64 {
	d, h, ok := m.fdLookup(fd)
	if !ok {
		return -eBADF
	}
	if n == 0 {
		return 0
	}
	if !guestPtr(buf, n) {
		return -eFAULT
	}
	if d >= initialFDs {
		return m.slotRead(d, h, buf, n)
	}
	switch fd {
	case 0:
		return m.readStdin(buf, n)
	case FDHintRead:
		return int64(n) // the hint acknowledgement: nothing is written
	case FDPreimageRead:
		return m.readPreimage(buf, n)
	}
	return -eBADF // write-only
}

// readStdin reads fd 0: up to n bytes of the stdin stream (none without
// one).
func (m *Machine) readStdin(buf, n uint32) int64 {
	o := &m.os
	if o.stdin == nil {
		return 0
	}
	b := make([]byte, min(n, 1<<20))
	k := copy(b, o.stdinAhead)
	o.stdinAhead = o.stdinAhead[k:]
	err := o.stdinErr
	o.stdinErr = nil
	if err == nil {
		var r int
		r, err = io.ReadFull(o.stdin, b[k:])
		k += r
	}
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		m.stopWith(fmt.Errorf("reading the guest's stdin: %v", err))
		return 0
	}
	m.writeBytes(buf, b[:k])
	return int64(k)
}

// StdinPending reports whether a read of fd 0 would return bytes from
// standard input (fault proofs cannot prove those: on chain, fd 0 is at
// end of file). For a stream it reads one byte ahead, which the next read
// returns, so it may wait for input as that read would.
func (m *Machine) StdinPending() bool {
	o := &m.os
	switch in := o.stdin.(type) {
	case nil:
		return false
	case *bytes.Reader:
		return in.Len() > 0
	}
	if len(o.stdinAhead) > 0 || o.stdinErr != nil {
		return true
	}
	var b [1]byte
	n, err := io.ReadFull(o.stdin, b[:])
	switch {
	case n == 1:
		o.stdinAhead = append(o.stdinAhead[:0], b[0])
		return true
	case err == io.EOF:
		return false
	}
	o.stdinErr = err // for the read, which stops the run with it
	return true
}

// write: an unknown or closed descriptor gives EBADF, a buffer outside
// guest memory EFAULT (unless the count is 0); then the descriptor's kind.
func (m *Machine) write(fd, buf, n uint32) int64 {
	d, h, ok := m.fdLookup(fd)
	if !ok {
		return -eBADF
	}
	if n != 0 && !guestPtr(buf, n) {
		return -eFAULT
	}
	if d >= initialFDs {
		return m.slotWrite(d, h, buf, n)
	}
	switch fd {
	case 1, 2:
		w := m.cfg.Stdout
		if fd == 2 {
			w = m.cfg.Stderr
		}
		// The guest's buffer is read whether or not the output is kept, so
		// the step's memory accesses never depend on the host. The bytes
		// only leave the machine: their reads are logged as Output.
		m.output = true
		b := m.ReadBytes(buf, int(n))
		m.output = false
		if w != nil && n > 0 {
			if _, err := w.Write(b); err != nil {
				m.stopWith(fmt.Errorf("writing the guest's fd %d: %v", fd, err))
				return 0
			}
		}
		return int64(n)
	case FDHintWrite:
		return m.writeHint(buf, n)
	case FDPreimageWrite:
		return m.writePreimageKey(buf, n)
	}
	return -eBADF // read-only
}

// fcntl supports F_GETFD, F_SETFD, F_GETFL and F_SETFL. The flags of the
// initial descriptors are fixed: setting them succeeds and changes
// nothing.
func (m *Machine) fcntl(fd, cmd, arg uint32) int64 {
	d, h, ok := m.fdLookup(fd)
	if !ok {
		return -eBADF
	}
	if d >= initialFDs {
		return m.slotFcntl(d, h, cmd, arg)
	}
	const oWronly = 1
	switch cmd {
	case 1, 2, 4: // F_GETFD, F_SETFD, F_SETFL
		return 0
	case 3: // F_GETFL
		switch fd {
		case 0, FDHintRead, FDPreimageRead:
			return 0 // O_RDONLY
		}
		return oWronly
	}
	return -eINVAL
}

// sbrk implements brk: the break only grows, within [brkStart, heap).
// Refusing to shrink (brk then returns the old break, which callers treat
// as failure) means memory above the break was never used, so growing
// exposes only zeros, as Linux guarantees, with no memory written here.
func (m *Machine) sbrk(addr uint32) uint32 {
	o := &m.os
	if addr < o.brk || addr > o.heap {
		return o.brk
	}
	o.brk = addr
	return addr
}

// mmap implements anonymous mappings: a bump allocator over a fixed range,
// so addresses are deterministic and never reused, and fresh mappings read
// zero (hints are ignored, as Linux may). MAP_FIXED returns the address
// asked for without clearing it: callers use it over ranges they reserved
// and never touched.
func (m *Machine) mmap(addr, length, flags, fd uint32) int64 {
	const mapFixed, mapAnon = 0x10, 0x800
	if length == 0 {
		return -eINVAL
	}
	if flags&mapAnon == 0 {
		if !m.fdOpen(fd) {
			return -eBADF
		}
		return -eNOSYS // no files to map
	}
	size := uint64(length+pageSize-1) &^ (pageSize - 1)
	if flags&mapFixed != 0 {
		if addr&(pageSize-1) != 0 || uint64(addr)+size > 1<<32 || addr < NullLimit {
			return -eINVAL
		}
		return int64(addr)
	}
	o := &m.os
	if uint64(o.heap)+size > uint64(o.heapEnd) {
		return -eNOMEM
	}
	a := o.heap
	o.heap += uint32(size)
	return int64(a)
}

func (m *Machine) getrlimit(res, ptr uint32, wide bool) int64 {
	const rlimStack, rlimNofile = 3, 5
	if res > 15 {
		return -eINVAL
	}
	if ptr == 0 {
		return 0
	}
	var cur, max uint64 = ^uint64(0), ^uint64(0)
	switch res {
	case rlimStack:
		cur = 8 << 20
	case rlimNofile:
		cur, max = 1024, 4096
	}
	if wide {
		if !guestPtr(ptr, 16) {
			return -eFAULT
		}
		c0, c1 := m.u64(cur)
		x0, x1 := m.u64(max)
		m.putWords(ptr, c0, c1, x0, x1)
		return 0
	}
	if !guestPtr(ptr, 8) {
		return -eFAULT
	}
	clamp := func(v uint64) uint32 { // o32 RLIM_INFINITY is 0x7fffffff
		if v >= 0x7fffffff {
			return 0x7fffffff
		}
		return uint32(v)
	}
	m.putWords(ptr, clamp(cur), clamp(max))
	return 0
}

func (m *Machine) fstat64(fd, buf uint32) int64 {
	mode, ok := m.fdFileMode(fd)
	if !ok {
		return -eBADF
	}
	if !guestPtr(buf, 104) {
		return -eFAULT
	}
	w := make([]uint32, 26)
	w[4], w[5] = m.u64(uint64(fd + 1)) // st_ino
	w[6], w[7] = mode, 1               // st_mode, st_nlink
	w[8], w[9] = guestUID, guestUID
	w[22] = pageSize // st_blksize
	m.putWords(buf, w...)
	return 0
}

func (m *Machine) statx(fd, buf uint32) int64 {
	mode, ok := m.fdFileMode(fd)
	if !ok {
		return -eBADF
	}
	if !guestPtr(buf, 256) {
		return -eFAULT
	}
	w := make([]uint32, 64)
	w[0], w[1] = 0x7ff, pageSize // stx_mask = STATX_BASIC_STATS, stx_blksize
	w[4], w[5], w[6] = 1, guestUID, guestUID
	// stx_mode is a u16 at offset 28 followed by padding.
	if m.x != 0 {
		w[7] = mode << 16
	} else {
		w[7] = mode
	}
	w[8], w[9] = m.u64(uint64(fd + 1))
	m.putWords(buf, w...)
	return 0
}

// sigaction records handlers (they never run: see docs/linux.md) and
// reports the previous one. The o32 struct sigaction is {flags, handler,
// mask[4]}.
func (m *Machine) sigaction(sig, act, oact uint32) int64 {
	if sig == 0 || sig > 128 {
		return -eINVAL
	}
	if act != 0 && (sig == 9 || sig == 23) { // SIGKILL, SIGSTOP
		return -eINVAL
	}
	o := &m.os
	if oact != 0 {
		if !guestPtr(oact, 24) {
			return -eFAULT
		}
		m.putWords(oact, o.hflags[sig], o.handlers[sig], 0, 0, 0, 0)
	}
	if act != 0 {
		if !guestPtr(act, 8) {
			return -eFAULT
		}
		o.hflags[sig], o.handlers[sig] = m.getWord(act), m.getWord(act+4)
	}
	return 0
}

// kill delivers sig to the guest (see signalSelf).
func (m *Machine) kill(tid, sig uint32) int64 {
	if sig > 128 {
		return -eINVAL
	}
	if tid != guestPID && (tid <= guestPID || tid >= m.os.nextTid) {
		return -eSRCH
	}
	if sig != 0 {
		m.signalSelf(sig, "sent by the guest to itself")
	}
	return 0
}

// sigPipe is SIGPIPE, raised by a write to a pipe without a reader.
const sigPipe = 13

// signalSelf delivers signal sig (1..128) to the guest. Default actions
// that terminate end the run with 128+sig; ignored signals and signals
// with a handler are dropped (handlers never run), and counted.
func (m *Machine) signalSelf(sig uint32, why string) {
	switch h := m.os.handlers[sig]; {
	case h == 1: // SIG_IGN
	case h != 0:
		m.os.dropped[int(sig)]++
	default:
		switch sig {
		case 18, 20, 21, 25, 23, 24, 26, 27: // CHLD, WINCH, URG, CONT; stops
			m.os.dropped[int(sig)]++
		default:
			m.fault = &Fault{Kind: FaultSignal, Signal: int(sig), PC: m.pc, Step: m.step, Detail: why}
			m.exit(128 + sig)
		}
	}
}

// futex: with a single running thread, a wait whose value matches can only
// time out; without a timeout it would hang forever, so it stops the run.
func (m *Machine) futex(uaddr, op, val, timeout uint32) {
	const privateFlag, clockRealtime = 128, 256
	switch op &^ (privateFlag | clockRealtime) {
	case 0, 9: // FUTEX_WAIT, FUTEX_WAIT_BITSET
		if uaddr&3 != 0 {
			m.sysReturn(-eINVAL)
			return
		}
		if !guestPtr(uaddr, 4) {
			m.sysReturn(-eFAULT)
			return
		}
		if m.load(uaddr) != val {
			m.sysReturn(-eAGAIN)
			return
		}
		if timeout == 0 {
			m.stopWith(fmt.Errorf("guest deadlock: futex wait on 0x%08x with no other thread to wake it, at %s", uaddr, m.where()))
			return
		}
		m.sysReturn(-eTIMEOUT)
	case 1, 10: // FUTEX_WAKE, FUTEX_WAKE_BITSET: nobody is waiting
		m.sysReturn(0)
	default:
		m.unknownSyscall(m.regs[2])
	}
}
