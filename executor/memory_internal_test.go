package executor

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMemoryPageOrder checks that walks over the allocated pages see them
// in address order however they were allocated (the page list is sorted
// lazily), that clone copies every page, and that a clone and its
// original no longer share words.
func TestMemoryPageOrder(t *testing.T) {
	m := newMemory()
	r := rand.New(rand.NewPCG(1, 2))
	want := map[uint32]uint32{}
	for i := range 3000 {
		a := r.Uint32() &^ 3
		if i%3 == 0 {
			a = uint32(i) << pageShift // some ascending runs too
		}
		v := r.Uint32() | 1
		m.store(a, v)
		want[a] = v
		if i%500 == 0 {
			checkOrder(t, m, want)
		}
	}
	checkOrder(t, m, want)
	c := m.clone()
	checkOrder(t, c, want)
	for a := range want {
		c.store(a, 0)
		break
	}
	checkOrder(t, m, want)
}

func checkOrder(t *testing.T, m *Memory, want map[uint32]uint32) {
	t.Helper()
	pages := map[uint32]bool{}
	for a := range want {
		pages[a>>pageShift<<pageShift] = true
	}
	var got []uint32
	m.ForEachPage(func(base uint32, words *[pageWords]uint32) {
		got = append(got, base)
	})
	if !slices.IsSorted(got) || len(got) != len(pages) || m.AllocatedPages() != len(pages) {
		t.Fatalf("ForEachPage: %d pages (sorted: %v), AllocatedPages %d, want %d in order", len(got), slices.IsSorted(got), m.AllocatedPages(), len(pages))
	}
	for a, v := range want {
		if got := m.load(a); got != v {
			t.Fatalf("word 0x%08x = 0x%x, want 0x%x", a, got, v)
		}
	}
}
