#!/bin/bash
# A Debian trixie build root for kernels whose kbuild the host cannot run
# (trixie-backports' 7.x: its linux-kbuild programs need glibc >= 2.38 and
# its modules gcc-14; bookworm has 2.36 and gcc-12).
#
#   scripts/buildroot.sh path                 print the root's path (no creation)
#   scripts/buildroot.sh create               create it unless cached; print its path
#   scripts/buildroot.sh run [--bind DIR]... -- CMD [ARGS...]
#                                             run CMD inside it (creating it first)
#   scripts/buildroot.sh shell [--bind DIR]...
#   scripts/buildroot.sh remove               delete every cached build root
#
# The root is a debootstrap --variant=minbase trixie tree in
# $VMSCOPE_CACHE/buildroot/trixie-<key>/, where <key> is a hash of the recipe
# below: change the recipe and a new root is made (the old one can be
# removed).  VMSCOPE_BUILDROOT_ARCH=arm64 selects the root for cross-building
# arm64 modules (the recipe plus the aarch64 cross compiler).  It holds the toolchain only; kernel headers come from the
# cache: `run` bind-mounts $VMSCOPE_CACHE/kernel, the vmscope work tree, the
# current directory and every --bind DIR at the same paths inside, so paths
# printed by debian-kernel.sh (KDIR=...) work unchanged:
#   eval "$(scripts/debian-kernel.sh newest)"
#   scripts/buildroot.sh run -- make -C "$KDIR" M="$PWD/kmod" W=1 modules
# Mounts (those binds, /dev, /proc, /sys, a tmpfs /tmp) live in a private
# mount namespace (unshare -m) that dies with the command, so nothing is
# left mounted on the host, whatever way the command ends.
# Needs root (debootstrap, chroot, mounts).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
. "$HERE/pkgs.sh"

# ---- the recipe: anything here changes the key ----------------------------
SUITE=trixie
# gcc-14 as the 7.x kernels were built (their .kernelvariables say
# x86_64-linux-gnu-gcc-14); libelf-dev, libssl-dev, bc, bison, flex for
# kbuild; pahole for module BTF (trixie's 1.30 is what the trixie and
# trixie-backports kernels were built with: CONFIG_PAHOLE_VERSION=130);
# kmod for modinfo/depmod-style checks; xz-utils, zstd for compressed .ko.
INCLUDE=gcc-14,make,libc6-dev,libelf-dev,bc,bison,flex,libssl-dev,pahole,kmod,xz-utils,zstd,binutils
# VMSCOPE_BUILDROOT_ARCH=arm64 (build-kmod.sh and debian-kernel.sh set it
# for the arm64 kernels): a second root that also has the cross compiler
# trixie's arm64 kernels were built with (CONFIG_CC_VERSION_TEXT:
# aarch64-linux-gnu-gcc-14).  A root of its own, so the x86 root's recipe
# and key stay as they were.
BR_ARCH=${VMSCOPE_BUILDROOT_ARCH:-x86_64}
case $BR_ARCH in
x86_64) ;;
arm64) INCLUDE=$INCLUDE,gcc-14-aarch64-linux-gnu,binutils-aarch64-linux-gnu ;;
*) echo "buildroot: VMSCOPE_BUILDROOT_ARCH=$BR_ARCH: x86_64 or arm64" >&2; exit 2 ;;
esac
RECIPE="suite=$SUITE variant=minbase include=$INCLUDE v=1"
KEY=$(printf '%s' "$RECIPE" | sha256sum | cut -c1-12)
BASE=$VMS_CACHE/buildroot
ROOT=$BASE/$SUITE-$KEY
STAMP=$ROOT/.vmscope-buildroot

