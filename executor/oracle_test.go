package executor_test

// Pre-image oracle tests: fds 3-6 as Cannon/op-program guests use them, in
// both byte orders, with an assembled guest.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/asm"
	"github.com/zkmips/zkmips/oracle"
	"github.com/zkmips/zkmips/program"
)

// fakeOracle serves pre-images from a map and records what it is asked.
type fakeOracle struct {
	mu       sync.Mutex
	data     map[[32]byte][]byte
	hints    []string
	calls    int
	hintErr  error
	onHint   func()
	failWith error
}

func (o *fakeOracle) Hint(h []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.hintErr != nil {
		return o.hintErr
	}
	o.hints = append(o.hints, string(h))
	if o.onHint != nil {
		o.onHint()
	}
	return nil
}

func (o *fakeOracle) Preimage(k [32]byte) ([]byte, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls++
	if o.failWith != nil {
		return nil, o.failWith
	}
	d, ok := o.data[k]
	if !ok {
		return nil, fmt.Errorf("no pre-image 0x%x", k)
	}
	return d, nil
}

// Oracle test guest results: one (v0, a3) pair per checked call.
const (
	resHint1 = iota
	resHint2
	resAck
	resReadZero
	resReadFault
	resReadEOF
	resWrite5
	resRead6
	resRead4
	resWrite3
	resFcntl3
	resFcntl4
	resFcntl5
	resFcntl6
	resFstat5
	resWritev
	resWrite6Short
	resWrite6Zero
	numRes
)

const (
	oracleHint    = "hello-hint"
	oracleData    = "the pre-image data: 45 bytes long, no more!!!"
	oracleWritevA = "abc"
	oracleWritevB = "defg"
)

// oracleKey is the keccak256 key of oracleData.
var oracleKey = oracle.Keccak256Key([]byte(oracleData))

// oracleValue is what fd 5 reads: u64be(len) || data.
func oracleValue() []byte {
	return append(binary.BigEndian.AppendUint64(nil, uint64(len(oracleData))), oracleData...)
}

