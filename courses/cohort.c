/*
 * cohort.c - cohorts and their calendar (see cohort.h).
 *
 * Every write runs in one transaction with an audit line.  Session times
 * are typed by trainers as Rome wall-clock time and turned into instants
 * by PostgreSQL (cohort_db.c), so daylight saving needs no code here.
 */
#include "compat.h"

#include <string.h>

#include "account_db.h"
#include "cohort.h"
#include "cohort_db.h"
#include "course.h"
#include "course_db.h"
#include "enrol.h"
#include "db.h"
#include "html.h"
#include "ical.h"
#include "internal.h"
#include "response.h"
#include "role.h"
#include "router.h"
#include "tmpl.h"
#include "valid.h"

#define COHORT_ICS_MAX ((size_t)4 << 20)
#define COHORT_PRODID "-//SIGeSS//Portale formazione//IT"

static bool
cohort_staff(const struct request *req)
{
	return req->user != NULL && (req->user->roles & COURSE_STAFF);
}

/* Messages shown after a redirect, chosen by a fixed code in the URL. */
static const struct response_notice cohort_notices[] = {
	{ "creata", "Classe creata." },
	{ "membri", "Partecipanti aggiunti alla classe." },
	{ "sessione", "Incontro aggiunto al calendario." },
	{ "registrazione", "Registrazione aggiunta all'incontro." },
};

/* Fills one session into t (page rendering). */
static void
cohort_session_fill(struct tmpl_ctx *t, const struct cohort_session *s)
{
	tmpl_set_int(t, "id", s->id);
	tmpl_set(t, "cohort", s->cohort_name);
	tmpl_set(t, "module", s->module_title);
	tmpl_set(t, "day", s->day);
	tmpl_set(t, "start", s->start);
	tmpl_set(t, "end", s->end);
	tmpl_set_bool(t, "live", s->live);
	tmpl_set(t, "place", s->place[0] ? s->place : NULL);
	/* Links go out only if they still pass the check the table enforces. */
	tmpl_set(t, "meeting_url", html_url_is_web(s->meeting_url) ? s->meeting_url : NULL);
	tmpl_set(t, "recording_url", html_url_is_web(s->recording_url) ? s->recording_url : NULL);
	tmpl_set_bool(t, "past", s->past);
}

/* ---- trainer pages ---- */

/* The cohort list of course_id with the creation form; 404 if no such course. */
static int
cohort_list_render(struct request *req, int status, int64_t course_id)
{
	struct tmpl_ctx *ctx;
	struct course *c;
	struct cohort *cs;
	int n;

	if (course_db_outlines(req->db, req->arena, course_id, req->user->id, true, &c, &n) == -1)
		return 500;
	if (n == 0)
		return response_error(req, 404, "Corso non trovato.");
	if (cohort_db_list(req->db, req->arena, course_id, &cs, &n) == -1)
		return 500;
	ctx = response_ctx(req, arena_printf(req->arena, "Classi: %s", c->title));
	response_form(req, ctx);
	response_notice(req, ctx, cohort_notices, ARRAY_SIZE(cohort_notices));
	tmpl_set_int(ctx, "course_id", c->id);
	tmpl_set(ctx, "course_title", c->title);
	tmpl_set_bool(ctx, "empty", n == 0);
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "cohorts");
		tmpl_set_int(t, "id", cs[i].id);
		tmpl_set(t, "name", cs[i].name);
		tmpl_set(t, "starts_on", cs[i].starts_on);
		tmpl_set_int(t, "nmembers", cs[i].nmembers);
		tmpl_set_int(t, "nsessions", cs[i].nsessions);
	}
	return response_page(req, status, "courses/manage_cohorts", ctx);
}

static const struct field cohort_list_fields[] = { FIELD_COURSE_ID, RESPONSE_NOTICE_FIELD };

