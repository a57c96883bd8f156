// Feedback forms (issue 7, courses/feedback*.c): templates and their
// versions, rounds and their mail, the referents' shared response through
// the JSON API and the HTML form.  Real stack (tests/lib/harness.mjs);
// every check looks at the stored rows as well as the answer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client, startStack } from '../lib/harness.mjs';
import { apiLogin, assertApiError, bearer, createUser, lit, orgId, tokenFor, uniq } from './util.mjs';

let s, adminToken, coordToken, opToken, refA, refB, refOther, coord, course, round, muni, orvieto, modules;

// An API call with the session's CSRF token.
const api = (c, method, path, json) => c.request(method, path, { json, headers: { 'x-csrf-token': c.csrfToken } });
const responsePath = (r, o) => `/api/v1/feedback/rounds/${r}/responses/${o}`;
const answersOf = (r, o) => JSON.parse(s.sql(`SELECT coalesce(jsonb_object_agg(answer_key, value), '{}') FROM feedback_answers
                                              WHERE round_id = ${r} AND org_id = ${o}`));
const countAnswers = () => Number(s.sql('SELECT count(*) FROM feedback_answers'));

// The slots of a form page: for each, the key, the shown JSON and the hidden field's number.
function slots(html) {
  return [...html.matchAll(/name="o(\d+)" value="([^"]*)"/g)].map(([, n, v]) => {
    const raw = v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    const i = raw.indexOf(' ');
    return { n: Number(n), orig: raw, key: raw.slice(0, i), shown: JSON.parse(raw.slice(i + 1)) };
  });
}

// The form fields that post value as slot n's answer (nothing for null).
function slotFields(n, value) {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.map((v) => [`a${n}`, v]);
  return [[`a${n}`, String(value)]];
}

before(async () => {
  s = await startStack();
  adminToken = tokenFor(s, s.demo.admin.email);
  coordToken = tokenFor(s, s.demo.coordinamento.email);
  opToken = tokenFor(s, s.demo.operatore.email);
  course = Number(s.sql("SELECT id FROM courses WHERE slug = 'sigess-uso-della-piattaforma'"));
  round = Number(s.sql(`SELECT id FROM feedback_rounds WHERE course_id = ${course} ORDER BY id LIMIT 1`));
  muni = Number(s.sql("SELECT org_id FROM users WHERE lower(email) = lower(" + lit(s.demo.referente.email) + ')'));
  orvieto = orgId(s, 'Comune di Orvieto');
  modules = s.sql(`SELECT id FROM modules WHERE course_id = ${course} ORDER BY position`).split('\n').map(Number);
  refA = await apiLogin(s, s.demo.referente.email, s.demo.referente.password);
  const b = await createUser(s, adminToken, { roles: ['referente'], org_id: muni, name: 'Seconda Referente' });
  refB = await apiLogin(s, b.email, b.password);
  refB.email = b.email;
  const o = await createUser(s, adminToken, { roles: ['referente'], org_id: orvieto, name: 'Referente Orvieto' });
  refOther = await apiLogin(s, o.email, o.password);
  refOther.email = o.email;
  coord = await apiLogin(s, s.demo.coordinamento.email, s.demo.coordinamento.password);
});
after(async () => { await s?.stop(); });

describe('demo content', () => {
  it('seeds the Italian template and a round for the demo course and organisations, due in 10 days', () => {
    const def = JSON.parse(s.sql(`SELECT v.definition FROM feedback_rounds r JOIN feedback_template_versions v
                                  ON v.id = r.template_version_id WHERE r.id = ${round}`));
    const grid = def.sections[0].questions[0];
    assert.equal(grid.kind, 'module_grid');
    assert.deepEqual(grid.columns.map((c) => c.key), ['comprensione', 'difficolta']);
    assert.equal(grid.columns[0].labels[0], 'Per nulla');
    assert.equal(grid.columns[0].labels[4], 'Pienamente');
    const kinds = def.sections.flatMap((x) => x.questions.map((q) => q.kind));
    for (const k of ['module_grid', 'long_text', 'multiple', 'number']) assert.ok(kinds.includes(k), k);
    assert.equal(s.sql(`SELECT due_date - current_date FROM feedback_rounds WHERE id = ${round}`), '10');
    assert.equal(s.sql(`SELECT count(*) FROM feedback_round_orgs WHERE round_id = ${round}`), '3');
    assert.equal(s.sql(`SELECT count(*) FROM feedback_round_orgs WHERE round_id = ${round} AND org_id IN (${muni}, ${orvieto})`), '2');
    // Idempotent: a second seed adds nothing.
    s.run('seed-demo');
    assert.equal(s.sql('SELECT count(*) FROM feedback_templates'), '1');
    assert.equal(s.sql('SELECT count(*) FROM feedback_rounds'), '1');
  });
});

