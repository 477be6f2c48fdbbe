// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "common.h"
#include "memcli.h"
#include "vma.h"

struct vmem *memcli_open(const char *cmd)
{
	struct vmem *v;
	int err;

	if (require_module(cmd))
		return NULL;
	v = vmem_open(&err);
	if (!v)
		p_err("%s: cannot load the BPF programs: %s", cmd, bpf_err_hint(err));
	return v;
}

void memcli_err(const char *cmd, pid_t pid, int err, uint64_t addr, int has_addr)
{
	char where[64] = "";

	if (has_addr)
		snprintf(where, sizeof(where), " at 0x%llx", (unsigned long long)addr);
	switch (err) {
	case -ESRCH:
		p_err("no such process: %d", pid);
		break;
	case -EINVAL:
		if (pid_is_kthread(pid))
			p_err("process %d is a kernel thread: it has no user address space", pid);
		else
			p_err("process %d has exited: it has no address space left", pid);
		break;
	case -EPERM:
		p_err("%s: permission denied: process %d is not yours and vmscope needs "
		      "CAP_SYS_PTRACE to look into another process", cmd, pid);
		break;
	case -EFAULT:
	case -ENOENT:
		p_err("%s: nothing mapped%s in process %d (or not accessible: PROT_NONE, "
		      "I/O mapping, or a read-only mapping without --force)", cmd, where, pid);
		break;
	case -E2BIG:
		p_err("%s: length too large", cmd);
		break;
	default:
		p_err("%s: process %d%s: %s", cmd, pid, where, strerror(-err));
	}
}

