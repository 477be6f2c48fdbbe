#!/bin/sh
# Every module command's JSON, recorded for tests/json_check.py (run on the
# host after the guest by tests/run.sh): lines "#json NAME DOCUMENT".
# Here each run must print exactly one non-empty line of stdout.
. /tests/lib/tap.sh
. /tests/lib/target.sh
tap_start
# j NAME CMD...: run CMD with -j, record its stdout, check it is one line
j() {
	name=$1; shift
	vmscope -j "$@" > /tmp/json.out 2>/dev/null
	[ "$(wc -l < /tmp/json.out)" = 1 ] && [ -s /tmp/json.out ]
	result "json: vmscope -j $* prints one line" $?
	printf '#json %s %s\n' "$name" "$(cat /tmp/json.out)"
}
# Every command below looks into this target: without it, nothing can run.
target_start 5 /tmp/jt.out strings "json" 1000 || bail "vmtarget strings: $TREADY"
T=$TPID
line=$TREADY
STR=$(echo "$line" | sed -n 's/.*str=\(0x[0-9a-f]*\).*/\1/p')
THP=$(echo "$line" | sed -n 's/.*thp=\(0x[0-9a-f]*\).*/\1/p')
RO=$(echo "$line" | sed -n 's/.*ro=\(0x[0-9a-f]*\).*/\1/p')
j find find $T $STR 0
j page page $T $STR $THP 0x1000
j page_range page $T $THP --range 4M
j page_range page $T --range '[stack]'
j page page --source pagemap $T $STR $THP 0x1000
j page_range page --source pagemap $T $THP --range 4M
j page_range page --source pagemap $T --range '[stack]'
j read read $T $STR 4
j read read $T $STR 4 --format str
j read read $T $THP 16 --format u64
j read read $T $THP 8 --format u8
# A journal of its own: the other tests leave writes in root's
export XDG_STATE_HOME=/tmp/guest_json.state
j write write $T $STR --str JSON
j journal journal
j undo undo
j error undo
j write write $T $RO --u8 1 --force
# A copy of vmtarget with a breakpoint in its text: modified code
cp /tests/vmtarget /tmp/jvt
VMTARGET=/tmp/jvt
target_start 8 /tmp/jvt.out idle || diag "the copy of vmtarget: $TREADY"
unset VMTARGET
V=$TPID
TEXT=$(grep 'r-xp.*/tmp/jvt' /proc/$V/maps | cut -d- -f1)
vmscope write --force $V 0x$TEXT --hex cc > /dev/null 2>&1
j audit audit $V
j undo undo
j audit audit $V
j audit audit --source pagemap $V
kill $V
target_stop 8 $V
j audit audit --all
j audit audit --source pagemap $T 4194303
j error write $T $RO --u8 1
j error read $T 0x1000 8
j error page 4194303 0x1000
j maps maps -x $T
j summary summary $T
j snapshot snapshot $T
j file_report snapshot $T -o /tmp/jt.snap.json
j file_report map $T -o /tmp/jt.map.html --explain 4
j watch watch $T -n 0.1 -c 1
j status status
j dev dev info --pages 4
j dev dev map --pages 2 --backing pages
j dev dev fill hello
j explain explain $T $STR $THP $RO 0x1000
j explain explain --source pagemap $T $STR $THP
j share share $T
j share share --source pagemap $T
j thp thp $T
j thp thp --source pagemap $T $THP
kill $T
target_stop 5 $T
finish
