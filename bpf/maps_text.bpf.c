// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/maps text from the task_vma iterator, byte for byte, for
 * cat-able pins: `vmscope pin` (one process or all) and
 * `bpftool iter pin maps_text.bpf.o PATH` (all processes; its first and only
 * program).
 *
 * The [vsyscall] gate VMA is not in the VMA tree, so the iterator never
 * visits it; /proc/PID/maps prints it last for a process whose mm has it.
 * Its line is written before the first VMA of the next process and at the
 * end, from state that is only updated when the whole output of a run was
 * accepted (a run whose output overflowed the seq buffer is repeated).
 * Its permissions depend on the vsyscall= mode, which BPF cannot read:
 * `vmscope pin` sets vsyscall_flags from its own maps; bpftool gets the
 * default, execute-only (Debian's CONFIG_LEGACY_VSYSCALL_XONLY).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "vma_name.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* vm_flags of the gate VMA (0: none); VM_EXEC is execute-only mode. */
const volatile __u64 vsyscall_flags = VMS_VM_EXEC;

struct text_scratch {
	char hdr[128];
	char name[VMS_NAME_MAX];
	char esc[4 * VMS_NAME_MAX];	/* a name with every '\n' written as "\012" */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct text_scratch);
} text_scratch SEC(".maps");

/* The process whose VMAs were printed last, and whether it has [vsyscall]. */
__u32 prev_tgid;
__u32 prev_vsyscall;

#define MAPS_PAD 72	/* the name column starts after 25 + 6 * sizeof(void *) - 1 */

static const char spaces[MAPS_PAD] = "                                                                        ";

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

/* The start of a line, up to the inode; returns its length or -1. */
static long line_head(struct text_scratch *r, __u64 start, __u64 end, __u64 fl, __u64 pgoff,
		      __u32 dev, __u64 ino)
{
	__u64 args[10];
	long hl;

	args[0] = start;
	args[1] = end;
	args[2] = fl & VMS_VM_READ ? 'r' : '-';
	args[3] = fl & VMS_VM_WRITE ? 'w' : '-';
	args[4] = fl & VMS_VM_EXEC ? 'x' : '-';
	args[5] = fl & VMS_VM_MAYSHARE ? 's' : 'p';
	args[6] = pgoff;
	args[7] = dev >> 20;
	args[8] = dev & 0xfffff;
	args[9] = ino;
	hl = bpf_snprintf(r->hdr, sizeof(r->hdr), "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ",
			  args, sizeof(args));
	if (hl <= 1 || hl > sizeof(r->hdr))
		return -1;
	return hl - 1;
}

/* Pad to the name column; 0 or the seq_write error. */
static long pad_to_name(struct seq_file *seq, long hl)
{
	long pad;

	if (hl >= MAPS_PAD)
		return 0;
	pad = MAPS_PAD - hl;
	/* Keep the verifier's bounds on pad itself. */
	asm volatile("" : "+r"(pad));
	if (pad > 0 && pad <= MAPS_PAD)
		return bpf_seq_write(seq, spaces, pad);
	return 0;
}

/* The [vsyscall] line; 0 or the seq_write error. */
static long vsyscall_line(struct seq_file *seq, struct text_scratch *r)
{
	long hl = line_head(r, VMS_VSYSCALL_START, VMS_VSYSCALL_END, vsyscall_flags, 0, 0, 0);
	long err;

	if (hl < 0)
		return -1;
	asm volatile("" : "+r"(hl));
	if (hl > sizeof(r->hdr))
		return -1;
	err = bpf_seq_write(seq, r->hdr, hl);
	err = err ?: pad_to_name(seq, hl);
	return err ?: bpf_seq_write(seq, " [vsyscall]\n", 12);
}

SEC("iter/task_vma")
int vma_maps_text(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	struct task_struct *task = ctx->task;
	struct seq_file *seq = ctx->meta->seq;
	struct text_scratch *r;
	struct vms_mminfo m;
	struct vms_vsnap s;
	__u32 zero = 0, kind = 0, rflags = 0, tgid, has_vs;
	long hl, err = 0;
	int nl;

	r = bpf_map_lookup_elem(&text_scratch, &zero);
	if (!r)
		return 0;
	/* A new read session (each open of a pin is one) starts afresh. */
	if (ctx->meta->seq_num == 0)
		prev_tgid = 0;
	if (!vma || !task) {
		/* The end of the listing: the last process's [vsyscall]. */
		if (!(prev_tgid && prev_vsyscall && vsyscall_flags) || !vsyscall_line(seq, r))
			prev_tgid = 0;
		return 0;
	}
	tgid = BPF_CORE_READ(task, tgid);
	if (vms_vsnap_read((__u64)vma, &s))
		return 0;
	vms_mminfo_read(s.mm, &m);
	has_vs = !!m.rflags;
	if (prev_tgid && tgid != prev_tgid && prev_vsyscall && vsyscall_flags)
		err = vsyscall_line(seq, r);

	if (s.file) {
		struct inode *inode = vms_file_inode((struct file *)s.file);

		hl = line_head(r, s.start, s.end, s.flags, s.pgoff << 12,
			       BPF_CORE_READ(inode, i_sb, s_dev), BPF_CORE_READ(inode, i_ino));
	} else {
		hl = line_head(r, s.start, s.end, s.flags, 0, 0, 0);
	}
	if (hl < 0)
		return 0;
	nl = vma_name(&s, &m, vma->vm_file, r->name, sizeof(r->name), &kind, &rflags);
	asm volatile("" : "+r"(hl));
	if (hl > sizeof(r->hdr))
		return 0;
	err = err ?: bpf_seq_write(seq, r->hdr, hl);
	if (nl > 0 && nl < VMS_NAME_MAX) {
		struct esc_ctx c = { .r = r, .len = nl };
		__u32 n;

		err = err ?: pad_to_name(seq, hl);
		err = err ?: bpf_seq_write(seq, " ", 1);
		if (kind == VMS_NAME_FILE) {
			bpf_loop(nl, esc_byte, &c, 0);
			n = c.out;
			asm volatile("" : "+r"(n));
			if (n > sizeof(r->esc) - 1)
				n = sizeof(r->esc) - 1;
			r->esc[n] = '\n';
			err = err ?: bpf_seq_write(seq, r->esc, n + 1);
		} else {
			n = nl;
			asm volatile("" : "+r"(n));
			n &= VMS_NAME_MAX - 1;	/* a no-op after the check, for the verifier */
			r->name[n] = '\n';
			err = err ?: bpf_seq_write(seq, r->name, n + 1);
		}
	} else {
		err = err ?: bpf_seq_write(seq, "\n", 1);
	}
	if (!err) {
		prev_tgid = tgid;
		prev_vsyscall = has_vs;
	}
	return 0;
}
