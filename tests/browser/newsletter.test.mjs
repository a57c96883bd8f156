// Email updates in the browser: a visitor subscribes through the form,
// confirms with the emailed link, changes her topics; a coordinator writes
// a campaign, sends it, and the visitor receives it.  axe-core on every
// page (tests/lib/browser.mjs), screenshots tests/browser/out/nl-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/harness.mjs';
import { closeAll, openBrowser } from '../lib/browser.mjs';

const button = (page, name) => page.getByRole('button', { name, exact: true });
// Bootstrap Italia draws checkboxes under their labels: a person clicks the label.
async function tick(page, label, on = true) {
  const box = page.getByLabel(label, { exact: typeof label === 'string' });
  if ((await box.isChecked()) !== on) await page.locator(`label[for="${await box.getAttribute('id')}"]`).click();
  assert.equal(await box.isChecked(), on, `${label} ${on ? 'checked' : 'unchecked'}`);
}

// The link to path in the text part of mail m.
function linkIn(s, m, path) {
  const url = m.text.match(new RegExp(`${s.baseUrl.replace(/[.]/g, '\\.')}${path}\\?[^\\s]+`))?.[0];
  assert.ok(url, `a link to ${path} in "${m.subject}"`);
  return url.slice(s.baseUrl.length);
}

test('a visitor subscribes and confirms; a coordinator sends her a campaign', { timeout: 300_000 }, async () => {
  const s = await startStack();
  let b;
  const email = `lucia.ferri.${Date.now()}@comune.example.it`;
  try {
    b = await openBrowser(s, 'nl');

    // ---- the visitor subscribes
    const v = await b.page('visitor');
    await b.go(v, '/newsletter');
    await b.check(v, 'modulo');
    // Without consent the form comes back with the error, what was typed kept.
    await v.getByLabel('Indirizzo email').fill(email);
    await v.getByLabel('Nome e cognome').fill('Lucia Ferri');
    await b.submit(v, button(v, 'Iscriviti'), 400, 'subscribe without consent');
    assert.match(await v.locator('main').textContent(), /Il campo «Consenso» è obbligatorio\./);
    assert.equal(await v.getByLabel('Indirizzo email').inputValue(), email);
    await b.check(v, 'modulo-errori');
    await tick(v, 'Documenti');
    await tick(v, 'Ho letto il testo qui sopra e do il mio consenso');
    await b.submit(v, button(v, 'Iscriviti'), 200, 'subscribe');
    assert.match(await v.locator('main .alert-success').textContent(), /segui il collegamento/);
    assert.equal(s.sql(`SELECT status FROM subscribers WHERE email = '${email}'`), 'pending');

    // ---- the emailed link: the page asks, the button confirms
    const confirm = await s.waitMail(email, /Conferma l'iscrizione/);
    await b.go(v, linkIn(s, confirm, '/newsletter/confirm'));
    await b.check(v, 'conferma');
    assert.equal(s.sql(`SELECT status FROM subscribers WHERE email = '${email}'`), 'pending', 'a GET confirms nothing');
    await b.submit(v, button(v, "Conferma l'iscrizione"), 200, 'confirm');
    assert.equal(await v.locator('main h1').textContent(), 'Iscrizione confermata');
    assert.equal(s.sql(`SELECT status FROM subscribers WHERE email = '${email}'`), 'active');

    // ---- preferences: weekly is kept, topics change
    await v.getByRole('link', { name: 'Gestisci argomenti e frequenza' }).click();
    await v.waitForLoadState();
    await b.check(v, 'preferenze');
    await tick(v, 'Eventi', false);
    await tick(v, 'Corsi');
    await b.submit(v, button(v, 'Salva le preferenze'), 200, 'save preferences');
    assert.equal(await v.locator('main .alert-success').textContent(), 'Preferenze salvate.');
    assert.equal(s.sql(`SELECT string_agg(topic, ',' ORDER BY topic) FROM subscriber_topics t
                        JOIN subscribers s ON s.id = t.subscriber_id WHERE s.email = '${email}'`),
                 'courses,documents,news');

    // ---- the coordinator writes and sends a campaign to the documents topic
    const c = await b.page('coordinamento');
    await b.login(c, s.demo.coordinamento);
    await b.go(c, '/gestione/newsletter');
    await b.check(c, 'gestione');
    await b.go(c, '/gestione/campagne');
    await b.check(c, 'campagne');
    await b.go(c, '/gestione/campagne/nuova');
    await b.check(c, 'nuova');
    await c.getByLabel('Oggetto').fill('Nuove linee guida per le segnalazioni');
    await c.getByLabel('Testo (Markdown)').fill('Sono disponibili le **nuove linee guida**.\n\n- leggile\n- commentale');
    await tick(c, /^Documenti \(/);
    await b.submit(c, button(c, "Salva e mostra l'anteprima"), 200, 'save the campaign');
    assert.equal(await c.locator('main .alert-success').textContent(), 'Campagna salvata.');
    assert.equal(await c.locator('main .card strong').textContent(), 'nuove linee guida');
    await b.check(c, 'anteprima');
    await b.submit(c, button(c, `Invia una prova a ${s.demo.coordinamento.email}`), 200, 'send a test');
    await s.waitMail(s.demo.coordinamento.email, /^\[Prova\] Nuove linee guida/);
    await b.submit(c, button(c, 'Invia ora'), 200, 'send');
    assert.match(await c.locator('main').textContent(), /Campagna in invio/);
    await b.check(c, 'in-invio');

    const got = await s.waitMail(email, /^Nuove linee guida per le segnalazioni$/);
    assert.match(got.text, /nuove linee guida/);
    assert.match(got.headers['list-unsubscribe'], /<http:\/\/127\.0\.0\.1:\d+\/newsletter\/unsubscribe\?token=[^>]+>, <mailto:/);
    assert.equal(got.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');

    // ---- the visitor leaves through the message's link
    await b.go(v, linkIn(s, got, '/newsletter/unsubscribe'));
    await b.check(v, 'disiscrizione');
    await b.submit(v, button(v, "Annulla l'iscrizione"), 200, 'unsubscribe');
    assert.equal(await v.locator('main h1').textContent(), 'Iscrizione annullata');
    assert.equal(s.sql(`SELECT status FROM subscribers WHERE email = '${email}'`), 'unsubscribed');
    // The campaign page counts her withdrawal.
    const id = s.sql("SELECT id FROM campaigns WHERE subject = 'Nuove linee guida per le segnalazioni'");
    await b.go(c, `/gestione/campagne/${id}`);
    assert.equal(await c.locator('main table tbody td').last().textContent(), '1');
    assert.equal(s.sql(`SELECT count(*) FROM consent_events WHERE campaign_id = ${id} AND action = 'withdrawn'`), '1');
    await b.check(c, 'campagna-inviata');

    // ---- a member subscribes from the profile
    const m = await b.page('operatore');
    await b.login(m, s.demo.operatore);
    await b.go(m, '/profilo/aggiornamenti');
    await b.check(m, 'profilo');
    await tick(m, 'Ho letto il testo qui sopra e do il mio consenso');
    await b.submit(m, button(m, 'Iscriviti'), 200, 'member subscribes');
    assert.match(await m.locator('main .alert-success').textContent(), /già attiva/);
    assert.equal(s.sql(`SELECT status FROM subscribers WHERE email = '${s.demo.operatore.email}'`), 'active');
  } finally {
    await closeAll(b, s);
  }
});
