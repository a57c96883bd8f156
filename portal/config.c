/*
 * config.c - the configuration file and its environment overrides
 * (see config.h).
 *
 * Every directive is one row of config_table (Redis's static_configs,
 * Kore's dispatch table): its type, bounds and default, and where it lives
 * in struct config.  Defaults, the file and the PORTAL_* variables all go
 * through the same config_set(), so a default cannot break a rule the
 * file has to follow, and an override cannot slip past one.
 *
 * The file is read line by line; a line is split into at most three
 * tokens, which is enough to tell every statement apart:
 *	keyword value
 *	name {
 *	}
 * An error is reported and the line skipped, so the whole file is always
 * checked (OpenBSD parse.y's "errors" counter).
 */
#include "compat.h"

#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "log.h"
#include "valid.h"

/* A configuration file larger than this is a mistake, not a config. */
#define CONFIG_FILE_MAX ((size_t)1 << 20)

#define CONFIG_KIB 1024LL
#define CONFIG_MIB (1024LL * CONFIG_KIB)
#define CONFIG_GIB (1024LL * CONFIG_MIB)
#define CONFIG_MINUTE 60LL
#define CONFIG_HOUR (60LL * CONFIG_MINUTE)
#define CONFIG_DAY (24LL * CONFIG_HOUR)

enum config_type {
	CONFIG_STRING,		/* char * */
	CONFIG_INT,		/* int */
	CONFIG_SIZE,		/* size_t; K, M, G suffixes (1024-based) */
	CONFIG_DURATION,	/* int seconds; s, m, h, d suffixes */
	CONFIG_BOOL,		/* bool; yes or no */
	CONFIG_ENUM,		/* int, the index of the choice */
	CONFIG_ADDRLIST,	/* char **, NULL-terminated; each line adds one */
	CONFIG_HOSTLIST,	/* char **, NULL-terminated host names; each line adds one */
	CONFIG_DATELIST,	/* char **, NULL-terminated YYYY-MM-DD dates; each line adds one */
	CONFIG_BLOCK		/* name { ... }: its rows name it as their block */
};

#define CONFIG_ENV	0x1u	/* overridable by PORTAL_<NAME> */
#define CONFIG_EMPTY	0x2u	/* a string that may be "" */

struct config_directive {
	const char *name;
	const char *block;		/* enclosing block; NULL at top level */
	enum config_type type;
	long long min, max;		/* numbers: inclusive bounds */
	const char *def;		/* default in file syntax; NULL: none */
	size_t offset;			/* into struct config */
	const char *const *choices;	/* CONFIG_ENUM, NULL-terminated */
	/* Extra rule for a non-empty string; -1 with the reason in msg. */
	int (*check)(const char *value, struct buf *msg);
	unsigned flags;			/* CONFIG_ENV, CONFIG_EMPTY */
};

static int config_check_listen(const char *, struct buf *);
static int config_check_base_url(const char *, struct buf *);
static int config_check_smtp_url(const char *, struct buf *);
static int config_check_mail_from(const char *, struct buf *);
static int config_check_secret_file(const char *, struct buf *);
static int config_check_hours(const char *, struct buf *);
static int config_check_days(const char *, struct buf *);

static const char *const config_cost_choices[] = {
	"interactive", "moderate", "min", NULL	/* enum config_password_cost */
};
static const char *const config_weekday_choices[] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", NULL
};
static const char *const config_level_choices[] = {
	"error", "warn", "info", "debug", NULL	/* enum log_level */
};

#define CONFIG_OFF(field) offsetof(struct config, field)

