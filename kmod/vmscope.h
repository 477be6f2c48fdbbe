/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces between the parts of the vmscope module. */
#ifndef VMSCOPE_H
#define VMSCOPE_H

#include "vmscope_uapi.h"

int vmscope_kfuncs_init(void);

#endif /* VMSCOPE_H */
