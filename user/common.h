/* SPDX-License-Identifier: GPL-2.0 */
/* Shared CLI helpers: errors, JSON output, argument parsing, BPF set-up. */
#ifndef VMSCOPE_COMMON_H
#define VMSCOPE_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define VMSCOPE_VERSION "0.1"

extern bool json_output;
extern bool verbose;
extern const char *prog_name;

/* Errors: one line on stderr (or a JSON object on stdout with --json). */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A minimal streaming JSON writer for stdout. */
void jw_start_obj(void);
void jw_end_obj(void);
void jw_start_arr(void);
void jw_end_arr(void);
void jw_key(const char *k);
void jw_str(const char *k, const char *v);	/* k may be NULL in arrays */
void jw_u64(const char *k, uint64_t v);
void jw_i64(const char *k, int64_t v);
void jw_hex(const char *k, uint64_t v);	/* "0x..." string */
void jw_bool(const char *k, bool v);
void jw_null(const char *k);
void jw_done(void);			/* newline after the top-level value */

/* Argument parsing.  Each prints its own error naming the bad value. */
int parse_pid(const char *s, pid_t *pid);
int parse_u64(const char *s, const char *what, uint64_t *v);
int parse_addr(const char *s, uint64_t *addr);

/* Process checks against /proc; each prints the error. */
int check_pid(pid_t pid);		/* 0, or -ESRCH with a message */
bool pid_is_kthread(pid_t pid);

/* BPF/libbpf set-up: quiet libbpf unless -v; explain EPERM. */
void bpf_setup(void);
const char *bpf_err_hint(int err);

/* module.c: the module through abi.bpf.c.  The module's ABI version (>0),
 * 0 when it is not loaded (or has no BTF), or -errno when BPF failed. */
int module_abi(void);
/* For commands that need the module: 0, or an error message and -errno. */
int require_module(const char *cmd);
/* How to load (or build and load) the module, for messages. */
const char *module_load_hint(void);

/* VMAs, shown the same way by every command. */
void vm_flags_perms(uint64_t vm_flags, char perms[5]);	/* "rw-p" */
const char *vma_kind_name(unsigned int kind);		/* enum vms_name_kind */
/* The /proc/PID/maps fields of one VMA as JSON members, start to name. */
struct vms_vma;
void jw_vma(const struct vms_vma *r, const char *name);
/*
 * A name for a table or plain text: '\n' becomes "\012", as
 * /proc/PID/maps prints file names, so a name cannot fake a line.
 */
void fput_name(FILE *f, const char *name);

/* Human-friendly size: "4K", "2M", "1.5G". */
const char *fmt_size(uint64_t bytes, char *buf, size_t sz);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* VMSCOPE_COMMON_H */