static const struct config_directive config_table[] = {
	/* name, block, type, min, max, default, offset, choices, check, flags */
	{ "listen", NULL, CONFIG_STRING, 0, 0, "127.0.0.1:8080",
	  CONFIG_OFF(listen), NULL, config_check_listen, CONFIG_ENV },
	{ "base_url", NULL, CONFIG_STRING, 0, 0, "http://127.0.0.1:8080",
	  CONFIG_OFF(base_url), NULL, config_check_base_url, CONFIG_ENV },
	{ "database_url", NULL, CONFIG_STRING, 0, 0, "dbname=portal",
	  CONFIG_OFF(database_url), NULL, NULL, CONFIG_ENV },
	{ "smtp_url", NULL, CONFIG_STRING, 0, 0, "",
	  CONFIG_OFF(smtp_url), NULL, config_check_smtp_url, CONFIG_ENV | CONFIG_EMPTY },
	{ "smtp_user", NULL, CONFIG_STRING, 0, 0, "",
	  CONFIG_OFF(smtp_user), NULL, NULL, CONFIG_EMPTY },
	{ "smtp_password_file", NULL, CONFIG_STRING, 0, 0, "",
	  CONFIG_OFF(smtp_password_file), NULL, config_check_secret_file, CONFIG_EMPTY },
	{ "mail_from", NULL, CONFIG_STRING, 0, 0, "portale@localhost",
	  CONFIG_OFF(mail_from), NULL, config_check_mail_from, 0 },
	{ "portal_name", NULL, CONFIG_STRING, 0, 0, "Portale formazione e comunità SIGeSS",
	  CONFIG_OFF(portal_name), NULL, NULL, 0 },
	{ "var_dir", NULL, CONFIG_STRING, 0, 0, "var",
	  CONFIG_OFF(var_dir), NULL, NULL, CONFIG_ENV },
	{ "assets_dir", NULL, CONFIG_STRING, 0, 0, "build/assets",
	  CONFIG_OFF(assets_dir), NULL, NULL, CONFIG_ENV },
	{ "views_dir", NULL, CONFIG_STRING, 0, 0, ".",
	  CONFIG_OFF(views_dir), NULL, NULL, CONFIG_ENV },
	{ "threads", NULL, CONFIG_INT, 0, 256, "0",
	  CONFIG_OFF(threads), NULL, NULL, CONFIG_ENV },
	{ "user", NULL, CONFIG_STRING, 0, 0, "",
	  CONFIG_OFF(user), NULL, NULL, CONFIG_EMPTY },
	{ "max_connections", NULL, CONFIG_INT, 16, 100000, "1000",
	  CONFIG_OFF(max_connections), NULL, NULL, 0 },
	{ "max_connections_per_address", NULL, CONFIG_INT, 0, 100000, "0",
	  CONFIG_OFF(max_connections_per_address), NULL, NULL, 0 },
	{ "body_limit", NULL, CONFIG_SIZE, CONFIG_KIB, CONFIG_GIB, "1M",
	  CONFIG_OFF(body_limit), NULL, NULL, 0 },
	{ "upload_limit", NULL, CONFIG_SIZE, CONFIG_KIB, 64 * CONFIG_GIB, "100M",
	  CONFIG_OFF(upload_limit), NULL, NULL, CONFIG_ENV },
	{ "max_uploads", NULL, CONFIG_INT, 1, 1000, "8",
	  CONFIG_OFF(max_uploads), NULL, NULL, 0 },
	{ "header_limit", NULL, CONFIG_SIZE, 4 * CONFIG_KIB, CONFIG_MIB, "32K",
	  CONFIG_OFF(header_limit), NULL, NULL, 0 },
	{ "max_fields", NULL, CONFIG_INT, 1, 10000, "100",
	  CONFIG_OFF(max_fields), NULL, NULL, 0 },
	{ "field_limit", NULL, CONFIG_SIZE, CONFIG_KIB, CONFIG_GIB, "64K",
	  CONFIG_OFF(field_limit), NULL, NULL, 0 },
	{ "connection_timeout", NULL, CONFIG_DURATION, 1, CONFIG_HOUR, "30",
	  CONFIG_OFF(connection_timeout), NULL, NULL, 0 },
	{ "session_ttl", NULL, CONFIG_DURATION, CONFIG_MINUTE, 30 * CONFIG_DAY, "8h",
	  CONFIG_OFF(session_ttl), NULL, NULL, 0 },
	{ "token_ttl", NULL, CONFIG_DURATION, CONFIG_MINUTE, 30 * CONFIG_DAY, "24h",
	  CONFIG_OFF(token_ttl), NULL, NULL, 0 },
	{ "password_cost", NULL, CONFIG_ENUM, 0, 0, "interactive",
	  CONFIG_OFF(password_cost), config_cost_choices, NULL, CONFIG_ENV },
	{ "password_concurrency", NULL, CONFIG_INT, 1, 64, "2",
	  CONFIG_OFF(password_concurrency), NULL, NULL, 0 },
	{ "login_limit", NULL, CONFIG_BLOCK, 0, 0, NULL, 0, NULL, NULL, 0 },
	{ "per_account", "login_limit", CONFIG_INT, 1, 1000, "5",
	  CONFIG_OFF(login_max_per_account), NULL, NULL, 0 },
	{ "per_address", "login_limit", CONFIG_INT, 1, 100000, "50",
	  CONFIG_OFF(login_max_per_address), NULL, NULL, 0 },
	{ "window", "login_limit", CONFIG_DURATION, CONFIG_MINUTE, CONFIG_DAY, "15m",
	  CONFIG_OFF(login_window), NULL, NULL, 0 },
	{ "trusted_proxies", NULL, CONFIG_ADDRLIST, 0, 0, NULL,
	  CONFIG_OFF(trusted_proxies), NULL, NULL, 0 },
	{ "jobs_interval", NULL, CONFIG_DURATION, 1, CONFIG_HOUR, "60",
	  CONFIG_OFF(jobs_interval), NULL, NULL, CONFIG_ENV },
	{ "mail_concurrency", NULL, CONFIG_INT, 1, 64, "2",
	  CONFIG_OFF(mail_concurrency), NULL, NULL, CONFIG_ENV },
	{ "mail_rate", NULL, CONFIG_INT, 0, 100000, "20",
	  CONFIG_OFF(mail_rate), NULL, NULL, CONFIG_ENV },
	{ "mail_bounce_limit", NULL, CONFIG_INT, 1, 100, "3",
	  CONFIG_OFF(mail_bounce_limit), NULL, NULL, 0 },
	{ "mail_lease", NULL, CONFIG_DURATION, 1, CONFIG_DAY, "10m",
	  CONFIG_OFF(mail_lease), NULL, NULL, CONFIG_ENV },
	{ "digest_weekday", NULL, CONFIG_ENUM, 0, 0, "monday",
	  CONFIG_OFF(digest_weekday), config_weekday_choices, NULL, 0 },
	{ "digest_hour", NULL, CONFIG_INT, 0, 23, "9",
	  CONFIG_OFF(digest_hour), NULL, NULL, 0 },
	{ "log_level", NULL, CONFIG_ENUM, 0, 0, "info",
	  CONFIG_OFF(log_level), config_level_choices, NULL, 0 },
	{ "peertube_hosts", NULL, CONFIG_HOSTLIST, 0, CONFIG_HOSTS_MAX, NULL,
	  CONFIG_OFF(peertube_hosts), NULL, NULL, CONFIG_ENV },
	{ "helpdesk_hours", NULL, CONFIG_STRING, 0, 0, "09:00-17:00",
	  CONFIG_OFF(helpdesk_hours), NULL, config_check_hours, 0 },
	{ "helpdesk_days", NULL, CONFIG_STRING, 0, 0, "mon-fri",
	  CONFIG_OFF(helpdesk_days), NULL, config_check_days, 0 },
	{ "helpdesk_holiday", NULL, CONFIG_DATELIST, 0, CONFIG_HOLIDAYS_MAX, NULL,
	  CONFIG_OFF(helpdesk_holidays), NULL, NULL, 0 },
};

