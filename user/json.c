// SPDX-License-Identifier: GPL-2.0
/* The JSON writer (json.h). */
#include <stdio.h>
#include <string.h>
#include "json.h"

bool json_output;
bool json_pretty;
bool jw_html_safe;

/* Where documents go: stdout, or a file of a command's own (jw_stream). */
static FILE *out;
#define OUT (out ? out : stdout)

#define MAX_DEPTH 64

static int depth;
static bool has_member[MAX_DEPTH];	/* the container at each depth has a member */
static bool after_key;			/* jw_key() was just called */
static bool started;

static void raw_string(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	fputc('"', OUT);
	for (i = 0; i < n; i++) {
		switch (p[i]) {
		case '"': fputs("\\\"", OUT); break;
		case '\\': fputs("\\\\", OUT); break;
		case '\n': fputs("\\n", OUT); break;
		case '\t': fputs("\\t", OUT); break;
		case '\r': fputs("\\r", OUT); break;
		default:
			/*
			 * Control bytes and bytes that are not ASCII: Latin-1 code
			 * points; inside HTML, '<' too (no "</script>" in a string).
			 */
			if (p[i] < 0x20 || p[i] >= 0x7f || (jw_html_safe && p[i] == '<'))
				fprintf(OUT, "\\u%04x", p[i]);
			else
				fputc(p[i], OUT);
		}
	}
	fputc('"', OUT);
}

static void newline(void)
{
	int i;

	if (!json_pretty)
		return;
	fputc('\n', OUT);
	for (i = 0; i < depth; i++)
		fputs("  ", OUT);
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
			fputc(',', OUT);
		has_member[depth] = true;
		newline();
	}
	if (k) {
		raw_string(k, strlen(k));
		fputs(json_pretty ? ": " : ":", OUT);
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
	fputc(c, OUT);
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
	fputc(c, OUT);
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
	fprintf(OUT, "%llu", (unsigned long long)v);
}

void jw_i64(const char *k, int64_t v)
{
	sep(k);
	fprintf(OUT, "%lld", (long long)v);
}

void jw_hex(const char *k, uint64_t v)
{
	sep(k);
	fprintf(OUT, "\"0x%llx\"", (unsigned long long)v);
}

void jw_bytes(const char *k, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	sep(k);
	fputc('"', OUT);
	for (i = 0; i < n; i++)
		fprintf(OUT, "%02x", b[i]);
	fputc('"', OUT);
}

void jw_bool(const char *k, bool v)
{
	sep(k);
	fputs(v ? "true" : "false", OUT);
}

void jw_null(const char *k)
{
	sep(k);
	fputs("null", OUT);
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
	fputc('\n', OUT);
	depth = 0;
	has_member[0] = false;
	fflush(OUT);
}

FILE *jw_stream(FILE *f)
{
	FILE *old = OUT;

	out = f == stdout ? NULL : f;
	depth = 0;
	has_member[0] = false;
	after_key = false;
	started = false;
	return old;
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
