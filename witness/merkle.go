package witness

import (
	"encoding/binary"
	"runtime"
	"sync"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/zkmips/zkmips/executor"
)

// The memory Merkle tree (docs/fault-proofs.md): a binary keccak256 tree
// over the whole 2^32-byte address space whose 2^27 leaves are the raw
// 32-byte memory chunks in address order.
const (
	// TreeDepth is the number of levels above the leaves.
	TreeDepth = 27
	// LeafSize is the bytes per leaf.
	LeafSize = 32
	// ProofSize is the bytes of one memory proof: the leaf, then the
	// TreeDepth siblings from the bottom up.
	ProofSize = (TreeDepth + 1) * 32

	pageShift  = 12
	pageDepth  = pageShift - 5 // a 4 KiB page is a subtree of this height
	upperDepth = TreeDepth - pageDepth
	pageLeaves = 1 << pageDepth
	numPages   = 1 << (32 - pageShift)
)

// zeroHashes[h] is the root of an all-zero subtree of height h: 32 zero
// bytes for a leaf, then keccak256(zero[h-1] || zero[h-1]).
var zeroHashes = func() (z [TreeDepth + 1][32]byte) {
	h := newHasher()
	for i := 1; i <= TreeDepth; i++ {
		z[i] = h.hash2(&z[i-1], &z[i-1])
	}
	return z
}()

// ZeroHash returns the root of an all-zero subtree of height h (0..27):
// ZeroHash(7) is an empty page, ZeroHash(27) empty memory.
func ZeroHash(h int) [32]byte { return zeroHashes[h] }

// hasher computes keccak256 with one reused state: no allocations.
type hasher struct {
	st  crypto.KeccakState
	buf [64]byte
	n   uint64 // hashes computed
}

func newHasher() *hasher { return &hasher{st: crypto.NewKeccakState()} }

// sum hashes h.buf[:n].
func (h *hasher) sum(n int) (out [32]byte) {
	h.st.Reset()
	h.st.Write(h.buf[:n])
	h.st.Read(out[:])
	h.n++
	return out
}

func (h *hasher) hash2(l, r *[32]byte) [32]byte {
	copy(h.buf[:32], l[:])
	copy(h.buf[32:], r[:])
	return h.sum(64)
}

// node hashes two children of height ht-1, short-cutting all-zero subtrees.
func (h *hasher) node(l, r *[32]byte, ht int) [32]byte {
	if *l == zeroHashes[ht-1] && *r == zeroHashes[ht-1] {
		return zeroHashes[ht]
	}
	return h.hash2(l, r)
}

// Keccak256 returns the keccak256 hash of b (Ethereum's, not FIPS SHA-3).
func Keccak256(b ...[]byte) (out [32]byte) {
	st := crypto.NewKeccakState()
	for _, x := range b {
		st.Write(x)
	}
	st.Read(out[:])
	return out
}

// pageNodes is one page's subtree in heap order: [1] is the page root,
// [2i] and [2i+1] are the children of [i], and [128..255] the leaves.
type pageNodes [2 * pageLeaves][32]byte

// chunk writes the leaf of 8 words as memory bytes in guest byte order.
func chunk(dst *[32]byte, w []uint32, bigEndian bool) {
	for i, v := range w[:8] {
		if bigEndian {
			binary.BigEndian.PutUint32(dst[4*i:], v)
		} else {
			binary.LittleEndian.PutUint32(dst[4*i:], v)
		}
	}
}

// hashPage fills n with the subtree of the page words and returns its root.
func (h *hasher) hashPage(n *pageNodes, words *[1024]uint32, bigEndian bool) [32]byte {
	for i := range pageLeaves {
		chunk(&n[pageLeaves+i], words[8*i:], bigEndian)
	}
	for i := pageLeaves - 1; i >= 1; i-- {
		// Node i sits at height pageDepth - floor(log2 i).
		ht := pageDepth
		for j := i; j > 1; j >>= 1 {
			ht--
		}
		n[i] = h.node(&n[2*i], &n[2*i+1], ht)
	}
	return n[1]
}

// maxCachedPages bounds the page subtrees kept for proofs (8 KiB each).
const maxCachedPages = 256

