/*
 * store_bootstrap.c - resolving the store directory, bootstrapping a new
 * store, and opening existing ones (and clones) without changing them.
 */
#include "store_util.h"

static void test_store_bootstrap__resolve_dir(void)
{
	struct helios_error err = { 0 };
	char *dir, cwd[1024], want[2048];

	setenv("HOME", "/home/someone", 1);
	ASSERT_INT_EQ(0, store_resolve_dir(NULL, &dir, &err));
	ASSERT_STR_EQ("/home/someone/.helios", dir);
	free(dir);

	setenv("HELIOS_DIR", "~/cfg/", 1);
	ASSERT_INT_EQ(0, store_resolve_dir(NULL, &dir, &err));
	ASSERT_STR_EQ("/home/someone/cfg", dir);
	free(dir);

	setenv("HELIOS_DIR", "", 1);
	ASSERT_INT_EQ(0, store_resolve_dir(NULL, &dir, &err));
	ASSERT_STR_EQ("/home/someone/.helios", dir);
	free(dir);

	ASSERT_INT_EQ(0, store_resolve_dir("~", &dir, &err));
	ASSERT_STR_EQ("/home/someone", dir);
	free(dir);

	ASSERT_INT_EQ(0, store_resolve_dir("~root/x", &dir, &err));
	ASSERT_STR_EQ("/root/x", dir);
	free(dir);

	ASSERT(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "%s/rel/store", cwd);
	ASSERT_INT_EQ(0, store_resolve_dir("rel/store/.", &dir, &err));
	ASSERT_STR_EQ(want, dir);
	free(dir);

	/* an explicit argument wins over the environment */
	setenv("HELIOS_DIR", "/elsewhere", 1);
	ASSERT_INT_EQ(0, store_resolve_dir("/abs/dir", &dir, &err));
	ASSERT_STR_EQ("/abs/dir", dir);
	free(dir);
	ASSERT_INT_EQ(0, store_resolve_dir(NULL, &dir, &err));
	ASSERT_STR_EQ("/elsewhere", dir);
	free(dir);
	unsetenv("HELIOS_DIR");

	/* HOME unset: the password database answers */
	unsetenv("HOME");
	ASSERT_INT_EQ(0, store_resolve_dir("~/s", &dir, &err));
	ASSERT_STR_EQ("/root/s", dir);
	free(dir);
	setenv("HOME", tmp_store_path("home"), 1);
}

