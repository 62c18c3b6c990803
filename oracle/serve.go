package oracle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/zkmips/zkmips/executor"
)

// Serve is the host side of the pre-image protocol: it answers the
// requests of a client such as Host (or Cannon) from src. It reads hints
// (u32 big-endian length || hint) from hints, passes each to src.Hint and
// acknowledges it with one byte on acks; concurrently it reads 32-byte
// keys from keys and answers each with u64 big-endian length || data from
// src.Preimage on values. It returns nil when both request streams have
// ended cleanly, and the first error otherwise (after which the client
// sees its pipes close). src must be safe for concurrent use.
func Serve(src executor.Oracle, hints io.Reader, acks io.Writer, keys io.Reader, values io.Writer) error {
	errs := make(chan error, 2)
	go func() { errs <- serveHints(src, hints, acks) }()
	go func() { errs <- servePreimages(src, keys, values) }()
	first := <-errs
	if first != nil {
		return first
	}
	return <-errs
}

// ServeFDs runs Serve on descriptors 3 (hints), 4 (acknowledgements), 5
// (keys) and 6 (values) of the current process: the descriptors a host
// started by Host, or by Cannon, is given.
func ServeFDs(src executor.Oracle) error {
	files := make([]*os.File, 4)
	for i := range files {
		fd := uintptr(3 + i)
		files[i] = os.NewFile(fd, fmt.Sprintf("fd %d", fd))
		if files[i] == nil {
			return fmt.Errorf("pre-image host: descriptor %d is not open (start this program as a pre-image host)", fd)
		}
	}
	return Serve(src, files[0], files[1], files[2], files[3])
}

func serveHints(src executor.Oracle, hints io.Reader, acks io.Writer) error {
	var lb [4]byte
	for {
		if _, err := io.ReadFull(hints, lb[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("pre-image host: reading a hint: %w", err)
		}
		n := binary.BigEndian.Uint32(lb[:])
		if n > 1<<26 {
			return fmt.Errorf("pre-image host: a hint of %d bytes is too long", n)
		}
		hint := make([]byte, n)
		if _, err := io.ReadFull(hints, hint); err != nil {
			return fmt.Errorf("pre-image host: reading a hint of %d bytes: %w", n, err)
		}
		if err := src.Hint(hint); err != nil {
			return fmt.Errorf("pre-image host: hint %q: %w", shortHint(hint), err)
		}
		if _, err := acks.Write([]byte{1}); err != nil {
			return fmt.Errorf("pre-image host: acknowledging a hint: %w", err)
		}
	}
}

func servePreimages(src executor.Oracle, keys io.Reader, values io.Writer) error {
	var key [32]byte
	for {
		if _, err := io.ReadFull(keys, key[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("pre-image host: reading a key: %w", err)
		}
		data, err := src.Preimage(key)
		if err != nil {
			return fmt.Errorf("pre-image host: %w", err)
		}
		msg := make([]byte, 8+len(data))
		binary.BigEndian.PutUint64(msg, uint64(len(data)))
		copy(msg[8:], data)
		if _, err := values.Write(msg); err != nil {
			return fmt.Errorf("pre-image host: answering pre-image 0x%x: %w", key, err)
		}
	}
}
