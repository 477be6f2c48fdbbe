/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by tests/progs/hostile.bpf.c and the tests that drive it. */
#ifndef VMSCOPE_HOSTILE_H
#define VMSCOPE_HOSTILE_H

#define HOSTILE_BUF	(256u << 10)

enum hostile_call {
	HC_ABI = 0,
	HC_FIND,
	HC_WALK,
	HC_RANGE,
	HC_READ,
	HC_WRITE,
	HC_NR,
};

#endif
