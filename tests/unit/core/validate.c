/*
 * validate.c - unit tests for schema validation, diagnostics with
 * positions, and which store paths are configuration.
 */
#include "helios/validate.h"

#include "test.h"

/*
 * Validate doc as kind and compare all diagnostics, joined with "\n",
 * to want.  Returns the validation result.
 */
static int run(enum hdoc_kind kind, const char *file, const char *doc,
	       char *joined, size_t size)
{
	struct hdiag_list l;
	size_t i, used = 0;
	int rc;

	hdiag_list_init(&l);
	rc = hdoc_validate(kind, file, doc, strlen(doc), NULL, &l, NULL);
	joined[0] = '\0';
	for (i = 0; i < l.len; i++)
		used += (size_t)snprintf(joined + used, size - used, "%s%s",
					 i ? "\n" : "", l.items[i].text);
	hdiag_list_release(&l);
	return rc;
}

#define ASSERT_DIAGS(kind, file, doc, want_rc, want)			\
	do {								\
		char got_[4096];					\
		ASSERT_INT_EQ((want_rc), run((kind), (file), (doc),	\
					     got_, sizeof(got_)));	\
		ASSERT_STR_EQ((want), got_);				\
	} while (0)

#define BASE(v) "base_importance: " v "\nbehaviors: {}\n"
#define PERSONA(v) "specialization_level: " v "\nbehaviors: {}\n"

static void test_core_validate__valid_files_give_no_diagnostics(void)
{
	const char *dir = getenv("HELIOS_TEST_DATA");
	char path[4096], buf[8192];
	struct hdiag_list l;
	struct hnode *doc = NULL;
	size_t len;
	FILE *f;

	ASSERT(dir);
	snprintf(path, sizeof(path), "%s/yaml/persona-full.yaml", dir);
	f = fopen(path, "rb");
	ASSERT(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);

	hdiag_list_init(&l);
	ASSERT_INT_EQ(0, hdoc_validate(HDOC_PERSONA, "personas/coder.yaml",
				       buf, len, NULL, &l, &doc));
	ASSERT_INT_EQ(0, l.len);
	ASSERT(doc);
	ASSERT_INT_EQ(3, hnode_map_get(doc, "specialization_level")->u.i);
	hnode_free(doc);

	snprintf(path, sizeof(path), "%s/yaml/base-valid.yaml", dir);
	f = fopen(path, "rb");
	ASSERT(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	ASSERT_INT_EQ(0, hdoc_validate(HDOC_BASE, "base/identity.yaml", buf,
				       len, NULL, &l, NULL));
	ASSERT_INT_EQ(0, l.len);
	ASSERT_INT_EQ(0, l.errors);
	hdiag_list_release(&l);
}

static void test_core_validate__base_importance_bounds(void)
{
	static const char *const ok[] = { "0", "1", "0.0", "1.0", "0.7",
					  "1.0e-3", "-0.0", "0x1", "!!float 0.5" };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char doc[128];

		snprintf(doc, sizeof(doc), BASE("%s"), ok[i]);
		ASSERT_DIAGS(HDOC_BASE, "b.yaml", doc, 0, "");
	}
#define BAD_BASE(v, got)						\
	ASSERT_DIAGS(HDOC_BASE, "base/identity.yaml", BASE(v),		\
		     HELIOS_EINVAL, "base/identity.yaml:1:18: "		\
		     "base_importance must be a finite number in "	\
		     "[0.0, 1.0], got " got)
	BAD_BASE("1.0000001", "float 1.0000001");
	BAD_BASE("1.5", "float 1.5");
	BAD_BASE("-0.1", "float -0.1");
	BAD_BASE("2", "integer 2");
	BAD_BASE("-1", "integer -1");
	BAD_BASE(".nan", "float .nan");
	BAD_BASE(".inf", "float .inf");
	BAD_BASE("-.inf", "float -.inf");
	BAD_BASE("true", "boolean true");
	BAD_BASE("\"0.5\"", "string \"0.5\"");
	BAD_BASE("'yes'", "string \"yes\"");
	BAD_BASE("[0.5]", "sequence");
	BAD_BASE("{a: 1}", "mapping");
#undef BAD_BASE
	ASSERT_DIAGS(HDOC_BASE, "base/identity.yaml",
		     "base_importance:\nbehaviors: {}\n", HELIOS_EINVAL,
		     "base/identity.yaml:1:17: base_importance must be a "
		     "finite number in [0.0, 1.0], got null");
}

