/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test programs: one memory kfunc call with a call token of its own.
 *   VMS_CALL(pid, r, expr): r = expr (which uses the token `c`), or, when
 *   vmscope_call_begin(pid) refuses, r = its error.
 * A program that counts the tokens it was handed defines
 * VMS_CALL_GRANTED() before including this.
 */
#ifndef VMSCOPE_KFUNC_CALL_BPF_H
#define VMSCOPE_KFUNC_CALL_BPF_H

#include "vmscope_kfuncs.h"

#ifndef VMS_CALL_GRANTED
#define VMS_CALL_GRANTED()	do { } while (0)
#endif

#define VMS_CALL(pid_, r_, expr)						\
	do {									\
		int e_ = 0;							\
		struct vms_call *c = vmscope_call_begin(pid_, &e_);		\
										\
		if (!c) {							\
			(r_) = e_ ? e_ : -1;					\
			break;							\
		}								\
		VMS_CALL_GRANTED();						\
		(r_) = (expr);							\
		vmscope_call_end(c);						\
	} while (0)

#endif
