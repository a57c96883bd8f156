/*
 * course_db.c - courses SQL (see course_db.h).
 */
#include "compat.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

#include "course_db.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "publication.h"

/*
 * One row per lesson (or per empty module, or per empty course), in
 * course, module and lesson order: the outline is rebuilt from the rows
 * in one pass, without a query per module.
 */
/*
 * One statement for the catalogue and one for a course: a "$1 = 0 OR
 * c.id = $1" in one statement would defeat the cached generic plan and
 * replan at every course page, and read every lesson of every course.
 */
#define COURSE_OUTLINES_SQL(where) \
	"SELECT c.id, c.title, c.slug, c.summary, c.audience, c.duration_minutes, c.published, " \
	"       m.id, m.position, m.title, m.description, " \
	"       l.id, l.position, l.title, l.duration_minutes, l.published, p.id IS NOT NULL " \
	"FROM courses c " \
	"LEFT JOIN modules m ON m.course_id = c.id " \
	"LEFT JOIN lessons l ON l.module_id = m.id AND (l.published OR $2::boolean) " \
	"LEFT JOIN lesson_progress p ON p.lesson_id = l.id AND p.user_id = $3::bigint " \
	"WHERE (c.published OR $2::boolean) AND " where " " \
	"ORDER BY c.title, c.id, m.position, l.position"

static const struct db_stmt course_outlines = {
	"course_outlines", COURSE_OUTLINES_SQL("$1::bigint = 0"), 3
};

static const struct db_stmt course_outline = {
	"course_outline", COURSE_OUTLINES_SQL("c.id = $1::bigint"), 3
};

int
course_db_outlines(struct db *db, struct arena *a, int64_t course_id, int64_t user_id,
		   bool drafts, struct course **out, int *count)
{
	char cid[DB_INT_LEN], uid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id), drafts ? "t" : "f",
				 db_int_param(uid, user_id) };
	struct db_res *res;

	*out = NULL;
	*count = 0;
	if ((res = db_query(db, a, course_id == 0 ? &course_outlines : &course_outline, params)) == NULL)
		return -1;
	return course_db_outline_parse(a, res, out, count);
}

struct db_res *
course_db_outline_rows(struct db *db, struct arena *a, int64_t course_id)
{
	char cid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id), "f", "0" };

	return db_query(db, a, &course_outline, params);
}

int
course_db_outline_parse(struct arena *a, const struct db_res *res, struct course **out, int *count)
{
	struct course *courses, *c = NULL;
	struct course_module *mods;
	struct course_lesson *lessons;
	int n = 0, nm = 0, nl = 0;

	/* Each row adds at most one course, one module and one lesson, and
	 * the rows are ordered, so each course's modules and each module's
	 * lessons are contiguous in these arrays. */
	courses = arena_calloc(a, (size_t)res->nrows + 1, sizeof(*courses));
	mods = arena_calloc(a, (size_t)res->nrows + 1, sizeof(*mods));
	lessons = arena_calloc(a, (size_t)res->nrows + 1, sizeof(*lessons));
	for (int r = 0; r < res->nrows; r++) {
		struct course_module *m;
		struct course_lesson *l;

		if (c == NULL || c->id != db_get_int(res, r, 0)) {
			c = &courses[n++];
			c->id = db_get_int(res, r, 0);
			c->title = db_get(res, r, 1);
			c->slug = db_get(res, r, 2);
			c->summary = db_get(res, r, 3);
			c->audience = db_get(res, r, 4);
			c->duration_minutes = (int)db_get_int(res, r, 5);
			c->published = db_get_bool(res, r, 6);
			c->modules = &mods[nm];
		}
		if (db_get(res, r, 7) == NULL)
			continue;	/* a course without modules */
		if (c->nmodules == 0 || c->modules[c->nmodules - 1].id != db_get_int(res, r, 7)) {
			m = &mods[nm++];
			c->nmodules++;
			m->id = db_get_int(res, r, 7);
			m->position = (int)db_get_int(res, r, 8);
			m->title = db_get(res, r, 9);
			m->description = db_get(res, r, 10);
			m->lessons = &lessons[nl];
		}
		m = &c->modules[c->nmodules - 1];
		if (db_get(res, r, 11) == NULL)
			continue;	/* a module without (visible) lessons */
		l = &lessons[nl++];
		m->nlessons++;
		c->nlessons++;
		l->id = db_get_int(res, r, 11);
		l->position = (int)db_get_int(res, r, 12);
		l->title = db_get(res, r, 13);
		l->duration_minutes = (int)db_get_int(res, r, 14);
		l->published = db_get_bool(res, r, 15);
		l->completed = db_get_bool(res, r, 16);
		if (l->completed) {
			m->ncompleted++;
			c->ncompleted++;
		}
	}
	*out = courses;
	*count = n;
	return 0;
}

static const struct db_stmt course_materials = {
	"course_materials",
	"SELECT t.id, t.module_id, t.position, t.title, t.kind, t.url "
	"FROM module_materials t JOIN modules m ON m.id = t.module_id "
	"WHERE m.course_id = $1 ORDER BY m.position, t.position", 1
};

int
course_db_materials(struct db *db, struct arena *a, struct course *c)
{
	struct db_res *res;

	if ((res = course_db_material_rows(db, a, c->id)) == NULL)
		return -1;
	course_db_materials_attach(a, c, res);
	return 0;
}

struct db_res *
course_db_material_rows(struct db *db, struct arena *a, int64_t course_id)
{
	char cid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id) };

	return db_query(db, a, &course_materials, params);
}

void
course_db_materials_attach(struct arena *a, struct course *c, const struct db_res *res)
{
	struct course_material *all;
	int k = 0;

	all = arena_calloc(a, (size_t)res->nrows + 1, sizeof(*all));
	/* Matched by id rather than by order: a module added since the
	 * outline was read simply has no entry in c. */
	for (int i = 0; i < c->nmodules; i++) {
		struct course_module *m = &c->modules[i];
		m->materials = &all[k];
		m->nmaterials = 0;
		for (int r = 0; r < res->nrows; r++) {
			struct course_material *t;
			if (db_get_int(res, r, 1) != m->id)
				continue;
			t = &all[k++];
			m->nmaterials++;
			t->id = db_get_int(res, r, 0);
			t->module_id = m->id;
			t->position = (int)db_get_int(res, r, 2);
			t->title = db_get(res, r, 3);
			t->kind = db_get(res, r, 4);
			t->url = db_get(res, r, 5);
		}
	}
	c->materials = true;
}

