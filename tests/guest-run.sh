#!/bin/sh
# Runs inside the guest (as /run.sh): the guest tests of /tests/tests.list
# in its order, each between markers that tests/run.sh splits on.
# The console has just printed escape codes without a newline: start a
# fresh line, or the first BEGIN marker is lost and its test not counted.
echo
rc=0
grep -v '^#' /tests/tests.list | while read -r where name; do
	[ "$where" = guest ] || continue
	echo "=== BEGIN ${name%.sh}"
	( cd /tmp && "/tests/$name" ) 2>&1
	r=$?
	echo "=== END ${name%.sh} $r"
	[ $r = 0 ] || echo 1 > /tmp/.guest-run-failed
done
[ -e /tmp/.guest-run-failed ] && rc=1
exit $rc
