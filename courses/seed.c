/*
 * seed.c - the demo course from courses/demo/ (see seed.h).
 */
#include "compat.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "cohort_db.h"
#include "enrol_db.h"
#include "feedback.h"
#include "course_db.h"
#include "db.h"
#include "log.h"
#include "md.h"
#include "quiz_db.h"
#include "certificate_db.h"
#include "grade.h"
#include "json.h"
#include "seed.h"
#include "valid.h"
#include "video.h"

#define SEED_FILE_MAX ((size_t)256 << 10)

/* A file split into lines (CR stripped), all in the arena. */
struct seed_file {
	const char *path;
	char **lines;
	int nlines;
};

static int
seed_read(struct arena *a, const char *path, struct seed_file *f)
{
	struct buf b;
	char *text, *p;
	int n = 1;

	f->path = arena_strdup(a, path);
	buf_init(&b, SEED_FILE_MAX);
	if (buf_read_file(&b, path) == -1) {
		log_warn("seed: \"%s\"", path);
		buf_release(&b);
		return -1;
	}
	if (!valid_utf8(b.data, b.len)) {
		log_warnx("seed: \"%s\": not UTF-8 text", path);
		buf_release(&b);
		return -1;
	}
	text = arena_strndup(a, b.data, b.len);
	buf_release(&b);
	for (p = text; *p; p++)
		n += *p == '\n';
	f->lines = arena_calloc(a, (size_t)n, sizeof(*f->lines));
	f->nlines = 0;
	while ((p = strsep(&text, "\n")) != NULL) {
		size_t len = strlen(p);
		if (len > 0 && p[len - 1] == '\r')
			p[len - 1] = '\0';
		f->lines[f->nlines++] = p;
	}
	/* A final newline leaves one empty line: drop it. */
	while (f->nlines > 0 && f->lines[f->nlines - 1][0] == '\0')
		f->nlines--;
	return 0;
}

/* The title of "# Title" on line 0, or NULL (logged). */
static const char *
seed_title(const struct seed_file *f)
{
	if (f->nlines == 0 || strncmp(f->lines[0], "# ", 2) != 0 || f->lines[0][2] == '\0') {
		log_warnx("%s:1: the first line must be \"# Title\"", f->path);
		return NULL;
	}
	return f->lines[0] + 2;
}

/* The value after "Key: " if line starts with it, else NULL. */
static const char *
seed_key(const char *line, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(line, key, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1;
	return line + strspn(line, " \t");
}

/* "25 minuti", "1 ora", "6 ore", "2 ore e 30 minuti": minutes, or -1. */
static int
seed_duration(const char *s)
{
	int total = 0;

	while (*s != '\0') {
		char *end;
		long v = strtol(s, &end, 10);
		if (end == s || v < 0 || v > 10000)
			return -1;
		s = end + strspn(end, " ");
		if (strncmp(s, "minut", 5) == 0)
			total += (int)v;
		else if (strncmp(s, "or", 2) == 0)
			total += (int)v * 60;
		else
			return -1;
		s += strcspn(s, " ");
		s += strspn(s, " ");
		if (strncmp(s, "e ", 2) == 0)
			s += 2;
	}
	return total;
}

/* Lines from..nlines joined: paragraphs kept apart by one blank line, edges trimmed. */
static const char *
seed_join(struct arena *a, const struct seed_file *f, int from, bool (*skip)(const char *))
{
	struct buf b;
	const char *out;
	bool blank = false;

	buf_init(&b, SEED_FILE_MAX);
	for (int i = from; i < f->nlines; i++) {
		const char *l = f->lines[i];
		if (skip != NULL && skip(l))
			continue;
		if (l[0] == '\0') {
			blank = b.len > 0;
			continue;
		}
		if (blank)
			buf_adds(&b, "\n\n");
		else if (b.len > 0)
			buf_addch(&b, '\n');
		blank = false;
		buf_adds(&b, l);
	}
	out = arena_strndup(a, b.data, b.len);
	buf_release(&b);
	return out;
}

static bool
seed_course_field(const char *line)
{
	return seed_key(line, "Destinatari") || seed_key(line, "Durata") || seed_key(line, "Slug");
}

/* "SIGeSS: uso della piattaforma" -> "sigess-uso-della-piattaforma" (ASCII letters and digits). */
static const char *
seed_slug(struct arena *a, const char *title)
{
	char *out = arena_alloc(a, strlen(title) + 1), *p = out;

	for (const char *s = title; *s; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			*p++ = c;
		else if (p > out && p[-1] != '-')
			*p++ = '-';
	}
	while (p > out && p[-1] == '-')
		p--;
	*p = '\0';
	return out;
}

/* Names in dir, sorted, that are directories (dirs) or "*.md" files other than module.md. */
static int
seed_list(struct arena *a, const char *dir, bool dirs, char ***out, int *count)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);

	*count = 0;
	if (n < 0) {
		log_warn("seed: \"%s\"", dir);
		return -1;
	}
	*out = arena_calloc(a, (size_t)n + 1, sizeof(**out));
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t len = strlen(name);
		char *path = arena_printf(a, "%s/%s", dir, name);
		struct stat st;

		if (name[0] != '.' && stat(path, &st) == 0 &&
		    (dirs ? S_ISDIR(st.st_mode)
			  : S_ISREG(st.st_mode) && len > 3 && strcmp(name + len - 3, ".md") == 0 &&
			    strcmp(name, "module.md") != 0))
			(*out)[(*count)++] = path;
		free(ents[i]);
	}
	free(ents);
	return 0;
}

