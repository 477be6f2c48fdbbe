#!/bin/bash
# Runs every vmscope test: the host tests of tests/tests.list here, then its
# guest tests in the QEMU guest, once per guest configuration (kernel and
# paging mode).  Prints each program's TAP, a summary per configuration that
# names every failing test, and last the plain line
# "N passed, N failed, N skipped".
#
#   tests/run.sh [host|guest|package|package-arm64|all]
# (package: 'make deb', then the install tests in Debian trixie and
# bookworm VMs, then package-arm64: 'make deb ARCH=arm64', its CLI and the
# module built from its DKMS source in the arm64-6.12 guest)
# Environment:
#   VMSCOPE_KERNELS   kernels to run the guest suite on (default: the whole
#                     matrix of scripts/kernel.sh --list, then arm64-6.1
#                     and arm64-6.12)
#   VMSCOPE_PAGING    "5 4" (default): 5-level and 4-level (no5lvl) paging;
#                     the debug and 6.12-rt kernels run 5-level only unless
#                     listed as "debug:4" or "6.12-rt:4" in VMSCOPE_KERNELS
#   VMSCOPE_LANES     all: 2 (default) runs the debug kernel's build, the
#                     arm64 guests and the arm64 package in a second lane
#                     at nice 10 beside the rest (run_all); 1 runs
#                     everything in one
# arm64 kernels (arm64-6.1, arm64-6.12, arm64-newest: scripts/kernel.sh
# --list-arm64) run the guest suite in an arm64 guest, built by `make
# ARCH=arm64` and `make ARCH=arm64 tests` into build/arm64/.  Debian's
# arm64 6.1 has 48-bit virtual addresses, 4 levels only; 6.12 and later are
# built for 52-bit (LPA2, 5 levels, on QEMU's max CPU), and their 4-level
# run boots with arm64.nolva (the tests tagged "paging", like no5lvl).
# The default matrix has arm64-6.1 and arm64-6.12 (make check-arm64 runs
# all three).
set -uo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
log=build/test-logs
mkdir -p "$log"
# Every module built during the run carries the version of the CLI under
# test (build/version.c), even if the tree changes meanwhile.
if [ -z "${VMSCOPE_VERSION:-}" ] && [ -f build/version.c ]; then
	VMSCOPE_VERSION=$(sed -n 's/^const char vmscope_version\[\] = "\(.*\)";$/\1/p' build/version.c)
	[ -n "$VMSCOPE_VERSION" ] && export VMSCOPE_VERSION
fi
total_pass=0 total_fail=0 total_skip=0
summary=() failures=()

# Count one program's TAP (file $3, exit status $4) for configuration $1,
# program $2.
count() {
	local cfg=$1 name=$2 f=$3 rc=$4 p s x plan ran line
	p=$(grep -cE '^ok [0-9]+' "$f")
	s=$(grep -cE '^ok [0-9]+ .*# SKIP' "$f")
	x=$(grep -cE '^not ok [0-9]+' "$f")
	plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$f" | tail -n1)
	ran=$((p + x))
	cpass=$((cpass + p - s)); cskip=$((cskip + s)); cfail=$((cfail + x))
	while IFS= read -r line; do
		failures+=("$cfg: $name: $line")
	done < <(grep -E '^not ok [0-9]+' "$f")
	if [ -z "$plan" ] || [ "$plan" != "$ran" ]; then
		failures+=("$cfg: $name: planned ${plan:-nothing} (died early?), ran $ran")
		cfail=$((cfail + 1))
	elif [ "$rc" != 0 ] && [ "$x" = 0 ]; then
		failures+=("$cfg: $name: exited $rc with no failing test")
		cfail=$((cfail + 1))
	fi
}

# A configuration's wall time (building its kernel or image included), for
# the summary: cold and warm runs differ mostly there.
start_config() { cstart=$SECONDS; }
end_config() {
	summary+=("$(printf '%-22s %4d passed, %d failed, %d skipped  (%d s)' "$1:" $cpass $cfail $cskip $((SECONDS - ${cstart:-0})))")
	total_pass=$((total_pass + cpass)); total_fail=$((total_fail + cfail))
	total_skip=$((total_skip + cskip))
}

