#!/bin/sh
# The module's commands from the command line (find, page, read, write,
# maps -x, status): output, JSON, aliases, numbers, exit codes (2 usage,
# 1 runtime) and their error messages.
. /tests/lib/tap.sh
. /tests/lib/target.sh
tap_start

out=/tmp/cli_mem.out
err=/tmp/cli_mem.err
# run CMD...: stdout to $out, stderr to $err, status in $rc
run() { "$@" > $out 2> $err; rc=$?; }
# one_line: stderr is exactly one line
one_line() { [ "$(wc -l < $err)" = 1 ]; }

# Every check below looks into this target: without it, nothing can run.
target_start 5 /tmp/target.out strings "hello vmscope" 100 || bail "vmtarget strings: $TREADY"
T=$TPID
line=$TREADY
STR=$(echo "$line" | sed -n 's/.*str=\(0x[0-9a-f]*\).*/\1/p')
THP=$(echo "$line" | sed -n 's/.*thp=\(0x[0-9a-f]*\).*/\1/p')
RO=$(echo "$line" | sed -n 's/.*ro=\(0x[0-9a-f]*\).*/\1/p')
BIG=$(echo "$line" | sed -n 's/.*big=\(0x[0-9a-f]*\).*/\1/p')
diag "target $T str $STR thp $THP ro $RO big $BIG"

