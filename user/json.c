// SPDX-License-Identifier: GPL-2.0
/* The JSON writer (json.h). */
#include <stdio.h>
#include <string.h>
#include "json.h"

bool json_output;
bool json_pretty;

#define MAX_DEPTH 64

static int depth;
static bool has_member[MAX_DEPTH];	/* the container at each depth has a member */
static bool after_key;			/* jw_key() was just called */
static bool started;

static void raw_string(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	putchar('"');
	for (i = 0; i < n; i++) {
		switch (p[i]) {
		case '"': fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		default:
			/* Control bytes and bytes that are not ASCII: Latin-1 code points. */
			if (p[i] < 0x20 || p[i] >= 0x7f)
				printf("\\u%04x", p[i]);
			else
				putchar(p[i]);
		}
	}
	putchar('"');
}

static void newline(void)
{
	int i;

	if (!json_pretty)
		return;
	putchar('\n');
	for (i = 0; i < depth; i++)
		fputs("  ", stdout);
}

/* Before a value (with key k, or none in an array). */
static void sep(const char *k)
{
	started = true;
	if (after_key) {
		after_key = false;
		if (!k)
			return;
	}
	if (depth > 0) {
		if (has_member[depth])
			putchar(',');
		has_member[depth] = true;
		newline();
	}
	if (k) {
		raw_string(k, strlen(k));
		fputs(json_pretty ? ": " : ":", stdout);
	}
}

void jw_key(const char *k)
{
	sep(k);
	after_key = true;
}

static void open_(char c)
{
	sep(NULL);
	putchar(c);
	if (depth < MAX_DEPTH - 1)
		depth++;
	has_member[depth] = false;
}

static void close_(char c)
{
	bool had = has_member[depth];

	if (depth > 0)
		depth--;
	if (had)
		newline();
	putchar(c);
}

void jw_start_obj(void) { open_('{'); }
void jw_start_arr(void) { open_('['); }
void jw_end_obj(void) { close_('}'); }
void jw_end_arr(void) { close_(']'); }

void jw_str(const char *k, const char *v)
{
	sep(k);
	raw_string(v, strlen(v));
}

void jw_strn(const char *k, const char *v, size_t n)
{
	sep(k);
	raw_string(v, n);
}

void jw_u64(const char *k, uint64_t v)
{
	sep(k);
	printf("%llu", (unsigned long long)v);
}

void jw_i64(const char *k, int64_t v)
{
	sep(k);
	printf("%lld", (long long)v);
}

void jw_hex(const char *k, uint64_t v)
{
	sep(k);
	printf("\"0x%llx\"", (unsigned long long)v);
}

void jw_bytes(const char *k, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	sep(k);
	putchar('"');
	for (i = 0; i < n; i++)
		printf("%02x", b[i]);
	putchar('"');
}

void jw_bool(const char *k, bool v)
{
	sep(k);
	fputs(v ? "true" : "false", stdout);
}

void jw_null(const char *k)
{
	sep(k);
	fputs("null", stdout);
}

void jw_flags(const char *k, uint64_t v, const uint64_t *bits, const char *const *names,
	      size_t n)
{
	size_t i;

	jw_key(k);
	jw_start_arr();
	for (i = 0; i < n; i++)
		if (v & bits[i])
			jw_str(NULL, names[i]);
	jw_end_arr();
}

void jw_done(void)
{
	putchar('\n');
	depth = 0;
	has_member[0] = false;
	fflush(stdout);
}

static bool reserved;

bool jw_started(void)
{
	return started || reserved;
}

void jw_reserve(bool on)
{
	reserved = on;
}

void jw_error(const char *msg, int err)
{
	jw_start_obj();
	jw_str("error", msg);
	jw_i64("errno", err < 0 ? -err : err);
	jw_end_obj();
	jw_done();
}
