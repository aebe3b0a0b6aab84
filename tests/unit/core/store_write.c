/*
 * store_write.c - the write path: validation first, atomic replacement,
 * exactly one commit with exactly the touched paths, and the index kept
 * in step; deletes and renames.
 */
#include "store_util.h"

#define CODER "personas/coder.yaml"

static const char *git(const char *dir, const char *args)
{
	return sh("git -C '%s' %s 2>&1", dir, args);
}

/* A new store with personas/coder.yaml committed from persona_ok. */
static struct store *store_with_coder(const char *name)
{
	struct helios_error err = { 0 };
	struct store *st = open_store(tmp_store_path(name), NULL);

	if (st && store_write(st, CODER, persona_ok, strlen(persona_ok),
			      "test", NULL, &err)) {
		fprintf(stderr, "  store_write: %s\n", err.msg);
		store_free(st);
		return NULL;
	}
	return st;
}

static void test_store_write__creates_with_one_commit(void)
{
	struct store *st = store_with_coder("create");
	const char *dir;
	char head[41];

	ASSERT(st);
	dir = store_dir(st);
	ASSERT_INT_EQ(2, commit_count(dir));
	ASSERT_STR_EQ("create personas/coder.yaml (test)",
		      git(dir, "log -1 --format=%s"));
	ASSERT_STR_EQ("Helios <helios@localhost>",
		      git(dir, "log -1 --format='%an <%ae>'"));
	/* exactly the bytes given, comments included */
	ASSERT_STR_EQ(persona_ok, slurp(dir, CODER));
	ASSERT_INT_EQ(0, sh_status("cd '%s' && git cat-file blob HEAD:%s | "
				   "cmp -s - %s", dir, CODER, CODER));
	ASSERT_STR_EQ("personas/coder.yaml",
		      git(dir, "show HEAD --format= --name-only"));
	ASSERT_STR_EQ("", git(dir, "status --porcelain --untracked-files=all"));
	ASSERT_STR_EQ("", git(dir, "fsck --strict --no-progress"));
	ASSERT_INT_EQ(0600, file_mode(dir, CODER));
	ASSERT_INT_EQ(0, store_head(st, head, NULL));
	ASSERT_STR_EQ(git(dir, "rev-parse HEAD"), head);
	store_free(st);
}

static void test_store_write__update_message_and_configured_author(void)
{
	struct store *st = store_with_coder("author");
	const char *dir, *v2 = "specialization_level: 3\nbehaviors: {}\n";

	ASSERT(st);
	dir = store_dir(st);
	ASSERT_INT_EQ(0, sh_status("git -C '%s' config user.name 'Ada L' && "
				   "git -C '%s' config user.email ada@x.org",
				   dir, dir));
	ASSERT_INT_EQ(0, store_write(st, CODER, v2, strlen(v2), "mount",
				     NULL, NULL));
	ASSERT_STR_EQ("update personas/coder.yaml (mount)",
		      git(dir, "log -1 --format=%s"));
	ASSERT_STR_EQ("Ada L <ada@x.org>",
		      git(dir, "log -1 --format='%an <%ae>'"));
	ASSERT_STR_EQ(v2, slurp(dir, CODER));
	ASSERT_INT_EQ(3, commit_count(dir));
	store_free(st);
}

static void test_store_write__invalid_changes_nothing(void)
{
	struct store *st = store_with_coder("invalid");
	struct helios_error err = { 0 };
	struct hdiag_list diags;
	char head[128], index[128];
	const char *dir;

	ASSERT(st);
	dir = store_dir(st);
	snprintf(head, sizeof(head), "%s", git(dir, "rev-parse HEAD"));
	snprintf(index, sizeof(index), "%s",
		 sh("md5sum < '%s/.git/index'", dir));

	hdiag_list_init(&diags);
	ASSERT_INT_EQ(HELIOS_EINVAL,
		      store_write(st, CODER, persona_bad, strlen(persona_bad),
				  "test", &diags, &err));
	ASSERT(diags.errors >= 1);
	ASSERT_CONTAINS("personas/coder.yaml:1:", err.msg);
	ASSERT_CONTAINS("specialization_level", err.msg);
	hdiag_list_release(&diags);

	/* the base must stay a base, even with a valid persona document */
	ASSERT_INT_EQ(HELIOS_EINVAL,
		      store_write(st, STORE_BASE_PATH, persona_ok,
				  strlen(persona_ok), "test", NULL, &err));
	ASSERT_INT_EQ(HELIOS_EINVAL,
		      store_write(st, CODER, "a: [", 4, "test", NULL, &err));

	ASSERT_STR_EQ(persona_ok, slurp(dir, CODER));
	ASSERT_STR_EQ(head, git(dir, "rev-parse HEAD"));
	ASSERT_STR_EQ(index, sh("md5sum < '%s/.git/index'", dir));
	ASSERT_STR_EQ("", git(dir, "status --porcelain --untracked-files=all"));
	ASSERT_STR_EQ("", sh("ls -A '%s/personas' | grep helios-tmp", dir));
	store_free(st);
}

