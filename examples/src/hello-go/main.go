// Command hello-go is a plain Linux Go program used as a zkmips example: it
// prints a greeting and the first ten Fibonacci numbers.
package main

import "fmt"

func main() {
	fmt.Println("hello from zkmips")
	a, b := 0, 1
	fibs := make([]int, 0, 10)
	for range 10 {
		fibs = append(fibs, a)
		a, b = b, a+b
	}
	fmt.Println("fib:", fibs)
}
