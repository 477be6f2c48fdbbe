// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope audit PID...|--all: the memory a security responder looks at
 * first, per process:
 *  - wx: a mapping both writable and executable;
 *  - exec_anon: executable memory that no file backs (anonymous, heap,
 *    stack, shared anonymous and SysV shared memory);
 *  - exec_deleted: an executable mapping of a file deleted since;
 *  - exec_memfd: an executable mapping of a memfd (fileless code);
 *  - modified_code: pages of a file's private executable mapping that are
 *    anonymous copies (the process's text was written: a breakpoint, a
 *    hook, an injected patch, a uprobe), each with the byte ranges that
 *    differ from the file's own bytes at that offset.
 *
 * The VMAs come from the listing (vmalist.h).  Which code pages are copies
 * comes from the module's range walk (page state VMS_PG_ANON in a file
 * VMA) when it is loaded and may show page state (CAP_SYS_ADMIN), else
 * from /proc/PID/pagemap: a present or swapped page without the "file
 * page or shared anonymous" bit (61) is anonymous, which root confirms
 * with /proc/kpageflags.  The source is part of every answer.  The page's
 * bytes come from the module's read or /proc/PID/mem, the file's from
 * /proc/PID/map_files/START-END (CAP_SYS_ADMIN), else from the path when
 * it still names the mapped inode.
 *
 * Nothing is skipped without a word: a process that cannot be read is
 * listed with why, and so is a part of one (a VMA whose pages could not
 * be walked).  Exit status: 0 nothing found and everything checked, 1
 * something found, 3 nothing found but not everything could be checked;
 * 2 usage.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "cmds.h"
#include "common.h"
#include "memcmd.h"
#include "pagemap.h"
#include "vmalist.h"

/* Exit status: could not check. */
#define EXIT_UNCHECKED	3

#define PG		4096ull
/* The module's programs audit runs: range walks and reads. */
#define AUDIT_PROGS	(VMEM_P_RANGE | VMEM_P_READ)
#define RANGES_MAX	64	/* differing ranges kept per page */
#define SHOW_MAX	16	/* bytes of each side kept per range */

enum akind { A_WX, A_EXEC_ANON, A_EXEC_DELETED, A_EXEC_MEMFD, A_MODIFIED, A_NR };
static const char *const kind_names[A_NR] = {
	"wx", "exec_anon", "exec_deleted", "exec_memfd", "modified_code",
};
static const char *const kind_text[A_NR] = {
	"W+X", "exec anon", "exec deleted", "exec memfd", "modified code",
};

enum asource { S_MODULE, S_PAGEMAP, S_KPAGEFLAGS, S_MIXED, S_NR };
static const char *const source_names[S_NR] = {
	"module", "pagemap", "pagemap+kpageflags", "mixed",
};

struct audit_opts {
	const char *cmd;
	bool all;
	int source;		/* --source: S_MODULE or S_PAGEMAP; -1 by default */
	pid_t *pids;
	size_t npids;
};

/* A run of bytes that differ from the file. */
struct arange {
	uint64_t start, end;
	unsigned char now[SHOW_MAX], file[SHOW_MAX];
};

/* A code page that is a private copy. */
struct apage {
	uint64_t addr;
	bool swapped;		/* the copy is in swap (read back in to compare) */
	bool compared;
	int err;		/* not compared: the errno, and why */
	char why[200];
	uint32_t differ;	/* bytes that differ */
	struct arange *r;
	uint32_t nr;
	bool truncated;		/* more than RANGES_MAX ranges */
};

struct afinding {
	enum akind kind;
	size_t vma;		/* index in the process's listing */
	const char *memory;	/* modified_code: "module" or "proc_mem" */
	const char *file;	/* "map_files", "path", or NULL: not read */
	struct apage *pages;
	size_t np, cap;
};

/* A part of a process that could not be checked. */
struct aunchecked {
	size_t vma;
	int err;
	char why[256];
};

struct aproc {
	pid_t pid;
	int err;		/* not checked at all: the errno, and why */
	char msg[256];
	bool gone;		/* --all: it exited before it could be listed */
	enum asource source;
	char cmdline[256];
	struct vmalist l;
	struct afinding *f;
	size_t nf, fcap;
	struct aunchecked *u;
	size_t nu, ucap;
};

struct audit_result {
	bool all;
	const char *listing;
	enum asource source;
	struct aproc *p;
	size_t np;
	size_t kthreads;
	/* summary */
	size_t checked, not_checked, exited, partial, with_findings, findings;
};

