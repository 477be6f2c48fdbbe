#!/bin/bash
# make bench: every benchmark, each measured in one run with ratios against
# its anchors.  On the host kernel (no module): the VMA listing per VMA
# (bench_maps) and whole commands as a person runs them (bench_oneshot).
# Then in the QEMU guest, on every kernel of the matrix (the debug kernel
# aside): the listing, the memory kfuncs (bench_mem) and whole commands
# with the module.  The guest is software-emulated (TCG): compare ratios,
# never absolute times.  The benchmarks' sources are tests/bench/*.c; make
# builds them into build/tests/, which the guest has as /tests/.
#   VMSCOPE_BENCH_KERNELS="6.12"   only these kernels in the guest
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=$PWD/build:$PWD/build/tests:$PATH
rc=0
echo "## Host kernel $(uname -r) (no module)"
if [ "$(id -u)" = 0 ]; then
	echo; echo "### VMA listing, per VMA"; echo
	bench_maps || rc=1
	echo; echo "### One-shot commands, whole processes"; echo
	bench_oneshot 31 || rc=1
else
	echo "(skipped: BPF needs root)"
fi
cat > build/bench-guest.sh <<'GUEST'
#!/bin/sh
echo; echo "### VMA listing, per VMA"; echo
/tests/bench_maps 1 || rc=1
echo; echo "### Memory kfuncs"; echo
/tests/bench_mem || rc=1
echo; echo "### One-shot commands, whole processes"; echo
/tests/bench_oneshot 11 || rc=1
exit ${rc:-0}
GUEST
for k in ${VMSCOPE_BENCH_KERNELS:-$(scripts/kernel.sh --list | sed 's/debug//')}; do
	echo
	echo "## Guest kernel $k (TCG)"
	make -s kmod KERNEL="$k" || { rc=1; continue; }
	scripts/vm.sh run --kernel "$k" --timeout 3000 --script build/bench-guest.sh 2>&1 |
		grep -v '^vm: ' || rc=1
done
exit $rc
