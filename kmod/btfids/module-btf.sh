#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Module BTF where kbuild cannot make it: kmod/Makefile runs this after
# kbuild when the kernel's headers lack a BTF vmlinux or resolve_btfids
# (Debian 12's stock 6.1 has neither; kbuild's own BTF step is then off).
#
#   sh btfids/module-btf.sh MODULE.ko        (in the module's build folder)
#
# 1. The kernel's BTF, which the module's split BTF is built on, from the
#    first that applies: $VMSCOPE_BTF_BASE (raw BTF or an ELF file with
#    .BTF); the .BTF of the kernel image $VMSCOPE_VMLINUZ; $KDIR/vmlinux;
#    /sys/kernel/btf/vmlinux when the module is for the running kernel; the
#    .BTF of /boot/vmlinuz-RELEASE (a kernel installed but not booted, e.g.
#    DKMS building for a new kernel during an upgrade).  RELEASE is
#    $VMSCOPE_KVER (DKMS's kernelver), else the headers' UTS_RELEASE.
# 2. pahole -J --btf_base, with the pahole, flags and objcopy that kbuild
#    itself would use for this kernel (recorded by kmod/Kbuild in
#    .btf/kbuild.vars during the build).
# 3. btfids (btfids.c, compiled here) fills in .BTF_ids, as the kernel's
#    resolve_btfids would.
# The work happens on copies in .btf/ (kept for inspection; `make clean`
# removes them); MODULE.ko is replaced only once every step has worked.
#
# Exit 0 with MODULE.ko carrying BTF, or, when a prerequisite is missing
# (no BTF for that kernel, no pahole, no C library headers), with a message
# saying what to install or do and MODULE.ko unchanged: kmod/Makefile then
# warns that the kfuncs will not register (the device and /proc/mtest work
# without BTF).  Exit 1 when a step fails that should not (btfids found a
# name it cannot resolve, a malformed file).
#
# Only tools a Debian system building modules has: POSIX sh, coreutils, od,
# binutils (objcopy, readelf: gcc needs them), pahole (dwarves, a Depends of
# vmscope-dkms), xz and bzip2 (dpkg-dev, a Depends of dkms), gzip; zstd,
# lz4 or lzop only for kernels compressed with them.
set -u
ko=${1:?usage: module-btf.sh MODULE.ko}
here=$(dirname "$0")
work=.btf
name=$(basename "$ko")
KDIR=${KDIR:?KDIR is not set}

say() { echo "vmscope: $*" >&2; }
# A prerequisite is missing: say so and what to do; no BTF, no error.
cannot() { say "$*"; exit 0; }
fail() { say "$*"; exit 1; }
has_btf() { readelf -SW "$1" 2>/dev/null | grep -q ' \.BTF '; }

has_btf "$ko" && exit 0		# this build's .ko is done (kbuild did not relink it)
mkdir -p "$work" || fail "cannot create $work"

release=${VMSCOPE_KVER:-}
[ -n "$release" ] || release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
	"$KDIR/include/generated/utsrelease.h" 2>/dev/null)
[ -n "$release" ] || release=$(cat "$KDIR/include/config/kernel.release" 2>/dev/null)
running=$(uname -r)
dkmsver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf 2>/dev/null)
# (dkms install --force would reinstall the module built without BTF.)
fix="to fix: boot $release and rebuild the module there${dkmsver:+ (dkms remove
  vmscope/$dkmsver -k $release; dkms install vmscope/$dkmsver)}, or build it with
  VMSCOPE_BTF_BASE=FILE, that kernel's BTF"

