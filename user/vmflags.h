/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every vm_flags bit of a VMA by name, as the running kernel defines it.
 * Bits moved between kernels (VM_UFFD_MINOR is bit 37 in 6.1, 38 in 6.12
 * and 41 in 7.3; VM_SEALED 63 in 6.12 and 42 in 7.3; 7.3 took bit 11 for
 * VM_MAYBE_GUARD), so the names come, best first, from:
 *  - the kernel itself: /proc/PID/smaps prints a VMA's bits in bit order
 *    as two-letter names (VmFlags), "??" for a bit it has no name for and
 *    nothing for the protection-key bits; lined up with the raw bits, each
 *    set bit gets the running kernel's own name;
 *  - the layout of a kernel whose headers were read (6.1, 6.12, 7.3),
 *    chosen by the running kernel's release;
 *  - the bits that are the same in all of them.
 * A bit no source names is "unknown bit N", never a guess.
 */
#ifndef VMSCOPE_VMFLAGS_H
#define VMSCOPE_VMFLAGS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum vmflags_how {
	VMFLAGS_SMAPS,		/* lined up with the VMA's VmFlags in smaps */
	VMFLAGS_LAYOUT,		/* the layout of this kernel release */
	VMFLAGS_COMMON,		/* only the bits every known kernel agrees on */
};

struct vmflags_names {
	uint64_t vm_flags;
	const char *name[64];	/* of each set bit; NULL: unknown */
	enum vmflags_how how;
	char release[32];	/* VMFLAGS_LAYOUT: the layout's kernel ("6.12") */
};

/*
 * Name the bits of vm_flags, those of the VMA of pid that starts at start
 * (pid 0: no smaps to ask).
 */
void vmflags_decode(pid_t pid, uint64_t start, uint64_t vm_flags, struct vmflags_names *out);
/* "smaps VmFlags", "the 6.12 layout", "bits common to 6.1, 6.12 and 7.3" */
const char *vmflags_how_str(const struct vmflags_names *n, char *buf, size_t sz);

#endif /* VMSCOPE_VMFLAGS_H */
