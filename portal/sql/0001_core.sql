-- The core schema: organisations, accounts, sessions, tokens, audit, mail outbox.

CREATE TABLE settings (
	key   text PRIMARY KEY,
	value bytea NOT NULL
);

CREATE TABLE orgs (
	id         bigserial PRIMARY KEY,
	name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	kind       text NOT NULL DEFAULT 'altro'
	           CHECK (kind IN ('regione', 'comune', 'municipio', 'ambito', 'altro')),
	parent_id  bigint REFERENCES orgs (id),
	created_at timestamptz NOT NULL DEFAULT now()
);
-- One name per parent, compared case-insensitively (the tree shows no twins).
CREATE UNIQUE INDEX orgs_parent_name ON orgs (coalesce(parent_id, 0), lower(name));

CREATE TABLE users (
	id                  bigserial PRIMARY KEY,
	email               text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
	password_hash       text NOT NULL,
	org_id              bigint REFERENCES orgs (id),
	-- unconfirmed: email not yet confirmed; pending: waits for approval;
	-- active: may sign in; disabled: switched off by an administrator.
	status              text NOT NULL DEFAULT 'unconfirmed'
	                    CHECK (status IN ('unconfirmed', 'pending', 'active', 'disabled')),
	roles               text[] NOT NULL DEFAULT '{operatore}'
	                    CHECK (roles <@ ARRAY['operatore', 'referente', 'tutor', 'formatore',
	                           'helpdesk1', 'helpdesk2', 'coordinamento', 'admin']),
	privacy_accepted_at timestamptz,
	created_at          timestamptz NOT NULL DEFAULT now(),
	approved_at         timestamptz,
	approved_by         bigint REFERENCES users (id)
);
-- Emails are compared case-insensitively everywhere.
CREATE UNIQUE INDEX users_email ON users (lower(email));
CREATE INDEX users_org ON users (org_id);

CREATE TABLE sessions (
	id         bigserial PRIMARY KEY,
	user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash bytea NOT NULL UNIQUE,	-- BLAKE2b of the cookie's token, never the token
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	addr       text,
	user_agent text
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
	id         bigserial PRIMARY KEY,
	user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash bytea NOT NULL UNIQUE,
	created_at timestamptz NOT NULL DEFAULT now(),
	revoked_at timestamptz
);

-- Single-use tokens sent by email: account confirmation and password reset.
CREATE TABLE user_tokens (
	id         bigserial PRIMARY KEY,
	user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	purpose    text NOT NULL CHECK (purpose IN ('confirm', 'reset')),
	token_hash bytea NOT NULL UNIQUE,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	used_at    timestamptz
);

-- Events counted by the rate limits (failed sign-ins, registrations,
-- reset requests): kind says what, key who (an email or a client address).
-- Rows older than the longest window are purged by the sender thread.
CREATE TABLE rate_events (
	id   bigserial PRIMARY KEY,
	kind text NOT NULL,
	key  text NOT NULL,
	at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rate_events_kind_key ON rate_events (kind, key, at);

CREATE TABLE audit_log (
	id         bigserial PRIMARY KEY,
	at         timestamptz NOT NULL DEFAULT now(),
	actor_id   bigint REFERENCES users (id),
	action     text NOT NULL,
	subject_id bigint,
	detail     text NOT NULL DEFAULT '',
	addr       text
);
CREATE INDEX audit_log_at ON audit_log (at);

-- Mail is rendered when it is queued, in the transaction of the change
-- that causes it; the sender only transmits.
CREATE TABLE mail_outbox (
	id              bigserial PRIMARY KEY,
	created_at      timestamptz NOT NULL DEFAULT now(),
	to_addr         text NOT NULL,
	subject         text NOT NULL,
	message         text NOT NULL,
	status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
	attempts        int NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	last_error      text,
	sent_at         timestamptz
);
CREATE INDEX mail_outbox_queue ON mail_outbox (next_attempt_at) WHERE status = 'queued';
