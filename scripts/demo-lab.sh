# vmscope demo: the labs' VMA-listing exercise, as their arm64 QEMU lab
# runs it (and as it runs on x86-64).  The module lists the VMAs of the
# process that writes "listvma" to /proc/mtest, and logs them ("mtest: "
# first); that process's /proc/PID/smaps, the kernel's own answer, must
# name the same ranges with the same permissions.  A busybox-sh fragment
# run by the guest demo (needs the module loaded).
echo
echo "=== the VMA-listing lab on $(uname -m) ($(uname -r)): /proc/mtest listvma against /proc/$$/smaps"
if [ ! -w /proc/mtest ]; then
	echo "no /proc/mtest: the module is not loaded"
	exit 0
fi
n0=$(dmesg | wc -l)
echo listvma > /proc/mtest
dmesg | tail -n +$((n0 + 1)) | sed -n 's/^\[[^]]*\] mtest: //p' | grep -v '^\.\.\. ' > /tmp/lab.mtest
awk '/^[0-9a-f]+-[0-9a-f]+ / { print $1, $2 }' /proc/$$/smaps > /tmp/lab.smaps
echo "the module (this shell, pid $$, wrote listvma):"
sed 's/^/  /' /tmp/lab.mtest
echo "/proc/$$/smaps, each VMA's range, permissions and Rss:"
awk '/^[0-9a-f]+-[0-9a-f]+ / { r = $1 " " $2 " " $6 } /^Rss:/ { printf "  %-40s Rss %s kB\n", r, $2 }' /proc/$$/smaps
awk '{ print $1, $2 }' /tmp/lab.mtest > /tmp/lab.mtest2
if [ -s /tmp/lab.mtest2 ] && cmp -s /tmp/lab.mtest2 /tmp/lab.smaps; then
	echo "same: the module's $(wc -l < /tmp/lab.mtest2) VMAs are smaps' VMAs, range for range, permissions for permissions"
else
	echo "MISMATCH (module, then smaps):"; diff /tmp/lab.mtest2 /tmp/lab.smaps
fi
echo
echo "=== vmscope maps -x $$: the same VMAs with memory use from the module's walk (smaps' Rss above)"
vmscope maps -x $$
true