# ---- find ----
run vmscope find $T $STR
grep -q '\[heap\]' $out; result "find: the string's address is in [heap]" $?
run vmscope findvma $T ${STR#0x}
[ $rc = 0 ] && grep -q '\[heap\]' $out; result "findvma alias, address without 0x" $?
run vmscope -j find $T $STR 0
grep -q '^{"pid":'"$T"',"source":"module","lookups":\[{"addr":' $out &&
	grep -q '"covering":false' $out
result "find --json: one object, the module as source; address 0 gives the next VMA" $?

# A file name with a newline cannot fake a line of find's output.
target_start 7 /tmp/nl.out newline || diag "vmtarget newline: $TREADY"
NLT=$TPID
NLA=$(echo "$TREADY" | sed -n 's/.*newline=\(0x[0-9a-f]*\).*/\1/p')
run vmscope find $NLT $NLA
[ $rc = 0 ] && grep -q 'vmtarget\\012fake-line$' $out && [ "$(wc -l < $out)" = 2 ]
result "find: a newline in a file name is shown as \\012, the row stays one line" $?
target_stop 7 $NLT
rm -f "/tmp/vmtarget
fake-line"

# ---- which of the module's BPF objects a command loads (bpf/vmem.h) ----
# Each is made to use the module (--source module, or maps -x's JSON says
# so), since a program missing from its object would make the command fall
# back quietly.  The writes put back the byte that is there ('h' of "hello
# vmscope"), and undo puts back the same.
bad=
for spec in "find:find --source module $T $STR" "walk:page $T $STR" \
	    "page:page $T $STR --range 64K" "page:thp --source module $T $THP" \
	    "read:read $T $STR 8" "write:write --no-journal $T $STR --u8 0x68" \
	    "cmpxchg:write --journal /tmp/objs.journal $T $STR --u8 0x68" \
	    "cmpxchg:undo --journal /tmp/objs.journal" "page:share --source module $T" \
	    "page:-j maps -x $T" "all:explain $T $STR"; do
	want=${spec%%:*} c=${spec#*:}
	run vmscope -v $c
	[ $rc = 0 ] && [ "$(grep -c "^vmscope: memory programs: " $err)" = 1 ] &&
		grep -qx "vmscope: memory programs: the $want object" $err || bad="$bad [$c]"
	case $c in *"maps -x"*) grep -q '"use_source":"module"' $out || bad="$bad [$c: not module]" ;; esac
done
rm -f /tmp/objs.journal
[ -z "$bad" ]
result "each command loads the smallest object with its programs (wrong:${bad:- none})" $?

# ---- page ----
run vmscope page $T $STR
grep -q 'stopped at PTE: present leaf, 4K page' $out && grep -q 'PAGE refcount' $out &&
	grep -q '^  PGD ' $out && grep -q '^  PTE ' $out
result "page: every level from PGD to a present 4K PTE leaf, and the page's state" $?
if [ -d /sys/kernel/mm/transparent_hugepage ]; then
	run vmscope page $T $THP
	grep -q 'stopped at PMD: present leaf, 2M page' $out && grep -q 'thp' $out
	result "page of a THP page: a 2M PMD leaf, flagged thp" $?
else
	skip "page of a THP page: a 2M PMD leaf, flagged thp" "kernel without THP (PREEMPT_RT builds disable it)"
fi
run vmscope findpage $T $STR
[ $rc = 0 ] && grep -q 'PHYSICAL 0x' $out; result "findpage alias; root sees the physical address" $?
run vmscope -j page $T $STR
grep -q '"stop_reason":"present leaf"' $out && grep -q '"entries":\[{"level":"PGD"' $out &&
	grep -Eq '"flags":\["(present|valid)",' $out && grep -q '"page":{"flags":\["anon"' $out
result "page --json: entries, flags as arrays, stop reason, page state" $?
if [ -d /sys/kernel/mm/transparent_hugepage ]; then
	run vmscope page $T $THP --range 0x200000
	grep -q '^summary: 512 pages: 512 present, 0 swapped, 0 zero, 512 THP' $out
	result "page --range: per-page table and summary with THP counts" $?
else
	run vmscope page $T $THP --range 0x200000
	grep -q '^summary: 512 pages: 512 present, 0 swapped, 0 zero, 0 THP' $out
	result "page --range: per-page table and summary, no THP on a kernel without it" $?
fi
run vmscope page $T --range '[heap]'
[ $rc = 0 ] && grep -q '^summary:' $out; result "page --range [heap]: a VMA by name" $?

# The whole lower half of the address space: holes cost nothing, and the
# VMAs' pages add up to the table's rows.
run timeout 60 vmscope page $T 0 --range 0x400000000000
holes=$(sed -n 's/.*, \([0-9]*\) outside any VMA$/\1/p' $out)
rows=$(awk 'NR > 1 && !/^(summary|source):/ { s += $3 } END { print s }' $out)
total=$(sed -n 's/^summary: \([0-9]*\) pages.*/\1/p' $out)
diag "rc $rc rows $rows holes $holes total $total"
[ $rc = 0 ] && [ -n "$total" ] && [ "$total" = 17179869184 ] && [ $((rows + holes)) = "$total" ] &&
	! grep -q 'no VMA' $out
result "page --range over 64 TiB: only the VMAs are walked, holes counted, in time" $?
# Runs continue across walk batches: 300 MiB never touched (more than one
# batch of records) is one row.
run vmscope page $T $BIG --range 300M
n=$(awk 'NR > 1 && !/^(summary|source):/' $out | wc -l)
diag "rows for 300M never touched: $n: $(sed -n 2p $out)"
[ $rc = 0 ] && [ "$n" = 1 ] && grep -q '^summary: 76800 pages: 0 present' $out
result "page --range merges runs across batches" $?
# Ctrl-C: the summary of what was walked so far, status 130.
vmscope page $T 0 --range 0x400000000000 > $out 2> $err &
P=$!
# Not a wait for readiness: the walk must be under way when the signal comes.
usleep 200000 2>/dev/null || sleep 1
kill -INT $P
wait $P; rc=$?
diag "interrupted: rc $rc, $(tail -n1 $out)"
[ $rc = 130 ] || { [ $rc = 0 ] && diag "finished before the signal"; }
r=$?
grep -q '^summary:' $out; result "page --range on SIGINT: the partial summary, status 130" $((r + $?))

# ---- read ----
run vmscope read $T $STR 13 --format str
[ "$(cat $out)" = "hello vmscope" ]; result "read --format str reads the target's string" $?
run vmscope read $T $STR 16
grep -q '|hello vmscope' $out; result "read: hexdump by default" $?
run vmscope read $T $THP 16 --format u64
grep -q '0x4242424242424242 0x4242424242424242' $out; result "read --format u64" $?
run vmscope read $T $THP 010
[ $rc = 0 ] && [ "$(wc -l < $out)" = 1 ] && grep -q '42 42 42 42 42 42 42 42  42 42  ' $out
result "read length 010 is ten bytes (decimal, never octal)" $?
run vmscope read $T $THP 1K --format raw
[ $rc = 0 ] && [ "$(wc -c < $out)" = 1024 ]; result "read length 1K: 1024 bytes" $?
run vmscope read $T $THP 12 --format u64
[ $rc = 2 ] && grep -q 'not a multiple of 8' $err && one_line
result "read --format u64 with 12 bytes: a usage error, not truncated" $?
run vmscope -j read $T $THP 8 --format u16
grep -q '"format":"u16","values":\[16962,16962,16962,16962\]' $out
result "read -j --format u16: numbers" $?
run vmscope -j read $T $STR 5 --format str
grep -q '"text":"hello"' $out; result "read -j --format str: the text" $?
run vmscope -j read $T $THP 4
grep -q '"format":"hex","bytes":"42424242"' $out; result "read -j: hex bytes by default" $?

# ---- write ----
run vmscope writeval $T $STR --str "HELLO"
grep -q '^old:' $out && grep -q '|hello|' $out && grep -q '|HELLO|' $out
result "writeval alias: write --str prints the old and new bytes" $?
# It prints its string every 100 ms: the next line shows the write.
changed() { tail -n1 /tmp/target.out | grep -q 'value: HELLO vmscope'; }
wait_until 10 changed
result "the target prints the changed value" $?
run vmscope -j write $T $THP --u32 0x11223344
grep -q '"old":"42424242","new":"44332211"' $out; result "write --u32 --json: little-endian, old and new" $?
run vmscope write $T $RO --hex 5858
[ $rc = 1 ] && grep -q 'nothing written' $err && grep -q 'force' $err
result "write to a read-only mapping: refused, nothing written, suggests --force" $?
run vmscope write $T $RO --hex 5858 --force
[ $rc = 0 ] && grep -q '|XX|' $out; result "write --force to a read-only mapping" $?
run vmscope write $T $STR --u8 256
[ $rc = 2 ] && grep -q 'does not fit in 1 byte' $err; result "write --u8 256: exit 2" $?

# ---- errors ----
run vmscope read $T 0x12g4 8
[ $rc = 2 ] && grep -q "'g' is not a hex digit" $err; result "non-hex address: exit 2, names the bad digit" $?
run vmscope page $T 0x0800000000000000
[ $rc = 2 ] && grep -q 'not canonical' $err; result "non-canonical address: exit 2" $?
run vmscope write $T 0xffff888000000000 --u8 1
[ $rc = 2 ] && grep -q 'kernel address' $err; result "kernel-half address: exit 2" $?
run vmscope read $T 0x1000 8
[ $rc = 1 ] && grep -q 'nothing accessible at 0x1000' $err && one_line
result "unmapped address: exit 1, one clear line" $?
run vmscope read $T $STR 999999999999
[ $rc = 2 ] && grep -q 'invalid length' $err; result "oversize length: exit 2" $?
run vmscope -j read 4194303 0x1000 8
[ $rc = 1 ] && [ "$(cat $out)" = '{"error":"no such process: 4194303","errno":3}' ]
result "--json errors: {error, errno}, one document; a missing pid: exit 1" $?
run vmscope read 2 0x1000 8
[ $rc = 1 ] && grep -q 'kernel thread' $err; result "a kernel thread: clear error" $?
run vmscope read $T $STR --bogus 8
[ $rc = 2 ] && grep -q "unknown option '--bogus'" $err && one_line
result "an unknown option: exit 2, one line" $?
run vmscope page --help
[ $rc = 0 ] && grep -q '^usage: vmscope page' $out && grep -q '^examples:' $out
result "page --help: usage and examples" $?

if id vmsuser >/dev/null 2>&1; then
	su vmsuser -s /bin/sh -c "vmscope read $T $STR 8" > $out 2> $err
	rc=$?
	[ $rc = 1 ] && grep -qi 'permission denied' $err
	result "a non-root user is refused with a permission message" $?
	su vmsuser -s /bin/sh -c "vmscope status" > $out 2> $err
	grep -q '^BPF: *permission denied.*; no listing object loads' $out &&
		grep -q 'without BPF permission' $out
	result "status as a non-root user names the cause: BPF permission" $?
	# Its own shell's stack: no BPF, so pagemap, and the /proc/PID/maps listing.
	su vmsuser -s /bin/sh -c 'vmscope -j page $$ --range "[stack]"' > $out 2> $err
	rc=$?
	diag "$(cat $err)"
	[ $rc = 0 ] && grep -q '"source":"pagemap"' $out && grep -q '"page_state_hidden":true' $out &&
		grep -q '"pfn":null' $out && grep -q '"stop_reason":"present leaf"[^}]*"exclusive":true' $out &&
		grep -q "pages from /proc/[0-9]*/pagemap, without page-table levels: the module's BPF programs did not load: permission denied" $err &&
		grep -q 'VMAs from /proc/PID/maps' $err
	result "a non-root user on its own process: pagemap, PFNs hidden, exclusive known, both fallbacks said" $?
else
	skip "a non-root user is refused" "no vmsuser in /etc/passwd"
	skip "status as a non-root user" "no vmsuser in /etc/passwd"
	skip "a non-root user on its own process: pagemap" "no vmsuser in /etc/passwd"
fi
kill $T
target_stop 5 $T

# ---- maps -x with the module: smaps' numbers, page by page ----
setup_swap_sh() {
	grep -q zram /proc/swaps && return 0
	insmod /lib/modules/lz4_compress.ko 2>/dev/null; insmod /lib/modules/zram.ko 2>/dev/null
	[ -e /sys/block/zram0 ] || return 1
	echo lz4 > /sys/block/zram0/comp_algorithm
	echo 64M > /sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null 2>&1 &&
		swapon /dev/zram0
}
setup_swap_sh
target_start 6 /tmp/mix.out mix || diag "vmtarget mix: $TREADY"
M=$TPID
diag "$TREADY"
# smaps per VMA: start Rss Pss Dirty Swap Anonymous (kB).  No pipes or
# command substitutions around the readers: the vdso page is shared by every
# process, so its PSS depends on how many exist at that moment.
awk '/^[0-9a-f]+-[0-9a-f]+ / { split($1, a, "-"); s = a[1]; order[++n] = s }
     /^Rss:/ { r[s] = $2 } /^Pss:/ { p[s] = $2 } /^Swap:/ { w[s] = $2 }
     /^Anonymous:/ { an[s] = $2 } /^(Shared|Private)_Dirty:/ { d[s] += $2 }
     END { for (i = 1; i <= n; i++) { k = order[i]; printf "%s %d %d %d %d %d\n", k, r[k], p[k], d[k], w[k], an[k] } }' \
	/proc/$M/smaps > /tmp/mix.smaps.raw
# The vdso page is mapped by every process: its PSS moves as processes come
# and go, so its row is left out and the total's PSS may be off by 1 kB.
VDSO=$(sed -n 's/^0*\([0-9a-f]*\)-.*\[vdso\]$/\1/p' /proc/$M/maps)
sed 's/^0*//' /tmp/mix.smaps.raw | grep -v "^$VDSO " > /tmp/mix.smaps
run vmscope maps -x $M
cp $out /tmp/mix.x
awk 'NR > 2 && $1 ~ /^[0-9a-f]+$/ {
	printf "%s %d %d %d %d %d\n", $1, $3, $4, $5, $6, $7 }' $out | sed 's/^0*//' |
	grep -v "^$VDSO " > /tmp/mix.vms