/*
 * The user's completions are read for every course, not joined to this
 * one: an index-only scan of (user_id, lesson_id) costs what the user has
 * done (tens to a few thousand rows in a working life), where the join to
 * lessons and modules cost a scan of the course's lessons at every page;
 * the caller marks only the lessons of the outline.
 */
static const struct db_stmt course_learner_state = {
	"course_learner_state",
	"SELECT c.published, coalesce(v.version, 0), "
	"       EXISTS (SELECT 1 FROM enrolments e WHERE e.user_id = $2 AND e.course_id = c.id), "
	"       (SELECT coalesce(array_agg(p.lesson_id), '{}') FROM lesson_progress p WHERE p.user_id = $2), "
	"       (SELECT string_agg(z.module_id || ':' || z.id || ':' || coalesce(g.passed::int, -1) || ':' "
	"                          || coalesce(g.grade, 0), ',' ORDER BY m.position) "
	"        FROM quizzes z JOIN modules m ON m.id = z.module_id "
	"        LEFT JOIN quiz_grades g ON g.quiz_id = z.id AND g.user_id = $2 "
	"        WHERE z.course_id = c.id AND z.published AND z.purpose = 'final') "
	"FROM courses c LEFT JOIN course_outline_versions v ON v.course_id = c.id WHERE c.id = $1", 2
};

/* "module:quiz:passed(1, 0, -1 for no grade):grade,..." into out->tests. */
static int
course_db_tests_parse(struct arena *a, const char *text, struct course_learner_state *out)
{
	int n = 1;

	if (text == NULL)
		return 0;
	for (const char *p = text; *p; p++)
		n += *p == ',';
	out->tests = arena_calloc(a, (size_t)n, sizeof(*out->tests));
	for (const char *p = text; *p != '\0'; ) {
		struct course_test_state *t = &out->tests[out->ntests];
		long long module, quiz;
		int passed, used = 0;
		double grade;

		if (out->ntests == n || sscanf(p, "%lld:%lld:%d:%lf%n", &module, &quiz, &passed, &grade, &used) != 4)
			return -1;
		*t = (struct course_test_state){ .module_id = module, .quiz_id = quiz, .graded = passed >= 0,
						 .passed = passed == 1, .grade = grade };
		out->ntests++;
		p += used;
		if (*p == ',')
			p++;
	}
	return 0;
}

int
course_db_learner_state(struct db *db, struct arena *a, int64_t course_id, int64_t user_id,
			struct course_learner_state *out)
{
	char cid[DB_INT_LEN], uid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id), db_int_param(uid, user_id) };
	struct db_res *res;
	const char *ids;
	size_t max;

	memset(out, 0, sizeof(*out));
	if ((res = db_query(db, a, &course_learner_state, params)) == NULL)
		return -1;
	if (res->nrows == 0)
		return 0;
	out->published = db_get_bool(res, 0, 0);
	out->version = db_get_int(res, 0, 1);
	out->enrolled = db_get_bool(res, 0, 2);
	/* "{12,15,40}": at most one id per two bytes. */
	ids = db_get(res, 0, 3);
	max = strlen(ids) / 2 + 1;
	out->completed = arena_calloc(a, max, sizeof(*out->completed));
	for (const char *p = ids; *p != '\0' && out->ncompleted < max; ) {
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p) {
			p++;	/* '{', ',' or '}' */
			continue;
		}
		out->completed[out->ncompleted++] = v;
		p = end;
	}
	if (course_db_tests_parse(a, db_get(res, 0, 4), out) == -1) {
		log_warnx("course %lld: the final tests' states not understood", (long long)course_id);
		return -1;
	}
	return 0;
}

static const struct db_stmt course_enrolment = {
	"course_enrolment",
	"SELECT to_char(enrolled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
	"FROM enrolments WHERE user_id = $1 AND course_id = $2", 2
};

int
course_db_enrolment(struct db *db, struct arena *a, int64_t user_id, int64_t course_id,
		    bool *enrolled, const char **enrolled_at)
{
	char uid[DB_INT_LEN], cid[DB_INT_LEN];
	const char *params[] = { db_int_param(uid, user_id), db_int_param(cid, course_id) };
	struct db_res *res;

	*enrolled = false;
	*enrolled_at = "";
	if ((res = db_query(db, a, &course_enrolment, params)) == NULL)
		return -1;
	if (res->nrows > 0) {
		*enrolled = true;
		*enrolled_at = db_get(res, 0, 0);
	}
	return 0;
}

static const struct db_stmt course_enrol = {
	"course_enrol",
	"INSERT INTO enrolments (user_id, course_id) VALUES ($1, $2) "
	"ON CONFLICT (user_id, course_id) DO NOTHING RETURNING id", 2
};

int
course_db_enrol(struct db *db, int64_t user_id, int64_t course_id, bool *created)
{
	char uid[DB_INT_LEN], cid[DB_INT_LEN];
	const char *params[] = { db_int_param(uid, user_id), db_int_param(cid, course_id) };
	int64_t id = db_query_int(db, &course_enrol, params);

	*created = id > 0;
	return id < 0 ? -1 : 0;
}

/*
 * A lesson's videos as one JSON array column of the lesson's own row: the
 * lesson page and the editor get lesson and videos in one round trip.
 */
#define COURSE_VIDEOS_JSON \
	"(SELECT coalesce(json_agg(json_build_object('title', v.title, 'url', v.url, " \
	"   'kind', v.kind, 'embed_url', v.embed_url, 'duration_minutes', v.duration_minutes, " \
	"   'transcript_md', v.transcript_md, 'transcript_html', v.transcript_html, " \
	"   'captions_url', v.captions_url) ORDER BY v.position), '[]') " \
	" FROM lesson_videos v WHERE v.lesson_id = l.id)"

static const struct db_stmt course_lesson = {
	"course_lesson",
	"SELECT l.id, c.id, c.title, c.published, m.title, m.position, l.position, l.title, "
	"       l.body_html, l.duration_minutes, l.published, "
	"       EXISTS (SELECT 1 FROM lesson_progress p WHERE p.lesson_id = l.id AND p.user_id = $2), "
	"       EXISTS (SELECT 1 FROM enrolments e WHERE e.course_id = c.id AND e.user_id = $2), "
	"       l.completion_mode = 'auto', " COURSE_VIDEOS_JSON " "
	"FROM lessons l JOIN modules m ON m.id = l.module_id JOIN courses c ON c.id = m.course_id "
	"WHERE l.id = $1", 2
};

