// Command hello prints a greeting with fmt.
package main

import "fmt"

func main() {
	fmt.Println("hello, world")
	fmt.Printf("%d %x %q %v %.3f\n", -42, 48879, "quoted", []int{1, 2, 3}, 2.5)
}
