package executor_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkGuests runs the CPU-bound guests of testdata/guests to
// completion: cbench (C: sieve, CRC32, matrix multiply; about 430 M
// instructions) and gobench (Go: SHA-256 and a sort; about 1 G
// instructions), both byte orders. insn/s counts guest instructions per
// second of Run (loading excluded). bench/run compares with qemu-user.
func BenchmarkGuests(b *testing.B) {
	type guest struct {
		name string
		data []byte
	}
	var guests []guest
	for _, n := range []string{"cbench.mips", "cbench.mipsel"} {
		data, err := os.ReadFile(filepath.Join(guestDir, "bin", n))
		if err != nil {
			b.Fatal(err)
		}
		guests = append(guests, guest{n, data})
	}
	for _, a := range goArchs {
		dir := b.TempDir()
		if err := goBuildGuests(a.goarch, dir); err != nil {
			b.Logf("skipping gobench.%s: %v", a.goarch, err)
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, "gobench"))
		if err != nil {
			b.Fatal(err)
		}
		guests = append(guests, guest{"gobench." + a.goarch, data})
	}
	for _, g := range guests {
		b.Run(g.name, func(b *testing.B) {
			var steps uint64
			var run time.Duration
			for b.Loop() {
				var stdout, stderr bytes.Buffer
				m := newGuest(b, g.data, &guestCase{}, &stdout, &stderr)
				start := time.Now()
				res := m.Run()
				run += time.Since(start)
				if res.Err != nil || res.ExitCode != 0 || stdout.Len() == 0 {
					b.Fatalf("guest did not run to completion: %s\nstderr: %s", describe(res), clip(stderr.Bytes()))
				}
				steps += res.Steps
			}
			b.ReportMetric(float64(steps)/run.Seconds(), "insn/s")
			b.ReportMetric(float64(steps)/float64(b.N), "insn/op")
		})
	}
}
