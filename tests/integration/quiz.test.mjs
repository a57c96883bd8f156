// Final tests of modules (issue 4): attempts are server-side state that
// resumes, saves answers one by one (two tabs at once), refuses saves after
// the deadline and grades what was saved by then, grades once however
// often it is submitted, refuses forged answers and question ids, keeps
// every attempt private to its learner, grades each kind of question
// right, completes the course when all module tests are passed, and works
// as plain HTML forms without JavaScript.  Real stack (tests/lib/harness.mjs);
// every check looks at the stored rows as well as the answer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, startStack } from '../lib/harness.mjs';
import { apiLogin, assertApiError, createUser, lit, loginAs, tokenFor, uniq } from './util.mjs';

let s, adminToken, demoCourse, demo;
before(async () => {
  s = await startStack();
  adminToken = tokenFor(s, s.demo.admin.email);
  demoCourse = Number(s.sql("SELECT id FROM courses WHERE slug = 'sigess-uso-della-piattaforma'"));
  // The demo's module tests, in module order: { quiz, module }.
  demo = s.sql(`SELECT z.id, z.module_id FROM quizzes z JOIN modules m ON m.id = z.module_id
                WHERE z.course_id = ${demoCourse} ORDER BY m.position`)
    .split('\n').map((l) => { const [quiz, module] = l.split('|').map(Number); return { quiz, module }; });
});
after(async () => { await s?.stop(); });

// ---- helpers ----

// An API call with the session's CSRF token; json may be a raw string.
const api = (c, method, path, json) => c.request(method, path, { json, headers: { 'x-csrf-token': c.csrfToken } });
const start = (c, quizId) => api(c, 'POST', `/api/v1/quizzes/${quizId}/attempts`);
const put = (c, attemptId, qid, answer) => api(c, 'PUT', `/api/v1/attempts/${attemptId}/answers/${qid}`, answer);
const submit = (c, attemptId, body) => api(c, 'POST', `/api/v1/attempts/${attemptId}/submit`, body);

// A fresh active account signed in through the API, enrolled in courseId
// (none when null): each test has its own learner, so attempt limits and
// grades of one test never leak into another.
async function learner(courseId = demoCourse, stack = s, admin = adminToken) {
  const u = await createUser(stack, admin, { name: `Discente ${uniq()}` });
  const c = await apiLogin(stack, u.email, u.password);
  c.user = u;
  if (courseId !== null) {
    const e = await api(c, 'POST', `/api/v1/courses/${courseId}/enrolments`);
    assert.equal(e.status, 201, e.text);
  }
  return c;
}

// A question's kind, points and key, read from the database.
function key(qid, stack = s) {
  return JSON.parse(stack.sql(`SELECT json_build_object('kind', kind, 'points', points, 'spec', spec)::text
                           FROM questions WHERE id = ${qid}`));
}

// The right answer to a key (courses/grade.h shapes).
function rightAnswer({ kind, spec }) {
  switch (kind) {
    case 'single': return { choice: spec.choices.findIndex((c) => c.correct) + 1 };
    case 'multiple': return { choices: spec.choices.flatMap((c, i) => (c.correct ? [i + 1] : [])) };
    case 'truefalse': return { value: spec.answer };
    case 'matching': return { matches: Object.fromEntries(spec.pairs.map((p, i) =>
      [String(i + 1), spec.pairs.findIndex((q) => q.match === p.match) + 1])) };
    case 'short': return { text: spec.accepted[0] };
    case 'numeric': return { value: spec.value };
    default: throw new Error(`unknown kind ${kind}`);
  }
}

// A valid answer to a key that differs for n and n + 1 (any kind).
function variant({ kind, spec }, n) {
  switch (kind) {
    case 'single': return { choice: (n % spec.choices.length) + 1 };
    case 'multiple': return { choices: [(n % spec.choices.length) + 1] };
    case 'truefalse': return { value: n % 2 === 0 };
    case 'matching': return { matches: { [String((n % spec.pairs.length) + 1)]: 1 } };
    case 'short': return { text: `risposta ${n}` };
    case 'numeric': return { value: n };
    default: throw new Error(`unknown kind ${kind}`);
  }
}

// The stored answers of an attempt: { question_id: answer or null }.
function stored(attemptId, stack = s) {
  return JSON.parse(stack.sql(`SELECT coalesce(json_object_agg(question_id, answer), '{}')::text
                           FROM attempt_questions WHERE attempt_id = ${attemptId}`));
}

// The stored row of an attempt (timestamps as text, microseconds included).
function attemptRow(attemptId) {
  return JSON.parse(s.sql(`SELECT json_build_object('submitted_at', submitted_at::text, 'score', score,
                             'passed', passed, 'number', number, 'user_id', user_id)::text
                           FROM quiz_attempts WHERE id = ${attemptId}`));
}

const nAttempts = (quizId, userId) => Number(s.sql(`SELECT count(*) FROM quiz_attempts WHERE quiz_id = ${quizId} AND user_id = ${userId}`));
const nGrades = (quizId, userId) => Number(s.sql(`SELECT count(*) FROM quiz_grades WHERE quiz_id = ${quizId} AND user_id = ${userId}`));

// The share of points a set of answered questions is worth, as the API rounds it.
const percent = (share) => Math.floor(share * 100 + 0.5);

/*
 * A published course with one module and its final test made of fixed
 * questions in the given order (no shuffling), through SQL: there is no
 * question-bank API yet.  questions: [{ kind, spec, points, text }].
 */
function makeQuiz({ questions, pass = 60, attempts = 0, delay = 0, review = 'immediately',
  rightAnswers = 'immediately' }) {
  const slug = uniq('quiz').toLowerCase();
  const courseId = Number(s.sql(`INSERT INTO courses (title, slug, summary, published)
    VALUES (${lit(`Corso ${slug}`)}, ${lit(slug)}, 'Corso con un test', true) RETURNING id`));
  const moduleId = Number(s.sql(`INSERT INTO modules (course_id, position, title)
    VALUES (${courseId}, 1, 'Modulo con test') RETURNING id`));
  const cat = Number(s.sql(`INSERT INTO question_categories (module_id, name) VALUES (${moduleId}, 'Tutte') RETURNING id`));
  const qids = questions.map((q, i) => {
    const text = q.text ?? `Domanda numero ${i + 1}`;
    return Number(s.sql(`INSERT INTO questions (category_id, kind, text_md, text_html, feedback_md, feedback_html, points, spec)
      VALUES (${cat}, ${lit(q.kind)}, ${lit(text)}, ${lit(`<p>${text}</p>`)}, 'Spiegazione', '<p>Spiegazione</p>',
              ${q.points ?? 1}, ${lit(JSON.stringify(q.spec))}) RETURNING id`));
  });
  const quizId = Number(s.sql(`INSERT INTO quizzes (course_id, module_id, title, pass_percent, attempts_allowed,
      min_delay_seconds, shuffle_questions, shuffle_choices, review_answers, review_correctness, review_feedback,
      review_right_answers, published)
    VALUES (${courseId}, ${moduleId}, 'Test di prova', ${pass}, ${attempts}, ${delay}, false, false,
            ${lit(review)}, ${lit(review)}, ${lit(review)}, ${lit(rightAnswers)}, true) RETURNING id`));
  qids.forEach((q, i) => s.sql(`INSERT INTO quiz_draws (quiz_id, position, question_id) VALUES (${quizId}, ${i + 1}, ${q})`));
  return { courseId, moduleId, quizId, qids };
}

