/*
 * test_video.c - classification of lesson video URLs (courses/video.c):
 * only the two trusted players and direct https files are embedded.
 */
#include "../../portal/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../courses/video.c"

static void
check(const char *url, enum video_kind kind, const char *embed)
{
	struct video_info v;

	if (video_classify(url, &v) != 0)
		fail_msg("refused: %s", url);
	if (v.kind != kind)
		fail_msg("%s: kind %s, want %s", url, video_kind_name(v.kind), video_kind_name(kind));
	assert_string_equal(v.embed_url, embed ? embed : "");
}

static void
check_refused(const char *url)
{
	struct video_info v;

	if (video_classify(url, &v) != -1)
		fail_msg("accepted: %s", url ? url : "(null)");
	assert_int_equal(v.kind, VIDEO_LINK);
	assert_string_equal(v.embed_url, "");
}

static void
test_youtube(void **state)
{
	const char *nc = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ";

	(void)state;
	check("https://www.youtube.com/watch?v=dQw4w9WgXcQ", VIDEO_YOUTUBE, nc);
	check("https://youtube.com/watch?v=dQw4w9WgXcQ", VIDEO_YOUTUBE, nc);
	check("http://m.youtube.com/watch?v=dQw4w9WgXcQ", VIDEO_YOUTUBE, nc);
	check("https://WWW.YouTube.com/watch?feature=share&v=dQw4w9WgXcQ&t=10#x", VIDEO_YOUTUBE, nc);
	check("https://youtu.be/dQw4w9WgXcQ", VIDEO_YOUTUBE, nc);
	check("https://youtu.be/dQw4w9WgXcQ?t=42", VIDEO_YOUTUBE, nc);
	check("https://www.youtube.com/embed/dQw4w9WgXcQ", VIDEO_YOUTUBE, nc);
	check("https://youtu.be/A_b-1234567", VIDEO_YOUTUBE, "https://www.youtube-nocookie.com/embed/A_b-1234567");
	/* Ids of 10 or 12 characters, or with other characters: plain links. */
	check("https://youtu.be/dQw4w9WgXc", VIDEO_LINK, NULL);
	check("https://youtu.be/dQw4w9WgXcQQ", VIDEO_LINK, NULL);
	check("https://youtu.be/dQw4w9WgX%22", VIDEO_LINK, NULL);
	check("https://www.youtube.com/watch?v=dQw4w9WgX\"Q", VIDEO_LINK, NULL);
	check("https://www.youtube.com/watch?vv=dQw4w9WgXcQ", VIDEO_LINK, NULL);
	check("https://www.youtube.com/watch?v=", VIDEO_LINK, NULL);
	check("https://www.youtube.com/watch", VIDEO_LINK, NULL);
	check("https://youtu.be/", VIDEO_LINK, NULL);
	check("https://youtu.be/dQw4w9WgXcQ/extra", VIDEO_LINK, NULL);
	check("https://www.youtube.com/channel/UCxyz", VIDEO_LINK, NULL);
	/* Look-alike hosts never embed. */
	check("https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ", VIDEO_LINK, NULL);
	check("https://evil.example/youtube.com/watch?v=dQw4w9WgXcQ", VIDEO_LINK, NULL);
	check("https://notyoutu.be/dQw4w9WgXcQ", VIDEO_LINK, NULL);
	check("https://youtube.com@evil.example/watch?v=dQw4w9WgXcQ", VIDEO_LINK, NULL);
	check("https://youtube.com:8443/watch?v=dQw4w9WgXcQ", VIDEO_LINK, NULL);
}

static void
test_vimeo(void **state)
{
	(void)state;
	check("https://vimeo.com/76979871", VIDEO_VIMEO, "https://player.vimeo.com/video/76979871");
	check("https://www.vimeo.com/1?autoplay=1", VIDEO_VIMEO, "https://player.vimeo.com/video/1");
	check("https://vimeo.com/123456789012", VIDEO_VIMEO, "https://player.vimeo.com/video/123456789012");
	check("https://vimeo.com/1234567890123", VIDEO_LINK, NULL);
	check("https://vimeo.com/", VIDEO_LINK, NULL);
	check("https://vimeo.com/channels/staffpicks", VIDEO_LINK, NULL);
	check("https://vimeo.com/12a", VIDEO_LINK, NULL);
	check("https://vimeo.com/76979871/abcdef", VIDEO_LINK, NULL);
	check("https://vimeo.com.evil.example/76979871", VIDEO_LINK, NULL);
}

static void
test_files_and_links(void **state)
{
	(void)state;
	check("https://media.example.org/corsi/lezione.mp4", VIDEO_FILE, NULL);
	check("https://media.example.org/a.WEBM?token=1#t=5", VIDEO_FILE, NULL);
	/* Plain http files would be mixed content: a link. */
	check("http://media.example.org/a.mp4", VIDEO_LINK, NULL);
	check("https://media.example.org/a.mp4.html", VIDEO_LINK, NULL);
	check("https://media.example.org/?f=a.mp4", VIDEO_LINK, NULL);
	check("https://media.example.org/.mp4", VIDEO_FILE, NULL);
	check("https://peertube.example.org/w/9c9de5e8-0a1e-484a-b099-e80766180a6d", VIDEO_LINK, NULL);
	check("https://example.org/", VIDEO_LINK, NULL);
	check("https://u@media.example.org/a.mp4", VIDEO_LINK, NULL);
}

