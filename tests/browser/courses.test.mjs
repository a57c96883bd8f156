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
    await go(`/corsi/${demoId}`);
    await click('Iscriviti al corso');
    assert.match(page.url(), /esito=iscritto/);
    await check('corso-iscritto');
    await go(`/corsi/${cid}`);
    await click('Iscriviti al corso');
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
