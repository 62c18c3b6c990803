package events_test

import (
	"testing"

	"github.com/zkmips/zkmips/events"
	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
)

// BenchmarkRecord runs 2^22 steps of the CPU-bound C guest in record mode
// (one shard, after a warm-up shard), and BenchmarkRecordShard also builds
// the shard's log (what "zkmips execute" does per shard before encoding).
func BenchmarkRecord(b *testing.B)      { benchRecord(b, false) }
func BenchmarkRecordShard(b *testing.B) { benchRecord(b, true) }

func benchRecord(b *testing.B, build bool) {
	p, err := program.LoadFile("../testdata/guests/bin/cbench.mips")
	if err != nil {
		b.Fatal(err)
	}
	const shard = 1 << 22
	var steps uint64
	var rec executor.Recorder
	lb := events.NewLogBuilder()
	for b.Loop() {
		b.StopTimer()
		m, err := executor.New(p, executor.Config{})
		if err != nil {
			b.Fatal(err)
		}
		l, err := events.RecordShard(m, &rec, lb, 1, shard, ^uint64(0))
		if err != nil {
			b.Fatal(err)
		}
		lb.Recycle(l)
		b.StartTimer()
		if build {
			l, err := events.RecordShard(m, &rec, lb, 2, shard, ^uint64(0))
			if err != nil {
				b.Fatal(err)
			}
			lb.Recycle(l)
		} else {
			rec.Reset()
			m.Record(&rec, m.Step()+shard)
		}
		steps += rec.Steps
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkExpand replays a 2^20-cycle log of the CPU-bound C guest into
// its full record (what a trace reader does per shard).
func BenchmarkExpand(b *testing.B) {
	p, err := program.LoadFile("../testdata/guests/bin/cbench.mips")
	if err != nil {
		b.Fatal(err)
	}
	m, err := executor.New(p, executor.Config{})
	if err != nil {
		b.Fatal(err)
	}
	var rec executor.Recorder
	lb := events.NewLogBuilder()
	if _, err := events.RecordShard(m, &rec, lb, 1, 1<<20, ^uint64(0)); err != nil {
		b.Fatal(err)
	}
	l, err := events.RecordShard(m, &rec, lb, 2, 1<<20, ^uint64(0))
	if err != nil {
		b.Fatal(err)
	}
	e := events.NewExpander()
	for b.Loop() {
		r, err := e.Expand(l)
		if err != nil {
			b.Fatal(err)
		}
		e.Recycle(r)
	}
	b.ReportMetric(float64(l.Steps)*float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}
