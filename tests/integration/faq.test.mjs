// The help desk's FAQ and coordination dashboard (content/faq*.c,
// content/helpdesk_stats.c): Italian search with stems and without
// accents, "was this useful?" counts (one per user or visitor, capped per
// address), who may edit, a resolved ticket turned into an entry (public
// reply only, never an internal note), hostile input that changes
// nothing, and the dashboard's figures against values worked out here by
// hand from tickets inserted by SQL into 0018's tables.  Real stack
// (tests/lib/harness.mjs): PostgreSQL, the SMTP sink and the binary.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client, startStack } from '../lib/harness.mjs';
import { assertApiError, bearer, lit, loginAs, tokenFor, uniq, userRow } from './util.mjs';

let s, helpdesk, coordTok, tutorTok, opTok, h1Tok;
before(async () => {
  s = await startStack();
  helpdesk = await loginAs(s, 'helpdesk1');
  coordTok = tokenFor(s, s.demo.coordinamento.email);
  tutorTok = tokenFor(s, s.demo.tutor.email);
  opTok = tokenFor(s, s.demo.operatore.email);
  h1Tok = tokenFor(s, s.demo.helpdesk1.email);
});
after(async () => { await s?.stop(); });

const count = (q) => Number(s.sql(q));
const faqRows = () => count('SELECT count(*) FROM faq_entries');
const voteRows = () => count('SELECT count(*) FROM faq_votes');

// Creates an entry through the editors' form; returns its id.
async function createEntry(client, fields) {
  const r = await client.submit('/gestione/faq/nuova', '/gestione/faq', {
    category: 'platform', module_id: '0', published: '1', ...fields,
  });
  assert.equal(r.status, 303, `entry created: ${r.status} ${r.text.slice(0, 500)}`);
  const m = r.headers.get('location').match(/^\/faq\/(\d+)\?esito=salvata$/);
  assert.ok(m, r.headers.get('location'));
  return Number(m[1]);
}

const entry = (id) => s.sql(`SELECT useful_yes || '/' || useful_no FROM (SELECT
  count(*) FILTER (WHERE useful) AS useful_yes, count(*) FILTER (WHERE NOT useful) AS useful_no
  FROM faq_votes WHERE faq_id = ${id}) v`);

describe('FAQ pages and search', () => {
  it('lists the demo entries by category, and seeding again adds none', () => {
    const before = faqRows();
    assert.ok(before >= 8, 'demo entries loaded');
    s.run('seed-demo');
    assert.equal(faqRows(), before);
  });

  it('shows the list and an entry to visitors', async () => {
    const c = new Client(s.baseUrl);
    const r = await c.get('/faq');
    assert.equal(r.status, 200);
    assert.match(r.text, /<h2 class="h4" id="cat-access">Accesso al portale<\/h2>/);
    assert.match(r.text, /Ho dimenticato la password: come posso entrare\?/);
    const id = s.sql("SELECT id FROM faq_entries WHERE question LIKE 'Ho dimenticato la password%'");
    const e = await c.get(`/faq/${id}`);
    assert.equal(e.status, 200);
    assert.match(e.text, /<strong>Accedi<\/strong>/, 'Markdown rendered');
    assert.match(e.text, /Questa risposta ti è stata utile\?/);
    assert.equal((await c.get('/faq/999999999')).status, 404);
  });

  it('finds words by their stem and without accents', async () => {
    const q = `Come si aggiorna l'attività di un progetto ${uniq('x')}?`;
    const id = await createEntry(helpdesk, {
      question: q, answer: 'Le attività si aggiornano dalla scheda del progetto, voce «Interventi».',
    });
    for (const words of ['attivita', 'attività', 'aggiornare progetti', 'ATTIVITA PROGETTO']) {
      const r = await bearer(s, opTok, 'GET', `/api/v1/faq?q=${encodeURIComponent(words)}`);
      assert.equal(r.status, 200, r.text);
      const ids = r.json().entries.map((e) => e.id);
      assert.ok(ids.includes(id), `"${words}" finds the entry: ${r.text.slice(0, 300)}`);
    }
    const r = await bearer(s, opTok, 'GET', `/api/v1/faq?q=${encodeURIComponent('attivita')}`);
    const hit = r.json().entries.find((e) => e.id === id);
    assert.match(hit.snippet_html, /<mark>attività<\/mark>/);
    assert.equal(hit.category, 'platform');
    assert.equal(hit.url, `${s.baseUrl}/faq/${id}`);
    // The page too, with the hit marked; a search with no full match offers partial ones.
    const page = await new Client(s.baseUrl).get(`/faq?q=${encodeURIComponent('attivita')}`);
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`href="/faq/${id}"`));
    const loose = await new Client(s.baseUrl).get(`/faq?q=${encodeURIComponent('password zzzqqq')}`);
    assert.match(loose.text, /ne contengono alcune/);
    assert.match(loose.text, /Ho dimenticato la password/);
    // Filters.
    const f = await bearer(s, opTok, 'GET', '/api/v1/faq?category=access&limit=100');
    assert.ok(f.json().entries.length >= 2);
    assert.ok(f.json().entries.every((e) => e.category === 'access'));
  });

  it('answers 400 to bad parameters', async () => {
    for (const qs of ['limit=0', 'limit=101', 'offset=-1', 'category=nessuna', 'module=abc',
      `q=${'a'.repeat(201)}`, 'q=%FF%FE']) {
      assertApiError(await bearer(s, opTok, 'GET', `/api/v1/faq?${qs}`), 400);
    }
    const r = await new Client(s.baseUrl).get('/faq?categoria=nessuna');
    assert.equal(r.status, 400);
    assert.match(r.text, /Controlla i filtri/);
    assertApiError(await bearer(s, opTok, 'GET', '/api/v1/faq/0'), 400);
    assertApiError(await bearer(s, opTok, 'GET', '/api/v1/faq/999999999'), 404);
  });
});

