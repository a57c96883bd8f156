// News posts and events (content/news*.c, content/event*.c): publication
// and its record for the newsletter (once, even when republished),
// scheduled and draft posts, the Atom feed, iCalendar files, registration
// with capacity and waiting list, the emailed cancel link (GET asks, POST
// cancels), the reminder of the day before, the attendance sheet as PDF
// and CSV, and hostile input that must change nothing.  Real stack
// (tests/lib/harness.mjs): PostgreSQL, the SMTP sink and the binary.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, startStack } from '../lib/harness.mjs';
import { bearer, eventually, lit, loginAs, mailLink, mailsTo, tokenFor, uniq } from './util.mjs';

let s, tok, trainer;
before(async () => {
  s = await startStack();
  tok = tokenFor(s, s.demo.formatore.email);
  trainer = await loginAs(s, 'formatore');
});
after(async () => { await s?.stop(); });

const count = (q) => Number(s.sql(q));
const newsRows = () => count('SELECT count(*) FROM news');
const eventRows = () => count('SELECT count(*) FROM events');
const regRows = () => count('SELECT count(*) FROM event_registrations');

// An event through the API; days from now, in Rome time.
async function makeEvent(fields = {}) {
  const d = new Date(Date.now() + (fields.days ?? 10) * 86400_000).toISOString().slice(0, 10);
  const body = {
    title: uniq('Seminario '), kind: 'seminario', description: 'Il **PAI** spiegato.',
    starts_at: `${d}T09:30`, ends_at: `${d}T12:00`, place: 'Roma, via Capitan Bavastro 94', ...fields,
  };
  delete body.days;
  const r = await bearer(s, tok, 'POST', '/api/v1/events', body);
  assert.equal(r.status, 201, r.text);
  return r.json();
}

// A visitor registers through the page's form, as a browser does.
async function registerForm(id, { name, email, organisation = '' }) {
  const c = new Client(s.baseUrl);
  return c.submit(`/eventi/${id}`, `/eventi/${id}/iscrizione`, { name, email, organisation });
}

