-- The help desk's FAQ (content/faq*.c): entries in Markdown by category
-- and module, searched with the Italian configuration portal_it (0011),
-- and the "was this useful?" votes.

-- An entry.  category as the tickets' (0018); module_id only for the
-- category 'module'.  Unpublished entries are drafts, seen by editors
-- only.  source_ticket_id: the resolved ticket the answer came from.
CREATE TABLE faq_entries (
	id               bigserial PRIMARY KEY,
	category         text NOT NULL
	                 CHECK (category IN ('access', 'module', 'platform', 'documents', 'other')),
	module_id        bigint REFERENCES modules (id) ON DELETE SET NULL,
	question         text NOT NULL CHECK (length(question) BETWEEN 1 AND 300),
	answer_md        text NOT NULL CHECK (length(answer_md) BETWEEN 1 AND 20000),
	answer_html      text NOT NULL DEFAULT '',
	published        boolean NOT NULL DEFAULT true,
	source_ticket_id bigint REFERENCES tickets (id) ON DELETE SET NULL,
	search           tsvector NOT NULL DEFAULT ''::tsvector,
	created_by       bigint REFERENCES users (id) ON DELETE SET NULL,
	updated_by       bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at       timestamptz NOT NULL DEFAULT now(),
	updated_at       timestamptz NOT NULL DEFAULT now(),
	CHECK (module_id IS NULL OR category = 'module')
);
CREATE INDEX faq_entries_search ON faq_entries USING gin (search);
CREATE INDEX faq_entries_category ON faq_entries (category, module_id);
CREATE UNIQUE INDEX faq_entries_question ON faq_entries (lower(question));

-- A hit in the question ranks above one in the answer.
CREATE FUNCTION faq_entries_search_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.search :=
		setweight(to_tsvector('portal_it', NEW.question), 'A') ||
		setweight(to_tsvector('portal_it', NEW.answer_md), 'B');
	RETURN NEW;
END
$$;
CREATE TRIGGER faq_entries_search BEFORE INSERT OR UPDATE OF question, answer_md
	ON faq_entries FOR EACH ROW EXECUTE FUNCTION faq_entries_search_update();

-- One vote per entry and voter; voting again replaces the vote.  voter
-- is 'u:<user id>' for a signed-in user, or 'v:<hex BLAKE2b of the
-- visitor's portal_csrf cookie>' for a visitor, so the table never
-- holds a cookie an attacker could replay.
CREATE TABLE faq_votes (
	faq_id     bigint NOT NULL REFERENCES faq_entries (id) ON DELETE CASCADE,
	voter      text NOT NULL CHECK (voter ~ '^(u:[0-9]+|v:[0-9a-f]{64})$'),
	useful     boolean NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (faq_id, voter)
);
