-- What the portal published (publication.c), read by the newsletter.
-- One row per published thing: (source, source_id) is unique, so an edit
-- or a republication updates the row and is never announced twice.
CREATE TABLE publications (
	id           bigserial PRIMARY KEY,
	topic        text NOT NULL,
	source       text NOT NULL,
	source_id    bigint NOT NULL,
	title        text NOT NULL,
	summary      text NOT NULL DEFAULT '',
	path         text NOT NULL CHECK (path LIKE '/%'),
	published_at timestamptz NOT NULL DEFAULT now(),
	-- Set when the newsletter has queued the updates for it.
	announced_at timestamptz,
	UNIQUE (source, source_id)
);
CREATE INDEX publications_due ON publications (published_at) WHERE announced_at IS NULL;
CREATE INDEX publications_recent ON publications (published_at);
