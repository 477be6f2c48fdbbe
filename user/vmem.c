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
#include "vmem_api.h"
#include "vmem.lskel.h"

struct vmem {
	struct vmem_bpf *skel;
	struct vmem_bpf__bss *bss;	/* arguments and results */
	struct vmem_bufs *b;		/* data */
};

struct vmem *vmem_open(int *err)
{
	struct vmem *v = calloc(1, sizeof(*v));
	void *m;

	if (!v) {
		*err = -ENOMEM;
		return NULL;
	}
	v->skel = vmem_bpf__open();
	*err = v->skel ? vmem_bpf__load(v->skel) : -errno;
	if (*err)
		goto fail;
	m = mmap(NULL, sizeof(struct vmem_bufs), PROT_READ | PROT_WRITE,
		 MAP_SHARED, v->skel->maps.bufs.map_fd, 0);
	if (m == MAP_FAILED) {
		*err = -errno;
		goto fail;
	}
	v->b = m;
	v->bss = v->skel->bss;
	return v;
fail:
	vmem_bpf__destroy(v->skel);
	free(v);
	return NULL;
}

int vmem_abi(struct vmem *v)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	if (bpf_prog_test_run_opts(v->skel->progs.abi.prog_fd, &opts))
		return -errno;
	return v->bss->ret;
}

void vmem_close(struct vmem *v)
{
	if (!v)
		return;
	if (v->b)
		munmap(v->b, sizeof(struct vmem_bufs));
	vmem_bpf__destroy(v->skel);
	free(v);
}

static int run_once(struct bpf_prog_desc *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int err = bpf_prog_test_run_opts(prog->prog_fd, &opts);

	return err ? -errno : 0;
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
static int run(struct vmem *v, struct bpf_prog_desc *prog)
{
	double deadline = 0;
	useconds_t pause = 50;
	int err;

	for (;;) {
		err = run_once(prog);
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

struct vms_vmainfo *vmem_find_recs(struct vmem *v)
{
	return (struct vms_vmainfo *)(v->b->buf + sizeof(struct vms_find));
}

int vmem_find_run(struct vmem *v, pid_t pid, size_t n, unsigned int flags)
{
	struct vms_find *h = (struct vms_find *)v->b->buf;
	int err;

	if (!n || n > VMEM_FIND_BATCH)
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	h->n = n;
	h->flags = flags;
	v->bss->pid = pid;
	err = run(v, &v->skel->progs.find_vmas);
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
		struct vms_walk *b = (struct vms_walk *)v->b->buf;
		size_t i;

		for (i = 0; i < k; i++)
			b[i].addr = w[done + i].addr;
		v->bss->pid = pid;
		v->bss->len = k;
		err = run(v, &v->skel->progs.walk);
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

int vmem_walk_range(struct vmem *v, pid_t pid, uint64_t start, uint64_t end,
		    const struct vms_range **hdr, const struct vms_prec **recs,
		    const struct vms_pdir **dirs)
{
	struct vms_range *r = (struct vms_range *)v->b->buf;
	size_t room = VMEM_BUF_SIZE - sizeof(*r);
	uint32_t max;
	int err;

	/* Records, plus one dir per 512 records and two more. */
	max = (room - 2 * sizeof(struct vms_pdir)) /
	      (sizeof(struct vms_prec) + sizeof(struct vms_pdir) / 512.0);
	while (max && (size_t)max * sizeof(struct vms_prec) +
	       ((max + 511) / 512 + 2) * sizeof(struct vms_pdir) > room)
		max--;
	memset(r, 0, sizeof(*r));
	r->start = start;
	r->end = end;
	r->max_pages = max;
	v->bss->pid = pid;
	err = run(v, &v->skel->progs.walk_range);
	if (err)
		return err;
	if (v->bss->ret < 0)
		return v->bss->ret;
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
	err = run(v, &v->skel->progs.mem_read);
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
	memcpy(v->b->wbuf, src, len);
	v->bss->pid = pid;
	v->bss->addr = addr;
	v->bss->len = len;
	v->bss->flags = force ? VMS_WRITE_FORCE : 0;
	v->bss->wflags = (old || new_) ? VMEM_W_SHOW : 0;
	err = run(v, &v->skel->progs.mem_write);
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
	memcpy(v->b->buf, old, len);
	memcpy(v->b->buf + len, new_, len);
	v->bss->pid = pid;
	v->bss->addr = addr;
	v->bss->len = len;
	v->bss->flags = force ? VMS_WRITE_FORCE : 0;
	err = run(v, &v->skel->progs.mem_cmpxchg);
	return err ? err : v->bss->ret;
}

int vmem_sharers(struct vmem *v, pid_t pid, uint64_t addr, const struct vms_share **hdr,
		 const struct vms_sharer **recs)
{
	struct vms_share *h = (struct vms_share *)v->b->buf;
	int err;

	memset(h, 0, sizeof(*h));
	h->addr = addr;
	h->max = (VMEM_BUF_SIZE - sizeof(*h)) / sizeof(struct vms_sharer);
	v->bss->pid = pid;
	err = run(v, &v->skel->progs.page_sharers);
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
