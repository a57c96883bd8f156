/*
 * test_grade.c - quiz questions and grading (courses/grade.c): keys and
 * answers parsed right and wrong, forged answers, every scoring rule,
 * folding, person-written numbers, combining attempts, shuffling; keys
 * as trainers' lines (the same rules as JSON, the round trip) and the
 * item statistics.
 */
#include "../../portal/compat.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* grade_score() folds short answers on the heap: through cmocka's
 * allocator, a leak fails the test. */
#define malloc(n) test_malloc(n)
#define free(p) test_free(p)
#include "../../courses/grade.c"
#undef malloc
#undef free

/* main() of the portal calls sodium_init(); so does the group. */
static int
group_setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static int
setup(void **state)
{
	*state = arena_new();
	return 0;
}

static int
teardown(void **state)
{
	arena_free(*state);
	return 0;
}

static struct json_value *
js(struct arena *a, const char *text)
{
	const char *err;
	struct json_value *v = json_parse(a, text, strlen(text), &err);

	if (v == NULL)
		fail_msg("bad test JSON %s: %s", text, err);
	return v;
}

/* Parses a key; returns the rc, the message in *err. */
static int
qp(struct arena *a, enum grade_kind kind, const char *text, struct grade_question *q,
   const char **err)
{
	*err = NULL;
	return grade_question_parse(a, kind, js(a, text), q, err);
}

/* A key that must parse. */
static struct grade_question
qok(struct arena *a, enum grade_kind kind, const char *text)
{
	struct grade_question q;
	const char *err;

	if (qp(a, kind, text, &q, &err) != 0)
		fail_msg("key %s refused: %s", text, err);
	return q;
}

/* A key that must be refused with a message. */
static void
qbad(struct arena *a, enum grade_kind kind, const char *text)
{
	struct grade_question q;
	const char *err = NULL;

	if (qp(a, kind, text, &q, &err) != -1)
		fail_msg("key %s accepted", text);
	assert_non_null(err);
	assert_true(strlen(err) > 0);
	assert_int_equal(q.nitems, 0);	/* nothing half-parsed is left */
}

static int
ap(struct arena *a, const struct grade_question *q, const char *text, struct grade_answer *ans,
   const char **err)
{
	*err = NULL;
	return grade_answer_parse(a, q, js(a, text), ans, err);
}

static struct grade_answer
aok(struct arena *a, const struct grade_question *q, const char *text)
{
	struct grade_answer ans;
	const char *err;

	if (ap(a, q, text, &ans, &err) != 0)
		fail_msg("answer %s refused: %s", text, err);
	return ans;
}

/* An answer that must be refused; returns the message. */
static const char *
abad(struct arena *a, const struct grade_question *q, const char *text)
{
	struct grade_answer ans;
	const char *err = NULL;

	if (ap(a, q, text, &ans, &err) != -1)
		fail_msg("answer %s accepted", text);
	assert_non_null(err);
	assert_int_equal(ans.nids, 0);
	return err;
}

/* The score of answer text to q. */
static double
sc(struct arena *a, const struct grade_question *q, const char *text)
{
	struct grade_answer ans = aok(a, q, text);

	return grade_score(q, &ans);
}

static const char *
qjson(struct arena *a, const struct grade_question *q)
{
	struct json_writer w;
	struct buf b;
	const char *s;

	buf_init(&b, 0);
	json_writer_init(&w, &b);
	grade_question_json(&w, NULL, q);
	assert_false(b.err);
	s = arena_strdup(a, b.data);
	buf_release(&b);
	return s;
}

static const char *
ajson(struct arena *a, const struct grade_question *q, const struct grade_answer *ans)
{
	struct json_writer w;
	struct buf b;
	const char *s;

	buf_init(&b, 0);
	json_writer_init(&w, &b);
	grade_answer_json(&w, NULL, q, ans);
	assert_false(b.err);
	s = arena_strdup(a, b.data);
	buf_release(&b);
	return s;
}

/* A string of n copies of the UTF-8 character c, as a JSON string literal. */
static const char *
repeat(struct arena *a, const char *c, int n)
{
	size_t cl = strlen(c);
	char *s = arena_alloc(a, cl * (size_t)n + 3);

	s[0] = '"';
	for (int i = 0; i < n; i++)
		memcpy(s + 1 + cl * (size_t)i, c, cl);
	s[1 + cl * (size_t)n] = '"';
	return s;
}

static void
assert_same_question(const struct grade_question *x, const struct grade_question *y)
{
	assert_int_equal(x->kind, y->kind);
	assert_int_equal(x->nitems, y->nitems);
	for (int i = 0; i < x->nitems; i++) {
		assert_string_equal(x->items[i].text, y->items[i].text);
		if (x->items[i].match != NULL || y->items[i].match != NULL)
			assert_string_equal(x->items[i].match, y->items[i].match);
		assert_int_equal(x->items[i].correct, y->items[i].correct);
	}
	assert_int_equal(x->truth, y->truth);
	assert_int_equal(x->naccepted, y->naccepted);
	for (int i = 0; i < x->naccepted; i++)
		assert_string_equal(x->accepted[i], y->accepted[i]);
	assert_true(x->value == y->value);
	assert_true(x->tolerance == y->tolerance);
}

static void
test_names(void **state)
{
	enum grade_kind k;
	enum grade_method m;

	(void)state;
	for (int i = GRADE_SINGLE; i <= GRADE_NUMERIC; i++) {
		assert_int_equal(grade_kind_parse(grade_kind_name((enum grade_kind)i), &k), 0);
		assert_int_equal(k, i);
		assert_non_null(grade_kind_label((enum grade_kind)i));
	}
	assert_string_equal(grade_kind_name(GRADE_TRUEFALSE), "truefalse");
	assert_string_equal(grade_kind_label(GRADE_SINGLE), "Scelta singola");
	k = GRADE_SHORT;
	assert_int_equal(grade_kind_parse("Single", &k), -1);
	assert_int_equal(grade_kind_parse("", &k), -1);
	assert_int_equal(grade_kind_parse(NULL, &k), -1);
	assert_int_equal(k, GRADE_SHORT);	/* untouched on failure */

	for (int i = GRADE_HIGHEST; i <= GRADE_FIRST; i++) {
		assert_int_equal(grade_method_parse(grade_method_name((enum grade_method)i), &m), 0);
		assert_int_equal(m, i);
	}
	assert_int_equal(grade_method_parse("average", &m), 0);
	assert_int_equal(m, GRADE_AVERAGE);
	assert_int_equal(grade_method_parse("mean", &m), -1);
	assert_int_equal(grade_method_parse(NULL, &m), -1);
}

static void
test_parse_choices(void **state)
{
	struct arena *a = *state;
	struct grade_question q;
	const char *err;
	char *s;

	q = qok(a, GRADE_SINGLE, "{\"choices\":[{\"text\":\"Roma\",\"correct\":true},"
		"{\"text\":\"Milano\",\"correct\":false},{\"text\":\"Città\",\"correct\":false}]}");
	assert_int_equal(q.kind, GRADE_SINGLE);
	assert_int_equal(q.nitems, 3);
	assert_string_equal(q.items[0].text, "Roma");
	assert_true(q.items[0].correct);
	assert_false(q.items[1].correct);
	assert_string_equal(q.items[2].text, "Città");
	assert_null(q.items[0].match);

	/* Too few, too many. */
	qbad(a, GRADE_SINGLE, "{\"choices\":[{\"text\":\"a\",\"correct\":true}]}");
	qbad(a, GRADE_MULTIPLE, "{\"choices\":[]}");
	s = arena_strdup(a, "{\"choices\":[{\"text\":\"a\",\"correct\":true}");
	for (int i = 0; i < GRADE_ITEMS_MAX; i++)
		s = arena_printf(a, "%s,{\"text\":\"x%d\",\"correct\":false}", s, i);
	qbad(a, GRADE_SINGLE, arena_printf(a, "%s]}", s));	/* 11 */
	s = arena_strdup(a, "{\"choices\":[{\"text\":\"a\",\"correct\":true}");
	for (int i = 1; i < GRADE_ITEMS_MAX; i++)
		s = arena_printf(a, "%s,{\"text\":\"x%d\",\"correct\":false}", s, i);
	q = qok(a, GRADE_SINGLE, arena_printf(a, "%s]}", s));	/* 10 */
	assert_int_equal(q.nitems, GRADE_ITEMS_MAX);

	/* Single: exactly one right; multiple: at least one. */
	assert_int_equal(qp(a, GRADE_SINGLE, "{\"choices\":[{\"text\":\"a\",\"correct\":true},"
			    "{\"text\":\"b\",\"correct\":true}]}", &q, &err), -1);
	/* The second right choice is the one named. */
	assert_string_equal(err, "Scelta 2: una domanda a scelta singola ha esattamente una "
			    "scelta corretta.");
	assert_int_equal(qp(a, GRADE_SINGLE, "{\"choices\":[{\"text\":\"a\",\"correct\":false},"
			    "{\"text\":\"b\",\"correct\":false}]}", &q, &err), -1);
	assert_string_equal(err, "Una domanda a scelta singola ha esattamente una scelta corretta.");
	assert_int_equal(q.nitems, 0);
	qbad(a, GRADE_MULTIPLE, "{\"choices\":[{\"text\":\"a\",\"correct\":false},"
	     "{\"text\":\"b\",\"correct\":false}]}");
	q = qok(a, GRADE_MULTIPLE, "{\"choices\":[{\"text\":\"a\",\"correct\":true},"
		"{\"text\":\"b\",\"correct\":true}]}");
	assert_int_equal(q.nitems, 2);

	/* Unknown members, at the top and in a choice (a typo). */
	assert_int_equal(qp(a, GRADE_SINGLE, "{\"choices\":[{\"text\":\"a\",\"corect\":true},"
			    "{\"text\":\"b\",\"correct\":false}]}", &q, &err), -1);
	assert_non_null(strstr(err, "«corect»"));
	assert_non_null(strstr(err, "Scelta 1"));
	qbad(a, GRADE_SINGLE, "{\"choices\":[{\"text\":\"a\",\"correct\":true},"
	     "{\"text\":\"b\",\"correct\":false}],\"shuffle\":true}");
	/* Wrong shapes. */
	qbad(a, GRADE_SINGLE, "{\"choices\":[{\"text\":\"a\",\"correct\":1},"
	     "{\"text\":\"b\",\"correct\":false}]}");
	qbad(a, GRADE_SINGLE, "{\"choices\":[{\"text\":\"a\",\"correct\":true},"
	     "{\"text\":\"b\"}]}");
	qbad(a, GRADE_SINGLE, "{\"choices\":[{\"text\":\"a\",\"correct\":true},\"b\"]}");
	qbad(a, GRADE_SINGLE, "{\"choices\":[{\"text\":7,\"correct\":true},"
	     "{\"text\":\"b\",\"correct\":false}]}");
	qbad(a, GRADE_SINGLE, "{\"choices\":{}}");
	qbad(a, GRADE_SINGLE, "{}");
	qbad(a, GRADE_SINGLE, "[]");
	qbad(a, GRADE_SINGLE, "null");
	err = NULL;
	assert_int_equal(grade_question_parse(a, GRADE_SINGLE, NULL, &q, &err), -1);
	assert_non_null(err);
	/* An impossible kind is refused, not read. */
	assert_int_equal(grade_question_parse(a, (enum grade_kind)42, js(a, "{}"), &q, &err), -1);
}

