#!/bin/bash
# The CLI on the host kernel, without the module: help and version, option
# parsing and numbers, several processes and filters, errors for processes
# that cannot be listed, maps -x against smaps, find without the module,
# page without BPF (host_pagemap checks page without the module).
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
. tests/lib/maps.sh
. tests/lib/target.sh
export PATH=$PWD/build:$PWD/build/tests:$PATH TMPDIR=$(mktemp -d)
trap 'rm -rf "$TMPDIR"' EXIT
tap_start
out=$TMPDIR/out err=$TMPDIR/err
run() { "$@" > $out 2> $err; rc=$?; }
one_line() { [ "$(wc -l < $err)" = 1 ]; }

if [ "$(id -u)" != 0 ]; then
	skip "host CLI tests" "needs root for BPF (CAP_BPF, CAP_PERFMON)"
	finish
fi

# ---- help, version ----
bad=""
for c in maps find page read write pin unpin status dev audit undo journal; do
	vmscope help $c > $TMPDIR/h1 2>&1 && vmscope $c --help > $TMPDIR/h2 2>&1 &&
		cmp -s $TMPDIR/h1 $TMPDIR/h2 && grep -q "^usage: vmscope $c" $TMPDIR/h1 &&
		grep -q '^examples:' $TMPDIR/h1 || bad="$bad $c"
done
[ -z "$bad" ]; result "help CMD and CMD --help: the same usage, options and examples (bad:${bad:- none})" $?
run vmscope --help
[ $rc = 0 ] && [ "$(awk 'length($0) > 79' $out | wc -l)" = 0 ] && grep -q '^  vmscope maps' $out
result "the overview fits in 79 columns" $?
run vmscope help findpage
grep -q "'findpage' is the lab's name for 'vmscope page'" $out; result "help of a lab alias" $?
run vmscope -V
grep -Eq '^vmscope [0-9]+\.[0-9]+\.[0-9]+.* \(module ABI [0-9]+\)$' $out; result "--version" $?
if git rev-parse --git-dir >/dev/null 2>&1; then
	grep -q "+git\.$(git describe --always --match none | cut -c1-7)" $out
	result "--version names the commit it was built from" $?
else
	skip "--version names the commit" "not built from a git checkout"
fi
run vmscope -j --version
grep -Eq '^\{"version":"[^"]+","cli_abi":[0-9]+\}$' $out; result "-j --version is JSON, the CLI's ABI under cli_abi" $?
a=$(sed -E 's/.*"cli_abi":([0-9]+).*/\1/' $out)
run vmscope -j status
[ -n "$a" ] && grep -q "\"cli_abi\":$a[,}]" $out && ! grep -q "\"module_abi\":$a[,}]" <(vmscope -j --version)
result "cli_abi is the same key in -V and status; -V has no module_abi (status's is the module's)" $?
run vmscope -j help maps
grep -q '^{"command":"maps","usage":\["maps \[OPTIONS\] PID...",' $out; result "-j help CMD is JSON" $?
run vmscope -p --version
[ "$(wc -l < $out)" = 4 ] && grep -q '^  "version": ' $out; result "-p/--pretty indents JSON" $?
run vmscope -jV
a=$(cat $out); run vmscope -V -j
[ $rc = 0 ] && grep -Eq '^\{"version":' $out && [ "$(cat $out)" = "$a" ]
result "global short options bundle (-jV), and -V honours a -j after it" $?
run vmscope -jx maps 1
[ $rc = 2 ] && grep -q "unknown option '-x' in -jx" $err &&
	grep -q '"errno":22' $out
result "an unknown letter in a bundle: exit 2, named, JSON error under -j" $?

# ---- parsing ----
for c in maps find page read write pin unpin status dev audit undo journal; do
	run vmscope $c --bogus
	[ $rc = 2 ] && one_line && grep -q "$c: unknown option '--bogus'; see 'vmscope $c --help'" $err ||
		bad="$bad $c"
