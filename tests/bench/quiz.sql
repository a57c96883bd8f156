-- quiz.sql - data of the quiz scenario (F) of tests/bench/run.sh, loaded
-- after seed-demo: 200 active learners (quiz1..quiz200@misura.example)
-- enrolled in a published one-module course whose final test has 10 fixed
-- questions of every kind, shuffled questions and choices, unlimited
-- attempts, no time limit.  Their bearer tokens are added by run.sh:
-- api_tokens holds BLAKE2b hashes, which PostgreSQL cannot compute.
--
-- tests/bench/quizload.c answers from the question ids and kinds it reads
-- in the attempt, and knows two keys only: the short question accepts
-- "risposta 0" and "risposta 2", the numeric one 2 +- 1.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO courses (title, slug, summary, audience, duration_minutes, published)
VALUES ('Corso di misura del test', 'misura-test', 'Un modulo con un test finale di dieci domande.',
        'Operatori sociali', 30, true);
INSERT INTO modules (course_id, position, title, description)
SELECT c.id, 1, 'Il test delle 9:00', 'Tutti iniziano il test nello stesso momento.'
FROM courses c WHERE c.slug = 'misura-test';
INSERT INTO question_categories (module_id, name)
SELECT m.id, 'Misura' FROM modules m JOIN courses c ON c.id = m.course_id
WHERE c.slug = 'misura-test';

-- The 10 questions, in the order of their ids (k is the draw position).
CREATE TEMP TABLE bench_questions (k int, kind text, spec jsonb) ON COMMIT DROP;
INSERT INTO bench_questions VALUES
 (1, 'single', '{"choices": [{"text": "Prima", "correct": true}, {"text": "Seconda", "correct": false},
   {"text": "Terza", "correct": false}, {"text": "Quarta", "correct": false}]}'),
 (2, 'single', '{"choices": [{"text": "Sì", "correct": false}, {"text": "No", "correct": true},
   {"text": "Dipende", "correct": false}]}'),
 (3, 'single', '{"choices": [{"text": "A", "correct": false}, {"text": "B", "correct": false},
   {"text": "C", "correct": false}, {"text": "D", "correct": false}, {"text": "E", "correct": true}]}'),
 (4, 'multiple', '{"choices": [{"text": "Uno", "correct": true}, {"text": "Due", "correct": false},
   {"text": "Tre", "correct": true}, {"text": "Quattro", "correct": false}]}'),
 (5, 'multiple', '{"choices": [{"text": "Rosso", "correct": true}, {"text": "Verde", "correct": true},
   {"text": "Blu", "correct": true}, {"text": "Nero", "correct": false}, {"text": "Bianco", "correct": false}]}'),
 (6, 'truefalse', '{"answer": true}'),
 (7, 'truefalse', '{"answer": false}'),
 (8, 'matching', '{"pairs": [{"prompt": "PUA", "match": "Accesso integrato"},
   {"prompt": "PAI", "match": "Progetto individuale"}, {"prompt": "ISEE", "match": "Indicatore economico"},
   {"prompt": "SIUSS", "match": "Sistema informativo"}]}'),
 (9, 'short', '{"accepted": ["risposta 0", "RISPOSTA 2"]}'),
 (10, 'numeric', '{"value": 2, "tolerance": 1}');
INSERT INTO questions (category_id, kind, text_md, text_html, feedback_md, feedback_html, points, spec)
SELECT qc.id, b.kind, 'Domanda di misura ' || b.k || '.', '<p>Domanda di misura ' || b.k || '.</p>',
       'Spiegazione ' || b.k || '.', '<p>Spiegazione ' || b.k || '.</p>', 1 + b.k % 3, b.spec
FROM bench_questions b, question_categories qc
JOIN modules m ON m.id = qc.module_id JOIN courses c ON c.id = m.course_id
WHERE c.slug = 'misura-test'
ORDER BY b.k;

INSERT INTO quizzes (course_id, module_id, title, pass_percent, time_limit_seconds, attempts_allowed,
                     shuffle_questions, shuffle_choices, review_right_answers, published)
SELECT c.id, m.id, 'Test finale di misura', 60, NULL, 0, true, true, 'immediately', true
FROM courses c JOIN modules m ON m.course_id = c.id WHERE c.slug = 'misura-test';
INSERT INTO quiz_draws (quiz_id, position, question_id, count)
SELECT z.id, row_number() OVER (ORDER BY q.id), q.id, 1
FROM quizzes z JOIN courses c ON c.id = z.course_id
JOIN question_categories qc ON qc.module_id = z.module_id
JOIN questions q ON q.category_id = qc.id
WHERE c.slug = 'misura-test';

INSERT INTO orgs (name, kind) VALUES ('Ente del test di misura', 'comune');
INSERT INTO users (email, name, password_hash, org_id, status, privacy_accepted_at)
SELECT 'quiz' || g || '@misura.example', 'Persona del test ' || g, 'x', o.id, 'active', now()
FROM orgs o, generate_series(1, 200) g WHERE o.name = 'Ente del test di misura';
INSERT INTO enrolments (user_id, course_id)
SELECT u.id, c.id FROM users u, courses c
WHERE u.email LIKE 'quiz%@misura.example' AND c.slug = 'misura-test';
COMMIT;
-- Statistics for the fixtures only: the tables the run fills (attempts,
-- answers, grades, tokens) stay never analysed, so the planner assumes a
-- table of some size and looks rows up by their indexes.  Analysed while
-- empty, they would be planned as sequential scans that the run then
-- repeats thousands of times over a growing table, which no portal that
-- has been in use for a day does.
ANALYZE users, orgs, enrolments, courses, modules, lessons, quizzes, quiz_draws, questions,
	question_categories;
