/*
 * video.c - classification of video URLs (see video.h).
 *
 * The URL is split by hand into scheme, host and path: only exact host
 * names are trusted, so "youtube.com.evil.example" or "evil.example/youtube.com"
 * fall through to a plain link.  A URL with user info ("a@host") or a port
 * is never embedded either.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "video.h"

static const char *const video_names[] = { "youtube", "vimeo", "peertube", "file", "link" };

const char *
video_kind_name(enum video_kind kind)
{
	return video_names[kind];
}

enum video_kind
video_kind_from_name(const char *name)
{
	for (size_t i = 0; name != NULL && i < ARRAY_SIZE(video_names); i++)
		if (strcmp(name, video_names[i]) == 0)
			return (enum video_kind)i;
	return VIDEO_LINK;
}

bool
video_kind_observable(enum video_kind kind)
{
	return kind == VIDEO_YOUTUBE || kind == VIDEO_VIMEO || kind == VIDEO_FILE;
}

/* The parts of an absolute http(s) URL, pointing into it. */
struct video_url {
	bool https;
	const char *host;
	size_t hostlen;
	const char *path;	/* from the '/' after the host, or "" */
	size_t pathlen;		/* up to '?' or '#' */
	const char *query;	/* after '?', up to '#'; NULL if none */
	size_t querylen;
};

/*
 * Splits url.  Returns 0 for http(s)://host[/path][?query][#fragment],
 * 1 for an http(s) URL with user info or a port (a link, never an
 * embed), -1 for anything else (no scheme, no host).
 */
static int
video_split(const char *url, struct video_url *u)
{
	const char *p;

	if (strncasecmp(url, "https://", 8) == 0) {
		u->https = true;
		p = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		u->https = false;
		p = url + 7;
	} else {
		return -1;
	}
	u->host = p;
	u->hostlen = strcspn(p, "/?#");
	if (u->hostlen == 0)
		return -1;
	/* User info or a port: a host name only, or no embedding. */
	if (memchr(u->host, '@', u->hostlen) || memchr(u->host, ':', u->hostlen))
		return 1;
	p += u->hostlen;
	u->path = p;
	u->pathlen = strcspn(p, "?#");
	p += u->pathlen;
	u->query = NULL;
	u->querylen = 0;
	if (*p == '?') {
		u->query = p + 1;
		u->querylen = strcspn(u->query, "#");
	}
	return 0;
}

static bool
video_host_is(const struct video_url *u, const char *host)
{
	return strlen(host) == u->hostlen && strncasecmp(u->host, host, u->hostlen) == 0;
}

/* True if s[0..n) is a YouTube id: exactly 11 of [A-Za-z0-9_-]. */
static bool
video_youtube_id(const char *s, size_t n)
{
	if (n != 11)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/* The value of parameter name in query (not decoded), or NULL; *len its length. */
static const char *
video_query_param(const struct video_url *u, const char *name, size_t *len)
{
	size_t nlen = strlen(name);
	const char *p = u->query, *end = u->query + u->querylen;

	while (p != NULL && p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		if ((size_t)(stop - p) > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			*len = (size_t)(stop - p) - nlen - 1;
			return p + nlen + 1;
		}
		p = amp ? amp + 1 : end;
	}
	return NULL;
}

static bool
video_youtube(const struct video_url *u, struct video_info *out)
{
	const char *id = NULL;
	size_t idlen = 0;

	if (video_host_is(u, "youtu.be")) {
		id = u->path + 1;
		idlen = u->pathlen > 0 ? u->pathlen - 1 : 0;
	} else if (video_host_is(u, "youtube.com") || video_host_is(u, "www.youtube.com") ||
		   video_host_is(u, "m.youtube.com")) {
		if (u->pathlen == 6 && strncmp(u->path, "/watch", 6) == 0)
			id = video_query_param(u, "v", &idlen);
		else if (u->pathlen > 7 && strncmp(u->path, "/embed/", 7) == 0) {
			id = u->path + 7;
			idlen = u->pathlen - 7;
		}
	}
	if (id == NULL || !video_youtube_id(id, idlen))
		return false;
	out->kind = VIDEO_YOUTUBE;
	snprintf(out->embed_url, sizeof(out->embed_url), "https://www.youtube-nocookie.com/embed/%.*s",
		 (int)idlen, id);
	return true;
}

static bool
video_vimeo(const struct video_url *u, struct video_info *out)
{
	size_t n;

	if (!video_host_is(u, "vimeo.com") && !video_host_is(u, "www.vimeo.com"))
		return false;
	if (u->pathlen < 2 || u->path[0] != '/')
		return false;
	n = strspn(u->path + 1, "0123456789");
	if (n == 0 || n > 12 || n != u->pathlen - 1)
		return false;
	out->kind = VIDEO_VIMEO;
	snprintf(out->embed_url, sizeof(out->embed_url), "https://player.vimeo.com/video/%.*s",
		 (int)n, u->path + 1);
	return true;
}

/* True if s[0..n) is a PeerTube short id: exactly 22 base58 characters. */
static bool
video_peertube_short_id(const char *s, size_t n)
{
	static const char base58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

	if (n != 22)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(base58, s[i]) == NULL)
			return false;
	return true;
}

