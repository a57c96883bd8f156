-- Courses: catalogue, modules, lessons, video links, enrolment, progress.
--
-- Positions are unique per parent with DEFERRABLE constraints, so that a
-- reorder can swap positions inside one transaction and still never
-- commit a duplicate.  Drafts: a course or a lesson with published =
-- false is shown to trainers, coordination and admins only.

CREATE TABLE courses (
	id               bigserial PRIMARY KEY,
	title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	slug             text NOT NULL UNIQUE
	                 CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
	summary          text NOT NULL DEFAULT '' CHECK (length(summary) <= 4000),
	audience         text NOT NULL DEFAULT '' CHECK (length(audience) <= 1000),
	duration_minutes int NOT NULL DEFAULT 0 CHECK (duration_minutes BETWEEN 0 AND 100000),
	published        boolean NOT NULL DEFAULT false,
	created_by       bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at       timestamptz NOT NULL DEFAULT now(),
	updated_at       timestamptz NOT NULL DEFAULT now()
);

-- A module is a "contesto di lavoro" of the course.
CREATE TABLE modules (
	id          bigserial PRIMARY KEY,
	course_id   bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	position    int NOT NULL CHECK (position >= 1),
	title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	description text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT modules_position UNIQUE (course_id, position) DEFERRABLE INITIALLY IMMEDIATE
);

-- body_html is discount's rendering of body_md (portal/md.c), made when
-- the lesson is saved: pages write it as is.
CREATE TABLE lessons (
	id               bigserial PRIMARY KEY,
	module_id        bigint NOT NULL REFERENCES modules (id) ON DELETE CASCADE,
	position         int NOT NULL CHECK (position >= 1),
	title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	body_md          text NOT NULL DEFAULT '' CHECK (length(body_md) <= 262144),
	body_html        text NOT NULL DEFAULT '',
	duration_minutes int NOT NULL DEFAULT 0 CHECK (duration_minutes BETWEEN 0 AND 10000),
	published        boolean NOT NULL DEFAULT false,
	created_at       timestamptz NOT NULL DEFAULT now(),
	updated_at       timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT lessons_position UNIQUE (module_id, position) DEFERRABLE INITIALLY IMMEDIATE
);

-- kind and embed_url come from courses/video.c when the video is saved;
-- only youtube and vimeo have an embed_url (the CSP's two frame origins).
CREATE TABLE lesson_videos (
	id               bigserial PRIMARY KEY,
	lesson_id        bigint NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
	position         int NOT NULL CHECK (position >= 1),
	title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	url              text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
	kind             text NOT NULL CHECK (kind IN ('youtube', 'vimeo', 'peertube', 'file', 'link')),
	embed_url        text CHECK ((embed_url IS NULL) = (kind NOT IN ('youtube', 'vimeo'))),
	duration_minutes int NOT NULL DEFAULT 0 CHECK (duration_minutes BETWEEN 0 AND 10000),
	CONSTRAINT lesson_videos_position UNIQUE (lesson_id, position) DEFERRABLE INITIALLY IMMEDIATE
);

CREATE TABLE enrolments (
	id          bigserial PRIMARY KEY,
	user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	course_id   bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	enrolled_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (user_id, course_id)
);
CREATE INDEX enrolments_course ON enrolments (course_id);

-- A row per completed lesson; editing a lesson never touches these.
CREATE TABLE lesson_progress (
	id           bigserial PRIMARY KEY,
	user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	lesson_id    bigint NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
	completed_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (user_id, lesson_id)
);
CREATE INDEX lesson_progress_lesson ON lesson_progress (lesson_id);
