package contracts_test

// Differential tests of the descriptor table (close, pipe2, eventfd2,
// epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait and the
// descriptor syscalls on the descriptors they create): every step proven by
// witness.Prove and checked by MIPS.sol in both byte orders, the programs
// checking their own results; and every step of a Go program that sleeps,
// whose runtime sets up its network poller with them.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zkmips/zkmips/contracts"
	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/asm"
	"github.com/zkmips/zkmips/internal/testutil"
	"github.com/zkmips/zkmips/program"
	"github.com/zkmips/zkmips/witness"
)

// binaryBigEndian is the byte order of big-endian guests (asm.Builder.ByteOrder).
var binaryBigEndian binary.ByteOrder = binary.BigEndian

// Syscall numbers and flags the tests use.
const (
	nRead, nWrite, nClose, nWritev             = 4003, 4004, 4006, 4146
	nLseek, nIoctl, nFcntl, nFstat64, nMmap2   = 4019, 4054, 4055, 4215, 4210
	nEpollCreate, nEpollCtl, nEpollWait        = 4248, 4249, 4250
	nEpollPwait, nEventfd2, nEpollCreate1      = 4313, 4325, 4326
	nPipe2, nRtSigaction                       = 4328, 4194
	fNonblock, fCloexec, fSemaphore            = 0x80, 0x80000, 1
	eIn, eOut, eErr, eHup, eRdnorm, eWrnorm    = 0x1, 0x4, 0x8, 0x10, 0x40, 0x100
	eRdhup, eExclusive, eWakeup, eOneshot, eET = 0x2000, 1 << 28, 1 << 29, 1 << 30, 1 << 31
	ctlAdd, ctlDel, ctlMod                     = 1, 2, 3
	errBADF, errAGAIN, errFAULT, errINVAL      = 9, 11, 14, 22
	errEXIST, errNOENT, errMFILE, errNFILE     = 17, 2, 24, 23
	errPIPE, errSPIPE, errNOTTY                = 32, 29, 25
	rT8                                        = asm.T8
)

// fdGasKeys are the step kinds whose gas the descriptor tests log.
var fdGasKeys = []string{
	"syscall 4006", "syscall 4248", "syscall 4326", "syscall 4325", "syscall 4328", "syscall 4249",
	"syscall 4250", "syscall 4313", "syscall 4003", "syscall 4004", "syscall 4146", "syscall 4055",
	"syscall 4215",
}

// fdGas collects the gas of fdGasKeys over all descriptor tests, for the
// summary TestMIPSFDGas logs.
var fdGas = struct {
	sync.Mutex
	g map[string][]uint64
}{g: map[string][]uint64{}}

// checkFD is checkOS for the descriptor tests: every step checked in both
// byte orders, the outcome checked, the gas of descriptor syscalls kept.
func checkFD(t *testing.T, emit func(p *osProg), want isaOutcome) {
	t.Helper()
	isaOrders(t, func(t *testing.T, be bool) {
		c, m := checkISAOrder(t, be, executor.Config{}, [32]byte{}, func(b *asm.Builder, be bool) {
			emit(newOSProg(b, be))
		}, want)
		if want.fault == executor.FaultSignal && m.ExitCode() != uint8(128+want.sig) {
			t.Errorf("exit code %d, want %d", m.ExitCode(), uint8(128+want.sig))
		}
		fdGas.Lock()
		for _, k := range fdGasKeys {
			fdGas.g[k] = append(fdGas.g[k], c.opGas[k]...)
		}
		fdGas.Unlock()
		if testing.Verbose() {
			logOpGas(t, fdGasKeys, c.opGas)
		}
	})
}

// u64 returns the two words of v in the guest's memory order.
func (p *osProg) u64(v uint64) (uint32, uint32) {
	if p.be {
		return uint32(v >> 32), uint32(v)
	}
	return uint32(v), uint32(v >> 32)
}

// expectMem checks the word at label+off.
func (p *osProg) expectMem(label string, off int16, v uint32) {
	p.b.LA(rT9, label)
	p.b.LW(rT8, off, rT9)
	p.expect(rT8, v)
}

// expectBytes checks the bytes at label+off.
func (p *osProg) expectBytes(label string, off int16, want []byte) {
	p.b.LA(rT9, label)
	for i, c := range want {
		p.b.LBU(rT8, off+int16(i), rT9)
		p.expect(rT8, uint32(c))
	}
}

// putU64 stores v at label+off (aligned) in the guest's memory order.
func (p *osProg) putU64(label string, off int16, v uint64) {
	w0, w1 := p.u64(v)
	p.b.LA(rT9, label)
	p.b.LI(rT8, w0)
	p.b.SW(rT8, off, rT9)
	p.b.LI(rT8, w1)
	p.b.SW(rT8, off+4, rT9)
}

// storeWord stores v at label+off, any alignment, byte by byte.
func (p *osProg) storeWord(label string, off int16, v uint32) {
	p.b.LA(rT9, label)
	for i, c := range p.word(v) {
		p.b.LI(rT8, uint32(c))
		p.b.SB(rT8, off+int16(i), rT9)
	}
}

// event stores a struct epoll_event {events, pad, data} at label+off.
func (p *osProg) event(label string, off int16, events uint32, data uint64) {
	w0, w1 := p.u64(data)
	p.storeWord(label, off, events)
	p.storeWord(label, off+8, w0)
	p.storeWord(label, off+12, w1)
}

// rw emits read (num 4003) or write of n bytes at label+off on fd and
// checks the result.
func (p *osProg) rw(num, fd uint32, label string, off int16, n, ret, e uint32) {
	sysBuf(p.b, num, label, off, 1, fd, 0, n)
	p.expectRet(ret, e)
}

// ctl emits epoll_ctl(epfd, op, fd, label+off) and checks the result.
func (p *osProg) ctl(epfd, op, fd uint32, label string, off int16, ret, e uint32) {
	sysBuf(p.b, nEpollCtl, label, off, 3, epfd, op, fd, 0)
	p.expectRet(ret, e)
}

// wait emits epoll_wait (or epoll_pwait) into label+off and checks the count.
func (p *osProg) wait(num, epfd uint32, label string, off int16, max, ret, e uint32) {
	sysBuf(p.b, num, label, off, 1, epfd, 0, max, 0)
	p.expectRet(ret, e)
}

// buildGoGuest builds testdata/guests/go/name for goarch and returns the
// executable's bytes.
func buildGoGuest(t *testing.T, name, goarch string) []byte {
	t.Helper()
	gocmd, err := exec.LookPath("go")
	if errors.Is(err, exec.ErrNotFound) {
		testutil.Missing(t, "no go command to build the Go guests")
	}
	out := filepath.Join(t.TempDir(), name)
	cmd := exec.Command(gocmd, "build", "-trimpath", "-o", out, "./testdata/guests/go/"+name)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch, "GOMIPS=softfloat", "GOFLAGS=")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s for %s: %v\n%s", name, goarch, err, msg)
	}
	elf, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return elf
}

