package contracts

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/zkmips/zkmips/internal/testutil"
)

// TestArtifactsCurrent recompiles src/ with the pinned solc-js and compares
// with the embedded artifacts, so stale bytecode cannot be committed.
func TestArtifactsCurrent(t *testing.T) {
	node := testutil.NeedTools(t, "node")[0]
	if _, err := os.Stat(filepath.Join("node_modules", "solc")); err != nil {
		testutil.Missing(t, "contracts/node_modules is not installed (cd contracts && npm ci)")
	}
	cmd := exec.Command(node, "build.js", "--check")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node build.js --check: %v\n%s", err, out)
	}
}

func TestArtifacts(t *testing.T) {
	o, err := PreimageOracle()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"readPreimage", "loadLocalData", "loadKeccak256PreimagePart", "loadSha256PreimagePart", "localizedKey"} {
		if _, ok := o.ABI.Methods[m]; !ok {
			t.Errorf("PreimageOracle ABI lacks %s", m)
		}
	}
	if len(o.Bytecode) == 0 || len(o.DeployedBytecode) == 0 || len(o.DeployedBytecode) > 24576 {
		t.Errorf("PreimageOracle code sizes %d/%d", len(o.Bytecode), len(o.DeployedBytecode))
	}
	if got := o.ABI.Methods["readPreimage"].ID; !bytes.Equal(got, crypto.Keccak256([]byte("readPreimage(bytes32,uint256)"))[:4]) {
		t.Errorf("readPreimage selector %x", got)
	}
	if _, err := loadArtifact("NoSuchContract"); err == nil || !strings.Contains(err.Error(), "node build.js") {
		t.Errorf("missing artifact: err = %v, want a hint to build", err)
	}
}

func TestStepCalldataLayout(t *testing.T) {
	state := make([]byte, stateSize)
	for i := range state {
		state[i] = byte(i + 1)
	}
	ctx := [32]byte{0: 0xc0, 31: 0x7e}
	for _, proofLen := range []int{0, 1, 896, 1792, 1793} {
		proof := make([]byte, proofLen)
		for i := range proof {
			proof[i] = byte(0x80 | i)
		}
		in, err := StepCalldata(state, proof, ctx)
		if err != nil {
			t.Fatal(err)
		}
		if StepStateOffset != 132 || StepProofOffset != 420 {
			t.Fatalf("offsets %d/%d", StepStateOffset, StepProofOffset)
		}
		if want := 420 + (proofLen+31)/32*32; len(in) != want {
			t.Fatalf("proof %d: calldata is %d bytes, want %d", proofLen, len(in), want)
		}
		if sel := crypto.Keccak256([]byte("step(bytes,bytes,bytes32)"))[:4]; !bytes.Equal(in[:4], sel) || !bytes.Equal(sel, []byte{0xe1, 0x4c, 0xed, 0x32}) {
			t.Fatalf("selector %x", in[:4])
		}
		word := func(off int) uint64 {
			if !bytes.Equal(in[off:off+24], make([]byte, 24)) {
				t.Fatalf("word at %d too large: %x", off, in[off:off+32])
			}
			return binary.BigEndian.Uint64(in[off+24 : off+32])
		}
		if word(4) != 0x60 || word(36) != 0x180 || word(100) != 226 || word(388) != uint64(proofLen) {
			t.Fatalf("head words %d %d %d %d", word(4), word(36), word(100), word(388))
		}
		if !bytes.Equal(in[68:100], ctx[:]) || !bytes.Equal(in[132:358], state) || !bytes.Equal(in[420:420+proofLen], proof) {
			t.Fatal("payload misplaced")
		}
		if !bytes.Equal(in[358:388], make([]byte, 30)) || !bytes.Equal(in[420+proofLen:], make([]byte, len(in)-420-proofLen)) {
			t.Fatal("padding not zero")
		}

		// A standard ABI decoder reads the same arguments back.
		args, err := stepABI(t).Methods["step"].Inputs.Unpack(in[4:])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(args[0].([]byte), state) || !bytes.Equal(args[1].([]byte), proof) || args[2].([32]byte) != ctx {
			t.Fatal("ABI round trip differs")
		}
	}
	if _, err := StepCalldata(make([]byte, 225), nil, [32]byte{}); err == nil {
		t.Fatal("225-byte state accepted")
	}
}

