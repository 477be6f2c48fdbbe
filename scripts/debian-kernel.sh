#!/bin/bash
# Fetch one of the Debian kernels vmscope supports into the cache, unpacked,
# never installed, and print where its parts are.
#
# Usage: scripts/debian-kernel.sh [--check] NAME
#   NAME  6.1     bookworm's stock kernel (linux-image-amd64 of the host's
#                 default bookworm suites; 6.1.0-NN)
#         6.12    bookworm-security's 6.12 LTS (linux-image-6.12-amd64): the
#                 project's main guest kernel, also what deps.sh prints
#         6.12-rt bookworm-security's PREEMPT_RT build of the same 6.12
#                 (linux-image-6.12-rt-amd64): sleeping spinlocks,
#                 preemptible RCU everywhere
#         newest  linux-image-amd64 of trixie-backports (7.x today)
#         arm64-6.1, arm64-6.12, arm64-newest
#                 the same three for arm64 (linux-image-arm64 of bookworm,
#                 linux-image-6.12-arm64 of bookworm-security,
#                 linux-image-arm64 of trixie-backports), through a private
#                 arm64 apt configuration; modules for them are
#                 cross-built (ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
#   --check  never use the network: exit 1 if NAME is not cached
# Environment:
#   VMSCOPE_CACHE    cache folder (default ~/.cache/vmscope)
#   VMSCOPE_REFRESH  non-empty: resolve the version again even when cached
#
# Prints on stdout (progress goes to stderr):
#   KDIR=...          the headers tree for `make -C $KDIR M=...`
#   VMLINUZ=...       the bootable kernel
#   MODDIR=...        its modules (MODDIR/kernel/...)
#   KVER=...          uname -r of that kernel
#   KARCH=...         x86_64 or arm64: the kernel's architecture
#   KBUILD_ROOT=...   empty when the host's tools build modules for it;
#                     otherwise the trixie build root (scripts/buildroot.sh)
#                     in which to run the module build.  The cache and the
#                     work tree are bind-mounted at the same paths inside
#                     it, so KDIR is valid unchanged inside and outside:
#                       scripts/buildroot.sh run -- make -C $KDIR M=$PWD/kmod
#                     (buildroot.sh creates the root on first use.)
#   MODBTF=kbuild     the headers package ships a BTF vmlinux: kbuild makes
#                     the module's BTF (6.12, 7.x)
#   MODBTF=vmlinuz    it does not (6.1): kmod/Makefile makes it, as on a
#                     user's machine, here from the BTF inside VMLINUZ
#                     (make VMSCOPE_BTF=own VMSCOPE_VMLINUZ=$VMLINUZ)
#
# Where things live: $VMSCOPE_CACHE/kernel/<ver>/root/ holds the unpacked
# packages (<ver> as in the package names: 6.1.0-56, 6.12.117+deb12,
# 7.3.4+deb13; <ver>-rt for the RT flavour, <ver>-arm64 for arm64, whose
# linux-kbuild is the amd64 one of the same version unpacked over the
# arm64 one: its programs run here and handle either architecture);
# $VMSCOPE_CACHE/kernel/<NAME>.current names the version NAME
# resolved to last, so a cached run needs neither network nor apt.
# <ver>/.unpacked marks a complete unpack; 6.12.x kernels also get the
# .complete marker older deps.sh versions look for (and only those, so an
# old deps.sh never mistakes 7.x for its 6.12 guest kernel).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/pkgs.sh"
CACHE=$VMS_CACHE

check_only=0
[ "${1:-}" = --check ] && { check_only=1; shift; }
name=${1:-}
case $name in
6.1|6.12|6.12-rt|newest|arm64-6.1|arm64-6.12|arm64-newest) ;;
*) sed -n '2,/^#   VMSCOPE_REFRESH/p' "$0" >&2; exit 2 ;;
esac
# The kernel flavour: package and uname -r suffix.
FLAVOUR=amd64
[ "$name" = 6.12-rt ] && FLAVOUR=rt-amd64
case $name in arm64-*) FLAVOUR=arm64 ;; esac
KROOT=$CACHE/kernel
mkdir -p "$KROOT"

# ---- describing an unpacked kernel -----------------------------------------