// TestProgramSleep checks every step of the Go sleep guest (timers: the
// runtime's poller uses epoll_create1, eventfd2, epoll_ctl and
// epoll_pwait) in both byte orders; none may be out of scope. -short
// checks every 13th step.
func TestProgramSleep(t *testing.T) {
	every := uint64(1)
	if testing.Short() {
		every = 13
	}
	for _, goarch := range []string{"mips", "mipsle"} {
		t.Run(goarch, func(t *testing.T) {
			t.Parallel()
			elf := buildGoGuest(t, "sleep", goarch)
			p, err := program.Load(elf)
			if err != nil {
				t.Fatal(err)
			}
			m, err := executor.New(p, executor.Config{})
			if err != nil {
				t.Fatal(err)
			}
			c := newMIPSChecker(t, "sleep-"+goarch, p.BigEndian)
			for !m.Exited() && m.Err() == nil {
				if every > 1 && m.Step()%every != 0 {
					m.RunUntil((m.Step()/every + 1) * every)
					continue
				}
				c.run(m, 1)
			}
			c.done()
			if m.Err() != nil || m.ExitCode() != 0 || c.checked == 0 || c.outOfScope != 0 {
				t.Fatalf("err %v, exit code %d, %d steps checked, %d out of scope", m.Err(), m.ExitCode(), c.checked, c.outOfScope)
			}
			t.Logf("%d steps checked, 0 out of scope", c.checked)
			c.gas.report(t, "sleep-"+goarch)
			logOpGas(t, fdGasKeys, c.opGas)
		})
	}
}

// eventfdProgram: eventfd2's flags, reads and writes (misaligned too) with
// their errors, the counter's limit, EFD_SEMAPHORE, fcntl, fstat64, lseek,
// ioctl, close and the reuse of a slot.
func eventfdProgram(p *osProg) {
	b := p.b
	b.BSS("buf", 64)
	p.sys(nEventfd2, errINVAL, 1, 0, 2)           // unknown flag
	p.sys(nEventfd2, errINVAL, 1, 0, fNonblock|4) // unknown flag
	p.sys(nEventfd2, 100, 0, 5, 0)                // blocking, counter 5
	p.rw(nRead, 100, "buf", 0, 8, 8, 0)
	w0, w1 := p.u64(5)
	p.expectMem("buf", 0, w0)
	p.expectMem("buf", 4, w1)
	p.sys(nEventfd2, 101, 0, 0, fNonblock|fCloexec)
	p.rw(nRead, 101, "buf", 0, 8, errAGAIN, 1) // counter 0
	p.rw(nRead, 101, "buf", 0, 7, errINVAL, 1) // too short
	p.rw(nRead, 101, "buf", 0, 0, 0, 0)        // nothing
	p.rw(nRead, 101, "buf", 0, 0xffffffff, errFAULT, 1)
	p.rw(nWrite, 101, "buf", 0, 4, errINVAL, 1)
	p.rw(nWrite, 101, "buf", 0, 0, errINVAL, 1)
	sys(b, nWrite, 101, 0x800, 8)
	p.expectRet(errFAULT, 1)
	// Writes add, a read empties, from misaligned buffers.
	p.putU64("buf", 8, 3)
	p.rw(nWrite, 101, "buf", 8, 8, 8, 0)
	w0, w1 = p.u64(0x100000002)
	p.storeWord("buf", 17, w0)
	p.storeWord("buf", 21, w1)
	p.rw(nWrite, 101, "buf", 17, 9, 8, 0)
	p.rw(nRead, 101, "buf", 33, 8, 8, 0)
	b.LA(rT0, "buf")
	b.LWL(rT1, 33, rT0)
	b.LWR(rT1, 36, rT0)
	if !p.be {
		b.LWL(rT1, 36, rT0)
		b.LWR(rT1, 33, rT0)
	}
	w0, _ = p.u64(0x100000005)
	p.expect(rT1, w0)
	p.rw(nRead, 101, "buf", 0, 8, errAGAIN, 1)
	// The counter stays below 2^64 - 1.
	p.putU64("buf", 0, 1<<64-1)
	p.rw(nWrite, 101, "buf", 0, 8, errINVAL, 1)
	p.putU64("buf", 0, 1<<64-2)
	p.rw(nWrite, 101, "buf", 0, 8, 8, 0)
	p.putU64("buf", 0, 1)
	p.rw(nWrite, 101, "buf", 0, 8, errAGAIN, 1)
	p.putU64("buf", 0, 0)
	p.rw(nWrite, 101, "buf", 0, 8, 8, 0)
	p.rw(nRead, 101, "buf", 8, 16, 8, 0)
	w0, w1 = p.u64(1<<64 - 2)
	p.expectMem("buf", 8, w0)
	p.expectMem("buf", 12, w1)
	// EFD_SEMAPHORE: reads count down by one.
	p.sys(nEventfd2, 102, 0, 2, fSemaphore|fNonblock)
	for i := 0; i < 2; i++ {
		p.rw(nRead, 102, "buf", 0, 8, 8, 0)
		w0, w1 = p.u64(1)
		p.expectMem("buf", 0, w0)
		p.expectMem("buf", 4, w1)
	}
	p.rw(nRead, 102, "buf", 0, 8, errAGAIN, 1)
	// fcntl, fstat, lseek, ioctl.
	p.sys(nFcntl, 0x82, 0, 101, 3, 0) // O_RDWR | O_NONBLOCK
	p.sys(nFcntl, 1, 0, 101, 1, 0)    // FD_CLOEXEC
	p.sys(nFcntl, 0, 0, 100, 1, 0)
	p.sys(nFcntl, 0, 0, 101, 4, 0x802) // F_SETFL: only O_NONBLOCK is kept
	p.sys(nFcntl, 2, 0, 101, 3, 0)
	p.sys(nFcntl, 0, 0, 101, 4, fNonblock)
	p.sys(nFcntl, 0, 0, 101, 2, 0) // F_SETFD
	p.sys(nFcntl, 0, 0, 101, 1, 0)
	p.sys(nFcntl, 0, 0, 100, 2, 3)
	p.sys(nFcntl, 1, 0, 100, 1, 0)
	p.sys(nFcntl, errINVAL, 1, 101, 0, 0) // F_DUPFD
	p.sys(nFcntl, errBADF, 1, 103, 1, 0)
	b.BSS("st", 128)
	sysBuf(b, nFstat64, "st", 0, 1, 101)
	p.expectRet(0, 0)
	p.expectMem("st", 24, 0o600)
	p.sys(nLseek, errSPIPE, 1, 102, 0, 0)
	p.sys(nIoctl, errNOTTY, 1, 102, 0x540d, 0)
	p.sys(nLseek, errBADF, 1, 103, 0, 0)
	// close, then the lowest free slot is used again.
	p.sys(nClose, 0, 0, 100)
	p.sys(nClose, errBADF, 1, 100)
	p.sys(nFcntl, errBADF, 1, 100, 1, 0)
	p.rw(nRead, 100, "buf", 0, 8, errBADF, 1)
	p.sys(nEventfd2, 100, 0, 7, fNonblock)
	p.rw(nRead, 100, "buf", 0, 8, 8, 0)
	w0, _ = p.u64(7)
	p.expectMem("buf", 0, w0)
	p.sys(nEventfd2, 103, 0, 0, 0)
	b.Exit(0)
}

