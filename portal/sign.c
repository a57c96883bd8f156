/*
 * sign.c - the portal's Ed25519 key and base64url (see sign.h).
 */
#include "compat.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"
#include "sign.h"

_Static_assert(SIGN_SEED_LEN == crypto_sign_SEEDBYTES, "seed size");
_Static_assert(SIGN_PUBLIC_KEY_LEN == crypto_sign_PUBLICKEYBYTES, "public key size");
_Static_assert(SIGN_SECRET_KEY_LEN == crypto_sign_SECRETKEYBYTES, "secret key size");
_Static_assert(SIGN_SIG_LEN == crypto_sign_BYTES, "signature size");

#define SIGN_B64URL sodium_base64_VARIANT_URLSAFE_NO_PADDING

/*
 * Reads the seed at path.  Returns 0, 1 if path does not exist (nothing
 * logged: the caller creates it), or -1 (logged) if the file is unusable.
 * The mode is checked on the open descriptor, not by name, so the file
 * checked is the file read; O_NONBLOCK keeps a FIFO at path from hanging
 * the start-up (it is then refused as not a regular file).
 */
static int
sign_read_seed(const char *path, unsigned char seed[SIGN_SEED_LEN])
{
	unsigned char tmp[SIGN_SEED_LEN + 1];	/* one more: a longer file is caught */
	struct stat st;
	size_t got = 0;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		if (errno == ENOENT)
			return 1;
		log_warn("signing key \"%s\": cannot open", path);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		log_warn("signing key \"%s\": cannot stat", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		log_warnx("signing key \"%s\": not a regular file", path);
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		log_warnx("signing key \"%s\": mode %04o lets group or others in, want 0600",
			  path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	while (got < sizeof(tmp)) {
		ssize_t n = read(fd, tmp + got, sizeof(tmp) - got);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("signing key \"%s\": cannot read", path);
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > SIGN_SEED_LEN) {
		log_warnx("signing key \"%s\": longer than %d bytes", path, SIGN_SEED_LEN);
		goto out;
	}
	if (got < SIGN_SEED_LEN) {
		log_warnx("signing key \"%s\": %zu bytes, want %d", path, got, SIGN_SEED_LEN);
		goto out;
	}
	memcpy(seed, tmp, SIGN_SEED_LEN);
	rc = 0;
out:
	sodium_memzero(tmp, sizeof(tmp));
	close(fd);
	return rc;
}

/* Writes all of data to fd; -1 with errno on error. */
static int
sign_write_all(int fd, const unsigned char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync()s the directory holding path, so that a new name in it survives a crash. */
static int
sign_sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, rc = -1;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1) {
		log_warn("signing key \"%s\": cannot open directory \"%s\"", path, dir);
		return -1;
	}
	if (fsync(fd) == -1) {
		log_warn("signing key \"%s\": cannot sync directory \"%s\"", path, dir);
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/*
 * Generates a seed and stores it at path, or loads the one another
 * process stored there first.  The seed is written to a fresh file
 * (O_CREAT|O_EXCL, 0600), synced, then linked to path: link() fails with
 * EEXIST if path exists, like O_EXCL, but the name appears only once the
 * 32 bytes are on disk, so a concurrent reader never sees a short file.
 */
static int
sign_create_seed(const char *path, unsigned char seed[SIGN_SEED_LEN])
{
	char tmp[PATH_MAX];
	unsigned char rnd[6];
	char hex[2 * sizeof(rnd) + 1];
	bool tmp_made = false;
	int fd = -1, rc = -1, n;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	n = snprintf(tmp, sizeof(tmp), "%s.new-%s", path, hex);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		log_warnx("signing key \"%s\": path too long", path);
		return -1;
	}
	fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd == -1) {
		log_warn("signing key \"%s\": cannot create \"%s\"", path, tmp);
		return -1;
	}
	tmp_made = true;
	randombytes_buf(seed, SIGN_SEED_LEN);
	if (sign_write_all(fd, seed, SIGN_SEED_LEN) == -1 || fsync(fd) == -1) {
		log_warn("signing key \"%s\": cannot write \"%s\"", path, tmp);
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		log_warn("signing key \"%s\": cannot write \"%s\"", path, tmp);
		goto out;
	}
	fd = -1;
	if (link(tmp, path) == -1) {
		if (errno != EEXIST) {
			log_warn("signing key \"%s\": cannot link \"%s\"", path, tmp);
			goto out;
		}
		/* Lost the race: the other process's key is the portal's key. */
		if (sign_read_seed(path, seed) != 0) {
			log_warnx("signing key \"%s\": created by another process but unreadable", path);
			goto out;
		}
		log_info("signing key \"%s\": loaded the key another process created", path);
		rc = 0;
		goto out;
	}
	if (sign_sync_dir(path) == -1)
		goto out;
	log_info("signing key \"%s\": generated a new key", path);
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (tmp_made && unlink(tmp) == -1)
		log_warn("signing key \"%s\": cannot remove \"%s\"", path, tmp);
	if (rc == -1)
		sodium_memzero(seed, SIGN_SEED_LEN);
	return rc;
}

/* Reads or creates the key file, then derives the pair from its seed. */
int
sign_key_load(const char *path, struct sign_key *out)
{
	unsigned char seed[SIGN_SEED_LEN];
	int rc = -1;

	sodium_memzero(out, sizeof(*out));
	switch (sign_read_seed(path, seed)) {
	case 0:
		break;
	case 1:
		if (sign_create_seed(path, seed) == -1)
			goto out;
		break;
	default:
		goto out;
	}
	if (crypto_sign_seed_keypair(out->pk, out->sk, seed) != 0) {
		log_warnx("signing key \"%s\": cannot derive the key pair", path);
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(seed, sizeof(seed));
	if (rc == -1)
		sign_key_clear(out);
	return rc;
}

void
sign_key_clear(struct sign_key *k)
{
	if (k != NULL)
		sodium_memzero(k, sizeof(*k));
}

void
sign_detached(const struct sign_key *k, const void *msg, size_t len,
	      unsigned char sig[SIGN_SIG_LEN])
{
	static const unsigned char empty[1];

	/* libsodium wants a valid pointer even for zero bytes. */
	if (msg == NULL)
		msg = empty;
	crypto_sign_detached(sig, NULL, msg, len, k->sk);
}

bool
sign_verify(const unsigned char pk[SIGN_PUBLIC_KEY_LEN], const void *msg, size_t len,
	    const unsigned char sig[SIGN_SIG_LEN])
{
	static const unsigned char empty[1];

	if (msg == NULL)
		msg = empty;
	return crypto_sign_verify_detached(sig, msg, len, pk) == 0;
}

int
sign_b64url_encode(char *out, size_t outlen, const unsigned char *in, size_t len)
{
	/*
	 * sodium_bin2base64() aborts on a short output, so the size is checked
	 * here; the division keeps SIGN_B64URL_LEN() from overflowing.
	 */
	if (len > (SIZE_MAX - 2) / 4 * 3 || outlen < SIGN_B64URL_LEN(len) + 1) {
		if (outlen > 0)
			out[0] = '\0';
		return -1;
	}
	if (len == 0) {
		out[0] = '\0';
		return 0;
	}
	sodium_bin2base64(out, outlen, in, len, SIGN_B64URL);
	return 0;
}

int
sign_b64url_decode(unsigned char *out, size_t outmax, const char *in, size_t *outlen)
{
	size_t len = 0, n = 0;
	int rc = -1;

	/*
	 * The alphabet is checked here: libsodium 1.0.18 decodes some bytes
	 * >= 0x80 (e.g. UTF-8 "\xc3\xa9") as if they were base64 digits.
	 */
	for (len = 0; in[len] != '\0'; len++) {
		char c = in[len];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			goto out;
	}
	/*
	 * No ignore set and no end pointer: libsodium then fails on output
	 * past outmax, on a length of 4k+1 and on non-zero unused trailing
	 * bits, so each byte string has exactly one encoding.
	 */
	if (sodium_base642bin(out, outmax, in, len, NULL, &n, NULL, SIGN_B64URL) != 0)
		goto out;
	rc = 0;
out:
	*outlen = rc == 0 ? n : 0;
	return rc;
}

void
sign_key_id(const unsigned char pk[SIGN_PUBLIC_KEY_LEN], char out[SIGN_KEY_ID_LEN + 1])
{
	unsigned char hash[crypto_generichash_BYTES_MIN];	/* 16 */

	/* 12 bytes are exactly 16 base64url characters, no partial group. */
	_Static_assert(SIGN_KEY_ID_LEN / 4 * 3 <= sizeof(hash), "key id hash size");
	crypto_generichash(hash, sizeof(hash), pk, SIGN_PUBLIC_KEY_LEN, NULL, 0);
	sodium_bin2base64(out, SIGN_KEY_ID_LEN + 1, hash, SIGN_KEY_ID_LEN / 4 * 3, SIGN_B64URL);
}
