// Email updates for stakeholders (issue 6; content/newsletter*.c,
// portal/publication.c, the bulk outbox of portal/mail*.c): double opt-in
// with signed links, one-click unsubscribe (RFC 8058), no address
// enumeration, the consent ledger with export and erasure, hostile input
// that stores nothing, updates sent once per subscriber and item, weekly
// digests, a 5,000-recipient campaign that survives a SIGKILL of the
// portal, and a relay that answers 421 for a while or 550 for good.
// Real stacks (tests/lib/harness.mjs): PostgreSQL, the aiosmtpd Maildir
// sink (or a tiny SMTP server written here), the binary under test.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, ROOT, parseMail, startStack } from '../lib/harness.mjs';
import { bearer, eventually, lit, loginAs, mailLink, mailsTo, tokenFor, uniq } from './util.mjs';

const PORTAL = resolve(ROOT, process.env.PORTAL_BIN ?? 'build/portal');
const CONFIRM_SUBJECT = /^Conferma l'iscrizione agli aggiornamenti$/;
const ALREADY_SUBJECT = /^Sei già iscritto agli aggiornamenti$/;
const DIGEST_SUBJECT = /^Gli aggiornamenti della settimana$/;
// The harness runs the periodic jobs every second (PORTAL_JOBS_INTERVAL=1).
const JOBS = 1000;
// How long a mail may take to arrive: generous, for loaded CI machines.
const MAIL_WAIT = 20000;

const esc = (x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ---- helpers on a stack ----

const count = (st, q) => Number(st.sql(q));

// The per-client limit (30 requests an hour) and the per-address one (3
// mails an hour) are tested elsewhere; here every request comes from
// 127.0.0.1, so the counters are cleared before each subscription.
function clearLimits(st) {
  st.sql("DELETE FROM rate_events WHERE kind LIKE 'newsletter%'");
}

function subscriberRow(st, email) {
  const row = st.sql(`SELECT id, status, frequency, link_secret, name,
                             coalesce((SELECT string_agg(topic, ',' ORDER BY topic) FROM subscriber_topics WHERE subscriber_id = s.id), '')
                      FROM subscribers s WHERE email = lower(${lit(email)})`);
  if (row === '') return null;
  const [id, status, frequency, secret, name, topics] = row.split('|');
  return { id: Number(id), status, frequency, secret, name, topics };
}

// Everything the newsletter holds about an address, as one comparable string.
function stateOf(st, email) {
  return st.sql(`SELECT coalesce((SELECT row_to_json(s)::text FROM subscribers s WHERE email = lower(${lit(email)})), '-')
                 || '|' || (SELECT count(*) FROM consent_events WHERE email = lower(${lit(email)}))
                 || '|' || (SELECT count(*) FROM mail_outbox WHERE lower(to_addr) = lower(${lit(email)}))
                 || '|' || coalesce((SELECT string_agg(topic, ',' ORDER BY topic) FROM subscriber_topics t
                                     JOIN subscribers s ON s.id = t.subscriber_id WHERE s.email = lower(${lit(email)})), '')`);
}

// The form's consent version, read from the page as a browser would.
async function formVersion(c) {
  const page = await c.get('/newsletter');
  assert.equal(page.status, 200);
  const m = page.text.match(/name="consent_version" value="(\d+)"/);
  assert.ok(m, 'the form carries the consent version');
  const t = page.text.match(/name="csrf_token" value="([^"]+)"/);
  assert.ok(t, 'the form carries a CSRF token');
  return { version: Number(m[1]), csrf: t[1] };
}

// Posts the public form; fields may override anything (null drops a field).
async function subscribeForm(st, { email, name = 'Iscritto di Prova', organisation = 'Comune di Prova',
  topics = ['news'], ua, client = new Client(st.baseUrl), fields = {} }) {
  clearLimits(st);
  const { version, csrf } = await formVersion(client);
  const base = { csrf_token: csrf, email, name, organisation, consent: '1', consent_version: String(version), ...fields };
  const pairs = [];
  for (const [k, v] of Object.entries(base)) if (v !== null) pairs.push([k, v]);
  for (const t of topics) pairs.push(['topics', t]);
  return client.request('POST', '/newsletter', { form: pairs, headers: ua ? { 'user-agent': ua } : {} });
}

async function consentVersion(st) {
  return Number(st.sql('SELECT max(version) FROM consent_texts'));
}