func TestMIPSFDEventfd(t *testing.T) { checkFD(t, eventfdProgram, isaOutcome{}) }

// pattern is the test data written to pipes: n bytes from seed.
func pattern(seed byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = seed + byte(i*7)
	}
	return out
}

// pipeProgram: pipe2's errors, bytes in order across reads and writes that
// wrap around the ring, atomic and partial writes, EAGAIN, the wrong ends,
// fcntl and fstat64, writev, end of file, a blocking pipe, SIGPIPE ignored
// and EPIPE.
func pipeProgram(p *osProg) {
	b := p.b
	data := pattern(1, 1024)
	b.Data("data", data)
	b.BSS("fds", 16)
	b.BSS("buf", 1100)
	b.BSS("st", 128)
	p.sys(nPipe2, errINVAL, 1, 0, 0x8000) // O_DIRECT
	p.sys(nPipe2, errFAULT, 1, 0x800, 0)
	p.sys(nPipe2, errFAULT, 1, 0xfffffffc, 0)
	sysBuf(b, nPipe2, "fds", 1, 0, 0, fNonblock|fCloexec) // misaligned array
	p.expectRet(0, 0)
	b.LA(rT0, "fds")
	b.LWL(rT1, 1, rT0)
	b.LWR(rT1, 4, rT0)
	b.LWL(rT2, 5, rT0)
	b.LWR(rT2, 8, rT0)
	if !p.be {
		b.LWL(rT1, 4, rT0)
		b.LWR(rT1, 1, rT0)
		b.LWL(rT2, 8, rT0)
		b.LWR(rT2, 5, rT0)
	}
	p.expect(rT1, 100)
	p.expect(rT2, 101)
	const r, w = 100, 101
	// The wrong ends, an empty pipe.
	p.rw(nRead, w, "buf", 0, 4, errBADF, 1)
	p.rw(nWrite, r, "data", 0, 4, errBADF, 1)
	p.rw(nRead, r, "buf", 0, 4, errAGAIN, 1)
	p.rw(nRead, r, "buf", 0, 0, 0, 0)
	p.rw(nWrite, w, "data", 0, 0, 0, 0)
	p.rw(nWrite, w, "data", 0, 0xffffffff, errFAULT, 1)
	// Bytes in order, across reads.
	p.rw(nWrite, w, "data", 0, 5, 5, 0)
	p.rw(nRead, r, "buf", 3, 3, 3, 0)
	p.expectBytes("buf", 3, data[:3])
	p.rw(nRead, r, "buf", 0, 10, 2, 0)
	p.expectBytes("buf", 0, data[3:5])
	// Fill it: writes up to 512 bytes are all or nothing, larger ones
	// move what fits.
	p.rw(nWrite, w, "data", 1, 511, 511, 0)
	p.rw(nWrite, w, "data", 0, 2, errAGAIN, 1)
	p.rw(nWrite, w, "data", 512, 1, 1, 0)
	p.rw(nWrite, w, "data", 0, 1, errAGAIN, 1)
	p.rw(nWrite, w, "data", 0, 600, errAGAIN, 1)
	p.rw(nRead, r, "buf", 0, 100, 100, 0)
	p.expectBytes("buf", 0, data[1:101])
	p.rw(nWrite, w, "data", 0, 101, errAGAIN, 1)
	p.rw(nWrite, w, "data", 2, 600, 100, 0) // partial: wraps around the ring
	p.rw(nRead, r, "buf", 1, 1000, 512, 0)
	p.expectBytes("buf", 1, data[101:512])
	p.expectBytes("buf", 412, data[512:513])
	p.expectBytes("buf", 413, data[2:102])
	// Wrapping reads and writes at odd offsets.
	for i, n := range []uint32{37, 300, 1, 511, 3, 500, 512, 7, 0} {
		off := int16(i * 13)
		if n > 0 {
			p.rw(nWrite, w, "data", off, n, n, 0)
			p.rw(nRead, r, "buf", int16(i), n+5, n, 0)
			p.expectBytes("buf", int16(i), data[off:off+int16(min(n, 24))])
			if n >= 3 {
				p.expectBytes("buf", int16(i)+int16(n)-3, data[off+int16(n)-3:off+int16(n)])
			}
		}
	}
	// fcntl and fstat of the ends.
	p.sys(nFcntl, 0x80, 0, r, 3, 0) // O_RDONLY | O_NONBLOCK
	p.sys(nFcntl, 0x81, 0, w, 3, 0) // O_WRONLY | O_NONBLOCK
	p.sys(nFcntl, 1, 0, r, 1, 0)
	sysBuf(b, nFstat64, "st", 0, 1, w)
	p.expectRet(0, 0)
	p.expectMem("st", 24, 0o10600)
	p.sys(nLseek, errSPIPE, 1, r, 0, 0)
	// writev: the iovecs' lengths are known only from memory.
	b.BSS("iov", 32)
	b.LA(rT0, "iov")
	b.LA(rT1, "data")
	b.SW(rT1, 0, rT0)
	b.LI(rT2, 10)
	b.SW(rT2, 4, rT0)
	b.ADDIU(rT1, rT1, 100)
	b.SW(rT1, 8, rT0)
	b.LI(rT2, 600)
	b.SW(rT2, 12, rT0)
	sysBuf(b, nWritev, "iov", 0, 1, w, 0, 2) // 10 bytes, then 502 of 600
	p.expectRet(512, 0)
	sysBuf(b, nWritev, "iov", 0, 1, w, 0, 2) // full: EAGAIN
	p.expectRet(errAGAIN, 1)
	p.rw(nRead, r, "buf", 0, 1024, 512, 0)
	p.expectBytes("buf", 0, data[:10])
	p.expectBytes("buf", 10, data[100:110])
	sysBuf(b, nWritev, "iov", 0, 1, r, 0, 2) // the read end
	p.expectRet(errBADF, 1)
	sysBuf(b, nWritev, "iov", 0, 1, w, 0, 0) // nothing
	p.expectRet(0, 0)
	// The writer closes: the rest, then end of file.
	p.rw(nWrite, w, "data", 0, 9, 9, 0)
	p.sys(nClose, 0, 0, w)
	p.rw(nRead, r, "buf", 0, 4, 4, 0)
	p.rw(nRead, r, "buf", 0, 40, 5, 0)
	p.rw(nRead, r, "buf", 0, 40, 0, 0)
	p.sys(nClose, 0, 0, r)
	// A blocking pipe reads and writes while it need not wait.
	sysBuf(b, nPipe2, "fds", 0, 0, 0, 0)
	p.expectRet(0, 0)
	p.rw(nWrite, w, "data", 0, 512, 512, 0)
	p.rw(nRead, r, "buf", 0, 513, 512, 0)
	p.sys(nFcntl, 0, 0, r, 3, 0)
	p.sys(nFcntl, 1, 0, w, 3, 0)
	p.sys(nFcntl, 0, 0, w, 4, fNonblock)
	p.rw(nWrite, w, "data", 0, 513, 512, 0)
	// The reader closes: SIGPIPE, ignored here, and EPIPE.
	b.DataWords("ign", 0, 1, 0, 0, 0, 0)
	sysBuf(b, nRtSigaction, "ign", 0, 1, 13, 0, 0)
	p.expectRet(0, 0)
	p.sys(nClose, 0, 0, r)
	p.rw(nWrite, w, "data", 0, 1, errPIPE, 1)
	p.rw(nWrite, w, "data", 0, 0, 0, 0)
	sysBuf(b, nWritev, "iov", 0, 1, w, 0, 2)
	p.expectRet(errPIPE, 1)
	p.sys(nClose, 0, 0, w)
	b.Exit(0)
}

