// News and events in the browser: a trainer writes a post and an event, a
// visitor reads them, registers, and cancels through the emailed link; the
// trainer sees the registrations.  axe-core on every page
// (tests/lib/browser.mjs), screenshots tests/browser/out/n-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/harness.mjs';
import { closeAll, openBrowser } from '../lib/browser.mjs';

const button = (page, name) => page.getByRole('button', { name, exact: true });

test('a trainer publishes a post and an event; a visitor reads, registers and cancels', { timeout: 300_000 }, async () => {
  const s = await startStack();
  let b;
  try {
    b = await openBrowser(s, 'n');
    const fm = await b.page('formatore');
    await b.login(fm, s.demo.formatore);

    // ---- a post
    await b.go(fm, '/gestione/notizie');
    await b.check(fm, 'gestione-notizie');
    await b.go(fm, '/gestione/notizie/nuova');
    await b.check(fm, 'nuova-notizia');
    await b.submit(fm, button(fm, 'Salva la notizia'), 400, 'post without a title');
    assert.match(await fm.locator('#e-title').textContent(), /obbligatorio/);
    await b.check(fm, 'nuova-notizia-errore');
    await fm.getByLabel('Titolo', { exact: true }).fill('Aperte le iscrizioni al secondo ciclo');
    await fm.getByLabel('Testo (Markdown)').fill('Il **secondo ciclo** verifica il livello di autonomia di ogni operatore.');
    await fm.getByLabel(/Immagine di copertina/).selectOption({ label: 'Logo (PNG)' });
    await b.submit(fm, button(fm, 'Salva la notizia'), 200, 'publish the post');
    assert.match(fm.url(), /\/notizie\/\d+\?esito=pubblicata$/);
    await b.check(fm, 'notizia-pubblicata');

    // ---- an event with one seat
    await b.go(fm, '/gestione/eventi/nuovo');
    await b.check(fm, 'nuovo-evento');
    await fm.getByLabel('Titolo', { exact: true }).fill('Seminario sul debito informativo SIUSS');
    await fm.getByLabel('Tipo di evento').selectOption('seminario');
    await fm.getByLabel('Inizio (ora italiana)').fill('2030-03-12T09:30');
    await fm.getByLabel('Fine (ora italiana)').fill('2030-03-12T09:00');
    await fm.getByLabel(/^Luogo/).fill('Sant\'Antonio Abate, sala consiliare');
    await fm.getByLabel(/^Posti disponibili/).fill('1');
    await b.submit(fm, button(fm, "Pubblica l'evento"), 400, 'end before start');
    assert.match(await fm.locator('#e-ends_at').textContent(), /dopo l'inizio/);
    await b.check(fm, 'nuovo-evento-errore');
    await fm.getByLabel('Fine (ora italiana)').fill('2030-03-12T13:00');
    await b.submit(fm, button(fm, "Pubblica l'evento"), 200, 'publish the event');
    const id = fm.url().match(/\/eventi\/(\d+)\?esito=creato$/)?.[1];
    assert.ok(id, fm.url());
    await b.check(fm, 'evento-formatore');

    // ---- a visitor
    const vis = await b.page('visitor');
    await b.go(vis, '/notizie');
    await b.check(vis, 'notizie');
    await vis.getByRole('link', { name: 'Aperte le iscrizioni al secondo ciclo' }).click();
    await b.check(vis, 'notizia');
    await b.go(vis, '/eventi');
    await b.check(vis, 'eventi');
    await b.go(vis, `/eventi/${id}`);
    await b.check(vis, 'evento');
    await vis.getByLabel('Nome e cognome').fill('Lucia Esposito');
    await vis.getByLabel('Email').fill('lucia.esposito@example.it');
    await b.submit(vis, button(vis, 'Iscriviti'), 200, 'register');
    await b.check(vis, 'iscrizione-ricevuta');
    const mail = await s.waitMail('lucia.esposito@example.it', /Iscrizione confermata/);
    const link = mail.text.match(/http:\/\/[^\s]+\/eventi\/annulla\?token=[A-Za-z0-9_-]+/)[0];

    // A second visitor goes on the waiting list.
    const vis2 = await b.page('visitor2');
    await b.go(vis2, `/eventi/${id}`);
    assert.match(await vis2.locator('main').textContent(), /esauriti/);
    await vis2.getByLabel('Nome e cognome').fill('Paolo Russo');
    await vis2.getByLabel('Email').fill('paolo.russo@example.it');
    await vis2.getByLabel(/^Ente/).fill('Comune di Agerola');
    await b.submit(vis2, button(vis2, 'Iscriviti'), 200, 'register on the waiting list');
    await s.waitMail('paolo.russo@example.it', /lista d'attesa/);

    // The trainer's list.
    await b.go(fm, `/gestione/eventi/${id}/iscritti`);
    await b.check(fm, 'iscritti');
    assert.match(await fm.locator('main table').textContent(), /Paolo Russo.*in attesa/s);
    await b.go(fm, '/gestione/eventi');
    await b.check(fm, 'gestione-eventi');

    // The cancel link asks first.
    await b.go(vis, link.slice(s.baseUrl.length));
    await b.check(vis, 'annulla');
    await b.submit(vis, button(vis, "Annulla l'iscrizione"), 200, 'cancel');
    await b.check(vis, 'annullata');
    await s.waitMail('paolo.russo@example.it', /Posto confermato/);
    await b.go(vis, link.slice(s.baseUrl.length), 404);
    await b.check(vis, 'link-usato');
  } finally {
    if (s.portal.exitCode !== null) console.log(s.log.join("").slice(-4000));
    await closeAll(b, s);
  }
});
