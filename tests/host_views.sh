#!/bin/bash
# The views on this machine, where pages come from pagemap and memory use
# from smaps (the host has no module; tests/guest_views.sh runs them with
# it): summary against smaps_rollup; snapshot and diff around a known
# workload (vmtarget workload: touch pages, break copy-on-write, swap out,
# unmap, map) against two pagemap dumps the test takes itself; watch on a
# pipe (JSON lines, no escape codes), on SIGINT and when the process exits;
# errors of all of them.  As root (BPF listing, kpageflags); otherwise
# only the usage errors run.  KEEP=1 keeps the scratch directory.
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
. tests/lib/target.sh
export PATH=$PWD/build:$PWD/build/tests:$PATH
T=$(mktemp -d)
M=
trap '[ -n "$M" ] && kill $M 2>/dev/null; exec 6>&- 2>/dev/null; [ -n "$KEEP" ] || rm -rf "$T"' EXIT
tap_start

# run CMD...: stdout in $T/out, stderr in $T/err, status in $rc
run() { "$@" > $T/out 2> $T/err; rc=$?; }
one_line() { [ "$(wc -l < $T/err)" = 1 ]; }

# ---- usage errors (any user) ----
run vmscope summary
[ $rc = 2 ] && grep -q 'expected a PID' $T/err; result "summary without a PID: usage error, exit 2" $?
run vmscope map 1 --explain 99999
[ $rc = 2 ] && grep -q 'at most 4096' $T/err; result "map --explain 99999: usage error naming the bound" $?
run vmscope map --diff onlyone
[ $rc = 2 ] && grep -q 'two snapshot files' $T/err; result "map --diff with one file: usage error" $?
run vmscope diff a
[ $rc = 2 ]; result "diff with one file: usage error" $?
run vmscope watch 1 -n 0
[ $rc = 2 ] && grep -q "invalid interval '0'" $T/err; result "watch -n 0: usage error naming the value" $?
run vmscope snapshot 1 --source nosuch
[ $rc = 2 ] && grep -q "unknown source 'nosuch'" $T/err; result "snapshot --source nosuch: usage error" $?
echo '{"hello": 1}' > $T/notsnap.json
run vmscope diff $T/notsnap.json $T/notsnap.json
[ $rc = 1 ] && grep -q 'not a vmscope snapshot' $T/err && one_line
result "diff of a file that is no snapshot: exit 1, one line saying so" $?
run vmscope -j diff $T/nosuch.json $T/nosuch.json
[ $rc = 1 ] && grep -q '"errno":2' $T/out; result "diff of a missing file: exit 1, a JSON error with -j" $?

if [ "$(id -u)" != 0 ]; then
	skip "views of a process" "needs root (BPF listing, /proc/kpageflags)"
	finish
fi
run vmscope summary 4194303
[ $rc = 1 ] && grep -q 'no such process' $T/err && one_line
result "summary of no such process: exit 1, one line" $?
run vmscope -j snapshot 4194303
[ $rc = 1 ] && grep -q '"error":' $T/out && [ "$(wc -l < $T/out)" = 1 ]
result "snapshot of no such process with -j: one JSON error document" $?

# ---- a target with a known workload ----
target_start 6 $T/tout workload || bail "vmtarget workload: $TREADY"
M=$TPID pid=$TPID
diag "target: $TREADY"
target_vars A "$TREADY"
# cmd LINE: send a workload command, wait for its "done"
lines=1
cmd() {
	echo "$1" >&6
	lines=$((lines + 1))
	for i in $(seq 100); do [ "$(wc -l < $T/tout)" -ge $lines ] && return 0; sleep 0.05; done
	return 1
}
# pm ADDR PAGES: "present swapped exclusive" counts of pagemap, read here
pm() {
	/usr/bin/python3 - "$pid" "$1" "$2" <<'PY'
import sys
pid, addr, n = int(sys.argv[1]), int(sys.argv[2], 16), int(sys.argv[3])
with open(f"/proc/{pid}/pagemap", "rb") as f:
    f.seek((addr >> 12) * 8)
    d = f.read(8 * n)
e = [int.from_bytes(d[i * 8:i * 8 + 8], "little") for i in range(n)]
print(sum(x >> 63 & 1 for x in e), sum(x >> 62 & 1 for x in e),
      sum(1 for x in e if x >> 63 & 1 and x >> 56 & 1))
PY
}

# ---- summary against smaps_rollup ----
run vmscope -j summary $pid
cp $T/out $T/summary.json
/usr/bin/python3 - $T/summary.json /proc/$pid/smaps_rollup <<'PY' > $T/cmp
import json, sys
s = json.load(open(sys.argv[1]))[0]
r = {}
for line in open(sys.argv[2]):
    p = line.split()
    if len(p) >= 3 and p[-1] == "kB":
        r[p[0].rstrip(":")] = int(p[1])
