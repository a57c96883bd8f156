/*
 * certificate_manage.c - coordination's pages for certificates: grant a
 * level with a reason, see the latest certificates, revoke one with a
 * reason (see certificate_manage.h).
 */
#include "compat.h"

#include <string.h>

#include "certificate.h"
#include "certificate_db.h"
#include "certificate_manage.h"
#include "enrol_db.h"
#include "request.h"
#include "response.h"
#include "role.h"
#include "router.h"
#include "tmpl.h"
#include "valid.h"

#define CERT_MANAGE_RECENT 200

static const struct response_notice certificate_manage_notices[] = {
	{ "attribuito", "Livello attribuito: l'attestato è stato rilasciato." },
	{ "revocato", "Attestato revocato." },
};

/* The grant page with the latest certificates; status 400 with the form's errors. */
static int
certificate_manage_render(struct request *req, int status)
{
	struct certificate_level *levels;
	struct certificate *c;
	struct tmpl_ctx *ctx;
	int nlevels, n;

	if (certificate_db_levels(req->db, req->arena, &levels, &nlevels) == -1 ||
	    certificate_db_recent(req->db, req->arena, CERT_MANAGE_RECENT, &c, &n) == -1)
		return 500;
	ctx = response_ctx(req, "Attestati e livelli di autonomia");
	response_notice(req, ctx, certificate_manage_notices, ARRAY_SIZE(certificate_manage_notices));
	response_form(req, ctx);
	for (int i = 0; i < nlevels; i++) {
		struct tmpl_ctx *l = tmpl_list_add(ctx, "levels");

		tmpl_set_int(l, "id", levels[i].id);
		tmpl_setf(l, "label", "%s – livello %s", levels[i].course_title, levels[i].name);
		tmpl_set_bool(l, "selected", request_int(req, "livello", 0) == levels[i].id);
	}
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "certificates");

		tmpl_set(t, "code", c[i].code);
		tmpl_set(t, "holder", c[i].holder);
		tmpl_set(t, "course", c[i].course_title);
		tmpl_set(t, "level", c[i].level_name);
		tmpl_set(t, "issued", c[i].issued_on);
		tmpl_set(t, "status", c[i].revoked ? "revocato" : c[i].expired ? "scaduto" : "valido");
		tmpl_set_bool(t, "granted", c[i].granted);
	}
	tmpl_set_bool(ctx, "has_certificates", n > 0);
	return response_page(req, status, "courses/manage_certificates", ctx);
}

static const struct field certificate_manage_page_fields[] = { RESPONSE_NOTICE_FIELD };

/* GET /gestione/attestati: 200; 500. */
static int
certificate_manage_page(struct request *req)
{
	return certificate_manage_render(req, 200);
}

