/*
 * store_doctor.c - unit tests of the doctor's findings.
 */
#include "store_util.h"

#include "helios/maintenance.h"

/* The first finding of area with status, or NULL. */
static const struct store_check *find(const struct store_checks *c,
				      const char *area,
				      enum store_check_status status)
{
	size_t i;

	for (i = 0; i < c->len; i++)
		if (!strcmp(c->items[i].area, area) &&
		    c->items[i].status == status)
			return &c->items[i];
	return NULL;
}

static void test_core_doctor__healthy_store_has_no_problem(void)
{
	const char *dir = tmp_store_path("d1");
	struct store_checks c;
	struct store *st = open_store(dir, NULL);

	store_free(st);
	store_checks_init(&c);
	ASSERT_INT_EQ(0, store_doctor(dir, &c));
	ASSERT(find(&c, "git", STORE_CHECK_OK) != NULL);
	ASSERT(find(&c, "files", STORE_CHECK_OK) != NULL);
	ASSERT(find(&c, "lock", STORE_CHECK_OK) != NULL);
	store_checks_release(&c);
}

static void test_core_doctor__finds_invalid_file_and_missing_object(void)
{
	const char *dir = tmp_store_path("d2");
	const struct store_check *it;
	struct helios_error err = { 0 };
	struct hdiag_list report;
	struct store_checks c;
	struct store *st = open_store(dir, NULL);
	char blob[64];

	store_free(st);
	ASSERT_INT_EQ(0, spit(dir, "personas/welcome.yaml", persona_bad));
	snprintf(blob, sizeof(blob), "%s",
		 sh("git -C '%s' rev-parse main:base/identity.yaml", dir));
	ASSERT_INT_EQ(0, sh_status("rm -f '%s/.git/objects/%.2s/%s'", dir,
				   blob, blob + 2));
	store_checks_init(&c);
	ASSERT_INT_EQ(2, store_doctor(dir, &c));
	it = find(&c, "files", STORE_CHECK_FAIL);
	ASSERT(it != NULL);
	ASSERT_CONTAINS("personas/welcome.yaml is invalid", it->text);
	ASSERT_CONTAINS("helios-mcp recover --helios-dir", it->fix);
	it = find(&c, "git", STORE_CHECK_FAIL);
	ASSERT(it != NULL);
	ASSERT_CONTAINS(blob, it->text);
	store_checks_release(&c);

	/* recover repairs both: the blob from the working tree */
	hdiag_list_init(&report);
	ASSERT_INT_EQ(0, store_recover(dir, &report, &err));
	hdiag_list_release(&report);
	store_checks_init(&c);
	ASSERT_INT_EQ(0, store_doctor(dir, &c));
	store_checks_release(&c);
}

static void test_core_doctor__missing_directory(void)
{
	struct store_checks c;

	store_checks_init(&c);
	ASSERT_INT_EQ(1, store_doctor(tmp_store_path("nope"), &c));
	ASSERT_CONTAINS("is not a directory", c.items[0].text);
	store_checks_release(&c);
}

int main(void)
{
	store_test_setup();
	TEST_RUN(test_core_doctor__healthy_store_has_no_problem);
	TEST_RUN(test_core_doctor__finds_invalid_file_and_missing_object);
	TEST_RUN(test_core_doctor__missing_directory);
	return store_test_teardown();
}
