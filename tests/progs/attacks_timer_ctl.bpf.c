// SPDX-License-Identifier: GPL-2.0
/* attacks_timer.bpf.c without the memory kfuncs: can bpf_timer be used here at all? */
#define ATTACKS_CONTROL
#include "attacks_timer.bpf.c"
