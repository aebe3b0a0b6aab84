/*
 * store_defer.c - STORE_OPEN_DEFER_GIT: a store that needs no repair is
 * opened without git, read at once, and its repository is opened and
 * checked by the first change; a store that needs recovery still gets it
 * when it is opened.
 */
#include "store_util.h"

#define CODER "personas/coder.yaml"

static struct store *open_deferred(const char *dir, struct hdiag_list *report,
				   struct helios_error *err)
{
	struct store *st = NULL;

	if (store_open(dir, STORE_OPEN_DEFER_GIT, &st, report, err))
		return NULL;
	return st;
}

/* A bootstrapped store, closed again; its directory. */
static const char *new_store(const char *name)
{
	const char *dir = tmp_store_path(name);
	struct store *st = open_store(dir, NULL);

	if (!st)
		return NULL;
	store_free(st);
	return dir;
}

static void test_store_defer__reads_then_commits(void)
{
	struct helios_error err = { 0 };
	const char *dir = new_store("reads");
	struct store *st;
	struct hbuf b;
	char **names;
	size_t n;
	char head[41];

	ASSERT(dir);
	st = open_deferred(dir, NULL, &err);
	ASSERT(st);
	hbuf_init(&b, 1 << 20);
	ASSERT_INT_EQ(0, store_read(st, STORE_BASE_PATH, &b, &err));
	ASSERT_STR_EQ(slurp(dir, STORE_BASE_PATH), hbuf_str(&b));
	hbuf_release(&b);
	ASSERT_INT_EQ(0, store_list_personas(st, &names, &n, &err));
	ASSERT_INT_EQ(1, (int)n);
	ASSERT_STR_EQ("welcome", names[0]);
	store_names_free(names, n);

	ASSERT_INT_EQ(0, store_write(st, CODER, persona_ok, strlen(persona_ok),
				     "test", NULL, &err));
	ASSERT_INT_EQ(2, commit_count(dir));
	ASSERT_STR_EQ("create personas/coder.yaml (test)",
		      sh("git -C '%s' log -1 --format=%%s", dir));
	ASSERT_INT_EQ(0, store_head(st, head, &err));
	ASSERT_STR_EQ(sh("git -C '%s' rev-parse HEAD", dir), head);
	ASSERT_STR_EQ("", sh("git -C '%s' status --porcelain "
			     "--untracked-files=all", dir));
	store_free(st);
}

/* The first change finds out that .git is not a repository. */
static void test_store_defer__broken_repository_refuses_change(void)
{
	struct helios_error err = { 0 };
	const char *dir = new_store("broken");
	struct store *st;
	char head[41];
	struct hbuf b;

	ASSERT(dir);
	ASSERT_INT_EQ(0, sh_status("rm -rf '%s/.git' && mkdir '%s/.git' && "
				   "echo 'ref: refs/heads/main' > "
				   "'%s/.git/HEAD'", dir, dir, dir));
	st = open_deferred(dir, NULL, &err);
	ASSERT(st);
	hbuf_init(&b, 1 << 20);
	ASSERT_INT_EQ(0, store_read(st, "personas/welcome.yaml", &b, &err));
	hbuf_release(&b);
	ASSERT_INT_EQ(HELIOS_ESTORE, store_write(st, CODER, persona_ok,
						 strlen(persona_ok), "test",
						 NULL, &err));
	ASSERT_CONTAINS("is not a usable store", err.msg);
	ASSERT_INT_EQ(0, sh_status("test ! -e '%s/%s'", dir, CODER));
	helios_error_clear(&err);
	ASSERT_INT_EQ(HELIOS_ESTORE, store_head(st, head, &err));
	store_free(st);
}

