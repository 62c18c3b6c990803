// Package contracts embeds the compiled MIPS and PreimageOracle contracts
// (src/*.sol, built by build.js into artifacts/) and runs them in
// go-ethereum's in-memory EVM, so the Go executor's step proofs can be checked
// against the very bytecode that would verify them on chain.
package contracts

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// The artifacts are embedded rather than read at run time so a zkmips binary
// verifies proofs without node, solc or the source tree. `node build.js
// --check` (TestArtifactsCurrent) keeps them in step with src/.
//
//go:embed artifacts/*.json
var artifactFS embed.FS

// Artifact is one compiled contract.
type Artifact struct {
	// Name is the Solidity contract name, also the artifact's file name.
	Name string
	// ABI describes the functions, events and custom errors, used to pack
	// calls and to decode reverts.
	ABI abi.ABI
	// Bytecode is the creation code; constructor arguments are appended to
	// it to deploy.
	Bytecode []byte
	// DeployedBytecode is the runtime code as it sits on chain after
	// deployment (with immutables still unset), for inspection and size
	// checks.
	DeployedBytecode []byte
}

// MIPS returns the compiled step contract (src/MIPS.sol).
func MIPS() (*Artifact, error) { return loadArtifact("MIPS") }

// PreimageOracle returns the compiled pre-image oracle (src/PreimageOracle.sol).
func PreimageOracle() (*Artifact, error) { return loadArtifact("PreimageOracle") }

// artifactJSON is the subset of build.js's output the Go side needs.
type artifactJSON struct {
	ContractName     string          `json:"contractName"`
	ABI              json.RawMessage `json:"abi"`
	Bytecode         string          `json:"bytecode"`
	DeployedBytecode string          `json:"deployedBytecode"`
}

// loadArtifact parses artifacts/<name>.json afresh on every call, so callers
// own the result and may not corrupt each other's copy.
func loadArtifact(name string) (*Artifact, error) {
	raw, err := artifactFS.ReadFile("artifacts/" + name + ".json")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("contracts: artifact %s is missing (build it: cd contracts && npm ci && node build.js)", name)
	}
	if err != nil {
		return nil, fmt.Errorf("contracts: artifact %s: %w", name, err)
	}
	var j artifactJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, fmt.Errorf("contracts: artifact %s: %w", name, err)
	}
	if j.ContractName != name {
		return nil, fmt.Errorf("contracts: artifact %s names contract %q", name, j.ContractName)
	}
	a := &Artifact{Name: name}
	if a.ABI, err = abi.JSON(bytes.NewReader(j.ABI)); err != nil {
		return nil, fmt.Errorf("contracts: artifact %s: abi: %w", name, err)
	}
	if a.Bytecode, err = decodeCode(j.Bytecode); err != nil {
		return nil, fmt.Errorf("contracts: artifact %s: bytecode: %w", name, err)
	}
	if a.DeployedBytecode, err = decodeCode(j.DeployedBytecode); err != nil {
		return nil, fmt.Errorf("contracts: artifact %s: deployedBytecode: %w", name, err)
	}
	if len(a.Bytecode) == 0 {
		return nil, fmt.Errorf("contracts: artifact %s has no bytecode", name)
	}
	return a, nil
}

// decodeCode accepts 0x-prefixed hex. Unlinked library placeholders
// (__$...$__) are not valid hex and are reported rather than deployed broken.
func decodeCode(s string) ([]byte, error) {
	if strings.Contains(s, "__$") {
		return nil, errors.New("has unlinked library references")
	}
	if s == "0x" {
		return nil, nil
	}
	return hexutil.Decode(s)
}
