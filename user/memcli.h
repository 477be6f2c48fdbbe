/* SPDX-License-Identifier: GPL-2.0 */
/* Shared pieces of the find/page/read/write commands. */
#ifndef VMSCOPE_MEMCLI_H
#define VMSCOPE_MEMCLI_H

#include <sys/types.h>
#include "memops.h"

/* require_module() + the memory kfuncs + load; prints the error. */
struct vmem *memcli_open(const char *cmd);

/* Print the error for a kfunc result about pid (and addr when has_addr). */
void memcli_err(const char *cmd, pid_t pid, int err, uint64_t addr, int has_addr);

/* "rwxp" of vm_flags. */

#endif
