// The portal while its database goes away and comes back (no restart),
// static assets (ETag, 304, Range), and the Prometheus metrics.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack, Client, ASSETS } from '../lib/harness.mjs';
import { tokenFor, bearer, assertApiError, assertSecurityHeaders, loginAs, eventually, rawHttp } from './util.mjs';

let s;

before(async () => { s = await startStack(); });
after(async () => { if (s) await s.stop(); });

// A GET on a connection of its own, so that requests spread over the
// server's pool threads (fetch would keep reusing one connection).
async function freshGet(path, headers = {}) {
  const h = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return rawHttp(s.baseUrl, [`GET ${path} HTTP/1.1\r\nHost: x\r\n${h}Connection: close\r\n\r\n`]);
}

// Pages that cannot answer without the database: the organisation list of
// the registration form, a signed-in page, an admin list, the API.
const DB_PAGES = ['/registrati', '/password/reimposta?token=' + 'A'.repeat(43)];

describe('the database stops and starts while the portal runs', () => {
  let signedIn;
  let token;
  let pid;
  let visitor;
  let visitorToken;

  before(async () => {
    signedIn = await loginAs(s, 'operatore');
    // A visitor's CSRF token needs no database: taken now, used during the outage.
    visitor = new Client(s.baseUrl);
    visitorToken = await visitor.csrf('/accedi');
    token = tokenFor(s, s.demo.admin.email);
    pid = s.portal.pid;
    assert.equal((await fetch(`${s.baseUrl}/readyz`)).status, 200);
  });

  it('while it is down: pages 503 with Retry-After, /healthz 200, /readyz 503, the process stays up', async () => {
    s.pgStop();
    // Several rounds on fresh connections, so that every pool thread meets the dead server.
    for (let round = 0; round < 6; round++) {
      const reg = await freshGet('/registrati');
      assert.equal(reg.status, 503, `round ${round}: /registrati`);
      assert.match(reg.headers.get('retry-after') ?? '', /^\d+$/);
      assert.match(reg.headers.get('content-type'), /^text\/html/);
      assert.match(reg.body, /non disponibile/);
      assertSecurityHeaders(reg.headers, '503 page');

      const prof = await freshGet('/profilo', { cookie: signedIn.cookieHeader() });
      assert.equal(prof.status, 503, 'a signed-in page');
      assert.ok(prof.headers.get('retry-after'));

      const login = await visitor.request('POST', '/accedi',
        { form: { csrf_token: visitorToken, email: s.demo.admin.email, password: s.demo.admin.password } });
      assert.equal(login.status, 503, 'sign-in');
      assert.equal(visitor.cookies.has('portal_session'), false);

      const me = await freshGet('/api/v1/me', { authorization: `Bearer ${token}` });
      assert.equal(me.status, 503);
      assert.equal(JSON.parse(me.body).error.code, 'unavailable');
      assert.ok(me.headers.get('retry-after'));

      assert.equal((await freshGet('/healthz')).status, 200);
      assert.equal((await freshGet('/readyz')).status, 503);
      assert.equal((await freshGet('/assets/css/portal.css')).status, 200, 'assets need no database');
      assert.equal((await freshGet('/metrics')).status, 200, 'metrics need no database');
    }
    // The mail sender meets the dead database too; give it a turn.
    await sleep(700);
    assert.equal(s.portal.exitCode, null, 'the portal is still running');
    assert.equal(s.portal.signalCode, null);
  });

  it('after it starts again, pages, sign-in and sessions work without a restart', async () => {
    s.pgStart();
    // Back within 10 s: a run of requests on fresh connections all succeed.
    const back = await eventually(async () => {
      for (let i = 0; i < 8; i++) {
        if ((await freshGet(DB_PAGES[i % DB_PAGES.length])).status !== 200) return false;
      }
      return (await freshGet('/readyz')).status === 200;
    }, 10000, 200);
    assert.ok(back, 'pages needing the database answer 200 again within 10 s');

    const c = new Client(s.baseUrl);
    await c.login(s.demo.admin.email, s.demo.admin.password);
    assert.equal((await c.get('/profilo')).status, 200, 'a new sign-in works');
    assert.equal((await signedIn.get('/profilo')).status, 200, 'the session from before the outage is still valid');
    assert.equal((await bearer(s, token, 'GET', '/api/v1/me')).status, 200, 'bearer tokens work again');

    // The mail sender recovered too.
    const r = await c.submit('/password/dimenticata', '/password/dimenticata', { email: s.demo.tutor.email });
    assert.equal(r.status, 303);
    await s.waitMail(s.demo.tutor.email, /Reimposta la password/);

    assert.equal(s.portal.pid, pid);
    assert.equal(s.portal.exitCode, null, 'the same process, never restarted');
  });

  it('a database restart while the portal is idle costs no request an error', async () => {
    // Every pool thread holds a working connection first.
    for (let i = 0; i < 8; i++) assert.equal((await freshGet('/registrati')).status, 200);
    s.pgStop();
    s.pgStart();
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await freshGet(DB_PAGES[i % DB_PAGES.length])).status);
    statuses.push((await freshGet('/readyz')).status);
    assert.deepEqual(statuses, Array(9).fill(200), 'no 503 from a connection that died while idle');
  });
});

