/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMA listings: from the BPF iterators in bpf/ (vma_seq, vma_fast,
 * maps_text), or, where no BPF route loads, from /proc/PID/maps text.
 */
#ifndef VMSCOPE_VMALIST_H
#define VMSCOPE_VMALIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include "vma.h"

struct vma_bpf;

/* Records plus the strings their name_off/comm_off point into. */
struct vmalist {
	struct vms_vma *v;
	size_t n;
	size_t cap;
	char *str;
	size_t str_len;
	size_t str_cap;
};

/* Open and load the iterator objects; only those asked for. */
#define VMALIST_RECORDS	(1u << 0)	/* binary records for the CLI */
#define VMALIST_TEXT	(1u << 1)	/* /proc/PID/maps text, for pins */
#define VMALIST_ALL	(1u << 2)	/* sized for every process at once */
/*
 * Use the fast path (open-coded task_vma iterator, Linux 6.7+) when the
 * kernel has it: it lists each VMA in about a third of the time, but the
 * verifier takes 5 times longer to load it (it checks pointer trust with
 * BTF name lookups, once per loop state), so it pays off only for a
 * long-lived user or tens of thousands of VMAs.  One-shot commands list
 * through the task_vma iterator.
 */
#define VMALIST_FAST	(1u << 3)
#define VMALIST_ONLY_BPF	(1u << 4)	/* no fallback to /proc text */
#define VMALIST_ONLY_PROC	(1u << 5)	/* /proc text only (--source proc) */
/*
 * Long-lived users on kernels without the fast path (before 6.7): list one
 * process through the module's vmscope_find_vmas() chained (ABI 4), every
 * VMA copied out under one mmap_lock hold per 256, when the module is
 * loaded and speaks this CLI's ABI.  Its programs cost a load (a kfunc
 * BTF lookup each), which a one-shot command would pay every time.
 * Listings of every process still go through the iterators.
 * VMSCOPE_PATH=module forces it (and fails without the module).
 */
#define VMALIST_MODULE	(1u << 6)
/*
 * Load what flags ask for.  Records come from BPF when an object loads
 * (names by bpf_d_path(), else by the dentry walk), else from /proc text
 * unless VMALIST_ONLY_BPF; the text pin has no fallback.  NULL and *err
 * when nothing can list.
 */
struct vma_bpf *vmalist_open(unsigned int flags, int *err);
void vmalist_close(struct vma_bpf *obj);
/* Whether the fast path (the open-coded task_vma iterator, 6.7+) is used. */
bool vmalist_fast(const struct vma_bpf *obj);
/*
 * How the fast listing listed processes so far: by walking their VMA tree
 * (tree; retry of them took a second walk, a writer having raced the
 * first), or by the open-coded task_vma iterator (iter).
 */
void vmalist_fast_stats(const struct vma_bpf *obj, unsigned int *tree, unsigned int *retry,
			unsigned int *iter);

enum vmalist_source {
	VMALIST_SRC_BPF,	/* the task_vma iterators */
	VMALIST_SRC_PROC,	/* /proc/PID/maps text */
};
/* BPF also when VMALIST_MODULE lists one process (full vm_flags too). */
enum vmalist_source vmalist_source(const struct vma_bpf *obj);
/* Whether the last vmalist_collect() took its records from the module. */
bool vmalist_by_module(const struct vma_bpf *obj);
/* VMALIST_MODULE: 0 when the module lists, else why not (-ENOPKG: not
 * loaded; -EPROTO: another ABI; 1: not asked, or a fast path lists). */
int vmalist_module_err(const struct vma_bpf *obj);
/* Source proc chosen by fallback: the BPF error that led there (else 0). */
int vmalist_bpf_err(const struct vma_bpf *obj);
/* --all from /proc: how many processes' maps this user could not read. */
size_t vmalist_proc_skipped(void);

/* Each BPF object load tried so far in this process, for status and -v. */
struct vmalist_attempt {
	const char *object;	/* "vma_seq", "vma_fast", "maps_text" */
	const char *names;	/* "d_path" or "walk" */
	int err;		/* 0: loaded; else -errno */
	char reason[512];	/* the verifier's rejecting line, when captured */
};
const struct vmalist_attempt *vmalist_attempts(size_t *n);
/* Reload refused objects with a verifier log to capture its reason. */
void vmalist_capture_log(bool on);
/* Load every listing object once, with logs (status). */
void vmalist_probe_routes(void);
/* The names route that loaded: "d_path", "walk" or "none". */
const char *vmalist_names_route(void);
/* enum vms_name_kind of a /proc/PID/maps name. */
unsigned int vma_kind_of_name(const char *name, __u64 ino);

/*
 * vm_flags of the [vsyscall] gate VMA on this machine, as this process's
 * own /proc/self/maps shows it (its permissions follow vsyscall=), or 0
 * when there is none.
 */
__u64 vsyscall_vm_flags(void);

/*
 * All VMAs of one process (pid > 0) or of every process (pid == 0), each
 * process's [vsyscall] included, as /proc/PID/maps lists them.  Appends
 * to *out; returns 0 or -errno (message not printed).
 */
int vmalist_collect(struct vma_bpf *obj, pid_t pid, struct vmalist *out);
/* Forget the records but keep the buffers. */
void vmalist_reset(struct vmalist *l);
void vmalist_free(struct vmalist *l);

static inline const char *vma_name_of(const struct vmalist *l, const struct vms_vma *r)
{
	return r->name_len ? l->str + r->name_off : "";
}

static inline const char *vma_comm_of(const struct vmalist *l, const struct vms_vma *r)
{
	return l->str + r->comm_off;
}

/* Attach the text program (pid 0: all) and pin the link at path. */
int vmalist_pin_text(struct vma_bpf *obj, pid_t pid, const char *path);

/* One /proc/PID/maps line for r, exactly as the kernel prints it. */
int vma_format_maps(const struct vmalist *l, const struct vms_vma *r, char *buf, size_t sz);

/*
 * The listing's source, the same way in every command: --source bpf|proc
 * into vmalist_open() flags (prints the usage error); "source" and
 * "names" members of a JSON object; and one line on stderr when the BPF
 * listing did not load and /proc text stands in (with -v, always).
 */
int parse_listing_source(const char *cmd, const char *arg, unsigned int *flags);
const char *listing_source_name(const struct vma_bpf *obj);
void jw_listing_source(const struct vma_bpf *obj);
void note_listing_source(const char *cmd, const struct vma_bpf *obj);

#endif /* VMSCOPE_VMALIST_H */
