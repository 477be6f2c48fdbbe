#!/bin/bash
# make bench: every benchmark, each measured in one run with ratios against
# the anchors.  Listing benchmarks run on the host kernel (no module needed);
# the ones that need the module run in the QEMU guest (software emulation:
# compare the ratios there, not the absolute times).
set -uo pipefail
cd "$(dirname "$0")/.."
rc=0
echo "== VMA listing on the host kernel ($(uname -r))"
if [ "$(id -u)" = 0 ]; then
	build/tests/bench_maps || rc=1
else
	echo "(skipped: BPF needs root)"
fi
guest=()
for b in build/tests/bench_*; do
	case $(basename "$b") in bench_maps) continue ;; esac
	[ -x "$b" ] && guest+=("/tests/$(basename "$b")")
done
if [ ${#guest[@]} -gt 0 ]; then
	echo
	echo "== In the QEMU guest (Debian 6.12, TCG): ${guest[*]}"
	printf '#!/bin/sh\nrc=0\nfor b in %s; do echo; echo "== $b"; $b || rc=1; done\nexit $rc\n' \
		"${guest[*]}" > build/bench-guest.sh
	scripts/vm.sh run --timeout 3000 --script build/bench-guest.sh || rc=1
fi
exit $rc
