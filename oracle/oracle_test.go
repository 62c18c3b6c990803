package oracle_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zkmips/zkmips/oracle"
)

// hostEnv switches the test binary into a pre-image host (see testHost).
const hostEnv = "ZKMIPS_ORACLE_TEST_HOST"

func TestMain(m *testing.M) {
	if mode := os.Getenv(hostEnv); mode != "" {
		os.Exit(testHost(mode))
	}
	os.Exit(m.Run())
}

// loggingStore serves a directory and prints each hint on stderr.
type loggingStore struct{ *oracle.Store }

func (s loggingStore) Hint(h []byte) error {
	fmt.Fprintf(os.Stderr, "host got hint %q\n", h)
	return nil
}

// wrongStore answers every key with the same bytes.
type wrongStore struct{}

func (wrongStore) Hint([]byte) error                 { return nil }
func (wrongStore) Preimage([32]byte) ([]byte, error) { return []byte("wrong"), nil }

// testHost is the pre-image host the tests start: "serve:DIR" serves a
// directory (exit 1 on the first error), "wrong" answers wrong data,
// "exit3" exits at once with status 3.
func testHost(mode string) int {
	var err error
	switch {
	case strings.HasPrefix(mode, "serve:"):
		var s *oracle.Store
		if s, err = oracle.Dir(strings.TrimPrefix(mode, "serve:")); err == nil {
			err = oracle.ServeFDs(loggingStore{s})
		}
	case mode == "wrong":
		err = oracle.ServeFDs(wrongStore{})
	case mode == "exit3":
		return 3
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "test host:", err)
		return 1
	}
	return 0
}