static void test_store_write__refuses_bad_paths(void)
{
	struct store *st = store_with_coder("paths");
	struct helios_error err = { 0 };
	static const char *const bad[] = {
		"personas/.hidden.yaml", "personas/a b.yaml",
		"personas/x.yml", "personas/../base/identity.yaml",
		"notes.yaml", ".gitignore", "/etc/passwd", "base/other.yaml",
	};
	size_t i;

	ASSERT(st);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ASSERT_INT_EQ(HELIOS_ENAME,
			      store_write(st, bad[i], persona_ok,
					  strlen(persona_ok), "test", NULL,
					  &err));
	ASSERT_INT_EQ(2, commit_count(store_dir(st)));
	store_free(st);
}

static void test_store_write__unrelated_edits_stay_out(void)
{
	struct store *st = store_with_coder("unrelated");
	const char *dir, *v2 = "specialization_level: 4\nbehaviors: {}\n";
	char base_edit[] = "base_importance: 0.5\nbehaviors: {}\n# hand\n";

	ASSERT(st);
	dir = store_dir(st);
	/* a hand edit lying in the tree and a change staged in the index */
	ASSERT_INT_EQ(0, spit(dir, STORE_BASE_PATH, base_edit));
	ASSERT_INT_EQ(0, spit(dir, "personas/welcome.yaml",
			      "specialization_level: 9\nbehaviors: {}\n"));
	ASSERT_INT_EQ(0, sh_status("git -C '%s' add personas/welcome.yaml",
				   dir));
	ASSERT_INT_EQ(0, spit(dir, "stray.txt", "x\n"));

	ASSERT_INT_EQ(0, store_write(st, CODER, v2, strlen(v2), "cli", NULL,
				     NULL));
	ASSERT_STR_EQ("personas/coder.yaml",
		      git(dir, "show HEAD --format= --name-only"));
	ASSERT_STR_EQ(" M base/identity.yaml\nM  personas/welcome.yaml\n"
		      "?? stray.txt",
		      git(dir, "status --porcelain --untracked-files=all"));
	ASSERT_STR_EQ(base_edit, slurp(dir, STORE_BASE_PATH));
	store_free(st);
}

static void test_store_write__same_content_makes_no_commit(void)
{
	struct store *st = store_with_coder("no-empty");
	const char *dir;

	ASSERT(st);
	dir = store_dir(st);
	ASSERT_INT_EQ(0, store_write(st, CODER, persona_ok,
				     strlen(persona_ok), "test", NULL, NULL));
	ASSERT_INT_EQ(2, commit_count(dir));

	/* the same bytes on disk but not in HEAD are committed once */
	ASSERT_INT_EQ(0, spit(dir, "personas/hand.yaml", persona_ok));
	ASSERT_INT_EQ(0, store_write(st, "personas/hand.yaml", persona_ok,
				     strlen(persona_ok), "test", NULL, NULL));
	ASSERT_INT_EQ(3, commit_count(dir));
	ASSERT_STR_EQ("create personas/hand.yaml (test)",
		      git(dir, "log -1 --format=%s"));
	ASSERT_STR_EQ("", git(dir, "status --porcelain --untracked-files=all"));
	store_free(st);
}

