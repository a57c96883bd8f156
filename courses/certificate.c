/*
 * certificate.c - issuing, verifying and showing certificates (see
 * certificate.h).
 */
#include "compat.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "account_db.h"
#include "buf.h"
#include "certificate.h"
#include "certificate_db.h"
#include "certificate_level.h"
#include "certificate_manage.h"
#include "certificate_pdf.h"
#include "config.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "mail.h"
#include "request.h"
#include "response.h"
#include "role.h"
#include "router.h"
#include "sign.h"
#include "tmpl.h"


/* Codes: three groups of four, no 0/O or 1/I to misread. */
#define CERT_CODE_ALPHABET "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#define CERT_CODE_LEN 14

#define CERT_SIG_B64_LEN SIGN_B64URL_LEN(SIGN_SIG_LEN)
#define CERT_PK_B64_LEN SIGN_B64URL_LEN(SIGN_PUBLIC_KEY_LEN)

/* Set once by certificate_register() before the threads start; read-only after. */
static struct sign_key cert_key;
static char cert_key_id[SIGN_KEY_ID_LEN + 1];
static char cert_pk_b64[CERT_PK_B64_LEN + 1];
static const struct config *cert_cfg;

/* "2026-11-26" as "26 novembre 2026" (a); the input itself if it is not a date. */
static const char *
certificate_date_long(struct arena *a, const char *iso)
{
	static const char *const months[] = { "gennaio", "febbraio", "marzo", "aprile", "maggio",
		"giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre" };
	int y, m, d;

	if (iso == NULL || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12)
		return iso;
	return arena_printf(a, "%d %s %d", d, months[m - 1], y);
}

