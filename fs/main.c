/*
 * main.c - helios-fs: options, store start-up and the FUSE loop.
 *
 *	helios-fs [--helios-dir DIR] [-f] [-d] [-s] [-o OPT,...] MOUNTPOINT
 */
#include "sfs_i.h"

#include <errno.h>
#include <fuse_lowlevel.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct fuse_operations sfs_ops = {
	.init		= sfs_init,
	.destroy	= sfs_destroy,
	.getattr	= sfs_getattr,
	.opendir	= sfs_opendir,
	.readdir	= sfs_readdir,
	.releasedir	= sfs_releasedir,
	.mkdir		= sfs_mkdir,
	.rmdir		= sfs_rmdir,
	.unlink		= sfs_unlink,
	.rename		= sfs_rename,
	.symlink	= sfs_symlink,
	.readlink	= sfs_readlink,
	.link		= sfs_link,
	.mknod		= sfs_mknod,
	.statfs		= sfs_statfs,
	.chmod		= sfs_chmod,
	.chown		= sfs_chown,
	.utimens	= sfs_utimens,
	.truncate	= sfs_truncate,
	.open		= sfs_open,
	.create		= sfs_create,
	.read		= sfs_read,
	.write		= sfs_write,
	.flush		= sfs_flush,
	.fsync		= sfs_fsync,
	.release	= sfs_release,
	.setxattr	= sfs_setxattr,
	.getxattr	= sfs_getxattr,
	.listxattr	= sfs_listxattr,
	.removexattr	= sfs_removexattr,
};

struct sfs_options {
	char *helios_dir;
	int help;
	int version;
	int debug;
};

#define SFS_OPT(t, p) { t, offsetof(struct sfs_options, p), 1 }
static const struct fuse_opt sfs_optspec[] = {
	SFS_OPT("--helios-dir=%s", helios_dir),
	SFS_OPT("--helios-dir %s", helios_dir),
	SFS_OPT("--help", help),
	SFS_OPT("-h", help),
	SFS_OPT("--debug", debug),
	SFS_OPT("--version", version),
	SFS_OPT("-V", version),
	FUSE_OPT_END
};

static void usage(const char *prog)
{
	printf("usage: %s [options] MOUNTPOINT\n"
	       "\n"
	       "Mount a Helios store: base/identity.yaml and personas/*.yaml,\n"
	       "every save validated and committed to git.  Refused saves are\n"
	       "listed in MOUNTPOINT/errors.log and in the xattr\n"
	       "user.helios.error of the file.\n"
	       "\n"
	       "options:\n"
	       "    --helios-dir DIR   store directory (default $HELIOS_DIR or\n"
	       "                       ~/.helios; created when absent)\n"
	       "    -f                 stay in the foreground\n"
	       "    --debug            log every save step and cache drop\n"
	       "                       (implies -f)\n"
	       "    -d                 as --debug, and libfuse's request trace\n"
	       "    -s                 single-threaded\n"
	       "    -o OPT[,OPT...]    FUSE mount options\n"
	       "    -h, --help         this help\n"
	       "    -V, --version      print the version\n"
	       "\n"
	       "Unmount with: fusermount3 -u MOUNTPOINT\n", prog);
}

static int open_store(const char *arg)
{
	struct hdiag_list report;
	struct helios_error err;
	size_t i;
	int rc;

	helios_error_clear(&err);
	hdiag_list_init(&report);
	rc = store_resolve_dir(arg, &sfs.dir, &err);
	if (!rc)
		rc = store_open(sfs.dir, STORE_OPEN_CREATE, &sfs.st, &report,
				&err);
	for (i = 0; i < report.len; i++)
		sfs_log(LOG_WARNING, "%s", report.items[i].text);
	hdiag_list_release(&report);
	if (rc) {
		sfs_log(LOG_ERR, "cannot open store '%s': %s",
			sfs.dir ? sfs.dir : "?", err.msg);
		return -1;
	}
	if (store_was_created(sfs.st))
		sfs_log(LOG_INFO, "created a new store in '%s'", sfs.dir);
	return 0;
}

/*
 * Mount options Helios adds: fsname=STORE, so /proc/self/mountinfo says
 * which store a mount serves (the doctor reads it), and, when the user
 * asked for allow_other, default_permissions, so the kernel enforces the
 * files' 0600/0700 modes for the other users it lets in.
 */