// Tree computes the memory Merkle root of a machine incrementally.
//
// It caches the root of every non-empty page (the page is a height-7
// subtree) and the non-empty nodes of the 20 levels above, in maps, so the
// cache grows with the memory in use, not with the address space. Root
// re-hashes only the pages written since the previous call, then the paths
// from those pages to the root: at most 127 hashes per page (fewer where
// it holds zeros) plus at most 20 per page above, shared between pages.
//
// Finding the written pages costs a check of each allocated page's dirty
// bit (Machine.TakeDirtyPage) while no page has been allocated since the
// previous call, otherwise one pass over the allocated pages
// (Machine.DirtyPages).
// The first call, or a call after the machine's memory was replaced
// wholesale (EXIT_UNCONSTRAINED) or with another machine, hashes every
// page.
//
// A machine's dirty bits have one consumer: keep one Tree per machine. A
// Tree is not safe for concurrent use.
type Tree struct {
	h     *hasher
	m     *executor.Machine
	mem   *executor.Memory
	be    bool
	valid bool
	// levels[0] maps page index -> page root; levels[k] maps the index of
	// a node of height pageDepth+k to its hash. Absent means all-zero.
	levels [upperDepth + 1]map[uint32][32]byte
	// known lists the allocated pages (indices, sorted) as of the last Root.
	known   []uint32
	changed []uint32
	pending []pendingPage
	scratch pageNodes
	// sys is the null page as last hashed: the machine's OS state
	// (executor.SystemPage), which the tree covers like memory.
	sys      [1024]uint32
	sysValid bool
	// nodes caches full page subtrees for proofs; Root keeps them current.
	nodes map[uint32]*pageNodes
	// seed holds page roots for the next rebuild (SeedPageRoots).
	seed map[uint32][32]byte
	// stats
	pagesHashed uint64
}

// NewTree returns an empty tree; its first Root hashes the whole memory.
func NewTree() *Tree { return &Tree{h: newHasher()} }

// Hashes returns how many keccak256 computations the tree has done.
func (t *Tree) Hashes() uint64 { return t.h.n }

// PagesHashed returns how many page subtrees the tree has (re)computed.
func (t *Tree) PagesHashed() uint64 { return t.pagesHashed }

// get returns the node of height pageDepth+k at index i.
func (t *Tree) get(k int, i uint32) [32]byte {
	if v, ok := t.levels[k][i]; ok {
		return v
	}
	return zeroHashes[pageDepth+k]
}

func (t *Tree) set(k int, i uint32, v [32]byte) {
	if v == zeroHashes[pageDepth+k] {
		delete(t.levels[k], i)
	} else {
		t.levels[k][i] = v
	}
}

// hashPageAt queues page pi (with its live words) for hashPages, which
// recomputes it, records its root and notes the page as changed.
func (t *Tree) hashPageAt(pi uint32, words *[1024]uint32) {
	t.pending = append(t.pending, pendingPage{pi, words})
}

// pendingPage is a page whose subtree hashPages recomputes.
type pendingPage struct {
	pi    uint32
	words *[1024]uint32
}

// parallelPages is the number of queued pages from which hashPages spreads
// the work over all cores: below it, starting goroutines costs more than
// the hashing they share (a page is about 127 hashes, 50 us).
const parallelPages = 64

// hashPages hashes the queued pages, in address order, into their cached
// subtrees (or scratch ones) and records their roots. Many pages (the
// first root of a large memory, a root after a long run) are hashed on
// all cores: the first proof from a snapshot is dominated by this.
func (t *Tree) hashPages() {
	jobs := t.pending
	t.pending = t.pending[:0]
	if len(jobs) == 0 {
		return
	}
	roots := make([][32]byte, len(jobs))
	workers := min(runtime.GOMAXPROCS(0), len(jobs)/parallelPages)
	if workers <= 1 {
		for i, j := range jobs {
			n := t.nodes[j.pi]
			if n == nil {
				n = &t.scratch
			}
			roots[i] = t.h.hashPage(n, j.words, t.be)
		}
	} else {
		// Each worker takes every workers-th page, with its own hasher and
		// scratch subtree; cached subtrees belong to one page each.
		var wg sync.WaitGroup
		hashes := make([]uint64, workers)
		for w := range workers {
			n := t.nodes // read-only while the workers run
			wg.Go(func() {
				h := newHasher()
				scratch := new(pageNodes)
				for i := w; i < len(jobs); i += workers {
					pn := n[jobs[i].pi]
					if pn == nil {
						pn = scratch
					}
					roots[i] = h.hashPage(pn, jobs[i].words, t.be)
				}
				hashes[w] = h.n
			})
		}
		wg.Wait()
		for _, n := range hashes {
			t.h.n += n
		}
	}
	for i, j := range jobs {
		t.set(0, j.pi, roots[i])
		t.changed = append(t.changed, j.pi)
	}
	t.pagesHashed += uint64(len(jobs))
}

