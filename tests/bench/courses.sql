-- courses.sql - data of the course scenarios of tests/bench/run.sh, loaded
-- after seed-demo: a published course of 10 modules x 10 lessons (a few
-- paragraphs and a video each), the demo operatore enrolled half way
-- through it, and 10,000 learners of one organisation who completed all
-- 100 lessons (1,000,000 completions) for the progress export.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO courses (title, slug, summary, audience, duration_minutes, published)
VALUES ('Corso di misura 10 × 10', 'misura-10x10', 'Dieci moduli di dieci lezioni ciascuno.',
        'Operatori sociali', 1000, true);
INSERT INTO modules (course_id, position, title, description)
SELECT c.id, m, 'Contesto di lavoro ' || m, 'Le attività del contesto ' || m || '.'
FROM courses c, generate_series(1, 10) m WHERE c.slug = 'misura-10x10';
INSERT INTO lessons (module_id, position, title, body_md, body_html, duration_minutes, published)
SELECT mo.id, l, 'Lezione ' || mo.position || '.' || l, 'Testo.',
       repeat('<p>L''operatore apre la scheda della persona, verifica i dati anagrafici e '
              'registra il colloquio con la data, gli esiti e i passi successivi concordati.</p>', 6),
       10, true
FROM modules mo JOIN courses c ON c.id = mo.course_id, generate_series(1, 10) l
WHERE c.slug = 'misura-10x10';
INSERT INTO lesson_videos (lesson_id, position, title, url, kind, embed_url, duration_minutes)
SELECT l.id, 1, 'Video dimostrativo', 'https://www.youtube.com/watch?v=aqz-KE-bpKQ', 'youtube',
       'https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ', 5
FROM lessons l JOIN modules m ON m.id = l.module_id JOIN courses c ON c.id = m.course_id
WHERE c.slug = 'misura-10x10';

INSERT INTO enrolments (user_id, course_id)
SELECT u.id, c.id FROM users u, courses c
WHERE u.email = 'operatore@demo.sigess.example' AND c.slug = 'misura-10x10';
INSERT INTO lesson_progress (user_id, lesson_id)
SELECT u.id, l.id FROM users u, lessons l JOIN modules m ON m.id = l.module_id
JOIN courses c ON c.id = m.course_id
WHERE u.email = 'operatore@demo.sigess.example' AND c.slug = 'misura-10x10' AND m.position <= 5;

INSERT INTO orgs (name, kind) VALUES ('Ente di misura', 'comune');
INSERT INTO users (email, name, password_hash, org_id, status)
SELECT 'persona' || g || '@misura.example', 'Persona di misura ' || g, 'x', o.id, 'active'
FROM orgs o, generate_series(1, 10000) g WHERE o.name = 'Ente di misura';
INSERT INTO enrolments (user_id, course_id)
SELECT u.id, c.id FROM users u, courses c
WHERE u.email LIKE '%@misura.example' AND c.slug = 'misura-10x10';
INSERT INTO lesson_progress (user_id, lesson_id, completed_at)
SELECT u.id, l.id, now() - (l.id % 97) * interval '1 hour'
FROM users u, lessons l JOIN modules m ON m.id = l.module_id JOIN courses c ON c.id = m.course_id
WHERE u.email LIKE '%@misura.example' AND c.slug = 'misura-10x10';
COMMIT;
ANALYZE;
