// The reserved document area (content/document*.c, portal/blob.c and the
// upload path of portal/http.c): who sees what (organisations with their
// sub-organisations, roles, visitors) through every channel, uploads that
// must be refused without storing a byte, a 300 MB round trip in bounded
// memory, versions, downloads (ETag, ranges, the download log), Italian
// full-text search, the bin, PATCH validation and the communication kit.
// Real stacks (tests/lib/harness.mjs); stored rows are checked as well as
// the answers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { ASSETS, startStack } from '../lib/harness.mjs';
import { apiLogin, bearer, createUser, eventually, lit, orgId, tokenFor, uniq } from './util.mjs';

const MiB = 1024 * 1024;
const BOUNDARY = 'docsTestBoundary4f9a2c';

let s, tok, adminC, trainerC, opC, refC, umbriaC, agerolaC, opUser;
before(async () => {
  s = await startStack();
  tok = { formatore: tokenFor(s, s.demo.formatore.email), admin: tokenFor(s, s.demo.admin.email) };
  const login = (role) => apiLogin(s, s.demo[role].email, s.demo[role].password);
  [adminC, trainerC, opC, refC] = await Promise.all(['admin', 'formatore', 'operatore', 'referente'].map(login));
  // A member of "Regione Umbria" (organisation A) and one of "Comune di
  // Agerola", a sub-organisation of the Ambito (organisation B).
  const member = async (org) => {
    const u = await createUser(s, tok.admin, { org_id: orgId(s, org), roles: ['operatore'] });
    return apiLogin(s, u.email, u.password);
  };
  umbriaC = await member('Regione Umbria');
  agerolaC = await member('Comune di Agerola');
  opUser = Number(s.sql(`SELECT id FROM users WHERE email = ${lit(s.demo.operatore.email)}`));
});
after(async () => { await s?.stop(); });

// ---- helpers ----

// Random-ish bytes libmagic calls a PDF.
const pdf = (n = 300) => Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(n)]);
const sha = (b) => createHash('sha256').update(b).digest('hex');

// A multipart body built by hand: [name, value] pairs, a file as
// [name, { filename, data }] (the filename, a string or bytes, goes out as it is).
function multipart(parts, { end = true } = {}) {
  const out = [];
  for (const [name, v] of parts) {
    if (v !== null && typeof v === 'object') {
      out.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="`),
        Buffer.from(v.filename), Buffer.from(`"\r\nContent-Type: ${v.type ?? 'application/octet-stream'}\r\n\r\n`),
        Buffer.from(v.data), Buffer.from('\r\n'));
    } else {
      out.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`));
    }
  }
  if (end) out.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(out);
}

// A request as `who`: a bearer token (string), a cookie session (Client), or a visitor (null).
async function send(who, method, path, { body, type, headers = {}, st = s } = {}) {
  const h = { ...headers };
  if (typeof who === 'string') h.authorization = `Bearer ${who}`;
  else if (who) h.cookie = who.cookieHeader();
  if (body !== undefined) h['content-type'] = type ?? `multipart/form-data; boundary=${BOUNDARY}`;
  const res = await fetch(st.baseUrl + path, { method, headers: h, body, redirect: 'manual' });
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  return { status: res.status, headers: res.headers, bytes, text, json: () => JSON.parse(text) };
}
const get = (who, path, headers) => send(who, 'GET', path, { headers });
// An API call with a cookie session's CSRF token.
const api = (c, method, path, json) => send(c, method, path, {
  body: json === undefined ? undefined : JSON.stringify(json), type: 'application/json',
  headers: { 'x-csrf-token': c.csrfToken },
});
// A form post with the token of the form whose action is `action` on page `page`.
async function formPost(c, page, action) {
  const html = (await get(c, page)).text;
  const re = new RegExp(`action="${action}"[^>]*>\\s*<input type="hidden" name="csrf_token" value="([^"]+)"`);
  const m = html.match(re);
  assert.ok(m, `a form for ${action} on ${page}`);
  return send(c, 'POST', action, { body: `csrf_token=${m[1]}`, type: 'application/x-www-form-urlencoded' });
}

// Uploads a new document (fields: object, arrays repeat a field) as the trainer's token.
function docParts(fields, file) {
  const parts = [];
  for (const [k, v] of Object.entries(fields)) for (const x of [].concat(v)) parts.push([k, String(x)]);
  if (file) parts.push(['file', file]);
  return parts;
}
async function createDoc(fields = {}, data = pdf(), filename = 'documento.pdf') {
  const r = await send(tok.formatore, 'POST', '/api/v1/documents',
    { body: multipart(docParts({ title: uniq('Doc '), ...fields }, { filename, data })) });
  assert.equal(r.status, 201, r.text);
  return { ...r.json(), data };
}

// The rows of every table an upload writes, as "blobs/chunks/documents/versions".
// The preview pictures a background job adds on its own are left out.
function stored(st = s) {
  st.previews ??= st.sql(`SELECT count(*) FROM information_schema.columns
    WHERE table_name = 'document_versions' AND column_name = 'preview_blob_id'`) === '1';
  const files = st.previews
    ? 'SELECT id FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM document_versions v WHERE v.preview_blob_id = b.id)'
    : 'SELECT id FROM blobs';
  return st.sql(`WITH f AS (${files}) SELECT (SELECT count(*) FROM f) || '/' ||
    (SELECT count(*) FROM blob_chunks WHERE blob_id IN (SELECT id FROM f)) || '/' ||
    (SELECT count(*) FROM documents) || '/' || (SELECT count(*) FROM document_versions)`);
}
const titles = (r) => r.json().documents.map((d) => d.title);

