/*
 * org.h - organisations (enti) as pages show them; the SQL is in org_db.h.
 */
#ifndef PORTAL_ORG_H
#define PORTAL_ORG_H

#include "compat.h"

struct org_list;
struct tmpl_ctx;

/*
 * Fills the list "orgs" of ctx for an organisation <select>: one item per
 * organisation of orgs, in its order, with "id", "label" (the full path,
 * "Roma Capitale › Municipio I") and "selected" (true for the one whose id
 * is selected; pass 0 for none).  Items are appended to whatever "orgs"
 * already holds.  The labels are stored, not copied: they must outlive
 * ctx's arena (org_db_list() puts them in the request's arena).  Cannot
 * fail; allocation failure aborts.
 */
void org_options(struct tmpl_ctx *ctx, const struct org_list *orgs, int64_t selected);

#endif
