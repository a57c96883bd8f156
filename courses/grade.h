/*
 * grade.h - the questions of a quiz and their grading: pure logic, no
 * database and no HTTP (unit-tested in tests/unit/test_grade.c).
 *
 * A question's key ("spec") is a JSON object whose shape depends on its
 * kind; it is what trainers send, what questions.spec stores and what
 * the demo banks hold:
 *
 *   single, multiple  {"choices": [{"text": "...", "correct": true}, ...]}
 *                     2..GRADE_ITEMS_MAX choices; single has exactly one
 *                     correct, multiple at least one
 *   truefalse         {"answer": true}
 *   matching          {"pairs": [{"prompt": "...", "match": "..."}, ...]}
 *                     2..GRADE_ITEMS_MAX pairs
 *   short             {"accepted": ["...", ...]}  1..GRADE_ACCEPTED_MAX
 *   numeric           {"value": 12.5, "tolerance": 0.5}  tolerance >= 0
 *
 * Choices and pairs are numbered from 1 in the order of the key: that
 * number is their id in answers.  The options a matching question offers
 * are its distinct "match" texts, each with the id of the first pair that
 * has it.
 *
 * A learner's answer is a JSON object too, stored as grade_answer_json()
 * writes it:
 *
 *   single     {"choice": 2}            multiple  {"choices": [1, 3]}
 *   truefalse  {"value": true}          matching  {"matches": {"1": 3, "2": 1}}
 *   short      {"text": "..."}          numeric   {"value": 12.5}
 *
 * A matching answer may leave prompts out; "choices" may be empty.
 */
#ifndef COURSES_GRADE_H
#define COURSES_GRADE_H

#include "compat.h"

#include "arena.h"
#include "json.h"

#define GRADE_ITEMS_MAX 10	/* choices of a question, pairs of a matching question */
#define GRADE_ACCEPTED_MAX 20	/* accepted answers of a short-answer question */
#define GRADE_TEXT_MAX 200	/* code points of a choice, prompt, match or short answer */

enum grade_kind {
	GRADE_SINGLE,
	GRADE_MULTIPLE,
	GRADE_TRUEFALSE,
	GRADE_MATCHING,
	GRADE_SHORT,
	GRADE_NUMERIC,
};

/* How the attempts of one learner make the quiz's grade. */
enum grade_method {
	GRADE_HIGHEST,
	GRADE_LAST,
	GRADE_AVERAGE,
	GRADE_FIRST,
};

struct grade_item {
	const char *text;	/* a choice's text, or a pair's prompt */
	const char *match;	/* matching: the pair's answer; NULL otherwise */
	bool correct;		/* single, multiple: a right choice */
};

/* A parsed key; strings live in the arena given to grade_question_parse(). */
struct grade_question {
	enum grade_kind kind;
	struct grade_item items[GRADE_ITEMS_MAX];	/* single, multiple, matching */
	int nitems;
	bool truth;					/* truefalse */
	const char *accepted[GRADE_ACCEPTED_MAX];	/* short */
	int naccepted;
	double value, tolerance;			/* numeric */
};

/* A parsed answer. */
struct grade_answer {
	int ids[GRADE_ITEMS_MAX];	/* single: 1 id; multiple: chosen ids, ascending, no repeats */
	int nids;
	int matches[GRADE_ITEMS_MAX];	/* matching: option id chosen for pair i + 1, 0 if none */
	bool truth;			/* truefalse */
	const char *text;		/* short */
	double number;			/* numeric */
};

/* The kind called name ("single"...): 0, or -1 if unknown. */
int grade_kind_parse(const char *name, enum grade_kind *out);
const char *grade_kind_name(enum grade_kind kind);
/* The Italian name of a kind for pages ("Scelta singola"...). */
const char *grade_kind_label(enum grade_kind kind);

/* The method called name ("highest", "last", "average", "first"): 0, or -1. */
int grade_method_parse(const char *name, enum grade_method *out);
const char *grade_method_name(enum grade_method m);

/*
 * Parses and checks a key of the given kind.  Returns 0, or -1 with
 * *err an Italian message naming what is wrong (static or in a).  Texts
 * must be valid UTF-8 of 1..GRADE_TEXT_MAX code points; numbers finite.
 * Unknown members are refused, so that a typo is not silently ignored.
 */
int grade_question_parse(struct arena *a, enum grade_kind kind, const struct json_value *spec,
			 struct grade_question *out, const char **err);

/*
 * The options a matching question q offers, in key order: the ids of the
 * first pair of each distinct match text, into ids.  Returns how many.
 */
int grade_matching_options(const struct grade_question *q, int ids[GRADE_ITEMS_MAX]);

/* Writes q's key as member key (NULL in arrays), in the shape parsed above. */
void grade_question_json(struct json_writer *w, const char *key, const struct grade_question *q);