/* Parses a lesson file and stores it (and its videos) under module_id at position. */
static int
seed_lesson(struct db *db, struct arena *a, const char *path, int64_t module_id, int position,
	    int *minutes)
{
	struct seed_file f;
	struct buf html;
	const char *title, *body;
	int64_t lesson_id;
	int duration = 0, i, nvideos = 0, rc = -1;

	if (seed_read(a, path, &f) == -1 || (title = seed_title(&f)) == NULL)
		return -1;
	/* Header lines up to the first blank line. */
	for (i = 1; i < f.nlines && f.lines[i][0] != '\0'; i++) {
		const char *v;
		if ((v = seed_key(f.lines[i], "Durata")) != NULL) {
			if ((duration = seed_duration(v)) < 0) {
				log_warnx("%s:%d: duration not understood: \"%s\"", path, i + 1, v);
				return -1;
			}
		} else if (seed_key(f.lines[i], "Video") == NULL) {
			log_warnx("%s:%d: expected \"Durata:\" or \"Video:\"", path, i + 1);
			return -1;
		}
	}
	body = seed_join(a, &f, i, NULL);
	buf_init(&html, 0);
	if (md_render(body, strlen(body), &html) == -1) {
		log_warnx("%s: cannot render the lesson", path);
		goto out;
	}
	lesson_id = course_db_lesson_create(db, module_id, position, title, body, html.data, duration,
					    true);
	if (lesson_id < 0)
		goto out;
	for (i = 1; i < f.nlines && f.lines[i][0] != '\0'; i++) {
		const char *v = seed_key(f.lines[i], "Video");
		char *spec, *vtitle, *url, *mins;
		struct video_info info;
		int vmin;

		if (v == NULL)
			continue;
		spec = arena_strdup(a, v);
		vtitle = strsep(&spec, "|");
		url = strsep(&spec, "|");
		mins = spec;
		if (url == NULL || mins == NULL || strchr(mins, '|') != NULL) {
			log_warnx("%s:%d: expected \"Video: title | url | minutes\"", path, i + 1);
			goto out;
		}
		/* Trim the spaces around each part. */
		while (*vtitle == ' ')
			vtitle++;
		for (size_t n = strlen(vtitle); n > 0 && vtitle[n - 1] == ' '; n--)
			vtitle[n - 1] = '\0';
		url += strspn(url, " ");
		url[strcspn(url, " ")] = '\0';
		vmin = (int)strtol(mins, NULL, 10);
		if (video_classify(url, &info) == -1 || vtitle[0] == '\0' || vmin < 0) {
			log_warnx("%s:%d: video not usable: \"%s\"", path, i + 1, url);
			goto out;
		}
		if (course_db_video_create(db, lesson_id, ++nvideos, vtitle, url, video_kind_name(info.kind),
					   info.embed_url[0] ? info.embed_url : NULL, vmin) < 0)
			goto out;
	}
	*minutes += duration;
	rc = 0;
out:
	buf_release(&html);
	return rc;
}

/* md_render() of text, in the arena; NULL (logged) if it fails. */
static const char *
seed_md(struct arena *a, const char *text)
{
	struct buf html;
	const char *out = NULL;

	buf_init(&html, 0);
	if (md_render(text, strlen(text), &html) == 0)
		out = arena_strdup(a, html.data);
	buf_release(&html);
	return out;
}

/* The string member key of obj, or NULL (logged against path). */
static const char *
seed_json_str(const char *path, const struct json_value *obj, const char *key)
{
	const struct json_value *v = json_get(obj, key);

	if (v == NULL || v->type != JSON_STRING) {
		log_warnx("%s: \"%s\" must be a string", path, key);
		return NULL;
	}
	return v->str;
}

