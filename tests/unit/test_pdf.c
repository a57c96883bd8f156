/*
 * test_pdf.c - portal/pdf.c: the cut with "…" on character boundaries
 * (ASCII, 2-, 3- and 4-byte UTF-8), its edges (empty text, a text that
 * just fits, width 0, the measuring cap, controls, malformed bytes, tmp's
 * cap), and the cairo write callback honouring the buf's cap.
 */
#include "../../portal/pdf.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <cmocka.h>

#include <cairo-pdf.h>

#include "unit_cairo.h"

/* A scratch context for measuring, in the portal's font at 10 pt. */
static cairo_t *
measure_context(cairo_surface_t **sf)
{
	cairo_t *cr;

	*sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 10, 10);
	cr = cairo_create(*sf);
	pdf_font(cr, PDF_FONT, false, false, 10.0);
	return cr;
}

static void
measure_done(cairo_t *cr, cairo_surface_t *sf)
{
	assert_int_equal(cairo_status(cr), CAIRO_STATUS_SUCCESS);
	cairo_destroy(cr);
	cairo_surface_destroy(sf);
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static void
test_write_honours_cap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(pdf_write(&b, (const unsigned char *)"12345", 5), CAIRO_STATUS_SUCCESS);
	assert_int_equal(pdf_write(&b, (const unsigned char *)"", 0), CAIRO_STATUS_SUCCESS);
	/* Up to the cap exactly: accepted. */
	assert_int_equal(pdf_write(&b, (const unsigned char *)"67890", 5), CAIRO_STATUS_SUCCESS);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "1234567890");
	/* One byte past it: refused, nothing appended, and it stays refused. */
	assert_int_equal(pdf_write(&b, (const unsigned char *)"x", 1), CAIRO_STATUS_WRITE_ERROR);
	assert_int_equal(b.len, 10);
	assert_true(b.err);
	assert_int_equal(pdf_write(&b, (const unsigned char *)"", 0), CAIRO_STATUS_WRITE_ERROR);
	buf_release(&b);
	/* Embedded NULs are PDF bytes like any other. */
	buf_init(&b, 0);
	assert_int_equal(pdf_write(&b, (const unsigned char *)"a\0b", 3), CAIRO_STATUS_SUCCESS);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 3);
	buf_release(&b);
}

/* A whole cairo PDF through pdf_write(): whole under a wide cap, an error under a tight one. */
static void
test_write_through_cairo(void **state)
{
	size_t caps[] = { 0, 200 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(caps); i++) {
		struct buf b;
		cairo_surface_t *sf;
		cairo_t *cr;

		buf_init(&b, caps[i]);
		sf = cairo_pdf_surface_create_for_stream(pdf_write, &b, PDF_A4_WIDTH, PDF_A4_HEIGHT);
		cr = cairo_create(sf);
		pdf_font(cr, PDF_FONT, true, false, 12.0);
		cairo_move_to(cr, 50, 50);
		cairo_show_text(cr, "Foglio firme");
		cairo_show_page(cr);
		cairo_destroy(cr);
		cairo_surface_finish(sf);
		if (caps[i] == 0) {
			assert_int_equal(cairo_surface_status(sf), CAIRO_STATUS_SUCCESS);
			assert_false(b.err);
			assert_memory_equal(b.data, "%PDF-", 5);
			assert_non_null(memmem(b.data, b.len, "%%EOF", 5));
		} else {
			assert_int_equal(cairo_surface_status(sf), CAIRO_STATUS_WRITE_ERROR);
			assert_true(b.err);
			assert_true(b.len <= caps[i]);
		}
		cairo_surface_destroy(sf);
		buf_release(&b);
	}
	unit_cairo_reset();
}

static void
test_font_and_color(void **state)
{
	cairo_surface_t *sf;
	cairo_t *cr = measure_context(&sf);
	cairo_font_face_t *ff;
	cairo_matrix_t m;
	double r, g, b, a;
	const struct pdf_rgb blue = { 0x00 / 255.0, 0x66 / 255.0, 0xCC / 255.0 };

	(void)state;
	pdf_font(cr, PDF_FONT_MONO, true, true, 7.5);
	ff = cairo_get_font_face(cr);
	assert_string_equal(cairo_toy_font_face_get_family(ff), PDF_FONT_MONO);
	assert_int_equal(cairo_toy_font_face_get_weight(ff), CAIRO_FONT_WEIGHT_BOLD);
	assert_int_equal(cairo_toy_font_face_get_slant(ff), CAIRO_FONT_SLANT_ITALIC);
	cairo_get_font_matrix(cr, &m);
	assert_true(m.xx == 7.5);
	pdf_font(cr, PDF_FONT, false, false, 10.0);
	ff = cairo_get_font_face(cr);
	assert_string_equal(cairo_toy_font_face_get_family(ff), PDF_FONT);
	assert_int_equal(cairo_toy_font_face_get_weight(ff), CAIRO_FONT_WEIGHT_NORMAL);
	assert_int_equal(cairo_toy_font_face_get_slant(ff), CAIRO_FONT_SLANT_NORMAL);

	pdf_color(cr, &blue);
	assert_int_equal(cairo_pattern_get_rgba(cairo_get_source(cr), &r, &g, &b, &a),
			 CAIRO_STATUS_SUCCESS);
	assert_true(r == blue.r && g == blue.g && b == blue.b && a == 1.0);

	/* Widths add up: no kerning in the toy API, the premise of the cut. */
	assert_true(pdf_width(cr, "") == 0.0);
	assert_true(pdf_width(cr, "AV") == pdf_width(cr, "A") + pdf_width(cr, "V"));
	assert_true(pdf_width(cr, "Roma") > pdf_width(cr, "Rom"));
	measure_done(cr, sf);
	unit_cairo_reset();
}