struct config_parser {
	struct config *c;
	const char *name;		/* the path, for messages */
	int line;			/* current line, from 1 */
	int errors;
	int seen[ARRAY_SIZE(config_table)];	/* line that set each row, 0 = none */
	int block_line;			/* line of the open block's '{', 0 = none */
	const struct config_directive *block;	/* open block; NULL while skipping a bad one */
	struct buf block_name;		/* the open block's keyword, for "unclosed" */
};

/* malloc'ed copy; strdup() would bypass the allocator the tests count. */
static char *
config_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	p = malloc(n);
	if (p == NULL)
		log_oom(n);
	memcpy(p, s, n);
	return p;
}

static void config_error(struct config_parser *, int, const char *, ...) PORTAL_PRINTF(3, 4);

/* Logs "name:line: message" and counts the error; line 0 omits the number. */
static void
config_error(struct config_parser *p, int line, const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b, 0);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (line > 0)
		log_warnx("%s:%d: %s", p->name, line, b.data);
	else
		log_warnx("%s: %s", p->name, b.data);
	buf_release(&b);
	p->errors++;
}

/* Printable ASCII without spaces: what a URL or address may hold here. */
static bool
config_is_plain(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static int
config_check_listen(const char *v, struct buf *msg)
{
	char host[256];
	int port;

	if (config_listen_split(v, host, sizeof(host), &port) == -1) {
		buf_adds(msg, "expected host:port or [address]:port, port in 1..65535");
		return -1;
	}
	return 0;
}

/* An http(s) URL with a host part and no trailing '/': the code appends
 * absolute paths to it, so "https://x/" would make "https://x//path". */
static int
config_check_base_url(const char *v, struct buf *msg)
{
	const char *rest;

	if (strncmp(v, "http://", 7) == 0)
		rest = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		rest = v + 8;
	else {
		buf_adds(msg, "must start with http:// or https://");
		return -1;
	}
	if (*rest == '\0' || *rest == '/' || !config_is_plain(rest)) {
		buf_adds(msg, "expected a host after the scheme and no spaces");
		return -1;
	}
	if (v[strlen(v) - 1] == '/') {
		buf_adds(msg, "must not end with '/'");
		return -1;
	}
	return 0;
}

static int
config_check_smtp_url(const char *v, struct buf *msg)
{
	const char *rest;

	if (strncmp(v, "smtp://", 7) == 0)
		rest = v + 7;
	else if (strncmp(v, "smtps://", 8) == 0)
		rest = v + 8;
	else {
		buf_adds(msg, "must be empty or start with smtp:// or smtps://");
		return -1;
	}
	if (*rest == '\0' || *rest == '/' || !config_is_plain(rest)) {
		buf_adds(msg, "expected a host after the scheme and no spaces");
		return -1;
	}
	return 0;
}

/*
 * A bare address.  Not valid_email(): the default "portale@localhost" has
 * a single-label domain, which is right for a relay on the same host but
 * wrong for a user's address.  What matters here is that the value cannot
 * break the From: header it goes into.
 */
static int
config_check_mail_from(const char *v, struct buf *msg)
{
	const char *at = strchr(v, '@');

	if (at == NULL || at == v || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
	    !config_is_plain(v) || strpbrk(v, "<>\"(),;:[]\\") != NULL) {
		buf_adds(msg, "expected a bare address such as portale@example.org");
		return -1;
	}
	return 0;
}

/* The secret stays out of the config, in a file only the owner reads. */
static int
config_check_secret_file(const char *v, struct buf *msg)
{
	struct stat st;

	if (stat(v, &st) == -1) {
		buf_printf(msg, "cannot stat \"%s\": %s", v, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		buf_printf(msg, "\"%s\" is not a regular file", v);
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		buf_printf(msg, "\"%s\" is accessible by group or others (chmod 600)", v);
		return -1;
	}
	return 0;
}

struct config_unit {
	char letter;
	long long mult;
};

static char
config_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/*
 * Parses decimal digits, then an optional one-letter unit from units (a
 * table ended by a '\0' letter; NULL allows none), with a leading '-' if
 * neg_ok.  Returns 0, -1 for junk, or 1 for a value beyond LLONG_MAX.
 */
static int
config_parse_scaled(const char *v, const struct config_unit *units, bool neg_ok,
		    long long *out)
{
	unsigned long long acc = 0, limit = LLONG_MAX;
	long long mult = 1;
	bool neg = false;
	const char *s = v;
	unsigned d;
	size_t i;

	if (neg_ok && *s == '-') {
		neg = true;
		s++;
	}
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		d = (unsigned)(*s - '0');
		if (acc > (limit - d) / 10)
			return 1;
		acc = acc * 10 + d;
	}
	if (*s != '\0') {
		for (i = 0; units != NULL && units[i].letter != '\0'; i++)
			if (*s == units[i].letter || *s == config_lower(units[i].letter))
				break;
		if (units == NULL || units[i].letter == '\0' || s[1] != '\0')
			return -1;
		mult = units[i].mult;
	}
	if (acc > (unsigned long long)(LLONG_MAX / mult))
		return 1;
	*out = neg ? -(long long)acc * mult : (long long)acc * mult;
	return 0;
}

static const struct config_unit config_size_units[] = {
	{ 'K', CONFIG_KIB }, { 'M', CONFIG_MIB }, { 'G', CONFIG_GIB }, { '\0', 0 }
};

/* Size letters are also accepted in lower case; duration letters only as
 * written, so that "1M" cannot be read as a month. */
static const struct config_unit config_duration_units[] = {
	{ 's', 1 }, { 'm', CONFIG_MINUTE }, { 'h', CONFIG_HOUR }, { 'd', CONFIG_DAY },
	{ '\0', 0 }
};

/* Writes v as the shortest exact form with the type's unit. */
static void
config_format(struct buf *b, enum config_type type, long long v)
{
	const struct config_unit *u = NULL;
	size_t i;

	if (type == CONFIG_SIZE)
		u = config_size_units;
	else if (type == CONFIG_DURATION)
		u = config_duration_units;
	if (u != NULL && v != 0) {
		for (i = 0; u[i].letter != '\0'; i++)
			;
		while (i-- > 0) {
			if (v % u[i].mult == 0) {
				buf_printf(b, "%lld%c", v / u[i].mult, u[i].letter);
				return;
			}
		}
	}
	buf_printf(b, "%lld", v);
}

static void
config_out_of_range(const struct config_directive *d, const char *v, struct buf *msg)
{
	buf_printf(msg, "'%.40s' is out of range (", v);
	config_format(msg, d->type, d->min);
	buf_adds(msg, "..");
	config_format(msg, d->type, d->max);
	buf_adds(msg, ")");
}

/* Appends a canonical copy of the IP address v to the NULL-terminated list. */
static int
config_add_address(char ***listp, const char *v, struct buf *msg)
{
	unsigned char bin[sizeof(struct in6_addr)];
	char text[INET6_ADDRSTRLEN];
	char **list = *listp;
	size_t n = 0;
	int af;

	if (inet_pton(AF_INET, v, bin) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, v, bin) == 1)
		af = AF_INET6;
	else {
		buf_printf(msg, "'%.64s' is not an IPv4 or IPv6 address", v);
		return -1;
	}
	/* Canonical text, so "::0001" matches the "::1" a socket reports. */
	if (inet_ntop(af, bin, text, sizeof(text)) == NULL)
		fatal("inet_ntop");
	while (list != NULL && list[n] != NULL)
		n++;
	list = realloc(list, (n + 2) * sizeof(*list));
	if (list == NULL)
		log_oom((n + 2) * sizeof(*list));
	list[n] = config_strdup(text);
	list[n + 1] = NULL;
	*listp = list;
	return 0;
}