// Every way `who` may reach a document: codes of the API, page and both
// downloads, and whether the list, the API search and the page search show it.
async function reach(who, doc, word) {
  const codes = [];
  for (const p of [`/api/v1/documents/${doc.id}`, `/documenti/${doc.id}`, `/documents/${doc.id}/download`,
    `/documents/${doc.id}/versions/1/download`]) codes.push((await get(who, p)).status);
  const list = (await get(who, '/api/v1/documents?limit=100')).json().documents.some((d) => d.id === doc.id);
  const apiSearch = titles(await get(who, `/api/v1/documents?q=${word}&limit=100`)).includes(doc.title);
  const pageSearch = (await get(who, `/documenti?q=${word}`)).text.includes(doc.title);
  return { codes, list, apiSearch, pageSearch };
}
const SEEN = { codes: [200, 200, 200, 200], list: true, apiSearch: true, pageSearch: true };
const HIDDEN = { codes: [404, 404, 404, 404], list: false, apiSearch: false, pageSearch: false };

// ---- 1. visibility ----

describe('documents: visibility', () => {
  let word, orgB, forB, forMembers, forReferenti, forAll;
  before(async () => {
    word = uniq('riservatezza');
    orgB = orgId(s, "Ambito sociale di Sant'Antonio Abate");
    forB = await createDoc({ description: `Solo per l'ambito ${word}`, visibility: 'restricted', orgs: orgB });
    forMembers = await createDoc({ description: `Per tutti i membri ${word}`, visibility: 'members' });
    forReferenti = await createDoc({ description: `Per i referenti ${word}`, visibility: 'restricted', roles: 'referente' });
    forAll = await createDoc({ description: `Per chiunque ${word}`, visibility: 'public' });
  });

  it('organisation A gets 404 everywhere on a document of organisation B; a sub-organisation of B sees it', async () => {
    assert.deepEqual(await reach(umbriaC, forB, word), HIDDEN, 'a member of Regione Umbria');
    assert.deepEqual(await reach(opC, forB, word), HIDDEN, 'a member of Roma Capitale');
    assert.deepEqual(await reach(agerolaC, forB, word), SEEN, 'a member of the Comune di Agerola, inside the Ambito');
    assert.deepEqual(await reach(trainerC, forB, word), SEEN, 'an editor sees everything');
  });

  it('a search shows only the titles the user may see', async () => {
    for (const who of [umbriaC, agerolaC]) {
      const found = titles(await get(who, `/api/v1/documents?q=${word}`));
      assert.ok(found.includes(forMembers.title), 'the members\' document is found');
      assert.equal(found.includes(forB.title), who === agerolaC, 'the Ambito document only for the Ambito');
      assert.ok(!found.includes(forReferenti.title), 'not the referenti document');
    }
    const page = (await get(umbriaC, `/documenti?q=${word}`)).text;
    assert.ok(page.includes(forMembers.title) && page.includes(forAll.title));
    assert.ok(!page.includes(forB.title) && !page.includes(forReferenti.title), 'hidden titles stay off the page');
  });

  it('a visitor reaches public documents only', async () => {
    assert.deepEqual(await reach(null, forAll, word), SEEN);
    for (const d of [forMembers, forB, forReferenti]) assert.deepEqual(await reach(null, d, word), HIDDEN, d.title);
    assert.deepEqual(await reach(opC, forMembers, word), SEEN, 'a member sees the members document');
  });

  it('a document restricted to "referente" is seen by a referente, not by an operatore', async () => {
    assert.deepEqual(await reach(refC, forReferenti, word), SEEN);
    assert.deepEqual(await reach(opC, forReferenti, word), HIDDEN);
    assert.deepEqual(await reach(umbriaC, forReferenti, word), HIDDEN);
  });
});

// ---- 2. uploads refused ----

