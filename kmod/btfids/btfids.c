// SPDX-License-Identifier: GPL-2.0
/*
 * btfids: fill in a kernel module's .BTF_ids section, the job of the
 * kernel's tools/bpf/resolve_btfids, for kernels whose headers do not ship
 * that tool (Debian 12's 6.1: linux-kbuild-6.1 has no resolve_btfids).
 * Without it the module's kfunc sets hold type id 0 and the kernel
 * registers nothing.  Built by kmod/Makefile on the machine that builds the
 * module, so it needs nothing but a C compiler and libc: plain ELF64 and
 * BTF parsing, no libelf, no libbpf.
 *
 *   btfids [-v] -b BASE MODULE.ko
 *
 * BASE is the kernel's BTF (raw, as /sys/kernel/btf/vmlinux, or an ELF file
 * with a .BTF section); MODULE.ko must already carry its split BTF (pahole
 * -J --btf_base BASE).  A .BTF.base section in the module (distilled base
 * BTF, pahole 1.26+) replaces BASE, as in resolve_btfids.
 *
 * The rules, which are resolve_btfids' (6.1 to 6.12): every symbol of the
 * module's symbol table that lies in .BTF_ids and is named __BTF_ID__* is
 *   __BTF_ID__<kind>__<name>__<n>   kind func, struct, union or typedef: a
 *       4-byte slot that gets the id of the BTF type of that kind and name
 *       (types numbered base first, then the module's; the lowest id wins
 *       if there are several);
 *   __BTF_ID__set__<name>   a struct btf_id_set {u32 cnt; u32 ids[]}: cnt
 *       becomes st_size / 4 - 1 and the ids are sorted;
 *   __BTF_ID__set8__<name>  a struct btf_id_set8 {u32 cnt; u32 flags;
 *       struct {u32 id; u32 flags;} pairs[]}: cnt becomes st_size / 8 - 1
 *       and the pairs are sorted by id, flags kept with their id (the
 *       kernel bsearch()es a module's set as it is: kernel/bpf/btf.c
 *       btf_populate_kfunc_set() and btf_id_set8_contains()).
 * Any other __BTF_ID__ kind is an error.  Unlike resolve_btfids, which only
 * warns, a name that resolves to no type is an error: the module would load
 * with kfuncs that silently do not exist.  Only .BTF_ids changes, in place;
 * the file keeps its size and every other byte.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "btfids reads little-endian ELF and BTF in place: build it on a little-endian host"
#endif

#define BTF_MAGIC	0xeB9F
#define ID_PREFIX	"__BTF_ID__"

/* BTF kinds (include/uapi/linux/btf.h); the size of what follows each. */
enum {
	KIND_INT = 1, KIND_PTR, KIND_ARRAY, KIND_STRUCT, KIND_UNION, KIND_ENUM,
	KIND_FWD, KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT,
	KIND_FUNC, KIND_FUNC_PROTO, KIND_VAR, KIND_DATASEC, KIND_FLOAT,
	KIND_DECL_TAG, KIND_TYPE_TAG, KIND_ENUM64,
};

struct btf_header {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t type_off;
	uint32_t type_len;
	uint32_t str_off;
	uint32_t str_len;
};

struct btf_type {
	uint32_t name_off;
	uint32_t info;		/* vlen: bits 0-15, kind: bits 24-28 */
	uint32_t size_or_type;
};

/* A BTF blob: the base, or a split one whose ids and strings follow its base's. */
struct btf {
	const uint8_t *types;
	const char *strs;
	uint32_t strs_len;
	uint32_t *offs;		/* offset of each of its types in types */
	uint32_t nr;
	uint32_t start_id;	/* id of its first type */
	uint32_t start_str;	/* string offsets below this are the base's */
	const struct btf *base;
};

struct file {
	const char *path;
	uint8_t *buf;
	size_t size;
};

struct elf {
	struct file *f;
	Elf64_Shdr *sh;
	size_t shnum;
	const char *shstr;
	size_t shstr_size;
};

/* A name to resolve, and the slots (offsets in .BTF_ids) that get its id. */
struct want {
	int kind;
	const char *name;
	size_t len;
	uint32_t id;
	uint32_t dup;		/* a second type of that kind and name */
};

struct slot {
	size_t want;
	uint64_t off;
};

struct set {
	const char *name;
	uint64_t off;
	uint64_t size;
	int is_set8;
};

static int verbose;

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("btfids: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p)
		die("out of memory");
	return p;
}

