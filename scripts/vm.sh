#!/bin/bash
# The QEMU guest harness: boots a Debian kernel (or the debug kernel) with a
# busybox initramfs that carries the module built for it, the CLI, the tests
# and bpftool, runs a command as root, scans the kernel log and returns the
# command's status.
#
#   scripts/vm.sh run [options] -- CMD [ARGS...]   run one command
#   scripts/vm.sh run [options] --sh 'LINE'        run a shell command line
#   scripts/vm.sh run [options] --script FILE      run a shell script
#   scripts/vm.sh shell [options]                  interactive guest shell
# options:
#   --kernel NAME    6.12 (default), 6.1, 6.12-rt, newest or debug (scripts/kernel.sh);
#                    the module is build/kmod/NAME/vmscope.ko; arm64-6.1,
#                    arm64-6.12 or arm64-newest boot an arm64 guest
#                    (qemu-system-aarch64) with the arm64 CLI, tests and
#                    BPF objects of build/arm64/ (make ARCH=arm64)
#   --no-module      do not insmod vmscope.ko at boot
#   --append ARGS    extra kernel command line (e.g. no5lvl)
#   --mem SIZE       guest memory (default 3G; the debug kernel's KASAN
#                    shadow takes about 0.4G of it)
#   --timeout SECS   kill the guest after SECS (default 900)
#   --file SRC:DST   also put SRC into the initramfs at DST (in an arm64
#                    guest with the libraries its dynamic programs need)
#
# Exit status: the guest command's status; 124 on timeout; 125 when the
# guest kernel log shows a kernel complaint (Oops, BUG, WARNING, KASAN,
# KFENCE, lockdep or RCU splats, hung tasks, sleeping in atomic context, kmemleak
# reports, "missing module BTF": scripts/klog-scan.awk); 126 when the guest
# died without reporting.  (x86 guests report it through QEMU's
# isa-debug-exit port, arm64 guests through semihosting: build/arm64/vms-exit,
# built here from scripts/vms-exit.c.)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/build

mode=${1:-}; shift || true
case $mode in run|shell) ;; *) sed -n '2,30p' "$0" >&2; exit 2 ;; esac

kernel=6.12 module=1 append="" mem="" timeout=900 script="" line="" cmd=() files=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift ;;
	--no-module) module=0 ;;
	--append) append="$append $2"; shift ;;
	--mem) mem=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--script) script=$2; shift ;;
	--sh) line=$2; shift ;;
	--file) files+=("$2"); shift ;;
	--) shift; cmd=("$@"); break ;;
	*) echo "vm.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
