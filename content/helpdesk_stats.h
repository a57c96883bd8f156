/*
 * helpdesk_stats.h - the help desk's coordination dashboard:
 * /gestione/assistenza/statistiche (coordinamento and admin; a tutor
 * sees it filtered to their organisation: their periodic report), one
 * CSV export per table, and GET /api/v1/helpdesk/stats (JSON).
 *
 * Figures over a period (default: the last 12 weeks, Europe/Rome):
 * tickets opened and resolved per week (by the date of each event);
 * for the tickets opened in the period, per category, level and
 * organisation: opened, resolved, escalated; each level's median
 * first-response and resolution (or hand-over) time in working minutes
 * (content/sla.h: the configured calendar, waiting periods excluded),
 * and how many met their category's target (sla_targets); the
 * escalation rate; the satisfaction ratings; the modules that generate
 * most tickets.  Reads helper tables of 0018_helpdesk.sql, writes none.
 */
#ifndef CONTENT_HELPDESK_STATS_H
#define CONTENT_HELPDESK_STATS_H

#include "compat.h"

struct router;

/* Adds the routes; before the server starts. */
void helpdesk_stats_register(struct router *r);

#endif
