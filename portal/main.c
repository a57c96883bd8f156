/*
 * main.c - the command line and the composition root: the only file that
 * knows every module and feature, and wires them together.
 *
 *   portal [-c FILE] serve | migrate | seed-demo | check-config | version
 *   portal [-c FILE] user add --email E --name N --role R [--org ID] --password-stdin
 *   portal [-c FILE] org add --name N [--parent ID] [--kind K]
 *   portal [-c FILE] token create --email E
 *   portal -n      (same as check-config)
 */
#include "compat.h"

#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "account.h"
#include "account_db.h"
#include "admin.h"
#include "buf.h"
#include "blob.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "mail.h"
#include "md.h"
#include "metrics.h"
#include "migrate.h"
#include "org_db.h"
#include "password.h"
#include "request_run.h"
#include "role.h"
#include "router.h"
#include "seed.h"
#include "session.h"
#include "site.h"
#include "static.h"
#include "tmpl.h"
#include "token.h"
#include "../courses/course.h"
#include "../courses/seed.h"
#include "../content/content.h"

#define PORTAL_VERSION "0.1.0"

static void
usage(void)
{
	fprintf(stderr,
		"usage: portal [-c file] [-n] command\n"
		"commands:\n"
		"  serve                 serve HTTP on the configured address\n"
		"  migrate               apply pending database migrations\n"
		"  seed-demo             load demo organisations and accounts (idempotent)\n"
		"  user add --email E --name N --role R[,R...] [--org ID] --password-stdin\n"
		"  org add --name N [--parent ID] [--kind K]\n"
		"  token create --email E    print a bearer token for the JSON API\n"
		"  check-config          check the configuration and exit (also -n)\n"
		"  version               print the version\n");
	exit(2);
}

/* Configuration: the file, then PORTAL_* variables; any error stops here. */
static void
main_config(struct config *cfg, const char *path)
{
	if (config_load(cfg, path) == -1 || config_env(cfg) == -1)
		fatalx("configuration \"%s\" has errors", path);
	log_set_level((enum log_level)cfg->log_level);
	/* One thread per CPU: more (tried: four per CPU) let the commits of
	 * the quiz scenario share flushes but starved some connections of
	 * the page scenarios past wrk's 2 s timeout (make bench, 2 CPUs). */
	if (cfg->threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		cfg->threads = n > 0 ? (int)n : 1;
	}
	session_configure(cfg->secure_cookies, cfg->session_ttl);
	password_configure((enum password_cost)cfg->password_cost, cfg->password_concurrency);
}

/* A connection for a command; the server must be reachable. */
static struct db *
main_db(const struct config *cfg)
{
	struct db *db = db_open(cfg->database_url);

	if (db_ready(db) == -1)
		fatalx("cannot connect to the database");
	return db;
}

static void
main_load_views(const struct config *cfg)
{
	static const char *const folders[] = { "portal", "courses", "content" };

	for (size_t i = 0; i < ARRAY_SIZE(folders); i++) {
		char dir[4096];
		struct stat st;
		snprintf(dir, sizeof(dir), "%s/%s/views", cfg->views_dir, folders[i]);
		if (stat(dir, &st) == -1)
			continue;	/* a feature without pages yet */
		if (tmpl_load_dir(dir, folders[i]) == -1)
			fatalx("templates in \"%s\" have errors", dir);
	}
	if (!tmpl_exists("portal/layout"))
		fatalx("template portal/layout not found under \"%s\"", cfg->views_dir);
}

/*
 * Started as root with a "user" configured: become that user before any
 * request is read (Kore, OpenBSD httpd).  Secrets (the SMTP password file,
 * the portal's secret) were read before.  A failure stops the start-up.
 */
static void
main_drop_privileges(const struct config *cfg)
{
	struct passwd *pw;

	if (geteuid() != 0) {
		if (cfg->user[0] != '\0')
			log_info("not started as root: \"user %s\" has nothing to do", cfg->user);
		return;
	}
	if (cfg->user[0] == '\0') {
		log_warnx("serving as root: set \"user\" in the configuration to drop privileges");
		return;
	}
	if ((pw = getpwnam(cfg->user)) == NULL)
		fatalx("user \"%s\" does not exist", cfg->user);
	if (initgroups(pw->pw_name, pw->pw_gid) == -1 || setgid(pw->pw_gid) == -1 ||
	    setuid(pw->pw_uid) == -1)
		fatal("cannot become user \"%s\"", cfg->user);
	if (setuid(0) == 0)
		fatalx("could become root again after dropping privileges");
	log_info("serving as user %s", cfg->user);
}

