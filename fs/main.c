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
	.readdir	= sfs_readdir,
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
};

#define SFS_OPT(t, p) { t, offsetof(struct sfs_options, p), 1 }
static const struct fuse_opt sfs_optspec[] = {
	SFS_OPT("--helios-dir=%s", helios_dir),
	SFS_OPT("--helios-dir %s", helios_dir),
	SFS_OPT("--help", help),
	SFS_OPT("-h", help),
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
	       "    -d                 debug output (implies -f)\n"
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
	if (!cmd->foreground)
		sfs_log_setup(LOG_INFO, 1);
	if (fuse_set_signal_handlers(fuse_get_session(f)) != 0)
		goto out_unmount;

	sfs_log(LOG_INFO, "serving '%s' on '%s'", sfs.dir, cmd->mountpoint);
	rc = run_loop(f, cmd) ? 1 : 0;
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
	if (fuse_parse_cmdline(&args, &cmd) != 0)
		goto out_free_args;
	if (!cmd.mountpoint) {
		fprintf(stderr, "helios-fs: no mountpoint given "
			"(try --help)\n");
		goto out_free_mountpoint;
	}
	if (cmd.debug)
		sfs_log_setup(LOG_DEBUG, 0);

	sfs.uid = getuid();
	sfs.gid = getgid();
	clock_gettime(CLOCK_REALTIME, &sfs.started);
	rc = 1;
	if (open_store(opts.helios_dir) == 0) {
		rc = mount_and_serve(&args, &cmd);
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
