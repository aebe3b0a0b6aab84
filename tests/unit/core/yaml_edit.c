/*
 * yaml_edit.c - unit tests for in-place YAML edits: the bytes outside the
 * changed value survive, new keys land at their siblings' indentation,
 * flow and block styles are kept, and impossible splices are refused.
 */
#include "helios/yaml_edit.h"

#include "test.h"

static struct hnode *parse_str(const char *s)
{
	struct hnode *n = NULL;

	if (hyaml_parse(s, strlen(s), NULL, &n, NULL, NULL))
		return NULL;
	return n;
}

/* Set path to the value parsed from vtext; the edited text or NULL. */
static char *set(const char *src, const char *path, const char *vtext,
		 int *rc)
{
	struct helios_error err = { 0 };
	struct hnode *v = parse_str(vtext);
	struct hbuf out;

	hbuf_init(&out, HBUF_MAX_DEFAULT);
	*rc = v ? hyaml_edit_set(src, strlen(src), path, v, &out, &err) :
		  HELIOS_EINTERNAL;
	hnode_free(v);
	if (*rc) {
		fprintf(stderr, "  edit: %s\n", err.msg);
		hbuf_release(&out);
		return NULL;
	}
	return hbuf_detach(&out, NULL);
}

static char *rm(const char *src, const char *path, int *rc)
{
	struct helios_error err = { 0 };
	struct hbuf out;

	hbuf_init(&out, HBUF_MAX_DEFAULT);
	*rc = hyaml_edit_remove(src, strlen(src), path, &out, &err);
	if (*rc) {
		hbuf_release(&out);
		return NULL;
	}
	return hbuf_detach(&out, NULL);
}

#define CHECK_SET(src, path, v, want)					\
	do {								\
		int rc_;						\
		char *got_ = set(src, path, v, &rc_);			\
		ASSERT_INT_EQ(0, rc_);					\
		if (strcmp(want, got_)) {				\
			fprintf(stderr, "--- want\n%s--- got\n%s", want, \
				got_);					\
			free(got_);					\
			TEST_FAIL_("edit of %s differs", path);		\
		}							\
		free(got_);						\
	} while (0)

#define CHECK_RM(src, path, want)					\
	do {								\
		int rc_;						\
		char *got_ = rm(src, path, &rc_);			\
		ASSERT_INT_EQ(0, rc_);					\
		if (strcmp(want, got_)) {				\
			fprintf(stderr, "--- want\n%s--- got\n%s", want, \
				got_);					\
			free(got_);					\
			TEST_FAIL_("removal of %s differs", path);	\
		}							\
		free(got_);						\
	} while (0)

static const char doc[] =
	"# Base identity, written by hand.\n"
	"base_importance: 0.6   # how much the base counts\n"
	"\n"
	"behaviors:\n"
	"  # tone first\n"
	"  tone:   warm  # keep it friendly\n"
	"  code_review:\n"
	"    depth: thorough\n"
	"    style: {nits: false, praise: true}\n"
	"  languages: [c, go]\n"
	"\n"
	"# trailing comment\n";

static void test_edit__scalar_keeps_comments(void)
{
	CHECK_SET(doc, "behaviors.tone", "'direct'",
		  "# Base identity, written by hand.\n"
		  "base_importance: 0.6   # how much the base counts\n"
		  "\n"
		  "behaviors:\n"
		  "  # tone first\n"
		  "  tone:   direct  # keep it friendly\n"
		  "  code_review:\n"
		  "    depth: thorough\n"
		  "    style: {nits: false, praise: true}\n"
		  "  languages: [c, go]\n"
		  "\n"
		  "# trailing comment\n");
	CHECK_SET(doc, "base_importance", "0.75",
		  "# Base identity, written by hand.\n"
		  "base_importance: 0.75   # how much the base counts\n"
		  "\n"
		  "behaviors:\n"
		  "  # tone first\n"
		  "  tone:   warm  # keep it friendly\n"
		  "  code_review:\n"
		  "    depth: thorough\n"
		  "    style: {nits: false, praise: true}\n"
		  "  languages: [c, go]\n"
		  "\n"
		  "# trailing comment\n");
}

