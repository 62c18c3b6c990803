package prefault

import (
	"bytes"
	"testing"
)

// TestKeepsContents checks that populating memory never changes what it
// holds (a wrong advice, such as MADV_DONTNEED, would zero it), for
// buffers of every alignment and for sizes below and above the threshold.
func TestKeepsContents(t *testing.T) {
	for _, n := range []int{0, 1, 4095, minBytes, 3*minBytes + 123} {
		for off := range 3 {
			buf := make([]byte, n+off)
			for i := range buf {
				buf[i] = byte(i*7 + 1)
			}
			want := bytes.Clone(buf)
			Bytes(buf[off:])
			if !bytes.Equal(buf, want) {
				t.Fatalf("Bytes changed a %d-byte buffer at offset %d", n, off)
			}
			words := make([]uint32, (n+off)/4)
			for i := range words {
				words[i] = uint32(i) * 2654435761
			}
			Slice(words[min(off, len(words)):])
			for i, w := range words {
				if w != uint32(i)*2654435761 {
					t.Fatalf("Slice changed word %d of %d", i, len(words))
				}
			}
		}
	}
}
