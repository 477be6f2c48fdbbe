#!/bin/bash
# explain, share and thp on the host, which has no module: each says what it
# can tell without it (explain: pagemap, no levels or sharers; share: USS
# and PSS from pagemap and kpagecount, checked against smaps_rollup; thp:
# the slots from pagemap, checked against smaps' AnonHugePages), bad input
# gives one clean line and exit 2 (usage) or 1 (runtime), and every -j
# document is valid against docs/json-schema.json.
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
. tests/lib/target.sh
export PATH=$PWD/build:$PATH
TMPDIR=$(mktemp -d)
trap 'kill $s 2>/dev/null; rm -rf "$TMPDIR"' EXIT
tap_start
out=$TMPDIR/out err=$TMPDIR/err
run() { "$@" > $out 2> $err; rc=$?; }
one_line() { [ "$(wc -l < $err)" = 1 ]; }

if [ "$(id -u)" != 0 ]; then
	skip "explain, share and thp on the host" "needs root for BPF and the page files"
	finish
fi
if [ -e /sys/kernel/btf/vmscope ]; then
	skip "explain, share and thp without the module" "the vmscope module is loaded here"
	finish
fi
sleep 300 & s=$!
exec_wait $s sleep
stack=0x$(awk '/\[stack\]/ { split($1, r, "-"); print r[1]; exit }' /proc/$s/maps)
heap=0x$(awk '/\[heap\]/ { split($1, r, "-"); print r[1]; exit }' /proc/$s/maps)
libc=0x$(awk '/libc/ { split($1, r, "-"); print r[1]; exit }' /proc/$s/maps)

# ---- help and usage ----
bad=""
for c in explain share thp; do
	vmscope help $c > $TMPDIR/h1 2>&1 && vmscope $c --help > $TMPDIR/h2 2>&1 &&
		cmp -s $TMPDIR/h1 $TMPDIR/h2 && grep -q "^usage: vmscope $c" $TMPDIR/h1 &&
		grep -q '^examples:' $TMPDIR/h1 && vmscope --help | grep -q "^  vmscope $c " || bad="$bad $c"
	run vmscope $c --bogus
	[ $rc = 2 ] && one_line && grep -q "$c: unknown option '--bogus'; see 'vmscope $c --help'" $err ||
		bad="$bad $c:--bogus"
done
[ -z "$bad" ]; result "help, --help and the overview; an unknown option is exit 2 in one line (bad:${bad:- none})" $?

# ---- explain without the module ----
run vmscope explain $s $libc $stack
[ $rc = 0 ] && grep -q 'pages from /proc/[0-9]*/pagemap, without page-table levels: the vmscope module is not loaded' $err &&
	grep -q "^PID $s  ADDRESS $libc  source: pagemap" $out &&
	grep -q '^WALK     from /proc/PID/pagemap: the page-table levels need the module' $out &&
	grep -q '^SHARERS  need the module' $out && grep -q "backing  file .*libc.* inode [0-9]" $out &&
	grep -q '^WRITE    refused: a read-only private mapping' $out
result "explain without the module: pagemap's answer, the levels and sharers said to need the module" $?
run vmscope -j explain $s $stack
[ $rc = 0 ] && grep -q '"source":"pagemap"' $out && grep -q '"levels":null' $out &&
	grep -q '"sharers":{"status":"needs module"' $out && grep -q '"flag_names_from":"smaps"' $out
