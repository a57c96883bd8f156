/*
 * test_config.c - unit tests for portal/config.c (included, h2o style).
 *
 * config.c is compiled here with cmocka's UNIT_TESTING allocator, so every
 * test also fails if a struct config leaks a string or a list.  Errors
 * are read back from stderr, where log_warnx() writes them, to check the
 * "path:line: message" each one produces.
 */
#include "../../portal/compat.h"

/* Every system header config.c uses comes before cmocka.h, whose
 * UNIT_TESTING macros would otherwise rename their declarations. */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UNIT_TESTING 1
#include <cmocka.h>

#include "../../portal/config.c"

/* ---- capturing the error log ---- */

static char captured[32768];

struct capture {
	FILE *f;
	int saved;
};

static void
capture_begin(struct capture *cap)
{
	fflush(stderr);
	cap->f = tmpfile();
	assert_non_null(cap->f);
	cap->saved = dup(2);
	assert_true(cap->saved >= 0);
	assert_true(dup2(fileno(cap->f), 2) >= 0);
}

static const char *
capture_end(struct capture *cap)
{
	size_t n;

	fflush(stderr);
	assert_true(dup2(cap->saved, 2) >= 0);
	close(cap->saved);
	rewind(cap->f);
	n = fread(captured, 1, sizeof(captured) - 1, cap->f);
	captured[n] = '\0';
	fclose(cap->f);
	return captured;
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* Loads text as "t.conf", capturing what is logged into *log. */
static int
load(struct config *c, const char *text, const char **log)
{
	struct capture cap;
	int rc;

	capture_begin(&cap);
	rc = config_load_string(c, "t.conf", text);
	*log = capture_end(&cap);
	return rc;
}

/* Asserts that text fails to load with exactly one error, containing
 * want (which should hold "t.conf:LINE: "), and leaves c zeroed. */
static void
assert_error_impl(const char *text, const char *want, const char *file, int line)
{
	static const struct config zero;
	struct config c;
	const char *log;
	int rc;

	rc = load(&c, text, &log);
	if (rc != -1 || strstr(log, want) == NULL || count_lines(log) != 1) {
		print_error("config:\n%s\nwanted: %s\nlogged: %s", text, want, log);
		_fail(file, line);
	}
	assert_memory_equal(&c, &zero, sizeof(c));
}

#define assert_error(text, want) assert_error_impl(text, want, __FILE__, __LINE__)

/* Loads text, which must succeed without logging anything. */
static void
load_ok(struct config *c, const char *text)
{
	const char *log;

	if (load(c, text, &log) != 0)
		fail_msg("config:\n%s\nlogged: %s", text, log);
	assert_string_equal(log, "");
}

/* ---- defaults ---- */

static void
test_defaults(void **state)
{
	struct config c;

	(void)state;
	assert_int_equal(config_defaults(&c), 0);
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_string_equal(c.base_url, "http://127.0.0.1:8080");
	assert_string_equal(c.database_url, "dbname=portal");
	assert_string_equal(c.smtp_url, "");
	assert_string_equal(c.smtp_user, "");
	assert_string_equal(c.smtp_password_file, "");
	assert_string_equal(c.mail_from, "portale@localhost");
	assert_string_equal(c.portal_name, "Portale formazione e comunità SIGeSS");
	assert_string_equal(c.var_dir, "var");
	assert_string_equal(c.assets_dir, "build/assets");
	assert_string_equal(c.views_dir, ".");
	assert_int_equal(c.threads, 0);
	assert_int_equal(c.body_limit, 1024 * 1024);
	assert_int_equal(c.header_limit, 32 * 1024);
	assert_int_equal(c.max_fields, 100);
	assert_int_equal(c.field_limit, 64 * 1024);
	assert_int_equal(c.connection_timeout, 30);
	assert_int_equal(c.session_ttl, 8 * 3600);
	assert_int_equal(c.token_ttl, 24 * 3600);
	assert_int_equal(c.password_cost, CONFIG_PASSWORD_COST_INTERACTIVE);
	assert_int_equal(c.password_concurrency, 2);
	assert_int_equal(c.login_max_per_account, 5);
	assert_int_equal(c.login_max_per_address, 50);
	assert_int_equal(c.login_window, 15 * 60);
	assert_non_null(c.trusted_proxies);
	assert_null(c.trusted_proxies[0]);
	assert_int_equal(c.log_level, LOG_LEVEL_INFO);
	assert_false(c.secure_cookies);
	config_free(&c);
	assert_null(c.listen);
	assert_null(c.trusted_proxies);
	/* Freeing twice (a zeroed config) is harmless. */
	config_free(&c);
}

static void
test_empty_file_is_defaults(void **state)
{
	struct config c;

	(void)state;
	load_ok(&c, "");
	assert_int_equal(c.max_fields, 100);
	config_free(&c);
	load_ok(&c, "# only a comment\n\n   \t\n");
	assert_string_equal(c.listen, "127.0.0.1:8080");
	config_free(&c);
}

/* ---- every type ---- */

static void
test_all_types(void **state)
{
	struct config c;

	(void)state;
	load_ok(&c,
	    "# a full configuration\n"
	    "listen [::1]:9090\n"
	    "base_url https://portale.example.it\n"
	    "database_url \"host=/run/postgresql dbname=portal user=web\"\n"
	    "smtp_url smtps://mail.example.it:465\n"
	    "smtp_user portal\n"
	    "mail_from noreply@example.it\n"
	    "portal_name \"Portale di prova\"\n"
	    "var_dir /var/lib/portal\n"
	    "assets_dir /usr/share/portal/assets\n"
	    "views_dir /usr/share/portal\n"
	    "threads 16\n"
	    "body_limit 8M\n"
	    "header_limit 64k\n"
	    "max_fields 250\n"
	    "field_limit 1048576\n"
	    "connection_timeout 2m\n"
	    "session_ttl 1d\n"
	    "token_ttl 48h\n"
	    "password_cost moderate\n"
	    "password_concurrency 4\n"
	    "login_limit {\n"
	    "\tper_account 3\n"
	    "\tper_address 100\n"
	    "\twindow 3600s\n"
	    "}\n"
	    "trusted_proxies 10.0.0.1\n"
	    "trusted_proxies ::0001\n"
	    "trusted_proxies 2001:DB8:0:0:0:0:0:1\n"
	    "log_level debug\n");
	assert_string_equal(c.listen, "[::1]:9090");
	assert_string_equal(c.base_url, "https://portale.example.it");
	assert_true(c.secure_cookies);
	assert_string_equal(c.database_url, "host=/run/postgresql dbname=portal user=web");
	assert_string_equal(c.smtp_url, "smtps://mail.example.it:465");
	assert_string_equal(c.smtp_user, "portal");
	assert_string_equal(c.mail_from, "noreply@example.it");
	assert_string_equal(c.portal_name, "Portale di prova");
	assert_string_equal(c.var_dir, "/var/lib/portal");
	assert_string_equal(c.assets_dir, "/usr/share/portal/assets");
	assert_string_equal(c.views_dir, "/usr/share/portal");
	assert_int_equal(c.threads, 16);
	assert_int_equal(c.body_limit, 8 * 1024 * 1024);
	assert_int_equal(c.header_limit, 64 * 1024);
	assert_int_equal(c.max_fields, 250);
	assert_int_equal(c.field_limit, 1048576);
	assert_int_equal(c.connection_timeout, 120);
	assert_int_equal(c.session_ttl, 86400);
	assert_int_equal(c.token_ttl, 48 * 3600);
	assert_int_equal(c.password_cost, CONFIG_PASSWORD_COST_MODERATE);
	assert_int_equal(c.password_concurrency, 4);
	assert_int_equal(c.login_max_per_account, 3);
	assert_int_equal(c.login_max_per_address, 100);
	assert_int_equal(c.login_window, 3600);
	/* The list keeps file order, in canonical form. */
	assert_string_equal(c.trusted_proxies[0], "10.0.0.1");
	assert_string_equal(c.trusted_proxies[1], "::1");
	assert_string_equal(c.trusted_proxies[2], "2001:db8::1");
	assert_null(c.trusted_proxies[3]);
	assert_int_equal(c.log_level, LOG_LEVEL_DEBUG);
	config_free(&c);
}

static void
test_sizes_and_durations(void **state)
{
	struct config c;

	(void)state;
	load_ok(&c, "body_limit 1G\nfield_limit 2k\nsession_ttl 90m\ntoken_ttl 7200\n");
	assert_int_equal(c.body_limit, (size_t)1 << 30);
	assert_int_equal(c.field_limit, 2048);
	assert_int_equal(c.session_ttl, 90 * 60);
	assert_int_equal(c.token_ttl, 7200);
	config_free(&c);

	assert_error("body_limit 1T\n", "t.conf:1: body_limit: '1T' is not a size");
	assert_error("body_limit 1KB\n", "t.conf:1: body_limit: '1KB' is not a size");
	assert_error("body_limit K\n", "t.conf:1: body_limit: 'K' is not a size");
	assert_error("body_limit -1K\n", "t.conf:1: body_limit: '-1K' is not a size");
	assert_error("body_limit 1.5M\n", "t.conf:1: body_limit: '1.5M' is not a size");
	assert_error("session_ttl 15x\n", "t.conf:1: session_ttl: '15x' is not a duration");
	/* Duration letters are lower case only: "1M" is no month. */
	assert_error("session_ttl 1M\n", "t.conf:1: session_ttl: '1M' is not a duration");
	assert_error("session_ttl 1h30m\n", "t.conf:1: session_ttl: '1h30m' is not a duration");
}

/* No directive is a bool yet; the type is checked through a row of its own. */
static void
test_bool_type(void **state)
{
	static const struct config_directive row = {
		"secure", NULL, CONFIG_BOOL, 0, 0, NULL,
		offsetof(struct config, secure_cookies), NULL, NULL, 0
	};
	struct config c;
	struct buf msg;

	(void)state;
	memset(&c, 0, sizeof(c));
	buf_init(&msg, 0);
	assert_int_equal(config_set(&c, &row, "yes", &msg), 0);
	assert_true(c.secure_cookies);
	assert_int_equal(config_set(&c, &row, "no", &msg), 0);
	assert_false(c.secure_cookies);
	assert_int_equal(config_set(&c, &row, "true", &msg), -1);
	assert_string_equal(msg.data, "'true' is not yes or no");
	c.secure_cookies = true;
	buf_reset(&msg);
	assert_int_equal(config_set(&c, &row, "YES", &msg), -1);
	assert_true(c.secure_cookies);	/* a refused value changes nothing */
	buf_release(&msg);
}

static void
test_enums(void **state)
{
	struct config c;

	(void)state;
	load_ok(&c, "password_cost min\nlog_level error\n");
	assert_int_equal(c.password_cost, CONFIG_PASSWORD_COST_MIN);
	assert_int_equal(c.log_level, LOG_LEVEL_ERROR);
	config_free(&c);
	load_ok(&c, "password_cost interactive\nlog_level warn\n");
	assert_int_equal(c.password_cost, CONFIG_PASSWORD_COST_INTERACTIVE);
	assert_int_equal(c.log_level, LOG_LEVEL_WARN);
	config_free(&c);
	assert_error("\npassword_cost high\n",
	    "t.conf:2: password_cost: 'high' is not one of interactive, moderate, min");
	assert_error("log_level INFO\n", "t.conf:1: log_level: 'INFO' is not one of error");
}

/* ---- bounds ---- */

static void
test_bounds(void **state)
{
	struct config c;

	(void)state;
	load_ok(&c, "threads 256\nmax_fields 10000\nbody_limit 1K\nfield_limit 1K\nconnection_timeout 1h\n");
	assert_int_equal(c.threads, 256);
	assert_int_equal(c.max_fields, 10000);
	assert_int_equal(c.body_limit, 1024);
	assert_int_equal(c.connection_timeout, 3600);
	config_free(&c);
	load_ok(&c, "threads 0\nmax_fields 1\nconnection_timeout 1\nfield_limit 1K\n");
	assert_int_equal(c.max_fields, 1);
	assert_int_equal(c.connection_timeout, 1);
	config_free(&c);

	assert_error("threads 257\n", "t.conf:1: threads: '257' is out of range (0..256)");
	assert_error("threads -1\n", "t.conf:1: threads: '-1' is out of range (0..256)");
	assert_error("max_fields 10001\n", "t.conf:1: max_fields: '10001' is out of range (1..10000)");
	assert_error("max_fields 0\n", "t.conf:1: max_fields: '0' is out of range (1..10000)");
	assert_error("body_limit 1023\n", "t.conf:1: body_limit: '1023' is out of range (1K..1G)");
	assert_error("body_limit 1073741825\n",
	    "t.conf:1: body_limit: '1073741825' is out of range (1K..1G)");
	assert_error("header_limit 2M\n", "t.conf:1: header_limit: '2M' is out of range (4K..1M)");
	assert_error("connection_timeout 3601\n",
	    "t.conf:1: connection_timeout: '3601' is out of range (1s..1h)");
	assert_error("connection_timeout 0\n",
	    "t.conf:1: connection_timeout: '0' is out of range (1s..1h)");
	assert_error("session_ttl 31d\n", "t.conf:1: session_ttl: '31d' is out of range (1m..30d)");
	/* Overflow of the number or of the unit multiplication is out of range. */
	assert_error("threads 99999999999999999999\n", "t.conf:1: threads: '99999999999999999999' is out of range");
	assert_error("threads 9223372036854775808\n", "t.conf:1: threads: '9223372036854775808' is out of range");
	assert_error("body_limit 9000000000000G\n", "t.conf:1: body_limit: '9000000000000G' is out of range");
	assert_error("token_ttl 999999999999999d\n", "t.conf:1: token_ttl: '999999999999999d' is out of range");
	assert_error("threads 4x\n", "t.conf:1: threads: '4x' is not an integer");
	assert_error("threads 0x10\n", "t.conf:1: threads: '0x10' is not an integer");
	assert_error("threads +4\n", "t.conf:1: threads: '+4' is not an integer");
	assert_error("threads -\n", "t.conf:1: threads: '-' is not an integer");
}

/* ---- error kinds, each with its line ---- */

static void
test_error_kinds(void **state)
{
	(void)state;
	assert_error("threads 2\n\nbogus 1\n", "t.conf:3: unknown keyword 'bogus'");
	assert_error("\n\nthreads\n", "t.conf:3: missing value for 'threads'");
	assert_error("threads 2\nthreads 3\n", "t.conf:2: duplicate 'threads' (first on line 1)");
	assert_error("portal_name Portale SIGeSS\n",
	    "t.conf:1: unexpected text after the value of 'portal_name'");
	assert_error("listen localhost\n", "t.conf:1: listen: expected host:port");
	assert_error("listen 127.0.0.1:0\n", "t.conf:1: listen: expected host:port");
	assert_error("base_url ftp://x\n", "t.conf:1: base_url: must start with http:// or https://");
	assert_error("base_url https://\n", "t.conf:1: base_url: expected a host");
	assert_error("base_url https://x.it/\n", "t.conf:1: base_url: must not end with '/'");
	assert_error("base_url \"https://x .it\"\n", "t.conf:1: base_url: expected a host");
	assert_error("smtp_url http://x\n", "t.conf:1: smtp_url: must be empty or start with smtp://");
	assert_error("mail_from nobody\n", "t.conf:1: mail_from: expected a bare address");
	assert_error("mail_from \"A <a@b.it>\"\n", "t.conf:1: mail_from: expected a bare address");
	assert_error("database_url \"\"\n", "t.conf:1: database_url: must not be empty");
	assert_error("portal_name \"a\tb\x01\"\n",
	    "t.conf:1: portal_name: contains invalid UTF-8 or control characters");
	assert_error("portal_name \"\xc3\x28\"\n",
	    "t.conf:1: portal_name: contains invalid UTF-8 or control characters");
	assert_error("trusted_proxies 10.0.0.256\n",
	    "t.conf:1: trusted_proxies: '10.0.0.256' is not an IPv4 or IPv6 address");
	assert_error("trusted_proxies proxy.local\n",
	    "t.conf:1: trusted_proxies: 'proxy.local' is not an IPv4 or IPv6 address");
	assert_error("portal_name \"abc\n", "t.conf:1: unterminated quoted string");
	assert_error("portal_name \"a\\nb\"\n", "t.conf:1: invalid escape in quoted string");
	assert_error("portal_name \"ab\"cd\n", "t.conf:1: missing space after quoted string");
	assert_error("portal_name ab\"cd\"\n", "t.conf:1: unexpected '\"' inside a value");
	assert_error("threads 1\n}\n", "t.conf:2: unexpected '}'");
	assert_error("field_limit 64K\nbody_limit 16K\n",
	    "t.conf:2: field_limit (64K) must not exceed body_limit (16K)");
}

static void
test_blocks(void **state)
{
	struct config c;
	const char *log;

	(void)state;
	/* Only some keys: the others keep their defaults. */
	load_ok(&c, "login_limit {\n  window 1h   # longer\n}\n");
	assert_int_equal(c.login_window, 3600);
	assert_int_equal(c.login_max_per_account, 5);
	config_free(&c);
	load_ok(&c, "login_limit {\n}\n");
	config_free(&c);

	assert_error("threads 1\nlogin_limit {\n per_account 2\n",
	    "t.conf:2: unclosed block 'login_limit'");
	assert_error("login_limit {\n per_account 0\n}\n",
	    "t.conf:2: per_account: '0' is out of range (1..1000)");
	assert_error("login_limit {\n threads 2\n}\n",
	    "t.conf:2: unknown keyword 'threads' in block 'login_limit'");
	/* Block keywords do not exist at top level. */
	assert_error("per_account 2\n", "t.conf:1: unknown keyword 'per_account'");
	assert_error("login_limit 5\n", "t.conf:1: 'login_limit' must be followed by '{'");
	assert_error("login_limit\n", "t.conf:1: 'login_limit' must be followed by '{'");
	assert_error("login_limit { per_account 5 }\n", "t.conf:1: '{' must end the line");
	assert_error("threads {\n 4\n}\n", "t.conf:1: 'threads' does not take a block");
	assert_error("login_limit {\n window 1h\n per_account {\n}\n",
	    "t.conf:3: blocks cannot be nested");
	assert_error("login_limit {\n window 1h\n window 2h\n}\n",
	    "t.conf:3: duplicate 'window' (first on line 2)");
	assert_error("login_limit {\n}\nlogin_limit {\n window 1h\n}\n",
	    "t.conf:3: duplicate block 'login_limit' (first on line 1)");
	/* An unknown block is reported once, not line by line. */
	assert_error("server {\n listen x\n foo bar\n}\nthreads 1\n",
	    "t.conf:1: unknown keyword 'server'");
	assert_int_equal(load(&c, "server {\n", &log), -1);
	assert_int_equal(count_lines(log), 2);
	assert_non_null(strstr(log, "t.conf:1: unknown keyword 'server'"));
	assert_non_null(strstr(log, "t.conf:1: unclosed block 'server'"));
}

static void
test_several_errors(void **state)
{
	struct config c;
	const char *log;

	(void)state;
	assert_int_equal(load(&c,
	    "threads 4\n"
	    "bogus 1\n"			/* 2 */
	    "listen 127.0.0.1:8080\n"
	    "threads 5\n"		/* 4 */
	    "login_limit {\n"		/* 5: unclosed */
	    "  per_account 0\n"		/* 6 */
	    "  window 1w\n",		/* 7 */
	    &log), -1);
	assert_int_equal(count_lines(log), 5);
	assert_non_null(strstr(log, "t.conf:2: unknown keyword 'bogus'"));
	assert_non_null(strstr(log, "t.conf:4: duplicate 'threads' (first on line 1)"));
	assert_non_null(strstr(log, "t.conf:6: per_account: '0' is out of range"));
	assert_non_null(strstr(log, "t.conf:7: window: '1w' is not a duration"));
	assert_non_null(strstr(log, "t.conf:5: unclosed block 'login_limit'"));
	assert_null(c.listen);
}

static void
test_quoting_and_comments(void **state)
{
	struct config c;

	(void)state;
	load_ok(&c,
	    "portal_name \"Il \\\"portale\\\" \\\\ àèìòù # no comment\"  # comment\n"
	    "database_url \"host=db password=a#b\"\n"
	    "smtp_user \"\"\n"
	    "threads 4# comment without a space\r\n"
	    "\"var_dir\" \"/srv/var dir\"\r\n"
	    "  \t listen\t127.0.0.1:1\t\n"
	    "views_dir /x");		/* no final newline */
	assert_string_equal(c.portal_name, "Il \"portale\" \\ àèìòù # no comment");
	assert_string_equal(c.database_url, "host=db password=a#b");
	assert_string_equal(c.smtp_user, "");
	assert_int_equal(c.threads, 4);
	assert_string_equal(c.var_dir, "/srv/var dir");
	assert_string_equal(c.listen, "127.0.0.1:1");
	assert_string_equal(c.views_dir, "/x");
	config_free(&c);

	/* A quoted "{" is a value, not a block. */
	assert_error("login_limit \"{\"\n", "t.conf:1: 'login_limit' must be followed by '{'");
}

/* An unquoted value with a space must not echo its second half. */
static void
test_no_secret_echo(void **state)
{
	struct config c;
	const char *log;

	(void)state;
	assert_int_equal(load(&c, "database_url host=db password=hunter2\n", &log), -1);
	assert_null(strstr(log, "hunter2"));
	assert_non_null(strstr(log, "t.conf:1: unexpected text after the value of 'database_url'"));
}

static void
test_list_repeats(void **state)
{
	struct config c;
	char text[64 * 32];
	size_t i, off = 0;

	(void)state;
	for (i = 0; i < 40; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "trusted_proxies 192.0.2.%zu\n", i);
	load_ok(&c, text);
	for (i = 0; i < 40; i++) {
		char want[32];

		snprintf(want, sizeof(want), "192.0.2.%zu", i);
		assert_string_equal(c.trusted_proxies[i], want);
	}
	assert_null(c.trusted_proxies[40]);
	config_free(&c);

	/* A bad address among good ones fails the load and leaks nothing. */
	assert_error("trusted_proxies 10.0.0.1\ntrusted_proxies ::1\ntrusted_proxies x\n",
	    "t.conf:3: trusted_proxies: 'x' is not an IPv4 or IPv6 address");
}

/* ---- peertube_hosts ---- */

static void
test_peertube_hosts(void **state)
{
	struct config c;
	char text[64 * 32];
	size_t i, off = 0;
	struct capture cap;
	const char *log;
	int rc;

	(void)state;
	/* Default: empty, never NULL. */
	load_ok(&c, "");
	assert_non_null(c.peertube_hosts);
	assert_null(c.peertube_hosts[0]);
	config_free(&c);

	load_ok(&c, "peertube_hosts video.example.org\npeertube_hosts tube-1.comune.example.it\n"
	    "peertube_hosts localhost\n");
	assert_string_equal(c.peertube_hosts[0], "video.example.org");
	assert_string_equal(c.peertube_hosts[1], "tube-1.comune.example.it");
	assert_string_equal(c.peertube_hosts[2], "localhost");
	assert_null(c.peertube_hosts[3]);
	config_free(&c);

	/* Exactly CONFIG_HOSTS_MAX, then one more. */
	for (i = 0; i < CONFIG_HOSTS_MAX; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "peertube_hosts h%zu.example.org\n", i);
	load_ok(&c, text);
	assert_string_equal(c.peertube_hosts[CONFIG_HOSTS_MAX - 1], "h15.example.org");
	assert_null(c.peertube_hosts[CONFIG_HOSTS_MAX]);
	config_free(&c);
	snprintf(text + off, sizeof(text) - off, "peertube_hosts one-too-many.example.org\n");
	assert_error(text, "t.conf:17: peertube_hosts: at most 16 hosts");

	/* Host names only: no scheme, port, path, user info, upper case, bad labels. */
	assert_error("peertube_hosts https://video.example.org\n", "t.conf:1: peertube_hosts: 'https://video.example.org' is not a host name");
	assert_error("peertube_hosts video.example.org:8443\n", "is not a host name");
	assert_error("peertube_hosts video.example.org/x\n", "is not a host name");
	assert_error("peertube_hosts a@video.example.org\n", "is not a host name");
	assert_error("peertube_hosts Video.Example.org\n", "is not a host name");
	assert_error("peertube_hosts .example.org\n", "is not a host name");
	assert_error("peertube_hosts example.org.\n", "is not a host name");
	assert_error("peertube_hosts example..org\n", "is not a host name");
	assert_error("peertube_hosts -a.example.org\n", "is not a host name");
	assert_error("peertube_hosts a-.example.org\n", "is not a host name");
	assert_error("peertube_hosts *.example.org\n", "is not a host name");
	assert_error("peertube_hosts \"\"\n", "is not a host name");
	assert_error("peertube_hosts vid\xc3\xa9o.example.org\n", "is not a host name");
	assert_error("peertube_hosts a.example.org\npeertube_hosts a.example.org\n",
	    "t.conf:2: peertube_hosts: 'a.example.org' is listed twice");
	/* Label of 63 bytes is fine, 64 is not. */
	memset(text, 'a', 63);
	snprintf(text + 63, sizeof(text) - 63, ".example.org");
	assert_true(config_is_host(text));
	memset(text, 'a', 64);
	snprintf(text + 64, sizeof(text) - 64, ".example.org");
	assert_false(config_is_host(text));

	/* The environment replaces the whole list; a bad item keeps the old one. */
	load_ok(&c, "peertube_hosts old.example.org\n");
	setenv("PORTAL_PEERTUBE_HOSTS", "a.example.org, b.example.org c.example.org", 1);
	capture_begin(&cap);
	rc = config_env(&c);
	log = capture_end(&cap);
	assert_int_equal(rc, 0);
	assert_string_equal(log, "");
	assert_string_equal(c.peertube_hosts[0], "a.example.org");
	assert_string_equal(c.peertube_hosts[1], "b.example.org");
	assert_string_equal(c.peertube_hosts[2], "c.example.org");
	assert_null(c.peertube_hosts[3]);
	setenv("PORTAL_PEERTUBE_HOSTS", "d.example.org,evil.example.org:99", 1);
	capture_begin(&cap);
	rc = config_env(&c);
	log = capture_end(&cap);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(log, "PORTAL_PEERTUBE_HOSTS: 'evil.example.org:99' is not a host name"));
	assert_string_equal(c.peertube_hosts[0], "a.example.org");
	setenv("PORTAL_PEERTUBE_HOSTS", "", 1);
	capture_begin(&cap);
	rc = config_env(&c);
	log = capture_end(&cap);
	assert_int_equal(rc, 0);
	assert_null(c.peertube_hosts[0]);
	unsetenv("PORTAL_PEERTUBE_HOSTS");
	config_free(&c);
}

