/*
 * feedback.c - feedback forms: template definitions, the referents' form,
 * rounds and their mail, the JSON API (see feedback.h).
 *
 * The form works without JavaScript.  HTML forms cannot give a field a
 * name the route table does not know, so the form's fields are numbered
 * slots: slot i carries "o<i>" (hidden: the answer's key, a space, and
 * the JSON value the page showed) and "a<i>" (what the referent chose or
 * typed).  The server writes an answer only when what was sent differs
 * from what was shown, so two referents saving the same form at once
 * never undo each other's other answers: last write per answer wins.
 * With JavaScript (assets/js/feedback.js) each change is saved at once
 * through the API, and the hidden value follows.
 */
#include "compat.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account_db.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "feedback.h"
#include "feedback_db.h"
#include "json.h"
#include "log.h"
#include "mail.h"
#include "org_db.h"
#include "progress_db.h"
#include "request.h"
#include "response.h"
#include "role.h"
#include "router.h"
#include "tmpl.h"
#include "valid.h"

#define FEEDBACK_COORD (ROLE_COORDINAMENTO | ROLE_ADMIN)
#define FEEDBACK_USERS (ROLE_REFERENTE | FEEDBACK_COORD)
#define FEEDBACK_READERS (FEEDBACK_COORD | ROLE_FORMATORE)

/* Slots of the HTML form: two fields each, within max_fields (100) for
 * the usual form; a longer one needs JavaScript or a larger max_fields. */
#define FEEDBACK_FORM_SLOTS 48
#define FEEDBACK_ORIG_MAX 30000		/* code points of "key json" (escapes included) */
#define FEEDBACK_VALUE_MAX 20000	/* what the form field takes; the kind bounds it */
#define FEEDBACK_DEF_MAX 200000		/* code points of a definition */
#define FEEDBACK_ROUND_ORGS_MAX 200
#define FEEDBACK_NUMBER_LIMIT 1000000000LL

static const struct config *feedback_cfg;

static const char *const feedback_kind_names[] = {
	"likert", "single", "multiple", "number", "short_text", "long_text", "module_grid", NULL
};

const char *
feedback_kind_name(enum feedback_kind kind)
{
	return feedback_kind_names[kind];
}

/* ---- definitions ---- */