// Root returns the Merkle root of m's memory, updating the tree for the
// pages written since the previous call.
func (t *Tree) Root(m *executor.Machine) [32]byte {
	t.changed = t.changed[:0]
	mem := m.Memory()
	switch {
	case !t.valid || t.m != m || t.mem != mem:
		t.rebuild(m)
	case mem.AllocatedPages() == len(t.known):
		for _, pi := range t.known {
			if w, ok := m.TakeDirtyPage(pi << pageShift); ok {
				t.hashPageAt(pi, w)
			}
		}
		t.hashPages()
	default:
		m.DirtyPages(func(a uint32, w *[1024]uint32) { t.hashPageAt(a>>pageShift, w) })
		t.hashPages()
		// New pages are dirty, so they are among the changed ones.
		merged := make([]uint32, 0, mem.AllocatedPages())
		i, j := 0, 0
		for i < len(t.known) || j < len(t.changed) {
			switch {
			case j == len(t.changed) || i < len(t.known) && t.known[i] < t.changed[j]:
				merged = append(merged, t.known[i])
				i++
			case i == len(t.known) || t.changed[j] < t.known[i]:
				merged = append(merged, t.changed[j])
				j++
			default:
				merged = append(merged, t.known[i])
				i, j = i+1, j+1
			}
		}
		t.known = merged
		if len(t.known) != mem.AllocatedPages() {
			t.rebuild(m) // cannot happen while the tree is the only consumer
		}
	}
	// The null page holds the OS state (executor.SystemPage); it is
	// compared, not tracked by dirty bits, and it sorts first.
	var sys [1024]uint32
	m.SystemPage(&sys)
	if !t.sysValid || sys != t.sys {
		t.sys, t.sysValid = sys, true
		n := t.nodes[0]
		if n == nil {
			n = &t.scratch
		}
		t.set(0, 0, t.h.hashPage(n, &t.sys, t.be))
		t.pagesHashed++
		t.changed = append(t.changed, 0)
		copy(t.changed[1:], t.changed)
		t.changed[0] = 0
	}
	// changed is in address order, so parents come sorted and duplicates
	// are adjacent.
	changed := t.changed
	for k := 1; k <= upperDepth && len(changed) > 0; k++ {
		parents := changed[:0]
		for _, i := range changed {
			if p := i >> 1; len(parents) == 0 || parents[len(parents)-1] != p {
				parents = append(parents, p)
			}
		}
		for _, p := range parents {
			l, r := t.get(k-1, 2*p), t.get(k-1, 2*p+1)
			t.set(k, p, t.h.node(&l, &r, pageDepth+k))
		}
		changed = parents
	}
	return t.get(upperDepth, 0)
}

// rebuild hashes every page of m from scratch, except pages not written
// since SeedPageRoots gave their roots.
func (t *Tree) rebuild(m *executor.Machine) {
	t.m, t.mem, t.be, t.valid, t.sysValid = m, m.Memory(), m.BigEndian(), true, false
	for k := range t.levels {
		t.levels[k] = map[uint32][32]byte{}
	}
	t.nodes = map[uint32]*pageNodes{}
	t.changed = t.changed[:0]
	// Every page is hashed below, except seeded ones not written since.
	seed := t.seed
	t.seed = nil
	m.DirtyPages(func(a uint32, _ *[1024]uint32) { delete(seed, a>>pageShift) })
	m.Memory().ForEachPage(func(a uint32, w *[1024]uint32) {
		if root, ok := seed[a>>pageShift]; ok {
			t.set(0, a>>pageShift, root)
			t.changed = append(t.changed, a>>pageShift)
		} else {
			t.hashPageAt(a>>pageShift, w)
		}
	})
	t.hashPages()
	t.known = append(t.known[:0], t.changed...)
}

// PageRoot is the Merkle root of the 4 KiB page at address Page.
type PageRoot struct {
	Page uint32
	Root [32]byte
}

