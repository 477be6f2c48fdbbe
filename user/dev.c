// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope dev: the /dev/vmscope mmap device in action.
 *   info  the buffer's settings and the PFN behind each page
 *   map   the signature of every page, read through the mapping
 *   fill  a write() seen in the mapping, a store seen by read()
 * Every open of the device has its own buffer, so each run shows one.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "cmds.h"
#include "common.h"
#include "module.h"
#include "vmscope_dev_uapi.h"

static const char *const backing_names[] = {
	[VMS_DEV_KMALLOC] = "kmalloc",
	[VMS_DEV_VMALLOC] = "vmalloc",
	[VMS_DEV_PAGES] = "pages",
};

static const char *const backing_help[] = {
	[VMS_DEV_KMALLOC] = "one physically contiguous kmalloc(), one remap_pfn_range()",
	[VMS_DEV_VMALLOC] = "vmalloc_user(), mapped page by page via vmalloc_to_pfn()",
	[VMS_DEV_PAGES] = "one alloc_page() per page, mapped page by page",
};

struct dev {
	const char *path;
	int fd;
	long ps;
	struct vms_dev_info info;
	unsigned char *map;
	__u64 *pfns;
};

enum dev_sub { DEV_INFO, DEV_MAP, DEV_FILL };
static const char *const sub_names[] = { "info", "map", "fill" };

struct dev_opts {
	const char *cmd;
	const char *path;	/* --device */
	enum dev_sub sub;
	uint64_t pages, off;
	__u64 backing;
	const char *text;	/* fill's TEXT */
	bool hold;
};

/* What a subcommand found; the device stays open and mapped until rendered. */
struct dev_result {
	struct dev d;
	enum dev_sub sub;
	bool ok;		/* the exit status: 0, or 1 for a mismatch */
	__u64 runs;		/* info: physically contiguous runs of PFNs */
	unsigned char (*head)[VMS_DEV_SIG_LEN];	/* map: each page's first bytes */
	__u64 good;		/* map: pages that show their signature */
	const char *text;	/* fill: the text written at off, n bytes */
	size_t n;
	__u64 off;
	unsigned char before[64], after[64], back[64];	/* mapping, mapping, read() */
	ssize_t got;		/* what read() returned */
	bool seen, back_ok;
};

static int parse_backing(const char *s, __u64 *b)
{
	size_t i;

	for (i = 1; i < ARRAY_SIZE(backing_names); i++) {
		if (!strcmp(s, backing_names[i])) {
			*b = i;
			return 0;
		}
	}
	p_usage("dev", "unknown backing '%s': expected kmalloc, vmalloc or pages", s);
	return -EINVAL;
}

static const char *bname(__u64 b)
{
	return b && b < ARRAY_SIZE(backing_names) ? backing_names[b] : "unknown";
}

/* Open, configure, map the whole buffer, fetch the PFNs.  1 on error. */
static int dev_setup(struct dev *d, __u64 pages, __u64 backing)
{
	struct vms_dev_backing_arg b = { .backing = backing };
	struct vms_dev_pages p = { .pages = pages };
	size_t len;

	d->ps = sysconf(_SC_PAGESIZE);
	d->fd = open(d->path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		int e = errno;

		if (e == ENOENT)
			p_error(e, "%s: no such device: the vmscope module is not loaded: %s", d->path,
				module_load_hint());
		else if (e == EACCES)
			p_error(e, "%s: permission denied: the device is root-only (mode 0600)",
				d->path);
		else
			p_error(e, "%s: %s", d->path, strerror(e));
		return 1;
	}
	if (backing && ioctl(d->fd, VMS_DEV_IOC_SET_BACKING, &b)) {
		p_error(errno, "%s: setting backing %s: %s", d->path, bname(backing), strerror(errno));
		return 1;
	}
	if (pages && ioctl(d->fd, VMS_DEV_IOC_SET_PAGES, &p)) {
		p_error(errno, "%s: setting %llu pages: %s (1..%d)", d->path,
			(unsigned long long)pages, strerror(errno), VMS_DEV_MAX_PAGES);
		return 1;
	}
	if (ioctl(d->fd, VMS_DEV_IOC_INFO, &d->info)) {
		p_error(errno, "%s: info: %s", d->path, strerror(errno));
		return 1;
	}
	len = d->info.size;
	d->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, 0);
	if (d->map == MAP_FAILED) {
		d->map = NULL;
		p_error(errno, "%s: mmap of %zu bytes: %s", d->path, len, strerror(errno));
		return 1;
	}
	d->pfns = calloc(d->info.pages, sizeof(*d->pfns));
	if (!d->pfns) {
		p_error(ENOMEM, "dev: out of memory");
		return 1;
	}
	memset(&d->info, 0, sizeof(d->info));
	d->info.pfns = (uintptr_t)d->pfns;
	d->info.pfn_count = len / d->ps;
	if (ioctl(d->fd, VMS_DEV_IOC_INFO, &d->info)) {
		p_error(errno, "%s: info: %s", d->path, strerror(errno));
		return 1;
	}
	return 0;
}

