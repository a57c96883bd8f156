/*
 * certificate_level.h - trainers define a course's certification levels:
 * "final_tests" (every final test passed: the first cycle, e.g. "Base")
 * or "verification" (a verification test that opens some days after the
 * level below, e.g. "Autonomo"), each with an optional validity.  A
 * verification level's test is edited like a final test
 * (/gestione/livelli/{id}/test, quiz_edit.h).  For formatore,
 * coordinamento and admin.
 *
 * Pages: /gestione/corsi/{id}/livelli (list, add), POST
 * /gestione/livelli/{id} (rename, days).  API: GET/POST
 * /api/v1/courses/{id}/levels, PATCH /api/v1/levels/{id}.
 */
#ifndef COURSES_CERTIFICATE_LEVEL_H
#define COURSES_CERTIFICATE_LEVEL_H

#include "compat.h"

struct router;

/* Adds the routes to r (static tables). */
void certificate_level_register(struct router *r);

#endif
