/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The name column of /proc/PID/maps, rebuilt in BPF.  Mirrors get_vma_name()
 * in fs/proc/task_mmu.c: file path, [anon_shmem:NAME], special mapping name,
 * [heap], [stack], [anon:NAME].  CO-RE keeps it working from 6.1 to 7.x.
 */
#ifndef VMSCOPE_VMA_NAME_BPF_H
#define VMSCOPE_VMA_NAME_BPF_H

#include "vma.h"

#ifndef ENAMETOOLONG
#define ENAMETOOLONG 36
#endif
#ifndef ENOENT
#define ENOENT 2
#endif

/* anon_name exists only with CONFIG_ANON_VMA_NAME. */
struct anon_vma_name___vms {
	char name[0];
} __attribute__((preserve_access_index));

struct vm_area_struct___vms {
	struct anon_vma_name___vms *anon_name;
	struct {} shared;
} __attribute__((preserve_access_index));

/*
 * The fields of a VMA a listing needs, read in one probe read
 * (vms_vsnap_read()); pointers as numbers.  Every listing builds its record
 * and its name from a snapshot, whichever way it found the VMA.
 */
struct vms_vsnap {
	__u64 start, end, flags, pgoff;
	__u64 mm, file, ops, priv, anon;
};

/* Room for the VMA's head up to vm_private_data (104 bytes on 6.18, 128 on 6.1). */
#define VMS_VSNAP_RAW	32

struct vms_vsnap_raw {
	__u64 w[VMS_VSNAP_RAW];
};

/* Per CPU, not on the stack: the listings' call chains are deep. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vms_vsnap_raw);
} vms_vsnap_scratch SEC(".maps");

#define VMS_VOFF(f)	(bpf_core_field_offset(struct vm_area_struct, f) / 8)

/* Read the VMA at address vma; 0, or -1 when it cannot be read. */
static __always_inline int vms_vsnap_read(__u64 vma, struct vms_vsnap *s)
{
	struct vm_area_struct___vms *v = (void *)vma;
	__u32 zero = 0, n = (VMS_VOFF(vm_private_data) + 1) * 8;
	struct vms_vsnap_raw *rw = bpf_map_lookup_elem(&vms_vsnap_scratch, &zero);
	__u64 *raw;

	if (!rw || n > sizeof(*rw))
		return -1;	/* the latter: a layout this object does not know */
	raw = rw->w;
	if (bpf_probe_read_kernel(raw, n, (void *)vma))
		return -1;
	s->start = raw[VMS_VOFF(vm_start)];
	s->end = raw[VMS_VOFF(vm_end)];
	s->mm = raw[VMS_VOFF(vm_mm)];
	s->flags = raw[VMS_VOFF(vm_flags)];
	s->ops = raw[VMS_VOFF(vm_ops)];
	s->pgoff = raw[VMS_VOFF(vm_pgoff)];
	s->file = raw[VMS_VOFF(vm_file)];
	s->priv = raw[VMS_VOFF(vm_private_data)];
	s->anon = 0;
	if (bpf_core_field_exists(v->anon_name)) {
		/* Before 6.2, anon_name shares a union with the file-only 'shared'. */
		if (!(s->file && bpf_core_field_exists(v->shared) &&
		      bpf_core_field_offset(v->anon_name) == bpf_core_field_offset(v->shared)))
			s->anon = (__u64)BPF_CORE_READ(v, anon_name);
	}
	return 0;
}

/* The name string of a snapshot's anon_name (0: none). */
static __always_inline const char *vma_anon_name(const struct vms_vsnap *s)
{
	struct anon_vma_name___vms *an = (void *)s->anon;

	if (!an)
		return 0;
	return (const char *)an + bpf_core_field_offset(an->name);
}

/* What a process's VMAs are named by, read once per process. */
struct vms_mminfo {
	__u64 mm, start_brk, brk, start_stack;
	__u32 rflags;		/* VMS_R_MM_VSYSCALL */
};

/*
 * x86's MM_CONTEXT_HAS_VSYSCALL: get_gate_vma() shows [vsyscall] for this
 * mm.  Other architectures have no [vsyscall] (arm64's mm->context.flags
 * holds other bits).
 */
