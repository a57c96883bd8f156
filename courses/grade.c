/*
 * grade.c - parsing, writing and grading of quiz questions (see grade.h).
 *
 * Everything here is pure: no database, no HTTP, no logging of client
 * input (a bad key or a forged answer is the caller's 4xx).  Keys and
 * answers are checked strictly, member by member, because both arrive
 * from the network: an answer that names a choice the question does not
 * have must never reach grade_score().  grade_score() still bounds every
 * id it reads, so a hand-built answer cannot index out of the arrays.
 */
#include "compat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "grade.h"
#include "log.h"
#include "valid.h"

/* Longest number grade_number_parse() takes (a person types a few digits). */
#define GRADE_NUMBER_MAX 64

/* Absolute slack of the numeric comparison, for binary rounding. */
#define GRADE_NUMERIC_EPS 1e-9

static const char *const grade_kind_names[] = {
	"single", "multiple", "truefalse", "matching", "short", "numeric"
};
static const char *const grade_kind_labels[] = {
	"Scelta singola", "Scelta multipla", "Vero o falso", "Abbinamento",
	"Risposta breve", "Risposta numerica"
};
static const char *const grade_method_names[] = { "highest", "last", "average", "first" };

static const char GRADE_BAD_CHOICE[] = "Scelta non valida per questa domanda.";
static const char GRADE_BAD_MATCH[] = "Abbinamento non valido per questa domanda.";

/* Stores msg in *err and fails (git's `return error(...)`). */
static int
grade_fail(const char **err, const char *msg)
{
	*err = msg;
	return -1;
}

int
grade_kind_parse(const char *name, enum grade_kind *out)
{
	for (size_t i = 0; name != NULL && i < ARRAY_SIZE(grade_kind_names); i++)
		if (strcmp(name, grade_kind_names[i]) == 0) {
			*out = (enum grade_kind)i;
			return 0;
		}
	return -1;
}

/* An out-of-range kind or method is a broken invariant, never input:
 * every value comes from the *_parse() functions or the enum itself. */
const char *
grade_kind_name(enum grade_kind kind)
{
	if ((size_t)kind >= ARRAY_SIZE(grade_kind_names))
		fatalx("grade: bad kind %d", (int)kind);
	return grade_kind_names[kind];
}

const char *
grade_kind_label(enum grade_kind kind)
{
	if ((size_t)kind >= ARRAY_SIZE(grade_kind_labels))
		fatalx("grade: bad kind %d", (int)kind);
	return grade_kind_labels[kind];
}

int
grade_method_parse(const char *name, enum grade_method *out)
{
	for (size_t i = 0; name != NULL && i < ARRAY_SIZE(grade_method_names); i++)
		if (strcmp(name, grade_method_names[i]) == 0) {
			*out = (enum grade_method)i;
			return 0;
		}
	return -1;
}

const char *
grade_method_name(enum grade_method m)
{
	if ((size_t)m >= ARRAY_SIZE(grade_method_names))
		fatalx("grade: bad method %d", (int)m);
	return grade_method_names[m];
}

/*
 * Numbers.
 */

/*
 * The finite double of a JSON NUMBER.  The parser keeps the literal as
 * text in RFC 8259 grammar; the character check guards hand-built trees
 * against what strtod() would also take ("nan", "inf", "0x10", spaces).
 * strtod() reads '.' because the program never calls setlocale().
 */
