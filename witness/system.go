package witness

import (
	"slices"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
)

// Linux o32 syscall numbers whose effect involves system words.
const (
	sysKill           = 4037
	sysBrk            = 4045
	sysClone          = 4120
	sysRtSigaction    = 4194
	sysTkill          = 4236
	sysTgkill         = 4266
	sysSetThreadArea  = 4283
	sysGetrandom      = 4353
	guestPID          = 1000
	maxGetrandomBytes = 1<<25 - 1
)

// Linux o32 syscall numbers on descriptors.
const (
	sysRead         = 4003
	sysWrite        = 4004
	sysClose        = 4006
	sysLseek        = 4019
	sysIoctl        = 4054
	sysFcntl        = 4055
	sysMmap         = 4090
	sysLlseek       = 4140
	sysWritev       = 4146
	sysPread64      = 4200
	sysMmap2        = 4210
	sysFstat64      = 4215
	sysFcntl64      = 4220
	sysEpollCreate  = 4248
	sysEpollCtl     = 4249
	sysEpollWait    = 4250
	sysEpollPwait   = 4313
	sysEventfd2     = 4325
	sysEpollCreate1 = 4326
	sysPipe2        = 4328
	sysStatx        = 4366
)

// systemWords returns the system words (the OS state in the null page,
// executor.SystemPage) the next step reads or may write, ascending: the
// proofs of a step carry them first, and the contract touches them in
// that order (docs/fault-proofs.md lists the rule per instruction and
// syscall; it depends on the instruction, the registers and the OS state
// only, never on the step's outcome).
func systemWords(m *executor.Machine) []uint32 {
	pc := m.PC()
	if pc&3 != 0 || pc < executor.NullLimit {
		return nil
	}
	in := m.InstAt(pc)
	fpr := func(i uint8) uint32 { return executor.SysFPR + 4*uint32(i&31) }
	switch in.Op {
	case program.OpMFC1, program.OpMTC1:
		return []uint32{fpr(in.Rd)}
	case program.OpMFHC1, program.OpMTHC1:
		return []uint32{fpr(in.Rd | 1)}
	case program.OpCFC1, program.OpCTC1, program.OpMOVF, program.OpMOVT,
		program.OpBC1F, program.OpBC1T, program.OpBC1FL, program.OpBC1TL:
		return []uint32{executor.SysFCSR}
	case program.OpLWC1, program.OpSWC1:
		return []uint32{fpr(in.Rt)}
	case program.OpLDC1, program.OpSDC1:
		return []uint32{fpr(in.Rt &^ 1), fpr(in.Rt | 1)}
	case program.OpRDHWR:
		if in.Rd == 29 {
			return []uint32{executor.SysTLS}
		}
		return nil
	case program.OpSYSCALL:
	default:
		return nil
	}
	a0, a1, a2 := m.Reg(4), m.Reg(5), m.Reg(6)
	sig := func(s uint32) uint32 { return executor.SysSigBase + 8*s }
	kill := func(tid, s uint32) []uint32 {
		if s > 128 {
			return nil
		}
		var w []uint32
		ok := tid == guestPID
		if !ok {
			w = append(w, executor.SysNextTid)
			ok = tid > guestPID && tid < m.SystemWord(executor.SysNextTid)
		}
		if ok && s != 0 {
			w = append(w, sig(s))
		}
		return w
	}
	switch m.Reg(2) {
	case sysBrk:
		return []uint32{executor.SysBrk}
	case sysSetThreadArea:
		return []uint32{executor.SysTLS}
	case sysClone:
		if a0&0x100 != 0 { // CLONE_VM: a thread id is handed out
			return []uint32{executor.SysNextTid}
		}
	case sysRtSigaction:
		if a0 == 0 || a0 > 128 || a1 != 0 && (a0 == 9 || a0 == 23) {
			return nil
		}
		return []uint32{sig(a0), sig(a0) + 4}
	case sysKill:
		if a0 != guestPID && a0 != 0 && int32(a0) != -1 {
			return nil
		}
		return kill(guestPID, a1)
	case sysTkill:
		return kill(a0, a1)
	case sysTgkill:
		return kill(a1, a2)
	case sysGetrandom:
		n := min(a1, maxGetrandomBytes)
		if n == 0 || a0 < executor.NullLimit || uint64(a0)+uint64(n) > 1<<32 {
			return nil
		}
		return []uint32{executor.SysRngLo, executor.SysRngHi}
	}
	w := fdWords(m, m.Reg(2), a0, a1, a2, m.Reg(7))
	slices.Sort(w)
	return slices.Compact(w)
}

// guestRange is the executor's guestPtr: [a, a+n) lies above the null page
// and below 2^32.
func guestRange(a, n uint32) bool {
	return a >= executor.NullLimit && uint64(a)+uint64(n) <= 1<<32
}