diag "$(diff /tmp/mix.vms /tmp/mix.smaps | head -20)"; [ -s /tmp/mix.vms ] && ! cmp -s /tmp/mix.vms /tmp/mix.smaps && diag "$(cat /tmp/mix.x)"
[ $rc = 0 ] && [ -s /tmp/mix.vms ] && cmp -s /tmp/mix.vms /tmp/mix.smaps
result "maps -x with the module: RSS, PSS, dirty, swap, anonymous equal smaps per VMA" $?
awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } /^Swap:/ { w = $2 } /^Anonymous:/ { a = $2 }
     /^(Shared|Private)_Dirty:/ { d += $2 } END { print r, p, d, w, a }' /proc/$M/smaps_rollup \
	> /tmp/mix.roll
roll=$(cat /tmp/mix.roll)
tot=$(awk '/^total kB/ { print $4, $5, $6, $7, $8 }' /tmp/mix.x)
diag "total: vmscope $tot, smaps_rollup $roll"
set -- $tot; set -- "$@" $roll
[ "$1 $3 $4 $5" = "$6 $8 $9 ${10}" ] && [ $(($2 - $7)) -ge -1 ] && [ $(($2 - $7)) -le 1 ]
result "maps -x total equals smaps_rollup (PSS within the vdso's 1 kB)" $?
run vmscope -j maps -x $M
grep -q '"use_source":"module"' $out && grep -q '"total":{"size_kb":' $out
result "maps -x --json: per VMA and total, from the module" $?
run vmscope maps -x $M
head -n1 $out | grep -q "^$M:   vmtarget mix$" && grep -q '^Address .*Kbytes .*RSS .*PSS' $out
result "maps -x: a 'PID:   command line' header and pmap -x's columns" $?
target_stop 6 $M