static void test_store_bootstrap__creates_layout_and_one_commit(void)
{
	const char *dir = tmp_store_path("fresh/nested/store");
	struct hdiag_list report;
	struct store *st;
	char head[41];

	hdiag_list_init(&report);
	st = open_store(dir, &report);
	ASSERT(st);
	ASSERT(store_was_created(st));
	ASSERT_STR_EQ(dir, store_dir(st));
	ASSERT_INT_EQ(0, (int)report.len);
	ASSERT_INT_EQ(0, store_head(st, head, NULL));
	store_free(st);
	hdiag_list_release(&report);

	ASSERT_STR_EQ(head, sh("git -C '%s' rev-parse HEAD", dir));
	ASSERT_STR_EQ("refs/heads/main", sh("git -C '%s' symbolic-ref HEAD",
					    dir));
	ASSERT_INT_EQ(1, commit_count(dir));
	ASSERT_STR_EQ("initialize Helios store",
		      sh("git -C '%s' log --format=%%s", dir));
	ASSERT_STR_EQ("Helios <helios@localhost>",
		      sh("git -C '%s' log --format='%%an <%%ae>'", dir));
	ASSERT_STR_EQ(".gitignore\n.helios_version\nbase/identity.yaml\n"
		      "personas/welcome.yaml",
		      sh("git -C '%s' ls-tree -r --name-only HEAD", dir));
	ASSERT_STR_EQ("", sh("git -C '%s' status --porcelain "
			     "--untracked-files=all 2>&1", dir));
	ASSERT_STR_EQ("", sh("git -C '%s' fsck --strict --no-progress 2>&1",
			     dir));

	/* committed bytes are the working bytes */
	ASSERT_INT_EQ(0, sh_status("cd '%s' && git cat-file blob "
				   "HEAD:base/identity.yaml | cmp -s - "
				   "base/identity.yaml", dir));
	ASSERT_CONTAINS("base_importance: 0.7\n", slurp(dir,
							"base/identity.yaml"));
	ASSERT_CONTAINS("  communication_style:", slurp(dir,
							"base/identity.yaml"));
	ASSERT_CONTAINS("  problem_solving:", slurp(dir,
						    "base/identity.yaml"));
	ASSERT_CONTAINS("  learning_approach:", slurp(dir,
						      "base/identity.yaml"));
	ASSERT_CONTAINS("specialization_level: 1\n",
			slurp(dir, "personas/welcome.yaml"));
	ASSERT_CONTAINS("  greeting:", slurp(dir, "personas/welcome.yaml"));
	ASSERT_CONTAINS("  purpose:", slurp(dir, "personas/welcome.yaml"));
	ASSERT_CONTAINS("layout: 1\ninstalled: 20", slurp(dir,
							  ".helios_version"));
	ASSERT_CONTAINS("/.helios-state/\n", slurp(dir, ".gitignore"));
	ASSERT_CONTAINS(".helios-tmp-*\n", slurp(dir, ".gitignore"));

	/* private modes */
	ASSERT_INT_EQ(0700, file_mode(dir, ""));
	ASSERT_INT_EQ(0700, file_mode(dir, "base"));
	ASSERT_INT_EQ(0700, file_mode(dir, "personas"));
	ASSERT_INT_EQ(0600, file_mode(dir, "base/identity.yaml"));
	ASSERT_INT_EQ(0600, file_mode(dir, "personas/welcome.yaml"));
	ASSERT_INT_EQ(0600, file_mode(dir, ".helios_version"));
}

static void test_store_bootstrap__default_files_validate(void)
{
	const char *dir = tmp_store_path("valid-defaults");
	struct hdiag_list diags;
	struct store *st = open_store(dir, NULL);
	char **names;
	size_t n;

	ASSERT(st);
	hdiag_list_init(&diags);
	ASSERT_INT_EQ(0, store_validate_all(st, &diags));
	ASSERT_INT_EQ(0, (int)diags.len);
	hdiag_list_release(&diags);
	ASSERT_INT_EQ(0, store_list_personas(st, &names, &n, NULL));
	ASSERT_INT_EQ(1, (int)n);
	ASSERT_STR_EQ("welcome", names[0]);
	store_names_free(names, n);
	store_free(st);
}

static void test_store_bootstrap__reopen_changes_nothing(void)
{
	const char *dir = tmp_store_path("reopen");
	struct hdiag_list report;
	struct store *st = open_store(dir, NULL);
	char before[128], after[128];

	ASSERT(st);
	store_free(st);
	snprintf(before, sizeof(before), "%s",
		 sh("cd '%s' && git rev-parse HEAD && stat -c %%Y.%%i "
		    "base/identity.yaml | md5sum", dir));

	hdiag_list_init(&report);
	st = open_store(dir, &report);
	ASSERT(st);
	ASSERT(!store_was_created(st));
	ASSERT_INT_EQ(0, (int)report.len);
	store_free(st);
	hdiag_list_release(&report);

	/* also without STORE_OPEN_CREATE */
	ASSERT_INT_EQ(0, store_open(dir, 0, &st, NULL, NULL));
	store_free(st);
	snprintf(after, sizeof(after), "%s",
		 sh("cd '%s' && git rev-parse HEAD && stat -c %%Y.%%i "
		    "base/identity.yaml | md5sum", dir));
	ASSERT_STR_EQ(before, after);
	ASSERT_INT_EQ(1, commit_count(dir));
	ASSERT_STR_EQ("", sh("git -C '%s' status --porcelain "
			     "--untracked-files=all", dir));
}

