// Progress across people and enrolment of many (issue 3): a referent sees
// only their organisation (and its sub-organisations), staff see everyone
// and filter by course, organisation and cohort; the CSV is UTF-8 with BOM,
// semicolons and CRLF, with formulas neutralised; trainers and coordination
// enrol an organisation or a list of addresses, all or nothing.
// Real stack (tests/lib/harness.mjs).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/harness.mjs';
import { apiLogin, assertApiError, bearer, lit, loginAs, tokenFor, uniq } from './util.mjs';

let s, fm, co, ref, op, coApi, opApi, refOrg;
before(async () => {
  s = await startStack();
  fm = await loginAs(s, 'formatore');
  co = await loginAs(s, 'coordinamento');
  ref = await loginAs(s, 'referente');
  op = await loginAs(s, 'operatore');
  coApi = await apiLogin(s, s.demo.coordinamento.email, s.demo.coordinamento.password);
  opApi = await apiLogin(s, s.demo.operatore.email, s.demo.operatore.password);
  refOrg = s.sql(`SELECT org_id FROM users WHERE email = ${lit(s.demo.referente.email)}`);
});
after(async () => { await s?.stop(); });

const api = (c, method, path, json) => c.request(method, path, { json, headers: { 'x-csrf-token': c.csrfToken } });

// An organisation (optionally under parent) and an active member of it.
function org(parent = null) {
  return s.sql(`INSERT INTO orgs (name, parent_id) VALUES (${lit(`Ente ${uniq()}`)}, ${parent ?? 'NULL'}) RETURNING id`);
}
function person(orgId, name = `Persona ${uniq()}`, status = 'active') {
  const email = `${uniq('p').toLowerCase()}@example.it`;
  const id = s.sql(`INSERT INTO users (email, name, password_hash, org_id, status)
    VALUES (${lit(email)}, ${lit(name)}, 'x', ${orgId ?? 'NULL'}, ${lit(status)}) RETURNING id`);
  return { id, email, name };
}

// A published course with two published lessons and one draft lesson.
function course() {
  const slug = uniq('c').toLowerCase().replace(/[^a-z0-9]/g, '');
  const id = s.sql(`INSERT INTO courses (title, slug, published) VALUES (${lit(`Corso ${slug}`)}, ${lit(slug)}, true) RETURNING id`);
  const mid = s.sql(`INSERT INTO modules (course_id, position, title) VALUES (${id}, 1, 'Modulo') RETURNING id`);
  const lessons = [1, 2, 3].map((p) => s.sql(`INSERT INTO lessons (module_id, position, title, published)
    VALUES (${mid}, ${p}, 'Lezione ${p}', ${p < 3}) RETURNING id`));
  return { id, lessons };
}
const enrol = (uid, cid) => s.sql(`INSERT INTO enrolments (user_id, course_id) VALUES (${uid}, ${cid})`);
const complete = (uid, lid) => s.sql(`INSERT INTO lesson_progress (user_id, lesson_id) VALUES (${uid}, ${lid})`);
const enrolled = (cid) => s.sql(`SELECT count(*) FROM enrolments WHERE course_id = ${cid}`);

// The CSV body as rows of cells (the test files hold no quoted separators).
function csvRows(text) {
  assert.ok(text.startsWith('\uFEFF'), 'starts with a UTF-8 BOM');
  assert.ok(text.endsWith('\r\n'), 'rows end with CRLF');
  return text.slice(1).split('\r\n').slice(0, -1).map((l) => l.split(';'));
}

