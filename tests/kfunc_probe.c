// SPDX-License-Identifier: GPL-2.0
/*
 * kfunc_probe [syscall|iter]: load tests/progs/kfunc_probe.bpf.c and call
 * vmscope_abi_version() from a SYSCALL and/or a TRACING (iterator)
 * program.  Prints what each returned; exits 0 only if every asked-for call
 * returned VMSCOPE_ABI_VERSION.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vmscope_uapi.h"
#include "kfunc_probe.skel.h"

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_test_run_opts, ropts);
	const char *which = argc > 1 ? argv[1] : "both";
	int do_sys = strcmp(which, "iter") != 0, do_iter = strcmp(which, "syscall") != 0;
	struct kfunc_probe *skel;
	struct bpf_link *link = NULL;
	int rc = 1, fd, err;
	char buf[64];

	skel = kfunc_probe__open();
	if (!skel) {
		printf("open: %s\n", strerror(errno));
		return 1;
	}
	bpf_program__set_autoload(skel->progs.probe_syscall, do_sys);
	bpf_program__set_autoload(skel->progs.probe_iter, do_iter);
	err = kfunc_probe__load(skel);
	if (err) {
		printf("load: %s (kfunc not registered?)\n", strerror(-err));
		goto out;
	}
	if (do_sys) {
		err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.probe_syscall), &ropts);
		printf("syscall program: run %d, kfunc returned %lld\n", err,
		       (long long)skel->data->from_syscall);
		if (err || skel->data->from_syscall != VMSCOPE_ABI_VERSION)
			goto out;
	}
	if (do_iter) {
		link = bpf_program__attach_iter(skel->progs.probe_iter, NULL);
		if (!link) {
			printf("attach iter: %s\n", strerror(errno));
			goto out;
		}
		fd = bpf_iter_create(bpf_link__fd(link));
		if (fd < 0) {
			printf("iter create: %s\n", strerror(errno));
			goto out;
		}
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		printf("iterator program: kfunc returned %lld\n", (long long)skel->data->from_iter);
		if (skel->data->from_iter != VMSCOPE_ABI_VERSION)
			goto out;
	}
	rc = 0;
out:
	bpf_link__destroy(link);
	kfunc_probe__destroy(skel);
	return rc;
}
