/*
 * error.c - the error record every core module fills in.
 */
#include "helios/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int error_vset(struct helios_error *err, int code, int saved_errno,
		      unsigned line, unsigned col, const char *fmt,
		      va_list ap)
{
	if (!err)
		return code;

	err->code = code;
	err->sys_errno = saved_errno;
	err->line = line;
	err->col = col;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int helios_error_set(struct helios_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(err, code, 0, 0, 0, fmt, ap);
	va_end(ap);
	return code;
}

int helios_error_at(struct helios_error *err, int code, unsigned line,
		    unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(err, code, 0, line, col, fmt, ap);
	va_end(ap);
	return code;
}

int helios_error_sys(struct helios_error *err, int saved_errno,
		     const char *fmt, ...)
{
	va_list ap;
	size_t used;

	va_start(ap, fmt);
	error_vset(err, HELIOS_EIO, saved_errno, 0, 0, fmt, ap);
	va_end(ap);
	if (!err)
		return HELIOS_EIO;

	used = strlen(err->msg);
	snprintf(err->msg + used, sizeof(err->msg) - used, ": %s",
		 strerror(saved_errno));
	return HELIOS_EIO;
}

void helios_error_clear(struct helios_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

void helios_error_format(const struct helios_error *err, const char *file,
			 char *out, size_t size)
{
	const char *msg = err && err->msg[0] ? err->msg : "unknown error";

	if (!size)
		return;
	if (file && err && err->line)
		snprintf(out, size, "%s:%u:%u: %s", file, err->line,
			 err->col ? err->col : 1, msg);
	else if (file)
		snprintf(out, size, "%s: %s", file, msg);
	else
		snprintf(out, size, "%s", msg);
}

int helios_code_to_errno(int code)
{
	switch (code) {
	case HELIOS_OK:		return 0;
	case HELIOS_ENOMEM:	return ENOMEM;
	case HELIOS_EINVAL:	return EINVAL;
	case HELIOS_ELIMIT:	return EFBIG;
	case HELIOS_ENOTFOUND:	return ENOENT;
	case HELIOS_EEXIST:	return EEXIST;
	case HELIOS_ENAME:	return EINVAL;
	case HELIOS_EPERM:	return EPERM;
	case HELIOS_ECONFLICT:	return ESTALE;
	default:		return EIO;
	}
}

const char *helios_code_name(int code)
{
	switch (code) {
	case HELIOS_OK:		return "success";
	case HELIOS_ENOMEM:	return "out of memory";
	case HELIOS_EIO:	return "i/o error";
	case HELIOS_EINVAL:	return "invalid content";
	case HELIOS_ELIMIT:	return "limit exceeded";
	case HELIOS_ENOTFOUND:	return "not found";
	case HELIOS_EEXIST:	return "already exists";
	case HELIOS_ENAME:	return "invalid name";
	case HELIOS_EGIT:	return "git error";
	case HELIOS_ESTORE:	return "not a usable store";
	case HELIOS_EPERM:	return "not permitted";
	case HELIOS_ECONFLICT:	return "changed since it was read";
	default:		return "internal error";
	}
}
