// Courses: public catalogue, drafts hidden from learners (404), enrolment,
// completion and progress over the API and the pages, Markdown and titles
// that try to inject markup.  Real stack (tests/lib/harness.mjs).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client, ROOT, startStack } from '../lib/harness.mjs';
import { apiLogin, assertApiError, assertSecurityHeaders, lit, loginAs, uniq } from './util.mjs';

let s;
before(async () => { s = await startStack(); });
after(async () => { await s?.stop(); });

// A course with one module and the given lessons, made through SQL (there
// is no authoring API yet).  Lessons: { title, html, published, videos }.
function makeCourse({ title = `Corso ${uniq()}`, published = true, lessons = [{ title: 'Lezione unica' }] } = {}) {
  const slug = uniq('c').toLowerCase();
  const cid = Number(s.sql(`INSERT INTO courses (title, slug, summary, audience, duration_minutes, published)
    VALUES (${lit(title)}, ${lit(slug)}, 'Sommario di prova', 'Operatori', 30, ${published}) RETURNING id`));
  const mid = Number(s.sql(`INSERT INTO modules (course_id, position, title) VALUES (${cid}, 1, 'Modulo uno') RETURNING id`));
  const ids = lessons.map((l, i) => {
    const lid = Number(s.sql(`INSERT INTO lessons (module_id, position, title, body_md, body_html, duration_minutes, published)
      VALUES (${mid}, ${i + 1}, ${lit(l.title)}, '', ${lit(l.html ?? '<p>Testo.</p>')}, 10, ${l.published ?? true}) RETURNING id`));
    (l.videos ?? []).forEach((v, j) => s.sql(`INSERT INTO lesson_videos (lesson_id, position, title, url, kind, embed_url)
      VALUES (${lid}, ${j + 1}, ${lit(v.title)}, ${lit(v.url)}, ${lit(v.kind)}, ${v.embed ? lit(v.embed) : 'NULL'})`));
    return lid;
  });
  return { id: cid, title, slug, lessons: ids };
}

