// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vmalist.h"
#include "vma.skel.h"
#include "maps_text.skel.h"

/* Records the fast path can hold per pass; larger listings resume. */
#define FAST_CAP 16384

struct vma_bpf {
	struct vma *skel;		/* binary records */
	struct maps_text *text;		/* /proc/PID/maps text */
	const struct vms_vma *out;	/* the fast path's mmapped output array */
	size_t out_len;
};

struct vma_bpf *vmalist_open(int want_records, int want_text, int *err)
{
	struct vma_bpf *obj = calloc(1, sizeof(*obj));

	*err = 0;
	if (!obj) {
		*err = -ENOMEM;
		return NULL;
	}
	if (want_records) {
		obj->skel = vma__open();
		if (!obj->skel) {
			*err = -errno;
			goto err_free;
		}
		bpf_map__set_max_entries(obj->skel->maps.out, FAST_CAP);
		obj->skel->rodata->out_cap = FAST_CAP;
		*err = vma__load(obj->skel);
		if (*err)
			goto err_free;
		obj->out_len = (size_t)FAST_CAP * sizeof(struct vms_vma);
		obj->out = mmap(NULL, obj->out_len, PROT_READ, MAP_SHARED,
				bpf_map__fd(obj->skel->maps.out), 0);
		if (obj->out == MAP_FAILED) {
			*err = -errno;
			obj->out = NULL;
			goto err_free;
		}
	}
	if (want_text) {
		obj->text = maps_text__open_and_load();
		if (!obj->text) {
			*err = -errno;
			goto err_free;
		}
	}
	return obj;

err_free:
	vmalist_close(obj);
	return NULL;
}

void vmalist_close(struct vma_bpf *obj)
{
	if (!obj)
		return;
	if (obj->out)
		munmap((void *)obj->out, obj->out_len);
	maps_text__destroy(obj->text);
	vma__destroy(obj->skel);
	free(obj);
}

static struct bpf_link *attach(struct bpf_program *prog, pid_t pid)
{
	union bpf_iter_link_info linfo;
	LIBBPF_OPTS(bpf_iter_attach_opts, opts);

	memset(&linfo, 0, sizeof(linfo));
	if (pid > 0) {
		linfo.task.pid = pid;
		opts.link_info = &linfo;
		opts.link_info_len = sizeof(linfo);
	}
	return bpf_program__attach_iter(prog, &opts);
}

static int grow(struct vmalist *l, size_t want)
{
	struct vms_vma *v;
	size_t cap;

	if (l->cap - l->n >= want)
		return 0;
	cap = l->cap ? l->cap * 2 : 256;
	while (cap - l->n < want)
		cap *= 2;
	v = realloc(l->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	l->cap = cap;
	return 0;
}

/* Run an iterator link to its end; the output is discarded or appended. */
static int run_iter(struct bpf_program *prog, pid_t pid, struct vmalist *out)
{
	struct bpf_link *link;
	size_t got = 0;	/* bytes of the record being filled */
	int fd, err = 0;
	ssize_t n;

	link = attach(prog, pid);
	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		goto out_link;
	}
	for (;;) {
		char *dst, sink[64];
		size_t room;

		if (out) {
			err = grow(out, 64);
			if (err)
				break;
			dst = (char *)(out->v + out->n) + got;
			room = (out->cap - out->n) * sizeof(*out->v) - got;
		} else {
			dst = sink;
			room = sizeof(sink);
		}
		n = read(fd, dst, room);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		if (out) {
			got += n;
			out->n += got / sizeof(*out->v);
			got %= sizeof(*out->v);
		}
	}
	if (!err && got)
		err = -EPROTO;	/* a partial record: never guess at it */
	close(fd);
out_link:
	bpf_link__destroy(link);
	return err;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct vms_vma *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

int vmalist_collect(struct vma_bpf *obj, pid_t pid, struct vmalist *out)
{
	struct vma__bss *bss = obj->skel->bss;
	size_t first = out->n;
	bool fallback_all = false;
	__u32 i, nbusy;
	int err;

	bss->resume_tgid = 0;
	bss->resume_addr = 0;
	do {
		bss->nr_out = 0;
		bss->full = 0;
		bss->nr_busy = 0;
		bss->nr_busy_lost = 0;
		err = run_iter(obj->skel->progs.vma_fast, pid, NULL);
		if (err)
			return err;
		err = grow(out, bss->nr_out);
		if (err)
			return err;
		memcpy(out->v + out->n, obj->out, bss->nr_out * sizeof(*out->v));
		out->n += bss->nr_out;
		nbusy = bss->nr_busy;
		if (bss->nr_busy_lost)
			fallback_all = true;
		/* A contended mmap_lock: list that process the waiting way. */
		for (i = 0; i < nbusy && !fallback_all; i++) {
			err = run_iter(obj->skel->progs.vma_records, bss->busy_pids[i], out);
			if (err && err != -ESRCH && err != -ENOENT)
				return err;
		}
	} while (bss->full);
	if (fallback_all) {
		out->n = first;
		return run_iter(obj->skel->progs.vma_records, pid, out);
	}
	if (pid == 0 && out->n > first)
		qsort(out->v + first, out->n - first, sizeof(*out->v), cmp_pid);
	return 0;
}

void vmalist_free(struct vmalist *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int vmalist_pin_text(struct vma_bpf *obj, pid_t pid, const char *path)
{
	struct bpf_link *link;
	int err;

	link = attach(obj->text->progs.vma_maps_text, pid);
	if (!link)
		return -errno;
	err = bpf_link__pin(link, path);
	bpf_link__destroy(link);	/* the pin keeps the link alive */
	return err;
}

void vma_perms(const struct vms_vma *r, char perms[5])
{
	perms[0] = r->vm_flags & VMS_VM_READ ? 'r' : '-';
	perms[1] = r->vm_flags & VMS_VM_WRITE ? 'w' : '-';
	perms[2] = r->vm_flags & VMS_VM_EXEC ? 'x' : '-';
	perms[3] = r->vm_flags & VMS_VM_MAYSHARE ? 's' : 'p';
	perms[4] = 0;
}

/* seq_path(..., "\n") in the kernel escapes newlines as \012. */
static size_t escape_name(const char *in, char *out, size_t sz)
{
	size_t o = 0;

	for (; *in && o + 5 < sz; in++) {
		if (*in == '\n') {
			memcpy(out + o, "\\012", 4);
			o += 4;
		} else {
			out[o++] = *in;
		}
	}
	out[o] = 0;
	return o;
}

int vma_format_maps(const struct vms_vma *r, char *buf, size_t sz)
{
	char perms[5], name[4 * VMS_NAME_LEN + 1];
	int n;

	vma_perms(r, perms);
	n = snprintf(buf, sz, "%08llx-%08llx %s %08llx %02x:%02x %llu ",
		     (unsigned long long)r->start, (unsigned long long)r->end, perms,
		     (unsigned long long)r->pgoff, r->dev >> 20, r->dev & 0xfffff,
		     (unsigned long long)r->ino);
	if (n < 0 || (size_t)n >= sz)
		return -ENOSPC;
	if (r->name[0]) {
		if (r->name_kind == VMS_NAME_FILE)
			escape_name(r->name, name, sizeof(name));
		else
			snprintf(name, sizeof(name), "%s", r->name);
		n += snprintf(buf + n, sz - n, "%*s%s", n < 72 ? 72 - n + 1 : 1, " ", name);
	}
	return n;
}
