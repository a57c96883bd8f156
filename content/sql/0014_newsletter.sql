-- Email updates for stakeholders (newsletter.c): subscribers with their
-- topics, the consent ledger, the updates sent, campaigns, digests.

CREATE TABLE newsletter_topics (
	slug       text PRIMARY KEY CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
	name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
	-- The four the portal publishes itself (publication.h); admins add more.
	builtin    boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO newsletter_topics (slug, name, builtin) VALUES
	('news', 'Notizie', true), ('events', 'Eventi', true),
	('documents', 'Documenti', true), ('courses', 'Corsi', true);

-- Every consent text ever shown, so that each consent names the words
-- the person agreed to (GDPR art. 7(1)).  A new wording is a new version.
CREATE TABLE consent_texts (
	version    serial PRIMARY KEY,
	body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
	created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO consent_texts (body) VALUES (
	'Acconsento a ricevere per email gli aggiornamenti del portale sugli argomenti scelti. '
	'Il titolare del trattamento usa il mio indirizzo, il nome e l''ente solo per questo invio; '
	'posso cambiare gli argomenti o annullare l''iscrizione in ogni momento dal collegamento '
	'presente in ogni messaggio, e chiedere la cancellazione dei miei dati.');

CREATE TABLE subscribers (
	id              bigserial PRIMARY KEY,
	email           text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
	name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
	organisation    text NOT NULL DEFAULT '' CHECK (length(organisation) <= 200),
	user_id         bigint REFERENCES users (id) ON DELETE SET NULL,
	-- pending: waits for the confirmation link; active: receives mail;
	-- unsubscribed: withdrew consent.
	status          text NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed')),
	frequency       text NOT NULL DEFAULT 'immediate' CHECK (frequency IN ('immediate', 'weekly')),
	-- Part of every signed link's MAC: a new secret voids all old links.
	link_secret     text NOT NULL,
	created_at      timestamptz NOT NULL DEFAULT now(),
	confirm_expires timestamptz,
	confirmed_at    timestamptz,
	unsubscribed_at timestamptz
);
CREATE INDEX subscribers_pending ON subscribers (confirm_expires) WHERE status = 'pending';

CREATE TABLE subscriber_topics (
	subscriber_id bigint NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	topic         text NOT NULL REFERENCES newsletter_topics (slug) ON DELETE CASCADE,
	PRIMARY KEY (subscriber_id, topic)
);
CREATE INDEX subscriber_topics_topic ON subscriber_topics (topic, subscriber_id);

-- The consent ledger: what was agreed, withdrawn or changed, when, from
-- where.  Kept while the subscriber exists; erasure removes it with them.
CREATE TABLE consent_events (
	id              bigserial PRIMARY KEY,
	subscriber_id   bigint NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	email           text NOT NULL,
	action          text NOT NULL CHECK (action IN ('requested', 'confirmed', 'changed', 'withdrawn')),
	consent_version int REFERENCES consent_texts (version),
	topics          text[] NOT NULL DEFAULT '{}',
	frequency       text,
	at              timestamptz NOT NULL DEFAULT now(),
	ip              text NOT NULL DEFAULT '',
	user_agent      text NOT NULL DEFAULT '',
	campaign_id     bigint
);
CREATE INDEX consent_events_subscriber ON consent_events (subscriber_id, at);

CREATE TABLE campaigns (
	id           bigserial PRIMARY KEY,
	subject      text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
	body_md      text NOT NULL CHECK (length(body_md) BETWEEN 1 AND 100000),
	body_html    text NOT NULL,
	-- NULL: every active subscriber; else those of any of these topics.
	topics       text[],
	-- draft, scheduled (goes at scheduled_at), sending (queued), sent.
	status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'scheduled', 'sending', 'sent')),
	scheduled_at timestamptz,
	queued_at    timestamptz,
	recipients   int NOT NULL DEFAULT 0,
	created_by   bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at   timestamptz NOT NULL DEFAULT now(),
	updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX campaigns_due ON campaigns (scheduled_at) WHERE status = 'scheduled';

-- One weekly digest of one subscriber, for the week slot it closes.
CREATE TABLE newsletter_digests (
	id            bigserial PRIMARY KEY,
	subscriber_id bigint NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	slot          timestamptz NOT NULL,
	-- The transaction that made it, which also queues it.
	made_by       bigint NOT NULL DEFAULT txid_current(),
	UNIQUE (subscriber_id, slot)
);

-- Which publication each subscriber was sent (immediately or in a
-- digest): a subscriber gets each item once.
CREATE TABLE newsletter_sent (
	subscriber_id  bigint NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	publication_id bigint NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
	digest_id      bigint REFERENCES newsletter_digests (id) ON DELETE CASCADE,
	PRIMARY KEY (subscriber_id, publication_id)
);
CREATE INDEX newsletter_sent_digest ON newsletter_sent (digest_id) WHERE digest_id IS NOT NULL;

-- The latest digest slot at or before now: weekday (0 = Sunday) and hour
-- in Europe/Rome.
CREATE FUNCTION newsletter_digest_slot(weekday int, hour int) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN s <= now() THEN s ELSE s - interval '7 days' END
	FROM (SELECT ((date_trunc('week', now() AT TIME ZONE 'Europe/Rome')
	               + make_interval(days => (weekday + 6) % 7, hours => hour))
	              AT TIME ZONE 'Europe/Rome') AS s) x
$$;
