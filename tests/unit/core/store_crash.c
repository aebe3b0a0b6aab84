/*
 * store_crash.c - states a writer killed mid-save leaves behind, staged
 * by hand the way a SIGKILL leaves them (the crash matrix in
 * tests/integration/crash_*.sh produces them for real):
 *
 * - killed after the branch moved but before the index was written:
 *   recovery must bring the index entry in line with HEAD, or
 *   `git status` shows the save staged backwards and a plain
 *   `git commit` would undo it;
 * - killed after its rename, while another process keeps the store
 *   open: that process's next change must finish the dead writer's save
 *   before replacing the journal, or the save stays in the working tree
 *   and never reaches HEAD.
 */
#include "store_util.h"

#define JOURNAL ".helios-state/journal"

static const char persona_v2[] =
	"specialization_level: 2\nbehaviors:\n  tone: second\n";

static int write_journal(const char *dir, const char *line)
{
	char text[512];

	snprintf(text, sizeof(text), "helios-journal 1\n%s\n", line);
	return spit(dir, JOURNAL, text);
}

/* A store holding personas/x.yaml = persona_ok, committed. */
static const char *store_with_x(const char *name, char *old_id, size_t n)
{
	struct helios_error err = { 0 };
	const char *dir = tmp_store_path(name);
	struct store *st = open_store(dir, NULL);
	int rc;

	if (!st)
		return NULL;
	rc = store_write(st, "personas/x.yaml", persona_ok,
			 strlen(persona_ok), "test", NULL, &err);
	store_free(st);
	if (rc)
		return NULL;
	snprintf(old_id, n, "%s",
		 sh("git -C '%s' rev-parse HEAD:personas/x.yaml", dir));
	return dir;
}

static void test_store_crash__stale_index_after_write_is_synced(void)
{
	struct helios_error err = { 0 };
	char old_id[64], line[256];
	struct hdiag_list report;
	const char *dir = store_with_x("stale-write", old_id, sizeof(old_id));
	struct store *st;

	ASSERT(dir);
	st = open_store(dir, NULL);
	ASSERT(st);
	ASSERT_INT_EQ(0, store_write(st, "personas/x.yaml", persona_v2,
				     strlen(persona_v2), "test", NULL, &err));
	store_free(st);

	/* the state a kill between ref update and index write leaves */
	ASSERT_INT_EQ(0, sh_status("git -C '%s' update-index --cacheinfo "
				   "100644,%s,personas/x.yaml", dir, old_id));
	ASSERT_STR_EQ("MM personas/x.yaml",
		      sh("git -C '%s' status --porcelain", dir));
	snprintf(line, sizeof(line), "write %s personas/x.yaml",
		 sh("git -C '%s' rev-parse HEAD:personas/x.yaml", dir));
	ASSERT_INT_EQ(0, write_journal(dir, line));

	hdiag_list_init(&report);
	st = open_store(dir, &report);
	ASSERT(st);
	ASSERT_INT_EQ(0, (int)report.len);
	store_free(st);
	hdiag_list_release(&report);

	ASSERT_INT_EQ(3, commit_count(dir));
	ASSERT_STR_EQ(persona_v2, slurp(dir, "personas/x.yaml"));
	ASSERT_STR_EQ("", sh("git -C '%s' status --porcelain "
			     "--untracked-files=all", dir));
	ASSERT_STR_EQ("(missing)", slurp(dir, JOURNAL));
}

static void test_store_crash__stale_index_after_delete_is_synced(void)
{
	struct helios_error err = { 0 };
	char old_id[64];
	const char *dir = store_with_x("stale-delete", old_id,
				       sizeof(old_id));
	struct store *st;

	ASSERT(dir);
	st = open_store(dir, NULL);
	ASSERT(st);
	ASSERT_INT_EQ(0, store_delete(st, "personas/x.yaml", "test", &err));
	store_free(st);

	ASSERT_INT_EQ(0, sh_status("git -C '%s' update-index --add "
				   "--cacheinfo 100644,%s,personas/x.yaml",
				   dir, old_id));
	ASSERT_STR_EQ("AD personas/x.yaml",
		      sh("git -C '%s' status --porcelain", dir));
	ASSERT_INT_EQ(0, write_journal(dir, "delete personas/x.yaml"));

	st = open_store(dir, NULL);
	ASSERT(st);
	store_free(st);
	ASSERT_INT_EQ(3, commit_count(dir));
	ASSERT_STR_EQ("", sh("git -C '%s' status --porcelain "
			     "--untracked-files=all", dir));
	ASSERT_STR_EQ("(missing)", slurp(dir, JOURNAL));
}

/* A real difference from HEAD is never hidden by the index sync. */
static void test_store_crash__differing_file_is_left_visible(void)
{
	char old_id[64], line[256];
	const char *dir = store_with_x("differs", old_id, sizeof(old_id));
	struct store *st;

	ASSERT(dir);
	ASSERT_INT_EQ(0, spit(dir, "personas/x.yaml", "hand: edit\n"));
	snprintf(line, sizeof(line), "write %s personas/x.yaml", old_id);
	ASSERT_INT_EQ(0, write_journal(dir, line));

	st = open_store(dir, NULL);
	ASSERT(st);
	store_free(st);
	ASSERT_INT_EQ(2, commit_count(dir));
	ASSERT_STR_EQ(" M personas/x.yaml",
		      sh("git -C '%s' status --porcelain", dir));
}

static void test_store_crash__live_writer_finishes_dead_writers_save(void)
{
	struct helios_error err = { 0 };
	char old_id[64], line[256];
	const char *dir = store_with_x("live", old_id, sizeof(old_id));
	struct store *st;

	ASSERT(dir);
	st = open_store(dir, NULL);	/* opened before the other crashes */
	ASSERT(st);

	/* the other writer died after renaming personas/x.yaml into place */
	ASSERT_INT_EQ(0, spit(dir, "personas/x.yaml", persona_v2));
	snprintf(line, sizeof(line), "write %s personas/x.yaml",
		 sh("git -C '%s' hash-object personas/x.yaml", dir));
	ASSERT_INT_EQ(0, write_journal(dir, line));

	ASSERT_INT_EQ(0, store_write(st, "personas/y.yaml", persona_ok,
				     strlen(persona_ok), "test", NULL, &err));
	store_free(st);

	ASSERT_INT_EQ(4, commit_count(dir));
	ASSERT_STR_EQ("create personas/y.yaml (test)\n"
		      "recover personas/x.yaml",
		      sh("git -C '%s' log -2 --format=%%s", dir));
	/* sh() drops the final newline */
	ASSERT_STR_EQ("specialization_level: 2\nbehaviors:\n  tone: second",
		      sh("git -C '%s' show HEAD:personas/x.yaml", dir));
	ASSERT_STR_EQ("", sh("git -C '%s' status --porcelain "
			     "--untracked-files=all", dir));
	ASSERT_STR_EQ("(missing)", slurp(dir, JOURNAL));
}

int main(void)
{
	store_test_setup();
	TEST_RUN(test_store_crash__stale_index_after_write_is_synced);
	TEST_RUN(test_store_crash__stale_index_after_delete_is_synced);
	TEST_RUN(test_store_crash__differing_file_is_left_visible);
	TEST_RUN(test_store_crash__live_writer_finishes_dead_writers_save);
	return store_test_teardown();
}
