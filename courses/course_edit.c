/*
 * course_edit.c - trainer authoring: the /gestione pages and the API
 * writes (see course_edit.h).
 *
 * Formatore, coordinamento and admin create and edit courses, modules and
 * lessons, publish them, reorder them and restore lesson revisions.  Each
 * change runs in one transaction that holds the parent row (see
 * course_db.h), with an audit line.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "account_db.h"
#include "course.h"
#include "course_db.h"
#include "course_edit.h"
#include "internal.h"
#include "db.h"
#include "html.h"
#include "json.h"
#include "md.h"
#include "response.h"
#include "role.h"
#include "router.h"
#include "tmpl.h"
#include "video.h"

/* ---- trainer authoring: /gestione pages ---- */

#define COURSE_BODY_MAX 60000	/* code points: at most 240 KB, under MD_MAX_INPUT */
#define COURSE_VIDEOS_MAX 20
#define COURSE_SLUG_MAX 80

/*
 * A slug from a title: lower-case ASCII letters and digits, Italian
 * accented vowels folded, every other run of characters one '-'; "corso"
 * when nothing is left.
 */
static const char *
course_slugify(struct arena *a, const char *title)
{
	char *out = arena_alloc(a, COURSE_SLUG_MAX + 1);
	const unsigned char *s = (const unsigned char *)title;
	size_t n = 0;
	bool dash = false;

	for (; *s && n < COURSE_SLUG_MAX; s++) {
		char c = 0;
		if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
			c = (char)*s;
		else if (*s >= 'A' && *s <= 'Z')
			c = (char)(*s - 'A' + 'a');
		else if (*s == 0xC3 && s[1] != 0) {
			/* U+00C0..U+00FF: the accented vowels of Italian. */
			unsigned char t = (unsigned char)(s[1] | 0x20);
			c = t >= 0xA0 && t <= 0xA5 ? 'a' : t >= 0xA8 && t <= 0xAB ? 'e' :
			    t >= 0xAC && t <= 0xAF ? 'i' : t >= 0xB2 && t <= 0xB6 ? 'o' :
			    t >= 0xB9 && t <= 0xBC ? 'u' : 0;
			s++;
		}
		if (c == 0) {
			dash = n > 0;
			continue;
		}
		if (dash && n + 1 < COURSE_SLUG_MAX)
			out[n++] = '-';
		dash = false;
		out[n++] = c;
	}
	out[n] = '\0';
	return n > 0 ? out : "corso";
}

/* s without surrounding spaces and tabs, in place. */
static char *
course_trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* Renders Markdown into *html (arena); -1 when it cannot be rendered (too long, NUL). */
static int
course_markdown(struct request *req, const char *md, const char **html)
{
	struct buf b;
	int rc = -1;

	buf_init(&b, 4 * MD_MAX_INPUT);
	if (md_render(md, strlen(md), &b) == -1)
		goto out;
	*html = arena_strdup(req->arena, b.data);
	rc = 0;
out:
	buf_release(&b);
	return rc;
}

/*
 * Parses the video lines "title|url|minutes" (minutes optional) into *out.
 * Returns 0, or -1 with *message set (Italian, naming the line).
 */
static int
course_parse_videos(struct request *req, const char *text, struct course_video **out, int *count,
		    const char **message)
{
	struct course_video *v = arena_calloc(req->arena, COURSE_VIDEOS_MAX, sizeof(*v));
	char *copy = arena_strdup(req->arena, text ? text : ""), *line, *next;
	int n = 0, lineno = 0;

	for (line = copy; line != NULL; line = next) {
		char *title, *url, *mins, *end;
		struct video_info info;
		long minutes = 0;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '\0')
			continue;
		if (n == COURSE_VIDEOS_MAX) {
			*message = arena_printf(req->arena, "Al massimo %d video per lezione.", COURSE_VIDEOS_MAX);
			return -1;
		}
		title = line;
		url = strchr(title, '|');
		mins = url ? strchr(url + 1, '|') : NULL;
		if (url == NULL)
			goto bad;
		*url++ = '\0';
		if (mins != NULL) {
			*mins++ = '\0';
			minutes = strtol(mins, &end, 10);
			while (*end == ' ' || *end == '\t')
				end++;
			if (end == mins || *end != '\0' || minutes < 0 || minutes > 10000)
				goto bad;
		}
		title = course_trim(title);
		url = course_trim(url);
		if (*title == '\0' || valid_utf8_length(title, strlen(title)) > 200 ||
		    video_classify_hosts(url, course_peertube_hosts(), &info) == -1)
			goto bad;
		v[n].title = title;
		v[n].url = url;
		v[n].kind = video_kind_name(info.kind);
		v[n].embed_url = info.embed_url[0] ? arena_strdup(req->arena, info.embed_url) : NULL;
		v[n].duration_minutes = (int)minutes;
		n++;
	}
	*out = v;
	*count = n;
	return 0;
bad:
	*message = arena_printf(req->arena, "Video, riga %d: scrivi «titolo|indirizzo https|minuti» "
			       "con un indirizzo valido.", lineno);
	return -1;
}

/* The videos as the editor's text, one "title|url|minutes" per line. */
static const char *
course_videos_text(struct request *req, const struct course_video *v, int n)
{
	const char *s = "";

	for (int i = 0; i < n; i++)
		s = arena_printf(req->arena, "%s%s|%s|%d\n", s, v[i].title, v[i].url, v[i].duration_minutes);
	return s;
}

#define COURSE_TRANSCRIPT_MAX 65536	/* bytes of a video's transcript (lesson_videos) */

/*
 * Sets v's transcript (rendered now) and captions.  Returns 0; 1 when the
 * transcript is too long or cannot be rendered; 2 when the captions URL is
 * not a valid https URL.
 */
static int
course_video_extras(struct request *req, struct course_video *v, const char *md, const char *captions)
{
	const char *html = "";

	if (md == NULL)
		md = "";
	if (strlen(md) > COURSE_TRANSCRIPT_MAX || (md[0] != '\0' && course_markdown(req, md, &html) == -1))
		return 1;
	if (captions != NULL && captions[0] != '\0' && !course_captions_ok(captions))
		return 2;
	v->transcript_md = md;
	v->transcript_html = html;
	v->captions_url = captions != NULL && captions[0] != '\0' ? captions : NULL;
	return 0;
}

/*
 * The per-video fields of the editor form: vurl_N (hidden: the URL the
 * fieldset was drawn for, so a transcript follows its video when the
 * lines of the video list are reordered or removed), transcript_N and
 * captions_N, for N = 1..COURSE_VIDEOS_MAX.
 */
