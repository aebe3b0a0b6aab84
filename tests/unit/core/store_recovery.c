/*
 * store_recovery.c - recovery on open: an interrupted save recorded in
 * the journal is finished, Helios's own leftover temporary files are
 * removed, and every other difference from HEAD is reported, untouched.
 *
 * An interrupted save is staged by hand the way a crash leaves it: the
 * working file already renamed into place and the journal
 * (.helios-state/journal, "helios-journal 1" then one line) still there,
 * but no commit.
 */
#include "store_util.h"

#define JOURNAL ".helios-state/journal"

/* A bootstrapped, closed store. */
static const char *new_store(const char *name)
{
	struct store *st = open_store(tmp_store_path(name), NULL);

	if (!st)
		return NULL;
	store_free(st);
	return tmp_store_path(name);
}

static int write_journal(const char *dir, const char *line)
{
	char text[512];

	snprintf(text, sizeof(text), "helios-journal 1\n%s\n", line);
	return spit(dir, JOURNAL, text);
}

static void test_store_recovery__interrupted_save_is_committed(void)
{
	const char *dir = new_store("interrupted");
	char line[256], head[128];
	struct hdiag_list report;
	struct store *st;

	ASSERT(dir);
	ASSERT_INT_EQ(0, spit(dir, "personas/x.yaml", persona_ok));
	snprintf(line, sizeof(line), "write %s personas/x.yaml",
		 sh("git -C '%s' hash-object personas/x.yaml", dir));
	ASSERT_INT_EQ(0, write_journal(dir, line));

	hdiag_list_init(&report);
	st = open_store(dir, &report);
	ASSERT(st);
	ASSERT(report_has(&report, "recover personas/x.yaml"));
	ASSERT_INT_EQ(1, (int)report.len);
	store_free(st);
	hdiag_list_release(&report);

	ASSERT_INT_EQ(2, commit_count(dir));
	ASSERT_STR_EQ("recover personas/x.yaml",
		      sh("git -C '%s' log -1 --format=%%s", dir));
	ASSERT_STR_EQ(persona_ok, slurp(dir, "personas/x.yaml"));
	ASSERT_STR_EQ("", sh("git -C '%s' status --porcelain "
			     "--untracked-files=all", dir));
	ASSERT_STR_EQ("(missing)", slurp(dir, JOURNAL));

	/* a second open finds nothing to do */
	snprintf(head, sizeof(head), "%s",
		 sh("git -C '%s' rev-parse HEAD", dir));
	hdiag_list_init(&report);
	st = open_store(dir, &report);
	ASSERT(st);
	ASSERT_INT_EQ(0, (int)report.len);
	store_free(st);
	hdiag_list_release(&report);
	ASSERT_STR_EQ(head, sh("git -C '%s' rev-parse HEAD", dir));
}

static void test_store_recovery__hand_edit_is_reported_untouched(void)
{
	const char *dir = new_store("hand-edit");
	const char *broken = "base_importance: [oops\n";
	struct hdiag_list report;
	struct store *st;

	ASSERT(dir);
	ASSERT_INT_EQ(0, spit(dir, STORE_BASE_PATH, broken));
	ASSERT_INT_EQ(0, sh_status("rm '%s/personas/welcome.yaml'", dir));

	hdiag_list_init(&report);
	st = open_store(dir, &report);
	ASSERT(st);
	ASSERT_INT_EQ(2, (int)report.len);
	ASSERT(report_has(&report, "base/identity.yaml: differs from HEAD; "
			  "left as is"));
	ASSERT(report_has(&report, "personas/welcome.yaml: missing"));
	ASSERT_INT_EQ(HDIAG_WARNING, report.items[0].severity);
	store_free(st);
	hdiag_list_release(&report);

	ASSERT_STR_EQ(broken, slurp(dir, STORE_BASE_PATH));
	ASSERT_STR_EQ("(missing)", slurp(dir, "personas/welcome.yaml"));
	ASSERT_INT_EQ(1, commit_count(dir));
}

static void test_store_recovery__stale_journal_is_discarded(void)
{
	const char *dir = new_store("stale");
	struct hdiag_list report;
	struct store *st;

	ASSERT(dir);
	/* the crash came before the rename: the file is not the new one */
	ASSERT_INT_EQ(0, spit(dir, "personas/welcome.yaml",
			      "specialization_level: 7\nbehaviors: {}\n"));
	ASSERT_INT_EQ(0, write_journal(dir, "write "
				       "0123456789abcdef0123456789abcdef01234567"
				       " personas/welcome.yaml"));
	hdiag_list_init(&report);
	st = open_store(dir, &report);
	ASSERT(st);
	ASSERT_INT_EQ(1, (int)report.len);
	ASSERT(report_has(&report, "personas/welcome.yaml: differs from "
			  "HEAD; left as is"));
	store_free(st);
	hdiag_list_release(&report);
	ASSERT_INT_EQ(1, commit_count(dir));
	ASSERT_STR_EQ("(missing)", slurp(dir, JOURNAL));

	/* garbage in the journal is dropped the same way */
	ASSERT_INT_EQ(0, spit(dir, JOURNAL, "rm -rf /\n"));
	st = open_store(dir, NULL);
	ASSERT(st);
	store_free(st);
	ASSERT_INT_EQ(1, commit_count(dir));
	ASSERT_STR_EQ("(missing)", slurp(dir, JOURNAL));
}

