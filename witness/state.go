// Package witness produces what a Cannon-compatible fault-proof contract
// needs to check one step of a zkmips run on chain: the 226-byte VM state,
// its hash, the keccak256 Merkle tree of memory with its proofs, and the
// per-step witness (docs/fault-proofs.md).
package witness

import (
	"encoding/binary"
	"fmt"

	"github.com/zkmips/zkmips/executor"
)

// StateSize is the length of an encoded state.
const StateSize = 226

// Offsets of the encoded state's fields (all integers big-endian).
const (
	offMemRoot        = 0
	offPreimageKey    = 32
	offPreimageOffset = 64
	offPC             = 68
	offNextPC         = 72
	offLO             = 76
	offHI             = 80
	offHeap           = 84
	offExitCode       = 88
	offExited         = 89
	offStep           = 90
	offRegs           = 98
)

// VM status, stored in byte 0 of a state hash.
const (
	StatusValid      = 0 // exited with code 0
	StatusInvalid    = 1 // exited with code 1
	StatusPanic      = 2 // exited with another code
	StatusUnfinished = 3 // still running
)

// EncodeState lays out st with memory root memRoot as the 226-byte
// fault-proof state.
func EncodeState(memRoot [32]byte, st executor.State) (b [StateSize]byte) {
	copy(b[offMemRoot:], memRoot[:])
	copy(b[offPreimageKey:], st.PreimageKey[:])
	be := binary.BigEndian
	be.PutUint32(b[offPreimageOffset:], st.PreimageOffset)
	be.PutUint32(b[offPC:], st.PC)
	be.PutUint32(b[offNextPC:], st.NextPC)
	be.PutUint32(b[offLO:], st.LO)
	be.PutUint32(b[offHI:], st.HI)
	be.PutUint32(b[offHeap:], st.Heap)
	b[offExitCode] = st.ExitCode
	if st.Exited {
		b[offExited] = 1
	}
	be.PutUint64(b[offStep:], st.Step)
	for i, r := range st.Regs {
		be.PutUint32(b[offRegs+4*i:], r)
	}
	return b
}

// DecodeState parses an encoded state. It rejects an exited byte other
// than 0 or 1 and a non-zero r0, which no machine can produce.
func DecodeState(b [StateSize]byte) (memRoot [32]byte, st executor.State, err error) {
	copy(memRoot[:], b[offMemRoot:])
	copy(st.PreimageKey[:], b[offPreimageKey:])
	be := binary.BigEndian
	st.PreimageOffset = be.Uint32(b[offPreimageOffset:])
	st.PC = be.Uint32(b[offPC:])
	st.NextPC = be.Uint32(b[offNextPC:])
	st.LO = be.Uint32(b[offLO:])
	st.HI = be.Uint32(b[offHI:])
	st.Heap = be.Uint32(b[offHeap:])
	st.ExitCode = b[offExitCode]
	switch b[offExited] {
	case 0:
	case 1:
		st.Exited = true
	default:
		return memRoot, st, fmt.Errorf("state: exited byte is %d, not 0 or 1", b[offExited])
	}
	st.Step = be.Uint64(b[offStep:])
	for i := range st.Regs {
		st.Regs[i] = be.Uint32(b[offRegs+4*i:])
	}
	if st.Regs[0] != 0 {
		return memRoot, st, fmt.Errorf("state: r0 is 0x%08x, not zero", st.Regs[0])
	}
	return memRoot, st, nil
}

// Status returns the VM status of an encoded state.
func Status(b *[StateSize]byte) byte {
	switch {
	case b[offExited] == 0:
		return StatusUnfinished
	case b[offExitCode] == 0:
		return StatusValid
	case b[offExitCode] == 1:
		return StatusInvalid
	}
	return StatusPanic
}

// StateHash is keccak256 of the encoded state with its first byte replaced
// by the VM status, so a hash alone tells whether and how the run ended.
func StateHash(b [StateSize]byte) [32]byte {
	h := Keccak256(b[:])
	h[0] = Status(&b)
	return h
}
