/*
 * store_backup.c - backups as git bundles, their verification and their
 * restoration.
 *
 * A backup is a version 2 git bundle, so `git clone FILE` and `git
 * bundle verify FILE` understand it too:
 *
 *	# v2 git bundle
 *	OID refs/heads/main
 *	OID HEAD
 *	<blank line>
 *	PACK...			every object reachable from OID
 *
 * It has no prerequisites, so it alone is enough to rebuild the store.
 * Verification indexes the pack into a scratch directory (which checks
 * every object's checksum) and then reads every object reachable from
 * the tip.
 */
#include "store_maint_i.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic_i.h"

#define BUNDLE_SIGNATURE "# v2 git bundle\n"
#define BUNDLE_MAX ((size_t)1 << 30)

static int git_fail(struct helios_error *err, const char *what,
		    const char *subject)
{
	const git_error *e = git_error_last();

	return helios_error_set(err, HELIOS_EGIT, "cannot %s '%s': %s", what,
				subject, e && e->message ? e->message :
				"unknown libgit2 error");
}

void store_maint__stamp(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;

	strftime(out, 32, "%Y%m%dT%H%M%SZ", gmtime_r(&now, &tm));
}

/* The pack of everything reachable from tip, into pack. */
static int build_pack(git_repository *repo, const git_oid *tip,
		      git_buf *pack, struct helios_error *err)
{
	git_packbuilder *pb;
	git_revwalk *walk;
	int rc = 0;

	if (git_packbuilder_new(&pb, repo) < 0)
		return git_fail(err, "start a pack for", "refs/heads/main");
	if (git_revwalk_new(&walk, repo) < 0) {
		rc = git_fail(err, "walk", "refs/heads/main");
		goto out_free_pb;
	}
	if (git_revwalk_push(walk, tip) < 0 ||
	    git_packbuilder_insert_walk(pb, walk) < 0 ||
	    git_packbuilder_write_buf(pack, pb) < 0)
		rc = git_fail(err, "pack the history of", "refs/heads/main");
	git_revwalk_free(walk);
out_free_pb:
	git_packbuilder_free(pb);
	return rc;
}

int store_backup__write(git_repository *repo, const git_oid *tip,
			const char *path, struct helios_error *err)
{
	char hex[GIT_OID_HEXSZ + 1], *head;
	struct atomic_file af;
	git_buf pack = { 0 };
	int rc;

	rc = build_pack(repo, tip, &pack, err);
	if (rc)
		return rc;
	git_oid_tostr(hex, sizeof(hex), tip);
	if (asprintf(&head, BUNDLE_SIGNATURE "%s refs/heads/main\n%s HEAD\n\n",
		     hex, hex) < 0) {
		rc = helios_error_set(err, HELIOS_ENOMEM, "out of memory");
		goto out_free_pack;
	}
	rc = atomic_begin(&af, path, 0600, err);
	if (!rc) {
		atomic_write(&af, head, strlen(head));
		atomic_write(&af, pack.ptr, pack.size);
		rc = atomic_commit(&af, err);
	}
	free(head);
out_free_pack:
	git_buf_dispose(&pack);
	return rc;
}

/*
 * Split a bundle read into b: *tip from its refs/heads/main line, *pack
 * and *len the pack after the header.  HELIOS_EINVAL when malformed or
 * when it has prerequisites (then it is not self-contained).
 */
static int bundle_parse(const struct hbuf *b, const char *file, git_oid *tip,
			const char **pack, size_t *len,
			struct helios_error *err)
{
	const char *p = b->ptr, *end = b->ptr + b->len, *nl;
	char hex[GIT_OID_HEXSZ + 1];
	int have_tip = 0;

