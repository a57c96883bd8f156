/*
 * certificate_level.c - trainers define a course's certification levels
 * (see certificate_level.h).
 */
#include "compat.h"

#include <string.h>

#include "certificate_db.h"
#include "certificate_level.h"
#include "course.h"
#include "course_db.h"
#include "db.h"
#include "json.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "tmpl.h"
#include "valid.h"

static const char *const certificate_level_rules[] = { "final_tests", "verification", NULL };

static const struct response_notice certificate_level_notices[] = {
	{ "aggiunto", "Livello aggiunto." },
	{ "salvato", "Livello salvato." },
};

/* Course id, drafts included: 1 with *title, 0 if none, -1. */
static int
certificate_level_course(struct request *req, int64_t id, const char **title)
{
	struct course *c;
	int n;

	if (course_db_outlines(req->db, req->arena, id, 0, true, &c, &n) == -1)
		return -1;
	*title = n > 0 ? c->title : NULL;
	return n > 0;
}

/* The levels page of course id; status 400 with the form's errors. */
static int
certificate_level_render(struct request *req, int status, int64_t id)
{
	struct certificate_level_row *l;
	struct tmpl_ctx *ctx;
	const char *title;
	int n, rc;

	if ((rc = certificate_level_course(req, id, &title)) != 1)
		return rc == 0 ? response_error(req, 404, "Corso non trovato.") : 500;
	if (certificate_db_course_levels(req->db, req->arena, id, &l, &n) == -1)
		return 500;
	ctx = response_ctx(req, arena_printf(req->arena, "Livelli di autonomia: %s", title));
	response_notice(req, ctx, certificate_level_notices, ARRAY_SIZE(certificate_level_notices));
	response_form(req, ctx);
	tmpl_set_int(ctx, "course_id", id);
	tmpl_set(ctx, "course_title", title);
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "levels");

		tmpl_set_int(t, "id", l[i].id);
		tmpl_set_int(t, "position", l[i].position);
		tmpl_set(t, "name", l[i].name);
		tmpl_set_bool(t, "verification", strcmp(l[i].rule, "verification") == 0);
		tmpl_set_int(t, "opens_after_days", l[i].opens_after_days);
		tmpl_set_int(t, "valid_days", l[i].valid_days);
		tmpl_set_bool(t, "has_quiz", l[i].quiz_id > 0);
		tmpl_set_int(t, "certificates", l[i].certificates);
	}
	tmpl_set_bool(ctx, "has_levels", n > 0);
	return response_page(req, status, "courses/manage_levels", ctx);
}

static const struct field certificate_level_page_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Corso" },
	RESPONSE_NOTICE_FIELD,
};

/* GET /gestione/corsi/{id}/livelli: 200; 404; 500. */
static int
certificate_level_page(struct request *req)
{
	return certificate_level_render(req, 200, request_int(req, "id", 0));
}

/* The fields of a level, in the form and the API alike. */
#define CERTIFICATE_LEVEL_FIELDS \
	{ "name", FIELD_BODY, VALID_TEXT, 1, 60, NULL, FIELD_REQUIRED, "Nome del livello" }, \
	{ "opens_after_days", FIELD_BODY, VALID_INT, 0, 3650, NULL, 0, "Giorni dopo il livello precedente" }, \
	{ "valid_days", FIELD_BODY, VALID_INT, 0, 36500, NULL, 0, "Validità in giorni (0: senza scadenza)" }

static const struct field certificate_level_add_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Corso" },
	CERTIFICATE_LEVEL_FIELDS,
	{ "rule", FIELD_BODY, VALID_ENUM, 0, 0, certificate_level_rules, FIELD_REQUIRED, "Come si ottiene" },
};

/*
 * Adds a level to course id from req's fields: 0 with *level_id, 1 when
 * the name is taken (the field is marked), -1.
 */