done
[ -z "$bad" ]; result "an unknown option: exit 2 and one line, for every command (bad:${bad:- none})" $?
run vmscope read $$ 0x1000 010 --format u64
[ $rc = 2 ] && grep -q 'length 10 is not a multiple of 8' $err
result "lengths are decimal: 010 is ten (octal would be eight, a multiple of 8)" $?
run vmscope read $$ 0x1000 0x1z
[ $rc = 2 ] && grep -q "'z' is not a hex digit or a K, M, G suffix" $err; result "a bad length names the bad digit" $?
run vmscope -j read $$ 0x1000 99999999999
[ $rc = 2 ] && grep -q '^{"error":"read: invalid length .*","errno":22}$' $out
result "usage errors are JSON with -j: {error, errno 22}" $?
# One error style (issue 18): every line a command prints on stderr for an
# error is "vmscope: CMD: ...", CMD as typed (an alias stays an alias).
bad=""
while read -r want c; do
	run vmscope $c
	[ $rc = $want ] && [ -s $err ] && ! grep -qv "^vmscope: ${c%% *}: " $err || bad="$bad [$c]"
done <<-EOF
	1 maps 4194303
	1 listvma 4194303
	2 maps 12abc
	2 find 1x 0
	2 find $$ zz
	2 read $$ zz 8
	1 page --source pagemap 4194303 0x1000
	1 explain 4194303 0x1000
	1 thp 4194303
	1 summary 4194303
	2 share x1
	2 undo --pid x
	2 journal --pid x
	2 dev --pages 0 info
	1 pin $TMPDIR/x
	1 unpin $TMPDIR/x
	1 snapshot 4194303
	1 map 4194303 -o -
	1 diff $TMPDIR/none $TMPDIR/none2
	2 help nope
	2 status extra
	1 findvma 4194303 0
EOF
[ -z "$bad" ]; result "errors are 'vmscope: CMD: message', the command as typed (bad:${bad:- none})" $?
run vmscope maps 12abc
[ $rc = 2 ] && one_line && grep -q "^vmscope: maps: invalid pid '12abc': not a number" $err
result "maps 12abc: not a number, exit 2" $?
# The option named as the user typed it, never getopt's idea of it.
bad=""
while IFS='|' read -r args want; do
	run vmscope $args
	[ $rc = 2 ] && one_line && grep -qF -- "$want" $err || bad="$bad [$args]"
done <<-'EOF'
	status --pretty=1|vmscope: status: option '--pretty=1' takes no value; see 'vmscope status --help'
	status --pre=1|vmscope: status: option '--pre=1' takes no value
	status --bogus=2|vmscope: status: unknown option '--bogus=2'
	maps --p 1|vmscope: maps: ambiguous option '--p': --pid, --pretty
	maps 1 --source|vmscope: maps: option '--source' needs a value
	read -f|vmscope: read: option '-f' needs a value
	maps -jz 1|vmscope: maps: unknown option '-z' in -jz
	maps --json -zj 1|vmscope: maps: unknown option '-z' in -zj
	maps 1 -z|vmscope: maps: unknown option '-z'; see
	--json=1 status|vmscope: option '--json=1' takes no value; see 'vmscope --help'
	--ver status|vmscope: ambiguous option '--ver': --verbose, --version
	--bogus status|vmscope: unknown option '--bogus'
EOF
[ -z "$bad" ]; result "option errors name the option as typed: --x=1, abbreviations, bundles (bad:${bad:- none})" $?
run vmscope --pre --verb --j --vers
[ $rc = 0 ] && grep -q '^  "version": ' $out; result "global long options abbreviate: --pre --verb --j --vers" $?
run make -n vm CMD='echo a; echo b'
grep -q -- "--sh 'echo a; echo b'" $out; result "make vm CMD='a; b' hands the whole line to the guest" $?

