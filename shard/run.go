package shard

import (
	"fmt"
	"sync"
	"time"

	"github.com/zkmips/zkmips/events"
	"github.com/zkmips/zkmips/executor"
)

// DefaultShardSize is the default shard budget in cycles. A shard of 2^21
// cycles holds about 0.3 GB of rows (mostly memory-checking rows) and packs
// to about 15 MB; measured on a 2-core, 24 GiB machine, execute then peaks
// around 3.5 GB with one job and 5 GB with two, as fast as with larger
// shards (bench/execute), leaving room for the rest of the machine.
const DefaultShardSize = 1 << 21

// Options controls Execute.
type Options struct {
	// ShardSize is the cycle budget of a shard (DefaultShardSize if 0). A
	// shard ends at the first step boundary at or past it that is not a
	// delay slot.
	ShardSize uint64
	// Jobs is how many shards are traced, and how many encoded and
	// compressed, at once (1 if 0). With more than one job a fast pass
	// checkpoints the machine at every shard start and the shards are
	// traced from the checkpoints in parallel; the files are the same
	// whatever Jobs is.
	Jobs int
	// MaxSteps stops the run after that many steps (0: no limit); the
	// caller sees !m.Exited() afterwards.
	MaxSteps uint64
	// Progress, if set, is called after every shard written.
	Progress func(Progress)
}

// Progress reports how far Execute has come.
type Progress struct {
	Shards int
	Steps  uint64
	Cycles uint64
	Bytes  int64
}

// Summary describes a finished Execute.
type Summary struct {
	Steps   uint64
	Cycles  uint64
	Shards  int
	Bytes   int64
	Rows    map[string]uint64 // per table, all shards
	Elapsed time.Duration
}

// Execute runs m to the end, cutting the run into shards of opts.ShardSize
// cycles, traces them (in parallel from checkpoints when opts.Jobs > 1),
// links them in order and writes each with w as soon as it is linked, then
// writes the run's memory init/finalize rows. Memory stays bounded by
// about two shards per job (one being traced, one being written) however
// long the run. m's guest output goes where m's
// Config sends it, once; its stdin must be a *bytes.Reader (or none) when
// Jobs > 1.
//
// The machine's outcome (exit, fault, executor error, step limit) is for
// the caller to inspect afterwards; Execute fails only when writing does.
func Execute(m *executor.Machine, w *Writer, opts Options) (*Summary, error) {
	size := opts.ShardSize
	if size == 0 {
		size = DefaultShardSize
	}
	if size > 1<<26 {
		return nil, fmt.Errorf("shard size %d cycles is too large: the shard-local clock (%d per cycle) must stay below 2^31", size, events.ClkPerCycle)
	}
	limit := opts.MaxSteps
	if limit == 0 {
		limit = ^uint64(0)
	}
	jobs := max(opts.Jobs, 1)
	start := time.Now()
	p := &pipeline{w: w, opts: opts, sum: &Summary{Rows: map[string]uint64{}}, writeq: make(chan *events.Record)}
	// One spare record is enough for reuse; more would only hold memory.
	p.spare = make(chan *events.Record, 1)
	for range jobs {
		p.writers.Go(p.write)
	}

	linker := events.NewLinker()
	if jobs == 1 {
		tr := events.NewTracer()
		for n := uint32(1); !events.Done(m) && m.Step() < limit && !p.failed(); n++ {
			p.recycle(tr)
			r := tr.Trace(m, n, size, limit)
			if err := linker.Link(r); err != nil {
				p.fail(err)
				break
			}
			p.writeq <- r
		}
	} else if err := p.parallel(m, linker, jobs, size, limit); err != nil {
		p.fail(err)
	}
	close(p.writeq)
	p.writers.Wait()
	if p.err != nil {
		return nil, p.err
	}
	init, fin := linker.Memory(m)
	if err := w.WriteMemory(init, fin); err != nil {
		return nil, fmt.Errorf("memory rows: %w", err)
	}
	p.sum.Rows["memory_init"], p.sum.Rows["memory_finalize"] = uint64(len(init)), uint64(len(fin))
	p.sum.Elapsed = time.Since(start)
	return p.sum, nil
}

// pipeline is the state shared by Execute's goroutines.
type pipeline struct {
	w       *Writer
	opts    Options
	writeq  chan *events.Record // linked records, in shard order
	spare   chan *events.Record // written records, for reuse
	writers sync.WaitGroup

	mu  sync.Mutex
	err error
	sum *Summary
}

func (p *pipeline) fail(err error) {
	p.mu.Lock()
	if p.err == nil {
		p.err = err
	}
	p.mu.Unlock()
}

func (p *pipeline) failed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err != nil
}

// recycle hands the tracer a written record's tables, if one is free.
func (p *pipeline) recycle(tr *events.Tracer) {
	select {
	case r := <-p.spare:
		tr.Recycle(r)
	default:
	}
}

// write encodes, compresses and writes records until writeq closes.
func (p *pipeline) write() {
	for r := range p.writeq {
		info, err := p.w.WriteShard(r)
		if err != nil {
			p.fail(fmt.Errorf("shard %d: %w", r.Shard, err))
		} else {
			p.done(info)
		}
		select {
		case p.spare <- r:
		default:
		}
	}
}

// done accounts for a written shard and reports progress.
func (p *pipeline) done(info ShardInfo) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sum
	s.Shards++
	s.Steps += info.Steps
	s.Cycles += info.Cycles
	s.Bytes += info.Bytes
	for name, rows := range info.Rows {
		s.Rows[name] += rows
	}
	if p.opts.Progress != nil {
		p.opts.Progress(Progress{Shards: s.Shards, Steps: s.Steps, Cycles: s.Cycles, Bytes: s.Bytes})
	}
}

// parallel runs the fast pass on m, checkpointing every shard start, traces
// the checkpoints on jobs goroutines, and links and queues the records in
// order. At most jobs checkpoints and about 2*jobs+1 records (being
// traced, waiting to be linked, being written) exist at once.
func (p *pipeline) parallel(m *executor.Machine, linker *events.Linker, jobs int, size, limit uint64) error {
	type task struct {
		n  uint32
		cp *executor.Machine
	}
	tasks := make(chan task)
	results := make(chan *events.Record)
	var cpErr error
	go func() { // the fast pass
		defer close(tasks)
		for n := uint32(1); !events.Done(m) && m.Step() < limit && !p.failed(); n++ {
			cp, err := m.Clone(nil, nil)
			if err != nil {
				cpErr = err
				return
			}
			tasks <- task{n, cp}
			events.Advance(m, size, limit)
		}
	}()
	var tracers sync.WaitGroup
	for range jobs {
		tracers.Go(func() {
			tr := events.NewTracer()
			for t := range tasks {
				p.recycle(tr)
				results <- tr.Trace(t.cp, t.n, size, limit)
			}
		})
	}
	go func() {
		tracers.Wait()
		close(results)
	}()

	pending := map[uint32]*events.Record{}
	next := uint32(1)
	var err error
	for r := range results {
		pending[r.Shard] = r
		for pending[next] != nil && err == nil {
			r := pending[next]
			delete(pending, next)
			if err = linker.Link(r); err == nil {
				p.writeq <- r
			}
			next++
		}
	}
	if err == nil {
		err = cpErr
	}
	return err
}