// oracleGuest sends a hint in two writes and waits for the
// acknowledgement, writes oracleKey to fd 6 from a misaligned buffer, reads
// the pre-image from fd 5 into a misaligned buffer in chunks of 1 to 8
// bytes until EOF and prints it, then checks error cases, fcntl, fstat and
// writev, and finally shifts two more bytes into the key.
func oracleGuest(be bool) *asm.Builder {
	b := asm.New(be)
	const (
		A0, A1, A2, A3, V0, Zero = asm.A0, asm.A1, asm.A2, asm.A3, asm.V0, asm.Zero
		S0, S1, S2, S3, S4, S7   = asm.S0, asm.S1, asm.S2, asm.S3, asm.S4, asm.S7
		T0, T1                   = asm.T0, asm.T1
	)
	hint := binary.BigEndian.AppendUint32(nil, uint32(len(oracleHint)))
	hint = append(hint, oracleHint...)
	b.Data("hint", hint)
	b.Data("key", append([]byte{0x55}, oracleKey[:]...)) // the key starts at key+1
	b.Data("scratch", bytes.Repeat([]byte{0xee}, 16))
	b.Data("msg", []byte(oracleWritevA+oracleWritevB))
	b.BSS("res", 8*numRes)
	b.BSS("iov", 16)
	b.BSS("stat", 128)
	b.BSS("out", 128)

	sys := func(num uint32) { b.LI(V0, num); b.SYSCALL() }
	save := func(i int) {
		b.SW(V0, int16(8*i), S7)
		b.SW(A3, int16(8*i+4), S7)
	}
	call := func(i int, num, fd uint32, buf string, off int16, n uint32) {
		b.LI(A0, fd)
		if buf == "" {
			b.LI(A1, uint32(off))
		} else {
			b.LA(A1, buf)
			b.ADDIU(A1, A1, off)
		}
		b.LI(A2, n)
		sys(num)
		save(i)
	}

	b.LA(S7, "res")
	call(resHint1, 4004, 4, "hint", 0, 5)
	call(resHint2, 4004, 4, "hint", 5, uint32(len(hint)-5))
	call(resAck, 4003, 3, "scratch", 0, 1)

	// The key, from a misaligned address: writes of 3, 4, ..., 4, 1 bytes.
	b.LA(S0, "key")
	b.ADDIU(S0, S0, 1)
	b.LI(S1, 32)
	b.Label("keyloop")
	b.LI(A0, 6)
	b.MOVE(A1, S0)
	b.MOVE(A2, S1)
	sys(4004)
	b.ADDU(S0, S0, V0)
	b.SUBU(S1, S1, V0)
	b.BNE(S1, Zero, "keyloop")
	b.NOP()

	call(resReadZero, 4003, 5, "scratch", 0, 0)
	call(resReadFault, 4003, 5, "", 0x10, 4)

	// The pre-image into out+3, asking for 1, 4, 7, 2, 5, 8, 3, 6, ...
	// bytes.
	b.LA(S2, "out")
	b.ADDIU(S2, S2, 3)
	b.MOVE(S3, S2)
	b.LI(S4, 0)
	b.Label("readloop")
	b.LI(A0, 5)
	b.MOVE(A1, S2)
	b.ANDI(A2, S4, 7)
	b.ADDIU(A2, A2, 1)
	b.ADDIU(S4, S4, 3)
	sys(4003)
	b.BEQ(V0, Zero, "readdone")
	b.NOP()
	b.B("readloop")
	b.ADDU(S2, S2, V0)
	b.Label("readdone")
	b.LI(A0, 1)
	b.MOVE(A1, S3)
	b.SUBU(A2, S2, S3)
	sys(4004)

	call(resReadEOF, 4003, 5, "scratch", 0, 4)
	call(resWrite5, 4004, 5, "scratch", 0, 1)
	call(resRead6, 4003, 6, "scratch", 0, 1)
	call(resRead4, 4003, 4, "scratch", 0, 1)
	call(resWrite3, 4004, 3, "scratch", 0, 1)
	for i, fd := range []uint32{3, 4, 5, 6} {
		b.LI(A0, fd)
		b.LI(A1, 3) // F_GETFL
		sys(4055)
		save(resFcntl3 + i)
	}
	call(resFstat5, 4215, 5, "stat", 0, 0)

	b.LA(T0, "iov")
	b.LA(T1, "msg")
	b.SW(T1, 0, T0)
	b.LI(T1, uint32(len(oracleWritevA)))
	b.SW(T1, 4, T0)
	b.LA(T1, "msg")
	b.ADDIU(T1, T1, int16(len(oracleWritevA)))
	b.SW(T1, 8, T0)
	b.LI(T1, uint32(len(oracleWritevB)))
	b.SW(T1, 12, T0)
	call(resWritev, 4146, 1, "iov", 0, 2)

	call(resWrite6Short, 4004, 6, "scratch", 2, 4)
	call(resWrite6Zero, 4004, 6, "scratch", 0, 0)
	b.Exit(0)
	return b
}

// wantResults are the (v0, a3) pairs the guest records.
var wantResults = [numRes][2]uint32{
	resHint1:       {5, 0},
	resHint2:       {uint32(4 + len(oracleHint) - 5), 0},
	resAck:         {1, 0},
	resReadZero:    {0, 0},
	resReadFault:   {14, 1}, // EFAULT
	resReadEOF:     {0, 0},
	resWrite5:      {9, 1}, // EBADF
	resRead6:       {9, 1},
	resRead4:       {9, 1},
	resWrite3:      {9, 1},
	resFcntl3:      {0, 0}, // O_RDONLY
	resFcntl4:      {1, 0}, // O_WRONLY
	resFcntl5:      {0, 0},
	resFcntl6:      {1, 0},
	resFstat5:      {0, 0},
	resWritev:      {uint32(len(oracleWritevA + oracleWritevB)), 0},
	resWrite6Short: {2, 0}, // min(4, 4 - (buf & 3))
	resWrite6Zero:  {0, 0},
}

// finalKey is the key after the last two writes to fd 6 (two 0xee bytes).
func finalKey() [32]byte {
	var k [32]byte
	copy(k[:], oracleKey[2:])
	k[30], k[31] = 0xee, 0xee
	return k
}

