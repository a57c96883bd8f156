/*
 * course.c - course pages and API (see course.h).
 *
 * Who sees what: visitors see the catalogue and each published course's
 * outline; members read lessons, enrol themselves and mark lessons done
 * (only in courses they are enrolled in); trainers, coordination and
 * admins also see drafts, and write courses (course_edit.c).
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account_db.h"
#include "certificate.h"
#include "cohort.h"
#include "config.h"
#include "course.h"
#include "course_db.h"
#include "course_cache.h"
#include "course_edit.h"
#include "enrol.h"
#include "feedback.h"
#include "feedback_dashboard.h"
#include "progress.h"
#include "quiz.h"
#include "quiz_edit.h"
#include "quiz_keys.h"
#include "internal.h"
#include "db.h"
#include "html.h"
#include "json.h"
#include "log.h"
#include "md.h"
#include "response.h"
#include "role.h"
#include "router.h"
#include "tmpl.h"
#include "video.h"

/* The configuration courses_register() was given; read-only once serving. */
static const struct config *course_cfg;

const char *const *
course_peertube_hosts(void)
{
	return course_cfg != NULL ? (const char *const *)course_cfg->peertube_hosts : NULL;
}

static bool
course_staff(const struct request *req)
{
	return req->user != NULL && (req->user->roles & COURSE_STAFF);
}

static int64_t
course_uid(const struct request *req)
{
	return req->user != NULL ? req->user->id : 0;
}

static int
course_percent(int done, int total)
{
	return total > 0 ? done * 100 / total : 0;
}

/* "45 minuti", "1 ora", "2 ore e 30 minuti". */
static const char *
course_duration(struct arena *a, int minutes)
{
	int h = minutes / 60, m = minutes % 60;

	if (h == 0)
		return arena_printf(a, "%d %s", m, m == 1 ? "minuto" : "minuti");
	if (m == 0)
		return arena_printf(a, "%d %s", h, h == 1 ? "ora" : "ore");
	return arena_printf(a, "%d %s e %d %s", h, h == 1 ? "ora" : "ore", m, m == 1 ? "minuto" : "minuti");
}

/* Messages shown after a redirect, chosen by a fixed code in the URL. */
static const struct response_notice course_notices[] = {
	{ "iscritto", "Iscrizione effettuata: buono studio!" },
	{ "completata", "Lezione segnata come completata." },
};


/* The outline of one course the user may see; *c NULL when it is not there (404). */
static int
course_get(struct request *req, int64_t id, struct course **c)
{
	int n;

	*c = NULL;
	if (course_db_outlines(req->db, req->arena, id, course_uid(req), course_staff(req), c, &n) == -1)
		return -1;
	if (n == 0)
		*c = NULL;
	return 0;
}

/* Fills the outline of c (modules, lessons, durations) into t. */
static void
course_fill(struct request *req, struct tmpl_ctx *t, const struct course *c, bool links)
{
	tmpl_set_int(t, "id", c->id);
	tmpl_set(t, "title", c->title);
	tmpl_set(t, "summary", c->summary[0] ? c->summary : NULL);
	tmpl_set(t, "audience", c->audience[0] ? c->audience : NULL);
	if (c->duration_minutes > 0)
		tmpl_set(t, "duration", course_duration(req->arena, c->duration_minutes));
	tmpl_set_bool(t, "draft", !c->published);
	tmpl_set_int(t, "nlessons", c->nlessons);
	/* Lesson links are composed by the template from these two: no
	 * formatting per lesson on a page of a hundred. */
	tmpl_set_int(t, "course_id", c->id);
	tmpl_set_bool(t, "links", links);
	tmpl_setf(t, "structure", "%d %s, %d %s", c->nmodules, c->nmodules == 1 ? "modulo" : "moduli",
		  c->nlessons, c->nlessons == 1 ? "lezione" : "lezioni");
	int last_minutes = -1;	/* lessons of a course often share a duration */
	const char *last_duration = NULL;

	for (int i = 0; i < c->nmodules; i++) {
		const struct course_module *m = &c->modules[i];
		struct tmpl_ctx *mt = tmpl_list_add(t, "modules");
		tmpl_set_int(mt, "id", m->id);
		tmpl_set_int(mt, "position", i + 1);
		tmpl_set(mt, "title", m->title);
		tmpl_set(mt, "description", m->description[0] ? m->description : NULL);
		tmpl_set_int(mt, "nlessons", m->nlessons);
		tmpl_set_int(mt, "ncompleted", m->ncompleted);
		tmpl_set_int(mt, "percent", course_percent(m->ncompleted, m->nlessons));
		for (int j = 0; j < m->nlessons; j++) {
			const struct course_lesson *l = &m->lessons[j];
			struct tmpl_ctx *lt = tmpl_list_add(mt, "lessons");
			tmpl_set_int(lt, "id", l->id);
			tmpl_set(lt, "title", l->title);
			if (l->duration_minutes > 0) {
				if (l->duration_minutes != last_minutes) {
					last_minutes = l->duration_minutes;
					last_duration = course_duration(req->arena, last_minutes);
				}
				tmpl_set(lt, "duration", last_duration);
			}
			tmpl_set_bool(lt, "draft", !l->published);
			tmpl_set_bool(lt, "completed", l->completed);
		}
		/* Materials are for signed-in members only (links). */
		for (int j = 0; links && j < m->nmaterials; j++) {
			const struct course_material *mat = &m->materials[j];
			struct tmpl_ctx *at;
			if (!html_url_is_safe(mat->url))
				continue;
			at = tmpl_list_add(mt, "materials");
			tmpl_set(at, "title", mat->title);
			tmpl_set(at, "kind", course_material_label(mat->kind));
			tmpl_set(at, "url", mat->url);
		}
		tmpl_set_bool(mt, "has_materials", links && m->nmaterials > 0);
	}
}

