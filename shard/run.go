package shard

import (
	"fmt"
	"sync"
	"time"

	"github.com/zkmips/zkmips/events"
	"github.com/zkmips/zkmips/executor"
)

// DefaultShardSize is the default shard budget in cycles. A shard's log is
// about 20 bytes per cycle in memory while it is built (the record mode's
// buffers, then the log's tables), so Execute holds a few hundred MB with
// two jobs, and a prover gets shards of a size its peers use (2^19 to
// 2^22 cycles).
const DefaultShardSize = 1 << 21

// Options controls Execute.
type Options struct {
	// ShardSize is the cycle budget of a shard (DefaultShardSize if 0). A
	// shard ends at the first step boundary at or past it that is not a
	// delay slot.
	ShardSize uint64
	// Jobs is how many shards are built, and how many encoded and
	// compressed, at once (1 if 0); the machine itself runs on one more
	// goroutine. The files are the same whatever Jobs is.
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
	Rows    map[string]uint64 // per table of the expanded records, all shards
	Elapsed time.Duration
}

// Execute runs m to the end in record mode, cutting the run into shards of
// opts.ShardSize cycles, builds each shard's log (opts.Jobs at once),
// links the logs in order and writes each with w as soon as it is linked,
// then writes the run's memory init/finalize rows. Memory stays bounded:
// at most 2*Jobs+2 shards are in flight (recorded, being built, waiting
// to be linked, being written) however long the run. m's guest output
// goes where m's Config sends it, once.
//
// The machine's outcome (exit, fault, executor error, step limit) is for
// the caller to inspect afterwards; Execute fails only when building or
// writing does.
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
	p := &pipeline{w: w, opts: opts, sum: &Summary{Rows: map[string]uint64{}}}

	// Recorders and logs circulate: a recorder goes from the machine to a
	// builder, which swaps its buffers with a spare log's and hands it
	// back; the log goes to the linker, a writer, and back to the spares.
	recorders := make(chan *executor.Recorder, jobs+1)
	for range jobs + 1 {
		recorders <- new(executor.Recorder)
	}
	// A token per shard in flight, from recording to written, and as many
	// logs, which circulate: their buffers, once grown, serve every shard.
	p.inflight = make(chan struct{}, 2*jobs+2)
	p.spare = make(chan *events.Log, cap(p.inflight))
	for range cap(p.spare) {
		p.spare <- new(events.Log)
	}
	builds := make(chan buildJob)
	built := make(chan *events.Log)
	p.writeq = make(chan *events.Log)

	var builders sync.WaitGroup
	for range jobs {
		builders.Go(func() {
			b := events.NewLogBuilder()
			for j := range builds {
				b.Recycle(<-p.spare)
				l, err := b.Build(j.n, &j.start, j.rec, &j.end)
				recorders <- j.rec
				if err != nil {
					p.fail(fmt.Errorf("shard %d: %w", j.n, err))
					p.spare <- new(events.Log)
					<-p.inflight
					continue
				}
				built <- l
			}
		})
	}
	go func() {
		builders.Wait()
		close(built)
	}()
	var writers sync.WaitGroup
	for range jobs {
		writers.Go(p.write)
	}

	// The machine runs here; the linker on its own goroutine.
	linker := events.NewLinker()
	linked := make(chan struct{})
	go func() {
		defer close(linked)
		defer close(p.writeq)
		pending := map[uint32]*events.Log{}
		next := uint32(1)
		for l := range built {
			pending[l.Shard] = l
			for pending[next] != nil {
				l := pending[next]
				delete(pending, next)
				next++
				if err := linker.LinkLog(l); err != nil {
					p.fail(err)
					p.spare <- l
					<-p.inflight
					continue
				}
				p.writeq <- l
			}
		}
	}()
	for n := uint32(1); !events.Done(m) && m.Step() < limit && !p.failed(); n++ {
		p.inflight <- struct{}{}
		rec := <-recorders
		s := events.StartOf(m)
		events.RecordSteps(m, rec, size, limit)
		if rec.Steps == 0 {
			recorders <- rec
			<-p.inflight
			break
		}
		builds <- buildJob{n: n, start: s, rec: rec, end: events.EndOf(m)}
	}
	close(builds)
	<-linked
	writers.Wait()
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

// buildJob is a recorded shard waiting for its log to be built.
type buildJob struct {
	n     uint32
	start events.Start
	rec   *executor.Recorder
	end   events.End
}

// pipeline is the state shared by Execute's goroutines.
type pipeline struct {
	w        *Writer
	opts     Options
	writeq   chan *events.Log // linked logs, in shard order
	spare    chan *events.Log // written logs, for reuse
	inflight chan struct{}

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

// write encodes, compresses and writes logs until writeq closes.
func (p *pipeline) write() {
	for l := range p.writeq {
		info, err := p.w.WriteShard(l)
		if err != nil {
			p.fail(fmt.Errorf("shard %d: %w", l.Shard, err))
		} else {
			p.done(info)
		}
		p.spare <- l
		<-p.inflight
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
