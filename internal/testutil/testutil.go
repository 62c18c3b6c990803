// Package testutil holds helpers shared by zkmips tests.
package testutil

import (
	"os"
	"os/exec"
	"testing"
)

// RequireTools reports whether tests must fail rather than skip when an
// external tool is missing. CI sets ZKMIPS_REQUIRE_TOOLS=1 after installing
// the tools, so a test can never be silently skipped there.
func RequireTools() bool { return os.Getenv("ZKMIPS_REQUIRE_TOOLS") == "1" }

// NeedTools returns the paths of the named executables. When one is
// missing the test is skipped with a one-line reason, or fails under
// ZKMIPS_REQUIRE_TOOLS=1.
func NeedTools(t testing.TB, names ...string) []string {
	t.Helper()
	paths := make([]string, len(names))
	for i, n := range names {
		p, err := exec.LookPath(n)
		if err != nil {
			Missing(t, n+" is not installed (apt-get install it, or run .ci/run)")
		}
		paths[i] = p
	}
	return paths
}

// Missing skips the test for a missing prerequisite, or fails it under
// ZKMIPS_REQUIRE_TOOLS=1.
func Missing(t testing.TB, reason string) {
	t.Helper()
	if RequireTools() {
		t.Fatalf("required tool missing under ZKMIPS_REQUIRE_TOOLS=1: %s", reason)
	}
	t.Skip(reason)
}
