// Hostile input and other people's data, over real HTTP and PostgreSQL:
// routing errors, body and field limits, security headers and cookies,
// login floods, XSS, SQL metacharacters, broken UTF-8 and NULs,
// authorisation between users, open redirects, undeclared parameters.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, Client } from '../lib/harness.mjs';
import {
  uniq, lit, orgId, userRow, register, tokenFor, createUser, bearer, assertApiError,
  assertSecurityHeaders, loginAs, apiLogin, rawHttp,
} from './util.mjs';

let s;
let adminToken;
const XSS = '<script>alert(1)</script>"\'';
const XSS_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;';

before(async () => {
  s = await startStack();
  adminToken = tokenFor(s, s.demo.admin.email);
});
after(async () => { if (s) await s.stop(); });

// A POST whose body is exactly these bytes, with the client's cookies.
async function postBytes(client, path, body, type = 'application/x-www-form-urlencoded', headers = {}) {
  const res = await fetch(s.baseUrl + path, {
    method: 'POST', redirect: 'manual', body,
    headers: { 'content-type': type, cookie: client.cookieHeader(), ...headers },
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

// No inline script anywhere in a page: the CSP would block it anyway.
function assertNoInlineScript(html, what) {
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, `${what}: no inline <script>`);
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i, `${what}: no inline event handlers`);
}

describe('routing: 404, 405, HEAD', () => {
  it('an unknown path is 404, as an HTML page or as JSON under /api/', async () => {
    const c = new Client(s.baseUrl);
    const r = await c.get('/non-esiste');
    assert.equal(r.status, 404);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.text, /Pagina non trovata/);
    const a = await c.get('/api/v1/non-esiste');
    assertApiError(a, 404, 'not_found');
  });

  it('a known path with the wrong method is 405 with Allow', async () => {
    const c = new Client(s.baseUrl);
    const r = await c.request('DELETE', '/accedi');
    assert.equal(r.status, 405);
    const allow = r.headers.get('allow').split(/,\s*/);
    for (const m of ['GET', 'HEAD', 'POST']) assert.ok(allow.includes(m), `Allow lists ${m}: ${allow}`);
    assert.ok(!allow.includes('DELETE'));

    const h = await c.request('POST', '/healthz');
    assert.equal(h.status, 405);
    assert.deepEqual(h.headers.get('allow').split(/,\s*/).sort(), ['GET', 'HEAD']);

    const api = await c.request('PUT', '/api/v1/me', { json: {} });
    assertApiError(api, 405);
    assert.ok(api.headers.get('allow').includes('GET'));

    const brew = await rawHttp(s.baseUrl, ['BREW / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    assert.equal(brew.status, 405);
    assert.ok(brew.headers.get('allow'));
  });

  it('HEAD answers like GET without a body', async () => {
    const get = await fetch(`${s.baseUrl}/accedi`);
    const getBody = await get.text();
    const head = await fetch(`${s.baseUrl}/accedi`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    assert.equal(head.headers.get('content-type'), get.headers.get('content-type'));
    assert.equal(Number(head.headers.get('content-length')), Buffer.byteLength(getBody), "same length as GET");
    assertSecurityHeaders(head.headers, 'HEAD /accedi');
    const miss = await fetch(`${s.baseUrl}/non-esiste`, { method: 'HEAD' });
    assert.equal(miss.status, 404);
    const asset = await fetch(`${s.baseUrl}/assets/css/portal.css`, { method: 'HEAD' });
    assert.equal(asset.status, 200);
    assert.ok(asset.headers.get('etag'));
  });
});

describe('request limits', () => {
  const formHead = (path, extra) => `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n${extra}\r\n`;

  it('a Content-Length over the body limit gets 413 before the body is read (Expect: 100-continue)', async () => {
    const r = await rawHttp(s.baseUrl, [formHead('/accedi', 'Content-Length: 2000000\r\nExpect: 100-continue\r\n')], 3000);
    assert.deepEqual(r.interim, [], 'no 100 Continue for a body that will be refused');
    assert.equal(r.status, 413, `answer: ${JSON.stringify(r.raw.slice(0, 200))}`);
    assertSecurityHeaders(r.headers, '413');
    assert.equal(r.headers.get('connection'), 'close');
  });

  it('a Content-Length over the body limit gets 413 while the body is still arriving', async () => {
    const parts = [formHead('/accedi', 'Content-Length: 2000000\r\n'), 50, `email=a${'a'.repeat(65536)}`, 1500];
    const r = await rawHttp(s.baseUrl, parts, 4000);
    assert.equal(r.status, 413, `answer: ${JSON.stringify(r.raw.slice(0, 200))}`);
  });

  it('a chunked body that grows over the limit gets 413', async () => {
    const chunk = 'a'.repeat(64 * 1024);
    const parts = [formHead('/accedi', 'Transfer-Encoding: chunked\r\n'), '6\r\nemail=\r\n'];
    // 16 chunks of 64 KiB after the 6 bytes above: just past 1 MiB, then a
    // pause (no unread bytes left when the server answers), then the end.
    for (let i = 0; i < 16; i++) parts.push(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    parts.push(1500, '0\r\n\r\n');	// the end, if the server waits for it
    const r = await rawHttp(s.baseUrl, parts, 6000);
    assert.equal(r.status, 413, `answer: ${JSON.stringify(r.raw.slice(0, 200))}`);
  });

  it('a JSON body over the limit gets 413 as JSON', async () => {
    const chunk = 'a'.repeat(64 * 1024);
    const parts = ['POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n', '1\r\n"\r\n'];
    for (let i = 0; i < 16; i++) parts.push(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    parts.push(1500, '0\r\n\r\n');
    const r = await rawHttp(s.baseUrl, parts, 6000);
    assert.equal(r.status, 413, `answer: ${JSON.stringify(r.raw.slice(0, 200))}`);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(JSON.parse(r.body).error.code, 'payload_too_large');
  });

  it('a body within the limit is still read normally', async () => {
    const c = new Client(s.baseUrl);
    const r = await c.submit('/accedi', '/accedi', { email: 'nobody@example.it', password: 'x', padding: 'p'.repeat(30000) });
    assert.equal(r.status, 401);
  });

  it('a single field over the field limit is refused with 413', async () => {
    const c = new Client(s.baseUrl);
    const token = await c.csrf('/registrati');
    const body = `csrf_token=${token}&name=${'n'.repeat(70 * 1024)}&email=x%40example.it`;
    const r = await rawHttp(s.baseUrl, [formHead('/registrati', `Content-Length: ${body.length}\r\nCookie: ${c.cookieHeader()}\r\n`), body, 1500], 4000);
    assert.equal(r.status, 413, `answer: ${JSON.stringify(r.raw.slice(0, 200))}`);
  });

  it('too many fields in a body or a query string answer 400', async () => {
    const c = new Client(s.baseUrl);
    const token = await c.csrf('/accedi');
    const fields = { csrf_token: token, email: 'a@example.it', password: 'x' };
    for (let i = 0; i < 120; i++) fields[`f${i}`] = String(i);
    const r = await c.request('POST', '/accedi', { form: fields });
    assert.equal(r.status, 400);
    assertSecurityHeaders(r.headers, '400 too many fields');
    const q = new URLSearchParams();
    for (let i = 0; i < 120; i++) q.append(`q${i}`, 'x');
    const g = await c.get(`/accedi?${q}`);
    assert.equal(g.status, 400);
    assert.equal(s.sql(`SELECT count(*) FROM rate_events WHERE kind = 'login_email' AND key = 'a@example.it'`), '0',
      'a refused request does not reach the handler');
  });

  it('slow clients holding connections open do not block others', async () => {
    const { connect } = await import('node:net');
    const port = Number(new URL(s.baseUrl).port);
    const socks = [];
    try {
      for (let i = 0; i < 40; i++) {
        const so = connect(port, '127.0.0.1');
        so.on('error', () => {});
        so.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');	// never finished
        socks.push(so);
      }
      const t0 = Date.now();
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await fetch(`${s.baseUrl}/accedi`)).status);
      assert.deepEqual(statuses, Array(6).fill(200));
      assert.ok(Date.now() - t0 < 3000, `answered while 40 slow connections wait (${Date.now() - t0} ms)`);
    } finally {
      for (const so of socks) so.destroy();
    }
  });

  it('an oversized header block is refused', async () => {
    const r = await rawHttp(s.baseUrl, [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(200 * 1024)}\r\nConnection: close\r\n\r\n`], 3000);
    assert.ok([400, 413, 431].includes(r.status), `refused, got ${r.status}`);
  });
});

describe('security headers and cookies', () => {
  it('every kind of response carries the security headers', async () => {
    const c = new Client(s.baseUrl);
    const cases = [
      ['page 200', await c.get('/'), 200],
      ['page 200 form', await c.get('/registrati'), 200],
      ['404', await c.get('/non-esiste'), 404],
      ['303 to sign-in', await c.get('/profilo'), 303],
      ['405', await c.request('DELETE', '/'), 405],
      ['403 CSRF', await c.request('POST', '/accedi', { form: { email: 'a@example.it', password: 'x' } }), 403],
      ['JSON 200', await c.get('/api/v1/openapi.json'), 200],
      ['JSON 401', await c.get('/api/v1/me'), 401],
      ['asset', await c.get('/assets/css/portal.css'), 200],
      ['healthz', await c.get('/healthz'), 200],
      ['metrics', await c.get('/metrics'), 200],
    ];
    for (const [what, r, status] of cases) {
      assert.equal(r.status, status, what);
      assertSecurityHeaders(r.headers, what);
    }
    const auth = await loginAs(s, 'operatore');
    const p = await auth.get('/profilo');
    assertSecurityHeaders(p.headers, 'signed-in page');
    assert.match(p.headers.get('cache-control'), /no-store/, 'signed-in pages are not cached');
    for (const path of ['/', '/registrati', '/accedi', '/password/dimenticata', '/accessibilita']) {
      assertNoInlineScript((await c.get(path)).text, path);
    }
    assertNoInlineScript(p.text, '/profilo');
  });

  it('cookies are HttpOnly and SameSite=Lax, without Secure on http', async () => {
    const visitor = await fetch(`${s.baseUrl}/accedi`);
    const csrf = visitor.headers.getSetCookie().find((x) => x.startsWith('portal_csrf='));
    assert.ok(csrf, 'a visitor gets a CSRF cookie');
    assert.match(csrf, /;\s*HttpOnly/i);
    assert.match(csrf, /;\s*SameSite=Lax/i);
    assert.match(csrf, /;\s*Path=\//i);
    assert.doesNotMatch(csrf, /;\s*Secure/i);

    const c = new Client(s.baseUrl);
    const token = await c.csrf('/accedi');
    const res = await fetch(`${s.baseUrl}/accedi`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: c.cookieHeader() },
      body: new URLSearchParams({ csrf_token: token, email: s.demo.tutor.email, password: s.demo.tutor.password }),
    });
    assert.equal(res.status, 303);
    const sess = res.headers.getSetCookie().find((x) => x.startsWith('portal_session='));
    assert.ok(sess, 'sign-in sets the session cookie');
    assert.match(sess, /;\s*HttpOnly/i);
    assert.match(sess, /;\s*SameSite=Lax/i);
    assert.match(sess, /;\s*Max-Age=\d+/i);
    assert.match(sess.split(';')[0], /^portal_session=[A-Za-z0-9_-]{40,}$/, 'a long random token');
  });
});

describe('login flood', () => {
  it('after 5 failures for one account the 6th attempt gets 429 with Retry-After, even with the right password', async () => {
    const u = await createUser(s, adminToken, { name: 'Bersaglio Flood' });
    for (let i = 0; i < 5; i++) {
      const r = await new Client(s.baseUrl).submit('/accedi', '/accedi', { email: u.email, password: `sbagliata-${i}` });
      assert.equal(r.status, 401, `failure ${i + 1} is a 401`);
    }
    const c = new Client(s.baseUrl);
    const r = await c.submit('/accedi', '/accedi', { email: u.email, password: u.password });
    assert.equal(r.status, 429);
    const retry = Number(r.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry > 0 && retry <= 15 * 60, `Retry-After in seconds: ${r.headers.get('retry-after')}`);
    assert.equal(c.cookies.has('portal_session'), false, 'no session');
    assertSecurityHeaders(r.headers, '429');

    const upper = await new Client(s.baseUrl).submit('/accedi', '/accedi', { email: u.email.toUpperCase(), password: u.password });
    assert.equal(upper.status, 429, 'the limit ignores the case of the address');

    const api = await new Client(s.baseUrl).request('POST', '/api/v1/session', { json: { email: u.email, password: u.password } });
    assertApiError(api, 429);
    assert.ok(Number(api.headers.get('retry-after')) > 0);

    await loginAs(s, 'formatore');	// other accounts are not locked out
    assert.equal(s.sql(`SELECT count(*) FROM audit_log WHERE action = 'login_failed' AND subject_id = ${u.id}`), '5');
  });

  it('50 failures from one address get 429 for any account, X-Forwarded-For notwithstanding', async () => {
    const f = await startStack();
    try {
      const attempt = async (email, password, headers = {}) => {
        const c = new Client(f.baseUrl);
        const token = await c.csrf('/accedi');
        return c.request('POST', '/accedi', { form: { csrf_token: token, email, password }, headers });
      };
      for (let batch = 0; batch < 5; batch++) {
        const rs = await Promise.all(Array.from({ length: 10 }, (_, i) =>
          attempt(`sconosciuto${batch * 10 + i}@example.it`, 'password-sbagliata')));
        for (const r of rs) assert.equal(r.status, 401);
      }
      const r = await attempt(f.demo.admin.email, f.demo.admin.password);
      assert.equal(r.status, 429, 'the address is limited');
      assert.ok(Number(r.headers.get('retry-after')) > 0);
      const spoof = await attempt(f.demo.admin.email, f.demo.admin.password, { 'x-forwarded-for': '203.0.113.9' });
      assert.equal(spoof.status, 429, 'X-Forwarded-For from an untrusted peer changes nothing');
      const api = await new Client(f.baseUrl).request('POST', '/api/v1/session',
        { json: { email: f.demo.admin.email, password: f.demo.admin.password } });
      assertApiError(api, 429);
    } finally {
      await f.stop();
    }
  });
});

describe('XSS payloads come back escaped', () => {
  let admin;
  before(async () => { admin = await loginAs(s, 'admin'); });

  it('a name given at registration is escaped on the admin pages and exact in JSON', async () => {
    const email = `${uniq('xss.')}@example.it`;
    const r = await register(s, { name: XSS, email, org: orgId(s, 'Regione Lazio'), password: 'password-xss-1' });
    assert.equal(r.status, 303);
    assert.equal(userRow(s, email).name, XSS, 'stored as typed');
    const list = await admin.get(`/admin/utenti?q=${encodeURIComponent(email)}`);
    assert.equal(list.status, 200);
    assert.ok(!list.text.includes('<script>alert(1)'), 'no live script in the list');
    assert.ok(list.text.includes(XSS_ESCAPED), 'escaped in the list');
    const one = await admin.get(`/admin/utenti/${userRow(s, email).id}`);
    assert.ok(!one.text.includes('<script>alert(1)'));
    assert.ok(one.text.includes(XSS_ESCAPED));
    const api = await bearer(s, adminToken, 'GET', `/api/v1/users?q=${encodeURIComponent(email)}`);
    assert.equal(api.status, 200);
    assert.equal(api.json().users[0].name, XSS, 'JSON returns the exact text');
    assert.match(api.headers.get('content-type'), /^application\/json/);
  });

  it('a re-rendered registration form escapes what was typed', async () => {
    const c = new Client(s.baseUrl);
    const r = await c.submit('/registrati', '/registrati', { name: XSS, email: 'non valida', org: '1', password: 'x', password_confirm: 'y' });
    assert.equal(r.status, 400);
    assert.ok(!r.text.includes('<script>alert(1)'));
    assert.ok(r.text.includes(`value="${XSS_ESCAPED}"`), 'the field keeps the escaped value');
    const n = await c.get(`/accedi?next=${encodeURIComponent(`"><script>alert(1)</script>`)}`);
    assert.equal(n.status, 200);
    assert.ok(!n.text.includes('<script>alert(1)'), 'next is escaped on the sign-in page');
  });

  it('a profile name is escaped on the profile page and in the header', async () => {
    const u = await createUser(s, adminToken, { name: 'Nome Normale' });
    const c = new Client(s.baseUrl);
    await c.login(u.email, u.password);
    const r = await c.submit('/profilo', '/profilo', { name: XSS });
    assert.equal(r.status, 303);
    assert.equal(userRow(s, u.email).name, XSS);
    const p = await c.get('/profilo');
    assert.ok(!p.text.includes('<script>alert(1)'));
    assert.ok(p.text.includes(XSS_ESCAPED));
    const me = await c.get('/api/v1/me');
    assert.equal(me.json().user.name, XSS);
  });

  it('an organisation name is escaped on the pages and exact in JSON', async () => {
    const name = `${XSS} ${uniq('ente')}`;
    const r = await admin.submit('/admin/enti', '/admin/enti', { name, kind: 'altro' });
    assert.equal(r.status, 303);
    for (const path of ['/admin/enti', '/registrati']) {
      const page = await (path === '/registrati' ? new Client(s.baseUrl) : admin).get(path);
      assert.equal(page.status, 200);
      assert.ok(!page.text.includes('<script>alert(1)'), `${path}: no live script`);
      assert.ok(page.text.includes(XSS_ESCAPED), `${path}: escaped`);
    }
    const orgs = (await bearer(s, adminToken, 'GET', '/api/v1/orgs')).json().orgs;
    assert.ok(orgs.some((o) => o.name === name), 'exact in JSON');
  });
});

describe('SQL metacharacters are stored and returned intact', () => {
  const quote = "O'Brien; DROP TABLE users;--";
  const wild = '%_\\';

  it('through the API, the database and the search', async () => {
    const a = await createUser(s, adminToken, { name: quote });
    const b = await createUser(s, adminToken, { name: wild });
    assert.equal(a.name, quote);
    assert.equal(b.name, wild);
    assert.equal(s.sql(`SELECT name FROM users WHERE id = ${a.id}`), quote);
    assert.equal(s.sql(`SELECT name FROM users WHERE id = ${b.id}`), wild);
    assert.ok(Number(s.sql('SELECT count(*) FROM users')) >= 10, 'the users table is still there');

    const byQuote = (await bearer(s, adminToken, 'GET', `/api/v1/users?q=${encodeURIComponent("O'Brien; DROP")}`)).json();
    assert.deepEqual(byQuote.users.map((u) => u.id), [a.id]);
    assert.equal(byQuote.users[0].name, quote);
    // LIKE wildcards are matched literally: "%_\" finds one user, not everyone.
    const byWild = (await bearer(s, adminToken, 'GET', `/api/v1/users?q=${encodeURIComponent(wild)}`)).json();
    assert.deepEqual(byWild.users.map((u) => u.id), [b.id]);
    assert.equal(byWild.total, 1);
    const under = (await bearer(s, adminToken, 'GET', '/api/v1/users?q=_')).json();
    assert.ok(under.users.every((u) => u.name.includes('_') || u.email.includes('_')), 'an underscore is literal');

    const page = await (await loginAs(s, 'admin')).get(`/admin/utenti?q=${encodeURIComponent(wild)}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(`/admin/utenti/${b.id}`));
    assert.ok(!page.text.includes(`/admin/utenti/${a.id}"`), 'the page search is literal too');
  });

  it('an address with an apostrophe registers and signs in', async () => {
    const email = `o'brien+${uniq('t')}@example.it`;
    const u = await createUser(s, adminToken, { email, name: 'Apostrofo' });
    assert.equal(u.email, email);
    const c = new Client(s.baseUrl);
    await c.login(email, u.password);
    assert.equal((await c.get('/api/v1/me')).json().user.email, email);
  });

  it('an organisation and a profile keep their metacharacters', async () => {
    const name = `Ente ${quote} ${uniq('x')}`;
    const r = await bearer(s, adminToken, 'POST', '/api/v1/orgs', { name });
    assert.equal(r.status, 201);
    assert.equal(s.sql(`SELECT name FROM orgs WHERE id = ${r.json().id}`), name);
    const orgs = (await bearer(s, adminToken, 'GET', '/api/v1/orgs')).json().orgs;
    assert.equal(orgs.find((o) => o.id === r.json().id).name, name);

    const u = await createUser(s, adminToken, { name: 'Profilo Meta' });
    const c = new Client(s.baseUrl);
    await c.login(u.email, u.password);
    const typed = `Dell'Acqua "Gino" \\ %_ ${quote}`.slice(0, 120);
    assert.equal((await c.submit('/profilo', '/profilo', { name: typed })).status, 303);
    assert.equal(userRow(s, u.email).name, typed);
  });
});

describe('broken UTF-8 and NULs are refused and nothing is stored', () => {
  it('raw invalid bytes in a registration form answer 400', async () => {
    const org = orgId(s, 'Regione Lazio');
    for (const bad of [[0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff], [0xf4, 0x90, 0x80, 0x80]]) {
      const email = `${uniq('utf.')}@example.it`;
      const c = new Client(s.baseUrl);
      const token = await c.csrf('/registrati');
      const body = Buffer.concat([
        Buffer.from(`csrf_token=${token}&name=Nome`),
        Buffer.from(bad),
        Buffer.from(`Rotto&email=${encodeURIComponent(email)}&org=${org}&password=password-utf-1&password_confirm=password-utf-1&privacy=1`),
      ]);
      const r = await postBytes(c, '/registrati', body);
      assert.equal(r.status, 400, `bytes ${Buffer.from(bad).toString('hex')} refused`);
      assert.equal(userRow(s, email), null, 'nothing stored');
    }
  });

  it('percent-encoded invalid UTF-8 and NULs in a profile answer 400', async () => {
    const u = await createUser(s, adminToken, { name: 'Nome Pulito' });
    const c = new Client(s.baseUrl);
    await c.login(u.email, u.password);
    for (const enc of ['Nome%C3%28Rotto', 'Nome%00Nul', '%00', 'Nome%ED%A0%80', 'Nome%1BEsc']) {
      const token = await c.csrf('/profilo');
      const r = await postBytes(c, '/profilo', Buffer.from(`csrf_token=${token}&name=${enc}`));
      assert.equal(r.status, 400, `${enc} refused`);
      assert.equal(userRow(s, u.email).name, 'Nome Pulito', 'name unchanged');
    }
  });

  it('a NUL in a query string or a sign-in form answers 400', async () => {
    const admin = await loginAs(s, 'admin');
    assert.equal((await admin.get('/admin/utenti?q=a%00b')).status, 400);
    const c = new Client(s.baseUrl);
    const token = await c.csrf('/accedi');
    const before = s.sql('SELECT count(*) FROM rate_events');
    const r = await postBytes(c, '/accedi', Buffer.from(`csrf_token=${token}&email=${encodeURIComponent(s.demo.admin.email)}%00x&password=x`));
    assert.equal(r.status, 400);
    assert.equal(s.sql('SELECT count(*) FROM rate_events'), before);
  });

  it('JSON with invalid UTF-8 or a NUL answers 400', async () => {
    const email = `${uniq('json.')}@example.it`;
    const good = JSON.stringify({ email, name: 'XXXX', password: 'password-json-1' });
    const i = good.indexOf('XXXX');
    const broken = Buffer.concat([Buffer.from(good.slice(0, i)), Buffer.from([0xc3, 0x28, 0x41, 0x41]), Buffer.from(good.slice(i + 4))]);
    const res = await fetch(`${s.baseUrl}/api/v1/users`, {
      method: 'POST', body: broken,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    });
    const text = await res.text();
    assertApiError({ status: res.status, headers: res.headers, text, json: () => JSON.parse(text) }, 400);
    const nul = await bearer(s, adminToken, 'POST', '/api/v1/users', { email, name: 'a\u0000b', password: 'password-json-1' });
    assertApiError(nul, 400);
    assert.equal(userRow(s, email), null);
  });
});

describe("other users' data", () => {
  it('an operatore reaches no admin page and no admin API', async () => {
    const op = await loginAs(s, 'operatore');
    const target = userRow(s, s.demo.tutor.email);
    assert.equal((await op.get('/admin/utenti')).status, 403);
    assert.equal((await op.get(`/admin/utenti/${target.id}`)).status, 403);
    assert.equal((await op.get('/admin/enti')).status, 403);
    const token = await op.csrf('/profilo');
    const post = await op.request('POST', `/admin/utenti/${target.id}`, { form: { csrf_token: token, action: 'disable' } });
    assert.equal(post.status, 403);
    const me = (await op.get('/api/v1/me')).json();
    const patch = await op.request('PATCH', `/api/v1/users/${target.id}`,
      { json: { status: 'disabled', roles: ['admin'] }, headers: { 'x-csrf-token': me.csrf_token } });
    assertApiError(patch, 403);
    const opToken = tokenFor(s, s.demo.operatore.email);
    assertApiError(await bearer(s, opToken, 'PATCH', `/api/v1/users/${target.id}`, { name: 'Preso' }), 403);
    assertApiError(await bearer(s, opToken, 'GET', '/api/v1/users'), 403);
    assertApiError(await bearer(s, opToken, 'POST', '/api/v1/users', { email: 'x@example.it', name: 'Xx', password: 'password-x-12' }), 403);
    assert.deepEqual(userRow(s, s.demo.tutor.email), target, 'the target is untouched');
  });

  it('a visitor is sent to sign in, and the API answers 401', async () => {
    const v = new Client(s.baseUrl);
    const r = await v.get('/admin/utenti');
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location'), /^\/accedi\?next=/);
    const a = await v.get('/api/v1/users');
    assertApiError(a, 401);
    assert.match(a.headers.get('www-authenticate') ?? '', /Bearer/);
  });

  it('a referente sees only the people of their own organisation', async () => {
    const ref = await apiLogin(s, s.demo.referente.email, s.demo.referente.password);
    const own = userRow(s, s.demo.referente.email).org;
    const r = await ref.get('/api/v1/users');
    assert.equal(r.status, 200);
    const body = r.json();
    assert.ok(body.users.length >= 3, 'sees the Municipio I people');
    assert.ok(body.users.every((u) => u.org_id === own), 'only their organisation');
    assert.equal(body.total, Number(s.sql(`SELECT count(*) FROM users WHERE org_id = ${own}`)));
    assert.equal((await ref.get(`/api/v1/users?org_id=${own}`)).status, 200);
    assertApiError(await ref.get(`/api/v1/users?org_id=${orgId(s, 'Regione Lazio')}`), 403);
    assert.equal((await ref.get('/admin/utenti')).status, 403, 'no admin pages');
    const target = userRow(s, s.demo.operatore.email);
    assertApiError(await ref.request('PATCH', `/api/v1/users/${target.id}`,
      { json: { name: 'Cambiato' }, headers: { 'x-csrf-token': ref.csrfToken } }), 403);
    assert.equal(userRow(s, s.demo.operatore.email).name, target.name);
  });

  it('coordinamento cannot grant or remove the admin role', async () => {
    const co = await loginAs(s, 'coordinamento');
    const u = await createUser(s, adminToken, { name: 'Da Promuovere', org_id: orgId(s, 'Regione Lazio') });
    const grant = await co.submit(`/admin/utenti/${u.id}`, `/admin/utenti/${u.id}`,
      { action: 'save', org: String(orgId(s, 'Regione Lazio')), role_operatore: '1', role_admin: '1' });
    assert.equal(grant.status, 403);
    assert.deepEqual(userRow(s, u.email).roles, ['operatore']);

    const adminRow = userRow(s, s.demo.admin.email);
    const drop = await co.submit(`/admin/utenti/${adminRow.id}`, `/admin/utenti/${adminRow.id}`,
      { action: 'save', org: String(adminRow.org), role_operatore: '1' });
    assert.equal(drop.status, 403);
    assert.deepEqual(userRow(s, s.demo.admin.email).roles, adminRow.roles);

    // Other roles are theirs to give.
    const tutor = await co.submit(`/admin/utenti/${u.id}`, `/admin/utenti/${u.id}`,
      { action: 'save', org: String(orgId(s, 'Regione Lazio')), role_operatore: '1', role_tutor: '1' });
    assert.equal(tutor.status, 303);
    assert.deepEqual(userRow(s, u.email).roles.sort(), ['operatore', 'tutor']);

    const coToken = tokenFor(s, s.demo.coordinamento.email);
    assertApiError(await bearer(s, coToken, 'PATCH', `/api/v1/users/${u.id}`, { roles: ['admin'] }), 403);
    assertApiError(await bearer(s, coToken, 'POST', '/api/v1/users',
      { email: `${uniq('co.')}@example.it`, name: 'Nuovo Admin', password: 'password-adm-1', roles: ['admin'] }), 403);
    assert.equal(s.sql(`SELECT count(*) FROM users WHERE 'admin' = ANY (roles)`), '1');
  });

  it('an admin cannot disable himself nor drop his own admin role', async () => {
    const admin = await loginAs(s, 'admin');
    const me = userRow(s, s.demo.admin.email);
    const off = await admin.submit(`/admin/utenti/${me.id}`, `/admin/utenti/${me.id}`, { action: 'disable' });
    assert.equal(off.status, 403);
    assert.equal(userRow(s, s.demo.admin.email).status, 'active');
    assertApiError(await bearer(s, adminToken, 'PATCH', `/api/v1/users/${me.id}`, { status: 'disabled' }), 403);
    assertApiError(await bearer(s, adminToken, 'PATCH', `/api/v1/users/${me.id}`, { roles: ['operatore'] }), 403);
    assert.deepEqual(userRow(s, s.demo.admin.email), me);
    assert.equal((await admin.get('/profilo')).status, 200, 'still signed in');
  });
});

describe('open redirects', () => {
  const origin = () => new URL(s.baseUrl).origin;

  it('next pointing outside the portal sends the user home', async () => {
    const u = await createUser(s, adminToken, { name: 'Redirect Utente' });
    const outside = ['//evil.example', 'https://evil.example', '/\\evil.example', '\\\\evil.example',
      'javascript:alert(1)', 'http:/evil.example', '/\t/evil.example', ' //evil.example'];
    const escaped = [];
    for (const next of outside) {
      const c = new Client(s.baseUrl);
      const r = await c.submit('/accedi', '/accedi', { email: u.email, password: u.password, next });
      assert.ok([303, 400].includes(r.status), `${JSON.stringify(next)}: ${r.status}`);
      if (r.status !== 303) continue;
      const loc = r.headers.get('location');
      // Browsers parse Location the WHATWG way (tabs and newlines dropped, "\\" as "/").
      if (new URL(loc, s.baseUrl).origin !== origin()) escaped.push(`${JSON.stringify(next)} -> ${JSON.stringify(loc)}`);
      if (['//evil.example', 'https://evil.example'].includes(next)) assert.equal(loc, '/');
    }
    assert.deepEqual(escaped, [], 'every redirect stays on the portal');
    const c = new Client(s.baseUrl);
    const ok = await c.submit('/accedi', '/accedi', { email: u.email, password: u.password, next: '/profilo' });
    assert.equal(ok.headers.get('location'), '/profilo', 'a local next is kept');
  });

  it('a next carrying a header break cannot add headers', async () => {
    const u = await createUser(s, adminToken, { name: 'Header Utente' });
    const c = new Client(s.baseUrl);
    const r = await c.submit('/accedi', '/accedi', { email: u.email, password: u.password, next: '/x\r\nSet-Cookie: evil=1' });
    assert.ok(!r.headers.getSetCookie().some((x) => x.startsWith('evil=')));
    assert.ok(!(r.headers.get('location') ?? '').includes('\n'));
  });
});

describe('parameters come only from where a route declares them', () => {
  it('a body field given in the query string is not used, nor a CSRF token in the URL', async () => {
    const u = await createUser(s, adminToken, { name: 'Fonte Campi' });
    const c = new Client(s.baseUrl);
    await c.login(u.email, u.password);
    const token = await c.csrf('/profilo');
    const q = await c.request('POST', `/profilo?name=${encodeURIComponent('Dalla Query')}`, { form: { csrf_token: token } });
    assert.equal(q.status, 400, 'name is a body field');
    assert.equal(userRow(s, u.email).name, 'Fonte Campi');
    const t2 = await c.request('POST', `/profilo?csrf_token=${token}`, { form: { name: 'Token In Url' } });
    assert.equal(t2.status, 403, 'the CSRF token is not taken from the URL');
    assert.equal(userRow(s, u.email).name, 'Fonte Campi');
  });
});

describe('undeclared parameters are ignored', () => {
  it('extra form fields cannot change roles, status or email', async () => {
    const u = await createUser(s, adminToken, { name: 'Campi Extra' });
    const c = new Client(s.baseUrl);
    await c.login(u.email, u.password);
    const before = userRow(s, u.email);
    const r = await c.submit('/profilo', '/profilo', {
      name: 'Campi Extra Due', roles: 'admin', role_admin: '1', status: 'disabled', email: 'altro@example.it', id: '1', org: '2',
    });
    assert.equal(r.status, 303);
    const after = userRow(s, u.email);
    assert.equal(after.name, 'Campi Extra Due');
    assert.deepEqual({ ...after, name: before.name }, before, 'nothing but the name changed');
  });

  it('extra registration fields cannot make an active admin', async () => {
    const email = `${uniq('extra.')}@example.it`;
    const r = await register(s, { name: 'Furbetto', email, org: orgId(s, 'Regione Lazio'), password: 'password-extra-1',
      extra: { status: 'active', roles: '{admin}', role_admin: '1', approved_by: '1' } });
    assert.equal(r.status, 303);
    const row = userRow(s, email);
    assert.equal(row.status, 'unconfirmed');
    assert.deepEqual(row.roles, ['operatore']);
  });

  it('extra JSON keys are ignored by the API', async () => {
    const u = await createUser(s, adminToken, { name: 'Json Extra' });
    const r = await bearer(s, adminToken, 'PATCH', `/api/v1/users/${u.id}`,
      { name: 'Json Extra Due', email: 'rubato@example.it', password_hash: 'x', approved_by: 1 });
    assert.equal(r.status, 200);
    const row = userRow(s, u.email);
    assert.equal(row.name, 'Json Extra Due');
    assert.match(row.hash, /^\$argon2id\$/);
    assert.equal(s.sql(`SELECT email FROM users WHERE id = ${u.id}`), u.email);
  });
});

describe('fixes found in review', () => {
  it('coordinamento cannot disable, re-role or move an administrator', async () => {
    const coord = await loginAs(s, 'coordinamento');
    const adminId = s.sql(`SELECT id FROM users WHERE email = ${lit(s.demo.admin.email)}`);
    for (const form of [{ action: 'disable' }, { action: 'save', role_operatore: '1' }]) {
      const r = await coord.submit(`/admin/utenti/${adminId}`, `/admin/utenti/${adminId}`, form);
      assert.equal(r.status, 403, JSON.stringify(form));
    }
    assert.equal(s.sql(`SELECT status || ' ' || roles::text FROM users WHERE id = ${adminId}`), 'active {admin}');
  });

  it('the sign-in redirect percent-encodes the page asked for', async () => {
    const r = await new Client(s.baseUrl).get('/admin/utenti/1%20x');
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/accedi?next=/admin/utenti/1%20x');
  });

  it('a JSON body of too many values is refused with 400 before it costs memory', async () => {
    const body = `{"email":"a@b.it","password":"x","pad":[${'1,'.repeat(20000)}1]}`;
    const r = await new Client(s.baseUrl).request('POST', '/api/v1/session', { json: body });
    assert.equal(r.status, 400);
    assert.match(r.json().error.message, /too many values/);
  });
});

describe('notices after a redirect', () => {
  it('show only the fixed text of a known code; the URL cannot put text on the page', async () => {
    const c = new Client(s.baseUrl);
    const known = await c.get('/accedi?esito=uscito');
    assert.equal(known.status, 200);
    assert.match(known.text, /Sei uscito dal portale\./);
    const unknown = await c.get('/accedi?esito=Il-tuo-account-e-sospeso');
    assert.equal(unknown.status, 200);
    assert.ok(!unknown.text.includes('Il-tuo-account'), 'an unknown code is not echoed');
    assert.ok(!/alert-success/.test(unknown.text), 'and shows no notice');
    const hostile = await c.get('/accedi?esito=%3Cscript%3E');
    assert.ok(!hostile.text.includes('<script>'), 'markup in the code never reaches the page');
  });
});
