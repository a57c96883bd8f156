// The course outline kept in memory (courses/course_cache.c): learners and
// visitors must see every change a trainer makes at once, whatever path
// made it (API, forms, plain SQL), because the version the cache checks is
// kept by triggers. Real stack (tests/lib/harness.mjs).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client, startStack } from '../lib/harness.mjs';
import { apiLogin, loginAs, uniq } from './util.mjs';

let s, fmApi, op, visitor;
before(async () => {
  s = await startStack();
  fmApi = await apiLogin(s, s.demo.formatore.email, s.demo.formatore.password);
  op = await loginAs(s, 'operatore');
  visitor = new Client(s.baseUrl);
});
after(async () => { await s?.stop(); });

const api = (c, method, path, json) => c.request(method, path, { json, headers: { 'x-csrf-token': c.csrfToken } });

// A published course with one module and two published lessons, the operatore enrolled.
async function course() {
  const c = (await api(fmApi, 'POST', '/api/v1/courses', { title: `Corso ${uniq()}`, published: true })).json().course;
  const m = (await api(fmApi, 'POST', `/api/v1/courses/${c.id}/modules`, { title: 'Modulo uno' })).json().module;
  const lessons = [];
  for (const title of ['Prima lezione', 'Seconda lezione']) {
    const r = await api(fmApi, 'POST', `/api/v1/modules/${m.id}/lessons`, { title, body_md: 'Testo.', published: true });
    assert.equal(r.status, 201, r.text);
    lessons.push(r.json().lesson);
  }
  assert.equal((await op.request('POST', `/corsi/${c.id}/iscrizione`, { form: { csrf_token: await op.csrf(`/corsi/${c.id}`) } })).status, 303);
  return { c, m, lessons };
}

describe('cached course outline', () => {
  it('shows a learner each change at once', async () => {
    const { c, m, lessons } = await course();
    let page = await op.get(`/corsi/${c.id}`);
    assert.match(page.text, /Prima lezione/);
    assert.match(page.text, /Completato: 0 lezioni su 2/);

    await api(fmApi, 'PATCH', `/api/v1/lessons/${lessons[0].id}`, { title: 'Lezione rinominata' });
    page = await op.get(`/corsi/${c.id}`);
    assert.match(page.text, /Lezione rinominata/, 'a renamed lesson');
    assert.doesNotMatch(page.text, /Prima lezione/);

    await api(fmApi, 'PATCH', `/api/v1/lessons/${lessons[1].id}`, { published: false });
    page = await op.get(`/corsi/${c.id}`);
    assert.doesNotMatch(page.text, /Seconda lezione/, 'an unpublished lesson');
    assert.match(page.text, /Completato: 0 lezioni su 1/);

    s.sql(`UPDATE modules SET title = 'Modulo cambiato in SQL' WHERE id = ${m.id}`);
    page = await op.get(`/corsi/${c.id}`);
    assert.match(page.text, /Modulo cambiato in SQL/, 'a change made outside the portal');

    s.sql(`INSERT INTO module_materials (module_id, position, title, kind, url)
      VALUES (${m.id}, 1, 'Manuale operativo', 'manuale', 'https://example.it/manuale.pdf')`);
    page = await op.get(`/corsi/${c.id}`);
    assert.match(page.text, /Manuale operativo/, 'a new material, for members');
    const anon = await visitor.get(`/corsi/${c.id}`);
    assert.equal(anon.status, 200);
    assert.doesNotMatch(anon.text, /Manuale operativo/, 'materials stay hidden from visitors');
  });

  it('marks completions per learner from the same cached outline', async () => {
    const { c, lessons } = await course();
    await op.get(`/corsi/${c.id}`);
    const r = await api(await apiLogin(s, s.demo.operatore.email, s.demo.operatore.password), 'POST',
      `/api/v1/lessons/${lessons[0].id}/complete`);
    assert.equal(r.status, 200, r.text);
    const page = await op.get(`/corsi/${c.id}`);
    assert.match(page.text, /Completato: 1 lezioni su 2/);
    assert.match(page.text, /Seconda lezione/);
    const other = await loginAs(s, 'tutor');
    const theirs = await other.get(`/corsi/${c.id}`);
    assert.doesNotMatch(theirs.text, /\(completata\)/, 'another learner sees none of them completed');
  });

  it('answers 404 once the course is unpublished or deleted', async () => {
    const { c } = await course();
    assert.equal((await op.get(`/corsi/${c.id}`)).status, 200);
    await api(fmApi, 'PATCH', `/api/v1/courses/${c.id}`, { published: false });
    assert.equal((await op.get(`/corsi/${c.id}`)).status, 404);
    await api(fmApi, 'PATCH', `/api/v1/courses/${c.id}`, { published: true });
    assert.equal((await op.get(`/corsi/${c.id}`)).status, 200);
    s.sql(`DELETE FROM courses WHERE id = ${c.id}`);
    assert.equal((await op.get(`/corsi/${c.id}`)).status, 404);
  });
});
