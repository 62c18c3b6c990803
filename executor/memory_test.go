package executor_test

import (
	"testing"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/asm"
)

// TestSparseBSS checks that a large zero BSS costs nothing until touched:
// only the pages the guest writes (and the stack's) are allocated.
func TestSparseBSS(t *testing.T) {
	for _, be := range []bool{true, false} {
		b := asm.New(be)
		b.BSS("big", 64<<20)
		b.LA(asm.T0, "big")
		b.LW(asm.T1, 0, asm.T0) // reading allocates nothing
		b.LUI(asm.T2, 0x200)    // 32 MiB into the BSS
		b.ADDU(asm.T0, asm.T0, asm.T2)
		b.SW(asm.T0, 0, asm.T0) // writing allocates one page
		b.Exit(0)
		p, err := b.Program()
		if err != nil {
			t.Fatal(err)
		}
		m, err := executor.New(p, executor.Config{})
		if err != nil {
			t.Fatal(err)
		}
		before := m.Memory().AllocatedPages()
		if res := m.Run(); res.Err != nil || res.ExitCode != 0 {
			t.Fatalf("run: exit %d, %v", res.ExitCode, res.Err)
		}
		if got := m.Memory().AllocatedPages() - before; got != 1 {
			t.Errorf("big-endian=%v: %d pages allocated by the run, want 1", be, got)
		}
		if before > 16 {
			t.Errorf("big-endian=%v: %d pages allocated before running a 64 MiB-BSS program, want a handful", be, before)
		}
	}
}
