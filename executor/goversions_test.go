package executor_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/testutil"
	"github.com/zkmips/zkmips/program"
)

// goVersions are the Go releases whose programs must run unmodified. The
// toolchains come from the Go module proxy (GOTOOLCHAIN); "local" is the Go
// running the tests.
var goVersions = []string{"go1.22.12", "go1.23.12", "go1.24.13", "go1.25.7", "local"}

// TestGoVersions builds testdata/goversions with every supported Go release
// for both byte orders and checks that zkmips and qemu-user agree.
func TestGoVersions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds five Go toolchains' worth of programs; skipped in -short mode")
	}
	src, err := filepath.Abs("../testdata/goversions")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range goVersions {
		for _, arch := range []string{"mips", "mipsle"} {
			t.Run(v+"/"+arch, func(t *testing.T) {
				t.Parallel()
				qemu := "qemu-mips"
				if arch == "mipsle" {
					qemu = "qemu-mipsel"
				}
				qemuPath := testutil.NeedTools(t, qemu)[0]
				elf := filepath.Join(t.TempDir(), "prog")
				cmd := exec.Command("go", "build", "-trimpath", "-o", elf, ".")
				cmd.Dir = src
				cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GOMIPS=softfloat", "GOTOOLCHAIN="+v, "GOFLAGS=-mod=mod")
				if out, err := cmd.CombinedOutput(); err != nil {
					testutil.Missing(t, "cannot build with "+v+" (toolchain download needs the Go module proxy): "+firstLine(out))
				}
				args := []string{"prog", "a", "b"}
				var qout bytes.Buffer
				q := exec.Command(qemuPath, append([]string{elf}, args[1:]...)...)
				q.Stdout, q.Stderr, q.Env = &qout, os.Stderr, []string{}
				qerr := q.Run()
				qcode := 0
				if ee, ok := qerr.(*exec.ExitError); ok {
					qcode = ee.ExitCode()
				} else if qerr != nil {
					t.Fatal(qerr)
				}

				p, err := program.LoadFile(elf)
				if err != nil {
					t.Fatal(err)
				}
				var zout, zerr bytes.Buffer
				m, err := executor.New(p, executor.Config{Args: args, Stdout: &zout, Stderr: &zerr})
				if err != nil {
					t.Fatal(err)
				}
				res := m.Run()
				if res.Err != nil {
					t.Fatalf("zkmips: %v\nstderr: %s", res.Err, zerr.String())
				}
				if res.ExitCode != qcode || zout.String() != qout.String() {
					t.Fatalf("zkmips exit %d, stdout:\n%s\nqemu exit %d, stdout:\n%s\nzkmips stderr: %s", res.ExitCode, zout.String(), qcode, qout.String(), zerr.String())
				}
			})
		}
	}
}

func firstLine(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return string(b[:i])
	}
	return string(b)
}
