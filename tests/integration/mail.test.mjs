// Mail as it reaches a real SMTP server (aiosmtpd writing a Maildir):
// MIME structure, RFC 2047 headers, Message-ID, links, HTML escaping, and
// the outbox rows behind it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, Client } from '../lib/harness.mjs';
import { uniq, lit, orgId, register, mailsTo, eventually } from './util.mjs';

let s;

before(async () => { s = await startStack(); });
after(async () => { if (s) await s.stop(); });

// Header block of a raw message: unfolded lines by lower-case name.
function headersOf(raw) {
  const head = raw.split(/\r?\n\r?\n/)[0];
  const out = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) (out[line.slice(0, i).toLowerCase()] ??= []).push(line.slice(i + 1).trim());
  }
  return out;
}

function decodeBody(body, cte) {
  switch ((cte ?? '7bit').toLowerCase()) {
    case 'quoted-printable': {
      const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    }
    case 'base64': return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default: return Buffer.from(body, 'latin1').toString('utf8');
  }
}

// RFC 2047 encoded words, strictly: charset, B or Q, at most 75 characters.
function decodeWords(value) {
  return value.replace(/(=\?[^?]+\?[BQbq]\?[^?]*\?=)\s+(?==\?)/g, '$1').replace(/=\?([^?]+)\?([BQbq])\?([^?]*)\?=/g, (w, cs, enc, text) => {
    assert.ok(w.length <= 75, `encoded word of ${w.length} characters: ${w}`);
    assert.match(cs, /^utf-8$/i);
    const bytes = enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    return bytes.toString('utf8');
  });
}

// Splits a multipart/alternative message into its decoded parts.
function parseMessage(raw) {
  const headers = headersOf(raw);
  const ct = headers['content-type']?.[0] ?? '';
  const m = /boundary="?([^";]+)"?/i.exec(ct);
  const parts = [];
  if (m) {
    const body = raw.slice(raw.search(/\r?\n\r?\n/)).replace(/^\r?\n\r?\n/, '');
    const sections = body.split(new RegExp(`\\r?\\n?--${m[1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?\\r?\\n?`));
    for (const sec of sections) {
      if (!/\S/.test(sec)) continue;
      const idx = sec.search(/\r?\n\r?\n/);
      if (idx < 0) continue;
      const h = headersOf(sec);
      parts.push({ headers: h, type: h['content-type']?.[0] ?? '', text: decodeBody(sec.slice(idx).replace(/^\r?\n\r?\n/, ''), h['content-transfer-encoding']?.[0]) });
    }
  }
  return { raw, headers, contentType: ct, parts };
}

async function rawMail(to, subject) {
  const m = await eventually(() => mailsTo(s, to, subject)[0], 10000);
  assert.ok(m, `a mail to ${to} matching ${subject}`);
  return parseMessage(m.raw);
}

