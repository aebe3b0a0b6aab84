/*
 * fault.h - named fault points for crash tests.
 *
 * A fault point marks one step of the write pipeline, for instance
 *
 *	fault_point("tmp-fsynced");
 *
 * right after the temporary file of an atomic write has been fsynced.
 * In a build configured with -DHELIOS_FAULT_INJECTION=ON the call
 * counts hits and can kill the process there; in every other build the
 * macro expands to nothing, so release binaries carry no such path.
 *
 * The environment arms it, read once on the first hit:
 *
 *	HELIOS_FAULT=NAME[:N]	SIGKILL this process at the Nth hit of
 *				point NAME (N defaults to 1)
 *	HELIOS_FAULT_TRACE=FILE	append "NAME N\n" to FILE at every hit
 *				(N counts hits of NAME), before any kill;
 *				a test learns the sequence of points from it
 *
 * Points are safe to hit from several threads.  SIGKILL is used, not
 * abort(), because nothing must run after the point: no atexit handler,
 * no stdio flush, no sanitizer report.
 *
 * Point names in use (docs/write-protocol.md explains each):
 *	tmp-written, tmp-fsynced, renamed, dir-fsynced	(atomic.c)
 *	journal-written			(store_change.c, store_multi.c)
 *	journal-removed				(store_recover.c)
 *	blob-written, tree-written, commit-written,
 *	ref-updated, index-written			(store_git.c)
 */
#ifndef HELIOS_FAULT_H
#define HELIOS_FAULT_H

#ifdef HELIOS_FAULT_INJECTION

/* Count a hit of name; trace it, and kill the process when armed. */
void fault__hit(const char *name);

#define fault_point(name) fault__hit(name)

#else

#define fault_point(name) ((void)0)

#endif

#endif