// SeedPageRoots gives the tree page roots of m, as PageRoots returned
// them when the snapshot m was just restored from was taken: the first
// Root then hashes only the pages written since (the roots account for
// the rest, so m's dirty bits are cleared here), the pages without a root
// and the levels above, instead of all of memory. The tree takes the
// roots on trust: a wrong root yields proofs that do not verify.
func (t *Tree) SeedPageRoots(m *executor.Machine, roots []PageRoot) {
	t.valid = false
	t.seed = make(map[uint32][32]byte, len(roots))
	for _, r := range roots {
		t.seed[r.Page>>pageShift] = r.Root
	}
	m.DirtyPages(func(uint32, *[1024]uint32) {})
}

// PageRoots returns the roots of m's allocated pages that are not all
// zero, in address order, bringing the tree up to date first.
func (t *Tree) PageRoots(m *executor.Machine) []PageRoot {
	t.Root(m)
	roots := make([]PageRoot, 0, len(t.known))
	for _, pi := range t.known {
		if r := t.get(0, pi); r != zeroHashes[pageDepth] && pi != 0 {
			roots = append(roots, PageRoot{pi << pageShift, r})
		}
	}
	return roots
}

// Proof returns the memory proof of the leaf holding address a against
// Root(m): the 32-byte leaf, then the 27 siblings from the bottom up.
func (t *Tree) Proof(m *executor.Machine, a uint32) [ProofSize]byte {
	t.Root(m)
	return t.proof(m, a, nil)
}

// proof returns the proof of address a against the tree's current root.
// The tree must be current for m, except that the words in prev (aligned
// address -> value) may have been written since: the proof is then taken
// with their previous values, i.e. against the tree's root.
func (t *Tree) proof(m *executor.Machine, a uint32, prev map[uint32]uint32) (out [ProofSize]byte) {
	pi := a >> pageShift
	leaf := int(a>>5) & (pageLeaves - 1)
	n := t.nodes[pi] // current for the tree's root, if present
	if n == nil && pi == 0 {
		// The null page as of the tree's root (prev does not apply: the
		// OS state before the step is t.sys).
		n = new(pageNodes)
		t.h.hashPage(n, &t.sys, t.be)
		t.nodes[0] = n
	}
	if n == nil {
		words, ok := m.PageWords(a)
		var patched [1024]uint32
		for wa, v := range prev {
			if wa>>pageShift == pi {
				if !ok {
					words, ok = &patched, true
				} else if words != &patched {
					patched = *words
					words = &patched
				}
				patched[wa>>2&1023] = v
			}
		}
		if ok {
			if len(t.nodes) >= maxCachedPages {
				clear(t.nodes)
			}
			n = new(pageNodes)
			t.h.hashPage(n, words, t.be)
			t.nodes[pi] = n
		}
	}
	if n != nil {
		copy(out[:32], n[pageLeaves+leaf][:])
		j := pageLeaves + leaf
		for ht := 0; ht < pageDepth; ht++ {
			copy(out[32*(ht+1):], n[j^1][:])
			j >>= 1
		}
	} else {
		for ht := 0; ht < pageDepth; ht++ {
			copy(out[32*(ht+1):], zeroHashes[ht][:])
		}
	}
	for k := 0; k < upperDepth; k++ {
		s := t.get(k, (pi>>k)^1)
		copy(out[32*(pageDepth+k+1):], s[:])
	}
	return out
}

// ProofRoot returns the root a proof for address a leads to.
func ProofRoot(a uint32, proof *[ProofSize]byte) [32]byte {
	h := newHasher()
	var node, sib [32]byte
	copy(node[:], proof[:32])
	for i := 0; i < TreeDepth; i++ {
		copy(sib[:], proof[32*(i+1):])
		if a>>(5+i)&1 != 0 {
			node = h.hash2(&sib, &node)
		} else {
			node = h.hash2(&node, &sib)
		}
	}
	return node
}

// VerifyProof reports whether proof shows the leaf holding address a
// under root (REFERENCE section 2).
func VerifyProof(root [32]byte, a uint32, proof [ProofSize]byte) bool {
	return ProofRoot(a, &proof) == root
}

// ProofWord returns the word at the 4-aligned address a from a proof's
// leaf, as the big-endian integer of its four memory bytes (the on-chain
// view; for a big-endian guest this is the word value itself).
func ProofWord(a uint32, proof *[ProofSize]byte) uint32 {
	return binary.BigEndian.Uint32(proof[a&31&^3:])
}
