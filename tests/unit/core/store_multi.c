/*
 * store_multi.c - unit tests for store_write_many(): several files in one
 * commit, validation before anything is touched, commits of direct
 * edits, and recovery of an interrupted multi-file save (completed when
 * every file holds its new state, rolled back to HEAD otherwise).
 */
#include "store_util.h"

#define JOURNAL ".helios-state/journal"

static const char other_ok[] =
	"specialization_level: 3\n"
	"behaviors:\n"
	"  # moved here\n"
	"  depth: high\n";

static const char *new_store(const char *name)
{
	struct store *st = open_store(tmp_store_path(name), NULL);

	if (!st)
		return NULL;
	store_free(st);
	return tmp_store_path(name);
}

static void test_store_multi__two_files_one_commit(void)
{
	const char *dir = tmp_store_path("two");
	struct helios_error err = { 0 };
	struct store_file f[2] = {
		{ "personas/a.yaml", persona_ok, strlen(persona_ok), NULL },
		{ "personas/b.yaml", other_ok, strlen(other_ok), NULL },
	};
	struct store *st = open_store(dir, NULL);

	ASSERT(st);
	ASSERT_INT_EQ(1, commit_count(dir));
	ASSERT_INT_EQ(0, store_write_many(st, f, 2, "evolve tone", "test",
					  NULL, &err));
	ASSERT_INT_EQ(2, commit_count(dir));
	ASSERT_STR_EQ("evolve tone (test)",
		      sh("git -C '%s' log -1 --format=%%s", dir));
	ASSERT_STR_EQ("personas/a.yaml\npersonas/b.yaml",
		      sh("git -C '%s' show --format= --name-only HEAD", dir));
	ASSERT_STR_EQ(other_ok, slurp(dir, "personas/b.yaml"));
	ASSERT_INT_EQ(0600, file_mode(dir, "personas/b.yaml"));

	/* the same contents again: no commit */
	ASSERT_INT_EQ(0, store_write_many(st, f, 2, "again", "test", NULL,
					  &err));
	ASSERT_INT_EQ(2, commit_count(dir));

	/* a write and a delete together */
	f[1].buf = NULL;
	f[0].buf = other_ok;
	f[0].len = strlen(other_ok);
	ASSERT_INT_EQ(0, store_write_many(st, f, 2, "swap", "test", NULL,
					  &err));
	ASSERT_INT_EQ(3, commit_count(dir));
	ASSERT_STR_EQ("(missing)", slurp(dir, "personas/b.yaml"));
	ASSERT_STR_EQ("M\tpersonas/a.yaml\nD\tpersonas/b.yaml",
		      sh("git -C '%s' show --format= --name-status HEAD",
			 dir));
	ASSERT_STR_EQ("", sh("git -C '%s' status --porcelain", dir));
	ASSERT_STR_EQ("(missing)", slurp(dir, JOURNAL));
	ASSERT_INT_EQ(0, sh_status("git -C '%s' fsck --strict "
				   ">/dev/null 2>&1", dir));
	store_free(st);
}

static void test_store_multi__invalid_touches_nothing(void)
{
	const char *dir = tmp_store_path("invalid");
	struct helios_error err = { 0 };
	struct hdiag_list diags;
	struct store_file f[2] = {
		{ "personas/a.yaml", persona_ok, strlen(persona_ok), NULL },
		{ "personas/b.yaml", persona_bad, strlen(persona_bad), NULL },
	};
	struct store *st = open_store(dir, NULL);

	ASSERT(st);
	hdiag_list_init(&diags);
	ASSERT_INT_EQ(HELIOS_EINVAL, store_write_many(st, f, 2, "x", "t",
						      &diags, &err));
	ASSERT(diags.len > 0);
	ASSERT_CONTAINS("personas/b.yaml", err.msg);
	hdiag_list_release(&diags);
	ASSERT_STR_EQ("(missing)", slurp(dir, "personas/a.yaml"));
	ASSERT_INT_EQ(1, commit_count(dir));

	f[1] = (struct store_file){ "personas/a.yaml", other_ok,
				    strlen(other_ok), NULL };
	ASSERT_INT_EQ(HELIOS_EINVAL, store_write_many(st, f, 2, "x", "t",
						      NULL, &err));
	ASSERT_CONTAINS("twice", err.msg);
	f[1] = (struct store_file){ STORE_BASE_PATH, NULL, 0, NULL };
	ASSERT_INT_EQ(HELIOS_EPERM, store_write_many(st, f, 2, "x", "t",
						     NULL, &err));
	f[1] = (struct store_file){ "notes.txt", "x", 1, NULL };
	ASSERT_INT_EQ(HELIOS_ENAME, store_write_many(st, f, 2, "x", "t",
						     NULL, &err));
	ASSERT_INT_EQ(1, commit_count(dir));
	store_free(st);
}

