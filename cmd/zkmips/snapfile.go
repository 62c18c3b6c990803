package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"

	"github.com/klauspost/compress/zstd"
	"github.com/zkmips/zkmips/internal/prefault"
	"github.com/zkmips/zkmips/witness"
)

// Snapshot files (--snapshot-at, --from-snapshot) are the executor's
// snapshot bytes compressed with zstd: memory pages of real programs
// compress several-fold, and decompression costs little next to reading.
var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// encodeSnapshotFile compresses snapshot bytes for a file. With roots
// (the memory tree's page roots, witness.Tree.PageRoots), it appends them
// in a zstd skippable frame, which zstd tools and readers that do not know
// it skip:
//
//	u32 0x184D2A5E (skippable frame magic), u32 payload length, then the
//	payload: per page, in address order, u32 page address and its 32-byte
//	root; the snapshot's own SHA-256 trailer (its last 32 bytes), binding
//	the roots to it; u32 page count; "ZKMROOTS"; SHA-256 of everything
//	before.
//
// All integers are little-endian. A proof from the snapshot then need not
// hash all of memory, most of its time otherwise.
func encodeSnapshotFile(b []byte, roots []witness.PageRoot) ([]byte, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	defer enc.Close()
	out := enc.EncodeAll(b, make([]byte, 0, len(b)/4+len(roots)*rootSize+84))
	if len(roots) == 0 || len(b) < sha256.Size {
		return out, nil
	}
	n := len(roots)*rootSize + rootsTrailer
	out = binary.LittleEndian.AppendUint32(out, rootsFrameMagic)
	out = binary.LittleEndian.AppendUint32(out, uint32(n))
	payload := len(out)
	for _, r := range roots {
		out = binary.LittleEndian.AppendUint32(out, r.Page)
		out = append(out, r.Root[:]...)
	}
	out = append(out, b[len(b)-sha256.Size:]...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(roots)))
	out = append(out, rootsMagic...)
	sum := sha256.Sum256(out[payload:])
	return append(out, sum[:]...), nil
}

const (
	// rootsFrameMagic is the zstd skippable frame magic the page roots use
	// (RFC 8878 reserves 0x184D2A50 to 0x184D2A5F).
	rootsFrameMagic = 0x184D2A5E
	rootsMagic      = "ZKMROOTS"
	rootSize        = 4 + 32
	// rootsTrailer is the payload after the roots: snapshot checksum,
	// count, magic, checksum.
	rootsTrailer = sha256.Size + 4 + len(rootsMagic) + sha256.Size
)

// readSnapshotFile returns the snapshot bytes of a file written by
// encodeSnapshotFile (or an uncompressed snapshot), and the page roots it
// carries, if any, that are intact and belong to those bytes.
func readSnapshotFile(path string) ([]byte, []witness.PageRoot, error) {
	b, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(b, zstdMagic) {
		return b, nil, err
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(8<<30))
	if err != nil {
		return nil, nil, err
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
		return nil, nil, fmt.Errorf("%s: corrupt compressed snapshot: %w", path, err)
	}
	return out, snapshotRoots(b, out), nil
}

// snapshotRoots returns the page roots at the end of file, or nil when
// there are none or they do not check out (they are only a cache: the
// proof then hashes memory itself).
func snapshotRoots(file, snapshot []byte) []witness.PageRoot {
	if len(file) < 8+rootsTrailer || len(snapshot) < sha256.Size {
		return nil
	}
	t := file[len(file)-rootsTrailer:]
	if string(t[sha256.Size+4:sha256.Size+4+len(rootsMagic)]) != rootsMagic {
		return nil
	}
	count := uint64(binary.LittleEndian.Uint32(t[sha256.Size:]))
	n := count*rootSize + uint64(rootsTrailer)
	if n+8 > uint64(len(file)) {
		return nil
	}
	frame := file[uint64(len(file))-n-8:]
	payload := frame[8:]
	if binary.LittleEndian.Uint32(frame) != rootsFrameMagic || uint64(binary.LittleEndian.Uint32(frame[4:])) != n {
		return nil
	}
	body, sum := payload[:n-sha256.Size], payload[n-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) ||
		!bytes.Equal(body[count*rootSize:count*rootSize+sha256.Size], snapshot[len(snapshot)-sha256.Size:]) {
		return nil
	}
	roots := make([]witness.PageRoot, count)
	for i := range roots {
		e := body[rootSize*i:]
		roots[i].Page = binary.LittleEndian.Uint32(e)
		copy(roots[i].Root[:], e[4:rootSize])
	}
	return roots
}
