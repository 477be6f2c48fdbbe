// SPDX-License-Identifier: GPL-2.0
/* attacks_wq.bpf.c for kernels with bpf_wq_set_callback() (7.x). */
#define ATTACKS_WQ_NEW
#include "attacks_wq.bpf.c"
