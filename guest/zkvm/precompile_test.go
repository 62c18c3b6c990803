//go:build !(linux && (mips || mipsle))

package zkvm

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"testing"
	"unsafe"

	"golang.org/x/crypto/sha3"
)

// On the host there is no zkVM: these tests check what the wrappers pass to
// the calls (codes, pointers, padding) against a fake. The precompiles
// themselves are tested in package executor, and end to end with a real
// guest there (TestPrecompileGuest).

// pcCall is one precompile call seen by the fake.
type pcCall struct {
	code   uintptr
	p0, p1 unsafe.Pointer
	a1     uintptr
}

// fakePrecompiles records calls and implements SHA_EXTEND and SHA_COMPRESS
// for real; KECCAK_SPONGE checks its input against keccakMsg padded and
// answers with the sponge state of keccakMsg from x/crypto.
type fakePrecompiles struct {
	t         *testing.T
	calls     []pcCall
	keccakMsg []byte
}

func (f *fakePrecompiles) call(code uintptr, p0, p1 unsafe.Pointer, a1 uintptr) {
	f.calls = append(f.calls, pcCall{code, p0, p1, a1})
	if uintptr(p0)%4 != 0 || uintptr(p1)%4 != 0 {
		f.t.Errorf("call 0x%x: misaligned pointer %p %p", code, p0, p1)
	}
	switch code {
	case callShaExtend:
		fakeShaExtend((*[64]uint32)(p0))
	case callShaCompress:
		fakeShaCompress((*[64]uint32)(p0), (*[8]uint32)(p1))
	case callKeccakSponge:
		res := (*[17]uint32)(p1)
		n := int(res[16])
		if n == 0 || n%KeccakRateWords != 0 {
			f.t.Fatalf("KECCAK_SPONGE: length %d words", n)
		}
		in := unsafe.Slice((*byte)(p0), 4*n)
		if want := testKeccakPad(f.keccakMsg); !bytes.Equal(in, want) {
			f.t.Fatalf("KECCAK_SPONGE input\n%x\nwant\n%x", in, want)
		}
		h := sha3.NewLegacyKeccak256()
		h.Write(f.keccakMsg)
		if _, err := h.(io.Reader).Read((*[64]byte)(p1)[:]); err != nil {
			f.t.Fatal(err)
		}
	}
}

func withFakePrecompiles(t *testing.T) *fakePrecompiles {
	f := &fakePrecompiles{t: t}
	old := hostPrecompile
	hostPrecompile = f.call
	t.Cleanup(func() { hostPrecompile = old })
	return f
}

// testKeccakPad is Keccak's pad10*1 to whole 136-byte blocks, written out
// byte by byte.
func testKeccakPad(msg []byte) []byte {
	p := append(append([]byte(nil), msg...), 0x01)
	for len(p)%136 != 0 {
		p = append(p, 0)
	}
	p[len(p)-1] |= 0x80
	return p
}

// shaTestK are SHA-256's round constants: the fractional parts of the cube
// roots of the first 64 primes, computed with math/big.
var shaTestK = func() (k [64]uint32) {
	i := 0
	for n := int64(2); i < 64; n++ {
		if !big.NewInt(n).ProbablyPrime(0) {
			continue
		}
		v := new(big.Int).Lsh(big.NewInt(n), 96)
		// Bisection for floor(cbrt(v)).
		lo, hi := big.NewInt(0), new(big.Int).Lsh(big.NewInt(1), 44)
		for new(big.Int).Sub(hi, lo).Cmp(big.NewInt(1)) > 0 {
			mid := new(big.Int).Add(lo, hi)
			mid.Rsh(mid, 1)
			if new(big.Int).Exp(mid, big.NewInt(3), nil).Cmp(v) <= 0 {
				lo = mid
			} else {
				hi = mid
			}
		}
		k[i] = uint32(lo.Uint64())
		i++
	}
	return k
}()

func fakeShaExtend(w *[64]uint32) {
	for i := 16; i < 64; i++ {
		s0 := bits.RotateLeft32(w[i-15], -7) ^ bits.RotateLeft32(w[i-15], -18) ^ w[i-15]>>3
		s1 := bits.RotateLeft32(w[i-2], -17) ^ bits.RotateLeft32(w[i-2], -19) ^ w[i-2]>>10
		w[i] = w[i-16] + s0 + w[i-7] + s1
	}
}

func fakeShaCompress(w *[64]uint32, h *[8]uint32) {
	s := *h
	for i := range 64 {
		a, e := s[0], s[4]
		t1 := s[7] + (bits.RotateLeft32(e, -6) ^ bits.RotateLeft32(e, -11) ^ bits.RotateLeft32(e, -25)) +
			(e&s[5] ^ ^e&s[6]) + shaTestK[i] + w[i]
		t2 := (bits.RotateLeft32(a, -2) ^ bits.RotateLeft32(a, -13) ^ bits.RotateLeft32(a, -22)) +
			(a&s[1] ^ a&s[2] ^ s[1]&s[2])
		s = [8]uint32{t1 + t2, s[0], s[1], s[2], s[3] + t1, s[4], s[5], s[6]}
	}
	for i := range h {
		h[i] += s[i]
	}
}

func TestSha256Wrapper(t *testing.T) {
	f := withFakePrecompiles(t)
	rng := rand.New(rand.NewPCG(1, 1))
	for n := range 300 {
		msg := make([]byte, n)
		for i := range msg {
			msg[i] = byte(rng.Uint32())
		}
		f.calls = nil
		if got, want := Sha256(msg), sha256.Sum256(msg); got != want {
			t.Fatalf("Sha256(%d bytes) = %x, want %x", n, got, want)
		}
		blocks := (n+8)/64 + 1
		if len(f.calls) != 2*blocks {
			t.Errorf("%d bytes: %d calls, want %d", n, len(f.calls), 2*blocks)
		}
		for i, c := range f.calls {
			if want := []uintptr{callShaExtend, callShaCompress}[i%2]; c.code != want {
				t.Fatalf("%d bytes: call %d is 0x%x, want 0x%x", n, i, c.code, want)
			}
		}
	}
}