describe('access', () => {
  it('lets the referents of the organisation and coordination read the response, nobody else', async () => {
    assert.equal((await api(refA, 'GET', responsePath(round, muni))).status, 200);
    assert.equal((await api(refB, 'GET', responsePath(round, muni))).status, 200);
    assert.equal((await bearer(s, coordToken, 'GET', responsePath(round, muni))).status, 200);
    assertApiError(await bearer(s, opToken, 'GET', responsePath(round, muni)), 403);
    assertApiError(await api(refOther, 'GET', responsePath(round, muni)), 404);
    assertApiError(await api(refOther, 'PUT', responsePath(round, muni), { answers: { operatori: 3 } }), 404);
    assertApiError(await api(refOther, 'POST', `${responsePath(round, muni)}/submit`), 404);
    assertApiError(await new Client(s.baseUrl).get(responsePath(round, muni)), 401);
    // An organisation the round does not ask, and a round that does not exist.
    const lazio = orgId(s, 'Regione Lazio');
    assertApiError(await bearer(s, coordToken, 'GET', responsePath(round, lazio)), 404);
    assertApiError(await bearer(s, coordToken, 'GET', responsePath(round + 1000, muni)), 404);
    assert.equal(countAnswers(), 0);
  });

  it('guards the pages the same way', async () => {
    const page = `/segnalazioni/${round}/${muni}`;
    const a = await refA.get(page);
    assert.equal(a.status, 200);
    assert.match(a.text, /Comprensione dei moduli/);
    assert.match(a.text, /Iscritti: \d+/);
    assert.match(a.text, /<script src="\/assets\/js\/feedback.js" defer><\/script>/);
    assert.equal((await refOther.get(page)).status, 404);
    const op = await new Client(s.baseUrl);
    await op.login(s.demo.operatore.email, s.demo.operatore.password);
    assert.equal((await op.get(page)).status, 403);
    assert.equal((await op.get('/segnalazioni')).status, 403);
    const visitor = await new Client(s.baseUrl).get(page);
    assert.equal(visitor.status, 303);
    const list = await refA.get('/segnalazioni');
    assert.equal(list.status, 200);
    assert.match(list.text, new RegExp(`href="/segnalazioni/${round}/${muni}"`));
    assert.doesNotMatch((await refOther.get('/segnalazioni')).text, new RegExp(`/segnalazioni/${round}/${muni}"`));
  });
});

