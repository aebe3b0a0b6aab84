/*
 * yaml.c - unit tests for the YAML model: parsing, limits, hostile input,
 * emitting and the parse(emit(t)) == t round trip.
 */
#include "helios/yaml.h"

#include <float.h>
#include <stdint.h>
#include <time.h>

#include "test.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct hnode *parse_str(const char *s)
{
	struct helios_error err = { 0 };
	struct hnode *n = NULL;

	if (hyaml_parse(s, strlen(s), NULL, &n, NULL, &err)) {
		fprintf(stderr, "  unexpected parse error: %u:%u: %s\n",
			err.line, err.col, err.msg);
		return NULL;
	}
	return n;
}

/* Parse and expect a failure; returns 1 when code, position and message
 * are all as wanted, printing what differed otherwise. */
static int parse_fails(const char *buf, size_t len,
		       const struct hyaml_limits *lim, int code,
		       unsigned line, unsigned col, const char *msg)
{
	struct helios_error err = { 0 };
	struct hnode *n = (struct hnode *)&err;
	int rc = hyaml_parse(buf, len, lim, &n, NULL, &err);

	if (rc == code && err.code == code && err.line == line &&
	    err.col == col && !strcmp(err.msg, msg) && !n)
		return 1;
	fprintf(stderr, "  want %d %u:%u: %s\n  got  %d %u:%u: %s%s\n", code,
		line, col, msg, rc, err.line, err.col, err.msg,
		n ? " (and a tree)" : "");
	if (!rc)
		hnode_free(n);
	return 0;
}

#define ASSERT_FAILS(s, code, line, col, msg)				\
	ASSERT(parse_fails((s), strlen(s), NULL, (code), (line), (col), (msg)))

static void test_core_yaml__plain_scalars_follow_the_core_schema(void)
{
	static const struct {
		const char *text;
		enum hnode_type type;
		int64_t i;
		double f;
	} cases[] = {
		{ "~", HNODE_NULL, 0, 0 }, { "null", HNODE_NULL, 0, 0 },
		{ "Null", HNODE_NULL, 0, 0 }, { "NULL", HNODE_NULL, 0, 0 },
		{ "true", HNODE_BOOL, 1, 0 }, { "True", HNODE_BOOL, 1, 0 },
		{ "TRUE", HNODE_BOOL, 1, 0 }, { "false", HNODE_BOOL, 0, 0 },
		{ "FALSE", HNODE_BOOL, 0, 0 }, { "tRUE", HNODE_STR, 0, 0 },
		{ "yes", HNODE_STR, 0, 0 }, { "no", HNODE_STR, 0, 0 },
		{ "on", HNODE_STR, 0, 0 }, { "off", HNODE_STR, 0, 0 },
		{ "y", HNODE_STR, 0, 0 }, { "nULL", HNODE_STR, 0, 0 },
		{ "0", HNODE_INT, 0, 0 }, { "-17", HNODE_INT, -17, 0 },
		{ "+5", HNODE_INT, 5, 0 }, { "010", HNODE_INT, 10, 0 },
		{ "0o17", HNODE_INT, 15, 0 }, { "0x1F", HNODE_INT, 31, 0 },
		{ "0x1f", HNODE_INT, 31, 0 }, { "0o8", HNODE_STR, 0, 0 },
		{ "-0x1F", HNODE_STR, 0, 0 }, { "0b101", HNODE_STR, 0, 0 },
		{ "1_000", HNODE_STR, 0, 0 }, { "1:30", HNODE_STR, 0, 0 },
		{ "9223372036854775807", HNODE_INT, INT64_MAX, 0 },
		{ "-9223372036854775808", HNODE_INT, INT64_MIN, 0 },
		{ "0x7FFFFFFFFFFFFFFF", HNODE_INT, INT64_MAX, 0 },
		{ "1.5", HNODE_FLOAT, 0, 1.5 }, { "-.5", HNODE_FLOAT, 0, -0.5 },
		{ "1.", HNODE_FLOAT, 0, 1.0 }, { "1e3", HNODE_FLOAT, 0, 1000 },
		{ "1E-2", HNODE_FLOAT, 0, 0.01 },
		{ "+1.5e+2", HNODE_FLOAT, 0, 150 },
		{ "1e9", HNODE_FLOAT, 0, 1e9 }, { ".", HNODE_STR, 0, 0 },
		{ "1e", HNODE_STR, 0, 0 }, { "e3", HNODE_STR, 0, 0 },
		{ "1.5.2", HNODE_STR, 0, 0 }, { "0x", HNODE_STR, 0, 0 },
		{ "infinity", HNODE_STR, 0, 0 }, { "nan", HNODE_STR, 0, 0 },
		{ "-.nan", HNODE_STR, 0, 0 }, { "hello world", HNODE_STR, 0, 0 },
	};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char doc[64];
		struct hnode *n, *v;

		snprintf(doc, sizeof(doc), "v: %s\n", cases[k].text);
		n = parse_str(doc);
		ASSERT(n);
		v = hnode_map_get(n, "v");
		if (!v || v->type != cases[k].type) {
			hnode_free(n);
			TEST_FAIL_("'%s' resolved to %s, want %s", cases[k].text,
				   v ? hnode_type_name(v->type) : "nothing",
				   hnode_type_name(cases[k].type));
		}
		if (v->type == HNODE_INT && v->u.i != cases[k].i)
			TEST_FAIL_("'%s' is %" PRId64, cases[k].text, v->u.i);
		if (v->type == HNODE_BOOL && v->u.b != cases[k].i)
			TEST_FAIL_("'%s' is %d", cases[k].text, v->u.b);
		if (v->type == HNODE_FLOAT && v->u.f != cases[k].f)
			TEST_FAIL_("'%s' is %g", cases[k].text, v->u.f);
		if (v->type == HNODE_STR)
			ASSERT_STR_EQ(cases[k].text, v->u.s.ptr);
		ASSERT_INT_EQ(0, v->flags & HNODE_F_QUOTED);
		hnode_free(n);
	}
}