# Print the key=value lines for the unpacked version dir $1 (version $2).
describe() {
	local kdir=$1 ver=$2 root=$1/root kver=$2-$FLAVOUR vmlinuz moddir hdr cc need have broot="" karch=x86_64
	[ "$FLAVOUR" = arm64 ] && karch=arm64
	hdr=$root/usr/src/linux-headers-$kver
	# 6.x: /boot and /lib/modules; 7.x (linux-binary-*): all under /usr/lib.
	if [ -e "$root/usr/lib/modules/$kver/vmlinuz" ]; then
		vmlinuz=$root/usr/lib/modules/$kver/vmlinuz
	else
		vmlinuz=$root/boot/vmlinuz-$kver
	fi
	if [ -d "$root/usr/lib/modules/$kver/kernel" ]; then
		moddir=$root/usr/lib/modules/$kver
	else
		moddir=$root/lib/modules/$kver
	fi
	[ -e "$vmlinuz" ] && [ -f "$hdr/Makefile" ] || {
		echo "debian-kernel: $kdir is incomplete" >&2; return 1; }
	# Can this host build modules for it?  Two things decide: kbuild's
	# host programs (built against the kernel's suite's glibc) must run, and
	# the compiler the kernel was built with must exist here.
	cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\{0,1\}\([^ ]*\) .*/\1/p' "$hdr/.config" 2>/dev/null)
	[ -f "$kdir/.glibc-need" ] || glibc_need "$kdir" > "$kdir/.glibc-need"
	need=$(cat "$kdir/.glibc-need")
	have=$(getconf GNU_LIBC_VERSION | awk '{print $2}')
	if [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | tail -n1)" != "$have" ] ||
	   { [ -n "$cc" ] && ! command -v "$cc" >/dev/null; }; then
		# (arm64: the build root that has the aarch64 cross compiler.)
		broot=$(VMSCOPE_BUILDROOT_ARCH=$karch "$HERE/buildroot.sh" path)
	fi
	# The build root's cross compiler is trixie's gcc-14: bookworm's arm64
	# kernels need the host's (gcc-aarch64-linux-gnu).
	if [ "$karch" = arm64 ] && [ -n "$cc" ] && [ "${cc##*-}" != 14 ] && ! command -v "$cc" >/dev/null; then
		echo "debian-kernel: $cc is missing: run scripts/deps.sh arm64" >&2
		broot=""
	fi
	echo "KDIR=$hdr"
	echo "VMLINUZ=$vmlinuz"
	echo "MODDIR=$moddir"
	echo "KVER=$kver"
	echo "KARCH=$karch"
	echo "KBUILD_ROOT=$broot"
	# Did the headers package ship the vmlinux?  Older versions of this
	# script extracted one from vmlinuz into 6.1's headers after unpacking
	# (and copied 6.12's resolve_btfids into its kbuild): such a file is
	# newer than the package's own .config.
	if [ -e "$hdr/vmlinux" ] && [ ! "$hdr/vmlinux" -nt "$hdr/.config" ]; then
		echo "MODBTF=kbuild"
	else
		echo "MODBTF=vmlinuz"
	fi
}

# The newest glibc symbol version that the kernel's kbuild programs
# (modpost, objtool, resolve_btfids, fixdep...) need, e.g. 2.38 for a trixie
# kernel.  A property of the kernel, so it is cached beside it.
glibc_need() {
	local f
	find "$1/root/usr/lib" -maxdepth 1 -name 'linux-kbuild-*' -print0 |
	xargs -0 -I{} find {} -type f -perm -u+x |
	while IFS= read -r f; do
		objdump -T "$f" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' || true
	done | sed 's/GLIBC_//' | sort -uV | tail -n1
}

# The newest complete unpacked version matching a glob (for caches made
# before <NAME>.current existed, e.g. by an older deps.sh).
cached_glob() {
	local d best=""
	for d in "$KROOT"/$1; do
		# The globs are the amd64 kernels': an arm64 or RT kernel of the
		# same version (VER-arm64, VER-rt) is not one of them.
		case $d in *-arm64|*-rt) continue ;; esac
		[ -e "$d/.unpacked" ] || [ -e "$d/.complete" ] || continue
		best=$(printf '%s\n%s\n' "$best" "$(basename "$d")" | sort -V | tail -n1)
	done
	echo "$best"
}

# The cache folder of a version: <ver> for the amd64 flavour, <ver>-rt for
# rt, <ver>-arm64 for arm64 (the same <ver> exists for both architectures).
vdir() {
	case $FLAVOUR in
	amd64) echo "$KROOT/$1" ;;
	arm64) echo "$KROOT/$1-arm64" ;;
	*) echo "$KROOT/$1-rt" ;;
	esac
}

case $name in
6.1) glob='6.1.0-*' ;;
6.12) glob='6.12.*[0-9]' ;;
*) glob='' ;;
esac