if [ $mode = run ] && [ -z "$script" ] && [ -z "$line" ] && [ ${#cmd[@]} = 0 ]; then
	echo "vm.sh run: give -- CMD, --sh LINE or --script FILE" >&2; exit 2
fi

eval "$(scripts/kernel.sh "$kernel" | sed 's/^/export /')"
[ -n "$VMLINUZ" ] || { echo "vm.sh: kernel $kernel cannot be booted here" >&2; exit 2; }
[ -n "$mem" ] || mem=3G
KMOD=build/kmod/$kernel/vmscope.ko
KARCH=${KARCH:-x86_64}

# BIN: where the guest's CLI, tests and BPF objects come from; OBJCOPY
# edits the module's copies.
if [ "$KARCH" = arm64 ]; then
	BIN=build/arm64 OBJCOPY=aarch64-linux-gnu-objcopy
	command -v qemu-system-aarch64 >/dev/null && command -v aarch64-linux-gnu-gcc >/dev/null || {
		echo "vm.sh: arm64 guests need qemu-system-aarch64 and aarch64-linux-gnu-gcc:" 		     "run scripts/deps.sh arm64" >&2; exit 2; }
	# busybox, bpftool, pmap and their libraries: Debian's arm64 packages.
	A64=$(scripts/arm64-pkgs.sh) || exit 2
	# The exit-status helper (semihosting), rebuilt when its source changes.
	if [ ! -x "$BIN/vms-exit" ] || [ scripts/vms-exit.c -nt "$BIN/vms-exit" ]; then
		mkdir -p "$BIN"
		aarch64-linux-gnu-gcc -static -nostdlib -ffreestanding -O2 -Wall -Wextra \
			-o "$BIN/vms-exit" scripts/vms-exit.c || exit 2
	fi
	# The module only when it is loaded, and the CLI is not needed to boot:
	# a guest without them runs what does not use them.
	need=()
	[ $module = 1 ] && need+=("$KMOD")
	for f in ${need[@]+"${need[@]}"}; do
		[ -f "$f" ] || { echo "vm.sh: $f missing: run make kmod KERNEL=$kernel" >&2; exit 2; }
	done
	[ -f "$BIN/vmscope" ] || echo "vm.sh: $BIN/vmscope missing (make ARCH=arm64): the guest has no CLI" >&2
else
	BIN=build OBJCOPY=objcopy
	for f in "$KMOD" build/vmscope; do
		[ -f "$f" ] || { echo "vm.sh: $f missing: run make (make kmod KERNEL=$kernel)" >&2; exit 2; }
	done
fi

# ---- initramfs ---------------------------------------------------------
# Each run has its own work folder (initramfs, console): tests/run.sh boots
# two guests at once, and a developer may too.  The shell's exit removes it.
mkdir -p "$OUT"
WORK=$(mktemp -d "$OUT/vm.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
IR=$WORK/initramfs
mkdir -p "$IR"/{bin,sbin,usr/bin,etc,proc,sys,dev,tmp,root,mnt,lib/vmscope,lib/modules,tests,usr/sbin}
if [ "$KARCH" = arm64 ]; then
	mkdir -p "$IR/lib/aarch64-linux-gnu"
	cp "$A64/bin/busybox" "$IR/bin/busybox"
	cp "$BIN/vms-exit" "$IR/lib/vmscope/"
else
	mkdir -p "$IR"/{lib64,lib/x86_64-linux-gnu}
	cp /bin/busybox "$IR/bin/busybox"
fi
for a in sh ash; do ln -s busybox "$IR/bin/$a"; done

if [ -f "$KMOD" ]; then
	cp "$KMOD" "$IR/lib/vmscope/"
	# A BTF-less copy, for the test that proves a missing .BTF is caught.
	$OBJCOPY --remove-section=.BTF "$KMOD" "$IR/lib/vmscope/vmscope-nobtf.ko"
	# A copy that says it was built for another kernel, for status's vermagic check.
	$OBJCOPY --dump-section .modinfo="$WORK/modinfo" "$KMOD" "$WORK/modinfo.ko"
	sed -i 's/vermagic=[^ ]*/vermagic=0.0.0-vmscope-test/' "$WORK/modinfo"
	$OBJCOPY --update-section .modinfo="$WORK/modinfo" "$KMOD" "$IR/lib/vmscope/vmscope-foreign.ko"
fi
cp scripts/klog-scan.awk "$IR/lib/vmscope/"
# The kernel's configuration where Debian keeps it: tests whose expectations
# depend on it (CONFIG_PREEMPT_COUNT) read it there.
if [ -f "$KDIR/.config" ]; then
	mkdir -p "$IR/boot" && cp "$KDIR/.config" "$IR/boot/config-$KVER"
fi
[ -f "$BIN/vmscope" ] && cp "$BIN/vmscope" "$IR/bin/"
[ -d "$BIN/tests" ] && find "$BIN/tests" -maxdepth 1 -type f -perm -u+x -exec cp {} "$IR/tests/" \;
cp tests/*.sh tests/tests.list "$IR/tests/" 2>/dev/null || true
[ -d tests/lib ] && cp -r tests/lib "$IR/tests/"
mkdir -p "$IR/lib/vmscope/demo" && cp scripts/demo*.sh "$IR/lib/vmscope/demo/"
for f in ${files[@]+"${files[@]}"}; do mkdir -p "$IR$(dirname "${f#*:}")"; cp -r "${f%%:*}" "$IR${f#*:}"; done
[ -d "$BIN/bpf" ] && mkdir -p "$IR/lib/vmscope/bpf" && cp "$BIN"/bpf/*.bpf.o "$IR/lib/vmscope/bpf/"

# bpftool and pmap (the benchmark's anchor) are dynamic: bring their libraries.
if [ "$KARCH" = arm64 ]; then
	# Debian's arm64 builds, with the libraries they need (by DT_NEEDED,
	# recursively: ldd cannot run them) from the same unpacked tree, at
	# the paths the arm64 loader searches.
	a64_libs() {
		local f=$1 n p
		for n in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			[ -e "$IR/lib/aarch64-linux-gnu/$n" ] && continue
			[ "$n" = ld-linux-aarch64.so.1 ] && continue
			for p in "$A64/lib/aarch64-linux-gnu/$n" "$A64/usr/lib/aarch64-linux-gnu/$n" ""; do
				[ -e "$p" ] && break
			done
			[ -n "$p" ] || { echo "vm.sh: $n (for $(basename "$f")) is not in $A64" >&2; return 1; }
			cp -L "$p" "$IR/lib/aarch64-linux-gnu/$n"
			a64_libs "$p" || return 1
		done
	}
	cp -L "$A64/lib/ld-linux-aarch64.so.1" "$IR/lib/"
	for f in usr/sbin/bpftool usr/bin/pmap; do
		if [ -f "$A64/$f" ] && a64_libs "$A64/$f"; then
			cp "$A64/$f" "$IR/$f"
		else
			echo "vm.sh: no arm64 $(basename "$f") for the guest" >&2
		fi
	done
	# Dynamic programs given with --file (the arm64 package's CLI) get
	# theirs the same way.
	for f in ${files[@]+"${files[@]}"}; do
		while IFS= read -r x; do
			readelf -d "$x" 2>/dev/null | grep '(NEEDED)' > /dev/null || continue
			a64_libs "$x" || exit 2
		done < <(find "$IR${f#*:}" -type f)
	done
else
	cp /usr/sbin/bpftool "$IR/usr/sbin/"
	cp /usr/bin/pmap "$IR/usr/bin/"
	for l in $(ldd /usr/sbin/bpftool /usr/bin/pmap | awk '/=>/ {print $3} /ld-linux/ {print $1}' | sort -u); do
		cp -L "$l" "$IR$l" 2>/dev/null || { mkdir -p "$IR$(dirname "$l")"; cp -L "$l" "$IR$l"; }
	done
fi

# Kernel modules the tests may want (zram swap), decompressed.
# copy_mod PATH DEST: MODDIR/kernel/PATH.ko[.xz|.zst] to DEST; 1 if absent.
copy_mod() {
	local f
	[ -n "$MODDIR" ] || return 1
	f=$(ls "$MODDIR"/kernel/$1.ko* 2>/dev/null | head -n1) || true
	[ -n "$f" ] || return 1
	case $f in *.xz) xz -dc "$f" > "$2" ;;
		   *.zst) zstd -qdc "$f" > "$2" ;;
		   *) cp "$f" "$2" ;; esac
}
for m in lib/lz4/lz4_compress lib/lz4/lz4hc_compress drivers/block/zram/zram; do
	copy_mod "$m" "$IR/lib/modules/$(basename "$m").ko" || true
done
# 6.1: zsmalloc is a module (6.12+ build it in) and zram compresses through
# the crypto API, so zram there also needs zsmalloc and crypto's lz4: load
# those at boot, in dependency order, where zsmalloc is a module.
if copy_mod mm/zsmalloc "$IR/lib/modules/zsmalloc.ko"; then
	mkdir -p "$IR/lib/modules/preload"
	copy_mod lib/lz4/lz4_compress "$IR/lib/modules/preload/1-lz4_compress.ko" || true
	mv "$IR/lib/modules/zsmalloc.ko" "$IR/lib/modules/preload/2-zsmalloc.ko"
	copy_mod crypto/lz4 "$IR/lib/modules/preload/3-lz4.ko" || true
fi

cat > "$IR/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
vmsuser:x:1000:1000:vmscope test user:/tmp:/bin/sh
PW
cat > "$IR/etc/group" <<'GR'
root:x:0:
vmsuser:x:1000:
GR

if [ -n "$script" ]; then
	cp "$script" "$IR/run.sh"
elif [ -n "$line" ]; then
	printf '#!/bin/sh\n%s\n' "$line" > "$IR/run.sh"
elif [ $mode = run ]; then
	{ echo '#!/bin/sh'; printf '%q ' "${cmd[@]}"; echo; } > "$IR/run.sh"
fi
[ -f "$IR/run.sh" ] && chmod +x "$IR/run.sh"

# How the guest's init hands its status to the host (after the log line):
# QEMU's isa-debug-exit port on x86, a semihosting exit call on arm64.
if [ "$KARCH" = arm64 ]; then
	exit_status='/lib/vmscope/vms-exit $rc'
else
	exit_status='printf "\\$(printf %o $rc)" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null'
fi

cat > "$IR/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/tests HOME=/root
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs -o size=512m tmp /tmp
mount -t bpf bpf /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /dev/hugepages && mount -t hugetlbfs none /dev/hugepages
chmod 1777 /tmp
hostname vmscope-guest
echo "vm: guest up"
echo 1 > /proc/sys/kernel/printk_ratelimit_burst 2>/dev/null
for m in /lib/modules/preload/*.ko; do
	[ -f "\$m" ] && insmod "\$m"
done
if [ $module = 1 ]; then
	insmod /lib/vmscope/vmscope.ko || echo "vm: insmod vmscope.ko failed"
fi
cd /root
rc=0
if [ "$mode" = shell ]; then
	echo "vmscope guest: exit the shell to power off"
	setsid cttyhack sh -l
else
	/run.sh
	rc=\$?
fi
# Kernels with kmemleak (the debug kernel): scan at the end; an unreferenced
# object fails the run like any kernel complaint.  Two scans, because
# kmemleak reports an object only after it stayed unreferenced across one.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	echo scan > /sys/kernel/debug/kmemleak
	leaks=\$(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak)
	if [ "\$leaks" != 0 ]; then
		echo "vm: kmemleak reports \$leaks unreferenced objects:"
		head -n 60 /sys/kernel/debug/kmemleak
		[ \$rc = 0 ] && rc=125
	fi
fi
# Fail the run on any kernel complaint (scripts/klog-scan.awk says which).
bad=\$(dmesg | awk -f /lib/vmscope/klog-scan.awk)
if [ -n "\$bad" ]; then
	echo "vm: kernel log shows problems:"
	echo "\$bad"
	[ \$rc = 0 ] && rc=125
fi
echo "vm: guest exit status \$rc"
$exit_status
poweroff -f
INIT
chmod +x "$IR/init"

(cd "$IR" && find . | cpio -o -H newc --quiet) > "$WORK/initramfs.cpio"

# ---- boot ----------------------------------------------------------------
kargs="panic=-1 oops=panic quiet transparent_hugepage=madvise hugepagesz=1G hugepages=1 hugepagesz=2M hugepages=64"
if [ "$KARCH" = arm64 ]; then
	# pauth=off: emulating pointer authentication (Debian's arm64 kernels
	# sign every return address) costs 2-4x.  One CPU: a second one does
	# not help on a 2-core host.  No isa-debug-exit on virt: semihosting,
	# open to the guest's user space for vms-exit.
	qemu=(qemu-system-aarch64 -M virt -cpu max,pauth=off -accel tcg,thread=multi -m "$mem" -smp 1
	      -nographic -no-reboot -kernel "$VMLINUZ" -initrd "$WORK/initramfs.cpio"
	      -semihosting-config enable=on,target=native,userspace=on
	      -append "console=ttyAMA0 $kargs $append")
else
	qemu=(qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m "$mem" -smp 2
	      -nographic -no-reboot -kernel "$VMLINUZ" -initrd "$WORK/initramfs.cpio"
	      -device isa-debug-exit,iobase=0xf4,iosize=0x04
	      -append "console=ttyS0 $kargs $append")
fi
if [ $mode = shell ]; then
	"${qemu[@]}" || true
	exit 0
fi
# One boot; its raw console is kept in $WORK/console.raw.
boot_once() {
	set +e
	# Drop the firmware's banner and screen-clearing escapes from the console.
	timeout --foreground -k 5 "$timeout" "${qemu[@]}" < /dev/null 2>&1 | tee "$WORK/console.raw" |
		sed -u -e 's/\r//g' -e 's/\x1bc//g' -e 's/\x1b\[?7l//g' -e 's/\x1b\[2J//g' -e 's/\x1b\[0m//g' \
		    -e 's/^SeaBIOS (version[^)]*)//' -e 's/^iPXE (http.*//' -e 's/^Press Ctrl-B.*//' -e 's/^Booting from ROM\.*//' \
		    -e '1,/^vm: guest up$/{/^$/d; /^vm: guest up$/d}'
	q=${PIPESTATUS[0]}
	set -e
}
# Did the guest report a status?  Sets status.  x86: isa-debug-exit makes
# QEMU exit with (status << 1) | 1.  arm64: the semihosting exit makes QEMU
# exit with the status itself, which a reboot after a panic (0) or a
# timeout (124) could also give: it counts only when it is the status the
# guest's init logged last.
reported() {
	local last
	if [ "$KARCH" = arm64 ]; then
		last=$(tr -d '\r' < "$WORK/console.raw" | sed -n 's/.*vm: guest exit status \([0-9]*\)$/\1/p' | tail -n1)
		[ -n "$last" ] && [ "$last" = "$q" ] || return 1
		status=$q
	else
		[ $((q & 1)) = 1 ] || return 1
		status=$(((q - 1) / 2))
	fi
}
# QEMU 7.2's multi-threaded TCG now and then crashes a kernel while it
# patches its own text (seen: "Oops: int3" in an initcall early in boot,
# and in __schedule while perf flipped a static key mid-run), which is an
# emulation fault, not a test's.  Such a boot is tried once more, and the
# log says so in a line "vm.sh: ... booting once more" (tests/run.sh
# drops what the first boot printed when it sees it).  A kernel that dies
# any other way after the guest's init ran is reported, never retried.
# (The console has the firmware's escapes before "vm: guest up": unanchored.)
boot_once
if [ "$q" != 124 ] && ! reported; then
	if ! grep -aq 'vm: guest up' "$WORK/console.raw"; then
		echo "vm.sh: the kernel died while booting, before the guest's init ran (qemu exit $q):" \
		     "an emulation fault, not a test; booting once more" >&2
		boot_once
	elif grep -aq 'Oops: int3' "$WORK/console.raw"; then
		echo "vm.sh: the kernel died of an int3 trap in its own text after the guest's init" \
		     "ran (qemu exit $q): TCG's text-patching fault, not a test; booting once more" >&2
		boot_once
	fi
fi
if reported; then
	exit "$status"
fi
if [ "$q" = 124 ]; then
	echo "vm.sh: guest timed out after ${timeout}s" >&2; exit 124
fi
echo "vm.sh: the guest died without reporting a status (qemu exit $q)" >&2
exit 126
