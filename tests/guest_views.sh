#!/bin/sh
# The views with the module (the guest; tests/host_views.sh runs them from
# pagemap and smaps): summary from the module's walk against smaps_rollup
# and against summary --source smaps; snapshot, a known workload, snapshot
# and diff, whose counts (dirtied too, which only the module knows) are
# checked against pagemap dumps read here; watch from the module; and a
# map of a target with THP, zero, COW-shared and swapped (zram) regions,
# which is printed on the console between markers ("=== VIEWFILE NAME",
# base64 of gzip) so that tests/run.sh opens it in Chromium on the host
# (tests/host_view_browser.py), with the target's /proc/PID/maps.
. /tests/lib/tap.sh
. /tests/lib/target.sh
T=/tmp/views
rm -rf $T; mkdir -p $T
tap_start

run() { "$@" > $T/out 2> $T/err; rc=$?; }

setup_swap_sh() {
	grep -q zram /proc/swaps && return 0
	insmod /lib/modules/lz4_compress.ko 2>/dev/null
	insmod /lib/modules/lz4hc_compress.ko 2>/dev/null
	insmod /lib/modules/zram.ko 2>/dev/null
	[ -e /sys/block/zram0 ] || return 1
	echo lz4 > /sys/block/zram0/comp_algorithm
	echo 64M > /sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null 2>&1 &&
		swapon /dev/zram0
}
setup_swap_sh || diag "no zram swap: $(ls /sys/block 2>&1 | tr '\n' ' ')"
swap=0
grep -q zram /proc/swaps && swap=1

# pm PID ADDR PAGES: "present swapped exclusive" counts of pagemap, read here
pm() {
	dd if=/proc/$1/pagemap bs=8 skip=$(($2 / 4096)) count=$3 2>/dev/null | od -An -v -tx8 |
	awk '{ for (i = 1; i <= NF; i++) {
		h = index("0123456789abcdef", substr($i, 1, 1)) - 1
		l = index("0123456789abcdef", substr($i, 2, 1)) - 1
		if (h >= 8) p++
		if (h % 8 >= 4) s++
		if (h >= 8 && l % 2 == 1) e++ } }
	END { printf "%d %d %d\n", p, s, e }'
}
# num KEY FILE: the first number after "KEY": in a JSON file
num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" $2 | head -n1; }

# ---- summary from the module ----
target_start 6 $T/mix.out mix || bail "vmtarget mix: $TREADY"
M=$TPID MREADY=$TREADY
diag "$MREADY"
run vmscope -j summary $M
cp $T/out $T/sum.mod
grep -q '"source":"module"' $T/out && grep -q '"use_source":"module"' $T/out
result "summary with the module: the module's walk, said" $?
# The total's columns from the JSON, and the same from smaps_rollup.
sed 's/.*"total":{//' $T/sum.mod | tr ',' '\n' | sed 's/[{}"]//g' > $T/tot
awk -F: '{ v[$1] = $2 } END { print v["rss_kb"], v["private_kb"], v["dirty_kb"], v["swap_kb"], v["pss_kb"], v["vmas"] }' $T/tot > $T/tot.vms
awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } /^Swap:/ { w = $2 } /^Private_(Clean|Dirty):/ { pr += $2 }
     /^(Shared|Private)_Dirty:/ { d += $2 } END { print r, pr, d, w, p }' /proc/$M/smaps_rollup > $T/tot.roll
diag "summary (module) total: $(cat $T/tot.vms); smaps_rollup: $(cat $T/tot.roll)"
set -- $(cat $T/tot.vms) $(cat $T/tot.roll)
[ "$1 $2 $3 $4" = "$7 $8 $9 ${10}" ] && [ $((${11} - $5)) -ge -1 ] && [ $((${11} - $5)) -le $6 ]
result "summary from the module: RSS, private, dirty, swap equal smaps_rollup; PSS within 1 kB a VMA" $?
run vmscope -j summary --source smaps $M
sed 's/.*"total":{//' $T/out | tr ',' '\n' | sed 's/[{}"]//g' |
	awk -F: '{ v[$1] = $2 } END { print v["rss_kb"], v["private_kb"], v["dirty_kb"], v["swap_kb"], v["huge_kb"] }' > $T/tot.smaps
awk -F: '{ v[$1] = $2 } END { print v["rss_kb"], v["private_kb"], v["dirty_kb"], v["swap_kb"], v["huge_kb"] }' $T/tot > $T/tot.mod
diag "module: $(cat $T/tot.mod); smaps: $(cat $T/tot.smaps)"
cmp -s $T/tot.mod $T/tot.smaps && grep -q '"use_source":"smaps"' $T/out
result "summary --source smaps equals the module's walk (RSS, private, dirty, swap, huge)" $?

# ---- the map of the mix target, for the browser on the host ----
target_vars X "$MREADY"
run vmscope map $M -o $T/map.html --explain 32
diag "$(cat $T/out)"
[ $rc = 0 ] && grep -q '"source":"module"' $T/map.html
result "map with the module: pages from the module's walk" $?
grep -q '"sharers":\[' $T/map.html
result "map --explain as root: the walk and who maps the page (vmem_sharers)" $?
cp /proc/$M/maps $T/maps
# The first page of out that pagemap shows swapped (MADV_PAGEOUT may leave
# some in memory when the machine is busy).
out_sw=0 out_at=$((X_out))
for i in 0 1 2 3 4 5 6 7; do
	if [ "$(pm $M $((X_out + i * 4096)) 1 | cut -d' ' -f2)" = 1 ]; then
		out_sw=1 out_at=$((X_out + i * 4096))
		break
	fi
