/*
 * certificate.h - autonomy certificates: issued when a level is earned
 * (or granted by coordination), signed with the portal's Ed25519 key,
 * verifiable by anyone with the code.
 *
 * What is signed is a canonical JSON object of the certificate's fields,
 * {"code","course","expires","holder","issued","issuer","level"}: members
 * in that (code-point) order, no white space, strings escaped as json.c
 * writes them, dates YYYY-MM-DD, "expires" null when the level never
 * expires.  It is stored byte for byte with its signature (base64url,
 * no padding) and the key's id; the public keys are published at
 * /.well-known/portal-certificates.json.
 *
 * Routes: /verify/{code} (public page: valid, expired or revoked),
 * /certificates/{code}.pdf and /certificates/{code}.json (Open Badges 3.0
 * OpenBadgeCredential), /certificati (the member's own), API GET
 * /api/v1/me/certificates, GET /api/v1/certificates/{code}, POST
 * /api/v1/certificates (coordination grants a level, with a reason) and
 * POST /api/v1/certificates/{code}/revoke (with a reason); both audited.
 */
#ifndef COURSES_CERTIFICATE_H
#define COURSES_CERTIFICATE_H

#include "compat.h"

#include "arena.h"
#include "role.h"

/* Who grants and revokes levels. */
#define CERTIFICATE_DECIDERS (ROLE_COORDINAMENTO | ROLE_ADMIN)

struct config;
struct db;
struct request;
struct router;

/*
 * Loads the signing key from var_dir/certificate-signing.key, creating it
 * (mode 0600) on first start, and adds the routes and the reminder job.
 * Returns 0, or -1 (logged) if the key cannot be read or made.
 */
int certificate_register(struct router *r, const struct config *cfg);

/* Wipes the key; after http_stop() and mail_sender_stop(). */
void certificate_shutdown(void);

/*
 * Issues user_id a certificate for every level of course_id earned and
 * not yet certified, inside the caller's transaction (a grade just
 * stored).  Returns the number issued, or -1.
 */
int certificate_award(struct db *db, struct arena *a, int64_t user_id, int64_t course_id);

enum certificate_outcome {
	CERTIFICATE_DONE,
	CERTIFICATE_NOT_FOUND,	/* no such person, course, level or certificate */
	CERTIFICATE_CONFLICT,	/* the level is already held / the certificate already revoked */
};

/*
 * Coordination's decisions, for the API and the pages: grants req's user
 * level (by name) of course_id to user_id with reason (*code, in the
 * arena, gets the new certificate's code), or revokes certificate code
 * with reason.  Each runs in its own transaction with its audit line.
 * Returns 0 with *outcome, or -1 on a database error.
 */
int certificate_grant(struct request *req, int64_t user_id, int64_t course_id, const char *level,
		      const char *reason, const char **code, enum certificate_outcome *outcome);
int certificate_revoke(struct request *req, const char *code, const char *reason,
		       enum certificate_outcome *outcome);

/*
 * When verification test quiz_id opens for user_id: NULL (and *open_now
 * false) until the level below is certified; otherwise the date
 * (DD/MM/YYYY, in a) and whether that day has come.
 */
int certificate_verification_opens(struct db *db, struct arena *a, int64_t quiz_id, int64_t user_id,
				   const char **opens_on, bool *open_now);

#endif
