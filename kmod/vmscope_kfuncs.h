/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmscope kfuncs: one header for the module (which defines them) and for
 * BPF programs (which call them).  BPF sees them as weak ksyms so that an
 * object loads where the module is absent, as long as the programs that
 * call them are not loaded: user space checks the module's BTF first
 * (libbpf 1.1 cannot resolve bpf_ksym_exists() on a module kfunc).
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

extern int vmscope_abi_version(void) __ksym __weak;
#endif /* __KERNEL__ */

#endif /* VMSCOPE_KFUNCS_H */