func writeFile(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

// store builds a directory with a keccak, a sha256 and a local pre-image
// (the last under a 0x-prefixed name), and a corrupt keccak one.
func store(t *testing.T) (dir string, good map[[32]byte][]byte, bad [32]byte) {
	dir = t.TempDir()
	good = map[[32]byte][]byte{}
	kData, sData, lData := []byte("keccak pre-image"), []byte("sha256 pre-image"), []byte{}
	good[oracle.Keccak256Key(kData)] = kData
	good[oracle.Sha256Key(sData)] = sData
	good[oracle.LocalKey(3)] = lData
	for k, v := range good {
		name := hex.EncodeToString(k[:])
		if k[0] == oracle.LocalKeyType {
			name = "0x" + name
		}
		writeFile(t, dir, name, v)
	}
	bad = oracle.Keccak256Key([]byte("the real data"))
	writeFile(t, dir, hex.EncodeToString(bad[:]), []byte("other data"))
	return dir, good, bad
}

func TestKeys(t *testing.T) {
	// keccak256("") and sha256("") with byte 0 replaced.
	if k := oracle.Keccak256Key(nil); hex.EncodeToString(k[:]) != "02d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470" {
		t.Errorf("Keccak256Key(nil) = %x", k)
	}
	s := sha256.Sum256(nil)
	s[0] = 4
	if oracle.Sha256Key(nil) != s {
		t.Errorf("Sha256Key(nil) = %x", oracle.Sha256Key(nil))
	}
	if k := oracle.LocalKey(0x0102); k[0] != 1 || k[30] != 1 || k[31] != 2 {
		t.Errorf("LocalKey = %x", k)
	}
	if err := oracle.Verify(oracle.Keccak256Key([]byte("a")), []byte("a")); err != nil {
		t.Error(err)
	}
	wantErr(t, oracle.Verify(oracle.Sha256Key([]byte("a")), []byte("b")), "sha256 key", "hash to")
	if err := oracle.Verify(oracle.LocalKey(1), []byte("anything")); err != nil {
		t.Error(err)
	}
}

func TestDir(t *testing.T) {
	dir, good, bad := store(t)
	s, err := oracle.Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Hint([]byte("ignored")); err != nil {
		t.Fatal(err)
	}
	for k, v := range good {
		got, err := s.Preimage(k)
		if err != nil {
			t.Fatalf("key %x: %v", k, err)
		}
		if !bytes.Equal(got, v) {
			t.Fatalf("key %x: %q, want %q", k, got, v)
		}
	}
	badName := hex.EncodeToString(bad[:])
	_, err = s.Preimage(bad)
	wantErr(t, err, filepath.Join(dir, badName), "corrupt or misnamed", "keccak256")

	missing := oracle.Sha256Key([]byte("missing"))
	_, err = s.Preimage(missing)
	wantErr(t, err, "sha256 pre-image 0x"+hex.EncodeToString(missing[:]), "store "+dir, "add its data as "+filepath.Join(dir, hex.EncodeToString(missing[:])))

	_, err = oracle.Dir(filepath.Join(dir, "nope"))
	wantErr(t, err, "nope")
	_, err = oracle.Dir(filepath.Join(dir, badName))
	wantErr(t, err, "not a directory")
}

// startHost starts the test binary as a host in mode.
func startHost(t *testing.T, mode string) (*oracle.HostProcess, *syncBuffer) {
	t.Helper()
	t.Setenv(hostEnv, mode)
	var stderr syncBuffer
	h, err := oracle.Host([]string{os.Args[0], "-test.run=^$"}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h, &stderr
}

// syncBuffer is a bytes.Buffer safe for the host's output copier.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestHost(t *testing.T) {
	dir, good, bad := store(t)
	h, stderr := startHost(t, "serve:"+dir)
	for _, hint := range []string{"l2-block-header 0x1234", ""} {
		if err := h.Hint([]byte(hint)); err != nil {
			t.Fatal(err)
		}
	}
	// Concurrent requests are answered one at a time.
	var wg sync.WaitGroup
	errs := make(chan error, 3*len(good))
	for i := 0; i < 3; i++ {
		for k, v := range good {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := h.Preimage(k)
				if err == nil && !bytes.Equal(got, v) {
					err = fmt.Errorf("key %x: %q, want %q", k, got, v)
				}
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := h.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := stderr.String(); !strings.Contains(got, `host got hint "l2-block-header 0x1234"`) || !strings.Contains(got, `host got hint ""`) {
		t.Fatalf("host stderr %q", got)
	}
	_, err := h.Preimage(bad)
	wantErr(t, err, "after Close")

	// A request the host cannot answer makes it exit with status 1: the
	// error names the command and the status, and the host's own message
	// reached stderr.
	h, stderr = startHost(t, "serve:"+dir)
	_, err = h.Preimage(bad)
	wantErr(t, err, "host command", os.Args[0], fmt.Sprintf("pre-image 0x%x", bad), "exit status 1")
	if !strings.Contains(stderr.String(), "corrupt or misnamed") {
		t.Errorf("host stderr %q", stderr.String())
	}
	err2 := h.Hint([]byte("x"))
	if err2 == nil || err2.Error() != err.Error() {
		t.Errorf("after a failure: %v", err2)
	}
	wantErr(t, h.Close(), "host command", "exit status 1")
}

func TestHostFailures(t *testing.T) {
	h, _ := startHost(t, "wrong")
	k := oracle.Keccak256Key([]byte("right"))
	_, err := h.Preimage(k)
	wantErr(t, err, "wrong pre-image", "hash to")
	// The stream is still usable: a local key is not checked.
	if got, err := h.Preimage(oracle.LocalKey(1)); err != nil || string(got) != "wrong" {
		t.Fatalf("local key: %q, %v", got, err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}

	h, _ = startHost(t, "exit3")
	wantErr(t, h.Hint([]byte("hello")), "host command", `hint "hello"`, "exit status 3")
	wantErr(t, h.Close(), "exit status 3")

	_, err = oracle.Host([]string{filepath.Join(t.TempDir(), "no-such-host")}, nil)
	wantErr(t, err, "host command", "no-such-host")
	_, err = oracle.Host(nil, nil)
	wantErr(t, err, "no command")
}
