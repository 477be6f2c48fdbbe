# The kernel log lines that fail a guest run (scripts/vm.sh runs
# "dmesg | awk -f klog-scan.awk" in the guest, with busybox awk): oopses,
# BUGs and WARNINGs, KASAN and KFENCE, lockdep, RCU (stalls of every
# flavour, a sleep inside a read section), hung tasks and lockups,
# sleeping in atomic context, kmemleak.  Tests that provoke "missing
# module BTF" on purpose bracket it with markers.  tests/host_klog_scan.sh
# checks it against the messages each kernel prints.
/vmscope-test: expect-nobtf-begin/ { skip = 1 }
/vmscope-test: expect-nobtf-end/ { skip = 0 }
/Oops|BUG:|WARNING:|KASAN|KFENCE|general protection|Call Trace/ { print; next }
/refcount_t:|bad page|Bad page/ { print; next }
/possible circular locking|possible recursive locking/ { print; next }
/suspicious RCU usage|inconsistent lock state/ { print; next }
/sleeping function called from invalid context|lock held when returning/ { print; next }
/suspected memory leak/ { print; next }
/scheduling while atomic|Invalid wait context|workqueue lockup/ { print; next }
/Voluntary context switch within RCU|Illegal context switch in RCU/ { print; next }
/detected stall|detected expedited stall|rcu: INFO|rcu_sched self-detected/ { print; next }
/blocked for more than|hung_task|soft lockup|hard LOCKUP/ { print; next }
/missing module BTF/ && !skip { print }
