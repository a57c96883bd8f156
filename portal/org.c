/*
 * org.c - organisations as pages show them (see org.h).
 */
#include "compat.h"

#include "org.h"
#include "org_db.h"
#include "tmpl.h"

void
org_options(struct tmpl_ctx *ctx, const struct org_list *orgs, int64_t selected)
{
	for (int i = 0; i < orgs->count; i++) {
		struct tmpl_ctx *o = tmpl_list_add(ctx, "orgs");
		tmpl_set_int(o, "id", orgs->items[i].id);
		tmpl_set(o, "label", orgs->items[i].path);
		tmpl_set_bool(o, "selected", orgs->items[i].id == selected);
	}
}
