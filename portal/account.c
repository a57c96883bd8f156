/*
 * account.c - the account pages and API (see account.h).
 *
 * Anything that answers about an email address answers the same whether
 * the address is known or not (registration, reset), so that the portal
 * cannot be used to find out who has an account.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "account.h"
#include "account_db.h"
#include "config.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "mail.h"
#include "org.h"
#include "org_db.h"
#include "password.h"
#include "ratelimit.h"
#include "response.h"
#include "role.h"
#include "router.h"
#include "session.h"
#include "tmpl.h"
#include "token.h"

static const struct config *account_cfg;

/* Messages shown after a redirect, chosen by a fixed code in the URL. */
static const struct response_notice account_notices[] = {
	{ "registrato", "Ti abbiamo inviato un messaggio: segui il link che contiene per confermare il tuo indirizzo email." },
	{ "confermato", "Indirizzo confermato. Un amministratore approverà presto il tuo account: riceverai un messaggio." },
	{ "uscito", "Sei uscito dal portale." },
	{ "reset-inviato", "Se l'indirizzo corrisponde a un account, riceverai un messaggio con le istruzioni per reimpostare la password." },
	{ "password-reimpostata", "Password reimpostata: ora puoi accedere con la nuova password." },
	{ "password-cambiata", "Password cambiata." },
	{ "profilo-salvato", "Profilo salvato." },
};

#define FIELD_EMAIL { "email", FIELD_BODY, VALID_EMAIL, 0, 0, NULL, FIELD_REQUIRED, "Indirizzo email" }
#define FIELD_PASSWORD(name, label) \
	{ name, FIELD_BODY, VALID_TEXT, 1, PASSWORD_MAX_CHARS, NULL, FIELD_REQUIRED | FIELD_RAW, label }
#define FIELD_NEW_PASSWORD(name, label) \
	{ name, FIELD_BODY, VALID_TEXT, PASSWORD_MIN_CHARS, PASSWORD_MAX_CHARS, NULL, \
	  FIELD_REQUIRED | FIELD_RAW, label }
#define FIELD_EMAIL_TOKEN(src) { "token", src, VALID_TOKEN, TOKEN_LEN, TOKEN_LEN, NULL, FIELD_REQUIRED, "Codice" }

/* An absolute link for an email: base URL + path + token. */
static const char *
account_link(struct request *req, const char *path, const char *token)
{
	return arena_printf(req->arena, "%s%s?token=%s", account_cfg->base_url, path, token);
}

/* The org select of the registration form, with the chosen one marked. */
static int
account_org_options(struct request *req, struct tmpl_ctx *ctx, int64_t selected)
{
	struct org_list orgs;

	if (org_db_list(req->db, req->arena, &orgs) == -1)
		return -1;
	org_options(ctx, &orgs, selected);
	return 0;
}

/* ---- registration ---- */

