// Command stdin reads standard input line by line and prints counts and a
// checksum.
package main

import (
	"bufio"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strings"
)

func main() {
	r := bufio.NewReader(os.Stdin)
	lines, words, bytes := 0, 0, 0
	crc := crc32.NewIEEE()
	longest := ""
	for {
		line, err := r.ReadString('\n')
		if len(line) > 0 {
			bytes += len(line)
			crc.Write([]byte(line))
			words += len(strings.Fields(line))
			if strings.HasSuffix(line, "\n") {
				lines++
			}
			if len(line) > len(longest) {
				longest = strings.TrimRight(line, "\n")
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("lines=%d words=%d bytes=%d crc32=%08x longest=%q\n", lines, words, bytes, crc.Sum32(), longest)
}