// One question of every kind, with known keys.
const KINDS = [
  { kind: 'single', spec: { choices: [{ text: 'Giusta', correct: true }, { text: 'Sbagliata', correct: false },
    { text: 'Altra sbagliata', correct: false }] } },
  { kind: 'multiple', spec: { choices: [{ text: 'Uno', correct: true }, { text: 'Due', correct: true },
    { text: 'Tre', correct: false }] } },
  { kind: 'truefalse', spec: { answer: false } },
  { kind: 'matching', spec: { pairs: [{ prompt: 'Roma', match: 'Lazio' }, { prompt: 'Milano', match: 'Lombardia' },
    { prompt: 'Latina', match: 'Lazio' }] } },
  { kind: 'short', spec: { accepted: ['Codice fiscale'] } },
  { kind: 'numeric', spec: { value: 12.5, tolerance: 0.5 } },
];

// ---- 1. start, resume, nothing of the key before submission ----

describe('start and resume', () => {
  it('starts (201), resumes the same attempt (200) and shows no right answer before submission', async () => {
    const c = await learner();
    const { quiz, module } = demo[0];
    const r1 = await start(c, quiz);
    assert.equal(r1.status, 201, r1.text);
    const a = r1.json();
    assert.equal(a.quiz_id, quiz);
    assert.equal(a.number, 1);
    assert.equal(a.state, 'open');
    assert.equal(a.questions.length, 5);
    assert.equal(a.submitted_at, null);
    assert.ok(a.seconds_left > 1100 && a.seconds_left <= 1200, `20 minutes from now: ${a.seconds_left}`);
    for (const k of ['"correct"', '"accepted"', '"right_answer"', '"pairs"', '"tolerance"', '"feedback_html"', '"score_percent"']) {
      assert.ok(!r1.text.includes(k), `no ${k} before submission`);
    }
    assert.ok(a.questions.every((q) => q.answer === null));
    // The draw follows the quiz: 2 + 2 + 1 questions from the three categories.
    const cats = s.sql(`SELECT string_agg(n::text, ',' ORDER BY name) FROM (SELECT c.name, count(*) AS n
      FROM attempt_questions aq JOIN questions q ON q.id = aq.question_id JOIN question_categories c ON c.id = q.category_id
      WHERE aq.attempt_id = ${a.id} GROUP BY c.name) x`);
    assert.equal(cats, '1,2,2', 'Casi pratici 1, Concetti 2, Procedure 2');
    assert.deepEqual(a.questions.map((q) => q.position), [1, 2, 3, 4, 5]);
    // Choices are shown under their key ids, each once, whatever the order.
    for (const q of a.questions.filter((x) => x.choices)) {
      assert.deepEqual(q.choices.map((x) => x.id).sort((x, y) => x - y), key(q.id).spec.choices.map((_, i) => i + 1));
    }

    const r2 = await start(c, quiz);
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json().id, a.id, 'the attempt in progress is resumed');
    assert.deepEqual(r2.json().questions, a.questions, 'same questions in the same order');
    for (const k of ['"correct"', '"accepted"', '"right_answer"']) assert.ok(!r2.text.includes(k), `no ${k} on resume`);
    const g = await c.get(`/api/v1/attempts/${a.id}`);
    assert.equal(g.status, 200);
    for (const k of ['"correct"', '"accepted"', '"right_answer"']) assert.ok(!g.text.includes(k), `no ${k} in GET`);
    assert.equal(nAttempts(quiz, c.user.id), 1, 'one attempt stored');
    assert.equal(Number(s.sql(`SELECT count(*) FROM attempt_questions WHERE attempt_id = ${a.id}`)), 5);

    const m = await c.get(`/api/v1/modules/${module}/quiz`);
    assert.equal(m.status, 200, m.text);
    const st = m.json().standing;
    assert.deepEqual([st.enrolled, st.attempts, st.attempt_in_progress, st.passed, st.grade_percent],
      [true, 1, a.id, false, null]);
    assert.equal(m.json().questions, 5);
    assert.equal(m.json().attempts_allowed, 3);

    // The question page before submission shows no right answer either.
    const page = await c.get(`/tentativi/${a.id}/domande/1`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /risposta giusta|Risposta giusta|Risposta corretta/i);
  });

  it('answers 401 without a session, 403 without the CSRF token, 404 for an unknown quiz', async () => {
    assertApiError(await new Client(s.baseUrl).request('POST', `/api/v1/quizzes/${demo[0].quiz}/attempts`), 401);
    const c = await learner();
    assertApiError(await start(c, 999999999), 404, 'not_found');
    assertApiError(await c.request('POST', `/api/v1/quizzes/${demo[0].quiz}/attempts`), 403);	// no CSRF token
    assert.equal(nAttempts(demo[0].quiz, c.user.id), 0);
  });
});

// ---- 2. two tabs ----

