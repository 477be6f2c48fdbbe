#!/bin/sh
# The module loads with BTF and its kfunc is callable from both program
# types; a BTF-less build of the same module is detected, not trusted.
. /tests/lib/tap.sh
tap_start

ok "module is loaded" test -d /sys/module/vmscope
ok "module has BTF (/sys/kernel/btf/vmscope)" test -r /sys/kernel/btf/vmscope
out=$(kfunc_probe syscall 2>&1); r=$?; diag "$out"
result "ABI kfunc callable from a SYSCALL program" $r
out=$(kfunc_probe iter 2>&1); r=$?; diag "$out"
result "ABI kfunc callable from an iterator (TRACING) program" $r
out=$(vmscope status 2>&1); diag "$out"
mver=$(cat /sys/module/vmscope/version 2>/dev/null)
abi=$(vmscope -j status | sed -n 's/.*"cli_abi":\([0-9]*\).*/\1/p')
echo "$out" | grep -qF "module:      loaded, $mver, ABI $abi (matches)"
result "vmscope status reports the module, its version and a matching ABI" $?
# MODULE_VERSION is the build's version (VERSION, plus the commit in git),
# the same string the CLI built with it reports.
cver=$(vmscope --version | sed -n 's/^vmscope \([^ ]*\) .*/\1/p')
diag "module version '$mver', CLI version '$cver'"
[ -n "$mver" ] && [ "$mver" = "$cver" ]
result "MODULE_VERSION is the version the CLI of the same build reports" $?

# kfunc_callers states rule 5b's form on this kernel: "main" exactly when
# the kernel keeps no preempt count (its own config says which).
cfg=/boot/config-$(uname -r)
kc=$(cat /sys/module/vmscope/parameters/kfunc_callers 2>&1); diag "kfunc_callers: $kc"
if [ -r "$cfg" ]; then
	# Without the count: main where frame records tell (arm64), else none.
	if grep -q '^CONFIG_PREEMPT_COUNT=y' "$cfg"; then want=any
	elif [ "$(uname -m)" = aarch64 ]; then want=main
	else want=none; fi
	[ "$kc" = "$want" ]
	result "kfunc_callers is '$want', as CONFIG_PREEMPT_COUNT in $cfg says" $?
	if [ "$want" = main ]; then
		echo "$out" | grep -q "kfuncs take calls only from a program's main function"
	elif [ "$want" = none ]; then
		echo "$out" | grep -q "its kfuncs refuse every call on this kernel"
	else
		! echo "$out" | grep -q "main function"
	fi
	result "vmscope status says where kfunc calls are taken from ($want)" $?
else
	skip "kfunc_callers matches CONFIG_PREEMPT_COUNT" "no $cfg in this guest"
	skip "vmscope status says where kfunc calls are taken from" "no $cfg in this guest"
fi
vmscope -j status | grep -q "\"kfunc_callers\": *\"$kc\""
result "vmscope -j status: kfunc_callers is the module's parameter" $?
! sh -c 'echo any > /sys/module/vmscope/parameters/kfunc_callers' 2>/dev/null &&
	[ "$(cat /sys/module/vmscope/parameters/kfunc_callers)" = "$kc" ]
result "kfunc_callers cannot be written" $?

# The abi parameter is what the module's kfunc says (the smaller memory
# objects read it instead of calling the kfunc: user/vmem.c, vmem_abi()).
abi=$(cat /sys/module/vmscope/parameters/abi 2>&1)
kabi=$(kfunc_probe syscall 2>&1 | sed -n 's/.*kfunc returned \([0-9-]*\)$/\1/p')
sabi=$(vmscope -j status | sed -n 's/.*"module_abi":\([0-9]*\).*/\1/p')
diag "abi parameter: $abi; the kfunc: $kabi; status: $sabi"
[ -n "$abi" ] && [ "$abi" = "$kabi" ] && [ "$abi" = "$sabi" ] &&
	! sh -c 'echo 9 > /sys/module/vmscope/parameters/abi' 2>/dev/null &&
	[ "$(cat /sys/module/vmscope/parameters/abi)" = "$abi" ]
result "the abi parameter is the kfunc's ABI ($abi), and cannot be written" $?

# Swap in the BTF-less build: its kfuncs must be seen as missing.
unload() {
	for i in 1 2 3 4 5 6 7 8 9 10; do rmmod "$1" 2>/dev/null && return 0; sleep 0.2; done
	return 1
}
unload vmscope
echo "vmscope-test: expect-nobtf-begin" > /dev/kmsg
insmod /lib/vmscope/vmscope-nobtf.ko
echo "vmscope-test: expect-nobtf-end" > /dev/kmsg
dmesg | grep -q "missing module BTF"
result "a BTF-less module build makes the kernel log 'missing module BTF'" $?
out=$(kfunc_probe syscall 2>&1); r=$?; diag "$out"
# It must have run and failed at load time, not be missing.
[ $r != 0 ] && echo "$out" | grep -q "^load:"
result "BTF-less module: the kfunc probe fails (it would catch a BTF-less build)" $?
out=$(vmscope status 2>&1); diag "$out"
echo "$out" | grep -q "without BTF"
result "BTF-less module: vmscope status says the kfuncs are not registered" $?
vmscope -j page $$ 0x1000 > /tmp/mod.page 2> /tmp/mod.err
[ "$(wc -l < /tmp/mod.err)" = 1 ] &&
	grep -q "pages from /proc/$$/pagemap, without page-table levels: the vmscope module is loaded without BTF" /tmp/mod.err &&
	grep -q '"source":"pagemap"' /tmp/mod.page
result "BTF-less module: page answers from pagemap and says why, on one line" $?
unload vmscope
! insmod /lib/vmscope/vmscope.ko kfunc_callers=any 2>/dev/null && ! test -d /sys/module/vmscope
result "the module will not load with kfunc_callers set" $?
! insmod /lib/vmscope/vmscope.ko abi=9 2>/dev/null && ! test -d /sys/module/vmscope
result "the module will not load with abi set" $?
insmod /lib/vmscope/vmscope.ko && kfunc_probe both >/dev/null 2>&1
result "reloading the real module restores the kfuncs" $?
finish