/*
 * A host name as it may appear in a CSP source and be compared byte for
 * byte with a URL's host: lower-case ASCII labels of letters, digits and
 * '-' (1..63 bytes, no '-' at either end) joined by single dots, at most
 * 253 bytes.  Upper case is refused rather than folded, so that what the
 * file says is exactly what is embedded.
 */
static bool
config_is_host(const char *v)
{
	size_t n = strlen(v), label = 0;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		char ch = v[i];
		if (ch == '.' || ch == '\0') {
			if (label == 0 || label > 63 || v[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!(ch >= 'a' && ch <= 'z') && !(ch >= '0' && ch <= '9') && ch != '-')
			return false;
		if (label == 0 && ch == '-')
			return false;
		label++;
	}
	return true;
}

/* Appends a copy of the host name v to the NULL-terminated list of at most max. */
static int
config_add_host(char ***listp, const char *v, long long max, struct buf *msg)
{
	char **list = *listp;
	size_t n = 0;

	if (!config_is_host(v)) {
		buf_printf(msg, "'%.64s' is not a host name (lower-case letters, digits, '.' and '-')", v);
		return -1;
	}
	for (; list != NULL && list[n] != NULL; n++) {
		if (strcmp(list[n], v) == 0) {
			buf_printf(msg, "'%.64s' is listed twice", v);
			return -1;
		}
	}
	if ((long long)n >= max) {
		buf_printf(msg, "at most %lld hosts", max);
		return -1;
	}
	list = realloc(list, (n + 2) * sizeof(*list));
	if (list == NULL)
		log_oom((n + 2) * sizeof(*list));
	list[n] = config_strdup(v);
	list[n + 1] = NULL;
	*listp = list;
	return 0;
}

/* "HH:MM" at s as minutes, 24:00 only if allow_24; -1 if malformed. */
static int
config_hhmm(const char *s, bool allow_24)
{
	int h, m;

	for (int k = 0; k < 5; k++) {
		if (k == 2 ? s[k] != ':' : (s[k] < '0' || s[k] > '9'))
			return -1;
	}
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && (!allow_24 || m != 0)))
		return -1;
	return h * 60 + m;
}

