/*
 * sign.h - the portal's Ed25519 signing key and base64url (libsodium).
 *
 * Certificates are signed with one Ed25519 key that the portal generates
 * on its first start.  Anyone can check a certificate with the public
 * key, which the portal publishes together with its key id.
 *
 * Key file format: exactly SIGN_SEED_LEN (32) raw bytes, the Ed25519
 * seed; the key pair is derived from it (crypto_sign_seed_keypair), so the
 * file cannot hold a public key that does not match its secret.  The file
 * must be a regular file that neither group nor others can read or write.
 *
 * sodium_init() must have succeeded before any function here is called
 * (portal/main.c does it at start-up).  Nothing here allocates.
 */
#ifndef PORTAL_SIGN_H
#define PORTAL_SIGN_H

#include "compat.h"

/* Sizes of libsodium's crypto_sign (checked against it in sign.c). */
#define SIGN_SEED_LEN 32
#define SIGN_PUBLIC_KEY_LEN 32
#define SIGN_SECRET_KEY_LEN 64
#define SIGN_SIG_LEN 64

/* Characters of a key id, NUL excluded. */
#define SIGN_KEY_ID_LEN 16

/*
 * Characters base64url without padding needs for n bytes, NUL excluded
 * (n must be small enough not to overflow: any real message is).
 */
#define SIGN_B64URL_LEN(n) ((n) / 3 * 4 + ((n) % 3 != 0 ? (n) % 3 + 1 : 0))

/* A key pair; holds a secret: wipe it with sign_key_clear(). */
struct sign_key {
	unsigned char sk[SIGN_SECRET_KEY_LEN];	/* libsodium layout: seed then pk */
	unsigned char pk[SIGN_PUBLIC_KEY_LEN];
};

/*
 * Loads the key at path into *out, or, if path does not exist, generates
 * a new key and stores it there first (mode 0600, fsync'ed, published
 * under its name atomically: a concurrent reader never sees half a file).
 * If another process creates the file at the same time, its key wins and
 * is the one loaded.  The directory must exist.
 *
 * Returns 0, or -1 (logged with the path, *out wiped) if the file cannot
 * be read or written, is not a regular file, has group or other
 * permission bits set, or is not exactly SIGN_SEED_LEN bytes.
 */
int sign_key_load(const char *path, struct sign_key *out);

/* Wipes the key (sodium_memzero); NULL is a no-op. */
void sign_key_clear(struct sign_key *k);

/* The detached Ed25519 signature of msg[0..len) (msg may be NULL if len is 0). */
void sign_detached(const struct sign_key *k, const void *msg, size_t len,
		unsigned char sig[SIGN_SIG_LEN]);

/* True if sig is pk's valid signature of msg[0..len). */
bool sign_verify(const unsigned char pk[SIGN_PUBLIC_KEY_LEN], const void *msg, size_t len,
		const unsigned char sig[SIGN_SIG_LEN]);

/*
 * Writes in[0..len) as base64url without padding, NUL-terminated, into
 * out.  Returns 0, or -1 (out[0] = '\0' if outlen > 0, nothing logged) if
 * outlen < SIGN_B64URL_LEN(len) + 1.
 */
int sign_b64url_encode(char *out, size_t outlen, const unsigned char *in, size_t len);

/*
 * Decodes the NUL-terminated base64url string in (no padding, no spaces,
 * no '+' or '/', unused trailing bits zero) into out and sets *outlen.
 * Returns 0, or -1 (nothing logged, *outlen = 0) if in is not such a
 * string or decodes to more than outmax bytes.
 */
int sign_b64url_decode(unsigned char *out, size_t outmax, const char *in, size_t *outlen);

/*
 * The key id of pk: the first SIGN_KEY_ID_LEN base64url characters of
 * BLAKE2b-128(pk), NUL-terminated.  Stable across versions; it names the
 * key in the published key list and in signatures.
 */
void sign_key_id(const unsigned char pk[SIGN_PUBLIC_KEY_LEN], char out[SIGN_KEY_ID_LEN + 1]);

#endif
