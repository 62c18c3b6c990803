package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/zkmips/zkmips/events"
	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
	"github.com/zkmips/zkmips/shard"
	"github.com/zkmips/zkmips/trace"
)

// exitInvalid is the exit status of "trace check" for a trace that fails
// its checks (as opposed to 125 for a failure to run the check at all).
const exitInvalid = 1

func (c *cli) traceCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trace",
		Short: "Inspect and check execution traces written by execute",
	}
	cmd.AddCommand(c.traceStatsCommand(), c.traceCheckCommand())
	return cmd
}

func (c *cli) traceStatsCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats DIR",
		Short: "Print a trace's size, rows per table and shards",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := trace.Open(args[0])
			if err != nil {
				return err
			}
			return c.traceStats(r.Manifest(), asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// traceStats summarises a manifest.
func (c *cli) traceStats(m *shard.Manifest, asJSON bool) error {
	rows := map[string]uint64{}
	var bytes int64
	for _, s := range m.Shards {
		bytes += s.Bytes
		for name, n := range s.Rows {
			rows[name] += n
		}
	}
	bytes += m.Memory.Bytes
	rows["memory_init"], rows["memory_finalize"] = m.Memory.InitRows, m.Memory.FinalizeRows
	perCycle := float64(bytes) / float64(max(m.Totals.Cycles, 1))
	if asJSON {
		type shardStats struct {
			Index  uint32 `json:"index"`
			Steps  uint64 `json:"steps"`
			Cycles uint64 `json:"cycles"`
			Bytes  int64  `json:"bytes"`
		}
		out := struct {
			Program       string            `json:"program"`
			Steps         uint64            `json:"steps"`
			Cycles        uint64            `json:"cycles"`
			Shards        int               `json:"shards"`
			ShardSize     uint64            `json:"shard_size"`
			Bytes         int64             `json:"bytes"`
			BytesPerCycle float64           `json:"bytes_per_cycle"`
			Exited        bool              `json:"exited"`
			ExitCode      uint32            `json:"exit_code"`
			Rows          map[string]uint64 `json:"rows"`
			PerShard      []shardStats      `json:"per_shard"`
		}{m.Program.Name, m.Totals.Steps, m.Totals.Cycles, len(m.Shards), m.ShardSize, bytes, perCycle,
			m.Totals.Exited, m.Totals.ExitCode, rows, nil}
		for _, s := range m.Shards {
			out.PerShard = append(out.PerShard, shardStats{s.Index, s.Steps, s.Cycles, s.Bytes})
		}
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s\n", b)
		return nil
	}
	fmt.Fprintf(c.stdout, "program    %s (%s-endian, sha256 %s)\n", m.Program.Name, map[bool]string{true: "big", false: "little"}[m.Program.BigEndian], m.Program.SHA256)
	fmt.Fprintf(c.stdout, "run        %d steps, %d cycles, exited %v with %d\n", m.Totals.Steps, m.Totals.Cycles, m.Totals.Exited, m.Totals.ExitCode)
	fmt.Fprintf(c.stdout, "shards     %d of %d cycles\n", len(m.Shards), m.ShardSize)
	fmt.Fprintf(c.stdout, "size       %s, %.2f bytes/cycle\n", bytesString(bytes), perCycle)
	fmt.Fprintf(c.stdout, "rows\n")
	for _, name := range slices.Sorted(maps.Keys(rows)) {
		if rows[name] > 0 {
			fmt.Fprintf(c.stdout, "  %-22s %12d  %6.3f per cycle\n", name, rows[name], float64(rows[name])/float64(max(m.Totals.Cycles, 1)))
		}
	}
	return nil
}

func (c *cli) traceCheckCommand() *cobra.Command {
	var progArg string
	cmd := &cobra.Command{
		Use:   "check DIR [--program PROGRAM]",
		Short: "Check a trace independently of the executor",
		Long: `Check reads a trace (and, with --program, the ELF it came from) and
verifies it without running the program: every file's checksum, memory
consistency (every read sees the last write, timestamps increase, previous
pointers are right, shards chain through their first and last accesses,
initial and final rows balance), each row's arithmetic and operands, the pc
flow and shard boundaries, and the public-values digest.

It exits 0 when the trace is valid, 1 naming the first violation (shard,
table, row) when it is not, and 125 when it cannot run.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.traceCheck(args[0], progArg)
		},
	}
	cmd.Flags().StringVar(&progArg, "program", "", "also check instructions and initial memory against `PROGRAM` (a path or example:NAME)")
	return cmd
}

func (c *cli) traceCheck(dir, progArg string) error {
	invalid := func(err error) error {
		c.errorf("trace check: %s: %v", dir, err)
		c.status = exitInvalid
		return nil
	}
	r, err := trace.Open(dir)
	if err != nil {
		return invalid(err)
	}
	man := r.Manifest()
	var prog *program.Program
	var patches []executor.PatchedWord
	if progArg != "" {
		if prog, _, err = loadProgram(progArg); err != nil {
			return err
		}
		data, err := programBytes(progArg)
		if err != nil {
			return err
		}
		if got := sha256Hex(data); got != man.Program.SHA256 {
			return fmt.Errorf("--program %s has sha256 %s, but the trace was made from %s (sha256 %s)", progArg, got, man.Program.Name, man.Program.SHA256)
		}
		// The executor patches some programs at load time (Go runtime);
		// the checker must know the image the run started from.
		m, err := executor.New(prog, executor.Config{Args: man.Args, Env: man.Env})
		if err != nil {
			return err
		}
		patches = m.PatchedWords()
	}
	ch := trace.NewChecker(prog)
	if prog == nil {
		ch.SetBigEndian(man.Program.BigEndian)
		ch.SetEntry(uint32(man.Program.Entry))
	}
	for _, p := range patches {
		ch.Patch(p.Addr, p.Word)
	}
	init, fin, err := r.Memory()
	if err != nil {
		return invalid(err)
	}
	ch.Init(init)
	var rows uint64
	// Shards are read and expanded on all cores ahead of the checker,
	// which takes them in order.
	if err := r.Each(runtime.GOMAXPROCS(0), func(rec *events.Record) error {
		rows += uint64(len(rec.CPU) + len(rec.Memory))
		return ch.Shard(rec)
	}); err != nil {
		return invalid(err)
	}
	if err := ch.Finish(fin); err != nil {
		return invalid(err)
	}
	if err := trace.CheckPublicValues(man.Totals.PublicValues, man.Totals.PublicValuesDigest); err != nil {
		return invalid(err)
	}
	if d := man.Totals.CommittedDigest; d != nil && !strings.EqualFold(fmt.Sprintf("%x", []byte(*d)), fmt.Sprintf("%x", []byte(man.Totals.PublicValuesDigest))) {
		return invalid(fmt.Errorf("the guest committed digest %x, but its public values hash to %x", []byte(*d), []byte(man.Totals.PublicValuesDigest)))
	}
	what := "without the program"
	if prog != nil {
		what = "against " + man.Program.Name
	}
	fmt.Fprintf(c.stdout, "trace ok: %d shards, %d steps, %d CPU and memory rows checked %s\n", r.NumShards(), man.Totals.Steps, rows, what)
	return nil
}
