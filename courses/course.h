/*
 * course.h - the course pages and API: public catalogue, course page with
 * progress, lesson page with videos, enrolment and completion.
 *
 * Drafts (an unpublished course, or an unpublished lesson) answer 404 to
 * everyone but trainers, coordination and admins, so that they do not
 * leak their existence.
 *
 * Authoring, for formatore, coordinamento and admin: /gestione/corsi (all
 * courses, new course), /gestione/corsi/{id} (fields, publication, modules,
 * lessons, reordering), /gestione/lezioni/{id} (body, videos, revision
 * history with restore), and the API writes POST /api/v1/courses, PATCH
 * /api/v1/courses/{id}, POST /api/v1/courses/{id}/modules, POST
 * /api/v1/modules/{id}/lessons, PATCH /api/v1/lessons/{id}.
 */
#ifndef COURSES_COURSE_H
#define COURSES_COURSE_H

#include "compat.h"
#include "role.h"

struct config;
struct router;

/* Roles that see drafts and write courses. */
#define COURSE_STAFF (ROLE_FORMATORE | ROLE_COORDINAMENTO | ROLE_ADMIN)

/* Adds the course routes to r; the route tables are static, cfg is kept. */
void courses_register(struct router *r, const struct config *cfg);

/*
 * Starts the courses' own threads (the answer saves' batch) once the stop
 * signals are blocked and before http_start(); 0, or -1 (logged).
 */
int courses_start(const struct config *cfg);

/* Stops those threads and frees what the courses keep between requests
 * (the outline cache); after http_stop(). */
void courses_shutdown(void);

#endif