/* A string member of a video object; NULL for JSON null or a missing one. */
static const char *
course_db_video_str(const struct json_value *obj, const char *key)
{
	const struct json_value *v = json_get(obj, key);

	return v != NULL && v->type == JSON_STRING ? v->str : NULL;
}

/* Reads the COURSE_VIDEOS_JSON column into *out (arena); -1 if it is not what that SQL makes. */
static int
course_db_read_videos(struct arena *a, const char *json, struct course_video **out, int *n)
{
	const struct json_value *arr = json_parse(a, json, strlen(json), NULL);
	long long minutes;

	*n = 0;
	if (arr == NULL || arr->type != JSON_ARRAY) {
		log_warnx("course_db: malformed videos column");
		return -1;
	}
	*out = arena_calloc(a, arr->count + 1, sizeof(**out));
	for (const struct json_value *o = arr->child; o != NULL; o = o->next) {
		struct course_video *v = &(*out)[(*n)++];
		v->title = course_db_video_str(o, "title");
		v->url = course_db_video_str(o, "url");
		v->kind = course_db_video_str(o, "kind");
		v->embed_url = course_db_video_str(o, "embed_url");
		v->duration_minutes = json_get_int(json_get(o, "duration_minutes"), &minutes) == 0 ?
		    (int)minutes : 0;
		v->transcript_md = course_db_video_str(o, "transcript_md");
		v->transcript_html = course_db_video_str(o, "transcript_html");
		v->captions_url = course_db_video_str(o, "captions_url");
		if (v->title == NULL || v->url == NULL || v->kind == NULL) {
			log_warnx("course_db: malformed video in videos column");
			return -1;
		}
	}
	return 0;
}

int
course_db_lesson(struct db *db, struct arena *a, int64_t lesson_id, int64_t user_id,
		 struct course_lesson_page *out, bool *found)
{
	char lid[DB_INT_LEN], uid[DB_INT_LEN];
	const char *params[] = { db_int_param(lid, lesson_id), db_int_param(uid, user_id) };
	struct db_res *res;

	memset(out, 0, sizeof(*out));
	*found = false;
	if ((res = db_query(db, a, &course_lesson, params)) == NULL)
		return -1;
	if (res->nrows == 0)
		return 0;
	out->id = db_get_int(res, 0, 0);
	out->course_id = db_get_int(res, 0, 1);
	out->course_title = db_get(res, 0, 2);
	out->course_published = db_get_bool(res, 0, 3);
	out->module_title = db_get(res, 0, 4);
	out->module_position = (int)db_get_int(res, 0, 5);
	out->position = (int)db_get_int(res, 0, 6);
	out->title = db_get(res, 0, 7);
	out->body_html = db_get(res, 0, 8);
	out->duration_minutes = (int)db_get_int(res, 0, 9);
	out->published = db_get_bool(res, 0, 10);
	out->completed = db_get_bool(res, 0, 11);
	out->enrolled = db_get_bool(res, 0, 12);
	out->auto_completion = db_get_bool(res, 0, 13);
	if (course_db_read_videos(a, db_get(res, 0, 14), &out->videos, &out->nvideos) == -1)
		return -1;
	*found = true;
	return 0;
}

static const struct db_stmt course_complete = {
	"course_complete",
	"INSERT INTO lesson_progress (user_id, lesson_id) VALUES ($1, $2) "
	"ON CONFLICT (user_id, lesson_id) DO NOTHING", 2
};

int
course_db_complete(struct db *db, int64_t user_id, int64_t lesson_id)
{
	char uid[DB_INT_LEN], lid[DB_INT_LEN];
	const char *params[] = { db_int_param(uid, user_id), db_int_param(lid, lesson_id) };

	return db_exec(db, &course_complete, params) < 0 ? -1 : 0;
}

/* Keeps read_at once set and adds a position once: a report repeated by a
 * reload changes nothing. */
static const struct db_stmt course_view_record = {
	"course_view_record",
	"INSERT INTO lesson_views AS v (user_id, lesson_id, read_at, videos_played) "
	"VALUES ($1, $2, CASE WHEN $3::boolean THEN now() END, "
	"        CASE WHEN $4::int > 0 THEN ARRAY[$4::int] ELSE '{}'::int[] END) "
	"ON CONFLICT (user_id, lesson_id) DO UPDATE SET "
	"  read_at = coalesce(v.read_at, EXCLUDED.read_at), "
	"  videos_played = CASE WHEN $4::int > 0 AND NOT ($4::int = ANY (v.videos_played)) "
	"                  THEN v.videos_played || $4::int ELSE v.videos_played END, "
	"  updated_at = now() "
	"RETURNING read_at IS NOT NULL, cardinality(videos_played), array_to_string(videos_played, ',')", 4
};

int
course_db_view_record(struct db *db, struct arena *a, int64_t user_id, int64_t lesson_id,
		      bool read, int video, struct course_view *out)
{
	char uid[DB_INT_LEN], lid[DB_INT_LEN], vid[DB_INT_LEN];
	const char *params[] = { db_int_param(uid, user_id), db_int_param(lid, lesson_id),
				 read ? "t" : "f", db_int_param(vid, video) };
	struct db_res *res;
	const char *p;
	int n;

	memset(out, 0, sizeof(*out));
	if ((res = db_query(db, a, &course_view_record, params)) == NULL || res->nrows != 1)
		return -1;
	out->read = db_get_bool(res, 0, 0);
	n = (int)db_get_int(res, 0, 1);
	out->played = arena_calloc(a, (size_t)n + 1, sizeof(*out->played));
	/* "1,3,2": positions the statement wrote, so digits and commas only. */
	for (p = db_get(res, 0, 2); p != NULL && *p != '\0' && out->nplayed < n; ) {
		int v = 0;
		while (*p >= '0' && *p <= '9' && v < 100000000)
			v = v * 10 + (*p++ - '0');
		out->played[out->nplayed++] = v;
		if (*p == ',')
			p++;
		else
			break;
	}
	return 0;
}

