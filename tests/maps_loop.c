// SPDX-License-Identifier: GPL-2.0
/*
 * maps_loop PID N: list PID's VMAs N times through one loaded iterator
 * (PID 0: every process).  Exits 0 if every listing succeeded and returned
 * well-formed records (start < end, page aligned, sorted per process).
 * Also says how the fast listing listed the processes (tree walk or
 * iterator), and whether the module listed them (VMALIST_MODULE: before
 * 6.7 with the module loaded, or VMSCOPE_PATH=module).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "vmalist.h"

int main(int argc, char **argv)
{
	struct vma_bpf *obj;
	long pid, n, i, bad = 0, fails = 0, total = 0, by_mod = 0;
	unsigned int tree, retry, iter;
	int err;

	if (argc != 3)
		return fprintf(stderr, "usage: maps_loop PID N\n"), 2;
	pid = strtol(argv[1], NULL, 10);
	n = strtol(argv[2], NULL, 10);
	bpf_setup();
	obj = vmalist_open(VMALIST_RECORDS | VMALIST_FAST | VMALIST_MODULE | (pid ? 0 : VMALIST_ALL),
			   &err);
	if (!obj)
		return printf("load: %s\n", strerror(-err)), 1;
	for (i = 0; i < n; i++) {
		struct vmalist l = {};
		size_t k;

		err = vmalist_collect(obj, pid, &l);
		by_mod += vmalist_by_module(obj);
		if (err) {
			fails++;
			if (fails < 5)
				printf("listing %ld: %s\n", i, strerror(-err));
		}
		for (k = 0; k < l.n; k++) {
			const struct vms_vma *r = &l.v[k];

			if (r->start >= r->end || (r->start | r->end) & 0xfff ||
			    (k && r->pid == l.v[k - 1].pid && r->start < l.v[k - 1].end))
				bad++;
		}
		total += l.n;
		vmalist_free(&l);
	}
	vmalist_fast_stats(obj, &tree, &retry, &iter);
	vmalist_close(obj);
	printf("%ld listings, %ld records, %ld failed, %ld malformed; processes by the tree walk "
	       "%u (%u walked twice), by the iterator %u; listings by the module %ld\n", n, total,
	       fails, bad, tree, retry, iter, by_mod);
	return fails || bad ? 1 : 0;
}
