// The help desk's tickets (content/ticket*.c) over the real stack
// (tests/lib/harness.mjs: PostgreSQL, the SMTP sink, the binary): routing
// to the tutors of the reporter's organisation or the front office, who
// sees what at each level (404 for everyone else), internal notes that
// never reach the reporter's page, mail or API answer, one mail per status
// change and public reply, the 7-day auto-close, overdue notices to the
// coordination team once, ratings, private attachments, canned replies,
// and hostile input that stores nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, startStack } from '../lib/harness.mjs';
import { apiLogin, assertApiError, bearer, createUser, eventually, loginAs, orgId, tokenFor, uniq } from './util.mjs';

const BOUNDARY = 'helpdeskBoundary7MA4YWxk';
let s;
const tok = {};
let other, otherTutor, lonely;

before(async () => {
  s = await startStack();
  for (const role of ['operatore', 'referente', 'tutor', 'helpdesk1', 'helpdesk2', 'coordinamento', 'admin']) {
    tok[role] = tokenFor(s, s.demo[role].email);
  }
  // Another organisation with its own tutor, and one with no tutor at all.
  const orvieto = orgId(s, 'Comune di Orvieto');
  other = await createUser(s, tok.admin, { org_id: orvieto, name: 'Operatrice di Orvieto' });
  otherTutor = await createUser(s, tok.admin, { org_id: orvieto, roles: ['tutor'], name: 'Tutor di Orvieto' });
  lonely = await createUser(s, tok.admin, { org_id: orgId(s, 'Regione Umbria'), name: 'Operatore senza tutor' });
  tok.other = tokenFor(s, other.email);
  tok.otherTutor = tokenFor(s, otherTutor.email);
  tok.lonely = tokenFor(s, lonely.email);
});
after(async () => { await s?.stop(); });

const count = (q) => Number(s.sql(q));
const tickets = () => count('SELECT count(*) FROM tickets');
const messages = () => count('SELECT count(*) FROM ticket_messages');

// A ticket through the API as `who` (a token); returns the ticket object.
async function open(who, fields = {}) {
  const r = await bearer(s, who, 'POST', '/api/v1/tickets', {
    category: 'platform', subject: uniq('Problema '), body: 'Non funziona **nulla**.', page_url: '/corsi', ...fields,
  });
  assert.equal(r.status, 201, r.text);
  return r.json().ticket;
}
const view = (who, id) => bearer(s, who, 'GET', `/api/v1/tickets/${id}`);
const escalate = (who, id, note) => bearer(s, who, 'POST', `/api/v1/tickets/${id}/escalate`, { note });
const post = (who, id, json) => bearer(s, who, 'POST', `/api/v1/tickets/${id}/messages`, json);
const patch = (who, id, json) => bearer(s, who, 'PATCH', `/api/v1/tickets/${id}`, json);

// Asserts which of the tokens named in `who` see ticket id (200) and which get 404.
async function seenBy(id, sees, blind) {
  for (const w of sees) assert.equal((await view(tok[w], id)).status, 200, `${w} sees ticket ${id}`);
  for (const w of blind) assertApiError(await view(tok[w], id), 404, 'not_found');
}

