# vmscope demo, issue 3 part: find, page walks, read and write.
# A busybox-sh fragment, sourced by the guest demo (needs /tests/vms_target,
# /bin/vmscope and the module loaded).
demo3_caption() { echo; echo "=== $*"; }

/tests/vms_target "hello from the demo" 300 > /tmp/demo3_target.out &
DEMO3_PID=$!
sleep 1
demo3_line=$(head -n1 /tmp/demo3_target.out)
DEMO3_STR=$(echo "$demo3_line" | sed -n 's/.*str=\(0x[0-9a-f]*\).*/\1/p')
DEMO3_THP=$(echo "$demo3_line" | sed -n 's/.*thp=\(0x[0-9a-f]*\).*/\1/p')
demo3_caption "a target process: $demo3_line"

demo3_caption "vmscope find: the VMA of a heap string and of a THP region"
vmscope find $DEMO3_PID $DEMO3_STR $DEMO3_THP

demo3_caption "vmscope page: a heap page, every level down to the 4K PTE and the page"
vmscope page $DEMO3_PID $DEMO3_STR

demo3_caption "vmscope page: a THP page, a 2M PMD leaf"
vmscope page $DEMO3_PID $DEMO3_THP

demo3_caption "vmscope page --range: the 2 MiB THP region page by page, grouped"
vmscope page $DEMO3_PID $DEMO3_THP --range 0x200000

demo3_caption "vmscope read: the target's string"
vmscope read $DEMO3_PID $DEMO3_STR 19 --format str

demo3_caption "vmscope write: change it (old and new bytes); the target prints the new value"
echo "target before: $(tail -n1 /tmp/demo3_target.out)"
vmscope write $DEMO3_PID $DEMO3_STR --str "HELLO"
sleep 1
echo "target after:  $(tail -n1 /tmp/demo3_target.out)"

kill $DEMO3_PID 2>/dev/null
wait $DEMO3_PID 2>/dev/null
true	# the fragment ends successfully whatever wait returned