#define COURSE_VIDEO_FIELDS(n) \
	{ "vurl_" #n, FIELD_BODY, VALID_TEXT, 0, 2000, NULL, 0, "Indirizzo del video " #n }, \
	{ "transcript_" #n, FIELD_BODY, VALID_TEXT, 0, COURSE_TRANSCRIPT_MAX, NULL, FIELD_MULTILINE, \
	  "Trascrizione del video " #n }, \
	{ "captions_" #n, FIELD_BODY, VALID_TEXT, 0, 2000, NULL, 0, "Sottotitoli del video " #n }

/*
 * Gives video v its transcript and captions from fieldset k of the form.
 * Returns 0, or -1 after marking the offending field invalid.
 */
static int
course_form_video_take(struct request *req, struct course_video *v, int k)
{
	const char *tname = arena_printf(req->arena, "transcript_%d", k);
	const char *cname = arena_printf(req->arena, "captions_%d", k);
	int bad = course_video_extras(req, v, request_str(req, tname), request_str(req, cname));

	if (bad == 0)
		return 0;
	response_field_error(req, bad == 1 ? tname : cname, bad == 1 ?
		arena_printf(req->arena, "La trascrizione del video %d non può essere elaborata.", k) :
		arena_printf(req->arena, "Sottotitoli del video %d: scrivi l'indirizzo https "
			     "di un file WebVTT.", k));
	return -1;
}

/*
 * Gives each parsed video the transcript and captions of the form's
 * fieldset drawn for the same URL (the first one not yet used), so they
 * follow their video when lines are reordered or removed.  A video no
 * fieldset was drawn for then takes the fieldset at its own position
 * (N = index + 1) if no other video took it: its URL was most likely
 * corrected in place, and what was typed for it must not be lost.  The
 * matches by URL all come first, so that a fallback never takes the
 * fieldset of a video that is still in the list.  Returns 0, or -1 after
 * marking the offending fields invalid (req->field_errors).
 */
static int
course_form_video_extras(struct request *req, struct course_video *v, int n)
{
	bool used[COURSE_VIDEOS_MAX + 1] = { false };
	bool matched[COURSE_VIDEOS_MAX] = { false };
	int rc = 0;

	for (int i = 0; i < n && i < COURSE_VIDEOS_MAX; i++) {
		for (int k = 1; k <= COURSE_VIDEOS_MAX; k++) {
			const char *u = request_str(req, arena_printf(req->arena, "vurl_%d", k));

			if (used[k] || u == NULL || strcmp(u, v[i].url) != 0)
				continue;
			used[k] = matched[i] = true;
			if (course_form_video_take(req, &v[i], k) == -1)
				rc = -1;
			break;
		}
	}
	for (int i = 0; i < n && i < COURSE_VIDEOS_MAX; i++) {
		int k = i + 1;

		if (matched[i] || used[k] || request_str(req, arena_printf(req->arena, "vurl_%d", k)) == NULL)
			continue;
		used[k] = true;
		if (course_form_video_take(req, &v[i], k) == -1)
			rc = -1;
	}
	return rc;
}

/*
 * The editor's fieldsets for the saved videos v[0..n): their transcript
 * and captions, from the form when it is being re-rendered (failed).
 */
static void
course_editor_video_fields(struct request *req, struct tmpl_ctx *ctx, const struct course_video *v, int n,
			   bool failed)
{
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *vt = tmpl_list_add(ctx, "video_fields");
		const char *tname = arena_printf(req->arena, "transcript_%d", i + 1);
		const char *cname = arena_printf(req->arena, "captions_%d", i + 1);
		const char *t = failed ? request_str(req, tname) : v[i].transcript_md;
		const char *c = failed ? request_str(req, cname) : v[i].captions_url;

		tmpl_set_int(vt, "n", i + 1);
		tmpl_set(vt, "title", v[i].title);
		tmpl_set(vt, "url", v[i].url);
		tmpl_set(vt, "transcript", t);
		tmpl_set(vt, "captions", c);
		tmpl_set(vt, "transcript_error", failed ? response_field_message(req, tname) : NULL);
		tmpl_set(vt, "captions_error", failed ? response_field_message(req, cname) : NULL);
	}
	tmpl_set_bool(ctx, "has_video_fields", n > 0);
}

static const struct response_notice course_manage_notices[] = {
	{ "creato", "Corso creato: ora aggiungi moduli e lezioni." },
	{ "salvato", "Modifiche salvate." },
	{ "pubblicato", "Corso pubblicato: ora è visibile nel catalogo." },
	{ "ritirato", "Corso ritirato: ora è una bozza, invisibile agli iscritti." },
	{ "modulo", "Modulo aggiunto." },
	{ "spostato", "Ordine aggiornato." },
	{ "creata", "Lezione creata." },
	{ "salvata", "Lezione salvata; la versione precedente è nella cronologia." },
	{ "ripristinata", "Versione ripristinata; quella sostituita è nella cronologia." },
	{ "materiale", "Materiale aggiunto." },
	{ "materiale-eliminato", "Materiale eliminato." },
	{ "duplicato", "Nuova edizione creata come bozza: moduli, lezioni, video e materiali sono "
		       "copiati; iscrizioni, avanzamento e classi no." },
	{ "eliminato", "Corso eliminato." },
	{ "modulo-eliminato", "Modulo eliminato." },
	{ "lezione-eliminata", "Lezione eliminata." },
};

#define FIELD_C_TITLE(name, flags) { name, FIELD_BODY, VALID_TEXT, 1, 200, NULL, flags, "Titolo" }
#define FIELD_C_SUMMARY(name) { name, FIELD_BODY, VALID_TEXT, 0, 4000, NULL, FIELD_MULTILINE, "Sommario" }
#define FIELD_C_AUDIENCE(name) { name, FIELD_BODY, VALID_TEXT, 0, 1000, NULL, 0, "Destinatari" }
#define FIELD_C_DURATION(name, max) { name, FIELD_BODY, VALID_INT, 0, max, NULL, 0, "Durata in minuti" }
#define FIELD_C_BODY(name) { name, FIELD_BODY, VALID_TEXT, 0, COURSE_BODY_MAX, NULL, FIELD_MULTILINE, "Testo" }
#define FIELD_C_PUBLISHED(name) { name, FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Pubblicata" }

static const char *const course_directions[] = { "su", "giu", NULL };

/* The routes whose only parameter is the {id} in their path. */
static const struct field course_id_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
};

/* GET and failed POST /gestione/corsi. */
static int
course_manage_list(struct request *req, int status)
{
	struct tmpl_ctx *ctx = response_ctx(req, "Gestione corsi");
	struct course *cs;
	int n;

	if (course_db_outlines(req->db, req->arena, 0, 0, true, &cs, &n) == -1)
		return 500;
	response_form(req, ctx);
	response_notice(req, ctx, course_manage_notices, ARRAY_SIZE(course_manage_notices));
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "courses");
		tmpl_set_int(t, "id", cs[i].id);
		tmpl_set(t, "title", cs[i].title);
		tmpl_set_bool(t, "draft", !cs[i].published);
		tmpl_setf(t, "structure", "%d %s, %d %s", cs[i].nmodules,
			  cs[i].nmodules == 1 ? "modulo" : "moduli", cs[i].nlessons,
			  cs[i].nlessons == 1 ? "lezione" : "lezioni");
	}
	tmpl_set_bool(ctx, "empty", n == 0);
	return response_page(req, status, "courses/manage_courses", ctx);
}

static const struct field course_manage_list_fields[] = { RESPONSE_NOTICE_FIELD };

/* GET /gestione/corsi: 200 */
static int
course_manage_page(struct request *req)
{
	return course_manage_list(req, 200);
}

/*
 * Creates a course with a slug derived from title (a numbered suffix when
 * taken) and its audit line, in one transaction.  Returns the id, or -1.
 */
static int64_t
course_create(struct request *req, const char *title, const char *summary, const char *audience,
	      int duration, bool published)
{
	const char *base = course_slugify(req->arena, title), *slug = base;
	int64_t id = -1;

	if (db_begin(req->db) == -1)
		goto out;
	for (int i = 2; i < 1000; i++) {
		if ((id = course_db_create_try(req->db, title, slug, summary, audience, duration,
					       published, req->user->id)) != 0)
			break;
		slug = arena_printf(req->arena, "%s-%d", base, i);
	}
	if (id <= 0 || account_db_audit(req->db, req->user->id, "course_create", id, title,
					 req->client_addr) == -1 ||
	    course_db_publication(req->db, req->arena, id) == -1 || db_commit(req->db) == -1)
		id = -1;
out:
	db_rollback(req->db);
	return id;
}

static const struct field course_create_fields[] = {
	FIELD_C_TITLE("title", FIELD_REQUIRED), FIELD_C_SUMMARY("summary"), FIELD_C_AUDIENCE("audience"),
	FIELD_C_DURATION("duration", 100000),
};

/* POST /gestione/corsi: 303 to the editor; 400; 500. */
static int
course_create_submit(struct request *req)
{
	const char *summary = request_str(req, "summary"), *audience = request_str(req, "audience");
	int64_t id;

	if (req->nerrors > 0)
		return course_manage_list(req, 400);
	id = course_create(req, request_str(req, "title"), summary ? summary : "", audience ? audience : "",
			   (int)request_int(req, "duration", 0), false);
	if (id < 0)
		return 500;
	return response_redirect(req, arena_printf(req->arena, "/gestione/corsi/%lld?esito=creato", (long long)id));
}

static const char *const course_material_kinds[] = { "manuale", "esercitazione", "altro", NULL };

/*
 * A module's materials and its "add a material" form in the editor; failed
 * says that form is the one being re-rendered with its errors: its fields
 * then keep the plain ids the error summary links to (f-material_title),
 * while every other module's fields get the module id as a suffix.
 */
static void
course_editor_materials(struct request *req, struct tmpl_ctx *mt, const struct course_module *m,
			bool failed)
{
	long long kind = failed ? request_int(req, "material_kind", 0) : 0;

	tmpl_set_bool(mt, "material_failed", failed);
	if (failed)
		tmpl_set(mt, "mf", "");
	else
		tmpl_setf(mt, "mf", "-%lld", (long long)m->id);
	for (int i = 0; course_material_kinds[i] != NULL; i++) {
		struct tmpl_ctx *k = tmpl_list_add(mt, "kinds");
		tmpl_set(k, "value", course_material_kinds[i]);
		tmpl_set(k, "label", course_material_label(course_material_kinds[i]));
		tmpl_set_bool(k, "selected", kind == i);
	}
	for (int i = 0; i < m->nmaterials; i++) {
		const struct course_material *t = &m->materials[i];
		struct tmpl_ctx *tt = tmpl_list_add(mt, "materials");
		tmpl_set_int(tt, "id", t->id);
		tmpl_set(tt, "title", t->title);
		tmpl_set(tt, "kind", course_material_label(t->kind));
		tmpl_set(tt, "url", t->url);
		tmpl_set(tt, "href", html_url_is_safe(t->url) ? t->url : NULL);
	}
	tmpl_set_bool(mt, "has_materials", m->nmaterials > 0);
}

/*
 * The course editor for course_id; which names the form that failed
 * ("course", "module", "lesson", or "material": the form of the module in
 * the request's "module" field) or is NULL, so the others get defaults.
 * message (NULL: none) is shown at the top.
 */