/* GET /gestione/corsi/{id}/classi: 200; 403; 404. */
static int
cohort_list_page(struct request *req)
{
	return cohort_list_render(req, 200, request_int(req, "id", 0));
}

static const struct field cohort_create_fields[] = {
	FIELD_COURSE_ID,
	{ "name", FIELD_BODY, VALID_TEXT, 1, 200, NULL, FIELD_REQUIRED, "Nome della classe" },
	{ "starts_on", FIELD_BODY, VALID_DATE, 20000101, 21001231, NULL, FIELD_REQUIRED, "Data di inizio" },
};

/* POST /gestione/corsi/{id}/classi: 303 to the new cohort; 400 form; 403; 404; 500. */
static int
cohort_create_submit(struct request *req)
{
	int64_t course_id = request_int(req, "id", 0), id = -1;
	const char *name = request_str(req, "name");
	struct course *c;
	int n, status = 500;

	if (req->nerrors > 0)
		return cohort_list_render(req, 400, course_id);
	if (course_db_outlines(req->db, req->arena, course_id, req->user->id, true, &c, &n) == -1)
		goto out;
	if (n == 0) {
		status = response_error(req, 404, "Corso non trovato.");
		goto out;
	}
	if (db_begin(req->db) == -1 ||
	    (id = cohort_db_create(req->db, course_id, name, request_str(req, "starts_on"), req->user->id)) < 0)
		goto out;
	if (id == 0) {
		db_rollback(req->db);
		response_field_error(req, "name", "Il corso ha già una classe con questo nome.");
		status = cohort_list_render(req, 400, course_id);
		goto out;
	}
	if (account_db_audit(req->db, req->user->id, "cohort_create", id, name, req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	status = response_redirect(req, arena_printf(req->arena, "/gestione/classi/%lld?esito=creata", (long long)id));
out:
	db_rollback(req->db);
	return status;
}

/* The cohort page: members, sessions and the three forms; 404 if no such cohort. */
static int
cohort_render(struct request *req, int status, int64_t id, const char *message)
{
	struct tmpl_ctx *ctx, *form;
	struct cohort co;
	struct cohort_member *mem;
	struct cohort_session *ss;
	struct course *c;
	bool found;
	int n;

	if (cohort_db_get(req->db, req->arena, id, &co, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Classe non trovata.");
	if (course_db_outlines(req->db, req->arena, co.course_id, req->user->id, true, &c, &n) == -1)
		return 500;
	if (n == 0)
		return response_error(req, 404, "Classe non trovata.");
	ctx = response_ctx(req, arena_printf(req->arena, "Classe: %s", co.name));
	form = response_form(req, ctx);
	response_notice(req, ctx, cohort_notices, ARRAY_SIZE(cohort_notices));
	tmpl_set(ctx, "message", message);
	tmpl_set_int(ctx, "id", co.id);
	tmpl_set(ctx, "name", co.name);
	tmpl_set(ctx, "starts_on", co.starts_on);
	tmpl_set_int(ctx, "course_id", co.course_id);
	tmpl_set(ctx, "course_title", co.course_title);
	if (request_field(req, "durata") == NULL)	/* not the session form being sent back */
		tmpl_set(form, "durata", "120");
	for (int i = 0; i < c->nmodules; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "modules");
		const char *chosen = request_str(req, "modulo");
		tmpl_set_int(t, "id", c->modules[i].id);
		tmpl_set_int(t, "position", i + 1);
		tmpl_set(t, "title", c->modules[i].title);
		tmpl_set_bool(t, "selected", chosen != NULL && request_int(req, "modulo", 0) == c->modules[i].id);
	}
	tmpl_set_bool(ctx, "kind_recording", request_int(req, "tipo", 0) == 1);
	if (cohort_db_members(req->db, req->arena, id, &mem, &n) == -1)
		return 500;
	tmpl_set_int(ctx, "nmembers", n);
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "members");
		tmpl_set(t, "name", mem[i].name);
		tmpl_set(t, "email", mem[i].email);
	}
	if (cohort_db_sessions(req->db, req->arena, COHORT_SCOPE_COHORT, id, 0, &ss, &n) == -1)
		return 500;
	tmpl_set_bool(ctx, "no_sessions", n == 0);
	for (int i = 0; i < n; i++)
		cohort_session_fill(tmpl_list_add(ctx, "sessions"), &ss[i]);
	return response_page(req, status, "courses/manage_cohort", ctx);
}

static const struct field cohort_page_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Classe" }, RESPONSE_NOTICE_FIELD,
};

