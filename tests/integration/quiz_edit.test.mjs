// The trainers' side of final tests (issue 4, courses/quiz_edit.c): only
// formatore, coordinamento and admin reach the question bank, the test's
// settings, the statistics and the regrade; keys are checked before they
// are stored; a question already given keeps the shape of its key; a
// fixed key regrades the attempts that hold it; statistics agree with
// the stored scores; the HTML forms work without JavaScript.  Real stack
// (tests/lib/harness.mjs); every check looks at the stored rows as well
// as the answer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { Client, startStack } from '../lib/harness.mjs';
import { apiLogin, assertApiError, bearer, createUser, lit, loginAs, tokenFor, uniq } from './util.mjs';

let s, adminToken, demoCourse, demo, trainer;
before(async () => {
  s = await startStack();
  adminToken = tokenFor(s, s.demo.admin.email);
  demoCourse = Number(s.sql("SELECT id FROM courses WHERE slug = 'sigess-uso-della-piattaforma'"));
  // The demo's module tests, in module order: { quiz, module }.
  demo = s.sql(`SELECT z.id, z.module_id FROM quizzes z JOIN modules m ON m.id = z.module_id
                WHERE z.course_id = ${demoCourse} ORDER BY m.position`)
    .split('\n').map((l) => { const [quiz, module] = l.split('|').map(Number); return { quiz, module }; });
  assert.equal(demo.length, 4, 'four demo module tests');
  trainer = await apiLogin(s, s.demo.formatore.email, s.demo.formatore.password);
});
after(async () => { await s?.stop(); });

// ---- helpers ----

// An API call with the session's CSRF token; json may be a raw string.
const api = (c, method, path, json) => c.request(method, path, { json, headers: { 'x-csrf-token': c.csrfToken } });

// An API call whose body is raw bytes (broken UTF-8 cannot travel in a JS string).
async function apiBytes(c, method, path, bytes) {
  const res = await fetch(s.baseUrl + path, {
    method, body: bytes, redirect: 'manual',
    headers: { cookie: c.cookieHeader(), 'x-csrf-token': c.csrfToken, 'content-type': 'application/json' },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

// A published course with one empty module, through SQL (course authoring is another test's subject).
function makeModule() {
  const slug = uniq('qe').toLowerCase();
  const courseId = Number(s.sql(`INSERT INTO courses (title, slug, summary, published)
    VALUES (${lit(`Corso ${slug}`)}, ${lit(slug)}, 'Corso per le prove dei formatori', true) RETURNING id`));
  const moduleId = Number(s.sql(`INSERT INTO modules (course_id, position, title)
    VALUES (${courseId}, 1, 'Modulo da preparare') RETURNING id`));
  return { courseId, moduleId };
}

// A fresh active operatore signed in through the API, enrolled in courseId.
async function learner(courseId) {
  const u = await createUser(s, adminToken, { name: `Discente ${uniq()}`, roles: ['operatore'] });
  const c = await apiLogin(s, u.email, u.password);
  c.user = u;
  const e = await api(c, 'POST', `/api/v1/courses/${courseId}/enrolments`);
  assert.equal(e.status, 201, e.text);
  return c;
}

// Creates a question through the API as the trainer; returns the stored question.
async function createQ(moduleId, { category = 'Generale', kind = 'single', text = 'Domanda di prova',
  spec = { choices: [{ text: 'Giusta', correct: true }, { text: 'Sbagliata', correct: false }] }, points, feedback } = {}) {
  const body = { category, kind, text, spec };
  if (points !== undefined) body.points = points;
  if (feedback !== undefined) body.feedback = feedback;
  const r = await api(trainer, 'POST', `/api/v1/modules/${moduleId}/questions`, body);
  assert.equal(r.status, 201, r.text);
  return r.json();
}

// A question's stored row.
function qrow(id) {
  return JSON.parse(s.sql(`SELECT json_build_object('kind', q.kind, 'spec', q.spec, 'text_md', q.text_md,
      'text_html', q.text_html, 'feedback_html', q.feedback_html, 'feedback_md', q.feedback_md, 'points', q.points, 'retired', q.retired,
      'category', c.name, 'module_id', c.module_id)::text
    FROM questions q JOIN question_categories c ON c.id = q.category_id WHERE q.id = ${id}`));
}

const nQuestions = (moduleId) => Number(s.sql(`SELECT count(*) FROM questions q JOIN question_categories c
  ON c.id = q.category_id WHERE c.module_id = ${moduleId}`));

// Everything a refused trainer request could have touched, as one string.
const fingerprint = () => s.sql(`SELECT md5(coalesce((SELECT string_agg(q::text, ',' ORDER BY id) FROM questions q), '')
  || coalesce((SELECT string_agg(z::text, ',' ORDER BY id) FROM quizzes z), '')
  || coalesce((SELECT string_agg(d::text, ',' ORDER BY id) FROM quiz_draws d), '')
  || coalesce((SELECT string_agg(c::text, ',' ORDER BY id) FROM question_categories c), '')
  || coalesce((SELECT string_agg(a::text, ',' ORDER BY id) FROM quiz_attempts a), '')
  || (SELECT count(*) FROM audit_log WHERE action = 'quiz_regrade')::text)`);

// The settings body of PUT /api/v1/modules/{id}/quiz.
const settings = (extra = {}) => ({
  title: 'Test finale di prova', intro: 'Leggi **bene** le domande.', pass_percent: 60, attempts_allowed: 0,
  time_limit_seconds: 0, min_delay_seconds: 0, grading: 'highest', shuffle_questions: false, shuffle_choices: false,
  review_answers: 'immediately', review_correctness: 'immediately', review_feedback: 'immediately',
  review_right_answers: 'immediately', published: true, ...extra,
});

const start = (c, quizId) => api(c, 'POST', `/api/v1/quizzes/${quizId}/attempts`);
const submit = (c, attemptId, body) => api(c, 'POST', `/api/v1/attempts/${attemptId}/submit`, body);

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

// A minimal RFC 4180 reader for ';'-separated text with CRLF rows.
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ';') { row.push(cell); cell = ''; } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell); rows.push(row); row = []; cell = ''; i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) { row.push(cell); rows.push(row); }
  return rows;
}