/* ---- the environment ---- */

static void
test_env(void **state)
{
	struct config c;
	struct capture cap;
	const char *log;
	int rc;

	(void)state;
	load_ok(&c, "threads 2\n");
	setenv("PORTAL_THREADS", "8", 1);
	setenv("PORTAL_BASE_URL", "https://portale.example.it", 1);
	setenv("PORTAL_PASSWORD_COST", "min", 1);
	setenv("PORTAL_DATABASE_URL", "host=/tmp dbname=test", 1);
	setenv("PORTAL_LISTEN", "0.0.0.0:8443", 1);
	setenv("PORTAL_SMTP_URL", "", 1);
	setenv("PORTAL_VAR_DIR", "/tmp/var", 1);
	setenv("PORTAL_ASSETS_DIR", "/tmp/assets", 1);
	setenv("PORTAL_VIEWS_DIR", "/tmp/src", 1);
	/* Not overridable: left alone. */
	setenv("PORTAL_MAX_FIELDS", "7", 1);
	capture_begin(&cap);
	rc = config_env(&c);
	log = capture_end(&cap);
	assert_int_equal(rc, 0);
	assert_string_equal(log, "");
	assert_int_equal(c.threads, 8);
	assert_string_equal(c.base_url, "https://portale.example.it");
	assert_true(c.secure_cookies);
	assert_int_equal(c.password_cost, CONFIG_PASSWORD_COST_MIN);
	assert_string_equal(c.database_url, "host=/tmp dbname=test");
	assert_string_equal(c.listen, "0.0.0.0:8443");
	assert_string_equal(c.smtp_url, "");
	assert_string_equal(c.var_dir, "/tmp/var");
	assert_string_equal(c.assets_dir, "/tmp/assets");
	assert_string_equal(c.views_dir, "/tmp/src");
	assert_int_equal(c.max_fields, 100);

	/* Bad values: each reported by name, good ones still applied. */
	setenv("PORTAL_THREADS", "257", 1);
	setenv("PORTAL_LISTEN", "", 1);
	setenv("PORTAL_BASE_URL", "http://back.example.it", 1);
	setenv("PORTAL_PASSWORD_COST", "cheap", 1);
	capture_begin(&cap);
	rc = config_env(&c);
	log = capture_end(&cap);
	assert_int_equal(rc, -1);
	assert_int_equal(count_lines(log), 3);
	assert_non_null(strstr(log, "PORTAL_THREADS: '257' is out of range (0..256)"));
	assert_non_null(strstr(log, "PORTAL_LISTEN: must not be empty"));
	assert_non_null(strstr(log, "PORTAL_PASSWORD_COST: 'cheap' is not one of"));
	assert_int_equal(c.threads, 8);
	assert_string_equal(c.listen, "0.0.0.0:8443");
	assert_string_equal(c.base_url, "http://back.example.it");
	assert_false(c.secure_cookies);
	config_free(&c);

	unsetenv("PORTAL_THREADS");
	unsetenv("PORTAL_BASE_URL");
	unsetenv("PORTAL_PASSWORD_COST");
	unsetenv("PORTAL_DATABASE_URL");
	unsetenv("PORTAL_LISTEN");
	unsetenv("PORTAL_SMTP_URL");
	unsetenv("PORTAL_VAR_DIR");
	unsetenv("PORTAL_ASSETS_DIR");
	unsetenv("PORTAL_VIEWS_DIR");
	unsetenv("PORTAL_MAX_FIELDS");
}