static void test_store_write__mode_is_preserved(void)
{
	struct store *st = store_with_coder("mode");
	const char *dir, *v2 = "specialization_level: 5\nbehaviors: {}\n";

	ASSERT(st);
	dir = store_dir(st);
	ASSERT_INT_EQ(0, sh_status("chmod 0640 '%s/%s'", dir, CODER));
	ASSERT_INT_EQ(0, store_write(st, CODER, v2, strlen(v2), "test", NULL,
				     NULL));
	ASSERT_INT_EQ(0640, file_mode(dir, CODER));
	ASSERT_STR_EQ("100644", sh("git -C '%s' ls-tree HEAD %s | cut -c1-6",
				   dir, CODER));

	/* an executable file is committed as such and stays executable */
	ASSERT_INT_EQ(0, sh_status("chmod 0750 '%s/%s'", dir, CODER));
	ASSERT_INT_EQ(0, store_write(st, CODER, persona_ok,
				     strlen(persona_ok), "test", NULL, NULL));
	ASSERT_INT_EQ(0750, file_mode(dir, CODER));
	ASSERT_STR_EQ("100755", sh("git -C '%s' ls-tree HEAD %s | cut -c1-6",
				   dir, CODER));
	ASSERT_STR_EQ("", git(dir, "status --porcelain --untracked-files=all"));
	store_free(st);
}

static void test_store_write__delete(void)
{
	struct store *st = store_with_coder("delete");
	struct helios_error err = { 0 };
	const char *dir;

	ASSERT(st);
	dir = store_dir(st);
	ASSERT_INT_EQ(HELIOS_EPERM, store_delete(st, STORE_BASE_PATH, "test",
						 &err));
	ASSERT_CONTAINS("cannot be deleted", err.msg);
	ASSERT_STR_EQ("(missing)", slurp(dir, "personas/nope.yaml"));
	ASSERT_INT_EQ(HELIOS_ENOTFOUND, store_delete(st, "personas/nope.yaml",
						     "test", &err));
	ASSERT_INT_EQ(2, commit_count(dir));

	ASSERT_INT_EQ(0, store_delete(st, CODER, "mount", &err));
	ASSERT_INT_EQ(3, commit_count(dir));
	ASSERT_STR_EQ("delete personas/coder.yaml (mount)",
		      git(dir, "log -1 --format=%s"));
	ASSERT_STR_EQ("D\tpersonas/coder.yaml",
		      git(dir, "show HEAD --format= --name-status"));
	ASSERT_INT_EQ(-1, access(sh("echo '%s/%s'", dir, CODER), F_OK));
	ASSERT_STR_EQ("", git(dir, "status --porcelain --untracked-files=all"));

	/* deleting the last persona leaves an empty personas/ directory */
	ASSERT_INT_EQ(0, store_delete(st, "personas/welcome.yaml", "mount",
				      &err));
	ASSERT_STR_EQ(".gitignore\n.helios_version\nbase/identity.yaml",
		      git(dir, "ls-tree -r --name-only HEAD"));
	ASSERT_STR_EQ("", git(dir, "fsck --strict --no-progress"));
	/* and a new persona can still be created there */
	ASSERT_INT_EQ(0, store_write(st, CODER, persona_ok,
				     strlen(persona_ok), "test", NULL, &err));
	ASSERT_INT_EQ(5, commit_count(dir));
	store_free(st);
}

static void test_store_write__rename(void)
{
	struct store *st = store_with_coder("rename");
	struct helios_error err = { 0 };
	const char *dir;

	ASSERT(st);
	dir = store_dir(st);
	ASSERT_INT_EQ(HELIOS_ENAME, store_rename(st, CODER, STORE_BASE_PATH,
						 "test", NULL, &err));
	ASSERT_INT_EQ(HELIOS_ENOTFOUND, store_rename(st, "personas/no.yaml",
						     "personas/x.yaml", "test",
						     NULL, &err));
	ASSERT_INT_EQ(0, store_rename(st, CODER, "personas/dev.yaml", "mount",
				      NULL, &err));
	ASSERT_INT_EQ(3, commit_count(dir));
	ASSERT_STR_EQ("rename personas/coder.yaml to personas/dev.yaml "
		      "(mount)", git(dir, "log -1 --format=%s"));
	ASSERT_STR_EQ("R100\tpersonas/coder.yaml\tpersonas/dev.yaml",
		      git(dir, "show HEAD -M --format= --name-status"));
	ASSERT_STR_EQ(persona_ok, slurp(dir, "personas/dev.yaml"));
	ASSERT_STR_EQ("", git(dir, "status --porcelain --untracked-files=all"));

	/* onto an existing persona: one commit, the target replaced */
	ASSERT_INT_EQ(0, store_rename(st, "personas/dev.yaml",
				      "personas/welcome.yaml", "mount", NULL,
				      &err));
	ASSERT_INT_EQ(4, commit_count(dir));
	ASSERT_STR_EQ("D\tpersonas/dev.yaml\nM\tpersonas/welcome.yaml",
		      git(dir, "show HEAD --no-renames --format= "
			  "--name-status"));
	ASSERT_STR_EQ(persona_ok, slurp(dir, "personas/welcome.yaml"));
	ASSERT_STR_EQ("", git(dir, "status --porcelain --untracked-files=all"));
	store_free(st);
}

