package events

import (
	"fmt"
	"sort"

	"github.com/zkmips/zkmips/executor"
)

// last is where an address was last accessed.
type last struct{ shard, clk uint32 }

type linkPage [1024]last

// Linker connects shards traced separately into one memory-checking
// argument: fed every shard in order, it sets the predecessor of each
// shard's first access to every address (the last access in an earlier
// shard, or (0, 0) and the initial value), and collects the run's initial
// and final rows.
type Linker struct {
	state [StateLimit / 4]last
	pages []*linkPage
	init  []Init
	next  uint32 // the shard expected next
}

// NewLinker returns a linker expecting shard 1.
func NewLinker() *Linker { return &Linker{pages: make([]*linkPage, 1<<20), next: 1} }

func (l *Linker) at(a uint32) *last {
	if a < StateLimit {
		return &l.state[a>>2]
	}
	p := l.pages[a>>12]
	if p == nil {
		p = new(linkPage)
		l.pages[a>>12] = p
	}
	return &p[a>>2&1023]
}

// Link completes r, which must be the next shard in order.
func (l *Linker) Link(r *Record) error {
	if r.Shard != l.next {
		return fmt.Errorf("linker: got shard %d, expected %d", r.Shard, l.next)
	}
	if r.linked {
		return fmt.Errorf("linker: shard %d is already linked", r.Shard)
	}
	l.next++
	for i := range r.Local {
		loc := &r.Local[i]
		p := l.at(loc.Addr)
		if p.shard == 0 {
			l.init = append(l.init, Init{Addr: loc.Addr, Value: loc.InitValue})
		}
		loc.InitShard, loc.InitClk = p.shard, p.clk
		acc := &r.Memory[r.first[i]]
		acc.PrevShard, acc.PrevClk = p.shard, p.clk
		p.shard, p.clk = r.Shard, loc.FinalClk
	}
	r.linked = true
	return nil
}

// LinkLog completes l's Local table, as Link does for a Record; l must be
// the next shard in order.
func (l *Linker) LinkLog(lg *Log) error {
	if lg.Shard != l.next {
		return fmt.Errorf("linker: got shard %d, expected %d", lg.Shard, l.next)
	}
	l.next++
	for i := range lg.Local {
		loc := &lg.Local[i]
		p := l.at(loc.Addr)
		if p.shard == 0 {
			l.init = append(l.init, Init{Addr: loc.Addr, Value: loc.InitValue})
		}
		loc.InitShard, loc.InitClk = p.shard, p.clk
		p.shard, p.clk = lg.Shard, loc.FinalClk
	}
	return nil
}

// Memory returns the run's initial and final rows, one per address touched,
// sorted by address; final values come from m, the machine at the end of
// the run.
func (l *Linker) Memory(m *executor.Machine) ([]Init, []Finalize) {
	init := append([]Init(nil), l.init...)
	sort.Slice(init, func(i, j int) bool { return init[i].Addr < init[j].Addr })
	fin := make([]Finalize, len(init))
	for i, in := range init {
		p := l.at(in.Addr)
		fin[i] = Finalize{Addr: in.Addr, Value: Value(m, in.Addr), Shard: p.shard, Clk: p.clk}
	}
	return init, fin
}
