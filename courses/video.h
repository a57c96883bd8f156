/*
 * video.h - what a lesson's video URL may become in a page.
 *
 * Only two frame origins are ever embedded, and the CSP allows exactly
 * those (frame-src https://www.youtube-nocookie.com https://player.vimeo.com);
 * a direct https .mp4/.webm file plays in an HTML5 <video> (media-src https:).
 * Anything else is shown as a plain link, never embedded.  Pure functions,
 * thread-safe, no allocation.
 */
#ifndef COURSES_VIDEO_H
#define COURSES_VIDEO_H

#include "compat.h"

enum video_kind {
	VIDEO_YOUTUBE,	/* embed https://www.youtube-nocookie.com/embed/ID */
	VIDEO_VIMEO,	/* embed https://player.vimeo.com/video/NNN */
	VIDEO_FILE,	/* <video src=url>: an https URL whose path ends in .mp4 or .webm */
	VIDEO_LINK,	/* a plain link (PeerTube and every other site) */
};

#define VIDEO_URL_MAX 2000	/* longest URL accepted, in bytes */
#define VIDEO_EMBED_MAX 64	/* room for the longest embed URL built here, NUL included */

struct video_info {
	enum video_kind kind;
	char embed_url[VIDEO_EMBED_MAX];	/* YOUTUBE and VIMEO; "" otherwise */
};

/*
 * Classifies url.  Recognised: http(s) URLs of youtube.com (also www. and
 * m.) /watch?v=ID or /embed/ID, youtu.be/ID, with ID of exactly 11
 * [A-Za-z0-9_-]; vimeo.com (also www.) /NNN with 1-12 digits; https URLs
 * whose path ends in .mp4 or .webm (any case).  Returns 0 and fills *out,
 * or -1 when url is NULL, longer than VIDEO_URL_MAX, or not safe even as a
 * link (html_url_is_safe() false, or a relative or mailto: URL).
 */
int video_classify(const char *url, struct video_info *out);

/* The name stored in lesson_videos.kind: "youtube", "vimeo", "file" or "link". */
const char *video_kind_name(enum video_kind kind);

/* The kind for a stored name; VIDEO_LINK for anything unknown (never embeds). */
enum video_kind video_kind_from_name(const char *name);

#endif
