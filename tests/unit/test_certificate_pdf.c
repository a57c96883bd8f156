/*
 * test_certificate_pdf.c - courses/certificate_pdf.c: text fitting and
 * cutting, refused input, the buffer cap, and whole PDFs checked with
 * poppler (pdftoppm opens them without a message, pdftotext finds the
 * holder and the code, and no word lies outside the frame).
 */
#include "../../portal/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_cairo.h"

#include "../../courses/certificate_pdf.c"

#define PDFTOPPM "/usr/bin/pdftoppm"
#define PDFTOTEXT "/usr/bin/pdftotext"

static const struct certificate_pdf sample = {
	.portal_name = "Formazione PA \xe2\x80\x94 Portale della comunit\xc3\xa0",
	.holder = "Niccol\xc3\xb2 D'Agostino",
	.course = "Accessibilit\xc3\xa0 dei servizi digitali",
	.level = "Autonomo",
	.issued = "26 novembre 2026",
	.expires = "26 novembre 2028",
	.code = "K7QX-3M9P",
	.verify_url = "https://formazione.example.gov.it/verify/K7QX-3M9P",
};

struct fixture {
	char dir[64];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_certpdf.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	DIR *d = opendir(f->dir);
	struct dirent *e;
	char p[PATH_MAX];

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", f->dir, e->d_name);
		unlink(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* A scratch cairo context for measuring. */
static cairo_t *
measure_context(cairo_surface_t **surface)
{
	cairo_t *cr;

	*surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 10, 10);
	cr = cairo_create(*surface);
	pdf_font(cr, PDF_FONT, true, false, 10.0);
	return cr;
}

static double
font_size(cairo_t *cr)
{
	cairo_matrix_t m;

	cairo_get_font_matrix(cr, &m);
	return m.xx;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static void
test_fit_short_text_keeps_size(void **state)
{
	cairo_surface_t *surface;
	cairo_t *cr = measure_context(&surface);
	struct buf tmp;
	const char *s;

	(void)state;
	buf_init(&tmp, 0);
	s = fit_text(cr, "Maria Rossi", 500.0, 30.0, 14.0, &tmp);
	assert_string_equal(s, "Maria Rossi");
	assert_true(font_size(cr) == 30.0);
	buf_release(&tmp);
	cairo_destroy(cr);
	cairo_surface_destroy(surface);
}

static void
test_fit_shrinks_before_cutting(void **state)
{
	cairo_surface_t *surface;
	cairo_t *cr = measure_context(&surface);
	const char *name = "Maria Beatrice Francesca Alessandra Rossi Bianchi";
	struct buf tmp;
	double w30, size;
	const char *s;

	(void)state;
	buf_init(&tmp, 0);
	cairo_set_font_size(cr, 30.0);
	w30 = pdf_width(cr, name);
	/* Room for about 70 % of it: fits smaller, uncut. */
	s = fit_text(cr, name, w30 * 0.7, 30.0, 10.0, &tmp);
	assert_string_equal(s, name);
	size = font_size(cr);
	assert_true(size < 30.0 && size >= 10.0);
	assert_true(pdf_width(cr, s) <= w30 * 0.7);
	/* The largest such size, to half a point. */
	cairo_set_font_size(cr, size + 0.5);
	assert_true(pdf_width(cr, name) > w30 * 0.7);
	buf_release(&tmp);
	cairo_destroy(cr);
	cairo_surface_destroy(surface);
}

static void
test_fit_cuts_at_minimum_on_a_character(void **state)
{
	cairo_surface_t *surface;
	cairo_t *cr = measure_context(&surface);
	struct buf tmp, longer;
	const char *s;
	size_t kept;
	int i;

	(void)state;
	buf_init(&tmp, 0);
	buf_init(&longer, 0);
	for (i = 0; i < 60; i++)
		buf_adds(&longer, "\xc3\xa0\xc3\xa8 ");	/* "àè ": two-byte characters */
	s = fit_text(cr, longer.data, 100.0, 20.0, 8.0, &tmp);
	assert_true(font_size(cr) == 8.0);
	assert_true(ends_with(s, PDF_ELLIPSIS));
	assert_true(pdf_width(cr, s) <= 100.0);
	assert_true(valid_utf8(s, strlen(s)));		/* no character split */
	kept = strlen(s) - strlen(PDF_ELLIPSIS);
	assert_true(kept > 0);
	assert_memory_equal(s, longer.data, kept);
	assert_int_not_equal(s[kept - 1], ' ');		/* no space before the "…" */
	/* The next longer cut (spaces are trimmed, so it may take more than one character) does not fit. */
	{
		struct buf fitted, next;
		size_t k = valid_utf8_length(s, kept);

		buf_init(&fitted, 0);
		buf_init(&next, 0);
		buf_adds(&fitted, s);
		do {
			pdf_cut_at(&next, longer.data, pdf_utf8_offset(longer.data, ++k), PDF_CUT_ELLIPSIS | PDF_CUT_TRIM);
		} while (strcmp(next.data, fitted.data) == 0);
		assert_true(pdf_width(cr, next.data) > 100.0);
		buf_release(&fitted);
		buf_release(&next);
	}

	/* Nothing fits: "…" alone. */
	s = fit_text(cr, longer.data, 1.0, 20.0, 8.0, &tmp);
	assert_string_equal(s, PDF_ELLIPSIS);
	buf_release(&tmp);
	buf_release(&longer);
	cairo_destroy(cr);
	cairo_surface_destroy(surface);
}

/* Past PDF_MEASURE_MAX characters the text is cut even if the box were wide enough. */
static void
test_fit_caps_measured_text(void **state)
{
	cairo_surface_t *surface;
	cairo_t *cr = measure_context(&surface);
	struct buf tmp, huge;
	const char *s;

	(void)state;
	buf_init(&tmp, 0);
	buf_init(&huge, 0);
	while (huge.len < 200000)
		buf_adds(&huge, "x");
	s = fit_text(cr, huge.data, 1e9, 12.0, 8.0, &tmp);
	assert_true(ends_with(s, PDF_ELLIPSIS));
	assert_int_equal(strlen(s), PDF_MEASURE_MAX + strlen(PDF_ELLIPSIS));
	buf_release(&tmp);
	buf_release(&huge);
	cairo_destroy(cr);
	cairo_surface_destroy(surface);
}

static void
test_utf8_offset(void **state)
{
	(void)state;
	assert_int_equal(pdf_utf8_offset("a\xc3\xa0" "b\xe2\x80\xa6" "c", 0), 0);
	assert_int_equal(pdf_utf8_offset("a\xc3\xa0" "b\xe2\x80\xa6" "c", 1), 1);
	assert_int_equal(pdf_utf8_offset("a\xc3\xa0" "b\xe2\x80\xa6" "c", 2), 3);
	assert_int_equal(pdf_utf8_offset("a\xc3\xa0" "b\xe2\x80\xa6" "c", 3), 4);
	assert_int_equal(pdf_utf8_offset("a\xc3\xa0" "b\xe2\x80\xa6" "c", 4), 7);
	assert_int_equal(pdf_utf8_offset("a\xc3\xa0" "b\xe2\x80\xa6" "c", 5), 8);
	assert_int_equal(pdf_utf8_offset("a\xc3\xa0" "b\xe2\x80\xa6" "c", 9), 8);
	assert_int_equal(pdf_utf8_offset("", 0), 0);
}

static void
render_ok(const struct certificate_pdf *c, struct buf *out)
{
	assert_int_equal(certificate_pdf_render(c, out), 0);
	assert_int_equal(out->err, 0);
	assert_true(out->len > 1000);
	assert_memory_equal(out->data, "%PDF-", 5);
	assert_non_null(memmem(out->data, out->len, "%%EOF", 5));
}

static void
write_pdf(const char *path, const struct buf *b)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(b->data, 1, b->len, fp), b->len);
	assert_int_equal(fclose(fp), 0);
}

