# Helpers shared by the maps tests (host and guest; busybox sh compatible).

# /proc/PID/maps as the kernel prints it, [vsyscall] included.
kmaps() { cat "/proc/$1/maps"; }

# maps_equal PID: vmscope's --maps output equals the kernel's maps file.
# The listing must come from BPF (--source bpf: a silent fallback to the
# maps text would compare the file with itself); MAPS_SOURCE=proc tests
# the text route on purpose.  Retries once: a process may change its
# mappings between the two reads.
maps_equal() {
	_d=${TMPDIR:-/tmp}
	for _try in 1 2; do
		vmscope maps --maps --source "${MAPS_SOURCE:-bpf}" "$1" > "$_d/vms.$1" 2> "$_d/vms.err.$1" || { cat "$_d/vms.err.$1" | sed 's/^/# /'; return 1; }
		kmaps "$1" > "$_d/proc.$1"
		if cmp -s "$_d/vms.$1" "$_d/proc.$1"; then
			rm -f "$_d/vms.$1" "$_d/proc.$1" "$_d/vms.err.$1"
			return 0
		fi
	done
	diag "vmscope: $(wc -l < "$_d/vms.$1") lines, /proc/$1/maps: $(wc -l < "$_d/proc.$1") lines"
	diff "$_d/vms.$1" "$_d/proc.$1" 2>&1 | head -n 10 | sed 's/^/# /'
	return 1
}

# start_target MODE [ARGS]: vmtarget MODE ARGS through target_start
# (tests/lib/target.sh, which the test sources too) on descriptor 8: waits
# for its first line.  Sets TPID and TREADY (that line, or why none came);
# stop it with stop_target (kill the modes that never read stdin first).
start_target() {
	target_start 8 "${TMPDIR:-/tmp}/vmt.$$.out" "$@" && return 0
	diag "vmtarget $1: $TREADY"
	return 1
}

stop_target() {
	target_stop 8 "$TPID"
}
