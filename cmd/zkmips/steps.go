package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// stepPoint is a --proof-at style schedule, checked before each step
// executes, as Cannon's flags: never, always, =N (before step N) or %N
// (before every step that is a multiple of N).
type stepPoint struct {
	kind  byte // 0 never, 'a' always, '=' one step, '%' every multiple
	value uint64
}

// parseStepPoint parses never|always|=N|%N.
func parseStepPoint(flag, s string) (stepPoint, error) {
	switch {
	case s == "" || s == "never":
		return stepPoint{}, nil
	case s == "always":
		return stepPoint{kind: 'a'}, nil
	case strings.HasPrefix(s, "=") || strings.HasPrefix(s, "%"):
		n, err := strconv.ParseUint(s[1:], 10, 64)
		if err != nil || (s[0] == '%' && n == 0) {
			break
		}
		return stepPoint{kind: s[0], value: n}, nil
	}
	return stepPoint{}, fmt.Errorf("--%s %q: want never, always, =N (before step N) or %%N (before every N-th step, N > 0)", flag, s)
}

// matches reports whether the point selects the step about to execute.
func (p stepPoint) matches(step uint64) bool {
	switch p.kind {
	case 'a':
		return true
	case '=':
		return step == p.value
	case '%':
		return step%p.value == 0
	}
	return false
}

// next returns the first step >= from the point selects, or false.
func (p stepPoint) next(from uint64) (uint64, bool) {
	switch p.kind {
	case 'a':
		return from, true
	case '=':
		return p.value, p.value >= from
	case '%':
		n := (from + p.value - 1) / p.value * p.value
		return n, n >= from
	}
	return 0, false
}

func (p stepPoint) String() string {
	switch p.kind {
	case 'a':
		return "always"
	case '=', '%':
		return fmt.Sprintf("%c%d", p.kind, p.value)
	}
	return "never"
}

// maxStepList bounds --step lists and ranges (one proof each).
const maxStepList = 1 << 20

// parseStepList parses prove-step's --step: N, a comma-separated list, or
// ranges A-B (inclusive), e.g. "5", "1,4,9", "100-199,500". The result is
// sorted and without duplicates.
func parseStepList(s string) ([]uint64, error) {
	var out []uint64
	bad := func(part string) error {
		return fmt.Errorf("--step %q: %q is not a step number or a range A-B (e.g. --step 5, --step 1,4,9, --step 100-199)", s, part)
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseUint(lo, 10, 64)
		if err != nil {
			return nil, bad(part)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 64); err != nil || b < a {
				return nil, bad(part)
			}
		}
		if b-a >= maxStepList || len(out)+int(b-a+1) > maxStepList {
			return nil, fmt.Errorf("--step %q: more than %d steps", s, maxStepList)
		}
		for n := a; ; n++ {
			out = append(out, n)
			if n == b {
				break
			}
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	return out, nil
}