describe('two tabs on one attempt', () => {
  it('saves every answer from two concurrent streams; the same question keeps the last write', async () => {
    const tabA = await learner();
    const tabB = await apiLogin(s, tabA.user.email, tabA.user.password);	// a second session of the same learner
    const a = (await start(tabA, demo[1].quiz)).json();
    const [shared, ...others] = a.questions.map((q) => ({ id: q.id, key: key(q.id) }));
    const sharedValues = Array.from({ length: 10 }, (_, n) => variant(shared.key, n));
    const stream = async (tab, own, parity) => {
      const out = [];
      for (let i = 0; i < 5; i++) {
        if (own[i]) out.push(await put(tab, a.id, own[i].id, rightAnswer(own[i].key)));
        out.push(await put(tab, a.id, shared.id, sharedValues[2 * i + parity]));
      }
      return out;
    };
    const [ra, rb] = await Promise.all([stream(tabA, others.slice(0, 2), 0), stream(tabB, others.slice(2), 1)]);
    for (const r of [...ra, ...rb]) {
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json().saved, true);
    }
    const db = stored(a.id);
    for (const q of others) assert.deepEqual(db[q.id], rightAnswer(q.key), `question ${q.id} saved`);
    // Each tab wrote its values in order: the survivor is one tab's last write, never an older one.
    assert.ok([sharedValues[8], sharedValues[9]].some((v) => JSON.stringify(v) === JSON.stringify(db[shared.id])),
      `last write kept: ${JSON.stringify(db[shared.id])}`);
    const seen = (await tabB.get(`/api/v1/attempts/${a.id}`)).json();
    for (const q of seen.questions) assert.deepEqual(q.answer, db[q.id], `GET shows the stored answer of ${q.id}`);

    // In a known order, the later write wins and null clears.
    assert.equal((await put(tabA, a.id, shared.id, sharedValues[0])).status, 200);
    assert.equal((await put(tabB, a.id, shared.id, sharedValues[1])).status, 200);
    assert.deepEqual(stored(a.id)[shared.id], sharedValues[1]);
    assert.deepEqual((await tabA.get(`/api/v1/attempts/${a.id}`)).json().questions[0].answer, sharedValues[1]);
    assert.equal(attemptRow(a.id).submitted_at, null, 'saving never submits');
  });

  it('a DELETE clears a saved answer', async () => {
    const c = await learner();
    const a = (await start(c, demo[1].quiz)).json();
    const q = { id: a.questions[0].id, key: key(a.questions[0].id) };
    assert.equal((await put(c, a.id, q.id, rightAnswer(q.key))).status, 200);
    const r = await api(c, 'DELETE', `/api/v1/attempts/${a.id}/answers/${q.id}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().cleared, true);
    assert.equal(stored(a.id)[q.id], null, 'DELETE clears the answer');
    assert.equal(s.sql(`SELECT answered_at IS NULL FROM attempt_questions WHERE attempt_id = ${a.id} AND question_id = ${q.id}`), 't');
    assert.equal((await c.get(`/api/v1/attempts/${a.id}`)).json().questions[0].answer, null);
  });
});

// ---- 3. the deadline ----

describe('deadline', () => {
  it('grades what was saved by the deadline, ignores answers sent with a late submit, refuses a late save', async () => {
    const c = await learner();
    const { quiz } = demo[2];
    const a = (await start(c, quiz)).json();
    const qs = a.questions.map((q) => ({ id: q.id, key: key(q.id) }));
    for (const q of qs.slice(0, 2)) assert.equal((await put(c, a.id, q.id, rightAnswer(q.key))).status, 200);
    s.sql(`UPDATE quiz_attempts SET deadline = now() - interval '1 second' WHERE id = ${a.id}`);
    const late = Object.fromEntries(qs.slice(2).map((q) => [String(q.id), rightAnswer(q.key)]));
    const r = await submit(c, a.id, { answers: late });
    assert.equal(r.status, 200, r.text);
    const graded = r.json();
    const total = qs.reduce((t, q) => t + q.key.points, 0);
    const saved = qs.slice(0, 2).reduce((t, q) => t + q.key.points, 0);
    assert.equal(graded.state, 'submitted');
    assert.equal(graded.score_percent, percent(saved / total), 'only the two answers saved in time count');
    assert.equal(graded.passed, false);
    const db = stored(a.id);
    for (const q of qs.slice(2)) assert.equal(db[q.id], null, `late answer to ${q.id} not stored`);
    const row = attemptRow(a.id);
    assert.ok(row.submitted_at);
    assert.ok(Math.abs(row.score - saved / total) < 1e-9);
    assert.equal(s.sql(`SELECT string_agg(coalesce(score::text, '-'), ',' ORDER BY position) FROM attempt_questions
                        WHERE attempt_id = ${a.id}`).split(',').filter((x) => x === '1').length, 2);

    const afterPut = await put(c, a.id, qs[3].id, rightAnswer(qs[3].key));
    assertApiError(afterPut, 409, 'closed');
    assert.equal(stored(a.id)[qs[3].id], null);
  });

  it('refuses a save after the deadline (409) and grades the attempt left open with what was saved', async () => {
    const c = await learner();
    const { quiz } = demo[3];
    const a = (await start(c, quiz)).json();
    const q0 = { id: a.questions[0].id, key: key(a.questions[0].id) };
    assert.equal((await put(c, a.id, q0.id, rightAnswer(q0.key))).status, 200);
    s.sql(`UPDATE quiz_attempts SET deadline = now() - interval '1 second' WHERE id = ${a.id}`);
    const q1 = { id: a.questions[1].id, key: key(a.questions[1].id) };
    assertApiError(await put(c, a.id, q1.id, rightAnswer(q1.key)), 409, 'closed');
    assert.equal(stored(a.id)[q1.id], null, 'the late answer is not stored');
    // The overdue attempt was graded with the one answer saved in time.
    const row = attemptRow(a.id);
    assert.ok(row.submitted_at, 'graded when opened past its deadline');
    assert.ok(Math.abs(row.score - q0.key.points / a.questions.reduce((t, q) => t + key(q.id).points, 0)) < 1e-9);
    assert.equal(nGrades(quiz, c.user.id), 1);
    const g = (await c.get(`/api/v1/attempts/${a.id}`)).json();
    assert.equal(g.state, 'submitted');
    // A new start makes attempt 2, not a resume of the overdue one.
    const r2 = await start(c, quiz);
    assert.equal(r2.status, 201, r2.text);
    assert.equal(r2.json().number, 2);
  });

  it('tells a learner whose time ran out that the time is over', async () => {
    const c = await learner();
    const a = (await start(c, demo[3].quiz)).json();
    s.sql(`UPDATE quiz_attempts SET deadline = now() - interval '1 second' WHERE id = ${a.id}`);
    const q = { id: a.questions[0].id, key: key(a.questions[0].id) };
    const e = assertApiError(await put(c, a.id, q.id, rightAnswer(q.key)), 409, 'closed');
    assert.match(e.message, /tempo a disposizione è scaduto/);
  });
});

// ---- 4. question ids not in the attempt ----

describe('question ids not in the attempt', () => {
  it('a submit naming one is 400 and saves nothing; a PUT to one is 404', async () => {
    const c = await learner();
    const a = (await start(c, demo[0].quiz)).json();
    const inAttempt = a.questions.map((q) => q.id);
    const outside = Number(s.sql(`SELECT min(id) FROM questions WHERE id NOT IN (${inAttempt.join(',')})`));
    const q0 = { id: inAttempt[0], key: key(inAttempt[0]) };
    for (const bad of [String(outside), '999999999', 'abc', '', '1e3', `${inAttempt[1]} `]) {
      const r = await submit(c, a.id, { answers: { [String(q0.id)]: rightAnswer(q0.key), [bad]: null } });
      assertApiError(r, 400, 'bad_request');
    }
    assert.equal(attemptRow(a.id).submitted_at, null, 'still open');
    assert.equal(stored(a.id)[q0.id], null, 'the valid answer in the refused body is not saved either');
    assert.equal(nGrades(demo[0].quiz, c.user.id), 0);
    // Other malformed bodies.
    assertApiError(await submit(c, a.id, { answers: [] }), 400);
    assertApiError(await submit(c, a.id, { answers: {}, extra: 1 }), 400);
    assertApiError(await submit(c, a.id, { risposte: {} }), 400);
    assertApiError(await submit(c, a.id, '[]'), 400);
    assert.equal(attemptRow(a.id).submitted_at, null);

    assertApiError(await put(c, a.id, outside, rightAnswer(key(outside))), 404, 'not_found');
    assertApiError(await put(c, a.id, 999999999, { choice: 1 }), 404, 'not_found');
    assertApiError(await put(c, 999999999, q0.id, rightAnswer(q0.key)), 404, 'not_found');
    assertApiError(await put(c, a.id, 0, { choice: 1 }), 400);
    assertApiError(await put(c, a.id, 'abc', { choice: 1 }), 400);
    assert.ok(Object.values(stored(a.id)).every((v) => v === null), 'nothing stored');
  });
});

// ---- 5. forged and broken answers ----

describe('forged answers', () => {
  it('refuses forged ids, wrong types, broken shapes and oversized text (400), storing nothing', async () => {
    const quiz = makeQuiz({ questions: KINDS });
    const c = await learner(quiz.courseId);
    const a = (await start(c, quiz.quizId)).json();
    const [single, multiple, truefalse, matching, short, numeric] = quiz.qids;
    const bad = [
      [single, { choice: 99 }], [single, { choice: 0 }], [single, { choice: -1 }], [single, { choice: '1' }],
      [single, { choice: 1.5 }], [single, { choice: [1] }], [single, { choices: [1] }], [single, { choice: null }],
      [single, {}], [single, { choice: 1, extra: true }], [single, { choice: 4 }],
      [multiple, { choices: [1, 1] }], [multiple, { choices: [99] }], [multiple, { choices: [0] }],
      [multiple, { choices: '1' }], [multiple, { choices: [true] }], [multiple, { choices: [1, '2'] }],
      [multiple, { choice: 1 }], [multiple, { choices: Array.from({ length: 11 }, (_, i) => i + 1) }],
      [truefalse, { value: 'true' }], [truefalse, { value: 1 }], [truefalse, { value: null }], [truefalse, {}],
      [matching, { matches: { 1: 77 } }], [matching, { matches: { 9: 1 } }], [matching, { matches: { 0: 1 } }],
      [matching, { matches: { x: 1 } }], [matching, { matches: [1, 2] }], [matching, { matches: { 1: '1' } }],
      // Option 3 is Latina's pair, whose text "Lazio" is option 1: 3 is not an option id.
      [matching, { matches: { 3: 3 } }], [matching, { matches: { 1: 1 } , extra: 1 }],
      [short, { text: 'x'.repeat(10 * 1024) }], [short, { text: 'è'.repeat(201) }], [short, { text: 5 }],
      [short, { text: ['a'] }], [short, {}], [short, { testo: 'a' }],
      [numeric, { value: '12.5' }], [numeric, { value: null }], [numeric, { value: [12] }], [numeric, { value: 1e999 }],
    ];
    for (const [qid, answer] of bad) {
      const r = await put(c, a.id, qid, answer);
      assert.equal(r.status, 400, `${JSON.stringify(answer).slice(0, 80)} refused: ${r.status} ${r.text}`);
      assert.equal(typeof r.json().error.message, 'string');
    }
    // Bodies that are not an answer object at all.
    for (const raw of ['[]', '1', '"testo"', 'true', '{', '{"choice":1', '', '{"choice":1}{"choice":2}']) {
      const r = await put(c, a.id, single, raw);
      assert.equal(r.status, 400, `body ${JSON.stringify(raw)} refused: ${r.status} ${r.text}`);
    }
    const none = await c.request('PUT', `/api/v1/attempts/${a.id}/answers/${single}`, { headers: { 'x-csrf-token': c.csrfToken } });
    assertApiError(none, 400);
    // Broken UTF-8 and an embedded NUL in a short answer.
    const broken = await fetch(`${s.baseUrl}/api/v1/attempts/${a.id}/answers/${short}`, {
      method: 'PUT',
      headers: { cookie: c.cookieHeader(), 'x-csrf-token': c.csrfToken, 'content-type': 'application/json' },
      body: Buffer.concat([Buffer.from('{"text":"a'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    });
    assert.equal(broken.status, 400, await broken.text());
    const nul = await put(c, a.id, short, '{"text":"a\\u0000b"}');
    assert.equal(nul.status, 400, `an embedded NUL is refused: ${nul.text}`);
    // A save without the session's CSRF token (bodies over the limit: security.test.mjs).
    const noCsrf = await c.request('PUT', `/api/v1/attempts/${a.id}/answers/${single}`, { json: { choice: 1 } });
    assert.equal(noCsrf.status, 403, noCsrf.text);
    // A forged answer inside a submit body refuses the whole submit.
    assertApiError(await submit(c, a.id, { answers: { [single]: { choice: 1 }, [multiple]: { choices: [1, 1] } } }), 400, 'bad_answer');
    assert.equal(attemptRow(a.id).submitted_at, null);
    assert.ok(Object.values(stored(a.id)).every((v) => v === null), `nothing stored: ${JSON.stringify(stored(a.id))}`);

    // The boundaries that are allowed: 200 characters, an empty choice list, a partial matching.
    assert.equal((await put(c, a.id, short, { text: 'è'.repeat(200) })).status, 200);
    assert.equal((await put(c, a.id, multiple, { choices: [] })).status, 200);
    assert.equal((await put(c, a.id, matching, { matches: { 2: 2 } })).status, 200);
    assert.equal((await put(c, a.id, numeric, { value: -0.5e1 })).status, 200);
    const db = stored(a.id);
    assert.deepEqual(db[short], { text: 'è'.repeat(200) });
    assert.deepEqual(db[multiple], { choices: [] });
    assert.deepEqual(db[matching], { matches: { 2: 2 } });
    assert.deepEqual(db[numeric], { value: -5 });
  });
});

// ---- 6. attempt limit and delay ----

describe('attempt limits', () => {
  it('refuses a 4th attempt of a demo test (409, in Italian) and stores none', async () => {
    const c = await learner();
    const { quiz, module } = demo[0];
    for (let n = 1; n <= 3; n++) {
      const r = await start(c, quiz);
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json().number, n);
      assert.equal((await submit(c, r.json().id)).status, 200);
    }
    const e = assertApiError(await start(c, quiz), 409, 'not_allowed');
    assert.equal(e.message, 'Hai già usato tutti i 3 tentativi disponibili.');
    assert.equal(nAttempts(quiz, c.user.id), 3);
    assert.equal((await c.get(`/api/v1/modules/${module}/quiz`)).json().standing.attempts, 3);
    // The page says so too, and its start form is refused the same way.
    const page = await c.get(`/test/${quiz}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Hai già usato tutti i 3 tentativi disponibili\./);
    assert.doesNotMatch(page.text, /Inizia il test/);
    const form = await c.request('POST', `/test/${quiz}/tentativi`, { form: { csrf_token: c.csrfToken } });
    assert.equal(form.status, 409);
    assert.match(form.text, /Hai già usato tutti i 3 tentativi disponibili\./);
    assert.equal(nAttempts(quiz, c.user.id), 3);
  });

  it('makes the learner wait min_delay_seconds between attempts: 409 "tra N minuti"', async () => {
    const quiz = makeQuiz({ questions: KINDS.slice(0, 2), delay: 600 });
    const c = await learner(quiz.courseId);
    const a = (await start(c, quiz.quizId)).json();
    assert.equal((await submit(c, a.id)).status, 200);
    let e = assertApiError(await start(c, quiz.quizId), 409, 'not_allowed');
    assert.equal(e.message, 'Potrai fare un nuovo tentativo tra 10 minuti.');
    const st = (await c.get(`/api/v1/modules/${quiz.moduleId}/quiz`)).json().standing;
    assert.ok(st.wait_seconds > 590 && st.wait_seconds <= 600, `wait_seconds ${st.wait_seconds}`);
    s.sql(`UPDATE quizzes SET min_delay_seconds = 60 WHERE id = ${quiz.quizId}`);
    e = assertApiError(await start(c, quiz.quizId), 409, 'not_allowed');
    assert.equal(e.message, 'Potrai fare un nuovo tentativo tra 1 minuto.');
    assert.equal(nAttempts(quiz.quizId, c.user.id), 1);
    // Once the delay has passed, the next attempt starts.
    s.sql(`UPDATE quiz_attempts SET submitted_at = submitted_at - interval '61 seconds', started_at = started_at - interval '61 seconds'
           WHERE id = ${a.id}`);
    const r = await start(c, quiz.quizId);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json().number, 2);
  });

  it('words the refusal of a single-attempt test in Italian', async () => {
    const quiz = makeQuiz({ questions: KINDS.slice(0, 1), attempts: 1 });
    const c = await learner(quiz.courseId);
    const a = (await start(c, quiz.quizId)).json();
    assert.equal((await submit(c, a.id)).status, 200);
    const e = assertApiError(await start(c, quiz.quizId), 409, 'not_allowed');
    assert.equal(nAttempts(quiz.quizId, c.user.id), 1);
    assert.equal(e.message, "Hai già usato l'unico tentativo disponibile.");
  });
});

