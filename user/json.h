/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A streaming JSON writer for stdout: one document per run (docs/json.md).
 * Compact by default, indented with -p/--pretty.  64-bit addresses, PFNs
 * and raw entries go out as "0x..." strings (jw_hex): JSON readers such as
 * jq and JavaScript hold numbers as doubles and would round them; counts
 * and sizes are numbers.
 */
#ifndef VMSCOPE_JSON_H
#define VMSCOPE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern bool json_output;
extern bool json_pretty;

void jw_start_obj(void);
void jw_end_obj(void);
void jw_start_arr(void);
void jw_end_arr(void);
/* A key whose value follows (an object or an array). */
void jw_key(const char *k);
/* Members; k may be NULL inside arrays. */
void jw_str(const char *k, const char *v);
void jw_strn(const char *k, const char *v, size_t n);	/* n bytes, NULs escaped */
void jw_u64(const char *k, uint64_t v);
void jw_i64(const char *k, int64_t v);
void jw_hex(const char *k, uint64_t v);		/* "0x..." */
void jw_bytes(const char *k, const void *p, size_t n);	/* "00ff..." */
void jw_bool(const char *k, bool v);
void jw_null(const char *k);
/* An array of the names of the bits set in v: names[i] is bit bits[i]. */
void jw_flags(const char *k, uint64_t v, const uint64_t *bits, const char *const *names,
	      size_t n);
/* Ends the document (a newline). */
void jw_done(void);
/* Whether a document has been started (errors then go to stderr only). */
bool jw_started(void);
/*
 * A command that reports partial failures inside its own document (one
 * document per run) reserves it: errors then go to stderr only.
 */
void jw_reserve(bool on);
/* Write the error document {"error": msg, "errno": err}. */
void jw_error(const char *msg, int err);

/*
 * Write documents to f (a file a command writes itself, such as a
 * snapshot) until switched back with jw_stream(stdout); each switch starts
 * a new document, so only switch between documents.  Returns the stream
 * in use before.  jw_html_safe escapes '<' in strings, for JSON inside an
 * HTML <script> element.
 */
FILE *jw_stream(FILE *f);
extern bool jw_html_safe;

#endif
