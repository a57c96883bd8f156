/*
 * course.h - the course pages and API: public catalogue, course page with
 * progress, lesson page with videos, enrolment and completion.
 *
 * Drafts (an unpublished course, or an unpublished lesson) answer 404 to
 * everyone but trainers, coordination and admins, so that they do not
 * leak their existence.
 */
#ifndef COURSES_COURSE_H
#define COURSES_COURSE_H

#include "compat.h"

struct config;
struct router;

/* Adds the course routes to r; the route tables are static, cfg is kept. */
void courses_register(struct router *r, const struct config *cfg);

#endif
