// SPDX-License-Identifier: GPL-2.0
/*
 * The collector behind summary, map, snapshot, diff and watch (view.h).
 *
 * Kinds, first that applies: hugetlb (VM_HUGETLB); special ([vdso],
 * [vvar], [vsyscall], ...); guard (no access: PROT_NONE); stack; heap;
 * shared memory (a shared mapping of shmem: shared anonymous, SysV, memfd,
 * /dev/shm); code (executable); data (the other mappings of a file that is
 * mapped executable somewhere in the process: an ELF image's rodata, relro
 * and data, and its bss, the anonymous VMA right after its last one); file
 * (other file mappings); anonymous.
 *
 * The page walk runs VMA by VMA: a VMA's runs are handed to the caller
 * before the next VMA is walked, so a snapshot is written in bounded
 * memory.  Nothing here is atomic: the process runs while it is walked,
 * as for any reader of /proc/PID/smaps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>
#include "common.h"
#include "json.h"
#include "memcmd.h"
#include "pagemap.h"
#include "view.h"

/* The module's programs a view runs: range walks, and walks and sharers
 * for a page's details (mapview.c). */
#define VIEW_PROGS	(VMEM_P_RANGE | VMEM_P_WALK | VMEM_P_SHARERS)

const char *const vv_kind_names[VV_NKINDS] = {
	"code", "data", "heap", "stack", "anon", "file", "shm", "special", "hugetlb", "guard",
};
const char *const vv_state_names[VV_NSTATES] = {
	"none", "4k", "large", "thp", "hugetlb", "zero", "swap", "other", "pfn", "unknown",
};
const char *const vv_flag_names[VV_NFLAGS] = { "dirty", "shared", "anon", "file", "ksm" };
const char *const vv_src_names[VV_NSRC] = { "none", "module", "pagemap", "smaps" };

#define VM_HUGETLB_	0x00400000ull

/* ---- pages -------------------------------------------------------------------- */

void vv_classify(const struct vms_prec *r, const uint64_t *pme, bool hugetlb_vma,
		 uint8_t *state, uint8_t *flags)
{
	uint32_t f = r->page_flags;
	uint8_t s, fl = 0;

	switch (r->stop) {
	case VMS_STOP_NONE_ENTRY:
		s = VV_S_NONE;
		break;
	case VMS_STOP_NOT_PRESENT:
		s = r->swp_kind == VMS_SWP_SWAP ? VV_S_SWAP : VV_S_OTHER;
		break;
	case VMS_STOP_LEAF:
		if (f & VMS_PG_NOPAGE)
			s = VV_S_PFN;
		else if ((f & VMS_PG_HUGETLB) || hugetlb_vma)
			s = VV_S_HUGETLB;
		else if (f & VMS_PG_ZERO)
			s = VV_S_ZERO;
		else if (r->leaf_shift >= 21)
			s = VV_S_THP;
		else if (r->order || (f & (VMS_PG_COMPOUND | VMS_PG_THP)))
			s = VV_S_LARGE;
		else
			s = VV_S_4K;
		if ((r->bits & VMS_E_DIRTY) || (f & VMS_PG_DIRTY))
			fl |= VV_F_DIRTY;
		/* The zero page is everyone's: its state says so already. */
		if (s != VV_S_ZERO && s != VV_S_PFN &&
		    (pme ? !(*pme & PM_EXCLUSIVE) : r->mapcount >= 2))
			fl |= VV_F_SHARED;
		if (f & VMS_PG_ANON)
			fl |= VV_F_ANON;
		if (f & VMS_PG_FILE)
			fl |= VV_F_FILE;
		if (f & VMS_PG_KSM)
			fl |= VV_F_KSM;
		break;
	default:
		s = VV_S_UNKNOWN;
	}
	*state = s;
	*flags = fl;
}

