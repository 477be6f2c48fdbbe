// SPDX-License-Identifier: GPL-2.0
/* vm_flags bits by name, as the running kernel defines them (vmflags.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "common.h"
#include "vmflags.h"

/* The two-letter names of fs/proc/task_mmu.c's show_smap_vma_flags(). */
static const struct { char mn[3]; const char *name; } mnemonics[] = {
	{ "rd", "read" }, { "wr", "write" }, { "ex", "exec" }, { "sh", "shared" },
	{ "mr", "mayread" }, { "mw", "maywrite" }, { "me", "mayexec" }, { "ms", "mayshare" },
	{ "gd", "growsdown" }, { "pf", "pfnmap" }, { "gu", "maybe_guard" }, { "lo", "locked" },
	{ "io", "io" }, { "sr", "seq_read" }, { "rr", "rand_read" }, { "dc", "dontcopy" },
	{ "de", "dontexpand" }, { "lf", "lockonfault" }, { "ac", "account" },
	{ "nr", "noreserve" }, { "ht", "hugetlb" }, { "sf", "sync" },
	{ "ar", "pat" },	/* VM_ARCH_1: VM_PAT on x86 */
	{ "wf", "wipeonfork" }, { "dd", "dontdump" }, { "sd", "softdirty" },
	{ "mm", "mixedmap" }, { "hg", "hugepage" }, { "nh", "nohugepage" },
	{ "mg", "mergeable" }, { "um", "uffd_missing" }, { "uw", "uffd_wp" },
	{ "ui", "uffd_minor" }, { "ur", "uffd_rwp" }, { "ss", "shadow_stack" },
	{ "dp", "droppable" }, { "sl", "sealed" },
};

/* Bits every known kernel names the same way (x86-64, include/linux/mm.h). */
static const char *const common_bits[64] = {
	[0] = "read", [1] = "write", [2] = "exec", [3] = "shared",
	[4] = "mayread", [5] = "maywrite", [6] = "mayexec", [7] = "mayshare",
	[8] = "growsdown", [9] = "uffd_missing", [10] = "pfnmap", [12] = "uffd_wp",
	[13] = "locked", [14] = "io", [15] = "seq_read", [16] = "rand_read",
	[17] = "dontcopy", [18] = "dontexpand", [19] = "lockonfault", [20] = "account",
	[21] = "noreserve", [22] = "hugetlb", [23] = "sync", [24] = "pat",
	[25] = "wipeonfork", [26] = "dontdump", [27] = "softdirty", [28] = "mixedmap",
	[29] = "hugepage", [30] = "nohugepage", [31] = "mergeable",
	[32] = "pkey_bit0", [33] = "pkey_bit1", [34] = "pkey_bit2", [35] = "pkey_bit3",
};

/* The bits that moved, per kernel whose headers were read (Debian's builds). */
struct layout {
	const char *release;	/* "major.minor" */
	struct { int bit; const char *name; } bits[8];
};
static const struct layout layouts[] = {
	{ "6.1", { { 37, "uffd_minor" } } },
	{ "6.12", { { 37, "shadow_stack" }, { 38, "uffd_minor" }, { 39, "allow_any_uncached" },
		    { 40, "droppable" }, { 63, "sealed" } } },
	{ "7.3", { { 11, "maybe_guard" }, { 37, "shadow_stack" }, { 39, "allow_any_uncached" },
		   { 40, "droppable" }, { 41, "uffd_minor" }, { 42, "sealed" },
		   { 43, "uffd_rwp" } } },
};

/* x86's protection-key bits: smaps prints nothing for them. */
#define PKEY_BITS	(0xfull << 32)

static const struct layout *running_layout(void)
{
	static const struct layout *cached;
	static int done;
	struct utsname u;
	size_t i, n;

	if (done)
		return cached;
	done = 1;
	if (uname(&u))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(layouts); i++) {
		n = strlen(layouts[i].release);
		if (!strncmp(u.release, layouts[i].release, n) &&
		    (u.release[n] == '.' || u.release[n] == '-' || !u.release[n]))
			cached = &layouts[i];
	}
	return cached;
}

static const char *layout_name(const struct layout *l, int bit)
{
	size_t i;

	if (common_bits[bit])
		return common_bits[bit];
	for (i = 0; l && i < ARRAY_SIZE(l->bits) && l->bits[i].name; i++)
		if (l->bits[i].bit == bit)
			return l->bits[i].name;
	return NULL;
}

static const char *mnemonic_name(const char *tok)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mnemonics); i++)
		if (!strcmp(tok, mnemonics[i].mn))
			return mnemonics[i].name;
	return NULL;
}

/*
 * The VmFlags line of the VMA of pid starting at start, into buf: smaps is
 * read only up to that VMA (each VMA before it costs the kernel a walk).
 */
static int smaps_vmflags(pid_t pid, uint64_t start, char *buf, size_t sz)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	bool in = false;
	int rc = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		unsigned long long s, e;
		size_t tok = strcspn(line, " ");

		if (memchr(line, '-', tok) && !memchr(line, ':', tok) &&
		    sscanf(line, "%llx-%llx", &s, &e) == 2) {
			if (in || s > start)
				break;
			in = s == start;
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			snprintf(buf, sz, "%s", line + 8);
			rc = 0;
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

/* Line the set bits up with the VmFlags names; false when they do not agree. */
static bool from_smaps(pid_t pid, uint64_t start, struct vmflags_names *out,
		       const struct layout *l)
{
	const char *toks[64];
	char buf[512], *save, *t;
	int n = 0, bit, i = 0;

	if (!pid || smaps_vmflags(pid, start, buf, sizeof(buf)))
		return false;
	for (t = strtok_r(buf, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
		if (n == 64)
			return false;
		toks[n++] = t;
	}
	for (bit = 0; bit < 64; bit++)
		if ((out->vm_flags >> bit & 1) && !(PKEY_BITS >> bit & 1))
			i++;
	if (i != n)
		return false;	/* the VMA changed, or a bit smaps leaves out */
	for (bit = 0, i = 0; bit < 64; bit++) {
		if (!(out->vm_flags >> bit & 1))
			continue;
		if (PKEY_BITS >> bit & 1) {
			out->name[bit] = common_bits[bit];
			continue;
		}
		/* "??": the kernel has no name for it; the layout may */
		out->name[bit] = strcmp(toks[i], "??") ? mnemonic_name(toks[i]) :
				 layout_name(l, bit);
		i++;
	}
	return true;
}

void vmflags_decode(pid_t pid, uint64_t start, uint64_t vm_flags, struct vmflags_names *out)
{
	const struct layout *l = running_layout();
	int bit;

	memset(out, 0, sizeof(*out));
	out->vm_flags = vm_flags;
	if (l)
		snprintf(out->release, sizeof(out->release), "%s", l->release);
	if (from_smaps(pid, start, out, l)) {
		out->how = VMFLAGS_SMAPS;
		return;
	}
	memset(out->name, 0, sizeof(out->name));
	out->how = l ? VMFLAGS_LAYOUT : VMFLAGS_COMMON;
	for (bit = 0; bit < 64; bit++)
		if (vm_flags >> bit & 1)
			out->name[bit] = layout_name(l, bit);
}

const char *vmflags_how_str(const struct vmflags_names *n, char *buf, size_t sz)
{
	if (n->how == VMFLAGS_SMAPS)
		snprintf(buf, sz, "smaps VmFlags");
	else if (n->how == VMFLAGS_LAYOUT)
		snprintf(buf, sz, "the %s layout", n->release);
	else
		snprintf(buf, sz, "bits common to 6.1, 6.12 and 7.3");
	return buf;
}
