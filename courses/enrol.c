/*
 * enrol.c - enrolment of organisations and lists of people (see enrol.h).
 *
 * Every enrolment of many runs in one transaction with an audit line.
 */
#include "compat.h"

#include <string.h>

#include "account_db.h"
#include "course.h"
#include "course_db.h"
#include "enrol.h"
#include "enrol_db.h"
#include "json.h"
#include "org.h"
#include "org_db.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "tmpl.h"
#include "valid.h"

int
enrol_emails_resolve(struct db *db, struct arena *a, const char *text, struct enrol_emails *out)
{
	char *copy = arena_strdup(a, text), *line, *next;
	struct buf unknown;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->ids = arena_calloc(a, ENROL_EMAILS_MAX, sizeof(*out->ids));
	buf_init(&unknown, 8192);
	for (line = copy; line != NULL; line = next) {
		int64_t uid;
		size_t len;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		while (*line != '\0' && strchr(" \t\r,;", *line) != NULL)
			line++;
		len = strlen(line);
		while (len > 0 && strchr(" \t\r,;", line[len - 1]) != NULL)
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (out->n + out->nunknown == ENROL_EMAILS_MAX) {
			out->too_many = true;
			rc = 0;
			goto out;
		}
		if ((uid = valid_email(line, len) ? enrol_db_user_by_email(db, line) : 0) < 0)
			goto out;
		if (uid == 0)
			buf_printf(&unknown, "%s%s", out->nunknown++ > 0 ? ", " : "", line);
		else
			out->ids[out->n++] = uid;
	}
	if (unknown.err)	/* a very long list: say that there is more */
		buf_adds(&unknown, "…");
	out->unknown = out->nunknown > 0 ? arena_strdup(a, unknown.data) : "";
	rc = 0;
out:
	buf_release(&unknown);
	return rc;
}

const char *
enrol_emails_problem(struct arena *a, const struct enrol_emails *e, const char *nothing_done)
{
	if (e->too_many)
		return arena_printf(a, "Al massimo %d indirizzi per volta.", ENROL_EMAILS_MAX);
	if (e->nunknown > 0)
		return arena_printf(a, "Nessun account attivo con %s: %s. %s",
				    e->nunknown == 1 ? "questo indirizzo" : "questi indirizzi", e->unknown,
				    nothing_done);
	if (e->n == 0)
		return "Indica almeno un indirizzo email.";
	return NULL;
}

/* Enrols e's accounts; *added counts the new ones.  Inside the caller's transaction. */
static int
enrol_ids(struct db *db, int64_t course_id, const struct enrol_emails *e, int64_t *added)
{
	*added = 0;
	for (int i = 0; i < e->n; i++) {
		int rc = enrol_db_user(db, course_id, e->ids[i]);
		if (rc < 0)
			return -1;
		*added += rc;
	}
	return 0;
}

static const struct response_notice enrol_notices[] = {
	{ "ente", "Le persone attive dell'ente sono state iscritte al corso." },
	{ "elenco", "Le persone dell'elenco sono state iscritte al corso." },
	{ "nessuno", "Nessuna nuova iscrizione: le persone indicate erano già iscritte o l'ente non ha persone attive." },
};

/* The enrolment page of course id; 404 if there is no such course. */
static int
enrol_render(struct request *req, int status, int64_t id)
{
	struct tmpl_ctx *ctx, *form;
	struct org_list orgs;
	struct course *c;
	int64_t count;
	int n;

	if (course_db_outlines(req->db, req->arena, id, 0, true, &c, &n) == -1)
		return 500;
	if (n == 0)
		return response_error(req, 404, "Corso non trovato.");
	if ((count = enrol_db_count(req->db, id)) < 0 || org_db_list(req->db, req->arena, &orgs) == -1)
		return 500;
	ctx = response_ctx(req, arena_printf(req->arena, "Iscrizioni: %s", c->title));
	form = response_form(req, ctx);
	response_notice(req, ctx, enrol_notices, ARRAY_SIZE(enrol_notices));
	if (request_field(req, "ente") == NULL || request_str(req, "ente") == NULL)
		tmpl_set_bool(form, "sottoenti", true);	/* the default, on a fresh page */
	tmpl_set_int(ctx, "id", c->id);
	tmpl_set(ctx, "course_title", c->title);
	tmpl_set_bool(ctx, "draft", !c->published);
	tmpl_set_int(ctx, "count", count);
	org_options(ctx, &orgs, request_int(req, "ente", 0));
	return response_page(req, status, "courses/manage_enrolments", ctx);
}

