// Command alloc allocates 200 MiB in total as 1 MiB slices that are dropped
// right away, so a collector has to reclaim them (or the address space has
// to hold them all).
package main

import (
	"fmt"
	"os"
	"strconv"
)

var sink []byte

func main() {
	n := 200
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	sum := 0
	for i := 0; i < n; i++ {
		b := make([]byte, 1<<20)
		for j := 0; j < len(b); j += 4096 {
			b[j] = byte(i + j>>12)
		}
		sum += int(b[i*4096%len(b)])
		sink = b
	}
	fmt.Println("allocated", n, "MiB, checksum", sum)
}