/* What a run uses to look at processes. */
struct audit_ctx {
	const struct audit_opts *o;
	struct vma_bpf *obj;
	struct vmem *v;		/* NULL: pagemap */
	char why[256];		/* why not the module */
};

/* ---- options -------------------------------------------------------------------------- */

static int audit_opts(int argc, char **argv, struct audit_opts *o)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "source", required_argument, NULL, 'S' },
		COMMON_LONG,
		{}
	};
	int c, rc, i;

	o->cmd = argv[0];
	o->source = -1;
	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT "a", longopts, NULL)) != -1) {
		if (c == 'a') {
			o->all = true;
			continue;
		}
		if (c == 'S') {
			if (!strcmp(optarg, "module")) {
				o->source = S_MODULE;
			} else if (!strcmp(optarg, "pagemap")) {
				o->source = S_PAGEMAP;
			} else {
				p_usage(o->cmd, "unknown source '%s': expected module or pagemap",
					optarg);
				return EXIT_USAGE;
			}
			continue;
		}
		rc = cmd_common(o->cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (o->all && optind < argc) {
		p_usage(o->cmd, "give PIDs or --all, not both ('%s')", argv[optind]);
		return EXIT_USAGE;
	}
	if (!o->all && optind >= argc) {
		p_usage(o->cmd, "expected a PID or --all");
		return EXIT_USAGE;
	}
	o->pids = calloc(argc, sizeof(*o->pids));
	if (!o->pids)
		return EXIT_UNCHECKED;
	for (i = optind; i < argc; i++)
		if (parse_pid(argv[i], &o->pids[o->npids++]))
			return EXIT_USAGE;
	return -1;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Every process /proc shows, in pid order. */
static int all_pids(struct audit_opts *o)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t cap = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		if (o->npids == cap) {
			pid_t *p;

			cap = cap ? cap * 2 : 256;
			p = realloc(o->pids, cap * sizeof(*p));
			if (!p) {
				closedir(d);
				return -ENOMEM;
			}
			o->pids = p;
		}
		o->pids[o->npids++] = pid;
	}
	closedir(d);
	qsort(o->pids, o->npids, sizeof(*o->pids), pid_cmp);
	return 0;
}

/* ---- findings ----------------------------------------------------------------------- */

static struct afinding *add_finding(struct aproc *p, enum akind kind, size_t vma)
{
	struct afinding *f;

	if (p->nf == p->fcap) {
		size_t cap = p->fcap ? p->fcap * 2 : 8;

		f = realloc(p->f, cap * sizeof(*f));
		if (!f)
			return NULL;
		p->f = f;
		p->fcap = cap;
	}
	f = &p->f[p->nf++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->vma = vma;
	return f;
}

static struct apage *add_page(struct afinding *f, uint64_t addr, bool swapped)
{
	struct apage *pg;