static void test_core_yaml__special_floats_and_empty_values(void)
{
	struct hnode *n = parse_str("a: .inf\nb: -.Inf\nc: .NaN\nd:\ne: ''\n"
				    "f: [~, ]\n");

	ASSERT(n);
	ASSERT(isinf(hnode_map_get(n, "a")->u.f));
	ASSERT(hnode_map_get(n, "a")->u.f > 0);
	ASSERT(hnode_map_get(n, "b")->u.f < 0);
	ASSERT(isnan(hnode_map_get(n, "c")->u.f));
	ASSERT_INT_EQ(HNODE_NULL, hnode_map_get(n, "d")->type);
	ASSERT_INT_EQ(HNODE_STR, hnode_map_get(n, "e")->type);
	ASSERT_INT_EQ(0, hnode_map_get(n, "e")->u.s.len);
	ASSERT_INT_EQ(1, hnode_map_get(n, "f")->u.seq.len);
	ASSERT_INT_EQ(HNODE_NULL, hnode_map_get(n, "f")->u.seq.items[0]->type);
	hnode_free(n);
}

static void test_core_yaml__quoted_and_block_scalars_are_strings(void)
{
	struct hnode *n = parse_str("a: \"true\"\nb: '010'\nc: |\n  yes\n"
				    "d: >-\n  1.5\ne: \"\\t\\u00e9\\0x\"\n");
	struct hnode *v;

	ASSERT(n);
	v = hnode_map_get(n, "a");
	ASSERT_INT_EQ(HNODE_STR, v->type);
	ASSERT_STR_EQ("true", v->u.s.ptr);
	ASSERT(v->flags & HNODE_F_QUOTED);
	ASSERT_STR_EQ("010", hnode_map_get(n, "b")->u.s.ptr);
	ASSERT_STR_EQ("yes\n", hnode_map_get(n, "c")->u.s.ptr);
	ASSERT_INT_EQ(0, hnode_map_get(n, "c")->flags & HNODE_F_YAML11);
	ASSERT_STR_EQ("1.5", hnode_map_get(n, "d")->u.s.ptr);
	v = hnode_map_get(n, "e");
	ASSERT_INT_EQ(5, v->u.s.len);
	ASSERT(!memcmp("\t\xc3\xa9\0x", v->u.s.ptr, 5));
	hnode_free(n);
}

static void test_core_yaml__tags_are_checked(void)
{
	struct hnode *n = parse_str("a: !!int \"12\"\nb: !!str 12\n"
				    "c: !!float 1.5\nd: ! 12\n");

	ASSERT(n);
	ASSERT_INT_EQ(HNODE_INT, hnode_map_get(n, "a")->type);
	ASSERT_INT_EQ(12, hnode_map_get(n, "a")->u.i);
	ASSERT_INT_EQ(HNODE_STR, hnode_map_get(n, "b")->type);
	ASSERT_INT_EQ(HNODE_FLOAT, hnode_map_get(n, "c")->type);
	ASSERT_INT_EQ(HNODE_STR, hnode_map_get(n, "d")->type);
	hnode_free(n);

	ASSERT_FAILS("a: !!int abc\n", HELIOS_EINVAL, 1, 4,
		     "key 'a': value tagged !!int is a string");
	ASSERT_FAILS("x: 1\nb: !secret x\n", HELIOS_EINVAL, 2, 4,
		     "key 'b': unsupported tag '!secret'");
	ASSERT_FAILS("a: !!seq {}\n", HELIOS_EINVAL, 1, 4,
		     "key 'a': value tagged !!seq is a mapping");
}

static void test_core_yaml__out_of_range_numbers_are_refused(void)
{
	ASSERT_FAILS("a: 9223372036854775808\n", HELIOS_EINVAL, 1, 4,
		     "key 'a': integer '9223372036854775808' is out of range "
		     "for a 64-bit integer");
	ASSERT_FAILS("a:\n  - -9223372036854775809\n", HELIOS_EINVAL, 2, 5,
		     "key 'a[0]': integer '-9223372036854775809' is out of "
		     "range for a 64-bit integer");
	ASSERT_FAILS("0x8000000000000000\n", HELIOS_EINVAL, 1, 1,
		     "integer '0x8000000000000000' is out of range for a "
		     "64-bit integer");
	ASSERT_FAILS("a: {b: 1e400}\n", HELIOS_EINVAL, 1, 8,
		     "key 'a.b': float '1e400' is out of range for a 64-bit "
		     "double");
}

static void test_core_yaml__nodes_keep_their_positions(void)
{
	struct hnode *n = parse_str("# comment\n\ntop:\n  list:\n    - a\n"
				    "    - {x: 1, y: [2]}\n  s: 'q'\n");
	struct hnode *top, *list, *m;

	ASSERT(n);
	ASSERT_INT_EQ(3, n->line);
	ASSERT_INT_EQ(1, n->col);
	ASSERT_INT_EQ(3, n->u.map.items[0].line);
	top = hnode_map_get(n, "top");
	ASSERT_INT_EQ(4, top->line);
	ASSERT_INT_EQ(3, top->col);
	list = hnode_map_get(top, "list");
	ASSERT_INT_EQ(5, list->line);
	ASSERT_INT_EQ(5, list->col);
	ASSERT_INT_EQ(5, list->u.seq.items[0]->line);
	ASSERT_INT_EQ(7, list->u.seq.items[0]->col);
	m = list->u.seq.items[1];
	ASSERT_INT_EQ(6, m->line);
	ASSERT_INT_EQ(7, m->col);
	ASSERT_INT_EQ(6, m->u.map.items[1].line);
	ASSERT_INT_EQ(14, m->u.map.items[1].col);
	ASSERT_INT_EQ(17, hnode_map_get(m, "y")->col);
	ASSERT_INT_EQ(18, hnode_map_get(m, "y")->u.seq.items[0]->col);
	ASSERT_INT_EQ(7, hnode_map_get(top, "s")->line);
	ASSERT_INT_EQ(6, hnode_map_get(top, "s")->col);
	hnode_free(n);
}