func TestMIPSFDPipe(t *testing.T) { checkFD(t, pipeProgram, isaOutcome{}) }

// limitsProgram: 16 guest-created descriptors (EMFILE), 4 pipes (ENFILE),
// one epoll instance (EMFILE); closed slots are used again.
func limitsProgram(p *osProg) {
	b := p.b
	b.BSS("fds", 8)
	for i := uint32(0); i < 4; i++ {
		sysBuf(b, nPipe2, "fds", 0, 0, 0, fNonblock)
		p.expectRet(0, 0)
		p.expectMem("fds", 0, 100+2*i)
		p.expectMem("fds", 4, 101+2*i)
	}
	sysBuf(b, nPipe2, "fds", 0, 0, 0, 0)
	p.expectRet(errNFILE, 1)
	p.sys(nEpollCreate1, 108, 0, 0)
	p.sys(nEpollCreate1, errMFILE, 1, 0)
	p.sys(nEpollCreate, errMFILE, 1, 1)
	for i := uint32(109); i < 116; i++ {
		p.sys(nEventfd2, i, 0, 0, 0)
	}
	p.sys(nEventfd2, errMFILE, 1, 0, 0)
	p.sys(nClose, 0, 0, 103)
	sysBuf(b, nPipe2, "fds", 0, 0, 0, 0)
	p.expectRet(errMFILE, 1) // one slot free
	p.sys(nClose, 0, 0, 102)
	sysBuf(b, nPipe2, "fds", 0, 0, 0, 0) // pipe 1 is free again
	p.expectRet(0, 0)
	p.expectMem("fds", 0, 102)
	p.expectMem("fds", 4, 103)
	p.sys(nClose, 0, 0, 108)
	p.sys(nClose, 0, 0, 115)
	p.sys(nEpollCreate, 108, 0, 1)
	p.sys(nEventfd2, 115, 0, 0, 0)
	for fd := uint32(100); fd < 116; fd++ {
		p.sys(nClose, 0, 0, fd)
	}
	p.sys(nClose, errBADF, 1, 116)
	p.sys(nClose, errBADF, 1, 99)
	p.sys(nClose, errBADF, 1, 7)
	p.sys(nEpollCreate1, 100, 0, fCloexec)
	b.Exit(0)
}

func TestMIPSFDLimits(t *testing.T) { checkFD(t, limitsProgram, isaOutcome{}) }