static int add_run(struct vv_proc *p, uint64_t addr, uint32_t pages, uint8_t state,
		   uint8_t flags, size_t run0)
{
	struct vv_run *last = p->nruns > run0 ? &p->runs[p->nruns - 1] : NULL;

	if (last && last->state == state && last->flags == flags &&
	    last->start + (uint64_t)last->pages * 4096 == addr && last->pages < UINT32_MAX - pages) {
		last->pages += pages;
		return 0;
	}
	if (p->nruns == p->runs_cap) {
		size_t cap = p->runs_cap ? p->runs_cap * 2 : 1024;
		struct vv_run *n = realloc(p->runs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->runs = n;
		p->runs_cap = cap;
	}
	p->runs[p->nruns++] = (struct vv_run){ addr, pages, state, flags };
	return 0;
}

/* Walk VMA i: its runs, and its memory use when the module counts it. */
static int walk_vma(struct vv_proc *p, size_t i, bool want_runs)
{
	const struct vms_vma *r = &p->l->v[i];
	struct vv_vma *vv = &p->v[i];
	bool hugetlb = vv->kind == VV_HUGETLB, count = p->use_src == VV_SRC_MODULE;
	uint64_t addr = r->start;
	int err;

	vv->run0 = p->nruns;
	if (r->start >= VMS_VSYSCALL_START) {
		/* The gate VMA: no page tables of the process to walk. */
		p->pages += (r->end - r->start) / 4096;
		err = want_runs ? add_run(p, r->start, (r->end - r->start) / 4096, VV_S_UNKNOWN, 0,
					  vv->run0) : 0;
		vv->nruns = p->nruns - vv->run0;
		return err;
	}
	if (count)
		memset(&vv->use, 0, sizeof(vv->use));
	while (addr < r->end) {
		const struct vms_range *h;
		const struct vms_prec *rec;
		const struct vms_pdir *d;
		const uint64_t *pme = NULL;
		int n, k;

		if (p->vm)
			n = vmem_walk_range(p->vm, p->pid, addr, r->end, &h, &rec, &d);
		else
			n = pagemap_walk_range(p->pm, addr, r->end, &h, &rec, &pme);
		if (n < 0)
			return n;
		/* A hole inside the VMA: it changed under the walk; not faulted. */
		if (n && h->first > addr && want_runs) {
			err = add_run(p, addr, (h->first - addr) / 4096, VV_S_NONE, 0, vv->run0);
			if (err)
				return err;
		}
		for (k = 0; k < n; k++) {
			uint8_t st, fl;

			vv_classify(&rec[k], pme ? &pme[k] : NULL, hugetlb, &st, &fl);
			if (want_runs) {
				err = add_run(p, h->first + (uint64_t)k * 4096, 1, st, fl, vv->run0);
				if (err)
					return err;
			}
			if (count)
				memuse_page(&vv->use, &rec[k]);
		}
		p->pages += n;
		if (!n || h->next <= addr) {
			/* Nothing more in this VMA (it shrank under the walk). */
			uint64_t done = n ? h->first + (uint64_t)n * 4096 : addr;

			if (want_runs && done < r->end)
				err = add_run(p, done, (r->end - done) / 4096, VV_S_NONE, 0, vv->run0);
			else
				err = 0;
			if (err)
				return err;
			break;
		}
		addr = h->next;
	}
	vv->nruns = p->nruns - vv->run0;
	return 0;
}

/* ---- kinds and files ------------------------------------------------------------ */

static bool prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static bool is_shm(const struct vms_vma *r, const char *name)
{
	if (!(r->vm_flags & VMS_VM_MAYSHARE))
		return false;
	return r->name_kind == VMS_NAME_ANON_SHMEM || r->name_kind == VMS_NAME_NONE ||
	       prefix(name, "/dev/zero") || prefix(name, "/SYSV") || prefix(name, "/memfd:") ||
	       prefix(name, "/dev/shm/");
}

/* A string set: names to file indexes (open addressing, FNV-1a). */
struct nameset {
	int32_t *slot;
	size_t cap;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int32_t *ns_find(struct nameset *ns, const struct vv_file *files, const char *name)
{
	size_t i = fnv(name) & (ns->cap - 1);

	while (ns->slot[i] >= 0 && strcmp(files[ns->slot[i]].name, name))
		i = (i + 1) & (ns->cap - 1);
	return &ns->slot[i];
}

/* Kinds, the per-file roll-up and the bss of each image. */
static int classify_vmas(struct vv_proc *p, const bool *hugetlb)
{
	const struct vmalist *l = p->l;
	struct nameset ns = {};
	bool *image = NULL;
	size_t i;
	int err = -ENOMEM;

	for (ns.cap = 16; ns.cap < 2 * l->n; ns.cap *= 2)
		;
	ns.slot = malloc(ns.cap * sizeof(*ns.slot));
	p->files = calloc(l->n ? l->n : 1, sizeof(*p->files));
	image = calloc(l->n ? l->n : 1, sizeof(*image));
	if (!ns.slot || !p->files || !image)
		goto out;
	memset(ns.slot, 0xff, ns.cap * sizeof(*ns.slot));
	/* Files first: which are images (mapped executable somewhere). */
	for (i = 0; i < l->n; i++) {
		const struct vms_vma *r = &l->v[i];
		const char *name = vma_name_of(l, r);
		int32_t *s;

		p->v[i].file = -1;
		if (r->name_kind != VMS_NAME_FILE || is_shm(r, name))
			continue;
		s = ns_find(&ns, p->files, name);
		if (*s < 0) {
			*s = p->nfiles;
			p->files[p->nfiles++].name = name;
		}
		p->v[i].file = *s;
		if (r->vm_flags & VMS_VM_EXEC)
			image[*s] = true;
	}
	for (i = 0; i < l->n; i++) {
		const struct vms_vma *r = &l->v[i], *prev = i ? &l->v[i - 1] : NULL;
		struct vv_vma *v = &p->v[i];
		const char *name = vma_name_of(l, r);

		if (hugetlb[i])
			v->kind = VV_HUGETLB;
		else if (r->name_kind == VMS_NAME_SPECIAL || r->start >= VMS_VSYSCALL_START)
			v->kind = VV_SPECIAL;
		else if (!(r->vm_flags & (VMS_VM_READ | VMS_VM_WRITE | VMS_VM_EXEC)))
			v->kind = VV_GUARD;
		else if (r->name_kind == VMS_NAME_STACK)
			v->kind = VV_STACK;
		else if (r->name_kind == VMS_NAME_HEAP)
			v->kind = VV_HEAP;
		else if (is_shm(r, name))
			v->kind = VV_SHM;
		else if (r->vm_flags & VMS_VM_EXEC)
			v->kind = VV_CODE;
		else if (v->file >= 0)
			v->kind = image[v->file] ? VV_DATA : VV_FILE;
		else
			v->kind = VV_ANON;
		/* bss: anonymous, writable, private, right after an image's data */
		if (v->kind == VV_ANON && r->name_kind == VMS_NAME_NONE && !r->ino && prev &&
		    prev->end == r->start && (r->vm_flags & VMS_VM_WRITE) &&
		    p->v[i - 1].file >= 0 && image[p->v[i - 1].file] &&
		    (prev->vm_flags & VMS_VM_WRITE)) {
			v->kind = VV_DATA;
			v->bss = true;
			v->file = p->v[i - 1].file;
		}
	}
	err = 0;
out:
	free(ns.slot);
	free(image);
	return err;
}

/* Memory use per VMA from smaps (matched by start), and VM_HUGETLB. */
static int read_smaps(struct vv_proc *p, bool use, bool *hugetlb)
{
	struct memuse_vma *sm = NULL;
	size_t i, j = 0;
	int n = smaps_read(p->pid, &sm);

	if (n < 0)
		return n;
	for (i = 0; i < p->l->n; i++) {
		const struct vms_vma *r = &p->l->v[i];

		while (j < (size_t)n && sm[j].start < r->start)
			j++;
		if (j < (size_t)n && sm[j].start == r->start) {
			if (use)
				p->v[i].use = sm[j].use;
			hugetlb[i] = hugetlb[i] || sm[j].hugetlb;
		}
	}
	free(sm);
	return 0;
}

/* ---- sources -------------------------------------------------------------------- */

static int open_pagemap(struct vv_proc *p, char *msg, size_t msz)
{
	int err;

	p->pm = pagemap_open(p->pid, &err);
	if (!p->pm) {
		if (err == -EACCES || err == -EPERM)
			snprintf(msg, msz, "process %d: permission denied: /proc/%d/pagemap is "
				 "readable only by the process's owner while it is dumpable, or with "
				 "CAP_SYS_PTRACE%s%s%s", p->pid, p->pid, p->why[0] ? " (and " : "",
				 p->why, p->why[0] ? ")" : "");
		else if (err == -ESRCH || err == -EINVAL)
			pid_no_vmas(p->pid, msg, msz);
		else
			snprintf(msg, msz, "process %d: /proc/%d/pagemap: %s", p->pid, p->pid,
				 strerror(-err));
		return err;
	}
	p->l = pagemap_vmas(p->pm);
	p->listing = pagemap_listing(p->pm);
	return 0;
}

static int open_listing(struct vv_proc *p, char *msg, size_t msz)
{
	int err;

	p->obj = vmalist_open(VMALIST_RECORDS, &err);
	if (!p->obj) {
		snprintf(msg, msz, "cannot load the VMA iterator: %s", bpf_err_hint(err));
		return err;
	}
	err = vmalist_collect(p->obj, p->pid, &p->own);
	if (err) {
		snprintf(msg, msz, "process %d: %s", p->pid, strerror(-err));
		return err;
	}
	if (!p->own.n) {
		err = pid_no_vmas(p->pid, msg, msz);
		return -err;
	}
	p->l = &p->own;
	p->listing = p->obj;
	return 0;
}

/*
 * The module, loaded and with the programs open; NULL and why not (in
 * p->why, or in msg when it was asked for by name).
 */
static struct vmem *open_module(struct vv_proc *p, const char *cmd, bool forced, char *msg,
				size_t msz, int *err)
{
	struct vmem *v = forced ? memcmd_open(cmd, VIEW_PROGS) :
				      memcmd_try_open_err(VIEW_PROGS, err);

	if (v)
		return v;
	if (forced) {
		*err = -ENOPKG;
		snprintf(msg, msz, "%s: the module cannot serve (see above)", cmd);
	} else {
		memcmd_why(*err, p->why, sizeof(p->why));
	}
	return NULL;
}

/*
 * Whether the module serves pid: it refuses another user's process without
 * CAP_SYS_PTRACE (-EPERM); *hidden when it hides page state from this
 * caller (no CAP_SYS_ADMIN).
 */
static int module_serves(struct vv_proc *p, bool *hidden)
{
	const struct vms_range *h;
	const struct vms_prec *r;
	const struct vms_pdir *d;
	uint64_t a = p->l->v[0].start;
	int n = vmem_walk_range(p->vm, p->pid, a, a + 4096, &h, &r, &d);

	if (n == -EPERM) {
		snprintf(p->why, sizeof(p->why), "the module refused (%s)", memcmd_eperm_why(p->pid));
		return n;
	}
	*hidden = n >= 0 && (h->wflags & VMS_W_PAGE_HIDDEN);
	return 0;
}

/* Kinds, memory use and (when asked) the runs of every VMA of p->l. */
static int gather(struct vv_proc *p, const struct vv_opts *o, char *msg, size_t msz)
{
	bool want_runs = o->pages != VV_SRC_NONE, *hugetlb = NULL;
	pid_t pid = p->pid;
	size_t i;
	int err;

	p->v = calloc(p->l->n, sizeof(*p->v));
	hugetlb = calloc(p->l->n, sizeof(*hugetlb));
	if (!p->v || !hugetlb) {
		err = -ENOMEM;
		goto nomem;
	}
	for (i = 0; i < p->l->n; i++)
		hugetlb[i] = p->l->v[i].vm_flags & VM_HUGETLB_;
	/* smaps: memory use, and VM_HUGETLB where the listing lacks it (/proc text) */
	if (p->use_src == VV_SRC_SMAPS || vmalist_source(p->listing) != VMALIST_SRC_BPF) {
		err = read_smaps(p, p->use_src == VV_SRC_SMAPS, hugetlb);
		if (err) {
			snprintf(msg, msz, "memory use of process %d: /proc/%d/smaps: %s (it needs "
				 "the same user or root)", pid, pid, strerror(-err));
			goto out;
		}
	}
	err = classify_vmas(p, hugetlb);
	if (err)
		goto nomem;
	/* Every VMA is walked in order: adjoining ones in one run (vmem.c). */
	if (p->vm)
		vmem_walk_ahead(p->vm, UINT64_MAX);
	for (i = 0; i < p->l->n; i++) {
		if (want_runs || p->use_src == VV_SRC_MODULE) {
			if (!o->keep_runs)
				p->nruns = 0;
			err = walk_vma(p, i, want_runs);
			if (err) {
				if (err == -ENOMEM)
					goto nomem;
				if (err == -ESRCH || err == -EINVAL)
					pid_no_vmas(pid, msg, msz);
				else
					snprintf(msg, msz, "process %d: walking 0x%llx-0x%llx: %s", pid,
						 (unsigned long long)p->l->v[i].start,
						 (unsigned long long)p->l->v[i].end, strerror(-err));
				goto out;
			}
		}
		memuse_add(&p->total, &p->v[i].use);
		p->size += p->l->v[i].end - p->l->v[i].start;
		if (p->v[i].file >= 0) {
			struct vv_file *f = &p->files[p->v[i].file];

			f->vmas++;
			f->size += p->l->v[i].end - p->l->v[i].start;
			memuse_add(&f->use, &p->v[i].use);
		}
		if (o->each) {
			err = o->each(p, i, o->arg);
			if (err)
				goto out;
		}
	}
	err = 0;
	goto out;
nomem:
	snprintf(msg, msz, "process %d: out of memory", pid);
out:
	/* Later walks (a page looked at alone) ask the module afresh. */
	if (p->vm)
		vmem_walk_ahead(p->vm, 0);
	free(hugetlb);
	return err;
}

int vv_collect(struct vv_proc *p, pid_t pid, const struct vv_opts *o, char *msg, size_t msz)
{
	bool want_runs = o->pages != VV_SRC_NONE, hidden = false;
	bool try_mod = o->pages == VV_SRC_MODULE || o->pages < 0 ||
		       (o->pages == VV_SRC_NONE && !o->use_smaps);
	bool forced = o->pages == VV_SRC_MODULE;
	int err = 0;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	pid_cmdline(pid, p->command, sizeof(p->command));
	if (try_mod) {
		p->vm = open_module(p, o->cmd, forced, msg, msz, &err);
		if (!p->vm && forced)
			return err;
	}
	/* pagemap lists the VMAs itself: one listing, the one it walks */
	if (!p->vm && want_runs)
		err = open_pagemap(p, msg, msz);
	else
		err = open_listing(p, msg, msz);
	if (err)
		return err;
	if (p->vm && module_serves(p, &hidden)) {
		vmem_close(p->vm);
		p->vm = NULL;
		if (forced) {
			snprintf(msg, msz, "process %d: %s", pid, p->why);
			return -EPERM;
		}
		if (want_runs) {
			vmalist_free(&p->own);
			vmalist_close(p->obj);
			p->obj = NULL;
			err = open_pagemap(p, msg, msz);
			if (err)
				return err;
		}
	}
	p->pages_src = !want_runs ? VV_SRC_NONE : p->vm ? VV_SRC_MODULE : VV_SRC_PAGEMAP;
	p->use_src = p->vm && !hidden && !o->use_smaps ? VV_SRC_MODULE : VV_SRC_SMAPS;
	p->state_hidden = p->vm ? hidden : (p->pm && !pagemap_state_shown(p->pm));
	p->dirty_known = p->pages_src == VV_SRC_MODULE;
	p->shared_known = p->pages_src == VV_SRC_PAGEMAP || (p->vm && !hidden);
	if (p->vm && p->use_src != VV_SRC_MODULE && !want_runs) {
		vmem_close(p->vm);	/* nothing left for it to do */
		p->vm = NULL;
	}

	return gather(p, o, msg, msz);
}

int vv_refresh(struct vv_proc *p, const struct vv_opts *o, char *msg, size_t msz)
{
	int err;

	if (p->pm || !p->obj)
		return -EINVAL;	/* only views without pages are refreshed */
	free(p->v);
	free(p->files);
	p->v = NULL;
	p->files = NULL;
	p->nfiles = p->nruns = 0;
	p->pages = p->size = 0;
	memset(&p->total, 0, sizeof(p->total));
	vmalist_reset(&p->own);
	err = vmalist_collect(p->obj, p->pid, &p->own);
	if (!err && !p->own.n)
		err = -ESRCH;
	if (err) {
		if (err == -ESRCH || err == -EINVAL || !pid_exists(p->pid))
			pid_no_vmas(p->pid, msg, msz);
		else
			snprintf(msg, msz, "process %d: %s", p->pid, strerror(-err));
		return err;
	}
	return gather(p, o, msg, msz);
}

void vv_free(struct vv_proc *p)
{
	free(p->v);
	free(p->files);
	free(p->runs);
	vmalist_free(&p->own);
	vmalist_close(p->obj);
	vmem_close(p->vm);
	pagemap_close(p->pm);
	memset(p, 0, sizeof(*p));
}

/* ---- shared output pieces ----------------------------------------------------------- */

void vv_json_sources(const struct vv_proc *p)
{
	jw_str("source", vv_src_names[p->pages_src != VV_SRC_NONE ? p->pages_src : p->use_src]);
	jw_str("use_source", vv_src_names[p->use_src]);
	jw_str("listing", listing_source_name(p->listing));
}

void vv_json_use(const struct memuse *m, uint64_t size)
{
	if (size != ~0ull)
		jw_u64("size_kb", size >> 10);
	jw_u64("rss_kb", m->rss >> 10);
	jw_u64("pss_kb", memuse_pss_kb(m));
	jw_u64("private_kb", m->priv >> 10);
	jw_u64("shared_kb", (m->rss - m->priv) >> 10);
	jw_u64("dirty_kb", m->dirty >> 10);
	jw_u64("swap_kb", m->swap >> 10);
	jw_u64("huge_kb", m->huge >> 10);
}

const char *vv_kernel(void)
{
	static struct utsname u;

	if (!u.release[0] && uname(&u))
		return "?";
	return u.release;
}

const char *vv_now(char *buf, size_t sz)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}
