#!/usr/bin/env bash
# Rebuilds the committed guest ELFs in bin/ from src/: every C program and
# every assembly test, for both byte orders (NAME.mips big-endian,
# NAME.mipsel little-endian).
#
#   build.sh           rebuild into bin/
#   build.sh --check   rebuild into a temporary directory and compare
#                      byte for byte with bin/ (exit 1 on any difference,
#                      3 when the installed toolchain is not the one
#                      recorded in bin/TOOLCHAIN, so no comparison is
#                      possible)
#
# Needs mips-linux-gnu-gcc and mipsel-linux-gnu-gcc with binutils and the
# static glibc (libc6-dev-mips-cross, libc6-dev-mipsel-cross). The Go guests
# in go/ are not committed as ELFs: the tests build them.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$here/src
check=0
case "${1:-}" in
--check) check=1 ;;
"") ;;
*)
	echo "usage: $0 [--check]" >&2
	exit 2
	;;
esac

# toolchain prints what the ELFs depend on besides the sources: compiler,
# assembler and linker versions and the static C libraries linked in.
toolchain() {
	local p
	for p in mips-linux-gnu mipsel-linux-gnu; do
		$p-gcc --version | head -n 1
		$p-as --version | head -n 1
		$p-ld --version | head -n 1
		(cd "$($p-gcc -print-file-name=libc.a | xargs dirname)" && sha256sum libc.a libm.a)
		(cd "$($p-gcc -print-libgcc-file-name | xargs dirname)" && sha256sum libgcc.a libgcc_eh.a)
	done
}

if [ $check = 1 ]; then
	if ! toolchain | cmp -s - "$here/bin/TOOLCHAIN"; then
		echo "the installed cross toolchain differs from the one that built bin/ (bin/TOOLCHAIN):"
		toolchain | diff "$here/bin/TOOLCHAIN" - || true
		exit 3
	fi
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
else
	out=$here/bin
	mkdir -p "$out"
	rm -f "$out"/*.mips "$out"/*.mipsel
	toolchain >"$out/TOOLCHAIN"
fi

# Builds run from src/ with relative file names so that no absolute path
# ends up in an ELF, and with a fixed locale and timestamp.
export LC_ALL=C SOURCE_DATE_EPOCH=0
cd "$src"

CFLAGS="-O2 -march=mips32r2 -static -Wl,--build-id=none"
for c in *.c; do
	name=${c%.c}
	mips-linux-gnu-gcc $CFLAGS -o "$out/$name.mips" "$c"
	mipsel-linux-gnu-gcc $CFLAGS -o "$out/$name.mipsel" "$c"
done

tmp=$(mktemp -d)
for s in *.S; do
	name=${s%.S}
	mips-linux-gnu-as -march=mips32r2 -EB --defsym BIG=1 -I . -o "$tmp/$name.o" "$s"
	mips-linux-gnu-ld -EB -z max-page-size=4096 --build-id=none -T test.ld -o "$out/$name.mips" "$tmp/$name.o"
	mipsel-linux-gnu-as -march=mips32r2 -EL -I . -o "$tmp/$name.o" "$s"
	mipsel-linux-gnu-ld -EL -z max-page-size=4096 --build-id=none -T test.ld -o "$out/$name.mipsel" "$tmp/$name.o"
done
rm -rf "$tmp"

if [ $check = 0 ]; then
	echo "built $(ls "$out"/*.mips "$out"/*.mipsel | wc -l) ELFs in $out"
	exit 0
fi

status=0
for f in "$out"/*; do
	b=$(basename "$f")
	if [ ! -f "$here/bin/$b" ]; then
		echo "missing from bin/: $b"
		status=1
	elif ! cmp -s "$f" "$here/bin/$b"; then
		echo "differs from its source: bin/$b"
		status=1
	fi
done
for f in "$here"/bin/*.mips "$here"/bin/*.mipsel; do
	[ -e "$f" ] || continue
	b=$(basename "$f")
	if [ ! -f "$out/$b" ]; then
		echo "no source for bin/$b"
		status=1
	fi
done
if [ $status = 0 ]; then
	echo "bin/ is current ($(ls "$out"/*.mips "$out"/*.mipsel | wc -l) ELFs)"
fi
exit $status
