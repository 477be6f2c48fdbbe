# vmscope demo: find, page walks, read and write.
# A busybox-sh fragment, sourced by the guest demo (needs /tests/vmtarget,
# /bin/vmscope and the module loaded).
demo_mem_caption() { echo; echo "=== $*"; }

/tests/vmtarget strings "hello from the demo" 300 > /tmp/demo_mem_target.out &
DEMO_MEM_PID=$!
sleep 1
demo_mem_line=$(head -n1 /tmp/demo_mem_target.out)
DEMO_MEM_STR=$(echo "$demo_mem_line" | sed -n 's/.*str=\(0x[0-9a-f]*\).*/\1/p')
DEMO_MEM_THP=$(echo "$demo_mem_line" | sed -n 's/.*thp=\(0x[0-9a-f]*\).*/\1/p')
demo_mem_caption "a target process: $demo_mem_line"

demo_mem_caption "vmscope find: the VMA of a heap string and of a THP region"
vmscope find $DEMO_MEM_PID $DEMO_MEM_STR $DEMO_MEM_THP

demo_mem_caption "vmscope page: a heap page, every level down to the 4K PTE and the page"
vmscope page $DEMO_MEM_PID $DEMO_MEM_STR

demo_mem_caption "vmscope page: a THP page, a 2M PMD leaf"
vmscope page $DEMO_MEM_PID $DEMO_MEM_THP

demo_mem_caption "vmscope page --range: the 2 MiB THP region page by page, grouped"
vmscope page $DEMO_MEM_PID $DEMO_MEM_THP --range 0x200000

demo_mem_caption "vmscope read: the target's string"
vmscope read $DEMO_MEM_PID $DEMO_MEM_STR 19 --format str

demo_mem_caption "vmscope write: change it (old and new bytes); the target prints the new value"
echo "target before: $(tail -n1 /tmp/demo_mem_target.out)"
vmscope write $DEMO_MEM_PID $DEMO_MEM_STR --str "HELLO"
sleep 1
echo "target after:  $(tail -n1 /tmp/demo_mem_target.out)"

kill $DEMO_MEM_PID 2>/dev/null
wait $DEMO_MEM_PID 2>/dev/null
true	# the fragment ends successfully whatever wait returned
