#!/bin/sh
# Runs inside the guest (as /run.sh): every /tests/guest_* in name order,
# each between markers that tests/run.sh splits on.
# The console has just printed escape codes without a newline: start a
# fresh line, or the first BEGIN marker is lost and its test not counted.
echo
rc=0
for t in /tests/guest_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	name=${name%.sh}
	echo "=== BEGIN $name"
	( cd /tmp && "$t" ) 2>&1
	r=$?
	echo "=== END $name $r"
	[ $r = 0 ] || rc=1
done
exit $rc
