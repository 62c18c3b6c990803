// Command maps builds maps of several key types and prints them in sorted
// order (map iteration order itself is random).
package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

func main() {
	text := `the quick brown fox jumps over the lazy dog the dog barks and the fox runs
over the hill and far away the end`
	counts := map[string]int{}
	for _, w := range strings.Fields(text) {
		counts[w]++
	}
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		fmt.Printf("%s=%d ", k, counts[k])
	}
	fmt.Println()

	m := map[int]int{}
	for i := 0; i < 100000; i++ {
		m[i*7919%100003] = i
	}
	for i := 0; i < 100000; i += 3 {
		delete(m, i)
	}
	sum := 0
	for k, v := range m {
		sum += k ^ v
	}
	fmt.Println("int map len", len(m), "xorsum", sum)

	type key struct {
		a, b int
	}
	s := map[key]string{}
	for i := 0; i < 50; i++ {
		s[key{i % 5, i % 7}] += fmt.Sprint(i % 10)
	}
	keys := slices.SortedFunc(maps.Keys(s), func(x, y key) int {
		if x.a != y.a {
			return x.a - y.a
		}
		return x.b - y.b
	})
	for _, k := range keys[:8] {
		fmt.Printf("%v:%s ", k, s[k])
	}
	fmt.Println(len(keys))
}