static void read_file(struct file *f, const char *path)
{
	struct stat st;
	size_t done = 0;
	int fd;

	f->path = path;
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0)
		die("%s: %s", path, strerror(errno));
	f->size = st.st_size;
	f->buf = xcalloc(1, f->size);
	while (done < f->size) {
		ssize_t n = read(fd, f->buf + done, f->size - done);

		if (n <= 0)
			die("%s: read: %s", path, n ? strerror(errno) : "short file");
		done += n;
	}
	close(fd);
}

/* Is [off, off + len) inside a buffer of size total? */
static int inside(uint64_t off, uint64_t len, uint64_t total)
{
	return off <= total && len <= total - off;
}

static int is_elf(const struct file *f)
{
	return f->size >= EI_NIDENT && !memcmp(f->buf, ELFMAG, SELFMAG);
}

static void elf_open(struct elf *e, struct file *f)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)f->buf;
	size_t strndx;

	e->f = f;
	if (!is_elf(f) || f->size < sizeof(*eh))
		die("%s: not an ELF file", f->path);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		die("%s: not a 64-bit little-endian ELF file", f->path);
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff == 0)
		die("%s: no usable section headers", f->path);
	if (!inside(eh->e_shoff, sizeof(Elf64_Shdr), f->size))
		die("%s: section headers outside the file", f->path);
	e->sh = (Elf64_Shdr *)(f->buf + eh->e_shoff);
	/* Extended numbering keeps the real counts in section 0. */
	e->shnum = eh->e_shnum ? eh->e_shnum : e->sh[0].sh_size;
	strndx = eh->e_shstrndx == SHN_XINDEX ? e->sh[0].sh_link : eh->e_shstrndx;
	if (e->shnum > SIZE_MAX / sizeof(Elf64_Shdr) ||
	    !inside(eh->e_shoff, e->shnum * sizeof(Elf64_Shdr), f->size))
		die("%s: section headers outside the file", f->path);
	if (strndx >= e->shnum || !inside(e->sh[strndx].sh_offset, e->sh[strndx].sh_size, f->size))
		die("%s: bad section name table", f->path);
	e->shstr = (const char *)f->buf + e->sh[strndx].sh_offset;
	e->shstr_size = e->sh[strndx].sh_size;
}

/* A section's contents; NULL when it has none in the file (SHT_NOBITS). */
static uint8_t *elf_data(const struct elf *e, size_t i)
{
	const Elf64_Shdr *s = &e->sh[i];

	if (s->sh_type == SHT_NOBITS)
		return NULL;
	if (!inside(s->sh_offset, s->sh_size, e->f->size))
		die("%s: section %zu lies outside the file", e->f->path, i);
	return e->f->buf + s->sh_offset;
}

static const char *elf_name(const struct elf *e, size_t i)
{
	uint32_t n = e->sh[i].sh_name;

	if (n >= e->shstr_size || !memchr(e->shstr + n, 0, e->shstr_size - n))
		die("%s: bad name of section %zu", e->f->path, i);
	return e->shstr + n;
}

/* The index of the section called name, or 0. */
static size_t elf_find(const struct elf *e, const char *name)
{
	size_t i;

	for (i = 1; i < e->shnum; i++)
		if (!strcmp(elf_name(e, i), name))
			return i;
	return 0;
}

static uint32_t type_extra(const struct btf_type *t, uint32_t id)
{
	uint32_t vlen = t->info & 0xffff;

	switch ((t->info >> 24) & 0x1f) {
	case KIND_INT:
	case KIND_VAR:
	case KIND_DECL_TAG:
		return 4;
	case KIND_ARRAY:
		return 12;
	case KIND_STRUCT:
	case KIND_UNION:
	case KIND_DATASEC:
	case KIND_ENUM64:
		return vlen * 12;
	case KIND_ENUM:
	case KIND_FUNC_PROTO:
		return vlen * 8;
	case KIND_PTR:
	case KIND_FWD:
	case KIND_TYPEDEF:
	case KIND_VOLATILE:
	case KIND_CONST:
	case KIND_RESTRICT:
	case KIND_FUNC:
	case KIND_FLOAT:
	case KIND_TYPE_TAG:
		return 0;
	}
	die("BTF type %u has kind %u, which this tool does not know",
	    id, (t->info >> 24) & 0x1f);
	return 0;
}

