/*
 * progress.h - learners' progress across people: /avanzamento (table with
 * filters), /avanzamento.csv (the same rows, streamed) and
 * GET /api/v1/courses/{id}/progress.
 *
 * Who sees whom: trainers, coordination and admins see every learner; a
 * referent (referente) only the people of their organisation and its
 * sub-organisations, whatever the filters ask; a referent without an
 * organisation sees nothing (403).
 */
#ifndef COURSES_PROGRESS_H
#define COURSES_PROGRESS_H

#include "compat.h"

struct config;
struct router;

/* Adds the routes; cfg (kept) gives the database for streamed exports. */
void progress_register(struct router *r, const struct config *cfg);

#endif
