package contracts

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/core/vm/runtime"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
)

// Caller is the msg.sender of every call the VM makes (MIPS.step and the
// oracle loads). It matters for local pre-image keys: the oracle stores local
// data under a key localized with the loader's address and MIPS.step
// localizes with its own msg.sender, so both must be the same account. (A Go
// array cannot be a constant, hence a variable: do not reassign it.)
var Caller = common.HexToAddress("0x000000000000000000000000000000000000Ca11")

// deployer creates both contracts, so their addresses are the same in every
// VM: CreateAddress(deployer, 0) for the oracle, nonce 1 for MIPS.
var deployer = common.HexToAddress("0x000000000000000000000000000000000000dE91")

// StepGasLimit is the gas given to each call: far above any single step
// (Cannon-style steps cost 20k to 40k execution gas) and any part load, so
// running out of gas always means a bug, never a tight budget.
const StepGasLimit = 30_000_000

// stateSize is the length of the Cannon-format VM state (REFERENCE.md 1).
const stateSize = 226

// stepSelector is bytes4(keccak256("step(bytes,bytes,bytes32)")).
var stepSelector = [4]byte{0xe1, 0x4c, 0xed, 0x32}

// Canonical calldata offsets of MIPS.step: the contract reads stateData and
// proof at fixed positions instead of following the ABI offsets, so the
// encoding must be exactly the canonical one.
const (
	// StepStateOffset is where the 226 state bytes start in the calldata.
	StepStateOffset = 4 + 3*32 + 32 // 132
	// StepProofOffset is where the proof bytes start in the calldata.
	StepProofOffset = StepStateOffset + 256 + 32 // 420
)

// Pre-image key types (byte 0 of a key) the oracle can load.
const (
	KeyTypeLocal     = 1
	KeyTypeKeccak256 = 2
	KeyTypeSHA256    = 4
)

// VM is an in-memory chain with PreimageOracle and MIPS deployed. It is not
// safe for concurrent use: calls share one StateDB.
type VM struct {
	state   *state.StateDB
	rules   params.Rules
	oracle  common.Address
	mips    common.Address
	oracleA *Artifact
	mipsA   *Artifact // nil on an oracle-only chain (tests)
}

// NewVM deploys PreimageOracle and then MIPS(oracle, bigEndian): one
// deployment serves guests of one byte order.
func NewVM(bigEndian bool) (*VM, error) {
	m, err := MIPS()
	if err != nil {
		return nil, err
	}
	v, err := newOracleVM()
	if err != nil {
		return nil, err
	}
	ctor, err := m.ABI.Pack("", v.oracle, bigEndian)
	if err != nil {
		return nil, fmt.Errorf("contracts: MIPS constructor must take (address oracle, bool bigEndian): %w", err)
	}
	if v.mips, err = v.deploy("MIPS", append(bytes.Clone(m.Bytecode), ctor...)); err != nil {
		return nil, err
	}
	v.mipsA = m
	return v, nil
}

// newOracleVM is a chain holding only the oracle, so the oracle can be tested
// independently of MIPS.sol.
func newOracleVM() (*VM, error) {
	o, err := PreimageOracle()
	if err != nil {
		return nil, err
	}
	st, err := state.New(types.EmptyRootHash, state.NewDatabaseForTesting())
	if err != nil {
		return nil, fmt.Errorf("contracts: in-memory state: %w", err)
	}
	v := &VM{
		state:   st,
		rules:   params.MergedTestChainConfig.Rules(new(big.Int), true, 0),
		oracleA: o,
	}
	if v.oracle, err = v.deploy("PreimageOracle", o.Bytecode); err != nil {
		return nil, err
	}
	return v, nil
}

// Oracle returns the PreimageOracle's address.
func (v *VM) Oracle() common.Address { return v.oracle }

// MIPSAddress returns the MIPS contract's address.
func (v *VM) MIPSAddress() common.Address { return v.mips }

// config is one transaction's environment. The merged test chain enables
// every fork through Osaka at time 0, a superset of the cancun target the
// contracts are compiled for.
func (v *VM) config(from common.Address) *runtime.Config {
	return &runtime.Config{
		ChainConfig: params.MergedTestChainConfig,
		Origin:      from,
		GasLimit:    StepGasLimit,
		State:       v.state,
	}
}

func (v *VM) deploy(name string, code []byte) (common.Address, error) {
	_, addr, _, err := runtime.Create(code, v.config(deployer))
	if err != nil {
		return common.Address{}, fmt.Errorf("contracts: deploying %s: %w", name, err)
	}
	v.state.Finalise(v.rules)
	return addr, nil
}

// call runs one message from `from` and reports execution gas used (the
// limit minus what is left: no intrinsic 21000, no calldata gas).
func (v *VM) call(what string, from, to common.Address, input []byte) ([]byte, uint64, error) {
	ret, left, err := runtime.Call(to, input, v.config(from))
	used := StepGasLimit - left
	if err != nil {
		if errors.Is(err, vm.ErrExecutionReverted) {
			return nil, used, &RevertError{Call: what, Reason: v.decodeRevert(ret), Data: bytes.Clone(ret)}
		}
		return nil, used, fmt.Errorf("%s failed: %w", what, err)
	}
	return ret, used, nil
}

