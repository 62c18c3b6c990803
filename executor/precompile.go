package executor

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"math/bits"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/secp256k1"
	secpfp "github.com/consensys/gnark-crypto/ecc/secp256k1/fp"
	"github.com/consensys/gnark-crypto/field/koalabear"
	"github.com/consensys/gnark-crypto/field/koalabear/poseidon2"
)

// Precompiles: zkVM calls that do a whole cryptographic operation on guest
// memory in one step (REFERENCE.md section 6, docs/precompiles.md).
//
// Every precompile follows the same access discipline, which the tracer
// relies on: it validates its pointers, reads each input word exactly once
// (m.load), computes in Go locals, then writes each output word exactly once
// (m.store). A word that is both input and output (SHA_COMPRESS's h, a
// curve point updated in place) is read once and written once. Invalid
// arguments stop the run before anything is written.

// Precompile call codes. The low 16 bits are the id; byte 3 is the number
// of extra cycles the call costs (PrecompileExtraCycles).
const (
	zkShaExtend           = 0x30010005
	zkShaCompress         = 0x01010006
	zkKeccakSponge        = 0x01010009
	zkSecp256k1Add        = 0x0101000A
	zkSecp256k1Double     = 0x0001000B
	zkSecp256k1Decompress = 0x0001000C
	zkBn254Add            = 0x0101000E
	zkBn254Double         = 0x0001000F
	zkUint256Mul          = 0x0101001D
	zkPoseidon2Permute    = 0x00010030
)

// PrecompileExtraCycles returns the number of cycles a zkVM call costs on top
// of the one its syscall instruction takes: byte 3 of the call code (for
// example 0x30 = 48 for SHA_EXTEND, 0x30010005). It is defined for every
// code; it is only meaningful for precompiles (IsPrecompile).
func PrecompileExtraCycles(code uint32) uint32 { return code >> 24 }

// IsPrecompile reports whether code is the call code of a precompile that
// zkmips implements (see docs/precompiles.md).
func IsPrecompile(code uint32) bool {
	switch code {
	case zkShaExtend, zkShaCompress, zkKeccakSponge,
		zkSecp256k1Add, zkSecp256k1Double, zkSecp256k1Decompress,
		zkBn254Add, zkBn254Double, zkUint256Mul, zkPoseidon2Permute:
		return true
	}
	return false
}

// precompile runs the precompile num with arguments a0 and a1 and completes
// the call with v0 = 0, or stops the run with an error.
func (m *Machine) precompile(num, a0, a1 uint32) {
	var ok bool
	switch num {
	case zkShaExtend:
		ok = m.shaExtend(a0)
	case zkShaCompress:
		ok = m.shaCompress(a0, a1)
	case zkKeccakSponge:
		ok = m.keccakSponge(a0, a1)
	case zkSecp256k1Add:
		ok = ecAdd(m, &secp256k1Curve, a0, a1)
	case zkSecp256k1Double:
		ok = ecDouble(m, &secp256k1Curve, a0)
	case zkSecp256k1Decompress:
		ok = m.secp256k1Decompress(a0, a1)
	case zkBn254Add:
		ok = ecAdd(m, &bn254Curve, a0, a1)
	case zkBn254Double:
		ok = ecDouble(m, &bn254Curve, a0)
	case zkUint256Mul:
		ok = m.uint256Mul(a0, a1)
	case zkPoseidon2Permute:
		ok = m.poseidon2Permute(a0)
	default:
		panic(fmt.Sprintf("precompile: code 0x%08x is not a precompile", num))
	}
	if ok {
		m.zkReturn(0)
	}
}

// checkArg validates the pointer argument a (named arg, passed in register
// reg) to a buffer of n bytes: 4-aligned, not in the null page, and ending
// at or below 2^32. Otherwise it stops the run and returns false.
func (m *Machine) checkArg(num uint32, arg, reg string, a uint32, n uint64) bool {
	if a&3 == 0 && a >= NullLimit && uint64(a)+n <= 1<<32 {
		return true
	}
	m.stopWith(fmt.Errorf("%s: invalid %s pointer 0x%08x in %s (a %d-byte buffer must be 4-aligned, at or above 0x%x, and end at or below 2^32) at %s",
		zkCallNames[num], arg, a, reg, n, NullLimit, m.where()))
	return false
}