result "explain -j without the module: source pagemap, levels null, sharers need the module" $?
run vmscope explain $s 0x10
[ $rc = 1 ] && grep -q 'in no VMA' $out; result "explain of an address in no VMA: exit 1, said" $?
run vmscope explain 4194303 0x1000
[ $rc = 1 ] && one_line && grep -q 'no such process: 4194303' $err; result "explain of no such process: exit 1" $?
run vmscope explain $s 0xffff888000000000
[ $rc = 2 ] && one_line && grep -q 'a kernel address' $err; result "explain of a kernel address: exit 2" $?
run vmscope explain $s
[ $rc = 2 ] && one_line && grep -q 'explain: expected a PID and at least one address' $err
result "explain without an address: exit 2" $?
run vmscope explain --scan-limit 0 $s $stack
[ $rc = 2 ] && one_line && grep -q 'scan limit' $err; result "explain --scan-limit 0: exit 2" $?
run vmscope explain --source module $s $stack
[ $rc = 1 ] && grep -q 'module' $err; result "explain --source module without it: exit 1, said" $?
if id nobody > /dev/null 2>&1 && command -v su > /dev/null; then
	cp build/vmscope $TMPDIR/vmscope && chmod 755 $TMPDIR $TMPDIR/vmscope
	p=$(cd / && su nobody -s /bin/sh -c "$TMPDIR/vmscope -j explain \$\$ 0x\$(awk '/\\[stack\\]/ { split(\$1, r, \"-\"); print r[1]; exit }' /proc/\$\$/maps)" 2> $err)
	pr=$?
	[ $pr = 0 ] && printf '%s' "$p" | grep -q '"source":"pagemap"' &&
		printf '%s' "$p" | grep -q '"status":"needs module"'
	result "explain as a user without BPF, of its own process: pagemap's answer" $?
else
	skip "explain as a user without BPF" "no 'nobody' user or no su here"
fi

