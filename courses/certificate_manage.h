/*
 * certificate_manage.h - coordination's pages for certificates:
 * /gestione/attestati (grant a level to a person by email, with a
 * written reason; the latest certificates) and /gestione/attestati/{code}
 * (one certificate; revoke it with a written reason).  Both decisions are
 * audited (certificate.h).  For coordinamento and admin.
 */
#ifndef COURSES_CERTIFICATE_MANAGE_H
#define COURSES_CERTIFICATE_MANAGE_H

#include "compat.h"

struct router;

/* Adds the routes to r (static tables). */
void certificate_manage_register(struct router *r);

#endif