/* helpdesk_hours: "HH:MM-HH:MM", the opening before the closing (24:00 allowed). */
static int
config_check_hours(const char *v, struct buf *msg)
{
	int open, close;

	if (strlen(v) != 11 || v[5] != '-' || (open = config_hhmm(v, false)) < 0 ||
	    (close = config_hhmm(v + 6, true)) < 0 || open >= close) {
		buf_adds(msg, "is not a range of hours HH:MM-HH:MM with the start before the end");
		return -1;
	}
	return 0;
}

/* Monday = 1 .. Sunday = 7 for the three-letter name at s; -1 if none. */
static int
config_day(const char *s)
{
	static const char names[7][4] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

	for (int i = 0; i < 7; i++) {
		if (strncmp(s, names[i], 3) == 0)
			return i + 1;
	}
	return -1;
}

/* helpdesk_days: "mon-fri", "mon,wed,fri", "mon-thu,sat": names or ascending ranges. */
static int
config_check_days(const char *v, struct buf *msg)
{
	int a, b;

	for (;;) {
		if ((a = config_day(v)) < 0)
			goto bad;
		v += 3;
		if (*v == '-') {
			if ((b = config_day(v + 1)) < 0 || b < a)
				goto bad;
			v += 4;
		}
		if (*v == '\0')
			return 0;
		if (*v++ != ',')
			goto bad;
	}
bad:
	buf_adds(msg, "is not a list of days (mon tue wed thu fri sat sun) or ranges "
		 "like mon-fri, separated by commas");
	return -1;
}

/* Appends a copy of the date v (YYYY-MM-DD, a real day) to the NULL-terminated list of at most max. */
static int
config_add_date(char ***listp, const char *v, long long max, struct buf *msg)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	char **list = *listp;
	size_t n = 0;
	int y = 0, m, d;

	for (int k = 0; k < 10; k++) {
		if (k == 4 || k == 7 ? v[k] != '-' : (v[k] < '0' || v[k] > '9'))
			goto bad;
	}
	if (v[10] != '\0')
		goto bad;
	for (int k = 0; k < 4; k++)
		y = y * 10 + (v[k] - '0');
	m = (v[5] - '0') * 10 + (v[6] - '0');
	d = (v[8] - '0') * 10 + (v[9] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
		goto bad;
	for (; list != NULL && list[n] != NULL; n++) {
		if (strcmp(list[n], v) == 0) {
			buf_printf(msg, "'%s' is listed twice", v);
			return -1;
		}
	}
	if ((long long)n >= max) {
		buf_printf(msg, "at most %lld dates", max);
		return -1;
	}
	list = realloc(list, (n + 2) * sizeof(*list));
	if (list == NULL)
		log_oom((n + 2) * sizeof(*list));
	list[n] = config_strdup(v);
	list[n + 1] = NULL;
	*listp = list;
	return 0;
bad:
	buf_printf(msg, "'%.40s' is not a date YYYY-MM-DD (from 1970)", v);
	return -1;
}

/* Frees a NULL-terminated list and its strings; NULL is a no-op. */
static void
config_free_list(char **list)
{
	for (size_t j = 0; list != NULL && list[j] != NULL; j++)
		free(list[j]);
	free(list);
}

/*
 * Replaces the host list of row d with the items of v, separated by commas
 * or spaces ("" empties it).  Returns 0, or -1 with the reason in msg and
 * the list unchanged.
 */
static int
config_set_hosts(struct config *c, const struct config_directive *d, const char *v,
		 struct buf *msg)
{
	char ***field = (char ***)((char *)c + d->offset);
	char **list = calloc(1, sizeof(char *)), **old;
	char item[256];
	size_t n;
	int rc = -1;

	if (list == NULL)
		log_oom(sizeof(char *));
	for (; *v != '\0'; v += n) {
		v += strspn(v, ", \t");
		n = strcspn(v, ", \t");
		if (n == 0)
			break;
		if (n >= sizeof(item)) {
			buf_adds(msg, "a host name is longer than 253 bytes");
			goto out;
		}
		memcpy(item, v, n);
		item[n] = '\0';
		if (config_add_host(&list, item, d->max, msg) == -1)
			goto out;
	}
	/* Swapped so that the old list is the one freed. */
	old = *field;
	*field = list;
	list = old;
	rc = 0;
out:
	config_free_list(list);
	return rc;
}

/*
 * Checks v against row d and stores it in c.  Returns 0, or -1 with the
 * reason (without the directive's name) in msg and c unchanged.  Numbers
 * are echoed in messages, strings never: a connection string or URL may
 * carry a password.
 */
