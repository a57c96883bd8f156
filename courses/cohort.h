/*
 * cohort.h - cohorts (classi) of a course and their calendar
 * (cronoprogramma): trainer pages, the learner's calendar page and the
 * iCalendar feeds.
 *
 * Trainers (COURSE_STAFF): /gestione/corsi/{id}/classi lists and creates
 * cohorts; /gestione/classi/{id} adds members by email (all or none),
 * sessions per module (date and time in Europe/Rome) and, once a session
 * has started, its recording.  Learners: /corsi/{id}/calendario lists the
 * sessions of their cohorts of that course.  Feeds: GET
 * /api/v1/cohorts/{id}/calendar.ics (members and staff; 404 for anyone
 * else, so cohorts do not leak) and GET /calendario.ics (every session of
 * the signed-in user's cohorts).  Links are http(s) only, checked with
 * html_url_is_web() (portal/html.h).
 */
#ifndef COURSES_COHORT_H
#define COURSES_COHORT_H

#include "compat.h"

struct router;

/* Adds the cohort routes (static tables); called by courses_register(). */
void cohort_register(struct router *r);

#endif
