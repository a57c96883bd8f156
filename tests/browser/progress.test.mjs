// Browser walk through progress and enrolment of many: coordination filters
// the progress table and finds the CSV link; a referent sees their own
// organisation; a trainer enrols an organisation and sends a list with an
// unknown address (the form shows the error beside the field).  axe-core on
// every page, no console error, screenshots in tests/browser/out/p-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/harness.mjs';
import { closeAll, openBrowser } from '../lib/browser.mjs';

test('progress and enrolment pages: accessible and working', { timeout: 300_000 }, async () => {
  const s = await startStack();
  let b;
  try {
    b = await openBrowser(s, 'p');
    const demo = s.sql("SELECT id FROM courses WHERE slug = 'sigess-uso-della-piattaforma'");

    // ---- coordination: the whole table, then one course and its cohort.
    const co = await b.page('coordinamento');
    await b.login(co, s.demo.coordinamento);
    await b.go(co, '/avanzamento');
    assert.equal(await co.locator('nav a[aria-current="page"]').textContent(), 'Avanzamento');
    await b.check(co, 'avanzamento');
    await co.selectOption('#f-corso', demo);
    await b.submit(co, co.getByRole('button', { name: 'Filtra' }), 200, 'filter by course');
    assert.match(co.url(), new RegExp(`corso=${demo}`));
    await co.selectOption('#f-classe', { index: 1 });
    await b.submit(co, co.getByRole('button', { name: 'Filtra' }), 200, 'filter by cohort');
    const rows = co.locator('table tbody tr');
    assert.equal(await rows.count(), 2, 'the demo cohort: operatore and referente');
    assert.match(await rows.first().textContent(), /Classe pilota/);
    const csv = await co.getByRole('link', { name: 'Scarica in formato CSV' }).getAttribute('href');
    assert.match(csv, new RegExp(`^/avanzamento\\.csv\\?corso=${demo}&classe=\\d+$`));
    await b.check(co, 'avanzamento-classe');

    // ---- a referent: their organisation only, no organisation filter.
    const ref = await b.page('referente');
    await b.login(ref, s.demo.referente);
    await b.go(ref, '/avanzamento');
    assert.equal(await ref.locator('#f-ente').count(), 0, 'no organisation filter for a referent');
    assert.match(await ref.locator('main').textContent(), /delle persone del tuo ente/);
    await b.check(ref, 'avanzamento-referente');

    // ---- a trainer enrols an organisation, then a list with a typo.
    const fm = await b.page('formatore');
    await b.login(fm, s.demo.formatore);
    await b.go(fm, `/gestione/corsi/${demo}`);
    await fm.getByRole('link', { name: 'Iscrizioni', exact: true }).click();
    await fm.waitForURL(`**/gestione/corsi/${demo}/iscrizioni`);
    await b.check(fm, 'iscrizioni');
    await fm.selectOption('#f-ente', { label: 'Comune di Orvieto' });
    await b.submit(fm, fm.getByRole('button', { name: "Iscrivi l'ente" }), 200, 'enrol an organisation');
    assert.match(await fm.locator('[role="status"]').first().textContent(), /iscritt/);
    await fm.locator('#f-emails').fill(`${s.demo.tutor.email}\nnessuno@example.it`);
    await b.submit(fm, fm.getByRole('button', { name: 'Iscrivi le persone' }), 400, 'unknown address');
    assert.equal(await fm.locator('#f-emails').getAttribute('aria-invalid'), 'true');
    assert.match(await fm.locator('#e-emails').textContent(), /nessuno@example\.it/);
    await b.check(fm, 'iscrizioni-errore');
  } finally {
    await closeAll(b, s);
  }
});
