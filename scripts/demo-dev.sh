#!/bin/sh
# Demo fragment: the mmap device /dev/vmscope and the lab's
# /proc/mtest.  Runs in the guest as root (busybox sh); standalone:
#   scripts/vm.sh run --script scripts/demo-dev.sh
cap() { printf '\n=== %s\n' "$*"; }
run() { echo "# $*"; "$@"; }

cap "The mmap lab's test program, unchanged but for the device path"
run /tests/devmap_example /dev/vmscope

cap "vmscope dev map: each page of a vmalloc buffer, read through mmap"
run vmscope dev map --pages 4 --backing vmalloc

cap "vmscope dev info: a kmalloc buffer is one physically contiguous block"
run vmscope dev info --pages 4

cap "vmscope dev fill: a write() is seen in the mapping, a store is seen by read()"
run vmscope dev fill hello --offset 4100 --backing pages

cap "vmscope page on a device mapping: a PFNMAP page with the buffer's PFN"
if vmscope page --help > /dev/null 2>&1; then
	d=/tmp/demo4.$$; mkdir -p $d; mkfifo $d/hold
	vmscope dev map --pages 2 --hold < $d/hold > $d/held 2>&1 &
	exec 3> $d/hold
	i=0
	while ! grep -q "holding the mapping" $d/held && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	grep -E "^(0|PAGE) " $d/held
	set -- $(sed -n 's/^holding the mapping of pid \([0-9]*\) at \(0x[0-9a-f]*\).*/\1 \2/p' $d/held)
	run vmscope page "$1" "$2"
	exec 3>&-
	wait
	rm -rf $d
else
	echo "(vmscope page is not in this build)"
fi

cap "/proc/vmscope/vmsize: the reader's mapped bytes, VMA count and comm"
run cat /proc/vmscope/vmsize

cap "/proc/mtest: 'listvma' from this shell (echo is a builtin: the shell writes)"
echo listvma > /proc/mtest && cat /proc/mtest

stack=$(grep '\[stack\]' /proc/$$/maps | cut -d' ' -f1)
top=$(printf %x $((0x${stack#*-} - 8)))
cap "/proc/mtest: findvma and findpage on this shell's stack (0x$top)"
echo "findvma$top" > /proc/mtest && cat /proc/mtest
echo "findpage $top" > /proc/mtest && cat /proc/mtest

cap "/proc/mtest: r and w on another process; its file's page cache stays untouched"
sleep 60 &
s=$!
sleep 0.2
line=$(grep ' rw-p ' /proc/$s/maps | grep busybox | head -n 1)
addr=${line%%-*}
off=$(echo "$line" | awk '{print $3}')
echo "sleep is pid $s; its first writable busybox page: $line"
echo "r $s $addr" > /proc/mtest && cat /proc/mtest
echo "w $s $addr 0x5a" > /proc/mtest && cat /proc/mtest
echo "r $s $addr" > /proc/mtest && cat /proc/mtest
printf 'byte at file offset 0x%s of /bin/busybox:' "$off"
od -An -tx1 -j $((0x$off)) -N 1 /bin/busybox
kill $s

cap "/proc/mtest: bad input is refused and changes nothing"
echo "findvma zz" > /proc/mtest
echo "r 4194303 1000" > /proc/mtest
cat /proc/mtest

cap "...and every answer also went to the kernel log"
dmesg | grep 'vmscope: mtest' | tail -n 3
