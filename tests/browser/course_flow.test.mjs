// The whole life of a course in the browser, as issue 3 tells it: a trainer
// creates a course with a module and a lesson with a YouTube video and
// publishes it; a learner enrols, finds the video embedded through
// youtube-nocookie.com, completes the lesson and sees 100 %.  axe-core on
// every page (tests/lib/browser.mjs), screenshots tests/browser/out/f-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/harness.mjs';
import { closeAll, openBrowser } from '../lib/browser.mjs';

const button = (page, name) => page.getByRole('button', { name, exact: true });

test('a trainer publishes a course with a video; a learner completes it', { timeout: 300_000 }, async () => {
  const s = await startStack();
  let b;
  try {
    b = await openBrowser(s, 'f');

    // ---- the trainer
    const fm = await b.page('formatore');
    await b.login(fm, s.demo.formatore);
    await b.go(fm, '/gestione/corsi');
    await fm.getByLabel('Titolo', { exact: true }).fill('Accoglienza dei nuovi utenti');
    await fm.getByLabel('Sommario').fill('Come registrare il primo colloquio in SIGeSS.');
    await b.submit(fm, button(fm, 'Crea il corso'), 200, 'create the course');
    const courseId = fm.url().match(/\/gestione\/corsi\/(\d+)/)[1];
    await fm.getByLabel('Titolo del modulo').fill('Segretariato sociale');
    await b.submit(fm, button(fm, 'Aggiungi il modulo'), 200, 'add the module');
    await fm.getByLabel('Titolo della lezione').fill('Il primo colloquio');
    await fm.getByLabel('Testo (Markdown)').fill('Si apre la **scheda della persona** e si registra il colloquio.');
    await fm.locator('label[for="f-lesson_published"]').click();
    assert.ok(await fm.isChecked('#f-lesson_published'), 'the lesson is published');
    await b.submit(fm, button(fm, 'Aggiungi la lezione'), 200, 'add the lesson');
    const lessonId = fm.url().match(/\/gestione\/lezioni\/(\d+)/)[1];
    await fm.getByLabel(/^Video tutorial/).fill('Il colloquio passo passo|https://www.youtube.com/watch?v=aqz-KE-bpKQ|4');
    await b.submit(fm, button(fm, 'Salva la lezione'), 200, 'save the video');
    await b.check(fm, 'lezione-con-video');
    await b.go(fm, `/gestione/corsi/${courseId}`);
    await b.submit(fm, button(fm, 'Pubblica il corso'), 200, 'publish');
    assert.ok(await button(fm, 'Ritira il corso (torna bozza)').isVisible(), 'published');
    await b.check(fm, 'corso-pubblicato');

    // ---- the learner
    const op = await b.page('operatore');
    await b.login(op, s.demo.operatore);
    await b.go(op, '/corsi');
    await op.getByRole('link', { name: 'Accoglienza dei nuovi utenti', exact: true }).click();
    await op.waitForURL(`**/corsi/${courseId}`);
    await b.submit(op, button(op, 'Iscriviti al corso'), 200, 'enrol');
    await b.check(op, 'corso-iscritta');
    // No network here: YouTube's player is stood in for by an empty page.
    await op.route('https://www.youtube-nocookie.com/**', (r) =>
      r.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Lettore</title>' }));
    await op.getByRole('link', { name: /^Riprendi/ }).click();
    await op.waitForURL(`**/corsi/${courseId}/lezioni/${lessonId}`);
    // The video is embedded without cookies, titled for screen readers, and
    // reachable with the keyboard (an iframe is a tab stop).
    const frame = op.locator('main iframe');
    assert.equal(await frame.getAttribute('src'), 'https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ');
    assert.equal(await frame.getAttribute('title'), 'Video: Il colloquio passo passo');
    assert.ok(await op.getByText('scheda della persona').isVisible());
    await b.check(op, 'lezione');
    await op.evaluate(() => document.querySelector('form[action$="/completa"] button').scrollIntoView());
    await b.submit(op, button(op, 'Segna come completata'), 200, 'complete');
    const main = await op.locator('main').textContent();
    assert.match(main, /Hai completato 1 lezioni su 1 \(100%\)/);
    assert.match(main, /Hai completato tutte le lezioni/);
    await b.check(op, 'corso-completato');
  } finally {
    await closeAll(b, s);
  }
});
