/*
 * store_expect.c - read-modify-write without losing another writer's
 * change: the preconditions of store_write_if(), store_delete_if() and
 * store_write_many(), and store_edit() running its edit under the lock.
 */
#include "store_util.h"

#define CODER "personas/coder.yaml"

static const char v2[] = "specialization_level: 3\nbehaviors: {}\n";

static struct store *store_with_coder(const char *name)
{
	struct store *st = open_store(tmp_store_path(name), NULL);

	if (st && store_write(st, CODER, persona_ok, strlen(persona_ok),
			      "test", NULL, NULL)) {
		store_free(st);
		return NULL;
	}
	return st;
}

static void test_store_expect__write_if(void)
{
	struct store *st = store_with_coder("write");
	struct store_expect old = { persona_ok, strlen(persona_ok) };
	struct store_expect stale = { v2, strlen(v2) };
	struct store_expect absent = { NULL, 0 };
	struct helios_error err = { 0 };
	const char *dir;

	ASSERT(st);
	dir = store_dir(st);
	/* based on other bytes than the file's: refused, nothing written */
	ASSERT_INT_EQ(HELIOS_ECONFLICT,
		      store_write_if(st, CODER, &stale, v2, strlen(v2), "t",
				     NULL, &err));
	ASSERT_CONTAINS("changed since it was read", err.msg);
	ASSERT_STR_EQ(persona_ok, slurp(dir, CODER));
	ASSERT_INT_EQ(2, commit_count(dir));
	/* expecting no file where one exists */
	ASSERT_INT_EQ(HELIOS_ECONFLICT,
		      store_write_if(st, CODER, &absent, v2, strlen(v2), "t",
				     NULL, NULL));
	/* based on what is there: one commit */
	ASSERT_INT_EQ(0, store_write_if(st, CODER, &old, v2, strlen(v2), "t",
					NULL, NULL));
	ASSERT_STR_EQ(v2, slurp(dir, CODER));
	ASSERT_INT_EQ(3, commit_count(dir));
	/* a new file expected absent */
	ASSERT_INT_EQ(0, store_write_if(st, "personas/new.yaml", &absent, v2,
					strlen(v2), "t", NULL, NULL));
	ASSERT_INT_EQ(4, commit_count(dir));
	store_free(st);
}

static void test_store_expect__delete_if(void)
{
	struct store *st = store_with_coder("delete");
	struct store_expect stale = { v2, strlen(v2) };
	struct store_expect old = { persona_ok, strlen(persona_ok) };
	const char *dir;

	ASSERT(st);
	dir = store_dir(st);
	ASSERT_INT_EQ(HELIOS_ECONFLICT,
		      store_delete_if(st, CODER, &stale, "t", NULL));
	ASSERT_STR_EQ(persona_ok, slurp(dir, CODER));
	ASSERT_INT_EQ(2, commit_count(dir));
	ASSERT_INT_EQ(0, store_delete_if(st, CODER, &old, "t", NULL));
	ASSERT_INT_EQ(0, sh_status("test ! -e '%s/%s'", dir, CODER));
	ASSERT_STR_EQ("delete personas/coder.yaml (t)",
		      sh("git -C '%s' log -1 --format=%%s", dir));
	store_free(st);
}

static void test_store_expect__write_many(void)
{
	struct store *st = store_with_coder("many");
	struct store_expect stale = { v2, strlen(v2) };
	struct store_expect old = { persona_ok, strlen(persona_ok) };
	struct store_file f[2] = {
		{ "personas/other.yaml", v2, strlen(v2), NULL },
		{ CODER, v2, strlen(v2), &stale },
	};
	const char *dir;

	ASSERT(st);
	dir = store_dir(st);
	ASSERT_INT_EQ(HELIOS_ECONFLICT,
		      store_write_many(st, f, 2, "m", "t", NULL, NULL));
	ASSERT_INT_EQ(0, sh_status("test ! -e '%s/personas/other.yaml'",
				   dir));
	ASSERT_INT_EQ(2, commit_count(dir));
	f[1].expect = &old;
	ASSERT_INT_EQ(0, store_write_many(st, f, 2, "m", "t", NULL, NULL));
	ASSERT_INT_EQ(3, commit_count(dir));
	store_free(st);
}

/* Append a line to the current bytes. */
static int add_line(const struct hbuf *cur, struct hbuf *out, void *arg,
		    struct helios_error *err)
{
	(void)err;
	if (!cur)
		return HELIOS_ENOTFOUND;
	if (hbuf_add(out, hbuf_str(cur), cur->len))
		return HELIOS_ENOMEM;
	return hbuf_add(out, arg, strlen(arg)) ? HELIOS_ENOMEM : 0;
}

static int make_invalid(const struct hbuf *cur, struct hbuf *out, void *arg,
			struct helios_error *err)
{
	(void)cur;
	(void)arg;
	(void)err;
	return hbuf_add(out, "nope: [\n", 8) ? HELIOS_ENOMEM : 0;
}

static void test_store_expect__edit(void)
{
	struct store *st = store_with_coder("edit");
	struct hdiag_list diags;
	const char *dir;

	ASSERT(st);
	dir = store_dir(st);
	/* another writer lands first; the edit sees its bytes */
	ASSERT_INT_EQ(0, store_write(st, CODER, v2, strlen(v2), "other",
				     NULL, NULL));
	ASSERT_INT_EQ(0, store_edit(st, CODER, add_line, "# mine\n", "t",
				    NULL, NULL));
	ASSERT_STR_EQ("specialization_level: 3\nbehaviors: {}\n# mine\n",
		      slurp(dir, CODER));
	ASSERT_INT_EQ(4, commit_count(dir));
	/* the edit's error is returned and nothing changes */
	ASSERT_INT_EQ(HELIOS_ENOTFOUND,
		      store_edit(st, "personas/none.yaml", add_line, "x\n",
				 "t", NULL, NULL));
	/* an edit giving invalid content is refused like any write */
	hdiag_list_init(&diags);
	ASSERT_INT_EQ(HELIOS_EINVAL, store_edit(st, CODER, make_invalid, NULL,
						"t", &diags, NULL));
	ASSERT(diags.len > 0);
	hdiag_list_release(&diags);
	ASSERT_STR_EQ("specialization_level: 3\nbehaviors: {}\n# mine\n",
		      slurp(dir, CODER));
	ASSERT_INT_EQ(4, commit_count(dir));
	store_free(st);
}

int main(void)
{
	store_test_setup();
	TEST_RUN(test_store_expect__write_if);
	TEST_RUN(test_store_expect__delete_if);
	TEST_RUN(test_store_expect__write_many);
	TEST_RUN(test_store_expect__edit);
	return store_test_teardown();
}
