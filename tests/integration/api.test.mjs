// The JSON API over real HTTP and PostgreSQL: sessions, /me, organisations,
// users, bearer tokens, error documents, and the OpenAPI document checked
// against the route tables in the C sources.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, Client, ROOT } from '../lib/harness.mjs';
import {
  uniq, orgId, userRow, tokenFor, createUser, bearer, assertApiError, apiLogin,
} from './util.mjs';

let s;
let adminToken;

before(async () => {
  s = await startStack();
  adminToken = tokenFor(s, s.demo.admin.email);
});
after(async () => { if (s) await s.stop(); });

const api = (method, path, json) => bearer(s, adminToken, method, path, json);

describe('session', () => {
  it('POST /api/v1/session signs in: 200 with the user, a CSRF token and the cookie', async () => {
    const c = new Client(s.baseUrl);
    const r = await c.request('POST', '/api/v1/session', { json: { email: s.demo.admin.email, password: s.demo.admin.password } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    const body = r.json();
    assert.equal(body.user.email, s.demo.admin.email);
    assert.equal(body.user.name, 'Giovanni Conti');
    assert.ok(Number.isInteger(body.user.id));
    assert.equal(body.user.org_id, orgId(s, 'Regione Lazio'));
    assert.equal(body.user.org_name, 'Regione Lazio');
    assert.ok(body.user.roles.includes('admin'));
    assert.match(body.csrf_token, /^[A-Za-z0-9_-]{40,}$/);
    assert.ok(c.cookies.has('portal_session'), 'session cookie set');
    assert.ok(!r.text.includes('argon2'), 'no password hash in the answer');
    assert.ok(!('password_hash' in body.user));
    assert.match(r.headers.get('cache-control') ?? '', /no-store/);
  });

  it('bad credentials are 401, missing fields 400, and an inactive account 403', async () => {
    const c = new Client(s.baseUrl);
    assertApiError(await c.request('POST', '/api/v1/session', { json: { email: s.demo.tutor.email, password: 'sbagliata' } }), 401, 'bad_credentials');
    assertApiError(await c.request('POST', '/api/v1/session', { json: { email: 'nessuno@example.it', password: 'sbagliata' } }), 401, 'bad_credentials');
    assertApiError(await c.request('POST', '/api/v1/session', { json: { email: s.demo.tutor.email } }), 400);
    assertApiError(await c.request('POST', '/api/v1/session', { json: {} }), 400);
    assertApiError(await c.request('POST', '/api/v1/session', { json: { email: ['a'], password: 'x' } }), 400);
    assertApiError(await c.request('POST', '/api/v1/session'), 400);
    assert.equal(c.cookies.has('portal_session'), false);
    const u = await createUser(s, adminToken, { name: 'Disattivato Api' });
    assert.equal((await api('PATCH', `/api/v1/users/${u.id}`, { status: 'disabled' })).status, 200);
    assertApiError(await c.request('POST', '/api/v1/session', { json: { email: u.email, password: u.password } }), 403, 'account_not_active');
  });

  it('GET /api/v1/me answers the signed-in user, 401 otherwise', async () => {
    const c = await apiLogin(s, s.demo.formatore.email, s.demo.formatore.password);
    const me = await c.get('/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.json().user.email, s.demo.formatore.email);
    assert.deepEqual(me.json().user.roles, ['formatore']);
    assert.equal(me.json().csrf_token, c.csrfToken, 'the same CSRF token for the session');
    const anon = await new Client(s.baseUrl).get('/api/v1/me');
    assertApiError(anon, 401, 'unauthorized');
    assert.match(anon.headers.get('www-authenticate') ?? '', /^Bearer/);
  });

  it('DELETE /api/v1/session needs X-CSRF-Token, then ends the session', async () => {
    const c = await apiLogin(s, s.demo.helpdesk1.email, s.demo.helpdesk1.password);
    const cookie = c.cookies.get('portal_session');
    assertApiError(await c.request('DELETE', '/api/v1/session'), 403);
    assertApiError(await c.request('DELETE', '/api/v1/session', { headers: { 'x-csrf-token': 'x'.repeat(43) } }), 403);
    assert.equal((await c.get('/api/v1/me')).status, 200, 'still signed in');
    const r = await c.request('DELETE', '/api/v1/session', { headers: { 'x-csrf-token': c.csrfToken } });
    assert.equal(r.status, 204);
    assert.equal(r.text, '');
    assertApiError(await c.get('/api/v1/me'), 401);
    const replay = new Client(s.baseUrl);
    replay.cookies.set('portal_session', cookie);
    assertApiError(await replay.get('/api/v1/me'), 401, 'unauthorized');
  });

  it('a form post from another site cannot sign in through the API', async () => {
    const c = new Client(s.baseUrl);
    const r = await c.request('POST', '/api/v1/session', { form: { email: s.demo.admin.email, password: s.demo.admin.password } });
    assert.notEqual(r.status, 200);
    assert.equal(c.cookies.has('portal_session'), false);
  });
});

describe('malformed JSON', () => {
  it('answers 400 with {"error":{"code","message"}}', async () => {
    for (const body of ['{', '{"email": }', 'null', '[]', '"text"', '42', '{"a":1}{', '{"email":"a@b.it",}', '\u0000']) {
      const r = await fetch(`${s.baseUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await r.text();
      assertApiError({ status: r.status, headers: r.headers, text, json: () => JSON.parse(text) }, 400);
    }
    const plain = await fetch(`${s.baseUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ email: s.demo.admin.email, password: s.demo.admin.password }) });
    const plainText = await plain.text();
    assertApiError({ status: plain.status, headers: plain.headers, text: plainText, json: () => JSON.parse(plainText) }, 415);
    const deep = '['.repeat(100000) + ']'.repeat(100000);
    const r = await api('POST', '/api/v1/orgs', `{"name":${deep}}`);
    assert.ok([400, 413].includes(r.status), `deep nesting refused: ${r.status}`);
    assertApiError(r, r.status);
  });
});

describe('organisations', () => {
  it('GET /api/v1/orgs lists the tree', async () => {
    const c = await apiLogin(s, s.demo.operatore.email, s.demo.operatore.password);
    const r = await c.get('/api/v1/orgs');
    assert.equal(r.status, 200);
    const orgs = r.json().orgs;
    assert.equal(orgs.length, Number(s.sql('SELECT count(*) FROM orgs')));
    const roma = orgs.find((o) => o.name === 'Roma Capitale');
    assert.deepEqual(Object.keys(roma).sort(), ['id', 'kind', 'name', 'parent_id', 'path']);
    assert.equal(roma.parent_id, null);
    const m1 = orgs.find((o) => o.name === 'Municipio I');
    assert.equal(m1.parent_id, roma.id);
    assert.equal(m1.kind, 'municipio');
    assert.equal(m1.path, 'Roma Capitale › Municipio I');
    assert.equal(orgs.filter((o) => o.parent_id === roma.id).length, 15, 'fifteen Municipi');
    assertApiError(await new Client(s.baseUrl).get('/api/v1/orgs'), 401);
  });

  it('POST /api/v1/orgs creates (201), refuses duplicates (409) and bad parents (400)', async () => {
    const roma = orgId(s, 'Roma Capitale');
    const name = `Ufficio ${uniq('o')}`;
    const r = await api('POST', '/api/v1/orgs', { name, kind: 'altro', parent_id: roma });
    assert.equal(r.status, 201);
    const id = r.json().id;
    assert.ok(Number.isInteger(id));
    assert.equal(r.headers.get('location'), `/api/v1/orgs/${id}`);
    const listed = (await api('GET', '/api/v1/orgs')).json().orgs.find((o) => o.id === id);
    assert.deepEqual(listed, { id, name, kind: 'altro', parent_id: roma, path: `Roma Capitale › ${name}` });

    assertApiError(await api('POST', '/api/v1/orgs', { name, parent_id: roma }), 409, 'conflict');
    assertApiError(await api('POST', '/api/v1/orgs', { name: name.toUpperCase(), parent_id: roma }), 409, 'conflict');
    assert.equal((await api('POST', '/api/v1/orgs', { name })).status, 201, 'the same name elsewhere is fine');

    assertApiError(await api('POST', '/api/v1/orgs', { name: `${name} bis`, parent_id: 99999999 }), 400);
    assertApiError(await api('POST', '/api/v1/orgs', { name: `${name} ter`, parent_id: 'abc' }), 400);
    assertApiError(await api('POST', '/api/v1/orgs', { name: `${name} ter`, parent_id: 0 }), 400);
    assertApiError(await api('POST', '/api/v1/orgs', { name: `${name} ter`, kind: 'galassia' }), 400);
    assertApiError(await api('POST', '/api/v1/orgs', { kind: 'comune' }), 400);
    assertApiError(await api('POST', '/api/v1/orgs', { name: 'X' }), 400);
    assertApiError(await api('POST', '/api/v1/orgs', { name: { a: 1 } }), 400);
    assert.equal(s.sql(`SELECT count(*) FROM orgs WHERE name LIKE ${"'" + name.replace(/'/g, "''") + " %'"}`), '0', 'nothing stored');

    const op = await apiLogin(s, s.demo.operatore.email, s.demo.operatore.password);
    assertApiError(await op.request('POST', '/api/v1/orgs', { json: { name: 'Ente Abusivo' }, headers: { 'x-csrf-token': op.csrfToken } }), 403);
  });

  it('a session needs X-CSRF-Token to create', async () => {
    const c = await apiLogin(s, s.demo.admin.email, s.demo.admin.password);
    const name = `Ente ${uniq('csrf')}`;
    assertApiError(await c.request('POST', '/api/v1/orgs', { json: { name } }), 403);
    assert.equal(s.sql(`SELECT count(*) FROM orgs WHERE name = '${name}'`), '0');
    const ok = await c.request('POST', '/api/v1/orgs', { json: { name }, headers: { 'x-csrf-token': c.csrfToken } });
    assert.equal(ok.status, 201);
  });
});

describe('users', () => {
  it('GET /api/v1/users lists and filters', async () => {
    const r = await api('GET', '/api/v1/users');
    assert.equal(r.status, 200);
    const { users, total } = r.json();
    assert.equal(total, Number(s.sql('SELECT count(*) FROM users')));
    assert.ok(users.length >= 8);
    for (const u of users) {
      assert.ok(['unconfirmed', 'pending', 'active', 'disabled'].includes(u.status));
      assert.ok(Array.isArray(u.roles));
      assert.ok(!('password_hash' in u));
    }
    const lazio = orgId(s, 'Regione Lazio');
    const byOrg = (await api('GET', `/api/v1/users?org_id=${lazio}`)).json();
    assert.ok(byOrg.users.length >= 5 && byOrg.users.every((u) => u.org_id === lazio));
    const byQ = (await api('GET', `/api/v1/users?q=${encodeURIComponent('Giulia')}`)).json();
    assert.deepEqual(byQ.users.map((u) => u.email), [s.demo.referente.email]);
    const active = (await api('GET', '/api/v1/users?status=active')).json();
    assert.ok(active.users.every((u) => u.status === 'active'));
    const page = (await api('GET', '/api/v1/users?limit=2&offset=1')).json();
    assert.equal(page.users.length, 2);
    assert.equal(page.total, total);
    assert.deepEqual(page.users.map((u) => u.id), users.slice(1, 3).map((u) => u.id), 'offset pages through the same order');
    for (const q of ['limit=0', 'limit=501', 'limit=abc', 'status=bogus', 'org_id=-1', 'offset=-1', `q=${'x'.repeat(101)}`]) {
      assertApiError(await api('GET', `/api/v1/users?${q}`), 400);
    }
  });

  it('POST /api/v1/users creates an active account (201) and validates its fields', async () => {
    const email = `${uniq('nuovo.')}@example.it`;
    const lazio = orgId(s, 'Regione Lazio');
    const r = await api('POST', '/api/v1/users', { email, name: 'Nuovo Utente', password: 'password-nuova-1', org_id: lazio, roles: ['tutor', 'formatore'] });
    assert.equal(r.status, 201);
    const u = r.json().user;
    assert.equal(u.email, email);
    assert.equal(u.status, 'active');
    assert.equal(u.org_id, lazio);
    assert.deepEqual([...u.roles].sort(), ['formatore', 'tutor']);
    assert.equal(r.headers.get('location'), `/api/v1/users/${u.id}`);
    const c = await apiLogin(s, email, 'password-nuova-1');
    assert.equal((await c.get('/api/v1/me')).json().user.id, u.id);
    assert.equal(s.sql(`SELECT count(*) FROM audit_log WHERE action = 'user_create' AND subject_id = ${u.id}`), '1');

    assertApiError(await api('POST', '/api/v1/users', { email: email.toUpperCase(), name: 'Doppio', password: 'password-nuova-1' }), 409, 'conflict');
    const base = { name: 'Valido Nome', password: 'password-valida-1' };
    const bad = [
      { roles: ['superuser'] }, { roles: 'admin' }, { roles: [1] }, { roles: [['admin']] }, { roles: { admin: true } },
      { roles: ['tutor', null] }, { email: 'non-valida' }, { email: 42 }, { password: 'corta' }, { name: 'X' },
      { name: ['Nome', 'Array'] }, { org_id: 'abc' }, { org_id: 99999999 }, { org_id: { id: 1 } }, { org_id: 1.5 },
      { org_id: true },
    ];
    for (const extra of bad) {
      const em = `${uniq('bad.')}@example.it`;
      const r2 = await api('POST', '/api/v1/users', { email: em, ...base, ...extra });
      assertApiError(r2, 400);
      assert.equal(userRow(s, typeof extra.email === 'string' ? extra.email : em), null, `nothing stored for ${JSON.stringify(extra)}`);
    }
  });

  it('PATCH /api/v1/users/{id} changes roles, name, org and status, and validates', async () => {
    const u = await createUser(s, adminToken, { name: 'Da Modificare' });
    let r = await api('PATCH', `/api/v1/users/${u.id}`, { roles: ['referente', 'tutor'] });
    assert.equal(r.status, 200);
    assert.deepEqual([...r.json().user.roles].sort(), ['referente', 'tutor']);
    assert.deepEqual(userRow(s, u.email).roles.sort(), ['referente', 'tutor']);
    assert.equal(s.sql(`SELECT count(*) FROM audit_log WHERE action = 'role_change' AND subject_id = ${u.id}`), '1');

    const m2 = orgId(s, 'Municipio II');
    r = await api('PATCH', `/api/v1/users/${u.id}`, { name: 'Nome Modificato', org_id: m2 });
    assert.equal(r.status, 200);
    assert.equal(r.json().user.name, 'Nome Modificato');
    assert.equal(r.json().user.org_id, m2);
    assert.equal(r.json().user.org_name, 'Municipio II');

    r = await api('PATCH', `/api/v1/users/${u.id}`, { roles: [] });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json().user.roles, []);

    const before = userRow(s, u.email);
    for (const body of [{ roles: ['capo'] }, { roles: 'admin' }, { roles: [true] }, { roles: ['admin', 5] }, { roles: null, status: 'pending' },
      { status: 'pending' }, { status: 'unconfirmed' }, { status: 1 }, { name: 'Y' }, { org_id: 99999999 }, { org_id: 'x' },
      { status: true }]) {
      assertApiError(await api('PATCH', `/api/v1/users/${u.id}`, body), 400);
    }
    assert.deepEqual(userRow(s, u.email), before, 'refused patches change nothing');

    r = await api('PATCH', `/api/v1/users/${u.id}`, { status: 'disabled' });
    assert.equal(r.status, 200);
    assert.equal(r.json().user.status, 'disabled');
    assertApiError(await new Client(s.baseUrl).request('POST', '/api/v1/session', { json: { email: u.email, password: u.password } }), 403);
    r = await api('PATCH', `/api/v1/users/${u.id}`, { status: 'active' });
    assert.equal(r.json().user.status, 'active');

    assertApiError(await api('PATCH', '/api/v1/users/99999999', { name: 'Nessuno Qui' }), 404, 'not_found');
    const r404 = await api('PATCH', '/api/v1/users/abc', { name: 'Nessuno Qui' });
    assert.ok([400, 404].includes(r404.status));
    assertApiError(r404, r404.status);
  });

  it('a JSON number or boolean is not accepted where a string is expected', async () => {
    const u = await createUser(s, adminToken, { name: 'Tipi Json' });
    const problems = [];
    const check = async (what, r) => {
      if (r.status !== 400) problems.push(`${what} -> ${r.status} ${r.text.slice(0, 120)}`);
    };
    for (const extra of [{ name: true }, { name: 12345 }, { password: 123456789012 }]) {
      await check(`POST /api/v1/users ${JSON.stringify(extra)}`, await api('POST', '/api/v1/users',
        { email: `${uniq('tipo.')}@example.it`, name: 'Nome Valido', password: 'password-tipo-1', ...extra }));
    }
    for (const body of [{ name: false }, { name: 424242 }]) {
      await check(`PATCH /api/v1/users/{id} ${JSON.stringify(body)}`, await api('PATCH', `/api/v1/users/${u.id}`, body));
    }
    for (const body of [{ name: 424242 }, { name: true }]) {
      await check(`POST /api/v1/orgs ${JSON.stringify(body)}`, await api('POST', '/api/v1/orgs', body));
    }
    assert.deepEqual(problems, [], 'wrong JSON types accepted');
    assert.equal(userRow(s, u.email).name, 'Tipi Json');
  });

  it('a disabled user loses the sessions and bearer tokens they had', async () => {
    const u = await createUser(s, adminToken, { name: 'Perde Accesso' });
    const c = await apiLogin(s, u.email, u.password);
    const t = tokenFor(s, u.email);
    assert.equal((await bearer(s, t, 'GET', '/api/v1/me')).status, 200);
    assert.equal((await api('PATCH', `/api/v1/users/${u.id}`, { status: 'disabled' })).status, 200);
    assertApiError(await c.get('/api/v1/me'), 401);
    assertApiError(await bearer(s, t, 'GET', '/api/v1/me'), 401);
  });
});

describe('bearer tokens', () => {
  it('work on API routes without CSRF', async () => {
    const me = await api('GET', '/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.json().user.email, s.demo.admin.email);
    assert.equal(me.json().csrf_token, undefined, 'no CSRF token for bearer callers');
    assert.equal(me.headers.getSetCookie().length, 0, 'no cookie for bearer callers');
    const r = await api('POST', '/api/v1/orgs', { name: `Via Bearer ${uniq('b')}` });
    assert.equal(r.status, 201);
    const u = await createUser(s, adminToken, { name: 'Via Bearer' });
    assert.equal((await api('PATCH', `/api/v1/users/${u.id}`, { name: 'Via Bearer Due' })).status, 200);
    assert.equal(s.sql(`SELECT count(*) FROM api_tokens WHERE token_hash = convert_to('${adminToken}', 'UTF8')`), '0', 'only the hash is stored');
  });

  it('a bad or malformed bearer gets 401', async () => {
    for (const t of ['A'.repeat(43), 'abc', '', `${adminToken}x`, adminToken.slice(0, -1)]) {
      const r = await bearer(s, t, 'GET', '/api/v1/me');
      assertApiError(r, 401);
    }
    const basic = await fetch(`${s.baseUrl}/api/v1/me`, { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
    assert.equal(basic.status, 401);
  });

  it('carry the role of their user, and do nothing on pages', async () => {
    const t = tokenFor(s, s.demo.operatore.email);
    assertApiError(await bearer(s, t, 'GET', '/api/v1/users'), 403, 'forbidden');
    assertApiError(await bearer(s, t, 'POST', '/api/v1/orgs', { name: 'Non Permesso' }), 403);
    assert.equal((await bearer(s, t, 'GET', '/api/v1/orgs')).status, 200);
    const page = await fetch(`${s.baseUrl}/profilo`, { headers: { authorization: `Bearer ${t}` }, redirect: 'manual' });
    assert.equal(page.status, 303, 'pages take cookies only');
  });
});

// Every "/api/v1/..." route in a route table of the C sources.
function apiRoutes() {
  const routes = [];
  const walk = (dir) => {
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.c')) {
        const src = readFileSync(p, 'utf8');
        for (const m of src.matchAll(/\{\s*((?:METHOD_[A-Z]+\s*\|?\s*)+),\s*"(\/api\/v1\/[^"]*)"/g)) {
          for (const meth of m[1].match(/METHOD_[A-Z]+/g)) routes.push({ file: p.slice(ROOT.length + 1), method: meth.slice(7).toLowerCase(), path: m[2] });
        }
      }
    }
  };
  for (const d of ['portal', 'courses', 'content']) {
    try { walk(join(ROOT, d)); } catch (e) { if (e.code !== 'ENOENT') throw e; }
  }
  return routes;
}

describe('OpenAPI', () => {
  it('every API route in the sources is documented, and nothing else', async () => {
    const r = await new Client(s.baseUrl).get('/api/v1/openapi.json');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    const doc = r.json();
    assert.match(doc.openapi, /^3\.1\./);
    assert.ok(doc.info?.title && doc.info?.version);
    const prefix = new URL(doc.servers?.[0]?.url ?? '/', 'http://x').pathname.replace(/\/$/, '');
    const routes = apiRoutes();
    assert.ok(routes.length >= 9, `found the API routes in the sources (${routes.length})`);
    const missing = [];
    const documented = new Set();
    for (const { file, method, path } of routes) {
      assert.ok(path.startsWith(`${prefix}/`), `${path} is under the server URL ${prefix}`);
      const key = path.slice(prefix.length);
      const op = doc.paths?.[key]?.[method];
      if (!op) missing.push(`${method.toUpperCase()} ${path} (${file})`);
      else {
        assert.ok(op.responses && Object.keys(op.responses).length > 0, `${method} ${key} lists its responses`);
        documented.add(`${method} ${key}`);
      }
    }
    assert.deepEqual(missing, [], 'undocumented API routes');
    const stale = [];
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const m of Object.keys(ops)) {
        if (['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(m) && !documented.has(`${m} ${p}`)) stale.push(`${m} ${p}`);
      }
    }
    assert.deepEqual(stale, [], 'documented operations without a route');
  });

  it('every $ref in the document resolves', async () => {
    const doc = (await new Client(s.baseUrl).get('/api/v1/openapi.json')).json();
    const refs = [];
    const visit = (v) => {
      if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { if (k === '$ref') refs.push(x); else visit(x); }
    };
    visit(doc);
    assert.ok(refs.length > 0);
    for (const ref of refs) {
      assert.match(ref, /^#\//);
      let node = doc;
      for (const part of ref.slice(2).split('/')) node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
      assert.ok(node !== undefined, `${ref} resolves`);
    }
  });
});