static void dev_close(struct dev *d)
{
	if (d->map)
		munmap(d->map, d->info.size);
	if (d->fd >= 0)
		close(d->fd);
	free(d->pfns);
}

static bool page_sig_ok(const unsigned char *pg, __u64 i)
{
	return pg[0] == VMS_DEV_SIG0 && pg[1] == VMS_DEV_SIG1 && pg[2] == VMS_DEV_SIG2 &&
	       pg[3] == VMS_DEV_SIG3 &&
	       (pg[4] | pg[5] << 8 | pg[6] << 16 | (__u64)pg[7] << 24) == i;
}

static bool pfns_visible(const struct dev *d)
{
	return d->info.flags & VMS_DEV_F_PFNS;
}

static void print_header(const struct dev *d)
{
	char sz[32];

	printf("device:   %s (pid %d)\n", d->path, (int)getpid());
	printf("backing:  %s: %s\n", bname(d->info.backing),
	       d->info.backing < ARRAY_SIZE(backing_help) ? backing_help[d->info.backing] : "?");
	printf("size:     %llu pages (%s)\n", (unsigned long long)d->info.pages,
	       fmt_size(d->info.size, sz, sizeof(sz)));
	printf("mapped:   %p-%p MAP_SHARED\n", (void *)d->map, (void *)(d->map + d->info.size));
	if (!pfns_visible(d))
		printf("PFNs:     hidden (they need CAP_SYS_ADMIN)\n");
}

static void json_header(const struct dev *d)
{
	jw_str("device", d->path);
	jw_i64("pid", getpid());
	jw_str("backing", bname(d->info.backing));
	jw_u64("pages", d->info.pages);
	jw_u64("size", d->info.size);
	jw_hex("addr", (uintptr_t)d->map);
	jw_bool("pfns_visible", pfns_visible(d));
}

static void print_info_plain(const struct dev_result *r)
{
	const struct dev *d = &r->d;
	__u64 i;

	print_header(d);
	if (pfns_visible(d))
		printf("physical: %llu contiguous run%s\n", (unsigned long long)r->runs,
		       r->runs == 1 ? " (one block)" : "s");
	printf("\n%-6s %-18s %s\n", "PAGE", "ADDRESS", "PFN");
	for (i = 0; i < d->info.pages; i++) {
		printf("%-6llu %-18p ", (unsigned long long)i, (void *)(d->map + i * d->ps));
		if (pfns_visible(d))
			printf("0x%llx\n", (unsigned long long)d->pfns[i]);
		else
			printf("-\n");
	}
}

