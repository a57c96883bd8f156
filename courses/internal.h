/*
 * internal.h - what the course pages (course.c) and the authoring
 * (course_edit.c) share; not for other features.
 */
#ifndef COURSES_INTERNAL_H
#define COURSES_INTERNAL_H

#include "compat.h"

#include "course_db.h"
#include "json.h"
#include "valid.h"

#define FIELD_COURSE_ID { "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Corso" }
#define FIELD_LESSON_ID { "lesson", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Lezione" }

/*
 * Writes a course as member key (NULL in arrays); detail adds modules and
 * lessons, and each module's materials when c->materials (they are loaded
 * for signed-in callers only).
 */
void course_json(struct json_writer *w, const char *key, const struct course *c, bool detail);

/*
 * The PeerTube instances lessons may embed (config peertube_hosts,
 * NULL-terminated), or NULL before courses_register(); owned by the
 * configuration, valid while the server runs.
 */
const char *const *course_peertube_hosts(void);

/* The Italian label of a module_materials.kind ("Manuale"...); "Altro" if unknown. */
const char *course_material_label(const char *kind);

#endif
