// SPDX-License-Identifier: GPL-2.0
/*
 * The vmscope module as user space sees it: loaded or not, with BTF or
 * not, which ABI it speaks (its abi parameter, or for a module older than
 * that, abi.bpf.c calling vmscope_abi_version()), where
 * a module for this kernel can be found, and what to tell a user whose
 * commands need it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include "common.h"
#include "module.h"
#include "abi.lskel.h"

static void sysfs_line(const char *path, char *buf, size_t sz)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (!f)
		return;
	if (fgets(buf, (int)sz, f))
		buf[strcspn(buf, "\n")] = 0;
	else
		buf[0] = 0;
	fclose(f);
}

/*
 * The module's abi parameter (kmod/main.c): the ABI, or 0 when the
 * module has no such parameter (it is older than the parameter).
 */
static int module_abi_param(void)
{
	char buf[32], *end;
	long a;

	sysfs_line("/sys/module/vmscope/parameters/abi", buf, sizeof(buf));
	if (!buf[0])
		return 0;
	errno = 0;
	a = strtol(buf, &end, 10);
	return !errno && !*end && a > 0 && a <= INT_MAX ? (int)a : 0;
}

int module_abi(void)
{
	LIBBPF_OPTS(bpf_test_run_opts, ropts);
	struct abi *skel;
	int err;

	if (access("/sys/module/vmscope", F_OK))
		return 0;
	/* Loaded without BTF: its kfuncs are not registered. */
	if (access("/sys/kernel/btf/vmscope", F_OK))
		return 0;
	err = module_abi_param();
	if (err)
		return err;
	/* A module older than the parameter: ask its kfunc. */
	skel = abi__open();
	if (!skel)
		return -errno;
	err = abi__load(skel);
	if (!err)
		err = bpf_prog_test_run_opts(skel->progs.abi_probe.prog_fd, &ropts);
	if (!err)
		err = (int)skel->bss->abi_version;
	abi__destroy(skel);
	return err;
}

/* The release a module was built for: the first word of its vermagic. */
static int ko_vermagic(const char *path, char *out, size_t sz)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int fd, err = -ENOENT;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		goto out;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		const char *p, *end;

		if (!gelf_getshdr(scn, &sh) ||
		    strcmp(elf_strptr(elf, shstrndx, sh.sh_name) ?: "", ".modinfo"))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			break;
		for (p = d->d_buf, end = p + d->d_size; p < end; p += strnlen(p, end - p) + 1) {
			if (!strncmp(p, "vermagic=", 9)) {
				snprintf(out, sz, "%.*s", (int)strcspn(p + 9, " "), p + 9);
				err = 0;
				break;
			}
		}
		break;
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return err;
}

/* A vmscope.ko[.xz|.zst|.gz] somewhere under dir, into out. */
static bool find_ko(const char *dir, int depth, char *out, size_t sz)
{
	struct dirent *e;
	bool found = false;
	DIR *d;

	if (depth > 6 || !(d = opendir(dir)))
		return false;
	while (!found && (e = readdir(d))) {
		char path[PATH_MAX];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!strncmp(e->d_name, "vmscope.ko", 10)) {
			snprintf(out, sz, "%.*s", (int)sz - 1, path);
			found = true;
		} else if (e->d_type == DT_DIR) {
			found = find_ko(path, depth + 1, out, sz);
		}
	}
	closedir(d);
	return found;
}

/* The first line of a sysfs file, without its newline; "" if unreadable. */

