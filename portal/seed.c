/*
 * seed.c - demo content (see seed.h).
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "account_db.h"
#include "db.h"
#include "log.h"
#include "org_db.h"
#include "password.h"
#include "role.h"
#include "seed.h"

#define SEED_DOMAIN "demo.sigess.example"

struct seed_org {
	const char *name;
	const char *kind;
	const char *parent;	/* name of a top-level org seeded earlier, or NULL */
};

static const struct seed_org seed_orgs[] = {
	{ "Roma Capitale", "comune", NULL },
	{ "Regione Lazio", "regione", NULL },
	{ "Ambito sociale di Sant'Antonio Abate", "ambito", NULL },
	{ "Regione Umbria", "regione", NULL },
	{ "Comune di Orvieto", "comune", NULL },
	/* The comuni of the ambito (illustrative list of its member towns). */
	{ "Comune di Sant'Antonio Abate", "comune", "Ambito sociale di Sant'Antonio Abate" },
	{ "Comune di Agerola", "comune", "Ambito sociale di Sant'Antonio Abate" },
	{ "Comune di Casola di Napoli", "comune", "Ambito sociale di Sant'Antonio Abate" },
	{ "Comune di Gragnano", "comune", "Ambito sociale di Sant'Antonio Abate" },
	{ "Comune di Lettere", "comune", "Ambito sociale di Sant'Antonio Abate" },
	{ "Comune di Pimonte", "comune", "Ambito sociale di Sant'Antonio Abate" },
	{ "Comune di Santa Maria la Carità", "comune", "Ambito sociale di Sant'Antonio Abate" },
	{ "Comune di Castellammare di Stabia", "comune", "Ambito sociale di Sant'Antonio Abate" },
};

static const char *const seed_roman_numerals[] = {
	"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
};

/* One account per role; org is a top-level org name or a Municipio of Roma Capitale. */
static const struct {
	const char *role;
	const char *name;
	const char *org;
	const char *parent;
} seed_accounts[] = {
	{ "operatore", "Maria Rossi", "Municipio I", "Roma Capitale" },
	{ "referente", "Giulia Bianchi", "Municipio I", "Roma Capitale" },
	{ "tutor", "Luca Esposito", "Municipio I", "Roma Capitale" },
	{ "formatore", "Paolo Ricci", "Regione Lazio", NULL },
	{ "helpdesk1", "Anna Romano", "Regione Lazio", NULL },
	{ "helpdesk2", "Marco Colombo", "Regione Lazio", NULL },
	{ "coordinamento", "Francesca Greco", "Regione Lazio", NULL },
	{ "admin", "Giovanni Conti", "Regione Lazio", NULL },
};

/* Finds or creates an org; returns its id or -1. */
static int64_t
seed_org(struct db *db, const char *name, const char *kind, int64_t parent)
{
	int64_t id = org_db_find(db, name, parent);

	if (id == 0 && (id = org_db_create(db, name, kind, parent)) == 0)
		id = org_db_find(db, name, parent);	/* created meanwhile by another process */
	if (id <= 0)
		log_warnx("seed: cannot create organisation \"%s\"", name);
	return id;
}

static int
seed_orgs_all(struct db *db)
{
	int64_t roma;

	for (size_t i = 0; i < ARRAY_SIZE(seed_orgs); i++) {
		int64_t parent = 0;
		if (seed_orgs[i].parent && (parent = org_db_find(db, seed_orgs[i].parent, 0)) <= 0)
			return -1;
		if (seed_org(db, seed_orgs[i].name, seed_orgs[i].kind, parent) < 0)
			return -1;
	}
	if ((roma = org_db_find(db, "Roma Capitale", 0)) <= 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(seed_roman_numerals); i++) {
		char name[32];
		snprintf(name, sizeof(name), "Municipio %s", seed_roman_numerals[i]);
		if (seed_org(db, name, "municipio", roma) < 0)
			return -1;
	}
	return 0;
}

/* A readable random password: four groups of four, without look-alike characters. */
static void
seed_password(char out[20])
{
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	int k = 0;

	for (int g = 0; g < 4; g++) {
		for (int i = 0; i < 4; i++)
			out[k++] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
		out[k++] = g < 3 ? '-' : '\0';
	}
}

/* The password an earlier seeding wrote for email, copied into out; false if none. */
static bool
seed_known_password(const char *path, const char *email, char *out, size_t outlen)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *role = strtok(line, "\t\n"), *mail = strtok(NULL, "\t\n"), *pw = strtok(NULL, "\t\n");
		if (role && mail && pw && strcmp(mail, email) == 0 && strlen(pw) < outlen) {
			snprintf(out, outlen, "%s", pw);
			found = true;
		}
	}
	fclose(f);
	sodium_memzero(line, sizeof(line));
	return found;
}

int
seed_demo(struct db *db, const char *var_dir)
{
	char path[4096], tmp[4200];
	struct arena *a = arena_new();
	FILE *out = NULL;
	int fd, rc = -1;

	snprintf(path, sizeof(path), "%s/demo-accounts.txt", var_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (db_begin(db) == -1 || seed_orgs_all(db) == -1)
		goto out;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 || (out = fdopen(fd, "w")) == NULL) {
		log_warn("seed: \"%s\"", tmp);
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(seed_accounts); i++) {
		char email[128], pw[64], hash[PASSWORD_HASH_LEN], roles[64];
		struct account acct;
		bool found, known;
		int64_t org, parent = 0;

		snprintf(email, sizeof(email), "%s@%s", seed_accounts[i].role, SEED_DOMAIN);
		snprintf(roles, sizeof(roles), "{%s}", seed_accounts[i].role);
		if (seed_accounts[i].parent && (parent = org_db_find(db, seed_accounts[i].parent, 0)) <= 0)
			goto out;
		if ((org = org_db_find(db, seed_accounts[i].org, parent)) <= 0)
			goto out;
		if (account_db_by_email(db, a, email, &acct, &found) == -1)
			goto out;
		known = found && seed_known_password(path, email, pw, sizeof(pw));
		if (!known) {
			seed_password(pw);
			if (password_hash(pw, hash) == -1)
				goto out;
			if (found ? account_db_set_password(db, acct.user.id, hash) == -1
				  : account_db_create(db, email, seed_accounts[i].name, hash, org, "active",
						      roles) <= 0)
				goto out;
		}
		fprintf(out, "%s\t%s\t%s\n", seed_accounts[i].role, email, pw);
		sodium_memzero(pw, sizeof(pw));
	}
	if (fclose(out) != 0) {
		out = NULL;
		log_warn("seed: \"%s\"", tmp);
		goto out;
	}
	out = NULL;
	if (db_commit(db) == -1)
		goto out;
	/* The file is replaced only once the accounts it lists are committed. */
	if (rename(tmp, path) == -1) {
		log_warn("seed: rename \"%s\"", path);
		goto out;
	}
	log_info("demo content ready; accounts in %s", path);
	rc = 0;
out:
	if (out != NULL)
		fclose(out);
	if (rc == -1)
		unlink(tmp);
	db_rollback(db);
	arena_free(a);
	return rc;
}