/*
 * A key as trainers type it in one textarea, one item per line:
 *
 *   single, multiple  one choice per line; "*" (then optional spaces)
 *                     marks a correct one: "* Roma"
 *   truefalse         one line, "vero" or "falso" (any case, accents ignored)
 *   matching          "prompt = match", split at the first " = "
 *   short             one accepted answer per line
 *   numeric           "12,5", "12,5 ± 0,5" or "12,5 +- 0,5" (numbers as
 *                     grade_number_parse() reads them)
 *
 * Lines end in LF, CRLF or CR; blank lines are ignored but counted, so
 * that "Riga N" is the line the trainer sees.  Spaces and tabs around a
 * line and around each side of " = " are trimmed.  The text ends at its
 * first NUL.  The rules are grade_question_parse()'s (the same checks,
 * not a copy): 0, or -1 with *err an Italian message (static or in a),
 * naming the line ("Riga 3: ...") when one line is at fault; out is then
 * empty.  NULL text is the empty text.  Strings are copied into a.
 */
int grade_lines_parse(struct arena *a, enum grade_kind kind, const char *text,
		      struct grade_question *out, const char **err);

/*
 * q as lines (no final newline), in a: the text grade_lines_parse()
 * turns back into q.  Numbers use the decimal comma.  NULL when there is
 * no such text, because q is not a valid key or a text of q cannot be
 * written on a line (a line break, white space at an end, a wrong choice
 * starting with "*", a prompt holding " = "): keys from JSON may hold
 * those, and the caller must then keep the JSON form.
 */
const char *grade_lines_format(struct arena *a, const struct grade_question *q);

/*
 * Parses a learner's answer to q.  Returns 0, or -1 with *err an Italian
 * message: a wrong shape, a choice or pair id q does not have (a forged
 * id), a repeated id, a second choice for a single-choice question, a
 * text that is not UTF-8 or longer than GRADE_TEXT_MAX, a number that is
 * not finite.  Strings are copied into a.
 */
int grade_answer_parse(struct arena *a, const struct grade_question *q,
		       const struct json_value *answer, struct grade_answer *out, const char **err);

/* Writes ans (an answer to q) as member key, in its stored shape. */
void grade_answer_json(struct json_writer *w, const char *key, const struct grade_question *q,
		       const struct grade_answer *ans);

/*
 * The share of q's points ans earns, in [0, 1].  NULL ans (no answer)
 * earns 0.  single, truefalse: 1 or 0.  multiple: each right choice
 * chosen adds 1/(right choices), each wrong one subtracts 1/(wrong
 * choices), never below 0.  matching: pairs matched right / pairs (an
 * option counts as right when its text equals the pair's match).  short:
 * 1 if the text equals an accepted answer after grade_text_fold() of both.
 * numeric: 1 if |number - value| <= tolerance (with a margin of 1e-9 for
 * binary rounding).
 */
double grade_score(const struct grade_question *q, const struct grade_answer *ans);

/*
 * Folds s for comparing short answers: lower case, accents and other
 * diacritics of Latin letters removed (à->a, É->e, ç->c...), spaces
 * trimmed and runs of white space made one space.  The result is in a.
 */
const char *grade_text_fold(struct arena *a, const char *s);

/*
 * Parses a decimal written by a person: optional sign, digits, "." or
 * "," as the decimal separator, optional exponent; spaces around are
 * allowed.  0, or -1 for anything else (empty, "1,000.5", "inf", "nan").
 */
int grade_number_parse(const char *s, double *out);

/* Puts ids[0..n) in a uniformly random order (libsodium's randombytes). */
void grade_shuffle(int64_t *ids, int n);

/*
 * The grade of a learner from the scores of their graded attempts, in
 * the order they were made (scores[0] first); n > 0.
 */
double grade_combine(enum grade_method m, const double *scores, int n);

/* Classical item analysis of one question, for the trainers' statistics. */
struct grade_item_stats {
	double facility;	/* mean score on the question, 0..1 */
	double discrimination;	/* corrected item-total correlation, -1..1 */
	bool has_discrimination;	/* false: not enough spread to say */
};

/*
 * Statistics of a question from n learners: item[i] is learner i's score
 * on it (0..1), total[i] their score on the whole attempt (0..1, the
 * question included, weighted by points) and item_weight_share[i] the
 * question's points / the attempt's points.  facility = mean(item);
 * discrimination = Pearson correlation of item and the rest-of-test
 * score (total - share * item) / (1 - share), so that the question does
 * not correlate with itself.  has_discrimination is false (and
 * discrimination 0, to be shown as absent, not as 0) when fewer than 2
 * learners have a rest-of-test score or either score does not vary.
 * Learners with share >= 1 or a non-finite number count for the facility
 * only (if their item score is finite).  n <= 0 or NULL item gives
 * facility 0; NULL total or share gives no discrimination.  Never fails.
 */
void grade_item_stats(const double *item, const double *total, const double *item_weight_share,
		      int n, struct grade_item_stats *out);

#endif