/* The integer member key of obj in [min, max], or -1 (logged against path). */
static long long
seed_json_int(const char *path, const struct json_value *obj, const char *key, long long min,
	      long long max)
{
	long long n;

	if (json_get_int(json_get(obj, key), &n) == -1 || n < min || n > max) {
		log_warnx("%s: \"%s\" must be an integer from %lld to %lld", path, key, min, max);
		return -1;
	}
	return n;
}

/* Stores one question of a demo bank (see courses/demo/.../quiz.json) under module_id. */
static int
seed_question(struct db *db, struct arena *a, const char *path, int64_t module_id,
	      const struct json_value *q)
{
	const char *category = seed_json_str(path, q, "category"), *kind_name = seed_json_str(path, q, "kind"),
		   *text = seed_json_str(path, q, "text"), *feedback = seed_json_str(path, q, "feedback"),
		   *text_html, *feedback_html, *err = NULL;
	long long points = seed_json_int(path, q, "points", 1, 100);
	struct grade_question key;
	enum grade_kind kind;
	struct json_writer w;
	struct buf spec;
	int64_t category_id;
	int rc = -1;

	if (category == NULL || kind_name == NULL || text == NULL || feedback == NULL || points < 0)
		return -1;
	if (grade_kind_parse(kind_name, &kind) == -1 ||
	    grade_question_parse(a, kind, json_get(q, "spec"), &key, &err) == -1) {
		log_warnx("%s: question \"%.40s\": %s", path, text, err ? err : "unknown kind");
		return -1;
	}
	if ((text_html = seed_md(a, text)) == NULL || (feedback_html = seed_md(a, feedback)) == NULL)
		return -1;
	buf_init(&spec, 0);
	json_writer_init(&w, &spec);
	grade_question_json(&w, NULL, &key);
	if ((category_id = quiz_db_category(db, module_id, category)) > 0 &&
	    quiz_db_question_create(db, category_id, kind, text, text_html, feedback, feedback_html,
				    (int)points, spec.data) > 0)
		rc = 0;
	buf_release(&spec);
	return rc;
}

/*
 * The module's final test from dir/quiz.json, if there is one: its bank,
 * its settings and its draws per category.  Published, reviewable at once.
 */
static int
seed_quiz(struct db *db, struct arena *a, const char *dir, int64_t module_id)
{
	const char *path = arena_printf(a, "%s/quiz.json", dir), *err = NULL;
	const struct json_value *root, *questions, *draws;
	struct quiz_settings s;
	struct stat st;
	struct buf b;
	long long limit;
	int64_t quiz_id;
	int rc = -1;

	if (stat(path, &st) == -1 && errno == ENOENT)
		return 0;
	buf_init(&b, SEED_FILE_MAX);
	if (buf_read_file(&b, path) == -1) {
		log_warn("seed: \"%s\"", path);
		goto out;
	}
	if ((root = json_parse(a, b.data, b.len, &err)) == NULL) {
		log_warnx("%s: %s", path, err);
		goto out;
	}
	questions = json_get(root, "questions");
	draws = json_get(root, "draw");
	if (questions == NULL || questions->type != JSON_ARRAY || draws == NULL || draws->type != JSON_ARRAY) {
		log_warnx("%s: \"questions\" and \"draw\" must be arrays", path);
		goto out;
	}
	for (const struct json_value *q = questions->child; q != NULL; q = q->next)
		if (seed_question(db, a, path, module_id, q) == -1)
			goto out;
	memset(&s, 0, sizeof(s));
	if ((s.title = seed_json_str(path, root, "title")) == NULL ||
	    (s.pass_percent = (int)seed_json_int(path, root, "pass_percent", 0, 100)) < 0 ||
	    (s.attempts_allowed = (int)seed_json_int(path, root, "attempts_allowed", 0, 100)) < 0 ||
	    (limit = seed_json_int(path, root, "time_limit_minutes", 0, 10080)) < 0)
		goto out;
	s.intro_md = s.intro_html = "";
	s.time_limit_seconds = (int)limit * 60;
	s.grading = GRADE_HIGHEST;
	s.shuffle_questions = s.shuffle_choices = true;
	s.review[QUIZ_REVIEW_ANSWERS] = s.review[QUIZ_REVIEW_CORRECTNESS] =
		s.review[QUIZ_REVIEW_FEEDBACK] = s.review[QUIZ_REVIEW_RIGHT_ANSWERS] = QUIZ_REVIEW_IMMEDIATELY;
	s.published = true;
	if ((quiz_id = quiz_db_create(db, module_id, 0, &s)) < 0)
		goto out;
	for (const struct json_value *d = draws->child; d != NULL; d = d->next) {
		const char *name = seed_json_str(path, d, "category");
		long long count = seed_json_int(path, d, "count", 1, 100);
		int64_t category_id;

		if (name == NULL || count < 0 || (category_id = quiz_db_category(db, module_id, name)) < 0 ||
		    quiz_db_draw_category(db, quiz_id, category_id, (int)count) == -1)
			goto out;
	}
	rc = 0;
out:
	buf_release(&b);
	return rc;
}

