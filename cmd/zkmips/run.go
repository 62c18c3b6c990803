package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/oracle"
	"github.com/zkmips/zkmips/program"
	"github.com/zkmips/zkmips/witness"
)

// runOptions are the flags of "zkmips run".
type runOptions struct {
	resume       string       // --from-snapshot
	points       pointOptions // run's --proof-at & co
	stdin        string
	inputs       []string
	env          []string
	seed         uint64
	maxSteps     uint64
	strict       bool
	publicValues string
	report       string
	noStream     bool // never read zkmips's own stdin (execute)
	preimages    string
	host         bool     // the words after -- are the pre-image host's command
	args         []string // --arg: guest arguments
}

const runLong = `Run executes PROGRAM, a MIPS32 ELF executable given by its path or an
embedded example given as example:NAME ("zkmips examples" lists them),
until the guest exits.

The guest's argv[0] is PROGRAM's base name (or the example's name) and the
arguments after -- (or the --arg values) follow it. Its environment is
exactly the --env variables: nothing is inherited from the host. Its
standard output and error are zkmips's own; its standard input is zkmips's
standard input unless --stdin names a file.

Guests that use the Cannon/op-program pre-image oracle (fds 3 to 6) get
their pre-images from one of two places:

  --preimages DIR   a directory holding one file per pre-image, named by
                    its 32-byte key as 64 lowercase hex digits (a 0x prefix
                    is accepted); keccak256 (type 2) and sha256 (type 4)
                    keys are checked against the file; hints are ignored.
  --host -- CMD...  a host process started as Cannon starts op-program: the
                    words after -- are its command and arguments, and it
                    gets fd 3 (hints in), 4 (hint acknowledgements out),
                    5 (keys in) and 6 (u64 big-endian length || data out).
                    Guest arguments are then given with --arg (repeatable).

Without either, a guest that reads a pre-image stops the run with an error
naming its key. docs/linux.md describes the oracle.

The exit status is the guest's exit code, or 128+N when a fault (signal N)
ended it, in which case zkmips also prints the fault on standard error.
When zkmips cannot run the program to its end (an invalid program, an
unsupported instruction, --max-steps reached, an unknown system call under
--strict) it prints one line on standard error and exits 125; --report and
--public-values are still written when the run started.`

const runExample = `  zkmips run example:hello
  zkmips run ./guest --input in.bin --public-values pv.bin --report run.json
  zkmips run ./prog --env LANG=C --stdin input.txt -- -v file1 file2
  zkmips run ./op-program-client --preimages ./preimages
  zkmips run ./op-program-client --arg -v --host -- op-program --server --l1 ...`

func (c *cli) runCommand() *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:     "run PROGRAM [flags] [-- guest args | --host -- HOSTCMD [ARGS...]]",
		Short:   "Execute a program and exit with its exit status",
		Long:    runLong,
		Example: runExample,
		Args:    programArg(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			dash := cmd.ArgsLenAtDash()
			if dash < 0 {
				dash = len(args)
			}
			if dash > 1 {
				return fmt.Errorf("unexpected argument %q after PROGRAM: put guest arguments after --", args[1])
			}
			return c.runProgram(&o, args[0], args[1:])
		},
	}
	o.addFlags(cmd.Flags())
	o.points.addFlags(cmd.Flags())
	o.addResumeFlag(cmd.Flags())
	cmd.Flags().StringVar(&o.report, "report", "", "write a JSON report of the run (steps, outcome, opcode and syscall counts, digests) to `FILE`")
	return cmd
}

// addFlags declares the flags that shape a guest's run, shared by run and
// execute.
func (o *runOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.stdin, "stdin", "", "feed the guest's standard input from `FILE`")
	f.StringArrayVar(&o.inputs, "input", nil, "append the contents of `FILE` to the zkVM input stream as one item (repeatable; items are read in order)")
	f.StringArrayVar(&o.env, "env", nil, "set the guest environment variable `KEY=VALUE` (repeatable; the guest gets no other variables)")
	f.Uint64Var(&o.seed, "seed", 0, "seed `N` for the guest's randomness (getrandom, AT_RANDOM)")
	f.Uint64Var(&o.maxSteps, "max-steps", 0, "stop with an error after `N` instructions (0: no limit)")
	f.BoolVar(&o.strict, "strict", false, "fail on an unknown system call instead of returning ENOSYS to the guest")
	f.StringVar(&o.publicValues, "public-values", "", "write the public values the guest committed to `FILE`")
	f.StringVar(&o.preimages, "preimages", "", "serve the guest's pre-image oracle (fds 3-6) from `DIR`: one file per pre-image, named by its key in hex")
	f.BoolVar(&o.host, "host", false, "serve the guest's pre-image oracle from a host process whose command follows -- (op-program host protocol on its fds 3-6); guest arguments then come from --arg")
	f.StringArrayVar(&o.args, "arg", nil, "append `VALUE` to the guest's arguments (repeatable; the way to give them with --host)")
}