/* A journal without its header (not Helios's) goes, with a word. */
static void test_store_recovery__foreign_journal_reported(void)
{
	const char *dir = new_store("foreign");
	struct hdiag_list report;
	struct store *st;

	ASSERT(dir);
	ASSERT_INT_EQ(0, spit(dir, JOURNAL, "write 0123 personas/welcome.yaml\n"));
	hdiag_list_init(&report);
	st = open_store(dir, &report);
	ASSERT(st);
	ASSERT(report_has(&report, "not a journal Helios wrote"));
	ASSERT_INT_EQ(0, sh_status("test ! -e '%s/%s'", dir, JOURNAL));
	ASSERT_INT_EQ(1, commit_count(dir));
	store_free(st);
	hdiag_list_release(&report);
}

static void test_store_recovery__leftover_temp_files_removed(void)
{
	const char *dir = new_store("temps");
	struct hdiag_list report;
	struct store *st;

	ASSERT(dir);
	ASSERT_INT_EQ(0, spit(dir, "personas/.helios-tmp-x.yaml-AbC123",
			      "half"));
	ASSERT_INT_EQ(0, spit(dir, "base/.helios-tmp-identity.yaml-q1w2e3",
			      "half"));
	ASSERT_INT_EQ(0, spit(dir, "personas/.keep-me", "mine"));
	hdiag_list_init(&report);
	st = open_store(dir, &report);
	ASSERT(st);
	ASSERT_INT_EQ(2, (int)report.len);
	ASSERT(report_has(&report, "removed leftover temporary file"));
	store_free(st);
	hdiag_list_release(&report);
	ASSERT_STR_EQ(".keep-me\nwelcome.yaml",
		      sh("ls -A '%s/personas'", dir));
	ASSERT_STR_EQ("identity.yaml", sh("ls -A '%s/base'", dir));
}

static void test_store_recovery__interrupted_delete_and_rename(void)
{
	const char *dir = new_store("delete-rename");
	char line[256];
	struct store *st;

	ASSERT(dir);
	/* delete: the file is gone, the commit is missing */
	ASSERT_INT_EQ(0, sh_status("rm '%s/personas/welcome.yaml'", dir));
	ASSERT_INT_EQ(0, write_journal(dir, "delete personas/welcome.yaml"));
	st = open_store(dir, NULL);
	ASSERT(st);
	store_free(st);
	ASSERT_INT_EQ(2, commit_count(dir));
	ASSERT_STR_EQ("recover delete personas/welcome.yaml",
		      sh("git -C '%s' log -1 --format=%%s", dir));

	/* rename: journal written, rename(2) not done yet */
	st = open_store(dir, NULL);
	ASSERT(st);
	ASSERT_INT_EQ(0, store_write(st, "personas/a.yaml", persona_ok,
				     strlen(persona_ok), "test", NULL, NULL));
	store_free(st);
	snprintf(line, sizeof(line), "rename %s personas/a.yaml "
		 "personas/b.yaml",
		 sh("git -C '%s' hash-object personas/a.yaml", dir));
	ASSERT_INT_EQ(0, write_journal(dir, line));
	st = open_store(dir, NULL);
	ASSERT(st);
	store_free(st);
	ASSERT_INT_EQ(4, commit_count(dir));
	ASSERT_STR_EQ("recover rename personas/a.yaml to personas/b.yaml",
		      sh("git -C '%s' log -1 --format=%%s", dir));
	ASSERT_STR_EQ("(missing)", slurp(dir, "personas/a.yaml"));
	ASSERT_STR_EQ(persona_ok, slurp(dir, "personas/b.yaml"));
	ASSERT_STR_EQ("", sh("git -C '%s' status --porcelain "
			     "--untracked-files=all", dir));
}

int main(void)
{
	store_test_setup();
	TEST_RUN(test_store_recovery__interrupted_save_is_committed);
	TEST_RUN(test_store_recovery__hand_edit_is_reported_untouched);
	TEST_RUN(test_store_recovery__stale_journal_is_discarded);
	TEST_RUN(test_store_recovery__foreign_journal_reported);
	TEST_RUN(test_store_recovery__leftover_temp_files_removed);
	TEST_RUN(test_store_recovery__interrupted_delete_and_rename);
	return store_test_teardown();
}
