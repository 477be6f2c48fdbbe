/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The name column of /proc/PID/maps, rebuilt in BPF.  Mirrors get_vma_name()
 * in fs/proc/task_mmu.c (6.12): file path, special mapping name, [heap],
 * [stack], [anon:NAME].
 */
#ifndef VMSCOPE_VMA_NAME_BPF_H
#define VMSCOPE_VMA_NAME_BPF_H

#include "vma.h"

#ifndef ENAMETOOLONG
#define ENAMETOOLONG 36
#endif

/* Address of the kernel's vm_ops->name for special mappings (vdso, vvar). */
extern const void special_mapping_name __ksym __weak;

/* anon_name exists only with CONFIG_ANON_VMA_NAME. */
struct anon_vma_name___vms {
	char name[0];
} __attribute__((preserve_access_index));

struct vm_area_struct___vms {
	struct anon_vma_name___vms *anon_name;
} __attribute__((preserve_access_index));

static __always_inline const char *vma_anon_name(struct vm_area_struct *vma)
{
	struct vm_area_struct___vms *v = (void *)vma;
	struct anon_vma_name___vms *an;

	if (!bpf_core_field_exists(v->anon_name))
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
 * Fill buf (sz bytes) with the VMA's name.  Returns the length without NUL
 * (0: no name) and sets *kind and *rflags.
 */
static __always_inline int vma_name(struct vm_area_struct *vma, char *buf,
				    __u32 sz, __u32 *kind, __u32 *rflags)
{
	struct file *file = vma->vm_file;
	struct mm_struct *mm = vma->vm_mm;
	const char *an;
	long n;

	buf[0] = 0;
	an = vma_anon_name(vma);
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
	if (vma->vm_ops) {
		const void *fn = BPF_CORE_READ(vma, vm_ops, name);

		if (fn && &special_mapping_name &&
		    fn == &special_mapping_name) {
			const struct vm_special_mapping *sm = vma->vm_private_data;
			const char *s = 0;

			bpf_probe_read_kernel(&s, sizeof(s), &sm->name);
			n = s ? bpf_probe_read_kernel_str(buf, sz, s) : 0;
			if (n > 1) {
				*kind = VMS_NAME_SPECIAL;
				return n - 1;
			}
			buf[0] = 0;
		}
	}
	if (!mm) {
		*kind = VMS_NAME_SPECIAL;
		__builtin_memcpy(buf, "[vdso]", 7);
		return 6;
	}
	if (vma->vm_start < mm->brk && vma->vm_end > mm->start_brk) {
		*kind = VMS_NAME_HEAP;
		__builtin_memcpy(buf, "[heap]", 7);
		return 6;
	}
	if (vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack) {
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