static const struct field enrol_page_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Corso" }, RESPONSE_NOTICE_FIELD,
};

/* GET /gestione/corsi/{id}/iscrizioni: 200; 403; 404. */
static int
enrol_page(struct request *req)
{
	return enrol_render(req, 200, request_int(req, "id", 0));
}

/* Commits and redirects to the page with the notice for added people. */
static int
enrol_done(struct request *req, int64_t course_id, const char *action, int64_t added,
	   const char *notice)
{
	if (account_db_audit(req->db, req->user->id, action, course_id,
			     arena_printf(req->arena, "%lld", (long long)added), req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		return 500;
	return response_redirect(req, arena_printf(req->arena, "/gestione/corsi/%lld/iscrizioni?esito=%s",
				 (long long)course_id, added > 0 ? notice : "nessuno"));
}

/* Whether course id exists (drafts included): 1, 0, or -1 on error. */
static int
enrol_course_exists(struct request *req, int64_t id)
{
	struct course *c;
	int n;

	if (course_db_outlines(req->db, req->arena, id, 0, true, &c, &n) == -1)
		return -1;
	return n > 0;
}

static const struct field enrol_org_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Corso" },
	{ "ente", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Ente" },
	{ "sottoenti", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Enti interni" },
};

/* POST /gestione/corsi/{id}/iscrizioni/ente: 303; 400 form errors; 403; 404. */
static int
enrol_org_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0), org = request_int(req, "ente", 0), added;
	bool exists;
	int rc, status = 500;

	if ((rc = enrol_course_exists(req, id)) != 1)
		return rc == 0 ? response_error(req, 404, "Corso non trovato.") : 500;
	if (req->nerrors > 0)
		return enrol_render(req, 400, id);
	if (org_db_exists(req->db, org, &exists) == -1)
		return 500;
	if (!exists) {
		response_field_error(req, "ente", "Scegli un ente dall'elenco.");
		return enrol_render(req, 400, id);
	}
	if (db_begin(req->db) == -1)
		goto out;
	if ((added = enrol_db_org(req->db, id, org, request_int(req, "sottoenti", 0) != 0)) < 0)
		goto out;
	status = enrol_done(req, id, "course_enrol_org", added, "ente");
out:
	db_rollback(req->db);
	return status;
}

static const struct field enrol_list_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Corso" },
	{ "emails", FIELD_BODY, VALID_TEXT, 1, 40000, NULL, FIELD_REQUIRED | FIELD_MULTILINE,
	  "Indirizzi email" },
};

/* POST /gestione/corsi/{id}/iscrizioni/elenco: 303; 400 unknown addresses (nobody enrolled); 403; 404. */
static int
enrol_list_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0), added;
	struct enrol_emails e;
	const char *problem;
	int rc, status = 500;

	if ((rc = enrol_course_exists(req, id)) != 1)
		return rc == 0 ? response_error(req, 404, "Corso non trovato.") : 500;
	if (req->nerrors > 0)
		return enrol_render(req, 400, id);
	if (db_begin(req->db) == -1 ||
	    enrol_emails_resolve(req->db, req->arena, request_str(req, "emails"), &e) == -1)
		goto out;
	if ((problem = enrol_emails_problem(req->arena, &e, "Nessuno è stato iscritto.")) != NULL) {
		db_rollback(req->db);
		response_field_error(req, "emails", problem);
		status = enrol_render(req, 400, id);
		goto out;
	}
	if (enrol_ids(req->db, id, &e, &added) == -1)
		goto out;
	status = enrol_done(req, id, "course_enrol_list", added, "elenco");
out:
	db_rollback(req->db);
	return status;
}

bool
enrol_api_is_bulk(const struct request *req)
{
	return json_get(req->json, "organisation_id") != NULL || json_get(req->json, "emails") != NULL;
}

