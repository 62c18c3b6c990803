package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/witness"
)

// proveOptions are the flags of "zkmips prove-step" and "zkmips state".
type proveOptions struct {
	runOptions
	step   uint64
	steps  string // prove-step's --step: N, a list or ranges
	out    string
	outDir string
	asJSON bool
}

func (c *cli) proveStepCommand() *cobra.Command {
	var o proveOptions
	cmd := &cobra.Command{
		Use:   "prove-step PROGRAM --step N [--out FILE] [flags] [-- guest args]",
		Short: "Write the single-step proof of step N (Cannon's proof JSON)",
		Long: `Prove-step runs PROGRAM to step N (0-based) and writes the witness of that
step in the proof JSON the OP Stack tooling reads: step, pre and post state
hashes, the 226-byte pre-state, the memory proofs (the instruction word,
then every data word the step touches, 896 bytes each) and, when the step
reads the pre-image oracle, its key, value and offset.
docs/fault-proofs.md describes the layout; "zkmips verify-step FILE" checks
a proof with the shipped MIPS.sol.

--step also takes a list and ranges (--step 1,4,9 or --step 100-199): the
proofs then go to --out-dir DIR as STEP.json, or to standard output as one
JSON object per line. Steps the contract cannot check (zkVM calls, FP
registers, syscalls whose effect depends on state outside the 226 bytes;
docs/fault-proofs.md lists them) are refused with the reason.`,
		Args: programArg(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.proveStep(&o, args[0], args[1:], false)
		},
	}
	o.addFlags(cmd.Flags())
	o.addResumeFlag(cmd.Flags())
	cmd.Flags().StringVar(&o.steps, "step", "", "prove step `N` (0-based), or a list/ranges such as 1,4,9 or 100-199")
	cmd.Flags().StringVar(&o.out, "out", "", "write the proof to `FILE` (one step; default: standard output)")
	cmd.Flags().StringVar(&o.outDir, "out-dir", "", "write each proof to `DIR`/STEP.json")
	cmd.MarkFlagRequired("step")
	return cmd
}

func (c *cli) stateCommand() *cobra.Command {
	var o proveOptions
	cmd := &cobra.Command{
		Use:   "state PROGRAM|SNAPSHOT [--step N] [--json] [flags] [-- guest args]",
		Short: "Print the fault-proof state (and its hash) before step N",
		Long: `State prints the fault-proof state before step N of PROGRAM (running it
there) and its hash. Given a snapshot file (--snapshot-at) instead of a
program, it prints the snapshot's state without the program; to go on from
a snapshot to a later step, give both: state PROGRAM --from-snapshot FILE
--step N.`,
		Args: programArg(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if isSnapshotFile(args[0]) {
				return c.snapshotState(&o, cmd, args)
			}
			return c.proveStep(&o, args[0], args[1:], true)
		},
	}
	o.addFlags(cmd.Flags())
	o.addResumeFlag(cmd.Flags())
	cmd.Flags().Uint64Var(&o.step, "step", 0, "the state before step `N` (0: the initial state, or the snapshot's step)")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print JSON")
	return cmd
}

// proveStep runs to o.step and prints the state there, or proves the steps.
func (c *cli) proveStep(o *proveOptions, progArg string, guestArgs []string, stateOnly bool) error {
	steps := []uint64{o.step}
	if !stateOnly {
		var err error
		if steps, err = parseStepList(o.steps); err != nil {
			return err
		}
		if len(steps) > 1 && o.out != "" {
			return errors.New("--out takes one step; use --out-dir DIR for several")
		}
		if o.outDir != "" {
			if err := os.MkdirAll(o.outDir, 0o755); err != nil {
				return fmt.Errorf("--out-dir: %w", err)
			}
		}
	}
	o.noStream = true
	g, err := c.prepare(&o.runOptions, progArg, guestArgs)
	if err != nil {
		return err
	}
	defer g.close()
	m := g.m
	if !stateOnly {
		return c.proveSteps(o, m, g.tree, steps, func() { g.stdout.Flush() })
	}
	if o.resume != "" && o.step == 0 {
		o.step = m.Step() // the snapshot's own state
	}
	m.RunUntil(o.step)
	g.stdout.Flush()
	if m.Err() != nil {
		return m.Err()
	}
	if m.Step() > o.step {
		return fmt.Errorf("the snapshot is at step %d, past step %d", m.Step(), o.step)
	}
	if m.Step() != o.step {
		return fmt.Errorf("the guest ended after %d steps: there is no step %d", m.Step(), o.step)
	}
	return c.printState(o, m, g.tree)
}

// snapshotState prints the state of a snapshot file read without its
// program.
func (c *cli) snapshotState(o *proveOptions, cmd *cobra.Command, args []string) error {
	for _, f := range []string{"step", "from-snapshot"} {
		if cmd.Flags().Changed(f) {
			return fmt.Errorf("--%s needs the program: zkmips state PROGRAM --from-snapshot %s --step N", f, args[0])
		}
	}
	if len(args) > 1 {
		return fmt.Errorf("a snapshot takes no guest arguments (got %q)", args[1:])
	}
	data, roots, err := readSnapshotFile(args[0])
	if err == nil {
		var m *executor.Machine
		if m, err = executor.SnapshotState(data); err == nil {
			tree := witness.NewTree()
			tree.SeedPageRoots(m, roots)
			return c.printState(o, m, tree)
		}
	}
	return fmt.Errorf("%s: %w", args[0], err)
}

// isSnapshotFile reports whether path names a snapshot file (zstd or raw)
// rather than a program.
func isSnapshotFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [8]byte
	n, _ := io.ReadFull(f, b[:])
	return bytes.HasPrefix(b[:n], zstdMagic) || string(b[:n]) == executor.SnapshotMagic
}

// printState prints m's fault-proof state and its hash.
func (c *cli) printState(o *proveOptions, m *executor.Machine, tree *witness.Tree) error {
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

// proveSteps proves the given steps (sorted) of m, running in fast mode in
// between; one tree follows the machine, so each proof costs only the
// memory written since the previous one.
func (c *cli) proveSteps(o *proveOptions, m *executor.Machine, tree *witness.Tree, steps []uint64, flush func()) error {
	for _, n := range steps {
		if m.Step() > n {
			return fmt.Errorf("the snapshot is at step %d, past step %d", m.Step(), n)
		}
		m.RunUntil(n)
		flush()
		if m.Err() != nil {
			return m.Err()
		}
		if m.Step() != n || m.Exited() {
			return fmt.Errorf("the guest ended after %d steps: there is no step %d", m.Step(), n)
		}
		w, err := witness.Prove(m, tree)
		flush()
		if err != nil {
			return fmt.Errorf("step %d: %w", n, err)
		}
		b := append(w.AppendJSON(nil), '\n')
		switch {
		case o.out != "":
			err = writeFileAtomic(o.out, b)
		case o.outDir != "":
			err = writeFileFast(filepath.Join(o.outDir, strconv.FormatUint(n, 10)+".json"), b)
		default:
			_, err = c.stdout.Write(b)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func regStrings(r [32]uint32) (s [32]string) {
	for i, v := range r {
		s[i] = fmt.Sprintf("0x%08x", v)
	}
	return s
}
