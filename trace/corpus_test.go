package trace_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/events"
	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
	"github.com/zkmips/zkmips/trace"
)

// TestCorpusTracesCheck traces every committed corpus and example program
// (but the long benchmarks) in small shards and checks the records with
// the independent checker, against the program image.
func TestCorpusTracesCheck(t *testing.T) {
	elfs, _ := filepath.Glob("../testdata/guests/bin/*.mips*")
	ex, _ := filepath.Glob("../examples/bin/*.mips*")
	elfs = append(elfs, ex...)
	if len(elfs) < 50 {
		t.Fatalf("found only %d programs", len(elfs))
	}
	for _, elf := range elfs {
		if strings.Contains(elf, "cbench") {
			continue // hundreds of millions of steps: a benchmark, not a test
		}
		t.Run(filepath.Base(elf), func(t *testing.T) {
			t.Parallel()
			p, err := program.LoadFile(elf)
			if err != nil {
				t.Fatal(err)
			}
			m, err := executor.New(p, executor.Config{
				Args: []string{"prog", "a1"}, Env: []string{"K=V"},
				Stdin:  bytes.NewReader([]byte("some input\nfor stdin\n")),
				Inputs: [][]byte{{25, 0, 0, 0}},
			})
			if err != nil {
				t.Fatal(err)
			}
			c := trace.NewChecker(p)
			for _, pw := range m.PatchedWords() {
				c.Patch(pw.Addr, pw.Word)
			}
			tr, l := events.NewTracer(), events.NewLinker()
			var recs []*events.Record
			for n := uint32(1); !events.Done(m); n++ {
				r := tr.Trace(m, n, 20000, ^uint64(0))
				if err := l.Link(r); err != nil {
					t.Fatal(err)
				}
				recs = append(recs, r)
			}
			if m.Err() != nil {
				t.Fatalf("run: %v", m.Err())
			}
			init, fin := l.Memory(m)
			c.Init(init)
			for _, r := range recs {
				if err := c.Shard(r); err != nil {
					t.Fatal(err)
				}
			}
			if err := c.Finish(fin); err != nil {
				t.Fatal(err)
			}
		})
	}
}
