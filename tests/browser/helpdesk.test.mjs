// The help desk in the browser, as the issue tells it: an operator opens a
// ticket from "Serve aiuto?" (after a look at the FAQ), the tutor of their
// organisation passes it to the front office with a note, level 1 answers
// and resolves it, the operator reads the answer (not the internal note)
// and rates it.  axe-core on every page (tests/lib/browser.mjs);
// screenshots tests/browser/out/h-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/harness.mjs';
import { closeAll, openBrowser } from '../lib/browser.mjs';

const button = (page, name) => page.getByRole('button', { name, exact: true });

test('an operator opens a ticket, a tutor escalates it, level 1 answers, the operator rates it', { timeout: 300_000 }, async () => {
  const s = await startStack();
  let b;
  try {
    b = await openBrowser(s, 'h');
    const subject = 'Non trovo il pulsante per stampare il PAI';
    const note = 'Ho provato anche io dal mio account: il pulsante non c\'è. Serve il front office.';
    const answer = 'Il pulsante **Stampa** è nel menu «Azioni» della cartella sociale, in alto a destra.';

    // ---- the operator, from the documents page
    const op = await b.page('operatore');
    await b.login(op, s.demo.operatore);
    await b.go(op, '/documenti');
    await Promise.all([op.waitForNavigation(), op.getByRole('link', { name: 'Serve aiuto?' }).click()]);
    assert.match(op.url(), /\/assistenza\/nuova\?da=\/documenti$/);
    await b.check(op, 'nuova');
    await op.getByLabel('Di che cosa si tratta?').selectOption('platform');
    await op.getByLabel('Oggetto').fill(subject);
    await op.getByLabel('Descrizione (puoi usare il Markdown)').fill('Nella cartella sociale non vedo come **stampare** il PAI.');
    // Without JavaScript: the FAQ search re-renders the form, what was typed kept.
    await b.submit(op, button(op, 'Cerca nelle FAQ'), 200, 'search the FAQ');
    assert.ok(await op.getByRole('heading', { name: 'Risposte che potrebbero aiutarti' }).isVisible());
    assert.equal(await op.getByLabel('Oggetto').inputValue(), subject);
    await b.check(op, 'nuova-faq');
    // Sent without a subject: the error is tied to its field.
    await op.getByLabel('Oggetto').fill('');
    await b.submit(op, button(op, 'Invia la segnalazione'), 400, 'send without a subject');
    assert.match(await op.locator('#e-subject').textContent(), /oggetto/i);
    await b.check(op, 'nuova-errore');
    await op.getByLabel('Oggetto').fill(subject);
    await b.submit(op, button(op, 'Invia la segnalazione'), 200, 'send the ticket');
    const id = op.url().match(/\/assistenza\/(\d+)\?esito=inviata$/)?.[1];
    assert.ok(id, `the ticket's page, not ${op.url()}`);
    assert.match(await op.locator('main .alert-success').textContent(), /Segnalazione inviata/);
    assert.match(await op.locator('main').textContent(), /Tutor dell'ente/);
    await b.check(op, 'segnalazione');
    await b.go(op, '/assistenza');
    assert.ok(await op.getByRole('link', { name: subject }).isVisible());
    await b.check(op, 'mie');

    // ---- the tutor of Municipio I passes it to the front office
    const tu = await b.page('tutor');
    await b.login(tu, s.demo.tutor);
    await b.go(tu, '/assistenza/coda');
    await b.check(tu, 'coda-tutor');
    await Promise.all([tu.waitForNavigation(), tu.getByRole('link', { name: subject }).click()]);
    await b.check(tu, 'tutor-segnalazione');
    // The note is required: nothing moves without it.
    await b.submit(tu, button(tu, 'Passa al front office'), 400, 'hand over without a note');
    assert.match(await tu.locator('main .alert-danger').textContent(), /nota/i);
    await tu.getByLabel(/Nota per chi la riceve/).fill(note);
    await b.submit(tu, button(tu, 'Passa al front office'), 200, 'hand over to level 1');
    assert.match(tu.url(), /\/assistenza\/coda\?esito=passata$/);
    await b.check(tu, 'passata');

    // ---- level 1 reads the note, takes it, answers and resolves
    const h1 = await b.page('helpdesk1');
    await b.login(h1, s.demo.helpdesk1);
    await b.go(h1, '/assistenza/coda?livello=1&filtro=non_assegnate');
    await b.check(h1, 'coda-livello1');
    await Promise.all([h1.waitForNavigation(), h1.getByRole('link', { name: subject }).click()]);
    assert.match(await h1.locator('main').textContent(), /Serve il front office/, 'the hand-over note');
    await b.submit(h1, button(h1, 'Prendi in carico'), 200, 'take it');
    await h1.getByLabel('Messaggio (Markdown)').fill(answer);
    await h1.getByLabel('Nuovo stato').selectOption('risolto');
    await b.submit(h1, button(h1, 'Invia'), 200, 'answer and resolve');
    assert.match(await h1.locator('main').textContent(), /Risolta/);
    await b.check(h1, 'risposta');

    // ---- the operator sees the answer, not the note, and rates it
    await b.go(op, `/assistenza/${id}`);
    const main = await op.locator('main').textContent();
    assert.match(main, /menu «Azioni»/);
    assert.match(main, /Front office/);
    assert.ok(!main.includes('Serve il front office'), 'no hand-over note for the reporter');
    await b.check(op, 'risolta');
    await op.locator('label[for="f-rating-5"]').click();
    assert.ok(await op.getByLabel('5 – ottima').isChecked());
    await op.getByLabel('Commento (facoltativo)').fill('Chiaro e veloce.');
    await b.submit(op, button(op, 'Invia la valutazione'), 200, 'rate it');
    assert.match(await op.locator('main').textContent(), /La tua valutazione: 5 su 5/);
    await b.check(op, 'valutata');
    // Mail reached the operator: the answer, and the status.
    const mail = await s.waitMail(s.demo.operatore.email, new RegExp(`Segnalazione n\\. ${id}: nuova risposta`));
    assert.match(mail.text, /menu «Azioni»/);
    assert.ok(!mail.text.includes('Serve il front office'));

    // ---- coordination: canned replies
    const co = await b.page('coordinamento');
    await b.login(co, s.demo.coordinamento);
    await b.go(co, '/assistenza/risposte');
    await b.check(co, 'risposte');
    await b.go(co, `/assistenza/${id}`);
    await b.check(co, 'coordinamento-segnalazione');
  } finally {
    await closeAll(b, s);
  }
});