static const struct field account_register_fields[] = {
	{ "name", FIELD_BODY, VALID_TEXT, 2, 120, NULL, FIELD_REQUIRED, "Nome e cognome" },
	FIELD_EMAIL,
	{ "org", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Ente di appartenenza" },
	FIELD_NEW_PASSWORD("password", "Password"),
	FIELD_PASSWORD("password_confirm", "Conferma della password"),
	{ "privacy", FIELD_BODY, VALID_BOOL, 0, 0, NULL, FIELD_REQUIRED, "Consenso al trattamento dei dati" },
};

static int
account_register_form(struct request *req, int status)
{
	struct tmpl_ctx *ctx = response_ctx(req, "Registrati");

	response_form(req, ctx);
	if (account_org_options(req, ctx, request_int(req, "org", 0)) == -1)
		return 500;
	tmpl_set_int(ctx, "password_min", PASSWORD_MIN_CHARS);
	return response_page(req, status, "portal/register", ctx);
}

/* GET /registrati: 200, or 303 home when already signed in. */
static int
account_register_page(struct request *req)
{
	if (req->user != NULL)
		return response_redirect(req, "/");
	return account_register_form(req, 200);
}

/* Limits on requests that send mail or hash passwords for visitors. */
/* Generous per address: a whole office behind one NAT may register on the
 * morning of its first course. */
#define ACCOUNT_REGISTER_PER_ADDR 50	/* registrations per client address per hour */
#define ACCOUNT_RESET_PER_ADDR 50	/* reset requests per client address per hour */
#define ACCOUNT_RESET_PER_EMAIL 3	/* reset mails per address per hour */
#define ACCOUNT_HOUR 3600

/* 429 with Retry-After, on the page's form. */
static int
account_limited(struct request *req, int64_t retry_after)
{
	response_header(req, "Retry-After", arena_printf(req->arena, "%lld", (long long)retry_after));
	return response_error(req, 429, arena_printf(req->arena,
	    "Troppe richieste da questo indirizzo. Riprova tra %lld minuti.",
	    (long long)(retry_after + 59) / 60));
}

/* The rule every form with a new password shares. */
static void
account_check_confirmation(struct request *req)
{
	if (req->nerrors == 0 && strcmp(request_str(req, "password"), request_str(req, "password_confirm")) != 0)
		response_field_error(req, "password_confirm", "Le due password non coincidono.");
}

/* A new confirmation token for user id, mailed to email (in the caller's transaction). */
static int
account_send_confirmation(struct request *req, int64_t id, const char *email, const char *name)
{
	static const char *const body[] = {
		"grazie per esserti registrato al portale. Per confermare il tuo indirizzo email "
		"segui il link qui sotto entro 24 ore.",
		"Dopo la conferma, un amministratore approverà il tuo account.",
		NULL
	};
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_PARAM_LEN];
	struct mail_content mail = {
		.subject = "Conferma la tua registrazione",
		.greeting = arena_printf(req->arena, "Gentile %s,", name),
		.paragraphs = body,
		.action_label = "Conferma l'indirizzo email",
	};
	int rc;

	token_new(token);
	token_hash_param(token, hash);
	mail.action_url = account_link(req, "/conferma", token);
	sodium_memzero(token, sizeof(token));
	rc = account_db_token_create(req->db, id, "confirm", hash, account_cfg->token_ttl) == -1 ||
	     mail_queue(req->db, req->arena, email, name, &mail) == -1 ? -1 : 0;
	return rc;
}

/* The mail for an address that has an account already (no enumeration by the page). */
static int
account_send_taken(struct request *req, const char *email)
{
	static const char *const body[] = {
		"qualcuno ha chiesto di registrare questo indirizzo email sul portale, "
		"ma esiste già un account con questo indirizzo.",
		"Se sei stato tu e non ricordi la password, puoi reimpostarla dalla pagina di accesso. "
		"Altrimenti puoi ignorare questo messaggio.",
		NULL
	};
	struct mail_content mail = {
		.subject = "Hai già un account sul portale",
		.greeting = "Gentile utente,",
		.paragraphs = body,
		.action_label = "Reimposta la password",
		.action_url = arena_printf(req->arena, "%s/password/dimenticata", account_cfg->base_url),
	};

	return mail_queue(req->db, req->arena, email, NULL, &mail);
}

/*
 * POST /registrati: 303 to the sign-in page with a notice; 400 with the
 * form; 429 past the per-address limit; 503 when password hashing is
 * saturated; 500.  The page answers the same whether the address is new
 * or not: a known address gets a mail saying so, or, if it never
 * confirmed, a new confirmation link.
 */
