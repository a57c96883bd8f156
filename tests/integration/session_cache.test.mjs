// Sessions kept in memory (portal/session.c): every change the portal
// itself makes to an account or a session takes effect on the very next
// request, and a change made behind its back (SQL by hand) within
// SESSION_CACHE_TTL (5 s). Real stack (tests/lib/harness.mjs).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client, startStack } from '../lib/harness.mjs';
import { apiLogin, bearer, createUser, lit, tokenFor } from './util.mjs';

let s, adminToken;
before(async () => {
  s = await startStack();
  adminToken = tokenFor(s, s.demo.admin.email);
});
after(async () => { await s?.stop(); });

// A fresh active account signed in through the API (its session is then cached by a first /api/v1/me).
async function signedIn(roles = ['operatore']) {
  const u = await createUser(s, adminToken, { roles });
  const c = await apiLogin(s, u.email, u.password);
  assert.equal((await c.get('/api/v1/me')).status, 200);
  assert.equal((await c.get('/api/v1/me')).status, 200, 'served from memory the second time');
  return { u, c };
}

describe('session kept in memory', () => {
  it('is gone at once after logout', async () => {
    const { c } = await signedIn();
    const cookie = c.cookieHeader();
    assert.equal((await c.request('DELETE', '/api/v1/session', { headers: { 'x-csrf-token': c.csrfToken } })).status, 204);
    const r = await fetch(`${s.baseUrl}/api/v1/me`, { headers: { cookie } });
    assert.equal(r.status, 401, 'the old cookie no longer signs in');
  });

  it('is refused at once when an administrator disables the account', async () => {
    const { u, c } = await signedIn();
    const p = await bearer(s, adminToken, 'PATCH', `/api/v1/users/${u.id}`, { status: 'disabled' });
    assert.equal(p.status, 200, p.text);
    assert.equal((await c.get('/api/v1/me')).status, 401);
  });

  it('follows a role change at once', async () => {
    const { u, c } = await signedIn(['formatore']);
    assert.equal((await c.get('/gestione/corsi')).status, 200);
    const p = await bearer(s, adminToken, 'PATCH', `/api/v1/users/${u.id}`, { roles: ['operatore'] });
    assert.equal(p.status, 200, p.text);
    assert.equal((await c.get('/gestione/corsi')).status, 403);
  });

  it('ends the other sessions at once when the password changes', async () => {
    const { u, c } = await signedIn();
    const other = await apiLogin(s, u.email, u.password);
    assert.equal((await other.get('/api/v1/me')).status, 200);
    const token = await c.csrf('/profilo');
    const r = await c.request('POST', '/profilo/password', { form: {
      csrf_token: token, current_password: u.password,
      password: 'Un-altra-password-lunga-7', password_confirm: 'Un-altra-password-lunga-7' } });
    assert.equal(r.status, 303, r.text);
    assert.equal((await other.get('/api/v1/me')).status, 401, 'the other browser is signed out');
  });

  it('sees a change made outside the portal within five seconds', async () => {
    const { u, c } = await signedIn();
    s.sql(`UPDATE users SET status = 'disabled' WHERE email = ${lit(u.email)}`);
    await new Promise((done) => setTimeout(done, 5500));
    assert.equal((await c.get('/api/v1/me')).status, 401);
  });

  it('never serves one cookie for another', async () => {
    const a = await signedIn(), b = await signedIn();
    const ma = (await a.c.get('/api/v1/me')).json().user.email;
    const mb = (await b.c.get('/api/v1/me')).json().user.email;
    assert.deepEqual([ma, mb], [a.u.email, b.u.email]);
    const anon = new Client(s.baseUrl);
    assert.equal((await anon.get('/api/v1/me')).status, 401);
  });
});
