// SPDX-License-Identifier: GPL-2.0
/* What backs a VMA (backing.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include "backing.h"

#define TMPFS_MAGIC_	0x01021994

const char *const backing_names[BK_NR] = {
	"anon", "file", "shmem", "hugetlb", "special", "pfnmap",
};

static bool starts_with(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

enum backing vma_backing(pid_t pid, const struct vms_vma *v, const char *name,
			 const char **what)
{
	const char *w = NULL;
	enum backing b;
	char path[96];
	struct statfs sf;

	name = name ? name : "";
	if (v->vm_flags & (VMS_VM_PFNMAP | VMS_VM_IO)) {
		b = BK_PFNMAP;
	} else if ((v->vm_flags & VMS_VM_HUGETLB) || starts_with(name, "/anon_hugepage")) {
		b = BK_HUGETLB;
		w = starts_with(name, "/anon_hugepage") ? "anonymous hugetlb memory (MAP_HUGETLB)" :
		    starts_with(name, "/SYSV") ? "SysV shared memory on hugetlb (SHM_HUGETLB)" :
		    "a hugetlbfs file";
	} else if (!v->ino) {
		b = v->name_kind == VMS_NAME_SPECIAL ? BK_SPECIAL : BK_ANON;
	} else {
		if (v->name_kind == VMS_NAME_ANON_SHMEM || starts_with(name, "/dev/zero"))
			w = "shared anonymous memory";
		else if (starts_with(name, "/memfd:"))
			w = "a memfd";
		else if (starts_with(name, "/SYSV"))
			w = "SysV shared memory";
		else if (v->dev >> 20 == 0) {
			/* a file on a mount with no device: tmpfs is shmem, others not */
			snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", pid,
				 (unsigned long long)v->start, (unsigned long long)v->end);
			if (!statfs(path, &sf) && sf.f_type == TMPFS_MAGIC_)
				w = "a tmpfs file";
		}
		b = w ? BK_SHMEM : BK_FILE;
	}
	if (what)
		*what = w;
	return b;
}
