-- Cohorts (classi): an edition of a course for a set of people, with a
-- start date and a calendar (cronoprogramma) of sessions per module, live
-- ("in diretta") and recorded ("in differita").  Times are timestamptz:
-- pages show them in Europe/Rome, .ics feeds in UTC.  Link columns only
-- ever hold http(s) URLs, checked here as well as in cohort.c.

CREATE TABLE cohorts (
	id         bigserial PRIMARY KEY,
	course_id  bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	starts_on  date NOT NULL,
	created_by bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (course_id, name)
);
CREATE INDEX cohorts_course ON cohorts (course_id, starts_on);

CREATE TABLE cohort_members (
	cohort_id bigint NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
	user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	added_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (cohort_id, user_id)
);
CREATE INDEX cohort_members_user ON cohort_members (user_id);

CREATE TABLE cohort_sessions (
	id            bigserial PRIMARY KEY,
	cohort_id     bigint NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
	module_id     bigint REFERENCES modules (id) ON DELETE SET NULL,
	kind          text NOT NULL CHECK (kind IN ('live', 'recording')),
	starts_at     timestamptz NOT NULL,
	ends_at       timestamptz NOT NULL,
	place         text NOT NULL DEFAULT '' CHECK (length(place) <= 300),
	meeting_url   text CHECK (meeting_url ~* '^https?://[^[:space:]]+$' AND length(meeting_url) <= 2000),
	recording_url text CHECK (recording_url ~* '^https?://[^[:space:]]+$' AND length(recording_url) <= 2000),
	CHECK (ends_at > starts_at)
);
CREATE INDEX cohort_sessions_cohort ON cohort_sessions (cohort_id, starts_at);