// ---- 7. double submit ----

describe('double submit', () => {
  it('two concurrent submits both answer 200 with the same grade; the attempt is graded once', async () => {
    const c = await learner();
    const { quiz } = demo[1];
    const a = (await start(c, quiz)).json();
    const qs = a.questions.map((q) => ({ id: q.id, key: key(q.id) }));
    // Each submit carries different answers: only the one that grades counts.
    const allRight = Object.fromEntries(qs.map((q) => [String(q.id), rightAnswer(q.key)]));
    const noneGiven = Object.fromEntries(qs.map((q) => [String(q.id), null]));
    const [r1, r2] = await Promise.all([submit(c, a.id, { answers: allRight }), submit(c, a.id, { answers: noneGiven })]);
    assert.equal(r1.status, 200, r1.text);
    assert.equal(r2.status, 200, r2.text);
    const [g1, g2] = [r1.json(), r2.json()];
    assert.equal(g1.score_percent, g2.score_percent);
    assert.equal(g1.submitted_at, g2.submitted_at);
    assert.ok(g1.score_percent === 100 || g1.score_percent === 0, `one body or the other: ${g1.score_percent}`);
    const row = attemptRow(a.id);
    assert.ok(row.submitted_at);
    assert.equal(percent(row.score), g1.score_percent);
    assert.equal(nAttempts(quiz, c.user.id), 1);
    assert.equal(nGrades(quiz, c.user.id), 1);
    assert.equal(Number(s.sql(`SELECT count(*) FROM quiz_grades WHERE quiz_id = ${quiz} AND user_id = ${c.user.id}
                               AND abs(grade - ${row.score}) < 1e-9`)), 1);
    // A later retry changes nothing, to the microsecond.
    const r3 = await submit(c, a.id, { answers: allRight });
    assert.equal(r3.status, 200);
    assert.equal(r3.json().score_percent, g1.score_percent);
    assert.deepEqual(attemptRow(a.id), row, 'submitted_at and score set once');
    assertApiError(await put(c, a.id, qs[0].id, rightAnswer(qs[0].key)), 409, 'closed');
  });
});

