#!/bin/bash
# vmscope on the host kernel, without the module: listings equal
# /proc/PID/maps; errors are clear and exit non-zero.
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
. tests/lib/maps.sh
. tests/lib/target.sh
. tests/lib/routes.sh
export PATH=$PWD/build:$PWD/build/tests:$PATH TMPDIR=$(mktemp -d)
trap 'rm -rf "$TMPDIR"' EXIT
tap_start

if [ "$(id -u)" != 0 ]; then
	skip "host listing tests" "needs root for BPF (CAP_BPF, CAP_PERFMON)"
	finish
fi
if [ -d /sys/module/vmscope ]; then
	skip "host listing tests" "the vmscope module is loaded here; these tests are for a module-less host"
	finish
fi

ok "maps equals /proc/PID/maps for this shell" maps_equal $$
VMSCOPE_PATH=seq maps_equal $$
result "the seq_file fallback path also equals /proc/PID/maps" $?
sleep 60 & sp=$!
exec_wait $sp sleep
ok "maps equals /proc/PID/maps for a sleep process" maps_equal $sp
kill $sp; wait $sp 2>/dev/null
start_target vmas 20000
ok "maps equals /proc/PID/maps for a process with 40,000 VMAs (several passes)" maps_equal "$TPID"
stop_target
start_target huge
diag "vmtarget: $TREADY"
ok "maps equals /proc/PID/maps for a process with THP regions" maps_equal "$TPID"
stop_target
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
routes_tests "$TMPDIR/names" "$(id -u nobody >/dev/null 2>&1 && command -v su >/dev/null && echo nobody)"
out=$(maps_loop 0 3 2>&1); r=$?; diag "$out"
result "maps --all listings are well-formed" $r

# The fast listing walks each process's VMA tree where the kernel keeps
# mm_lock_seq as a sequence count (6.12+), and lists a process that
# changes its mappings all the time without a wrong record.
out=$(VMSCOPE_PATH=fast vmscope -v maps --maps --source bpf $$ 2>&1 >/dev/null); diag "$out"
if grep -q 'mm_lock_seq' /sys/kernel/btf/vmlinux 2>/dev/null; then
	printf '%s\n' "$out" | grep -q "maps: listing: 1 process by the VMA tree walk"
	result "the fast listing walks the VMA tree here" $?
else
	skip "the fast listing walks the VMA tree here" "no mm_lock_seq in this kernel"
fi
VMSCOPE_PATH=iter maps_equal $$
result "the fast listing without the tree walk (iterator only) equals /proc/PID/maps" $?
start_target churn
out=$(VMSCOPE_PATH=fast maps_loop "$TPID" 300 2>&1); r=$?; diag "$out"
kill "$TPID"; stop_target
[ $r = 0 ]
result "the fast listing of a process that mmaps/munmaps in a loop is never wrong" $?

