/*
 * enrol.h - enrolment of many people at once, by trainers and
 * coordination (COURSE_STAFF): a whole organisation (its active members,
 * optionally with its sub-organisations) or a list of email addresses.
 * Page /gestione/corsi/{id}/iscrizioni, and the staff form of
 * POST /api/v1/courses/{id}/enrolments ({"organisation_id"} or {"emails"}).
 *
 * Only active accounts are enrolled.  A list is all or nothing: one
 * address without an active account and nobody is enrolled,
 * so a typo never leaves half a class behind.
 */
#ifndef COURSES_ENROL_H
#define COURSES_ENROL_H

#include "compat.h"

#include "arena.h"
#include "db.h"

struct request;
struct router;

#define ENROL_EMAILS_MAX 500	/* addresses in one list */

/* The accounts behind a list of addresses. */
struct enrol_emails {
	int64_t *ids;		/* found accounts, in list order (arena) */
	int n;
	const char *unknown;	/* addresses without an active account (or not addresses), ", "-separated */
	int nunknown;
	bool too_many;		/* more than ENROL_EMAILS_MAX: nothing else is filled */
};

/*
 * Resolves text, one address per line (commas, semicolons and blanks
 * around an address are ignored, empty lines skipped), into out; strings
 * in a.  0, or -1 on a database error.
 */
int enrol_emails_resolve(struct db *db, struct arena *a, const char *text, struct enrol_emails *out);

/*
 * Why the list in e cannot be used, or NULL when it can: too long, unknown
 * addresses (then nothing_done, e.g. "Nessuno è stato iscritto.", is
 * appended), or empty.  In a.
 */
const char *enrol_emails_problem(struct arena *a, const struct enrol_emails *e,
				 const char *nothing_done);

/*
 * The staff form of the enrolment API for course_id, when the JSON body
 * has "organisation_id" or "emails"; returns the status set.  Called by
 * course.c's handler, which answers the learner's own enrolment.
 */
bool enrol_api_is_bulk(const struct request *req);
int enrol_api_bulk(struct request *req, int64_t course_id);

/* Adds the /gestione enrolment routes; called by courses_register(). */
void enrol_register(struct router *r);

#endif