# Adjoining VMAs are walked together and their pages split by address
# (user/memuse.c): 301 one-page VMAs, every third page untouched, each
# VMA's RSS and dirty as smaps says.
if target_start 6 /tmp/stripes.out stripes 301; then
	S=$TPID
	SA=$(echo "$TREADY" | awk '{ print $3 }' | sed 's/^0x//')
	awk -v lo=$((0x$SA)) -v hi=$((0x$SA + 301 * 4096)) '
	     /^[0-9a-f]+-[0-9a-f]+ / { split($1, a, "-"); s = a[1]; in_ = 0
		v = 0; for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		if (v >= lo && v < hi) { in_ = 1; order[++n] = s } }
	     in_ && /^Rss:/ { r[s] = $2 } in_ && /^(Shared|Private)_Dirty:/ { d[s] += $2 }
	     END { for (i = 1; i <= n; i++) printf "%s %d %d\n", order[i], r[order[i]], d[order[i]] }' \
		/proc/$S/smaps | sed 's/^0*//' > /tmp/stripes.smaps
	run vmscope maps -x $S
	cut -d' ' -f1 /tmp/stripes.smaps | sed 's/^/^/; s/$/ /' > /tmp/stripes.starts
	awk 'NR > 2 && $1 ~ /^[0-9a-f]+$/ { printf "%s %d %d\n", $1, $3, $5 }' $out |
		sed 's/^0*//' | grep -f /tmp/stripes.starts > /tmp/stripes.vms
	diag "$(diff /tmp/stripes.vms /tmp/stripes.smaps | head -10)"
	[ $rc = 0 ] && [ "$(wc -l < /tmp/stripes.smaps)" = 301 ] &&
		[ "$(awk '$2 == 4' /tmp/stripes.smaps | wc -l)" = 200 ] &&
		cmp -s /tmp/stripes.vms /tmp/stripes.smaps
	result "maps -x over 301 adjoining VMAs (one walk split by address): RSS and dirty equal smaps per VMA" $?
	target_stop 6 $S
