-- Module materials, video transcripts and captions, PeerTube embeds and
-- automatic lesson completion.

-- Downloadable materials of a module (manuals, exercises): links until the
-- document area exists.  Only http(s) URLs, checked here as well as in C.
CREATE TABLE module_materials (
	id          bigserial PRIMARY KEY,
	module_id   bigint NOT NULL REFERENCES modules (id) ON DELETE CASCADE,
	position    int NOT NULL CHECK (position >= 1),
	title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	kind        text NOT NULL CHECK (kind IN ('manuale', 'esercitazione', 'altro')),
	url         text NOT NULL CHECK (url ~* '^https?://[^[:space:]]+$' AND length(url) <= 2000),
	created_at  timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT module_materials_position UNIQUE (module_id, position) DEFERRABLE INITIALLY IMMEDIATE
);

-- A transcript (Markdown, rendered at save like lesson bodies) and a WebVTT
-- captions file for HTML5 videos.  PeerTube videos of the configured
-- instances embed too, so they have an embed_url.
ALTER TABLE lesson_videos
	ADD COLUMN transcript_md   text NOT NULL DEFAULT '' CHECK (length(transcript_md) <= 65536),
	ADD COLUMN transcript_html text NOT NULL DEFAULT '',
	ADD COLUMN captions_url    text CHECK (captions_url ~* '^https://[^[:space:]]+$' AND length(captions_url) <= 2000),
	DROP CONSTRAINT lesson_videos_check,
	ADD CONSTRAINT lesson_videos_embed CHECK ((embed_url IS NULL) = (kind NOT IN ('youtube', 'vimeo', 'peertube')));

-- How a lesson gets completed: 'manual' (the learner's button) or 'auto'
-- (read to the end and every observable video played).
ALTER TABLE lessons
	ADD COLUMN completion_mode text NOT NULL DEFAULT 'manual' CHECK (completion_mode IN ('manual', 'auto'));

-- What the lesson page reported for 'auto' lessons.  Videos are counted by
-- position, which survives a save of the lesson (rows are rewritten).
CREATE TABLE lesson_views (
	user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	lesson_id      bigint NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
	read_at        timestamptz,
	videos_played  int[] NOT NULL DEFAULT '{}',
	updated_at     timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, lesson_id)
);