static int
cmd_serve(const struct config *cfg)
{
	unsigned char secret[TOKEN_SECRET_LEN];
	struct router *router = router_new();
	struct db *db = main_db(cfg);
	sigset_t signals;
	int sig;

	if (migrate_secret(db, secret) == -1)
		fatalx("cannot read the portal's secret: has \"portal migrate\" run?");
	token_set_secret(secret);
	sodium_memzero(secret, sizeof(secret));
	db_close(db);

	main_load_views(cfg);
	if (static_load(cfg->assets_dir) == -1)
		fatalx("cannot load assets from \"%s\": run make first", cfg->assets_dir);
	if (mail_configure(cfg) == -1)
		fatalx("mail configuration failed");
	request_configure(cfg);
	main_drop_privileges(cfg);

	/* The composition: core pages first, then each feature. */
	if (site_register(router, cfg) == -1)
		fatalx("cannot register the site routes");
	account_register(router, cfg);
	admin_register(router, cfg);
	courses_register(router, cfg);
	content_register(router, cfg);
	metrics_init(router);

	/* Block the stop signals before any thread starts, so that every
	 * thread inherits the mask and only sigwait() below receives them. */
	sigemptyset(&signals);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (blob_init(cfg) == -1)
		fatalx("cannot load libmagic's database");
	log_access_start();
	if (courses_start(cfg) == -1)
		fatalx("cannot start the courses' threads");
	if (http_start(cfg, router) == -1)
		fatalx("cannot start the HTTP server");
	if (mail_sender_start() == -1)
		fatalx("cannot start the mail sender");
	log_info("portal %s listening on %s (%s)", PORTAL_VERSION, cfg->listen, cfg->base_url);
	sigwait(&signals, &sig);
	log_info("stopping on signal %d", sig);
	http_stop();
	courses_shutdown();
	session_cache_clear();
	mail_sender_stop();
	blob_shutdown();	/* after every thread that stores files: HTTP and the jobs */
	log_access_stop();
	static_free();
	tmpl_free_all();
	router_free(router);
	return 0;
}

static int
cmd_migrate(const struct config *cfg)
{
	struct db *db = main_db(cfg);
	unsigned char secret[TOKEN_SECRET_LEN];
	int rc = migrate_run(db, cfg->views_dir) == 0 && migrate_secret(db, secret) == 0 ? 0 : 1;

	sodium_memzero(secret, sizeof(secret));
	db_close(db);
	return rc;
}

static int
cmd_seed(const struct config *cfg)
{
	struct db *db = main_db(cfg);
	int rc;

	if (blob_init(cfg) == -1)
		fatalx("cannot load libmagic's database");
	rc = seed_demo(db, cfg->var_dir) == 0 && courses_seed_demo(db, cfg->views_dir) == 0 &&
	     content_seed_demo(db, cfg) == 0 ? 0 : 1;
	blob_shutdown();
	db_close(db);
	return rc;
}

/* Option values of the account and org commands. */
struct main_opts {
	const char *email, *name, *role, *kind;
	int64_t org, parent;
	bool password_stdin;
};