func newOracleMachine(t testing.TB, p *program.Program, o executor.Oracle, out *bytes.Buffer) *executor.Machine {
	t.Helper()
	m, err := executor.New(p, executor.Config{Stdout: out, Oracle: o, MaxSteps: 1 << 20, NoGoPatches: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func newFake() *fakeOracle {
	return &fakeOracle{data: map[[32]byte][]byte{oracleKey: []byte(oracleData)}}
}

// checkOracleRun checks the outcome of a complete run of oracleGuest.
func checkOracleRun(t *testing.T, b *asm.Builder, m *executor.Machine, r *executor.Result, out string) {
	t.Helper()
	wantExit(t, r, 0)
	if want := string(oracleValue()) + oracleWritevA + oracleWritevB; out != want {
		t.Fatalf("stdout %q, want %q", out, want)
	}
	res := b.MustAddr("res")
	for i, w := range wantResults {
		if got := [2]uint32{m.ReadWord(res + uint32(8*i)), m.ReadWord(res + uint32(8*i+4))}; got != w {
			t.Errorf("call %d: (v0, a3) = %v, want %v", i, got, w)
		}
	}
	// The acknowledgement read wrote nothing.
	if w := m.ReadWord(b.MustAddr("scratch")); w != 0xeeeeeeee {
		t.Errorf("read(3) wrote to its buffer: 0x%08x", w)
	}
	// fstat: st_mode (word 6) is a FIFO.
	if mode := m.ReadWord(b.MustAddr("stat") + 24); mode != 0o010600 {
		t.Errorf("fstat(5) mode %o", mode)
	}
	st := m.State()
	if st.PreimageKey != finalKey() || st.PreimageOffset != 0 || m.PreimageKey() != st.PreimageKey || m.PreimageOffset() != 0 {
		t.Errorf("final key 0x%x offset %d, want 0x%x and 0", st.PreimageKey, st.PreimageOffset, finalKey())
	}
}

func TestOracleGuest(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		b := oracleGuest(be)
		p := b.MustProgram()
		o := newFake()
		var out bytes.Buffer
		m := newOracleMachine(t, p, o, &out)
		r := m.Run()
		checkOracleRun(t, b, m, r, out.String())
		if !slices.Equal(o.hints, []string{oracleHint}) {
			t.Errorf("hints %q", o.hints)
		}
		if o.calls != 1 {
			t.Errorf("the oracle was asked %d times, want once (the pre-image is cached)", o.calls)
		}
	})
}

// TestOracleStepByStep checks, at every step, OracleRead and the access
// log (Output marks exactly the bytes that leave the machine).
func TestOracleStepByStep(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		b := oracleGuest(be)
		p := b.MustProgram()
		var out bytes.Buffer
		m := newOracleMachine(t, p, newFake(), &out)
		value := oracleValue()
		iov := b.MustAddr("iov")
		reads := 0
		for !m.Exited() && m.Err() == nil {
			pc := m.PC()
			in := m.InstAt(pc)
			sc := in.Op == program.OpSYSCALL
			num, a0, a1, a2 := m.Reg(2), m.Reg(4), m.Reg(5), m.Reg(6)
			key, v, off, ok := m.OracleRead()
			wantOK := sc && num == 4003 && a0 == 5 && a2 != 0 && a1 >= executor.NullLimit
			if ok != wantOK {
				t.Fatalf("step %d: OracleRead ok=%v, want %v", m.Step(), ok, wantOK)
			}
			if ok && (key != oracleKey || !bytes.Equal(v, value) || off != m.PreimageOffset()) {
				t.Fatalf("step %d: OracleRead = 0x%x, %x, %d", m.Step(), key, v, off)
			}
			var log []executor.Access
			if sc {
				m.LogAccesses(&log)
			}
			m.RunUntil(m.Step() + 1)
			m.LogAccesses(nil)
			if !sc {
				continue
			}
			ret := m.Reg(2)
			for _, a := range log {
				if a.Output && a.Write {
					t.Fatalf("step %d: an output write %+v", m.Step()-1, a)
				}
			}
			switch {
			case num == 4004 && (a0 == 1 || a0 == 4) && a2 != 0:
				if len(log) == 0 {
					t.Fatalf("step %d: write(%d) logged nothing", m.Step()-1, a0)
				}
				for _, a := range log {
					if !a.Output {
						t.Fatalf("step %d: write(%d) read %+v not marked Output", m.Step()-1, a0, a)
					}
				}
			case num == 4146:
				var iovReads, bufReads int
				for _, a := range log {
					inIov := a.Addr >= iov && a.Addr < iov+16
					if inIov == a.Output {
						t.Fatalf("step %d: writev access %+v (iovec array at 0x%x)", m.Step()-1, a, iov)
					}
					if inIov {
						iovReads++
					} else {
						bufReads++
					}
				}
				if iovReads == 0 || bufReads == 0 {
					t.Fatalf("step %d: writev logged %d iovec and %d buffer reads", m.Step()-1, iovReads, bufReads)
				}
			case wantOK:
				reads++
				w := a1 &^ 3
				if len(log) != 2 || log[0].Write || !log[1].Write || log[0].Addr != w || log[1].Addr != w || log[0].Output || log[1].Output {
					t.Fatalf("step %d: read(5) log %+v, want a read and a write of 0x%08x", m.Step()-1, log, w)
				}
				for i := uint32(0); i < ret; i++ {
					if bb := readByte(m, a1+i); bb != value[off+i] {
						t.Fatalf("step %d: byte %d is 0x%02x, want 0x%02x", m.Step()-1, i, bb, value[off+i])
					}
				}
				if m.PreimageOffset() != off+ret {
					t.Fatalf("step %d: offset %d after reading %d at %d", m.Step()-1, m.PreimageOffset(), ret, off)
				}
			case num == 4004 && a0 == 6 && a2 != 0:
				if len(log) != 1 || log[0].Write || log[0].Output || log[0].Addr != a1&^3 {
					t.Fatalf("step %d: write(6) log %+v", m.Step()-1, log)
				}
				if m.PreimageOffset() != 0 {
					t.Fatalf("step %d: write(6) left offset %d", m.Step()-1, m.PreimageOffset())
				}
			case num == 4003 && a0 == 3:
				if len(log) != 0 {
					t.Fatalf("step %d: read(3) touched memory: %+v", m.Step()-1, log)
				}
			}
		}
		checkOracleRun(t, b, m, m.Result(), out.String())
		if reads < 10 {
			t.Fatalf("only %d reads of fd 5", reads)
		}
	})
}