static int
course_editor_msg(struct request *req, int status, int64_t course_id, const char *which,
		  const char *message)
{
	struct tmpl_ctx *ctx, *form;
	struct course *c;
	int n;

	if (course_db_outlines(req->db, req->arena, course_id, 0, true, &c, &n) == -1)
		return 500;
	if (n == 0)
		return response_error(req, 404, "Corso non trovato.");
	if (course_db_materials(req->db, req->arena, c) == -1)
		return 500;
	ctx = response_ctx(req, arena_printf(req->arena, "Modifica: %s", c->title));
	form = response_form(req, ctx);
	response_notice(req, ctx, course_manage_notices, ARRAY_SIZE(course_manage_notices));
	tmpl_set(ctx, "message", message);
	if (which == NULL || strcmp(which, "course") != 0) {
		tmpl_set(form, "title", c->title);
		tmpl_set(form, "summary", c->summary);
		tmpl_set(form, "audience", c->audience);
		tmpl_set_int(form, "duration", c->duration_minutes);
	}
	if (which == NULL || strcmp(which, "lesson") != 0)
		tmpl_set_int(form, "lesson_duration", 10);
	tmpl_set_int(ctx, "id", c->id);
	tmpl_set(ctx, "course_title", c->title);
	tmpl_set_bool(ctx, "published", c->published);
	tmpl_set_bool(ctx, "has_modules", c->nmodules > 0);
	for (int i = 0; i < c->nmodules; i++) {
		const struct course_module *m = &c->modules[i];
		struct tmpl_ctx *mt = tmpl_list_add(ctx, "modules");
		tmpl_set_int(mt, "id", m->id);
		tmpl_set_int(mt, "position", i + 1);
		tmpl_set(mt, "title", m->title);
		tmpl_set_bool(mt, "can_up", i > 0);
		tmpl_set_bool(mt, "can_down", i + 1 < c->nmodules);
		tmpl_set_bool(mt, "selected", request_int(req, "lesson_module", 0) == m->id);
		course_editor_materials(req, mt, m, which != NULL && strcmp(which, "material") == 0 &&
					request_int(req, "module", 0) == m->id);
		for (int j = 0; j < m->nlessons; j++) {
			const struct course_lesson *l = &m->lessons[j];
			struct tmpl_ctx *lt = tmpl_list_add(mt, "lessons");
			tmpl_set_int(lt, "id", l->id);
			tmpl_set(lt, "title", l->title);
			tmpl_set_bool(lt, "draft", !l->published);
			tmpl_set_bool(lt, "can_up", j > 0);
			tmpl_set_bool(lt, "can_down", j + 1 < m->nlessons);
		}
	}
	return response_page(req, status, "courses/manage_course", ctx);
}

static int
course_editor(struct request *req, int status, int64_t course_id, const char *which)
{
	return course_editor_msg(req, status, course_id, which, NULL);
}

static const struct field course_editor_fields[] = { FIELD_COURSE_ID, RESPONSE_NOTICE_FIELD };

/* GET /gestione/corsi/{id}: 200; 404. */
static int
course_editor_page(struct request *req)
{
	return course_editor(req, 200, request_int(req, "id", 0), NULL);
}

/* Updates a course and audits it; *found false if none.  0 or -1. */
static int
course_update(struct request *req, int64_t id, const char *title, const char *summary,
	      const char *audience, int duration, int published, bool *found)
{
	int rc = -1;

	*found = false;
	if (db_begin(req->db) == -1 ||
	    course_db_update(req->db, id, title, summary, audience, duration, published, found) == -1)
		goto out;
	if (*found && (account_db_audit(req->db, req->user->id,
					published < 0 ? "course_update" : published ? "course_publish" :
					"course_unpublish", id, title ? title : "", req->client_addr) == -1 ||
		       course_db_publication(req->db, req->arena, id) == -1 ||
		       db_commit(req->db) == -1))
		goto out;
	rc = 0;
out:
	db_rollback(req->db);
	return rc;
}

static const struct field course_edit_fields[] = {
	FIELD_COURSE_ID, FIELD_C_TITLE("title", FIELD_REQUIRED), FIELD_C_SUMMARY("summary"),
	FIELD_C_AUDIENCE("audience"), FIELD_C_DURATION("duration", 100000),
};