static void test_core_validate__specialization_level_is_an_integer(void)
{
	ASSERT_DIAGS(HDOC_PERSONA, "p.yaml", PERSONA("1"), 0, "");
	ASSERT_DIAGS(HDOC_PERSONA, "p.yaml", PERSONA("9000"), 0, "");
	ASSERT_DIAGS(HDOC_PERSONA, "p.yaml", PERSONA("0x10"), 0, "");
#define BAD_LEVEL(v, got)						\
	ASSERT_DIAGS(HDOC_PERSONA, "personas/x.yaml", PERSONA(v),	\
		     HELIOS_EINVAL, "personas/x.yaml:1:23: "		\
		     "specialization_level must be an integer >= 1, "	\
		     "got " got)
	BAD_LEVEL("1.5", "float 1.5");
	BAD_LEVEL("1.0", "float 1.0");
	BAD_LEVEL("0", "integer 0");
	BAD_LEVEL("-1", "integer -1");
	BAD_LEVEL("true", "boolean true");
	BAD_LEVEL(".nan", "float .nan");
	BAD_LEVEL("\"2\"", "string \"2\"");
	BAD_LEVEL("two", "string \"two\"");
	BAD_LEVEL("~", "null");
#undef BAD_LEVEL
	/* 1e9 is a float, and YAML 1.1 tools would even read a string. */
	ASSERT_DIAGS(HDOC_PERSONA, "personas/x.yaml", PERSONA("1e9"),
		     HELIOS_EINVAL, "personas/x.yaml:1:23: warning: key "
		     "'specialization_level': plain scalar '1e9' is a float in "
		     "YAML 1.2 but a string in YAML 1.1; quote it, or write it "
		     "so both versions agree\n"
		     "personas/x.yaml:1:23: specialization_level must be an "
		     "integer >= 1, got float 1000000000.0");
}

static void test_core_validate__missing_keys_point_at_the_root(void)
{
	ASSERT_DIAGS(HDOC_PERSONA, "personas/x.yaml",
		     "# a comment\n\nspecialization_level: 1\n",
		     HELIOS_EINVAL,
		     "personas/x.yaml:3:1: missing required key 'behaviors'");
	ASSERT_DIAGS(HDOC_BASE, "base/identity.yaml", "  other: 1\n",
		     HELIOS_EINVAL,
		     "base/identity.yaml:1:3: missing required key "
		     "'base_importance'\n"
		     "base/identity.yaml:1:3: missing required key "
		     "'behaviors'");
	/* A base is not a persona: each has its own required key. */
	ASSERT_DIAGS(HDOC_PERSONA, "personas/x.yaml", BASE("0.5"),
		     HELIOS_EINVAL,
		     "personas/x.yaml:1:1: missing required key "
		     "'specialization_level'");
}

static void test_core_validate__behaviors_must_be_a_mapping(void)
{
	ASSERT_DIAGS(HDOC_PERSONA, "personas/x.yaml",
		     "specialization_level: 1\nbehaviors: [a, b]\n",
		     HELIOS_EINVAL,
		     "personas/x.yaml:2:12: behaviors must be a mapping, got "
		     "sequence");
	ASSERT_DIAGS(HDOC_PERSONA, "personas/x.yaml",
		     "specialization_level: 1\nbehaviors: friendly\n",
		     HELIOS_EINVAL,
		     "personas/x.yaml:2:12: behaviors must be a mapping, got "
		     "string \"friendly\"");
}

static void test_core_validate__root_must_be_a_mapping(void)
{
	ASSERT_DIAGS(HDOC_PERSONA, "personas/x.yaml", "", HELIOS_EINVAL,
		     "personas/x.yaml:1:1: root must be a mapping, got null "
		     "(the document is empty)");
	ASSERT_DIAGS(HDOC_PERSONA, "personas/x.yaml", "# nothing\n",
		     HELIOS_EINVAL,
		     "personas/x.yaml:1:1: root must be a mapping, got null "
		     "(the document is empty)");
	ASSERT_DIAGS(HDOC_BASE, "base/identity.yaml", "\n- a\n- b\n",
		     HELIOS_EINVAL,
		     "base/identity.yaml:2:1: root must be a mapping, got "
		     "sequence");
	ASSERT_DIAGS(HDOC_BASE, "base/identity.yaml", "hello\n",
		     HELIOS_EINVAL,
		     "base/identity.yaml:1:1: root must be a mapping, got "
		     "string");
}

