-- The help desk's tickets (content/ticket*.c): levels, messages, waits,
-- attachments, service-level targets, canned replies.

-- A ticket (segnalazione).  level: 0 tutors of org_id, 1 front office,
-- 2 specialists; it only moves up.  status: nuovo (nobody acted yet),
-- in_lavorazione, in_attesa (waiting for the reporter: the clock stops,
-- see ticket_waits), risolto (rating allowed; closes by itself after 7
-- days), chiuso.
CREATE TABLE tickets (
	id             bigserial PRIMARY KEY,
	reporter_id    bigint NOT NULL REFERENCES users (id),
	-- the reporter's organisation when the ticket was opened (level 0's tutors)
	org_id         bigint REFERENCES orgs (id),
	category       text NOT NULL
	               CHECK (category IN ('access', 'module', 'platform', 'documents', 'other')),
	module_id      bigint REFERENCES modules (id) ON DELETE SET NULL,
	subject        text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
	body_md        text NOT NULL CHECK (length(body_md) BETWEEN 1 AND 20000),
	body_html      text NOT NULL DEFAULT '',
	-- the portal page the reporter came from (a path, '' if none)
	page_url       text NOT NULL DEFAULT '' CHECK (length(page_url) <= 500),
	level          smallint NOT NULL CHECK (level BETWEEN 0 AND 2),
	assignee_id    bigint REFERENCES users (id) ON DELETE SET NULL,
	status         text NOT NULL DEFAULT 'nuovo'
	               CHECK (status IN ('nuovo', 'in_lavorazione', 'in_attesa', 'risolto', 'chiuso')),
	created_at     timestamptz NOT NULL DEFAULT now(),
	updated_at     timestamptz NOT NULL DEFAULT now(),
	resolved_at    timestamptz,
	closed_at      timestamptz,
	rating         smallint CHECK (rating BETWEEN 1 AND 5),
	rating_comment text NOT NULL DEFAULT '' CHECK (length(rating_comment) <= 2000),
	rated_at       timestamptz,
	CHECK (module_id IS NULL OR category = 'module'),
	CHECK (status <> 'risolto' OR resolved_at IS NOT NULL),
	CHECK (status <> 'chiuso' OR closed_at IS NOT NULL)
);
CREATE INDEX tickets_reporter ON tickets (reporter_id, updated_at DESC);
CREATE INDEX tickets_queue ON tickets (level, status, created_at) WHERE status <> 'chiuso';
CREATE INDEX tickets_org ON tickets (org_id, level);
CREATE INDEX tickets_resolved ON tickets (resolved_at) WHERE status = 'risolto';
CREATE INDEX tickets_category ON tickets (category, created_at);

-- The thread.  public: seen by the reporter (and emailed); internal: a
-- note for the agents only; handover: the required note of a move to
-- the next level (agents only); status: a status change (body_md is the
-- optional public comment, '' if none).  level: the ticket's level when
-- the message was written.
CREATE TABLE ticket_messages (
	id          bigserial PRIMARY KEY,
	ticket_id   bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	author_id   bigint REFERENCES users (id) ON DELETE SET NULL,
	kind        text NOT NULL CHECK (kind IN ('public', 'internal', 'handover', 'status')),
	level       smallint NOT NULL CHECK (level BETWEEN 0 AND 2),
	-- for kind 'status': the new status; for 'handover': NULL
	status      text CHECK (status IN ('nuovo', 'in_lavorazione', 'in_attesa', 'risolto', 'chiuso')),
	body_md     text NOT NULL DEFAULT '' CHECK (length(body_md) <= 20000),
	body_html   text NOT NULL DEFAULT '',
	created_at  timestamptz NOT NULL DEFAULT now(),
	CHECK (kind = 'status' OR body_md <> ''),
	CHECK ((kind = 'status') = (status IS NOT NULL))
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);