	if (f->np == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 4;

		pg = realloc(f->pages, cap * sizeof(*pg));
		if (!pg)
			return NULL;
		f->pages = pg;
		f->cap = cap;
	}
	pg = &f->pages[f->np++];
	memset(pg, 0, sizeof(*pg));
	pg->addr = addr;
	pg->swapped = swapped;
	return pg;
}

static void add_unchecked(struct aproc *p, size_t vma, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add_unchecked(struct aproc *p, size_t vma, int err, const char *fmt, ...)
{
	struct aunchecked *u;
	va_list ap;

	if (p->nu == p->ucap) {
		size_t cap = p->ucap ? p->ucap * 2 : 4;

		u = realloc(p->u, cap * sizeof(*u));
		if (!u)
			return;
		p->u = u;
		p->ucap = cap;
	}
	u = &p->u[p->nu++];
	u->vma = vma;
	u->err = err < 0 ? -err : err;
	va_start(ap, fmt);
	vsnprintf(u->why, sizeof(u->why), fmt, ap);
	va_end(ap);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && !strcmp(s + a - b, tail);
}

/* Memory no file backs: anonymous, or shared anonymous under a file's name. */
static bool anon_like(const struct vms_vma *r, const char *name)
{
	switch (r->name_kind) {
	case VMS_NAME_NONE:
	case VMS_NAME_HEAP:
	case VMS_NAME_STACK:
	case VMS_NAME_ANON:
	case VMS_NAME_ANON_SHMEM:
		return true;
	}
	/* MAP_SHARED|MAP_ANONYMOUS and SysV shm are shmem files with these names. */
	return !strcmp(name, "/dev/zero (deleted)") ||
	       (!strncmp(name, "/SYSV", 5) && ends_with(name, " (deleted)"));
}

static bool is_memfd(const char *name)
{
	return !strncmp(name, "/memfd:", 7);
}

/* ---- modified code: which pages ------------------------------------------------------- */

/*
 * The private copies among the pages of VMA vi, from the module's walk.
 * Returns 0, or -EACCES when the module shows no page state to this
 * caller, or another -errno.
 */
static int copies_module(struct audit_ctx *c, struct aproc *p, size_t vi, struct afinding *f)
{
	const struct vms_vma *vma = &p->l.v[vi];
	uint64_t addr = vma->start;

	while (addr < vma->end) {
		const struct vms_range *h;
		const struct vms_prec *r;
		const struct vms_pdir *d;
		int n = vmem_walk_range(c->v, p->pid, addr, vma->end, &h, &r, &d), i;

		if (n < 0)
			return n;
		if (h->wflags & VMS_W_PAGE_HIDDEN)
			return -EACCES;
		for (i = 0; i < n; i++) {
			bool present = r[i].stop == VMS_STOP_LEAF && (r[i].page_flags & VMS_PG_ANON);
			/* only anonymous pages go to swap from a file's private mapping */
			bool swapped = r[i].stop == VMS_STOP_NOT_PRESENT &&
				       r[i].swp_kind == VMS_SWP_SWAP;

			if ((present || swapped) &&
			    !add_page(f, h->first + (uint64_t)i * PG, swapped))
				return -ENOMEM;
		}
		if (h->next <= addr)
			break;
		addr = h->next;
	}
	return 0;
}

/* The same from /proc/PID/pagemap (and kpageflags when it can be read). */
static int copies_pagemap(struct pagemap *pm, const struct vms_vma *vma, struct afinding *f)
{
	bool state = pagemap_state_shown(pm);
	uint64_t addr = vma->start;

	while (addr < vma->end) {
		const struct vms_range *h;
		const struct vms_prec *r;
		const uint64_t *pme;
		int n = pagemap_walk_range(pm, addr, vma->end, &h, &r, &pme), i;

		if (n < 0)
			return n;
		for (i = 0; i < n; i++) {
			bool present = (pme[i] & PM_PRESENT) && !(pme[i] & PM_FILE) &&
				       (!state || (r[i].page_flags & VMS_PG_ANON));
			/*
			 * pagemap sets its swap bit for markers too (uffd-wp, guard
			 * regions), which no page stands behind: only a real swap
			 * entry, as the pagemap source decodes it, is a copy.
			 */
			bool swapped = (pme[i] & PM_SWAP) && !(pme[i] & (PM_FILE | PM_GUARD)) &&
				       r[i].swp_kind == VMS_SWP_SWAP;

			if ((present || swapped) &&
			    !add_page(f, h->first + (uint64_t)i * PG, swapped && !present))
				return -ENOMEM;
		}
		if (h->next <= addr)
			break;
		addr = h->next;
	}
	return 0;
}

/* ---- modified code: which bytes -------------------------------------------------------- */

/*
 * The mapped file of VMA r: /proc/PID/map_files (the very inode, deleted
 * or not; CAP_SYS_ADMIN), else its path when that still names the same
 * inode.  Returns an fd, or -errno with why.
 */
static int open_mapped_file(pid_t pid, const struct vms_vma *r, const char *name,
			    const char **how, char *why, size_t sz)
{
	char path[96];
	struct stat st;
	int fd, err;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", pid,
		 (unsigned long long)r->start, (unsigned long long)r->end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		*how = "map_files";
		return fd;
	}
	err = -errno;
	if (ends_with(name, " (deleted)") || name[0] != '/') {
		snprintf(why, sz, "the file is deleted, and %s cannot be opened: %s (it needs "
			 "CAP_SYS_ADMIN)", path, strerror(-err));
		return err;
	}
	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(why, sz, "neither %s nor %s can be opened: %s", path, name,
			 strerror(-err));
		return err;
	}
	/* Same inode; the device may differ (overlayfs shows its own). */
	if (fstat(fd, &st) || st.st_ino != r->ino) {
		close(fd);
		snprintf(why, sz, "%s is no longer the mapped file (inode %llu, mapped %llu): "
			 "it was replaced, and %s needs CAP_SYS_ADMIN", name,
			 (unsigned long long)st.st_ino, (unsigned long long)r->ino, path);
		return -ESTALE;
	}
	*how = "path";
	return fd;
}

