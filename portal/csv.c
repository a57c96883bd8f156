/*
 * csv.c - CSV cells for spreadsheets (see csv.h).
 */
#include "compat.h"

#include <string.h>

#include "csv.h"

/* "-3", "12", "4,5", "0.25": a number a spreadsheet may compute with. */
static bool
csv_is_number(const char *s)
{
	bool digits = false, sep = false;

	if (*s == '-' || *s == '+')
		s++;
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			digits = true;
		else if ((*s == ',' || *s == '.') && digits && !sep)
			sep = true;
		else
			return false;
	}
	return digits && s[-1] != ',' && s[-1] != '.';
}

void
csv_cell(struct buf *b, const char *s, bool first)
{
	bool formula;

	if (!first)
		buf_addch(b, ';');
	if (s == NULL || *s == '\0')
		return;
	formula = strchr("=+-@\t\r", *s) != NULL && !csv_is_number(s);
	if (!formula && strpbrk(s, ";\"\r\n") == NULL) {
		buf_adds(b, s);
		return;
	}
	buf_addch(b, '"');
	if (formula)
		buf_addch(b, '\'');
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '"')
			buf_addch(b, '"');
		buf_addch(b, *p);
	}
	buf_addch(b, '"');
}

void
csv_row_end(struct buf *b)
{
	buf_add(b, "\r\n", 2);
}

void
csv_row(struct buf *b, const char *const *cells, int n)
{
	for (int i = 0; i < n; i++)
		csv_cell(b, cells[i], i == 0);
	csv_row_end(b);
}