static void test_core_yaml__yaml11_scalars_are_flagged_and_warned(void)
{
	const char *doc = "a: yes\nb: 010\nc: [1:30, 0b101, 1_000, Off]\n"
			  "on: \"yes\"\nd: 'no'\ne: 10\nf: N\n";
	static const struct {
		unsigned line, col;
		const char *msg;
	} want[] = {
		{ 1, 4, "key 'a': plain scalar 'yes' is a string in YAML 1.2 "
			"but a boolean in YAML 1.1; quote it" },
		{ 2, 4, "key 'b': plain scalar '010' is an integer in YAML 1.2 "
			"but an octal integer in YAML 1.1; quote it, or write "
			"it so both versions agree" },
		{ 3, 5, "key 'c[0]': plain scalar '1:30' is a string in YAML "
			"1.2 but a base-60 number in YAML 1.1; quote it" },
		{ 3, 11, "key 'c[1]': plain scalar '0b101' is a string in "
			 "YAML 1.2 but a binary integer in YAML 1.1; quote it" },
		{ 3, 18, "key 'c[2]': plain scalar '1_000' is a string in "
			 "YAML 1.2 but a number in YAML 1.1; quote it" },
		{ 3, 25, "key 'c[3]': plain scalar 'Off' is a string in YAML "
			 "1.2 but a boolean in YAML 1.1; quote it" },
		{ 4, 1, "key 'on' is a string in YAML 1.2 but a boolean in "
			"YAML 1.1; quote it" },
		{ 7, 4, "key 'f': plain scalar 'N' is a string in YAML 1.2 "
			"but a boolean in YAML 1.1; quote it" },
	};
	struct hyaml_warnings w = { 0 };
	struct helios_error err = { 0 };
	struct hnode *n;
	size_t i;

	ASSERT_INT_EQ(0, hyaml_parse(doc, strlen(doc), NULL, &n, &w, &err));
	ASSERT_INT_EQ(sizeof(want) / sizeof(want[0]), w.len);
	for (i = 0; i < w.len; i++) {
		ASSERT_INT_EQ(want[i].line, w.items[i].line);
		ASSERT_INT_EQ(want[i].col, w.items[i].col);
		ASSERT_STR_EQ(want[i].msg, w.items[i].msg);
	}
	ASSERT(hnode_map_get(n, "a")->flags & HNODE_F_YAML11);
	ASSERT_INT_EQ(10, hnode_map_get(n, "b")->u.i);
	ASSERT(hnode_map_get(n, "b")->flags & HNODE_F_YAML11);
	ASSERT_INT_EQ(0, hnode_map_get(n, "d")->flags & HNODE_F_YAML11);
	ASSERT_INT_EQ(0, hnode_map_get(n, "e")->flags & HNODE_F_YAML11);
	ASSERT_STR_EQ("yes", hnode_map_get(n, "on")->u.s.ptr);
	hyaml_warnings_release(&w);
	hnode_free(n);
}

static void test_core_yaml__size_limit_is_checked_before_parsing(void)
{
	struct hyaml_limits lim;
	struct hnode *n;
	char doc[] = "a: [1, 2]\n";

	hyaml_limits_default(&lim);
	ASSERT_INT_EQ(1 << 20, lim.max_bytes);
	ASSERT_INT_EQ(64, lim.max_depth);
	ASSERT_INT_EQ(100000, lim.max_nodes);

	lim.max_bytes = strlen(doc);
	ASSERT_INT_EQ(0, hyaml_parse(doc, strlen(doc), &lim, &n, NULL, NULL));
	hnode_free(n);
	lim.max_bytes = strlen(doc) - 1;
	ASSERT(parse_fails(doc, strlen(doc), &lim, HELIOS_ELIMIT, 0, 0,
			   "file is 10 bytes, limit is 9"));
	/* Even content that is not YAML at all is refused by size first. */
	ASSERT(parse_fails("\0\0\0\0", 4, &lim, HELIOS_EINVAL, 1, 1,
			   "file contains a NUL byte (at byte offset 0)"));
	lim.max_bytes = 3;
	ASSERT(parse_fails("\0\0\0\0", 4, &lim, HELIOS_ELIMIT, 0, 0,
			   "file is 4 bytes, limit is 3"));
}

static void test_core_yaml__deep_nesting_fails_fast(void)
{
	size_t depth = 100000, i;
	char *buf = malloc(2 * depth);
	double t0 = now();

	ASSERT(buf);
	for (i = 0; i < depth; i++) {
		buf[i] = '[';
		buf[depth + i] = ']';
	}
	if (!parse_fails(buf, 2 * depth, NULL, HELIOS_ELIMIT, 1, 65,
			 "nesting is deeper than 64 levels")) {
		free(buf);
		TEST_FAIL_("deep flow nesting");
	}
	free(buf);

	/* {a: {a: ... as well, with no closing brackets at all. */
	buf = malloc(4 * depth);
	ASSERT(buf);
	for (i = 0; i < depth; i++)
		memcpy(buf + 4 * i, "{a: ", 4);
	if (!parse_fails(buf, 4 * depth, NULL, HELIOS_ELIMIT, 1, 257,
			 "nesting is deeper than 64 levels")) {
		free(buf);
		TEST_FAIL_("deep flow mappings");
	}
	free(buf);
	ASSERT(now() - t0 < 2.0);
}

/* n nested block mappings "k:" each two spaces deeper, ending in "v". */
static char *block_nest(unsigned n)
{
	struct hbuf b;
	unsigned i;

	hbuf_init(&b, 1 << 20);
	for (i = 0; i < n; i++)
		hbuf_addf(&b, "%*sk:%s", (int)(2 * i), "",
			  i + 1 < n ? "\n" : " v\n");
	return hbuf_detach(&b, NULL);
}

