// Command zkvm-hash is a zkmips zkVM guest written in Go that uses the
// hashing precompiles. It reads one input item (any bytes), hashes it
// `rounds` times with SHA-256 and Keccak-256 through the SHA_EXTEND,
// SHA_COMPRESS and KECCAK_SPONGE precompiles (each round hashes the previous
// digest), commits both final digests (64 bytes) as its public values,
// prints them, and exits through zkvm.Exit, which commits the sha256 of the
// public values.
//
//	zkmips run example:hash --input <(printf 'hello')
//	zkmips execute example:hash --input <(printf 'hello') --out trace
package main

import (
	"fmt"

	"github.com/zkmips/zkmips/guest/zkvm"
)

const rounds = 100

func main() {
	in := zkvm.Read()
	s, k := zkvm.Sha256(in), zkvm.Keccak256(in)
	for i := 1; i < rounds; i++ {
		s, k = zkvm.Sha256(s[:]), zkvm.Keccak256(k[:])
	}
	zkvm.Commit(s[:])
	zkvm.Commit(k[:])
	fmt.Printf("sha256^%d:    %x\nkeccak256^%d: %x\n", rounds, s, rounds, k)
	zkvm.Exit(0)
}
