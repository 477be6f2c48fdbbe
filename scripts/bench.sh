#!/bin/bash
# make bench: every benchmark, each measured in one run with ratios against
# its anchors.  On the host kernel (no module): the VMA listing per VMA
# (bench_maps) and whole commands as a person runs them (bench_oneshot).
# Then in the QEMU guest, on every kernel of the matrix (the debug kernel
# aside): the listing, the memory kfuncs (bench_mem) and whole commands
# with the module.  The guest is software-emulated (TCG): compare ratios,
# never absolute times.  The benchmarks' sources are tests/bench/*.c; make
# builds them into build/tests/, which the guest has as /tests/.
# The whole output is kept in build/bench/bench.out; at the end bench_plot
# draws build/bench/listing.svg and range.svg from the `#plot` lines the
# benchmarks printed in it (the guest's come back on its console), so the
# plots are of this run's tables.
#   VMSCOPE_BENCH_KERNELS="6.12"   only these kernels in the guest
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=$PWD/build:$PWD/build/tests:$PATH
out=build/bench
mkdir -p "$out"
cat > build/bench-guest.sh <<'GUEST'
#!/bin/sh
echo "#plot-kernel $(uname -r)"
echo; echo "### VMA listing, per VMA"; echo
/tests/bench_maps 1 || rc=1
echo; echo "### Memory kfuncs"; echo
/tests/bench_mem || rc=1
echo; echo "### One-shot commands, whole processes"; echo
/tests/bench_oneshot 11 || rc=1
exit ${rc:-0}
GUEST

run() {
	local rc=0 k

	echo "## Host kernel $(uname -r) (no module)"
	echo "#plot-note range not measured: the range walk needs the module (guest only)"
	if [ "$(id -u)" = 0 ]; then
		echo; echo "### VMA listing, per VMA"; echo
		bench_maps || rc=1
		echo; echo "### One-shot commands, whole processes"; echo
		bench_oneshot 31 || rc=1
	else
		echo "(skipped: BPF needs root)"
		echo "#plot-note listing not measured: BPF needs root"
	fi
	for k in ${VMSCOPE_BENCH_KERNELS:-$(scripts/kernel.sh --list | sed 's/debug//')}; do
		echo
		echo "## Guest kernel $k (TCG)"
		make -s kmod KERNEL="$k" || { rc=1; continue; }
		scripts/vm.sh run --kernel "$k" --timeout 3000 --script build/bench-guest.sh 2>&1 |
			grep -v '^vm: ' || rc=1
	done
	return $rc
}

run | tee "$out/bench.out"
rc=${PIPESTATUS[0]}
echo
echo "### Plots of this run"
echo
bench_plot "$out/bench.out" "$out" || rc=1
exit $rc
