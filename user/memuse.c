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
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"
#include "memuse.h"
#include "vmem_api.h"

/*
 * smaps is the slow part of 'maps -x' without the module: the kernel's
 * text of a 20,000-VMA process is about 6 MB, and parsing it with stdio
 * and sscanf() cost more than the kernel took to print it.  So it is read
 * in large blocks and parsed by hand: a field line is "Key:   N kB".
 */
enum smaps_key { K_RSS, K_PSS, K_SWAP, K_ANON, K_SHARED_DIRTY, K_PRIVATE_DIRTY,
		 K_PRIVATE_CLEAN, K_HUGE };

static const struct {
	const char *name;
	size_t len;
	enum smaps_key key;
} smaps_keys[] = {
#define KEY(s, k) { s, sizeof(s) - 1, k }
	KEY("Rss", K_RSS), KEY("Pss", K_PSS), KEY("Swap", K_SWAP),
	KEY("Anonymous", K_ANON), KEY("Shared_Dirty", K_SHARED_DIRTY),
	KEY("Private_Dirty", K_PRIVATE_DIRTY), KEY("Private_Clean", K_PRIVATE_CLEAN),
	KEY("AnonHugePages", K_HUGE), KEY("ShmemPmdMapped", K_HUGE),
	KEY("FilePmdMapped", K_HUGE), KEY("Shared_Hugetlb", K_HUGE),
	KEY("Private_Hugetlb", K_HUGE),
#undef KEY
};

/* The kB of a field's value (after the colon): 0 and false if none. */
static bool smaps_kb(const char *p, const char *end, uint64_t *kb)
{
	uint64_t v = 0;

	while (p < end && *p == ' ')
		p++;
	if (p == end || *p < '0' || *p > '9')
		return false;
	while (p < end && *p >= '0' && *p <= '9')
		v = v * 10 + (uint64_t)(*p++ - '0');
	*kb = v;
	return true;
}

/*
 * One smaps field line [line, end) (no newline), its key ending at colon,
 * into m; true if it was one we keep.
 */
static bool smaps_field(const char *line, const char *colon, const char *end, struct memuse *m)
{
	size_t klen = colon - line, i;
	uint64_t v;

	for (i = 0; i < ARRAY_SIZE(smaps_keys); i++)
		if (smaps_keys[i].len == klen && !memcmp(line, smaps_keys[i].name, klen))
			break;
	if (i == ARRAY_SIZE(smaps_keys) || !smaps_kb(colon + 1, end, &v))
		return false;
	v <<= 10;
	switch (smaps_keys[i].key) {
	case K_RSS: m->rss = v; break;
	case K_PSS: m->pss_fp = v << MEMUSE_PSS_SHIFT; break;
	case K_SWAP: m->swap = v; break;
	case K_ANON: m->anon = v; break;
	case K_SHARED_DIRTY: m->dirty += v; break;
	case K_PRIVATE_DIRTY: m->dirty += v; m->priv += v; break;
	case K_PRIVATE_CLEAN: m->priv += v; break;
	case K_HUGE: m->huge += v; break;
	}
	return true;
}

