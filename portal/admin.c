/*
 * admin.c - users and organisations for administrators and coordination
 * (see admin.h).
 *
 * Who may do what: admins and coordination approve, disable and edit
 * users; only an admin grants or removes the admin role; nobody disables
 * themselves or drops their own admin role (no accidental lock-out).
 * Referents may list the people of their own organisation through the API.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "account.h"
#include "account_db.h"
#include "admin.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "html.h"
#include "json.h"
#include "log.h"
#include "mail.h"
#include "org.h"
#include "org_db.h"
#include "password.h"
#include "response.h"
#include "role.h"
#include "router.h"
#include "tmpl.h"

#define ADMIN_ROLES (ROLE_ADMIN | ROLE_COORDINAMENTO)
#define ADMIN_PAGE_SIZE 50

static const struct config *admin_cfg;

static const char *const admin_statuses[] = { "unconfirmed", "pending", "active", "disabled", NULL };

static const char *
admin_status_label(const char *status)
{
	if (strcmp(status, "unconfirmed") == 0)
		return "Email da confermare";
	if (strcmp(status, "pending") == 0)
		return "In attesa di approvazione";
	if (strcmp(status, "active") == 0)
		return "Attivo";
	return "Disattivato";
}

/* ---- user list ---- */

static const struct field admin_users_fields[] = {
	{ "q", FIELD_QUERY, VALID_TEXT, 1, 100, NULL, 0, "Cerca" },
	{ "stato", FIELD_QUERY, VALID_ENUM, 0, 0, admin_statuses, 0, "Stato" },
	{ "ente", FIELD_QUERY, VALID_INT, 0, INT64_MAX, NULL, 0, "Ente" },
	{ "pagina", FIELD_QUERY, VALID_INT, 1, 100000, NULL, 0, "Pagina" },
};

/* The list's URL for another page with the same filters, percent-encoded. */
static const char *
admin_users_url(struct request *req, long long page)
{
	static const char *const keys[] = { "q", "stato", "ente" };
	struct buf url;
	const char *out;

	buf_init(&url, 4096);
	buf_printf(&url, "/admin/utenti?pagina=%lld", page);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct field_value *v = request_field(req, keys[i]);
		if (v == NULL || !v->present)
			continue;
		buf_printf(&url, "&%s=", keys[i]);
		html_url_encode(&url, v->str, false);
	}
	out = arena_strdup(req->arena, url.data);
	buf_release(&url);
	return out;
}

/* GET /admin/utenti: 200; 400 on bad filters. */
static int
admin_users_page(struct request *req)
{
	struct account_filter f = {
		.query = request_str(req, "q"), .status = request_str(req, "stato"),
		.org_id = request_int(req, "ente", 0), .limit = ADMIN_PAGE_SIZE,
		.offset = (int)(request_int(req, "pagina", 1) - 1) * ADMIN_PAGE_SIZE,
	};
	struct tmpl_ctx *ctx = response_ctx(req, "Utenti");
	struct account_list list;
	struct org_list orgs;
	long long page = request_int(req, "pagina", 1);

	if (account_db_list(req->db, req->arena, &f, &list) == -1 ||
	    org_db_list(req->db, req->arena, &orgs) == -1)
		return 500;
	response_form(req, ctx);
	for (int i = 0; admin_statuses[i]; i++) {
		struct tmpl_ctx *s = tmpl_list_add(ctx, "statuses");
		tmpl_set(s, "value", admin_statuses[i]);
		tmpl_set(s, "label", admin_status_label(admin_statuses[i]));
		tmpl_set_bool(s, "selected", f.status && strcmp(f.status, admin_statuses[i]) == 0);
	}
	org_options(ctx, &orgs, f.org_id);
	for (int i = 0; i < list.count; i++) {
		const struct account *a = &list.items[i];
		struct tmpl_ctx *u = tmpl_list_add(ctx, "users");
		tmpl_set_int(u, "id", a->user.id);
		tmpl_set(u, "name", a->user.name);
		tmpl_set(u, "email", a->user.email);
		tmpl_set(u, "org_name", a->user.org_name);
		tmpl_set(u, "status_label", admin_status_label(a->status));
		tmpl_set_bool(u, "pending", strcmp(a->status, "pending") == 0);
	}
	tmpl_set_int(ctx, "total", list.total);
	tmpl_set_bool(ctx, "empty", list.count == 0);
	if (page > 1)
		tmpl_set(ctx, "prev_url", admin_users_url(req, page - 1));
	if (page * ADMIN_PAGE_SIZE < list.total)
		tmpl_set(ctx, "next_url", admin_users_url(req, page + 1));
	return response_page(req, 200, "portal/admin_users", ctx);
}

