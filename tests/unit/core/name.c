/*
 * name.c - unit tests for the persona naming rules.
 */
#include "helios/validate.h"

#include "test.h"

static void test_core_name__valid_names_pass(void)
{
	static const char *const ok[] = {
		"coder", "a", "A-Z_0.9", "x.y", "a..b", "-dash", "_under",
		"1234567890123456789012345678901234567890123456789012345678901234",
	};
	struct helios_error err = { 0 };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (hname_check_persona(ok[i], &err))
			TEST_FAIL_("'%s' refused: %s", ok[i], err.msg);
	ASSERT_INT_EQ(0, hname_check_persona_file("coder.yaml", NULL));
	ASSERT_INT_EQ(0, hname_check_persona_file("a.yaml.yaml", NULL));
}

static void test_core_name__invalid_names_say_why(void)
{
	static const struct {
		const char *name;
		const char *msg;
	} bad[] = {
		{ "", "persona name is empty" },
		{ "a/b", "persona name 'a/b' contains '/'; a name is one path "
			 "component" },
		{ ".hidden", "persona name '.hidden' starts with '.'" },
		{ ".", "persona name '.' starts with '.'" },
		{ "..", "persona name '..' starts with '.'" },
		{ "../x", "persona name '../x' starts with '.'" },
		{ "a\nb", "persona name 'a\\x0ab' contains a control character "
			  "(0x0a)" },
		{ "tab\t", "persona name 'tab\\x09' contains a control "
			   "character (0x09)" },
		{ "caf\xc3\xa9", "persona name 'caf\xc3\xa9' contains a "
				 "non-ASCII byte (0xc3); use A-Z, a-z, 0-9, "
				 "'-', '_' and '.'" },
		{ "a b", "persona name 'a b' contains ' '; use A-Z, a-z, 0-9, "
			 "'-', '_' and '.'" },
		{ "a:b", "persona name 'a:b' contains ':'; use A-Z, a-z, 0-9, "
			 "'-', '_' and '.'" },
		{ "a\\b", "persona name 'a\\x5cb' contains '\\'; use A-Z, "
			  "a-z, 0-9, '-', '_' and '.'" },
		{ "12345678901234567890123456789012345678901234567890123456789"
		  "012345", "persona name '12345678901234567890123456789012345"
		  "6789012345678901234567890...' is 65 bytes, longer than 64 "
		  "bytes" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct helios_error err = { 0 };

		ASSERT_INT_EQ(HELIOS_ENAME, hname_check_persona(bad[i].name,
								&err));
		ASSERT_INT_EQ(HELIOS_ENAME, err.code);
		ASSERT_STR_EQ(bad[i].msg, err.msg);
	}
	ASSERT_INT_EQ(HELIOS_ENAME, hname_check_persona(NULL, NULL));
}

static void test_core_name__file_names_need_the_yaml_extension(void)
{
	struct helios_error err = { 0 };

	ASSERT_INT_EQ(HELIOS_ENAME, hname_check_persona_file("x.yml", &err));
	ASSERT_STR_EQ("persona file name 'x.yml' does not end in '.yaml'",
		      err.msg);
	ASSERT_INT_EQ(HELIOS_ENAME, hname_check_persona_file("yaml", &err));
	ASSERT_STR_EQ("persona file name 'yaml' does not end in '.yaml'",
		      err.msg);
	ASSERT_INT_EQ(HELIOS_ENAME, hname_check_persona_file(".yaml", &err));
	ASSERT_STR_EQ("persona name is empty", err.msg);
	ASSERT_INT_EQ(HELIOS_ENAME, hname_check_persona_file(".x.yaml", &err));
	ASSERT_STR_EQ("persona name '.x' starts with '.'", err.msg);
	ASSERT_INT_EQ(HELIOS_ENAME,
		      hname_check_persona_file("a/b.yaml", &err));
	ASSERT_STR_EQ("persona name 'a/b' contains '/'; a name is one path "
		      "component", err.msg);
	ASSERT_INT_EQ(HELIOS_ENAME, hname_check_persona_file("x.YAML", &err));
	ASSERT_INT_EQ(HELIOS_ENAME, hname_check_persona_file(NULL, &err));
	/* 64 bytes of name plus ".yaml" is the longest file name. */
	ASSERT_INT_EQ(0, hname_check_persona_file(
		"1234567890123456789012345678901234567890123456789012345678901234"
		".yaml", NULL));
	ASSERT_INT_EQ(HELIOS_ENAME, hname_check_persona_file(
		"12345678901234567890123456789012345678901234567890123456789012345"
		".yaml", NULL));
}

int main(void)
{
	TEST_RUN(test_core_name__valid_names_pass);
	TEST_RUN(test_core_name__invalid_names_say_why);
	TEST_RUN(test_core_name__file_names_need_the_yaml_extension);
	return test_summary();
}
