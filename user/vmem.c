// SPDX-License-Identifier: GPL-2.0
/*
 * The module's memory kfuncs from user space, through bpf/vmem.bpf.c (a
 * light skeleton: the kernel resolves the module's kfuncs, no BTF is read
 * here).  Arguments and results live in the object's .bss, the data in
 * its bufs map; both are mmapped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "module.h"
#include "vmem_api.h"
#include "vmem.lskel.h"
#include "vmem_find.lskel.h"
#include "vmem_walk.lskel.h"
#include "vmem_page.lskel.h"
#include "vmem_read.lskel.h"
#include "vmem_write.lskel.h"
#include "vmem_cmpxchg.lskel.h"

/* The programs, by their VMEM_P_ bit's number. */
enum { P_FIND, P_WALK, P_RANGE, P_READ, P_WRITE, P_CMPXCHG, P_SHARERS, P_N };

struct vmem {
	void *skel;			/* one of the light skeletons */
	void (*destroy)(void *skel);
	const char *set;		/* which: "all", "find", ... */
	int abi_fd, prog_fd[P_N];	/* -1: not in this object */
	struct vmem_io *bss;		/* arguments and results */
	struct vmem_bufs *b;		/* data */
	/* Range-walk read-ahead (vmem_walk_ahead()): the buffer holds a walk of
	 * ra_pid while ra_valid (any program run clears it), whose part in a
	 * caller's range is served through ra_hdr. */
	uint64_t ahead;
	pid_t ra_pid;
	bool ra_valid;
	struct vms_range ra_hdr;
};

static int map_bufs(struct vmem *v, int fd)
{
	void *m = mmap(NULL, sizeof(struct vmem_bufs), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (m == MAP_FAILED)
		return -errno;
	v->b = m;
	return 0;
}

/* Program name of skeleton s as P in v (in a LOADER()'s fill). */
#define PROG(P, name)	(v->prog_fd[P] = s->progs.name.prog_fd)
/*
 * load_SET(v): open and load the object vmem_SET (light skeleton T) into
 * v, with its programs (fill: PROG()s).  0 or -errno (v->skel set when opened, for
 * vmem_close()).
 */
#define LOADER(set_, T, fill)						\
static void destroy_##set_(void *s)					\
{									\
	T##__destroy(s);						\
}									\
static int load_##set_(struct vmem *v)					\
{									\
	struct T *s = T##__open();					\
	int err;							\
									\
	if (!s)								\
		return errno ? -errno : -ENOMEM;			\
	v->skel = s;							\
	v->destroy = destroy_##set_;					\
	err = T##__load(s);						\
	if (err)							\
		return err;						\
	v->set = #set_;							\
	v->bss = &s->bss->io;						\
	fill;								\
	return map_bufs(v, s->maps.bufs.map_fd);			\
}

LOADER(all, vmem_bpf, (v->abi_fd = s->progs.abi.prog_fd, PROG(P_FIND, find_vmas), PROG(P_WALK, walk), PROG(P_RANGE, walk_range),
		       PROG(P_READ, mem_read), PROG(P_WRITE, mem_write),
		       PROG(P_CMPXCHG, mem_cmpxchg), PROG(P_SHARERS, page_sharers)))
LOADER(find, vmem_find, PROG(P_FIND, find_vmas))
LOADER(walk, vmem_walk, PROG(P_WALK, walk))
LOADER(page, vmem_page, (PROG(P_WALK, walk), PROG(P_RANGE, walk_range)))
LOADER(read, vmem_read, PROG(P_READ, mem_read))
LOADER(write, vmem_write, PROG(P_WRITE, mem_write))
LOADER(cmpxchg, vmem_cmpxchg, PROG(P_CMPXCHG, mem_cmpxchg))

/* The objects; the first that has every program asked for is loaded (the
 * last has them all). */
static const struct {
	unsigned int progs;
	int (*load)(struct vmem *v);
} sets[] = {
	{ VMEM_SET_FIND, load_find },
	{ VMEM_SET_READ, load_read },
	{ VMEM_SET_WALK, load_walk },
	{ VMEM_SET_PAGE, load_page },
	{ VMEM_SET_WRITE, load_write },
	{ VMEM_SET_CMPXCHG, load_cmpxchg },
	{ VMEM_P_ALL, load_all },
};

struct vmem *vmem_open_for(unsigned int progs, int *err)
{
	struct vmem *v = calloc(1, sizeof(*v));
	size_t i;

	if (!v) {
		*err = -ENOMEM;
		return NULL;
	}
	v->abi_fd = -1;
	for (i = 0; i < P_N; i++)
		v->prog_fd[i] = -1;
	for (i = 0; (progs & ~sets[i].progs) && i + 1 < sizeof(sets) / sizeof(sets[0]); i++)
		;
	*err = sets[i].load(v);
	/* Every program the set claims must be in its object: a LOADER()
	 * that left one out would make a command fall back unseen. */
	for (size_t p = 0; !*err && p < P_N; p++)
		if ((sets[i].progs & (1u << p)) && v->prog_fd[p] < 0)
			*err = -EPROTO;
	if (*err) {
		vmem_close(v);
		return NULL;
	}
	return v;
}

struct vmem *vmem_open(int *err)
{
	return vmem_open_for(VMEM_P_ALL, err);
}

const char *vmem_set(const struct vmem *v)
{
	return v->set;
}

/* One run of the program prog_fd: 0 or -errno (its result is in bss). */
static int run_once(int prog_fd)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int err = bpf_prog_test_run_opts(prog_fd, &opts);

	return err ? -errno : 0;
}

