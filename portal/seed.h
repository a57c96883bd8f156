/*
 * seed.h - demo content: the administrations of DOMAIN.md and one account per role.
 */
#ifndef PORTAL_SEED_H
#define PORTAL_SEED_H

#include "compat.h"

struct db;

/*
 * Idempotent.  Demo passwords are generated here, never fixed in the code,
 * and written with the accounts to var_dir/demo-accounts.txt (mode 0600,
 * lines "role<TAB>email<TAB>password"); an account already listed there
 * keeps its password.  Returns -1 on any failure (logged).
 */
int seed_demo(struct db *db, const char *var_dir);

#endif
