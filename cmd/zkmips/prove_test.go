package main

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/witness"
)

// TestProveStepChains checks that prove-step's pre and post hashes are the
// states "state" prints before steps N and N+1, and that every proof
// verifies against the pre-state's memory root.
func TestProveStepChains(t *testing.T) {
	needExample(t, "hello")
	stateHash := func(step string) (hash, root string) {
		status, stdout, stderr := zkmips(t, "", "state", "example:hello", "--step", step, "--json")
		var s struct {
			Hash    string `json:"hash"`
			MemRoot string `json:"mem_root"`
		}
		if status != 0 || json.Unmarshal([]byte(stdout), &s) != nil {
			t.Fatalf("state --step %s: status %d, %s %s", step, status, stdout, stderr)
		}
		return s.Hash, s.MemRoot
	}
	for _, step := range []string{"0", "777", "30000"} {
		status, stdout, stderr := zkmips(t, "", "prove-step", "example:hello", "--step", step)
		if status != 0 {
			t.Fatalf("prove-step %s: status %d, %s", step, status, stderr)
		}
		var w witness.StepWitness
		if err := json.Unmarshal([]byte(stdout), &w); err != nil {
			t.Fatal(err)
		}
		pre, root := stateHash(step)
		next := map[string]string{"0": "1", "777": "778", "30000": "30001"}[step]
		post, _ := stateHash(next)
		if got := "0x" + hex.EncodeToString(w.Pre[:]); got != pre {
			t.Errorf("step %s: pre %s, state says %s", step, got, pre)
		}
		if got := "0x" + hex.EncodeToString(w.Post[:]); got != post {
			t.Errorf("step %s: post %s, state before step %s says %s", step, got, next, post)
		}
		if w.NumProofs() < 2 || !strings.HasPrefix(root, "0x") {
			t.Fatalf("step %s: %d proofs", step, w.NumProofs())
		}
		var r [32]byte
		hex.Decode(r[:], []byte(root[2:]))
		pc := uint32(w.State[68])<<24 | uint32(w.State[69])<<16 | uint32(w.State[70])<<8 | uint32(w.State[71])
		if !witness.VerifyProof(r, pc, w.Proof(0)) {
			t.Errorf("step %s: the instruction proof does not verify against the pre-state root", step)
		}
	}
	status, _, stderr := zkmips(t, "", "prove-step", "example:hello", "--step", "999999999")
	if status != exitFailure {
		t.Errorf("proving past the end: status %d", status)
	}
	oneErrorLine(t, stderr, "no step")
}
