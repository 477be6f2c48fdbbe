/* SPDX-License-Identifier: GPL-2.0 */
/* The vmscope kernel module as user space sees it (module.c). */
#ifndef VMSCOPE_MODULE_H
#define VMSCOPE_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include "vmscope_uapi.h"

/* The module's ABI version (>0), 0 when it is not loaded (or has no BTF),
 * or -errno when BPF itself failed. */
int module_abi(void);
/* For commands that need the module: 0, or an error message and -errno. */
int require_module(const char *cmd);
/* The command that builds (if need be) and loads a module for this kernel. */
const char *module_load_hint(void);

/* What status knows about the module and this kernel. */
struct module_state {
	bool kernel_modules;	/* the kernel can load modules at all */
	bool loaded;		/* /sys/module/vmscope */
	bool btf;		/* /sys/kernel/btf/vmscope */
	int abi;		/* module_abi() */
	char version[128];	/* the loaded module's MODULE_VERSION, or "" */
	char kfunc_callers[16];	/* its kfunc_callers parameter ("any", "main"), or "" */
	char installed[512];	/* a vmscope.ko under /lib/modules/$(uname -r), or "" */
	char built[512];	/* a vmscope.ko built beside this CLI, or "" */
	char built_vermagic[128];	/* its vermagic's release, or "" */
	char dkms_src[256];	/* /usr/src/vmscope-VERSION, or "" */
};
void module_state(struct module_state *st);

#endif
