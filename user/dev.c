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

static int dev_info(struct dev *d)
{
	__u64 i, runs = 1;

	for (i = 1; i < d->info.pages && pfns_visible(d); i++)
		runs += d->pfns[i] != d->pfns[i - 1] + 1;
	if (json_output) {
		jw_start_obj();
		json_header(d);
		if (pfns_visible(d))
			jw_u64("contiguous_runs", runs);
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
		return 0;
	}
	print_header(d);
	if (pfns_visible(d))
		printf("physical: %llu contiguous run%s\n", (unsigned long long)runs,
		       runs == 1 ? " (one block)" : "s");
	printf("\n%-6s %-18s %s\n", "PAGE", "ADDRESS", "PFN");
	for (i = 0; i < d->info.pages; i++) {
		printf("%-6llu %-18p ", (unsigned long long)i, (void *)(d->map + i * d->ps));
		if (pfns_visible(d))
			printf("0x%llx\n", (unsigned long long)d->pfns[i]);
		else
			printf("-\n");
	}
	return 0;
}

static int dev_map(struct dev *d, bool hold)
{
	__u64 i, good = 0;
	char line[64];

	for (i = 0; i < d->info.pages; i++)
		good += page_sig_ok(d->map + i * d->ps, i);
	if (json_output) {
		jw_start_obj();
		json_header(d);
		jw_u64("pages_with_signature", good);
		jw_key("page_list");
		jw_start_arr();
		for (i = 0; i < d->info.pages; i++) {
			const unsigned char *pg = d->map + i * d->ps;

			snprintf(line, sizeof(line), "%02x %02x %02x %02x %02x %02x %02x %02x",
				 pg[0], pg[1], pg[2], pg[3], pg[4], pg[5], pg[6], pg[7]);
			jw_start_obj();
			jw_u64("index", i);
			jw_hex("addr", (uintptr_t)pg);
			jw_str("bytes", line);
			jw_bool("signature_ok", page_sig_ok(pg, i));
			if (pfns_visible(d))
				jw_hex("pfn", d->pfns[i]);
			jw_end_obj();
		}
		jw_end_arr();
		jw_end_obj();
		jw_done();
	} else {
		print_header(d);
		printf("\n%-6s %-18s %-25s %-4s %s\n", "PAGE", "ADDRESS", "FIRST 8 BYTES (MMAP)",
		       "SIG", "PFN");
		for (i = 0; i < d->info.pages; i++) {
			const unsigned char *pg = d->map + i * d->ps;

			printf("%-6llu %-18p %02x %02x %02x %02x %02x %02x %02x %02x  %-4s ",
			       (unsigned long long)i, (void *)pg, pg[0], pg[1], pg[2], pg[3], pg[4],
			       pg[5], pg[6], pg[7], page_sig_ok(pg, i) ? "ok" : "BAD");
			if (pfns_visible(d))
				printf("0x%llx\n", (unsigned long long)d->pfns[i]);
			else
				printf("-\n");
		}
		printf("\n%llu of %llu pages show aa bb cc dd + their index through the mapping\n",
		       (unsigned long long)good, (unsigned long long)d->info.pages);
	}
	fflush(stdout);
	if (hold) {
		/* Keep the mapping alive for e.g. 'vmscope page PID ADDR'. */
		fprintf(stderr, "holding the mapping of pid %d at %p until stdin closes\n",
			(int)getpid(), (void *)d->map);
		while (fgets(line, sizeof(line), stdin))
			;
	}
	return good == d->info.pages ? 0 : 1;
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

static int dev_fill(struct dev *d, const char *text, __u64 off)
{
	size_t n = strlen(text);
	unsigned char before[64], after[64], *at;
	char back[64];
	ssize_t w, r;
	bool seen, back_ok;

	if (n > 32) {
		p_usage("dev", "fill: TEXT is longer than 32 bytes");
		return EXIT_USAGE;
	}
	if (off > d->info.size || n > d->info.size - off) {
		p_usage("dev", "fill: offset %llu + %zu bytes is past the buffer (%llu bytes)",
			(unsigned long long)off, n, (unsigned long long)d->info.size);
		return EXIT_USAGE;
	}
	at = d->map + off;
	memcpy(before, at, n);
	w = pwrite(d->fd, text, n, off);
	if (w != (ssize_t)n) {
		p_error(w < 0 ? errno : EIO, "fill: write(): %s",
			w < 0 ? strerror(errno) : "short write");
		return 1;
	}
	memcpy(after, at, n);
	seen = !memcmp(after, text, n);
	/* And the other way: a store to the mapping, read back with read(). */
	for (size_t i = 0; i < n; i++)
		at[i] = (unsigned char)toupper(at[i]);
	r = pread(d->fd, back, n, off);
	back_ok = r == (ssize_t)n && !memcmp(back, at, n);

	if (json_output) {
		jw_start_obj();
		json_header(d);
		jw_u64("offset", off);
		jw_str("text", text);
		jw_bool("write_seen_in_mapping", seen);
		jw_bool("store_seen_by_read", back_ok);
		jw_end_obj();
		jw_done();
	} else {
		print_header(d);
		printf("\n");
		show_bytes("mapping before:", before, n);
		printf("write(fd, \"%s\", %zu) at offset %llu (page %llu)\n", text, n,
		       (unsigned long long)off, (unsigned long long)(off / d->ps));
		show_bytes("mapping after write:", after, n);
		printf("  -> %s\n", seen ? "the mapping shows the written bytes"
					 : "MISMATCH: the mapping does not show them");
		printf("store to the mapping (upper case), then read(fd):\n");
		show_bytes("read() returns:", (unsigned char *)back, r > 0 ? (size_t)r : 0);
		printf("  -> %s\n", back_ok ? "read() shows the stored bytes"
					    : "MISMATCH: read() does not show them");
	}
	return seen && back_ok ? 0 : 1;
}

static int do_dev(int argc, char **argv)
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
	struct dev d = { .path = VMS_DEV_PATH, .fd = -1 };
	const char *cmd = argv[0], *sub, *text = NULL;
	uint64_t pages = 0, off = 0;
	bool hold = false, have_off = false;
	__u64 backing = 0;
	int c, rc;

	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) != -1) {
		switch (c) {
		case 'P':
			if (parse_uint(optarg, "page count", &pages))
				return EXIT_USAGE;
			if (!pages || pages > VMS_DEV_MAX_PAGES) {
				p_usage(cmd, "--pages must be 1..%d", VMS_DEV_MAX_PAGES);
				return EXIT_USAGE;
			}
			continue;
		case 'B':
			if (parse_backing(optarg, &backing))
				return EXIT_USAGE;
			continue;
		case 'O':
			if (parse_size(optarg, "offset", &off))
				return EXIT_USAGE;
			have_off = true;
			continue;
		case 'D':
			d.path = optarg;
			continue;
		case 'H':
			hold = true;
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
	if (strcmp(sub, "info") && strcmp(sub, "map") && strcmp(sub, "fill")) {
		p_usage(cmd, "unknown subcommand '%s': expected info, map or fill", sub);
		return EXIT_USAGE;
	}
	if (!strcmp(sub, "fill")) {
		if (argc - optind != 2) {
			p_usage(cmd, "fill: expected TEXT");
			return EXIT_USAGE;
		}
		text = argv[optind + 1];
	} else if (argc - optind != 1) {
		p_usage(cmd, "%s: unexpected argument '%s'", sub, argv[optind + 1]);
		return EXIT_USAGE;
	}
	if ((have_off && strcmp(sub, "fill")) || (hold && strcmp(sub, "map"))) {
		p_usage(cmd, "--offset goes with fill, --hold with map");
		return EXIT_USAGE;
	}
	if (dev_setup(&d, pages, backing)) {
		dev_close(&d);
		return EXIT_RUNTIME;
	}
	if (!strcmp(sub, "info"))
		rc = dev_info(&d);
	else if (!strcmp(sub, "map"))
		rc = dev_map(&d, hold);
	else
		rc = dev_fill(&d, text, off);
	dev_close(&d);
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
