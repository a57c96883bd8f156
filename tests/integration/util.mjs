// Helpers shared by the integration tests (not a test file itself: node
// --test only runs *.test.mjs).  Everything talks to the real stack that
// tests/lib/harness.mjs starts; nothing here is a mock.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '../lib/harness.mjs';

// A string unique in this run, for emails and names that must not collide.
export function uniq(prefix = 'u') {
  return `${prefix}${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

// A SQL string literal (standard_conforming_strings is on in PostgreSQL 15).
export function lit(s) {
  return `'${String(s).replace(/'/g, "''")}'`;
}

// The id of an organisation by name (the seeded tree), as a number.
export function orgId(s, name) {
  const id = s.sql(`SELECT id FROM orgs WHERE name = ${lit(name)} ORDER BY id LIMIT 1`);
  assert.match(id, /^\d+$/, `organisation ${name} exists`);
  return Number(id);
}

export function userRow(s, email) {
  const row = s.sql(`SELECT id, name, status, array_to_string(roles, ','), coalesce(org_id, 0), password_hash
                     FROM users WHERE lower(email) = lower(${lit(email)})`);
  if (row === '') return null;
  const [id, name, status, roles, org, hash] = row.split('|');
  return { id: Number(id), name, status, roles: roles ? roles.split(',') : [], org: Number(org), hash };
}

