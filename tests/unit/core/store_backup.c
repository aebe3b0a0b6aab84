/*
 * store_backup.c - unit tests of backups: a bundle that git accepts,
 * verification that catches damage, restore into an empty place and
 * over an occupied one.
 */
#include "store_util.h"

#include "helios/maintenance.h"

static void make_store(const char *dir)
{
	struct store *st = open_store(dir, NULL);

	if (st) {
		store_write(st, "personas/a.yaml", persona_ok,
			    strlen(persona_ok), "test", NULL, NULL);
		store_free(st);
	}
}

static void test_core_backup__bundle_is_complete_and_git_reads_it(void)
{
	const char *dir = tmp_store_path("b1");
	char tip[41], path[600], head[41];
	struct helios_error err = { 0 };
	char *out = NULL;

	make_store(dir);
	snprintf(path, sizeof(path), "%s/b1.bundle", test_root);
	ASSERT_INT_EQ(0, store_backup(dir, path, &out, &err));
	ASSERT_STR_EQ(path, out);
	free(out);
	ASSERT_INT_EQ(0, store_backup_verify(path, tip, &err));
	snprintf(head, sizeof(head), "%s",
		 sh("git -C '%s' rev-parse main", dir));
	ASSERT_STR_EQ(head, tip);
	ASSERT_INT_EQ(0600, file_mode(test_root, "b1.bundle"));
	ASSERT_INT_EQ(0, sh_status("git -C '%s' bundle verify '%s' "
				   ">/dev/null 2>&1", dir, path));
}

static void test_core_backup__verify_rejects_damage(void)
{
	const char *dir = tmp_store_path("b2");
	struct helios_error err = { 0 };
	char path[600], bad[600];

	make_store(dir);
	snprintf(path, sizeof(path), "%s/b2.bundle", test_root);
	snprintf(bad, sizeof(bad), "%s/b2-bad.bundle", test_root);
	ASSERT_INT_EQ(0, store_backup(dir, path, NULL, &err));

	/* truncated */
	ASSERT_INT_EQ(0, sh_status("head -c 200 '%s' >'%s'", path, bad));
	ASSERT_INT_EQ(HELIOS_EINVAL, store_backup_verify(bad, NULL, &err));
	ASSERT_CONTAINS("damaged pack", err.msg);
	/* not a bundle at all */
	ASSERT_INT_EQ(0, spit(test_root, "b2-bad.bundle", "hello\n"));
	ASSERT_INT_EQ(HELIOS_EINVAL, store_backup_verify(bad, NULL, &err));
	ASSERT_CONTAINS("is not a git bundle", err.msg);
	/* a thin bundle needs commits it does not hold */
	ASSERT_INT_EQ(0, sh_status("git -C '%s' bundle create -q '%s' "
				   "main~1..main 2>/dev/null", dir, bad));
	ASSERT_INT_EQ(HELIOS_EINVAL, store_backup_verify(bad, NULL, &err));
	ASSERT_CONTAINS("not a full backup", err.msg);
}

static void test_core_backup__restore_moves_old_store_aside(void)
{
	const char *dir = tmp_store_path("b3");
	struct helios_error err = { 0 };
	char path[600], keep[600], *aside = NULL;

	make_store(dir);
	snprintf(path, sizeof(path), "%s/b3.bundle", test_root);
	ASSERT_INT_EQ(0, store_backup(dir, path, NULL, &err));
	snprintf(keep, sizeof(keep), "%s", slurp(dir, "personas/a.yaml"));
	ASSERT_INT_EQ(0, spit(dir, "personas/a.yaml", "broken: [\n"));

	ASSERT_INT_EQ(0, store_restore_backup(path, dir, &aside, &err));
	ASSERT(aside != NULL);
	ASSERT_STR_EQ("broken: [\n", slurp(aside, "personas/a.yaml"));
	ASSERT_STR_EQ(keep, slurp(dir, "personas/a.yaml"));
	ASSERT_INT_EQ(0600, file_mode(dir, "personas/a.yaml"));
	ASSERT_INT_EQ(0700, file_mode(dir, "personas"));
	ASSERT_INT_EQ(2, commit_count(dir));
	free(aside);

	/* into a place that does not exist: nothing moved */
	ASSERT_INT_EQ(0, store_restore_backup(path, tmp_store_path("b3new"),
					      &aside, &err));
	ASSERT(aside == NULL);
	ASSERT_STR_EQ(keep, slurp(tmp_store_path("b3new"), "personas/a.yaml"));
}

int main(void)
{
	store_test_setup();
	TEST_RUN(test_core_backup__bundle_is_complete_and_git_reads_it);
	TEST_RUN(test_core_backup__verify_rejects_damage);
	TEST_RUN(test_core_backup__restore_moves_old_store_aside);
	return store_test_teardown();
}
