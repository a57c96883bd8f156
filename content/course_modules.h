/*
 * course_modules.h - the course modules content refers to (a document, a
 * FAQ entry, a ticket about a module), as the choices of a select.
 * Read from the LMS's tables: content/ never includes courses/.
 */
#ifndef CONTENT_COURSE_MODULES_H
#define CONTENT_COURSE_MODULES_H

#include "compat.h"

#include "arena.h"

struct db;
struct tmpl_ctx;

/*
 * Adds to ctx's list "modules" one item per module (id, label "Course —
 * Modulo 2: Title", selected when its id is selected), in course and
 * module order; published_only leaves out the modules of unpublished
 * courses (for pages every member sees).  Returns 0, or -1 on a database
 * error (logged).
 */
int course_modules_fill(struct db *db, struct arena *a, struct tmpl_ctx *ctx, int64_t selected,
			bool published_only);

/*
 * 1 when module id exists (and, with published_only, its course is
 * published), 0 when not, -1 on a database error.
 */
int course_modules_exists(struct db *db, int64_t id, bool published_only);

#endif
