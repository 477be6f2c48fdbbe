/* SPDX-License-Identifier: GPL-2.0 */
/* Shared pieces of the commands that drive the module's memory kfuncs. */
#ifndef VMSCOPE_MEMCMD_H
#define VMSCOPE_MEMCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "vmem_api.h"

/* The module's memory programs progs (VMEM_P_*: the smallest object that
 * has them, vmem_open_for()), loaded; or NULL after printing why. */
struct vmem *memcmd_open(const char *cmd, unsigned int progs);
/* As memcmd_open(), but quietly NULL when the module is not there. */
struct vmem *memcmd_try_open(unsigned int progs);
/* The same, with why not in *err: -ENOPKG (not loaded, or without BTF),
 * -EPROTO (another ABI) or the load's error. */
struct vmem *memcmd_try_open_err(unsigned int progs, int *err);
/* Why the module cannot serve, in words, for such an err, into buf. */
const char *memcmd_why(int err, char *buf, size_t sz);

/* Print the error for a kfunc result err about pid (at addr when has_addr). */
void memcmd_err(const char *cmd, pid_t pid, int err, uint64_t addr, bool has_addr);
/*
 * Why the module's kfuncs said EPERM for process pid: without
 * CAP_SYS_PTRACE, another process; with it (or for our own process), the
 * module's check that the call comes from a program BPF_PROG_TEST_RUN runs.
 */
const char *memcmd_eperm_why(pid_t pid);

/* A hexdump of n bytes that were at addr (read, write). */
void hexdump(uint64_t addr, const unsigned char *p, size_t n);

#endif
