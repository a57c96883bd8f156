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
#include "buf.h"
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
 * Writes into num the shortest "%.*g" form of d that reads back as the
 * same double, so that 0.1 is stored as 0.1 and a round trip is exact.
 * d must be finite ("%g" of a finite double is valid JSON: "1e+20", "-0");
 * 40 bytes always suffice.
 */
static void
grade_shortest(char *num, size_t size, double d)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(num, size, "%.*g", prec, d);
		if (strtod(num, NULL) == d)
			break;
	}
}

static void
grade_json_number(struct json_writer *w, const char *key, double d)
{
	char num[40];

	if (!isfinite(d)) {
		json_null(w, key);	/* never produced by the parsers */
		return;
	}
	grade_shortest(num, sizeof(num), d);
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
 *
 * Two parsers read a key: grade_question_parse() from JSON (the API, the
 * database, the demo banks) and grade_lines_parse() from the text a
 * trainer types.  Each one only takes its own syntax apart, into a struct
 * grade_draft; grade_draft_check() then applies every rule (how many
 * items, their texts, the right choices, the tolerance) in one place, so
 * that a key is valid or not whatever form it arrived in.
 */

/* Room for the longest list a key may have plus one: the first item past
 * the limit is kept so that the error can say where it is. */
#define GRADE_DRAFT_MAX \
	((GRADE_ACCEPTED_MAX > GRADE_ITEMS_MAX ? GRADE_ACCEPTED_MAX : GRADE_ITEMS_MAX) + 1)

/* A choice, a pair or an accepted answer as read, not yet checked. */
struct grade_draft_item {
	const char *where;	/* "Scelta 2", "Riga 5": prefixes the item's errors */
	const char *text;	/* choice text, prompt or accepted answer; NOT copied */
	size_t len;
	const char *match;	/* matching only */
	size_t mlen;
	bool correct;		/* single, multiple */
};

/* A key as read, before grade_draft_check(). */
struct grade_draft {
	enum grade_kind kind;
	struct grade_draft_item items[GRADE_DRAFT_MAX];
	size_t n;		/* items read; only the first GRADE_DRAFT_MAX are kept */
	bool truth;		/* truefalse */
	double value, tolerance;	/* numeric */
	const char *where;	/* numeric: the place of the number, NULL if it has none */
};

/*
 * Fails with msg, prefixed with where ("Riga 3: ...") unless where is
 * NULL.  msg starts with a capital, which the prefix makes lower case.
 */
static int
grade_fail_at(struct arena *a, const char **err, const char *where, const char *msg)
{
	if (where == NULL)
		return grade_fail(err, msg);
	return grade_fail(err, arena_printf(a, "%s: %c%s", where,
					    msg[0] >= 'A' && msg[0] <= 'Z' ? msg[0] - 'A' + 'a' : msg[0],
					    msg + 1));
}

/*
 * A text of a key (choice, prompt, match, accepted answer): valid UTF-8
 * without control characters, 1..GRADE_TEXT_MAX code points, not only
 * white space; copied into a.
 */
static int
grade_check_text(struct arena *a, const char *where, const char *s, size_t len,
		 const char **out, const char **err)
{
	size_t n, i;

	if (!valid_utf8(s, len))
		return grade_fail_at(a, err, where, "Il testo non è UTF-8 valido.");
	n = valid_utf8_length(s, len);
	for (i = 0; i < len && grade_is_space((unsigned char)s[i]); i++)
		continue;
	if (n == 0 || i == len || n > GRADE_TEXT_MAX)
		return grade_fail_at(a, err, where, arena_printf(a, "Il testo deve avere da 1 a %d "
								 "caratteri.", GRADE_TEXT_MAX));
	*out = arena_strndup(a, s, len);
	return 0;
}

/*
 * The one validation of a key, whichever parser read it: fills q (which
 * the caller zeroed) from d, copying the texts into a.  The count comes
 * first, so that no item past the limit is ever read.
 */
static int
grade_draft_check(struct arena *a, const struct grade_draft *d, struct grade_question *q,
		  const char **err)
{
	const char *what, *text, *match;
	size_t lo = 2, hi = GRADE_ITEMS_MAX;
	int ncorrect = 0;

	switch (d->kind) {
	case GRADE_SINGLE:
	case GRADE_MULTIPLE:
		what = "scelte";
		break;
	case GRADE_MATCHING:
		what = "coppie";
		break;
	case GRADE_SHORT:
		lo = 1;
		hi = GRADE_ACCEPTED_MAX;
		what = "risposte accettate";
		break;
	case GRADE_TRUEFALSE:
		q->truth = d->truth;
		return 0;
	case GRADE_NUMERIC:
		if (!isfinite(d->value))
			return grade_fail_at(a, err, d->where, "Il valore corretto deve essere un "
					     "numero finito.");
		if (!isfinite(d->tolerance) || !(d->tolerance >= 0))
			return grade_fail_at(a, err, d->where, "La tolleranza deve essere un numero "
					     "finito maggiore o uguale a zero.");
		q->value = d->value;
		q->tolerance = d->tolerance;
		return 0;
	default:
		return grade_fail(err, "Tipo di domanda sconosciuto.");
	}
	if (d->n < lo || d->n > hi)
		return grade_fail_at(a, err, d->n > hi ? d->items[hi].where : NULL,
				     arena_printf(a, "Servono da %zu a %zu %s.", lo, hi, what));
	for (size_t i = 0; i < d->n; i++) {
		const struct grade_draft_item *it = &d->items[i];

		if (grade_check_text(a, it->where, it->text, it->len, &text, err) == -1)
			return -1;
		if (d->kind == GRADE_SHORT) {
			q->accepted[q->naccepted++] = text;
			continue;
		}
		match = NULL;
		if (d->kind == GRADE_MATCHING &&
		    grade_check_text(a, it->where, it->match, it->mlen, &match, err) == -1)
			return -1;
		ncorrect += it->correct;
		if (d->kind == GRADE_SINGLE && ncorrect > 1)
			return grade_fail_at(a, err, it->where, "Una domanda a scelta singola ha "
					     "esattamente una scelta corretta.");
		q->items[q->nitems++] = (struct grade_item){ text, match, it->correct };
	}
	if (d->kind == GRADE_SINGLE && ncorrect != 1)
		return grade_fail(err, "Una domanda a scelta singola ha esattamente una scelta corretta.");
	if (d->kind == GRADE_MULTIPLE && ncorrect == 0)
		return grade_fail(err, "Una domanda a scelta multipla ha almeno una scelta corretta.");
	return 0;
}

/*
 * JSON keys: only the shape is checked here (members, types); the rest
 * is grade_draft_check()'s.
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

/* The bytes of the string v, which must be there. */
static int
grade_json_text(struct arena *a, const struct json_value *v, const char *where,
		const char **s, size_t *len, const char **err)
{
	if (v == NULL || v->type != JSON_STRING || v->str == NULL)
		return grade_fail_at(a, err, where, "Manca il testo.");
	*s = v->str;
	*len = v->len;
	return 0;
}

/* The array member name of spec, the only member spec may have. */
static int
grade_json_list(struct arena *a, const struct json_value *spec, const char *name,
		const char *missing, const struct json_value **arr, const char **err)
{
	const char *const top[] = { name, NULL };

	if (grade_members(a, spec, top, "Domanda", err) == -1)
		return -1;
	*arr = json_get(spec, name);
	if (*arr == NULL || (*arr)->type != JSON_ARRAY)
		return grade_fail(err, missing);
	return 0;
}

static int
grade_json_choices(struct arena *a, const struct json_value *spec, struct grade_draft *d,
		   const char **err)
{
	static const char *const member[] = { "text", "correct", NULL };
	const struct json_value *arr, *c, *ok;

	if (grade_json_list(a, spec, "choices", "La domanda deve avere un elenco di scelte "
			    "(\"choices\").", &arr, err) == -1)
		return -1;
	for (c = arr->child; c != NULL && d->n < GRADE_DRAFT_MAX; c = c->next) {
		struct grade_draft_item *it = &d->items[d->n++];

		it->where = arena_printf(a, "Scelta %zu", d->n);
		if (c->type != JSON_OBJECT)
			return grade_fail_at(a, err, it->where, "Deve essere un oggetto.");
		if (grade_members(a, c, member, it->where, err) == -1 ||
		    grade_json_text(a, json_get(c, "text"), it->where, &it->text, &it->len, err) == -1)
			return -1;
		ok = json_get(c, "correct");
		if (ok == NULL || ok->type != JSON_BOOL)
			return grade_fail_at(a, err, it->where, "Indicare se è corretta "
					     "(\"correct\": true o false).");
		it->correct = ok->boolean;
	}
	d->n = arr->count;
	return 0;
}

static int
grade_json_pairs(struct arena *a, const struct json_value *spec, struct grade_draft *d,
		 const char **err)
{
	static const char *const member[] = { "prompt", "match", NULL };
	const struct json_value *arr, *p;

	if (grade_json_list(a, spec, "pairs", "La domanda deve avere un elenco di coppie "
			    "(\"pairs\").", &arr, err) == -1)
		return -1;
	for (p = arr->child; p != NULL && d->n < GRADE_DRAFT_MAX; p = p->next) {
		struct grade_draft_item *it = &d->items[d->n++];

		it->where = arena_printf(a, "Coppia %zu", d->n);
		if (p->type != JSON_OBJECT)
			return grade_fail_at(a, err, it->where, "Deve essere un oggetto.");
		if (grade_members(a, p, member, it->where, err) == -1 ||
		    grade_json_text(a, json_get(p, "prompt"), it->where, &it->text, &it->len,
				    err) == -1 ||
		    grade_json_text(a, json_get(p, "match"), it->where, &it->match, &it->mlen,
				    err) == -1)
			return -1;
	}
	d->n = arr->count;
	return 0;
}

static int
grade_json_accepted(struct arena *a, const struct json_value *spec, struct grade_draft *d,
		    const char **err)
{
	const struct json_value *arr, *s;

	if (grade_json_list(a, spec, "accepted", "La domanda deve avere un elenco di risposte "
			    "accettate (\"accepted\").", &arr, err) == -1)
		return -1;
	for (s = arr->child; s != NULL && d->n < GRADE_DRAFT_MAX; s = s->next) {
		struct grade_draft_item *it = &d->items[d->n++];

		it->where = arena_printf(a, "Risposta accettata %zu", d->n);
		if (grade_json_text(a, s, it->where, &it->text, &it->len, err) == -1)
			return -1;
	}
	d->n = arr->count;
	return 0;
}

static int
grade_json_key(struct arena *a, const struct json_value *spec, struct grade_draft *d,
	       const char **err)
{
	static const char *const tf[] = { "answer", NULL };
	static const char *const num[] = { "value", "tolerance", NULL };
	const struct json_value *v;

	if (spec == NULL || spec->type != JSON_OBJECT)
		return grade_fail(err, "La chiave della domanda deve essere un oggetto JSON.");
	switch (d->kind) {
	case GRADE_SINGLE:
	case GRADE_MULTIPLE:
		return grade_json_choices(a, spec, d, err);
	case GRADE_TRUEFALSE:
		if (grade_members(a, spec, tf, "Domanda", err) == -1)
			return -1;
		v = json_get(spec, "answer");
		if (v == NULL || v->type != JSON_BOOL)
			return grade_fail(err, "La risposta corretta (\"answer\") deve essere "
					  "true o false.");
		d->truth = v->boolean;
		return 0;
	case GRADE_MATCHING:
		return grade_json_pairs(a, spec, d, err);
	case GRADE_SHORT:
		return grade_json_accepted(a, spec, d, err);
	case GRADE_NUMERIC:
		if (grade_members(a, spec, num, "Domanda", err) == -1)
			return -1;
		if (grade_json_double(json_get(spec, "value"), &d->value) == -1)
			return grade_fail(err, "Il valore corretto (\"value\") deve essere un "
					  "numero finito.");
		if (grade_json_double(json_get(spec, "tolerance"), &d->tolerance) == -1)
			return grade_fail(err, "La tolleranza (\"tolerance\") deve essere un "
					  "numero finito maggiore o uguale a zero.");
		return 0;
	}
	return 0;	/* an unknown kind is grade_draft_check()'s to refuse */
}

/*
 * Runs a parser's result through grade_draft_check(); whatever fails,
 * out is left empty (of kind kind) rather than half filled.
 */
static int
grade_key_finish(struct arena *a, int rc, const struct grade_draft *d,
		 struct grade_question *out, const char **err)
{
	memset(out, 0, sizeof(*out));
	out->kind = d->kind;
	if (rc == 0)
		rc = grade_draft_check(a, d, out, err);
	if (rc == -1) {
		memset(out, 0, sizeof(*out));
		out->kind = d->kind;
	}
	return rc;
}

int
grade_question_parse(struct arena *a, enum grade_kind kind, const struct json_value *spec,
		     struct grade_question *out, const char **err)
{
	struct grade_draft d;
	int rc;

	memset(&d, 0, sizeof(d));
	d.kind = kind;
	rc = grade_json_key(a, spec, &d, err);
	return grade_key_finish(a, rc, &d, out, err);
}

/*
 * Keys as lines of text (grade_lines_parse()).  Only the syntax of a
 * line is checked here; the rules are grade_draft_check()'s.
 */

#define GRADE_TF_HINT "Scrivere «vero» o «falso»."
#define GRADE_NUM_HINT "Scrivere il valore, con l'eventuale tolleranza (per esempio " \
	"12,5 oppure 12,5 ± 0,5)."

/* The first occurrence of the n bytes of pat in s[0..len), or NULL. */
static const char *
grade_find(const char *s, size_t len, const char *pat)
{
	size_t n = strlen(pat);

	for (size_t i = 0; n <= len && i <= len - n; i++)
		if (memcmp(s + i, pat, n) == 0)
			return s + i;
	return NULL;
}

/* Trims spaces and tabs around s[0..*len), moving s. */
static const char *
grade_trim(const char *s, size_t *len)
{
	while (*len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		(*len)--;
	}
	while (*len > 0 && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
		(*len)--;
	return s;
}

/* "VALUE", "VALUE ± TOL" or "VALUE +- TOL", read by grade_number_parse(). */
static int
grade_lines_number(struct arena *a, const char *line, size_t len, struct grade_draft *d,
		   const char **err)
{
	const char *pm = grade_find(line, len, "±"), *ascii = grade_find(line, len, "+-");
	size_t vlen = len, skip = 0;

	if (ascii != NULL && (pm == NULL || ascii < pm))
		pm = ascii;
	if (pm != NULL) {
		vlen = (size_t)(pm - line);
		skip = pm == ascii ? 2 : strlen("±");
	}
	if (grade_number_parse(arena_strndup(a, line, vlen), &d->value) == -1)
		return grade_fail_at(a, err, d->where, GRADE_NUM_HINT);
	if (pm == NULL)
		return 0;
	if (grade_number_parse(arena_strndup(a, pm + skip, len - vlen - skip), &d->tolerance) == -1)
		return grade_fail_at(a, err, d->where, "La tolleranza dopo «±» deve essere "
				     "un numero.");
	return 0;
}

/* One non-blank line, trimmed, numbered from 1, into d. */
static int
grade_lines_line(struct arena *a, const char *line, size_t len, size_t lineno,
		 struct grade_draft *d, const char **err)
{
	struct grade_draft_item *it;
	const char *where, *eq, *folded;

	switch (d->kind) {
	case GRADE_TRUEFALSE:
	case GRADE_NUMERIC:
		/* One line, whose number d->n now counts. */
		where = arena_printf(a, "Riga %zu", lineno);
		if (d->n++ > 0)
			return grade_fail_at(a, err, where, d->kind == GRADE_TRUEFALSE ?
					     "Basta una riga, con «vero» o «falso»." :
					     "Basta una riga, con il valore e l'eventuale "
					     "tolleranza.");
		d->where = where;
		if (d->kind == GRADE_NUMERIC)
			return grade_lines_number(a, line, len, d, err);
		folded = grade_text_fold(a, arena_strndup(a, line, len));
		if (strcmp(folded, "vero") != 0 && strcmp(folded, "falso") != 0)
			return grade_fail_at(a, err, where, GRADE_TF_HINT);
		d->truth = folded[0] == 'v';
		return 0;
	default:
		break;
	}
	/* Lists: count every item, keep the first GRADE_DRAFT_MAX. */
	if (d->n++ >= GRADE_DRAFT_MAX)
		return 0;
	it = &d->items[d->n - 1];
	it->where = where = arena_printf(a, "Riga %zu", lineno);
	if ((d->kind == GRADE_SINGLE || d->kind == GRADE_MULTIPLE) && line[0] == '*') {
		it->correct = true;
		len--;
		line = grade_trim(line + 1, &len);
	}
	if (d->kind == GRADE_MATCHING) {
		if ((eq = grade_find(line, len, " = ")) == NULL)
			return grade_fail_at(a, err, where, "Scrivere l'elemento e il suo "
					     "abbinamento separati da « = ».");
		it->mlen = len - (size_t)(eq - line) - 3;
		it->match = grade_trim(eq + 3, &it->mlen);
		len = (size_t)(eq - line);
		line = grade_trim(line, &len);
	}
	it->text = line;
	it->len = len;
	return 0;
}

/* Splits text at LF, CRLF or a lone CR, skipping blank lines. */
static int
grade_lines_read(struct arena *a, const char *text, struct grade_draft *d, const char **err)
{
	const char *p = text;
	size_t lineno = 0;

	while (*p != '\0') {
		size_t len = strcspn(p, "\r\n");
		const char *line = p;

		lineno++;
		p += len;
		if (*p == '\r')
			p++;
		if (*p == '\n')
			p++;
		line = grade_trim(line, &len);
		if (len > 0 && grade_lines_line(a, line, len, lineno, d, err) == -1)
			return -1;
	}
	if (d->n == 0 && d->kind == GRADE_TRUEFALSE)
		return grade_fail(err, GRADE_TF_HINT);
	if (d->n == 0 && d->kind == GRADE_NUMERIC)
		return grade_fail(err, GRADE_NUM_HINT);
	return 0;
}

int
grade_lines_parse(struct arena *a, enum grade_kind kind, const char *text,
		  struct grade_question *out, const char **err)
{
	struct grade_draft d;
	int rc;

	memset(&d, 0, sizeof(d));
	d.kind = kind;
	rc = grade_lines_read(a, text != NULL ? text : "", &d, err);
	return grade_key_finish(a, rc, &d, out, err);
}

/* True if x and y are the same key (only the members of their kind count). */
static bool
grade_question_same(const struct grade_question *x, const struct grade_question *y)
{
	if (x->kind != y->kind || x->nitems != y->nitems || x->naccepted != y->naccepted)
		return false;
	switch (x->kind) {
	case GRADE_TRUEFALSE:
		return x->truth == y->truth;
	case GRADE_NUMERIC:
		return x->value == y->value && x->tolerance == y->tolerance;
	default:
		break;
	}
	for (int i = 0; i < x->nitems; i++) {
		const struct grade_item *p = &x->items[i], *q = &y->items[i];

		if (strcmp(p->text, q->text) != 0 || p->correct != q->correct ||
		    (x->kind == GRADE_MATCHING && strcmp(p->match, q->match) != 0))
			return false;
	}
	for (int i = 0; i < x->naccepted; i++)
		if (strcmp(x->accepted[i], y->accepted[i]) != 0)
			return false;
	return true;
}

/* The shortest number grade_number_parse() reads back as d, with a comma. */
static void
grade_lines_addnum(struct buf *b, double d)
{
	char num[40], *dot;

	grade_shortest(num, sizeof(num), d);
	if ((dot = strchr(num, '.')) != NULL)
		*dot = ',';
	buf_adds(b, num);
}

/* Writes q (counts and texts already bounded by the caller) as lines into b. */
static void
grade_lines_write(struct buf *b, const struct grade_question *q)
{
	switch (q->kind) {
	case GRADE_SINGLE:
	case GRADE_MULTIPLE:
	case GRADE_MATCHING:
		for (int i = 0; i < q->nitems; i++) {
			buf_adds(b, i > 0 ? "\n" : "");
			buf_adds(b, q->items[i].correct && q->kind != GRADE_MATCHING ? "* " : "");
			buf_adds(b, q->items[i].text);
			if (q->kind == GRADE_MATCHING) {
				buf_adds(b, " = ");
				buf_adds(b, q->items[i].match);
			}
		}
		break;
	case GRADE_SHORT:
		for (int i = 0; i < q->naccepted; i++) {
			buf_adds(b, i > 0 ? "\n" : "");
			buf_adds(b, q->accepted[i]);
		}
		break;
	case GRADE_TRUEFALSE:
		buf_adds(b, q->truth ? "vero" : "falso");
		break;
	case GRADE_NUMERIC:
		grade_lines_addnum(b, q->value);
		if (q->tolerance != 0) {
			buf_adds(b, " ± ");
			grade_lines_addnum(b, q->tolerance);
		}
		break;
	}
}

/*
 * Writes q, then parses the result back: what the format cannot carry
 * (a text with a line break or white space at an end, a wrong choice
 * starting with "*", a prompt holding " = ") comes back different, and
 * then the answer is NULL.  Checking by parsing keeps the writer from
 * drifting away from the parser's rules.
 */
const char *
grade_lines_format(struct arena *a, const struct grade_question *q)
{
	struct grade_question back;
	const char *text = NULL, *err;
	struct buf b;

	if (q->nitems < 0 || q->nitems > GRADE_ITEMS_MAX ||
	    q->naccepted < 0 || q->naccepted > GRADE_ACCEPTED_MAX)
		return NULL;
	for (int i = 0; i < q->nitems; i++)
		if (q->items[i].text == NULL || (q->kind == GRADE_MATCHING && q->items[i].match == NULL))
			return NULL;
	for (int i = 0; i < q->naccepted; i++)
		if (q->accepted[i] == NULL)
			return NULL;
	buf_init(&b, 0);
	grade_lines_write(&b, q);
	if (b.err)
		goto out;
	if (grade_lines_parse(a, q->kind, b.data, &back, &err) == 0 &&
	    grade_question_same(q, &back))
		text = arena_strndup(a, b.data, b.len);
out:
	buf_release(&b);
	return text;
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

int
grade_matching_options(const struct grade_question *q, int ids[GRADE_ITEMS_MAX])
{
	int n = 0;

	for (int id = 1; id <= q->nitems; id++)
		if (grade_is_option(q, id))
			ids[n++] = id;
	return n;
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

/*
 * Item analysis.
 */

/* Below this a variance of scores in [0, 1] is rounding noise, not spread:
 * (0.3 - 0.1 * 1) / 0.9 and its neighbours differ in the last bits. */
#define GRADE_VAR_EPS 1e-12

/*
 * Learner i's score on the rest of the attempt, into *rest; false when
 * there is none (the question is the whole attempt) or a number is not
 * finite.
 */
static bool
grade_rest(const double *item, const double *total, const double *share, int i, double *rest)
{
	if (!isfinite(item[i]) || !isfinite(total[i]) || !isfinite(share[i]) ||
	    share[i] < 0 || share[i] >= 1)
		return false;
	*rest = (total[i] - share[i] * item[i]) / (1 - share[i]);
	return true;
}

/*
 * Two passes (means, then deviations) rather than running sums of
 * squares, which cancel out the small variances of a nearly constant
 * column.  Learners without a rest-of-test score count for the facility
 * only.
 */
void
grade_item_stats(const double *item, const double *total, const double *item_weight_share,
		 int n, struct grade_item_stats *out)
{
	double sum = 0, mi = 0, mr = 0, sii = 0, srr = 0, sir = 0, rest, r;
	int nf = 0, nr = 0;

	*out = (struct grade_item_stats){ 0 };
	if (item == NULL || n <= 0)
		return;
	for (int i = 0; i < n; i++)
		if (isfinite(item[i])) {
			sum += item[i];
			nf++;
		}
	out->facility = nf > 0 ? sum / nf : 0;
	if (total == NULL || item_weight_share == NULL)
		return;
	for (int i = 0; i < n; i++)
		if (grade_rest(item, total, item_weight_share, i, &rest)) {
			mi += item[i];
			mr += rest;
			nr++;
		}
	if (nr < 2)
		return;
	mi /= nr;
	mr /= nr;
	for (int i = 0; i < n; i++)
		if (grade_rest(item, total, item_weight_share, i, &rest)) {
			double di = item[i] - mi, dr = rest - mr;

			sii += di * di;
			srr += dr * dr;
			sir += di * dr;
		}
	if (sii / nr <= GRADE_VAR_EPS || srr / nr <= GRADE_VAR_EPS)
		return;
	r = sir / sqrt(sii * srr);
	out->discrimination = r > 1 ? 1 : r < -1 ? -1 : r;
	out->has_discrimination = true;
}