/* GET /gestione/classi/{id}: 200; 403; 404. */
static int
cohort_page(struct request *req)
{
	return cohort_render(req, 200, request_int(req, "id", 0), NULL);
}

static const struct field cohort_members_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Classe" },
	{ "emails", FIELD_BODY, VALID_TEXT, 1, 40000, NULL, FIELD_REQUIRED | FIELD_MULTILINE,
	  "Indirizzi email" },
};

/*
 * POST /gestione/classi/{id}/membri: one address per line.  All are added
 * or none: an address that is malformed or has no account sends the form
 * back (400) naming them.  303 back; 400; 403; 404; 500.
 */
static int
cohort_members_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	struct enrol_emails e;
	struct cohort co;
	const char *problem;
	bool found;
	int status = 500;

	if (req->nerrors > 0) {
		status = cohort_render(req, 400, id, NULL);
		goto out;
	}
	if (cohort_db_get(req->db, req->arena, id, &co, &found) == -1)
		goto out;
	if (!found) {
		status = response_error(req, 404, "Classe non trovata.");
		goto out;
	}
	if (db_begin(req->db) == -1 ||
	    enrol_emails_resolve(req->db, req->arena, request_str(req, "emails"), &e) == -1)
		goto out;
	if ((problem = enrol_emails_problem(req->arena, &e, "Nessuno è stato aggiunto.")) != NULL) {
		db_rollback(req->db);
		response_field_error(req, "emails", problem);
		status = cohort_render(req, 400, id, NULL);
		goto out;
	}
	for (int i = 0; i < e.n; i++)
		if (cohort_db_add_member(req->db, id, e.ids[i]) == -1)
			goto out;
	if (account_db_audit(req->db, req->user->id, "cohort_members_add", id,
			     arena_printf(req->arena, "%d", e.n), req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	status = response_redirect(req, arena_printf(req->arena, "/gestione/classi/%lld?esito=membri", (long long)id));
out:
	db_rollback(req->db);
	return status;
}

/* "HH:MM" or "H:MM" into minutes since midnight; -1 if it is not a time. */
static int
cohort_parse_time(const char *s)
{
	int h = 0, m, i = 0;

	if (s == NULL)
		return -1;
	for (; i < 2 && s[i] >= '0' && s[i] <= '9'; i++)
		h = h * 10 + (s[i] - '0');
	if (i == 0 || s[i] != ':' || s[i + 1] < '0' || s[i + 1] > '5' || s[i + 2] < '0' || s[i + 2] > '9' ||
	    s[i + 3] != '\0' || h > 23)
		return -1;
	m = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
	return h * 60 + m;
}

static const char *const cohort_kinds[] = { "live", "recording", NULL };

static const struct field cohort_session_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Classe" },
	{ "modulo", FIELD_BODY, VALID_INT, 0, INT64_MAX, NULL, 0, "Modulo" },
	{ "data", FIELD_BODY, VALID_DATE, 20000101, 21001231, NULL, FIELD_REQUIRED, "Data" },
	{ "ora", FIELD_BODY, VALID_TEXT, 4, 5, NULL, FIELD_REQUIRED, "Ora di inizio" },
	{ "durata", FIELD_BODY, VALID_INT, 5, 720, NULL, FIELD_REQUIRED, "Durata in minuti" },
	{ "tipo", FIELD_BODY, VALID_ENUM, 0, 0, cohort_kinds, FIELD_REQUIRED, "Tipo di incontro" },
	{ "luogo", FIELD_BODY, VALID_TEXT, 0, 300, NULL, 0, "Luogo" },
	{ "link", FIELD_BODY, VALID_TEXT, 0, 2000, NULL, 0, "Link" },
};

