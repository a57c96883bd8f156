/*
 * test_document_text.c - content/document_text.c: the text cleaner (UTF-8
 * repair, controls, whitespace, the cut), the XML stripper on each dialect
 * and on hostile input, the tool runner (timeout, output cap, missing
 * tool, no zombie, no descriptor left open), and whole extractions from
 * files built at run time: a PDF drawn with cairo, ODT, DOCX, PPTX and
 * XLSX packages zipped from XML written here, and broken text files.
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
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <cmocka.h>

#include "unit_cairo.h"

#include "../../content/document_text.c"

#define ODT "application/vnd.oasis.opendocument.text"
#define ODS "application/vnd.oasis.opendocument.spreadsheet"
#define DOCX "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#define PPTX "application/vnd.openxmlformats-officedocument.presentationml.presentation"
#define XLSX "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#define A_GRAVE "\xc3\xa0"	/* à */
#define E_ACUTE "\xc3\xa9"	/* é */
#define FFFD "\xef\xbf\xbd"

struct fixture {
	char dir[64];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_doctext.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* Open descriptors of this process. */
static int
fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* No child left, reaped or not. */
static void
assert_no_child(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void
path_of(char *out, size_t size, const char *dir, const char *name)
{
	assert_true((size_t)snprintf(out, size, "%s/%s", dir, name) < size);
}

/* Writes len bytes (strlen if len is (size_t)-1) to dir/name, making its folders. */
static void
write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char p[PATH_MAX], *slash;
	FILE *fp;

	path_of(p, sizeof(p), dir, name);
	for (slash = strchr(p + strlen(dir) + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		assert_true(mkdir(p, 0700) == 0 || errno == EEXIST);
		*slash = '/';
	}
	if (len == (size_t)-1)
		len = strlen(data);
	assert_non_null(fp = fopen(p, "wb"));
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void
deadline_in(struct timespec *t, int s)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += s;
}

/*
 * Zips the members (pairs of name and content, NULL-ended), in that order,
 * into dir/zipname with Info-ZIP's zip, run through tool_run from a
 * staging folder so that the names keep their folders.
 */
static void
make_zip(const char *dir, const char *zipname, ...)
{
	char stage[PATH_MAX], zip[PATH_MAX];
	char *argv[32] = { "zip", "-q", "-X", zip };
	char *names[32];
	const char *name;
	struct timespec t;
	struct buf out;
	va_list ap;
	int argc = 4, first = 4, cwd;

	path_of(stage, sizeof(stage), dir, "stage");
	path_of(zip, sizeof(zip), dir, zipname);
	nftw(stage, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	assert_int_equal(mkdir(stage, 0700), 0);
	va_start(ap, zipname);
	while ((name = va_arg(ap, const char *)) != NULL) {
		write_file(stage, name, va_arg(ap, const char *), (size_t)-1);
		assert_true(argc < 31);
		assert_non_null(names[argc] = strdup(name));
		argv[argc] = names[argc];
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;

	assert_true((cwd = open(".", O_RDONLY | O_CLOEXEC)) != -1);
	assert_int_equal(chdir(stage), 0);
	buf_init(&out, 0);
	deadline_in(&t, 30);
	assert_int_equal(tool_run(argv, &t, &out), 0);
	buf_release(&out);
	for (int i = first; i < argc; i++)
		free(names[i]);
	assert_int_equal(fchdir(cwd), 0);
	close(cwd);
	nftw(stage, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Extracts dir/name and checks the result is want, with no fd or child left behind. */
static void
check_extract(const char *dir, const char *name, const char *type, size_t max, const char *want)
{
	char p[PATH_MAX], *s;
	int fds = fd_count();

	path_of(p, sizeof(p), dir, name);
	s = document_text_extract(p, type, max, 10);
	assert_non_null(s);
	assert_string_equal(s, want);
	assert_true(valid_utf8(s, strlen(s)));
	free(s);
	assert_int_equal(fd_count(), fds);
	assert_no_child();
}

static void
check_fails(const char *path, const char *type, int timeout_s)
{
	int fds = fd_count();

	assert_null(document_text_extract(path, type, 1000, timeout_s));
	assert_int_equal(fd_count(), fds);
	assert_no_child();
}

/* ---- text_clean -------------------------------------------------------- */

static void
check_clean(const char *in, size_t len, size_t max, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	text_clean(in, len, max, &b);
	assert_false(b.err);
	assert_string_equal(b.data, want);
	assert_true(b.len <= max);
	assert_true(valid_utf8(b.data, b.len));
	buf_release(&b);
}

#define CLEAN(lit, max, want) check_clean(lit, sizeof(lit) - 1, max, want)

static void
test_clean_collapses_whitespace(void **state)
{
	(void)state;
	CLEAN("  uno   due \t tre\r\n\r\n\n quattro  ", 100, "uno due\ttre\nquattro");
	CLEAN("a\tb", 100, "a\tb");
	CLEAN("a \t\t b", 100, "a\tb");
	CLEAN("a \t\n\t b", 100, "a\nb");
	CLEAN(" \t\r\n ", 100, "");
	CLEAN("", 100, "");
}

static void
test_clean_controls_and_nuls_become_spaces(void **state)
{
	(void)state;
	CLEAN("a\0b", 100, "a b");
	CLEAN("a\x01\x1f\x7f" "b", 100, "a b");
	CLEAN("a\xc2\x85" "b", 100, "a b");	/* U+0085, a C1 control */
	CLEAN("a\0\n\0b", 100, "a\nb");
	CLEAN("\xef\xbb\xbf" "ciao", 100, "ciao");	/* leading BOM dropped */
}

static void
test_clean_repairs_utf8(void **state)
{
	(void)state;
	CLEAN("citt" A_GRAVE, 100, "citt" A_GRAVE);
	CLEAN("a\xff" "b", 100, "a" FFFD "b");
	CLEAN("a\xc3", 100, "a" FFFD);			/* cut short */
	CLEAN("\xc0\xaf", 100, FFFD FFFD);		/* overlong '/' */
	CLEAN("\xed\xa0\x80", 100, FFFD FFFD FFFD);	/* surrogate */
	CLEAN("\xf4\x90\x80\x80", 100, FFFD FFFD FFFD FFFD);	/* past U+10FFFF */
	CLEAN("x" FFFD "y", 100, "x" FFFD "y");		/* a real U+FFFD stays */
	CLEAN("\xf0\x9f\x98\x80", 100, "\xf0\x9f\x98\x80");
}

static void
test_clean_cuts_on_character_boundary(void **state)
{
	(void)state;
	/* "città": à is bytes 4 and 5. */
	CLEAN("citt" A_GRAVE, 6, "citt" A_GRAVE);
	CLEAN("citt" A_GRAVE, 5, "citt");
	CLEAN("citt" A_GRAVE, 4, "citt");
	CLEAN("citt" A_GRAVE, 3, "cit");
	CLEAN("citt" A_GRAVE, 0, "");
	CLEAN("abc", 1, "a");
	/* No separator left dangling at the end of a cut. */
	CLEAN("ab   cd", 3, "ab");
	CLEAN("ab   cd", 4, "ab c");
	/* A replacement character is 3 bytes: it fits whole or not at all. */
	CLEAN("a\xff", 3, "a");
	CLEAN("a\xff", 4, "a" FFFD);
	CLEAN("\xf0\x9f\x98\x80", 3, "");
}

/* ---- xml_text ---------------------------------------------------------- */

static void
check_xml(const char *xml, size_t len, const struct xml_dialect *d, const char *want)
{
	struct buf b, c;

	buf_init(&b, 0);
	buf_init(&c, 0);
	xml_text(xml, len, d, &b);
	assert_false(b.err);
	assert_true(b.len <= len);
	/* Compare what the user sees: after cleaning. */
	text_clean(b.data, b.len, SIZE_MAX, &c);
	assert_string_equal(c.data, want);
	buf_release(&b);
	buf_release(&c);
}

#define XML(lit, d, want) check_xml(lit, sizeof(lit) - 1, d, want)

static void
test_xml_entities(void **state)
{
	(void)state;
	XML("<p>&lt;a&gt; &amp; &quot;b&quot; &apos;c&apos;</p>", &xml_odf, "<a> & \"b\" 'c'");
	XML("<p>caff&#233; citt&#xE0; citt&#xe0; &#x1F600;</p>", &xml_odf,
	    "caff" E_ACUTE " citt" A_GRAVE " citt" A_GRAVE " \xf0\x9f\x98\x80");
	XML("<p>&#0000000065;</p>", &xml_odf, "A");
	/* Without ';', unknown, or empty: a literal '&'. */
	XML("<p>a &amp b &nbsp; c &#65 d &#; e &#x; f &</p>", &xml_odf,
	    "a &amp b &nbsp; c &#65 d &#; e &#x; f &");
	XML("<p>&#x110000; &#99999999999999999999999999; &#xFFFFFFFFFFFFFFFFFFFF;</p>", &xml_odf,
	    FFFD " " FFFD " " FFFD);
	XML("<p>&#xD800;&#xDFFF;&#55296;&#0;</p>", &xml_odf, FFFD FFFD FFFD FFFD);
	XML("<p>&#xD7FF;&#xE000;&#x10FFFF;</p>", &xml_odf, "\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf");
	/* Control characters by reference are cleaned like any other. */
	XML("<p>a&#1;b&#10;c</p>", &xml_odf, "a b\nc");
	XML("&", &xml_odf, "&");
	XML("&#", &xml_odf, "&#");
	XML("&#x10", &xml_odf, "&#x10");
}

static void
test_xml_cdata_comments_and_declarations(void **state)
{
	(void)state;
	XML("<p>a<![CDATA[ <b>&amp; ]]>c</p>", &xml_odf, "a <b>&amp; c");
	XML("<p>a<!-- hidden <p>x</p> -->b</p>", &xml_odf, "ab");
	XML("<?xml version=\"1.0\"?><!DOCTYPE d [ <!ENTITY e \"x>y\"> ]><p>t</p>", &xml_odf, "t");
	XML("<p>a<?pi stuff?>b</p>", &xml_odf, "ab");
	/* Unterminated: a CDATA section runs to the end, a comment hides the rest. */
	XML("<p>a<![CDATA[ tail", &xml_odf, "a tail");
	XML("<p>a<!-- tail", &xml_odf, "a");
	XML("<p>a<?pi", &xml_odf, "a");
	XML("<p>a<!DOCTYPE", &xml_odf, "a");
	XML("<![CDATA[", &xml_odf, "");
	XML("<!--", &xml_odf, "");
	XML("<!-->", &xml_odf, "");
	/* CDATA outside the text element is dropped like other text. */
	XML("<w:p><![CDATA[no]]><w:t><![CDATA[s" E_ACUTE "]]></w:t></w:p>", &xml_docx, "s" E_ACUTE);
}

static void
test_xml_hostile_tags(void **state)
{
	(void)state;
	/* An unclosed tag drops the rest, it never reads past the end. */
	XML("<p>ok</p><p attr=\"x", &xml_odf, "ok");
	XML("<p>ok</p><p", &xml_odf, "ok");
	XML("<p>ok</p></p", &xml_odf, "ok");
	XML("<p>ok</p><", &xml_odf, "ok\n<");
	XML("<", &xml_odf, "<");
	/* '>' inside a quoted attribute value does not end the tag. */
	XML("<p a=\"1>2\" b='3>4'>t</p>", &xml_odf, "t");
	/* A '<' that starts no markup is text. */
	XML("<p>1 < 2 <= 3 <> 4</p>", &xml_odf, "1 < 2 <= 3 <> 4");
	XML("<p></></p>x", &xml_odf, "x");
	XML("<p/><p/><p/>a", &xml_odf, "a");
	/* Unbalanced text elements. */
	XML("</w:t>out<w:t>in", &xml_docx, "in");
	XML("<w:t><w:t>a</w:t>b</w:t>c", &xml_docx, "a");
	/* NULs and broken UTF-8 pass through to the cleaner. */
	XML("<p>a\0b\xff</p>", &xml_odf, "a b" FFFD);
}

static void
test_xml_random_bytes_are_safe(void **state)
{
	static const char alphabet[] = "<>/&#;x![]-?\"'=: ptw\n\xc3\xa0" "CDATA0123456789";
	char in[512];
	struct buf b;
	unsigned seed = 12345;

	(void)state;
	buf_init(&b, 0);
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(round % (int)sizeof(in));

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		/* An exact-size heap copy, so ASan sees any read past the end. */
		char *heap = malloc(len ? len : 1);

		assert_non_null(heap);
		memcpy(heap, in, len);
		buf_reset(&b);
		xml_text(heap, len, round & 1 ? &xml_odf : &xml_docx, &b);
		assert_false(b.err);
		assert_true(b.len <= len);
		free(heap);
	}
	buf_release(&b);
}

static void
test_xml_odf_structure(void **state)
{
	(void)state;
	XML("<office:text><text:h>Titolo</text:h><text:p>uno<text:s text:c=\"3\"/>due"
	    "<text:tab/>tre<text:line-break/>quattro</text:p><text:p>cin<text:span>que</text:span>"
	    "</text:p></office:text>", &xml_odf, "Titolo\nuno due\ttre\nquattro\ncinque");
	XML("<table:table><table:table-row><table:table-cell><text:p>A1</text:p></table:table-cell>"
	    "<table:table-cell><text:p>B1</text:p></table:table-cell></table:table-row>"
	    "<table:table-row><table:table-cell office:value=\"5\"/></table:table-row></table:table>",
	    &xml_odf, "A1\nB1");
	/* Elements are known by local name, whatever their prefix. */
	XML("<t:p>a</t:p><t:p>b</t:p><p>c</p>", &xml_odf, "a\nb\nc");
	/* Similar names are not the same element. */
	XML("<text:pp>a</text:pp><text:span>b</text:span>", &xml_odf, "ab");
}

static void
test_xml_ooxml_structure(void **state)
{
	(void)state;
	XML("<w:body><w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr>"
	    "<w:r><w:t>uno</w:t></w:r><w:r><w:tab/><w:t xml:space=\"preserve\">due </w:t></w:r>"
	    "<w:r><w:instrText>PAGE</w:instrText><w:delText>tolto</w:delText><w:t>tre</w:t>"
	    "<w:br/><w:t>quattro</w:t></w:r></w:p><w:p/><w:p><w:r><w:t>cinque</w:t></w:r></w:p>"
	    "</w:body>", &xml_docx, "uno\tdue tre\nquattro\ncinque");
	XML("<p:sld><a:p><a:r><a:t>Titolo</a:t></a:r></a:p><a:p><a:pPr><a:tabLst><a:tab pos=\"1\"/>"
	    "</a:tabLst></a:pPr><a:r><a:t>riga</a:t></a:r><a:br/><a:r><a:t>due</a:t></a:r></a:p>"
	    "</p:sld>", &xml_pptx, "Titolo\nriga\ndue");
	XML("<sst><si><t>Nome</t></si><si><r><t>Cit</t></r><r><t>t" A_GRAVE "</t></r></si>"
	    "<si><t/></si></sst>", &xml_xlsx, "Nome\nCitt" A_GRAVE);
}

/* ---- tool_run ---------------------------------------------------------- */

static void
test_tool_reads_output_and_status(void **state)
{
	char *echo[] = { "echo", "ciao", NULL }, *no[] = { "false", NULL };
	struct timespec t;
	struct buf b;
	int fds = fd_count();

	(void)state;
	buf_init(&b, 0);
	deadline_in(&t, 10);
	assert_int_equal(tool_run(echo, &t, &b), 0);
	assert_string_equal(b.data, "ciao\n");
	assert_int_equal(tool_run(no, &t, &b), 1);
	assert_string_equal(b.data, "ciao\n");
	buf_release(&b);
	assert_int_equal(fd_count(), fds);
	assert_no_child();
}

static void
test_tool_timeout_kills_and_reaps(void **state)
{
	char *hang[] = { "sleep", "5", NULL };
	/* Closes its stdout, then hangs: EOF comes, the exit does not. */
	char *quiet[] = { "sh", "-c", "echo parziale; exec >&-; sleep 5", NULL };
	struct timespec t, t0, t1;
	struct buf b;
	int fds = fd_count();

	(void)state;
	buf_init(&b, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	deadline_in(&t, 1);
	assert_int_equal(tool_run(hang, &t, &b), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 3);
	assert_no_child();

	deadline_in(&t, 1);
	assert_int_equal(tool_run(quiet, &t, &b), -1);
	assert_string_equal(b.data, "parziale\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_true(t0.tv_sec - t1.tv_sec < 3);
	assert_no_child();

	/* A deadline already past: nothing waits. */
	t.tv_sec -= 10;
	assert_int_equal(tool_run(hang, &t, &b), -1);
	assert_no_child();
	buf_release(&b);
	assert_int_equal(fd_count(), fds);
}

static void
test_tool_output_cap_kills(void **state)
{
	char *endless[] = { "yes", "testo", NULL };
	struct timespec t;
	struct buf b;
	int fds = fd_count();

	(void)state;
	buf_init(&b, 1 << 20);
	deadline_in(&t, 20);
	assert_int_equal(tool_run(endless, &t, &b), -1);
	assert_true(b.err);
	assert_true(b.len <= (size_t)1 << 20);
	buf_release(&b);
	assert_int_equal(fd_count(), fds);
	assert_no_child();
}

static void
test_tool_missing_or_killed(void **state)
{
	char *missing[] = { "no-such-tool-for-document-text", NULL };
	char *killed[] = { "sh", "-c", "kill -9 $$", NULL };
	struct timespec t;
	struct buf b;
	int fds = fd_count();

	(void)state;
	buf_init(&b, 0);
	deadline_in(&t, 10);
	assert_int_equal(tool_run(missing, &t, &b), -1);
	assert_int_equal(tool_run(killed, &t, &b), -1);
	assert_int_equal(b.len, 0);
	buf_release(&b);
	assert_int_equal(fd_count(), fds);
	assert_no_child();
}

/* ---- whole extractions ------------------------------------------------- */

/* A one-page PDF at path with two lines of text, drawn by cairo. */
static void
make_pdf(const char *path, const char *line1, const char *line2)
{
	cairo_surface_t *surface = cairo_pdf_surface_create(path, 595, 842);
	cairo_t *cr = cairo_create(surface);

	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 14);
	cairo_move_to(cr, 50, 100);
	cairo_show_text(cr, line1);
	cairo_move_to(cr, 50, 130);
	cairo_show_text(cr, line2);
	cairo_show_page(cr);
	assert_int_equal(cairo_status(cr), CAIRO_STATUS_SUCCESS);
	cairo_destroy(cr);
	cairo_surface_finish(surface);
	assert_int_equal(cairo_surface_status(surface), CAIRO_STATUS_SUCCESS);
	cairo_surface_destroy(surface);
}

static void
test_extract_pdf(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX], *s;

	path_of(p, sizeof(p), f->dir, "relazione.pdf");
	make_pdf(p, "Relazione sull'attivit" A_GRAVE " dei servizi sociali", "Anno      2024");

	s = document_text_extract(p, "application/pdf", 4096, 10);
	assert_non_null(s);
	assert_non_null(strstr(s, "attivit" A_GRAVE " dei servizi sociali"));
	assert_non_null(strstr(s, "Relazione sull"));
	assert_null(strstr(s, "  "));
	assert_null(strchr(s, '\f'));
	assert_true(valid_utf8(s, strlen(s)));
	free(s);

	/* Cut inside "à": "Relazione sull'attivit" is 22 bytes, à bytes 23-24. */
	s = document_text_extract(p, "application/pdf", 23, 10);
	assert_non_null(s);
	assert_true(strlen(s) <= 22);
	assert_true(valid_utf8(s, strlen(s)));
	free(s);
	assert_no_child();

	/* Not a PDF: pdftotext fails, and so do we. */
	write_file(f->dir, "finto.pdf", "%PDF-1.4 nothing here", (size_t)-1);
	path_of(p, sizeof(p), f->dir, "finto.pdf");
	check_fails(p, "application/pdf", 10);
}

static void
test_extract_odt(void **state)
{
	struct fixture *f = *state;

	make_zip(f->dir, "doc.odt",
		 "mimetype", ODT,
		 "content.xml",
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		 "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
		 " xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\">\n"
		 "  <office:automatic-styles><style:style style:name=\"P1\"/></office:automatic-styles>\n"
		 "  <office:body><office:text>\n"
		 "    <text:h text:outline-level=\"1\">Relazione sull&apos;attivit&#xE0;</text:h>\n"
		 "    <text:p>dei   servizi<text:s text:c=\"4\"/>sociali <!-- nota -->del Comune</text:p>\n"
		 "    <text:p>Citt" A_GRAVE " di Castello &amp; caff&#233;</text:p>\n"
		 "  </office:text></office:body>\n"
		 "</office:document-content>\n",
		 NULL);
	check_extract(f->dir, "doc.odt", ODT, 1000,
		      "Relazione sull'attivit" A_GRAVE "\ndei servizi sociali del Comune\n"
		      "Citt" A_GRAVE " di Castello & caff" E_ACUTE);
	/* The cut in the middle of the first "à" (bytes 22 and 23). */
	check_extract(f->dir, "doc.odt", ODT, 23, "Relazione sull'attivit");
	check_extract(f->dir, "doc.odt", ODT, 24, "Relazione sull'attivit" A_GRAVE);
	check_extract(f->dir, "doc.odt", ODT, 0, "");

	/* A spreadsheet: rows end lines. */
	make_zip(f->dir, "foglio.ods",
		 "content.xml",
		 "<office:document-content><office:body><office:spreadsheet><table:table>"
		 "<table:table-row><table:table-cell><text:p>Ente</text:p></table:table-cell>"
		 "<table:table-cell><text:p>Comune</text:p></table:table-cell></table:table-row>"
		 "<table:table-row><table:table-cell><text:p>Forl" "\xc3\xac" "</text:p></table:table-cell>"
		 "</table:table-row></table:table></office:spreadsheet></office:body>"
		 "</office:document-content>",
		 NULL);
	check_extract(f->dir, "foglio.ods", ODS, 1000, "Ente\nComune\nForl\xc3\xac");

	/* A package without content.xml has no text. */
	make_zip(f->dir, "vuoto.odt", "mimetype", ODT, NULL);
	check_extract(f->dir, "vuoto.odt", ODT, 1000, "");
}

static void
test_extract_docx(void **state)
{
	struct fixture *f = *state;

	make_zip(f->dir, "doc.docx",
		 "[Content_Types].xml", "<Types/>",
		 "word/document.xml",
		 "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
		 "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
		 "<w:body><w:p><w:r><w:t>Relazione sull</w:t></w:r><w:r><w:t>'attivit" A_GRAVE
		 "</w:t></w:r></w:p><w:p><w:r><w:t xml:space=\"preserve\">dei   servizi </w:t>"
		 "<w:tab/><w:t>sociali</w:t></w:r></w:p><w:sectPr><w:pgSz w:w=\"11906\"/></w:sectPr>"
		 "</w:body></w:document>",
		 NULL);
	check_extract(f->dir, "doc.docx", DOCX, 1000,
		      "Relazione sull'attivit" A_GRAVE "\ndei servizi\tsociali");
}

static void
test_extract_pptx_in_slide_order(void **state)
{
	struct fixture *f = *state;

	/* Archive order 10, 1, 2: the text must come out 1, 2, 10. */
	make_zip(f->dir, "pres.pptx",
		 "ppt/slides/slide10.xml", "<p:sld><a:p><a:r><a:t>dieci</a:t></a:r></a:p></p:sld>",
		 "ppt/slides/slide1.xml",
		 "<p:sld><a:p><a:r><a:t>Relazione sull'attivit" A_GRAVE "</a:t></a:r></a:p>"
		 "<a:p><a:r><a:t>primo</a:t></a:r></a:p></p:sld>",
		 "ppt/slides/_rels/slide1.xml.rels", "<Relationships><a:t>no</a:t></Relationships>",
		 "ppt/slides/slide2.xml", "<p:sld><a:p><a:r><a:t>due</a:t></a:r></a:p></p:sld>",
		 "ppt/slideLayouts/slideLayout1.xml", "<a:t>layout</a:t>",
		 "ppt/slides/slide3x.xml", "<a:t>falsa</a:t>",
		 NULL);
	check_extract(f->dir, "pres.pptx", PPTX, 1000,
		      "Relazione sull'attivit" A_GRAVE "\nprimo\ndue\ndieci");

	make_zip(f->dir, "vuota.pptx", "ppt/presentation.xml", "<p:presentation/>", NULL);
	check_extract(f->dir, "vuota.pptx", PPTX, 1000, "");
}

static void
test_extract_xlsx(void **state)
{
	struct fixture *f = *state;

	make_zip(f->dir, "foglio.xlsx",
		 "xl/sharedStrings.xml",
		 "<sst count=\"2\"><si><t>Servizi sociali</t></si><si><r><t>Citt</t></r>"
		 "<r><t>" A_GRAVE "</t></r></si></sst>",
		 "xl/worksheets/sheet1.xml", "<worksheet><v>42</v></worksheet>",
		 NULL);
	check_extract(f->dir, "foglio.xlsx", XLSX, 1000, "Servizi sociali\nCitt" A_GRAVE);
	/* Numbers only: no shared strings, no text. */
	make_zip(f->dir, "numeri.xlsx", "xl/worksheets/sheet1.xml", "<worksheet/>", NULL);
	check_extract(f->dir, "numeri.xlsx", XLSX, 1000, "");
}

static void
test_extract_text_files(void **state)
{
	static const char broken[] = "\xef\xbb\xbfRelazione\0sull'attivit" A_GRAVE " \xff\xfe dei\r\n\r\n"
				     "servizi\x01sociali\xc3";
	static const char csv[] = "Nome;Citt" A_GRAVE "\r\nMaria;Forl\xc3\xac\r\n";
	struct fixture *f = *state;

	write_file(f->dir, "rotto.txt", broken, sizeof(broken) - 1);
	check_extract(f->dir, "rotto.txt", "text/plain", 1000,
		      "Relazione sull'attivit" A_GRAVE " " FFFD FFFD " dei\nservizi sociali" FFFD);
	check_extract(f->dir, "rotto.txt", "text/plain; charset=unknown-8bit", 1000,
		      "Relazione sull'attivit" A_GRAVE " " FFFD FFFD " dei\nservizi sociali" FFFD);
	/* "Relazione sull'attivit" is 22 bytes: 23 cuts inside "à". */
	check_extract(f->dir, "rotto.txt", "text/plain", 23, "Relazione sull'attivit");
	check_extract(f->dir, "rotto.txt", "text/plain", 24, "Relazione sull'attivit" A_GRAVE);
	check_extract(f->dir, "rotto.txt", "text/plain", 0, "");

	write_file(f->dir, "dati.csv", csv, sizeof(csv) - 1);
	check_extract(f->dir, "dati.csv", "text/csv", 1000, "Nome;Citt" A_GRAVE "\nMaria;Forl\xc3\xac");

	write_file(f->dir, "vuoto.txt", "", 0);
	check_extract(f->dir, "vuoto.txt", "text/plain", 1000, "");
	write_file(f->dir, "spazi.txt", " \n\t\0 ", 5);
	check_extract(f->dir, "spazi.txt", "text/plain", 1000, "");
}

static void
test_extract_failures(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];

	path_of(p, sizeof(p), f->dir, "manca.txt");
	check_fails(p, "text/plain", 10);
	check_fails(f->dir, "text/plain", 10);	/* a directory */
	write_file(f->dir, "testo.odt", "non sono uno zip", (size_t)-1);
	path_of(p, sizeof(p), f->dir, "testo.odt");
	check_fails(p, ODT, 10);
	check_fails(p, "application/msword", 10);
	check_fails(p, "text/plain", 0);

	/* unzip would take the name as a pattern (and match other files). */
	make_zip(f->dir, "a1.odt", "content.xml", "<text:p>a</text:p>", NULL);
	make_zip(f->dir, "a[1].odt", "content.xml", "<text:p>b</text:p>", NULL);
	path_of(p, sizeof(p), f->dir, "a[1].odt");
	check_fails(p, ODT, 10);
	check_extract(f->dir, "a1.odt", ODT, 1000, "a");
}

static void
test_extract_path_starting_with_dash(void **state)
{
	struct fixture *f = *state;
	char pdf[PATH_MAX], *s;
	int cwd;

	/* Relative names starting with '-': not options, and "-" is not stdin. */
	make_zip(f->dir, "-p.odt", "content.xml", "<text:p>trattino</text:p>", NULL);
	write_file(f->dir, "-", "solo un trattino", (size_t)-1);
	path_of(pdf, sizeof(pdf), f->dir, "-.pdf");
	make_pdf(pdf, "Verbale", "");
	path_of(pdf, sizeof(pdf), f->dir, "-nopgbrk");
	make_pdf(pdf, "Opzione", "");
	assert_true((cwd = open(".", O_RDONLY | O_CLOEXEC)) != -1);
	assert_int_equal(chdir(f->dir), 0);
	s = document_text_extract("-p.odt", ODT, 1000, 10);
	assert_non_null(s);
	assert_string_equal(s, "trattino");
	free(s);
	s = document_text_extract("-", "text/plain", 1000, 10);
	assert_non_null(s);
	assert_string_equal(s, "solo un trattino");
	free(s);
	s = document_text_extract("-.pdf", "application/pdf", 1000, 10);
	assert_non_null(s);
	assert_string_equal(s, "Verbale");
	free(s);
	s = document_text_extract("-nopgbrk", "application/pdf", 1000, 10);
	assert_non_null(s);
	assert_string_equal(s, "Opzione");
	free(s);
	assert_int_equal(fchdir(cwd), 0);
	close(cwd);
	assert_no_child();
}

/* A tool that hangs: a fake unzip first in PATH. */
static void
test_extract_timeout(void **state)
{
	struct fixture *f = *state;
	char bin[PATH_MAX], p[PATH_MAX], *path, *old;
	struct timespec t0, t1;

	path_of(bin, sizeof(bin), f->dir, "bin");
	write_file(f->dir, "bin/unzip", "#!/bin/sh\nexec sleep 5\n", (size_t)-1);
	path_of(p, sizeof(p), bin, "unzip");
	assert_int_equal(chmod(p, 0755), 0);
	make_zip(f->dir, "lento.odt", "content.xml", "<text:p>a</text:p>", NULL);
	path_of(p, sizeof(p), f->dir, "lento.odt");

	old = strdup(getenv("PATH"));
	assert_non_null(old);
	assert_true(asprintf(&path, "%s:%s", bin, old) != -1);
	setenv("PATH", path, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	check_fails(p, ODT, 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	setenv("PATH", old, 1);
	assert_true(t1.tv_sec - t0.tv_sec < 3);
	free(path);
	free(old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_collapses_whitespace),
		cmocka_unit_test(test_clean_controls_and_nuls_become_spaces),
		cmocka_unit_test(test_clean_repairs_utf8),
		cmocka_unit_test(test_clean_cuts_on_character_boundary),
		cmocka_unit_test(test_xml_entities),
		cmocka_unit_test(test_xml_cdata_comments_and_declarations),
		cmocka_unit_test(test_xml_hostile_tags),
		cmocka_unit_test(test_xml_random_bytes_are_safe),
		cmocka_unit_test(test_xml_odf_structure),
		cmocka_unit_test(test_xml_ooxml_structure),
		cmocka_unit_test(test_tool_reads_output_and_status),
		cmocka_unit_test(test_tool_timeout_kills_and_reaps),
		cmocka_unit_test(test_tool_output_cap_kills),
		cmocka_unit_test(test_tool_missing_or_killed),
		cmocka_unit_test_setup_teardown(test_extract_pdf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extract_odt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extract_docx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extract_pptx_in_slide_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extract_xlsx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extract_text_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extract_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extract_path_starting_with_dash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extract_timeout, setup, teardown),
	};
	int rc;

	log_set_level(LOG_LEVEL_ERROR);	/* the failures are expected */
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unit_cairo_reset();
	return rc;
}
