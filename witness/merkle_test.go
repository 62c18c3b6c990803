package witness

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"golang.org/x/crypto/sha3"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
)

func load(t testing.TB, name string) *program.Program {
	t.Helper()
	p, err := program.LoadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newMachine(t testing.TB, name string) *executor.Machine {
	t.Helper()
	m, err := executor.New(load(t, name), executor.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// newBareMachine returns a machine with empty memory.
func newBareMachine(t testing.TB) *executor.Machine {
	t.Helper()
	m, err := executor.Restore(load(t, "../testdata/guests/bin/exit42.mips"), executor.Config{}, executor.State{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// refKeccak is an independent keccak256 (x/crypto) for the reference tree.
func refKeccak(a, b []byte) []byte {
	h := sha3.NewLegacyKeccak256()
	h.Write(a)
	h.Write(b)
	return h.Sum(nil)
}

// refRoot is the slow reference: it serialises every page to bytes and
// hashes the tree of height 27 recursively, descending only into subtrees
// that hold a page, with empty subtrees computed by brute force.
func refRoot(m *executor.Machine) []byte {
	pages := map[uint32][]byte{}
	var idx []uint32
	// The null page holds the OS state (executor.SystemPage).
	var sys [1024]uint32
	m.SystemPage(&sys)
	forEach := func(fn func(a uint32, w *[1024]uint32)) {
		if sys != [1024]uint32{} {
			fn(0, &sys)
		}
		m.Memory().ForEachPage(fn)
	}
	forEach(func(a uint32, w *[1024]uint32) {
		b := make([]byte, 4096)
		for i, v := range w {
			if m.BigEndian() {
				binary.BigEndian.PutUint32(b[4*i:], v)
			} else {
				binary.LittleEndian.PutUint32(b[4*i:], v)
			}
		}
		pages[a>>12] = b
		idx = append(idx, a>>12)
	})
	empty := [][]byte{make([]byte, 32)}
	for h := 1; h <= 27; h++ {
		empty = append(empty, refKeccak(empty[h-1], empty[h-1]))
	}
	var leafNode func(b []byte, h, i int) []byte // within a page: height h, index i
	leafNode = func(b []byte, h, i int) []byte {
		if h == 0 {
			return b[32*i : 32*i+32]
		}
		return refKeccak(leafNode(b, h-1, 2*i), leafNode(b, h-1, 2*i+1))
	}
	var node func(h int, i uint32) []byte // height h >= 7, index i
	node = func(h int, i uint32) []byte {
		lo, hi := i<<(h-7), (i+1)<<(h-7) // pages under this node
		k, _ := slices.BinarySearch(idx, lo)
		if k == len(idx) || idx[k] >= hi {
			return empty[h]
		}
		if h == 7 {
			return leafNode(pages[i], 7, 0)
		}
		return refKeccak(node(h-1, 2*i), node(h-1, 2*i+1))
	}
	return node(27, 0)
}

// TestRootMatchesReference compares the tree with the slow reference on
// real program images of both byte orders plus scattered writes.
func TestRootMatchesReference(t *testing.T) {
	for _, name := range []string{"../testdata/guests/bin/hello.mips", "../testdata/guests/bin/hello.mipsel"} {
		m := newMachine(t, name)
		tr := NewTree()
		if got, want := tr.Root(m), refRoot(m); string(got[:]) != string(want) {
			t.Fatalf("%s: root %x, reference %x", name, got, want)
		}
		for _, a := range []uint32{0x1000, 0x2004, 0x12345678, 0x7ffefffc, 0x80000000, 0xfffffffc} {
			m.WriteWord(a, a^0x5a5a5a5a)
			if got, want := tr.Root(m), refRoot(m); string(got[:]) != string(want) {
				t.Fatalf("%s: after writing 0x%08x: root %x, reference %x", name, a, got, want)
			}
		}
		// Writing zeros back makes pages empty again.
		m.WriteWord(0xfffffffc, 0)
		m.WriteWord(0x80000000, 0)
		if got, want := tr.Root(m), refRoot(m); string(got[:]) != string(want) {
			t.Fatalf("%s: after clearing: root %x, reference %x", name, got, want)
		}
	}
}

// TestLeafByteOrder checks that a leaf holds memory bytes: the word
// 0x11223344 at 0x10000004 is 11 22 33 44 in a big-endian guest and
// 44 33 22 11 in a little-endian one, at leaf offset 4.
func TestLeafByteOrder(t *testing.T) {
	for _, c := range []struct {
		name string
		want [4]byte
	}{{"../testdata/guests/bin/exit42.mips", [4]byte{0x11, 0x22, 0x33, 0x44}}, {"../testdata/guests/bin/exit42.mipsel", [4]byte{0x44, 0x33, 0x22, 0x11}}} {
		m, err := executor.Restore(load(t, c.name), executor.Config{}, executor.State{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		m.WriteWord(0x10000004, 0x11223344)
		tr := NewTree()
		p := tr.Proof(m, 0x10000007)
		var leaf [32]byte
		copy(leaf[4:], c.want[:])
		if [32]byte(p[:32]) != leaf {
			t.Fatalf("%s: leaf %x", c.name, p[:32])
		}
		// All siblings of a lone leaf are empty subtrees, except the one
		// holding the null page (the OS state).
		for h := 0; h < TreeDepth; h++ {
			if (0x10000004>>(5+h))^1 == 0 {
				continue
			}
			if [32]byte(p[32*(h+1):32*(h+2)]) != ZeroHash(h) {
				t.Fatalf("%s: sibling %d is not zero[%d]", c.name, h, h)
			}
		}
		if !VerifyProof(tr.Root(m), 0x10000004, p) {
			t.Fatalf("%s: proof does not verify", c.name)
		}
		if w := ProofWord(0x10000004, &p); w != binary.BigEndian.Uint32(c.want[:]) {
			t.Fatalf("%s: ProofWord %08x", c.name, w)
		}
	}
}

// TestProofs checks that proofs verify for many addresses (allocated and
// empty pages, every byte offset) and fail when the leaf or any sibling
// is altered.
func TestProofs(t *testing.T) {
	m := newMachine(t, "../examples/bin/hello-go.mipsle")
	m.RunUntil(100000)
	tr := NewTree()
	root := tr.Root(m)
	var addrs []uint32
	m.Memory().ForEachPage(func(a uint32, _ *[1024]uint32) { addrs = append(addrs, a, a+0x7e5, a+0xffc) })
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		addrs = append(addrs, rng.Uint32())
	}
	addrs = append(addrs, 0, 0xffffffff, m.PC(), m.Reg(29))
	for k, a := range addrs {
		p := tr.Proof(m, a)
		if !VerifyProof(root, a, p) {
			t.Fatalf("proof of 0x%08x does not verify", a)
		}
		if got, want := ProofWord(a&^3, &p), m.ReadWord(a); m.BigEndian() && got != want ||
			!m.BigEndian() && got != want>>24|want>>8&0xff00|want<<8&0xff0000|want<<24 {
			t.Fatalf("proof of 0x%08x holds %08x, memory %08x", a, got, want)
		}
		if k%7 != 0 {
			continue
		}
		for i := 0; i < ProofSize; i += 11 {
			q := p
			q[i] ^= 1
			if VerifyProof(root, a, q) {
				t.Fatalf("proof of 0x%08x still verifies with byte %d altered", a, i)
			}
		}
	}
}

// TestIncrementalRoot runs a Go program and compares the incremental root
// with a fresh tree every 10,000 steps (and the reference now and then),
// then hammers random addresses with writes between roots.
func TestIncrementalRoot(t *testing.T) {
	for _, name := range []string{"../examples/bin/hello-go.mips", "../examples/bin/hello-go.mipsle"} {
		m := newMachine(t, name)
		inc := NewTree()
		for n := 0; !m.Exited(); n++ {
			m.RunUntil(m.Step() + 10000)
			got := inc.Root(m)
			if want := NewTree().Root(m); got != want {
				t.Fatalf("%s@%d: incremental root %x, from scratch %x", name, m.Step(), got, want)
			}
			if n%15 == 0 {
				if want := refRoot(m); string(got[:]) != string(want) {
					t.Fatalf("%s@%d: root %x, reference %x", name, m.Step(), got, want)
				}
			}
		}
		if m.Result().Err != nil {
			t.Fatal(m.Result().Err)
		}
		rng := rand.New(rand.NewPCG(3, 4))
		for round := range 30 {
			for range rng.IntN(300) {
				a := rng.Uint32() &^ 3
				if rng.IntN(2) == 0 {
					a = 0x40000000 + rng.Uint32N(1<<24)&^3 // clustered
				}
				v := rng.Uint32()
				if rng.IntN(4) == 0 {
					v = 0
				}
				m.WriteWord(a, v)
			}
			if got, want := inc.Root(m), NewTree().Root(m); got != want {
				t.Fatalf("%s: random round %d: incremental %x, from scratch %x", name, round, got, want)
			}
		}
	}
}

// TestTreeFollowsMemoryReplacement checks that a tree notices when the
// machine's memory is replaced wholesale and when it is handed another
// machine.
func TestTreeFollowsMachines(t *testing.T) {
	a := newMachine(t, "../testdata/guests/bin/hello.mips")
	b := newMachine(t, "../testdata/guests/bin/hello.mipsel")
	tr := NewTree()
	ra := tr.Root(a)
	rb := tr.Root(b)
	if ra == rb {
		t.Fatal("two programs, one root")
	}
	a.WriteWord(0x20000000, 1)
	if got, want := tr.Root(a), NewTree().Root(a); got != want {
		t.Fatalf("switching back: %x vs %x", got, want)
	}
	c, err := a.Clone(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.WriteWord(0x20000000, 2)
	if got, want := tr.Root(c), NewTree().Root(c); got != want {
		t.Fatalf("clone: %x vs %x", got, want)
	}
}

// bigMemory returns a machine with n pages of random words in the mmap
// region, and its tree with the root computed.
func bigMemory(b *testing.B, n int) (*executor.Machine, *Tree, *rand.Rand) {
	m := newMachine(b, "../examples/bin/hello-go.mips")
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range n {
		base := uint32(0x40000000 + i*4096)
		for a := base; a < base+4096; a += 4 {
			m.WriteWord(a, rng.Uint32())
		}
	}
	tr := NewTree()
	tr.Root(m)
	return m, tr, rng
}

// BenchmarkRootUpdate measures Root after writing one word in each of k
// random pages of a 64 MiB memory (16,384 random pages plus the program):
// the cost must grow with k, not with the memory size.
func BenchmarkRootUpdate(b *testing.B) {
	const pages = 16384
	m, tr, rng := bigMemory(b, pages)
	for _, k := range []int{1, 10, 100, 1000} {
		b.Run("pages="+strconv.Itoa(k), func(b *testing.B) {
			h0, p0 := tr.Hashes(), tr.PagesHashed()
			for b.Loop() {
				for range k {
					m.WriteWord(0x40000000+rng.Uint32N(pages)*4096+rng.Uint32N(1024)*4, rng.Uint32())
				}
				tr.Root(m)
			}
			hashes := float64(tr.Hashes() - h0)
			b.ReportMetric(hashes/float64(b.N), "hashes/op")
			b.ReportMetric(float64(tr.PagesHashed()-p0)/float64(b.N), "pages/op")
			b.ReportMetric(hashes/b.Elapsed().Seconds(), "hashes/s")
		})
	}
}

// BenchmarkRootScratch hashes the same 64 MiB memory from scratch.
func BenchmarkRootScratch(b *testing.B) {
	m, _, _ := bigMemory(b, 16384)
	var hashes uint64
	for b.Loop() {
		tr := NewTree()
		tr.Root(m)
		hashes += tr.Hashes()
	}
	b.ReportMetric(float64(hashes)/float64(b.N), "hashes/op")
	b.ReportMetric(float64(hashes)/b.Elapsed().Seconds(), "hashes/s")
}

// BenchmarkKeccak64 is one inner-node hash.
func BenchmarkKeccak64(b *testing.B) {
	h := newHasher()
	var l, r [32]byte
	for b.Loop() {
		l = h.hash2(&l, &r)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
}

// TestSeedPageRoots checks that a tree seeded with the page roots taken
// with a snapshot gives, for the restored machine, the root a tree
// computing everything gives: at the snapshot's step, after the machine
// writes pages (which the seed then must not cover) and allocates new
// ones; that the seed spares the hashing of unwritten pages; and that a
// seed is taken on trust (a wrong root changes the root).
func TestSeedPageRoots(t *testing.T) {
	for _, name := range []string{"../examples/bin/hello-go.mips", "../examples/bin/hello-go.mipsle"} {
		m := newMachine(t, name)
		m.RunUntil(150000)
		tr := NewTree()
		roots := tr.PageRoots(m)
		snap, err := m.MarshalSnapshot()
		if err != nil {
			t.Fatal(err)
		}
		restore := func() *executor.Machine {
			r, err := executor.UnmarshalSnapshot(load(t, name), executor.Config{}, snap)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r := restore()
		seeded := NewTree()
		seeded.SeedPageRoots(r, roots)
		if got, want := seeded.Root(r), tr.Root(m); got != want {
			t.Fatalf("%s: seeded root %x, want %x", name, got, want)
		}
		if seeded.PagesHashed() > 1 { // the null page (OS state) only
			t.Fatalf("%s: a seeded tree hashed %d pages", name, seeded.PagesHashed())
		}
		for _, k := range []uint64{1, 5000, 100000} {
			r := restore()
			seeded := NewTree()
			seeded.SeedPageRoots(r, roots)
			r.RunUntil(r.Step() + k)
			r.WriteWord(0x50000000, 7) // a page the snapshot did not have
			if got, want := seeded.Root(r), NewTree().Root(r); got != want {
				t.Fatalf("%s +%d steps: seeded root %x, want %x", name, k, got, want)
			}
		}
		bad := slices.Clone(roots)
		bad[len(bad)/2].Root[0] ^= 1
		r = restore()
		seeded = NewTree()
		seeded.SeedPageRoots(r, bad)
		if seeded.Root(r) == tr.Root(m) {
			t.Fatalf("%s: a wrong page root left the root unchanged", name)
		}
	}
}