/* The ranges where now and file differ. */
static int diff_page(struct apage *pg, const unsigned char *now, const unsigned char *file)
{
	uint32_t i = 0;

	while (i < PG) {
		uint32_t s, k;

		if (now[i] == file[i]) {
			i++;
			continue;
		}
		for (s = i; i < PG && now[i] != file[i]; i++)
			;
		pg->differ += i - s;
		if (pg->nr == RANGES_MAX) {
			pg->truncated = true;
			continue;
		}
		if (!pg->r) {
			pg->r = calloc(RANGES_MAX, sizeof(*pg->r));
			if (!pg->r)
				return -ENOMEM;
		}
		pg->r[pg->nr].start = pg->addr + s;
		pg->r[pg->nr].end = pg->addr + i;
		for (k = 0; k < SHOW_MAX && s + k < i; k++) {
			pg->r[pg->nr].now[k] = now[s + k];
			pg->r[pg->nr].file[k] = file[s + k];
		}
		pg->nr++;
	}
	pg->compared = true;
	return 0;
}

/* Compare every page of f (VMA r of p) with the file's bytes. */
static void compare_pages(struct audit_ctx *c, struct aproc *p, struct afinding *f, bool module)
{
	const struct vms_vma *r = &p->l.v[f->vma];
	unsigned char now[PG], file[PG];
	char why[256] = "", path[64];
	int fd, mem = -1;
	size_t i;

	f->memory = module ? "module" : "proc_mem";
	fd = open_mapped_file(p->pid, r, vma_name_of(&p->l, r), &f->file, why, sizeof(why));
	if (!module) {
		snprintf(path, sizeof(path), "/proc/%d/mem", p->pid);
		mem = open(path, O_RDONLY | O_CLOEXEC);
	}
	for (i = 0; i < f->np; i++) {
		struct apage *pg = &f->pages[i];
		uint64_t off = r->pgoff + (pg->addr - r->start);
		ssize_t n, got;

		if (fd < 0) {
			pg->err = -fd;
			snprintf(pg->why, sizeof(pg->why), "%s", why);
			continue;
		}
		if (module) {
			got = vmem_read(c->v, p->pid, pg->addr, now, PG);
		} else if (mem < 0) {
			got = -errno;
		} else {
			got = pread(mem, now, PG, (off_t)pg->addr);
			if (got < 0)
				got = -errno;
		}
		if (got != (ssize_t)PG) {
			pg->err = got < 0 ? -got : EIO;
			snprintf(pg->why, sizeof(pg->why), "the page's bytes cannot be read%s: %s",
				 module ? "" : " from /proc/PID/mem (it needs ptrace access)",
				 strerror(pg->err));
			continue;
		}
		/* Past the end of the file the mapping shows zeros. */
		memset(file, 0, sizeof(file));
		n = pread(fd, file, PG, (off_t)off);
		if (n < 0) {
			pg->err = errno;
			snprintf(pg->why, sizeof(pg->why), "the file cannot be read at 0x%llx: %s",
				 (unsigned long long)off, strerror(errno));
			continue;
		}
		if (diff_page(pg, now, file)) {
			pg->err = ENOMEM;
			snprintf(pg->why, sizeof(pg->why), "out of memory");
		}
	}
	if (fd >= 0)
		close(fd);
	if (mem >= 0)
		close(mem);
}

/* ---- one process ------------------------------------------------------------------------ */

/*
 * The modified pages of the candidate VMAs (file-backed, private,
 * executable): from the module, or pagemap where the module cannot serve
 * this process; then their bytes against the file's.
 */
static void audit_code(struct audit_ctx *c, struct aproc *p, const size_t *cand, size_t nc)
{
	struct pagemap *pm = NULL;
	bool module = c->v != NULL;
	size_t k;
	int err;

	p->source = module ? S_MODULE : S_PAGEMAP;
	for (k = 0; k < nc; k++) {
		struct afinding f = { .kind = A_MODIFIED, .vma = cand[k] }, *nf;

		err = -EAGAIN;
		if (module) {
			err = copies_module(c, p, cand[k], &f);
			/* Another user's process, or no page state: pagemap may still tell. */
			if (err == -EPERM || err == -EACCES) {
				if (c->o->source == S_MODULE) {
					add_unchecked(p, cand[k], err, "the module %s (--source "
						      "module)", err == -EPERM ? "refused: another "
						      "user's process needs CAP_SYS_PTRACE" :
						      "shows no page state without CAP_SYS_ADMIN");
					free(f.pages);
					continue;
				}
				module = false;
				f.np = 0;
			}
		}
		if (!module) {
			if (!pm) {
				pm = pagemap_open(p->pid, &err);
				if (!pm) {
					add_unchecked(p, cand[k], err, "/proc/%d/pagemap: %s", p->pid,
						      err == -EACCES ? "permission denied (it needs "
						      "the same user, or CAP_SYS_PTRACE)" :
						      strerror(-err));
					free(f.pages);
					continue;
				}
				p->source = pagemap_state_shown(pm) ? S_KPAGEFLAGS : S_PAGEMAP;
			}
			err = copies_pagemap(pm, &p->l.v[cand[k]], &f);
		}
		if (err) {
			add_unchecked(p, cand[k], err, "its pages could not be walked: %s",
				      strerror(-err));
			free(f.pages);
			continue;
		}
		if (!f.np)
			continue;
		compare_pages(c, p, &f, module);
		nf = add_finding(p, A_MODIFIED, f.vma);
		if (!nf) {
			free(f.pages);
			continue;
		}
		*nf = f;
	}
	pagemap_close(pm);
}