static void
test_parse_texts(void **state)
{
	struct arena *a = *state;
	struct grade_question q;
	struct json_value *spec;
	const char *err;
	const char *fmt = "{\"choices\":[{\"text\":%s,\"correct\":true},"
			  "{\"text\":\"b\",\"correct\":false}]}";

	/* 200 code points of two bytes each pass, 201 do not. */
	q = qok(a, GRADE_SINGLE, arena_printf(a, fmt, repeat(a, "è", GRADE_TEXT_MAX)));
	assert_int_equal(strlen(q.items[0].text), 2 * GRADE_TEXT_MAX);
	qbad(a, GRADE_SINGLE, arena_printf(a, fmt, repeat(a, "è", GRADE_TEXT_MAX + 1)));
	q = qok(a, GRADE_SINGLE, arena_printf(a, fmt, repeat(a, "\xf0\x9f\x98\x80", GRADE_TEXT_MAX)));
	qbad(a, GRADE_SINGLE, arena_printf(a, fmt, repeat(a, "a", GRADE_TEXT_MAX + 1)));
	/* Empty, blank, control characters. */
	qbad(a, GRADE_SINGLE, arena_printf(a, fmt, "\"\""));
	qbad(a, GRADE_SINGLE, arena_printf(a, fmt, "\"  \\t \""));
	qbad(a, GRADE_SINGLE, arena_printf(a, fmt, "\"a\\u0007b\""));
	q = qok(a, GRADE_SINGLE, arena_printf(a, fmt, "\" a \""));
	assert_string_equal(q.items[0].text, " a ");

	/* Not UTF-8 (the parser refuses it, so forge the tree). */
	spec = js(a, arena_printf(a, fmt, "\"ok\""));
	spec->child->child->child->str = "a\xff";
	spec->child->child->child->len = 2;
	assert_int_equal(grade_question_parse(a, GRADE_SINGLE, spec, &q, &err), -1);
	assert_non_null(strstr(err, "UTF-8"));
	spec->child->child->child->str = "\xc3\xa8\xc3";	/* cut short */
	spec->child->child->child->len = 3;
	assert_int_equal(grade_question_parse(a, GRADE_SINGLE, spec, &q, &err), -1);

	/* Strings are copied into the arena, not borrowed from the tree. */
	spec->child->child->child->str = "copia";
	spec->child->child->child->len = 5;
	assert_int_equal(grade_question_parse(a, GRADE_SINGLE, spec, &q, &err), 0);
	assert_string_equal(q.items[0].text, "copia");
	assert_ptr_not_equal(q.items[0].text, spec->child->child->child->str);
}

static void
test_parse_other_kinds(void **state)
{
	struct arena *a = *state;
	struct grade_question q;
	struct json_value *spec;
	const char *err;
	char *s;

	/* truefalse */
	q = qok(a, GRADE_TRUEFALSE, "{\"answer\":false}");
	assert_false(q.truth);
	q = qok(a, GRADE_TRUEFALSE, "{\"answer\":true}");
	assert_true(q.truth);
	qbad(a, GRADE_TRUEFALSE, "{\"answer\":\"true\"}");
	qbad(a, GRADE_TRUEFALSE, "{\"answer\":1}");
	qbad(a, GRADE_TRUEFALSE, "{}");
	qbad(a, GRADE_TRUEFALSE, "{\"answer\":true,\"value\":true}");

	/* matching */
	q = qok(a, GRADE_MATCHING, "{\"pairs\":[{\"prompt\":\"PUA\",\"match\":\"Punto unico\"},"
		"{\"prompt\":\"PAI\",\"match\":\"Piano\"}]}");
	assert_int_equal(q.nitems, 2);
	assert_string_equal(q.items[1].text, "PAI");
	assert_string_equal(q.items[1].match, "Piano");
	qbad(a, GRADE_MATCHING, "{\"pairs\":[{\"prompt\":\"a\",\"match\":\"b\"}]}");
	qbad(a, GRADE_MATCHING, "{\"pairs\":[{\"prompt\":\"a\",\"match\":\"b\"},{\"prompt\":\"c\"}]}");
	qbad(a, GRADE_MATCHING, "{\"pairs\":[{\"prompt\":\"a\",\"match\":\"b\"},"
	     "{\"prompt\":\"c\",\"match\":\"\"}]}");
	qbad(a, GRADE_MATCHING, "{\"pairs\":[{\"prompt\":\"a\",\"match\":\"b\"},"
	     "{\"prompt\":\"c\",\"match\":\"d\",\"text\":\"x\"}]}");
	s = arena_strdup(a, "{\"pairs\":[{\"prompt\":\"p\",\"match\":\"m\"}");
	for (int i = 1; i <= GRADE_ITEMS_MAX; i++)
		s = arena_printf(a, "%s,{\"prompt\":\"p%d\",\"match\":\"m%d\"}", s, i, i);
	qbad(a, GRADE_MATCHING, arena_printf(a, "%s]}", s));
	qbad(a, GRADE_MATCHING, arena_printf(a, "{\"pairs\":[{\"prompt\":\"a\",\"match\":%s},"
					     "{\"prompt\":\"c\",\"match\":\"d\"}]}",
					     repeat(a, "à", GRADE_TEXT_MAX + 1)));

	/* short */
	q = qok(a, GRADE_SHORT, "{\"accepted\":[\"perché no\",\"no\"]}");
	assert_int_equal(q.naccepted, 2);
	assert_string_equal(q.accepted[0], "perché no");
	qbad(a, GRADE_SHORT, "{\"accepted\":[]}");
	qbad(a, GRADE_SHORT, "{\"accepted\":\"no\"}");
	qbad(a, GRADE_SHORT, "{\"accepted\":[\"no\",3]}");
	qbad(a, GRADE_SHORT, "{\"accepted\":[\"\"]}");
	qbad(a, GRADE_SHORT, arena_printf(a, "{\"accepted\":[%s]}", repeat(a, "z", GRADE_TEXT_MAX + 1)));
	s = arena_strdup(a, "{\"accepted\":[\"a\"");
	for (int i = 1; i < GRADE_ACCEPTED_MAX; i++)
		s = arena_printf(a, "%s,\"a%d\"", s, i);
	q = qok(a, GRADE_SHORT, arena_printf(a, "%s]}", s));
	assert_int_equal(q.naccepted, GRADE_ACCEPTED_MAX);
	qbad(a, GRADE_SHORT, arena_printf(a, "%s,\"one more\"]}", s));

	/* numeric */
	q = qok(a, GRADE_NUMERIC, "{\"value\":12.5,\"tolerance\":0.5}");
	assert_true(q.value == 12.5);
	assert_true(q.tolerance == 0.5);
	q = qok(a, GRADE_NUMERIC, "{\"value\":-3e2,\"tolerance\":0}");
	assert_true(q.value == -300);
	assert_int_equal(qp(a, GRADE_NUMERIC, "{\"value\":1,\"tolerance\":-0.1}", &q, &err), -1);
	assert_non_null(strstr(err, "tolleranza"));
	qbad(a, GRADE_NUMERIC, "{\"value\":1}");
	qbad(a, GRADE_NUMERIC, "{\"tolerance\":1}");
	qbad(a, GRADE_NUMERIC, "{\"value\":\"1\",\"tolerance\":1}");
	qbad(a, GRADE_NUMERIC, "{\"value\":1e400,\"tolerance\":1}");	/* overflows to inf */
	qbad(a, GRADE_NUMERIC, "{\"value\":1,\"tolerance\":-1e400}");
	qbad(a, GRADE_NUMERIC, "{\"value\":1,\"tolerance\":0,\"unit\":\"kg\"}");
	/* NaN-like literals cannot come out of the parser; forge them. */
	spec = js(a, "{\"value\":1,\"tolerance\":0}");
	{
		static const char *const forged[] = { "nan", "NaN", "inf", "-inf", "0x10", " 1", "" };

		for (size_t i = 0; i < ARRAY_SIZE(forged); i++) {
			spec->child->str = forged[i];
			spec->child->len = strlen(forged[i]);
			assert_int_equal(grade_question_parse(a, GRADE_NUMERIC, spec, &q, &err), -1);
		}
		spec->child->str = NULL;
		assert_int_equal(grade_question_parse(a, GRADE_NUMERIC, spec, &q, &err), -1);
	}
}