/* ---- one user ---- */

static const struct field admin_user_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Utente" },
	RESPONSE_NOTICE_FIELD,
};

static const struct response_notice admin_user_notices[] = {
	{ "salvato", "Modifiche salvate." },
};

static int
admin_user_form(struct request *req, int status, const struct account *acct, const char *message)
{
	struct tmpl_ctx *ctx = response_ctx(req, acct->user.name);
	struct org_list orgs;

	if (org_db_list(req->db, req->arena, &orgs) == -1)
		return 500;
	response_form(req, ctx);
	tmpl_set_int(ctx, "id", acct->user.id);
	tmpl_set(ctx, "name", acct->user.name);
	tmpl_set(ctx, "email", acct->user.email);
	tmpl_set(ctx, "created_at", acct->created_at);
	tmpl_set(ctx, "status_label", admin_status_label(acct->status));
	tmpl_set_bool(ctx, "can_approve", strcmp(acct->status, "pending") == 0 ||
					   strcmp(acct->status, "unconfirmed") == 0);
	tmpl_set_bool(ctx, "can_disable", strcmp(acct->status, "disabled") != 0 &&
					   acct->user.id != req->user->id);
	tmpl_set_bool(ctx, "can_enable", strcmp(acct->status, "disabled") == 0);
	tmpl_set(ctx, "message", message);
	response_notice(req, ctx, admin_user_notices, ARRAY_SIZE(admin_user_notices));
	for (int i = 0; i < ROLE_COUNT; i++) {
		struct tmpl_ctx *r = tmpl_list_add(ctx, "roles");
		tmpl_set(r, "name", role_name(i));
		tmpl_set(r, "label", role_label(i));
		tmpl_set_bool(r, "checked", acct->user.roles & (1u << i));
	}
	org_options(ctx, &orgs, acct->user.org_id);
	return response_page(req, status, "portal/admin_user", ctx);
}

