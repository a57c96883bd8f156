-- Feedback forms (schede di segnalazione): versioned templates, collection
-- rounds (rilevazioni) sent to chosen organisations, and each
-- organisation's response, answer by answer (courses/feedback*.c).
--
-- A template's definition is JSON checked in C (courses/feedback.c,
-- feedback_definition_check) before it is stored; the shape is documented
-- in courses/feedback_db.h.  Editing a template inserts a new version: a
-- round points at the version it was created with, so submitted forms keep
-- the questions they were filled with.

CREATE TABLE feedback_templates (
	id          bigserial PRIMARY KEY,
	name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	description text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
	created_by  bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at  timestamptz NOT NULL DEFAULT now(),
	retired     boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX feedback_templates_name ON feedback_templates (lower(name));

CREATE TABLE feedback_template_versions (
	id          bigserial PRIMARY KEY,
	template_id bigint NOT NULL REFERENCES feedback_templates (id) ON DELETE CASCADE,
	version     int NOT NULL CHECK (version >= 1),
	definition  jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
	created_by  bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at  timestamptz NOT NULL DEFAULT now(),
	UNIQUE (template_id, version)
);

-- A round asks the organisations of feedback_round_orgs about a course
-- and a period.  closed_at: no more answers (set by coordination).
CREATE TABLE feedback_rounds (
	id                  bigserial PRIMARY KEY,
	template_version_id bigint NOT NULL REFERENCES feedback_template_versions (id),
	course_id           bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	period_from         date NOT NULL,
	period_to           date NOT NULL,
	due_date            date NOT NULL,
	created_by          bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at          timestamptz NOT NULL DEFAULT now(),
	closed_at           timestamptz,
	CHECK (period_to >= period_from)
);
CREATE INDEX feedback_rounds_course ON feedback_rounds (course_id);

-- reminded_at: when the reminder before the due date was queued (once).
CREATE TABLE feedback_round_orgs (
	round_id    bigint NOT NULL REFERENCES feedback_rounds (id) ON DELETE CASCADE,
	org_id      bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	reminded_at timestamptz,
	PRIMARY KEY (round_id, org_id)
);
CREATE INDEX feedback_round_orgs_org ON feedback_round_orgs (org_id);

-- One response per round and organisation, shared by its referents.  A
-- row exists from the first saved answer (draft) on; reopening sets the
-- status back to draft and records who and when.
CREATE TABLE feedback_responses (
	round_id     bigint NOT NULL,
	org_id       bigint NOT NULL,
	status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
	submitted_at timestamptz,
	submitted_by bigint REFERENCES users (id) ON DELETE SET NULL,
	reopened_at  timestamptz,
	reopened_by  bigint REFERENCES users (id) ON DELETE SET NULL,
	PRIMARY KEY (round_id, org_id),
	FOREIGN KEY (round_id, org_id) REFERENCES feedback_round_orgs (round_id, org_id) ON DELETE CASCADE,
	CHECK ((status = 'submitted') = (submitted_at IS NOT NULL))
);

-- answer_key: "q1" for a plain question, "q5/m12/comprensione" for a cell
-- of a module grid (question key / "m" module id / column key).  value: a
-- JSON number, string or array of strings, checked in C against the
-- round's template version.  Last write per answer wins.
CREATE TABLE feedback_answers (
	round_id   bigint NOT NULL,
	org_id     bigint NOT NULL,
	answer_key text NOT NULL CHECK (answer_key ~ '^[a-z0-9_]{1,40}(/m[0-9]{1,18}/[a-z0-9_]{1,40})?$'),
	value      jsonb NOT NULL CHECK (jsonb_typeof(value) IN ('number', 'string', 'array')),
	updated_by bigint REFERENCES users (id) ON DELETE SET NULL,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (round_id, org_id, answer_key),
	FOREIGN KEY (round_id, org_id) REFERENCES feedback_responses (round_id, org_id) ON DELETE CASCADE
);