static int
run(const char *fmt, ...) PORTAL_PRINTF(1, 2);

static int
run(const char *fmt, ...)
{
	struct buf cmd;
	va_list ap;
	int rc;

	buf_init(&cmd, 0);
	va_start(ap, fmt);
	buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	rc = system(cmd.data);
	buf_release(&cmd);
	return rc;
}

/* pdftoppm opens the file without a word on stderr and writes a PNG. */
static void
check_pdftoppm(const char *dir, const char *pdf)
{
	struct buf png, err;
	char path[PATH_MAX];

	if (access(PDFTOPPM, X_OK) != 0)
		return;
	assert_int_equal(run("%s -png -r 20 '%s' '%s/page' 2>'%s/ppm.err'", PDFTOPPM, pdf,
			     dir, dir), 0);
	buf_init(&err, 0);
	snprintf(path, sizeof(path), "%s/ppm.err", dir);
	assert_int_equal(buf_read_file(&err, path), 0);
	assert_int_equal(err.len, 0);
	buf_release(&err);

	/* One page: poppler names it page-1.png. */
	buf_init(&png, 0);
	snprintf(path, sizeof(path), "%s/page-1.png", dir);
	assert_int_equal(buf_read_file(&png, path), 0);
	assert_true(png.len > 8);
	assert_memory_equal(png.data, "\x89PNG\r\n\x1a\n", 8);
	buf_release(&png);
}

