package main

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/zkmips/zkmips/examples"
	"github.com/zkmips/zkmips/program"
)

func (c *cli) examplesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "examples",
		Short: "List the embedded example programs",
		Long: `Examples lists the example programs built into zkmips: their names (the
file name, or the short alias) for "zkmips run example:NAME", their size,
and what they are.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			aliases := map[string][]string{}
			for alias, file := range examples.Aliases() {
				aliases[file] = append(aliases[file], alias)
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tALIAS\tSIZE\tDESCRIPTION")
			for _, name := range examples.Names() {
				data, _ := examples.Get(name)
				a := aliases[name]
				slices.Sort(a)
				alias := strings.Join(a, ", ")
				if alias == "" {
					alias = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, alias, byteSize(len(data)), describe(data))
			}
			return tw.Flush()
		},
	}
}

// describe summarizes an example executable in a few words from what the
// ELF file shows: language runtime, zkVM use, byte order and code size.
func describe(data []byte) string {
	p, err := program.Load(data)
	if err != nil {
		return "invalid: " + oneLine(err.Error())
	}
	kind := "program"
	if _, ok := p.Lookup("runtime.main"); ok {
		kind = "Go program"
	} else if _, ok := p.Lookup("__libc_start_main"); ok {
		kind = "C program (glibc)"
	}
	for _, s := range p.Symbols {
		if strings.Contains(s.Name, "/guest/zkvm.") {
			kind = strings.Replace(kind, "program", "zkVM guest", 1)
			break
		}
	}
	order := "little-endian"
	if p.BigEndian {
		order = "big-endian"
	}
	return fmt.Sprintf("%s, %s MIPS32, %d instructions", kind, order, len(p.Code))
}

// byteSize formats n bytes for people.
func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
