// Command argsenv prints os.Args, some variables and the sorted environment.
package main

import (
	"fmt"
	"os"
	"sort"
)

func main() {
	fmt.Println("argc", len(os.Args))
	for i, a := range os.Args {
		fmt.Printf("arg[%d]=%q\n", i, a)
	}
	fmt.Printf("ZK_TEST=%q\n", os.Getenv("ZK_TEST"))
	v, ok := os.LookupEnv("EMPTY")
	fmt.Printf("EMPTY=%q %v\n", v, ok)
	_, ok = os.LookupEnv("MISSING")
	fmt.Println("MISSING set:", ok)
	env := os.Environ()
	sort.Strings(env)
	for _, e := range env {
		fmt.Println("env", e)
	}
}
