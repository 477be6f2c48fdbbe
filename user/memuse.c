// SPDX-License-Identifier: GPL-2.0
/*
 * Memory use per VMA (memuse.h): parsed from /proc/PID/smaps, or counted
 * from the module's range walk with smaps' own rules (fs/proc/task_mmu.c,
 * smaps_account()):
 *  - resident: a present page with a struct page that vm_normal_page()
 *    would return: not the zero page, not a PFN map; hugetlb pages are
 *    counted apart by smaps (not in Rss), so not here either;
 *  - PSS: a page mapped by N >= 2 shares 1/N of it, in the kernel's fixed
 *    point (bytes << 12), so the kB come out exactly as smaps prints them;
 *  - dirty: the entry's dirty bit or the folio's;
 *  - anonymous: the folio is anonymous; swap: a real swap entry;
 *  - private (USS): mapped once (a mapcount below 2), as smaps' Private_*;
 *    huge: a PMD leaf, or hugetlb.
 * A page under migration counts as resident in smaps and as absent here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "memuse.h"
#include "vmem_api.h"

static int kb_field(const char *line, const char *key, uint64_t *v)
{
	size_t n = strlen(key);
	unsigned long long kb;

	if (strncmp(line, key, n) || sscanf(line + n, " %llu kB", &kb) != 1)
		return 0;
	*v = kb << 10;
	return 1;
}

/* One smaps field line into m; 1 if it was one we keep. */
static int smaps_line(const char *line, struct memuse *m)
{
	uint64_t v;

	if (kb_field(line, "Rss:", &m->rss) || kb_field(line, "Swap:", &m->swap) ||
	    kb_field(line, "Anonymous:", &m->anon))
		return 1;
	if (kb_field(line, "Pss:", &v)) {
		m->pss_fp = v << MEMUSE_PSS_SHIFT;
		return 1;
	}
	if (kb_field(line, "Shared_Dirty:", &v)) {
		m->dirty += v;
		return 1;
	}
	if (kb_field(line, "Private_Dirty:", &v)) {
		m->dirty += v;
		m->priv += v;
		return 1;
	}
	if (kb_field(line, "Private_Clean:", &v)) {
		m->priv += v;
		return 1;
	}
	if (kb_field(line, "AnonHugePages:", &v) || kb_field(line, "ShmemPmdMapped:", &v) ||
	    kb_field(line, "FilePmdMapped:", &v) || kb_field(line, "Shared_Hugetlb:", &v) ||
	    kb_field(line, "Private_Hugetlb:", &v)) {
		m->huge += v;
		return 1;
	}
	return 0;
}

int smaps_read(pid_t pid, struct memuse_vma **out)
{
	struct memuse_vma *v = NULL, *cur = NULL;
	size_t n = 0, cap = 0;
	char path[64], line[4096 + 128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;

		/* A VMA line: "start-end perms ..."; field lines start with a capital. */
		if (line[0] >= 'A' && line[0] <= 'Z') {
			if (cur && !smaps_line(line, &cur->use) && !strncmp(line, "VmFlags:", 8))
				cur->hugetlb = strstr(line, " ht") != NULL;
			continue;
		}
		if (sscanf(line, "%llx-%llx ", &s, &e) != 2)
			continue;
		if (n == cap) {
			struct memuse_vma *p;

			cap = cap ? cap * 2 : 64;
			p = realloc(v, cap * sizeof(*v));
			if (!p) {
				free(v);
				fclose(f);
				return -ENOMEM;
			}
			v = p;
		}
		cur = &v[n++];
		memset(cur, 0, sizeof(*cur));
		cur->start = s;
		cur->end = e;
	}
	fclose(f);
	*out = v;
	return n;
}

int smaps_rollup(pid_t pid, struct memuse *total)
{
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	memset(total, 0, sizeof(*total));
	while (fgets(line, sizeof(line), f))
		smaps_line(line, total);
	fclose(f);
	return 0;
}

bool memuse_page(struct memuse *m, const struct vms_prec *r)
{
	uint32_t f = r->page_flags;

	if (r->stop == VMS_STOP_NOT_PRESENT && r->swp_kind == VMS_SWP_SWAP)
		m->swap += 4096;
	if (r->stop != VMS_STOP_LEAF || (f & (VMS_PG_NOPAGE | VMS_PG_ZERO)))
		return false;
	if (f & VMS_PG_HUGETLB) {
		m->huge += 4096;	/* Private_ or Shared_Hugetlb, not Rss */
		return false;
	}
	m->rss += 4096;
	m->pss_fp += r->mapcount >= 2 ? (4096ull << MEMUSE_PSS_SHIFT) / r->mapcount
				      : 4096ull << MEMUSE_PSS_SHIFT;
	if (r->mapcount < 2)
		m->priv += 4096;
	if ((r->bits & VMS_E_DIRTY) || (f & VMS_PG_DIRTY))
		m->dirty += 4096;
	if (f & VMS_PG_ANON)
		m->anon += 4096;
	if (r->leaf_shift >= 21)
		m->huge += 4096;
	return true;
}

int memuse_walk(struct vmem *v, pid_t pid, uint64_t start, uint64_t end, struct memuse *m)
{
	uint64_t addr = start;

	memset(m, 0, sizeof(*m));
	while (addr < end) {
		const struct vms_range *h;
		const struct vms_prec *r;
		const struct vms_pdir *d;
		int n = vmem_walk_range(v, pid, addr, end, &h, &r, &d), i;

		if (n < 0)
			return n;
		if (h->wflags & VMS_W_PAGE_HIDDEN)
			return -EPERM;	/* page state needs CAP_SYS_ADMIN */
		for (i = 0; i < n; i++)
			memuse_page(m, &r[i]);
		if (h->next <= addr)
			break;
		addr = h->next;
	}
	return 0;
}