static bool
feedback_key_ok(const char *s, size_t len)
{
	if (len == 0 || len > FEEDBACK_KEY_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* True if every member of obj is one of the NULL-terminated names; else *bad names it. */
static bool
feedback_members_ok(const struct json_value *obj, const char *const *names, const char **bad)
{
	for (const struct json_value *m = obj->child; m != NULL; m = m->next) {
		bool known = false;
		for (size_t i = 0; names[i] != NULL && !known; i++)
			known = strcmp(m->key, names[i]) == 0;
		if (!known) {
			*bad = m->key;
			return false;
		}
	}
	return true;
}

/*
 * The text of string member name of obj, between min and max code points,
 * one line unless multiline; NULL (with *err) if it is not.  An absent
 * member is "" when min is 0.
 */
static const char *
feedback_def_text(struct arena *a, const struct json_value *obj, const char *name, size_t min,
		  size_t max, bool multiline, const char *where, const char **err)
{
	const struct json_value *v = json_get(obj, name);
	size_t n;

	if (v == NULL && min == 0)
		return "";
	if (v == NULL || v->type != JSON_STRING) {
		*err = arena_printf(a, "%s: «%s» deve essere un testo.", where, name);
		return NULL;
	}
	n = valid_utf8_length(v->str, v->len);
	if (!valid_utf8(v->str, v->len) || (!multiline && strpbrk(v->str, "\t\r\n") != NULL)) {
		*err = arena_printf(a, "%s: «%s» contiene caratteri non ammessi.", where, name);
		return NULL;
	}
	if (n < min || n > max) {
		*err = min > 0 ? arena_printf(a, "%s: «%s» deve avere da %zu a %zu caratteri.", where, name,
					      min, max) :
		       arena_printf(a, "%s: «%s» può avere al massimo %zu caratteri.", where, name, max);
		return NULL;
	}
	return v->str;
}

/* The 5 labels of a likert scale into labels; -1 with *err. */
static int
feedback_def_labels(struct arena *a, const struct json_value *obj, const char **labels,
		    const char *where, const char **err)
{
	const struct json_value *v = json_get(obj, "labels");
	int i = 0;

	if (v == NULL || v->type != JSON_ARRAY || v->count != FEEDBACK_LIKERT) {
		*err = arena_printf(a, "%s: una scala da 1 a 5 vuole «labels» con 5 etichette.", where);
		return -1;
	}
	for (const struct json_value *e = v->child; e != NULL; e = e->next, i++) {
		size_t n = e->type == JSON_STRING ? valid_utf8_length(e->str, e->len) : 0;
		if (e->type != JSON_STRING || !valid_utf8(e->str, e->len) || n < 1 || n > 60 ||
		    strpbrk(e->str, "\t\r\n") != NULL) {
			*err = arena_printf(a, "%s: l'etichetta %d deve essere un testo di 1-60 caratteri.",
					    where, i + 1);
			return -1;
		}
		labels[i] = e->str;
	}
	return 0;
}

static int
feedback_kind_parse(const struct json_value *v, enum feedback_kind *out)
{
	if (v == NULL || v->type != JSON_STRING)
		return -1;
	for (int i = 0; feedback_kind_names[i] != NULL; i++)
		if (strcmp(v->str, feedback_kind_names[i]) == 0) {
			*out = (enum feedback_kind)i;
			return 0;
		}
	return -1;
}

static int
feedback_def_columns(struct arena *a, const struct json_value *qv, struct feedback_question *q,
		     const char *where, const char **err)
{
	static const char *const names[] = { "key", "kind", "text", "labels", NULL };
	const struct json_value *v = json_get(qv, "columns");
	const char *bad;
	int i = 0;

	if (v == NULL || v->type != JSON_ARRAY || v->count < 1 || v->count > FEEDBACK_COLUMNS_MAX) {
		*err = arena_printf(a, "%s: una griglia per modulo vuole «columns» con 1-%d colonne.", where,
				    FEEDBACK_COLUMNS_MAX);
		return -1;
	}
	q->columns = arena_calloc(a, v->count, sizeof(*q->columns));
	for (const struct json_value *cv = v->child; cv != NULL; cv = cv->next, i++) {
		struct feedback_column *c = &q->columns[i];
		const char *cw = arena_printf(a, "%s, colonna %d", where, i + 1);
		const struct json_value *key;

		if (cv->type != JSON_OBJECT) {
			*err = arena_printf(a, "%s: deve essere un oggetto.", cw);
			return -1;
		}
		if (!feedback_members_ok(cv, names, &bad)) {
			*err = arena_printf(a, "%s: «%s» non è un campo previsto.", cw, bad);
			return -1;
		}
		key = json_get(cv, "key");
		if (key == NULL || key->type != JSON_STRING || !feedback_key_ok(key->str, key->len)) {
			*err = arena_printf(a, "%s: «key» deve essere di 1-%d caratteri tra a-z, 0-9 e _.", cw,
					    FEEDBACK_KEY_MAX);
			return -1;
		}
		c->key = key->str;
		for (int j = 0; j < i; j++)
			if (strcmp(q->columns[j].key, c->key) == 0) {
				*err = arena_printf(a, "%s: la chiave «%s» è ripetuta.", cw, c->key);
				return -1;
			}
		if (feedback_kind_parse(json_get(cv, "kind"), &c->kind) == -1 ||
		    (c->kind != FEEDBACK_LIKERT_Q && c->kind != FEEDBACK_SHORT_TEXT &&
		     c->kind != FEEDBACK_LONG_TEXT)) {
			*err = arena_printf(a, "%s: «kind» deve essere likert, short_text o long_text.", cw);
			return -1;
		}
		if ((c->text = feedback_def_text(a, cv, "text", 1, 200, false, cw, err)) == NULL)
			return -1;
		if (c->kind == FEEDBACK_LIKERT_Q) {
			if (feedback_def_labels(a, cv, c->labels, cw, err) == -1)
				return -1;
		} else if (json_get(cv, "labels") != NULL) {
			*err = arena_printf(a, "%s: «labels» vale solo per le scale.", cw);
			return -1;
		}
	}
	q->ncolumns = i;
	return 0;
}

static int
feedback_def_options(struct arena *a, const struct json_value *qv, struct feedback_question *q,
		     const char *where, const char **err)
{
	const struct json_value *v = json_get(qv, "options");
	int i = 0;

	if (v == NULL || v->type != JSON_ARRAY || v->count < 1 || v->count > FEEDBACK_OPTIONS_MAX) {
		*err = arena_printf(a, "%s: una scelta vuole «options» con 1-%d opzioni.", where,
				    FEEDBACK_OPTIONS_MAX);
		return -1;
	}
	q->options = arena_calloc(a, v->count, sizeof(*q->options));
	for (const struct json_value *e = v->child; e != NULL; e = e->next, i++) {
		size_t n = e->type == JSON_STRING ? valid_utf8_length(e->str, e->len) : 0;
		if (e->type != JSON_STRING || !valid_utf8(e->str, e->len) || n < 1 || n > 200 ||
		    strpbrk(e->str, "\t\r\n") != NULL) {
			*err = arena_printf(a, "%s: l'opzione %d deve essere un testo di 1-200 caratteri.",
					    where, i + 1);
			return -1;
		}
		for (int j = 0; j < i; j++)
			if (strcmp(q->options[j], e->str) == 0) {
				*err = arena_printf(a, "%s: l'opzione «%s» è ripetuta.", where, e->str);
				return -1;
			}
		q->options[i] = e->str;
	}
	q->noptions = i;
	return 0;
}

static int
feedback_def_number(struct arena *a, const struct json_value *qv, struct feedback_question *q,
		    const char *where, const char **err)
{
	const struct json_value *mn = json_get(qv, "min"), *mx = json_get(qv, "max");

	q->min = 0;
	q->max = 1000000;
	if ((mn != NULL && json_get_int(mn, &q->min) == -1) ||
	    (mx != NULL && json_get_int(mx, &q->max) == -1) ||
	    q->min < -FEEDBACK_NUMBER_LIMIT || q->max > FEEDBACK_NUMBER_LIMIT || q->min > q->max) {
		*err = arena_printf(a, "%s: «min» e «max» devono essere interi (tra -%lld e %lld) con min "
				    "non maggiore di max.", where, FEEDBACK_NUMBER_LIMIT, FEEDBACK_NUMBER_LIMIT);
		return -1;
	}
	return 0;
}

/* The members each kind allows, beside the common ones. */
static const char *const *
feedback_kind_members(enum feedback_kind kind)
{
	static const char *const likert[] = { "key", "kind", "text", "help", "required", "labels", NULL };
	static const char *const choice[] = { "key", "kind", "text", "help", "required", "options", NULL };
	static const char *const number[] = { "key", "kind", "text", "help", "required", "min", "max", NULL };
	static const char *const text[] = { "key", "kind", "text", "help", "required", NULL };
	static const char *const grid[] = { "key", "kind", "text", "help", "required", "columns", NULL };

	switch (kind) {
	case FEEDBACK_LIKERT_Q:
		return likert;
	case FEEDBACK_SINGLE:
	case FEEDBACK_MULTIPLE:
		return choice;
	case FEEDBACK_NUMBER:
		return number;
	case FEEDBACK_MODULE_GRID:
		return grid;
	default:
		return text;
	}
}

static int
feedback_def_question_parse(struct arena *a, const struct json_value *qv, struct feedback_question *q,
		      const char *where, const char **err)
{
	const struct json_value *key, *req;
	const char *bad;

	if (qv->type != JSON_OBJECT) {
		*err = arena_printf(a, "%s: deve essere un oggetto.", where);
		return -1;
	}
	key = json_get(qv, "key");
	if (key == NULL || key->type != JSON_STRING || !feedback_key_ok(key->str, key->len)) {
		*err = arena_printf(a, "%s: «key» deve essere di 1-%d caratteri tra a-z, 0-9 e _.", where,
				    FEEDBACK_KEY_MAX);
		return -1;
	}
	q->key = key->str;
	if (feedback_kind_parse(json_get(qv, "kind"), &q->kind) == -1) {
		*err = arena_printf(a, "%s: «kind» deve essere likert, single, multiple, number, short_text, "
				    "long_text o module_grid.", where);
		return -1;
	}
	if (!feedback_members_ok(qv, feedback_kind_members(q->kind), &bad)) {
		*err = arena_printf(a, "%s: «%s» non è un campo previsto per il tipo %s.", where, bad,
				    feedback_kind_names[q->kind]);
		return -1;
	}
	if ((q->text = feedback_def_text(a, qv, "text", 1, 1000, true, where, err)) == NULL ||
	    (q->help = feedback_def_text(a, qv, "help", 0, 2000, true, where, err)) == NULL)
		return -1;
	req = json_get(qv, "required");
	if (req != NULL && req->type != JSON_BOOL) {
		*err = arena_printf(a, "%s: «required» deve essere true o false.", where);
		return -1;
	}
	q->required = req != NULL && req->boolean;
	switch (q->kind) {
	case FEEDBACK_LIKERT_Q:
		return feedback_def_labels(a, qv, q->labels, where, err);
	case FEEDBACK_SINGLE:
	case FEEDBACK_MULTIPLE:
		return feedback_def_options(a, qv, q, where, err);
	case FEEDBACK_NUMBER:
		return feedback_def_number(a, qv, q, where, err);
	case FEEDBACK_MODULE_GRID:
		return feedback_def_columns(a, qv, q, where, err);
	default:
		return 0;
	}
}

/* The question called key in the first nsections sections of def (each up to its nquestions), or NULL. */
static const struct feedback_question *
feedback_def_find(const struct feedback_def *def, int nsections, const char *key)
{
	for (int s = 0; s < nsections; s++)
		for (int i = 0; i < def->sections[s].nquestions; i++)
			if (strcmp(def->sections[s].questions[i].key, key) == 0)
				return &def->sections[s].questions[i];
	return NULL;
}

const struct feedback_question *
feedback_def_question(const struct feedback_def *def, const char *key)
{
	return feedback_def_find(def, def->nsections, key);
}

static int
feedback_def_from_json(struct arena *a, const struct json_value *root, struct feedback_def *out,
		       const char **err)
{
	static const char *const root_names[] = { "sections", NULL };
	static const char *const section_names[] = { "title", "questions", NULL };
	const struct json_value *sections;
	const char *bad;
	int s = 0, total = 0;

	memset(out, 0, sizeof(*out));
	if (root == NULL || root->type != JSON_OBJECT) {
		*err = "La definizione deve essere un oggetto JSON con «sections».";
		return -1;
	}
	if (!feedback_members_ok(root, root_names, &bad)) {
		*err = arena_printf(a, "«%s» non è un campo previsto della definizione.", bad);
		return -1;
	}
	sections = json_get(root, "sections");
	if (sections == NULL || sections->type != JSON_ARRAY || sections->count < 1 ||
	    sections->count > FEEDBACK_SECTIONS_MAX) {
		*err = arena_printf(a, "«sections» deve contenere da 1 a %d sezioni.", FEEDBACK_SECTIONS_MAX);
		return -1;
	}
	out->sections = arena_calloc(a, sections->count, sizeof(*out->sections));
	for (const struct json_value *sv = sections->child; sv != NULL; sv = sv->next, s++) {
		struct feedback_section *sec = &out->sections[s];
		const char *where = arena_printf(a, "Sezione %d", s + 1);
		const struct json_value *qs;
		int i = 0;

		if (sv->type != JSON_OBJECT) {
			*err = arena_printf(a, "%s: deve essere un oggetto.", where);
			return -1;
		}
		if (!feedback_members_ok(sv, section_names, &bad)) {
			*err = arena_printf(a, "%s: «%s» non è un campo previsto.", where, bad);
			return -1;
		}
		if ((sec->title = feedback_def_text(a, sv, "title", 1, 200, false, where, err)) == NULL)
			return -1;
		qs = json_get(sv, "questions");
		if (qs == NULL || qs->type != JSON_ARRAY || qs->count < 1 ||
		    total + (int)qs->count > FEEDBACK_QUESTIONS_MAX) {
			*err = arena_printf(a, "%s: «questions» deve contenere almeno una domanda (al massimo "
					    "%d in tutta la scheda).", where, FEEDBACK_QUESTIONS_MAX);
			return -1;
		}
		sec->questions = arena_calloc(a, qs->count, sizeof(*sec->questions));
		for (const struct json_value *qv = qs->child; qv != NULL; qv = qv->next, i++) {
			const char *qw = arena_printf(a, "Sezione %d, domanda %d", s + 1, i + 1);
			if (feedback_def_question_parse(a, qv, &sec->questions[i], qw, err) == -1)
				return -1;
			if (feedback_def_find(out, s + 1, sec->questions[i].key) != NULL) {
				*err = arena_printf(a, "%s: la chiave «%s» è già usata.", qw,
						    sec->questions[i].key);
				return -1;
			}
			sec->nquestions = i + 1;
		}
		total += i;
		out->nsections = s + 1;
	}
	out->nquestions = total;
	return 0;
}

int
feedback_def_parse(struct arena *a, const char *text, size_t len, struct feedback_def *out,
		   const char **err)
{
	const char *perr;
	struct json_value *root;

	memset(out, 0, sizeof(*out));
	if ((root = json_parse(a, text, len, &perr)) == NULL) {
		*err = arena_printf(a, "La definizione non è JSON valido (%s).", perr);
		return -1;
	}
	return feedback_def_from_json(a, root, out, err);
}

static void
feedback_labels_write(struct json_writer *w, const char *const *labels)
{
	json_arr_open(w, "labels");
	for (int i = 0; i < FEEDBACK_LIKERT; i++)
		json_str(w, NULL, labels[i]);
	json_arr_close(w);
}

void
feedback_def_write(struct json_writer *w, const char *key, const struct feedback_def *def)
{
	json_obj_open(w, key);
	json_arr_open(w, "sections");
	for (int s = 0; s < def->nsections; s++) {
		const struct feedback_section *sec = &def->sections[s];

		json_obj_open(w, NULL);
		json_str(w, "title", sec->title);
		json_arr_open(w, "questions");
		for (int i = 0; i < sec->nquestions; i++) {
			const struct feedback_question *q = &sec->questions[i];

			json_obj_open(w, NULL);
			json_str(w, "key", q->key);
			json_str(w, "kind", feedback_kind_names[q->kind]);
			json_str(w, "text", q->text);
			if (q->help[0] != '\0')
				json_str(w, "help", q->help);
			json_bool(w, "required", q->required);
			if (q->kind == FEEDBACK_LIKERT_Q)
				feedback_labels_write(w, q->labels);
			if (q->kind == FEEDBACK_SINGLE || q->kind == FEEDBACK_MULTIPLE) {
				json_arr_open(w, "options");
				for (int j = 0; j < q->noptions; j++)
					json_str(w, NULL, q->options[j]);
				json_arr_close(w);
			}
			if (q->kind == FEEDBACK_NUMBER) {
				json_int(w, "min", q->min);
				json_int(w, "max", q->max);
			}
			if (q->kind == FEEDBACK_MODULE_GRID) {
				json_arr_open(w, "columns");
				for (int j = 0; j < q->ncolumns; j++) {
					json_obj_open(w, NULL);
					json_str(w, "key", q->columns[j].key);
					json_str(w, "kind", feedback_kind_names[q->columns[j].kind]);
					json_str(w, "text", q->columns[j].text);
					if (q->columns[j].kind == FEEDBACK_LIKERT_Q)
						feedback_labels_write(w, q->columns[j].labels);
					json_obj_close(w);
				}
				json_arr_close(w);
			}
			json_obj_close(w);
		}
		json_arr_close(w);
		json_obj_close(w);
	}
	json_arr_close(w);
	json_obj_close(w);
}

/* def as canonical JSON text in a; NULL if it does not fit (cannot happen within the limits). */
static const char *
feedback_def_text_of(struct arena *a, const struct feedback_def *def)
{
	struct json_writer w;
	struct buf b;
	const char *s = NULL;

	buf_init(&b, (size_t)8 << 20);
	json_writer_init(&w, &b);
	feedback_def_write(&w, NULL, def);
	if (!b.err)
		s = arena_strndup(a, b.data, b.len);
	buf_release(&b);
	return s;
}

/* Writes any parsed JSON value (numbers as their literal). */
static void
feedback_json_value(struct json_writer *w, const char *key, const struct json_value *v)
{
	switch (v->type) {
	case JSON_NULL:
		json_null(w, key);
		break;
	case JSON_BOOL:
		json_bool(w, key, v->boolean);
		break;
	case JSON_NUMBER:
		json_raw(w, key, v->str);
		break;
	case JSON_STRING:
		json_strn(w, key, v->str, v->len);
		break;
	case JSON_ARRAY:
		json_arr_open(w, key);
		for (const struct json_value *e = v->child; e != NULL; e = e->next)
			feedback_json_value(w, NULL, e);
		json_arr_close(w);
		break;
	case JSON_OBJECT:
		json_obj_open(w, key);
		for (const struct json_value *e = v->child; e != NULL; e = e->next)
			feedback_json_value(w, e->key, e);
		json_obj_close(w);
		break;
	}
}

/* v as compact JSON text in a. */
static const char *
feedback_json_text(struct arena *a, const struct json_value *v)
{
	struct json_writer w;
	struct buf b;
	const char *s = NULL;

	buf_init(&b, (size_t)1 << 20);
	json_writer_init(&w, &b);
	feedback_json_value(&w, NULL, v);
	if (!b.err)
		s = arena_strndup(a, b.data, b.len);
	buf_release(&b);
	return s;
}

/* Writes v indented by two spaces a level, for the editing textarea. */
static void
feedback_json_pretty(struct buf *b, const struct json_value *v, int depth)
{
	bool obj = v->type == JSON_OBJECT;

	if (v->type != JSON_ARRAY && !obj) {
		struct json_writer w;
		json_writer_init(&w, b);
		feedback_json_value(&w, NULL, v);
		return;
	}
	/* Arrays of plain values stay on one line: labels and options read better so. */
	if (!obj) {
		bool flat = true;
		for (const struct json_value *e = v->child; e != NULL; e = e->next)
			flat = flat && e->type != JSON_ARRAY && e->type != JSON_OBJECT;
		if (flat) {
			buf_addch(b, '[');
			for (const struct json_value *e = v->child; e != NULL; e = e->next) {
				feedback_json_pretty(b, e, depth + 1);
				if (e->next != NULL)
					buf_adds(b, ", ");
			}
			buf_addch(b, ']');
			return;
		}
	}
	buf_addch(b, obj ? '{' : '[');
	for (const struct json_value *e = v->child; e != NULL; e = e->next) {
		buf_printf(b, "\n%*s", (depth + 1) * 2, "");
		if (obj) {
			json_escape(b, e->key, strlen(e->key));
			buf_adds(b, ": ");
		}
		feedback_json_pretty(b, e, depth + 1);
		if (e->next != NULL)
			buf_addch(b, ',');
	}
	buf_printf(b, "\n%*s%c", depth * 2, "", obj ? '}' : ']');
}

/* The stored definition text, indented, in a (the text itself if it does not parse). */
static const char *
feedback_def_pretty(struct arena *a, const char *text)
{
	const struct json_value *v = json_parse(a, text, strlen(text), NULL);
	struct buf b;
	const char *s = text;

	if (v == NULL)
		return text;
	buf_init(&b, (size_t)8 << 20);
	feedback_json_pretty(&b, v, 0);
	if (!b.err)
		s = arena_strndup(a, b.data, b.len);
	buf_release(&b);
	return s;
}

/* ---- answers ---- */

/* Where an answer key points: a question, and for a grid cell its module and column. */
struct feedback_target {
	const struct feedback_question *q;
	int64_t module_id;			/* 0 unless a grid cell */
	const struct feedback_column *column;	/* NULL unless a grid cell */
	enum feedback_kind kind;		/* of the question or column */
};

/* Resolves key against def and the round's modules; -1 with *err. */
static int
feedback_target_of(struct arena *a, const struct feedback_def *def, const int64_t *module_ids,
		   int nmodules, const char *key, struct feedback_target *t, const char **err)
{
	const char *slash = strchr(key, '/'), *qkey = key, *col;
	char *end;
	long long mid;
	bool known = false;

	memset(t, 0, sizeof(*t));
	if (key == NULL) {
		*err = "Manca la chiave della risposta.";
		return -1;
	}
	*err = arena_printf(a, "«%.120s» non è una domanda di questa scheda.", key);
	if (strlen(key) > FEEDBACK_ANSWER_KEY_MAX || !valid_utf8(key, strlen(key)))
		return -1;
	if (slash != NULL)
		qkey = arena_strndup(a, key, (size_t)(slash - key));
	if ((t->q = feedback_def_question(def, qkey)) == NULL)
		return -1;
	if (slash == NULL) {
		if (t->q->kind == FEEDBACK_MODULE_GRID)
			return -1;
		t->kind = t->q->kind;
		return 0;
	}
	if (t->q->kind != FEEDBACK_MODULE_GRID || slash[1] != 'm' || slash[2] < '1' || slash[2] > '9')
		return -1;
	mid = strtoll(slash + 2, &end, 10);
	if (*end != '/' || mid <= 0)
		return -1;
	for (int i = 0; i < nmodules && !known; i++)
		known = module_ids[i] == mid;
	col = end + 1;
	for (int i = 0; i < t->q->ncolumns && known; i++)
		if (strcmp(t->q->columns[i].key, col) == 0)
			t->column = &t->q->columns[i];
	if (!known || t->column == NULL)
		return -1;
	t->module_id = mid;
	t->kind = t->column->kind;
	return 0;
}

/* A checked text answer: "" removes it; *err when too long or not one line. */
static int
feedback_check_text(struct arena *a, const struct json_value *v, size_t max, bool multiline,
		    const char **canonical, const char **err)
{
	size_t n;

	if (v->type != JSON_STRING) {
		*err = "La risposta deve essere un testo.";
		return -1;
	}
	if (!valid_utf8(v->str, v->len) || (!multiline && strpbrk(v->str, "\t\r\n") != NULL)) {
		*err = "Il testo contiene caratteri non ammessi.";
		return -1;
	}
	if ((n = valid_utf8_length(v->str, v->len)) > max) {
		*err = arena_printf(a, "Il testo può avere al massimo %zu caratteri (ne ha %zu).", max, n);
		return -1;
	}
	*canonical = NULL;
	if (v->len > 0)
		*canonical = feedback_json_text(a, v);
	return 0;
}

int
feedback_answer_check(struct arena *a, const struct feedback_def *def, const int64_t *module_ids,
		      int nmodules, const char *key, const struct json_value *value,
		      const char **canonical, const char **err)
{
	struct feedback_target t;
	long long n;

	*canonical = NULL;
	if (feedback_target_of(a, def, module_ids, nmodules, key, &t, err) == -1)
		return -1;
	if (value == NULL || value->type == JSON_NULL)
		return 0;
	switch (t.kind) {
	case FEEDBACK_LIKERT_Q:
		if (json_get_int(value, &n) == -1 || n < 1 || n > FEEDBACK_LIKERT) {
			*err = "Scegli un valore della scala da 1 a 5.";
			return -1;
		}
		*canonical = arena_printf(a, "%lld", n);
		return 0;
	case FEEDBACK_NUMBER:
		if (json_get_int(value, &n) == -1 || n < t.q->min || n > t.q->max) {
			*err = arena_printf(a, "Scrivi un numero intero da %lld a %lld.", t.q->min, t.q->max);
			return -1;
		}
		*canonical = arena_printf(a, "%lld", n);
		return 0;
	case FEEDBACK_SINGLE:
		if (value->type == JSON_STRING && value->len == 0)
			return 0;
		for (int i = 0; value->type == JSON_STRING && i < t.q->noptions; i++)
			if (strcmp(value->str, t.q->options[i]) == 0) {
				*canonical = feedback_json_text(a, value);
				return 0;
			}
		*err = "Scegli una delle opzioni proposte.";
		return -1;
	case FEEDBACK_MULTIPLE: {
		/* Kept in the order of the options, each once. */
		bool *chosen;
		struct buf b;
		size_t count = 0;

		if (value->type != JSON_ARRAY) {
			*err = "La risposta deve essere un elenco di opzioni.";
			return -1;
		}
		chosen = arena_calloc(a, (size_t)t.q->noptions + 1, sizeof(*chosen));
		for (const struct json_value *e = value->child; e != NULL; e = e->next) {
			int i = 0;
			while (e->type == JSON_STRING && i < t.q->noptions && strcmp(e->str, t.q->options[i]) != 0)
				i++;
			if (e->type != JSON_STRING || i == t.q->noptions || chosen[i]) {
				*err = "Scegli soltanto tra le opzioni proposte, ognuna una volta.";
				return -1;
			}
			chosen[i] = true;
			count++;
		}
		if (count == 0)
			return 0;
		buf_init(&b, (size_t)1 << 20);
		{
			struct json_writer w;
			json_writer_init(&w, &b);
			json_arr_open(&w, NULL);
			for (int i = 0; i < t.q->noptions; i++)
				if (chosen[i])
					json_str(&w, NULL, t.q->options[i]);
			json_arr_close(&w);
		}
		if (!b.err)
			*canonical = arena_strndup(a, b.data, b.len);
		buf_release(&b);
		if (*canonical == NULL) {
			*err = "Risposta troppo lunga.";
			return -1;
		}
		return 0;
	}
	case FEEDBACK_SHORT_TEXT:
		return feedback_check_text(a, value, FEEDBACK_SHORT_MAX, false, canonical, err);
	case FEEDBACK_LONG_TEXT:
		return feedback_check_text(a, value, FEEDBACK_LONG_MAX, true, canonical, err);
	case FEEDBACK_MODULE_GRID:
		break;
	}
	*err = "Tipo di domanda non valido.";
	return -1;
}

/* ---- loading a response ---- */

/* A round's response for one organisation, as a page or an API call sees it. */
struct feedback_ctx {
	struct feedback_round round;
	struct feedback_def def;
	int64_t org_id;
	const char *org_name;
	struct feedback_module_figures *modules;
	int nmodules;
	int64_t *module_ids;
	struct feedback_response resp;
	struct feedback_answer *answers;
	int nanswers;
};

static bool
feedback_is_coord(const struct request *req)
{
	return req->user != NULL && (req->user->roles & FEEDBACK_COORD);
}

static int
feedback_answers_load(struct request *req, struct feedback_ctx *fc)
{
	return feedback_db_response_get(req->db, req->arena, fc->round.id, fc->org_id, &fc->resp) == -1 ||
	       feedback_db_answers(req->db, req->arena, fc->round.id, fc->org_id, &fc->answers,
				   &fc->nanswers) == -1 ? -1 : 0;
}

/*
 * Loads org_id's response to round_id for req's user.  Returns 0, or the
 * status of the error answer already written: 404 when the round does not
 * exist, does not ask that organisation, or the user is a referent of
 * another one (so that nobody learns which rounds exist); 500.
 */
static int
feedback_load(struct request *req, int64_t round_id, int64_t org_id, struct feedback_ctx *fc)
{
	struct feedback_round_org *orgs;
	const char *err;
	bool found;
	int n;

	memset(fc, 0, sizeof(*fc));
	fc->org_id = org_id;
	if (!feedback_is_coord(req) && (req->user == NULL || req->user->org_id != org_id))
		return response_error(req, 404, "Scheda non trovata.");
	if (feedback_db_round_get(req->db, req->arena, round_id, &fc->round, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Scheda non trovata.");
	if (feedback_db_round_orgs(req->db, req->arena, round_id, &orgs, &n) == -1)
		return 500;
	for (int i = 0; i < n; i++)
		if (orgs[i].org_id == org_id)
			fc->org_name = orgs[i].org_name;
	if (fc->org_name == NULL)
		return response_error(req, 404, "Scheda non trovata.");
	if (feedback_def_parse(req->arena, fc->round.definition, strlen(fc->round.definition), &fc->def,
			       &err) == -1) {
		log_warnx("feedback: round %lld: stored definition refused: %s", (long long)round_id, err);
		return 500;
	}
	if (feedback_db_module_figures(req->db, req->arena, fc->round.course_id, org_id, &fc->modules,
				       &fc->nmodules) == -1)
		return 500;
	fc->module_ids = arena_calloc(req->arena, (size_t)fc->nmodules + 1, sizeof(*fc->module_ids));
	for (int i = 0; i < fc->nmodules; i++)
		fc->module_ids[i] = fc->modules[i].module_id;
	return feedback_answers_load(req, fc) == -1 ? 500 : 0;
}

static const struct feedback_answer *
feedback_answer_find(const struct feedback_ctx *fc, const char *key)
{
	for (int i = 0; i < fc->nanswers; i++)
		if (strcmp(fc->answers[i].key, key) == 0)
			return &fc->answers[i];
	return NULL;
}

/* A required answer that is missing, for the form and the API. */
struct feedback_missing {
	const char *key;
	const char *message;
};

/* The required answers fc lacks; *n of them in *out (arena). */
static void
feedback_missing_list(struct arena *a, const struct feedback_ctx *fc, struct feedback_missing **out,
		      int *n)
{
	int cap = 8;

	*n = 0;
	*out = arena_calloc(a, (size_t)cap, sizeof(**out));
	for (int s = 0; s < fc->def.nsections; s++)
		for (int i = 0; i < fc->def.sections[s].nquestions; i++) {
			const struct feedback_question *q = &fc->def.sections[s].questions[i];
			int cells = q->kind == FEEDBACK_MODULE_GRID ? fc->nmodules * q->ncolumns : 1;

			if (!q->required)
				continue;
			for (int c = 0; c < cells; c++) {
				const char *key = q->key, *msg = "Questa risposta è obbligatoria.";
				if (q->kind == FEEDBACK_MODULE_GRID) {
					const struct feedback_module_figures *m = &fc->modules[c / q->ncolumns];
					const struct feedback_column *col = &q->columns[c % q->ncolumns];
					key = arena_printf(a, "%s/m%lld/%s", q->key, (long long)m->module_id, col->key);
					msg = arena_printf(a, "«%s» per il modulo «%s» è obbligatoria.", col->text,
							   m->title);
				}
				if (feedback_answer_find(fc, key) != NULL)
					continue;
				if (*n == cap) {
					struct feedback_missing *more = arena_calloc(a, (size_t)cap * 2, sizeof(*more));
					memcpy(more, *out, (size_t)cap * sizeof(*more));
					*out = more;
					cap *= 2;
				}
				(*out)[*n].key = key;
				(*out)[(*n)++].message = msg;
			}
		}
}

/* "DD/MM/YYYY" of an ISO date (or timestamp) in a; the text itself if it is not one. */
static const char *
feedback_date(struct arena *a, const char *iso)
{
	if (iso == NULL || strlen(iso) < 10 || iso[4] != '-' || iso[7] != '-')
		return iso;
	return arena_printf(a, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

/* ---- the form page ---- */

/* What a page shows for one answer instead of the stored one (a refused post). */
struct feedback_shown {
	const char *key;
	const char *value;	/* JSON text, or NULL */
	const char *orig;	/* JSON text the referent's page had shown */
	const char *error;	/* Italian message, or NULL */
};

struct feedback_render {
	struct request *req;
	const struct feedback_ctx *fc;
	const struct feedback_shown *shown;
	int nshown;
	bool readonly;
	bool preview;		/* the template editor's preview: inputs disabled */
	int slot;
	struct tmpl_ctx *errors;	/* the page's error summary list owner */
};

static const struct feedback_shown *
feedback_shown_find(const struct feedback_render *r, const char *key)
{
	for (int i = 0; i < r->nshown; i++)
		if (strcmp(r->shown[i].key, key) == 0)
			return &r->shown[i];
	return NULL;
}

/* The text a read-only page shows for a stored value. */
static const char *
feedback_value_text(struct arena *a, const struct json_value *v, enum feedback_kind kind,
		    const char *const *labels)
{
	long long n;

	if (v == NULL || v->type == JSON_NULL)
		return NULL;
	if (kind == FEEDBACK_LIKERT_Q && json_get_int(v, &n) == 0 && n >= 1 && n <= FEEDBACK_LIKERT)
		return arena_printf(a, "%lld – %s", n, labels[n - 1]);
	if (v->type == JSON_NUMBER || v->type == JSON_STRING)
		return v->str;
	if (v->type == JSON_ARRAY) {
		struct buf b;
		const char *s;
		buf_init(&b, (size_t)1 << 20);
		for (const struct json_value *e = v->child; e != NULL; e = e->next)
			if (e->type == JSON_STRING)
				buf_printf(&b, "%s%s", b.len ? "; " : "", e->str);
		s = b.err ? NULL : arena_strndup(a, b.data, b.len);
		buf_release(&b);
		return s;
	}
	return NULL;
}

/* True if v is the JSON string s or an array holding it. */
static bool
feedback_value_has(const struct json_value *v, const char *s)
{
	if (v == NULL)
		return false;
	if (v->type == JSON_STRING)
		return strcmp(v->str, s) == 0;
	if (v->type == JSON_ARRAY)
		for (const struct json_value *e = v->child; e != NULL; e = e->next)
			if (e->type == JSON_STRING && strcmp(e->str, s) == 0)
				return true;
	return false;
}

/*
 * Fills slot t for the answer key of kind: its field number, the hidden
 * "key json" it was shown with, the inputs checked or filled, who changed
 * it last, and its error.
 */
static void
feedback_slot_fill(struct feedback_render *r, struct tmpl_ctx *t, const char *key,
		   enum feedback_kind kind, const char *label, const char *help, bool required,
		   const char *const *labels, const char *const *options, int noptions,
		   long long min, long long max)
{
	struct arena *a = r->req->arena;
	const struct feedback_answer *stored = feedback_answer_find(r->fc, key);
	const struct feedback_shown *shown = feedback_shown_find(r, key);
	const char *value = stored ? stored->value : NULL, *orig;
	const struct json_value *v, *ov;
	int n = r->slot++;

	if (shown != NULL && shown->value != NULL)
		value = shown->value;
	else if (shown != NULL && shown->orig != NULL && shown->error == NULL)
		value = NULL;
	v = value ? json_parse(a, value, strlen(value), NULL) : NULL;
	/* The hidden value is what the page shows, canonical, so that the
	 * server's comparison is exact. */
	orig = shown != NULL && shown->orig != NULL ? shown->orig : "null";
	if (shown == NULL && stored != NULL && (ov = json_parse(a, stored->value, strlen(stored->value), NULL)) != NULL)
		orig = feedback_json_text(a, ov);
	tmpl_set_int(t, "n", n);
	tmpl_set(t, "key", key);
	tmpl_set(t, "orig", arena_printf(a, "%s %s", key, orig));
	tmpl_set(t, "label", label);
	tmpl_set(t, "help", help && help[0] ? help : NULL);
	tmpl_set_bool(t, "required", required);
	tmpl_set(t, "kind", feedback_kind_names[kind]);
	tmpl_set_bool(t, "readonly", r->readonly);
	tmpl_set_bool(t, "disabled", r->preview);
	if (stored != NULL && !r->preview) {
		tmpl_set(t, "changed_by", stored->updated_by[0] ? stored->updated_by : "un utente rimosso");
		tmpl_set(t, "changed_at", stored->updated_at_local);
	}
	if (shown != NULL && shown->error != NULL) {
		struct tmpl_ctx *e = tmpl_list_add(r->errors, "error_list");
		tmpl_set(t, "error", shown->error);
		tmpl_set_int(e, "n", n);
		tmpl_set(e, "message", arena_printf(a, "%s: %s", label, shown->error));
	}
	if (r->readonly) {
		tmpl_set(t, "text", feedback_value_text(a, v, kind, labels));
		return;
	}
	switch (kind) {
	case FEEDBACK_LIKERT_Q:
		tmpl_set_bool(t, "is_choice", true);
		for (int i = 0; i < FEEDBACK_LIKERT; i++) {
			struct tmpl_ctx *o = tmpl_list_add(t, "choices");
			long long have = 0;
			tmpl_set_int(o, "i", i + 1);
			tmpl_set(o, "value", arena_printf(a, "%d", i + 1));
			tmpl_set(o, "text", arena_printf(a, "%d – %s", i + 1, labels[i]));
			tmpl_set_bool(o, "checked", json_get_int(v, &have) == 0 && have == i + 1);
			tmpl_set(o, "type", "radio");
		}
		break;
	case FEEDBACK_SINGLE:
	case FEEDBACK_MULTIPLE:
		tmpl_set_bool(t, "is_choice", true);
		for (int i = 0; i < noptions; i++) {
			struct tmpl_ctx *o = tmpl_list_add(t, "choices");
			tmpl_set_int(o, "i", i + 1);
			tmpl_set(o, "value", options[i]);
			tmpl_set(o, "text", options[i]);
			tmpl_set_bool(o, "checked", feedback_value_has(v, options[i]));
			tmpl_set(o, "type", kind == FEEDBACK_SINGLE ? "radio" : "checkbox");
		}
		break;
	case FEEDBACK_NUMBER:
		tmpl_set_bool(t, "is_number", true);
		tmpl_set_int(t, "min", min);
		tmpl_set_int(t, "max", max);
		tmpl_set(t, "value", v && (v->type == JSON_NUMBER || v->type == JSON_STRING) ? v->str : NULL);
		break;
	case FEEDBACK_SHORT_TEXT:
		tmpl_set_bool(t, "is_short", true);
		tmpl_set_int(t, "maxlength", FEEDBACK_SHORT_MAX);
		tmpl_set(t, "value", v && v->type == JSON_STRING ? v->str : NULL);
		break;
	case FEEDBACK_LONG_TEXT:
		tmpl_set_bool(t, "is_long", true);
		tmpl_set_int(t, "maxlength", FEEDBACK_LONG_MAX);
		tmpl_set(t, "value", v && v->type == JSON_STRING ? v->str : NULL);
		break;
	case FEEDBACK_MODULE_GRID:
		break;
	}
}

/* Progress and pass rate of a module's figures as text ("–" without data). */
static void
feedback_figures_fill(struct arena *a, struct tmpl_ctx *t, const struct feedback_module_figures *m)
{
	long long denom = (long long)m->lessons * m->enrolled;

	tmpl_set_int(t, "enrolled", m->enrolled);
	tmpl_set(t, "progress", denom > 0 ? arena_printf(a, "%lld%%", (long long)(m->lessons_done * 100 / denom)) : "–");
	if (!m->has_test)
		tmpl_set(t, "pass_rate", "nessun test");
	else if (m->enrolled == 0)
		tmpl_set(t, "pass_rate", "–");
	else
		tmpl_set(t, "pass_rate", arena_printf(a, "%d%% (%d su %d)", m->passed * 100 / m->enrolled,
						      m->passed, m->enrolled));
}

/* Fills ctx's "sections" from the definition, the answers and what a post showed. */
static void
feedback_sections_fill(struct feedback_render *r, struct tmpl_ctx *ctx)
{
	struct arena *a = r->req->arena;
	const struct feedback_ctx *fc = r->fc;

	for (int s = 0; s < fc->def.nsections; s++) {
		const struct feedback_section *sec = &fc->def.sections[s];
		struct tmpl_ctx *st = tmpl_list_add(ctx, "sections");

		tmpl_set(st, "title", sec->title);
		tmpl_set_int(st, "number", s + 1);
		for (int i = 0; i < sec->nquestions; i++) {
			const struct feedback_question *q = &sec->questions[i];
			struct tmpl_ctx *qt = tmpl_list_add(st, "questions");

			tmpl_set(qt, "text", q->text);
			tmpl_set(qt, "help", q->help[0] ? q->help : NULL);
			tmpl_set_bool(qt, "required", q->required);
			if (q->kind != FEEDBACK_MODULE_GRID) {
				feedback_slot_fill(r, tmpl_set_obj(qt, "slot"), q->key, q->kind, q->text, q->help,
						   q->required, q->labels, q->options, q->noptions, q->min, q->max);
				continue;
			}
			tmpl_set_bool(qt, "grid", true);
			tmpl_set_bool(qt, "no_modules", fc->nmodules == 0);
			for (int c = 0; c < q->ncolumns; c++)
				tmpl_set(tmpl_list_add(qt, "columns"), "text", q->columns[c].text);
			for (int m = 0; m < fc->nmodules; m++) {
				struct tmpl_ctx *row = tmpl_list_add(qt, "rows");
				tmpl_set(row, "module", fc->modules[m].title);
				tmpl_set_int(row, "position", fc->modules[m].position);
				feedback_figures_fill(a, row, &fc->modules[m]);
				for (int c = 0; c < q->ncolumns; c++) {
					const struct feedback_column *col = &q->columns[c];
					struct tmpl_ctx *cell = tmpl_list_add(row, "cells");
					feedback_slot_fill(r, cell, arena_printf(a, "%s/m%lld/%s", q->key,
										 (long long)fc->modules[m].module_id, col->key),
							   col->kind, arena_printf(a, "%s – %s", col->text,
										   fc->modules[m].title),
							   NULL, q->required, col->labels, NULL, 0, 0, 0);
					tmpl_set_bool(cell, "in_grid", true);
				}
			}
		}
	}
}

static const struct response_notice feedback_notices[] = {
	{ "salvata", "Risposte salvate." },
	{ "inviata", "Scheda inviata al gruppo di coordinamento. Grazie!" },
	{ "riaperta", "Scheda riaperta: i referenti possono di nuovo modificarla." },
	{ "creata", "Rilevazione creata: i referenti degli enti scelti riceveranno un'email." },
	{ "modello", "Modello salvato." },
};

/* The form page of fc with status; shown and message come from a refused post. */
static int
feedback_form_render(struct request *req, int status, const struct feedback_ctx *fc,
		     const struct feedback_shown *shown, int nshown, const char *message)
{
	struct tmpl_ctx *ctx = response_ctx(req, arena_printf(req->arena, "%s – %s", fc->round.title,
								  fc->org_name));
	bool submitted = strcmp(fc->resp.status, "submitted") == 0;
	struct feedback_render r = { req, fc, shown, nshown, submitted || fc->round.closed, false, 0, ctx };

	response_notice(req, ctx, feedback_notices, ARRAY_SIZE(feedback_notices));
	tmpl_set(ctx, "message", message);
	tmpl_set_int(ctx, "round_id", fc->round.id);
	tmpl_set_int(ctx, "org_id", fc->org_id);
	tmpl_set(ctx, "round_title", fc->round.title);
	tmpl_set(ctx, "org_name", fc->org_name);
	tmpl_set(ctx, "course_title", fc->round.course_title);
	tmpl_set(ctx, "period_from", feedback_date(req->arena, fc->round.period_from));
	tmpl_set(ctx, "period_to", feedback_date(req->arena, fc->round.period_to));
	tmpl_set(ctx, "due_date", feedback_date(req->arena, fc->round.due_date));
	tmpl_set_bool(ctx, "overdue", fc->round.overdue);
	tmpl_set_bool(ctx, "submitted", submitted);
	tmpl_set_bool(ctx, "closed", fc->round.closed);
	tmpl_set_bool(ctx, "editable", !r.readonly);
	tmpl_set_bool(ctx, "can_reopen", submitted && feedback_is_coord(req));
	tmpl_set_bool(ctx, "is_coord", feedback_is_coord(req));
	if (submitted) {
		tmpl_set(ctx, "submitted_by", fc->resp.submitted_by ? fc->resp.submitted_by : "un utente rimosso");
		tmpl_set(ctx, "submitted_at", feedback_date(req->arena, fc->resp.submitted_at));
	}
	feedback_sections_fill(&r, ctx);
	/* The summary at the top lists the answers refused. */
	for (int i = 0; i < nshown; i++)
		if (shown[i].error != NULL)
			tmpl_set_bool(ctx, "has_errors", true);
	tmpl_set_bool(ctx, "too_long", r.slot > FEEDBACK_FORM_SLOTS);
	return response_page(req, status, "courses/feedback_form", ctx);
}

static const struct field feedback_page_fields[] = {
	{ "round", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Rilevazione" },
	{ "org", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Ente" },
	RESPONSE_NOTICE_FIELD,
};

/* GET /segnalazioni/{round}/{org}: 200; 401 (login); 403 operator; 404; 500. */
static int
feedback_form_page(struct request *req)
{
	struct feedback_ctx fc;
	int status;

	if ((status = feedback_load(req, request_int(req, "round", 0), request_int(req, "org", 0), &fc)) != 0)
		return status;
	return feedback_form_render(req, 200, &fc, NULL, 0, NULL);
}

/* ---- saving ---- */

/* The form route's fields: round, org, azione, then o<i> and a<i> per slot (built at start-up). */
#define FEEDBACK_FORM_FIXED 3
static char feedback_slot_names[2][FEEDBACK_FORM_SLOTS][8];
static struct field feedback_form_fields[FEEDBACK_FORM_FIXED + 2 * FEEDBACK_FORM_SLOTS];
static const char *const feedback_actions[] = { "salva", "invia", NULL };

static void
feedback_form_fields_init(void)
{
	static const struct field fixed[FEEDBACK_FORM_FIXED] = {
		{ "round", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Rilevazione" },
		{ "org", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Ente" },
		{ "azione", FIELD_BODY, VALID_ENUM, 0, 0, feedback_actions, 0, "Azione" },
	};

	memcpy(feedback_form_fields, fixed, sizeof(fixed));
	for (int i = 0; i < FEEDBACK_FORM_SLOTS; i++) {
		struct field *o = &feedback_form_fields[FEEDBACK_FORM_FIXED + 2 * i];
		snprintf(feedback_slot_names[0][i], sizeof(feedback_slot_names[0][i]), "o%d", i);
		snprintf(feedback_slot_names[1][i], sizeof(feedback_slot_names[1][i]), "a%d", i);
		*o = (struct field){ feedback_slot_names[0][i], FIELD_BODY, VALID_TEXT, 1, FEEDBACK_ORIG_MAX,
				     NULL, 0, "Risposta mostrata" };
		o[1] = (struct field){ feedback_slot_names[1][i], FIELD_BODY, VALID_TEXT, 0, FEEDBACK_VALUE_MAX,
				       NULL, FIELD_MULTI | FIELD_MULTILINE, "Risposta" };
	}
}

static struct json_value *
feedback_json_string(struct arena *a, const char *s, size_t len)
{
	struct json_value *v = arena_calloc(a, 1, sizeof(*v));

	v->type = JSON_STRING;
	v->str = s;
	v->len = len;
	return v;
}

/*
 * The JSON value slot values fv mean for kind: NULL when nothing was
 * chosen or typed, a NUMBER for a well-formed integer, a STRING for
 * anything else (so the check names what is wrong).
 */
static const struct json_value *
feedback_form_value(struct arena *a, const struct field_value *fv, enum feedback_kind kind)
{
	struct json_value *arr, **tail;

	if (fv == NULL || !fv->present)
		return NULL;
	switch (kind) {
	case FEEDBACK_LIKERT_Q:
	case FEEDBACK_NUMBER: {
		char *end;
		long long n = strtoll(fv->str, &end, 10);
		struct json_value *v;

		if (*end != '\0' || end == fv->str || fv->str[0] == '+' || n == LLONG_MIN || n == LLONG_MAX)
			return feedback_json_string(a, fv->str, fv->len);
		v = arena_calloc(a, 1, sizeof(*v));
		v->type = JSON_NUMBER;
		v->str = arena_printf(a, "%lld", n);
		v->len = strlen(v->str);
		return v;
	}
	case FEEDBACK_MULTIPLE:
		arr = arena_calloc(a, 1, sizeof(*arr));
		arr->type = JSON_ARRAY;
		tail = &arr->child;
		for (; fv != NULL; fv = fv->next) {
			if (!fv->present)
				continue;
			*tail = feedback_json_string(a, fv->str, fv->len);
			tail = &(*tail)->next;
			arr->count++;
		}
		return arr;
	default:
		return feedback_json_string(a, fv->str, fv->len);
	}
}

/* One answer of a form post. */
struct feedback_post_answer {
	const char *key;
	const char *value;	/* canonical JSON to store, NULL to remove */
	bool changed;
};

/*
 * Reads the slots of a form post into shown (what to show again if the
 * post is refused) and answers (what changed).  Returns 0, 1 when some
 * answer is refused (its message in shown), or -1 when the post is not
 * one the page could have sent (400).
 */
static int
feedback_form_read(struct request *req, const struct feedback_ctx *fc, struct feedback_shown *shown,
		   struct feedback_post_answer *answers, int *n)
{
	struct arena *a = req->arena;
	int refused = 0;

	*n = 0;
	for (int i = 0; i < FEEDBACK_FORM_SLOTS; i++) {
		const struct field_value *o = request_field(req, feedback_slot_names[0][i]);
		const struct field_value *fv = request_field(req, feedback_slot_names[1][i]);
		const char *sp, *key, *orig, *canonical, *err, *msg;
		const struct json_value *ov, *nv;
		struct feedback_target t;

		if (response_field_message(req, feedback_slot_names[0][i]) != NULL)
			return -1;
		if (o == NULL || !o->present)
			continue;
		if ((sp = strchr(o->str, ' ')) == NULL)
			return -1;
		key = arena_strndup(a, o->str, (size_t)(sp - o->str));
		if (feedback_target_of(a, &fc->def, fc->module_ids, fc->nmodules, key, &t, &err) == -1 ||
		    (ov = json_parse(a, sp + 1, strlen(sp + 1), NULL)) == NULL)
			return -1;
		for (int j = 0; j < *n; j++)
			if (strcmp(answers[j].key, key) == 0)
				return -1;
		orig = feedback_json_text(a, ov);
		shown[*n] = (struct feedback_shown){ key, NULL, orig, NULL };
		answers[*n] = (struct feedback_post_answer){ key, NULL, false };
		if ((msg = response_field_message(req, feedback_slot_names[1][i])) != NULL) {
			shown[*n].error = msg;
			refused = 1;
			(*n)++;
			continue;
		}
		nv = feedback_form_value(a, fv, t.kind);
		if (nv != NULL)
			shown[*n].value = feedback_json_text(a, nv);
		if (feedback_answer_check(a, &fc->def, fc->module_ids, fc->nmodules, key, nv, &canonical,
					  &err) == -1) {
			shown[*n].error = err;
			refused = 1;
		} else {
			answers[*n].value = canonical;
			answers[*n].changed = strcmp(canonical ? canonical : "null", orig) != 0;
		}
		(*n)++;
	}
	return refused;
}

/*
 * Writes changed answers inside one transaction holding the response's
 * lock.  Returns 0, 1 when the response is submitted (nothing written,
 * transaction rolled back), -1 on error (rolled back).
 */
static int
feedback_write(struct request *req, const struct feedback_ctx *fc,
	       const struct feedback_post_answer *answers, int n)
{
	bool submitted;

	if (db_begin(req->db) == -1 ||
	    feedback_db_response_lock(req->db, fc->round.id, fc->org_id, &submitted) == -1)
		goto fail;
	if (submitted) {
		db_rollback(req->db);
		return 1;
	}
	for (int i = 0; i < n; i++)
		if (answers[i].changed &&
		    feedback_db_answer_put(req->db, fc->round.id, fc->org_id, answers[i].key, answers[i].value,
					   req->user->id) == -1)
			goto fail;
	return 0;
fail:
	db_rollback(req->db);
	return -1;
}

/*
 * Inside the transaction feedback_write() opened: submits the response if
 * nothing required is missing.  Returns 0 submitted (committed), 1 with
 * the missing answers in *missing (the writes committed), -1 on error.
 */
static int
feedback_submit_locked(struct request *req, struct feedback_ctx *fc, struct feedback_missing **missing,
		       int *nmissing)
{
	*nmissing = 0;
	if (feedback_db_answers(req->db, req->arena, fc->round.id, fc->org_id, &fc->answers,
				&fc->nanswers) == -1)
		goto fail;
	feedback_missing_list(req->arena, fc, missing, nmissing);
	if (*nmissing > 0)
		return db_commit(req->db) == -1 ? -1 : 1;
	if (feedback_db_submit(req->db, fc->round.id, fc->org_id, req->user->id) == -1 ||
	    account_db_audit(req->db, req->user->id, "feedback_submit", fc->round.id,
			     arena_printf(req->arena, "org %lld", (long long)fc->org_id), req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto fail;
	return 0;
fail:
	db_rollback(req->db);
	return -1;
}

/*
 * POST /segnalazioni/{round}/{org} (azione salva|invia): 303 back with a
 * notice; 400 a post the page could not have sent, or answers refused
 * (form shown again, nothing stored); 403; 404; 409 already submitted or
 * closed; 422 submission with required answers missing (the rest saved);
 * 500.
 */
static int
feedback_form_submit(struct request *req)
{
	struct feedback_ctx fc;
	struct feedback_shown *shown;
	struct feedback_post_answer *answers;
	struct feedback_missing *missing;
	bool submit = request_int(req, "azione", 0) == 1;
	int n, nmissing, rc, status;

	if ((status = feedback_load(req, request_int(req, "round", 0), request_int(req, "org", 0), &fc)) != 0)
		return status;
	if (response_field_message(req, "azione") != NULL)
		return response_error(req, 400, "Azione non valida.");
	if (strcmp(fc.resp.status, "submitted") == 0 || fc.round.closed)
		return feedback_form_render(req, 409, &fc, NULL, 0, fc.round.closed ?
					    "La rilevazione è chiusa: la scheda non si può più modificare." :
					    "La scheda è già stata inviata: non si può più modificare.");
	shown = arena_calloc(req->arena, FEEDBACK_FORM_SLOTS, sizeof(*shown));
	answers = arena_calloc(req->arena, FEEDBACK_FORM_SLOTS, sizeof(*answers));
	if ((rc = feedback_form_read(req, &fc, shown, answers, &n)) == -1)
		return response_error(req, 400, "Il modulo inviato non corrisponde alla scheda: ricarica la pagina.");
	if (rc == 1)
		return feedback_form_render(req, 400, &fc, shown, n,
					    "Alcune risposte non sono valide: correggile e salva di nuovo. "
					    "Nessuna risposta è stata salvata.");
	if ((rc = feedback_write(req, &fc, answers, n)) == -1)
		return 500;
	if (rc == 1)
		return feedback_form_render(req, 409, &fc, NULL, 0,
					    "La scheda è stata inviata nel frattempo: non si può più modificare.");
	if (!submit) {
		if (db_commit(req->db) == -1) {
			db_rollback(req->db);
			return 500;
		}
		return response_redirect(req, arena_printf(req->arena, "/segnalazioni/%lld/%lld?esito=salvata",
							   (long long)fc.round.id, (long long)fc.org_id));
	}
	if ((rc = feedback_submit_locked(req, &fc, &missing, &nmissing)) == -1)
		return 500;
	if (rc == 1) {
		struct feedback_shown *errs = arena_calloc(req->arena, (size_t)nmissing, sizeof(*errs));
		for (int i = 0; i < nmissing; i++)
			errs[i] = (struct feedback_shown){ missing[i].key, NULL, NULL, missing[i].message };
		if (feedback_answers_load(req, &fc) == -1)
			return 500;
		return feedback_form_render(req, 422, &fc, errs, nmissing,
					    "La scheda non è stata inviata: mancano risposte obbligatorie. "
					    "Le altre risposte sono state salvate.");
	}
	return response_redirect(req, arena_printf(req->arena, "/segnalazioni/%lld/%lld?esito=inviata",
						   (long long)fc.round.id, (long long)fc.org_id));
}

/* Reopens a submitted response, audited: 0, 1 when it was not submitted, -1. */
static int
feedback_reopen(struct request *req, const struct feedback_ctx *fc)
{
	int rc;

	if (db_begin(req->db) == -1 ||
	    (rc = feedback_db_reopen(req->db, fc->round.id, fc->org_id, req->user->id)) == -1)
		goto fail;
	if (rc == 0) {
		db_rollback(req->db);
		return 1;
	}
	if (account_db_audit(req->db, req->user->id, "feedback_reopen", fc->round.id,
			     arena_printf(req->arena, "org %lld", (long long)fc->org_id), req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto fail;
	return 0;
fail:
	db_rollback(req->db);
	return -1;
}

static const struct field feedback_reopen_fields[] = {
	{ "round", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Rilevazione" },
	{ "org", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Ente" },
};

/* POST /segnalazioni/{round}/{org}/riapri (coordination): 303; 403; 404; 409 not submitted; 500. */
static int
feedback_reopen_submit(struct request *req)
{
	struct feedback_ctx fc;
	int rc;

	if ((rc = feedback_load(req, request_int(req, "round", 0), request_int(req, "org", 0), &fc)) != 0)
		return rc;
	if ((rc = feedback_reopen(req, &fc)) == -1)
		return 500;
	if (rc == 1)
		return feedback_form_render(req, 409, &fc, NULL, 0, "La scheda non è stata inviata: non c'è nulla da riaprire.");
	return response_redirect(req, arena_printf(req->arena, "/segnalazioni/%lld/%lld?esito=riaperta",
						   (long long)fc.round.id, (long long)fc.org_id));
}

/* ---- API: responses ---- */

static void
feedback_response_json(struct request *req, struct json_writer *w, const struct feedback_ctx *fc)
{
	json_obj_open(w, NULL);
	json_int(w, "round_id", fc->round.id);
	json_int(w, "org_id", fc->org_id);
	json_str(w, "organisation", fc->org_name);
	json_int(w, "template_version_id", fc->round.template_version_id);
	json_str(w, "status", fc->resp.status);
	json_str(w, "submitted_at", fc->resp.submitted_at);
	json_str(w, "submitted_by", fc->resp.submitted_by);
	json_str(w, "reopened_at", fc->resp.reopened_at);
	json_str(w, "reopened_by", fc->resp.reopened_by);
	json_bool(w, "editable", strcmp(fc->resp.status, "submitted") != 0 && !fc->round.closed);
	json_obj_open(w, "answers");
	for (int i = 0; i < fc->nanswers; i++)
		json_raw(w, fc->answers[i].key, fc->answers[i].value);
	json_obj_close(w);
	json_obj_open(w, "changes");
	for (int i = 0; i < fc->nanswers; i++) {
		json_obj_open(w, fc->answers[i].key);
		json_str(w, "updated_by", fc->answers[i].updated_by);
		json_str(w, "updated_at", fc->answers[i].updated_at);
		json_str(w, "updated_at_local", fc->answers[i].updated_at_local);
		json_obj_close(w);
	}
	json_obj_close(w);
	json_obj_close(w);
	(void)req;
}

static int
feedback_response_reply(struct request *req, int status, const struct feedback_ctx *fc)
{
	struct json_writer w;

	json_writer_init(&w, &req->body);
	feedback_response_json(req, &w, fc);
	return req->body.err ? 500 : response_json(req, status);
}

static const struct field feedback_api_response_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	{ "org_id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "org_id" },
};

/* Loads the response of the API path; 0 or the error status (written as JSON). */
static int
feedback_api_load(struct request *req, struct feedback_ctx *fc)
{
	return feedback_load(req, request_int(req, "id", 0), request_int(req, "org_id", 0), fc);
}

/* GET /api/v1/feedback/rounds/{id}/responses/{org_id}: 200; 401; 403; 404; 500. */
static int
feedback_api_response_get(struct request *req)
{
	struct feedback_ctx fc;
	int status;

	if ((status = feedback_api_load(req, &fc)) != 0)
		return status;
	return feedback_response_reply(req, 200, &fc);
}

#define FEEDBACK_PUT_MAX 1000	/* answers in one PUT */

/*
 * PUT /api/v1/feedback/rounds/{id}/responses/{org_id} {"answers": {key:
 * value|null}}: writes those answers only (null removes one); every one is
 * checked first, and one refused refuses all.  200 the response; 400;
 * 401; 403; 404; 409 submitted or closed; 500.
 */
static int
feedback_api_response_put(struct request *req)
{
	const struct json_value *answers = req->json ? json_get(req->json, "answers") : NULL;
	struct feedback_post_answer *list;
	struct feedback_ctx fc;
	int n = 0, status, rc;

	if ((status = feedback_api_load(req, &fc)) != 0)
		return status;
	if (answers == NULL || answers->type != JSON_OBJECT || answers->count > FEEDBACK_PUT_MAX ||
	    req->json->count != 1)
		return response_json_error(req, 400, "bad_request",
					   "Il corpo deve essere {\"answers\": {chiave: valore}} (al massimo 1000).");
	list = arena_calloc(req->arena, answers->count + 1, sizeof(*list));
	for (const struct json_value *m = answers->child; m != NULL; m = m->next, n++) {
		const char *canonical, *err;
		if (feedback_answer_check(req->arena, &fc.def, fc.module_ids, fc.nmodules, m->key, m,
					  &canonical, &err) == -1)
			return response_json_error(req, 400, "invalid_answer",
						   arena_printf(req->arena, "%s: %s", m->key, err));
		list[n] = (struct feedback_post_answer){ m->key, canonical, true };
	}
	if (strcmp(fc.resp.status, "submitted") == 0 || fc.round.closed)
		return response_json_error(req, 409, fc.round.closed ? "closed" : "submitted",
					   fc.round.closed ? "La rilevazione è chiusa." :
					   "La scheda è già stata inviata: non si può modificare.");
	if ((rc = feedback_write(req, &fc, list, n)) == -1)
		return 500;
	if (rc == 1)
		return response_json_error(req, 409, "submitted", "La scheda è già stata inviata: non si può modificare.");
	if (db_commit(req->db) == -1) {
		db_rollback(req->db);
		return 500;
	}
	if (feedback_answers_load(req, &fc) == -1)
		return 500;
	return feedback_response_reply(req, 200, &fc);
}

/*
 * POST /api/v1/feedback/rounds/{id}/responses/{org_id}/submit: 200 the
 * response; 401; 403; 404; 409 already submitted or closed; 422 required
 * answers missing (error.missing lists their keys); 500.  Audited.
 */
static int
feedback_api_submit(struct request *req)
{
	struct feedback_post_answer none = { "", NULL, false };
	struct feedback_missing *missing;
	struct feedback_ctx fc;
	int status, rc, nmissing;

	if ((status = feedback_api_load(req, &fc)) != 0)
		return status;
	if (fc.round.closed)
		return response_json_error(req, 409, "closed", "La rilevazione è chiusa.");
	if ((rc = feedback_write(req, &fc, &none, 0)) == -1)
		return 500;
	if (rc == 1)
		return response_json_error(req, 409, "submitted", "La scheda è già stata inviata.");
	if ((rc = feedback_submit_locked(req, &fc, &missing, &nmissing)) == -1)
		return 500;
	if (rc == 1) {
		struct json_writer w;
		json_writer_init(&w, &req->body);
		json_obj_open(&w, NULL);
		json_obj_open(&w, "error");
		json_str(&w, "code", "incomplete");
		json_str(&w, "message", "Mancano risposte obbligatorie.");
		json_arr_open(&w, "missing");
		for (int i = 0; i < nmissing; i++)
			json_str(&w, NULL, missing[i].key);
		json_arr_close(&w);
		json_obj_close(&w);
		json_obj_close(&w);
		return req->body.err ? 500 : response_json(req, 422);
	}
	if (feedback_answers_load(req, &fc) == -1)
		return 500;
	return feedback_response_reply(req, 200, &fc);
}

/*
 * POST /api/v1/feedback/rounds/{id}/responses/{org_id}/reopen
 * (coordination): 200 the response, a draft again; 401; 403; 404; 409 not
 * submitted; 500.  Audited.
 */
static int
feedback_api_reopen(struct request *req)
{
	struct feedback_ctx fc;
	int status, rc;

	if ((status = feedback_api_load(req, &fc)) != 0)
		return status;
	if ((rc = feedback_reopen(req, &fc)) == -1)
		return 500;
	if (rc == 1)
		return response_json_error(req, 409, "not_submitted", "La scheda non è stata inviata.");
	if (feedback_answers_load(req, &fc) == -1)
		return 500;
	return feedback_response_reply(req, 200, &fc);
}

/* ---- templates ---- */

static void
feedback_template_json(struct json_writer *w, const struct feedback_template *t)
{
	json_obj_open(w, NULL);
	json_int(w, "id", t->id);
	json_str(w, "name", t->name);
	json_str(w, "description", t->description);
	json_bool(w, "retired", t->retired);
	json_str(w, "created_at", t->created_at);
	json_int(w, "version", t->version);
	json_int(w, "version_id", t->version_id);
	json_str(w, "version_at", t->version_at);
	json_str(w, "version_by", t->version_by);
	json_raw(w, "definition", t->definition);
	json_obj_close(w);
}

/* GET /api/v1/feedback/templates (coordination, trainers): 200; 401; 403; 500. */
static int
feedback_api_templates(struct request *req)
{
	struct feedback_template *ts;
	struct json_writer w;
	int n;

	if (feedback_db_templates(req->db, req->arena, true, &ts, &n) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "templates");
	for (int i = 0; i < n; i++)
		feedback_template_json(&w, &ts[i]);
	json_arr_close(&w);
	json_obj_close(&w);
	return req->body.err ? 500 : response_json(req, 200);
}

/* What saving a template came to. */
enum feedback_saved { FEEDBACK_SAVED, FEEDBACK_SAVE_TAKEN, FEEDBACK_SAVE_MISSING, FEEDBACK_SAVE_ERROR };

/*
 * Creates template (template_id 0) or adds a version of template_id, with
 * def, audited.  *id gets the template id.
 */
static enum feedback_saved
feedback_template_save(struct request *req, int64_t template_id, const char *name,
		       const char *description, const struct feedback_def *def, int64_t *id)
{
	const char *text = feedback_def_text_of(req->arena, def);
	int64_t r;
	int version = 1;

	*id = 0;
	if (text == NULL || db_begin(req->db) == -1)
		goto fail;
	if (template_id == 0)
		r = feedback_db_template_create(req->db, name, description ? description : "", text,
						req->user->id);
	else
		r = feedback_db_template_version_add(req->db, template_id, name, description, text,
						     req->user->id, &version);
	if (r < 0)
		goto fail;
	if (r == 0) {
		bool found;
		struct feedback_template t;
		db_rollback(req->db);
		if (template_id == 0)
			return FEEDBACK_SAVE_TAKEN;
		if (feedback_db_template_get(req->db, req->arena, template_id, &t, &found) == -1)
			return FEEDBACK_SAVE_ERROR;
		return found ? FEEDBACK_SAVE_TAKEN : FEEDBACK_SAVE_MISSING;
	}
	*id = template_id ? template_id : r;
	if (account_db_audit(req->db, req->user->id, template_id ? "feedback_template_version" :
			     "feedback_template_create", *id, arena_printf(req->arena, "version %d", version),
			     req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto fail;
	return FEEDBACK_SAVED;
fail:
	db_rollback(req->db);
	return FEEDBACK_SAVE_ERROR;
}

static const struct field feedback_api_template_fields[] = {
	{ "template_id", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, 0, "template_id" },
	{ "name", FIELD_BODY, VALID_TEXT, 1, 200, NULL, 0, "name" },
	{ "description", FIELD_BODY, VALID_TEXT, 0, 4000, NULL, FIELD_MULTILINE, "description" },
};

/*
 * POST /api/v1/feedback/templates {name, description, definition} creates
 * a template; with template_id it adds a version (name and description
 * optional).  201 the template; 400; 401; 403; 404 no such template; 409
 * name taken; 500.
 */
static int
feedback_api_template_post(struct request *req)
{
	int64_t template_id = request_int(req, "template_id", 0), id;
	const char *name = request_str(req, "name"), *err;
	struct feedback_template t;
	struct feedback_def def;
	struct json_writer w;
	bool found;

	if (template_id == 0 && name == NULL)
		return response_json_error(req, 400, "bad_request", "Il campo «name» è obbligatorio.");
	if (feedback_def_from_json(req->arena, json_get(req->json, "definition"), &def, &err) == -1)
		return response_json_error(req, 400, "invalid_definition", err);
	switch (feedback_template_save(req, template_id, name, request_str(req, "description"), &def, &id)) {
	case FEEDBACK_SAVED:
		break;
	case FEEDBACK_SAVE_TAKEN:
		return response_json_error(req, 409, "name_taken", "Esiste già un modello con questo nome.");
	case FEEDBACK_SAVE_MISSING:
		return response_json_error(req, 404, "not_found", "Modello non trovato.");
	default:
		return 500;
	}
	if (feedback_db_template_get(req->db, req->arena, id, &t, &found) == -1 || !found)
		return 500;
	json_writer_init(&w, &req->body);
	feedback_template_json(&w, &t);
	return req->body.err ? 500 : response_json(req, 201);
}

/* ---- rounds ---- */

/*
 * Queues the mail of round r to its referents refs (the invitation, or
 * the reminder), on db in the caller's transaction.
 */
static int
feedback_mail_round(struct db *db, struct arena *a, int64_t round_id, const char *title,
		    const char *course, const char *due, const struct feedback_referent *refs, int n,
		    bool reminder)
{
	for (int i = 0; i < n; i++) {
		struct mail_content m = { 0 };
		const char *paragraphs[] = {
			reminder ?
			arena_printf(a, "la scheda di segnalazione «%s» sul corso «%s» scade il %s e il tuo ente "
				     "non l'ha ancora inviata.", title, course, due) :
			arena_printf(a, "il gruppo di coordinamento chiede al tuo ente di compilare la scheda di "
				     "segnalazione «%s» sul corso «%s», entro il %s.", title, course, due),
			"La scheda è condivisa tra i referenti del tuo ente: ciascuno può salvare le proprie "
			"risposte senza cancellare quelle degli altri, e la pagina mostra chi ha cambiato cosa.",
			reminder ? "Quando è completa, inviala dalla stessa pagina." :
			"Racconta come i colleghi comprendono lo strumento, le difficoltà incontrate e le lacune "
			"della formazione: le risposte guidano le prossime azioni formative.",
			NULL,
		};
		m.subject = reminder ? arena_printf(a, "Promemoria: la scheda «%s» scade il %s", title, due) :
			    arena_printf(a, "Nuova scheda di segnalazione: %s", title);
		m.greeting = arena_printf(a, "Gentile %s,", refs[i].name);
		m.paragraphs = paragraphs;
		m.action_label = "Compila la scheda";
		m.action_url = arena_printf(a, "%s/segnalazioni/%lld/%lld", feedback_cfg ? feedback_cfg->base_url : "",
					    (long long)round_id, (long long)refs[i].org_id);
		if (mail_queue(db, a, refs[i].email, refs[i].name, &m) == -1)
			return -1;
	}
	return 0;
}

/* What a new round needs, from the API or the form. */
struct feedback_round_input {
	int64_t template_id;
	int64_t course_id;
	const char *title;
	const char *period_from, *period_to, *due_date;
	long long from_num, to_num, due_num;	/* YYYYMMDD */
	int64_t *org_ids;
	int norgs;
};

/* Today's date as YYYYMMDD in Rome's time zone (the server's TZ is not trusted). */
static long long
feedback_today(void)
{
	time_t now = time(NULL);
	struct tm tm;

	/* Rome is UTC+1 or +2: a day starts at most two hours early here,
	 * which only matters for the date check of a due date. */
	now += 2 * 3600;
	gmtime_r(&now, &tm);
	return (tm.tm_year + 1900) * 10000LL + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* Outcome of feedback_round_new(). */
enum feedback_round_outcome { FEEDBACK_ROUND_OK, FEEDBACK_ROUND_INVALID, FEEDBACK_ROUND_ERROR };

/*
 * Checks in and creates the round, mails its referents and audits it, in
 * one transaction.  FEEDBACK_ROUND_INVALID with *field (the form field)
 * and *err (Italian) for a refused input; *id the new round.
 */
static enum feedback_round_outcome
feedback_round_new(struct request *req, const struct feedback_round_input *in, int64_t *id,
		   const char **field, const char **err)
{
	struct feedback_round_new r = { 0 };
	struct feedback_template t;
	struct feedback_referent *refs;
	struct feedback_round round;
	bool found;
	int nrefs;

	*id = 0;
	*field = NULL;
	if (in->to_num < in->from_num) {
		*field = "period_to";
		*err = "La fine del periodo non può precedere l'inizio.";
		return FEEDBACK_ROUND_INVALID;
	}
	if (in->due_num < feedback_today()) {
		*field = "due_date";
		*err = "La scadenza non può essere nel passato.";
		return FEEDBACK_ROUND_INVALID;
	}
	if (in->norgs < 1 || in->norgs > FEEDBACK_ROUND_ORGS_MAX) {
		*field = "org_ids";
		*err = arena_printf(req->arena, "Scegli da 1 a %d enti.", FEEDBACK_ROUND_ORGS_MAX);
		return FEEDBACK_ROUND_INVALID;
	}
	if (feedback_db_template_get(req->db, req->arena, in->template_id, &t, &found) == -1)
		return FEEDBACK_ROUND_ERROR;
	if (!found || t.retired) {
		*field = "template_id";
		*err = "Modello non trovato o ritirato.";
		return FEEDBACK_ROUND_INVALID;
	}
	r.template_version_id = t.version_id;
	r.course_id = in->course_id;
	r.title = in->title;
	r.period_from = in->period_from;
	r.period_to = in->period_to;
	r.due_date = in->due_date;
	r.org_ids = in->org_ids;
	r.norgs = in->norgs;
	if (db_begin(req->db) == -1)
		return FEEDBACK_ROUND_ERROR;
	if ((*id = feedback_db_round_create(req->db, &r, req->user->id)) < 0) {
		bool missing = strcmp(db_sqlstate(req->db), "23503") == 0;
		db_rollback(req->db);
		if (!missing)
			return FEEDBACK_ROUND_ERROR;
		*field = "course_id";
		*err = "Corso o ente non trovato.";
		return FEEDBACK_ROUND_INVALID;
	}
	if (feedback_db_round_get(req->db, req->arena, *id, &round, &found) == -1 || !found ||
	    feedback_db_referents(req->db, req->arena, *id, 0, false, &refs, &nrefs) == -1 ||
	    feedback_mail_round(req->db, req->arena, *id, round.title, round.course_title,
				feedback_date(req->arena, round.due_date), refs, nrefs, false) == -1 ||
	    account_db_audit(req->db, req->user->id, "feedback_round_create", *id,
			     arena_printf(req->arena, "%d orgs, %d referents", in->norgs, nrefs),
			     req->client_addr) == -1 ||
	    db_commit(req->db) == -1) {
		db_rollback(req->db);
		return FEEDBACK_ROUND_ERROR;
	}
	return FEEDBACK_ROUND_OK;
}

static void
feedback_round_json(struct request *req, struct json_writer *w, const struct feedback_round *r,
		    int64_t only_org)
{
	struct feedback_round_org *orgs;
	int n = 0;

	json_obj_open(w, NULL);
	json_int(w, "id", r->id);
	json_str(w, "title", r->title);
	json_int(w, "template_id", r->template_id);
	json_str(w, "template_name", r->template_name);
	json_int(w, "template_version_id", r->template_version_id);
	json_int(w, "version", r->version);
	json_int(w, "course_id", r->course_id);
	json_str(w, "course_title", r->course_title);
	json_str(w, "period_from", r->period_from);
	json_str(w, "period_to", r->period_to);
	json_str(w, "due_date", r->due_date);
	json_bool(w, "closed", r->closed);
	json_str(w, "created_at", r->created_at);
	json_arr_open(w, "organisations");
	if (feedback_db_round_orgs(req->db, req->arena, r->id, &orgs, &n) == -1)
		req->body.err = 1;	/* reported as a 500 by the caller */
	for (int i = 0; i < n; i++) {
		if (only_org != 0 && orgs[i].org_id != only_org)
			continue;
		json_obj_open(w, NULL);
		json_int(w, "org_id", orgs[i].org_id);
		json_str(w, "name", orgs[i].org_name);
		json_str(w, "status", orgs[i].status);
		json_str(w, "submitted_at", orgs[i].submitted_at);
		json_str(w, "reminded_at", orgs[i].reminded_at);
		json_obj_close(w);
	}
	json_arr_close(w);
	json_obj_close(w);
}

/*
 * GET /api/v1/feedback/rounds: coordination and trainers every round,
 * referents those of their organisation (with it alone).  200; 401; 403;
 * 500.
 */
static int
feedback_api_rounds(struct request *req)
{
	bool all = req->user->roles & (FEEDBACK_COORD | ROLE_FORMATORE);
	struct feedback_round *rs = NULL;
	struct json_writer w;
	int n = 0;

	if (all ? feedback_db_rounds(req->db, req->arena, &rs, &n) == -1 :
	    req->user->org_id != 0 &&
	    feedback_db_rounds_for_org(req->db, req->arena, req->user->org_id, &rs, &n) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "rounds");
	for (int i = 0; i < n; i++)
		feedback_round_json(req, &w, &rs[i], all ? 0 : req->user->org_id);
	json_arr_close(&w);
	json_obj_close(&w);
	return req->body.err ? 500 : response_json(req, 200);
}

static const struct field feedback_api_round_fields[] = {
	{ "template_id", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "template_id" },
	{ "course_id", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "course_id" },
	{ "title", FIELD_BODY, VALID_TEXT, 1, 200, NULL, FIELD_REQUIRED, "title" },
	{ "period_from", FIELD_BODY, VALID_DATE, 20000101, 21001231, NULL, FIELD_REQUIRED, "period_from" },
	{ "period_to", FIELD_BODY, VALID_DATE, 20000101, 21001231, NULL, FIELD_REQUIRED, "period_to" },
	{ "due_date", FIELD_BODY, VALID_DATE, 20000101, 21001231, NULL, FIELD_REQUIRED, "due_date" },
	{ "org_ids", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED | FIELD_MULTI, "org_ids" },
};

/* The round input from req's validated fields (API and form share names). */
static void
feedback_round_input_read(struct request *req, struct feedback_round_input *in)
{
	const struct field_value *o;
	int n = 0;

	memset(in, 0, sizeof(*in));
	in->template_id = request_int(req, "template_id", 0);
	in->course_id = request_int(req, "course_id", 0);
	in->title = request_str(req, "title");
	in->period_from = request_str(req, "period_from");
	in->period_to = request_str(req, "period_to");
	in->due_date = request_str(req, "due_date");
	in->from_num = request_int(req, "period_from", 0);
	in->to_num = request_int(req, "period_to", 0);
	in->due_num = request_int(req, "due_date", 0);
	for (o = request_field(req, "org_ids"); o != NULL && o->present; o = o->next)
		n++;
	in->org_ids = arena_calloc(req->arena, (size_t)n + 1, sizeof(*in->org_ids));
	for (o = request_field(req, "org_ids"); o != NULL && o->present; o = o->next) {
		bool dup = false;
		for (int i = 0; i < in->norgs; i++)
			dup = dup || in->org_ids[i] == o->num;
		if (!dup)
			in->org_ids[in->norgs++] = o->num;
	}
}

/*
 * POST /api/v1/feedback/rounds {template_id, course_id, title,
 * period_from, period_to, due_date, org_ids}: the round, on the
 * template's latest version; the referents are mailed in the same
 * transaction.  201 the round; 400; 401; 403; 500.
 */
static int
feedback_api_round_post(struct request *req)
{
	struct feedback_round_input in;
	struct feedback_round r;
	struct json_writer w;
	const char *field, *err;
	int64_t id;
	bool found;

	feedback_round_input_read(req, &in);
	switch (feedback_round_new(req, &in, &id, &field, &err)) {
	case FEEDBACK_ROUND_OK:
		break;
	case FEEDBACK_ROUND_INVALID:
		return response_json_error(req, 400, "invalid", arena_printf(req->arena, "%s: %s", field, err));
	default:
		return 500;
	}
	if (feedback_db_round_get(req->db, req->arena, id, &r, &found) == -1 || !found)
		return 500;
	json_writer_init(&w, &req->body);
	feedback_round_json(req, &w, &r, 0);
	return req->body.err ? 500 : response_json(req, 201);
}

/* ---- reminders ---- */

/* Queues the reminders due, each (round, organisation) once (mail_sender_add_job). */
static void
feedback_reminders(struct db *db)
{
	struct arena *a = arena_new();
	struct feedback_reminder *rs;
	int n, rc = -1;

	if (db_begin(db) == -1 || feedback_db_reminders_claim(db, a, &rs, &n) == -1)
		goto out;
	for (int i = 0; i < n; i++) {
		struct feedback_referent *refs;
		int nrefs;
		if (feedback_db_referents(db, a, rs[i].round_id, rs[i].org_id, true, &refs, &nrefs) == -1 ||
		    feedback_mail_round(db, a, rs[i].round_id, rs[i].round_title, rs[i].course_title,
					rs[i].due_date, refs, nrefs, true) == -1)
			goto out;
	}
	if (n > 0 && db_commit(db) == -1)
		goto out;
	if (n > 0)
		log_info("feedback: %d reminders queued", n);
	rc = 0;
out:
	if (rc == -1)
		log_warnx("feedback: reminders not queued");
	db_rollback(db);
	arena_free(a);
}

/* ---- pages: the list and coordination ---- */

static const struct field feedback_list_fields[] = { RESPONSE_NOTICE_FIELD };

/*
 * GET /segnalazioni: a referent's rounds (their organisation's); for
 * coordination every round with its organisations.  200; 401; 403; 500.
 */
static int
feedback_list_page(struct request *req)
{
	struct tmpl_ctx *ctx = response_ctx(req, "Schede di segnalazione");
	bool coord = feedback_is_coord(req);
	struct feedback_round *rs = NULL;
	int n = 0;

	response_notice(req, ctx, feedback_notices, ARRAY_SIZE(feedback_notices));
	tmpl_set_bool(ctx, "is_coord", coord);
	if (coord ? feedback_db_rounds(req->db, req->arena, &rs, &n) == -1 :
	    req->user->org_id != 0 &&
	    feedback_db_rounds_for_org(req->db, req->arena, req->user->org_id, &rs, &n) == -1)
		return 500;
	tmpl_set_bool(ctx, "no_org", !coord && req->user->org_id == 0);
	tmpl_set_bool(ctx, "empty", n == 0);
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "rounds");
		tmpl_set_int(t, "id", rs[i].id);
		tmpl_set(t, "title", rs[i].title);
		tmpl_set(t, "course_title", rs[i].course_title);
		tmpl_set(t, "period_from", feedback_date(req->arena, rs[i].period_from));
		tmpl_set(t, "period_to", feedback_date(req->arena, rs[i].period_to));
		tmpl_set(t, "due_date", feedback_date(req->arena, rs[i].due_date));
		tmpl_set_bool(t, "overdue", rs[i].overdue);
		tmpl_set_bool(t, "closed", rs[i].closed);
		tmpl_set_int(t, "norgs", rs[i].norgs);
		tmpl_set_int(t, "nsubmitted", rs[i].nsubmitted);
		if (!coord) {
			tmpl_set_int(t, "org_id", rs[i].org_id);
			tmpl_set(t, "status", strcmp(rs[i].status, "submitted") == 0 ? "Inviata" :
				 strcmp(rs[i].status, "draft") == 0 ? "Bozza" : "Da compilare");
			continue;
		}
		{
			struct feedback_round_org *orgs;
			int no;
			if (feedback_db_round_orgs(req->db, req->arena, rs[i].id, &orgs, &no) == -1)
				return 500;
			for (int j = 0; j < no; j++) {
				struct tmpl_ctx *o = tmpl_list_add(t, "orgs");
				tmpl_set_int(o, "org_id", orgs[j].org_id);
				tmpl_set(o, "name", orgs[j].org_name);
				tmpl_set(o, "status", strcmp(orgs[j].status, "submitted") == 0 ? "inviata" :
					 strcmp(orgs[j].status, "draft") == 0 ? "bozza" : "da compilare");
			}
		}
	}
	return response_page(req, 200, "courses/feedback_list", ctx);
}

/* A sample definition for a new template: one question of each kind. */
static const char feedback_sample[] =
	"{\n  \"sections\": [\n    {\n      \"title\": \"Comprensione\",\n      \"questions\": [\n"
	"        {\"key\": \"q1\", \"kind\": \"likert\", \"text\": \"Quanto è chiaro lo strumento?\", "
	"\"required\": true,\n         \"labels\": [\"Per nulla\", \"Poco\", \"Abbastanza\", \"Molto\", \"Pienamente\"]},\n"
	"        {\"key\": \"q2\", \"kind\": \"long_text\", \"text\": \"Difficoltà incontrate\"}\n"
	"      ]\n    }\n  ]\n}";

/* Fills the preview of def (inputs disabled, a sample module row). */
static void
feedback_preview_fill(struct request *req, struct tmpl_ctx *ctx, const struct feedback_def *def)
{
	static struct feedback_module_figures sample = { 1, 1, "Modulo di esempio", 0, 0, 0, 0, 0, false };
	struct feedback_ctx fc;
	struct feedback_render r;
	struct tmpl_ctx *pv = tmpl_set_obj(ctx, "preview");

	memset(&fc, 0, sizeof(fc));
	fc.def = *def;
	fc.modules = &sample;
	fc.nmodules = 1;
	fc.module_ids = &sample.module_id;
	r = (struct feedback_render){ req, &fc, NULL, 0, false, true, 0, pv };
	feedback_sections_fill(&r, pv);
}

/* The template list and creation form, with status. */
static int
feedback_templates_render(struct request *req, int status)
{
	struct tmpl_ctx *ctx = response_ctx(req, "Modelli delle schede di segnalazione"), *form;
	struct feedback_template *ts;
	int n;

	if (feedback_db_templates(req->db, req->arena, true, &ts, &n) == -1)
		return 500;
	form = response_form(req, ctx);
	response_notice(req, ctx, feedback_notices, ARRAY_SIZE(feedback_notices));
	if (status == 200)
		tmpl_set(form, "definition", feedback_sample);
	tmpl_set_bool(ctx, "empty", n == 0);
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "templates");
		tmpl_set_int(t, "id", ts[i].id);
		tmpl_set(t, "name", ts[i].name);
		tmpl_set(t, "description", ts[i].description);
		tmpl_set_int(t, "version", ts[i].version);
		tmpl_set(t, "version_at", feedback_date(req->arena, ts[i].version_at));
		tmpl_set(t, "version_by", ts[i].version_by);
		tmpl_set_bool(t, "retired", ts[i].retired);
	}
	return response_page(req, status, "courses/feedback_templates", ctx);
}

/* GET /gestione/schede (coordination): 200; 401; 403; 500. */
static int
feedback_templates_page(struct request *req)
{
	return feedback_templates_render(req, 200);
}

static const struct field feedback_template_form_fields[] = {
	{ "name", FIELD_BODY, VALID_TEXT, 1, 200, NULL, FIELD_REQUIRED, "Nome" },
	{ "description", FIELD_BODY, VALID_TEXT, 0, 4000, NULL, FIELD_MULTILINE, "Descrizione" },
	{ "definition", FIELD_BODY, VALID_TEXT, 1, FEEDBACK_DEF_MAX, NULL, FIELD_REQUIRED | FIELD_MULTILINE,
	  "Definizione (JSON)" },
	RESPONSE_NOTICE_FIELD,
};

/* The definition field parsed, or NULL with its field error set. */
static bool
feedback_form_def(struct request *req, struct feedback_def *def)
{
	const char *text = request_str(req, "definition"), *err;

	if (text == NULL)
		return false;
	if (feedback_def_parse(req->arena, text, strlen(text), def, &err) == -1) {
		response_field_error(req, "definition", err);
		return false;
	}
	return true;
}

/* POST /gestione/schede: 303 to the template; 400 form; 401; 403; 500. */
static int
feedback_template_create_submit(struct request *req)
{
	struct feedback_def def;
	int64_t id;
	bool ok = feedback_form_def(req, &def);

	if (req->nerrors > 0 || !ok)
		return feedback_templates_render(req, 400);
	switch (feedback_template_save(req, 0, request_str(req, "name"), request_str(req, "description"), &def, &id)) {
	case FEEDBACK_SAVED:
		return response_redirect(req, arena_printf(req->arena, "/gestione/schede/%lld?esito=modello",
							   (long long)id));
	case FEEDBACK_SAVE_TAKEN:
		response_field_error(req, "name", "Esiste già un modello con questo nome.");
		return feedback_templates_render(req, 400);
	default:
		return 500;
	}
}

/* The edit page of template id, with status; preview of what the form holds if it parses. */
static int
feedback_template_render(struct request *req, int status, int64_t id)
{
	struct feedback_template t;
	struct feedback_def def;
	struct tmpl_ctx *ctx, *form;
	const char *err, *text;
	bool found;

	if (feedback_db_template_get(req->db, req->arena, id, &t, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Modello non trovato.");
	ctx = response_ctx(req, arena_printf(req->arena, "Modello «%s»", t.name));
	form = response_form(req, ctx);
	response_notice(req, ctx, feedback_notices, ARRAY_SIZE(feedback_notices));
	tmpl_set_int(ctx, "id", t.id);
	tmpl_set(ctx, "name", t.name);
	tmpl_set_int(ctx, "version", t.version);
	tmpl_set(ctx, "version_at", feedback_date(req->arena, t.version_at));
	tmpl_set(ctx, "version_by", t.version_by);
	tmpl_set_bool(ctx, "retired", t.retired);
	if (status == 200) {
		tmpl_set(form, "name", t.name);
		tmpl_set(form, "description", t.description);
		tmpl_set(form, "definition", feedback_def_pretty(req->arena, t.definition));
	}
	text = status == 200 ? t.definition : request_str(req, "definition");
	if (text != NULL && feedback_def_parse(req->arena, text, strlen(text), &def, &err) == 0)
		feedback_preview_fill(req, ctx, &def);
	return response_page(req, status, "courses/feedback_template", ctx);
}

static const struct field feedback_template_page_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Modello" },
	RESPONSE_NOTICE_FIELD,
};

/* GET /gestione/schede/{id}: 200; 401; 403; 404; 500. */
static int
feedback_template_page(struct request *req)
{
	return feedback_template_render(req, 200, request_int(req, "id", 0));
}

static const struct field feedback_template_edit_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Modello" },
	{ "name", FIELD_BODY, VALID_TEXT, 1, 200, NULL, FIELD_REQUIRED, "Nome" },
	{ "description", FIELD_BODY, VALID_TEXT, 0, 4000, NULL, FIELD_MULTILINE, "Descrizione" },
	{ "definition", FIELD_BODY, VALID_TEXT, 1, FEEDBACK_DEF_MAX, NULL, FIELD_REQUIRED | FIELD_MULTILINE,
	  "Definizione (JSON)" },
};

/* POST /gestione/schede/{id}: a new version; 303; 400 form; 401; 403; 404; 500. */
static int
feedback_template_edit_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0), saved;
	const char *description = request_str(req, "description");
	struct feedback_def def;
	bool ok = feedback_form_def(req, &def);

	if (req->nerrors > 0 || !ok)
		return feedback_template_render(req, 400, id);
	switch (feedback_template_save(req, id, request_str(req, "name"), description ? description : "",
				       &def, &saved)) {
	case FEEDBACK_SAVED:
		return response_redirect(req, arena_printf(req->arena, "/gestione/schede/%lld?esito=modello",
							   (long long)id));
	case FEEDBACK_SAVE_TAKEN:
		response_field_error(req, "name", "Esiste già un modello con questo nome.");
		return feedback_template_render(req, 400, id);
	case FEEDBACK_SAVE_MISSING:
		return response_error(req, 404, "Modello non trovato.");
	default:
		return 500;
	}
}

/* The rounds page: every round and the creation form, with status. */
static int
feedback_rounds_render(struct request *req, int status)
{
	struct tmpl_ctx *ctx = response_ctx(req, "Rilevazioni delle schede di segnalazione"), *form;
	struct feedback_template *ts;
	struct progress_choice *cs;
	struct feedback_round *rs;
	struct org_list orgs;
	int nt, nc, nr;

	if (feedback_db_templates(req->db, req->arena, false, &ts, &nt) == -1 ||
	    progress_db_courses(req->db, req->arena, true, &cs, &nc) == -1 ||
	    feedback_db_rounds(req->db, req->arena, &rs, &nr) == -1 ||
	    org_db_list(req->db, req->arena, &orgs) == -1)
		return 500;
	form = response_form(req, ctx);
	response_notice(req, ctx, feedback_notices, ARRAY_SIZE(feedback_notices));
	for (int i = 0; i < nt; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "templates");
		tmpl_set_int(t, "id", ts[i].id);
		tmpl_set(t, "name", arena_printf(req->arena, "%s (versione %d)", ts[i].name, ts[i].version));
		tmpl_set_bool(t, "selected", request_int(req, "template_id", 0) == ts[i].id);
	}
	for (int i = 0; i < nc; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "courses");
		tmpl_set_int(t, "id", cs[i].id);
		tmpl_set(t, "title", cs[i].label);
		tmpl_set_bool(t, "selected", request_int(req, "course_id", 0) == cs[i].id);
	}
	for (int i = 0; i < orgs.count; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "orgs");
		bool checked = false;
		for (const struct field_value *o = request_field(req, "org_ids"); o != NULL && o->present; o = o->next)
			checked = checked || o->num == orgs.items[i].id;
		tmpl_set_int(t, "id", orgs.items[i].id);
		tmpl_set(t, "path", orgs.items[i].path);
		tmpl_set_bool(t, "checked", checked);
	}
	tmpl_set_bool(ctx, "no_templates", nt == 0);
	tmpl_set_bool(ctx, "empty", nr == 0);
	for (int i = 0; i < nr; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "rounds");
		tmpl_set_int(t, "id", rs[i].id);
		tmpl_set(t, "title", rs[i].title);
		tmpl_set(t, "course_title", rs[i].course_title);
		tmpl_set(t, "template", arena_printf(req->arena, "%s v%d", rs[i].template_name, rs[i].version));
		tmpl_set(t, "due_date", feedback_date(req->arena, rs[i].due_date));
		tmpl_set_int(t, "norgs", rs[i].norgs);
		tmpl_set_int(t, "nsubmitted", rs[i].nsubmitted);
	}
	(void)form;
	return response_page(req, status, "courses/feedback_rounds", ctx);
}

/* GET /gestione/rilevazioni (coordination): 200; 401; 403; 500. */
static int
feedback_rounds_page(struct request *req)
{
	return feedback_rounds_render(req, 200);
}

static const struct field feedback_round_form_fields[] = {
	{ "template_id", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Modello" },
	{ "course_id", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Corso" },
	{ "title", FIELD_BODY, VALID_TEXT, 1, 200, NULL, FIELD_REQUIRED, "Titolo" },
	{ "period_from", FIELD_BODY, VALID_DATE, 20000101, 21001231, NULL, FIELD_REQUIRED, "Inizio del periodo" },
	{ "period_to", FIELD_BODY, VALID_DATE, 20000101, 21001231, NULL, FIELD_REQUIRED, "Fine del periodo" },
	{ "due_date", FIELD_BODY, VALID_DATE, 20000101, 21001231, NULL, FIELD_REQUIRED, "Scadenza" },
	{ "org_ids", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED | FIELD_MULTI, "Enti" },
	RESPONSE_NOTICE_FIELD,
};

/* POST /gestione/rilevazioni: 303 to /segnalazioni; 400 form; 401; 403; 500. */
static int
feedback_round_create_submit(struct request *req)
{
	struct feedback_round_input in;
	const char *field, *err;
	int64_t id;

	if (req->nerrors > 0)
		return feedback_rounds_render(req, 400);
	feedback_round_input_read(req, &in);
	switch (feedback_round_new(req, &in, &id, &field, &err)) {
	case FEEDBACK_ROUND_OK:
		return response_redirect(req, "/segnalazioni?esito=creata");
	case FEEDBACK_ROUND_INVALID:
		response_field_error(req, field, err);
		return feedback_rounds_render(req, 400);
	default:
		return 500;
	}
}

/* ---- demo ---- */

#define FEEDBACK_DEMO_NAME "Scheda di segnalazione dei referenti pilota"
#define FEEDBACK_DEMO_ROUND "Rilevazione sul primo ciclo di formazione"

/* The form the seed describes: understanding per module, difficulties, gaps, suggestions. */
static const char feedback_demo_definition[] =
	"{\"sections\": ["
	"{\"title\": \"Comprensione dei moduli\", \"questions\": ["
	" {\"key\": \"moduli\", \"kind\": \"module_grid\", \"required\": true,"
	"  \"text\": \"Per ogni modulo, quanto gli operatori del tuo ente hanno compreso lo strumento e quali "
	"difficoltà hanno riscontrato?\","
	"  \"help\": \"Accanto a ogni modulo trovi i dati reali del tuo ente: iscritti, avanzamento e "
	"superamento del test finale.\","
	"  \"columns\": ["
	"   {\"key\": \"comprensione\", \"kind\": \"likert\", \"text\": \"Comprensione\","
	"    \"labels\": [\"Per nulla\", \"Poco\", \"Abbastanza\", \"Molto\", \"Pienamente\"]},"
	"   {\"key\": \"difficolta\", \"kind\": \"long_text\", \"text\": \"Difficoltà riscontrate\"}]}]},"
	"{\"title\": \"Difficoltà e lacune\", \"questions\": ["
	" {\"key\": \"difficolta_generali\", \"kind\": \"long_text\", \"text\": \"Quali difficoltà generali "
	"hanno incontrato gli operatori nell'uso di SIGeSS?\"},"
	" {\"key\": \"lacune\", \"kind\": \"multiple\", \"required\": true, \"text\": \"In quali ambiti la "
	"formazione ha lasciato lacune?\","
	"  \"options\": [\"Segretariato sociale e PUA\", \"Cartella sociale e PAI\", \"Erogazione e "
	"rendicontazione\", \"Interoperabilità e debito informativo\", \"Uso generale della piattaforma\", "
	"\"Nessuna lacuna rilevante\"]},"
	" {\"key\": \"lacune_dettaglio\", \"kind\": \"long_text\", \"text\": \"Descrivi le lacune formative "
	"osservate\"},"
	" {\"key\": \"operatori\", \"kind\": \"number\", \"required\": true, \"text\": \"Quanti operatori del "
	"tuo ente sono coinvolti nell'uso dello strumento?\", \"min\": 0, \"max\": 10000}]},"
	"{\"title\": \"Suggerimenti\", \"questions\": ["
	" {\"key\": \"suggerimenti\", \"kind\": \"long_text\", \"text\": \"Suggerimenti per le prossime azioni "
	"formative\", \"help\": \"Per esempio un webinar di approfondimento, nuove esercitazioni, materiali da "
	"aggiornare.\"}]}]}";

/* The demo organisations asked: the demo referent's Municipio and two towns. */
static const struct {
	const char *name;
	const char *parent;
} feedback_demo_orgs[] = {
	{ "Municipio I", "Roma Capitale" },
	{ "Comune di Orvieto", NULL },
	{ "Comune di Gragnano", "Ambito sociale di Sant'Antonio Abate" },
};

static const struct db_stmt feedback_demo_has_round = {
	"feedback_demo_has_round",
	"SELECT count(*) FROM feedback_rounds r JOIN feedback_template_versions v ON v.id = r.template_version_id "
	"WHERE v.template_id = $1", 1
};

int
feedback_seed_demo(struct db *db, int64_t course_id)
{
	struct arena *a = arena_new();
	struct feedback_round_new r = { 0 };
	struct feedback_template t;
	struct feedback_def def;
	const char *err, *text;
	char tid[DB_INT_LEN];
	const char *params[1];
	int64_t id, orgs[ARRAY_SIZE(feedback_demo_orgs)];
	time_t now = time(NULL), due = now + 10 * 86400, from = now - 60 * 86400;
	struct tm tm;
	char d_from[16], d_to[16], d_due[16];
	bool found;
	int rc = -1;

	if (feedback_def_parse(a, feedback_demo_definition, strlen(feedback_demo_definition), &def, &err) == -1) {
		log_warnx("seed: demo feedback form refused: %s", err);
		goto out;
	}
	if ((text = feedback_def_text_of(a, &def)) == NULL || db_begin(db) == -1)
		goto out;
	if ((id = feedback_db_template_create(db, FEEDBACK_DEMO_NAME,
					      "Il modulo che i referenti pilota compilano per il proprio ente: "
					      "comprensione per modulo, difficoltà, lacune formative e suggerimenti.",
					      text, 0)) < 0)
		goto out;
	if (id == 0) {
		/* Seeded before: keep whatever coordination made of it. */
		rc = 0;
		goto out;
	}
	params[0] = db_int_param(tid, id);
	if (db_query_int(db, &feedback_demo_has_round, params) != 0 ||
	    feedback_db_template_get(db, a, id, &t, &found) == -1 || !found)
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(feedback_demo_orgs); i++) {
		int64_t parent = 0;
		if (feedback_demo_orgs[i].parent != NULL &&
		    (parent = org_db_find(db, feedback_demo_orgs[i].parent, 0)) <= 0)
			goto out;
		if ((orgs[i] = org_db_find(db, feedback_demo_orgs[i].name, parent)) <= 0) {
			log_warnx("seed: no organisation \"%s\" for the demo feedback round",
				  feedback_demo_orgs[i].name);
			goto out;
		}
	}
	gmtime_r(&from, &tm);
	strftime(d_from, sizeof(d_from), "%Y-%m-%d", &tm);
	gmtime_r(&now, &tm);
	strftime(d_to, sizeof(d_to), "%Y-%m-%d", &tm);
	gmtime_r(&due, &tm);
	strftime(d_due, sizeof(d_due), "%Y-%m-%d", &tm);
	r.template_version_id = t.version_id;
	r.course_id = course_id;
	r.title = FEEDBACK_DEMO_ROUND;
	r.period_from = d_from;
	r.period_to = d_to;
	r.due_date = d_due;
	r.org_ids = orgs;
	r.norgs = (int)ARRAY_SIZE(orgs);
	if (feedback_db_round_create(db, &r, 0) <= 0 || db_commit(db) == -1)
		goto out;
	log_info("seed: demo feedback form and round created");
	rc = 0;
out:
	db_rollback(db);
	arena_free(a);
	return rc;
}

/* ---- routes ---- */

static const struct field feedback_none_fields[] = { RESPONSE_NOTICE_FIELD };

static struct route feedback_routes[] = {
	{ METHOD_GET, "/segnalazioni", feedback_list_page, FEEDBACK_USERS, 0,
	  ROUTER_FIELDS(feedback_list_fields), "feedback.list" },
	{ METHOD_GET, "/segnalazioni/{round}/{org}", feedback_form_page, FEEDBACK_USERS, 0,
	  ROUTER_FIELDS(feedback_page_fields), "feedback.form" },
	{ METHOD_POST, "/segnalazioni/{round}/{org}", feedback_form_submit, FEEDBACK_USERS, ROUTE_FORM,
	  NULL, 0, "feedback.form.save" },
	{ METHOD_POST, "/segnalazioni/{round}/{org}/riapri", feedback_reopen_submit, FEEDBACK_COORD, 0,
	  ROUTER_FIELDS(feedback_reopen_fields), "feedback.reopen" },
	{ METHOD_GET, "/gestione/schede", feedback_templates_page, FEEDBACK_COORD, 0,
	  ROUTER_FIELDS(feedback_none_fields), "feedback.templates" },
	{ METHOD_POST, "/gestione/schede", feedback_template_create_submit, FEEDBACK_COORD, ROUTE_FORM,
	  ROUTER_FIELDS(feedback_template_form_fields), "feedback.templates.create" },
	{ METHOD_GET, "/gestione/schede/{id}", feedback_template_page, FEEDBACK_COORD, 0,
	  ROUTER_FIELDS(feedback_template_page_fields), "feedback.template" },
	{ METHOD_POST, "/gestione/schede/{id}", feedback_template_edit_submit, FEEDBACK_COORD, ROUTE_FORM,
	  ROUTER_FIELDS(feedback_template_edit_fields), "feedback.template.edit" },
	{ METHOD_GET, "/gestione/rilevazioni", feedback_rounds_page, FEEDBACK_COORD, 0,
	  ROUTER_FIELDS(feedback_none_fields), "feedback.rounds" },
	{ METHOD_POST, "/gestione/rilevazioni", feedback_round_create_submit, FEEDBACK_COORD, ROUTE_FORM,
	  ROUTER_FIELDS(feedback_round_form_fields), "feedback.rounds.create" },
	{ METHOD_GET, "/api/v1/feedback/templates", feedback_api_templates, FEEDBACK_READERS, ROUTE_API,
	  NULL, 0, "api.feedback.templates" },
	{ METHOD_POST, "/api/v1/feedback/templates", feedback_api_template_post, FEEDBACK_COORD, ROUTE_API,
	  ROUTER_FIELDS(feedback_api_template_fields), "api.feedback.templates.create" },
	{ METHOD_GET, "/api/v1/feedback/rounds", feedback_api_rounds, FEEDBACK_USERS | ROLE_FORMATORE,
	  ROUTE_API, NULL, 0, "api.feedback.rounds" },
	{ METHOD_POST, "/api/v1/feedback/rounds", feedback_api_round_post, FEEDBACK_COORD, ROUTE_API,
	  ROUTER_FIELDS(feedback_api_round_fields), "api.feedback.rounds.create" },
	{ METHOD_GET, "/api/v1/feedback/rounds/{id}/responses/{org_id}", feedback_api_response_get,
	  FEEDBACK_USERS, ROUTE_API, ROUTER_FIELDS(feedback_api_response_fields), "api.feedback.response" },
	{ METHOD_PUT, "/api/v1/feedback/rounds/{id}/responses/{org_id}", feedback_api_response_put,
	  FEEDBACK_USERS, ROUTE_API, ROUTER_FIELDS(feedback_api_response_fields), "api.feedback.response.put" },
	{ METHOD_POST, "/api/v1/feedback/rounds/{id}/responses/{org_id}/submit", feedback_api_submit,
	  FEEDBACK_USERS, ROUTE_API, ROUTER_FIELDS(feedback_api_response_fields), "api.feedback.response.submit" },
	{ METHOD_POST, "/api/v1/feedback/rounds/{id}/responses/{org_id}/reopen", feedback_api_reopen,
	  FEEDBACK_COORD, ROUTE_API, ROUTER_FIELDS(feedback_api_response_fields), "api.feedback.response.reopen" },
};

void
feedback_register(struct router *r, const struct config *cfg)
{
	feedback_cfg = cfg;
	feedback_form_fields_init();
	for (size_t i = 0; i < ARRAY_SIZE(feedback_routes); i++)
		if (feedback_routes[i].handler == feedback_form_submit) {
			feedback_routes[i].fields = feedback_form_fields;
			feedback_routes[i].nfields = ARRAY_SIZE(feedback_form_fields);
		}
	router_add(r, feedback_routes, ARRAY_SIZE(feedback_routes));
	mail_sender_add_job(feedback_reminders);
}
