// Certificates (issue 4, autonomy certification): the Base certificate is
// issued once by the submit that passes the last final test, its Ed25519
// signature verifies with the published key (and a tampered payload or
// signature does not), coordination grants and revokes with a reason
// (audited, refused to other roles and without CSRF), expiry and
// revocation show on the public page, the PDF opens in poppler and
// carries the verification URL, reminders are mailed once, and the
// verification test opens 90 days after Base.  Real stack
// (tests/lib/harness.mjs); checks look at the stored rows too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify as edVerify } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, startStack } from '../lib/harness.mjs';
import { apiLogin, assertApiError, bearer, createUser, eventually, lit, mailsTo, tokenFor, uniq } from './util.mjs';

const CODE_RE = /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/;
// The day as the portal counts it (courses/certificate_db.c CERT_TODAY).
const TODAY = "(now() AT TIME ZONE 'Europe/Rome')::date";

let s, adminToken, coordToken, demoCourse, finals, verificationQuiz;
const roleToken = {};
before(async () => {
  s = await startStack();
  // Tokens made up front: 'portal token create' runs the binary, which a rebuild may be replacing later.
  for (const role of ['admin', 'coordinamento', 'operatore', 'formatore', 'tutor']) roleToken[role] = tokenFor(s, s.demo[role].email);
  adminToken = roleToken.admin;
  coordToken = roleToken.coordinamento;
  demoCourse = Number(s.sql("SELECT id FROM courses WHERE slug = 'sigess-uso-della-piattaforma'"));
  finals = s.sql(`SELECT z.id FROM quizzes z JOIN modules m ON m.id = z.module_id
                  WHERE z.course_id = ${demoCourse} AND z.purpose = 'final' ORDER BY m.position`)
    .split('\n').map(Number);
  verificationQuiz = Number(s.sql(`SELECT id FROM quizzes WHERE course_id = ${demoCourse} AND purpose = 'verification'`));
});
after(async () => { await s?.stop(); });

// ---- helpers ----

const api = (c, method, path, json, headers = {}) =>
  c.request(method, path, { json, headers: { 'x-csrf-token': c.csrfToken, ...headers } });
const start = (c, quizId) => api(c, 'POST', `/api/v1/quizzes/${quizId}/attempts`);
const submit = (c, attemptId, body) => api(c, 'POST', `/api/v1/attempts/${attemptId}/submit`, body);
const mine = async (c) => {
  const r = await c.get('/api/v1/me/certificates');
  assert.equal(r.status, 200, r.text);
  return r.json().certificates;
};
const nCerts = (userId) => Number(s.sql(`SELECT count(*) FROM certificates WHERE user_id = ${userId}`));

// A fresh learner signed in through the API (cookie + CSRF), enrolled in the demo course.
async function learner(name = `Discente ${uniq()}`) {
  const u = await createUser(s, adminToken, { name });
  const c = await apiLogin(s, u.email, u.password);
  c.user = u;
  const e = await api(c, 'POST', `/api/v1/courses/${demoCourse}/enrolments`);
  assert.equal(e.status, 201, e.text);
  return c;
}

// The right answers to questions, from their keys in the database (one psql run): { qid: answer }.
function rightAnswers(qids) {
  const keys = JSON.parse(s.sql(`SELECT json_object_agg(id, json_build_object('kind', kind, 'spec', spec))::text
                                 FROM questions WHERE id IN (${qids.map(Number).join(',')})`));
  assert.equal(Object.keys(keys).length, qids.length, 'every key found');
  return Object.fromEntries(qids.map((q) => [String(q), rightAnswer(keys[q])]));
}

// The right answer to a key (courses/grade.h shapes).
function rightAnswer({ kind, spec }) {
  switch (kind) {
    case 'single': return { choice: spec.choices.findIndex((c) => c.correct) + 1 };
    case 'multiple': return { choices: spec.choices.flatMap((c, i) => (c.correct ? [i + 1] : [])) };
    case 'truefalse': return { value: spec.answer };
    case 'matching': return { matches: Object.fromEntries(spec.pairs.map((p, i) =>
      [String(i + 1), spec.pairs.findIndex((q) => q.match === p.match) + 1])) };
    case 'short': return { text: spec.accepted[0] };
    case 'numeric': return { value: spec.value };
    default: throw new Error(`unknown kind ${kind}`);
  }
}