/* The page's text (pdftotext -layout), or false if poppler is missing. */
static bool
page_text(const char *dir, const char *pdf, struct buf *text)
{
	char path[PATH_MAX];

	if (access(PDFTOTEXT, X_OK) != 0)
		return false;
	snprintf(path, sizeof(path), "%s/page.txt", dir);
	assert_int_equal(run("%s -enc UTF-8 '%s' '%s'", PDFTOTEXT, pdf, path), 0);
	assert_int_equal(buf_read_file(text, path), 0);
	return true;
}

/*
 * Every word's box (pdftotext -bbox) lies inside the inner frame: long
 * names were shrunk or cut, not pushed off the page.
 */
static void
check_words_inside(const char *dir, const char *pdf)
{
	char path[PATH_MAX];
	struct buf html;
	const char *p;
	int words = 0;

	if (access(PDFTOTEXT, X_OK) != 0)
		return;
	snprintf(path, sizeof(path), "%s/bbox.html", dir);
	assert_int_equal(run("%s -bbox '%s' '%s'", PDFTOTEXT, pdf, path), 0);
	buf_init(&html, 0);
	assert_int_equal(buf_read_file(&html, path), 0);
	for (p = html.data; (p = strstr(p, "<word xMin=\"")) != NULL; p++) {
		double x0, y0, x1, y1;

		assert_int_equal(sscanf(p, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"",
					&x0, &y0, &x1, &y1), 4);
		assert_true(x0 >= 27.0 && x1 <= PAGE_W - 27.0);
		assert_true(y0 >= 27.0 && y1 <= PAGE_H - 27.0);
		words++;
	}
	assert_true(words > 20);
	buf_release(&html);
}

/*
 * The QR code on the page is the encoder's: pdftoppm renders the page in
 * grey at 2 pixels per point and every module's centre (and the quiet
 * zone around them) has the colour the encoder gave it.
 */
static void
check_qr_modules(const char *dir, const char *pdf, const char *url)
{
	char path[PATH_MAX];
	struct buf pgm;
	const unsigned char *px;
	QRcode *qr;
	int width, height, maxval, hdr = 0, row, col;
	double m;

	if (access(PDFTOPPM, X_OK) != 0)
		return;
	assert_int_equal(run("%s -gray -r 144 -singlefile '%s' '%s/grey'", PDFTOPPM, pdf, dir), 0);
	snprintf(path, sizeof(path), "%s/grey.pgm", dir);
	buf_init(&pgm, 0);
	assert_int_equal(buf_read_file(&pgm, path), 0);
	assert_int_equal(sscanf(pgm.data, "P5 %d %d %d%n", &width, &height, &maxval, &hdr), 3);
	assert_int_equal(width, 1684);
	assert_int_equal(height, 1190);
	assert_int_equal(maxval, 255);
	px = (const unsigned char *)pgm.data + hdr + 1;	/* one whitespace ends the header */
	assert_int_equal(pgm.len - (size_t)(hdr + 1), (size_t)width * height);

	qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	assert_non_null(qr);
	m = QR_SIZE / (qr->width + 2 * QR_QUIET);
	for (row = -1; row <= qr->width; row++) {
		for (col = -1; col <= qr->width; col++) {
			int x = (int)((QR_X + (QR_QUIET + col + 0.5) * m) * 2.0);
			int y = (int)((QR_Y + (QR_QUIET + row + 0.5) * m) * 2.0);
			bool dark_module = row >= 0 && row < qr->width && col >= 0 &&
					   col < qr->width && (qr->data[row * qr->width + col] & 1);

			assert_int_equal(px[y * width + x] < 128, dark_module);
		}
	}
	QRcode_free(qr);
	buf_release(&pgm);
}