static void
test_refused(void **state)
{
	char big[VIDEO_URL_MAX + 2];

	(void)state;
	check_refused(NULL);
	check_refused("");
	check_refused("javascript:alert(1)");
	check_refused("JAVASCRIPT:alert(1)");
	check_refused("data:video/mp4;base64,AAAA");
	check_refused("vbscript:x");
	check_refused(" https://youtu.be/dQw4w9WgXcQ");
	check_refused("https://youtu.be/dQw4w9WgXcQ ");
	check_refused("https://you\ttu.be/dQw4w9WgXcQ");
	check_refused("//youtu.be/dQw4w9WgXcQ");
	check_refused("/corsi/1");
	check_refused("mailto:a@b.it");
	check_refused("youtu.be/dQw4w9WgXcQ");
	check_refused("https://");
	/* VIDEO_URL_MAX bytes are accepted, one more is not. */
	memcpy(big, "https://e.it/", 13);
	memset(big + 13, 'a', sizeof(big) - 13);
	big[VIDEO_URL_MAX] = '\0';
	check(big, VIDEO_LINK, NULL);
	big[VIDEO_URL_MAX] = 'a';
	big[VIDEO_URL_MAX + 1] = '\0';
	check_refused(big);
}

static void
test_names(void **state)
{
	(void)state;
	for (int k = VIDEO_YOUTUBE; k <= VIDEO_LINK; k++)
		assert_int_equal(video_kind_from_name(video_kind_name((enum video_kind)k)), k);
	assert_int_equal(video_kind_from_name("peertube"), VIDEO_PEERTUBE);
	assert_int_equal(video_kind_from_name("PeerTube"), VIDEO_LINK);
	assert_int_equal(video_kind_from_name(""), VIDEO_LINK);
	assert_int_equal(video_kind_from_name(NULL), VIDEO_LINK);
}

/* ---- PeerTube: only the configured instances embed ---- */

static const char *const pt_hosts[] = { "video.example.org", "tube.comune.example.it", NULL };

static void
check_pt(const char *url, enum video_kind kind, const char *embed)
{
	struct video_info v;

	if (video_classify_hosts(url, pt_hosts, &v) != 0)
		fail_msg("refused: %s", url);
	if (v.kind != kind)
		fail_msg("%s: kind %s, want %s", url, video_kind_name(v.kind), video_kind_name(kind));
	assert_string_equal(v.embed_url, embed ? embed : "");
}

#define PT_UUID "9c9de5e8-0a1e-484a-b099-e80766180a6d"
#define PT_SHORT "kPSoHhjeRNG7EMwfU5BbP4"	/* 22 base58 characters */