// A multipart body: [name, value] pairs, a file as [name, { filename, data, type }].
function multipart(parts) {
  const out = [];
  for (const [name, v] of parts) {
    if (v !== null && typeof v === 'object') {
      out.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${v.filename}"\r\n` +
        `Content-Type: ${v.type ?? 'application/octet-stream'}\r\n\r\n`), Buffer.from(v.data), Buffer.from('\r\n'));
    } else {
      out.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`));
    }
  }
  out.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(out);
}

async function send(who, method, path, { body, type, headers = {} } = {}) {
  const h = { ...headers };
  if (typeof who === 'string') h.authorization = `Bearer ${who}`;
  else if (who) h.cookie = who.cookieHeader();
  if (body !== undefined) h['content-type'] = type ?? `multipart/form-data; boundary=${BOUNDARY}`;
  const res = await fetch(s.baseUrl + path, { method, headers: h, body, redirect: 'manual' });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8') };
}

const mailsTo = (addr) => s.mails().filter((m) => m.to.toLowerCase().includes(addr.toLowerCase()));
const ticketMails = (addr, id) => mailsTo(addr).filter((m) => m.subject.includes(`Segnalazione n. ${id}`));

describe('routing and visibility', () => {
  it('goes to the tutors of the organisation, else to the front office', async () => {
    const t0 = await open(tok.operatore);
    assert.equal(t0.level, 0);
    assert.equal(t0.status, 'nuovo');
    const t1 = await open(tok.lonely);
    assert.equal(t1.level, 1, 'no tutor in the organisation: straight to level 1');
    assert.equal(count(`SELECT count(*) FROM ticket_levels WHERE ticket_id = ${t0.id} AND level = 0`), 1, 'level 0 clock started');
  });

  it('each level sees its tickets, nobody else does (404)', async () => {
    const t = await open(tok.operatore, { subject: uniq('Visibilità ') });
    await seenBy(t.id, ['operatore', 'tutor', 'coordinamento', 'admin'],
      ['helpdesk1', 'helpdesk2', 'other', 'otherTutor', 'referente']);
    // The queues agree with the pages.
    const q = async (who) => (await bearer(s, tok[who], 'GET', '/api/v1/tickets?scope=queue&limit=200')).json().tickets.map((x) => x.id);
    assert.ok((await q('tutor')).includes(t.id));
    assert.ok(!(await q('otherTutor')).includes(t.id), 'a tutor of another organisation does not queue it');
    assert.ok(!(await q('helpdesk1')).includes(t.id));
    assertApiError(await bearer(s, tok.operatore, 'GET', '/api/v1/tickets?scope=queue'), 403, 'forbidden');
    const mine = (await bearer(s, tok.other, 'GET', '/api/v1/tickets')).json().tickets.map((x) => x.id);
    assert.ok(!mine.includes(t.id), 'another member does not list it');

    // Hand-over to level 1: the note is required, nothing changes without it.
    const before = messages();
    assertApiError(await escalate(tok.tutor, t.id, ''), 400, 'invalid');
    assertApiError(await escalate(tok.tutor, t.id, '   '), 400, 'invalid');
    assert.equal(messages(), before);
    assertApiError(await escalate(tok.other, t.id, 'nota'), 404, 'not_found');
    assertApiError(await escalate(tok.operatore, t.id, 'nota'), 403, 'forbidden');
    const r = await escalate(tok.tutor, t.id, 'Verificato: non è un problema di password.');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().ticket.level, 1);
    await seenBy(t.id, ['operatore', 'helpdesk1', 'coordinamento'], ['tutor', 'helpdesk2', 'other', 'otherTutor']);

    // Level 1 to level 2: the specialists see it, the front office keeps following it.
    assert.equal((await escalate(tok.helpdesk1, t.id, 'Serve uno specialista.')).status, 200);
    await seenBy(t.id, ['operatore', 'helpdesk1', 'helpdesk2', 'coordinamento'], ['tutor', 'other', 'otherTutor']);
    assertApiError(await escalate(tok.helpdesk2, t.id, 'oltre?'), 403, 'forbidden');
    // Each level has its own clock.
    assert.equal(s.sql(`SELECT string_agg(level || ':' || (left_at IS NOT NULL), ',' ORDER BY level)
                        FROM ticket_levels WHERE ticket_id = ${t.id}`), '0:true,1:true,2:false');
  });
});

describe('internal notes and mail', () => {
  it('never reach the reporter: not on the page, not in mail, not in the API', async () => {
    const rep = await loginAs(s, 'operatore');
    const t = await open(tok.operatore, { subject: uniq('Note ') });
    const secret = `SEGRETO${randomBytes(6).toString('hex')}`;
    const handoverSecret = `PASSAGGIO${randomBytes(6).toString('hex')}`;
    assert.equal((await post(tok.tutor, t.id, { kind: 'internal', body: `Nota del tutor ${secret}` })).status, 201);
    assert.equal((await escalate(tok.tutor, t.id, `Nota di passaggio ${handoverSecret}`)).status, 200);
    assert.equal((await escalate(tok.helpdesk1, t.id, `Altro passaggio ${handoverSecret}`)).status, 200);
    // The specialists may not speak to the reporter: the front office does.
    assertApiError(await post(tok.helpdesk2, t.id, { kind: 'public', body: 'diretto' }), 403, 'forbidden');
    assertApiError(await post(tok.helpdesk2, t.id, { kind: 'internal', body: 'x', status: 'risolto' }), 403, 'forbidden');
    assertApiError(await patch(tok.helpdesk2, t.id, { assignee_id: userId('helpdesk2'), status: 'risolto' }), 403, 'forbidden');
    assert.equal(s.sql(`SELECT coalesce(assignee_id, 0) FROM tickets WHERE id = ${t.id}`), '0', 'a refused PATCH writes nothing');
    assert.equal((await patch(tok.helpdesk2, t.id, { assignee_id: userId('helpdesk2') })).status, 200, 'a specialist takes it');
    assert.equal((await post(tok.helpdesk2, t.id, { kind: 'internal', body: `Soluzione ${secret}` })).status, 201);
    const answer = `Risposta pubblica ${uniq('ok')}`;
    const r = await post(tok.helpdesk1, t.id, { kind: 'public', body: answer });
    assert.equal(r.status, 201, r.text);

    // The agents see everything.
    const agent = (await view(tok.helpdesk1, t.id)).text;
    assert.ok(agent.includes(secret) && agent.includes(handoverSecret));
    // API: the reporter's answer has the reply, no note.
    const api = await view(tok.operatore, t.id);
    assert.equal(api.status, 200);
    assert.ok(api.text.includes(answer));
    assert.ok(!api.text.includes(secret) && !api.text.includes(handoverSecret), 'no internal text in the API answer');
    assert.deepEqual([...new Set(api.json().messages.map((m) => m.kind))].sort(), ['public', 'status']);
    // The page.
    const page = await rep.get(`/assistenza/${t.id}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(answer));
    assert.ok(!page.text.includes(secret) && !page.text.includes(handoverSecret), 'no internal text on the page');
    assert.match(page.text, /Front office/, 'the reply is signed by the front office');
    // The mail.
    await s.waitMail(s.demo.operatore.email, new RegExp(`Segnalazione n\\. ${t.id}: nuova risposta`));
    const mails = ticketMails(s.demo.operatore.email, t.id);
    assert.ok(mails.some((m) => m.text.includes(answer)));
    for (const m of mails) {
      assert.ok(!m.text.includes(secret) && !m.text.includes(handoverSecret), `no internal text in "${m.subject}"`);
      assert.ok(!(m.html ?? '').includes(secret));
    }
    // Lists for the reporter do not leak the assignee either.
    const list = (await bearer(s, tok.operatore, 'GET', '/api/v1/tickets')).text;
    assert.ok(!list.includes(secret));
  });

  it('one mail per status change and public reply; the reporter reopens; closed after 7 days', async () => {
    const who = s.demo.operatore.email;
    const t = await open(tok.operatore, { subject: uniq('Stati ') });
    await s.waitMail(who, new RegExp(`Segnalazione n\\. ${t.id} ricevuta`));
    // Tutor takes it: nuovo -> in lavorazione.
    assert.equal((await patch(tok.tutor, t.id, { assignee_id: userId('tutor') })).status, 200);
    await s.waitMail(who, new RegExp(`Segnalazione n\\. ${t.id}: In lavorazione`));
    // Taking it again changes nothing: no mail.
    assert.equal((await patch(tok.tutor, t.id, { assignee_id: userId('tutor') })).status, 200);
    // A public reply asking for details, with the status in one action: one mail.
    assert.equal((await post(tok.tutor, t.id, { kind: 'public', body: 'Mi mandi la schermata?', status: 'in_attesa' })).status, 201);
    await s.waitMail(who, new RegExp(`Segnalazione n\\. ${t.id}: nuova risposta`));
    assert.equal(count(`SELECT count(*) FROM ticket_waits WHERE ticket_id = ${t.id} AND ended_at IS NULL`), 1, 'the clock stops');
    // The reporter answers: back in progress, the wait ends, no mail to themself.
    const back = await post(tok.operatore, t.id, { body: 'Ecco la schermata.' });
    assert.equal(back.status, 201, back.text);
    assert.equal(back.json().ticket.status, 'in_lavorazione');
    assert.equal(count(`SELECT count(*) FROM ticket_waits WHERE ticket_id = ${t.id} AND ended_at IS NULL`), 0);
    assertApiError(await post(tok.operatore, t.id, { body: 'x', kind: 'internal' }), 403, 'forbidden');
    assertApiError(await post(tok.operatore, t.id, { body: 'x', status: 'risolto' }), 403, 'forbidden');
    // Resolved (status only).
    assert.equal((await patch(tok.tutor, t.id, { status: 'risolto' })).status, 200);
    await s.waitMail(who, new RegExp(`Segnalazione n\\. ${t.id}: Risolta`));
    // The reporter's reply reopens it; resolved again.
    assert.equal((await post(tok.operatore, t.id, { body: 'Il problema si ripresenta.' })).json().ticket.status, 'in_lavorazione');
    assert.equal((await patch(tok.tutor, t.id, { status: 'risolto' })).status, 200);
    const resolvedMails = () => ticketMails(who, t.id).filter((m) => /: Risolta$/.test(m.subject)).length;
    await eventually(() => resolvedMails() === 2);
    assert.equal(resolvedMails(), 2, 'resolved twice, mailed twice');
    // Seven days later the job closes it, once.
    s.sql(`UPDATE tickets SET resolved_at = now() - interval '8 days' WHERE id = ${t.id}`);
    await s.waitMail(who, new RegExp(`Segnalazione n\\. ${t.id}: Chiusa`));
    assert.equal(s.sql(`SELECT status FROM tickets WHERE id = ${t.id}`), 'chiuso');
    await sleep(2500);	// a few more job runs
    const subjects = ticketMails(who, t.id).map((m) => m.subject.replace(/^Segnalazione n\. \d+:? ?/, '')).sort();
    assert.deepEqual(subjects, ['In lavorazione', 'Risolta', 'Risolta', 'Chiusa', 'nuova risposta', 'ricevuta'].sort(),
      'each change mailed exactly once');
    // Closed: read only.
    assertApiError(await post(tok.operatore, t.id, { body: 'ancora' }), 409, 'conflict');
    assertApiError(await post(tok.tutor, t.id, { body: 'ancora', kind: 'internal' }), 409, 'conflict');
  });

  it('the reporter rates a resolved ticket once, 1 to 5', async () => {
    const t = await open(tok.operatore, { subject: uniq('Voto ') });
    assertApiError(await patch(tok.operatore, t.id, { rating: 4 }), 409, 'conflict');
    assert.equal((await post(tok.tutor, t.id, { kind: 'public', body: 'Fatto.', status: 'risolto' })).status, 201);
    assertApiError(await patch(tok.operatore, t.id, { rating: 6 }), 400, 'invalid');
    assertApiError(await patch(tok.operatore, t.id, { rating: 0 }), 400, 'invalid');
    assertApiError(await patch(tok.tutor, t.id, { rating: 5 }), 403, 'forbidden');
    assertApiError(await patch(tok.other, t.id, { rating: 5 }), 404, 'not_found');
    const r = await patch(tok.operatore, t.id, { rating: 5, rating_comment: 'Rapidi e chiari <b>grazie</b>' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().ticket.rating, 5);
    assertApiError(await patch(tok.operatore, t.id, { rating: 1 }), 409, 'conflict');
    assert.equal(s.sql(`SELECT rating || '|' || rating_comment FROM tickets WHERE id = ${t.id}`), '5|Rapidi e chiari <b>grazie</b>');
  });
});