// The security headers DESIGN.md requires on every response.
export function assertSecurityHeaders(headers, what) {
  const csp = headers.get('content-security-policy');
  assert.ok(csp, `${what}: Content-Security-Policy present`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP frame-ancestors`);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/, `${what}: CSP without inline script`);
  assert.match(csp, /script-src 'self'|default-src 'self'/, `${what}: CSP restricts scripts`);
  assert.equal(headers.get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
  assert.ok(headers.get('referrer-policy'), `${what}: Referrer-Policy present`);
}

// Registers an account through the public form, the way a browser does.
export async function register(s, { name, email, org, password, client = new Client(s.baseUrl), extra = {} }) {
  const r = await client.submit('/registrati', '/registrati', {
    name, email, org: String(org), password, password_confirm: password, privacy: '1', ...extra,
  });
  return r;
}

// The link with a token that a mail's text part carries, for one path.
export function mailLink(s, mail, path) {
  const re = new RegExp(`${s.baseUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${path}\\?token=([A-Za-z0-9_-]+)`);
  const m = mail.text.match(re);
  assert.ok(m, `mail "${mail.subject}" carries a ${path} link`);
  return m[1];
}

// Mails to an address (compared case-insensitively) whose subject matches.
export function mailsTo(s, to, subject) {
  const t = to.toLowerCase();
  return s.mails().filter((m) => m.to.toLowerCase().includes(t) && subject.test(m.subject));
}

// A fresh, active account made by the admin through the JSON API.
export async function createUser(s, adminToken, { email = `${uniq('user')}@example.it`, name = 'Utente di Prova',
  password = 'Password-di-prova-1', roles = ['operatore'], org_id } = {}) {
  const body = { email, name, password, roles };
  if (org_id !== undefined) body.org_id = org_id;
  const r = await bearer(s, adminToken, 'POST', '/api/v1/users', body);
  assert.equal(r.status, 201, `user ${email} created: ${r.text}`);
  return { ...r.json().user, password };
}

// A bearer token for a user (portal token create).
export function tokenFor(s, email) {
  const t = s.run('token', 'create', '--email', email).trim();
  assert.match(t, /^[A-Za-z0-9_-]{20,}$/, 'token create prints a token');
  return t;
}

// An API request with a bearer token and no cookie.
export async function bearer(s, token, method, path, json) {
  const headers = { authorization: `Bearer ${token}` };
  const init = { method, headers, redirect: 'manual' };
  if (json !== undefined) {
    init.body = typeof json === 'string' ? json : JSON.stringify(json);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(s.baseUrl + path, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

// Asserts an API error document {"error":{"code","message"}}.
export function assertApiError(r, status, code) {
  assert.equal(r.status, status, `status ${status}: ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  const e = r.json();
  assert.equal(typeof e.error, 'object');
  assert.equal(typeof e.error.code, 'string');
  assert.equal(typeof e.error.message, 'string');
  assert.ok(e.error.message.length > 0, 'error message not empty');
  if (code) assert.equal(e.error.code, code);
  return e.error;
}

// A signed-in client for a demo role.
export async function loginAs(s, role) {
  const c = new Client(s.baseUrl);
  await c.login(s.demo[role].email, s.demo[role].password);
  return c;
}

// Signs in through the API; returns the client and its CSRF token.
export async function apiLogin(s, email, password) {
  const c = new Client(s.baseUrl);
  const r = await c.request('POST', '/api/v1/session', { json: { email, password } });
  assert.equal(r.status, 200, `API login of ${email}: ${r.text}`);
  c.csrfToken = r.json().csrf_token;
  return c;
}

/*
 * Sends bytes over a raw TCP connection and reads the answer until the
 * server closes it (or `ms` pass).  `parts` are written in order with a
 * short pause between them, so that chunked bodies really arrive in
 * pieces; a number in `parts` is a pause of that many milliseconds.
 * Sending stops as soon as the server starts answering (a server that
 * refuses a body answers before reading it all), and write errors are
 * ignored.
 */
export function rawHttp(baseUrl, parts, ms = 5000) {
  const u = new URL(baseUrl);
  return new Promise((resolve) => {
    const sock = connect(Number(u.port), u.hostname);
    const chunks = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(parseRaw(Buffer.concat(chunks)));
    };
    const timer = setTimeout(finish, ms);
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', () => finish());
    sock.on('close', finish);
    sock.on('connect', async () => {
      for (const p of parts) {
        if (done || sock.destroyed || chunks.length > 0) break;
        if (typeof p === 'number') {
          await sleep(p);
          continue;
        }
        try { sock.write(p); } catch { break; }
        await sleep(1);
      }
    });
  });
}

// A chunked body's payload (what arrived of it).
function dechunk(b, chunked) {
  if (!chunked) return b;
  const out = [];
  let i = 0;
  for (;;) {
    const eol = b.indexOf('\r\n', i);
    if (eol < 0) break;
    const n = parseInt(b.subarray(i, eol).toString('latin1'), 16);
    if (!(n > 0)) break;
    out.push(b.subarray(eol + 2, eol + 2 + n));
    i = eol + 2 + n + 2;
  }
  return Buffer.concat(out);
}

// Parses the final answer; interim 1xx answers (100 Continue) are listed apart.
function parseRaw(buf) {
  let s = buf.toString('latin1');
  const interim = [];
  let m1;
  while ((m1 = /^HTTP\/1\.[01] (1\d\d)[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n/.exec(s)) !== null) {
    interim.push(Number(m1[1]));
    s = s.slice(m1[0].length);
    buf = buf.subarray(m1[0].length);
  }
  const end = s.indexOf('\r\n\r\n');
  const head = end >= 0 ? s.slice(0, end) : s;
  const lines = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  const headers = new Map();
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
  }
  return {
    status: m ? Number(m[1]) : 0,
    headers: { get: (k) => headers.get(k.toLowerCase()) ?? null },
    body: end >= 0 ? dechunk(buf.subarray(end + 4), /chunked/i.test(headers.get('transfer-encoding') ?? '')).toString('utf8') : '',
    raw: s,
    interim,
  };
}

// Polls fn until it returns a truthy value or ms pass; returns the last value.
export async function eventually(fn, ms = 10000, step = 100) {
  const until = Date.now() + ms;
  let v;
  while (Date.now() < until) {
    v = await fn();
    if (v) return v;
    await sleep(step);
  }
  return v;
}
