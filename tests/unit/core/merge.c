/*
 * merge.c - unit tests for the inheritance rules (core/src/merge.c).
 *
 * Inputs are written as YAML and parsed with the real parser; results
 * are compared as emitted YAML, so each case shows the exact tree.
 */
#include "test.h"

#include "helios/merge.h"

static struct hnode *parse(const char *yaml)
{
	struct helios_error err = { 0 };
	struct hnode *doc = NULL;

	if (hyaml_parse(yaml, strlen(yaml), NULL, &doc, NULL, &err)) {
		fprintf(stderr, "  parse failed: %u:%u: %s\n", err.line,
			err.col, err.msg);
		return NULL;
	}
	return doc;
}

/* Emit n as YAML into a static buffer (tests are single-threaded). */
static const char *emit(const struct hnode *n)
{
	static char text[4096];
	struct hbuf b;

	hbuf_init(&b, sizeof(text) - 1);
	if (!n || hyaml_emit(n, &b)) {
		hbuf_release(&b);
		return "(emit failed)";
	}
	snprintf(text, sizeof(text), "%s", hbuf_str(&b));
	hbuf_release(&b);
	return text;
}

/*
 * Merge the values of key "v" in two one-line documents with weight w
 * and return the emitted result.
 */
static const char *merge_v(const char *base, const char *persona, double w)
{
	struct hnode *b = parse(base), *p = parse(persona), *m;
	const char *out;

	if (!b || !p) {
		hnode_free(b);
		hnode_free(p);
		return "(parse failed)";
	}
	m = merge_values(hnode_map_get(b, "v"), hnode_map_get(p, "v"), w);
	out = emit(m);
	hnode_free(m);
	hnode_free(b);
	hnode_free(p);
	return out;
}

/* As merge_v(), returning the merged node for type checks. */
static struct hnode *merge_node(const char *base, const char *persona,
				double w)
{
	struct hnode *b = parse(base), *p = parse(persona), *m = NULL;

	if (b && p)
		m = merge_values(hnode_map_get(b, "v"), hnode_map_get(p, "v"),
				 w);
	hnode_free(b);
	hnode_free(p);
	return m;
}

static void test_core_merge__weight_divides_by_level_squared(void)
{
	ASSERT_DBL_EQ(0.7, merge_weight(0.7, 1));
	ASSERT_DBL_EQ(0.175, merge_weight(0.7, 2));
	ASSERT_DBL_EQ(0.7 / 9.0, merge_weight(0.7, 3));
}

static void test_core_merge__weight_is_clamped(void)
{
	ASSERT_DBL_EQ(0.01, merge_weight(0.0, 1));
	ASSERT_DBL_EQ(0.01, merge_weight(0.5, 100));
	ASSERT_DBL_EQ(1.0, merge_weight(1.0, 1));
	ASSERT_DBL_EQ(0.25, merge_weight(1.0, 2));
	ASSERT_DBL_EQ(0.01, merge_weight(0.01, 1));
	ASSERT_DBL_EQ(0.01, merge_weight(0.7, INT64_MAX));
}

static void test_core_merge__integers_blend_and_round_half_away(void)
{
	struct hnode *m;

	ASSERT_STR_EQ("-3\n", merge_v("v: -5", "v: 0", 0.5));
	ASSERT_STR_EQ("3\n", merge_v("v: 5", "v: 0", 0.5));
	ASSERT_STR_EQ("2\n", merge_v("v: 1", "v: 2", 0.5));
	ASSERT_STR_EQ("-2\n", merge_v("v: -1", "v: -2", 0.5));
	ASSERT_STR_EQ("7\n", merge_v("v: 10", "v: 0", 0.7));
	ASSERT_STR_EQ("3\n", merge_v("v: 0", "v: 10", 0.7));

	m = merge_node("v: 10", "v: 20", 0.25);
	ASSERT(m != NULL);
	ASSERT_INT_EQ(HNODE_INT, m->type);
	ASSERT_INT_EQ(18, m->u.i);
	hnode_free(m);
}

