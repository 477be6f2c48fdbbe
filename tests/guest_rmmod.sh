#!/bin/sh
# After every other test, the module must unload: no leaked reference.
. /tests/lib/tap.sh
tap_start
r=1
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	if ! test -d /sys/module/vmscope; then r=0; break; fi
	rmmod vmscope 2>/dev/null && { r=0; break; }
	sleep 0.25
done
[ -d /sys/module/vmscope ] && { diag "refcount: $(cat /sys/module/vmscope/refcnt 2>&1)"; r=1; }
result "rmmod vmscope succeeds after all tests" $r
finish
