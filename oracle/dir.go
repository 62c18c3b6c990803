package oracle

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/zkmips/zkmips/executor"
)

// Store is a pre-image oracle over a local directory (see Dir). It is safe
// for concurrent use.
type Store struct {
	path string
}

var _ executor.Oracle = (*Store)(nil)

// Dir returns the pre-image store in directory path: the pre-image of key
// K is the file named by K as 64 lowercase hex digits (a name with a "0x"
// prefix is accepted too). Keccak256 (type 2) and sha256 (type 4) keys are
// checked against the file's contents; other keys are served as they are.
// Hints are ignored.
func Dir(path string) (*Store, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("pre-image directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("pre-image directory %s is not a directory", path)
	}
	return &Store{path: path}, nil
}

// Path returns the store's directory.
func (s *Store) Path() string { return s.path }

// Hint ignores the hint: a store holds every pre-image already.
func (s *Store) Hint(hint []byte) error { return nil }

// Preimage reads the file named by key and checks its contents against
// keccak256 and sha256 keys.
func (s *Store) Preimage(key [32]byte) ([]byte, error) {
	name := hex.EncodeToString(key[:])
	var f *os.File
	var err error
	for _, n := range []string{name, "0x" + name} {
		f, err = os.Open(filepath.Join(s.path, n))
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			name = n
			break
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("pre-image store %s has no %s pre-image 0x%x: add its data as %s", s.path, KeyTypeName(key[0]), key, filepath.Join(s.path, name))
	}
	if err != nil {
		return nil, fmt.Errorf("pre-image store: %w", err)
	}
	defer f.Close()
	file := filepath.Join(s.path, name)
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("pre-image store: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("pre-image file %s is not a regular file", file)
	}
	if fi.Size() > executor.MaxPreimageSize {
		return nil, fmt.Errorf("pre-image file %s has %d bytes; the limit is %d", file, fi.Size(), executor.MaxPreimageSize)
	}
	data, err := io.ReadAll(io.LimitReader(f, executor.MaxPreimageSize+1))
	if err != nil {
		return nil, fmt.Errorf("pre-image store: %w", err)
	}
	if len(data) > executor.MaxPreimageSize {
		return nil, fmt.Errorf("pre-image file %s has more than %d bytes", file, executor.MaxPreimageSize)
	}
	if err := Verify(key, data); err != nil {
		return nil, fmt.Errorf("pre-image file %s is corrupt or misnamed: %w", file, err)
	}
	return data, nil
}
