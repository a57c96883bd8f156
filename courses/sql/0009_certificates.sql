-- Autonomy certification: levels per course, verification tests, signed
-- certificates and the reminders about them.

-- A course's levels in order.  'final_tests': every final test of the
-- course passed (the first cycle, "Base").  'verification': every
-- verification test of the level passed; those tests open opens_after_days
-- after the certificate of the level before (the second cycle,
-- "Autonomo").  valid_days: how long a certificate lasts (NULL: forever).
CREATE TABLE certification_levels (
	id               bigserial PRIMARY KEY,
	course_id        bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	position         int NOT NULL CHECK (position >= 1),
	name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
	rule             text NOT NULL CHECK (rule IN ('final_tests', 'verification')),
	opens_after_days int NOT NULL DEFAULT 0 CHECK (opens_after_days BETWEEN 0 AND 3650),
	valid_days       int CHECK (valid_days BETWEEN 1 AND 36500),
	UNIQUE (course_id, name),
	UNIQUE (course_id, position),
	CHECK (rule = 'verification' OR opens_after_days = 0)
);

-- A verification test belongs to a level.
ALTER TABLE quizzes
	ADD COLUMN level_id bigint REFERENCES certification_levels (id) ON DELETE CASCADE,
	ADD CONSTRAINT quizzes_level CHECK ((purpose = 'verification') = (level_id IS NOT NULL));
CREATE INDEX quizzes_level ON quizzes (level_id);

-- payload is the canonical JSON that was signed (courses/certificate.c),
-- kept byte for byte: the fields beside it are copies for queries.  A
-- revoked certificate stays, saying so.  granted_by/grant_reason: a level
-- granted by coordination instead of earned.
CREATE TABLE certificates (
	id             bigserial PRIMARY KEY,
	code           text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$'),
	user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	course_id      bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	level_id       bigint NOT NULL REFERENCES certification_levels (id) ON DELETE CASCADE,
	holder         text NOT NULL,
	course_title   text NOT NULL,
	level_name     text NOT NULL,
	issued_on      date NOT NULL,
	expires_on     date CHECK (expires_on > issued_on),
	payload        text NOT NULL,
	signature      text NOT NULL,
	key_id         text NOT NULL,
	granted_by     bigint REFERENCES users (id) ON DELETE SET NULL,
	grant_reason   text CHECK (length(grant_reason) <= 2000),
	revoked_at     timestamptz,
	revoked_by     bigint REFERENCES users (id) ON DELETE SET NULL,
	revoke_reason  text CHECK (length(revoke_reason) <= 2000),
	created_at     timestamptz NOT NULL DEFAULT now(),
	CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL))
);
-- One valid certificate per person and level.
CREATE UNIQUE INDEX certificates_current ON certificates (user_id, level_id) WHERE revoked_at IS NULL;
CREATE INDEX certificates_user ON certificates (user_id);

-- Each reminder is sent once: the row is written with the mail, in one
-- transaction.
CREATE TABLE certificate_reminders (
	certificate_id bigint NOT NULL REFERENCES certificates (id) ON DELETE CASCADE,
	kind           text NOT NULL CHECK (kind IN ('verification_open', 'expiry')),
	sent_at        timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (certificate_id, kind)
);