static int
account_register_submit(struct request *req)
{
	char hash[PASSWORD_HASH_LEN];
	const char *email = request_str(req, "email"), *name = request_str(req, "name");
	struct account existing;
	bool org_exists = false, found;
	int64_t id, count, retry;
	int status = 500;

	account_check_confirmation(req);
	if (req->nerrors == 0 && request_int(req, "privacy", 0) != 1)
		response_field_error(req, "privacy", "Per registrarti devi accettare l'informativa sulla privacy.");
	if (req->nerrors == 0) {
		if (org_db_exists(req->db, request_int(req, "org", 0), &org_exists) == -1)
			return 500;
		if (!org_exists)
			response_field_error(req, "org", "Scegli un ente dall'elenco.");
	}
	if (req->nerrors > 0)
		return account_register_form(req, 400);
	if (ratelimit_count(req->db, "register_addr", req->client_addr, ACCOUNT_HOUR, &count, &retry) == -1 ||
	    ratelimit_add(req->db, "register_addr", req->client_addr) == -1)
		return 500;
	if (count >= ACCOUNT_REGISTER_PER_ADDR)
		return account_limited(req, retry);
	if (password_hash(request_str(req, "password"), hash) == -1)
		return response_busy(req);
	if (db_begin(req->db) == -1)
		goto out;
	id = account_db_create(req->db, email, name, hash, request_int(req, "org", 0), "unconfirmed",
			       "{operatore}");
	if (id < 0)
		goto out;
	if (id > 0) {
		if (account_send_confirmation(req, id, email, name) == -1 ||
		    account_db_audit(req->db, id, "register", id, email, req->client_addr) == -1)
			goto out;
	} else {
		if (account_db_by_email(req->db, req->arena, email, &existing, &found) == -1 || !found)
			goto out;
		if (strcmp(existing.status, "unconfirmed") == 0
		    ? account_send_confirmation(req, existing.user.id, existing.user.email,
						existing.user.name) == -1
		    : account_send_taken(req, email) == -1)
			goto out;
	}
	if (db_commit(req->db) == -1)
		goto out;
	status = response_redirect(req, "/accedi?esito=registrato");
out:
	db_rollback(req->db);
	return status;
}

/* ---- email confirmation ---- */

static const struct field account_confirm_fields[] = { FIELD_EMAIL_TOKEN(FIELD_QUERY) };
static const struct field account_confirm_post_fields[] = { FIELD_EMAIL_TOKEN(FIELD_BODY) };

/*
 * GET /conferma?token=: 200 with a button.  Confirming takes a POST so
 * that mail scanners that follow links do not confirm on their own.
 */
static int
account_confirm_page(struct request *req)
{
	struct tmpl_ctx *ctx = response_ctx(req, "Conferma l'indirizzo email");

	tmpl_set(ctx, "token", request_str(req, "token"));
	return response_page(req, 200, "portal/confirm", ctx);
}

