package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/klauspost/compress/zstd"
	"github.com/zkmips/zkmips/internal/prefault"
)

// Snapshot files (--snapshot-at, --from-snapshot) are the executor's
// snapshot bytes compressed with zstd: memory pages of real programs
// compress several-fold, and decompression costs little next to reading.
var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// encodeSnapshotFile compresses snapshot bytes for a file.
func encodeSnapshotFile(b []byte) ([]byte, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	defer enc.Close()
	return enc.EncodeAll(b, make([]byte, 0, len(b)/4)), nil
}

// readSnapshotFile returns the snapshot bytes of a file written by
// encodeSnapshotFile (or an uncompressed snapshot).
func readSnapshotFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(b, zstdMagic) {
		return b, err
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(8<<30))
	if err != nil {
		return nil, err
	}
	defer dec.Close()
	// Decode into a buffer of the announced size (bounded as the decoder
	// bounds it), populated at once: faulting its pages in one by one cost
	// as much as the decompression.
	var dst []byte
	var h zstd.Header
	if h.Decode(b) == nil && h.HasFCS && h.FrameContentSize <= 8<<30 {
		dst = make([]byte, 0, h.FrameContentSize)
		prefault.Bytes(dst[:h.FrameContentSize])
	}
	out, err := dec.DecodeAll(b, dst)
	if err != nil {
		return nil, fmt.Errorf("%s: corrupt compressed snapshot: %w", path, err)
	}
	return out, nil
}
