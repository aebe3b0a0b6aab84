/*
 * store_lock.c - writers in other processes and other threads are
 * serialised, and a holder that dies releases the lock.
 *
 * The child processes take the lock through the lock module itself
 * (core/src/store_lock_i.h), exactly as another Helios process's store
 * would, and report over a pipe once they hold it.
 */
#include "store_util.h"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "../../../core/src/store_lock_i.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Fork a child that takes the store's lock, writes one byte to the
 * returned pipe, then holds the lock for hold_ms (or forever when < 0)
 * and exits.
 */
static pid_t spawn_holder(const char *dir, int hold_ms, int *ready_fd)
{
	char state[512];
	int fds[2];
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		struct store_lock l;

		close(fds[0]);
		snprintf(state, sizeof(state), "%s/%s", dir,
			 STORE_RUNTIME_DIR);
		if (store_lock_init(&l, state, NULL) ||
		    store_lock_acquire(&l, NULL))
			_exit(3);
		if (write(fds[1], "L", 1) != 1)
			_exit(4);
		if (hold_ms < 0)
			for (;;)
				pause();
		usleep((useconds_t)hold_ms * 1000);
		_exit(0);
	}
	close(fds[1]);
	*ready_fd = fds[0];
	return pid;
}

static int wait_ready(int fd)
{
	char c;
	int ok = read(fd, &c, 1) == 1 && c == 'L';

	close(fd);
	return ok;
}

static void test_store_lock__holder_process_blocks_writer(void)
{
	struct store *st = open_store(tmp_store_path("blocked"), NULL);
	const char *v = "specialization_level: 2\nbehaviors: {}\n";
	double t0, waited;
	int fd, status, ready, rc;
	pid_t pid;

	ASSERT(st);
	pid = spawn_holder(store_dir(st), 700, &fd);
	ASSERT(pid > 0);
	ready = wait_ready(fd);
	t0 = now();
	rc = store_write(st, "personas/a.yaml", v, strlen(v), "test", NULL,
			 NULL);
	waited = now() - t0;
	ASSERT_INT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT(ready);
	ASSERT_INT_EQ(0, rc);
	ASSERT(waited >= 0.5);
	ASSERT_INT_EQ(0, WEXITSTATUS(status));
	ASSERT_INT_EQ(2, commit_count(store_dir(st)));
	store_free(st);
}

struct writer {
	struct store *st;
	const char *path;
	int rounds;
	volatile int done;
	int rc;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	char text[128];
	int i;

	for (i = 0; i < w->rounds && !w->rc; i++) {
		snprintf(text, sizeof(text),
			 "specialization_level: %d\nbehaviors: {}\n", i + 1);
		w->rc = store_write(w->st, w->path, text, strlen(text),
				    "test", NULL, NULL);
	}
	w->done = 1;
	return NULL;
}

static void test_store_lock__killed_holder_releases(void)
{
	struct store *st = open_store(tmp_store_path("killed"), NULL);
	struct writer w = { .path = "personas/k.yaml", .rounds = 1 };
	int fd, status, ready, blocked, started;
	pthread_t th;
	pid_t pid;

	ASSERT(st);
	w.st = st;
	pid = spawn_holder(store_dir(st), -1, &fd);
	ASSERT(pid > 0);
	ready = wait_ready(fd);
	started = ready && pthread_create(&th, NULL, writer_main, &w) == 0;
	usleep(300 * 1000);
	blocked = !w.done;	/* still waiting for the child */

	/* kill before asserting, so no holder outlives a failed test */
	kill(pid, SIGKILL);
	ASSERT_INT_EQ(pid, waitpid(pid, &status, 0));
	if (started)
		pthread_join(th, NULL);
	ASSERT(ready && started);
	ASSERT(blocked);
	ASSERT(WIFSIGNALED(status));
	ASSERT_INT_EQ(0, w.rc);
	ASSERT_INT_EQ(2, commit_count(store_dir(st)));
	store_free(st);
}

static void test_store_lock__threads_and_processes_serialise(void)
{
	struct store *st = open_store(tmp_store_path("threads"), NULL);
	struct writer w[3] = {
		{ .path = "personas/t1.yaml", .rounds = 8 },
		{ .path = "personas/t2.yaml", .rounds = 8 },
		{ .path = "personas/t3.yaml", .rounds = 8 },
	};
	pthread_t th[3];
	int i, status, started[3];
	pid_t pid;

	ASSERT(st);
	/* a second process with its own store writes at the same time */
	pid = fork();
	if (pid == 0) {
		struct store *other = NULL;
		struct writer ow = { .path = "personas/p.yaml", .rounds = 8 };

		if (store_open(store_dir(st), 0, &other, NULL, NULL))
			_exit(3);
		ow.st = other;
		writer_main(&ow);
		store_free(other);
		_exit(ow.rc ? 4 : 0);
	}
	for (i = 0; i < 3; i++) {
		w[i].st = st;
		started[i] = !pthread_create(&th[i], NULL, writer_main,
					     &w[i]);
	}
	for (i = 0; i < 3; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	ASSERT_INT_EQ(pid, waitpid(pid, &status, 0));
	for (i = 0; i < 3; i++) {
		ASSERT(started[i]);
		ASSERT_INT_EQ(0, w[i].rc);
	}
	ASSERT(WIFEXITED(status));
	ASSERT_INT_EQ(0, WEXITSTATUS(status));

	ASSERT_INT_EQ(1 + 4 * 8, commit_count(store_dir(st)));
	ASSERT_STR_EQ("", sh("git -C '%s' status --porcelain "
			     "--untracked-files=all", store_dir(st)));
	ASSERT_STR_EQ("", sh("git -C '%s' fsck --strict --no-progress 2>&1",
			     store_dir(st)));
	ASSERT_STR_EQ("specialization_level: 8\nbehaviors: {}\n",
		      slurp(store_dir(st), "personas/p.yaml"));
	store_free(st);
}

int main(void)
{
	store_test_setup();
	TEST_RUN(test_store_lock__holder_process_blocks_writer);
	TEST_RUN(test_store_lock__killed_holder_releases);
	TEST_RUN(test_store_lock__threads_and_processes_serialise);
	return store_test_teardown();
}
