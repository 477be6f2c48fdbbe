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

/* anon_name exists only with CONFIG_ANON_VMA_NAME. */
struct anon_vma_name___vms {
	char name[0];
} __attribute__((preserve_access_index));

struct vm_area_struct___vms {
	struct anon_vma_name___vms *anon_name;
	struct {} shared;
} __attribute__((preserve_access_index));

static __always_inline const char *vma_anon_name(struct vm_area_struct *vma, bool has_file)
{
	struct vm_area_struct___vms *v = (void *)vma;
	struct anon_vma_name___vms *an;

	if (!bpf_core_field_exists(v->anon_name))
		return 0;
	/* Before 6.2, anon_name shares a union with the file-only 'shared'. */
	if (has_file && bpf_core_field_exists(v->shared) &&
	    bpf_core_field_offset(v->anon_name) == bpf_core_field_offset(v->shared))
		return 0;
	an = BPF_CORE_READ(v, anon_name);
	if (!an)
		return 0;
	return (const char *)an + bpf_core_field_offset(an->name);
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
 * Fill buf (sz bytes) with the name of vma (of mm; file: vma->vm_file as
 * a BTF pointer, for bpf_d_path()).  Returns the length without NUL (0: no
 * name) and sets *kind and adds to *rflags.
 */
static __always_inline int vma_name(struct vm_area_struct *vma, struct mm_struct *mm,
				    struct file *file, char *buf, __u32 sz, __u32 *kind,
				    __u32 *rflags)
{
	const char *an;
	long n;

	buf[0] = 0;
	an = vma_anon_name(vma, file != 0);
	if (file) {
		if (an) {
			*kind = VMS_NAME_ANON_SHMEM;
			return vma_fmt_anon(buf, sz, "[anon_shmem:%s]", an);
		}
		*kind = VMS_NAME_FILE;
		n = bpf_d_path(&file->f_path, buf, sz);
		if (n < 0) {
			*rflags |= n == -ENAMETOOLONG ? VMS_R_NAME_TRUNC : VMS_R_NAME_ERR;
			buf[0] = 0;
			return 0;
		}
		return n > 0 ? n - 1 : 0;
	}
	/*
	 * A file-less VMA whose vm_ops have a name() is a special mapping
	 * ([vdso], [vvar], [uprobes]): special_mapping_vmops is the only such
	 * vm_ops in the VMA tree (the [vsyscall] gate VMA is not in it).  Its
	 * vm_private_data is the struct vm_special_mapping with the name.
	 * Comparing with &special_mapping_name would need an untyped ksym,
	 * which makes libbpf read all of /proc/kallsyms on every load.
	 */
	if (BPF_CORE_READ(vma, vm_ops, name)) {
		const struct vm_special_mapping *sm = BPF_CORE_READ(vma, vm_private_data);
		const char *s = 0;

		bpf_probe_read_kernel(&s, sizeof(s), &sm->name);
		n = s ? bpf_probe_read_kernel_str(buf, sz, s) : 0;
		if (n > 1) {
			*kind = VMS_NAME_SPECIAL;
			return n - 1;
		}
		buf[0] = 0;
	}
	if (!mm) {
		*kind = VMS_NAME_SPECIAL;
		__builtin_memcpy(buf, "[vdso]", 7);
		return 6;
	}
	if (vma->vm_start < BPF_CORE_READ(mm, brk) && vma->vm_end > BPF_CORE_READ(mm, start_brk)) {
		*kind = VMS_NAME_HEAP;
		__builtin_memcpy(buf, "[heap]", 7);
		return 6;
	}
	if (vma->vm_start <= BPF_CORE_READ(mm, start_stack) &&
	    vma->vm_end >= BPF_CORE_READ(mm, start_stack)) {
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
