// Package examples embeds the prebuilt example guests of examples/bin/ so
// that `zkmips run example:NAME` works without a MIPS toolchain. The sources
// are in examples/src/ and build.sh rebuilds the binaries reproducibly; see
// README.md.
package examples

import (
	"embed"
	"io/fs"
	"maps"
	"slices"
	"strings"
)

//go:embed bin/*
var bin embed.FS

// aliases maps short names to file names in bin/.
var aliases = map[string]string{
	"hello":    "hello-go.mips",
	"hello-le": "hello-go.mipsle",
	"fib":      "zkvm-fib.mipsle",
	"hash":     "zkvm-hash.mipsle",
	"hello-c":  "hello-c.mips",
}

// Names returns the file names of the embedded examples (for instance
// "hello-go.mips"), sorted. Aliases are not included.
func Names() []string {
	entries, err := fs.ReadDir(bin, "bin")
	if err != nil {
		panic(err) // the directory is embedded; cannot fail
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

// Aliases returns a copy of the short names Get accepts, each mapped to the
// file name it stands for (for instance "fib" to "zkvm-fib.mipsle").
func Aliases() map[string]string {
	return maps.Clone(aliases)
}

// Get returns the ELF image of the example with the given file name (one of
// Names) or alias (one of Aliases). The returned slice is shared: callers must
// not modify it.
func Get(name string) ([]byte, bool) {
	if file, ok := aliases[name]; ok {
		name = file
	}
	if strings.Contains(name, "/") {
		return nil, false // only files directly in bin/
	}
	b, err := bin.ReadFile("bin/" + name)
	if err != nil {
		return nil, false
	}
	return b, true
}