	if (b->len < strlen(BUNDLE_SIGNATURE) ||
	    memcmp(p, BUNDLE_SIGNATURE, strlen(BUNDLE_SIGNATURE)))
		return helios_error_set(err, HELIOS_EINVAL,
					"'%s' is not a git bundle (v2)", file);
	p += strlen(BUNDLE_SIGNATURE);
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return helios_error_set(err, HELIOS_EINVAL,
						"'%s': truncated bundle header",
						file);
		if (nl == p)
			break;
		if (*p == '-')
			return helios_error_set(err, HELIOS_EINVAL,
						"'%s' needs commits it does "
						"not contain; not a full "
						"backup", file);
		if (nl - p == GIT_OID_HEXSZ + 16 &&
		    !memcmp(p + GIT_OID_HEXSZ, " refs/heads/main", 16)) {
			memcpy(hex, p, GIT_OID_HEXSZ);
			hex[GIT_OID_HEXSZ] = '\0';
			if (git_oid_fromstr(tip, hex) < 0)
				return helios_error_set(err, HELIOS_EINVAL,
							"'%s': bad object id "
							"in header", file);
			have_tip = 1;
		}
		p = nl + 1;
	}
	if (!have_tip)
		return helios_error_set(err, HELIOS_EINVAL,
					"'%s' has no refs/heads/main", file);
	*pack = nl + 1;
	*len = (size_t)(end - *pack);
	return 0;
}

static int bundle_read(const char *file, struct hbuf *b, git_oid *tip,
		       const char **pack, size_t *len,
		       struct helios_error *err)
{
	int rc;

	hbuf_init(b, BUNDLE_MAX);
	rc = store__read_file(file, b, err);
	if (!rc)
		rc = bundle_parse(b, file, tip, pack, len, err);
	if (rc)
		hbuf_release(b);
	return rc;
}

/* Add the objects of a pack to repo's object database. */
static int import_pack(git_repository *repo, const char *file,
		       const char *pack, size_t len, struct helios_error *err)
{
	git_indexer_progress stats = { 0 };
	git_odb_writepack *wp = NULL;
	git_odb *odb;
	int rc = 0;

	if (git_repository_odb(&odb, repo) < 0)
		return git_fail(err, "open the object database for", file);
	if (git_odb_write_pack(&wp, odb, NULL, NULL) < 0 ||
	    wp->append(wp, pack, len, &stats) < 0 ||
	    wp->commit(wp, &stats) < 0)
		rc = git_fail(err, "import the pack of", file);
	if (wp)
		wp->free(wp);
	git_odb_free(odb);
	return rc;
}

int store_backup__import(git_repository *repo, const char *file,
			 git_oid *tip, struct helios_error *err)
{
	const char *pack;
	struct hbuf b;
	git_oid id;
	size_t len;
	int rc;

	rc = bundle_read(file, &b, &id, &pack, &len, err);
	if (rc)
		return rc;
	rc = import_pack(repo, file, pack, len, err);
	if (!rc && tip)
		git_oid_cpy(tip, &id);
	hbuf_release(&b);
	return rc;
}

/* Remove the scratch directory of a verification (pack/ and files). */
static void scratch_remove(const char *dir)
{
	char sub[4200], path[4500];
	struct dirent *de;
	DIR *d;

	snprintf(sub, sizeof(sub), "%s/pack", dir);
	d = opendir(sub);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", sub, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(sub);
	rmdir(dir);
}

/* Index the pack into scratch/pack and check the tip's whole history. */
static int verify_pack(const char *file, const char *scratch,
		       const git_oid *tip, const char *pack, size_t len,
		       struct helios_error *err)
{
	git_indexer_options opts;
	git_indexer_progress stats = { 0 };
	git_repository *repo = NULL;
	git_indexer *idx;
	char sub[4200];
	git_odb *odb;
	git_oid bad;
	size_t n;
	int rc = 0;