// readByte reads the byte at a from the machine's memory without logging.
func readByte(m *executor.Machine, a uint32) byte {
	w := m.Memory().Load(a)
	lane := a & 3
	if m.BigEndian() {
		lane ^= 3
	}
	return byte(w >> (8 * lane))
}

func writeFile(t *testing.T, dir, name, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOracleSnapshotEveryStep snapshots the guest at every step (pending
// hint bytes, a partial key, a non-zero offset), restores it and runs it
// to the end: the output, the state and the hints must be those of one
// uninterrupted run.
func TestOracleSnapshotEveryStep(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		b := oracleGuest(be)
		p := b.MustProgram()
		var ref bytes.Buffer
		full := newOracleMachine(t, p, newFake(), &ref)
		res := full.Run()
		checkOracleRun(t, b, full, res, ref.String())

		var out1 bytes.Buffer
		o1 := newFake()
		m := newOracleMachine(t, p, o1, &out1)
		sawOffset, sawPending := false, false
		for at := uint64(0); at <= res.Steps; at++ {
			m.RunUntil(at)
			snap, err := m.MarshalSnapshot()
			if err != nil {
				t.Fatal(err)
			}
			o2 := newFake()
			var out2 bytes.Buffer
			r, err := executor.UnmarshalSnapshot(p, executor.Config{Stdout: &out2, Oracle: o2}, snap)
			if err != nil {
				t.Fatalf("step %d: %v", at, err)
			}
			if r.State() != m.State() {
				t.Fatalf("step %d: restored state %+v, want %+v", at, r.State(), m.State())
			}
			if re, _ := r.MarshalSnapshot(); !bytes.Equal(re, snap) {
				t.Fatalf("step %d: snapshot of the restored machine differs", at)
			}
			st := m.State()
			sawOffset = sawOffset || st.PreimageOffset != 0 && st.PreimageKey != ([32]byte{})
			r.Run()
			if want := ref.String()[out1.Len():]; out2.String() != want {
				t.Fatalf("step %d: printed %q, want %q", at, out2.String(), want)
			}
			sameMachine(t, fmt.Sprintf("step %d", at), full, r)
			if len(o1.hints)+len(o2.hints) != 1 {
				t.Fatalf("step %d: hints %q before and %q after the snapshot", at, o1.hints, o2.hints)
			}
			// Between the two writes of the hint, 5 bytes are pending.
			if res := b.MustAddr("res"); m.ReadWord(res+8*resHint1) == 5 && m.ReadWord(res+8*resHint2) == 0 {
				sawPending = true
			}
		}
		if !sawOffset || !sawPending {
			t.Fatalf("no snapshot with a key and offset (%v) or pending hint bytes (%v)", sawOffset, sawPending)
		}
	})
}

