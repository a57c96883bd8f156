/*
 * csv.h - CSV as Italian spreadsheets open it: UTF-8 with a byte order
 * mark (else Excel reads Windows-1252), ';' between fields (',' is the
 * decimal separator), CRLF after each row, RFC 4180 quoting.
 *
 * Cells are data, never formulas: a text cell starting with = + - @ or a
 * tab/CR gets a leading apostrophe, so a name such as "=HYPERLINK(...)"
 * typed by a user is shown, not run, when a coordinator opens the file.
 * Plain numbers ("-3", "4,5") are left as they are.
 */
#ifndef PORTAL_CSV_H
#define PORTAL_CSV_H

#include "compat.h"

#include "buf.h"

#define CSV_BOM "\xEF\xBB\xBF"

/* Appends one cell (NULL is an empty cell); first is true for a row's first cell. */
void csv_cell(struct buf *b, const char *s, bool first);

/* Ends the row. */
void csv_row_end(struct buf *b);

/* Appends a whole row of n cells and ends it. */
void csv_row(struct buf *b, const char *const *cells, int n);

#endif
