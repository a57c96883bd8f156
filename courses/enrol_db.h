/*
 * enrol_db.h - enrolment of many people at once: the SQL behind enrol.c.
 */
#ifndef COURSES_ENROL_DB_H
#define COURSES_ENROL_DB_H

#include "compat.h"

#include "db.h"

/* The id of the active account with email (case-insensitive), 0 if none, -1 on error. */
int64_t enrol_db_user_by_email(struct db *db, const char *email);

/*
 * Enrols every active member of org_id (and of its sub-organisations when
 * subtree) in course_id.  Returns how many were newly enrolled (those
 * already enrolled are left alone), or -1.
 */
int64_t enrol_db_org(struct db *db, int64_t course_id, int64_t org_id, bool subtree);

/* Enrols user_id; 1 when newly enrolled, 0 when already, -1 on error. */
int enrol_db_user(struct db *db, int64_t course_id, int64_t user_id);

/* How many people are enrolled in course_id, or -1. */
int64_t enrol_db_count(struct db *db, int64_t course_id);

#endif