static void test_core_validate__every_problem_is_reported_in_order(void)
{
	ASSERT_DIAGS(HDOC_PERSONA, "personas/x.yaml",
		     "behaviors: []\nmode: on\nspecialization_level: 0\n",
		     HELIOS_EINVAL,
		     "personas/x.yaml:1:12: behaviors must be a mapping, got "
		     "sequence\n"
		     "personas/x.yaml:2:7: warning: key 'mode': plain scalar "
		     "'on' is a string in YAML 1.2 but a boolean in YAML 1.1; "
		     "quote it\n"
		     "personas/x.yaml:3:23: specialization_level must be an "
		     "integer >= 1, got integer 0");
}

static void test_core_validate__warnings_do_not_fail(void)
{
	struct hdiag_list l;
	const char *doc = "specialization_level: 1\nbehaviors:\n  terse: yes\n"
			  "  mode: 010\n";

	hdiag_list_init(&l);
	ASSERT_INT_EQ(0, hdoc_validate(HDOC_PERSONA, "personas/w.yaml", doc,
				       strlen(doc), NULL, &l, NULL));
	ASSERT_INT_EQ(2, l.len);
	ASSERT_INT_EQ(0, l.errors);
	ASSERT_INT_EQ(HDIAG_WARNING, l.items[0].severity);
	ASSERT_INT_EQ(3, l.items[0].line);
	ASSERT_INT_EQ(10, l.items[0].col);
	ASSERT_STR_EQ("personas/w.yaml:3:10: warning: key 'behaviors.terse': "
		      "plain scalar 'yes' is a string in YAML 1.2 but a "
		      "boolean in YAML 1.1; quote it", l.items[0].text);
	ASSERT_STR_EQ("personas/w.yaml:4:9: warning: key 'behaviors.mode': "
		      "plain scalar '010' is an integer in YAML 1.2 but an "
		      "octal integer in YAML 1.1; quote it, or write it so "
		      "both versions agree", l.items[1].text);
	hdiag_list_release(&l);
}

static void test_core_validate__parse_errors_are_one_diagnostic(void)
{
	struct hyaml_limits lim;
	struct hdiag_list l;
	struct hnode *doc = (struct hnode *)&lim;
	const char *big = BASE("0.5");

	ASSERT_DIAGS(HDOC_PERSONA, "personas/x.yaml",
		     "specialization_level: 1\nbehaviors: {}\n---\nx: 1\n",
		     HELIOS_EINVAL,
		     "personas/x.yaml:3:1: more than one document; a file "
		     "holds exactly one");
	ASSERT_DIAGS(HDOC_PERSONA, "personas/x.yaml",
		     "specialization_level: 1\nbehaviors: {}\n"
		     "specialization_level: 2\n", HELIOS_EINVAL,
		     "personas/x.yaml:3:1: duplicate key "
		     "'specialization_level' (first at line 1)");
	ASSERT_DIAGS(HDOC_BASE, "base/identity.yaml",
		     "base_importance: 0.5\nbehaviors:\n\tx: 1\n",
		     HELIOS_EINVAL,
		     "base/identity.yaml:3:1: yaml syntax error: found "
		     "character that cannot start any token (while scanning "
		     "for the next token at line 3, column 1)");

	/* A limit is reported the same way; a size has no position. */
	hyaml_limits_default(&lim);
	lim.max_bytes = 10;
	hdiag_list_init(&l);
	ASSERT_INT_EQ(HELIOS_ELIMIT,
		      hdoc_validate(HDOC_BASE, "base/identity.yaml", big,
				    strlen(big), &lim, &l, &doc));
	ASSERT(doc == NULL);
	ASSERT_INT_EQ(1, l.len);
	ASSERT_INT_EQ(1, l.errors);
	ASSERT_INT_EQ(0, l.items[0].line);
	ASSERT_STR_EQ("base/identity.yaml: file is 35 bytes, limit is 10",
		      l.items[0].text);
	hdiag_list_release(&l);

	lim.max_bytes = 1000;
	lim.max_depth = 1;
	hdiag_list_init(&l);
	ASSERT_INT_EQ(HELIOS_ELIMIT,
		      hdoc_validate(HDOC_BASE, "base/identity.yaml", big,
				    strlen(big), &lim, &l, NULL));
	ASSERT_STR_EQ("base/identity.yaml:2:12: nesting is deeper than 1 "
		      "levels", l.items[0].text);
	hdiag_list_release(&l);
}

