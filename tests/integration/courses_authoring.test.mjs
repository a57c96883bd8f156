// Trainer authoring (issue 3): /gestione pages and the JSON API writes are
// for formatore, coordinamento and admin only; drafts stay 404 to learners
// until published; every lesson save keeps the previous version (restorable);
// concurrent reorders keep positions 1..n; hostile Markdown is inert; CSRF.
// Real stack (tests/lib/harness.mjs).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/harness.mjs';
import { apiLogin, assertApiError, loginAs, uniq } from './util.mjs';

let s, fm, fmApi, op, opApi;
before(async () => {
  s = await startStack();
  fm = await loginAs(s, 'formatore');
  fmApi = await apiLogin(s, s.demo.formatore.email, s.demo.formatore.password);
  op = await loginAs(s, 'operatore');
  opApi = await apiLogin(s, s.demo.operatore.email, s.demo.operatore.password);
});
after(async () => { await s?.stop(); });

const api = (c, method, path, json) => c.request(method, path, { json, headers: { 'x-csrf-token': c.csrfToken } });

// A draft course with one module and n lessons, made through the API.
async function apiCourse(n = 1) {
  const c = await api(fmApi, 'POST', '/api/v1/courses', { title: `Corso ${uniq()}`, summary: 'Prova', duration_minutes: 30 });
  assert.equal(c.status, 201, c.text);
  const course = c.json().course;
  const m = await api(fmApi, 'POST', `/api/v1/courses/${course.id}/modules`, { title: 'Modulo A', description: 'Primo' });
  assert.equal(m.status, 201, m.text);
  const lessons = [];
  for (let i = 0; i < n; i++) {
    const l = await api(fmApi, 'POST', `/api/v1/modules/${m.json().module.id}/lessons`,
      { title: `Lezione ${i + 1}`, body_md: `Testo *${i + 1}*.`, duration_minutes: 5, published: true });
    assert.equal(l.status, 201, l.text);
    lessons.push(l.json().lesson);
  }
  return { course, module: m.json().module, lessons };
}

// Positions of a parent's children, as numbers in order.
const positions = (table, col, id) =>
  s.sql(`SELECT position FROM ${table} WHERE ${col} = ${id} ORDER BY position`).split('\n').filter(Boolean).map(Number);

describe('authorization', () => {
  it('gives an operatore 403 on every /gestione page and API write', async () => {
    const { course, module, lessons } = await apiCourse(1);
    for (const p of ['/gestione/corsi', `/gestione/corsi/${course.id}`, `/gestione/lezioni/${lessons[0].id}`]) {
      assert.equal((await op.get(p)).status, 403, p);
    }
    for (const p of ['/gestione/corsi', `/gestione/corsi/${course.id}`, `/gestione/corsi/${course.id}/moduli`,
      `/gestione/corsi/${course.id}/pubblicazione`, `/gestione/moduli/${module.id}/sposta`,
      `/gestione/lezioni/${lessons[0].id}`, `/gestione/lezioni/${lessons[0].id}/sposta`]) {
      const r = await opApi.request('POST', p, { form: { csrf_token: opApi.csrfToken, title: 'x', verso: 'su', published: '1' } });
      assert.equal(r.status, 403, `POST ${p}`);
      assert.match(r.text, /Non hai i permessi/, 'refused for the role, before the CSRF check');
    }
    assertApiError(await api(opApi, 'POST', '/api/v1/courses', { title: 'No' }), 403);
    assertApiError(await api(opApi, 'PATCH', `/api/v1/courses/${course.id}`, { published: true }), 403);
    assertApiError(await api(opApi, 'POST', `/api/v1/courses/${course.id}/modules`, { title: 'No' }), 403);
    assertApiError(await api(opApi, 'POST', `/api/v1/modules/${module.id}/lessons`, { title: 'No' }), 403);
    assertApiError(await api(opApi, 'PATCH', `/api/v1/lessons/${lessons[0].id}`, { body_md: 'No' }), 403);
    assert.equal(s.sql(`SELECT published FROM courses WHERE id = ${course.id}`), 'f');
  });

  it('refuses writes without a CSRF token (403)', async () => {
    const { course, lessons } = await apiCourse(1);
    assertApiError(await fmApi.request('POST', '/api/v1/courses', { json: { title: 'Senza token' } }), 403);
    assertApiError(await fmApi.request('PATCH', `/api/v1/lessons/${lessons[0].id}`, { json: { body_md: 'x' } }), 403);
    const r = await fm.request('POST', `/gestione/corsi/${course.id}`, { form: { title: 'Senza token' } });
    assert.equal(r.status, 403);
    const r2 = await fm.request('POST', `/gestione/lezioni/${lessons[0].id}`, { form: { title: 'Senza token', csrf_token: 'sbagliato' } });
    assert.equal(r2.status, 403);
    assert.notEqual(s.sql(`SELECT title FROM courses WHERE id = ${course.id}`), 'Senza token');
  });

  it('validates API fields (400)', async () => {
    assertApiError(await api(fmApi, 'POST', '/api/v1/courses', { summary: 'manca il titolo' }), 400);
    assertApiError(await api(fmApi, 'POST', '/api/v1/courses', { title: 'x'.repeat(201) }), 400);
    assertApiError(await api(fmApi, 'POST', '/api/v1/courses', { title: 'Ok', duration_minutes: -1 }), 400);
    assertApiError(await api(fmApi, 'POST', '/api/v1/courses', { title: 'Ok', published: 'sì' }), 400);
    assertApiError(await api(fmApi, 'POST', '/api/v1/modules/999999999/lessons', { title: 'Orfana' }), 404);
  });
});

