/*
 * store_gitlock.c - a lock file that a killed writer left in .git
 * (found by killing helios-fs with SIGKILL right after an rm: every later
 * save failed with "failed to lock file '.../refs/heads/main.lock'") is
 * cleared by the next commit, while one a live process holds open is
 * respected.
 */
#include "store_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#define CODER "personas/coder.yaml"

static int write_coder(struct store *st, const char *text,
		       struct helios_error *err)
{
	return store_write(st, CODER, text, strlen(text), "test", NULL, err);
}

static void test_store_gitlock__stale_ref_lock_is_cleared(void)
{
	struct helios_error err = { 0 };
	const char *dir = tmp_store_path("stale");
	struct store *st = open_store(dir, NULL);
	int rc;

	ASSERT(st);
	/* exactly what the killed writer left: an empty ref lock file */
	ASSERT_INT_EQ(0, spit(dir, ".git/refs/heads/main.lock", ""));
	ASSERT_INT_EQ(0, spit(dir, ".git/index.lock", ""));
	rc = write_coder(st, persona_ok, &err);
	if (rc)
		fprintf(stderr, "  store_write: %s\n", err.msg);
	ASSERT_INT_EQ(0, rc);
	ASSERT_INT_EQ(2, commit_count(dir));
	ASSERT_INT_EQ(0, sh_status("test ! -e '%s/.git/refs/heads/main.lock'",
				   dir));
	ASSERT_INT_EQ(0, sh_status("test ! -e '%s/.git/index.lock'", dir));
	ASSERT_STR_EQ("", sh("git -C '%s' status --porcelain", dir));
	store_free(st);
}

static void test_store_gitlock__lock_held_open_is_respected(void)
{
	struct helios_error err = { 0 };
	const char *dir = tmp_store_path("held");
	struct store *st = open_store(dir, NULL);
	char lock[600];
	int pipefd[2], status;
	pid_t child;
	char c;

	ASSERT(st);
	snprintf(lock, sizeof(lock), "%s/.git/refs/heads/main.lock", dir);
	ASSERT_INT_EQ(0, pipe(pipefd));
	child = fork();
	ASSERT(child >= 0);
	if (child == 0) {
		/* a live git process in the middle of its own ref update */
		int fd = open(lock, O_CREAT | O_EXCL | O_WRONLY, 0644);

		(void)!write(pipefd[1], fd >= 0 ? "y" : "n", 1);
		pause();
		_exit(0);
	}
	ASSERT_INT_EQ(1, read(pipefd[0], &c, 1));
	ASSERT_INT_EQ('y', c);

	ASSERT(write_coder(st, persona_ok, &err) != 0);
	ASSERT_INT_EQ(1, commit_count(dir));
	ASSERT_INT_EQ(0, sh_status("test -e '%s'", lock));

	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	close(pipefd[0]);
	close(pipefd[1]);
	/* its owner is dead now: the next save clears it and commits */
	ASSERT_INT_EQ(0, write_coder(st, persona_ok, &err));
	ASSERT_INT_EQ(2, commit_count(dir));
	store_free(st);
}

int main(void)
{
	store_test_setup();
	TEST_RUN(test_store_gitlock__stale_ref_lock_is_cleared);
	TEST_RUN(test_store_gitlock__lock_held_open_is_respected);
	return store_test_teardown();
}
