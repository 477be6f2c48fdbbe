#!/bin/sh
# /dev/vmscope from the shell and the CLI: the lab's example program, cat
# and dd, 'vmscope dev', and 'vmscope page' on a device mapping.
. /tests/lib/tap.sh
tap_start
D=/dev/vmscope
T=/tmp/devcli.$$
mkdir -p $T

/tests/devmap_example $D > $T/ex 2>&1
ok "the lab's example program maps $D and finds the signature on all 16 pages" \
	grep -q "16 pages mapped, 16 with the signature aa bb cc dd" $T/ex
! /tests/devmap_example $D 17 > $T/ex17 2>&1
result "the example program cannot map 17 pages of a 16-page buffer" $?

n=$(cat $D | wc -c)
check_eq() { [ "$1" = "$2" ] || { diag "got '$1', want '$2'"; return 1; }; }
ok "cat reads exactly the 16 pages (65536 bytes)" check_eq "$n" 65536
sig=$(dd if=$D bs=4096 skip=15 count=1 2>/dev/null | head -c 8 | od -An -tx1 | tr -s ' ')
ok "dd reads page 15: aa bb cc dd 0f 00 00 00" check_eq "$sig" " aa bb cc dd 0f 00 00 00"
! dd if=/dev/zero of=$D bs=4096 count=17 2>$T/dd
result "dd writing 17 pages stops at the end of the buffer" $?
ok "dd reports the end of the buffer as 'No space left on device'" grep -q "No space left" $T/dd
! su vmsuser -c "cat $D" > /dev/null 2>&1
result "a non-root user cannot read $D" $?

vmscope dev info --pages 4 > $T/info 2>&1
ok "vmscope dev info shows one contiguous kmalloc run of 4 PFNs" grep -q "1 contiguous run" $T/info
vmscope dev map --backing vmalloc > $T/map 2>&1
ok "vmscope dev map sees the signature on all pages (vmalloc)" grep -q "^16 of 16 pages show" $T/map
vmscope dev fill hello --offset 5000 --backing pages > $T/fill 2>&1
ok "vmscope dev fill: write() seen in the mapping" grep -q "the mapping shows the written bytes" $T/fill
ok "vmscope dev fill: a store to the mapping seen by read()" grep -q "read() shows the stored bytes" $T/fill
vmscope -j dev map --pages 2 > $T/json 2>&1
ok "vmscope -j dev map prints the page list as JSON" \
	grep -q '"pages_with_signature":2,"page_list":\[{"index":0' $T/json
vmscope dev info --pages 0 > /dev/null 2>&1
ok "vmscope dev with a bad page count is a usage error (2)" check_eq $? 2

# 'vmscope page' on a device mapping: its PFN equals the ioctl's.
if ! vmscope page --help > /dev/null 2>&1; then
	skip "vmscope page on a device mapping reports PFNMAP and the ioctl's PFN" "vmscope page not available"
else
	mkfifo $T/hold
	vmscope dev map --pages 2 --hold < $T/hold > $T/held 2>&1 &
	exec 3> $T/hold
	i=0
	while ! grep -q "holding the mapping" $T/held && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	pid=$(sed -n 's/^holding the mapping of pid \([0-9]*\) at \(0x[0-9a-f]*\).*/\1/p' $T/held)
	addr=$(sed -n 's/^holding the mapping of pid \([0-9]*\) at \(0x[0-9a-f]*\).*/\2/p' $T/held)
	pfn=$(awk '$1 == "0" && $2 ~ /^0x/ {print $NF}' $T/held | sed 's/^0x//')
	vmscope page "$pid" "$addr" > $T/page 2>&1
	cat $T/page | sed 's/^/# /'
	grep -qi pfnmap $T/page && grep -qi "$pfn" $T/page
	result "vmscope page on a device mapping reports PFNMAP and the ioctl's PFN (0x$pfn)" $?
	exec 3>&-
	wait
fi
rm -rf $T
finish