# ---- several processes, filters ----
# is_sleep PID: PID has exec'd sleep (before, its maps and command line are
# the shell's).
sleep_exe=$(readlink -f "$(command -v sleep)")
is_sleep() { [ "$(readlink /proc/$1/exe)" = "$sleep_exe" ]; }
sleep 60 & s1=$!
sleep 61 & s2=$!
wait_until 5 is_sleep $s1 && wait_until 5 is_sleep $s2
run vmscope maps $s1 $s2
[ $rc = 0 ] && [ "$(grep -c '^[0-9]*:   sleep 6[01]$' $out)" = 2 ]; result "maps PID PID: a table per process" $?
run vmscope maps --maps $s1 $s2
awk -v p=$s2 '/^==> \/proc\// { on = ($2 == "/proc/" p "/maps") ; next } on && NF' $out > $TMPDIR/blk
{ head -n1 $out | grep -q "^==> /proc/$s1/maps <==$"; } && kmaps $s2 > $TMPDIR/k2 && same $TMPDIR/blk $TMPDIR/k2
result "maps --maps with several processes: a header before each, each block exact" $?
run vmscope maps --all --pid $s1 --maps
[ $rc = 0 ] && grep -q "^==> /proc/$s1/maps <==" $out && ! grep -q "^==> /proc/$s2/" $out
result "maps --all --pid: only that process; --all --maps separates processes" $?
run vmscope -j maps --all --comm sleep
n=$(grep -o '"pid":' $out | wc -l)
[ $rc = 0 ] && [ "$n" -ge 2 ] && ! grep -q '"comm":"[^s]' $out
result "maps --all --comm: only processes of that name ($n)" $?
run vmscope maps --all --comm no-such-comm-xyz
[ $rc = 1 ] && grep -q 'no process matches' $err; result "maps --all with filters matching nothing: exit 1" $?
run vmscope maps $s1 4194303
[ $rc = 1 ] && grep -q "^$s1:" $out && grep -q 'no such process: 4194303' $err
result "maps of a good and a missing process: the table, the error, exit 1" $?
# A zombie: a child of a process (sleep) that never reaps it (the child
# outlives the exec, or the shell would reap it first).  Waited for
# until /proc says Z, however slow the machine; the parent is killed after.
rm -f $TMPDIR/z
sh -c 'sleep 1 & echo $! > '$TMPDIR/z'; exec sleep 30' &
zp=$!
z=
for _ in $(seq 100); do
	[ -s $TMPDIR/z ] && z=$(cat $TMPDIR/z) &&
		[ "$(awk '{ print $3 }' /proc/$z/stat 2>/dev/null)" = Z ] && break
	z=; sleep 0.1
done
if [ -n "$z" ]; then
	run vmscope maps $z
	[ $rc = 1 ] && [ ! -s $out ] && grep -q "process $z has exited" $err && one_line
	result "maps of a zombie: an error, never an empty table" $?
else
	skip "maps of a zombie" "no zombie appeared within 10 s"
fi
kill $zp 2>/dev/null; wait $zp 2>/dev/null
kill $s1 $s2

# ---- maps -x without the module: smaps' numbers ----
start_target mix
M=$TPID
# No pipes around the readers: the vdso page's PSS moves with the process count.
awk '/^[0-9a-f]+-[0-9a-f]+ / { split($1, a, "-"); s = a[1]; order[++n] = s }
     /^Rss:/ { r[s] = $2 } /^Pss:/ { p[s] = $2 } /^Swap:/ { w[s] = $2 }
     /^Anonymous:/ { an[s] = $2 } /^(Shared|Private)_Dirty:/ { d[s] += $2 }
     END { for (i = 1; i <= n; i++) { k = order[i]; printf "%s %d %d %d %d %d\n", k, r[k], p[k], d[k], w[k], an[k] } }' \
	/proc/$M/smaps > $TMPDIR/mix.smaps.raw
run vmscope maps -x $M
VDSO=$(sed -n 's/^0*\([0-9a-f]*\)-.*\[vdso\]$/\1/p' /proc/$M/maps)
sed 's/^0*//' $TMPDIR/mix.smaps.raw | grep -v "^$VDSO \|^ffffffffff600000 " > $TMPDIR/mix.smaps
awk 'NR > 2 && $1 ~ /^[0-9a-f]+$/ && $1 != "ffffffffff600000" {
	printf "%s %d %d %d %d %d\n", $1, $3, $4, $5, $6, $7 }' $out | sed 's/^0*//' |
	grep -v "^$VDSO " > $TMPDIR/mix.vms
diag "$(diff $TMPDIR/mix.vms $TMPDIR/mix.smaps | head -5)"
[ $rc = 0 ] && [ -s $TMPDIR/mix.vms ] && same $TMPDIR/mix.vms $TMPDIR/mix.smaps
result "maps -x without the module: per VMA, smaps' numbers" $?
grep -q "^total kB" $out && run vmscope -j maps -x $M && grep -q '"use_source":"smaps"' $out
result "maps -x without the module says smaps is the source" $?
stop_target

