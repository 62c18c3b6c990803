// Command zkmips runs MIPS32r2 Linux and zkVM guest programs deterministically
// and inspects them. See "zkmips help" for the commands.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
