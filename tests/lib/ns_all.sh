#!/bin/sh
# Run inside a new pid namespace (with its own /proc) by host_maps and
# guest_maps: 'maps --all --maps' there, in several passes (a target with
# 40,000 VMAs), must name the namespace's pids and give each process's
# /proc/PID/maps exactly.  Prints one line per route: "ROUTE ok" or
# "ROUTE bad: WHY".  $1: vmtarget's path; $2: the routes (VMSCOPE_PATH
# values, "default" for none; default "fast seq").
vt=$1
routes=${2:-fast seq}
sleep 300 & s1=$!
mkfifo /tmp/ns_all_in.$$ 2>/dev/null
"$vt" vmas 20000 < /tmp/ns_all_in.$$ > /tmp/ns_all_vt.$$ &
vtp=$!
exec 9> /tmp/ns_all_in.$$
n=0
while ! grep -q '^ready' /tmp/ns_all_vt.$$ 2>/dev/null; do
	n=$((n + 1)); [ $n -gt 600 ] && { echo "all bad: vmtarget never got ready"; exit 1; }
	sleep 0.1
done
for route in $routes; do
	if [ "$route" = default ]; then
		vmscope maps --all --maps > /tmp/ns_all.$$ 2> /tmp/ns_all.err.$$
	else
		VMSCOPE_PATH=$route vmscope maps --all --maps > /tmp/ns_all.$$ 2> /tmp/ns_all.err.$$
	fi
	rc=$?
	bad=""
	[ $rc = 0 ] || bad="exit $rc: $(head -c 300 /tmp/ns_all.err.$$)"
	for p in 1 $s1 $vtp; do
		grep -qx "==> /proc/$p/maps <==" /tmp/ns_all.$$ || { bad="$bad; no header for pid $p"; continue; }
		awk -v p="$p" '/^==> / { on = ($2 == "/proc/" p "/maps"); next } on && NF' /tmp/ns_all.$$ > /tmp/ns_one.$$
		cat /proc/$p/maps | cmp -s - /tmp/ns_one.$$ || bad="$bad; pid $p differs from its /proc/PID/maps ($(cat /proc/$p/maps | diff - /tmp/ns_one.$$ | head -3 | tr "\n" " "))"
	done
	# Every header names a pid of this namespace (vmscope itself has exited).
	for p in $(sed -n 's#^==> /proc/\([0-9]*\)/maps <==$#\1#p' /tmp/ns_all.$$); do
		[ "$p" -lt 1000 ] || bad="$bad; pid $p is not this namespace's"
	done
	[ -s /tmp/ns_one.$$ ] && [ "$(wc -l < /tmp/ns_one.$$)" -gt 40000 ] ||
		bad="$bad; the target's listing is short"
	rm -f /tmp/ns_one.$$
	[ -z "$bad" ] && echo "$route ok" || echo "$route bad:$bad"
done
exec 9>&-
kill $s1 2>/dev/null
wait 2>/dev/null
rm -f /tmp/ns_all*.$$
