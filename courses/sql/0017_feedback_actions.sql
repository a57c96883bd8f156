-- Actions on the findings of a feedback round (courses/feedback_dashboard.c):
-- what coordination decides after reading the forms ("nuovo webinar sul
-- modulo 2"), who does it and by when, and when it was done.  An action
-- may point at a module of the round's course and at a question of the
-- round's template (its key, checked in C against the round's version):
-- the loop from feedback to new training, visible on the round's page
-- and in its report.

CREATE TABLE feedback_actions (
	id           bigserial PRIMARY KEY,
	round_id     bigint NOT NULL REFERENCES feedback_rounds (id) ON DELETE CASCADE,
	module_id    bigint REFERENCES modules (id) ON DELETE SET NULL,
	question_key text CHECK (question_key ~ '^[a-z0-9_]{1,40}$'),
	body         text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
	-- The owner is a user of the portal or, for someone without an
	-- account (an external trainer), a name as typed; never both.
	owner_id     bigint REFERENCES users (id) ON DELETE SET NULL,
	owner_name   text CHECK (length(owner_name) BETWEEN 1 AND 200),
	due_date     date,
	created_by   bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at   timestamptz NOT NULL DEFAULT now(),
	done_at      timestamptz,
	done_by      bigint REFERENCES users (id) ON DELETE SET NULL,
	CHECK (owner_id IS NULL OR owner_name IS NULL),
	CHECK (done_by IS NULL OR done_at IS NOT NULL)
);
CREATE INDEX feedback_actions_round ON feedback_actions (round_id);
