/*
 * md.c - Markdown rendering through discount (see md.h).
 */
#include "compat.h"

#include <string.h>

#include <mkdio.h>

#include "buf.h"
#include "log.h"
#include "md.h"

/*
 * NOHTML, SAFELINK, NOSTYLE and NOIMAGE are the safety set of SETUP-NOTES;
 * NO_EXT drops discount's pseudo-protocols (raw:, class:, id:, abbr:),
 * which would otherwise let a link write markup of its own; NODIVQUOTE
 * drops ">%class%" blocks (author-chosen class names).
 */
#define MD_FLAGS (MKD_NOHTML | MKD_SAFELINK | MKD_NOSTYLE | MKD_NOIMAGE | MKD_NO_EXT | \
		  MKD_NODIVQUOTE | MKD_FENCEDCODE | MKD_NOPANTS)

void
md_init(void)
{
	mkd_initialize();
}

int
md_render(const char *markdown, size_t len, struct buf *out)
{
	size_t start = out->len;
	MMIOT *doc = NULL;
	char *html = NULL;
	int n, rc = -1;

	if (len == 0)
		return 0;
	if (len > MD_MAX_INPUT) {
		log_warnx("markdown: input of %zu bytes is too long", len);
		return -1;
	}
	if (memchr(markdown, '\0', len) != NULL) {
		log_warnx("markdown: input holds a NUL byte");
		return -1;
	}
	if ((doc = mkd_string(markdown, (int)len, MD_FLAGS)) == NULL) {
		log_warnx("markdown: cannot read the input");
		goto out;
	}
	if (!mkd_compile(doc, MD_FLAGS) || (n = mkd_document(doc, &html)) < 0) {
		log_warnx("markdown: cannot render the input");
		goto out;
	}
	buf_add(out, html, (size_t)n);
	if (out->err) {
		log_warnx("markdown: output too large");
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		buf_truncate(out, start);
	if (doc != NULL)
		mkd_cleanup(doc);	/* frees html too: it points into doc */
	return rc;
}