# ---- find without the module ----
sleep 60 & s1=$!
wait_until 5 is_sleep $s1
a=$(awk '/\[stack\]/ { split($1, r, "-"); print r[1]; exit }' /proc/$s1/maps)
run vmscope -j find $s1 0x$a
grep -q '"source":"bpf"' $out && grep -q '"name":"\[stack\]"' $out && grep -q '"covering":true' $out
result "find without the module: from the BPF listing" $?
run vmscope find $s1 0x$a
line=$(grep '\[stack\]' /proc/$s1/maps | awk '{print $1, $2}')
grep -q "0x$a *${line%% *} *${line##* }" $out; result "find's table agrees with /proc/PID/maps" $?
# An address with no VMA at or after it, as the kernel's own list has none
# (but [vsyscall], which is no VMA of the mm): a failed part of the
# document, with error and errno (issue 18), exit 1.
hi=fffffffff000
nomap=0
while read -r range x x x x name; do
	[ "$name" != "[vsyscall]" ] && (( 16#${range#*-} > 16#$hi )) && nomap=1
done < /proc/$s1/maps
run vmscope -j find $s1 0x$a 0x$hi
[ $nomap = 0 ] && [ $rc = 1 ] && grep -q '"lookups":\[{"addr":"0x'$a'","found":true,.*},{"addr":"0x'$hi'","found":false,"error":"no VMA at or after this address","errno":2}\]}$' $out
result "find -j of an address in no VMA: error and errno in its lookup, exit 1" $?
kill $s1
if id nobody >/dev/null 2>&1 && command -v su >/dev/null; then
	pub=$(mktemp -d /tmp/vmscope-pub.XXXXXX); chmod 755 "$pub"
	cp build/vmscope "$pub/"; chmod 755 "$pub/vmscope"
	o=$(cd / && su nobody -s /bin/sh -c "$pub/vmscope -j find \$\$ 0" 2>&1); r=$?
	diag "as nobody: $r: $(echo "$o" | cut -c1-200)"
	if [ "$(printf '%s\n' "$o" | grep -c procmap_query)" = 1 ]; then
		[ $r = 0 ]
		result "find as a user without BPF, on its own process: PROCMAP_QUERY" $?
	else
		printf '%s\n' "$o" | grep -q 'PROCMAP_QUERY (Linux 6.11+)'
		result "find as a user without BPF on a kernel without PROCMAP_QUERY: says what it needs" $?
	fi
	# page on its own shell's stack: pagemap, no PFNs, but pagemap's exclusive bit
	p=$(cd / && su nobody -s /bin/sh -c "$pub/vmscope -j page \$\$ --range '[stack]'" 2>$TMPDIR/perr)
	pr=$?
	rm -rf "$pub"
	diag "page as nobody: $pr: $(head -c 300 $TMPDIR/perr)"
	[ $pr = 0 ] && printf '%s' "$p" | grep -q '"source":"pagemap"' &&
		printf '%s' "$p" | grep -q '"page_state_hidden":true' &&
		printf '%s' "$p" | grep -q '"stop_reason":"present leaf"[^}]*"pfn":null,"exclusive":true' &&
		grep -q 'pages from /proc/[0-9]*/pagemap, without page-table levels: the vmscope module is not loaded' $TMPDIR/perr &&
		grep -q 'VMAs from /proc/PID/maps: the BPF listing did not load' $TMPDIR/perr
	result "page as a user without BPF, on its own process: pagemap, PFNs hidden, exclusive shown, both fallbacks said" $?
else
	skip "find as a user without BPF" "no 'nobody' user or no su here"
	skip "page as a user without BPF" "no 'nobody' user or no su here"
fi

# ---- maps: the total line and -A LOW,HIGH (issue 18), against the kernel ----
sleep 60 & s3=$!
wait_until 5 is_sleep $s3
kmaps $s3 > $TMPDIR/k3
h16() { printf '%016s' ${1#0x} | tr ' ' 0; }
# kin LOW HIGH: the lines of /proc/PID/maps that overlap [LOW, HIGH] (hex,
# 16 digits: compared as strings, as 64-bit values overflow the shell's).
kin() {
	local line range s e
	while IFS= read -r line; do
		range=${line%% *}
		s=$(h16 ${range%-*}) e=$(h16 ${range#*-})
		[[ $e > $1 && ! $s > $2 ]] && printf '%s\n' "$line"
	done < $TMPDIR/k3
}
# kb [FILE]: the sum of the sizes of maps lines, in kB
kb() { local range rest t=0; while read -r range rest; do t=$((t + (16#${range#*-} - 16#${range%-*}) / 1024)); done; echo $t; }
first=$(head -n1 $TMPDIR/k3 | cut -d' ' -f1) second=$(sed -n 2p $TMPDIR/k3 | cut -d' ' -f1)
stk=$(grep '\[stack\]$' $TMPDIR/k3 | cut -d' ' -f1)
heap_end=$(grep '\[heap\]$' $TMPDIR/k3 | cut -d' ' -f1 | cut -d- -f2)
bad=""
for r in ${first%-*} ${first#*-} ${second%-*}, ,${first%-*} ,${second%-*} 0x${first#*-},0x${stk%-*} \
	${stk%-*},${stk%-*} 7f0000000000,7fffffffffff ${heap_end:-1},${heap_end:-1} , \
	$(printf '%x' $((16#${first%-*} - 1))) 0,1; do
	case $r in
	*,*) lo=${r%%,*} hi=${r#*,} ;;
	*) lo=$r hi=$r ;;
	esac
	lo=$(h16 ${lo:-0}) hi=$(h16 ${hi:-ffffffffffffffff})
	kin $lo $hi > $TMPDIR/want
	vmscope maps -m --source bpf -A $r $s3 > $TMPDIR/got && same $TMPDIR/want $TMPDIR/got > /dev/null ||
		bad="$bad [$r]"
	run vmscope maps -A $r $s3
	[ $rc = 0 ] && [ "$(awk '$1 == "total" { print $2 }' $out)" = "$(kb < $TMPDIR/want)K" ] &&
		[ "$(grep -c '^[0-9a-f]*-[0-9a-f]* ' $out)" = "$(wc -l < $TMPDIR/want)" ] || bad="$bad [$r table]"
	if command -v pmap > /dev/null; then
		pmap -A $r $s3 | awk 'NR > 1 && $1 != "total" { print $1 }' > $TMPDIR/pm
		cut -d- -f1 $TMPDIR/want | while read -r a; do h16 $a; echo; done > $TMPDIR/w16
		cmp -s $TMPDIR/pm $TMPDIR/w16 || bad="$bad [$r pmap]"
	fi
done
[ -z "$bad" ]; result "maps -A LOW,HIGH: exactly the /proc/PID/maps lines that overlap, as pmap -A; the total their sizes (bad:${bad:- none})" $?
run vmscope maps $s3
[ $rc = 0 ] && [ "$(tail -n1 $out | awk '{ print $1, $2 }')" = "total $(kb < $TMPDIR/k3)K" ]
result "maps: a last line 'total', the sum of the sizes in kB" $?
run vmscope -j maps $s3
[ $rc = 0 ] && grep -q '"total":{"size_kb":'"$(kb < $TMPDIR/k3)"'}}\]$' $out
result "maps -j: total.size_kb, the same sum" $?
run vmscope maps -x -A 7f0000000000,7fffffffffff $s3
kin $(h16 7f0000000000) $(h16 7fffffffffff) > $TMPDIR/want
[ $rc = 0 ] && awk -v want=$(kb < $TMPDIR/want) '
	length($1) == 16 && $1 ~ /^[0-9a-f]+$/ { k += $2; r += $3; d += $5; n++ }
	/^total kB/ { ok = ($3 == k && $3 == want && $4 == r && $6 == d) }
	END { exit !(ok && n) }' $out
result "maps -x -A: the total counts the VMAs listed, Kbytes and RSS" $?
bad=""
for a in zz 5,1 1,2,3 ''; do
	run vmscope maps -A "$a" $s3
	[ $rc = 2 ] && one_line && grep -q "^vmscope: maps: invalid range '$a'" $err || bad="$bad [$a]"
done
[ -z "$bad" ]; result "maps -A: a bad range is a usage error, named (bad:${bad:- none})" $?
kill $s3

# ---- unpin refuses directories (issue 18) ----
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
run vmscope unpin /sys/fs/bpf
[ $rc = 1 ] && one_line && mountpoint -q /sys/fs/bpf &&
	grep -q "^vmscope: unpin: /sys/fs/bpf is the mount point of a BPF filesystem, not a listing pinned by 'vmscope pin'; not removing it$" $err
result "unpin /sys/fs/bpf: the mount point, refused as such" $?
d=/sys/fs/bpf/vmscope_dir_$$
mkdir $d
run vmscope -j unpin $d
[ $rc = 1 ] && [ -d $d ] && grep -q "is a directory, not a listing pinned by 'vmscope pin'" $err &&
	grep -q '^{"error":"unpin: .* is a directory, .*","errno":21}$' $out
result "unpin of a directory in bpffs: refused, kept, errno 21" $?
rmdir $d
finish