static const struct db_stmt course_progress = {
	"course_progress",
	"SELECT c.id, c.title, "
	"       to_char(e.enrolled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	"       count(l.id), count(p.id) "
	"FROM enrolments e JOIN courses c ON c.id = e.course_id AND c.published "
	"LEFT JOIN modules m ON m.course_id = c.id "
	"LEFT JOIN lessons l ON l.module_id = m.id AND l.published "
	"LEFT JOIN lesson_progress p ON p.lesson_id = l.id AND p.user_id = e.user_id "
	"WHERE e.user_id = $1 "
	"GROUP BY c.id, c.title, e.enrolled_at ORDER BY c.title, c.id", 1
};

int
course_db_progress(struct db *db, struct arena *a, int64_t user_id,
		   struct course_progress **out, int *count)
{
	char uid[DB_INT_LEN];
	const char *params[] = { db_int_param(uid, user_id) };
	struct db_res *res;

	*out = NULL;
	*count = 0;
	if ((res = db_query(db, a, &course_progress, params)) == NULL)
		return -1;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int r = 0; r < res->nrows; r++) {
		struct course_progress *p = &(*out)[r];
		p->course_id = db_get_int(res, r, 0);
		p->title = db_get(res, r, 1);
		p->enrolled_at = db_get(res, r, 2);
		p->nlessons = (int)db_get_int(res, r, 3);
		p->ncompleted = (int)db_get_int(res, r, 4);
	}
	*count = res->nrows;
	return 0;
}

/* ---- authoring ---- */

static const struct db_stmt course_find_slug = {
	"course_find_slug", "SELECT id FROM courses WHERE slug = $1", 1
};

int64_t
course_db_find_slug(struct db *db, const char *slug)
{
	const char *params[] = { slug };

	return db_query_int(db, &course_find_slug, params);
}

/* A new row's id from an INSERT ... RETURNING id: -1 on error. */
static int64_t
course_db_insert(struct db *db, const struct db_stmt *stmt, const char *const *params)
{
	int64_t id = db_query_int(db, stmt, params);

	return id > 0 ? id : -1;
}

static const struct db_stmt course_create = {
	"course_create",
	"INSERT INTO courses (title, slug, summary, audience, duration_minutes, published, created_by) "
	"VALUES ($1, $2, $3, $4, $5, $6, nullif($7::bigint, 0)) RETURNING id", 7
};

int64_t
course_db_create(struct db *db, const char *title, const char *slug, const char *summary,
		 const char *audience, int duration_minutes, bool published, int64_t created_by)
{
	char dur[DB_INT_LEN], by[DB_INT_LEN];
	const char *params[] = { title, slug, summary, audience, db_int_param(dur, duration_minutes),
				 published ? "t" : "f", db_int_param(by, created_by) };

	return course_db_insert(db, &course_create, params);
}

static const struct db_stmt course_set_duration = {
	"course_set_duration", "UPDATE courses SET duration_minutes = $2, updated_at = now() WHERE id = $1", 2
};

int
course_db_set_duration(struct db *db, int64_t course_id, int minutes)
{
	char cid[DB_INT_LEN], mins[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id), db_int_param(mins, minutes) };

	return db_exec(db, &course_set_duration, params) < 0 ? -1 : 0;
}

static const struct db_stmt course_module_create = {
	"course_module_create",
	"INSERT INTO modules (course_id, position, title, description) VALUES ($1, $2, $3, $4) "
	"RETURNING id", 4
};

int64_t
course_db_module_create(struct db *db, int64_t course_id, int position, const char *title,
			const char *description)
{
	char cid[DB_INT_LEN], pos[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id), db_int_param(pos, position), title,
				 description };

	return course_db_insert(db, &course_module_create, params);
}

static const struct db_stmt course_lesson_create = {
	"course_lesson_create",
	"INSERT INTO lessons (module_id, position, title, body_md, body_html, duration_minutes, "
	"published) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id", 7
};

int64_t
course_db_lesson_create(struct db *db, int64_t module_id, int position, const char *title,
			const char *body_md, const char *body_html, int duration_minutes,
			bool published)
{
	char mid[DB_INT_LEN], pos[DB_INT_LEN], dur[DB_INT_LEN];
	const char *params[] = { db_int_param(mid, module_id), db_int_param(pos, position), title,
				 body_md, body_html, db_int_param(dur, duration_minutes),
				 published ? "t" : "f" };

	return course_db_insert(db, &course_lesson_create, params);
}

static const struct db_stmt course_video_create = {
	"course_video_create",
	"INSERT INTO lesson_videos (lesson_id, position, title, url, kind, embed_url, "
	"duration_minutes) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id", 7
};

int64_t
course_db_video_create(struct db *db, int64_t lesson_id, int position, const char *title,
		       const char *url, const char *kind, const char *embed_url,
		       int duration_minutes)
{
	char lid[DB_INT_LEN], pos[DB_INT_LEN], dur[DB_INT_LEN];
	const char *params[] = { db_int_param(lid, lesson_id), db_int_param(pos, position), title,
				 url, kind, embed_url, db_int_param(dur, duration_minutes) };

	return course_db_insert(db, &course_video_create, params);
}

/* ---- trainer authoring ---- */

static const struct db_stmt course_create_try = {
	"course_create_try",
	"INSERT INTO courses (title, slug, summary, audience, duration_minutes, published, created_by) "
	"VALUES ($1, $2, $3, $4, $5, $6, nullif($7::bigint, 0)) ON CONFLICT (slug) DO NOTHING "
	"RETURNING id", 7
};

int64_t
course_db_create_try(struct db *db, const char *title, const char *slug, const char *summary,
		     const char *audience, int duration_minutes, bool published, int64_t created_by)
{
	char dur[DB_INT_LEN], by[DB_INT_LEN];
	const char *params[] = { title, slug, summary, audience, db_int_param(dur, duration_minutes),
				 published ? "t" : "f", db_int_param(by, created_by) };

	return db_query_int(db, &course_create_try, params);
}

static const struct db_stmt course_update = {
	"course_update",
	"UPDATE courses SET title = coalesce($2, title), summary = coalesce($3, summary), "
	"audience = coalesce($4, audience), duration_minutes = coalesce($5::int, duration_minutes), "
	"published = coalesce($6::boolean, published), updated_at = now() WHERE id = $1", 6
};

