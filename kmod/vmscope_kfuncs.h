/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmscope kfuncs: one header for the module (which defines them) and for
 * BPF programs (which call them).  BPF sees them as weak ksyms so that one
 * object also loads where the module is absent; guard calls with
 * bpf_ksym_exists().
 */
#ifndef VMSCOPE_KFUNCS_H
#define VMSCOPE_KFUNCS_H

#include "vmscope_uapi.h"

#ifdef __KERNEL__
int vmscope_abi_version(void);
#else
#ifndef __ksym
#define __ksym __attribute__((section(".ksyms")))
#endif
#ifndef __weak
#define __weak __attribute__((weak))
#endif
#ifndef bpf_ksym_exists
/* libbpf < 1.2 lacks it; an unresolved weak ksym reads as 0. */
#define bpf_ksym_exists(sym) (!!(sym))
#endif

extern int vmscope_abi_version(void) __ksym __weak;
#endif /* __KERNEL__ */

#endif /* VMSCOPE_KFUNCS_H */