/*
 * POST /gestione/classi/{id}/sessioni: a live session (place or meeting
 * link) or a recorded one (link to the recording).  303 back; 400; 403;
 * 404; 500.
 */
static int
cohort_session_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0), module_id = request_int(req, "modulo", 0), parent, sid;
	const char *place = request_str(req, "luogo"), *link = request_str(req, "link");
	bool live = request_int(req, "tipo", 0) == 0, found;
	struct cohort co;
	int minutes = cohort_parse_time(request_str(req, "ora")), status = 500;

	if (request_str(req, "ora") != NULL && minutes < 0)
		response_field_error(req, "ora", "L'ora di inizio va scritta come 10:30.");
	if (link != NULL && !html_url_is_web(link))
		response_field_error(req, "link", "Il link deve essere un indirizzo web che inizia con https://.");
	if (req->nerrors == 0 && live && place == NULL && link == NULL)
		response_field_error(req, "luogo", "Indica il luogo o il link dell'incontro.");
	if (req->nerrors == 0 && !live && link == NULL)
		response_field_error(req, "link", "Indica il link della registrazione.");
	if (req->nerrors > 0)
		return cohort_render(req, 400, id, NULL);
	if (cohort_db_get(req->db, req->arena, id, &co, &found) == -1)
		goto out;
	if (!found) {
		status = response_error(req, 404, "Classe non trovata.");
		goto out;
	}
	if (module_id != 0) {
		if (course_db_module_parent(req->db, module_id, false, &parent) == -1)
			goto out;
		if (parent != co.course_id) {
			response_field_error(req, "modulo", "Il modulo non appartiene al corso della classe.");
			status = cohort_render(req, 400, id, NULL);
			goto out;
		}
	}
	if (db_begin(req->db) == -1 ||
	    (sid = cohort_db_session_add(req->db, id, module_id, live,
					 arena_printf(req->arena, "%s %02d:%02d", request_str(req, "data"),
						      minutes / 60, minutes % 60),
					 (int)request_int(req, "durata", 0), place,
					 live ? link : NULL, live ? NULL : link)) <= 0 ||
	    account_db_audit(req->db, req->user->id, "cohort_session_add", sid, co.name, req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	status = response_redirect(req, arena_printf(req->arena, "/gestione/classi/%lld?esito=sessione", (long long)id));
out:
	db_rollback(req->db);
	return status;
}

static const struct field cohort_recording_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Incontro" },
	{ "registrazione", FIELD_BODY, VALID_TEXT, 1, 2000, NULL, FIELD_REQUIRED, "Link della registrazione" },
};