# ---- the fast path: a cached kernel, no apt, no network ---------------------
if [ -z "${VMSCOPE_REFRESH:-}" ]; then
	ver=""
	[ -f "$KROOT/$name.current" ] && ver=$(cat "$KROOT/$name.current")
	if [ -n "$ver" ] && [ ! -e "$(vdir "$ver")/.unpacked" ] && [ ! -e "$(vdir "$ver")/.complete" ]; then
		ver=""
	fi
	[ -z "$ver" ] && [ -n "$glob" ] && ver=$(cached_glob "$glob")
	if [ -n "$ver" ]; then
		describe "$(vdir "$ver")" "$ver"
		exit 0
	fi
fi
[ $check_only = 1 ] && { echo "debian-kernel: $name is not cached" >&2; exit 1; }

need_pkgs dpkg xz-utils apt binutils findutils

# ---- resolving the version through the meta package ------------------------
# Each NAME: which apt (the host's own, or a private configuration), the meta
# package and the sed pattern that pulls the version out of its Depends.
# apt_q runs apt-get/apt-cache with the chosen configuration.
apt_q() {
	# As root, apt hands downloads to its _apt user, who cannot enter a 0700
	# cache folder: download as root instead of warning about it.
	if [ "$APT" = host ]; then apt_host "$1" -o APT::Sandbox::User=root "${@:2}"; else papt "$APT" "$@"; fi
}
apt_update() {
	echo "debian-kernel: apt-get update ($APT)" >&2
	if [ "$APT" = host ]; then
		[ "$(id -u)" = 0 ] || { echo "vmscope: stale apt lists; run: apt-get update" >&2; return 1; }
		apt_host apt-get update -qq >&2
	else
		papt "$APT" apt-get update -qq >&2
	fi
}
resolve() {
	apt_q apt-cache depends "$META" 2>/dev/null | sed -n "s/^ *Depends: linux-image-\\($VPAT\\)-$FLAVOUR\$/\\1/p" | sort -V | tail -n1
}

case $name in
6.1)
	# The host's default suites are bookworm's: its linux-image-amd64 is 6.1.
	APT=host META=linux-image-amd64 VPAT='6\.1\.0-[0-9]*' ;;
6.12)
	APT=host META=linux-image-6.12-amd64 VPAT='6\.12\.[^ ]*' ;;
6.12-rt)
	APT=host META=linux-image-6.12-rt-amd64 VPAT='6\.12\.[^ ]*' ;;
newest)
	# Only trixie-backports: "newest" means its linux-image-amd64, not
	# trixie's (6.12) nor sid's.
	APT=trixie-backports META=linux-image-amd64 VPAT='[0-9][^ ]*'
	papt_init "$APT" "trixie-backports" ;;
# arm64: private configurations whose native architecture is arm64, with
# amd64 as a foreign one for the linux-kbuild whose programs run here.
arm64-6.1)
	APT=arm64-bookworm META=linux-image-arm64 VPAT='6\.1\.0-[0-9]*'
	papt_init "$APT" "bookworm bookworm-updates" "bookworm-security" "arm64 amd64" ;;
arm64-6.12)
	APT=arm64-bookworm META=linux-image-6.12-arm64 VPAT='6\.12\.[^ ]*'
	papt_init "$APT" "bookworm bookworm-updates" "bookworm-security" "arm64 amd64" ;;
arm64-newest)
	APT=arm64-trixie-backports META=linux-image-arm64 VPAT='[0-9][^ ]*'
	papt_init "$APT" "trixie-backports" "" "arm64 amd64" ;;
esac

ver=$(resolve || true)
if [ -z "$ver" ]; then
	apt_update
	ver=$(resolve || true)
fi
# On a host whose default suites are not bookworm's, fall back to a private
# bookworm configuration for the two bookworm kernels.
if [ -z "$ver" ] && [ "$APT" = host ]; then
	APT=bookworm
	papt_init "$APT" "bookworm bookworm-updates" "bookworm-security"
	apt_update
	ver=$(resolve || true)
fi
[ -n "$ver" ] || { echo "debian-kernel: cannot resolve $META for $name" >&2; exit 1; }
kdir=$(vdir "$ver")

# One fetch per version at a time (several work trees and sessions share
# the cache); a waiter then finds the finished unpack below.
exec 8>"$kdir.lock"
flock 8
if [ -e "$kdir/.unpacked" ] || { [ -e "$kdir/.complete" ] && [ "$name" = 6.12 ]; }; then
	echo "$ver" > "$KROOT/$name.current"
	describe "$kdir" "$ver"
	exit 0
fi