describe('saves racing a submit', () => {
  it('every save told "saved" is graded; the others are refused (409), none is lost', async () => {
    for (let round = 0; round < 5; round++) {
      const c = await learner();
      const a = (await start(c, demo[round % 4].quiz)).json();
      const qs = a.questions.map((q) => ({ id: q.id, key: key(q.id) }));
      // Right answers to every question at the very moment of the submit.
      const saves = qs.map((q) => put(c, a.id, q.id, rightAnswer(q.key)));
      const [sub, ...answers] = await Promise.all([submit(c, a.id), ...saves]);
      assert.equal(sub.status, 200, sub.text);
      const graded = Object.fromEntries(s.sql(`SELECT question_id, score, answer IS NOT NULL FROM attempt_questions
                                                WHERE attempt_id = ${a.id}`).split('\n')
        .map((l) => l.split('|')).map(([q, score, has]) => [q, { score: Number(score), has: has === 't' }]));
      answers.forEach((r, i) => {
        const g = graded[qs[i].id];
        if (r.status === 200) {
          assert.ok(g.has, `round ${round}: a save told "saved" is stored`);
          assert.equal(g.score, 1, `round ${round}: a save told "saved" is graded (question ${qs[i].id})`);
        } else {
          assert.equal(r.status, 409, r.text);
          assert.equal(g.has, false, `round ${round}: a refused save stored nothing`);
          assert.equal(g.score, 0);
        }
      });
    }
  });
});

// ---- 8. privacy of attempts ----

describe('another learner', () => {
  it('gets 404 on the GET, PUT, submit and pages of someone else\'s attempt, which stays as it was', async () => {
    const owner = await learner();
    const a = (await start(owner, demo[0].quiz)).json();
    const q0 = { id: a.questions[0].id, key: key(a.questions[0].id) };
    assert.equal((await put(owner, a.id, q0.id, rightAnswer(q0.key))).status, 200);
    const before = { answers: stored(a.id), row: attemptRow(a.id) };

    const ref = await apiLogin(s, s.demo.referente.email, s.demo.referente.password);	// enrolled in the demo course
    const fm = await apiLogin(s, s.demo.formatore.email, s.demo.formatore.password);	// staff: still not theirs
    for (const other of [ref, fm]) {
      assertApiError(await other.get(`/api/v1/attempts/${a.id}`), 404, 'not_found');
      assertApiError(await put(other, a.id, q0.id, variant(q0.key, 1)), 404, 'not_found');
      assertApiError(await submit(other, a.id), 404, 'not_found');
      assertApiError(await submit(other, a.id, { answers: { [q0.id]: null } }), 404, 'not_found');
    }
    const page = await loginAs(s, 'referente');
    assert.equal((await page.get(`/tentativi/${a.id}`)).status, 404);
    assert.equal((await page.get(`/tentativi/${a.id}/domande/1`)).status, 404);
    const token = await page.csrf(`/test/${demo[0].quiz}`);	// referente is enrolled: the start form has a token
    assert.equal((await page.request('POST', `/tentativi/${a.id}/domande/1`, { form: { csrf_token: token, scelta: '1' } })).status, 404);
    assert.equal((await page.request('POST', `/tentativi/${a.id}/consegna`, { form: { csrf_token: token } })).status, 404);
    assert.deepEqual(stored(a.id), before.answers, 'answers unchanged');
    assert.deepEqual(attemptRow(a.id), before.row, 'still open, same row');
    assert.equal(attemptRow(a.id).submitted_at, null);
    assert.equal((await owner.get(`/api/v1/attempts/${a.id}`)).status, 200, 'the owner still reads it');
  });
});

// ---- 9. passing every module test completes the course ----

