/*
 * token.h - random tokens, their stored hashes, and keyed MACs (libsodium).
 *
 * A token is 32 random bytes in base64url without padding (43 chars).  The
 * database only ever holds BLAKE2b-256 of a token, so a leaked table does
 * not let anyone sign in.  MACs (CSRF tokens, signed links) are keyed
 * BLAKE2b with the portal's secret, which lives in the database so that
 * every portal process behind a load balancer shares it.
 */
#ifndef PORTAL_TOKEN_H
#define PORTAL_TOKEN_H

#include "compat.h"

#define TOKEN_LEN 43
#define TOKEN_HASH_PARAM_LEN 67	/* "\x" + 64 hex digits + NUL */
#define TOKEN_SECRET_LEN 32

/* Fills out with a fresh random token (NUL-terminated). */
void token_new(char out[TOKEN_LEN + 1]);

/* True if s has the shape of a token (43 base64url chars); checks nothing else. */
bool token_well_formed(const char *s);

/* The bytea literal of BLAKE2b-256(token), for a query parameter. */
void token_hash_param(const char *token, char out[TOKEN_HASH_PARAM_LEN]);

/* Sets the MAC key (copied); called once at start-up before threads. */
void token_set_secret(const unsigned char key[TOKEN_SECRET_LEN]);

/* MAC of data in a context (e.g. "csrf"), as a token-shaped string. */
void token_mac(const char *context, const char *data, char out[TOKEN_LEN + 1]);

/* Constant-time check of a MAC made by token_mac(). */
bool token_mac_ok(const char *context, const char *data, const char *mac);

#endif