/* parse(json(parse(x))) == parse(x), and the writer's shape is stable. */
static void
test_question_roundtrip(void **state)
{
	struct arena *a = *state;
	static const struct {
		enum grade_kind kind;
		const char *json;
	} keys[] = {
		{ GRADE_SINGLE, "{\"choices\":[{\"text\":\"Sì <b>&</b> \\\"no\\\"\",\"correct\":false},"
		  "{\"text\":\"Città\",\"correct\":true}]}" },
		{ GRADE_MULTIPLE, "{\"choices\":[{\"text\":\"a\",\"correct\":true},"
		  "{\"text\":\"b\",\"correct\":false},{\"text\":\"c\",\"correct\":true}]}" },
		{ GRADE_TRUEFALSE, "{\"answer\":true}" },
		{ GRADE_MATCHING, "{\"pairs\":[{\"prompt\":\"a\",\"match\":\"x\"},"
		  "{\"prompt\":\"b\",\"match\":\"y\"},{\"prompt\":\"c\",\"match\":\"x\"}]}" },
		{ GRADE_SHORT, "{\"accepted\":[\"L’acqua\",\"acqua\"]}" },
		{ GRADE_NUMERIC, "{\"value\":0.1,\"tolerance\":0}" },
		{ GRADE_NUMERIC, "{\"value\":-1.2345678901234567e-300,\"tolerance\":1e+300}" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		struct grade_question q1 = qok(a, keys[i].kind, keys[i].json);
		const char *j1 = qjson(a, &q1);
		struct grade_question q2 = qok(a, keys[i].kind, j1);
		const char *j2 = qjson(a, &q2);

		assert_same_question(&q1, &q2);
		assert_string_equal(j1, j2);
	}
	assert_string_equal(qjson(a, &(struct grade_question){ .kind = GRADE_NUMERIC, .value = 12.5,
							       .tolerance = 0.1 }),
			    "{\"value\":12.5,\"tolerance\":0.1}");
	{
		struct grade_question q = qok(a, GRADE_MATCHING, keys[3].json);

		assert_string_equal(qjson(a, &q), keys[3].json);
		q = qok(a, GRADE_MULTIPLE, keys[1].json);
		assert_string_equal(qjson(a, &q), keys[1].json);
	}
	/* Under a member name, inside an object. */
	{
		struct grade_question q = qok(a, GRADE_TRUEFALSE, "{\"answer\":false}");
		struct json_writer w;
		struct buf b;

		buf_init(&b, 0);
		json_writer_init(&w, &b);
		json_obj_open(&w, NULL);
		grade_question_json(&w, "spec", &q);
		json_obj_close(&w);
		assert_string_equal(b.data, "{\"spec\":{\"answer\":false}}");
		buf_release(&b);
	}
}

static const char *const CHOICES5 =
	"{\"choices\":[{\"text\":\"r1\",\"correct\":true},{\"text\":\"w1\",\"correct\":false},"
	"{\"text\":\"r2\",\"correct\":true},{\"text\":\"w2\",\"correct\":false},"
	"{\"text\":\"r3\",\"correct\":true}]}";

static void
test_answer_single(void **state)
{
	struct arena *a = *state;
	struct grade_question q = qok(a, GRADE_SINGLE, "{\"choices\":[{\"text\":\"a\",\"correct\":false},"
				      "{\"text\":\"b\",\"correct\":true},{\"text\":\"c\",\"correct\":false}]}");
	struct grade_answer ans;

	ans = aok(a, &q, "{\"choice\":2}");
	assert_int_equal(ans.nids, 1);
	assert_int_equal(ans.ids[0], 2);
	ans = aok(a, &q, "{\"choice\":3}");
	assert_int_equal(ans.ids[0], 3);
	/* Forged ids: 0, past the last choice, past GRADE_ITEMS_MAX, negative, huge. */
	assert_string_equal(abad(a, &q, "{\"choice\":0}"), "Scelta non valida per questa domanda.");
	assert_string_equal(abad(a, &q, "{\"choice\":4}"), "Scelta non valida per questa domanda.");
	abad(a, &q, "{\"choice\":11}");
	abad(a, &q, "{\"choice\":-1}");
	abad(a, &q, "{\"choice\":4294967298}");
	abad(a, &q, "{\"choice\":99999999999999999999}");
	abad(a, &q, "{\"choice\":2.0}");
	abad(a, &q, "{\"choice\":2e0}");
	abad(a, &q, "{\"choice\":\"2\"}");
	abad(a, &q, "{\"choice\":null}");
	abad(a, &q, "{}");
	abad(a, &q, "[2]");
	abad(a, &q, "2");
	abad(a, &q, "{\"choice\":2,\"note\":\"x\"}");
	/* Two choices on a single-choice question. */
	assert_string_equal(abad(a, &q, "{\"choice\":[1,2]}"),
			    "Per questa domanda si può indicare una sola scelta.");
	assert_string_equal(abad(a, &q, "{\"choices\":[1,2]}"),
			    "Per questa domanda si può indicare una sola scelta.");
	abad(a, &q, "{\"choice\":2,\"choices\":[2]}");
}

static void
test_answer_multiple(void **state)
{
	struct arena *a = *state;
	struct grade_question q = qok(a, GRADE_MULTIPLE, CHOICES5);
	struct grade_answer ans;

	ans = aok(a, &q, "{\"choices\":[5,1,3]}");
	assert_int_equal(ans.nids, 3);
	assert_int_equal(ans.ids[0], 1);
	assert_int_equal(ans.ids[1], 3);
	assert_int_equal(ans.ids[2], 5);
	ans = aok(a, &q, "{\"choices\":[]}");
	assert_int_equal(ans.nids, 0);
	ans = aok(a, &q, "{\"choices\":[5,4,3,2,1]}");
	assert_int_equal(ans.nids, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(ans.ids[i], i + 1);

	abad(a, &q, "{\"choices\":[0]}");
	abad(a, &q, "{\"choices\":[6]}");	/* a choice the question does not have */
	abad(a, &q, "{\"choices\":[11]}");
	abad(a, &q, "{\"choices\":[1,2,3,4,5,6,7,8,9,10,11]}");
	assert_string_equal(abad(a, &q, "{\"choices\":[2,2]}"), "La stessa scelta è indicata più volte.");
	abad(a, &q, "{\"choices\":[1,2,3,4,5,1]}");
	abad(a, &q, "{\"choices\":[\"1\"]}");
	abad(a, &q, "{\"choices\":[[1]]}");
	abad(a, &q, "{\"choices\":1}");
	abad(a, &q, "{\"choice\":1}");
	abad(a, &q, "{}");
}

static const char *const PAIRS_DUP =
	"{\"pairs\":[{\"prompt\":\"Roma\",\"match\":\"Lazio\"},"
	"{\"prompt\":\"Milano\",\"match\":\"Lombardia\"},"
	"{\"prompt\":\"Latina\",\"match\":\"Lazio\"},"
	"{\"prompt\":\"Napoli\",\"match\":\"Campania\"}]}";

static void
test_answer_other_kinds(void **state)
{
	struct arena *a = *state;
	struct grade_question tf = qok(a, GRADE_TRUEFALSE, "{\"answer\":true}");
	struct grade_question m = qok(a, GRADE_MATCHING, PAIRS_DUP);
	struct grade_question sh = qok(a, GRADE_SHORT, "{\"accepted\":[\"sì\"]}");
	struct grade_question num = qok(a, GRADE_NUMERIC, "{\"value\":1,\"tolerance\":0}");
	struct grade_answer ans;
	struct json_value *v;
	const char *err;

	/* truefalse */
	assert_false(aok(a, &tf, "{\"value\":false}").truth);
	assert_true(aok(a, &tf, "{\"value\":true}").truth);
	abad(a, &tf, "{\"value\":1}");
	abad(a, &tf, "{\"value\":\"true\"}");
	abad(a, &tf, "{\"answer\":true}");
	abad(a, &tf, "{}");

	/* matching: options offered are 1 (Lazio), 2 (Lombardia), 4 (Campania). */
	ans = aok(a, &m, "{\"matches\":{\"3\":1,\"1\":1}}");
	assert_int_equal(ans.matches[0], 1);
	assert_int_equal(ans.matches[1], 0);
	assert_int_equal(ans.matches[2], 1);
	assert_int_equal(ans.matches[3], 0);
	ans = aok(a, &m, "{\"matches\":{}}");
	for (int i = 0; i < GRADE_ITEMS_MAX; i++)
		assert_int_equal(ans.matches[i], 0);
	ans = aok(a, &m, "{\"matches\":{\"1\":4,\"2\":4,\"3\":2,\"4\":1}}");
	assert_int_equal(ans.matches[1], 4);
	assert_string_equal(abad(a, &m, "{\"matches\":{\"1\":3}}"),
			    "Abbinamento non valido per questa domanda.");	/* not offered */
	abad(a, &m, "{\"matches\":{\"abc\":1}}");
	abad(a, &m, "{\"matches\":{\"\":1}}");
	abad(a, &m, "{\"matches\":{\"0\":1}}");
	abad(a, &m, "{\"matches\":{\"5\":1}}");	/* no such pair */
	abad(a, &m, "{\"matches\":{\"11\":1}}");
	abad(a, &m, "{\"matches\":{\"01\":1}}");
	abad(a, &m, "{\"matches\":{\"+1\":1}}");
	abad(a, &m, "{\"matches\":{\"-1\":1}}");
	abad(a, &m, "{\"matches\":{\" 1\":1}}");
	abad(a, &m, "{\"matches\":{\"1 \":1}}");
	abad(a, &m, "{\"matches\":{\"1\":0}}");
	abad(a, &m, "{\"matches\":{\"1\":5}}");
	abad(a, &m, "{\"matches\":{\"1\":11}}");
	abad(a, &m, "{\"matches\":{\"1\":\"1\"}}");
	abad(a, &m, "{\"matches\":{\"1\":null}}");
	abad(a, &m, "{\"matches\":[1,2]}");
	abad(a, &m, "{\"matches\":{\"1\":1},\"x\":1}");
	/* A hand-built tree with a repeated pair (the parser refuses it). */
	v = js(a, "{\"matches\":{\"1\":1,\"2\":1}}");
	v->child->child->next->key = "1";
	assert_int_equal(grade_answer_parse(a, &m, v, &ans, &err), -1);

	/* short */
	ans = aok(a, &sh, "{\"text\":\"  Sì \"}");
	assert_string_equal(ans.text, "  Sì ");
	ans = aok(a, &sh, "{\"text\":\"\"}");
	assert_string_equal(ans.text, "");
	ans = aok(a, &sh, arena_printf(a, "{\"text\":%s}", repeat(a, "ß", GRADE_TEXT_MAX)));
	abad(a, &sh, arena_printf(a, "{\"text\":%s}", repeat(a, "ß", GRADE_TEXT_MAX + 1)));
	abad(a, &sh, "{\"text\":\"a\\u001bb\"}");
	abad(a, &sh, "{\"text\":1}");
	abad(a, &sh, "{\"text\":[\"sì\"]}");
	v = js(a, "{\"text\":\"ok\"}");
	v->child->str = "\xc0\xaf";	/* overlong '/' */
	v->child->len = 2;
	assert_int_equal(grade_answer_parse(a, &sh, v, &ans, &err), -1);
	assert_non_null(strstr(err, "UTF-8"));
	assert_null(ans.text);

	/* numeric */
	assert_true(aok(a, &num, "{\"value\":-12.5e-1}").number == -1.25);
	abad(a, &num, "{\"value\":\"12,5\"}");
	abad(a, &num, "{\"value\":1e400}");
	abad(a, &num, "{\"value\":-1e999}");
	abad(a, &num, "{\"value\":null}");
	abad(a, &num, "{}");
	v = js(a, "{\"value\":1}");
	v->child->str = "nan";
	assert_int_equal(grade_answer_parse(a, &num, v, &ans, &err), -1);

	/* Not an object at all. */
	err = NULL;
	assert_int_equal(grade_answer_parse(a, &num, NULL, &ans, &err), -1);
	assert_non_null(err);
}

static void
test_answer_json(void **state)
{
	struct arena *a = *state;
	struct grade_question q = qok(a, GRADE_MULTIPLE, CHOICES5);
	struct grade_question m = qok(a, GRADE_MATCHING, PAIRS_DUP);
	struct grade_question num = qok(a, GRADE_NUMERIC, "{\"value\":1,\"tolerance\":0}");
	struct grade_question sh = qok(a, GRADE_SHORT, "{\"accepted\":[\"x\"]}");
	struct grade_question s1 = qok(a, GRADE_SINGLE, "{\"choices\":[{\"text\":\"a\",\"correct\":true},"
				       "{\"text\":\"b\",\"correct\":false}]}");
	struct grade_question tf = qok(a, GRADE_TRUEFALSE, "{\"answer\":true}");
	struct grade_answer ans, back;
	static const char *const stored[] = {
		"{\"choices\":[1,3,5]}", "{\"choices\":[]}",
	};

	/* A hand-built answer in any order comes out ascending. */
	ans = (struct grade_answer){ .ids = { 5, 2, 4 }, .nids = 3 };
	assert_string_equal(ajson(a, &q, &ans), "{\"choices\":[2,4,5]}");
	for (size_t i = 0; i < ARRAY_SIZE(stored); i++) {
		ans = aok(a, &q, stored[i]);
		assert_string_equal(ajson(a, &q, &ans), stored[i]);
	}
	ans = aok(a, &q, "{\"choices\":[5,3,1]}");
	assert_string_equal(ajson(a, &q, &ans), "{\"choices\":[1,3,5]}");

	/* Matching: pair order, answered pairs only. */
	ans = aok(a, &m, "{\"matches\":{\"4\":4,\"2\":1}}");
	assert_string_equal(ajson(a, &m, &ans), "{\"matches\":{\"2\":1,\"4\":4}}");
	back = aok(a, &m, ajson(a, &m, &ans));
	assert_memory_equal(back.matches, ans.matches, sizeof(ans.matches));
	ans = aok(a, &m, "{\"matches\":{}}");
	assert_string_equal(ajson(a, &m, &ans), "{\"matches\":{}}");

	ans = aok(a, &s1, "{\"choice\":2}");
	assert_string_equal(ajson(a, &s1, &ans), "{\"choice\":2}");
	ans = aok(a, &tf, "{\"value\":false}");
	assert_string_equal(ajson(a, &tf, &ans), "{\"value\":false}");
	ans = aok(a, &sh, "{\"text\":\"<Perché> \\\"no\\\"\"}");
	assert_string_equal(ajson(a, &sh, &ans), "{\"text\":\"\\u003cPerché\\u003e \\\"no\\\"\"}");
	back = aok(a, &sh, ajson(a, &sh, &ans));
	assert_string_equal(back.text, ans.text);
	ans = aok(a, &num, "{\"value\":12.5}");
	assert_string_equal(ajson(a, &num, &ans), "{\"value\":12.5}");
	ans = aok(a, &num, "{\"value\":0.30000000000000004}");
	back = aok(a, &num, ajson(a, &num, &ans));
	assert_true(back.number == ans.number);
	assert_true(back.number != 0.3);
	ans = aok(a, &num, "{\"value\":1e-7}");
	back = aok(a, &num, ajson(a, &num, &ans));
	assert_true(back.number == 1e-7);
}

static void
test_score_simple(void **state)
{
	struct arena *a = *state;
	struct grade_question q = qok(a, GRADE_SINGLE, "{\"choices\":[{\"text\":\"a\",\"correct\":false},"
				      "{\"text\":\"b\",\"correct\":true}]}");
	struct grade_question tf = qok(a, GRADE_TRUEFALSE, "{\"answer\":false}");
	struct grade_answer forged = { .ids = { 7 }, .nids = 1 };

	assert_true(sc(a, &q, "{\"choice\":2}") == 1);
	assert_true(sc(a, &q, "{\"choice\":1}") == 0);
	assert_true(grade_score(&q, NULL) == 0);
	/* A hand-built answer out of range scores 0 instead of reading past items. */
	assert_true(grade_score(&q, &forged) == 0);
	assert_true(sc(a, &tf, "{\"value\":false}") == 1);
	assert_true(sc(a, &tf, "{\"value\":true}") == 0);
	assert_true(grade_score(&tf, NULL) == 0);
}

static void
test_score_multiple(void **state)
{
	struct arena *a = *state;
	struct grade_question q = qok(a, GRADE_MULTIPLE, CHOICES5);	/* 3 right, 2 wrong */
	struct grade_question all = qok(a, GRADE_MULTIPLE, "{\"choices\":[{\"text\":\"a\",\"correct\":true},"
					"{\"text\":\"b\",\"correct\":true}]}");

	assert_true(sc(a, &q, "{\"choices\":[1,3,5]}") == 1);
	assert_true(sc(a, &q, "{\"choices\":[1,3,2]}") == 2.0 / 3 - 1.0 / 2);
	assert_float_equal(sc(a, &q, "{\"choices\":[1,3,2]}"), 1.0 / 6, 1e-12);
	assert_float_equal(sc(a, &q, "{\"choices\":[1]}"), 1.0 / 3, 1e-12);
	assert_float_equal(sc(a, &q, "{\"choices\":[1,3,5,2]}"), 0.5, 1e-12);
	assert_true(sc(a, &q, "{\"choices\":[1,2,3,4,5]}") == 0);	/* everything ticked */
	assert_true(sc(a, &q, "{\"choices\":[1,2,4]}") == 0);	/* 1/3 - 1: never below 0 */
	assert_true(sc(a, &q, "{\"choices\":[2,4]}") == 0);
	assert_true(sc(a, &q, "{\"choices\":[]}") == 0);
	assert_true(grade_score(&q, NULL) == 0);
	/* No wrong choice to subtract. */
	assert_true(sc(a, &all, "{\"choices\":[1,2]}") == 1);
	assert_true(sc(a, &all, "{\"choices\":[2]}") == 0.5);
}

static void
test_score_matching(void **state)
{
	struct arena *a = *state;
	struct grade_question m = qok(a, GRADE_MATCHING, PAIRS_DUP);
	struct grade_answer forged = { .matches = { 9, -1, 3, 4 } };

	/* Option 1 ("Lazio") is right for both Roma and Latina. */
	assert_true(sc(a, &m, "{\"matches\":{\"1\":1,\"2\":2,\"3\":1,\"4\":4}}") == 1);
	assert_true(sc(a, &m, "{\"matches\":{\"1\":1,\"3\":1}}") == 0.5);
	assert_true(sc(a, &m, "{\"matches\":{\"1\":2,\"2\":1,\"3\":4,\"4\":1}}") == 0);
	assert_true(sc(a, &m, "{\"matches\":{\"1\":4,\"2\":2,\"3\":1,\"4\":2}}") == 0.5);
	assert_true(sc(a, &m, "{\"matches\":{\"4\":4}}") == 0.25);
	assert_true(sc(a, &m, "{\"matches\":{}}") == 0);
	/* Hand-built: 9 and -1 ignored; 3 ("Lazio" again) is right for Latina. */
	assert_true(grade_score(&m, &forged) == 0.5);
}

/* The options offered: the first pair of each distinct match text, in key order. */
static void
test_matching_options(void **state)
{
	struct arena *a = *state;
	struct grade_question m = qok(a, GRADE_MATCHING, PAIRS_DUP);
	int ids[GRADE_ITEMS_MAX];

	assert_int_equal(grade_matching_options(&m, ids), 3);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 2);
	assert_int_equal(ids[2], 4);
}

static void
test_score_short(void **state)
{
	struct arena *a = *state;
	struct grade_question q = qok(a, GRADE_SHORT, "{\"accepted\":[\"perche no\",\"L’Aquila\"]}");

	assert_true(sc(a, &q, "{\"text\":\"  Perché   NO \"}") == 1);
	assert_true(sc(a, &q, "{\"text\":\"PERCHÉ\\tno\"}") == 1);
	assert_true(sc(a, &q, "{\"text\":\"perche\\u00a0no\"}") == 1);	/* no-break space */
	assert_true(sc(a, &q, "{\"text\":\"perche\\u0301 no\"}") == 1);	/* decomposed é */
	assert_true(sc(a, &q, "{\"text\":\"perche si\"}") == 0);
	assert_true(sc(a, &q, "{\"text\":\"percheno\"}") == 0);
	assert_true(sc(a, &q, "{\"text\":\"l'aquila\"}") == 1);
	assert_true(sc(a, &q, "{\"text\":\"L’AQUILA\"}") == 1);
	assert_true(sc(a, &q, "{\"text\":\"laquila\"}") == 0);
	assert_true(sc(a, &q, "{\"text\":\"\"}") == 0);
	assert_true(sc(a, &q, "{\"text\":\"   \"}") == 0);
	assert_true(grade_score(&q, NULL) == 0);
	assert_true(grade_score(&q, &(struct grade_answer){ .text = NULL }) == 0);
}

static void
test_score_numeric(void **state)
{
	struct arena *a = *state;
	struct grade_question q = qok(a, GRADE_NUMERIC, "{\"value\":12.5,\"tolerance\":0.5}");
	struct grade_question exact = qok(a, GRADE_NUMERIC, "{\"value\":-3,\"tolerance\":0}");
	struct grade_question tenth = qok(a, GRADE_NUMERIC, "{\"value\":0.3,\"tolerance\":0.1}");

	assert_true(sc(a, &q, "{\"value\":12.5}") == 1);
	assert_true(sc(a, &q, "{\"value\":12}") == 1);
	assert_true(sc(a, &q, "{\"value\":13}") == 1);
	assert_true(sc(a, &q, "{\"value\":13.0000000001}") == 1);	/* inside the 1e-9 margin */
	assert_true(sc(a, &q, "{\"value\":13.00001}") == 0);
	assert_true(sc(a, &q, "{\"value\":11.99999}") == 0);
	assert_true(sc(a, &q, "{\"value\":-12.5}") == 0);
	assert_true(sc(a, &exact, "{\"value\":-3}") == 1);
	assert_true(sc(a, &exact, "{\"value\":-3.0000001}") == 0);
	/* 0.4 - 0.3 is 0.10000000000000003 in binary: the margin lets it pass. */
	assert_true(0.4 - 0.3 > 0.1);
	assert_true(sc(a, &tenth, "{\"value\":0.4}") == 1);
	assert_true(sc(a, &tenth, "{\"value\":0.2}") == 1);
	assert_true(sc(a, &tenth, "{\"value\":0.41}") == 0);
	assert_true(grade_score(&q, &(struct grade_answer){ .number = NAN }) == 0);
	assert_true(grade_score(&q, &(struct grade_answer){ .number = INFINITY }) == 0);
}

static void
test_fold(void **state)
{
	struct arena *a = *state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "  Perché   NO ", "perche no" },
		{ "àáâãäå ÀÁÂÃÄÅ", "aaaaaa aaaaaa" },
		{ "ç Ç èéêë ÈÉÊË", "c c eeee eeee" },
		{ "ìíîï ÌÍÎÏ ñ Ñ", "iiii iiii n n" },
		{ "òóôõöø ÒÓÔÕÖØ", "oooooo oooooo" },
		{ "ùúûü ÙÚÛÜ ýÿ ÝŸ", "uuuu uuuu yy yy" },
		{ "Łódź Kraków Škoda Ærø Œuvre Straße", "lodz krakow skoda aero oeuvre strasse" },
		{ "Ā ă Ę ğ Ħ İ ı Ĳ ĵ ķ Ŀ Ň Ő Ř Ş Ŧ Ů Ŵ Ŷ Ž ſ", "a a e g h i i ij j k l n o r s t u w y z s" },
		{ "L’acqua ‘x’ dell\u02BCarte", "l'acqua 'x' dell'arte" },
		{ "e\xcc\x81 E\xcc\x80", "e e" },	/* combining acute and grave */
		{ "a\t\n\r\f\vb", "a b" },
		{ "\xc2\xa0 x \xe2\x80\xaf y \xe3\x80\x80", "x y" },
		{ "Ω ДА × ÷ 中文 😀", "Ω ДА × ÷ 中文 😀" },	/* kept as they are */
		{ "a\xff" "B\xc3", "a\xff" "b\xc3" },	/* stray bytes kept */
		{ "", "" },
		{ " \t ", "" },
		{ "ABC xyz 123 !?", "abc xyz 123 !?" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *got = grade_text_fold(a, cases[i].in);

		if (strcmp(got, cases[i].out) != 0)
			fail_msg("fold(\"%s\") = \"%s\", want \"%s\"", cases[i].in, got, cases[i].out);
		assert_true(strlen(got) <= strlen(cases[i].in));
	}
	assert_string_equal(grade_text_fold(a, NULL), "");
	/* Every two-byte letter the table maps, folded on its own, is ASCII. */
	for (uint32_t cp = 0xC0; cp <= 0x17F; cp++) {
		char in[3] = { (char)(0xC0 | (cp >> 6)), (char)(0x80 | (cp & 0x3F)), 0 };
		const char *got = grade_text_fold(a, in);

		if (cp == 0xD7 || cp == 0xF7) {
			assert_string_equal(got, in);
			continue;
		}
		for (const char *p = got; *p != '\0'; p++)
			assert_true((unsigned char)*p < 0x80);
		assert_true(strlen(got) >= 1 && strlen(got) <= 2);
	}
}

