// Certification levels and their verification tests (issue 4,
// courses/certificate_level.c and the level variant of courses/quiz_edit.c):
// trainers add and edit a course's levels through the API and the HTML
// forms (other roles are refused, names are unique per course, a
// final_tests level never opens after some days), and write a level's
// verification test, which draws from the banks of every module of that
// course only; a learner holding the level below starts it only once
// opens_after_days have passed since that certificate, and passing it
// issues the new level's certificate.  Real stack (tests/lib/harness.mjs);
// every check looks at the stored rows as well as the answer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client, startStack } from '../lib/harness.mjs';
import { apiLogin, assertApiError, bearer, createUser, lit, tokenFor, uniq } from './util.mjs';

// The day as the portal counts it (courses/certificate_db.c CERT_TODAY).
const TODAY = "(now() AT TIME ZONE 'Europe/Rome')::date";

let s, adminToken, coordToken, opToken, demoCourse, trainer, op;
// The "Esperto" level tests 1 to 3 build on: its API object, kept current.
let esperto;
before(async () => {
  s = await startStack();
  adminToken = tokenFor(s, s.demo.admin.email);
  coordToken = tokenFor(s, s.demo.coordinamento.email);
  opToken = tokenFor(s, s.demo.operatore.email);
  demoCourse = Number(s.sql("SELECT id FROM courses WHERE slug = 'sigess-uso-della-piattaforma'"));
  trainer = await apiLogin(s, s.demo.formatore.email, s.demo.formatore.password);
  op = await apiLogin(s, s.demo.operatore.email, s.demo.operatore.password);
});
after(async () => { await s?.stop(); });

// ---- helpers ----

// An API call with the session's CSRF token.
const api = (c, method, path, json) => c.request(method, path, { json, headers: { 'x-csrf-token': c.csrfToken } });
// A form post with the session's CSRF token; fields is an object or [name, value] pairs (repeated names).
const post = (c, path, fields, csrf = c.csrfToken) => {
  const pairs = Array.isArray(fields) ? fields : Object.entries(fields);
  return c.request('POST', path, { form: [...(csrf ? [['csrf_token', csrf]] : []), ...pairs] });
};
const start = (c, quizId) => api(c, 'POST', `/api/v1/quizzes/${quizId}/attempts`);
const submit = (c, attemptId, body) => api(c, 'POST', `/api/v1/attempts/${attemptId}/submit`, body);

// A level's stored row, as the API would show it.
function levelRow(id) {
  const r = s.sql(`SELECT json_build_object('course_id', course_id, 'position', position, 'name', name, 'rule', rule,
      'opens_after_days', opens_after_days, 'valid_days', valid_days)::text FROM certification_levels WHERE id = ${id}`);
  return r === '' ? null : JSON.parse(r);
}
const levelNames = (courseId) => s.sql(`SELECT string_agg(position || ':' || name, ',' ORDER BY position)
  FROM certification_levels WHERE course_id = ${courseId}`);
const levelsFingerprint = () => s.sql(`SELECT md5(coalesce(string_agg(l::text, ',' ORDER BY id), ''))
  FROM certification_levels l`);
// A test's stored draws: "category:count" or "q:question", in position order.
const draws = (quizId) => s.sql(`SELECT coalesce(string_agg(coalesce(category_id || ':' || count, 'q:' || question_id),
  ',' ORDER BY position), '') FROM quiz_draws WHERE quiz_id = ${quizId}`);
// The id of a demo module's category by module position and name.
const demoCategory = (position, name) => Number(s.sql(`SELECT c.id FROM question_categories c
  JOIN modules m ON m.id = c.module_id WHERE m.course_id = ${demoCourse} AND m.position = ${position}
  AND c.name = ${lit(name)}`));

// A published course with `modules` empty modules, through SQL (course authoring is another test's subject).
function makeCourse(modules = 1) {
  const slug = uniq('lv').toLowerCase();
  const courseId = Number(s.sql(`INSERT INTO courses (title, slug, summary, published)
    VALUES (${lit(`Corso ${slug}`)}, ${lit(slug)}, 'Corso per le prove dei livelli', true) RETURNING id`));
  const moduleIds = [];
  for (let i = 1; i <= modules; i++) {
    moduleIds.push(Number(s.sql(`INSERT INTO modules (course_id, position, title)
      VALUES (${courseId}, ${i}, ${lit(`Modulo ${i}`)}) RETURNING id`)));
  }
  return { courseId, moduleIds };
}

// A question added to a module's bank through the API as the trainer.
async function createQ(moduleId, category, text) {
  const r = await api(trainer, 'POST', `/api/v1/modules/${moduleId}/questions`, {
    category, kind: 'single', text,
    spec: { choices: [{ text: 'Giusta', correct: true }, { text: 'Sbagliata', correct: false }] },
  });
  assert.equal(r.status, 201, r.text);
  return r.json();
}

