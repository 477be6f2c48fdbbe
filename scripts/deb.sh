#!/bin/bash
# make deb: build vmscope_VERSION_ARCH.deb and vmscope-dkms_VERSION_all.deb
# with Debian's tooling (dpkg-buildpackage, debhelper, dh-dkms) from a
# clean copy of the source tree, then check them with lintian.  The
# packages land in build/deb/; lintian's output in build/deb/lintian.txt.
# As root, missing build dependencies are installed first.
#
#   scripts/deb.sh          for this machine's architecture
#   scripts/deb.sh arm64    cross-built on x86-64 (make deb ARCH=arm64),
#                           into build/arm64/deb/
# The arm64 cross-build takes its arm64 libraries from the unpacked
# bookworm packages of scripts/arm64-pkgs.sh, never from the host's dpkg
# (the host gets no foreign architecture): dpkg-buildpackage -aarm64 -d,
# with the arm64 build dependencies checked here instead, and the
# libraries' dependency information from those packages' shlibs files.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pkgs.sh

cross=
case ${1:-} in
"") ;;
arm64) [ "$(uname -m)" = aarch64 ] || cross=arm64 ;;
*) echo "deb: usage: scripts/deb.sh [arm64]" >&2; exit 2 ;;
esac

# The tools that build and check the packages, and the Build-Depends.
need_pkgs dpkg-dev debhelper dh-dkms lintian fakeroot
ver=$(dpkg-parsechangelog -S Version)
out=build/deb
[ -z "$cross" ] || out=build/arm64/deb
src=$out/vmscope-$ver
rm -rf "$out" && mkdir -p "$src"
# The tree as git knows it (tracked, and new files not ignored), or all of
# it but build/ outside git.
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf - | tar -xf - -C "$src"
else
	tar --exclude=./build -cf - . | tar -xf - -C "$src"
fi
bpargs=(-b -us -uc)
if [ -n "$cross" ]; then
	# The build tools run on this machine; the arm64 libraries (the -dev
	# Build-Depends) and their shlibs come from the unpacked packages.
	# (The BPF objects are built with the host's libbpf headers.)
	need_pkgs bpftool clang-19 scdoc libbpf-dev libelf-dev zlib1g-dev gcc-aarch64-linux-gnu \
		binutils-aarch64-linux-gnu libc6-dev-arm64-cross
	a64=$(scripts/arm64-pkgs.sh)
	shl=$PWD/$out/arm64.shlibs
	: > "$shl"
	for p in libbpf1 libelf1 zlib1g libzstd1 libc6; do
		d=$(shopt -s nullglob; printf '%s\n' "$a64"/../debs/"$p"_*_arm64.deb | sort -V | tail -n1)
		[ -n "$d" ] || { echo "deb: no cached arm64 $p package (scripts/arm64-pkgs.sh)" >&2; exit 1; }
		dpkg-deb -I "$d" shlibs >> "$shl"
		[ "$p" = libc6 ] && libc6_deb=$d
	done
	# The CLI links the cross toolchain's C library, and its dependency is
	# taken from the cached libc6: they must be the same release.
	cv=$(dpkg-query -W -f='${Version}' libc6-dev-arm64-cross | sed 's/-.*//')
	pv=$(dpkg-deb -f "$libc6_deb" Version | sed 's/-.*//')
	[ "$cv" = "$pv" ] || { echo "deb: libc6-dev-arm64-cross is glibc $cv, the cached arm64 libc6 $pv:" \
		"the package's libc6 dependency would be wrong" >&2; exit 1; }
	export VMSCOPE_A64_ROOT=$a64 VMSCOPE_A64_SHLIBS=$shl
	bpargs+=(-a"$cross" -d)
else
	missing=$(cd "$src" && dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' |
		  sed -E 's/\([^)]*\)//g; s/\|[^ ]*//g') || true
	if [ -n "$missing" ]; then
		# shellcheck disable=SC2086
		need_pkgs $missing
	fi
fi
(cd "$src" && dpkg-buildpackage "${bpargs[@]}") > "$out/build.log" 2>&1 || {
	tail -40 "$out/build.log"; echo "deb: dpkg-buildpackage failed (log: $out/build.log)" >&2; exit 1; }
changes=$(ls "$out"/vmscope_"$ver"_*.changes)
# lintian's verdict; its exit status is 0 unless it finds errors.
lrc=0
lintian --info --display-info --pedantic "$changes" > "$out/lintian.txt" 2>&1 || lrc=$?
for d in "$out"/*.deb; do echo "  DEB     $d"; done
if [ -s "$out/lintian.txt" ]; then
	echo "lintian ($out/lintian.txt):"; sed 's/^/  /' "$out/lintian.txt" | grep -v '^  N:' || true
else
	echo "lintian: no tags"
fi
exit $lrc
