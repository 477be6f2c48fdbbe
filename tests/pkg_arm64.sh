#!/bin/sh
# Runs in the arm64 guest (scripts/vm.sh --kernel arm64-*, --no-module),
# from tests/run.sh package: the arm64 package as a user gets it.
#   /pkg/root         vmscope_VERSION_arm64.deb unpacked (dpkg-deb -x); its
#                     shared libraries (bookworm's arm64 libbpf1, libelf1,
#                     zlib1g) were put in /lib/aarch64-linux-gnu by vm.sh
#   /pkg/vmscope.ko   built from vmscope-dkms's /usr/src/vmscope-VERSION
#                     with its dkms.conf MAKE line, for this kernel
#   /pkg/dkms.conf    that dkms.conf
#   $1                the package version
# Debian's dkms and apt do not run here (a busybox guest): the DKMS build
# is dkms.conf's own command, run by tests/run.sh on the host (cross).
. /tests/lib/tap.sh
. /tests/lib/target.sh
tap_start

# The PFN /proc/PID/pagemap gives for ADDR (bits 0-54 of its entry; the
# low 14 hex digits hold them and only flag bit 55 besides).
pagemap_pfn() {
	local hex
	hex=$(dd if=/proc/$1/pagemap bs=8 skip=$(($2 / 4096)) count=1 2>/dev/null | od -An -tx8 | tr -d ' ')
	[ -n "$hex" ] || return 1
	hex=$(echo "$hex" | sed 's/.*\(.\{14\}\)$/\1/')
	echo $((0x$hex & 0x7fffffffffffff))
}
ver=$1
cli=/pkg/root/usr/sbin/vmscope
arch=$(uname -m)

out=$($cli --version 2>&1); r=$?; diag "$out"
[ $r = 0 ] && echo "$out" | grep -q "^vmscope $ver "
result "the packaged CLI runs on $arch and is version $ver" $?

# dkms.conf's BUILD_EXCLUSIVE_ARCH is a regex DKMS matches against uname -m.
re=$(sed -n 's/^BUILD_EXCLUSIVE_ARCH="\(.*\)"$/\1/p' /pkg/dkms.conf)
diag "BUILD_EXCLUSIVE_ARCH=$re"
[ -n "$re" ] && echo "$arch" | grep -Eq "$re"
result "dkms.conf lets DKMS build the module on $arch" $?

insmod /pkg/vmscope.ko
result "the module built from the DKMS source loads" $?
mver=$(cat /sys/module/vmscope/version 2>/dev/null)
diag "module version '$mver'"
[ "$mver" = "$ver" ]
result "its MODULE_VERSION is the package's ($ver)" $?
test -r /sys/kernel/btf/vmscope
result "it carries BTF (its kfuncs register)" $?

out=$($cli status 2>&1); diag "$out"
echo "$out" | grep -q "^module:      loaded, $ver, ABI [0-9]* (matches)"
result "vmscope status: the module is loaded and speaks the CLI's ABI" $?

sleep 1000 &
t=$!
exec_wait "$t" sleep || bail "the sleeper never exec'd sleep"
$cli maps --maps "$t" > /tmp/pkg.maps 2> /tmp/pkg.err; r=$?
cat /proc/$t/maps > /tmp/proc.maps
diag "$(cat /tmp/pkg.err)"
[ $r = 0 ] && [ -s /tmp/pkg.maps ] && cmp -s /tmp/pkg.maps /tmp/proc.maps
result "vmscope maps --maps PID is /proc/PID/maps" $?

# The first page of the sleeper's stack: its PFN against pagemap.
addr=$(awk '/\[stack\]/ { split($1, a, "-"); print "0x" a[2]; exit }' /proc/$t/maps)
addr=$(printf '0x%x' $((addr - 4096)))
out=$($cli -j page "$t" "$addr" 2>&1); r=$?; diag "$out"
pfn=$(echo "$out" | sed -n 's/.*"pfn":"\(0x[0-9a-f]*\)".*/\1/p' | tail -n1)
ppfn=$(pagemap_pfn "$t" "$addr" 2>/dev/null)
diag "page: pfn $pfn, pagemap $ppfn"
[ $r = 0 ] && echo "$out" | grep -q '"source":"module"' && [ -n "$pfn" ] && [ -n "$ppfn" ] &&
	[ "$((pfn))" = "$ppfn" ]
result "vmscope page walks the levels through the module; its PFN is pagemap's" $?

# The ELF magic at the start of the sleeper's first mapping.
first=$(awk '{ split($1, a, "-"); print "0x" a[1]; exit }' /proc/$t/maps)
out=$($cli read "$t" "$first" 4 2>&1); r=$?; diag "$out"
[ $r = 0 ] && echo "$out" | grep -qi "7f 45 4c 46"
result "vmscope read: the mapping starts with the ELF magic" $?
kill $t

# BPF programs that called the kfuncs hold the module until their deferred
# free has run: a few tries, as guest_module does.
for i in 1 2 3 4 5 6 7 8 9 10; do rmmod vmscope 2>/dev/null && break; sleep 0.2; done
! test -d /sys/module/vmscope
result "the module unloads" $?
finish
