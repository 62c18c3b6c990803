// Command panic panics: exit status 2 and a message on stderr.
package main

import "fmt"

func main() {
	fmt.Println("about to panic")
	var m map[string]int
	if len(m) == 0 {
		panic("deliberate panic")
	}
}
