package events_test

import (
	"reflect"
	"testing"

	"github.com/zkmips/zkmips/events"
	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/asm"
	"github.com/zkmips/zkmips/internal/testutil"
	"github.com/zkmips/zkmips/program"
)

// traceAll runs a program through the tracer in shards of budget cycles and
// links them.
func traceAll(t *testing.T, m *executor.Machine, budget uint64) ([]*events.Record, []events.Init, []events.Finalize) {
	t.Helper()
	tr, l := events.NewTracer(), events.NewLinker()
	var recs []*events.Record
	for n := uint32(1); !events.Done(m); n++ {
		r := tr.Trace(m, n, budget, ^uint64(0))
		if err := l.Link(r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	init, fin := l.Memory(m)
	return recs, init, fin
}

// buildOutOfOrder records m in shards of budget cycles, builds the logs
// in reverse order with one builder (as parallel builders would, out of
// order), links them in order and expands them.
func buildOutOfOrder(t *testing.T, m *executor.Machine, budget uint64) ([]*events.Record, []events.Init, []events.Finalize) {
	t.Helper()
	type recorded struct {
		start events.Start
		rec   *executor.Recorder
		end   events.End
	}
	var shards []recorded
	for !events.Done(m) {
		s, rec := events.StartOf(m), new(executor.Recorder)
		events.RecordSteps(m, rec, budget, ^uint64(0))
		shards = append(shards, recorded{s, rec, events.EndOf(m)})
	}
	b, l := events.NewLogBuilder(), events.NewLinker()
	logs := make([]*events.Log, len(shards))
	for i := len(shards) - 1; i >= 0; i-- {
		var err error
		if logs[i], err = b.Build(uint32(i+1), &shards[i].start, shards[i].rec, &shards[i].end); err != nil {
			t.Fatal(err)
		}
	}
	recs := make([]*events.Record, len(logs))
	for i, lg := range logs {
		if err := l.LinkLog(lg); err != nil {
			t.Fatal(err)
		}
		var err error
		if recs[i], err = events.Expand(lg); err != nil {
			t.Fatal(err)
		}
	}
	init, fin := l.Memory(m)
	return recs, init, fin
}

// TestTracerMemoryChecking checks the memory-checking invariants on a small
// program split into many shards: timestamps increase per address, every
// access's previous pointer and value are those of the last access, the
// shards' local rows chain, and init/finalize balance.
func TestTracerMemoryChecking(t *testing.T) {
	for _, be := range []bool{true, false} {
		b := asm.New(be)
		b.BSS("buf", 64)
		b.LA(asm.T0, "buf")
		b.LI(asm.T1, 10)
		b.Label("loop")
		b.SW(asm.T1, 0, asm.T0)
		b.LW(asm.T2, 0, asm.T0)
		b.ADDU(asm.T3, asm.T3, asm.T2)
		b.MULT(asm.T3, asm.T1)
		b.MFLO(asm.T4)
		b.SB(asm.T4, 5, asm.T0)
		b.ADDIU(asm.T1, asm.T1, -1)
		b.BNE(asm.T1, asm.Zero, "loop")
		b.NOP()
		b.Exit(0)
		p, err := b.Program()
		if err != nil {
			t.Fatal(err)
		}
		m, err := executor.New(p, executor.Config{})
		if err != nil {
			t.Fatal(err)
		}
		recs, init, fin := traceAll(t, m, 7)
		if !m.Exited() || m.ExitCode() != 0 {
			t.Fatalf("run did not exit cleanly: %v", m.Err())
		}
		type last struct{ shard, clk, value uint32 }
		state := map[uint32]last{}
		for _, in := range init {
			state[in.Addr] = last{0, 0, in.Value}
		}
		var steps uint64
		for _, r := range recs {
			steps += r.Steps
			if uint64(len(r.CPU)) != r.Steps {
				t.Fatalf("shard %d: %d CPU rows for %d steps", r.Shard, len(r.CPU), r.Steps)
			}
			if r.Steps > 0 && r.CPU[0].PC != r.StartPC {
				t.Fatalf("shard %d starts at pc 0x%x, its first row at 0x%x", r.Shard, r.StartPC, r.CPU[0].PC)
			}
			firsts := map[uint32]last{}
			for _, a := range r.Memory {
				prev, ok := state[a.Addr]
				if !ok {
					t.Fatalf("shard %d: access to 0x%x with no init row", r.Shard, a.Addr)
				}
				if a.PrevShard != prev.shard || a.PrevClk != prev.clk || a.PrevValue != prev.value {
					t.Fatalf("shard %d: access %+v, but the last access was %+v", r.Shard, a, prev)
				}
				if a.PrevShard == r.Shard && a.Clk <= a.PrevClk {
					t.Fatalf("shard %d: clock does not increase at 0x%x: %d after %d", r.Shard, a.Addr, a.Clk, a.PrevClk)
				}
				if a.Write == 0 && a.Value != a.PrevValue {
					t.Fatalf("shard %d: read of 0x%x changed the value", r.Shard, a.Addr)
				}
				if _, ok := firsts[a.Addr]; !ok {
					firsts[a.Addr] = prev
				}
				state[a.Addr] = last{r.Shard, a.Clk, a.Value}
			}
			if len(r.Local) != len(firsts) {
				t.Fatalf("shard %d: %d local rows for %d addresses touched", r.Shard, len(r.Local), len(firsts))
			}
			for _, l := range r.Local {
				f := firsts[l.Addr]
				s := state[l.Addr]
				if l.InitShard != f.shard || l.InitClk != f.clk || l.InitValue != f.value || l.FinalClk != s.clk || l.FinalValue != s.value {
					t.Fatalf("shard %d: local row %+v, want init %+v final %+v", r.Shard, l, f, s)
				}
			}
			if r.Shard > 1 && r.StartPC != recs[r.Shard-2].EndPC {
				t.Fatalf("shard %d starts at 0x%x, shard %d ended at 0x%x", r.Shard, r.StartPC, r.Shard-1, recs[r.Shard-2].EndPC)
			}
		}
		if steps != m.Step() {
			t.Fatalf("%d steps in shards, machine ran %d", steps, m.Step())
		}
		if len(recs) < 5 {
			t.Fatalf("only %d shards: the budget did not cut", len(recs))
		}
		for _, f := range fin {
			s := state[f.Addr]
			if f.Shard != s.shard || f.Clk != s.clk || f.Value != s.value {
				t.Fatalf("finalize %+v, last access %+v", f, s)
			}
		}
		// The buffer word holds the last stored counter (1) with byte 5 from SB.
		var bufAccesses int
		for _, in := range init {
			if in.Addr >= 0x1000 {
				bufAccesses++
			}
		}
		if bufAccesses != 2 {
			t.Errorf("%d memory words touched, want 2", bufAccesses)
		}
	}
}

// TestCheckpointsMatch checks that shard logs built out of order give
// exactly the records of tracing straight through, for real programs (a Go
// runtime, glibc C, a zkVM guest).
func TestCheckpointsMatch(t *testing.T) {
	for _, name := range []string{"../examples/bin/hello-go.mips", "../testdata/guests/bin/hello.mipsel", "../examples/bin/zkvm-fib.mipsle"} {
		p, err := program.LoadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		newM := func() *executor.Machine {
			m, err := executor.New(p, executor.Config{Args: []string{"x"}, Inputs: [][]byte{{20, 0, 0, 0}}})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		m1, m2 := newM(), newM()
		r1, i1, f1 := traceAll(t, m1, 5000)
		r2, i2, f2 := buildOutOfOrder(t, m2, 5000)
		if m1.Err() != nil || !m1.Exited() {
			t.Fatalf("%s: %v", name, m1.Err())
		}
		if len(r1) < 3 || len(r1) != len(r2) {
			t.Fatalf("%s: %d shards traced, %d built", name, len(r1), len(r2))
		}
		for i := range r1 {
			if f := testutil.DifferingField(r1[i], r2[i]); f != "" {
				t.Fatalf("%s: shard %d: %s differs when built out of order", name, i+1, f)
			}
		}
		if !reflect.DeepEqual(i1, i2) || !reflect.DeepEqual(f1, f2) {
			t.Fatalf("%s: init/finalize rows differ", name)
		}
	}
}
