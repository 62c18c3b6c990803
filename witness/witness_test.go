package witness

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
)

// memBytes returns word v as the guest stores it in memory, read as a
// big-endian integer (the on-chain view of a leaf's 4 bytes).
func memBytes(m *executor.Machine, v uint32) uint32 {
	if m.BigEndian() {
		return v
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return binary.BigEndian.Uint32(b[:])
}

// patch returns proof p with the word at aligned address a replaced by v
// (in on-chain byte view).
func patch(p [ProofSize]byte, a, v uint32) [ProofSize]byte {
	binary.BigEndian.PutUint32(p[a&31:], v)
	return p
}

// applyProofs checks a witness's data proofs the way the contract does and
// returns the post-step memory root: each proof must verify against the
// running root, which then takes the word's post value (post[k], on-chain
// byte view) under the same siblings.
func applyProofs(t *testing.T, step uint64, root [32]byte, addrs []uint32, proofs []byte, post []uint32) [32]byte {
	t.Helper()
	for k, a := range addrs {
		p := [ProofSize]byte(proofs[k*ProofSize:])
		if !VerifyProof(root, a, p) {
			t.Fatalf("step %d: data proof #%d (0x%08x) does not verify against the running root", step, k+1, a)
		}
		root = ProofRoot(a, new(patch(p, a, post[k])))
	}
	return root
}

type proveStats struct{ steps, syscalls, memOps, multi, noData, unprovable, system int }

// proveSteps proves n consecutive steps from step `from` (or to the end)
// and checks every witness: the state decodes to the machine's pre-state,
// Pre is its hash, every proof verifies against the pre-state's memory
// root at its address, proof #0 holds the instruction word, loads and
// stores prove their effective address, Post of each step is Pre of the
// next, and for every two-proof step the post memory root is proof #1's
// leaf patched with the word's new value and re-hashed with the same
// siblings (what the contract will do), and for every step the proofs
// updated together with the new values of all their words give the post
// root (what a contract could do for steps that touch several words).
func proveSteps(t *testing.T, name string, cfg executor.Config, from uint64, n int) proveStats {
	t.Helper()
	m, err := executor.New(load(t, name), cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.RunUntil(from)
	tr := NewTree()
	var s proveStats
	var prev *StepWitness
	var prevRoot [32]byte
	var prevPost []uint32
	for i := 0; i < n && !m.Exited(); i++ {
		pre := m.State()
		pc := m.PC()
		in := m.InstAt(pc)
		ea := (m.Reg(int(in.Rs)) + in.Imm) &^ 3
		w, err := Prove(m, tr)
		if errors.Is(err, ErrUnprovable) && !m.Exited() && m.Step() == pre.Step && m.Err() == nil {
			// Out of the contract's scope (scope.go): run it and go on.
			s.unprovable++
			m.RunUntil(pre.Step + 1)
			prev = nil
			continue
		}
		if err != nil {
			t.Fatalf("%s step %d: %v", name, pre.Step, err)
		}
		root, st, err := DecodeState(w.State)
		if err != nil || st != pre || w.Step != pre.Step {
			t.Fatalf("%s step %d: state %+v (%v), machine %+v", name, pre.Step, st, err, pre)
		}
		if w.Pre != StateHash(w.State) {
			t.Fatalf("step %d: Pre is not the state's hash", w.Step)
		}
		if prev != nil {
			if prev.Post != w.Pre {
				t.Fatalf("step %d: Post %x, next Pre %x", prev.Step, prev.Post, w.Pre)
			}
			if got := applyProofs(t, prev.Step, prevRoot, prev.Addrs[1:], prev.Proofs[ProofSize:], prevPost[1:]); got != root {
				t.Fatalf("step %d (%x): proofs applied in order give root %x, post root %x", prev.Step, prev.Addrs, got, root)
			}
		}
		if w.NumProofs() < 2 || len(w.Proofs) != w.NumProofs()*ProofSize || len(w.Addrs) != w.NumProofs() || w.Addrs[0] != pc {
			t.Fatalf("step %d: %d proofs at %x", w.Step, w.NumProofs(), w.Addrs)
		}
		if !VerifyProof(root, pc, w.Proof(0)) || !VerifyProof(root, w.Addrs[1], w.Proof(1)) {
			t.Fatalf("step %d: proof #0 or #1 does not verify against the pre root", w.Step)
		}
		for k := 2; k < len(w.Addrs); k++ {
			if slices.Contains(w.Addrs[1:k], w.Addrs[k]) {
				t.Fatalf("step %d: word 0x%08x proven twice: %x", w.Step, w.Addrs[k], w.Addrs)
			}
		}
		p0 := w.Proof(0)
		if got := ProofWord(pc, &p0); got != memBytes(m, in.Word) {
			t.Fatalf("step %d: proof #0 holds %08x, instruction %08x", w.Step, got, in.Word)
		}
		switch {
		case in.Op == program.OpSYSCALL:
			s.syscalls++
		case in.Op >= program.OpLB && in.Op <= program.OpSDC1 && in.Op != program.OpPREF:
			s.memOps++
			if !slices.Contains(w.Addrs[1:], ea) {
				t.Fatalf("step %d: %s proves 0x%08x, effective address 0x%08x", w.Step, in, w.Addrs[1], ea)
			}
		case w.Addrs[1] < executor.NullLimit:
			s.system++ // OS state only (FP registers, TLS)
		default:
			if w.NumProofs() != 2 || w.Addrs[1] != pc || string(w.Proofs[:ProofSize]) != string(w.Proofs[ProofSize:]) {
				t.Fatalf("step %d: %s touches no data but carries %x", w.Step, in, w.Addrs)
			}
		}
		if w.NumProofs() > 2 {
			s.multi++
		}
		if w.Addrs[1] == pc && w.NumProofs() == 2 {
			s.noData++
		}
		// Every 500 steps, and at the end, Post against a tree built from
		// scratch.
		if i%500 == 0 || m.Exited() {
			if want := StateHash(EncodeState(NewTree().Root(m), m.State())); w.Post != want {
				t.Fatalf("step %d: Post %x, from scratch %x", w.Step, w.Post, want)
			}
		}
		prev, prevRoot = w, root
		prevPost = prevPost[:0]
		for _, a := range w.Addrs {
			v := m.ReadWord(a)
			if a < executor.NullLimit {
				v = m.SystemWord(a) // the OS state in the null page
			}
			prevPost = append(prevPost, memBytes(m, v))
		}
		s.steps++
	}
	if m.Exited() && (prev.Post[0] != StatusValid || m.ExitCode() != 0) {
		t.Fatalf("%s: final Post %x, exit %d", name, prev.Post, m.ExitCode())
	}
	return s
}

// TestProveSteps proves the first 3,000 steps of the Go hello program in
// both byte orders, 5,000 steps of its signal-handler setup
// (rt_sigaction reads and writes a struct) and its last 3,000 steps (the
// write of the greeting and exit_group).
func TestProveSteps(t *testing.T) {
	for _, c := range []struct {
		name  string
		total uint64
	}{{"../examples/bin/hello-go.mips", 438772}, {"../examples/bin/hello-go.mipsle", 436337}} {
		first := proveSteps(t, c.name, executor.Config{}, 0, 3000)
		sig := proveSteps(t, c.name, executor.Config{}, 248000, 5000)
		last := proveSteps(t, c.name, executor.Config{}, c.total-3000, 3000)
		t.Logf("%s: first %+v, rt_sigaction %+v, last %+v", c.name, first, sig, last)
		if first.steps != 3000 || last.steps != 3000 || first.memOps == 0 || last.syscalls == 0 || sig.multi < 3 || sig.unprovable != 0 {
			t.Fatalf("%s: coverage first %+v rt_sigaction %+v last %+v", c.name, first, sig, last)
		}
	}
}

// TestProveStdin proves whole runs of a C program that reads standard
// input: each read fills a buffer, so its step carries one proof per word
// written. The input may be a stream: nothing is replayed.
func TestProveStdin(t *testing.T) {
	in := strings.Repeat("a line of input\n", 5)
	for _, c := range []struct {
		name  string
		stdin io.Reader
	}{{"../testdata/guests/bin/stdin.mips", bytes.NewReader([]byte(in))}, {"../testdata/guests/bin/stdin.mipsel", strings.NewReader(in)}} {
		s := proveSteps(t, c.name, executor.Config{Stdin: c.stdin}, 0, 1<<30)
		t.Logf("%s: %+v", c.name, s)
		if s.multi == 0 || s.syscalls == 0 {
			t.Fatalf("coverage %+v", s)
		}
	}
}

// TestProveJSON checks the proof file: keys, 0x-hex lengths, round trip.
func TestProveJSON(t *testing.T) {
	m := newMachine(t, "../examples/bin/hello-go.mips")
	m.RunUntil(1000)
	w, err := Prove(m, NewTree())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f) != 5 || f["step"] != float64(1000) {
		t.Fatalf("proof file %s", b)
	}
	for k, n := range map[string]int{"pre": 32, "post": 32, "state-data": StateSize, "proof-data": 2 * ProofSize} {
		s, _ := f[k].(string)
		if !strings.HasPrefix(s, "0x") || len(s) != 2+2*n {
			t.Fatalf("%s: %q", k, s)
		}
	}
	var back StepWitness
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Step != w.Step || back.State != w.State || back.Pre != w.Pre || back.Post != w.Post || string(back.Proofs) != string(w.Proofs) {
		t.Fatal("round trip differs")
	}
	// Oracle fields and the little-endian marker survive a round trip.
	w.BigEndian = false
	w.Oracle = &OracleRead{Key: [32]byte{2, 9}, Value: []byte{0, 0, 0, 0, 0, 0, 0, 3, 'a', 'b', 'c'}, Offset: 5}
	b2, _ := json.Marshal(w)
	var back2 StepWitness
	if err := json.Unmarshal(b2, &back2); err != nil || back2.BigEndian || back2.Oracle == nil ||
		back2.Oracle.Key != w.Oracle.Key || string(back2.Oracle.Value) != string(w.Oracle.Value) || back2.Oracle.Offset != 5 {
		t.Fatalf("oracle round trip: %v %+v (%s)", err, back2.Oracle, b2)
	}
	if !json.Valid(b2) || !strings.Contains(string(b2), `"oracle-offset":5,"byte-order":"little"}`) {
		t.Fatalf("%s", b2)
	}
	for _, bad := range []string{
		`{"step":1,"pre":"00","post":"0x00","state-data":"0x","proof-data":"0x"}`,
		strings.Replace(string(b2), `"oracle-value":"0x0000000000000003`, `"oracle-value":"0x0000000000000004`, 1),
		strings.Replace(string(b2), `"byte-order":"little"`, `"byte-order":"middle"`, 1),
		strings.Replace(string(b), `"proof-data":"0x`, `"proof-data":"0x00`, 1),
	} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Fatalf("accepted %.80s", bad)
		}
	}
}

// TestProveRefuses checks the steps that cannot be proven: after exit,
// and the machine does not move.
func TestProveRefuses(t *testing.T) {
	m := newMachine(t, "../testdata/guests/bin/exit42.mips")
	m.Run()
	if _, err := Prove(m, NewTree()); !errors.Is(err, ErrUnprovable) {
		t.Fatalf("exited machine: %v", err)
	}
}

// BenchmarkProve measures witnesses per second over the Go hello
// program's signal-handler setup (a mix of ALU, memory and syscall steps).
func BenchmarkProve(b *testing.B) {
	var m *executor.Machine
	var tr *Tree
	for b.Loop() {
		if m == nil || m.Exited() || m.Step() >= 300000 {
			b.StopTimer()
			m = newMachine(b, "../examples/bin/hello-go.mips")
			m.RunUntil(248000)
			tr = NewTree()
			tr.Root(m)
			b.StartTimer()
		}
		if _, err := Prove(m, tr); errors.Is(err, ErrUnprovable) {
			m.RunUntil(m.Step() + 1)
		} else if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}
