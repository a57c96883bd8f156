/*
 * seed.h - the demo course, read from Markdown files in the source tree.
 *
 * Layout under root/courses/demo/:
 *   course.md              "# Title", then the summary; lines "Destinatari: ...",
 *                          "Durata: 6 ore" and "Slug: ..." anywhere are fields
 *   NN-name/module.md      "# Title", then the module's description
 *   NN-name/NN-name.md     a lesson: "# Title", then header lines
 *                          "Durata: N minuti" and "Video: title | url | minutes",
 *                          a blank line, then the Markdown body
 * Folders and files are taken in name order.
 */
#ifndef COURSES_SEED_H
#define COURSES_SEED_H

#include "compat.h"

struct db;

/*
 * Creates the demo course, published, with its modules, lessons (bodies
 * rendered with md_render()) and videos, in one transaction; then, in its
 * own transaction, the cohort "Classe pilota – Roma Capitale" with the demo
 * operatore and referente and one live session per module.  Idempotent:
 * nothing happens when a course with the same slug (or the cohort)
 * exists, or when root/courses/demo/course.md does not exist.  Returns 0, or -1 on an
 * unreadable or malformed file (logged as "path:line: reason") or a
 * database error; nothing is then stored.
 */
int courses_seed_demo(struct db *db, const char *root);

#endif
