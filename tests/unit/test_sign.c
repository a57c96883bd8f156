/*
 * test_sign.c - portal/sign.c: the key file (creation, mode, size, reload,
 * the lost race), Ed25519 against RFC 8032, tampering, base64url and key ids.
 */
#include "../../portal/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>

#include <cmocka.h>

#include "../../portal/sign.c"

/* RFC 8032 7.1, TEST 1: the empty message. */
static const char rfc_seed[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char rfc_pk[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char rfc_sig[] =
	"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

struct fixture {
	char dir[64];
	char path[128];
};

static void
unhex(unsigned char *out, size_t len, const char *hex)
{
	size_t n = 0;

	assert_int_equal(sodium_hex2bin(out, len, hex, strlen(hex), NULL, &n, NULL), 0);
	assert_int_equal(n, len);
}

static void
write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);	/* the umask must not decide */
	close(fd);
}

static int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static bool
all_zero(const void *p, size_t len)
{
	return sodium_is_zero(p, len) == 1;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || sodium_init() < 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_sign.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/signing.key", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	DIR *d = opendir(f->dir);
	struct dirent *e;
	char p[PATH_MAX];

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", f->dir, e->d_name);
		if (unlink(p) == -1)
			rmdir(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
test_generate_then_reload(void **state)
{
	struct fixture *f = *state;
	struct sign_key a, b;
	struct stat st;

	assert_int_equal(sign_key_load(f->path, &a), 0);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, SIGN_SEED_LEN);
	assert_int_equal(count_entries(f->dir), 1);	/* the temporary name is gone */
	assert_false(all_zero(a.pk, sizeof(a.pk)));

	assert_int_equal(sign_key_load(f->path, &b), 0);
	assert_memory_equal(a.pk, b.pk, sizeof(a.pk));
	assert_memory_equal(a.sk, b.sk, sizeof(a.sk));

	sign_key_clear(&a);
	assert_true(all_zero(&a, sizeof(a)));
	sign_key_clear(&b);
	sign_key_clear(NULL);
}

static void
test_two_files_two_keys(void **state)
{
	struct fixture *f = *state;
	struct sign_key a, b;
	char other[160];

	snprintf(other, sizeof(other), "%s/other.key", f->dir);
	assert_int_equal(sign_key_load(f->path, &a), 0);
	assert_int_equal(sign_key_load(other, &b), 0);
	assert_memory_not_equal(a.pk, b.pk, sizeof(a.pk));
	sign_key_clear(&a);
	sign_key_clear(&b);
}

/* The file format is the raw seed: RFC 8032's seed gives RFC 8032's key and signature. */
static void
test_rfc8032_vector(void **state)
{
	struct fixture *f = *state;
	unsigned char seed[32], pk[32], sig[64], got[64];
	struct sign_key k;

	unhex(seed, sizeof(seed), rfc_seed);
	unhex(pk, sizeof(pk), rfc_pk);
	unhex(sig, sizeof(sig), rfc_sig);
	write_file(f->path, seed, sizeof(seed), 0600);
	assert_int_equal(sign_key_load(f->path, &k), 0);
	assert_memory_equal(k.pk, pk, sizeof(pk));
	sign_detached(&k, NULL, 0, got);
	assert_memory_equal(got, sig, sizeof(sig));
	assert_true(sign_verify(pk, NULL, 0, sig));
	assert_true(sign_verify(pk, "", 0, sig));
	sign_key_clear(&k);
}

static void
test_sign_verify_and_tamper(void **state)
{
	struct fixture *f = *state;
	/* Accents and an embedded NUL: signatures cover bytes, not C strings. */
	static const char msg[] = "{\"code\":\"ABC\",\"holder\":\"Niccol\xc3\xb2\"}\0tail";
	unsigned char m[sizeof(msg)], sig[SIGN_SIG_LEN], other_pk[32];
	struct sign_key k;
	size_t i;

	assert_int_equal(sign_key_load(f->path, &k), 0);
	memcpy(m, msg, sizeof(m));
	sign_detached(&k, m, sizeof(m), sig);
	assert_true(sign_verify(k.pk, m, sizeof(m), sig));

	for (i = 0; i < sizeof(m) * 8; i++) {
		m[i / 8] ^= (unsigned char)(1u << (i % 8));
		assert_false(sign_verify(k.pk, m, sizeof(m), sig));
		m[i / 8] ^= (unsigned char)(1u << (i % 8));
	}
	for (i = 0; i < sizeof(sig) * 8; i++) {
		sig[i / 8] ^= (unsigned char)(1u << (i % 8));
		assert_false(sign_verify(k.pk, m, sizeof(m), sig));
		sig[i / 8] ^= (unsigned char)(1u << (i % 8));
	}
	/* Shorter message (the part before the NUL), other key. */
	assert_false(sign_verify(k.pk, m, strlen(msg), sig));
	memcpy(other_pk, k.pk, sizeof(other_pk));
	other_pk[0] ^= 1;
	assert_false(sign_verify(other_pk, m, sizeof(m), sig));
	assert_true(sign_verify(k.pk, m, sizeof(m), sig));
	sign_key_clear(&k);
}

static void
test_refuses_open_modes(void **state)
{
	struct fixture *f = *state;
	static const mode_t bad[] = { 0644, 0640, 0604, 0660, 0602, 0620 };
	unsigned char seed[SIGN_SEED_LEN];
	struct sign_key k;
	size_t i;

	memset(seed, 0x42, sizeof(seed));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		write_file(f->path, seed, sizeof(seed), bad[i]);
		memset(&k, 0xaa, sizeof(k));
		assert_int_equal(sign_key_load(f->path, &k), -1);
		assert_true(all_zero(&k, sizeof(k)));
	}
	/* 0400 is fine: only the owner's bits are free. */
	write_file(f->path, seed, sizeof(seed), 0400);
	assert_int_equal(sign_key_load(f->path, &k), 0);
	sign_key_clear(&k);
}