static void
test_utf8_offset(void **state)
{
	/* a, à (2 bytes), € (3), U+1D518 (4), z */
	const char *s = "a\xc3\xa0\xe2\x82\xac\xf0\x9d\x94\x98z";

	(void)state;
	assert_int_equal(pdf_utf8_offset(s, 0), 0);
	assert_int_equal(pdf_utf8_offset(s, 1), 1);
	assert_int_equal(pdf_utf8_offset(s, 2), 3);
	assert_int_equal(pdf_utf8_offset(s, 3), 6);
	assert_int_equal(pdf_utf8_offset(s, 4), 10);
	assert_int_equal(pdf_utf8_offset(s, 5), 11);
	assert_int_equal(pdf_utf8_offset(s, 6), 11);
	assert_int_equal(pdf_utf8_offset(s, (size_t)-1), 11);
	assert_int_equal(pdf_utf8_offset("", 0), 0);
	assert_int_equal(pdf_utf8_offset("", 3), 0);
}

static void
test_cut_at(void **state)
{
	struct buf t;

	(void)state;
	buf_init(&t, 0);
	pdf_cut_at(&t, "Mario  Rossi", 7, PDF_CUT_ELLIPSIS | PDF_CUT_TRIM);
	assert_string_equal(t.data, "Mario" PDF_ELLIPSIS);
	pdf_cut_at(&t, "Mario  Rossi", 7, PDF_CUT_ELLIPSIS);
	assert_string_equal(t.data, "Mario  " PDF_ELLIPSIS);
	pdf_cut_at(&t, "Mario  Rossi", 7, PDF_CUT_TRIM);
	assert_string_equal(t.data, "Mario");
	pdf_cut_at(&t, "Mario  Rossi", 7, 0);
	assert_string_equal(t.data, "Mario  ");
	pdf_cut_at(&t, "   ", 3, PDF_CUT_ELLIPSIS | PDF_CUT_TRIM);
	assert_string_equal(t.data, PDF_ELLIPSIS);
	pdf_cut_at(&t, "abc", 0, 0);
	assert_string_equal(t.data, "");
	buf_release(&t);
}

/*
 * Cuts a text of n copies of ch at every width from 0 to its full width:
 * the result is whole characters of the text, ends with "…", fits, and one
 * more character would not; from the full width up it is the text itself.
 */
static void
check_cuts(cairo_t *cr, const char *ch, int n)
{
	struct buf s, t, next;
	double full;
	size_t clen = strlen(ch);

	buf_init(&s, 0);
	buf_init(&t, 0);
	buf_init(&next, 0);
	for (int i = 0; i < n; i++)
		buf_adds(&s, ch);
	full = pdf_width(cr, s.data);
	assert_true(full > 0);
	for (double w = 0; w < full; w += full / 97.0) {
		const char *r = pdf_cut(cr, s.data, w, PDF_CUT_ELLIPSIS, &t);
		size_t kept;

		assert_ptr_equal(r, t.data);
		assert_true(ends_with(r, PDF_ELLIPSIS));
		assert_true(valid_utf8(r, strlen(r)));
		kept = strlen(r) - strlen(PDF_ELLIPSIS);
		assert_int_equal(kept % clen, 0);		/* never inside a character */
		assert_memory_equal(r, s.data, kept);
		if (kept > 0)
			assert_true(pdf_width(cr, r) <= w);
		/* The longest such prefix: one more character does not fit. */
		pdf_cut_at(&next, s.data, kept + clen, PDF_CUT_ELLIPSIS);
		assert_true(pdf_width(cr, next.data) > w);
	}
	/* Just fits, and wider: the text itself, whole. */
	assert_string_equal(pdf_cut(cr, s.data, full, PDF_CUT_ELLIPSIS, &t), s.data);
	assert_string_equal(pdf_cut(cr, s.data, full + 1, PDF_CUT_ELLIPSIS, &t), s.data);
	buf_release(&s);
	buf_release(&t);
	buf_release(&next);
}

