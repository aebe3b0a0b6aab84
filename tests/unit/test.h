/*
 * test.h - the small unit-test harness used by tests/unit.
 *
 * A test file defines cases as `static void test_x__y(void)` and lists
 * them in main() with TEST_RUN(test_x__y).  Assertions print the file,
 * line and the values that differed, mark the case failed and return
 * from it.  main() ends with `return test_summary();`, which prints
 * "N passed, N failed" and exits non-zero on any failure.
 */
#ifndef HELIOS_TEST_H
#define HELIOS_TEST_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failed_now;
static int test_passed_count;
static int test_failed_count;

#define TEST_FAIL_(...)							\
	do {								\
		fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		test_failed_now = 1;					\
		return;							\
	} while (0)

#define ASSERT(cond)							\
	do {								\
		if (!(cond))						\
			TEST_FAIL_("assertion failed: %s", #cond);	\
	} while (0)

#define ASSERT_INT_EQ(want, got)					\
	do {								\
		long long w_ = (long long)(want), g_ = (long long)(got); \
		if (w_ != g_)						\
			TEST_FAIL_("%s: want %lld, got %lld", #got, w_, g_); \
	} while (0)

#define ASSERT_DBL_EQ(want, got)					\
	do {								\
		double w_ = (want), g_ = (got);				\
		if (!(fabs(w_ - g_) <= 1e-12 * (fabs(w_) + 1)))		\
			TEST_FAIL_("%s: want %.17g, got %.17g", #got, w_, g_); \
	} while (0)

#define ASSERT_STR_EQ(want, got)					\
	do {								\
		const char *w_ = (want), *g_ = (got);			\
		if (!g_ || strcmp(w_, g_) != 0)				\
			TEST_FAIL_("%s:\n--- want\n%s\n--- got\n%s", #got, \
				   w_, g_ ? g_ : "(null)");		\
	} while (0)

#define ASSERT_CONTAINS(needle, hay)					\
	do {								\
		const char *n_ = (needle), *h_ = (hay);			\
		if (!h_ || !strstr(h_, n_))				\
			TEST_FAIL_("%s: '%s' not found in '%s'", #hay, n_, \
				   h_ ? h_ : "(null)");			\
	} while (0)

#define TEST_RUN(fn)							\
	do {								\
		test_failed_now = 0;					\
		fn();							\
		if (test_failed_now) {					\
			test_failed_count++;				\
			fprintf(stderr, "FAIL %s\n", #fn);		\
		} else {						\
			test_passed_count++;				\
			fprintf(stderr, "ok   %s\n", #fn);		\
		}							\
	} while (0)

static inline int test_summary(void)
{
	printf("%d passed, %d failed\n", test_passed_count,
	       test_failed_count);
	return test_failed_count ? 1 : 0;
}

#endif