static void test_core_merge__large_integers_stay_exact(void)
{
	struct hnode *m;

	m = merge_node("v: 4611686018427387905", "v: 4611686018427387905",
		       0.3);
	ASSERT(m != NULL);
	ASSERT_INT_EQ(HNODE_INT, m->type);
	ASSERT_INT_EQ(INT64_C(4611686018427387905), m->u.i);
	hnode_free(m);
}

static void test_core_merge__integer_overflow_becomes_float(void)
{
	struct hnode *m;

	m = merge_node("v: 9223372036854775807", "v: 0", 2.0);
	ASSERT(m != NULL);
	ASSERT_INT_EQ(HNODE_FLOAT, m->type);
	ASSERT_DBL_EQ(2.0 * 9223372036854775807.0, m->u.f);
	hnode_free(m);
}

static void test_core_merge__int_and_float_blend_to_float(void)
{
	struct hnode *m;

	m = merge_node("v: 1", "v: 2.0", 0.5);
	ASSERT(m != NULL);
	ASSERT_INT_EQ(HNODE_FLOAT, m->type);
	ASSERT_DBL_EQ(1.5, m->u.f);
	hnode_free(m);

	m = merge_node("v: 1.0", "v: 2.0", 0.25);
	ASSERT(m != NULL);
	ASSERT_INT_EQ(HNODE_FLOAT, m->type);
	ASSERT_DBL_EQ(1.75, m->u.f);
	hnode_free(m);

	/* 2.0 blended from floats stays a float, not the integer 2 */
	m = merge_node("v: 2.0", "v: 2", 0.5);
	ASSERT(m != NULL);
	ASSERT_INT_EQ(HNODE_FLOAT, m->type);
	ASSERT_DBL_EQ(2.0, m->u.f);
	hnode_free(m);
}

static void test_core_merge__strings_take_base_only_above_half(void)
{
	ASSERT_STR_EQ("persona\n", merge_v("v: base", "v: persona", 0.5));
	ASSERT_STR_EQ("base\n", merge_v("v: base", "v: persona", 0.5001));
	ASSERT_STR_EQ("persona\n", merge_v("v: base", "v: persona", 0.01));
	ASSERT_STR_EQ("base\n", merge_v("v: base", "v: persona", 1.0));
}

static void test_core_merge__booleans_are_never_blended(void)
{
	struct hnode *m;

	m = merge_node("v: true", "v: false", 0.5);
	ASSERT(m != NULL);
	ASSERT_INT_EQ(HNODE_BOOL, m->type);
	ASSERT_INT_EQ(0, m->u.b);
	hnode_free(m);

	m = merge_node("v: true", "v: false", 0.51);
	ASSERT(m != NULL);
	ASSERT_INT_EQ(HNODE_BOOL, m->type);
	ASSERT_INT_EQ(1, m->u.b);
	hnode_free(m);

	/* a bool and a number are different types: the persona wins */
	ASSERT_STR_EQ("1\n", merge_v("v: true", "v: 1", 0.9));
	ASSERT_STR_EQ("true\n", merge_v("v: 1", "v: true", 0.9));
}

static void test_core_merge__null_takes_the_other_side(void)
{
	ASSERT_STR_EQ("x\n", merge_v("v: ~", "v: x", 0.9));
	ASSERT_STR_EQ("x\n", merge_v("v: x", "v: null", 0.1));
	ASSERT_STR_EQ("- 1\n", merge_v("v:", "v: [1]", 0.5));
	ASSERT_STR_EQ("null\n", merge_v("v: ~", "v: ~", 0.5));
	/* absent on one side */
	ASSERT_STR_EQ("x\n", merge_v("w: 1", "v: x", 0.9));
	ASSERT_STR_EQ("x\n", merge_v("v: x", "w: 1", 0.1));
}

static void test_core_merge__different_types_take_persona(void)
{
	ASSERT_STR_EQ("a: 1\n", merge_v("v: text", "v: {a: 1}", 1.0));
	ASSERT_STR_EQ("text\n", merge_v("v: {a: 1}", "v: text", 1.0));
	ASSERT_STR_EQ("- 1\n", merge_v("v: 5", "v: [1]", 1.0));
	ASSERT_STR_EQ("\"5\"\n", merge_v("v: 5", "v: '5'", 1.0));
}

