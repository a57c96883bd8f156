/*
 * certificate_pdf.h - the printable certificate: one A4 landscape PDF page
 * drawn with cairo, with the portal's emblem and a QR code (libqrencode)
 * of the certificate's verification URL.
 *
 * Pure rendering: no database, no HTTP, no signing (the PDF only shows the
 * code and the URL where the signed record can be checked).  Text is drawn
 * with cairo's toy API in "DejaVu Sans"; a holder or course name too wide
 * for the page is set smaller, down to a minimum size, then cut with "…".
 * Thread-safe: each call has its own cairo surface and context.
 */
#ifndef COURSES_CERTIFICATE_PDF_H
#define COURSES_CERTIFICATE_PDF_H

#include "compat.h"

#include "buf.h"

/* Page size in PostScript points: A4 landscape. */
#define CERTIFICATE_PDF_WIDTH 842.0
#define CERTIFICATE_PDF_HEIGHT 595.0

/*
 * What the certificate shows.  Every field but expires is required and
 * must be a non-empty, single-line UTF-8 string (valid_utf8(), without
 * tab, CR or LF).  The strings are only read during the call.
 */
struct certificate_pdf {
	const char *portal_name;	/* next to the emblem, and the PDF's creator */
	const char *holder;		/* "Maria Rossi" */
	const char *course;
	const char *level;		/* "Base", "Autonomo" */
	const char *issued;		/* already formatted: "26 novembre 2026" */
	const char *expires;		/* formatted likewise; NULL: no expiry */
	const char *code;		/* the certificate's short code */
	const char *verify_url;		/* absolute URL of /verify/{code}, put in the QR code */
};

/*
 * Appends the PDF of c to out.  Returns 0, or -1 (logged) if a field is
 * missing or not single-line UTF-8, the URL is too long for a QR code
 * (about 2300 bytes), cairo fails, or out passes its cap (or already had
 * its sticky err set).  On -1, out is truncated back to its length before
 * the call; its err stays set if the cap was the cause.
 */
int certificate_pdf_render(const struct certificate_pdf *c, struct buf *out);

#endif
