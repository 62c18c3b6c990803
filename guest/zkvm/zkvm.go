// Package zkvm lets a Go program run as a zkmips zkVM guest: it reads private
// input, writes public values, and commits their digest before halting.
//
// # Building
//
// Guests are ordinary Go programs built for little-endian MIPS32 with the
// soft-float ABI (otherwise the compiler emits COP1 instructions):
//
//	CGO_ENABLED=0 GOOS=linux GOARCH=mipsle GOMIPS=softfloat go build -trimpath -o guest ./cmd/guest
//
// The package also compiles for GOARCH=mips (big-endian), and on every other
// platform, where each function panics: that keeps `go vet ./...` and host
// builds of a module working.
//
// # ABI
//
// A zkVM call is the MIPS `syscall` instruction with the call code in v0 ($2),
// arguments in a0..a2 ($4..$6) and the result in v0. The codes are the
// Ziren-compatible ones below 4000, so they never clash with the Linux o32
// system calls (4000 and up) that the Go runtime keeps issuing; zkmips serves
// both. The calls used here:
//
//	HALT      0x00  a0 = exit code; ends the run
//	WRITE     0x02  a0 = fd, a1 = buffer, a2 = length
//	                fd 1/2: host stdout/stderr, fd 13: append to the public
//	                values, fd 14: push a new item onto the input stream
//	COMMIT    0x10  a0 = index 0..7, a1 = word of the public-values digest
//	HINT_LEN  0xF0  v0 = length of the next input item
//	HINT_READ 0xF1  a0 = 4-aligned buffer, a1 = exact item length
//
// The input is a stream of byte items (given to `zkmips run` with --input);
// Read consumes them in order. The public values are every byte passed to
// Commit, in order. Exit commits sha256(public values) as eight
// little-endian 32-bit words (word i is bytes 4i..4i+3 of the digest) and then
// halts, which is what a verifier checks the public values against; a guest
// must therefore finish with Exit rather than os.Exit or returning from main.
//
// Running a guest under qemu-user fails at the first zkVM call: Linux does
// not know these codes, and the package panics with a message saying so.
package zkvm

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"sync"
	"unsafe"
)

// zkVM call codes (see the package documentation).
const (
	callHalt     = 0x00
	callWrite    = 0x02
	callCommit   = 0x10
	callHintLen  = 0xF0
	callHintRead = 0xF1
)

// File descriptors with a zkVM meaning for Write.
const (
	// Stdout is the host's standard output.
	Stdout = 1
	// Stderr is the host's standard error.
	Stderr = 2
	// FdPublicValues appends the written bytes to the public values; use
	// Commit instead, which also keeps the digest that Exit commits.
	FdPublicValues = 13
	// FdHint pushes the written bytes onto the input stream as a new item.
	FdHint = 14
)

var (
	mu        sync.Mutex
	committed hash.Hash = sha256.New() // running sha256 of the public values
)

// Read returns the next input item. It panics when the input is exhausted
// (the run then ends with the zkVM's error for reading past the input).
func Read() []byte {
	n := int(call(callHintLen, 0, 0))
	buf := alignedBuf(n)
	hintRead(unsafe.Pointer(unsafe.SliceData(buf)), n)
	return buf[:n]
}

// ReadInto reads the next input item into dst and returns its length. It
// panics if dst is shorter than the item. dst need not be aligned: when it is
// not 4-aligned the item goes through a temporary buffer.
func ReadInto(dst []byte) int {
	n := int(call(callHintLen, 0, 0))
	if n > len(dst) {
		panic("zkvm: ReadInto: input item is longer than the buffer")
	}
	p := unsafe.Pointer(unsafe.SliceData(dst))
	if uintptr(p)%4 == 0 && n > 0 {
		hintRead(p, n)
		return n
	}
	tmp := alignedBuf(n)
	hintRead(unsafe.Pointer(unsafe.SliceData(tmp)), n)
	return copy(dst, tmp[:n])
}

// alignedBuf returns a 4-aligned, non-empty buffer of n bytes rounded up to a
// whole word: it is backed by a []uint32, whose elements are word aligned.
func alignedBuf(n int) []byte {
	words := make([]uint32, max(1, (n+3)/4))
	return unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), 4*len(words))
}

// Write writes b to the zkVM file descriptor fd (Stdout, Stderr,
// FdPublicValues or FdHint). Unknown descriptors are ignored by the host.
func Write(fd int, b []byte) {
	write(fd, unsafe.Pointer(unsafe.SliceData(b)), len(b))
}

// Commit appends b to the public values and adds it to the digest that Exit
// commits.
func Commit(b []byte) {
	mu.Lock()
	defer mu.Unlock()
	committed.Write(b)
	Write(FdPublicValues, b)
}

// Hint pushes b onto the input stream as a new item, to be returned by a later
// Read. It is meant for unconstrained code passing results to the proven part.
func Hint(b []byte) {
	Write(FdHint, b)
}

// Exit commits sha256 of all public values (eight COMMIT calls, word i being
// the i-th little-endian 32-bit word of the digest) and halts with code as the
// exit code. It does not return.
func Exit(code int) {
	mu.Lock()
	digest := committed.Sum(nil)
	mu.Unlock()
	for i := range 8 {
		w := binary.LittleEndian.Uint32(digest[4*i:])
		call(callCommit, uintptr(i), uintptr(w))
	}
	call(callHalt, uintptr(code), 0)
	panic("zkvm: HALT returned")
}
