# Minimal kselftest-style TAP for vmscope's shell tests (busybox sh too).
#   plan N; ok "name" CMD...; check "name" COND_STATUS; skip "name" "why"
_tap_n=0 _tap_fail=0 _tap_plan=0

plan() { _tap_plan=$1; echo "TAP version 13"; echo "1..$1"; }
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

finish() {
	if [ "$_tap_n" != "$_tap_plan" ]; then
		echo "# planned $_tap_plan tests, ran $_tap_n"
		exit 1
	fi
	[ "$_tap_fail" = 0 ]
	exit $?
}

# Show a diff as diagnostics; status 0 when the files are equal.
same() {
	if cmp -s "$1" "$2"; then return 0; fi
	diff "$1" "$2" 2>&1 | head -n 20 | sed 's/^/# /'
	return 1
}
