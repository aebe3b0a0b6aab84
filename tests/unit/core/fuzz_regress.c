/*
 * fuzz_regress.c - replay the inputs of past fuzzing findings under the
 * normal and the sanitizer build, without clang or libFuzzer.
 *
 * tests/data/fuzz-regress/yaml_validate/: parsing and validation must not
 * crash or leak, a parsed tree must survive emit + parse unchanged, and
 * validation must agree with itself.  A file named ok-* must parse; a
 * file named bad-* must be refused by the parser.
 *
 * tests/data/fuzz-regress/yaml_edit/: each file goes through the fuzz
 * target itself (fuzz/yaml_edit.c is compiled in), which aborts when the
 * editor misbehaves.
 */
#include "helios/validate.h"
#include "helios/yaml.h"

#include <dirent.h>
#include <errno.h>

#include "test.h"

#define LLVMFuzzerTestOneInput fuzz_yaml_edit_one
#include "../../../fuzz/yaml_edit.c"
#undef LLVMFuzzerTestOneInput

static int read_file(const char *path, struct hbuf *out)
{
	char chunk[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (hbuf_add(out, chunk, n)) {
			fclose(f);
			return -1;
		}
	fclose(f);
	return 0;
}

/* The round trip; 0 when it holds, else a reason. */
static const char *round_trip(const struct hnode *tree)
{
	struct helios_error err = { 0 };
	struct hnode *again = NULL;
	struct hbuf a, b;
	const char *why = NULL;

	hbuf_init(&a, HBUF_MAX_DEFAULT);
	hbuf_init(&b, HBUF_MAX_DEFAULT);
	if (hyaml_emit(tree, &a))
		goto out;	/* a limit; the fuzzer does not count it */
	if (hyaml_parse(a.ptr, a.len, NULL, &again, NULL, &err)) {
		why = "the emitted YAML does not parse";
		goto out;
	}
	if (!hnode_equal(tree, again))
		why = "emit + parse changed the tree";
	else if (hyaml_emit(again, &b) || a.len != b.len ||
		 memcmp(a.ptr, b.ptr, a.len))
		why = "emitting again gave other bytes";
	hnode_free(again);
out:
	hbuf_release(&b);
	hbuf_release(&a);
	return why;
}

/* Validation's return code agrees with its error count. */
static const char *validate_consistent(enum hdoc_kind kind,
				       const struct hbuf *in)
{
	struct hdiag_list d;
	struct hnode *doc = NULL;
	const char *why = NULL;
	int rc;

	hdiag_list_init(&d);
	rc = hdoc_validate(kind, "regress.yaml", in->ptr, in->len, NULL, &d,
			   &doc);
	if (rc == 0 && (d.errors || !doc))
		why = "valid, yet errors were reported or no tree returned";
	if (rc != 0 && !d.errors)
		why = "refused without a diagnostic";
	hnode_free(doc);
	hdiag_list_release(&d);
	return why;
}

static const char *replay(const char *name, const struct hbuf *in)
{
	struct hyaml_warnings w = { 0 };
	struct helios_error err = { 0 };
	struct hnode *tree = NULL;
	const char *why = NULL;
	int rc;

	rc = hyaml_parse(in->ptr, in->len, NULL, &tree, &w, &err);
	hyaml_warnings_release(&w);
	if (!strncmp(name, "ok-", 3) && rc)
		why = "expected to parse";
	else if (!strncmp(name, "bad-", 4) && !rc)
		why = "expected a parse error";
	else if (!rc)
		why = round_trip(tree);
	hnode_free(tree);
	if (!why)
		why = validate_consistent(HDOC_BASE, in);
	if (!why)
		why = validate_consistent(HDOC_PERSONA, in);
	return why;
}

typedef const char *(*replay_fn)(const char *name, const struct hbuf *in);

static const char *replay_edit(const char *name, const struct hbuf *in)
{
	(void)name;
	fuzz_yaml_edit_one((const uint8_t *)in->ptr, in->len);
	return NULL;
}

/* Replay every file of fuzz-regress/<target>; the number that failed. */
static size_t replay_dir(const char *target, replay_fn fn, size_t *files)
{
	const char *data = getenv("HELIOS_TEST_DATA");
	char dir[4096], path[8192];
	struct dirent *de;
	size_t bad = 0;
	DIR *d;

	*files = 0;
	snprintf(dir, sizeof(dir), "%s/fuzz-regress/%s", data ? data : ".",
		 target);
	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "  cannot open %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((de = readdir(d))) {
		struct hbuf in;
		const char *why;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		hbuf_init(&in, HBUF_MAX_DEFAULT);
		if (read_file(path, &in)) {
			fprintf(stderr, "  cannot read %s\n", path);
			bad++;
		} else if ((why = fn(de->d_name, &in))) {
			fprintf(stderr, "  %s: %s\n", de->d_name, why);
			bad++;
		}
		hbuf_release(&in);
		(*files)++;
	}
	closedir(d);
	return bad;
}

static void test_core_fuzz_regress__yaml_inputs_replay_cleanly(void)
{
	size_t files, bad = replay_dir("yaml_validate", replay, &files);

	ASSERT(files > 0);
	ASSERT_INT_EQ(0, bad);
}

static void test_core_fuzz_regress__yaml_edit_inputs_replay_cleanly(void)
{
	size_t files, bad = replay_dir("yaml_edit", replay_edit, &files);

	ASSERT(files > 0);
	ASSERT_INT_EQ(0, bad);
}

int main(void)
{
	TEST_RUN(test_core_fuzz_regress__yaml_inputs_replay_cleanly);
	TEST_RUN(test_core_fuzz_regress__yaml_edit_inputs_replay_cleanly);
	return test_summary();
}