describe('answers', () => {
  it('keeps both answers when two referents save different ones at once', async () => {
    const key1 = `moduli/m${modules[0]}/comprensione`;
    const key2 = `moduli/m${modules[1]}/difficolta`;
    const runs = [];
    for (let i = 0; i < 5; i++) {
      runs.push(api(refA, 'PUT', responsePath(round, muni), { answers: { [key1]: (i % 5) + 1 } }));
      runs.push(api(refB, 'PUT', responsePath(round, muni), { answers: { [key2]: `Difficoltà ${i}` } }));
    }
    for (const r of await Promise.all(runs)) assert.equal(r.status, 200, r.text);
    const stored = answersOf(round, muni);
    assert.ok(stored[key1] >= 1 && stored[key1] <= 5);
    assert.match(stored[key2], /^Difficoltà \d$/);
    const by = s.sql(`SELECT u.name FROM feedback_answers a JOIN users u ON u.id = a.updated_by
                      WHERE a.round_id = ${round} AND a.org_id = ${muni} AND a.answer_key = ${lit(key2)}`);
    assert.equal(by, 'Seconda Referente');
    const got = (await api(refA, 'GET', responsePath(round, muni))).json();
    assert.equal(got.answers[key2], stored[key2]);
    assert.equal(got.changes[key2].updated_by, 'Seconda Referente');
    assert.equal(got.status, 'draft');
  });

  it('writes from the HTML form only the answers whose value changed', async () => {
    const page = `/segnalazioni/${round}/${muni}`;
    const a = new Client(s.baseUrl);
    await a.login(s.demo.referente.email, s.demo.referente.password);
    const html = (await a.get(page)).text;
    const token = html.match(/name="csrf_token" value="([^"]+)"/)[1];
    const shown = slots(html);
    assert.ok(shown.length >= 10, 'one slot per answer');
    // Meanwhile the other referent changes two answers.
    const r = await api(refB, 'PUT', responsePath(round, muni), { answers: { operatori: 12, difficolta_generali: 'Scritto da B' } });
    assert.equal(r.status, 200, r.text);
    // A posts the page as it was, with only "suggerimenti" and "lacune" changed.
    const fields = [['csrf_token', token], ['azione', 'salva']];
    for (const x of shown) {
      fields.push([`o${x.n}`, x.orig]);
      const value = x.key === 'suggerimenti' ? 'Un webinar sul modulo 2 <b>subito</b>'
        : x.key === 'lacune' ? ['Cartella sociale e PAI', 'Erogazione e rendicontazione'] : x.shown;
      fields.push(...slotFields(x.n, value));
    }
    const post = await a.request('POST', page, { form: fields });
    assert.equal(post.status, 303, post.text);
    assert.match(post.headers.get('location'), /esito=salvata/);
    const stored = answersOf(round, muni);
    assert.equal(stored.operatori, 12, "B's number survives A's post");
    assert.equal(stored.difficolta_generali, 'Scritto da B');
    assert.equal(stored.suggerimenti, 'Un webinar sul modulo 2 <b>subito</b>');
    assert.deepEqual(stored.lacune, ['Cartella sociale e PAI', 'Erogazione e rendicontazione']);
    // The page shows who changed what, and escapes the text.
    const after2 = (await a.get(page)).text;
    assert.match(after2, /Ultima modifica: Seconda Referente/);
    assert.match(after2, /Ultima modifica: Giulia Bianchi/);
    assert.match(after2, /Un webinar sul modulo 2 &lt;b&gt;subito&lt;\/b&gt;/);
  });

  it('refuses a form post with a bad answer, storing nothing, and one the page could not have sent', async () => {
    const page = `/segnalazioni/${round}/${muni}`;
    const a = new Client(s.baseUrl);
    await a.login(s.demo.referente.email, s.demo.referente.password);
    const html = (await a.get(page)).text;
    const token = html.match(/name="csrf_token" value="([^"]+)"/)[1];
    const shown = slots(html);
    const before2 = JSON.stringify(answersOf(round, muni));
    const op = shown.find((x) => x.key === 'operatori');
    const sug = shown.find((x) => x.key === 'suggerimenti');
    const bad = await a.request('POST', page, { form: [['csrf_token', token], ['azione', 'salva'],
      [`o${op.n}`, op.orig], [`a${op.n}`, 'dodici'], [`o${sug.n}`, sug.orig], [`a${sug.n}`, 'cambiato']] });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Scrivi un numero intero/);
    assert.match(bad.text, /aria-invalid="true" aria-describedby="e-/);
    assert.match(bad.text, /value="dodici"/, 'what was typed is shown again');
    assert.equal(JSON.stringify(answersOf(round, muni)), before2);
    const forged = await a.request('POST', page, { form: [['csrf_token', token], ['o0', `moduli/m999999/comprensione 3`], ['a0', '1']] });
    assert.equal(forged.status, 400);
    assert.equal(JSON.stringify(answersOf(round, muni)), before2);
  });

  it('refuses bad answers through the API with 400 and stores nothing', async () => {
    const path = responsePath(round, muni);
    const before2 = JSON.stringify(answersOf(round, muni));
    const n = countAnswers();
    const key = `moduli/m${modules[0]}/comprensione`;
    const cases = [
      { answers: { nessuna: 1 } },
      { answers: { [key]: '3' } },
      { answers: { [key]: 6 } },
      { answers: { [key]: 0 } },
      { answers: { [key]: 2.5 } },
      { answers: { operatori: -1 } },
      { answers: { operatori: 10001 } },
      { answers: { lacune: ['Inventata'] } },
      { answers: { lacune: 'Cartella sociale e PAI' } },
      { answers: { lacune: ['Cartella sociale e PAI', 'Cartella sociale e PAI'] } },
      { answers: { suggerimenti: 'x'.repeat(4001) } },
      { answers: { suggerimenti: 'controllo \u0001' } },
      { answers: { moduli: 3 } },
      { answers: { [`moduli/m999999/comprensione`]: 3 } },
      { answers: { [`moduli/m${modules[0]}/inventata`]: 3 } },
      { answers: { operatori: 5, suggerimenti: 'x'.repeat(4001) } },
      { answers: [] },
      { risposte: {} },
    ];
    for (const body of cases) {
      const r = await api(refA, 'PUT', path, body);
      assertApiError(r, 400);
    }
    // Broken UTF-8 in the body.
    const bytes = await fetch(s.baseUrl + path, { method: 'PUT', headers: { cookie: refA.cookieHeader(), 'x-csrf-token': refA.csrfToken, 'content-type': 'application/json' },
      body: Buffer.concat([Buffer.from('{"answers":{"suggerimenti":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}}')]) });
    assert.equal(bytes.status, 400);
    // Another round's id in the path: 404, nothing stored.
    assertApiError(await api(refA, 'PUT', responsePath(round + 1000, muni), { answers: { operatori: 1 } }), 404);
    assert.equal(countAnswers(), n);
    assert.equal(JSON.stringify(answersOf(round, muni)), before2);
    // null removes an answer.
    const r = await api(refA, 'PUT', path, { answers: { difficolta_generali: null } });
    assert.equal(r.status, 200);
    assert.equal(answersOf(round, muni).difficolta_generali, undefined);
  });
});

