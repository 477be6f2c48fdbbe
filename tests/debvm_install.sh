#!/bin/bash
# Runs inside a real Debian system (scripts/debvm.sh), as root, in the
# share that holds build/deb/*.deb and tests/lib/tap.sh.  $1 names the
# release the VM is: trixie (Debian 13, its stock 6.12 kernel) or bookworm
# (Debian 12, its stock 6.1).  A user's install, end to end: apt installs
# both packages from local files, DKMS builds the module for the running
# kernel with BTF, modprobe loads it and its kfuncs register, vmscope
# status/maps/page/read/write work on a process (maps against
# /proc/PID/maps, the page's PFN against /proc/PID/pagemap, reads and
# writes against /proc/PID/mem), man and bash completion work; then apt
# purge leaves no module, no DKMS tree and no file behind.  Bookworm's 6.1
# headers have no BTF vmlinux and no resolve_btfids: there the module's
# BTF must come from kmod/Makefile's own route (the running kernel's BTF,
# btfids), which the DKMS build log shows; trixie's come from kbuild.
set -uo pipefail
. ./tap.sh
tap_start
suite=${1:-trixie}
kver=$(uname -r)
cli=$(ls ./vmscope_*_amd64.deb 2>/dev/null | head -n1)
dkms=$(ls ./vmscope-dkms_*_all.deb 2>/dev/null | head -n1)
ver=${dkms#./vmscope-dkms_}; ver=${ver%_all.deb}
diag "$suite, kernel $kver; packages $cli $dkms"
[ -n "$cli" ] && [ -n "$dkms" ]; result "both packages are in the share" $?

stock() {	# the release asked for, running its own kernel package
	local owner
	. /etc/os-release
	owner=$(dpkg -S "/boot/vmlinuz-$kver" 2>/dev/null)
	diag "$PRETTY_NAME; /boot/vmlinuz-$kver from ${owner%%:*}"
	[ "$VERSION_CODENAME" = "$suite" ] && [ -n "$owner" ] || return 1
	case $suite:$kver in
	trixie:6.12.*|bookworm:6.1.*) return 0 ;;
	esac
	return 1
}
ok "$suite with its stock kernel ($kver)" stock
# stamped CMD...: run CMD with each output line prefixed by the seconds
# since it started, into /tmp/apt.log; then show the milestones (under
# software emulation the DKMS build and depmod take minutes).
stamped() {
	local t0=$SECONDS rc
	"$@" 2>&1 | while IFS= read -r l; do printf '%4d %s\n' $((SECONDS - t0)) "$l"; done > /tmp/apt.log
	rc=${PIPESTATUS[0]}
	# (trixie's DKMS 3.2 and bookworm's 3.0 word them differently)
	grep -E 'Unpacking|Setting up vmscope|Building (module|for|initial)|make -j|Cleaning build|Signing|Installing|depmod|Deleting|Processing triggers|Removing' \
		/tmp/apt.log | cut -c1-120 | sed 's/^/#   /'
	[ $rc = 0 ] || tail -n 40 /tmp/apt.log | sed 's/^/# /'
	return $rc
}
t0=$SECONDS
stamped apt-get install -y --no-install-recommends "$cli" "$dkms"
result "apt install ./vmscope_*.deb ./vmscope-dkms_*.deb ($((SECONDS - t0)) s)" $?
dkms status vmscope > /tmp/st 2>&1; diag "$(cat /tmp/st)"
grep -q "^vmscope/$ver, $kver, x86_64: installed" /tmp/st
result "DKMS built and installed vmscope/$ver for the running kernel" $?
ko=$(modinfo -n vmscope 2>/dev/null)
diag "modinfo -n: $ko"
case $ko in /lib/modules/$kver/updates/dkms/vmscope.ko*) true ;; *) false ;; esac
result "modinfo finds the DKMS module under /lib/modules/$kver/updates/dkms" $?
# DKMS keeps the build's log in build/ (bookworm's 3.0) or per kernel.
mlog=$(ls -t /var/lib/dkms/vmscope/$ver/build/make.log \
	/var/lib/dkms/vmscope/$ver/$kver/*/log/make.log 2>/dev/null | head -n1)
diag "DKMS build log: ${mlog:-none}"
grep -qi "warning: vmscope.ko has no BTF" "$mlog" 2>/dev/null
[ $? != 0 ] && [ -s "$mlog" ]; result "the DKMS build log has no 'no BTF' warning" $?
grep -E 'BTF \[M\]|^vmscope:|Skipping BTF' "$mlog" 2>/dev/null | sed 's/^/# make.log: /'
case $suite in
bookworm)
	# The headers' kbuild cannot (no vmlinux, no resolve_btfids): kmod/Makefile
	# builds on the running kernel's BTF and resolves the ids with btfids.
	grep -q 'BTF \[M\]  vmscope.ko (kernel BTF: /sys/kernel/btf/vmlinux (the running kernel); BTF ids: btfids)' "$mlog" &&
		! grep -q 'Skipping BTF' "$mlog"
	result "the module's BTF came from kmod/Makefile: the running kernel's BTF, btfids" $? ;;
*)
	grep -qE 'BTF \[M\] .*vmscope\.ko$' "$mlog" && ! grep -q 'BTF ids: btfids' "$mlog"
	result "the module's BTF came from kbuild (the headers' vmlinux, resolve_btfids)" $? ;;
esac
# The installed file itself (DKMS may have compressed it).
case $ko in
*.xz) xz -dc "$ko" > /tmp/v.ko ;;
*.zst) zstd -qdc "$ko" > /tmp/v.ko ;;
*.gz) gzip -dc "$ko" > /tmp/v.ko ;;
*) cp "$ko" /tmp/v.ko 2>/dev/null ;;
esac
# (Output captured first: under pipefail, `readelf | grep -q` fails when
# grep leaves at its match and readelf dies of SIGPIPE.)
sections=$(readelf -SW /tmp/v.ko 2>/dev/null)
grep -q ' \.BTF ' <<< "$sections" && grep -q ' \.BTF_ids ' <<< "$sections"
result "the installed vmscope.ko carries .BTF and .BTF_ids" $?
[ ! -e /etc/modules-load.d/vmscope.conf ]
result "not loaded at boot unless asked (no /etc/modules-load.d/vmscope.conf)" $?

dmesg -C
ok "modprobe vmscope" modprobe vmscope
ok "its BTF is registered (/sys/kernel/btf/vmscope)" test -f /sys/kernel/btf/vmscope
dmesg | grep -E 'missing module BTF|failed to validate module|BTF' | sed 's/^/# dmesg: /'
! grep -qE 'missing module BTF|failed to validate module' <<< "$(dmesg)"
result "the kernel log has no module BTF complaint" $?
ok "the device and the lab file exist" test -c /dev/vmscope -a -e /proc/mtest
vmscope status > /tmp/st 2>&1; diag "$(cat /tmp/st)"
grep -q "^module: *loaded, $ver, ABI [0-9]* (matches)" /tmp/st
result "vmscope status: the module is loaded, version $ver, its ABI matches" $?
vmscope -j status > /tmp/stj 2>&1
grep -q '"module_usable": *true' /tmp/stj; result "vmscope -j status: module_usable" $?
vmscope --version > /tmp/v 2>&1
grep -q "^vmscope $ver " /tmp/v; result "vmscope --version is the package's ($(cat /tmp/v))" $?

# A process to look into: a shell that only sleeps.  The lowest page of
# its stack VMA is never touched by the shell (the stack grows down from
# the top), so writing there is harmless.
sleep 600 &
pid=$!
# Until it has exec'd sleep (a slow TCG guest may take a while to get there).
for _ in $(seq 100); do [ "$(cat /proc/$pid/comm 2>/dev/null)" = sleep ] && break; sleep 0.1; done
lo=$(awk '/\[stack\]$/ { split($1, a, "-"); print a[1] }' /proc/$pid/maps)
diag "target $pid ($(cat /proc/$pid/comm)), [stack] starts at 0x$lo"
vmscope maps $pid > /tmp/m 2>&1
cp /proc/$pid/maps /tmp/pm
# The rows' address ranges against the kernel's, one for one (the first
# line of the output, "PID:   command", is a header).
grep -oE '^[0-9a-f]+-[0-9a-f]+ ' /tmp/m > /tmp/m.r; cut -d' ' -f1 /tmp/pm | sed 's/$/ /' > /tmp/pm.r
rows=$(wc -l < /tmp/m.r); lines=$(wc -l < /tmp/pm.r)
cmp -s /tmp/m.r /tmp/pm.r || { diag "vmscope maps ($rows rows):"; sed 's/^/#   /' /tmp/m
	diag "/proc/$pid/maps ($lines lines):"; sed 's/^/#   /' /tmp/pm; }
[ "$lines" -gt 5 ] && cmp -s /tmp/m.r /tmp/pm.r
result "vmscope maps: the ranges of /proc/PID/maps, one row each ($rows, $lines)" $?
# The walk: the stack's top word, which exec wrote (the low end may have no
# page table yet, when the VMA reaches into a 2 MiB region of its own).
hi=$(awk '/\[stack\]$/ { split($1, a, "-"); print a[2] }' /proc/$pid/maps)
top=$(printf '0x%x' $((0x$hi - 8)))
vmscope page $pid $top > /tmp/p 2>&1; rc=$?; diag "$(head -n 12 /tmp/p)"
[ $rc = 0 ] && grep -q '^  PTE ' /tmp/p && grep -q '^  PGD ' /tmp/p
result "vmscope page walks the stack's top word to its PTE" $?
addr=$((0x$lo + 256))
vmscope write $pid $(printf '0x%x' $addr) --hex 766d73636f706521 > /tmp/w 2>&1
rc=$?; diag "$(cat /tmp/w)"
result "vmscope write 8 bytes into the process" $rc
# A write is journaled for undo, per user, under $XDG_STATE_HOME (here
# root's ~/.local/state); the purge below leaves that user data alone.
journal=/root/.local/state/vmscope/journal
[ -s $journal ] && [ "$(stat -c %a $journal)" = 600 ]
result "the write is journaled in $journal (0600), for vmscope undo" $?
got=$(dd if=/proc/$pid/mem bs=1 skip=$addr count=8 iflag=skip_bytes 2>/dev/null | od -An -tx1 | tr -d ' \n')
diag "/proc/PID/mem has $got"
[ "$got" = 766d73636f706521 ]; result "/proc/PID/mem shows the written bytes" $?
vmscope read $pid $(printf '0x%x' $addr) 8 --format raw 2>/dev/null | od -An -tx1 | tr -d ' \n' > /tmp/r
[ "$(cat /tmp/r)" = 766d73636f706521 ]; result "vmscope read returns them" $?
# The whole page, against the kernel's own copy.
page=$((addr & ~4095))
vmscope read $pid $(printf '0x%x' $page) 4096 --format raw > /tmp/r4k 2>/dev/null
dd if=/proc/$pid/mem bs=4096 skip=$page count=1 iflag=skip_bytes of=/tmp/m4k 2>/dev/null
[ "$(stat -c %s /tmp/r4k)" = 4096 ] && cmp -s /tmp/r4k /tmp/m4k
result "vmscope read of the whole page equals /proc/PID/mem" $?
# The written page is present now: its PFN against /proc/PID/pagemap (bit
# 63 present, bits 0-54 the PFN; root sees PFNs in both).
vmscope page $pid $(printf '0x%x' $addr) > /tmp/p2 2>&1; rc=$?; diag "$(cat /tmp/p2)"
pfn=$(sed -n 's/.*PFN 0x\([0-9a-f]*\).*/\1/p' /tmp/p2)
pm=$(dd if=/proc/$pid/pagemap bs=8 count=1 skip=$((addr / 4096 * 8)) iflag=skip_bytes 2>/dev/null |
	od -An -tx8 | tr -d ' \n')
diag "vmscope page: PFN 0x$pfn; /proc/$pid/pagemap entry 0x$pm"
[ $rc = 0 ] && grep -q 'stopped at PTE: present leaf' /tmp/p2 && [ -n "$pfn" ] && [ -n "$pm" ] &&
	(( (0x$pm >> 63) & 1 )) && (( (0x$pm & 0x7fffffffffffff) == 0x$pfn ))
result "vmscope page: present 4K leaf, its PFN equals /proc/PID/pagemap's" $?
kill $pid 2>/dev/null; wait $pid 2>/dev/null

# ---- man pages and completion ----
grep -q 'vmscope' <<< "$(man vmscope 2>/dev/null)" &&
	grep -qi 'page' <<< "$(man vmscope-page 2>/dev/null)" &&
	grep -q '/dev/vmscope' <<< "$(man 4 vmscope 2>/dev/null)" &&
	grep -q 'mtest' <<< "$(man 4 mtest 2>/dev/null)"
result "man vmscope, vmscope-page, vmscope(4) and mtest(4) render" $?
ok "the headers are installed" test -f /usr/include/vmscope/vmscope_uapi.h
complete_words() {	# candidates bash-completion offers for the last word
	bash -lic '
		_comp_load vmscope 2>/dev/null || _completion_loader vmscope
		func=$(complete -p vmscope | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
		[ -n "$func" ] || exit 3
		COMP_WORDS=(vmscope "$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
		"$func" vmscope "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' bash "$@" < /dev/null 2>/dev/null
}
got=$(complete_words ma | tr '\n' ' '); diag "vmscope ma<TAB>: $got"
echo " $got" | grep -q ' maps '; result "bash completion: 'vmscope ma' offers maps" $?
got=$(complete_words page --r | tr '\n' ' '); diag "vmscope page --r<TAB>: $got"
echo " $got" | grep -q ' --range '; result "bash completion: 'vmscope page --r' offers --range" $?

ok "modprobe -r vmscope" modprobe -r vmscope

# ---- purge: nothing may be left ----
t0=$SECONDS
stamped apt-get purge -y vmscope vmscope-dkms
result "apt purge vmscope vmscope-dkms ($((SECONDS - t0)) s)" $?
ok "no DKMS tree (/var/lib/dkms/vmscope)" test ! -e /var/lib/dkms/vmscope
ok "no source tree (/usr/src/vmscope-$ver)" test ! -e /usr/src/vmscope-$ver
! find /lib/modules -name 'vmscope.ko*' | grep . ; result "no vmscope.ko under /lib/modules" $?
! modprobe -n vmscope 2>/dev/null; result "modprobe no longer finds it" $?
# man-db's cache of formatted pages is man-db's, not the package's.
left=$(find / -xdev -name '*vmscope*' -not -path '/mnt/*' -not -path '/var/cache/man/*' \
	-not -path '/proc/*' -not -path '/tmp/*' -not -path '/root/.local/state/vmscope*' 2>/dev/null)
diag "left: ${left:-nothing}"
[ -z "$left" ]; result "no file named vmscope anywhere (but man-db's page cache and root's journal)" $?
ok "root's journal is still there (user data is not the package's)" test -s $journal
[ -z "$(dkms status 2>/dev/null)" ]; result "dkms status is empty" $?
finish