describe('course completion', () => {
  it('passing the four demo tests completes the course with the last submit', async () => {
    const c = await learner();
    const completedAt = () => s.sql(`SELECT coalesce(completed_at::text, '') FROM enrolments
                                     WHERE user_id = ${c.user.id} AND course_id = ${demoCourse}`);
    for (const [i, { quiz, module }] of demo.entries()) {
      assert.equal(completedAt(), '', `not completed before test ${i + 1}`);
      const a = (await start(c, quiz)).json();
      const qs = a.questions.map((q) => ({ id: q.id, key: key(q.id) }));
      let r;
      if (i % 2 === 0) {
        // Answers saved one by one, then a bare submit.
        for (const q of qs) assert.equal((await put(c, a.id, q.id, rightAnswer(q.key))).status, 200);
        r = await submit(c, a.id);
      } else {
        r = await submit(c, a.id, { answers: Object.fromEntries(qs.map((q) => [String(q.id), rightAnswer(q.key)])) });
      }
      assert.equal(r.status, 200, r.text);
      const g = r.json();
      assert.equal(g.score_percent, 100, `all right in test ${i + 1}`);
      assert.equal(g.passed, true);
      assert.ok(g.questions.every((q) => q.correct === true && q.score_percent === 100));
      assert.equal(g.course_completed, i === demo.length - 1, `course_completed after test ${i + 1}`);
      const st = (await c.get(`/api/v1/modules/${module}/quiz`)).json().standing;
      assert.deepEqual([st.passed, st.grade_percent, st.attempt_in_progress], [true, 100, null]);
      assert.equal(s.sql(`SELECT passed FROM quiz_grades WHERE quiz_id = ${quiz} AND user_id = ${c.user.id}`), 't');
    }
    assert.notEqual(completedAt(), '', 'enrolments.completed_at set by the last submit');
    const page = await c.get(`/corsi/${demoCourse}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /il corso è completato/);
    assert.equal((page.text.match(/– superato \(100%\)/g) ?? []).length, 4);
    // A later, worse attempt does not undo it.
    const stamp = completedAt();
    const again = (await start(c, demo[0].quiz)).json();
    assert.equal((await submit(c, again.id)).json().score_percent, 0);
    assert.equal(completedAt(), stamp);
    assert.equal((await c.get(`/api/v1/modules/${demo[0].module}/quiz`)).json().standing.passed, true, 'highest grade kept');
  });
});

// ---- 10. grading of each kind ----

describe('grading', () => {
  it('grades each kind as grade.h says, with partial credit and points', async () => {
    const questions = [
      { kind: 'single', points: 1, spec: KINDS[0].spec },
      { kind: 'multiple', points: 3, spec: { choices: [{ text: 'A', correct: true }, { text: 'B', correct: true },
        { text: 'C', correct: true }, { text: 'D', correct: false }, { text: 'E', correct: false }] } },
      { kind: 'truefalse', points: 1, spec: { answer: true } },
      { kind: 'matching', points: 2, spec: { pairs: [{ prompt: 'Roma', match: 'Lazio' }, { prompt: 'Milano', match: 'Lombardia' },
        { prompt: 'Latina', match: 'Lazio' }, { prompt: 'Napoli', match: 'Campania' }] } },
      { kind: 'short', points: 1, spec: { accepted: ['Perché sì', 'codice fiscale'] } },
      { kind: 'numeric', points: 2, spec: { value: 12.5, tolerance: 0.5 } },
      { kind: 'numeric', points: 1, spec: { value: 3, tolerance: 0.25 } },
      { kind: 'numeric', points: 1, spec: { value: 100, tolerance: 1 } },
      { kind: 'multiple', points: 1, spec: { choices: [{ text: 'Sì', correct: true }, { text: 'No', correct: false },
        { text: 'Forse', correct: false }] } },
      { kind: 'short', points: 1, spec: { accepted: ['Roma'] } },
    ];
    const answers = [
      { choice: 2 },				// wrong: 0
      { choices: [4, 1, 2] },			// 2/3 right - 1/2 wrong = 1/6
      { value: true },				// 1
      { matches: { 1: 1, 2: 4, 3: 1 } },	// Roma right, Milano wrong, Latina right (same text), Napoli missing: 2/4
      { text: '  PERCHE   SI ' },		// case, accents and spaces folded: 1
      { value: 12.9 },				// within 0.5: 1
      { value: 3.25 },				// on the tolerance: 1
      { value: 101.5 },				// outside: 0
      { choices: [2, 3] },			// only wrong choices: never below 0
      { text: 'Milano' },			// 0
    ];
    const expected = [0, 1 / 6, 1, 0.5, 1, 1, 1, 0, 0, 0];
    const quiz = makeQuiz({ questions, pass: 50 });
    const c = await learner(quiz.courseId);
    const a = (await start(c, quiz.quizId)).json();
    assert.deepEqual(a.questions.map((q) => q.id), quiz.qids, 'fixed order, no shuffle');
    assert.deepEqual(a.questions[3].options.map((o) => [o.id, o.text]), [[1, 'Lazio'], [2, 'Lombardia'], [4, 'Campania']],
      'matching options are the distinct texts, named by their first pair');
    assert.deepEqual(a.questions[3].prompts.map((p) => p.text), ['Roma', 'Milano', 'Latina', 'Napoli']);
    for (const [i, qid] of quiz.qids.entries()) assert.equal((await put(c, a.id, qid, answers[i])).status, 200);
    assert.deepEqual(stored(a.id)[quiz.qids[1]], { choices: [1, 2, 4] }, 'choices stored ascending');
    const r = await submit(c, a.id);
    assert.equal(r.status, 200, r.text);
    const g = r.json();
    const total = questions.reduce((t, q) => t + q.points, 0);
    const share = expected.reduce((t, e, i) => t + e * questions[i].points, 0) / total;	// 6.5 / 14
    assert.equal(g.score_percent, percent(share));
    assert.equal(g.score_percent, 46);
    assert.equal(g.passed, false, '46% < 50%');
    g.questions.forEach((q, i) => {
      assert.equal(q.score_percent, percent(expected[i]), `question ${i + 1} (${q.kind})`);
      assert.equal(q.correct, expected[i] === 1);
    });
    const scores = s.sql(`SELECT string_agg(score::text, ',' ORDER BY position) FROM attempt_questions WHERE attempt_id = ${a.id}`)
      .split(',').map(Number);
    scores.forEach((x, i) => assert.ok(Math.abs(x - expected[i]) < 1e-9, `stored score of question ${i + 1}: ${x}`));
    const row = attemptRow(a.id);
    assert.ok(Math.abs(row.score - share) < 1e-9, `stored attempt score ${row.score}`);
    assert.equal(row.passed, false);
    assert.ok(Math.abs(Number(s.sql(`SELECT grade FROM quiz_grades WHERE quiz_id = ${quiz.quizId} AND user_id = ${c.user.id}`)) - share) < 1e-9);
    // Review "immediately": right answers and feedback are shown after submission.
    assert.deepEqual(g.questions[4].right_answer, { accepted: ['Perché sì', 'codice fiscale'] });
    assert.equal(g.questions[0].feedback_html, '<p>Spiegazione</p>');
  });

  it('keeps right answers hidden after submission when the review says after_close', async () => {
    const quiz = makeQuiz({ questions: KINDS, rightAnswers: 'after_close' });
    const c = await learner(quiz.courseId);
    const a = (await start(c, quiz.quizId)).json();
    const r = await submit(c, a.id, { answers: { [quiz.qids[0]]: { choice: 1 } } });
    assert.equal(r.status, 200);
    assert.ok(!r.text.includes('"right_answer"') && !r.text.includes('"accepted"'), 'no key material');
    assert.equal(r.json().score_percent, percent(1 / 6));
    assert.equal(r.json().questions[0].correct, true, 'correctness is shown');
    const page = await c.get(`/tentativi/${a.id}`);
    assert.doesNotMatch(page.text, /risposta giusta|Risposta giusta/);
  });
});

// ---- 11. the pages, without JavaScript ----

describe('HTML flow', () => {
  it('takes a test through the forms: start, answers, refused values, submit, escaped review', async () => {
    const quiz = makeQuiz({ questions: [KINDS[0], KINDS[1], KINDS[3], KINDS[4], KINDS[5]] });
    const [single, multiple, matching, short, numeric] = quiz.qids;
    const u = await createUser(s, adminToken, { name: 'Discente Pagine' });
    const c = new Client(s.baseUrl);
    await c.login(u.email, u.password);
    const uid = Number(s.sql(`SELECT id FROM users WHERE email = ${lit(u.email)}`));
    assert.equal((await c.submit(`/corsi/${quiz.courseId}`, `/corsi/${quiz.courseId}/iscrizione`, {})).status, 303);

    const page = await c.get(`/test/${quiz.quizId}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Inizia il test/);
    assert.match(page.text, /Nessun tentativo finora\./);
    const startToken = await c.csrf(`/test/${quiz.quizId}`);
    const st = await c.request('POST', `/test/${quiz.quizId}/tentativi`, { form: { csrf_token: startToken } });
    assert.equal(st.status, 303);
    const m = st.headers.get('location').match(/^\/tentativi\/(\d+)\/domande\/1$/);
    assert.ok(m, `303 to the first question: ${st.headers.get('location')}`);
    const aid = Number(m[1]);
    assert.equal(s.sql(`SELECT user_id FROM quiz_attempts WHERE id = ${aid}`), String(uid));
    // Starting again from the form resumes it.
    const again = await c.request('POST', `/test/${quiz.quizId}/tentativi`, { form: { csrf_token: startToken } });
    assert.equal(again.headers.get('location'), `/tentativi/${aid}/domande/1`);
    assert.equal(nAttempts(quiz.quizId, uid), 1);

    const q = (n) => `/tentativi/${aid}/domande/${n}`;
    const post = async (n, pairs) => {
      const token = await c.csrf(q(n));
      return c.request('POST', q(n), { form: [['csrf_token', token], ...pairs] });
    };
    // A refused form: 400, the Italian reason, and the stored answer unchanged.
    const expectRefused = async (n, pairs, message, qid, keep = null) => {
      const r = await post(n, pairs);
      assert.equal(r.status, 400, `${JSON.stringify(pairs)}: ${r.status}`);
      const alert = r.text.match(/<div class="alert alert-danger" role="alert"><p class="mb-0">([^<]*)<\/p>/)?.[1];
      assert.match(alert ?? '', message);
      assert.match(alert, /La risposta non è stata salvata\.$/);
      assert.doesNotMatch(r.text, /<script>/i, 'nothing reflected raw');
      assert.deepEqual(stored(aid)[qid], keep, `nothing saved for ${JSON.stringify(pairs).slice(0, 80)}`);
    };

    // 1: single choice (radio).
    let p = await c.get(q(1));
    assert.equal(p.status, 200);
    assert.match(p.text, /type="radio" name="scelta"[^>]*value="1"/);
    assert.doesNotMatch(p.text, /risposta giusta/i);
    await expectRefused(1, [['scelta', 'abc']], /Risposta non valida\./, single);
    await expectRefused(1, [['scelta', '1'], ['scelta', '2']], /Scegli una sola risposta\./, single);
    await expectRefused(1, [['scelta', '9']], /Risposta non valida\.|Scelta non valida/, single);
    let r = await post(1, [['scelta', '1'], ['vai', 'avanti']]);
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), q(2));
    assert.deepEqual(stored(aid)[single], { choice: 1 });

    // 2: multiple choice (checkboxes, two "scelta" values).
    p = await c.get(q(2));
    assert.equal((p.text.match(/type="checkbox" name="scelta"/g) ?? []).length, 3);
    await expectRefused(2, [['scelta', 'abc']], /Risposta non valida\./, multiple);
    // A bad value after a good one is checked too (each repeated value is validated).
    await expectRefused(2, [['scelta', '1'], ['scelta', 'abc']], /Risposta non valida\./, multiple);
    await expectRefused(2, [['scelta', '1'], ['scelta', '1']], /stessa scelta/, multiple);
    r = await post(2, [['scelta', '2'], ['scelta', '1'], ['vai', 'resta']]);
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), q(2));
    assert.deepEqual(stored(aid)[multiple], { choices: [1, 2] });
    p = await c.get(q(2));
    assert.match(p.text, /value="1" checked/);
    assert.match(p.text, /value="2" checked/);
    assert.doesNotMatch(p.text, /value="3" checked/);

    // 3: matching ("abbinamento" values PROMPT-OPTION).
    p = await c.get(q(3));
    assert.match(p.text, /<option value="1-1">Lazio<\/option>/);
    assert.match(p.text, /<option value="3-2">Lombardia<\/option>/);
    assert.doesNotMatch(p.text, /value="\d-3"/, 'the second "Lazio" pair is not an option');
    await expectRefused(3, [['abbinamento', '<script>']], /Risposta non valida\./, matching);
    await expectRefused(3, [['abbinamento', '1-9']], /Abbinamento non valido/, matching);
    await expectRefused(3, [['abbinamento', '1-x']], /Abbinamento non valido|Risposta non valida/, matching);
    r = await post(3, [['abbinamento', '1-1'], ['abbinamento', '2-2'], ['abbinamento', '3-2'], ['vai', 'avanti']]);
    assert.equal(r.status, 303);
    assert.deepEqual(stored(aid)[matching], { matches: { 1: 1, 2: 2, 3: 2 } });

    // 4: short answer carrying markup.
    const xss = '<script>alert("x")</script>\'';
    r = await post(4, [['testo', xss], ['vai', 'indietro']]);
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), q(3));
    assert.deepEqual(stored(aid)[short], { text: xss });
    p = await c.get(q(4));
    assert.match(p.text, /value="&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;&#39;"/);
    assert.doesNotMatch(p.text, /<script>alert/);
    await expectRefused(4, [['testo', 'x'.repeat(201)]], /Risposta non valida\./, short, { text: xss });

    // 5: numeric with a decimal comma.
    await expectRefused(5, [['testo', 'dodici']], /Scrivi un numero/, numeric);
    r = await post(5, [['testo', '12,9'], ['vai', 'riepilogo']]);
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), `/tentativi/${aid}`);
    assert.deepEqual(stored(aid)[numeric], { value: 12.9 });

    const summary = await c.get(`/tentativi/${aid}`);
    assert.equal(summary.status, 200);
    assert.match(summary.text, /Risposte salvate: 5 su 5\./);
    assert.match(summary.text, /Consegna il test/);
    assert.equal((await c.request('POST', `/tentativi/${aid}/consegna`, { form: {} })).status, 403, 'CSRF token required');
    assert.equal(attemptRow(aid).submitted_at, null);
    const token = summary.text.match(/name="csrf_token" value="([^"]+)"/)[1];
    const done = await c.request('POST', `/tentativi/${aid}/consegna`, { form: { csrf_token: token } });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), `/tentativi/${aid}?esito=consegnato`);
    // single 1 + multiple 1 + matching 2/3 + short 0 + numeric 1 = 3.667 / 5.
    const share = (1 + 1 + 2 / 3 + 0 + 1) / 5;
    const row = attemptRow(aid);
    assert.ok(Math.abs(row.score - share) < 1e-9, `stored score ${row.score}`);
    const review = await c.get(done.headers.get('location'));
    assert.equal(review.status, 200);
    assert.match(review.text, /Tentativo consegnato\./);
    assert.match(review.text, new RegExp(`Punteggio: <strong>${percent(share)}%</strong>`));
    assert.match(review.text, /Test superato\./);
    assert.match(review.text, /value="&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;&#39;"[^>]* disabled/);
    assert.doesNotMatch(review.text, /<script>alert/);
    assert.match(review.text, /\(risposta giusta\)/);
    assert.match(review.text, /Risposta corretta in parte \(67%\)/);
    // Once submitted, a question page leads to the review and a late form changes nothing.
    const late = await c.get(q(1));
    assert.equal(late.status, 303);
    assert.equal(late.headers.get('location'), `/tentativi/${aid}`);
    const stamp = attemptRow(aid);
    const again2 = await c.request('POST', `/tentativi/${aid}/consegna`, { form: { csrf_token: token } });
    assert.equal(again2.status, 303);
    assert.deepEqual(attemptRow(aid), stamp, 'a second consegna grades nothing again');
    const quizPage = await c.get(`/test/${quiz.quizId}`);
    assert.match(quizPage.text, new RegExp(`Il tuo risultato: <strong>${percent(share)}%</strong>, test superato`));
  });
});