// Descriptor system words (executor/fd.go).
func fdSlot(d uint32) uint32  { return executor.SysFDSlot + 4*(d-7) }
func fdCount(d uint32) uint32 { return executor.SysEventfd + 8*(d-7) }
func fdPipe(p uint32) uint32  { return executor.SysPipe + 4*p }
func fdEntry(d uint32) uint32 { return executor.SysEpoll + 12*d }

// sigPipeHandler is the handler word of SIGPIPE, which a write to a pipe
// without a reader raises.
const sigPipeHandler = executor.SysSigBase + 8*13

// fdWords returns the descriptor system words of syscall num with
// arguments a0..a3 (any order; systemWords sorts them): the word telling
// whether the descriptor is open (the table for 0-6, the slot's header
// for guest-created ones), then the words its kind needs. The contract
// touches exactly these, docs/fault-proofs.md lists them.
func fdWords(m *executor.Machine, num, a0, a1, a2, a3 uint32) []uint32 {
	word := m.SystemWord
	table := word(executor.SysFDTable)
	// desc looks fd up: its index, whether it can exist, whether it is a
	// slot (guest-created), and for a slot its header.
	desc := func(fd uint32) (d uint32, ok, slot bool, hdr uint32) {
		d, ok = executor.FDIndex(fd)
		if ok && d >= 7 {
			slot, hdr = true, word(fdSlot(d))
		}
		return d, ok, slot, hdr
	}
	// lookup is the word read, write, fcntl and fstat consult first.
	lookup := func(fd uint32) []uint32 {
		d, ok, slot, _ := desc(fd)
		switch {
		case !ok:
			return nil
		case slot:
			return []uint32{fdSlot(d)}
		}
		return []uint32{executor.SysFDTable}
	}
	pipeOf := func(hdr uint32) (p, s uint32, nonblock bool) {
		p = executor.FDPipe(hdr)
		return p, word(fdPipe(p)), hdr&0x80 != 0
	}
	const (
		pipeCount = 16 // pipe state: bytes buffered from bit 16
		pipeRead  = 1 << 30
	)
	switch num {
	case sysRead:
		d, ok, slot, hdr := desc(a0)
		w := lookup(a0)
		if !ok || !slot || a2 == 0 || !guestRange(a1, a2) {
			return w
		}
		switch executor.FDKind(hdr) {
		case executor.FDKindEventfd:
			if a2 >= 8 {
				w = append(w, fdCount(d), fdCount(d)+4)
			}
		case executor.FDKindPipeRead:
			p, s, nb := pipeOf(hdr)
			w = append(w, fdPipe(p))
			if k, errno, block := executor.PipeTransfer(s, a2, false, nb); !block && errno == 0 {
				w = append(w, executor.PipeRing(p, s&0xffff, k)...)
			}
		}
		return w
	case sysWrite, sysWritev:
		if num == sysWritev && (a2 == 0 || a2 > 1024 || !guestRange(a1, 8*a2)) {
			return nil // EINVAL, EFAULT, or nothing to write
		}
		d, ok, slot, hdr := desc(a0)
		if !ok || !slot {
			return lookup(a0)
		}
		// The SIGPIPE handler is below the header: it is proven for every
		// write to a guest-created descriptor.
		w := []uint32{sigPipeHandler, fdSlot(d)}
		n := a2
		if num == sysWrite && (n != 0 && !guestRange(a1, n)) {
			return w
		}
		switch executor.FDKind(hdr) {
		case executor.FDKindEventfd:
			if num == sysWritev || n >= 8 {
				w = append(w, fdCount(d), fdCount(d)+4)
			}
		case executor.FDKindPipeWrite:
			if num == sysWrite && n == 0 {
				break // returns 0 before looking at the pipe
			}
			p, s, nb := pipeOf(hdr)
			w = append(w, fdPipe(p))
			count := s >> pipeCount & 0x3fff
			tail := (s&0xffff + count) % executor.PipeCapacity
			if s&pipeRead == 0 {
				break // EPIPE
			}
			if num == sysWritev {
				// The iovec lengths are guest memory: every free byte may
				// be written.
				w = append(w, executor.PipeRing(p, tail, executor.PipeCapacity-count)...)
			} else if k, errno, block := executor.PipeTransfer(s, n, true, nb); !block && errno == 0 {
				w = append(w, executor.PipeRing(p, tail, k)...)
			}
		}
		return w
	case sysFcntl, sysFcntl64, sysFstat64:
		return lookup(a0)
	case sysStatx:
		if a2&0x1000 != 0 { // AT_EMPTY_PATH: the descriptor itself
			return lookup(a0)
		}
	case sysLseek, sysLlseek, sysPread64, sysIoctl:
		if _, ok := executor.FDIndex(a0); ok {
			return []uint32{executor.SysFDTable}
		}
	case sysMmap, sysMmap2:
		// A file mapping: the descriptor (a stack argument) is checked.
		if a1 != 0 && a3&0x800 == 0 {
			return []uint32{executor.SysFDTable}
		}
	case sysClose:
		d, ok, slot, hdr := desc(a0)
		if !ok {
			return nil
		}
		w := []uint32{executor.SysFDTable}
		if !executor.FDOpen(table, d) {
			return w
		}
		w = append(w, executor.SysFDWatch)
		if slot {
			w = append(w, fdSlot(d))
			if k := executor.FDKind(hdr); k == executor.FDKindPipeRead || k == executor.FDKindPipeWrite {
				w = append(w, fdPipe(executor.FDPipe(hdr)))
			}
		}
		return w
	case sysEpollCreate, sysEpollCreate1, sysEventfd2, sysPipe2:
		flags, allowed := uint32(0), uint32(0x80000)
		switch num {
		case sysEpollCreate:
			if int32(a0) <= 0 {
				return nil
			}
		case sysEpollCreate1:
			flags = a0
		case sysEventfd2:
			flags, allowed = a1, 0x80081
		case sysPipe2:
			flags, allowed = a1, 0x80080
		}
		if flags&^allowed != 0 {
			return nil
		}
		w := []uint32{executor.SysFDTable}
		free := executor.FDFreeSlots(table, 2)
		switch num {
		case sysEventfd2:
			if len(free) > 0 {
				d := 7 + free[0]
				w = append(w, fdSlot(d), fdCount(d), fdCount(d)+4)
			}
		case sysPipe2:
			if p, ok := executor.FDFreePipe(table); ok && len(free) == 2 && guestRange(a0, 8) {
				w = append(w, fdSlot(7+free[0]), fdSlot(7+free[1]), fdPipe(p))
			}
		default:
			if _, busy := executor.FDEpoll(table); !busy && len(free) > 0 {
				w = append(w, fdSlot(7+free[0]))
			}
		}
		return w
	case sysEpollCtl:
		const ctlAdd, ctlDel, ctlMod = 1, 2, 3
		de, ok1 := executor.FDIndex(a0)
		dt, ok2 := executor.FDIndex(a2)
		if a1 != ctlDel && !guestRange(a3, 16) || !ok1 || !ok2 {
			return nil
		}
		w := []uint32{executor.SysFDTable}
		if ep, ok := executor.FDEpoll(table); !ok || ep != de || dt == de || !executor.FDOpen(table, dt) {
			return w
		}
		w = append(w, executor.SysFDWatch)
		watched := word(executor.SysFDWatch)>>dt&1 != 0
		if a1 == ctlAdd && !watched || a1 == ctlMod && watched {
			w = append(w, fdEntry(dt), fdEntry(dt)+4, fdEntry(dt)+8)
		}
		return w
	case sysEpollWait, sysEpollPwait:
		de, ok := executor.FDIndex(a0)
		if int32(a2) <= 0 || a2 > 0x7fffffff/16 || !guestRange(a1, 16*a2) || !ok {
			return nil
		}
		w := []uint32{executor.SysFDTable}
		if ep, ok := executor.FDEpoll(table); !ok || ep != de {
			return w
		}
		w = append(w, executor.SysFDWatch)
		watch := word(executor.SysFDWatch)
		var pipes uint32
		for d := uint32(7); d < 7+executor.FDSlots; d++ {
			if watch>>d&1 == 0 {
				continue
			}
			w = append(w, fdSlot(d))
			switch hdr := word(fdSlot(d)); executor.FDKind(hdr) {
			case executor.FDKindEventfd:
				w = append(w, fdCount(d), fdCount(d)+4)
			case executor.FDKindPipeRead, executor.FDKindPipeWrite:
				pipes |= 1 << executor.FDPipe(hdr)
			}
		}
		for p := uint32(0); p < executor.MaxPipes; p++ {
			if pipes>>p&1 != 0 {
				w = append(w, fdPipe(p))
			}
		}
		// The interest entries of ready descriptors, in order, until
		// maxevents are reported: the events word, and the data of those
		// reported.
		n := uint32(0)
		for d := uint32(0); d < 7+executor.FDSlots && n < a2; d++ {
			r := m.FDReady(d)
			if watch>>d&1 == 0 || r == 0 {
				continue
			}
			w = append(w, fdEntry(d))
			if r&word(fdEntry(d)) != 0 {
				w = append(w, fdEntry(d)+4, fdEntry(d)+8)
				n++
			}
		}
		return w
	}
	return nil
}