list() { grep -v '^#' tests/tests.list | awk -v w="$1" '$1 == w {print $2}'; }
# The guest tests that also run in 4-level paging (tagged "paging").
list_paging() { grep -v '^#' tests/tests.list | awk '$1 == "guest" && ("," $3 ",") ~ /,paging,/ {print $2}'; }
# The guest tests the debug kernel runs (not tagged "nodebug").
list_debug() { grep -v '^#' tests/tests.list | awk '$1 == "guest" && ("," $3 ",") !~ /,nodebug,/ {print $2}'; }

run_host() {
	local t name rc f
	cpass=0 cfail=0 cskip=0; start_config
	for name in $(list host); do
		t=tests/$name
		[ -e "$t" ] || t=build/tests/$name
		f=$log/host.$name.out
		echo "# host: $name"
		case $name in
		*.sh) bash "$t" > "$f" 2>&1 ;;
		*) "$t" > "$f" 2>&1 ;;
		esac
		rc=$?
		cat "$f"
		count host "$name" "$f" $rc
	done
	end_config host
}

# The arm64 CLI, BPF objects and tests (build/arm64/), made once per run:
# 0 when they are there.
arm64_built=""
build_arm64() {
	if [ -z "$arm64_built" ]; then
		if make -s ARCH=arm64 > "$log/arm64.build" 2>&1 &&
		   make -s ARCH=arm64 tests >> "$log/arm64.build" 2>&1; then
			arm64_built=0
		else
			arm64_built=1
		fi
	fi
	return $arm64_built
}