// transact is a state-changing call: its writes are kept and the journal is
// closed, as at the end of a transaction.
func (v *VM) transact(what string, to common.Address, input []byte) ([]byte, error) {
	ret, _, err := v.call(what, Caller, to, input)
	v.state.Finalise(v.rules)
	return ret, err
}

// RevertError is a call that reverted, with its reason decoded where the
// revert data allows (Error(string), Panic(uint256), or a custom error of
// the MIPS or oracle ABI).
type RevertError struct {
	// Call names the function, e.g. "MIPS.step".
	Call string
	// Reason is the decoded reason, or the raw data in hex.
	Reason string
	// Data is the raw revert data.
	Data []byte
}

// Error reads like "MIPS.step reverted: MIPS: invalid memory proof".
func (e *RevertError) Error() string { return e.Call + " reverted: " + e.Reason }

// Unwrap lets callers test errors.Is(err, vm.ErrExecutionReverted).
func (e *RevertError) Unwrap() error { return vm.ErrExecutionReverted }

func (v *VM) decodeRevert(data []byte) string {
	abis := []*abi.ABI{&v.oracleA.ABI}
	if v.mipsA != nil {
		abis = append(abis, &v.mipsA.ABI)
	}
	return decodeRevert(data, abis...)
}

// decodeRevert renders revert data for humans; it never fails, since the
// reason is diagnostic and the raw bytes stay available in RevertError.
func decodeRevert(data []byte, abis ...*abi.ABI) string {
	if len(data) == 0 {
		return "(no reason)"
	}
	if s, err := abi.UnpackRevert(data); err == nil {
		return s
	}
	if len(data) >= 4 {
		id := [4]byte(data[:4])
		for _, a := range abis {
			e, err := a.ErrorByID(id)
			if err != nil {
				continue
			}
			vals, err := e.Inputs.Unpack(data[4:])
			if err != nil {
				break
			}
			parts := make([]string, len(vals))
			for i, x := range vals {
				switch b := x.(type) {
				case [32]byte:
					parts[i] = common.Hash(b).Hex()
				case []byte:
					parts[i] = fmt.Sprintf("%#x", b)
				default:
					parts[i] = fmt.Sprint(x)
				}
			}
			return e.Name + "(" + strings.Join(parts, ", ") + ")"
		}
	}
	return fmt.Sprintf("%#x", data)
}

// StepCalldata encodes MIPS.step(stateData, proof, localContext) in the
// canonical layout the contract demands: selector | 0x60 | 0x180 |
// localContext | 226 | state padded to 256 | len(proof) | proof padded to a
// multiple of 32. The state therefore starts at StepStateOffset (132) and
// the proof at StepProofOffset (420).
func StepCalldata(stateData, proof []byte, localContext [32]byte) ([]byte, error) {
	if len(stateData) != stateSize {
		return nil, fmt.Errorf("contracts: state is %d bytes, want %d", len(stateData), stateSize)
	}
	padded := (len(proof) + 31) &^ 31
	out := make([]byte, StepProofOffset+padded)
	copy(out, stepSelector[:])
	putWord(out[4:], 0x60)
	putWord(out[36:], 0x60+32+256) // 0x180: the proof's length word
	copy(out[68:100], localContext[:])
	putWord(out[100:], stateSize)
	copy(out[StepStateOffset:], stateData)
	putWord(out[StepProofOffset-32:], uint64(len(proof)))
	copy(out[StepProofOffset:], proof)
	return out, nil
}

// putWord writes x as a big-endian uint256 into b[:32].
func putWord(b []byte, x uint64) {
	clear(b[:24])
	binary.BigEndian.PutUint64(b[24:32], x)
}

// Step runs MIPS.step from Caller and returns the post-state hash and the
// execution gas it used. The state is rolled back afterwards, so steps never
// influence each other (only LoadPreimage changes the chain).
func (v *VM) Step(stateData, proof []byte, localContext [32]byte) (post [32]byte, gasUsed uint64, err error) {
	input, err := StepCalldata(stateData, proof, localContext)
	if err != nil {
		return post, 0, err
	}
	ret, gasUsed, err := v.CallMIPS(input)
	if err != nil {
		return post, gasUsed, err
	}
	if len(ret) != 32 {
		return post, gasUsed, fmt.Errorf("MIPS.step returned %d bytes, want 32", len(ret))
	}
	return [32]byte(ret), gasUsed, nil
}

