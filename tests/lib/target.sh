# Starting tests/vmtarget and waiting until it is ready (busybox sh
# compatible; host and guest).  Use it instead of a sleep: a slow guest
# (TCG, a debug kernel) can take longer than any fixed pause to build the
# target's memory, and a fast one needs none.
#
#   target_start FD OUT MODE [ARGS...] || bail "vmtarget MODE: $TREADY"
#	runs "vmtarget MODE ARGS" ($VMTARGET if set: a copy) in the
#	background with its stdout in the file OUT (later lines stay
#	readable there: "value: ...", "done") and
#	its stdin a pipe this shell holds open on descriptor FD (3 to 9, one
#	the test does not use otherwise).  Waits for its first line, at most
#	$TARGET_TIMEOUT seconds (default 60).  Sets TPID, and TREADY to that
#	line; returns 0 when it starts with "ready ", 1 otherwise (TREADY
#	then says why: the target's own line, "exited ..." or "no line ...").
#   target_stop FD PID
#	closes FD, which vmtarget reads as EOF and exits, and reaps it.
#	Kill the modes that never read stdin (strings, churn) first.
#   target_vars PREFIX LINE
#	sets PREFIX_KEY=VALUE for every KEY=VALUE word of a ready line.
#   wait_until SECS CMD [ARGS...]
#	(below) polls CMD until it succeeds.

target_start() {
	_fd=$1 _out=$2
	shift 2
	_fifo=${TMPDIR:-/tmp}/vmt.in.$$.$_fd
	rm -f "$_fifo" "$_out"
	mkfifo "$_fifo" || { TREADY="no fifo $_fifo"; return 1; }
	: > "$_out"
	# Without the shell's other descriptors: a target started while another
	# runs must not hold that one's stdin open (it would never see EOF).
	${VMTARGET:-vmtarget} "$@" < "$_fifo" > "$_out" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	TPID=$!
	# Opening the write end lets vmtarget's open of its stdin return.
	eval "exec $_fd> \"\$_fifo\""
	rm -f "$_fifo"
	_i=0 _n=$((${TARGET_TIMEOUT:-60} * 20))
	TREADY=
	while [ $_i -lt $_n ]; do
		_alive=1
		kill -0 $TPID 2>/dev/null || _alive=0
		# A whole line: vmtarget's stdout is line-buffered.
		if [ "$(wc -l < "$_out")" -ge 1 ]; then
			IFS= read -r TREADY < "$_out"
			case $TREADY in "ready "*) return 0 ;; *) return 1 ;; esac
		fi
		if [ $_alive = 0 ]; then
			wait $TPID
			TREADY="exited with status $? before its ready line"
			return 1
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	TREADY="no line in ${TARGET_TIMEOUT:-60} s (pid $TPID)"
	return 1
}

target_stop() {
	eval "exec $1>&-"
	wait "$2" 2>/dev/null
}

target_vars() {
	_p=$1
	for _kv in $2; do
		case $_kv in *=*) eval "${_p}_${_kv%%=*}=\${_kv#*=}" ;; esac
	done
}

# wait_until SECS CMD [ARGS...]: runs CMD every 50 ms until it succeeds, for
# at most SECS seconds; CMD's last status.  For a state the test waits on
# (a line the target prints), instead of a sleep long enough on most days.
wait_until() {
	_n=$(($1 * 20))
	shift
	while ! "$@"; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || return 1
		sleep 0.05
	done
}

# exec_wait PID NAME [SECS]: wait until process PID has exec'd NAME (its
# comm), as a child started with "NAME ... &" has not yet when $! is set:
# a test that reads its maps at once would race the exec.
exec_wait() {
	wait_until "${3:-10}" _exec_done "$1" "$2"
}
_exec_done() { [ "$(cat /proc/$1/comm 2>/dev/null)" = "$2" ]; }
