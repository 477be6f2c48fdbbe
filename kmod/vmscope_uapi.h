/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Types and numbers shared by the vmscope module, its BPF programs, the CLI
 * and the tests.  Only __u64-style types: this file is included by kernel
 * code, by BPF code (vmlinux.h) and by user space (<linux/types.h>).
 * Field comments say (in) or (out) from the kernel's point of view.
 *
 * Buffers handed to the kfuncs are usually BPF maps that user space has
 * mmapped, so user space can change them while a kfunc runs.  The module
 * reads each (in) field exactly once and writes every (out) field from a
 * result it built in kernel memory; it never reads back what it wrote.
 */
#ifndef VMSCOPE_UAPI_H
#define VMSCOPE_UAPI_H

#if !defined(__KERNEL__) && !defined(__VMLINUX_H__)
#include <linux/types.h>
#endif

/*
 * Bumped on any change to a kfunc prototype or to a structure below.  The
 * CLI refuses to drive a module whose ABI differs from the one it was built
 * with.
 */
#define VMSCOPE_ABI_VERSION	4

/* ---- VMAs ---------------------------------------------------------------- */

#define VMS_NAME_MAX	4096	/* PATH_MAX: the longest name, with its NUL */
#define VMS_COMM_LEN	16

/* How the name column of /proc/PID/maps was derived. */
enum vms_name_kind {
	VMS_NAME_NONE = 0,	/* anonymous, no name */
	VMS_NAME_FILE,		/* path of the mapped file */
	VMS_NAME_HEAP,		/* [heap] */
	VMS_NAME_STACK,		/* [stack] */
	VMS_NAME_SPECIAL,	/* [vdso], [vvar], [uprobes], ... */
	VMS_NAME_ANON,		/* [anon:NAME] */
	VMS_NAME_ANON_SHMEM,	/* [anon_shmem:NAME] */
};

/* rflags */
#define VMS_R_NAME_TRUNC	(1u << 0)	/* the name did not fit */
#define VMS_R_NAME_ERR		(1u << 1)	/* the path could not be resolved */
#define VMS_R_MM_VSYSCALL	(1u << 2)	/* listings: the process's mm shows the
						   [vsyscall] gate VMA (x86-64) */

/*
 * One VMA: the fields of a /proc/PID/maps line, kept raw (vm_flags, kernel
 * dev_t) so the reader decides how to show them.  The listing iterators and
 * the lookup kfunc fill the same record; the name lives in a string table
 * beside the records (name_off), so a record stays 64 bytes and a file's
 * path is stored once however many VMAs map it.
 */
struct vms_vma {
	__u64 start;
	__u64 end;
	__u64 vm_flags;
	__u64 pgoff;		/* file offset in bytes; 0 for anonymous memory */
	__u64 ino;
	__u32 dev;		/* kernel dev_t: major << 20 | minor */
	__u32 pid;		/* tgid */
	__u32 name_off;		/* string table offset of the name (if name_len) */
	__u16 name_len;		/* without the NUL; 0: no name */
	__u8 name_kind;		/* enum vms_name_kind */
	__u8 rflags;		/* VMS_R_* */
	__u32 comm_off;		/* listings: string table offset of the comm */
	__u32 reserved;
};

/* vm_flags bits the reader decodes (the same on every kernel). */
#define VMS_VM_READ	0x1ull
#define VMS_VM_WRITE	0x2ull
#define VMS_VM_EXEC	0x4ull
#define VMS_VM_SHARED	0x8ull
#define VMS_VM_MAYSHARE	0x80ull

/* ---- VMA lookup: vmscope_find_vmas() -------------------------------------- */

/* vms_find.flags */
#define VMS_FIND_NAME		(1u << 0)	/* fill the names (costs a d_path) */
/*
 * A listing (ABI 4): only record 0's addr is read; each later record looks
 * up from the end of the VMA before it, so one call lists VMAs in address
 * order.  The call stops after the first record without a VMA (err
 * -ENOENT, also at or past the top of user space: the listing is
 * complete), or when n or the string area runs out (continue from the
 * last record's vma.end).
 */