# raw_btf IMAGE OUT: the kernel's BTF from an arm64 Image (not ELF: no
# section headers), found by its header: magic 0xeb9f, version 1, flags 0,
# hdr_len 24, then type_off, type_len, str_off, str_len with the types
# first and the strings right after them.  The largest such blob is the
# kernel's (a stray match of the magic fails those checks or is tiny).
raw_btf() {
	img=$1 out=$2 size=$(stat -L -c %s "$1") best=0 boff=
	# The first 3 magic bytes (no NUL in a grep pattern); the rest by od.
	for o in $(LC_ALL=C grep -obUa "$(printf '\237\353\001')" "$img" | cut -d: -f1); do
		# shellcheck disable=SC2046
		set -- $(od -An -tu4 -j "$o" -N24 "$img")
		# $1: magic, version, flags (0x0001eb9f); $2 hdr_len; $3..$6
		# type_off, type_len, str_off, str_len.
		[ $# = 6 ] && [ "$1" = 125855 ] && [ "$2" = 24 ] && [ "$3" = 0 ] &&
			[ "$5" = "$4" ] && [ "$6" -gt 0 ] || continue
		len=$((24 + $5 + $6))
		[ $((o + len)) -le "$size" ] && [ $len -gt $best ] && { best=$len boff=$o; }
	done
	[ -n "$boff" ] || return 1
	tail -c +$((boff + 1)) "$img" | head -c "$best" > "$out"
}

# extract IMAGE: the kernel's BTF into $work/base.btf, raw (the bytes of
# /sys/kernel/btf/vmlinux when that kernel runs): the .BTF of a bzImage's
# compressed vmlinux or of an ELF vmlinux, or the BTF inside an arm64 Image
# (also gzip-compressed, Image.gz).  Cached in $work as long as the image
# is the same file.  Prints why not.
extract() {
	z=$1
	[ -r "$z" ] || { echo "$z is missing"; return 1; }
	key="$z $(stat -L -c '%s %Y' "$z")"
	if [ -s "$work/base.btf" ] && [ "$(cat "$work/base.src" 2>/dev/null)" = "$key" ]; then
		return 0
	fi
	rm -f "$work/base.btf" "$work/base.src" "$work/vmlinux"
	if [ "$(head -c 2 "$z" | od -An -tx1 | tr -d ' \n')" = 1f8b ]; then
		gzip -dc "$z" > "$work/vmlinux" 2>/dev/null ||
			{ rm -f "$work/vmlinux"; echo "$z: gzip cannot decompress it"; return 1; }
		z=$work/vmlinux
	fi
	# arm64 boot protocol: "ARM\x64" at offset 56 of the Image.
	if [ "$(dd if="$z" bs=1 skip=56 count=4 2>/dev/null)" = ARMd ]; then
		raw_btf "$z" "$work/base.btf.tmp" ||
			{ rm -f "$work/vmlinux" "$work/base.btf.tmp"; echo "$z holds no kernel BTF"; return 1; }
		rm -f "$work/vmlinux"
		mv "$work/base.btf.tmp" "$work/base.btf"
		echo "$key" > "$work/base.src"
		return 0
	fi
	if [ "$(dd if="$z" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ]; then
		# x86 boot protocol 2.08+: the compressed vmlinux is payload_length
		# (0x24c) bytes at payload_offset (0x248) into the protected-mode
		# code, which follows the (setup_sects (0x1f1), 0 meaning 4, + 1)
		# 512-byte sectors of the real-mode setup.
		ss=$(od -An -tu1 -j 497 -N1 "$z" | tr -d ' ')
		[ "$ss" = 0 ] && ss=4
		# shellcheck disable=SC2046
		set -- $(od -An -tu4 -j 584 -N8 "$z")
		off=$(((ss + 1) * 512 + $1)) len=$2
		magic=$(tail -c +$((off + 1)) "$z" | head -c 6 | od -An -tx1 | tr -d ' \n')
		case $magic in
		fd377a585a00) dec="xz -dc --single-stream" pkg=xz-utils ;;
		28b52ffd*) dec="zstd -dcq" pkg=zstd ;;
		1f8b*) dec="gzip -dc" pkg=gzip ;;
		425a68*) dec="bzip2 -dc" pkg=bzip2 ;;
		5d0000*) dec="xz -dc --format=lzma" pkg=xz-utils ;;
		02214c18*) dec="lz4 -dc" pkg=lz4 ;;
		894c5a4f*) dec="lzop -dc" pkg=lzop ;;
		*) echo "$z: unknown compression (payload starts $magic)"; return 1 ;;
		esac
		command -v "${dec%% *}" >/dev/null ||
			{ echo "$z is ${dec%% *}-compressed and ${dec%% *} is missing: apt-get install $pkg"; return 1; }
		# The payload ends in the uncompressed size, which some
		# decompressors call trailing garbage: the ELF check decides.
		tail -c +$((off + 1)) "$z" | head -c "$len" | $dec > "$work/vmlinux" 2>/dev/null
	elif [ "$z" != "$work/vmlinux" ]; then
		cp "$z" "$work/vmlinux"		# not a bzImage: an ELF vmlinux?
	fi
	if ! has_btf "$work/vmlinux"; then
		rm -f "$work/vmlinux"
		echo "$z holds no kernel with BTF"
		return 1
	fi
	objcopy -O binary --only-section=.BTF "$work/vmlinux" "$work/base.btf" || return 1
	rm -f "$work/vmlinux"
	echo "$key" > "$work/base.src"
}

