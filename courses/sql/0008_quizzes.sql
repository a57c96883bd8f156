-- Final tests: question banks per module, quizzes, attempts and grades.
--
-- The grading itself is in C (courses/grade.c): a question's key is the
-- JSON "spec" documented in courses/grade.h, checked there before it is
-- stored.  An attempt is server-side state: its questions and their order
-- are fixed when it starts, answers are saved one by one, and grading
-- happens once, when submitted_at is set.

CREATE TABLE question_categories (
	id        bigserial PRIMARY KEY,
	module_id bigint NOT NULL REFERENCES modules (id) ON DELETE CASCADE,
	name      text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	UNIQUE (module_id, name)
);

-- A retired question is never drawn again but stays for the attempts that
-- hold it, so that their review and grades remain.
CREATE TABLE questions (
	id            bigserial PRIMARY KEY,
	category_id   bigint NOT NULL REFERENCES question_categories (id) ON DELETE CASCADE,
	kind          text NOT NULL
	              CHECK (kind IN ('single', 'multiple', 'truefalse', 'matching', 'short', 'numeric')),
	text_md       text NOT NULL CHECK (length(text_md) BETWEEN 1 AND 8000),
	text_html     text NOT NULL,
	feedback_md   text NOT NULL DEFAULT '' CHECK (length(feedback_md) <= 8000),
	feedback_html text NOT NULL DEFAULT '',
	points        int NOT NULL DEFAULT 1 CHECK (points BETWEEN 1 AND 100),
	spec          jsonb NOT NULL CHECK (jsonb_typeof(spec) = 'object'),
	retired       boolean NOT NULL DEFAULT false,
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX questions_category ON questions (category_id);

-- A module's final test (module_id set) or a course's verification test
-- (module_id NULL, purpose 'verification').  Review settings say when the
-- learner may see each part of a submitted attempt: 'immediately' (once
-- submitted), 'after_close' (once closes_at has passed) or 'never'.
CREATE TABLE quizzes (
	id                   bigserial PRIMARY KEY,
	course_id            bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	module_id            bigint UNIQUE REFERENCES modules (id) ON DELETE CASCADE,
	purpose              text NOT NULL DEFAULT 'final' CHECK (purpose IN ('final', 'verification')),
	title                text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	intro_md             text NOT NULL DEFAULT '' CHECK (length(intro_md) <= 8000),
	intro_html           text NOT NULL DEFAULT '',
	pass_percent         int NOT NULL DEFAULT 60 CHECK (pass_percent BETWEEN 0 AND 100),
	time_limit_seconds   int CHECK (time_limit_seconds BETWEEN 60 AND 604800),
	attempts_allowed     int NOT NULL DEFAULT 0 CHECK (attempts_allowed BETWEEN 0 AND 100),
	min_delay_seconds    int NOT NULL DEFAULT 0 CHECK (min_delay_seconds BETWEEN 0 AND 31536000),
	grading              text NOT NULL DEFAULT 'highest'
	                     CHECK (grading IN ('highest', 'last', 'average', 'first')),
	shuffle_questions    boolean NOT NULL DEFAULT true,
	shuffle_choices      boolean NOT NULL DEFAULT true,
	review_answers       text NOT NULL DEFAULT 'immediately'
	                     CHECK (review_answers IN ('immediately', 'after_close', 'never')),
	review_correctness   text NOT NULL DEFAULT 'immediately'
	                     CHECK (review_correctness IN ('immediately', 'after_close', 'never')),
	review_feedback      text NOT NULL DEFAULT 'immediately'
	                     CHECK (review_feedback IN ('immediately', 'after_close', 'never')),
	review_right_answers text NOT NULL DEFAULT 'after_close'
	                     CHECK (review_right_answers IN ('immediately', 'after_close', 'never')),
	opens_at             timestamptz,
	closes_at            timestamptz CHECK (closes_at > opens_at),
	published            boolean NOT NULL DEFAULT false,
	created_at           timestamptz NOT NULL DEFAULT now(),
	updated_at           timestamptz NOT NULL DEFAULT now(),
	CHECK ((purpose = 'final') = (module_id IS NOT NULL))
);
CREATE INDEX quizzes_course ON quizzes (course_id);

-- What an attempt draws: count random questions of a category, or one
-- fixed question.  Fixed questions are left out of the random draws.
CREATE TABLE quiz_draws (
	id          bigserial PRIMARY KEY,
	quiz_id     bigint NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
	position    int NOT NULL CHECK (position >= 1),
	category_id bigint REFERENCES question_categories (id) ON DELETE CASCADE,
	question_id bigint REFERENCES questions (id) ON DELETE CASCADE,
	count       int NOT NULL DEFAULT 1 CHECK (count BETWEEN 1 AND 100),
	CHECK ((category_id IS NULL) <> (question_id IS NULL)),
	CHECK (question_id IS NULL OR count = 1),
	UNIQUE (quiz_id, position),
	UNIQUE (quiz_id, category_id),
	UNIQUE (quiz_id, question_id)
);

-- deadline is the server's: started_at plus the time limit, never later
-- than the quiz's closes_at.  score is the share of points earned (0..1),
-- set with submitted_at when the attempt is graded.
CREATE TABLE quiz_attempts (
	id           bigserial PRIMARY KEY,
	quiz_id      bigint NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
	user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	number       int NOT NULL CHECK (number >= 1),
	started_at   timestamptz NOT NULL DEFAULT now(),
	deadline     timestamptz,
	submitted_at timestamptz,
	score        double precision CHECK (score BETWEEN 0 AND 1),
	passed       boolean,
	UNIQUE (quiz_id, user_id, number),
	CHECK ((submitted_at IS NULL) = (score IS NULL) AND (score IS NULL) = (passed IS NULL))
);
-- One attempt in progress per learner and quiz: starting again resumes it.
CREATE UNIQUE INDEX quiz_attempts_open ON quiz_attempts (quiz_id, user_id) WHERE submitted_at IS NULL;
CREATE INDEX quiz_attempts_user ON quiz_attempts (user_id);

-- The questions of an attempt in the order shown, with the order of their
-- choices (matching: of their options), the saved answer and, once
-- graded, the share of the question's points earned.
CREATE TABLE attempt_questions (
	attempt_id  bigint NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,
	question_id bigint NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
	position    int NOT NULL CHECK (position >= 1),
	item_order  int[] NOT NULL DEFAULT '{}',
	answer      jsonb CHECK (jsonb_typeof(answer) = 'object'),
	answered_at timestamptz,
	score       double precision CHECK (score BETWEEN 0 AND 1),
	PRIMARY KEY (attempt_id, question_id),
	UNIQUE (attempt_id, position)
);
CREATE INDEX attempt_questions_question ON attempt_questions (question_id);

-- A learner's grade for a quiz, from their graded attempts by the quiz's
-- grading method; rewritten at each submission and regrade.
CREATE TABLE quiz_grades (
	quiz_id    bigint NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
	user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	grade      double precision NOT NULL CHECK (grade BETWEEN 0 AND 1),
	passed     boolean NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (quiz_id, user_id)
);

-- Set when every published final test of the course is passed; it stays
-- set (a later, worse attempt does not undo a completed course).
ALTER TABLE enrolments ADD COLUMN completed_at timestamptz;
