/*
 * buf.h - a growable byte buffer with a ceiling.
 *
 * Every buffer filled from outside (a YAML file, a FUSE write, an MCP
 * line) is created with an explicit maximum size; growing past it fails
 * with HELIOS_ELIMIT instead of allocating.  The content is always
 * NUL-terminated so it can be handed to string functions, but may itself
 * contain NUL bytes; len is authoritative.
 *
 *	struct hbuf b;
 *	hbuf_init(&b, HBUF_MAX_DEFAULT);
 *	hbuf_add(&b, data, n);  ...
 *	char *owned = hbuf_detach(&b, &len);   or   hbuf_release(&b);
 */
#ifndef HELIOS_BUF_H
#define HELIOS_BUF_H

#include <stddef.h>

#define HBUF_MAX_DEFAULT ((size_t)64 << 20)

struct hbuf {
	char *ptr;	/* NULL until the first byte is added */
	size_t len;
	size_t cap;
	size_t max;	/* growing past this fails with HELIOS_ELIMIT */
};

/* No allocation happens here. */
void hbuf_init(struct hbuf *b, size_t max);

/* Free the content and reset to empty; max is kept. */
void hbuf_release(struct hbuf *b);

/* Hand the content to the caller (free() it); the buffer becomes empty. */
char *hbuf_detach(struct hbuf *b, size_t *len);

/* Make room for at least extra more bytes. 0, HELIOS_ENOMEM or ELIMIT. */
int hbuf_grow(struct hbuf *b, size_t extra);

int hbuf_add(struct hbuf *b, const void *data, size_t n);
int hbuf_adds(struct hbuf *b, const char *s);
int hbuf_addf(struct hbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Set the length (shrink, or grow filling with NUL bytes). */
int hbuf_setlen(struct hbuf *b, size_t len);

/* Content as a string: "" for an empty buffer, never NULL. */
static inline const char *hbuf_str(const struct hbuf *b)
{
	return b->ptr ? b->ptr : "";
}

#endif
