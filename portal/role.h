/*
 * role.h - the one place for roles: the ROLE_* bits a user holds, the
 * values a route's roles take, and the role names as stored (text[] in
 * users.roles) and shown.
 */
#ifndef PORTAL_ROLE_H
#define PORTAL_ROLE_H

#include "compat.h"

#include "buf.h"

/*
 * Roles, several per user; a route admits a user holding any of its roles.
 * Bit i is role i of role.c's table, so ROLE_COUNT follows the last bit.
 */
enum role {
	ROLE_OPERATORE = 1 << 0,
	ROLE_REFERENTE = 1 << 1,
	ROLE_TUTOR = 1 << 2,
	ROLE_FORMATORE = 1 << 3,
	ROLE_HELPDESK1 = 1 << 4,
	ROLE_HELPDESK2 = 1 << 5,
	ROLE_COORDINAMENTO = 1 << 6,
	ROLE_ADMIN = 1 << 7,	/* the last role: keep ROLE_COUNT in step */
};
#define ROLE_COUNT 8
#define ROLE_ALL ((1u << ROLE_COUNT) - 1)	/* every role bit */

/* Who may call a route (struct route's roles): ROLE_PUBLIC = everyone,
 * ROLE_MEMBER = any signed-in user, else a user holding any of the
 * ROLE_* bits.  ROLE_MEMBER is the bit after the last role. */
#define ROLE_PUBLIC 0u
#define ROLE_MEMBER (1u << ROLE_COUNT)

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
