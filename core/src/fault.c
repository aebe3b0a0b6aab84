/*
 * fault.c - the fault points of test builds (see helios/fault.h).
 *
 * Compiled to an empty unit unless HELIOS_FAULT_INJECTION is defined.
 */
#include "helios/fault.h"

#ifdef HELIOS_FAULT_INJECTION

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAULT_NAMES_MAX 32
#define FAULT_NAME_MAX 48

struct fault_counter {
	char name[FAULT_NAME_MAX];
	unsigned long hits;
};

static pthread_mutex_t fault_mu = PTHREAD_MUTEX_INITIALIZER;
static int fault_loaded;
static char fault_armed[FAULT_NAME_MAX];	/* "" when not armed */
static unsigned long fault_armed_at = 1;
static const char *fault_trace;		/* from the environment */
static struct fault_counter fault_counters[FAULT_NAMES_MAX];

/* Parse HELIOS_FAULT=NAME[:N] and HELIOS_FAULT_TRACE once. */
static void fault_load(void)
{
	const char *spec = getenv("HELIOS_FAULT");
	const char *colon;
	size_t n;

	fault_loaded = 1;
	fault_trace = getenv("HELIOS_FAULT_TRACE");
	if (fault_trace && !*fault_trace)
		fault_trace = NULL;
	if (!spec || !*spec)
		return;
	colon = strchr(spec, ':');
	n = colon ? (size_t)(colon - spec) : strlen(spec);
	if (n >= sizeof(fault_armed))
		return;
	memcpy(fault_armed, spec, n);
	fault_armed[n] = '\0';
	if (colon)
		fault_armed_at = strtoul(colon + 1, NULL, 10);
}

/* The hit count of name after this hit; 0 when the table is full. */
static unsigned long fault_count(const char *name)
{
	size_t i;

	for (i = 0; i < FAULT_NAMES_MAX; i++) {
		struct fault_counter *c = &fault_counters[i];

		if (!c->name[0])
			snprintf(c->name, sizeof(c->name), "%s", name);
		if (!strcmp(c->name, name))
			return ++c->hits;
	}
	return 0;
}

/* Append "NAME N" to the trace file with one write(2), O_APPEND. */
static void fault_trace_hit(const char *name, unsigned long n)
{
	char line[FAULT_NAME_MAX + 32];
	int fd, len;

	fd = open(fault_trace, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return;
	len = snprintf(line, sizeof(line), "%s %lu\n", name, n);
	if (len > 0 && write(fd, line, (size_t)len) < 0)
		len = 0;
	close(fd);
}

void fault__hit(const char *name)
{
	unsigned long n;

	pthread_mutex_lock(&fault_mu);
	if (!fault_loaded)
		fault_load();
	n = fault_count(name);
	if (fault_trace)
		fault_trace_hit(name, n);
	if (fault_armed[0] && n == fault_armed_at &&
	    !strcmp(fault_armed, name))
		kill(getpid(), SIGKILL);
	pthread_mutex_unlock(&fault_mu);
}

#else

/* ISO C wants at least one declaration in a translation unit. */
typedef int fault_disabled;

#endif
