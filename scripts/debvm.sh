#!/bin/bash
# A real Debian system for package tests: Debian 13 (trixie) or Debian 12
# (bookworm), built once from Debian's packages into the cache (mmdebstrap;
# the ext4 disk made with mkfs.ext4 -d, so no loop device and no mount of
# the image), booted in QEMU (TCG) with that release's stock kernel (trixie
# 6.12, bookworm 6.1) and systemd on a throwaway copy-on-write overlay.
#
#   scripts/debvm.sh image [--suite S] [--rebuild]
#                                           build the image unless cached
#                                           (--rebuild: even then); print
#                                           its directory
#   scripts/debvm.sh run [options] -- SCRIPT [ARGS...]
#                                           boot, run SCRIPT as root once
#                                           the system is up, power off
#   scripts/debvm.sh shell [options]        boot to a root shell on the
#                                           serial console (Ctrl-A x quits)
# options:
#   --suite SUITE    trixie (default) or bookworm
#   --share DIR      DIR read-only at /mnt/share (SCRIPT's working directory)
#   --out DIR        DIR writable at /mnt/out (results for the host)
#   --net            QEMU user-mode network (apt can reach the archive)
#   --timeout SECS   kill the guest after SECS (default 1200)
#   --mem SIZE       guest memory (default 2G)
#   --append ARGS    extra kernel command line
#   --verbose        no "quiet": kernel and systemd boot messages
#
# Exit status of run: SCRIPT's status (above 127 reads 127); 124 on timeout;
# 126 when the guest died without reporting; 2 for usage errors.
#
# The image lives in ${VMSCOPE_CACHE:-~/.cache/vmscope}/debvm-SUITE/KEY/,
# KEY a hash of scripts/debvm/image/ (the recipe, the same for both suites)
# and the suite: it is rebuilt only when the recipe changes.  Building
# needs root (mmdebstrap chroots); running does not.  The guest-side logic
# (scripts/debvm/guest.sh) is shared at every boot, so editing it needs no
# rebuild.  Only the newest image of each suite is kept.  (Older versions
# kept a trixie image in .../debvm/; this script leaves that folder alone.)
#
# Environment: VMSCOPE_CACHE; VMSCOPE_DEBIAN_MIRROR and
# VMSCOPE_DEBIAN_SECURITY (archive URLs for the build, default
# deb.debian.org); VMSCOPE_DEBVM_SIZE (disk size, default 8G, sparse);
# V=1 shows the image build as it goes.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
RECIPE=$HERE/debvm/image
CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
SUITE=trixie

usage() { sed -n '2,41p' "$0" >&2; exit 2; }
say() { echo "debvm: $*" >&2; }

# Host packages: pkgs.sh's need_pkgs (the host's own suites; the trixie
# packages never touch the host's apt configuration).
. "$HERE/pkgs.sh"

# The cache key: the suite, every recipe file's path, executable bit and
# content, and the disk size (the one knob mkimage.sh takes from the
# environment that changes the image; the mirror URLs do not).
recipe_key() {
	{
		echo "suite=$SUITE"
		echo "size=${VMSCOPE_DEBVM_SIZE:-8G}"
		cd "$RECIPE" && find . -type f | LC_ALL=C sort | while read -r f; do
			[ -x "$f" ] && x=x || x=-
			echo "$x $(sha256sum < "$f" | cut -d' ' -f1) $f"
		done
	} | sha256sum | cut -c1-16
}

stamp() {	# prefix each line with the seconds since the start (no fork per line)
	local l
	SECONDS=0
	while IFS= read -r l; do printf '%4d %s\n' "$SECONDS" "$l"; done
}