/* Findings in address order, and by kind for one VMA. */
static int finding_cmp(const void *a, const void *b)
{
	const struct afinding *x = a, *y = b;

	if (x->vma != y->vma)
		return x->vma < y->vma ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

static void audit_proc(struct audit_ctx *c, struct aproc *p)
{
	size_t i, *cand, nc = 0;
	int err;

	err = vmalist_collect(c->obj, p->pid, &p->l);
	if (err) {
		p->err = -err;
		snprintf(p->msg, sizeof(p->msg), "process %d: %s%s", p->pid, strerror(-err),
			 err == -EACCES || err == -EPERM ? " (its maps need the same user or "
			 "CAP_SYS_PTRACE)" : "");
		p->gone = c->o->all && !pid_exists(p->pid);
		return;
	}
	if (!p->l.n) {
		p->err = pid_no_vmas(p->pid, p->msg, sizeof(p->msg));
		p->gone = c->o->all && p->err == ESRCH;
		return;
	}
	pid_cmdline(p->pid, p->cmdline, sizeof(p->cmdline));
	cand = calloc(p->l.n, sizeof(*cand));
	if (!cand) {
		p->err = ENOMEM;
		snprintf(p->msg, sizeof(p->msg), "out of memory");
		return;
	}
	for (i = 0; i < p->l.n; i++) {
		const struct vms_vma *r = &p->l.v[i];
		const char *name = vma_name_of(&p->l, r);

		if (!(r->vm_flags & VMS_VM_EXEC) || r->name_kind == VMS_NAME_SPECIAL)
			continue;
		if (r->vm_flags & VMS_VM_WRITE)
			add_finding(p, A_WX, i);
		if (anon_like(r, name)) {
			add_finding(p, A_EXEC_ANON, i);
			continue;
		}
		if (is_memfd(name))
			add_finding(p, A_EXEC_MEMFD, i);
		else if (ends_with(name, " (deleted)"))
			add_finding(p, A_EXEC_DELETED, i);
		if (r->name_kind == VMS_NAME_FILE && !(r->vm_flags & VMS_VM_MAYSHARE))
			cand[nc++] = i;
	}
	audit_code(c, p, cand, nc);
	free(cand);
	qsort(p->f, p->nf, sizeof(*p->f), finding_cmp);
}

/* Open the listing and the module (or not); prints why not. */
static int audit_open(struct audit_ctx *c)
{
	const struct audit_opts *o = c->o;
	int err;

	c->obj = vmalist_open(VMALIST_RECORDS, &err);
	if (!c->obj) {
		p_error(err, "%s: cannot list VMAs: %s", o->cmd, bpf_err_hint(err));
		return EXIT_UNCHECKED;
	}
	note_listing_source(o->cmd, c->obj);
	if (o->source == S_PAGEMAP)
		return 0;
	if (o->source == S_MODULE) {
		c->v = memcmd_open(o->cmd, AUDIT_PROGS);
		return c->v ? 0 : EXIT_UNCHECKED;
	}
	c->v = memcmd_try_open_err(AUDIT_PROGS, &err);
	if (!c->v) {
		memcmd_why(err, c->why, sizeof(c->why));
		p_info("vmscope: %s: code pages from /proc/PID/pagemap: %s\n", o->cmd, c->why);
	} else if (verbose) {
		p_info("vmscope: %s: code pages from the module's page walk\n", o->cmd);
	}
	return 0;
}

static int audit_run(struct audit_opts *o, struct audit_result *r)
{
	struct audit_ctx c = { .o = o };
	size_t k;
	int rc, err;

	r->all = o->all;
	rc = audit_open(&c);
	if (rc)
		goto out;
	r->listing = listing_source_name(c.obj);
	r->source = c.v ? S_MODULE : S_PAGEMAP;
	err = o->all ? all_pids(o) : 0;
	if (err) {
		p_error(err, "%s: /proc: %s", o->cmd, strerror(-err));
		rc = EXIT_UNCHECKED;
		goto out;
	}
	r->p = calloc(o->npids ? o->npids : 1, sizeof(*r->p));
	if (!r->p) {
		p_error(ENOMEM, "%s: out of memory", o->cmd);
		rc = EXIT_UNCHECKED;
		goto out;
	}
	/* From here on, what fails for one process goes into the one document. */
	jw_reserve(true);
	for (k = 0; k < o->npids; k++) {
		struct aproc *p = &r->p[r->np];

		/* Kernel threads have no user memory: counted, not listed. */
		if (o->all && pid_is_kthread(o->pids[k])) {
			r->kthreads++;
			continue;
		}
		p->pid = o->pids[k];
		audit_proc(&c, p);
		r->np++;
		if (p->gone) {
			r->exited++;
			continue;
		}
		if (p->err) {
			r->not_checked++;
			continue;
		}
		/* The run's source: the processes', when they all agree. */
		if (!r->checked++)
			r->source = p->source;
		else if (r->source != p->source)
			r->source = S_MIXED;
		r->partial += p->nu > 0;
		r->with_findings += p->nf > 0;
		r->findings += p->nf;
	}
	rc = -1;
out:
	vmem_close(c.v);
	vmalist_close(c.obj);
	return rc;
}

/* ---- output ---------------------------------------------------------------------------- */

static void jw_page(const struct vms_vma *r, const struct apage *pg)
{
	uint32_t i;

	jw_start_obj();
	jw_hex("addr", pg->addr);
	jw_hex("offset", r->pgoff + (pg->addr - r->start));
	jw_str("state", pg->swapped ? "swapped" : "present");
	jw_bool("compared", pg->compared);
	if (!pg->compared) {
		jw_null("bytes_differ");
		jw_null("ranges");
		jw_str("error", pg->why);
		jw_i64("errno", pg->err);
		jw_end_obj();
		return;
	}
	jw_u64("bytes_differ", pg->differ);
	jw_key("ranges");
	jw_start_arr();
	for (i = 0; i < pg->nr; i++) {
		const struct arange *a = &pg->r[i];
		size_t len = a->end - a->start, shown = len < SHOW_MAX ? len : SHOW_MAX;

		jw_start_obj();
		jw_hex("start", a->start);
		jw_hex("end", a->end);
		jw_u64("length", len);
		jw_hex("offset", r->pgoff + (a->start - r->start));
		jw_bytes("now", a->now, shown);
		jw_bytes("file", a->file, shown);
		jw_end_obj();
	}
	jw_end_arr();
	jw_bool("ranges_truncated", pg->truncated);
	jw_end_obj();
}

static void jw_proc(const struct aproc *p)
{
	size_t i, k;

	jw_start_obj();
	jw_u64("pid", p->pid);
	if (p->err) {
		jw_str("error", p->msg);
		jw_i64("errno", p->err);
		jw_bool("exited", p->gone);
		jw_end_obj();
		return;
	}
	jw_str("comm", vma_comm_of(&p->l, &p->l.v[0]));
	jw_str("command", p->cmdline);
	jw_str("source", source_names[p->source]);
	jw_bool("complete", !p->nu);
	jw_key("findings");
	jw_start_arr();
	for (i = 0; i < p->nf; i++) {
		const struct afinding *f = &p->f[i];
		const struct vms_vma *r = &p->l.v[f->vma];

		jw_start_obj();
		jw_str("kind", kind_names[f->kind]);
		jw_key("vma");
		jw_start_obj();
		jw_vma(r, vma_name_of(&p->l, r));
		jw_end_obj();
		if (f->kind == A_MODIFIED) {
			jw_str("memory", f->memory);
			if (f->file)
				jw_str("file", f->file);
			else
				jw_null("file");
			jw_key("pages");
			jw_start_arr();
			for (k = 0; k < f->np; k++)
				jw_page(r, &f->pages[k]);
			jw_end_arr();
		}
		jw_end_obj();
	}
	jw_end_arr();
	jw_key("unchecked");
	jw_start_arr();
	for (i = 0; i < p->nu; i++) {
		const struct vms_vma *r = &p->l.v[p->u[i].vma];

		jw_start_obj();
		jw_str("what", "modified_code");
		jw_hex("start", r->start);
		jw_hex("end", r->end);
		jw_str("error", p->u[i].why);
		jw_i64("errno", p->u[i].err);
		jw_end_obj();
	}
	jw_end_arr();
	jw_end_obj();
}

static void print_audit_json(const struct audit_result *r)
{
	size_t k;

	jw_start_obj();
	jw_str("source", source_names[r->source]);
	jw_str("listing", r->listing);
	jw_bool("all", r->all);
	jw_key("processes");
	jw_start_arr();
	for (k = 0; k < r->np; k++)
		jw_proc(&r->p[k]);
	jw_end_arr();
	jw_key("summary");
	jw_start_obj();
	jw_u64("processes", r->np);
	jw_u64("checked", r->checked);
	jw_u64("with_findings", r->with_findings);
	jw_u64("findings", r->findings);
	jw_u64("partly_checked", r->partial);
	jw_u64("not_checked", r->not_checked);
	jw_u64("exited", r->exited);
	jw_u64("kernel_threads", r->kthreads);
	jw_end_obj();
	jw_bool("found", r->findings > 0);
	jw_bool("complete", !r->not_checked && !r->partial);
	jw_end_obj();
	jw_done();
}

static void print_bytes(const unsigned char *b, size_t n, bool more)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf(" %02x", b[i]);
	if (more)
		printf(" ...");
}

