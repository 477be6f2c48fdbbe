#!/bin/bash
# Build vmscope.ko for one kernel (scripts/kernel.sh NAME) into
# build/kmod/NAME/, from the one source tree in kmod/ (symlinked, so each
# kernel's objects stay apart), through kmod/Makefile as DKMS does.  W=1,
# and no warning is allowed; the module must carry BTF, or its kfuncs would
# silently not register.  Where the kernel's headers have no BTF vmlinux
# (Debian's 6.1: MODBTF=vmlinuz) kmod/Makefile makes the module's BTF itself,
# as on a user's machine, with the kernel's BTF taken from its image.
# arm64 kernels (KARCH=arm64) are cross-built: ARCH=arm64
# CROSS_COMPILE=aarch64-linux-gnu-; Debian's headers then call
# aarch64-linux-gnu-gcc-12 (bookworm, gcc-aarch64-linux-gnu here) or -14
# (trixie-backports: in the arm64 build root, scripts/buildroot.sh).
#   scripts/build-kmod.sh NAME [V=1]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
name=$1; shift || true
kenv=$(scripts/kernel.sh "$name") || exit 1
eval "$kenv"
out=$ROOT/build/kmod/$name
mkdir -p "$out"
# Sources as symlinks: kbuild builds in M=, one directory per kernel.
find "$out" -maxdepth 1 -type l -delete
for f in kmod/*.c kmod/*.h kmod/Kbuild kmod/Makefile kmod/btfids; do
	ln -sfn "$ROOT/$f" "$out/$(basename "$f")"
done
# MODULE_VERSION (kmod/Kbuild reads it); rewritten only when it changes.
v=${VMSCOPE_VERSION:-$(cat VERSION)}
[ "$(cat "$out/VERSION" 2>/dev/null)" = "$v" ] || echo "$v" > "$out/VERSION"
log=$out/build.log
# kbuild relinks vmscope.ko only when an object changed; kmod/Makefile's own
# BTF step (kmod/btfids/) must also run again when its tools change.
if [ -e "$out/vmscope.ko" ] && [ -n "$(find kmod/Makefile kmod/btfids -newer "$out/vmscope.ko")" ]; then
	rm -f "$out/vmscope.ko"
fi
# kbuild gets its own -j: a parent make's jobserver does not reach it
# through this script (and would only print a warning).
unset MAKEFLAGS MFLAGS MAKELEVEL
cmd=(make -j"$(nproc)" -C "$out" KDIR="$KDIR" W=1 modules "$@")
if [ "${KARCH:-x86_64}" = arm64 ]; then
	cmd+=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
	export VMSCOPE_BUILDROOT_ARCH=arm64
fi
if [ "${MODBTF:-}" = vmlinuz ]; then
	cmd+=(VMSCOPE_BTF=own VMSCOPE_VMLINUZ="$VMLINUZ")
fi
if [ -n "$KBUILD_ROOT" ]; then
	scripts/buildroot.sh run -- "${cmd[@]}" > "$log" 2>&1 || { cat "$log"; exit 1; }
else
	"${cmd[@]}" > "$log" 2>&1 || { cat "$log"; exit 1; }
fi
if grep -q "warning:" "$log"; then
	cat "$log"; echo "build-kmod: warnings building for $name ($KVER)" >&2; exit 1
fi
# (Not `readelf | grep -q` under pipefail: grep leaves at the first match,
# and readelf, still writing, dies of SIGPIPE: a false "no .BTF".)
sections=$(readelf -SW "$out/vmscope.ko") || sections=
grep -q ' \.BTF ' <<< "$sections" || {
	cat "$log"
	echo "build-kmod: $out/vmscope.ko has no .BTF section: its kfuncs would not register" \
	     "(the kernel needs CONFIG_DEBUG_INFO_BTF_MODULES and pahole)" >&2
	rm -f "$out/vmscope.ko"; exit 1; }
echo "$KVER" > "$out/kver"
echo "  KMOD    build/kmod/$name/vmscope.ko ($KVER)"