static void test_core_yaml__depth_limit_boundary(void)
{
	struct hyaml_limits lim;
	struct hnode *n;
	char *doc;

	doc = block_nest(64);
	ASSERT_INT_EQ(0, hyaml_parse(doc, strlen(doc), NULL, &n, NULL, NULL));
	hnode_free(n);
	free(doc);

	doc = block_nest(65);
	ASSERT(parse_fails(doc, strlen(doc), NULL, HELIOS_ELIMIT, 65, 129,
			   "nesting is deeper than 64 levels"));
	free(doc);

	hyaml_limits_default(&lim);
	lim.max_depth = 2;
	ASSERT(parse_fails("a: [[1]]\n", 9, &lim, HELIOS_ELIMIT, 1, 5,
			   "nesting is deeper than 2 levels"));
	ASSERT_INT_EQ(0, hyaml_parse("a: [1]\n", 7, &lim, &n, NULL, NULL));
	hnode_free(n);
}

static void test_core_yaml__alias_bomb_fails_fast(void)
{
	struct hbuf b;
	double t0 = now();
	int i, j;

	/* Nine levels of nine-fold aliases: 9^9 nodes once expanded. */
	hbuf_init(&b, 1 << 20);
	hbuf_adds(&b, "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, "
		  "lol]\n");
	for (i = 1; i <= 9; i++) {
		hbuf_addf(&b, "a%d: &a%d [", i, i);
		for (j = 0; j < 9; j++)
			hbuf_addf(&b, "%s*a%d", j ? ", " : "", i - 1);
		hbuf_adds(&b, "]\n");
	}
	if (!parse_fails(b.ptr, b.len, NULL, HELIOS_ELIMIT, 6, 10,
			 "key 'a5[0]': alias expansion exceeds 100000 "
			 "nodes")) {
		hbuf_release(&b);
		TEST_FAIL_("alias bomb");
	}
	hbuf_release(&b);
	ASSERT(now() - t0 < 2.0);
}

static void test_core_yaml__aliases_are_copied(void)
{
	struct hnode *n = parse_str("base: &b {x: 1, y: [2, 3]}\n"
				    "copy: *b\n&k name: *b\nm: {*k : 4}\n"
				    "s: &s str\nt: *s\n");
	struct hnode *copy;

	ASSERT(n);
	copy = hnode_map_get(n, "copy");
	ASSERT(copy != hnode_map_get(n, "base"));
	ASSERT(hnode_equal(hnode_map_get(n, "base"), copy));
	ASSERT_INT_EQ(2, copy->line);
	ASSERT_INT_EQ(7, copy->col);
	ASSERT(hnode_equal(copy, hnode_map_get(n, "name")));
	ASSERT_INT_EQ(HNODE_MAP, hnode_map_get(n, "name")->type);
	ASSERT_INT_EQ(HNODE_STR, hnode_map_get(n, "t")->type);
	ASSERT_STR_EQ("str", hnode_map_get(n, "t")->u.s.ptr);
	ASSERT_INT_EQ(4, hnode_map_get(hnode_map_get(n, "m"), "name")->u.i);
	hnode_free(n);

	ASSERT_FAILS("a: *nope\n", HELIOS_EINVAL, 1, 4,
		     "key 'a': unknown alias '*nope'");
	ASSERT_FAILS("a: &x [1, *x]\n", HELIOS_EINVAL, 1, 11,
		     "key 'a[1]': alias '*x' refers to a node that contains "
		     "it; recursive aliases are not supported");
	ASSERT_FAILS("a: &m {k: v}\n*m : 1\n", HELIOS_EINVAL, 2, 1,
		     "mapping key must be a string, got alias '*m' of a "
		     "mapping");
	ASSERT_FAILS("&k key: 1\nb: 2\n*k : 3\n", HELIOS_EINVAL, 3, 1,
		     "duplicate key 'key' (first at line 1)");
}

static void test_core_yaml__alias_limits_count_copies(void)
{
	struct hyaml_limits lim;
	struct hnode *n;
	const char *doc = "a: &a [1, 2, 3]\nb: *a\n";

	/* a, 1, 2, 3 = 4 nodes; the copy adds 4, and the root 1: 9. */
	hyaml_limits_default(&lim);
	lim.max_nodes = 9;
	ASSERT_INT_EQ(0, hyaml_parse(doc, strlen(doc), &lim, &n, NULL, NULL));
	hnode_free(n);
	lim.max_nodes = 8;
	ASSERT(parse_fails(doc, strlen(doc), &lim, HELIOS_ELIMIT, 2, 4,
			   "key 'b': alias expansion exceeds 8 nodes"));
	lim.max_nodes = 4;
	ASSERT(parse_fails(doc, strlen(doc), &lim, HELIOS_ELIMIT, 1, 14,
			   "key 'a[2]': document has more than 4 nodes"));

	/* An alias may not carry a deep tree deeper than max_depth. */
	lim.max_nodes = 1000;
	lim.max_depth = 3;
	doc = "a: &a [[1]]\nb: {c: *a}\n";
	ASSERT(parse_fails(doc, strlen(doc), &lim, HELIOS_ELIMIT, 2, 8,
			   "key 'b.c': alias '*a' nests deeper than 3 "
			   "levels"));
}

static void test_core_yaml__huge_scalar_under_a_raised_limit(void)
{
	size_t big = (size_t)50 << 20;
	struct hyaml_limits lim;
	struct hnode *n = NULL;
	double t0 = now();
	char *buf = malloc(big + 5);

	ASSERT(buf);
	memcpy(buf, "a: ", 3);
	memset(buf + 3, 'x', big);
	memcpy(buf + 3 + big, "\n", 1);
	hyaml_limits_default(&lim);
	lim.max_bytes = (size_t)64 << 20;
	if (hyaml_parse(buf, big + 4, &lim, &n, NULL, NULL)) {
		free(buf);
		TEST_FAIL_("50 MiB scalar did not parse");
	}
	ASSERT_INT_EQ(big, hnode_map_get(n, "a")->u.s.len);
	hnode_free(n);
	ASSERT(now() - t0 < 30.0);

	/* Under the default limit it is refused without parsing. */
	t0 = now();
	if (!parse_fails(buf, big + 4, NULL, HELIOS_ELIMIT, 0, 0,
			 "file is 52428804 bytes, limit is 1048576")) {
		free(buf);
		TEST_FAIL_("50 MiB file under the default limit");
	}
	free(buf);
	ASSERT(now() - t0 < 0.1);
}

