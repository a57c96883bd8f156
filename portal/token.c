/*
 * token.c - tokens and MACs (see token.h).
 */
#include "compat.h"

#include <string.h>

#include <sodium.h>

#include "log.h"
#include "token.h"

static unsigned char token_secret[TOKEN_SECRET_LEN];

static void
token_encode(const unsigned char bin[32], char out[TOKEN_LEN + 1])
{
	sodium_bin2base64(out, TOKEN_LEN + 1, bin, 32, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void
token_new(char out[TOKEN_LEN + 1])
{
	unsigned char bin[32];

	randombytes_buf(bin, sizeof(bin));
	token_encode(bin, out);
	sodium_memzero(bin, sizeof(bin));
}

bool
token_well_formed(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return false;
	for (; s[n] != '\0'; n++) {
		char c = s[n];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
		if (n > TOKEN_LEN)
			return false;
	}
	return n == TOKEN_LEN;
}

void
token_hash_param(const char *token, char out[TOKEN_HASH_PARAM_LEN])
{
	unsigned char hash[32];

	crypto_generichash(hash, sizeof(hash), (const unsigned char *)token, strlen(token), NULL, 0);
	out[0] = '\\';
	out[1] = 'x';
	sodium_bin2hex(out + 2, TOKEN_HASH_PARAM_LEN - 2, hash, sizeof(hash));
}

void
token_set_secret(const unsigned char key[TOKEN_SECRET_LEN])
{
	memcpy(token_secret, key, TOKEN_SECRET_LEN);
}

void
token_mac(const char *context, const char *data, char out[TOKEN_LEN + 1])
{
	crypto_generichash_state st;
	unsigned char mac[32];

	crypto_generichash_init(&st, token_secret, sizeof(token_secret), sizeof(mac));
	/* The context's NUL separates it from the data: no two (context,
	 * data) pairs feed the same bytes. */
	crypto_generichash_update(&st, (const unsigned char *)context, strlen(context) + 1);
	crypto_generichash_update(&st, (const unsigned char *)data, strlen(data));
	crypto_generichash_final(&st, mac, sizeof(mac));
	token_encode(mac, out);
}

bool
token_mac_ok(const char *context, const char *data, const char *mac)
{
	char want[TOKEN_LEN + 1];

	if (!token_well_formed(mac))
		return false;
	token_mac(context, data, want);
	return sodium_memcmp(want, mac, TOKEN_LEN) == 0;
}