static void test_store_bootstrap__clone_opens_unchanged(void)
{
	char orig[512], clone[512], head[41];
	struct hdiag_list report;
	struct store *st;

	snprintf(orig, sizeof(orig), "%s", tmp_store_path("origin"));
	st = open_store(orig, NULL);
	ASSERT(st);
	store_free(st);
	snprintf(clone, sizeof(clone), "%s", tmp_store_path("clone"));
	ASSERT_INT_EQ(0, sh_status("git clone -q '%s' '%s'", orig, clone));

	hdiag_list_init(&report);
	st = open_store(clone, &report);
	ASSERT(st);
	ASSERT(!store_was_created(st));
	ASSERT_INT_EQ(0, (int)report.len);
	ASSERT_INT_EQ(0, store_head(st, head, NULL));
	store_free(st);
	hdiag_list_release(&report);
	ASSERT_STR_EQ(sh("git -C '%s' rev-parse HEAD", orig), head);
	ASSERT_INT_EQ(1, commit_count(clone));
	ASSERT_STR_EQ("", sh("git -C '%s' status --porcelain "
			     "--untracked-files=all", clone));
}

static void test_store_bootstrap__refuses_foreign_directory(void)
{
	const char *dir = tmp_store_path("someones-data");
	struct helios_error err = { 0 };
	struct store *st = NULL;

	ASSERT_INT_EQ(0, mkdir(dir, 0755));
	ASSERT_INT_EQ(0, spit(dir, "notes.txt", "mine\n"));
	ASSERT_INT_EQ(HELIOS_ESTORE, store_open(dir, STORE_OPEN_CREATE, &st,
						NULL, &err));
	ASSERT(!st);
	ASSERT_CONTAINS("not a Helios store", err.msg);
	/* nothing was scribbled there */
	ASSERT_STR_EQ("notes.txt", sh("ls -A '%s'", dir));
}

/*
 * Configuration files without a git repository (copied in, or .git
 * removed) are someone's data, not an interrupted bootstrap: they were
 * committed with a re-created default persona beside them, and other
 * personas left untracked.
 */
static void test_store_bootstrap__refuses_config_without_git(void)
{
	const char *dir = tmp_store_path("no-git");
	struct helios_error err = { 0 };
	struct store *st = NULL;

	ASSERT_INT_EQ(0, mkdir(dir, 0755));
	ASSERT_INT_EQ(0, sh_status("mkdir '%s/base' '%s/personas'", dir,
				   dir));
	ASSERT_INT_EQ(0, spit(dir, STORE_BASE_PATH,
			      "base_importance: 0.3\nbehaviors: {custom: base}\n"));
	ASSERT_INT_EQ(0, spit(dir, "personas/mine.yaml",
			      "specialization_level: 1\nbehaviors: {a: 1}\n"));
	ASSERT_INT_EQ(HELIOS_ESTORE, store_open(dir, STORE_OPEN_CREATE, &st,
						NULL, &err));
	ASSERT(!st);
	ASSERT_CONTAINS("not a Helios store", err.msg);
	ASSERT_STR_EQ("base\npersonas", sh("ls -A '%s'", dir));
	ASSERT_STR_EQ("mine.yaml", sh("ls -A '%s/personas'", dir));
	/* the same with only an edited base */
	ASSERT_INT_EQ(0, sh_status("rm '%s/personas/mine.yaml'", dir));
	ASSERT_INT_EQ(HELIOS_ESTORE, store_open(dir, STORE_OPEN_CREATE, &st,
						NULL, &err));
	ASSERT_STR_EQ("base\npersonas", sh("ls -A '%s'", dir));
	/* a store whose .git was removed: only welcome.yaml was edited */
	dir = tmp_store_path("git-removed");
	st = open_store(dir, NULL);
	ASSERT(st);
	store_free(st);
	st = NULL;
	ASSERT_INT_EQ(0, sh_status("rm -rf '%s/.git' && echo '  x: 1' >> "
				   "'%s/personas/welcome.yaml'", dir, dir));
	ASSERT_INT_EQ(HELIOS_ESTORE, store_open(dir, STORE_OPEN_CREATE, &st,
						NULL, &err));
	ASSERT_INT_EQ(0, sh_status("test ! -e '%s/.git'", dir));
}

