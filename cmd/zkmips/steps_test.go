package main

import (
	"slices"
	"strings"
	"testing"
)

func TestStepPoints(t *testing.T) {
	for _, c := range []struct {
		in   string
		hits []uint64 // among 0..9
	}{
		{"never", nil}, {"", nil}, {"always", []uint64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"=0", []uint64{0}}, {"=7", []uint64{7}}, {"%3", []uint64{0, 3, 6, 9}}, {"%1", []uint64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
	} {
		p, err := parseStepPoint("proof-at", c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		var hits []uint64
		for s := uint64(0); s < 10; s++ {
			if p.matches(s) {
				hits = append(hits, s)
			}
			// next agrees with matches.
			n, ok := p.next(s)
			if want := slices.IndexFunc(c.hits, func(h uint64) bool { return h >= s }); (want >= 0) != ok || ok && n != c.hits[want] && n < 10 {
				t.Fatalf("%q.next(%d) = %d, %v", c.in, s, n, ok)
			}
		}
		if !slices.Equal(hits, c.hits) {
			t.Fatalf("%q matches %v, want %v", c.in, hits, c.hits)
		}
	}
	for _, bad := range []string{"%0", "=x", "5", "sometimes", "=-1", "%"} {
		if _, err := parseStepPoint("proof-at", bad); err == nil || !strings.Contains(err.Error(), "--proof-at") {
			t.Fatalf("%q: %v", bad, err)
		}
	}
}

func TestStepList(t *testing.T) {
	for in, want := range map[string][]uint64{
		"5": {5}, "1,4,9": {1, 4, 9}, "9,1,4,4": {1, 4, 9}, "3-6": {3, 4, 5, 6}, "10-10,2": {2, 10}, " 7 , 8-9": {7, 8, 9},
	} {
		got, err := parseStepList(in)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "5-3", "1,,2", "-4", "0-99999999999"} {
		if _, err := parseStepList(bad); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
}
