// Browser walk through the course pages: the public catalogue, a course
// page, enrolment with the button, a lesson whose Markdown tries to inject
// script (checked in Chromium: nothing runs, no javascript: link exists),
// completion and 100 %, the cohort calendar; then a formatore's course list,
// course editor, lesson editor and cohort pages (/gestione).  axe-core (WCAG 2.1 A/AA) on every page, no
// console error, screenshots in tests/browser/out/c-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { startStack, ROOT } from '../lib/harness.mjs';

const OUT = join(ROOT, 'tests/browser/out');
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
// Bootstrap Italia embeds video.js's icon font as a data: URL that the CSP
// refuses while font-src lacks data: (see pages.test.mjs): only that is excused.
const BI_CSS = readFileSync(join(ROOT, 'node_modules/bootstrap-italia/dist/css/bootstrap-italia.min.css'), 'utf8');
const VIDEOJS_FONT = BI_CSS.match(/font-family:VideoJS;src:url\((data:[^)]{0,80})/)?.[1];
const lit = (v) => `'${String(v).replace(/'/g, "''")}'`;

test('course pages: accessible, inert lesson markup, enrol and complete', { timeout: 300_000 }, async () => {
  mkdirSync(OUT, { recursive: true });
  const s = await startStack();
  const profile = mkdtempSync(join(tmpdir(), 'portal-chromium-'));
  const problems = [];
  let ctx;
  try {
    const csp = (await fetch(s.baseUrl + '/')).headers.get('content-security-policy') ?? '';
    const excused = (text) => !/font-src[^;]*\bdata:/.test(csp) && VIDEOJS_FONT !== undefined &&
      (text.includes(`Loading the font '${VIDEOJS_FONT}`) || text.startsWith('CSP violation: font-src blocked data'));

    // A one-lesson course whose lesson body is what discount makes of hostile
    // Markdown (MKD_NOHTML, SAFELINK, NOIMAGE), with a plain-link video.
    const cid = s.sql(`INSERT INTO courses (title, slug, summary, audience, duration_minutes, published)
      VALUES ('Corso di prova nel browser', 'corso-browser', 'Un corso breve.', 'Operatori', 10, true) RETURNING id`);
    const mid = s.sql(`INSERT INTO modules (course_id, position, title) VALUES (${cid}, 1, 'Primo contesto') RETURNING id`);
    const body = '<p>&lt;script>alert(1)&lt;/script></p>\n<p>[x](javascript:alert(1)) e <a href="https://example.org">un link</a>.</p>';
    const lid = s.sql(`INSERT INTO lessons (module_id, position, title, body_md, body_html, duration_minutes, published)
      VALUES (${mid}, 1, 'Lezione <script>alert(2)</script>', '', ${lit(body)}, 10, true) RETURNING id`);
    s.sql(`INSERT INTO lesson_videos (lesson_id, position, title, url, kind) VALUES (${lid}, 1, 'Video su un altro sito', 'https://peertube.example.org/w/abc', 'link')`);
    const demoId = s.sql("SELECT id FROM courses WHERE slug = 'sigess-uso-della-piattaforma'");

    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 }, locale: 'it-IT',
    });
    ctx.setDefaultTimeout(30_000);
    await ctx.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
      });
    });
    const page = await ctx.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !excused(msg.text())) problems.push(`console error on ${page.url()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`script error on ${page.url()}: ${err.message}`));
    page.on('requestfailed', (req) => problems.push(`request failed on ${page.url()}: ${req.url()}`));
    page.on('dialog', async (d) => { problems.push(`a dialog opened: ${d.message()}`); await d.dismiss(); });

    const check = async (name) => {
      await page.screenshot({ path: join(OUT, `c-${name}.png`), fullPage: true });
      const res = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
        .options({ resultTypes: ['violations'] }).analyze();
      for (const v of res.violations) {
        problems.push(`[axe c-${name}] ${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
      }
    };
    const go = async (path) => {
      const resp = await page.goto(s.baseUrl + path);
      if (resp?.status() !== 200) problems.push(`GET ${path}: status ${resp?.status()}`);
    };
    const click = async (name) => {
      const [resp] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name }).click()]);
      if (resp?.status() !== 200) problems.push(`${name}: status ${resp?.status()}`);
    };

    // Visitors: catalogue and course outline.
    await go('/corsi');
    assert.ok(await page.getByRole('heading', { level: 1, name: 'Corsi' }).isVisible());
    await check('catalogo');
    await go(`/corsi/${demoId}`);
    await check('corso-visitatore');

    // The demo operatore signs in, enrols with the button, reads and completes.
    await go('/accedi');
    await page.getByLabel('Indirizzo email').fill(s.demo.operatore.email);
    await page.getByLabel('Password', { exact: true }).fill(s.demo.operatore.password);
    await click('Accedi');
    // The demo cohort enrolled her in the demo course: progress, no button.
    await go(`/corsi/${demoId}`);
    assert.equal(await page.getByRole('button', { name: 'Iscriviti al corso' }).count(), 0);
    assert.ok(await page.getByText(/Completato: 3 lezioni su 3/).first().isVisible(), 'first module done (seed)');
    await check('corso-iscritto');
    await go(`/corsi/${cid}`);
    await click('Iscriviti al corso');
    assert.match(page.url(), /esito=iscritto/);
    await page.getByRole('link', { name: /^Riprendi/ }).click();
    await page.waitForURL(`**/corsi/${cid}/lezioni/${lid}`);
    const dom = await page.evaluate(() => ({
      scripts: [...document.querySelectorAll('main script')].length,
      badLinks: [...document.querySelectorAll('a')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') ?? '')).length,
      h1: document.querySelector('h1')?.textContent,
      shown: document.querySelector('article')?.textContent ?? '',
    }));
    assert.equal(dom.scripts, 0, 'no script element in the page');
    assert.equal(dom.badLinks, 0, 'no javascript: link');
    assert.match(dom.h1, /Lezione <script>alert\(2\)<\/script>/, 'the title shows as text');
    assert.match(dom.shown, /<script>alert\(1\)<\/script>/, 'the lesson shows the script as text');
    assert.ok(await page.getByRole('link', { name: 'Guarda il video «Video su un altro sito»' }).isVisible());
    await check('lezione');
    await click('Segna come completata');
    assert.match(await page.locator('main').textContent(), /Hai completato 1 lezioni su 1 \(100%\)/);
    assert.match(await page.locator('main').textContent(), /Hai completato il corso/);
    await check('corso-completato');
    // The demo operatore is in the pilot cohort of the demo course: its calendar.
    await go(`/corsi/${demoId}/calendario`);
    assert.ok(await page.getByRole('heading', { level: 1, name: /^Calendario del corso/ }).isVisible());
    await check('calendario');

    // A formatore: the course list, a new course made with the form, its
    // editor with a module and a lesson, and the lesson editor.
    await ctx.clearCookies();
    await go('/accedi');
    await page.getByLabel('Indirizzo email').fill(s.demo.formatore.email);
    await page.getByLabel('Password', { exact: true }).fill(s.demo.formatore.password);
    await click('Accedi');
    await go('/gestione/corsi');
    assert.ok(await page.getByRole('heading', { level: 1, name: 'Gestione corsi' }).isVisible());
    await check('gestione-corsi');
    await page.getByLabel('Titolo', { exact: true }).fill('Corso scritto nel browser');
    await click('Crea il corso');
    assert.match(page.url(), /\/gestione\/corsi\/\d+\?esito=creato$/);
    await page.getByLabel('Titolo del modulo').fill('Contesto di prova');
    await click('Aggiungi il modulo');
    await page.getByLabel('Titolo della lezione').fill('Lezione di prova');
    await page.getByLabel('Testo (Markdown)').fill('Un **testo** con [un link](https://example.org).');
    await click('Aggiungi la lezione');
    assert.match(page.url(), /\/gestione\/lezioni\/\d+\?esito=creata$/);
    await check('gestione-lezione');
    await page.getByRole('link', { name: 'Corso scritto nel browser' }).click();
    await page.waitForURL(/\/gestione\/corsi\/\d+$/);
    await check('gestione-corso');
    // Cohorts of the demo course, and the pilot cohort with its calendar and forms.
    await go(`/gestione/corsi/${demoId}/classi`);
    await check('gestione-classi');
    await page.getByRole('link', { name: 'Classe pilota – Roma Capitale' }).click();
    await page.waitForURL(/\/gestione\/classi\/\d+$/);
    await check('gestione-classe');
  } finally {
    if (ctx) await ctx.close();
    rmSync(profile, { recursive: true, force: true });
    await s.stop();
  }
  if (problems.length) assert.fail(`${problems.length} problem(s):\n${problems.join('\n')}`);
});