static void
test_number_parse(void **state)
{
	static const struct {
		const char *in;
		double want;
	} good[] = {
		{ "12,5", 12.5 }, { "12.5", 12.5 }, { "-3", -3 }, { "1e3", 1000 },
		{ " 7 ", 7 }, { "+4", 4 }, { "0", 0 }, { ",5", 0.5 }, { "5.", 5 },
		{ "-1,5E-2", -0.015 }, { "\t 2e+2\n", 200 }, { "007", 7 },
	};
	static const char *const bad[] = {
		"", "   ", "1,000.5", "1.000,5", "inf", "-inf", "nan", "NaN", "infinity",
		"1.2.3", "0x10", "1e", "1e+", "e3", "-", "+", ".", ",", "1 000", "12a",
		"a12", "1e400", "--1", "+-1", "1,5,", "١٢",
	};
	char big[GRADE_NUMBER_MAX + 2];
	double d;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		d = -12345;
		if (grade_number_parse(good[i].in, &d) != 0)
			fail_msg("\"%s\" refused", good[i].in);
		assert_float_equal(d, good[i].want, 1e-12);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		d = -12345;
		if (grade_number_parse(bad[i], &d) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_true(d == -12345);	/* untouched */
	}
	assert_int_equal(grade_number_parse(NULL, &d), -1);
	/* Length bound: GRADE_NUMBER_MAX digits pass, one more does not. */
	memset(big, '1', GRADE_NUMBER_MAX);
	big[GRADE_NUMBER_MAX] = '\0';
	assert_int_equal(grade_number_parse(big, &d), 0);
	big[GRADE_NUMBER_MAX] = '1';
	big[GRADE_NUMBER_MAX + 1] = '\0';
	assert_int_equal(grade_number_parse(big, &d), -1);
	/* An embedded NUL ends the string: what follows is not read. */
	assert_int_equal(grade_number_parse("3\0junk", &d), 0);
	assert_true(d == 3);
}

