// Command sortstr exercises sort, strings, strconv and bytes.
package main

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

func main() {
	x := uint32(12345)
	nums := make([]int, 2000)
	for i := range nums {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		nums[i] = int(x % 100000)
	}
	sort.Ints(nums)
	fmt.Println("ints", nums[0], nums[1000], nums[1999], sort.IntsAreSorted(nums), sort.SearchInts(nums, 50000))
	words := strings.Fields("zeta alpha Mu beta gamma delta epsilon eta theta iota kappa lambda")
	sort.Strings(words)
	fmt.Println(strings.Join(words, ","))
	sort.SliceStable(words, func(i, j int) bool { return len(words[i]) < len(words[j]) })
	fmt.Println(words)

	s := "Hello, Gophers! Hello, MIPS!"
	fmt.Println(strings.ToUpper(s), strings.Count(s, "Hello"), strings.Index(s, "MIPS"), strings.ReplaceAll(s, "Hello", "Bye"))
	fmt.Println(strings.Split("a,b,,c", ","), strings.TrimSpace("  x y  "), strings.Repeat("ab", 3), strings.EqualFold("Go", "GO"))
	before, after, found := strings.Cut("key=value", "=")
	fmt.Println(before, after, found, strings.Map(func(r rune) rune { return r + 1 }, "HAL"))

	var sb strings.Builder
	for i := 0; i < 10; i++ {
		sb.WriteString(strconv.Itoa(i * i))
		sb.WriteByte(' ')
	}
	fmt.Println(sb.String())
	for _, in := range []string{"42", "-17", "0x1f", "9999999999", "abc"} {
		v, err := strconv.ParseInt(in, 0, 32)
		fmt.Println(in, v, err)
	}
	fmt.Println(strconv.FormatInt(-255, 16), strconv.Quote("tab\there"), strconv.FormatUint(1<<63, 36))
	f, _ := strconv.ParseFloat("3.25e2", 64)
	fmt.Println(f, strconv.FormatFloat(1.0/3, 'g', 10, 64), strconv.FormatFloat(f*1.5, 'f', 3, 64))
	b, _ := strconv.ParseBool("true")
	fmt.Println(b, strconv.AppendInt([]byte("n="), 77, 10))

	bb := bytes.Repeat([]byte("xyz"), 5)
	fmt.Println(string(bytes.ToUpper(bb)), bytes.Index(bb, []byte("zx")), bytes.Equal(bb[:3], []byte("xyz")))
	var buf bytes.Buffer
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&buf, "[%02d]", i)
	}
	fmt.Println(buf.String(), buf.Len(), bytes.Compare([]byte("a"), []byte("b")))
	fields := bytes.Fields([]byte(" one two  three "))
	fmt.Printf("%q\n", fields)
}