// The id of a demo account.
function userId(role) {
  return Number(s.sql(`SELECT id FROM users WHERE lower(email) = lower('${s.demo[role].email}')`));
}

describe('service levels', () => {
  it('flags overdue tickets in the queue and tells the coordination team once', async () => {
    const t = await open(tok.lonely, { subject: uniq('Ritardo '), category: 'access' });
    // A month of working time at level 1 without an answer.
    s.sql(`UPDATE ticket_levels SET entered_at = now() - interval '30 days' WHERE ticket_id = ${t.id}`);
    const coord = s.demo.coordinamento.email;
    await s.waitMail(coord, new RegExp(`Segnalazione n\\. ${t.id} in ritardo`));
    const q = await bearer(s, tok.helpdesk1, 'GET', '/api/v1/tickets?scope=queue&filter=overdue&limit=200');
    assert.equal(q.status, 200, q.text);
    const row = q.json().tickets.find((x) => x.id === t.id);
    assert.ok(row && row.overdue === true, 'in the overdue queue');
    const hd = await loginAs(s, 'helpdesk1');
    const page = await hd.get('/assistenza/coda?filtro=in_ritardo');
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(`/assistenza/${t.id}"`) && /In ritardo: prima risposta/.test(page.text));
    // A waiting period stops the clock: the same ticket waiting for 30 days is not late.
    await sleep(2500);
    assert.equal(mailsTo(coord).filter((m) => m.subject.includes(`n. ${t.id} in ritardo`)).length, 1, 'emailed once');
    assert.equal(count(`SELECT count(*) FROM ticket_overdue_notices WHERE ticket_id = ${t.id}`), 1);
    // The reporter never sees the flag.
    assert.equal((await view(tok.lonely, t.id)).json().ticket.overdue, undefined);

    const w = await open(tok.lonely, { subject: uniq('Attesa ') });
    s.sql(`UPDATE ticket_levels SET entered_at = now() - interval '30 days', first_response_at = now() - interval '30 days' WHERE ticket_id = ${w.id};
           UPDATE tickets SET status = 'in_attesa' WHERE id = ${w.id};
           INSERT INTO ticket_waits (ticket_id, started_at) VALUES (${w.id}, now() - interval '30 days')`);
    const wq = (await bearer(s, tok.helpdesk1, 'GET', '/api/v1/tickets?scope=queue&filter=overdue&limit=200')).json().tickets;
    assert.ok(!wq.some((x) => x.id === w.id), 'time waiting for the reporter does not count');
  });
});

