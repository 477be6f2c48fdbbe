// SPDX-License-Identifier: GPL-2.0
/*
 * vms-exit CODE: end an arm64 QEMU guest with exit status CODE (0-255).
 *
 * The arm64 `virt` machine has no isa-debug-exit device (the x86 guests
 * write their status to I/O port 0xf4), so scripts/vm.sh boots arm64 guests
 * with `-semihosting-config enable=on,target=native,userspace=on` and its
 * init ends with this program: an Arm semihosting SYS_EXIT (operation 0x18
 * in x0) whose parameter block (x1) says ADP_Stopped_ApplicationExit
 * (0x20026) with CODE as the subcode.  QEMU then exits with status CODE.
 *
 * Both registers are set right before the `hlt #0xf000`, in one asm
 * statement: anything called in between (a sync(), say) would clobber x0,
 * and QEMU would abort with "Unsupported SemiHosting SWI".
 *
 * Freestanding (no C library: the cross compiler comes without one):
 *   aarch64-linux-gnu-gcc -static -nostdlib -ffreestanding -O2 \
 *	-o build/arm64/vms-exit scripts/vms-exit.c
 * Without semihosting the hlt raises SIGILL; the program then is no more
 * and the guest's init goes on to power off.
 */

static unsigned long block[2];

__attribute__((noreturn, used)) static void vms_exit(long *sp)
{
	long argc = sp[0];
	const char *arg = argc > 1 ? (const char *)sp[2] : "0";
	unsigned long code = 0;

	for (; *arg >= '0' && *arg <= '9'; arg++)
		code = code * 10 + (unsigned long)(*arg - '0');
	block[0] = 0x20026;	/* ADP_Stopped_ApplicationExit */
	block[1] = code & 0xff;
	__asm__ volatile("mov x0, #0x18\n\t"	/* SYS_EXIT */
			 "mov x1, %0\n\t"
			 "hlt #0xf000"
			 : : "r"(block) : "x0", "x1", "memory");
	/* Not reached with semihosting on: exit(2) with the same status. */
	__asm__ volatile("mov x0, %0\n\t"
			 "mov x8, #93\n\t"	/* __NR_exit */
			 "svc #0"
			 : : "r"(code & 0xff) : "x0", "x8", "memory");
	for (;;)
		;
}

/* The kernel starts us with sp at argc, then argv[]. */
__asm__(".globl _start\n"
	"_start:\n\t"
	"mov x0, sp\n\t"
	"b vms_exit\n");