describe('static assets', () => {
  const file = readFileSync(join(ASSETS, 'css/portal.css'));
  const url = () => `${s.baseUrl}/assets/css/portal.css`;

  it('carry ETag, Last-Modified, Cache-Control and the right type', async () => {
    const r = await fetch(url());
    assert.equal(r.status, 200);
    assert.deepEqual(Buffer.from(await r.arrayBuffer()), file);
    assert.match(r.headers.get('content-type'), /^text\/css/);
    assert.match(r.headers.get('etag'), /^(W\/)?"[^"]+"$/);
    assert.ok(!Number.isNaN(Date.parse(r.headers.get('last-modified'))));
    assert.match(r.headers.get('cache-control'), /max-age=\d+/);
    assert.equal(r.headers.get('accept-ranges'), 'bytes');
    assert.equal(r.headers.getSetCookie().length, 0, 'assets set no cookie');
    assertSecurityHeaders(r.headers, 'asset');
  });

  it('answer 304 to a matching If-None-Match or If-Modified-Since', async () => {
    const first = await fetch(url());
    const etag = first.headers.get('etag');
    const lm = first.headers.get('last-modified');
    const r = await fetch(url(), { headers: { 'if-none-match': etag } });
    assert.equal(r.status, 304);
    assert.equal((await r.arrayBuffer()).byteLength, 0);
    assert.equal(r.headers.get('etag'), etag);
    const list = await fetch(url(), { headers: { 'if-none-match': `"nope", ${etag}` } });
    assert.equal(list.status, 304, 'an ETag in a list matches');
    const other = await fetch(url(), { headers: { 'if-none-match': '"altro"' } });
    assert.equal(other.status, 200);
    const ims = await fetch(url(), { headers: { 'if-modified-since': lm } });
    assert.equal(ims.status, 304);
    const old = await fetch(url(), { headers: { 'if-modified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' } });
    assert.equal(old.status, 200);
  });

  it('answer ranges with 206 and an unsatisfiable one with 416', async () => {
    const len = file.length;
    let r = await fetch(url(), { headers: { range: 'bytes=0-9' } });
    assert.equal(r.status, 206);
    assert.equal(r.headers.get('content-range'), `bytes 0-9/${len}`);
    assert.deepEqual(Buffer.from(await r.arrayBuffer()), file.subarray(0, 10));

    r = await fetch(url(), { headers: { range: 'bytes=-5' } });
    assert.equal(r.status, 206);
    assert.equal(r.headers.get('content-range'), `bytes ${len - 5}-${len - 1}/${len}`);
    assert.deepEqual(Buffer.from(await r.arrayBuffer()), file.subarray(len - 5));

    r = await fetch(url(), { headers: { range: 'bytes=10-' } });
    assert.equal(r.status, 206);
    assert.deepEqual(Buffer.from(await r.arrayBuffer()), file.subarray(10));

    r = await fetch(url(), { headers: { range: `bytes=5-${len + 1000}` } });
    assert.equal(r.status, 206, 'an end past the file is clipped');
    assert.equal(r.headers.get('content-range'), `bytes 5-${len - 1}/${len}`);
    await r.arrayBuffer();

    r = await fetch(url(), { headers: { range: `bytes=${len}-` } });
    assert.equal(r.status, 416);
    assert.equal(r.headers.get('content-range'), `bytes */${len}`);
    await r.arrayBuffer();
    // A malformed or reversed range is ignored: the whole file (RFC 9110 14.2).
    r = await fetch(url(), { headers: { range: 'bytes=9-3' } });
    assert.equal(r.status, 200);
    assert.equal((await r.arrayBuffer()).byteLength, len);
    r = await fetch(url(), { headers: { range: 'items=0-9' } });
    assert.equal(r.status, 200);
    await r.arrayBuffer();

    const etag = (await fetch(url())).headers.get('etag');
    r = await fetch(url(), { headers: { range: 'bytes=0-9', 'if-range': etag } });
    assert.equal(r.status, 206, 'If-Range with the current ETag');
    await r.arrayBuffer();
    r = await fetch(url(), { headers: { range: 'bytes=0-9', 'if-range': '"vecchio"' } });
    assert.equal(r.status, 200, 'a stale If-Range gets the whole file');
    assert.equal((await r.arrayBuffer()).byteLength, len);
  });

  it('never leave the assets folder', async () => {
    for (const p of ['/assets/../portal/account.c', '/assets/%2e%2e/portal/account.c', '/assets/css/../../conf/portal.conf',
      '/assets/%2e%2e%2f%2e%2e%2fconf/portal.conf', '/assets/css/non-esiste.css', '/assets/']) {
      const r = await rawHttp(s.baseUrl, [`GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
      assert.ok([400, 404].includes(r.status), `${p}: ${r.status}`);
      assert.ok(!r.body.includes('#include'), `${p}: no source served`);
    }
  });
});

describe('metrics', () => {
  // One sample's value by metric name and labels, or undefined.
  function sample(text, name, labels = {}) {
    for (const line of text.split('\n')) {
      const m = /^([a-z_:]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const l = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      if (Object.entries(labels).every(([k, v]) => l[k] === v)) return Number(m[3]);
    }
    return undefined;
  }

  it('counts requests by route and status, with a latency histogram', async () => {
    const before = await (await fetch(`${s.baseUrl}/metrics`)).text();
    const home0 = sample(before, 'portal_http_requests_total', { route: 'site.home', status: '200' }) ?? 0;
    const miss0 = sample(before, 'portal_http_requests_total', { route: 'unmatched', status: '404' }) ?? 0;
    for (let i = 0; i < 3; i++) await (await fetch(`${s.baseUrl}/`)).text();
    for (let i = 0; i < 2; i++) await (await fetch(`${s.baseUrl}/nessuna-pagina`)).text();

    // A request is counted when its connection completes, just after the
    // client has its answer: poll briefly rather than race it.
    let r;
    let text;
    await eventually(async () => {
      r = await fetch(`${s.baseUrl}/metrics`);
      text = await r.text();
      return sample(text, 'portal_http_requests_total', { route: 'site.home', status: '200' }) === home0 + 3 &&
        sample(text, 'portal_http_requests_total', { route: 'unmatched', status: '404' }) === miss0 + 2;
    }, 3000, 50);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    assert.match(text, /# TYPE portal_http_requests_total counter/);
    assert.match(text, /# TYPE portal_http_request_duration_seconds histogram/);
    assert.equal(sample(text, 'portal_http_requests_total', { route: 'site.home', status: '200' }), home0 + 3);
    assert.equal(sample(text, 'portal_http_requests_total', { route: 'unmatched', status: '404' }), miss0 + 2);
    assert.ok(sample(text, 'portal_http_requests_total', { route: 'account.register', status: '503' }) >= 6, 'the outage is counted');

    const buckets = text.split('\n').filter((l) => l.startsWith('portal_http_request_duration_seconds_bucket'))
      .map((l) => Number(l.split(' ')[1]));
    assert.ok(buckets.length >= 5);
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i] >= buckets[i - 1], 'buckets are cumulative');
    const inf = sample(text, 'portal_http_request_duration_seconds_bucket', { le: '+Inf' });
    const count = sample(text, 'portal_http_request_duration_seconds_count');
    assert.equal(inf, count);
    assert.ok(sample(text, 'portal_http_request_duration_seconds_sum') > 0);
    let total = 0;
    for (const m of text.matchAll(/^portal_http_requests_total\{[^}]*\} (\d+)$/gm)) total += Number(m[1]);
    assert.equal(total, count, 'every request is in both the counters and the histogram');
    // A series appears once: routes sharing a name differ by their method label.
    const series = [...text.matchAll(/^(portal_http_requests_total\{[^}]*\}) \d+$/gm)].map((m) => m[1]);
    assert.equal(new Set(series).size, series.length, 'no duplicate series');
    const methodsByRoute = {};
    for (const x of series) {
      const [, route, method] = x.match(/route="([^"]+)",method="([^"]*)"/);
      (methodsByRoute[route] ??= new Set()).add(method);
    }
    assert.ok(Object.values(methodsByRoute).some((m) => m.size > 1), 'a page and its form post count apart');

    assert.ok(sample(text, 'portal_db_connections', { state: 'open' }) >= 1, 'DB pool gauge');
    assert.ok(sample(text, 'portal_mail_outbox_depth') >= 0, 'outbox depth gauge');
  });
});

describe('access log', () => {
  it('has one line per request with its id, method, path, status, body bytes and time', async () => {
    const r = await fetch(`${s.baseUrl}/healthz?log=probe`);
    assert.equal(await r.text(), 'ok\n');
    // Buffered and flushed every second.
    await eventually(() => /\S+-[0-9a-f]+ GET \/healthz 200 3 \d+us user=0\n/.test(s.log.join('')), 5000);
  });

  it('escapes control bytes of a path so a line cannot be forged', async () => {
    await fetch(`${s.baseUrl}/nope%0Afake-line%20GET`);
    await eventually(() => s.log.join('').includes('/nope\\x0afake-line\\x20GET 404'), 5000);
    assert.ok(!s.log.join('').includes('\nfake-line'));
  });
});

describe('listening address', () => {
  it('refuses to start a second portal on an address already served', async () => {
    let err;
    try {
      s.run('serve');
    } catch (e) {
      err = e;
    }
    assert.ok(err, 'the second portal exits');
    assert.notEqual(err.code, 'ETIMEDOUT', 'it did not start serving beside the first');
    assert.match(String(err.stderr), /cannot listen/);
    assert.equal((await fetch(`${s.baseUrl}/healthz`)).status, 200, 'the first one still answers');
  });
});

describe('statements that fail', () => {
  it('a statement refused on its first run on a connection runs again there', async () => {
    // One pool thread, so one connection: the refused INSERT is the first
    // run of its statement there (prepared in the same round trip), and
    // the next level must still be added through it.
    const t = await startStack({ env: { PORTAL_THREADS: '1' } });
    try {
      const course = Number(t.sql(`INSERT INTO courses (title, slug, summary, published)
        VALUES ('Corso delle prove', 'corso-delle-prove', 'Prove', true) RETURNING id`));
      t.sql(`INSERT INTO certification_levels (course_id, position, name, rule)
             VALUES (${course}, 1, 'Base', 'final_tests')`);
      const trainer = await loginAs(t, 'formatore');
      const page = `/gestione/corsi/${course}/livelli`;
      const token = await trainer.csrf(page);
      const form = (name) => trainer.request('POST', page,
        { form: { csrf_token: token, name, rule: 'verification', opens_after_days: '30', valid_days: '0' } });
      const dup = await form('Base');
      assert.equal(dup.status, 400, 'a taken name is refused by the database');
      assert.ok(dup.text.includes('Il corso ha già un livello con questo nome.'));
      const ok = await form('Autonomo');
      assert.equal(ok.status, 303, ok.text.slice(0, 500));
      assert.equal(t.sql(`SELECT string_agg(name, ',' ORDER BY position) FROM certification_levels
                          WHERE course_id = ${course}`), 'Base,Autonomo');
    } finally {
      await t.stop();
    }
  });
});
