/*
 * video.h - what a lesson's video URL may become in a page.
 *
 * Only these frame origins are ever embedded, and the CSP allows exactly
 * those: https://www.youtube-nocookie.com, https://player.vimeo.com and
 * https://HOST for each PeerTube instance of the configuration
 * (peertube_hosts, passed in by the caller: this file keeps no state).
 * A direct https .mp4/.webm file plays in an HTML5 <video> (media-src
 * https:).  Anything else is shown as a plain link, never embedded.  Pure
 * functions, thread-safe, no allocation.
 */
#ifndef COURSES_VIDEO_H
#define COURSES_VIDEO_H

#include "compat.h"

enum video_kind {
	VIDEO_YOUTUBE,	/* embed https://www.youtube-nocookie.com/embed/ID */
	VIDEO_VIMEO,	/* embed https://player.vimeo.com/video/NNN */
	VIDEO_PEERTUBE,	/* embed https://HOST/videos/embed/ID, HOST configured */
	VIDEO_FILE,	/* <video src=url>: an https URL whose path ends in .mp4 or .webm */
	VIDEO_LINK,	/* a plain link (every other site) */
};

#define VIDEO_URL_MAX 2000	/* longest URL accepted, in bytes */
#define VIDEO_HOST_MAX 253	/* longest host name of a PeerTube instance */
/* Room for the longest embed URL built here, NUL included:
 * "https://" HOST "/videos/embed/" UUID. */
#define VIDEO_EMBED_MAX (8 + VIDEO_HOST_MAX + 14 + 36 + 1)

struct video_info {
	enum video_kind kind;
	char embed_url[VIDEO_EMBED_MAX];	/* YOUTUBE, VIMEO and PEERTUBE; "" otherwise */
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

/*
 * video_classify(), also recognising PeerTube videos of the instances in
 * peertube_hosts (lower-case host names, NULL-terminated; NULL means none):
 * https://HOST/w/ID with a 22-character base58 short id, and
 * https://HOST/videos/watch/UUID or /videos/embed/UUID with a 36-character
 * UUID, HOST matching a listed name exactly (any case; user info, a port
 * or another host make it a plain link).  The embed URL is
 * https://HOST/videos/embed/ID with the listed spelling of HOST.
 */
int video_classify_hosts(const char *url, const char *const *peertube_hosts,
			 struct video_info *out);

/* The name stored in lesson_videos.kind: "youtube", "vimeo", "peertube", "file" or "link". */
const char *video_kind_name(enum video_kind kind);

/* The kind for a stored name; VIDEO_LINK for anything unknown (never embeds). */
enum video_kind video_kind_from_name(const char *name);

/*
 * Whether a learner's page can tell that a video of this kind was played
 * to its end: HTML5 'ended' for files, the players' postMessage APIs for
 * YouTube and Vimeo.  False for plain links and for PeerTube (its embed
 * API speaks jschannel, with a handshake lesson-progress.js does not
 * implement), which automatic completion therefore does not wait for.
 */
bool video_kind_observable(enum video_kind kind);

#endif