// Automatic completion (completion_mode 'auto'): a long lesson without
// videos completes when the learner scrolls to its end, reported by
// assets/js/lesson-progress.js (the played path needs an https media file,
// which this http test server cannot serve: it is covered through the API
// in tests/integration/courses.test.mjs).  Also the lesson editor with a
// video's transcript and captions fields and the completion radio group,
// and a lesson page with a transcript.  axe-core on every page.
test('automatic completion by reading to the end; transcript and editor fields', { timeout: 300_000 }, async () => {
  mkdirSync(OUT, { recursive: true });
  const s = await startStack();
  const profile = mkdtempSync(join(tmpdir(), 'portal-chromium-'));
  const problems = [];
  let ctx;
  try {
    const csp = (await fetch(s.baseUrl + '/')).headers.get('content-security-policy') ?? '';
    const excused = (text) => !/font-src[^;]*\bdata:/.test(csp) && VIDEOJS_FONT !== undefined &&
      (text.includes(`Loading the font '${VIDEOJS_FONT}`) || text.startsWith('CSP violation: font-src blocked data'));
    const cid = s.sql(`INSERT INTO courses (title, slug, summary, audience, duration_minutes, published)
      VALUES ('Corso a completamento automatico', 'corso-auto', 'Un corso breve.', 'Operatori', 10, true) RETURNING id`);
    const mid = s.sql(`INSERT INTO modules (course_id, position, title) VALUES (${cid}, 1, 'Primo contesto') RETURNING id`);
    const body = Array.from({ length: 60 }, (_, i) => `<p>Paragrafo ${i + 1} della lezione, da leggere con calma fino in fondo.</p>`).join('\n');
    const lid = s.sql(`INSERT INTO lessons (module_id, position, title, body_md, body_html, duration_minutes, published, completion_mode)
      VALUES (${mid}, 1, 'Lezione lunga', '', ${lit(body)}, 10, true, 'auto') RETURNING id`);
    const lid2 = s.sql(`INSERT INTO lessons (module_id, position, title, body_md, body_html, duration_minutes, published)
      VALUES (${mid}, 2, 'Lezione con trascrizione', '', '<p>Breve.</p>', 5, true) RETURNING id`);
    s.sql(`INSERT INTO lesson_videos (lesson_id, position, title, url, kind, transcript_md, transcript_html)
      VALUES (${lid2}, 1, 'Intervista', 'https://example.org/intervista', 'link', 'x',
              '<p>&lt;script>window.hacked = 1&lt;/script> Buongiorno a tutti.</p>')`);

    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 700 }, locale: 'it-IT',
    });
    ctx.setDefaultTimeout(30_000);
    await ctx.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
      });
    });
    const page = await ctx.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !excused(msg.text())) problems.push(`console error on ${page.url()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`script error on ${page.url()}: ${err.message}`));
    page.on('dialog', async (d) => { problems.push(`a dialog opened: ${d.message()}`); await d.dismiss(); });
    const check = async (name) => {
      await page.screenshot({ path: join(OUT, `c-${name}.png`), fullPage: true });
      const res = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
        .options({ resultTypes: ['violations'] }).analyze();
      for (const v of res.violations) {
        problems.push(`[axe c-${name}] ${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
      }
    };
    const go = async (path) => {
      const resp = await page.goto(s.baseUrl + path);
      if (resp?.status() !== 200) problems.push(`GET ${path}: status ${resp?.status()}`);
    };
    const click = async (name) => {
      const [resp] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name }).click()]);
      if (resp?.status() !== 200) problems.push(`${name}: status ${resp?.status()}`);
    };
    const login = async (who) => {
      await ctx.clearCookies();
      await go('/accedi');
      await page.getByLabel('Indirizzo email').fill(who.email);
      await page.getByLabel('Password', { exact: true }).fill(who.password);
      await click('Accedi');
    };

    await login(s.demo.operatore);
    await go(`/corsi/${cid}`);
    await click('Iscriviti al corso');
    await go(`/corsi/${cid}/lezioni/${lid}`);
    const status = page.getByRole('status').filter({ hasText: /completata|completato/ });
    assert.match(await status.textContent(), /La lezione sarà segnata come completata quando l'avrai letta fino in fondo\./);
    assert.equal(await page.getByRole('button', { name: 'Segna come completata' }).count(), 0, 'no button on an automatic lesson');
    await check('lezione-automatica');
    await page.waitForTimeout(500);
    const uid = s.sql(`SELECT id FROM users WHERE email = ${lit(s.demo.operatore.email)}`);
    assert.equal(s.sql(`SELECT count(*) FROM lesson_progress WHERE lesson_id = ${lid} AND user_id = ${uid}`), '0',
      'not completed while the end is out of view');
    await page.locator('#lesson-progress').scrollIntoViewIfNeeded();
    await page.getByText('Hai completato questa lezione.').waitFor();
    assert.equal(s.sql(`SELECT count(*) FROM lesson_progress WHERE lesson_id = ${lid} AND user_id = ${uid}`), '1');
    await check('lezione-automatica-completata');
    await go(`/corsi/${cid}`);
    assert.match(await page.locator('main').textContent(), /Hai completato 1 lezioni su 2 \(50%\)/);

    // A transcript: a disclosure whose hostile text stays text.
    await go(`/corsi/${cid}/lezioni/${lid2}`);
    const summary = page.getByText('Trascrizione del video «Intervista»');
    await summary.click();
    assert.match(await page.locator('details.portal-transcript').textContent(), /<script>window\.hacked = 1<\/script> Buongiorno a tutti\./);
    assert.equal(await page.evaluate(() => window.hacked), undefined, 'the transcript script did not run');
    await check('lezione-trascrizione');

    // The editor with the video's fields and the completion choice.
    await login(s.demo.formatore);
    await go(`/gestione/lezioni/${lid2}`);
    assert.ok(await page.getByLabel('Trascrizione (Markdown)').isVisible());
    assert.ok(await page.getByLabel('Sottotitoli (URL WebVTT, https)').isVisible());
    await page.locator('label[for="f-completion-auto"]').click();
    assert.ok(await page.getByLabel(/^Automatico/).isChecked());
    await page.getByLabel('Trascrizione (Markdown)').fill('Buongiorno a **tutti**.');
    await click('Salva la lezione');
    assert.equal(s.sql(`SELECT completion_mode FROM lessons WHERE id = ${lid2}`), 'auto');
    assert.equal(s.sql(`SELECT transcript_html FROM lesson_videos WHERE lesson_id = ${lid2}`), '<p>Buongiorno a <strong>tutti</strong>.</p>');
    await check('gestione-lezione-video');
  } finally {
    if (ctx) await ctx.close();
    rmSync(profile, { recursive: true, force: true });
    await s.stop();
  }
  if (problems.length) assert.fail(`${problems.length} problem(s):\n${problems.join('\n')}`);
});