static void test_core_yaml__bad_bytes_are_refused(void)
{
	static const char nul[] = "a: 1\nb: x\0y\n";
	static const char utf8[] = "a: 1\nb: caf\xc3\xa9 \xff\n";
	static const char ctl[] = "a: \x01\n";

	ASSERT(parse_fails(nul, sizeof(nul) - 1, NULL, HELIOS_EINVAL, 2, 5,
			   "file contains a NUL byte (at byte offset 9)"));
	ASSERT(parse_fails(utf8, sizeof(utf8) - 1, NULL, HELIOS_EINVAL, 2, 9,
			   "invalid input: invalid leading UTF-8 octet (0xff "
			   "at byte offset 14)"));
	ASSERT(parse_fails("\xef\xbb\xbf" "a: \xc3\n", 7, NULL, HELIOS_EINVAL,
			   1, 4, "invalid input: incomplete UTF-8 octet "
			   "sequence (at byte offset 6)"));
	ASSERT(parse_fails(ctl, sizeof(ctl) - 1, NULL, HELIOS_EINVAL, 1, 4,
			   "invalid input: control characters are not "
			   "allowed (0x01 at byte offset 3)"));
	/* UTF-16 is not sniffed: the file must be UTF-8. */
	ASSERT(parse_fails("\xff\xfe" "a\0", 4, NULL, HELIOS_EINVAL, 1, 4,
			   "file contains a NUL byte (at byte offset 3)"));
}

static void test_core_yaml__bom_and_crlf_are_accepted(void)
{
	const char *doc = "\xef\xbb\xbf" "a: 1\r\nb:\r\n  c: two\r\n";
	struct hnode *n = parse_str(doc), *b;

	ASSERT(n);
	ASSERT_INT_EQ(1, n->u.map.items[0].line);
	ASSERT_INT_EQ(1, n->u.map.items[0].col);
	b = hnode_map_get(n, "b");
	ASSERT_INT_EQ(3, b->line);
	ASSERT_INT_EQ(3, b->col);
	ASSERT_STR_EQ("two", hnode_map_get(b, "c")->u.s.ptr);
	hnode_free(n);

	/* Tabs inside content are fine; tabs as indentation are not. */
	n = parse_str("a: x\ty\nb: \"\t\"\n");
	ASSERT(n);
	ASSERT_STR_EQ("x\ty", hnode_map_get(n, "a")->u.s.ptr);
	hnode_free(n);
	ASSERT_FAILS("a:\n\tb: 1\n", HELIOS_EINVAL, 2, 1,
		     "yaml syntax error: found character that cannot start "
		     "any token (while scanning for the next token at line 2, "
		     "column 1)");
}

static void test_core_yaml__syntax_errors_have_positions(void)
{
	ASSERT_FAILS("a: 1\n b: 2\n", HELIOS_EINVAL, 2, 3,
		     "yaml syntax error: mapping values are not allowed in "
		     "this context");
	ASSERT_FAILS("a: [1, 2\nb: 3\n", HELIOS_EINVAL, 2, 2,
		     "yaml syntax error: did not find expected ',' or ']' "
		     "(while parsing a flow sequence at line 1, column 4)");
	ASSERT_FAILS("a: \"open\n", HELIOS_EINVAL, 2, 1,
		     "yaml syntax error: found unexpected end of stream "
		     "(while scanning a quoted scalar at line 1, column 4)");
}

static void test_core_yaml__duplicate_keys_are_refused(void)
{
	struct hbuf b;
	int i;

	ASSERT_FAILS("a: 1\nb: 2\na: 3\n", HELIOS_EINVAL, 3, 1,
		     "duplicate key 'a' (first at line 1)");
	ASSERT_FAILS("x:\n  a: 1\n  'a': 2\n", HELIOS_EINVAL, 3, 3,
		     "duplicate key 'a' (first at line 2)");
	ASSERT_FAILS("{a: 1, \"a\": 2}", HELIOS_EINVAL, 1, 8,
		     "duplicate key 'a' (first at line 1)");

	/* Large mappings use a hash table; same answer. */
	hbuf_init(&b, 1 << 20);
	for (i = 0; i < 500; i++)
		hbuf_addf(&b, "k%d: %d\n", i, i);
	hbuf_adds(&b, "k321: again\n");
	if (!parse_fails(b.ptr, b.len, NULL, HELIOS_EINVAL, 501, 1,
			 "duplicate key 'k321' (first at line 322)")) {
		hbuf_release(&b);
		TEST_FAIL_("duplicate in a large mapping");
	}
	hbuf_release(&b);

	/* The same key in different mappings is fine. */
	{
		struct hnode *n = parse_str("a: {a: {a: 1}}\nb: {a: 2}\n");

		ASSERT(n);
		hnode_free(n);
	}
}