#define VMS_FIND_CHAIN		(1u << 1)
#define VMS_FIND_FLAGS		(VMS_FIND_NAME | VMS_FIND_CHAIN)

/*
 * One lookup: the VMA covering addr, or the next one after it (like
 * PROCMAP_QUERY_COVERING_OR_NEXT_VMA).
 */
struct vms_vmainfo {
	__u64 addr;		/* (in) */
	__s32 err;		/* (out) 0, -ENOENT (no VMA at or after addr), -EFAULT */
	__u32 reserved;
	struct vms_vma vma;	/* (out) name_off: offset in the string area */
};

/*
 * Lookup buffer: this header, then n struct vms_vmainfo, then a string area
 * up to the end of the buffer holding the names, NUL-terminated.  When the
 * string area fills up the call stops early: records [0, done) are filled
 * and the caller asks again for the rest.
 */
struct vms_find {
	__u32 n;		/* (in) lookups that follow */
	__u32 flags;		/* (in) VMS_FIND_* */
	__u32 done;		/* (out) records filled */
	__u32 found;		/* (out) of those, with a VMA */
	__u32 str_len;		/* (out) bytes used in the string area */
	__u32 reserved;
	/*
	 * (out, ABI 4) which address space answered: a keyed hash of the mm
	 * and its thread-group leader's start time and exec count, the same
	 * for every call until the process execs or exits (pid reuse gives
	 * another), never a pointer.
	 * A listing in several calls must see one value throughout.
	 */
	__u64 mm_id;
	char comm[VMS_COMM_LEN];	/* (out, ABI 4) the process's name, as /proc/PID/comm */
};

/* ---- page walk: vmscope_walk() -------------------------------------------- */

enum vms_level {
	VMS_LVL_PGD = 0,
	VMS_LVL_P4D,
	VMS_LVL_PUD,
	VMS_LVL_PMD,
	VMS_LVL_PTE,
	VMS_NR_LEVELS,
};

/* Why the walk stopped at stop_level. */
enum vms_stop {
	VMS_STOP_NONE_ENTRY = 1,	/* entry is none: nothing mapped or not yet faulted */
	VMS_STOP_NOT_PRESENT,		/* non-present, non-none: swap, migration, marker... */
	VMS_STOP_LEAF,			/* a present leaf (4K PTE, 2M PMD, 1G PUD) */
	VMS_STOP_BAD,			/* a corrupt or unexpected entry */
};

/*
 * Which architecture's entries a walk reports (vms_walk.arch, vms_range.arch):
 * the raw entries are that architecture's, and so are the meanings of the
 * architecture-specific VMS_E_* bits.  Modules before the field wrote 0.
 */
enum vms_arch {
	VMS_ARCH_X86_64 = 0,
	VMS_ARCH_ARM64,
};

/*
 * Decoded bits of one entry (bits[] below).  Bits 0-2, 5-7 and 10-15 mean
 * the same on every architecture (the kernel's pte_present(), pte_write(),
 * pte_dirty(), pte_special()...); the names follow x86.  Bits 3, 4, 8 and 9
 * are x86's PWT, PCD, G and PAT, which arm64 lacks: there they carry
 * arm64's AP[2], nG, contiguous and PXN bits (VMS_E_RDONLY... below).
 */
#define VMS_E_PRESENT	(1u << 0)
#define VMS_E_WRITE	(1u << 1)
#define VMS_E_USER	(1u << 2)
#define VMS_E_PWT	(1u << 3)
#define VMS_E_PCD	(1u << 4)
#define VMS_E_ACCESSED	(1u << 5)
#define VMS_E_DIRTY	(1u << 6)
#define VMS_E_LEAF	(1u << 7)	/* PSE at PUD/PMD; always set on a present PTE */
#define VMS_E_GLOBAL	(1u << 8)
#define VMS_E_PAT	(1u << 9)
#define VMS_E_NX	(1u << 10)
#define VMS_E_SOFT_DIRTY (1u << 11)
#define VMS_E_UFFD_WP	(1u << 12)
#define VMS_E_SPECIAL	(1u << 13)	/* pte_special: no struct page by design */
#define VMS_E_DEVMAP	(1u << 14)
#define VMS_E_PROTNONE	(1u << 15)	/* present for the kernel, PROT_NONE/NUMA hint */