static void
test_render_sample(void **state)
{
	struct fixture *f = *state;
	char pdf[PATH_MAX];
	struct buf out, text;

	buf_init(&out, 0);
	render_ok(&sample, &out);
	/* Metadata: an ASCII title is a literal string in the Info dictionary. */
	assert_non_null(memmem(out.data, out.len, "Attestato di certificazione K7QX-3M9P",
				 strlen("Attestato di certificazione K7QX-3M9P")));
	snprintf(pdf, sizeof(pdf), "%s/cert.pdf", f->dir);
	write_pdf(pdf, &out);
	check_pdftoppm(f->dir, pdf);
	check_words_inside(f->dir, pdf);
	check_qr_modules(f->dir, pdf, sample.verify_url);

	buf_init(&text, 0);
	if (page_text(f->dir, pdf, &text)) {
		assert_non_null(strstr(text.data, "Niccol\xc3\xb2 D'Agostino"));
		assert_non_null(strstr(text.data, "K7QX-3M9P"));
		assert_non_null(strstr(text.data, "Attestato di certificazione"));
		assert_non_null(strstr(text.data, "Accessibilit\xc3\xa0 dei servizi digitali"));
		assert_non_null(strstr(text.data, "Autonomo"));
		assert_non_null(strstr(text.data, "26 novembre 2026"));
		assert_non_null(strstr(text.data, "Valido fino al"));
		assert_non_null(strstr(text.data, "26 novembre 2028"));
		assert_non_null(strstr(text.data, sample.verify_url));
		assert_non_null(strstr(text.data, "Portale della comunit\xc3\xa0"));
	}
	buf_release(&text);
	buf_release(&out);
}

static void
test_render_long_course_and_no_expiry(void **state)
{
	struct fixture *f = *state;
	struct certificate_pdf c = sample;
	struct buf course, holder, out, text;
	char pdf[PATH_MAX];
	size_t chars;

	buf_init(&course, 0);
	buf_init(&holder, 0);
	/* 300 characters with accents (each "è" is two bytes). */
	for (chars = 0; chars < 300; chars += 30)
		buf_adds(&course, "Qualit\xc3\xa0 e perch\xc3\xa9 dei dati PA; ");
	buf_truncate(&course, course.len - 1);
	buf_adds(&course, "Z");
	assert_int_equal(valid_utf8_length(course.data, course.len), 300);
	for (chars = 0; chars < 8; chars++)
		buf_adds(&holder, "Giovanbattista ");
	buf_adds(&holder, "\xc3\x80lvarez");
	c.course = course.data;
	c.holder = holder.data;
	c.expires = NULL;

	buf_init(&out, 0);
	render_ok(&c, &out);
	snprintf(pdf, sizeof(pdf), "%s/long.pdf", f->dir);
	write_pdf(pdf, &out);
	check_pdftoppm(f->dir, pdf);
	check_words_inside(f->dir, pdf);

	buf_init(&text, 0);
	if (page_text(f->dir, pdf, &text)) {
		assert_non_null(strstr(text.data, "K7QX-3M9P"));
		assert_non_null(strstr(text.data, "Giovanbattista"));
		assert_non_null(strstr(text.data, "Qualit\xc3\xa0 e perch\xc3\xa9 dei dati"));
		assert_non_null(strstr(text.data, PDF_ELLIPSIS));	/* the course was cut */
		assert_null(strstr(text.data, "PA;Z"));		/* its end is not there */
		assert_null(strstr(text.data, "Valido fino al"));
	}
	buf_release(&text);
	buf_release(&out);
	buf_release(&course);
	buf_release(&holder);
}