static void test_core_merge__sequences_base_first_above_0_7(void)
{
	ASSERT_STR_EQ("- a\n- b\n- c\n- p\n- q\n- r\n",
		      merge_v("v: [a, b, c]", "v: [p, q, r]", 0.71));
	ASSERT_STR_EQ("- a\n- b\n- c\n- p\n- q\n- r\n",
		      merge_v("v: [a, b, c]", "v: [p, q, r]", 1.0));
}

static void test_core_merge__sequences_at_exactly_0_7_interleave(void)
{
	ASSERT_STR_EQ("- a\n- p\n- b\n- c\n- q\n- r\n",
		      merge_v("v: [a, b, c]", "v: [p, q, r]", 0.7));
}

static void test_core_merge__sequences_persona_first_below_0_3(void)
{
	ASSERT_STR_EQ("- p\n- q\n- r\n- a\n- b\n- c\n",
		      merge_v("v: [a, b, c]", "v: [p, q, r]", 0.29));
	ASSERT_STR_EQ("- p\n- q\n- r\n- a\n- b\n- c\n",
		      merge_v("v: [a, b, c]", "v: [p, q, r]", 0.01));
}

static void test_core_merge__sequences_at_exactly_0_3_interleave(void)
{
	ASSERT_STR_EQ("- a\n- p\n- q\n- r\n- b\n- c\n",
		      merge_v("v: [a, b, c]", "v: [p, q, r]", 0.3));
}

static void test_core_merge__sequences_interleave_by_share(void)
{
	/* a share equal to w is not below it: the persona takes ties */
	ASSERT_STR_EQ("- a\n- p\n- q\n- b\n- r\n- c\n",
		      merge_v("v: [a, b, c]", "v: [p, q, r]", 0.5));
	ASSERT_STR_EQ("- a\n- p\n- b\n- q\n- c\n- r\n",
		      merge_v("v: [a, b, c]", "v: [p, q, r]", 0.55));
	/* one side runs out: the rest of the other follows */
	ASSERT_STR_EQ("- a\n- p\n- q\n- r\n- s\n",
		      merge_v("v: [a]", "v: [p, q, r, s]", 0.5));
	ASSERT_STR_EQ("- a\n- p\n- b\n- c\n- d\n",
		      merge_v("v: [a, b, c, d]", "v: [p]", 0.5));
}

static void test_core_merge__sequences_drop_duplicates(void)
{
	ASSERT_STR_EQ("- a\n- b\n- c\n",
		      merge_v("v: [a, b, a]", "v: [b, c]", 0.9));
	ASSERT_STR_EQ("- b\n- c\n- a\n",
		      merge_v("v: [a, b, a]", "v: [b, c]", 0.1));
	/* a skipped duplicate still counts as taken from its side */
	ASSERT_STR_EQ("- a\n- c\n- b\n",
		      merge_v("v: [a, b]", "v: [a, c]", 0.5));
	ASSERT_STR_EQ("- a\n- b\n- c\n",
		      merge_v("v: [a, b]", "v: [a, c]", 0.6));
	/* 1 and 1.0 are different values */
	ASSERT_STR_EQ("- 1\n- 1.0\n", merge_v("v: [1]", "v: [1.0]", 0.9));
}

static void test_core_merge__empty_sequences(void)
{
	ASSERT_STR_EQ("[]\n", merge_v("v: []", "v: []", 0.5));
	ASSERT_STR_EQ("- x\n", merge_v("v: []", "v: [x]", 0.5));
	ASSERT_STR_EQ("- a\n", merge_v("v: [a]", "v: []", 0.1));
	ASSERT_STR_EQ("- x\n", merge_v("v: []", "v: [x]", 0.9));
}

