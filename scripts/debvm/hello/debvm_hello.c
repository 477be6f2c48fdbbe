// SPDX-License-Identifier: GPL-2.0
/* The smallest module DKMS can build: scripts/debvm/selftest.sh checks that
 * the trixie test image builds, loads and removes an out-of-tree module the
 * way the vmscope-dkms package will. */
#include <linux/init.h>
#include <linux/module.h>

static int __init debvm_hello_init(void)
{
	pr_info("debvm_hello: loaded\n");
	return 0;
}

static void __exit debvm_hello_exit(void)
{
	pr_info("debvm_hello: unloaded\n");
}

module_init(debvm_hello_init);
module_exit(debvm_hello_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("debvm self-test module");