// A fresh learner signed in through the API (cookie + CSRF), enrolled in the demo course.
async function learner() {
  const u = await createUser(s, adminToken, { name: `Discente ${uniq()}` });
  const c = await apiLogin(s, u.email, u.password);
  c.user = u;
  const e = await api(c, 'POST', `/api/v1/courses/${demoCourse}/enrolments`);
  assert.equal(e.status, 201, e.text);
  return c;
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

// The right answers to questions, from their keys in the database: { qid: answer }.
function rightAnswers(qids) {
  const keys = JSON.parse(s.sql(`SELECT json_object_agg(id, json_build_object('kind', kind, 'spec', spec))::text
                                 FROM questions WHERE id IN (${qids.map(Number).join(',')})`));
  assert.equal(Object.keys(keys).length, qids.length, 'every key found');
  return Object.fromEntries(qids.map((q) => [String(q), rightAnswer(keys[q])]));
}

// The settings body of PUT /api/v1/levels/{id}/quiz.
const settings = (extra = {}) => ({
  title: 'Verifica del livello Esperto', intro: 'Domande da **tutti** i moduli.', pass_percent: 80,
  attempts_allowed: 0, time_limit_seconds: 0, min_delay_seconds: 0, grading: 'highest',
  shuffle_questions: true, shuffle_choices: true, review_answers: 'immediately', review_correctness: 'immediately',
  review_feedback: 'immediately', review_right_answers: 'after_close', published: true, ...extra,
});

// ---- 1. create and list ----

describe('levels: create', () => {
  it('a trainer adds "Esperto" (201, listed, stored); a taken name is 409, a bad rule 400, other roles 403', async () => {
    const path = `/api/v1/courses/${demoCourse}/levels`;
    const body = { name: 'Esperto', rule: 'verification', opens_after_days: 30, valid_days: 365 };
    const before = levelsFingerprint();

    // Refused first: nothing may be stored by any of these.
    assertApiError(await bearer(s, opToken, 'POST', path, body), 403);
    assertApiError(await api(op, 'POST', path, body), 403);
    assertApiError(await bearer(s, opToken, 'GET', path), 403);
    assertApiError(await op.get(path), 403);
    assertApiError(await new Client(s.baseUrl).get(path), 401);
    assertApiError(await new Client(s.baseUrl).request('POST', path, { json: body }), 401);
    assertApiError(await trainer.request('POST', path, { json: body }), 403);	// session without the CSRF header
    assertApiError(await api(trainer, 'POST', path, { ...body, rule: 'bogus' }), 400);
    assertApiError(await api(trainer, 'POST', path, { ...body, rule: undefined }), 400);	// rule is required
    assertApiError(await api(trainer, 'POST', path, { ...body, name: '' }), 400);
    assertApiError(await api(trainer, 'POST', path, { ...body, name: 'x'.repeat(61) }), 400);
    assertApiError(await api(trainer, 'POST', path, { ...body, opens_after_days: 3651 }), 400);
    assertApiError(await api(trainer, 'POST', path, { ...body, opens_after_days: -1 }), 400);
    assertApiError(await api(trainer, 'POST', path, { ...body, valid_days: 36501 }), 400);
    assertApiError(await api(trainer, 'POST', path, { ...body, valid_days: '365' }), 400);	// a string is not an integer
    assertApiError(await api(trainer, 'POST', path, '[1,2]'), 400, 'bad_json');
    assertApiError(await api(trainer, 'POST', '/api/v1/courses/999999999/levels', body), 404, 'not_found');
    assertApiError(await api(trainer, 'GET', '/api/v1/courses/999999999/levels'), 404, 'not_found');
    assertApiError(await api(trainer, 'GET', '/api/v1/courses/0/levels'), 400);
    assert.equal(levelsFingerprint(), before, 'no refused call stored anything');

    // The pages are refused to operatore too.
    const page = await op.get(`/gestione/corsi/${demoCourse}/livelli`);
    assert.equal(page.status, 403);
    assert.doesNotMatch(page.text, /Aggiungi un livello/);
    const form = await post(op, `/gestione/corsi/${demoCourse}/livelli`,
      { name: 'Intruso', rule: 'verification', opens_after_days: '1', valid_days: '0' });
    assert.equal(form.status, 403);
    assert.equal(levelsFingerprint(), before, 'the refused form stored nothing');

    const r = await api(trainer, 'POST', path, body);
    assert.equal(r.status, 201, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    esperto = r.json();
    assert.ok(esperto.id > 0);
    assert.deepEqual({ ...esperto, id: 0 }, { id: 0, course_id: demoCourse, position: 3, name: 'Esperto',
      rule: 'verification', opens_after_days: 30, valid_days: 365, quiz_id: null, certificates: 0 },
    'after the demo\'s Base and Autonomo');
    assert.deepEqual(levelRow(esperto.id), { course_id: demoCourse, position: 3, name: 'Esperto',
      rule: 'verification', opens_after_days: 30, valid_days: 365 });

    const list = await api(trainer, 'GET', path);
    assert.equal(list.status, 200, list.text);
    const levels = list.json().levels;
    assert.deepEqual(levels.map((l) => [l.position, l.name, l.rule]),
      [[1, 'Base', 'final_tests'], [2, 'Autonomo', 'verification'], [3, 'Esperto', 'verification']]);
    assert.deepEqual(levels[2], esperto, 'listed as created');
    assert.equal(levels[0].valid_days, null, 'Base never expires');
    assert.equal(levels[1].valid_days, 730);
    assert.equal(levels[1].opens_after_days, 90);
    assert.equal(typeof levels[1].quiz_id, 'number', 'the demo Autonomo has its verification test');
    // coordinamento and admin may read them as well.
    assert.equal((await bearer(s, coordToken, 'GET', path)).status, 200);
    assert.equal((await bearer(s, adminToken, 'GET', path)).status, 200);

    // The same name again, by anyone allowed: 409, nothing stored.
    const after1 = levelsFingerprint();
    assertApiError(await api(trainer, 'POST', path, body), 409, 'conflict');
    assertApiError(await bearer(s, adminToken, 'POST', path, { ...body, rule: 'final_tests' }), 409, 'conflict');
    assertApiError(await api(trainer, 'POST', path, { name: 'Autonomo', rule: 'verification' }), 409, 'conflict');
    assert.equal(levelsFingerprint(), after1, 'a taken name stores nothing');
    assert.equal(levelNames(demoCourse), '1:Base,2:Autonomo,3:Esperto');

    // The same name in ANOTHER course is fine; there it is the first level.
    const { courseId } = makeCourse();
    const other = await bearer(s, coordToken, 'POST', `/api/v1/courses/${courseId}/levels`,
      { name: 'Esperto', rule: 'final_tests', opens_after_days: 30 });
    assert.equal(other.status, 201, other.text);
    assert.deepEqual([other.json().position, other.json().opens_after_days, other.json().valid_days], [1, 0, null],
      'a final_tests level stores opens_after_days 0 whatever is sent; valid_days left out: no expiry');
    assert.equal(levelRow(other.json().id).opens_after_days, 0);
    // A verification level without opens_after_days opens after 90 days.
    const dflt = await api(trainer, 'POST', `/api/v1/courses/${courseId}/levels`, { name: 'Verificato', rule: 'verification' });
    assert.equal(dflt.status, 201, dflt.text);
    assert.deepEqual([dflt.json().position, dflt.json().opens_after_days], [2, 90]);
    assert.equal(levelNames(courseId), '1:Esperto,2:Verificato');
  });
});

describe('levels: concurrent create', () => {
  it('levels with different names added at once all get 201 and distinct positions', async () => {
    for (let round = 0; round < 4; round++) {
      const { courseId } = makeCourse();
      const rs = await Promise.all(Array.from({ length: 12 }, (_, i) =>
        api(trainer, 'POST', `/api/v1/courses/${courseId}/levels`, { name: `Livello ${i + 1}`, rule: 'verification' })));
      assert.deepEqual(rs.map((r) => r.status), Array(12).fill(201), rs.map((r) => r.text).join('\n'));
      assert.equal(s.sql(`SELECT count(DISTINCT position) || '|' || max(position) FROM certification_levels
        WHERE course_id = ${courseId}`), '12|12');
    }
  });
});

// ---- 2. PATCH ----

describe('levels: edit', () => {
  it('PATCH renames and changes the days (200, stored); a final_tests level keeps opens_after_days 0', async () => {
    assert.ok(esperto, 'test 1 created the level');
    const path = `/api/v1/levels/${esperto.id}`;
    const before = levelsFingerprint();
    assertApiError(await bearer(s, opToken, 'PATCH', path, { name: 'Rubato' }), 403);
    assertApiError(await api(op, 'PATCH', path, { name: 'Rubato' }), 403);
    assertApiError(await new Client(s.baseUrl).request('PATCH', path, { json: { name: 'Rubato' } }), 401);
    assertApiError(await trainer.request('PATCH', path, { json: { name: 'Rubato' } }), 403);	// no CSRF header
    assertApiError(await api(trainer, 'PATCH', path, { opens_after_days: 10 }), 400);	// name is required
    assertApiError(await api(trainer, 'PATCH', path, { name: 'Esperto', opens_after_days: 3651 }), 400);
    assertApiError(await api(trainer, 'PATCH', path, { name: 'Esperto', valid_days: -1 }), 400);
    assertApiError(await api(trainer, 'PATCH', path, { name: 'Autonomo' }), 409, 'conflict');	// the demo's level 2
    assertApiError(await api(trainer, 'PATCH', '/api/v1/levels/999999999', { name: 'Nessuno' }), 404, 'not_found');
    assert.equal(levelsFingerprint(), before, 'no refused call changed a level');

    const r = await api(trainer, 'PATCH', path, { name: 'Esperto di processo', opens_after_days: 45, valid_days: 400 });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json(), { ...esperto, name: 'Esperto di processo', opens_after_days: 45, valid_days: 400 },
      'rule, position and course unchanged');
    assert.deepEqual(levelRow(esperto.id), { course_id: demoCourse, position: 3, name: 'Esperto di processo',
      rule: 'verification', opens_after_days: 45, valid_days: 400 });
    esperto = r.json();
    // Its own name again is no conflict; valid_days 0 drops the expiry, and back.
    const same = await api(trainer, 'PATCH', path, { name: esperto.name, opens_after_days: 45, valid_days: 0 });
    assert.equal(same.status, 200, same.text);
    assert.equal(same.json().valid_days, null);
    assert.equal(levelRow(esperto.id).valid_days, null);
    const back = await bearer(s, coordToken, 'PATCH', path, { name: esperto.name, opens_after_days: 45, valid_days: 400 });
    assert.equal(back.status, 200, back.text);
    assert.deepEqual(back.json(), esperto);

    // A final_tests level: whatever opens_after_days is sent, it stays 0.
    const { courseId } = makeCourse();
    const base = (await api(trainer, 'POST', `/api/v1/courses/${courseId}/levels`, { name: 'Base', rule: 'final_tests' })).json();
    for (const days of [30, 3650, 0]) {
      const p = await api(trainer, 'PATCH', `/api/v1/levels/${base.id}`, { name: 'Base rinominato', opens_after_days: days, valid_days: 100 });
      assert.equal(p.status, 200, p.text);
      assert.deepEqual([p.json().rule, p.json().opens_after_days, p.json().valid_days], ['final_tests', 0, 100], `sent ${days}`);
      assert.deepEqual(levelRow(base.id), { course_id: courseId, position: 1, name: 'Base rinominato', rule: 'final_tests',
        opens_after_days: 0, valid_days: 100 });
    }
  });

  it('PATCH with only a name keeps the days it does not name', async () => {
    const { courseId } = makeCourse();
    const l = (await api(trainer, 'POST', `/api/v1/courses/${courseId}/levels`,
      { name: 'Con scadenza', rule: 'verification', opens_after_days: 20, valid_days: 365 })).json();
    const r = await api(trainer, 'PATCH', `/api/v1/levels/${l.id}`, { name: 'Con scadenza, rinominato' });
    assert.equal(r.status, 200, r.text);
    assert.equal(levelRow(l.id).opens_after_days, 20, 'opens_after_days kept');
    assert.equal(levelRow(l.id).valid_days, 365, 'valid_days kept');
  });
});

// ---- 3. the verification test ----

describe('levels: verification test', () => {
  it('PUT /levels/{id}/quiz draws from two modules (201); another course\'s category 400; a final_tests level 404', async () => {
    assert.ok(esperto, 'test 1 created the level');
    const path = `/api/v1/levels/${esperto.id}/quiz`;
    const concetti1 = demoCategory(1, 'Concetti');
    const casi3 = demoCategory(3, 'Casi pratici');
    const fixed2 = Number(s.sql(`SELECT q.id FROM questions q JOIN question_categories c ON c.id = q.category_id
      JOIN modules m ON m.id = c.module_id WHERE m.course_id = ${demoCourse} AND m.position = 2 ORDER BY q.id LIMIT 1`));
    const body = settings({ draws: [{ category_id: concetti1, count: 2 }, { category_id: casi3, count: 1 }] });
    const nQuizzes = () => s.sql(`SELECT count(*) FROM quizzes WHERE level_id = ${esperto.id}`);

    assertApiError(await bearer(s, opToken, 'PUT', path, body), 403);
    assertApiError(await api(op, 'PUT', path, body), 403);
    assertApiError(await trainer.request('PUT', path, { json: body }), 403);	// no CSRF header
    // A category of another course: 400 naming it, nothing stored.
    const { courseId, moduleIds } = makeCourse();
    await createQ(moduleIds[0], 'Estranea', 'Domanda di un altro corso');
    const foreign = Number(s.sql(`SELECT id FROM question_categories WHERE module_id = ${moduleIds[0]}`));
    const bad = assertApiError(await api(trainer, 'PUT', path,
      settings({ draws: [{ category_id: concetti1, count: 2 }, { category_id: foreign, count: 1 }] })), 400, 'bad_request');
    assert.ok(bad.message.includes(`La categoria ${foreign} `), bad.message);
    const foreignQ = Number(s.sql(`SELECT q.id FROM questions q WHERE q.category_id = ${foreign}`));
    assertApiError(await api(trainer, 'PUT', path, settings({ draws: [{ question_id: foreignQ }] })), 400, 'bad_request');
    const inConcetti1 = Number(s.sql(`SELECT count(*) FROM questions WHERE category_id = ${concetti1} AND NOT retired`));
    const over = assertApiError(await api(trainer, 'PUT', path,
      settings({ draws: [{ category_id: concetti1, count: inConcetti1 + 1 }] })), 400, 'bad_request');
    assert.ok(over.message.includes(`«Modulo 1: Concetti» ha ${inConcetti1} domande`), over.message);
    assertApiError(await api(trainer, 'PUT', path, settings({ draws: [] })), 400, 'bad_request');	// published, nothing drawn
    assert.equal(nQuizzes(), '0', 'no refused call created the test');

    // A final_tests level (the demo's Base) has no test of its own: 404; so has a level that does not exist.
    const baseId = Number(s.sql(`SELECT id FROM certification_levels WHERE course_id = ${demoCourse} AND name = 'Base'`));
    assertApiError(await api(trainer, 'PUT', `/api/v1/levels/${baseId}/quiz`, body), 404, 'not_found');
    assertApiError(await api(trainer, 'PUT', '/api/v1/levels/999999999/quiz', body), 404, 'not_found');
    assert.equal(s.sql(`SELECT count(*) FROM quizzes WHERE level_id = ${baseId}`), '0');
    assert.equal((await trainer.get(`/gestione/livelli/${baseId}/test`)).status, 404);
    // The other course's level cannot draw the demo's categories either.
    const otherLevel = (await api(trainer, 'POST', `/api/v1/courses/${courseId}/levels`,
      { name: 'Altro', rule: 'verification', opens_after_days: 1 })).json();
    assertApiError(await api(trainer, 'PUT', `/api/v1/levels/${otherLevel.id}/quiz`, body), 400, 'bad_request');
    assert.equal(s.sql(`SELECT count(*) FROM quizzes WHERE level_id = ${otherLevel.id}`), '0');

    const r = await api(trainer, 'PUT', path, body);
    assert.equal(r.status, 201, r.text);
    const quiz = r.json();
    assert.deepEqual({ ...quiz, id: 0 }, { id: 0, level_id: esperto.id, title: 'Verifica del livello Esperto',
      questions: 3, published: true });
    assert.equal(s.sql(`SELECT course_id || '|' || purpose || '|' || coalesce(module_id::text, 'null') || '|' || level_id
      || '|' || pass_percent || '|' || published FROM quizzes WHERE id = ${quiz.id}`),
    `${demoCourse}|verification|null|${esperto.id}|80|true`);
    assert.equal(draws(quiz.id), `${concetti1}:2,${casi3}:1`);
    assert.equal(nQuizzes(), '1');
    const listed = (await api(trainer, 'GET', `/api/v1/courses/${demoCourse}/levels`)).json().levels;
    assert.equal(listed.find((l) => l.id === esperto.id).quiz_id, quiz.id, 'the level lists its test');

    // Again: 200, the same test, the draws replaced (a fixed question of a third module added).
    const again = await api(trainer, 'PUT', path, settings({ draws: [{ category_id: concetti1, count: 2 },
      { category_id: casi3, count: 1 }, { question_id: fixed2 }] }));
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json().id, quiz.id);
    assert.equal(again.json().questions, 4);
    assert.equal(draws(quiz.id), `${concetti1}:2,${casi3}:1,q:${fixed2}`);
    assert.equal(nQuizzes(), '1', 'rewritten, not duplicated');
    esperto.quiz_id = quiz.id;
  });

  it('opens opens_after_days after the level below; passing it issues the new level\'s certificate', async () => {
    assert.ok(esperto?.quiz_id, 'the previous test created the verification test');
    const quizId = esperto.quiz_id;
    const days = esperto.opens_after_days;
    const autonomo = Number(s.sql(`SELECT id FROM certification_levels WHERE course_id = ${demoCourse} AND name = 'Autonomo'`));

    // Not holding the level below: closed, whatever the date.
    const fresh = await learner();
    const none = assertApiError(await start(fresh, quizId), 409);
    assert.match(none.message, /si apre dopo la certificazione del livello precedente/);
    // Base alone is not the level below Esperto either.
    const b = await bearer(s, coordToken, 'POST', '/api/v1/certificates',
      { user_id: fresh.user.id, course_id: demoCourse, level: 'Base', reason: 'Formazione svolta in presenza' });
    assert.equal(b.status, 201, b.text);
    s.sql(`UPDATE certificates SET issued_on = issued_on - 400 WHERE code = ${lit(b.json().code)}`);
    assert.match(assertApiError(await start(fresh, quizId), 409).message, /si apre dopo la certificazione/);

    // Holding Autonomo (granted by coordination): opens issued_on + opens_after_days.
    const c = await learner();
    const g = await bearer(s, coordToken, 'POST', '/api/v1/certificates',
      { user_id: c.user.id, course_id: demoCourse, level: 'Autonomo', reason: 'Esperienza documentata sul campo' });
    assert.equal(g.status, 201, g.text);
    const code = g.json().code;
    const opens = s.sql(`SELECT to_char(issued_on + ${days}, 'DD/MM/YYYY') FROM certificates WHERE code = ${lit(code)}`);
    const e = assertApiError(await start(c, quizId), 409);
    assert.ok(e.message.includes(`si apre il ${opens}`), e.message);
    // One day short is still closed.
    s.sql(`UPDATE certificates SET issued_on = issued_on - ${days - 1} WHERE code = ${lit(code)}`);
    assert.ok(assertApiError(await start(c, quizId), 409).message.includes(`si apre il ${s.sql(`SELECT to_char(${TODAY} + 1, 'DD/MM/YYYY')`)}`));
    assert.equal(s.sql(`SELECT count(*) FROM quiz_attempts WHERE quiz_id = ${quizId} AND user_id = ${c.user.id}`), '0',
      'no attempt while closed');
    // Exactly opens_after_days later, it opens.
    s.sql(`UPDATE certificates SET issued_on = issued_on - 1 WHERE code = ${lit(code)}`);
    assert.equal(s.sql(`SELECT (issued_on + ${days} = ${TODAY})::text FROM certificates WHERE code = ${lit(code)}`), 'true');

    const r = await start(c, quizId);
    assert.equal(r.status, 201, r.text);
    const a = r.json();
    assert.equal(a.questions.length, 4, '2 + 1 drawn and the fixed one');
    // What it drew: 2 from module 1's Concetti, 1 from module 3's Casi pratici, the fixed one of module 2.
    const origin = s.sql(`SELECT string_agg(m.position || ':' || c.name, ',' ORDER BY m.position, c.name)
      FROM questions q JOIN question_categories c ON c.id = q.category_id JOIN modules m ON m.id = c.module_id
      WHERE q.id IN (${a.questions.map((q) => q.id).join(',')})`);
    assert.equal(origin.split(',').filter((x) => x === '1:Concetti').length, 2, origin);
    assert.equal(origin.split(',').filter((x) => x === '3:Casi pratici').length, 1, origin);
    assert.equal(origin.split(',').filter((x) => x.startsWith('2:')).length, 1, origin);

    // A failed attempt issues nothing.
    const failed = await submit(c, a.id, { answers: {} });
    assert.equal(failed.status, 200, failed.text);
    assert.equal(failed.json().passed, false);
    assert.equal(s.sql(`SELECT count(*) FROM certificates WHERE user_id = ${c.user.id} AND level_id = ${esperto.id}`), '0');

    // A passed one issues Esperto di processo, expiring after its valid_days.
    const r2 = await start(c, quizId);
    assert.equal(r2.status, 201, r2.text);
    const a2 = r2.json();
    const passed = await submit(c, a2.id, { answers: rightAnswers(a2.questions.map((q) => q.id)) });
    assert.equal(passed.status, 200, passed.text);
    assert.equal(passed.json().passed, true);
    const mine = await c.get('/api/v1/me/certificates');
    assert.equal(mine.status, 200, mine.text);
    const certs = mine.json().certificates;
    assert.deepEqual(certs.map((x) => x.level).sort(), ['Autonomo', 'Esperto di processo']);
    const ex = certs.find((x) => x.level === 'Esperto di processo');
    assert.equal(ex.status, 'valid');
    assert.equal(ex.granted, false, 'earned, not granted');
    assert.equal(ex.issued_on, s.sql(`SELECT ${TODAY}::text`));
    assert.equal(ex.expires_on, s.sql(`SELECT (${TODAY} + ${esperto.valid_days})::text`));
    assert.equal(s.sql(`SELECT level_id || '|' || level_name || '|' || (granted_by IS NULL) FROM certificates
      WHERE code = ${lit(ex.code)}`), `${esperto.id}|Esperto di processo|true`);
    assert.equal(JSON.parse(s.sql(`SELECT payload FROM certificates WHERE code = ${lit(ex.code)}`)).level, 'Esperto di processo');
    // Submitting again grades nothing more and issues nothing more.
    assert.equal((await submit(c, a2.id)).status, 200);
    assert.equal(s.sql(`SELECT count(*) FROM certificates WHERE user_id = ${c.user.id}`), '2');
    const listed = (await api(trainer, 'GET', `/api/v1/courses/${demoCourse}/levels`)).json().levels;
    assert.equal(listed.find((l) => l.id === esperto.id).certificates, 1);
    // The public page verifies it.
    const v = await new Client(s.baseUrl).get(`/verify/${ex.code}`);
    assert.equal(v.status, 200);
    assert.match(v.text, /Attestato valido\./);
    assert.match(v.text, /Esperto di processo/);
  });
});

