#!/bin/bash
# A debug build (KASAN, lockdep, kmemleak, fault injection, ...) of Debian's
# own 6.12 guest kernel, built once from Debian's linux-source-6.12 of the
# same version as the stock guest kernel (scripts/deps.sh) and cached.
#
# Usage: scripts/debug-kernel.sh
# Prints, like scripts/deps.sh, on stdout and nothing else:
#   KDIR=     the built tree: make -C $KDIR M=DIR modules builds a module for it
#   VMLINUZ=  its bzImage
#   MODDIR=   its (module-free: everything is built in) lib/modules/KVER
#   KVER=     its release, e.g. 6.12.117-vmscope-debug
# Progress goes to stderr.  The kernel configuration is `make tinyconfig`
# plus scripts/debug-kernel.config; changing that fragment or this script's
# build steps (its "recipe" section) selects a new cache entry:
#   ${VMSCOPE_CACHE:-~/.cache/vmscope}/debug-kernel/<version>-<hash>/
# An entry is used only once its .complete marker exists (written last).
# VMSCOPE_REFRESH=1 re-resolves the stock version through deps.sh first;
# VMSCOPE_BUILD_NICE (default 10) is the build's niceness.
# A cold build takes about 15 minutes on 2 cores.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/pkgs.sh"
CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
FRAG=$HERE/debug-kernel.config
BUILD_PKGS=(make gcc bc flex bison libssl-dev libelf-dev dwarves xz-utils kmod)

log() { echo "debug-kernel: $*" >&2; }
die() { log "$*"; exit 1; }

# The entry name carries a hash of everything that decides the build: the
# fragment and this script's build steps, between the two "recipe" marker
# lines below (package installs and messages outside them do not count,
# so editing them keeps a 30 CPU-minute build).
hash=$({ cat "$FRAG"; sed -n '/^# ---- recipe: begin/,/^# ---- recipe: end/p' "$HERE/debug-kernel.sh"; } |
	sha256sum | cut -c1-12)

emit() {
	local e=$1 rel
	rel=$(cat "$e/kernelrelease")
	echo "KDIR=$e/src"
	echo "VMLINUZ=$e/vmlinuz"
	echo "MODDIR=$e/mod/lib/modules/$rel"
	echo "KVER=$rel"
}

