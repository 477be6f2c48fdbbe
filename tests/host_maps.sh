#!/bin/bash
# vmscope on the host kernel, without the module: listings equal
# /proc/PID/maps; errors are clear and exit non-zero.
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
. tests/lib/maps.sh
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