static void test_core_merge__sequences_of_mappings(void)
{
	ASSERT_STR_EQ("- k: 1\n- k: 2\n",
		      merge_v("v: [{k: 1}]", "v: [{k: 1}, {k: 2}]", 0.5));
	/* items are compared whole, never merged with each other */
	ASSERT_STR_EQ("- k: 1\n  m: 2\n- k: 1\n",
		      merge_v("v: [{k: 1, m: 2}]", "v: [{k: 1}]", 0.9));
}

static void test_core_merge__maps_keep_base_order_then_persona(void)
{
	ASSERT_STR_EQ("a: 2\nb:\n  x: 2\n  m: 2\n  z: 5\nc: 3\nd: 4\n",
		      merge_v("v: {a: 1, b: {x: 1, m: 2}, c: 3}",
			      "v: {d: 4, b: {z: 5, x: 3}, a: 2}", 0.5));
}

static void test_core_merge__nested_maps_merge_recursively(void)
{
	ASSERT_STR_EQ("s:\n  t:\n    u: base\n    num: 7\n    k:\n"
		      "      - 1\n      - 2\n      - 3\n    p: new\n",
		      merge_v("v: {s: {t: {u: base, num: 10, k: [1, 2]}}}",
			      "v: {s: {t: {u: per, num: 0, k: [2, 3], "
			      "p: new}}}", 0.7));
}

static const char base_doc[] =
	"base_importance: 0.7\n"
	"behaviors:\n"
	"  tone: calm\n"
	"  depth: 4\n"
	"inherits_from: nothing\n"
	"tags: [base]\n";

static const char persona_doc[] =
	"specialization_level: 2\n"
	"inherits_from: base\n"
	"behaviors:\n"
	"  tone: sharp\n"
	"  depth: 8\n"
	"  specialization_level: 9\n"
	"extra: {base_importance: 3}\n"
	"tags: [coder]\n";

static void test_core_merge__documents_drop_top_level_control_keys(void)
{
	struct helios_error err = { 0 };
	struct hnode *b = parse(base_doc), *p = parse(persona_doc);
	struct merge_result r;

	ASSERT(b && p);
	ASSERT_INT_EQ(0, merge_documents(b, p, &r, &err));
	ASSERT_DBL_EQ(0.7, r.base_importance);
	ASSERT_INT_EQ(2, r.specialization_level);
	ASSERT_DBL_EQ(0.175, r.weight);
	ASSERT(r.inherits_from && r.inherits_from->type == HNODE_STR);
	ASSERT_STR_EQ("base", r.inherits_from->u.s.ptr);
	/* w = 0.175: persona strings, 4*.175 + 8*.825 = 7.3, persona first */
	ASSERT_STR_EQ("behaviors:\n"
		      "  tone: sharp\n"
		      "  depth: 7\n"
		      "  specialization_level: 9\n"
		      "tags:\n"
		      "  - coder\n"
		      "  - base\n"
		      "extra:\n"
		      "  base_importance: 3\n", emit(r.merged));
	merge_result_release(&r);
	hnode_free(b);
	hnode_free(p);
}

static void test_core_merge__documents_are_deterministic(void)
{
	struct hnode *b = parse(base_doc), *p = parse(persona_doc);
	struct merge_result r1, r2;
	char first[4096];

	ASSERT(b && p);
	ASSERT_INT_EQ(0, merge_documents(b, p, &r1, NULL));
	snprintf(first, sizeof(first), "%s", emit(r1.merged));
	ASSERT_INT_EQ(0, merge_documents(b, p, &r2, NULL));
	ASSERT_STR_EQ(first, emit(r2.merged));
	ASSERT(hnode_equal(r1.merged, r2.merged));
	/* the inputs are untouched */
	ASSERT_STR_EQ("tone: sharp\ndepth: 8\nspecialization_level: 9\n",
		      emit(hnode_map_get(p, "behaviors")));
	ASSERT_STR_EQ("tone: calm\ndepth: 4\n",
		      emit(hnode_map_get(b, "behaviors")));
	ASSERT_INT_EQ(4, b->u.map.len);
	ASSERT_INT_EQ(5, p->u.map.len);
	merge_result_release(&r1);
	merge_result_release(&r2);
	hnode_free(b);
	hnode_free(p);
}

