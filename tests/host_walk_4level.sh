#!/bin/bash
# The page-walk checks again with 4-level paging: boots the guest with
# no5lvl and runs guest_walk there (its first test checks the level count
# against the CPU's la57 flag).  The guest's TAP is this test's TAP.
cd "$(dirname "$0")/.."
if [ ! -x build/tests/guest_walk ] || [ ! -f kmod/vmscope.ko ]; then
	echo "TAP version 13"; echo "1..1"
	echo "ok 1 4-level page walks # SKIP not built (run make)"
	exit 0
fi
out=$(scripts/vm.sh run --append no5lvl -- /tests/guest_walk 2>&1)
rc=$?
echo "TAP version 13"
printf '%s\n' "$out" | tr -d '\r' | grep -aE '^(1\.\.[0-9]|ok [0-9]|not ok [0-9]|# )' |
	sed -E 's/^((not )?ok [0-9]+ )/\1[no5lvl] /'
if ! printf '%s\n' "$out" | grep -aq 'walk reports 4-level'; then
	echo "# the no5lvl guest did not report 4-level paging"
	[ $rc = 0 ] && rc=1
fi
[ $rc = 0 ] || echo "# guest exit status $rc"
exit $rc