describe('documents: uploads', () => {
  const path = '/api/v1/documents';
  // An upload as the trainer's token that must leave no row behind.
  async function refused(status, parts, opts = {}) {
    const before = stored();
    const r = await send('who' in opts ? opts.who : tok.formatore, 'POST', opts.path ?? path, { body: opts.raw ?? multipart(parts), headers: opts.headers });
    if (typeof status === 'function') assert.ok(status(r.status), `status ${r.status}: ${r.text}`);
    else assert.equal(r.status, status, r.text);
    assert.equal(stored(), before, 'nothing stored');
    return r;
  }
  const file = (filename, data = pdf()) => ['file', { filename, data }];

  it('HTML named .pdf is 415, an empty file 400: nothing stored', async () => {
    await refused(415, [['title', 'Finto PDF'], file('pagina.pdf', '<!DOCTYPE html><html><body><p>ciao</p></body></html>\n')]);
    await refused(400, [['title', 'Vuoto'], file('vuoto.pdf', Buffer.alloc(0))]);
  });

  it('two file parts are 400 and store nothing', async () => {
    await refused(400, [['title', 'Due file'], file('a.pdf'), file('b.pdf')]);
  });

  it('file names: folders are dropped; CR/LF, control bytes, bad UTF-8 and 300 characters are 400; 255 are fine', async () => {
    const d = await createDoc({}, pdf(), '../x.pdf');
    assert.equal(d.filename, 'x.pdf');
    assert.equal((await createDoc({}, pdf(), 'C:\\cartella\\y.pdf')).filename, 'y.pdf', 'a Windows path too');
    assert.match((await get(trainerC, `/documents/${d.id}/download`)).headers.get('content-disposition'),
      /^inline; filename="x\.pdf"; filename\*=UTF-8''x\.pdf$/);
    for (const name of ['a\r\nb.pdf', 'a\rb.pdf', 'a\nb.pdf', 'a\x01b.pdf', Buffer.from('61ff622e706466', 'hex'),
      '..', `${'n'.repeat(296)}.pdf`, `${'è'.repeat(252)}.pdf`]) {
      await refused(400, [['title', 'Nome'], file(name)]);
    }
    assert.equal((await createDoc({}, pdf(), `${'n'.repeat(251)}.pdf`)).filename.length, 255);
  });

  it('a quote in a file name round-trips (sent as a browser does)', async () => {
    await refused(400, [['title', 'CRLF'], file('a%0D%0Ab.pdf')]);
    const d = await createDoc({}, pdf(), 'a%22b.pdf');
    assert.equal(d.filename, 'a"b.pdf');
    const cd = (await get(trainerC, `/documents/${d.id}/download`)).headers.get('content-disposition');
    const m = cd.match(/filename="([^"]*)"; filename\*=UTF-8''(\S+)$/);
    assert.ok(m, cd);
    assert.ok(!m[1].includes('"'), 'the ASCII fallback has no raw quote');
    assert.equal(decodeURIComponent(m[2]), 'a"b.pdf');
  });

  const parts = [['title', 'Rotto'], file('rotto.pdf', pdf(4000))];
  const is4xx = (st) => st >= 400 && st < 500;
  it('garbage, or another boundary than the header\'s, is 4xx and stores nothing', async () => {
    await refused(is4xx, null, { raw: randomBytes(2000) });
    await refused(is4xx, null, { raw: multipart(parts).toString('latin1').replaceAll(BOUNDARY, 'altroConfine') });
  });

  it('a body without its final boundary is 4xx and stores nothing', async () => {
    await refused(is4xx, null, { raw: multipart(parts, { end: false }) });
    await refused(is4xx, null, { raw: Buffer.concat([multipart(parts, { end: false }).subarray(0, 300), randomBytes(500)]) });
  });

  it('a body arriving in pieces, cut just after a part\'s headers, is read as one file and one token', async () => {
    // With fewer bytes of a part than a boundary, MHD calls at offset 0
    // with no bytes and again at offset 0 with them: that must be neither
    // a second file nor an empty token first (it was: 403).
    const body = multipart([['csrf_token', trainerC.csrfToken], ['title', uniq('A pezzi ')],
      ['file', { filename: 'pezzi.pdf', data: pdf(5000) }]]).toString('latin1');
    const cuts = [body.indexOf('\r\n\r\n') + 7, body.indexOf('\r\n\r\n', body.indexOf('filename=')) + 7];
    const req = httpRequest(s.baseUrl + path, { method: 'POST', headers: {
      cookie: trainerC.cookieHeader(), 'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'content-length': String(Buffer.byteLength(body, 'latin1')) } });
    const answer = once(req, 'response');
    let from = 0;
    for (const cut of [...cuts, body.length]) {
      req.write(Buffer.from(body.slice(from, cut), 'latin1'));
      from = cut;
      await new Promise((r) => setTimeout(r, 150));
    }
    req.end();
    const [res] = await answer;
    let text = '';
    for await (const chunk of res) text += chunk;
    assert.equal(res.statusCode, 201, text);
    assert.equal(JSON.parse(text).size, 5009);
  });

  it('a client that goes away in the middle of a file leaves nothing behind', async () => {
    const before = stored();
    const head = multipart([['title', uniq('Interrotto ')],
      ['file', { filename: 'interrotto.pdf', data: pdf(3 * 1024 * 1024) }]], { end: false });
    // More declared than sent: the server is still waiting for the rest
    // (three chunks written) when the socket closes.
    const req = httpRequest(s.baseUrl + path, { method: 'POST', headers: {
      authorization: `Bearer ${tok.formatore}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'content-length': String(head.length + 10 * 1024 * 1024) } });
    req.on('error', () => {});
    req.write(head);
    assert.ok(await eventually(() => s.sql(`SELECT count(*) FROM pg_stat_activity
        WHERE state = 'idle in transaction' AND datname = current_database()`) === '1'), 'the upload is under way');
    req.destroy();
    // The transaction dies with its connection: nothing is left, and the
    // upload's slot and connection are free again.
    assert.ok(await eventually(() => s.sql(`SELECT count(*) FROM pg_stat_activity
      WHERE state LIKE 'idle in transaction%' AND datname = current_database()`) === '0'), 'the upload ended');
    assert.equal(stored(), before);
    assert.equal((await send(tok.formatore, 'POST', path, { body: multipart(parts) })).status, 201);
  });

  it('CSRF: a cookie session without the token before the file is 403; in the header or first it is accepted', async () => {
    const parts = (csrf) => [...(csrf ? [['csrf_token', csrf]] : []), ['title', uniq('Csrf ')], file('c.pdf')];
    await refused(403, parts(null), { who: trainerC });
    await refused(403, [...parts(null), ['csrf_token', trainerC.csrfToken]], { who: trainerC });
    await refused(403, parts('x'.repeat(trainerC.csrfToken.length)), { who: trainerC });
    assert.equal((await send(trainerC, 'POST', path, { body: multipart(parts(trainerC.csrfToken)) })).status, 201);
    assert.equal((await send(trainerC, 'POST', path, { body: multipart(parts(null)),
      headers: { 'x-csrf-token': trainerC.csrfToken } })).status, 201);
  });

  it('a visitor is 401, an operatore 403 (with a valid token), nothing stored', async () => {
    const parts = [['csrf_token', opC.csrfToken], ['title', 'Non mio'], file('n.pdf')];
    await refused(401, parts, { who: null });
    await refused(403, parts, { who: opC });
    await refused(403, parts, { who: opC, path: '/documenti' });
  });

  describe('with upload_limit 1M', () => {
    let small, smallTok;
    before(async () => {
      small = await startStack({ env: { PORTAL_UPLOAD_LIMIT: '1M' } });
      smallTok = tokenFor(small, small.demo.formatore.email);
    });
    after(async () => { await small?.stop(); });

    it('1 MiB is accepted, 1 MiB + 1 is 413 and stores nothing', async () => {
      const up = (n) => send(smallTok, 'POST', path, { st: small, body: multipart([['title', uniq('Limite ')], file('l.pdf', pdf(n - 9))]) });
      const ok = await up(MiB);
      assert.equal(ok.status, 201, ok.text);
      assert.equal(ok.json().size, MiB);
      const before = stored(small);
      const r = await up(MiB + 1);
      assert.equal(r.status, 413, r.text);
      assert.equal(stored(small), before, 'nothing stored');
    });
  });
});

// ---- 3. a large file in bounded memory ----

describe('documents: 300 MB', () => {
  let big, bigTok, bigC;
  before(async () => {
    // Under ASan freed memory waits in a quarantine (256 MB by default)
    // that VmRSS would count as growth: a small one measures the portal's
    // own buffers.  Without ASan these options are ignored.
    const asan = [process.env.ASAN_OPTIONS, 'detect_leaks=0', 'quarantine_size_mb=8'].filter(Boolean).join(':');
    big = await startStack({ env: { PORTAL_UPLOAD_LIMIT: '400M', ASAN_OPTIONS: asan } });
    bigTok = tokenFor(big, big.demo.formatore.email);
    bigC = await apiLogin(big, big.demo.formatore.email, big.demo.formatore.password);
  });
  after(async () => { await big?.stop(); });

  // The portal's resident memory now (VmRSS) and its peak (VmHWM) since the last reset.
  const mem = (field) => Number(readFileSync(`/proc/${big.portal.pid}/status`, 'utf8')
    .match(new RegExp(`${field}:\\s+(\\d+) kB`))[1]) * 1024;
  const rss = () => mem('VmRSS');

  // Streams a multipart upload of `size` random-ish bytes (a PDF header
  // first), hashing them on the way; resolves to { status, text, sha }.
  function streamUpload(size) {
    const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\n${uniq('Grande ')}\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="grande.pdf"\r\n` +
      'Content-Type: application/pdf\r\n\r\n');
    const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
    const u = new URL(big.baseUrl + '/api/v1/documents');
    return new Promise((resolve, reject) => {
      const hash = createHash('sha256');
      const req = httpRequest(u, { method: 'POST', headers: {
        authorization: `Bearer ${bigTok}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'content-length': head.length + size + tail.length,
      } });
      req.on('error', reject);
      req.on('response', async (res) => {
        let text = '';
        for await (const c of res) text += c;
        resolve({ status: res.statusCode, text, sha: hash.digest('hex') });
      });
      (async () => {
        req.write(head);
        for (let sent = 0; sent < size;) {
          const chunk = sent === 0 ? Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(MiB - 9)])
            : randomBytes(Math.min(MiB, size - sent));
          hash.update(chunk);
          sent += chunk.length;
          if (!req.write(chunk)) await once(req, 'drain');
        }
        req.end(tail);
      })().catch(reject);
    });
  }

  // Streams a download, hashing it; resolves to { status, size, sha }.
  function streamDownload(path) {
    return new Promise((resolve, reject) => {
      httpRequest(new URL(big.baseUrl + path), { headers: { cookie: bigC.cookieHeader() } }, async (res) => {
        const hash = createHash('sha256');
        let size = 0;
        for await (const c of res) { hash.update(c); size += c.length; }
        resolve({ status: res.statusCode, size, sha: hash.digest('hex') });
      }).on('error', reject).end();
    });
  }

  it('uploads and downloads 300 MB with the portal growing by less than 32 MB', async (t) => {
    const size = 300 * MiB;
    await send(bigTok, 'GET', '/api/v1/documents', { st: big });
    const before = rss();
    // "5" resets the peak to the current size (proc(5)): a buffer that
    // grew and was freed again would show in it though not in VmRSS.
    writeFileSync(`/proc/${big.portal.pid}/clear_refs`, '5');
    const up = await streamUpload(size);
    assert.equal(up.status, 201, up.text);
    const doc = JSON.parse(up.text);
    assert.equal(doc.size, size);
    assert.equal(doc.sha256, up.sha);
    const down = await streamDownload(doc.download_url);
    assert.equal(down.status, 200);
    assert.equal(down.size, size);
    assert.equal(down.sha, up.sha, 'the downloaded bytes are the uploaded ones');
    const growth = rss() - before;
    const peak = mem('VmHWM') - before;
    t.diagnostic(`VmRSS ${(before / MiB).toFixed(1)} MiB before, grew by ${(growth / MiB).toFixed(1)} MiB, peak +${(peak / MiB).toFixed(1)} MiB`);
    assert.ok(growth < 32 * MiB, `VmRSS grew by ${(growth / MiB).toFixed(1)} MiB`);
    assert.ok(peak < 32 * MiB, `VmHWM rose by ${(peak / MiB).toFixed(1)} MiB`);
  });
});

// ---- 4. versions ----

describe('documents: versions', () => {
  it('a new version becomes current, version 1 stays downloadable, "Rendi corrente" brings it back', async () => {
    const doc = await createDoc();
    const v2 = pdf(500);
    const r = await send(tok.formatore, 'POST', `/api/v1/documents/${doc.id}/versions`,
      { body: multipart([['note', 'Seconda'], ['file', { filename: 'seconda.pdf', data: v2 }]]) });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json().current_version, 2);
    assert.equal(r.json().sha256, sha(v2));
    assert.deepEqual((await get(opC, `/documents/${doc.id}/download`)).bytes, v2);
    assert.deepEqual((await get(opC, `/documents/${doc.id}/versions/1/download`)).bytes, doc.data);
    assert.deepEqual((await get(opC, `/documents/${doc.id}/versions/2/download`)).bytes, v2);
    assert.equal((await get(opC, `/documents/${doc.id}/versions/3/download`)).status, 404);

    const back = await formPost(trainerC, `/documenti/${doc.id}`, `/documenti/${doc.id}/versioni/1/corrente`);
    assert.equal(back.status, 303, back.text);
    assert.equal((await get(opC, `/api/v1/documents/${doc.id}`)).json().current_version, 1);
    assert.deepEqual((await get(opC, `/documents/${doc.id}/download`)).bytes, doc.data);
    assert.equal((await api(opC, 'POST', `/documenti/${doc.id}/versioni/2/corrente`)).status, 403, 'members may not');
  });

  it('the same bytes uploaded twice are stored once', async () => {
    const data = pdf(800);
    const a = await createDoc({}, data);
    const blobs = stored().split('/')[0];
    const b = await createDoc({}, data, 'copia.pdf');
    assert.equal(stored().split('/')[0], blobs);
    assert.equal(s.sql(`SELECT count(*) FROM blobs WHERE sha256 = decode('${sha(data)}', 'hex')`), '1');
    assert.equal(s.sql(`SELECT count(DISTINCT blob_id) FROM document_versions WHERE document_id IN (${a.id}, ${b.id})`), '1');
  });
});

// ---- 5. downloads ----

describe('documents: downloads', () => {
  let doc, url, etag;
  const logged = () => s.sql(`SELECT coalesce(string_agg(coalesce(user_id, 0) || ':' || n, ',' ORDER BY id), '')
    FROM document_downloads WHERE document_id = ${doc.id}`);
  before(async () => {
    doc = await createDoc({ visibility: 'members' }, pdf(991));
    url = `/documents/${doc.id}/download`;
    etag = `"${doc.sha256}"`;
  });

  it('ETag and 304, HEAD, single ranges, suffix ranges and 416', async () => {
    const full = await get(opC, url);
    assert.equal(full.status, 200);
    assert.equal(full.headers.get('etag'), etag);
    assert.equal(full.headers.get('accept-ranges'), 'bytes');
    assert.equal(full.headers.get('content-type'), 'application/pdf');
    assert.match(full.headers.get('content-disposition'), /^inline; filename="documento\.pdf"/);
    assert.deepEqual(full.bytes, doc.data);
    // Outside /api/v1 only the session cookie signs the caller in (openapi.json).
    assert.equal((await get(tok.formatore, url)).status, 404, 'a bearer token is not read here');
    const nm = await get(opC, url, { 'if-none-match': etag });
    assert.equal(nm.status, 304);
    assert.equal(nm.bytes.length, 0);
    assert.equal((await get(opC, url, { 'if-none-match': '"altro"' })).status, 200);
    const head = await send(opC, 'HEAD', url);
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), '1000');
    assert.equal(head.bytes.length, 0);
    const mid = await get(opC, url, { range: 'bytes=100-199' });
    assert.equal(mid.status, 206);
    assert.equal(mid.headers.get('content-range'), 'bytes 100-199/1000');
    assert.deepEqual(mid.bytes, doc.data.subarray(100, 200));
    const suffix = await get(opC, url, { range: 'bytes=-7' });
    assert.equal(suffix.status, 206);
    assert.equal(suffix.headers.get('content-range'), 'bytes 993-999/1000');
    assert.deepEqual(suffix.bytes, doc.data.subarray(993));
    const open = await get(opC, url, { range: 'bytes=990-' });
    assert.deepEqual(open.bytes, doc.data.subarray(990));
    const past = await get(opC, url, { range: 'bytes=1000-' });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), 'bytes */1000');
  });

  it('a download from byte 0 is recorded (who, version), a range from the middle is not', async () => {
    const start = logged();
    const added = () => logged().slice(start.length).replace(/^,/, '');
    await get(opC, url);
    await get(opC, url, { range: 'bytes=0-9' });
    await get(opC, url, { range: 'bytes=500-599' });
    await get(opC, url, { range: 'bytes=-10' });
    await send(opC, 'HEAD', url);
    const etag = (await get(opC, url, { range: 'bytes=1-1' })).headers.get('etag');	// not from byte 0: not counted
    assert.equal((await get(opC, url, { 'if-none-match': etag })).status, 304);
    assert.equal((await get(opC, url, { range: 'bytes=0-0', 'if-range': '"other"', 'if-none-match': etag })).status, 304);
    assert.equal((await get(opC, url, { range: 'bytes=99999999-' })).status, 416);
    assert.equal(added(), `${opUser}:1,${opUser}:1`, 'revalidations (304) and refused ranges (416) are not downloads');
    const v2 = await send(tok.formatore, 'POST', `/api/v1/documents/${doc.id}/versions`,
      { body: multipart([['file', { filename: 'due.pdf', data: pdf(50) }]]) });
    assert.equal(v2.status, 201);
    await get(opC, `/documents/${doc.id}/versions/1/download`);
    await get(opC, url);
    assert.equal(added(), `${opUser}:1,${opUser}:1,${opUser}:1,${opUser}:2`);
    const n = Number(s.sql(`SELECT count(*) FROM document_downloads WHERE document_id = ${doc.id}`));
    assert.equal((await get(trainerC, `/api/v1/documents/${doc.id}`)).json().downloads, n, 'editors see the count');
    assert.ok(!('downloads' in (await get(opC, `/api/v1/documents/${doc.id}`)).json()), 'members do not');
    assert.ok(!(await get(opC, '/api/v1/documents?limit=100')).json().documents.some((d) => 'downloads' in d));
  });

  it('a kit file that browsers do not show is an attachment; the text one is inline', async () => {
    const kit = (await get(null, '/api/v1/kit')).json().assets;
    const odt = await get(null, kit.find((a) => a.slot === 'foglio-firme').download_url);
    assert.equal(odt.status, 200);
    assert.match(odt.headers.get('content-disposition'), /^attachment; filename="foglio-firme\.odt"/);
    assert.match(odt.headers.get('content-security-policy'), /sandbox/);
    const txt = await get(null, kit.find((a) => a.slot === 'comunicato').download_url);
    assert.match(txt.headers.get('content-disposition'), /^inline; /);
  });
});

// ---- 6. search ----

describe('documents: search', () => {
  let word, accent, inFolder, txt, old, folder;
  before(async () => {
    word = uniq('ricerca');
    accent = await createDoc({ description: `Le attività formative del servizio ${word}` });
    const f = await bearer(s, tok.formatore, 'POST', '/api/v1/folders', { name: uniq('Cartella ') });
    assert.equal(f.status, 201, f.text);
    folder = f.json().id;
    inFolder = await createDoc({ description: `In cartella ${word}`, folder_id: folder });
    txt = await createDoc({ description: `Appunti ${word}` }, Buffer.from(`Appunti di testo ${randomBytes(8).toString('hex')}\n`), 'appunti.txt');
    old = await createDoc({ description: `Vecchio ${word}` });
    s.sql(`UPDATE documents SET updated_at = '2020-01-15 12:00+01' WHERE id = ${old.id}`);
  });
  const find = async (query, who = opC) => titles(await get(who, `/api/v1/documents?limit=100&${query}`));

  it('Italian stemming and accents: "attività formative" is found by attivita and by formativa', async () => {
    assert.ok((await find('q=attivita')).includes(accent.title));
    assert.ok((await find('q=formativa')).includes(accent.title));
    assert.ok((await get(opC, '/documenti?q=attivit%C3%A0+formativa')).text.includes(accent.title));
    assert.ok(!(await find(`q=${word}+inesistentissimo`)).includes(accent.title), 'all words must match');
  });

  it('the text inside an uploaded PDF is found once the job has run', async () => {
    const doc = await createDoc({ description: 'Copia del volantino' }, readFileSync(join(ASSETS, 'kit/volantino-helpdesk.pdf')), 'volantino-copia.pdf');
    const found = await eventually(async () => (await find('q=malfunzionamento')).includes(doc.title), 10000, 200);
    assert.ok(found, 'found by a word of the PDF text');
    assert.equal(s.sql(`SELECT text_status FROM document_versions WHERE document_id = ${doc.id}`), 'done');
  });

  it('filters: type, folder, from/to; an unknown type is 400', async () => {
    const mine = [accent, inFolder, txt, old].map((d) => d.title);
    const only = async (query) => (await find(`q=${word}&${query}`)).filter((t) => mine.includes(t)).sort();
    assert.deepEqual(await only('type=pdf'), [accent.title, inFolder.title, old.title].sort());
    assert.deepEqual(await only('type=testo'), [txt.title]);
    assert.deepEqual(await only(`folder=${folder}`), [inFolder.title]);
    assert.deepEqual(await only('from=2020-01-01&to=2020-01-31'), [old.title]);
    assert.deepEqual(await only('from=2020-01-16&to=2020-12-31'), []);
    assert.deepEqual(await only('from=2021-01-01'), [accent.title, inFolder.title, txt.title].sort());
    assert.equal((await get(opC, `/api/v1/documents?type=exe`)).status, 400);
    const page = (await get(opC, `/documenti?q=${word}&tipo=testo`)).text;
    assert.ok(page.includes(txt.title) && !page.includes(accent.title), 'the page filters by type too');
  });

  it('snippets mark the hits and escape the description', async () => {
    const xss = uniq('snippet');
    const doc = await createDoc({ description: `Prima <script>alert(1)</script> se 3 < 4 & <b onmouseover=x>${xss}</b> poi` });
    const hit = (await get(opC, `/api/v1/documents?q=${xss}`)).json().documents.find((d) => d.id === doc.id);
    assert.ok(hit, 'found');
    assert.match(hit.snippet, new RegExp(`<mark>${xss}</mark>`));
    assert.ok(!hit.snippet.replace(/<\/?mark>/g, '').includes('<'), `no raw '<' in ${hit.snippet}`);
    assert.match(hit.snippet, /3 &lt; 4 &amp;/);
    const page = (await get(opC, `/documenti?q=${xss}`)).text;
    assert.ok(page.includes(`<mark>${xss}</mark>`));
    assert.ok(!page.includes('<script>alert') && !page.includes('<b onmouseover'), 'escaped on the page');
  });
});

// ---- 7. the bin ----

describe('documents: bin', () => {
  it('a deleted document disappears for all but admins; an admin restores it', async () => {
    const word = uniq('cestino');
    const doc = await createDoc({ description: word });
    assert.equal((await send(tok.formatore, 'DELETE', `/api/v1/documents/${doc.id}`)).status, 204);
    assert.equal((await send(tok.formatore, 'DELETE', `/api/v1/documents/${doc.id}`)).status, 404, 'already in the bin');
    for (const who of [opC, trainerC]) assert.deepEqual(await reach(who, doc, word), HIDDEN);
    const adminPage = await get(adminC, `/documenti/${doc.id}`);
    assert.equal(adminPage.status, 200);
    assert.match(adminPage.text, /nel cestino/);
    assert.ok((await get(adminC, '/documenti/cestino')).text.includes(doc.title));
    assert.equal((await get(trainerC, '/documenti/cestino')).status, 403);
    assert.equal((await api(trainerC, 'POST', `/documenti/${doc.id}/ripristino`)).status, 403);
    assert.equal((await api(trainerC, 'POST', '/documenti/cestino/svuota')).status, 403);
    assert.equal(s.sql(`SELECT deleted_at IS NOT NULL FROM documents WHERE id = ${doc.id}`), 't');

    const r = await formPost(adminC, `/documenti/${doc.id}`, `/documenti/${doc.id}/ripristino`);
    assert.equal(r.status, 303, r.text);
    assert.deepEqual(await reach(opC, doc, word), SEEN);
  });

  it('emptying the bin deletes for good and drops the files no version uses', async () => {
    const shared = pdf(700);
    const kept = await createDoc({}, shared);
    const gone = await createDoc({}, pdf(700));
    const twin = await createDoc({}, shared, 'gemello.pdf');
    for (const d of [gone, twin]) assert.equal((await send(tok.formatore, 'DELETE', `/api/v1/documents/${d.id}`)).status, 204);
    const blobOf = (d) => s.sql(`SELECT count(*) FROM blobs WHERE sha256 = decode('${d.sha256}', 'hex')`);
    const kitBlobs = s.sql('SELECT count(*) FROM blobs b JOIN document_versions v ON v.blob_id = b.id JOIN documents d ON d.id = v.document_id WHERE d.kit_slot IS NOT NULL');
    const r = await formPost(adminC, '/documenti/cestino', '/documenti/cestino/svuota');
    assert.equal(r.status, 303, r.text);
    assert.equal(s.sql(`SELECT count(*) FROM documents WHERE id IN (${gone.id}, ${twin.id})`), '0');
    assert.equal(s.sql('SELECT count(*) FROM documents WHERE deleted_at IS NOT NULL'), '0');
    assert.equal(blobOf(gone), '0', 'the file only the deleted document used is gone');
    assert.equal(s.sql('SELECT count(*) FROM blob_chunks c WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.id = c.blob_id)'), '0');
    assert.equal(blobOf(kept), '1', 'a file another document uses stays');
    assert.deepEqual((await get(opC, `/documents/${kept.id}/download`)).bytes, shared);
    assert.equal(s.sql('SELECT count(*) FROM blobs b JOIN document_versions v ON v.blob_id = b.id JOIN documents d ON d.id = v.document_id WHERE d.kit_slot IS NOT NULL'), kitBlobs);
    assert.equal((await get(adminC, `/documenti/${gone.id}`)).status, 404);
  });
});

// ---- 8. PATCH ----

describe('documents: PATCH', () => {
  let doc;
  const row = () => s.sql(`SELECT row(d.*)::text || (SELECT coalesce(string_agg(org_id::text, ','), '')
    FROM document_orgs WHERE document_id = d.id) FROM documents d WHERE id = ${doc.id}`);
  const patch = (body) => bearer(s, tok.formatore, 'PATCH', `/api/v1/documents/${doc.id}`, body);
  before(async () => {
    doc = await createDoc({ description: 'Descrizione *originale*', tags: 'uno, due', visibility: 'restricted',
      roles: 'referente', orgs: orgId(s, 'Regione Umbria') });
  });

  it('wrong types, unknown ids and an empty restriction are 400 and change nothing', async () => {
    const before = row();
    for (const body of [{ title: 5 }, { tags: [1] }, { orgs: ['a'] }, { roles: ['nobody'] }, { folder_id: 99999999 },
      { module_id: 99999999 }, { orgs: [99999999] }, { visibility: 'segreto' }, { visibility: 'restricted', roles: [], orgs: [] },
      { tags: ['a,b'] }, '{"title": "x"']) {
      const r = await patch(body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.status} ${r.text}`);
      assert.equal(row(), before, `${JSON.stringify(body)} changed nothing`);
    }
    assert.equal((await api(opC, 'PATCH', `/api/v1/documents/${doc.id}`, { title: 'Mio' })).status, 403);
    assert.equal((await bearer(s, tok.formatore, 'PATCH', '/api/v1/documents/99999999', { title: 'X' })).status, 404);
    assert.equal(row(), before);
  });

  it('a member left out keeps its value; a single string is one tag', async () => {
    const title = uniq('Nuovo titolo ');
    const r = await patch({ title });
    assert.equal(r.status, 200, r.text);
    const d = r.json();
    assert.equal(d.title, title);
    assert.equal(d.description, 'Descrizione *originale*');
    assert.match(d.description_html, /<em>originale<\/em>/);
    assert.deepEqual(d.tags, ['uno', 'due']);
    assert.equal(d.visibility, 'restricted');
    assert.deepEqual(d.roles, ['referente']);
    assert.deepEqual(d.orgs, [orgId(s, 'Regione Umbria')]);
    const t = await patch({ tags: 'x' });
    assert.equal(t.status, 200, t.text);
    assert.deepEqual(t.json().tags, ['x']);
    assert.equal(t.json().title, title);
    const m = await patch({ visibility: 'members', roles: [], orgs: [] });
    assert.equal(m.status, 200, m.text);
    assert.deepEqual([m.json().roles, m.json().orgs], [[], []]);
  });

  it('an empty description clears it', async () => {
    const r = await patch({ description: '' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().description, '');
    assert.equal(s.sql(`SELECT description FROM documents WHERE id = ${doc.id}`), '');
  });
});

// ---- 9. the kit ----

describe('documents: folders', () => {
  it('a folder needs a name, a parent that exists and a name free under it; editors only, with the token', async () => {
    const count = () => s.sql('SELECT count(*) FROM document_folders');
    const before = count();
    const name = uniq('Cartella ');
    const top = await bearer(s, tok.formatore, 'POST', '/api/v1/folders', { name });
    assert.equal(top.status, 201, top.text);
    const child = await bearer(s, tok.formatore, 'POST', '/api/v1/folders', { name: 'Sotto', parent_id: top.json().id });
    assert.equal(child.status, 201, child.text);
    for (const [body, status] of [[{ name }, 409], [{ name: name.toUpperCase() }, 409], [{}, 400], [{ name: '' }, 400],
      [{ name: 'x'.repeat(121) }, 400], [{ name: 5 }, 400], [{ name: 'Orfana', parent_id: 999999999 }, 400],
      [{ name: 'Orfana', parent_id: 'uno' }, 400]]) {
      const r = await bearer(s, tok.formatore, 'POST', '/api/v1/folders', body);
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
    }
    assert.equal((await bearer(s, tokenFor(s, s.demo.operatore.email), 'POST', '/api/v1/folders', { name: uniq('No ') })).status, 403);
    assert.equal((await send(trainerC, 'POST', '/api/v1/folders', { body: JSON.stringify({ name: uniq('No ') }),
      type: 'application/json' })).status, 403, 'a cookie session without the CSRF token');
    assert.equal(Number(count()), Number(before) + 2, 'only the two good folders were made');
    const listed = (await get(null, '/api/v1/folders')).json().folders.find((f) => f.id === child.json().id);
    assert.equal(listed.path, `${name} / Sotto`);
  });
});

describe('documents: page parameters', () => {
  it('malformed or unknown query values are 400 or 404, never a page built from them', async () => {
    for (const q of ['pagina=0', 'pagina=abc', 'cartella=-1', 'cartella=1e3', 'modulo=x', 'tipo=%3Cscript%3E',
      'dal=2026-02-30', 'al=ieri', 'q=%FF%FE', `q=${'a'.repeat(201)}`]) {
      const r = await get(opC, `/documenti?${q}`);
      assert.equal(r.status, 400, `${q}: ${r.status}`);
      assert.doesNotMatch(r.text, /<script>/);
    }
    assert.equal((await get(opC, '/documenti?cartella=999999999')).status, 404, 'an unknown folder');
    assert.equal((await get(opC, '/documenti?pagina=5000')).status, 404, 'a page past the last');
    for (const path of ['/documenti/abc', '/documenti/0', '/documents/abc/download', '/documents/1/versions/0/download',
      '/api/v1/documents/-5']) {
      const r = await get(opC, path);
      assert.ok(r.status === 400 || r.status === 404, `${path}: ${r.status}`);
    }
  });
});

describe('documents: kit', () => {
  it('GET /kit lists the nine assets and the press release text; /api/v1/kit the same', async () => {
    const page = await get(null, '/kit');
    assert.equal(page.status, 200);
    assert.equal(page.text.match(/<a class="btn btn-primary btn-sm" href="\/documents\/\d+\/download">/g)?.length, 9);
    const release = readFileSync(join(ASSETS, 'kit/comunicato-standard.txt'), 'utf8').split('\n');
    assert.match(page.text, new RegExp(`<textarea[^>]*readonly>${release[0]}\n\n\\${release[2].slice(0, 40)}`),
      'the press release text is on the page, ready to copy');
    const kit = (await get(null, '/api/v1/kit')).json().assets;
    assert.deepEqual(kit.map((a) => a.slot), ['logo', 'logo-png', 'logo-negativo', 'logo-negativo-png',
      'modello-presentazione', 'foglio-firme', 'volantino', 'brochure', 'comunicato']);
    for (const a of kit) {
      const file = readFileSync(join(ASSETS, 'kit', a.filename));
      assert.equal(a.size, file.length, a.filename);
      const r = await get(null, a.download_url);
      assert.equal(r.status, 200);
      assert.deepEqual(r.bytes, file, `${a.filename} served as it is`);
    }
  });

  it('the job draws a preview of PDFs and takes the thumbnail of OpenDocument files; images have none', async () => {
    const kit = Object.fromEntries((await get(null, '/api/v1/kit')).json().assets.map((a) => [a.slot, a]));
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    for (const slot of ['brochure', 'volantino', 'modello-presentazione', 'foglio-firme']) {
      const url = `/documents/${kit[slot].document_id}/preview`;
      const r = await eventually(async () => { const x = await get(null, url); return x.status === 200 && x; });
      assert.ok(r, `${slot}: a preview once the job ran`);
      assert.equal(r.headers.get('content-type'), 'image/png');
      assert.deepEqual(r.bytes.subarray(0, 8), png, `${slot}: the preview is a PNG`);
    }
    assert.match((await get(null, '/kit')).text, /<img src="\/documents\/\d+\/preview" alt="Anteprima della prima pagina: Brochure"/);
    assert.equal((await get(null, `/documents/${kit.logo.document_id}/preview`)).status, 404);
  });
});
