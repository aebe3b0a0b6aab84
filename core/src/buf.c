/*
 * buf.c - growable byte buffer with a ceiling.
 */
#include "helios/buf.h"
#include "helios/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hbuf_init(struct hbuf *b, size_t max)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void hbuf_release(struct hbuf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
}

char *hbuf_detach(struct hbuf *b, size_t *len)
{
	char *p = b->ptr;

	if (len)
		*len = b->len;
	if (!p)
		p = calloc(1, 1);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

int hbuf_grow(struct hbuf *b, size_t extra)
{
	size_t want, cap;
	char *p;

	if (extra > b->max || b->len > b->max - extra)
		return HELIOS_ELIMIT;
	want = b->len + extra + 1;
	if (want <= b->cap)
		return 0;

	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap = cap > ((size_t)-1) / 2 ? want : cap * 2;
	p = realloc(b->ptr, cap);
	if (!p)
		return HELIOS_ENOMEM;
	b->ptr = p;
	b->cap = cap;
	return 0;
}

int hbuf_add(struct hbuf *b, const void *data, size_t n)
{
	int rc = hbuf_grow(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->ptr + b->len, data, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int hbuf_adds(struct hbuf *b, const char *s)
{
	return hbuf_add(b, s, strlen(s));
}

int hbuf_addf(struct hbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return HELIOS_EINTERNAL;

	rc = hbuf_grow(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int hbuf_setlen(struct hbuf *b, size_t len)
{
	int rc;

	if (len > b->len) {
		rc = hbuf_grow(b, len - b->len);
		if (rc)
			return rc;
		memset(b->ptr + b->len, 0, len - b->len);
	}
	b->len = len;
	if (b->ptr)
		b->ptr[len] = '\0';
	return 0;
}