static void
test_refuses_wrong_sizes(void **state)
{
	struct fixture *f = *state;
	static const size_t sizes[] = { 0, 1, SIGN_SEED_LEN - 1, SIGN_SEED_LEN + 1, 64, 4096 };
	unsigned char data[4096];
	struct sign_key k;
	size_t i;

	memset(data, 0x42, sizeof(data));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		write_file(f->path, data, sizes[i], 0600);
		assert_int_equal(sign_key_load(f->path, &k), -1);
		assert_true(all_zero(&k, sizeof(k)));
	}
	/* The file was refused, not replaced. */
	{
		struct stat st;

		assert_int_equal(stat(f->path, &st), 0);
		assert_int_equal(st.st_size, 4096);
	}
	write_file(f->path, data, SIGN_SEED_LEN, 0600);
	assert_int_equal(sign_key_load(f->path, &k), 0);
	sign_key_clear(&k);
}

static void
test_refuses_special_files_and_missing_dir(void **state)
{
	struct fixture *f = *state;
	struct sign_key k;
	char missing[192];

	assert_int_equal(mkdir(f->path, 0700), 0);
	assert_int_equal(sign_key_load(f->path, &k), -1);
	assert_int_equal(rmdir(f->path), 0);
	/* A FIFO would block a plain open() for ever. */
	assert_int_equal(mkfifo(f->path, 0600), 0);
	assert_int_equal(sign_key_load(f->path, &k), -1);
	assert_int_equal(unlink(f->path), 0);

	snprintf(missing, sizeof(missing), "%s/nope/signing.key", f->dir);
	assert_int_equal(sign_key_load(missing, &k), -1);
	assert_int_equal(count_entries(f->dir), 0);
}

/* Another process created the key between our open() and our link(): theirs wins. */
static void
test_lost_race_reads_theirs(void **state)
{
	struct fixture *f = *state;
	unsigned char theirs[SIGN_SEED_LEN], got[SIGN_SEED_LEN];

	memset(theirs, 0x5a, sizeof(theirs));
	write_file(f->path, theirs, sizeof(theirs), 0600);
	assert_int_equal(sign_create_seed(f->path, got), 0);
	assert_memory_equal(got, theirs, sizeof(theirs));
	assert_int_equal(count_entries(f->dir), 1);

	/* ... and if theirs is unusable, we fail rather than use ours. */
	write_file(f->path, theirs, sizeof(theirs), 0644);
	assert_int_equal(sign_create_seed(f->path, got), -1);
	assert_true(all_zero(got, sizeof(got)));
	assert_int_equal(count_entries(f->dir), 1);
}

