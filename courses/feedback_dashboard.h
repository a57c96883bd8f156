/*
 * feedback_dashboard.h - the coordination dashboard of feedback rounds.
 *
 * Pages (coordinamento and admin; formatore reads them, without the
 * forms; anyone else 403):
 *   GET  /gestione/segnalazioni                     the rounds, with how many answered
 *   GET  /gestione/segnalazioni/{round}             status, charts, aggregates, texts,
 *                                                   final-test figures, actions
 *   GET  /gestione/segnalazioni/{round}/csv/{table} one table as CSV (UTF-8 BOM, ';'):
 *        stato, comprensione, domande, scelte, testi, enti, test, azioni
 *   GET  /gestione/segnalazioni/{round}/report.pdf  the round's A4 report (cairo)
 *   POST /gestione/segnalazioni/{round}/promemoria/{org}
 *                                                   mails the referents of a late
 *                                                   organisation (audited)
 *   POST /gestione/segnalazioni/{round}/azioni      adds an action on a finding
 *   POST /gestione/segnalazioni/{round}/azioni/{id} marks it done, or open again
 * API: GET /api/v1/feedback/rounds/{id}/summary, the aggregates as JSON.
 */
#ifndef COURSES_FEEDBACK_DASHBOARD_H
#define COURSES_FEEDBACK_DASHBOARD_H

#include "compat.h"

struct config;
struct router;

/* Adds the routes to r and keeps cfg (base URL for mail links, portal name); at start-up only. */
void feedback_dashboard_register(struct router *r, const struct config *cfg);

#endif