#define VMS_MM_HAS_VSYSCALL_BIT	1

static __always_inline void vms_mminfo_read(__u64 mmaddr, struct vms_mminfo *m)
{
	struct mm_struct *mm = (void *)mmaddr;

	m->mm = mmaddr;
	m->start_brk = BPF_CORE_READ(mm, start_brk);
	m->brk = BPF_CORE_READ(mm, brk);
	m->start_stack = BPF_CORE_READ(mm, start_stack);
#ifdef __TARGET_ARCH_x86
	m->rflags = BPF_CORE_READ(mm, context.flags) & (1ull << VMS_MM_HAS_VSYSCALL_BIT) ?
		    VMS_R_MM_VSYSCALL : 0;
#else
	m->rflags = 0;
#endif
}

/* Copy "[prefix:NAME]" into buf; returns the length without NUL. */
static __always_inline int vma_fmt_anon(char *buf, __u32 sz, const char *fmt,
					const char *name)
{
	__u64 arg = (__u64)name;
	long n;

	n = bpf_snprintf(buf, sz, fmt, &arg, sizeof(arg));
	return n > 0 ? n - 1 : 0;
}

/*
 * How file mappings are named, chosen by user space before load:
 * VMS_NAMES_D_PATH calls bpf_d_path(), the kernel's own d_path();
 * VMS_NAMES_WALK rebuilds the same string from the dentry and mount
 * chains with probe reads.  Kernels differ in whether their verifier lets
 * an iterator pass vma->vm_file to bpf_d_path() (6.18 does not: the field
 * load gives an untrusted pointer), so the CLI tries d_path first and
 * falls back to the walk; the default is the walk, which loads everywhere
 * (`bpftool iter pin` uses the default).  The branch not taken is dead
 * code to the verifier (rodata is frozen), so a refused helper call in it
 * is never checked.
 */
const volatile __u32 name_route = VMS_NAMES_WALK;

/*
 * FMODE_BACKING of this kernel (0: no backing files, or unknown).  Since
 * 6.8 /proc/PID/maps names an overlayfs or FUSE-passthrough mapping by
 * file_user_path(): the path the user opened (backing_file->user_path),
 * not vm_file->f_path, the file underneath.  The bit is a macro, absent
 * from BTF, and moved (1 << 25 until 6.11, 1 << 24 from 6.12), so user
 * space sets it from the release; a backing file is also checked to look
 * like one before its user_path is trusted.
 */
const volatile __u32 fmode_backing = 0;

/* The pseudo file systems whose dentries name themselves (d_op->d_dname). */
#define VMS_ANON_INODE_FS_MAGIC	0x09041934
#define VMS_PIPEFS_MAGIC	0x50495045
#define VMS_SOCKFS_MAGIC	0x534F434B
#define VMS_DMA_BUF_MAGIC	0x444d4142
#define VMS_PID_FS_MAGIC	0x50494446

/* A path is built backwards, ending at VMS_NAME_MAX; twice that is room
 * for the verifier to bound a write of up to VMS_NAME_MAX - 1 bytes. */
struct vms_path_buf {
	char b[2 * VMS_NAME_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vms_path_buf);
} vms_path_scratch SEC(".maps");

#define VMS_PW_RUNNING	(-1000)
#define VMS_PW_ESCAPED	3
#define VMS_PW_MAX_STEPS	4096	/* each step adds >= 2 bytes or crosses a mount */

struct vms_pw {
	char *b;
	__u64 dentry;		/* struct dentry * */
	__u64 mnt;		/* struct mount * */
	__u64 root_dentry;	/* the reader's root, as d_path() uses it */
	__u64 root_mnt;		/* struct vfsmount * */
	__u32 pos;		/* the path so far is b[pos, VMS_NAME_MAX) */
	int rc;
};