/*
 * arm64 (VMS_ARCH_ARM64).  The shared bits there: PRESENT is the valid bit
 * (PTE_VALID), WRITE the kernel's write permission (PTE_WRITE, which is
 * DBM), USER AP[1] (PTE_USER), ACCESSED the access flag (AF), DIRTY
 * pte_dirty() (PTE_DIRTY, or DBM with AP[2] clear), NX the unprivileged
 * execute-never bit (UXN; UXNTable on a table), LEAF a page or a block
 * (PMD/PUD whose bit 1 is clear), PROTNONE present but not valid.
 * SOFT_DIRTY is never set (arm64 has no soft-dirty bit).
 */
#define VMS_E_VALID	VMS_E_PRESENT
#define VMS_E_AF	VMS_E_ACCESSED
#define VMS_E_UXN	VMS_E_NX
#define VMS_E_RDONLY	(1u << 3)	/* arm64: AP[2], read-only for the hardware */
#define VMS_E_NG	(1u << 4)	/* arm64: nG, not global (ASID-tagged) */
#define VMS_E_CONT	(1u << 8)	/* arm64: contiguous hint (PTE_CONT, mTHP runs) */
#define VMS_E_PXN	(1u << 9)	/* arm64: privileged execute-never (PXNTable on a table) */

/* Kind of a non-present entry (swp_kind). */
enum vms_swp_kind {
	VMS_SWP_NONE = 0,
	VMS_SWP_SWAP,			/* a real swap entry */
	VMS_SWP_MIGRATION_READ,
	VMS_SWP_MIGRATION_WRITE,	/* also readable-exclusive */
	VMS_SWP_HWPOISON,
	VMS_SWP_DEVICE,			/* device private / exclusive */
	VMS_SWP_MARKER,			/* pte marker (uffd-wp, poison) */
	VMS_SWP_OTHER,
};

/* Page state (page_flags).  Like /proc/kpageflags: CAP_SYS_ADMIN only. */
#define VMS_PG_ANON		(1u << 0)
#define VMS_PG_FILE		(1u << 1)	/* page cache (incl. shmem) */
#define VMS_PG_KSM		(1u << 2)
#define VMS_PG_ZERO		(1u << 3)	/* the shared zero page (4K or huge) */
#define VMS_PG_THP		(1u << 4)	/* part of a transparent huge page */
#define VMS_PG_HUGETLB		(1u << 5)
#define VMS_PG_LRU		(1u << 6)
#define VMS_PG_DIRTY		(1u << 7)
#define VMS_PG_LOCKED		(1u << 8)
#define VMS_PG_SWAPCACHE	(1u << 9)
#define VMS_PG_WRITEBACK	(1u << 10)
#define VMS_PG_UPTODATE		(1u << 11)
#define VMS_PG_ACTIVE		(1u << 12)
#define VMS_PG_REFERENCED	(1u << 13)
#define VMS_PG_UNEVICTABLE	(1u << 14)
#define VMS_PG_MLOCKED		(1u << 15)
#define VMS_PG_RESERVED		(1u << 16)
#define VMS_PG_COMPOUND		(1u << 17)	/* part of a large folio */
#define VMS_PG_ANON_EXCL	(1u << 18)	/* anon, exclusive to one mm (PageAnonExclusive) */
#define VMS_PG_NOPAGE		(1u << 30)	/* a PFN with no struct page (PFNMAP, IO) */

