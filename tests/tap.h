/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal kselftest-style TAP for vmscope's C tests:
 *   tap_start(); ok(cond, "name %d", x); tap_skip("why", "name"); diag(...);
 *   return tap_finish();
 * (tap_run_cases() below runs a table of cases.)
 * The plan is counted, not kept by hand: tap_finish() prints "1..N" after
 * the last result.  A program that dies before tap_finish() prints no plan,
 * and the runner counts that as a failure.  After tap_share(), results
 * printed by forked children count too (the counters live in shared
 * memory), so a test can run in a child that is killed if it hangs.
 */
#ifndef VMSCOPE_TAP_H
#define VMSCOPE_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct tap_counts {
	int n, fails;
};
static struct tap_counts tap_own, *tap_c = &tap_own;

/* Keep the counters where forked children update them too. */
static inline void tap_share(void)
{
	void *p = mmap(NULL, sizeof(*tap_c), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
	memcpy(p, tap_c, sizeof(*tap_c));
	tap_c = p;
}

static inline void tap_start(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
}

static inline void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static inline int tap_vresult(int pass, const char *fmt, va_list ap)
{
	printf("%sok %d ", pass ? "" : "not ", ++tap_c->n);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	if (!pass)
		tap_c->fails++;
	return pass;
}

static inline int ok(int pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int ok(int pass, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_vresult(pass, fmt, ap);
	va_end(ap);
	return r;
}

static inline void tap_skip(const char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void tap_skip(const char *why, const char *fmt, ...)
{
	va_list ap;

	printf("ok %d ", ++tap_c->n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", why);
}

/*
 * One function per case, listed in a table that main() runs after setting
 * up the shared fixture (kselftest_harness.h's TEST_F, without its fork):
 *   static const struct tap_case cases[] = { { "anon_4k", case_anon_4k }, ... };
 *   tap_run_cases(cases, TAP_NCASES(cases), argc, argv);
 * Each case prints its own results and frees what it made, so a failing
 * case names itself and the others still run.  Names on the command line
 * run only those cases (a name that matches none is a failure).
 */
struct tap_case {
	const char *name;
	void (*run)(void);
};

#define TAP_NCASES(table) ((int)(sizeof(table) / sizeof((table)[0])))

static inline void tap_run_cases(const struct tap_case *c, int n, int argc, char **argv)
{
	int i, a;

	for (a = 1; a < argc; a++) {
		for (i = 0; i < n && strcmp(argv[a], c[i].name); i++)
			;
		if (i == n)
			ok(0, "no case named '%s'", argv[a]);
	}
	for (i = 0; i < n; i++) {
		for (a = 1; a < argc && strcmp(argv[a], c[i].name); a++)
			;
		if (argc > 1 && a == argc)
			continue;
		diag("case %s", c[i].name);
		c[i].run();
	}
}

/* Ends the run with the plan; non-zero on any failure. */
static inline int tap_finish(void)
{
	printf("1..%d\n", tap_c->n);
	return tap_c->fails ? 1 : 0;
}

#endif /* VMSCOPE_TAP_H */