static int
config_set(struct config *c, const struct config_directive *d, const char *v,
	   struct buf *msg)
{
	char *field = (char *)c + d->offset;
	long long num = 0;
	size_t i;
	int r;

	switch (d->type) {
	case CONFIG_STRING:
		if (!valid_utf8(v, strlen(v))) {
			buf_adds(msg, "contains invalid UTF-8 or control characters");
			return -1;
		}
		if (*v == '\0' && !(d->flags & CONFIG_EMPTY)) {
			buf_adds(msg, "must not be empty");
			return -1;
		}
		if (*v != '\0' && d->check != NULL && d->check(v, msg) == -1)
			return -1;
		free(*(char **)field);
		*(char **)field = config_strdup(v);
		return 0;
	case CONFIG_INT:
	case CONFIG_SIZE:
	case CONFIG_DURATION:
		r = config_parse_scaled(v, d->type == CONFIG_SIZE ? config_size_units :
		    d->type == CONFIG_DURATION ? config_duration_units : NULL,
		    d->type == CONFIG_INT, &num);
		if (r == -1) {
			if (d->type == CONFIG_INT)
				buf_printf(msg, "'%.40s' is not an integer", v);
			else if (d->type == CONFIG_SIZE)
				buf_printf(msg, "'%.40s' is not a size (number with optional K, M or G)", v);
			else
				buf_printf(msg, "'%.40s' is not a duration (number with optional s, m, h or d)", v);
			return -1;
		}
		if (r == 1 || num < d->min || num > d->max) {
			config_out_of_range(d, v, msg);
			return -1;
		}
		/* The bounds of every row fit the field's type. */
		if (d->type == CONFIG_SIZE)
			*(size_t *)field = (size_t)num;
		else
			*(int *)field = (int)num;
		return 0;
	case CONFIG_BOOL:
		if (strcmp(v, "yes") == 0)
			*(bool *)field = true;
		else if (strcmp(v, "no") == 0)
			*(bool *)field = false;
		else {
			buf_printf(msg, "'%.40s' is not yes or no", v);
			return -1;
		}
		return 0;
	case CONFIG_ENUM:
		for (i = 0; d->choices[i] != NULL; i++) {
			if (strcmp(v, d->choices[i]) == 0) {
				*(int *)field = (int)i;
				return 0;
			}
		}
		buf_printf(msg, "'%.40s' is not one of", v);
		for (i = 0; d->choices[i] != NULL; i++)
			buf_printf(msg, "%s %s", i ? "," : "", d->choices[i]);
		return -1;
	case CONFIG_ADDRLIST:
		return config_add_address((char ***)field, v, msg);
	case CONFIG_HOSTLIST:
		return config_add_host((char ***)field, v, d->max, msg);
	case CONFIG_DATELIST:
		return config_add_date((char ***)field, v, d->max, msg);
	case CONFIG_BLOCK:
		break;
	}
	buf_adds(msg, "cannot be given a value");
	return -1;
}

/* The row named kw inside block (NULL: top level), or NULL. */
static const struct config_directive *
config_lookup(const char *kw, const char *block)
{
	const struct config_directive *d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(config_table); i++) {
		d = &config_table[i];
		if (strcmp(d->name, kw) != 0)
			continue;
		if ((block == NULL) != (d->block == NULL))
			continue;
		if (block == NULL || strcmp(block, d->block) == 0)
			return d;
	}
	return NULL;
}

/* Values computed from others, once all are known. */
static void
config_derive(struct config *c)
{
	c->secure_cookies = strncmp(c->base_url, "https://", 8) == 0;
}

int
config_defaults(struct config *c)
{
	const struct config_directive *d;
	struct buf msg;
	size_t i;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	buf_init(&msg, 0);
	for (i = 0; i < ARRAY_SIZE(config_table); i++) {
		d = &config_table[i];
		if (d->type == CONFIG_ADDRLIST || d->type == CONFIG_HOSTLIST ||
		    d->type == CONFIG_DATELIST) {
			*(char ***)((char *)c + d->offset) = calloc(1, sizeof(char *));
			if (*(char ***)((char *)c + d->offset) == NULL)
				log_oom(sizeof(char *));
		}
		if (d->def == NULL)
			continue;
		buf_reset(&msg);
		if (config_set(c, d, d->def, &msg) == -1) {
			log_warnx("config: default of \"%s\" is invalid: %s", d->name, msg.data);
			goto out;
		}
	}
	config_derive(c);
	rc = 0;
out:
	buf_release(&msg);
	if (rc == -1)
		config_free(c);
	return rc;
}

/*
 * Reads the next token of [*pos, end) into tok: a run of non-blank
 * characters, or a "quoted string" with \" and \\ escapes.  A '#' outside
 * quotes starts a comment.  Returns 1 for a token, 0 at the end of the
 * line, -1 on a quoting error (reported).
 */
static int
config_token(struct config_parser *p, const char **pos, const char *end,
	     struct buf *tok, bool *quoted)
{
	const char *s = *pos;