static int
grade_json_double(const struct json_value *v, double *out)
{
	char *end;
	double d;

	if (v == NULL || v->type != JSON_NUMBER || v->str == NULL || v->str[0] == '\0')
		return -1;
	if (strspn(v->str, "0123456789+-.eE") != strlen(v->str))
		return -1;
	errno = 0;
	d = strtod(v->str, &end);
	if (end == v->str || *end != '\0' || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

/*
 * Writes the shortest "%.*g" form of d that reads back as the same
 * double, so that 0.1 is stored as 0.1 and a round trip is exact.  d must
 * be finite ("%g" of a finite double is valid JSON: "1e+20", "-0").
 */
static void
grade_json_number(struct json_writer *w, const char *key, double d)
{
	char num[40];

	if (!isfinite(d)) {
		json_null(w, key);	/* never produced by the parsers */
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(num, sizeof(num), "%.*g", prec, d);
		if (strtod(num, NULL) == d)
			break;
	}
	json_raw(w, key, num);
}

static bool
grade_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool
grade_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Checks the grammar by hand before strtod() sees anything, because
 * strtod() alone would take "inf", "nan", "0x10" and leading spaces,
 * and would stop silently at the "," of "1,000.5".
 */
int
grade_number_parse(const char *s, double *out)
{
	char num[GRADE_NUMBER_MAX + 1];
	size_t len, i = 0, digits = 0;
	char *end;
	double d;

	if (s == NULL)
		return -1;
	while (grade_is_space((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && grade_is_space((unsigned char)s[len - 1]))
		len--;
	if (len == 0 || len > GRADE_NUMBER_MAX)
		return -1;
	memcpy(num, s, len);
	num[len] = '\0';

	if (num[i] == '+' || num[i] == '-')
		i++;
	while (grade_is_digit(num[i])) {
		i++;
		digits++;
	}
	if (num[i] == '.' || num[i] == ',') {
		num[i++] = '.';
		while (grade_is_digit(num[i])) {
			i++;
			digits++;
		}
	}
	if (digits == 0)
		return -1;
	if (num[i] == 'e' || num[i] == 'E') {
		i++;
		if (num[i] == '+' || num[i] == '-')
			i++;
		if (!grade_is_digit(num[i]))
			return -1;
		while (grade_is_digit(num[i]))
			i++;
	}
	if (i != len)
		return -1;
	errno = 0;
	d = strtod(num, &end);
	if (*end != '\0' || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

/*
 * Text folding.
 */

/* What a code point folds to: the ASCII letters without the diacritic. */
struct grade_fold_range {
	uint32_t lo, hi;
	const char *to;
};

/* Latin-1 Supplement letters and Latin Extended-A, in code point order;
 * × (U+00D7) and ÷ (U+00F7) are not letters and stay. */
static const struct grade_fold_range grade_fold_table[] = {
	{ 0x00C0, 0x00C5, "a" }, { 0x00C6, 0x00C6, "ae" }, { 0x00C7, 0x00C7, "c" },
	{ 0x00C8, 0x00CB, "e" }, { 0x00CC, 0x00CF, "i" }, { 0x00D0, 0x00D0, "d" },
	{ 0x00D1, 0x00D1, "n" }, { 0x00D2, 0x00D6, "o" }, { 0x00D8, 0x00D8, "o" },
	{ 0x00D9, 0x00DC, "u" }, { 0x00DD, 0x00DD, "y" }, { 0x00DE, 0x00DE, "th" },
	{ 0x00DF, 0x00DF, "ss" },
	{ 0x00E0, 0x00E5, "a" }, { 0x00E6, 0x00E6, "ae" }, { 0x00E7, 0x00E7, "c" },
	{ 0x00E8, 0x00EB, "e" }, { 0x00EC, 0x00EF, "i" }, { 0x00F0, 0x00F0, "d" },
	{ 0x00F1, 0x00F1, "n" }, { 0x00F2, 0x00F6, "o" }, { 0x00F8, 0x00F8, "o" },
	{ 0x00F9, 0x00FC, "u" }, { 0x00FD, 0x00FD, "y" }, { 0x00FE, 0x00FE, "th" },
	{ 0x00FF, 0x00FF, "y" },
	{ 0x0100, 0x0105, "a" }, { 0x0106, 0x010D, "c" }, { 0x010E, 0x0111, "d" },
	{ 0x0112, 0x011B, "e" }, { 0x011C, 0x0123, "g" }, { 0x0124, 0x0127, "h" },
	{ 0x0128, 0x0131, "i" }, { 0x0132, 0x0133, "ij" }, { 0x0134, 0x0135, "j" },
	{ 0x0136, 0x0138, "k" }, { 0x0139, 0x0142, "l" }, { 0x0143, 0x0148, "n" },
	{ 0x0149, 0x0149, "'n" }, { 0x014A, 0x014B, "n" }, { 0x014C, 0x0151, "o" },
	{ 0x0152, 0x0153, "oe" }, { 0x0154, 0x0159, "r" }, { 0x015A, 0x0161, "s" },
	{ 0x0162, 0x0167, "t" }, { 0x0168, 0x0173, "u" }, { 0x0174, 0x0175, "w" },
	{ 0x0176, 0x0178, "y" }, { 0x0179, 0x017E, "z" }, { 0x017F, 0x017F, "s" },
	/* Apostrophes as phones and word processors type them (’ ‘ ʼ). */
	{ 0x02BC, 0x02BC, "'" }, { 0x2018, 0x2019, "'" },
};

/* Non-ASCII white space a pasted answer may carry (no-break and
 * typographic spaces). */
static bool
grade_is_wide_space(uint32_t cp)
{
	return cp == 0x00A0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
	    cp == 0x205F || cp == 0x3000;
}

static const char *
grade_fold_cp(uint32_t cp)
{
	for (size_t i = 0; i < ARRAY_SIZE(grade_fold_table); i++)
		if (cp >= grade_fold_table[i].lo && cp <= grade_fold_table[i].hi)
			return grade_fold_table[i].to;
	return NULL;
}

/*
 * Folds s into dst, which has room for strlen(s) + 1 bytes: no mapping is
 * longer than the UTF-8 it replaces (two-byte letters give at most two
 * ASCII bytes), so the result never grows.  Combining diacritical marks
 * (U+0300..U+036F) are dropped, so decomposed input ("e" + U+0301) folds
 * like precomposed.  Bytes that are not UTF-8 are copied as they are.
 */
static void
grade_fold_into(char *dst, const char *s)
{
	size_t n = strlen(s), i = 0, o = 0;
	bool space = false;	/* a run of white space is pending */

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		const char *to = NULL;
		uint32_t cp;
		size_t k;

		if (c < 0x80) {
			cp = c;
			k = 1;
		} else if ((k = valid_utf8_char(s + i, n - i, &cp)) == 0) {
			cp = 0xFFFD;	/* copied raw below */
			k = 1;
		}
		if ((cp < 0x80 && grade_is_space((unsigned char)cp)) || grade_is_wide_space(cp)) {
			space = true;
			i += k;
			continue;
		}
		if (cp >= 0x0300 && cp <= 0x036F) {
			i += k;
			continue;
		}
		/* One space between words, none at the ends. */
		if (space && o > 0)
			dst[o++] = ' ';
		space = false;
		if (cp < 0x80) {
			dst[o++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		} else if (cp >= 0xC0 && (to = grade_fold_cp(cp)) != NULL) {
			size_t tl = strlen(to);

			memcpy(dst + o, to, tl);
			o += tl;
		} else {
			memcpy(dst + o, s + i, k);
			o += k;
		}
		i += k;
	}
	dst[o] = '\0';
}

const char *
grade_text_fold(struct arena *a, const char *s)
{
	char *dst;

	if (s == NULL)
		s = "";
	dst = arena_alloc(a, strlen(s) + 1);
	grade_fold_into(dst, s);
	return dst;
}

/* grade_fold_into() on the heap, for grade_score(), which has no arena. */
static char *
grade_fold_dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *dst = malloc(n);

	if (dst == NULL)
		log_oom(n);
	grade_fold_into(dst, s);
	return dst;
}

/*
 * Keys.
 */

/* Only the names in allowed (NULL-terminated) may be members of obj. */
static int
grade_members(struct arena *a, const struct json_value *obj, const char *const *allowed,
	      const char *where, const char **err)
{
	for (const struct json_value *m = obj->child; m != NULL; m = m->next) {
		size_t i;

		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(m->key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			return grade_fail(err, arena_printf(a, "%s: campo sconosciuto «%s».",
							    where, m->key));
	}
	return 0;
}

/*
 * A text of a key (choice, prompt, match, accepted answer): a string of
 * valid UTF-8 without control characters, 1..GRADE_TEXT_MAX code points,
 * not only white space; copied into a.
 */
static int
grade_key_text(struct arena *a, const struct json_value *v, const char *where,
	       const char **out, const char **err)
{
	size_t n, i;

	if (v == NULL || v->type != JSON_STRING)
		return grade_fail(err, arena_printf(a, "%s: manca il testo.", where));
	if (!valid_utf8(v->str, v->len))
		return grade_fail(err, arena_printf(a, "%s: il testo non è UTF-8 valido.", where));
	n = valid_utf8_length(v->str, v->len);
	for (i = 0; i < v->len && grade_is_space((unsigned char)v->str[i]); i++)
		continue;
	if (n == 0 || i == v->len || n > GRADE_TEXT_MAX)
		return grade_fail(err, arena_printf(a, "%s: il testo deve avere da 1 a %d caratteri.",
						    where, GRADE_TEXT_MAX));
	*out = arena_strndup(a, v->str, v->len);
	return 0;
}

static int
grade_parse_choices(struct arena *a, enum grade_kind kind, const struct json_value *spec,
		    struct grade_question *q, const char **err)
{
	static const char *const top[] = { "choices", NULL };
	static const char *const member[] = { "text", "correct", NULL };
	const struct json_value *arr, *c;
	int ncorrect = 0;

	if (grade_members(a, spec, top, "Domanda", err) == -1)
		return -1;
	arr = json_get(spec, "choices");
	if (arr == NULL || arr->type != JSON_ARRAY)
		return grade_fail(err, "La domanda deve avere un elenco di scelte (\"choices\").");
	if (arr->count < 2 || arr->count > GRADE_ITEMS_MAX)
		return grade_fail(err, arena_printf(a, "Servono da 2 a %d scelte.", GRADE_ITEMS_MAX));
	for (c = arr->child; c != NULL; c = c->next) {
		struct grade_item *it = &q->items[q->nitems];
		const char *where = arena_printf(a, "Scelta %d", q->nitems + 1);
		const struct json_value *ok;

		if (c->type != JSON_OBJECT)
			return grade_fail(err, arena_printf(a, "%s: deve essere un oggetto.", where));
		if (grade_members(a, c, member, where, err) == -1 ||
		    grade_key_text(a, json_get(c, "text"), where, &it->text, err) == -1)
			return -1;
		ok = json_get(c, "correct");
		if (ok == NULL || ok->type != JSON_BOOL)
			return grade_fail(err, arena_printf(a, "%s: indicare se è corretta "
							    "(\"correct\": true o false).", where));
		it->correct = ok->boolean;
		ncorrect += it->correct;
		q->nitems++;
	}
	if (kind == GRADE_SINGLE && ncorrect != 1)
		return grade_fail(err, "Una domanda a scelta singola ha esattamente una scelta corretta.");
	if (kind == GRADE_MULTIPLE && ncorrect == 0)
		return grade_fail(err, "Una domanda a scelta multipla ha almeno una scelta corretta.");
	return 0;
}

static int
grade_parse_pairs(struct arena *a, const struct json_value *spec, struct grade_question *q,
		  const char **err)
{
	static const char *const top[] = { "pairs", NULL };
	static const char *const member[] = { "prompt", "match", NULL };
	const struct json_value *arr, *p;

	if (grade_members(a, spec, top, "Domanda", err) == -1)
		return -1;
	arr = json_get(spec, "pairs");
	if (arr == NULL || arr->type != JSON_ARRAY)
		return grade_fail(err, "La domanda deve avere un elenco di coppie (\"pairs\").");
	if (arr->count < 2 || arr->count > GRADE_ITEMS_MAX)
		return grade_fail(err, arena_printf(a, "Servono da 2 a %d coppie.", GRADE_ITEMS_MAX));
	for (p = arr->child; p != NULL; p = p->next) {
		struct grade_item *it = &q->items[q->nitems];
		const char *where = arena_printf(a, "Coppia %d", q->nitems + 1);

		if (p->type != JSON_OBJECT)
			return grade_fail(err, arena_printf(a, "%s: deve essere un oggetto.", where));
		if (grade_members(a, p, member, where, err) == -1 ||
		    grade_key_text(a, json_get(p, "prompt"), where, &it->text, err) == -1 ||
		    grade_key_text(a, json_get(p, "match"), where, &it->match, err) == -1)
			return -1;
		q->nitems++;
	}
	return 0;
}

static int
grade_parse_accepted(struct arena *a, const struct json_value *spec, struct grade_question *q,
		     const char **err)
{
	static const char *const top[] = { "accepted", NULL };
	const struct json_value *arr, *s;

	if (grade_members(a, spec, top, "Domanda", err) == -1)
		return -1;
	arr = json_get(spec, "accepted");
	if (arr == NULL || arr->type != JSON_ARRAY)
		return grade_fail(err, "La domanda deve avere un elenco di risposte accettate "
				  "(\"accepted\").");
	if (arr->count < 1 || arr->count > GRADE_ACCEPTED_MAX)
		return grade_fail(err, arena_printf(a, "Servono da 1 a %d risposte accettate.",
						    GRADE_ACCEPTED_MAX));
	for (s = arr->child; s != NULL; s = s->next) {
		const char *where = arena_printf(a, "Risposta accettata %d", q->naccepted + 1);

		if (grade_key_text(a, s, where, &q->accepted[q->naccepted], err) == -1)
			return -1;
		q->naccepted++;
	}
	return 0;
}

static int
grade_parse_numeric(struct arena *a, const struct json_value *spec, struct grade_question *q,
		    const char **err)
{
	static const char *const top[] = { "value", "tolerance", NULL };

	if (grade_members(a, spec, top, "Domanda", err) == -1)
		return -1;
	if (grade_json_double(json_get(spec, "value"), &q->value) == -1)
		return grade_fail(err, "Il valore corretto (\"value\") deve essere un numero finito.");
	if (grade_json_double(json_get(spec, "tolerance"), &q->tolerance) == -1 ||
	    !(q->tolerance >= 0))
		return grade_fail(err, "La tolleranza (\"tolerance\") deve essere un numero "
				  "finito maggiore o uguale a zero.");
	return 0;
}

int
grade_question_parse(struct arena *a, enum grade_kind kind, const struct json_value *spec,
		     struct grade_question *out, const char **err)
{
	static const char *const tf[] = { "answer", NULL };
	const struct json_value *v;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->kind = kind;
	if (spec == NULL || spec->type != JSON_OBJECT) {
		*err = "La chiave della domanda deve essere un oggetto JSON.";
		goto out;
	}
	switch (kind) {
	case GRADE_SINGLE:
	case GRADE_MULTIPLE:
		rc = grade_parse_choices(a, kind, spec, out, err);
		break;
	case GRADE_TRUEFALSE:
		if (grade_members(a, spec, tf, "Domanda", err) == -1)
			break;
		v = json_get(spec, "answer");
		if (v == NULL || v->type != JSON_BOOL) {
			*err = "La risposta corretta (\"answer\") deve essere true o false.";
			break;
		}
		out->truth = v->boolean;
		rc = 0;
		break;
	case GRADE_MATCHING:
		rc = grade_parse_pairs(a, spec, out, err);
		break;
	case GRADE_SHORT:
		rc = grade_parse_accepted(a, spec, out, err);
		break;
	case GRADE_NUMERIC:
		rc = grade_parse_numeric(a, spec, out, err);
		break;
	default:
		*err = "Tipo di domanda sconosciuto.";
		break;
	}
out:
	if (rc == -1) {
		/* Leave no half-parsed key behind. */
		memset(out, 0, sizeof(*out));
		out->kind = kind;
	}
	return rc;
}

void
grade_question_json(struct json_writer *w, const char *key, const struct grade_question *q)
{
	json_obj_open(w, key);
	switch (q->kind) {
	case GRADE_SINGLE:
	case GRADE_MULTIPLE:
		json_arr_open(w, "choices");
		for (int i = 0; i < q->nitems; i++) {
			json_obj_open(w, NULL);
			json_str(w, "text", q->items[i].text);
			json_bool(w, "correct", q->items[i].correct);
			json_obj_close(w);
		}
		json_arr_close(w);
		break;
	case GRADE_TRUEFALSE:
		json_bool(w, "answer", q->truth);
		break;
	case GRADE_MATCHING:
		json_arr_open(w, "pairs");
		for (int i = 0; i < q->nitems; i++) {
			json_obj_open(w, NULL);
			json_str(w, "prompt", q->items[i].text);
			json_str(w, "match", q->items[i].match);
			json_obj_close(w);
		}
		json_arr_close(w);
		break;
	case GRADE_SHORT:
		json_arr_open(w, "accepted");
		for (int i = 0; i < q->naccepted; i++)
			json_str(w, NULL, q->accepted[i]);
		json_arr_close(w);
		break;
	case GRADE_NUMERIC:
		grade_json_number(w, "value", q->value);
		grade_json_number(w, "tolerance", q->tolerance);
		break;
	}
	json_obj_close(w);
}

/*
 * Answers.
 */

/* True if id (1-based) is an option q offers: the first pair with its match text. */
static bool
grade_is_option(const struct grade_question *q, long long id)
{
	if (id < 1 || id > q->nitems)
		return false;
	for (long long i = 0; i < id - 1; i++)
		if (strcmp(q->items[i].match, q->items[id - 1].match) == 0)
			return false;
	return true;
}

/* A pair id written as a member name: "1".."nitems", no sign, no zero padding. */
static int
grade_pair_key(const struct grade_question *q, const char *key)
{
	int id = 0;

	if (key == NULL || key[0] == '\0' || key[0] == '0' || strlen(key) > 2)
		return -1;
	for (const char *p = key; *p != '\0'; p++) {
		if (!grade_is_digit(*p))
			return -1;
		id = id * 10 + (*p - '0');
	}
	return id <= q->nitems ? id : -1;
}

static int
grade_answer_choices(const struct grade_question *q, const struct json_value *arr,
		     struct grade_answer *out, const char **err)
{
	bool seen[GRADE_ITEMS_MAX] = { false };

	if (arr == NULL || arr->type != JSON_ARRAY)
		return grade_fail(err, "Risposta non valida: servono le scelte (\"choices\").");
	for (const struct json_value *c = arr->child; c != NULL; c = c->next) {
		long long id;
		int j;

		if (json_get_int(c, &id) == -1 || id < 1 || id > q->nitems)
			return grade_fail(err, GRADE_BAD_CHOICE);
		if (seen[id - 1])
			return grade_fail(err, "La stessa scelta è indicata più volte.");
		seen[id - 1] = true;
		/* Insertion keeps ids ascending: at most GRADE_ITEMS_MAX of them. */
		for (j = out->nids; j > 0 && out->ids[j - 1] > id; j--)
			out->ids[j] = out->ids[j - 1];
		out->ids[j] = (int)id;
		out->nids++;
	}
	return 0;
}

static int
grade_answer_matches(const struct grade_question *q, const struct json_value *obj,
		     struct grade_answer *out, const char **err)
{
	if (obj == NULL || obj->type != JSON_OBJECT)
		return grade_fail(err, "Risposta non valida: servono gli abbinamenti (\"matches\").");
	for (const struct json_value *m = obj->child; m != NULL; m = m->next) {
		int pair = grade_pair_key(q, m->key);
		long long opt;

		if (pair == -1 || json_get_int(m, &opt) == -1 || !grade_is_option(q, opt))
			return grade_fail(err, GRADE_BAD_MATCH);
		/* The parser refuses duplicate names; a hand-built tree may not. */
		if (out->matches[pair - 1] != 0)
			return grade_fail(err, "Lo stesso elemento è abbinato più volte.");
		out->matches[pair - 1] = (int)opt;
	}
	return 0;
}

int
grade_answer_parse(struct arena *a, const struct grade_question *q,
		   const struct json_value *answer, struct grade_answer *out, const char **err)
{
	static const char *const single[] = { "choice", NULL };
	static const char *const multiple[] = { "choices", NULL };
	static const char *const matching[] = { "matches", NULL };
	static const char *const text[] = { "text", NULL };
	static const char *const value[] = { "value", NULL };
	const struct json_value *v;
	long long id;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (answer == NULL || answer->type != JSON_OBJECT) {
		*err = "La risposta deve essere un oggetto JSON.";
		goto out;
	}
	switch (q->kind) {
	case GRADE_SINGLE:
		v = json_get(answer, "choice");
		/* Say plainly what a client sending a list or "choices" did wrong. */
		if (json_get(answer, "choices") != NULL || (v != NULL && v->type == JSON_ARRAY)) {
			*err = "Per questa domanda si può indicare una sola scelta.";
			break;
		}
		if (grade_members(a, answer, single, "Risposta", err) == -1)
			break;
		if (json_get_int(v, &id) == -1 || id < 1 || id > q->nitems) {
			*err = GRADE_BAD_CHOICE;
			break;
		}
		out->ids[0] = (int)id;
		out->nids = 1;
		rc = 0;
		break;
	case GRADE_MULTIPLE:
		if (grade_members(a, answer, multiple, "Risposta", err) == -1)
			break;
		rc = grade_answer_choices(q, json_get(answer, "choices"), out, err);
		break;
	case GRADE_TRUEFALSE:
		if (grade_members(a, answer, value, "Risposta", err) == -1)
			break;
		v = json_get(answer, "value");
		if (v == NULL || v->type != JSON_BOOL) {
			*err = "Risposta non valida: indicare vero o falso.";
			break;
		}
		out->truth = v->boolean;
		rc = 0;
		break;
	case GRADE_MATCHING:
		if (grade_members(a, answer, matching, "Risposta", err) == -1)
			break;
		rc = grade_answer_matches(q, json_get(answer, "matches"), out, err);
		break;
	case GRADE_SHORT:
		if (grade_members(a, answer, text, "Risposta", err) == -1)
			break;
		v = json_get(answer, "text");
		if (v == NULL || v->type != JSON_STRING) {
			*err = "Risposta non valida: manca il testo.";
			break;
		}
		if (!valid_utf8(v->str, v->len)) {
			*err = "Il testo della risposta non è UTF-8 valido.";
			break;
		}
		if (valid_utf8_length(v->str, v->len) > GRADE_TEXT_MAX) {
			*err = arena_printf(a, "La risposta può avere al massimo %d caratteri.",
					    GRADE_TEXT_MAX);
			break;
		}
		out->text = arena_strndup(a, v->str, v->len);
		rc = 0;
		break;
	case GRADE_NUMERIC:
		if (grade_members(a, answer, value, "Risposta", err) == -1)
			break;
		if (grade_json_double(json_get(answer, "value"), &out->number) == -1) {
			*err = "Risposta non valida: serve un numero.";
			break;
		}
		rc = 0;
		break;
	default:
		*err = "Tipo di domanda sconosciuto.";
		break;
	}
out:
	if (rc == -1)
		memset(out, 0, sizeof(*out));
	return rc;
}

void
grade_answer_json(struct json_writer *w, const char *key, const struct grade_question *q,
		  const struct grade_answer *ans)
{
	json_obj_open(w, key);
	switch (q->kind) {
	case GRADE_SINGLE:
		if (ans->nids > 0)
			json_int(w, "choice", ans->ids[0]);
		break;
	case GRADE_MULTIPLE:
		/* Ascending whatever order a hand-built answer holds: ids are
		 * small, so walk the possible ids rather than sort a copy. */
		json_arr_open(w, "choices");
		for (int id = 1; id <= GRADE_ITEMS_MAX; id++)
			for (int i = 0; i < ans->nids && i < GRADE_ITEMS_MAX; i++)
				if (ans->ids[i] == id) {
					json_int(w, NULL, id);
					break;
				}
		json_arr_close(w);
		break;
	case GRADE_TRUEFALSE:
		json_bool(w, "value", ans->truth);
		break;
	case GRADE_MATCHING:
		json_obj_open(w, "matches");
		for (int i = 0; i < q->nitems && i < GRADE_ITEMS_MAX; i++) {
			char pair[8];

			if (ans->matches[i] == 0)
				continue;
			snprintf(pair, sizeof(pair), "%d", i + 1);
			json_int(w, pair, ans->matches[i]);
		}
		json_obj_close(w);
		break;
	case GRADE_SHORT:
		json_str(w, "text", ans->text != NULL ? ans->text : "");
		break;
	case GRADE_NUMERIC:
		grade_json_number(w, "value", ans->number);
		break;
	}
	json_obj_close(w);
}

/*
 * Scoring.
 */

static double
grade_score_multiple(const struct grade_question *q, const struct grade_answer *ans)
{
	int right = 0, wrong, right_chosen = 0, wrong_chosen = 0;
	bool seen[GRADE_ITEMS_MAX] = { false };
	double score;

	for (int i = 0; i < q->nitems; i++)
		right += q->items[i].correct;
	wrong = q->nitems - right;
	for (int i = 0; i < ans->nids && i < GRADE_ITEMS_MAX; i++) {
		int id = ans->ids[i];

		if (id < 1 || id > q->nitems || seen[id - 1])
			continue;
		seen[id - 1] = true;
		if (q->items[id - 1].correct)
			right_chosen++;
		else
			wrong_chosen++;
	}
	/* Counts, not a running sum of 1/n, so that all right is exactly 1. */
	score = right > 0 ? (double)right_chosen / right : 0;
	if (wrong > 0)
		score -= (double)wrong_chosen / wrong;
	return score < 0 ? 0 : score > 1 ? 1 : score;
}

static double
grade_score_matching(const struct grade_question *q, const struct grade_answer *ans)
{
	int right = 0;

	if (q->nitems == 0)
		return 0;
	for (int i = 0; i < q->nitems; i++) {
		int opt = ans->matches[i];

		if (opt >= 1 && opt <= q->nitems &&
		    strcmp(q->items[opt - 1].match, q->items[i].match) == 0)
			right++;
	}
	return (double)right / q->nitems;
}

static double
grade_score_short(const struct grade_question *q, const struct grade_answer *ans)
{
	char *given, *acc;
	double score = 0;

	if (ans->text == NULL)
		return 0;
	given = grade_fold_dup(ans->text);
	for (int i = 0; i < q->naccepted && score == 0; i++) {
		acc = grade_fold_dup(q->accepted[i]);
		if (strcmp(given, acc) == 0)
			score = 1;
		free(acc);
	}
	free(given);
	return score;
}

double
grade_score(const struct grade_question *q, const struct grade_answer *ans)
{
	double diff;

	if (ans == NULL)
		return 0;
	switch (q->kind) {
	case GRADE_SINGLE:
		return ans->nids == 1 && ans->ids[0] >= 1 && ans->ids[0] <= q->nitems &&
		    q->items[ans->ids[0] - 1].correct ? 1 : 0;
	case GRADE_MULTIPLE:
		return grade_score_multiple(q, ans);
	case GRADE_TRUEFALSE:
		return ans->truth == q->truth ? 1 : 0;
	case GRADE_MATCHING:
		return grade_score_matching(q, ans);
	case GRADE_SHORT:
		return grade_score_short(q, ans);
	case GRADE_NUMERIC:
		diff = ans->number - q->value;
		if (diff < 0)
			diff = -diff;
		/* A NaN difference fails the comparison, so it scores 0. */
		return diff <= q->tolerance + GRADE_NUMERIC_EPS ? 1 : 0;
	}
	return 0;
}

/*
 * Attempts.
 */

void
grade_shuffle(int64_t *ids, int n)
{
	/* Fisher-Yates, drawing j uniformly in [0, i] without modulo bias. */
	for (int i = n - 1; i > 0; i--) {
		uint32_t j = randombytes_uniform((uint32_t)i + 1);
		int64_t t = ids[i];

		ids[i] = ids[j];
		ids[j] = t;
	}
}

double
grade_combine(enum grade_method m, const double *scores, int n)
{
	double r;

	if (scores == NULL || n <= 0)
		return 0;
	switch (m) {
	case GRADE_HIGHEST:
		r = scores[0];
		for (int i = 1; i < n; i++)
			if (scores[i] > r)
				r = scores[i];
		return r;
	case GRADE_LAST:
		return scores[n - 1];
	case GRADE_AVERAGE:
		r = 0;
		for (int i = 0; i < n; i++)
			r += scores[i];
		return r / n;
	case GRADE_FIRST:
		return scores[0];
	}
	return 0;
}
