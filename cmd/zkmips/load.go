package main

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/zkmips/zkmips/examples"
	"github.com/zkmips/zkmips/program"
)

// examplePrefix marks a PROGRAM argument naming an embedded example.
const examplePrefix = "example:"

// loadProgram loads the PROGRAM argument of a command: a file path, or
// example:NAME for an embedded example. It also returns the name the guest
// sees as argv[0]: the file's base name, or the example name.
func loadProgram(arg string) (*program.Program, string, error) {
	if name, ok := strings.CutPrefix(arg, examplePrefix); ok {
		data, ok := examples.Get(name)
		if !ok {
			return nil, "", unknownExample(name)
		}
		p, err := program.Load(data)
		if err != nil {
			return nil, "", fmt.Errorf("example %s: %w", name, err)
		}
		return p, name, nil
	}
	if arg == "" {
		return nil, "", fmt.Errorf("empty program path")
	}
	p, err := program.LoadFile(arg)
	if err != nil {
		return nil, "", err
	}
	return p, filepath.Base(arg), nil
}

// unknownExample explains that no embedded example is called name.
func unknownExample(name string) error {
	names := examples.Names()
	for alias := range examples.Aliases() {
		names = append(names, alias)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return fmt.Errorf("unknown example %q: this build has no embedded examples", name)
	}
	if s := suggest(name, names); s != "" {
		return fmt.Errorf("unknown example %q (did you mean %q?); \"zkmips examples\" lists them", name, s)
	}
	return fmt.Errorf("unknown example %q; available: %s", name, strings.Join(names, ", "))
}

// suggest returns the name in names closest to query, or "" when none is
// close: a case-insensitive match, then a name query is a qualified suffix
// or substring of (main → main.main), then the smallest edit distance
// within a third of the query's length.
func suggest(query string, names []string) string {
	if query == "" {
		return ""
	}
	lq := strings.ToLower(query)
	best, bestScore := "", 0
	better := func(name string, score int) {
		if best == "" || score < bestScore || score == bestScore && (len(name) < len(best) || len(name) == len(best) && name < best) {
			best, bestScore = name, score
		}
	}
	limit := max(1, len(query)/3)
	for _, n := range names {
		ln := strings.ToLower(n)
		switch {
		case n == query:
			continue
		case ln == lq:
			better(n, 0)
		case strings.HasSuffix(ln, "."+lq):
			better(n, 1)
		case len(lq) >= 3 && strings.Contains(ln, lq):
			better(n, 2)
		default:
			if abs(len(ln)-len(lq)) > limit {
				continue
			}
			if d := editDistance(lq, ln); d <= limit {
				better(n, 2+d)
			}
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
