// Command hashes prints SHA-256, SHA-512 and CRC32 digests of generated data.
package main

import (
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash/crc32"
)

func main() {
	fmt.Printf("sha256(\"\") = %x\n", sha256.Sum256(nil))
	fmt.Printf("sha256(abc) = %x\n", sha256.Sum256([]byte("abc")))
	fmt.Printf("sha512(abc) = %x\n", sha512.Sum512([]byte("abc")))
	data := make([]byte, 1<<20)
	x := uint32(1)
	for i := range data {
		x = x*1664525 + 1013904223
		data[i] = byte(x >> 24)
	}
	fmt.Printf("sha256(1MiB) = %x\n", sha256.Sum256(data))
	h := sha512.New()
	for i := 0; i < 10; i++ {
		h.Write(data[i*1000 : i*1000+12345])
	}
	fmt.Printf("sha512(chunks) = %x\n", h.Sum(nil))
	fmt.Printf("sha224 = %x, sha384 = %x\n", sha256.Sum224(data[:100]), sha512.Sum384(data[:100]))
	fmt.Printf("crc32 = %08x\n", crc32.ChecksumIEEE(data))
}
