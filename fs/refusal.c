/*
 * refusal.c - the record of refused saves.
 *
 * bash ignores errors from close(), so `echo bad > personas/x.yaml` is
 * refused silently.  The last SFS_REFUSALS_MAX refusals are kept in
 * memory and shown as /errors.log, one line per diagnostic:
 *
 *	2026-12-04T16:50:01Z personas/x.yaml: personas/x.yaml:3:23: ...
 *
 * and the newest refusal of each file is its xattr user.helios.error
 * until a valid save of that file lands.  All functions need sfs_lock().
 */
#include "sfs_i.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define REFUSAL_LINES_MAX 20

struct refusal {
	time_t when;
	char *rel;
	char *text;	/* diagnostics, one per line, no trailing newline */
};

struct last_error {
	char *rel;
	char *text;
	struct last_error *next;
};

static struct refusal ring[SFS_REFUSALS_MAX];
static size_t ring_next;	/* slot the next refusal goes to */
static size_t ring_len;
static struct last_error *last_errors;

/* One line per error diagnostic; err when diags holds none. */
static int refusal_text(const char *rel, const struct hdiag_list *diags,
			const struct helios_error *err, struct hbuf *out)
{
	char line[1200];
	size_t i, lines = 0;
	char *p;

	for (i = 0; diags && i < diags->len; i++) {
		if (diags->items[i].severity != HDIAG_ERROR)
			continue;
		if (lines++ == REFUSAL_LINES_MAX)
			break;
		if (out->len && hbuf_add(out, "\n", 1))
			return -1;
		if (hbuf_adds(out, diags->items[i].text))
			return -1;
	}
	if (!lines) {
		helios_error_format(err, rel, line, sizeof(line));
		if (hbuf_adds(out, line[0] ? line : "refused"))
			return -1;
	}
	/* A diagnostic is one line of its own. */
	for (p = out->ptr; p && p < out->ptr + out->len; p++)
		if (*p == '\r')
			*p = ' ';
	return 0;
}

static void last_error_set(const char *rel, const char *text)
{
	struct last_error *e;
	char *copy = strdup(text);

	if (!copy)
		return;
	for (e = last_errors; e; e = e->next) {
		if (strcmp(e->rel, rel) == 0) {
			free(e->text);
			e->text = copy;
			return;
		}
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->rel = strdup(rel))) {
		free(e);
		free(copy);
		return;
	}
	e->text = copy;
	e->next = last_errors;
	last_errors = e;
}

/* One log line per diagnostic. */
static void log_refusal(const char *rel, const char *text)
{
	const char *end;

	while (*text) {
		end = strchr(text, '\n');
		if (!end)
			end = text + strlen(text);
		sfs_log_msg(LOG_WARNING, "refused save of '%s': %.*s", rel,
			    (int)(end - text), text);
		text = *end ? end + 1 : end;
	}
}

void sfs_refusal_add(const char *rel, const struct hdiag_list *diags,
		     const struct helios_error *err)
{
	struct refusal *r = &ring[ring_next];
	struct hbuf text;
	char *rcopy;

	hbuf_init(&text, 64 * 1024);
	if (refusal_text(rel, diags, err, &text) || !text.ptr) {
		hbuf_release(&text);
		sfs_log(LOG_ERR, "cannot record refusal of '%s': %s", rel,
			"out of memory");
		return;
	}
	if (sfs_log_enabled(LOG_WARNING))
		log_refusal(rel, text.ptr);

	rcopy = strdup(rel);
	if (!rcopy) {
		hbuf_release(&text);
		return;
	}
	last_error_set(rel, text.ptr);
	free(r->rel);
	free(r->text);
	r->when = time(NULL);
	r->rel = rcopy;
	r->text = hbuf_detach(&text, NULL);
	ring_next = (ring_next + 1) % SFS_REFUSALS_MAX;
	if (ring_len < SFS_REFUSALS_MAX)
		ring_len++;
	/* Its size changed behind the kernel's back. */
	sfs_invalidate_later(SFS_ERRLOG_NAME);
}

void sfs_refusal_clear(const char *rel)
{
	struct last_error **pp, *e;

	for (pp = &last_errors; (e = *pp); pp = &e->next) {
		if (strcmp(e->rel, rel) == 0) {
			*pp = e->next;
			free(e->rel);
			free(e->text);
			free(e);
			return;
		}
	}
}

const char *sfs_refusal_last(const char *rel)
{
	struct last_error *e;

	for (e = last_errors; e; e = e->next)
		if (strcmp(e->rel, rel) == 0)
			return e->text;
	return NULL;
}

/* Append s with control bytes as \xNN, so one refusal stays one line. */
static int add_escaped(struct hbuf *out, const char *s)
{
	int rc = 0;

	for (; *s && !rc; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			rc = hbuf_addf(out, "\\x%02x", c);
		else
			rc = hbuf_add(out, s, 1);
	}
	return rc;
}

static int render_one(const struct refusal *r, struct hbuf *out)
{
	char stamp[32];
	const char *line = r->text, *end;
	struct tm tm;

	gmtime_r(&r->when, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	while (*line) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if (hbuf_addf(out, "%s ", stamp) || add_escaped(out, r->rel) ||
		    hbuf_addf(out, ": %.*s\n", (int)(end - line), line))
			return -ENOMEM;
		line = *end ? end + 1 : end;
	}
	return 0;
}

int sfs_refusal_render(struct hbuf *out)
{
	size_t i, slot;
	int rc;

	for (i = 0; i < ring_len; i++) {
		slot = (ring_next + SFS_REFUSALS_MAX - ring_len + i) %
		       SFS_REFUSALS_MAX;
		rc = render_one(&ring[slot], out);
		if (rc)
			return rc;
	}
	return 0;
}

void sfs_refusal_free_all(void)
{
	size_t i;

	for (i = 0; i < SFS_REFUSALS_MAX; i++) {
		free(ring[i].rel);
		free(ring[i].text);
		ring[i].rel = ring[i].text = NULL;
	}
	ring_len = ring_next = 0;
	while (last_errors)
		sfs_refusal_clear(last_errors->rel);
}
