// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vmalist.h"
#include "common.h"
#include "vma.skel.h"
#include "maps_text.skel.h"

/* Records the fast path holds per pass; larger listings take more passes. */
#define FAST_CAP 16384
#define STRTAB_LEN ((size_t)VMS_STR_CHUNK * VMS_STR_CHUNKS)

struct vma_bpf {
	struct vma *skel;		/* records */
	struct maps_text *text;		/* /proc/PID/maps text */
	const struct vms_vma *out;	/* mmapped: the fast path's records */
	const char *strtab;		/* mmapped: names and comms */
	bool force_seq;
};

struct vma_bpf *vmalist_open(int want_records, int want_text, int *err)
{
	struct vma_bpf *obj = calloc(1, sizeof(*obj));
	void *p;

	*err = 0;
	if (!obj) {
		*err = -ENOMEM;
		return NULL;
	}
	obj->force_seq = getenv("VMSCOPE_PATH") && !strcmp(getenv("VMSCOPE_PATH"), "seq");
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
		p = mmap(NULL, FAST_CAP * sizeof(struct vms_vma), PROT_READ, MAP_SHARED,
			 bpf_map__fd(obj->skel->maps.out), 0);
		if (p == MAP_FAILED) {
			*err = -errno;
			goto err_free;
		}
		obj->out = p;
		p = mmap(NULL, STRTAB_LEN, PROT_READ, MAP_SHARED,
			 bpf_map__fd(obj->skel->maps.strtab), 0);
		if (p == MAP_FAILED) {
			*err = -errno;
			goto err_free;
		}
		obj->strtab = p;
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
	if (obj->strtab)
		munmap((void *)obj->strtab, STRTAB_LEN);
	if (obj->out)
		munmap((void *)obj->out, FAST_CAP * sizeof(struct vms_vma));
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

static int grow_str(struct vmalist *l, size_t want)
{
	size_t cap;
	char *s;

	if (l->str_cap - l->str_len >= want)
		return 0;
	cap = l->str_cap ? l->str_cap * 2 : 65536;
	while (cap - l->str_len < want)
		cap *= 2;
	s = realloc(l->str, cap);
	if (!s)
		return -ENOMEM;
	l->str = s;
	l->str_cap = cap;
	return 0;
}

/* Run an iterator link to its end; its output is appended to out (if any). */
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
			err = grow(out, 128);
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
		} else {
			err = -EPROTO;	/* the fast path writes nothing here */
			break;
		}
	}
	if (!err && got)
		err = -EPROTO;	/* a partial record: never guess at it */
	close(fd);
out_link:
	bpf_link__destroy(link);
	return err;
}

/*
 * One pass of prog.  The fast path's records come from the mmapped array,
 * the fallback's through read(); either way their string offsets are
 * rebased onto the list's own copy of the string table.
 */
static int pass(struct vma_bpf *obj, bool fast, pid_t pid, struct vmalist *out)
{
	struct vma__bss *bss = obj->skel->bss;
	size_t first = out->n, base = out->str_len, i;
	int err;

	bss->nr_out = 0;
	bss->str_pos = 0;
	bss->full = 0;
	bss->last_file = 0;
	bss->comm_tgid = 0;
	bss->nr_busy = 0;
	bss->nr_busy_lost = 0;
	if (fast) {
		err = run_iter(obj->skel->progs.vma_fast, pid, NULL);
		if (err)
			return err;
		err = grow(out, bss->nr_out);
		if (err)
			return err;
		memcpy(out->v + out->n, obj->out, bss->nr_out * sizeof(*out->v));
		out->n += bss->nr_out;
	} else {
		err = run_iter(obj->skel->progs.vma_records, pid, out);
		if (err)
			return err;
	}
	if (bss->str_pos > STRTAB_LEN)
		return -EPROTO;
	err = grow_str(out, bss->str_pos);
	if (err)
		return err;
	memcpy(out->str + base, obj->strtab, bss->str_pos);
	out->str_len += bss->str_pos;
	for (i = first; i < out->n; i++) {
		out->v[i].name_off += base;
		out->v[i].comm_off += base;
	}
	return 0;
}

/* The fallback: iter/task_vma waits for a contended mmap_lock. */
static int collect_slow(struct vma_bpf *obj, pid_t pid, struct vmalist *out)
{
	struct vma__bss *bss = obj->skel->bss;
	int err;

	bss->resume_tgid = 0;
	bss->resume_addr = 0;
	do {
		err = pass(obj, false, pid, out);
	} while (!err && bss->full);
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
	size_t first = out->n, first_str = out->str_len;
	__u32 busy[64], nbusy, i, rt;
	bool lost = false, any_busy = false;
	__u64 ra;
	int err;

	/* VMSCOPE_PATH=seq forces the fallback path (tests, comparisons). */
	if (obj->force_seq)
		return collect_slow(obj, pid, out);
	bss->resume_tgid = 0;
	bss->resume_addr = 0;
	do {
		err = pass(obj, true, pid, out);
		if (err)
			return err;
		nbusy = bss->nr_busy < 64 ? bss->nr_busy : 64;
		memcpy(busy, bss->busy_pids, nbusy * sizeof(busy[0]));
		lost |= bss->nr_busy_lost != 0;
		if (bss->full || nbusy) {
			rt = bss->resume_tgid;
			ra = bss->resume_addr;
			for (i = 0; i < nbusy && !lost; i++) {
				err = collect_slow(obj, busy[i], out);
				if (err && err != -ESRCH && err != -ENOENT)
					return err;
				any_busy = true;
			}
			bss->full = rt != 0;
			bss->resume_tgid = rt;
			bss->resume_addr = ra;
		}
	} while (bss->full);
	if (lost) {
		out->n = first;
		out->str_len = first_str;
		return collect_slow(obj, pid, out);
	}
	if (any_busy && out->n > first)
		qsort(out->v + first, out->n - first, sizeof(*out->v), cmp_pid);
	return 0;
}

void vmalist_reset(struct vmalist *l)
{
	l->n = 0;
	l->str_len = 0;
}

void vmalist_free(struct vmalist *l)
{
	free(l->v);
	free(l->str);
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

int vma_format_maps(const struct vmalist *l, const struct vms_vma *r, char *buf, size_t sz)
{
	const char *name = vma_name_of(l, r);
	char perms[5];
	size_t o;
	int n;

	vm_flags_perms(r->vm_flags, perms);
	n = snprintf(buf, sz, "%08llx-%08llx %s %08llx %02x:%02x %llu ",
		     (unsigned long long)r->start, (unsigned long long)r->end, perms,
		     (unsigned long long)r->pgoff, r->dev >> 20, r->dev & 0xfffff,
		     (unsigned long long)r->ino);
	if (n < 0 || (size_t)n >= sz)
		return -ENOSPC;
	if (!*name)
		return n;
	/* seq_pad(): the name starts in column 73, after at least one space */
	o = n;
	do {
		if (o + 1 >= sz)
			return -ENOSPC;
		buf[o++] = ' ';
	} while (o < 73);
	/* seq_path(..., "\n") escapes newlines in file names as \012 */
	for (; *name; name++) {
		if (o + 5 >= sz)
			return -ENOSPC;
		if (*name == '\n' && r->name_kind == VMS_NAME_FILE) {
			memcpy(buf + o, "\\012", 4);
			o += 4;
		} else {
			buf[o++] = *name;
		}
	}
	buf[o] = 0;
	return o;
}