describe('editing', () => {
  it('is for helpdesk1, helpdesk2, coordinamento and admin only', async () => {
    const before = faqRows();
    for (const role of ['operatore', 'referente', 'tutor', 'formatore']) {
      const c = await loginAs(s, role);
      assert.equal((await c.get('/gestione/faq/nuova')).status, 403, role);
      const token = await c.csrf('/faq');
      const r = await c.request('POST', '/gestione/faq', { form: {
        csrf_token: token, question: uniq('Domanda '), answer: 'Risposta', category: 'other',
      } });
      assert.equal(r.status, 403, role);
      const id = s.sql('SELECT min(id) FROM faq_entries');
      assert.equal((await c.request('POST', `/gestione/faq/${id}/elimina`, { form: { csrf_token: token } })).status, 403);
    }
    const visitor = new Client(s.baseUrl);
    const r = await visitor.get('/gestione/faq/nuova');
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location'), /^\/accedi/);
    assert.equal(faqRows(), before, 'nothing created');
    for (const role of ['helpdesk2', 'coordinamento', 'admin']) {
      const c = await loginAs(s, role);
      const id = await createEntry(c, { question: uniq(`Domanda di ${role} `), answer: 'Una *risposta*.' });
      assert.equal((await c.get(`/gestione/faq/${id}`)).status, 200);
    }
  });

  it('refuses bad input with messages and saves nothing', async () => {
    const before = faqRows();
    const cases = [
      [{ question: '', answer: 'x', category: 'other' }, /«Domanda» è obbligatorio/],
      [{ question: 'Domanda valida?', answer: '', category: 'other' }, /«Risposta» è obbligatorio/],
      [{ question: 'Domanda valida?', answer: 'x', category: 'sconosciuta' }, /Categoria/],
      [{ question: 'Domanda valida?', answer: 'x', category: 'access', module_id: String(s.sql('SELECT min(id) FROM modules')) },
        /solo con la categoria/],
      [{ question: 'Domanda valida?', answer: 'x', category: 'module', module_id: '999999999' }, /non esiste più/],
      [{ question: 'x'.repeat(301), answer: 'x', category: 'other' }, /Domanda/],
      [{ question: 'Ho dimenticato la password: come posso entrare?', answer: 'x', category: 'access' },
        /Esiste già una voce con questa domanda/],
    ];
    for (const [fields, msg] of cases) {
      const r = await helpdesk.submit('/gestione/faq/nuova', '/gestione/faq', { module_id: '0', ...fields });
      assert.equal(r.status, 400, JSON.stringify(fields).slice(0, 80));
      assert.match(r.text, msg);
    }
    // Without the CSRF token.
    const r = await helpdesk.request('POST', '/gestione/faq', { form: { question: 'Senza token?', answer: 'x', category: 'other' } });
    assert.equal(r.status, 403);
    assert.equal(faqRows(), before);
  });

  it('escapes hostile text and hides drafts from everyone but editors', async () => {
    const q = `<script>alert(1)</script> ${uniq('Bozza ')} "quote' ?`;
    const id = await createEntry(helpdesk, {
      question: q, answer: 'Testo <img src=x onerror=alert(1)> e [link](javascript:alert(1))', published: '',
    });
    const page = await helpdesk.get(`/faq/${id}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /<script>alert/);
    assert.doesNotMatch(page.text, /<img src=x/);
    assert.doesNotMatch(page.text, /href="javascript:/);
    assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(page.text, /Bozza: non è visibile al pubblico/);
    assert.equal((await new Client(s.baseUrl).get(`/faq/${id}`)).status, 404);
    assertApiError(await bearer(s, opTok, 'GET', `/api/v1/faq/${id}`), 404);
    const list = await bearer(s, opTok, 'GET', `/api/v1/faq?q=${encodeURIComponent(q.split(' ')[2])}`);
    assert.ok(!list.json().entries.some((e) => e.id === id), 'not in the public search');
    const mine = await bearer(s, h1Tok, 'GET', `/api/v1/faq/${id}`);
    assert.equal(mine.status, 200);
    assert.equal(mine.json().published, false);
    // Editing publishes it; deleting removes it and its votes.
    const r = await helpdesk.submit(`/gestione/faq/${id}`, `/gestione/faq/${id}`, {
      question: q, answer: 'Ora pubblica.', category: 'other', module_id: '0', published: '1',
    });
    assert.equal(r.status, 303);
    assert.equal((await new Client(s.baseUrl).get(`/faq/${id}`)).status, 200);
    const del = await helpdesk.submit(`/faq/${id}`, `/gestione/faq/${id}/elimina`, {});
    assert.equal(del.status, 303);
    assert.equal(count(`SELECT count(*) FROM faq_entries WHERE id = ${id}`), 0);
    assert.equal(count(`SELECT count(*) FROM audit_log WHERE action = 'faq_delete' AND subject_id = ${id}`), 1);
  });
});

describe('"was this useful?"', () => {
  let id;
  before(async () => {
    id = await createEntry(helpdesk, { question: uniq('Domanda da votare '), answer: 'Risposta da votare.' });
  });

  const vote = (c, v) => c.submit(`/faq/${id}`, `/faq/${id}/utile`, { utile: v });

  it('counts one vote per visitor, which they may change', async () => {
    const a = new Client(s.baseUrl);
    let r = await vote(a, 'si');
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), `/faq/${id}?esito=grazie#utile`);
    assert.equal(entry(id), '1/0');
    r = await vote(a, 'si');
    assert.equal(r.headers.get('location'), `/faq/${id}?esito=gia#utile`);
    assert.equal(entry(id), '1/0', 'the same vote again does not count');
    await vote(a, 'no');
    assert.equal(entry(id), '0/1', 'a changed vote replaces the first');
    const page = await a.get(`/faq/${id}`);
    assert.match(page.text, /Hai risposto «No»/);
    assert.match(page.text, /Utile per 0, non utile per 1/);
    await vote(new Client(s.baseUrl), 'no');
    assert.equal(entry(id), '0/2', 'another visitor counts');
    // Only a hash of the cookie is stored.
    const voters = s.sql(`SELECT string_agg(voter, ' ') FROM faq_votes WHERE faq_id = ${id}`);
    assert.match(voters, /^v:[0-9a-f]{64} v:[0-9a-f]{64}$/);
    assert.ok(!voters.includes(a.cookies.get('portal_csrf')));
  });

  it('counts one vote per signed-in user, through the page and the API', async () => {
    const op = await loginAs(s, 'operatore');
    await vote(op, 'si');
    await vote(op, 'si');
    assert.equal(entry(id), '1/2');
    const r = await bearer(s, opTok, 'POST', `/api/v1/faq/${id}/vote`, { useful: true });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json(), { changed: false, useful_yes: 1, useful_no: 2 });
    const r2 = await bearer(s, h1Tok, 'POST', `/api/v1/faq/${id}/vote`, { useful: true });
    assert.deepEqual(r2.json(), { changed: true, useful_yes: 2, useful_no: 2 });
    const uid = userRow(s, s.demo.operatore.email).id;
    assert.equal(count(`SELECT count(*) FROM faq_votes WHERE faq_id = ${id} AND voter = 'u:${uid}'`), 1);
  });

  it('refuses bad votes and caps visitors per address', async () => {
    const before = voteRows();
    const c = new Client(s.baseUrl);
    assert.equal((await vote(c, 'forse')).status, 400);
    assert.equal((await vote(c, '')).status, 400);
    assertApiError(await bearer(s, opTok, 'POST', `/api/v1/faq/${id}/vote`, { useful: 'yes' }), 400);
    assertApiError(await bearer(s, opTok, 'POST', `/api/v1/faq/${id}/vote`, {}), 400);
    assertApiError(await bearer(s, opTok, 'POST', '/api/v1/faq/999999999/vote', { useful: true }), 404);
    const token = await c.csrf(`/faq/${id}`);
    assert.equal((await c.request('POST', '/faq/999999999/utile', { form: { csrf_token: token, utile: 'si' } })).status, 404);
    // Without the CSRF token nothing is counted.
    assert.equal((await c.request('POST', `/faq/${id}/utile`, { form: { utile: 'si' } })).status, 403);
    assert.equal(voteRows(), before);
    // A visitor dropping cookies to vote again hits the per-address cap.
    s.sql(`INSERT INTO rate_events (kind, key) SELECT 'faq_vote_addr', '127.0.0.1' FROM generate_series(1, 30)`);
    const r = await vote(new Client(s.baseUrl), 'si');
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    assert.equal(voteRows(), before);
    // Signed-in users are not capped by address.
    assert.equal((await vote(await loginAs(s, 'referente'), 'si')).status, 303);
    s.sql("DELETE FROM rate_events WHERE kind = 'faq_vote_addr'");
  });
});