// stepABI is MIPS's ABI when it is built, else the IBigStepper signature.
func stepABI(t *testing.T) abi.ABI {
	if m, err := MIPS(); err == nil {
		return m.ABI
	}
	a, err := abi.JSON(strings.NewReader(`[{"type":"function","name":"step","stateMutability":"nonpayable",
		"inputs":[{"name":"_stateData","type":"bytes"},{"name":"_proof","type":"bytes"},{"name":"_localContext","type":"bytes32"}],
		"outputs":[{"name":"postState_","type":"bytes32"}]}]`))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestDecodeRevert(t *testing.T) {
	a, err := abi.JSON(strings.NewReader(`[{"type":"error","name":"Bad","inputs":[{"name":"x","type":"uint256"},{"name":"k","type":"bytes32"}]}]`))
	if err != nil {
		t.Fatal(err)
	}
	e := a.Errors["Bad"]
	args, err := e.Inputs.Pack(big.NewInt(7), [32]byte{31: 1})
	if err != nil {
		t.Fatal(err)
	}
	custom := append(bytes.Clone(e.ID[:4]), args...)
	strErr := append(crypto.Keccak256([]byte("Error(string)"))[:4:4], make([]byte, 96)...)
	strErr[4+31] = 0x20
	strErr[4+63] = 2
	copy(strErr[4+64:], "hi")
	for _, c := range []struct {
		data []byte
		want string
	}{
		{nil, "(no reason)"},
		{strErr, "hi"},
		{custom, "Bad(7, 0x0000000000000000000000000000000000000000000000000000000000000001)"},
		{[]byte{1, 2, 3, 4, 5}, "0x0102030405"},
	} {
		if got := decodeRevert(c.data, &a); got != c.want {
			t.Errorf("decodeRevert(%x) = %q, want %q", c.data, got, c.want)
		}
	}
}

// needMIPS returns a VM with both contracts deployed.
func needMIPS(t testing.TB, bigEndian bool) *VM {
	t.Helper()
	v, err := NewVM(bigEndian)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// emptyMemoryProof proves the (zero) word at any address of empty memory:
// a zero leaf and the zero-subtree hashes as siblings.
func emptyMemoryProof() (proof []byte, root [32]byte) {
	var node [32]byte
	proof = append(proof, node[:]...)
	for range 27 {
		proof = append(proof, node[:]...)
		node = crypto.Keccak256Hash(node[:], node[:])
	}
	return proof, node
}

func TestNewVM(t *testing.T) {
	for _, bigEndian := range []bool{true, false} {
		v := needMIPS(t, bigEndian)
		if v.Oracle() == v.MIPSAddress() || v.MIPSAddress() == ([20]byte{}) {
			t.Fatalf("addresses %s %s", v.Oracle(), v.MIPSAddress())
		}
		if len(v.state.GetCode(v.MIPSAddress())) == 0 || len(v.state.GetCode(v.Oracle())) == 0 {
			t.Fatal("contracts have no code")
		}
		if m, ok := v.mipsA.ABI.Methods["oracle"]; ok {
			ret, _, err := v.call("MIPS.oracle", Caller, v.mips, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(ret[12:32], v.Oracle().Bytes()) {
				t.Fatalf("MIPS.oracle() = %x, want %s", ret, v.Oracle())
			}
		}
	}
}

// TestStepExitedState: an exited pre-state steps to itself (as Cannon), with
// valid proofs of empty memory so the test does not depend on whether the
// contract checks them first. Also checks Step leaves no trace behind.
func TestStepExitedState(t *testing.T) {
	proof1, root := emptyMemoryProof()
	proof := append(bytes.Clone(proof1), proof1...)
	for _, bigEndian := range []bool{true, false} {
		v := needMIPS(t, bigEndian)
		state := make([]byte, stateSize)
		copy(state[0:32], root[:])
		binary.BigEndian.PutUint32(state[68:], 0x1000) // pc
		binary.BigEndian.PutUint32(state[72:], 0x1004) // nextPC
		state[88] = 0                                  // exitCode
		state[89] = 1                                  // exited
		want := crypto.Keccak256Hash(state)
		want[0] = 0 // status: exited with code 0

		before := v.state.IntermediateRoot(v.rules)
		post, gas1, err := v.Step(state, proof, [32]byte{9})
		if err != nil {
			t.Fatal(err)
		}
		if post != want {
			t.Fatalf("post %x, want %x", post, want)
		}
		_, gas2, err := v.Step(state, proof, [32]byte{9})
		if err != nil {
			t.Fatal(err)
		}
		if gas1 == 0 || gas1 != gas2 || gas1 > 100_000 {
			t.Fatalf("gas %d then %d", gas1, gas2)
		}
		if after := v.state.IntermediateRoot(v.rules); after != before {
			t.Fatal("Step changed the chain state")
		}
	}
}

// TestStepRevertReason: a proof of the wrong length must revert with a
// decoded reason naming the contract, not an opaque error.
func TestStepRevertReason(t *testing.T) {
	v := needMIPS(t, true)
	proof, root := emptyMemoryProof()
	state := make([]byte, stateSize)
	copy(state, root[:])
	binary.BigEndian.PutUint32(state[72:], 4)
	_, _, err := v.Step(state, proof[:100], [32]byte{}) // far too short
	var re *RevertError
	if !errors.As(err, &re) || !strings.HasPrefix(err.Error(), "MIPS.step reverted: ") || re.Reason == "(no reason)" {
		t.Fatalf("err = %v, want a decoded MIPS.step revert", err)
	}
	t.Log(err)
}