// ---- 4. the HTML forms ----

describe('levels: pages', () => {
  it('the levels form adds (303, stored), refuses a taken name (400 with the message) and a missing CSRF token (403)', async () => {
    const { courseId } = makeCourse();
    const page = `/gestione/corsi/${courseId}/livelli`;
    const g = await trainer.get(page);
    assert.equal(g.status, 200);
    assert.match(g.text, /Il corso non ha ancora livelli\./);
    const token = g.text.match(/name="csrf_token" value="([^"]+)"/)[1];

    const add = await post(trainer, page, { name: 'Base', rule: 'final_tests', opens_after_days: '90', valid_days: '0' }, token);
    assert.equal(add.status, 303, add.text);
    assert.equal(add.headers.get('location'), `${page}?esito=aggiunto`);
    const v = await post(trainer, page, { name: 'Autonomo <b>', rule: 'verification', opens_after_days: '60', valid_days: '365' }, token);
    assert.equal(v.status, 303, v.text);
    assert.equal(levelNames(courseId), '1:Base,2:Autonomo <b>');
    const [base, auto] = s.sql(`SELECT id FROM certification_levels WHERE course_id = ${courseId} ORDER BY position`).split('\n').map(Number);
    assert.deepEqual(levelRow(base), { course_id: courseId, position: 1, name: 'Base', rule: 'final_tests', opens_after_days: 0, valid_days: null });
    assert.deepEqual(levelRow(auto), { course_id: courseId, position: 2, name: 'Autonomo <b>', rule: 'verification', opens_after_days: 60, valid_days: 365 });
    const shown = await trainer.get(`${page}?esito=aggiunto`);
    assert.equal(shown.status, 200);
    assert.match(shown.text, /Livello aggiunto\./);
    assert.ok(shown.text.includes('Autonomo &lt;b&gt;') && !shown.text.includes('Autonomo <b>'), 'the name is escaped');
    assert.ok(shown.text.includes(`href="/gestione/livelli/${auto}/test"`), 'a verification level links its test editor');
    assert.ok(!shown.text.includes(`href="/gestione/livelli/${base}/test"`), 'a final_tests level has none');

    // A taken name: 400, the message on the form, nothing stored.
    const before = levelsFingerprint();
    const dup = await post(trainer, page, { name: 'Base', rule: 'verification', opens_after_days: '10', valid_days: '0' }, token);
    assert.equal(dup.status, 400);
    assert.match(dup.headers.get('content-type') ?? '', /^text\/html/);
    assert.ok(dup.text.includes('Il corso ha già un livello con questo nome.'), 'the message is shown');
    assert.match(dup.text, /id="f-name" name="name" value="Base"/, 'the form keeps what was sent');
    // Bad fields: 400 with the form, nothing stored.
    const bad = await post(trainer, page, { name: '', rule: 'bogus', opens_after_days: '99999', valid_days: '0' }, token);
    assert.equal(bad.status, 400);
    // Missing or foreign CSRF token: 403.
    const noCsrf = await post(trainer, page, { name: 'Senza token', rule: 'final_tests' }, null);
    assert.equal(noCsrf.status, 403);
    const foreign = await post(trainer, page, { name: 'Token altrui', rule: 'final_tests' }, op.csrfToken);
    assert.equal(foreign.status, 403);
    assert.equal(levelsFingerprint(), before, 'nothing stored by the refused forms');

    // The level's own form renames it and changes its days.
    const save = await post(trainer, `/gestione/livelli/${auto}`, { name: 'Autonomo', opens_after_days: '75', valid_days: '0' }, token);
    assert.equal(save.status, 303, save.text);
    assert.equal(save.headers.get('location'), `${page}?esito=salvato`);
    assert.deepEqual(levelRow(auto), { course_id: courseId, position: 2, name: 'Autonomo', rule: 'verification', opens_after_days: 75, valid_days: null });
    const taken = await post(trainer, `/gestione/livelli/${auto}`, { name: 'Base', opens_after_days: '75', valid_days: '0' }, token);
    assert.equal(taken.status, 400);
    assert.ok(taken.text.includes('Il corso ha già un livello con questo nome.'));
    assert.equal(levelRow(auto).name, 'Autonomo');
    assert.equal((await post(trainer, `/gestione/livelli/${auto}`, { name: 'Senza token', valid_days: '0' }, null)).status, 403);
    assert.equal((await post(trainer, '/gestione/livelli/999999999', { name: 'Nessuno', valid_days: '0' }, token)).status, 404);
    assert.equal((await post(op, `/gestione/livelli/${auto}`, { name: 'Intruso', valid_days: '0' })).status, 403);
    assert.equal(levelRow(auto).name, 'Autonomo');
  });

  it('the test settings form stores the draw_category/draw_count pairs and the fixed questions, and shows them back', async () => {
    const { courseId, moduleIds } = makeCourse(2);
    const page = `/gestione/corsi/${courseId}/livelli`;
    const token = await trainer.csrf(page);
    await post(trainer, page, { name: 'Base', rule: 'final_tests', valid_days: '0' }, token);
    await post(trainer, page, { name: 'Verificato', rule: 'verification', opens_after_days: '30', valid_days: '0' }, token);
    const [base, level] = s.sql(`SELECT id FROM certification_levels WHERE course_id = ${courseId} ORDER BY position`).split('\n').map(Number);
    const qa = [];
    for (let i = 1; i <= 3; i++) qa.push(await createQ(moduleIds[0], 'Primo', `Primo modulo, domanda ${i}`));
    const qb = [];
    for (let i = 1; i <= 3; i++) qb.push(await createQ(moduleIds[1], 'Secondo', `Secondo modulo, domanda ${i}`));
    const catA = Number(s.sql(`SELECT id FROM question_categories WHERE module_id = ${moduleIds[0]}`));
    const catB = Number(s.sql(`SELECT id FROM question_categories WHERE module_id = ${moduleIds[1]}`));

    const url = `/gestione/livelli/${level}/test`;
    const ed = await trainer.get(url);
    assert.equal(ed.status, 200);
    assert.match(ed.text, /Test di verifica/);
    assert.ok(ed.text.includes('value="Verifica del livello Verificato"'), 'a new test gets a default title');
    for (const c of [catA, catB]) assert.ok(ed.text.includes(`name="draw_category" value="${c}"`), `category ${c} offered`);
    for (const q of [...qa, ...qb]) assert.ok(ed.text.includes(`name="fixed" value="${q.id}"`), `question ${q.id} offered`);
    assert.equal((await trainer.get(`/gestione/livelli/${base}/test`)).status, 404, 'a final_tests level has no test');
    assert.equal((await op.get(url)).status, 403);

    const fields = [
      ['title', 'Verifica dei due moduli'], ['intro', ''], ['pass_percent', '70'], ['time_limit_minutes', '15'],
      ['attempts_allowed', '2'], ['min_delay_minutes', '60'], ['grading', 'last'], ['shuffle_questions', '1'],
      ['review_answers', 'immediately'], ['review_correctness', 'immediately'], ['review_feedback', 'never'],
      ['review_right_answers', 'after_close'], ['opens_at', ''], ['closes_at', ''],
      ['draw_category', String(catA)], ['draw_count', '1'], ['draw_category', String(catB)], ['draw_count', '2'],
      ['fixed', String(qa[2].id)], ['fixed', String(qb[0].id)], ['published', '1'],
    ];
    const before = s.sql('SELECT count(*) FROM quizzes');
    assert.equal((await post(trainer, url, fields, null)).status, 403, 'no CSRF token');
    assert.equal((await post(op, url, fields)).status, 403, 'operatore');
    assert.equal((await post(trainer, `/gestione/livelli/${base}/test`, fields, token)).status, 404);
    // Too many from a category (its fixed question set apart): 400, the problem named.
    const tooMany = await post(trainer, url, fields.map(([k, v]) => [k, k === 'draw_count' && v === '1' ? '3' : v]), token);
    assert.equal(tooMany.status, 400);
    assert.ok(tooMany.text.includes('«Modulo 1: Primo» ha 2 domande da estrarre'), 'the category is named');
    assert.equal(s.sql('SELECT count(*) FROM quizzes'), before, 'the refused forms created no test');

    const r = await post(trainer, url, fields, token);
    assert.equal(r.status, 303, r.text);
    assert.equal(r.headers.get('location'), `${url}?esito=salvato`);
    const quizId = Number(s.sql(`SELECT id FROM quizzes WHERE level_id = ${level}`));
    assert.ok(quizId > 0, 'the test is stored');
    assert.equal(s.sql(`SELECT concat_ws('|', course_id, purpose, coalesce(module_id::text, 'null'), title, pass_percent,
        time_limit_seconds, attempts_allowed, min_delay_seconds, grading, shuffle_questions, shuffle_choices,
        review_feedback, review_right_answers, published) FROM quizzes WHERE id = ${quizId}`),
    `${courseId}|verification|null|Verifica dei due moduli|70|900|2|3600|last|t|f|never|after_close|t`);
    assert.equal(draws(quizId), `${catA}:1,${catB}:2,q:${qa[2].id},q:${qb[0].id}`);

    // The page shows it back: the counts per category, the fixed questions checked and no other.
    const shown = await trainer.get(`${url}?esito=salvato`);
    assert.equal(shown.status, 200);
    assert.match(shown.text, new RegExp(`id="f-draw-${catA}" name="draw_count" value="1"`));
    assert.match(shown.text, new RegExp(`id="f-draw-${catB}" name="draw_count" value="2"`));
    const checked = [...shown.text.matchAll(/name="fixed" value="(\d+)" checked/g)].map((m) => Number(m[1])).sort((x, y) => x - y);
    assert.deepEqual(checked, [qa[2].id, qb[0].id].sort((x, y) => x - y));
    assert.ok(shown.text.includes('value="Verifica dei due moduli"'));
    assert.match(shown.text, /id="f-published" name="published" value="1" checked/);
    assert.doesNotMatch(shown.text, /id="f-shuffle_choices" name="shuffle_choices" value="1" checked/, 'unticked box stored as no');
    assert.equal((await api(trainer, 'GET', `/api/v1/courses/${courseId}/levels`)).json().levels[1].quiz_id, quizId);

    // Saved again with one fixed question unticked and a category at 0: the draws follow.
    const again = await post(trainer, url, fields.filter(([k, v]) => !(k === 'fixed' && v === String(qb[0].id)))
      .map(([k, v]) => [k, k === 'draw_count' && v === '1' ? '0' : v]), token);
    assert.equal(again.status, 303, again.text);
    assert.equal(draws(quizId), `${catB}:2,q:${qa[2].id}`);
    assert.equal(s.sql(`SELECT count(*) FROM quizzes WHERE level_id = ${level}`), '1', 'rewritten, not duplicated');
  });
});