// epollProgram: epoll_create's errors, epoll_ctl's (EFAULT, EBADF, EINVAL,
// EEXIST, ENOENT, EPOLLEXCLUSIVE), epoll_wait's and epoll_pwait's, then
// what they report as the watched eventfd and pipe ends change (order,
// maxevents, one-shot, hang-up, error), removal on close, and a new
// instance after closing the first.
func epollProgram(p *osProg) {
	b := p.b
	b.BSS("ev", 64)
	b.BSS("out", 512)
	b.BSS("fds", 8)
	b.BSS("buf", 64)
	b.Data("data", pattern(9, 64))
	// Creation.
	p.sys(nEpollCreate, errINVAL, 1, 0)
	p.sys(nEpollCreate, errINVAL, 1, 0xffffffff)
	p.sys(nEpollCreate1, errINVAL, 1, 1)
	p.sys(nEpollCreate1, errINVAL, 1, fNonblock)
	p.sys(nEpollCreate1, 100, 0, fCloexec)
	p.sys(nFcntl, 2, 0, 100, 3, 0) // O_RDWR
	p.sys(nFcntl, 1, 0, 100, 1, 0)
	p.rw(nRead, 100, "buf", 0, 8, errINVAL, 1)
	p.rw(nWrite, 100, "buf", 0, 8, errINVAL, 1)
	p.sys(nEventfd2, 101, 0, 0, fNonblock)
	sysBuf(b, nPipe2, "fds", 0, 0, 0, fNonblock)
	p.expectRet(0, 0) // 102, 103
	const ep, efd, r, w = 100, 101, 102, 103
	// epoll_ctl's errors.
	p.event("ev", 0, eIn, 0x1122334455667788)
	sys(b, nEpollCtl, ep, ctlAdd, efd, 0x800)
	p.expectRet(errFAULT, 1)
	sys(b, nEpollCtl, ep, 7, efd, 0xfffffff8) // an unknown op reads the event too
	p.expectRet(errFAULT, 1)
	p.ctl(99, ctlAdd, efd, "ev", 0, errBADF, 1)
	p.ctl(ep, ctlAdd, 200, "ev", 0, errBADF, 1)
	p.ctl(ep, ctlAdd, 104, "ev", 0, errBADF, 1)
	p.ctl(efd, ctlAdd, r, "ev", 0, errINVAL, 1)
	p.ctl(1, ctlAdd, r, "ev", 0, errINVAL, 1)
	p.ctl(ep, ctlAdd, ep, "ev", 0, errINVAL, 1)
	p.ctl(ep, ctlMod, efd, "ev", 0, errNOENT, 1)
	sys(b, nEpollCtl, ep, ctlDel, efd, 0) // DEL ignores the event
	p.expectRet(errNOENT, 1)
	p.ctl(ep, 7, efd, "ev", 0, errINVAL, 1)
	p.event("ev", 16, eIn|eExclusive|eRdhup, 1)
	p.ctl(ep, ctlAdd, efd, "ev", 16, errINVAL, 1)
	// Interest: the eventfd for input, the read end (edge-triggered,
	// reported as level), the write end for output, stdin.
	p.ctl(ep, ctlAdd, efd, "ev", 0, 0, 0)
	p.ctl(ep, ctlAdd, efd, "ev", 0, errEXIST, 1)
	p.event("ev", 19, eIn|eRdhup|eET, 0xaaaa0000bbbb)
	p.ctl(ep, ctlAdd, r, "ev", 19, 0, 0)
	p.event("ev", 40, eOut|eExclusive|eWakeup, 0x3)
	p.ctl(ep, ctlAdd, w, "ev", 40, 0, 0)
	p.ctl(ep, ctlMod, w, "ev", 40, errINVAL, 1) // MOD with EPOLLEXCLUSIVE
	p.event("ev", 40, eOut, 0x3)
	p.ctl(ep, ctlMod, w, "ev", 40, errINVAL, 1) // registered with EPOLLEXCLUSIVE
	p.ctl(ep, ctlAdd, 0, "ev", 0, 0, 0)
	// epoll_wait's errors.
	for _, num := range []uint32{nEpollWait, nEpollPwait} {
		p.wait(num, ep, "out", 0, 0, errINVAL, 1)
		p.wait(num, ep, "out", 0, 0xffffffff, errINVAL, 1)
		p.wait(num, ep, "out", 0, 0x8000000, errINVAL, 1)
		sys(b, num, ep, 0x800, 1, 0)
		p.expectRet(errFAULT, 1)
		sys(b, num, ep, 0xfffffff0, 2, 0)
		p.expectRet(errFAULT, 1)
		p.wait(num, 99, "out", 0, 4, errBADF, 1)
		p.wait(num, 104, "out", 0, 4, errBADF, 1)
		p.wait(num, efd, "out", 0, 4, errINVAL, 1)
		p.wait(num, 2, "out", 0, 4, errINVAL, 1)
	}
	// Only the empty write end is ready (for output).
	p.wait(nEpollWait, ep, "out", 0, 8, 1, 0)
	p.expectMem("out", 0, eOut)
	w0, w1 := p.u64(3)
	p.expectMem("out", 8, w0)
	p.expectMem("out", 12, w1)
	// The eventfd counts: it comes first (descriptor order).
	p.putU64("buf", 0, 1)
	p.rw(nWrite, efd, "buf", 0, 8, 8, 0)
	b.LA(rT0, "out")
	b.LI(rT1, 0x5a5a5a5a)
	b.SW(rT1, 4, rT0) // the padding is not written
	p.wait(nEpollPwait, ep, "out", 0, 8, 2, 0)
	p.expectMem("out", 0, eIn)
	p.expectMem("out", 4, 0x5a5a5a5a)
	w0, w1 = p.u64(0x1122334455667788)
	p.expectMem("out", 8, w0)
	p.expectMem("out", 12, w1)
	p.expectMem("out", 16, eOut)
	p.wait(nEpollWait, ep, "out", 1, 1, 1, 0) // maxevents 1, misaligned
	// Bytes in the pipe: the read end is ready, the write end not.
	p.rw(nWrite, w, "data", 0, 10, 10, 0)
	p.wait(nEpollWait, ep, "out", 0, 8, 2, 0)
	p.expectMem("out", 16, eIn)
	w0, w1 = p.u64(0xaaaa0000bbbb)
	p.expectMem("out", 24, w0)
	p.expectMem("out", 28, w1)
	// EPOLLONESHOT: reported once, then disabled until MOD.
	p.event("ev", 48, eOut|eOneshot, 0x77)
	p.ctl(ep, ctlDel, w, "ev", 48, 0, 0)
	p.ctl(ep, ctlAdd, w, "ev", 48, 0, 0)
	p.rw(nRead, r, "buf", 0, 64, 10, 0)
	p.rw(nRead, efd, "buf", 0, 8, 8, 0)
	p.wait(nEpollWait, ep, "out", 0, 8, 1, 0)
	p.expectMem("out", 0, eOut)
	p.wait(nEpollWait, ep, "out", 0, 8, 0, 0)
	p.ctl(ep, ctlMod, w, "ev", 48, 0, 0)
	p.wait(nEpollWait, ep, "out", 0, 8, 1, 0)
	p.wait(nEpollWait, ep, "out", 0, 8, 0, 0)
	// The writer closes: the read end hangs up (EPOLLHUP is always
	// reported), with its remaining bytes.
	p.ctl(ep, ctlDel, w, "ev", 0, 0, 0)
	p.rw(nWrite, w, "data", 0, 3, 3, 0)
	p.sys(nClose, 0, 0, w)
	p.wait(nEpollWait, ep, "out", 0, 8, 1, 0)
	p.expectMem("out", 0, eIn|eHup)
	p.rw(nRead, r, "buf", 0, 64, 3, 0)
	p.wait(nEpollWait, ep, "out", 0, 8, 1, 0)
	p.expectMem("out", 0, eHup)
	// The reader closes: a watched write end reports EPOLLERR.
	sysBuf(b, nPipe2, "fds", 0, 0, 0, fNonblock) // 103 and 104
	p.expectRet(0, 0)
	p.expectMem("fds", 0, 103)
	p.event("ev", 0, eOut|eWrnorm, 0x55)
	p.ctl(ep, ctlAdd, 104, "ev", 0, 0, 0)
	p.sys(nClose, 0, 0, 103)
	p.wait(nEpollWait, ep, "out", 0, 8, 2, 0)
	p.expectMem("out", 0, eHup)
	p.expectMem("out", 16, eOut|eWrnorm|eErr)
	// Closing a watched descriptor removes it: its number comes back
	// unwatched.
	p.sys(nClose, 0, 0, r)
	p.sys(nClose, 0, 0, 104)
	p.wait(nEpollWait, ep, "out", 0, 8, 0, 0)
	sysBuf(b, nPipe2, "fds", 0, 0, 0, fNonblock) // 102 and 103
	p.expectRet(0, 0)
	p.ctl(ep, ctlMod, 102, "ev", 0, errNOENT, 1)
	p.ctl(ep, ctlAdd, 103, "ev", 0, 0, 0)
	p.ctl(ep, ctlDel, efd, "ev", 0, 0, 0)
	p.rw(nWrite, efd, "buf", 0, 8, 8, 0)
	p.wait(nEpollWait, ep, "out", 0, 8, 1, 0)
	p.ctl(ep, ctlDel, 0, "ev", 0, 0, 0)
	p.sys(nClose, 0, 0, 0) // stdin, no longer watched
	p.ctl(ep, ctlAdd, 0, "ev", 0, errBADF, 1)
	// Closing the epoll instance empties its interest set.
	p.sys(nClose, 0, 0, ep)
	p.wait(nEpollWait, ep, "out", 0, 8, errBADF, 1)
	p.sys(nEpollCreate1, ep, 0, 0)
	p.ctl(ep, ctlAdd, 103, "ev", 0, 0, 0)
	p.ctl(ep, ctlAdd, efd, "ev", 0, 0, 0)
	p.wait(nEpollWait, ep, "out", 0, 8, 2, 0)
	b.Exit(0)
}

