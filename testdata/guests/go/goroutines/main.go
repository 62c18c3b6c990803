// Command goroutines runs workers over channels, a WaitGroup, a mutex,
// atomics and select, and prints results that do not depend on scheduling.
package main

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
)

func worker(id int, jobs <-chan int, results chan<- [2]int, wg *sync.WaitGroup) {
	defer wg.Done()
	for j := range jobs {
		s := 0
		for k := 0; k <= j*1000; k++ {
			s += k % 7
		}
		results <- [2]int{j, s}
	}
}

func main() {
	jobs := make(chan int)
	results := make(chan [2]int, 100)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go worker(w, jobs, results, &wg)
	}
	go func() {
		for j := 0; j < 40; j++ {
			jobs <- j
		}
		close(jobs)
	}()
	wg.Wait()
	close(results)
	var got [][2]int
	for r := range results {
		got = append(got, r)
	}
	sort.Slice(got, func(i, j int) bool { return got[i][0] < got[j][0] })
	total := 0
	for _, r := range got {
		total += r[1]
	}
	fmt.Println("jobs", len(got), "total", total, "first", got[0], "last", got[len(got)-1])

	// A mutex-protected counter and an atomic one.
	var mu sync.Mutex
	var n int
	var a atomic.Int64
	var wg2 sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg2.Add(1)
		go func(i int) {
			defer wg2.Done()
			for k := 0; k < 1000; k++ {
				mu.Lock()
				n += i
				mu.Unlock()
				a.Add(int64(k))
			}
		}(i)
	}
	wg2.Wait()
	fmt.Println("mutex", n, "atomic", a.Load())

	// select over two producers until both are done.
	c1, c2 := make(chan int), make(chan string)
	done := make(chan struct{})
	go func() {
		for i := 0; i < 50; i++ {
			c1 <- i
		}
		close(c1)
	}()
	go func() {
		for i := 0; i < 30; i++ {
			c2 <- fmt.Sprint(i)
		}
		close(c2)
	}()
	go func() {
		sum, chars := 0, 0
		for c1 != nil || c2 != nil {
			select {
			case v, ok := <-c1:
				if !ok {
					c1 = nil
					continue
				}
				sum += v
			case s, ok := <-c2:
				if !ok {
					c2 = nil
					continue
				}
				chars += len(s)
			}
		}
		fmt.Println("select sum", sum, "chars", chars)
		close(done)
	}()
	<-done

	// sync.Once and a buffered pipeline.
	var once sync.Once
	for i := 0; i < 3; i++ {
		once.Do(func() { fmt.Println("once") })
	}
	in := make(chan int, 8)
	out := make(chan int, 8)
	go func() {
		for v := range in {
			out <- v * v
		}
		close(out)
	}()
	go func() {
		for i := 1; i <= 100; i++ {
			in <- i
		}
		close(in)
	}()
	sq := 0
	for v := range out {
		sq += v
	}
	fmt.Println("pipeline", sq)
}
