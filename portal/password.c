/*
 * password.c - Argon2id hashing with bounded concurrency (see password.h).
 */
#include "compat.h"

#include <errno.h>
#include <semaphore.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "log.h"
#include "password.h"

static unsigned long long password_ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
static size_t password_mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
static sem_t password_slots;
static char password_dummy[PASSWORD_HASH_LEN];

void
password_configure(enum password_cost cost, int concurrency)
{
	char random_pw[32];

	switch (cost) {
	case PASSWORD_COST_MODERATE:
		password_ops = crypto_pwhash_OPSLIMIT_MODERATE;
		password_mem = crypto_pwhash_MEMLIMIT_MODERATE;
		break;
	case PASSWORD_COST_MIN:
		password_ops = crypto_pwhash_OPSLIMIT_MIN;
		password_mem = crypto_pwhash_MEMLIMIT_MIN;
		break;
	default:
		password_ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		password_mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
		break;
	}
	if (sem_init(&password_slots, 0, (unsigned)(concurrency > 0 ? concurrency : 1)) != 0)
		fatal("sem_init");
	randombytes_buf(random_pw, sizeof(random_pw));
	if (crypto_pwhash_str(password_dummy, random_pw, sizeof(random_pw), password_ops,
			      password_mem) != 0)
		fatalx("cannot compute a password hash: out of memory");
	sodium_memzero(random_pw, sizeof(random_pw));
}

/*
 * Waits at most PASSWORD_WAIT seconds for a slot: under a flood of
 * sign-ins a pool thread gives up (the caller answers 503) rather than
 * stall every other connection it serves.
 */
static int
password_slot_take(void)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += PASSWORD_WAIT;
	while (sem_timedwait(&password_slots, &deadline) != 0) {
		if (errno != EINTR) {
			log_warnx("password hashing: all %s busy, request refused", "slots");
			return -1;
		}
	}
	return 0;
}

int
password_hash(const char *password, char out[PASSWORD_HASH_LEN])
{
	int rc;

	if (password_slot_take() == -1)
		return -1;
	rc = crypto_pwhash_str(out, password, strlen(password), password_ops, password_mem);
	sem_post(&password_slots);
	if (rc != 0) {
		log_warnx("password hash failed: out of memory");
		return -1;
	}
	return 0;
}

int
password_verify(const char *hash, const char *password)
{
	int rc;

	if (password_slot_take() == -1)
		return -1;
	rc = crypto_pwhash_str_verify(hash, password, strlen(password));
	sem_post(&password_slots);
	return rc == 0;
}

const char *
password_dummy_hash(void)
{
	return password_dummy;
}