async function subscribeApi(st, body) {
  clearLimits(st);
  const res = await fetch(`${st.baseUrl}/api/v1/subscriptions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body), redirect: 'manual',
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

// A request without cookies: mail links are followed from a mail client.
async function plain(st, method, path, { body, type = 'application/x-www-form-urlencoded', ua } = {}) {
  const headers = {};
  if (body !== undefined && method !== 'GET') headers['content-type'] = type;
  if (ua) headers['user-agent'] = ua;
  if (method === 'GET') body = undefined;
  const res = await fetch(path.startsWith('http') ? path : st.baseUrl + path, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

// Subscribes through the form, follows the confirmation mail (POST);
// returns the subscriber's id, the confirm token and a manage token.
async function subscribeConfirmed(st, email, opts = {}) {
  const r = await subscribeForm(st, { email, ...opts });
  assert.equal(r.status, 303, r.text);
  const mail = await st.waitMail(email, CONFIRM_SUBJECT, MAIL_WAIT);
  const confirm = mailLink(st, mail, '/newsletter/confirm');
  const ok = await plain(st, 'POST', `/newsletter/confirm?token=${confirm}`, { ua: opts.confirmUa });
  assert.equal(ok.status, 200, ok.text);
  const manage = ok.text.match(/\/newsletter\/preferences\?token=([A-Za-z0-9_-]+)/);
  assert.ok(manage, 'the confirmation page links to the preferences');
  return { id: subscriberRow(st, email).id, confirm, manage: manage[1] };
}

// A publication as features record it (publication.c's statement).
function publish(st, { topic = 'news', source = 'test', sourceId, title, summary = '', path, publishedAt = null, announced = false }) {
  const id = sourceId ?? Math.floor(Math.random() * 1e9);
  return Number(st.sql(`INSERT INTO publications (topic, source, source_id, title, summary, path, published_at, announced_at)
    VALUES (${lit(topic)}, ${lit(source)}, ${id}, ${lit(title)}, ${lit(summary)}, ${lit(path ?? `/notizie/${id}`)},
            coalesce(${publishedAt ?? 'NULL'}::timestamptz, now()), ${announced ? 'now()' : 'NULL'})
    RETURNING id`));
}

function waitAnnounced(st, pubId, ms = MAIL_WAIT) {
  return eventually(() => st.sql(`SELECT announced_at IS NOT NULL FROM publications WHERE id = ${pubId}`) === 't', ms);
}

// The SMTP envelope recipient (aiosmtpd's X-RcptTo) or the To address.
function rcptOf(m) {
  const env = m.headers['x-rcptto'];
  if (env) return env.toLowerCase();
  return (m.to.match(/<([^>]+)>/)?.[1] ?? m.to).toLowerCase();
}

// Every delivered message's recipient and subject, read from the
// Maildir's header blocks only (fast for thousands of messages).
function maildirIndex(st) {
  const dir = join(st.maildir, 'new');
  let names = [];
  try { names = readdirSync(dir); } catch { return []; }
  return names.map((n) => {
    const raw = readFileSync(join(dir, n), 'utf8');
    const m = parseMail(raw.slice(0, raw.search(/\r?\n\r?\n/) + 4));
    return { to: rcptOf(m), subject: m.subject };
  });
}

// Starts build/portal serve again on a stack whose first portal was killed.
async function restartPortal(st) {
  const log = [];
  const p = spawn(PORTAL, ['serve'], { env: st.env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  p.stdout.on('data', (d) => log.push(d.toString()));
  p.stderr.on('data', (d) => log.push(d.toString()));
  for (const until = Date.now() + 15000; !log.join('').includes(' listening on '); await sleep(50)) {
    if (p.exitCode !== null || Date.now() > until) throw new Error(`the portal did not restart:\n${log.join('').slice(-2000)}`);
  }
  return { p, log };
}

/*
 * A tiny SMTP server, in a worker thread: the test's own thread blocks
 * in psql (execFileSync) and in Maildir reads, and a relay that stalls
 * with it would time the portal's sends out.  While `refuse` is set it
 * greets with "421 4.3.2 busy" and hangs up; otherwise it takes messages,
 * answering 550 to RCPT for the addresses in `reject`.  What happens is
 * posted back to st: refused connections, RCPT addresses, messages, and
 * a log of the conversation (for failure messages).
 */
const SMTP_WORKER = String.raw`
const { parentPort } = require('node:worker_threads');
const { createServer } = require('node:net');
let refuse = true;
let reject = new Set();
let conns = 0;
const server = createServer((sock) => {
  const id = ++conns;
  const note = (x) => parentPort.postMessage({ type: 'log', line: new Date().toISOString().slice(11, 23) + ' ' + id + x });
  sock.on('error', () => {});
  sock.on('close', () => note(' closed'));
  const reply = (l) => { note('< ' + l); if (!sock.destroyed) sock.write(l + '\r\n'); };
  if (refuse) {
    parentPort.postMessage({ type: 'refused' });
    note('< 421 4.3.2 busy');
    sock.end('421 4.3.2 busy\r\n');
    return;
  }
  let buf = '';
  let data = null;
  let rcpts = [];
  reply('220 finto.test ESMTP');
  sock.on('data', (d) => {
    note('> ' + d.toString('latin1').slice(0, 40).replace(/\r\n/g, '|'));
    buf += d.toString('latin1');
    for (;;) {
      if (data !== null) {
        const end = buf.indexOf('\r\n.\r\n');
        if (end < 0) return;
        data = buf.slice(0, end + 2).replace(/^\.\./gm, '.');
        buf = buf.slice(end + 5);
        parentPort.postMessage({ type: 'message', rcpts, data: Buffer.from(data, 'latin1').toString('utf8') });
        data = null;
        rcpts = [];
        reply('250 2.0.0 Ok: queued');
        continue;
      }
      const i = buf.indexOf('\r\n');
      if (i < 0) return;
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const cmd = line.slice(0, 4).toUpperCase();
      if (cmd === 'EHLO') { reply('250-finto.test'); reply('250 8BITMIME'); }
      else if (cmd === 'HELO' || cmd === 'NOOP') reply('250 Ok');
      else if (cmd === 'MAIL') { rcpts = []; reply('250 2.1.0 Ok'); }
      else if (cmd === 'RCPT') {
        const addr = ((line.match(/<([^>]*)>/) || [])[1] || '').toLowerCase();
        parentPort.postMessage({ type: 'rcpt', addr });
        if (reject.has(addr)) reply('550 5.1.1 <' + addr + '>: Recipient address rejected');
        else { rcpts.push(addr); reply('250 2.1.5 Ok'); }
      } else if (cmd === 'DATA') {
        if (rcpts.length === 0) reply('554 5.5.1 No valid recipients');
        else { data = ''; reply('354 End data with <CR><LF>.<CR><LF>'); }
      } else if (cmd === 'RSET') { rcpts = []; reply('250 2.0.0 Ok'); }
      else if (cmd === 'QUIT') { reply('221 2.0.0 Bye'); sock.end(); return; }
      else reply('502 5.5.2 Error: command not recognized');
    }
  });
});
parentPort.on('message', (m) => {
  if (m.refuse !== undefined) refuse = m.refuse;
  if (m.reject) reject = new Set(m.reject);
  parentPort.postMessage({ type: 'ack', id: m.id });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'listening', port: server.address().port }));
`;

async function fakeSmtp() {
  const st = { refused: 0, rcpts: [], messages: [], log: [] };
  const w = new Worker(SMTP_WORKER, { eval: true });
  const acks = new Map();
  let seq = 0;
  let listening;
  const port = new Promise((res) => { listening = res; });
  w.on('message', (m) => {
    if (m.type === 'listening') listening(m.port);
    else if (m.type === 'refused') st.refused++;
    else if (m.type === 'rcpt') st.rcpts.push(m.addr);
    else if (m.type === 'message') st.messages.push(m);
    else if (m.type === 'log') st.log.push(m.line);
    else if (m.type === 'ack') { acks.get(m.id)(); acks.delete(m.id); }
  });
  return {
    st,
    port: await port,
    // Changes the worker's behaviour; resolves once it applies.
    set: (o) => new Promise((res) => { const id = ++seq; acks.set(id, res); w.postMessage({ ...o, id }); }),
    close: () => w.terminate(),
  };
}

let s;

// Three stacks, in parallel: most suites share one; the SIGKILL and the
// unwell relay have stacks of their own.  Suites inherit concurrency, so
// each group sets it back to one test at a time.
describe('newsletter', { concurrency: true }, () => {
  describe('on one stack', { concurrency: 1 }, () => {
    before(async () => { s = await startStack(); });
    after(async () => { await s?.stop(); });

    // ---- 1. the whole path ----

    describe('subscribe, confirm, one update, one-click unsubscribe', () => {
      const email = `${uniq('flusso.')}@example.it`;
      let confirm, update, firstPub, memberEmail;

      it('the form answers 303 and the confirmation mail carries a signed link', async () => {
        const r = await subscribeForm(s, { email, topics: ['news', 'events'] });
        assert.equal(r.status, 303, r.text);
        assert.equal(r.headers.get('location'), '/newsletter?esito=richiesta');
        const page = await new Client(s.baseUrl).get('/newsletter?esito=richiesta');
        assert.match(page.text, /riceverai a breve un/);
        const mail = await s.waitMail(email, CONFIRM_SUBJECT, MAIL_WAIT);
        confirm = mailLink(s, mail, '/newsletter/confirm');
        assert.match(confirm, /^\d+_\d+_[A-Za-z0-9_-]{43}$/, 'ID_EXPIRY_MAC');
        const [id, expires] = confirm.split('_').map(Number);
        assert.equal(id, subscriberRow(s, email).id);
        const week = Date.now() / 1000 + 7 * 86400;
        assert.ok(Math.abs(expires - week) < 120, 'the link expires in 7 days');
        const row = subscriberRow(s, email);
        assert.equal(row.status, 'pending');
        assert.equal(row.topics, 'events,news');
      });

      it('a GET of the link (a link scanner) changes nothing: it shows a button', async () => {
        const before = stateOf(s, email);
        for (let i = 0; i < 3; i++) {
          const r = await plain(s, 'GET', `/newsletter/confirm?token=${confirm}`);
          assert.equal(r.status, 200);
          assert.match(r.text, /<form method="post" action="\/newsletter\/confirm\?token=/);
          assert.ok(r.text.includes(email), 'the page names the address it confirms');
        }
        assert.equal(subscriberRow(s, email).status, 'pending');
        assert.equal(stateOf(s, email), before);
        assert.equal(count(s, `SELECT count(*) FROM consent_events WHERE email = ${lit(email)} AND action = 'confirmed'`), 0);
      });

      it('a member subscribes from the profile: active at once, no confirmation mail', async () => {
        memberEmail = s.demo.operatore.email;
        const c = await loginAs(s, 'operatore');
        const version = await consentVersion(s);
        const token = await c.csrf('/profilo/aggiornamenti');
        const r = await c.request('POST', '/profilo/aggiornamenti', {
          form: [['csrf_token', token], ['topics', 'news'], ['frequency', 'immediate'], ['consent', '1'],
            ['consent_version', String(version)], ['action', 'save']],
        });
        assert.equal(r.status, 303, r.text);
        assert.equal(r.headers.get('location'), '/profilo/aggiornamenti?esito=salvate');
        const row = subscriberRow(s, memberEmail);
        assert.equal(row.status, 'active');
        assert.equal(row.topics, 'news');
        assert.equal(count(s, `SELECT count(*) FROM mail_outbox WHERE lower(to_addr) = lower(${lit(memberEmail)})
                               AND subject ~ 'iscrizione'`), 0, 'no confirmation step for members');
      });

      it('the POST confirms; a publication of news brings exactly one update with the list headers', async () => {
        const r = await plain(s, 'POST', `/newsletter/confirm?token=${confirm}`);
        assert.equal(r.status, 200, r.text);
        assert.match(r.text, /Iscrizione confermata/);
        assert.equal(subscriberRow(s, email).status, 'active');

        const title = uniq('Nuovo bando per i Comuni ');
        firstPub = publish(s, { title, summary: 'Scadenza a marzo.' });
        update = await s.waitMail(email, new RegExp(`^${esc(title)}$`), MAIL_WAIT);
        await s.waitMail(memberEmail, new RegExp(`^${esc(title)}$`), MAIL_WAIT);
        await sleep(3 * JOBS);
        assert.equal(mailsTo(s, email, new RegExp(esc(title))).length, 1, 'exactly one update');
        assert.equal(mailsTo(s, memberEmail, new RegExp(esc(title))).length, 1, 'the member too: exactly one');
        assert.ok(update.text.includes(`${s.baseUrl}/notizie/`), 'the update links to the item');
        assert.ok(update.text.includes('Scadenza a marzo.'));

        const lu = update.headers['list-unsubscribe'];
        assert.ok(lu, 'a List-Unsubscribe header');
        const urls = [...lu.matchAll(/<([^>]+)>/g)].map((m) => m[1]);
        assert.equal(urls.length, 2, `an http(s) URL and a mailto: ${lu}`);
        assert.match(urls[0], new RegExp(`^${esc(s.baseUrl)}/newsletter/unsubscribe\\?token=\\d+_0_[A-Za-z0-9_-]{43}$`));
        assert.match(urls[1], /^mailto:[^?]+@[^?]+\?subject=unsubscribe%20\d+_0_[A-Za-z0-9_-]{43}$/);
        assert.equal(update.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
        update.unsubscribe = urls[0];
      });

      it('the one-click POST (no cookie, no CSRF token) unsubscribes; a GET did not', async () => {
        const g = await plain(s, 'GET', update.unsubscribe);
        assert.equal(g.status, 200);
        assert.match(g.text, /<form method="post"/);
        assert.equal(subscriberRow(s, email).status, 'active', 'a GET unsubscribes no one');

        const r = await plain(s, 'POST', update.unsubscribe, { body: 'List-Unsubscribe=One-Click' });
        assert.equal(r.status, 200, r.text);
        assert.equal(subscriberRow(s, email).status, 'unsubscribed');
        assert.equal(count(s, `SELECT count(*) FROM consent_events WHERE email = ${lit(email)} AND action = 'withdrawn'`), 1);
        // Again: harmless, still 200, no second ledger line.
        const again = await plain(s, 'POST', update.unsubscribe, { body: 'List-Unsubscribe=One-Click' });
        assert.equal(again.status, 200);
        assert.equal(count(s, `SELECT count(*) FROM consent_events WHERE email = ${lit(email)} AND action = 'withdrawn'`), 1);
      });

      it('another publication: nothing for the unsubscribed address, in the Maildir or the outbox', async () => {
        const title = uniq('Secondo avviso ');
        const pub = publish(s, { title });
        assert.ok(await waitAnnounced(s, pub), 'the publication was announced');
        await s.waitMail(memberEmail, new RegExp(`^${esc(title)}$`), MAIL_WAIT);
        await sleep(3 * JOBS);
        assert.equal(mailsTo(s, email, new RegExp(esc(title))).length, 0);
        assert.equal(count(s, `SELECT count(*) FROM mail_outbox WHERE to_addr = ${lit(email)} AND source = 'update'`), 1,
          'only the first update was ever queued');
      });

      it('editing or republishing an announced publication sends nothing new', async () => {
        const before = count(s, `SELECT count(*) FROM mail_outbox WHERE lower(to_addr) = lower(${lit(memberEmail)})`);
        const [source, sourceId] = s.sql(`SELECT source || '|' || source_id FROM publications WHERE id = ${firstPub}`).split('|');
        s.sql(`UPDATE publications SET title = title || ' (corretto)' WHERE id = ${firstPub}`);
        // publication_record's statement, as a feature republishing it runs it.
        s.sql(`INSERT INTO publications (topic, source, source_id, title, summary, path, published_at)
               VALUES ('news', ${lit(source)}, ${sourceId}, 'Ripubblicato', '', '/notizie/1', now())
               ON CONFLICT (source, source_id) DO UPDATE SET topic = EXCLUDED.topic, title = EXCLUDED.title,
                 summary = EXCLUDED.summary, path = EXCLUDED.path,
                 published_at = CASE WHEN publications.announced_at IS NULL THEN EXCLUDED.published_at
                                     ELSE publications.published_at END`);
        assert.equal(count(s, `SELECT count(*) FROM publications WHERE source = ${lit(source)} AND source_id = ${sourceId}`), 1);
        await sleep(3 * JOBS);
        // Even announced again (announced_at lost), each subscriber has had it once.
        s.sql(`UPDATE publications SET announced_at = NULL WHERE id = ${firstPub}`);
        assert.ok(await waitAnnounced(s, firstPub), 'the job took it again');
        await sleep(2 * JOBS);
        assert.equal(count(s, `SELECT count(*) FROM mail_outbox WHERE lower(to_addr) = lower(${lit(memberEmail)})`), before);
        assert.equal(mailsTo(s, memberEmail, /Ripubblicato|corretto/).length, 0);
      });

      it('the one-click POST as multipart/form-data (RFC 8058\'s preferred form) unsubscribes too', async () => {
        const m = mailsTo(s, memberEmail, /./).find((x) => x.headers['list-unsubscribe']);
        const url = m.headers['list-unsubscribe'].match(/<(http[^>]+)>/)[1];
        const B = 'nlTestBoundary7c1e';
        const r = await plain(s, 'POST', url, {
          type: `multipart/form-data; boundary=${B}`,
          body: `--${B}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${B}--\r\n`,
        });
        assert.equal(r.status, 200, r.text);
        assert.equal(subscriberRow(s, memberEmail).status, 'unsubscribed');
      });
    });

    // ---- 2. links that must not work ----

    describe('forged, foreign, expired and malformed links', () => {
      let a, b, tokA, tokB;

      before(async () => {
        a = `${uniq('link-a.')}@example.it`;
        b = `${uniq('link-b.')}@example.it`;
        for (const e of [a, b]) assert.equal((await subscribeForm(s, { email: e })).status, 303);
        tokA = mailLink(s, await s.waitMail(a, CONFIRM_SUBJECT, MAIL_WAIT), '/newsletter/confirm');
        tokB = mailLink(s, await s.waitMail(b, CONFIRM_SUBJECT, MAIL_WAIT), '/newsletter/confirm');
      });

      const flip = (c) => (c === 'A' ? 'B' : 'A');

      it('refuses each bad token with 404 or 410, on GET and POST, changing nothing', async () => {
        const [idA, expA, macA] = [tokA.split('_')[0], tokA.split('_')[1], tokA.split('_').slice(2).join('_')];
        const idB = tokB.split('_')[0];
        // Well-formed but forged: the MAC does not match (404; 410 is only
        // for a genuine link past its expiry).
        const forged = {
          'MAC with its last character flipped': `${idA}_${expA}_${macA.slice(0, -1)}${flip(macA.slice(-1))}`,
          'MAC with its first character flipped': `${idA}_${expA}_${flip(macA[0])}${macA.slice(1)}`,
          "another subscriber's id with this MAC": `${idB}_${expA}_${macA}`,
          'a later expiry with this MAC': `${idA}_${Number(expA) + 86400}_${macA}`,
          'no expiry (0) with this MAC': `${idA}_0_${macA}`,
          'an unknown id': `99999999_${expA}_${macA}`,
          'a MAC one character short': `${idA}_${expA}_${macA.slice(1)}`,
          'a MAC one character long': `${idA}_${expA}_${macA}A`,
          'no separators': `${idA}${expA}${macA}`,
          'a negative id': `-${idA}_${expA}_${macA}`,
          'a zero id': `0_${expA}_${macA}`,
        };
        // Malformed: not even a token's characters or length (400 or 404).
        const malformed = {
          letters: 'abc',
          empty: '',
          'a quote': `${idA}_${expA}_${macA.slice(0, -1)}'`,
          'a space': `${idA}_${expA}_${macA.slice(0, -1)} `,
          'non-ASCII': `${idA}_${expA}_${macA.slice(0, -1)}è`,
          'too long': `${idA}_${expA}_${macA}${'A'.repeat(100)}`,
        };
        const before = [stateOf(s, a), stateOf(s, b)];
        const tryAll = async (cases, ok) => {
          for (const [what, t] of Object.entries(cases)) {
            for (const method of ['GET', 'POST']) {
              const r = await plain(s, method, `/newsletter/confirm?token=${encodeURIComponent(t)}`);
              assert.ok(ok.includes(r.status), `${what} (${method}): ${r.status}`);
              assert.doesNotMatch(r.text, /Iscrizione confermata/);
            }
            // The manage pages refuse it too.
            for (const [method, path] of [['GET', '/newsletter/unsubscribe'], ['POST', '/newsletter/unsubscribe'],
              ['GET', '/newsletter/preferences'], ['GET', '/newsletter/data'], ['POST', '/newsletter/erase']]) {
              const r = await plain(s, method, `${path}?token=${encodeURIComponent(t)}`, { body: 'List-Unsubscribe=One-Click' });
              assert.ok(ok.includes(r.status), `${what} on ${method} ${path}: ${r.status}`);
            }
          }
        };
        await tryAll(forged, [404]);
        await tryAll(malformed, [400, 404]);
        const none = await plain(s, 'POST', '/newsletter/confirm');
        assert.ok([400, 404].includes(none.status), `no token at all: ${none.status}`);
        assert.deepEqual([stateOf(s, a), stateOf(s, b)], before, 'nothing changed');
        assert.equal(subscriberRow(s, a).status, 'pending');
        assert.equal(subscriberRow(s, b).status, 'pending');
      });

      it('a confirmation link is no manage link and the other way round', async () => {
        const r = await plain(s, 'POST', `/newsletter/unsubscribe?token=${tokA}`, { body: 'List-Unsubscribe=One-Click' });
        assert.equal(r.status, 404, 'the confirm token cannot unsubscribe');
        const e = await plain(s, 'POST', `/newsletter/erase?token=${tokA}`);
        assert.equal(e.status, 404, 'the confirm token cannot erase');
        assert.ok(subscriberRow(s, a), 'still there');
      });

      it('a pending subscription past its expiry is deleted by the job; its link is then 404', async () => {
        s.sql(`UPDATE subscribers SET confirm_expires = now() - interval '1 second' WHERE email = ${lit(b)}`);
        const gone = await eventually(() => subscriberRow(s, b) === null, 10 * JOBS);
        assert.ok(gone, 'the job deleted the expired pending subscription');
        assert.equal(count(s, `SELECT count(*) FROM consent_events WHERE email = ${lit(b)}`), 0, 'with its ledger');
        for (const method of ['GET', 'POST']) {
          const r = await plain(s, method, `/newsletter/confirm?token=${tokB}`);
          assert.ok([404, 410].includes(r.status), `${method}: ${r.status}`);
        }
        assert.equal(subscriberRow(s, b), null, 'the POST did not bring it back');
      });

      it('a confirm link used twice is harmless: 200 both times, one confirmed line', async () => {
        for (let i = 0; i < 2; i++) {
          const r = await plain(s, 'POST', `/newsletter/confirm?token=${tokA}`);
          assert.equal(r.status, 200, `confirm #${i + 1}: ${r.text}`);
        }
        const g = await plain(s, 'GET', `/newsletter/confirm?token=${tokA}`);
        assert.equal(g.status, 200);
        assert.match(g.text, /Iscrizione già confermata/);
        assert.equal(subscriberRow(s, a).status, 'active');
        assert.equal(count(s, `SELECT count(*) FROM consent_events WHERE email = ${lit(a)} AND action = 'confirmed'`), 1);
      });

      it('a forged manage token cannot unsubscribe an active subscriber', async () => {
        const row = subscriberRow(s, a);
        const r = await plain(s, 'POST', `/newsletter/unsubscribe?token=${row.id}_0_${'A'.repeat(43)}`,
          { body: 'List-Unsubscribe=One-Click' });
        assert.equal(r.status, 404);
        const e = await plain(s, 'POST', `/newsletter/erase?token=${row.id}_0_${'A'.repeat(43)}`);
        assert.equal(e.status, 404);
        assert.equal(subscriberRow(s, a).status, 'active');
      });
    });

    // ---- 3. no enumeration ----

    describe('the form does not tell whether an address is known', () => {
      it('a new, a pending and an active address get the same answer; only the owner learns which', async () => {
        const fresh = `${uniq('enum-new.')}@example.it`;
        const pending = `${uniq('enum-pending.')}@example.it`;
        const active = `${uniq('enum-active.')}@example.it`;
        assert.equal((await subscribeForm(s, { email: pending })).status, 303);
        await s.waitMail(pending, CONFIRM_SUBJECT, MAIL_WAIT);
        await subscribeConfirmed(s, active, { topics: ['events'], name: 'Titolare Vero' });
        const activeBefore = subscriberRow(s, active);

        const answers = [];
        for (const email of [fresh, pending, active]) {
          const c = new Client(s.baseUrl);
          const r = await subscribeForm(s, { email, client: c, name: 'Chiunque Altro', topics: ['documents'] });
          const page = await c.get(r.headers.get('location') ?? '/');
          const strip = (t) => t.replace(/name="csrf_token" value="[^"]+"/g, 'csrf');
          answers.push({
            status: r.status, location: r.headers.get('location'), body: strip(r.text),
            pageStatus: page.status, page: strip(page.text),
          });
          const api = await subscribeApi(s, { email, name: 'Chiunque Altro', topics: ['documents'], consent: true,
            consent_version: await consentVersion(s) });
          answers[answers.length - 1].api = `${api.status} ${api.text}`;
        }
        assert.equal(answers[0].status, 303);
        assert.match(answers[0].api, /^202 /);
        assert.deepEqual(answers[1], answers[0], 'pending answers as new');
        assert.deepEqual(answers[2], answers[0], 'active answers as new');

        // The owners' mailboxes tell them.
        await s.waitMail(fresh, CONFIRM_SUBJECT, MAIL_WAIT);
        await eventually(() => mailsTo(s, pending, CONFIRM_SUBJECT).length >= 2, MAIL_WAIT);
        assert.ok(mailsTo(s, pending, CONFIRM_SUBJECT).length >= 2, 'the pending one gets a new confirmation');
        const note = await s.waitMail(active, ALREADY_SUBJECT, MAIL_WAIT);
        assert.match(note.text, /\/newsletter\/preferences\?token=/);
        assert.equal(mailsTo(s, active, CONFIRM_SUBJECT).length, 1, 'the active one is not asked to confirm again');

        // A stranger's request changes nothing of an active subscription.
        const activeAfter = subscriberRow(s, active);
        assert.deepEqual(activeAfter, activeBefore, 'same status, name, topics and link secret');
      });
    });

    // ---- 4. the consent ledger ----

    describe('the consent ledger', () => {
      it('records request, confirmation and withdrawal with version, IP and user agent; exports; erases', async () => {
        const email = `${uniq('registro.')}@example.it`;
        const version = await consentVersion(s);
        const sub = await subscribeConfirmed(s, email, { ua: 'NLTest-Request/1.0 (richiesta)', confirmUa: 'NLTest-Confirm/2.0' });
        const rows = () => s.sql(`SELECT action, coalesce(consent_version::text, '-'), ip, user_agent, array_to_string(topics, ',')
                                  FROM consent_events WHERE email = ${lit(email)} ORDER BY id`).split('\n');
        assert.deepEqual(rows(), [
          `requested|${version}|127.0.0.1|NLTest-Request/1.0 (richiesta)|news`,
          `confirmed|${version}|127.0.0.1|NLTest-Confirm/2.0|news`,
        ]);

        const w = await plain(s, 'POST', `/newsletter/unsubscribe?token=${sub.manage}`, { ua: 'NLTest-Withdraw/3.0' });
        assert.equal(w.status, 200);
        assert.equal(rows()[2], 'withdrawn|-|127.0.0.1|NLTest-Withdraw/3.0|news');

        const d = await plain(s, 'GET', `/newsletter/data?token=${sub.manage}`);
        assert.equal(d.status, 200);
        assert.match(d.headers.get('content-type'), /^application\/json/);
        assert.match(d.headers.get('content-disposition') ?? '', /attachment/);
        const data = JSON.parse(d.text);
        assert.equal(data.email, email.toLowerCase());
        assert.equal(data.status, 'unsubscribed');
        assert.deepEqual(data.consent_events.map((e) => e.action), ['requested', 'confirmed', 'withdrawn']);
        assert.equal(data.consent_events[0].user_agent, 'NLTest-Request/1.0 (richiesta)');
        assert.equal(data.consent_events[1].user_agent, 'NLTest-Confirm/2.0');
        assert.equal(data.consent_events[0].ip, '127.0.0.1');
        assert.equal(data.consent_events[0].consent_version, version);
        assert.match(data.consent_events[0].consent_text, /Acconsento a ricevere/, 'the words agreed to');

        const e = await plain(s, 'POST', `/newsletter/erase?token=${sub.manage}`);
        assert.equal(e.status, 200);
        assert.equal(subscriberRow(s, email), null);
        assert.equal(count(s, `SELECT count(*) FROM consent_events WHERE subscriber_id = ${sub.id} OR email = ${lit(email)}`), 0);
        assert.equal(count(s, `SELECT count(*) FROM subscriber_topics WHERE subscriber_id = ${sub.id}`), 0);
        assert.equal((await plain(s, 'GET', `/newsletter/data?token=${sub.manage}`)).status, 404, 'its links lead nowhere now');
        assert.equal((await plain(s, 'POST', `/newsletter/confirm?token=${sub.confirm}`)).status, 404);
      });
    });

    // ---- 5. hostile input ----

    describe('bad input stores nothing', () => {
      const email = `${uniq('cattivo.')}@example.it`;
      // Subscribers, ledger lines and mails for the address: none (one psql call).
      const nothingStored = (what, addr = email) => {
        assert.equal(s.sql(`SELECT (SELECT count(*) FROM subscribers WHERE email = lower(${lit(addr)})) || ' '
                            || (SELECT count(*) FROM consent_events WHERE email = lower(${lit(addr)})) || ' '
                            || (SELECT count(*) FROM mail_outbox WHERE lower(to_addr) = lower(${lit(addr)}))`),
        '0 0 0', `${what}: no subscriber, ledger line or mail`);
      };

      it('the form answers 400 with the field message', async () => {
        const version = await consentVersion(s);
        const cases = [
          ['missing consent', { fields: { consent: null } }, 'consent', /consenso/i],
          ['consent not 1', { fields: { consent: '0' } }, 'consent', /consenso/i],
          ['a wrong consent version', { fields: { consent_version: String(version + 1) } }, 'consent', /Il testo del consenso è cambiato/],
          ['an unknown topic', { topics: ['news', 'gossip'] }, 'topics', /Argomento sconosciuto/],
          ['no topic', { topics: [] }, 'topics', /./],
          ['a 300-character name', { name: 'N'.repeat(300) }, 'name', /./],
          ['a one-character name', { name: 'N' }, 'name', /./],
          ['a bad email', { email: 'non-una-email' }, 'email', /./],
          ['an email with a header break', { email: `${email}\r\nBcc: x@example.it` }, 'email', /./],
          ['a 201-character organisation', { organisation: 'O'.repeat(201) }, 'organisation', /./],
        ];
        for (const [what, opts, field, msg] of cases) {
          const r = await subscribeForm(s, { email, ...opts });
          assert.equal(r.status, 400, `${what}: ${r.status}`);
          assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
          const err = r.text.match(new RegExp(`id="e-${field}"[^>]*>([^<]*)<`));
          assert.ok(err, `${what}: a message by the ${field} field`);
          assert.match(err[1], msg, `${what}: ${err[1]}`);
          assert.match(r.text, /<form method="post" action="\/newsletter"/, `${what}: the form again`);
          nothingStored(what);
        }
        nothingStored('any', 'non-una-email');
      });

      it('broken UTF-8 in the name is refused', async () => {
        const c = new Client(s.baseUrl);
        clearLimits(s);
        const { version, csrf } = await formVersion(c);
        const body = `csrf_token=${encodeURIComponent(csrf)}&email=${encodeURIComponent(email)}&name=Mario%C3%28Rossi` +
          `&topics=news&consent=1&consent_version=${version}`;
        const res = await fetch(`${s.baseUrl}/newsletter`, {
          method: 'POST', body, redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: c.cookieHeader() },
        });
        assert.equal(res.status, 400);
        assert.match(await res.text(), /id="e-name"/, 'a message by the name field');
        nothingStored('broken UTF-8');
      });

      it('without the CSRF token the form is refused with 403', async () => {
        const r = await subscribeForm(s, { email, fields: { csrf_token: null } });
        assert.equal(r.status, 403);
        const forged = await subscribeForm(s, { email, fields: { csrf_token: 'A'.repeat(43) } });
        assert.equal(forged.status, 403);
        // A valid token but no session cookie (a cross-site post).
        const c = new Client(s.baseUrl);
        const { csrf, version } = await formVersion(c);
        const res = await fetch(`${s.baseUrl}/newsletter`, {
          method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ csrf_token: csrf, email, name: 'Mario Rossi', topics: 'news', consent: '1', consent_version: String(version) }),
        });
        assert.equal(res.status, 403);
        nothingStored('no CSRF');
      });

      it('the API answers 400 JSON for the same input, 202 for a good one', async () => {
        const version = await consentVersion(s);
        const good = { email, name: 'Mario Rossi', organisation: 'Comune', topics: ['news'], consent: true, consent_version: version };
        const cases = [
          ['missing consent', { ...good, consent: undefined }],
          ['consent false', { ...good, consent: false }],
          ['consent as a string', { ...good, consent: '1' }],
          ['a wrong consent version', { ...good, consent_version: version + 1 }],
          ['an unknown topic', { ...good, topics: ['news', 'gossip'] }],
          ['no topic', { ...good, topics: [] }],
          ['topics missing', { ...good, topics: undefined }],
          ['a 300-character name', { ...good, name: 'N'.repeat(300) }],
          ['a bad email', { ...good, email: 'non-una-email' }],
          ['broken JSON', '{"email": '],
        ];
        for (const [what, body] of cases) {
          const r = await subscribeApi(s, body);
          assert.equal(r.status, 400, `${what}: ${r.status} ${r.text}`);
          assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
          const e = r.json().error;
          assert.equal(typeof e?.code, 'string', what);
          assert.ok(e.message.length > 0, what);
          nothingStored(what);
        }
        // Broken UTF-8 inside a JSON string.
        const raw = Buffer.concat([Buffer.from(`{"email":${JSON.stringify(email)},"name":"Mario`), Buffer.from([0xc3, 0x28]),
          Buffer.from(`Rossi","topics":["news"],"consent":true,"consent_version":${version}}`)]);
        const res = await fetch(`${s.baseUrl}/api/v1/subscriptions`, { method: 'POST', body: raw, headers: { 'content-type': 'application/json' } });
        assert.equal(res.status, 400, 'broken UTF-8 in JSON');
        await res.text();
        nothingStored('broken UTF-8 in JSON');

        const ok = await subscribeApi(s, good);
        assert.equal(ok.status, 202, ok.text);
        assert.equal(subscriberRow(s, email).status, 'pending');
        await s.waitMail(email, CONFIRM_SUBJECT, MAIL_WAIT);
      });
    });

    // ---- 8. the weekly digest ----

    describe('the weekly digest', () => {
      it('lists the week\'s items of the subscriber\'s topics once; immediate subscribers get no digest', async () => {
        const topic = `digest-${Date.now().toString(36)}`;
        s.sql(`INSERT INTO newsletter_topics (slug, name) VALUES (${lit(topic)}, 'Riepilogo di prova')`);
        const weekly = `${uniq('settimanale.')}@example.it`;
        const immediate = `${uniq('subito.')}@example.it`;
        const sub = await subscribeConfirmed(s, weekly, { topics: [topic] });
        const p = await plain(s, 'POST', `/newsletter/preferences?token=${sub.manage}`,
          { body: new URLSearchParams([['topics', topic], ['frequency', 'weekly']]).toString() });
        assert.equal(p.status, 303, p.text);
        assert.equal(subscriberRow(s, weekly).frequency, 'weekly');
        assert.equal(count(s, `SELECT count(*) FROM consent_events WHERE email = ${lit(weekly)} AND action = 'changed'`), 1);
        s.sql(`INSERT INTO subscribers (email, name, status, link_secret, confirmed_at)
               VALUES (${lit(immediate)}, 'Subito Sempre', 'active', 'x', now() - interval '30 days');
               INSERT INTO subscriber_topics SELECT id, ${lit(topic)} FROM subscribers WHERE email = ${lit(immediate)}`);

        const slot = 'newsletter_digest_slot(1, 9)';		// digest_weekday monday, digest_hour 9
        const t = uniq('');
        const items = {
          in1: [`Voce dentro A ${t}`, topic, `${slot} - interval '1 hour'`],
          in2: [`Voce dentro B ${t}`, topic, `${slot} - interval '2 days'`],
          after: [`Voce dopo lo slot ${t}`, topic, `${slot} + (now() - ${slot}) / 2`],
          other: [`Voce altro argomento ${t}`, 'courses', `${slot} - interval '1 hour'`],
          old: [`Voce prima della conferma ${t}`, topic, `${slot} - interval '40 days'`],
        };
        // One transaction: the items (announced already, so the immediate
        // path ignores them) and the backdated confirmation appear together.
        const ins = Object.values(items).map(([title, tp, at]) =>
          `INSERT INTO publications (topic, source, source_id, title, path, published_at, announced_at)
           VALUES (${lit(tp)}, 'test', ${Math.floor(Math.random() * 1e9)}, ${lit(title)}, '/notizie/1', ${at}, now())`);
        s.sql(`${ins.join(';\n')}; UPDATE subscribers SET confirmed_at = now() - interval '30 days' WHERE email = ${lit(weekly)}`);

        const digest = await s.waitMail(weekly, DIGEST_SUBJECT, MAIL_WAIT);
        assert.ok(digest.text.includes(items.in1[0]), 'item A listed');
        assert.ok(digest.text.includes(items.in2[0]), 'item B listed');
        assert.ok(!digest.text.includes(items.after[0]), 'not the item after the slot');
        assert.ok(!digest.text.includes(items.other[0]), 'not the item of another topic');
        assert.ok(!digest.text.includes(items.old[0]), 'not the item before the confirmation');
        assert.equal(digest.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
        assert.match(digest.headers['list-unsubscribe'] ?? '', /\/newsletter\/unsubscribe\?token=/);

        await sleep(4 * JOBS);
        assert.equal(mailsTo(s, weekly, DIGEST_SUBJECT).length, 1, 'one digest for the slot');
        assert.equal(count(s, `SELECT count(*) FROM mail_outbox WHERE to_addr = ${lit(weekly)} AND source = 'digest'`), 1);
        assert.equal(mailsTo(s, immediate, /./).length, 0, 'nothing for the immediate subscriber');
        assert.equal(count(s, `SELECT count(*) FROM newsletter_digests d JOIN subscribers x ON x.id = d.subscriber_id
                               WHERE x.email = ${lit(immediate)}`), 0);
        assert.equal(count(s, `SELECT count(*) FROM mail_outbox WHERE to_addr = ${lit(immediate)}`), 0);
      });
    });

    // ---- the campaign API (contract of issue 6) ----

    describe('campaigns through the API', () => {
      let coord, op, topic;
      const emails = [];

      before(async () => {
        coord = tokenFor(s, s.demo.coordinamento.email);
        op = tokenFor(s, s.demo.operatore.email);
        topic = `campagna-${Date.now().toString(36)}`;
        s.sql(`INSERT INTO newsletter_topics (slug, name) VALUES (${lit(topic)}, 'Campagne di prova')`);
        for (let i = 0; i < 3; i++) emails.push(`${uniq(`camp${i}.`)}@example.it`);
        s.sql(`INSERT INTO subscribers (email, name, status, link_secret, confirmed_at)
               SELECT e, 'Destinatario ' || n, 'active', 'x', now() FROM unnest(ARRAY[${emails.map(lit).join(',')}]) WITH ORDINALITY AS u(e, n);
               INSERT INTO subscriber_topics SELECT id, ${lit(topic)} FROM subscribers WHERE email = ANY (ARRAY[${emails.map(lit).join(',')}])`);
      });

      it('an operator may not create or send one', async () => {
        const r = await bearer(s, op, 'POST', '/api/v1/campaigns', { subject: 'No', body: 'No', topics: null });
        assert.equal(r.status, 403, r.text);
        const any = s.sql('SELECT coalesce(max(id), 1) FROM campaigns');
        assert.equal((await bearer(s, op, 'POST', `/api/v1/campaigns/${any}/send`)).status, 403);
        assert.equal((await bearer(s, op, 'GET', `/api/v1/campaigns/${any}`)).status, 403);
        assert.equal(count(s, "SELECT count(*) FROM mail_outbox WHERE source = 'campaign'"), 0, 'nothing queued');
      });

      it('coordinamento creates, sends, and follows the counts to the end', async () => {
        const subject = uniq('Campagna di prova ');
        const c = await bearer(s, coord, 'POST', '/api/v1/campaigns', { subject, body: 'Un testo **importante**.', topics: [topic] });
        assert.equal(c.status, 201, c.text);
        const id = c.json().id;
        assert.ok(Number.isInteger(id) && id > 0, c.text);
        const send = await bearer(s, coord, 'POST', `/api/v1/campaigns/${id}/send`);
        assert.equal(send.status, 202, send.text);
        assert.equal(send.json().status, 'sending');
        assert.equal(send.json().recipients, 3);
        const again = await bearer(s, coord, 'POST', `/api/v1/campaigns/${id}/send`);
        assert.equal(again.status, 409, `a second send is refused: ${again.text}`);
        assert.equal(count(s, `SELECT count(*) FROM mail_outbox WHERE source = 'campaign' AND source_id = ${id}`), 3, 'queued once');
        const mails = await eventually(() => emails.every((e) => mailsTo(s, e, new RegExp(`^${esc(subject)}$`)).length === 1), MAIL_WAIT);
        assert.ok(mails, 'each recipient got it once');
        const m = mailsTo(s, emails[0], new RegExp(esc(subject)))[0];
        assert.match(m.raw, /<strong>importante<\/strong>/, 'Markdown rendered in the HTML part');
        const lu = m.headers['list-unsubscribe'].match(/<(http[^>]+)>/)[1];
        assert.match(lu, new RegExp(`&c=${id}$`), 'the unsubscribe link names the campaign');
        assert.equal((await plain(s, 'POST', lu, { body: 'List-Unsubscribe=One-Click' })).status, 200);
        const done = await eventually(async () => {
          const g = await bearer(s, coord, 'GET', `/api/v1/campaigns/${id}`);
          return g.status === 200 && g.json().counts?.sent === 3 && g.json().counts?.unsubscribed === 1 ? g.json() : null;
        }, MAIL_WAIT);
        assert.ok(done, 'counts: 3 sent, 1 unsubscribed');
        assert.equal(done.subject, subject);
        assert.equal(done.recipients, 3);
        for (const k of ['queued', 'failed', 'bounced', 'cancelled']) assert.equal(done.counts[k], 0, k);
      });
    });
  });

  // ---- 6. SIGKILL in the middle of a 5,000-recipient campaign ----

  describe('a campaign survives a SIGKILL of the portal', { concurrency: 1 }, () => {
    const N = 5000;
    let k, second;

    before(async () => {
      k = await startStack({ env: { PORTAL_MAIL_RATE: '0', PORTAL_MAIL_LEASE: '3' } });
    });
    after(async () => {
      if (second && second.p.exitCode === null) {
        second.p.kill('SIGTERM');
        await new Promise((r) => second.p.once('exit', r));
      }
      await k?.stop();
      const report = second?.log.join('').match(/(ERROR: AddressSanitizer|runtime error:)[^\n]*/);
      if (report) throw new Error(`sanitizer report from the restarted portal: ${report[0]}`);
    });

    it('every recipient gets it once, or at most mail_concurrency twice', async (t) => {
      // The demo's news were published at the seed: announced before the
      // subscribers exist, so that only the campaign goes to them.
      k.sql('UPDATE publications SET announced_at = now() WHERE announced_at IS NULL');
      k.sql(`INSERT INTO subscribers (email, name, status, link_secret, confirmed_at)
             SELECT 'massa' || g || '@example.it', 'Iscritto ' || g, 'active', 'x', now() FROM generate_series(1, ${N}) g;
             INSERT INTO subscriber_topics SELECT id, 'news' FROM subscribers WHERE email LIKE 'massa%@example.it'`);
      const subject = `Campagna massiva ${uniq('')}`;
      const coord = tokenFor(k, k.demo.coordinamento.email);
      const c = await bearer(k, coord, 'POST', '/api/v1/campaigns', { subject, body: 'Testo della **campagna**.', topics: null });
      assert.equal(c.status, 201, c.text);
      const id = c.json().id;
      const send = await bearer(k, coord, 'POST', `/api/v1/campaigns/${id}/send`);
      assert.equal(send.status, 202, send.text);
      assert.equal(send.json().recipients, N);
      const newDir = join(k.maildir, 'new');
      const delivered = () => { try { return readdirSync(newDir).length; } catch { return 0; } };
      assert.ok(await eventually(() => delivered() >= N / 5, 60000, 100), 'a fifth went out');
      k.portal.kill('SIGKILL');
      await new Promise((r) => (k.portal.exitCode !== null || k.portal.signalCode !== null ? r() : k.portal.once('exit', r)));
      const atKill = delivered();
      const queued = count(k, `SELECT count(*) FROM mail_outbox WHERE source = 'campaign' AND source_id = ${id} AND status = 'queued'`);
      assert.ok(queued > 0, `the kill came in the middle (${atKill} delivered, ${queued} queued)`);
      assert.equal(count(k, `SELECT count(*) FROM mail_outbox WHERE source = 'campaign' AND source_id = ${id}`), N, 'all queued once');

      second = await restartPortal(k);
      const finished = await eventually(() => count(k, `SELECT count(*) FROM mail_outbox WHERE source = 'campaign'
                                                         AND source_id = ${id} AND status = 'queued'`) === 0, 90000, 200);
      assert.ok(finished, 'the restarted portal sent the rest');
      await eventually(() => delivered() >= N, MAIL_WAIT);
      await sleep(1000);
      const per = new Map();
      for (const m of maildirIndex(k)) if (m.subject === subject) per.set(m.to, (per.get(m.to) ?? 0) + 1);
      const missing = [];
      for (let i = 1; i <= N; i++) if (!per.has(`massa${i}@example.it`)) missing.push(i);
      const dups = [...per.entries()].filter(([, n]) => n > 1);
      const extra = dups.reduce((a, [, n]) => a + n - 1, 0);
      t.diagnostic(`delivered at the kill: ${atKill}; duplicates after the restart: ${extra} (${dups.map(([e, n]) => `${e}x${n}`).join(', ') || 'none'})`);
      assert.deepEqual(missing, [], 'no recipient missed');
      assert.equal(per.size, N);
      assert.ok(extra <= 2, `at most mail_concurrency (2) duplicates, got ${extra}`);
      assert.equal(count(k, `SELECT count(*) FROM mail_outbox WHERE source = 'campaign' AND source_id = ${id} AND status = 'sent'`), N);
      const g = await bearer(k, coord, 'GET', `/api/v1/campaigns/${id}`);
      assert.equal(g.status, 200, g.text);
      assert.equal(g.json().counts.sent, N, 'the counts say all sent');
      assert.equal(g.json().counts.queued, 0);
    });
  });

  // ---- 7. a relay that answers 421 for a while, and 550 for one address ----

  describe('a relay that refuses for a while, and an address it refuses for good', { concurrency: 1 }, () => {
    let r, smtp;
    const to = (email) => smtp.st.messages.filter((m) => m.rcpts.includes(email.toLowerCase()));

    before(async () => {
      smtp = await fakeSmtp();
      r = await startStack({ env: { PORTAL_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    });
    after(async () => {
      await r?.stop();
      await smtp?.close();
    });

    it('421: the mails wait in the outbox, then all go, each once', async () => {
      const emails = [0, 1, 2].map((i) => `${uniq(`attesa${i}.`)}@example.it`);
      for (const e of emails) assert.equal((await subscribeForm(r, { email: e })).status, 303);
      const rows = () => r.sql(`SELECT status, attempts, last_error IS NOT NULL FROM mail_outbox
                                WHERE to_addr = ANY (ARRAY[${emails.map(lit).join(',')}]) ORDER BY id`).split('\n');
      const tried = await eventually(() => rows().every((x) => /^queued\|[1-9]\d*\|t$/.test(x)), MAIL_WAIT);
      assert.ok(tried, `each tried and left queued: ${rows().join(' ')}`);
      // The worker's reports arrive between this thread's turns: wait for them.
      assert.ok(await eventually(() => smtp.st.refused >= 3, 5000), `the relay refused ${smtp.st.refused} connections`);
      assert.equal(smtp.st.messages.length, 0);
      // Backoff is 30 s: still queued a moment later, not failed, not retried in a loop.
      await sleep(2000);
      assert.ok(rows().every((x) => /^queued\|[12]\|t$/.test(x)), `still queued, backing off: ${rows().join(' ')}`);
      assert.equal(count(r, `SELECT count(*) FROM mail_outbox WHERE to_addr = ANY (ARRAY[${emails.map(lit).join(',')}])
                             AND next_attempt_at > now() + interval '10 seconds'`), 3, 'next attempt about 30 s away');

      await smtp.set({ refuse: false });
      r.sql(`UPDATE mail_outbox SET next_attempt_at = now() WHERE status = 'queued'`);
      const all = await eventually(() => emails.every((e) => to(e).length >= 1), MAIL_WAIT);
      assert.ok(all, 'every mail arrived');
      await sleep(2000);
      for (const e of emails) {
        assert.equal(to(e).length, 1, `${e} once`);
        assert.match(to(e)[0].data, /Conferma l'iscrizione/);
      }
      assert.ok(rows().every((x) => x.startsWith('sent|')), rows().join(' '));
    });

    it('550: after mail_bounce_limit (3) bounces the address is suppressed and mailed no more', async () => {
      const bad = `${uniq('rimbalzo.')}@example.it`;
      const good = `${uniq('arriva.')}@example.it`;
      await smtp.set({ refuse: false, reject: [bad.toLowerCase()] });
      r.sql(`INSERT INTO subscribers (email, name, status, link_secret, confirmed_at)
             VALUES (${lit(bad)}, 'Casella Inesistente', 'active', 'x', now()), (${lit(good)}, 'Casella Buona', 'active', 'x', now());
             INSERT INTO subscriber_topics SELECT id, 'documents' FROM subscribers WHERE email IN (${lit(bad)}, ${lit(good)})`);
      for (let i = 1; i <= 3; i++) {
        const pub = publish(r, { topic: 'documents', title: `Documento ${i} ${uniq('')}` });
        assert.ok(await waitAnnounced(r, pub));
        const bounced = await eventually(() => count(r, `SELECT coalesce((SELECT bounces FROM mail_bounces WHERE address = ${lit(bad)}), 0)`) === i, 20000);
        assert.ok(bounced, `bounce #${i} recorded: ${r.sql(`SELECT string_agg(concat_ws(' ', id, status, attempts, bounced, last_error), '; ')
          FROM mail_outbox WHERE to_addr = ${lit(bad)}`)}; outbox ${r.sql(`SELECT string_agg(concat_ws(' ', id, to_addr, status, attempts, next_attempt_at - now()), '; ') FROM mail_outbox WHERE id > 0`)}
          SMTP: ${smtp.st.log.slice(-60).join('\n')}
          portal: ${r.log.join('').slice(-3000)}
          pg: ${r.sql(`SELECT string_agg(concat_ws(' | ', pid, state, wait_event_type, wait_event, now() - query_start, left(query, 80)), E'\n') FROM pg_stat_activity WHERE datname = 'portal' AND pid <> pg_backend_pid()`)}`);
      }
      assert.equal(r.sql(`SELECT suppressed_at IS NOT NULL FROM mail_bounces WHERE address = ${lit(bad)}`), 't', 'suppressed after 3');
      assert.equal(count(r, `SELECT count(*) FROM mail_outbox WHERE to_addr = ${lit(bad)} AND bounced AND status = 'failed'`), 3);

      const title = `Documento 4 ${uniq('')}`;
      const pub = publish(r, { topic: 'documents', title });
      assert.ok(await waitAnnounced(r, pub));
      assert.ok(await eventually(() => to(good).some((m) => m.data.includes(title)), MAIL_WAIT), 'the good address gets it');
      const fourth = await eventually(() => {
        const v = r.sql(`SELECT status FROM mail_outbox WHERE to_addr = ${lit(bad)} AND source_id = ${pub}`);
        return v === 'suppressed' ? v : null;
      }, MAIL_WAIT);
      assert.equal(fourth, 'suppressed', 'the fourth update is suppressed in the outbox');
      assert.equal(smtp.st.rcpts.filter((a) => a === bad.toLowerCase()).length, 3, 'the relay was asked three times, not four');
      assert.equal(to(good).length, 4, 'the good address got all four, once each');
    });
  });
});
