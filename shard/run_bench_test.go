package shard_test

import (
	"path/filepath"
	"testing"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
	"github.com/zkmips/zkmips/shard"
)

// BenchmarkExecute traces 2^23 cycles of the CPU-bound C guest to disk in
// shards of 2^21 cycles, with one and two jobs, and reports cycles/s and
// bytes per cycle on disk.
func BenchmarkExecute(b *testing.B) {
	prog, err := program.LoadFile("../testdata/guests/bin/cbench.mips")
	if err != nil {
		b.Fatal(err)
	}
	for _, jobs := range []int{1, 2} {
		b.Run(map[int]string{1: "jobs1", 2: "jobs2"}[jobs], func(b *testing.B) {
			var cycles uint64
			var bytes int64
			for b.Loop() {
				m, err := executor.New(prog, executor.Config{})
				if err != nil {
					b.Fatal(err)
				}
				w, err := shard.Create(filepath.Join(b.TempDir(), "t"))
				if err != nil {
					b.Fatal(err)
				}
				s, err := shard.Execute(m, w, shard.Options{ShardSize: 1 << 21, Jobs: jobs, MaxSteps: 1 << 23})
				if err != nil {
					b.Fatal(err)
				}
				w.Abort()
				cycles += s.Cycles
				bytes += s.Bytes
			}
			b.ReportMetric(float64(cycles)/b.Elapsed().Seconds(), "cycles/s")
			b.ReportMetric(float64(bytes)/float64(cycles), "bytes/cycle")
		})
	}
}
