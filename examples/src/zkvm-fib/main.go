// Command zkvm-fib is a zkmips zkVM guest written in Go. It reads one input
// item holding n as a little-endian uint32, computes fib(n) mod 2^32 with a
// loop of n iterations, commits n and fib(n) (8 bytes, both little-endian
// uint32) as its public values, prints a line, and exits through zkvm.Exit,
// which commits the sha256 of the public values.
//
// The input is required:
//
//	zkmips run example:fib --input <(printf '\x0a\x00\x00\x00')
package main

import (
	"encoding/binary"
	"fmt"

	"github.com/zkmips/zkmips/guest/zkvm"
)

func main() {
	in := zkvm.Read()
	if len(in) != 4 {
		fmt.Printf("zkvm-fib: input must be 4 bytes (little-endian uint32 n), got %d\n", len(in))
		zkvm.Exit(1)
	}
	n := binary.LittleEndian.Uint32(in)

	var a, b uint32 = 0, 1
	for i := uint32(0); i < n; i++ {
		a, b = b, a+b
	}

	var out [8]byte
	binary.LittleEndian.PutUint32(out[0:], n)
	binary.LittleEndian.PutUint32(out[4:], a)
	zkvm.Commit(out[:])
	fmt.Printf("fib(%d) mod 2^32 = %d\n", n, a)
	zkvm.Exit(0)
}
