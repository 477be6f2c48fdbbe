#!/bin/bash
# Install the build/test packages and fetch Debian's 6.12 guest kernel into a
# cache folder.  Nothing is installed on the host kernel side: the kernel
# packages are downloaded and unpacked, never dpkg -i'd.
#
# Usage: scripts/deps.sh [--check] [arm64]
#   --check   only report (exit 1) if something is missing; never install.
#   arm64     also what the arm64 port needs (or VMSCOPE_ARM64=1): the
#             aarch64 cross compiler, its C library and binutils,
#             qemu-system-aarch64, and
#             the arm64 kernel arm64-6.12 (the others on first use) and
#             Debian's arm64 packages (scripts/arm64-pkgs.sh)
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
check=0 arm64=${VMSCOPE_ARM64:-}
for a in "$@"; do
	case $a in
	--check) check=1 ;;
	arm64) arm64=1 ;;
	*) sed -n '2,14p' "$0" >&2; exit 2 ;;
	esac
done
[ "$arm64" = 0 ] && arm64=""
# arm64: gcc-aarch64-linux-gnu calls aarch64-linux-gnu-gcc-12, the
# compiler of bookworm's arm64 kernels; trixie's builds in the build root.
[ -n "$arm64" ] && PKGS+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu
			    qemu-system-arm)
if [ $check = 1 ]; then
	need_pkgs --check "${PKGS[@]}"
	[ -z "$arm64" ] || { "$HERE/debian-kernel.sh" --check arm64-6.12 > /dev/null &&
			     "$HERE/arm64-pkgs.sh" --check > /dev/null; }
	exec "$HERE/debian-kernel.sh" --check 6.12
fi
need_pkgs "${PKGS[@]}"
[ -z "$arm64" ] || { "$HERE/debian-kernel.sh" arm64-6.12 > /dev/null && "$HERE/arm64-pkgs.sh" > /dev/null; }
exec "$HERE/debian-kernel.sh" 6.12
