package events_test

import (
	"testing"

	"github.com/zkmips/zkmips/events"
	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
)

// BenchmarkTracer traces 2^22 steps of the CPU-bound C guest in one shard
// (after a warm-up shard, so tables are recycled as in a long run).
func BenchmarkTracer(b *testing.B) {
	p, err := program.LoadFile("../testdata/guests/bin/cbench.mips")
	if err != nil {
		b.Fatal(err)
	}
	const shard = 1 << 22
	var steps uint64
	for b.Loop() {
		b.StopTimer()
		m, err := executor.New(p, executor.Config{})
		if err != nil {
			b.Fatal(err)
		}
		tr := events.NewTracer(m)
		tr.BeginShard(1, shard)
		for tr.Cycles() < shard {
			tr.Step()
		}
		tr.Recycle(tr.EndShard())
		b.StartTimer()
		tr.BeginShard(2, shard)
		for tr.Cycles() < shard {
			tr.Step()
		}
		steps += tr.EndShard().Steps
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
}