# One guest configuration: kernel $1, paging $2 (5 or 4; arm64 kernels: 4,
# their only mode).
run_guest() {
	local kernel=$1 paging=$2 cfg rc rc2 f name append="" arm64=0 reduced=0
	case $kernel in arm64-*) arm64=1 ;; esac
	cfg="guest $kernel"
	# 4-level runs of 5-level kernels: only the tests tagged "paging".
	if [ "$paging" = 4 ] && [ $arm64 = 0 ]; then
		cfg="$cfg no5lvl"; append="--append no5lvl"; reduced=1
	elif [ "$paging" = 4 ] && [ "$(arm64_pagings "$kernel" | head -n1)" = 5 ]; then
		cfg="$cfg arm64.nolva"; append="--append arm64.nolva"; reduced=1
	fi
	cpass=0 cfail=0 cskip=0; start_config
	local tag=$kernel.$paging
	echo "# ---- $cfg"
	if [ $arm64 = 1 ] && ! build_arm64; then
		tail -n 40 "$log/arm64.build"
		failures+=("$cfg: make ARCH=arm64 (tests) failed (see $log/arm64.build)")
		cfail=1; end_config "$cfg"; return
	fi
	if ! make -s kmod KERNEL="$kernel" > "$log/kmod.$tag" 2>&1; then
		cat "$log/kmod.$tag"
		failures+=("$cfg: the module does not build for this kernel")
		cfail=1; end_config "$cfg"; return
	fi
	scripts/vm.sh run --kernel "$kernel" $append --timeout 3000 \
		--script tests/guest-run.sh > "$log/guest.$tag.console" 2>&1
	rc=$?
	cat "$log/guest.$tag.console"
	rm -f "$log"/guest.$tag.*.out
	# Split the console into one file per program, between the markers.
	# A boot vm.sh tried again: what the first one printed is dropped
	# (each program's file is opened afresh, truncated).
	awk -v dir="$log" -v tag="$tag" '
		/^vm\.sh: .*booting once more/ { for (g in opened) close(g); delete opened; f = ""; next }
		/^=== BEGIN / { if (f) close(f); f = dir "/guest." tag "." $3 ".out"; opened[f]; next }
		/^=== END / { if (f) { print "rc=" $4 > (f ".rc"); close(f ".rc"); close(f) } f = ""; next }
		f { print > f }' "$log/guest.$tag.console"
	for name in $(if [ $reduced = 1 ]; then list_paging
		      elif [ "$kernel" = debug ]; then list_debug; else list guest; fi); do
		name=${name%.sh}
		f=$log/guest.$tag.$name.out
		if [ ! -e "$f" ]; then
			failures+=("$cfg: $name: did not run")
			cfail=$((cfail + 1))
			continue
		fi
		count "$cfg" "$name" "$f" "$(sed -n 's/^rc=//p' "$f.rc" 2>/dev/null || echo 1)"
	done
	# The JSON the guest recorded, against the schema (python runs here).
	if [ -e "$log/guest.$tag.guest_json.out" ]; then
		/usr/bin/python3 tests/json_check.py "$log/guest.$tag.guest_json.out" \
			> "$log/guest.$tag.json_schema.out" 2>&1
		rc2=$?
		cat "$log/guest.$tag.json_schema.out"
		count "$cfg" json_schema "$log/guest.$tag.json_schema.out" $rc2
	fi
	# The guest's map (module), opened in Chromium here (host_view_browser.py).
	f=$log/guest.$tag.guest_views.out
	if [ -e "$f" ] && grep -q '^=== VIEWFILE ' "$f"; then
		local d=$log/guest.$tag.map
		rm -rf "$d"; mkdir -p "$d"
		awk -v dir="$d" '/^=== VIEWFILE / { o = dir "/" $3 ".b64"; next }
			/^=== VIEWEND/ { o = ""; next } o && /^B64 / { print substr($0, 5) > o }' "$f"
		for b in "$d"/*.b64; do base64 -d "$b" | gunzip > "${b%.b64}"; done
		tests/host_view_browser.py "$d" "guest $kernel paging $paging (module)" \
			> "$log/guest.$tag.map_browser.out" 2>&1
		rc2=$?
		cat "$log/guest.$tag.map_browser.out"
		count "$cfg" map_browser "$log/guest.$tag.map_browser.out" $rc2
	fi
	# The run's paging mode, as the walk reports it and the guest_walk test
	# checks against the kernel (la57, or addresses above 2^48 on arm64).
	if ! grep -aq "walk reports $paging-level" "$log/guest.$tag.guest_walk.out" 2>/dev/null; then
		failures+=("$cfg: the guest did not run with $paging-level paging")
		cfail=$((cfail + 1))
	fi
	case $rc in
	0|1) ;;
	124) failures+=("$cfg: the guest timed out"); cfail=$((cfail + 1)) ;;
	125) failures+=("$cfg: the kernel log shows a kernel complaint, or kmemleak a leak (see the console)")
	     cfail=$((cfail + 1)) ;;
	126) failures+=("$cfg: the guest died without reporting"); cfail=$((cfail + 1)) ;;
	*) failures+=("$cfg: the guest runner exited $rc"); cfail=$((cfail + 1)) ;;
	esac
	end_config "$cfg"
}

# The packages, installed in real Debian systems (scripts/debvm.sh): 'make
# deb' here (prepare_package), then each "package" test of tests.list in a
# VM of each Debian release listed after it (its working directory holds
# the .debs and tests/lib/tap.sh; its argument is the release), one
# configuration each (run_package_suite).  prepare_package leaves its exit
# status in $log/deb.status for a second lane to wait on.
pkg_share=build/debvm-share
prepare_package() {
	local rc=0
	rm -f "$log/deb.status"
	if make -s deb > "$log/deb.out" 2>&1; then
		rm -rf "$pkg_share"; mkdir -p "$pkg_share"
		cp build/deb/*.deb tests/lib/tap.sh "$pkg_share/" && chmod -R a+rX "$pkg_share" || rc=1
	else
		rc=1
	fi
	echo $rc > "$log/deb.status"
	return $rc
}
# The package tests as "NAME SUITE" lines, in tests.list order.
package_runs() {
	grep -v '^#' tests/tests.list | awk '$1 == "package" {
		if (NF == 2) print $2, "trixie"; else for (i = 3; i <= NF; i++) print $2, $i }'
}
run_package_suite() {
	local name=$1 suite=$2 f rc t0
	cpass=0 cfail=0 cskip=0; start_config
	f=$log/package.$suite.$name.out
	echo "# ---- package ($suite): $name"
	# A second lane waits here for the first lane's 'make deb'.
	while [ ! -f "$log/deb.status" ]; do sleep 5; done
	if [ "$(cat "$log/deb.status")" != 0 ]; then
		tail -n 40 "$log/deb.out"
		failures+=("package $suite: $name: 'make deb' failed (see $log/deb.out)")
		cfail=1; end_config "package $suite"; return
	fi
	t0=$SECONDS
	scripts/debvm.sh run --suite "$suite" --share "$pkg_share" --timeout 2400 \
		-- "tests/$name" "$suite" > "$f" 2>&1 < /dev/null
	rc=$?
	cat "$f"
	echo "# package ($suite): $name took $((SECONDS - t0)) s (image build included when not cached)"
	case $rc in
	124) failures+=("package $suite: $name: the VM timed out"); cfail=$((cfail + 1)) ;;
	126) failures+=("package $suite: $name: the VM died without reporting"); cfail=$((cfail + 1)) ;;
	esac
	count "package $suite" "$name" "$f" $rc
	end_config "package $suite"
}
run_package() {
	local name suite
	prepare_package
	while read -r name suite; do run_package_suite "$name" "$suite"; done < <(package_runs)
}

# The arm64 packages ('make deb ARCH=arm64', cross-built here) in the
# arm64-6.12 guest: the CLI of vmscope_VERSION_arm64.deb with its shared
# libraries, and the module built from vmscope-dkms's source by its
# dkms.conf MAKE line for that kernel (cross: ARCH=arm64
# CROSS_COMPILE=aarch64-linux-gnu-; Debian's dkms itself runs only in the
# amd64 VMs above).  tests/pkg_arm64.sh checks them in the guest.
run_package_arm64() {
	local k=arm64-6.12 d=build/arm64/pkgtest f=$log/package.arm64.out rc deb dkms ver src cmd
	cpass=0 cfail=0 cskip=0; start_config
	echo "# package (arm64): make deb ARCH=arm64, then the $k guest"
	if ! make -s deb ARCH=arm64 > "$log/deb-arm64.out" 2>&1; then
		tail -n 40 "$log/deb-arm64.out"
		failures+=("package arm64: 'make deb ARCH=arm64' failed (see $log/deb-arm64.out)")
		cfail=1; end_config "package arm64"; return
	fi
	deb=$(ls build/arm64/deb/vmscope_*_arm64.deb) dkms=$(ls build/arm64/deb/vmscope-dkms_*_all.deb)
	ver=$(dpkg-deb -f "$deb" Version)
	rm -rf "$d" && mkdir -p "$d/root" "$d/src"
	dpkg-deb -x "$deb" "$d/root" && dpkg-deb -x "$dkms" "$d/src"
	src=$(ls -d "$d"/src/usr/src/vmscope-*)
	(
		eval "$(scripts/kernel.sh "$k")"
		# dkms.conf's MAKE[0] as DKMS expands it for that kernel.
		cmd=$(kernel_source_dir=$KDIR kernelver=$KVER; . "$src/dkms.conf"; echo "${MAKE[0]}")
		echo "# dkms.conf MAKE[0] for $KVER: $cmd"
		unset MAKEFLAGS MFLAGS MAKELEVEL
		export VMSCOPE_BUILDROOT_ARCH=arm64
		# shellcheck disable=SC2086
		if [ -n "$KBUILD_ROOT" ]; then
			cd "$src" && "$OLDPWD"/scripts/buildroot.sh run -- $cmd ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
		else
			cd "$src" && $cmd ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
		fi
	) > "$log/dkms-arm64.out" 2>&1
	rc=$?
	if [ $rc != 0 ] || [ ! -f "$src/vmscope.ko" ]; then
		tail -n 40 "$log/dkms-arm64.out"
		failures+=("package arm64: the module did not build from the DKMS source (see $log/dkms-arm64.out)")
		cfail=1; end_config "package arm64"; return
	fi
	scripts/vm.sh run --kernel "$k" --no-module --file "$d/root:/pkg/root" \
		--file "$src/vmscope.ko:/pkg/vmscope.ko" --file "$src/dkms.conf:/pkg/dkms.conf" \
		-- /tests/pkg_arm64.sh "$ver" > "$f" 2>&1 < /dev/null
	rc=$?
	cat "$f"
	count "package arm64" pkg_arm64.sh "$f" $rc
	end_config "package arm64"
}

# The paging modes of arm64 kernel $1 that VMSCOPE_PAGING asks for: 4, and
# 5 where the kernel is built for 5 levels (CONFIG_PGTABLE_LEVELS).
arm64_pagings() {
	local kdir levels p
	kdir=$(scripts/kernel.sh "$1" 2>/dev/null | sed -n 's/^KDIR=//p')
	levels=$(sed -n 's/^CONFIG_PGTABLE_LEVELS=//p' "$kdir/.config" 2>/dev/null)
	for p in ${VMSCOPE_PAGING:-5 4}; do
		[ "$p" = 5 ] && [ "${levels:-4}" != 5 ] && continue
		echo "$p"
	done
}

# The arm64 kernels of the default matrix: Debian 12's two (CI time; the
# trixie-backports kernel runs in make check-arm64).
ARM64_MATRIX="arm64-6.1 arm64-6.12"

# The guest kernels of this run, one word each (NAME or NAME:PAGING).
guest_kernels() { echo ${VMSCOPE_KERNELS:-$(scripts/kernel.sh --list) $ARM64_MATRIX}; }

# run_guests [KERNEL...]: the guest suite on each (default: guest_kernels).
run_guests() {
	local k p
	[ $# -gt 0 ] || set -- $(guest_kernels)
	for k in "$@"; do
		case $k in
		arm64-*:*) run_guest "${k%%:*}" "${k#*:}" ;;
		arm64-*) for p in $(arm64_pagings "$k"); do run_guest "$k" "$p"; done ;;
		*:*) run_guest "${k%%:*}" "${k#*:}" ;;
		# The debug and RT kernels are 6.12 builds: 4-level paging is
		# covered by 6.12 itself, so they run 5-level (CI time).
		debug|6.12-rt) run_guest "$k" 5 ;;
		*) for p in ${VMSCOPE_PAGING:-5 4}; do run_guest "$k" "$p"; done ;;
		esac
	done
}

# Everything, in two lanes.  Run serially, a cold `make check` took 103
# min: the debug kernel's build alone is about 36 CPU minutes, and one x86
# TCG guest (-smp 2) keeps only about 1.1 of the machine's 2 cores busy.
# But two guests at once are slow: a 2-vCPU guest whose vCPU threads are
# preempted spins on its own locks, IPIs and RCU (seen: the debug guest
# 2.3x and a package VM 1.7x slower beside another guest).  Work at nice
# 10 beside a guest costs it nothing measurable (the 6.1-7.3 guests ran as
# fast beside the debug kernel's build as alone).  So the second lane runs
# at nice 10 and takes the first lane's idle cycles: it builds the debug
# kernel, then runs the arm64 guests (one vCPU each, so their own preempted
# vCPU spins on nothing) and the arm64 package.  The first lane runs the
# rest: 'make deb', the host tests, the x86 guests, the package VMs, and
# last the debug kernel's guest, once the second lane has built it
# ($log/debug-kernel.status).  The second lane's output is kept in a file
# and printed after the first's, its results merged into the summary.
# Guests and package VMs have their own work folders (vm.sh, debvm.sh),
# host apt calls take a lock (pkgs.sh's apt_host), and the lanes share no
# build folder.  VMSCOPE_LANES=1 runs the same serially.
run_all() {
	local k lane1=() debug=() arm=() l2pid="" line p f x
	for k in $(guest_kernels); do
		case $k in
		debug|debug:*) debug+=("$k") ;;
		arm64-*) arm+=("$k") ;;
		*) lane1+=("$k") ;;
		esac
	done
	if [ "${VMSCOPE_LANES:-2}" = 1 ]; then
		run_host; run_guests "${lane1[@]}" "${debug[@]}" "${arm[@]}"
		run_package; run_package_arm64
		return
	fi
	rm -f "$log/lane2.out" "$log/lane2.res" "$log/deb.status" "$log/debug-kernel.status"
	(
		renice -n 10 -p $BASHPID > /dev/null
		total_pass=0 total_fail=0 total_skip=0 summary=() failures=()
		if [ ${#debug[@]} -gt 0 ]; then
			echo "# ---- debug kernel: build (scripts/debug-kernel.sh, for the first lane's debug guest)"
			t0=$SECONDS
			# kmake's nice adds to the lane's 10.
			VMSCOPE_BUILD_NICE=0 scripts/kernel.sh debug > /dev/null 2> "$log/debug-kernel.log"
			echo $? > "$log/debug-kernel.status"
			cat "$log/debug-kernel.log"
			echo "# debug kernel: $((SECONDS - t0)) s (built or found in the cache)"
		fi
		[ ${#arm[@]} = 0 ] || run_guests "${arm[@]}"
		run_package_arm64
		{
			echo "$total_pass $total_fail $total_skip"
			for l in "${summary[@]}"; do echo "S $l"; done
			for l in "${failures[@]}"; do echo "F $l"; done
		} > "$log/lane2.res"
	) > "$log/lane2.out" 2>&1 < /dev/null &
	l2pid=$!
	echo "# second lane (pid $l2pid, nice 10): ${debug[*]:+the debug kernel build, }guests" \
	     "${arm[*]:-(none)}, the arm64 package; its output follows the first lane's"
	# (A failure shows in each package configuration, as in run_package.)
	prepare_package
	run_host
	run_guests "${lane1[@]}"
	while read -r k x; do run_package_suite "$k" "$x"; done < <(package_runs)
	if [ ${#debug[@]} -gt 0 ]; then
		echo "# ==== waiting for the second lane's debug kernel build"
		while [ ! -f "$log/debug-kernel.status" ] && kill -0 "$l2pid" 2>/dev/null; do sleep 5; done
		if [ "$(cat "$log/debug-kernel.status" 2>/dev/null)" = 0 ]; then
			run_guests "${debug[@]}"
		else
			cpass=0 cfail=1 cskip=0; start_config
			tail -n 40 "$log/debug-kernel.log" 2>/dev/null
			failures+=("guest debug: the debug kernel did not build (see $log/debug-kernel.log)")
			end_config "guest debug"
		fi
	fi
	echo "# ==== waiting for the second lane"
	wait "$l2pid"
	echo "# ==== second lane (it ran beside the above)"
	cat "$log/lane2.out"
	if [ -f "$log/lane2.res" ]; then
		{
			read -r p f x
			total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + x))
			while IFS= read -r line; do
				case $line in
				"S "*) summary+=("${line#S }") ;;
				"F "*) failures+=("${line#F }") ;;
				esac
			done
		} < "$log/lane2.res"
	else
		failures+=("the second lane died before writing its results (see $log/lane2.out)")
		total_fail=$((total_fail + 1))
	fi
}

case $which in
host) run_host ;;
guest) run_guests ;;
package) run_package; run_package_arm64 ;;
package-arm64) run_package_arm64 ;;
all) run_all ;;
*) echo "usage: tests/run.sh [host|guest|package|package-arm64|all]" >&2; exit 2 ;;
esac

echo
echo "# ==== summary"
for l in "${summary[@]}"; do echo "# $l"; done
if [ ${#failures[@]} -gt 0 ]; then
	echo "# failing tests:"
	for l in "${failures[@]}"; do echo "#   $l"; done
fi
echo "# total wall time: $SECONDS s"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ $total_fail = 0 ]
