package main

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/internal/asm"
	"github.com/zkmips/zkmips/oracle"
)

// testHostEnv makes the test binary a pre-image host serving the
// directory it names (see TestMain).
const testHostEnv = "ZKMIPS_CLI_TEST_HOST_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(testHostEnv); dir != "" {
		os.Exit(serveTestHost(dir))
	}
	os.Exit(m.Run())
}

// hintLogger serves a store and prints every hint on stderr.
type hintLogger struct{ *oracle.Store }

func (h hintLogger) Hint(b []byte) error {
	fmt.Fprintf(os.Stderr, "test host: hint %q\n", b)
	return nil
}

func serveTestHost(dir string) int {
	s, err := oracle.Dir(dir)
	if err == nil {
		err = oracle.ServeFDs(hintLogger{s})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "test host:", err)
		return 1
	}
	return 0
}

const cliPreimage = "pre-image served to the CLI test guest"

// oracleProgram writes a guest (in the given byte order) that sends the
// hint "cli-hint", waits for its acknowledgement, writes the keccak256 key
// of cliPreimage to fd 6, reads the pre-image from fd 5 until EOF, prints
// what it read (u64 big-endian length || data) and exits with argc.
func oracleProgram(t *testing.T, be bool) string {
	t.Helper()
	const (
		A0, A1, A2, V0, Zero = asm.A0, asm.A1, asm.A2, asm.V0, asm.Zero
		S0, S1, S2, S3, SP   = asm.S0, asm.S1, asm.S2, asm.S3, asm.SP
	)
	key := oracle.Keccak256Key([]byte(cliPreimage))
	b := asm.New(be)
	b.Data("hint", append(binary.BigEndian.AppendUint32(nil, 8), "cli-hint"...))
	b.Data("key", append([]byte{0}, key[:]...))
	b.BSS("ack", 4)
	b.BSS("out", 256)
	sys := func(num uint32) { b.LI(V0, num); b.SYSCALL() }

	b.LI(A0, 4)
	b.LA(A1, "hint")
	b.LI(A2, 12)
	sys(4004)
	b.LI(A0, 3)
	b.LA(A1, "ack")
	b.LI(A2, 1)
	sys(4003)

	b.LA(S0, "key")
	b.ADDIU(S0, S0, 1)
	b.LI(S1, 32)
	b.Label("keyloop")
	b.LI(A0, 6)
	b.MOVE(A1, S0)
	b.MOVE(A2, S1)
	sys(4004)
	b.ADDU(S0, S0, V0)
	b.SUBU(S1, S1, V0)
	b.BNE(S1, Zero, "keyloop")
	b.NOP()

	b.LA(S2, "out")
	b.MOVE(S3, S2)
	b.Label("read")
	b.LI(A0, 5)
	b.MOVE(A1, S2)
	b.LI(A2, 64)
	sys(4003)
	b.BNE(V0, Zero, "read")
	b.ADDU(S2, S2, V0)

	b.LI(A0, 1)
	b.MOVE(A1, S3)
	b.SUBU(A2, S2, S3)
	sys(4004)
	b.LW(A0, 0, SP)
	sys(asm.SysExitGroup)

	elf, err := b.BuildELF()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "oracle-guest")
	if err := os.WriteFile(path, elf, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// preimageDir holds the guest's pre-image, named by its key.
func preimageDir(t *testing.T) string {
	dir := t.TempDir()
	k := oracle.Keccak256Key([]byte(cliPreimage))
	if err := os.WriteFile(filepath.Join(dir, hex.EncodeToString(k[:])), []byte(cliPreimage), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func wantPreimageOutput(t *testing.T, stdout string) {
	t.Helper()
	want := string(binary.BigEndian.AppendUint64(nil, uint64(len(cliPreimage)))) + cliPreimage
	if stdout != want {
		t.Fatalf("stdout %q, want %q", stdout, want)
	}
}

func TestRunPreimages(t *testing.T) {
	dir := preimageDir(t)
	for _, be := range []bool{true, false} {
		prog := oracleProgram(t, be)
		status, stdout, stderr := zkmips(t, "", "run", prog, "--preimages", dir, "--", "a", "b")
		if status != 3 || stderr != "" {
			t.Fatalf("status %d, stderr %q", status, stderr)
		}
		wantPreimageOutput(t, stdout)
		status, stdout, stderr = zkmips(t, "", "run", prog, "--preimages", dir, "--arg", "a b", "--arg", "-v", "--arg", "d")
		if status != 4 || stderr != "" {
			t.Fatalf("--arg: status %d, stderr %q", status, stderr)
		}
		wantPreimageOutput(t, stdout)
	}

	prog := oracleProgram(t, true)
	k := oracle.Keccak256Key([]byte(cliPreimage))
	status, stdout, stderr := zkmips(t, "", "run", prog)
	if status != exitFailure || stdout != "" {
		t.Fatalf("no oracle: status %d, stdout %q", status, stdout)
	}
	oneErrorLine(t, stderr, fmt.Sprintf("reads pre-image 0x%x", k))
	oneErrorLine(t, stderr, "--preimages DIR")

	status, _, stderr = zkmips(t, "", "run", prog, "--preimages", filepath.Join(dir, "missing"))
	if status != exitFailure {
		t.Fatalf("missing dir: status %d", status)
	}
	oneErrorLine(t, stderr, "--preimages: pre-image directory")

	bad := t.TempDir()
	file := filepath.Join(bad, hex.EncodeToString(k[:]))
	if err := os.WriteFile(file, []byte("not the pre-image"), 0o644); err != nil {
		t.Fatal(err)
	}
	status, _, stderr = zkmips(t, "", "run", prog, "--preimages", bad)
	if status != exitFailure {
		t.Fatalf("bad file: status %d", status)
	}
	oneErrorLine(t, stderr, file+" is corrupt or misnamed")

	// The other commands that run a guest take the flag too.
	out := filepath.Join(t.TempDir(), "trace")
	if status, _, stderr := zkmips(t, "", "execute", prog, "--preimages", dir, "--out", out, "--quiet"); status != 1 {
		t.Fatalf("execute: status %d, stderr %q", status, stderr)
	}
	if status, stdout, stderr := zkmips(t, "", "state", prog, "--preimages", dir, "--step", "40"); status != 0 || !strings.Contains(stdout, "step 40") {
		t.Fatalf("state: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
}

func TestRunHost(t *testing.T) {
	t.Setenv(testHostEnv, preimageDir(t))
	host := []string{os.Args[0], "-test.run=^$"}
	for _, be := range []bool{true, false} {
		prog := oracleProgram(t, be)
		args := append([]string{"run", prog, "--arg", "x", "--host", "--"}, host...)
		status, stdout, stderr := zkmips(t, "", args...)
		if status != 2 {
			t.Fatalf("status %d, stderr %q", status, stderr)
		}
		wantPreimageOutput(t, stdout)
		if stderr != "test host: hint \"cli-hint\"\n" {
			t.Fatalf("stderr %q", stderr)
		}
	}

	prog := oracleProgram(t, true)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--host"}, "--host: give the host command after --"},
		{[]string{"--host", "--preimages", "x", "--", "h"}, "--preimages and --host exclude each other"},
		{[]string{"--arg", "x", "--", "y"}, "both with --arg and after --"},
		{[]string{"--host", "--", filepath.Join(t.TempDir(), "no-host")}, "--host: host command"},
	} {
		status, _, stderr := zkmips(t, "", append([]string{"run", prog}, c.args...)...)
		if status != exitFailure {
			t.Fatalf("%q: status %d", c.args, status)
		}
		oneErrorLine(t, stderr, c.want)
	}

	// A host that cannot answer: the run stops with its error (naming the
	// command and its exit status), and the host's own message is shown.
	t.Setenv(testHostEnv, t.TempDir())
	status, _, stderr := zkmips(t, "", append([]string{"run", prog, "--host", "--"}, host...)...)
	if status != exitFailure {
		t.Fatalf("empty host: status %d", status)
	}
	for _, w := range []string{"test host: pre-image host: pre-image store", "zkmips: warning: pre-image host command", "zkmips: pre-image 0x", "exit status 1"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr %q does not mention %q", stderr, w)
		}
	}
}