// Text of an HTML page with the entities the templates write turned back into characters.
const unescape = (h) => h.replace(/&#39;|&#x27;|&apos;/g, "'").replace(/&quot;|&#34;/g, '"')
  .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

// One question of every kind, with valid keys.
const KINDS = [
  { kind: 'single', spec: { choices: [{ text: 'Giusta', correct: true }, { text: 'Sbagliata', correct: false },
    { text: 'Altra sbagliata', correct: false }] } },
  { kind: 'multiple', spec: { choices: [{ text: 'Uno', correct: true }, { text: 'Due', correct: true },
    { text: 'Tre', correct: false }] } },
  { kind: 'truefalse', spec: { answer: false } },
  { kind: 'matching', spec: { pairs: [{ prompt: 'Roma', match: 'Lazio' }, { prompt: 'Milano', match: 'Lombardia' },
    { prompt: 'Latina', match: 'Lazio' }] } },
  { kind: 'short', spec: { accepted: ['Codice fiscale', 'CF'] } },
  { kind: 'numeric', spec: { value: 12.5, tolerance: 0.5 } },
];

const choices = (n, correct = [0]) => ({ choices: Array.from({ length: n }, (_, i) => ({ text: `Scelta ${i + 1}`, correct: correct.includes(i) })) });

// ---- 1. authorization ----

describe('authorization', () => {
  it('operatore and referente get 403 on every trainer route and page, and nothing changes', async () => {
    const { quiz, module } = demo[0];
    const qid = Number(s.sql(`SELECT q.id FROM questions q JOIN question_categories c ON c.id = q.category_id
                              WHERE c.module_id = ${module} ORDER BY q.id LIMIT 1`));
    const before = fingerprint();
    for (const role of ['operatore', 'referente']) {
      const c = await apiLogin(s, s.demo[role].email, s.demo[role].password);
      const token = tokenFor(s, s.demo[role].email);
      const apiCalls = [
        ['GET', `/api/v1/modules/${module}/questions`],
        ['POST', `/api/v1/modules/${module}/questions`, { category: 'X', kind: 'truefalse', text: 'Vero?', spec: { answer: true } }],
        ['PATCH', `/api/v1/questions/${qid}`, { text: 'Testo cambiato da chi non può' }],
        ['DELETE', `/api/v1/questions/${qid}`],
        ['PUT', `/api/v1/modules/${module}/quiz`, settings({ draws: [{ question_id: qid }] })],
        ['GET', `/api/v1/quizzes/${quiz}/statistics`],
        ['POST', `/api/v1/quizzes/${quiz}/regrade`],
      ];
      for (const [method, path, body] of apiCalls) {
        assert.equal((await api(c, method, path, body)).status, 403, `${role} session: ${method} ${path}`);
        assert.equal((await bearer(s, token, method, path, body)).status, 403, `${role} bearer: ${method} ${path}`);
      }
      for (const path of [`/gestione/moduli/${module}/test`, `/gestione/domande/${qid}`,
        `/gestione/test/${quiz}/statistiche`, `/gestione/test/${quiz}/statistiche.csv`,
        '/gestione/moduli/1/test', '/gestione/domande/1', '/gestione/test/1/statistiche', '/gestione/test/1/statistiche.csv']) {
        const r = await c.get(path);
        assert.equal(r.status, 403, `${role}: GET ${path}`);
        assert.doesNotMatch(r.text, /name="answers"|Statistiche:|Facilità/, 'no trainer content in the refusal');
      }
      const forms = [
        [`/gestione/moduli/${module}/test`, { title: 'Rubato', pass_percent: '10' }],
        [`/gestione/moduli/${module}/domande`, { category: 'X', kind: 'truefalse', text: 'Vero?', answers: 'vero' }],
        [`/gestione/domande/${qid}`, { category: 'X', kind: 'truefalse', text: 'Vero?', answers: 'vero' }],
        [`/gestione/domande/${qid}/ritira`, { retired: '1' }],
        [`/gestione/test/${quiz}/ricalcola`, {}],
      ];
      for (const [path, fields] of forms) {
        const r = await c.request('POST', path, { form: { csrf_token: c.csrfToken, ...fields } });
        assert.equal(r.status, 403, `${role}: POST ${path}`);
      }
    }
    assert.equal(fingerprint(), before, 'no question, test, draw, attempt or audit row changed');
  });

  it('formatore, coordinamento and admin get 200 on the trainer routes and pages', async () => {
    const { quiz, module } = demo[0];
    const qid = Number(s.sql(`SELECT q.id FROM questions q JOIN question_categories c ON c.id = q.category_id
                              WHERE c.module_id = ${module} ORDER BY q.id LIMIT 1`));
    for (const role of ['formatore', 'coordinamento', 'admin']) {
      const c = await apiLogin(s, s.demo[role].email, s.demo[role].password);
      const bank = await api(c, 'GET', `/api/v1/modules/${module}/questions`);
      assert.equal(bank.status, 200, `${role}: bank ${bank.text}`);
      assert.equal(bank.json().quiz_id, quiz);
      assert.equal(bank.json().questions.length, nQuestions(module));
      const stats = await api(c, 'GET', `/api/v1/quizzes/${quiz}/statistics`);
      assert.equal(stats.status, 200, `${role}: statistics ${stats.text}`);
      assert.equal(stats.json().quiz_id, quiz);
      const regrade = await api(c, 'POST', `/api/v1/quizzes/${quiz}/regrade`);
      assert.equal(regrade.status, 200, `${role}: regrade ${regrade.text}`);
      const uid = Number(s.sql(`SELECT id FROM users WHERE email = ${lit(s.demo[role].email)}`));
      assert.equal(s.sql(`SELECT count(*) FROM audit_log WHERE action = 'quiz_regrade' AND actor_id = ${uid}
                          AND subject_id = ${quiz}`), '1', `${role}: regrade audited`);
      const token = tokenFor(s, s.demo[role].email);
      assert.equal((await bearer(s, token, 'GET', `/api/v1/modules/${module}/questions`)).status, 200, `${role} bearer`);

      const page = await c.get(`/gestione/moduli/${module}/test`);
      assert.equal(page.status, 200, `${role}: test editor`);
      assert.match(page.text, /name="answers"/, 'the new-question form is there');
      const qpage = await c.get(`/gestione/domande/${qid}`);
      assert.equal(qpage.status, 200, `${role}: question editor`);
      assert.match(qpage.text, new RegExp(`action="/gestione/domande/${qid}/ritira"`));
      const sp = await c.get(`/gestione/test/${quiz}/statistiche`);
      assert.equal(sp.status, 200, `${role}: statistics page`);
      const csv = await c.get(`/gestione/test/${quiz}/statistiche.csv`);
      assert.equal(csv.status, 200, `${role}: statistics CSV`);
      assert.match(csv.headers.get('content-type'), /^text\/csv/);
    }
    // Unknown ids are 404 for staff, not 403 and not 500.
    assertApiError(await api(trainer, 'GET', '/api/v1/modules/999999999/questions'), 404, 'not_found');
    assertApiError(await api(trainer, 'PATCH', '/api/v1/questions/999999999', { text: 'x' }), 404, 'not_found');
    assertApiError(await api(trainer, 'GET', '/api/v1/quizzes/999999999/statistics'), 404, 'not_found');
    assert.equal((await trainer.get('/gestione/test/999999999/statistiche')).status, 404);
  });
});

// ---- 2. question keys through the API ----

describe('question create', () => {
  it('stores a question of every kind and the bank lists them', async () => {
    const { moduleId } = makeModule();
    const made = [];
    for (const [i, k] of KINDS.entries()) {
      const q = await createQ(moduleId, { category: i < 3 ? 'Concetti' : 'Casi', kind: k.kind, spec: k.spec,
        text: `Domanda **${k.kind}**`, feedback: 'Perché _sì_.', points: i + 1 });
      assert.equal(q.kind, k.kind);
      assert.deepEqual(q.spec, k.spec, `${k.kind}: the key comes back as sent`);
      assert.equal(q.module_id, moduleId);
      assert.equal(q.retired, false);
      assert.equal(q.attempts, 0);
      const row = qrow(q.id);
      assert.equal(row.kind, k.kind);
      assert.deepEqual(row.spec, k.spec, `${k.kind}: stored key`);
      assert.equal(row.module_id, moduleId);
      assert.equal(row.category, i < 3 ? 'Concetti' : 'Casi');
      assert.equal(row.text_md, `Domanda **${k.kind}**`);
      assert.match(row.text_html, new RegExp(`<strong>${k.kind}</strong>`), 'Markdown rendered');
      assert.match(row.feedback_html, /<em>sì<\/em>/);
      assert.equal(row.points, i + 1);
      made.push(q.id);
    }
    // Boundaries that are allowed: 10 choices, a text of 8000 characters (not bytes), 200-character choices.
    made.push((await createQ(moduleId, { spec: choices(10, [9]) })).id);
    made.push((await createQ(moduleId, { text: 'è'.repeat(8000) })).id);
    assert.equal(qrow(made.at(-1)).text_md.length, 8000);
    made.push((await createQ(moduleId, { spec: { choices: [{ text: 'a'.repeat(200), correct: true }, { text: 'b', correct: false }] } })).id);
    assert.equal(qrow(made.at(-1)).spec.choices[0].text.length, 200);

    const r = await api(trainer, 'GET', `/api/v1/modules/${moduleId}/questions`);
    assert.equal(r.status, 200, r.text);
    const bank = r.json();
    assert.equal(bank.module_id, moduleId);
    assert.equal(bank.quiz_id, null, 'no test yet');
    assert.deepEqual(bank.questions.map((q) => q.id).sort((a, b) => a - b), made);
    for (const k of KINDS) assert.ok(bank.questions.some((q) => q.kind === k.kind && isDeepStrictEqual(q.spec, k.spec)));
    const cats = Object.fromEntries(bank.categories.map((c) => [c.name, c.questions]));
    assert.deepEqual(cats, { Concetti: 3, Casi: 3, Generale: 3 });
    assert.equal(nQuestions(moduleId), made.length);
  });

  it('refuses bad keys and bodies with 400 and an Italian message, storing nothing', async () => {
    const { moduleId } = makeModule();
    const base = { category: 'Generale', kind: 'single', text: 'Domanda' };
    const ok = { choices: [{ text: 'Giusta', correct: true }, { text: 'Sbagliata', correct: false }] };
    const cases = [
      ['single with two correct', { ...base, spec: choices(3, [0, 1]) }, /esattamente una scelta corretta/],
      ['single with none correct', { ...base, spec: choices(3, []) }, /esattamente una scelta corretta/],
      ['multiple with none correct', { ...base, kind: 'multiple', spec: choices(3, []) }, /almeno una scelta corretta/],
      ['11 choices', { ...base, spec: choices(11) }, /da 2 a 10 scelte/],
      ['1 choice', { ...base, spec: choices(1) }, /da 2 a 10 scelte/],
      ['unknown member of the key', { ...base, spec: { ...ok, extra: 1 } }, /campo sconosciuto «extra»/i],
      ['unknown member of a choice', { ...base, spec: { choices: [{ text: 'A', correct: true, peso: 2 }, { text: 'B', correct: false }] } }, /campo sconosciuto «peso»/i],
      ['unknown member of the body', { ...base, spec: ok, colore: 'rosso' }, /Campo sconosciuto «colore»/],
      ['a member of another kind', { ...base, spec: { answer: true } }, /sconosciuto|scelte/i],
      ['text of 8001 characters', { ...base, spec: ok, text: 'a'.repeat(8001) }, /«text»: da 1 a 8000 caratteri/],
      ['empty text', { ...base, spec: ok, text: '' }, /«text»/],
      ['feedback of 8001 characters', { ...base, spec: ok, feedback: 'a'.repeat(8001) }, /«feedback»/],
      ['choice of 201 characters', { ...base, spec: { choices: [{ text: 'a'.repeat(201), correct: true }, { text: 'b', correct: false }] } }, /da 1 a 200 caratteri/],
      ['blank choice', { ...base, spec: { choices: [{ text: '   ', correct: true }, { text: 'b', correct: false }] } }, /da 1 a 200 caratteri/],
      ['category of 101 characters', { ...base, spec: ok, category: 'c'.repeat(101) }, /«category»/],
      ['infinite value', { ...base, kind: 'numeric', spec: { value: 1e400, tolerance: 0 } }, null],
      ['negative tolerance', { ...base, kind: 'numeric', spec: { value: 1, tolerance: -0.5 } }, /tolleranza/i],
      ['kind is a number', { ...base, kind: 1, spec: ok }, /«kind»/],
      ['unknown kind', { ...base, kind: 'essay', spec: ok }, /«kind»/],
      ['text is a number', { ...base, text: 5, spec: ok }, /«text»/],
      ['points is a string', { ...base, points: '2', spec: ok }, /«points»/],
      ['points 0', { ...base, points: 0, spec: ok }, /«points»/],
      ['points 101', { ...base, points: 101, spec: ok }, /«points»/],
      ['points 1.5', { ...base, points: 1.5, spec: ok }, /«points»/],
      ['spec is an array', { ...base, spec: [] }, null],
      ['choices is a string', { ...base, spec: { choices: 'Giusta' } }, null],
      ['correct is a string', { ...base, spec: { choices: [{ text: 'A', correct: 'sì' }, { text: 'B', correct: false }] } }, null],
      ['choice text is a number', { ...base, spec: { choices: [{ text: 1, correct: true }, { text: 'B', correct: false }] } }, /testo/i],
      ['truefalse answer is a string', { ...base, kind: 'truefalse', spec: { answer: 'vero' } }, null],
      ['numeric value is a string', { ...base, kind: 'numeric', spec: { value: '12,5', tolerance: 0 } }, null],
      ['matching with one pair', { ...base, kind: 'matching', spec: { pairs: [{ prompt: 'A', match: 'B' }] } }, /da 2 a 10 coppie/],
      ['short with 21 answers', { ...base, kind: 'short', spec: { accepted: Array.from({ length: 21 }, (_, i) => `r${i}`) } }, /da 1 a 20 risposte accettate/],
      ['nothing', {}, /Servono «category», «kind», «text» e «spec»/],
      ['no spec', { ...base }, /Servono/],
    ];
    for (const [what, body, message] of cases) {
      const r = await api(trainer, 'POST', `/api/v1/modules/${moduleId}/questions`, body);
      const e = assertApiError(r, 400);
      if (message) assert.match(e.message, message, `${what}: ${e.message}`);
      // Italian: no English error text reaches the trainer.
      assert.doesNotMatch(e.message, /\b(invalid|must|expected|error|missing)\b/i, `${what}: ${e.message}`);
    }
    // Bodies that are not JSON numbers or not UTF-8.
    const raw = [
      ['NaN', `{"category":"Generale","kind":"numeric","text":"Quanto?","spec":{"value":NaN,"tolerance":0}}`],
      ['Infinity', `{"category":"Generale","kind":"numeric","text":"Quanto?","spec":{"value":Infinity,"tolerance":0}}`],
      ['lone surrogate', `{"category":"Generale","kind":"single","text":"Domanda \\ud800","spec":${JSON.stringify(ok)}}`],
    ];
    for (const [, body] of raw) assertApiError(await api(trainer, 'POST', `/api/v1/modules/${moduleId}/questions`, body), 400, undefined);
    const broken = (field) => {
      const json = JSON.stringify({ ...base, spec: ok, [field]: 'XX' });
      const at = json.indexOf('XX');
      return Buffer.concat([Buffer.from(json.slice(0, at)), Buffer.from([0xc3, 0x28]), Buffer.from(json.slice(at + 2))]);
    };
    for (const field of ['text', 'category', 'feedback']) {
      assertApiError(await apiBytes(trainer, 'POST', `/api/v1/modules/${moduleId}/questions`, broken(field)), 400);
    }
    const brokenChoice = Buffer.concat([Buffer.from('{"category":"Generale","kind":"single","text":"D","spec":{"choices":[{"text":"A'),
      Buffer.from([0xe2, 0x82]), Buffer.from('","correct":true},{"text":"B","correct":false}]}}')]);
    assertApiError(await apiBytes(trainer, 'POST', `/api/v1/modules/${moduleId}/questions`, brokenChoice), 400);
    assert.equal(nQuestions(moduleId), 0, 'nothing stored');
    assert.equal(s.sql(`SELECT count(*) FROM question_categories WHERE module_id = ${moduleId}`), '0', 'no category either');
    assertApiError(await api(trainer, 'POST', '/api/v1/modules/999999999/questions', { ...base, spec: ok }), 404, 'not_found');
  });
});

// ---- 3. the shape of a key already given ----

describe('shape rule', () => {
  it('a question an attempt holds keeps kind and choices (409) but its right answer may change (200)', async () => {
    const { quiz, module } = demo[0];
    const held = await createQ(module, { category: 'Fissa', text: 'Quale scelta è giusta?', spec: choices(3, [0]) });
    const free = await createQ(module, { category: 'Fissa', text: 'Domanda mai data', spec: choices(3, [0]) });
    const put = await api(trainer, 'PUT', `/api/v1/modules/${module}/quiz`,
      settings({ attempts_allowed: 3, time_limit_seconds: 1200, draws: [{ question_id: held.id }] }));
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json().id, quiz, 'the same test, rewritten');
    assert.equal(put.json().questions, 1);
    assert.equal(s.sql(`SELECT string_agg(coalesce(question_id, 0)::text || ':' || count, ',') FROM quiz_draws WHERE quiz_id = ${quiz}`),
      `${held.id}:1`, 'the draws were replaced by the one fixed question');

    const c = await learner(demoCourse);
    const a = await start(c, quiz);
    assert.equal(a.status, 201, a.text);
    assert.deepEqual(a.json().questions.map((q) => q.id), [held.id]);
    const bank = (await api(trainer, 'GET', `/api/v1/modules/${module}/questions`)).json();
    assert.equal(bank.questions.find((q) => q.id === held.id).attempts, 1);

    const before = qrow(held.id);
    const refused = [
      ['kind changed', { kind: 'multiple', spec: choices(3, [0]) }],
      ['kind changed to truefalse', { kind: 'truefalse', spec: { answer: true } }],
      ['a choice added', { spec: choices(4, [0]) }],
      ['a choice removed', { spec: choices(2, [0]) }],
    ];
    for (const [what, body] of refused) {
      const e = assertApiError(await api(trainer, 'PATCH', `/api/v1/questions/${held.id}`, body), 409, 'conflict');
      assert.match(e.message, /già stata data/, `${what}: ${e.message}`);
      assert.deepEqual(qrow(held.id), before, `${what}: nothing stored`);
    }
    // Moving the right answer and fixing texts keeps the shape.
    const fixed = { choices: [{ text: 'Scelta 1', correct: false }, { text: 'Scelta 2 (corretta)', correct: true }, { text: 'Scelta 3', correct: false }] };
    const r = await api(trainer, 'PATCH', `/api/v1/questions/${held.id}`, { spec: fixed, text: 'Quale scelta è davvero giusta?' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json().spec, fixed);
    const after = qrow(held.id);
    assert.deepEqual(after.spec, fixed);
    assert.equal(after.kind, 'single');
    assert.equal(after.text_md, 'Quale scelta è davvero giusta?');
    assert.match(after.text_html, /davvero giusta/);
    assertApiError(await api(trainer, 'PATCH', `/api/v1/questions/${held.id}`, { spec: choices(3, [0, 1]) }), 400, 'bad_request');
    assert.deepEqual(qrow(held.id).spec, fixed, 'a bad key is not stored either');
    assertApiError(await api(trainer, 'PATCH', `/api/v1/questions/${held.id}`, { kind: 'truefalse' }), 400, 'bad_request');

    // A question no attempt holds may gain a choice (its kind: see the next test).
    const r2 = await api(trainer, 'PATCH', `/api/v1/questions/${free.id}`, { spec: choices(4, [3]) });
    assert.equal(r2.status, 200, r2.text);
    assert.deepEqual(qrow(free.id).spec, choices(4, [3]));
  });

  it('a question no attempt holds may change its kind, and the bank stays readable', async () => {
    const { moduleId } = makeModule();
    const q = await createQ(moduleId, { text: 'Diventerà vero/falso' });
    const r = await api(trainer, 'PATCH', `/api/v1/questions/${q.id}`, { kind: 'truefalse', spec: { answer: true } });
    const bank = await api(trainer, 'GET', `/api/v1/modules/${moduleId}/questions`);
    assert.equal(bank.status, 200, `the bank is readable: ${bank.text}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().kind, 'truefalse');
    assert.equal(qrow(q.id).kind, 'truefalse');
    assert.deepEqual(qrow(q.id).spec, { answer: true });
  });
});

// ---- 4. regrade ----

describe('regrade', () => {
  it('after a key is fixed, regrading rescores the attempts and the grades, and is audited', async () => {
    const { quiz, module } = demo[1];
    const q = await createQ(module, { category: 'Da correggere', text: 'Chiave sbagliata', spec: choices(3, [0]) });
    const put = await api(trainer, 'PUT', `/api/v1/modules/${module}/quiz`, settings({ draws: [{ question_id: q.id }] }));
    assert.equal(put.status, 200, put.text);

    // Learner A picks the "old right" choice 1, learner B choice 2.
    const attempts = [];
    for (const choice of [1, 2]) {
      const c = await learner(demoCourse);
      const a = (await start(c, quiz)).json();
      const r = await submit(c, a.id, { answers: { [q.id]: { choice } } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json().score_percent, choice === 1 ? 100 : 0);
      attempts.push({ c, id: a.id, user: c.user.id });
    }
    const row = (id) => s.sql(`SELECT score, passed FROM quiz_attempts WHERE id = ${id}`);
    const itemScore = (id) => s.sql(`SELECT score FROM attempt_questions WHERE attempt_id = ${id} AND question_id = ${q.id}`);
    const grade = (uid) => s.sql(`SELECT grade, passed FROM quiz_grades WHERE quiz_id = ${quiz} AND user_id = ${uid}`);
    assert.equal(row(attempts[0].id), '1|t');
    assert.equal(grade(attempts[0].user), '1|t');
    assert.equal(row(attempts[1].id), '0|f');
    assert.equal(grade(attempts[1].user), '0|f');

    const fix = await api(trainer, 'PATCH', `/api/v1/questions/${q.id}`, { spec: choices(3, [1]) });
    assert.equal(fix.status, 200, fix.text);
    assert.equal(row(attempts[0].id), '1|t', 'fixing a key alone regrades nothing');

    const auditsBefore = Number(s.sql("SELECT count(*) FROM audit_log WHERE action = 'quiz_regrade'"));
    const r = await api(trainer, 'POST', `/api/v1/quizzes/${quiz}/regrade`);
    assert.equal(r.status, 200, r.text);
    const res = r.json();
    const submitted = Number(s.sql(`SELECT count(*) FROM quiz_attempts WHERE quiz_id = ${quiz} AND submitted_at IS NOT NULL`));
    assert.equal(res.quiz_id, quiz);
    assert.equal(res.attempts, submitted, 'every submitted attempt regraded');
    assert.ok(res.attempts >= 2);
    assert.equal(res.changed, 2, 'both attempts changed score');
    assert.equal(row(attempts[0].id), '0|f');
    assert.equal(itemScore(attempts[0].id), '0');
    assert.equal(grade(attempts[0].user), '0|f');
    assert.equal(row(attempts[1].id), '1|t');
    assert.equal(itemScore(attempts[1].id), '1');
    assert.equal(grade(attempts[1].user), '1|t');
    const seen = (await attempts[1].c.get(`/api/v1/attempts/${attempts[1].id}`)).json();
    assert.equal(seen.score_percent, 100, 'the learner sees the new score');
    const formatore = Number(s.sql(`SELECT id FROM users WHERE email = ${lit(s.demo.formatore.email)}`));
    assert.equal(Number(s.sql("SELECT count(*) FROM audit_log WHERE action = 'quiz_regrade'")), auditsBefore + 1);
    assert.equal(s.sql(`SELECT actor_id || '|' || subject_id || '|' || detail FROM audit_log
                        WHERE action = 'quiz_regrade' ORDER BY id DESC LIMIT 1`), `${formatore}|${quiz}|2/${submitted}`);

    // A second regrade changes nothing.
    const again = (await api(trainer, 'POST', `/api/v1/quizzes/${quiz}/regrade`)).json();
    assert.deepEqual([again.attempts, again.changed], [submitted, 0]);
    assert.equal(row(attempts[1].id), '1|t');

    // The page's button does the same (303 to the statistics), with its CSRF token.
    const page = await loginAs(s, 'formatore');
    const token = await page.csrf(`/gestione/test/${quiz}/statistiche`);
    const p = await page.request('POST', `/gestione/test/${quiz}/ricalcola`, { form: { csrf_token: token } });
    assert.equal(p.status, 303);
    assert.equal(p.headers.get('location'), `/gestione/test/${quiz}/statistiche?esito=ricalcolato`);
    assert.equal(Number(s.sql("SELECT count(*) FROM audit_log WHERE action = 'quiz_regrade'")), auditsBefore + 3);
    assertApiError(await api(trainer, 'POST', '/api/v1/quizzes/999999999/regrade'), 404, 'not_found');
  });
});

// ---- 5. settings ----

describe('settings', () => {
  const quizRow = (moduleId) => {
    const t = s.sql(`SELECT json_build_object('id', id, 'title', title, 'intro_html', intro_html, 'pass_percent', pass_percent,
        'time_limit_seconds', time_limit_seconds, 'attempts_allowed', attempts_allowed, 'min_delay_seconds', min_delay_seconds,
        'grading', grading, 'shuffle_questions', shuffle_questions, 'shuffle_choices', shuffle_choices,
        'review_right_answers', review_right_answers, 'published', published, 'purpose', purpose,
        'opens_at', to_char(opens_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
        'closes_at', to_char(closes_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'))::text FROM quizzes WHERE module_id = ${moduleId}`);
    return t === '' ? null : JSON.parse(t);
  };
  const draws = (quizId) => s.sql(`SELECT string_agg(coalesce(category_id, 0) || ':' || coalesce(question_id, 0) || ':' || count, ','
                                   ORDER BY position) FROM quiz_draws WHERE quiz_id = ${quizId}`);

  it('creates (201) and rewrites (200) a test; refuses impossible draws and dates (400); stores Rome times in UTC', async () => {
    const { moduleId } = makeModule();
    const alfa = [];
    for (let i = 0; i < 3; i++) alfa.push((await createQ(moduleId, { category: 'Alfa', text: `Alfa ${i}` })).id);
    await createQ(moduleId, { category: 'Beta', kind: 'truefalse', spec: { answer: true } });
    const cat = (name) => Number(s.sql(`SELECT id FROM question_categories WHERE module_id = ${moduleId} AND name = ${lit(name)}`));
    const put = (body) => api(trainer, 'PUT', `/api/v1/modules/${moduleId}/quiz`, body);
    assert.equal(quizRow(moduleId), null);

    const r1 = await put(settings({ title: 'Primo titolo', pass_percent: 70, time_limit_seconds: 600, attempts_allowed: 2,
      min_delay_seconds: 3600, grading: 'last', draws: [{ category_id: cat('Alfa'), count: 2 }] }));
    assert.equal(r1.status, 201, r1.text);
    const quizId = r1.json().id;
    assert.deepEqual(r1.json(), { id: quizId, module_id: moduleId, title: 'Primo titolo', questions: 2, published: true });
    let row = quizRow(moduleId);
    assert.equal(row.id, quizId);
    assert.deepEqual([row.title, row.pass_percent, row.time_limit_seconds, row.attempts_allowed, row.min_delay_seconds,
      row.grading, row.shuffle_questions, row.published, row.purpose], ['Primo titolo', 70, 600, 2, 3600, 'last', false, true, 'final']);
    assert.match(row.intro_html, /<strong>bene<\/strong>/);
    assert.equal(draws(quizId), `${cat('Alfa')}:0:2`);

    const r2 = await put(settings({ title: 'Secondo titolo', time_limit_seconds: 0,
      draws: [{ category_id: cat('Alfa'), count: 2 }, { question_id: alfa[0] }, { category_id: cat('Beta'), count: 1 }] }));
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json().id, quizId, 'the same test');
    assert.equal(r2.json().questions, 4);
    row = quizRow(moduleId);
    assert.equal(row.title, 'Secondo titolo');
    assert.equal(row.time_limit_seconds, null, '0 is no limit');
    assert.equal(draws(quizId), `${cat('Alfa')}:0:2,0:${alfa[0]}:1,${cat('Beta')}:0:1`, 'draws replaced, in order');
    assert.equal(s.sql(`SELECT count(*) FROM quizzes WHERE module_id = ${moduleId}`), '1');

    const stored = JSON.stringify([quizRow(moduleId), draws(quizId)]);
    const demoCat = Number(s.sql(`SELECT id FROM question_categories WHERE module_id = ${demo[3].module} ORDER BY id LIMIT 1`));
    const demoQ = Number(s.sql(`SELECT q.id FROM questions q WHERE q.category_id = ${demoCat} ORDER BY id LIMIT 1`));
    const bad = [
      ['more than Alfa holds', settings({ draws: [{ category_id: cat('Alfa'), count: 4 }] }), /«Alfa» ha 3 domande/],
      ['Alfa less its fixed question', settings({ draws: [{ question_id: alfa[1] }, { category_id: cat('Alfa'), count: 3 }] }), /«Alfa» ha 2 domande/],
      ['a category of another module', settings({ draws: [{ category_id: demoCat, count: 1 }] }), new RegExp(`categoria ${demoCat} non è tra quelle che questo test può estrarre`)],
      ['a question of another module', settings({ draws: [{ question_id: demoQ }] }), new RegExp(`domanda ${demoQ} non è tra quelle che questo test può estrarre`)],
      ['a category twice', settings({ draws: [{ category_id: cat('Alfa'), count: 1 }, { category_id: cat('Alfa'), count: 1 }] }), /una volta sola/],
      ['published without draws', settings({ draws: [] }), /almeno una domanda/],
      ['published, draws left out', settings(), /almeno una domanda/],
      ['count 0', settings({ draws: [{ category_id: cat('Alfa'), count: 0 }] }), /«count»/],
      ['a draw with both ids', settings({ draws: [{ category_id: cat('Alfa'), question_id: alfa[0], count: 1 }] }), /«draws»/],
      ['draws not an array', settings({ draws: { category_id: cat('Alfa'), count: 1 } }), /«draws»/],
      ['30 February', settings({ opens_at: '2026-02-30T10:00', draws: [{ question_id: alfa[0] }] }), /«opens_at»: Data e ora non valide/],
      ['29 February of 2027', settings({ opens_at: '2027-02-29T10:00', draws: [{ question_id: alfa[0] }] }), /«opens_at»/],
      ['month 13', settings({ closes_at: '2026-13-01T10:00', draws: [{ question_id: alfa[0] }] }), /«closes_at»/],
      ['hour 24', settings({ opens_at: '2026-12-01T24:00', draws: [{ question_id: alfa[0] }] }), /«opens_at»/],
      ['a space for T', settings({ opens_at: '2026-12-01 10:00', draws: [{ question_id: alfa[0] }] }), /«opens_at»/],
      ['a date alone', settings({ opens_at: '2026-12-01', draws: [{ question_id: alfa[0] }] }), /«opens_at»/],
      ['trailing text', settings({ opens_at: '2026-12-01T10:00 domani', draws: [{ question_id: alfa[0] }] }), /«opens_at»/],
      ['closes before opens', settings({ opens_at: '2026-12-01T10:00', closes_at: '2026-12-01T09:00', draws: [{ question_id: alfa[0] }] }), /chiusura deve venire dopo/],
      ['a time limit of 30 s', settings({ time_limit_seconds: 30, draws: [{ question_id: alfa[0] }] }), /almeno un minuto/],
      ['pass_percent 101', settings({ pass_percent: 101, draws: [{ question_id: alfa[0] }] }), null],
      ['pass_percent a string', settings({ pass_percent: '60', draws: [{ question_id: alfa[0] }] }), /tipo di valore non valido/],
      ['no title', { ...settings({ draws: [{ question_id: alfa[0] }] }), title: undefined }, null],
      ['unknown grading', settings({ grading: 'median', draws: [{ question_id: alfa[0] }] }), null],
    ];
    for (const [what, body, message] of bad) {
      const e = assertApiError(await put(body), 400);
      if (message) assert.match(e.message, message, `${what}: ${e.message}`);
      assert.equal(JSON.stringify([quizRow(moduleId), draws(quizId)]), stored, `${what}: nothing changed`);
    }
    // A retired question can no longer be a fixed draw.
    const retired = await api(trainer, 'DELETE', `/api/v1/questions/${alfa[2]}`);
    assert.equal(retired.status, 200, retired.text);
    assert.equal(retired.json().retired, true);
    assert.equal(qrow(alfa[2]).retired, true);
    assertApiError(await put(settings({ draws: [{ question_id: alfa[2] }] })), 400);
    assertApiError(await put(settings({ draws: [{ category_id: cat('Alfa'), count: 3 }] })), 400, 'bad_request');
    assert.equal(JSON.stringify([quizRow(moduleId), draws(quizId)]), stored);

    // An unpublished draft may have no draws.
    const draft = await put(settings({ published: false, draws: [] }));
    assert.equal(draft.status, 200, draft.text);
    assert.equal(quizRow(moduleId).published, false);
    assert.equal(draws(quizId), '', 'no draws');

    // Times without a zone are Rome's: 10:00 in December is 09:00 UTC, in July 08:00 UTC.
    const timed = await put(settings({ opens_at: '2026-12-01T10:00', closes_at: '2027-07-01T10:00', draws: [{ question_id: alfa[0] }] }));
    assert.equal(timed.status, 200, timed.text);
    row = quizRow(moduleId);
    assert.equal(row.opens_at, '2026-12-01 09:00');
    assert.equal(row.closes_at, '2027-07-01 08:00');
    const zoned = await put(settings({ opens_at: '2028-02-29T10:00Z', closes_at: '2028-03-01T10:00:30+02:00', draws: [{ question_id: alfa[0] }] }));
    assert.equal(zoned.status, 200, zoned.text);
    row = quizRow(moduleId);
    assert.equal(row.opens_at, '2028-02-29 10:00', 'a leap day, in UTC as written');
    assert.equal(row.closes_at, '2028-03-01 08:00');
    const cleared = await put(settings({ opens_at: '', draws: [{ question_id: alfa[0] }] }));
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(quizRow(moduleId).opens_at, null, 'an empty date clears it');
    assertApiError(await api(trainer, 'PUT', '/api/v1/modules/999999999/quiz', settings({ draws: [] , published: false })), 404, 'not_found');
  });

  it('refuses a closing before the opening written in another form, and impossible offsets (400)', async () => {
    const { moduleId } = makeModule();
    const q = await createQ(moduleId, {});
    const put = (extra) => api(trainer, 'PUT', `/api/v1/modules/${moduleId}/quiz`, settings({ ...extra, draws: [{ question_id: q.id }] }));
    const got = [];
    for (const [opens, closes] of [['2026-12-01T09:30Z', '2026-12-01T10:00'], ['2026-12-01T10:00:00', '2026-12-01T10:00'],
      ['2026-12-01T10:00Z', '2026-12-01T10:30+02:00'], ['2026-12-01T10:00+99:99', '']]) {
      got.push(`${opens} .. ${closes}: ${(await put({ opens_at: opens, closes_at: closes })).status}`);
    }
    assert.deepEqual(got, got.map((g) => g.replace(/\d+$/, '400')));
    assert.equal(s.sql(`SELECT count(*) FROM quizzes WHERE module_id = ${moduleId}`), '0', 'nothing stored');
  });
});

// ---- 6. statistics ----

describe('statistics', () => {
  it('facility is the mean stored score of each question; the distribution counts the attempts; CSV for spreadsheets', async () => {
    const { quiz } = demo[2];
    // Four learners; learner k answers the first k + 1 questions of their attempt right and leaves the rest.
    for (let k = 0; k < 4; k++) {
      const c = await learner(demoCourse);
      const a = (await start(c, quiz)).json();
      const answers = {};
      for (const q of a.questions.slice(0, k + 1)) {
        answers[q.id] = rightAnswer(JSON.parse(s.sql(`SELECT json_build_object('kind', kind, 'spec', spec)::text FROM questions WHERE id = ${q.id}`)));
      }
      const r = await submit(c, a.id, { answers });
      assert.equal(r.status, 200, r.text);
    }
    const r = await api(trainer, 'GET', `/api/v1/quizzes/${quiz}/statistics`);
    assert.equal(r.status, 200, r.text);
    const st = r.json();
    const scores = s.sql(`SELECT score FROM quiz_attempts WHERE quiz_id = ${quiz} AND submitted_at IS NOT NULL`).split('\n').map(Number);
    assert.ok(scores.length >= 4);
    assert.equal(st.attempts, scores.length);
    assert.equal(st.distribution.length, 10);
    assert.equal(st.distribution.reduce((x, y) => x + y, 0), st.attempts, 'the distribution sums to the attempts');
    const expected = Array(10).fill(0);
    for (const x of scores) expected[Math.min(9, Math.floor(x * 10 + 1e-9))]++;
    assert.deepEqual(st.distribution, expected);
    assert.ok(Math.abs(st.mean_score - scores.reduce((x, y) => x + y, 0) / scores.length) < 1e-4);

    const facility = Object.fromEntries(s.sql(`SELECT aq.question_id, avg(coalesce(aq.score, 0)), count(*)
        FROM attempt_questions aq JOIN quiz_attempts a ON a.id = aq.attempt_id
        WHERE a.quiz_id = ${quiz} AND a.submitted_at IS NOT NULL GROUP BY aq.question_id`)
      .split('\n').map((l) => { const [id, f, n] = l.split('|'); return [id, { f: Number(f), n: Number(n) }]; }));
    assert.deepEqual(st.questions.map((q) => String(q.id)).sort(), Object.keys(facility).sort(), 'one entry per question given');
    assert.ok(Object.values(facility).some((x) => x.f > 0) && Object.values(facility).some((x) => x.f < 1), 'scores vary');
    for (const q of st.questions) {
      assert.ok(Math.abs(q.facility - facility[q.id].f) < 1e-4, `question ${q.id}: facility ${q.facility} vs ${facility[q.id].f}`);
      assert.equal(q.attempts, facility[q.id].n);
      assert.ok(q.discrimination === null || (q.discrimination >= -1 && q.discrimination <= 1));
      assert.equal(q.kind, qrow(q.id).kind);
    }

    const csv = await trainer.get(`/gestione/test/${quiz}/statistiche.csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /^text\/csv; charset=utf-8/);
    assert.match(csv.headers.get('content-disposition'), new RegExp(`attachment; filename="statistiche-test-${quiz}\\.csv"`));
    assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte order mark');
    assert.ok(csv.text.endsWith('\r\n'));
    const rows = parseCsv(csv.text.slice(1));
    assert.deepEqual(rows[0], ['Domanda', 'Tipo', 'Testo', 'Tentativi', 'Facilità (%)', 'Discriminazione', 'Segnalazione']);
    assert.equal(rows.length - 1, Object.keys(facility).length, 'one row per question');
    for (const row of rows.slice(1)) {
      assert.equal(row.length, 7, `seven cells: ${row}`);
      const f = facility[row[0]];
      assert.ok(f, `question ${row[0]} was given`);
      assert.equal(Number(row[3]), f.n);
      assert.equal(Number(row[4]), Math.floor(f.f * 100 + 0.5));
      assert.match(row[5], /^(-?\d+,\d\d)?$/, 'decimal comma or empty');
      assert.equal(row[2], s.sql(`SELECT text_md FROM questions WHERE id = ${row[0]}`));
    }
    const page = await trainer.get(`/gestione/test/${quiz}/statistiche`);
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`statistiche\\.csv`));
  });
});

// ---- 7. HTML forms ----

describe('HTML forms', () => {
  it('adds questions in the one-line-per-answer format, refuses malformed keys and missing CSRF', async () => {
    const { moduleId } = makeModule();
    const c = await loginAs(s, 'formatore');
    const token = await c.csrf(`/gestione/moduli/${moduleId}/test`);
    const add = (fields, csrf = token) => c.request('POST', `/gestione/moduli/${moduleId}/domande`,
      { form: { ...(csrf ? { csrf_token: csrf } : {}), category: 'Forme', feedback: '', points: '1', ...fields } });
    const lastQ = () => Number(s.sql(`SELECT coalesce(max(q.id), 0) FROM questions q JOIN question_categories c ON c.id = q.category_id
                                      WHERE c.module_id = ${moduleId}`));
    const good = [
      [{ kind: 'single', text: 'Qual è giusta?', answers: '* Giusta\nSbagliata', points: '2' },
        { choices: [{ text: 'Giusta', correct: true }, { text: 'Sbagliata', correct: false }] }],
      [{ kind: 'multiple', text: 'Quali?', answers: '*Uno\r\n  Due  \r\n\r\n*   Tre' },
        { choices: [{ text: 'Uno', correct: true }, { text: 'Due', correct: false }, { text: 'Tre', correct: true }] }],
      [{ kind: 'truefalse', text: 'Vero?', answers: 'Vero' }, { answer: true }],
      [{ kind: 'matching', text: 'Abbina', answers: 'Roma = Lazio\nMilano=Lombardia = regione\nLatina   =   Lazio' },
        null],
      [{ kind: 'short', text: 'Sigla?', answers: 'Codice fiscale\nCF' }, { accepted: ['Codice fiscale', 'CF'] }],
      [{ kind: 'numeric', text: 'Quanto?', answers: '12,5 ± 0,5' }, { value: 12.5, tolerance: 0.5 }],
    ];
    for (const [fields, spec] of good) {
      const r = await add(fields);
      assert.equal(r.status, 303, `${fields.kind}: ${r.status} ${r.text.slice(0, 300)}`);
      assert.equal(r.headers.get('location'), `/gestione/moduli/${moduleId}/test?esito=domanda#domande`);
      const row = qrow(lastQ());
      assert.equal(row.kind, fields.kind);
      assert.equal(row.text_md, fields.text);
      assert.equal(row.category, 'Forme');
      assert.equal(row.points, Number(fields.points ?? 1));
      if (spec) assert.deepEqual(row.spec, spec, `${fields.kind}: stored key`);
    }
    const matching = qrow(lastQ() - 2);
    assert.deepEqual(matching.spec, { pairs: [{ prompt: 'Roma', match: 'Lazio' }, { prompt: 'Milano=Lombardia', match: 'regione' },
      { prompt: 'Latina', match: 'Lazio' }] }, 'split at the first " = ", trimmed');
    const count = nQuestions(moduleId);
    assert.equal(count, good.length);

    // The editor shows the key back as lines.
    const ed = await c.get(`/gestione/domande/${lastQ() - 5}`);
    assert.equal(ed.status, 200);
    assert.match(unescape(ed.text), /name="answers"[^>]*>\* Giusta\r?\nSbagliata<\/textarea>/);

    const refused = [
      [{ kind: 'single', text: 'Due giuste', answers: '* Giusta\n\n* Anche giusta' },
        'Riga 3: una domanda a scelta singola ha esattamente una scelta corretta.'],
      [{ kind: 'matching', text: 'Abbina', answers: 'Roma = Lazio\nMilano senza abbinamento' },
        "Riga 2: scrivere l'elemento e il suo abbinamento separati da « = »."],
      [{ kind: 'truefalse', text: 'Vero?', answers: 'forse' }, 'Riga 1: scrivere «vero» o «falso».'],
      [{ kind: 'truefalse', text: 'Vero?', answers: 'vero\n\nfalso' }, 'Riga 3: basta una riga'],
      [{ kind: 'numeric', text: 'Quanto?', answers: '12,5\n13' }, 'Riga 2: basta una riga'],
      [{ kind: 'single', text: 'Una sola', answers: '* Sola' }, 'Servono da 2 a 10 scelte.'],
      [{ kind: 'single', text: 'Troppe', answers: `* A\n${Array.from({ length: 10 }, (_, i) => `B${i}`).join('\n')}` }, 'Riga 11:'],
    ];
    for (const [fields, message] of refused) {
      const r = await add(fields);
      assert.equal(r.status, 400, `${fields.answers}: ${r.status}`);
      const text = unescape(r.text);
      assert.ok(text.includes(message), `${JSON.stringify(fields.answers)}: the page says "${message}"`);
      assert.match(r.text, /id="f-answers"[^>]*aria-invalid="true"/, 'the field is marked wrong');
      assert.ok(text.includes(fields.answers.split('\n').at(-1)), 'what was typed is kept');
    }
    assert.equal(nQuestions(moduleId), count, 'nothing stored');

    // Missing or foreign CSRF token: 403, nothing stored.
    const body = { kind: 'truefalse', text: 'Vero?', answers: 'vero' };
    assert.equal((await add(body, null)).status, 403);
    assert.equal((await add(body, 'x'.repeat(43))).status, 403);
    const other = await loginAs(s, 'coordinamento');
    assert.equal((await add(body, await other.csrf(`/gestione/moduli/${moduleId}/test`))).status, 403, "another session's token");
    assert.equal(nQuestions(moduleId), count);
  });

  it('"Riga N" counts the blank lines before the first answer', async () => {
    const { moduleId } = makeModule();
    const c = await loginAs(s, 'formatore');
    const token = await c.csrf(`/gestione/moduli/${moduleId}/test`);
    const r = await c.request('POST', `/gestione/moduli/${moduleId}/domande`,
      { form: { csrf_token: token, category: 'Forme', kind: 'truefalse', text: 'Vero?', answers: '\n\nforse' } });
    assert.equal(r.status, 400);
    assert.ok(unescape(r.text).includes('Riga 3: scrivere «vero» o «falso».'), 'the line the trainer sees');
    assert.equal(nQuestions(moduleId), 0);
  });

  it('a retired question is not drawn by new attempts any more', async () => {
    const { courseId, moduleId } = makeModule();
    const c = await loginAs(s, 'formatore');
    const token = await c.csrf(`/gestione/moduli/${moduleId}/test`);
    for (const t of ['Prima', 'Seconda', 'Terza']) {
      const r = await c.request('POST', `/gestione/moduli/${moduleId}/domande`,
        { form: { csrf_token: token, category: 'Ritiro', kind: 'truefalse', text: t, answers: 'vero' } });
      assert.equal(r.status, 303);
    }
    const ids = s.sql(`SELECT q.id FROM questions q JOIN question_categories c ON c.id = q.category_id
                       WHERE c.module_id = ${moduleId} ORDER BY q.id`).split('\n').map(Number);
    const cat = Number(s.sql(`SELECT id FROM question_categories WHERE module_id = ${moduleId}`));
    // The settings form: two of the three questions per attempt, unlimited attempts.
    const set = await c.request('POST', `/gestione/moduli/${moduleId}/test`, { form: {
      csrf_token: token, title: 'Test con ritiro', pass_percent: '60', time_limit_minutes: '0', attempts_allowed: '0',
      min_delay_minutes: '0', grading: 'highest', review_answers: 'immediately', review_correctness: 'immediately',
      review_feedback: 'immediately', review_right_answers: 'after_close', draw_category: String(cat), draw_count: '2',
      published: '1' } });
    assert.equal(set.status, 303, set.text.slice(0, 500));
    assert.equal(set.headers.get('location'), `/gestione/moduli/${moduleId}/test?esito=salvato`);
    const quizId = Number(s.sql(`SELECT id FROM quizzes WHERE module_id = ${moduleId}`));
    assert.equal(s.sql(`SELECT published || '|' || attempts_allowed || '|' || coalesce(time_limit_seconds, 0) FROM quizzes WHERE id = ${quizId}`), 'true|0|0');
    assert.equal(s.sql(`SELECT category_id || ':' || count FROM quiz_draws WHERE quiz_id = ${quizId}`), `${cat}:2`);

    const retired = ids[1];
    // Without a CSRF token nothing happens.
    assert.equal((await c.request('POST', `/gestione/domande/${retired}/ritira`, { form: { retired: '1' } })).status, 403);
    assert.equal(qrow(retired).retired, false);
    const qtoken = await c.csrf(`/gestione/domande/${retired}`);
    const r = await c.request('POST', `/gestione/domande/${retired}/ritira`, { form: { csrf_token: qtoken, retired: '1' } });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), `/gestione/domande/${retired}?esito=ritirata`);
    assert.equal(qrow(retired).retired, true);
    const bank = (await api(trainer, 'GET', `/api/v1/modules/${moduleId}/questions`)).json();
    assert.equal(bank.categories[0].questions, 2, 'the category has two questions left to draw');
    assert.equal(bank.questions.find((q) => q.id === retired).retired, true);

    const l = await learner(courseId);
    for (let i = 0; i < 3; i++) {
      const a = await start(l, quizId);
      assert.equal(a.status, 201, a.text);
      const drawn = a.json().questions.map((q) => q.id).sort((x, y) => x - y);
      assert.deepEqual(drawn, [ids[0], ids[2]], `attempt ${i + 1} draws the two live questions only`);
      assert.equal((await submit(l, a.json().id)).status, 200);
    }
    // Put back, it may be drawn again: the bank counts it.
    const back = await c.request('POST', `/gestione/domande/${retired}/ritira`, { form: { csrf_token: qtoken, retired: '0' } });
    assert.equal(back.status, 303);
    assert.equal(qrow(retired).retired, false);
    assert.equal((await api(trainer, 'GET', `/api/v1/modules/${moduleId}/questions`)).json().categories[0].questions, 3);
  });

  it('a retired fixed question is not drawn by new attempts either', async () => {
    const { courseId, moduleId } = makeModule();
    const fixedQ = await createQ(moduleId, { category: 'Fisse', text: 'Fissa da ritirare' });
    const other = await createQ(moduleId, { category: 'Fisse', text: 'Fissa che resta' });
    const put = await api(trainer, 'PUT', `/api/v1/modules/${moduleId}/quiz`,
      settings({ draws: [{ question_id: fixedQ.id }, { question_id: other.id }] }));
    assert.equal(put.status, 201, put.text);
    const quizId = put.json().id;
    const del = await api(trainer, 'DELETE', `/api/v1/questions/${fixedQ.id}`);
    assert.equal(del.status, 200, del.text);
    assert.equal(qrow(fixedQ.id).retired, true);
    const l = await learner(courseId);
    const a = await start(l, quizId);
    assert.ok(a.status === 409 || a.status === 201, a.text);
    if (a.status === 201) assert.ok(!a.json().questions.some((q) => q.id === fixedQ.id), 'the retired question is not drawn');
    else assert.equal(s.sql(`SELECT count(*) FROM attempt_questions WHERE question_id = ${fixedQ.id}`), '0');
  });
});
