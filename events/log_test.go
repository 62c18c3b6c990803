package events_test

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/events"
	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/testutil"
	"github.com/zkmips/zkmips/program"
)

// TestLogsExpandToRecords records every corpus and example program (but
// the long benchmarks) in shards, builds and links the logs, and checks
// that each log expands to exactly the record the Tracer makes of the same
// shard, and that the logs' row counts are the records'.
func TestLogsExpandToRecords(t *testing.T) {
	elfs, _ := filepath.Glob("../testdata/guests/bin/*.mips*")
	ex, _ := filepath.Glob("../examples/bin/*.mips*")
	elfs = append(elfs, ex...)
	if len(elfs) < 50 {
		t.Fatalf("found only %d programs", len(elfs))
	}
	for _, elf := range elfs {
		if strings.Contains(elf, "cbench") {
			continue
		}
		t.Run(filepath.Base(elf), func(t *testing.T) {
			t.Parallel()
			p, err := program.LoadFile(elf)
			if err != nil {
				t.Fatal(err)
			}
			newM := func() *executor.Machine {
				m, err := executor.New(p, executor.Config{
					Args: []string{"prog", "a1"}, Env: []string{"K=V"},
					Stdin:  bytes.NewReader([]byte("some input\nfor stdin\n")),
					Inputs: [][]byte{{25, 0, 0, 0}},
				})
				if err != nil {
					t.Fatal(err)
				}
				return m
			}
			checkLogs(t, newM(), newM(), 7919)
		})
	}
}

// checkLogs traces m1 and records m2 in shards of budget cycles and
// compares shard by shard.
func checkLogs(t *testing.T, m1, m2 *executor.Machine, budget uint64) {
	t.Helper()
	recs, init1, fin1 := traceAll(t, m1, budget)
	var rec executor.Recorder
	b, l := events.NewLogBuilder(), events.NewLinker()
	n := uint32(1)
	for ; !events.Done(m2); n++ {
		lg, err := events.RecordShard(m2, &rec, b, n, budget, ^uint64(0))
		if err != nil {
			t.Fatal(err)
		}
		if lg == nil {
			break
		}
		if err := l.LinkLog(lg); err != nil {
			t.Fatal(err)
		}
		if int(n) > len(recs) {
			t.Fatalf("%d shards traced, more recorded", len(recs))
		}
		want := recs[n-1]
		got, err := events.Expand(lg)
		if err != nil {
			t.Fatalf("shard %d: %v", n, err)
		}
		if f := testutil.DifferingField(got, want); f != "" {
			t.Fatalf("shard %d: %s differs from the tracer's", n, f)
		}
		if !reflect.DeepEqual(lg.Rows, events.RowCounts(want)) {
			t.Fatalf("shard %d: log row counts %v, record %v", n, lg.Rows, events.RowCounts(want))
		}
	}
	if int(n-1) != len(recs) {
		t.Fatalf("%d shards traced, %d recorded", len(recs), n-1)
	}
	if (m1.Err() == nil) != (m2.Err() == nil) || m1.Step() != m2.Step() || m1.ExitCode() != m2.ExitCode() {
		t.Fatalf("runs differ: %v/%v, %d/%d steps", m1.Err(), m2.Err(), m1.Step(), m2.Step())
	}
	init2, fin2 := l.Memory(m2)
	if !reflect.DeepEqual(init1, init2) || !reflect.DeepEqual(fin1, fin2) {
		t.Fatalf("init/finalize rows differ")
	}
}
