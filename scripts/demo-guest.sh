#!/bin/sh
# The vmscope demo, run inside the QEMU guest by `make demo`.
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "vmscope status: kernel, BTF, BPF and the module's ABI"
run vmscope status

step "A target process with a heap, THP and hugetlb memory"
mkfifo /tmp/demo.in
/tests/vmtarget huge < /tmp/demo.in > /tmp/demo.out &
exec 8> /tmp/demo.in
sleep 1
cat /tmp/demo.out
T=$(awk '{print $2}' /tmp/demo.out)

step "Its mappings, from the task_vma iterator (a table with sizes)"
run vmscope maps "$T"

step "The same, as the exact /proc/PID/maps text, compared with the kernel's own"
vmscope maps --maps "$T" > /tmp/demo.vms
cat /proc/$T/maps > /tmp/demo.proc
if cmp -s /tmp/demo.vms /tmp/demo.proc; then
	echo "vmscope maps --maps $T is byte-for-byte /proc/$T/maps ($(wc -l < /tmp/demo.vms) VMAs)"
else
	echo "MISMATCH:"; diff /tmp/demo.vms /tmp/demo.proc
fi

step "A cat-able listing pinned in bpffs for one process (bpftool iter pin cannot filter by pid)"
run vmscope pin /sys/fs/bpf/demo_maps --pid "$T"
run cat /sys/fs/bpf/demo_maps
run vmscope unpin /sys/fs/bpf/demo_maps

step "Every process's VMAs in one iterator pass"
run vmscope maps --all | head -n 12
echo "... $(vmscope maps --all | tail -n +2 | wc -l) VMAs in total"

step "JSON for scripts"
run vmscope --json maps "$T" | cut -c1-300; echo "..."

step "Errors are one clear line"
run vmscope maps 2
run vmscope maps 99999
exec 8>&-
wait

# The labs' VMA-listing exercise, the page walk, memory access and device
# parts of the demo.
for f in /lib/vmscope/demo/demo-lab.sh /lib/vmscope/demo/demo-mem.sh /lib/vmscope/demo/demo-dev.sh; do
	[ -f "$f" ] && sh "$f"
done
exit 0
