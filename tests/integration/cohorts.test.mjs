// Cohorts and their calendar (issue 3): trainer pages under /gestione are
// for formatore, coordinamento and admin; members are added all or none;
// session times are typed in Rome time and shown in Rome time; the .ics
// feeds follow RFC 5545 and are 404 for non-members; links are http(s).
// Real stack (tests/lib/harness.mjs).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/harness.mjs';
import { loginAs, uniq } from './util.mjs';

let s, fm, op, ref, tutor, demoId;
before(async () => {
  s = await startStack();
  fm = await loginAs(s, 'formatore');
  op = await loginAs(s, 'operatore');
  ref = await loginAs(s, 'referente');
  tutor = await loginAs(s, 'tutor');
  demoId = s.sql("SELECT id FROM courses WHERE slug = 'sigess-uso-della-piattaforma'");
});
after(async () => { await s?.stop(); });

// A published course with one module, made in SQL, and a cohort of it made with the form.
async function cohort() {
  const cid = s.sql(`INSERT INTO courses (title, slug, published) VALUES ('Corso ${uniq()}', '${uniq('c').toLowerCase().replace(/[^a-z0-9]/g, '')}', true) RETURNING id`);
  const mid = s.sql(`INSERT INTO modules (course_id, position, title) VALUES (${cid}, 1, 'Contesto; primo, "A"') RETURNING id`);
  const r = await fm.submit(`/gestione/corsi/${cid}/classi`, `/gestione/corsi/${cid}/classi`, { name: 'Classe di prova', starts_on: '2031-03-03' });
  assert.equal(r.status, 303, r.text);
  const m = r.headers.get('location').match(/^\/gestione\/classi\/(\d+)\?esito=creata$/);
  assert.ok(m, r.headers.get('location'));
  return { cid, mid, id: m[1] };
}

const session = (id, fields) => fm.submit(`/gestione/classi/${id}`, `/gestione/classi/${id}/sessioni`, fields);

describe('authorization', () => {
  it('gives an operatore 403 on the /gestione cohort pages and writes', async () => {
    const { cid, id } = await cohort();
    for (const p of [`/gestione/corsi/${cid}/classi`, `/gestione/classi/${id}`]) assert.equal((await op.get(p)).status, 403, p);
    for (const p of [`/gestione/corsi/${cid}/classi`, `/gestione/classi/${id}/membri`, `/gestione/classi/${id}/sessioni`]) {
      const r = await op.request('POST', p, { form: { csrf_token: 'x', name: 'x', emails: s.demo.operatore.email } });
      assert.equal(r.status, 403, `POST ${p}`);
      assert.match(r.text, /Non hai i permessi/, 'refused for the role, before the CSRF check');
    }
    assert.equal(s.sql(`SELECT count(*) FROM cohort_members WHERE cohort_id = ${id}`), '0');
  });

  it('refuses a form without CSRF token (403)', async () => {
    const { id } = await cohort();
    const r = await fm.request('POST', `/gestione/classi/${id}/membri`, { form: { emails: s.demo.operatore.email } });
    assert.equal(r.status, 403);
  });
});