/* Walk result flags (wflags). */
#define VMS_W_PFN_VALID		(1u << 0)	/* pfn/phys are filled in */
#define VMS_W_PFN_HIDDEN	(1u << 1)	/* a PFN exists, caller lacks CAP_SYS_ADMIN */
#define VMS_W_HAVE_PAGE		(1u << 2)	/* page_flags/refcount/mapcount valid */
#define VMS_W_NO_VMA		(1u << 3)	/* addr lies in no VMA */
#define VMS_W_PFNMAP		(1u << 4)	/* a VM_PFNMAP/VM_IO mapping */
#define VMS_W_HUGETLB_VMA	(1u << 5)	/* a hugetlbfs mapping */
#define VMS_W_PAGE_HIDDEN	(1u << 6)	/* page state exists, caller lacks CAP_SYS_ADMIN */
#define VMS_W_THP_DISABLED	(1u << 7)	/* the mm has THP off (prctl PR_SET_THP_DISABLE) */
#define VMS_W_LARGE_FOLIOS	(1u << 8)	/* the VMA's file takes large folios */
#define VMS_W_THP_ADVISED	(1u << 9)	/* THP only where advised (7.x PR_THP_DISABLE_EXCEPT_ADVISED) */

/*
 * One address's translation.  A caller without CAP_SYS_ADMIN gets raw
 * entries without their PFN bits (like pagemap), no swap type or offset
 * and no page state (like kpageflags and kpagecount).
 */
struct vms_walk {
	__u64 addr;			/* (in) */
	__u64 entry[VMS_NR_LEVELS];	/* (out) raw entries; 0 past stop_level */
	__u32 bits[VMS_NR_LEVELS];	/* (out) VMS_E_* per level */
	__u32 levels;			/* (out) paging levels: 4 or 5 */
	__u32 stop_level;		/* (out) enum vms_level */
	__u32 stop_reason;		/* (out) enum vms_stop */
	__u32 leaf_shift;		/* (out) 12, 21 or 30 on a leaf */
	__u32 wflags;			/* (out) VMS_W_* */
	__u64 pfn;			/* (out) 0 unless VMS_W_PFN_VALID */
	__u64 phys;			/* (out) physical address of addr */
	__u32 swp_kind;			/* (out) enum vms_swp_kind */
	__u32 swp_type;			/* (out) swap device index */
	__u64 swp_offset;		/* (out) offset or PFN (migration) */
	__u32 page_flags;		/* (out) VMS_PG_* */
	__s32 refcount;			/* (out) of the page (folio) */
	__s32 mapcount;			/* (out) of the page */
	__u32 order;			/* (out) folio order */
	__u64 vm_start;			/* (out) the VMA holding addr */
	__u64 vm_end;
	__u64 vm_flags;
	__s32 err;			/* (out) 0 or -errno for this address */
	__s32 nid;			/* (out) NUMA node of the page; -1: none/hidden */
	__u32 arch;			/* (out) enum vms_arch */
	__u32 reserved32;
	__u64 reserved[2];
};

/* ---- range walk: vmscope_walk_range() ------------------------------------- */

/*
 * One page of a range walk: the entry where the walk stopped for it.  For
 * a non-present entry, pfn holds the swap offset (or a migration entry's
 * PFN).  PFNs, swap types and offsets and page state are zero (mapcount -1)
 * for a caller without CAP_SYS_ADMIN, like pagemap.
 */
struct vms_prec {
	__u64 entry;		/* raw entry, PFN bits cleared when hidden */
	__u64 pfn;		/* present: PFN of this 4K page; see above */
	__u32 page_flags;	/* VMS_PG_* */
	__u16 bits;		/* VMS_E_* of entry */
	__u8 level;		/* enum vms_level of entry */
	__u8 stop;		/* enum vms_stop */
	__u8 leaf_shift;	/* 12, 21, 30 on a leaf */
	__u8 swp_kind;		/* enum vms_swp_kind */
	__u8 swp_type;
	__u8 order;		/* order of the folio holding the page (0: small) */
	__s32 mapcount;		/* of this page; -1: none or hidden */
};

/* The upper levels for one 2 MiB-aligned region of a range walk. */
struct vms_pdir {
	__u64 entry[VMS_LVL_PTE];	/* PGD, P4D, PUD, PMD (0 past the stop) */
};

