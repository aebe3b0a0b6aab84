/*
 * store_migrate.c - unit tests of layout migration on open.
 */
#include "store_util.h"

#include "helios/maintenance.h"

static const char base_ok[] =
	"base_importance: 0.5\nbehaviors:\n  tone: plain\n";

/* A store as the Python Helios left it, without git. */
static void python_store(const char *dir)
{
	sh_status("mkdir -p '%s/base' '%s/personas' '%s/learned' "
		  "'%s/temporary'", dir, dir, dir, dir);
	spit(dir, ".helios_version", "1.0.0\n");
	spit(dir, "base/identity.yaml", base_ok);
	spit(dir, "personas/coder.yaml", persona_ok);
	spit(dir, "learned/patterns.yaml", "patterns: []\n");
	spit(dir, "temporary/scratch.txt", "scratch\n");
}

static void test_core_migrate__python_store_opens_migrated(void)
{
	const char *dir = tmp_store_path("m1");
	struct helios_error err = { 0 };
	struct hdiag_list report;
	struct store *st;

	python_store(dir);
	hdiag_list_init(&report);
	ASSERT_INT_EQ(0, store_open(dir, 0, &st, &report, &err));
	store_free(st);
	ASSERT(report_has(&report, "migration: backup of the old store"));
	hdiag_list_release(&report);
	ASSERT_INT_EQ(2, commit_count(dir));
	ASSERT_STR_EQ("patterns: []", sh("git -C '%s' show "
					 "main:learned/patterns.yaml", dir));
	ASSERT_STR_EQ("layout: 1", sh("head -1 '%s/.helios_version'", dir));
	ASSERT_STR_EQ("(missing)", slurp(dir, "temporary/scratch.txt"));
	ASSERT_STR_EQ("scratch\n", slurp(dir, sh("cd '%s' && ls -d "
						 ".helios-state/temporary-*/"
						 "scratch.txt", dir)));
	ASSERT_STR_EQ("", sh("git -C '%s' status --porcelain", dir));

	/* opening again changes nothing */
	ASSERT_INT_EQ(0, store_open(dir, 0, &st, NULL, &err));
	store_free(st);
	ASSERT_INT_EQ(2, commit_count(dir));
}

static void test_core_migrate__newer_layout_is_refused(void)
{
	const char *dir = tmp_store_path("m2");
	struct helios_error err = { 0 };
	struct store *st = open_store(dir, NULL);

	store_free(st);
	ASSERT_INT_EQ(0, spit(dir, ".helios_version", "layout: 7\n"));
	ASSERT_INT_EQ(HELIOS_ESTORE, store_open(dir, 0, &st, NULL, &err));
	ASSERT_CONTAINS("has layout 7, newer than this Helios knows (1)",
			err.msg);
	ASSERT_STR_EQ("layout: 7\n", slurp(dir, ".helios_version"));
}

static void test_core_migrate__unknown_version_text_is_refused(void)
{
	const char *dir = tmp_store_path("m3");
	struct helios_error err = { 0 };
	struct store *st = open_store(dir, NULL);

	store_free(st);
	ASSERT_INT_EQ(0, spit(dir, ".helios_version", "banana\n"));
	ASSERT_INT_EQ(HELIOS_ESTORE, store_open(dir, 0, &st, NULL, &err));
	ASSERT_CONTAINS("unrecognised .helios_version 'banana'", err.msg);
}

int main(void)
{
	store_test_setup();
	TEST_RUN(test_core_migrate__python_store_opens_migrated);
	TEST_RUN(test_core_migrate__newer_layout_is_refused);
	TEST_RUN(test_core_migrate__unknown_version_text_is_refused);
	return store_test_teardown();
}