// Trainer authoring in Chromium: the lesson editor's live preview (typing
// updates the "Anteprima" pane through assets/js/lesson-preview.js and
// POST /api/v1/preview, debounced, with hostile Markdown inert and nothing
// saved), the course editor with module materials, the course page showing
// them to a signed-in member, and the delete confirmation page (refused
// and allowed).  axe-core on every page.
test('lesson live preview, materials and the delete confirmation', { timeout: 300_000 }, async () => {
  mkdirSync(OUT, { recursive: true });
  const s = await startStack();
  const profile = mkdtempSync(join(tmpdir(), 'portal-chromium-'));
  const problems = [];
  let ctx;
  try {
    const csp = (await fetch(s.baseUrl + '/')).headers.get('content-security-policy') ?? '';
    const excused = (text) => !/font-src[^;]*\bdata:/.test(csp) && VIDEOJS_FONT !== undefined &&
      (text.includes(`Loading the font '${VIDEOJS_FONT}`) || text.startsWith('CSP violation: font-src blocked data'));
    const cid = s.sql(`INSERT INTO courses (title, slug, summary, published)
      VALUES ('Corso da riscrivere', 'corso-anteprima', 'Prova.', false) RETURNING id`);
    const mid = s.sql(`INSERT INTO modules (course_id, position, title) VALUES (${cid}, 1, 'Contesto unico') RETURNING id`);
    const lid = s.sql(`INSERT INTO lessons (module_id, position, title, body_md, body_html, published)
      VALUES (${mid}, 1, 'Lezione da rivedere', 'Testo iniziale.', '<p>Testo iniziale.</p>', true) RETURNING id`);
    s.sql(`INSERT INTO module_materials (module_id, position, title, kind, url) VALUES
      (${mid}, 1, 'Manuale operativo', 'manuale', 'https://example.org/manuale.pdf'),
      (${mid}, 2, 'Esercitazione guidata', 'esercitazione', 'https://example.org/esercizio')`);
    const busy = s.sql(`INSERT INTO courses (title, slug, published) VALUES ('Corso con iscritti', 'corso-iscritti', true) RETURNING id`);
    s.sql(`INSERT INTO enrolments (user_id, course_id) SELECT id, ${busy} FROM users WHERE email = ${lit(s.demo.operatore.email)}`);

    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 }, locale: 'it-IT',
    });
    ctx.setDefaultTimeout(30_000);
    await ctx.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
      });
    });
    const page = await ctx.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !excused(msg.text())) problems.push(`console error on ${page.url()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`script error on ${page.url()}: ${err.message}`));
    page.on('requestfailed', (req) => problems.push(`request failed on ${page.url()}: ${req.url()}`));
    page.on('dialog', async (d) => { problems.push(`a dialog opened: ${d.message()}`); await d.dismiss(); });
    let previews = 0;
    page.on('request', (req) => { if (req.url().endsWith('/api/v1/preview')) previews++; });
    const check = async (name) => {
      await page.screenshot({ path: join(OUT, `c-${name}.png`), fullPage: true });
      const res = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
        .options({ resultTypes: ['violations'] }).analyze();
      for (const v of res.violations) {
        problems.push(`[axe c-${name}] ${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
      }
    };
    const go = async (path) => {
      const resp = await page.goto(s.baseUrl + path);
      if (resp?.status() !== 200) problems.push(`GET ${path}: status ${resp?.status()}`);
    };

    await go('/accedi');
    await page.getByLabel('Indirizzo email').fill(s.demo.formatore.email);
    await page.getByLabel('Password', { exact: true }).fill(s.demo.formatore.password);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Accedi' }).click()]);

    // The lesson editor: the pane starts with the saved rendering.
    await go(`/gestione/lezioni/${lid}`);
    const pane = page.getByRole('region', { name: 'Anteprima' });
    assert.equal(await pane.getAttribute('aria-live'), 'polite');
    assert.match(await pane.textContent(), /Testo iniziale\./);
    await check('gestione-lezione-anteprima');
    const body = page.getByLabel(/^Testo \(Markdown/);
    await body.fill('# Nuovo titolo\n\nUn **testo** <script>window.hacked = 1</script> e [un link](javascript:window.hacked=2).');
    await pane.locator('h1', { hasText: 'Nuovo titolo' }).waitFor();
    assert.equal(await pane.locator('strong').textContent(), 'testo');
    const dom = await pane.evaluate((el) => ({
      scripts: el.querySelectorAll('script').length,
      badLinks: [...el.querySelectorAll('a')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') ?? '')).length,
      text: el.textContent,
    }));
    assert.equal(dom.scripts, 0, 'no script element in the preview');
    assert.equal(dom.badLinks, 0, 'no javascript: link in the preview');
    assert.match(dom.text, /<script>window\.hacked = 1<\/script>/, 'the script shows as text');
    assert.equal(await page.evaluate(() => window.hacked), undefined, 'nothing ran');
    // Typing is debounced: one request after a burst of keys.
    const before = previews;
    await body.press('End');
    await body.pressSequentially(' Aggiunta finale', { delay: 20 });
    await pane.getByText(/Aggiunta finale/).waitFor();
    assert.ok(previews - before >= 1 && previews - before <= 2, `${previews - before} preview requests for 16 keys`);
    assert.equal(s.sql(`SELECT body_md FROM lessons WHERE id = ${lid}`), 'Testo iniziale.', 'the preview saves nothing');
    await check('gestione-lezione-anteprima-aggiornata');

    // The course editor with its materials, and the course page a member sees.
    await go(`/gestione/corsi/${cid}`);
    assert.ok(await page.getByRole('link', { name: 'Manuale operativo' }).isVisible());
    assert.ok(await page.getByRole('button', { name: 'Crea una nuova edizione' }).isVisible());
    await check('gestione-corso-materiali');
    await go(`/corsi/${cid}`);
    assert.ok(await page.getByRole('link', { name: 'Esercitazione guidata' }).isVisible());
    await check('corso-materiali');

    // Delete: refused for a course with learners, confirmed for the other.
    await go(`/gestione/corsi/${busy}/elimina`);
    assert.match(await page.getByRole('alert').textContent(), /non può essere eliminato: ha 1 iscritto/);
    await check('gestione-corso-elimina-rifiutata');
    await go(`/gestione/corsi/${cid}`);
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Elimina il corso' }).click()]);
    assert.ok(await page.getByRole('heading', { level: 1, name: 'Eliminare il corso «Corso da riscrivere»?' }).isVisible());
    await check('gestione-corso-elimina');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Elimina definitivamente il corso' }).click()]);
    assert.match(page.url(), /\/gestione\/corsi\?esito=eliminato$/);
    assert.match(await page.getByRole('status').textContent(), /Corso eliminato\./);
    assert.equal(s.sql(`SELECT count(*) FROM courses WHERE id = ${cid}`), '0');
  } finally {
    if (ctx) await ctx.close();
    rmSync(profile, { recursive: true, force: true });
    await s.stop();
  }
  if (problems.length) assert.fail(`${problems.length} problem(s):\n${problems.join('\n')}`);
});