static void
test_combine(void **state)
{
	static const double s[] = { 0.5, 0.9, 0.2, 0.6 };
	static const double one[] = { 0.75 };

	(void)state;
	assert_true(grade_combine(GRADE_HIGHEST, s, 4) == 0.9);
	assert_true(grade_combine(GRADE_LAST, s, 4) == 0.6);
	assert_true(grade_combine(GRADE_FIRST, s, 4) == 0.5);
	assert_float_equal(grade_combine(GRADE_AVERAGE, s, 4), 0.55, 1e-12);
	for (int m = GRADE_HIGHEST; m <= GRADE_FIRST; m++)
		assert_true(grade_combine((enum grade_method)m, one, 1) == 0.75);
	assert_true(grade_combine(GRADE_HIGHEST, (const double[]){ 0, 0 }, 2) == 0);
	assert_true(grade_combine(GRADE_AVERAGE, (const double[]){ 1, 0 }, 2) == 0.5);
	/* Only the first n count. */
	assert_true(grade_combine(GRADE_LAST, s, 2) == 0.9);
	assert_true(grade_combine(GRADE_HIGHEST, s, 1) == 0.5);
}

static void
test_shuffle(void **state)
{
	enum { N = 7, RUNS = 2000 };
	int64_t ids[N];
	int first[N] = { 0 };
	int moved = 0;

	(void)state;
	for (int r = 0; r < RUNS; r++) {
		int64_t sum = 0;
		bool seen[N] = { false };

		for (int i = 0; i < N; i++)
			ids[i] = 100 + i;
		grade_shuffle(ids, N);
		for (int i = 0; i < N; i++) {
			assert_true(ids[i] >= 100 && ids[i] < 100 + N);
			assert_false(seen[ids[i] - 100]);	/* same multiset: a permutation */
			seen[ids[i] - 100] = true;
			sum += ids[i];
			moved += ids[i] != 100 + i;
		}
		assert_int_equal(sum, 7 * 100 + 21);
		first[ids[0] - 100]++;
	}
	/* Each element comes first sometimes (expected RUNS / N = 285 each). */
	for (int i = 0; i < N; i++)
		assert_true(first[i] > 150);
	assert_true(moved > 0);

	/* Repeated values keep their multiset too. */
	{
		int64_t dup[] = { 5, 5, 9, 9, 9, 1 };
		int c1 = 0, c5 = 0, c9 = 0;

		grade_shuffle(dup, 6);
		for (int i = 0; i < 6; i++) {
			c1 += dup[i] == 1;
			c5 += dup[i] == 5;
			c9 += dup[i] == 9;
		}
		assert_int_equal(c1, 1);
		assert_int_equal(c5, 2);
		assert_int_equal(c9, 3);
	}
	/* 0 and 1 elements: nothing to do, nothing read out of bounds. */
	ids[0] = 42;
	grade_shuffle(ids, 1);
	assert_int_equal(ids[0], 42);
	grade_shuffle(NULL, 0);
}

/*
 * Keys as lines.
 */

/* Parses lines; returns the rc, the message in *err. */
static int
lp(struct arena *a, enum grade_kind kind, const char *text, struct grade_question *q,
   const char **err)
{
	*err = NULL;
	return grade_lines_parse(a, kind, text, q, err);
}

static struct grade_question
lok(struct arena *a, enum grade_kind kind, const char *text)
{
	struct grade_question q;
	const char *err;

	if (lp(a, kind, text, &q, &err) != 0)
		fail_msg("lines \"%s\" refused: %s", text, err);
	return q;
}

/* Lines that must be refused with exactly want (NULL: any message). */
static void
lbad(struct arena *a, enum grade_kind kind, const char *text, const char *want)
{
	struct grade_question q;
	const char *err = NULL;

	if (lp(a, kind, text, &q, &err) != -1)
		fail_msg("lines \"%s\" accepted", text);
	assert_non_null(err);
	if (want != NULL && strcmp(err, want) != 0)
		fail_msg("lines \"%s\": \"%s\", want \"%s\"", text, err, want);
	/* Nothing half-parsed is left. */
	assert_int_equal(q.kind, kind);
	assert_int_equal(q.nitems, 0);
	assert_int_equal(q.naccepted, 0);
	assert_true(q.value == 0 && q.tolerance == 0 && !q.truth);
}

/* n lines, each "<prefix>N", joined by LF. */
static const char *
nlines(struct arena *a, const char *first, const char *prefix, int n)
{
	char *s = arena_strdup(a, first);

	for (int i = 0; i < n; i++)
		s = arena_printf(a, "%s%s%s%d", s, s[0] != '\0' ? "\n" : "", prefix, i);
	return s;
}