static void
test_cut_on_boundaries(void **state)
{
	cairo_surface_t *sf;
	cairo_t *cr = measure_context(&sf);

	(void)state;
	check_cuts(cr, "m", 30);				/* ASCII */
	check_cuts(cr, "\xc3\xa0", 30);			/* à, 2 bytes */
	check_cuts(cr, "\xe2\x82\xac", 30);		/* €, 3 bytes */
	check_cuts(cr, "\xf0\x9d\x94\x98", 30);		/* U+1D518, 4 bytes */
	measure_done(cr, sf);
	unit_cairo_reset();
}

/* The width that keeps exactly k characters is the boundary: a hair less keeps k - 1. */
static void
test_cut_exact_width(void **state)
{
	cairo_surface_t *sf;
	cairo_t *cr = measure_context(&sf);
	const char *s = "Niccol\xc3\xb2 D'Agostino";
	struct buf t, want;
	double w;

	(void)state;
	buf_init(&t, 0);
	buf_init(&want, 0);
	pdf_cut_at(&want, s, pdf_utf8_offset(s, 8), PDF_CUT_ELLIPSIS);	/* "Niccolò …" */
	w = pdf_width(cr, want.data);
	assert_string_equal(pdf_cut(cr, s, w, PDF_CUT_ELLIPSIS, &t), "Niccol\xc3\xb2 " PDF_ELLIPSIS);
	assert_string_equal(pdf_cut(cr, s, w - 0.01, PDF_CUT_ELLIPSIS, &t),
			    "Niccol\xc3\xb2" PDF_ELLIPSIS);
	/* Trimmed, the same 8 characters lose their space. */
	assert_string_equal(pdf_cut(cr, s, w, PDF_CUT_ELLIPSIS | PDF_CUT_TRIM, &t),
			    "Niccol\xc3\xb2" PDF_ELLIPSIS);
	buf_release(&t);
	buf_release(&want);
	measure_done(cr, sf);
	unit_cairo_reset();
}

static void
test_cut_edges(void **state)
{
	cairo_surface_t *sf;
	cairo_t *cr = measure_context(&sf);
	struct buf t;

	(void)state;
	buf_init(&t, 0);
	/* Empty: fits any width from 0 up; below 0 only the mark is left. */
	assert_string_equal(pdf_cut(cr, "", 100, PDF_CUT_ELLIPSIS, &t), "");
	assert_string_equal(pdf_cut(cr, "", 0, PDF_CUT_ELLIPSIS, &t), "");
	assert_string_equal(pdf_cut(cr, "", -1, PDF_CUT_ELLIPSIS, &t), PDF_ELLIPSIS);
	assert_string_equal(pdf_cut(cr, "", -1, 0, &t), "");
	/* Width 0: nothing fits, the mark alone shows that something was cut. */
	assert_string_equal(pdf_cut(cr, "Lunghissimo", 0, PDF_CUT_ELLIPSIS, &t), PDF_ELLIPSIS);
	assert_string_equal(pdf_cut(cr, "Lunghissimo", 0, PDF_CUT_ELLIPSIS | PDF_CUT_TRIM, &t),
			    PDF_ELLIPSIS);
	assert_string_equal(pdf_cut(cr, "Lunghissimo", 0, 0, &t), "");
	/* A text that fits comes back whole (in tmp). */
	assert_string_equal(pdf_cut(cr, "Breve", 500, PDF_CUT_ELLIPSIS, &t), "Breve");
	assert_string_equal(t.data, "Breve");
	/* Without a mark: the longest prefix that fits, as the report's header wants. */
	{
		const char *h = "Formazione PA \xe2\x80\x94 Rilevazione";
		struct buf next;
		size_t n = strlen(pdf_cut(cr, h, 60, 0, &t));

		assert_true(n > 0 && n < 13);
		assert_memory_equal(t.data, h, n);
		assert_true(pdf_width(cr, t.data) <= 60);
		buf_init(&next, 0);
		pdf_cut_at(&next, h, n + 1, 0);
		assert_true(pdf_width(cr, next.data) > 60);
		buf_release(&next);
	}
	/* Controls become spaces, fitted or cut. */
	assert_string_equal(pdf_cut(cr, "Ente con\nritorno\t\x7f!", 500, PDF_CUT_ELLIPSIS, &t),
			    "Ente con ritorno  !");
	assert_true(ends_with(pdf_cut(cr, "a\rb\nc d e f g h i j k l m", 20, PDF_CUT_ELLIPSIS, &t),
			      PDF_ELLIPSIS));
	assert_null(strpbrk(t.data, "\r\n"));
	/* Malformed UTF-8 ends the text: cairo would refuse the string. */
	assert_string_equal(pdf_cut(cr, "ab\xc3\x28" "cd", 500, PDF_CUT_ELLIPSIS, &t), "ab");
	assert_string_equal(pdf_cut(cr, "ab\xe2\x82", 500, PDF_CUT_ELLIPSIS, &t), "ab");
	assert_string_equal(pdf_cut(cr, "\xff", 500, PDF_CUT_ELLIPSIS, &t), "");
	buf_release(&t);
	measure_done(cr, sf);
	unit_cairo_reset();
}