	git_indexer_options_init(&opts, GIT_INDEXER_OPTIONS_VERSION);
	snprintf(sub, sizeof(sub), "%s/pack", scratch);
	if (mkdir(sub, 0700) < 0)
		return helios_error_sys(err, errno, "cannot create '%s'", sub);
	if (git_indexer_new(&idx, sub, 0600, NULL, &opts) < 0)
		return git_fail(err, "index the pack of", file);
	if (git_indexer_append(idx, pack, len, &stats) < 0 ||
	    git_indexer_commit(idx, &stats) < 0)
		rc = helios_error_set(err, HELIOS_EINVAL,
				      "'%s': damaged pack: %s", file,
				      git_error_last() ?
				      git_error_last()->message : "unknown");
	git_indexer_free(idx);
	if (rc)
		return rc;

	if (git_odb_new(&odb) < 0 || git_odb_add_disk_alternate(odb, scratch)
	    < 0 || git_repository_wrap_odb(&repo, odb) < 0)
		rc = git_fail(err, "read the pack of", file);
	if (!rc && store_maint__check_reachable(repo, tip, &bad, &n)) {
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), &bad);
		rc = helios_error_set(err, HELIOS_EINVAL,
				      "'%s' is incomplete: object %s is "
				      "missing", file, hex);
	}
	git_repository_free(repo);
	git_odb_free(odb);
	return rc;
}

/* Verify a pack read into memory, in a scratch directory. */
static int verify_bytes(const char *file, const git_oid *tip,
			const char *pack, size_t len, struct helios_error *err)
{
	const char *tmp = getenv("TMPDIR");
	char scratch[4096];
	int rc;

	snprintf(scratch, sizeof(scratch), "%s/helios-verify-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(scratch))
		return helios_error_sys(err, errno, "cannot create a scratch "
					"directory in '%s'", scratch);
	rc = verify_pack(file, scratch, tip, pack, len, err);
	scratch_remove(scratch);
	return rc;
}

int store_backup_verify(const char *file, char tip[41],
			struct helios_error *err)
{
	const char *pack;
	struct hbuf b;
	git_oid id;
	size_t len;
	int rc;

	git_libgit2_init();
	rc = bundle_read(file, &b, &id, &pack, &len, err);
	if (!rc) {
		rc = verify_bytes(file, &id, pack, len, err);
		hbuf_release(&b);
	}
	if (!rc && tip)
		git_oid_tostr(tip, 41, &id);
	git_libgit2_shutdown();
	return rc;
}

/* dest, or a default name inside dest or the store's backup folder. */
static int backup_path(const char *dir, const char *dest, char **out,
		       struct helios_error *err)
{
	char stamp[32], *folder = NULL;
	struct stat sb;
	int rc = 0;

	store_maint__stamp(stamp);
	if (dest && !(stat(dest, &sb) == 0 && S_ISDIR(sb.st_mode))) {
		*out = strdup(dest);
		goto out_check;
	}
	if (!dest) {
		if (asprintf(&folder, "%s/%s", dir, STORE_BACKUP_DIR) < 0)
			goto out_nomem;
		rc = store__make_dirs(folder, err);
		if (rc) {
			free(folder);
			return rc;
		}
	}
	if (asprintf(out, "%s/helios-%s.bundle", folder ? folder : dest,
		     stamp) < 0)
		*out = NULL;
	free(folder);
out_check:
	if (*out)
		return 0;
out_nomem:
	return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
}

int store_backup(const char *dir, const char *dest, char **out_path,
		 struct helios_error *err)
{
	git_repository *repo;
	char *path = NULL;
	git_oid tip;
	int rc;

	if (out_path)
		*out_path = NULL;
	git_libgit2_init();
	if (git_repository_open_ext(&repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH,
				    NULL) < 0) {
		rc = git_fail(err, "open the git repository of", dir);
		goto out_shutdown;
	}
	if (git_reference_name_to_id(&tip, repo, "refs/heads/main") < 0) {
		rc = git_fail(err, "resolve refs/heads/main in", dir);
		goto out_free_repo;
	}
	rc = backup_path(dir, dest, &path, err);
	if (!rc)
		rc = store_backup__write(repo, &tip, path, err);
	if (!rc)
		rc = store_backup_verify(path, NULL, err);
	if (!rc && out_path) {
		*out_path = path;
		path = NULL;
	}
	free(path);
out_free_repo:
	git_repository_free(repo);
out_shutdown:
	git_libgit2_shutdown();
	return rc;
}

/* Is dir missing or empty?  1 yes, 0 no. */
static int dir_is_vacant(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int vacant = 1;

	if (!d)
		return errno == ENOENT;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			vacant = 0;
			break;
		}
	}
	closedir(d);
	return vacant;
}