# Fast path, no network and no package checks: the newest complete entry
# for this fragment and script wins, as the newest stock kernel does in
# deps.sh.  (deps.sh itself costs about half a second even when warm.)
if [ -z "${VMSCOPE_REFRESH:-}" ]; then
	done_marker=$(ls -d "$CACHE"/debug-kernel/*-"$hash"/.complete 2>/dev/null | sort -V | tail -n1 || true)
	if [ -n "$done_marker" ]; then
		emit "$(dirname "$done_marker")"
		exit 0
	fi
fi

# ---- slow path: packages, stock version, source, build ---------------------
# deps.sh installs the project's packages and tells the stock guest version.
stock=$("$HERE/deps.sh")
ver=$(sed -n 's/^KVER=\(.*\)-amd64$/\1/p' <<<"$stock")	# e.g. 6.12.117+deb12
[ -n "$ver" ] || die "cannot read the stock kernel version from deps.sh"
entry=$CACHE/debug-kernel/$ver-$hash
if [ -f "$entry/.complete" ]; then
	emit "$entry"
	exit 0
fi

# Kernel build tools, installed the way deps.sh installs its packages.
need_pkgs "${BUILD_PKGS[@]}" || exit 1

mkdir -p "$CACHE/debug-kernel"
# One builder per entry: a second caller waits, then finds it complete.
exec 9>"$CACHE/debug-kernel/.lock-$ver-$hash"
if ! flock -n 9; then
	log "another build of $ver-$hash is running; waiting for it"
	flock 9
fi
if [ -f "$entry/.complete" ]; then
	emit "$entry"
	exit 0
fi

start=$SECONDS
# A leftover without .complete is an interrupted build: start over.
rm -rf "$entry"
mkdir -p "$entry/dl"

# The source package of exactly the stock image's build: the unsigned image
# package's version is its source version (e.g. 6.12.117-1~deb12u1).
srcver() {
	apt_host apt-cache show "linux-image-$ver-amd64-unsigned" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n1
}
sv=$(srcver)
if [ -z "$sv" ] && [ "$(id -u)" = 0 ]; then
	apt_host apt-get update -qq >&2
	sv=$(srcver)
fi
[ -n "$sv" ] || die "cannot resolve the source version of linux-image-$ver-amd64-unsigned (run: apt-get update)"

log "downloading linux-source-6.12=$sv (about 150 MB)"
# As root apt drops to the _apt user, who cannot enter a 0700 home: the
# download would work but warn.  Download as root outright.
apt_opts=()
[ "$(id -u)" = 0 ] && apt_opts=(-o APT::Sandbox::User=root)
fetch() { ( cd "$entry/dl" && apt_host apt-get download -qq "${apt_opts[@]}" "linux-source-6.12=$sv" >&2 ); }
if ! fetch; then
	# Stale package lists name a file the archive has replaced.
	[ "$(id -u)" = 0 ] || die "cannot download linux-source-6.12=$sv; run: apt-get update"
	apt_host apt-get update -qq >&2
	fetch || die "cannot download linux-source-6.12=$sv (is $ver still in bookworm-security? try VMSCOPE_REFRESH=1)"
fi

log "unpacking"
dpkg-deb -x "$entry"/dl/linux-source-6.12_*.deb "$entry/dl/root"
rm -f "$entry"/dl/*.deb
tar -C "$entry" -xJf "$entry/dl/root/usr/src/linux-source-6.12.tar.xz"
rm -rf "$entry/dl"
mv "$entry/linux-source-6.12" "$entry/src"
src=$entry/src

# Called from `make -s kmod KERNEL=debug`, the kernel's make would inherit
# -s and print no "CC" line for the progress count below.
unset MAKEFLAGS MFLAGS MAKELEVEL

# ---- recipe: begin (hashed into the entry's name) ---------------------------
# Everything that is not a warning-free, reproducible build step goes to
# build.log; on failure its tail is shown.
LOGF=$entry/build.log
: > "$LOGF"
# At nice 10 (VMSCOPE_BUILD_NICE): a build beside other work yields to it.
kmake() { nice -n "${VMSCOPE_BUILD_NICE:-10}" make -C "$src" -j"$(nproc)" "$@" >>"$LOGF" 2>&1; }
fail() { tail -n 40 "$LOGF" >&2; die "$* (full log: $LOGF)"; }

log "configuring: tinyconfig + $(basename "$FRAG")"
kmake tinyconfig || fail "make tinyconfig failed"
( cd "$src" && scripts/kconfig/merge_config.sh -m .config "$FRAG" ) >>"$LOGF" 2>&1 ||
	fail "merge_config.sh failed"
kmake olddefconfig || fail "make olddefconfig failed"

# Kconfig silently drops an option whose dependencies are unmet (KASAN with
# SLUB_TINY, say).  Every =y of the fragment must be in .config, and every
# "is not set" must not be =y.
dropped=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=y)
		grep -qx "$line" "$src/.config" || dropped+=("${line%=y}") ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		grep -qx "$opt=y" "$src/.config" && dropped+=("$opt (wanted off, is y)") ;;
	esac
done < "$FRAG"
if [ ${#dropped[@]} -gt 0 ]; then
	for o in "${dropped[@]}"; do log "option not in .config after olddefconfig: $o"; done
	die "the fragment's options above were dropped (unmet dependencies?); fix $FRAG"
fi

log "building bzImage + modules with -j$(nproc) (log: $LOGF)"
# Progress from the log once a minute: a cold build is long and quiet.
kmake bzImage modules &
mpid=$!
trap 'kill $mpid 2>/dev/null || true' EXIT
while kill -0 $mpid 2>/dev/null; do
	for _ in $(seq 60); do kill -0 $mpid 2>/dev/null || break; sleep 1; done
	kill -0 $mpid 2>/dev/null &&
		log "  ... $((SECONDS - start)) s, $(grep -c '^  CC' "$LOGF" || true) files compiled"
done
wait $mpid || fail "kernel build failed"
trap - EXIT
[ -f "$src/Module.symvers" ] || fail "no Module.symvers after the build"
rel=$(cat "$src/include/config/kernel.release")
# Nothing is =m, but MODDIR still gets modules.builtin and friends.
kmake INSTALL_MOD_PATH="$entry/mod" DEPMOD=/sbin/depmod modules_install ||
	fail "modules_install failed"
cp "$src/arch/x86/boot/bzImage" "$entry/vmlinuz"
echo "$rel" > "$entry/kernelrelease"
cp "$src/.config" "$entry/config"

# Prove an external module builds against the tree and carries BTF (kfuncs
# register only with module BTF) before declaring the entry complete.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cat > "$t/probe.c" <<'C'
#include <linux/module.h>
static int __init probe_init(void) { return 0; }
static void __exit probe_exit(void) { }
module_init(probe_init);
module_exit(probe_exit);
MODULE_LICENSE("GPL");
C
echo 'obj-m := probe.o' > "$t/Kbuild"
make -C "$src" M="$t" modules >>"$LOGF" 2>&1 || fail "an external test module does not build against $src"
sections=$(readelf -SW "$t/probe.ko")	# (no early-exit grep in a pipe: SIGPIPE)
grep -q ' \.BTF ' <<< "$sections" || fail "an external module built against $src has no .BTF section"

# ---- recipe: end -----------------------------------------------------------
touch "$entry/.complete"
log "done in $((SECONDS - start)) s: $entry ($(du -sh "$entry" | cut -f1))"
# Entries of other fragments, scripts or versions stay (another work tree may
# use them); say what they cost rather than deleting them.
for old in "$CACHE"/debug-kernel/*/; do
	[ "${old%/}" = "$entry" ] && continue
	[ -d "$old" ] && log "other cache entry (rm -rf to reclaim): ${old%/} ($(du -sh "$old" | cut -f1))"
done
emit "$entry"
