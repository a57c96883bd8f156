/*
 * migrate.c - migrations (see migrate.h).
 */
#include "compat.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "db.h"
#include "log.h"
#include "migrate.h"

/* The folders holding migrations, in the order the layout names them. */
static const char *const migrate_dirs[] = { "portal/sql", "courses/sql", "content/sql" };

struct migrate_file {
	int version;
	char *path;
	char *name;
};

static int
migrate_cmp(const void *a, const void *b)
{
	return ((const struct migrate_file *)a)->version - ((const struct migrate_file *)b)->version;
}

static char *
migrate_read(const char *path)
{
	struct buf b;

	buf_init(&b, 16 << 20);
	if (buf_read_file(&b, path) == -1) {
		if (b.err)
			log_warnx("migration \"%s\": too large", path);
		else
			log_warn("migration \"%s\"", path);
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/* Collects NNNN_*.sql files; two files with one number is an error. */
static int
migrate_scan(const char *root, struct migrate_file **out, size_t *count)
{
	struct migrate_file *files = NULL;
	size_t n = 0, alloc = 0;

	for (size_t d = 0; d < ARRAY_SIZE(migrate_dirs); d++) {
		char dir[4096];
		struct dirent *de;
		DIR *dp;

		snprintf(dir, sizeof(dir), "%s/%s", root, migrate_dirs[d]);
		if ((dp = opendir(dir)) == NULL)
			continue;	/* a feature folder may have no migrations yet */
		while ((de = readdir(dp)) != NULL) {
			size_t len = strlen(de->d_name);
			char *end;
			long v = strtol(de->d_name, &end, 10);

			if (len < 9 || strcmp(de->d_name + len - 4, ".sql") != 0 || *end != '_' ||
			    end - de->d_name != 4 || v <= 0)
				continue;
			if (n == alloc) {
				alloc = alloc ? alloc * 2 : 16;
				if ((files = realloc(files, alloc * sizeof(*files))) == NULL)
					log_oom(alloc * sizeof(*files));
			}
			files[n].version = (int)v;
			if (asprintf(&files[n].path, "%s/%s", dir, de->d_name) < 0 ||
			    (files[n].name = strdup(de->d_name)) == NULL)
				log_oom(0);
			n++;
		}
		closedir(dp);
	}
	qsort(files, n, sizeof(*files), migrate_cmp);
	for (size_t i = 1; i < n; i++)
		if (files[i].version == files[i - 1].version) {
			log_warnx("migrations \"%s\" and \"%s\" share number %d", files[i - 1].path,
				  files[i].path, files[i].version);
			*out = files;
			*count = n;
			return -1;
		}
	*out = files;
	*count = n;
	return 0;
}

static const struct db_stmt migrate_applied = {
	"migrate_applied", "SELECT 1 FROM schema_migrations WHERE version = $1", 1
};
static const struct db_stmt migrate_record = {
	"migrate_record", "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2
};

int
migrate_run(struct db *db, const char *root)
{
	struct migrate_file *files = NULL;
	struct arena *a = arena_new();
	size_t n = 0;
	int rc = -1, applied = 0;

	if (db_script(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			  "version int PRIMARY KEY, name text NOT NULL, "
			  "applied_at timestamptz NOT NULL DEFAULT now())") == -1)
		goto out;
	/* A session-level lock: held across the per-file transactions. */
	if (db_script(db, "SELECT pg_advisory_lock(7165921)") == -1)
		goto out;
	if (migrate_scan(root, &files, &n) == -1)
		goto unlock;
	for (size_t i = 0; i < n; i++) {
		char v[DB_INT_LEN];
		const char *params[] = { db_int_param(v, files[i].version), files[i].name };
		struct db_res *res = db_query(db, a, &migrate_applied, params);
		char *sql;

		if (res == NULL)
			goto unlock;
		if (res->nrows > 0)
			continue;
		if ((sql = migrate_read(files[i].path)) == NULL)
			goto unlock;
		if (db_begin(db) == -1 || db_script(db, sql) == -1 ||
		    db_exec(db, &migrate_record, params) < 0 || db_commit(db) == -1) {
			log_warnx("migration \"%s\" failed; nothing of it was applied", files[i].path);
			free(sql);
			db_rollback(db);
			goto unlock;
		}
		free(sql);
		log_info("applied migration %s", files[i].name);
		applied++;
	}
	if (applied == 0)
		log_info("database schema is up to date");
	rc = 0;
unlock:
	db_script(db, "SELECT pg_advisory_unlock(7165921)");
out:
	for (size_t i = 0; i < n; i++) {
		free(files[i].path);
		free(files[i].name);
	}
	free(files);
	arena_free(a);
	return rc;
}

static const struct db_stmt migrate_secret_put = {
	"migrate_secret_put",
	"INSERT INTO settings (key, value) VALUES ('mac_secret', $1::bytea) "
	"ON CONFLICT (key) DO NOTHING", 1
};
static const struct db_stmt migrate_secret_get = {
	"migrate_secret_get", "SELECT encode(value, 'hex') FROM settings WHERE key = 'mac_secret'", 0
};

int
migrate_secret(struct db *db, unsigned char out[TOKEN_SECRET_LEN])
{
	unsigned char fresh[TOKEN_SECRET_LEN];
	char hex[2 + TOKEN_SECRET_LEN * 2 + 1] = "\\x";
	struct arena *a = arena_new();
	struct db_res *res;
	int rc = -1;
	size_t len;

	/* Whoever inserts first wins; everyone then reads the same value. */
	randombytes_buf(fresh, sizeof(fresh));
	sodium_bin2hex(hex + 2, sizeof(hex) - 2, fresh, sizeof(fresh));
	const char *params[] = { hex };
	if (db_exec(db, &migrate_secret_put, params) < 0)
		goto out;
	if ((res = db_query(db, a, &migrate_secret_get, NULL)) == NULL || res->nrows != 1)
		goto out;
	if (sodium_hex2bin(out, TOKEN_SECRET_LEN, db_get(res, 0, 0), strlen(db_get(res, 0, 0)),
			   NULL, &len, NULL) != 0 || len != TOKEN_SECRET_LEN) {
		log_warnx("settings: mac_secret is malformed");
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(fresh, sizeof(fresh));
	sodium_memzero(hex, sizeof(hex));
	arena_free(a);
	return rc;
}