static void test_edit__string_needing_quotes(void)
{
	CHECK_SET("a: 1  # c\n", "a", "'yes: no # x'",
		  "a: \"yes: no # x\"  # c\n");
	CHECK_SET("a: 1\n", "a", "'two\\nlines'", "a: two\\nlines\n");
}

static void test_edit__nested_insert_at_indent(void)
{
	CHECK_SET(doc, "behaviors.code_review.focus", "security",
		  "# Base identity, written by hand.\n"
		  "base_importance: 0.6   # how much the base counts\n"
		  "\n"
		  "behaviors:\n"
		  "  # tone first\n"
		  "  tone:   warm  # keep it friendly\n"
		  "  code_review:\n"
		  "    depth: thorough\n"
		  "    style: {nits: false, praise: true}\n"
		  "    focus: security\n"
		  "  languages: [c, go]\n"
		  "\n"
		  "# trailing comment\n");
	/* four-space indentation is followed, not replaced */
	CHECK_SET("top:\n    a: 1 # one\n    b: 2\nz: 0\n", "top.c.d", "x",
		  "top:\n    a: 1 # one\n    b: 2\n    c:\n      d: x\nz: 0\n");
	CHECK_SET(doc, "memory", "{}",
		  "# Base identity, written by hand.\n"
		  "base_importance: 0.6   # how much the base counts\n"
		  "\n"
		  "behaviors:\n"
		  "  # tone first\n"
		  "  tone:   warm  # keep it friendly\n"
		  "  code_review:\n"
		  "    depth: thorough\n"
		  "    style: {nits: false, praise: true}\n"
		  "  languages: [c, go]\n"
		  "memory: {}\n"
		  "\n"
		  "# trailing comment\n");
}

static void test_edit__flow_styles_kept(void)
{
	CHECK_SET(doc, "behaviors.code_review.style.nits", "true",
		  "# Base identity, written by hand.\n"
		  "base_importance: 0.6   # how much the base counts\n"
		  "\n"
		  "behaviors:\n"
		  "  # tone first\n"
		  "  tone:   warm  # keep it friendly\n"
		  "  code_review:\n"
		  "    depth: thorough\n"
		  "    style: {nits: true, praise: true}\n"
		  "  languages: [c, go]\n"
		  "\n"
		  "# trailing comment\n");
	CHECK_SET("s: {a: 1}\n", "s.b", "[x, {w: 2}]",
		  "s: {a: 1, b: [x, {w: 2}]}\n");
	CHECK_SET("s: {}  # empty\n", "s.b", "1", "s: {b: 1}  # empty\n");
	CHECK_SET("s: [1, 2]  # list\n", "s", "[3]", "s:\n  - 3  # list\n");
}

static void test_edit__block_values(void)
{
	/* scalar to block and block to scalar */
	CHECK_SET("a: 1 # c\nb: 2\n", "a", "{x: 1, w: [2]}",
		  "a:\n  x: 1\n  w:\n    - 2 # c\nb: 2\n");
	CHECK_SET("a:\n  # inside\n  x: 1\n  y: 2\nb: 2\n", "a", "5",
		  "a: 5\nb: 2\n");
	CHECK_SET("a:\n  x: 1\n  y: 2\nb: 2\n", "a", "{z: 3}",
		  "a:\n  z: 3\nb: 2\n");
	CHECK_SET("a: |\n  text\n  more\n\nb: 2\n", "a", "short",
		  "a: short\n\nb: 2\n");
	/* a null value becomes the mappings the key needs */
	CHECK_SET("a:\nb: 2\n", "a.c", "1", "a:\n  c: 1\nb: 2\n");
	CHECK_SET("a: ~  # none\n", "a", "7", "a: 7  # none\n");
}

static void test_edit__empty_and_sequence_item_maps(void)
{
	CHECK_SET("", "a.b", "1", "a:\n  b: 1\n");
	CHECK_SET("# only a comment", "a", "1", "# only a comment\na: 1\n");
	CHECK_SET("list:\n- name: x\n  v: 1\ntop: 1\n", "top", "2",
		  "list:\n- name: x\n  v: 1\ntop: 2\n");
}