static void
main_parse_opts(int argc, char **argv, struct main_opts *o)
{
	static const struct option longopts[] = {
		{ "email", required_argument, NULL, 'e' }, { "name", required_argument, NULL, 'N' },
		{ "role", required_argument, NULL, 'r' }, { "org", required_argument, NULL, 'o' },
		{ "parent", required_argument, NULL, 'p' }, { "kind", required_argument, NULL, 'k' },
		{ "password-stdin", no_argument, NULL, 's' }, { NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'e': o->email = optarg; break;
		case 'N': o->name = optarg; break;
		case 'r': o->role = optarg; break;
		case 'k': o->kind = optarg; break;
		case 's': o->password_stdin = true; break;
		case 'o':
		case 'p':
			*(ch == 'o' ? &o->org : &o->parent) = strtoll(optarg, &end, 10);
			if (*end != '\0' || end == optarg)
				fatalx("--%s: not a number: \"%s\"", ch == 'o' ? "org" : "parent", optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

/* Checks a command-line text the way the web forms do. */
static const char *
main_checked(const char *value, enum valid_kind kind, long long min, long long max, const char *what)
{
	struct field f = { what, FIELD_BODY, kind, min, max, NULL, FIELD_REQUIRED, what };
	struct field_value v;
	struct arena *a = arena_new();
	const char *msg, *out;

	if (valid_field(&f, value, value ? strlen(value) : 0, a, &v, &msg) == -1)
		fatalx("%s", msg);
	out = strdup(v.str);
	arena_free(a);
	return out;
}

static int
cmd_user_add(const struct config *cfg, int argc, char **argv)
{
	struct main_opts o = { 0 };
	char pw[PASSWORD_MAX_CHARS * 4 + 2], hash[PASSWORD_HASH_LEN];
	unsigned roles = 0;
	struct buf rolebuf;
	struct db *db;
	int64_t id;
	bool exists = true;

	main_parse_opts(argc, argv, &o);
	if (!o.email || !o.name || !o.role || !o.password_stdin)
		usage();
	o.email = main_checked(o.email, VALID_EMAIL, 0, 0, "--email");
	o.name = main_checked(o.name, VALID_TEXT, 2, 120, "--name");
	for (char *r = strtok(strdup(o.role), ","); r; r = strtok(NULL, ",")) {
		if (role_from_name(r) == 0)
			fatalx("--role: unknown role \"%s\"", r);
		roles |= role_from_name(r);
	}
	if (fgets(pw, sizeof(pw), stdin) == NULL)
		fatalx("no password on standard input");
	pw[strcspn(pw, "\r\n")] = '\0';
	main_checked(pw, VALID_TEXT, PASSWORD_MIN_CHARS, PASSWORD_MAX_CHARS, "password");
	db = main_db(cfg);
	if (o.org && (org_db_exists(db, o.org, &exists) == -1 || !exists))
		fatalx("--org: no organisation %lld", (long long)o.org);
	if (password_hash(pw, hash) == -1)
		fatalx("cannot hash the password");
	sodium_memzero(pw, sizeof(pw));
	buf_init(&rolebuf, 256);
	role_format_array(roles, &rolebuf);
	id = account_db_create(db, o.email, o.name, hash, o.org, "active", rolebuf.data);
	if (id == 0)
		fatalx("an account with email \"%s\" exists already", o.email);
	if (id < 0 || account_db_audit(db, 0, "user_create", id, "cli", "cli") == -1)
		fatalx("cannot create the account");
	printf("%lld\n", (long long)id);
	buf_release(&rolebuf);
	db_close(db);
	return 0;
}

static int
cmd_org_add(const struct config *cfg, int argc, char **argv)
{
	struct main_opts o = { .kind = "altro" };
	struct db *db;
	int64_t id;
	bool exists = true, kind_ok = false;

	main_parse_opts(argc, argv, &o);
	if (!o.name)
		usage();
	o.name = main_checked(o.name, VALID_TEXT, 2, 200, "--name");
	for (int i = 0; org_db_kinds[i]; i++)
		kind_ok |= strcmp(o.kind, org_db_kinds[i]) == 0;
	if (!kind_ok)
		fatalx("--kind: one of regione, comune, municipio, ambito, altro");
	db = main_db(cfg);
	if (o.parent && (org_db_exists(db, o.parent, &exists) == -1 || !exists))
		fatalx("--parent: no organisation %lld", (long long)o.parent);
	if ((id = org_db_create(db, o.name, o.kind, o.parent)) == 0)
		fatalx("an organisation \"%s\" exists already at that level", o.name);
	if (id < 0)
		fatalx("cannot create the organisation");
	printf("%lld\n", (long long)id);
	db_close(db);
	return 0;
}

static int
cmd_token_create(const struct config *cfg, int argc, char **argv)
{
	struct main_opts o = { 0 };
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_PARAM_LEN];
	struct arena *a = arena_new();
	struct account acct;
	struct db *db;
	bool found;

	main_parse_opts(argc, argv, &o);
	if (!o.email)
		usage();
	db = main_db(cfg);
	if (account_db_by_email(db, a, o.email, &acct, &found) == -1 || !found)
		fatalx("no account with email \"%s\"", o.email);
	token_new(token);
	token_hash_param(token, hash);
	if (account_db_bearer_create(db, acct.user.id, hash) == -1 ||
	    account_db_audit(db, 0, "token_create", acct.user.id, "cli", "cli") == -1)
		fatalx("cannot store the token");
	printf("%s\n", token);
	sodium_memzero(token, sizeof(token));
	arena_free(a);
	db_close(db);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *conf = getenv("PORTAL_CONFIG") ? getenv("PORTAL_CONFIG") : "conf/portal.conf";
	struct config cfg;
	bool check_only = false;
	int ch, rc;

	while ((ch = getopt(argc, argv, "+c:nh")) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 'n': check_only = true; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (!check_only && argc == 0)
		usage();
	if (argc > 0 && strcmp(argv[0], "version") == 0) {
		printf("portal %s\n", PORTAL_VERSION);
		return 0;
	}
	if (sodium_init() < 0)
		fatalx("libsodium cannot start");
	md_init();
	main_config(&cfg, conf);
	if (check_only || strcmp(argv[0], "check-config") == 0) {
		printf("configuration \"%s\" is valid\n", conf);
		rc = 0;
	} else if (strcmp(argv[0], "serve") == 0 && argc == 1) {
		rc = cmd_serve(&cfg);
	} else if (strcmp(argv[0], "migrate") == 0 && argc == 1) {
		rc = cmd_migrate(&cfg);
	} else if (strcmp(argv[0], "seed-demo") == 0 && argc == 1) {
		rc = cmd_seed(&cfg);
	} else if (argc >= 2 && strcmp(argv[0], "user") == 0 && strcmp(argv[1], "add") == 0) {
		rc = cmd_user_add(&cfg, argc - 1, argv + 1);
	} else if (argc >= 2 && strcmp(argv[0], "org") == 0 && strcmp(argv[1], "add") == 0) {
		rc = cmd_org_add(&cfg, argc - 1, argv + 1);
	} else if (argc >= 2 && strcmp(argv[0], "token") == 0 && strcmp(argv[1], "create") == 0) {
		rc = cmd_token_create(&cfg, argc - 1, argv + 1);
	} else {
		usage();
	}
	config_free(&cfg);
	return rc;
}