static void print_vma(const struct aproc *p, const struct vms_vma *r)
{
	char perms[5];

	vm_flags_perms(r->vm_flags, perms);
	printf("%08llx-%08llx %s ", (unsigned long long)r->start, (unsigned long long)r->end,
	       perms);
	fput_name(stdout, *vma_name_of(&p->l, r) ? vma_name_of(&p->l, r) : "[anon]");
}

static void print_modified(const struct aproc *p, const struct afinding *f)
{
	const struct vms_vma *r = &p->l.v[f->vma];
	size_t k;
	uint32_t i;

	for (k = 0; k < f->np; k++) {
		const struct apage *pg = &f->pages[k];

		printf("    page %08llx, file offset 0x%llx%s: ", (unsigned long long)pg->addr,
		       (unsigned long long)(r->pgoff + (pg->addr - r->start)),
		       pg->swapped ? " (swapped out)" : "");
		if (!pg->compared) {
			printf("not compared: %s\n", pg->why);
			continue;
		}
		if (!pg->differ) {
			printf("a private copy, identical to the file (written and changed back?)\n");
			continue;
		}
		printf("%u byte%s differ%s in %u%s range%s (bytes: %s; file: %s)\n", pg->differ,
		       pg->differ == 1 ? "" : "s", pg->differ == 1 ? "s" : "", pg->nr,
		       pg->truncated ? "+" : "", pg->nr == 1 && !pg->truncated ? "" : "s",
		       f->memory, f->file);
		for (i = 0; i < pg->nr; i++) {
			const struct arange *a = &pg->r[i];
			size_t len = a->end - a->start, shown = len < SHOW_MAX ? len : SHOW_MAX;

			printf("      %08llx-%08llx %zu byte%s, file offset 0x%llx\n",
			       (unsigned long long)a->start, (unsigned long long)a->end, len,
			       len == 1 ? "" : "s",
			       (unsigned long long)(r->pgoff + (a->start - r->start)));
			printf("        now: ");
			print_bytes(a->now, shown, len > shown);
			printf("\n        file:");
			print_bytes(a->file, shown, len > shown);
			printf("\n");
		}
		if (pg->truncated)
			printf("      (only the first %d ranges are shown)\n", RANGES_MAX);
	}
}

