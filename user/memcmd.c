// SPDX-License-Identifier: GPL-2.0
/* Shared pieces of the commands that drive the module's memory kfuncs. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"
#include "memcmd.h"
#include "module.h"

/*
 * One object load in the common case: the memory programs load only when
 * the module's kfuncs are there, and one of them asks the module's ABI.
 * Only when that fails is the module probed apart, to say why.
 */
static struct vmem *open_checked(unsigned int progs, int *err)
{
	struct vmem *v = vmem_open_for(progs, err);

	if (v && vmem_abi(v) != VMSCOPE_ABI_VERSION) {
		vmem_close(v);
		*err = -EPROTO;
		return NULL;
	}
	if (v && verbose)
		p_info("vmscope: memory programs: the %s object\n", vmem_set(v));
	return v;
}

struct vmem *memcmd_open(const char *cmd, unsigned int progs)
{
	struct vmem *v;
	int err;

	v = open_checked(progs, &err);
	if (v)
		return v;
	if (require_module(cmd))
		return NULL;
	p_error(err, "%s: cannot load the BPF programs: %s", cmd, bpf_err_hint(err));
	return NULL;
}

struct vmem *memcmd_try_open(unsigned int progs)
{
	int err;

	return memcmd_try_open_err(progs, &err);
}

struct vmem *memcmd_try_open_err(unsigned int progs, int *err)
{
	if (access("/sys/kernel/btf/vmscope", F_OK)) {
		*err = -ENOPKG;
		return NULL;
	}
	return open_checked(progs, err);
}

const char *memcmd_why(int err, char *buf, size_t sz)
{
	if (err == -ENOPKG)
		snprintf(buf, sz, "%s", access("/sys/module/vmscope", F_OK) ?
			 "the vmscope module is not loaded" :
			 "the vmscope module is loaded without BTF (its kfuncs are not registered)");
	else if (err == -EPROTO)
		snprintf(buf, sz, "the loaded vmscope module speaks ABI %d, this vmscope ABI %d",
			 module_abi(), VMSCOPE_ABI_VERSION);
	else
		snprintf(buf, sz, "the module's BPF programs did not load: %s", bpf_err_hint(err));
	return buf;
}

/* Is cap in this process's effective set (/proc/self/status, CapEff)? */
static bool have_cap(int cap)
{
	char line[128];
	bool yes = false;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7)) {
			yes = (strtoull(line + 7, NULL, 16) >> cap) & 1;
			break;
		}
	if (f)
		fclose(f);
	return yes;
}

const char *memcmd_eperm_why(pid_t pid)
{
	if (pid != getpid() && !have_cap(19 /* CAP_SYS_PTRACE */))
		return "another process needs CAP_SYS_PTRACE";
	return "its kfuncs serve only a program that BPF_PROG_TEST_RUN runs, and it saw "
	       "another caller; a tracer that rewrites return addresses (ftrace's "
	       "function_graph on the kfuncs' callers) makes a call look so";
}

void memcmd_err(const char *cmd, pid_t pid, int err, uint64_t addr, bool has_addr)
{
	char where[64] = "";

	if (has_addr)
		snprintf(where, sizeof(where), " at 0x%llx", (unsigned long long)addr);
	switch (err) {
	case -ESRCH:
		p_error(err, "no such process: %d", pid);
		break;
	case -EINVAL:
		if (pid_is_kthread(pid))
			p_error(err, "process %d is a kernel thread: it has no user address space",
				pid);
		else
			p_error(err, "process %d has exited: it has no address space left", pid);
		break;
	case -EPERM:
		if (pid != getpid() && !have_cap(19 /* CAP_SYS_PTRACE */))
			p_error(err, "%s: permission denied: process %d is not yours and vmscope "
				"needs CAP_SYS_PTRACE to look into another process", cmd, pid);
		else
			p_error(err, "%s: the module refused (EPERM): %s", cmd,
				memcmd_eperm_why(pid));
		break;
	case -EFAULT:
	case -ENOENT:
		p_error(err, "%s: nothing accessible%s in process %d: not mapped, PROT_NONE, an "
			"I/O mapping, or read-only (writes without --force)", cmd, where, pid);
		break;
	case -E2BIG:
		p_error(err, "%s: length too large", cmd);
		break;
	case -EINTR:
		p_error(err, "%s: interrupted", cmd);
		break;
	case -EAGAIN:
		p_error(err, "%s: process %d%s stayed busy for 5 s: its mmap_lock was held, or a "
			"page needed a fault that waits (I/O, userfaultfd, FUSE), which the module "
			"never waits for inside BPF; try again", cmd, pid, where);
		break;
	default:
		p_error(err, "%s: process %d%s: %s", cmd, pid, where, strerror(-err));
	}
}

void hexdump(uint64_t addr, const unsigned char *p, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i += 16) {
		printf("%016llx  ", (unsigned long long)(addr + i));
		for (j = 0; j < 16; j++) {
			if (i + j < n)
				printf("%02x ", p[i + j]);
			else
				printf("   ");
			if (j == 7)
				putchar(' ');
		}
		printf(" |");
		for (j = 0; j < 16 && i + j < n; j++)
			putchar(isprint(p[i + j]) ? p[i + j] : '.');
		printf("|\n");
	}
}
