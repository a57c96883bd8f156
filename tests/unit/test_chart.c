/*
 * test_chart.c - portal/chart.c: the SVG is well-formed and named for
 * assistive technology, hostile labels stay text, empty data and a zero
 * scale still say something true, UTF-8 is cut on character boundaries,
 * values at and past the bounds are drawn clamped but stated as given.
 */
#include "../../portal/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../portal/chart.c"

/*
 * A small XML checker, enough for what chart.c writes: balanced tags,
 * one root <svg>, quoted attributes without '<', text without a raw '<',
 * every '&' starting a known entity, and the whole output strict UTF-8
 * (valid_utf8 also refuses control characters).  Returns the number of
 * elements, or -1 with a reason printed.
 */
static int
xml_check(const char *s, size_t n)
{
	const char *stack[64];
	size_t nstack = 0, i = 0, j;
	int elements = 0, roots = 0;

	if (!valid_utf8(s, n)) {
		fprintf(stderr, "not strict UTF-8\n");
		return -1;
	}
	while (i < n) {
		if (s[i] == '&') {
			static const char *const ents[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;" };
			size_t e;

			for (e = 0; e < ARRAY_SIZE(ents); e++)
				if (strncmp(s + i, ents[e], strlen(ents[e])) == 0)
					break;
			if (e == ARRAY_SIZE(ents)) {
				fprintf(stderr, "bare & at %zu\n", i);
				return -1;
			}
			i += strlen(ents[e]);
			continue;
		}
		if (s[i] != '<') {
			if (s[i] == '>') {
				fprintf(stderr, "raw > in text at %zu\n", i);
				return -1;
			}
			if (nstack == 0) {
				fprintf(stderr, "text outside the root at %zu\n", i);
				return -1;
			}
			i++;
			continue;
		}
		if (s[i + 1] == '/') {
			j = i + 2;
			while (j < n && s[j] != '>')
				j++;
			if (nstack == 0 || strlen(stack[nstack - 1]) != j - i - 2 ||
			    strncmp(stack[nstack - 1], s + i + 2, j - i - 2) != 0) {
				fprintf(stderr, "mismatched close at %zu\n", i);
				return -1;
			}
			nstack--;
			i = j + 1;
			continue;
		}
		j = i + 1;
		while (j < n && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')))
			j++;
		if (j == i + 1) {
			fprintf(stderr, "raw < at %zu\n", i);
			return -1;
		}
		if (nstack == 0) {
			if (roots++ > 0 || strncmp(s + i, "<svg ", 5) != 0) {
				fprintf(stderr, "bad root at %zu\n", i);
				return -1;
			}
		}
		elements++;
		{
			static char names[256][16];
			size_t len = j - i - 1 < 15 ? j - i - 1 : 15;

			memcpy(names[elements % 256], s + i + 1, len);
			names[elements % 256][len] = '\0';
			if (nstack == ARRAY_SIZE(stack))
				return -1;
			stack[nstack++] = names[elements % 256];
		}
		/* Attributes: name="value", value free of '<' and '"'. */
		for (;;) {
			while (j < n && s[j] == ' ')
				j++;
			if (s[j] == '>') {
				j++;
				break;
			}
			if (s[j] == '/' && s[j + 1] == '>') {
				nstack--;
				j += 2;
				break;
			}
			while (j < n && s[j] != '=' && s[j] != ' ' && s[j] != '>')
				j++;
			if (s[j] != '=' || s[j + 1] != '"') {
				fprintf(stderr, "unquoted attribute at %zu\n", j);
				return -1;
			}
			j += 2;
			while (j < n && s[j] != '"') {
				if (s[j] == '<') {
					fprintf(stderr, "< in attribute at %zu\n", j);
					return -1;
				}
				j++;
			}
			if (j == n)
				return -1;
			j++;
		}
		i = j;
	}
	if (nstack != 0 || roots != 1) {
		fprintf(stderr, "unclosed elements or no root\n");
		return -1;
	}
	return elements;
}

/* Occurrences of needle in out. */
static int
count(const struct buf *out, const char *needle)
{
	const char *p = out->data;
	int n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* The text of the <desc> (still escaped), in a static buffer. */
static const char *
desc_of(const struct buf *out)
{
	static char d[8192];
	const char *a = strstr(out->data, "<desc"), *b;

	assert_non_null(a);
	a = strchr(a, '>') + 1;
	b = strstr(a, "</desc>");
	assert_non_null(b);
	assert_true((size_t)(b - a) < sizeof(d));
	memcpy(d, a, (size_t)(b - a));
	d[b - a] = '\0';
	return d;
}

static const struct chart_bar three[] = {
	{ "Modulo 1 \xe2\x80\x94 Segretariato sociale", 3.8, "7 risposte" },
	{ "Modulo 2 \xe2\x80\x94 Cartella sociale", 2.5, NULL },
	{ "Modulo 3 \xe2\x80\x94 Erogazione", 4.0, "1 risposta" },
};

static void
test_bars_structure(void **state)
{
	struct chart_bars c = { "comp-1", "Comprensione per modulo", "su 5", 5, 1, three, 3 };
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(chart_bars_svg(&b, &c), 0);
	assert_true(xml_check(b.data, b.len) > 0);
	assert_true(strncmp(b.data, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
	assert_non_null(strstr(b.data, " role=\"img\""));
	assert_non_null(strstr(b.data, " aria-labelledby=\"comp-1-title comp-1-desc\""));
	assert_non_null(strstr(b.data, "<title id=\"comp-1-title\">Comprensione per modulo</title>"));
	assert_non_null(strstr(b.data, "<desc id=\"comp-1-desc\">"));
	assert_non_null(strstr(b.data, " viewBox=\"0 0 640 "));
	/* No inline style: the CSP forbids it. */
	assert_null(strstr(b.data, "style="));
	assert_string_equal(desc_of(&b),
		"Comprensione per modulo. "
		"Modulo 1 \xe2\x80\x94 Segretariato sociale: 3,8 su 5 (7 risposte); "
		"Modulo 2 \xe2\x80\x94 Cartella sociale: 2,5 su 5; "
		"Modulo 3 \xe2\x80\x94 Erogazione: 4,0 su 5 (1 risposta).");
	/* One bar each, lengths in proportion to the scale (480 at 5). */
	assert_int_equal(count(&b, "<rect "), 3);
	assert_non_null(strstr(b.data, "width=\"364.8\""));
	assert_non_null(strstr(b.data, "width=\"240.0\""));
	assert_non_null(strstr(b.data, "width=\"384.0\""));
	/* The values are written next to the bars, not only in the desc. */
	assert_int_equal(count(&b, ">3,8 su 5 <tspan font-weight=\"400\" font-size=\"12\" fill=\"#4d5b66\">(7 risposte)</tspan>"), 1);
	/* A tick per integer of the 0..5 scale. */
	assert_int_equal(count(&b, "<line "), 6);
	assert_int_equal(count(&b, "<text "), 3 * 2 + 6);
	buf_release(&b);
}

static void
test_hostile_labels_stay_text(void **state)
{
	static const struct chart_bar bars[] = {
		{ "</text><script>alert(1)</script>", 1, "\"><img src=x onerror=alert(1)>" },
		{ "a & b ' \" <c>", 2, "&amp;" },
	};
	static const long long counts[2] = { 1, 2 };
	static const struct chart_category cats[] = { { "<1>", "\"uno\"" }, { "&", NULL } };
	static const struct chart_series series[] = { { "]]><!-- x -->", counts } };
	struct chart_bars c = { "h", "<b>Titolo</b> & co", "<u>", 5, 0, bars, 2 };
	struct chart_dist d = { "hd", "</title><svg onload=alert(1)>", cats, 2, series, 1 };
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(chart_bars_svg(&b, &c), 0);
	assert_true(xml_check(b.data, b.len) > 0);
	assert_null(strstr(b.data, "<script"));
	assert_null(strstr(b.data, "<img"));
	assert_null(strstr(b.data, "<b>"));
	assert_null(strstr(b.data, "<u>"));
	assert_non_null(strstr(b.data, "&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(b.data, "a &amp; b &#39; &quot; &lt;c&gt;"));
	assert_non_null(strstr(b.data, "(&amp;amp;)"));
	assert_non_null(strstr(b.data, "<title id=\"h-title\">&lt;b&gt;Titolo&lt;/b&gt; &amp; co</title>"));
	buf_reset(&b);
	assert_int_equal(chart_dist_svg(&b, &d), 0);
	assert_true(xml_check(b.data, b.len) > 0);
	assert_int_equal(count(&b, "<svg"), 1);
	assert_null(strstr(b.data, "<!--"));
	assert_non_null(strstr(b.data, "]]&gt;&lt;!-- x --&gt;"));
	assert_non_null(strstr(b.data, "&lt;1&gt; = &quot;uno&quot;"));
	buf_release(&b);
}

static void
test_empty_data(void **state)
{
	struct chart_bars c = { "e", "Comprensione", "su 5", 5, 1, NULL, 0 };
	static const struct chart_category cats[] = { { "1", NULL }, { "2", NULL } };
	static const long long zero[2] = { 0, 0 };
	static const struct chart_series none[] = { { "Modulo 1", zero } };
	struct chart_dist d = { "ed", "Distribuzione", cats, 2, NULL, 0 };
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(chart_bars_svg(&b, &c), 0);
	assert_true(xml_check(b.data, b.len) > 0);
	assert_string_equal(desc_of(&b), "Comprensione: nessun dato disponibile.");
	assert_non_null(strstr(b.data, ">Nessun dato disponibile.</text>"));
	assert_null(strstr(b.data, "<rect"));
	buf_reset(&b);
	assert_int_equal(chart_dist_svg(&b, &d), 0);
	assert_true(xml_check(b.data, b.len) > 0);
	assert_string_equal(desc_of(&b), "Distribuzione: nessun dato disponibile.");
	buf_reset(&b);
	/* A series without answers: an empty track (the outline only), said in words. */
	d.series = none;
	d.nseries = 1;
	assert_int_equal(chart_dist_svg(&b, &d), 0);
	assert_true(xml_check(b.data, b.len) > 0);
	assert_string_equal(desc_of(&b), "Distribuzione. Legenda: 1, 2. Modulo 1, 0 risposte.");
	assert_int_equal(count(&b, "fill=\"url(#ed-p"), 2);	/* the legend's swatches only */
	assert_non_null(strstr(b.data, ">nessuna risposta</text>"));
	buf_release(&b);
}

static void
test_zero_max_draws_figures_only(void **state)
{
	struct chart_bars c = { "z", "Tasso di superamento", "%", 0, 0, three, 3 };
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(chart_bars_svg(&b, &c), 0);
	assert_true(xml_check(b.data, b.len) > 0);
	assert_null(strstr(b.data, "<rect"));
	assert_null(strstr(b.data, "<line"));
	assert_non_null(strstr(b.data, ">4 % <tspan"));
	assert_non_null(strstr(desc_of(&b), "Modulo 1 \xe2\x80\x94 Segretariato sociale: 4 % (7 risposte);"));
	buf_reset(&b);
	c.max = -3;
	assert_int_equal(chart_bars_svg(&b, &c), 0);
	assert_null(strstr(b.data, "<rect"));
	buf_reset(&b);
	c.max = NAN;
	assert_int_equal(chart_bars_svg(&b, &c), 0);
	assert_null(strstr(b.data, "<rect"));
	buf_release(&b);
}

static void
test_utf8_labels(void **state)
{
	char longlabel[200 * 2 + 1], *p = longlabel, want[80 * 2 + 8];
	struct chart_bar bars[3] = {
		{ "Comunit\xc3\xa0 \xe2\x80\x94 Citt\xc3\xa0 di Castello \xf0\x9f\x8f\x9b", 3, NULL },
		{ "rotto \xff\xfe e \xc3 fine", 2, NULL },
		{ NULL, 1, NULL },
	};
	struct chart_bars c = { "u", "Etichette", NULL, 5, 0, bars, 3 };
	struct buf b;
	int i;

	(void)state;
	for (i = 0; i < 200; i++) {
		memcpy(p, "\xc3\xa0", 2);
		p += 2;
	}
	*p = '\0';
	bars[2].label = longlabel;
	buf_init(&b, 0);
	assert_int_equal(chart_bars_svg(&b, &c), 0);
	assert_true(xml_check(b.data, b.len) > 0);
	assert_non_null(strstr(b.data, ">Comunit\xc3\xa0 \xe2\x80\x94 Citt\xc3\xa0 di Castello \xf0\x9f\x8f\x9b</text>"));
	assert_non_null(strstr(b.data, ">rotto \xef\xbf\xbd\xef\xbf\xbd e \xef\xbf\xbd fine</text>"));
	/* Drawn: CHART_LABEL_MAX - 1 characters and an ellipsis, never half a character. */
	p = want;
	*p++ = '>';
	for (i = 0; i < CHART_LABEL_MAX - 1; i++) {
		memcpy(p, "\xc3\xa0", 2);
		p += 2;
	}
	strcpy(p, "\xe2\x80\xa6</text>");
	assert_non_null(strstr(b.data, want));
	/* Said: the whole label. */
	assert_non_null(strstr(desc_of(&b), longlabel));
	buf_release(&b);
}

static void
test_control_characters_become_spaces(void **state)
{
	static const struct chart_bar bars[] = { { "a\x01" "b\tc\nd\x7f" "e\xc2\x85" "f", 1, NULL } };
	struct chart_bars c = { "k", "Controlli", NULL, 1, 0, bars, 1 };
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(chart_bars_svg(&b, &c), 0);
	assert_true(xml_check(b.data, b.len) > 0);
	assert_non_null(strstr(b.data, ">a b c d e f</text>"));
	buf_release(&b);
}

static void
test_values_at_bounds(void **state)
{
	static const struct chart_bar bars[] = {
		{ "zero", 0, NULL },
		{ "negativo", -1, NULL },
		{ "massimo", 5, NULL },
		{ "oltre", 7, NULL },
		{ "mancante", NAN, NULL },
		{ "appena", 0.001, NULL },
	};
	struct chart_bars c = { "v", "Limiti", "su 5", 5, 1, bars, 6 };
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(chart_bars_svg(&b, &c), 0);
	assert_true(xml_check(b.data, b.len) > 0);
	/* Zero, below zero and just above it: a hairline; max and beyond: the full track. */
	assert_int_equal(count(&b, "width=\"2.0\""), 3);
	assert_int_equal(count(&b, "width=\"480.0\""), 2);
	/* The missing value draws nothing. */
	assert_int_equal(count(&b, "<rect "), 5);
	/* The text says the real value. */
	assert_string_equal(desc_of(&b), "Limiti. zero: 0,0 su 5; negativo: -1,0 su 5; massimo: 5,0 su 5; "
			    "oltre: 7,0 su 5; mancante: nessun dato; appena: 0,0 su 5.");
	buf_release(&b);
}

static void
test_distribution(void **state)
{
	static const struct chart_category cats[] = {
		{ "1", "Per nulla" }, { "2", "Poco" }, { "3", "Abbastanza" }, { "4", "Molto" },
		{ "5", "Del tutto" },
	};
	static const long long m1[5] = { 0, 1, 4, 2, 0 };
	static const long long m2[5] = { 3, 0, 0, 0, 0 };
	static const struct chart_series series[] = {
		{ "Modulo 1", m1 }, { "Modulo 2", m2 },
	};
	struct chart_dist d = { "dist-7", "Comprensione: distribuzione", cats, 5, series, 2 };
	struct buf b;
	const char *p;
	double sum = 0;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(chart_dist_svg(&b, &d), 0);
	assert_true(xml_check(b.data, b.len) > 0);
	assert_non_null(strstr(b.data, "aria-labelledby=\"dist-7-title dist-7-desc\""));
	assert_string_equal(desc_of(&b), "Comprensione: distribuzione. Legenda: 1 = Per nulla, 2 = Poco, "
			    "3 = Abbastanza, 4 = Molto, 5 = Del tutto. "
			    "Modulo 1, 7 risposte: 1 0, 2 1, 3 4, 4 2, 5 0; "
			    "Modulo 2, 3 risposte: 1 3, 2 0, 3 0, 4 0, 5 0.");
	/* One pattern per category, a swatch each, and a segment per non-zero count. */
	assert_int_equal(count(&b, "<pattern "), 5);
	assert_int_equal(count(&b, "height=\"15\" fill=\"url(#dist-7-p"), 5);
	assert_int_equal(count(&b, "height=\"22\" fill=\"url(#dist-7-p"), 3 + 1);
	/* Module 1's segments fill the track exactly: 639 units. */
	p = strstr(b.data, ">Modulo 1</text>");
	assert_non_null(p);
	while ((p = strstr(p, "height=\"22\" fill=\"url(")) != NULL && sum < 638) {
		const char *w = p;

		while (strncmp(w, "width=\"", 7) != 0)
			w--;
		sum += strtod(w + 7, NULL);
		p++;
	}
	assert_true(sum > 638.9 && sum < 639.1);
	assert_non_null(strstr(b.data, ">1: 0 \xc2\xb7 2: 1 \xc2\xb7 3: 4 \xc2\xb7 4: 2 \xc2\xb7 5: 0 "
			       "\xe2\x80\x94 7 risposte</text>"));
	assert_non_null(strstr(b.data, "5 = Del tutto</text>"));
	buf_release(&b);
}

static void
test_invalid_arguments_leave_out_alone(void **state)
{
	static const struct chart_category cats[CHART_CATEGORIES_MAX + 1] = {
		{ "1", NULL }, { "2", NULL }, { "3", NULL }, { "4", NULL }, { "5", NULL },
		{ "6", NULL }, { "7", NULL }, { "8", NULL }, { "9", NULL },
	};
	static const long long neg[2] = { 1, -1 };
	static const long long big[2] = { LLONG_MAX, 1 };
	static const struct chart_series sneg[] = { { "x", neg } };
	static const struct chart_series sbig[] = { { "x", big } };
	static struct chart_bar many[CHART_ITEMS_MAX + 1];
	char longid[CHART_ID_MAX + 2];
	struct chart_bars c = { "ok", "T", NULL, 5, 1, three, 3 };
	struct chart_dist d = { "ok", "T", cats, 2, sneg, 1 };
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 0);
	buf_adds(&b, "prima");
	c.id = "a b";
	assert_int_equal(chart_bars_svg(&b, &c), -1);
	c.id = "";
	assert_int_equal(chart_bars_svg(&b, &c), -1);
	c.id = "x\"y";
	assert_int_equal(chart_bars_svg(&b, &c), -1);
	c.id = NULL;
	assert_int_equal(chart_bars_svg(&b, &c), -1);
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	c.id = longid;
	assert_int_equal(chart_bars_svg(&b, &c), -1);
	longid[CHART_ID_MAX] = '\0';	/* exactly the max: accepted */
	assert_int_equal(chart_bars_svg(&b, &c), 0);
	buf_truncate(&b, 5);
	c.id = "ok";
	c.decimals = 4;
	assert_int_equal(chart_bars_svg(&b, &c), -1);
	c.decimals = -1;
	assert_int_equal(chart_bars_svg(&b, &c), -1);
	c.decimals = 1;
	c.title = NULL;
	assert_int_equal(chart_bars_svg(&b, &c), -1);
	c.title = "T";
	for (i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct chart_bar){ "m", 1, NULL };
	c.bars = many;
	c.nbars = CHART_ITEMS_MAX + 1;
	assert_int_equal(chart_bars_svg(&b, &c), -1);
	c.nbars = CHART_ITEMS_MAX;
	assert_int_equal(chart_bars_svg(&b, &c), 0);
	buf_truncate(&b, 5);
	assert_int_equal(chart_bars_svg(&b, NULL), -1);

	assert_int_equal(chart_dist_svg(&b, &d), -1);	/* negative count */
	d.series = sbig;
	assert_int_equal(chart_dist_svg(&b, &d), -1);	/* the total overflows */
	d.series = NULL;
	d.nseries = 0;
	d.ncategories = CHART_CATEGORIES_MAX + 1;
	assert_int_equal(chart_dist_svg(&b, &d), -1);
	d.ncategories = 0;
	assert_int_equal(chart_dist_svg(&b, &d), -1);
	d.ncategories = CHART_CATEGORIES_MAX;
	assert_int_equal(chart_dist_svg(&b, &d), 0);
	assert_int_equal(count(&b, "<pattern "), 0);	/* no series: nothing to fill */
	buf_truncate(&b, 5);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "prima");
	assert_false(b.err);
	buf_release(&b);
}

static void
test_cap_reached_truncates(void **state)
{
	struct chart_bars c = { "cap", "Comprensione per modulo", "su 5", 5, 1, three, 3 };
	struct buf b;

	(void)state;
	buf_init(&b, 200);
	buf_adds(&b, "<p>");
	assert_int_equal(chart_bars_svg(&b, &c), -1);
	assert_int_equal(b.len, 3);
	assert_true(b.err);
	buf_release(&b);
}

static void
test_numbers(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	chart_number(&b, 3.75, 2);
	buf_addch(&b, '|');
	chart_number(&b, -0.01, 1);
	buf_addch(&b, '|');
	chart_number(&b, NAN, 1);
	buf_addch(&b, '|');
	chart_number(&b, INFINITY, 1);
	buf_addch(&b, '|');
	chart_number(&b, 1e300, 0);
	buf_addch(&b, '|');
	chart_number(&b, 66.6666, 9);
	buf_addch(&b, '|');
	chart_number(&b, 2.5, -2);
	assert_string_equal(b.data, "3,75|0,0|n.d.|n.d.|n.d.|66,667|2");
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bars_structure),
		cmocka_unit_test(test_hostile_labels_stay_text),
		cmocka_unit_test(test_empty_data),
		cmocka_unit_test(test_zero_max_draws_figures_only),
		cmocka_unit_test(test_utf8_labels),
		cmocka_unit_test(test_control_characters_become_spaces),
		cmocka_unit_test(test_values_at_bounds),
		cmocka_unit_test(test_distribution),
		cmocka_unit_test(test_invalid_arguments_leave_out_alone),
		cmocka_unit_test(test_cap_reached_truncates),
		cmocka_unit_test(test_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
