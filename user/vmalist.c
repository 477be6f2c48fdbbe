// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vmalist.h"
#include "vma.skel.h"
#include "maps_text.skel.h"

struct vma_bpf {
	struct vma *skel;		/* binary records */
	struct maps_text *text;		/* /proc/PID/maps text */
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
		obj->skel = vma__open_and_load();
		if (!obj->skel) {
			*err = -errno;
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

int vmalist_collect(struct vma_bpf *obj, pid_t pid, struct vmalist *out)
{
	struct bpf_link *link;
	size_t got = 0;	/* bytes of the record being filled */
	int fd, err = 0;
	ssize_t n;

	link = attach(obj->skel->progs.vma_records, pid);
	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		goto out_link;
	}
	for (;;) {
		char *dst;

		err = grow(out, 64);
		if (err)
			break;
		dst = (char *)(out->v + out->n) + got;
		n = read(fd, dst, (out->cap - out->n) * sizeof(*out->v) - got);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		got += n;
		out->n += got / sizeof(*out->v);
		got %= sizeof(*out->v);
	}
	if (!err && got)
		err = -EPROTO;	/* a partial record: never guess at it */
	close(fd);
out_link:
	bpf_link__destroy(link);
	return err;
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