/* Stores one module folder (module.md and its lessons) at position. */
static int
seed_module(struct db *db, struct arena *a, const char *dir, int64_t course_id, int position,
	    int *minutes, int64_t *module_out)
{
	struct seed_file f;
	const char *title;
	char **lessons;
	int64_t module_id;
	int n;

	if (seed_read(a, arena_printf(a, "%s/module.md", dir), &f) == -1 ||
	    (title = seed_title(&f)) == NULL)
		return -1;
	if ((module_id = course_db_module_create(db, course_id, position, title,
						 seed_join(a, &f, 1, NULL))) < 0)
		return -1;
	*module_out = module_id;
	if (seed_list(a, dir, false, &lessons, &n) == -1)
		return -1;
	for (int i = 0; i < n; i++)
		if (seed_lesson(db, a, lessons[i], module_id, i + 1, minutes) == -1)
			return -1;
	return seed_quiz(db, a, dir, module_id);
}

/*
 * The demo's two levels: "Base" when every final test is passed, and
 * "Autonomo" through a verification test that opens 90 days later and
 * draws one practical case and one procedure from each module; Autonomo
 * lasts two years.
 */
static int
seed_certification(struct db *db, int64_t course_id, const int64_t *modules, int nmodules)
{
	struct quiz_settings s = {
		.title = "Verifica del livello Autonomo",
		.intro_md = "",
		.intro_html = "",
		.pass_percent = 70,
		.time_limit_seconds = 30 * 60,
		.attempts_allowed = 2,
		.min_delay_seconds = 24 * 3600,
		.grading = GRADE_HIGHEST,
		.shuffle_questions = true,
		.shuffle_choices = true,
		.review = { QUIZ_REVIEW_IMMEDIATELY, QUIZ_REVIEW_IMMEDIATELY, QUIZ_REVIEW_IMMEDIATELY,
			    QUIZ_REVIEW_AFTER_CLOSE },
		.published = true,
	};
	static const char *const drawn[] = { "Casi pratici", "Procedure" };
	int64_t level, quiz;

	if (certificate_db_level_create(db, course_id, "Base", "final_tests", 0, 0) < 0 ||
	    (level = certificate_db_level_create(db, course_id, "Autonomo", "verification", 90, 730)) < 0 ||
	    (quiz = quiz_db_create(db, 0, level, &s)) < 0)
		return -1;
	for (int i = 0; i < nmodules; i++)
		for (size_t j = 0; j < ARRAY_SIZE(drawn); j++) {
			int64_t category = quiz_db_category(db, modules[i], drawn[j]);

			if (category < 0 || quiz_db_draw_category(db, quiz, category, 1) == -1)
				return -1;
		}
	return 0;
}

#define SEED_COHORT "Classe pilota – Roma Capitale"
#define SEED_PLACE "Sala formazione, Via Merulana 123, Roma"
#define SEED_MEETING "https://videoconferenza.example.org/sigess/classe-pilota"
/* The accounts portal/seed.c creates; their domain is fixed there too. */
static const char *const seed_members[] = {
	"operatore@demo.sigess.example", "referente@demo.sigess.example",
};

/* "YYYY-MM-DD" of the Monday after today (UTC) plus weeks weeks, in the arena. */
static const char *
seed_monday(struct arena *a, int weeks)
{
	time_t now = time(NULL), t;
	struct tm tm;
	char day[16];
	int ahead;

	gmtime_r(&now, &tm);
	ahead = (8 - tm.tm_wday) % 7;
	if (ahead == 0)
		ahead = 7;
	t = now + (time_t)(ahead + 7 * weeks) * 86400;
	gmtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	return arena_strdup(a, day);
}

/*
 * The demo cohort of course_id: the demo operatore (done with the first
 * module) and referente, enrolled through the cohort, one live
 * session per module, weekly from next Monday at 10:00 (Rome) for two
 * hours, in the training room or online in turn.  Idempotent: nothing
 * happens when the cohort exists.  Its own transaction.
 */