func TestMIPSFDEpoll(t *testing.T) { checkFD(t, epollProgram, isaOutcome{}) }

// initialProgram: the initial descriptors (0-2 and the oracle's 3-6) can be
// closed, after which every call on them fails with EBADF.
func initialProgram(p *osProg) {
	b := p.b
	b.Data("msg", []byte("hi\n"))
	b.BSS("buf", 256)
	b.ADDIU(rSP, rSP, -64)
	p.rw(nWrite, 1, "msg", 0, 3, 3, 0)
	p.sys(nClose, 0, 0, 1)
	p.sys(nClose, errBADF, 1, 1)
	p.rw(nWrite, 1, "msg", 0, 3, errBADF, 1)
	p.rw(nWrite, 1, "msg", 0, 0, errBADF, 1)
	p.sys(nFcntl, errBADF, 1, 1, 3, 0)
	sysBuf(b, nFstat64, "buf", 0, 1, 1)
	p.expectRet(errBADF, 1)
	p.sys(nLseek, errBADF, 1, 1, 0, 0)
	p.sys(nIoctl, errBADF, 1, 1, 0, 0)
	b.LI(rT0, 1)
	b.SW(rT0, 16, rSP) // mmap's fd
	p.sys(nMmap2, errBADF, 1, 0, 0x1000, 3, 2)
	b.LI(rT0, 2)
	b.SW(rT0, 16, rSP)
	p.sys(nMmap2, 89, 1, 0, 0x1000, 3, 2) // an open descriptor: ENOSYS
	b.LI(rT0, 100)
	b.SW(rT0, 16, rSP)
	p.sys(nMmap2, errBADF, 1, 0, 0x1000, 3, 2)
	// writev to a closed descriptor.
	b.BSS("iov", 8)
	b.LA(rT0, "iov")
	b.LA(rT1, "msg")
	b.SW(rT1, 0, rT0)
	b.LI(rT1, 3)
	b.SW(rT1, 4, rT0)
	sysBuf(b, nWritev, "iov", 0, 1, 1, 0, 1)
	p.expectRet(errBADF, 1)
	sysBuf(b, nWritev, "iov", 0, 1, 2, 0, 1)
	p.expectRet(3, 0)
	// The oracle's descriptors and stdin.
	for _, fd := range []uint32{3, 4, 5, 6, 0} {
		p.sys(nClose, 0, 0, fd)
		p.rw(nRead, fd, "buf", 0, 4, errBADF, 1)
		p.rw(nWrite, fd, "buf", 0, 4, errBADF, 1)
		sysBuf(b, nFstat64, "buf", 0, 1, fd)
		p.expectRet(errBADF, 1)
	}
	p.sys(nFcntl, 1, 0, 2, 3, 0) // still open
	sysBuf(b, nFstat64, "buf", 0, 1, 2)
	p.expectRet(0, 0)
	p.expectMem("buf", 24, 0o10600)
	// A watched initial descriptor leaves the interest set on close.
	p.sys(nEpollCreate1, 100, 0, 0)
	p.event("buf", 64, eIn, 9)
	p.ctl(100, ctlAdd, 2, "buf", 64, 0, 0)
	p.sys(nClose, 0, 0, 2)
	p.ctl(100, ctlAdd, 2, "buf", 64, errBADF, 1)
	p.wait(nEpollWait, 100, "buf", 0, 4, 0, 0)
	p.sys(nClose, 0, 0, 100)
	b.Exit(0)
}

func TestMIPSFDInitial(t *testing.T) { checkFD(t, initialProgram, isaOutcome{}) }

// TestMIPSFDSigpipe: a write to a pipe without a reader, with SIGPIPE's
// default action, ends the guest with 128 + 13.
func TestMIPSFDSigpipe(t *testing.T) {
	for _, writev := range []bool{false, true} {
		t.Run(fmt.Sprint("writev=", writev), func(t *testing.T) {
			checkFD(t, func(p *osProg) {
				b := p.b
				b.BSS("fds", 8)
				b.Data("msg", []byte("x"))
				sysBuf(b, nPipe2, "fds", 0, 0, 0, 0)
				p.expectRet(0, 0)
				p.sys(nClose, 0, 0, 100)
				if writev {
					b.BSS("iov", 8)
					b.LA(rT0, "iov")
					b.LA(rT1, "msg")
					b.SW(rT1, 0, rT0)
					b.LI(rT1, 1)
					b.SW(rT1, 4, rT0)
					sysBuf(b, nWritev, "iov", 0, 1, 101, 0, 1)
				} else {
					sysBuf(b, nWrite, "msg", 0, 1, 101, 0, 1)
				}
				b.Exit(0)
			}, isaOutcome{fault: executor.FaultSignal, sig: 13})
		})
	}
}

