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
		tr := events.NewTracer()
		tr.Recycle(tr.Trace(m, 1, shard, ^uint64(0)))
		b.StartTimer()
		steps += tr.Trace(m, 2, shard, ^uint64(0)).Steps
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
}
