// Command sleep sleeps for 10 ms (timers, nanosleep, the scheduler) and must
// terminate.
package main

import (
	"fmt"
	"time"
)

func main() {
	start := time.Now()
	time.Sleep(10 * time.Millisecond)
	fmt.Println("slept; at least 10ms elapsed:", time.Since(start) >= 10*time.Millisecond)
	t := time.NewTimer(5 * time.Millisecond)
	select {
	case <-t.C:
		fmt.Println("timer fired")
	case <-time.After(time.Hour):
		fmt.Println("hour passed?")
	}
	tick := time.NewTicker(time.Millisecond)
	for i := 0; i < 3; i++ {
		<-tick.C
	}
	tick.Stop()
	fmt.Println("ticked 3 times")
}