done
X_out=$(printf '0x%x' $out_at)
thp_state=thp; grep -q 'AnonHugePages:      4096 kB' /proc/$M/smaps || thp_state=null
{
	printf '[["the THP region", "%s", 1024, %s, %s],\n' $X_thp \
		"$([ $thp_state = thp ] && echo '"thp"' || echo null)" \
		"$([ $thp_state = thp ] && echo null || echo '"no THP in this guest"')"
	printf ' ["the zero-page region", "%s", 8, "zero", null],\n' $X_zero
	printf ' ["the COW-shared region", "%s", 8, "4k", "shared"],\n' $X_cow
	if [ "$out_sw" = 1 ]; then
		printf ' ["a swapped page", "%s", 1, "swap", null]]\n' $X_out
	else
		printf ' ["a swapped page", "%s", 1, null, "MADV_PAGEOUT swapped none of 8 here"]]\n' $X_out
	fi
} > $T/regions.json
for f in map.html maps regions.json; do
	echo "=== VIEWFILE $f"
	gzip -c $T/$f | base64 | sed 's/^/B64 /'
	echo "=== VIEWEND"
done
target_stop 6 $M

# ---- a known workload: snapshots and diff, against pagemap ----
target_start 7 $T/w.out workload || bail "vmtarget workload: $TREADY"
W=$TPID
target_vars A "$TREADY"
lines=1
cmd() {
	echo "$1" >&7
	lines=$((lines + 1))
	i=0
	while [ "$(wc -l < $T/w.out)" -lt $lines ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
pw_a=$(pm $W $((A_w)) 256) pc_a=$(pm $W $((A_cow)) 16) ps_a=$(pm $W $((A_sw)) 32)
run vmscope snapshot $W -o $T/a.json
[ $rc = 0 ] && grep -q '"source":"module"' $T/a.json && grep -q '"dirty_known":true' $T/a.json
result "snapshot with the module: pages from its walk, dirty known" $?
cmd "touch 100"; cmd "cow 8"; cmd "swap 16"; cmd "unmap"; cmd "map 64"
pw_b=$(pm $W $((A_w)) 256) pc_b=$(pm $W $((A_cow)) 16) ps_b=$(pm $W $((A_sw)) 32)
diag "pagemap before/after (present swapped exclusive): w $pw_a / $pw_b, cow $pc_a / $pc_b, sw $ps_a / $ps_b"
run vmscope snapshot $W -o $T/b.json
run vmscope -j diff $T/a.json $T/b.json
cp $T/out $T/diff.json
# One region per line, for the checks: the start, then its members.
awk '{ sub(/.*"regions":\[/, ""); sub(/\],"totals".*/, ""); gsub(/\},\{"change"/, "}\n{\"change\""); print }' \
	$T/diff.json > $T/regs
reg() {
	awk -v a=$(($1)) '{ s = $0; sub(/.*"start":"0x/, "", s); sub(/".*/, "", s)
		e = $0; sub(/.*"end":"0x/, "", e); sub(/".*/, "", e)
		if (("0x" s) + 0 <= a && a < ("0x" e) + 0) print }' $T/regs
}
# busybox awk reads 0x numbers; check it does
[ "$(awk 'BEGIN { print ("0x10") + 0 }')" = 16 ] || diag "awk without hex numbers"
w_res=$(reg $A_w | sed -n 's/.*"resident":\([0-9]*\).*/\1/p')
w_dirt=$(reg $A_w | sed -n 's/.*"dirtied":\([0-9]*\).*/\1/p')
c_uns=$(reg $A_cow | sed -n 's/.*"unshared":\([0-9]*\).*/\1/p')
s_sw=$(reg $A_sw | sed -n 's/.*"swapped":\([0-9]*\).*/\1/p')
diag "diff: w resident $w_res dirtied $w_dirt, cow unshared $c_uns, sw swapped $s_sw"
[ "$w_res" = $(($(echo $pw_b | cut -d' ' -f1) - $(echo $pw_a | cut -d' ' -f1))) ] && [ "$w_dirt" = 100 ]
result "diff with the module: w's resident pages equal pagemap's, and they are dirtied (100)" $?
[ "$c_uns" = $(($(echo $pc_b | cut -d' ' -f3) - $(echo $pc_a | cut -d' ' -f3))) ] && [ "$c_uns" = 8 ]
result "diff with the module: 8 pages un-shared (COW broken), as pagemap's exclusive bit says" $?
if [ $swap = 1 ]; then
	[ "$s_sw" = $(($(echo $ps_b | cut -d' ' -f2) - $(echo $ps_a | cut -d' ' -f2))) ] && [ "${s_sw:-0}" -gt 0 ]
	result "diff with the module: swapped pages equal pagemap's swap entries" $?
else
	skip "diff: swapped pages" "no zram swap in this guest"
fi
reg $A_gone | grep -q '"change":"removed"' && grep -q '"added":[1-9]' $T/diff.json
result "diff: the unmapped region removed, the new one added" $?
run vmscope map --diff $T/a.json $T/b.json -o $T/d.html
[ $rc = 0 ] && grep -q '"mode":"diff"' $T/d.html
result "map --diff of the module's snapshots" $?

# ---- watch from the module ----
run vmscope -j watch $W -n 0.2 -c 2
[ $rc = 0 ] && [ "$(grep -c '"source":"module"' $T/out)" = 2 ]
result "watch -j with the module: one line per refresh, source module" $?
target_stop 7 $W
finish