// TestOracleClone checks that a clone taken mid-read continues like the
// original.
func TestOracleClone(t *testing.T) {
	b := oracleGuest(false)
	p := b.MustProgram()
	var out1 bytes.Buffer
	m := newOracleMachine(t, p, newFake(), &out1)
	for m.PreimageOffset() < 20 && !m.Exited() {
		m.RunUntil(m.Step() + 1)
	}
	var out2 bytes.Buffer
	c, err := m.Clone(&out2, nil)
	if err != nil {
		t.Fatal(err)
	}
	r1, r2 := m.Run(), c.Run()
	checkOracleRun(t, b, m, r1, out1.String())
	checkOracleRun(t, b, c, r2, out2.String()) // nothing was printed before the clone
	sameMachine(t, "clone", m, c)
}

// TestOracleErrors: without an oracle, or with one that fails, the read
// of fd 5 stops the run before the step, with the key in the message.
func TestOracleErrors(t *testing.T) {
	bothOrders(t, func(t *testing.T, be bool) {
		p := oracleGuest(be).MustProgram()
		cases := []struct {
			name string
			o    executor.Oracle
			want []string
		}{
			{"none", nil, []string{fmt.Sprintf("reads pre-image 0x%x", oracleKey), "--preimages DIR", "host command"}},
			{"failing", &fakeOracle{failWith: errors.New("the host is down")}, []string{fmt.Sprintf("pre-image 0x%x", oracleKey), "the host is down"}},
			{"missing", &fakeOracle{}, []string{"no pre-image 0x"}},
			{"hint", &fakeOracle{hintErr: errors.New("bad hint")}, []string{`hint "hello-hint"`, "bad hint"}},
		}
		for _, c := range cases {
			var out bytes.Buffer
			m, err := executor.New(p, executor.Config{Stdout: &out, Oracle: c.o, NoGoPatches: true})
			if err != nil {
				t.Fatal(err)
			}
			r := m.Run()
			if r.Err == nil {
				t.Fatalf("%s: no error", c.name)
			}
			for _, w := range c.want {
				if !strings.Contains(r.Err.Error(), w) {
					t.Errorf("%s: error %q does not mention %q", c.name, r.Err, w)
				}
			}
			// The failing step did not happen: pc is at its syscall, with
			// its arguments intact.
			if m.InstAt(m.PC()).Op != program.OpSYSCALL {
				t.Errorf("%s: stopped at pc 0x%x, not at a syscall", c.name, m.PC())
			}
			if c.name == "hint" {
				if m.Reg(2) != 4004 || m.Reg(4) != 4 {
					t.Errorf("hint: stopped with v0=%d a0=%d", m.Reg(2), m.Reg(4))
				}
			} else if m.Reg(2) != 4003 || m.Reg(4) != 5 || m.PreimageOffset() != 0 {
				t.Errorf("%s: stopped with v0=%d a0=%d offset %d", c.name, m.Reg(2), m.Reg(4), m.PreimageOffset())
			}
			if _, _, _, ok := m.OracleRead(); ok {
				t.Errorf("%s: OracleRead ok after the error", c.name)
			}
			if out.Len() != 0 {
				t.Errorf("%s: printed %q", c.name, out.String())
			}
		}
	})
}

// TestOracleDir runs the guest against a directory store.
func TestOracleDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, fmt.Sprintf("%x", oracleKey), oracleData)
	s, err := oracle.Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	b := oracleGuest(true)
	var out bytes.Buffer
	m := newOracleMachine(t, b.MustProgram(), s, &out)
	checkOracleRun(t, b, m, m.Run(), out.String())
}

// TestRestorePreimageState: Restore takes the pre-image registers from the
// fault-proof state.
func TestRestorePreimageState(t *testing.T) {
	p := oracleGuest(true).MustProgram()
	st := executor.State{PC: p.Entry, NextPC: p.Entry + 4, PreimageKey: oracleKey, PreimageOffset: 12, Heap: 0x40000000}
	m, err := executor.Restore(p, executor.Config{}, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.State() != st || m.PreimageKey() != oracleKey || m.PreimageOffset() != 12 {
		t.Fatalf("restored %+v", m.State())
	}
}
