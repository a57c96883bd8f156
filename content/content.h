/*
 * content.h - the community feature (content/): the reserved document area
 * and the communication kit.  Depends on the core only.
 */
#ifndef CONTENT_CONTENT_H
#define CONTENT_CONTENT_H

#include "compat.h"

struct config;
struct db;
struct router;

/* Adds the feature's routes and jobs; before the server and the mail sender start. */
void content_register(struct router *r, const struct config *cfg);

/*
 * Loads the communication kit's default files (cfg->assets_dir/kit, made
 * by scripts/kit.sh) as public documents of the kit folder, each slot
 * once: a slot an administrator replaced or deleted is left alone.
 * Needs blob_init().  0, or -1 (logged).
 */
int content_seed_demo(struct db *db, const struct config *cfg);

#endif