describe('who sees whose progress', () => {
  it('shows a referent their organisation and its sub-organisations, never another one', async () => {
    const c = course();
    const sub = org(refOrg);
    const mine = person(refOrg), inSub = person(sub), other = person(org());
    for (const p of [mine, inSub, other]) enrol(p.id, c.id);
    const r = await ref.get(`/api/v1/courses/${c.id}/progress`);
    assert.equal(r.status, 200, r.text);
    const ids = r.json().learners.map((l) => String(l.user_id)).sort();
    assert.deepEqual(ids, [mine.id, inSub.id].sort());
    // Asking for the other organisation gives nothing, not its people.
    const otherOrg = s.sql(`SELECT org_id FROM users WHERE id = ${other.id}`);
    const f = await ref.get(`/api/v1/courses/${c.id}/progress?org=${otherOrg}`);
    assert.equal(f.json().total, 0);
    const page = await ref.get(`/avanzamento?corso=${c.id}&ente=${otherOrg}`);
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes(other.email));
    const all = await ref.get(`/avanzamento?corso=${c.id}`);
    assert.ok(all.text.includes(mine.email) && all.text.includes(inSub.email) && !all.text.includes(other.email));
    const csv = await ref.get(`/avanzamento.csv?corso=${c.id}`);
    assert.ok(csv.text.includes(mine.email) && !csv.text.includes(other.email));
  });

  it('shows coordination everyone, filtered by organisation and cohort', async () => {
    const c = course();
    const o1 = org(), o2 = org();
    const a = person(o1), b = person(o2);
    enrol(a.id, c.id); enrol(b.id, c.id);
    const both = (await co.get(`/api/v1/courses/${c.id}/progress`)).json();
    assert.equal(both.total, 2);
    const one = (await co.get(`/api/v1/courses/${c.id}/progress?org=${o2}`)).json();
    assert.deepEqual(one.learners.map((l) => l.email), [b.email]);
    const cohort = s.sql(`INSERT INTO cohorts (course_id, name, starts_on) VALUES (${c.id}, 'Classe A', '2031-01-01') RETURNING id`);
    s.sql(`INSERT INTO cohort_members (cohort_id, user_id) VALUES (${cohort}, ${a.id})`);
    const page = await co.get(`/avanzamento?corso=${c.id}&classe=${cohort}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(a.email) && !page.text.includes(b.email));
    assert.match(page.text, /Classe A/);
  });

  it('refuses operatori (403) and a referent without an organisation (403)', async () => {
    const c = course();
    for (const p of ['/avanzamento', '/avanzamento.csv']) assert.equal((await op.get(p)).status, 403, p);
    assertApiError(await op.get(`/api/v1/courses/${c.id}/progress`), 403);
    const lone = person(null);
    s.sql(`UPDATE users SET roles = '{referente}' WHERE id = ${lone.id}`);
    const res = await bearer(s, tokenFor(s, lone.email), 'GET', `/api/v1/courses/${c.id}/progress`);
    assert.match(assertApiError(res, 403, 'no_organisation').message, /non è associato a un ente/);
  });

  it('never shows a referent a draft course, its people or its cohorts', async () => {
    const c = course();
    s.sql(`UPDATE courses SET published = false WHERE id = ${c.id}`);
    const mine = person(refOrg);
    enrol(mine.id, c.id);
    const cohort = s.sql(`INSERT INTO cohorts (course_id, name, starts_on) VALUES (${c.id}, 'Classe segreta', '2031-01-01') RETURNING id`);
    const page = await ref.get(`/avanzamento?corso=${c.id}`);
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes(mine.email), 'no enrolment of a draft');
    assert.ok(!page.text.includes(`Corso ${s.sql(`SELECT slug FROM courses WHERE id = ${c.id}`)}`), 'no draft in the course list');
    assert.ok(!page.text.includes('Classe segreta'), 'no cohort of a draft');
    assert.ok(!(await ref.get(`/avanzamento.csv?corso=${c.id}`)).text.includes(mine.email));
    assertApiError(await ref.get(`/api/v1/courses/${c.id}/progress`), 404);
    // Staff see it all.
    assert.ok((await co.get(`/avanzamento?corso=${c.id}&classe=${cohort}`)).text.includes('Classe segreta'));
  });

  it('answers 404 past the last page of results', async () => {
    const c = course();
    enrol(person(org()).id, c.id);
    assert.equal((await co.get(`/avanzamento?corso=${c.id}&pagina=1`)).status, 200);
    assert.equal((await co.get(`/avanzamento?corso=${c.id}&pagina=2`)).status, 404);
  });

  it('answers 404 for an unknown course and 400 for malformed filters', async () => {
    assertApiError(await co.get('/api/v1/courses/999999999/progress'), 404);
    assert.equal((await co.get('/avanzamento?corso=abc')).status, 400);
    assert.equal((await co.get('/avanzamento.csv?ente=-1')).status, 400);
    assertApiError(await co.get('/api/v1/courses/1/progress?limit=100000'), 400);
    assertApiError(await co.get('/api/v1/courses/1/progress?offset=-1'), 400);
    assertApiError(await co.get('/api/v1/courses/1/progress?org=x'), 400);
    for (const q of ['pagina=0', 'pagina=abc', 'pagina=99999999', 'classe=1.5', 'corso=%FF']) {
      assert.equal((await co.get(`/avanzamento?${q}`)).status, 400, q);
    }
  });
});

describe('progress figures and the CSV', () => {
  it('counts published lessons only and exports what the page shows', async () => {
    const c = course();
    const o = org();
    const p = person(o, '=SOMMA(A1:A9)');
    enrol(p.id, c.id);
    complete(p.id, c.lessons[0]);
    complete(p.id, c.lessons[2]);	// a draft lesson: not counted
    const r = (await co.get(`/api/v1/courses/${c.id}/progress`)).json();
    assert.equal(r.learners[0].lessons_done, 1);
    assert.equal(r.learners[0].lessons_total, 2);
    assert.equal(r.learners[0].percent, 50);

    const csv = await co.get(`/avanzamento.csv?corso=${c.id}`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /^text\/csv; charset=utf-8/);
    assert.match(csv.headers.get('content-disposition'), /^attachment; filename="avanzamento\.csv"/);
    const rows = csvRows(csv.text);
    assert.deepEqual(rows[0], ['Corso', 'Nome e cognome', 'Email', 'Ente', 'Classi', 'Iscrizione',
      'Lezioni completate', 'Lezioni totali', 'Percentuale completamento', 'Ultima attività']);
    assert.equal(rows.length, 2);
    assert.equal(rows[1][1], '"\'=SOMMA(A1:A9)"', 'a formula is quoted and neutralised');
    assert.deepEqual(rows[1].slice(6, 9), ['1', '2', '50']);
    assert.match(rows[1][9], /^\d\d\/\d\d\/\d{4} \d\d:\d\d$/, 'last activity in Rome time');
  });

  it('streams a large export whole (chunked, one row per enrolment)', async () => {
    const c = course();
    const o = org();
    s.sql(`INSERT INTO users (email, name, password_hash, org_id, status)
      SELECT 'bulk' || g || '-${c.id}@example.it', 'Persona ' || g, 'x', ${o}, 'active' FROM generate_series(1, 3000) g`);
    s.sql(`INSERT INTO enrolments (user_id, course_id) SELECT id, ${c.id} FROM users WHERE org_id = ${o}`);
    s.sql(`INSERT INTO lesson_progress (user_id, lesson_id) SELECT id, ${c.lessons[0]} FROM users WHERE org_id = ${o}`);
    const csv = await co.get(`/avanzamento.csv?corso=${c.id}`);
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get('transfer-encoding'), 'chunked', 'streamed, no Content-Length');
    const rows = csvRows(csv.text);
    assert.equal(rows.length, 3001);
    assert.ok(rows.slice(1).every((r) => r.length === 10 && r[8] === '50'));
  });
});

describe('enrolment of many', () => {
  it('enrols an organisation with or without its sub-organisations (active people only)', async () => {
    const c = course();
    const top = org(), sub = org(top);
    person(top); person(top, 'Sospesa', 'disabled'); person(sub);
    let r = await api(coApi, 'POST', `/api/v1/courses/${c.id}/enrolments`, { organisation_id: Number(top), include_suborganisations: false });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().enrolled, 1);
    r = await api(coApi, 'POST', `/api/v1/courses/${c.id}/enrolments`, { organisation_id: Number(top) });
    assert.deepEqual([r.json().enrolled, r.json().total], [1, 2]);
    // The form does the same, and a second time enrols nobody new.
    const f = await fm.submit(`/gestione/corsi/${c.id}/iscrizioni`, `/gestione/corsi/${c.id}/iscrizioni/ente`, { ente: top, sottoenti: '1' });
    assert.equal(f.status, 303, f.text);
    assert.match(f.headers.get('location'), /esito=nessuno$/);
    assert.equal(enrolled(c.id), '2');
  });

  it('enrols a list all or nothing', async () => {
    const c = course();
    const o = org();
    const a = person(o), b = person(o);
    let r = await fm.submit(`/gestione/corsi/${c.id}/iscrizioni`, `/gestione/corsi/${c.id}/iscrizioni/elenco`,
      { emails: `${a.email}\nnessuno@example.it;\n` });
    assert.equal(r.status, 400);
    assert.match(r.text, /nessuno@example\.it/);
    assert.equal(enrolled(c.id), '0', 'nobody enrolled when one address is unknown');
    r = await fm.submit(`/gestione/corsi/${c.id}/iscrizioni`, `/gestione/corsi/${c.id}/iscrizioni/elenco`,
      { emails: ` ${a.email.toUpperCase()},\n\n${b.email}\n` });
    assert.equal(r.status, 303, r.text);
    assert.equal(enrolled(c.id), '2');
    assertApiError(await api(coApi, 'POST', `/api/v1/courses/${c.id}/enrolments`, { emails: [a.email, 'x'] }), 400);
    assertApiError(await api(coApi, 'POST', `/api/v1/courses/${c.id}/enrolments`, { emails: 'a@b.it' }), 400);
    assertApiError(await api(coApi, 'POST', `/api/v1/courses/${c.id}/enrolments`, { emails: [], organisation_id: 1 }), 400);
    assertApiError(await api(coApi, 'POST', `/api/v1/courses/${c.id}/enrolments`, { organisation_id: 999999999 }), 400);
    const many = Array.from({ length: 501 }, (_, i) => `p${i}@example.it`);
    assert.match(assertApiError(await api(coApi, 'POST', `/api/v1/courses/${c.id}/enrolments`, { emails: many }), 400).message, /al massimo 500/);
    // A disabled account counts as unknown: nobody is enrolled.
    const off = person(o, 'Disattivata', 'disabled');
    const r2 = await api(coApi, 'POST', `/api/v1/courses/${c.id}/enrolments`, { emails: [off.email] });
    assert.match(assertApiError(r2, 400).message, /Nessun account attivo/);
    assert.equal(enrolled(c.id), '2');
  });

  it('answers wrong types, unknown targets and broken text with 4xx, enrolling nobody', async () => {
    const c = course();
    const o = org();
    const p = person(o);
    const post = (body) => api(coApi, 'POST', `/api/v1/courses/${c.id}/enrolments`, body);
    for (const body of [{ organisation_id: String(o) }, { organisation_id: 1.5 }, { organisation_id: -3 },
      { organisation_id: Number(o), include_suborganisations: 'sì' }, { emails: [1, 2] },
      { emails: [p.email, null] }, { emails: { a: p.email } }, { emails: [`${p.email}\nx@y.it`] }]) {
      assertApiError(await post(body), 400);
    }
    assertApiError(await api(coApi, 'POST', '/api/v1/courses/999999999/enrolments', { organisation_id: Number(o) }), 404);
    const form = (path, fields) => fm.submit(`/gestione/corsi/${c.id}/iscrizioni`, path, fields);
    let r = await form(`/gestione/corsi/${c.id}/iscrizioni/ente`, { ente: '999999999' });
    assert.equal(r.status, 400);
    assert.match(r.text, /Scegli un ente dall&#39;elenco|Scegli un ente dall'elenco/);
    r = await form(`/gestione/corsi/${c.id}/iscrizioni/ente`, { ente: 'abc' });
    assert.equal(r.status, 400);
    r = await fm.request('POST', `/gestione/corsi/${c.id}/iscrizioni/elenco`,
      { form: { csrf_token: await fm.csrf(`/gestione/corsi/${c.id}/iscrizioni`), emails: '\uFFFD' } });
    assert.equal(r.status, 400, 'an address that is no address');
    // Bytes that are not UTF-8 never reach the handler.
    const raw = await fetch(`${s.baseUrl}/gestione/corsi/${c.id}/iscrizioni/elenco`, {
      method: 'POST', redirect: 'manual',
      headers: { cookie: fm.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf_token=${await fm.csrf(`/gestione/corsi/${c.id}/iscrizioni`)}&emails=%FF%FE${encodeURIComponent(p.email)}`,
    });
    assert.equal(raw.status, 400);
    const missing = await fm.request('POST', `/gestione/corsi/999999999/iscrizioni/ente`,
      { form: { csrf_token: await fm.csrf(`/gestione/corsi/${c.id}/iscrizioni`), ente: o } });
    assert.equal(missing.status, 404);
    assert.equal(enrolled(c.id), '0');
  });

  it('lets only staff enrol others, with a CSRF token', async () => {
    const c = course();
    const o = org();
    person(o);
    assertApiError(await api(opApi, 'POST', `/api/v1/courses/${c.id}/enrolments`, { organisation_id: Number(o) }), 403);
    assert.equal((await op.get(`/gestione/corsi/${c.id}/iscrizioni`)).status, 403);
    const r = await fm.request('POST', `/gestione/corsi/${c.id}/iscrizioni/ente`, { form: { ente: o } });
    assert.equal(r.status, 403, 'no CSRF token');
    const l = await fm.request('POST', `/gestione/corsi/${c.id}/iscrizioni/elenco`, { form: { emails: s.demo.tutor.email } });
    assert.equal(l.status, 403, 'no CSRF token on the list form');
    const noHeader = await coApi.request('POST', `/api/v1/courses/${c.id}/enrolments`, { json: { organisation_id: Number(o) } });
    assertApiError(noHeader, 403);
    assert.equal(enrolled(c.id), '0');
  });

  it('enrols the people a cohort is given', async () => {
    const c = course();
    const o = org();
    const a = person(o);
    const r = await fm.submit(`/gestione/corsi/${c.id}/classi`, `/gestione/corsi/${c.id}/classi`, { name: 'Classe', starts_on: '2031-03-03' });
    const id = r.headers.get('location').match(/classi\/(\d+)/)[1];
    const m = await fm.submit(`/gestione/classi/${id}`, `/gestione/classi/${id}/membri`, { emails: a.email });
    assert.equal(m.status, 303, m.text);
    assert.equal(s.sql(`SELECT count(*) FROM enrolments WHERE course_id = ${c.id} AND user_id = ${a.id}`), '1');
  });
});
