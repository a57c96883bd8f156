/*
 * account_db.h - the SQL of accounts, sessions, tokens, sign-in failures
 * and the audit log, behind typed functions.
 *
 * Every function returns -1 on a database error (already logged; the
 * caller answers 503 or 500), else 0 or the value said.  Strings returned
 * are allocated in the given arena.
 */
#ifndef PORTAL_ACCOUNT_DB_H
#define PORTAL_ACCOUNT_DB_H

#include "compat.h"

#include "arena.h"
#include "request.h"

struct db;

/* A user row with what the portal shows and checks. */
struct account {
	struct user user;
	const char *status;		/* unconfirmed, pending, active, disabled */
	const char *password_hash;
	const char *created_at;		/* for people: "26/11/2026 06:18", Europe/Rome */
};

struct account_list {
	struct account *items;
	int count;
	int64_t total;			/* matching rows, ignoring limit/offset */
};

struct account_filter {
	const char *query;		/* substring of name or email, or NULL */
	const char *status;		/* or NULL */
	int64_t org_id;			/* 0 = any */
	int limit, offset;
};

/* The active user of a live session (by token hash), the session's id and
 * expiry (Unix time); *out NULL if none. */
int account_db_session_user(struct db *db, struct arena *a, const char *hash,
			    struct user **out, int64_t *session_id, int64_t *expires_at);

/* The active user of a bearer token (by hash); *out NULL if none. */
int account_db_bearer_user(struct db *db, struct arena *a, const char *hash, struct user **out);

/*
 * Stores a session of user_id under hash (the token's hash, never the
 * token), expiring ttl seconds from now, with the client's addr and
 * user_agent (cut to 300 characters).  Returns the session id, or -1.
 */
int64_t account_db_session_create(struct db *db, int64_t user_id, const char *hash, int ttl,
				  const char *addr, const char *user_agent);
/* Deletes one session (sign-out); 0 also if it was already gone. */
int account_db_session_delete(struct db *db, int64_t session_id);
/* Ends every session of a user (password change or reset, disabling). */
int account_db_sessions_end(struct db *db, int64_t user_id);
/* Stores an API bearer token of user_id by its hash; -1 also if the hash exists. */
int account_db_bearer_create(struct db *db, int64_t user_id, const char *hash);

/* By email (case-insensitive) or id; *found false if no such user. */
int account_db_by_email(struct db *db, struct arena *a, const char *email,
			struct account *out, bool *found);
int account_db_by_id(struct db *db, struct arena *a, int64_t id, struct account *out, bool *found);
/* Like account_db_by_id, locking the row until the caller's transaction ends
 * (read-modify-write of roles and status without lost updates). */
int account_db_lock(struct db *db, struct arena *a, int64_t id, struct account *out, bool *found);

/*
 * Creates a user; returns the id, 0 if the email is taken, -1 on error.
 * roles is a text[] literal ("{operatore}"); org_id 0 = none.
 */
int64_t account_db_create(struct db *db, const char *email, const char *name,
			  const char *password_hash, int64_t org_id, const char *status,
			  const char *roles);

/*
 * The setters update one column of user id and return 0, also when no
 * such user exists (nothing is updated); -1 on error, a value the
 * schema's CHECK refuses included.
 */

/*
 * Sets the status (unconfirmed, pending, active, disabled).  approved_by
 * is the id of the administrator approving the account: when it is > 0
 * it is stored with the time as who approved the account and when; 0
 * keeps the previous approval as it is (a user confirming their email, a
 * status change that is not an approval).
 */
int account_db_set_status(struct db *db, int64_t id, const char *status, int64_t approved_by);
/* password_hash is the full encoded hash (password.h), never the password. */
int account_db_set_password(struct db *db, int64_t id, const char *password_hash);
int account_db_set_name(struct db *db, int64_t id, const char *name);
/* roles is a text[] literal of role names ("{operatore,admin}", role_format_array()). */
int account_db_set_roles(struct db *db, int64_t id, const char *roles);
/* org_id 0 clears the organisation; an org_id that does not exist is an error. */
int account_db_set_org(struct db *db, int64_t id, int64_t org_id);

/*
 * One page of the users matching f (NULL or 0 members match all),
 * pending ones first, then by name: out->items has out->count accounts,
 * out->total counts every match.  f->query is matched literally (% and _ are not
 * wildcards) against name and email, case-insensitively.
 */
int account_db_list(struct db *db, struct arena *a, const struct account_filter *f,
		    struct account_list *out);

/* Marks every unused token of a purpose as used (after a reset or a password change). */
int account_db_tokens_revoke(struct db *db, int64_t user_id, const char *purpose);

/* Single-use email tokens: create one, or consume one (returns the user id, 0 if invalid/expired/used). */
int account_db_token_create(struct db *db, int64_t user_id, const char *purpose,
			    const char *hash, int ttl);
int64_t account_db_token_use(struct db *db, const char *purpose, const char *hash);

/* Deletes expired sessions, and email tokens expired for a week. */
int account_db_purge_expired(struct db *db);

/* Appends to the audit log; actor_id and subject_id 0 mean none. */
int account_db_audit(struct db *db, int64_t actor_id, const char *action, int64_t subject_id,
		     const char *detail, const char *addr);

#endif
