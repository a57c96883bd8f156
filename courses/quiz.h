/*
 * quiz.h - the final tests of modules: the learner's pages and API.
 *
 * An attempt lives on the server (courses/sql/0008_quizzes.sql): starting
 * draws and orders its questions once, each answer is saved as it is
 * given (the question pages, or PUT /api/v1/attempts/{id}/answers/{q}),
 * and submitting grades it once, however many times it is sent.  The
 * deadline is the database's clock: a save after it is refused, and an
 * attempt left open past it is graded, with what was saved, the next time
 * anyone opens it or its quiz.  Attempts are visible to their learner
 * only (404 to anyone else).  Right answers, correctness and feedback
 * reach the browser only when the quiz's review settings allow.
 *
 * Pages: /test/{quiz} (the test, the learner's attempts and grade),
 * POST /test/{quiz}/tentativi (start or resume), /tentativi/{id} (summary
 * while open, review once submitted), /tentativi/{id}/domande/{n} (one
 * question; POST saves it), POST /tentativi/{id}/consegna.
 * API: GET /api/v1/modules/{id}/quiz, POST /api/v1/quizzes/{id}/attempts,
 * GET /api/v1/attempts/{id}, PUT /api/v1/attempts/{id}/answers/{question},
 * POST /api/v1/attempts/{id}/submit.
 */
#ifndef COURSES_QUIZ_H
#define COURSES_QUIZ_H

#include "compat.h"

struct course;
struct course_test_state;
struct router;
struct tmpl_ctx;
struct request;

/*
 * Grades again every submitted attempt of quiz_id with its questions'
 * current keys (after a trainer fixed one), each attempt in a transaction
 * of its own, and rewrites the learners' grades (a course completed or a
 * certificate issued stays).  *attempts counts those regraded, *changed
 * those whose score moved.  Returns 0, or -1 on a database error.
 */
int quiz_regrade(struct request *req, int64_t quiz_id, int *attempts, int *changed);

/* Adds the quiz routes to r (static tables). */
void quiz_register(struct router *r);

/*
 * The thread that commits the answer saves of many learners together
 * (portal/batch.h): started before the server takes requests, stopped
 * after it took the last one.  0, or -1 when it cannot start.
 */
int quiz_saves_start(const char *conninfo);
void quiz_saves_stop(void);

/*
 * Sets "tests" in ctx, the course page's list of c's final tests with the
 * user's grades (tests, from course_db_learner_state(): module position and
 * title, url, state text), "has_tests", and "tests_passed" when they are
 * all passed.
 */
void quiz_course_fill(struct tmpl_ctx *ctx, const struct course *c, const struct course_test_state *tests,
		      int n);

#endif
