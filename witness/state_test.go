package witness

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/executor"
)

// TestKeccak pins the hash to Ethereum's keccak256 (not FIPS SHA3-256).
func TestKeccak(t *testing.T) {
	for in, want := range map[string]string{
		"":    "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
		"abc": "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
	} {
		if got := Keccak256([]byte(in)); hex.EncodeToString(got[:]) != want {
			t.Errorf("keccak256(%q) = %x, want %s", in, got, want)
		}
	}
}

// goldenState has a distinct value in every field.
func goldenState() ([32]byte, executor.State) {
	var root [32]byte
	for i := range root {
		root[i] = byte(i + 1) // 01 02 .. 20
	}
	st := executor.State{
		PC: 0x00400010, NextPC: 0x00400014, LO: 0xdeadbeef, HI: 0x01020304,
		Heap: 0x40000000, ExitCode: 0, Exited: false, Step: 0x0102030405060708,
		PreimageOffset: 0x11223344,
	}
	for i := range st.PreimageKey {
		st.PreimageKey[i] = byte(0xa0 + i) // a0 a1 .. bf
	}
	for i := 1; i < 32; i++ {
		st.Regs[i] = uint32(i) * 0x01010101
	}
	return root, st
}

// TestEncodeStateGolden checks every byte of an encoding written out by
// hand from REFERENCE section 1: big-endian fields at their offsets.
func TestEncodeStateGolden(t *testing.T) {
	root, st := goldenState()
	want := "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20" + // 0 memRoot
		"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf" + // 32 preimageKey
		"11223344" + // 64 preimageOffset
		"00400010" + // 68 pc
		"00400014" + // 72 nextPC
		"deadbeef" + // 76 lo
		"01020304" + // 80 hi
		"40000000" + // 84 heap
		"00" + // 88 exitCode
		"00" + // 89 exited
		"0102030405060708" // 90 step
	for i := 0; i < 32; i++ { // 98 registers
		want += fmt.Sprintf("%02x%02x%02x%02x", i, i, i, i)
	}
	enc := EncodeState(root, st)
	if got := hex.EncodeToString(enc[:]); got != want {
		t.Fatalf("encoding\n got %s\nwant %s", got, want)
	}
	if len(want) != 2*StateSize {
		t.Fatalf("golden string has %d bytes", len(want)/2)
	}
	r2, st2, err := DecodeState(enc)
	if err != nil || r2 != root || st2 != st {
		t.Fatalf("decode: %v %x %+v", err, r2, st2)
	}

	// Exited with code 0x2a: bytes 88 and 89.
	st.Exited, st.ExitCode = true, 0x2a
	enc = EncodeState(root, st)
	if enc[88] != 0x2a || enc[89] != 1 {
		t.Fatalf("exit bytes %x %x", enc[88], enc[89])
	}
	bad := enc
	bad[89] = 2
	if _, _, err := DecodeState(bad); err == nil {
		t.Fatal("exited byte 2 accepted")
	}
	bad = enc
	bad[98+3] = 1
	if _, _, err := DecodeState(bad); err == nil {
		t.Fatal("r0 != 0 accepted")
	}
}

// TestStateHashStatus checks that the state hash is keccak256 of the
// encoding with its byte 0 replaced by the VM status.
func TestStateHashStatus(t *testing.T) {
	root, st := goldenState()
	for _, c := range []struct {
		exited bool
		code   uint8
		status byte
	}{{false, 0, 3}, {true, 0, 0}, {true, 1, 1}, {true, 2, 2}, {true, 139, 2}, {false, 5, 3}} {
		st.Exited, st.ExitCode = c.exited, c.code
		enc := EncodeState(root, st)
		h, k := StateHash(enc), Keccak256(enc[:])
		if h[0] != c.status || string(h[1:]) != string(k[1:]) {
			t.Errorf("exited=%v code=%d: hash %x, keccak %x, want status %d", c.exited, c.code, h, k, c.status)
		}
		if Status(&enc) != c.status {
			t.Errorf("Status = %d", Status(&enc))
		}
	}
}

// TestZeroHashes checks the empty-subtree roots against REFERENCE
// section 2 and the first level against keccak256 of 64 zero bytes.
func TestZeroHashes(t *testing.T) {
	for h, want := range map[int]string{
		0:  strings.Repeat("00", 32),
		1:  "ad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5",
		7:  "ffd70157e48063fc33c97a050f7f640233bf646cc98d9524c6b92bcf3ab56f83",
		27: "838c5655cb21c6cb83313b5a631175dff4963772cce9108188b34ac87c81c41e",
	} {
		if got := ZeroHash(h); hex.EncodeToString(got[:]) != want {
			t.Errorf("zero[%d] = %x, want %s", h, got, want)
		}
	}
	// A bare machine's memory is empty but for the OS state in the null
	// page: its root is the null page's path over empty subtrees.
	m := newBareMachine(t)
	var sys [1024]uint32
	m.SystemPage(&sys)
	var n pageNodes
	node := newHasher().hashPage(&n, &sys, m.BigEndian())
	h := newHasher()
	for ht := 7; ht < TreeDepth; ht++ {
		z := ZeroHash(ht)
		node = h.hash2(&node, &z)
	}
	if r := NewTree().Root(m); r != node {
		t.Errorf("bare machine root %x, want %x", r, node)
	}
}
