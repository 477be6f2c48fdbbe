/* SPDX-License-Identifier: GPL-2.0 */
/* Shared pieces of the commands that drive the module's memory kfuncs. */
#ifndef VMSCOPE_MEMCMD_H
#define VMSCOPE_MEMCMD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "vmem_api.h"

/* The module's memory programs, loaded; or NULL after printing why. */
struct vmem *memcmd_open(const char *cmd);
/* As memcmd_open(), but quietly NULL when the module is not there. */
struct vmem *memcmd_try_open(void);

/* Print the error for a kfunc result err about pid (at addr when has_addr). */
void memcmd_err(const char *cmd, pid_t pid, int err, uint64_t addr, bool has_addr);

/* A hexdump of n bytes that were at addr (read, write). */
void hexdump(uint64_t addr, const unsigned char *p, size_t n);

#endif