/* git init killed before HEAD: the rerun finishes the bootstrap. */
static void test_store_bootstrap__half_made_git_is_finished(void)
{
	const char *dir = tmp_store_path("half-git");
	struct helios_error err = { 0 };
	struct store *st = NULL;

	ASSERT_INT_EQ(0, sh_status("mkdir -p '%s/.git/objects' "
				   "'%s/.git/refs/heads' '%s/.git/hooks' && "
				   "printf '[core]\\n' > '%s/.git/config'",
				   dir, dir, dir, dir));
	ASSERT_INT_EQ(0, store_open(dir, STORE_OPEN_CREATE, &st, NULL, &err));
	ASSERT(st);
	ASSERT_INT_EQ(1, commit_count(dir));
	ASSERT_STR_EQ("", sh("git -C '%s' status --porcelain", dir));
	store_free(st);
}

static void test_store_bootstrap__refuses_other_git_repository(void)
{
	const char *dir = tmp_store_path("some-repo");
	struct helios_error err = { 0 };
	struct store *st = NULL;

	ASSERT_INT_EQ(0, sh_status("git init -q -b main '%s' && cd '%s' && "
				   "echo hi > README && git add README && "
				   "git -c user.name=a -c user.email=a@b "
				   "commit -qm init", dir, dir));
	ASSERT_INT_EQ(HELIOS_ESTORE, store_open(dir, STORE_OPEN_CREATE, &st,
						NULL, &err));
	ASSERT(!st);
	ASSERT_CONTAINS("not a Helios store", err.msg);
	ASSERT_STR_EQ(".git\nREADME", sh("ls -A '%s'", dir));
	ASSERT_INT_EQ(1, commit_count(dir));
}

static void test_store_bootstrap__missing_without_create_fails(void)
{
	const char *dir = tmp_store_path("not-there");
	struct helios_error err = { 0 };
	struct store *st = NULL;

	ASSERT_INT_EQ(HELIOS_ESTORE, store_open(dir, 0, &st, NULL, &err));
	ASSERT(!st);
	ASSERT_INT_EQ(-1, access(dir, F_OK));
	ASSERT_INT_EQ(HELIOS_ESTORE, store_open("relative/dir", 0, &st,
						NULL, &err));
}

static void test_store_bootstrap__empty_directory_is_bootstrapped(void)
{
	const char *dir = tmp_store_path("empty");
	struct store *st;

	ASSERT_INT_EQ(0, mkdir(dir, 0700));
	st = open_store(dir, NULL);
	ASSERT(st);
	ASSERT(store_was_created(st));
	store_free(st);
	ASSERT_INT_EQ(1, commit_count(dir));
}

int main(void)
{
	store_test_setup();
	TEST_RUN(test_store_bootstrap__resolve_dir);
	TEST_RUN(test_store_bootstrap__creates_layout_and_one_commit);
	TEST_RUN(test_store_bootstrap__default_files_validate);
	TEST_RUN(test_store_bootstrap__reopen_changes_nothing);
	TEST_RUN(test_store_bootstrap__clone_opens_unchanged);
	TEST_RUN(test_store_bootstrap__refuses_foreign_directory);
	TEST_RUN(test_store_bootstrap__refuses_config_without_git);
	TEST_RUN(test_store_bootstrap__half_made_git_is_finished);
	TEST_RUN(test_store_bootstrap__refuses_other_git_repository);
	TEST_RUN(test_store_bootstrap__missing_without_create_fails);
	TEST_RUN(test_store_bootstrap__empty_directory_is_bootstrapped);
	return store_test_teardown();
}