/* Parse the BTF blob data[0..size) (from what) on top of base (or NULL). */
static void btf_parse(struct btf *b, const uint8_t *data, uint64_t size,
		      const struct btf *base, const char *what)
{
	struct btf_header h;
	uint32_t off, cap = 1024;

	if (size < sizeof(h))
		die("%s: BTF too short", what);
	memcpy(&h, data, sizeof(h));
	if (h.magic != BTF_MAGIC || h.version != 1)
		die("%s: not BTF version 1 (magic %#x)", what, h.magic);
	if (h.hdr_len < sizeof(h) || !inside(h.hdr_len, 0, size) ||
	    !inside(h.type_off, h.type_len, size - h.hdr_len) ||
	    !inside(h.str_off, h.str_len, size - h.hdr_len) || h.type_len % 4)
		die("%s: BTF header out of bounds", what);
	memset(b, 0, sizeof(*b));
	b->types = data + h.hdr_len + h.type_off;
	b->strs = (const char *)data + h.hdr_len + h.str_off;
	b->strs_len = h.str_len;
	b->base = base;
	b->start_id = base ? base->start_id + base->nr : 1;
	b->start_str = base ? base->start_str + base->strs_len : 0;
	b->offs = xcalloc(cap, sizeof(*b->offs));
	for (off = 0; off < h.type_len;) {
		struct btf_type t;
		uint32_t len;

		if (!inside(off, sizeof(t), h.type_len))
			die("%s: BTF type %u truncated", what, b->start_id + b->nr);
		/* Copied: a section's data need not be 4-byte aligned in the file. */
		memcpy(&t, b->types + off, sizeof(t));
		len = sizeof(t) + type_extra(&t, b->start_id + b->nr);
		if (!inside(off, len, h.type_len))
			die("%s: BTF type %u truncated", what, b->start_id + b->nr);
		if (b->nr == cap) {
			cap *= 2;
			b->offs = realloc(b->offs, cap * sizeof(*b->offs));
			if (!b->offs)
				die("out of memory");
		}
		b->offs[b->nr++] = off;
		off += len;
	}
}

/* The name at string offset off, looked up in the blob that holds it. */
static const char *btf_str(const struct btf *b, uint32_t off)
{
	while (b->base && off < b->start_str)
		b = b->base;
	off -= b->start_str;
	if (off >= b->strs_len || !memchr(b->strs + off, 0, b->strs_len - off))
		die("BTF string offset %u out of bounds", off + b->start_str);
	return b->strs + off;
}

/*
 * The BTF of a file: raw BTF, or the section secname of an ELF file.
 * Returns 0 when an ELF file has no such section.
 */
static int btf_load(struct btf *b, struct file *f, const char *secname, const struct btf *base)
{
	struct elf e;
	size_t i;

	if (!is_elf(f)) {
		btf_parse(b, f->buf, f->size, base, f->path);
		return 1;
	}
	elf_open(&e, f);
	i = elf_find(&e, secname);
	if (!i || !elf_data(&e, i))
		return 0;
	btf_parse(b, elf_data(&e, i), e.sh[i].sh_size, base, f->path);
	return 1;
}

static int kind_of(const char *s, size_t *len)
{
	static const struct { const char *s; int kind; } kinds[] = {
		{ "func__", KIND_FUNC }, { "struct__", KIND_STRUCT },
		{ "union__", KIND_UNION }, { "typedef__", KIND_TYPEDEF },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		*len = strlen(kinds[i].s);
		if (!strncmp(s, kinds[i].s, *len))
			return kinds[i].kind;
	}
	return 0;
}

static const char *kind_name(int kind)
{
	switch (kind) {
	case KIND_FUNC: return "func";
	case KIND_STRUCT: return "struct";
	case KIND_UNION: return "union";
	case KIND_TYPEDEF: return "typedef";
	}
	return "?";
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x, y;

	memcpy(&x, a, 4);
	memcpy(&y, b, 4);
	return x < y ? -1 : x > y;
}

/*
 * Sort n records of rsize bytes, each starting with a u32 key, by that key.
 * Stable (insertion sort; sets are small), so pairs with equal ids keep
 * their order, as with glibc's merge-sorting qsort() in resolve_btfids.
 */