describe('trainer and learner', () => {
  it('creates a cohort, adds members all or none, adds a session; a member sees it and gets the .ics', async () => {
    const { cid, mid, id } = await cohort();
    const page = await fm.get(`/gestione/corsi/${cid}/classi`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Classe di prova/);

    // A duplicate name is a form error.
    const dup = await fm.submit(`/gestione/corsi/${cid}/classi`, `/gestione/corsi/${cid}/classi`, { name: 'Classe di prova', starts_on: '2031-03-03' });
    assert.equal(dup.status, 400);
    assert.match(dup.text, /già una classe con questo nome/);

    // One unknown address: nothing is added, the address is named.
    const bad = await fm.submit(`/gestione/classi/${id}`, `/gestione/classi/${id}/membri`,
      { emails: `${s.demo.operatore.email}\nnessuno-${uniq()}@example.it\n` });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Nessun account attivo con questo indirizzo: nessuno-/);
    assert.match(bad.text, /Nessuno è stato aggiunto/);
    assert.equal(s.sql(`SELECT count(*) FROM cohort_members WHERE cohort_id = ${id}`), '0');

    const ok = await fm.submit(`/gestione/classi/${id}`, `/gestione/classi/${id}/membri`,
      { emails: `${s.demo.operatore.email.toUpperCase()}\r\n\r\n  ${s.demo.referente.email}  \n` });
    assert.equal(ok.status, 303, ok.text);
    assert.equal(s.sql(`SELECT count(*) FROM cohort_members WHERE cohort_id = ${id}`), '2');
    assert.equal(s.sql(`SELECT count(*) FROM audit_log WHERE action = 'cohort_members_add' AND subject_id = ${id}`), '1');

    // 10:30 in Rome on a winter day is 09:30 UTC; in summer 08:30 UTC.
    const r = await session(id, { modulo: mid, data: '2031-03-10', ora: '10:30', durata: '90', tipo: 'live',
      luogo: 'Sala 2, Via Merulana 123; Roma', link: 'https://meet.example.org/abc' });
    assert.equal(r.status, 303, r.text);
    assert.equal(s.sql(`SELECT to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' ' || to_char(ends_at AT TIME ZONE 'UTC', 'HH24:MI') FROM cohort_sessions WHERE cohort_id = ${id}`),
      '2031-03-10 09:30 11:00');

    const cal = await op.get(`/corsi/${cid}/calendario`);
    assert.equal(cal.status, 200);
    assert.match(cal.text, /lunedì 10 marzo 2031/);
    assert.match(cal.text, /10:30–12:00/);
    assert.match(cal.text, /Sala 2, Via Merulana 123; Roma/);
    assert.match(cal.text, /href="https:\/\/meet\.example\.org\/abc"/);

    const ics = await op.get(`/api/v1/cohorts/${id}/calendar.ics`);
    assert.equal(ics.status, 200, ics.text);
    assert.equal(ics.headers.get('content-type'), 'text/calendar; charset=utf-8');
    const t = ics.text;
    assert.ok(t.startsWith('BEGIN:VCALENDAR\r\n'));
    assert.ok(t.endsWith('END:VCALENDAR\r\n'));
    assert.ok(!/[^\r]\n/.test(t), 'every line ends in CRLF');
    for (const line of t.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `folded: ${line}`);
    const unfolded = t.replace(/\r\n /g, '');
    assert.equal(unfolded.match(/BEGIN:VEVENT/g).length, 1);
    assert.match(unfolded, /\r\nDTSTART:20310310T093000Z\r\n/);
    assert.match(unfolded, /\r\nDTEND:20310310T110000Z\r\n/);
    assert.match(unfolded, /\r\nUID:sessione-\d+@portale-sigess\r\n/);
    assert.match(unfolded, /\r\nDTSTAMP:\d{8}T\d{6}Z\r\n/);
    assert.match(unfolded, /\r\nLOCATION:Sala 2\\, Via Merulana 123\\; Roma\r\n/);
    assert.match(unfolded, /\r\nSUMMARY:Corso [^\r]*: Contesto\\; primo\\, "A" \(in diretta\)\r\n/);
    assert.match(unfolded, /\r\nURL:https:\/\/meet\.example\.org\/abc\r\n/);

    // The personal feed has it too.
    const feed = await ref.get('/calendario.ics');
    assert.equal(feed.status, 200);
    assert.match(feed.text.replace(/\r\n /g, ''), /DTSTART:20310310T093000Z/);
    // Staff may download the cohort feed; a non-member gets 404, like a missing cohort.
    assert.equal((await fm.get(`/api/v1/cohorts/${id}/calendar.ics`)).status, 200);
    const nm = await tutor.get(`/api/v1/cohorts/${id}/calendar.ics`);
    assert.equal(nm.status, 404);
    assert.equal(nm.json().error.code, 'not_found');
    assert.equal((await tutor.get('/api/v1/cohorts/999999999/calendar.ics')).status, 404);
    assert.doesNotMatch((await tutor.get(`/corsi/${cid}/calendario`)).text, /meet\.example\.org/);
  });

  it('refuses javascript: and other non-http links (400), stores nothing', async () => {
    const { id } = await cohort();
    for (const link of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,x', '//evil.example/x', 'https:///x', 'https://a b']) {
      const r = await session(id, { data: '2031-03-10', ora: '10:00', durata: '60', tipo: 'live', link });
      assert.equal(r.status, 400, link);
      assert.match(r.text, /deve essere un indirizzo web/);
    }
    const r = await session(id, { data: '2031-03-10', ora: '25:00', durata: '60', tipo: 'live', luogo: 'Aula' });
    assert.equal(r.status, 400);
    const r2 = await session(id, { data: '2031-03-10', ora: '10:00', durata: '60', tipo: 'live' });
    assert.equal(r2.status, 400, 'a live session needs a place or a link');
    assert.equal(s.sql(`SELECT count(*) FROM cohort_sessions WHERE cohort_id = ${id}`), '0');
    // Nor can SQL store one behind the form's back.
    assert.throws(() => s.sql(`INSERT INTO cohort_sessions (cohort_id, kind, starts_at, ends_at, meeting_url)
      VALUES (${id}, 'live', now(), now() + interval '1 hour', 'javascript:alert(1)')`));
  });

  it('adds a recording to a past session only, and shows it to members', async () => {
    const { cid, id } = await cohort();
    await fm.submit(`/gestione/classi/${id}`, `/gestione/classi/${id}/membri`, { emails: s.demo.operatore.email });
    const past = s.sql(`INSERT INTO cohort_sessions (cohort_id, kind, starts_at, ends_at, place)
      VALUES (${id}, 'live', now() - interval '1 day', now() - interval '22 hours', 'Aula') RETURNING id`);
    const future = s.sql(`INSERT INTO cohort_sessions (cohort_id, kind, starts_at, ends_at, place)
      VALUES (${id}, 'live', now() + interval '1 day', now() + interval '26 hours', 'Aula') RETURNING id`);
    const bad = await fm.submit(`/gestione/classi/${id}`, `/gestione/sessioni/${past}/registrazione`, { registrazione: 'javascript:alert(1)' });
    assert.equal(bad.status, 400);
    const early = await fm.submit(`/gestione/classi/${id}`, `/gestione/sessioni/${future}/registrazione`, { registrazione: 'https://video.example.org/x' });
    assert.equal(early.status, 400);
    const ok = await fm.submit(`/gestione/classi/${id}`, `/gestione/sessioni/${past}/registrazione`, { registrazione: 'https://video.example.org/rec1' });
    assert.equal(ok.status, 303, ok.text);
    const cal = await op.get(`/corsi/${cid}/calendario`);
    assert.match(cal.text, /href="https:\/\/video\.example\.org\/rec1"/);
    assert.equal(s.sql(`SELECT recording_url IS NULL FROM cohort_sessions WHERE id = ${future}`), 't');
  });
});