# ---- share without the module ----
# smaps_rollup is read by this shell itself: an awk (or a $(...) subshell)
# would map libc while the kernel counts, one mapper more than vmscope
# (static, no libc) sees, and a quiet host has few: PSS would move by 10%.
rollup() {	# rollup VAR_PRIV VAR_PSS
	local k v _ p=0 q=0
	while read -r k v _; do
		case $k in Private_Clean:|Private_Dirty:) p=$((p + v)) ;; Pss:) q=$v ;; esac
	done < /proc/$s/smaps_rollup
	printf -v "$1" %s $p; printf -v "$2" %s $q
}
rollup priv rpss0
run vmscope -j share $s
uss=$(sed -n 's/.*"total":{[^}]*"uss_kb":\([0-9]*\).*/\1/p' $out)
pss=$(sed -n 's/.*"total":{[^}]*"pss_kb":\([0-9]*\).*/\1/p' $out)
rollup priv2 rpss
diag "share: USS $uss PSS $pss, smaps_rollup Private $priv Pss $rpss0 before, $rpss after"
# The PSS range smaps gave around the run, widened by 10% either way.
lo=$(( rpss0 < rpss ? rpss0 : rpss )); hi=$(( rpss0 > rpss ? rpss0 : rpss ))
# The libraries' PSS moves as other processes come and go on a busy host:
# the total is checked loosely, the stack's (pages of its own) exactly.
spss=$(sed -n 's/.*"start":"'$stack'"[^}]*"pss_kb":\([0-9]*\).*/\1/p' $out)
rspss=$(awk -v s=${stack#0x} '$1 ~ "^"s"-" {on = 1; next} on && /^Pss:/ {print $2; exit}' /proc/$s/smaps)
diag "stack PSS $spss, smaps $rspss"
[ $rc = 0 ] && grep -q '"source":"pagemap"' $out && grep -q '"sets":true' $out &&
	[ "$uss" = "$priv" ] && [ -n "$spss" ] && [ "$spss" = "$rspss" ] &&
	[ $((pss * 10)) -ge $((lo * 9)) ] && [ $((pss * 10)) -le $((hi * 11)) ]
result "share without the module: pagemap's mapcounts give smaps' Private and Pss" $?
run vmscope share $s
[ $rc = 0 ] && grep -q '^total kB' $out && grep -q '^shared with [0-9]* process' $out &&
	grep -q '^source: pagemap' $out
result "share's table, the processes it shares with, and its source" $?
run vmscope -j share --source smaps $s
[ $rc = 0 ] && grep -q '"source":"smaps"' $out && grep -q '"sets":false' $out &&
	grep -q "\"uss_kb\":$priv," $out
result "share --source smaps: USS from smaps, no sets" $?
run vmscope share 4194303
[ $rc = 1 ] && one_line && grep -q 'no such process: 4194303' $err; result "share of no such process: exit 1" $?
run vmscope share x1
[ $rc = 2 ] && one_line && grep -q "invalid pid 'x1'" $err; result "share of a bad pid: exit 2" $?

# ---- thp without the module ----
run vmscope thp $s '[heap]'
[ $rc = 0 ] && grep -q 'source: pagemap' $out && grep -q '^VMA .*\[heap\]' $out &&
	grep -q '^summary: ' $out
result "thp of a VMA by name, from pagemap" $?
if [ -d /sys/kernel/mm/transparent_hugepage ]; then
	run vmscope -j thp $s
	ahp=$(awk '/^AnonHugePages:/ { s += $2 } END { print s }' /proc/$s/smaps)
	[ $rc = 0 ] && grep -q "\"summary\":{\"huge_kb\":$ahp," $out
	result "thp: the huge kB are smaps' AnonHugePages ($ahp kB)" $?
else
	run vmscope thp $s
	[ $rc = 0 ] && grep -q 'no transparent huge pages' $out
	result "thp on a kernel without THP says so" $?
fi
run vmscope thp $s no-such-vma
[ $rc = 1 ] && grep -q "^vmscope: thp: process $s has no VMA named 'no-such-vma'$" $err; result "thp of no such VMA: exit 1, said" $?
run vmscope thp $s 1 2
[ $rc = 2 ] && one_line; result "thp with too many arguments: exit 2" $?

# ---- bash completion of the three ----
BC=/usr/share/bash-completion/bash_completion
if [ -r $BC ]; then
	comp_out=$(bash -c '
		. '"$BC"'; . completion/vmscope.bash
		comp() {
			COMP_WORDS=(vmscope "$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
			_vmscope vmscope "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
			printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "; echo
		}
		comp share --source ""
		comp explain --source ""
		comp thp '"$s"' "[st"
		comp explain '"$s"' '"${stack:0:8}"'
		comp ex
	')
	diag "completion: $(echo "$comp_out" | tr '\n' '|')"
	[ "$(sed -n 1p <<< "$comp_out")" = "module pagemap smaps " ] &&
		[ "$(sed -n 2p <<< "$comp_out")" = "module pagemap " ] &&
		[ "$(sed -n 3p <<< "$comp_out")" = "[stack] " ] &&
		sed -n 4p <<< "$comp_out" | grep -q "$stack" &&
		[ "$(sed -n 5p <<< "$comp_out")" = "explain " ]
	result "bash completion: share's and explain's sources, thp's VMA names, explain's addresses" $?
else
	skip "bash completion of explain, share and thp" "$BC is missing"
fi

# ---- the documents against the schema ----
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	j() { local name=$1; shift; printf '#json %s %s\n' "$name" "$(vmscope -j "$@" 2>/dev/null | tr -d '\n')"; }
	{
		j explain explain $s $stack $libc $heap 0x10
		j share share $s
		j share share --source smaps $s
		j share share $s 4194303
		j thp thp $s
		j thp thp $s '[heap]'
		j error explain 4194303 0x1000
		j error share 4194303
		j error thp $s no-such-vma
	} > $TMPDIR/docs
	/usr/bin/python3 tests/json_check.py $TMPDIR/docs > $TMPDIR/check
	rc=$?
	[ $rc = 0 ] || sed -n '/^not ok/,+1p' $TMPDIR/check | sed 's/^/# /'
	result "explain, share and thp -j documents are valid against the schema" $rc
else
	skip "explain, share and thp -j against the schema" "python3-jsonschema is not installed"
fi
finish