static void test_store_write__rename_of_invalid_content_refused(void)
{
	struct store *st = store_with_coder("rename-bad");
	struct helios_error err = { 0 };
	const char *dir;

	ASSERT(st);
	dir = store_dir(st);
	ASSERT_INT_EQ(0, spit(dir, "personas/draft.yaml", persona_bad));
	ASSERT_INT_EQ(HELIOS_EINVAL, store_rename(st, "personas/draft.yaml",
						  CODER, "mount", NULL, &err));
	ASSERT_CONTAINS("personas/coder.yaml:1:", err.msg);
	ASSERT_STR_EQ(persona_ok, slurp(dir, CODER));
	ASSERT_STR_EQ(persona_bad, slurp(dir, "personas/draft.yaml"));
	ASSERT_INT_EQ(2, commit_count(dir));
	store_free(st);
}

static void test_store_write__read_list_and_validate(void)
{
	struct store *st = store_with_coder("read");
	struct helios_error err = { 0 };
	struct hdiag_list diags;
	struct hbuf b;
	char **names;
	size_t n;
	const char *dir;

	ASSERT(st);
	dir = store_dir(st);
	hbuf_init(&b, 4096);
	ASSERT_INT_EQ(0, store_read(st, CODER, &b, &err));
	ASSERT_STR_EQ(persona_ok, hbuf_str(&b));
	hbuf_release(&b);
	ASSERT_INT_EQ(HELIOS_ENOTFOUND, store_read(st, "personas/x.yaml", &b,
						   &err));
	ASSERT_INT_EQ(HELIOS_ENAME, store_read(st, "../etc/passwd", &b, &err));

	ASSERT_INT_EQ(0, spit(dir, "personas/zeta.yaml", persona_bad));
	ASSERT_INT_EQ(0, spit(dir, "personas/.hidden.yaml", persona_ok));
	ASSERT_INT_EQ(0, spit(dir, "personas/notes.txt", "x"));
	ASSERT_INT_EQ(0, store_list_personas(st, &names, &n, &err));
	ASSERT_INT_EQ(3, (int)n);
	ASSERT_STR_EQ("coder", names[0]);
	ASSERT_STR_EQ("welcome", names[1]);
	ASSERT_STR_EQ("zeta", names[2]);
	store_names_free(names, n);

	hdiag_list_init(&diags);
	ASSERT_INT_EQ(HELIOS_EINVAL, store_validate_all(st, &diags));
	ASSERT_INT_EQ(1, (int)diags.errors);
	ASSERT_CONTAINS("personas/zeta.yaml:1:", diags.items[0].text);
	hdiag_list_release(&diags);
	store_free(st);
}

int main(void)
{
	store_test_setup();
	TEST_RUN(test_store_write__creates_with_one_commit);
	TEST_RUN(test_store_write__update_message_and_configured_author);
	TEST_RUN(test_store_write__invalid_changes_nothing);
	TEST_RUN(test_store_write__refuses_bad_paths);
	TEST_RUN(test_store_write__unrelated_edits_stay_out);
	TEST_RUN(test_store_write__same_content_makes_no_commit);
	TEST_RUN(test_store_write__mode_is_preserved);
	TEST_RUN(test_store_write__delete);
	TEST_RUN(test_store_write__rename);
	TEST_RUN(test_store_write__rename_of_invalid_content_refused);
	TEST_RUN(test_store_write__read_list_and_validate);
	return store_test_teardown();
}
