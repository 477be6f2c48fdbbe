#!/bin/bash
# kmod/Makefile's own module-BTF route (kmod/btfids/), the one a DKMS build
# takes on Debian 12's stock 6.1: the DKMS tree is built against the cached
# 6.1 headers exactly as Debian ships them (copied without the vmlinux an
# older debian-kernel.sh added), with the kernel's BTF from its image.  The
# module must come out with BTF whose kfunc ids are right, and btfids must
# write byte for byte what the kernel's own resolve_btfids (6.12's kbuild,
# which handles 6.1's layout) writes into the same file.  Also: btfids
# refuses names it cannot resolve, and a build that lacks a prerequisite
# says what to do and still makes a module.
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
tap_start

kenv=$(scripts/debian-kernel.sh --check 6.1 2>/dev/null)
if [ -z "$kenv" ]; then
	skip "module BTF without kbuild's help" "the 6.1 kernel is not in the cache (make check fetches it)"
	finish
fi
eval "$kenv"
has_btf() { readelf -SW "$1" 2>/dev/null | grep -q ' \.BTF '; }

# Debian's 6.1 headers: no vmlinux (kbuild's scripts/tools links made absolute).
H=$T/headers
cp -a "$KDIR" "$H" && rm -f "$H/vmlinux"
for l in scripts tools; do ln -sfn "$(readlink -f "$KDIR/$l")" "$H/$l"; done
# The DKMS tree, as make install lays it out.
S=$T/src
mkdir -p "$S/btfids"
cp kmod/*.c kmod/*.h kmod/Kbuild kmod/Makefile "$S/"
cp kmod/btfids/btfids.c kmod/btfids/module-btf.sh "$S/btfids/"
echo test > "$S/VERSION"
build() { make -C "$S" KDIR="$H" modules "$@" > $T/log 2>&1; }

build VMSCOPE_VMLINUZ="$VMLINUZ"
rc=$?; [ $rc = 0 ] || tail -n 20 $T/log | sed 's/^/# /'
result "the DKMS tree builds for $KVER against headers without vmlinux" $rc
grep -E 'BTF|^vmscope:' $T/log | sed 's/^/# /'
grep -qF "BTF [M]  vmscope.ko (kernel BTF: $VMLINUZ; BTF ids: btfids)" $T/log &&
	! grep -q 'Skipping BTF' $T/log && ! grep -q WARNING $T/log
result "  ... kmod/Makefile made its BTF (kernel BTF from the image, btfids), no warning" $?
has_btf "$S/vmscope.ko"; result "  ... vmscope.ko has a .BTF section" $?
[ "$(head -c 2 "$S/.btf/base.btf" | od -An -tx1 | tr -d ' ')" = 9feb ]
result "  ... the kernel's BTF was extracted from $(basename "$VMLINUZ") as raw BTF" $?

# What .BTF_ids must hold, from the unresolved file, nm and bpftool: a
# func slot outside any set holds its FUNC's id; a set8 holds its count
# and, sorted by id, the {id of FUNC, flags} of the func slots it contains.
objcopy -O binary --only-section=.BTF_ids "$S/.btf/vmscope.ko.pahole" $T/ids0
objcopy -O binary --only-section=.BTF_ids "$S/vmscope.ko" $T/ids
bpftool btf dump file "$S/vmscope.ko" --base-btf "$S/.btf/base.btf" > $T/dump 2>&1
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
nm -S "$S/vmscope.ko" | awk '$4 ~ /^__BTF_ID__set8__/ {print $1, $2, $4}' > $T/sets
bad=0 nfunc=0
while read -r off _ sym; do
	off=$((0x$off)) fn=${sym#__BTF_ID__func__}; fn=${fn%__*}
	id=$(sed -n "s/^\[\([0-9]*\)\] FUNC '$fn' .*/\1/p" $T/dump | head -n1)
	[ -n "$id" ] || { diag "$sym: no FUNC $fn in the module's BTF"; bad=1; continue; }
	nfunc=$((nfunc + 1)) in=""
	while read -r soff ssize sname; do
		soff=$((0x$soff)) ssize=$((0x$ssize))
		[ $off -ge $((soff + 8)) ] && [ $off -lt $((soff + ssize)) ] && in=$sname
	done < $T/sets
	if [ -n "$in" ]; then
		echo "$id $(u32 $T/ids0 $((off + 4)))" >> "$T/want.$in"
	elif [ "$(u32 $T/ids $off)" != "$id" ]; then
		diag "$sym: slot holds $(u32 $T/ids $off), FUNC $fn is $id"; bad=1
	fi
done < <(nm "$S/vmscope.ko" | awk '$3 ~ /^__BTF_ID__func__/')
while read -r soff ssize sname; do
	soff=$((0x$soff)) n=$(($((0x$ssize)) / 8 - 1))
	sort -n "$T/want.$sname" > $T/want 2>/dev/null
	for i in $(seq 1 $n); do
		echo "$(u32 $T/ids $((soff + 8 * i))) $(u32 $T/ids $((soff + 8 * i + 4)))"
	done > $T/got
	diag "$sname: count $(u32 $T/ids $soff), pairs $(tr '\n' ' ' < $T/got)"
	[ "$(u32 $T/ids $soff)" = $n ] && cmp -s $T/want $T/got ||
		{ diag "  want $(tr '\n' ' ' < $T/want)"; bad=1; }
done < $T/sets
diag "$nfunc kfunc slots in $(wc -l < $T/sets) sets"
[ $bad = 0 ] && [ $nfunc -gt 0 ] && [ -s $T/sets ]
result "  ... .BTF_ids: each set8 counted, holding its kfuncs' {FUNC id, flags} sorted by id" $?

