/*
 * password.h - Argon2id password hashes (libsodium crypto_pwhash_str).
 *
 * A hash costs tens of milliseconds and 64 MiB at the interactive limits,
 * so at most `concurrency` run at once; the others wait their turn.
 */
#ifndef PORTAL_PASSWORD_H
#define PORTAL_PASSWORD_H

#include "compat.h"

#define PASSWORD_HASH_LEN 128	/* crypto_pwhash_STRBYTES */
#define PASSWORD_MIN_CHARS 10
#define PASSWORD_MAX_CHARS 200
#define PASSWORD_WAIT 5		/* seconds to wait for a free slot */

enum password_cost { PASSWORD_COST_INTERACTIVE, PASSWORD_COST_MODERATE, PASSWORD_COST_MIN };

/* Sets the limits and the concurrency bound; once, before threads start. */
void password_configure(enum password_cost cost, int concurrency);

/* Hashes password into out; -1 if no slot freed up within PASSWORD_WAIT
 * seconds or the hash ran out of memory (the caller answers 503). */
int password_hash(const char *password, char out[PASSWORD_HASH_LEN]);

/* 1 if password matches hash, 0 if not, -1 if no slot freed up in time.
 * Costs as much as a hash, also on failure. */
int password_verify(const char *hash, const char *password);

/* A hash of a random password, for timing-equal checks of unknown accounts. */
const char *password_dummy_hash(void);

#endif