int
course_db_update(struct db *db, int64_t course_id, const char *title, const char *summary,
		 const char *audience, int duration_minutes, int published, bool *found)
{
	char cid[DB_INT_LEN], dur[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id), title, summary, audience,
				 duration_minutes < 0 ? NULL : db_int_param(dur, duration_minutes),
				 published < 0 ? NULL : published ? "t" : "f" };
	int64_t n = db_exec(db, &course_update, params);

	*found = n > 0;
	return n < 0 ? -1 : 0;
}

static const struct db_stmt course_db_publication_stmt = {
	"course_db_publication",
	"SELECT published, title, left(summary, 300) FROM courses WHERE id = $1", 1
};

int
course_db_publication(struct db *db, struct arena *a, int64_t course_id)
{
	char cid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id) };
	struct db_res *res = db_query(db, a, &course_db_publication_stmt, params);
	struct publication p = { PUBLICATION_COURSES, "course", course_id, NULL, NULL, NULL, NULL };

	if (res == NULL)
		return -1;
	if (res->nrows == 0 || !db_get_bool(res, 0, 0))
		return publication_retract(db, "course", course_id);
	p.title = db_get(res, 0, 1);
	p.summary = db_get(res, 0, 2);
	p.path = arena_printf(a, "/corsi/%lld", (long long)course_id);
	return publication_record(db, &p);
}

/* NO KEY UPDATE: serialises the authoring of one parent without blocking
 * the foreign-key checks of enrolments and progress. */
static const struct db_stmt course_lock = {
	"course_lock", "SELECT id FROM courses WHERE id = $1 FOR NO KEY UPDATE", 1
};

int
course_db_lock(struct db *db, int64_t course_id, bool *found)
{
	char cid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id) };
	int64_t id = db_query_int(db, &course_lock, params);

	*found = id > 0;
	return id < 0 ? -1 : 0;
}

static const struct db_stmt course_module_parent = {
	"course_module_parent", "SELECT course_id FROM modules WHERE id = $1", 1
};

static const struct db_stmt course_module_lock = {
	"course_module_lock", "SELECT course_id FROM modules WHERE id = $1 FOR NO KEY UPDATE", 1
};

int
course_db_module_parent(struct db *db, int64_t module_id, bool lock, int64_t *course_id)
{
	char mid[DB_INT_LEN];
	const char *params[] = { db_int_param(mid, module_id) };
	int64_t id = db_query_int(db, lock ? &course_module_lock : &course_module_parent, params);

	*course_id = id > 0 ? id : 0;
	return id < 0 ? -1 : 0;
}

/* Runs an INSERT ... RETURNING id, position: the id, or -1. */
static int64_t
course_db_append(struct db *db, const struct db_stmt *stmt, const char *const *params, int *position)
{
	struct arena *a = arena_new();
	struct db_res *res = db_query(db, a, stmt, params);
	int64_t id = -1;

	if (res != NULL && res->nrows == 1) {
		id = db_get_int(res, 0, 0);
		*position = (int)db_get_int(res, 0, 1);
	}
	arena_free(a);
	return id;
}

static const struct db_stmt course_module_append = {
	"course_module_append",
	"INSERT INTO modules (course_id, position, title, description) "
	"SELECT $1::bigint, coalesce(max(position), 0) + 1, $2, $3 FROM modules WHERE course_id = $1::bigint "
	"RETURNING id, position", 3
};

int64_t
course_db_module_append(struct db *db, int64_t course_id, const char *title, const char *description,
			int *position)
{
	char cid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id), title, description };

	return course_db_append(db, &course_module_append, params, position);
}

static const struct db_stmt course_lesson_append = {
	"course_lesson_append",
	"INSERT INTO lessons (module_id, position, title, body_md, body_html, duration_minutes, "
	"published, updated_by) "
	"SELECT $1::bigint, coalesce(max(position), 0) + 1, $2, $3, $4, $5, $6, nullif($7::bigint, 0) "
	"FROM lessons WHERE module_id = $1::bigint RETURNING id, position", 7
};

int64_t
course_db_lesson_append(struct db *db, int64_t module_id, const char *title, const char *body_md,
			const char *body_html, int duration_minutes, bool published, int64_t author_id,
			int *position)
{
	char mid[DB_INT_LEN], dur[DB_INT_LEN], by[DB_INT_LEN];
	const char *params[] = { db_int_param(mid, module_id), title, body_md, body_html,
				 db_int_param(dur, duration_minutes), published ? "t" : "f",
				 db_int_param(by, author_id) };

	return course_db_append(db, &course_lesson_append, params, position);
}

/*
 * The neighbour is the closest sibling before (dir -1) or after (dir 1);
 * one UPDATE gives each the other's position, so the set of positions
 * never changes.
 */
static const struct db_stmt course_module_move = {
	"course_module_move",
	"WITH me AS (SELECT id, course_id, position FROM modules WHERE id = $1), "
	"nb AS (SELECT m.id, m.position FROM modules m JOIN me ON m.course_id = me.course_id "
	"       WHERE ($2::int < 0 AND m.position < me.position) OR ($2::int > 0 AND m.position > me.position) "
	"       ORDER BY m.position * $2::int LIMIT 1) "
	"UPDATE modules t SET position = CASE WHEN t.id = me.id THEN nb.position ELSE me.position END, "
	"updated_at = now() FROM me, nb WHERE t.id IN (me.id, nb.id)", 2
};

static const struct db_stmt course_lesson_move = {
	"course_lesson_move",
	"WITH me AS (SELECT id, module_id, position FROM lessons WHERE id = $1), "
	"nb AS (SELECT l.id, l.position FROM lessons l JOIN me ON l.module_id = me.module_id "
	"       WHERE ($2::int < 0 AND l.position < me.position) OR ($2::int > 0 AND l.position > me.position) "
	"       ORDER BY l.position * $2::int LIMIT 1) "
	"UPDATE lessons t SET position = CASE WHEN t.id = me.id THEN nb.position ELSE me.position END "
	"FROM me, nb WHERE t.id IN (me.id, nb.id)", 2
};

static int
course_db_move(struct db *db, const struct db_stmt *stmt, int64_t id, int dir, bool *moved)
{
	char sid[DB_INT_LEN], d[DB_INT_LEN];
	const char *params[] = { db_int_param(sid, id), db_int_param(d, dir < 0 ? -1 : 1) };
	int64_t n = db_exec(db, stmt, params);

	*moved = n == 2;
	return n < 0 ? -1 : 0;
}

