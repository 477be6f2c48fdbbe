// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/maps text from the task_vma iterator, byte for byte, for
 * cat-able pins: `vmscope pin` (one process or all) and
 * `bpftool iter pin maps_text.bpf.o PATH` (all processes; its first and only
 * program).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "vma_name.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct text_scratch {
	char hdr[128];
	char name[VMS_NAME_MAX];
	char esc[4 * VMS_NAME_MAX];	/* a name with every '\n' written as "\012" */
};

struct esc_ctx {
	struct text_scratch *r;
	__u32 len;	/* of the name */
	__u32 out;	/* bytes in esc */
};

/* One byte of the name into esc, escaping '\n' as seq_path() does for maps. */
static long esc_byte(__u32 i, struct esc_ctx *c)
{
	char ch;

	if (i >= c->len || c->out > sizeof(c->r->esc) - 4)
		return 1;
	ch = c->r->name[i & (VMS_NAME_MAX - 1)];
	if (ch != '\n') {
		c->r->esc[c->out & (sizeof(c->r->esc) - 1)] = ch;
		c->out++;
		return 0;
	}
	c->r->esc[c->out & (sizeof(c->r->esc) - 1)] = '\\';
	c->r->esc[(c->out + 1) & (sizeof(c->r->esc) - 1)] = '0';
	c->r->esc[(c->out + 2) & (sizeof(c->r->esc) - 1)] = '1';
	c->r->esc[(c->out + 3) & (sizeof(c->r->esc) - 1)] = '2';
	c->out += 4;
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct text_scratch);
} text_scratch SEC(".maps");

#define MAPS_PAD 72	/* the name column starts after 25 + 6 * sizeof(void *) - 1 */

static const char spaces[MAPS_PAD] = "                                                                        ";

SEC("iter/task_vma")
int vma_maps_text(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	struct seq_file *seq = ctx->meta->seq;
	struct text_scratch *r;
	struct file *file;
	__u64 args[10];
	__u32 zero = 0, kind = 0, rflags = 0;
	__u64 fl;
	long hl, pad;
	int nl;

	if (!vma || !ctx->task)
		return 0;
	r = bpf_map_lookup_elem(&text_scratch, &zero);
	if (!r)
		return 0;
	fl = vma->vm_flags;
	args[0] = vma->vm_start;
	args[1] = vma->vm_end;
	args[2] = fl & VMS_VM_READ ? 'r' : '-';
	args[3] = fl & VMS_VM_WRITE ? 'w' : '-';
	args[4] = fl & VMS_VM_EXEC ? 'x' : '-';
	args[5] = fl & VMS_VM_MAYSHARE ? 's' : 'p';
	file = vma->vm_file;
	if (file) {
		struct inode *inode = file->f_inode;
		__u32 dev = inode->i_sb->s_dev;

		args[6] = (__u64)vma->vm_pgoff << 12;
		args[7] = dev >> 20;
		args[8] = dev & 0xfffff;
		args[9] = inode->i_ino;
	} else {
		args[6] = args[7] = args[8] = args[9] = 0;
	}
	nl = vma_name(vma, r->name, sizeof(r->name), &kind, &rflags);
	hl = bpf_snprintf(r->hdr, sizeof(r->hdr), "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ",
			  args, sizeof(args));
	if (hl <= 1 || hl > sizeof(r->hdr))
		return 0;
	hl--;
	bpf_seq_write(seq, r->hdr, hl);
	if (nl > 0 && nl < VMS_NAME_MAX) {
		if (hl < MAPS_PAD) {
			pad = MAPS_PAD - hl;
			/* Keep the verifier's bounds on pad itself. */
			asm volatile("" : "+r"(pad));
			if (pad > 0 && pad <= MAPS_PAD)
				bpf_seq_write(seq, spaces, pad);
		}
		struct esc_ctx c = { .r = r, .len = nl };
		__u32 n;

		bpf_seq_write(seq, " ", 1);
		if (kind == VMS_NAME_FILE) {
			bpf_loop(nl, esc_byte, &c, 0);
			n = c.out;
			asm volatile("" : "+r"(n));
			if (n > sizeof(r->esc) - 1)
				n = sizeof(r->esc) - 1;
			r->esc[n] = '\n';
			bpf_seq_write(seq, r->esc, n + 1);
		} else {
			n = nl;
			asm volatile("" : "+r"(n));
			n &= VMS_NAME_MAX - 1;	/* a no-op after the check, for the verifier */
			r->name[n] = '\n';
			bpf_seq_write(seq, r->name, n + 1);
		}
	} else {
		bpf_seq_write(seq, "\n", 1);
	}
	return 0;
}