# ---- the tools: kbuild's pahole, and btfids --------------------------------
vars=$work/kbuild.vars
[ -f "$vars" ] || fail "$vars is missing (kmod/Kbuild writes it when VMSCOPE_OWN_BTF is set)"
pahole=$(sed -n 's/^PAHOLE=//p' "$vars")
flags=$(sed -n 's/^PAHOLE_FLAGS=//p' "$vars")
objcopy=$(sed -n 's/^OBJCOPY=//p' "$vars")
command -v "${pahole:-pahole}" >/dev/null ||
	cannot "${pahole:-pahole} is missing, so the module gets no BTF: apt-get install dwarves"
cc=${HOSTCC:-}
if [ -z "$cc" ]; then
	for c in gcc cc; do command -v $c >/dev/null && { cc=$c; break; }; done
fi
${cc:-gcc} -O2 -Wall -o "$work/btfids" "$here/btfids.c" ||
	cannot "cannot compile $here/btfids.c (are the C library headers missing?
  apt-get install libc6-dev), so the module gets no BTF"

# ---- 1. the kernel's BTF ------------------------------------------------
if [ -n "${VMSCOPE_BTF_BASE:-}" ]; then
	[ -r "$VMSCOPE_BTF_BASE" ] || fail "VMSCOPE_BTF_BASE=$VMSCOPE_BTF_BASE: no such file"
	base=$VMSCOPE_BTF_BASE from=VMSCOPE_BTF_BASE
elif [ -n "${VMSCOPE_VMLINUZ:-}" ]; then
	why=$(extract "$VMSCOPE_VMLINUZ") ||
		cannot "no kernel BTF to build the module's BTF on: $why"
	base=$work/base.btf from="$VMSCOPE_VMLINUZ"
elif [ -f "$KDIR/vmlinux" ] && has_btf "$KDIR/vmlinux"; then
	base=$KDIR/vmlinux from="$KDIR/vmlinux"
elif [ "$release" = "$running" ] && [ -r /sys/kernel/btf/vmlinux ]; then
	base=/sys/kernel/btf/vmlinux from="/sys/kernel/btf/vmlinux (the running kernel)"
else
	z=
	for f in "/boot/vmlinuz-$release" "/lib/modules/$release/vmlinuz" \
		 "/usr/lib/modules/$release/vmlinuz"; do
		[ -e "$f" ] && { z=$f; break; }
	done
	: "${z:=/boot/vmlinuz-$release}"
	why=$(extract "$z") ||
		cannot "no BTF of kernel $release to build the module's BTF on: its headers
  have no vmlinux, it is not the running kernel ($running), and
  $why
vmscope: $fix"
	base=$work/base.btf from=$z
fi

# ---- 2. pahole, as kbuild would run it ----------------------------------
cp "$ko" "$work/$name.pahole" || fail "cannot copy $ko"
# pahole adds the .BTF section with $LLVM_OBJCOPY (kbuild passes its OBJCOPY).
# shellcheck disable=SC2086
LLVM_OBJCOPY=${objcopy:-objcopy} "${pahole:-pahole}" -J $flags --btf_base "$base" "$work/$name.pahole" ||
	cannot "pahole -J $flags --btf_base $base failed (see above), so the module gets no BTF"
has_btf "$work/$name.pahole" || cannot "pahole added no .BTF section to $name"

# ---- 3. .BTF_ids ----------------------------------------------------------
cp "$work/$name.pahole" "$work/$name.tmp" || fail "cannot copy $name"
"$work/btfids" -b "$base" "$work/$name.tmp" ||
	fail "resolving $name's BTF ids failed (above); the module would load with kfuncs
  that do not register"
mv -f "$work/$name.tmp" "$ko" || fail "cannot replace $ko"
echo "  BTF [M]  $ko (kernel BTF: $from; BTF ids: btfids)"