describe('a resolved ticket becomes an entry', () => {
  let ticket, open;
  before(() => {
    const op = userRow(s, s.demo.operatore.email);
    const h1 = userRow(s, s.demo.helpdesk1.email);
    const mk = (status, resolved) => Number(s.sql(`INSERT INTO tickets (reporter_id, org_id, category,
      subject, body_md, body_html, level, status, resolved_at, closed_at)
      VALUES (${op.id}, ${op.org || 'NULL'}, 'documents', ${lit(uniq('Il modulo firme non si apre '))},
      'Non riesco ad aprire il foglio firme.', '', 1, '${status}', ${resolved ? "now()" : 'NULL'}, NULL)
      RETURNING id`).split('\n')[0]);
    ticket = mk('risolto', true);
    open = mk('in_lavorazione', false);
    s.sql(`INSERT INTO ticket_levels (ticket_id, level) VALUES (${ticket}, 1), (${open}, 1)`);
    s.sql(`INSERT INTO ticket_messages (ticket_id, author_id, kind, level, body_md) VALUES
      (${ticket}, ${h1.id}, 'public', 1, 'Prima risposta pubblica.'),
      (${ticket}, ${op.id}, 'public', 1, 'Grazie, ma non funziona ancora.'),
      (${ticket}, ${h1.id}, 'internal', 1, 'NOTA-INTERNA-SEGRETA: utente difficile'),
      (${ticket}, ${h1.id}, 'public', 1, 'Scarica il foglio firme dal **Kit di comunicazione** e aprilo con LibreOffice.'),
      (${ticket}, ${h1.id}, 'internal', 1, 'NOTA-INTERNA-FINALE')`);
  });

  it('prefills the form from the last public reply of an agent, never an internal note', async () => {
    const token = await helpdesk.csrf('/faq');
    const r = await helpdesk.request('POST', `/faq/da-segnalazione/${ticket}`, { form: { csrf_token: token } });
    assert.equal(r.status, 200, r.text.slice(0, 500));
    assert.match(r.text, /Scarica il foglio firme dal \*\*Kit di comunicazione\*\*/);
    assert.doesNotMatch(r.text, /NOTA-INTERNA/);
    assert.doesNotMatch(r.text, /Grazie, ma non funziona/);
    assert.match(r.text, /Il modulo firme non si apre/);
    assert.match(r.text, new RegExp(`name="source_ticket_id" value="${ticket}"`));
    assert.match(r.text, /<option value="documents" selected>/);
    assert.doesNotMatch(r.text, /id="f-published"[^>]*checked/, 'starts as a draft');
    // Saving it links the entry to the ticket.
    const m = r.text.match(/name="question" value="([^"]+)"/);
    const save = await helpdesk.request('POST', '/gestione/faq', { form: {
      csrf_token: token, question: m[1].replace(/&#39;/g, "'"), answer: 'Scarica il foglio firme dal kit.',
      category: 'documents', module_id: '0', source_ticket_id: String(ticket),
    } });
    assert.equal(save.status, 303);
    const id = save.headers.get('location').match(/\/faq\/(\d+)/)[1];
    assert.equal(s.sql(`SELECT source_ticket_id || ' ' || published FROM faq_entries WHERE id = ${id}`), `${ticket} false`);
  });

  it('refuses tickets that are not resolved, unknown, or asked by non-editors', async () => {
    const token = await helpdesk.csrf('/faq');
    const post = (c, t, id) => c.request('POST', `/faq/da-segnalazione/${id}`, { form: { csrf_token: t } });
    assert.equal((await post(helpdesk, token, open)).status, 409);
    assert.equal((await post(helpdesk, token, 999999999)).status, 404);
    assert.equal((await post(helpdesk, token, 'abc')).status, 400);
    const op = await loginAs(s, 'operatore');
    const r = await post(op, await op.csrf('/faq'), ticket);
    assert.equal(r.status, 403);
    assert.doesNotMatch(r.text, /foglio firme dal/);
  });
});

