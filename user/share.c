// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope share PID...: per VMA and in total, the pages only this process
 * maps (its USS), the pages it shares and with which processes (fork COW,
 * KSM, files and shared libraries, shmem, hugetlb), and PSS from the real
 * mapcounts, by smaps' rules (memuse.h).
 *
 * The pages come from the module's range walk, or, without it, from
 * /proc/PID/pagemap with /proc/kpagecount and /proc/kpageflags; both need
 * root for PFNs and mapcounts.  The sharing sets are a join on PFNs: the
 * target's shared pages (a mapcount of 2 or more) go into an index, PFN ->
 * (VMA, kind, set of pids); then every other process's page tables are
 * walked and each PFN found in the index adds that process to its set.
 * Only what can share is walked: anonymous and private VMAs when the
 * target shares anonymous pages, and mappings of the very files whose
 * pages the target shares.  Memory stays bounded whatever the processes'
 * sizes: records are streamed one walk run at a time, the index holds 16
 * bytes per shared page of the target, and the sets are interned (the
 * pages of one library mapped by the same processes share one set).
 * Without root there are no PFNs: USS and PSS then come from smaps, and
 * the sets are said to need root.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backing.h"
#include "cmds.h"
#include "common.h"
#include "memcmd.h"
#include "memuse.h"
#include "pagemap.h"
#include "vmalist.h"

enum share_source { SS_MODULE, SS_PAGEMAP, SS_SMAPS, SS_NR };
static const char *const share_src_names[SS_NR] = { "module", "pagemap", "smaps" };

/* What a shared page is, from the target's side. */
enum cat { CAT_COW, CAT_KSM, CAT_FILE, CAT_SHMEM, CAT_HUGETLB, CAT_KERNEL, CAT_NR };
static const char *const cat_names[CAT_NR] = {
	"cow", "ksm", "file", "shmem", "hugetlb", "kernel",
};

#define PG		4096ull
#define PM_CHUNK	65536		/* pagemap entries per read of another process */

struct share_opts {
	const char *cmd;
	pid_t *pids;
	size_t npids;
	int source;		/* --source, or -1 */
};

/* ---- an open-addressing map of 64-bit keys to 64-bit values ------------------------ */

struct u64map {
	uint64_t *k, *v;	/* a key is stored plus one: 0 marks a free slot */
	size_t cap, n;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static int map_grow(struct u64map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024, i;
	uint64_t *k = calloc(cap, sizeof(*k)), *v = calloc(cap, sizeof(*v));

	if (!k || !v) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->k[i])
			continue;
		for (j = mix(m->k[i]) & (cap - 1); k[j]; j = (j + 1) & (cap - 1))
			;
		k[j] = m->k[i];
		v[j] = m->v[i];
	}
	free(m->k);
	free(m->v);
	m->k = k;
	m->v = v;
	m->cap = cap;
	return 0;
}

/* The value of key, or NULL; with add, a new zero value (NULL: no memory). */
static uint64_t *map_at(struct u64map *m, uint64_t key, bool add)
{
	size_t j;

	key++;
	if (add && (m->n + 1) * 2 > m->cap && map_grow(m))
		return NULL;
	if (!m->cap)
		return NULL;
	for (j = mix(key) & (m->cap - 1); m->k[j]; j = (j + 1) & (m->cap - 1))
		if (m->k[j] == key)
			return &m->v[j];
	if (!add)
		return NULL;
	m->k[j] = key;
	m->v[j] = 0;
	m->n++;
	return &m->v[j];
}