	buf_reset(tok);
	*quoted = false;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end || *s == '#') {
		*pos = end;
		return 0;
	}
	if (*s == '"') {
		*quoted = true;
		for (s++; s < end && *s != '"'; s++) {
			if (*s == '\\') {
				if (s + 1 == end || (s[1] != '"' && s[1] != '\\')) {
					config_error(p, p->line,
					    "invalid escape in quoted string (only \\\" and \\\\)");
					return -1;
				}
				s++;
			}
			buf_addch(tok, *s);
		}
		if (s == end) {
			config_error(p, p->line, "unterminated quoted string");
			return -1;
		}
		s++;
		if (s < end && *s != ' ' && *s != '\t' && *s != '#') {
			config_error(p, p->line, "missing space after quoted string");
			return -1;
		}
	} else {
		for (; s < end && *s != ' ' && *s != '\t' && *s != '#'; s++) {
			if (*s == '"') {
				config_error(p, p->line, "unexpected '\"' inside a value");
				return -1;
			}
			buf_addch(tok, *s);
		}
	}
	*pos = s;
	return 1;
}

static void
config_open_block(struct config_parser *p, const struct config_directive *d,
		  const char *kw)
{
	p->block_line = p->line;
	p->block = d;
	buf_reset(&p->block_name);
	buf_adds(&p->block_name, kw);
}

/* Acts on one line of n (0..3) tokens. */
static void
config_statement(struct config_parser *p, struct buf *tok, const bool *quoted, int n)
{
	const struct config_directive *d;
	const char *kw = tok[0].data;
	bool open;
	struct buf msg;
	size_t i;

	if (n == 0)
		return;
	if (!quoted[0] && strcmp(kw, "}") == 0) {
		if (p->block_line == 0)
			config_error(p, p->line, "unexpected '}'");
		else if (n > 1)
			config_error(p, p->line, "unexpected text after '}'");
		p->block_line = 0;
		p->block = NULL;
		return;
	}
	/* Inside a block already reported as bad: wait for its '}'. */
	if (p->block_line != 0 && p->block == NULL)
		return;

	open = n >= 2 && !quoted[1] && strcmp(tok[1].data, "{") == 0;
	if (open && p->block_line != 0) {
		config_error(p, p->line, "blocks cannot be nested");
		return;
	}
	d = config_lookup(kw, p->block != NULL ? p->block->name : NULL);
	if (d == NULL) {
		if (p->block != NULL)
			config_error(p, p->line, "unknown keyword '%.64s' in block '%s'",
			    kw, p->block->name);
		else
			config_error(p, p->line, "unknown keyword '%.64s'", kw);
		if (open)
			config_open_block(p, NULL, kw);
		return;
	}
	i = (size_t)(d - config_table);

	if (d->type == CONFIG_BLOCK) {
		if (!open)
			config_error(p, p->line, "'%s' must be followed by '{'", d->name);
		else if (n > 2)
			config_error(p, p->line, "'{' must end the line: one keyword per line "
			    "inside '%s'", d->name);
		else if (p->seen[i]) {
			config_error(p, p->line, "duplicate block '%s' (first on line %d)",
			    d->name, p->seen[i]);
			config_open_block(p, NULL, d->name);
		} else {
			p->seen[i] = p->line;
			config_open_block(p, d, d->name);
		}
		return;
	}
	if (open) {
		config_error(p, p->line, "'%s' does not take a block", d->name);
		config_open_block(p, NULL, d->name);
		return;
	}
	if (n == 1) {
		config_error(p, p->line, "missing value for '%s'", d->name);
		return;
	}
	/* The extra text is not echoed: it may be half of a secret that
	 * lacked its quotes. */
	if (n > 2) {
		config_error(p, p->line, "unexpected text after the value of '%s' "
		    "(quote values that contain spaces)", d->name);
		return;
	}
	if (d->type != CONFIG_ADDRLIST && d->type != CONFIG_HOSTLIST &&
	    d->type != CONFIG_DATELIST && p->seen[i]) {
		config_error(p, p->line, "duplicate '%s' (first on line %d)", d->name,
		    p->seen[i]);
		return;
	}
	p->seen[i] = p->line;
	buf_init(&msg, 0);
	if (config_set(p->c, d, tok[1].data, &msg) == -1)
		config_error(p, p->line, "%s: %s", d->name, msg.data);
	buf_release(&msg);
}

/* Rules that tie two directives together, checked after the whole file. */
static void
config_cross_check(struct config_parser *p)
{
	const struct config_directive *fl, *bl;
	struct buf a, b;
	int line;

	fl = config_lookup("field_limit", NULL);
	bl = config_lookup("body_limit", NULL);
	if (p->c->field_limit <= p->c->body_limit)
		return;
	buf_init(&a, 0);
	buf_init(&b, 0);
	config_format(&a, CONFIG_SIZE, (long long)p->c->field_limit);
	config_format(&b, CONFIG_SIZE, (long long)p->c->body_limit);
	line = p->seen[fl - config_table];
	if (p->seen[bl - config_table] > line)
		line = p->seen[bl - config_table];
	config_error(p, line, "field_limit (%s) must not exceed body_limit (%s)",
	    a.data, b.data);
	buf_release(&a);
	buf_release(&b);
}