-- Each level's own clock: entered when the ticket reached the level,
-- first_response_at the first answer given there, left_at the hand-over
-- to the next level, resolved_at the resolution there.  A level is
-- entered at most once (tickets only move up).
CREATE TABLE ticket_levels (
	ticket_id         bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	level             smallint NOT NULL CHECK (level BETWEEN 0 AND 2),
	entered_at        timestamptz NOT NULL DEFAULT now(),
	first_response_at timestamptz,
	left_at           timestamptz,
	resolved_at       timestamptz,
	PRIMARY KEY (ticket_id, level)
);

-- Periods waiting for the reporter (status in_attesa): ended_at NULL
-- while still waiting.  No level's clock runs inside them.
CREATE TABLE ticket_waits (
	id         bigserial PRIMARY KEY,
	ticket_id  bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	started_at timestamptz NOT NULL DEFAULT now(),
	ended_at   timestamptz,
	CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX ticket_waits_ticket ON ticket_waits (ticket_id, started_at);
CREATE UNIQUE INDEX ticket_waits_open ON ticket_waits (ticket_id) WHERE ended_at IS NULL;

-- Files attached to a ticket (message_id NULL: to the ticket itself).
-- Private: downloaded only by who may see the ticket.  The blobs are
-- kept by the document bin's collector (content/document_db.c).
CREATE TABLE ticket_attachments (
	id         bigserial PRIMARY KEY,
	ticket_id  bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	message_id bigint REFERENCES ticket_messages (id) ON DELETE CASCADE,
	blob_id    bigint NOT NULL REFERENCES blobs (id),
	filename   text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
	type       text NOT NULL,
	size       bigint NOT NULL CHECK (size > 0),
	created_by bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id);
CREATE INDEX ticket_attachments_blob ON ticket_attachments (blob_id);

-- Service-level targets in working minutes (content/sla.h's calendar),
-- per category and level: the first response and the resolution (or
-- hand-over) at that level, each counted on the level's own clock.
CREATE TABLE sla_targets (
	category                 text NOT NULL
	                         CHECK (category IN ('access', 'module', 'platform', 'documents', 'other')),
	level                    smallint NOT NULL CHECK (level BETWEEN 0 AND 2),
	first_response_minutes   int NOT NULL CHECK (first_response_minutes BETWEEN 1 AND 100000),
	resolution_minutes       int NOT NULL CHECK (resolution_minutes BETWEEN 1 AND 1000000),
	PRIMARY KEY (category, level),
	CHECK (resolution_minutes >= first_response_minutes)
);
-- Defaults: one working day (8 hours) is 480 minutes.  Tutors answer
-- within half a day and settle or pass within a day; the front office
-- answers within 4 working hours and resolves within 2 days; the
-- specialists answer within a day and resolve within 5 days.  Access
-- problems block the work: everything is twice as fast.
INSERT INTO sla_targets (category, level, first_response_minutes, resolution_minutes)
SELECT c.category, l.level,
       CASE WHEN c.category = 'access' THEN l.fr / 2 ELSE l.fr END,
       CASE WHEN c.category = 'access' THEN l.res / 2 ELSE l.res END
FROM (VALUES ('access'), ('module'), ('platform'), ('documents'), ('other')) AS c (category),
     (VALUES (0, 240, 480), (1, 240, 960), (2, 480, 2400)) AS l (level, fr, res);

-- Canned replies per category, edited by the coordination team.
CREATE TABLE canned_replies (
	id         bigserial PRIMARY KEY,
	category   text NOT NULL
	           CHECK (category IN ('access', 'module', 'platform', 'documents', 'other')),
	title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
	body_md    text NOT NULL CHECK (length(body_md) BETWEEN 1 AND 10000),
	created_by bigint REFERENCES users (id) ON DELETE SET NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX canned_replies_title ON canned_replies (category, lower(title));

-- Overdue tickets whose level's lead was emailed: once per ticket and
-- level.  kind: the target missed first (first_response or resolution).
CREATE TABLE ticket_overdue_notices (
	ticket_id bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	level     smallint NOT NULL CHECK (level BETWEEN 0 AND 2),
	kind      text NOT NULL CHECK (kind IN ('first_response', 'resolution')),
	sent_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (ticket_id, level)
);