static int
certificate_level_add(struct request *req, int64_t course_id, int64_t *level_id)
{
	const char *rule = certificate_level_rules[request_int(req, "rule", 0)];
	bool found;
	int rc = -1;

	/* The course's row held: two levels added at once take positions in turn. */
	if (db_begin(req->db) == -1 || course_db_lock(req->db, course_id, &found) == -1 || !found)
		goto out;
	*level_id = certificate_db_level_create(req->db, course_id, request_str(req, "name"), rule,
						strcmp(rule, "verification") == 0 ?
						(int)request_int(req, "opens_after_days", 90) : 0,
						(int)request_int(req, "valid_days", 0));
	if (*level_id < 0) {
		if (strcmp(db_sqlstate(req->db), "23505") == 0) {
			response_field_error(req, "name", "Il corso ha già un livello con questo nome.");
			rc = 1;
		}
		goto out;
	}
	if (db_commit(req->db) == -1)
		goto out;
	rc = 0;
out:
	db_rollback(req->db);
	return rc;
}

/* POST /gestione/corsi/{id}/livelli: 303; 400 with the form; 404; 500. */
static int
certificate_level_add_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0), level_id;
	const char *title;
	int rc;

	if ((rc = certificate_level_course(req, id, &title)) != 1)
		return rc == 0 ? response_error(req, 404, "Corso non trovato.") : 500;
	if (req->nerrors > 0)
		return certificate_level_render(req, 400, id);
	if ((rc = certificate_level_add(req, id, &level_id)) != 0)
		return rc == 1 ? certificate_level_render(req, 400, id) : 500;
	return response_redirect(req, arena_printf(req->arena, "/gestione/corsi/%lld/livelli?esito=aggiunto",
						   (long long)id));
}

static const struct field certificate_level_save_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Livello" },
	CERTIFICATE_LEVEL_FIELDS,
};

/* Rewrites level l from req's fields: 0, 1 when the name is taken (marked), -1. */
static int
certificate_level_update(struct request *req, const struct certificate_level_row *l)
{
	if (certificate_db_level_update(req->db, l->id, request_str(req, "name"),
					(int)request_int(req, "opens_after_days", l->opens_after_days),
					(int)request_int(req, "valid_days", l->valid_days)) == 0)
		return 0;
	if (strcmp(db_sqlstate(req->db), "23505") != 0)
		return -1;
	response_field_error(req, "name", "Il corso ha già un livello con questo nome.");
	return 1;
}

