#!/bin/sh
# vmscope maps, pin and --all against /proc/PID/maps inside the guest.
. /tests/lib/tap.sh
. /tests/lib/maps.sh
. /tests/lib/target.sh
. /tests/lib/routes.sh
export TMPDIR=/tmp
tap_start

ok "maps equals /proc/PID/maps for the test shell" maps_equal $$
ok "maps equals /proc/PID/maps for pid 1" maps_equal 1

routes_tests /tmp/names "$(id vmsuser >/dev/null 2>&1 && echo vmsuser)"

start_target vmas 12000
n=$(kmaps "$TPID" | wc -l)
diag "vmtarget: $TREADY; $n VMAs"
[ "$n" -gt 20000 ] && maps_equal "$TPID"
result "maps equals /proc/PID/maps for a process with 20,000+ VMAs" $?
VMSCOPE_PATH=seq maps_equal "$TPID"
result "the seq_file fallback path equals /proc/PID/maps for 20,000+ VMAs" $?
if [ -e /sys/kernel/btf/vmscope ]; then
	# The module's chained lookup (VMALIST_MODULE: long-lived listers before
	# 6.7): several runs of 4,096 records, names by the kernel's d_path.
	VMSCOPE_PATH=module maps_equal "$TPID"
	result "the module's listing equals /proc/PID/maps for 20,000+ VMAs" $?
	VMSCOPE_PATH=module maps_equal $$ && VMSCOPE_PATH=module maps_equal 1
	result "the module's listing equals /proc/PID/maps for the shell and pid 1 ([vsyscall] too)" $?
	out=$(VMSCOPE_PATH=module vmscope -v -j maps "$TPID" 2>"$TMPDIR/mod.err"); diag "$(cat "$TMPDIR/mod.err")"
	printf '%s' "$out" | grep -q '"source":"module","names":"d_path"' &&
		grep -q "from the module (vmscope_find_vmas)" "$TMPDIR/mod.err"
	result "the module's listing names its source: module, names by d_path" $?
else
	for t in "20,000+ VMAs" "the shell and pid 1" "its source"; do
		skip "the module's listing: $t" "the vmscope module is not loaded"
	done
fi
stop_target

start_target huge
diag "vmtarget: $TREADY"
case $TREADY in
*hugetlb=none*)
	skip "maps with THP and hugetlb regions" "no hugetlb page could be mapped: $TREADY" ;;
*)	if [ -d /sys/kernel/mm/transparent_hugepage ]; then
		thp=$(grep -c 'AnonHugePages: *[1-9]' /proc/$TPID/smaps)
		diag "VMAs with AnonHugePages: $thp"
		[ "$thp" -ge 1 ] && grep -q anon_hugepage /proc/$TPID/maps && maps_equal "$TPID"
		result "maps equals /proc/PID/maps with THP and hugetlb regions" $?
	else
		grep -q anon_hugepage /proc/$TPID/maps && maps_equal "$TPID"
		result "maps equals /proc/PID/maps with hugetlb regions (a kernel without THP)" $?
	fi ;;
esac
stop_target

start_target named
case $TREADY in
unsupported*) skip "maps shows [anon:NAME] regions" "kernel without CONFIG_ANON_VMA_NAME ($TREADY)" ;;
*) grep -q '\[anon:vmscope-test\]' /proc/$TPID/maps && maps_equal "$TPID"
   result "maps shows [anon:NAME] regions as /proc/PID/maps does" $? ;;
esac
stop_target

# A process that execs itself every few ms, each time with 5,000 VMAs of
# one memfd named after its generation: the fast listing (4,096 records a
# pass) and the module's (4,096 a run) take two passes, and a listing
# whose passes straddle an exec must start over, never show two names.
gens_ok() {	# $1: route label; the rest: environment for vmscope
	_l=$1; shift
	_mixed=0; _listed=0
	for _i in $(seq 1 80); do
		env "$@" vmscope maps --maps --source bpf "$TPID" > "$TMPDIR/gen.$$" 2>/dev/null || continue
		_n=$(grep -o 'vmt-gen-[0-9]*' "$TMPDIR/gen.$$" | sort -u | wc -l)
		[ "$_n" -ge 1 ] && _listed=$((_listed + 1))
		[ "$_n" -gt 1 ] && { _mixed=$((_mixed + 1)); diag "$_l: $(grep -o 'vmt-gen-[0-9]*' "$TMPDIR/gen.$$" | sort | uniq -c | tr '\n' ' ')"; }
	done
	diag "$_l: $_listed listings with the memfd, $_mixed with two generations"
	[ "$_listed" -ge 5 ] && [ "$_mixed" = 0 ]
}
start_target execgen 5000
if VMSCOPE_PATH=fast vmscope maps --source bpf $$ > /dev/null 2>&1; then
	gens_ok "fast listing" VMSCOPE_PATH=fast
	result "the fast listing in several passes never straddles an exec" $?