describe('hostile input', () => {
  it('bad tickets answer 400 and store nothing', async () => {
    const before = tickets();
    const bad = [
      {}, { category: 'platform', body: 'x' }, { category: 'platform', subject: 'x' },
      { category: 'hacking', subject: 'x', body: 'y' },
      { category: 'module', subject: 'x', body: 'y' },
      { category: 'module', module_id: 999999999, subject: 'x', body: 'y' },
      { category: 'access', module_id: 1, subject: 'x', body: 'y' },
      { category: 'access', subject: 'x', body: 'y', page_url: '//evil.example/' },
      { category: 'access', subject: 'x', body: 'y', page_url: 'javascript:alert(1)' },
      { category: 'access', subject: 'x'.repeat(201), body: 'y' },
      { category: 'access', subject: 'x', body: 'y'.repeat(20001) },
      { category: 'access', subject: 'a\u0000b', body: 'y' },
    ];
    for (const b of bad) assertApiError(await bearer(s, tok.operatore, 'POST', '/api/v1/tickets', b), 400);
    assertApiError(await bearer(s, tok.operatore, 'POST', '/api/v1/tickets', '{"category":'), 400, 'bad_json');
    assert.equal(tickets(), before, 'nothing stored');
    const t = await open(tok.operatore);
    const m = messages();
    assertApiError(await post(tok.tutor, t.id, { body: '' }), 400);
    assertApiError(await post(tok.tutor, t.id, { body: 'x', kind: 'secret' }), 400);
    assertApiError(await post(tok.tutor, t.id, { body: 'x', status: 'chiuso' }), 400);
    assertApiError(await patch(tok.tutor, t.id, { status: 'boh' }), 400);
    assertApiError(await patch(tok.tutor, t.id, { assignee_id: userId('helpdesk1') }), 400, 'invalid');
    assertApiError(await patch(tok.tutor, t.id, {}), 400);
    assert.equal(messages(), m);
    assert.equal(s.sql(`SELECT status || '|' || coalesce(assignee_id, 0) FROM tickets WHERE id = ${t.id}`), 'nuovo|0');
  });

  it('the form re-renders with messages, escapes what was typed, and searches the FAQ without storing', async () => {
    const c = await loginAs(s, 'operatore');
    const page = await c.get('/assistenza/nuova?da=/documenti/7');
    assert.equal(page.status, 200);
    assert.match(page.text, /name="page_url" value="\/documenti\/7"/);
    const token = page.text.match(/name="csrf_token" value="([^"]+)"/)[1];
    const before = tickets();
    const xss = '<script>alert(1)</script>';
    const r = await send(c, 'POST', '/assistenza/nuova', {
      body: multipart([['csrf_token', token], ['category', 'platform'], ['subject', xss], ['body', ''], ['azione', 'invia']]),
    });
    assert.equal(r.status, 400);
    assert.match(r.text, /Il modulo contiene errori/);
    assert.ok(r.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;') && !r.text.includes(xss));
    const f = await send(c, 'POST', '/assistenza/nuova', {
      body: multipart([['csrf_token', token], ['category', 'access'], ['subject', 'password dimenticata'], ['body', 'accesso'], ['azione', 'cerca']]),
    });
    assert.equal(f.status, 200);
    assert.match(f.text, /Risposte che potrebbero aiutarti/);
    assert.equal(tickets(), before, 'a search stores nothing');
    // A visitor is sent to sign in.
    assert.notEqual((await new Client(s.baseUrl).get('/assistenza/nuova')).status, 200);
  });
});