static void test_store_multi__commits_direct_edits(void)
{
	const char *dir = new_store("direct");
	struct helios_error err = { 0 };
	struct store_file f[2] = {
		{ "personas/welcome.yaml", NULL, 0, NULL },
		{ "personas/new.yaml", other_ok, strlen(other_ok), NULL },
	};
	struct store *st;

	ASSERT(dir);
	ASSERT_INT_EQ(0, spit(dir, "personas/new.yaml", other_ok));
	ASSERT_INT_EQ(0, sh_status("rm '%s/personas/welcome.yaml'", dir));
	st = open_store(dir, NULL);
	ASSERT(st);
	ASSERT_INT_EQ(0, store_write_many(st, f, 2, "hand edits", "cli",
					  NULL, &err));
	ASSERT_INT_EQ(2, commit_count(dir));
	ASSERT_STR_EQ("A\tpersonas/new.yaml\nD\tpersonas/welcome.yaml",
		      sh("git -C '%s' show --format= --name-status HEAD",
			 dir));
	ASSERT_STR_EQ("", sh("git -C '%s' status --porcelain "
			     "--untracked-files=all", dir));
	store_free(st);
}

/* Stage a crash: the journal of a two-file save and some of its files. */
static void stage(const char *dir, int both)
{
	char text[1024], a[64], b[64];

	snprintf(a, sizeof(a), "%s", sh("printf '%%s' '%s' | git hash-object "
					"--stdin", persona_ok));
	snprintf(b, sizeof(b), "%s", sh("printf '%%s' '%s' | git hash-object "
					"--stdin", other_ok));
	spit(dir, "personas/a.yaml", persona_ok);
	if (both)
		spit(dir, "personas/b.yaml", other_ok);
	snprintf(text, sizeof(text),
		 "helios-journal 1\nmulti 2\nwrite %s personas/a.yaml\n"
		 "write %s personas/b.yaml\n", a, b);
	spit(dir, JOURNAL, text);
}

static void test_store_multi__interrupted_save_completed(void)
{
	const char *dir = new_store("done");
	struct hdiag_list report;
	struct store *st;

	ASSERT(dir);
	stage(dir, 1);
	hdiag_list_init(&report);
	st = open_store(dir, &report);
	ASSERT(st);
	ASSERT(report_has(&report, "save of 2 files completed"));
	store_free(st);
	hdiag_list_release(&report);
	ASSERT_INT_EQ(2, commit_count(dir));
	ASSERT_STR_EQ("recover multi-file save",
		      sh("git -C '%s' log -1 --format=%%s", dir));
	ASSERT_STR_EQ("personas/a.yaml\npersonas/b.yaml",
		      sh("git -C '%s' show --format= --name-only HEAD", dir));
	ASSERT_STR_EQ("(missing)", slurp(dir, JOURNAL));
	ASSERT_STR_EQ("", sh("git -C '%s' status --porcelain "
			     "--untracked-files=all", dir));
}

static void test_store_multi__interrupted_save_rolled_back(void)
{
	const char *dir = new_store("half");
	struct hdiag_list report;
	char want[4096];
	struct store *st;

	ASSERT(dir);
	/* an existing file changed by the save, and one not yet written */
	ASSERT_INT_EQ(0, sh_status("cp '%s/personas/welcome.yaml' "
				   "'%s/personas/a.yaml' && git -C '%s' add . "
				   "&& git -C '%s' -c user.name=t "
				   "-c user.email=t@t commit -qm a", dir, dir,
				   dir, dir));
	stage(dir, 0);
	hdiag_list_init(&report);
	st = open_store(dir, &report);
	ASSERT(st);
	ASSERT(report_has(&report, "rolled back"));
	store_free(st);
	hdiag_list_release(&report);
	ASSERT_INT_EQ(2, commit_count(dir));
	snprintf(want, sizeof(want), "%s", slurp(dir, "personas/welcome.yaml"));
	ASSERT_STR_EQ(want, slurp(dir, "personas/a.yaml"));
	ASSERT_STR_EQ("(missing)", slurp(dir, "personas/b.yaml"));
	ASSERT_STR_EQ("(missing)", slurp(dir, JOURNAL));
	ASSERT_STR_EQ("", sh("git -C '%s' status --porcelain "
			     "--untracked-files=all", dir));
}

int main(void)
{
	store_test_setup();
	TEST_RUN(test_store_multi__two_files_one_commit);
	TEST_RUN(test_store_multi__invalid_touches_nothing);
	TEST_RUN(test_store_multi__commits_direct_edits);
	TEST_RUN(test_store_multi__interrupted_save_completed);
	TEST_RUN(test_store_multi__interrupted_save_rolled_back);
	return store_test_teardown();
}