else	# before 6.7: the iterator stores the one name once, in one pass
	gens_ok "iterator" VMSCOPE_PATH=seq
	result "the iterator's listing never straddles an exec (no fast listing here)" $?
fi
if [ -e /sys/kernel/btf/vmscope ]; then
	gens_ok "module" VMSCOPE_PATH=module
	result "the module's listing in several runs never straddles an exec" $?
else
	skip "the module's listing never straddles an exec" "the vmscope module is not loaded"
fi
kill "$TPID" 2>/dev/null; stop_target

# A VMA that ends at the top of user space: a listing must end there.
start_target top
case $TREADY in
*top=*)
	diag "vmtarget: $TREADY"
	maps_equal "$TPID"
	result "maps equals /proc/PID/maps with a VMA ending at the top of user space" $?
	if [ -e /sys/kernel/btf/vmscope ]; then
		VMSCOPE_PATH=module maps_equal "$TPID"
		result "the module's listing ends at the top of user space too" $?
	else
		skip "the module's listing ends at the top of user space" "the vmscope module is not loaded"
	fi ;;
*)	skip "maps with a VMA ending at the top of user space" "vmtarget: $TREADY"
	skip "the module's listing ends at the top of user space" "vmtarget: $TREADY" ;;
esac
stop_target

# A file name with a newline: escaped as \012 everywhere, as maps does.
start_target newline
case $TREADY in
*newline=*)
	maps_equal "$TPID"
	result "maps --maps escapes a newline in a file name like /proc/PID/maps" $?
	vmscope maps "$TPID" > /tmp/nl.table
	grep -q 'vmtarget\\012fake-line$' /tmp/nl.table && ! grep -q '^fake-line' /tmp/nl.table
	result "the maps table shows it escaped, on one line" $?
	rm -f /sys/fs/bpf/vms_nl
	vmscope pin /sys/fs/bpf/vms_nl --pid "$TPID" && cat /sys/fs/bpf/vms_nl > /tmp/nl.pin &&
		kmaps "$TPID" > /tmp/nl.proc && same /tmp/nl.pin /tmp/nl.proc
	result "a pinned listing escapes it like /proc/PID/maps" $?
	rm -f /sys/fs/bpf/vms_nl ;;
*)	skip "newline in a file name: maps" "vmtarget could not map it: $TREADY"
	skip "newline in a file name: table" "vmtarget could not map it"
	skip "newline in a file name: pin" "vmtarget could not map it" ;;
esac
stop_target
rm -f "/tmp/vmtarget
fake-line"

# Listing a process that changes its mappings all the time.
start_target churn
out=$(maps_loop "$TPID" 300 2>&1); r1=$?
diag "one process: $out"
out=$(maps_loop 0 30 2>&1); r2=$?
diag "all processes: $out"
if [ -e /sys/kernel/btf/vmscope ]; then
	out=$(VMSCOPE_PATH=module maps_loop "$TPID" 300 2>&1); r3=$?
	diag "one process, by the module: $out"
	printf '%s\n' "$out" | grep -q "listings by the module 300$" || r3=1
fi
kill -0 "$TPID"
alive=$?
kill "$TPID"; stop_target
[ $r1 = 0 ] && [ $r2 = 0 ] && [ $alive = 0 ]
result "listing a process that mmaps/munmaps in a loop never fails" $?
if [ -e /sys/kernel/btf/vmscope ]; then
	[ $r3 = 0 ]
	result "the module's listing of that process never fails nor overlaps (300 times)" $?
else
	skip "the module's listing of a churning process" "the vmscope module is not loaded"
fi

rm -f /sys/fs/bpf/vms_self /sys/fs/bpf/vms_all /sys/fs/bpf/bt_all
vmscope pin /sys/fs/bpf/vms_self --pid $$
cat /sys/fs/bpf/vms_self > /tmp/pin.txt
kmaps $$ > /tmp/proc.txt
same /tmp/pin.txt /tmp/proc.txt
result "vmscope pin --pid + cat equals /proc/PID/maps" $?
cat /sys/fs/bpf/vms_self > /tmp/pin2.txt
same /tmp/pin.txt /tmp/pin2.txt
result "a pinned listing can be read again" $?
vmscope unpin /sys/fs/bpf/vms_self && ! test -e /sys/fs/bpf/vms_self
result "vmscope unpin removes the pin" $?