describe('demo', () => {
  it('seeds one pilot cohort with the operatore and referente and a weekly session per module', async () => {
    assert.equal(s.sql(`SELECT count(*) FROM cohorts WHERE course_id = ${demoId}`), '1');
    const id = s.sql(`SELECT id FROM cohorts WHERE course_id = ${demoId}`);
    assert.equal(s.sql(`SELECT name FROM cohorts WHERE id = ${id}`), 'Classe pilota – Roma Capitale');
    assert.equal(s.sql(`SELECT count(*) FROM cohort_members WHERE cohort_id = ${id}`), '2');
    const n = Number(s.sql(`SELECT count(*) FROM modules WHERE course_id = ${demoId}`));
    assert.equal(s.sql(`SELECT count(*) FROM cohort_sessions WHERE cohort_id = ${id}`), String(n));
    assert.equal(s.sql(`SELECT count(DISTINCT to_char(starts_at AT TIME ZONE 'Europe/Rome', 'ID HH24:MI')) FROM cohort_sessions WHERE cohort_id = ${id}`), '1');
    const cal = await op.get(`/corsi/${demoId}/calendario`);
    assert.equal(cal.status, 200);
    assert.match(cal.text, /lunedì/);
    assert.match(cal.text, /Sala formazione, Via Merulana 123, Roma/);
  });
});