// CallMIPS sends raw calldata to the MIPS contract from Caller and rolls the
// state back afterwards, like Step; it exists to test how the contract
// treats malformed (non-canonical) input.
func (v *VM) CallMIPS(input []byte) (ret []byte, gasUsed uint64, err error) {
	if v.mipsA == nil {
		return nil, 0, errors.New("contracts: this VM has no MIPS contract")
	}
	snap := v.state.Snapshot()
	defer v.state.RevertToSnapshot(snap)
	return v.call("MIPS.step", Caller, v.mips, input)
}

// LocalizedKey is the on-chain key of a local (type 1) pre-image, the same
// computation as PreimageOracle.localizedKey: keccak256(localKey ||
// caller left-padded to 32 bytes || localContext) with byte 0 set to 1.
func LocalizedKey(localKey [32]byte, caller common.Address, localContext [32]byte) [32]byte {
	var buf [96]byte
	copy(buf[:32], localKey[:])
	copy(buf[44:64], caller[:])
	copy(buf[64:], localContext[:])
	h := crypto.Keccak256Hash(buf[:])
	h[0] = KeyTypeLocal
	return h
}

// LoadPreimage makes the oracle answer readPreimage at `offset` for the
// guest-visible key `key`: it loads the part starting at offset, or, at or
// past the end of `u64be(len) || data`, the part at 0, which records the
// length so the read returns the end marker (0, 0). One part suffices for a
// step: a step reads one offset and uses at most 4 bytes of the part.
//
// Local keys (type 1) are loaded from Caller with ident = key without its
// type byte, for localContext, and data of at most 32 bytes; the oracle then
// holds them under LocalizedKey(key, Caller, localContext). Keccak256 (2) and
// sha256 (4) keys must be the hash of data (checked: a mismatch is an
// error); localContext is ignored for them. Other types are refused.
func (v *VM) LoadPreimage(key [32]byte, data []byte, offset uint32, localContext [32]byte) error {
	partOffset := uint64(offset)
	if partOffset >= uint64(len(data))+8 {
		partOffset = 0
	}
	po := new(big.Int).SetUint64(partOffset)
	var (
		input []byte
		want  [32]byte
		err   error
		what  string
	)
	switch key[0] {
	case KeyTypeLocal:
		if len(data) > 32 {
			return fmt.Errorf("contracts: local pre-image %#x is %d bytes, the oracle takes at most 32", key, len(data))
		}
		var word [32]byte
		copy(word[:], data)
		ident := new(big.Int).SetBytes(key[1:])
		what = "PreimageOracle.loadLocalData"
		input, err = v.oracleA.ABI.Pack("loadLocalData", ident, localContext, word, big.NewInt(int64(len(data))), po)
		want = LocalizedKey(key, Caller, localContext)
	case KeyTypeKeccak256:
		what = "PreimageOracle.loadKeccak256PreimagePart"
		input, err = v.oracleA.ABI.Pack("loadKeccak256PreimagePart", po, data)
		want = key
	case KeyTypeSHA256:
		what = "PreimageOracle.loadSha256PreimagePart"
		input, err = v.oracleA.ABI.Pack("loadSha256PreimagePart", po, data)
		want = key
	default:
		return fmt.Errorf("contracts: pre-image key %#x has type %d, the oracle loads only local (1), keccak256 (2) and sha256 (4) keys", key, key[0])
	}
	if err != nil {
		return fmt.Errorf("contracts: packing %s: %w", what, err)
	}
	ret, err := v.transact(what, v.oracle, input)
	if err != nil {
		return err
	}
	if len(ret) != 32 {
		return fmt.Errorf("%s returned %d bytes, want 32", what, len(ret))
	}
	if got := [32]byte(ret); got != want {
		return fmt.Errorf("contracts: pre-image key %#x does not match its data: the oracle stored it under %#x", want, got)
	}
	return nil
}

// ReadPreimage calls readPreimage(key, offset) as MIPS.step would: key is the
// on-chain key (for a local key, LocalizedKey of the guest key). It returns
// the 32-byte part and how many of its bytes belong to the pre-image.
func (v *VM) ReadPreimage(key [32]byte, offset uint32) (dat [32]byte, datLen uint64, err error) {
	input, err := v.oracleA.ABI.Pack("readPreimage", key, new(big.Int).SetUint64(uint64(offset)))
	if err != nil {
		return dat, 0, fmt.Errorf("contracts: packing readPreimage: %w", err)
	}
	snap := v.state.Snapshot()
	ret, _, err := v.call("PreimageOracle.readPreimage", Caller, v.oracle, input)
	v.state.RevertToSnapshot(snap)
	if err != nil {
		return dat, 0, err
	}
	if len(ret) != 64 {
		return dat, 0, fmt.Errorf("PreimageOracle.readPreimage returned %d bytes, want 64", len(ret))
	}
	n := new(big.Int).SetBytes(ret[32:])
	if !n.IsUint64() || n.Uint64() > 32 {
		return dat, 0, fmt.Errorf("PreimageOracle.readPreimage returned datLen %v", n)
	}
	return [32]byte(ret[:32]), n.Uint64(), nil
}