describe('the messages on the wire', () => {
  const email = `${uniq('niccolo.')}@example.it`;
  const name = 'Niccolò Àlvarez <b>Bold</b>';
  let confirm;

  before(async () => {
    const r = await register(s, { name, email, org: orgId(s, 'Comune di Orvieto'), password: 'password-mail-1' });
    assert.equal(r.status, 303);
    confirm = await rawMail(email, /Conferma la tua registrazione/);
  });

  it('is multipart/alternative with a UTF-8 text part and an HTML part', () => {
    assert.match(confirm.contentType, /^multipart\/alternative;/i);
    assert.equal(confirm.headers['mime-version']?.[0], '1.0');
    assert.equal(confirm.parts.length, 2);
    const [text, html] = confirm.parts;
    assert.match(text.type, /^text\/plain;\s*charset="?utf-8"?/i, 'text first (least preferred)');
    assert.match(html.type, /^text\/html;\s*charset="?utf-8"?/i, 'HTML last (preferred)');
    assert.ok(text.text.includes('Gentile Niccolò Àlvarez <b>Bold</b>,'), 'the text part has the name as typed');
    assert.ok(html.text.includes('Gentile Niccolò Àlvarez &lt;b&gt;Bold&lt;/b&gt;,'), 'the HTML part escapes it');
    assert.ok(!html.text.includes('<b>Bold'), 'no markup from the user in the HTML part');
  });

  it('the text and the HTML part carry the same confirmation link', () => {
    const [text, html] = confirm.parts;
    const base = s.baseUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const t = new RegExp(`${base}/conferma\\?token=([A-Za-z0-9_-]{43})`).exec(text.text);
    assert.ok(t, 'the text part contains the link');
    assert.match(text.text, new RegExp(`^${base}/conferma\\?token=${t[1]}$`, 'm'), 'the link on a line of its own');
    assert.ok(html.text.includes(`href="${s.baseUrl}/conferma?token=${t[1]}"`), 'the HTML part links to it');
  });

  it('headers are ASCII, RFC 2047-encoded where needed, with a Message-ID and a Date', async () => {
    const head = confirm.raw.split(/\r?\n\r?\n/)[0];
    assert.match(head, /^[\x20-\x7e\r\n\t]*$/, 'no raw 8-bit byte in the header block');
    for (const line of head.split(/\r?\n/)) assert.ok(line.length <= 998, 'header lines within 998 characters');
    assert.match(confirm.headers.to[0], /=\?UTF-8\?/i, 'the name in To is encoded');
    assert.ok(decodeWords(confirm.headers.to[0]).includes(`${name}`) || decodeWords(confirm.headers.to[0]).includes(`"${name}"`));
    assert.ok(confirm.headers.to[0].includes(`<${email}>`));
    assert.match(confirm.headers.from[0], /<[^<>@\s]+@[^<>@\s]+>$/);
    assert.ok(!Number.isNaN(Date.parse(confirm.headers.date[0])), 'a Date header');
    assert.match(confirm.headers['message-id'][0], /^<[^<>@\s]+@[^<>@\s]+>$/, 'a Message-ID');

    // A subject with accented letters: "Il tuo account è stato approvato".
    const id = s.sql(`SELECT id FROM users WHERE email = ${lit(email)}`);
    s.sql(`UPDATE users SET status = 'pending' WHERE id = ${id}`);
    const admin = new Client(s.baseUrl);
    await admin.login(s.demo.admin.email, s.demo.admin.password);
    const r = await admin.submit(`/admin/utenti/${id}`, `/admin/utenti/${id}`, { action: 'approve' });
    assert.equal(r.status, 303);
    const approved = await rawMail(email, /Il tuo account è stato approvato/);
    const subject = approved.headers.subject[0];
    assert.match(subject, /=\?UTF-8\?[BQ]\?/i, 'the raw Subject is RFC 2047-encoded');
    assert.equal(decodeWords(subject), 'Il tuo account è stato approvato');
    assert.notEqual(approved.headers['message-id'][0], confirm.headers['message-id'][0], 'Message-IDs are unique');
    assert.equal(approved.parts.length, 2);
  });

  it('body lines respect the 998-character limit, and quoted-printable lines 76', () => {
    const body = confirm.raw.slice(confirm.raw.search(/\r?\n\r?\n/));
    for (const line of body.split(/\r?\n/)) assert.ok(line.length <= 998);
    assert.ok(confirm.parts.every((p) => /^(quoted-printable|base64)$/i.test(p.headers['content-transfer-encoding']?.[0] ?? '')),
      'UTF-8 parts are 7-bit safe (quoted-printable or base64)');
    const qp = confirm.raw.split(/\r?\n\r?\n/).slice(1).join('\n\n').split(/\r?\n/)
      .filter((l) => !/^(--|Content-)/.test(l));
    assert.ok(qp.every((l) => l.length <= 76), `quoted-printable lines of at most 76 characters (${Math.max(...qp.map((l) => l.length))})`);
  });
});

describe('the outbox', () => {
  it('a queued message ends as sent, once, with its subject', async () => {
    const email = `${uniq('outbox.')}@example.it`;
    const r = await register(s, { name: 'Posta Inviata', email, org: orgId(s, 'Regione Umbria'), password: 'password-mail-2' });
    assert.equal(r.status, 303);
    await rawMail(email, /Conferma la tua registrazione/);
    const row = await eventually(() => {
      const v = s.sql(`SELECT status, attempts, sent_at IS NOT NULL, last_error IS NULL, subject, count(*) OVER ()
                       FROM mail_outbox WHERE to_addr = ${lit(email)}`);
      return v.startsWith('sent|') ? v : null;
    }, 5000);
    assert.equal(row, 'sent|1|t|t|Conferma la tua registrazione|1');
    assert.equal(mailsTo(s, email, /./).length, 1, 'delivered once');
  });

  it('the mail is queued in the same transaction as the change', async () => {
    // A registration refused by validation queues nothing.
    const email = `${uniq('nomail.')}@example.it`;
    const c = new Client(s.baseUrl);
    const r = await c.submit('/registrati', '/registrati', { name: 'Senza Posta', email, org: '1', password: 'password-mail-3', password_confirm: 'diversa-mail-3', privacy: '1' });
    assert.equal(r.status, 400);
    assert.equal(s.sql(`SELECT count(*) FROM mail_outbox WHERE to_addr = ${lit(email)}`), '0');
    // A confirmation token and its mail exist together.
    const ok = await register(s, { name: 'Con Posta', email, org: orgId(s, 'Regione Umbria'), password: 'password-mail-3' });
    assert.equal(ok.status, 303);
    assert.equal(s.sql(`SELECT count(*) FROM mail_outbox WHERE to_addr = ${lit(email)}`), '1');
    assert.equal(s.sql(`SELECT count(*) FROM user_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = ${lit(email)} AND t.purpose = 'confirm'`), '1');
  });

  it('a header break in a name cannot inject recipients', async () => {
    const email = `${uniq('inject.')}@example.it`;
    const c = new Client(s.baseUrl);
    const r = await c.submit('/registrati', '/registrati', {
      name: 'Mallory\r\nBcc: victim@example.it', email, org: '1', password: 'password-mail-4', password_confirm: 'password-mail-4', privacy: '1',
    });
    assert.equal(r.status, 400);
    assert.equal(s.sql(`SELECT count(*) FROM mail_outbox WHERE to_addr = ${lit(email)}`), '0');
    assert.equal(s.mails().filter((m) => /victim@example\.it/.test(m.raw)).length, 0);
  });
});