static int
seed_cohort(struct db *db, struct arena *a, int64_t course_id)
{
	struct course *c;
	int64_t id, uid;
	int n, rc = -1;

	if ((id = cohort_db_find(db, course_id, SEED_COHORT)) != 0)
		return id < 0 ? -1 : 0;
	if (course_db_outlines(db, a, course_id, 0, true, &c, &n) == -1 || n == 0)
		return -1;
	if (db_begin(db) == -1 ||
	    (id = cohort_db_create(db, course_id, SEED_COHORT, seed_monday(a, 0), 0)) <= 0)
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(seed_members); i++) {
		if ((uid = enrol_db_user_by_email(db, seed_members[i])) < 0)
			goto out;
		if (uid == 0)
			log_warnx("seed: no account \"%s\" for the demo cohort", seed_members[i]);
		else if (cohort_db_add_member(db, id, uid) == -1)
			goto out;
		/* The first member has finished the first module, so that the
		 * progress pages have something to show. */
		for (int j = 0; uid > 0 && i == 0 && c->nmodules > 0 && j < c->modules[0].nlessons; j++)
			if (course_db_complete(db, uid, c->modules[0].lessons[j].id) == -1)
				goto out;
	}
	for (int i = 0; i < c->nmodules; i++) {
		bool room = i % 2 == 0;
		if (cohort_db_session_add(db, id, c->modules[i].id, true,
					  arena_printf(a, "%s 10:00", seed_monday(a, i)), 120,
					  room ? SEED_PLACE : "", room ? NULL : SEED_MEETING, NULL) <= 0)
			goto out;
	}
	if (db_commit(db) == -1)
		goto out;
	log_info("seed: demo cohort \"%s\" created", SEED_COHORT);
	rc = 0;
out:
	db_rollback(db);
	return rc;
}

int
courses_seed_demo(struct db *db, const char *root)
{
	struct arena *a = arena_new();
	const char *dir = arena_printf(a, "%s/courses/demo", root), *title, *slug = NULL,
		   *audience = "";
	struct seed_file f;
	struct stat st;
	char **modules;
	int64_t course_id, found, *module_ids;
	int duration = -1, minutes = 0, n, rc = -1;

	if (stat(arena_printf(a, "%s/course.md", dir), &st) == -1 && errno == ENOENT) {
		log_info("seed: no demo course in \"%s\"", dir);
		rc = 0;
		goto out;
	}
	if (seed_read(a, arena_printf(a, "%s/course.md", dir), &f) == -1 ||
	    (title = seed_title(&f)) == NULL)
		goto out;
	for (int i = 1; i < f.nlines; i++) {
		const char *v;
		if ((v = seed_key(f.lines[i], "Destinatari")) != NULL)
			audience = v;
		else if ((v = seed_key(f.lines[i], "Slug")) != NULL)
			slug = v;
		else if ((v = seed_key(f.lines[i], "Durata")) != NULL &&
			 (duration = seed_duration(v)) < 0) {
			log_warnx("%s:%d: duration not understood: \"%s\"", f.path, i + 1, v);
			goto out;
		}
	}
	if (slug == NULL)
		slug = seed_slug(a, title);
	if ((found = course_db_find_slug(db, slug)) < 0)
		goto out;
	if (found > 0) {
		/* Seeded before; the cohort and the feedback form may be newer than the course. */
		rc = seed_cohort(db, a, found) == 0 && feedback_seed_demo(db, found) == 0 ? 0 : -1;
		goto out;
	}
	if (db_begin(db) == -1)
		goto out;
	course_id = course_db_create(db, title, slug, seed_join(a, &f, 1, seed_course_field), audience,
				     duration > 0 ? duration : 0, true, 0);
	if (course_id < 0 || seed_list(a, dir, true, &modules, &n) == -1)
		goto out;
	module_ids = arena_calloc(a, (size_t)n + 1, sizeof(*module_ids));
	for (int i = 0; i < n; i++)
		if (seed_module(db, a, modules[i], course_id, i + 1, &minutes, &module_ids[i]) == -1)
			goto out;
	if (seed_certification(db, course_id, module_ids, n) == -1)
		goto out;
	/* Without a stated duration, the course lasts as long as its lessons. */
	if (duration < 0 && course_db_set_duration(db, course_id, minutes) == -1)
		goto out;
	if (db_commit(db) == -1)
		goto out;
	log_info("seed: demo course \"%s\" created", title);
	rc = seed_cohort(db, a, course_id) == 0 && feedback_seed_demo(db, course_id) == 0 ? 0 : -1;
out:
	db_rollback(db);
	arena_free(a);
	return rc;
}