int
course_db_module_move(struct db *db, int64_t module_id, int dir, bool *moved)
{
	return course_db_move(db, &course_module_move, module_id, dir, moved);
}

int
course_db_lesson_move(struct db *db, int64_t lesson_id, int dir, bool *moved)
{
	return course_db_move(db, &course_lesson_move, lesson_id, dir, moved);
}

#define COURSE_LESSON_SOURCE \
	"SELECT l.id, l.module_id, m.course_id, c.title, m.title, l.position, l.title, l.body_md, " \
	"       l.body_html, l.duration_minutes, l.published, l.completion_mode = 'auto', " \
	COURSE_VIDEOS_JSON " " \
	"FROM lessons l JOIN modules m ON m.id = l.module_id JOIN courses c ON c.id = m.course_id " \
	"WHERE l.id = $1"

static const struct db_stmt course_lesson_source = {
	"course_lesson_source", COURSE_LESSON_SOURCE, 1
};

static const struct db_stmt course_lesson_source_lock = {
	"course_lesson_source_lock", COURSE_LESSON_SOURCE " FOR NO KEY UPDATE OF l", 1
};

int
course_db_lesson_source(struct db *db, struct arena *a, int64_t lesson_id, bool lock,
			struct course_lesson_src *out, bool *found)
{
	char lid[DB_INT_LEN];
	const char *params[] = { db_int_param(lid, lesson_id) };
	struct db_res *res;

	memset(out, 0, sizeof(*out));
	*found = false;
	res = db_query(db, a, lock ? &course_lesson_source_lock : &course_lesson_source, params);
	if (res == NULL)
		return -1;
	if (res->nrows == 0)
		return 0;
	out->id = db_get_int(res, 0, 0);
	out->module_id = db_get_int(res, 0, 1);
	out->course_id = db_get_int(res, 0, 2);
	out->course_title = db_get(res, 0, 3);
	out->module_title = db_get(res, 0, 4);
	out->position = (int)db_get_int(res, 0, 5);
	out->title = db_get(res, 0, 6);
	out->body_md = db_get(res, 0, 7);
	out->body_html = db_get(res, 0, 8);
	out->duration_minutes = (int)db_get_int(res, 0, 9);
	out->published = db_get_bool(res, 0, 10);
	out->auto_completion = db_get_bool(res, 0, 11);
	if (course_db_read_videos(a, db_get(res, 0, 12), &out->videos, &out->nvideos) == -1)
		return -1;
	*found = true;
	return 0;
}

/* One statement: the copy of the old version and the update cannot part. */
static const struct db_stmt course_lesson_save = {
	"course_lesson_save",
	"WITH old AS (SELECT id, title, body_md, updated_by, updated_at FROM lessons "
	"             WHERE id = $1 FOR NO KEY UPDATE), "
	"rev AS (INSERT INTO lesson_revisions (lesson_id, title, body_md, saved_by, saved_at) "
	"        SELECT id, title, body_md, updated_by, updated_at FROM old) "
	"UPDATE lessons l SET title = $2, body_md = $3, body_html = $4, duration_minutes = $5, "
	"published = $6, updated_by = nullif($7::bigint, 0), updated_at = now() "
	"FROM old WHERE l.id = old.id", 7
};

int
course_db_lesson_save(struct db *db, int64_t lesson_id, const char *title, const char *body_md,
		      const char *body_html, int duration_minutes, bool published, int64_t saved_by,
		      bool *found)
{
	char lid[DB_INT_LEN], dur[DB_INT_LEN], by[DB_INT_LEN];
	const char *params[] = { db_int_param(lid, lesson_id), title, body_md, body_html,
				 db_int_param(dur, duration_minutes), published ? "t" : "f",
				 db_int_param(by, saved_by) };
	int64_t n = db_exec(db, &course_lesson_save, params);

	*found = n > 0;
	return n < 0 ? -1 : 0;
}

static const struct db_stmt course_videos_clear = {
	"course_videos_clear", "DELETE FROM lesson_videos WHERE lesson_id = $1", 1
};

static const struct db_stmt course_video_insert = {
	"course_video_insert",
	"INSERT INTO lesson_videos (lesson_id, position, title, url, kind, embed_url, duration_minutes, "
	"                           transcript_md, transcript_html, captions_url) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", 10
};

int
course_db_videos_replace(struct db *db, int64_t lesson_id, const struct course_video *v, int n)
{
	char lid[DB_INT_LEN], pos[DB_INT_LEN], dur[DB_INT_LEN];
	const char *params[] = { db_int_param(lid, lesson_id) };

	if (db_exec(db, &course_videos_clear, params) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *p[] = { lid, db_int_param(pos, i + 1), v[i].title, v[i].url, v[i].kind,
				    v[i].embed_url, db_int_param(dur, v[i].duration_minutes),
				    v[i].transcript_md ? v[i].transcript_md : "",
				    v[i].transcript_html ? v[i].transcript_html : "", v[i].captions_url };
		if (db_exec(db, &course_video_insert, p) < 0)
			return -1;
	}
	return 0;
}

static const struct db_stmt course_lesson_completion = {
	"course_lesson_completion",
	"UPDATE lessons SET completion_mode = CASE WHEN $2::boolean THEN 'auto' ELSE 'manual' END "
	"WHERE id = $1", 2
};

int
course_db_lesson_completion(struct db *db, int64_t lesson_id, bool auto_completion)
{
	char lid[DB_INT_LEN];
	const char *params[] = { db_int_param(lid, lesson_id), auto_completion ? "t" : "f" };

	return db_exec(db, &course_lesson_completion, params) < 0 ? -1 : 0;
}

/* ---- module materials, copies and deletion ---- */

static const struct db_stmt course_material_append = {
	"course_material_append",
	"INSERT INTO module_materials (module_id, position, title, kind, url) "
	"SELECT $1::bigint, coalesce(max(position), 0) + 1, $2, $3, $4 FROM module_materials "
	"WHERE module_id = $1::bigint RETURNING id, position", 4
};

int64_t
course_db_material_append(struct db *db, int64_t module_id, const char *title, const char *kind,
			  const char *url, int *position)
{
	char mid[DB_INT_LEN];
	const char *params[] = { db_int_param(mid, module_id), title, kind, url };

	return course_db_append(db, &course_material_append, params, position);
}

static const struct db_stmt course_material_module = {
	"course_material_module", "SELECT module_id FROM module_materials WHERE id = $1", 1
};