static void print_info_json(const struct dev_result *r)
{
	const struct dev *d = &r->d;
	__u64 i;

	jw_start_obj();
	json_header(d);
	if (pfns_visible(d))
		jw_u64("contiguous_runs", r->runs);
	jw_key("page_list");
	jw_start_arr();
	for (i = 0; i < d->info.pages; i++) {
		jw_start_obj();
		jw_u64("index", i);
		jw_hex("addr", (uintptr_t)(d->map + i * d->ps));
		if (pfns_visible(d))
			jw_hex("pfn", d->pfns[i]);
		else
			jw_null("pfn");
		jw_end_obj();
	}
	jw_end_arr();
	jw_end_obj();
	jw_done();
}

static void print_map_plain(const struct dev_result *r)
{
	const struct dev *d = &r->d;
	__u64 i;

	print_header(d);
	printf("\n%-6s %-18s %-25s %-4s %s\n", "PAGE", "ADDRESS", "FIRST 8 BYTES (MMAP)",
	       "SIG", "PFN");
	for (i = 0; i < d->info.pages; i++) {
		const unsigned char *pg = r->head[i];

		printf("%-6llu %-18p %02x %02x %02x %02x %02x %02x %02x %02x  %-4s ",
		       (unsigned long long)i, (void *)(d->map + i * d->ps), pg[0], pg[1], pg[2],
		       pg[3], pg[4], pg[5], pg[6], pg[7], page_sig_ok(pg, i) ? "ok" : "BAD");
		if (pfns_visible(d))
			printf("0x%llx\n", (unsigned long long)d->pfns[i]);
		else
			printf("-\n");
	}
	printf("\n%llu of %llu pages show aa bb cc dd + their index through the mapping\n",
	       (unsigned long long)r->good, (unsigned long long)d->info.pages);
}

static void print_map_json(const struct dev_result *r)
{
	const struct dev *d = &r->d;
	char line[64];
	__u64 i;

	jw_start_obj();
	json_header(d);
	jw_u64("pages_with_signature", r->good);
	jw_key("page_list");
	jw_start_arr();
	for (i = 0; i < d->info.pages; i++) {
		const unsigned char *pg = r->head[i];

		snprintf(line, sizeof(line), "%02x %02x %02x %02x %02x %02x %02x %02x",
			 pg[0], pg[1], pg[2], pg[3], pg[4], pg[5], pg[6], pg[7]);
		jw_start_obj();
		jw_u64("index", i);
		jw_hex("addr", (uintptr_t)(d->map + i * d->ps));
		jw_str("bytes", line);
		jw_bool("signature_ok", page_sig_ok(pg, i));
		if (pfns_visible(d))
			jw_hex("pfn", d->pfns[i]);
		jw_end_obj();
	}
	jw_end_arr();
	jw_end_obj();
	jw_done();
}