describe('HTML flow: repeated matching prompt', () => {
  it('refuses it with an Italian message', async () => {
    const quiz = makeQuiz({ questions: [KINDS[3]] });
    const c = await learner(quiz.courseId);
    const a = (await start(c, quiz.quizId)).json();
    const r = await c.request('POST', `/tentativi/${a.id}/domande/1`,
      { form: [['csrf_token', c.csrfToken], ['abbinamento', '1-1'], ['abbinamento', '1-2']] });
    assert.equal(r.status, 400);
    assert.deepEqual(stored(a.id), { [quiz.qids[0]]: null }, 'nothing saved');
    const alert = r.text.match(/<div class="alert alert-danger" role="alert"><p class="mb-0">([^<]*)<\/p>/)?.[1] ?? '';
    assert.doesNotMatch(alert, /duplicate|offset/, `an Italian message: ${alert}`);
    assert.match(alert, /più volte|Abbinamento non valido/);
  });
});

// ---- 12. enrolment ----

describe('enrolment', () => {
  it('refuses to start a test of a course the learner is not enrolled in (403), storing nothing', async () => {
    const c = await learner(null);
    const { quiz, module } = demo[0];
    const e = assertApiError(await start(c, quiz), 403, 'not_enrolled');
    assert.equal(e.message, 'Per fare il test devi essere iscritto al corso.');
    assert.equal(nAttempts(quiz, c.user.id), 0);
    assert.equal((await c.get(`/api/v1/modules/${module}/quiz`)).json().standing.enrolled, false);
    assert.match((await c.get(`/test/${quiz}`)).text, /Per fare il test devi essere iscritto al corso\./);
    const form = await c.request('POST', `/test/${quiz}/tentativi`, { form: { csrf_token: c.csrfToken } });
    assert.equal(form.status, 403);
    assert.match(form.text, /Per fare il test devi essere iscritto al corso\./);
    assert.equal(nAttempts(quiz, c.user.id), 0);
  });
});

