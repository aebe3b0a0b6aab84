/*
 * store_security.c - unit tests of the store's privacy and its refusal
 * to follow symbolic links out of the store.
 */
#include "store_util.h"

#include "helios/maintenance.h"

static void test_core_security__store_stays_private(void)
{
	const char *dir = tmp_store_path("s1");
	struct helios_error err = { 0 };
	struct store *st;
	mode_t old = umask(022);

	st = open_store(dir, NULL);
	ASSERT(st != NULL);
	ASSERT_INT_EQ(0, store_write(st, "personas/p.yaml", persona_ok,
				     strlen(persona_ok), "t", NULL, &err));
	ASSERT_INT_EQ(0, store_delete(st, "personas/welcome.yaml", "t",
				      &err));
	store_free(st);
	umask(old);
	ASSERT_STR_EQ("", sh("find '%s' -perm /077", dir));
	ASSERT_INT_EQ(0700, file_mode(dir, ""));
	ASSERT_INT_EQ(0600, file_mode(dir, "personas/p.yaml"));
	ASSERT_INT_EQ(0600, file_mode(dir, ".git/index"));
}

static void test_core_security__linked_dirs_refuse_open(void)
{
	static const char *const links[] = { "base", "personas",
					     "base/identity.yaml" };
	struct helios_error err = { 0 };
	const char *dir = tmp_store_path("s2");
	struct store *st;
	size_t i;

	st = open_store(dir, NULL);
	store_free(st);
	for (i = 0; i < 3; i++) {
		ASSERT_INT_EQ(0, sh_status("cd '%s' && mv %s %s.real && "
					   "ln -s \"$PWD/%s.real\" %s", dir,
					   links[i], links[i], links[i],
					   links[i]));
		ASSERT_INT_EQ(HELIOS_ESTORE, store_open(dir, 0, &st, NULL,
							&err));
		ASSERT_CONTAINS("is a symbolic link", err.msg);
		ASSERT_INT_EQ(0, sh_status("cd '%s' && rm %s && mv %s.real %s",
					   dir, links[i], links[i],
					   links[i]));
	}
	ASSERT_INT_EQ(0, store_open(dir, 0, &st, NULL, &err));
	store_free(st);
}

static void test_core_security__linked_persona_is_not_followed(void)
{
	static const char mine[] = "specialization_level: 3\nbehaviors: {}\n";
	const char *dir = tmp_store_path("s3");
	struct helios_error err = { 0 };
	char outside[600], **names;
	struct store *st;
	struct hbuf b;
	size_t n, i;

	snprintf(outside, sizeof(outside), "%s/outside.yaml", test_root);
	ASSERT_INT_EQ(0, spit(test_root, "outside.yaml", persona_ok));
	ASSERT_INT_EQ(0, sh_status("chmod 644 '%s'", outside));
	st = open_store(dir, NULL);
	ASSERT(st != NULL);
	ASSERT_INT_EQ(0, sh_status("ln -s '%s' '%s/personas/evil.yaml'",
				   outside, dir));
	ASSERT_INT_EQ(0, store_list_personas(st, &names, &n, &err));
	for (i = 0; i < n; i++)
		ASSERT(strcmp(names[i], "evil") != 0);
	store_names_free(names, n);
	hbuf_init(&b, 4096);
	ASSERT_INT_EQ(HELIOS_ENOTFOUND, store_read(st, "personas/evil.yaml",
						   &b, &err));
	hbuf_release(&b);
	/* a save to that name replaces the link, not the file behind it */
	ASSERT_INT_EQ(0, store_write(st, "personas/evil.yaml", mine,
				     strlen(mine), "t", NULL, &err));
	ASSERT_STR_EQ(mine, slurp(dir, "personas/evil.yaml"));
	ASSERT_INT_EQ(0600, file_mode(dir, "personas/evil.yaml"));
	ASSERT_STR_EQ(persona_ok, slurp(test_root, "outside.yaml"));
	ASSERT_STR_EQ("", sh("test -L '%s/personas/evil.yaml' && echo link",
			     dir));
	store_free(st);
}

int main(void)
{
	store_test_setup();
	TEST_RUN(test_core_security__store_stays_private);
	TEST_RUN(test_core_security__linked_dirs_refuse_open);
	TEST_RUN(test_core_security__linked_persona_is_not_followed);
	return store_test_teardown();
}
