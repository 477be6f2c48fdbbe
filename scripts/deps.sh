#!/bin/bash
# Install the build/test packages and fetch Debian's 6.12 guest kernel into a
# cache folder.  Nothing is installed on the host kernel side: the kernel
# packages are downloaded and unpacked, never dpkg -i'd.
#
# Usage: scripts/deps.sh [--check]
#   --check   only report (exit 1) if something is missing; never install.
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
if [ "${1:-}" = --check ]; then
	need_pkgs --check "${PKGS[@]}"
	exec "$HERE/debian-kernel.sh" --check 6.12
fi
need_pkgs "${PKGS[@]}"
exec "$HERE/debian-kernel.sh" 6.12