/* GET /admin/utenti/{id}: 200; 404. */
static int
admin_user_page(struct request *req)
{
	struct account acct;
	bool found;

	if (account_db_by_id(req->db, req->arena, request_int(req, "id", 0), &acct, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Utente non trovato.");
	return admin_user_form(req, 200, &acct, NULL);
}

/*
 * The changes an administrator may make to a user, shared by the page and
 * the API.  Checks the rules in the file comment; audits and mails in the
 * caller's transaction.  Returns 0, -1 on a database error, or an HTTP
 * status (403, 400) with *message set when the change is refused.
 */
struct admin_change {
	const char *status;	/* new status or NULL */
	bool set_roles;
	unsigned roles;
	bool set_org;
	int64_t org_id;
	const char *name;	/* new name or NULL */
};

static int
admin_apply(struct request *req, const struct account *acct, const struct admin_change *c,
	    const char **message)
{
	int64_t uid = acct->user.id;
	unsigned changed;

	/* Coordination may manage people, but not those who manage the
	 * portal: else it could disable every administrator. */
	if ((acct->user.roles & ROLE_ADMIN) && !(req->user->roles & ROLE_ADMIN)) {
		*message = "Solo un amministratore può modificare l'account di un amministratore.";
		return 403;
	}
	if (c->set_roles) {
		changed = c->roles ^ acct->user.roles;
		if ((changed & ROLE_ADMIN) && !(req->user->roles & ROLE_ADMIN)) {
			*message = "Solo un amministratore può assegnare o togliere il ruolo di amministratore.";
			return 403;
		}
		if (uid == req->user->id && (changed & ROLE_ADMIN)) {
			*message = "Non puoi togliere a te stesso il ruolo di amministratore.";
			return 403;
		}
	}
	if (c->status && uid == req->user->id && strcmp(c->status, "disabled") == 0) {
		*message = "Non puoi disattivare il tuo stesso account.";
		return 403;
	}
	if (c->set_org && c->org_id != 0) {
		bool exists;
		if (org_db_exists(req->db, c->org_id, &exists) == -1)
			return -1;
		if (!exists) {
			*message = "L'ente indicato non esiste.";
			return 400;
		}
	}
	if (c->name && account_db_set_name(req->db, uid, c->name) == -1)
		return -1;
	if (c->set_org && c->org_id != acct->user.org_id &&
	    (account_db_set_org(req->db, uid, c->org_id) == -1 ||
	     account_db_audit(req->db, req->user->id, "org_change", uid,
			      arena_printf(req->arena, "%lld -> %lld", (long long)acct->user.org_id,
					   (long long)c->org_id), req->client_addr) == -1))
		return -1;
	if (c->set_roles && c->roles != acct->user.roles) {
		struct buf old, new;
		int rc;
		buf_init(&old, 256);
		buf_init(&new, 256);
		role_format_array(acct->user.roles, &old);
		role_format_array(c->roles, &new);
		rc = account_db_set_roles(req->db, uid, new.data) == -1 ||
		     account_db_audit(req->db, req->user->id, "role_change", uid,
				      arena_printf(req->arena, "%s -> %s", old.data, new.data),
				      req->client_addr) == -1 ? -1 : 0;
		buf_release(&old);
		buf_release(&new);
		if (rc == -1)
			return -1;
	}
	if (c->status && strcmp(c->status, acct->status) != 0) {
		bool approve = strcmp(c->status, "active") == 0 && strcmp(acct->status, "disabled") != 0;
		const char *action = approve ? "approve" :
			strcmp(c->status, "disabled") == 0 ? "disable" :
			strcmp(c->status, "active") == 0 ? "enable" : "status_change";
		if (account_db_set_status(req->db, uid, c->status, approve ? req->user->id : 0) == -1 ||
		    account_db_audit(req->db, req->user->id, action, uid, c->status, req->client_addr) == -1)
			return -1;
		if (strcmp(c->status, "disabled") == 0 && account_db_sessions_end(req->db, uid) == -1)
			return -1;
		if (approve) {
			static const char *const body[] = {
				"il tuo account sul portale è stato approvato: ora puoi accedere "
				"ai corsi, ai documenti riservati e al servizio di assistenza.",
				NULL
			};
			struct mail_content m = {
				.subject = "Il tuo account è stato approvato",
				.greeting = arena_printf(req->arena, "Gentile %s,", acct->user.name),
				.paragraphs = body,
				.action_label = "Accedi al portale",
				.action_url = arena_printf(req->arena, "%s/accedi", admin_cfg->base_url),
			};
			if (mail_queue(req->db, req->arena, acct->user.email, acct->user.name, &m) == -1)
				return -1;
		}
	}
	return 0;
}

static const char *const admin_actions[] = { "save", "approve", "disable", "enable", NULL };

static const struct field admin_user_post_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Utente" },
	{ "action", FIELD_BODY, VALID_ENUM, 0, 0, admin_actions, FIELD_REQUIRED, "Azione" },
	{ "org", FIELD_BODY, VALID_INT, 0, INT64_MAX, NULL, 0, "Ente" },
	{ "role_operatore", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Operatore" },
	{ "role_referente", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Referente pilota" },
	{ "role_tutor", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Tutor" },
	{ "role_formatore", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Formatore" },
	{ "role_helpdesk1", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Help desk 1" },
	{ "role_helpdesk2", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Help desk 2" },
	{ "role_coordinamento", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Coordinamento" },
	{ "role_admin", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Amministratore" },
};

/* POST /admin/utenti/{id}: 303 back; 400; 403 refused change; 404; 500. */
static int
admin_user_submit(struct request *req)
{
	struct admin_change c = { 0 };
	struct account acct;
	const char *action = request_str(req, "action"), *message = NULL;
	bool found;
	int rc, status = 500;

	if (strcmp(action, "save") == 0) {
		c.set_roles = true;
		for (int i = 0; i < ROLE_COUNT; i++)
			if (request_int(req, arena_printf(req->arena, "role_%s", role_name(i)), 0))
				c.roles |= 1u << i;
		c.set_org = true;
		c.org_id = request_int(req, "org", 0);
	} else {
		c.status = strcmp(action, "disable") == 0 ? "disabled" : "active";
	}
	if (db_begin(req->db) == -1 ||
	    account_db_lock(req->db, req->arena, request_int(req, "id", 0), &acct, &found) == -1)
		goto out;
	if (!found) {
		status = response_error(req, 404, "Utente non trovato.");
		goto out;
	}
	if ((rc = admin_apply(req, &acct, &c, &message)) == -1)
		goto out;
	if (rc > 0) {
		db_rollback(req->db);
		status = admin_user_form(req, rc, &acct, message);
		goto out;
	}
	if (db_commit(req->db) == -1)
		goto out;
	status = response_redirect(req, arena_printf(req->arena, "/admin/utenti/%lld?esito=salvato",
						     (long long)acct.user.id));
out:
	db_rollback(req->db);
	return status;
}

/* ---- organisations ---- */

static const struct field admin_org_fields[] = {
	{ "name", FIELD_BODY, VALID_TEXT, 2, 200, NULL, FIELD_REQUIRED, "Nome dell'ente" },
	{ "kind", FIELD_BODY, VALID_ENUM, 0, 0, org_db_kinds, FIELD_REQUIRED, "Tipo" },
	{ "parent", FIELD_BODY, VALID_INT, 0, INT64_MAX, NULL, 0, "Ente superiore" },
};

static const char *
admin_kind_label(const char *kind)
{
	static const struct { const char *kind, *label; } labels[] = {
		{ "regione", "Regione" }, { "comune", "Comune" }, { "municipio", "Municipio" },
		{ "ambito", "Ambito sociale" }, { "altro", "Altro" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(labels); i++)
		if (strcmp(kind, labels[i].kind) == 0)
			return labels[i].label;
	return kind;
}

static int
admin_orgs_form(struct request *req, int status, const char *message)
{
	struct tmpl_ctx *ctx = response_ctx(req, "Enti");
	struct org_list orgs;
	long long parent = request_int(req, "parent", 0);

	if (org_db_list(req->db, req->arena, &orgs) == -1)
		return 500;
	response_form(req, ctx);
	tmpl_set(ctx, "message", message);
	for (int i = 0; i < orgs.count; i++) {
		const struct org *o = &orgs.items[i];
		struct tmpl_ctx *t = tmpl_list_add(ctx, "orgs");
		tmpl_set_int(t, "id", o->id);
		tmpl_set(t, "name", o->name);
		tmpl_set(t, "label", o->path);
		tmpl_set(t, "kind_label", admin_kind_label(o->kind));
		tmpl_set_int(t, "members", o->members);
		tmpl_set_bool(t, "members_one", o->members == 1);
		tmpl_setf(t, "indent", "%d", o->depth);
		tmpl_set_bool(t, "selected", o->id == parent);
	}
	for (int i = 0; org_db_kinds[i]; i++) {
		struct tmpl_ctx *k = tmpl_list_add(ctx, "kinds");
		tmpl_set(k, "value", org_db_kinds[i]);
		tmpl_set(k, "label", admin_kind_label(org_db_kinds[i]));
		tmpl_set_bool(k, "selected", request_str(req, "kind") && strcmp(request_str(req, "kind"), org_db_kinds[i]) == 0);
	}
	return response_page(req, status, "portal/admin_orgs", ctx);
}

/* GET /admin/enti: 200 */
static int
admin_orgs_page(struct request *req)
{
	return admin_orgs_form(req, 200, NULL);
}

/*
 * Creates an organisation after checking its parent, with its audit line,
 * in one transaction.  Returns 0 (id in *id), -1 on a database error, or
 * 400/409 with *message when refused.
 */
static int
admin_org_create(struct request *req, const char *name, const char *kind, int64_t parent,
		 int64_t *id, const char **message)
{
	bool exists = true;
	int rc = -1;

	if (db_begin(req->db) == -1)
		goto out;
	if (parent != 0 && org_db_exists(req->db, parent, &exists) == -1)
		goto out;
	if (!exists) {
		*message = "L'ente superiore indicato non esiste.";
		rc = 400;
		goto out;
	}
	if ((*id = org_db_create(req->db, name, kind, parent)) < 0)
		goto out;
	if (*id == 0) {
		*message = "Esiste già un ente con questo nome allo stesso livello.";
		rc = 409;
		goto out;
	}
	if (account_db_audit(req->db, req->user->id, "org_create", *id, name, req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	rc = 0;
out:
	db_rollback(req->db);
	return rc;
}

/* POST /admin/enti: 303 back; 400; 409 duplicate name; 500. */
static int
admin_orgs_submit(struct request *req)
{
	const char *message = NULL;
	int64_t id;
	int rc;

	if (req->nerrors > 0)
		return admin_orgs_form(req, 400, NULL);
	rc = admin_org_create(req, request_str(req, "name"), request_str(req, "kind"),
			      request_int(req, "parent", 0), &id, &message);
	if (rc == -1)
		return 500;
	if (rc > 0)
		return admin_orgs_form(req, rc, message);
	return response_redirect(req, "/admin/enti");
}

/* ---- JSON API ---- */

static void
admin_json_org(struct json_writer *w, const struct org *o)
{
	json_obj_open(w, NULL);
	json_int(w, "id", o->id);
	json_str(w, "name", o->name);
	json_str(w, "kind", o->kind);
	if (o->parent_id)
		json_int(w, "parent_id", o->parent_id);
	else
		json_null(w, "parent_id");
	json_str(w, "path", o->path);
	json_obj_close(w);
}

/* GET /api/v1/orgs: 200 {orgs:[...]} (depth-first). */
static int
admin_api_orgs(struct request *req)
{
	struct json_writer w;
	struct org_list orgs;

	if (org_db_list(req->db, req->arena, &orgs) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "orgs");
	for (int i = 0; i < orgs.count; i++)
		admin_json_org(&w, &orgs.items[i]);
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

static const struct field admin_api_org_fields[] = {
	{ "name", FIELD_BODY, VALID_TEXT, 2, 200, NULL, FIELD_REQUIRED, "name" },
	{ "kind", FIELD_BODY, VALID_ENUM, 0, 0, org_db_kinds, 0, "kind" },
	{ "parent_id", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, 0, "parent_id" },
};

/* POST /api/v1/orgs: 201 {id}; 400; 409; 500. */
static int
admin_api_org_create(struct request *req)
{
	const char *message = NULL;
	struct json_writer w;
	int64_t id;
	int rc;

	rc = admin_org_create(req, request_str(req, "name"),
			      request_str(req, "kind") ? request_str(req, "kind") : "altro",
			      request_int(req, "parent_id", 0), &id, &message);
	if (rc == -1)
		return 500;
	if (rc > 0)
		return response_json_error(req, rc, rc == 409 ? "conflict" : "bad_request", message);
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_int(&w, "id", id);
	json_obj_close(&w);
	response_header(req, "Location", arena_printf(req->arena, "/api/v1/orgs/%lld", (long long)id));
	return response_json(req, 201);
}

static const struct field admin_api_users_fields[] = {
	{ "q", FIELD_QUERY, VALID_TEXT, 1, 100, NULL, 0, "q" },
	{ "status", FIELD_QUERY, VALID_ENUM, 0, 0, admin_statuses, 0, "status" },
	{ "org_id", FIELD_QUERY, VALID_INT, 1, INT64_MAX, NULL, 0, "org_id" },
	{ "limit", FIELD_QUERY, VALID_INT, 1, 500, NULL, 0, "limit" },
	{ "offset", FIELD_QUERY, VALID_INT, 0, 10000000, NULL, 0, "offset" },
};

/*
 * GET /api/v1/users: 200 {users, total}; 403.  Admins and coordination
 * see everyone; a referent sees only the people of their organisation,
 * whatever org_id they ask for.
 */
static int
admin_api_users(struct request *req)
{
	struct account_filter f = {
		.query = request_str(req, "q"), .status = request_str(req, "status"),
		.org_id = request_int(req, "org_id", 0), .limit = (int)request_int(req, "limit", 100),
		.offset = (int)request_int(req, "offset", 0),
	};
	struct account_list list;
	struct json_writer w;

	if (!(req->user->roles & ADMIN_ROLES)) {
		if (req->user->org_id == 0)
			return response_json_error(req, 403, "forbidden", "Non appartieni a nessun ente.");
		if (f.org_id != 0 && f.org_id != req->user->org_id)
			return response_json_error(req, 403, "forbidden",
						   "Puoi vedere solo le persone del tuo ente.");
		f.org_id = req->user->org_id;
	}
	if (account_db_list(req->db, req->arena, &f, &list) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "users");
	for (int i = 0; i < list.count; i++)
		account_json_user(&w, NULL, &list.items[i].user, list.items[i].status);
	json_arr_close(&w);
	json_int(&w, "total", list.total);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* Answers {"user": ...} with status. */
static int
admin_json_user_reply(struct request *req, int status, const struct account *acct)
{
	struct json_writer w;

	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	account_json_user(&w, "user", &acct->user, acct->status);
	json_obj_close(&w);
	return response_json(req, status);
}

/* Reads "roles": ["operatore", ...] into *mask; -1 on a wrong type or unknown name. */
static int
admin_json_roles(const struct json_value *v, unsigned *mask)
{
	*mask = 0;
	if (v->type != JSON_ARRAY)
		return -1;
	for (const struct json_value *e = v->child; e != NULL; e = e->next) {
		unsigned bit = e->type == JSON_STRING ? role_from_name(e->str) : 0;
		if (bit == 0)
			return -1;
		*mask |= bit;
	}
	return 0;
}

static const struct field admin_api_user_create_fields[] = {
	{ "email", FIELD_BODY, VALID_EMAIL, 0, 0, NULL, FIELD_REQUIRED, "email" },
	{ "name", FIELD_BODY, VALID_TEXT, 2, 120, NULL, FIELD_REQUIRED, "name" },
	{ "password", FIELD_BODY, VALID_TEXT, PASSWORD_MIN_CHARS, PASSWORD_MAX_CHARS, NULL,
	  FIELD_REQUIRED | FIELD_RAW, "password" },
	{ "org_id", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, 0, "org_id" },
};

/* POST /api/v1/users: 201 {user}; 400; 409 email taken; 500.  The account is active at once. */
static int
admin_api_user_create(struct request *req)
{
	const struct json_value *jr = json_get(req->json, "roles");
	unsigned roles = ROLE_OPERATORE;
	char hash[PASSWORD_HASH_LEN];
	struct buf rolebuf;
	struct account acct;
	bool exists = true, found;
	int64_t id, org = request_int(req, "org_id", 0);
	int status = 500;

	if (jr != NULL && admin_json_roles(jr, &roles) == -1)
		return response_json_error(req, 400, "bad_request", "«roles»: elenco di ruoli non valido.");
	if ((roles & ROLE_ADMIN) && !(req->user->roles & ROLE_ADMIN))
		return response_json_error(req, 403, "forbidden", "Solo un amministratore crea amministratori.");
	if (org != 0 && org_db_exists(req->db, org, &exists) == -1)
		return 500;
	if (!exists)
		return response_json_error(req, 400, "bad_request", "«org_id»: l'ente non esiste.");
	if (password_hash(request_str(req, "password"), hash) == -1)
		return response_busy(req);
	buf_init(&rolebuf, 256);
	role_format_array(roles, &rolebuf);
	if (db_begin(req->db) == -1)
		goto out;
	id = account_db_create(req->db, request_str(req, "email"), request_str(req, "name"), hash, org,
			       "active", rolebuf.data);
	if (id < 0)
		goto out;
	if (id == 0) {
		status = response_json_error(req, 409, "conflict", "Esiste già un account con questo indirizzo email.");
		goto out;
	}
	if (account_db_audit(req->db, req->user->id, "user_create", id, rolebuf.data, req->client_addr) == -1 ||
	    account_db_by_id(req->db, req->arena, id, &acct, &found) == -1 || !found ||
	    db_commit(req->db) == -1)
		goto out;
	response_header(req, "Location", arena_printf(req->arena, "/api/v1/users/%lld", (long long)id));
	status = admin_json_user_reply(req, 201, &acct);
out:
	buf_release(&rolebuf);
	db_rollback(req->db);
	return status;
}

static const char *const admin_api_statuses[] = { "active", "disabled", NULL };

static const struct field admin_api_user_patch_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	{ "name", FIELD_BODY, VALID_TEXT, 2, 120, NULL, 0, "name" },
	{ "status", FIELD_BODY, VALID_ENUM, 0, 0, admin_api_statuses, 0, "status" },
	{ "org_id", FIELD_BODY, VALID_INT, 0, INT64_MAX, NULL, 0, "org_id" },
};

/* PATCH /api/v1/users/{id}: 200 {user}; 400; 403; 404; 500. */
static int
admin_api_user_patch(struct request *req)
{
	const struct json_value *jr = json_get(req->json, "roles");
	struct admin_change c = { 0 };
	const char *message = NULL;
	struct account acct;
	bool found;
	int rc, status = 500;

	if (jr != NULL) {
		if (admin_json_roles(jr, &c.roles) == -1)
			return response_json_error(req, 400, "bad_request", "«roles»: elenco di ruoli non valido.");
		c.set_roles = true;
	}
	c.name = request_str(req, "name");
	c.status = request_str(req, "status");
	if (request_field(req, "org_id")->present) {
		c.set_org = true;
		c.org_id = request_int(req, "org_id", 0);
	}
	if (db_begin(req->db) == -1 ||
	    account_db_lock(req->db, req->arena, request_int(req, "id", 0), &acct, &found) == -1)
		goto out;
	if (!found) {
		status = response_json_error(req, 404, "not_found", "Utente non trovato.");
		goto out;
	}
	if ((rc = admin_apply(req, &acct, &c, &message)) == -1)
		goto out;
	if (rc > 0) {
		status = response_json_error(req, rc, rc == 403 ? "forbidden" : "bad_request", message);
		goto out;
	}
	/* The answer is read inside the transaction: once committed, the
	 * change is never reported as failed. */
	if (account_db_by_id(req->db, req->arena, acct.user.id, &acct, &found) == -1 || !found ||
	    db_commit(req->db) == -1)
		goto out;
	status = admin_json_user_reply(req, 200, &acct);
out:
	db_rollback(req->db);
	return status;
}

static const struct route admin_routes[] = {
	{ METHOD_GET, "/admin/utenti", admin_users_page, ADMIN_ROLES, 0,
	  ROUTER_FIELDS(admin_users_fields), "admin.users" },
	{ METHOD_GET, "/admin/utenti/{id}", admin_user_page, ADMIN_ROLES, 0,
	  ROUTER_FIELDS(admin_user_fields), "admin.user" },
	{ METHOD_POST, "/admin/utenti/{id}", admin_user_submit, ADMIN_ROLES, 0,
	  ROUTER_FIELDS(admin_user_post_fields), "admin.user" },
	{ METHOD_GET, "/admin/enti", admin_orgs_page, ADMIN_ROLES, 0, NULL, 0, "admin.orgs" },
	{ METHOD_POST, "/admin/enti", admin_orgs_submit, ADMIN_ROLES, ROUTE_FORM,
	  ROUTER_FIELDS(admin_org_fields), "admin.orgs" },
	{ METHOD_GET, "/api/v1/orgs", admin_api_orgs, ROLE_MEMBER, ROUTE_API, NULL, 0, "api.orgs" },
	{ METHOD_POST, "/api/v1/orgs", admin_api_org_create, ROLE_ADMIN, ROUTE_API,
	  ROUTER_FIELDS(admin_api_org_fields), "api.orgs" },
	{ METHOD_GET, "/api/v1/users", admin_api_users, ADMIN_ROLES | ROLE_REFERENTE, ROUTE_API,
	  ROUTER_FIELDS(admin_api_users_fields), "api.users" },
	{ METHOD_POST, "/api/v1/users", admin_api_user_create, ROLE_ADMIN, ROUTE_API,
	  ROUTER_FIELDS(admin_api_user_create_fields), "api.users" },
	{ METHOD_PATCH, "/api/v1/users/{id}", admin_api_user_patch, ROLE_ADMIN, ROUTE_API,
	  ROUTER_FIELDS(admin_api_user_patch_fields), "api.user" },
};

void
admin_register(struct router *r, const struct config *cfg)
{
	admin_cfg = cfg;
	router_add(r, admin_routes, ARRAY_SIZE(admin_routes));
}
