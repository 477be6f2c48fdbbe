// SPDX-License-Identifier: GPL-2.0
/*
 * attacks_wq.bpf.c for kernels where bpf_wq_set_callback() replaced
 * bpf_wq_set_callback_impl() (7.x): the same bpf_wq case, through the
 * kfunc of that name.
 */
#define ATTACKS_WQ_SET_CALLBACK
#include "attacks_wq.bpf.c"
