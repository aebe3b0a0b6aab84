/*
 * store_atomic.c - atomic replacement of a file (core/src/atomic.c):
 * the temporary file sits beside the target, the mode is kept, and any
 * failure leaves the target as it was with no temporary file behind.
 */
#include "store_util.h"

#include <signal.h>
#include <sys/resource.h>

#include "../../../core/src/atomic_i.h"

static char dir[512];

static const char *target(const char *name)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static ino_t inode_of(const char *path)
{
	struct stat sb;

	return stat(path, &sb) < 0 ? 0 : sb.st_ino;
}

static void test_atomic__new_file_gets_default_mode(void)
{
	struct helios_error err = { 0 };

	ASSERT_INT_EQ(0, atomic_write_file(target("new.yaml"), "a: 1\n", 5,
					   0600, &err));
	ASSERT_STR_EQ("a: 1\n", slurp(dir, "new.yaml"));
	ASSERT_INT_EQ(0600, file_mode(dir, "new.yaml"));
	ASSERT_INT_EQ(0, atomic_write_file(target("new2.yaml"), "", 0, 0640,
					   &err));
	ASSERT_INT_EQ(0640, file_mode(dir, "new2.yaml"));
	ASSERT_STR_EQ("new.yaml\nnew2.yaml", sh("ls -A '%s'", dir));
}

static void test_atomic__replaces_and_keeps_mode(void)
{
	struct helios_error err = { 0 };
	ino_t before;

	ASSERT_INT_EQ(0, spit(dir, "keep.yaml", "old\n"));
	ASSERT_INT_EQ(0, chmod(target("keep.yaml"), 0754));
	before = inode_of(target("keep.yaml"));
	ASSERT_INT_EQ(0, atomic_write_file(target("keep.yaml"), "new\n", 4,
					   0600, &err));
	ASSERT_STR_EQ("new\n", slurp(dir, "keep.yaml"));
	ASSERT_INT_EQ(0754, file_mode(dir, "keep.yaml"));
	/* replaced by rename, not rewritten in place */
	ASSERT(inode_of(target("keep.yaml")) != before);
}

static void test_atomic__temp_file_beside_target_until_commit(void)
{
	struct helios_error err = { 0 };
	struct atomic_file af;

	ASSERT_INT_EQ(0, spit(dir, "live.yaml", "old\n"));
	ASSERT_INT_EQ(0, atomic_begin(&af, target("live.yaml"), 0600, &err));
	ASSERT_CONTAINS("/.helios-tmp-live.yaml-", af.tmp_path);
	ASSERT_INT_EQ(0, strncmp(af.tmp_path, dir, strlen(dir)));
	atomic_write(&af, "new", 3);
	atomic_write(&af, "er\n", 3);
	/* readers still see the old content */
	ASSERT_STR_EQ("old\n", slurp(dir, "live.yaml"));
	ASSERT_INT_EQ(0, atomic_commit(&af, &err));
	ASSERT_STR_EQ("newer\n", slurp(dir, "live.yaml"));
	ASSERT_STR_EQ("", sh("ls -A '%s' | grep helios-tmp", dir));
}

static void test_atomic__abort_leaves_target(void)
{
	struct helios_error err = { 0 };
	struct atomic_file af;

	ASSERT_INT_EQ(0, spit(dir, "abort.yaml", "old\n"));
	ASSERT_INT_EQ(0, atomic_begin(&af, target("abort.yaml"), 0600, &err));
	atomic_write(&af, "new\n", 4);
	errno = EXDEV;
	atomic_abort(&af);
	ASSERT_INT_EQ(EXDEV, errno);
	ASSERT_STR_EQ("old\n", slurp(dir, "abort.yaml"));
	ASSERT_STR_EQ("", sh("ls -A '%s' | grep helios-tmp", dir));
}

static void test_atomic__missing_directory_fails_cleanly(void)
{
	struct helios_error err = { 0 };

	ASSERT_INT_EQ(HELIOS_EIO, atomic_write_file(target("no/such.yaml"),
						    "x", 1, 0600, &err));
	ASSERT_INT_EQ(ENOENT, errno);
	ASSERT_INT_EQ(ENOENT, err.sys_errno);
	ASSERT_CONTAINS("cannot create temporary file", err.msg);
}

static void test_atomic__write_error_keeps_target(void)
{
	struct helios_error err = { 0 };
	struct rlimit old, small = { 16, 16 };
	char big[4096];
	int rc, saved;

	memset(big, 'x', sizeof(big));
	ASSERT_INT_EQ(0, spit(dir, "full.yaml", "old\n"));
	/* a file size limit makes write(2) fail with EFBIG part way */
	signal(SIGXFSZ, SIG_IGN);
	ASSERT_INT_EQ(0, getrlimit(RLIMIT_FSIZE, &old));
	small.rlim_max = old.rlim_max;
	ASSERT_INT_EQ(0, setrlimit(RLIMIT_FSIZE, &small));
	rc = atomic_write_file(target("full.yaml"), big, sizeof(big), 0600,
			       &err);
	saved = errno;
	setrlimit(RLIMIT_FSIZE, &old);
	ASSERT_INT_EQ(HELIOS_EIO, rc);
	ASSERT_INT_EQ(EFBIG, saved);
	ASSERT_INT_EQ(EFBIG, err.sys_errno);
	ASSERT_STR_EQ("old\n", slurp(dir, "full.yaml"));
	ASSERT_STR_EQ("", sh("ls -A '%s' | grep helios-tmp", dir));
}

int main(void)
{
	store_test_setup();
	snprintf(dir, sizeof(dir), "%s", tmp_store_path("atomic"));
	if (mkdir(dir, 0700) < 0) {
		perror(dir);
		return 2;
	}
	TEST_RUN(test_atomic__new_file_gets_default_mode);
	TEST_RUN(test_atomic__replaces_and_keeps_mode);
	TEST_RUN(test_atomic__temp_file_beside_target_until_commit);
	TEST_RUN(test_atomic__abort_leaves_target);
	TEST_RUN(test_atomic__missing_directory_fails_cleanly);
	TEST_RUN(test_atomic__write_error_keeps_target);
	return store_test_teardown();
}