/* True if s[0..n) is a UUID: 8-4-4-4-12 hexadecimal digits. */
static bool
video_uuid(const char *s, size_t n)
{
	if (n != 36)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
					   (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	}
	return true;
}

/* True if the path is prefix followed by an id that ok() accepts; *id, *idlen that id. */
static bool
video_path_id(const struct video_url *u, const char *prefix, bool (*ok)(const char *, size_t),
	      const char **id, size_t *idlen)
{
	size_t n = strlen(prefix);

	if (u->pathlen <= n || strncmp(u->path, prefix, n) != 0 || !ok(u->path + n, u->pathlen - n))
		return false;
	*id = u->path + n;
	*idlen = u->pathlen - n;
	return true;
}

static bool
video_peertube(const struct video_url *u, const char *const *hosts, struct video_info *out)
{
	const char *host = NULL, *id;
	size_t idlen;

	/* The frame origin is https://HOST in the CSP: never plain http. */
	if (!u->https || hosts == NULL)
		return false;
	for (size_t i = 0; hosts[i] != NULL && host == NULL; i++)
		if (strlen(hosts[i]) <= VIDEO_HOST_MAX && video_host_is(u, hosts[i]))
			host = hosts[i];
	if (host == NULL)
		return false;
	if (!video_path_id(u, "/w/", video_peertube_short_id, &id, &idlen) &&
	    !video_path_id(u, "/videos/watch/", video_uuid, &id, &idlen) &&
	    !video_path_id(u, "/videos/embed/", video_uuid, &id, &idlen))
		return false;
	out->kind = VIDEO_PEERTUBE;
	snprintf(out->embed_url, sizeof(out->embed_url), "https://%s/videos/embed/%.*s", host,
		 (int)idlen, id);
	return true;
}

static bool
video_file(const struct video_url *u)
{
	return u->https &&
	       ((u->pathlen > 4 && strncasecmp(u->path + u->pathlen - 4, ".mp4", 4) == 0) ||
		(u->pathlen > 5 && strncasecmp(u->path + u->pathlen - 5, ".webm", 5) == 0));
}

int
video_classify(const char *url, struct video_info *out)
{
	return video_classify_hosts(url, NULL, out);
}

int
video_classify_hosts(const char *url, const char *const *peertube_hosts, struct video_info *out)
{
	struct video_url u;
	int split;

	out->kind = VIDEO_LINK;
	out->embed_url[0] = '\0';
	if (url == NULL || strlen(url) > VIDEO_URL_MAX || !html_url_is_safe(url))
		return -1;
	/* A link to another site, not a page here or a mail address. */
	if ((split = video_split(url, &u)) != 0)
		return split == 1 ? 0 : -1;
	if (video_youtube(&u, out) || video_vimeo(&u, out) || video_peertube(&u, peertube_hosts, out))
		return 0;
	if (video_file(&u))
		out->kind = VIDEO_FILE;
	return 0;
}
