/*
 * config.h - the configuration file (conf/portal.conf) and its
 * environment overrides.
 *
 * The file is made of `keyword value` lines, `#` comments and
 * `name { ... }` blocks, and is strict: an unknown keyword, a missing,
 * malformed or out-of-range value, a repeated keyword or an unclosed block
 * is an error.  Every error is logged as "path:line: message" with
 * log_warnx(), all of them before the load fails, so one run of
 * `portal -n` shows everything that is wrong.  conf/portal.conf documents
 * every directive.
 *
 * A struct config owns all its strings (malloc'ed); config_free() releases
 * them.  Once loaded it is read-only and may be shared between threads.
 */
#ifndef PORTAL_CONFIG_H
#define PORTAL_CONFIG_H

#include "compat.h"

/* Argon2id cost; the values index the password_cost choices. */
enum config_password_cost {
	CONFIG_PASSWORD_COST_INTERACTIVE,	/* libsodium OPSLIMIT/MEMLIMIT_INTERACTIVE */
	CONFIG_PASSWORD_COST_MODERATE,		/* ..._MODERATE */
	CONFIG_PASSWORD_COST_MIN		/* ..._MIN: tests only */
};

/* Most host names a host list directive (peertube_hosts) holds. */
#define CONFIG_HOSTS_MAX 16

/* Most helpdesk_holiday lines (content/sla.h's SLA_HOLIDAYS_MAX). */
#define CONFIG_HOLIDAYS_MAX 128

/* config_weekday_choices' order, as tm_wday. */
enum config_weekday {
	CONFIG_SUNDAY, CONFIG_MONDAY, CONFIG_TUESDAY, CONFIG_WEDNESDAY, CONFIG_THURSDAY,
	CONFIG_FRIDAY, CONFIG_SATURDAY
};

struct config {
	char *listen;			/* "host:port" or "[v6]:port" */
	char *base_url;			/* http:// or https://, no trailing '/' */
	char *database_url;		/* libpq connection string */
	char *smtp_url;			/* smtp:// or smtps://; "" = .eml files in var_dir/mail */
	char *smtp_user;		/* "" = no authentication */
	char *smtp_password_file;	/* file holding the SMTP password, "" = none */
	char *mail_from;		/* envelope and From: address */
	char *portal_name;		/* shown in pages and mail */
	char *var_dir;			/* writable state (mail files) */
	char *assets_dir;		/* built static assets */
	char *views_dir;		/* source root holding portal/views etc. */
	int threads;			/* 0 = number of CPUs */
	char *user;			/* serve as this user when started as root; "" = stay */
	int max_connections;		/* connections open at once */
	int max_connections_per_address; /* per client address; 0 = no limit (behind a proxy) */
	size_t body_limit;		/* bytes of one request body */
	size_t upload_limit;		/* bytes of one uploaded file (ROUTE_UPLOAD routes) */
	int max_uploads;		/* uploads stored at once, each on its own connection */
	size_t header_limit;		/* bytes of one connection's headers */
	int max_fields;			/* parameters per request */
	size_t field_limit;		/* bytes of one parameter, <= body_limit */
	int connection_timeout;		/* seconds */
	int session_ttl;		/* seconds */
	int token_ttl;			/* seconds, email confirmation and reset tokens */
	int password_cost;		/* enum config_password_cost */
	int password_concurrency;	/* password hashes computed at once */
	int login_max_per_account;	/* failed logins per account per window */
	int login_max_per_address;	/* failed logins per client address per window */
	int login_window;		/* seconds */
	char **trusted_proxies;		/* canonical IP addresses, NULL-terminated, never NULL once loaded */
	char **peertube_hosts;		/* PeerTube instances whose videos embed: lower-case host
					 * names, at most CONFIG_HOSTS_MAX, NULL-terminated, never
					 * NULL once loaded */
	int jobs_interval;		/* seconds between runs of the periodic jobs (mail.h) */
	int mail_concurrency;		/* sender threads, each with its SMTP connection */
	int mail_rate;			/* messages per second of this process; 0 = no limit */
	int mail_bounce_limit;		/* permanent failures before an address is no longer mailed */
	int mail_lease;			/* seconds a claimed message is reserved to its sender */
	int digest_weekday;		/* enum config_weekday: when the weekly digest goes out */
	int digest_hour;		/* 0-23, Europe/Rome */
	int log_level;			/* enum log_level */
	char *helpdesk_hours;		/* "HH:MM-HH:MM", Europe/Rome, of each working day */
	char *helpdesk_days;		/* "mon-fri": names and ranges, comma-separated */
	char **helpdesk_holidays;	/* "YYYY-MM-DD", at most CONFIG_HOLIDAYS_MAX, NULL-terminated,
					 * never NULL once loaded */
	bool secure_cookies;		/* derived: base_url is https:// */
};

/*
 * Zeroes *c, then fills in every default (strings malloc'ed, an empty
 * trusted_proxies list).  Returns 0, or -1 if a built-in default fails its
 * own table row (a bug, logged); *c then holds nothing to free.
 */
int config_defaults(struct config *c);

/*
 * config_defaults(), then the file at path.  Returns 0 on success.  On any
 * error (unreadable file, NUL byte, any bad line) logs each one and returns
 * -1, leaving *c freed and zeroed.  config_free() is safe either way.
 */
int config_load(struct config *c, const char *path);

/* config_load() from the NUL-terminated text; name stands for the path in messages. */
int config_load_string(struct config *c, const char *name, const char *text);

/*
 * Applies the PORTAL_* environment overrides (PORTAL_DATABASE_URL,
 * PORTAL_LISTEN, PORTAL_BASE_URL, PORTAL_SMTP_URL, PORTAL_THREADS,
 * PORTAL_VAR_DIR, PORTAL_PASSWORD_COST, PORTAL_ASSETS_DIR,
 * PORTAL_VIEWS_DIR, PORTAL_PEERTUBE_HOSTS) to a loaded config, checked by
 * the same table rows as the file.  A variable that is set, even to "", is
 * a value; for a list (PORTAL_PEERTUBE_HOSTS) it is the whole list, its
 * items separated by commas or spaces, and replaces the file's.  Each bad
 * value is logged as "PORTAL_X: message" and the call returns -1; the good
 * ones are applied anyway and *c stays valid (still to be config_free'd).
 */
int config_env(struct config *c);

/* Frees every string and the list, and zeroes *c; a zeroed config is a no-op. */
void config_free(struct config *c);

/*
 * Splits "host:port" or "[v6]:port" into host (NUL-terminated, brackets
 * removed, hostlen bytes at most including the NUL) and *port.  Returns -1,
 * without logging, if the syntax is wrong, the host is empty or does not
 * fit, or the port is not a number in 1..65535.
 */
int config_listen_split(const char *listen, char *host, size_t hostlen, int *port);

#endif