static void
config_parse(struct config_parser *p, const char *text)
{
	struct buf tok[3];
	bool quoted[3];
	const char *line = text, *next, *end, *pos;
	int i, n, r = 0;

	for (i = 0; i < 3; i++)
		buf_init(&tok[i], CONFIG_FILE_MAX);
	while (*line != '\0') {
		p->line++;
		end = strchr(line, '\n');
		next = end != NULL ? end + 1 : line + strlen(line);
		if (end == NULL)
			end = next;
		if (end > line && end[-1] == '\r')
			end--;
		/* Three tokens tell every statement apart; a third is an error. */
		pos = line;
		for (n = 0; n < 3; n++)
			if ((r = config_token(p, &pos, end, &tok[n], &quoted[n])) != 1)
				break;
		if (r != -1)
			config_statement(p, tok, quoted, n);
		line = next;
	}
	if (p->block_line != 0)
		config_error(p, p->block_line, "unclosed block '%s'", p->block_name.data);
	config_cross_check(p);
	for (i = 0; i < 3; i++)
		buf_release(&tok[i]);
}

int
config_load_string(struct config *c, const char *name, const char *text)
{
	struct config_parser p;
	int rc = -1;

	if (config_defaults(c) == -1)
		return -1;
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.name = name;
	buf_init(&p.block_name, 0);
	config_parse(&p, text);
	buf_release(&p.block_name);
	if (p.errors > 0)
		goto out;
	config_derive(c);
	rc = 0;
out:
	if (rc == -1)
		config_free(c);
	return rc;
}

int
config_load(struct config *c, const char *path)
{
	struct buf b;
	const char *nul;
	size_t n;
	int rc = -1, line;

	memset(c, 0, sizeof(*c));
	buf_init(&b, CONFIG_FILE_MAX);
	if (buf_read_file(&b, path) == -1) {
		if (b.err)
			log_warnx("%s: larger than %zu bytes", path, CONFIG_FILE_MAX);
		else
			log_warn("cannot open config \"%s\"", path);
		goto out;
	}
	/* The parser sees a C string: a NUL would silently end the file. */
	nul = memchr(b.data, '\0', b.len);
	if (nul != NULL) {
		line = 1;
		for (n = 0; b.data + n < nul; n++)
			line += b.data[n] == '\n';
		log_warnx("%s:%d: NUL byte in file", path, line);
		goto out;
	}
	rc = config_load_string(c, path, b.data);
out:
	buf_release(&b);
	return rc;
}

int
config_env(struct config *c)
{
	const struct config_directive *d;
	struct buf name, msg;
	const char *v, *s;
	size_t i;
	int rc = 0;

	buf_init(&name, 0);
	buf_init(&msg, 0);
	for (i = 0; i < ARRAY_SIZE(config_table); i++) {
		d = &config_table[i];
		if (!(d->flags & CONFIG_ENV))
			continue;
		buf_reset(&name);
		buf_adds(&name, "PORTAL_");
		for (s = d->name; *s != '\0'; s++)
			buf_addch(&name, *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s);
		v = getenv(name.data);
		if (v == NULL)
			continue;
		buf_reset(&msg);
		/* A list in one variable replaces the file's list as a whole. */
		if ((d->type == CONFIG_HOSTLIST ? config_set_hosts(c, d, v, &msg) :
		     config_set(c, d, v, &msg)) == -1) {
			log_warnx("%s: %s", name.data, msg.data);
			rc = -1;
		}
	}
	config_derive(c);
	buf_release(&name);
	buf_release(&msg);
	return rc;
}

void
config_free(struct config *c)
{
	const struct config_directive *d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(config_table); i++) {
		d = &config_table[i];
		if (d->type == CONFIG_STRING)
			free(*(char **)((char *)c + d->offset));
		else if (d->type == CONFIG_ADDRLIST || d->type == CONFIG_HOSTLIST ||
			 d->type == CONFIG_DATELIST)
			config_free_list(*(char ***)((char *)c + d->offset));
	}
	memset(c, 0, sizeof(*c));
}

int
config_listen_split(const char *listen, char *host, size_t hostlen, int *port)
{
	unsigned char bin[sizeof(struct in6_addr)];
	char v6[INET6_ADDRSTRLEN];
	const char *h, *hend, *s;
	long v = 0;
	size_t n;

	if (listen[0] == '[') {
		h = listen + 1;
		hend = strchr(h, ']');
		if (hend == NULL || hend[1] != ':')
			return -1;
		s = hend + 2;
		/* Brackets are for IPv6 literals only (RFC 3986). */
		n = (size_t)(hend - h);
		if (n == 0 || n >= sizeof(v6))
			return -1;
		memcpy(v6, h, n);
		v6[n] = '\0';
		if (inet_pton(AF_INET6, v6, bin) != 1)
			return -1;
	} else {
		h = listen;
		hend = strchr(h, ':');
		/* A second colon means an unbracketed IPv6 address: ambiguous. */
		if (hend == NULL || strchr(hend + 1, ':') != NULL)
			return -1;
		n = (size_t)(hend - h);
		if (n == 0)
			return -1;
		for (s = h; s < hend; s++)
			if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
			    *s == '[' || *s == ']' || *s == '/')
				return -1;
		s = hend + 1;
	}
	if (n >= hostlen)
		return -1;
	/* At most five digits, so v cannot overflow. */
	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	*port = (int)v;
	return 0;
}