/* A hex number at *pp, ending at stop; false if there is none. */
static bool smaps_hex(const char **pp, const char *end, char stop, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	int d, n = 0;

	for (; p < end && *p != stop; p++, n++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else
			return false;
		if (n == 16)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	if (!n || p == end)
		return false;
	*pp = p + 1;
	*out = v;
	return true;
}

struct smaps_parse {
	struct memuse_vma *v, *cur;
	size_t n, cap;
	struct memuse *total;	/* smaps_rollup: every field line into it */
};

/* One line [line, end) of smaps or smaps_rollup.  0 or -ENOMEM. */
static int smaps_parse_line(struct smaps_parse *sp, const char *line, const char *end)
{
	const char *p = line, *colon;
	uint64_t s, e;

	if (p < end && *p >= 'A' && *p <= 'Z') {
		colon = memchr(p, ':', end - p);
		if (!colon)
			return 0;
		if (sp->total) {
			smaps_field(p, colon, end, sp->total);
			return 0;
		}
		if (!sp->cur || smaps_field(p, colon, end, &sp->cur->use))
			return 0;
		/* VmFlags: the two-letter flags, "ht" for hugetlb. */
		if (colon - p == 7 && !memcmp(p, "VmFlags", 7)) {
			const char *f;

			for (f = colon + 1; f + 3 <= end; f++)
				if (f[0] == ' ' && f[1] == 'h' && f[2] == 't' &&
				    (f + 3 == end || f[3] == ' ')) {
					sp->cur->hugetlb = true;
					break;
				}
		}
		return 0;
	}
	/* A VMA line: "start-end perms offset dev inode [name]". */
	if (sp->total || !smaps_hex(&p, end, '-', &s) || !smaps_hex(&p, end, ' ', &e))
		return 0;
	if (sp->n == sp->cap) {
		size_t cap = sp->cap ? sp->cap * 2 : 64;
		struct memuse_vma *nv = realloc(sp->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		sp->v = nv;
		sp->cap = cap;
	}
	sp->cur = &sp->v[sp->n++];
	memset(sp->cur, 0, sizeof(*sp->cur));
	sp->cur->start = s;
	sp->cur->end = e;
	return 0;
}

#define SMAPS_BLOCK	(256 << 10)

/* Read and parse a whole smaps-like file.  0 or -errno. */
static int smaps_parse_file(const char *path, struct smaps_parse *sp)
{
	size_t cap = SMAPS_BLOCK, have = 0;
	char *buf = malloc(cap), *nl, *p;
	int fd, err = 0;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(buf);
		return err;
	}
	for (;;) {
		if (have == cap) {
			/* One line longer than the buffer: a longer buffer. */
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				err = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + have, cap - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (r == 0) {
			if (have)	/* a last line without a newline */
				err = smaps_parse_line(sp, buf, buf + have);
			break;
		}
		have += r;
		p = buf;
		while (!err && (nl = memchr(p, '\n', buf + have - p))) {
			err = smaps_parse_line(sp, p, nl);
			p = nl + 1;
		}
		if (err)
			break;
		have -= p - buf;
		memmove(buf, p, have);
	}
	close(fd);
	free(buf);
	return err;
}

int smaps_read(pid_t pid, struct memuse_vma **out)
{
	struct smaps_parse sp = {};
	char path[64];
	int err;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	err = smaps_parse_file(path, &sp);
	if (err) {
		free(sp.v);
		return err;
	}
	*out = sp.v;
	return sp.n;
}

int smaps_rollup(pid_t pid, struct memuse *total)
{
	struct smaps_parse sp = { .total = total };
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	memset(total, 0, sizeof(*total));
	return smaps_parse_file(path, &sp);
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

/* The pages of one VMA into use. */
static int walk_vma(struct vmem *v, pid_t pid, const struct vms_vma *vma, struct memuse *use)
{
	uint64_t addr = vma->start;

	while (addr < vma->end) {
		const struct vms_range *h;
		const struct vms_prec *r;
		const struct vms_pdir *d;
		int n = vmem_walk_range(v, pid, addr, vma->end, &h, &r, &d), i;

		if (n < 0)
			return n;
		if (h->wflags & VMS_W_PAGE_HIDDEN)
			return -EPERM;	/* page state needs CAP_SYS_ADMIN */
		for (i = 0; i < n; i++)
			memuse_page(use, &r[i]);
		if (h->next <= addr)
			break;
		addr = h->next;
	}
	return 0;
}

int memuse_walk(struct vmem *v, pid_t pid, const struct vms_vma *vmas, size_t n,
		struct memuse *use)
{
	size_t i;
	int err = 0;

	memset(use, 0, n * sizeof(*use));
	/* In address order: adjoining VMAs are one run of the module (vmem.c). */
	vmem_walk_ahead(v, UINT64_MAX);
	for (i = 0; !err && i < n; i++)
		err = walk_vma(v, pid, &vmas[i], &use[i]);
	vmem_walk_ahead(v, 0);
	return err;
}
