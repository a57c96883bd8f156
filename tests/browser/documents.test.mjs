// The document area in the browser, as the issue tells it: a trainer uploads
// a PDF, a member finds it by a word of its description and downloads it,
// byte for byte; a visitor is told it does not exist.  axe-core on every
// page of the area (tests/lib/browser.mjs), screenshots tests/browser/out/d-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomInt } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ASSETS, startStack } from '../lib/harness.mjs';
import { closeAll, openBrowser } from '../lib/browser.mjs';

const button = (page, name) => page.getByRole('button', { name, exact: true });
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

test('a trainer uploads a PDF; a member finds it by a word and downloads it', { timeout: 300_000 }, async () => {
  // The upload carries a name of its own, not the kit's.
  const tmp = mkdtempSync(join(tmpdir(), 'portal-docs-'));
  const pdf = join(tmp, 'relazione-pilota.pdf');
  copyFileSync(join(ASSETS, 'kit/brochure.pdf'), pdf);
  const pdfHash = sha256(readFileSync(pdf));
  // Letters only: a word the full-text search keeps whole, found in no other document.
  const word = 'zibaldone' + Array.from({ length: 8 }, () => String.fromCharCode(97 + randomInt(26))).join('');
  const title = 'Relazione sul progetto pilota';

  const s = await startStack();
  let b;
  try {
    b = await openBrowser(s, 'd');

    // ---- the trainer uploads
    const fm = await b.page('formatore');
    await b.login(fm, s.demo.formatore);
    await b.go(fm, '/documenti');
    await b.check(fm, 'documenti-formatore');
    await b.go(fm, '/documenti/nuovo');
    await b.check(fm, 'nuovo');

    // Without a file the form comes back with the error, what was typed kept.
    await fm.getByLabel('Titolo', { exact: true }).fill(title);
    await b.submit(fm, button(fm, 'Carica il documento'), 400, 'upload without a file');
    assert.match(await fm.locator('main').textContent(), /Scegli il file da caricare\./);
    assert.equal(await fm.getByLabel('Titolo', { exact: true }).inputValue(), title);
    await b.check(fm, 'nuovo-senza-file');

    await fm.locator('#f-file').setInputFiles(pdf);
    await fm.getByLabel('Titolo', { exact: true }).fill(title);
    await fm.getByLabel('Descrizione (Markdown)').fill(
      `Esiti della sperimentazione nei tre ambiti pilota; in appendice lo ${word} delle osservazioni degli operatori.`);
    await fm.getByLabel('Tutti gli utenti registrati', { exact: true }).check();
    await b.submit(fm, button(fm, 'Carica il documento'), 200, 'upload the PDF');
    const id = fm.url().match(/\/documenti\/(\d+)\?esito=caricato$/)?.[1];
    assert.ok(id, `the upload lands on the document's page, not ${fm.url()}`);
    assert.equal(await fm.locator('main .alert-success').textContent(), 'Documento caricato.');
    assert.equal(await fm.locator('main h1').textContent(), title);
    const fmMain = await fm.locator('main').textContent();
    assert.match(fmMain, /relazione-pilota\.pdf/);
    assert.match(fmMain, /Tutti gli utenti registrati/);
    assert.ok(await fm.getByRole('heading', { name: 'Carica una nuova versione' }).isVisible(), 'editor sees the version form');
    assert.equal(await fm.locator('main table tbody tr').count(), 1, 'one version');
    await b.check(fm, 'documento-formatore');

    // ---- a member finds it by the word and downloads it
    const op = await b.page('operatore');
    await b.login(op, s.demo.operatore);
    await b.go(op, '/documenti');
    await b.check(op, 'documenti-operatore');
    await op.locator('#f-q').fill(word);
    await b.submit(op, op.locator('main form[role="search"] button[type="submit"]'), 200, 'search the word');
    assert.equal(await op.locator('main h1').textContent(), 'Ricerca nei documenti');
    assert.match(await op.locator('main').textContent(), /1 documento trovato\./);
    const hit = op.locator('main li').filter({ has: op.getByRole('link', { name: title, exact: true }) });
    assert.equal(await hit.count(), 1, 'the document is among the results');
    assert.equal((await hit.locator('mark').first().textContent()).toLowerCase(), word, 'the word is highlighted');
    await b.check(op, 'ricerca');
    await hit.getByRole('link', { name: title, exact: true }).click();
    await op.waitForURL(`**/documenti/${id}`);
    assert.equal(await op.getByRole('heading', { name: 'Carica una nuova versione' }).count(), 0,
      'a member sees no editor forms');
    await b.check(op, 'documento-operatore');

    // The PDF is shown inline, so the bytes are fetched with the member's cookies.
    const href = await op.getByRole('link', { name: /^Scarica il documento/ }).getAttribute('href');
    assert.equal(href, `/documents/${id}/download`);
    const dl = await op.request.get(s.baseUrl + href);
    assert.equal(dl.status(), 200);
    assert.equal(dl.headers()['content-type'], 'application/pdf');
    assert.match(dl.headers()['content-disposition'] ?? '', /relazione-pilota\.pdf/);
    assert.equal(sha256(await dl.body()), pdfHash, 'the member downloads the file uploaded');

    await b.go(op, '/kit');
    await b.check(op, 'kit');

    // ---- a visitor: the document is for members only
    const vis = await b.page('visitor');
    await b.go(vis, `/documenti/${id}`, 404);
    assert.equal((await vis.request.get(s.baseUrl + href)).status(), 404, 'nor is the file served');

    // ---- the trainer bins it; the admin finds it in the bin
    await b.go(fm, `/documenti/${id}`);
    await b.submit(fm, button(fm, 'Sposta nel cestino'), 200, 'move to the bin');
    const adm = await b.page('admin');
    await b.login(adm, s.demo.admin);
    await b.go(adm, '/documenti/cestino');
    assert.ok(await adm.getByRole('link', { name: title, exact: true }).isVisible(), 'the document is in the bin');
    await b.check(adm, 'cestino');
  } finally {
    try {
      await closeAll(b, s);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
});