static __always_inline int vms_pw_prepend(struct vms_pw *c, const void *src, __u32 len)
{
	__u32 pos = c->pos;

	if (len >= VMS_NAME_MAX || len > pos)
		return -1;
	pos -= len;
	c->pos = pos;
	/* Masks the compiler cannot drop, for the verifier's bounds. */
	asm volatile("" : "+r"(pos), "+r"(len));
	bpf_probe_read_kernel(c->b + (pos & (VMS_NAME_MAX - 1)), len & (VMS_NAME_MAX - 1), src);
	return 0;
}

static __always_inline int vms_pw_char(struct vms_pw *c, char ch)
{
	__u32 pos = c->pos;

	if (!pos || pos > VMS_NAME_MAX)
		return -1;
	pos--;
	c->pos = pos;
	asm volatile("" : "+r"(pos));
	c->b[pos & (VMS_NAME_MAX - 1)] = ch;
	return 0;
}

static __always_inline __u64 vms_vfsmnt(__u64 mount)
{
	return mount + bpf_core_field_offset(struct mount, mnt);
}

/* One step of __prepend_path() in fs/d_path.c. */
static long vms_pw_step(__u32 i, struct vms_pw *c)
{
	struct dentry *d = (void *)c->dentry, *parent;
	struct mount *m = (void *)c->mnt;
	const unsigned char *name;
	__u32 len;

	if (c->dentry == c->root_dentry && vms_vfsmnt(c->mnt) == c->root_mnt) {
		c->rc = 0;
		return 1;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (d == BPF_CORE_READ(m, mnt.mnt_root)) {
		struct mount *up = BPF_CORE_READ(m, mnt_parent);

		if (up != m) {
			c->dentry = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
			c->mnt = (__u64)up;
			return 0;
		}
		c->rc = 1;	/* the global root, or a detached tree: keep the path */
		return 1;
	}
	if (parent == d) {
		c->rc = VMS_PW_ESCAPED;
		return 1;
	}
	name = BPF_CORE_READ(d, d_name.name);
	len = BPF_CORE_READ(d, d_name.len);
	if (vms_pw_prepend(c, name, len) || vms_pw_char(c, '/')) {
		c->rc = -ENAMETOOLONG;
		return 1;
	}
	c->dentry = (__u64)parent;
	return 0;
}

/*
 * The name a pseudo file system's d_dname() gives (anon_inodefs_dname,
 * pipefs_dname, sockfs_dname, dmabuffs_dname, pidfs_dname, simple_dname for
 * files made by alloc_file_pseudo()): bpf_snprintf()'s length with the NUL.
 */
static __always_inline long vms_dname(struct dentry *d, char *buf, __u32 sz)
{
	__u64 args[2];
	__u32 magic = BPF_CORE_READ(d, d_sb, s_magic);

	args[0] = (__u64)BPF_CORE_READ(d, d_name.name);
	args[1] = 0;
	switch (magic) {
	case VMS_ANON_INODE_FS_MAGIC:
		return bpf_snprintf(buf, sz, "anon_inode:%s", args, 8);
	case VMS_PIPEFS_MAGIC:
		args[0] = BPF_CORE_READ(d, d_inode, i_ino);
		return bpf_snprintf(buf, sz, "pipe:[%lu]", args, 8);
	case VMS_SOCKFS_MAGIC:
		args[0] = BPF_CORE_READ(d, d_inode, i_ino);
		return bpf_snprintf(buf, sz, "socket:[%lu]", args, 8);
	case VMS_PID_FS_MAGIC:
		return bpf_snprintf(buf, sz, "anon_inode:[pidfd]", args, 0);
	case VMS_DMA_BUF_MAGIC: {
		static const char empty[1];
		struct dma_buf *db = BPF_CORE_READ(d, d_fsdata);

		if (!bpf_core_type_exists(struct dma_buf))
			return -1;
		args[1] = (__u64)BPF_CORE_READ(db, name);
		if (!args[1])
			args[1] = (__u64)empty;
		return bpf_snprintf(buf, sz, "/%s:%s", args, 16);
	}
	default:
		/* simple_dname(), which alloc_file_pseudo() gives files on a
		 * file system without dentry operations of its own (memfd, SysV
		 * shm, MAP_SHARED anonymous memory, aio rings, secretmem) */
		return bpf_snprintf(buf, sz, "/%s (deleted)", args, 8);
	}
}

/*
 * d_path() of (mnt, dentry) into buf (sz bytes, sz >= VMS_NAME_MAX), as
 * fs/d_path.c builds it against the reader's root: the d_dname() of a pseudo
 * file system, else the components up to the root crossing mounts, and
 * " (deleted)" for an unlinked dentry.  Returns the length without the
 * NUL, or -ENAMETOOLONG / -ENOENT.
 */
static __always_inline long vms_path_walk(__u64 vfsmnt, __u64 dentry, char *buf, __u32 sz)
{
	struct task_struct *cur = (void *)bpf_get_current_task();
	struct dentry *d = (void *)dentry;
	const struct dentry_operations *ops;
	struct vms_path_buf *pb;
	struct vms_pw c = {};
	__u32 zero = 0, end;
	long n;

	pb = bpf_map_lookup_elem(&vms_path_scratch, &zero);
	if (!pb)
		return -ENOENT;
	c.mnt = vfsmnt - bpf_core_field_offset(struct mount, mnt);
	ops = BPF_CORE_READ(d, d_op);
	if (ops && BPF_CORE_READ(ops, d_dname) &&
	    (BPF_CORE_READ(d, d_parent) != d ||
	     d != BPF_CORE_READ((struct vfsmount *)vfsmnt, mnt_root))) {
		n = vms_dname(d, buf, sz);
		return n > 0 ? n - 1 : -ENOENT;
	}
	c.b = pb->b;
	c.pos = VMS_NAME_MAX;
	c.dentry = dentry;
	c.root_mnt = (__u64)BPF_CORE_READ(cur, fs, root.mnt);
	c.root_dentry = (__u64)BPF_CORE_READ(cur, fs, root.dentry);
	c.rc = VMS_PW_RUNNING;
	/* d_unlinked(): unhashed and not a root */
	if (!BPF_CORE_READ(d, d_hash.pprev) && BPF_CORE_READ(d, d_parent) != d) {
		__builtin_memcpy(pb->b + VMS_NAME_MAX - 10, " (deleted)", 10);
		c.pos = VMS_NAME_MAX - 10;
	}
	end = c.pos;
	bpf_loop(VMS_PW_MAX_STEPS, vms_pw_step, &c, 0);
	if (c.rc == VMS_PW_RUNNING || c.rc < 0)
		return -ENAMETOOLONG;
	if (c.rc == VMS_PW_ESCAPED)
		c.pos = end;
	if (c.pos == end && vms_pw_char(&c, '/'))
		return -ENAMETOOLONG;
	end = c.pos;
	n = VMS_NAME_MAX - end;
	if (n <= 0 || n >= sz || n >= VMS_NAME_MAX)
		return -ENAMETOOLONG;
	asm volatile("" : "+r"(n), "+r"(end));
	bpf_probe_read_kernel(buf, n & (VMS_NAME_MAX - 1), pb->b + (end & (VMS_NAME_MAX - 1)));
	buf[n & (VMS_NAME_MAX - 1)] = 0;
	return n;
}

/* backing_file->user_path of a backing file, else NULL (fmode_backing). */
static __always_inline struct backing_file *vms_backing(struct file *file)
{
	struct backing_file *bf = (void *)file;
	struct vfsmount *m;
	struct dentry *d;

	if (!fmode_backing || !bpf_core_type_exists(struct backing_file) ||
	    !(BPF_CORE_READ(file, f_mode) & fmode_backing))
		return 0;
	m = BPF_CORE_READ(bf, user_path.mnt);
	d = BPF_CORE_READ(bf, user_path.dentry);
	return m && d && BPF_CORE_READ(m, mnt_sb) == BPF_CORE_READ(d, d_sb) ? bf : 0;
}

/* The inode /proc/PID/maps shows for a file (file_user_inode()). */
static __always_inline struct inode *vms_file_inode(struct file *file)
{
	struct backing_file *bf = vms_backing(file);

	return bf ? BPF_CORE_READ(bf, user_path.dentry, d_inode) : BPF_CORE_READ(file, f_inode);
}

/*
 * The name of a file mapping: bpf_d_path() or the walk (name_route).
 * bfile is the same file as a pointer the verifier trusts (the iterator's
 * vma->vm_file), or NULL where there is none: then the walk.
 */
static __always_inline long vms_file_name(struct file *file, struct file *bfile, char *buf,
					  __u32 sz)
{
	struct backing_file *bf = vms_backing(file);
	long n;

	/* bpf_d_path() cannot be given backing_file->user_path: walk it. */
	if (bf)
		return vms_path_walk((__u64)BPF_CORE_READ(bf, user_path.mnt),
				     (__u64)BPF_CORE_READ(bf, user_path.dentry), buf, sz);
	if (name_route == VMS_NAMES_D_PATH && bfile) {
		n = bpf_d_path(&bfile->f_path, buf, sz);
		return n > 0 ? n - 1 : n;
	}
	return vms_path_walk((__u64)BPF_CORE_READ(file, f_path.mnt),
			     (__u64)BPF_CORE_READ(file, f_path.dentry), buf, sz);
}

/*
 * Fill buf (sz bytes) with the name of the VMA in s, of the process in m
 * (bfile: see vms_file_name()).  Returns the length without NUL (0: no
 * name) and sets *kind and adds to *rflags.
 */
static __always_inline int vma_name(const struct vms_vsnap *s, const struct vms_mminfo *m,
				    struct file *bfile, char *buf, __u32 sz, __u32 *kind,
				    __u32 *rflags)
{
	const struct vm_operations_struct *ops = (void *)s->ops;
	const char *an = vma_anon_name(s);
	long n;

	buf[0] = 0;
	if (s->file) {
		if (an) {
			*kind = VMS_NAME_ANON_SHMEM;
			return vma_fmt_anon(buf, sz, "[anon_shmem:%s]", an);
		}
		*kind = VMS_NAME_FILE;
		n = vms_file_name((struct file *)s->file, bfile, buf, sz);
		if (n < 0) {
			*rflags |= n == -ENAMETOOLONG ? VMS_R_NAME_TRUNC : VMS_R_NAME_ERR;
			buf[0] = 0;
			return 0;
		}
		return n;
	}
	/*
	 * A file-less VMA whose vm_ops have a name() is a special mapping
	 * ([vdso], [vvar], [uprobes]): special_mapping_vmops is the only such
	 * vm_ops in the VMA tree (the [vsyscall] gate VMA is not in it).  Its
	 * vm_private_data is the struct vm_special_mapping with the name.
	 * Comparing with &special_mapping_name would need an untyped ksym,
	 * which makes libbpf read all of /proc/kallsyms on every load.
	 */
	if (ops && BPF_CORE_READ(ops, name)) {
		const struct vm_special_mapping *sm = (void *)s->priv;
		const char *str = 0;

		bpf_probe_read_kernel(&str, sizeof(str), &sm->name);
		n = str ? bpf_probe_read_kernel_str(buf, sz, str) : 0;
		if (n > 1) {
			*kind = VMS_NAME_SPECIAL;
			return n - 1;
		}
		buf[0] = 0;
	}
	if (!m->mm) {
		*kind = VMS_NAME_SPECIAL;
		__builtin_memcpy(buf, "[vdso]", 7);
		return 6;
	}
	if (s->start < m->brk && s->end > m->start_brk) {
		*kind = VMS_NAME_HEAP;
		__builtin_memcpy(buf, "[heap]", 7);
		return 6;
	}
	if (s->start <= m->start_stack && s->end >= m->start_stack) {
		*kind = VMS_NAME_STACK;
		__builtin_memcpy(buf, "[stack]", 8);
		return 7;
	}
	if (an) {
		*kind = VMS_NAME_ANON;
		return vma_fmt_anon(buf, sz, "[anon:%s]", an);
	}
	*kind = VMS_NAME_NONE;
	return 0;
}

#endif /* VMSCOPE_VMA_NAME_BPF_H */