/* PDF_MEASURE_MAX characters are measured; one more is cut whatever the width. */
static void
test_cut_measure_cap(void **state)
{
	cairo_surface_t *sf;
	cairo_t *cr = measure_context(&sf);
	struct buf s, t;

	(void)state;
	buf_init(&s, 0);
	buf_init(&t, 0);
	for (int i = 0; i < PDF_MEASURE_MAX; i++)
		buf_adds(&s, "\xc3\xa0");
	assert_string_equal(pdf_cut(cr, s.data, 1e9, PDF_CUT_ELLIPSIS, &t), s.data);
	buf_adds(&s, "x");
	pdf_cut(cr, s.data, 1e9, PDF_CUT_ELLIPSIS, &t);
	assert_int_equal(t.len, 2 * PDF_MEASURE_MAX + strlen(PDF_ELLIPSIS));
	assert_memory_equal(t.data, s.data, 2 * PDF_MEASURE_MAX);
	assert_true(ends_with(t.data, PDF_ELLIPSIS));
	/* Capped and narrow: still the longest prefix that fits. */
	pdf_cut(cr, s.data, 30, PDF_CUT_ELLIPSIS, &t);
	assert_true(t.len > strlen(PDF_ELLIPSIS) && t.len < 40);
	assert_true(pdf_width(cr, t.data) <= 30);
	buf_release(&s);
	buf_release(&t);
	measure_done(cr, sf);
	unit_cairo_reset();
}

/* tmp past its cap: the static mark, never a half-built string. */
static void
test_cut_tmp_cap(void **state)
{
	cairo_surface_t *sf;
	cairo_t *cr = measure_context(&sf);
	struct buf t;

	(void)state;
	buf_init(&t, 4);
	assert_string_equal(pdf_cut(cr, "Breve", 500, PDF_CUT_ELLIPSIS, &t), PDF_ELLIPSIS);
	assert_string_equal(pdf_cut(cr, "Breve", 500, 0, &t), "");
	assert_string_equal(pdf_cut(cr, "Abcd", 500, PDF_CUT_ELLIPSIS, &t), "Abcd");
	/* Room for "Ab…", but at 5 bytes it passes the cap: the longest within it is "A…". */
	{
		struct buf want;
		double w;

		buf_init(&want, 0);
		pdf_cut_at(&want, "Abcd", 2, PDF_CUT_ELLIPSIS);
		w = pdf_width(cr, want.data);
		buf_release(&want);
		assert_string_equal(pdf_cut(cr, "Abcd", w, PDF_CUT_ELLIPSIS, &t), "A" PDF_ELLIPSIS);
		assert_false(t.err);
	}
	buf_release(&t);
	measure_done(cr, sf);
	unit_cairo_reset();
}

static void
test_text_draws(void **state)
{
	cairo_surface_t *sf;
	cairo_t *cr = measure_context(&sf);
	struct buf t;
	double x, y;

	(void)state;
	buf_init(&t, 0);
	pdf_text(cr, &t, "Nome e cognome molto lungo", 5, 20, 50, PDF_CUT_ELLIPSIS);
	assert_true(ends_with(t.data, PDF_ELLIPSIS));
	/* The current point moved past what was drawn, from (5, 20). */
	cairo_get_current_point(cr, &x, &y);
	assert_true(y == 20);
	assert_true(x > 5 && x <= 55);
	pdf_text(cr, &t, "Firma", 0, 0, 500, PDF_CUT_ELLIPSIS);
	assert_string_equal(t.data, "Firma");
	buf_release(&t);
	measure_done(cr, sf);
	unit_cairo_reset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_honours_cap),
		cmocka_unit_test(test_write_through_cairo),
		cmocka_unit_test(test_font_and_color),
		cmocka_unit_test(test_utf8_offset),
		cmocka_unit_test(test_cut_at),
		cmocka_unit_test(test_cut_on_boundaries),
		cmocka_unit_test(test_cut_exact_width),
		cmocka_unit_test(test_cut_edges),
		cmocka_unit_test(test_cut_measure_cap),
		cmocka_unit_test(test_cut_tmp_cap),
		cmocka_unit_test(test_text_draws),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
