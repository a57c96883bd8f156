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

struct request;

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

/*
 * True if url may be a video's captions (a WebVTT file in a <track src>):
 * an https URL that passes html_url_is_web(), as lesson_videos.captions_url
 * requires.  NULL and "" are false.
 */
bool course_captions_ok(const char *url);

/* How course_video_json() writes a video. */
enum course_video_view {
	/* As saved, for the authoring API: stored kind and embed_url, the
	 * transcript's Markdown (transcript_md) and the captions as typed. */
	COURSE_VIDEO_STORED,
	/* As the lesson page shows it to req's user: kind and embed_url
	 * classified again with the current PeerTube hosts, captions only for
	 * a file that passes course_captions_ok(), and counts_for_completion. */
	COURSE_VIDEO_SHOWN,
};

/*
 * Writes video v, number position (1-based) in its lesson, as an element
 * of the array open in w.  req gives the arena for the embed URL and the
 * configuration (COURSE_VIDEO_SHOWN only).  Errors go to w's buffer, as
 * for every json_ call.
 */
void course_video_json(struct json_writer *w, const struct course_video *v, int position,
		       enum course_video_view view, struct request *req);

/* The Italian label of a module_materials.kind ("Manuale"...); "Altro" if unknown. */
const char *course_material_label(const char *kind);

#endif
