#!/bin/bash
# Runs every vmscope test: host tests here, guest tests in the QEMU guest.
# Prints each program's TAP, then the plain line "N passed, N failed, N skipped".
#   tests/run.sh [host|guest]   (default: both)
set -uo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
pass=0 fail=0 skipped=0
log=build/test-logs
mkdir -p "$log"

# Count one program's TAP output (file $2, exit status $3, name $1).
count() {
	local name=$1 f=$2 rc=$3 p s x plan ran
	p=$(grep -cE '^ok [0-9]+' "$f" | head -n1)
	s=$(grep -cE '^ok [0-9]+ .*# SKIP' "$f")
	x=$(grep -cE '^not ok [0-9]+' "$f")
	plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$f" | head -n1)
	ran=$((p + x))
	pass=$((pass + p - s)); skipped=$((skipped + s)); fail=$((fail + x))
	if [ -z "$plan" ] || [ "$plan" != "$ran" ]; then
		echo "not ok - $name: planned ${plan:-nothing}, ran $ran"
		fail=$((fail + 1))
	elif [ "$rc" != 0 ] && [ "$x" = 0 ]; then
		echo "not ok - $name: exited $rc with no failing test"
		fail=$((fail + 1))
	fi
}

run_host() {
	local t name rc
	for t in tests/host_*.sh build/tests/host_*; do
		[ -x "$t" ] || [ "${t%.sh}" != "$t" ] || continue
		[ -e "$t" ] || continue
		case $t in *.c|*.o|*.h) continue ;; esac
		name=$(basename "$t")
		echo "# host: $name"
		if [ "${t%.sh}" != "$t" ]; then bash "$t" > "$log/$name.out" 2>&1; else "$t" > "$log/$name.out" 2>&1; fi
		rc=$?
		cat "$log/$name.out"
		count "$name" "$log/$name.out" $rc
	done
}

run_guest() {
	local rc name f
	scripts/vm.sh run --timeout 3000 --script tests/guest-run.sh > "$log/guest.console" 2>&1
	rc=$?
	cat "$log/guest.console"
	# Split the console into one file per program, between the markers.
	rm -f "$log"/guest_*.out
	awk -v dir="$log" '
		/^=== BEGIN / { f = dir "/" $3 ".out"; next }
		/^=== END / { if (f) { print "rc=" $4 > (f ".rc"); close(f ".rc"); close(f) } f = ""; next }
		f { print > f }' "$log/guest.console"
	for f in "$log"/guest_*.out; do
		[ -e "$f" ] || continue
		name=$(basename "$f" .out)
		count "$name" "$f" "$(sed -n 's/^rc=//p' "$f.rc" 2>/dev/null || echo 1)"
	done
	if [ $rc != 0 ]; then
		case $rc in
		124) echo "not ok - guest: timed out" ;;
		125) echo "not ok - guest: the kernel log shows an Oops, BUG, WARNING or missing BTF" ;;
		126) echo "not ok - guest: the guest died without reporting" ;;
		*) echo "# guest runner exited $rc" ;;
		esac
		[ $rc -ge 124 ] && fail=$((fail + 1))
	fi
	if ! ls "$log"/guest_*.out >/dev/null 2>&1; then
		echo "not ok - guest: no test ran in the guest"
		fail=$((fail + 1))
	fi
}

case $which in
host) run_host ;;
guest) run_guest ;;
all) run_host; run_guest ;;
*) echo "usage: tests/run.sh [host|guest]" >&2; exit 2 ;;
esac
echo "$pass passed, $fail failed, $skipped skipped"
[ $fail = 0 ]
