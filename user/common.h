/* SPDX-License-Identifier: GPL-2.0 */
/* Shared CLI helpers: errors, argument parsing, processes, formatting. */
#ifndef VMSCOPE_COMMON_H
#define VMSCOPE_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "json.h"

/* VERSION plus the commit, or the package's version (build/version.c). */
extern const char vmscope_version[];
#define VMSCOPE_VERSION vmscope_version

/* Exit status: 0 success, 1 a runtime error, 2 a usage error. */
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

extern bool verbose;
extern const char *prog_name;
/* The command being run, as typed (an alias stays an alias); NULL before. */
extern const char *cmd_name;

/*
 * Errors: one line "vmscope: CMD: MESSAGE" on stderr (CMD is cmd_name,
 * added when MESSAGE does not start with "CMD:" already); with --json also
 * the document {"error": MESSAGE, "errno": ERR} on stdout, unless a
 * document was already started (then the command ends that one with an
 * error member itself).  err is an errno value, either sign.
 */
void p_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A usage error (EINVAL) with a pointer to the command's help. */
void p_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Progress and notes on stderr (never in JSON). */
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * A note on stderr (a source, a fallback, a verbose detail) from code that
 * several commands share: "vmscope: CMD: " and then fmt, as errors are.
 */
void p_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Argument parsing.  Each prints the error, naming the bad value, and
 * returns -EINVAL or -ERANGE.
 *   parse_pid:  decimal, 1..4194304
 *   parse_addr: hex, with or without 0x; a canonical user address
 *   parse_size: decimal or 0x hex (never octal), with an optional K, M or G
 *               suffix (powers of 1024); what names the value in messages
 *   parse_uint: the same without a suffix
 */
int parse_pid(const char *s, pid_t *pid);
int parse_addr(const char *s, uint64_t *addr);
int parse_size(const char *s, const char *what, uint64_t *v);
int parse_uint(const char *s, const char *what, uint64_t *v);

/* Processes, from /proc. */
bool pid_exists(pid_t pid);
bool pid_is_kthread(pid_t pid);
bool pid_is_zombie(pid_t pid);
/* Field 22 of /proc/PID/stat: when it started, in clock ticks after boot.
 * 0, -ESRCH (no such process) or -EIO. */
int pid_start_time(pid_t pid, unsigned long long *start);
/* The command line (or [comm] when it has none) of pid into buf. */
const char *pid_cmdline(pid_t pid, char *buf, size_t sz);
/*
 * Why pid has no VMAs to show (no such process, a kernel thread, exited,
 * or not visible) into msg; returns the errno.
 */
int pid_no_vmas(pid_t pid, char *msg, size_t sz);

/* libbpf and BPF errors. */
void bpf_setup(void);
const char *bpf_err_hint(int err);
/* "EACCES" for an errno value, either sign. */
const char *errno_name(int err);

/* VMAs, shown the same way by every command. */
struct vms_vma;
void vm_flags_perms(uint64_t vm_flags, char perms[5]);	/* "rw-p" */
const char *vma_kind_name(unsigned int kind);		/* enum vms_name_kind */
void jw_vma(const struct vms_vma *r, const char *name);
/* A name in a table: '\n' as "\012", as /proc/PID/maps prints file names. */
void fput_name(FILE *f, const char *name);

/* Human-friendly size: "4K", "2M", "1.5G". */
const char *fmt_size(uint64_t bytes, char *buf, size_t sz);

/*
 * Table cells appended by hand at p (printf is most of the cost of a table
 * of 10,000s of rows); each returns the new end, nothing is terminated.
 * cell_hex: lowercase hex, zero-padded to at least width digits, like
 * "%0*llx".  cell_udec: decimal, space-padded to width, like "%*llu".
 * cell_str: s, space-padded to width on its right (left: like "%-*s") or
 * left (like "%*s").  The caller's buffer has room for what it appends.
 */
char *cell_hex(char *p, uint64_t v, int width);
char *cell_udec(char *p, uint64_t v, int width);
char *cell_str(char *p, const char *s, int width, bool left);
/* How many digits cell_hex() and cell_udec() write for v with width 0. */
int hex_digits(uint64_t v);
int dec_digits(uint64_t v);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