// oracleArgs sorts the words after PROGRAM into guest arguments and the
// pre-image host's command (--host), and checks the oracle flags.
func (o *runOptions) oracleArgs(words []string) (guestArgs, hostCmd []string, err error) {
	if o.host {
		if o.preimages != "" {
			return nil, nil, errors.New("--preimages and --host exclude each other: pre-images come from a directory or from a host process")
		}
		if len(words) == 0 {
			return nil, nil, errors.New("--host: give the host command after --, as in: zkmips run PROGRAM --host -- HOSTCMD ARGS... (guest arguments go in --arg)")
		}
		return o.args, words, nil
	}
	if len(o.args) > 0 {
		if len(words) > 0 {
			return nil, nil, fmt.Errorf("guest arguments given both with --arg and after -- (%q): use one or the other", words[0])
		}
		return o.args, nil, nil
	}
	return words, nil, nil
}

// syncWriter serializes writes from the run and from the pre-image host's
// output copier to one writer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write writes p under the lock.
func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// programArg wraps an argument check so that a missing PROGRAM is reported
// as such rather than as a count of arguments.
func programArg(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return fmt.Errorf("%s: missing PROGRAM (a path or example:NAME)", cmd.Name())
		}
		return check(cmd, args)
	}
}

// guest is a loaded program ready to run, with its buffered output.
type guest struct {
	prog *program.Program
	m    *executor.Machine
	// tree is m's memory Merkle tree for proofs and snapshots, seeded
	// with the page roots a snapshot file carried.
	tree   *witness.Tree
	stdout *bufio.Writer
	inputs [][]byte
	stdin  []byte // the --stdin file's contents
	args   []string
	env    []string
	close  func()
}

// prepare loads the program and builds its machine from the run flags.
func (c *cli) prepare(o *runOptions, progArg string, guestArgs []string) (*guest, error) {
	guestArgs, hostCmd, err := o.oracleArgs(guestArgs)
	if err != nil {
		return nil, err
	}
	env, err := guestEnv(o.env)
	if err != nil {
		return nil, err
	}
	var inputs [][]byte
	for _, name := range o.inputs {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("--input: %w", err)
		}
		inputs = append(inputs, data)
	}
	// A snapshot is read and decompressed while the program loads: both
	// take tens of milliseconds, most of a proof from a snapshot.
	type snapshotFile struct {
		data  []byte
		roots []witness.PageRoot
		err   error
	}
	var snapshot chan snapshotFile
	if o.resume != "" {
		snapshot = make(chan snapshotFile, 1)
		go func() {
			data, roots, err := readSnapshotFile(o.resume)
			snapshot <- snapshotFile{data, roots, err}
		}()
	}
	prog, argv0, err := loadProgram(progArg)
	if err != nil {
		return nil, err
	}

	// Guest output is buffered; stdout is flushed before anything reaches
	// stderr and before the guest reads zkmips's standard input, so the
	// interleaving a terminal shows is the guest's.
	g := &guest{prog: prog, tree: witness.NewTree(), inputs: inputs, env: env, args: append([]string{argv0}, guestArgs...), close: func() {}}
	g.stdout = bufio.NewWriterSize(c.stdout, 64<<10)
	if _, isFile := c.stderr.(*os.File); hostCmd != nil && !isFile {
		// The host's output copier writes there too from here on (a file
		// is handed to the host as it is).
		c.stderr = &syncWriter{w: c.stderr}
	}
	stderr := &flushFirst{w: c.stderr, first: g.stdout}
	// A --stdin file is read whole, so that snapshots of the machine can
	// replay it; otherwise run streams zkmips's own stdin.
	var stdin io.Reader
	if o.stdin != "" {
		data, err := os.ReadFile(o.stdin)
		if err != nil {
			return nil, fmt.Errorf("--stdin: %w", err)
		}
		g.stdin = data
		stdin = bytes.NewReader(data)
	} else if c.stdin != nil && !o.noStream {
		stdin = &flushFirstReader{r: c.stdin, first: g.stdout}
	}

	var orc executor.Oracle
	switch {
	case o.preimages != "":
		s, err := oracle.Dir(o.preimages)
		if err != nil {
			return nil, fmt.Errorf("--preimages: %w", err)
		}
		orc = s
	case hostCmd != nil:
		h, err := oracle.Host(hostCmd, c.stderr)
		if err != nil {
			return nil, fmt.Errorf("--host: %w", err)
		}
		orc = h
		g.close = func() {
			if err := h.Close(); err != nil {
				c.errorf("warning: pre-image %v", err)
			}
		}
	}

	cfg := executor.Config{
		Args:     g.args,
		Env:      env,
		Stdin:    stdin,
		Stdout:   g.stdout,
		Stderr:   stderr,
		Inputs:   inputs,
		Seed:     o.seed,
		MaxSteps: o.maxSteps,
		Strict:   o.strict,
		Oracle:   orc,
	}
	if o.resume != "" {
		// The snapshot holds the whole machine; the flags give again what
		// it does not (program, streams, oracle).
		f := <-snapshot
		if err = f.err; err == nil {
			g.m, err = executor.UnmarshalSnapshot(prog, cfg, f.data)
		}
		if err == nil && f.roots != nil {
			g.tree.SeedPageRoots(g.m, f.roots)
		}
		if err != nil {
			err = fmt.Errorf("--from-snapshot: %w", err)
		}
	} else {
		g.m, err = executor.New(prog, cfg)
	}
	if err != nil {
		g.close()
		return nil, err
	}
	return g, nil
}