/* POST /gestione/livelli/{id}: 303; 400 the course's page with the error; 404; 500. */
static int
certificate_level_save_submit(struct request *req)
{
	struct certificate_level_row l;
	bool found;
	int rc;

	if (certificate_db_level_get(req->db, req->arena, request_int(req, "id", 0), &l, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Livello non trovato.");
	if (req->nerrors > 0)
		return certificate_level_render(req, 400, l.course_id);
	if ((rc = certificate_level_update(req, &l)) != 0)
		return rc == 1 ? certificate_level_render(req, 400, l.course_id) : 500;
	return response_redirect(req, arena_printf(req->arena, "/gestione/corsi/%lld/livelli?esito=salvato",
						   (long long)l.course_id));
}

static void
certificate_level_json(struct json_writer *w, const struct certificate_level_row *l)
{
	json_obj_open(w, NULL);
	json_int(w, "id", l->id);
	json_int(w, "course_id", l->course_id);
	json_int(w, "position", l->position);
	json_str(w, "name", l->name);
	json_str(w, "rule", l->rule);
	json_int(w, "opens_after_days", l->opens_after_days);
	if (l->valid_days > 0)
		json_int(w, "valid_days", l->valid_days);
	else
		json_null(w, "valid_days");
	if (l->quiz_id > 0)
		json_int(w, "quiz_id", l->quiz_id);
	else
		json_null(w, "quiz_id");
	json_int(w, "certificates", l->certificates);
	json_obj_close(w);
}

/* Writes level id as the response with status. */
static int
certificate_level_reply(struct request *req, int status, int64_t id)
{
	struct certificate_level_row l;
	struct json_writer w;
	bool found;

	if (certificate_db_level_get(req->db, req->arena, id, &l, &found) == -1 || !found)
		return 500;
	json_writer_init(&w, &req->body);
	certificate_level_json(&w, &l);
	return response_json(req, status);
}

static const struct field certificate_level_api_course_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
};

/* GET /api/v1/courses/{id}/levels: 200 {levels}; 404; 500. */
static int
certificate_level_api_list(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	struct certificate_level_row *l;
	struct json_writer w;
	const char *title;
	int n, rc;

	if ((rc = certificate_level_course(req, id, &title)) != 1)
		return rc == 0 ? response_json_error(req, 404, "not_found", "Corso non trovato.") : 500;
	if (certificate_db_course_levels(req->db, req->arena, id, &l, &n) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "levels");
	for (int i = 0; i < n; i++)
		certificate_level_json(&w, &l[i]);
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

static const struct field certificate_level_api_add_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	CERTIFICATE_LEVEL_FIELDS,
	{ "rule", FIELD_BODY, VALID_ENUM, 0, 0, certificate_level_rules, FIELD_REQUIRED, "rule" },
};

/* POST /api/v1/courses/{id}/levels {name, rule, opens_after_days, valid_days}: 201; 400; 404; 409 name taken; 500. */
static int
certificate_level_api_add(struct request *req)
{
	int64_t id = request_int(req, "id", 0), level_id;
	const char *title;
	int rc;

	if ((rc = certificate_level_course(req, id, &title)) != 1)
		return rc == 0 ? response_json_error(req, 404, "not_found", "Corso non trovato.") : 500;
	if ((rc = certificate_level_add(req, id, &level_id)) != 0)
		return rc == 1 ? response_json_error(req, 409, "conflict", "Il corso ha già un livello con questo nome.") :
		       500;
	return certificate_level_reply(req, 201, level_id);
}

static const struct field certificate_level_api_save_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	CERTIFICATE_LEVEL_FIELDS,
};

/* PATCH /api/v1/levels/{id} {name, opens_after_days, valid_days}: 200; 400; 404; 409 name taken; 500. */
static int
certificate_level_api_save(struct request *req)
{
	struct certificate_level_row l;
	bool found;
	int rc;

	if (certificate_db_level_get(req->db, req->arena, request_int(req, "id", 0), &l, &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Livello non trovato.");
	if ((rc = certificate_level_update(req, &l)) != 0)
		return rc == 1 ? response_json_error(req, 409, "conflict", "Il corso ha già un livello con questo nome.") :
		       500;
	return certificate_level_reply(req, 200, l.id);
}

static const struct route certificate_level_routes[] = {
	{ METHOD_GET, "/gestione/corsi/{id}/livelli", certificate_level_page, COURSE_STAFF, 0,
	  ROUTER_FIELDS(certificate_level_page_fields), "certificates.levels" },
	{ METHOD_POST, "/gestione/corsi/{id}/livelli", certificate_level_add_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(certificate_level_add_fields), "certificates.levels.add" },
	{ METHOD_POST, "/gestione/livelli/{id}", certificate_level_save_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(certificate_level_save_fields), "certificates.levels.save" },
	{ METHOD_GET, "/api/v1/courses/{id}/levels", certificate_level_api_list, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(certificate_level_api_course_fields), "api.certificates.levels" },
	{ METHOD_POST, "/api/v1/courses/{id}/levels", certificate_level_api_add, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(certificate_level_api_add_fields), "api.certificates.level_add" },
	{ METHOD_PATCH, "/api/v1/levels/{id}", certificate_level_api_save, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(certificate_level_api_save_fields), "api.certificates.level_save" },
};

void
certificate_level_register(struct router *r)
{
	router_add(r, certificate_level_routes, ARRAY_SIZE(certificate_level_routes));
}