/* "2026-11-26" as "26/11/2026". */
static const char *
certificate_date_short(struct arena *a, const char *iso)
{
	int y, m, d;

	if (iso == NULL || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return iso;
	return arena_printf(a, "%02d/%02d/%04d", d, m, y);
}

static void
certificate_new_code(char out[CERT_CODE_LEN + 1])
{
	const size_t n = sizeof(CERT_CODE_ALPHABET) - 1;

	for (int i = 0; i < CERT_CODE_LEN; i++)
		out[i] = (i == 4 || i == 9) ? '-' : CERT_CODE_ALPHABET[randombytes_uniform((uint32_t)n)];
	out[CERT_CODE_LEN] = '\0';
}

/* The canonical JSON that is signed (see certificate.h), into b. */
static void
certificate_payload(struct buf *b, const char *code, const struct certificate_due *d)
{
	struct json_writer w;

	json_writer_init(&w, b);
	json_obj_open(&w, NULL);
	json_str(&w, "code", code);
	json_str(&w, "course", d->course_title);
	json_str(&w, "expires", d->expires_on);
	json_str(&w, "holder", d->holder);
	json_str(&w, "issued", d->issued_on);
	json_str(&w, "issuer", cert_cfg->base_url);
	json_str(&w, "level", d->level_name);
	json_obj_close(&w);
}

/*
 * Signs and stores a certificate of level d for user_id (inside the
 * caller's transaction); *code_out (a) gets its code.  A code already
 * taken (one chance in 10^18) is drawn again.
 */
static int
certificate_issue(struct db *db, struct arena *a, int64_t user_id, const struct certificate_due *d,
		  int64_t granted_by, const char *reason, const char **code_out)
{
	unsigned char sig[SIGN_SIG_LEN];
	char code[CERT_CODE_LEN + 1], sig_b64[CERT_SIG_B64_LEN + 1];
	struct buf payload;
	int64_t id = 0;
	int rc = -1;

	buf_init(&payload, 16 * 1024);
	for (int tries = 0; id == 0 && tries < 3; tries++) {
		buf_reset(&payload);
		certificate_new_code(code);
		certificate_payload(&payload, code, d);
		if (payload.err)
			goto out;
		sign_detached(&cert_key, payload.data, payload.len, sig);
		if (sign_b64url_encode(sig_b64, sizeof(sig_b64), sig, sizeof(sig)) == -1)
			goto out;
		if ((id = certificate_db_insert(db, user_id, d, code, payload.data, sig_b64, cert_key_id,
						granted_by, reason)) < 0)
			goto out;
	}
	if (id == 0)
		goto out;
	*code_out = arena_strdup(a, code);
	rc = 0;
out:
	buf_release(&payload);
	return rc;
}

int
certificate_award(struct db *db, struct arena *a, int64_t user_id, int64_t course_id)
{
	struct certificate_due *due;
	const char *code;
	int n;

	if (certificate_db_earned(db, a, user_id, course_id, &due, &n) == -1)
		return -1;
	for (int i = 0; i < n; i++)
		if (certificate_issue(db, a, user_id, &due[i], 0, NULL, &code) == -1)
			return -1;
	return n;
}

int
certificate_verification_opens(struct db *db, struct arena *a, int64_t quiz_id, int64_t user_id,
			       const char **opens_on, bool *open_now)
{
	if (certificate_db_verification_opens(db, a, quiz_id, user_id, opens_on, open_now) == -1)
		return -1;
	*opens_on = certificate_date_short(a, *opens_on);
	return 0;
}

/* Whether c's stored payload carries a good signature by this portal's key. */
static bool
certificate_signature_ok(const struct certificate *c)
{
	unsigned char sig[SIGN_SIG_LEN];
	size_t len;

	return strcmp(c->key_id, cert_key_id) == 0 &&
	       sign_b64url_decode(sig, sizeof(sig), c->signature, &len) == 0 && len == sizeof(sig) &&
	       sign_verify(cert_key.pk, c->payload, strlen(c->payload), sig);
}

static const char *
certificate_status(const struct certificate *c)
{
	return c->revoked ? "revoked" : c->expired ? "expired" : "valid";
}

/* Certificate code of a request (path field "code"); *found false if none. */
static int
certificate_get(struct request *req, const char *code, struct certificate *c, bool *found)
{
	return certificate_db_by_code(req->db, req->arena, code, c, found);
}

static void
certificate_json(struct json_writer *w, struct request *req, const struct certificate *c, bool full)
{
	json_obj_open(w, NULL);
	json_str(w, "code", c->code);
	json_str(w, "status", certificate_status(c));
	json_str(w, "holder", c->holder);
	json_int(w, "course_id", c->course_id);
	json_str(w, "course", c->course_title);
	json_str(w, "level", c->level_name);
	json_str(w, "issued_on", c->issued_on);
	json_str(w, "expires_on", c->expires_on);
	json_bool(w, "granted", c->granted);
	json_str(w, "revoked_at", c->revoked_at);
	if (c->revoked)
		json_str(w, "revoke_reason", c->revoke_reason);
	json_str(w, "verify_url", arena_printf(req->arena, "%s/verify/%s", cert_cfg->base_url, c->code));
	json_str(w, "pdf_url", arena_printf(req->arena, "%s/certificates/%s.pdf", cert_cfg->base_url, c->code));
	if (full) {
		json_str(w, "payload", c->payload);
		json_str(w, "signature", c->signature);
		json_str(w, "key_id", c->key_id);
		json_str(w, "keys_url", arena_printf(req->arena, "%s/.well-known/portal-certificates.json",
						     cert_cfg->base_url));
	}
	json_obj_close(w);
}

/* ---- public routes ---- */

/* GET /.well-known/portal-certificates.json: 200 the public keys. */
static int
certificate_keys(struct request *req)
{
	struct json_writer w;

	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_str(&w, "issuer", cert_cfg->base_url);
	json_str(&w, "name", cert_cfg->portal_name);
	json_str(&w, "canonical_form", "JSON object with members code, course, expires, holder, issued, "
		 "issuer, level in this order, no white space; signature Ed25519 over its UTF-8 bytes, "
		 "base64url without padding");
	json_arr_open(&w, "keys");
	json_obj_open(&w, NULL);
	json_str(&w, "id", cert_key_id);
	json_str(&w, "type", "Ed25519");
	json_str(&w, "public_key", cert_pk_b64);
	json_str(&w, "encoding", "base64url");
	json_obj_close(&w);
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

static const struct field certificate_code_fields[] = {
	{ "code", FIELD_PATH, VALID_TEXT, 1, 40, NULL, FIELD_REQUIRED, "Codice" },
};

/* GET /verify/{code}: 200 valid, expired or revoked with the fields; 404 unknown code. */
static int
certificate_verify_page(struct request *req)
{
	struct certificate c;
	struct tmpl_ctx *ctx;
	bool found;

	if (certificate_get(req, request_str(req, "code"), &c, &found) == -1)
		return 500;
	if (!found) {
		ctx = response_ctx(req, "Verifica di un attestato");
		tmpl_set(ctx, "code", request_str(req, "code"));
		return response_page(req, 404, "courses/certificate_verify", ctx);
	}
	ctx = response_ctx(req, arena_printf(req->arena, "Attestato %s", c.code));
	tmpl_set_bool(ctx, "found", true);
	tmpl_set(ctx, "code", c.code);
	tmpl_set(ctx, "holder", c.holder);
	tmpl_set(ctx, "course", c.course_title);
	tmpl_set(ctx, "level", c.level_name);
	tmpl_set(ctx, "issued", certificate_date_long(req->arena, c.issued_on));
	tmpl_set(ctx, "expires", certificate_date_long(req->arena, c.expires_on));
	tmpl_set_bool(ctx, "valid", !c.revoked && !c.expired);
	tmpl_set_bool(ctx, "expired", !c.revoked && c.expired);
	tmpl_set_bool(ctx, "revoked", c.revoked);
	tmpl_set(ctx, "revoke_reason", c.revoke_reason);
	tmpl_set_bool(ctx, "granted", c.granted);
	tmpl_set_bool(ctx, "signature_ok", certificate_signature_ok(&c));
	return response_page(req, 200, "courses/certificate_verify", ctx);
}

static const struct field certificate_file_fields[] = {
	{ "file", FIELD_PATH, VALID_TEXT, 1, 40, NULL, FIELD_REQUIRED, "File" },
};

/* The PDF of c into req's body. */
static int
certificate_pdf(struct request *req, const struct certificate *c)
{
	struct certificate_pdf p = {
		.portal_name = cert_cfg->portal_name,
		.holder = c->holder,
		.course = c->course_title,
		.level = c->level_name,
		.issued = certificate_date_long(req->arena, c->issued_on),
		.expires = certificate_date_long(req->arena, c->expires_on),
		.code = c->code,
		.verify_url = arena_printf(req->arena, "%s/verify/%s", cert_cfg->base_url, c->code),
	};

	if (certificate_pdf_render(&p, &req->body) == -1)
		return 500;
	req->status = 200;
	req->content_type = "application/pdf";
	response_header(req, "Content-Disposition",
			arena_printf(req->arena, "inline; filename=\"attestato-%s.pdf\"", c->code));
	return 200;
}

/* The Open Badges 3.0 credential of c into req's body. */
static int
certificate_badge(struct request *req, const struct certificate *c)
{
	const char *base = cert_cfg->base_url;
	struct json_writer w;

	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "@context");
	json_str(&w, NULL, "https://www.w3.org/ns/credentials/v2");
	json_str(&w, NULL, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json");
	json_arr_close(&w);
	json_str(&w, "id", arena_printf(req->arena, "%s/certificates/%s.json", base, c->code));
	json_arr_open(&w, "type");
	json_str(&w, NULL, "VerifiableCredential");
	json_str(&w, NULL, "OpenBadgeCredential");
	json_arr_close(&w);
	json_str(&w, "name", arena_printf(req->arena, "%s – livello %s", c->course_title, c->level_name));
	json_obj_open(&w, "issuer");
	json_str(&w, "id", base);
	json_arr_open(&w, "type");
	json_str(&w, NULL, "Profile");
	json_arr_close(&w);
	json_str(&w, "name", cert_cfg->portal_name);
	json_str(&w, "url", base);
	json_obj_close(&w);
	json_str(&w, "validFrom", arena_printf(req->arena, "%sT00:00:00Z", c->issued_on));
	if (c->expires_on != NULL)
		json_str(&w, "validUntil", arena_printf(req->arena, "%sT00:00:00Z", c->expires_on));
	json_obj_open(&w, "credentialSubject");
	json_arr_open(&w, "type");
	json_str(&w, NULL, "AchievementSubject");
	json_arr_close(&w);
	json_str(&w, "name", c->holder);
	json_obj_open(&w, "achievement");
	json_str(&w, "id", arena_printf(req->arena, "%s/corsi/%lld#livello-%lld", base,
					(long long)c->course_id, (long long)c->level_id));
	json_arr_open(&w, "type");
	json_str(&w, NULL, "Achievement");
	json_arr_close(&w);
	json_str(&w, "achievementType", "Certificate");
	json_str(&w, "name", arena_printf(req->arena, "Livello %s: %s", c->level_name, c->course_title));
	json_str(&w, "description", arena_printf(req->arena,
		 "Certificazione del livello di autonomia «%s» nell'uso di quanto insegnato dal corso «%s».",
		 c->level_name, c->course_title));
	json_obj_open(&w, "criteria");
	json_str(&w, "narrative", "Superamento dei test del percorso formativo previsti per il livello, "
		 "o attribuzione motivata del gruppo di coordinamento.");
	json_obj_close(&w);
	json_obj_close(&w);
	json_obj_close(&w);
	json_obj_open(&w, "credentialStatus");
	json_str(&w, "id", arena_printf(req->arena, "%s/api/v1/certificates/%s", base, c->code));
	json_str(&w, "type", "PortalCertificateStatus");
	json_str(&w, "status", certificate_status(c));
	json_obj_close(&w);
	json_obj_open(&w, "proof");
	json_str(&w, "type", "PortalEd25519Signature");
	json_str(&w, "verificationMethod", arena_printf(req->arena, "%s/.well-known/portal-certificates.json#%s",
							 base, c->key_id));
	json_str(&w, "proofPurpose", "assertionMethod");
	json_str(&w, "signedPayload", c->payload);
	json_str(&w, "proofValue", c->signature);
	json_obj_close(&w);
	json_obj_close(&w);
	req->content_type = "application/vc+ld+json";
	req->status = 200;
	return 200;
}

/* GET /certificates/{code}.pdf and /certificates/{code}.json: 200; 404. */
static int
certificate_file(struct request *req)
{
	const char *file = request_str(req, "file"), *dot = strrchr(file, '.');
	struct certificate c;
	bool found;

	if (dot == NULL || (strcmp(dot, ".pdf") != 0 && strcmp(dot, ".json") != 0))
		return response_error(req, 404, "Attestato non trovato.");
	if (certificate_get(req, arena_strndup(req->arena, file, (size_t)(dot - file)), &c, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Attestato non trovato.");
	return strcmp(dot, ".pdf") == 0 ? certificate_pdf(req, &c) : certificate_badge(req, &c);
}

/* ---- the member's certificates ---- */

/* GET /certificati: 200 the user's certificates and the verification tests open to them. */
static int
certificate_mine_page(struct request *req)
{
	struct certificate_verification *v;
	struct certificate *c;
	struct tmpl_ctx *ctx;
	int n, nv;

	if (certificate_db_for_user(req->db, req->arena, req->user->id, &c, &n) == -1)
		return 500;
	ctx = response_ctx(req, "I miei attestati");
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "certificates");

		tmpl_set(t, "code", c[i].code);
		tmpl_set(t, "course", c[i].course_title);
		tmpl_set(t, "level", c[i].level_name);
		tmpl_set(t, "issued", certificate_date_long(req->arena, c[i].issued_on));
		tmpl_set(t, "expires", certificate_date_long(req->arena, c[i].expires_on));
		tmpl_set(t, "status", c[i].revoked ? "revocato" : c[i].expired ? "scaduto" : "valido");
	}
	if (certificate_db_verifications(req->db, req->arena, req->user->id, &v, &nv) == -1)
		return 500;
	for (int i = 0; i < nv; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "verifications");

		tmpl_set_int(t, "quiz_id", v[i].quiz_id);
		tmpl_set(t, "title", v[i].title);
		tmpl_set(t, "level", v[i].level_name);
		tmpl_set(t, "opens", certificate_date_long(req->arena, v[i].opens_on));
		tmpl_set_bool(t, "open", v[i].open_now);
	}
	return response_page(req, 200, "courses/certificates", ctx);
}

/* GET /api/v1/me/certificates: 200 the caller's certificates. */
static int
certificate_api_mine(struct request *req)
{
	struct certificate *c;
	struct json_writer w;
	int n;

	if (certificate_db_for_user(req->db, req->arena, req->user->id, &c, &n) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "certificates");
	for (int i = 0; i < n; i++)
		certificate_json(&w, req, &c[i], false);
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* GET /api/v1/certificates/{code} (public): 200 with the signed payload; 404. */
static int
certificate_api_get(struct request *req)
{
	struct certificate c;
	struct json_writer w;
	bool found;

	if (certificate_get(req, request_str(req, "code"), &c, &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Attestato non trovato.");
	json_writer_init(&w, &req->body);
	certificate_json(&w, req, &c, true);
	return response_json(req, 200);
}

int
certificate_grant(struct request *req, int64_t user_id, int64_t course_id, const char *level,
		  const char *reason, const char **code, enum certificate_outcome *outcome)
{
	struct certificate_due d;
	bool found, held;
	int rc = -1;

	*outcome = CERTIFICATE_DONE;
	if (db_begin(req->db) == -1 ||
	    certificate_db_level(req->db, req->arena, user_id, course_id, level, &d, &found, &held) == -1)
		goto out;
	if (!found || held) {
		*outcome = !found ? CERTIFICATE_NOT_FOUND : CERTIFICATE_CONFLICT;
		rc = 0;
		goto out;
	}
	if (certificate_issue(req->db, req->arena, user_id, &d, req->user->id, reason, code) == -1 ||
	    account_db_audit(req->db, req->user->id, "certificate_grant", user_id,
			     arena_printf(req->arena, "%s %s: %s", *code, d.level_name, reason),
			     req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	rc = 0;
out:
	db_rollback(req->db);
	return rc;
}

int
certificate_revoke(struct request *req, const char *code, const char *reason,
		   enum certificate_outcome *outcome)
{
	struct certificate c;
	bool found, done;
	int rc = -1;

	*outcome = CERTIFICATE_DONE;
	if (db_begin(req->db) == -1 || certificate_get(req, code, &c, &found) == -1)
		goto out;
	if (found && certificate_db_revoke(req->db, code, req->user->id, reason, &done) == -1)
		goto out;
	if (!found || !done) {
		*outcome = !found ? CERTIFICATE_NOT_FOUND : CERTIFICATE_CONFLICT;
		rc = 0;
		goto out;
	}
	if (account_db_audit(req->db, req->user->id, "certificate_revoke", c.user_id,
			     arena_printf(req->arena, "%s: %s", code, reason), req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	rc = 0;
out:
	db_rollback(req->db);
	return rc;
}

/* Writes certificate code as the response with status. */
static int
certificate_api_reply(struct request *req, int status, const char *code)
{
	struct certificate c;
	struct json_writer w;
	bool found;

	if (certificate_get(req, code, &c, &found) == -1 || !found)
		return 500;
	json_writer_init(&w, &req->body);
	certificate_json(&w, req, &c, true);
	return response_json(req, status);
}

static const struct field certificate_grant_fields[] = {
	{ "user_id", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "user_id" },
	{ "course_id", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "course_id" },
	{ "level", FIELD_BODY, VALID_TEXT, 1, 60, NULL, FIELD_REQUIRED, "level" },
	{ "reason", FIELD_BODY, VALID_TEXT, 10, 2000, NULL, FIELD_REQUIRED | FIELD_MULTILINE, "reason" },
};

/*
 * POST /api/v1/certificates {user_id, course_id, level, reason}
 * (coordination, admin): 201 the certificate; 400 (a reason of at least
 * 10 characters is required); 404 no such person or level; 409 the level
 * is already held; 500.  Audited.
 */
static int
certificate_api_grant(struct request *req)
{
	enum certificate_outcome outcome;
	const char *code = NULL;

	if (certificate_grant(req, request_int(req, "user_id", 0), request_int(req, "course_id", 0),
			      request_str(req, "level"), request_str(req, "reason"), &code, &outcome) == -1)
		return 500;
	if (outcome == CERTIFICATE_NOT_FOUND)
		return response_json_error(req, 404, "not_found", "Persona, corso o livello non trovati.");
	if (outcome == CERTIFICATE_CONFLICT)
		return response_json_error(req, 409, "already_held",
					   "La persona ha già un attestato valido di questo livello.");
	return certificate_api_reply(req, 201, code);
}

static const struct field certificate_revoke_fields[] = {
	{ "code", FIELD_PATH, VALID_TEXT, 1, 40, NULL, FIELD_REQUIRED, "code" },
	{ "reason", FIELD_BODY, VALID_TEXT, 10, 2000, NULL, FIELD_REQUIRED | FIELD_MULTILINE, "reason" },
};

/*
 * POST /api/v1/certificates/{code}/revoke {reason} (coordination, admin):
 * 200 the revoked certificate; 400; 404; 409 already revoked; 500.  Audited.
 */
static int
certificate_api_revoke(struct request *req)
{
	enum certificate_outcome outcome;

	if (certificate_revoke(req, request_str(req, "code"), request_str(req, "reason"), &outcome) == -1)
		return 500;
	if (outcome == CERTIFICATE_NOT_FOUND)
		return response_json_error(req, 404, "not_found", "Attestato non trovato.");
	if (outcome == CERTIFICATE_CONFLICT)
		return response_json_error(req, 409, "already_revoked", "L'attestato è già revocato.");
	return certificate_api_reply(req, 200, request_str(req, "code"));
}

/* ---- reminders ---- */

/* Queues every due reminder, each once (mail_sender_add_job). */
static void
certificate_reminders(struct db *db)
{
	for (int sent = 0; sent < 1000; sent++) {
		struct arena *a = arena_new();
		struct certificate_reminder r;
		struct mail_content m = { 0 };
		bool found = false, verification;
		int rc = -1;

		if (db_begin(db) == -1 || certificate_db_reminder_claim(db, a, &r, &found) == -1 || !found)
			goto next;
		verification = strcmp(r.kind, "verification_open") == 0;
		const char *paragraphs[] = {
			verification ?
			arena_printf(a, "è aperta la verifica per il livello «%s» del corso «%s»: superandola "
				     "ottieni la certificazione del nuovo livello di autonomia.",
				     r.next_level, r.cert.course_title) :
			arena_printf(a, "il tuo attestato di livello «%s» del corso «%s» scade il %s.",
				     r.cert.level_name, r.cert.course_title,
				     certificate_date_long(a, r.cert.expires_on)),
			verification ? "Trovi il test nella pagina dei tuoi attestati." :
			"Per rinnovarlo rivolgiti ai formatori o al gruppo di coordinamento.",
			NULL,
		};
		m.subject = verification ? "Si è aperta la verifica del tuo livello di autonomia" :
			    "Il tuo attestato sta per scadere";
		m.greeting = arena_printf(a, "Gentile %s,", r.cert.holder);
		m.paragraphs = paragraphs;
		m.action_label = "I miei attestati";
		m.action_url = arena_printf(a, "%s/certificati", cert_cfg->base_url);
		if (mail_queue(db, a, r.cert.email, r.cert.holder, &m) == -1 || db_commit(db) == -1)
			goto next;
		rc = 0;
next:
		db_rollback(db);
		arena_free(a);
		if (rc == -1)
			break;
	}
}

static const struct route certificate_routes[] = {
	{ METHOD_GET, "/.well-known/portal-certificates.json", certificate_keys, ROLE_PUBLIC,
	  ROUTE_NO_DB, NULL, 0, "certificates.keys" },
	{ METHOD_GET, "/verify/{code}", certificate_verify_page, ROLE_PUBLIC, 0,
	  ROUTER_FIELDS(certificate_code_fields), "certificates.verify" },
	{ METHOD_GET, "/certificates/{file}", certificate_file, ROLE_PUBLIC, 0,
	  ROUTER_FIELDS(certificate_file_fields), "certificates.file" },
	{ METHOD_GET, "/certificati", certificate_mine_page, ROLE_MEMBER, 0, NULL, 0,
	  "certificates.mine" },
	{ METHOD_GET, "/api/v1/me/certificates", certificate_api_mine, ROLE_MEMBER, ROUTE_API, NULL, 0,
	  "api.certificates.mine" },
	{ METHOD_GET, "/api/v1/certificates/{code}", certificate_api_get, ROLE_PUBLIC, ROUTE_API,
	  ROUTER_FIELDS(certificate_code_fields), "api.certificates.get" },
	{ METHOD_POST, "/api/v1/certificates", certificate_api_grant, CERTIFICATE_DECIDERS, ROUTE_API,
	  ROUTER_FIELDS(certificate_grant_fields), "api.certificates.grant" },
	{ METHOD_POST, "/api/v1/certificates/{code}/revoke", certificate_api_revoke, CERTIFICATE_DECIDERS,
	  ROUTE_API, ROUTER_FIELDS(certificate_revoke_fields), "api.certificates.revoke" },
};

int
certificate_register(struct router *r, const struct config *cfg)
{
	char path[4096];

	cert_cfg = cfg;
	if ((size_t)snprintf(path, sizeof(path), "%s/certificate-signing.key", cfg->var_dir) >= sizeof(path)) {
		log_warnx("certificates: var_dir \"%s\" is too long", cfg->var_dir);
		return -1;
	}
	if (sign_key_load(path, &cert_key) == -1)
		return -1;
	sign_key_id(cert_key.pk, cert_key_id);
	if (sign_b64url_encode(cert_pk_b64, sizeof(cert_pk_b64), cert_key.pk, sizeof(cert_key.pk)) == -1)
		return -1;
	router_add(r, certificate_routes, ARRAY_SIZE(certificate_routes));
	certificate_manage_register(r);
	certificate_level_register(r);
	mail_sender_add_job(certificate_reminders);
	return 0;
}

void
certificate_shutdown(void)
{
	sign_key_clear(&cert_key);
}
