package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/spf13/pflag"
	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/witness"
)

// pointOptions are run's Cannon-style step schedules: each is checked
// before the step executes.
type pointOptions struct {
	proofAt, snapshotAt, stopAt, infoAt string
	proofsDir                           string
	proof, snapshot, stop, info         stepPoint
}

func (o *pointOptions) addFlags(f *pflag.FlagSet) {
	const sched = "never, always, =N (before step N) or %N (before every N-th step)"
	f.StringVar(&o.proofAt, "proof-at", "never", "write the step proof (JSON, as prove-step) of the steps `WHEN` selects: "+sched)
	f.StringVar(&o.snapshotAt, "snapshot-at", "never", "write a snapshot before the steps `WHEN` selects (the guest's stdin is then --stdin FILE or empty)")
	f.StringVar(&o.stopAt, "stop-at", "never", "stop before the first step `WHEN` selects")
	f.StringVar(&o.infoAt, "info-at", "never", "print progress (step, pc, instruction, speed) before the steps `WHEN` selects")
	f.StringVar(&o.proofsDir, "proofs-dir", "proofs", "write proofs (STEP.json) and snapshots (STEP.snap) to `DIR`")
}

// parse checks the schedules; it reports whether any is set.
func (o *pointOptions) parse() (bool, error) {
	var err error
	for _, p := range []struct {
		name string
		s    string
		dst  *stepPoint
	}{{"proof-at", o.proofAt, &o.proof}, {"snapshot-at", o.snapshotAt, &o.snapshot}, {"stop-at", o.stopAt, &o.stop}, {"info-at", o.infoAt, &o.info}} {
		if *p.dst, err = parseStepPoint(p.name, p.s); err != nil {
			return false, err
		}
	}
	return o.proof.kind|o.snapshot.kind|o.stop.kind|o.info.kind != 0, nil
}

// errStopAt marks a run that --stop-at ended before the guest exited.
var errStopAt = errors.New("stopped by --stop-at")

// runScheduled runs m to its end (or --max-steps, or --stop-at), acting
// before each step the schedules select. Between selected steps the
// machine runs in fast mode; a proof executes its step itself.
func (c *cli) runScheduled(m *executor.Machine, tree *witness.Tree, o *pointOptions, maxSteps uint64) error {
	if o.proof.kind != 0 || o.snapshot.kind != 0 {
		if err := os.MkdirAll(o.proofsDir, 0o755); err != nil {
			return fmt.Errorf("--proofs-dir: %w", err)
		}
	}
	limit := ^uint64(0)
	if maxSteps != 0 {
		limit = maxSteps
	}
	// Files are written by a pool of goroutines so that proving the next
	// step overlaps the file system work of the previous ones.
	out := newFileWriter()
	defer out.close()
	var skipped uint64
	start, startStep := time.Now(), m.Step()
	for !m.Exited() && m.Err() == nil && m.Step() < limit {
		step := m.Step()
		if o.info.matches(step) {
			c.info(m, start, startStep)
		}
		if o.snapshot.matches(step) {
			b, err := m.MarshalSnapshot()
			if err == nil {
				// The page roots ride along, for fast proofs from the file.
				b, err = encodeSnapshotFile(b, tree.PageRoots(m))
			}
			if err != nil {
				return fmt.Errorf("--snapshot-at: step %d: %w", step, err)
			}
			if err := out.write(filepath.Join(o.proofsDir, strconv.FormatUint(step, 10)+".snap"), b); err != nil {
				return fmt.Errorf("--snapshot-at: %w", err)
			}
		}
		// Stop after the snapshot of the same step, before its proof
		// (which would execute it).
		if o.stop.matches(step) {
			if err := out.close(); err != nil {
				return fmt.Errorf("--proofs-dir: %w", err)
			}
			return errStopAt
		}
		if o.proof.matches(step) {
			w, err := witness.Prove(m, tree)
			if errors.Is(err, witness.ErrUnprovable) && m.Step() == step && m.Err() == nil && !m.Exited() {
				// Out of the contract's scope: say so once, then go on.
				if skipped == 0 {
					fmt.Fprintf(c.stderr, "zkmips: --proof-at: no proof for step %d: %v\n", step, err)
				}
				skipped++
				m.RunUntil(step + 1)
				continue
			}
			if err != nil {
				return fmt.Errorf("--proof-at: step %d: %w", step, err)
			}
			b := append(w.AppendJSON(make([]byte, 0, 4608)), '\n')
			if err := out.write(filepath.Join(o.proofsDir, strconv.FormatUint(step, 10)+".json"), b); err != nil {
				return fmt.Errorf("--proof-at: %w", err)
			}
			continue // Prove executed the step
		}
		next := limit
		for _, p := range []stepPoint{o.info, o.stop, o.snapshot, o.proof} {
			if n, ok := p.next(step + 1); ok && n < next {
				next = n
			}
		}
		m.RunUntil(next)
	}
	if err := out.close(); err != nil {
		return fmt.Errorf("--proof-at: %w", err)
	}
	if skipped > 0 {
		fmt.Fprintf(c.stderr, "zkmips: --proof-at: %d steps had no proof (outside the contract's scope, docs/fault-proofs.md)\n", skipped)
	}
	if !m.Exited() && m.Err() == nil && m.Step() >= limit && maxSteps != 0 {
		return fmt.Errorf("%w: %d steps (--max-steps) without exiting", executor.ErrStepLimit, limit)
	}
	return nil
}

// info prints one progress line, as Cannon's --info-at.
func (c *cli) info(m *executor.Machine, start time.Time, startStep uint64) {
	el := time.Since(start).Seconds()
	ips := 0.0
	if el > 0 {
		ips = float64(m.Step()-startStep) / el
	}
	pc := m.PC()
	insn := "?"
	if pc&3 == 0 && pc >= executor.NullLimit {
		insn = m.InstAt(pc).String()
	}
	fmt.Fprintf(c.stderr, "zkmips: step %d pc 0x%08x insn %s ips %.0f pages %d\n",
		m.Step(), pc, insn, ips, m.Memory().AllocatedPages())
}

// addResumeFlag declares --from-snapshot (run, state, prove-step).
func (o *runOptions) addResumeFlag(f *pflag.FlagSet) {
	f.StringVar(&o.resume, "from-snapshot", "", "resume from the snapshot `FILE` (written by --snapshot-at) instead of starting the program")
}

// fileWriter writes files (writeFileFast) on background goroutines; the
// first error is reported by the next write or by close.
type fileWriter struct {
	jobs chan fileJob
	wg   sync.WaitGroup
	mu   sync.Mutex
	err  error
	done bool
}

type fileJob struct {
	path string
	data []byte
}

func newFileWriter() *fileWriter {
	f := &fileWriter{jobs: make(chan fileJob, 256)}
	for range 4 {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			for j := range f.jobs {
				if err := writeFileFast(j.path, j.data); err != nil {
					f.mu.Lock()
					if f.err == nil {
						f.err = err
					}
					f.mu.Unlock()
				}
			}
		}()
	}
	return f
}

func (f *fileWriter) write(path string, data []byte) error {
	f.mu.Lock()
	err := f.err
	f.mu.Unlock()
	if err != nil {
		return err
	}
	f.jobs <- fileJob{path, data}
	return nil
}

// close waits for the pending files and returns the first error.
func (f *fileWriter) close() error {
	if !f.done {
		f.done = true
		close(f.jobs)
		f.wg.Wait()
	}
	return f.err
}
