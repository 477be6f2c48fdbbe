#!/bin/bash
# Install the build/test packages and fetch Debian's 6.12 guest kernel into a
# cache folder.  Nothing is installed on the host kernel side: the kernel
# packages are downloaded and unpacked, never dpkg -i'd.
#
# Usage: scripts/deps.sh [--check]
#   --check   only report (exit 1) if something is missing; never install.
# Prints KDIR=... and VMLINUZ=... lines on success.
set -euo pipefail

CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
PKGS=(make gcc clang-19 llvm-19 libbpf-dev bpftool libelf-dev zlib1g-dev
      libzstd-dev libcap-dev dwarves qemu-system-x86 busybox-static cpio
      xz-utils kmod)
check_only=0
[ "${1:-}" = --check ] && check_only=1

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ $check_only = 1 ] && { echo "missing packages: ${missing[*]}" >&2; exit 1; }
	if [ "$(id -u)" != 0 ]; then
		echo "vmscope: missing packages: ${missing[*]}" >&2
		echo "run as root:  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
		exit 1
	fi
	echo "deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The guest kernel.  A full cache is used as-is with no network: the newest
# unpacked version wins.  Otherwise resolve the current exact version through
# the meta package (security updates replace old versions in the archive).
cached=$(ls -d "$CACHE"/kernel/*/.complete 2>/dev/null | sort -V | tail -n1 || true)
if [ -n "$cached" ] && [ -z "${VMSCOPE_REFRESH:-}" ]; then
	kdir=$(dirname "$cached")
else
	[ $check_only = 1 ] && { echo "guest kernel not fetched" >&2; exit 1; }
	ver=$(apt-cache depends linux-image-6.12-amd64 2>/dev/null |
	      sed -n 's/.*Depends: linux-image-\(6\.12\.[^ ]*\)-amd64$/\1/p' | head -n1)
	if [ -z "$ver" ]; then
		if [ "$(id -u)" = 0 ]; then
			apt-get update -qq >&2
			ver=$(apt-cache depends linux-image-6.12-amd64 2>/dev/null |
			      sed -n 's/.*Depends: linux-image-\(6\.12\.[^ ]*\)-amd64$/\1/p' | head -n1)
		fi
	fi
	[ -n "$ver" ] || { echo "vmscope: cannot resolve linux-image-6.12-amd64 (run: apt-get update)" >&2; exit 1; }
	kdir=$CACHE/kernel/$ver
	echo "deps: fetching Debian kernel $ver into $kdir" >&2
	rm -rf "$kdir.tmp"; mkdir -p "$kdir.tmp/debs" "$kdir.tmp/root"
	chmod 755 "$kdir.tmp/debs"	# apt's _apt user downloads here
	fetch() {
		( cd "$kdir.tmp/debs" &&
		  apt-get download -qq "linux-image-$ver-amd64-unsigned" "linux-headers-$ver-amd64" \
			"linux-headers-$ver-common" "linux-kbuild-${ver%%+*}" >&2 )
	}
	# Stale package lists name a version the archive no longer has.
	if ! fetch; then
		[ "$(id -u)" = 0 ] || { echo "vmscope: cannot download the $ver kernel packages; run: apt-get update" >&2; exit 1; }
		apt-get update -qq >&2
		nver=$(apt-cache depends linux-image-6.12-amd64 2>/dev/null |
		       sed -n 's/.*Depends: linux-image-\(6\.12\.[^ ]*\)-amd64$/\1/p' | head -n1)
		if [ "$nver" != "$ver" ]; then
			rm -rf "$kdir.tmp"
			exec env VMSCOPE_REFRESH=1 "$0" "$@"
		fi
		fetch
	fi
	for d in "$kdir.tmp"/debs/*.deb; do dpkg-deb -x "$d" "$kdir.tmp/root"; done
	rm -rf "$kdir.tmp/debs"
	# The arch headers Makefile includes the common tree by absolute path.
	hdr=$kdir.tmp/root/usr/src/linux-headers-$ver-amd64
	sed -i "s|/usr/src/linux-headers-$ver-common|$kdir/root/usr/src/linux-headers-$ver-common|g" \
		"$hdr/Makefile"
	# scripts/ and tools/ in the arch tree link into linux-kbuild by absolute path.
	for l in $(find "$hdr" "$kdir.tmp/root/usr/src/linux-headers-$ver-common" -maxdepth 2 -type l); do
		t=$(readlink "$l")
		case $t in /usr/*) ln -sfn "$kdir/root$t" "$l" ;; esac
	done
	rm -rf "$kdir"; mv "$kdir.tmp" "$kdir"
	touch "$kdir/.complete"
fi
ver=$(basename "$kdir")
echo "KDIR=$kdir/root/usr/src/linux-headers-$ver-amd64"
echo "VMLINUZ=$kdir/root/boot/vmlinuz-$ver-amd64"
echo "MODDIR=$kdir/root/lib/modules/$ver-amd64"
echo "KVER=$ver-amd64"