# In another pid namespace the one-process object (bpf_task_from_pid():
# the initial namespace's pids) is not used: pids are the caller's.
if command -v unshare >/dev/null && unshare --pid --fork --mount-proc true 2>/dev/null; then
	out=$(unshare --pid --fork --mount-proc sh -c "vmscope maps --maps --source bpf 1 > $TMPDIR/ns.maps &&
		cat /proc/1/maps > $TMPDIR/ns.proc && vmscope -v maps 1 2>&1 >/dev/null"); diag "$out"
	same "$TMPDIR/ns.maps" "$TMPDIR/ns.proc" && ! printf '%s\n' "$out" | grep -q "vma_pid"
	result "in a new pid namespace, maps 1 is that namespace's pid 1" $?
	out=$(unshare --pid --fork --mount-proc sh tests/lib/ns_all.sh build/tests/vmtarget 2>&1); diag "$out"
	printf '%s\n' "$out" | grep -qx "fast ok" && printf '%s\n' "$out" | grep -qx "seq ok"
	result "in a new pid namespace, maps --all (several passes, both iterators) names its pids, each exact" $?
else
	skip "in a new pid namespace, maps 1 is that namespace's pid 1" "no unshare --pid here"
	skip "in a new pid namespace, maps --all names its pids" "no unshare --pid here"
fi

# The bpffs cache of loaded listings (root only).
cache=/sys/fs/bpf/vmscope
vmscope maps $$ > /dev/null
out=$(vmscope -v maps --maps --source bpf $$ 2>&1 > "$TMPDIR/c.maps"); diag "$out"
kmaps $$ > "$TMPDIR/c.proc"
[ "$(stat -c %a:%u "$cache")" = 700:0 ] && printf '%s\n' "$out" | grep -q "from the bpffs cache" &&
	same "$TMPDIR/c.maps" "$TMPDIR/c.proc"
result "a second listing opens the programs from the bpffs cache (0700, root's) and is right" $?
out=$(VMSCOPE_BPFCACHE=0 vmscope -v maps $$ 2>&1 >/dev/null)
! printf '%s\n' "$out" | grep -q "bpffs cache"
result "VMSCOPE_BPFCACHE=0 neither uses nor makes the cache" $?
chmod 755 "$cache"
out=$(vmscope -v maps --maps --source bpf $$ 2>&1 > "$TMPDIR/c.maps"); diag "$out"
st=$(vmscope status | grep 'cache of loaded listings'); diag "$st"
chmod 700 "$cache"
printf '%s\n' "$st" | grep -q "^  no .*not used: $cache is not root's own"
result "status says a cache others could change is not used, and why" $?
st=$(vmscope status | grep 'cache of loaded listings')
st0=$(VMSCOPE_BPFCACHE=0 vmscope -j status | tr -d '\n')
printf '%s\n' "$st" | grep -q '^  ok .*in use: [1-9][0-9]* object' &&
	printf '%s\n' "$st0" | grep -q '"route":"bpffs_cache","what":"[^"]*","ok":false,"errno":null,"detail":"off: VMSCOPE_BPFCACHE=0"'
result "status says the cache is in use, or off with VMSCOPE_BPFCACHE=0 (JSON)" $?
kmaps $$ > "$TMPDIR/c.proc"
! printf '%s\n' "$out" | grep -q "from the bpffs cache" && same "$TMPDIR/c.maps" "$TMPDIR/c.proc"
result "a cache others could change (mode 755) is not used" $?
if id nobody >/dev/null 2>&1; then
	chown nobody "$cache"
	out=$(vmscope -v maps $$ 2>&1 >/dev/null); diag "$out"
	chown 0 "$cache"
	! printf '%s\n' "$out" | grep -q "from the bpffs cache"
	result "a cache owned by another user is not used" $?
else
	skip "a cache owned by another user is not used" "no 'nobody' user here"
fi
# A thread's ID: its process's address space, as /proc/TID/maps shows it,
# and a note that says which process was listed.
python3 -c 'import threading, time, sys
def f():
	print(threading.get_native_id(), flush=True); time.sleep(60)
threading.Thread(target=f, daemon=True).start(); time.sleep(60)' > "$TMPDIR/tid" &
tpid=$!
for _ in $(seq 100); do [ -s "$TMPDIR/tid" ] && break; sleep 0.05; done
tid=$(cat "$TMPDIR/tid")
vmscope maps --maps --source bpf "$tid" > "$TMPDIR/tid.maps" 2> "$TMPDIR/tid.err"; r=$?
kmaps "$tid" > "$TMPDIR/tid.k"
diag "thread $tid of $tpid: $(cat "$TMPDIR/tid.err")"
kill $tpid 2>/dev/null; wait $tpid 2>/dev/null
[ $r = 0 ] && [ -n "$tid" ] && [ "$tid" != "$tpid" ] && [ -s "$TMPDIR/tid.k" ] &&
	same "$TMPDIR/tid.maps" "$TMPDIR/tid.k" && grep -q "is a thread of process $tpid" "$TMPDIR/tid.err"
result "maps TID (a thread that is not the leader): the process's maps, and a note saying so" $?

# Root runs at once, the first of them making the entry: each lists its
# own process, none shares another's maps (the maker keeps its entry
# locked), and no half-made entry is left.
rm -rf "$cache"
ptargets=() pruns=()
for i in 1 2 3 4 5 6 7 8; do sleep 300 & ptargets+=($!); done
for p in "${ptargets[@]}"; do
	for _ in $(seq 50); do [ "$(cat /proc/$p/comm 2>/dev/null)" = sleep ] && break; sleep 0.02; done
done
for p in "${ptargets[@]}"; do vmscope maps --maps --source bpf $p > "$TMPDIR/par.$p" 2>&1 & pruns+=($!); done
wait "${pruns[@]}"
bad=0
for p in "${ptargets[@]}"; do
	kmaps $p > "$TMPDIR/par.$p.k"
	same "$TMPDIR/par.$p" "$TMPDIR/par.$p.k" || { diag "process $p: $(head -c 300 "$TMPDIR/par.$p")"; bad=1; }
done
kill "${ptargets[@]}" 2>/dev/null; wait "${ptargets[@]}" 2>/dev/null
left=$(ls -d "$cache"/new_* 2>/dev/null)
[ $bad = 0 ] && [ -z "$left" ]
result "8 root listings at once, from an empty cache: each is its process's /proc/PID/maps${left:+ (left: $left)}" $?
entries=$(ls -d "$cache"/vma_fast-* "$cache"/vma_pid-* 2>/dev/null | grep -v _refused)
if [ -n "$entries" ]; then
	# Their program's pin now names one of their maps.
	for e in $entries; do mv "$e/p0" "$e/p9" && ln "$e/m0" "$e/p0"; done
	out=$(vmscope -v maps --maps --source bpf $$ 2>&1 > "$TMPDIR/c.maps"); diag "$out"
	rm -rf $entries
	! printf '%s\n' "$out" | grep -q "from the bpffs cache" && same "$TMPDIR/c.maps" "$TMPDIR/c.proc"
	result "a cache entry whose program is not the listing's is not used" $?
else
	skip "a cache entry whose program is not the listing's is not used" "no entry made"
fi

rm -f "$TMPDIR/pin"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
pin=/sys/fs/bpf/vmscope_host_test_$$
vmscope pin "$pin" --pid $$ && cat "$pin" > "$TMPDIR/pin.txt" && kmaps $$ > "$TMPDIR/proc.txt" &&
	same "$TMPDIR/pin.txt" "$TMPDIR/proc.txt"
result "pin --pid + cat equals /proc/PID/maps" $?
vmscope unpin "$pin" && ! test -e "$pin"
result "unpin removes the pin" $?

# expect_err NAME STATUS PATTERN CMD...: CMD exits STATUS and says PATTERN.
expect_err() {
	local name=$1 want=$2 pat=$3 out r
	shift 3
	out=$("$@" 2>&1 >/dev/null); r=$?
	diag "$* -> $r: $out"
	[ "$r" = "$want" ] && printf '%s\n' "$out" | grep -q -- "$pat" &&
		[ "$(printf '%s\n' "$out" | wc -l)" = 1 ]
	result "$name" $?
}
expect_err "no such pid: one clear line, exit 1" 1 "no such process: 4194303" vmscope maps 4194303
kt=$(awk '$9 ~ /./ {print FILENAME}' /dev/null; for d in /proc/[0-9]*; do
	f=$(awk '{print $9}' "$d/stat" 2>/dev/null) || continue
	[ -n "$f" ] && [ $((f & 0x00200000)) != 0 ] && { echo "${d#/proc/}"; break; }; done)
if [ -n "$kt" ]; then
	expect_err "kernel thread $kt: one clear line, exit 1" 1 "kernel thread" vmscope maps "$kt"
else
	skip "kernel thread: one clear line, exit 1" "no kernel thread visible in /proc"
fi
expect_err "no arguments: exit 2" 2 "no command given" vmscope
expect_err "maps without a pid: exit 2" 2 "expected a PID or --all" vmscope maps
expect_err "non-numeric pid: exit 2" 2 "invalid pid 'abc'" vmscope maps abc
expect_err "pid 0: exit 2" 2 "invalid pid '0'" vmscope maps 0
expect_err "huge pid: exit 2" 2 "invalid pid '99999999999'" vmscope maps 99999999999
expect_err "pid and --all together: exit 2" 2 "not both" vmscope maps --all 1
expect_err "unknown option: exit 2" 2 "unknown option '--bogus'" vmscope maps --bogus $$
expect_err "unknown command: exit 2" 2 "unknown command 'mapz'" vmscope mapz
expect_err "pin outside bpffs: exit 1" 1 "not on a BPF filesystem" vmscope pin "$TMPDIR/x"
expect_err "unpin of something not pinned: exit 1" 1 "No such file" vmscope unpin /sys/fs/bpf/vmscope-none-$$
expect_err "pin name with a dot: exit 1" 1 "does not allow '.'" vmscope pin /sys/fs/bpf/a.b

if id nobody >/dev/null 2>&1 && command -v su >/dev/null; then
	# The clone may live where nobody cannot enter (a 0700 mktemp folder):
	# run a copy from a folder nobody can reach.
	pub=$(mktemp -d /tmp/vmscope-pub.XXXXXX); chmod 755 "$pub"
	cp build/vmscope "$pub/"; chmod 755 "$pub/vmscope"
	out=$(cd / && su nobody -s /bin/sh -c "$pub/vmscope maps $$" 2>&1 >/dev/null); r=$?
	rm -rf "$pub"
	diag "as nobody -> $r: $out"
	[ $r = 1 ] && printf '%s\n' "$out" | grep -q "BPF needs root"
	result "no permission for BPF: one clear line, exit 1" $?
else
	skip "no permission for BPF: one clear line, exit 1" "no 'nobody' user or no su here"
fi
out=$(vmscope -j maps 4194303 2>/dev/null)
[ "$out" = '{"error":"no such process: 4194303","errno":3}' ]
result "--json errors are JSON on stdout: {error, errno}" $?
out=$(vmscope status 2>&1); diag "$out"
if [ -e /proc/modules ]; then
	printf '%s\n' "$out" | grep -q "module:      not loaded" &&
		printf '%s\n' "$out" | grep -Eq "modprobe|insmod|dkms"
else
	printf '%s\n' "$out" | grep -q "module:      cannot be loaded: this kernel ($(uname -r)) has no module support"
fi
result "status without the module says how to load it, or that it cannot be loaded here" $?
n=$(vmscope -j maps $$ | grep -o '"start":' | wc -l)
[ "$n" = "$(kmaps $$ | wc -l)" ]
result "maps --json has one object per VMA" $?
finish
