// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope: look inside a process's virtual memory.
 *
 * The module is a strict stack: each part registers in init and is torn
 * down in reverse order in exit (and on a failed init).
 */
#include <linux/module.h>
#include "vmscope.h"

static int __init vmscope_init(void)
{
	int err;

	vms_task_init();
	err = vms_kfuncs_init();
	if (err)
		return err;
	err = vms_procfs_init();
	if (err)
		return err;
	err = vms_mtest_init();
	if (err)
		goto err_procfs;
	err = vms_maptest_init();
	if (err)
		goto err_mtest;
	err = vms_dev_init();
	if (err)
		goto err_maptest;
	pr_info("vmscope: %s loaded, ABI %d\n", VMSCOPE_VERSION, VMSCOPE_ABI_VERSION);
	return 0;

err_maptest:
	vms_maptest_exit();
err_mtest:
	vms_mtest_exit();
err_procfs:
	vms_procfs_exit();
	return err;
}

static void __exit vmscope_exit(void)
{
	vms_dev_exit();
	vms_maptest_exit();
	vms_mtest_exit();
	vms_procfs_exit();
	/* kfunc sets cannot be unregistered; module refs keep us pinned. */
	pr_info("vmscope: unloaded\n");
}

/*
 * /sys/module/vmscope/parameters/abi: the ABI this module speaks, the
 * number vmscope_abi_version() returns, for user space to check without
 * calling that kfunc from every program it loads (each module kfunc an
 * object calls costs its load a BTF name lookup).  Read-only, and not
 * settable at load: a module cannot be told to claim another ABI.
 */
static int vms_abi_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static int vms_abi_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%d\n", VMSCOPE_ABI_VERSION);
}

static const struct kernel_param_ops vms_abi_ops = {
	.set = vms_abi_set,
	.get = vms_abi_get,
};
module_param_cb(abi, &vms_abi_ops, NULL, 0444);
MODULE_PARM_DESC(abi, "the ABI the module's kfuncs speak (read-only)");

module_init(vmscope_init);
module_exit(vmscope_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmscope: VMA, page-table and memory access kfuncs");
MODULE_VERSION(VMSCOPE_VERSION);
