package executor_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/asm"
	"github.com/zkmips/zkmips/program"
)

const snapStdinText = "the quick brown fox\njumps over\tthe lazy dog\n" +
	"a second paragraph of input, long enough to need several reads of 993 bytes: " +
	"0123456789abcdefghijklmnopqrstuvwxyz 0123456789abcdefghijklmnopqrstuvwxyz\n"

func loadProg(t testing.TB, name string) *program.Program {
	t.Helper()
	p, err := program.LoadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func stdinBytes() []byte { return []byte(strings.Repeat(snapStdinText, 20)) }

// sameMachine fails unless a and b have the same fault-proof state, FP
// registers, memory and outcome.
func sameMachine(t *testing.T, what string, a, b *executor.Machine) {
	t.Helper()
	if a.State() != b.State() {
		t.Fatalf("%s: state\n%+v\n%+v", what, a.State(), b.State())
	}
	for i := 0; i < 32; i++ {
		if a.FPR(i) != b.FPR(i) {
			t.Fatalf("%s: f%d differs", what, i)
		}
	}
	if a.FCSR() != b.FCSR() || a.TLS() != b.TLS() || a.Cycles() != b.Cycles() {
		t.Fatalf("%s: fcsr/tls/cycles differ", what)
	}
	sameMemory(t, what, a, b)
	ra, rb := a.Result(), b.Result()
	if !reflect.DeepEqual(ra.Fault, rb.Fault) {
		t.Fatalf("%s: fault %v vs %v", what, ra.Fault, rb.Fault)
	}
	ra.Fault, rb.Fault = nil, nil
	if !reflect.DeepEqual(ra, rb) {
		t.Fatalf("%s: results differ\n%+v\n%+v", what, ra, rb)
	}
}

func sameMemory(t *testing.T, what string, a, b *executor.Machine) {
	t.Helper()
	check := func(x, y *executor.Machine) {
		x.Memory().ForEachPage(func(base uint32, w *[1024]uint32) {
			v, ok := y.PageWords(base)
			if !ok {
				v = new([1024]uint32)
			}
			if *v != *w {
				t.Fatalf("%s: page 0x%08x differs", what, base)
			}
		})
	}
	check(a, b)
	check(b, a)
}

// TestSnapshotResumes takes snapshots at several steps of real programs,
// restores them and runs original and restored machines to the end: both
// must print the same, end at the same step with the same registers and
// memory, and agree on every statistic.
func TestSnapshotResumes(t *testing.T) {
	cases := []struct {
		name  string
		stdin bool
		at    []uint64
	}{
		{"../examples/bin/hello-go.mips", false, []uint64{0, 1, 150000, 437000}},
		{"../examples/bin/hello-go.mipsle", false, []uint64{200000}},
		{"../testdata/guests/bin/hello.mipsel", false, []uint64{0, 5000, 12000}},
		{"../testdata/guests/bin/stdin.mips", true, []uint64{3000, 6000, 9000, 11400}},
		{"../testdata/guests/bin/fpu.mipsel", false, []uint64{5000}},
	}
	for _, c := range cases {
		p := loadProg(t, c.name)
		for _, at := range c.at {
			cfg := func(out *bytes.Buffer) executor.Config {
				cfg := executor.Config{Args: []string{"prog", "a b"}, Env: []string{"K=V"}, Stdout: out, Seed: 7}
				if c.stdin {
					cfg.Stdin = bytes.NewReader(stdinBytes())
				}
				return cfg
			}
			var out1, out2 bytes.Buffer
			m, err := executor.New(p, cfg(&out1))
			if err != nil {
				t.Fatal(err)
			}
			m.RunUntil(at)
			snap, err := m.MarshalSnapshot()
			if err != nil {
				t.Fatal(err)
			}
			again, _ := m.MarshalSnapshot()
			if !bytes.Equal(snap, again) {
				t.Fatalf("%s@%d: two snapshots of one machine differ", c.name, at)
			}
			// The caller's stdin reader may be anywhere: the snapshot
			// positions a copy.
			r, err := executor.UnmarshalSnapshot(p, cfg(&out2), snap)
			if err != nil {
				t.Fatalf("%s@%d: %v", c.name, at, err)
			}
			sameMachine(t, c.name+" restored", m, r)
			// Without the program: the same fault-proof state, memory
			// and OS state, and a machine that refuses to run.
			s, err := executor.SnapshotState(snap)
			if err != nil {
				t.Fatalf("%s@%d: SnapshotState: %v", c.name, at, err)
			}
			var sysM, sysS [1024]uint32
			m.SystemPage(&sysM)
			s.SystemPage(&sysS)
			if s.State() != m.State() || sysS != sysM || s.BigEndian() != m.BigEndian() || !samePages(m, s) {
				t.Fatalf("%s@%d: SnapshotState differs from the machine: state %v, system page %v, byte order %v, pages %v", c.name, at,
					s.State() == m.State(), sysS == sysM, s.BigEndian() == m.BigEndian(), samePages(m, s))
			}
			if s.RunUntil(at + 10); s.Step() != m.Step() || s.Err() == nil {
				t.Fatalf("%s@%d: a machine without its program ran (step %d, err %v)", c.name, at, s.Step(), s.Err())
			}
			if re, _ := r.MarshalSnapshot(); !bytes.Equal(re, snap) {
				t.Fatalf("%s@%d: the restored machine's snapshot differs from the original", c.name, at)
			}
			before := out1.Len()
			r1, r2 := m.Run(), r.Run()
			if r1.Err != nil || !r1.Exited || r1.ExitCode != 0 {
				t.Fatalf("%s@%d: original run %+v", c.name, at, r1)
			}
			if got, want := out2.String(), out1.String()[before:]; got != want {
				t.Fatalf("%s@%d: restored machine printed %q, original %q", c.name, at, got, want)
			}
			sameMachine(t, c.name+" at the end", m, r)
			if r2.Steps != r1.Steps {
				t.Fatalf("%s@%d: steps %d vs %d", c.name, at, r2.Steps, r1.Steps)
			}
		}
	}
}

// samePages reports whether a and b hold the same memory (an allocated
// page of zeros is no page: snapshots leave them out).
func samePages(a, b *executor.Machine) bool {
	pages := func(m *executor.Machine) map[uint32][1024]uint32 {
		p := map[uint32][1024]uint32{}
		m.Memory().ForEachPage(func(base uint32, w *[1024]uint32) {
			if *w != ([1024]uint32{}) {
				p[base] = *w
			}
		})
		return p
	}
	return maps.Equal(pages(a), pages(b))
}

// TestSnapshotStdin checks that standard input must be given again, with
// the same bytes, and that reading resumes where the original stopped.
func TestSnapshotStdin(t *testing.T) {
	p := loadProg(t, "../testdata/guests/bin/stdin.mipsel")
	in := stdinBytes()
	m, err := executor.New(p, executor.Config{Stdin: bytes.NewReader(in)})
	if err != nil {
		t.Fatal(err)
	}
	m.RunUntil(8000)
	snap, err := m.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	other := append([]byte(nil), in...)
	other[len(other)-1] ^= 1
	for _, bad := range []executor.Config{
		{},
		{Stdin: bytes.NewReader(in[:len(in)-1])},
		{Stdin: bytes.NewReader(other)},
		{Stdin: strings.NewReader(string(in))},
	} {
		if _, err := executor.UnmarshalSnapshot(p, bad, snap); err == nil {
			t.Fatalf("restored with stdin %T", bad.Stdin)
		}
	}
	// A stream cannot be snapshotted.
	s, err := executor.New(p, executor.Config{Stdin: strings.NewReader("x")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarshalSnapshot(); !errors.Is(err, executor.ErrStdinNotClonable) {
		t.Fatalf("stream stdin: %v", err)
	}
	// A different program is refused.
	if _, err := executor.UnmarshalSnapshot(loadProg(t, "../testdata/guests/bin/stdin.mips"), executor.Config{Stdin: bytes.NewReader(in)}, snap); err == nil {
		t.Fatal("restored onto another program")
	}
}

// TestSnapshotCorrupt flips bytes and truncates a snapshot: every variant
// must give an error wrapping ErrSnapshot, never a panic. Flips with the
// checksum recomputed exercise the structural checks behind it.
func TestSnapshotCorrupt(t *testing.T) {
	p := loadProg(t, "../testdata/guests/bin/stdin.mips")
	cfg := executor.Config{Stdin: bytes.NewReader(stdinBytes())}
	m, err := executor.New(p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.RunUntil(9000)
	snap, err := m.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	body := len(snap) - sha256.Size
	positions := []int{0, 7, 8, 11, 12, 43, 44, body - 1, body, len(snap) - 1}
	for i := 0; i < body; i += body / 60 {
		positions = append(positions, i)
	}
	for _, i := range positions {
		b := append([]byte(nil), snap...)
		b[i] ^= 0x40
		if _, err := executor.UnmarshalSnapshot(p, cfg, b); !errors.Is(err, executor.ErrSnapshot) {
			t.Fatalf("flipped byte %d: %v", i, err)
		}
	}
	for _, n := range []int{0, 1, 8, 12, 44, 100, body / 2, body, len(snap) - 1} {
		if _, err := executor.UnmarshalSnapshot(p, cfg, snap[:n]); !errors.Is(err, executor.ErrSnapshot) {
			t.Fatalf("truncated to %d: %v", n, err)
		}
	}
	if _, err := executor.UnmarshalSnapshot(p, cfg, append(append([]byte(nil), snap...), 0)); !errors.Is(err, executor.ErrSnapshot) {
		t.Fatalf("trailing byte: %v", err)
	}
	// With a valid checksum the decoder itself must reject or accept
	// without panicking, and never allocate from a corrupt count.
	reseal := func(b []byte) []byte {
		sum := sha256.Sum256(b[:len(b)-sha256.Size])
		copy(b[len(b)-sha256.Size:], sum[:])
		return b
	}
	// A small program keeps this fast: its structural fields come first
	// (pages last), flip those densely and the pages sparsely.
	p = loadProg(t, "../testdata/guests/bin/alu.mips")
	cfg = executor.Config{}
	if m, err = executor.New(p, cfg); err != nil {
		t.Fatal(err)
	}
	m.RunUntil(100)
	if snap, err = m.MarshalSnapshot(); err != nil {
		t.Fatal(err)
	}
	body = len(snap) - sha256.Size
	var flips []int
	for i := 12; i < min(body, 2400); i += 4 {
		flips = append(flips, i)
	}
	for i := 2400; i < body; i += 97 {
		flips = append(flips, i)
	}
	for k, i := range flips {
		for _, x := range []byte{0x01, 0x80, 0xff}[k%3 : k%3+1] {
			b := append([]byte(nil), snap...)
			b[i] ^= x
			if _, err := executor.UnmarshalSnapshot(p, cfg, reseal(b)); err != nil && !errors.Is(err, executor.ErrSnapshot) && !strings.HasPrefix(err.Error(), "snapshot:") {
				t.Fatalf("byte %d ^ %#x: unexpected error %v", i, x, err)
			}
		}
	}
	for _, n := range []int{44, 500, body / 2, body - 1} {
		b := append(append([]byte(nil), snap[:n]...), make([]byte, sha256.Size)...)
		if _, err := executor.UnmarshalSnapshot(p, cfg, reseal(b)); err == nil {
			t.Fatalf("resealed truncation to %d accepted", n)
		}
	}
}

// TestRestoreState rebuilds machines from the fault-proof state and pages
// alone: at step 0 the rest of a Go run is identical; mid-run, the stretch
// up to the next syscall is.
func TestRestoreState(t *testing.T) {
	for _, name := range []string{"../examples/bin/hello-go.mips", "../testdata/guests/bin/hello.mipsel"} {
		p := loadProg(t, name)
		// Only the Go program runs identically to the end from step 0:
		// the C one draws from the random stream, whose position (after
		// AT_RANDOM) the fault-proof state does not hold.
		goProg := strings.Contains(name, "-go")
		for _, at := range []uint64{0, 3000} {
			var out1, out2 bytes.Buffer
			m, err := executor.New(p, executor.Config{Stdout: &out1})
			if err != nil {
				t.Fatal(err)
			}
			m.RunUntil(at)
			pages := map[uint32]*[1024]uint32{}
			m.Memory().ForEachPage(func(base uint32, w *[1024]uint32) {
				c := *w
				pages[base] = &c
			})
			r, err := executor.Restore(p, executor.Config{Stdout: &out2}, m.State(), pages)
			if err != nil {
				t.Fatal(err)
			}
			if r.State() != m.State() || r.BigEndian() != p.BigEndian {
				t.Fatalf("%s@%d: restored state %+v", name, at, r.State())
			}
			sameMemory(t, name, m, r)
			if at == 0 && goProg {
				r1, r2 := m.Run(), r.Run()
				if r1.Steps != r2.Steps || out1.String() != out2.String() || m.State() != r.State() {
					t.Fatalf("%s: restored run differs: %d vs %d steps", name, r1.Steps, r2.Steps)
				}
				sameMemory(t, name, m, r)
				continue
			}
			// Up to the next syscall or TLS read: the OS state Restore
			// cannot know is not consulted before.
			for i := 0; i < 500; i++ {
				if op := m.InstAt(m.PC()).Op; op == program.OpSYSCALL || op == program.OpRDHWR {
					if i < 10 {
						t.Fatalf("%s@%d: only %d steps compared", name, at, i)
					}
					break
				}
				m.RunUntil(m.Step() + 1)
				r.RunUntil(r.Step() + 1)
				if m.State() != r.State() {
					t.Fatalf("%s@%d: diverged after %d steps", name, at, i+1)
				}
			}
		}
	}
	p := loadProg(t, "../testdata/guests/bin/hello.mipsel")
	bad := executor.State{}
	bad.Regs[0] = 1
	if _, err := executor.Restore(p, executor.Config{}, bad, nil); err == nil {
		t.Fatal("r0 != 0 accepted")
	}
	if _, err := executor.Restore(p, executor.Config{}, executor.State{}, map[uint32]*[1024]uint32{0x1004: new([1024]uint32)}); err == nil {
		t.Fatal("unaligned page accepted")
	}
}

// TestDirtyPages checks that every page is reported once after it is
// written, and that reported pages are the ones that changed.
func TestDirtyPages(t *testing.T) {
	p := loadProg(t, "../examples/bin/hello-go.mipsle")
	m, err := executor.New(p, executor.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if m.BigEndian() {
		t.Fatal("mipsle guest reported big-endian")
	}
	n := 0
	m.DirtyPages(func(a uint32, w *[1024]uint32) {
		if g, ok := m.PageWords(a); !ok || g != w || a&0xfff != 0 {
			t.Fatalf("page 0x%08x not the live page", a)
		}
		n++
	})
	if n != m.Memory().AllocatedPages() {
		t.Fatalf("first scan reported %d pages of %d", n, m.Memory().AllocatedPages())
	}
	m.DirtyPages(func(a uint32, _ *[1024]uint32) { t.Fatalf("page 0x%08x reported twice", a) })
	copies := map[uint32][1024]uint32{}
	m.Memory().ForEachPage(func(a uint32, w *[1024]uint32) { copies[a] = *w })
	m.RunUntil(20000)
	reported := map[uint32]bool{}
	m.DirtyPages(func(a uint32, _ *[1024]uint32) { reported[a] = true })
	if len(reported) == 0 {
		t.Fatal("20000 steps wrote no page")
	}
	m.Memory().ForEachPage(func(a uint32, w *[1024]uint32) {
		if old := copies[a]; old != *w && !reported[a] {
			t.Fatalf("page 0x%08x changed but was not reported", a)
		}
	})
	if _, ok := m.PageWords(0); ok {
		t.Fatal("null page allocated")
	}
}

// osStateProgram touches every part of the state a snapshot carries
// beyond the CPU: a pipe with unread bytes, an eventfd watched by an epoll
// set, a signal handler, the TLS pointer, FP registers and FCSR, the zkVM
// input stream, public values, a commit, a precompile's extra cycles and
// an unconstrained section.
func osStateProgram(be bool) *asm.Builder {
	b := asm.New(be)
	const (
		A0, A1, A2, A3, V0, Zero = asm.A0, asm.A1, asm.A2, asm.A3, asm.V0, asm.Zero
		S0, S1, S2, T0           = asm.S0, asm.S1, asm.S2, asm.T0
	)
	b.Data("msg", []byte("hello pipe\n"))
	b.BSS("fds", 8)
	b.BSS("ev", 16)
	b.BSS("act", 24)
	b.BSS("buf", 64)
	b.BSS("sha", 256)
	sys := func(num uint32) { b.LI(V0, num); b.SYSCALL() }

	b.LA(A0, "fds")
	b.ADDIU(A1, Zero, 0)
	sys(4328) // pipe2
	b.LA(T0, "fds")
	b.LW(S0, 0, T0) // read end
	b.LW(S1, 4, T0) // write end
	b.MOVE(A0, S1)
	b.LA(A1, "msg")
	b.ADDIU(A2, Zero, 11)
	sys(4004) // write to the pipe
	b.ADDIU(A0, Zero, 3)
	b.ADDIU(A1, Zero, 0)
	sys(4325) // eventfd2(3)
	b.MOVE(S2, V0)
	b.ADDIU(A0, Zero, 0)
	sys(4326) // epoll_create1
	b.MOVE(A0, V0)
	b.ADDIU(A1, Zero, 1) // EPOLL_CTL_ADD
	b.MOVE(A2, S2)
	b.LA(A3, "ev")
	b.LI(T0, 1)
	b.SW(T0, 0, A3) // EPOLLIN
	b.LI(T0, 0xabcd)
	b.SW(T0, 8, A3)
	sys(4249) // epoll_ctl
	b.LA(A1, "act")
	b.LI(T0, 0x00401234)
	b.SW(T0, 4, A1)
	b.ADDIU(A0, Zero, 10)
	b.ADDIU(A2, Zero, 0)
	sys(4194) // rt_sigaction(SIGUSR1)
	b.LI(A0, 0x7000)
	sys(4283) // set_thread_area
	b.LI(T0, 0x3ff00000)
	b.MTC1(T0, 3)
	b.LI(T0, 3)
	b.CTC1(T0, 31)

	sys(0xF0) // HINT_LEN
	b.LA(A0, "buf")
	b.MOVE(A1, V0)
	sys(0xF1) // HINT_READ
	b.ADDIU(A0, Zero, 13)
	b.LA(A1, "msg")
	b.ADDIU(A2, Zero, 5)
	sys(0x02) // WRITE to the public values
	b.ADDIU(A0, Zero, 14)
	b.LA(A1, "msg")
	b.ADDIU(A2, Zero, 3)
	sys(0x02) // WRITE a new input item
	b.ADDIU(A0, Zero, 2)
	b.LI(A1, 0xdeadbeef)
	sys(0x10) // COMMIT
	b.LA(A0, "sha")
	sys(0x30010005) // SHA_EXTEND: extra cycles

	sys(0x03) // ENTER_UNCONSTRAINED
	b.BEQ(V0, Zero, "constrained")
	b.NOP()
	b.LA(T0, "buf")
	b.SW(T0, 0, T0)
	b.LA(A0, "sha")
	sys(0x30010005)
	sys(0x04) // EXIT_UNCONSTRAINED
	b.Label("constrained")

	b.MOVE(A0, S0)
	b.LA(A1, "buf")
	b.ADDIU(A2, Zero, 6)
	sys(4003) // read 6 of the pipe's 11 bytes
	b.ADDIU(A0, Zero, 1)
	b.LA(A1, "buf")
	b.ADDIU(A2, Zero, 6)
	sys(4004) // and print them
	sys(0xF0) // HINT_LEN of the pushed item
	b.Exit(7)
	return b
}

// TestSnapshotEveryStep snapshots an assembled program at every step,
// restores it and runs both copies to the end.
func TestSnapshotEveryStep(t *testing.T) {
	for _, be := range []bool{true, false} {
		p, err := osStateProgram(be).Program()
		if err != nil {
			t.Fatal(err)
		}
		cfg := func(out *bytes.Buffer) executor.Config {
			return executor.Config{Stdout: out, Inputs: [][]byte{[]byte("input-item")}, NoGoPatches: true}
		}
		var ref bytes.Buffer
		full, err := executor.New(p, cfg(&ref))
		if err != nil {
			t.Fatal(err)
		}
		res := full.Run()
		if res.Err != nil || res.ExitCode != 7 || ref.String() != "hello " || !res.Committed || string(res.PublicValues) != "hello" {
			t.Fatalf("reference run: %+v, printed %q", res, ref.String())
		}
		// One machine steps through the run; the copy restored from its
		// snapshot at each step must print the rest and end as the
		// reference run.
		unconstrained := 0
		var out1 bytes.Buffer
		m, err := executor.New(p, cfg(&out1))
		if err != nil {
			t.Fatal(err)
		}
		for at := uint64(0); at <= res.Steps; at++ {
			m.RunUntil(at)
			if m.Unconstrained() {
				unconstrained++
			}
			snap, err := m.MarshalSnapshot()
			if err != nil {
				t.Fatal(err)
			}
			var out2 bytes.Buffer
			r, err := executor.UnmarshalSnapshot(p, cfg(&out2), snap)
			if err != nil {
				t.Fatalf("step %d: %v", at, err)
			}
			if re, _ := r.MarshalSnapshot(); !bytes.Equal(re, snap) {
				t.Fatalf("step %d: snapshot of the restored machine differs", at)
			}
			r.Run()
			if want := ref.String()[out1.Len():]; out2.String() != want {
				t.Fatalf("step %d: printed %q, want %q", at, out2.String(), want)
			}
			sameMachine(t, fmt.Sprintf("step %d", at), full, r)
		}
		if unconstrained == 0 {
			t.Fatal("no snapshot inside the unconstrained section")
		}
	}
}