// loadWords reads len(dst) consecutive words at a, each exactly once.
func (m *Machine) loadWords(a uint32, dst []uint32) {
	for i := range dst {
		dst[i] = m.load(a + 4*uint32(i))
	}
}

// storeWords writes the words of src at a, each exactly once.
func (m *Machine) storeWords(a uint32, src []uint32) {
	for i, w := range src {
		m.store(a+4*uint32(i), w)
	}
}

// wordBytes puts the four bytes of word w in address order into b: what
// the guest sees with lbu at the word's address, +1, +2, +3.
func (m *Machine) wordBytes(b []byte, w uint32) {
	if m.x == 3 {
		binary.BigEndian.PutUint32(b, w)
	} else {
		binary.LittleEndian.PutUint32(b, w)
	}
}

// bytesWord is the inverse of wordBytes.
func (m *Machine) bytesWord(b []byte) uint32 {
	if m.x == 3 {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

// SHA-256.

// shaK are SHA-256's round constants: the first 32 bits of the fractional
// parts of the cube roots of the first 64 primes (FIPS 180-4 section 4.2.2),
// computed here with integer cube roots rather than written out.
var shaK = func() (k [64]uint32) {
	i := 0
	for n := int64(2); i < 64; n++ {
		if !big.NewInt(n).ProbablyPrime(0) {
			continue
		}
		// floor(cbrt(n) * 2^32) = floor(cbrt(n << 96)); keep the fraction.
		k[i] = uint32(icbrt(new(big.Int).Lsh(big.NewInt(n), 96)).Uint64())
		i++
	}
	return k
}()

// icbrt returns floor(cbrt(n)) for n > 0 (Newton's method from above).
func icbrt(n *big.Int) *big.Int {
	x := new(big.Int).Lsh(big.NewInt(1), uint(n.BitLen()+2)/3) // > cbrt(n)
	three := big.NewInt(3)
	for {
		// y = (2x + n/x^2) / 3
		y := new(big.Int).Mul(x, x)
		y.Quo(n, y)
		y.Add(y, new(big.Int).Lsh(x, 1))
		y.Quo(y, three)
		if y.Cmp(x) >= 0 {
			return x
		}
		x = y
	}
}

// shaSchedule computes w[16..63] from w[0..15].
func shaSchedule(w *[64]uint32) {
	for i := 16; i < 64; i++ {
		v15, v2 := w[i-15], w[i-2]
		s0 := bits.RotateLeft32(v15, -7) ^ bits.RotateLeft32(v15, -18) ^ v15>>3
		s1 := bits.RotateLeft32(v2, -17) ^ bits.RotateLeft32(v2, -19) ^ v2>>10
		w[i] = w[i-16] + s0 + w[i-7] + s1
	}
}

// shaRounds runs the 64 rounds over the schedule w and adds the result
// into h.
func shaRounds(h *[8]uint32, w *[64]uint32) {
	a, b, c, d, e, f, g, hh := h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]
	for i := range 64 {
		s1 := bits.RotateLeft32(e, -6) ^ bits.RotateLeft32(e, -11) ^ bits.RotateLeft32(e, -25)
		ch := e&f ^ ^e&g
		t1 := hh + s1 + ch + shaK[i] + w[i]
		s0 := bits.RotateLeft32(a, -2) ^ bits.RotateLeft32(a, -13) ^ bits.RotateLeft32(a, -22)
		maj := a&b ^ a&c ^ b&c
		t2 := s0 + maj
		hh, g, f, e, d, c, b, a = g, f, e, d+t1, c, b, a, t1+t2
	}
	h[0] += a
	h[1] += b
	h[2] += c
	h[3] += d
	h[4] += e
	h[5] += f
	h[6] += g
	h[7] += hh
}

// shaExtend: SHA_EXTEND, a0 = w (64 words); reads w[0..15], writes
// w[16..63].
func (m *Machine) shaExtend(a0 uint32) bool {
	if !m.checkArg(zkShaExtend, "w", "a0", a0, 64*4) {
		return false
	}
	var w [64]uint32
	m.loadWords(a0, w[:16])
	shaSchedule(&w)
	m.storeWords(a0+16*4, w[16:])
	return true
}

// shaCompress: SHA_COMPRESS, a0 = w (64 words), a1 = h (8 words, updated).
func (m *Machine) shaCompress(a0, a1 uint32) bool {
	if !m.checkArg(zkShaCompress, "w", "a0", a0, 64*4) || !m.checkArg(zkShaCompress, "h", "a1", a1, 8*4) {
		return false
	}
	var w [64]uint32
	var h [8]uint32
	m.loadWords(a0, w[:])
	m.loadWords(a1, h[:])
	shaRounds(&h, &w)
	m.storeWords(a1, h[:])
	return true
}

// Keccak.

const (
	keccakRateWords = 136 / 4 // 32-bit words per absorbed block
	keccakLanes     = 25
)

// keccakRC and keccakRot are keccak-f[1600]'s round constants and rho
// rotation offsets, derived from their definitions in FIPS 202 section 3.2:
// the round constants from the LFSR x^8 + x^6 + x^5 + x^4 + 1, the offsets
// from the walk (x, y) -> (y, 2x + 3y) starting at (1, 0).
var keccakRC, keccakRot = func() (rc [24]uint64, rot [keccakLanes]uint) {
	r := uint(1) // LFSR state; bit 0 is the output rc(t)
	for round := range rc {
		for j := range 7 {
			if r&1 != 0 {
				rc[round] |= 1 << (1<<j - 1)
			}
			r <<= 1
			if r&0x100 != 0 {
				r ^= 0x171 // drop bit 8, feed it into bits 0, 4, 5, 6
			}
		}
	}
	x, y := 1, 0
	for t := range 24 {
		rot[x+5*y] = uint((t + 1) * (t + 2) / 2 % 64)
		x, y = y, (2*x+3*y)%5
	}
	return rc, rot
}()

// keccakF1600 permutes the state a (lane (x, y) at index x + 5y).
func keccakF1600(a *[keccakLanes]uint64) {
	var b [keccakLanes]uint64
	var c, d [5]uint64
	for round := range 24 {
		// theta
		for x := range 5 {
			c[x] = a[x] ^ a[x+5] ^ a[x+10] ^ a[x+15] ^ a[x+20]
		}
		for x := range 5 {
			d[x] = c[(x+4)%5] ^ bits.RotateLeft64(c[(x+1)%5], 1)
		}
		// rho and pi: lane (x, y) moves to (y, 2x + 3y).
		for y := range 5 {
			for x := range 5 {
				i := x + 5*y
				b[y+5*((2*x+3*y)%5)] = bits.RotateLeft64(a[i]^d[x], int(keccakRot[i]))
			}
		}
		// chi
		for y := 0; y < keccakLanes; y += 5 {
			for x := range 5 {
				a[y+x] = b[y+x] ^ ^b[y+(x+1)%5]&b[y+(x+2)%5]
			}
		}
		// iota
		a[0] ^= keccakRC[round]
	}
}

// leWord returns the word at an address read as little-endian bytes: the
// word value itself in a little-endian guest, byte-swapped in a big-endian
// one. It is its own inverse.
func (m *Machine) leWord(w uint32) uint32 {
	if m.x == 3 {
		return bits.ReverseBytes32(w)
	}
	return w
}

// keccakSponge: KECCAK_SPONGE, a0 = input (whole padded 136-byte blocks),
// a1 = result (17 words: 16 written, word 16 = input length in words).
func (m *Machine) keccakSponge(a0, a1 uint32) bool {
	if !m.checkArg(zkKeccakSponge, "result", "a1", a1, 17*4) {
		return false
	}
	n := m.load(a1 + 16*4)
	if n%keccakRateWords != 0 {
		m.stopWith(fmt.Errorf("KECCAK_SPONGE: input length %d words (result word 16 at 0x%08x) is not a multiple of %d (136-byte blocks) at %s",
			n, a1+16*4, keccakRateWords, m.where()))
		return false
	}
	if !m.checkArg(zkKeccakSponge, "input", "a0", a0, 4*uint64(n)) {
		return false
	}
	var st [keccakLanes]uint64
	var block [keccakRateWords]uint32
	for off := uint32(0); off < n; off += keccakRateWords {
		m.loadWords(a0+4*off, block[:])
		for i := range keccakRateWords / 2 {
			st[i] ^= uint64(m.leWord(block[2*i])) | uint64(m.leWord(block[2*i+1]))<<32
		}
		keccakF1600(&st)
	}
	var out [16]uint32
	for i := range 8 {
		out[2*i] = m.leWord(uint32(st[i]))
		out[2*i+1] = m.leWord(uint32(st[i] >> 32))
	}
	m.storeWords(a1, out[:])
	return true
}

// Elliptic curves.

// ecPoint is what the precompiles need of a gnark-crypto affine point type.
type ecPoint[P any] interface {
	*P
	Add(a, b *P) *P
	Double(a *P) *P
	Equal(a *P) bool
	IsOnCurve() bool
	IsInfinity() bool
	SetInfinity() *P
}

// ecCurve describes a curve's precompiles and converts between its points
// and big-endian coordinates.
type ecCurve[P any] struct {
	add, double uint32 // call codes
	// set sets p to (x, y) and reports whether both are canonical (below
	// the field modulus).
	set func(p *P, x, y []byte) bool
	// get returns p's coordinates.
	get func(p *P) (x, y [32]byte)
	// sameX reports whether p and q have equal x.
	sameX func(p, q *P) bool
}

var secp256k1Curve = ecCurve[secp256k1.G1Affine]{
	add: zkSecp256k1Add, double: zkSecp256k1Double,
	set: func(p *secp256k1.G1Affine, x, y []byte) bool {
		return p.X.SetBytesCanonical(x) == nil && p.Y.SetBytesCanonical(y) == nil &&
			p.X.Bytes() == [32]byte(x) && p.Y.Bytes() == [32]byte(y)
	},
	get:   func(p *secp256k1.G1Affine) ([32]byte, [32]byte) { return p.X.Bytes(), p.Y.Bytes() },
	sameX: func(p, q *secp256k1.G1Affine) bool { return p.X.Equal(&q.X) },
}

var bn254Curve = ecCurve[bn254.G1Affine]{
	add: zkBn254Add, double: zkBn254Double,
	set: func(p *bn254.G1Affine, x, y []byte) bool {
		return p.X.SetBytesCanonical(x) == nil && p.Y.SetBytesCanonical(y) == nil &&
			p.X.Bytes() == [32]byte(x) && p.Y.Bytes() == [32]byte(y)
	},
	get:   func(p *bn254.G1Affine) ([32]byte, [32]byte) { return p.X.Bytes(), p.Y.Bytes() },
	sameX: func(p, q *bn254.G1Affine) bool { return p.X.Equal(&q.X) },
}

// limbsToBE turns 8 little-endian 32-bit limbs into a 32-byte big-endian
// integer.
func limbsToBE(l []uint32) (b [32]byte) {
	for i, w := range l[:8] {
		binary.BigEndian.PutUint32(b[28-4*i:], w)
	}
	return b
}

// beToLimbs is the inverse of limbsToBE.
func beToLimbs(b *[32]byte, l []uint32) {
	for i := range 8 {
		l[i] = binary.BigEndian.Uint32(b[28-4*i:])
	}
}

// ecRead reads the point at a (16 words: x limbs, then y limbs) and checks
// that it is the point at infinity (all zero) or on the curve with canonical
// coordinates. On failure it stops the run naming the point.
func ecRead[P any, PP ecPoint[P]](m *Machine, c *ecCurve[P], num uint32, name, reg string, a uint32) (P, bool) {
	var w [16]uint32
	var p P
	m.loadWords(a, w[:])
	x, y := limbsToBE(w[:8]), limbsToBE(w[8:])
	if !c.set(&p, x[:], y[:]) {
		m.stopWith(fmt.Errorf("%s: point %s (%s = 0x%08x) has a coordinate not below the field modulus at %s",
			zkCallNames[num], name, reg, a, m.where()))
		return p, false
	}
	if !PP(&p).IsInfinity() && !PP(&p).IsOnCurve() {
		m.stopWith(fmt.Errorf("%s: point %s (%s = 0x%08x) is not on the curve at %s",
			zkCallNames[num], name, reg, a, m.where()))
		return p, false
	}
	return p, true
}

// ecWrite writes p at a (the point at infinity as 16 zero words).
func ecWrite[P any, PP ecPoint[P]](m *Machine, c *ecCurve[P], a uint32, p *P) {
	var w [16]uint32
	if !PP(p).IsInfinity() {
		x, y := c.get(p)
		beToLimbs(&x, w[:8])
		beToLimbs(&y, w[8:])
	}
	m.storeWords(a, w[:])
}

// ecAdd: SECP256K1_ADD / BN254_ADD, a0 = p (updated to p + q), a1 = q.
func ecAdd[P any, PP ecPoint[P]](m *Machine, c *ecCurve[P], a0, a1 uint32) bool {
	num := c.add
	if !m.checkArg(num, "p", "a0", a0, 64) || !m.checkArg(num, "q", "a1", a1, 64) {
		return false
	}
	p, ok := ecRead[P, PP](m, c, num, "p", "a0", a0)
	if !ok {
		return false
	}
	q, ok := ecRead[P, PP](m, c, num, "q", "a1", a1)
	if !ok {
		return false
	}
	var r P
	switch {
	case PP(&p).IsInfinity():
		r = q
	case PP(&q).IsInfinity():
		r = p
	case PP(&p).Equal(&q):
		PP(&r).Double(&p)
	case c.sameX(&p, &q): // both on the curve, so q = -p
		PP(&r).SetInfinity()
	default:
		PP(&r).Add(&p, &q)
	}
	ecWrite[P, PP](m, c, a0, &r)
	return true
}

// ecDouble: SECP256K1_DOUBLE / BN254_DOUBLE, a0 = p (updated to 2p).
func ecDouble[P any, PP ecPoint[P]](m *Machine, c *ecCurve[P], a0 uint32) bool {
	num := c.double
	if !m.checkArg(num, "p", "a0", a0, 64) {
		return false
	}
	p, ok := ecRead[P, PP](m, c, num, "p", "a0", a0)
	if !ok {
		return false
	}
	var r P
	if PP(&p).IsInfinity() {
		PP(&r).SetInfinity()
	} else {
		// Neither curve has a point of order 2 (y = 0), so 2p is finite.
		PP(&r).Double(&p)
	}
	ecWrite[P, PP](m, c, a0, &r)
	return true
}

// secp256k1B is the curve's b in y^2 = x^3 + b.
var secp256k1B = secpfp.NewElement(7)

// secp256k1Decompress: SECP256K1_DECOMPRESS, a0 = 64 bytes (x big-endian in
// bytes 0..31, y written to bytes 32..63), a1 = 1 for odd y, 0 for even.
func (m *Machine) secp256k1Decompress(a0, a1 uint32) bool {
	if !m.checkArg(zkSecp256k1Decompress, "buffer", "a0", a0, 64) {
		return false
	}
	if a1 > 1 {
		m.stopWith(fmt.Errorf("SECP256K1_DECOMPRESS: parity a1 = %d is not 0 (even y) or 1 (odd y) at %s", a1, m.where()))
		return false
	}
	var w [8]uint32
	var xb [32]byte
	m.loadWords(a0, w[:])
	for i, v := range w {
		m.wordBytes(xb[4*i:], v)
	}
	var x, y, rhs secpfp.Element
	if x.SetBytesCanonical(xb[:]) != nil || x.Bytes() != xb {
		m.stopWith(fmt.Errorf("SECP256K1_DECOMPRESS: x (a0 = 0x%08x) is not below the field modulus at %s", a0, m.where()))
		return false
	}
	rhs.Square(&x).Mul(&rhs, &x).Add(&rhs, &secp256k1B)
	if y.Sqrt(&rhs) == nil {
		m.stopWith(fmt.Errorf("SECP256K1_DECOMPRESS: x (a0 = 0x%08x) is not the x of a curve point at %s", a0, m.where()))
		return false
	}
	yb := y.Bytes()
	if uint32(yb[31]&1) != a1 {
		y.Neg(&y)
		yb = y.Bytes()
	}
	for i := range w {
		w[i] = m.bytesWord(yb[4*i:])
	}
	m.storeWords(a0+32, w[:])
	return true
}

// UINT256_MUL.

// two256 is 2^256, the modulus that m = 0 stands for.
var two256 = new(big.Int).Lsh(big.NewInt(1), 256)

// limbsToInt turns 8 little-endian 32-bit limbs into an integer.
func limbsToInt(l []uint32) *big.Int {
	b := limbsToBE(l)
	return new(big.Int).SetBytes(b[:])
}

// uint256Mul: UINT256_MUL, a0 = x (8 limbs, overwritten with x*y mod m),
// a1 = y (8 limbs) followed by m (8 limbs; 0 means 2^256).
func (m *Machine) uint256Mul(a0, a1 uint32) bool {
	if !m.checkArg(zkUint256Mul, "x", "a0", a0, 32) || !m.checkArg(zkUint256Mul, "y and modulus", "a1", a1, 64) {
		return false
	}
	var xw [8]uint32
	var ymw [16]uint32
	m.loadWords(a0, xw[:])
	m.loadWords(a1, ymw[:])
	mod := limbsToInt(ymw[8:])
	if mod.Sign() == 0 {
		mod = two256
	}
	r := limbsToInt(xw[:])
	r.Mul(r, limbsToInt(ymw[:8])).Mod(r, mod)
	var rb [32]byte
	r.FillBytes(rb[:])
	beToLimbs(&rb, xw[:])
	m.storeWords(a0, xw[:])
	return true
}

// POSEIDON2_PERMUTE.

// koalaBearP is the KoalaBear prime 2^31 - 2^24 + 1.
const koalaBearP = 1<<31 - 1<<24 + 1

// poseidon2Permute: POSEIDON2_PERMUTE, a0 = 16 canonical KoalaBear elements,
// permuted in place with gnark-crypto's default width-16 Poseidon2.
func (m *Machine) poseidon2Permute(a0 uint32) bool {
	if !m.checkArg(zkPoseidon2Permute, "state", "a0", a0, 16*4) {
		return false
	}
	var w [16]uint32
	m.loadWords(a0, w[:])
	var st [16]koalabear.Element
	for i, v := range w {
		if v >= koalaBearP {
			m.stopWith(fmt.Errorf("POSEIDON2_PERMUTE: state word %d (0x%08x at 0x%08x) is not a canonical KoalaBear element (must be below 0x%08x) at %s",
				i, v, a0+4*uint32(i), uint32(koalaBearP), m.where()))
			return false
		}
		st[i].SetUint64(uint64(v))
	}
	if err := poseidon2.NewDefaultPermutation().Permutation(st[:]); err != nil {
		panic("precompile: poseidon2: " + err.Error()) // width is fixed at 16
	}
	for i := range st {
		w[i] = uint32(st[i].Uint64())
	}
	m.storeWords(a0, w[:])
	return true
}
