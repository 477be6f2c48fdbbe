#!/bin/bash
# The kernels vmscope builds its module for and boots in the guest.
#
#   scripts/kernel.sh NAME      fetch/build what NAME needs (cached) and print
#                               KNAME= KVER= KDIR= VMLINUZ= MODDIR= KBUILD_ROOT=
#                               KARCH= (x86_64 or arm64)
#                               (and MODBTF= for Debian's: debian-kernel.sh)
#   scripts/kernel.sh --list    the names of the test matrix, in run order
#   scripts/kernel.sh --list-arm64   the arm64 kernels (not in the matrix yet)
#
# NAME:
#   6.12     Debian 12's 6.12 LTS (bookworm-security), the default test kernel
#   6.1      Debian 12's stock 6.1 kernel (bookworm)
#   6.12-rt  Debian 12's PREEMPT_RT build of 6.12 (bookworm-security)
#   newest   the newest kernel Debian ships (trixie-backports' linux-image-amd64)
#   arm64-6.1, arm64-6.12, arm64-newest
#            the same three Debian kernels for arm64 (modules cross-built,
#            guests booted in qemu-system-aarch64)
#   debug    Debian's 6.12 source built with KASAN, lockdep, KFENCE, kmemleak,
#            fault injection (scripts/debug-kernel.sh)
#   host     the running kernel's installed headers (/lib/modules/$(uname -r)/build)
#   custom   the headers tree in $KDIR (build only)
# KBUILD_ROOT is the build root (chroot) that must run kbuild for this
# kernel, empty when the host's own tools do; KDIR is then a path inside it.
set -euo pipefail
cd "$(dirname "$0")/.."

MATRIX="6.1 6.12 6.12-rt newest debug"
ARM64="arm64-6.1 arm64-6.12 arm64-newest"

case ${1:-} in
--list) echo "$MATRIX"; exit 0 ;;
--list-arm64) echo "$ARM64"; exit 0 ;;
6.1|6.12|6.12-rt|newest|arm64-6.1|arm64-6.12|arm64-newest)
	out=$(scripts/debian-kernel.sh "$1")
	echo "KNAME=$1"; printf '%s\n' "$out"
	printf '%s\n' "$out" | grep -q '^KBUILD_ROOT=' || echo "KBUILD_ROOT="
	printf '%s\n' "$out" | grep -q '^KARCH=' || echo "KARCH=x86_64"
	;;
debug)
	out=$(scripts/debug-kernel.sh)
	echo "KNAME=debug"; printf '%s\n' "$out"; echo "KBUILD_ROOT="; echo "KARCH=x86_64"
	;;
host)
	v=$(uname -r)
	d=/lib/modules/$v/build
	[ -f "$d/Makefile" ] || {
		echo "vmscope: no headers for the running kernel $v ($d): install them" \
		     "(Debian: apt-get install linux-headers-$v)" >&2; exit 1; }
	echo "KNAME=host"; echo "KVER=$v"; echo "KDIR=$d"; echo "VMLINUZ="; echo "MODDIR=/lib/modules/$v"
	echo "KBUILD_ROOT="
	case $(uname -m) in aarch64) echo "KARCH=arm64" ;; *) echo "KARCH=$(uname -m)" ;; esac
	;;
custom)
	[ -n "${KDIR:-}" ] && [ -f "$KDIR/Makefile" ] || {
		echo "vmscope: KDIR='${KDIR:-}' is not a kernel headers or build tree" >&2; exit 1; }
	v=$(make -s -C "$KDIR" kernelrelease 2>/dev/null || echo unknown)
	echo "KNAME=custom"; echo "KVER=$v"; echo "KDIR=$KDIR"; echo "VMLINUZ="; echo "MODDIR="
	echo "KBUILD_ROOT="
	# The tree's own configuration says which architecture it is for.
	if grep -qs '^CONFIG_ARM64=y' "$KDIR/.config" "$KDIR/include/config/auto.conf"; then
		echo "KARCH=arm64"
	else
		echo "KARCH=x86_64"
	fi
	;;
*)
	echo "usage: scripts/kernel.sh 6.1|6.12|6.12-rt|newest|debug|arm64-6.1|arm64-6.12|arm64-newest|host|custom|--list|--list-arm64" >&2
	exit 2
	;;
esac