describe('news', () => {
  it('a published post is visible, in the feed, and recorded once for the newsletter', async () => {
    const title = uniq('Nuovi moduli FAD <b>');
    const r = await trainer.submit('/gestione/notizie/nuova', '/gestione/notizie',
      { title, body: 'Testo **importante** e <script>alert(1)</script>.' });
    assert.equal(r.status, 303, r.text);
    const id = r.headers.get('location').match(/^\/notizie\/(\d+)\?esito=pubblicata$/)?.[1];
    assert.ok(id, `redirect to the post: ${r.headers.get('location')}`);

    const visitor = new Client(s.baseUrl);
    const page = await visitor.get(`/notizie/${id}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(title.replace('<', '&lt;').replace('>', '&gt;')), 'title escaped');
    assert.match(page.text, /<strong>importante<\/strong>/);
    assert.doesNotMatch(page.text, /<script>alert/);
    assert.match((await visitor.get('/notizie')).text, new RegExp(`/notizie/${id}"`));

    const pub = () => s.sql(`SELECT topic || '|' || path FROM publications WHERE source = 'news' AND source_id = ${id}`);
    assert.equal(pub(), `news|/notizie/${id}`);
    // Edited and republished: still one row.
    const again = await trainer.submit(`/gestione/notizie/${id}`, `/gestione/notizie/${id}`, { title: `${title} (agg.)`, body: 'Altro testo.' });
    assert.equal(again.status, 303, again.text);
    assert.equal(count(`SELECT count(*) FROM publications WHERE source = 'news' AND source_id = ${id}`), 1);

    // The Atom feed: well-formed XML (xmllint), with the required elements.
    const feed = await visitor.get('/notizie/feed.atom');
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get('content-type'), /^application\/atom\+xml/);
    const dir = mkdtempSync(join(tmpdir(), 'atom-'));
    try {
      writeFileSync(join(dir, 'feed.xml'), feed.bytes);
      execFileSync('xmllint', ['--noout', join(dir, 'feed.xml')], { stdio: 'pipe' });
    } finally { rmSync(dir, { recursive: true, force: true }); }
    const x = feed.text;
    assert.match(x, /^<\?xml version="1\.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom"/);
    for (const re of [/<id>[^<]+\/notizie<\/id>/, /<updated>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/updated>/,
      /<author><name>[^<]+<\/name>/, /<link rel="self" type="application\/atom\+xml" href="[^"]+\/notizie\/feed\.atom"\/>/,
      /<link rel="alternate" type="text\/html" href="[^"]+\/notizie"\/>/]) assert.match(x, re);
    const entry = x.split('<entry>').find((e) => e.includes(`/notizie/${id}</id>`));
    assert.ok(entry, 'the post is an entry');
    assert.match(entry, /<content type="html">[^<]*&lt;p&gt;Altro testo\.&lt;\/p&gt;/);
    assert.match(entry, /<updated>[^<]+<\/updated>/);
    assert.match(entry, /<link rel="alternate" type="text\/html" href="[^"]+"\/>/);

    const api = await visitor.get('/api/v1/news');
    assert.equal(api.status, 200);
    assert.ok(api.json().news.some((n) => n.id === Number(id)));
  });

  it('a scheduled post is hidden until its time; a draft is never shown nor recorded', async () => {
    const title = uniq('Programmata ');
    const r = await bearer(s, tok, 'POST', '/api/v1/news', { title, body: 'Presto.', published_at: '2099-01-01T09:00' });
    assert.equal(r.status, 201, r.text);
    const id = r.json().id;
    assert.equal(r.json().visible, false);
    const visitor = new Client(s.baseUrl);
    assert.equal((await visitor.get(`/notizie/${id}`)).status, 404);
    assert.equal((await trainer.get(`/notizie/${id}`)).status, 200, 'staff see it');
    assert.ok(!(await visitor.get('/notizie/feed.atom')).text.includes(`/notizie/${id}<`));
    // Recorded with its future time (Rome: 09:00 is 08:00 UTC in January).
    assert.equal(s.sql(`SELECT to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM publications WHERE source = 'news' AND source_id = ${id}`),
      '2099-01-01 08:00');
    s.sql(`UPDATE news SET published_at = now() - interval '1 minute' WHERE id = ${id}`);
    assert.equal((await visitor.get(`/notizie/${id}`)).status, 200, 'due now');

    const d = await bearer(s, tok, 'POST', '/api/v1/news', { title: uniq('Bozza '), body: 'x', draft: true });
    assert.equal(d.status, 201, d.text);
    assert.equal((await visitor.get(`/notizie/${d.json().id}`)).status, 404);
    assert.equal(count(`SELECT count(*) FROM publications WHERE source = 'news' AND source_id = ${d.json().id}`), 0);

    // Unpublishing a post not yet announced retracts its record.
    const p = await bearer(s, tok, 'POST', '/api/v1/news', { title: uniq('Ritirata '), body: 'x', published_at: '2099-05-01T10:00' });
    const pid = p.json().id;
    assert.equal(count(`SELECT count(*) FROM publications WHERE source = 'news' AND source_id = ${pid}`), 1);
    const back = await trainer.submit(`/gestione/notizie/${pid}`, `/gestione/notizie/${pid}`, { title: 'Ritirata', body: 'x', draft: '1' });
    assert.equal(back.status, 303, back.text);
    assert.equal(count(`SELECT count(*) FROM publications WHERE source = 'news' AND source_id = ${pid}`), 0);
  });

  it('takes only a public image of the document area as cover', async () => {
    const png = s.sql(`SELECT id FROM documents WHERE kit_slot = 'logo-png'`);
    const odp = s.sql(`SELECT id FROM documents WHERE kit_slot = 'modello-presentazione'`);
    const before = newsRows();
    const bad = await bearer(s, tok, 'POST', '/api/v1/news', { title: 'Copertina sbagliata', cover_document_id: Number(odp) });
    assert.equal(bad.status, 400);
    assert.match(bad.json().error.message, /immagine pubblica/);
    const missing = await bearer(s, tok, 'POST', '/api/v1/news', { title: 'Copertina assente', cover_document_id: 999999 });
    assert.equal(missing.status, 400);
    s.sql(`UPDATE documents SET visibility = 'members' WHERE id = ${png}`);
    const priv = await bearer(s, tok, 'POST', '/api/v1/news', { title: 'Copertina riservata', cover_document_id: Number(png) });
    s.sql(`UPDATE documents SET visibility = 'public' WHERE id = ${png}`);
    assert.equal(priv.status, 400);
    assert.equal(newsRows(), before, 'nothing stored');
    const ok = await bearer(s, tok, 'POST', '/api/v1/news', { title: uniq('Con logo '), cover_document_id: Number(png) });
    assert.equal(ok.status, 201, ok.text);
    const page = await new Client(s.baseUrl).get(`/notizie/${ok.json().id}`);
    assert.match(page.text, new RegExp(`<img src="/documents/${png}/download"`));
  });

  it('refuses bad input with a form error or a 4xx, storing nothing', async () => {
    const before = newsRows();
    const cases = [
      { title: '' },
      { title: 'x'.repeat(201) },
      { title: 'Data', published_at: '2026-02-30T10:00' },
      { title: 'Data', published_at: 'domani' },
      { title: 'Data', published_at: '1999-12-31T10:00' },
    ];
    for (const f of cases) {
      const r = await trainer.submit('/gestione/notizie/nuova', '/gestione/notizie', f);
      assert.equal(r.status, 400, `form ${JSON.stringify(f).slice(0, 60)}`);
      assert.match(r.text, /class="invalid-feedback d-block"/);
    }
    // Broken UTF-8 in the title.
    const token = await trainer.csrf('/gestione/notizie/nuova');
    const raw = await fetch(`${s.baseUrl}/gestione/notizie`, {
      method: 'POST', redirect: 'manual',
      headers: { cookie: trainer.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf_token=${token}&title=%C3%28abc&body=x`,
    });
    assert.equal(raw.status, 400);
    assert.equal((await bearer(s, tok, 'POST', '/api/v1/news', { title: 12 })).status, 400);
    assert.equal((await bearer(s, tok, 'POST', '/api/v1/news', '{"title":')).status, 400);
    // Not staff, or no CSRF token.
    const op = await loginAs(s, 'operatore');
    assert.equal((await op.submit('/notizie', '/gestione/notizie', { title: 'Operatore' })).status, 403);
    assert.equal((await trainer.request('POST', '/gestione/notizie', { form: { title: 'Senza token' } })).status, 403);
    assert.equal((await new Client(s.baseUrl).request('POST', '/api/v1/news', { json: { title: 'x' } })).status, 401);
    assert.equal(newsRows(), before);
    assert.equal((await new Client(s.baseUrl).get('/notizie/999999')).status, 404);
    assert.equal((await new Client(s.baseUrl).get('/notizie/abc')).status, 400);
    assert.equal((await new Client(s.baseUrl).get('/notizie?pagina=999')).status, 404);
  });
});

describe('events', () => {
  it('serves iCalendar files for one event and for all', async () => {
    const e = await makeEvent({ title: 'Webinar, prova; con "virgolette"', kind: 'webinar', place: '',
      online_url: 'https://meet.example.it/abc' });
    const one = await new Client(s.baseUrl).get(`/eventi/${e.id}.ics`);
    assert.equal(one.status, 200);
    assert.match(one.headers.get('content-type'), /^text\/calendar/);
    const t = one.text;
    assert.ok(t.startsWith('BEGIN:VCALENDAR\r\n') && t.endsWith('END:VCALENDAR\r\n'));
    assert.equal(t.match(/BEGIN:VEVENT/g).length, 1);
    for (const line of t.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `folded: ${line}`);
    const unfolded = t.replace(/\r\n /g, '');
    assert.match(unfolded, new RegExp(`UID:evento-${e.id}@`));
    assert.match(unfolded, /DTSTART:\d{8}T\d{6}Z\r\n/);
    assert.match(unfolded, /SUMMARY:Webinar: Webinar\\, prova\\; con "virgolette"/);
    assert.match(unfolded, /LOCATION:https:\/\/meet\.example\.it\/abc/);
    const all = await new Client(s.baseUrl).get('/eventi.ics');
    assert.equal(all.status, 200);
    assert.equal(all.text.match(/BEGIN:VEVENT/g).length, eventRows());
    assert.equal((await new Client(s.baseUrl).get('/eventi/999999.ics')).status, 404);
    assert.equal((await new Client(s.baseUrl).get('/eventi/12.pdf')).status, 404);
  });

  it('fills the seats, puts the rest on the waiting list, and moves it up on a cancellation by the emailed link', async () => {
    const e = await makeEvent({ capacity: 1 });
    const [a, b] = [uniq('anna') + '@example.it', uniq('bruno') + '@example.it'];
    const ra = await registerForm(e.id, { name: 'Anna Bianchi', email: a, organisation: 'Municipio I' });
    assert.equal(ra.status, 200, ra.text);
    const rb = await registerForm(e.id, { name: 'Bruno Verdi', email: b });
    assert.equal(rb.status, 200);
    const mailA = await s.waitMail(a, /Iscrizione confermata/);
    await s.waitMail(b, /lista d'attesa/);
    // The same address again: one registration, the same page.
    const again = await registerForm(e.id, { name: 'Anna B.', email: a.toUpperCase() });
    assert.equal(again.status, 200);
    const norm = (t) => t.replace(/<input type="hidden" name="csrf_token"[^>]*>/g, '').replace(/<strong>[^<]*<\/strong>/, '');
    assert.equal(norm(again.text), norm(ra.text));
    assert.equal(count(`SELECT count(*) FROM event_registrations WHERE event_id = ${e.id}`), 2);
    // The API: a visitor with the token of GET /api/v1/events; full, so 202.
    const v = new Client(s.baseUrl);
    const list = await v.get('/api/v1/events');
    const api = await v.request('POST', `/api/v1/events/${e.id}/registrations`, {
      json: { name: 'Carla Neri', email: `${uniq('carla')}@example.it` }, headers: { 'x-csrf-token': list.json().csrf_token } });
    assert.equal(api.status, 202, api.text);
    assert.equal(api.json().status, 'waiting_list');
    const noCsrf = await new Client(s.baseUrl).request('POST', `/api/v1/events/${e.id}/registrations`,
      { json: { name: 'X', email: 'x@example.it' } });
    assert.equal(noCsrf.status, 403);

    // The link's GET asks, and cancels nothing (mail scanners follow links).
    // The repeated registration mailed a new link; the first one no longer works.
    const mailsA = await eventually(() => { const l = mailsTo(s, a, /Iscrizione confermata/); return l.length === 2 && l; });
    assert.ok(mailsA, 'a second mail for the repeated registration');
    // Maildir names do not keep the order of arrival: the new link is the other one.
    const old = mailLink(s, mailA, '/eventi/annulla');
    const links = mailsA.map((m) => mailLink(s, m, '/eventi/annulla'));
    assert.ok(links.includes(old), 'the first mail is one of the two');
    const token = links.find((l) => l !== old);
    assert.ok(token, `the second mail has a new link: ${links.join(' ')}`);
    assert.equal((await new Client(s.baseUrl).get(`/eventi/annulla?token=${old}`)).status, 404);
    const c = new Client(s.baseUrl);
    const ask = await c.get(`/eventi/annulla?token=${token}`);
    assert.equal(ask.status, 200);
    assert.match(ask.text, /<button type="submit" class="btn btn-danger">Annulla l'iscrizione<\/button>/);
    const status = (email) => s.sql(`SELECT status FROM event_registrations WHERE event_id = ${e.id} AND lower(email) = lower(${lit(email)}) AND status <> 'cancelled'`);
    assert.equal(status(a), 'confirmed');
    const done = await c.submit(`/eventi/annulla?token=${token}`, '/eventi/annulla', { token });
    assert.equal(done.status, 200, done.text);
    assert.match(done.text, /L'iscrizione è stata annullata/);
    assert.equal(status(a), '');
    assert.equal(status(b), 'confirmed', 'the first waiting one moved up');
    await s.waitMail(b, /Posto confermato/);
    // Used twice, or forged: nothing happens.
    assert.equal((await c.submit(`/eventi/${e.id}`, '/eventi/annulla', { token })).status, 404);
    assert.equal((await c.submit(`/eventi/${e.id}`, '/eventi/annulla', { token: 'A'.repeat(43) })).status, 404);
    assert.equal((await c.get('/eventi/annulla?token=short')).status, 400);
    assert.equal(status(b), 'confirmed');
  });

  it('reminds each confirmed registrant once, the day before', async () => {
    const e = await makeEvent({ days: 20 });
    const m = `${uniq('memo')}@example.it`;
    assert.equal((await registerForm(e.id, { name: 'Marta Rossi', email: m })).status, 200);
    await s.waitMail(m, /Iscrizione confermata/);
    assert.equal(mailsTo(s, m, /Promemoria/).length, 0);
    s.sql(`UPDATE events SET starts_at = now() + interval '20 hours', ends_at = now() + interval '22 hours' WHERE id = ${e.id}`);
    await s.waitMail(m, /Promemoria/, 15000);
    await sleep(3000);	// a few more runs of the job
    assert.equal(mailsTo(s, m, /Promemoria/).length, 1);
    assert.notEqual(s.sql(`SELECT reminded_at FROM event_registrations WHERE event_id = ${e.id}`), '');
  });

  it('gives staff the attendance sheet as a PDF that opens, over several pages, and a CSV with BOM', async () => {
    const e = await makeEvent({ title: 'Workshop con molti iscritti' });
    s.sql(`INSERT INTO event_registrations (event_id, name, email, organisation, status, cancel_hash)
           SELECT ${e.id}, 'Partecipante ' || g || ' Dell''Ambito', 'p' || g || '@example.it',
                  '=Comune di Agerola ' || g, 'confirmed', decode(md5(random()::text || g), 'hex')
           FROM generate_series(1, 45) g`);
    const r = await trainer.get(`/gestione/eventi/${e.id}/foglio-firme.pdf`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/pdf');
    const dir = mkdtempSync(join(tmpdir(), 'sheet-'));
    try {
      const file = join(dir, 'foglio.pdf');
      writeFileSync(file, r.bytes);
      execFileSync('pdftoppm', ['-png', '-r', '30', '-f', '1', '-l', '1', '-singlefile', file, join(dir, 'page')], { stdio: 'pipe' });
      assert.ok(existsSync(join(dir, 'page.png')));
      const info = execFileSync('pdfinfo', [file]).toString();
      const pages = Number(info.match(/Pages:\s+(\d+)/)[1]);
      assert.ok(pages >= 2, `50 rows take more than one page (${pages})`);
      const [w, h] = info.match(/Page size:\s+([\d.]+) x ([\d.]+)/).slice(1).map(Number);
      assert.ok(Math.abs(w - 595) < 2 && Math.abs(h - 842) < 2, `A4: ${w} x ${h}`);
      const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
      assert.equal(text.match(/Workshop con molti iscritti/g).length, pages, 'the heading on every page');
      assert.equal(text.match(/Firma/g).length, pages, 'the table header on every page');
      assert.match(text, /Partecipante 45 Dell.Ambito/);
    } finally { rmSync(dir, { recursive: true, force: true }); }

    const csv = await trainer.get(`/gestione/eventi/${e.id}/foglio-firme.csv`);
    assert.equal(csv.status, 200);
    assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const lines = csv.bytes.subarray(3).toString('utf8').split('\r\n');
    assert.equal(lines[0], 'N.;Nome e cognome;Email;Ente;Stato;Iscritto il');
    assert.match(lines[1], /^1;Partecipante 1 Dell'Ambito;p1@example\.it;"'=Comune di Agerola 1";confermato;\d\d\/\d\d\/\d{4} \d\d:\d\d$/);
    // Visitors and members who are not staff see none of it.
    assert.equal((await new Client(s.baseUrl).get(`/gestione/eventi/${e.id}/foglio-firme.csv`)).status, 303);
    const op = await loginAs(s, 'operatore');
    assert.equal((await op.get(`/gestione/eventi/${e.id}/foglio-firme.pdf`)).status, 403);
    assert.equal((await op.get(`/gestione/eventi/${e.id}/iscritti`)).status, 403);
    assert.equal((await trainer.get(`/gestione/eventi/${e.id}/iscritti`)).status, 200);
  });

  it('refuses bad events and registrations, storing nothing', async () => {
    const before = eventRows();
    const d = '2030-05-10';
    const base = { title: 'Evento', kind: 'workshop', starts_at: `${d}T10:00`, ends_at: `${d}T12:00`, place: 'Roma' };
    const bad = [
      { ...base, ends_at: `${d}T09:00` },
      { ...base, ends_at: `${d}T10:00` },
      { ...base, kind: 'festa' },
      { ...base, place: '', online_url: '' },
      { ...base, online_url: 'javascript:alert(1)' },
      { ...base, online_url: 'ftp://example.it/x' },
      { ...base, starts_at: '2030-02-29T10:00' },
      { ...base, starts_at: '2030-05-10T25:00' },
      { ...base, capacity: -1 },
      { ...base, capacity: 100001 },
      { ...base, title: 'x'.repeat(201) },
      { ...base, place: 'y'.repeat(301) },
    ];
    for (const f of bad) {
      const r = await bearer(s, tok, 'POST', '/api/v1/events', f);
      assert.equal(r.status, 400, `${JSON.stringify(f).slice(0, 80)}: ${r.text}`);
    }
    for (const f of [{ ...base, ends_at: `${d}T09:00` }, { ...base, online_url: 'javascript:alert(1)', place: '' }]) {
      const r = await trainer.submit('/gestione/eventi/nuovo', '/gestione/eventi', f);
      assert.equal(r.status, 400);
      assert.match(r.text, /aria-invalid="true"/);
    }
    assert.equal(eventRows(), before);
    // With a zone, the time is that instant.
    const z = await bearer(s, tok, 'POST', '/api/v1/events', { ...base, starts_at: '2030-05-10T08:00:00Z', ends_at: '2030-05-10T12:00:00+02:00' });
    assert.equal(z.status, 201, z.text);
    assert.equal(z.json().starts_at, '2030-05-10T08:00:00Z');
    assert.equal(z.json().ends_at, '2030-05-10T10:00:00Z');

    const e = await makeEvent({ capacity: 5 });
    const regs = regRows();
    for (const f of [{ name: '', email: 'a@example.it' }, { name: 'A', email: 'non-una-email' },
      { name: 'A', email: '' }, { name: 'n'.repeat(201), email: 'a@example.it' }]) {
      const r = await registerForm(e.id, f);
      assert.equal(r.status, 400, JSON.stringify(f).slice(0, 60));
    }
    assert.equal((await registerForm(999999, { name: 'A', email: 'a@example.it' }).catch(() => ({ status: 404 }))).status, 404);
    const past = await makeEvent({ days: -3 });
    const v = new Client(s.baseUrl);
    const t = (await v.get('/api/v1/events')).json().csrf_token;
    const closed = await v.request('POST', `/api/v1/events/${past.id}/registrations`,
      { json: { name: 'Tardi', email: 'tardi@example.it' }, headers: { 'x-csrf-token': t } });
    assert.equal(closed.status, 404);
    assert.equal(regRows(), regs);
    // A registration as bearer: 201, and the address is not a new row when sent again.
    const em = `${uniq('api')}@example.it`;
    const r1 = await bearer(s, tok, 'POST', `/api/v1/events/${e.id}/registrations`, { name: 'Api', email: em });
    assert.equal(r1.status, 201, r1.text);
    const r2 = await bearer(s, tok, 'POST', `/api/v1/events/${e.id}/registrations`, { name: 'Api', email: em });
    assert.equal(r2.status, 201);
    assert.equal(regRows(), regs + 1);
  });

  it('records an event once for the newsletter and retracts it when deleted before the announcement', async () => {
    const e = await makeEvent();
    const n = () => count(`SELECT count(*) FROM publications WHERE source = 'event' AND source_id = ${e.id}`);
    assert.equal(n(), 1);
    const ed = await trainer.submit(`/gestione/eventi/${e.id}`, `/gestione/eventi/${e.id}`, {
      title: 'Titolo nuovo', kind: 'convegno', starts_at: '2031-01-10T10:00', ends_at: '2031-01-10T12:00', place: 'Orvieto' });
    assert.equal(ed.status, 303, ed.text);
    assert.equal(n(), 1);
    assert.equal(s.sql(`SELECT title FROM publications WHERE source = 'event' AND source_id = ${e.id}`), 'Titolo nuovo');
    const del = await trainer.submit(`/gestione/eventi/${e.id}`, `/gestione/eventi/${e.id}/elimina`, {});
    assert.equal(del.status, 303);
    // Gone unless the newsletter announced it meanwhile (its job runs every second here).
    assert.equal(count(`SELECT count(*) FROM publications WHERE source = 'event' AND source_id = ${e.id} AND announced_at IS NULL`), 0);
    assert.equal((await new Client(s.baseUrl).get(`/eventi/${e.id}`)).status, 404);
  });
});

describe('pages', () => {
  it('answers every new page', async () => {
    const v = new Client(s.baseUrl);
    for (const p of ['/notizie', '/eventi', '/eventi/annulla']) assert.equal((await v.get(p)).status, p === '/eventi/annulla' ? 404 : 200, p);
    for (const p of ['/gestione/notizie', '/gestione/notizie/nuova', '/gestione/eventi', '/gestione/eventi/nuovo']) {
      assert.equal((await trainer.get(p)).status, 200, p);
      assert.equal((await v.get(p)).status, 303, `${p} asks a visitor to sign in`);
    }
    const events = await eventually(async () => (await v.get('/api/v1/events?when=all')).json().events);
    assert.ok(events.length >= 3);
    assert.ok(events.some((e) => e.kind === 'webinar'));
    assert.equal((await v.get('/api/v1/events?when=domani')).status, 400);
  });
});