// TestMIPSFDDeadlock: blocking reads and writes that would wait forever
// stop the executor (not a step) and make the contract revert.
func TestMIPSFDDeadlock(t *testing.T) {
	const want = "MIPS: blocking I/O deadlocks"
	hdr := func(fd uint32) uint32 { return executor.SysFDSlot + 4*(fd-100) }
	evc := func(fd uint32) uint32 { return executor.SysEventfd + 8*(fd-100) }
	cases := []struct {
		name  string
		emit  func(b *asm.Builder)
		words []uint32 // the step's proofs after the instruction's
	}{
		{"read empty pipe", func(b *asm.Builder) {
			b.BSS("fds", 8)
			sysBuf(b, nPipe2, "fds", 0, 0, 0, 0)
			b.LI(rA0, 100)
			b.LA(rA1, "fds")
			b.LI(rA2, 8)
			b.LI(rV0, nRead)
			b.Label("at")
			b.SYSCALL()
		}, []uint32{hdr(100), executor.SysPipe}},
		{"read eventfd 0", func(b *asm.Builder) {
			b.BSS("buf", 8)
			sys(b, nEventfd2, 0, 0)
			b.LI(rA0, 100)
			b.LA(rA1, "buf")
			b.LI(rA2, 8)
			b.LI(rV0, nRead)
			b.Label("at")
			b.SYSCALL()
		}, []uint32{hdr(100), evc(100), evc(100) + 4}},
		{"write full pipe", func(b *asm.Builder) {
			b.BSS("fds", 8)
			b.BSS("buf", 600)
			sysBuf(b, nPipe2, "fds", 0, 0, 0, 0)
			sysBuf(b, nWrite, "buf", 0, 1, 101, 0, 500)
			b.LI(rA0, 101)
			b.LA(rA1, "buf")
			b.LI(rA2, 13)
			b.LI(rV0, nWrite)
			b.Label("at")
			b.SYSCALL()
		}, []uint32{executor.SysSigBase + 8*13, hdr(101), executor.SysPipe}},
		{"write more than a pipe holds", func(b *asm.Builder) {
			b.BSS("fds", 8)
			b.BSS("buf", 600)
			sysBuf(b, nPipe2, "fds", 0, 0, 0, 0)
			b.LI(rA0, 101)
			b.LA(rA1, "buf")
			b.LI(rA2, 513)
			b.LI(rV0, nWrite)
			b.Label("at")
			b.SYSCALL()
		}, []uint32{executor.SysSigBase + 8*13, hdr(101), executor.SysPipe}},
		{"write eventfd overflow", func(b *asm.Builder) {
			v := make([]byte, 8)
			b.ByteOrder().PutUint64(v, 1<<64-6)
			b.Data("buf", v)
			sys(b, nEventfd2, 5, 0)
			b.LI(rA0, 100)
			b.LA(rA1, "buf")
			b.LI(rA2, 8)
			b.LI(rV0, nWrite)
			b.Label("at")
			b.SYSCALL()
		}, []uint32{executor.SysSigBase + 8*13, hdr(100), evc(100), evc(100) + 4, asm.DataBase, asm.DataBase + 4}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			isaOrders(t, func(t *testing.T, be bool) { revertAt(t, be, tc.emit, want, tc.words...) })
		})
	}
}

// TestMIPSFDFuzz runs random programs of descriptor syscalls (creation,
// close, read, write, writev, fcntl, fstat64, lseek, ioctl, epoll_ctl and
// epoll_wait) with arguments drawn near the interesting values: the open
// descriptors and a few others, sizes around the pipe's capacity, buffers
// misaligned, out of range or in the null page, random flags and events.
// Every step is checked. A program ends early when SIGPIPE kills it, or
// when a blocking call would wait forever (the executor stops; such a step
// is not one the contract must prove).
func TestMIPSFDFuzz(t *testing.T) {
	n := 120
	if testing.Short() {
		n = 15
	}
	isaOrders(t, func(t *testing.T, be bool) {
		r := rand.New(rand.NewPCG(11, map[bool]uint64{true: 1, false: 2}[be]))
		var deadlocks, killed int
		steps := fuzzPrograms(t, be, r, n, fuzzFDProgram, fdGasKeys, func(i int, m *executor.Machine, c *mipsChecker) {
			switch {
			case m.Err() != nil && strings.Contains(m.Err().Error(), "guest deadlock"):
				deadlocks++
			case m.Err() != nil || !m.Exited() || c.outOfScope != 0:
				t.Fatalf("case %d: err %v, exited %v, %d steps out of scope", i, m.Err(), m.Exited(), c.outOfScope)
			case m.Fault() != nil:
				killed++
			}
		})
		t.Logf("%d programs, %d steps checked, %d ended by SIGPIPE, %d by a deadlock", n, steps, killed, deadlocks)
	})
}

