// Command goversions exercises the Go runtime paths that differ between Go
// releases (timers and the netpoller, goroutines, channels, maps, large
// allocations) so the same source can be run under each supported Go.
package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"
)

func main() {
	fmt.Println("args", len(os.Args), strings.Join(os.Args[1:], ","))
	var wg sync.WaitGroup
	results := make(chan int, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results <- i * i
		}(i)
	}
	wg.Wait()
	close(results)
	var got []int
	for r := range results {
		got = append(got, r)
	}
	sort.Ints(got)
	fmt.Println("squares", got)

	start := time.Now()
	time.Sleep(2 * time.Millisecond)
	fmt.Println("slept at least 2ms:", time.Since(start) >= 2*time.Millisecond)

	m := map[string]int{}
	for i := 0; i < 1000; i++ {
		m[fmt.Sprint(i%37)] += i
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Println("map", len(m), keys[0], m[keys[0]])

	big := make([]byte, 8<<20)
	for i := range big {
		big[i] = byte(i * 7)
	}
	fmt.Printf("sha256 %x\n", sha256.Sum256(big))

	// The collector runs from Go 1.23 on; before that these must at least
	// return. The garbage would exhaust a 32-bit heap without a collector
	// only if it were larger; here it checks that collection is harmless.
	runtime.GC()
	debug.FreeOSMemory()
	n := 0
	for i := 0; i < 300; i++ {
		b := make([]byte, 1<<20)
		b[i] = byte(i)
		n += int(b[i])
		_ = fmt.Sprintf("%d-%x", i, n)
	}
	fmt.Println("garbage", n)
}