# Prints the image directory, building it first if needed (or if
# REBUILD=1: the archive has moved on, e.g. a new kernel).
image() {
	local key dir log t0 DEBVM=$CACHE/debvm-$SUITE
	key=$(recipe_key)
	dir=$DEBVM/$key
	if [ -f "$dir/.complete" ] && [ "${REBUILD:-0}" != 1 ]; then
		echo "$dir"
		return
	fi
	[ "$(id -u)" = 0 ] || { say "building the image needs root (mmdebstrap chroots into it)"; exit 1; }
	# gpg: mmdebstrap (a Recommends) uses it to check which keyring signs
	# the suites.
	need_pkgs mmdebstrap debian-archive-keyring gpg e2fsprogs || exit 1
	mkdir -p "$DEBVM"
	# One build at a time; a second caller waits and then finds it done.
	exec 9> "$DEBVM/.lock"
	flock 9
	if [ ! -f "$dir/.complete" ] || [ "${REBUILD:-0}" = 1 ]; then
		say "building the $SUITE image $key (a few minutes; log: $dir.tmp/build.log)"
		t0=$(date +%s)
		# --one-file-system: a killed build may leave /proc or /dev mounted
		# inside the tree; never descend into the host's.
		rm -rf --one-file-system "$dir.tmp"
		mkdir -p "$dir.tmp"
		log=$dir.tmp/build.log
		# Every log line carries the seconds since the start: the log shows
		# where a slow build spent its time.  V=1 shows it as it goes.
		if ! "$RECIPE/mkimage.sh" "$dir.tmp" "$SUITE" 2>&1 | stamp |
			if [ -n "${V:-}" ]; then tee "$log" >&2; else cat > "$log"; fi; then
			[ -n "${V:-}" ] || tail -n 40 "$log" >&2
			say "image build failed (log: $log)"
			exit 1
		fi
		chmod 0444 "$dir.tmp/disk.raw"	# the pristine base of every overlay
		touch "$dir.tmp/.complete"
		rm -rf --one-file-system "$dir"
		mv "$dir.tmp" "$dir"
		# Older recipes' images of this suite are dead weight (1-2 GB each).
		for old in "$DEBVM"/*/; do
			old=${old%/}
			[ "$old" = "$dir" ] || rm -rf --one-file-system "$old"
		done
		say "image built in $(($(date +%s) - t0)) s: $(du -sh "$dir/disk.raw" | cut -f1) on disk," \
		    "kernel $(cat "$dir/kernel-version")"
	fi
	exec 9>&-
	echo "$dir"
}

boot() {
	local mode=$1; shift
	local share="" out="" net=0 timeout=1200 mem=2G append="" quiet=quiet script="" args=()
	while [ $# -gt 0 ]; do
		case $1 in
		--suite) shift ;;	# taken before (it picks the image)
		--share) share=$(cd "$2" && pwd); shift ;;
		--out) out=$(cd "$2" && pwd); shift ;;
		--net) net=1 ;;
		--timeout) timeout=$2; shift ;;
		--mem) mem=$2; shift ;;
		--append) append="$append $2"; shift ;;
		--verbose) quiet="" ;;
		--) shift; [ $mode = run ] || usage; [ $# -gt 0 ] || usage
		    script=$1; shift; args=("$@"); break ;;
		*) say "unknown option $1"; usage ;;
		esac
		shift
	done
	[ $mode = shell ] || [ -n "$script" ] || usage
	[ -z "$script" ] || [ -f "$script" ] || { say "no such script: $script"; exit 2; }

	need_pkgs qemu-system-x86 qemu-utils
	local img
	img=$(image)

	# Global: the EXIT trap runs outside this function.
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/debvm.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# The throwaway disk: guest writes land here, the cached image stays
	# pristine.  cache=unsafe below: nothing in it needs to survive.
	qemu-img create -q -f qcow2 -F raw -b "$img/disk.raw" "$tmp/overlay.qcow2"
	mkdir "$tmp/ctl"
	cp "$HERE/debvm/guest.sh" "$tmp/ctl/"
	if [ -n "$script" ]; then
		cp "$script" "$tmp/ctl/script"
		chmod 0755 "$tmp/ctl/script"
		: > "$tmp/ctl/args"
		[ ${#args[@]} = 0 ] || printf '%s\0' "${args[@]}" > "$tmp/ctl/args"
	fi
	chmod -R a+rX "$tmp/ctl"

	local cmdline="root=/dev/vda rw console=ttyS0 panic=-1 $quiet systemd.wants=debvm-setup.service"
	# Run mode: the script owns the serial console; a getty there would hang
	# it up.
	[ $mode = run ] && cmdline+=" systemd.wants=debvm-run.service systemd.mask=serial-getty@ttyS0.service"
	# -nodefaults: no CD-ROM, parallel port, VGA or default NIC to probe at
	# boot; the serial port is the console (mon:: Ctrl-A c reaches QEMU's
	# monitor in debvm.sh shell).
	local qemu=(qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m "$mem" -smp 2
		-nographic -nodefaults -serial mon:stdio -no-reboot
		-kernel "$img/vmlinuz" -initrd "$img/initrd.img"
		-drive "file=$tmp/overlay.qcow2,if=virtio,format=qcow2,cache=unsafe"
		-device virtio-rng-pci
		-device isa-debug-exit,iobase=0xf4,iosize=0x04
		-virtfs "local,path=$tmp/ctl,mount_tag=debvm-ctl,security_model=none,readonly=on")
	[ -n "$share" ] && qemu+=(-virtfs "local,path=$share,mount_tag=debvm-share,security_model=none,readonly=on")
	[ -n "$out" ] && qemu+=(-virtfs "local,path=$out,mount_tag=debvm-out,security_model=none")
	if [ $net = 1 ]; then
		# romfile=: no iPXE option ROM (nothing boots from the network).
		qemu+=(-netdev user,id=net0 -device virtio-net-pci,netdev=net0,romfile=)
		cmdline+=" debvm.net=1 net.ifnames=0"
	fi
	qemu+=(-append "$cmdline $append")

	if [ $mode = shell ]; then
		"${qemu[@]}" || true
		return 0
	fi
	set +e
	# A plain-text log: drop the firmware's banner and the terminal control
	# sequences (CSI, OSC, reset) that the firmware, systemd and systemctl
	# write to the console.
	timeout --foreground -k 5 "$timeout" "${qemu[@]}" < /dev/null 2>&1 |
		sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?!]*[A-Za-z]//g' -e 's/\x1b\][^\x07]*\x07//g' \
		    -e 's/\x1b[c78]//g' \
		    -e '/^SeaBIOS (version/d' -e '/^iPXE (http/d' -e '/^Booting from ROM/d' -e '/^$/d'
	local q=${PIPESTATUS[0]}
	set -e
	if [ "$q" = 124 ]; then
		say "guest timed out after ${timeout}s"; return 124
	fi
	if [ $((q & 1)) = 1 ]; then
		return $(((q - 1) / 2))
	fi
	say "the guest died without reporting a status (qemu exit $q)"
	return 126
}

# --suite SUITE, wherever it comes before a "--" (it picks the image).
suite_arg() {
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		if [ "$1" = --suite ]; then
			case ${2:-} in
			trixie|bookworm) SUITE=$2 ;;
			*) say "unknown suite '${2:-}' (trixie or bookworm)"; exit 2 ;;
			esac
			return
		fi
		shift
	done
}

case ${1:-} in
image)
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--rebuild) REBUILD=1 ;;
		--suite) suite_arg "$@"; shift ;;
		*) usage ;;
		esac
		shift
	done
	image ;;
run|shell) mode=$1; shift; suite_arg "$@"; boot "$mode" "$@" ;;
*) usage ;;
esac