func TestKeccak256Wrapper(t *testing.T) {
	f := withFakePrecompiles(t)
	rng := rand.New(rand.NewPCG(2, 2))
	for _, n := range []int{0, 1, 2, 3, 4, 31, 32, 133, 134, 135, 136, 137, 271, 272, 273, 1000} {
		msg := make([]byte, n)
		for i := range msg {
			msg[i] = byte(rng.Uint32())
		}
		f.calls, f.keccakMsg = nil, msg
		h := sha3.NewLegacyKeccak256()
		h.Write(msg)
		if got := Keccak256(msg); !bytes.Equal(got[:], h.Sum(nil)) {
			t.Errorf("Keccak256(%d bytes) = %x, want %x", n, got, h.Sum(nil))
		}
		if len(f.calls) != 1 || f.calls[0].code != callKeccakSponge {
			t.Errorf("%d bytes: calls %v", n, f.calls)
		}
	}
}

func TestKeccakSpongeWrapper(t *testing.T) {
	f := withFakePrecompiles(t)
	res := [17]uint32{1, 2, 3}
	KeccakSponge(nil, &res)
	if res != ([17]uint32{}) || len(f.calls) != 0 {
		t.Errorf("empty input: result %v, calls %v", res, f.calls)
	}
	defer func() {
		if recover() == nil {
			t.Error("KeccakSponge of 35 words did not panic")
		}
	}()
	KeccakSponge(make([]uint32, 35), &res)
}

func TestPrecompileWrappers(t *testing.T) {
	f := withFakePrecompiles(t)
	var w [64]uint32
	var h [8]uint32
	var p, q [16]uint32
	var x [8]uint32
	var ym [16]uint32
	var buf [64]byte
	cases := []struct {
		name string
		do   func()
		want pcCall
	}{
		{"ShaExtend", func() { ShaExtend(&w) }, pcCall{callShaExtend, unsafe.Pointer(&w), nil, 0}},
		{"ShaCompress", func() { ShaCompress(&w, &h) }, pcCall{callShaCompress, unsafe.Pointer(&w), unsafe.Pointer(&h), 0}},
		{"Secp256k1Add", func() { Secp256k1Add(&p, &q) }, pcCall{callSecp256k1Add, unsafe.Pointer(&p), unsafe.Pointer(&q), 0}},
		{"Secp256k1Double", func() { Secp256k1Double(&p) }, pcCall{callSecp256k1Double, unsafe.Pointer(&p), nil, 0}},
		{"Secp256k1Decompress/even", func() { Secp256k1Decompress(&buf, false) }, pcCall{callSecp256k1Decompress, unsafe.Pointer(&buf), nil, 0}},
		{"Secp256k1Decompress/odd", func() { Secp256k1Decompress(&buf, true) }, pcCall{callSecp256k1Decompress, unsafe.Pointer(&buf), nil, 1}},
		{"Bn254Add", func() { Bn254Add(&p, &q) }, pcCall{callBn254Add, unsafe.Pointer(&p), unsafe.Pointer(&q), 0}},
		{"Bn254Double", func() { Bn254Double(&q) }, pcCall{callBn254Double, unsafe.Pointer(&q), nil, 0}},
		{"Uint256MulMod", func() { Uint256MulMod(&x, &ym) }, pcCall{callUint256Mul, unsafe.Pointer(&x), unsafe.Pointer(&ym), 0}},
		{"Poseidon2Permute", func() { Poseidon2Permute(&p) }, pcCall{callPoseidon2Permute, unsafe.Pointer(&p), nil, 0}},
	}
	for _, c := range cases {
		f.calls = nil
		c.do()
		if fmt.Sprint(f.calls) != fmt.Sprint([]pcCall{c.want}) {
			t.Errorf("%s: calls %v, want %v", c.name, f.calls, c.want)
		}
	}
}

// TestSecp256k1DecompressMisaligned checks that a buffer that is not
// 4-aligned goes through an aligned copy: x in, y back out.
func TestSecp256k1DecompressMisaligned(t *testing.T) {
	var backing [17]uint32
	buf := (*[64]byte)(unsafe.Add(unsafe.Pointer(&backing), 1))
	for i := range 32 {
		buf[i] = byte(i + 1)
	}
	calls := 0
	old := hostPrecompile
	hostPrecompile = func(code uintptr, p0, p1 unsafe.Pointer, a1 uintptr) {
		calls++
		if code != callSecp256k1Decompress || uintptr(p0)%4 != 0 || p1 != nil || a1 != 1 {
			t.Fatalf("call 0x%x %p %p %d", code, p0, p1, a1)
		}
		b := (*[64]byte)(p0)
		for i := range 32 {
			if b[i] != byte(i+1) {
				t.Fatalf("x byte %d = %d", i, b[i])
			}
			b[32+i] = byte(0xa0 + i)
		}
	}
	t.Cleanup(func() { hostPrecompile = old })
	Secp256k1Decompress(buf, true)
	for i := range 32 {
		if buf[i] != byte(i+1) || buf[32+i] != byte(0xa0+i) {
			t.Fatalf("buf = %x", buf[:])
		}
	}
	if calls != 1 {
		t.Errorf("%d calls", calls)
	}
}

func TestPrecompileNoZkVM(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a precompile on the host without a fake did not panic")
		}
	}()
	var s [16]uint32
	Poseidon2Permute(&s)
}
