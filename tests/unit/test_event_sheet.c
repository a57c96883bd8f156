/*
 * test_event_sheet.c - the attendance sheet: pages break where rows stop
 * fitting, bad input is refused leaving the output as it was, text too
 * wide for a cell is cut on a character, and the CSV's shape.
 */
#include "../../content/event_sheet.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <cmocka.h>

#include "unit_cairo.h"

/* Page count of a PDF made by cairo: its /Type /Page objects. */
static int
pages(const struct buf *b)
{
	int n = 0;

	for (const char *p = b->data; (p = memmem(p, b->len - (size_t)(p - b->data), "/Type /Page", 11)) != NULL; p += 11)
		if (p[11] != 's')
			n++;
	return n;
}

static struct event_sheet_row *
rows(int n)
{
	struct event_sheet_row *r = calloc((size_t)n + 1, sizeof(*r));

	assert_non_null(r);
	for (int i = 0; i < n; i++) {
		r[i].name = "Maria Rossi";
		r[i].email = "maria@example.it";
		r[i].organisation = "Municipio VIII";
		r[i].status = "confermato";
		r[i].registered = "01/03/2026 10:00";
	}
	return r;
}

static void
test_page_breaks(void **state)
{
	/* Rows per page plus the blank rows decide the count: exactly full, then one more. */
	int per = ROWS_PER_PAGE, cases[][2] = { { 0, 1 }, { per - EVENT_SHEET_BLANK_ROWS, 1 },
						{ per - EVENT_SHEET_BLANK_ROWS + 1, 2 }, { 3 * per, 4 } };
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct event_sheet_row *r = rows(cases[i][0]);
		struct event_sheet s = { "Portale", "Seminario", "2 marzo 2026, 09:30–13:00", "Roma", r, cases[i][0] };
		struct buf b;

		buf_init(&b, 0);
		assert_int_equal(event_sheet_pdf(&s, &b), 0);
		assert_memory_equal(b.data, "%PDF-", 5);
		assert_int_equal(pages(&b), cases[i][1]);
		buf_release(&b);
		free(r);
	}
	unit_cairo_reset();
}

static void
test_refuses_bad_input(void **state)
{
	struct event_sheet_row r[1] = { { "Bad \xC3\x28", "", "", "", "" } };
	struct event_sheet s = { "Portale", "Titolo", "quando", "dove", r, 1 };
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	buf_adds(&b, "prima");
	assert_int_equal(event_sheet_pdf(&s, &b), -1);
	s.nrows = 0;
	s.title = NULL;
	assert_int_equal(event_sheet_pdf(&s, &b), -1);
	s.title = "Titolo";
	s.nrows = EVENT_SHEET_ROWS_MAX + 1;
	assert_int_equal(event_sheet_pdf(&s, &b), -1);
	s.nrows = -1;
	assert_int_equal(event_sheet_pdf(&s, &b), -1);
	assert_string_equal(b.data, "prima");
	buf_release(&b);
	/* A cap too small for the file: refused, output back where it was. */
	s.nrows = 0;
	buf_init(&b, 100);
	assert_int_equal(event_sheet_pdf(&s, &b), -1);
	assert_int_equal(b.len, 0);
	buf_release(&b);
	unit_cairo_reset();
}

static void
test_cuts_on_a_character(void **state)
{
	cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 10, 10);
	cairo_t *cr = cairo_create(sf);
	struct buf tmp;

	(void)state;
	buf_init(&tmp, 0);
	event_sheet_font(cr, false, 10);
	event_sheet_text(cr, &tmp, "Breve", 0, 0, 500);
	assert_string_equal(tmp.data, "Breve");
	event_sheet_text(cr, &tmp, "Ente con\nritorno", 0, 0, 500);
	assert_string_equal(tmp.data, "Ente con ritorno");
	event_sheet_text(cr, &tmp, "àèìòù àèìòù àèìòù àèìòù àèìòù àèìòù àèìòù", 0, 0, 60);
	assert_true(tmp.len > strlen(PDF_ELLIPSIS));
	assert_string_equal(tmp.data + tmp.len - 3, PDF_ELLIPSIS);
	assert_true(valid_utf8(tmp.data, tmp.len));
	assert_true(pdf_width(cr, tmp.data) <= 60);
	/* Nothing fits: only the ellipsis. */
	event_sheet_text(cr, &tmp, "Lunghissimo", 0, 0, 1);
	assert_string_equal(tmp.data, PDF_ELLIPSIS);
	buf_release(&tmp);
	cairo_destroy(cr);
	cairo_surface_destroy(sf);
	unit_cairo_reset();
}

static void
test_csv(void **state)
{
	struct event_sheet_row r[2] = {
		{ "Anna; Bianchi", "a@example.it", "=SOMMA(1)", "confermato", "01/03/2026 10:00" },
		{ "Bruno \"B\"", "b@example.it", "", "in attesa", "02/03/2026 11:00" },
	};
	struct event_sheet s = { "Portale", "T", "q", "d", r, 2 };
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	event_sheet_csv(&s, &b);
	assert_false(b.err);
	assert_string_equal(b.data, CSV_BOM "N.;Nome e cognome;Email;Ente;Stato;Iscritto il\r\n"
			    "1;\"Anna; Bianchi\";a@example.it;\"'=SOMMA(1)\";confermato;01/03/2026 10:00\r\n"
			    "2;\"Bruno \"\"B\"\"\";b@example.it;;in attesa;02/03/2026 11:00\r\n");
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_breaks),
		cmocka_unit_test(test_refuses_bad_input),
		cmocka_unit_test(test_cuts_on_a_character),
		cmocka_unit_test(test_csv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