static void print_proc_plain(const struct aproc *p)
{
	size_t i, k;

	if (p->err) {
		printf("PID %d: %s: %s\n", p->pid, p->gone ? "exited" : "not checked", p->msg);
		return;
	}
	/* A long command line is cut: the pid names the process. */
	printf("PID %d  %.60s%s  (code pages: %s)%s\n", p->pid, p->cmdline,
	       strlen(p->cmdline) > 60 ? "..." : "", source_names[p->source],
	       p->nf || p->nu ? "" : ": nothing found");
	for (i = 0; i < p->nf; i = k) {
		const struct afinding *f = &p->f[i];
		char kinds[64];
		int o = 0;

		/* One line per VMA: "W+X, exec anon". */
		for (k = i; k < p->nf && p->f[k].vma == f->vma; k++)
			o += snprintf(kinds + o, sizeof(kinds) - o, "%s%s", k > i ? ", " : "",
				      kind_text[p->f[k].kind]);
		printf("  %-14s ", kinds);
		print_vma(p, &p->l.v[f->vma]);
		f = &p->f[k - 1];
		if (f->kind == A_MODIFIED)
			printf(": %zu page%s a private copy", f->np, f->np == 1 ? " is" : "s are");
		printf("\n");
		if (f->kind == A_MODIFIED)
			print_modified(p, f);
	}
	for (i = 0; i < p->nu; i++) {
		printf("  %-14s modified code in ", "not checked");
		print_vma(p, &p->l.v[p->u[i].vma]);
		printf(": %s\n", p->u[i].why);
	}
}