static void
test_peertube(void **state)
{
	const char *uuid_embed = "https://video.example.org/videos/embed/" PT_UUID;
	struct video_info v;

	(void)state;
	check_pt("https://video.example.org/w/" PT_SHORT, VIDEO_PEERTUBE,
		 "https://video.example.org/videos/embed/" PT_SHORT);
	check_pt("https://video.example.org/videos/watch/" PT_UUID, VIDEO_PEERTUBE, uuid_embed);
	check_pt("https://video.example.org/videos/embed/" PT_UUID, VIDEO_PEERTUBE, uuid_embed);
	check_pt("https://video.example.org/videos/watch/" PT_UUID "?start=1m#t", VIDEO_PEERTUBE, uuid_embed);
	check_pt("https://tube.comune.example.it/w/" PT_SHORT, VIDEO_PEERTUBE,
		 "https://tube.comune.example.it/videos/embed/" PT_SHORT);
	/* The host of the URL in any case; the embed uses the configured spelling. */
	check_pt("https://VIDEO.Example.ORG/w/" PT_SHORT, VIDEO_PEERTUBE,
		 "https://video.example.org/videos/embed/" PT_SHORT);
	check_pt("https://video.example.org/videos/watch/9C9DE5E8-0A1E-484A-B099-E80766180A6D", VIDEO_PEERTUBE,
		 "https://video.example.org/videos/embed/9C9DE5E8-0A1E-484A-B099-E80766180A6D");

	/* Not a configured instance: a plain link, with or without a list. */
	check_pt("https://peertube.example.net/w/" PT_SHORT, VIDEO_LINK, NULL);
	check("https://video.example.org/w/" PT_SHORT, VIDEO_LINK, NULL);
	assert_int_equal(video_classify_hosts("https://video.example.org/w/" PT_SHORT, NULL, &v), 0);
	assert_int_equal(v.kind, VIDEO_LINK);

	/* Look-alike hosts, user info, ports, plain http. */
	check_pt("https://video.example.org.evil.example/w/" PT_SHORT, VIDEO_LINK, NULL);
	check_pt("https://evil.example/video.example.org/w/" PT_SHORT, VIDEO_LINK, NULL);
	check_pt("https://xvideo.example.org/w/" PT_SHORT, VIDEO_LINK, NULL);
	check_pt("https://example.org/w/" PT_SHORT, VIDEO_LINK, NULL);
	check_pt("https://video.example.org@evil.example/w/" PT_SHORT, VIDEO_LINK, NULL);
	check_pt("https://evil.example@video.example.org/w/" PT_SHORT, VIDEO_LINK, NULL);
	check_pt("https://video.example.org:8443/w/" PT_SHORT, VIDEO_LINK, NULL);
	check_pt("https://video.example.org./w/" PT_SHORT, VIDEO_LINK, NULL);
	check_pt("http://video.example.org/w/" PT_SHORT, VIDEO_LINK, NULL);

	/* Bad ids: wrong length, characters outside base58 (0 O I l), bad UUIDs. */
	check_pt("https://video.example.org/w/kPSoHhjeRNG7EMwfU5BbP", VIDEO_LINK, NULL);
	check_pt("https://video.example.org/w/kPSoHhjeRNG7EMwfU5BbP4x", VIDEO_LINK, NULL);
	check_pt("https://video.example.org/w/kPSoHhjeRNG7EMwfU5BbP0", VIDEO_LINK, NULL);
	check_pt("https://video.example.org/w/kPSoHhjeRNG7EMwfU5BbPO", VIDEO_LINK, NULL);
	check_pt("https://video.example.org/w/kPSoHhjeRNG7EMwfU5BbPI", VIDEO_LINK, NULL);
	check_pt("https://video.example.org/w/kPSoHhjeRNG7EMwfU5BbPl", VIDEO_LINK, NULL);
	check_pt("https://video.example.org/w/kPSoHhjeRNG7EMwfU5Bb%22", VIDEO_LINK, NULL);
	check_pt("https://video.example.org/w/" PT_SHORT "/", VIDEO_LINK, NULL);
	check_pt("https://video.example.org/w/", VIDEO_LINK, NULL);
	check_pt("https://video.example.org/w/" PT_UUID, VIDEO_LINK, NULL);
	check_pt("https://video.example.org/w/p/" PT_SHORT, VIDEO_LINK, NULL);
	check_pt("https://video.example.org/videos/watch/" PT_SHORT, VIDEO_LINK, NULL);
	check_pt("https://video.example.org/videos/watch/9c9de5e8-0a1e-484a-b099-e80766180a6", VIDEO_LINK, NULL);
	check_pt("https://video.example.org/videos/watch/9c9de5e8-0a1e-484a-b099-e80766180a6dd", VIDEO_LINK, NULL);
	check_pt("https://video.example.org/videos/watch/9c9de5e8x0a1e-484a-b099-e80766180a6d", VIDEO_LINK, NULL);
	check_pt("https://video.example.org/videos/watch/9c9de5e8-0a1e-484a-b099-e80766180a6g", VIDEO_LINK, NULL);
	check_pt("https://video.example.org/videos/play/" PT_UUID, VIDEO_LINK, NULL);
	check_pt("https://video.example.org/videos/watch/playlist/" PT_UUID, VIDEO_LINK, NULL);

	/* The longest host fits VIDEO_EMBED_MAX with a UUID. */
	{
		char host[VIDEO_HOST_MAX + 1], url[VIDEO_URL_MAX], want[VIDEO_EMBED_MAX];
		const char *hosts[] = { host, NULL };

		for (size_t i = 0; i < VIDEO_HOST_MAX; i++)
			host[i] = (i + 1) % 64 == 0 ? '.' : 'a';
		host[VIDEO_HOST_MAX] = '\0';
		snprintf(url, sizeof(url), "https://%s/videos/watch/" PT_UUID, host);
		assert_int_equal(video_classify_hosts(url, hosts, &v), 0);
		assert_int_equal(v.kind, VIDEO_PEERTUBE);
		assert_int_equal(snprintf(want, sizeof(want), "https://%s/videos/embed/" PT_UUID, host),
				 (int)sizeof(want) - 1);
		assert_string_equal(v.embed_url, want);
	}

	/* Unsafe URLs stay refused whatever the hosts. */
	assert_int_equal(video_classify_hosts("javascript://video.example.org/w/" PT_SHORT, pt_hosts, &v), -1);
	assert_false(video_kind_observable(VIDEO_PEERTUBE));
	assert_true(video_kind_observable(VIDEO_FILE));
	assert_true(video_kind_observable(VIDEO_YOUTUBE));
	assert_true(video_kind_observable(VIDEO_VIMEO));
	assert_false(video_kind_observable(VIDEO_LINK));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_youtube),
		cmocka_unit_test(test_vimeo),
		cmocka_unit_test(test_files_and_links),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_peertube),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