static void
test_lines_choices(void **state)
{
	struct arena *a = *state;
	struct grade_question q;
	char nul[] = "* Roma\0Milano";

	/* CRLF, blank lines, spaces around, "*" with and without a space. */
	q = lok(a, GRADE_SINGLE, "\r\n  Milano  \r\n\r\n*Roma\r\n\t \r\n Città\t");
	assert_int_equal(q.kind, GRADE_SINGLE);
	assert_int_equal(q.nitems, 3);
	assert_string_equal(q.items[0].text, "Milano");
	assert_false(q.items[0].correct);
	assert_string_equal(q.items[1].text, "Roma");
	assert_true(q.items[1].correct);
	assert_string_equal(q.items[2].text, "Città");
	assert_null(q.items[0].match);
	q = lok(a, GRADE_MULTIPLE, "  *   a b  \n* c\nd*\n*\t*e");
	assert_int_equal(q.nitems, 4);
	assert_string_equal(q.items[0].text, "a b");
	assert_string_equal(q.items[1].text, "c");
	assert_string_equal(q.items[2].text, "d*");	/* a "*" inside is text */
	assert_false(q.items[2].correct);
	assert_string_equal(q.items[3].text, "*e");	/* only the first "*" marks */
	assert_true(q.items[3].correct);
	/* A lone CR ends a line too; LF CR is two line ends. */
	q = lok(a, GRADE_MULTIPLE, "a\r*b\n\rc");
	assert_int_equal(q.nitems, 3);
	assert_string_equal(q.items[2].text, "c");

	/* The rules of the JSON key, with the line that breaks them. */
	lbad(a, GRADE_SINGLE, "a\n\n*b\n* c", "Riga 4: una domanda a scelta singola ha esattamente "
	     "una scelta corretta.");
	lbad(a, GRADE_SINGLE, "a\nb", "Una domanda a scelta singola ha esattamente una scelta "
	     "corretta.");
	lbad(a, GRADE_MULTIPLE, "a\nb", "Una domanda a scelta multipla ha almeno una scelta "
	     "corretta.");
	lbad(a, GRADE_SINGLE, "* a", "Servono da 2 a 10 scelte.");
	lbad(a, GRADE_SINGLE, "", "Servono da 2 a 10 scelte.");
	lbad(a, GRADE_SINGLE, " \r\n\t\n", "Servono da 2 a 10 scelte.");
	lbad(a, GRADE_SINGLE, NULL, "Servono da 2 a 10 scelte.");
	q = lok(a, GRADE_SINGLE, nlines(a, "* ok", "x", GRADE_ITEMS_MAX - 1));	/* 10 */
	assert_int_equal(q.nitems, GRADE_ITEMS_MAX);
	/* 11 after a blank line: the 11th choice is on line 12. */
	lbad(a, GRADE_SINGLE, nlines(a, "\n* ok", "x", GRADE_ITEMS_MAX),
	     "Riga 12: servono da 2 a 10 scelte.");
	/* Many more lines than a key may have: counted, not stored. */
	lbad(a, GRADE_MULTIPLE, nlines(a, "* ok", "x", 5000), "Riga 11: servono da 2 a 10 scelte.");

	/* Texts: lengths in code points, "*" alone, UTF-8, controls. */
	q = lok(a, GRADE_SINGLE, arena_printf(a, "* %.*s\nb", 2 * GRADE_TEXT_MAX,
					      repeat(a, "è", GRADE_TEXT_MAX) + 1));
	assert_int_equal(strlen(q.items[0].text), 2 * GRADE_TEXT_MAX);
	lbad(a, GRADE_SINGLE, arena_printf(a, "*x\n%.*s", 2 * GRADE_TEXT_MAX + 2,
					   repeat(a, "è", GRADE_TEXT_MAX + 1) + 1),
	     "Riga 2: il testo deve avere da 1 a 200 caratteri.");
	lbad(a, GRADE_SINGLE, "a\n*\nb", "Riga 2: il testo deve avere da 1 a 200 caratteri.");
	lbad(a, GRADE_SINGLE, "* a\nb\xff", "Riga 2: il testo non è UTF-8 valido.");
	lbad(a, GRADE_SINGLE, "* a\xc3\nb", "Riga 1: il testo non è UTF-8 valido.");
	lbad(a, GRADE_SINGLE, "* a\x07z\nb", "Riga 1: il testo non è UTF-8 valido.");
	q = lok(a, GRADE_SINGLE, "* a\tz\nb");	/* a tab inside is text, as in JSON */
	assert_string_equal(q.items[0].text, "a\tz");
	/* The text ends at a NUL: "Milano" is never read. */
	lbad(a, GRADE_SINGLE, nul, "Servono da 2 a 10 scelte.");
	/* Strings are copied into the arena. */
	{
		char buf[] = "* uno\ndue";

		q = lok(a, GRADE_SINGLE, buf);
		memset(buf, 'z', sizeof(buf) - 1);
		assert_string_equal(q.items[0].text, "uno");
		assert_string_equal(q.items[1].text, "due");
	}
	/* An impossible kind is refused. */
	lbad(a, (enum grade_kind)42, "a\nb", "Tipo di domanda sconosciuto.");
}

static void
test_lines_other_kinds(void **state)
{
	struct arena *a = *state;
	struct grade_question q;
	static const char *const yes[] = { "vero", "VERO", " Vero \r\n", "\n\nvèro\n\n", "VÈRO" };
	static const char *const no[] = { "falso", "Falso", "FALSO\r\n", "fàlso" };

	/* truefalse */
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		assert_true(lok(a, GRADE_TRUEFALSE, yes[i]).truth);
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		assert_false(lok(a, GRADE_TRUEFALSE, no[i]).truth);
	lbad(a, GRADE_TRUEFALSE, "", "Scrivere «vero» o «falso».");
	lbad(a, GRADE_TRUEFALSE, "\r\n \r\n", "Scrivere «vero» o «falso».");
	lbad(a, GRADE_TRUEFALSE, "\nsì", "Riga 2: scrivere «vero» o «falso».");
	lbad(a, GRADE_TRUEFALSE, "true", NULL);
	lbad(a, GRADE_TRUEFALSE, "v", NULL);
	lbad(a, GRADE_TRUEFALSE, "vero falso", NULL);
	lbad(a, GRADE_TRUEFALSE, "verofalso", NULL);
	lbad(a, GRADE_TRUEFALSE, "vero\xff", NULL);
	lbad(a, GRADE_TRUEFALSE, "vero\n\nfalso", "Riga 3: basta una riga, con «vero» o «falso».");
	lbad(a, GRADE_TRUEFALSE, "vero\nvero", NULL);

	/* matching: split at the first " = ", both sides trimmed */
	q = lok(a, GRADE_MATCHING, "PUA = Punto unico\r\n\r\n  PAI   =   Piano\t\r\na = b = c\nx = =y");
	assert_int_equal(q.nitems, 4);
	assert_string_equal(q.items[0].text, "PUA");
	assert_string_equal(q.items[0].match, "Punto unico");
	assert_string_equal(q.items[1].text, "PAI");
	assert_string_equal(q.items[1].match, "Piano");
	assert_string_equal(q.items[2].text, "a");
	assert_string_equal(q.items[2].match, "b = c");
	assert_string_equal(q.items[3].match, "=y");
	assert_false(q.items[0].correct);
	q = lok(a, GRADE_MATCHING, "* a = b\nc = d");	/* no "*" marker here */
	assert_string_equal(q.items[0].text, "* a");
	lbad(a, GRADE_MATCHING, "a = b\nc=d", "Riga 2: scrivere l'elemento e il suo abbinamento "
	     "separati da « = ».");
	lbad(a, GRADE_MATCHING, "a = b\nc =", NULL);
	lbad(a, GRADE_MATCHING, "a = b\nc = \t", NULL);
	lbad(a, GRADE_MATCHING, "a = b\n = d", NULL);
	lbad(a, GRADE_MATCHING, "a = b", "Servono da 2 a 10 coppie.");
	lbad(a, GRADE_MATCHING, nlines(a, "", "p = m", GRADE_ITEMS_MAX + 1),
	     "Riga 11: servono da 2 a 10 coppie.");
	assert_int_equal(lok(a, GRADE_MATCHING, nlines(a, "", "p = m", GRADE_ITEMS_MAX)).nitems,
			 GRADE_ITEMS_MAX);
	lbad(a, GRADE_MATCHING, arena_printf(a, "a = b\nc = %.*s", GRADE_TEXT_MAX + 1,
					     repeat(a, "z", GRADE_TEXT_MAX + 1) + 1),
	     "Riga 2: il testo deve avere da 1 a 200 caratteri.");
	lbad(a, GRADE_MATCHING, "a = b\n\xc3 = d", "Riga 2: il testo non è UTF-8 valido.");

	/* short */
	q = lok(a, GRADE_SHORT, "  perché no \r\n\r\nno\n* sì = sì");
	assert_int_equal(q.naccepted, 3);
	assert_int_equal(q.nitems, 0);
	assert_string_equal(q.accepted[0], "perché no");
	assert_string_equal(q.accepted[2], "* sì = sì");	/* no markers here */
	lbad(a, GRADE_SHORT, "\n\n", "Servono da 1 a 20 risposte accettate.");
	assert_int_equal(lok(a, GRADE_SHORT, nlines(a, "", "a", GRADE_ACCEPTED_MAX)).naccepted,
			 GRADE_ACCEPTED_MAX);
	lbad(a, GRADE_SHORT, nlines(a, "", "a", GRADE_ACCEPTED_MAX + 1),
	     "Riga 21: servono da 1 a 20 risposte accettate.");

	/* numeric */
	q = lok(a, GRADE_NUMERIC, "12,5 ± 0,5");
	assert_true(q.value == 12.5 && q.tolerance == 0.5);
	q = lok(a, GRADE_NUMERIC, "\r\n 12.5+-0.5 \r\n");
	assert_true(q.value == 12.5 && q.tolerance == 0.5);
	q = lok(a, GRADE_NUMERIC, "-3");
	assert_true(q.value == -3 && q.tolerance == 0);
	q = lok(a, GRADE_NUMERIC, "-3 +- +1e-1");
	assert_true(q.value == -3 && q.tolerance == 0.1);
	q = lok(a, GRADE_NUMERIC, "1,5E+3±0");
	assert_true(q.value == 1500 && q.tolerance == 0);
	lbad(a, GRADE_NUMERIC, "", "Scrivere il valore, con l'eventuale tolleranza (per esempio "
	     "12,5 oppure 12,5 ± 0,5).");
	lbad(a, GRADE_NUMERIC, "\n\ndodici", "Riga 3: scrivere il valore, con l'eventuale "
	     "tolleranza (per esempio 12,5 oppure 12,5 ± 0,5).");
	lbad(a, GRADE_NUMERIC, "12,5 ±", "Riga 1: la tolleranza dopo «±» deve essere un numero.");
	lbad(a, GRADE_NUMERIC, "12,5 ± 0,5 ± 1", "Riga 1: la tolleranza dopo «±» deve essere un "
	     "numero.");
	lbad(a, GRADE_NUMERIC, "12 ± -1", "Riga 1: la tolleranza deve essere un numero finito "
	     "maggiore o uguale a zero.");
	lbad(a, GRADE_NUMERIC, "12 +- -0,1", NULL);
	lbad(a, GRADE_NUMERIC, "± 1", NULL);
	lbad(a, GRADE_NUMERIC, "1,000.5", NULL);
	lbad(a, GRADE_NUMERIC, "1e400", NULL);
	lbad(a, GRADE_NUMERIC, "1 ± 1e400", NULL);
	lbad(a, GRADE_NUMERIC, "nan", NULL);
	lbad(a, GRADE_NUMERIC, "12 - 1", NULL);
	lbad(a, GRADE_NUMERIC, "12 ± 1 kg", NULL);
	lbad(a, GRADE_NUMERIC, "12\n13", "Riga 2: basta una riga, con il valore e l'eventuale "
	     "tolleranza.");
	lbad(a, GRADE_NUMERIC, "\xff", NULL);
}

