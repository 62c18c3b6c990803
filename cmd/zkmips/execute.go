package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/zkmips/zkmips/examples"
	"github.com/zkmips/zkmips/shard"
)

// defaultJobs is --jobs by default: a job per CPU, bounded because each
// holds about two shards in memory.
func defaultJobs() int { return min(runtime.NumCPU(), 16) }

// executeOptions are the flags of "zkmips execute".
type executeOptions struct {
	runOptions
	out       string
	shardSize uint64
	jobs      int
	force     bool
	quiet     bool
}

const executeLong = `Execute runs PROGRAM like "zkmips run" and writes its execution trace
to the directory --out: the run cut into shards of --shard-size cycles,
each shard a file holding the shard's log, which a reader ("zkmips trace",
the Go package trace) expands into typed, columnar tables (CPU, ALU
families, memory instructions, branches, jumps, syscalls, precompiles,
memory-checking accesses), plus the run's memory init/finalize rows and
manifest.json. docs/trace-format.md specifies the format.

The machine runs once, in record mode; with --jobs N, N shards' logs are
built (and N compressed) at once; the files are identical for any N. The
directory appears only when complete (it is written under a temporary
name and renamed). The guest's standard input comes from --stdin only.

The exit status is the guest's, as for run; a summary goes to standard
error (and a progress line while it runs, on a terminal).`

func (c *cli) executeCommand() *cobra.Command {
	var o executeOptions
	cmd := &cobra.Command{
		Use:   "execute PROGRAM --out DIR [flags] [-- guest args]",
		Short: "Execute a program and write its sharded execution trace",
		Long:  executeLong,
		Example: `  zkmips execute example:hash --input <(printf hello) --out trace
  zkmips execute ./guest --out trace --shard-size 1048576 --jobs 2`,
		Args: programArg(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			dash := cmd.ArgsLenAtDash()
			if dash < 0 {
				dash = len(args)
			}
			if dash > 1 {
				return fmt.Errorf("unexpected argument %q after PROGRAM: put guest arguments after --", args[1])
			}
			if o.out == "" {
				return fmt.Errorf("execute: --out DIR is required")
			}
			return c.execute(&o, args[0], args[1:])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "write the trace to directory `DIR` (must not exist unless --force)")
	f.Uint64Var(&o.shardSize, "shard-size", shard.DefaultShardSize, "cut shards of `N` cycles")
	f.IntVar(&o.jobs, "jobs", defaultJobs(), "trace and compress `N` shards at once (one per CPU, at most 16, by default; the output is the same for every N)")
	f.BoolVar(&o.force, "force", false, "replace --out if it exists")
	f.BoolVar(&o.quiet, "quiet", false, "print no progress or summary")
	o.addFlags(f)
	return cmd
}

func (c *cli) execute(o *executeOptions, progArg string, guestArgs []string) error {
	if guestArgs == nil {
		guestArgs = []string{}
	}
	if o.jobs < 1 || o.jobs > 256 {
		return fmt.Errorf("--jobs %d: want 1 to 256", o.jobs)
	}
	if o.shardSize < 1 || o.shardSize > 1<<26 {
		return fmt.Errorf("--shard-size %d: want 1 to %d cycles", o.shardSize, 1<<26)
	}
	o.noStream = true
	g, err := c.prepare(&o.runOptions, progArg, guestArgs)
	if err != nil {
		return err
	}
	defer g.close()
	elf, err := programBytes(progArg)
	if err != nil {
		return err
	}
	w, err := shard.CreateWith(o.out, shard.CreateOptions{Overwrite: o.force})
	if err != nil {
		return err
	}
	progress := c.progress(o.quiet)
	sum, err := shard.Execute(g.m, w, shard.Options{ShardSize: o.shardSize, Jobs: o.jobs, MaxSteps: o.maxSteps, Progress: progress})
	if progress != nil {
		fmt.Fprint(c.stderr, "\r\033[K")
	}
	outErr := g.stdout.Flush()
	if err != nil {
		w.Abort()
		return err
	}
	m := g.m
	res := m.Result()
	man := &shard.Manifest{
		Program:     shard.ProgramInfo{Name: g.args[0], SHA256: sha256Hex(elf), BigEndian: g.prog.BigEndian, Entry: shard.Hex32(g.prog.Entry)},
		StdinSHA256: sha256Hex(g.stdin),
		Args:        g.args,
		Env:         g.env,
		Seed:        o.seed,
		ShardSize:   o.shardSize,
		Totals: shard.Totals{
			ExitCode: uint32(res.ExitCode), Exited: res.Exited,
			PublicValues: res.PublicValues, PublicValuesDigest: res.PublicValuesDigest[:],
		},
	}
	for _, in := range g.inputs {
		man.Inputs = append(man.Inputs, shard.InputInfo{SHA256: sha256Hex(in), Bytes: int64(len(in))})
	}
	if res.Fault != nil {
		f := res.Fault.Error()
		man.Totals.Fault = &f
	}
	if res.Committed {
		d := shard.HexBytes(res.CommittedDigest[:])
		man.Totals.CommittedDigest = &d
	}
	if err := w.Close(man); err != nil {
		w.Abort()
		return err
	}
	if o.publicValues != "" {
		if err := writeFileAtomic(o.publicValues, res.PublicValues); err != nil && outErr == nil {
			outErr = fmt.Errorf("--public-values: %w", err)
		}
	}
	if !o.quiet {
		c.summary(o.out, sum)
	}
	switch {
	case res.Err != nil:
		return res.Err
	case outErr != nil:
		return outErr
	case !res.Exited:
		return fmt.Errorf("step limit reached: %d steps (--max-steps) without exiting; the trace up to there is in %s", m.Step(), o.out)
	case res.Fault != nil:
		c.errorf("%s", res.Fault.Error())
	}
	c.status = res.ExitCode
	return nil
}

// progress returns a progress callback drawing one line on a terminal
// (nil when stderr is not one, or quiet).
func (c *cli) progress(quiet bool) func(shard.Progress) {
	f, ok := c.stderr.(*os.File)
	if quiet || !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	start := time.Now()
	return func(p shard.Progress) {
		el := time.Since(start).Seconds()
		fmt.Fprintf(f, "\r\033[Kshards %d  cycles %d  %.1f M cycles/s  %s written", p.Shards, p.Cycles, float64(p.Cycles)/el/1e6, bytesString(p.Bytes))
	}
}

// summary prints what execute wrote.
func (c *cli) summary(dir string, s *shard.Summary) {
	el := s.Elapsed.Seconds()
	fmt.Fprintf(c.stderr, "zkmips: traced %d steps (%d cycles) in %d shards to %s: %s, %.2f bytes/cycle, %.2f s, %.1f M cycles/s\n",
		s.Steps, s.Cycles, s.Shards, dir, bytesString(s.Bytes), float64(s.Bytes)/float64(max(s.Cycles, 1)), el, float64(s.Cycles)/max(el, 1e-9)/1e6)
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(s.Rows)) {
		if n := s.Rows[name]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", name, n))
		}
	}
	fmt.Fprintf(c.stderr, "zkmips: rows: %s\n", strings.Join(parts, ", "))
}

// programBytes returns the bytes of the PROGRAM argument (for its digest).
func programBytes(arg string) ([]byte, error) {
	if name, ok := strings.CutPrefix(arg, examplePrefix); ok {
		data, ok := examples.Get(name)
		if !ok {
			return nil, unknownExample(name)
		}
		return data, nil
	}
	return os.ReadFile(arg)
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func bytesString(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
