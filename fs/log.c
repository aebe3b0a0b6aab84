/*
 * log.c - the one log sink of helios-fs: stderr while in the foreground,
 * syslog once the daemon has detached (its stderr is /dev/null then).
 */
#include "sfs_i.h"

#include <stdio.h>
#include <string.h>

static int log_level = LOG_INFO;
static int log_syslog;

void sfs_log_setup(int level, int use_syslog)
{
	log_level = level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog("helios-fs", LOG_PID, LOG_DAEMON);
}

int sfs_log_enabled(int level)
{
	return level <= log_level;
}

static const char *level_name(int level)
{
	switch (level) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:		return "error";
	case LOG_WARNING:	return "warning";
	case LOG_NOTICE:
	case LOG_INFO:		return "info";
	default:		return "debug";
	}
}

void sfs_log_msg(int level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);

	if (log_syslog)
		syslog(level, "%s", line);
	else
		fprintf(stderr, "helios-fs: %s: %s\n", level_name(level),
			line);
}