/* The message without "Riga 3: ", "Scelta 2: "..., first letter as a capital. */
static const char *
rule_of(struct arena *a, const char *err)
{
	const char *colon = strstr(err, ": ");
	char *r;

	if (colon == NULL)
		return err;
	r = arena_strdup(a, colon + 2);
	if (r[0] >= 'a' && r[0] <= 'z')
		r[0] = (char)(r[0] - 'a' + 'A');
	return r;
}

/* The same key in both forms is accepted or refused by both, for the same rule. */
static void
test_lines_same_rules(void **state)
{
	struct arena *a = *state;
	const char *big = repeat(a, "à", GRADE_TEXT_MAX + 1);
	const char *ok = repeat(a, "à", GRADE_TEXT_MAX);
	const char *many_json = "{\"choices\":[{\"text\":\"a\",\"correct\":true}";
	const char *many_lines = "* a";
	const struct {
		enum grade_kind kind;
		const char *json, *lines;
	} cases[] = {
		{ GRADE_SINGLE, "{\"choices\":[{\"text\":\"a\",\"correct\":true},"
		  "{\"text\":\"b\",\"correct\":false}]}", "* a\nb" },
		{ GRADE_SINGLE, "{\"choices\":[{\"text\":\"a\",\"correct\":true},"
		  "{\"text\":\"b\",\"correct\":true}]}", "* a\n* b" },
		{ GRADE_SINGLE, "{\"choices\":[{\"text\":\"a\",\"correct\":false},"
		  "{\"text\":\"b\",\"correct\":false}]}", "a\nb" },
		{ GRADE_MULTIPLE, "{\"choices\":[{\"text\":\"a\",\"correct\":false},"
		  "{\"text\":\"b\",\"correct\":false}]}", "a\nb" },
		{ GRADE_MULTIPLE, "{\"choices\":[{\"text\":\"a\",\"correct\":true}]}", "* a" },
		{ GRADE_MULTIPLE, arena_printf(a, "{\"choices\":[{\"text\":%s,\"correct\":true},"
					      "{\"text\":\"b\",\"correct\":false}]}", big),
		  arena_printf(a, "* %.*s\nb", (int)strlen(big) - 2, big + 1) },
		{ GRADE_MULTIPLE, arena_printf(a, "{\"choices\":[{\"text\":%s,\"correct\":true},"
					      "{\"text\":\"b\",\"correct\":false}]}", ok),
		  arena_printf(a, "* %.*s\nb", (int)strlen(ok) - 2, ok + 1) },
		{ GRADE_MATCHING, "{\"pairs\":[{\"prompt\":\"a\",\"match\":\"b\"}]}", "a = b" },
		{ GRADE_MATCHING, arena_printf(a, "{\"pairs\":[{\"prompt\":\"a\",\"match\":%s},"
					      "{\"prompt\":\"c\",\"match\":\"d\"}]}", big),
		  arena_printf(a, "a = %.*s\nc = d", (int)strlen(big) - 2, big + 1) },
		{ GRADE_SHORT, "{\"accepted\":[]}", "" },
		{ GRADE_SHORT, "{\"accepted\":[\"x\"]}", "x" },
		{ GRADE_NUMERIC, "{\"value\":1,\"tolerance\":-0.5}", "1 ± -0,5" },
		{ GRADE_NUMERIC, "{\"value\":1,\"tolerance\":0.5}", "1 ± 0,5" },
		{ GRADE_TRUEFALSE, "{\"answer\":false}", "falso" },
		{ GRADE_SINGLE, NULL, NULL },	/* 11 choices, filled below */
	};

	for (int i = 0; i < GRADE_ITEMS_MAX; i++) {
		many_json = arena_printf(a, "%s,{\"text\":\"x%d\",\"correct\":false}", many_json, i);
		many_lines = arena_printf(a, "%s\nx%d", many_lines, i);
	}
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *json = cases[i].json != NULL ? cases[i].json :
		    arena_printf(a, "%s]}", many_json);
		const char *lines = cases[i].lines != NULL ? cases[i].lines : many_lines;
		struct grade_question qj, ql;
		const char *ej, *el;
		int rj = qp(a, cases[i].kind, json, &qj, &ej);
		int rl = lp(a, cases[i].kind, lines, &ql, &el);

		if (rj != rl)
			fail_msg("case %zu: json %d (%s), lines %d (%s)", i, rj, rj ? ej : "",
				 rl, rl ? el : "");
		if (rj == 0) {
			assert_same_question(&qj, &ql);
			continue;
		}
		if (strcmp(rule_of(a, ej), rule_of(a, el)) != 0)
			fail_msg("case %zu: json \"%s\", lines \"%s\"", i, ej, el);
	}
}

/* lines -> q -> lines is the identity on canonical text; q -> lines -> q always. */
static void
test_lines_format(void **state)
{
	struct arena *a = *state;
	static const struct {
		enum grade_kind kind;
		const char *in, *out;	/* out NULL: the same as in */
	} cases[] = {
		{ GRADE_SINGLE, "Milano\n* Roma\nCittà <b>&amp;</b> \"x\"", NULL },
		{ GRADE_SINGLE, "\r\n *Roma \r\n\r\nMilano", "* Roma\nMilano" },
		{ GRADE_SINGLE, "* *args\nkw", NULL },	/* a right choice may start with "*" */
		{ GRADE_MULTIPLE, "* a\nb\n* c\nd = e", NULL },
		{ GRADE_TRUEFALSE, "vero", NULL },
		{ GRADE_TRUEFALSE, " FALSO\r\n", "falso" },
		{ GRADE_MATCHING, "a = x\nb = y\nc = x", NULL },
		{ GRADE_MATCHING, "a=b = c = d\n* e = f", NULL },	/* the match may hold " = " */
		{ GRADE_SHORT, "L’acqua\nacqua\n*\nx = y", NULL },
		{ GRADE_NUMERIC, "12,5 ± 0,5", NULL },
		{ GRADE_NUMERIC, "12.5 +- .5", "12,5 ± 0,5" },
		{ GRADE_NUMERIC, "0,1", NULL },
		{ GRADE_NUMERIC, "-3 ± 0", "-3" },
		{ GRADE_NUMERIC, "1e-7", "1e-07" },
		{ GRADE_NUMERIC, "0,30000000000000004", NULL },
		{ GRADE_NUMERIC, "-1,2345678901234567e-300 ± 1e+300",
		  "-1,2345678901234568e-300 ± 1e+300" },	/* the same double, shortest */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct grade_question q = lok(a, cases[i].kind, cases[i].in);
		const char *text = grade_lines_format(a, &q);
		struct grade_question back;

		assert_non_null(text);
		assert_string_equal(text, cases[i].out != NULL ? cases[i].out : cases[i].in);
		back = lok(a, cases[i].kind, text);
		assert_same_question(&q, &back);
	}
	/* Every kind from its JSON form too. */
	{
		static const struct {
			enum grade_kind kind;
			const char *json, *lines;
		} keys[] = {
			{ GRADE_SINGLE, "{\"choices\":[{\"text\":\"a\",\"correct\":false},"
			  "{\"text\":\"b\",\"correct\":true}]}", "a\n* b" },
			{ GRADE_MULTIPLE, "{\"choices\":[{\"text\":\"a\",\"correct\":true},"
			  "{\"text\":\"b\",\"correct\":true}]}", "* a\n* b" },
			{ GRADE_TRUEFALSE, "{\"answer\":true}", "vero" },
			{ GRADE_MATCHING, "{\"pairs\":[{\"prompt\":\"p\",\"match\":\"m\"},"
			  "{\"prompt\":\"q\",\"match\":\"m\"}]}", "p = m\nq = m" },
			{ GRADE_SHORT, "{\"accepted\":[\"uno\"]}", "uno" },
			{ GRADE_NUMERIC, "{\"value\":12.5,\"tolerance\":0.1}", "12,5 ± 0,1" },
		};

		for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
			struct grade_question q = qok(a, keys[i].kind, keys[i].json);
			struct grade_question back;
			const char *text = grade_lines_format(a, &q);

			assert_non_null(text);
			assert_string_equal(text, keys[i].lines);
			back = lok(a, keys[i].kind, text);
			assert_same_question(&q, &back);
		}
	}
	/* The biggest keys fit. */
	{
		struct grade_question q = lok(a, GRADE_MULTIPLE, nlines(a, "", "* x", GRADE_ITEMS_MAX));
		struct grade_question back;

		for (int i = 0; i < GRADE_ITEMS_MAX; i++)
			q.items[i].text = arena_strndup(a, repeat(a, "\xf0\x9f\x98\x80", GRADE_TEXT_MAX) + 1,
							4 * GRADE_TEXT_MAX);
		back = lok(a, GRADE_MULTIPLE, grade_lines_format(a, &q));
		assert_same_question(&q, &back);
		q = lok(a, GRADE_SHORT, nlines(a, "", "risposta ", GRADE_ACCEPTED_MAX));
		back = lok(a, GRADE_SHORT, grade_lines_format(a, &q));
		assert_same_question(&q, &back);
	}
	/* What lines cannot carry: NULL rather than a text that parses to another key. */
	{
		static const struct {
			enum grade_kind kind;
			const char *json;
		} keys[] = {
			{ GRADE_SINGLE, "{\"choices\":[{\"text\":\" a\",\"correct\":true},"
			  "{\"text\":\"b\",\"correct\":false}]}" },
			{ GRADE_SINGLE, "{\"choices\":[{\"text\":\"a\",\"correct\":true},"
			  "{\"text\":\"b\\t\",\"correct\":false}]}" },
			{ GRADE_MULTIPLE, "{\"choices\":[{\"text\":\"a\",\"correct\":true},"
			  "{\"text\":\"*b\",\"correct\":false}]}" },
			{ GRADE_MULTIPLE, "{\"choices\":[{\"text\":\"a\\nb\",\"correct\":true},"
			  "{\"text\":\"c\",\"correct\":false}]}" },
			{ GRADE_MATCHING, "{\"pairs\":[{\"prompt\":\"a = b\",\"match\":\"c\"},"
			  "{\"prompt\":\"d\",\"match\":\"e\"}]}" },
			{ GRADE_MATCHING, "{\"pairs\":[{\"prompt\":\"a =\",\"match\":\"c\"},"
			  "{\"prompt\":\"d\",\"match\":\"e\"}]}" },
			{ GRADE_MATCHING, "{\"pairs\":[{\"prompt\":\"a\",\"match\":\"c \"},"
			  "{\"prompt\":\"d\",\"match\":\"e\"}]}" },
			{ GRADE_SHORT, "{\"accepted\":[\"a\\r\\nb\"]}" },
			{ GRADE_SHORT, "{\"accepted\":[\"a\",\"b\\rc\"]}" },
		};

		for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
			struct grade_question q = qok(a, keys[i].kind, keys[i].json);

			if (grade_lines_format(a, &q) != NULL)
				fail_msg("%s written as lines", keys[i].json);
		}
	}
	/* Hand-built keys that are not valid. */
	{
		struct grade_question q = { .kind = GRADE_SINGLE };

		assert_null(grade_lines_format(a, &q));	/* no choices */
		q.nitems = -1;
		assert_null(grade_lines_format(a, &q));
		q.nitems = GRADE_ITEMS_MAX + 1;
		assert_null(grade_lines_format(a, &q));
		q = (struct grade_question){ .kind = GRADE_SINGLE, .nitems = 2 };
		assert_null(grade_lines_format(a, &q));	/* NULL texts */
		q = (struct grade_question){ .kind = GRADE_MATCHING, .nitems = 2,
					     .items = { { "a", NULL, false }, { "b", "c", false } } };
		assert_null(grade_lines_format(a, &q));
		q = (struct grade_question){ .kind = GRADE_SHORT, .naccepted = GRADE_ACCEPTED_MAX + 1 };
		assert_null(grade_lines_format(a, &q));
		q = (struct grade_question){ .kind = GRADE_SHORT, .naccepted = 1 };
		assert_null(grade_lines_format(a, &q));
		q = (struct grade_question){ .kind = GRADE_NUMERIC, .value = NAN };
		assert_null(grade_lines_format(a, &q));
		q = (struct grade_question){ .kind = GRADE_NUMERIC, .value = 1, .tolerance = -1 };
		assert_null(grade_lines_format(a, &q));
		q = (struct grade_question){ .kind = GRADE_NUMERIC, .value = 1, .tolerance = INFINITY };
		assert_null(grade_lines_format(a, &q));
		q = (struct grade_question){ .kind = (enum grade_kind)42 };
		assert_null(grade_lines_format(a, &q));
		/* Members of other kinds are not part of the key. */
		q = (struct grade_question){ .kind = GRADE_TRUEFALSE, .value = 3, .truth = false };
		assert_string_equal(grade_lines_format(a, &q), "falso");
	}
}

