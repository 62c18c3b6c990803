#!/usr/bin/env bash
# Rebuilds the example guests into examples/bin/ (committed as small,
# reproducible test inputs; see README.md).
#
#   examples/build.sh           rebuild examples/bin/*
#   examples/build.sh --check   rebuild into a temporary directory and compare
#                               byte for byte with examples/bin/*; exits 1 and
#                               names every stale, missing or extra file
#
# The outputs depend on the toolchain versions (recorded in
# examples/toolchain.txt): Go output changes with the Go release, C output
# with gcc/binutils/glibc. Symbols are kept on purpose (zkmips patches Go
# runtime functions by name), so there is no -s -w and no strip.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

check=0
case "${1:-}" in
"") ;;
--check) check=1 ;;
*)
	echo "usage: $0 [--check]" >&2
	exit 2
	;;
esac

# Keep the environment from changing the output.
export GOFLAGS= CGO_ENABLED=0 GOOS=linux GOMIPS=softfloat LC_ALL=C
unset GOEXPERIMENT GOAMD64 SOURCE_DATE_EPOCH

toolchain() {
	echo "go: $(go env GOVERSION)"
	echo "mips-linux-gnu-gcc: $(mips-linux-gnu-gcc -dumpfullversion)"
	echo "mipsel-linux-gnu-gcc: $(mipsel-linux-gnu-gcc -dumpfullversion)"
}

# build OUTDIR: writes every example into OUTDIR.
build() {
	local out=$1
	# -trimpath and -buildid= remove the build paths and build ID;
	# -w drops DWARF (the symbol table stays: zkmips patches runtime
	# functions by name). -buildvcs=false keeps git state (revision, dirty flag) out of the
	# embedded build info, or every commit would change the binaries.
	local goflags=(-trimpath -buildvcs=false "-ldflags=-buildid= -w")
	GOARCH=mips go build "${goflags[@]}" -o "$out/hello-go.mips" ./src/hello-go
	GOARCH=mipsle go build "${goflags[@]}" -o "$out/hello-go.mipsle" ./src/hello-go
	GOARCH=mipsle go build "${goflags[@]}" -o "$out/zkvm-fib.mipsle" ./src/zkvm-fib
	GOARCH=mipsle go build "${goflags[@]}" -o "$out/zkvm-hash.mipsle" ./src/zkvm-hash
	# Compiled from inside the source directory with a relative file name, so
	# no absolute path reaches the symbol table; no build ID note.
	local cflags=(-O2 -march=mips32r2 -static -Wl,--build-id=none)
	(cd src/hello-c &&
		mips-linux-gnu-gcc "${cflags[@]}" -o "$out/hello-c.mips" hello.c &&
		mipsel-linux-gnu-gcc "${cflags[@]}" -o "$out/hello-c.mipsel" hello.c)
}

if [ "$check" = 0 ]; then
	mkdir -p bin
	rm -f bin/*
	build "$here/bin"
	toolchain >toolchain.txt
	ls -l bin
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "toolchain used for the check:"
toolchain | sed 's/^/  /'
if ! toolchain | cmp -s - toolchain.txt; then
	echo "note: examples/bin/ was built with a different toolchain:"
	sed 's/^/  /' toolchain.txt
fi
build "$tmp"

stale=0
for f in "$tmp"/*; do
	name=$(basename "$f")
	if [ ! -e "bin/$name" ]; then
		echo "MISSING: examples/bin/$name is not committed" >&2
		stale=1
	elif ! cmp -s "$f" "bin/$name"; then
		echo "STALE: examples/bin/$name differs from a fresh build" >&2
		stale=1
	fi
done
for f in bin/*; do
	if [ ! -e "$tmp/$(basename "$f")" ]; then
		echo "EXTRA: examples/$f is not produced by build.sh" >&2
		stale=1
	fi
done
if [ "$stale" != 0 ]; then
	echo "examples/bin/ is out of date: run examples/build.sh and commit examples/bin/" >&2
	exit 1
fi
echo "examples/bin/ is up to date ($(ls bin | wc -l) files)"
