package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/zkmips/zkmips/contracts"
	"github.com/zkmips/zkmips/witness"
)

type verifyOptions struct {
	byteOrder    string
	localContext string
}

func (c *cli) verifyStepCommand() *cobra.Command {
	var o verifyOptions
	cmd := &cobra.Command{
		Use:   "verify-step FILE",
		Short: "Check a step proof with the shipped MIPS.sol in an in-memory EVM",
		Long: `Verify-step deploys the MIPS.sol and PreimageOracle.sol that zkmips ships
(compiled bytecode embedded in the binary) in go-ethereum's in-memory EVM,
loads the pre-image the proof carries into the oracle, calls
step(state-data, proof-data, local context) and prints the post-state hash
the contract returns and the execution gas it used.

It exits 0 when the contract's post state equals the proof's "post", 1 when
it differs or the contract reverts (the revert reason is printed), and 125
when the file cannot be read. The contract's byte order comes from the
proof file ("byte-order": "little" for little-endian guests; big-endian
otherwise) unless --byte-order is given.`,
		Example: `  zkmips prove-step example:hello --step 1000 --out step.json
  zkmips verify-step step.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.verifyStep(&o, args[0])
		},
	}
	cmd.Flags().StringVar(&o.byteOrder, "byte-order", "", "deploy MIPS.sol for `ORDER` (big or little) instead of the file's")
	cmd.Flags().StringVar(&o.localContext, "local-context", "", "the step's local context, 32 bytes as 0x-hex (default zero)")
	return cmd
}

func (c *cli) verifyStep(o *verifyOptions, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var w witness.StepWitness
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	switch o.byteOrder {
	case "":
	case "big":
		w.BigEndian = true
	case "little":
		w.BigEndian = false
	default:
		return fmt.Errorf("--byte-order %q: want big or little", o.byteOrder)
	}
	var lc [32]byte
	if o.localContext != "" {
		b, err := hex.DecodeString(strings.TrimPrefix(o.localContext, "0x"))
		if err != nil || len(b) != 32 {
			return fmt.Errorf("--local-context %q: want 0x and 64 hex digits", o.localContext)
		}
		copy(lc[:], b)
	}
	post, gas, err := verifyWitness(&w, lc)
	order := map[bool]string{true: "big-endian", false: "little-endian"}[w.BigEndian]
	if err != nil {
		var rev *contracts.RevertError
		if errors.As(err, &rev) {
			fmt.Fprintf(c.stdout, "step %d: MIPS.sol (%s) reverted after %d gas: %s\n", w.Step, order, gas, rev.Reason)
			c.status = exitInvalid
			return nil
		}
		return err
	}
	fmt.Fprintf(c.stdout, "step %d: post 0x%x gas %d (%s)\n", w.Step, post, gas, order)
	if post != w.Post {
		fmt.Fprintf(c.stdout, "MISMATCH: the proof claims post 0x%x\n", w.Post)
		c.status = exitInvalid
		return nil
	}
	fmt.Fprintln(c.stdout, "ok: the contract's post state equals the proof's")
	return nil
}

// verifyWitness runs the witness through the shipped contracts and returns
// the post-state hash and the execution gas of step().
func verifyWitness(w *witness.StepWitness, localContext [32]byte) ([32]byte, uint64, error) {
	vm, err := contracts.NewVM(w.BigEndian)
	if err != nil {
		return [32]byte{}, 0, err
	}
	if o := w.Oracle; o != nil {
		if err := vm.LoadPreimage(o.Key, o.Value[8:], o.Offset, localContext); err != nil {
			return [32]byte{}, 0, fmt.Errorf("loading the pre-image 0x%x into the oracle: %w", o.Key, err)
		}
	}
	return vm.Step(w.State[:], w.Proofs, localContext)
}
