# Minimal kselftest-style TAP for vmscope's shell tests (busybox sh too).
#   tap_start; ok "name" CMD...; result "name" STATUS; skip "name" "why"; finish
# (bail "why" when nothing more can run)
# The plan is counted: finish prints "1..N" after the last result, so a
# script that dies early prints no plan and the runner fails it.
_tap_n=0 _tap_fail=0

tap_start() { echo "TAP version 13"; }
diag() { printf "%s\n" "$*" | sed "s/^/# /"; }

# pass/fail by an exit status: result NAME STATUS
result() {
	_tap_n=$((_tap_n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $_tap_n $1"
	else
		echo "not ok $_tap_n $1"
		_tap_fail=$((_tap_fail + 1))
	fi
}

# ok NAME CMD [ARGS...]: run CMD, pass if it succeeds.
ok() {
	_name=$1; shift
	"$@"
	result "$_name" $?
}

skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n $1 # SKIP $2"
}

# bail WHY: the test cannot go on (kselftest's "Bail out!"); it ends
# without a plan, which the runner counts as a failure.
bail() {
	echo "Bail out! $*"
	exit 1
}

finish() {
	echo "1..$_tap_n"
	[ "$_tap_fail" = 0 ]
	exit $?
}

# Show a diff as diagnostics; status 0 when the files are equal.
same() {
	if cmp -s "$1" "$2"; then return 0; fi
	diff "$1" "$2" 2>&1 | head -n 20 | sed 's/^/# /'
	return 1
}