// ---- 13. saves committed together ----

describe('saves of many learners at once', () => {
  // The quiz_saves batch's counters in /metrics.
  async function batchCounts() {
    const text = await (await fetch(`${s.baseUrl}/metrics`)).text();
    const value = (re) => Number(text.match(re)?.[1] ?? NaN);
    return {
      runs: value(/^portal_batch_runs_total\{batch="quiz_saves"\} (\d+)$/m),
      done: value(/^portal_batch_items_total\{batch="quiz_saves",outcome="done"\} (\d+)$/m),
      undone: value(/^portal_batch_items_total\{batch="quiz_saves",outcome="undone"\} (\d+)$/m),
    };
  }

  it('each save of a burst ends as it would alone: stored, refused (409) or not found (404)', async () => {
    const cs = await Promise.all(Array.from({ length: 24 }, () => learner()));
    const as = await Promise.all(cs.map(async (c) => (await start(c, demo[0].quiz)).json()));
    const other = (await start(cs[3], demo[1].quiz)).json();	// its questions' keys are now in memory
    assert.equal((await submit(cs[0], as[0].id)).status, 200);
    const calls = [];
    cs.forEach((c, i) => as[i].questions.forEach((q, n) => {
      // Learner 2 leaves its last question for learner 1 to try.
      if (i !== 2 || n < as[i].questions.length - 1) calls.push({ c, attempt: as[i].id, q: q.id, want: i === 0 ? 409 : 200 });
    }));
    const last = as[2].questions.at(-1).id;
    calls.push({ c: cs[1], attempt: as[2].id, q: last, want: 404 });	// someone else's attempt
    calls.push({ c: cs[4], attempt: as[4].id, q: other.questions[0].id, want: 404 });	// not in this attempt
    // The keys, then the stored answers, read in one query each.
    const keys = Object.fromEntries(s.sql(`SELECT id, json_build_object('kind', kind, 'spec', spec)::text
      FROM questions WHERE id IN (${[...new Set(calls.map((x) => x.q))].join(',')})`).split('\n')
      .map((l) => [Number(l.slice(0, l.indexOf('|'))), JSON.parse(l.slice(l.indexOf('|') + 1))]));
    const answers = calls.map((x) => rightAnswer(keys[x.q]));
    const before = await batchCounts();
    const rs = await Promise.all(calls.map((x, i) => put(x.c, x.attempt, x.q, answers[i])));
    const after = await batchCounts();
    // Every save went through the batch, refused ones included, and
    // statements were shared: fewer runs than saves.
    assert.equal(after.done - before.done, calls.length, 'every save done by the batch');
    assert.equal(after.undone - before.undone, 0, 'none left to its request');
    assert.ok(after.runs - before.runs < calls.length, `${after.runs - before.runs} runs for ${calls.length} saves`);
    rs.forEach((r, i) => {
      assert.equal(r.status, calls[i].want, `save ${i}: ${r.text}`);
      if (r.status === 200) assert.deepEqual(r.json(), { question_id: calls[i].q, saved: true, cleared: false });
    });
    const db = JSON.parse(s.sql(`SELECT json_object_agg(attempt_id || ':' || question_id, answer)::text
      FROM attempt_questions WHERE attempt_id IN (${as.map((a) => a.id).join(',')})`));
    calls.forEach((x, i) => {
      const row = `${x.attempt}:${x.q}`;
      if (x.want === 200) assert.deepEqual(db[row], answers[i], `save ${i} stored`);
      else if (row in db) assert.equal(db[row], null, `refused save ${i} stored nothing`);
    });
    assert.deepEqual(stored(other.id), Object.fromEntries(other.questions.map((q) => [q.id, null])));
  });
});

describe('stopping with saves under way', () => {
  it('answers or drops each save, keeps every one told saved, and exits cleanly', async () => {
    const t = await startStack();
    try {
      const admin = tokenFor(t, t.demo.admin.email);
      const course = Number(t.sql("SELECT id FROM courses WHERE slug = 'sigess-uso-della-piattaforma'"));
      const quiz = Number(t.sql(`SELECT z.id FROM quizzes z JOIN modules m ON m.id = z.module_id
                                 WHERE z.course_id = ${course} ORDER BY m.position LIMIT 1`));
      const cs = await Promise.all(Array.from({ length: 8 }, () => learner(course, t, admin)));
      const as = await Promise.all(cs.map(async (c) => (await start(c, quiz)).json()));
      const keys = Object.fromEntries(as.map((a) => [a.questions[0].id, key(a.questions[0].id, t)]));
      // Each learner saves one question again and again, one save at a
      // time, until the portal goes away: the stored answer is the last
      // one acknowledged, or the one sent after it (committed, then cut off).
      let stopped = false;
      const loops = cs.map(async (c, i) => {
        const q = as[i].questions[0].id;
        let n = 0, acked = null, sent = null;
        while (!stopped && n < 2000) {
          sent = variant(keys[q], n++);
          try {
            const r = await put(c, as[i].id, q, sent);
            if (r.status !== 200) break;
            acked = sent;
          } catch { break; }	// the connection closed by the stop
        }
        return { attempt: as[i].id, q, acked, sent };
      });
      await sleep(300);
      const exited = new Promise((r) => t.portal.once('exit', (code, signal) => r({ code, signal })));
      t.portal.kill('SIGTERM');
      const { code, signal } = await exited;
      stopped = true;
      const ends = await Promise.all(loops);
      assert.deepEqual({ code, signal }, { code: 0, signal: null }, `a clean exit:\n${t.log.join('').slice(-2000)}`);
      for (const e of ends) {
        assert.ok(e.acked !== null, 'saves went through before the stop');
        const db = stored(e.attempt, t)[e.q];
        assert.ok([e.acked, e.sent].some((v) => JSON.stringify(v) === JSON.stringify(db)),
          `stored ${JSON.stringify(db)}: the last acknowledged ${JSON.stringify(e.acked)} or the next`);
      }
    } finally {
      await t.stop();
    }
  });
});
