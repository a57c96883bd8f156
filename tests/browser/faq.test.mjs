// The FAQ and the help desk's statistics in the browser: a visitor searches
// the FAQ, reads an answer and says it helped; a front-office agent opens
// the editor; coordination and a tutor look at the statistics (charts
// included).  axe-core on every page (tests/lib/browser.mjs), screenshots
// tests/browser/out/faq-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/harness.mjs';
import { closeAll, openBrowser } from '../lib/browser.mjs';

const button = (page, name) => page.getByRole('button', { name, exact: true });

test('FAQ search and vote; the help desk statistics for coordination and a tutor', { timeout: 300_000 }, async () => {
  const s = await startStack();
  let b;
  try {
    b = await openBrowser(s, 'faq');

    // ---- a visitor searches, reads, votes
    const v = await b.page('visitor');
    await b.go(v, '/faq');
    await b.check(v, 'elenco');
    const entry = s.sql("SELECT id || '|' || question FROM faq_entries WHERE published ORDER BY id LIMIT 1");
    const [id, question] = entry.split('|');
    assert.ok(id, 'the demo content has a published FAQ entry');
    // A word of the question, typed as a person would, finds it.
    const word = question.split(/\s+/).filter((w) => w.length > 6)[0].replace(/[^\p{L}]/gu, '');
    await v.getByLabel('Cerca nelle domande e nelle risposte').fill(word);
    await b.submit(v, button(v, 'Cerca'), 200, 'search the FAQ');
    assert.match(await v.locator('main').textContent(), new RegExp(question.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await b.check(v, 'ricerca');
    await b.go(v, `/faq/${id}`);
    await b.check(v, 'voce');
    const yes = () => Number(s.sql(`SELECT count(*) FROM faq_votes WHERE faq_id = ${id} AND useful`));
    const before = yes();
    await b.submit(v, button(v, 'Sì, mi è stata utile'), 200, 'vote useful');
    assert.equal(yes(), before + 1, 'the vote is counted');
    await b.check(v, 'voto');

    // ---- a front-office agent opens the editor
    const h = await b.page('helpdesk1');
    await b.login(h, s.demo.helpdesk1);
    await b.go(h, '/gestione/faq/nuova');
    await b.check(h, 'nuova');
    await b.go(h, `/gestione/faq/${id}`);
    await b.check(h, 'modifica');

    // ---- statistics: coordination sees every organisation, with charts
    const c = await b.page('coordinamento');
    await b.login(c, s.demo.coordinamento);
    await b.go(c, '/gestione/assistenza/statistiche');
    assert.ok(await c.locator('main svg[role="img"]').count() > 0, 'the statistics page draws its charts');
    await b.check(c, 'statistiche');

    // ---- a tutor sees the same page for their organisation only
    const t = await b.page('tutor');
    await b.login(t, s.demo.tutor);
    await b.go(t, '/gestione/assistenza/statistiche');
    await b.check(t, 'statistiche-tutor');
  } finally {
    await closeAll(b, s);
  }
});
