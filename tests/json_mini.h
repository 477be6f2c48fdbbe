/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON reader for the guest tests, which check the CLI's -j output
 * and have no python there: parse a document into a tree, then look values
 * up by key and index.  Header-only, like the other test helpers; it
 * accepts what json.c writes (and standard JSON), nothing clever.
 *   struct jv *d = jparse(text);  jget(d, "addresses") ...  jfree(d);
 * Lookups on NULL or on a node of the wrong type return NULL (or 0, "",
 * false), so a chain of them never crashes on an unexpected document.
 */
#ifndef VMSCOPE_JSON_MINI_H
#define VMSCOPE_JSON_MINI_H

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype t;
	bool b;
	double num;
	char *str;		/* J_STR; for members of an object, key holds the key */
	char *key;
	struct jv **kids;	/* J_ARR, J_OBJ */
	size_t n;
};

static inline void jfree(struct jv *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++)
		jfree(v->kids[i]);
	free(v->kids);
	free(v->str);
	free(v->key);
	free(v);
}

static inline void jws(const char **p)
{
	while (isspace((unsigned char)**p))
		(*p)++;
}

static inline char *jparse_str(const char **p)
{
	size_t cap = 16, n = 0;
	char *s = malloc(cap);

	if (**p != '"' || !s) {
		free(s);
		return NULL;
	}
	(*p)++;
	while (**p && **p != '"') {
		char c = *(*p)++;

		if (c == '\\') {
			c = *(*p)++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'u': {
				unsigned int u = 0;

				if (sscanf(*p, "%4x", &u) != 1) {
					free(s);
					return NULL;
				}
				*p += 4;
				c = (char)u;	/* json.c writes bytes as \u00XX */
				break;
			}
			case 0:
				free(s);
				return NULL;
			}
		}
		if (n + 2 > cap) {
			char *t = realloc(s, cap *= 2);

			if (!t) {
				free(s);
				return NULL;
			}
			s = t;
		}
		s[n++] = c;
	}
	if (**p != '"') {
		free(s);
		return NULL;
	}
	(*p)++;
	s[n] = 0;
	return s;
}

static inline struct jv *jparse_val(const char **p, int depth);

static inline bool jadd(struct jv *v, struct jv *k)
{
	struct jv **t = realloc(v->kids, (v->n + 1) * sizeof(*t));

	if (!t)
		return false;
	v->kids = t;
	v->kids[v->n++] = k;
	return true;
}

static inline struct jv *jparse_val(const char **p, int depth)
{
	struct jv *v = calloc(1, sizeof(*v));

	if (!v || depth > 64)
		goto bad;
	jws(p);
	if (**p == '{' || **p == '[') {
		bool obj = **p == '{';

		v->t = obj ? J_OBJ : J_ARR;
		(*p)++;
		jws(p);
		if (**p == (obj ? '}' : ']')) {
			(*p)++;
			return v;
		}
		for (;;) {
			char *key = NULL;
			struct jv *k;

			jws(p);
			if (obj) {
				key = jparse_str(p);
				jws(p);
				if (!key || **p != ':') {
					free(key);
					goto bad;
				}
				(*p)++;
			}
			k = jparse_val(p, depth + 1);
			if (!k || !jadd(v, k)) {
				free(key);
				jfree(k);
				goto bad;
			}
			k->key = key;
			jws(p);
			if (**p == ',') {
				(*p)++;
				continue;
			}
			if (**p != (obj ? '}' : ']'))
				goto bad;
			(*p)++;
			return v;
		}
	}
	if (**p == '"') {
		v->t = J_STR;
		v->str = jparse_str(p);
		if (!v->str)
			goto bad;
		return v;
	}
	if (!strncmp(*p, "true", 4) || !strncmp(*p, "false", 5)) {
		v->t = J_BOOL;
		v->b = **p == 't';
		*p += v->b ? 4 : 5;
		return v;
	}
	if (!strncmp(*p, "null", 4)) {
		*p += 4;
		return v;
	}
	if (**p == '-' || isdigit((unsigned char)**p)) {
		char *end;

		v->t = J_NUM;
		v->num = strtod(*p, &end);
		*p = end;
		return v;
	}
bad:
	jfree(v);
	return NULL;
}

/* The document in text, or NULL when it is not one JSON value. */
static inline struct jv *jparse(const char *text)
{
	const char *p = text;
	struct jv *v;

	if (!text)
		return NULL;
	v = jparse_val(&p, 0);
	jws(&p);
	if (v && *p) {
		jfree(v);
		return NULL;
	}
	return v;
}

static inline struct jv *jget(const struct jv *v, const char *key)
{
	size_t i;

	if (!v || v->t != J_OBJ)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->kids[i]->key, key))
			return v->kids[i];
	return NULL;
}

static inline struct jv *jidx(const struct jv *v, size_t i)
{
	return v && v->t == J_ARR && i < v->n ? v->kids[i] : NULL;
}

static inline size_t jlen(const struct jv *v)
{
	return v && (v->t == J_ARR || v->t == J_OBJ) ? v->n : 0;
}

static inline const char *jstr(const struct jv *v)
{
	return v && v->t == J_STR ? v->str : "";
}

static inline double jnum(const struct jv *v)
{
	return v && v->t == J_NUM ? v->num : -1;
}

static inline bool jbool(const struct jv *v)
{
	return v && v->t == J_BOOL && v->b;
}

static inline bool jnull(const struct jv *v)
{
	return !v || v->t == J_NULL;
}

/* A "0x..." string as a number (0 when it is not one). */
static inline uint64_t jhex(const struct jv *v)
{
	return v && v->t == J_STR ? strtoull(v->str, NULL, 16) : 0;
}

/* Whether array v holds the string s. */
static inline bool jhas_str(const struct jv *v, const char *s)
{
	size_t i;

	for (i = 0; i < jlen(v); i++)
		if (!strcmp(jstr(jidx(v, i)), s))
			return true;
	return false;
}

#endif /* VMSCOPE_JSON_MINI_H */