/* Rename an occupied dir out of the way; *aside names where it went. */
static int move_aside(const char *dir, char **aside, struct helios_error *err)
{
	char stamp[32];

	store_maint__stamp(stamp);
	if (asprintf(aside, "%s.before-restore-%s", dir, stamp) < 0) {
		*aside = NULL;
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	}
	if (rename(dir, *aside) < 0) {
		int rc = helios_error_sys(err, errno, "cannot move '%s' aside "
					  "to '%s'", dir, *aside);

		free(*aside);
		*aside = NULL;
		return rc;
	}
	return 0;
}

/* A new repository in dir holding the pack, main = tip checked out. */
static int restore_into(const char *file, const char *dir,
			const git_oid *tip, const char *pack, size_t len,
			struct helios_error *err)
{
	git_repository_init_options init;
	git_checkout_options co;
	git_repository *repo;
	git_reference *ref;
	int rc;

	git_repository_init_options_init(&init,
					 GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	init.flags = GIT_REPOSITORY_INIT_MKPATH;
	init.initial_head = "main";
	if (git_repository_init_ext(&repo, dir, &init) < 0)
		return git_fail(err, "initialise git repository", dir);
	rc = import_pack(repo, file, pack, len, err);
	if (rc)
		goto out_free_repo;
	if (git_reference_create(&ref, repo, "refs/heads/main", tip, 1,
				 "restore from backup") < 0) {
		rc = git_fail(err, "set refs/heads/main in", dir);
		goto out_free_repo;
	}
	git_reference_free(ref);
	co.checkout_strategy = GIT_CHECKOUT_FORCE;
	co.dir_mode = 0700;
	co.file_mode = 0600;
	co.disable_filters = 1;	/* the backup's bytes, unconverted */
	if (git_repository_set_head(repo, "refs/heads/main") < 0 ||
	    git_checkout_head(repo, &co) < 0)
		rc = git_fail(err, "check out the backup in", dir);
out_free_repo:
	git_repository_free(repo);
	return rc;
}

int store_restore_backup(const char *file, const char *dir,
			 char **moved_aside, struct helios_error *err)
{
	const char *pack;
	struct store *st;
	struct hbuf b;
	git_oid tip;
	size_t len;
	mode_t old;
	int rc;

	/* read once: the file may live inside the store that moves aside */
	*moved_aside = NULL;
	git_libgit2_init();
	rc = bundle_read(file, &b, &tip, &pack, &len, err);
	if (rc)
		goto out_shutdown;
	rc = verify_bytes(file, &tip, pack, len, err);
	if (!rc && !dir_is_vacant(dir))
		rc = move_aside(dir, moved_aside, err);
	/* private from the first file on */
	old = umask(077);
	umask(old | 077);
	if (!rc)
		rc = store__make_dirs(dir, err);
	if (!rc)
		rc = restore_into(file, dir, &tip, pack, len, err);
	hbuf_release(&b);
out_shutdown:
	git_libgit2_shutdown();
	if (rc)
		return rc;
	store_maint__privatize(dir);
	rc = store_open(dir, 0, &st, NULL, err);
	if (!rc)
		store_free(st);
	return rc;
}
