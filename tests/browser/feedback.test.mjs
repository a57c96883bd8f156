// Feedback forms in the browser, as issue 7 tells it: the demo referent
// fills in and submits the demo form of their organisation; a coordinator
// sees it in the dashboard, with its charts; axe-core (tests/lib/browser.mjs)
// on every page, charts included.  Screenshots: tests/browser/out/fb-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/harness.mjs';
import { closeAll, openBrowser } from '../lib/browser.mjs';

const button = (page, name) => page.getByRole('button', { name, exact: true });

test('a referent submits the demo form; a coordinator sees it charted', { timeout: 300_000 }, async () => {
  const s = await startStack();
  let b;
  try {
    const round = s.sql("SELECT id FROM feedback_rounds ORDER BY id LIMIT 1");
    assert.match(round, /^\d+$/, 'seed-demo made a round');
    const org = s.sql(`SELECT u.org_id FROM users u WHERE u.email = '${s.demo.referente.email}'`);
    assert.equal(s.sql(`SELECT count(*) FROM feedback_round_orgs WHERE round_id = ${round} AND org_id = ${org}`), '1',
      'the demo referent\'s organisation is asked');
    b = await openBrowser(s, 'fb');

    // ---- the referent fills in and submits
    const rf = await b.page('referente');
    await b.login(rf, s.demo.referente);
    await rf.getByRole('link', { name: 'Segnalazioni', exact: true }).click();
    await rf.waitForURL('**/segnalazioni');
    await b.check(rf, 'elenco-referente');
    await b.go(rf, `/segnalazioni/${round}/${org}`);
    await b.check(rf, 'scheda-vuota');
    const form = rf.locator('main form').filter({ has: button(rf, 'Invia la scheda') });
    // Every scale at 4 ("Molto"), the first gap, a number and the texts.
    const radios = await form.locator('input[type="radio"]').evaluateAll((els) => [...new Set(els.map((e) => e.name))]);
    assert.ok(radios.length >= 1, 'the form has scales');
    // Each answer is saved as it changes (assets/js/feedback.js), and a save
    // that ends writes a line under its answer, moving what follows: wait
    // for the saves in flight before the next click, as a person would see
    // the page settle, so no click lands on a control that just moved.
    const settled = () => rf.waitForFunction(
      () => !/in corso/.test(document.getElementById('feedback-status')?.textContent ?? ''));
    // Bootstrap Italia draws the control on the label: people click the label.
    const pick = async (input) => {
      await settled();
      await form.locator(`label[for="${await input.getAttribute('id')}"]`).click();
      assert.ok(await input.isChecked(), `${await input.getAttribute('id')} is chosen`);
    };
    for (const name of radios) await pick(form.locator(`input[type="radio"][name="${name}"][value="4"]`));
    await pick(form.locator('input[type="checkbox"]').first());
    await settled();
    await form.locator('input[type="number"]').first().fill('25');
    const areas = form.locator('textarea');
    for (let i = 0; i < await areas.count(); i++) {
      await settled();
      await areas.nth(i).fill(`Osservazione numero ${i + 1} del Municipio: servono esempi pratici.`);
    }
    // Leaving the last text saves it; the submission must not cut that save short.
    await areas.last().blur();
    await settled();
    await b.submit(rf, button(rf, 'Invia la scheda'), 200, 'submit the form');
    assert.equal(s.sql(`SELECT status FROM feedback_responses WHERE round_id = ${round} AND org_id = ${org}`), 'submitted');
    await b.check(rf, 'scheda-inviata');

    // ---- the coordinator sees it in the dashboard, with its charts
    const co = await b.page('coordinamento');
    await b.login(co, s.demo.coordinamento);
    await co.getByRole('link', { name: 'Segnalazioni', exact: true }).click();
    await co.waitForURL('**/gestione/segnalazioni');
    await b.check(co, 'rilevazioni');
    await co.locator(`main a[href="/gestione/segnalazioni/${round}"]`).click();
    await co.waitForURL(`**/gestione/segnalazioni/${round}`);
    const orgName = s.sql(`SELECT name FROM orgs WHERE id = ${org}`);
    const row = co.locator('#stato ~ table tbody tr').filter({ has: co.getByRole('rowheader', { name: orgName, exact: true }) });
    assert.match(await row.textContent(), /Inviata/);
    // The comprehension chart: an image named by its title and description, stating the figures.
    const chart = co.getByRole('img', { name: /Comprensione: media per modulo/ });
    assert.ok(await chart.count() >= 1, 'the comprehension chart is drawn');
    const desc = await chart.first().locator('desc').textContent();
    assert.match(desc, /4,0 su 5 \(1 risposta\)/, 'the chart states the referent\'s 4');
    assert.ok(await chart.first().isVisible());
    // Its data, behind a disclosure: opened, the table is there.
    const details = co.locator('details').filter({ hasText: 'Dati del grafico: media per modulo' }).first();
    await details.locator('summary').click();
    assert.match(await details.locator('table').textContent(), /4,00/);
    await b.check(co, 'cruscotto');

    // An action on a finding, then marked done.
    await co.getByLabel('Azione (ad esempio «Nuovo webinar sul modulo 2»)').fill('Webinar di approfondimento sul modulo 1');
    await co.getByLabel('Modulo a cui si riferisce (facoltativo)').selectOption({ index: 1 });
    await co.getByLabel('Oppure un nome (chi non ha un account)').fill('Formatrice esterna');
    await b.submit(co, button(co, "Aggiungi l'azione"), 200, 'add an action');
    assert.match(await co.locator('main .alert-success').textContent(), /Azione aggiunta\./);
    await b.submit(co, co.getByRole('button', { name: /^Segna come completata/ }).first(), 200, 'mark it done');
    assert.match(await co.locator('#azioni ~ .card').first().textContent(), /Completata il/);
    await b.check(co, 'azione-completata');

    // The exports answer (the browser would download them).
    const pdf = await co.request.get(`${s.baseUrl}/gestione/segnalazioni/${round}/report.pdf`);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    const csv = await co.request.get(`${s.baseUrl}/gestione/segnalazioni/${round}/csv/stato`);
    assert.equal(csv.status(), 200);

    // A trainer reads the dashboard without the forms.
    const fm = await b.page('formatore');
    await b.login(fm, s.demo.formatore);
    await b.go(fm, `/gestione/segnalazioni/${round}`);
    assert.equal(await button(fm, "Aggiungi l'azione").count(), 0);
    await b.check(fm, 'cruscotto-formatore');
  } finally {
    await closeAll(b, s);
  }
});
