/*
 * course_edit.h - trainer authoring of courses: /gestione pages and the
 * API writes (formatore, coordinamento, admin).
 */
#ifndef COURSES_COURSE_EDIT_H
#define COURSES_COURSE_EDIT_H

#include "compat.h"

struct router;

/* Adds the authoring routes; called by courses_register(). */
void course_edit_register(struct router *r);

#endif
