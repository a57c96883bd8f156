/*
 * certificate_db.h - the SQL of certification levels, certificates and
 * their reminders (courses/sql/0009_certificates.sql).
 *
 * Every function returns 0 (or an id > 0) on success and -1 on a database
 * error, already logged by db.c.  Strings live in the arena passed in.
 * Dates are calendar days in Europe/Rome, as YYYY-MM-DD.
 */
#ifndef COURSES_CERTIFICATE_DB_H
#define COURSES_CERTIFICATE_DB_H

#include "compat.h"

#include "arena.h"

struct db;

struct certificate {
	int64_t id;
	const char *code;
	int64_t user_id;
	int64_t course_id;
	int64_t level_id;
	const char *holder;
	const char *email;		/* the holder's, for reminders */
	const char *course_title;
	const char *level_name;
	const char *issued_on;
	const char *expires_on;		/* NULL: never */
	bool expired;			/* expires_on has passed (today in Rome) */
	const char *payload;		/* the signed canonical JSON */
	const char *signature;		/* base64url */
	const char *key_id;
	bool granted;			/* granted by coordination rather than earned */
	bool revoked;
	const char *revoked_at;		/* ISO 8601 when revoked */
	const char *revoke_reason;
};

/* Certificate code (*found false if none). */
int certificate_db_by_code(struct db *db, struct arena *a, const char *code, struct certificate *out,
			   bool *found);

/* user_id's certificates, newest first, revoked ones included. */
int certificate_db_for_user(struct db *db, struct arena *a, int64_t user_id,
			    struct certificate **out, int *n);

/* A level a certificate can be issued for, with what the certificate will say. */
struct certificate_due {
	int64_t level_id;
	int64_t course_id;
	const char *level_name;
	const char *holder;
	const char *course_title;
	const char *issued_on;		/* today */
	const char *expires_on;		/* today + valid_days, NULL if none */
};

/*
 * The levels of course_id that user_id has earned and holds no
 * certificate for (a revoked one included: coordination's revocation is
 * not undone by the next test passed), in position order.
 */
int certificate_db_earned(struct db *db, struct arena *a, int64_t user_id, int64_t course_id,
			  struct certificate_due **out, int *n);

/*
 * Level level_name of course_id for user_id, for a grant by coordination:
 * *found false if the course has no such level.  *held says whether the
 * user already holds a valid certificate of it.
 */
int certificate_db_level(struct db *db, struct arena *a, int64_t user_id, int64_t course_id,
			 const char *level_name, struct certificate_due *out, bool *found, bool *held);

/* Stores a certificate (code, payload, signature as issued).  Its id, 0 if the code was taken, or -1. */
int64_t certificate_db_insert(struct db *db, int64_t user_id, const struct certificate_due *d,
			      const char *code, const char *payload, const char *signature,
			      const char *key_id, int64_t granted_by, const char *grant_reason);

/* Revokes certificate code with reason; *done false if it was not valid (absent or already revoked). */
int certificate_db_revoke(struct db *db, const char *code, int64_t by, const char *reason, bool *done);

/* A reminder to send: the certificate and, for a verification, when its test opened. */
struct certificate_reminder {
	struct certificate cert;
	const char *kind;		/* 'verification_open' or 'expiry' */
	const char *next_level;		/* verification_open: the level the test leads to */
};

/*
 * Claims one reminder that is due and not yet sent (verification tests
 * open after a certificate; 30 days before an expiry), marking it sent:
 * call inside a transaction that also queues its mail.  *found false when
 * none is due.
 */
int certificate_db_reminder_claim(struct db *db, struct arena *a, struct certificate_reminder *out,
				  bool *found);

/* When the verification test quiz_id opens for user_id (NULL: not before the level below is certified). */
int certificate_db_verification_opens(struct db *db, struct arena *a, int64_t quiz_id, int64_t user_id,
				      const char **opens_on, bool *open_now);

/* A verification test a certified person may take (or will, from opens_on). */
struct certificate_verification {
	int64_t quiz_id;
	const char *title;
	const char *level_name;		/* the level it leads to */
	const char *opens_on;
	bool open_now;
};

/* The verification tests of the levels just above those user_id holds, not yet earned. */
int certificate_db_verifications(struct db *db, struct arena *a, int64_t user_id,
				 struct certificate_verification **out, int *n);

/* The latest limit certificates of everyone, newest first. */
int certificate_db_recent(struct db *db, struct arena *a, int limit, struct certificate **out, int *n);

/* A level with its course, for choosing one. */
struct certificate_level {
	int64_t id;
	int64_t course_id;
	const char *course_title;
	const char *name;
};

/* Every course's levels, by course title then position. */
int certificate_db_levels(struct db *db, struct arena *a, struct certificate_level **out, int *n);

/* A level of a course as trainers edit it. */
struct certificate_level_row {
	int64_t id;
	int64_t course_id;
	int position;
	const char *name;
	const char *rule;		/* 'final_tests' or 'verification' */
	int opens_after_days;
	int valid_days;			/* 0: never expires */
	int64_t quiz_id;		/* its verification test, 0 if none */
	int64_t certificates;		/* issued, revoked ones included */
};

/* course_id's levels in position order. */
int certificate_db_course_levels(struct db *db, struct arena *a, int64_t course_id,
				 struct certificate_level_row **out, int *n);

/* Level id (*found false if none). */
int certificate_db_level_get(struct db *db, struct arena *a, int64_t id, struct certificate_level_row *out,
			     bool *found);

/* Rewrites a level's name, opening delay and validity (0: none); -1 also on a duplicate name (23505). */
int certificate_db_level_update(struct db *db, int64_t id, const char *name, int opens_after_days,
				int valid_days);

/* Creates a level of course_id at the end; its id, or -1 (demo seed). */
int64_t certificate_db_level_create(struct db *db, int64_t course_id, const char *name, const char *rule,
				    int opens_after_days, int valid_days);

/* Whether course_id has any level: 1, 0, or -1. */
int certificate_db_has_levels(struct db *db, int64_t course_id);

#endif
