package zkvm

import (
	"encoding/binary"
	"unsafe"
)

// Precompiles: zkVM calls that do a whole cryptographic operation on guest
// memory in one step (docs/precompiles.md has the full semantics). The
// buffers are Go arrays of uint32, which the compiler keeps 4-aligned, as
// the zkVM requires. Invalid input (a point not on the curve, a field element
// out of range, ...) ends the run with an error from the zkVM: these
// functions never return an error.
//
// Curve points and 256-bit integers are 8 little-endian 32-bit limbs (limb 0
// least significant); a point is x then y, and the point at infinity is all
// zero.

// Precompile call codes (REFERENCE section 6). The top byte is the number of
// extra cycles a call costs.
const (
	callShaExtend           = 0x30010005
	callShaCompress         = 0x01010006
	callKeccakSponge        = 0x01010009
	callSecp256k1Add        = 0x0101000A
	callSecp256k1Double     = 0x0001000B
	callSecp256k1Decompress = 0x0001000C
	callBn254Add            = 0x0101000E
	callBn254Double         = 0x0001000F
	callUint256Mul          = 0x0101001D
	callPoseidon2Permute    = 0x00010030
)

// KeccakRateWords is the number of 32-bit words in one Keccak-256 block
// (136 bytes): KeccakSponge's input is a whole number of them.
const KeccakRateWords = 34

// ShaExtend computes the SHA-256 message schedule w[16..63] from w[0..15].
func ShaExtend(w *[64]uint32) {
	precompile(callShaExtend, unsafe.Pointer(w), nil)
}

// ShaCompress runs the 64 SHA-256 rounds over the full schedule w and adds
// the result into the state h.
func ShaCompress(w *[64]uint32, h *[8]uint32) {
	precompile(callShaCompress, unsafe.Pointer(w), unsafe.Pointer(h))
}

// KeccakSponge absorbs input (already padded: a whole number of 136-byte
// blocks, KeccakRateWords words each, in memory order) into a zero
// keccak-f[1600] state and stores the first 64 bytes of the final state in
// result[0..15] (memory order). It sets result[16] to len(input), the length
// the zkVM call reads from there. It panics if len(input) is not a multiple
// of KeccakRateWords; an empty input leaves the zero state.
func KeccakSponge(input []uint32, result *[17]uint32) {
	if len(input)%KeccakRateWords != 0 {
		panic("zkvm: KeccakSponge: input is not a whole number of 136-byte blocks")
	}
	if len(input) == 0 {
		*result = [17]uint32{}
		return
	}
	result[16] = uint32(len(input))
	precompile(callKeccakSponge, unsafe.Pointer(unsafe.SliceData(input)), unsafe.Pointer(result))
}

// Secp256k1Add sets p to p + q on secp256k1.
func Secp256k1Add(p *[16]uint32, q *[16]uint32) {
	precompile(callSecp256k1Add, unsafe.Pointer(p), unsafe.Pointer(q))
}

// Secp256k1Double sets p to 2p on secp256k1.
func Secp256k1Double(p *[16]uint32) {
	precompile(callSecp256k1Double, unsafe.Pointer(p), nil)
}

// Secp256k1Decompress computes the y of the secp256k1 point whose x is the
// big-endian integer buf[0:32], choosing the odd y if odd is true, and stores
// it big-endian in buf[32:64]. buf need not be 4-aligned.
func Secp256k1Decompress(buf *[64]byte, odd bool) {
	var flag uintptr
	if odd {
		flag = 1
	}
	if uintptr(unsafe.Pointer(buf))%4 == 0 {
		precompileInt(callSecp256k1Decompress, unsafe.Pointer(buf), flag)
		return
	}
	var words [16]uint32
	tmp := (*[64]byte)(unsafe.Pointer(&words))
	copy(tmp[:32], buf[:32])
	precompileInt(callSecp256k1Decompress, unsafe.Pointer(tmp), flag)
	copy(buf[32:], tmp[32:])
}

// Bn254Add sets p to p + q on BN254's G1.
func Bn254Add(p *[16]uint32, q *[16]uint32) {
	precompile(callBn254Add, unsafe.Pointer(p), unsafe.Pointer(q))
}

// Bn254Double sets p to 2p on BN254's G1.
func Bn254Double(p *[16]uint32) {
	precompile(callBn254Double, unsafe.Pointer(p), nil)
}

// Uint256MulMod sets x to x*y mod m, where y[0:8] is y and y[8:16] is m; m =
// 0 stands for 2^256 (a truncating multiply).
func Uint256MulMod(x *[8]uint32, y *[16]uint32) {
	precompile(callUint256Mul, unsafe.Pointer(x), unsafe.Pointer(y))
}

// Poseidon2Permute applies the width-16 Poseidon2 permutation over KoalaBear
// (p = 2^31 - 2^24 + 1) to state in place. Every word must be below p.
func Poseidon2Permute(state *[16]uint32) {
	precompile(callPoseidon2Permute, unsafe.Pointer(state), nil)
}

// sha256IV is SHA-256's initial state (FIPS 180-4 section 5.3.3).
var sha256IV = [8]uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}

// Sha256 returns the SHA-256 digest of data, computed with ShaExtend and
// ShaCompress for each 64-byte block.
func Sha256(data []byte) [32]byte {
	h := sha256IV
	var w [64]uint32
	block := func(b []byte) {
		for i := range 16 {
			w[i] = binary.BigEndian.Uint32(b[4*i:])
		}
		ShaExtend(&w)
		ShaCompress(&w, &h)
	}
	bitLen := uint64(len(data)) * 8
	for len(data) >= 64 {
		block(data[:64])
		data = data[64:]
	}
	// The tail, 0x80, zeros, and the bit length fill one or two blocks.
	var tail [128]byte
	n := copy(tail[:], data)
	tail[n] = 0x80
	end := 64
	if n >= 56 {
		end = 128
	}
	binary.BigEndian.PutUint64(tail[end-8:end], bitLen)
	for i := 0; i < end; i += 64 {
		block(tail[i : i+64])
	}
	var out [32]byte
	for i, v := range h {
		binary.BigEndian.PutUint32(out[4*i:], v)
	}
	return out
}

// Keccak256 returns the Keccak-256 digest of data (Ethereum's, with the
// original 0x01 padding rather than SHA3-256's 0x06), computed with one
// KeccakSponge call over the padded message.
func Keccak256(data []byte) [32]byte {
	// pad10*1: one 0x01 byte, zeros, and 0x80 in the last byte of the
	// block; there is always at least one padding byte.
	n := (len(data)/136 + 1) * 136
	words := make([]uint32, n/4)
	buf := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), n)
	copy(buf, data)
	buf[len(data)] = 0x01
	buf[n-1] |= 0x80
	var res [17]uint32
	KeccakSponge(words, &res)
	var out [32]byte
	copy(out[:], (*[64]byte)(unsafe.Pointer(&res))[:32])
	return out
}