/* The "emails" array as the lines enrol_emails_resolve() reads; NULL if not an array of strings. */
static const char *
enrol_api_emails(struct request *req, const struct json_value *arr)
{
	struct buf b;
	const char *out = NULL;

	if (arr->type != JSON_ARRAY || arr->count > ENROL_EMAILS_MAX)
		return NULL;
	buf_init(&b, 64 * 1024);
	for (const struct json_value *v = arr->child; v != NULL; v = v->next) {
		if (v->type != JSON_STRING || strchr(v->str, '\n') != NULL)
			goto out;
		buf_printf(&b, "%s\n", v->str);
	}
	if (!b.err)
		out = arena_strdup(req->arena, b.len > 0 ? b.data : "");
out:
	buf_release(&b);
	return out;
}

int
enrol_api_bulk(struct request *req, int64_t course_id)
{
	const struct json_value *org = json_get(req->json, "organisation_id"),
				*emails = json_get(req->json, "emails"),
				*sub = json_get(req->json, "include_suborganisations");
	struct json_writer w;
	struct enrol_emails e;
	const char *text, *problem;
	long long org_id = 0;
	int64_t added = 0, total;
	bool exists;
	int status = 500;

	if (!(req->user->roles & COURSE_STAFF))
		return response_json_error(req, 403, "forbidden",
					   "Solo formatori e coordinamento possono iscrivere altre persone.");
	if ((org != NULL) == (emails != NULL))
		return response_json_error(req, 400, "bad_request",
					   "Indica «organisation_id» oppure «emails», non entrambi.");
	if (sub != NULL && sub->type != JSON_BOOL)
		return response_json_error(req, 400, "bad_request", "«include_suborganisations»: vero o falso.");
	if (org != NULL) {
		if (json_get_int(org, &org_id) == -1 || org_id <= 0)
			return response_json_error(req, 400, "bad_request", "«organisation_id»: un numero intero positivo.");
		if (org_db_exists(req->db, org_id, &exists) == -1)
			return 500;
		if (!exists)
			return response_json_error(req, 400, "bad_request", "«organisation_id»: ente non trovato.");
	} else if ((text = enrol_api_emails(req, emails)) == NULL) {
		return response_json_error(req, 400, "bad_request", arena_printf(req->arena,
					   "«emails»: un elenco di al massimo %d indirizzi email.", ENROL_EMAILS_MAX));
	}
	if (db_begin(req->db) == -1)
		goto out;
	if (org != NULL) {
		if ((added = enrol_db_org(req->db, course_id, org_id, sub == NULL || sub->boolean)) < 0)
			goto out;
	} else {
		if (enrol_emails_resolve(req->db, req->arena, text, &e) == -1)
			goto out;
		if ((problem = enrol_emails_problem(req->arena, &e, "Nessuno è stato iscritto.")) != NULL) {
			status = response_json_error(req, 400, "bad_request", problem);
			goto out;
		}
		if (enrol_ids(req->db, course_id, &e, &added) == -1)
			goto out;
	}
	if (account_db_audit(req->db, req->user->id, org != NULL ? "course_enrol_org" : "course_enrol_list",
			     course_id, arena_printf(req->arena, "%lld", (long long)added),
			     req->client_addr) == -1 ||
	    db_commit(req->db) == -1 || (total = enrol_db_count(req->db, course_id)) < 0)
		goto out;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_int(&w, "course_id", course_id);
	json_int(&w, "enrolled", added);
	json_int(&w, "total", total);
	json_obj_close(&w);
	status = response_json(req, 200);
out:
	db_rollback(req->db);
	return status;
}

static const struct route enrol_routes[] = {
	{ METHOD_GET, "/gestione/corsi/{id}/iscrizioni", enrol_page, COURSE_STAFF, 0,
	  ROUTER_FIELDS(enrol_page_fields), "courses.manage.enrolments" },
	{ METHOD_POST, "/gestione/corsi/{id}/iscrizioni/ente", enrol_org_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(enrol_org_fields), "courses.manage.enrol_org" },
	{ METHOD_POST, "/gestione/corsi/{id}/iscrizioni/elenco", enrol_list_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(enrol_list_fields), "courses.manage.enrol_list" },
};

void
enrol_register(struct router *r)
{
	router_add(r, enrol_routes, ARRAY_SIZE(enrol_routes));
}