# The n lines of this shell's maps must appear verbatim in a listing of
# every process: found by its unique [stack] line, which is line k of them
# (not always the last: on 6.1 [vvar] and [vdso] sit above the stack).
block_in() {
	_n=$(wc -l < /tmp/proc.txt)
	_sl=$(grep '\[stack\]$' /tmp/proc.txt)
	_k=$(grep -n -F -x "$_sl" /tmp/proc.txt | head -n1 | cut -d: -f1)
	_stack=$(grep -n -F -x "$_sl" "$1" | head -n1 | cut -d: -f1)
	[ -n "$_stack" ] && [ -n "$_k" ] || { diag "stack line not found in $1"; return 1; }
	_first=$((_stack - _k + 1))
	sed -n "${_first},$((_first + _n - 1))p" "$1" | cmp -s - /tmp/proc.txt
}
vmscope pin /sys/fs/bpf/vms_all && cat /sys/fs/bpf/vms_all > /tmp/all.txt && block_in /tmp/all.txt
result "vmscope pin (all processes) contains this process's maps verbatim" $?
rm -f /sys/fs/bpf/vms_all

bpftool iter pin /lib/vmscope/bpf/maps_text.bpf.o /sys/fs/bpf/bt_all &&
	cat /sys/fs/bpf/bt_all > /tmp/bt.txt && block_in /tmp/bt.txt
result "bpftool iter pin of maps_text.bpf.o gives cat-able maps text" $?
rm -f /sys/fs/bpf/bt_all

# --all covers every process that has an address space.
before=""
for d in /proc/[0-9]*; do
	p=${d#/proc/}
	[ -n "$(head -c 1 "$d/maps" 2>/dev/null)" ] && before="$before $p"
done
vmscope maps --all > /tmp/all_table.txt
awk 'NR > 1 { print $1 }' /tmp/all_table.txt | sort -u > /tmp/all_pids.txt
missing=""
for p in $before; do
	grep -q -x "$p" /tmp/all_pids.txt || { [ -d /proc/$p ] && missing="$missing $p"; }
done
diag "processes with maps: $(echo $before | wc -w); missing from --all:${missing:- none}"
[ -z "$missing" ] && [ -n "$before" ]
result "maps --all covers every process in /proc" $?

n=$(vmscope -j maps $$ | grep -o '"start":' | wc -l)
[ "$n" = "$(kmaps $$ | wc -l)" ]
result "maps --json has one object per VMA" $?

# In a new pid namespace with its own /proc, maps --all (several passes)
# names the namespace's pids, each process exact (tests/lib/ns_all.sh).
if unshare -p -f --mount-proc true 2>/dev/null; then
	out=$(unshare -p -f --mount-proc sh /tests/lib/ns_all.sh /tests/vmtarget "default seq" 2>&1)
	diag "$out"
	printf '%s\n' "$out" | grep -qx "default ok" && printf '%s\n' "$out" | grep -qx "seq ok"
	result "in a new pid namespace, maps --all (several passes) names its pids, each exact" $?
else
	skip "in a new pid namespace, maps --all names its pids" "no unshare -p --mount-proc here"
fi

# The bpffs cache holds whichever listing object this kernel lists with
# (vma_pid on 6.7+, vma_seq before): the second one-shot listing opens it
# from the cache, and is right.
rm -rf /sys/fs/bpf/vmscope
vmscope maps $$ > /dev/null
out=$(vmscope -v maps --maps $$ 2>&1 > "$TMPDIR/cache.maps"); diag "$out"
obj=$(printf '%s\n' "$out" | sed -n 's/.*BPF object \([a-z_]*\) from the bpffs cache.*/\1/p')
kmaps $$ > "$TMPDIR/cache.k"
[ -n "$obj" ] && ls -d /sys/fs/bpf/vmscope/$obj-* > /dev/null 2>&1 &&
	same "$TMPDIR/cache.maps" "$TMPDIR/cache.k"
result "a second one-shot listing opens its object (${obj:-none}) from the bpffs cache, and is right" $?
# A refusal the cache remembers is said as such, never as the verifier's.
if ls -d /sys/fs/bpf/vmscope/*_refused > /dev/null 2>&1; then
	printf '%s\n' "$out" | grep "not loaded" | grep -q "refused earlier in this boot" &&
		! printf '%s\n' "$out" | grep -q "refused by the verifier"
	result "a remembered refusal says it was remembered, not refused by the verifier now" $?
else
	skip "a remembered refusal says it was remembered" "this kernel refused no listing object"
fi

out=$(vmscope maps 2 2>&1); r=$?
diag "$out"
[ $r = 1 ] && echo "$out" | grep -q "kernel thread"
result "maps of a kernel thread: a clear error" $?
if [ -e /sys/kernel/btf/vmscope ]; then
	out=$(VMSCOPE_PATH=module vmscope maps 2 2>&1); r=$?
	out2=$(VMSCOPE_PATH=module vmscope maps 999999 2>&1); r2=$?
	diag "$out / $out2"
	[ $r = 1 ] && echo "$out" | grep -q "kernel thread" && [ $r2 = 1 ] &&
		echo "$out2" | grep -qi "no such process"
	result "the module's listing of a kernel thread or of no process: a clear error" $?
else
	skip "the module's listing of a kernel thread" "the vmscope module is not loaded"
fi
finish