static void map_free(struct u64map *m)
{
	free(m->k);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* ---- interned sets of pids ---------------------------------------------------------- */

/*
 * Set 0 is empty.  Processes are walked one after the other, so a set
 * grows by appending: set + pid is memoized, and pid is already in a set
 * when it is its last member.
 */
struct pidsets {
	uint32_t *pool;
	size_t npool, cappool;
	struct { uint32_t off, n; } *s;
	size_t n, cap;
	struct u64map add;	/* (set << 32 | pid) -> set */
	uint64_t last_key;	/* the last addition, remembered: pages come in runs */
	uint32_t last_set;
};

static int sets_init(struct pidsets *S)
{
	memset(S, 0, sizeof(*S));
	S->s = calloc(1, sizeof(*S->s));
	if (!S->s)
		return -ENOMEM;
	S->n = S->cap = 1;
	return 0;
}

static void sets_free(struct pidsets *S)
{
	free(S->pool);
	free(S->s);
	map_free(&S->add);
}

/* The set of set + pid, or -1 without memory. */
static int64_t set_add(struct pidsets *S, uint32_t set, pid_t pid)
{
	uint32_t off = S->s[set].off, n = S->s[set].n;
	uint64_t *memo;

	if (n && S->pool[off + n - 1] == (uint32_t)pid)
		return set;
	if (S->last_key == ((uint64_t)set << 32 | (uint32_t)pid) + 1)
		return S->last_set;
	memo = map_at(&S->add, (uint64_t)set << 32 | (uint32_t)pid, true);
	if (!memo)
		return -1;
	S->last_key = ((uint64_t)set << 32 | (uint32_t)pid) + 1;
	if (*memo)
		return S->last_set = *memo;
	if (S->n == S->cap) {
		size_t cap = S->cap * 2;
		void *p = realloc(S->s, cap * sizeof(*S->s));

		if (!p)
			return -1;
		S->s = p;
		S->cap = cap;
	}
	if (S->npool + n + 1 > S->cappool) {
		size_t cap = S->cappool ? S->cappool * 2 : 1024;
		uint32_t *p;

		while (cap < S->npool + n + 1)
			cap *= 2;
		p = realloc(S->pool, cap * sizeof(*p));
		if (!p)
			return -1;
		S->pool = p;
		S->cappool = cap;
	}
	memcpy(S->pool + S->npool, S->pool + off, n * sizeof(*S->pool));
	S->pool[S->npool + n] = pid;
	S->s[S->n].off = S->npool;
	S->s[S->n].n = n + 1;
	S->npool += n + 1;
	*memo = S->n;
	S->last_set = S->n;
	return S->n++;
}

/* ---- results ------------------------------------------------------------------------ */

struct with {
	pid_t pid;
	uint64_t pages[CAT_NR];
	uint64_t all;
};

struct svma {
	const struct vms_vma *v;
	const char *name;
	enum backing bk;
	struct memuse use;
	uint64_t shared[CAT_NR];	/* pages mapped more than once, by kind */
	uint64_t hugetlb;		/* hugetlb pages (not in RSS or PSS, as in smaps) */
	uint64_t self_dup;		/* pages this process maps at two addresses */
	uint64_t unattributed;		/* shared, but no other visible process maps them */
	struct with *with;
	size_t nwith, capwith;
};

struct sproc {
	pid_t pid;
	int err;
	char msg[256];
	char command[256];
	enum share_source source;
	bool sets;			/* the sharing sets were found */
	char why_no_sets[160];
	struct vmalist own;		/* its VMAs, when not from the listing of all */
	struct svma *vmas;
	size_t nvma;
	struct svma total;
	uint64_t procs, walked_vmas, walked_pages, index_pages;
	size_t skipped;			/* processes that could not be walked */
};

struct share_ctx {
	const struct share_opts *o;
	struct vmem *v;			/* the module, or NULL */
	int why_module;			/* why not the module (memcmd_why) */
	struct vmalist all;		/* every process's VMAs */
	bool have_all;
	int all_err;
	const char **comm;		/* pid -> comm, for the names of sharers */
	/* the join of one target */
	struct u64map index;		/* pfn -> meta << 32 | set */
	struct u64map dups;		/* pfn -> how many more times the target maps it */
	struct u64map inodes;		/* (dev, inode) the target shares pages of */
	bool anon_shared, special_shared;
	struct pidsets sets;
};

/* index value: meta = vma << 4 | dup << 3 | cat, and bit 63: in use */
#define META(vma, dup, cat)	((uint64_t)((vma) << 4 | (dup) << 3 | (cat)) << 32)
#define IN_USE			(1ull << 63)

static void svma_free(struct svma *s)
{
	free(s->with);
}

static void sproc_free(struct sproc *p)
{
	size_t i;

	for (i = 0; i < p->nvma; i++)
		svma_free(&p->vmas[i]);
	free(p->vmas);
	svma_free(&p->total);
	vmalist_free(&p->own);
}

static int with_add(struct svma *s, pid_t pid, int cat, uint64_t pages)
{
	size_t i;

	for (i = 0; i < s->nwith; i++)
		if (s->with[i].pid == pid)
			break;
	if (i == s->nwith) {
		if (s->nwith == s->capwith) {
			size_t cap = s->capwith ? s->capwith * 2 : 8;
			struct with *p = realloc(s->with, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			s->with = p;
			s->capwith = cap;
		}
		memset(&s->with[i], 0, sizeof(s->with[i]));
		s->with[i].pid = pid;
		s->nwith++;
	}
	s->with[i].pages[cat] += pages;
	s->with[i].all += pages;
	return 0;
}

static int with_cmp(const void *a, const void *b)
{
	const struct with *x = a, *y = b;

	if (x->all != y->all)
		return x->all < y->all ? 1 : -1;
	return x->pid - y->pid;
}

/* ---- the target's pages --------------------------------------------------------------- */

static enum cat page_cat(const struct vms_prec *r, enum backing bk)
{
	if (r->page_flags & VMS_PG_HUGETLB)
		return CAT_HUGETLB;
	if (r->page_flags & VMS_PG_KSM)
		return CAT_KSM;
	if (r->page_flags & VMS_PG_ANON)
		return CAT_COW;
	if (bk == BK_SPECIAL)
		return CAT_KERNEL;	/* [vdso] and the like: the kernel's own pages */
	return bk == BK_SHMEM ? CAT_SHMEM : CAT_FILE;
}

static uint64_t inode_key(const struct vms_vma *v)
{
	return mix((uint64_t)v->dev << 32 ^ v->ino) | 1;
}

/* One record of the target's VMA vi. */
static int target_page(struct share_ctx *c, struct sproc *p, size_t vi, const struct vms_prec *r)
{
	struct svma *s = &p->vmas[vi];
	uint64_t *slot;
	enum cat cat;
	bool dup;

	memuse_page(&s->use, r);
	if (r->stop != VMS_STOP_LEAF || (r->page_flags & (VMS_PG_NOPAGE | VMS_PG_ZERO)))
		return 0;
	if (r->page_flags & VMS_PG_HUGETLB)
		s->hugetlb++;
	if (r->mapcount < 2)
		return 0;
	cat = page_cat(r, s->bk);
	s->shared[cat]++;
	if (cat == CAT_COW || cat == CAT_KSM) {
		c->anon_shared = true;
	} else if (cat == CAT_KERNEL) {
		c->special_shared = true;
	} else if (!map_at(&c->inodes, inode_key(s->v), true)) {
		return -ENOMEM;
	}
	slot = map_at(&c->index, r->pfn, true);
	if (!slot)
		return -ENOMEM;
	dup = *slot & IN_USE;
	if (!dup) {
		*slot = IN_USE | META(vi, 0, cat);
		return 0;
	}
	/* mapped at two addresses (two VMAs, or KSM's one page for many) */
	s->self_dup++;
	*slot |= META(0, 1, 0);
	slot = map_at(&c->dups, r->pfn, true);
	if (!slot)
		return -ENOMEM;
	++*slot;
	return 0;
}

/* The target's pages from the module or pagemap, by smaps' rules, into p. */
static int target_walk_vmas(struct share_ctx *c, struct sproc *p, struct pagemap *pm)
{
	size_t vi;
	int err;

	for (vi = 0; vi < p->nvma; vi++) {
		const struct vms_vma *v = p->vmas[vi].v;
		uint64_t addr = v->start;

		if (v->start >= VMS_VSYSCALL_START)
			continue;	/* the gate VMA: not in the process's page tables */
		while (addr < v->end) {
			const struct vms_range *h;
			const struct vms_prec *r;
			const struct vms_pdir *d;
			const uint64_t *pme;
			int n, i;

			n = pm ? pagemap_walk_range(pm, addr, v->end, &h, &r, &pme) :
			    vmem_walk_range(c->v, p->pid, addr, v->end, &h, &r, &d);
			if (n < 0)
				return n;
			if (h->wflags & VMS_W_PAGE_HIDDEN)
				return -EPERM;
			for (i = 0; i < n; i++) {
				err = target_page(c, p, vi, &r[i]);
				if (err)
					return err;
			}
			p->walked_pages += n;
			if (h->next <= addr)
				break;
			addr = h->next;
		}
	}
	return 0;
}

static int target_walk(struct share_ctx *c, struct sproc *p, struct pagemap *pm)
{
	int err;

	/* Every VMA, in order: adjoining ones in one run (vmem.c). */
	if (!pm)
		vmem_walk_ahead(c->v, UINT64_MAX);
	err = target_walk_vmas(c, p, pm);
	if (!pm)
		vmem_walk_ahead(c->v, 0);
	return err;
}

/* ---- the join ------------------------------------------------------------------------- */

/* Could a VMA of another process map one of the target's shared pages? */
static bool may_share(struct share_ctx *c, const struct vms_vma *v)
{
	if (v->start >= VMS_VSYSCALL_START || (v->vm_flags & (VMS_VM_PFNMAP | VMS_VM_IO)))
		return false;
	/* anonymous pages: after fork() or KSM, in anonymous or private VMAs */
	if (c->anon_shared && (!v->ino || !(v->vm_flags & VMS_VM_MAYSHARE)))
		return true;
	if (c->special_shared && v->name_kind == VMS_NAME_SPECIAL)
		return true;
	/* page-cache pages: only in mappings of the same file */
	return v->ino && map_at(&c->inodes, inode_key(v), false);
}

static int join_pfn(struct share_ctx *c, uint64_t pfn, pid_t pid)
{
	uint64_t *slot = map_at(&c->index, pfn, false);
	int64_t set;

	if (!slot)
		return 0;
	set = set_add(&c->sets, (uint32_t)*slot, pid);
	if (set < 0)
		return -ENOMEM;
	*slot = (*slot & ~0xffffffffull) | (uint64_t)set;	/* IN_USE stays */
	return 0;
}

/* One VMA of another process, through the module. */
static int join_module(struct share_ctx *c, struct sproc *p, const struct vms_vma *v)
{
	uint64_t addr = v->start;

	while (addr < v->end) {
		const struct vms_range *h;
		const struct vms_prec *r;
		const struct vms_pdir *d;
		int n = vmem_walk_range(c->v, v->pid, addr, v->end, &h, &r, &d), i, err;

		if (n < 0)
			return n;
		for (i = 0; i < n; i++) {
			if (r[i].stop != VMS_STOP_LEAF)
				continue;
			err = join_pfn(c, r[i].pfn, v->pid);
			if (err)
				return err;
		}
		p->walked_pages += n;
		if (h->next <= addr)
			break;
		addr = h->next;
	}
	return 0;
}

/* One VMA of another process, through its pagemap (fd). */
static int join_pagemap(struct share_ctx *c, struct sproc *p, int fd, const struct vms_vma *v,
			uint64_t *buf)
{
	uint64_t addr;
	int err;

	for (addr = v->start; addr < v->end;) {
		size_t n = (v->end - addr) / PG, i;
		ssize_t got;

		if (n > PM_CHUNK)
			n = PM_CHUNK;
		got = pread(fd, buf, n * 8, (off_t)(addr / PG * 8));
		if (got <= 0)
			return got < 0 ? -errno : -ESRCH;
		n = got / 8;
		for (i = 0; i < n; i++) {
			if (!(buf[i] & PM_PRESENT))
				continue;
			err = join_pfn(c, buf[i] & PM_PFN_MASK, v->pid);
			if (err)
				return err;
		}
		p->walked_pages += n;
		addr += n * PG;
	}
	return 0;
}

/* Every other process's VMAs that may share, walked, their PFNs joined. */
static int join(struct share_ctx *c, struct sproc *p)
{
	uint64_t *buf = NULL;
	size_t i = 0;
	int err = 0;

	if (p->source == SS_PAGEMAP) {
		buf = malloc(PM_CHUNK * 8);
		if (!buf)
			return -ENOMEM;
	}
	while (i < c->all.n && !err) {
		pid_t pid = c->all.v[i].pid;
		size_t j = i;
		bool walked = false;
		int fd = -1;

		for (; j < c->all.n && (pid_t)c->all.v[j].pid == pid; j++) {
			const struct vms_vma *v = &c->all.v[j];
			int e;

			if (pid == p->pid || !may_share(c, v))
				continue;
			if (p->source == SS_PAGEMAP && fd < 0) {
				char path[64];

				snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
				fd = open(path, O_RDONLY | O_CLOEXEC);
				if (fd < 0)
					break;
			}
			e = p->source == SS_PAGEMAP ? join_pagemap(c, p, fd, v, buf) :
			    join_module(c, p, v);
			if (e == -ENOMEM) {
				err = e;
				break;
			}
			if (e) {
				p->skipped++;	/* it exited, or stayed busy: its pages are missed */
				break;
			}
			walked = true;
			p->walked_vmas++;
		}
		if (fd >= 0)
			close(fd);
		p->procs += walked;
		for (; j < c->all.n && (pid_t)c->all.v[j].pid == pid; j++)
			;
		i = j;
	}
	free(buf);
	return err;
}

/* The index into per-VMA and per-process counts of pages shared with each pid. */
static int aggregate(struct share_ctx *c, struct sproc *p)
{
	struct u64map agg = {};
	size_t i, k;
	int err = 0;

	/* (meta, set) -> pages first: a library's pages mostly share one set */
	for (i = 0; i < c->index.cap; i++) {
		uint64_t val, *n, pages;

		if (!c->index.k[i])
			continue;
		val = c->index.v[i] & ~IN_USE;
		pages = 1;
		if (val & (8ull << 32))
			pages += *map_at(&c->dups, c->index.k[i] - 1, false);
		n = map_at(&agg, val & ~(8ull << 32), true);	/* without the dup bit */
		if (!n) {
			err = -ENOMEM;
			goto out;
		}
		*n += pages;
		if (!(uint32_t)val && !(val & (8ull << 32)))
			p->vmas[(val >> 36) & 0xfffffff].unattributed++;
	}
	for (i = 0; i < agg.cap; i++) {
		uint64_t key = agg.k[i] - 1, pages = agg.v[i];
		uint32_t set = (uint32_t)key, meta = key >> 32, off, n;
		struct svma *s;

		if (!agg.k[i])
			continue;
		s = &p->vmas[meta >> 4];
		off = c->sets.s[set].off;
		n = c->sets.s[set].n;
		for (k = 0; k < n && !err; k++) {
			err = with_add(s, c->sets.pool[off + k], meta & 7, pages);
			if (!err)
				err = with_add(&p->total, c->sets.pool[off + k], meta & 7, pages);
		}
		if (err)
			goto out;
	}
	for (i = 0; i < p->nvma; i++)
		qsort(p->vmas[i].with, p->vmas[i].nwith, sizeof(struct with), with_cmp);
	qsort(p->total.with, p->total.nwith, sizeof(struct with), with_cmp);
out:
	map_free(&agg);
	return err;
}

/* ---- one process ------------------------------------------------------------------------- */

/* p's VMAs: from the listing of every process, or a listing of its own. */
static int target_vmas(struct share_ctx *c, struct sproc *p)
{
	const struct vmalist *l = &c->all;
	size_t i, first = 0, n = 0;
	int err;

	if (!c->have_all) {
		struct vma_bpf *obj = vmalist_open(VMALIST_RECORDS, &err);

		if (!obj)
			return err;
		err = vmalist_collect(obj, p->pid, &p->own);
		vmalist_close(obj);
		if (err)
			return err;
		l = &p->own;
	}
	for (i = 0; i < l->n; i++) {
		if ((pid_t)l->v[i].pid != p->pid)
			continue;
		if (!n)
			first = i;
		n++;
	}
	if (!n)
		return -ESRCH;
	p->vmas = calloc(n, sizeof(*p->vmas));
	if (!p->vmas)
		return -ENOMEM;
	p->nvma = n;
	for (i = 0; i < n; i++) {
		struct svma *s = &p->vmas[i];

		s->v = &l->v[first + i];
		s->name = vma_name_of(l, s->v);
		s->bk = vma_backing(p->pid, s->v, s->name, NULL);
	}
	return 0;
}

/* USS and PSS per VMA from smaps (no PFNs: no sharing sets). */
static int from_smaps(struct sproc *p)
{
	struct memuse_vma *sm = NULL;
	size_t i, j = 0;
	int n = smaps_read(p->pid, &sm);

	if (n < 0)
		return n;
	for (i = 0; i < p->nvma; i++) {
		while (j < (size_t)n && sm[j].start < p->vmas[i].v->start)
			j++;
		if (j < (size_t)n && sm[j].start == p->vmas[i].v->start)
			p->vmas[i].use = sm[j].use;
	}
	free(sm);
	return 0;
}

static void sproc_err(struct sproc *p, int err, const char *what)
{
	p->err = err < 0 ? -err : err;
	if (err == -ESRCH || err == -EINVAL || err == -ENOENT)
		pid_no_vmas(p->pid, p->msg, sizeof(p->msg));
	else if (err == -EACCES || err == -EPERM)
		snprintf(p->msg, sizeof(p->msg), "process %d: permission denied: %s needs root "
			 "(or, for smaps, the process's owner)", p->pid, what);
	else
		snprintf(p->msg, sizeof(p->msg), "process %d: %s: %s", p->pid, what,
			 strerror(p->err));
}

static void share_one(struct share_ctx *c, struct sproc *p)
{
	struct pagemap *pm = NULL;
	int want = c->o->source, err;
	size_t i;

	pid_cmdline(p->pid, p->command, sizeof(p->command));
	err = target_vmas(c, p);
	if (err) {
		sproc_err(p, err, "listing its VMAs");
		return;
	}
	memset(&c->index, 0, sizeof(c->index));
	memset(&c->dups, 0, sizeof(c->dups));
	memset(&c->inodes, 0, sizeof(c->inodes));
	c->anon_shared = c->special_shared = false;
	if (sets_init(&c->sets)) {
		sproc_err(p, -ENOMEM, "the index");
		return;
	}
	/* The module, else pagemap, else smaps; a forced source or nothing. */
	err = -ENOPKG;
	if ((want < 0 || want == SS_MODULE) && c->v) {
		p->source = SS_MODULE;
		err = target_walk(c, p, NULL);
		if (err == -EPERM)
			snprintf(p->why_no_sets, sizeof(p->why_no_sets), "page state needs "
				 "CAP_SYS_ADMIN");
	} else if (want < 0 || want == SS_MODULE) {
		memcmd_why(c->why_module, p->why_no_sets, sizeof(p->why_no_sets));
	}
	if (err && (want < 0 || want == SS_PAGEMAP) && err != -ESRCH) {
		for (i = 0; i < p->nvma; i++) {
			memset(&p->vmas[i].use, 0, sizeof(p->vmas[i].use));
			memset(p->vmas[i].shared, 0, sizeof(p->vmas[i].shared));
			p->vmas[i].hugetlb = p->vmas[i].self_dup = 0;
		}
		map_free(&c->index);
		map_free(&c->dups);
		map_free(&c->inodes);
		c->anon_shared = c->special_shared = false;
		p->walked_pages = 0;
		pm = pagemap_open(p->pid, &err);
		if (pm && !pagemap_state_shown(pm)) {
			err = -EPERM;
			snprintf(p->why_no_sets, sizeof(p->why_no_sets), "PFNs and mapcounts need "
				 "root (CAP_SYS_ADMIN)");
		} else if (pm) {
			p->source = SS_PAGEMAP;
			err = target_walk(c, p, pm);
		}
	}
	pagemap_close(pm);
	if (err && (want < 0 || want == SS_SMAPS) && err != -ESRCH) {
		for (i = 0; i < p->nvma; i++)
			memset(&p->vmas[i].use, 0, sizeof(p->vmas[i].use));
		p->source = SS_SMAPS;
		err = from_smaps(p);
		if (err) {
			sproc_err(p, err, "/proc/PID/smaps");
			goto out;
		}
	} else if (err) {
		sproc_err(p, err, want == SS_MODULE ? "the module's page state" :
			  want == SS_PAGEMAP ? "/proc/PID/pagemap and /proc/kpagecount" :
			  "its pages");
		goto out;
	}
	for (i = 0; i < p->nvma; i++)
		memuse_add(&p->total.use, &p->vmas[i].use);
	if (p->source == SS_SMAPS) {
		struct memuse t;

		/* the kernel's own total, summed before its kB rounding */
		if (!smaps_rollup(p->pid, &t))
			p->total.use = t;
		snprintf(p->why_no_sets, sizeof(p->why_no_sets), "%s", p->why_no_sets[0] ?
			 p->why_no_sets : "smaps has no PFNs");
		goto out;
	}
	if (!c->have_all) {
		snprintf(p->why_no_sets, sizeof(p->why_no_sets), "every process's VMAs could not "
			 "be listed: %s", bpf_err_hint(c->all_err));
		goto totals;
	}
	p->index_pages = c->index.n;
	if (c->index.n) {
		err = join(c, p);
		if (!err)
			err = aggregate(c, p);
		if (err) {
			sproc_err(p, err, "the sharing sets");
			goto out;
		}
	}
	p->sets = true;
totals:
	for (i = 0; i < p->nvma; i++) {
		int k;

		for (k = 0; k < CAT_NR; k++)
			p->total.shared[k] += p->vmas[i].shared[k];
		p->total.hugetlb += p->vmas[i].hugetlb;
		p->total.self_dup += p->vmas[i].self_dup;
		p->total.unattributed += p->vmas[i].unattributed;
	}
out:
	map_free(&c->index);
	map_free(&c->dups);
	map_free(&c->inodes);
	sets_free(&c->sets);
}

/* ---- output ---------------------------------------------------------------------------- */

static const char *comm_of(const struct share_ctx *c, pid_t pid)
{
	size_t i;

	for (i = 0; i < c->all.n; i++)
		if ((pid_t)c->all.v[i].pid == pid)
			return vma_comm_of(&c->all, &c->all.v[i]);
	return "?";
}

static uint64_t shared_pages(const struct svma *s)
{
	return s->shared[CAT_COW] + s->shared[CAT_KSM] + s->shared[CAT_FILE] +
	       s->shared[CAT_SHMEM] + s->shared[CAT_KERNEL];
}

static void use_json(const struct sproc *p, const struct svma *s, const struct share_ctx *c)
{
	size_t i;
	int k;

	jw_u64("rss_kb", s->use.rss >> 10);
	jw_u64("uss_kb", s->use.priv >> 10);
	jw_u64("pss_kb", memuse_pss_kb(&s->use));
	jw_u64("swap_kb", s->use.swap >> 10);
	if (p->source == SS_SMAPS) {
		jw_null("hugetlb_kb");
		jw_null("shared_kb");
		jw_null("self_shared_kb");
		jw_null("unattributed_kb");
		jw_null("shared_with");
		return;
	}
	jw_u64("hugetlb_kb", s->hugetlb * 4);
	jw_key("shared_kb");
	jw_start_obj();
	for (k = 0; k < CAT_NR; k++)
		jw_u64(cat_names[k], s->shared[k] * 4);
	jw_end_obj();
	jw_u64("self_shared_kb", s->self_dup * 4);
	if (!p->sets) {
		jw_null("unattributed_kb");
		jw_null("shared_with");
		return;
	}
	jw_u64("unattributed_kb", s->unattributed * 4);
	jw_key("shared_with");
	jw_start_arr();
	for (i = 0; i < s->nwith; i++) {
		jw_start_obj();
		jw_u64("pid", s->with[i].pid);
		jw_str("comm", comm_of(c, s->with[i].pid));
		jw_u64("kb", s->with[i].all * 4);
		jw_key("kinds_kb");
		jw_start_obj();
		for (k = 0; k < CAT_NR; k++)
			jw_u64(cat_names[k], s->with[i].pages[k] * 4);
		jw_end_obj();
		jw_end_obj();
	}
	jw_end_arr();
}

static void proc_json(const struct sproc *p, const struct share_ctx *c)
{
	uint64_t size = 0;
	char perms[5];
	size_t i;

	jw_start_obj();
	jw_u64("pid", p->pid);
	if (p->err) {
		jw_str("error", p->msg);
		jw_i64("errno", p->err);
		jw_end_obj();
		return;
	}
	jw_str("command", p->command);
	jw_str("source", share_src_names[p->source]);
	jw_bool("sets", p->sets);
	if (p->sets)
		jw_null("sets_note");
	else
		jw_str("sets_note", p->why_no_sets);
	jw_key("vmas");
	jw_start_arr();
	for (i = 0; i < p->nvma; i++) {
		const struct svma *s = &p->vmas[i];

		vm_flags_perms(s->v->vm_flags, perms);
		size += s->v->end - s->v->start;
		jw_start_obj();
		jw_hex("start", s->v->start);
		jw_hex("end", s->v->end);
		jw_u64("size_kb", (s->v->end - s->v->start) >> 10);
		jw_str("perms", perms);
		jw_str("name", s->name);
		jw_str("backing", backing_names[s->bk]);
		use_json(p, s, c);
		jw_end_obj();
	}
	jw_end_arr();
	jw_key("total");
	jw_start_obj();
	jw_u64("size_kb", size >> 10);
	use_json(p, &p->total, c);
	jw_end_obj();
	if (p->sets) {
		jw_key("walked");
		jw_start_obj();
		jw_u64("processes", p->procs);
		jw_u64("vmas", p->walked_vmas);
		jw_u64("pages", p->walked_pages);
		jw_u64("index_pages", p->index_pages);
		jw_u64("skipped_processes", p->skipped);
		jw_end_obj();
	} else {
		jw_null("walked");
	}
	jw_end_obj();
}

static void print_share_json(const struct sproc *ps, size_t n, const struct share_ctx *c)
{
	size_t i;

	jw_start_obj();
	for (i = 0; i < n && ps[i].err; i++)
		;
	jw_str("source", i < n ? share_src_names[ps[i].source] : "none");
	jw_key("processes");
	jw_start_arr();
	for (i = 0; i < n; i++)
		proc_json(&ps[i], c);
	jw_end_arr();
	jw_end_obj();
	jw_done();
}

static unsigned long long kb(uint64_t pages)
{
	return (unsigned long long)pages * 4;
}

/* "1235 vmtarget 4K, 1 init 4K, +3 more" into buf. */
static const char *with_str(const struct svma *s, const struct share_ctx *c, size_t max,
			    char *buf, size_t sz)
{
	size_t i, o = 0;
	char size[16];

	buf[0] = 0;
	for (i = 0; i < s->nwith && i < max; i++)
		o += snprintf(buf + o, o < sz ? sz - o : 0, "%s%d %s %s", i ? ", " : "",
			      s->with[i].pid, comm_of(c, s->with[i].pid),
			      fmt_size(s->with[i].all * PG, size, sizeof(size)));
	if (s->nwith > max)
		snprintf(buf + o, o < sz ? sz - o : 0, ", +%zu more", s->nwith - max);
	return buf;
}

static void proc_plain(const struct sproc *p, const struct share_ctx *c)
{
	char perms[5], with[256];
	uint64_t size = 0;
	size_t i, hidden = 0;
	bool sets = p->sets, pages = p->source != SS_SMAPS;
	int k;

	printf("%d:   %s\n", p->pid, p->command);
	printf("%-16s %8s %8s %8s %8s %8s %8s %8s %-5s %s\n", "Address", "Kbytes", "RSS", "USS",
	       "PSS", "Shared", "Swap", "Hugetlb", "Mode", pages ? "Mapping / shared with" :
	       "Mapping");
	for (i = 0; i < p->nvma; i++) {
		const struct svma *s = &p->vmas[i];

		size += s->v->end - s->v->start;
		if (!s->use.rss && !s->use.swap && !s->hugetlb) {
			hidden++;
			continue;
		}
		vm_flags_perms(s->v->vm_flags, perms);
		printf("%016llx %8llu %8llu %8llu %8llu ", (unsigned long long)s->v->start,
		       (unsigned long long)((s->v->end - s->v->start) >> 10),
		       (unsigned long long)(s->use.rss >> 10),
		       (unsigned long long)(s->use.priv >> 10),
		       (unsigned long long)memuse_pss_kb(&s->use));
		if (pages)
			printf("%8llu %8llu %8llu ", kb(shared_pages(s)),
			       (unsigned long long)(s->use.swap >> 10), kb(s->hugetlb));
		else
			printf("%8s %8llu %8s ", "-", (unsigned long long)(s->use.swap >> 10), "-");
		printf("%-5s ", perms);
		fput_name(stdout, *s->name ? s->name : "[ anon ]");
		if (sets && s->nwith)
			printf("  <- %s", with_str(s, c, 3, with, sizeof(with)));
		putchar('\n');
	}
	printf("---------------- -------- -------- -------- -------- -------- -------- --------\n");
	printf("%-16s %8llu %8llu %8llu %8llu ", "total kB", (unsigned long long)(size >> 10),
	       (unsigned long long)(p->total.use.rss >> 10),
	       (unsigned long long)(p->total.use.priv >> 10),
	       (unsigned long long)memuse_pss_kb(&p->total.use));
	if (pages)
		printf("%8llu %8llu %8llu\n", kb(shared_pages(&p->total)),
		       (unsigned long long)(p->total.use.swap >> 10), kb(p->total.hugetlb));
	else
		printf("%8s %8llu %8s\n", "-", (unsigned long long)(p->total.use.swap >> 10), "-");
	if (hidden)
		printf("(%zu VMA%s with nothing resident not shown; -j lists every VMA)\n", hidden,
		       hidden == 1 ? "" : "s");
	if (pages) {
		printf("shared kB by kind:");
		for (k = 0; k < CAT_NR; k++)
			printf(" %s %llu%s", cat_names[k], kb(p->total.shared[k]),
			       k < CAT_NR - 1 ? "," : "");
		printf("; mapped twice in this process %llu\n", kb(p->total.self_dup));
	}
	if (sets) {
		printf("shared with %zu process%s", p->total.nwith, p->total.nwith == 1 ? "" : "es");
		if (p->total.unattributed)
			printf(" (and %llu kB with none visible here: another pid namespace, or "
			       "exited)", kb(p->total.unattributed));
		printf("%s\n", p->total.nwith ? ":" : "");
		for (i = 0; i < p->total.nwith && i < 10; i++) {
			const struct with *w = &p->total.with[i];

			printf("  %-8d %-16s %8llu kB:", w->pid, comm_of(c, w->pid), kb(w->all));
			for (k = 0; k < CAT_NR; k++)
				if (w->pages[k])
					printf(" %s %llu", cat_names[k], kb(w->pages[k]));
			putchar('\n');
		}
		if (p->total.nwith > 10)
			printf("  and %zu more (-j lists them all)\n", p->total.nwith - 10);
	}
	printf("source: %s", p->source == SS_MODULE ? "module (page walk and mapcounts)" :
	       p->source == SS_PAGEMAP ? "pagemap (/proc/PID/pagemap, kpagecount, kpageflags)" :
	       "smaps (no PFNs)");
	if (sets)
		printf("; sharing sets from %llu VMAs of %llu other processes (%llu pages walked%s)",
		       (unsigned long long)p->walked_vmas, (unsigned long long)p->procs,
		       (unsigned long long)p->walked_pages, p->skipped ? ", some processes "
		       "exited or stayed busy" : "");
	else
		printf("; sharing sets not known: %s", p->why_no_sets);
	putchar('\n');
}

static void print_share_plain(const struct sproc *ps, size_t n, const struct share_ctx *c)
{
	size_t i, shown = 0;

	for (i = 0; i < n; i++) {
		if (ps[i].err)
			continue;
		if (shown++)
			putchar('\n');
		proc_plain(&ps[i], c);
	}
}

/* ---- the command -------------------------------------------------------------------------- */

static int share_opts(int argc, char **argv, struct share_opts *o)
{
	static const struct option longopts[] = {
		{ "source", required_argument, NULL, 'S' },
		COMMON_LONG,
		{}
	};
	int c, rc, i;

	o->cmd = argv[0];
	o->source = -1;
	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) != -1) {
		if (c == 'S') {
			for (o->source = 0; o->source < SS_NR; o->source++)
				if (!strcmp(optarg, share_src_names[o->source]))
					break;
			if (o->source == SS_NR) {
				p_usage(o->cmd, "unknown source '%s': expected module, pagemap or "
					"smaps", optarg);
				return EXIT_USAGE;
			}
			continue;
		}
		rc = cmd_common(o->cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (optind >= argc) {
		p_usage(o->cmd, "expected at least one PID");
		return EXIT_USAGE;
	}
	o->pids = calloc(argc, sizeof(*o->pids));
	if (!o->pids) {
		p_error(ENOMEM, "%s: out of memory", o->cmd);
		return EXIT_RUNTIME;
	}
	for (i = optind; i < argc; i++)
		if (parse_pid(argv[i], &o->pids[o->npids++]))
			return EXIT_USAGE;
	return -1;
}

static int do_share(int argc, char **argv)
{
	struct share_opts o = {};
	struct share_ctx c = { .o = &o };
	struct sproc *ps = NULL;
	struct vma_bpf *obj;
	size_t i, failed = 0;
	int rc;

	rc = share_opts(argc, argv, &o);
	if (rc >= 0)
		goto out;
	rc = EXIT_RUNTIME;
	if (o.source == SS_MODULE) {
		c.v = memcmd_open(o.cmd, VMEM_P_RANGE);
		if (!c.v)
			goto out;
	} else if (o.source < 0) {
		c.v = memcmd_try_open_err(VMEM_P_RANGE, &c.why_module);
	}
	/* Every process's VMAs, for the join: BPF only (root); else each target's own. */
	obj = vmalist_open(VMALIST_RECORDS | VMALIST_ALL | VMALIST_ONLY_BPF, &c.all_err);
	if (obj) {
		c.all_err = vmalist_collect(obj, 0, &c.all);
		c.have_all = !c.all_err;
		vmalist_close(obj);
	}
	ps = calloc(o.npids, sizeof(*ps));
	if (!ps) {
		p_error(ENOMEM, "%s: out of memory", o.cmd);
		goto out;
	}
	/* From here on, failures of single processes go into the one document. */
	jw_reserve(true);
	for (i = 0; i < o.npids; i++) {
		ps[i].pid = o.pids[i];
		share_one(&c, &ps[i]);
		if (ps[i].err) {
			p_error(ps[i].err, "%s: %s", o.cmd, ps[i].msg);
			failed++;
		} else if (!ps[i].sets && o.source < 0) {
			p_info("vmscope: %s: process %d: USS and PSS from %s; the sharing sets "
			       "need PFNs: %s\n", o.cmd, ps[i].pid, share_src_names[ps[i].source],
			       ps[i].why_no_sets);
		}
	}
	if (failed == o.npids) {
		if (json_output)
			jw_error(ps[0].msg, ps[0].err);
		goto out;
	}
	if (json_output)
		print_share_json(ps, o.npids, &c);
	else
		print_share_plain(ps, o.npids, &c);
	rc = failed ? EXIT_RUNTIME : 0;
out:
	jw_reserve(false);
	for (i = 0; ps && i < o.npids; i++)
		sproc_free(&ps[i]);
	free(ps);
	vmalist_free(&c.all);
	vmem_close(c.v);
	free(o.pids);
	return rc;
}

const struct cmd cmd_share = {
	.name = "share",
	.fn = do_share,
	.usage = "share [OPTIONS] PID...",
	.summary = "USS, PSS and the pages shared, with which processes, per VMA and in total",
	.help = "      --source S     module (the page walk), pagemap (/proc/PID/pagemap and\n"
	        "                     /proc/kpagecount) or smaps (USS and PSS only); by\n"
	        "                     default the first that serves (said on stderr)\n"
	        "  The pages shared and the processes they are shared with need root (PFNs\n"
	        "  and mapcounts).  Kinds: cow (anonymous, since fork), ksm, file (libraries,\n"
	        "  page cache), shmem, hugetlb.\n"
	        "examples:\n"
	        "  vmscope share 1234\n"
	        "  vmscope -j share 1234 | jq '.processes[0].total'\n",
};
