-- The reserved document area (content/document*.c) and the kit folder.

-- Italian full-text search that ignores accents: "attivita" finds "attività".
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION portal_it (COPY = pg_catalog.italian);
ALTER TEXT SEARCH CONFIGURATION portal_it
	ALTER MAPPING FOR hword, hword_part, word WITH unaccent, italian_stem;

CREATE TABLE document_folders (
	id         bigserial PRIMARY KEY,
	parent_id  bigint REFERENCES document_folders (id),
	name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
	-- 'kit': the communication kit's folder (one), whose documents the kit page shows.
	role       text UNIQUE CHECK (role IN ('kit')),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX document_folders_name ON document_folders (coalesce(parent_id, 0), lower(name));

CREATE TABLE documents (
	id               bigserial PRIMARY KEY,
	folder_id        bigint REFERENCES document_folders (id),
	title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	description      text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
	description_html text NOT NULL DEFAULT '',
	tags             text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
	module_id        bigint REFERENCES modules (id) ON DELETE SET NULL,
	-- public: everyone; members: every signed-in user; restricted: the
	-- roles in roles and the people of the organisations in document_orgs
	-- (with their sub-organisations).  Editors see everything.
	visibility       text NOT NULL DEFAULT 'members'
	                 CHECK (visibility IN ('public', 'members', 'restricted')),
	roles            text[] NOT NULL DEFAULT '{}',
	current_version  int NOT NULL DEFAULT 1,
	-- the kit asset this document is (logo, slide template...), if any
	kit_slot         text UNIQUE,
	-- text extracted from the current version's file (PDF, office), searched too
	body_text        text NOT NULL DEFAULT '',
	search           tsvector NOT NULL DEFAULT ''::tsvector,
	created_by       bigint REFERENCES users (id),
	created_at       timestamptz NOT NULL DEFAULT now(),
	updated_at       timestamptz NOT NULL DEFAULT now(),
	-- in the bin: hidden from everyone but admins, who restore or empty it
	deleted_at       timestamptz,
	deleted_by       bigint REFERENCES users (id)
);
CREATE INDEX documents_search ON documents USING gin (search);
CREATE INDEX documents_folder ON documents (folder_id) WHERE deleted_at IS NULL;
-- Newest first: the listings, and a search's candidates when its words are common.
CREATE INDEX documents_recent ON documents (updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX documents_module ON documents (module_id) WHERE module_id IS NOT NULL;

-- The weights rank a hit in the title or tags above one in the
-- description, and those above one in the file's text.
CREATE FUNCTION documents_search_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.search :=
		setweight(to_tsvector('portal_it', NEW.title), 'A') ||
		setweight(to_tsvector('portal_it', array_to_string(NEW.tags, ' ')), 'A') ||
		setweight(to_tsvector('portal_it', NEW.description), 'B') ||
		setweight(to_tsvector('portal_it', NEW.body_text), 'C');
	RETURN NEW;
END
$$;
CREATE TRIGGER documents_search BEFORE INSERT OR UPDATE OF title, tags, description, body_text
	ON documents FOR EACH ROW EXECUTE FUNCTION documents_search_update();

CREATE TABLE document_orgs (
	document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
	org_id      bigint NOT NULL REFERENCES orgs (id),
	PRIMARY KEY (document_id, org_id)
);

CREATE TABLE document_versions (
	document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
	n           int NOT NULL CHECK (n >= 1),
	blob_id     bigint NOT NULL REFERENCES blobs (id),
	filename    text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
	type        text NOT NULL,
	size        bigint NOT NULL CHECK (size > 0),
	note        text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
	created_by  bigint REFERENCES users (id),
	created_at  timestamptz NOT NULL DEFAULT now(),
	-- the text extraction job: pending until it ran; done or failed after;
	-- none for types without text to extract
	text_status text NOT NULL DEFAULT 'pending'
	            CHECK (text_status IN ('pending', 'done', 'failed', 'none')),
	body_text   text NOT NULL DEFAULT '',
	-- a PNG of the first page (PDF) or the file's own thumbnail (OpenDocument)
	preview_blob_id bigint REFERENCES blobs (id),
	PRIMARY KEY (document_id, n)
);
CREATE INDEX document_versions_pending ON document_versions (document_id)
	WHERE text_status = 'pending';
CREATE INDEX document_versions_blob ON document_versions (blob_id);
CREATE INDEX document_versions_preview ON document_versions (preview_blob_id)
	WHERE preview_blob_id IS NOT NULL;

CREATE TABLE document_downloads (
	id          bigserial PRIMARY KEY,
	document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
	n           int NOT NULL,
	user_id     bigint REFERENCES users (id),
	at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX document_downloads_document ON document_downloads (document_id, at DESC);

-- Who is looking, computed once per query (content/document_db.c turns
-- this into the visibility test of every read): the roles of an active user
-- (NULL for visitors and for accounts that may not sign in) and their
-- organisation with every organisation above it (a document shown to an
-- organisation is shown to its sub-organisations).
CREATE FUNCTION document_viewer_roles(uid bigint) RETURNS text[]
LANGUAGE sql STABLE AS $$
	SELECT roles FROM users WHERE id = uid AND status = 'active'
$$;

CREATE FUNCTION document_viewer_orgs(uid bigint) RETURNS bigint[]
LANGUAGE sql STABLE AS $$
	WITH RECURSIVE a (id, parent_id) AS (
		SELECT o.id, o.parent_id FROM orgs o JOIN users u ON u.org_id = o.id WHERE u.id = uid
		UNION
		SELECT o.id, o.parent_id FROM orgs o JOIN a ON o.id = a.parent_id)
	SELECT coalesce(array_agg(id), '{}') FROM a
$$;