/* POST /gestione/corsi/{id}: 303 back; 400; 404; 500. */
static int
course_edit_submit(struct request *req)
{
	const char *summary = request_str(req, "summary"), *audience = request_str(req, "audience");
	int64_t id = request_int(req, "id", 0);
	bool found;

	if (req->nerrors > 0)
		return course_editor(req, 400, id, "course");
	if (course_update(req, id, request_str(req, "title"), summary ? summary : "",
			  audience ? audience : "", (int)request_int(req, "duration", 0), -1, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Corso non trovato.");
	return response_redirect(req, arena_printf(req->arena, "/gestione/corsi/%lld?esito=salvato", (long long)id));
}

static const struct field course_publish_fields[] = {
	FIELD_COURSE_ID, { "published", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Pubblicato" },
};

/* POST /gestione/corsi/{id}/pubblicazione: 303 back; 404; 500. */
static int
course_publish_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	int published = request_int(req, "published", 0) ? 1 : 0;
	bool found;

	if (course_update(req, id, NULL, NULL, NULL, -1, published, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Corso non trovato.");
	return response_redirect(req, arena_printf(req->arena, "/gestione/corsi/%lld?esito=%s", (long long)id,
						   published ? "pubblicato" : "ritirato"));
}

/*
 * Appends a module to course_id under the course's lock.  Returns the
 * module id, 0 when there is no such course, -1 on error.
 */
static int64_t
course_module_add(struct request *req, int64_t course_id, const char *title, const char *description,
		  int *position)
{
	int64_t id = -1;
	bool found;

	if (db_begin(req->db) == -1 || course_db_lock(req->db, course_id, &found) == -1)
		goto out;
	if (!found) {
		id = 0;
		goto out;
	}
	if ((id = course_db_module_append(req->db, course_id, title, description ? description : "",
					  position)) < 0 || db_commit(req->db) == -1)
		id = -1;
out:
	db_rollback(req->db);
	return id;
}

static const struct field course_module_fields[] = {
	FIELD_COURSE_ID, FIELD_C_TITLE("module_title", FIELD_REQUIRED),
	{ "module_description", FIELD_BODY, VALID_TEXT, 0, 4000, NULL, FIELD_MULTILINE, "Descrizione" },
};

/* POST /gestione/corsi/{id}/moduli: 303 back; 400; 404; 500. */
static int
course_module_submit(struct request *req)
{
	int64_t cid = request_int(req, "id", 0), id;
	int position;

	if (req->nerrors > 0)
		return course_editor(req, 400, cid, "module");
	id = course_module_add(req, cid, request_str(req, "module_title"),
			       request_str(req, "module_description"), &position);
	if (id < 0)
		return 500;
	if (id == 0)
		return response_error(req, 404, "Corso non trovato.");
	return response_redirect(req, arena_printf(req->arena, "/gestione/corsi/%lld?esito=modulo", (long long)cid));
}

/*
 * Appends a lesson (Markdown rendered now) to module_id under the module's
 * lock.  Returns the lesson id, 0 when there is no such module (or it is
 * not in course_id, unless that is 0), -1 on error.
 */
static int64_t
course_lesson_add(struct request *req, int64_t course_id, int64_t module_id, const char *title,
		  const char *body_md, const char *body_html, int duration, bool published, int *position)
{
	int64_t id = -1, parent;

	if (db_begin(req->db) == -1 || course_db_module_parent(req->db, module_id, true, &parent) == -1)
		goto out;
	if (parent == 0 || (course_id != 0 && parent != course_id)) {
		id = 0;
		goto out;
	}
	if ((id = course_db_lesson_append(req->db, module_id, title, body_md, body_html, duration, published,
					  req->user->id, position)) < 0 ||
	    account_db_audit(req->db, req->user->id, "lesson_create", id, title, req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		id = -1;
out:
	db_rollback(req->db);
	return id;
}

static const struct field course_lesson_add_fields[] = {
	FIELD_COURSE_ID,
	{ "lesson_module", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Modulo" },
	FIELD_C_TITLE("lesson_title", FIELD_REQUIRED), FIELD_C_BODY("lesson_body"),
	FIELD_C_DURATION("lesson_duration", 10000), FIELD_C_PUBLISHED("lesson_published"),
};

/* POST /gestione/corsi/{id}/lezioni: 303 to the lesson editor; 400; 404; 500. */
static int
course_lesson_add_submit(struct request *req)
{
	const char *md = request_str(req, "lesson_body"), *html;
	int64_t cid = request_int(req, "id", 0), id;
	int position;

	if (req->nerrors > 0)
		return course_editor(req, 400, cid, "lesson");
	if (md == NULL)
		md = "";
	if (course_markdown(req, md, &html) == -1)
		return response_error(req, 400, "Il testo della lezione non può essere elaborato.");
	id = course_lesson_add(req, cid, request_int(req, "lesson_module", 0), request_str(req, "lesson_title"),
			       md, html, (int)request_int(req, "lesson_duration", 0),
			       request_int(req, "lesson_published", 0) != 0, &position);
	if (id < 0)
		return 500;
	if (id == 0)
		return response_error(req, 404, "Modulo non trovato.");
	return response_redirect(req, arena_printf(req->arena, "/gestione/lezioni/%lld?esito=creata", (long long)id));
}

static const struct field course_move_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Elemento" },
	{ "verso", FIELD_BODY, VALID_ENUM, 0, 0, course_directions, FIELD_REQUIRED, "Verso" },
};

/* POST /gestione/moduli/{id}/sposta: 303 to the editor; 404; 500. */
static int
course_module_move_submit(struct request *req)
{
	int64_t mid = request_int(req, "id", 0), cid = 0;
	int dir = strcmp(request_str(req, "verso"), "su") == 0 ? -1 : 1, status = 500;
	bool found = false, moved;

	/* The course lock orders every change of this course's module positions. */
	if (course_db_module_parent(req->db, mid, false, &cid) == -1)
		goto out;
	if (cid != 0 && (db_begin(req->db) == -1 || course_db_lock(req->db, cid, &found) == -1))
		goto out;
	if (!found) {
		status = response_error(req, 404, "Modulo non trovato.");
		goto out;
	}
	if (course_db_module_move(req->db, mid, dir, &moved) == -1 || db_commit(req->db) == -1)
		goto out;
	status = response_redirect(req, arena_printf(req->arena, "/gestione/corsi/%lld?esito=spostato#modulo-%lld",
						     (long long)cid, (long long)mid));
out:
	db_rollback(req->db);
	return status;
}

/* POST /gestione/lezioni/{id}/sposta: 303 to the editor; 404; 500. */
static int
course_lesson_move_submit(struct request *req)
{
	struct course_lesson_src l;
	int64_t parent = 0;
	int dir = strcmp(request_str(req, "verso"), "su") == 0 ? -1 : 1, status = 500;
	bool found, moved;

	if (course_db_lesson_source(req->db, req->arena, request_int(req, "id", 0), false, &l, &found) == -1)
		goto out;
	if (found && (db_begin(req->db) == -1 ||
		      course_db_module_parent(req->db, l.module_id, true, &parent) == -1))
		goto out;
	if (!found || parent == 0) {
		status = response_error(req, 404, "Lezione non trovata.");
		goto out;
	}
	if (course_db_lesson_move(req->db, l.id, dir, &moved) == -1 || db_commit(req->db) == -1)
		goto out;
	status = response_redirect(req, arena_printf(req->arena, "/gestione/corsi/%lld?esito=spostato#modulo-%lld",
						     (long long)l.course_id, (long long)l.module_id));
out:
	db_rollback(req->db);
	return status;
}

/*
 * The lesson editor; failed says the edit form is being re-rendered.  The
 * preview pane shows preview (HTML from course_markdown), or else, unless
 * failed, the stored rendering of the saved body.
 */
static int
course_lesson_editor_preview(struct request *req, int status, int64_t lesson_id, bool failed,
			     const char *message, const char *preview)
{
	struct course_lesson_src l;
	struct course_revision *revs;
	struct tmpl_ctx *ctx, *form;
	bool found;
	int n;

	if (course_db_lesson_source(req->db, req->arena, lesson_id, false, &l, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Lezione non trovata.");
	if (course_db_revisions(req->db, req->arena, l.id, &revs, &n) == -1)
		return 500;
	ctx = response_ctx(req, arena_printf(req->arena, "Modifica: %s", l.title));
	form = response_form(req, ctx);
	response_notice(req, ctx, course_manage_notices, ARRAY_SIZE(course_manage_notices));
	tmpl_set(ctx, "message", message);
	if (!failed) {
		tmpl_set(form, "title", l.title);
		tmpl_set(form, "body", l.body_md);
		tmpl_set_int(form, "duration", l.duration_minutes);
		tmpl_set_bool(form, "published", l.published);
		tmpl_set(form, "videos", course_videos_text(req, l.videos, l.nvideos));
	}
	{
		const char *mode = request_str(req, "completion");
		tmpl_set_bool(ctx, "completion_auto", failed && mode != NULL ? strcmp(mode, "auto") == 0 :
				  l.auto_completion);
	}
	course_editor_video_fields(req, ctx, l.videos, l.nvideos, failed);
	tmpl_set_int(ctx, "id", l.id);
	tmpl_set_int(ctx, "course_id", l.course_id);
	tmpl_set(ctx, "course_title", l.course_title);
	tmpl_set(ctx, "module_title", l.module_title);
	tmpl_set(ctx, "lesson_title", l.title);
	tmpl_set_int(ctx, "lesson_id", l.id);
	tmpl_set_bool(ctx, "published", l.published);
	if (preview == NULL && !failed)
		preview = l.body_html;
	/* HTML made by portal/md.c (raw HTML off), like the lesson page's. */
	if (preview != NULL && preview[0] != '\0')
		tmpl_set_html(ctx, "preview_html", preview);
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *r = tmpl_list_add(ctx, "revisions");
		tmpl_set_int(r, "id", revs[i].id);
		tmpl_set(r, "title", revs[i].title);
		tmpl_set(r, "saved_at", revs[i].saved_at);
		tmpl_set(r, "saved_by", revs[i].saved_by[0] ? revs[i].saved_by : NULL);
	}
	tmpl_set_bool(ctx, "has_revisions", n > 0);
	return response_page(req, status, "courses/manage_lesson", ctx);
}

static int
course_lesson_editor(struct request *req, int status, int64_t lesson_id, bool failed, const char *message)
{
	return course_lesson_editor_preview(req, status, lesson_id, failed, message, NULL);
}

static const struct field course_lesson_editor_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Lezione" }, RESPONSE_NOTICE_FIELD,
};

/* GET /gestione/lezioni/{id}: 200; 404. */
static int
course_lesson_editor_page(struct request *req)
{
	return course_lesson_editor(req, 200, request_int(req, "id", 0), false, NULL);
}

/*
 * Saves a lesson: the current version goes to the history, the Markdown
 * is rendered now, videos (when set_videos) are replaced, all in one
 * transaction.  NULL title/body_md, duration < 0, published < 0 and
 * auto_completion < 0 keep the current value.  Returns 0, 404 (no such lesson), 400 (*message:
 * body not renderable) or -1; *out is the saved lesson.
 */
static int
course_lesson_store(struct request *req, int64_t lesson_id, const char *title, const char *body_md,
		    int duration, int published, int auto_completion, const struct course_video *videos,
		    int nvideos, bool set_videos, const char *action, struct course_lesson_src *out)
{
	const char *html;
	bool found;
	int rc = -1;

	if (db_begin(req->db) == -1 ||
	    course_db_lesson_source(req->db, req->arena, lesson_id, true, out, &found) == -1)
		goto out;
	if (!found) {
		rc = 404;
		goto out;
	}
	if (title == NULL)
		title = out->title;
	if (body_md == NULL)
		body_md = out->body_md;
	if (course_markdown(req, body_md, &html) == -1) {
		rc = 400;
		goto out;
	}
	if (course_db_lesson_save(req->db, out->id, title, body_md, html,
				  duration < 0 ? out->duration_minutes : duration,
				  published < 0 ? out->published : published != 0, req->user->id, &found) == -1 ||
	    (set_videos && course_db_videos_replace(req->db, out->id, videos, nvideos) == -1) ||
	    (auto_completion >= 0 &&
	     course_db_lesson_completion(req->db, out->id, auto_completion != 0) == -1) ||
	    account_db_audit(req->db, req->user->id, action, out->id, title, req->client_addr) == -1 ||
	    course_db_lesson_source(req->db, req->arena, out->id, false, out, &found) == -1 || !found ||
	    db_commit(req->db) == -1)
		goto out;
	rc = 0;
out:
	db_rollback(req->db);
	return rc;
}

/* lessons.completion_mode, in the order of the editor's radio group. */
static const char *const course_completion_modes[] = { "manual", "auto", NULL };

static const struct field course_lesson_save_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Lezione" },
	FIELD_C_TITLE("title", FIELD_REQUIRED), FIELD_C_BODY("body"), FIELD_C_DURATION("duration", 10000),
	FIELD_C_PUBLISHED("published"),
	{ "videos", FIELD_BODY, VALID_TEXT, 0, 20000, NULL, FIELD_MULTILINE, "Video" },
	{ "completion", FIELD_BODY, VALID_ENUM, 0, 0, course_completion_modes, 0, "Completamento" },
	COURSE_VIDEO_FIELDS(1), COURSE_VIDEO_FIELDS(2), COURSE_VIDEO_FIELDS(3), COURSE_VIDEO_FIELDS(4),
	COURSE_VIDEO_FIELDS(5), COURSE_VIDEO_FIELDS(6), COURSE_VIDEO_FIELDS(7), COURSE_VIDEO_FIELDS(8),
	COURSE_VIDEO_FIELDS(9), COURSE_VIDEO_FIELDS(10), COURSE_VIDEO_FIELDS(11), COURSE_VIDEO_FIELDS(12),
	COURSE_VIDEO_FIELDS(13), COURSE_VIDEO_FIELDS(14), COURSE_VIDEO_FIELDS(15), COURSE_VIDEO_FIELDS(16),
	COURSE_VIDEO_FIELDS(17), COURSE_VIDEO_FIELDS(18), COURSE_VIDEO_FIELDS(19), COURSE_VIDEO_FIELDS(20),
};

/* POST /gestione/lezioni/{id}: 303 back; 400; 404; 500. */
static int
course_lesson_save_submit(struct request *req)
{
	struct course_lesson_src l;
	struct course_video *videos;
	const char *message = NULL, *body = request_str(req, "body");
	int64_t id = request_int(req, "id", 0);
	int nvideos, rc;

	if (req->nerrors > 0)
		return course_lesson_editor(req, 400, id, true, NULL);
	if (course_parse_videos(req, request_str(req, "videos"), &videos, &nvideos, &message) == -1)
		return course_lesson_editor(req, 400, id, true, message);
	if (course_form_video_extras(req, videos, nvideos) == -1)
		return course_lesson_editor(req, 400, id, true, NULL);
	rc = course_lesson_store(req, id, request_str(req, "title"), body ? body : "",
				 (int)request_int(req, "duration", 0), request_int(req, "published", 0) ? 1 : 0,
				 (int)request_int(req, "completion", 0), videos, nvideos, true, "lesson_update", &l);
	if (rc == -1)
		return 500;
	if (rc == 404)
		return response_error(req, 404, "Lezione non trovata.");
	if (rc == 400)
		return course_lesson_editor(req, 400, id, true, "Il testo della lezione non può essere elaborato.");
	return response_redirect(req, arena_printf(req->arena, "/gestione/lezioni/%lld?esito=salvata", (long long)id));
}

static const struct field course_restore_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Lezione" },
	{ "revisione", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Versione" },
};

/* POST /gestione/lezioni/{id}/ripristina: 303 back; 404; 500.  A restore is a save. */
static int
course_restore_submit(struct request *req)
{
	struct course_revision rev;
	struct course_lesson_src l;
	int64_t id = request_int(req, "id", 0);
	bool found;
	int rc;

	if (course_db_revision(req->db, req->arena, id, request_int(req, "revisione", 0), &rev, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Versione non trovata.");
	rc = course_lesson_store(req, id, rev.title, rev.body_md, -1, -1, -1, NULL, 0, false, "lesson_restore", &l);
	if (rc == -1)
		return 500;
	if (rc == 404)
		return response_error(req, 404, "Lezione non trovata.");
	if (rc == 400)
		return response_error(req, 400, "Questa versione non può essere elaborata.");
	return response_redirect(req, arena_printf(req->arena, "/gestione/lezioni/%lld?esito=ripristinata", (long long)id));
}

/* ---- trainer authoring: materials, preview, new editions, deletion ---- */

#define COURSE_URL_MAX HTML_URL_WEB_MAX
#define COURSE_TITLE_MAX 200

static const struct field course_material_fields[] = {
	{ "module", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Modulo" },
	{ "material_title", FIELD_BODY, VALID_TEXT, 1, COURSE_TITLE_MAX, NULL, FIELD_REQUIRED,
	  "Titolo del materiale" },
	{ "material_kind", FIELD_BODY, VALID_ENUM, 0, 0, course_material_kinds, FIELD_REQUIRED, "Tipo" },
	{ "material_url", FIELD_BODY, VALID_TEXT, 1, COURSE_URL_MAX, NULL, FIELD_REQUIRED, "Indirizzo" },
};

/* POST /gestione/moduli/{id}/materiali: 303 to the editor; 400; 404; 500. */
static int
course_material_submit(struct request *req)
{
	const char *url = request_str(req, "material_url"), *title = request_str(req, "material_title");
	int64_t mid = request_int(req, "module", 0), cid = 0, id;
	int position, status = 500;

	if (url != NULL && !html_url_is_web(url))
		response_field_error(req, "material_url", "«Indirizzo»: scrivi un indirizzo completo che "
				   "inizi con https:// o http://.");
	if (course_db_module_parent(req->db, mid, false, &cid) == -1)
		goto out;
	if (cid != 0 && req->nerrors > 0) {
		status = course_editor(req, 400, cid, "material");
		goto out;
	}
	/* The module's lock orders the appends to its materials. */
	if (cid != 0 && (db_begin(req->db) == -1 || course_db_module_parent(req->db, mid, true, &cid) == -1))
		goto out;
	if (cid == 0) {
		status = response_error(req, 404, "Modulo non trovato.");
		goto out;
	}
	if ((id = course_db_material_append(req->db, mid, title,
					    course_material_kinds[request_int(req, "material_kind", 0)],
					    url, &position)) < 0 ||
	    account_db_audit(req->db, req->user->id, "material_create", id, title, req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	status = response_redirect(req, arena_printf(req->arena, "/gestione/corsi/%lld?esito=materiale#modulo-%lld",
						     (long long)cid, (long long)mid));
out:
	db_rollback(req->db);
	return status;
}

static const struct field course_material_delete_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Materiale" },
};

/* POST /gestione/materiali/{id}/elimina: 303 to the editor; 404; 500. */
static int
course_material_delete_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0), mid = 0, cid = 0;
	int status = 500;
	bool found = false;

	if (course_db_material_module(req->db, id, &mid) == -1)
		goto out;
	if (mid != 0 && (db_begin(req->db) == -1 || course_db_module_parent(req->db, mid, true, &cid) == -1))
		goto out;
	if (cid != 0 && course_db_material_delete(req->db, mid, id, &found) == -1)
		goto out;
	if (!found) {
		status = response_error(req, 404, "Materiale non trovato.");
		goto out;
	}
	if (account_db_audit(req->db, req->user->id, "material_delete", id, "", req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	status = response_redirect(req, arena_printf(req->arena,
						     "/gestione/corsi/%lld?esito=materiale-eliminato#modulo-%lld",
						     (long long)cid, (long long)mid));
out:
	db_rollback(req->db);
	return status;
}

/* POST /gestione/lezioni/{id}/anteprima: 200 the editor with the text sent and its preview, nothing saved; 400; 404. */
static int
course_lesson_preview_submit(struct request *req)
{
	const char *body = request_str(req, "body"), *html;
	int64_t id = request_int(req, "id", 0);

	if (req->nerrors > 0)
		return course_lesson_editor(req, 400, id, true, NULL);
	if (course_markdown(req, body ? body : "", &html) == -1)
		return course_lesson_editor(req, 400, id, true, "Il testo della lezione non può essere elaborato.");
	return course_lesson_editor_preview(req, 200, id, true, NULL, html);
}

/*
 * The title of a new edition: title and " (nuova edizione)", title cut at
 * a character boundary so that the whole stays within COURSE_TITLE_MAX
 * characters (the courses CHECK counts characters, not bytes).
 */
static const char *
course_edition_title(struct arena *a, const char *title)
{
	static const char suffix[] = " (nuova edizione)";
	size_t keep = COURSE_TITLE_MAX - (sizeof(suffix) - 1), chars = 0, i;

	for (i = 0; title[i] != '\0'; i++)
		if (((unsigned char)title[i] & 0xC0) != 0x80 && chars++ == keep)
			break;
	while (i > 0 && title[i - 1] == ' ')
		i--;
	return arena_printf(a, "%.*s%s", (int)i, title, suffix);
}

/*
 * Copies course_id into a new draft edition (see course_db_copy) with a
 * fresh slug and its audit line, in one transaction.  Returns the new
 * course's id, 0 when there is no such course, -1 on error.
 */
static int64_t
course_copy(struct request *req, int64_t course_id)
{
	const char *title, *base, *slug;
	struct course *c;
	int64_t id = -1;
	bool found;
	int n;

	if (course_db_outlines(req->db, req->arena, course_id, 0, true, &c, &n) == -1)
		return -1;
	if (n == 0)
		return 0;
	title = course_edition_title(req->arena, c->title);
	base = slug = course_slugify(req->arena, title);
	/* Locked, the course cannot be deleted under the copy, so 0 from
	 * course_db_copy can only mean a slug already taken. */
	if (db_begin(req->db) == -1 || course_db_lock(req->db, course_id, &found) == -1)
		goto out;
	if (!found) {
		id = 0;
		goto out;
	}
	for (int i = 2; i < 1000; i++) {
		if ((id = course_db_copy(req->db, course_id, title, slug, req->user->id)) != 0)
			break;
		slug = arena_printf(req->arena, "%s-%d", base, i);
	}
	if (id <= 0 || account_db_audit(req->db, req->user->id, "course_copy", id,
					 arena_printf(req->arena, "da %lld: %s", (long long)course_id, title),
					 req->client_addr) == -1 || db_commit(req->db) == -1)
		id = -1;
out:
	db_rollback(req->db);
	return id;
}

/* POST /gestione/corsi/{id}/duplica: 303 to the new edition's editor; 404; 500. */
static int
course_copy_submit(struct request *req)
{
	int64_t id = course_copy(req, request_int(req, "id", 0));

	if (id < 0)
		return 500;
	if (id == 0)
		return response_error(req, 404, "Corso non trovato.");
	return response_redirect(req, arena_printf(req->arena, "/gestione/corsi/%lld?esito=duplicato", (long long)id));
}

/* "1 lezione completata", "3 lezioni completate". */
static const char *
course_completions_text(struct arena *a, int64_t n)
{
	return arena_printf(a, "%lld %s", (long long)n, n == 1 ? "lezione completata" : "lezioni completate");
}

/* Why a course with this usage cannot be deleted, or NULL when it can. */
static const char *
course_delete_refusal(struct arena *a, const struct course_usage *u)
{
	if (u->enrolled > 0)
		return arena_printf(a, "Il corso non può essere eliminato: ha %lld %s e si perderebbero "
				    "iscrizioni e avanzamento. Per toglierlo dal catalogo ritiralo "
				    "(torna bozza): nessun dato va perso.", (long long)u->enrolled,
				    u->enrolled == 1 ? "iscritto" : "iscritti");
	if (u->completions > 0)
		return arena_printf(a, "Il corso non può essere eliminato: risultano %s e l'avanzamento "
				    "non deve andare perso. Per toglierlo dal catalogo ritiralo (torna bozza).",
				    course_completions_text(a, u->completions));
	return NULL;
}

/*
 * Deletes a course and everything in it, in one transaction, unless
 * someone is enrolled or completed a lesson.  Returns 0, 404, 409 with
 * *refusal (Italian), or -1.
 */
static int
course_delete(struct request *req, int64_t course_id, const char **refusal)
{
	struct course_usage u;
	const char *title;
	int rc = -1;

	*refusal = NULL;
	if (db_begin(req->db) == -1 || course_db_course_lock_delete(req->db, req->arena, course_id, &title) == -1)
		goto out;
	if (title == NULL) {
		rc = 404;
		goto out;
	}
	if (course_db_usage(req->db, course_id, &u) == -1)
		goto out;
	if ((*refusal = course_delete_refusal(req->arena, &u)) != NULL) {
		rc = 409;
		goto out;
	}
	if (course_db_course_delete(req->db, course_id) == -1 ||
	    account_db_audit(req->db, req->user->id, "course_delete", course_id, title, req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	rc = 0;
out:
	db_rollback(req->db);
	return rc;
}

/* "1 modulo", "2 moduli" and the like, for the confirmation page. */
static const char *
course_count_text(struct arena *a, int64_t n, const char *one, const char *many)
{
	return arena_printf(a, "%lld %s", (long long)n, n == 1 ? one : many);
}

/* The page that asks to confirm a course's deletion, or says why it cannot be. */
static int
course_delete_page_render(struct request *req, int status, int64_t course_id, const char *message)
{
	struct course_usage u = { 0 };
	struct tmpl_ctx *ctx;
	struct course *c;
	const char *refusal;
	int n;

	if (course_db_outlines(req->db, req->arena, course_id, 0, true, &c, &n) == -1 ||
	    (n > 0 && course_db_usage(req->db, course_id, &u) == -1))
		return 500;
	if (n == 0)
		return response_error(req, 404, "Corso non trovato.");
	refusal = course_delete_refusal(req->arena, &u);
	ctx = response_ctx(req, arena_printf(req->arena, "Elimina: %s", c->title));
	tmpl_set(ctx, "message", message != NULL ? message : refusal);
	tmpl_set_int(ctx, "id", c->id);
	tmpl_set(ctx, "course_title", c->title);
	tmpl_set_bool(ctx, "published", c->published);
	tmpl_set_bool(ctx, "refused", refusal != NULL);
	tmpl_set(ctx, "modules", course_count_text(req->arena, u.modules, "modulo", "moduli"));
	tmpl_set(ctx, "lessons", course_count_text(req->arena, u.lessons, "lezione", "lezioni"));
	tmpl_set(ctx, "cohorts", u.cohorts > 0 ?
		 course_count_text(req->arena, u.cohorts, "classe con il suo calendario",
				   "classi con i loro calendari") : NULL);
	return response_page(req, status, "courses/manage_course_delete", ctx);
}

/* GET /gestione/corsi/{id}/elimina: 200; 404. */
static int
course_delete_page(struct request *req)
{
	return course_delete_page_render(req, 200, request_int(req, "id", 0), NULL);
}

/* POST /gestione/corsi/{id}/elimina: 303 to the course list; 404; 409 (the page, with why); 500. */
static int
course_delete_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	const char *refusal;
	int rc = course_delete(req, id, &refusal);

	if (rc == -1)
		return 500;
	if (rc == 404)
		return response_error(req, 404, "Corso non trovato.");
	if (rc == 409)
		return course_delete_page_render(req, 409, id, refusal);
	return response_redirect(req, "/gestione/corsi?esito=eliminato");
}

/*
 * Deletes a module with its lessons and materials and renumbers the
 * others, in one transaction holding the course, unless a learner
 * completed one of its lessons.  *course_id is the module's course (0 if
 * none).  Returns 0, 404, 409 with *refusal, or -1.
 */
static int
course_module_delete(struct request *req, int64_t module_id, int64_t *course_id, const char **refusal)
{
	int64_t completions = 0;
	bool found = false;
	int rc = -1;

	*refusal = NULL;
	if (course_db_module_parent(req->db, module_id, false, course_id) == -1)
		goto out;
	if (*course_id != 0 && (db_begin(req->db) == -1 || course_db_lock(req->db, *course_id, &found) == -1 ||
				(found && course_db_module_lock_delete(req->db, module_id, &found, &completions) == -1)))
		goto out;
	if (!found) {
		rc = 404;
		goto out;
	}
	if (completions > 0) {
		*refusal = arena_printf(req->arena, "Il modulo non può essere eliminato: i partecipanti hanno "
					"già %s al suo interno, e l'avanzamento non deve andare perso. "
					"Puoi ritirare le sue lezioni (bozza) invece di eliminarlo.",
					course_completions_text(req->arena, completions));
		rc = 409;
		goto out;
	}
	if (course_db_module_delete(req->db, *course_id, module_id) == -1 ||
	    account_db_audit(req->db, req->user->id, "module_delete", module_id, "", req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	rc = 0;
out:
	db_rollback(req->db);
	return rc;
}

/* POST /gestione/moduli/{id}/elimina: 303 to the editor; 404; 409 (the editor, with why); 500. */
static int
course_module_delete_submit(struct request *req)
{
	const char *refusal;
	int64_t cid;
	int rc = course_module_delete(req, request_int(req, "id", 0), &cid, &refusal);

	if (rc == -1)
		return 500;
	if (rc == 404)
		return response_error(req, 404, "Modulo non trovato.");
	if (rc == 409)
		return course_editor_msg(req, 409, cid, NULL, refusal);
	return response_redirect(req, arena_printf(req->arena, "/gestione/corsi/%lld?esito=modulo-eliminato",
						   (long long)cid));
}

/*
 * Deletes a lesson (videos, revisions with it) and renumbers its module's
 * others, in one transaction holding the module, unless a learner
 * completed it.  *l is the lesson as it was.  Returns 0, 404, 409 with
 * *refusal, or -1.
 */
static int
course_lesson_delete(struct request *req, int64_t lesson_id, struct course_lesson_src *l, const char **refusal)
{
	int64_t parent = 0, completions = 0;
	bool found;
	int rc = -1;

	*refusal = NULL;
	if (course_db_lesson_source(req->db, req->arena, lesson_id, false, l, &found) == -1)
		goto out;
	if (found && (db_begin(req->db) == -1 ||
		      course_db_module_parent(req->db, l->module_id, true, &parent) == -1 ||
		      (parent != 0 && course_db_lesson_lock_delete(req->db, lesson_id, &found, &completions) == -1)))
		goto out;
	if (!found || parent == 0) {
		rc = 404;
		goto out;
	}
	if (completions > 0) {
		*refusal = arena_printf(req->arena, "La lezione non può essere eliminata: %lld %s già "
					"completata, e l'avanzamento non deve andare perso. Puoi ritirarla "
					"(togli «Pubblicata») invece di eliminarla.", (long long)completions,
					completions == 1 ? "partecipante l'ha" : "partecipanti l'hanno");
		rc = 409;
		goto out;
	}
	if (course_db_lesson_delete(req->db, l->module_id, lesson_id) == -1 ||
	    account_db_audit(req->db, req->user->id, "lesson_delete", lesson_id, l->title, req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	rc = 0;
out:
	db_rollback(req->db);
	return rc;
}

/* POST /gestione/lezioni/{id}/elimina: 303 to the course editor; 404; 409 (the lesson editor, with why); 500. */
static int
course_lesson_delete_submit(struct request *req)
{
	struct course_lesson_src l;
	const char *refusal;
	int64_t id = request_int(req, "id", 0);
	int rc = course_lesson_delete(req, id, &l, &refusal);

	if (rc == -1)
		return 500;
	if (rc == 404)
		return response_error(req, 404, "Lezione non trovata.");
	if (rc == 409)
		return course_lesson_editor(req, 409, id, false, refusal);
	return response_redirect(req, arena_printf(req->arena, "/gestione/corsi/%lld?esito=lezione-eliminata#modulo-%lld",
						   (long long)l.course_id, (long long)l.module_id));
}

/* ---- trainer authoring: JSON API ---- */

/*
 * A text field of a PATCH: its validated value, "" when the body sets it
 * to an empty string (validation counts empty as missing), or NULL when
 * it is absent (unchanged).
 */
static const char *
course_api_text(const struct request *req, const char *name)
{
	const struct json_value *v = req->json ? json_get(req->json, name) : NULL;
	const char *s = request_str(req, name);

	if (s == NULL && v != NULL && v->type == JSON_STRING)
		return "";
	return s;
}

/* An integer or boolean field of a PATCH: its value, or -1 when absent. */
static int
course_api_num(const struct request *req, const char *name)
{
	const struct field_value *v = request_field(req, name);

	return v != NULL && v->present ? (int)v->num : -1;
}

/* Answers {"course": ...} (with modules and lessons) for course id. */
static int
course_api_course_reply(struct request *req, int status, int64_t id)
{
	struct json_writer w;
	struct course *c;
	int n;

	if (course_db_outlines(req->db, req->arena, id, req->user->id, true, &c, &n) == -1)
		return 500;
	if (n == 0)
		return response_json_error(req, 404, "not_found", "Corso non trovato.");
	if (course_db_materials(req->db, req->arena, c) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	course_json(&w, "course", c, true);
	json_obj_close(&w);
	if (status == 201)
		response_header(req, "Location", arena_printf(req->arena, "/api/v1/courses/%lld", (long long)id));
	return response_json(req, status);
}

static const struct field course_api_create_fields[] = {
	FIELD_C_TITLE("title", FIELD_REQUIRED), FIELD_C_SUMMARY("summary"), FIELD_C_AUDIENCE("audience"),
	FIELD_C_DURATION("duration_minutes", 100000), FIELD_C_PUBLISHED("published"),
};

/* POST /api/v1/courses: 201 {course}; 400; 403; 500. */
static int
course_api_create(struct request *req)
{
	const char *summary = request_str(req, "summary"), *audience = request_str(req, "audience");
	int64_t id;

	id = course_create(req, request_str(req, "title"), summary ? summary : "", audience ? audience : "",
			   (int)request_int(req, "duration_minutes", 0), request_int(req, "published", 0) != 0);
	if (id < 0)
		return 500;
	return course_api_course_reply(req, 201, id);
}

static const struct field course_api_patch_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	FIELD_C_TITLE("title", 0), FIELD_C_SUMMARY("summary"), FIELD_C_AUDIENCE("audience"),
	FIELD_C_DURATION("duration_minutes", 100000), FIELD_C_PUBLISHED("published"),
};

/* PATCH /api/v1/courses/{id}: 200 {course}; 400; 403; 404; 500. */
static int
course_api_patch(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	bool found;

	if (course_update(req, id, request_str(req, "title"), course_api_text(req, "summary"),
			  course_api_text(req, "audience"), course_api_num(req, "duration_minutes"),
			  course_api_num(req, "published"), &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Corso non trovato.");
	return course_api_course_reply(req, 200, id);
}

static const struct field course_api_module_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	FIELD_C_TITLE("title", FIELD_REQUIRED),
	{ "description", FIELD_BODY, VALID_TEXT, 0, 4000, NULL, FIELD_MULTILINE, "description" },
};

/* POST /api/v1/courses/{id}/modules: 201 {module}; 400; 403; 404; 500. */
static int
course_api_module_create(struct request *req)
{
	const char *desc = request_str(req, "description");
	struct json_writer w;
	int64_t cid = request_int(req, "id", 0), id;
	int position;

	if ((id = course_module_add(req, cid, request_str(req, "title"), desc, &position)) < 0)
		return 500;
	if (id == 0)
		return response_json_error(req, 404, "not_found", "Corso non trovato.");
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_obj_open(&w, "module");
	json_int(&w, "id", id);
	json_int(&w, "course_id", cid);
	json_int(&w, "position", position);
	json_str(&w, "title", request_str(req, "title"));
	json_str(&w, "description", desc ? desc : "");
	json_obj_close(&w);
	json_obj_close(&w);
	return response_json(req, 201);
}

/* Answers {"lesson": ...}. */
static int
course_api_lesson_reply(struct request *req, int status, const struct course_lesson_src *l)
{
	struct json_writer w;

	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_obj_open(&w, "lesson");
	json_int(&w, "id", l->id);
	json_int(&w, "module_id", l->module_id);
	json_int(&w, "course_id", l->course_id);
	json_int(&w, "position", l->position);
	json_str(&w, "title", l->title);
	json_str(&w, "body_md", l->body_md);
	json_str(&w, "body_html", l->body_html);
	json_int(&w, "duration_minutes", l->duration_minutes);
	json_bool(&w, "published", l->published);
	json_str(&w, "completion_mode", l->auto_completion ? "auto" : "manual");
	json_arr_open(&w, "videos");
	for (int i = 0; i < l->nvideos; i++)
		course_video_json(&w, &l->videos[i], i + 1, COURSE_VIDEO_STORED, req);
	json_arr_close(&w);
	json_obj_close(&w);
	json_obj_close(&w);
	return response_json(req, status);
}

/* A string member of a JSON object, NULL if absent or null; *bad when of another type. */
static const char *
course_json_str(const struct json_value *o, const char *key, bool *bad)
{
	const struct json_value *v = json_get(o, key);

	if (v == NULL || v->type == JSON_NULL)
		return NULL;
	if (v->type != JSON_STRING) {
		*bad = true;
		return NULL;
	}
	return v->str;
}

/*
 * The "videos" array of a lesson PATCH: objects {title, url,
 * duration_minutes?, transcript_md?, captions_url?}, checked like the
 * editor's lines, transcripts rendered now.  Returns 1 when absent, 0 with
 * *out and *count set, or -1 with *message (Italian, naming the member).
 */
static int
course_api_videos(struct request *req, struct course_video **out, int *count, const char **message)
{
	const struct json_value *arr = req->json ? json_get(req->json, "videos") : NULL;
	struct course_video *v;
	int n = 0;

	if (arr == NULL)
		return 1;
	if (arr->type != JSON_ARRAY) {
		*message = "«videos»: deve essere un elenco di oggetti.";
		return -1;
	}
	if (arr->count > COURSE_VIDEOS_MAX) {
		*message = arena_printf(req->arena, "«videos»: al massimo %d video per lezione.", COURSE_VIDEOS_MAX);
		return -1;
	}
	v = arena_calloc(req->arena, arr->count + 1, sizeof(*v));
	for (const struct json_value *o = arr->child; o != NULL; o = o->next, n++) {
		const char *title, *url, *md, *captions;
		const struct json_value *d;
		struct video_info info;
		long long minutes = 0;
		bool bad = false;
		int rc;

		if (o->type != JSON_OBJECT) {
			*message = arena_printf(req->arena, "«videos[%d]»: deve essere un oggetto.", n);
			return -1;
		}
		title = course_json_str(o, "title", &bad);
		url = course_json_str(o, "url", &bad);
		md = course_json_str(o, "transcript_md", &bad);
		captions = course_json_str(o, "captions_url", &bad);
		d = json_get(o, "duration_minutes");
		if (d != NULL && d->type != JSON_NULL && json_get_int(d, &minutes) == -1)
			bad = true;
		if (bad || title == NULL || title[0] == '\0' || valid_utf8_length(title, strlen(title)) > 200 ||
		    url == NULL || video_classify_hosts(url, course_peertube_hosts(), &info) == -1 ||
		    minutes < 0 || minutes > 10000) {
			*message = arena_printf(req->arena, "«videos[%d]»: servono «title» (fino a 200 caratteri), "
					       "«url» (un indirizzo http o https valido) e, se c'è, «duration_minutes» "
					       "tra 0 e 10000.", n);
			return -1;
		}
		v[n].title = title;
		v[n].url = url;
		v[n].kind = video_kind_name(info.kind);
		v[n].embed_url = info.embed_url[0] ? arena_strdup(req->arena, info.embed_url) : NULL;
		v[n].duration_minutes = (int)minutes;
		if ((rc = course_video_extras(req, &v[n], md, captions)) != 0) {
			*message = rc == 1 ?
				arena_printf(req->arena, "«videos[%d].transcript_md»: al massimo %d byte di Markdown "
					     "elaborabile.", n, COURSE_TRANSCRIPT_MAX) :
				arena_printf(req->arena, "«videos[%d].captions_url»: serve l'indirizzo https di un "
					     "file WebVTT.", n);
			return -1;
		}
	}
	*out = v;
	*count = n;
	return 0;
}

static const struct field course_api_lesson_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	FIELD_C_TITLE("title", FIELD_REQUIRED), FIELD_C_BODY("body_md"),
	FIELD_C_DURATION("duration_minutes", 10000), FIELD_C_PUBLISHED("published"),
};

/* POST /api/v1/modules/{id}/lessons: 201 {lesson}; 400; 403; 404; 500. */
static int
course_api_lesson_create(struct request *req)
{
	const char *md = request_str(req, "body_md"), *html;
	struct course_lesson_src l;
	int64_t id;
	int position;
	bool found;

	if (md == NULL)
		md = "";
	if (course_markdown(req, md, &html) == -1)
		return response_json_error(req, 400, "bad_request", "«body_md»: il testo non può essere elaborato.");
	id = course_lesson_add(req, 0, request_int(req, "id", 0), request_str(req, "title"), md, html,
			       (int)request_int(req, "duration_minutes", 0),
			       request_int(req, "published", 0) != 0, &position);
	if (id < 0)
		return 500;
	if (id == 0)
		return response_json_error(req, 404, "not_found", "Modulo non trovato.");
	if (course_db_lesson_source(req->db, req->arena, id, false, &l, &found) == -1 || !found)
		return 500;
	response_header(req, "Location", arena_printf(req->arena, "/api/v1/lessons/%lld", (long long)id));
	return course_api_lesson_reply(req, 201, &l);
}

static const struct field course_api_lesson_patch_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	FIELD_C_TITLE("title", 0), FIELD_C_BODY("body_md"),
	FIELD_C_DURATION("duration_minutes", 10000), FIELD_C_PUBLISHED("published"),
	{ "completion_mode", FIELD_BODY, VALID_ENUM, 0, 0, course_completion_modes, 0, "completion_mode" },
};

/* PATCH /api/v1/lessons/{id}: 200 {lesson}; 400; 403; 404; 500.  The old version goes to the history. */
static int
course_api_lesson_patch(struct request *req)
{
	struct course_lesson_src l;
	struct course_video *videos = NULL;
	const char *message = NULL;
	int rc, nvideos = 0, set;

	if ((set = course_api_videos(req, &videos, &nvideos, &message)) == -1)
		return response_json_error(req, 422, "invalid_videos", message);
	rc = course_lesson_store(req, request_int(req, "id", 0), request_str(req, "title"),
				 course_api_text(req, "body_md"), course_api_num(req, "duration_minutes"),
				 course_api_num(req, "published"), course_api_num(req, "completion_mode"),
				 videos, nvideos, set == 0, "lesson_update", &l);
	if (rc == -1)
		return 500;
	if (rc == 404)
		return response_json_error(req, 404, "not_found", "Lezione non trovata.");
	if (rc == 400)
		return response_json_error(req, 400, "bad_request", "«body_md»: il testo non può essere elaborato.");
	return course_api_lesson_reply(req, 200, &l);
}

/* POST /api/v1/courses/{id}/copies: 201 {course} (a draft new edition); 403; 404; 500. */
static int
course_api_copy(struct request *req)
{
	int64_t id = course_copy(req, request_int(req, "id", 0));

	if (id < 0)
		return 500;
	if (id == 0)
		return response_json_error(req, 404, "not_found", "Corso non trovato.");
	return course_api_course_reply(req, 201, id);
}

/* DELETE /api/v1/courses/{id}: 204; 403; 404; 409 someone is enrolled or has progress; 500. */
static int
course_api_delete(struct request *req)
{
	const char *refusal;
	int rc = course_delete(req, request_int(req, "id", 0), &refusal);

	if (rc == -1)
		return 500;
	if (rc == 404)
		return response_json_error(req, 404, "not_found", "Corso non trovato.");
	if (rc == 409)
		return response_json_error(req, 409, "in_use", refusal);
	return 204;
}

/* DELETE /api/v1/lessons/{id}: 204; 403; 404; 409 a learner completed it; 500. */
static int
course_api_lesson_delete(struct request *req)
{
	struct course_lesson_src l;
	const char *refusal;
	int rc = course_lesson_delete(req, request_int(req, "id", 0), &l, &refusal);

	if (rc == -1)
		return 500;
	if (rc == 404)
		return response_json_error(req, 404, "not_found", "Lezione non trovata.");
	if (rc == 409)
		return response_json_error(req, 409, "has_progress", refusal);
	return 204;
}

/*
 * Same trimming and line-break normalisation as the lesson's "body" field,
 * so the preview is what a save would store; no length bound here: the
 * handler answers 413 past MD_MAX_INPUT bytes (the body limit caps the rest).
 */
static const struct field course_api_preview_fields[] = {
	{ "body_md", FIELD_BODY, VALID_TEXT, 0, 0, NULL, FIELD_MULTILINE, "body_md" },
};

/*
 * POST /api/v1/preview: 200 {html}, the Markdown rendered as a lesson save
 * would render it; 400; 403; 413 over MD_MAX_INPUT bytes; 422 longer than
 * a lesson may be, or not renderable.
 */
static int
course_api_preview(struct request *req)
{
	const char *md = request_str(req, "body_md"), *html;
	struct json_writer w;
	size_t len;

	if (md == NULL)
		md = "";
	len = strlen(md);
	if (len > MD_MAX_INPUT)
		return response_json_error(req, 413, "too_large",
					   arena_printf(req->arena, "Il testo supera i %zu byte ammessi.", MD_MAX_INPUT));
	if (valid_utf8_length(md, len) > COURSE_BODY_MAX)
		return response_json_error(req, 422, "too_long",
					   arena_printf(req->arena, "Il testo supera i %d caratteri ammessi per "
							"una lezione.", COURSE_BODY_MAX));
	if (course_markdown(req, md, &html) == -1)
		return response_json_error(req, 422, "unprocessable", "Il testo non può essere elaborato.");
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_str(&w, "html", html);
	json_obj_close(&w);
	return response_json(req, 200);
}

static const struct route course_edit_routes[] = {
	{ METHOD_POST, "/api/v1/courses", course_api_create, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(course_api_create_fields), "api.courses" },
	{ METHOD_PATCH, "/api/v1/courses/{id}", course_api_patch, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(course_api_patch_fields), "api.course" },
	{ METHOD_POST, "/api/v1/courses/{id}/modules", course_api_module_create, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(course_api_module_fields), "api.course.modules" },
	{ METHOD_POST, "/api/v1/modules/{id}/lessons", course_api_lesson_create, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(course_api_lesson_fields), "api.module.lessons" },
	{ METHOD_PATCH, "/api/v1/lessons/{id}", course_api_lesson_patch, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(course_api_lesson_patch_fields), "api.lesson" },
	{ METHOD_POST, "/api/v1/courses/{id}/copies", course_api_copy, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(course_id_fields), "api.course.copies" },
	{ METHOD_DELETE, "/api/v1/courses/{id}", course_api_delete, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(course_id_fields), "api.course" },
	{ METHOD_DELETE, "/api/v1/lessons/{id}", course_api_lesson_delete, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(course_id_fields), "api.lesson" },
	{ METHOD_POST, "/api/v1/preview", course_api_preview, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(course_api_preview_fields), "api.preview" },
	{ METHOD_GET, "/gestione/corsi", course_manage_page, COURSE_STAFF, 0,
	  ROUTER_FIELDS(course_manage_list_fields), "courses.manage" },
	{ METHOD_POST, "/gestione/corsi", course_create_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(course_create_fields), "courses.manage" },
	{ METHOD_GET, "/gestione/corsi/{id}", course_editor_page, COURSE_STAFF, 0,
	  ROUTER_FIELDS(course_editor_fields), "courses.editor" },
	{ METHOD_POST, "/gestione/corsi/{id}", course_edit_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(course_edit_fields), "courses.editor" },
	{ METHOD_POST, "/gestione/corsi/{id}/pubblicazione", course_publish_submit, COURSE_STAFF, 0,
	  ROUTER_FIELDS(course_publish_fields), "courses.publish" },
	{ METHOD_POST, "/gestione/corsi/{id}/moduli", course_module_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(course_module_fields), "courses.module_add" },
	{ METHOD_POST, "/gestione/corsi/{id}/lezioni", course_lesson_add_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(course_lesson_add_fields), "courses.lesson_add" },
	{ METHOD_POST, "/gestione/moduli/{id}/sposta", course_module_move_submit, COURSE_STAFF, 0,
	  ROUTER_FIELDS(course_move_fields), "courses.module_move" },
	{ METHOD_POST, "/gestione/lezioni/{id}/sposta", course_lesson_move_submit, COURSE_STAFF, 0,
	  ROUTER_FIELDS(course_move_fields), "courses.lesson_move" },
	{ METHOD_GET, "/gestione/lezioni/{id}", course_lesson_editor_page, COURSE_STAFF, 0,
	  ROUTER_FIELDS(course_lesson_editor_fields), "courses.lesson_editor" },
	{ METHOD_POST, "/gestione/lezioni/{id}", course_lesson_save_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(course_lesson_save_fields), "courses.lesson_editor" },
	{ METHOD_POST, "/gestione/lezioni/{id}/ripristina", course_restore_submit, COURSE_STAFF, 0,
	  ROUTER_FIELDS(course_restore_fields), "courses.lesson_restore" },
	{ METHOD_POST, "/gestione/lezioni/{id}/anteprima", course_lesson_preview_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(course_lesson_save_fields), "courses.lesson_preview" },
	{ METHOD_POST, "/gestione/lezioni/{id}/elimina", course_lesson_delete_submit, COURSE_STAFF, 0,
	  ROUTER_FIELDS(course_id_fields), "courses.lesson_delete" },
	{ METHOD_POST, "/gestione/moduli/{id}/elimina", course_module_delete_submit, COURSE_STAFF, 0,
	  ROUTER_FIELDS(course_id_fields), "courses.module_delete" },
	{ METHOD_POST, "/gestione/moduli/{id}/materiali", course_material_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(course_material_fields), "courses.material_add" },
	{ METHOD_POST, "/gestione/materiali/{id}/elimina", course_material_delete_submit, COURSE_STAFF, 0,
	  ROUTER_FIELDS(course_material_delete_fields), "courses.material_delete" },
	{ METHOD_POST, "/gestione/corsi/{id}/duplica", course_copy_submit, COURSE_STAFF, 0,
	  ROUTER_FIELDS(course_id_fields), "courses.copy" },
	{ METHOD_GET, "/gestione/corsi/{id}/elimina", course_delete_page, COURSE_STAFF, 0,
	  ROUTER_FIELDS(course_id_fields), "courses.delete" },
	{ METHOD_POST, "/gestione/corsi/{id}/elimina", course_delete_submit, COURSE_STAFF, 0,
	  ROUTER_FIELDS(course_id_fields), "courses.delete" },
};

void
course_edit_register(struct router *r)
{
	router_add(r, course_edit_routes, ARRAY_SIZE(course_edit_routes));
}