int
course_db_material_module(struct db *db, int64_t material_id, int64_t *module_id)
{
	char tid[DB_INT_LEN];
	const char *params[] = { db_int_param(tid, material_id) };
	int64_t id = db_query_int(db, &course_material_module, params);

	*module_id = id > 0 ? id : 0;
	return id < 0 ? -1 : 0;
}

/*
 * Renumbering after a delete: one UPDATE gives every sibling its rank, and
 * the DEFERRABLE unique constraint is checked at the end of the statement,
 * so shifting a whole run down never trips over a neighbour.
 */
static const struct db_stmt course_materials_renumber = {
	"course_materials_renumber",
	"UPDATE module_materials t SET position = r.n FROM "
	"(SELECT id, row_number() OVER (ORDER BY position) AS n FROM module_materials "
	" WHERE module_id = $1) r WHERE t.id = r.id AND t.position <> r.n", 1
};

static const struct db_stmt course_modules_renumber = {
	"course_modules_renumber",
	"UPDATE modules t SET position = r.n, updated_at = now() FROM "
	"(SELECT id, row_number() OVER (ORDER BY position) AS n FROM modules WHERE course_id = $1) r "
	"WHERE t.id = r.id AND t.position <> r.n", 1
};

static const struct db_stmt course_lessons_renumber = {
	"course_lessons_renumber",
	"UPDATE lessons t SET position = r.n FROM "
	"(SELECT id, row_number() OVER (ORDER BY position) AS n FROM lessons WHERE module_id = $1) r "
	"WHERE t.id = r.id AND t.position <> r.n", 1
};

/* Runs del (params: id, parent) then renumber (param: parent); *found: del removed a row. */
static int
course_db_delete_renumber(struct db *db, const struct db_stmt *del, const struct db_stmt *renumber,
			  int64_t parent_id, int64_t id, bool *found)
{
	char sid[DB_INT_LEN], pid[DB_INT_LEN];
	const char *params[] = { db_int_param(sid, id), db_int_param(pid, parent_id) };
	int64_t n;

	*found = false;
	if ((n = db_exec(db, del, params)) < 0)
		return -1;
	*found = n > 0;
	return db_exec(db, renumber, params + 1) < 0 ? -1 : 0;
}

static const struct db_stmt course_material_delete = {
	"course_material_delete", "DELETE FROM module_materials WHERE id = $1 AND module_id = $2", 2
};

int
course_db_material_delete(struct db *db, int64_t module_id, int64_t material_id, bool *found)
{
	return course_db_delete_renumber(db, &course_material_delete, &course_materials_renumber,
					 module_id, material_id, found);
}

/*
 * One statement, so one snapshot: the copy is of one consistent state of
 * the course even while it is being edited.  Old and new rows are paired
 * by position, which is unique per parent.
 */
static const struct db_stmt course_copy = {
	"course_copy",
	"WITH nc AS ("
	"  INSERT INTO courses (title, slug, summary, audience, duration_minutes, published, created_by) "
	"  SELECT $2, $3, summary, audience, duration_minutes, false, nullif($4::bigint, 0) "
	"  FROM courses WHERE id = $1 ON CONFLICT (slug) DO NOTHING RETURNING id), "
	"nm AS ("
	"  INSERT INTO modules (course_id, position, title, description) "
	"  SELECT nc.id, m.position, m.title, m.description FROM modules m, nc WHERE m.course_id = $1 "
	"  RETURNING id, position), "
	"mm AS (SELECT m.id AS old_id, nm.id AS new_id FROM modules m "
	"       JOIN nm ON nm.position = m.position WHERE m.course_id = $1), "
	"nl AS ("
	"  INSERT INTO lessons (module_id, position, title, body_md, body_html, duration_minutes, "
	"                       published, completion_mode, updated_by) "
	"  SELECT mm.new_id, l.position, l.title, l.body_md, l.body_html, l.duration_minutes, "
	"         l.published, l.completion_mode, l.updated_by "
	"  FROM lessons l JOIN mm ON mm.old_id = l.module_id RETURNING id, module_id, position), "
	"lm AS (SELECT l.id AS old_id, nl.id AS new_id FROM lessons l "
	"       JOIN mm ON mm.old_id = l.module_id "
	"       JOIN nl ON nl.module_id = mm.new_id AND nl.position = l.position), "
	"nv AS ("
	"  INSERT INTO lesson_videos (lesson_id, position, title, url, kind, embed_url, "
	"                             duration_minutes, transcript_md, transcript_html, captions_url) "
	"  SELECT lm.new_id, v.position, v.title, v.url, v.kind, v.embed_url, v.duration_minutes, "
	"         v.transcript_md, v.transcript_html, v.captions_url "
	"  FROM lesson_videos v JOIN lm ON lm.old_id = v.lesson_id), "
	"nt AS ("
	"  INSERT INTO module_materials (module_id, position, title, kind, url) "
	"  SELECT mm.new_id, t.position, t.title, t.kind, t.url "
	"  FROM module_materials t JOIN mm ON mm.old_id = t.module_id) "
	"SELECT id FROM nc", 4
};

int64_t
course_db_copy(struct db *db, int64_t course_id, const char *title, const char *slug,
	       int64_t created_by)
{
	char cid[DB_INT_LEN], by[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id), title, slug, db_int_param(by, created_by) };

	return db_query_int(db, &course_copy, params);
}

static const struct db_stmt course_usage = {
	"course_usage",
	"SELECT (SELECT count(*) FROM enrolments WHERE course_id = $1), "
	"       (SELECT count(*) FROM lesson_progress p JOIN lessons l ON l.id = p.lesson_id "
	"        JOIN modules m ON m.id = l.module_id WHERE m.course_id = $1), "
	"       (SELECT count(*) FROM cohorts WHERE course_id = $1), "
	"       (SELECT count(*) FROM modules WHERE course_id = $1), "
	"       (SELECT count(*) FROM lessons l JOIN modules m ON m.id = l.module_id "
	"        WHERE m.course_id = $1)", 1
};

int
course_db_usage(struct db *db, int64_t course_id, struct course_usage *u)
{
	char cid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id) };
	struct arena *a = arena_new();
	struct db_res *res = db_query(db, a, &course_usage, params);
	int rc = -1;

	memset(u, 0, sizeof(*u));
	if (res == NULL || res->nrows != 1)
		goto out;
	u->enrolled = db_get_int(res, 0, 0);
	u->completions = db_get_int(res, 0, 1);
	u->cohorts = db_get_int(res, 0, 2);
	u->modules = db_get_int(res, 0, 3);
	u->lessons = db_get_int(res, 0, 4);
	rc = 0;