describe('attachments', () => {
  it('are private to whoever may see the ticket', async () => {
    const c = await loginAs(s, 'operatore');
    const token = (await c.get('/assistenza/nuova')).text.match(/name="csrf_token" value="([^"]+)"/)[1];
    const data = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(400)]);
    const subject = uniq('Con allegato ');
    const r = await send(c, 'POST', '/assistenza/nuova', {
      body: multipart([['csrf_token', token], ['category', 'documents'], ['subject', subject], ['body', 'Vedi il file.'],
        ['page_url', '/documenti'], ['azione', 'invia'], ['file', { filename: 'schermata.pdf', data, type: 'application/pdf' }]]),
    });
    assert.equal(r.status, 303, r.text);
    const id = r.headers.get('location').match(/^\/assistenza\/(\d+)\?esito=inviata$/)?.[1];
    assert.ok(id);
    const att = s.sql(`SELECT id FROM ticket_attachments WHERE ticket_id = ${id}`);
    assert.match(att, /^\d+$/);
    const url = `/assistenza/${id}/allegati/${att}`;
    const mine = await send(c, 'GET', url);
    assert.equal(mine.status, 200);
    assert.ok(mine.bytes.equals(data), 'the same bytes');
    assert.equal((await send(await loginAs(s, 'tutor'), 'GET', url)).status, 200, 'the tutor of the organisation');
    for (const who of ['helpdesk1', 'helpdesk2', 'referente']) {
      assert.equal((await send(await loginAs(s, who), 'GET', url)).status, 404, `${who} may not download it`);
    }
    const o = new Client(s.baseUrl);
    await o.login(other.email, other.password);
    assert.equal((await send(o, 'GET', url)).status, 404, 'another organisation');
    assert.notEqual((await send(null, 'GET', url)).status, 200, 'a visitor');
    // Another ticket's id with this attachment: 404.
    const t2 = await open(tok.operatore);
    assert.equal((await send(c, 'GET', `/assistenza/${t2.id}/allegati/${att}`)).status, 404);
    // The document bin's collector keeps it.
    const admin = await loginAs(s, 'admin');
    const bin = await admin.submit('/documenti/cestino', '/documenti/cestino/svuota', {});
    assert.equal(bin.status, 303, bin.text);
    assert.ok((await send(c, 'GET', url)).bytes.equals(data), 'kept by the collector');
    // Listed in the API answer.
    const a = (await view(tok.operatore, id)).json().attachments;
    assert.equal(a.length, 1);
    assert.equal(a[0].filename, 'schermata.pdf');
  });
});

