package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"

	"github.com/spf13/cobra"
)

// exitFailure is the exit status when zkmips itself fails (bad flags, an
// unreadable or invalid program, an executor error, the step limit), as
// opposed to the guest's own exit status.
const exitFailure = 125

// cli is one invocation of zkmips: its standard streams and the exit status
// a command that completed chose.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	status         int
	// profile stops the CPU profile that --cpuprofile started.
	profile func() error
}

// run executes zkmips with the command-line arguments args (without the
// program name) and returns the process exit status. main wraps it; tests
// call it in-process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if args == nil {
		args = []string{} // cobra reads os.Args when given nil
	}
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	root := c.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if c.profile != nil {
		if perr := c.profile(); err == nil && perr != nil {
			err = fmt.Errorf("profile: %w", perr)
		}
	}
	if err != nil {
		c.errorf("%v", err)
		return exitFailure
	}
	return c.status
}

// startProfile writes a CPU profile of the command to path (the hidden
// --cpuprofile flag, for "go tool pprof"); c.profile ends it.
func (c *cli) startProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	next := c.profile
	c.profile = func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return err
		}
		if next != nil {
			return next()
		}
		return nil
	}
	return nil
}

// startMemProfile records every allocation of the command and writes the
// profile to path when it ends (the hidden --memprofile flag).
func (c *cli) startMemProfile(path string) {
	runtime.MemProfileRate = 1
	stop := c.profile
	c.profile = func() error {
		if stop != nil {
			if err := stop(); err != nil {
				return err
			}
		}
		runtime.GC() // the profile shows allocations up to the last collection
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

// errorf prints one "zkmips: ..." line to stderr.
func (c *cli) errorf(format string, a ...any) {
	fmt.Fprintf(c.stderr, "zkmips: %s\n", oneLine(fmt.Sprintf(format, a...)))
}

// oneLine folds a possibly multi-line message onto one line.
func oneLine(s string) string {
	var parts []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, "; ")
}

const rootLong = `zkmips executes MIPS32r2 programs deterministically: statically linked
Linux ELF executables (o32 ABI, big- or little-endian, built from Go or C) and
zkMIPS/Ziren-style zkVM guests, which read private input items, write
public values and commit their digest.

A run depends only on the program and what the command line gives it:
arguments, the environment set with --env, standard input, input items and
a random seed. No host time, randomness or environment reaches the guest,
so the same command always executes the same instructions.

Exit status of "zkmips run": the guest's exit code; 128+N when a fault
(signal N) ended the guest; 125 when zkmips itself failed (bad usage, an
unreadable or invalid program, an unsupported instruction, the step limit).
Every other command exits 0 on success and 125 on failure.`

// rootCommand builds the command tree.
func (c *cli) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "zkmips",
		Short: "Deterministic MIPS32r2 executor for Linux and zkVM guest programs",
		Long:  rootLong,
		// Errors are printed once, as a single line, by run.
		SilenceUsage:  true,
		SilenceErrors: true,
		// ArbitraryArgs keeps cobra's multi-line "unknown command" error
		// away: RunE reports it on one line instead.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			msg := fmt.Sprintf("unknown command %q", args[0])
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %q?)", s[0])
			}
			return errors.New(msg + `; run "zkmips help" for the commands`)
		},
		SuggestionsMinimumDistance: 2,
		Version:                    versionString(),
		CompletionOptions:          cobra.CompletionOptions{HiddenDefaultCmd: true},
	}
	root.SetVersionTemplate("{{.Version}}\n")
	var cpuprofile, memprofile string
	root.PersistentFlags().StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile to `FILE`")
	root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentFlags().StringVar(&memprofile, "memprofile", "", "write an allocation profile to `FILE`")
	root.PersistentFlags().MarkHidden("memprofile")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if memprofile != "" {
			c.startMemProfile(memprofile)
		}
		if cpuprofile == "" {
			return nil
		}
		return c.startProfile(cpuprofile)
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		if cmd.HasParent() {
			return fmt.Errorf("%s: %w", cmd.Name(), err)
		}
		return err
	})
	root.AddCommand(
		c.runCommand(),
		c.executeCommand(),
		c.traceCommand(),
		c.proveStepCommand(),
		c.stateCommand(),
		c.verifyStepCommand(),
		c.disasmCommand(),
		c.examplesCommand(),
		c.versionCommand(),
	)
	return root
}
