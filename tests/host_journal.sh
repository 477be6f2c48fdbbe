#!/bin/bash
# The write journal on the host, which has no vmscope module: where it
# lives (XDG_STATE_HOME, HOME), 'vmscope journal' on none, on records made
# here (their CRC computed by python3's zlib) and on corrupt lines; write
# and undo say how to load the module and change nothing; an undo whose
# process is gone is refused without the module; bad input gives one clean
# error.  tests/guest_undo does the writing and undoing for real.
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
export PATH=$PWD/build:$PATH
T=$(mktemp -d)
trap 'kill $S 2>/dev/null; rm -rf "$T"' EXIT
tap_start
out=$T/out err=$T/err
run() { "$@" > $out 2> $err; rc=$?; }
one_line() { [ "$(wc -l < $err)" = 1 ]; }

if [ -e /sys/module/vmscope ]; then
	skip "the journal without the module" "the vmscope module is loaded here"
	finish
fi
if ! /usr/bin/python3 -c 'import zlib' 2>/dev/null; then
	skip "the journal without the module" "python3 is needed to make records"
	finish
fi

export XDG_STATE_HOME=$T/state
J=$T/state/vmscope/journal

# ---- where it is ----
run vmscope -j journal
[ $rc = 0 ] && grep -q "\"journal\":\"$J\",\"exists\":false" $out
result "journal: \$XDG_STATE_HOME/vmscope/journal; none yet: empty, exit 0" $?
run env -u XDG_STATE_HOME HOME=$T/home vmscope -j journal
grep -q "\"journal\":\"$T/home/.local/state/vmscope/journal\"" $out
result "journal: without XDG_STATE_HOME, \$HOME/.local/state/vmscope/journal" $?
run env XDG_STATE_HOME=relative HOME=$T/home vmscope -j journal
grep -q "\"journal\":\"$T/home/.local/state/vmscope/journal\"" $out
result "journal: a relative XDG_STATE_HOME is ignored (the XDG rule)" $?
run vmscope journal --journal $T/nowhere
[ $rc = 1 ] && one_line && grep -q "journal: no journal at $T/nowhere" $err
result "journal --journal FILE that does not exist: exit 1, one line" $?
mkdir $T/dir
run vmscope journal --journal $T/dir
[ $rc = 1 ] && one_line && grep -q "not a regular file" $err
result "journal --journal DIR: exit 1, not a regular file" $?

# ---- write and undo without the module ----
sleep 300 & S=$!
run vmscope write $S 0x1000 --u8 1
[ $rc = 1 ] && grep -q '^vmscope: write: needs the vmscope kernel module' $err && [ ! -e $J ]
result "write without the module: exit 1, says what to load, no journal made" $?
run vmscope undo
[ $rc = 1 ] && one_line && grep -q "nothing to undo: no journal at $J" $err
result "undo with no journal: exit 1, nothing to undo" $?

# record PID ADDR OLD NEW [START]: a write record, as vmscope writes it
record() {
	/usr/bin/python3 - "$@" <<'EOF'
import random, sys, zlib
pid, addr, old, new = sys.argv[1:5]
start = sys.argv[5] if len(sys.argv) > 5 else open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[19]
boot = open("/proc/sys/kernel/random/boot_id").read().strip()
line = (f"vmscope-journal/1 write id={random.getrandbits(64):016x} time=2026-01-02T03:04:05Z "
        f"pid={pid} start={start} boot={boot} addr={addr} force=0 old={old} new={new} comm=sleep")
print(f"{line} crc={zlib.crc32(line.encode()):08x}")
EOF
}
mkdir -p $T/state/vmscope
record $S 0x1000 6161 4242 > $J
chmod 600 $J
run vmscope -j journal
[ $rc = 0 ] && grep -q '"state":"pending"' $out && grep -q '"target":"running"' $out &&
	grep -q '"undo_position":1' $out && grep -q "\"pid\":$S," $out
result "journal: a record made here is read: pending, its process running, first in the queue" $?
sum=$(md5sum < $J)
run vmscope undo
[ $rc = 1 ] && grep -q '^vmscope: undo: needs the vmscope kernel module' $err && [ "$(md5sum < $J)" = "$sum" ]
result "undo of a running process's write without the module: exit 1, says what to load, journal unchanged" $?
record 4194303 0x2000 00 ff 12345 >> $J
run vmscope -j undo --pid 4194303
[ $rc = 1 ] && grep -q '"result":"exited"' $out && ! grep -q 'kernel module' $err &&
	grep -q "process 4194303 has exited" $err && [ "$(grep -c ' undo ' $J)" = 0 ]
result "undo of an exited process's write: refused without needing the module, kept in the journal" $?
record $S 0x3000 00 ff 1 >> $J
run vmscope -j journal
grep -q '"target":"restarted"' $out
result "journal: a record whose start time is not the process's: its pid names another process" $?

# ---- corrupt lines ----
echo "garbage" >> $J
sed -n 1p $J | sed 's/new=4242/new=4343/' >> $J
printf 'vmscope-journal/1 write id=1' >> $J
run vmscope -j journal
[ $rc = 1 ] && grep -q '"bad_lines":\[{"line":4,"reason":"not a vmscope journal record"},{"line":5,"reason":"checksum mismatch' $out &&
	grep -q '{"line":6,"reason":"an incomplete last line' $out && [ "$(grep -c 'line ignored' $err)" = 3 ]
result "journal: a foreign line, a changed line and a cut-off one: reported by line, exit 1" $?
chmod 644 $J
run vmscope journal
[ "$(stat -c %a $J)" = 644 ]
result "journal (listing) does not change the file" $?

# ---- bad input ----
run vmscope undo 0
[ $rc = 2 ] && one_line && grep -q "invalid count '0'" $err
result "undo 0: exit 2" $?
run vmscope undo 1 2
[ $rc = 2 ] && one_line; result "undo with two counts: exit 2" $?
run vmscope undo --pid x
[ $rc = 2 ] && one_line && grep -q "invalid pid 'x'" $err; result "undo --pid x: exit 2" $?
run vmscope -j journal extra
[ $rc = 2 ] && grep -q '"errno":22' $out; result "journal with an argument: exit 2, JSON error" $?
run vmscope write $S 0x1000 --u8 1 --journal $T/j --no-journal
[ $rc = 2 ] && one_line && grep -q -- "--journal and --no-journal" $err
result "write --journal with --no-journal: exit 2" $?
run vmscope write $S 0xfffffffffffffe --hex 00112233
[ $rc = 2 ] && one_line && grep -q 'runs past the end of the user address space' $err
result "write running past the top of the user address space: exit 2" $?

finish