describe('authoring', () => {
  it('API: a draft is 404 to an operatore until published', async () => {
    const { course, lessons } = await apiCourse(2);
    assert.equal(course.published, false);
    assert.match(course.slug, /^corso-u/);
    assertApiError(await op.get(`/api/v1/courses/${course.id}`), 404);
    assert.equal((await op.get(`/corsi/${course.id}`)).status, 404);
    assert.equal((await op.get(`/corsi/${course.id}/lezioni/${lessons[0].id}`)).status, 404);
    const p = await api(fmApi, 'PATCH', `/api/v1/courses/${course.id}`, { published: true, audience: 'Operatori' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json().course.published, true);
    assert.equal(p.json().course.audience, 'Operatori');
    assert.equal(p.json().course.summary, 'Prova', 'fields not sent are kept');
    assert.equal(p.json().course.modules[0].lessons.length, 2);
    assert.equal((await op.get(`/corsi/${course.id}`)).status, 200);
    const page = await op.get(`/corsi/${course.id}/lezioni/${lessons[0].id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Testo <em>1<\/em>\./);
    assertApiError(await api(fmApi, 'PATCH', '/api/v1/courses/999999999', { title: 'Nessuno' }), 404);
  });

  it('pages: create a course, a module and a lesson, publish, unpublish', async () => {
    const title = `Corso dalle pagine ${uniq()}`;
    let r = await fm.submit('/gestione/corsi', '/gestione/corsi', { title, summary: 'Un sommario', audience: 'Referenti', duration: '45' });
    assert.equal(r.status, 303, r.text);
    const editor = r.headers.get('location');
    assert.match(editor, /^\/gestione\/corsi\/\d+\?esito=creato$/);
    const id = Number(editor.match(/\d+/)[0]);
    const list = await fm.get('/gestione/corsi');
    assert.equal(list.status, 200);
    assert.ok(list.text.includes(title), 'the draft is in the list');
    r = await fm.submit(editor, `/gestione/corsi/${id}/moduli`, { module_title: 'Il modulo', module_description: 'Descrizione' });
    assert.equal(r.status, 303);
    const mid = Number(s.sql(`SELECT id FROM modules WHERE course_id = ${id}`));
    r = await fm.submit(`/gestione/corsi/${id}`, `/gestione/corsi/${id}/lezioni`,
      { lesson_module: String(mid), lesson_title: 'Prima lezione', lesson_body: '# Titolo\n\nCorpo.', lesson_duration: '15', lesson_published: '1' });
    assert.equal(r.status, 303, r.text);
    const lid = Number(r.headers.get('location').match(/lezioni\/(\d+)/)[1]);
    const le = await fm.get(`/gestione/lezioni/${lid}`);
    assert.equal(le.status, 200);
    assert.match(le.text, /Prima lezione/);
    assert.equal(s.sql(`SELECT body_html LIKE '%<h1%Titolo</h1>%' FROM lessons WHERE id = ${lid}`), 't');
    // Invalid fields re-render the form with the message (400).
    r = await fm.submit(`/gestione/corsi/${id}`, `/gestione/corsi/${id}`, { title: '', duration: '45' });
    assert.equal(r.status, 400);
    assert.match(r.text, /is-invalid/);
    assert.equal((await op.get(`/corsi/${id}`)).status, 404);
    r = await fm.submit(`/gestione/corsi/${id}`, `/gestione/corsi/${id}/pubblicazione`, { published: '1' });
    assert.equal(r.status, 303);
    assert.equal((await op.get(`/corsi/${id}`)).status, 200);
    assert.equal((await op.get(`/corsi/${id}/lezioni/${lid}`)).status, 200);
    r = await fm.submit(`/gestione/corsi/${id}`, `/gestione/corsi/${id}/pubblicazione`, { published: '0' });
    assert.equal(r.status, 303);
    assert.equal((await op.get(`/corsi/${id}`)).status, 404);
    assert.equal(s.sql(`SELECT count(*) FROM audit_log WHERE subject_id = ${id} AND action LIKE 'course_%'`), '3');
  });

  it('keeps the previous body as a revision, and restore is itself a save', async () => {
    const { lessons } = await apiCourse(1);
    const lid = lessons[0].id;
    let r = await api(fmApi, 'PATCH', `/api/v1/lessons/${lid}`, { body_md: 'Seconda versione.' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().lesson.body_md, 'Seconda versione.');
    assert.equal(r.json().lesson.title, 'Lezione 1', 'the title is kept');
    assert.match(r.json().lesson.body_html, /Seconda versione/);
    r = await fm.submit(`/gestione/lezioni/${lid}`, `/gestione/lezioni/${lid}`,
      { title: 'Titolo nuovo', body: 'Terza versione.', duration: '7', published: '1', videos: 'Guida|https://www.youtube.com/watch?v=dQw4w9WgXcQ|3' });
    assert.equal(r.status, 303, r.text);
    assert.equal(s.sql(`SELECT kind || ' ' || embed_url FROM lesson_videos WHERE lesson_id = ${lid}`),
      'youtube https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ');
    const revs = s.sql(`SELECT body_md FROM lesson_revisions WHERE lesson_id = ${lid} ORDER BY id`).split('\n');
    assert.deepEqual(revs, ['Testo *1*.', 'Seconda versione.']);
    const page = await fm.get(`/gestione/lezioni/${lid}`);
    assert.match(page.text, /Versioni precedenti/);
    assert.match(page.text, /Ripristina/);
    const first = s.sql(`SELECT min(id) FROM lesson_revisions WHERE lesson_id = ${lid}`);
    r = await fm.submit(`/gestione/lezioni/${lid}`, `/gestione/lezioni/${lid}/ripristina`, { revisione: first });
    assert.equal(r.status, 303);
    assert.equal(s.sql(`SELECT title || '|' || body_md || '|' || duration_minutes FROM lessons WHERE id = ${lid}`), 'Lezione 1|Testo *1*.|7');
    assert.equal(s.sql(`SELECT body_md FROM lesson_revisions WHERE lesson_id = ${lid} ORDER BY id DESC LIMIT 1`), 'Terza versione.');
    assert.equal(s.sql(`SELECT count(*) FROM lesson_revisions WHERE lesson_id = ${lid}`), '3');
    // A revision of another lesson is not this one's.
    const other = (await apiCourse(1)).lessons[0].id;
    r = await fm.submit(`/gestione/lezioni/${other}`, `/gestione/lezioni/${other}/ripristina`, { revisione: first });
    assert.equal(r.status, 404);
    // A bad video line re-renders the editor and changes nothing.
    r = await fm.submit(`/gestione/lezioni/${lid}`, `/gestione/lezioni/${lid}`, { title: 'X', body: 'Y', videos: 'Senza indirizzo' });
    assert.equal(r.status, 400);
    assert.match(r.text, /Video, riga 1/);
    assert.equal(s.sql(`SELECT count(*) FROM lesson_revisions WHERE lesson_id = ${lid}`), '3');
  });

  it('two concurrent reorders keep positions unique and without gaps', async () => {
    const { course, module, lessons } = await apiCourse(6);
    const mods = [module.id];
    for (let i = 0; i < 4; i++) {
      mods.push((await api(fmApi, 'POST', `/api/v1/courses/${course.id}/modules`, { title: `M${i}` })).json().module.id);
    }
    const fm2 = await loginAs(s, 'formatore');
    const t1 = await fm.csrf(`/gestione/corsi/${course.id}`);
    const t2 = await fm2.csrf(`/gestione/corsi/${course.id}`);
    const moves = [];
    for (let i = 0; i < 12; i++) {
      const [c, t] = i % 2 ? [fm, t1] : [fm2, t2];
      const verso = i % 3 ? 'su' : 'giu';
      moves.push(c.request('POST', `/gestione/lezioni/${lessons[i % 6].id}/sposta`, { form: { csrf_token: t, verso } }));
      moves.push(c.request('POST', `/gestione/moduli/${mods[i % 5]}/sposta`, { form: { csrf_token: t, verso } }));
    }
    const res = await Promise.all(moves);
    assert.ok(res.every((r) => r.status === 303), res.map((r) => r.status).join(','));
    assert.deepEqual(positions('lessons', 'module_id', module.id), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(positions('modules', 'course_id', course.id), [1, 2, 3, 4, 5]);
    // A move at the edge changes nothing.
    const firstLesson = s.sql(`SELECT id FROM lessons WHERE module_id = ${module.id} AND position = 1`);
    const r = await fm.request('POST', `/gestione/lezioni/${firstLesson}/sposta`, { form: { csrf_token: t1, verso: 'su' } });
    assert.equal(r.status, 303);
    assert.equal(s.sql(`SELECT position FROM lessons WHERE id = ${firstLesson}`), '1');
  });

  it('stores hostile Markdown as inert HTML', async () => {
    const { course, lessons } = await apiCourse(1);
    const lid = lessons[0].id;
    const md = '<script>alert(1)</script>\n\n[clic](javascript:alert(2)) <img src=x onerror=alert(3)>\n\n![i](javascript:alert(4))';
    const r = await api(fmApi, 'PATCH', `/api/v1/lessons/${lid}`, { body_md: md, title: '<b>Titolo</b>' });
    assert.equal(r.status, 200, r.text);
    const html = r.json().lesson.body_html;
    assert.doesNotMatch(html, /<script|<img|<a [^>]*href="?javascript:/i, 'no script, image or javascript: link');
    assert.match(html, /&lt;script>alert\(1\)/, 'raw HTML is shown as text');
    await api(fmApi, 'PATCH', `/api/v1/courses/${course.id}`, { published: true });
    const page = await op.get(`/corsi/${course.id}/lezioni/${lid}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /<script>alert|href="javascript:|<img src=x|<b>Titolo/);
    assert.match(page.text, /&lt;b&gt;Titolo/);
    const editor = await fm.get(`/gestione/lezioni/${lid}`);
    assert.doesNotMatch(editor.text, /<script>alert/);
    assert.match(editor.text, /&lt;script&gt;alert\(1\)/, 'the source is shown escaped in the textarea');
  });
});
