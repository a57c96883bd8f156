/*
 * quiz_edit.h - what trainers do with final tests: the question bank of
 * each module, the test's settings and draws, the statistics of its
 * questions (facility, discrimination) with a CSV export, and a regrade
 * after a key is fixed.  For formatore, coordinamento and admin.
 *
 * A question already held by an attempt keeps the shape of its key (its
 * kind and number of choices or pairs, a matching question's options):
 * texts and the right answers may change, so a fixed key can be regraded,
 * but no stored answer can point at a choice that no longer exists.
 *
 * Pages: /gestione/moduli/{id}/test (settings, draws, bank, new
 * question), /gestione/domande/{id} (edit, retire), /gestione/test/{id}/
 * statistiche (and .csv), POST /gestione/test/{id}/ricalcola.
 * API: GET/POST /api/v1/modules/{id}/questions, PATCH/DELETE
 * /api/v1/questions/{id}, PUT /api/v1/modules/{id}/quiz, GET
 * /api/v1/quizzes/{id}/statistics, POST /api/v1/quizzes/{id}/regrade.
 */
#ifndef COURSES_QUIZ_EDIT_H
#define COURSES_QUIZ_EDIT_H

#include "compat.h"

struct router;

/* Adds the routes to r (static tables). */
void quiz_edit_register(struct router *r);

#endif