static int add_mount_opts(struct fuse_args *args, const char *dir)
{
	char *opt, *w;
	int i, allow_other = 0, rc;

	for (i = 0; i < args->argc; i++)
		if (strstr(args->argv[i], "allow_other"))
			allow_other = 1;
	if (allow_other && fuse_opt_add_arg(args, "-odefault_permissions"))
		return -1;
	/* ',' separates options and '\\' escapes: escape both */
	opt = malloc(strlen(dir) * 2 + sizeof("-ofsname="));
	if (!opt)
		return -1;
	w = opt + sprintf(opt, "-ofsname=");
	for (; *dir; dir++) {
		if (*dir == ',' || *dir == '\\')
			*w++ = '\\';
		*w++ = *dir;
	}
	*w = '\0';
	rc = fuse_opt_add_arg(args, opt);
	free(opt);
	return rc;
}

/*
 * The mountpoint argument is the first one that is not an option (or
 * the value of -o).  Detach it first if a crashed daemon left it dead.
 */
static int check_mountpoint_arg(const struct fuse_args *args)
{
	int i;

	for (i = 1; i < args->argc; i++) {
		if (strcmp(args->argv[i], "-o") == 0) {
			i++;
			continue;
		}
		if (args->argv[i][0] != '-')
			return sfs_mountpoint_check(args->argv[i]);
	}
	return 0;
}

static int run_loop(struct fuse *f, const struct fuse_cmdline_opts *cmd)
{
	struct fuse_loop_config lc;

	if (cmd->singlethread)
		return fuse_loop(f);
	memset(&lc, 0, sizeof(lc));
	lc.clone_fd = cmd->clone_fd;
	/* libfuse reports "not given" as UINT_MAX and then complains. */
	lc.max_idle_threads = cmd->max_idle_threads > 1000 ? 10 :
			      cmd->max_idle_threads;
	return fuse_loop_mt(f, &lc);
}

static int mount_and_serve(struct fuse_args *args,
			   const struct fuse_cmdline_opts *cmd)
{
	struct fuse *f;
	int rc = 1;

	f = fuse_new(args, &sfs_ops, sizeof(sfs_ops), NULL);
	if (!f)
		return 1;
	if (fuse_mount(f, cmd->mountpoint) != 0)
		goto out_destroy;
	if (fuse_daemonize(cmd->foreground) != 0)
		goto out_unmount;
	if (!cmd->foreground) {
		sfs_log_setup(LOG_INFO, 1);
		sfs_mount_lock_owner(cmd->mountpoint);
	}
	if (fuse_set_signal_handlers(fuse_get_session(f)) != 0)
		goto out_unmount;

	sfs_log(LOG_INFO, "helios-fs %s serving store '%s' on '%s'",
		HELIOS_VERSION, sfs.dir, cmd->mountpoint);
	/* A signal number means SIGTERM, SIGINT or SIGHUP: a clean stop. */
	rc = run_loop(f, cmd) < 0 ? 1 : 0;
	/* No cache invalidation may be sent once the session is gone. */
	sfs_notify_stop();
	fuse_remove_signal_handlers(fuse_get_session(f));
out_unmount:
	fuse_unmount(f);
out_destroy:
	fuse_destroy(f);
	return rc;
}

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct sfs_options opts = { 0 };
	struct fuse_cmdline_opts cmd;
	int rc = 2;

	sfs_log_setup(LOG_INFO, 0);
	if (fuse_opt_parse(&args, &opts, sfs_optspec, NULL) != 0)
		goto out_free_args;
	if (opts.help) {
		usage(argv[0]);
		rc = 0;
		goto out_free_args;
	}
	if (opts.version) {
		printf("helios-fs %s (libfuse %s)\n", HELIOS_VERSION,
		       fuse_pkgversion());
		rc = 0;
		goto out_free_args;
	}
	if (opts.debug && fuse_opt_add_arg(&args, "-f") != 0)
		goto out_free_args;
	/* libfuse refuses a dead mountpoint before we could look at it. */
	if (check_mountpoint_arg(&args) != 0) {
		rc = 1;
		goto out_free_args;
	}
	if (fuse_parse_cmdline(&args, &cmd) != 0)
		goto out_free_args;
	if (!cmd.mountpoint) {
		fprintf(stderr, "helios-fs: no mountpoint given "
			"(try --help)\n");
		goto out_free_mountpoint;
	}
	if (cmd.debug || opts.debug)
		sfs_log_setup(LOG_DEBUG, 0);

	sfs.uid = getuid();
	sfs.gid = getgid();
	clock_gettime(CLOCK_REALTIME, &sfs.started);
	rc = 1;
	if (open_store(opts.helios_dir) == 0) {
		if (sfs_mount_lock(cmd.mountpoint) == 0 &&
		    add_mount_opts(&args, sfs.dir) == 0)
			rc = mount_and_serve(&args, &cmd);
		sfs_mount_unlock();
		store_free(sfs.st);
	}
	free(sfs.dir);
out_free_mountpoint:
	free(cmd.mountpoint);
out_free_args:
	free(opts.helios_dir);
	fuse_opt_free_args(&args);
	return rc;
}
