// Browser walks through the course pages (tests/lib/browser.mjs: axe-core
// WCAG 2.1 A/AA on every page checked, no console error, CSP violation,
// failed request or dialog, screenshots in tests/browser/out/c*-NN-*.png).
// First: the public catalogue, a course page, enrolment with the button, a
// lesson whose Markdown tries to inject script (checked in Chromium: nothing
// runs, no javascript: link exists), completion and 100 %, the cohort
// calendar; then a formatore's course list, course editor, lesson editor and
// cohort pages (/gestione).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/harness.mjs';
import { closeAll, openBrowser } from '../lib/browser.mjs';

const lit = (v) => `'${String(v).replace(/'/g, "''")}'`;
const button = (page, name) => page.getByRole('button', { name });

test('course pages: accessible, inert lesson markup, enrol and complete', { timeout: 300_000 }, async () => {
  const s = await startStack();
  let b;
  try {
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
    b = await openBrowser(s, 'c');

    // Visitors: catalogue and course outline.
    const vis = await b.page('visitatore');
    await b.go(vis, '/corsi');
    assert.ok(await vis.getByRole('heading', { level: 1, name: 'Corsi' }).isVisible());
    await b.check(vis, 'catalogo');
    await b.go(vis, `/corsi/${demoId}`);
    await b.check(vis, 'corso-visitatore');

    // The demo operatore signs in, enrols with the button, reads and completes.
    const op = await b.page('operatore');
    await b.login(op, s.demo.operatore);
    // The demo cohort enrolled her in the demo course: progress, no button.
    await b.go(op, `/corsi/${demoId}`);
    assert.equal(await button(op, 'Iscriviti al corso').count(), 0);
    assert.ok(await op.getByText(/Completato: 3 lezioni su 3/).first().isVisible(), 'first module done (seed)');
    await b.check(op, 'corso-iscritto');
    await b.go(op, `/corsi/${cid}`);
    await b.submit(op, button(op, 'Iscriviti al corso'), 200, 'Iscriviti al corso');
    assert.match(op.url(), /esito=iscritto/);
    await op.getByRole('link', { name: /^Riprendi/ }).click();
    await op.waitForURL(`**/corsi/${cid}/lezioni/${lid}`);
    const dom = await op.evaluate(() => ({
      scripts: [...document.querySelectorAll('main script')].length,
      badLinks: [...document.querySelectorAll('a')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') ?? '')).length,
      h1: document.querySelector('h1')?.textContent,
      shown: document.querySelector('article')?.textContent ?? '',
    }));
    assert.equal(dom.scripts, 0, 'no script element in the page');
    assert.equal(dom.badLinks, 0, 'no javascript: link');
    assert.match(dom.h1, /Lezione <script>alert\(2\)<\/script>/, 'the title shows as text');
    assert.match(dom.shown, /<script>alert\(1\)<\/script>/, 'the lesson shows the script as text');
    assert.ok(await op.getByRole('link', { name: 'Guarda il video «Video su un altro sito»' }).isVisible());
    await b.check(op, 'lezione');
    await b.submit(op, button(op, 'Segna come completata'), 200, 'Segna come completata');
    assert.match(await op.locator('main').textContent(), /Hai completato 1 lezioni su 1 \(100%\)/);
    assert.match(await op.locator('main').textContent(), /Hai completato tutte le lezioni/);
    await b.check(op, 'corso-completato');
    // The demo operatore is in the pilot cohort of the demo course: its calendar.
    await b.go(op, `/corsi/${demoId}/calendario`);
    assert.ok(await op.getByRole('heading', { level: 1, name: /^Calendario del corso/ }).isVisible());
    await b.check(op, 'calendario');

    // A formatore: the course list, a new course made with the form, its
    // editor with a module and a lesson, and the lesson editor.
    const fm = await b.page('formatore');
    await b.login(fm, s.demo.formatore);
    await b.go(fm, '/gestione/corsi');
    assert.ok(await fm.getByRole('heading', { level: 1, name: 'Gestione corsi' }).isVisible());
    await b.check(fm, 'gestione-corsi');
    await fm.getByLabel('Titolo', { exact: true }).fill('Corso scritto nel browser');
    await b.submit(fm, button(fm, 'Crea il corso'), 200, 'Crea il corso');
    assert.match(fm.url(), /\/gestione\/corsi\/\d+\?esito=creato$/);
    await fm.getByLabel('Titolo del modulo').fill('Contesto di prova');
    await b.submit(fm, button(fm, 'Aggiungi il modulo'), 200, 'Aggiungi il modulo');
    await fm.getByLabel('Titolo della lezione').fill('Lezione di prova');
    await fm.getByLabel('Testo (Markdown)').fill('Un **testo** con [un link](https://example.org).');
    await b.submit(fm, button(fm, 'Aggiungi la lezione'), 200, 'Aggiungi la lezione');
    assert.match(fm.url(), /\/gestione\/lezioni\/\d+\?esito=creata$/);
    await b.check(fm, 'gestione-lezione');
    await fm.getByRole('link', { name: 'Corso scritto nel browser' }).click();
    await fm.waitForURL(/\/gestione\/corsi\/\d+$/);
    await b.check(fm, 'gestione-corso');
    // Cohorts of the demo course, and the pilot cohort with its calendar and forms.
    await b.go(fm, `/gestione/corsi/${demoId}/classi`);
    await b.check(fm, 'gestione-classi');
    await fm.getByRole('link', { name: 'Classe pilota – Roma Capitale' }).click();
    await fm.waitForURL(/\/gestione\/classi\/\d+$/);
    await b.check(fm, 'gestione-classe');
  } finally {
    await closeAll(b, s);
  }
});

// Automatic completion (completion_mode 'auto'): a long lesson without
// videos completes when the learner scrolls to its end, reported by
// assets/js/lesson-progress.js (the played path needs an https media file,
// which this http test server cannot serve: it is covered through the API
// in tests/integration/courses.test.mjs).  Also the lesson editor with a
// video's transcript and captions fields and the completion radio group,
// and a lesson page with a transcript.  axe-core on every page.
test('automatic completion by reading to the end; transcript and editor fields', { timeout: 300_000 }, async () => {
  const s = await startStack();
  let b;
  try {
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
    b = await openBrowser(s, 'c2');
    // A shorter window: the end of the long lesson starts well out of view.
    const viewport = { width: 1280, height: 700 };

    const op = await b.page('operatore', { viewport });
    await b.login(op, s.demo.operatore);
    await b.go(op, `/corsi/${cid}`);
    await b.submit(op, button(op, 'Iscriviti al corso'), 200, 'Iscriviti al corso');
    await b.go(op, `/corsi/${cid}/lezioni/${lid}`);
    const status = op.getByRole('status').filter({ hasText: /completata|completato/ });
    assert.match(await status.textContent(), /La lezione sarà segnata come completata quando l'avrai letta fino in fondo\./);
    assert.equal(await button(op, 'Segna come completata').count(), 0, 'no button on an automatic lesson');
    await b.check(op, 'lezione-automatica');
    await op.waitForTimeout(500);
    const uid = s.sql(`SELECT id FROM users WHERE email = ${lit(s.demo.operatore.email)}`);
    assert.equal(s.sql(`SELECT count(*) FROM lesson_progress WHERE lesson_id = ${lid} AND user_id = ${uid}`), '0',
      'not completed while the end is out of view');
    await op.locator('#lesson-progress').scrollIntoViewIfNeeded();
    await op.getByText('Hai completato questa lezione.').waitFor();
    assert.equal(s.sql(`SELECT count(*) FROM lesson_progress WHERE lesson_id = ${lid} AND user_id = ${uid}`), '1');
    await b.check(op, 'lezione-automatica-completata');
    await b.go(op, `/corsi/${cid}`);
    assert.match(await op.locator('main').textContent(), /Hai completato 1 lezioni su 2 \(50%\)/);

    // A transcript: a disclosure whose hostile text stays text.
    await b.go(op, `/corsi/${cid}/lezioni/${lid2}`);
    const summary = op.getByText('Trascrizione del video «Intervista»');
    await summary.click();
    assert.match(await op.locator('details.portal-transcript').textContent(), /<script>window\.hacked = 1<\/script> Buongiorno a tutti\./);
    assert.equal(await op.evaluate(() => window.hacked), undefined, 'the transcript script did not run');
    await b.check(op, 'lezione-trascrizione');

    // A report the server refuses: a 5xx is tried again, a 4xx is not, and
    // the status line gives the server's own message.  The answers are
    // faked in the browser (the real server has no such state to reach);
    // Chromium logs each as a failed resource, excused for this lesson only.
    const lid3 = s.sql(`INSERT INTO lessons (module_id, position, title, body_md, body_html, duration_minutes, published, completion_mode)
      VALUES (${mid}, 3, 'Lezione rifiutata', '', ${lit(body)}, 10, true, 'auto') RETURNING id`);
    const viewsUrl = `${s.baseUrl}/api/v1/lessons/${lid3}/views`;
    const answers = [];
    const refusal = 'Il corso è stato ritirato: l\'avanzamento non viene registrato.';
    await op.route(viewsUrl, (route) => {
      answers.push(answers.length === 0 ? 503 : 409);
      const error = answers.length === 1 ? { code: 'unavailable', message: 'Riprova.' } : { code: 'conflict', message: refusal };
      return route.fulfill({ status: answers.at(-1), contentType: 'application/json', body: JSON.stringify({ error }) });
    });
    await b.excusing(/status of (503|409)/, async () => {
      await b.go(op, `/corsi/${cid}/lezioni/${lid3}`);
      await op.locator('#lesson-progress').scrollIntoViewIfNeeded();
      await op.locator('#lesson-progress').getByText(refusal).waitFor({ timeout: 10_000 });
      await op.waitForTimeout(5000);
    });
    assert.deepEqual(answers, [503, 409], 'the 503 was tried again, the 409 was not');
    await op.unroute(viewsUrl);
    assert.equal(s.sql(`SELECT count(*) FROM lesson_progress WHERE lesson_id = ${lid3}`), '0');

    // The editor with the video's fields and the completion choice.
    const fm = await b.page('formatore', { viewport });
    await b.login(fm, s.demo.formatore);
    await b.go(fm, `/gestione/lezioni/${lid2}`);
    assert.ok(await fm.getByLabel('Trascrizione (Markdown)').isVisible());
    assert.ok(await fm.getByLabel('Sottotitoli (URL WebVTT, https)').isVisible());
    await fm.locator('label[for="f-completion-auto"]').click();
    assert.ok(await fm.getByLabel(/^Automatico/).isChecked());
    await fm.getByLabel('Trascrizione (Markdown)').fill('Buongiorno a **tutti**.');
    await b.submit(fm, button(fm, 'Salva la lezione'), 200, 'Salva la lezione');
    assert.equal(s.sql(`SELECT completion_mode FROM lessons WHERE id = ${lid2}`), 'auto');
    assert.equal(s.sql(`SELECT transcript_html FROM lesson_videos WHERE lesson_id = ${lid2}`), '<p>Buongiorno a <strong>tutti</strong>.</p>');
    await b.check(fm, 'gestione-lezione-video');
  } finally {
    await closeAll(b, s);
  }
});

// Trainer authoring in Chromium: the lesson editor's live preview (typing
// updates the "Anteprima" pane through assets/js/lesson-preview.js and
// POST /api/v1/preview, debounced, with hostile Markdown inert and nothing
// saved), the course editor with module materials, the course page showing
// them to a signed-in member, and the delete confirmation page (refused
// and allowed).  axe-core on every page.
test('lesson live preview, materials and the delete confirmation', { timeout: 300_000 }, async () => {
  const s = await startStack();
  let b;
  try {
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
    b = await openBrowser(s, 'c3');

    const fm = await b.page('formatore');
    let previews = 0;
    fm.on('request', (req) => { if (req.url().endsWith('/api/v1/preview')) previews++; });
    await b.login(fm, s.demo.formatore);

    // The lesson editor: the pane starts with the saved rendering.
    await b.go(fm, `/gestione/lezioni/${lid}`);
    const pane = fm.getByRole('region', { name: 'Anteprima' });
    assert.equal(await pane.getAttribute('aria-live'), 'polite');
    assert.match(await pane.textContent(), /Testo iniziale\./);
    await b.check(fm, 'gestione-lezione-anteprima');
    const body = fm.getByLabel(/^Testo \(Markdown/);
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
    assert.equal(await fm.evaluate(() => window.hacked), undefined, 'nothing ran');
    // Typing is debounced: one request after a burst of keys.
    const before = previews;
    await body.press('End');
    await body.pressSequentially(' Aggiunta finale', { delay: 20 });
    await pane.getByText(/Aggiunta finale/).waitFor();
    assert.ok(previews - before >= 1 && previews - before <= 2, `${previews - before} preview requests for 16 keys`);
    assert.equal(s.sql(`SELECT body_md FROM lessons WHERE id = ${lid}`), 'Testo iniziale.', 'the preview saves nothing');
    await b.check(fm, 'gestione-lezione-anteprima-aggiornata');

    // The course editor with its materials, and the course page a member sees.
    await b.go(fm, `/gestione/corsi/${cid}`);
    assert.ok(await fm.getByRole('link', { name: 'Manuale operativo' }).isVisible());
    assert.ok(await button(fm, 'Crea una nuova edizione').isVisible());
    await b.check(fm, 'gestione-corso-materiali');
    await b.go(fm, `/corsi/${cid}`);
    assert.ok(await fm.getByRole('link', { name: 'Esercitazione guidata' }).isVisible());
    await b.check(fm, 'corso-materiali');

    // Delete: refused for a course with learners, confirmed for the other.
    await b.go(fm, `/gestione/corsi/${busy}/elimina`);
    assert.match(await fm.getByRole('alert').textContent(), /non può essere eliminato: ha 1 iscritto/);
    await b.check(fm, 'gestione-corso-elimina-rifiutata');
    await b.go(fm, `/gestione/corsi/${cid}`);
    await Promise.all([fm.waitForNavigation(), fm.getByRole('link', { name: 'Elimina il corso' }).click()]);
    assert.ok(await fm.getByRole('heading', { level: 1, name: 'Eliminare il corso «Corso da riscrivere»?' }).isVisible());
    await b.check(fm, 'gestione-corso-elimina');
    await b.submit(fm, button(fm, 'Elimina definitivamente il corso'), 200, 'Elimina definitivamente il corso');
    assert.match(fm.url(), /\/gestione\/corsi\?esito=eliminato$/);
    assert.match(await fm.getByRole('status').textContent(), /Corso eliminato\./);
    assert.equal(s.sql(`SELECT count(*) FROM courses WHERE id = ${cid}`), '0');
  } finally {
    await closeAll(b, s);
  }
});