/* An interrupted save is committed by the open itself, not later. */
static void test_store_defer__journal_recovered_on_open(void)
{
	struct helios_error err = { 0 };
	const char *dir = new_store("journal");
	struct hdiag_list report;
	struct store *st;

	ASSERT(dir);
	ASSERT_INT_EQ(0, spit(dir, CODER, persona_ok));
	ASSERT_INT_EQ(0, sh_status(
		"cd '%s' && printf 'helios-journal 1\\nwrite %%s %s\\n' "
		"$(git hash-object %s) > .helios-state/journal", dir, CODER,
		CODER));
	hdiag_list_init(&report);
	st = open_deferred(dir, &report, &err);
	ASSERT(st);
	/* committed before anything else is called */
	ASSERT_INT_EQ(2, commit_count(dir));
	ASSERT_STR_EQ("recover personas/coder.yaml",
		      sh("git -C '%s' log -1 --format=%%s", dir));
	ASSERT(report_has(&report, "interrupted save completed"));
	ASSERT_INT_EQ(0, sh_status("test ! -e '%s/.helios-state/journal'",
				   dir));
	hdiag_list_release(&report);
	store_free(st);
}

/* HEAD off main is not deferred: the open reports it at once. */
static void test_store_defer__detached_head_reported(void)
{
	struct helios_error err = { 0 };
	const char *dir = new_store("detached");
	struct hdiag_list report;
	struct store *st;

	ASSERT(dir);
	ASSERT_INT_EQ(0, sh_status("git -C '%s' checkout -q --detach",
				   dir));
	hdiag_list_init(&report);
	st = open_deferred(dir, &report, &err);
	ASSERT(st);
	ASSERT(report_has(&report, "HEAD is not on branch main"));
	hdiag_list_release(&report);
	/*
	 * A change would start from files that are not main's and undo
	 * main's newer commits: refused, nothing written.
	 */
	ASSERT_INT_EQ(HELIOS_ESTORE, store_write(st, CODER, persona_ok,
						 strlen(persona_ok), "t", NULL,
						 &err));
	ASSERT_CONTAINS("checkout main", err.msg);
	ASSERT_INT_EQ(0, sh_status("test ! -e '%s/%s'", dir, CODER));
	ASSERT_INT_EQ(1, commit_count(dir));
	store_free(st);
}

/* A garbage HEAD: the change is refused before any file is touched. */
static void test_store_defer__broken_head_refuses_change(void)
{
	struct helios_error err = { 0 };
	const char *dir = new_store("garbage-head");
	struct store *st;

	ASSERT(dir);
	ASSERT_INT_EQ(0, sh_status("echo garbage > '%s/.git/HEAD'", dir));
	st = open_deferred(dir, NULL, &err);
	ASSERT(st);
	ASSERT_INT_EQ(HELIOS_ESTORE, store_write(st, CODER, persona_ok,
						 strlen(persona_ok), "t", NULL,
						 &err));
	ASSERT_CONTAINS("HEAD is broken", err.msg);
	ASSERT_INT_EQ(0, sh_status("test ! -e '%s/%s'", dir, CODER));
	ASSERT_INT_EQ(0, sh_status("test ! -e '%s/.helios-state/journal'",
				   dir));
	store_free(st);
}

/* A directory that is not yet a store is still refused (or bootstrapped). */
static void test_store_defer__not_a_store(void)
{
	struct helios_error err = { 0 };
	const char *dir = tmp_store_path("empty");
	struct store *st = NULL;

	ASSERT_INT_EQ(0, sh_status("mkdir -p '%s'", dir));
	ASSERT_INT_EQ(HELIOS_ESTORE, store_open(dir, STORE_OPEN_DEFER_GIT,
						&st, NULL, &err));
	ASSERT(!st);
	ASSERT_INT_EQ(0, store_open(dir, STORE_OPEN_CREATE |
				    STORE_OPEN_DEFER_GIT, &st, NULL, &err));
	ASSERT(st);
	ASSERT(store_was_created(st));
	ASSERT_INT_EQ(1, commit_count(dir));
	store_free(st);
}

int main(void)
{
	store_test_setup();
	TEST_RUN(test_store_defer__reads_then_commits);
	TEST_RUN(test_store_defer__broken_repository_refuses_change);
	TEST_RUN(test_store_defer__journal_recovered_on_open);
	TEST_RUN(test_store_defer__detached_head_reported);
	TEST_RUN(test_store_defer__broken_head_refuses_change);
	TEST_RUN(test_store_defer__not_a_store);
	return store_test_teardown();
}
