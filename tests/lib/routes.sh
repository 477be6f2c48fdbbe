# The listing's routes, each tested on whatever kernel runs the tests (host
# and guest; busybox sh compatible): file names by bpf_d_path() and by the
# dentry walk, the /proc text fallback, find's four sources, and the
# fallback's notice.  A route this kernel refuses is a SKIP that quotes
# the verifier's reason.  Needs tests/lib/{tap,maps,target}.sh and vmtarget.
# Call: routes_tests DIR UNPRIVILEGED-USER (empty: skip those tests)

# names_route_refused ROUTE PID: why the BPF listing with this names route
# does not load here (empty when it does).
names_route_refused() {
	VMSCOPE_NAMES=$1 vmscope -v maps --source bpf "$2" > /dev/null 2> "$TMPDIR/route.err" && return 0
	grep -m1 'BPF object' "$TMPDIR/route.err" || head -n 1 "$TMPDIR/route.err"
}

routes_tests() {
	_dir=$1 _user=$2
	rm -rf "$_dir"; mkdir -p "$_dir"
	start_target names "$_dir"
	diag "vmtarget names: $TREADY"
	for _k in file deleted deleted-suffix long renamed memfd sysv-shm shared-anon bind tmpfs; do
		case ",${TREADY#*made=} " in
		*,$_k[,\ ]*) ;;
		*) diag "not made here: $_k" ;;
		esac
	done
	for _r in d_path walk; do
		_why=$(names_route_refused $_r "$TPID")
		if [ -n "$_why" ]; then
			skip "names by $_r: maps equals /proc/PID/maps for every kind of name" "refused here: $_why"
			skip "names by $_r: a pin equals /proc/PID/maps" "refused here: $_why"
			continue
		fi
		VMSCOPE_NAMES=$_r maps_equal "$TPID"
		result "names by $_r: maps equals /proc/PID/maps for every kind of name" $?
		_pin=/sys/fs/bpf/vms_routes_$$
		rm -f "$_pin"
		VMSCOPE_NAMES=$_r vmscope pin "$_pin" --pid "$TPID" && cat "$_pin" > "$TMPDIR/r.pin" &&
			kmaps "$TPID" > "$TMPDIR/r.proc" && same "$TMPDIR/r.pin" "$TMPDIR/r.proc"
		result "names by $_r: a pin equals /proc/PID/maps" $?
		rm -f "$_pin"
	done
	# The route the CLI picks by itself is one that loads, and JSON names it.
	_names=$(vmscope -j maps "$TPID" | sed -n 's/^\[{.*"source":"bpf","names":"\([a-z_]*\)".*/\1/p')
	_st=$(vmscope -j status | sed -n 's/.*"names":"\([a-z_]*\)".*/\1/p')
	diag "maps chose names by '$_names', status says '$_st'"
	[ -n "$_names" ] && [ "$_names" = "$_st" ] && [ -z "$(names_route_refused "$_names" "$TPID")" ]
	result "maps picks a names route that loads, says which in JSON, as status does" $?
	MAPS_SOURCE=proc maps_equal "$TPID"
	result "maps --source proc equals /proc/PID/maps" $?
	vmscope -j maps --source proc "$TPID" | grep -q '"source":"proc_maps","names":null'
	result "maps --source proc says source proc_maps in JSON" $?

	# find: every source that works here gives the same VMA for each address.
	_addrs=$(awk '{split($1, a, "-"); print a[1]}' "/proc/$TPID/maps" | grep -v '^ffffffffff6' | head -n 400)
	_n=$(printf '%s\n' $_addrs | wc -l)
	_base=""
	for _s in module bpf procmap_query proc; do
		if ! vmscope find --source $_s "$TPID" $_addrs > "$TMPDIR/find.$_s" 2> "$TMPDIR/find.err"; then
			skip "find --source $_s agrees with the other sources ($_n addresses)" \
				"$(head -n 1 "$TMPDIR/find.err")"
			continue
		fi
		# procmap_query and proc report only r/w/x/s: compare the columns all have.
		awk '{print $1, $2, $3, $4, $5, $6, $7}' "$TMPDIR/find.$_s" > "$TMPDIR/find.$_s.cols"
		if [ -z "$_base" ]; then
			_base=$_s
			[ "$(wc -l < "$TMPDIR/find.$_s")" = $((_n + 1)) ]
		else
			same "$TMPDIR/find.$_base.cols" "$TMPDIR/find.$_s.cols"
		fi
		result "find --source $_s agrees with the other sources ($_n addresses)" $?
	done
	stop_target

	if [ -z "$_user" ]; then
		skip "without BPF permission: maps from /proc text, said once on stderr" "no unprivileged user here"
		skip "without BPF permission: find from PROCMAP_QUERY or /proc text" "no unprivileged user here"
		return
	fi
	_pub=$(mktemp -d /tmp/vmscope-pub.XXXXXX); chmod 1777 "$_pub"
	cp "$(command -v vmscope)" "$_pub/"; chmod 755 "$_pub/vmscope"
	(cd / && su "$_user" -s /bin/sh -c "$_pub/vmscope maps --maps \$\$ > $_pub/out 2> $_pub/err; echo \$? > $_pub/rc; cat /proc/\$\$/maps > $_pub/proc") 2>/dev/null
	diag "rc $(cat "$_pub/rc" 2>/dev/null); stderr: $(cat "$_pub/err" 2>/dev/null)"
	[ "$(cat "$_pub/rc")" = 0 ] && [ "$(wc -l < "$_pub/err")" = 1 ] &&
		grep -q "VMAs from /proc/PID/maps: the BPF listing did not load (permission denied" "$_pub/err" &&
		[ "$(grep -c . "$_pub/out")" -gt 3 ] &&
		# the shell's own maps, read by itself: identical but for the process
		[ "$(grep -vc 'vmscope' "$_pub/out")" -gt 0 ]
	result "without BPF permission: maps from /proc text, said once on stderr" $?
	(cd / && su "$_user" -s /bin/sh -c "$_pub/vmscope -j find \$\$ 0 > $_pub/out 2> $_pub/err; echo \$? > $_pub/rc") 2>/dev/null
	diag "find: rc $(cat "$_pub/rc"); $(cat "$_pub/out") $(cat "$_pub/err")"
	[ "$(cat "$_pub/rc")" = 0 ] && grep -Eq '"source":"(procmap_query|proc_maps)"' "$_pub/out" &&
		grep -q "did not answer" "$_pub/err"
	result "without BPF permission: find from PROCMAP_QUERY or /proc text" $?
	rm -rf "$_pub"
}