static const struct field certificate_manage_grant_fields[] = {
	{ "email", FIELD_BODY, VALID_EMAIL, 0, 0, NULL, FIELD_REQUIRED, "Email della persona" },
	{ "livello", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Livello" },
	{ "motivo", FIELD_BODY, VALID_TEXT, 10, 2000, NULL, FIELD_REQUIRED | FIELD_MULTILINE, "Motivo" },
};

/*
 * POST /gestione/attestati: grants the chosen level to the person with
 * that email: 303 to the certificate; 400 with the form (unknown address,
 * level already held); 500.  Audited (certificate_grant).
 */
static int
certificate_manage_grant(struct request *req)
{
	struct certificate_level *levels, *level = NULL;
	enum certificate_outcome outcome;
	const char *code = NULL;
	int64_t user_id;
	int n;

	if (req->nerrors > 0)
		return certificate_manage_render(req, 400);
	if (certificate_db_levels(req->db, req->arena, &levels, &n) == -1 ||
	    (user_id = enrol_db_user_by_email(req->db, request_str(req, "email"))) < 0)
		return 500;
	for (int i = 0; i < n; i++)
		if (levels[i].id == request_int(req, "livello", 0))
			level = &levels[i];
	if (user_id == 0)
		response_field_error(req, "email", "Nessun account attivo con questo indirizzo.");
	if (level == NULL)
		response_field_error(req, "livello", "Scegli un livello dall'elenco.");
	if (user_id == 0 || level == NULL)
		return certificate_manage_render(req, 400);
	if (certificate_grant(req, user_id, level->course_id, level->name, request_str(req, "motivo"), &code,
			      &outcome) == -1)
		return 500;
	if (outcome != CERTIFICATE_DONE) {
		response_field_error(req, "livello", outcome == CERTIFICATE_CONFLICT ?
				     "La persona ha già un attestato valido di questo livello." :
				     "Livello non trovato.");
		return certificate_manage_render(req, 400);
	}
	return response_redirect(req, arena_printf(req->arena, "/gestione/attestati/%s?esito=attribuito", code));
}

/* One certificate with the revoke form; status 400 with the form's errors. */
static int
certificate_manage_one_render(struct request *req, int status)
{
	struct certificate c;
	struct tmpl_ctx *ctx;
	bool found;

	if (certificate_db_by_code(req->db, req->arena, request_str(req, "code"), &c, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Attestato non trovato.");
	ctx = response_ctx(req, arena_printf(req->arena, "Attestato %s", c.code));
	response_notice(req, ctx, certificate_manage_notices, ARRAY_SIZE(certificate_manage_notices));
	response_form(req, ctx);
	tmpl_set(ctx, "code", c.code);
	tmpl_set(ctx, "holder", c.holder);
	tmpl_set(ctx, "email", c.email);
	tmpl_set(ctx, "course", c.course_title);
	tmpl_set(ctx, "level", c.level_name);
	tmpl_set(ctx, "issued", c.issued_on);
	tmpl_set(ctx, "expires", c.expires_on);
	tmpl_set_bool(ctx, "granted", c.granted);
	tmpl_set_bool(ctx, "revoked", c.revoked);
	tmpl_set(ctx, "revoke_reason", c.revoke_reason);
	return response_page(req, status, "courses/manage_certificate", ctx);
}

static const struct field certificate_manage_one_fields[] = {
	{ "code", FIELD_PATH, VALID_TEXT, 1, 40, NULL, FIELD_REQUIRED, "Codice" },
	RESPONSE_NOTICE_FIELD,
};

/* GET /gestione/attestati/{code}: 200; 404; 500. */
static int
certificate_manage_one(struct request *req)
{
	return certificate_manage_one_render(req, 200);
}

static const struct field certificate_manage_revoke_fields[] = {
	{ "code", FIELD_PATH, VALID_TEXT, 1, 40, NULL, FIELD_REQUIRED, "Codice" },
	{ "motivo", FIELD_BODY, VALID_TEXT, 10, 2000, NULL, FIELD_REQUIRED | FIELD_MULTILINE, "Motivo" },
};

/* POST /gestione/attestati/{code}/revoca: 303; 400 with the form; 404; 409 already revoked; 500.  Audited. */
static int
certificate_manage_revoke(struct request *req)
{
	enum certificate_outcome outcome;

	if (req->nerrors > 0)
		return certificate_manage_one_render(req, 400);
	if (certificate_revoke(req, request_str(req, "code"), request_str(req, "motivo"), &outcome) == -1)
		return 500;
	if (outcome == CERTIFICATE_NOT_FOUND)
		return response_error(req, 404, "Attestato non trovato.");
	if (outcome == CERTIFICATE_CONFLICT)
		return response_error(req, 409, "L'attestato è già revocato.");
	return response_redirect(req, arena_printf(req->arena, "/gestione/attestati/%s?esito=revocato",
						   request_str(req, "code")));
}

static const struct route certificate_manage_routes[] = {
	{ METHOD_GET, "/gestione/attestati", certificate_manage_page, CERTIFICATE_DECIDERS, 0,
	  ROUTER_FIELDS(certificate_manage_page_fields), "certificates.manage" },
	{ METHOD_POST, "/gestione/attestati", certificate_manage_grant, CERTIFICATE_DECIDERS, ROUTE_FORM,
	  ROUTER_FIELDS(certificate_manage_grant_fields), "certificates.manage.grant" },
	{ METHOD_GET, "/gestione/attestati/{code}", certificate_manage_one, CERTIFICATE_DECIDERS, 0,
	  ROUTER_FIELDS(certificate_manage_one_fields), "certificates.manage.one" },
	{ METHOD_POST, "/gestione/attestati/{code}/revoca", certificate_manage_revoke, CERTIFICATE_DECIDERS,
	  ROUTE_FORM, ROUTER_FIELDS(certificate_manage_revoke_fields), "certificates.manage.revoke" },
};

void
certificate_manage_register(struct router *r)
{
	router_add(r, certificate_manage_routes, ARRAY_SIZE(certificate_manage_routes));
}
