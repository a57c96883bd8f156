-- Lesson revision history: every save of a lesson first copies the
-- version it replaces here, so no body is ever lost and any can be
-- restored (a restore is itself a save).  updated_by tells who wrote the
-- current version, so that a revision keeps its own author and time.

ALTER TABLE lessons ADD COLUMN updated_by bigint REFERENCES users (id) ON DELETE SET NULL;

CREATE TABLE lesson_revisions (
	id        bigserial PRIMARY KEY,
	lesson_id bigint NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
	title     text NOT NULL,
	body_md   text NOT NULL,
	saved_by  bigint REFERENCES users (id) ON DELETE SET NULL,
	saved_at  timestamptz NOT NULL
);
CREATE INDEX lesson_revisions_lesson ON lesson_revisions (lesson_id, id);
