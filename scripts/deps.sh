#!/bin/bash
# Install the build/test packages and fetch Debian's 6.12 guest kernel into a
# cache folder.  Nothing is installed on the host kernel side: the kernel
# packages are downloaded and unpacked, never dpkg -i'd.
#
# Usage: scripts/deps.sh [--check] [arm64]
#   --check   only report (exit 1) if something is missing; never install.
#   arm64     also what the arm64 build needs (or VMSCOPE_ARM64=1): the
#             cross compiler and its C library, qemu-user-static (runs arm64
#             programs on this host, for checks), and the arm64 libraries
#             and guest programs of scripts/arm64-pkgs.sh.
# Prints KDIR=..., VMLINUZ=..., MODDIR=..., KVER=... and KBUILD_ROOT=...
# lines on success (scripts/debian-kernel.sh 6.12; other kernels: run that
# script with 6.1 or newest).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/pkgs.sh"

PKGS=(make gcc clang-19 llvm-19 libbpf-dev bpftool libelf-dev zlib1g-dev
      libzstd-dev libcap-dev dwarves qemu-system-x86 busybox-static cpio
      xz-utils zstd kmod procps python3 python3-jsonschema scdoc
      bash-completion)
check=""
[ "${1:-}" = --check ] && { check=--check; shift; }
arm64=${VMSCOPE_ARM64:-}
[ "${1:-}" = arm64 ] && arm64=1
if [ -n "$arm64" ]; then
	PKGS+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static)
fi
if [ -n "$check" ]; then
	need_pkgs --check "${PKGS[@]}"
	[ -z "$arm64" ] || "$HERE/arm64-pkgs.sh" --check > /dev/null
	exec "$HERE/debian-kernel.sh" --check 6.12
fi
need_pkgs "${PKGS[@]}"
[ -z "$arm64" ] || "$HERE/arm64-pkgs.sh" > /dev/null
exec "$HERE/debian-kernel.sh" 6.12
