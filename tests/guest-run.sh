#!/bin/sh
# Runs inside the guest (as /run.sh): the guest tests of /tests/tests.list
# in its order, each between markers that tests/run.sh splits on.
# The console has just printed escape codes without a newline: start a
# fresh line, or the first BEGIN marker is lost and its test not counted.
echo
rc=0
# 4-level paging (no5lvl; arm64.nolva on arm64): only the tests tagged
# "paging" (tests.list).
# The debug kernel (its release ends in -vmscope-debug): not those tagged
# "nodebug".
no5=0 dbg=0
grep -qwE 'no5lvl|arm64\.nolva' /proc/cmdline && no5=1
case $(uname -r) in *-vmscope-debug) dbg=1 ;; esac
grep -v '^#' /tests/tests.list | while read -r where name tag; do
	[ "$where" = guest ] || continue
	[ $no5 = 1 ] && case ",$tag," in *,paging,*) false ;; *) true ;; esac && continue
	[ $dbg = 1 ] && case ",$tag," in *,nodebug,*) true ;; *) false ;; esac && continue
	echo "=== BEGIN ${name%.sh}"
	t0=$(date +%s)
	( cd /tmp && "/tests/$name" ) 2>&1
	r=$?
	echo "=== END ${name%.sh} $r $(($(date +%s) - t0))s"
	[ $r = 0 ] || echo 1 > /tmp/.guest-run-failed
done
[ -e /tmp/.guest-run-failed ] && rc=1
exit $rc