describe('submission', () => {
  it('refuses to submit with required answers missing, then submits, then refuses changes until coordination reopens', async () => {
    const path = responsePath(round, muni);
    const missing = await api(refA, 'POST', `${path}/submit`);
    assertApiError(missing, 422, 'incomplete');
    assert.ok(missing.json().error.missing.includes(`moduli/m${modules[2]}/comprensione`));
    // The HTML submit ties the missing answers to their fields.
    const a = new Client(s.baseUrl);
    await a.login(s.demo.referente.email, s.demo.referente.password);
    const page = `/segnalazioni/${round}/${muni}`;
    const token = await a.csrf(page);
    const html = await a.request('POST', page, { form: [['csrf_token', token], ['azione', 'invia']] });
    assert.equal(html.status, 422);
    assert.match(html.text, /<a href="#q-\d+">Comprensione – /);
    assert.equal(s.sql(`SELECT status FROM feedback_responses WHERE round_id = ${round} AND org_id = ${muni}`), 'draft');

    const answers = { operatori: 7, lacune: ['Nessuna lacuna rilevante'] };
    for (const m of modules) {
      answers[`moduli/m${m}/comprensione`] = 4;
      answers[`moduli/m${m}/difficolta`] = `Poche difficoltà nel modulo ${m}`;
    }
    assert.equal((await api(refA, 'PUT', path, { answers })).status, 200);
    const done = await api(refB, 'POST', `${path}/submit`);
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json().status, 'submitted');
    assert.equal(done.json().submitted_by, 'Seconda Referente');
    const before2 = JSON.stringify(answersOf(round, muni));
    assertApiError(await api(refA, 'PUT', path, { answers: { operatori: 8 } }), 409, 'submitted');
    assertApiError(await api(refA, 'POST', `${path}/submit`), 409);
    const form = await a.request('POST', page, { form: [['csrf_token', await a.csrf(page)], ['azione', 'salva'], ['o0', 'operatori 7'], ['a0', '9']] });
    assert.equal(form.status, 409);
    assert.doesNotMatch((await a.get(page)).text, /name="o0"/, 'read-only page has no inputs');
    assert.equal(JSON.stringify(answersOf(round, muni)), before2);

    // Only coordination reopens, and it is audited.
    assertApiError(await api(refA, 'POST', `${path}/reopen`), 403);
    const reopened = await bearer(s, coordToken, 'POST', `${path}/reopen`);
    assert.equal(reopened.status, 200, reopened.text);
    assert.equal(reopened.json().status, 'draft');
    assert.equal(reopened.json().reopened_by, 'Francesca Greco');
    assert.equal(s.sql(`SELECT count(*) FROM audit_log WHERE action = 'feedback_reopen' AND subject_id = ${round}
                        AND detail = 'org ${muni}'`), '1');
    assertApiError(await bearer(s, coordToken, 'POST', `${path}/reopen`), 409);
    assert.equal((await api(refA, 'PUT', path, { answers: { operatori: 8 } })).status, 200);
    assert.equal(answersOf(round, muni).operatori, 8);
  });
});