describe('canned replies', () => {
  it('coordination edits them; agents insert them; others may not', async () => {
    const co = await loginAs(s, 'coordinamento');
    const title = uniq('Risposta ');
    const r = await co.submit('/assistenza/risposte', '/assistenza/risposte',
      { category: 'platform', title, body: 'Testo **pronto** per la risposta.' });
    assert.equal(r.status, 303, r.text);
    const cid = s.sql(`SELECT id FROM canned_replies WHERE title = '${title}'`);
    const dup = await co.submit('/assistenza/risposte', '/assistenza/risposte', { category: 'platform', title, body: 'x' });
    assert.equal(dup.status, 409);
    const tut = await loginAs(s, 'tutor');
    assert.equal((await tut.get('/assistenza/risposte')).status, 403);
    const t = await open(tok.operatore, { category: 'platform' });
    const page = await tut.get(`/assistenza/${t.id}?risposta=${cid}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes('Testo **pronto** per la risposta.'), 'the text goes into the reply box');
    // The reporter's page has no agent forms.
    const rep = await (await loginAs(s, 'operatore')).get(`/assistenza/${t.id}`);
    assert.ok(!rep.text.includes('Nota interna') && !rep.text.includes('/passa"'));
  });
});

describe('demo content', () => {
  it('seed-demo leaves tickets at several levels and statuses, once', () => {
    const demo = () => s.sql(`SELECT string_agg(level || ':' || status, ',' ORDER BY level, status) FROM tickets
                              WHERE subject IN ('Non riesco ad accedere a SIGeSS dopo il cambio della password',
                                'Dove trovo il manuale della Cartella Sociale?',
                                'Chiarimento sul cronoprogramma della formazione diffusa',
                                'Errore nell''esportazione dei dati verso SIUSS')`);
    assert.equal(demo(), '0:nuovo,0:risolto,1:in_attesa,2:in_lavorazione');
    const canned = count('SELECT count(*) FROM canned_replies');
    assert.ok(canned >= 5);
    s.run('seed-demo');
    assert.equal(demo(), '0:nuovo,0:risolto,1:in_attesa,2:in_lavorazione', 'idempotent');
    assert.equal(count('SELECT count(*) FROM canned_replies'), canned);
  });
});
