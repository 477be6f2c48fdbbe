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

# start_target MODE [ARGS]: runs vmtarget with a pipe on stdin, waits for
# its "ready" line.  Sets TPID and TREADY; stop it with stop_target.
start_target() {
	_fifo=${TMPDIR:-/tmp}/vmt.$$.$RANDOM
	mkfifo "$_fifo" "$_fifo.out"
	vmtarget "$@" < "$_fifo" > "$_fifo.out" &
	TPID=$!
	exec 8> "$_fifo"	# keeps its stdin open until stop_target
	exec 9< "$_fifo.out"
	read -r TREADY <&9
	rm -f "$_fifo" "$_fifo.out"
}

stop_target() {
	exec 8>&- 9<&-
	wait "$TPID" 2>/dev/null
}