else
	skip "maps -x over adjoining VMAs" "vmtarget stripes: $TREADY"
fi

# ---- a call the module cannot tell from another caller's ----
# ftrace's function_graph rewrites the return addresses of the functions it
# traces, so the module's check that its caller is the program
# BPF_PROG_TEST_RUN runs fails: it refuses (never serves), and the CLI
# says which check refused, not that a capability is missing.
TR=/sys/kernel/tracing
mountpoint -q $TR || mount -t tracefs nodev $TR 2>/dev/null
# Only the two functions are patched (set_ftrace_filter): enabling the
# tracer on every function makes the kernel patch all of its text, which
# under QEMU's TCG sometimes never finishes (seen on 6.1: the guest spun).
if [ -w $TR/current_tracer ] && grep -qw function_graph $TR/available_tracers 2>/dev/null &&
   echo 'bpf_prog_test_run_syscall vmscope_call_begin' > $TR/set_ftrace_filter 2>/dev/null &&
   echo bpf_prog_test_run_syscall > $TR/set_graph_function 2>/dev/null; then
	sleep 300 & S=$!
	exec_wait $S sleep
	sa=$(awk -F- '/\[stack\]/ {print $1}' /proc/$S/maps)
	echo function_graph > $TR/current_tracer
	run vmscope read $S 0x$sa 8
	echo nop > $TR/current_tracer
	echo > $TR/set_graph_function
	echo > $TR/set_ftrace_filter
	diag "$(cat $err)"
	[ $rc = 1 ] && [ ! -s $out ] && grep -q "the module refused (EPERM): its kfuncs serve only a program that BPF_PROG_TEST_RUN runs" $err &&
		! grep -q CAP_SYS_PTRACE $err && one_line
	result "under function_graph tracing the module refuses, and read says which check" $?
	run vmscope read $S 0x$sa 8
	[ $rc = 0 ] && grep -q "^0*$sa  " $out
	result "with the tracer off again, the same read is served" $?
	kill $S 2>/dev/null
