#!/bin/sh
# The find/page/read/write commands from the command line: output, JSON,
# aliases, exit codes (2 usage, 1 runtime) and their error messages.
. /tests/lib/tap.sh
tap_start

out=/tmp/cli_mem.out
err=/tmp/cli_mem.err
# run CMD...: stdout to $out, stderr to $err, status in $rc
run() { "$@" > $out 2> $err; rc=$?; }

/tests/vms_target "hello vmscope" 100 > /tmp/target.out &
T=$!
sleep 1
line=$(head -n1 /tmp/target.out)
STR=$(echo "$line" | sed -n 's/.*str=\(0x[0-9a-f]*\).*/\1/p')
THP=$(echo "$line" | sed -n 's/.*thp=\(0x[0-9a-f]*\).*/\1/p')
RO=$(echo "$line" | sed -n 's/.*ro=\(0x[0-9a-f]*\).*/\1/p')
diag "target $T str $STR thp $THP ro $RO"

run vmscope find $T $STR
grep -q '\[heap\]' $out; result "find: the string's address is in [heap]" $?
run vmscope findvma $T ${STR#0x}
[ $rc = 0 ] && grep -q '\[heap\]' $out; result "findvma alias, address without 0x" $?
run vmscope -j find $T $STR 0
grep -q '^\[{"addr":' $out && grep -q '"covering":false' $out
result "find --json: an array; address 0 gives the next VMA (covering false)" $?

# A file name with a newline cannot fake a line of find's output.
mkfifo /tmp/nl.in
vmtarget newline < /tmp/nl.in > /tmp/nl.out &
NLT=$!
exec 7> /tmp/nl.in
sleep 1
NLA=$(sed -n 's/.*newline=\(0x[0-9a-f]*\).*/\1/p' /tmp/nl.out)
run vmscope find $NLT $NLA
[ $rc = 0 ] && grep -q 'vmtarget\\012fake-line$' $out && [ "$(wc -l < $out)" = 2 ]
result "find: a newline in a file name is shown as \\012, the row stays one line" $?
exec 7>&-
wait $NLT
rm -f /tmp/nl.in "/tmp/vmtarget
fake-line"

run vmscope page $T $STR
grep -q 'stopped at PTE: present leaf, 4K page' $out && grep -q 'PAGE refcount' $out &&
	grep -q '^  PGD ' $out && grep -q '^  PTE ' $out
result "page: every level from PGD to a present 4K PTE leaf, and the page's state" $?
run vmscope page $T $THP
grep -q 'stopped at PMD: present leaf, 2M page' $out && grep -q 'thp' $out
result "page of a THP page: a 2M PMD leaf, flagged thp" $?
run vmscope findpage $T $STR
[ $rc = 0 ] && grep -q 'PHYSICAL 0x' $out; result "findpage alias; root sees the physical address" $?
run vmscope -j page $T $STR
grep -q '"stop_reason":"present leaf"' $out && grep -q '"entries":\[{"level":"PGD"' $out
result "page --json: entries array and stop reason" $?
run vmscope page $T $THP --range 0x200000
grep -q '^summary: 512 pages: 512 present, 0 swapped, 0 zero, 512 THP' $out
result "page --range: per-page table and summary with THP counts" $?
run vmscope page $T --range '[heap]'
[ $rc = 0 ] && grep -q '^summary:' $out; result "page --range [heap]: a VMA by name" $?

run vmscope read $T $STR 13 --format str
[ "$(cat $out)" = "hello vmscope" ]; result "read --format str reads the target's string" $?
run vmscope read $T $STR 16
grep -q '|hello vmscope' $out; result "read: hexdump by default" $?
run vmscope read $T $THP 16 --format u64
grep -q '0x4242424242424242 0x4242424242424242' $out; result "read --format u64" $?
run vmscope writeval $T $STR --str "HELLO"
grep -q '^old:' $out && grep -q '|hello|' $out && grep -q '|HELLO|' $out
result "writeval alias: write --str prints the old and new bytes" $?
sleep 0.5
tail -n1 /tmp/target.out | grep -q 'value: HELLO vmscope'
result "the target prints the changed value" $?
run vmscope -j write $T $THP --u32 0x11223344
grep -q '"old":"42424242","new":"44332211"' $out; result "write --u32 --json: little-endian, old and new" $?
run vmscope write $T $RO --hex 5858
[ $rc = 1 ] && grep -q 'force' $err; result "write to a read-only mapping: refused, suggests --force" $?
run vmscope write $T $RO --hex 5858 --force
[ $rc = 0 ] && grep -q '|XX|' $out; result "write --force to a read-only mapping" $?

run vmscope read $T 0x12g4 8
[ $rc = 2 ] && grep -q "'g' is not a hex digit" $err; result "non-hex address: exit 2, names the bad digit" $?
run vmscope page $T 0x0800000000000000
[ $rc = 2 ] && grep -q 'not canonical' $err; result "non-canonical address: exit 2" $?
run vmscope write $T 0xffff888000000000 --u8 1
[ $rc = 2 ] && grep -q 'kernel address' $err; result "kernel-half address: exit 2" $?
run vmscope read $T 0x1000 8
[ $rc = 1 ] && grep -q 'nothing mapped at 0x1000' $err; result "unmapped address: exit 1, clear message" $?
run vmscope read $T $STR 999999999999
[ $rc = 2 ] && grep -q 'invalid length' $err; result "oversize length: exit 2" $?
run vmscope -j read 4194303 0x1000 8
[ $rc = 1 ] && grep -q '^{"error":"no such process: 4194303"}' $out
result "--json errors are JSON objects; a missing pid: exit 1" $?
run vmscope read 2 0x1000 8
[ $rc = 1 ] && grep -q 'kernel thread' $err; result "a kernel thread: clear error" $?

if id vmsuser >/dev/null 2>&1; then
	su vmsuser -s /bin/sh -c "vmscope read $T $STR 8" > $out 2> $err
	rc=$?
	[ $rc = 1 ] && grep -qi 'permission denied' $err
	result "a non-root user is refused with a permission message" $?
else
	skip "a non-root user is refused" "no vmsuser in /etc/passwd"
fi

n=0
while ! rmmod vmscope 2>/dev/null; do n=$((n + 1)); [ $n -gt 50 ] && break; sleep 0.1; done
run vmscope page $T $STR
[ $rc = 1 ] && grep -q 'needs the vmscope kernel module' $err
result "without the module: exit 1 and how to load it" $?
insmod /lib/vmscope/vmscope.ko

kill $T
finish