static void test_core_validate__kind_none_checks_only_yaml(void)
{
	ASSERT_DIAGS(HDOC_NONE, "notes.yaml", "- any\n- list\n", 0, "");
	ASSERT_DIAGS(HDOC_NONE, "notes.yaml", "a: [\n", HELIOS_EINVAL,
		     "notes.yaml:2:1: yaml syntax error: did not find "
		     "expected node content (while parsing a flow node at "
		     "line 2, column 1)");
}

static void test_core_validate__kind_of_path(void)
{
	static const struct {
		const char *path;
		enum hdoc_kind kind;
	} cases[] = {
		{ "base/identity.yaml", HDOC_BASE },
		{ "personas/coder.yaml", HDOC_PERSONA },
		{ "personas/a.b-c_d.yaml", HDOC_PERSONA },
		{ "personas/.yaml", HDOC_NONE },
		{ "personas/.x.yaml", HDOC_NONE },
		{ "personas/../x.yaml", HDOC_NONE },
		{ "personas/a/b.yaml", HDOC_NONE },
		{ "personas/x.yml", HDOC_NONE },
		{ "personas/x", HDOC_NONE },
		{ "personas/", HDOC_NONE },
		{ "personas/a b.yaml", HDOC_NONE },
		{ "./personas/x.yaml", HDOC_NONE },
		{ "/personas/x.yaml", HDOC_NONE },
		{ "base/other.yaml", HDOC_NONE },
		{ "base/identity.yaml.swp", HDOC_NONE },
		{ "identity.yaml", HDOC_NONE },
		{ "x.yaml", HDOC_NONE },
		{ "", HDOC_NONE },
	};
	char longest[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (hdoc_kind_of_path(cases[i].path) != cases[i].kind)
			TEST_FAIL_("'%s' is kind %d", cases[i].path,
				   hdoc_kind_of_path(cases[i].path));

	/* Names of 64 bytes are personas; 65 bytes are not. */
	memcpy(longest, "personas/", 9);
	memset(longest + 9, 'a', 64);
	strcpy(longest + 9 + 64, ".yaml");
	ASSERT_INT_EQ(HDOC_PERSONA, hdoc_kind_of_path(longest));
	memset(longest + 9, 'a', 65);
	strcpy(longest + 9 + 65, ".yaml");
	ASSERT_INT_EQ(HDOC_NONE, hdoc_kind_of_path(longest));
	ASSERT_INT_EQ(HDOC_NONE, hdoc_kind_of_path(NULL));
}

static void test_core_validate__diag_add_formats(void)
{
	struct hdiag_list l;

	hdiag_list_init(&l);
	ASSERT_INT_EQ(0, hdiag_add(&l, HDIAG_ERROR, "f.yaml", 3, 7, "x %d", 1));
	ASSERT_INT_EQ(0, hdiag_add(&l, HDIAG_WARNING, "f.yaml", 0, 0, "y"));
	ASSERT_INT_EQ(0, hdiag_add(&l, HDIAG_ERROR, NULL, 2, 0, "z"));
	ASSERT_INT_EQ(0, hdiag_add(&l, HDIAG_ERROR, NULL, 0, 0, "w"));
	ASSERT_STR_EQ("f.yaml:3:7: x 1", l.items[0].text);
	ASSERT_STR_EQ("f.yaml: y", l.items[1].text);
	ASSERT_STR_EQ("2:1: z", l.items[2].text);
	ASSERT_STR_EQ("w", l.items[3].text);
	ASSERT_INT_EQ(4, l.len);
	ASSERT_INT_EQ(3, l.errors);
	hdiag_list_release(&l);
	ASSERT_INT_EQ(0, l.len);
}

int main(void)
{
	TEST_RUN(test_core_validate__valid_files_give_no_diagnostics);
	TEST_RUN(test_core_validate__base_importance_bounds);
	TEST_RUN(test_core_validate__specialization_level_is_an_integer);
	TEST_RUN(test_core_validate__missing_keys_point_at_the_root);
	TEST_RUN(test_core_validate__behaviors_must_be_a_mapping);
	TEST_RUN(test_core_validate__root_must_be_a_mapping);
	TEST_RUN(test_core_validate__every_problem_is_reported_in_order);
	TEST_RUN(test_core_validate__warnings_do_not_fail);
	TEST_RUN(test_core_validate__parse_errors_are_one_diagnostic);
	TEST_RUN(test_core_validate__kind_none_checks_only_yaml);
	TEST_RUN(test_core_validate__kind_of_path);
	TEST_RUN(test_core_validate__diag_add_formats);
	return test_summary();
}
