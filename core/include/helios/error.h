/*
 * error.h - error codes and the error record shared by every core module.
 *
 * Every fallible core function returns int: 0 on success or a negative
 * HELIOS_E* code.  When the caller passes a struct helios_error, the
 * function that detects the failure fills it in once (code, message,
 * optional errno and source position) and callers above propagate it
 * unchanged.  Passing NULL is allowed everywhere and discards the message.
 *
 * core/ never prints.  The faces (fs/, mcp/, the command line) format the
 * record with helios_error_format() and send it to their own log sink.
 */
#ifndef HELIOS_ERROR_H
#define HELIOS_ERROR_H

#include <stddef.h>

enum helios_code {
	HELIOS_OK = 0,
	HELIOS_ENOMEM = -1,	/* allocation failed */
	HELIOS_EIO = -2,	/* a system call failed; sys_errno holds errno */
	HELIOS_EINVAL = -3,	/* content failed YAML parsing or validation */
	HELIOS_ELIMIT = -4,	/* size, depth or alias-expansion limit hit */
	HELIOS_ENOTFOUND = -5,	/* no such file, persona or revision */
	HELIOS_EEXIST = -6,	/* target already exists */
	HELIOS_ENAME = -7,	/* name refused by the naming rules */
	HELIOS_EGIT = -8,	/* libgit2 reported an error */
	HELIOS_ESTORE = -9,	/* the directory is not a usable store */
	HELIOS_EPERM = -10,	/* operation not allowed (e.g. delete base) */
	HELIOS_EINTERNAL = -11,	/* broken invariant; a bug in Helios */
	HELIOS_ECONFLICT = -12,	/* the file changed since the caller read it */
};

struct helios_error {
	int code;		/* HELIOS_E* or 0 */
	int sys_errno;		/* errno for HELIOS_EIO, else 0 */
	unsigned line;		/* 1-based source position, 0 when none */
	unsigned col;
	char msg[1024];		/* lowercase, no trailing period */
};

/*
 * Record an error.  Returns code so callers can write
 * `return helios_error_set(err, HELIOS_EIO, ...)`.  err may be NULL.
 */
int helios_error_set(struct helios_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As helios_error_set(), with errno text appended as ": <strerror>". */
int helios_error_sys(struct helios_error *err, int saved_errno,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As helios_error_set(), with a source position. */
int helios_error_at(struct helios_error *err, int code, unsigned line,
		    unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

void helios_error_clear(struct helios_error *err);

/*
 * Format as "FILE:LINE:COLUMN: message" when the record has a position,
 * "FILE: message" when it has only a file, or "message".  file may be
 * NULL.  Always NUL-terminates; truncates to size.
 */
void helios_error_format(const struct helios_error *err, const char *file,
			 char *out, size_t size);

/* Map a HELIOS_E* code to the errno a filesystem should return. */
int helios_code_to_errno(int code);

/* A short fixed name for a code, e.g. "invalid content". */
const char *helios_code_name(int code);

#endif