/*
 * The whole object asks the module's kfunc.  A smaller one has no abi
 * program: module_abi() reads the module's abi parameter, which is this
 * module's, since v's programs hold a reference on the module they call
 * (it cannot be unloaded and another loaded under v).
 */
int vmem_abi(struct vmem *v)
{
	int err;

	if (v->abi_fd < 0)
		return module_abi();
	err = run_once(v->abi_fd);
	return err ? err : (int)v->bss->ret;
}

void vmem_close(struct vmem *v)
{
	if (!v)
		return;
	if (v->b)
		munmap(v->b, sizeof(struct vmem_bufs));
	if (v->skel)
		v->destroy(v->skel);
	free(v);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Run prog; run it again while its kfunc says -EAGAIN.  The kfuncs never
 * wait inside the program (kmod/policy.c, rule 5): when the target's
 * mmap_lock is taken or a fault would wait (I/O, userfaultfd), they return
 * -EAGAIN, having started the I/O, and the wait happens here, with
 * nothing held.  Backs off from 50 us to 20 ms; after VMEM_RETRY_S seconds
 * bss->ret stays -EAGAIN and the caller reports it.
 */
#define VMEM_RETRY_S	5.0
static int run(struct vmem *v, int p)
{
	double deadline = 0;
	useconds_t pause = 50;
	int err;

	/* A program outside the object the command opened: the caller's
	 * vmem_open_for() mask is wrong (nothing ran). */
	v->ra_valid = false;	/* the buffer is this run's now */
	if (v->prog_fd[p] < 0)
		return -ENOSYS;
	for (;;) {
		err = run_once(v->prog_fd[p]);
		if (err || v->bss->ret != -EAGAIN)
			return err;
		if (!deadline)
			deadline = now_s() + VMEM_RETRY_S;
		else if (now_s() > deadline)
			return 0;
		usleep(pause);
		if (pause < 20000)
			pause *= 2;
	}
}

/*
 * Every function that writes v's buffer first drops the walk read ahead
 * there (run() does too): the buffer is then no longer that walk's.
 */
static void *buf_for_write(struct vmem *v)
{
	v->ra_valid = false;
	return v->b->buf;
}

struct vms_vmainfo *vmem_find_recs(struct vmem *v)
{
	/* the caller writes the records */
	return (struct vms_vmainfo *)((char *)buf_for_write(v) + sizeof(struct vms_find));
}

int vmem_find_run(struct vmem *v, pid_t pid, size_t n, unsigned int flags)
{
	struct vms_find *h = buf_for_write(v);
	int err;

	if (!n || n > VMEM_FIND_BATCH)
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	h->n = n;
	h->flags = flags;
	v->bss->pid = pid;
	err = run(v, P_FIND);
	if (err)
		return err;
	return v->bss->ret;
}

void vmem_str_free(struct vmem_str *t)
{
	free(t->s);
	memset(t, 0, sizeof(*t));
}

int vmem_str_append(struct vmem_str *t, const char *s, size_t n)
{
	if (t->cap - t->len < n) {
		size_t cap = t->cap ? t->cap : 4096;
		char *p;

		while (cap - t->len < n)
			cap *= 2;
		p = realloc(t->s, cap);
		if (!p)
			return -ENOMEM;
		t->s = p;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	return 0;
}

int vmem_find(struct vmem *v, pid_t pid, struct vms_vmainfo *vi, size_t n,
	      struct vmem_str *names)
{
	size_t batch = names ? VMEM_FIND_NAME_BATCH : VMEM_FIND_BATCH, done = 0;
	unsigned int flags = names ? VMS_FIND_NAME : 0;
	int found = 0;

	while (done < n) {
		size_t k = n - done < batch ? n - done : batch, i;
		struct vms_vmainfo *b = vmem_find_recs(v);
		const struct vms_find *h = (const struct vms_find *)v->b->buf;
		size_t base = names ? names->len : 0;
		int ret;

		for (i = 0; i < k; i++)
			b[i].addr = vi[done + i].addr;
		ret = vmem_find_run(v, pid, k, flags);
		if (ret < 0)
			return ret;
		if (ret == 0 || (size_t)ret > k)
			return -EPROTO;	/* no progress: never loop forever */
		memcpy(vi + done, b, ret * sizeof(*b));
		if (names) {
			if (h->str_len > VMEM_BUF_SIZE - sizeof(*h) - k * sizeof(*b) ||
			    vmem_str_append(names, (const char *)(b + k), h->str_len))
				return -ENOMEM;
			for (i = 0; i < (size_t)ret; i++)
				vi[done + i].vma.name_off += base;
		}
		found += h->found;
		done += ret;
	}
	return found;
}

int vmem_walk(struct vmem *v, pid_t pid, struct vms_walk *w, size_t n)
{
	size_t done = 0;
	int err;

	while (done < n) {
		size_t k = n - done < VMEM_WALK_BATCH ? n - done : VMEM_WALK_BATCH;
		struct vms_walk *b = buf_for_write(v);
		size_t i;

		for (i = 0; i < k; i++)
			b[i].addr = w[done + i].addr;
		v->bss->pid = pid;
		v->bss->len = k;
		err = run(v, P_WALK);
		if (err)
			return err;
		if (v->bss->ret < 0)
			return v->bss->ret;
		/* Fewer than k: the rest is asked again (the lock got busy). */
		if (v->bss->ret == 0 || v->bss->ret > (long long)k)
			return -EPROTO;
		memcpy(w + done, b, v->bss->ret * sizeof(*b));
		done += v->bss->ret;
	}
	return (int)done;
}

void vmem_walk_ahead(struct vmem *v, uint64_t end)
{
	v->ahead = end;
	v->ra_valid = false;
}

/*
 * The part of the walk in the buffer (hdr r) that falls in [start, end),
 * as the module would have answered a walk of just that range: records
 * from the first page at or after start, up to end, and where to go on.
 */
static int walk_slice(struct vmem *v, uint64_t start, uint64_t end,
		      const struct vms_range **hdr, const struct vms_prec **recs,
		      const struct vms_pdir **dirs, uint32_t max)
{
	const struct vms_range *r = (const struct vms_range *)v->b->buf;
	const struct vms_prec *all = (const struct vms_prec *)(r + 1);
	uint64_t rend = r->first + (uint64_t)r->npages * 4096, a, n, shift;
	struct vms_range *h = &v->ra_hdr;

	start &= ~4095ull;	/* as the module rounds them */
	end = (end + 4095) & ~4095ull;
	*h = *r;
	h->start = start;
	h->end = end;
	a = start > r->first ? start : r->first;
	if (a >= end || a >= rend) {
		/* Nothing of it walked: a hole up to end, or past the records. */
		h->first = start;
		h->npages = 0;
		h->ndirs = 0;
		h->next = a >= end ? end : (r->next < end ? r->next : end);
		*hdr = h;
		*recs = all;
		*dirs = (const struct vms_pdir *)(all + max);
		return 0;
	}
	n = (end - a) / 4096;
	if (n > (rend - a) / 4096)
		n = (rend - a) / 4096;
	shift = ((a & ~0x1fffffull) - (r->first & ~0x1fffffull)) >> 21;
	h->first = a;
	h->npages = n;
	/* the regions [a, a + n pages) touches, as a walk of just it fills */
	h->ndirs = ((a + n * 4096 - 1) >> 21) - (a >> 21) + 1;
	if (h->ndirs > (r->ndirs > shift ? r->ndirs - shift : 0))
		h->ndirs = r->ndirs > shift ? r->ndirs - shift : 0;
	/* The records ran out before end: on from where the module stopped. */
	h->next = a + n * 4096 >= end ? end : (r->next < end ? r->next : end);
	*hdr = h;
	*recs = all + (a - r->first) / 4096;
	*dirs = (const struct vms_pdir *)(all + max) + shift;
	return (int)n;
}

int vmem_walk_range(struct vmem *v, pid_t pid, uint64_t start, uint64_t end,
		    const struct vms_range **hdr, const struct vms_prec **recs,
		    const struct vms_pdir **dirs)
{
	struct vms_range *r = (struct vms_range *)v->b->buf;
	size_t room = VMEM_BUF_SIZE - sizeof(*r);
	uint64_t wend = v->ahead > end ? v->ahead : end;
	uint32_t max;
	int err;

	/* Records, plus one dir per 512 records and two more. */
	max = (room - 2 * sizeof(struct vms_pdir)) /
	      (sizeof(struct vms_prec) + sizeof(struct vms_pdir) / 512.0);
	while (max && (size_t)max * sizeof(struct vms_prec) +
	       ((max + 511) / 512 + 2) * sizeof(struct vms_pdir) > room)
		max--;
	/* Read ahead earlier: this range's pages may be in the buffer. */
	if (v->ra_valid && v->ra_pid == pid && start >= r->first &&
	    start < r->first + (uint64_t)r->npages * 4096 && r->npages <= max)
		return walk_slice(v, start, end, hdr, recs, dirs, max);
	r = buf_for_write(v);
	memset(r, 0, sizeof(*r));
	r->start = start;
	r->end = wend;
	r->max_pages = max;
	v->bss->pid = pid;
	err = run(v, P_RANGE);
	if (err)
		return err;
	if (v->bss->ret < 0)
		return v->bss->ret;
	if (wend != end) {
		v->ra_valid = r->npages <= max;
		v->ra_pid = pid;
		return walk_slice(v, start, end, hdr, recs, dirs, max);
	}
	*hdr = r;
	*recs = (const struct vms_prec *)(r + 1);
	*dirs = (const struct vms_pdir *)(*recs + max);
	return (int)v->bss->ret;
}

ssize_t vmem_read_chunk(struct vmem *v, pid_t pid, uint64_t addr, size_t len,
			const void **data)
{
	int err;

	if (len > VMEM_BUF_SIZE)
		len = VMEM_BUF_SIZE;
	v->bss->pid = pid;
	v->bss->addr = addr;
	v->bss->len = len;
	err = run(v, P_READ);
	if (err)
		return err;
	*data = v->b->buf;
	return v->bss->ret;
}

ssize_t vmem_read(struct vmem *v, pid_t pid, uint64_t addr, void *dst, size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t want = len - done < VMEM_BUF_SIZE ? len - done : VMEM_BUF_SIZE;
		const void *data = NULL;
		ssize_t n = vmem_read_chunk(v, pid, addr + done, want, &data);

		/* Short reads go on from where they stopped: the kfunc also stops
		 * where a fault would have waited; the next call says which. */
		if (n <= 0)
			return done ? (ssize_t)done : (n ? n : -EIO);
		memcpy((char *)dst + done, data, n);
		done += n;
	}
	return done;
}

ssize_t vmem_write(struct vmem *v, pid_t pid, uint64_t addr, const void *src,
		   size_t len, bool force, void *old, ssize_t *old_n, void *new_,
		   ssize_t *new_n)
{
	int err;

	if (len > VMEM_WBUF_SIZE)
		return -E2BIG;
	buf_for_write(v);
	memcpy(v->b->wbuf, src, len);
	v->bss->pid = pid;
	v->bss->addr = addr;
	v->bss->len = len;
	v->bss->flags = force ? VMS_WRITE_FORCE : 0;
	v->bss->wflags = (old || new_) ? VMEM_W_SHOW : 0;
	err = run(v, P_WRITE);
	if (err)
		return err;
	if (old && old_n) {
		*old_n = v->bss->ret_old;
		if (*old_n > 0)
			memcpy(old, v->b->wold, *old_n);
	}
	if (new_ && new_n) {
		*new_n = v->bss->ret_new;
		if (*new_n > 0)
			memcpy(new_, v->b->wnew, *new_n);
	}
	return v->bss->ret;
}

ssize_t vmem_cmpxchg(struct vmem *v, pid_t pid, uint64_t addr, const void *old,
		     const void *new_, size_t len, bool force)
{
	int err;

	if (!len || len > VMEM_WBUF_SIZE)
		return -E2BIG;
	memcpy(buf_for_write(v), old, len);
	memcpy(v->b->buf + len, new_, len);
	v->bss->pid = pid;
	v->bss->addr = addr;
	v->bss->len = len;
	v->bss->flags = force ? VMS_WRITE_FORCE : 0;
	v->bss->wflags = 0;
	err = run(v, P_CMPXCHG);
	return err ? err : v->bss->ret;
}

ssize_t vmem_swap(struct vmem *v, pid_t pid, uint64_t addr, const void *new_, size_t len,
		  bool force, void *old, ssize_t *old_n, void *now, ssize_t *now_n)
{
	int err;

	*old_n = 0;
	if (now_n)
		*now_n = 0;
	if (!len || len > VMEM_WBUF_SIZE)
		return -E2BIG;
	memcpy((unsigned char *)buf_for_write(v) + len, new_, len);
	v->bss->pid = pid;
	v->bss->addr = addr;
	v->bss->len = len;
	v->bss->flags = force ? VMS_WRITE_FORCE : 0;
	v->bss->wflags = VMEM_W_OLD | (now ? VMEM_W_SHOW : 0);
	v->bss->ret_old = 0;
	v->bss->ret_new = 0;
	err = run(v, P_CMPXCHG);
	v->bss->wflags = 0;
	if (err)
		return err;
	*old_n = v->bss->ret_old;
	if (*old_n > 0)
		memcpy(old, v->b->buf, *old_n < (ssize_t)len ? (size_t)*old_n : len);
	if (v->bss->ret >= 0 && now && now_n) {
		*now_n = v->bss->ret_new;
		if (*now_n > 0)
			memcpy(now, v->b->wnew, *now_n < (ssize_t)len ? (size_t)*now_n : len);
	}
	return v->bss->ret;
}

int vmem_sharers(struct vmem *v, pid_t pid, uint64_t addr, const struct vms_share **hdr,
		 const struct vms_sharer **recs)
{
	struct vms_share *h = buf_for_write(v);
	int err;

	memset(h, 0, sizeof(*h));
	h->addr = addr;
	h->max = (VMEM_BUF_SIZE - sizeof(*h)) / sizeof(struct vms_sharer);
	v->bss->pid = pid;
	err = run(v, P_SHARERS);
	if (err)
		return err;
	if (v->bss->ret < 0)
		return v->bss->ret;
	if (h->n > h->max)
		return -EPROTO;
	*hdr = h;
	*recs = (const struct vms_sharer *)(h + 1);
	return (int)v->bss->ret;
}