/* ---- pages ---- */

/* GET /corsi: 200 */
static int
course_catalogue_page(struct request *req)
{
	struct tmpl_ctx *ctx = response_ctx(req, "Corsi");
	struct course *cs;
	int n;

	if (course_db_outlines(req->db, req->arena, 0, course_uid(req), course_staff(req), &cs, &n) == -1)
		return 500;
	for (int i = 0; i < n; i++)
		course_fill(req, tmpl_list_add(ctx, "courses"), &cs[i], false);
	tmpl_set_bool(ctx, "empty", n == 0);
	return response_page(req, 200, "courses/catalogue", ctx);
}

static const struct field course_page_fields[] = { FIELD_COURSE_ID, RESPONSE_NOTICE_FIELD };

/* GET /corsi/{id}: 200; 404 unknown or a draft for learners. */
static int
course_page(struct request *req)
{
	struct course_learner_state st;
	struct tmpl_ctx *ctx;
	struct course *c;
	bool enrolled;

	/* Learners and visitors get the cached outline; staff, who see
	 * drafts, read it fresh.  Both get the user's enrolment and tests
	 * from course_db_learner_state(). */
	if (!course_staff(req)) {
		if (course_cache_get(req->db, req->arena, request_int(req, "id", 0), course_uid(req), &c,
				     &st) == -1)
			return 500;
	} else if (course_get(req, request_int(req, "id", 0), &c) == -1 ||
		   (c != NULL &&
		    (course_db_learner_state(req->db, req->arena, c->id, req->user->id, &st) == -1 ||
		     course_db_materials(req->db, req->arena, c) == -1))) {
		return 500;
	}
	enrolled = c != NULL && st.enrolled;
	if (c == NULL)
		return response_error(req, 404, "Corso non trovato.");
	ctx = response_ctx(req, c->title);
	response_notice(req, ctx, course_notices, ARRAY_SIZE(course_notices));
	course_fill(req, tmpl_set_obj(ctx, "course"), c, req->user != NULL);
	tmpl_set_bool(ctx, "enrolled", enrolled);
	tmpl_set_bool(ctx, "can_enrol", req->user != NULL && !enrolled && c->published);
	tmpl_setf(ctx, "login_url", "/accedi?next=/corsi/%lld", (long long)c->id);
	if (enrolled) {
		tmpl_set_int(ctx, "percent", course_percent(c->ncompleted, c->nlessons));
		tmpl_set_int(ctx, "ncompleted", c->ncompleted);
		/* Where to resume: the first lesson not done, in course order. */
		for (int i = 0; i < c->nmodules; i++) {
			const struct course_module *m = &c->modules[i];
			int j;
			for (j = 0; j < m->nlessons && m->lessons[j].completed; j++)
				;
			if (j < m->nlessons) {
				tmpl_setf(ctx, "resume_url", "/corsi/%lld/lezioni/%lld", (long long)c->id,
					  (long long)m->lessons[j].id);
				tmpl_set(ctx, "resume_title", m->lessons[j].title);
				break;
			}
		}
		tmpl_set_bool(ctx, "finished", c->nlessons > 0 && c->ncompleted == c->nlessons);
		quiz_course_fill(ctx, c, st.tests, st.ntests);
	}
	return response_page(req, 200, "courses/course", ctx);
}