void module_state(struct module_state *st)
{
	char exe[PATH_MAX], dir[PATH_MAX + 16];
	struct utsname u;
	ssize_t n;

	memset(st, 0, sizeof(*st));
	uname(&u);
	/* /proc/modules exists only where the kernel can load modules. */
	st->kernel_modules = access("/proc/modules", F_OK) == 0;
	st->loaded = access("/sys/module/vmscope", F_OK) == 0;
	st->btf = access("/sys/kernel/btf/vmscope", F_OK) == 0;
	st->abi = st->loaded ? module_abi() : 0;
	if (st->loaded) {
		sysfs_line("/sys/module/vmscope/version", st->version, sizeof(st->version));
		/* A module older than this CLI may lack the parameter: "" then. */
		sysfs_line("/sys/module/vmscope/parameters/kfunc_callers", st->kfunc_callers,
			   sizeof(st->kfunc_callers));
	}
	snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	find_ko(dir, 0, st->installed, sizeof(st->installed));

	/* A source tree's build/: the CLI is build/vmscope, modules build/kmod/NAME/. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		DIR *d;
		struct dirent *e;

		exe[n] = 0;
		*strrchr(exe, '/') = 0;
		snprintf(dir, sizeof(dir), "%s/kmod", exe);
		d = opendir(dir);
		while (d && (e = readdir(d))) {
			char ko[PATH_MAX * 2], vm[128];

			if (e->d_name[0] == '.')
				continue;
			snprintf(ko, sizeof(ko), "%s/%s/vmscope.ko", dir, e->d_name);
			if (ko_vermagic(ko, vm, sizeof(vm)))
				continue;
			/* Prefer one that matches the running kernel. */
			if (!st->built[0] || !strcmp(vm, u.release)) {
				snprintf(st->built, sizeof(st->built), "%.*s",
					 (int)sizeof(st->built) - 1, ko);
				snprintf(st->built_vermagic, sizeof(st->built_vermagic), "%s", vm);
			}
		}
		if (d)
			closedir(d);
	}
	{
		DIR *d = opendir("/usr/src");
		struct dirent *e;

		while (d && (e = readdir(d)))
			if (!strncmp(e->d_name, "vmscope-", 8))
				snprintf(st->dkms_src, sizeof(st->dkms_src), "/usr/src/%.*s",
					 (int)sizeof(st->dkms_src) - 10, e->d_name);
		if (d)
			closedir(d);
	}
}

const char *module_load_hint(void)
{
	static char hint[1024];
	struct module_state st;
	struct utsname u;

	uname(&u);
	module_state(&st);
	if (!st.kernel_modules)
		snprintf(hint, sizeof(hint), "this kernel (%s) cannot load modules at all "
			 "(built without module support)", u.release);
	else if (st.installed[0])
		snprintf(hint, sizeof(hint), "load it with 'modprobe vmscope'");
	else if (st.built[0] && !strcmp(st.built_vermagic, u.release))
		snprintf(hint, sizeof(hint), "load it with 'insmod %s'", st.built);
	else if (st.dkms_src[0]) {
		/* /usr/src/vmscope-0.3.0 is DKMS's vmscope/0.3.0. */
		const char *d = strrchr(st.dkms_src, '/') + 1, *dash = strchr(d, '-');

		snprintf(hint, sizeof(hint), "build it for this kernel with 'dkms install %.*s/%s "
			 "-k %s' (needs linux-headers-%s), then 'modprobe vmscope'",
			 dash ? (int)(dash - d) : (int)strlen(d), d, dash ? dash + 1 : "", u.release,
			 u.release);
	}
	else if (st.built[0])
		snprintf(hint, sizeof(hint), "%s is for %s, not this kernel (%s): build one with "
			 "'make kmod KERNEL=host' (needs linux-headers-%s), then "
			 "'insmod build/kmod/host/vmscope.ko'", st.built, st.built_vermagic,
			 u.release, u.release);
	else
		snprintf(hint, sizeof(hint), "install the vmscope-dkms package and 'modprobe "
			 "vmscope', or in a source tree 'make kmod KERNEL=host && insmod "
			 "build/kmod/host/vmscope.ko'");
	return hint;
}

int require_module(const char *cmd)
{
	int abi = module_abi();

	if (abi < 0) {
		p_error(abi, "%s: cannot run BPF: %s", cmd, bpf_err_hint(abi));
		return abi;
	}
	if (abi == 0) {
		if (access("/sys/module/vmscope", F_OK) == 0)
			p_error(ENOENT, "%s: the vmscope module is loaded without BTF, so its kfuncs "
				"are not registered: rebuild it for this kernel with pahole (dwarves) "
				"installed (its build log says why it got none) and reload it", cmd);
		else
			p_error(ENOENT, "%s: needs the vmscope kernel module, which is not loaded: %s",
				cmd, module_load_hint());
		return -ENOENT;
	}
	if (abi != VMSCOPE_ABI_VERSION) {
		p_error(EPROTO, "%s: the loaded vmscope module speaks ABI %d but this vmscope "
			"speaks ABI %d: install or build both from one version and reload the "
			"module", cmd, abi, VMSCOPE_ABI_VERSION);
		return -EPROTO;
	}
	return 0;
}