// Starts an attempt of quizId and submits it all right; returns the graded attempt.
async function passQuiz(c, quizId) {
  const r = await start(c, quizId);
  assert.ok([200, 201].includes(r.status), r.text);
  const a = r.json();
  const g = await submit(c, a.id, { answers: rightAnswers(a.questions.map((q) => q.id)) });
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json().passed, true, `quiz ${quizId} passed`);
  return g.json();
}

// A learner who passed the four final tests; returns the client and the Base certificate.
async function certified(name) {
  const c = await learner(name);
  for (const q of finals) await passQuiz(c, q);
  const list = await mine(c);
  assert.equal(list.length, 1, JSON.stringify(list));
  return { c, cert: list[0] };
}

// Coordination grants a level through the API (bearer token).
async function grant(userId, level = 'Autonomo', reason = 'Esperienza documentata sul campo') {
  return bearer(s, coordToken, 'POST', '/api/v1/certificates', { user_id: userId, course_id: demoCourse, level, reason });
}

// The published signing keys, by id.
async function keys() {
  const r = await new Client(s.baseUrl).get('/.well-known/portal-certificates.json');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  return new Map(r.json().keys.map((k) => [k.id, k]));
}

// Ed25519 check of payload against a base64url signature and a published key, with node:crypto.
function sigOk(publicKey, payload, signature) {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  return edVerify(null, Buffer.from(payload), key, Buffer.from(signature, 'base64url'));
}

// ---- 1. Base is issued once, by the submit that passes the last final test ----

describe('issue', () => {
  it('passing the four final tests issues exactly one Base certificate; a retake issues none more', async () => {
    assert.equal(finals.length, 4, 'the demo course has four final tests');
    const c = await learner();
    for (const [i, q] of finals.entries()) {
      assert.equal((await mine(c)).length, 0, `no certificate before the final test ${i + 1} is passed`);
      await passQuiz(c, q);
    }
    const list = await mine(c);
    assert.equal(list.length, 1, 'one certificate');
    const cert = list[0];
    assert.match(cert.code, CODE_RE);
    assert.doesNotMatch(cert.code, /[01IO]/, 'no look-alike characters in the code');
    assert.equal(cert.status, 'valid');
    assert.equal(cert.level, 'Base');
    assert.equal(cert.course_id, demoCourse);
    assert.equal(cert.holder, c.user.name);
    assert.equal(cert.granted, false);
    assert.equal(cert.expires_on, null, 'Base never expires');
    assert.equal(cert.revoked_at, null);
    assert.equal(cert.issued_on, s.sql(`SELECT ${TODAY}::text`));
    assert.equal(cert.verify_url, `${s.baseUrl}/verify/${cert.code}`);
    assert.equal(cert.pdf_url, `${s.baseUrl}/certificates/${cert.code}.pdf`);
    assert.ok(!('payload' in cert) && !('signature' in cert), 'the list carries no signature data');
    assert.equal(s.sql(`SELECT l.name || '|' || (x.granted_by IS NULL) FROM certificates x
                        JOIN certification_levels l ON l.id = x.level_id WHERE x.user_id = ${c.user.id}`), 'Base|true');

    // A retake, failed and then passed, issues nothing more.
    const again = (await start(c, finals[0])).json();
    assert.equal((await submit(c, again.id)).json().score_percent, 0);
    await passQuiz(c, finals[1]);
    assert.equal(nCerts(c.user.id), 1, 'still one certificate after retakes');
    assert.deepEqual((await mine(c)).map((x) => x.code), [cert.code]);

    // The member page lists it; the API list needs a session.
    const page = await c.get('/certificati');
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(`/verify/${cert.code}`) && page.text.includes(`/certificates/${cert.code}.pdf`));
    assert.match(page.text, /<td>valido<\/td>/);
    assertApiError(await new Client(s.baseUrl).get('/api/v1/me/certificates'), 401);
  });
});

// ---- 2. the signature verifies with the published key; tampering does not ----

