#!/bin/bash
# scripts/klog-scan.awk, the kernel log scan that fails a guest run: every
# kind of kernel complaint the guest kernels print (lines as 6.1, 6.12 and
# 7.3 word them) is caught, ordinary lines are not, and "missing module
# BTF" only outside the markers of the test that provokes it.  Run with the
# host's awk and with busybox awk (what the guest runs).
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
tap_start

scan=scripts/klog-scan.awk
bad=(
	"[   12.3] WARNING: CPU: 1 PID: 99 at kernel/rcu/tree_plugin.h:331 rcu_note_context_switch"
	"[   12.3] Voluntary context switch within RCU read-side critical section!"
	"[   40.1] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:"
	"[   40.1] rcu: INFO: rcu_preempt self-detected stall on CPU"
	"[   40.1] rcu: INFO: rcu_preempt detected expedited stalls on CPUs/tasks: { 1-... }"
	"[  700.0] INFO: rcu_tasks_trace detected stalls on tasks:"
	"[  700.0] INFO: rcu_tasks detected stalls on tasks:"
	"[  150.2] INFO: task guest_attacks:123 blocked for more than 120 seconds."
	"[  150.2] INFO: task rcu_tasks_trace:12 blocked for more than 30 seconds."
	"[   20.0] WARNING: possible circular locking dependency detected"
	"[   20.0] WARNING: possible recursive locking detected"
	"[   20.0] BUG: sleeping function called from invalid context at mm/gup.c:1234"
	"[   20.0] BUG: scheduling while atomic: guest_attacks/123/0x00000002"
	"[   20.0] BUG: Invalid wait context"
	"[   20.0] BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 33s!"
	"[   20.0] WARNING: suspicious RCU usage"
	"[   20.0] WARNING: inconsistent lock state"
	"[   20.0] watchdog: BUG: soft lockup - CPU#1 stuck for 26s! [guest_attacks:123]"
	"[   20.0] Watchdog detected hard LOCKUP on cpu 1"
	"[   20.0] BUG: KASAN: vmalloc-out-of-bounds in vms_walk_addr+0x1/0x2 [vmscope]"
	"[   20.0] BUG: kernel NULL pointer dereference, address: 0000000000000008"
	"[   20.0] Oops: 0000 [#1] PREEMPT SMP NOPTI"
	"[   20.0] general protection fault, probably for non-canonical address 0xdead: 0000 [#1]"
	"[   20.0] refcount_t: underflow; use-after-free."
	"[   20.0] BUG: Bad page state in process guest_attacks  pfn:1234"
	"[   20.0] kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)"
	"[   20.0] vmscope: module has missing module BTF"
)
good=(
	"[    1.0] rcu: Preemptible hierarchical RCU implementation."
	"[    1.0] rcu: 	RCU restricting CPUs from NR_CPUS=8192 to nr_cpu_ids=2."
	"[    1.0] Running RCU-tasks wait API self tests"
	"[    9.9] vmscope: mtest: findpage by guest_attacks[123]: ok"
	"[    9.9] mtest: 0x7f0000000123: present, 4K page at PTE level, pfn not logged"
	"[    9.9] mtest: writeval 0x7f0000000008 (value not logged): done"
	"[    9.9] vmscope: loading out-of-tree module taints kernel."
)

for awk in awk "busybox awk"; do
	if ! $awk 'BEGIN { exit 0 }' 2>/dev/null; then
		skip "$awk: the scan" "$awk is not here"
		continue
	fi
	for l in "${bad[@]}"; do
		out=$(printf '%s\n' "$l" | $awk -f "$scan")
		result "$awk: caught: ${l#*] }" "$([ -n "$out" ]; echo $?)"
	done
	out=$(printf '%s\n' "${good[@]}" | $awk -f "$scan")
	result "$awk: ordinary lines pass${out:+ (caught: $out)}" "$([ -z "$out" ]; echo $?)"
	out=$(printf '%s\n' "vmscope-test: expect-nobtf-begin" "x: missing module BTF" \
		"vmscope-test: expect-nobtf-end" | $awk -f "$scan")
	result "$awk: \"missing module BTF\" between the markers passes" "$([ -z "$out" ]; echo $?)"
done
finish