create() {
	[ -f "$STAMP" ] && return 0
	[ "$(id -u)" = 0 ] || { echo "buildroot: creating the build root needs root" >&2; exit 1; }
	mkdir -p "$BASE"
	# One creator at a time; a second caller waits and then finds the stamp.
	exec 9>"$BASE/.lock"
	flock 9
	[ -f "$STAMP" ] && return 0
	need_pkgs debootstrap debian-archive-keyring util-linux
	local mirror t0 tmp=$ROOT.tmp
	mirror=$(host_mirror main)
	t0=$(date +%s)
	echo "buildroot: creating $ROOT ($RECIPE); about 1-2 minutes" >&2
	rm -rf "$tmp"
	# debootstrap mounts /proc and /sys in the target for its second stage;
	# in a private mount namespace those cannot outlive a failure.
	if ! unshare --mount --propagation private -- \
		debootstrap --variant=minbase --include="$INCLUDE" \
		--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		"$SUITE" "$tmp" "$mirror" > "$BASE/debootstrap.log" 2>&1; then
		tail -n 30 "$BASE/debootstrap.log" >&2
		echo "buildroot: debootstrap failed (log: $BASE/debootstrap.log)" >&2
		exit 1
	fi
	# apt inside the root (for adding tools by hand) sees trixie and its
	# backports; the downloaded .debs are not needed any more.
	{
		echo "deb $mirror $SUITE main"
		echo "deb $mirror $SUITE-backports main"
	} > "$tmp/etc/apt/sources.list"
	rm -f "$tmp"/var/cache/apt/archives/*.deb
	printf '%s\ncreated %s in %ss\n' "$RECIPE" "$(date -u +%FT%TZ)" "$(($(date +%s) - t0))" > "$tmp/.vmscope-buildroot"
	mv "$tmp" "$ROOT"
	echo "buildroot: created in $(($(date +%s) - t0)) s" >&2
}

# run_inside CWD BIND... -- CMD...: the part that runs in the new mount
# namespace (re-executed through unshare).
run_inside() {
	local cwd=$1 d
	shift
	local binds=()
	while [ "$1" != -- ]; do binds+=("$1"); shift; done
	shift
	mount --rbind /dev "$ROOT/dev"
	mount -t proc proc "$ROOT/proc"
	mount --rbind /sys "$ROOT/sys"
	mount -t tmpfs -o mode=1777 tmp "$ROOT/tmp"
	# Shorter paths first, so a nested bind lands on top of its parent.
	while IFS= read -r d; do
		[ -n "$d" ] || continue
		mkdir -p "$ROOT$d"
		mount --bind "$d" "$ROOT$d"
	done < <(printf '%s\n' "${binds[@]}" | awk '{print length, $0}' | sort -n | cut -d' ' -f2-)
	# A clean environment: the host's PATH and library settings mean
	# nothing in there.  Build knobs are passed through.
	local envs=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
		    LANG=C.UTF-8 TERM="${TERM:-dumb}")
	for v in MAKEFLAGS V W CI KBUILD_VERBOSE VMSCOPE_CACHE; do
		[ -n "${!v:-}" ] && envs+=("$v=${!v}")
	done
	exec chroot "$ROOT" /usr/bin/env -i "${envs[@]}" \
		/bin/sh -c 'cd "$1" || exit 1; shift; exec "$@"' sh "$cwd" "$@"
}

mode=${1:-}
[ $# -gt 0 ] && shift
case $mode in
path)
	echo "$ROOT" ;;
create)
	create
	echo "$ROOT" ;;
run|shell)
	binds=("$VMS_CACHE/kernel" "$TOP")
	while [ $# -gt 0 ]; do
		case $1 in
		--bind) binds+=("$(cd "$2" && pwd)"); shift 2 ;;
		--) shift; break ;;
		*) [ $mode = run ] && break
		   echo "buildroot: unknown option $1" >&2; exit 2 ;;
		esac
	done
	if [ $mode = shell ]; then
		set -- /bin/bash -l
	elif [ $# = 0 ]; then
		echo "buildroot run: give -- CMD" >&2; exit 2
	fi
	create
	mkdir -p "$VMS_CACHE/kernel"
	# The current directory too, unless it is already inside a bind.
	cwd=$PWD inside=0
	for b in "${binds[@]}"; do
		case $cwd/ in "$b"/*) inside=1 ;; esac
	done
	[ $inside = 1 ] || binds+=("$cwd")
	exec unshare --mount --propagation private -- "$0" __inside "$cwd" "${binds[@]}" -- "$@" ;;
__inside)
	run_inside "$@" ;;
remove)
	# Safe even during a run: its binds exist only in that run's private
	# mount namespace, so here the root holds empty mount points and rm
	# never reaches the bound host folders.
	rm -rf "$BASE" ;;
*)
	sed -n '2,28p' "$0" >&2
	exit 2 ;;
esac