/* ---- files ---- */

static void
write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void
test_load_file(void **state)
{
	char dir[] = "/tmp/test_config.XXXXXX";
	char conf[128], secret[128], text[512];
	struct config c;
	struct capture cap;
	const char *log;
	int rc;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/portal.conf", dir);
	snprintf(secret, sizeof(secret), "%s/smtp.secret", dir);
	write_file(secret, "s3cret\n", 7, 0600);

	snprintf(text, sizeof(text), "threads 3\nsmtp_password_file %s\n", secret);
	write_file(conf, text, strlen(text), 0644);
	capture_begin(&cap);
	rc = config_load(&c, conf);
	log = capture_end(&cap);
	assert_int_equal(rc, 0);
	assert_string_equal(log, "");
	assert_int_equal(c.threads, 3);
	assert_string_equal(c.smtp_password_file, secret);
	config_free(&c);

	/* The secret must be readable by its owner only. */
	assert_int_equal(chmod(secret, 0640), 0);
	capture_begin(&cap);
	rc = config_load(&c, conf);
	log = capture_end(&cap);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(log, ":2: smtp_password_file: "));
	assert_non_null(strstr(log, "accessible by group or others"));
	assert_int_equal(unlink(secret), 0);
	capture_begin(&cap);
	rc = config_load(&c, conf);
	log = capture_end(&cap);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(log, "cannot stat"));

	/* A NUL byte is reported with its line. */
	write_file(conf, "threads 3\nmax_fields 4\0\n", 24, 0644);
	capture_begin(&cap);
	rc = config_load(&c, conf);
	log = capture_end(&cap);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(log, "portal.conf:2: NUL byte in file"));

	/* Errors name the real path. */
	write_file(conf, "\nnope 1\n", 8, 0644);
	capture_begin(&cap);
	rc = config_load(&c, conf);
	log = capture_end(&cap);
	assert_int_equal(rc, -1);
	snprintf(text, sizeof(text), "%s:2: unknown keyword 'nope'", conf);
	assert_non_null(strstr(log, text));

	assert_int_equal(unlink(conf), 0);
	capture_begin(&cap);
	rc = config_load(&c, conf);
	log = capture_end(&cap);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(log, "cannot open config"));
	assert_null(c.listen);
	assert_int_equal(rmdir(dir), 0);
}