static const struct field course_enrol_fields[] = { FIELD_COURSE_ID };

/* POST /corsi/{id}/iscrizione: 303 to the course; 404; 500. */
static int
course_enrol_submit(struct request *req)
{
	struct course *c;
	bool created;

	if (course_get(req, request_int(req, "id", 0), &c) == -1)
		return 500;
	if (c == NULL || !c->published)
		return response_error(req, 404, "Corso non trovato.");
	if (course_db_enrol(req->db, req->user->id, c->id, &created) == -1)
		return 500;
	return response_redirect(req, arena_printf(req->arena, "/corsi/%lld?esito=iscritto", (long long)c->id));
}

/*
 * The lesson lesson_id of course course_id as the user may see it: *found
 * false (404) when it is not in that course, or is a draft or in a draft
 * course and the user does not see drafts.
 */
static int
course_lesson_get(struct request *req, int64_t course_id, int64_t lesson_id,
		  struct course_lesson_page *l, bool *found)
{
	if (course_db_lesson(req->db, req->arena, lesson_id, course_uid(req), l, found) == -1)
		return -1;
	if (*found && course_id != 0 && l->course_id != course_id)
		*found = false;
	if (*found && !(l->published && l->course_published) && !course_staff(req))
		*found = false;
	return 0;
}

/*
 * The kind a stored video shows as now: its URL classified again with the
 * current PeerTube hosts, so that only the trusted origins (and an
 * instance still configured) reach an iframe; *embed (arena) its embed URL.
 */
static enum video_kind
course_video_kind(struct request *req, const struct course_video *v, const char **embed)
{
	enum video_kind kind = video_kind_from_name(v->kind);
	struct video_info info;

	*embed = NULL;
	if (kind == VIDEO_YOUTUBE || kind == VIDEO_VIMEO || kind == VIDEO_PEERTUBE) {
		if (v->embed_url != NULL && video_classify_hosts(v->url, course_peertube_hosts(), &info) == 0 &&
		    info.kind == kind) {
			*embed = arena_strdup(req->arena, info.embed_url);
			return kind;
		}
		return VIDEO_LINK;
	}
	return kind == VIDEO_FILE ? VIDEO_FILE : VIDEO_LINK;
}

/* See internal.h. */
bool
course_captions_ok(const char *url)
{
	return html_url_is_web(url) && strncasecmp(url, "https://", 8) == 0;
}

/*
 * Fills one video of the lesson page.  For automatic lessons the players
 * get their postMessage API switched on (YouTube enablejsapi), and each
 * video says whether its end can be observed (data-track in lesson.html).
 */
static void
course_video_fill(struct request *req, struct tmpl_ctx *vt, const struct course_video *v, int position,
		  bool auto_completion)
{
	const char *embed;
	enum video_kind kind = course_video_kind(req, v, &embed);

	tmpl_set(vt, "title", v->title);
	tmpl_set(vt, "url", v->url);
	tmpl_set_int(vt, "position", position);
	tmpl_set(vt, "player", video_kind_name(kind));
	tmpl_set_bool(vt, "observed", auto_completion && video_kind_observable(kind));
	if (v->duration_minutes > 0)
		tmpl_set(vt, "duration", course_duration(req->arena, v->duration_minutes));
	/* Rendered by portal/md.c when the lesson was saved. */
	if (v->transcript_html != NULL && v->transcript_html[0] != '\0')
		tmpl_set_html(vt, "transcript_html", v->transcript_html);
	if (embed != NULL) {
		if (auto_completion && kind == VIDEO_YOUTUBE)
			embed = arena_printf(req->arena, "%s?enablejsapi=1", embed);
		tmpl_set(vt, "embed_url", embed);
		tmpl_set_bool(vt, "is_embed", true);
	} else if (kind == VIDEO_FILE) {
		tmpl_set_bool(vt, "is_file", true);
		if (course_captions_ok(v->captions_url))
			tmpl_set(vt, "captions_url", v->captions_url);
	} else {
		tmpl_set_bool(vt, "is_link", true);
	}
}

/*
 * Whether automatic completion waits for video v: only if the page shows
 * it in a player whose end it can observe.
 */
static bool
course_video_counts(struct request *req, const struct course_video *v)
{
	const char *embed;

	return html_url_is_safe(v->url) && video_kind_observable(course_video_kind(req, v, &embed));
}