static void test_core_yaml__keys_must_be_strings(void)
{
	struct hnode *n;

	ASSERT_FAILS("a: 1\n1: x\n", HELIOS_EINVAL, 2, 1,
		     "mapping key must be a string, got integer '1' (quote "
		     "it to make it a string)");
	ASSERT_FAILS("true: x\n", HELIOS_EINVAL, 1, 1,
		     "mapping key must be a string, got boolean 'true' "
		     "(quote it to make it a string)");
	ASSERT_FAILS("~: x\n", HELIOS_EINVAL, 1, 1,
		     "mapping key must be a string, got null '~' (quote it "
		     "to make it a string)");
	ASSERT_FAILS("a:\n  1.5: x\n", HELIOS_EINVAL, 2, 3,
		     "key 'a': mapping key must be a string, got float "
		     "'1.5' (quote it to make it a string)");
	ASSERT_FAILS("? [a]\n: x\n", HELIOS_EINVAL, 1, 3,
		     "mapping key must be a string, got sequence");
	ASSERT_FAILS("{{a: 1}: x}", HELIOS_EINVAL, 1, 2,
		     "mapping key must be a string, got mapping");
	ASSERT_FAILS("?\n: x\n", HELIOS_EINVAL, 1, 2,
		     "mapping key must be a string, got null '' (quote it "
		     "to make it a string)");

	n = parse_str("'1': a\n\"true\": b\n!!str 2: c\n");
	ASSERT(n);
	ASSERT_STR_EQ("a", hnode_map_get(n, "1")->u.s.ptr);
	ASSERT_STR_EQ("b", hnode_map_get(n, "true")->u.s.ptr);
	ASSERT_STR_EQ("c", hnode_map_get(n, "2")->u.s.ptr);
	hnode_free(n);
}

static void test_core_yaml__one_document_per_file(void)
{
	struct hnode *n;

	ASSERT_FAILS("a: 1\n---\nb: 2\n", HELIOS_EINVAL, 2, 1,
		     "more than one document; a file holds exactly one");
	ASSERT_FAILS("--- 1\n--- 2\n", HELIOS_EINVAL, 2, 1,
		     "more than one document; a file holds exactly one");
	n = parse_str("---\na: 1\n...\n");
	ASSERT(n);
	ASSERT_INT_EQ(1, hnode_map_get(n, "a")->u.i);
	hnode_free(n);
}

static void test_core_yaml__empty_input_is_a_null_root(void)
{
	static const char *const docs[] = { "", "# only\n# comments\n",
					    "\n\n", "---\n", "~\n" };
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct hnode *n = parse_str(docs[i]);

		ASSERT(n);
		ASSERT_INT_EQ(HNODE_NULL, n->type);
		ASSERT(n->line >= 1);
		hnode_free(n);
	}
}

static char *emit_str(const struct hnode *n)
{
	struct hbuf b;

	hbuf_init(&b, 1 << 30);
	if (hyaml_emit(n, &b)) {
		hbuf_release(&b);
		return NULL;
	}
	return hbuf_detach(&b, NULL);
}

static void test_core_yaml__emit_layout_is_fixed(void)
{
	const char *in = "name: coder\nlevel: 2\nratio: 0.5\non: true\n"
			 "nothing: ~\nlist:\n- a\n- {b: 1, c: [x, y]}\n- []\n"
			 "- - 1\n  - 2\nmap: {}\ndeep: {k: {l: 'yes'}}\n";
	const char *want = "name: coder\nlevel: 2\nratio: 0.5\n"
			   "\"on\": true\nnothing: null\nlist:\n  - a\n"
			   "  - b: 1\n    c:\n      - x\n      - \"y\"\n  - []\n"
			   "  - - 1\n    - 2\nmap: {}\ndeep:\n  k:\n"
			   "    l: \"yes\"\n";
	struct hnode *n = parse_str(in);
	char *out;

	ASSERT(n);
	out = emit_str(n);
	hnode_free(n);
	ASSERT_STR_EQ(want, out);
	free(out);

	n = hnode_new(HNODE_SEQ);
	out = emit_str(n);
	ASSERT_STR_EQ("[]\n", out);
	free(out);
	hnode_free(n);
	out = emit_str(NULL);
	ASSERT_STR_EQ("null\n", out);
	free(out);
}

static void test_core_yaml__emit_quotes_what_would_not_read_back(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{ "plain text", 10, "plain text" },
		{ "yes", 3, "\"yes\"" }, { "No", 2, "\"No\"" },
		{ "010", 3, "\"010\"" }, { "true", 4, "\"true\"" },
		{ "1.5", 3, "\"1.5\"" }, { "null", 4, "\"null\"" },
		{ "~", 1, "\"~\"" }, { "", 0, "\"\"" },
		{ " lead", 5, "\" lead\"" }, { "trail ", 6, "\"trail \"" },
		{ "a: b", 4, "\"a: b\"" }, { "a #b", 4, "\"a #b\"" },
		{ "a#b", 3, "a#b" }, { "a:b", 3, "a:b" },
		{ "end:", 4, "\"end:\"" }, { "#x", 2, "\"#x\"" },
		{ "- x", 3, "\"- x\"" }, { "-x", 2, "-x" }, { "-", 1, "\"-\"" },
		{ "&a", 2, "\"&a\"" }, { "*a", 2, "\"*a\"" },
		{ "!a", 2, "\"!a\"" }, { "|", 1, "\"|\"" },
		{ "[x]", 3, "\"[x]\"" }, { "{x}", 3, "\"{x}\"" },
		{ "'q'", 3, "\"'q'\"" }, { "%p", 2, "\"%p\"" },
		{ "@a", 2, "\"@a\"" }, { "`a", 2, "\"`a\"" },
		{ "---", 3, "\"---\"" }, { "...x", 4, "\"...x\"" },
		{ "a\nb", 3, "\"a\\nb\"" }, { "t\tb", 3, "\"t\\tb\"" },
		{ "q\"b\\", 4, "q\"b\\" }, { "\"q", 2, "\"\\\"q\"" },
		{ "n\0l", 3, "\"n\\0l\"" },
		{ "\x7f", 1, "\"\\x7F\"" }, { "\x1b", 1, "\"\\e\"" },
		{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },
		{ "\xc2\x85", 2, "\"\\N\"" },
		{ "\xe2\x80\xa8", 3, "\"\\L\"" },
		{ "\xef\xbb\xbfx", 4, "\"\\uFEFFx\"" },
		{ "1:30", 4, "\"1:30\"" }, { "0x1F", 4, "\"0x1F\"" },
		{ "1e3", 3, "\"1e3\"" }, { ".inf", 4, "\".inf\"" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hnode *n = hnode_new_str(cases[i].in, cases[i].len);
		struct hnode *back;
		char *out = emit_str(n);
		char want[64];

		snprintf(want, sizeof(want), "%s\n", cases[i].out);
		if (!out || strcmp(out, want))
			TEST_FAIL_("string %zu emitted as %s", i, out);
		back = parse_str(out);
		free(out);
		if (!hnode_equal(n, back))
			TEST_FAIL_("string %zu did not read back", i);
		hnode_free(back);
		hnode_free(n);
	}
}