static void sort_by_u32(uint8_t *rec, uint32_t n, size_t rsize)
{
	uint8_t tmp[8];
	uint32_t i, j;

	for (i = 1; i < n; i++) {
		memcpy(tmp, rec + i * rsize, rsize);
		for (j = i; j > 0 && cmp_u32(rec + (j - 1) * rsize, tmp) > 0; j--)
			memcpy(rec + j * rsize, rec + (j - 1) * rsize, rsize);
		memcpy(rec + j * rsize, tmp, rsize);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: btfids [-v] -b BASE_BTF MODULE.ko\n"
		"  fills in MODULE.ko's .BTF_ids section from its BTF and BASE_BTF\n"
		"  (raw BTF, e.g. /sys/kernel/btf/vmlinux, or an ELF file with .BTF)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct want *want;
	struct slot *slot;
	struct set *set;
	size_t nwant = 0, nslot = 0, nset = 0, nsym, i, j, idx, sym_i, bad = 0;
	struct file mod, basef;
	struct btf base, dist, split;
	const struct btf *b0;
	const char *base_path = NULL, *strtab;
	struct elf e;
	Elf64_Sym *syms;
	uint8_t *ids;
	uint64_t ids_size, strtab_size;
	size_t k;
	int opt, fd;

	while ((opt = getopt(argc, argv, "vb:")) != -1) {
		switch (opt) {
		case 'v': verbose++; break;
		case 'b': base_path = optarg; break;
		default: usage();
		}
	}
	if (!base_path || optind != argc - 1)
		usage();

	read_file(&mod, argv[optind]);
	elf_open(&e, &mod);
	idx = elf_find(&e, ".BTF_ids");
	for (sym_i = 1; sym_i < e.shnum && e.sh[sym_i].sh_type != SHT_SYMTAB; sym_i++)
		;
	if (!idx || sym_i == e.shnum) {
		if (verbose)
			fprintf(stderr, "btfids: %s: no .BTF_ids or no symbols: nothing to do\n",
				mod.path);
		return 0;
	}
	if (idx >= SHN_LORESERVE)
		die("%s: .BTF_ids is section %zu, beyond what symbols can name directly",
		    mod.path, idx);
	ids = elf_data(&e, idx);
	ids_size = e.sh[idx].sh_size;
	if (!ids)
		die("%s: .BTF_ids has no contents in the file", mod.path);

	/* ---- collect the __BTF_ID__ symbols of .BTF_ids ---- */
	if (e.sh[sym_i].sh_entsize != sizeof(Elf64_Sym) || e.sh[sym_i].sh_link >= e.shnum)
		die("%s: bad symbol table", mod.path);
	syms = (Elf64_Sym *)elf_data(&e, sym_i);
	nsym = e.sh[sym_i].sh_size / sizeof(Elf64_Sym);
	strtab = (const char *)elf_data(&e, e.sh[sym_i].sh_link);
	strtab_size = e.sh[e.sh[sym_i].sh_link].sh_size;
	if (!syms || !strtab)
		die("%s: bad symbol table", mod.path);
	want = xcalloc(nsym, sizeof(*want));
	slot = xcalloc(nsym, sizeof(*slot));
	set = xcalloc(nsym, sizeof(*set));
	for (i = 1; i < nsym; i++) {
		const Elf64_Sym *s = &syms[i];
		const char *name, *p, *end;
		size_t klen;
		int kind;

		if (s->st_shndx != idx)
			continue;
		if (s->st_name >= strtab_size || !memchr(strtab + s->st_name, 0, strtab_size - s->st_name))
			die("%s: symbol %zu has a bad name", mod.path, i);
		name = strtab + s->st_name;
		if (strncmp(name, ID_PREFIX, strlen(ID_PREFIX)))
			continue;
		p = name + strlen(ID_PREFIX);
		if (!inside(s->st_value, 4, ids_size))
			die("%s: %s lies outside .BTF_ids", mod.path, name);

		if (!strncmp(p, "set8__", 6) || !strncmp(p, "set__", 5)) {
			struct set *st = &set[nset];

			st->is_set8 = p[3] == '8';
			st->name = p + (st->is_set8 ? 6 : 5);
			st->off = s->st_value;
			st->size = s->st_size;
			if (!*st->name)
				die("%s: set symbol %s has no name", mod.path, name);
			for (j = 0; j < nset; j++)
				if (set[j].is_set8 == st->is_set8 && !strcmp(set[j].name, st->name))
					die("%s: set %s defined twice", mod.path, st->name);
			nset++;
			continue;
		}
		kind = kind_of(p, &klen);
		if (!kind)
			die("%s: %s: unknown __BTF_ID__ kind", mod.path, name);
		/* <name>__<n>: the name ends at the last "__". */
		p += klen;
		end = strrchr(p, '_');
		if (!end || end == p || end[-1] != '_' || end - 1 == p)
			die("%s: cannot parse symbol %s", mod.path, name);
		end--;
		for (j = 0; j < nwant; j++)
			if (want[j].kind == kind && want[j].len == (size_t)(end - p) &&
			    !strncmp(want[j].name, p, end - p))
				break;
		if (j == nwant) {
			want[j].kind = kind;
			want[j].name = p;
			want[j].len = end - p;
			nwant++;
		}
		slot[nslot].want = j;
		slot[nslot].off = s->st_value;
		nslot++;
	}

	/* ---- look the names up: base types first, then the module's ---- */
	read_file(&basef, base_path);
	b0 = &base;
	if (btf_load(&dist, &mod, ".BTF.base", NULL)) {
		b0 = &dist;
		if (verbose)
			fprintf(stderr, "btfids: %s has .BTF.base: using it, not %s\n",
				mod.path, base_path);
	} else if (!btf_load(&base, &basef, ".BTF", NULL)) {
		die("%s: no .BTF section", base_path);
	}
	if (!btf_load(&split, &mod, ".BTF", b0))
		die("%s: no .BTF section (run pahole -J --btf_base BASE first)", mod.path);
	for (k = 0; k < 2; k++) {
		const struct btf *b = k ? &split : b0;
		uint32_t t_i;

		for (t_i = 0; t_i < b->nr; t_i++) {
			struct btf_type t;
			int kind;
			const char *n;

			memcpy(&t, b->types + b->offs[t_i], sizeof(t));
			kind = (t.info >> 24) & 0x1f;

			if (kind != KIND_FUNC && kind != KIND_STRUCT && kind != KIND_UNION &&
			    kind != KIND_TYPEDEF)
				continue;
			n = NULL;
			for (j = 0; j < nwant; j++) {
				if (want[j].kind != kind)
					continue;
				if (!n)
					n = btf_str(b, t.name_off);
				if (strncmp(n, want[j].name, want[j].len) || n[want[j].len])
					continue;
				if (!want[j].id)
					want[j].id = b->start_id + t_i;
				else if (!want[j].dup)
					want[j].dup = b->start_id + t_i;
			}
		}
	}
	for (j = 0; j < nwant; j++) {
		if (!want[j].id) {
			fprintf(stderr, "btfids: %s: no BTF %s named %.*s in the module or %s\n",
				mod.path, kind_name(want[j].kind), (int)want[j].len,
				want[j].name, base_path);
			bad++;
		} else if (want[j].dup) {
			fprintf(stderr, "btfids: warning: several BTF %s types named %.*s "
				"(ids %u and %u): using %u, as resolve_btfids does\n",
				kind_name(want[j].kind), (int)want[j].len, want[j].name,
				want[j].id, want[j].dup, want[j].id);
		} else if (verbose) {
			fprintf(stderr, "btfids: %s %.*s: id %u\n", kind_name(want[j].kind),
				(int)want[j].len, want[j].name, want[j].id);
		}
	}
	if (bad)
		die("%s: %zu name(s) unresolved; the module's BTF ids would be 0", mod.path, bad);

	/* ---- patch: the ids, then each set's count, then sort the sets ---- */
	for (i = 0; i < nslot; i++)
		memcpy(ids + slot[i].off, &want[slot[i].want].id, 4);
	for (i = 0; i < nset; i++) {
		size_t rsize = set[i].is_set8 ? 8 : 4;
		uint64_t cnt = set[i].size / rsize;
		uint32_t c;

		if (cnt < 1 || cnt - 1 > UINT32_MAX || !inside(set[i].off, cnt * rsize, ids_size))
			die("%s: set %s (size %llu) does not fit .BTF_ids", mod.path,
			    set[i].name, (unsigned long long)set[i].size);
		c = (uint32_t)(cnt - 1);
		memcpy(ids + set[i].off, &c, 4);
		sort_by_u32(ids + set[i].off + rsize, c, rsize);
		if (verbose)
			fprintf(stderr, "btfids: %s %s: %u entries sorted\n",
				set[i].is_set8 ? "set8" : "set", set[i].name, c);
	}

	fd = open(mod.path, O_WRONLY);
	if (fd < 0 || pwrite(fd, ids, ids_size, e.sh[idx].sh_offset) != (ssize_t)ids_size ||
	    close(fd) < 0)
		die("%s: cannot write .BTF_ids: %s", mod.path, strerror(errno));
	if (verbose)
		fprintf(stderr, "btfids: %s: %zu ids in %zu slots, %zu sets\n",
			mod.path, nwant, nslot, nset);
	return 0;
}