else
	skip "under function_graph tracing the module refuses" "no function_graph tracer here"
	skip "with the tracer off again, the same read is served" "no function_graph tracer here"
fi

# ---- the module's build and this kernel ----
mkdir -p /tmp/tree/build/kmod/other
cp /bin/vmscope /tmp/tree/build/
n=0
while ! rmmod vmscope 2>/dev/null; do n=$((n + 1)); [ $n -gt 50 ] && break; sleep 0.1; done
run vmscope read 1 0x1000 8
[ $rc = 1 ] && grep -q 'needs the vmscope kernel module' $err && one_line
result "without the module: read exits 1 and says how to load it, one line" $?
run vmscope page --source module 1 0x1000
[ $rc = 1 ] && grep -q 'needs the vmscope kernel module' $err && one_line
result "without the module: page --source module exits 1 and says how to load it" $?
run vmscope page $$ 0x1000
[ $rc = 1 ] && grep -q "VIRTUAL 0x1000  (in no VMA)" $out && one_line &&
	grep -q "pages from /proc/$$/pagemap, without page-table levels: the vmscope module is not loaded" $err
result "without the module: page answers from pagemap, one line on stderr says so" $?
cp /lib/vmscope/vmscope.ko /tmp/tree/build/kmod/other/vmscope.ko
run /tmp/tree/build/vmscope status
grep -q "load it with 'insmod /tmp/tree/build/kmod/other/vmscope.ko'" $out
result "status: a module built for this kernel beside the CLI: the insmod command" $?
# The same module, its vermagic rewritten to another kernel's (vm.sh makes it).
cp /lib/vmscope/vmscope-foreign.ko /tmp/tree/build/kmod/other/vmscope.ko
run /tmp/tree/build/vmscope status
diag "$(cat $out | tail -n1)"
grep -q "is for 0.0.0-vmscope-test, not this kernel ($(uname -r)): build one with 'make kmod KERNEL=host'" $out
result "status: a module built for another kernel: says so and how to build one" $?
rm -rf /tmp/tree
insmod /lib/vmscope/vmscope.ko
finish