// ---- the dashboard -----------------------------------------------------------------

// Rome wall time in March 2026 (CET, UTC+1) as a timestamptz literal.
const rome = (d, hm) => `'2026-03-${d} ${hm}:00+01'`;
const PERIOD = 'from=2026-03-02&to=2026-03-15';

describe('coordination dashboard', () => {
  let orgA, orgB, module;
  before(() => {
    const op = userRow(s, s.demo.operatore.email);
    orgA = userRow(s, s.demo.tutor.email).org;
    orgB = Number(s.sql(`SELECT id FROM orgs WHERE id <> ${orgA} ORDER BY id LIMIT 1`));
    module = Number(s.sql('SELECT min(id) FROM modules'));
    const ticket = (org, cat, created, status, extra = {}) => Number(s.sql(`INSERT INTO tickets
      (reporter_id, org_id, category, module_id, subject, body_md, level, status, created_at,
       resolved_at, closed_at, rating)
      VALUES (${op.id}, ${org}, '${cat}', ${extra.module ?? 'NULL'}, ${lit(uniq('Statistica '))}, 'x',
       ${extra.level ?? 0}, '${status}', ${created}, ${extra.resolved ?? 'NULL'},
       ${extra.closed ?? 'NULL'}, ${extra.rating ?? 'NULL'}) RETURNING id`).split('\n')[0]);
    const level = (t, l, entered, first, left, resolved) => s.sql(`INSERT INTO ticket_levels
      (ticket_id, level, entered_at, first_response_at, left_at, resolved_at)
      VALUES (${t}, ${l}, ${entered}, ${first ?? 'NULL'}, ${left ?? 'NULL'}, ${resolved ?? 'NULL'})`);
    // T1: access, organisation A, answered and resolved by the tutor on Monday 2 March.
    const t1 = ticket(orgA, 'access', rome('02', '10:00'), 'risolto',
      { resolved: rome('02', '15:00'), rating: 5 });
    level(t1, 0, rome('02', '10:00'), rome('02', '11:30'), null, rome('02', '15:00'));
    // T2: a module, organisation A, opened Friday 6 at 16:00; level 0 answers on Monday
    // 9 at 10:00 (two working hours across the weekend) and passes it on at 11:00; level 1
    // answers at 12:00, waits for the reporter until Tuesday 12:00, resolves at 14:00.
    const t2 = ticket(orgA, 'module', rome('06', '16:00'), 'chiuso',
      { module, level: 1, resolved: rome('10', '14:00'), closed: rome('13', '09:00'), rating: 3 });
    level(t2, 0, rome('06', '16:00'), rome('09', '10:00'), rome('09', '11:00'), null);
    level(t2, 1, rome('09', '11:00'), rome('09', '12:00'), null, rome('10', '14:00'));
    s.sql(`INSERT INTO ticket_waits (ticket_id, started_at, ended_at) VALUES (${t2}, ${rome('09', '12:00')}, ${rome('10', '12:00')})`);
    // T3: platform, organisation B, straight to level 1 on Wednesday 11, untouched.
    const t3 = ticket(orgB, 'platform', rome('11', '09:30'), 'nuovo', { level: 1 });
    level(t3, 1, rome('11', '09:30'), null, null, null);
    // T4: access, organisation B, Thursday 12 at 16:30 at level 1: answered Friday 09:15,
    // passed to level 2 at 10:00, which answers at 14:00.
    const t4 = ticket(orgB, 'access', rome('12', '16:30'), 'in_lavorazione', { level: 2 });
    level(t4, 1, rome('12', '16:30'), rome('13', '09:15'), rome('13', '10:00'), null);
    level(t4, 2, rome('13', '10:00'), rome('13', '14:00'), null, null);
    // Outside the period: must not count.
    const t5 = ticket(orgA, 'other', rome('16', '10:00'), 'nuovo', { level: 1 });
    level(t5, 1, rome('16', '10:00'), rome('16', '10:05'), null, null);
  });

  it('gives the figures worked out by hand', async () => {
    const r = await bearer(s, coordTok, 'GET', `/api/v1/helpdesk/stats?${PERIOD}`);
    assert.equal(r.status, 200, r.text);
    const st = r.json();
    assert.equal(st.from, '2026-03-02');
    assert.equal(st.to, '2026-03-15');
    assert.equal(st.org_id, null);
    assert.equal(st.opened, 4);
    assert.equal(st.resolved, 2);
    assert.equal(st.escalated, 2);
    assert.equal(st.escalation_rate, 0.5);
    assert.deepEqual(st.weeks, [
      { week_start: '2026-03-02', opened: 2, resolved: 1 },
      { week_start: '2026-03-09', opened: 2, resolved: 1 },
    ]);
    const cat = Object.fromEntries(st.categories.map((c) => [c.category, [c.opened, c.resolved, c.escalated]]));
    assert.deepEqual(cat, { access: [2, 1, 1], module: [1, 1, 1], platform: [1, 0, 0], documents: [0, 0, 0], other: [0, 0, 0] });
    assert.equal(st.categories[0].label, 'Accesso al portale');
    // Level 0: first responses 90 and 120 working minutes (targets 120 access, 240 module);
    // resolution 300 (over access's 240) and hand-over 180 (within module's 480).
    assert.deepEqual(st.levels[0], {
      level: 0, reached: 2, resolved: 1, escalated: 1, escalation_rate: 0.5,
      first_responses: 2, median_first_response_minutes: 105, first_responses_within_target: 2,
      resolutions: 2, median_resolution_minutes: 240, resolutions_within_target: 1,
    });
    // Level 1: first responses 60 (T2) and 45 (T4, 30 on Thursday + 15 on Friday);
    // T2 resolved in 180 working minutes (the day of waiting excluded), T4 passed on in 90.
    assert.deepEqual(st.levels[1], {
      level: 1, reached: 3, resolved: 1, escalated: 1, escalation_rate: 0.33,
      first_responses: 2, median_first_response_minutes: 52.5, first_responses_within_target: 2,
      resolutions: 2, median_resolution_minutes: 135, resolutions_within_target: 2,
    });
    assert.deepEqual(st.levels[2], {
      level: 2, reached: 1, resolved: 0, escalated: 0, escalation_rate: 0,
      first_responses: 1, median_first_response_minutes: 240, first_responses_within_target: 1,
      resolutions: 0, median_resolution_minutes: null, resolutions_within_target: 0,
    });
    const orgs = Object.fromEntries(st.organisations.map((o) => [o.org_id, [o.opened, o.resolved, o.escalated, o.rated, o.rating_mean]]));
    assert.deepEqual(orgs, { [orgA]: [2, 2, 1, 2, 4], [orgB]: [2, 0, 1, 0, null] });
    assert.deepEqual(st.modules.map((m) => [m.module_id, m.opened]), [[module, 1]]);
    assert.deepEqual(st.satisfaction, { rated: 2, mean: 4, distribution: [0, 0, 1, 0, 1] });
  });

  it('shows a tutor their organisation only, whatever they ask', async () => {
    for (const qs of [PERIOD, `${PERIOD}&org=${orgB}`]) {
      const r = await bearer(s, tutorTok, 'GET', `/api/v1/helpdesk/stats?${qs}`);
      assert.equal(r.status, 200, r.text);
      const st = r.json();
      assert.equal(st.org_id, orgA);
      assert.equal(st.opened, 2);
      assert.deepEqual(st.organisations.map((o) => o.org_id), [orgA]);
    }
    const c = await loginAs(s, 'tutor');
    const page = await c.get('/gestione/assistenza/statistiche?dal=2026-03-02&al=2026-03-15&ente=' + orgB);
    assert.equal(page.status, 200);
    assert.match(page.text, /rapporto del tuo ente/);
    assert.doesNotMatch(page.text, /id="f-ente"/);
  });

  it('is closed to other roles and visitors', async () => {
    assertApiError(await bearer(s, opTok, 'GET', `/api/v1/helpdesk/stats?${PERIOD}`), 403);
    assertApiError(await bearer(s, h1Tok, 'GET', `/api/v1/helpdesk/stats?${PERIOD}`), 403);
    const r = await fetch(`${s.baseUrl}/api/v1/helpdesk/stats`);
    assert.equal(r.status, 401);
    const op = await loginAs(s, 'operatore');
    assert.equal((await op.get('/gestione/assistenza/statistiche')).status, 403);
    assert.equal((await op.get('/gestione/assistenza/statistiche/csv/livelli')).status, 403);
  });

  it('answers 400 to a bad period or organisation', async () => {
    for (const qs of ['from=2026-13-01', 'from=2026-03-15&to=2026-03-01', 'from=2020-01-01&to=2026-01-01',
      'org=0', 'org=abc', 'org=999999999', 'to=ieri']) {
      assertApiError(await bearer(s, coordTok, 'GET', `/api/v1/helpdesk/stats?${qs}`), 400);
    }
    const c = await loginAs(s, 'coordinamento');
    assert.equal((await c.get('/gestione/assistenza/statistiche/csv/segreti')).status, 400);
    const r = await c.get('/gestione/assistenza/statistiche?dal=2026-03-15&al=2026-03-01');
    assert.equal(r.status, 400);
    assert.match(r.text, /viene dopo quella di fine/);
  });

  it('draws the page with charts and tables, and exports each table as CSV', async () => {
    const c = await loginAs(s, 'coordinamento');
    const page = await c.get('/gestione/assistenza/statistiche?dal=2026-03-02&al=2026-03-15');
    assert.equal(page.status, 200);
    assert.match(page.text, /<svg[^>]*role="img"/);
    assert.match(page.text, /<details/);
    assert.match(page.text, /Tempo mediano di prima risposta per livello/);
    assert.match(page.text, /<th scope="row">Livello 1 \(front office\)<\/th><td>3<\/td>/);
    assert.match(page.text, /href="\/gestione\/assistenza\/statistiche\/csv\/livelli\?dal=2026-03-02&amp;al=2026-03-15"/);
    const csv = await c.get('/gestione/assistenza/statistiche/csv/livelli?dal=2026-03-02&al=2026-03-15');
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /^text\/csv/);
    assert.match(csv.headers.get('content-disposition'), /helpdesk-livelli-2026-03-02_2026-03-15\.csv/);
    assert.equal(csv.bytes.subarray(0, 3).toString('hex'), 'efbbbf');
    const rows = csv.text.slice(1).trim().split('\r\n').map((l) => l.split(';'));
    assert.equal(rows.length, 4);
    assert.deepEqual(rows[1], ['Livello 0 (tutor)', '2', '1', '1', '2', '105,0', '2', '2', '240,0', '1']);
    assert.deepEqual(rows[2], ['Livello 1 (front office)', '3', '1', '1', '2', '52,5', '2', '2', '135,0', '2']);
    for (const t of ['settimane', 'categorie', 'enti', 'moduli', 'soddisfazione']) {
      const r = await c.get(`/gestione/assistenza/statistiche/csv/${t}?dal=2026-03-02&al=2026-03-15`);
      assert.equal(r.status, 200, t);
    }
    const sat = await c.get('/gestione/assistenza/statistiche/csv/soddisfazione?dal=2026-03-02&al=2026-03-15');
    assert.match(sat.text, /\r\n3;1\r\n4;0\r\n5;1\r\n$/);
  });
});