/*
 * Item analysis.
 */

/*
 * cmocka's assert_float_equal() compares floats (its macro casts even
 * before the division of "r * r / x"): too coarse for statistics.
 */
#define assert_near(got, want, eps) near_at((got), (want), (eps), __LINE__)

static void
near_at(double got, double want, double eps, int line)
{
	double d = got - want;

	if (d < 0)
		d = -d;
	if (!(d <= eps))
		fail_msg("line %d: %.17g, want %.17g (within %g)", line, got, want, eps);
}

/* Totals of learners from their item and rest-of-test scores. */
static void
totals(const double *item, const double *rest, const double *share, int n, double *total)
{
	for (int i = 0; i < n; i++)
		total[i] = share[i] * item[i] + (1 - share[i]) * rest[i];
}

static void
test_item_stats(void **state)
{
	struct grade_item_stats st;
	double total[8];

	(void)state;
	/*
	 * By hand: 4 learners, the question is 1 point of 4 (share 0.25).
	 * item = 1 1 0 0, total = 1 0.5 0.5 0, so rest = (total - 0.25 item)
	 * / 0.75 = 1 1/3 2/3 0.  Means 0.5 and 0.5; deviations of item
	 * ±0.5, of rest 0.5 -1/6 1/6 -0.5.  Sum of products 0.25 - 1/12 -
	 * 1/12 + 0.25 = 1/3; sums of squares 1 and 0.5 + 1/18 = 5/9.
	 * r = (1/3) / sqrt(5/9) = 1/sqrt(5) = 0.4472136.  Against the raw
	 * total it would be 0.5 / sqrt(0.5) = 0.7071: the correction shows.
	 */
	{
		static const double item[] = { 1, 1, 0, 0 }, tot[] = { 1, 0.5, 0.5, 0 };
		static const double share[] = { 0.25, 0.25, 0.25, 0.25 };

		grade_item_stats(item, tot, share, 4, &st);
		assert_true(st.facility == 0.5);
		assert_true(st.has_discrimination);
		assert_near(st.discrimination, 0.4472135954999579, 1e-12);
	}
	/* The strong learners get it right, the weak ones wrong: near +1; the
	 * reverse: near -1 (the same rest scores, so exactly the opposite). */
	{
		static const double right[] = { 1, 1, 1, 0, 0, 0 }, wrong[] = { 0, 0, 0, 1, 1, 1 };
		static const double rest[] = { 0.9, 0.85, 0.8, 0.3, 0.2, 0.1 };
		static const double share[] = { 0.2, 0.2, 0.2, 0.2, 0.2, 0.2 };
		double d;

		totals(right, rest, share, 6, total);
		grade_item_stats(right, total, share, 6, &st);
		assert_true(st.has_discrimination);
		assert_near(st.facility, 0.5, 1e-12);
		assert_near(st.discrimination, 0.9808411369143208, 1e-9);
		d = st.discrimination;
		totals(wrong, rest, share, 6, total);
		grade_item_stats(wrong, total, share, 6, &st);
		assert_true(st.has_discrimination);
		assert_near(st.discrimination, -d, 1e-9);
		assert_true(st.discrimination < -0.9);
	}
	/* Partial scores and a different share per learner (random subsets of
	 * questions); against numpy-style Pearson: 0.5590169943749475. */
	{
		static const double item[] = { 1, 0.5, 0, 1, 0 }, rest[] = { 0.8, 0.6, 0.5, 0.4, 0.2 };
		static const double share[] = { 0.1, 0.2, 0.25, 0.5, 0.1 };

		totals(item, rest, share, 5, total);
		grade_item_stats(item, total, share, 5, &st);
		assert_true(st.has_discrimination);
		assert_near(st.facility, 0.5, 1e-12);
		assert_near(st.discrimination, 0.5590169943749475, 1e-9);
	}
	/* Everyone right: facility 1; everyone wrong: 0; neither discriminates
	 * (absent, not 0). */
	{
		static const double ones[] = { 1, 1, 1, 1 }, zeros[] = { 0, 0, 0, 0 };
		static const double rest[] = { 0.9, 0.1, 0.5, 0.7 }, share[] = { 0.1, 0.1, 0.1, 0.1 };

		totals(ones, rest, share, 4, total);
		grade_item_stats(ones, total, share, 4, &st);
		assert_true(st.facility == 1);
		assert_false(st.has_discrimination);
		assert_true(st.discrimination == 0);
		totals(zeros, rest, share, 4, total);
		grade_item_stats(zeros, total, share, 4, &st);
		assert_true(st.facility == 0);
		assert_false(st.has_discrimination);
	}
	/* The rest of the test does not vary: none, even where rounding makes
	 * the recomputed rest scores differ in their last bits. */
	{
		static const double item[] = { 0, 1, 0, 1, 1 }, rest[] = { 0.3, 0.3, 0.3, 0.3, 0.3 };
		static const double share[] = { 0.1, 0.1, 0.1, 0.1, 0.1 };

		totals(item, rest, share, 5, total);
		grade_item_stats(item, total, share, 5, &st);
		assert_near(st.facility, 0.6, 1e-12);
		assert_false(st.has_discrimination);
	}
	/* n < 2, n = 0, NULL arrays. */
	{
		static const double item[] = { 0.5, 1 }, tot[] = { 0.4, 0.9 }, share[] = { 0.5, 0.5 };

		grade_item_stats(item, tot, share, 1, &st);
		assert_true(st.facility == 0.5);
		assert_false(st.has_discrimination);
		grade_item_stats(item, tot, share, 2, &st);
		assert_true(st.has_discrimination);	/* two learners are enough */
		assert_near(st.discrimination, 1, 1e-12);
		grade_item_stats(item, tot, share, 0, &st);
		assert_true(st.facility == 0);
		assert_false(st.has_discrimination);
		grade_item_stats(item, tot, share, -3, &st);
		assert_true(st.facility == 0);
		grade_item_stats(NULL, NULL, NULL, 0, &st);
		assert_false(st.has_discrimination);
		grade_item_stats(item, NULL, share, 2, &st);
		assert_near(st.facility, 0.75, 1e-12);
		assert_false(st.has_discrimination);
		grade_item_stats(item, tot, NULL, 2, &st);
		assert_false(st.has_discrimination);
	}
	/* A learner whose attempt is this question alone (share 1) has no rest
	 * score: facility only.  So does one with a non-finite number. */
	{
		static const double item[] = { 1, 1, 0, 0, 1 }, tot[] = { 1, 0.5, 0.5, 0, 1 };
		static const double share[] = { 0.25, 0.25, 0.25, 0.25, 1 };
		static const double item_nan[] = { 1, 1, 0, 0, NAN }, tot_nan[] = { 1, 0.5, 0.5, 0, NAN };

		grade_item_stats(item, tot, share, 5, &st);
		assert_near(st.facility, 0.6, 1e-12);
		assert_true(st.has_discrimination);
		assert_near(st.discrimination, 0.4472135954999579, 1e-12);
		grade_item_stats(item_nan, tot, share, 5, &st);
		assert_near(st.facility, 0.5, 1e-12);	/* NaN left out */
		assert_near(st.discrimination, 0.4472135954999579, 1e-12);
		grade_item_stats(item, tot_nan, (const double[]){ 0.25, 0.25, 0.25, 0.25, 0.25 }, 5, &st);
		assert_near(st.discrimination, 0.4472135954999579, 1e-12);
		grade_item_stats(item, tot, (const double[]){ 1, 1, 1, 1, 1 }, 5, &st);
		assert_false(st.has_discrimination);
		assert_near(st.facility, 0.6, 1e-12);
	}
	/* Inconsistent input still gives a correlation in [-1, 1]. */
	{
		static const double item[] = { 1, 0, 1, 0 }, tot[] = { 5, -3, 2, 0 };
		static const double share[] = { -0.5, 0.5, 0.99, 0.3 };

		grade_item_stats(item, tot, share, 4, &st);
		assert_true(st.discrimination >= -1 && st.discrimination <= 1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_parse_choices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_texts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_other_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_question_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_single, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_multiple, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_other_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_score_simple, setup, teardown),
		cmocka_unit_test_setup_teardown(test_score_multiple, setup, teardown),
		cmocka_unit_test_setup_teardown(test_score_matching, setup, teardown),
		cmocka_unit_test_setup_teardown(test_matching_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_score_short, setup, teardown),
		cmocka_unit_test_setup_teardown(test_score_numeric, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fold, setup, teardown),
		cmocka_unit_test(test_number_parse),
		cmocka_unit_test(test_combine),
		cmocka_unit_test(test_shuffle),
		cmocka_unit_test_setup_teardown(test_lines_choices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines_other_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines_same_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines_format, setup, teardown),
		cmocka_unit_test(test_item_stats),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