static void test_core_yaml__emit_floats_shortest_and_float_looking(void)
{
	static const struct {
		double v;
		const char *out;
	} cases[] = {
		{ 1.0, "1.0" }, { 0.1, "0.1" }, { 0.5, "0.5" },
		{ -2.0, "-2.0" }, { 100.0, "100.0" }, { 1e20, "1.0e+20" },
		{ 1.5e-7, "1.5e-07" }, { 1.0 / 3, "0.3333333333333333" },
		{ -0.0, "-0.0" }, { 0.0, "0.0" }, { 5e-324, "5.0e-324" },
		{ DBL_MAX, "1.7976931348623157e+308" },
		{ 1e9, "1000000000.0" }, { 1e16, "1.0e+16" },
		{ 1e15, "1000000000000000.0" }, { 1.25e-5, "0.0000125" },
		{ 1e-6, "1.0e-06" }, { 123.456, "123.456" },
		{ 123456789.0, "123456789.0" },
	};
	size_t i;
	struct hnode *n;
	char *out;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hnode *back;
		char want[64];

		n = hnode_new_float(cases[i].v);
		out = emit_str(n);
		snprintf(want, sizeof(want), "%s\n", cases[i].out);
		if (!out || strcmp(out, want))
			TEST_FAIL_("%.17g emitted as %s", cases[i].v, out);
		back = parse_str(out);
		free(out);
		if (!back || back->type != HNODE_FLOAT || !hnode_equal(n, back))
			TEST_FAIL_("%.17g did not read back", cases[i].v);
		hnode_free(back);
		hnode_free(n);
	}

	n = hnode_new_float(INFINITY);
	out = emit_str(n);
	ASSERT_STR_EQ(".inf\n", out);
	free(out);
	n->u.f = -INFINITY;
	out = emit_str(n);
	ASSERT_STR_EQ("-.inf\n", out);
	free(out);
	n->u.f = NAN;
	out = emit_str(n);
	ASSERT_STR_EQ(".nan\n", out);
	free(out);
	hnode_free(n);
}

static void test_core_yaml__emit_long_keys_explicitly(void)
{
	struct hnode *root = hnode_new(HNODE_MAP), *back, *seq;
	char key[3000];
	char *out;

	memset(key, 'k', sizeof(key));
	ASSERT_INT_EQ(0, hnode_map_set(root, key, sizeof(key),
				       hnode_new_int(1)));
	seq = hnode_new(HNODE_SEQ);
	ASSERT_INT_EQ(0, hnode_seq_push(seq, hnode_new_str("v", 1)));
	ASSERT_INT_EQ(0, hnode_map_set(root, key, 1200, seq));
	out = emit_str(root);
	ASSERT(out);
	ASSERT(!strncmp(out, "? kkk", 5));
	back = parse_str(out);
	free(out);
	ASSERT(hnode_equal(root, back));
	hnode_free(back);
	hnode_free(root);
}

/* A small deterministic generator for the round-trip property. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void random_text(struct hbuf *b)
{
	static const char *const bits[] = {
		"a", "b", "Z", "9", "0", " ", ":", ": ", "#", " #", "-", "- ",
		"?", "\n", "\t", "\"", "'", "\\", "\xc3\xa9", "\xe2\x80\xa8",
		"\x01", "\x7f", "\xc2\x85", "yes", "010", "1.5", "null",
		"true", "~", "0x1F", "1_0", "---", "...", "[", "]", "{", "}",
		"&", "*", "!", "|", ">", "%", "@", "`", ",", "\xef\xbb\xbf",
		"\xf0\x9f\x99\x82", "1e3", ".inf", "On", "\r", "\r\n",
	};
	size_t n = rng() % 6, i;

	for (i = 0; i < n; i++) {
		const char *s = bits[rng() % (sizeof(bits) / sizeof(bits[0]))];

		hbuf_adds(b, s);
	}
	if (rng() % 16 == 0)
		hbuf_add(b, "\0", 1);
}

static struct hnode *random_tree(int depth)
{
	unsigned kind = (unsigned)(rng() % (depth >= 5 ? 5 : 8));
	struct hnode *n = NULL;
	struct hbuf b;
	size_t i, len;
	double f;
	uint64_t bits;

	switch (kind) {
	case 0:
		return hnode_new(HNODE_NULL);
	case 1:
		return hnode_new_bool((int)(rng() & 1));
	case 2:
		return hnode_new_int((int64_t)rng() >> (rng() % 64));
	case 3:
		if (rng() & 1) {
			bits = rng();
			memcpy(&f, &bits, sizeof(f));
		} else {
			f = (double)(int64_t)(rng() % 2000001 - 1000000) /
			    (double)(1 + rng() % 1000);
		}
		return hnode_new_float(f);
	case 4:
		hbuf_init(&b, 1 << 20);
		random_text(&b);
		n = hnode_new_str(hbuf_str(&b), b.len);
		hbuf_release(&b);
		return n;
	case 5:
	case 6:
		n = hnode_new(HNODE_MAP);
		len = rng() % 5;
		for (i = 0; i < len; i++) {
			hbuf_init(&b, 1 << 20);
			random_text(&b);
			hbuf_addf(&b, "%zu", i);	/* keys stay distinct */
			hnode_map_set(n, b.ptr, b.len, random_tree(depth + 1));
			hbuf_release(&b);
		}
		return n;
	default:
		n = hnode_new(HNODE_SEQ);
		len = rng() % 5;
		for (i = 0; i < len; i++)
			hnode_seq_push(n, random_tree(depth + 1));
		return n;
	}
}