describe('signature', () => {
  it('verifies the API payload and the Open Badges proof with node:crypto, and rejects tampering', async () => {
    const { c, cert } = await certified(`Signora Firma ${uniq()}`);
    const r = await new Client(s.baseUrl).get(`/api/v1/certificates/${cert.code}`);	// public, no session
    assert.equal(r.status, 200, r.text);
    const full = r.json();
    assert.equal(full.status, 'valid');
    assert.equal(full.keys_url, `${s.baseUrl}/.well-known/portal-certificates.json`);
    const published = await keys();
    const key = published.get(full.key_id);
    assert.ok(key, `key ${full.key_id} is published`);
    assert.equal(key.type, 'Ed25519');
    assert.equal(Buffer.from(key.public_key, 'base64url').length, 32, 'a raw 32-byte public key');
    assert.match(key.public_key, /^[A-Za-z0-9_-]{43}$/, 'base64url without padding');
    assert.equal(statSync(join(s.varDir, 'certificate-signing.key')).mode & 0o777, 0o600, 'key file mode 0600');

    // The canonical form: members in code-point order, no white space.
    const p = JSON.parse(full.payload);
    assert.deepEqual(Object.keys(p), ['code', 'course', 'expires', 'holder', 'issued', 'issuer', 'level']);
    assert.equal(full.payload, JSON.stringify(p), 'no white space');
    assert.deepEqual(p, { code: full.code, course: full.course, expires: null, holder: c.user.name,
      issued: full.issued_on, issuer: s.baseUrl, level: 'Base' });
    assert.equal(full.holder, c.user.name);
    assert.equal(sigOk(key.public_key, full.payload, full.signature), true, 'the signature verifies');
    assert.equal(full.payload, s.sql(`SELECT payload FROM certificates WHERE code = ${lit(cert.code)}`), 'stored byte for byte');

    // Tampering: another holder, a later expiry, a flipped signature bit, another certificate's signature.
    const forged = JSON.stringify({ ...p, holder: 'Mario Falso' });
    assert.equal(sigOk(key.public_key, forged, full.signature), false, 'tampered holder');
    assert.equal(sigOk(key.public_key, JSON.stringify({ ...p, level: 'Autonomo' }), full.signature), false, 'tampered level');
    const sig = Buffer.from(full.signature, 'base64url');
    sig[10] ^= 1;
    assert.equal(sigOk(key.public_key, full.payload, sig.toString('base64url')), false, 'tampered signature');
    const other = (await grant(c.user.id)).json();
    assert.equal(sigOk(key.public_key, other.payload, other.signature), true, 'a granted certificate verifies too');
    assert.equal(sigOk(key.public_key, full.payload, other.signature), false, 'a signature of another payload');

    // The Open Badges 3.0 credential carries the same signed data.
    const b = await new Client(s.baseUrl).get(`/certificates/${cert.code}.json`);
    assert.equal(b.status, 200);
    assert.match(b.headers.get('content-type') ?? '', /^application\/vc\+ld\+json/);
    const badge = b.json();
    assert.deepEqual(badge.type, ['VerifiableCredential', 'OpenBadgeCredential']);
    assert.ok(badge['@context'].includes('https://www.w3.org/ns/credentials/v2'));
    assert.equal(badge.id, `${s.baseUrl}/certificates/${cert.code}.json`);
    assert.equal(badge.credentialSubject.name, c.user.name);
    assert.ok(badge.credentialSubject.type.includes('AchievementSubject'));
    assert.ok(badge.credentialSubject.achievement.type.includes('Achievement'));
    assert.match(badge.credentialSubject.achievement.name, /Base/);
    assert.equal(badge.issuer.id, s.baseUrl);
    assert.equal(badge.validFrom, `${full.issued_on}T00:00:00Z`);
    assert.equal(badge.validUntil, undefined, 'Base never expires');
    assert.equal(badge.credentialStatus.status, 'valid');
    const proof = badge.proof;
    assert.equal(proof.signedPayload, full.payload);
    assert.equal(proof.proofValue, full.signature);
    assert.equal(proof.verificationMethod, `${s.baseUrl}/.well-known/portal-certificates.json#${full.key_id}`);
    const kid = proof.verificationMethod.split('#')[1];
    assert.equal(sigOk(published.get(kid).public_key, proof.signedPayload, proof.proofValue), true);
    assert.equal(sigOk(published.get(kid).public_key,
      JSON.stringify({ ...JSON.parse(proof.signedPayload), holder: 'Mario Falso' }), proof.proofValue), false);
    const bsig = Buffer.from(proof.proofValue, 'base64url');
    bsig[0] ^= 0x80;
    assert.equal(sigOk(published.get(kid).public_key, proof.signedPayload, bsig.toString('base64url')), false);

    // The public page says the signature checks out.
    const v = await new Client(s.baseUrl).get(`/verify/${cert.code}`);
    assert.equal(v.status, 200);
    assert.match(v.text, /Attestato valido\./);
    assert.match(v.text, /verificata con la chiave pubblica del portale/);
  });
});