static void
test_render_refuses_bad_fields(void **state)
{
	static const char *bad[] = {
		NULL, "", "Maria\nRossi", "Maria\tRossi", "Maria\rRossi",
		"Maria \xc3\x28 Rossi",		/* broken UTF-8 */
		"Maria \xc0\xaf",		/* overlong */
		"Maria \xed\xa0\x80",		/* surrogate */
		"Maria \xe2\x80",		/* cut short */
		"Maria \x7f",
	};
	struct certificate_pdf c;
	struct buf out;
	size_t i;

	(void)state;
	buf_init(&out, 0);
	buf_adds(&out, "before");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		c = sample;
		c.holder = bad[i];
		assert_int_equal(certificate_pdf_render(&c, &out), -1);
		c = sample;
		c.verify_url = bad[i];
		assert_int_equal(certificate_pdf_render(&c, &out), -1);
		if (bad[i] != NULL) {
			c = sample;
			c.expires = bad[i];
			assert_int_equal(certificate_pdf_render(&c, &out), -1);
		}
	}
	c = sample;
	c.code = NULL;
	assert_int_equal(certificate_pdf_render(&c, &out), -1);
	c = sample;
	c.portal_name = "";
	assert_int_equal(certificate_pdf_render(&c, &out), -1);
	assert_string_equal(out.data, "before");
	assert_int_equal(out.err, 0);
	buf_release(&out);
}

static void
test_render_url_too_long_for_qr(void **state)
{
	struct certificate_pdf c = sample;
	struct buf url, out;

	(void)state;
	buf_init(&url, 0);
	buf_adds(&url, "https://example.gov.it/verify/");
	while (url.len < 3000)
		buf_addch(&url, 'a');
	c.verify_url = url.data;
	buf_init(&out, 0);
	buf_adds(&out, "before");
	assert_int_equal(certificate_pdf_render(&c, &out), -1);
	assert_string_equal(out.data, "before");
	assert_int_equal(out.err, 0);
	buf_release(&out);
	buf_release(&url);
}

static void
test_render_respects_the_cap(void **state)
{
	struct buf out, full;

	(void)state;
	buf_init(&full, 0);
	render_ok(&sample, &full);

	/* One byte short of the whole PDF. */
	buf_init(&out, full.len - 1);
	assert_int_equal(certificate_pdf_render(&sample, &out), -1);
	assert_int_equal(out.len, 0);
	assert_int_not_equal(out.err, 0);
	buf_release(&out);

	/* A sticky error from before is not cleared. */
	buf_init(&out, 4);
	buf_adds(&out, "12345");
	assert_int_not_equal(out.err, 0);
	assert_int_equal(certificate_pdf_render(&sample, &out), -1);
	buf_release(&out);

	/* Appends after what is there; enough room (the size varies with the date). */
	buf_init(&out, 0);
	buf_adds(&out, "xx");
	assert_int_equal(certificate_pdf_render(&sample, &out), 0);
	assert_memory_equal(out.data, "xx%PDF-", 7);
	buf_release(&out);
	buf_release(&full);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_offset),
		cmocka_unit_test(test_fit_short_text_keeps_size),
		cmocka_unit_test(test_fit_shrinks_before_cutting),
		cmocka_unit_test(test_fit_cuts_at_minimum_on_a_character),
		cmocka_unit_test(test_fit_caps_measured_text),
		cmocka_unit_test_setup_teardown(test_render_sample, setup, teardown),
		cmocka_unit_test_setup_teardown(test_render_long_course_and_no_expiry, setup, teardown),
		cmocka_unit_test(test_render_refuses_bad_fields),
		cmocka_unit_test(test_render_url_too_long_for_qr),
		cmocka_unit_test(test_render_respects_the_cap),
	};
	int rc;

	log_set_level(LOG_LEVEL_ERROR);	/* the refusals are expected */
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unit_cairo_reset();
	return rc;
}