static void test_edit__unicode_offsets(void)
{
	CHECK_SET("# h\xc3\xa9llo \xe2\x9c\x93\nname: \"caf\xc3\xa9\"\nn: 1\n",
		  "n", "2",
		  "# h\xc3\xa9llo \xe2\x9c\x93\nname: \"caf\xc3\xa9\"\nn: 2\n");
	CHECK_SET("\xef\xbb\xbf" "k: \xc3\xa9t\xc3\xa9 # \xc3\xa9\nn: 1\n",
		  "k", "hiver",
		  "\xef\xbb\xbf" "k: hiver # \xc3\xa9\nn: 1\n");
}

static void test_edit__remove(void)
{
	CHECK_RM(doc, "behaviors.code_review",
		 "# Base identity, written by hand.\n"
		 "base_importance: 0.6   # how much the base counts\n"
		 "\n"
		 "behaviors:\n"
		 "  # tone first\n"
		 "  tone:   warm  # keep it friendly\n"
		 "  languages: [c, go]\n"
		 "\n"
		 "# trailing comment\n");
	CHECK_RM("s: {a: 1, b: 2, c: 3}\n", "s.b", "s: {a: 1, c: 3}\n");
	CHECK_RM("s: {a: 1, b: 2}\n", "s.b", "s: {a: 1}\n");
	CHECK_RM("b:\n  only: 1  # c\nz: 1\n", "b.only", "b: {}  # c\nz: 1\n");
}

static void test_edit__refusals(void)
{
	struct helios_error err = { 0 };
	struct hnode *v = hnode_new_int(1);
	struct hbuf out;
	const char *alias = "x: &a {k: 1}\ny: *a\n";

	hbuf_init(&out, HBUF_MAX_DEFAULT);
	ASSERT(v);
	ASSERT_INT_EQ(HELIOS_EINVAL,
		      hyaml_edit_set("a: 1\n", 5, "a..b", v, &out, &err));
	ASSERT_INT_EQ(HELIOS_EINVAL,
		      hyaml_edit_set("a: 1\n", 5, "a.b", v, &out, &err));
	ASSERT_CONTAINS("not a mapping", err.msg);
	ASSERT_INT_EQ(HELIOS_EINVAL,
		      hyaml_edit_set("a: [1\n", 6, "a", v, &out, &err));
	ASSERT_INT_EQ(HELIOS_EINVAL,
		      hyaml_edit_set(alias, strlen(alias), "y.k", v, &out,
				     &err));
	ASSERT_CONTAINS("alias", err.msg);
	ASSERT_INT_EQ(HELIOS_EINVAL,
		      hyaml_edit_set("7\n", 2, "a", v, &out, &err));
	ASSERT_INT_EQ(HELIOS_ENOTFOUND,
		      hyaml_edit_remove("a: 1\n", 5, "b", &out, &err));
	ASSERT_INT_EQ(0, (int)out.len);
	hnode_free(v);
	hbuf_release(&out);
}

static void test_edit__anchor_is_refused_not_broken(void)
{
	const char *src = "x: &a 1\ny: *a\n";
	struct helios_error err = { 0 };
	struct hnode *v = hnode_new_int(2);
	struct hbuf out;
	int rc;

	hbuf_init(&out, HBUF_MAX_DEFAULT);
	rc = hyaml_edit_set(src, strlen(src), "x", v, &out, &err);
	/* either a correct edit or a refusal, never a broken file */
	if (rc == 0) {
		struct hnode *t = parse_str(hbuf_str(&out));

		ASSERT(t);
		ASSERT_INT_EQ(2, hnode_map_get(t, "x")->u.i);
		hnode_free(t);
	} else {
		ASSERT_INT_EQ(HELIOS_EINVAL, rc);
	}
	hnode_free(v);
	hbuf_release(&out);
}

int main(void)
{
	TEST_RUN(test_edit__scalar_keeps_comments);
	TEST_RUN(test_edit__string_needing_quotes);
	TEST_RUN(test_edit__nested_insert_at_indent);
	TEST_RUN(test_edit__flow_styles_kept);
	TEST_RUN(test_edit__block_values);
	TEST_RUN(test_edit__empty_and_sequence_item_maps);
	TEST_RUN(test_edit__unicode_offsets);
	TEST_RUN(test_edit__remove);
	TEST_RUN(test_edit__refusals);
	TEST_RUN(test_edit__anchor_is_refused_not_broken);
	return test_summary();
}