/* The shipped example must load as it is. */
static void
test_example_conf(void **state)
{
	struct config c;
	struct capture cap;
	const char *log;
	int rc;

	(void)state;
	capture_begin(&cap);
	rc = config_load(&c, "conf/portal.conf");
	log = capture_end(&cap);
	if (rc != 0)
		fail_msg("conf/portal.conf: %s", log);
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_int_equal(c.login_max_per_account, 5);
	config_free(&c);
}

/* ---- listen ---- */

static void
test_listen_split(void **state)
{
	char host[16];
	int port;

	(void)state;
	assert_int_equal(config_listen_split("127.0.0.1:8080", host, sizeof(host), &port), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 8080);
	assert_int_equal(config_listen_split("[::1]:1", host, sizeof(host), &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 1);
	assert_int_equal(config_listen_split("localhost:65535", host, sizeof(host), &port), 0);
	assert_string_equal(host, "localhost");
	assert_int_equal(port, 65535);
	assert_int_equal(config_listen_split("0.0.0.0:00080", host, sizeof(host), &port), 0);
	assert_int_equal(port, 80);

	/* host fits in 16 bytes with its NUL: 15 characters, not 16. */
	assert_int_equal(config_listen_split("aaaaaaaaaaaaaaa:1", host, sizeof(host), &port), 0);
	assert_int_equal(config_listen_split("aaaaaaaaaaaaaaaa:1", host, sizeof(host), &port), -1);

	assert_int_equal(config_listen_split("127.0.0.1:0", host, sizeof(host), &port), -1);
	assert_int_equal(config_listen_split("127.0.0.1:65536", host, sizeof(host), &port), -1);
	assert_int_equal(config_listen_split("127.0.0.1:999999", host, sizeof(host), &port), -1);
	assert_int_equal(config_listen_split("127.0.0.1:", host, sizeof(host), &port), -1);
	assert_int_equal(config_listen_split("127.0.0.1:80a", host, sizeof(host), &port), -1);
	assert_int_equal(config_listen_split("127.0.0.1:-80", host, sizeof(host), &port), -1);
	assert_int_equal(config_listen_split(":8080", host, sizeof(host), &port), -1);
	assert_int_equal(config_listen_split("8080", host, sizeof(host), &port), -1);
	assert_int_equal(config_listen_split("::1:8080", host, sizeof(host), &port), -1);
	assert_int_equal(config_listen_split("[::1]8080", host, sizeof(host), &port), -1);
	assert_int_equal(config_listen_split("[::1:8080", host, sizeof(host), &port), -1);
	assert_int_equal(config_listen_split("[]:8080", host, sizeof(host), &port), -1);
	assert_int_equal(config_listen_split("[localhost]:8080", host, sizeof(host), &port), -1);
	assert_int_equal(config_listen_split("a b:80", host, sizeof(host), &port), -1);
	assert_int_equal(config_listen_split("", host, sizeof(host), &port), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_file_is_defaults),
		cmocka_unit_test(test_all_types),
		cmocka_unit_test(test_sizes_and_durations),
		cmocka_unit_test(test_bool_type),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_error_kinds),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_several_errors),
		cmocka_unit_test(test_quoting_and_comments),
		cmocka_unit_test(test_no_secret_echo),
		cmocka_unit_test(test_list_repeats),
		cmocka_unit_test(test_peertube_hosts),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_example_conf),
		cmocka_unit_test(test_listen_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
