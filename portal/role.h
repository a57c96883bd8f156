/*
 * role.h - the role names as stored (text[] in users.roles) and shown.
 */
#ifndef PORTAL_ROLE_H
#define PORTAL_ROLE_H

#include "compat.h"

#include "buf.h"

#define ROLE_COUNT 8

/* Stored name ("referente") and Italian label ("Referente pilota") of bit i (0..ROLE_COUNT-1). */
const char *role_name(int i);
const char *role_label(int i);

/* The ROLE_* bit for a stored name, or 0 if unknown. */
unsigned role_from_name(const char *name);

/*
 * Parses a PostgreSQL text[] literal such as "{operatore,admin}" into
 * ROLE_* bits; unknown names are ignored (the column's CHECK forbids them).
 */
unsigned role_parse_array(const char *literal);

/* Appends the text[] literal of mask, e.g. "{operatore,admin}". */
void role_format_array(unsigned mask, struct buf *out);

#endif
