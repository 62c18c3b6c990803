package examples

import (
	"bytes"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/internal/testutil"
)

func TestNamesAndAliases(t *testing.T) {
	names := Names()
	want := []string{"hello-c.mips", "hello-c.mipsel", "hello-go.mips", "hello-go.mipsle", "zkvm-fib.mipsle", "zkvm-hash.mipsle"}
	if !slices.Equal(names, want) {
		t.Fatalf("Names() = %v, want %v", names, want)
	}
	for _, name := range names {
		b, ok := Get(name)
		if !ok || len(b) == 0 {
			t.Errorf("Get(%q): %d bytes, ok=%v", name, len(b), ok)
			continue
		}
		if !bytes.HasPrefix(b, []byte("\x7fELF\x01")) { // 32-bit ELF
			t.Errorf("%s: not a 32-bit ELF", name)
		}
		// EI_DATA: 1 little-endian, 2 big-endian.
		if le := strings.HasSuffix(name, "el") || strings.HasSuffix(name, "le"); (b[5] == 1) != le {
			t.Errorf("%s: EI_DATA = %d", name, b[5])
		}
	}
	for alias, file := range Aliases() {
		a, ok := Get(alias)
		f, _ := Get(file)
		if !ok || len(a) == 0 || !bytes.Equal(a, f) {
			t.Errorf("alias %q does not resolve to %q", alias, file)
		}
	}
	for _, bad := range []string{"", ".", "nope", "../examples.go", "bin/hello-go.mips", "/hello-go.mips"} {
		if _, ok := Get(bad); ok {
			t.Errorf("Get(%q) succeeded", bad)
		}
	}
}

// TestExamplesCurrent rebuilds every example and checks that the committed
// binaries match. It needs the MIPS cross compilers and the Go release that
// built them (recorded in toolchain.txt).
func TestExamplesCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuilds every example; skipped in -short mode")
	}
	for _, tool := range []string{"mips-linux-gnu-gcc", "mipsel-linux-gnu-gcc", "bash"} {
		testutil.NeedTools(t, tool)
	}
	recorded, err := os.ReadFile("toolchain.txt")
	if err != nil {
		t.Fatal(err)
	}
	if goLine := "go: " + runtime.Version() + "\n"; !strings.HasPrefix(string(recorded), goLine) {
		t.Skipf("examples/bin/ was built by another Go release (%q), this is %s",
			strings.SplitN(string(recorded), "\n", 2)[0], runtime.Version())
	}
	out, err := exec.Command("bash", "build.sh", "--check").CombinedOutput()
	t.Logf("build.sh --check:\n%s", out)
	if err != nil {
		t.Fatalf("examples are stale (%v); run examples/build.sh", err)
	}
}