describe('catalogue', () => {
  it('is public and lists the demo course with modules and lesson titles', async () => {
    const r = await new Client(s.baseUrl).get('/corsi');
    assert.equal(r.status, 200);
    assertSecurityHeaders(r.headers, '/corsi');
    assert.match(r.text, /SIGeSS: uso della piattaforma/);
    assert.match(r.text, /Modulo 1: Segretariato Sociale/);
    assert.match(r.text, /Accoglienza e primo ascolto allo sportello/);
    assert.match(r.text, /Destinatari/);
    const api = await new Client(s.baseUrl).get('/api/v1/courses');
    assert.equal(api.status, 200);
    const demo = api.json().courses.find((c) => c.slug === 'sigess-uso-della-piattaforma');
    assert.ok(demo, 'the demo course is in the API list');
    assert.equal(demo.modules_count, 4);
    assert.ok(demo.lessons_count >= 12);
    assert.equal(demo.duration_minutes, 360);
  });

  it('shows the outline to visitors with a prompt to sign in, and keeps lessons for members', async () => {
    const id = s.sql("SELECT id FROM courses WHERE slug = 'sigess-uso-della-piattaforma'");
    const c = new Client(s.baseUrl);
    const r = await c.get(`/corsi/${id}`);
    assert.equal(r.status, 200);
    assert.match(r.text, /Accedi<\/a> o <a href="\/registrati">registrati<\/a>/);
    assert.doesNotMatch(r.text, /\/lezioni\//, 'no lesson links for visitors');
    const lesson = s.sql(`SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id WHERE m.course_id = ${id} LIMIT 1`);
    const l = await c.get(`/corsi/${id}/lezioni/${lesson}`);
    assert.equal(l.status, 303);
    assert.match(l.headers.get('location'), /^\/accedi\?next=/);
    const detail = (await c.get(`/api/v1/courses/${id}`)).json();
    assert.equal(detail.enrolment, null);
    assert.equal(detail.course.modules.length, 4);
    assert.ok(detail.course.modules.every((m) => m.lessons.length >= 3));
  });

  it('renders the demo lesson videos as accessible embeds', async () => {
    const c = await loginAs(s, 'operatore');
    const row = s.sql(`SELECT m.course_id, l.id FROM lesson_videos v JOIN lessons l ON l.id = v.lesson_id
                       JOIN modules m ON m.id = l.module_id WHERE v.kind = 'youtube' LIMIT 1`);
    const [cid, lid] = row.split('|');
    const r = await c.get(`/corsi/${cid}/lezioni/${lid}`);
    assert.equal(r.status, 200);
    assert.match(r.text, /<iframe src="https:\/\/www\.youtube-nocookie\.com\/embed\/[A-Za-z0-9_-]{11}" title="Video: [^"]+"/);
  });
});

describe('drafts', () => {
  it('answer 404 to an operatore (pages and API), not to a formatore', async () => {
    const draft = makeCourse({ title: 'Corso in bozza', published: false });
    const mixed = makeCourse({ lessons: [{ title: 'Pubblicata' }, { title: 'Lezione in bozza', published: false }] });
    const op = await loginAs(s, 'operatore');
    const opApi = await apiLogin(s, s.demo.operatore.email, s.demo.operatore.password);
    assert.equal((await op.get(`/corsi/${draft.id}`)).status, 404);
    assert.equal((await op.get(`/corsi/${draft.id}/lezioni/${draft.lessons[0]}`)).status, 404);
    assert.equal((await op.get(`/corsi/${mixed.id}/lezioni/${mixed.lessons[1]}`)).status, 404);
    assert.equal((await op.get(`/corsi/${mixed.id}/lezioni/${mixed.lessons[0]}`)).status, 200);
    assert.doesNotMatch((await op.get('/corsi')).text, /Corso in bozza/);
    assert.doesNotMatch((await op.get(`/corsi/${mixed.id}`)).text, /Lezione in bozza/);
    assertApiError(await op.get(`/api/v1/courses/${draft.id}`), 404, 'not_found');
    assert.ok(!(await op.get('/api/v1/courses')).json().courses.some((c) => c.id === draft.id));
    const h = { 'x-csrf-token': opApi.csrfToken };
    assertApiError(await opApi.request('POST', `/api/v1/courses/${draft.id}/enrolments`, { headers: h }), 404);
    assertApiError(await opApi.request('POST', `/api/v1/lessons/${draft.lessons[0]}/complete`, { headers: h }), 404);
    // Enrolled in the published course, a draft lesson in it is still hidden.
    assert.equal((await opApi.request('POST', `/api/v1/courses/${mixed.id}/enrolments`, { headers: h })).status, 201);
    assertApiError(await opApi.request('POST', `/api/v1/lessons/${mixed.lessons[1]}/complete`, { headers: h }), 404);
    // A lesson reached through another course's URL does not exist there.
    assert.equal((await op.get(`/corsi/${draft.id}/lezioni/${mixed.lessons[0]}`)).status, 404);

    const fm = await loginAs(s, 'formatore');
    const page = await fm.get(`/corsi/${draft.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /\(bozza\)/);
    assert.equal((await fm.get(`/corsi/${mixed.id}/lezioni/${mixed.lessons[1]}`)).status, 200);
  });
});

describe('enrolment and progress', () => {
  it('refuses completion without enrolment (403), then reaches 100 %', async () => {
    const course = makeCourse({ title: 'Corso da una lezione' });
    const c = await apiLogin(s, s.demo.tutor.email, s.demo.tutor.password);
    const h = { 'x-csrf-token': c.csrfToken };
    const lid = course.lessons[0];
    assertApiError(await c.request('POST', `/api/v1/lessons/${lid}/complete`, { headers: h }), 403, 'not_enrolled');
    assertApiError(await c.request('POST', `/api/v1/lessons/${lid}/complete`), 403);	// no CSRF token
    assertApiError(await new Client(s.baseUrl).request('POST', `/api/v1/lessons/${lid}/complete`), 401);
    const e = await c.request('POST', `/api/v1/courses/${course.id}/enrolments`, { headers: h });
    assert.equal(e.status, 201, e.text);
    assert.equal(e.json().enrolment.course_id, course.id);
    assert.equal((await c.request('POST', `/api/v1/courses/${course.id}/enrolments`, { headers: h })).status, 200);
    let p = (await c.get('/api/v1/me/progress')).json().courses.find((x) => x.course_id === course.id);
    assert.deepEqual([p.lessons_total, p.lessons_completed, p.percent], [1, 0, 0]);
    const done = await c.request('POST', `/api/v1/lessons/${lid}/complete`, { headers: h });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json().completed, true);
    assert.equal((await c.request('POST', `/api/v1/lessons/${lid}/complete`, { headers: h })).status, 200, 'idempotent');
    p = (await c.get('/api/v1/me/progress')).json().courses.find((x) => x.course_id === course.id);
    assert.deepEqual([p.lessons_total, p.lessons_completed, p.percent], [1, 1, 100]);
    const detail = (await c.get(`/api/v1/courses/${course.id}`)).json();
    assert.equal(detail.enrolment.percent, 100);
    assert.equal(detail.course.modules[0].lessons[0].completed, true);
    assert.equal(s.sql(`SELECT count(*) FROM lesson_progress WHERE lesson_id = ${lid}`), '1');
  });

  it('works through the pages: enrol button, resume link, completion, percentages', async () => {
    const course = makeCourse({ lessons: [{ title: 'Prima lezione' }, { title: 'Seconda lezione' }] });
    const c = await loginAs(s, 'referente');
    let page = await c.get(`/corsi/${course.id}`);
    assert.match(page.text, /Iscriviti al corso/);
    // Completing before enrolling is refused.
    const early = await c.submit(`/corsi/${course.id}`, `/corsi/${course.id}/lezioni/${course.lessons[0]}/completa`, {});
    assert.equal(early.status, 403);
    const r = await c.submit(`/corsi/${course.id}`, `/corsi/${course.id}/iscrizione`, {});
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), `/corsi/${course.id}?esito=iscritto`);
    page = await c.get(`/corsi/${course.id}`);
    assert.doesNotMatch(page.text, /Iscriviti al corso/);
    assert.match(page.text, /Hai completato 0 lezioni su 2 \(0%\)/);
    assert.match(page.text, new RegExp(`href="/corsi/${course.id}/lezioni/${course.lessons[0]}">Riprendi`));
    const lessonUrl = `/corsi/${course.id}/lezioni/${course.lessons[0]}`;
    const done = await c.submit(lessonUrl, `${lessonUrl}/completa`, {});
    assert.equal(done.status, 303);
    page = await c.get(`/corsi/${course.id}`);
    assert.match(page.text, /Hai completato 1 lezioni su 2 \(50%\)/);
    assert.match(page.text, /<progress[^>]*value="50"/);
    assert.match(page.text, new RegExp(`href="/corsi/${course.id}/lezioni/${course.lessons[1]}">Riprendi`));
    assert.match((await c.get(lessonUrl)).text, /Hai completato questa lezione/);
    // A form post without the CSRF token is refused.
    const forged = await c.request('POST', `/corsi/${course.id}/lezioni/${course.lessons[1]}/completa`, { form: {} });
    assert.equal(forged.status, 403);
  });

  it('rejects bad ids', async () => {
    const c = await loginAs(s, 'operatore');
    assert.equal((await c.get('/corsi/abc')).status, 400);
    assert.equal((await c.get('/corsi/999999999')).status, 404);
    assert.equal((await c.get('/corsi/1/lezioni/999999999')).status, 404);
    assertApiError(await c.get('/api/v1/courses/0'), 400);
    assertApiError(await c.get('/api/v1/courses/99999999999999999999'), 400);
  });
});

describe('hostile content', () => {
  it('lesson Markdown with script and javascript: links is inert', async () => {
    // Lesson sources go through portal/md.c when saved; the only way in
    // today is the seed, so a hostile course is seeded from a private tree.
    const md = '<script>alert(1)</script>\n\n[x](javascript:alert(1)) e ![i](javascript:alert(2)) e [ok](https://example.org)';
    const lessonId = s.sql(`SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id
      JOIN courses c ON c.id = m.course_id WHERE c.slug = 'sigess-uso-della-piattaforma' ORDER BY m.position, l.position LIMIT 1`);
    assert.ok(lessonId);
    // The demo seed rendered every lesson with md_render: check one of its outputs is plain HTML.
    assert.doesNotMatch(s.sql(`SELECT body_html FROM lessons WHERE id = ${lessonId}`), /<script|javascript:/i);
    // Now a lesson whose source is hostile, rendered through the binary's own seed path.
    const root = `${s.dir}/seedroot`;
    mkdirSync(`${root}/courses/demo/01-modulo`, { recursive: true });
    writeFileSync(`${root}/courses/demo/course.md`, '# Corso <b>ostile</b> "x" \'y\'\nSlug: corso-ostile\n\nSommario <img src=x onerror=alert(1)>\n');
    writeFileSync(`${root}/courses/demo/01-modulo/module.md`, '# Modulo <script>alert(1)</script>\n\nDescrizione.\n');
    writeFileSync(`${root}/courses/demo/01-modulo/01-lezione.md`,
      `# Lezione <script>alert("t")</script>\nDurata: 5 minuti\nVideo: Video <i>ostile</i> | https://youtu.be/dQw4w9WgXcQ | 3\nVideo: Altro | https://evil.example/x | 2\n\n${md}\n`);
    execFileSync(resolve(ROOT, process.env.PORTAL_BIN ?? 'build/portal'), ['seed-demo'],
      { env: { ...s.env, PORTAL_VIEWS_DIR: root }, cwd: ROOT, stdio: 'pipe' });
    const cid = s.sql("SELECT id FROM courses WHERE slug = 'corso-ostile'");
    assert.match(cid, /^\d+$/, 'the hostile course was seeded');
    const lid = s.sql(`SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id WHERE m.course_id = ${cid}`);
    const c = await loginAs(s, 'operatore');
    const r = await c.get(`/corsi/${cid}/lezioni/${lid}`);
    assert.equal(r.status, 200);
    const article = r.text.slice(r.text.indexOf('<article'), r.text.indexOf('</article>'));
    assert.doesNotMatch(r.text, /<script/i, 'no script element anywhere');
    assert.doesNotMatch(r.text, /href="javascript:/i);
    assert.doesNotMatch(r.text, /<img/i);
    assert.match(article, /&lt;script>alert\(1\)&lt;\/script>/, 'the script shows as text');
    assert.match(article, /<a href="https:\/\/example\.org">ok<\/a>/);
    assert.match(r.text, /<title>Lezione &lt;script&gt;alert\(&quot;t&quot;\)&lt;\/script&gt; – /);
    assert.match(r.text, /title="Video: Video &lt;i&gt;ostile&lt;\/i&gt;"/);
    assert.match(r.text, /<a href="https:\/\/evil\.example\/x">Guarda il video «Altro»<\/a>/, 'an unknown site is a plain link');
    assert.doesNotMatch(r.text, /<iframe[^>]*evil/);
    const cat = await c.get('/corsi');
    assert.match(cat.text, /Corso &lt;b&gt;ostile&lt;\/b&gt; &quot;x&quot; &#39;y&#39;/);
    assert.match(cat.text, /Sommario &lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(cat.text, /Modulo 1: Modulo &lt;script&gt;/);
    assert.doesNotMatch(cat.text, /<b>ostile/);
  });
});