out:
	arena_free(a);
	return rc;
}

static const struct db_stmt course_lock_delete = {
	"course_lock_delete", "SELECT title FROM courses WHERE id = $1 FOR UPDATE", 1
};

int
course_db_course_lock_delete(struct db *db, struct arena *a, int64_t course_id, const char **title)
{
	char cid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id) };
	struct db_res *res;

	*title = NULL;
	if ((res = db_query(db, a, &course_lock_delete, params)) == NULL)
		return -1;
	if (res->nrows > 0)
		*title = db_get(res, 0, 0);
	return 0;
}

static const struct db_stmt course_delete = {
	"course_delete", "DELETE FROM courses WHERE id = $1", 1
};

int
course_db_course_delete(struct db *db, int64_t course_id)
{
	char cid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id) };

	return db_exec(db, &course_delete, params) < 0 ? -1 : 0;
}

static const struct db_stmt course_module_lock_delete = {
	"course_module_lock_delete", "SELECT id FROM modules WHERE id = $1 FOR UPDATE", 1
};

static const struct db_stmt course_module_lessons_lock = {
	"course_module_lessons_lock", "SELECT id FROM lessons WHERE module_id = $1 FOR UPDATE", 1
};

static const struct db_stmt course_module_completions = {
	"course_module_completions",
	"SELECT count(*) FROM lesson_progress p JOIN lessons l ON l.id = p.lesson_id "
	"WHERE l.module_id = $1", 1
};

int
course_db_module_lock_delete(struct db *db, int64_t module_id, bool *found, int64_t *completions)
{
	char mid[DB_INT_LEN];
	const char *params[] = { db_int_param(mid, module_id) };
	int64_t id;

	*found = false;
	*completions = 0;
	if ((id = db_query_int(db, &course_module_lock_delete, params)) <= 0)
		return id < 0 ? -1 : 0;
	*found = true;
	if (db_exec(db, &course_module_lessons_lock, params) < 0 ||
	    (*completions = db_query_int(db, &course_module_completions, params)) < 0)
		return -1;
	return 0;
}

static const struct db_stmt course_module_delete = {
	"course_module_delete", "DELETE FROM modules WHERE id = $1 AND course_id = $2", 2
};

int
course_db_module_delete(struct db *db, int64_t course_id, int64_t module_id)
{
	bool found;

	return course_db_delete_renumber(db, &course_module_delete, &course_modules_renumber,
					 course_id, module_id, &found);
}

static const struct db_stmt course_lesson_lock_delete = {
	"course_lesson_lock_delete", "SELECT id FROM lessons WHERE id = $1 FOR UPDATE", 1
};

static const struct db_stmt course_lesson_completions = {
	"course_lesson_completions", "SELECT count(*) FROM lesson_progress WHERE lesson_id = $1", 1
};

int
course_db_lesson_lock_delete(struct db *db, int64_t lesson_id, bool *found, int64_t *completions)
{
	char lid[DB_INT_LEN];
	const char *params[] = { db_int_param(lid, lesson_id) };
	int64_t id;

	*found = false;
	*completions = 0;
	if ((id = db_query_int(db, &course_lesson_lock_delete, params)) <= 0)
		return id < 0 ? -1 : 0;
	*found = true;
	if ((*completions = db_query_int(db, &course_lesson_completions, params)) < 0)
		return -1;
	return 0;
}

static const struct db_stmt course_lesson_delete = {
	"course_lesson_delete", "DELETE FROM lessons WHERE id = $1 AND module_id = $2", 2
};

int
course_db_lesson_delete(struct db *db, int64_t module_id, int64_t lesson_id)
{
	bool found;

	return course_db_delete_renumber(db, &course_lesson_delete, &course_lessons_renumber,
					 module_id, lesson_id, &found);
}

static const struct db_stmt course_revisions = {
	"course_revisions",
	"SELECT r.id, r.title, coalesce(u.name, ''), "
	"       to_char(r.saved_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY HH24:MI') "
	"FROM lesson_revisions r LEFT JOIN users u ON u.id = r.saved_by "
	"WHERE r.lesson_id = $1 ORDER BY r.id DESC LIMIT 100", 1
};

int
course_db_revisions(struct db *db, struct arena *a, int64_t lesson_id,
		    struct course_revision **out, int *count)
{
	char lid[DB_INT_LEN];
	const char *params[] = { db_int_param(lid, lesson_id) };
	struct db_res *res;

	*out = NULL;
	*count = 0;
	if ((res = db_query(db, a, &course_revisions, params)) == NULL)
		return -1;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int r = 0; r < res->nrows; r++) {
		struct course_revision *v = &(*out)[r];
		v->id = db_get_int(res, r, 0);
		v->title = db_get(res, r, 1);
		v->saved_by = db_get(res, r, 2);
		v->saved_at = db_get(res, r, 3);
	}
	*count = res->nrows;
	return 0;
}

static const struct db_stmt course_revision = {
	"course_revision",
	"SELECT r.id, r.title, r.body_md, coalesce(u.name, ''), "
	"       to_char(r.saved_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY HH24:MI') "
	"FROM lesson_revisions r LEFT JOIN users u ON u.id = r.saved_by "
	"WHERE r.id = $2 AND r.lesson_id = $1", 2
};

int
course_db_revision(struct db *db, struct arena *a, int64_t lesson_id, int64_t rev_id,
		   struct course_revision *out, bool *found)
{
	char lid[DB_INT_LEN], rid[DB_INT_LEN];
	const char *params[] = { db_int_param(lid, lesson_id), db_int_param(rid, rev_id) };
	struct db_res *res;

	memset(out, 0, sizeof(*out));
	*found = false;
	if ((res = db_query(db, a, &course_revision, params)) == NULL)
		return -1;
	if (res->nrows == 0)
		return 0;
	out->id = db_get_int(res, 0, 0);
	out->title = db_get(res, 0, 1);
	out->body_md = db_get(res, 0, 2);
	out->saved_by = db_get(res, 0, 3);
	out->saved_at = db_get(res, 0, 4);
	*found = true;
	return 0;
}