static void show_bytes(const char *what, const unsigned char *p, size_t n)
{
	size_t i;

	printf("%-22s", what);
	for (i = 0; i < n; i++)
		printf(" %02x", p[i]);
	printf("  |");
	for (i = 0; i < n; i++)
		putchar(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.');
	printf("|\n");
}

static void print_fill_plain(const struct dev_result *r)
{
	print_header(&r->d);
	printf("\n");
	show_bytes("mapping before:", r->before, r->n);
	printf("write(fd, \"%s\", %zu) at offset %llu (page %llu)\n", r->text, r->n,
	       (unsigned long long)r->off, (unsigned long long)(r->off / r->d.ps));
	show_bytes("mapping after write:", r->after, r->n);
	printf("  -> %s\n", r->seen ? "the mapping shows the written bytes"
				    : "MISMATCH: the mapping does not show them");
	printf("store to the mapping (upper case), then read(fd):\n");
	show_bytes("read() returns:", r->back, r->got > 0 ? (size_t)r->got : 0);
	printf("  -> %s\n", r->back_ok ? "read() shows the stored bytes"
				       : "MISMATCH: read() does not show them");
}

static void print_fill_json(const struct dev_result *r)
{
	jw_start_obj();
	json_header(&r->d);
	jw_u64("offset", r->off);
	jw_str("text", r->text);
	jw_bool("write_seen_in_mapping", r->seen);
	jw_bool("store_seen_by_read", r->back_ok);
	jw_end_obj();
	jw_done();
}

static const struct {
	void (*plain)(const struct dev_result *r);
	void (*json)(const struct dev_result *r);
} dev_printers[] = {
	[DEV_INFO] = { print_info_plain, print_info_json },
	[DEV_MAP] = { print_map_plain, print_map_json },
	[DEV_FILL] = { print_fill_plain, print_fill_json },
};

/* Options and arguments into o; returns -1 to go on, or the exit status. */
static int dev_opts(int argc, char **argv, struct dev_opts *o)
{
	static const struct option longopts[] = {
		{ "pages", required_argument, NULL, 'P' },
		{ "backing", required_argument, NULL, 'B' },
		{ "offset", required_argument, NULL, 'O' },
		{ "device", required_argument, NULL, 'D' },
		{ "hold", no_argument, NULL, 'H' },
		COMMON_LONG,
		{}
	};
	const char *cmd = argv[0], *sub;
	bool have_off = false;
	int c, rc;

	o->cmd = cmd;
	o->path = VMS_DEV_PATH;
	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) != -1) {
		switch (c) {
		case 'P':
			if (parse_uint(optarg, "page count", &o->pages))
				return EXIT_USAGE;
			if (!o->pages || o->pages > VMS_DEV_MAX_PAGES) {
				p_usage(cmd, "--pages must be 1..%d", VMS_DEV_MAX_PAGES);
				return EXIT_USAGE;
			}
			continue;
		case 'B':
			if (parse_backing(optarg, &o->backing))
				return EXIT_USAGE;
			continue;
		case 'O':
			if (parse_size(optarg, "offset", &o->off))
				return EXIT_USAGE;
			have_off = true;
			continue;
		case 'D':
			o->path = optarg;
			continue;
		case 'H':
			o->hold = true;
			continue;
		}
		rc = cmd_common(cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (optind >= argc) {
		p_usage(cmd, "expected info, map or fill");
		return EXIT_USAGE;
	}
	sub = argv[optind];
	for (o->sub = 0; o->sub < ARRAY_SIZE(sub_names); o->sub++)
		if (!strcmp(sub, sub_names[o->sub]))
			break;
	if (o->sub == ARRAY_SIZE(sub_names)) {
		p_usage(cmd, "unknown subcommand '%s': expected info, map or fill", sub);
		return EXIT_USAGE;
	}
	if (o->sub == DEV_FILL) {
		if (argc - optind != 2) {
			p_usage(cmd, "fill: expected TEXT");
			return EXIT_USAGE;
		}
		o->text = argv[optind + 1];
	} else if (argc - optind != 1) {
		p_usage(cmd, "%s: unexpected argument '%s'", sub, argv[optind + 1]);
		return EXIT_USAGE;
	}
	if ((have_off && o->sub != DEV_FILL) || (o->hold && o->sub != DEV_MAP)) {
		p_usage(cmd, "--offset goes with fill, --hold with map");
		return EXIT_USAGE;
	}
	return -1;
}

/*
 * fill: write() the text, look at the mapping, store to the mapping, read()
 * it back.  TEXT's length and --offset are checked here, once the buffer is
 * set up: the offset's limit is the buffer's size.
 */
static int dev_fill(const struct dev_opts *o, struct dev_result *r)
{
	const struct dev *d = &r->d;
	unsigned char *at;
	ssize_t w;

	r->text = o->text;
	r->n = strlen(o->text);
	r->off = o->off;
	if (r->n > 32) {
		p_usage("dev", "fill: TEXT is longer than 32 bytes");
		return EXIT_USAGE;
	}
	if (r->off > d->info.size || r->n > d->info.size - r->off) {
		p_usage("dev", "fill: offset %llu + %zu bytes is past the buffer (%llu bytes)",
			(unsigned long long)r->off, r->n, (unsigned long long)d->info.size);
		return EXIT_USAGE;
	}
	at = d->map + r->off;
	memcpy(r->before, at, r->n);
	w = pwrite(d->fd, r->text, r->n, r->off);
	if (w != (ssize_t)r->n) {
		p_error(w < 0 ? errno : EIO, "fill: write(): %s",
			w < 0 ? strerror(errno) : "short write");
		return EXIT_RUNTIME;
	}
	memcpy(r->after, at, r->n);
	r->seen = !memcmp(r->after, r->text, r->n);
	/* And the other way: a store to the mapping, read back with read(). */
	for (size_t i = 0; i < r->n; i++)
		at[i] = (unsigned char)toupper(at[i]);
	r->got = pread(d->fd, r->back, r->n, r->off);
	r->back_ok = r->got == (ssize_t)r->n && !memcmp(r->back, at, r->n);
	r->ok = r->seen && r->back_ok;
	return 0;
}

/*
 * Set the device up and run the subcommand into r; the device stays open
 * and mapped until dev_close(&r->d).  Returns 0, or the exit status after
 * printing why.
 */
static int dev_run(const struct dev_opts *o, struct dev_result *r)
{
	struct dev *d = &r->d;
	__u64 i;

	r->sub = o->sub;
	d->path = o->path;
	if (dev_setup(d, o->pages, o->backing))
		return EXIT_RUNTIME;
	switch (o->sub) {
	case DEV_INFO:
		r->runs = 1;
		for (i = 1; i < d->info.pages && pfns_visible(d); i++)
			r->runs += d->pfns[i] != d->pfns[i - 1] + 1;
		r->ok = true;
		return 0;
	case DEV_MAP:
		r->head = calloc(d->info.pages, sizeof(*r->head));
		if (!r->head) {
			p_error(ENOMEM, "dev: out of memory");
			return EXIT_RUNTIME;
		}
		for (i = 0; i < d->info.pages; i++) {
			memcpy(r->head[i], d->map + i * d->ps, sizeof(r->head[i]));
			r->good += page_sig_ok(r->head[i], i);
		}
		r->ok = r->good == d->info.pages;
		return 0;
	case DEV_FILL:
		return dev_fill(o, r);
	}
	return 0;
}

/* map --hold: keep the mapping alive for e.g. 'vmscope page PID ADDR'. */
static void dev_hold(const struct dev *d)
{
	char line[64];

	fflush(stdout);
	fprintf(stderr, "holding the mapping of pid %d at %p until stdin closes\n",
		(int)getpid(), (void *)d->map);
	while (fgets(line, sizeof(line), stdin))
		;
}

static int do_dev(int argc, char **argv)
{
	struct dev_opts o = {};
	struct dev_result r = { .d = { .fd = -1 } };
	int rc;

	rc = dev_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	rc = dev_run(&o, &r);
	if (!rc) {
		if (json_output)
			dev_printers[r.sub].json(&r);
		else
			dev_printers[r.sub].plain(&r);
		if (o.hold)
			dev_hold(&r.d);
		rc = r.ok ? 0 : EXIT_RUNTIME;
	}
	dev_close(&r.d);
	free(r.head);
	return rc;
}

const struct cmd cmd_dev = {
	.name = "dev",
	.fn = do_dev,
	.usage = "dev [OPTIONS] info|map|fill TEXT",
	.summary = "the /dev/vmscope mmap device in action",
	.help = "  info               the buffer's pages and the PFN behind each\n"
	        "  map                every page's signature, read through the mapping\n"
	        "  fill TEXT          a write() seen in the mapping, a store seen by read()\n"
	        "      --pages N      buffer size, 1..1024 pages (default 16)\n"
	        "      --backing B    kmalloc (default), vmalloc or pages\n"
	        "      --offset N     where fill writes (decimal or 0x hex, K, M, G)\n"
	        "      --hold         map: keep the mapping until stdin closes\n"
	        "      --device PATH  another device node (default /dev/vmscope)\n"
	        "examples:\n"
	        "  vmscope dev info --backing vmalloc --pages 4\n"
	        "  vmscope dev fill hello --offset 8200\n",
	.needs_module = 1,
};
