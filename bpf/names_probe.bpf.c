// SPDX-License-Identifier: GPL-2.0
/*
 * Does this kernel's verifier let a task_vma iterator hand vma->vm_file to
 * bpf_d_path()?  The listings name files with bpf_d_path() where it does
 * and with their own dentry walk where it does not (6.18 marks the field
 * load untrusted).  Loading this small object (about a millisecond) tells
 * which, before the listing itself is loaded (about 15 ms); it is never
 * attached.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

char probe_buf[64];

SEC("iter/task_vma")
int names_probe(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	struct file *file;

	if (!vma)
		return 0;
	file = vma->vm_file;
	if (file)
		bpf_d_path(&file->f_path, probe_buf, sizeof(probe_buf));
	return 0;
}
