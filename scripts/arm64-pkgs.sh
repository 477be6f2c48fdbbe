#!/bin/bash
# Fetch the arm64 Debian packages (not kernels) that the arm64 build links
# and the arm64 guest runs, unpacked into one tree, never installed, and
# print that tree's root.
#
# Usage: scripts/arm64-pkgs.sh [--check]
#   --check  never use the network: exit 1 if the tree is not complete
# Environment:
#   VMSCOPE_CACHE    cache folder (default ~/.cache/vmscope)
#
# Prints on stdout (progress goes to stderr) the root, e.g.
# ~/.cache/vmscope/arm64/root, which holds:
#   usr/include, usr/lib/aarch64-linux-gnu/*.a   libbpf, libelf, zlib, zstd
#       (the static CLI and tests: make ARCH=arm64; the C library is the
#       cross toolchain's, libc6-dev-arm64-cross)
#   bin/busybox                                   busybox-static
#   usr/sbin/bpftool, usr/bin/pmap                dynamic, with every
#       library they need (lib/ld-linux-aarch64.so.1, lib/aarch64-linux-gnu,
#       usr/lib/aarch64-linux-gnu)
#
# The packages come from bookworm, bookworm-updates and bookworm-security
# (the suites of the host's own libbpf and bpftool), resolved by a private
# arm64-only apt configuration ($VMSCOPE_CACHE/apt/bookworm-arm64).  The
# .debs are kept in $VMSCOPE_CACHE/arm64/debs; $VMSCOPE_CACHE/arm64/.unpacked
# lists the packages of a complete unpack, so a run with the same list
# needs neither apt nor the network.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/pkgs.sh"

# Build: the -dev packages and the libraries of their .a files.
# Guest: busybox, bpftool and pmap (procps), and their shared libraries.
PKGS=(libbpf-dev libbpf1 libelf-dev libelf1 zlib1g-dev zlib1g libzstd-dev libzstd1
      busybox-static bpftool libcap2 libc6 libgcc-s1
      procps libproc2-0 libsystemd0 libgcrypt20 libgpg-error0 liblzma5 liblz4-1)

check_only=0
[ "${1:-}" = --check ] && { check_only=1; shift; }
[ $# = 0 ] || { sed -n '2,26p' "$0" >&2; exit 2; }

A=$VMS_CACHE/arm64
ROOT=$A/root
# (The marker line: an unpack whose absolute symlinks were made relative.)
want=$(printf '%s\n' "${PKGS[@]}" "#links-relative" | sort)

# ---- the fast path: a complete unpack of this list ---------------------------
complete() { [ -d "$ROOT" ] && [ "$(cat "$A/.unpacked" 2>/dev/null)" = "$want" ]; }
if complete; then echo "$ROOT"; exit 0; fi
[ $check_only = 1 ] && { echo "arm64-pkgs: the arm64 packages are not cached (run scripts/arm64-pkgs.sh)" >&2; exit 1; }

mkdir -p "$A/debs"
# One fetch at a time (several work trees share the cache).
exec 8>"$A.lock"
flock 8
if complete; then echo "$ROOT"; exit 0; fi

need_pkgs dpkg apt
APT=bookworm-arm64
papt_init "$APT" "bookworm bookworm-updates" "bookworm-security" arm64

# ---- download what debs/ lacks -------------------------------------------------
# debs/PKG_VER_ARCH.deb, as apt names them.  A package found there is not
# fetched again: remove $VMSCOPE_CACHE/arm64 to take newer versions.
have_deb() { compgen -G "$A/debs/$1_*_arm64.deb" >/dev/null || compgen -G "$A/debs/$1_*_all.deb" >/dev/null; }
missing=()
for p in "${PKGS[@]}"; do have_deb "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
	echo "arm64-pkgs: fetching ${missing[*]}" >&2
	tmp=$(mktemp -d "$A/debs.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	chmod 755 "$tmp"
	fetch() { ( cd "$tmp" && papt "$APT" apt-get download -qq "${missing[@]}" >&2 ); }
	update() {
		echo "arm64-pkgs: apt-get update ($APT)" >&2
		papt "$APT" apt-get update -qq >&2
	}
	# No package lists yet (first run, or papt_init dropped them for
	# another mirror): get them first.  Stale ones: refresh and retry.
	compgen -G "$(papt_dir "$APT")/lists/*_Packages*" >/dev/null || update
	if ! fetch 2>/dev/null; then
		update
		fetch
	fi
	mv "$tmp"/*.deb "$A/debs/"
fi

# ---- unpack ------------------------------------------------------------------
echo "arm64-pkgs: unpacking into $ROOT" >&2
rm -f "$A/.unpacked"
rm -rf "$ROOT.tmp"
mkdir -p "$ROOT.tmp"
for p in "${PKGS[@]}"; do
	# The newest cached version of each package.
	d=$(shopt -s nullglob; printf '%s\n' "$A/debs/${p}"_*_{arm64,all}.deb | sort -V | tail -n1)
	dpkg-deb -x "$d" "$ROOT.tmp"
done
# Absolute symlinks (zlib1g-dev's libz.so -> /lib/...) would point into the
# host: make them relative, inside the tree, or a link against the tree
# takes libz.a (or the host's library) instead.
find "$ROOT.tmp" -type l -lname '/*' | while IFS= read -r l; do
	ln -sfn "$(realpath -m -s --relative-to="$(dirname "$l")" "$ROOT.tmp$(readlink "$l")")" "$l"
done
rm -rf "$ROOT"
mv "$ROOT.tmp" "$ROOT"
echo "$want" > "$A/.unpacked"
echo "$ROOT"