static void print_audit_plain(const struct audit_result *r)
{
	size_t k;

	for (k = 0; k < r->np; k++) {
		const struct aproc *p = &r->p[k];

		/* --all: the processes that need a look; the clean ones are counted. */
		if (r->all && !p->err && !p->nf && !p->nu)
			continue;
		if (r->all && p->gone)
			continue;
		print_proc_plain(p);
	}
	printf("summary: %zu process%s: %zu with %zu finding%s, %zu clean", r->np,
	       r->np == 1 ? "" : "es", r->with_findings, r->findings, r->findings == 1 ? "" : "s",
	       r->checked - r->with_findings);
	if (r->partial)
		printf(", %zu only partly checked", r->partial);
	if (r->not_checked)
		printf(", %zu not checked", r->not_checked);
	if (r->exited)
		printf(", %zu exited meanwhile", r->exited);
	if (r->kthreads)
		printf("; %zu kernel threads (no user memory)", r->kthreads);
	printf("\ncode pages from: %s; VMAs from %s\n", source_names[r->source],
	       !strcmp(r->listing, "bpf") ? "the BPF listing" : "/proc/PID/maps");
}

static int do_audit(int argc, char **argv)
{
	struct audit_opts o = {};
	struct audit_result r = {};
	size_t k, i, j;
	int rc;

	rc = audit_opts(argc, argv, &o);
	if (rc >= 0)
		goto out;
	rc = audit_run(&o, &r);
	if (rc >= 0)
		goto out;
	for (k = 0; k < r.np; k++)
		if (r.p[k].err && !r.p[k].gone && !r.all)
			p_info("vmscope: %s: %s\n", o.cmd, r.p[k].msg);
	if (r.all && r.not_checked)
		p_info("vmscope: %s: %zu process%s could not be checked (listed with why)\n", o.cmd,
		       r.not_checked, r.not_checked == 1 ? "" : "es");
	if (json_output)
		print_audit_json(&r);
	else
		print_audit_plain(&r);
	rc = r.findings ? 1 : r.not_checked || r.partial || !r.checked ? EXIT_UNCHECKED : 0;
out:
	jw_reserve(false);
	for (k = 0; k < r.np; k++) {
		for (i = 0; i < r.p[k].nf; i++) {
			for (j = 0; j < r.p[k].f[i].np; j++)
				free(r.p[k].f[i].pages[j].r);
			free(r.p[k].f[i].pages);
		}
		free(r.p[k].f);
		free(r.p[k].u);
		vmalist_free(&r.p[k].l);
	}
	free(r.p);
	free(o.pids);
	return rc;
}

const struct cmd cmd_audit = {
	.name = "audit",
	.fn = do_audit,
	.usage = "audit [OPTIONS] PID...\n"
	         "audit --all [OPTIONS]",
	.summary = "what a security responder looks at first: W+X and executable anonymous "
	           "memory, executables deleted or in memfds, and modified code",
	.help = "  -a, --all          every process (kernel threads have no memory to audit)\n"
	        "      --source S     find modified code pages with S: module (its page walk)\n"
	        "                     or pagemap (/proc/PID/pagemap, and /proc/kpageflags for\n"
	        "                     root); by default the module when it is loaded and can\n"
	        "                     show page state, else pagemap (said on stderr)\n"
	        "  Modified code: pages of a file's private executable mapping that are\n"
	        "  private copies (written: a breakpoint, a hook, a patch), each with the\n"
	        "  byte ranges that differ from the file.  Exit status: 0 nothing found,\n"
	        "  1 something found, 2 usage, 3 could not check (all or part).\n"
	        "examples:\n"
	        "  vmscope audit 1234\n"
	        "  vmscope -j audit --all > audit.json; echo $?\n",
};