/* What an automatic lesson waits for, in words. */
static const char *
course_auto_needs(struct request *req, const struct course_video *v, int n)
{
	int observed = 0;

	for (int i = 0; i < n; i++)
		observed += course_video_counts(req, &v[i]);
	if (observed == 0)
		return "La lezione sarà segnata come completata quando l'avrai letta fino in fondo.";
	if (observed == 1)
		return "La lezione sarà segnata come completata quando l'avrai letta fino in fondo e avrai "
		       "guardato il video.";
	return "La lezione sarà segnata come completata quando l'avrai letta fino in fondo e avrai "
	       "guardato i video.";
}

static const struct field course_lesson_fields[] = { FIELD_COURSE_ID, FIELD_LESSON_ID, RESPONSE_NOTICE_FIELD };

/* GET /corsi/{id}/lezioni/{lesson}: 200; 404. */
static int
course_lesson_page(struct request *req)
{
	struct course_lesson_page l;
	struct tmpl_ctx *ctx;
	bool found;

	if (course_lesson_get(req, request_int(req, "id", 0), request_int(req, "lesson", 0), &l, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Lezione non trovata.");
	ctx = response_ctx(req, l.title);
	response_notice(req, ctx, course_notices, ARRAY_SIZE(course_notices));
	tmpl_set_int(ctx, "course_id", l.course_id);
	tmpl_set(ctx, "course_title", l.course_title);
	tmpl_set_int(ctx, "module_position", l.module_position);
	tmpl_set(ctx, "module_title", l.module_title);
	tmpl_set_int(ctx, "lesson_id", l.id);
	if (l.duration_minutes > 0)
		tmpl_set(ctx, "duration", course_duration(req->arena, l.duration_minutes));
	tmpl_set_bool(ctx, "draft", !l.published || !l.course_published);
	/* Rendered by portal/md.c when the lesson was saved. */
	tmpl_set_html(ctx, "body_html", l.body_html);
	tmpl_set_bool(ctx, "enrolled", l.enrolled);
	tmpl_set_bool(ctx, "completed", l.completed);
	tmpl_set_bool(ctx, "auto", l.auto_completion);
	/* The page reports reading and playing only where it can count. */
	tmpl_set_bool(ctx, "tracking", l.auto_completion && l.enrolled && !l.completed);
	for (int i = 0; i < l.nvideos; i++) {
		const struct course_video *v = &l.videos[i];
		struct tmpl_ctx *vt;

		/* Never trust a stored URL blindly: an unsafe one is not shown. */
		if (!html_url_is_safe(v->url))
			continue;
		vt = tmpl_list_add(ctx, "videos");
		course_video_fill(req, vt, v, i + 1, l.auto_completion);
	}
	if (l.auto_completion)
		tmpl_set(ctx, "auto_needs", course_auto_needs(req, l.videos, l.nvideos));
	tmpl_set_bool(ctx, "has_videos", l.nvideos > 0);
	return response_page(req, 200, "courses/lesson", ctx);
}

static const struct field course_complete_fields[] = { FIELD_COURSE_ID, FIELD_LESSON_ID };

/* POST /corsi/{id}/lezioni/{lesson}/completa: 303 to the course; 403 not enrolled; 404; 500. */
static int
course_complete_submit(struct request *req)
{
	struct course_lesson_page l;
	bool found;

	if (course_lesson_get(req, request_int(req, "id", 0), request_int(req, "lesson", 0), &l, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Lezione non trovata.");
	if (!l.enrolled)
		return response_error(req, 403, "Per segnare una lezione come completata devi prima "
						"iscriverti al corso.");
	if (l.auto_completion)
		return response_error(req, 409, "Questa lezione si completa da sola: leggila fino in fondo "
						"e guarda i video.");
	if (course_db_complete(req->db, req->user->id, l.id) == -1)
		return 500;
	return response_redirect(req, arena_printf(req->arena, "/corsi/%lld?esito=completata",
						   (long long)l.course_id));
}

/* ---- JSON API ---- */

/* See internal.h: the labels of the module_materials.kind CHECK's values. */
const char *
course_material_label(const char *kind)
{
	if (kind != NULL && strcmp(kind, "manuale") == 0)
		return "Manuale";
	if (kind != NULL && strcmp(kind, "esercitazione") == 0)
		return "Esercitazione";
	return "Altro";
}

/* The members a module object has wherever the API shows one; the caller closes it. */
static void
course_module_json_open(struct json_writer *w, const struct course_module *m)
{
	json_obj_open(w, NULL);
	json_int(w, "id", m->id);
	json_int(w, "position", m->position);
	json_str(w, "title", m->title);
	json_str(w, "description", m->description);
}

/* A lesson of an outline (completed: by the user the outline was read for). */
static void
course_outline_lesson_json(struct json_writer *w, const struct course_lesson *l)
{
	json_obj_open(w, NULL);
	json_int(w, "id", l->id);
	json_int(w, "position", l->position);
	json_str(w, "title", l->title);
	json_int(w, "duration_minutes", l->duration_minutes);
	json_bool(w, "published", l->published);
	json_bool(w, "completed", l->completed);
	json_obj_close(w);
}

/* Writes c under key; with detail, its modules and lessons (completed: by the caller). */
void
course_json(struct json_writer *w, const char *key, const struct course *c, bool detail)
{
	json_obj_open(w, key);
	json_int(w, "id", c->id);
	json_str(w, "title", c->title);
	json_str(w, "slug", c->slug);
	json_str(w, "summary", c->summary);
	json_str(w, "audience", c->audience);
	json_int(w, "duration_minutes", c->duration_minutes);
	json_bool(w, "published", c->published);
	json_int(w, "modules_count", c->nmodules);
	json_int(w, "lessons_count", c->nlessons);
	if (detail) {
		json_arr_open(w, "modules");
		for (int i = 0; i < c->nmodules; i++) {
			const struct course_module *m = &c->modules[i];
			course_module_json_open(w, m);
			json_arr_open(w, "lessons");
			for (int j = 0; j < m->nlessons; j++)
				course_outline_lesson_json(w, &m->lessons[j]);
			json_arr_close(w);
			if (c->materials) {
				json_arr_open(w, "materials");
				for (int j = 0; j < m->nmaterials; j++) {
					const struct course_material *mat = &m->materials[j];
					json_obj_open(w, NULL);
					json_int(w, "id", mat->id);
					json_int(w, "position", mat->position);
					json_str(w, "title", mat->title);
					json_str(w, "kind", mat->kind);
					json_str(w, "url", mat->url);
					json_obj_close(w);
				}
				json_arr_close(w);
			}
			json_obj_close(w);
		}
		json_arr_close(w);
	}
	json_obj_close(w);
}

/* GET /api/v1/courses: 200 {courses:[...]} (published ones; drafts too for staff). */
static int
course_api_list(struct request *req)
{
	struct json_writer w;
	struct course *cs;
	int n;

	if (course_db_outlines(req->db, req->arena, 0, course_uid(req), course_staff(req), &cs, &n) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "courses");
	for (int i = 0; i < n; i++)
		course_json(&w, NULL, &cs[i], false);
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

static const struct field course_api_id_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
};

/* GET /api/v1/courses/{id}: 200 {course, enrolment}; 404. */
static int
course_api_get(struct request *req)
{
	struct json_writer w;
	struct course *c;
	const char *enrolled_at = "";
	bool enrolled = false;

	if (course_get(req, request_int(req, "id", 0), &c) == -1)
		return 500;
	if (c == NULL)
		return response_json_error(req, 404, "not_found", "Corso non trovato.");
	/* Materials are for members: visitors get the outline only. */
	if (req->user != NULL &&
	    (course_db_enrolment(req->db, req->arena, req->user->id, c->id, &enrolled, &enrolled_at) == -1 ||
	     course_db_materials(req->db, req->arena, c) == -1))
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	course_json(&w, "course", c, true);
	if (enrolled) {
		json_obj_open(&w, "enrolment");
		json_str(&w, "enrolled_at", enrolled_at);
		json_int(&w, "lessons_completed", c->ncompleted);
		json_int(&w, "percent", course_percent(c->ncompleted, c->nlessons));
		json_obj_close(&w);
	} else {
		json_null(&w, "enrolment");
	}
	json_obj_close(&w);
	return response_json(req, 200);
}

/* POST /api/v1/courses/{id}/enrolments: 201 {enrolment} new, 200 already enrolled; 404; 500. */
static int
course_api_enrol(struct request *req)
{
	struct json_writer w;
	struct course *c;
	const char *enrolled_at;
	bool created, enrolled;

	if (course_get(req, request_int(req, "id", 0), &c) == -1)
		return 500;
	if (c != NULL && enrol_api_is_bulk(req))
		return enrol_api_bulk(req, c->id);
	if (c == NULL || !c->published)
		return response_json_error(req, 404, "not_found", "Corso non trovato.");
	if (course_db_enrol(req->db, req->user->id, c->id, &created) == -1 ||
	    course_db_enrolment(req->db, req->arena, req->user->id, c->id, &enrolled, &enrolled_at) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_obj_open(&w, "enrolment");
	json_int(&w, "course_id", c->id);
	json_int(&w, "user_id", req->user->id);
	json_str(&w, "enrolled_at", enrolled_at);
	json_obj_close(&w);
	json_obj_close(&w);
	return response_json(req, created ? 201 : 200);
}

/* POST /api/v1/lessons/{id}/complete: 200 {lesson_id, completed}; 403 not enrolled; 404; 500. */
static int
course_api_complete(struct request *req)
{
	struct course_lesson_page l;
	struct json_writer w;
	bool found;

	if (course_lesson_get(req, 0, request_int(req, "id", 0), &l, &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Lezione non trovata.");
	if (!l.enrolled)
		return response_json_error(req, 403, "not_enrolled",
					   "Per completare una lezione devi essere iscritto al corso.");
	if (l.auto_completion)
		return response_json_error(req, 409, "auto_completion",
					   "Questa lezione si completa da sola: leggila fino in fondo e guarda i video.");
	if (course_db_complete(req->db, req->user->id, l.id) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_int(&w, "lesson_id", l.id);
	json_int(&w, "course_id", l.course_id);
	json_bool(&w, "completed", true);
	json_obj_close(&w);
	return response_json(req, 200);
}

static const char *const course_view_events[] = { "read", "played", NULL };

static const struct field course_api_view_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	/* Checked by the handler, so that a wrong value is a 422, not a 400. */
	{ "event", FIELD_BODY, VALID_TEXT, 0, 20, NULL, 0, "event" },
	{ "video", FIELD_BODY, VALID_INT, 0, 0, NULL, 0, "video" },
};

/*
 * POST /api/v1/lessons/{id}/views {"event":"read"} or {"event":"played",
 * "video":POSITION}: what the page of an automatic lesson saw.  When the
 * lesson has been read to its end and every video whose end can be
 * observed (video_kind_observable) has been played, it is completed, as
 * by the button of manual lessons.  200 {lesson_id, read, videos_played,
 * completed}; 403 not enrolled; 404; 409 manual lesson; 422 bad event or
 * position; 500.
 */
static int
course_api_view(struct request *req)
{
	struct course_lesson_page l;
	struct course_view view;
	struct json_writer w;
	const char *event = request_str(req, "event");
	long long video = request_int(req, "video", 0);
	bool found, done = true, *played;
	int ev = -1;

	if (course_lesson_get(req, 0, request_int(req, "id", 0), &l, &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Lezione non trovata.");
	if (!l.enrolled)
		return response_json_error(req, 403, "not_enrolled",
					   "Per completare una lezione devi essere iscritto al corso.");
	if (!l.auto_completion)
		return response_json_error(req, 409, "manual_completion",
					   "Questa lezione si completa con il pulsante «Segna come completata».");
	for (int i = 0; event != NULL && course_view_events[i] != NULL; i++)
		if (strcmp(event, course_view_events[i]) == 0)
			ev = i;
	if (ev == -1)
		return response_json_error(req, 422, "invalid_event",
					   "«event»: scrivi \"read\" oppure \"played\".");
	if (ev == 1 && (video < 1 || video > l.nvideos))
		return response_json_error(req, 422, "invalid_video",
					   arena_printf(req->arena, "«video»: la lezione ha %d video, numerati da 1.",
							l.nvideos));
	if (ev == 0 && request_field(req, "video")->present)
		return response_json_error(req, 422, "invalid_video", "«video»: solo con l'evento \"played\".");
	if (course_db_view_record(req->db, req->arena, req->user->id, l.id, ev == 0, ev == 1 ? (int)video : 0,
				  &view) == -1)
		return 500;
	played = arena_calloc(req->arena, (size_t)l.nvideos + 1, sizeof(*played));
	for (int i = 0; i < view.nplayed; i++)
		if (view.played[i] >= 1 && view.played[i] <= l.nvideos)
			played[view.played[i]] = true;
	done = view.read;
	for (int i = 0; i < l.nvideos; i++)
		if (course_video_counts(req, &l.videos[i]) && !played[i + 1])
			done = false;
	done = done || l.completed;
	if (done && !l.completed && course_db_complete(req->db, req->user->id, l.id) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_int(&w, "lesson_id", l.id);
	json_bool(&w, "read", view.read);
	json_arr_open(&w, "videos_played");
	for (int i = 1; i <= l.nvideos; i++)
		if (played[i])
			json_int(&w, NULL, i);
	json_arr_close(&w);
	json_bool(&w, "completed", done);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* GET /api/v1/courses/{id}/modules: 200 {modules:[...]}; 404 unknown or a draft for learners. */
static int
course_api_modules(struct request *req)
{
	struct json_writer w;
	struct course *c;

	if (course_get(req, request_int(req, "id", 0), &c) == -1)
		return 500;
	if (c == NULL)
		return response_json_error(req, 404, "not_found", "Corso non trovato.");
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_int(&w, "course_id", c->id);
	json_arr_open(&w, "modules");
	for (int i = 0; i < c->nmodules; i++) {
		course_module_json_open(&w, &c->modules[i]);
		json_int(&w, "lessons_count", c->modules[i].nlessons);
		json_obj_close(&w);
	}
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

/*
 * GET /api/v1/modules/{id}/lessons: 200 {module_id, course_id, lessons:[...]}
 * (published lessons only, but for staff); 404 unknown, or in a draft
 * course for learners.
 */
static int
course_api_module_lessons(struct request *req)
{
	const struct course_module *m = NULL;
	struct json_writer w;
	struct course *c;
	int64_t mid = request_int(req, "id", 0), cid;

	if (course_db_module_parent(req->db, mid, false, &cid) == -1)
		return 500;
	if (cid != 0 && course_get(req, cid, &c) == -1)
		return 500;
	for (int i = 0; cid != 0 && c != NULL && i < c->nmodules; i++)
		if (c->modules[i].id == mid)
			m = &c->modules[i];
	if (m == NULL)
		return response_json_error(req, 404, "not_found", "Modulo non trovato.");
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_int(&w, "module_id", m->id);
	json_int(&w, "course_id", cid);
	json_arr_open(&w, "lessons");
	for (int j = 0; j < m->nlessons; j++)
		course_outline_lesson_json(&w, &m->lessons[j]);
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* See internal.h. */
void
course_video_json(struct json_writer *w, const struct course_video *v, int position,
		  enum course_video_view view, struct request *req)
{
	const char *kind = v->kind, *embed = v->embed_url, *captions = v->captions_url;

	if (view == COURSE_VIDEO_SHOWN) {
		enum video_kind k = course_video_kind(req, v, &embed);
		kind = video_kind_name(k);
		captions = k == VIDEO_FILE && course_captions_ok(v->captions_url) ? v->captions_url : NULL;
	}
	json_obj_open(w, NULL);
	json_int(w, "position", position);
	json_str(w, "title", v->title);
	json_str(w, "url", v->url);
	json_str(w, "kind", kind);
	if (embed != NULL)
		json_str(w, "embed_url", embed);
	else
		json_null(w, "embed_url");
	json_int(w, "duration_minutes", v->duration_minutes);
	if (view == COURSE_VIDEO_STORED)
		json_str(w, "transcript_md", v->transcript_md ? v->transcript_md : "");
	json_str(w, "transcript_html", v->transcript_html ? v->transcript_html : "");
	if (captions != NULL)
		json_str(w, "captions_url", captions);
	else
		json_null(w, "captions_url");
	if (view == COURSE_VIDEO_SHOWN)
		json_bool(w, "counts_for_completion", course_video_counts(req, v));
	json_obj_close(w);
}

/*
 * GET /api/v1/lessons/{id}: 200 {lesson} with its videos as the page shows
 * them and, for the caller, enrolled and completed; 404 unknown or a draft
 * for learners.
 */
static int
course_api_lesson(struct request *req)
{
	struct course_lesson_page l;
	struct json_writer w;
	bool found;

	if (course_lesson_get(req, 0, request_int(req, "id", 0), &l, &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Lezione non trovata.");
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_obj_open(&w, "lesson");
	json_int(&w, "id", l.id);
	json_int(&w, "course_id", l.course_id);
	json_int(&w, "module_position", l.module_position);
	json_int(&w, "position", l.position);
	json_str(&w, "title", l.title);
	json_str(&w, "body_html", l.body_html);
	json_int(&w, "duration_minutes", l.duration_minutes);
	json_bool(&w, "published", l.published && l.course_published);
	json_str(&w, "completion_mode", l.auto_completion ? "auto" : "manual");
	json_arr_open(&w, "videos");
	for (int i = 0; i < l.nvideos; i++)
		if (html_url_is_safe(l.videos[i].url))
			course_video_json(&w, &l.videos[i], i + 1, COURSE_VIDEO_SHOWN, req);
	json_arr_close(&w);
	json_bool(&w, "enrolled", l.enrolled);
	json_bool(&w, "completed", l.completed);
	json_obj_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* GET /api/v1/me/progress: 200 {courses:[...]}. */
static int
course_api_progress(struct request *req)
{
	struct course_progress *p;
	struct json_writer w;
	int n;

	if (course_db_progress(req->db, req->arena, req->user->id, &p, &n) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "courses");
	for (int i = 0; i < n; i++) {
		json_obj_open(&w, NULL);
		json_int(&w, "course_id", p[i].course_id);
		json_str(&w, "title", p[i].title);
		json_str(&w, "enrolled_at", p[i].enrolled_at);
		json_int(&w, "lessons_total", p[i].nlessons);
		json_int(&w, "lessons_completed", p[i].ncompleted);
		json_int(&w, "percent", course_percent(p[i].ncompleted, p[i].nlessons));
		json_obj_close(&w);
	}
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

static const struct field course_catalogue_fields[] = { RESPONSE_NOTICE_FIELD };

static const struct route course_routes[] = {
	{ METHOD_GET, "/corsi", course_catalogue_page, ROLE_PUBLIC, 0,
	  ROUTER_FIELDS(course_catalogue_fields), "courses.catalogue" },
	{ METHOD_GET, "/corsi/{id}", course_page, ROLE_PUBLIC, 0,
	  ROUTER_FIELDS(course_page_fields), "courses.course" },
	{ METHOD_POST, "/corsi/{id}/iscrizione", course_enrol_submit, ROLE_MEMBER, 0,
	  ROUTER_FIELDS(course_enrol_fields), "courses.enrol" },
	{ METHOD_GET, "/corsi/{id}/lezioni/{lesson}", course_lesson_page, ROLE_MEMBER, 0,
	  ROUTER_FIELDS(course_lesson_fields), "courses.lesson" },
	{ METHOD_POST, "/corsi/{id}/lezioni/{lesson}/completa", course_complete_submit, ROLE_MEMBER, 0,
	  ROUTER_FIELDS(course_complete_fields), "courses.complete" },
	{ METHOD_GET, "/api/v1/courses", course_api_list, ROLE_PUBLIC, ROUTE_API, NULL, 0,
	  "api.courses" },
	{ METHOD_GET, "/api/v1/courses/{id}", course_api_get, ROLE_PUBLIC, ROUTE_API,
	  ROUTER_FIELDS(course_api_id_fields), "api.course" },
	{ METHOD_POST, "/api/v1/courses/{id}/enrolments", course_api_enrol, ROLE_MEMBER, ROUTE_API,
	  ROUTER_FIELDS(course_api_id_fields), "api.course.enrolments" },
	{ METHOD_POST, "/api/v1/lessons/{id}/complete", course_api_complete, ROLE_MEMBER, ROUTE_API,
	  ROUTER_FIELDS(course_api_id_fields), "api.lesson.complete" },
	{ METHOD_POST, "/api/v1/lessons/{id}/views", course_api_view, ROLE_MEMBER, ROUTE_API,
	  ROUTER_FIELDS(course_api_view_fields), "api.lesson.views" },
	{ METHOD_GET, "/api/v1/lessons/{id}", course_api_lesson, ROLE_MEMBER, ROUTE_API,
	  ROUTER_FIELDS(course_api_id_fields), "api.lesson" },
	{ METHOD_GET, "/api/v1/courses/{id}/modules", course_api_modules, ROLE_PUBLIC, ROUTE_API,
	  ROUTER_FIELDS(course_api_id_fields), "api.course.modules" },
	{ METHOD_GET, "/api/v1/modules/{id}/lessons", course_api_module_lessons, ROLE_MEMBER, ROUTE_API,
	  ROUTER_FIELDS(course_api_id_fields), "api.module.lessons" },
	{ METHOD_GET, "/api/v1/me/progress", course_api_progress, ROLE_MEMBER, ROUTE_API, NULL, 0,
	  "api.me.progress" },
};

void
courses_register(struct router *r, const struct config *cfg)
{
	course_cfg = cfg;
	router_add(r, course_routes, ARRAY_SIZE(course_routes));
	course_edit_register(r);
	cohort_register(r);
	enrol_register(r);
	progress_register(r, cfg);
	quiz_register(r);
	quiz_edit_register(r);
	feedback_register(r, cfg);
	feedback_dashboard_register(r, cfg);
	if (certificate_register(r, cfg) == -1)
		fatalx("cannot start the certificates (signing key in \"%s\")", cfg->var_dir);
}

int
courses_start(const struct config *cfg)
{
	return quiz_saves_start(cfg->database_url);
}

void
courses_shutdown(void)
{
	quiz_saves_stop();
	course_cache_clear();
	quiz_keys_clear();
	certificate_shutdown();
}