describe('templates and rounds', () => {
  const definition = (labels) => ({
    sections: [{ title: 'Sezione', questions: [
      { key: 'chiarezza', kind: 'likert', text: 'Chiarezza', required: true, labels },
      { key: 'note', kind: 'short_text', text: 'Note' }] }],
  });
  const five = ['1', '2', '3', '4', '5'];
  let template, firstRound;

  it('refuses malformed definitions', async () => {
    const bad = [
      definition(['1', '2', '3', '4']),
      { sections: [{ title: 'S', questions: [{ key: 'a', kind: 'short_text', text: 'A' }, { key: 'a', kind: 'long_text', text: 'B' }] }] },
      { sections: [{ title: 'S', questions: [{ key: 'a', kind: 'slider', text: 'A' }] }] },
      { sections: [{ title: 'S', questions: [{ key: 'a', kind: 'single', text: 'A' }] }] },
      { sections: [{ title: 'S', questions: [{ key: 'a', kind: 'single', text: 'A', options: ['x', 'x'] }] }] },
      { sections: [{ title: 'S', questions: [{ key: 'A-1', kind: 'short_text', text: 'A' }] }] },
      { sections: [{ title: 'S', questions: [{ key: 'a', kind: 'short_text', text: 'A', labels: five }] }] },
      { sections: [{ title: 'S', questions: [{ key: 'a', kind: 'number', text: 'A', min: 5, max: 1 }] }] },
      { sections: [{ title: 'S', questions: [{ key: 'g', kind: 'module_grid', text: 'G', columns: [{ key: 'c', kind: 'number', text: 'C' }] }] }] },
      { sections: [] },
      { sections: [{ title: 'S', questions: [] }], extra: 1 },
    ];
    const n = s.sql('SELECT count(*) FROM feedback_template_versions');
    for (const d of bad) {
      assertApiError(await bearer(s, coordToken, 'POST', '/api/v1/feedback/templates', { name: uniq('T'), definition: d }), 400, 'invalid_definition');
    }
    assertApiError(await bearer(s, opToken, 'POST', '/api/v1/feedback/templates', { name: uniq('T'), definition: definition(five) }), 403);
    assert.equal(s.sql('SELECT count(*) FROM feedback_template_versions'), n);
  });

  it('creates a round that mails the referents in the same transaction', async () => {
    const t = await bearer(s, coordToken, 'POST', '/api/v1/feedback/templates', { name: 'Verifica rapida', definition: definition(five) });
    assert.equal(t.status, 201, t.text);
    template = t.json();
    assert.equal(template.version, 1);
    assertApiError(await bearer(s, coordToken, 'POST', '/api/v1/feedback/templates', { name: 'verifica RAPIDA', definition: definition(five) }), 409);
    const today = s.sql("SELECT current_date + 20");
    const body = { template_id: template.id, course_id: course, title: 'Rilevazione di prova', period_from: '2025-01-01',
      period_to: '2025-03-31', due_date: today, org_ids: [orvieto] };
    const rounds = s.sql('SELECT count(*) FROM feedback_rounds');
    assertApiError(await bearer(s, coordToken, 'POST', '/api/v1/feedback/rounds', { ...body, period_to: '2024-12-31' }), 400);
    assertApiError(await bearer(s, coordToken, 'POST', '/api/v1/feedback/rounds', { ...body, due_date: '2020-01-01' }), 400);
    assertApiError(await bearer(s, coordToken, 'POST', '/api/v1/feedback/rounds', { ...body, org_ids: [999999] }), 400);
    assertApiError(await bearer(s, coordToken, 'POST', '/api/v1/feedback/rounds', { ...body, course_id: 999999 }), 400);
    assertApiError(await bearer(s, coordToken, 'POST', '/api/v1/feedback/rounds', { ...body, template_id: 999999 }), 400);
    assertApiError(await api(refOther, 'POST', '/api/v1/feedback/rounds', body), 403);
    assert.equal(s.sql('SELECT count(*) FROM feedback_rounds'), rounds);
    const r = await bearer(s, coordToken, 'POST', '/api/v1/feedback/rounds', body);
    assert.equal(r.status, 201, r.text);
    firstRound = r.json();
    assert.equal(firstRound.template_version_id, template.version_id);
    assert.deepEqual(firstRound.organisations.map((o) => o.org_id), [orvieto]);
    const mail = await s.waitMail(refOther.email, /Nuova scheda di segnalazione: Rilevazione di prova/);
    assert.ok(mail.text.includes(`${s.baseUrl}/segnalazioni/${firstRound.id}/${orvieto}`));
    assert.equal(s.sql(`SELECT count(*) FROM mail_outbox WHERE to_addr = ${lit(refOther.email)}`), '1');
    // The referent of Orvieto sees it in the list; Municipio I's does not.
    const mine = (await api(refOther, 'GET', '/api/v1/feedback/rounds')).json().rounds;
    assert.ok(mine.some((x) => x.id === firstRound.id));
    assert.ok(!(await api(refA, 'GET', '/api/v1/feedback/rounds')).json().rounds.some((x) => x.id === firstRound.id));
  });

  it('reminds the referents 3 days before the due date, once', async () => {
    s.sql(`UPDATE feedback_rounds SET due_date = current_date + 2 WHERE id = ${firstRound.id}`);
    const mail = await s.waitMail(refOther.email, /Promemoria: la scheda «Rilevazione di prova»/);
    assert.ok(mail.text.includes(`/segnalazioni/${firstRound.id}/${orvieto}`));
    assert.notEqual(s.sql(`SELECT reminded_at FROM feedback_round_orgs WHERE round_id = ${firstRound.id}`), '');
    await new Promise((r) => setTimeout(r, 3000));	// several runs of the job (every second)
    assert.equal(s.sql(`SELECT count(*) FROM mail_outbox WHERE to_addr = ${lit(refOther.email)} AND subject LIKE 'Promemoria%'`), '1');
    // The demo round, due in 10 days, is not reminded yet.
    assert.equal(s.sql(`SELECT count(*) FROM feedback_round_orgs WHERE round_id = ${round} AND reminded_at IS NOT NULL`), '0');
  });

  it('keeps the version a round was created with when the template changes', async () => {
    const v2 = await bearer(s, coordToken, 'POST', '/api/v1/feedback/templates', {
      template_id: template.id,
      definition: { sections: [{ title: 'Nuova', questions: [{ key: 'solo', kind: 'long_text', text: 'Solo testo' }] }] },
    });
    assert.equal(v2.status, 201, v2.text);
    assert.equal(v2.json().version, 2);
    assert.equal(v2.json().name, 'Verifica rapida');
    assertApiError(await bearer(s, coordToken, 'POST', '/api/v1/feedback/templates', { template_id: 999999, definition: definition(five) }), 404);
    // The first round still asks the version 1 questions.
    assert.equal(s.sql(`SELECT template_version_id FROM feedback_rounds WHERE id = ${firstRound.id}`), String(template.version_id));
    const put = await api(refOther, 'PUT', responsePath(firstRound.id, orvieto), { answers: { chiarezza: 4 } });
    assert.equal(put.status, 200, put.text);
    assertApiError(await api(refOther, 'PUT', responsePath(firstRound.id, orvieto), { answers: { solo: 'x' } }), 400);
    const r2 = await bearer(s, coordToken, 'POST', '/api/v1/feedback/rounds', { template_id: template.id, course_id: course,
      title: 'Seconda', period_from: '2025-01-01', period_to: '2025-01-31', due_date: s.sql('SELECT current_date + 30'), org_ids: [orvieto] });
    assert.equal(r2.status, 201);
    assert.equal(r2.json().version, 2);
    const list = (await bearer(s, coordToken, 'GET', '/api/v1/feedback/templates')).json().templates;
    assert.equal(list.find((x) => x.id === template.id).version, 2);
  });

  it('serves the coordination pages and checks the definition typed there', async () => {
    const c = new Client(s.baseUrl);
    await c.login(s.demo.coordinamento.email, s.demo.coordinamento.password);
    assert.equal((await c.get('/gestione/schede')).status, 200);
    const edit = await c.get(`/gestione/schede/${template.id}`);
    assert.equal(edit.status, 200);
    assert.match(edit.text, /Anteprima/);
    assert.match(edit.text, /Solo testo/);
    const bad = await c.submit('/gestione/schede', '/gestione/schede', { name: uniq('T'), definition: '{"sections": [' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /non è JSON valido/);
    const ok = await c.submit(`/gestione/schede/${template.id}`, `/gestione/schede/${template.id}`,
      { name: 'Verifica rapida', description: '', definition: JSON.stringify(definition(five)) });
    assert.equal(ok.status, 303, ok.text);
    assert.equal(s.sql(`SELECT max(version) FROM feedback_template_versions WHERE template_id = ${template.id}`), '3');
    assert.equal((await c.get('/gestione/rilevazioni')).status, 200);
    const all = await c.get('/segnalazioni');
    assert.match(all.text, new RegExp(`/segnalazioni/${round}/${orvieto}`));
    const op = new Client(s.baseUrl);
    await op.login(s.demo.operatore.email, s.demo.operatore.password);
    assert.equal((await op.get('/gestione/schede')).status, 403);
  });
});
