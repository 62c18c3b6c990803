// Command gobench is a CPU-bound benchmark: SHA-256 over generated data in
// chunks and a sort of random integers. argv[1] scales the work: SCALE MiB
// hashed and SCALE*16384 integers sorted (default 8, about 1 billion MIPS
// instructions; 64 hashes 64 MiB and sorts 1M integers).
package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"slices"
	"strconv"
)

func main() {
	scale := 8
	if len(os.Args) > 1 {
		scale, _ = strconv.Atoi(os.Args[1])
	}
	chunk := make([]byte, 64<<10)
	h := sha256.New()
	x := uint32(7)
	for i := 0; i < scale*16; i++ {
		for j := 0; j < len(chunk); j += 4 {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			chunk[j], chunk[j+1], chunk[j+2], chunk[j+3] = byte(x), byte(x>>8), byte(x>>16), byte(x>>24)
		}
		h.Write(chunk)
	}
	digest := h.Sum(nil)
	n := scale << 14
	v := make([]uint32, n)
	for i := range v {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		v[i] = x
	}
	slices.Sort(v)
	var acc uint32
	for i := 0; i < n; i += 1 + n/1000 {
		acc = acc*31 + v[i]
	}
	fmt.Printf("gobench scale=%d sha256=%x sorted=%v checksum=%08x\n", scale, digest, slices.IsSorted(v), acc)
}