// ---- 3. revoke ----

describe('revoke', () => {
  it('coordination revokes with a reason (audited); other roles, short reasons and a second revoke are refused', async () => {
    const { c, cert } = await certified();
    const path = `/api/v1/certificates/${cert.code}/revoke`;
    const reason = 'Attribuito per errore <script>alert(1)</script> & altro';
    for (const role of ['operatore', 'formatore', 'tutor']) {
      assertApiError(await bearer(s, roleToken[role], 'POST', path, { reason }), 403);
    }
    assertApiError(await api(c, 'POST', path, { reason }), 403, undefined);	// the holder neither
    assertApiError(await new Client(s.baseUrl).request('POST', path, { json: { reason } }), 401);
    assertApiError(await bearer(s, coordToken, 'POST', path, { reason: 'breve' }), 400);
    assertApiError(await bearer(s, coordToken, 'POST', path, { reason: '123456789' }), 400);	// 9 < 10
    assertApiError(await bearer(s, coordToken, 'POST', path, {}), 400);
    assertApiError(await bearer(s, coordToken, 'POST', '/api/v1/certificates/NOPE-NOPE-NOPE/revoke', { reason }), 404, 'not_found');
    assert.equal(s.sql(`SELECT revoked_at IS NULL FROM certificates WHERE code = ${lit(cert.code)}`), 't', 'refused calls change nothing');
    assert.equal(s.sql(`SELECT count(*) FROM audit_log WHERE action = 'certificate_revoke' AND subject_id = ${c.user.id}`), '0');

    // Through a coordination session with the CSRF token.
    const coord = await apiLogin(s, s.demo.coordinamento.email, s.demo.coordinamento.password);
    assertApiError(await coord.request('POST', path, { json: { reason } }), 403);	// no CSRF token
    const r = await api(coord, 'POST', path, { reason });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().status, 'revoked');
    assert.equal(r.json().revoke_reason, reason);
    assert.match(r.json().revoked_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const g = await new Client(s.baseUrl).get(`/api/v1/certificates/${cert.code}`);
    assert.equal(g.json().status, 'revoked');
    assert.equal((await mine(c))[0].status, 'revoked');
    const v = await new Client(s.baseUrl).get(`/verify/${cert.code}`);
    assert.equal(v.status, 200);
    assert.match(v.text, /Attestato revocato\./);
    assert.doesNotMatch(v.text, /Attestato valido/);
    assert.ok(v.text.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; altro'), 'the reason is shown escaped');
    assert.ok(!v.text.includes('<script>alert(1)'), 'never raw');
    const badge = (await new Client(s.baseUrl).get(`/certificates/${cert.code}.json`)).json();
    assert.equal(badge.credentialStatus.status, 'revoked');

    assertApiError(await api(coord, 'POST', path, { reason: 'Una seconda revoca' }), 409, 'already_revoked');
    assertApiError(await bearer(s, adminToken, 'POST', path, { reason: 'Una seconda revoca' }), 409, 'already_revoked');
    const audit = s.sql(`SELECT actor_id || '|' || detail FROM audit_log
                         WHERE action = 'certificate_revoke' AND subject_id = ${c.user.id}`).split('\n');
    assert.equal(audit.length, 1, 'one audit row');
    const coordId = Number(s.sql(`SELECT id FROM users WHERE email = ${lit(s.demo.coordinamento.email)}`));
    assert.equal(audit[0], `${coordId}|${cert.code}: ${reason}`);
    assert.equal(s.sql(`SELECT revoked_by || '|' || revoke_reason FROM certificates WHERE code = ${lit(cert.code)}`),
      `${coordId}|${reason}`);
  });
});

// ---- 4. grant ----

describe('grant', () => {
  it('coordination grants a level with a reason: 201, audited; 409 when held, 404, 403, 400', async () => {
    const u = await createUser(s, adminToken, { name: `Esperta ${uniq()}` });
    const reason = 'Referente del sistema da tre anni, verificata in affiancamento';
    assertApiError(await bearer(s, roleToken.operatore, 'POST', '/api/v1/certificates',
      { user_id: u.id, course_id: demoCourse, level: 'Autonomo', reason }), 403);
    assertApiError(await bearer(s, roleToken.formatore, 'POST', '/api/v1/certificates',
      { user_id: u.id, course_id: demoCourse, level: 'Autonomo', reason }), 403);
    const coord = await apiLogin(s, s.demo.coordinamento.email, s.demo.coordinamento.password);
    const body = { user_id: u.id, course_id: demoCourse, level: 'Autonomo', reason };
    assertApiError(await coord.request('POST', '/api/v1/certificates', { json: body }), 403);	// no CSRF token
    assertApiError(await api(coord, 'POST', '/api/v1/certificates', { ...body, reason: 'troppo' }), 400);
    assertApiError(await api(coord, 'POST', '/api/v1/certificates', { ...body, level: 'Esperto' }), 404, 'not_found');
    assertApiError(await api(coord, 'POST', '/api/v1/certificates', { ...body, user_id: 999999999 }), 404, 'not_found');
    assertApiError(await api(coord, 'POST', '/api/v1/certificates', { ...body, course_id: 999999999 }), 404, 'not_found');
    assertApiError(await api(coord, 'POST', '/api/v1/certificates', { ...body, user_id: 'uno' }), 400);
    assertApiError(await api(coord, 'POST', '/api/v1/certificates', { user_id: u.id, course_id: demoCourse, reason }), 400);
    assert.equal(nCerts(u.id), 0, 'refused calls issue nothing');

    const r = await api(coord, 'POST', '/api/v1/certificates', body);
    assert.equal(r.status, 201, r.text);
    const g = r.json();
    assert.match(g.code, CODE_RE);
    assert.deepEqual([g.status, g.granted, g.level, g.holder, g.course_id], ['valid', true, 'Autonomo', u.name, demoCourse]);
    assert.equal(g.expires_on, s.sql(`SELECT (${TODAY} + 730)::text`), 'Autonomo lasts 730 days');
    assert.equal(JSON.parse(g.payload).expires, g.expires_on, 'the expiry is signed');
    assert.equal(sigOk((await keys()).get(g.key_id).public_key, g.payload, g.signature), true);
    const coordId = Number(s.sql(`SELECT id FROM users WHERE email = ${lit(s.demo.coordinamento.email)}`));
    assert.equal(s.sql(`SELECT granted_by || '|' || grant_reason FROM certificates WHERE code = ${lit(g.code)}`), `${coordId}|${reason}`);
    const audit = s.sql(`SELECT actor_id || '|' || detail FROM audit_log WHERE action = 'certificate_grant' AND subject_id = ${u.id}`);
    assert.equal(audit, `${coordId}|${g.code} Autonomo: ${reason}`);
    const v = await new Client(s.baseUrl).get(`/verify/${g.code}`);
    assert.match(v.text, /Attestato valido\./);
    assert.match(v.text, /attribuito dal gruppo di coordinamento/);

    assertApiError(await api(coord, 'POST', '/api/v1/certificates', body), 409, 'already_held');
    assertApiError(await bearer(s, adminToken, 'POST', '/api/v1/certificates', body), 409, 'already_held');
    assert.equal(nCerts(u.id), 1);
    assert.equal(s.sql(`SELECT count(*) FROM audit_log WHERE action = 'certificate_grant' AND subject_id = ${u.id}`), '1');

    // Revoked, the level can be granted again (by an admin too): a new code.
    assert.equal((await bearer(s, adminToken, 'POST', `/api/v1/certificates/${g.code}/revoke`,
      { reason: 'Concesso alla persona sbagliata' })).status, 200);
    const again = await bearer(s, adminToken, 'POST', '/api/v1/certificates', body);
    assert.equal(again.status, 201, again.text);
    assert.notEqual(again.json().code, g.code);
    assert.equal(nCerts(u.id), 2);
    assert.equal(Number(s.sql(`SELECT count(*) FROM certificates WHERE user_id = ${u.id} AND revoked_at IS NULL`)), 1);
  });
});

// ---- 5. expiry ----

describe('expiry', () => {
  it('a certificate past its expiry is "scaduto" on the page and "expired" in the API', async () => {
    const u = await createUser(s, adminToken, { name: `Scaduta ${uniq()}` });
    const g = (await grant(u.id)).json();
    s.sql(`UPDATE certificates SET issued_on = ${TODAY} - 800, expires_on = ${TODAY} - 1 WHERE code = ${lit(g.code)}`);
    const v = await new Client(s.baseUrl).get(`/verify/${g.code}`);
    assert.equal(v.status, 200);
    assert.match(v.text, /Attestato scaduto/);
    assert.doesNotMatch(v.text, /Attestato valido/);
    const r = await new Client(s.baseUrl).get(`/api/v1/certificates/${g.code}`);
    assert.equal(r.json().status, 'expired');
    assert.equal((await new Client(s.baseUrl).get(`/certificates/${g.code}.json`)).json().credentialStatus.status, 'expired');
    // The last day is still valid.
    s.sql(`UPDATE certificates SET expires_on = ${TODAY} WHERE code = ${lit(g.code)}`);
    assert.equal((await new Client(s.baseUrl).get(`/api/v1/certificates/${g.code}`)).json().status, 'valid');
  });
});

// ---- 6. PDF ----

describe('PDF', () => {
  it('renders a PDF that pdftoppm opens and whose text has the holder, the code and the /verify/ URL', async () => {
    const name = "Niccolò D'Amico";
    const { cert } = await certified(name);
    const r = await new Client(s.baseUrl).get(`/certificates/${cert.code}.pdf`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/pdf');
    assert.match(r.headers.get('content-disposition') ?? '', new RegExp(`filename="attestato-${cert.code}\\.pdf"`));
    assert.equal(r.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    const dir = mkdtempSync(join(tmpdir(), 'cert-pdf-'));
    try {
      const file = join(dir, 'attestato.pdf');
      writeFileSync(file, r.bytes);
      // execFileSync throws on a non-zero exit: reaching the next line means exit 0.
      execFileSync('pdftoppm', ['-png', '-r', '40', '-singlefile', file, join(dir, 'page')], { stdio: 'pipe' });
      const png = join(dir, 'page.png');
      assert.ok(existsSync(png), 'pdftoppm wrote a PNG');
      assert.deepEqual([...readFileSync(png).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const info = execFileSync('pdfinfo', [file]).toString();
      assert.match(info, /Pages:\s+1\b/);
      const [w, h] = info.match(/Page size:\s+([\d.]+) x ([\d.]+)/).slice(1).map(Number);
      assert.ok(Math.abs(w - 841.89) < 2 && Math.abs(h - 595.28) < 2, `A4 landscape: ${w} x ${h}`);
      const text = execFileSync('pdftotext', ['-layout', file, '-']).toString().replace(/[’‘]/g, "'");
      assert.ok(text.includes(name), `holder in the text:\n${text}`);
      assert.ok(text.includes(cert.code), 'code in the text');
      assert.ok(text.includes(`${s.baseUrl}/verify/${cert.code}`), 'verification URL in the text');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- 7. reminders ----

describe('reminders', () => {
  it('mails "Si è aperta la verifica" once when the verification opens, and never for a revoked certificate', async () => {
    const { c, cert } = await certified();
    const revoked = await certified();
    assert.equal((await bearer(s, coordToken, 'POST', `/api/v1/certificates/${revoked.cert.code}/revoke`,
      { reason: 'Revocato prima della verifica' })).status, 200);
    const email = c.user.email;
    const opened = () => mailsTo(s, email, /Si è aperta la verifica del tuo livello di autonomia/);
    await sleep(2500);	// two job runs: the verification is 90 days away, nothing is due
    assert.equal(opened().length, 0, 'no mail before the verification opens');
    s.sql(`UPDATE certificates SET issued_on = issued_on - 90 WHERE code IN (${lit(cert.code)}, ${lit(revoked.cert.code)})`);
    assert.ok(await eventually(() => opened().length > 0, 10000), 'the mail arrives');
    const m = opened()[0];
    assert.match(m.text, /Autonomo/);
    assert.ok(m.text.includes(`${s.baseUrl}/certificati`), 'links the member page');
    await sleep(3000);
    assert.equal(opened().length, 1, 'sent once');
    assert.equal(s.sql(`SELECT count(*) FROM certificate_reminders r JOIN certificates x ON x.id = r.certificate_id
                        WHERE x.code = ${lit(cert.code)} AND r.kind = 'verification_open'`), '1');
    assert.equal(mailsTo(s, email, /sta per scadere/).length, 0, 'Base does not expire');
    assert.equal(mailsTo(s, revoked.c.user.email, /Si è aperta la verifica/).length, 0, 'a revoked certificate opens nothing');
  });

  it('mails "Il tuo attestato sta per scadere" once, 30 days or less before the expiry', async () => {
    const u = await createUser(s, adminToken, { name: `In scadenza ${uniq()}` });
    const g = (await grant(u.id)).json();
    const expiring = () => mailsTo(s, u.email, /Il tuo attestato sta per scadere/);
    await sleep(2500);
    assert.equal(expiring().length, 0, 'no mail two years before the expiry');
    s.sql(`UPDATE certificates SET expires_on = ${TODAY} + 10 WHERE code = ${lit(g.code)}`);
    assert.ok(await eventually(() => expiring().length > 0, 10000), 'the mail arrives');
    assert.match(expiring()[0].text, /Autonomo/);
    await sleep(3000);
    assert.equal(expiring().length, 1, 'sent once');
    assert.equal(mailsTo(s, u.email, /Si è aperta la verifica/).length, 0, 'no level above Autonomo');
  });
});

// ---- 8. the verification test opens 90 days after Base ----

describe('verification test', () => {
  it('refuses to start before the 90 days (409 "si apre"), starts after, and passing it issues Autonomo', async () => {
    const fresh = await learner();
    const none = await start(fresh, verificationQuiz);
    assert.match(assertApiError(none, 409).message, /si apre dopo la certificazione del livello precedente/);

    const { c, cert } = await certified();
    const before = await start(c, verificationQuiz);
    const e = assertApiError(before, 409);
    const opens = s.sql(`SELECT to_char(issued_on + 90, 'DD/MM/YYYY') FROM certificates WHERE code = ${lit(cert.code)}`);
    assert.ok(e.message.includes(`si apre il ${opens}`), e.message);
    assert.equal(s.sql(`SELECT count(*) FROM quiz_attempts WHERE quiz_id = ${verificationQuiz} AND user_id = ${c.user.id}`), '0');
    const page = await c.get('/certificati');
    assert.ok(page.text.includes('si apre il'), 'the member page says when');

    s.sql(`UPDATE certificates SET issued_on = issued_on - 90 WHERE code = ${lit(cert.code)}`);
    const r = await start(c, verificationQuiz);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json().questions.length, 8, 'the verification draws 8 questions');
    const g = await submit(c, r.json().id, { answers: rightAnswers(r.json().questions.map((q) => q.id)) });
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json().passed, true);
    const list = await mine(c);
    assert.deepEqual(list.map((x) => x.level).sort(), ['Autonomo', 'Base']);
    const auto = list.find((x) => x.level === 'Autonomo');
    assert.equal(auto.status, 'valid');
    assert.equal(auto.granted, false);
    assert.equal(auto.expires_on, s.sql(`SELECT (${TODAY} + 730)::text`));
  });
});

// ---- 9. unknown codes and hostile input ----

describe('unknown codes', () => {
  it('answers 404 in Italian, and never echoes input unescaped', async () => {
    const anon = new Client(s.baseUrl);
    const v = await anon.get('/verify/NOPE-NOPE-NOPE');
    assert.equal(v.status, 404);
    assert.match(v.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(v.text, /Nessun attestato ha il codice <code>NOPE-NOPE-NOPE<\/code>/);
    const x = await anon.get(`/verify/${encodeURIComponent('<img src=x onerror="alert(1)">')}`);
    assert.equal(x.status, 404);
    assert.match(x.text, /Nessun attestato ha il codice/);
    assert.ok(!x.text.includes('<img src=x'), 'the code is not echoed raw');
    assert.ok(x.text.includes('<code>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</code>'), 'it is echoed escaped');
    for (const p of ['/certificates/x.exe', '/certificates/NOPE-NOPE-NOPE.pdf', '/certificates/NOPE-NOPE-NOPE.json',
      '/certificates/NOPE-NOPE-NOPE', `/certificates/${encodeURIComponent('<img src=x onerror=alert(1)>')}.pdf`]) {
      const r = await anon.get(p);
      assert.equal(r.status, 404, p);
      assert.ok(!r.text.includes('<img src=x'), `${p}: nothing echoed raw`);
    }
    const a = await anon.get(`/api/v1/certificates/${encodeURIComponent('<script>')}`);
    assertApiError(a, 404, 'not_found');
    assert.ok(!a.text.includes('<script>'), 'nothing echoed unescaped');
    assertApiError(await anon.get('/api/v1/certificates/NOPE-NOPE-NOPE'), 404, 'not_found');
    assertApiError(await anon.get(`/api/v1/certificates/${'A'.repeat(41)}`), 400);	// over the 40-character field
  });
});
