/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's types for the BPF programs, of the architecture they are
 * built for (the Makefile's -D__TARGET_ARCH_x86 or -D__TARGET_ARCH_arm64):
 * vmlinux_x86.h and vmlinux_arm64.h are generated from the BTF of Debian's
 * 6.12 kernel of that architecture by `make vmlinux.h`, and committed.
 */
#if defined(__TARGET_ARCH_x86)
#include "vmlinux_x86.h"
#elif defined(__TARGET_ARCH_arm64)
#include "vmlinux_arm64.h"
#else
#error "vmlinux.h: build with -D__TARGET_ARCH_x86 or -D__TARGET_ARCH_arm64"
#endif