# ---- download --------------------------------------------------------------
# The package set depends on the layout: 7.x splits the image into
# linux-binary (the signed vmlinuz) and linux-modules, and its
# linux-image-<ver>-amd64 is only a meta package; 6.x ships vmlinuz and
# modules in linux-image-<ver>-amd64-unsigned.  linux-kbuild is named after
# the ABI version from 6.12 on and after the upstream series on 6.1.
pkgs_for() {
	local series=${ver%%-*}
	series=${series%%+*}
	if apt_q apt-cache show "linux-binary-$ver-$FLAVOUR" >/dev/null 2>&1; then
		echo "linux-binary-$ver-$FLAVOUR linux-modules-$ver-$FLAVOUR"
	else
		echo "linux-image-$ver-$FLAVOUR-unsigned"
	fi
	if [ "$FLAVOUR" = amd64 ] || [ "$FLAVOUR" = arm64 ]; then
		echo "linux-headers-$ver-$FLAVOUR linux-headers-$ver-common"
	else
		echo "linux-headers-$ver-$FLAVOUR linux-headers-$ver-common-${FLAVOUR%-amd64}"
	fi
	local kb
	if apt_q apt-cache show "linux-kbuild-$ver" >/dev/null 2>&1; then
		kb=linux-kbuild-$ver
	else
		# 6.1.0-56 -> linux-kbuild-6.1
		kb=linux-kbuild-$(echo "$series" | cut -d. -f1,2)
	fi
	echo "$kb"
	# arm64: also the amd64 build of it, unpacked over the arm64 one.
	[ "$FLAVOUR" = arm64 ] && echo "$kb:amd64"
	return 0
}

echo "debian-kernel: fetching Debian kernel $ver ($name) into $kdir" >&2
# A private temporary folder: an older deps.sh (no lock) fetching the same
# version into $kdir.tmp must not delete this one's files, nor we its.
tmp=$(mktemp -d "$kdir.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/debs" "$tmp/root"
chmod 755 "$tmp" "$tmp/debs"	# apt's _apt user downloads here
# shellcheck disable=SC2046
fetch() { ( cd "$tmp/debs" && apt_q apt-get download -qq $(pkgs_for) >&2 ); }
if ! fetch; then
	# Stale lists name a version the archive no longer has: refresh, and
	# start over if the meta package now points elsewhere.
	apt_update
	nver=$(resolve || true)
	if [ -n "$nver" ] && [ "$nver" != "$ver" ]; then
		rm -rf "$tmp"
		exec 8>&-	# drop the lock: the re-run takes its own
		exec env VMSCOPE_REFRESH=1 "$0" "$name"
	fi
	fetch
fi
# The amd64 linux-kbuild of an arm64 kernel last, over the arm64 one: the
# same files, but programs (fixdep, modpost, resolve_btfids...) that run
# here.  Only the ELF programs differ.
for d in "$tmp"/debs/*.deb; do
	case $FLAVOUR:$(basename "$d") in arm64:linux-kbuild-*_amd64.deb) continue ;; esac
	dpkg-deb -x "$d" "$tmp/root"
done
if [ "$FLAVOUR" = arm64 ]; then
	d=$(ls "$tmp"/debs/linux-kbuild-*_amd64.deb)
	dpkg-deb -x "$d" "$tmp/root"
fi
rm -rf "$tmp/debs"

# ---- make the unpacked headers usable where they are -------------------------
# The arch headers' Makefile names the common tree by absolute path, and
# scripts/ and tools/ are symlinks into linux-kbuild (absolute on some
# versions, relative on others): point every absolute /usr path into the
# unpacked root.  Only the top levels hold such links.
hdr=$tmp/root/usr/src/linux-headers-$ver-$FLAVOUR
# 7.x also sets KBUILD_OUTPUT to its own /usr/src path there.
sed -i "s|/usr/src/linux-headers-$ver-|$kdir/root/usr/src/linux-headers-$ver-|g" "$hdr/Makefile"
while IFS= read -r l; do
	t=$(readlink "$l")
	ln -sfn "$kdir/root$t" "$l"
done < <(find "$tmp/root/usr/src" -maxdepth 3 -type l -lname '/*')
# Module BTF: 6.12 and 7.x ship a BTF-only vmlinux in the headers and
# resolve_btfids in linux-kbuild, so kbuild makes it.  6.1 ships neither, as
# on a user's Debian 12: kmod/Makefile then makes it itself (MODBTF=vmlinuz
# above; kmod/btfids/), and the matrix takes that same route.
rm -rf "$kdir"; mv "$tmp" "$kdir"
touch "$kdir/.unpacked"
# Older deps.sh versions take the newest kernel/*/.complete as their 6.12
# guest kernel: mark only 6.12 kernels that way.
[ "$name" = 6.12 ] && touch "$kdir/.complete"
echo "$ver" > "$KROOT/$name.current"
describe "$kdir" "$ver"