# The kernel's own resolver on the same input (pahole's output, kept in .btf/).
kenv12=$(scripts/debian-kernel.sh --check 6.12 2>/dev/null)
rb=/nonexistent
[ -n "$kenv12" ] && rb=$(eval "$kenv12"; echo "$KDIR/tools/bpf/resolve_btfids/resolve_btfids")
if [ -x "$rb" ]; then
	cp "$S/.btf/vmscope.ko.pahole" $T/real.ko
	"$rb" -b "$S/.btf/base.btf" $T/real.ko > $T/rb 2>&1
	rc=$?; sed 's/^/# resolve_btfids: /' $T/rb
	[ $rc = 0 ] && cmp $T/real.ko "$S/vmscope.ko" > $T/cmp 2>&1
	rc=$?; sed 's/^/# /' $T/cmp
	result "btfids' output is byte for byte resolve_btfids' (6.12 kbuild) on the same file" $rc
else
	skip "btfids' output is byte for byte resolve_btfids'" "no cached 6.12 kbuild with resolve_btfids"
fi

# A name that is in no BTF: btfids fails, says which, and changes nothing.
perl -pe 's/__BTF_ID__func__vmscope_walk__/__BTF_ID__func__vmscope_wXlk__/' \
	"$S/.btf/vmscope.ko.pahole" > $T/bad.ko
cp $T/bad.ko $T/bad.orig
"$S/.btf/btfids" -b "$S/.btf/base.btf" $T/bad.ko > $T/out 2>&1
rc=$?; sed 's/^/# /' $T/out
[ $rc = 1 ] && grep -q 'no BTF func named vmscope_wXlk' $T/out && cmp -s $T/bad.ko $T/bad.orig
result "btfids: an unresolvable name fails (exit 1), named, file unchanged" $?
perl -pe 's/__BTF_ID__func__vmscope_walk__/__BTF_ID__fonc__vmscope_walk__/' \
	"$S/.btf/vmscope.ko.pahole" > $T/bad.ko
"$S/.btf/btfids" -b "$S/.btf/base.btf" $T/bad.ko > $T/out 2>&1
rc=$?; sed 's/^/# /' $T/out
[ $rc = 1 ] && grep -q 'unknown __BTF_ID__ kind' $T/out
result "btfids: an unknown __BTF_ID__ kind fails" $?
"$S/.btf/btfids" -b "$S/.btf/base.btf" "$S/.btf/vmscope.ko.pahole.none" > $T/out 2>&1
[ $? = 1 ]; result "btfids: a missing file fails" $?
"$S/.btf/btfids" "$S/vmscope.ko" > $T/out 2>&1
[ $? = 2 ] && grep -q '^usage:' $T/out; result "btfids: no -b is a usage error (exit 2)" $?

# Missing prerequisites: a module without BTF, and a message saying what to do.
rm -f "$S/vmscope.ko"
build VMSCOPE_KVER=6.1.0-0-none
rc=$?; grep '^vmscope:' $T/log | sed 's/^/# /'
[ $rc = 0 ] && [ -f "$S/vmscope.ko" ] && ! has_btf "$S/vmscope.ko" &&
	grep -q 'no BTF of kernel 6.1.0-0-none' $T/log &&
	grep -q '/boot/vmlinuz-6.1.0-0-none is missing' $T/log &&
	grep -q 'to fix: boot 6.1.0-0-none' $T/log && grep -q 'WARNING: vmscope.ko has no BTF' $T/log
result "a kernel neither running nor with an image here: a module, no BTF, what to do" $?
rm -f "$S/vmscope.ko"
build VMSCOPE_VMLINUZ="$VMLINUZ" PAHOLE=/nonexistent/pahole
rc=$?; grep '^vmscope:' $T/log | sed 's/^/# /'
[ $rc = 0 ] && [ -f "$S/vmscope.ko" ] && ! has_btf "$S/vmscope.ko" &&
	grep -q 'apt-get install dwarves' $T/log && grep -q 'WARNING: vmscope.ko has no BTF' $T/log
result "no pahole: a module, no BTF, 'apt-get install dwarves'" $?
rm -f "$S/vmscope.ko"
build VMSCOPE_VMLINUZ="$VMLINUZ"
rc=$?
[ $rc = 0 ] && has_btf "$S/vmscope.ko" && grep -q 'kernel BTF: ' $T/log
result "rebuilt with the image: BTF again (its extracted BTF reused)" $?
# The other knobs kmod/Makefile documents.
cp "$S/.btf/base.btf" $T/base.btf
rm -f "$S/vmscope.ko"
build VMSCOPE_BTF_BASE=$T/base.btf
[ $? = 0 ] && has_btf "$S/vmscope.ko" && grep -q 'kernel BTF: VMSCOPE_BTF_BASE;' $T/log
result "VMSCOPE_BTF_BASE=FILE: the module's BTF is built on FILE" $?
rm -f "$S/vmscope.ko"
build VMSCOPE_BTF=kbuild
[ $? = 0 ] && ! has_btf "$S/vmscope.ko" && grep -q 'Skipping BTF generation' $T/log &&
	grep -q 'WARNING: vmscope.ko has no BTF' $T/log
result "VMSCOPE_BTF=kbuild: kbuild alone, which skips BTF without vmlinux (and warns)" $?
make -C "$S" KDIR="$H" clean > $T/log 2>&1
[ ! -e "$S/.btf" ] && [ ! -e "$S/vmscope.ko" ]; result "make clean removes the work folder .btf" $?
finish