static void
test_b64url_round_trip(void **state)
{
	unsigned char in[64], back[64];
	char enc[SIGN_B64URL_LEN(64) + 1];
	size_t len, n;

	(void)state;
	randombytes_buf(in, sizeof(in));
	for (len = 0; len <= sizeof(in); len++) {
		assert_int_equal(sign_b64url_encode(enc, sizeof(enc), in, len), 0);
		assert_int_equal(strlen(enc), SIGN_B64URL_LEN(len));
		assert_null(strpbrk(enc, "+/="));
		assert_int_equal(sign_b64url_decode(back, sizeof(back), enc, &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(back, in, len);
	}

	/* The URL-safe alphabet: 0xfb 0xff is "+/8" in standard base64. */
	assert_int_equal(sign_b64url_encode(enc, sizeof(enc), (const unsigned char *)"\xfb\xff", 2), 0);
	assert_string_equal(enc, "-_8");
	assert_int_equal(sign_b64url_decode(back, sizeof(back), "-_8", &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(back, "\xfb\xff", 2);
	/* Embedded NUL bytes are data. */
	assert_int_equal(sign_b64url_encode(enc, sizeof(enc), (const unsigned char *)"\0a\0", 3), 0);
	assert_string_equal(enc, "AGEA");
}

static void
test_b64url_encode_bounds(void **state)
{
	unsigned char in[3] = { 1, 2, 3 };
	char enc[8];

	(void)state;
	/* 3 bytes need 4 characters and the NUL: 5 is enough, 4 is not. */
	assert_int_equal(sign_b64url_encode(enc, 5, in, 3), 0);
	assert_string_equal(enc, "AQID");
	memset(enc, 'x', sizeof(enc));
	assert_int_equal(sign_b64url_encode(enc, 4, in, 3), -1);
	assert_int_equal(enc[0], '\0');
	assert_int_equal(sign_b64url_encode(enc, 0, in, 3), -1);
	assert_int_equal(enc[1], 'x');	/* outlen 0: nothing written */
	assert_int_equal(sign_b64url_encode(enc, 1, in, 0), 0);
	assert_string_equal(enc, "");
	assert_int_equal(sign_b64url_encode(enc, sizeof(enc), in, SIZE_MAX), -1);
}

static void
test_b64url_decode_refuses(void **state)
{
	static const char *bad[] = {
		"A",		/* a lone character is 6 bits: never a whole byte */
		"AAAAA",
		"AA==",		/* padding is not part of the variant */
		"AA=",
		"a+b/",		/* standard alphabet */
		"AA AA",
		" AAAA",
		"AAAA\n",
		"AB",		/* non-zero unused bits: "AA" is the one encoding of 0x00 */
		"AAB",
		"\xc3\xa9\xc3\xa9",	/* UTF-8 "éé" */
		"\xff\xfe",	/* broken UTF-8 */
		"AA\xc3\xa9",	/* libsodium 1.0.18 takes some of these as digits */
	};
	unsigned char out[16];
	size_t i, n;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		n = 99;
		assert_int_equal(sign_b64url_decode(out, sizeof(out), bad[i], &n), -1);
		assert_int_equal(n, 0);
	}
	/* outmax: exactly enough, then one short. */
	assert_int_equal(sign_b64url_decode(out, 3, "AQID", &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(sign_b64url_decode(out, 2, "AQID", &n), -1);
	assert_int_equal(n, 0);
	assert_int_equal(sign_b64url_decode(out, 0, "", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(sign_b64url_decode(out, 0, "AA", &n), -1);
}

static void
test_key_id(void **state)
{
	unsigned char pk[32];
	char id[SIGN_KEY_ID_LEN + 1], id2[SIGN_KEY_ID_LEN + 1];

	(void)state;
	unhex(pk, sizeof(pk), rfc_pk);
	sign_key_id(pk, id);
	/* base64url(BLAKE2b-128(pk)[0..12)), computed independently with Python's hashlib. */
	assert_string_equal(id, "1xCLQi8lzF7bhlzE");
	assert_int_equal(strlen(id), SIGN_KEY_ID_LEN);
	pk[31] ^= 1;
	sign_key_id(pk, id2);
	assert_string_not_equal(id, id2);
	assert_int_equal(strlen(id2), SIGN_KEY_ID_LEN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_generate_then_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_files_two_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rfc8032_vector, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sign_verify_and_tamper, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_open_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_wrong_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_special_files_and_missing_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_race_reads_theirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_b64url_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_b64url_encode_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_b64url_decode_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_id, setup, teardown),
	};

	log_set_level(LOG_LEVEL_ERROR);	/* the refusals are expected */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