/*
 * Range walk buffer: this header, then max_pages struct vms_prec, then
 * struct vms_pdir up to the end of the buffer.
 *
 * Only mapped memory is reported and holes cost nothing: a call skips a
 * hole before its first record and stops at the next one (or earlier, once
 * a writer waits for mmap_lock and the call has held it 0.5 ms).  Record i
 * describes the page at first + i * 4096 (i < npages, all inside VMAs);
 * dir[j] covers the 2 MiB region ((first >> 21) + j) << 21.  The next call
 * starts at next; next >= end (and npages == 0) means done.
 *
 * There must be room for at least two dirs (n pages may touch n / 512 + 1
 * 2 MiB regions, as the walk counts them), and a call takes at most
 * (dirs - 1) * 512 pages: -ENOSPC otherwise.
 */
struct vms_range {
	__u64 start;		/* (in) first address, rounded down to a page */
	__u64 end;		/* (in) end (exclusive) */
	__u32 max_pages;	/* (in) room for records */
	__u32 arch;		/* (out) enum vms_arch */
	__u64 first;		/* (out) address of record 0 */
	__u64 next;		/* (out) where to continue */
	__u32 npages;		/* (out) records filled */
	__u32 ndirs;		/* (out) dirs filled */
	__u32 levels;		/* (out) 4 or 5 */
	__u32 wflags;		/* (out) VMS_W_PFN_HIDDEN | VMS_W_PAGE_HIDDEN */
};

/* ---- who maps a page: vmscope_page_sharers() ------------------------------- */

/* What kind of page the sharers were looked for (vms_share.kind). */
enum vms_share_kind {
	VMS_SH_NONE = 0,	/* nothing present at addr */
	VMS_SH_ANON,		/* anonymous: found through its anon_vma */
	VMS_SH_FILE,		/* page cache: found through the file's i_mmap */
	VMS_SH_KSM,		/* KSM: the module cannot reach its rmap (see flags) */
	VMS_SH_ZERO,		/* the zero page: every untouched read maps it */
	VMS_SH_NOPAGE,		/* a PFN with no struct page (PFNMAP, IO) */
};

/* vms_share.flags */
#define VMS_SH_TRUNC		(1u << 0)	/* more sharers than room: n is a prefix */
#define VMS_SH_SCAN_LIMIT	(1u << 1)	/* the candidate scan hit its bound */
#define VMS_SH_BUSY		(1u << 2)	/* some candidate's lock was taken: skipped */

/* One mapping of the page: process, address, permissions. */
struct vms_sharer {
	__u32 pid;		/* tgid in the caller's pid namespace; 0: not visible */
	__u32 flags;		/* VMS_SHR_* */
	__u64 addr;		/* the page's address in that process */
	__u64 vm_flags;		/* of the VMA mapping it there */
	char comm[VMS_COMM_LEN];
};
#define VMS_SHR_SELF		(1u << 0)	/* the process asked about */

/*
 * Sharers buffer: this header, then room for max struct vms_sharer.  The
 * page mapped at addr in the call's process is looked up, its reverse map
 * (anon_vma or i_mmap) gives every VMA that could map it, and each one is
 * walked: only those that map the same PFN are reported.
 */
struct vms_share {
	__u64 addr;		/* (in) */
	__u32 max;		/* (in) room for records */
	__u32 n;		/* (out) records filled */
	__u64 pfn;		/* (out) */
	__u32 kind;		/* (out) enum vms_share_kind */
	__s32 mapcount;		/* (out) of the page, as the walk reads it */
	__u32 candidates;	/* (out) VMAs looked at */
	__u32 flags;		/* (out) VMS_SH_* */
};

/* ---- read and write ------------------------------------------------------- */

/* The most bytes one vmscope_cmpxchg() compares and writes. */
#define VMS_CMPXCHG_MAX		65536

/* vmscope_write() and vmscope_cmpxchg() flags */
#define VMS_WRITE_FORCE		(1u << 0)	/* a read-only private mapping: COW copy */

#endif /* VMSCOPE_UAPI_H */
