package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/zkmips/zkmips/witness"
)

// proveOptions are the flags of "zkmips prove-step" and "zkmips state".
type proveOptions struct {
	runOptions
	step   uint64
	out    string
	asJSON bool
}

func (c *cli) proveStepCommand() *cobra.Command {
	var o proveOptions
	cmd := &cobra.Command{
		Use:   "prove-step PROGRAM --step N [--out FILE] [flags] [-- guest args]",
		Short: "Write the single-step proof of step N (Cannon's proof JSON)",
		Long: `Prove-step runs PROGRAM to step N (0-based) and writes the witness of that
step in the proof JSON the OP Stack tooling reads: step, pre and post state
hashes, the 226-byte pre-state and the memory proofs (the instruction word,
then every data word the step touches, 896 bytes each, against the
pre-state's memory root). docs/fault-proofs.md describes the layout; the
on-chain verifier is not part of zkmips yet.`,
		Args: programArg(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.proveStep(&o, args[0], args[1:], false)
		},
	}
	o.addFlags(cmd.Flags())
	cmd.Flags().Uint64Var(&o.step, "step", 0, "prove step `N` (0-based)")
	cmd.Flags().StringVar(&o.out, "out", "", "write the proof to `FILE` (default: standard output)")
	cmd.MarkFlagRequired("step")
	return cmd
}

func (c *cli) stateCommand() *cobra.Command {
	var o proveOptions
	cmd := &cobra.Command{
		Use:   "state PROGRAM [--step N] [--json] [flags] [-- guest args]",
		Short: "Print the fault-proof state (and its hash) before step N",
		Args:  programArg(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.proveStep(&o, args[0], args[1:], true)
		},
	}
	o.addFlags(cmd.Flags())
	cmd.Flags().Uint64Var(&o.step, "step", 0, "the state before step `N` (0: the initial state)")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print JSON")
	return cmd
}

// proveStep runs to o.step and prints the state there, or proves the step.
func (c *cli) proveStep(o *proveOptions, progArg string, guestArgs []string, stateOnly bool) error {
	o.noStream = true
	g, err := c.prepare(&o.runOptions, progArg, guestArgs)
	if err != nil {
		return err
	}
	defer g.close()
	m := g.m
	m.RunUntil(o.step)
	g.stdout.Flush()
	if m.Err() != nil {
		return m.Err()
	}
	if m.Step() != o.step {
		return fmt.Errorf("the guest ended after %d steps: there is no step %d", m.Step(), o.step)
	}
	tree := witness.NewTree()
	if stateOnly {
		st := m.State()
		enc := witness.EncodeState(tree.Root(m), st)
		hash := witness.StateHash(enc)
		if o.asJSON {
			b, err := json.MarshalIndent(struct {
				Step     uint64     `json:"step"`
				Hash     string     `json:"hash"`
				MemRoot  string     `json:"mem_root"`
				PC       string     `json:"pc"`
				NextPC   string     `json:"next_pc"`
				HI       string     `json:"hi"`
				LO       string     `json:"lo"`
				Heap     string     `json:"heap"`
				Exited   bool       `json:"exited"`
				ExitCode uint8      `json:"exit_code"`
				Regs     [32]string `json:"registers"`
				State    string     `json:"state_data"`
			}{st.Step, "0x" + hex.EncodeToString(hash[:]), "0x" + hex.EncodeToString(enc[:32]),
				fmt.Sprintf("0x%08x", st.PC), fmt.Sprintf("0x%08x", st.NextPC), fmt.Sprintf("0x%08x", st.HI),
				fmt.Sprintf("0x%08x", st.LO), fmt.Sprintf("0x%08x", st.Heap), st.Exited, st.ExitCode,
				regStrings(st.Regs), "0x" + hex.EncodeToString(enc[:])}, "", "  ")
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "%s\n", b)
			return nil
		}
		fmt.Fprintf(c.stdout, "step %d  hash 0x%x\nmem_root 0x%x\npc 0x%08x  next_pc 0x%08x  hi 0x%08x  lo 0x%08x  heap 0x%08x  exited %v  exit_code %d\n",
			st.Step, hash, enc[:32], st.PC, st.NextPC, st.HI, st.LO, st.Heap, st.Exited, st.ExitCode)
		for i, r := range st.Regs {
			fmt.Fprintf(c.stdout, "r%-2d 0x%08x%s", i, r, map[bool]string{true: "\n", false: "  "}[i%8 == 7])
		}
		return nil
	}
	w, err := witness.Prove(m, tree)
	if err != nil {
		return err
	}
	b, err := json.Marshal(w)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if o.out == "" {
		_, err = c.stdout.Write(b)
		return err
	}
	return writeFileAtomic(o.out, b)
}

func regStrings(r [32]uint32) (s [32]string) {
	for i, v := range r {
		s[i] = fmt.Sprintf("0x%08x", v)
	}
	return s
}