// fuzzFDProgram emits one random program (see TestMIPSFDFuzz).
func fuzzFDProgram(b *asm.Builder, r *rand.Rand) {
	const dataBytes = 2048
	d := make([]byte, dataBytes)
	for k := range d {
		d[k] = byte(r.Uint32())
	}
	b.Data("d", d) // the first data: at b.DataBase
	data := b.DataBase
	rare := func(n int) bool { return r.IntN(n) == 0 }
	p := newOSProg(b, b.ByteOrder() == binaryBigEndian)
	// Random iovecs at d+0x700 pointing into d, some lengths large.
	for k := 0; k < 4; k++ {
		b.LI(rT0, data+0x700+8*uint32(k))
		b.LI(rT1, data+uint32(r.IntN(1024)))
		b.SW(rT1, 0, rT0)
		b.LI(rT1, []uint32{0, 1, 8, 100, 300, 513, uint32(r.IntN(600))}[r.IntN(7)])
		b.SW(rT1, 4, rT0)
	}
	if !rare(4) {
		b.DataWords("ign", 0, 1, 0, 0, 0, 0)
		sysBuf(b, nRtSigaction, "ign", 0, 1, 13, 0, 0) // SIGPIPE ignored
	}
	fd := func() uint32 {
		switch {
		case rare(12):
			// Not 1, 2, 4, 5: an iovec overwritten by a read may ask
			// stdout or the hint channel for gigabytes, and fd 5 needs an
			// oracle.
			return []uint32{0, 3, 6}[r.IntN(3)]
		case rare(20):
			return []uint32{7, 99, 116, 0xffffffff, r.Uint32()}[r.IntN(5)]
		}
		return 100 + uint32(r.IntN(8))
	}
	ptr := func(n uint32) uint32 {
		switch {
		case rare(15):
			return []uint32{0, 0x800, 0xffc, 0xfffffff8, 0x1000}[r.IntN(5)]
		case rare(3):
			return data + 0x700 + uint32(r.IntN(40)) // over the iovecs and events
		}
		return data + uint32(r.IntN(int(dataBytes-min(n, dataBytes-1))))
	}
	size := func() uint32 {
		if rare(20) {
			// Past the end of memory from the data (EFAULT): a valid range of
			// gigabytes would be written to stdout byte by byte.
			return 0xf0000000 + r.Uint32()%0x10000000
		}
		return []uint32{0, 1, 3, 7, 8, 9, 16, 100, 300, 511, 512, 513, 600, uint32(r.IntN(1100))}[r.IntN(14)]
	}
	flags := func(extra uint32) uint32 {
		f := uint32(fNonblock)
		if rare(4) {
			f = 0 // may deadlock
		}
		if r.IntN(2) == 0 {
			f |= fCloexec
		}
		if rare(3) {
			f |= extra
		}
		if rare(25) {
			f |= 1 << uint(r.IntN(32))
		}
		return f
	}
	events := func() uint32 {
		e := []uint32{eIn, eOut, eIn | eOut, eIn | eRdhup | eET, eOut | eOneshot, eIn | eExclusive, eWakeup | eIn, eRdnorm | eWrnorm}[r.IntN(8)]
		if rare(10) {
			e = r.Uint32()
		}
		return e
	}
	for k := 0; k < 40; k++ {
		var num uint32
		a := make([]uint32, 4)
		switch r.IntN(14) {
		case 0:
			num, a[0], a[1] = nPipe2, ptr(8), flags(0x8000)
		case 1:
			num, a[0], a[1] = nEventfd2, []uint32{0, 1, 5, 0xffffffff}[r.IntN(4)], flags(fSemaphore)
		case 2:
			num, a[0] = nEpollCreate1, flags(0)&^fNonblock
			if rare(3) {
				num, a[0] = nEpollCreate, []uint32{0, 1, 0xffffffff}[r.IntN(3)]
			}
		case 3:
			num, a[0] = nClose, fd()
		case 4, 5:
			num, a[0], a[2] = nRead, fd(), size()
			a[1] = ptr(a[2])
		case 6, 7:
			num, a[0], a[2] = nWrite, fd(), size()
			a[1] = ptr(a[2])
		case 8:
			num, a[0], a[1], a[2] = nWritev, fd(), data+0x700+8*uint32(r.IntN(3)), uint32(1+r.IntN(3))
			if rare(8) {
				a[1], a[2] = ptr(8), []uint32{0, 1, 0x20000000}[r.IntN(3)]
			}
		case 9:
			num, a[0], a[1], a[2] = nFcntl, fd(), uint32(r.IntN(6)), []uint32{0, 1, fNonblock, 0x802, r.Uint32()}[r.IntN(5)]
		case 10:
			num, a[0], a[1] = []uint32{nFstat64, nLseek, nIoctl}[r.IntN(3)], fd(), ptr(104)
		case 11, 12:
			// An event at d+0x740, then epoll_ctl.
			ev := data + 0x740 + uint32(r.IntN(8))
			w0, w1 := p.u64(r.Uint64())
			for j, v := range []uint32{events(), 0, w0, w1} {
				for i, c := range p.word(v) {
					b.LI(rT0, uint32(c))
					b.LI(rT1, ev+uint32(4*j+i))
					b.SB(rT0, 0, rT1)
				}
			}
			op := []uint32{ctlAdd, ctlAdd, ctlDel, ctlMod, 0, 4}[r.IntN(6)]
			num, a[0], a[1], a[2], a[3] = nEpollCtl, fd(), op, fd(), ev
			if rare(10) {
				a[3] = ptr(16)
			}
		default:
			num, a[0], a[2] = []uint32{nEpollWait, nEpollPwait}[r.IntN(2)], fd(), []uint32{1, 2, 8, 30, 0, 0xffffffff}[r.IntN(6)]
			a[1] = data + 0x780 + uint32(r.IntN(8))
			if rare(10) {
				a[1] = ptr(16)
			}
		}
		for j, v := range a {
			b.LI(rA0+asm.Reg(j), v)
		}
		b.LI(rV0, num)
		b.SYSCALL()
	}
	b.Exit(0)
}

// TestMIPSFDTampered corrupts the witnesses of descriptor syscall steps
// (every byte class of every proof, the order of the proofs, one proof
// fewer or more): the contract must revert or return another post state.
func TestMIPSFDTampered(t *testing.T) {
	isaOrders(t, func(t *testing.T, be bool) {
		tried, steps := 0, 0
		for _, emit := range []func(*osProg){pipeProgram, epollProgram} {
			b := asm.New(be)
			emit(newOSProg(b, be))
			m := isaMachine(t, b, executor.Config{})
			vm, err := contracts.NewVM(be)
			if err != nil {
				t.Fatal(err)
			}
			tree := witness.NewTree()
			for !m.Exited() && m.Err() == nil {
				pc := m.PC()
				num := m.Reg(2)
				isFD := m.InstAt(pc).Op == program.OpSYSCALL && slices.Contains([]uint32{nClose, nPipe2, nEventfd2,
					nEpollCreate1, nEpollCtl, nEpollWait, nEpollPwait, nRead, nWrite, nWritev, nFcntl}, num)
				if !isFD || m.Step()%3 != 0 {
					m.RunUntil(m.Step() + 1)
					continue
				}
				w, err := witness.Prove(m, tree)
				if err != nil {
					t.Fatal(err)
				}
				steps++
				try := func(what string, proofs []byte) {
					tried++
					post, _, err := vm.Step(w.State[:], proofs, [32]byte{})
					if err == nil && post == w.Post {
						t.Fatalf("step %d (syscall %d): tampered %s still gives the honest post state", w.Step, num, what)
					}
				}
				for k := 1; k < w.NumProofs(); k++ {
					a := w.Addrs[k]
					for _, off := range []int{int(a & 31), int(a&31) + 3, 31 - int(a&31), 32, 32*6 + 7, 32*27 + 31} {
						pr := slices.Clone(w.Proofs)
						pr[k*witness.ProofSize+off] ^= 0x10
						try(fmt.Sprintf("proof %d (0x%x) byte %d", k, a, off), pr)
					}
					if k+1 < w.NumProofs() && w.Addrs[k]>>5 != w.Addrs[k+1]>>5 {
						pr := slices.Clone(w.Proofs)
						copy(pr[k*witness.ProofSize:], w.Proofs[(k+1)*witness.ProofSize:(k+2)*witness.ProofSize])
						copy(pr[(k+1)*witness.ProofSize:], w.Proofs[k*witness.ProofSize:(k+1)*witness.ProofSize])
						try(fmt.Sprintf("proofs %d and %d swapped", k, k+1), pr)
					}
				}
				try("one proof fewer", w.Proofs[:len(w.Proofs)-witness.ProofSize])
				try("one proof more", append(slices.Clone(w.Proofs), w.Proofs[witness.ProofSize:2*witness.ProofSize]...))
			}
		}
		t.Logf("%d descriptor steps, %d tampered witnesses refused", steps, tried)
		if steps == 0 {
			t.Fatal("no descriptor step tampered")
		}
	})
}

// TestMIPSFDGas logs the gas of the descriptor syscalls over the
// descriptor tests run before it (go test -v -run 'TestMIPSFD|TestProgramSleep').
func TestMIPSFDGas(t *testing.T) {
	fdGas.Lock()
	defer fdGas.Unlock()
	for _, k := range fdGasKeys {
		v := slices.Clone(fdGas.g[k])
		if len(v) == 0 {
			continue
		}
		slices.Sort(v)
		t.Logf("%s: n=%d median %d max %d", k, len(v), v[len(v)/2], v[len(v)-1])
	}
}