/* POST /conferma: 303 to sign-in, 400 on an unknown, used or expired token, 500. */
static int
account_confirm_submit(struct request *req)
{
	char hash[TOKEN_HASH_PARAM_LEN];
	bool found;
	struct account acct;
	int64_t uid;
	int status = 500;

	token_hash_param(request_str(req, "token"), hash);
	if (db_begin(req->db) == -1)
		goto out;
	if ((uid = account_db_token_use(req->db, "confirm", hash)) < 0)
		goto out;
	if (uid == 0) {
		status = response_error(req, 400, "Il link di conferma non è valido o è scaduto. "
						  "Registrati di nuovo per riceverne uno nuovo.");
		goto out;
	}
	if (account_db_by_id(req->db, req->arena, uid, &acct, &found) == -1 || !found)
		goto out;
	if (strcmp(acct.status, "unconfirmed") == 0 &&
	    account_db_set_status(req->db, uid, "pending", 0) == -1)
		goto out;
	if (account_db_audit(req->db, uid, "confirm_email", uid, "", req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	status = response_redirect(req, "/accedi?esito=confermato");
out:
	db_rollback(req->db);
	return status;
}

/* ---- sign-in ---- */

enum account_login_result { LOGIN_OK, LOGIN_BAD, LOGIN_NOT_ACTIVE, LOGIN_LIMITED, LOGIN_BUSY,
			   LOGIN_ERROR };

/*
 * Checks the limits, then the password; on success starts a session in
 * the same transaction as the audit line and the reset of the failure
 * count.  The same work is done for unknown addresses (a dummy hash is
 * checked), so timing does not tell which addresses exist.  The limits
 * count failures per account and per client address; a failure is
 * recorded before it is answered, so parallel guesses see each other,
 * give or take the attempts already being checked (one per pool thread).
 */
static enum account_login_result
account_login(struct request *req, const char *email, const char *password,
	      struct account *acct, int64_t *retry_after)
{
	int64_t by_email, by_addr, retry_addr;
	bool found;
	int ok;

	if (ratelimit_count(req->db, "login_email", email, account_cfg->login_window,
			    &by_email, retry_after) == -1 ||
	    ratelimit_count(req->db, "login_addr", req->client_addr, account_cfg->login_window,
			    &by_addr, &retry_addr) == -1)
		return LOGIN_ERROR;
	if (by_email >= account_cfg->login_max_per_account ||
	    by_addr >= account_cfg->login_max_per_address) {
		if (by_addr >= account_cfg->login_max_per_address && retry_addr > *retry_after)
			*retry_after = retry_addr;
		return LOGIN_LIMITED;
	}
	if (account_db_by_email(req->db, req->arena, email, acct, &found) == -1)
		return LOGIN_ERROR;
	ok = password_verify(found ? acct->password_hash : password_dummy_hash(), password);
	if (ok == -1)
		return LOGIN_BUSY;
	if (!ok || !found) {
		if (ratelimit_add(req->db, "login_email", email) == -1 ||
		    ratelimit_add(req->db, "login_addr", req->client_addr) == -1 ||
		    account_db_audit(req->db, found ? acct->user.id : 0, "login_failed",
				     found ? acct->user.id : 0, email, req->client_addr) == -1)
			return LOGIN_ERROR;
		return LOGIN_BAD;
	}
	if (strcmp(acct->status, "active") != 0)
		return LOGIN_NOT_ACTIVE;
	if (db_begin(req->db) == -1 ||
	    ratelimit_clear(req->db, "login_email", email) == -1 ||
	    session_start(req, acct->user.id) == -1 ||
	    account_db_audit(req->db, acct->user.id, "login", acct->user.id,
			     req->route->flags & ROUTE_API ? "api" : "", req->client_addr) == -1 ||
	    db_commit(req->db) == -1) {
		db_rollback(req->db);
		return LOGIN_ERROR;
	}
	req->user = arena_alloc(req->arena, sizeof(*req->user));
	*req->user = acct->user;
	return LOGIN_OK;
}

static const char *
account_not_active_message(const struct account *acct)
{
	if (strcmp(acct->status, "unconfirmed") == 0)
		return "Devi ancora confermare il tuo indirizzo email: segui il link del messaggio che ti abbiamo inviato.";
	if (strcmp(acct->status, "pending") == 0)
		return "Il tuo account è in attesa di approvazione da parte di un amministratore.";
	return "Il tuo account è disattivato. Rivolgiti all'amministratore del portale.";
}

static const struct field account_login_page_fields[] = {
	RESPONSE_NOTICE_FIELD,
	{ "next", FIELD_QUERY, VALID_TEXT, 1, 500, NULL, 0, "Pagina successiva" },
};

static const struct field account_login_fields[] = {
	FIELD_EMAIL,
	FIELD_PASSWORD("password", "Password"),
	{ "next", FIELD_BODY, VALID_TEXT, 1, 500, NULL, 0, "Pagina successiva" },
};

static int
account_login_form(struct request *req, int status, const char *message)
{
	struct tmpl_ctx *ctx = response_ctx(req, "Accedi");

	response_form(req, ctx);
	response_notice(req, ctx, account_notices, ARRAY_SIZE(account_notices));
	tmpl_set(ctx, "message", message);
	tmpl_set(ctx, "next", request_str(req, "next"));
	return response_page(req, status, "portal/login", ctx);
}

/* GET /accedi: 200, or 303 home when already signed in. */
static int
account_login_page(struct request *req)
{
	if (req->user != NULL)
		return response_redirect(req, "/");
	return account_login_form(req, 200, NULL);
}

/* POST /accedi: 303 to next or home; 400 form errors; 401 bad credentials;
 * 403 account not active; 429 with Retry-After; 500. */
static int
account_login_submit(struct request *req)
{
	struct account acct;
	int64_t retry = 0;

	if (req->nerrors > 0)
		return account_login_form(req, 400, NULL);
	switch (account_login(req, request_str(req, "email"), request_str(req, "password"), &acct, &retry)) {
	case LOGIN_OK:
		return response_redirect(req, request_str(req, "next") ? request_str(req, "next") : "/");
	case LOGIN_BAD:
		return account_login_form(req, 401, "Email o password non corretti.");
	case LOGIN_NOT_ACTIVE:
		return account_login_form(req, 403, account_not_active_message(&acct));
	case LOGIN_LIMITED:
		response_header(req, "Retry-After", arena_printf(req->arena, "%lld", (long long)retry));
		return account_login_form(req, 429, arena_printf(req->arena,
		    "Troppi tentativi di accesso non riusciti. Riprova tra %lld minuti.",
		    (long long)(retry + 59) / 60));
	case LOGIN_BUSY:
		return response_busy(req);
	default:
		return 500;
	}
}

/* POST /esci: 303 to the sign-in page. */
static int
account_logout(struct request *req)
{
	if (session_end(req) == -1)
		return 500;
	return response_redirect(req, "/accedi?esito=uscito");
}

/* ---- password reset ---- */

static const struct field account_forgot_fields[] = { FIELD_EMAIL };

/* GET /password/dimenticata: 200 */
static int
account_forgot_page(struct request *req)
{
	struct tmpl_ctx *ctx = response_ctx(req, "Password dimenticata");

	response_form(req, ctx);
	return response_page(req, req->nerrors ? 400 : 200, "portal/forgot", ctx);
}

/* POST /password/dimenticata: 303 with the same notice whatever the address; 400; 500. */
static int
account_forgot_submit(struct request *req)
{
	static const char *const body[] = {
		"abbiamo ricevuto una richiesta di reimpostare la password del tuo account.",
		"Il link vale una sola volta e scade dopo 24 ore. Se non hai chiesto tu di "
		"reimpostare la password, ignora questo messaggio: la password resta quella di prima.",
		NULL
	};
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_PARAM_LEN];
	const char *email = request_str(req, "email");
	struct mail_content mail = { 0 };
	struct account acct;
	int64_t by_addr, by_email, retry;
	bool found;
	int status = 500;

	if (req->nerrors > 0)
		return account_forgot_page(req);
	if (ratelimit_count(req->db, "reset_addr", req->client_addr, ACCOUNT_HOUR, &by_addr, &retry) == -1 ||
	    ratelimit_add(req->db, "reset_addr", req->client_addr) == -1)
		return 500;
	if (by_addr >= ACCOUNT_RESET_PER_ADDR)
		return account_limited(req, retry);
	/* Past a few mails an hour to one address, further requests are
	 * answered as usual but send nothing: nobody's inbox is flooded. */
	if (ratelimit_count(req->db, "reset_email", email, ACCOUNT_HOUR, &by_email, &retry) == -1 ||
	    account_db_by_email(req->db, req->arena, email, &acct, &found) == -1)
		return 500;
	if (found && by_email < ACCOUNT_RESET_PER_EMAIL && strcmp(acct.status, "disabled") != 0) {
		token_new(token);
		token_hash_param(token, hash);
		mail.subject = "Reimposta la password";
		mail.greeting = arena_printf(req->arena, "Gentile %s,", acct.user.name);
		mail.paragraphs = body;
		mail.action_label = "Scegli una nuova password";
		mail.action_url = account_link(req, "/password/reimposta", token);
		sodium_memzero(token, sizeof(token));
		if (db_begin(req->db) == -1 ||
		    ratelimit_add(req->db, "reset_email", email) == -1 ||
		    account_db_token_create(req->db, acct.user.id, "reset", hash, account_cfg->token_ttl) == -1 ||
		    mail_queue(req->db, req->arena, acct.user.email, acct.user.name, &mail) == -1 ||
		    account_db_audit(req->db, 0, "password_reset_request", acct.user.id, "",
				     req->client_addr) == -1 ||
		    db_commit(req->db) == -1)
			goto out;
	}
	status = response_redirect(req, "/accedi?esito=reset-inviato");
out:
	db_rollback(req->db);
	return status;
}

static const struct field account_reset_page_fields[] = { FIELD_EMAIL_TOKEN(FIELD_QUERY) };
static const struct field account_reset_fields[] = {
	FIELD_EMAIL_TOKEN(FIELD_BODY),
	FIELD_NEW_PASSWORD("password", "Nuova password"),
	FIELD_PASSWORD("password_confirm", "Conferma della nuova password"),
};

static int
account_reset_form(struct request *req, int status)
{
	struct tmpl_ctx *ctx = response_ctx(req, "Scegli una nuova password");

	response_form(req, ctx);
	tmpl_set(ctx, "token", request_str(req, "token"));
	tmpl_set_int(ctx, "password_min", PASSWORD_MIN_CHARS);
	return response_page(req, status, "portal/reset", ctx);
}

/* GET /password/reimposta?token=: 200 */
static int
account_reset_page(struct request *req)
{
	return account_reset_form(req, 200);
}

/* POST /password/reimposta: 303 to sign-in; 400 form errors or a bad token; 500.
 * Every session of the account ends: whoever knew the old password is out. */
static int
account_reset_submit(struct request *req)
{
	char hash[TOKEN_HASH_PARAM_LEN], pw[PASSWORD_HASH_LEN];
	int64_t uid;
	int status = 500;

	account_check_confirmation(req);
	if (req->nerrors > 0)
		return account_reset_form(req, 400);
	/* The token is spent before the costly hash: a visitor without a
	 * valid link cannot make the portal hash passwords for nothing. */
	token_hash_param(request_str(req, "token"), hash);
	if (db_begin(req->db) == -1 || (uid = account_db_token_use(req->db, "reset", hash)) < 0)
		goto out;
	if (uid == 0) {
		status = response_error(req, 400, "Il link per reimpostare la password non è valido o è "
						  "scaduto: chiedine uno nuovo.");
		goto out;
	}
	if (password_hash(request_str(req, "password"), pw) == -1) {
		status = response_busy(req);
		goto out;
	}
	if (account_db_set_password(req->db, uid, pw) == -1 ||
	    account_db_tokens_revoke(req->db, uid, "reset") == -1 ||
	    account_db_sessions_end(req->db, uid) == -1 ||
	    account_db_audit(req->db, uid, "password_reset", uid, "", req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	status = response_redirect(req, "/accedi?esito=password-reimpostata");
out:
	db_rollback(req->db);
	return status;
}

/* ---- profile ---- */

static const struct field account_profile_page_fields[] = { RESPONSE_NOTICE_FIELD };
static const struct field account_profile_fields[] = {
	{ "name", FIELD_BODY, VALID_TEXT, 2, 120, NULL, FIELD_REQUIRED, "Nome e cognome" },
};
static const struct field account_password_fields[] = {
	FIELD_PASSWORD("current_password", "Password attuale"),
	FIELD_NEW_PASSWORD("password", "Nuova password"),
	FIELD_PASSWORD("password_confirm", "Conferma della nuova password"),
};

static int
account_profile_form(struct request *req, int status)
{
	struct tmpl_ctx *ctx = response_ctx(req, "Il mio profilo");
	struct tmpl_ctx *form = response_form(req, ctx);

	response_notice(req, ctx, account_notices, ARRAY_SIZE(account_notices));
	tmpl_set(ctx, "email", req->user->email);
	tmpl_set(ctx, "org_name", req->user->org_name);
	/* The name field shows what was typed after a failed save, else the stored name. */
	if (req->route->fields != account_profile_fields)
		tmpl_set(form, "name", req->user->name);
	for (int i = 0; i < ROLE_COUNT; i++)
		if (req->user->roles & (1u << i))
			tmpl_set(tmpl_list_add(ctx, "roles"), "label", role_label(i));
	tmpl_set_int(ctx, "password_min", PASSWORD_MIN_CHARS);
	return response_page(req, status, "portal/profile", ctx);
}

/* GET /profilo: 200 */
static int
account_profile_page(struct request *req)
{
	return account_profile_form(req, 200);
}

/* POST /profilo: 303 back with a notice; 400; 500. */
static int
account_profile_submit(struct request *req)
{
	if (req->nerrors > 0)
		return account_profile_form(req, 400);
	if (account_db_set_name(req->db, req->user->id, request_str(req, "name")) == -1)
		return 500;
	return response_redirect(req, "/profilo?esito=profilo-salvato");
}

/* POST /profilo/password: 303 back with a notice; 400 wrong current password or form; 500.
 * Other sessions end; this one goes on with a new token. */
static int
account_password_submit(struct request *req)
{
	char pw[PASSWORD_HASH_LEN];
	struct account acct;
	int64_t failures, retry;
	bool found;
	int ok, status = 500;

	account_check_confirmation(req);
	if (req->nerrors == 0) {
		/* Guessing the current password counts as failed sign-ins: a
		 * stolen session cannot be used to try passwords freely. */
		if (ratelimit_count(req->db, "login_email", req->user->email, account_cfg->login_window,
				    &failures, &retry) == -1 ||
		    account_db_by_id(req->db, req->arena, req->user->id, &acct, &found) == -1 || !found)
			return 500;
		if (failures >= account_cfg->login_max_per_account)
			return account_limited(req, retry);
		if ((ok = password_verify(acct.password_hash, request_str(req, "current_password"))) == -1)
			return response_busy(req);
		if (!ok) {
			if (ratelimit_add(req->db, "login_email", req->user->email) == -1)
				return 500;
			response_field_error(req, "current_password", "La password attuale non è corretta.");
		}
	}
	if (req->nerrors > 0)
		return account_profile_form(req, 400);
	if (password_hash(request_str(req, "password"), pw) == -1)
		return response_busy(req);
	/* Every session ends, this one included, and a new one starts in the
	 * same transaction: whoever knew the old password is signed out. */
	if (db_begin(req->db) == -1 ||
	    account_db_set_password(req->db, req->user->id, pw) == -1 ||
	    account_db_tokens_revoke(req->db, req->user->id, "reset") == -1 ||
	    account_db_sessions_end(req->db, req->user->id) == -1 ||
	    account_db_audit(req->db, req->user->id, "password_change", req->user->id, "",
			     req->client_addr) == -1)
		goto out;
	req->session_id = 0;	/* deleted with the others */
	if (session_start(req, req->user->id) == -1 || db_commit(req->db) == -1)
		goto out;
	status = response_redirect(req, "/profilo?esito=password-cambiata");
out:
	db_rollback(req->db);
	return status;
}

/* ---- JSON API ---- */

/* Writes the public view of a user (never the password hash). */
void
account_json_user(struct json_writer *w, const char *key, const struct user *u, const char *status)
{
	json_obj_open(w, key);
	json_int(w, "id", u->id);
	json_str(w, "email", u->email);
	json_str(w, "name", u->name);
	if (u->org_id)
		json_int(w, "org_id", u->org_id);
	else
		json_null(w, "org_id");
	json_str(w, "org_name", u->org_name);
	if (status)
		json_str(w, "status", status);
	json_arr_open(w, "roles");
	for (int i = 0; i < ROLE_COUNT; i++)
		if (u->roles & (1u << i))
			json_str(w, NULL, role_name(i));
	json_arr_close(w);
	json_obj_close(w);
}

static const struct field account_api_login_fields[] = {
	FIELD_EMAIL,
	FIELD_PASSWORD("password", "Password"),
};

/* POST /api/v1/session: 200 {user, csrf_token} and the cookie; 400; 401; 403; 429; 500. */
static int
account_api_login(struct request *req)
{
	struct json_writer w;
	struct account acct;
	int64_t retry = 0;

	switch (account_login(req, request_str(req, "email"), request_str(req, "password"), &acct, &retry)) {
	case LOGIN_OK:
		break;
	case LOGIN_BAD:
		return response_json_error(req, 401, "bad_credentials", "Email o password non corretti.");
	case LOGIN_NOT_ACTIVE:
		return response_json_error(req, 403, "account_not_active", account_not_active_message(&acct));
	case LOGIN_LIMITED:
		response_header(req, "Retry-After", arena_printf(req->arena, "%lld", (long long)retry));
		return response_json_error(req, 429, "too_many_attempts",
					   "Troppi tentativi di accesso non riusciti.");
	case LOGIN_BUSY:
		return response_busy(req);
	default:
		return 500;
	}
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	account_json_user(&w, "user", req->user, NULL);
	json_str(&w, "csrf_token", req->csrf_token);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* DELETE /api/v1/session: 204; 500. */
static int
account_api_logout(struct request *req)
{
	if (session_end(req) == -1)
		return 500;
	return req->status = 204;
}

/* GET /api/v1/me: 200 {user, csrf_token}. */
static int
account_api_me(struct request *req)
{
	struct json_writer w;

	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	account_json_user(&w, "user", req->user, NULL);
	if (!req->via_bearer)
		json_str(&w, "csrf_token", req->csrf_token);
	json_obj_close(&w);
	return response_json(req, 200);
}

static const struct route account_routes[] = {
	{ METHOD_GET, "/registrati", account_register_page, ROLE_PUBLIC, ROUTE_FORM, NULL, 0, "account.register" },
	{ METHOD_POST, "/registrati", account_register_submit, ROLE_PUBLIC, ROUTE_FORM,
	  ROUTER_FIELDS(account_register_fields), "account.register" },
	{ METHOD_GET, "/conferma", account_confirm_page, ROLE_PUBLIC, 0,
	  ROUTER_FIELDS(account_confirm_fields), "account.confirm" },
	{ METHOD_POST, "/conferma", account_confirm_submit, ROLE_PUBLIC, 0,
	  ROUTER_FIELDS(account_confirm_post_fields), "account.confirm" },
	{ METHOD_GET, "/accedi", account_login_page, ROLE_PUBLIC, ROUTE_FORM,
	  ROUTER_FIELDS(account_login_page_fields), "account.login" },
	{ METHOD_POST, "/accedi", account_login_submit, ROLE_PUBLIC, ROUTE_FORM,
	  ROUTER_FIELDS(account_login_fields), "account.login" },
	{ METHOD_POST, "/esci", account_logout, ROLE_MEMBER, 0, NULL, 0, "account.logout" },
	{ METHOD_GET, "/password/dimenticata", account_forgot_page, ROLE_PUBLIC, 0, NULL, 0,
	  "account.forgot" },
	{ METHOD_POST, "/password/dimenticata", account_forgot_submit, ROLE_PUBLIC, ROUTE_FORM,
	  ROUTER_FIELDS(account_forgot_fields), "account.forgot" },
	{ METHOD_GET, "/password/reimposta", account_reset_page, ROLE_PUBLIC, 0,
	  ROUTER_FIELDS(account_reset_page_fields), "account.reset" },
	{ METHOD_POST, "/password/reimposta", account_reset_submit, ROLE_PUBLIC, ROUTE_FORM,
	  ROUTER_FIELDS(account_reset_fields), "account.reset" },
	{ METHOD_GET, "/profilo", account_profile_page, ROLE_MEMBER, ROUTE_FORM,
	  ROUTER_FIELDS(account_profile_page_fields), "account.profile" },
	{ METHOD_POST, "/profilo", account_profile_submit, ROLE_MEMBER, ROUTE_FORM,
	  ROUTER_FIELDS(account_profile_fields), "account.profile" },
	{ METHOD_POST, "/profilo/password", account_password_submit, ROLE_MEMBER, ROUTE_FORM,
	  ROUTER_FIELDS(account_password_fields), "account.password" },
	{ METHOD_POST, "/api/v1/session", account_api_login, ROLE_PUBLIC, ROUTE_API | ROUTE_NO_CSRF,
	  ROUTER_FIELDS(account_api_login_fields), "api.session" },
	{ METHOD_DELETE, "/api/v1/session", account_api_logout, ROLE_MEMBER, ROUTE_API, NULL, 0,
	  "api.session" },
	{ METHOD_GET, "/api/v1/me", account_api_me, ROLE_MEMBER, ROUTE_API, NULL, 0, "api.me" },
};

void
account_register(struct router *r, const struct config *cfg)
{
	account_cfg = cfg;
	router_add(r, account_routes, ARRAY_SIZE(account_routes));
}
