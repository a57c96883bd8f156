-- News posts and events (content/news*.c, content/event*.c).

-- A post is visible to everyone once it is not a draft and its
-- published_at has come; until then only staff see it.
CREATE TABLE news (
	id                bigserial PRIMARY KEY,
	title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	body              text NOT NULL DEFAULT '' CHECK (length(body) <= 50000),
	body_html         text NOT NULL DEFAULT '',
	-- a public image of the document area (checked when saved)
	cover_document_id bigint REFERENCES documents (id) ON DELETE SET NULL,
	draft             boolean NOT NULL DEFAULT true,
	published_at      timestamptz NOT NULL DEFAULT now(),
	created_by        bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at        timestamptz NOT NULL DEFAULT now(),
	updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX news_published ON news (published_at DESC, id DESC) WHERE NOT draft;

CREATE TABLE events (
	id               bigserial PRIMARY KEY,
	title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	description      text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
	description_html text NOT NULL DEFAULT '',
	kind             text NOT NULL CHECK (kind IN ('convegno', 'workshop', 'seminario', 'webinar')),
	starts_at        timestamptz NOT NULL,
	ends_at          timestamptz NOT NULL,
	place            text NOT NULL DEFAULT '' CHECK (length(place) <= 300),
	online_url       text NOT NULL DEFAULT ''
	                 CHECK (online_url = '' OR (online_url ~* '^https?://[^/?#]' AND length(online_url) <= 2000)),
	-- NULL: no limit
	capacity         int CHECK (capacity BETWEEN 1 AND 100000),
	created_by       bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at       timestamptz NOT NULL DEFAULT now(),
	updated_at       timestamptz NOT NULL DEFAULT now(),
	CHECK (ends_at > starts_at),
	CHECK (place <> '' OR online_url <> '')
);
CREATE INDEX events_start ON events (starts_at);

-- confirmed: has a seat; waiting: on the waiting list, moved up in order
-- of arrival when a seat frees; cancelled: kept for the record.
CREATE TABLE event_registrations (
	id           bigserial PRIMARY KEY,
	event_id     bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	user_id      bigint REFERENCES users (id) ON DELETE SET NULL,
	name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	email        text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	organisation text NOT NULL DEFAULT '' CHECK (length(organisation) <= 200),
	status       text NOT NULL CHECK (status IN ('confirmed', 'waiting', 'cancelled')),
	-- BLAKE2b-256 of the cancel link's token (token.h); the token is only in the mail
	cancel_hash  bytea NOT NULL UNIQUE,
	created_at   timestamptz NOT NULL DEFAULT now(),
	confirmed_at timestamptz,
	cancelled_at timestamptz,
	-- the reminder of the day before went out (each registration once)
	reminded_at  timestamptz
);
-- One live registration per address and event.
CREATE UNIQUE INDEX event_registrations_email ON event_registrations (event_id, lower(email))
	WHERE status <> 'cancelled';
CREATE INDEX event_registrations_event ON event_registrations (event_id, status, id);
CREATE INDEX event_registrations_remind ON event_registrations (event_id)
	WHERE status = 'confirmed' AND reminded_at IS NULL;
