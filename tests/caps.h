/* SPDX-License-Identifier: GPL-2.0 */
/* Capabilities for the tests that run a step with fewer privileges (header-only). */
#ifndef VMSCOPE_TEST_CAPS_H
#define VMSCOPE_TEST_CAPS_H

#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

/* Set the effective and permitted capabilities to caps (a bit per CAP_*). */
static inline int set_caps(uint64_t caps)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)caps, (uint32_t)caps, 0 },
		{ (uint32_t)(caps >> 32), (uint32_t)(caps >> 32), 0 },
	};

	return syscall(SYS_capset, &h, d);
}

/*
 * Stay root but lose one capability, from the effective and the permitted
 * set (so that it cannot be raised again).  The tests call it in a child
 * that then checks what the module refuses without it.
 */
static inline int drop_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[cap / 32].effective &= ~(1u << (cap % 32));
	d[cap / 32].permitted &= ~(1u << (cap % 32));
	return syscall(SYS_capset, &h, d);
}

#endif
