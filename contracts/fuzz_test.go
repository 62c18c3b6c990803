package contracts_test

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/zkmips/zkmips/contracts"
	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/asm"
	"github.com/zkmips/zkmips/witness"
)

// randomWord returns an instruction word: sometimes fully random (mostly
// reserved encodings, which must fault the same way), usually a random
// instance of a defined opcode with random fields.
func randomWord(r *rand.Rand) uint32 {
	f := func() uint32 { return r.Uint32() & 0x03ffffff }
	switch r.IntN(8) {
	case 0:
		return r.Uint32()
	case 1, 2: // SPECIAL with a defined function
		fns := []uint32{0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 24, 25, 26, 27, 32, 33, 34, 35, 36, 37, 38, 39, 42, 43, 48, 49, 50, 51, 52, 54}
		return f()&^0x3f | fns[r.IntN(len(fns))]
	case 3: // REGIMM
		rts := []uint32{0, 1, 2, 3, 8, 9, 10, 11, 12, 14, 16, 17, 18, 19, 31}
		return 1<<26 | f()&^(31<<16) | rts[r.IntN(len(rts))]<<16
	case 4: // SPECIAL2 / SPECIAL3
		if r.IntN(2) == 0 {
			fns := []uint32{0, 1, 2, 4, 5, 32, 33}
			return 0x1c<<26 | f()&^0x3f | fns[r.IntN(len(fns))]
		}
		fns := []uint32{0, 4, 32, 59}
		w := 0x1f<<26 | f()&^0x3f | fns[r.IntN(len(fns))]
		if w&0x3f == 32 { // BSHFL: seb, seh, wsbh
			w = w&^(31<<6) | []uint32{2, 16, 24}[r.IntN(3)]<<6
		}
		return w
	default: // I-type and jumps, loads and stores
		ops := []uint32{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 32, 33, 34, 35, 36, 37, 38, 40, 41, 42, 43, 46, 48, 51, 56}
		return ops[r.IntN(len(ops))]<<26 | f()
	}
}

// TestFuzzStates runs single steps from random states (random registers,
// some pointing into random data, HI/LO, delay slots, steps) with random
// instruction words, both byte orders: the contract's post state must be
// the executor's, or both must refuse the step.
func TestFuzzStates(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	for _, be := range []bool{true, false} {
		b := asm.New(be)
		b.Word(0)
		p, err := b.Program()
		if err != nil {
			t.Fatal(err)
		}
		vm, err := contracts.NewVM(be)
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, map[bool]uint64{true: 1, false: 2}[be]))
		var checked, refused int
		for i := 0; i < n; i++ {
			const code, data = 0x00400000, 0x10000000
			pc := code + 4*uint32(r.IntN(1024))
			st := executor.State{PC: pc, NextPC: pc + 4, HI: r.Uint32(), LO: r.Uint32(), Heap: 0x20000000, Step: r.Uint64N(1 << 40)}
			if r.IntN(8) == 0 {
				st.NextPC = r.Uint32() &^ 3 // in a delay slot
			}
			for k := 1; k < 32; k++ {
				switch r.IntN(4) {
				case 0:
					st.Regs[k] = data + uint32(r.IntN(8192)) // a pointer into the data
				case 1:
					st.Regs[k] = uint32(r.IntN(64)) - 32
				default:
					st.Regs[k] = r.Uint32()
				}
			}
			codePage := new([1024]uint32)
			for k := range codePage {
				codePage[k] = randomWord(r)
			}
			pages := map[uint32]*[1024]uint32{code: codePage}
			for _, a := range []uint32{data, data + 4096} {
				pg := new([1024]uint32)
				for k := range pg {
					pg[k] = r.Uint32()
				}
				pages[a] = pg
			}
			m, err := executor.Restore(p, executor.Config{NoGoPatches: true}, st, pages)
			if err != nil {
				t.Fatal(err)
			}
			in := m.InstAt(pc)
			w, err := witness.Prove(m, witness.NewTree())
			if errors.Is(err, witness.ErrUnprovable) {
				refused++
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			post, _, err := vm.Step(w.State[:], w.Proofs, [32]byte{})
			if err != nil {
				t.Fatalf("be=%v case %d: %s (0x%08x) at 0x%08x, next 0x%08x: contract reverted: %v", be, i, in, in.Word, pc, st.NextPC, err)
			}
			if post != w.Post {
				got := m.State()
				t.Fatalf("be=%v case %d: %s (0x%08x) at 0x%08x, next 0x%08x: contract post %x, executor %x (executor post state %+v)", be, i, in, in.Word, pc, st.NextPC, post, w.Post, got)
			}
			checked++
		}
		t.Logf("big-endian=%v: %d random steps agree, %d refused by the executor (out of scope or executor errors)", be, checked, refused)
		if checked < n/2 {
			t.Fatalf("only %d of %d random steps were provable", checked, n)
		}
	}
}
