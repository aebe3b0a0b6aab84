/*
 * store_util.h - helpers for the store unit tests: temporary stores,
 * the git command line, and reading files back.
 *
 * Each test process calls store_test_setup() first.  It points HOME and
 * the git configuration search paths (of libgit2 and of the git command
 * line) at an empty directory, so neither the machine's nor the user's
 * git identity leaks into a test, and keeps libgit2 initialised for the
 * whole process so those settings survive store_free().
 */
#ifndef HELIOS_STORE_UTIL_H
#define HELIOS_STORE_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "test.h"

#include "helios/store.h"

static char test_root[256];

static inline void store_test_setup(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[512];

	snprintf(test_root, sizeof(test_root), "%s/helios-store-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(test_root)) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(path, sizeof(path), "%s/home", test_root);
	mkdir(path, 0700);
	setenv("HOME", path, 1);
	setenv("XDG_CONFIG_HOME", path, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	unsetenv("HELIOS_DIR");
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");

	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM,
			 path);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, path);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL,
			 path);
}

static inline int store_test_teardown(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", test_root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", test_root);
	git_libgit2_shutdown();
	return test_summary();
}

/* A fresh, not yet existing store path under the test root. */
static inline const char *tmp_store_path(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", test_root, name);
	return path;
}

/* Run a shell command and return its stdout (static; trailing \n cut). */
static inline const char *sh(const char *fmt, ...)
{
	static char out[65536];
	char cmd[4096];
	size_t n;
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	if (!p)
		return "(popen failed)";
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	pclose(p);
	while (n && out[n - 1] == '\n')
		out[--n] = '\0';
	return out;
}

/* Exit status of a shell command. */
static inline int sh_status(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Whole file into a static buffer; "(missing)" when it cannot be read. */
static inline const char *slurp(const char *dir, const char *rel)
{
	static char buf[65536];
	char path[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return "(missing)";
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

static inline int spit(const char *dir, const char *rel, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static inline unsigned file_mode(const char *dir, const char *rel)
{
	char path[1024];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (stat(path, &sb) < 0)
		return 0;
	return sb.st_mode & 07777;
}

static inline int commit_count(const char *dir)
{
	return atoi(sh("git -C '%s' rev-list --count main", dir));
}

/* Does any report item contain text? */
static inline int report_has(const struct hdiag_list *r, const char *text)
{
	size_t i;

	for (i = 0; i < r->len; i++)
		if (strstr(r->items[i].text, text))
			return 1;
	return 0;
}

/* Open (bootstrapping) a store, failing the process loudly if it cannot. */
static inline struct store *open_store(const char *dir,
				       struct hdiag_list *report)
{
	struct helios_error err = { 0 };
	struct store *st = NULL;

	if (store_open(dir, STORE_OPEN_CREATE, &st, report, &err)) {
		fprintf(stderr, "  store_open %s: %s\n", dir, err.msg);
		return NULL;
	}
	return st;
}

static const char persona_ok[] __attribute__((unused)) =
	"# a comment that must survive\n"
	"specialization_level: 2\n"
	"behaviors:\n"
	"  tone: terse   # trailing comment\n";

static const char persona_bad[] __attribute__((unused)) =
	"specialization_level: 1.5\n"
	"behaviors:\n"
	"  tone: terse\n";

#endif