// runProgram loads and runs the program, writes the requested files, and
// sets the exit status.
func (c *cli) runProgram(o *runOptions, progArg string, guestArgs []string) error {
	if o.points.snapshotAt != "never" {
		// A snapshot must be able to replay standard input: it is then the
		// --stdin file or empty, never zkmips's own stream.
		o.noStream = true
	}
	g, err := c.prepare(o, progArg, guestArgs)
	if err != nil {
		return err
	}
	defer g.close()
	m, stdout := g.m, g.stdout
	start := time.Now()
	var res *executor.Result
	var stopped error
	if scheduled, err := o.points.parse(); err != nil {
		return err
	} else if scheduled {
		stopped = c.runScheduled(m, g.tree, &o.points, o.maxSteps)
		res = m.Result()
	} else {
		res = m.Run()
	}
	elapsed := time.Since(start)

	outErr := stdout.Flush()
	if outErr != nil {
		outErr = fmt.Errorf("writing standard output: %w", outErr)
	}
	if o.publicValues != "" {
		if err := writeFileAtomic(o.publicValues, res.PublicValues); err != nil && outErr == nil {
			outErr = fmt.Errorf("--public-values: %w", err)
		}
	}
	if o.report != "" {
		data := newReport(progArg, res, elapsed).marshal()
		if err := writeFileAtomic(o.report, data); err != nil && outErr == nil {
			outErr = fmt.Errorf("--report: %w", err)
		}
	}

	switch {
	case res.Err != nil:
		return res.Err
	case outErr != nil:
		return outErr
	case errors.Is(stopped, errStopAt):
		c.errorf("stopped before step %d (--stop-at %s)", m.Step(), o.points.stopAt)
		return nil
	case stopped != nil:
		return stopped
	case !res.Exited:
		return errors.New("the run stopped before the guest exited")
	case res.Fault != nil:
		c.errorf("%s", res.Fault.Error())
	}
	c.status = res.ExitCode
	return nil
}

// guestEnv checks the --env values and drops all but the last setting of
// each variable (C getenv would otherwise return the first).
func guestEnv(vars []string) ([]string, error) {
	var env []string
	index := map[string]int{}
	for _, kv := range vars {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--env %q: want KEY=VALUE", kv)
		}
		if i, seen := index[k]; seen {
			env[i] = kv
			continue
		}
		index[k] = len(env)
		env = append(env, kv)
	}
	return env, nil
}

// flushFirst is a writer that flushes another, buffered, writer before each
// write, to keep the order of two output streams.
type flushFirst struct {
	w     io.Writer
	first *bufio.Writer
}

// Write flushes the buffered writer (whose error, if any, it keeps and
// reports at the end of the run) and writes p.
func (f *flushFirst) Write(p []byte) (int, error) {
	f.first.Flush()
	return f.w.Write(p)
}

// flushFirstReader flushes a buffered writer before each read, so that a
// prompt is visible before the guest waits for input.
type flushFirstReader struct {
	r     io.Reader
	first *bufio.Writer
}

// Read flushes the buffered writer (whose error, if any, it keeps and
// reports at the end of the run) and reads into p.
func (f *flushFirstReader) Read(p []byte) (int, error) {
	f.first.Flush()
	return f.r.Read(p)
}