/* POST /gestione/sessioni/{id}/registrazione: 303 to the cohort; 400; 403; 404; 500. */
static int
cohort_recording_submit(struct request *req)
{
	const char *url = request_str(req, "registrazione");
	int64_t sid = request_int(req, "id", 0), cid;
	bool found;
	int status = 500;

	if ((cid = cohort_db_session_cohort(req->db, sid)) < 0)
		goto out;
	if (cid == 0) {
		status = response_error(req, 404, "Incontro non trovato.");
		goto out;
	}
	if (req->nerrors > 0 || !html_url_is_web(url)) {
		status = cohort_render(req, 400, cid, "Il link della registrazione deve iniziare con https://.");
		goto out;
	}
	if (db_begin(req->db) == -1 || cohort_db_session_recording(req->db, sid, cid, url, &found) == -1)
		goto out;
	if (!found) {
		db_rollback(req->db);
		status = cohort_render(req, 400, cid, "La registrazione si aggiunge a un incontro già iniziato.");
		goto out;
	}
	if (account_db_audit(req->db, req->user->id, "cohort_session_recording", sid, url, req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	status = response_redirect(req, arena_printf(req->arena, "/gestione/classi/%lld?esito=registrazione",
						     (long long)cid));
out:
	db_rollback(req->db);
	return status;
}

/* ---- learners ---- */

static const struct field cohort_calendar_fields[] = { FIELD_COURSE_ID };

/* GET /corsi/{id}/calendario: 200; 404 unknown course, or a draft for learners. */
static int
cohort_calendar_page(struct request *req)
{
	struct cohort_session *ss;
	struct tmpl_ctx *ctx;
	struct course *c;
	int n;

	if (course_db_outlines(req->db, req->arena, request_int(req, "id", 0), req->user->id,
			       cohort_staff(req), &c, &n) == -1)
		return 500;
	if (n == 0)
		return response_error(req, 404, "Corso non trovato.");
	if (cohort_db_sessions(req->db, req->arena, COHORT_SCOPE_COURSE, c->id, req->user->id, &ss, &n) == -1)
		return 500;
	ctx = response_ctx(req, arena_printf(req->arena, "Calendario: %s", c->title));
	tmpl_set_int(ctx, "course_id", c->id);
	tmpl_set(ctx, "course_title", c->title);
	tmpl_set_bool(ctx, "empty", n == 0);
	for (int i = 0; i < n; i++) {
		bool seen = false;

		cohort_session_fill(tmpl_list_add(ctx, "sessions"), &ss[i]);
		/* One feed link per cohort: sessions of cohorts interleave in time. */
		for (int j = 0; j < i && !seen; j++)
			seen = ss[j].cohort_id == ss[i].cohort_id;
		if (!seen) {
			struct tmpl_ctx *t = tmpl_list_add(ctx, "cohorts");
			tmpl_set_int(t, "id", ss[i].cohort_id);
			tmpl_set(t, "name", ss[i].cohort_name);
		}
	}
	return response_page(req, 200, "courses/calendar", ctx);
}

/* ---- iCalendar ---- */

/* Writes sessions as a calendar called name into req->body: 200, or 500 past the cap. */
static int
cohort_ics(struct request *req, const char *name, const struct cohort_session *ss, int n,
	   const char *filename)
{
	const char *stamp = cohort_db_now_utc(req->db, req->arena);

	if (stamp == NULL)
		return 500;
	buf_reset(&req->body);
	req->body.max = COHORT_ICS_MAX;
	ical_begin(&req->body, COHORT_PRODID, name);
	for (int i = 0; i < n; i++) {
		const struct cohort_session *s = &ss[i];
		const char *meet = html_url_is_web(s->meeting_url) ? s->meeting_url : NULL;
		const char *rec = html_url_is_web(s->recording_url) ? s->recording_url : NULL;
		struct ical_event ev = {
			.uid = arena_printf(req->arena, "sessione-%lld@portale-sigess", (long long)s->id),
			.dtstart = s->utc_start,
			.dtend = s->utc_end,
			.summary = arena_printf(req->arena, "%s%s%s (%s)", s->course_title,
						s->module_title ? ": " : "", s->module_title ? s->module_title : "",
						s->live ? "in diretta" : "in differita"),
			.description = arena_printf(req->arena, "Classe: %s%s%s%s%s", s->cohort_name,
						    meet ? "\nCollegamento: " : "", meet ? meet : "",
						    rec ? "\nRegistrazione: " : "", rec ? rec : ""),
			.location = s->place[0] ? s->place : meet,
			.url = rec ? rec : meet,
		};
		ical_event(&req->body, &ev, stamp);
	}
	ical_end(&req->body);
	if (req->body.err) {
		buf_reset(&req->body);
		return 500;
	}
	req->content_type = "text/calendar; charset=utf-8";
	response_header(req, "Content-Disposition", arena_printf(req->arena, "attachment; filename=\"%s\"", filename));
	response_header(req, "Cache-Control", "private, no-store");
	return req->status = 200;
}

static const struct field cohort_ics_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
};

/* GET /api/v1/cohorts/{id}/calendar.ics: 200 text/calendar; 401; 404 unless member or staff. */
static int
cohort_api_ics(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	struct cohort_session *ss;
	struct cohort co;
	struct course *c;
	bool found, member = false;
	int n = 0;

	if (cohort_db_get(req->db, req->arena, id, &co, &found) == -1)
		return 500;
	if (found && !cohort_staff(req) && cohort_db_is_member(req->db, id, req->user->id, &member) == -1)
		return 500;
	if (found && (cohort_staff(req) || member) &&
	    course_db_outlines(req->db, req->arena, co.course_id, req->user->id, cohort_staff(req), &c, &n) == -1)
		return 500;
	/* Not a member: the same 404 as a cohort that does not exist. */
	if (!found || !(cohort_staff(req) || member) || n == 0)
		return response_json_error(req, 404, "not_found", "Classe non trovata.");
	if (cohort_db_sessions(req->db, req->arena, COHORT_SCOPE_COHORT, id, 0, &ss, &n) == -1)
		return 500;
	return cohort_ics(req, arena_printf(req->arena, "%s – %s", co.course_title, co.name), ss, n,
			  arena_printf(req->arena, "classe-%lld.ics", (long long)id));
}

/* GET /calendario.ics: 200 text/calendar, every session of the user's cohorts. */
static int
cohort_user_ics(struct request *req)
{
	struct cohort_session *ss;
	int n;

	if (cohort_db_sessions(req->db, req->arena, COHORT_SCOPE_USER, 0, req->user->id, &ss, &n) == -1)
		return 500;
	return cohort_ics(req, "Calendario dei corsi", ss, n, "calendario.ics");
}

static const struct route cohort_routes[] = {
	{ METHOD_GET, "/gestione/corsi/{id}/classi", cohort_list_page, COURSE_STAFF, 0,
	  ROUTER_FIELDS(cohort_list_fields), "cohorts.manage" },
	{ METHOD_POST, "/gestione/corsi/{id}/classi", cohort_create_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(cohort_create_fields), "cohorts.manage" },
	{ METHOD_GET, "/gestione/classi/{id}", cohort_page, COURSE_STAFF, 0,
	  ROUTER_FIELDS(cohort_page_fields), "cohorts.cohort" },
	{ METHOD_POST, "/gestione/classi/{id}/membri", cohort_members_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(cohort_members_fields), "cohorts.members" },
	{ METHOD_POST, "/gestione/classi/{id}/sessioni", cohort_session_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(cohort_session_fields), "cohorts.session" },
	{ METHOD_POST, "/gestione/sessioni/{id}/registrazione", cohort_recording_submit, COURSE_STAFF,
	  ROUTE_FORM, ROUTER_FIELDS(cohort_recording_fields), "cohorts.recording" },
	{ METHOD_GET, "/corsi/{id}/calendario", cohort_calendar_page, ROLE_MEMBER, 0,
	  ROUTER_FIELDS(cohort_calendar_fields), "cohorts.calendar" },
	{ METHOD_GET, "/calendario.ics", cohort_user_ics, ROLE_MEMBER, 0, NULL, 0, "cohorts.feed" },
	{ METHOD_GET, "/api/v1/cohorts/{id}/calendar.ics", cohort_api_ics, ROLE_MEMBER, ROUTE_API,
	  ROUTER_FIELDS(cohort_ics_fields), "api.cohort.calendar" },
};

void
cohort_register(struct router *r)
{
	router_add(r, cohort_routes, ARRAY_SIZE(cohort_routes));
}
