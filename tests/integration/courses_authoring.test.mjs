// Trainer authoring (issue 3): /gestione pages and the JSON API writes are
// for formatore, coordinamento and admin only; drafts stay 404 to learners
// until published; every lesson save keeps the previous version (restorable);
// concurrent reorders keep positions 1..n; hostile Markdown is inert; CSRF.
// Real stack (tests/lib/harness.mjs).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client, startStack } from '../lib/harness.mjs';
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

// ---- Materials, new editions, deletion, live preview (issue 3) ----

// Publishes a course through the API.
async function publish(courseId) {
  const r = await api(fmApi, 'PATCH', `/api/v1/courses/${courseId}`, { published: true });
  assert.equal(r.status, 200, r.text);
}

// Adds a material to a module through the editor's form.
async function addMaterial(courseId, moduleId, title, kind, url) {
  return fm.submit(`/gestione/corsi/${courseId}`, `/gestione/moduli/${moduleId}/materiali`,
    { material_title: title, material_kind: kind, material_url: url });
}

describe('module materials', () => {
  it('adds materials at the end, shows them to members only, deletes and renumbers; bad URLs refused', async () => {
    const { course, module } = await apiCourse(1);
    await publish(course.id);
    let r = await addMaterial(course.id, module.id, 'Manuale operativo', 'manuale', 'https://example.org/manuale.pdf');
    assert.equal(r.status, 303, r.text);
    assert.equal(r.headers.get('location'), `/gestione/corsi/${course.id}?esito=materiale#modulo-${module.id}`);
    r = await addMaterial(course.id, module.id, 'Esercizio 1', 'esercitazione', 'http://example.org/es1');
    assert.equal(r.status, 303, r.text);
    r = await addMaterial(course.id, module.id, 'Glossario <b>', 'altro', 'https://example.org/glossario');
    assert.equal(r.status, 303, r.text);
    assert.deepEqual(positions('module_materials', 'module_id', module.id), [1, 2, 3]);

    // Only absolute http(s) URLs of at most 2000 characters.
    for (const url of ['javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,x', 'mailto:a@example.org',
      '/percorso/locale', 'https://', 'https://example.org/a b', `https://example.org/${'a'.repeat(1990)}`]) {
      r = await addMaterial(course.id, module.id, 'Cattivo', 'manuale', url);
      assert.equal(r.status, 400, `${url}: ${r.status}`);
      assert.match(r.text, /is-invalid/);
      assert.match(r.text, /id="f-material_url"/, 'the failed form keeps the id the summary links to');
    }
    r = await addMaterial(course.id, module.id, 'Senza tipo', 'video', 'https://example.org/');
    assert.equal(r.status, 400);
    assert.equal(s.sql(`SELECT count(*) FROM module_materials WHERE module_id = ${module.id}`), '3');
    assert.equal((await addMaterial(course.id, 999999999, 'Orfano', 'altro', 'https://example.org/')).status, 404);

    // The editor lists them with their kind.
    const editor = await fm.get(`/gestione/corsi/${course.id}`);
    assert.match(editor.text, /<a href="https:\/\/example.org\/manuale.pdf">Manuale operativo<\/a> – Manuale/);
    assert.match(editor.text, /Glossario &lt;b&gt;<\/a> – Altro/);

    // Members see them under the module; visitors see the outline only.
    const page = await op.get(`/corsi/${course.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<a href="https:\/\/example.org\/manuale.pdf">Manuale operativo<\/a> \(Manuale\)/);
    assert.match(page.text, /<a href="http:\/\/example.org\/es1">Esercizio 1<\/a> \(Esercitazione\)/);
    assert.doesNotMatch(page.text, /<b>/);
    const visitor = await new Client(s.baseUrl).get(`/corsi/${course.id}`);
    assert.equal(visitor.status, 200);
    assert.ok(visitor.text.includes('Modulo A'), 'the outline is public');
    assert.doesNotMatch(visitor.text, /Manuale operativo|example\.org\/manuale/);
    const member = (await op.get(`/api/v1/courses/${course.id}`)).json().course.modules[0].materials;
    assert.deepEqual(member.map((m) => [m.position, m.title, m.kind, m.url]), [
      [1, 'Manuale operativo', 'manuale', 'https://example.org/manuale.pdf'],
      [2, 'Esercizio 1', 'esercitazione', 'http://example.org/es1'],
      [3, 'Glossario <b>', 'altro', 'https://example.org/glossario'],
    ]);
    const anon = await new Client(s.baseUrl).get(`/api/v1/courses/${course.id}`);
    assert.equal(anon.status, 200);
    assert.equal(anon.json().course.modules[0].materials, undefined, 'no materials for visitors');

    // Deleting the middle one renumbers the others.
    const middle = s.sql(`SELECT id FROM module_materials WHERE module_id = ${module.id} AND position = 2`);
    r = await fm.submit(`/gestione/corsi/${course.id}`, `/gestione/materiali/${middle}/elimina`, {});
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location'), /esito=materiale-eliminato/);
    assert.equal(s.sql(`SELECT string_agg(position || ':' || title, ',' ORDER BY position) FROM module_materials WHERE module_id = ${module.id}`),
      '1:Manuale operativo,2:Glossario <b>');
    r = await fm.submit(`/gestione/corsi/${course.id}`, `/gestione/materiali/${middle}/elimina`, {});
    assert.equal(r.status, 404);
  });
});

// The whole structure of a course without ids: modules, lessons, videos, materials.
function structure(courseId) {
  return s.sql(`SELECT concat_ws(' / ',
    (SELECT string_agg(concat_ws('|', position, title, description), ';' ORDER BY position) FROM modules WHERE course_id = ${courseId}),
    (SELECT string_agg(concat_ws('|', m.position, l.position, l.title, l.body_md, md5(l.body_html), l.duration_minutes, l.published, l.completion_mode), ';' ORDER BY m.position, l.position)
       FROM lessons l JOIN modules m ON m.id = l.module_id WHERE m.course_id = ${courseId}),
    (SELECT string_agg(concat_ws('|', m.position, l.position, v.position, v.title, v.url, v.kind, v.embed_url, v.duration_minutes, v.transcript_md, v.transcript_html, v.captions_url), ';' ORDER BY m.position, l.position, v.position)
       FROM lesson_videos v JOIN lessons l ON l.id = v.lesson_id JOIN modules m ON m.id = l.module_id WHERE m.course_id = ${courseId}),
    (SELECT string_agg(concat_ws('|', m.position, t.position, t.title, t.kind, t.url), ';' ORDER BY m.position, t.position)
       FROM module_materials t JOIN modules m ON m.id = t.module_id WHERE m.course_id = ${courseId}))`);
}

describe('new edition (duplication)', () => {
  it('copies modules, lessons, videos and materials, not enrolments, progress or history; the copy is a draft', async () => {
    const { course, module, lessons } = await apiCourse(2);
    const m2 = (await api(fmApi, 'POST', `/api/v1/courses/${course.id}/modules`, { title: 'Modulo B', description: 'Secondo' })).json().module;
    const l3 = (await api(fmApi, 'POST', `/api/v1/modules/${m2.id}/lessons`, { title: 'Lezione B1', body_md: '## Sotto\n\nTesto.', published: false })).json().lesson;
    assert.equal((await api(fmApi, 'PATCH', `/api/v1/lessons/${lessons[0].id}`, { body_md: 'Versione *due*.' })).status, 200);
    s.sql(`UPDATE lessons SET completion_mode = 'auto' WHERE id = ${lessons[1].id}`);
    s.sql(`INSERT INTO lesson_videos (lesson_id, position, title, url, kind, embed_url, duration_minutes, transcript_md, transcript_html, captions_url) VALUES
      (${lessons[0].id}, 1, 'Guida', 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'youtube', 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ', 3, 'Trascrizione', '<p>Trascrizione</p>', NULL),
      (${lessons[0].id}, 2, 'File', 'https://example.org/v.mp4', 'file', NULL, 2, '', '', 'https://example.org/v.vtt')`);
    assert.equal((await addMaterial(course.id, module.id, 'Manuale', 'manuale', 'https://example.org/m.pdf')).status, 303);
    assert.equal((await addMaterial(course.id, m2.id, 'Esercizio', 'esercitazione', 'https://example.org/e')).status, 303);
    await publish(course.id);
    assert.equal((await api(opApi, 'POST', `/api/v1/courses/${course.id}/enrolments`)).status, 201);
    assert.equal((await api(opApi, 'POST', `/api/v1/lessons/${lessons[0].id}/complete`)).status, 200);

    const r = await fm.submit(`/gestione/corsi/${course.id}`, `/gestione/corsi/${course.id}/duplica`, {});
    assert.equal(r.status, 303, r.text);
    const m = r.headers.get('location').match(/^\/gestione\/corsi\/(\d+)\?esito=duplicato$/);
    assert.ok(m, r.headers.get('location'));
    const copy = Number(m[1]);
    assert.notEqual(copy, course.id);
    const [title, slug, published] = s.sql(`SELECT title, slug, published FROM courses WHERE id = ${copy}`).split('|');
    assert.equal(title, `${course.title} (nuova edizione)`);
    assert.notEqual(slug, course.slug);
    assert.equal(published, 'f', 'a new edition starts as a draft');
    assert.equal(structure(copy), structure(course.id));
    assert.match(structure(copy), /Lezione B1/);
    assert.match(structure(copy), /v\.vtt/);
    assert.equal(s.sql(`SELECT count(*) FROM enrolments WHERE course_id = ${copy}`), '0');
    assert.equal(s.sql(`SELECT count(*) FROM lesson_progress p JOIN lessons l ON l.id = p.lesson_id JOIN modules m ON m.id = l.module_id WHERE m.course_id = ${copy}`), '0');
    assert.equal(s.sql(`SELECT count(*) FROM lesson_revisions r JOIN lessons l ON l.id = r.lesson_id JOIN modules m ON m.id = l.module_id WHERE m.course_id = ${copy}`), '0');
    assert.equal(s.sql(`SELECT count(*) FROM lesson_progress WHERE lesson_id = ${lessons[0].id}`), '1', 'the original keeps its progress');
    const editor = await fm.get(`/gestione/corsi/${copy}?esito=duplicato`);
    assert.match(editor.text, /Nuova edizione creata come bozza/);
    // A draft: 404 to an operatore, page and API.
    assert.equal((await op.get(`/corsi/${copy}`)).status, 404);
    assertApiError(await op.get(`/api/v1/courses/${copy}`), 404);
    assert.equal(l3.published, false);

    // The API: 201 with the new course and its Location.
    const a = await api(fmApi, 'POST', `/api/v1/courses/${course.id}/copies`);
    assert.equal(a.status, 201, a.text);
    const c2 = a.json().course;
    assert.equal(a.headers.get('location'), `/api/v1/courses/${c2.id}`);
    assert.equal(c2.published, false);
    assert.equal(c2.title, `${course.title} (nuova edizione)`);
    assert.notEqual(c2.slug, slug, 'every copy gets a fresh slug');
    assert.deepEqual(c2.modules.map((x) => [x.position, x.title, x.lessons.length, x.materials.length]),
      [[1, 'Modulo A', 2, 1], [2, 'Modulo B', 1, 1]]);
    assert.equal(structure(c2.id), structure(course.id));
    assertApiError(await api(fmApi, 'POST', '/api/v1/courses/999999999/copies'), 404);
    assertApiError(await api(opApi, 'POST', `/api/v1/courses/${course.id}/copies`), 403);
    assert.equal((await fm.submit('/gestione/corsi', '/gestione/corsi/999999999/duplica', {})).status, 404);
  });

  it('keeps the new title within 200 characters, cut between characters', async () => {
    const c = await api(fmApi, 'POST', '/api/v1/courses', { title: 'è'.repeat(200) });
    assert.equal(c.status, 201, c.text);
    const a = await api(fmApi, 'POST', `/api/v1/courses/${c.json().course.id}/copies`);
    assert.equal(a.status, 201, a.text);
    const title = a.json().course.title;
    assert.equal([...title].length, 200);
    assert.equal(title, `${'è'.repeat(183)} (nuova edizione)`);
  });
});

describe('deletion', () => {
  it('refuses to delete a course with enrolments and deletes an unused one', async () => {
    const { course } = await apiCourse(1);
    await publish(course.id);
    assert.equal((await api(opApi, 'POST', `/api/v1/courses/${course.id}/enrolments`)).status, 201);
    const e = assertApiError(await api(fmApi, 'DELETE', `/api/v1/courses/${course.id}`), 409, 'in_use');
    assert.match(e.message, /1 iscritto/);
    assert.match(e.message, /ritiralo/);
    let r = await fm.get(`/gestione/corsi/${course.id}/elimina`);
    assert.equal(r.status, 200);
    assert.match(r.text, /non può essere eliminato: ha 1 iscritto/);
    assert.match(r.text, /Ritira il corso/);
    assert.doesNotMatch(r.text, /Elimina definitivamente/);
    r = await fm.submit(`/gestione/corsi/${course.id}/elimina`, `/gestione/corsi/${course.id}/elimina`, {});
    assert.equal(r.status, 409);
    assert.match(r.text, /non può essere eliminato/);
    assert.equal(s.sql(`SELECT count(*) FROM courses WHERE id = ${course.id}`), '1');

    // Unused: the confirmation page, then the delete.
    const other = await apiCourse(2);
    await addMaterial(other.course.id, other.module.id, 'Manuale', 'manuale', 'https://example.org/m');
    r = await fm.get(`/gestione/corsi/${other.course.id}/elimina`);
    assert.equal(r.status, 200);
    assert.match(r.text, /1 modulo e 2 lezioni/);
    assert.match(r.text, /Elimina definitivamente il corso/);
    r = await fm.submit(`/gestione/corsi/${other.course.id}/elimina`, `/gestione/corsi/${other.course.id}/elimina`, {});
    assert.equal(r.status, 303, r.text);
    assert.equal(r.headers.get('location'), '/gestione/corsi?esito=eliminato');
    assert.equal(s.sql(`SELECT count(*) FROM courses WHERE id = ${other.course.id}`), '0');
    assert.equal(s.sql(`SELECT count(*) FROM modules WHERE id = ${other.module.id}`), '0');
    assert.equal((await fm.get(`/gestione/corsi/${other.course.id}/elimina`)).status, 404);

    const third = await apiCourse(1);
    assertApiError(await api(opApi, 'DELETE', `/api/v1/courses/${third.course.id}`), 403);
    r = await api(fmApi, 'DELETE', `/api/v1/courses/${third.course.id}`);
    assert.equal(r.status, 204, r.text);
    assert.equal(r.text, '');
    assertApiError(await api(fmApi, 'DELETE', `/api/v1/courses/${third.course.id}`), 404);
  });

  it('refuses to delete a module or lesson a learner completed, and keeps positions 1..n', async () => {
    const { course, module, lessons } = await apiCourse(4);
    await publish(course.id);
    assert.equal((await api(opApi, 'POST', `/api/v1/courses/${course.id}/enrolments`)).status, 201);
    assert.equal((await api(opApi, 'POST', `/api/v1/lessons/${lessons[1].id}/complete`)).status, 200);

    const e = assertApiError(await api(fmApi, 'DELETE', `/api/v1/lessons/${lessons[1].id}`), 409, 'has_progress');
    assert.match(e.message, /1 partecipante l'ha già completata/);
    let r = await fm.submit(`/gestione/lezioni/${lessons[1].id}`, `/gestione/lezioni/${lessons[1].id}/elimina`, {});
    assert.equal(r.status, 409);
    assert.match(r.text, /non può essere eliminata: 1 partecipante/);
    r = await fm.submit(`/gestione/corsi/${course.id}`, `/gestione/moduli/${module.id}/elimina`, {});
    assert.equal(r.status, 409);
    assert.match(r.text, /Il modulo non può essere eliminato: i partecipanti hanno già 1 lezione completata/);
    assert.equal(s.sql(`SELECT count(*) FROM lesson_progress WHERE lesson_id = ${lessons[1].id}`), '1', 'progress kept');
    assert.equal(s.sql(`SELECT count(*) FROM lessons WHERE module_id = ${module.id}`), '4');

    // Lessons nobody completed go, and the others close ranks.
    r = await fm.submit(`/gestione/lezioni/${lessons[0].id}`, `/gestione/lezioni/${lessons[0].id}/elimina`, {});
    assert.equal(r.status, 303, r.text);
    assert.equal(r.headers.get('location'), `/gestione/corsi/${course.id}?esito=lezione-eliminata#modulo-${module.id}`);
    assert.deepEqual(positions('lessons', 'module_id', module.id), [1, 2, 3]);
    assert.equal(s.sql(`SELECT position FROM lessons WHERE id = ${lessons[1].id}`), '1');
    r = await api(fmApi, 'DELETE', `/api/v1/lessons/${lessons[2].id}`);
    assert.equal(r.status, 204, r.text);
    assert.deepEqual(positions('lessons', 'module_id', module.id), [1, 2]);
    assert.equal(s.sql(`SELECT string_agg(title, ',' ORDER BY position) FROM lessons WHERE module_id = ${module.id}`), 'Lezione 2,Lezione 4');
    assertApiError(await api(fmApi, 'DELETE', `/api/v1/lessons/${lessons[2].id}`), 404);
    assertApiError(await api(opApi, 'DELETE', `/api/v1/lessons/${lessons[3].id}`), 403);

    // Modules likewise.
    const mods = [];
    for (const t of ['M1', 'M2', 'M3']) {
      mods.push((await api(fmApi, 'POST', `/api/v1/courses/${course.id}/modules`, { title: t })).json().module.id);
    }
    await api(fmApi, 'POST', `/api/v1/modules/${mods[1]}/lessons`, { title: 'Nel modulo M2' });
    await addMaterial(course.id, mods[1], 'Materiale di M2', 'altro', 'https://example.org/m2');
    assert.deepEqual(positions('modules', 'course_id', course.id), [1, 2, 3, 4]);
    r = await fm.submit(`/gestione/corsi/${course.id}`, `/gestione/moduli/${mods[1]}/elimina`, {});
    assert.equal(r.status, 303, r.text);
    assert.match(r.headers.get('location'), /esito=modulo-eliminato/);
    assert.deepEqual(positions('modules', 'course_id', course.id), [1, 2, 3]);
    assert.equal(s.sql(`SELECT string_agg(title, ',' ORDER BY position) FROM modules WHERE course_id = ${course.id}`), 'Modulo A,M1,M3');
    assert.equal(s.sql(`SELECT count(*) FROM module_materials WHERE module_id = ${mods[1]}`), '0');
    assert.equal((await fm.submit(`/gestione/corsi/${course.id}`, `/gestione/moduli/${mods[1]}/elimina`, {})).status, 404);
  });
});

describe('live preview', () => {
  it('renders as a save does, with script inert; staff only; CSRF needed', async () => {
    const md = '# Titolo\n\n<script>alert(1)</script> **forte** [clic](javascript:alert(2)) [ok](https://example.org)';
    const r = await api(fmApi, 'POST', '/api/v1/preview', { body_md: md });
    assert.equal(r.status, 200, r.text);
    const html = r.json().html;
    assert.match(html, /<h1[^>]*>Titolo<\/h1>/);
    assert.match(html, /<strong>forte<\/strong>/);
    assert.match(html, /<a href="https:\/\/example.org">ok<\/a>/);
    assert.doesNotMatch(html, /<script|href="?javascript:/i);
    assert.match(html, /&lt;script>alert\(1\)/, 'raw HTML comes back as text');
    // Exactly what a save stores.
    const { lessons } = await apiCourse(1);
    const saved = await api(fmApi, 'PATCH', `/api/v1/lessons/${lessons[0].id}`, { body_md: md });
    assert.equal(saved.json().lesson.body_html, html);
    const empty = await api(fmApi, 'POST', '/api/v1/preview', {});
    assert.equal(empty.status, 200);
    assert.equal(empty.json().html, '');

    assertApiError(await api(opApi, 'POST', '/api/v1/preview', { body_md: 'x' }), 403);
    assertApiError(await fmApi.request('POST', '/api/v1/preview', { json: { body_md: 'x' } }), 403);
    assertApiError(await new Client(s.baseUrl).request('POST', '/api/v1/preview', { json: { body_md: 'x' } }), 401);
    assertApiError(await api(fmApi, 'POST', '/api/v1/preview', { body_md: 'a'.repeat(262145) }), 413, 'too_large');
    assertApiError(await api(fmApi, 'POST', '/api/v1/preview', { body_md: 'a'.repeat(60001) }), 422, 'too_long');
    assertApiError(await api(fmApi, 'POST', '/api/v1/preview', { body_md: 42 }), 400);
  });

  it('without JavaScript, the Anteprima button re-renders the editor with the text kept and saves nothing', async () => {
    const { lessons } = await apiCourse(1);
    const lid = lessons[0].id;
    let page = await fm.get(`/gestione/lezioni/${lid}`);
    assert.match(page.text, /<section id="anteprima"[^>]*aria-live="polite"/);
    assert.match(page.text, /<div id="anteprima-testo"[^>]*><p>Testo <em>1<\/em>.<\/p>/, 'the saved body is previewed');
    assert.match(page.text, /<script src="\/assets\/js\/lesson-preview.js" defer><\/script>/);
    const before = s.sql(`SELECT body_md || '|' || (SELECT count(*) FROM lesson_revisions WHERE lesson_id = ${lid}) FROM lessons WHERE id = ${lid}`);
    page = await fm.submit(`/gestione/lezioni/${lid}`, `/gestione/lezioni/${lid}/anteprima`,
      { title: 'Titolo provvisorio', body: 'Nuovo **testo** <script>alert(1)</script>', duration: '5', videos: '' });
    assert.equal(page.status, 200, page.text);
    assert.match(page.text, /<div id="anteprima-testo"[^>]*><p>Nuovo <strong>testo<\/strong> &lt;script>alert\(1\)&lt;\/script><\/p>/);
    assert.match(page.text, /Nuovo \*\*testo\*\* &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/textarea>/, 'the text typed is kept');
    assert.match(page.text, /value="Titolo provvisorio"/);
    assert.doesNotMatch(page.text, /<script>alert/);
    assert.equal(s.sql(`SELECT body_md || '|' || (SELECT count(*) FROM lesson_revisions WHERE lesson_id = ${lid}) FROM lessons WHERE id = ${lid}`), before, 'nothing saved');
    page = await fm.submit(`/gestione/lezioni/${lid}`, `/gestione/lezioni/${lid}/anteprima`, { title: '', body: 'x' });
    assert.equal(page.status, 400);
    assert.equal((await fm.submit(`/gestione/lezioni/${lid}`, '/gestione/lezioni/999999999/anteprima', { title: 'x', body: 'y' })).status, 404);
  });
});

describe('CSRF and roles on the new routes', () => {
  it('refuses the new forms without a valid token (403), and an operatore before that', async () => {
    const { course, module, lessons } = await apiCourse(2);
    await addMaterial(course.id, module.id, 'Manuale', 'manuale', 'https://example.org/m');
    const mat = s.sql(`SELECT id FROM module_materials WHERE module_id = ${module.id}`);
    const courses = s.sql('SELECT count(*) FROM courses');
    const posts = [
      [`/gestione/moduli/${module.id}/materiali`, { material_title: 'X', material_kind: 'altro', material_url: 'https://example.org/x' }],
      [`/gestione/materiali/${mat}/elimina`, {}],
      [`/gestione/corsi/${course.id}/duplica`, {}],
      [`/gestione/corsi/${course.id}/elimina`, {}],
      [`/gestione/moduli/${module.id}/elimina`, {}],
      [`/gestione/lezioni/${lessons[0].id}/elimina`, {}],
      [`/gestione/lezioni/${lessons[0].id}/anteprima`, { title: 'X', body: 'Y' }],
    ];
    for (const [path, fields] of posts) {
      assert.equal((await fm.request('POST', path, { form: fields })).status, 403, `${path} without token`);
      assert.equal((await fm.request('POST', path, { form: { csrf_token: 'sbagliato', ...fields } })).status, 403, `${path} wrong token`);
      const r = await opApi.request('POST', path, { form: { csrf_token: opApi.csrfToken, ...fields } });
      assert.equal(r.status, 403, `${path} as operatore`);
      assert.match(r.text, /Non hai i permessi/);
    }
    assert.equal((await op.get(`/gestione/corsi/${course.id}/elimina`)).status, 403);
    assertApiError(await fmApi.request('DELETE', `/api/v1/courses/${course.id}`), 403);
    assertApiError(await fmApi.request('DELETE', `/api/v1/lessons/${lessons[0].id}`), 403);
    assertApiError(await fmApi.request('POST', `/api/v1/courses/${course.id}/copies`), 403);
    assert.equal(s.sql('SELECT count(*) FROM courses'), courses, 'no course made or deleted');
    assert.equal(s.sql(`SELECT count(*) FROM lessons WHERE module_id = ${module.id}`), '2');
    assert.equal(s.sql(`SELECT count(*) FROM module_materials WHERE module_id = ${module.id}`), '1');
  });
});
