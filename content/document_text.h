/*
 * document_text.h - the text inside an uploaded document, for search.
 *
 * PDF goes through poppler's pdftotext, OpenDocument and Office Open XML
 * through unzip and an XML stripper written here, plain text and CSV are
 * read as they are.  The tools run as child processes (fork + execvp, no
 * shell) with a time limit and a cap on what they write, so a hostile file
 * costs at most timeout_s seconds and 64 MiB of memory.
 *
 * Thread-safe: nothing global is touched, and the child resets the signal
 * mask and dispositions the portal's threads set.  Needs pdftotext and
 * unzip in PATH.
 */
#ifndef CONTENT_DOCUMENT_TEXT_H
#define CONTENT_DOCUMENT_TEXT_H

#include "compat.h"

/* Cap on what one tool may write, and on what is read of a text file. */
#define DOCUMENT_TEXT_TOOL_MAX ((size_t)64 << 20)

/*
 * The text of the file at path, of MIME type type (one of the types below;
 * parameters after ';' are ignored), as malloc'd NUL-terminated valid UTF-8
 * that the caller frees:
 *   - invalid bytes are replaced by U+FFFD, one per byte;
 *   - NULs and control characters (C0, DEL, C1) other than \n and \t are
 *     turned into spaces; a leading byte order mark is dropped;
 *   - each run of whitespace becomes one "\n" if it holds a line break,
 *     else one "\t" if it holds a tab, else one " "; none is left at
 *     either end;
 *   - the result is cut to at most max bytes on a character boundary
 *     (max 0 gives "").
 * "" when the file has no text (also an OOXML/ODF package without the part
 * that holds it).
 *
 * Types: application/pdf; application/vnd.oasis.opendocument.text,
 * .spreadsheet, .presentation; application/vnd.openxmlformats-officedocument.
 * wordprocessingml.document, .spreadsheetml.sheet, .presentationml.presentation;
 * text/plain and text/csv (only their first DOCUMENT_TEXT_TOOL_MAX bytes).
 *
 * timeout_s (> 0) bounds the whole extraction, every tool run included.
 * Returns NULL on failure, logged with log_warnx: unknown type, file
 * missing or not a regular file, tool missing, failed, killed, timed out,
 * or writing more than DOCUMENT_TEXT_TOOL_MAX bytes, and (for the packages)
 * a path holding one of * ? [ ] \ which unzip would take as a pattern.
 */
char *document_text_extract(const char *path, const char *type, size_t max, int timeout_s);

/*
 * A PNG picture of the file, for previews: the first page of a PDF drawn
 * by pdftoppm to fit max_px, or the thumbnail an OpenDocument file carries
 * (Thumbnails/thumbnail.png).  0 with the malloc'd bytes in *png, *len;
 * 1 when the type (or the file) has none; -1 on failure (logged).
 */
int document_text_preview(const char *path, const char *type, int max_px, int timeout_s,
			  char **png, size_t *len);

#endif