static void test_core_merge__documents_reject_bad_control_keys(void)
{
	static const char *const bad[][2] = {
		{ "behaviors: {}\n", "specialization_level: 1\n" },
		{ "base_importance: x\n", "specialization_level: 1\n" },
		{ "base_importance: 1.5\n", "specialization_level: 1\n" },
		{ "base_importance: .nan\n", "specialization_level: 1\n" },
		{ "base_importance: 0.5\n", "behaviors: {}\n" },
		{ "base_importance: 0.5\n", "specialization_level: 0\n" },
		{ "base_importance: 0.5\n", "specialization_level: 1.5\n" },
		{ "base_importance: 0.5\n", "specialization_level: true\n" },
		{ "- 1\n", "specialization_level: 1\n" },
		{ "base_importance: 0.5\n", "- 1\n" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct helios_error err = { 0 };
		struct hnode *b = parse(bad[i][0]), *p = parse(bad[i][1]);
		struct merge_result r;
		int rc;

		ASSERT(b && p);
		rc = merge_documents(b, p, &r, &err);
		hnode_free(b);
		hnode_free(p);
		if (rc != HELIOS_EINVAL)
			fprintf(stderr, "  case %zu\n", i);
		ASSERT_INT_EQ(HELIOS_EINVAL, rc);
		ASSERT(err.msg[0] != '\0');
		ASSERT(r.merged == NULL);
	}
}

static void test_core_merge__level_one_importance_one_keeps_base(void)
{
	struct hnode *b = parse("base_importance: 1.0\nbehaviors: {a: x, "
				"num: 2, l: [1]}\n");
	struct hnode *p = parse("specialization_level: 1\nbehaviors: {a: z, "
				"num: 4, l: [2]}\n");
	struct merge_result r;

	ASSERT(b && p);
	ASSERT_INT_EQ(0, merge_documents(b, p, &r, NULL));
	ASSERT_DBL_EQ(1.0, r.weight);
	ASSERT(r.inherits_from == NULL);
	ASSERT_STR_EQ("behaviors:\n  a: x\n  num: 2\n  l:\n    - 1\n    - 2\n",
		      emit(r.merged));
	merge_result_release(&r);
	hnode_free(b);
	hnode_free(p);
}

int main(void)
{
	TEST_RUN(test_core_merge__weight_divides_by_level_squared);
	TEST_RUN(test_core_merge__weight_is_clamped);
	TEST_RUN(test_core_merge__integers_blend_and_round_half_away);
	TEST_RUN(test_core_merge__large_integers_stay_exact);
	TEST_RUN(test_core_merge__integer_overflow_becomes_float);
	TEST_RUN(test_core_merge__int_and_float_blend_to_float);
	TEST_RUN(test_core_merge__strings_take_base_only_above_half);
	TEST_RUN(test_core_merge__booleans_are_never_blended);
	TEST_RUN(test_core_merge__null_takes_the_other_side);
	TEST_RUN(test_core_merge__different_types_take_persona);
	TEST_RUN(test_core_merge__sequences_base_first_above_0_7);
	TEST_RUN(test_core_merge__sequences_at_exactly_0_7_interleave);
	TEST_RUN(test_core_merge__sequences_persona_first_below_0_3);
	TEST_RUN(test_core_merge__sequences_at_exactly_0_3_interleave);
	TEST_RUN(test_core_merge__sequences_interleave_by_share);
	TEST_RUN(test_core_merge__sequences_drop_duplicates);
	TEST_RUN(test_core_merge__empty_sequences);
	TEST_RUN(test_core_merge__sequences_of_mappings);
	TEST_RUN(test_core_merge__maps_keep_base_order_then_persona);
	TEST_RUN(test_core_merge__nested_maps_merge_recursively);
	TEST_RUN(test_core_merge__documents_drop_top_level_control_keys);
	TEST_RUN(test_core_merge__documents_are_deterministic);
	TEST_RUN(test_core_merge__documents_reject_bad_control_keys);
	TEST_RUN(test_core_merge__level_one_importance_one_keeps_base);
	return test_summary();
}