static void test_core_yaml__round_trip_property_on_many_trees(void)
{
	int i;

	for (i = 0; i < 3000; i++) {
		struct hnode *t = random_tree(0), *back = NULL;
		struct helios_error err = { 0 };
		char *out = emit_str(t), *again;

		ASSERT(out);
		if (hyaml_parse(out, strlen(out), NULL, &back, NULL, &err) ||
		    !hnode_equal(t, back)) {
			fprintf(stderr, "  tree %d: %s\n--- emitted\n%s", i,
				err.msg, out);
			free(out);
			hnode_free(t);
			hnode_free(back);
			TEST_FAIL_("round trip failed");
		}
		again = emit_str(back);
		if (strcmp(out, again))
			TEST_FAIL_("emit is not stable for tree %d", i);
		free(again);
		free(out);
		hnode_free(back);
		hnode_free(t);
	}
}

static void test_core_yaml__clone_equal_and_lookup(void)
{
	struct hnode *n = parse_str("a: [1, 2.5, x, {b: null}]\nc: true\n");
	struct hnode *c;

	ASSERT(n);
	c = hnode_clone(n);
	ASSERT(c && c != n);
	ASSERT(hnode_equal(n, c));
	ASSERT_INT_EQ(2, c->u.map.items[1].line);
	hnode_map_get(c, "c")->u.b = 0;
	ASSERT(!hnode_equal(n, c));
	ASSERT(hnode_map_get(n, "missing") == NULL);
	ASSERT(hnode_map_get(hnode_map_get(n, "c"), "x") == NULL);
	ASSERT_STR_EQ("mapping", hnode_type_name(HNODE_MAP));
	ASSERT_STR_EQ("float", hnode_type_name(HNODE_FLOAT));
	ASSERT_STR_EQ("boolean", hnode_type_name(HNODE_BOOL));
	hnode_free(c);
	hnode_free(n);

	/* 1 and 1.0 differ by type; -0.0 and 0.0 by sign; NaNs match. */
	{
		struct hnode *i1 = hnode_new_int(1), *f1 = hnode_new_float(1);
		struct hnode *z = hnode_new_float(0.0);
		struct hnode *nz = hnode_new_float(-0.0);
		struct hnode *n1 = hnode_new_float(NAN);
		struct hnode *n2 = hnode_new_float(-NAN);

		ASSERT(!hnode_equal(i1, f1));
		ASSERT(!hnode_equal(z, nz));
		ASSERT(hnode_equal(n1, n2));
		hnode_free(i1);
		hnode_free(f1);
		hnode_free(z);
		hnode_free(nz);
		hnode_free(n1);
		hnode_free(n2);
	}
}

static void test_core_yaml__data_files_parse(void)
{
	const char *dir = getenv("HELIOS_TEST_DATA");
	char path[4096];
	struct hnode *n;
	FILE *f;
	char buf[8192];
	size_t len;

	ASSERT(dir);
	snprintf(path, sizeof(path), "%s/yaml/persona-full.yaml", dir);
	f = fopen(path, "rb");
	ASSERT(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	ASSERT_INT_EQ(0, hyaml_parse(buf, len, NULL, &n, NULL, NULL));
	ASSERT_INT_EQ(3, hnode_map_get(n, "specialization_level")->u.i);
	ASSERT_STR_EQ("concise",
		      hnode_map_get(hnode_map_get(n, "behaviors"),
				    "style")->u.s.ptr);
	hnode_free(n);
}

int main(void)
{
	TEST_RUN(test_core_yaml__plain_scalars_follow_the_core_schema);
	TEST_RUN(test_core_yaml__special_floats_and_empty_values);
	TEST_RUN(test_core_yaml__quoted_and_block_scalars_are_strings);
	TEST_RUN(test_core_yaml__tags_are_checked);
	TEST_RUN(test_core_yaml__out_of_range_numbers_are_refused);
	TEST_RUN(test_core_yaml__nodes_keep_their_positions);
	TEST_RUN(test_core_yaml__yaml11_scalars_are_flagged_and_warned);
	TEST_RUN(test_core_yaml__size_limit_is_checked_before_parsing);
	TEST_RUN(test_core_yaml__deep_nesting_fails_fast);
	TEST_RUN(test_core_yaml__depth_limit_boundary);
	TEST_RUN(test_core_yaml__alias_bomb_fails_fast);
	TEST_RUN(test_core_yaml__aliases_are_copied);
	TEST_RUN(test_core_yaml__alias_limits_count_copies);
	TEST_RUN(test_core_yaml__huge_scalar_under_a_raised_limit);
	TEST_RUN(test_core_yaml__bad_bytes_are_refused);
	TEST_RUN(test_core_yaml__bom_and_crlf_are_accepted);
	TEST_RUN(test_core_yaml__syntax_errors_have_positions);
	TEST_RUN(test_core_yaml__duplicate_keys_are_refused);
	TEST_RUN(test_core_yaml__keys_must_be_strings);
	TEST_RUN(test_core_yaml__one_document_per_file);
	TEST_RUN(test_core_yaml__empty_input_is_a_null_root);
	TEST_RUN(test_core_yaml__emit_layout_is_fixed);
	TEST_RUN(test_core_yaml__emit_quotes_what_would_not_read_back);
	TEST_RUN(test_core_yaml__emit_floats_shortest_and_float_looking);
	TEST_RUN(test_core_yaml__emit_long_keys_explicitly);
	TEST_RUN(test_core_yaml__round_trip_property_on_many_trees);
	TEST_RUN(test_core_yaml__clone_equal_and_lookup);
	TEST_RUN(test_core_yaml__data_files_parse);
	return test_summary();
}