t = s["total"]
want = {"rss_kb": r["Rss"], "private_kb": r["Private_Clean"] + r["Private_Dirty"],
        "shared_kb": r["Shared_Clean"] + r["Shared_Dirty"],
        "dirty_kb": r["Private_Dirty"] + r["Shared_Dirty"], "swap_kb": r["Swap"],
        "huge_kb": r["AnonHugePages"] + r.get("ShmemPmdMapped", 0) + r.get("FilePmdMapped", 0)
        + r.get("Shared_Hugetlb", 0) + r.get("Private_Hugetlb", 0)}
bad = [f"{k}: summary {t[k]}, smaps_rollup {v}" for k, v in want.items() if t[k] != v]
# PSS: per-VMA kB are truncated; the rollup sums before rounding
if not 0 <= r["Pss"] - t["pss_kb"] <= t["vmas"]:
    bad.append(f"pss_kb: summary {t['pss_kb']}, smaps_rollup {r['Pss']}")
cols = ["vmas", "size_kb", "rss_kb", "pss_kb", "private_kb", "shared_kb", "dirty_kb", "swap_kb", "huge_kb"]
for c in cols:
    if sum(k[c] for k in s["kinds"]) != t[c]:
        bad.append(f"kinds do not add up to the total in {c}")
print("\n".join(bad) or f"total {t}")
sys.exit(1 if bad else 0)
PY
rc2=$?
diag "$(cat $T/cmp)"
[ $rc = 0 ] && [ $rc2 = 0 ]
result "summary: totals equal smaps_rollup (RSS, private, shared, dirty, swap, huge; PSS to 1 kB a VMA), kinds add up" $?
grep -q '"source":"smaps"' $T/summary.json && grep -q '"use_source":"smaps"' $T/summary.json
result "summary without the module says its source: smaps" $?
/usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))[0]
k = {x["kind"]: x for x in s["kinds"]}
f = [x for x in s["files"] if x["name"].endswith("/vmtarget")]
ok = k["heap"]["vmas"] == 1 and k["stack"]["vmas"] == 1 and k["special"]["vmas"] >= 2 and \
     k["guard"]["vmas"] >= 5 and k["code"]["vmas"] >= 1 and len(f) == 1 and f[0]["vmas"] >= 4
sys.exit(0 if ok else 1)' $T/summary.json
result "summary: heap, stack, special, guard pages, code, and the program's file with its bss rolled up" $?
run vmscope summary $pid
grep -q '^KIND .*SIZE kB .*RSS .*PSS .*PRIVATE .*SHARED .*DIRTY .*SWAP .*HUGE' $T/out &&
	grep -q '^FILE ' $T/out && grep -q '^total ' $T/out && grep -q '^source: smaps' $T/out
result "summary: the kind table, the total, the file roll-up and the source" $?

# ---- snapshot, workload, snapshot, diff; against pagemap ----
swap=0
[ "$(wc -l < /proc/swaps)" -gt 1 ] && swap=1
pm_w_a=$(pm $A_w 256) pm_cow_a=$(pm $A_cow 16) pm_sw_a=$(pm $A_sw 32)
run vmscope snapshot $pid -o $T/a.json
[ $rc = 0 ] && grep -q '"format":"vmscope-snapshot","format_version":1' $T/a.json
result "snapshot -o FILE: a versioned snapshot" $?
cmd "touch 100" && cmd "cow 8" && cmd "swap 16" && cmd "unmap" && cmd "map 64"
result "the workload ran (touch 100, cow 8, swap 16, unmap, map 64)" $?
newreg=$(tail -n1 $T/tout | awk '{print $2}')
pm_w_b=$(pm $A_w 256) pm_cow_b=$(pm $A_cow 16) pm_sw_b=$(pm $A_sw 32)
diag "pagemap before/after (present swapped exclusive): w $pm_w_a / $pm_w_b, cow $pm_cow_a / $pm_cow_b, sw $pm_sw_a / $pm_sw_b"
run vmscope snapshot $pid -o $T/b.json
run vmscope -j diff $T/a.json $T/b.json
cp $T/out $T/diff.json
/usr/bin/python3 - $T/diff.json "$A_w" "$A_cow" "$A_sw" "$A_gone" "$newreg" "$pm_w_a" "$pm_w_b" "$pm_cow_a" "$pm_cow_b" "$pm_sw_a" "$pm_sw_b" <<'PY' > $T/cmp
import json, sys
d = json.load(open(sys.argv[1]))
w, cow, sw, gone, new = (int(x, 16) for x in sys.argv[2:7])
pw_a, pw_b, pc_a, pc_b, ps_a, ps_b = ([int(v) for v in x.split()] for x in sys.argv[7:13])
def region(a):
    r = [x for x in d["regions"] if int(x["start"], 16) <= a < int(x["end"], 16)]
    return r[0] if r else {"change": "(not listed)", "pages": {}}
bad = []
def want(what, got, exp):
    if got != exp:
        bad.append(f"{what}: diff says {got}, expected {exp}")
