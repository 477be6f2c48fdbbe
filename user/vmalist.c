// SPDX-License-Identifier: GPL-2.0
/*
 * VMA listings from the iterators in bpf/: the fast path (vma_fast, the
 * open-coded task_vma iterator, Linux 6.7+) and the task_vma iterator
 * (vma_seq, every kernel), which also lists the processes whose mmap_lock
 * the fast path found contended.  Both are light skeletons: the kernel does
 * their CO-RE relocations, so nothing here parses the kernel's BTF.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include "vmalist.h"
#include "common.h"
#include "vma_fast.lskel.h"
#include "vma_seq.lskel.h"
#include "maps_text.lskel.h"

struct vma_bpf {
	struct vma_fast *fast;		/* NULL: not on this kernel, or not wanted */
	struct vma_seq *seq;		/* loaded when first needed */
	struct maps_text *text;
	const struct vms_vma *out;	/* mmapped: the fast path's records */
	const char *fast_str, *seq_str;	/* mmapped string tables */
	size_t out_cap, str_chunks;
	bool force_seq;
	int fast_err;			/* why there is no fast path */
};

static size_t str_len_of(const struct vma_bpf *o)
{
	return o->str_chunks * VMS_STR_CHUNK;
}

static void *map_mmap(int fd, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int open_fast(struct vma_bpf *o)
{
	struct vma_fast *s = vma_fast__open();
	int err;

	if (!s)
		return -errno;
	s->maps.out.max_entries = o->out_cap;
	s->rodata->out_cap = o->out_cap;
	s->maps.strtab.max_entries = o->str_chunks;
	s->rodata->str_chunks = o->str_chunks;
	err = vma_fast__load(s);
	if (err) {
		vma_fast__destroy(s);
		return err;
	}
	o->out = map_mmap(s->maps.out.map_fd, o->out_cap * sizeof(struct vms_vma));
	o->fast_str = map_mmap(s->maps.strtab.map_fd, str_len_of(o));
	o->fast = s;
	if (!o->out || !o->fast_str)
		return -errno;
	return 0;
}

static int open_seq(struct vma_bpf *o)
{
	struct vma_seq *s;
	int err;

	if (o->seq)
		return 0;
	s = vma_seq__open();
	if (!s)
		return -errno;
	s->maps.strtab.max_entries = o->str_chunks;
	s->rodata->str_chunks = o->str_chunks;
	err = vma_seq__load(s);
	if (err) {
		vma_seq__destroy(s);
		return err;
	}
	o->seq = s;
	o->seq_str = map_mmap(s->maps.strtab.map_fd, str_len_of(o));
	return o->seq_str ? 0 : -errno;
}

struct vma_bpf *vmalist_open(unsigned int flags, int *err)
{
	struct vma_bpf *o = calloc(1, sizeof(*o));
	const char *path = getenv("VMSCOPE_PATH");

	*err = 0;
	if (!o) {
		*err = -ENOMEM;
		return NULL;
	}
	/* VMSCOPE_PATH=seq|fast forces a path (tests, comparisons). */
	o->force_seq = path && !strcmp(path, "seq");
	if (path && !strcmp(path, "fast"))
		flags |= VMALIST_FAST;
	/* One process fits small buffers; every process gets bigger ones. */
	o->out_cap = flags & VMALIST_ALL ? VMS_FAST_CAP : 4096;
	o->str_chunks = flags & VMALIST_ALL ? 16 : 4;
	if (flags & VMALIST_RECORDS) {
		o->fast_err = o->force_seq || !(flags & VMALIST_FAST) ? -ENOTSUP : open_fast(o);
		if (o->fast_err) {
			/* No open-coded iterator (before 6.7): the seq path does it all. */
			if (o->fast) {
				*err = o->fast_err;
				goto err_free;
			}
			*err = open_seq(o);
			if (*err) {
				/* Report the fast path's reason if both fail alike. */
				if (!o->force_seq && *err != -EPERM)
					*err = o->fast_err;
				goto err_free;
			}
		}
	}
	if (flags & VMALIST_TEXT) {
		struct maps_text *t = maps_text__open();

		if (!t) {
			*err = -errno;
			goto err_free;
		}
		t->rodata->vsyscall_flags = vsyscall_vm_flags();
		*err = maps_text__load(t);
		if (*err) {
			maps_text__destroy(t);
			goto err_free;
		}
		o->text = t;
	}
	return o;

err_free:
	vmalist_close(o);
	return NULL;
}

void vmalist_close(struct vma_bpf *o)
{
	if (!o)
		return;
	if (o->seq_str)
		munmap((void *)o->seq_str, str_len_of(o));
	if (o->fast_str)
		munmap((void *)o->fast_str, str_len_of(o));
	if (o->out)
		munmap((void *)o->out, o->out_cap * sizeof(struct vms_vma));
	maps_text__destroy(o->text);
	vma_seq__destroy(o->seq);
	vma_fast__destroy(o->fast);
	free(o);
}

bool vmalist_fast(const struct vma_bpf *o)
{
	return o->fast != NULL;
}

/* An iterator link of prog over every process (pid 0) or one. */
static int iter_link(int prog_fd, pid_t pid)
{
	union bpf_iter_link_info linfo;
	LIBBPF_OPTS(bpf_link_create_opts, opts);

	memset(&linfo, 0, sizeof(linfo));
	if (pid > 0) {
		linfo.task.pid = pid;
		opts.iter_info = &linfo;
		opts.iter_info_len = sizeof(linfo);
	}
	return bpf_link_create(prog_fd, 0, BPF_TRACE_ITER, &opts);
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

/*
 * Run an iterator to its end.  out == NULL: it must write nothing (the fast
 * path); otherwise its fixed-size records are appended to out, read in
 * whole records (a partial record at the end is an error, never a guess).
 */
static int run_iter(int prog_fd, pid_t pid, struct vmalist *out)
{
	size_t got = 0;	/* bytes of the record being filled */
	int link, fd, err = 0;
	ssize_t n;

	link = iter_link(prog_fd, pid);
	if (link < 0)
		return link;
	fd = bpf_iter_create(link);
	if (fd < 0) {
		err = fd;
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
		if (!out) {
			err = -EPROTO;	/* the fast path writes nothing here */
			break;
		}
		got += n;
		out->n += got / sizeof(*out->v);
		got %= sizeof(*out->v);
	}
	if (!err && got)
		err = -EPROTO;
	close(fd);
out_link:
	close(link);
	return err;
}

/* The per-pass state both programs share (vma_rec.bpf.h), reset. */
#define RESET_PASS(bss) do {			\
	(bss)->str_pos = 0;			\
	(bss)->full = 0;			\
	(bss)->last_file = 0;			\
	(bss)->comm_tgid = 0;			\
} while (0)

/* Copy a pass's strings into l and rebase the records [first, l->n). */
static int take_strings(struct vmalist *l, size_t first, const char *str, size_t len,
			size_t room)
{
	size_t base = l->str_len, i;
	int err;

	if (len > room)
		return -EPROTO;
	err = grow_str(l, len);
	if (err)
		return err;
	memcpy(l->str + base, str, len);
	l->str_len += len;
	for (i = first; i < l->n; i++) {
		l->v[i].name_off += base;
		l->v[i].comm_off += base;
	}
	return 0;
}

/* One process (or all) through the seq path, in as many passes as needed. */
static int collect_seq(struct vma_bpf *o, pid_t pid, struct vmalist *out)
{
	struct vma_seq__bss *bss;
	int err = open_seq(o);

	if (err)
		return err;
	bss = o->seq->bss;
	bss->resume_tgid = 0;
	bss->resume_addr = 0;
	do {
		size_t first = out->n;

		RESET_PASS(bss);
		err = run_iter(o->seq->progs.vma_records.prog_fd, pid, out);
		if (!err)
			err = take_strings(out, first, o->seq_str, bss->str_pos, str_len_of(o));
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

__u64 vsyscall_vm_flags(void)
{
	static int done;
	static __u64 flags;
	char line[256];
	FILE *f;

	if (done)
		return flags;
	done = 1;
	f = fopen("/proc/self/maps", "re");
	while (f && fgets(line, sizeof(line), f)) {
		char perms[8];

		if (!strstr(line, " [vsyscall]") || sscanf(line, "%*s %7s", perms) != 1)
			continue;
		flags = (perms[0] == 'r' ? VMS_VM_READ : 0) | (perms[1] == 'w' ? VMS_VM_WRITE : 0) |
			(perms[2] == 'x' ? VMS_VM_EXEC : 0);
	}
	if (f)
		fclose(f);
	return flags;
}

/*
 * /proc/PID/maps ends with the gate VMA, which no iterator visits: add it
 * after the last record of each process whose mm has it.
 */
static int add_vsyscall(struct vmalist *l, size_t first)
{
	static const char name[] = "[vsyscall]";
	__u64 flags = vsyscall_vm_flags();
	size_t i, groups = 0, o;
	struct vms_vma *v;
	__u32 off;

	if (!flags)
		return 0;
	for (i = first; i < l->n; i++)
		if ((l->v[i].rflags & VMS_R_MM_VSYSCALL) &&
		    (i + 1 == l->n || l->v[i + 1].pid != l->v[i].pid))
			groups++;
	if (!groups)
		return 0;
	if (grow(l, groups) || grow_str(l, sizeof(name)))
		return -ENOMEM;
	off = l->str_len;
	memcpy(l->str + off, name, sizeof(name));
	l->str_len += sizeof(name);
	/* Spread from the end, so every record moves once. */
	v = l->v;
	o = l->n + groups;
	for (i = l->n; i-- > first;) {
		if ((v[i].rflags & VMS_R_MM_VSYSCALL) &&
		    (i + 1 == l->n || v[i + 1].pid != v[i].pid)) {
			struct vms_vma *g = &v[--o];

			memset(g, 0, sizeof(*g));
			g->start = VMS_VSYSCALL_START;
			g->end = VMS_VSYSCALL_END;
			g->vm_flags = flags;
			g->pid = v[i].pid;
			g->comm_off = v[i].comm_off;
			g->name_off = off;
			g->name_len = sizeof(name) - 1;
			g->name_kind = VMS_NAME_SPECIAL;
		}
		v[--o] = v[i];
	}
	l->n += groups;
	return 0;
}

static int collect(struct vma_bpf *o, pid_t pid, struct vmalist *out);

/*
 * The task_vma iterator (the seq path) lets go of mmap_lock when a writer
 * waits for it; on retaking it, it may return a VMA that changed meanwhile
 * and overlaps the one before (kernel/bpf/task_iter.c, "case 4.2"; 6.1's
 * /proc/PID/maps can do the same).  The earlier record is then stale: keep
 * the later one, so that a listing is sorted and never overlaps.
 */
static void drop_stale(struct vmalist *l, size_t first)
{
	size_t k, o = first;

	for (k = first; k < l->n; k++) {
		while (o > first && l->v[o - 1].pid == l->v[k].pid &&
		       l->v[k].start < l->v[o - 1].end)
			o--;
		l->v[o++] = l->v[k];
	}
	l->n = o;
}

int vmalist_collect(struct vma_bpf *o, pid_t pid, struct vmalist *out)
{
	size_t first = out->n;
	int err = collect(o, pid, out);

	if (!err)
		drop_stale(out, first);
	return err ?: add_vsyscall(out, first);
}

static int collect(struct vma_bpf *o, pid_t pid, struct vmalist *out)
{
	struct vma_fast__bss *bss;
	size_t first = out->n, first_str = out->str_len;
	__u32 busy[64], nbusy, i, rt;
	bool lost = false, any_busy = false;
	__u64 ra;
	int err;

	if (!o->fast)
		return collect_seq(o, pid, out);
	bss = o->fast->bss;
	bss->resume_tgid = 0;
	bss->resume_addr = 0;
	do {
		size_t n;

		RESET_PASS(bss);
		bss->nr_out = 0;
		bss->nr_busy = 0;
		bss->nr_busy_lost = 0;
		err = run_iter(o->fast->progs.vma_fast.prog_fd, pid, NULL);
		if (err)
			return err;
		n = bss->nr_out;
		if (n > o->out_cap)
			return -EPROTO;
		err = grow(out, n);
		if (err)
			return err;
		memcpy(out->v + out->n, o->out, n * sizeof(*out->v));
		out->n += n;
		err = take_strings(out, out->n - n, o->fast_str, bss->str_pos, str_len_of(o));
		if (err)
			return err;
		nbusy = bss->nr_busy < 64 ? bss->nr_busy : 64;
		memcpy(busy, bss->busy_pids, nbusy * sizeof(busy[0]));
		lost |= bss->nr_busy_lost != 0;
		rt = bss->resume_tgid;
		ra = bss->resume_addr;
		/* Processes whose mmap_lock was contended: the seq path waits for it. */
		for (i = 0; i < nbusy && !lost; i++) {
			err = collect_seq(o, busy[i], out);
			if (err && err != -ESRCH && err != -ENOENT)
				return err;
			any_busy = true;
		}
		bss->resume_tgid = rt;
		bss->resume_addr = ra;
	} while (bss->full);
	if (lost) {
		out->n = first;
		out->str_len = first_str;
		return collect_seq(o, pid, out);
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

int vmalist_pin_text(struct vma_bpf *o, pid_t pid, const char *path)
{
	int link, err;

	link = iter_link(o->text->progs.vma_maps_text.prog_fd, pid);
	if (link < 0)
		return link;
	err = bpf_obj_pin(link, path) ? -errno : 0;
	close(link);	/* the pin keeps the link alive */
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