want("w resident", region(w)["pages"].get("resident"), pw_b[0] - pw_a[0])
# COW broken: pages present in both, shared (not exclusive) before, exclusive after
want("cow unshared", region(cow)["pages"].get("unshared"), pc_b[2] - pc_a[2])
want("sw swapped", region(sw)["pages"].get("swapped", 0) if ps_b[1] else 0, ps_b[1] - ps_a[1])
want("gone change", region(gone)["change"], "removed")
want("gone released", region(gone)["pages"].get("released"), 16)
want("new change", region(new)["change"], "added")
want("new resident", region(new)["pages"].get("resident"), 64)
want("dirtied from pagemap", d["totals"]["pages"]["dirtied"], None)
want("source", (d["source"], d["a"]["source"], d["b"]["source"]), ("snapshots", "pagemap", "pagemap"))
b = [x["bytes"] for x in d["regions"]]
if b != sorted(b, reverse=True):
    bad.append("regions are not sorted by bytes")
print("\n".join(bad) or "ok: " + json.dumps(d["totals"]))
sys.exit(1 if bad else 0)
PY
rc2=$?
diag "$(cat $T/cmp)"
[ $rc = 0 ] && [ $rc2 = 0 ]
result "diff: resident, un-shared (COW broken) and swapped pages equal two pagemap dumps; unmapped removed, mapped added; sorted by bytes" $?
[ "$(echo $pm_w_b | cut -d' ' -f1)" = 100 ] && [ "$(echo $pm_cow_b | cut -d' ' -f3)" -ge 8 ]
result "pagemap itself saw the workload (100 written, 8 made exclusive)" $?
if [ $swap = 1 ]; then
	[ "$(echo $pm_sw_b | cut -d' ' -f2)" -gt 0 ]; result "pagemap saw pages swapped out" $?
else
	skip "diff counts swapped pages" "no swap area on this machine (/proc/swaps); guest_views checks it"
fi
run vmscope diff $T/a.json $T/b.json
grep -q '^REGION .*CHANGE .*RESIDENT .*RELEASED .*DIRTIED .*SWAPPED .*HUGE .*UNSHARED' $T/out &&
	grep -q ' removed ' $T/out && grep -q ' added ' $T/out && grep -q '^total: ' $T/out
result "diff: a table of changed regions and the totals" $?
run vmscope map --diff $T/a.json $T/b.json -o $T/d.html
[ $rc = 0 ] && grep -q '"mode":"diff"' $T/d.html && ! grep -q '@VMSCOPE_DATA@' $T/d.html
result "map --diff writes a page of the change" $?

# ---- map: one file, nothing fetched ----
run vmscope map $pid -o $T/m.html --explain 8
[ $rc = 0 ] && grep -q "^$T/m.html: the map of process $pid" $T/out
result "map -o FILE: written, and said" $?
! grep -qiE '(src|href)=["'"'"']?(https?:)?//|@import|url\(' $T/m.html && grep -q "default-src 'none'" $T/m.html
result "map: self-contained: no external script, style, font or image; a CSP that allows no fetch" $?
(cd $T && vmscope map $pid > /dev/null) && [ -s $T/vmscope-$pid.html ]
result "map without -o: vmscope-PID.html" $?

# ---- watch ----
run vmscope -j watch $pid -n 0.1 -c 3
[ $rc = 0 ] && [ "$(wc -l < $T/out)" = 3 ] &&
	/usr/bin/python3 -c 'import json,sys; [json.loads(l)["source"] for l in open(sys.argv[1])]' $T/out
result "watch -j -c 3: three JSON lines, each with its source" $?
run vmscope watch $pid -n 0.1 -c 2
[ $rc = 0 ] && ! grep -q $'\033' $T/out && grep -q '^REGION ' $T/out
result "watch on a pipe: plain text, no escape codes" $?
vmscope -j watch $pid -n 0.3 -c 6 > $T/w.out 2>&1 &
W=$!
# Not readiness: watch must have sampled the old layout before the change.
sleep 0.5
cmd "map 48"
wait $W
grep -q '"change":"added"' $T/w.out && grep -q '"d_rss_kb":192' $T/w.out
result "watch sees a new region of 48 written pages: added, +192 kB" $?
vmscope watch $pid -n 0.2 > $T/w.out 2>&1 &
W=$!
# Not readiness: a few refreshes before the signal.
sleep 0.6
kill -INT $W
wait $W
rc=$?
[ $rc = 0 ] && grep -q '^REGION' $T/w.out; result "watch ends on SIGINT with status 0" $?
vmscope -j watch $pid -n 0.2 > $T/w.out 2>&1 6>&- &
W=$!
# Not readiness: watch must have sampled the process before it exits.
sleep 0.5
target_stop 6 $M
M=
wait $W
rc=$?
tail -n1 $T/w.out | grep -q '"exited":true'
[ $? = 0 ] && [ $rc = 0 ]; result "watch ends when the process exits: status 0, a last line saying so" $?
finish
