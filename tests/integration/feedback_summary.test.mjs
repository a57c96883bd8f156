// The coordination dashboard of feedback rounds (issue 7): the summary's
// figures equal those computed here from the raw answers; who may see and
// act; CSV and PDF exports; the one-click reminder of a late organisation
// (mail, audit); actions on findings; hostile input.  Everything is set up
// by SQL on the real stack (tests/lib/harness.mjs), so the expected figures
// never come from the code under test.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from '../lib/harness.mjs';
import { bearer, lit, loginAs, tokenFor, uniq } from './util.mjs';

const LABELS = ['Per nulla', 'Poco', 'Abbastanza', 'Molto', 'Pienamente'];
const OPTIONS = ['Segretariato', 'Cartella', 'Erogazione', 'Interoperabilità'];
const DEFINITION = {
  sections: [
    {
      title: 'Comprensione',
      questions: [
        {
          key: 'moduli', kind: 'module_grid', text: 'Comprensione per modulo',
          columns: [
            { key: 'comprensione', kind: 'likert', text: 'Comprensione', labels: LABELS },
            { key: 'difficolta', kind: 'long_text', text: 'Difficoltà' },
          ],
        },
        { key: 'clima', kind: 'likert', text: 'Clima del gruppo', labels: LABELS },
      ],
    },
    {
      title: 'Lacune',
      questions: [
        { key: 'ambito', kind: 'single', text: 'Ambito più critico', options: OPTIONS },
        { key: 'lacune', kind: 'multiple', text: 'Lacune', options: OPTIONS },
        { key: 'operatori', kind: 'number', text: 'Operatori coinvolti', min: 0, max: 1000 },
        { key: 'nota', kind: 'short_text', text: 'Nota breve' },
        { key: 'suggerimenti', kind: 'long_text', text: 'Suggerimenti' },
      ],
    },
  ],
};

let s, co, fm, op, ref, coTok, fmTok, opTok, refTok;
const w = {};	// the world made by SQL: ids of course, modules, orgs, round...

const q = (sql) => s.sql(sql);
const id = (sql) => Number(q(sql));

function person(orgId, roles = '{operatore}') {
  const email = `${uniq('p').toLowerCase()}@example.it`;
  const uid = id(`INSERT INTO users (email, name, password_hash, org_id, status, roles)
    VALUES (${lit(email)}, ${lit(`Persona ${uniq()}`)}, 'x', ${orgId}, 'active', ${lit(roles)}) RETURNING id`);
  return { id: uid, email };
}

function answer(org, key, value) {
  q(`INSERT INTO feedback_answers (round_id, org_id, answer_key, value)
     VALUES (${w.round}, ${org}, ${lit(key)}, ${lit(JSON.stringify(value))}::jsonb)`);
}

function response(org, status) {
  q(`INSERT INTO feedback_responses (round_id, org_id, status, submitted_at)
     VALUES (${w.round}, ${org}, ${lit(status)}, ${status === 'submitted' ? 'now()' : 'NULL'})`);
}

// A course of two modules; module 1 has a final test of three questions.
function world() {
  const slug = uniq('fb').toLowerCase().replace(/[^a-z0-9]/g, '');
  w.course = id(`INSERT INTO courses (title, slug, published) VALUES ('Corso rilevazione', ${lit(slug)}, true) RETURNING id`);
  w.m1 = id(`INSERT INTO modules (course_id, position, title) VALUES (${w.course}, 1, 'Segretariato sociale') RETURNING id`);
  w.m2 = id(`INSERT INTO modules (course_id, position, title) VALUES (${w.course}, 2, 'Cartella sociale') RETURNING id`);
  const other = id(`INSERT INTO courses (title, slug) VALUES ('Altro', ${lit(slug + 'x')}) RETURNING id`);
  w.otherModule = id(`INSERT INTO modules (course_id, position, title) VALUES (${other}, 1, 'Altro') RETURNING id`);
  w.orgs = {};
  for (const k of ['A', 'B', 'C', 'D', 'E', 'F']) {
    w.orgs[k] = id(`INSERT INTO orgs (name) VALUES (${lit(`Ente ${k} ${uniq()}`)}) RETURNING id`);
  }
  const tpl = id(`INSERT INTO feedback_templates (name) VALUES (${lit(`Scheda ${uniq()}`)}) RETURNING id`);
  w.version = id(`INSERT INTO feedback_template_versions (template_id, version, definition)
    VALUES (${tpl}, 1, ${lit(JSON.stringify(DEFINITION))}::jsonb) RETURNING id`);
  // Due yesterday: whoever has not submitted is late.
  w.round = id(`INSERT INTO feedback_rounds (template_version_id, course_id, title, period_from, period_to, due_date)
    VALUES (${w.version}, ${w.course}, ${lit('Rilevazione <prova> & "test"')}, current_date - 60, current_date - 1,
            current_date - 1) RETURNING id`);
  for (const k of ['A', 'B', 'C', 'D', 'E']) q(`INSERT INTO feedback_round_orgs (round_id, org_id) VALUES (${w.round}, ${w.orgs[k]})`);

  // A, B, C submitted; D a draft (its answers must not count); E nothing.
  for (const k of ['A', 'B', 'C']) response(w.orgs[k], 'submitted');
  response(w.orgs.D, 'draft');
  const g = (m, c) => `moduli/m${m}/${c}`;
  answer(w.orgs.A, g(w.m1, 'comprensione'), 4);
  answer(w.orgs.A, g(w.m2, 'comprensione'), 2);
  answer(w.orgs.A, g(w.m1, 'difficolta'), 'Difficoltà con la PUA <script>alert(1)</script>');
  answer(w.orgs.A, 'clima', 5);
  answer(w.orgs.A, 'ambito', 'Cartella');
  answer(w.orgs.A, 'lacune', ['Segretariato', 'Erogazione']);
  answer(w.orgs.A, 'operatori', 12);
  answer(w.orgs.A, 'nota', '=HYPERLINK("http://x")');
  answer(w.orgs.A, 'suggerimenti', 'Un webinar sul modulo 2; con esercitazioni');
  answer(w.orgs.B, g(w.m1, 'comprensione'), 3);
  answer(w.orgs.B, g(w.m2, 'comprensione'), 1);
  answer(w.orgs.B, g(w.m2, 'difficolta'), 'Il PAI non è chiaro');
  answer(w.orgs.B, 'clima', 4);
  answer(w.orgs.B, 'ambito', 'Cartella');
  answer(w.orgs.B, 'lacune', ['Erogazione']);
  answer(w.orgs.B, 'operatori', 7);
  answer(w.orgs.C, g(w.m1, 'comprensione'), 5);
  answer(w.orgs.C, 'clima', 4);
  answer(w.orgs.C, 'ambito', 'Erogazione');
  answer(w.orgs.C, 'lacune', []);
  answer(w.orgs.C, 'suggerimenti', '   ');
  answer(w.orgs.D, g(w.m1, 'comprensione'), 1);
  answer(w.orgs.D, 'clima', 1);
  answer(w.orgs.D, 'ambito', 'Segretariato');
  answer(w.orgs.D, 'suggerimenti', 'Bozza da non contare');

  // D has a referent (a reminder reaches them); E has none.
  w.refD = person(w.orgs.D, '{referente}');

  // The final test of module 1: three questions; learners of A and B and
  // one of F (not in the round: excluded from every figure).
  w.quiz = id(`INSERT INTO quizzes (course_id, module_id, title) VALUES (${w.course}, ${w.m1}, 'Test finale') RETURNING id`);
  const cat = id(`INSERT INTO question_categories (module_id, name) VALUES (${w.m1}, 'Base') RETURNING id`);
  w.qs = [1, 2, 3].map((i) => id(`INSERT INTO questions (category_id, kind, text_md, text_html, spec)
    VALUES (${cat}, 'single', ${lit(`Domanda ${i} del test`)}, '', '{}') RETURNING id`));
  const learners = [
    { org: 'A', scores: [1, 0, 1], passed: true },
    { org: 'A', scores: [1, 0.5, 0], passed: false },
    { org: 'B', scores: [0, 0, 1], passed: false },
    { org: 'F', scores: [0, 0, 0], passed: false },
  ];
  for (const l of learners) {
    const u = person(w.orgs[l.org]);
    q(`INSERT INTO enrolments (user_id, course_id) VALUES (${u.id}, ${w.course})`);
    const total = l.scores.reduce((a, b) => a + b, 0) / 3;
    const att = id(`INSERT INTO quiz_attempts (quiz_id, user_id, number, submitted_at, score, passed)
      VALUES (${w.quiz}, ${u.id}, 1, now(), ${total}, ${l.passed}) RETURNING id`);
    l.scores.forEach((sc, i) => q(`INSERT INTO attempt_questions (attempt_id, question_id, position, score)
      VALUES (${att}, ${w.qs[i]}, ${i + 1}, ${sc})`));
    q(`INSERT INTO quiz_grades (quiz_id, user_id, grade, passed) VALUES (${w.quiz}, ${u.id}, ${total}, ${l.passed})`);
  }
  // Enrolled in the course but no attempt yet (counts among the enrolled).
  q(`INSERT INTO enrolments (user_id, course_id) VALUES (${person(w.orgs.C).id}, ${w.course})`);
}

before(async () => {
  s = await startStack();
  world();
  co = await loginAs(s, 'coordinamento');
  fm = await loginAs(s, 'formatore');
  op = await loginAs(s, 'operatore');
  ref = await loginAs(s, 'referente');
  coTok = tokenFor(s, s.demo.coordinamento.email);
  fmTok = tokenFor(s, s.demo.formatore.email);
  opTok = tokenFor(s, s.demo.operatore.email);
  refTok = tokenFor(s, s.demo.referente.email);
});
after(async () => { await s?.stop(); });

// ---- the expected figures, from the raw answers --------------------------

function rawSubmitted() {
  const rows = q(`SELECT a.org_id, a.answer_key, a.value::text FROM feedback_answers a
    JOIN feedback_responses r ON r.round_id = a.round_id AND r.org_id = a.org_id
    WHERE a.round_id = ${w.round} AND r.status = 'submitted'`);
  return rows.split('\n').filter(Boolean).map((l) => {
    const [org, key, ...v] = l.split('|');
    return { org: Number(org), key, value: JSON.parse(v.join('|')) };
  });
}

function numeric(values) {
  const n = values.length, sum = values.reduce((a, b) => a + b, 0);
  return {
    count: n, sum, mean: n ? sum / n : null,
    distribution: [1, 2, 3, 4, 5].map((p) => values.filter((v) => v === p).length),
    min: n ? Math.min(...values) : null, max: n ? Math.max(...values) : null,
  };
}

function close(got, want, what) {
  if (want === null) return assert.equal(got, null, what);
  assert.ok(Math.abs(got - want) < 1e-6, `${what}: ${got} != ${want}`);
}

describe('summary figures equal those computed from the raw answers', () => {
  let sum, raw;
  before(async () => {
    const r = await bearer(s, coTok, 'GET', `/api/v1/feedback/rounds/${w.round}/summary`);
    assert.equal(r.status, 200, r.text);
    sum = r.json();
    raw = rawSubmitted();
  });
  const question = (key) => sum.questions.find((x) => x.key === key);

  it('counts organisations by status', () => {
    assert.deepEqual(sum.counts, { organisations: 5, submitted: 3, draft: 1, not_started: 1, late: 2 });
    const byId = Object.fromEntries(sum.organisations.map((o) => [o.id, o]));
    assert.equal(byId[w.orgs.D].status, 'draft');
    assert.equal(byId[w.orgs.D].late, true);
    assert.equal(byId[w.orgs.E].status, 'new');
    assert.equal(byId[w.orgs.E].late, true);
    assert.equal(byId[w.orgs.A].late, false);
    assert.equal(byId[w.orgs.D].referents, 1);
    assert.equal(byId[w.orgs.E].referents, 0);
    assert.match(byId[w.orgs.A].submitted_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('likert and number questions: count, sum, mean, distribution, min, max', () => {
    for (const key of ['clima', 'operatori']) {
      const want = numeric(raw.filter((a) => a.key === key).map((a) => a.value));
      const got = question(key);
      assert.equal(got.count, want.count, `${key} count`);
      close(got.sum, want.sum, `${key} sum`);
      close(got.mean, want.mean, `${key} mean`);
      if (key === 'clima') assert.deepEqual(got.distribution, want.distribution);
      else { close(got.min, want.min, 'min'); close(got.max, want.max, 'max'); }
    }
    // The draft's 1 is not counted.
    assert.deepEqual(question('clima').distribution, [0, 0, 0, 2, 1]);
  });

  it('grid likert column: over all modules and per module', () => {
    const col = question('moduli').columns.find((c) => c.key === 'comprensione');
    const cells = raw.filter((a) => /^moduli\/m\d+\/comprensione$/.test(a.key));
    const all = numeric(cells.map((a) => a.value));
    assert.equal(col.count, all.count);
    close(col.sum, all.sum, 'grid sum');
    close(col.mean, all.mean, 'grid mean');
    assert.deepEqual(col.distribution, all.distribution);
    assert.deepEqual(col.modules.map((m) => m.module_id), [w.m1, w.m2]);
    for (const m of col.modules) {
      const want = numeric(cells.filter((a) => a.key === `moduli/m${m.module_id}/comprensione`).map((a) => a.value));
      assert.equal(m.count, want.count, `module ${m.module_id} count`);
      close(m.mean, want.mean, `module ${m.module_id} mean`);
      assert.deepEqual(m.distribution, want.distribution);
    }
    close(col.modules[0].mean, 4, 'm1 mean (4, 3, 5)');
    close(col.modules[1].mean, 1.5, 'm2 mean (2, 1)');
  });

  it('choices: organisations per option and respondents', () => {
    for (const key of ['ambito', 'lacune']) {
      const answers = raw.filter((a) => a.key === key);
      const got = question(key);
      const chosen = (o) => answers.filter((a) => (Array.isArray(a.value) ? a.value : [a.value]).includes(o)).length;
      assert.deepEqual(got.options.map((x) => x.option), OPTIONS);
      for (const x of got.options) assert.equal(x.count, chosen(x.option), `${key} ${x.option}`);
      assert.equal(got.respondents, answers.filter((a) => !Array.isArray(a.value) || a.value.length > 0).length);
    }
    assert.equal(question('ambito').options.find((x) => x.option === 'Cartella').count, 2);
    assert.equal(question('lacune').respondents, 2);	// C's empty list is no answer
  });

  it('texts: every non-blank one, with its organisation', () => {
    const texts = (key) => raw.filter((a) => a.key === key && a.value.trim() !== '');
    const sugg = question('suggerimenti').answers;
    assert.equal(sugg.length, texts('suggerimenti').length);
    assert.deepEqual(sugg.map((t) => [t.organisation_id, t.text]), texts('suggerimenti').map((a) => [a.org, a.value]));
    assert.ok(!sugg.some((t) => t.text === 'Bozza da non contare'), 'a draft is not counted');
    const diff = question('moduli').columns.find((c) => c.key === 'difficolta').answers;
    assert.equal(diff.length, 2);
    assert.deepEqual(diff.map((t) => t.module_id).sort(), [w.m1, w.m2].sort());
    assert.equal(question('nota').answers[0].text, '=HYPERLINK("http://x")');
  });

  it('each organisation\'s means', () => {
    for (const o of sum.organisation_means) {
      const keyRe = o.column ? new RegExp(`^${o.question}/m\\d+/${o.column}$`) : new RegExp(`^${o.question}$`);
      const want = numeric(raw.filter((a) => a.org === o.organisation_id && keyRe.test(a.key)).map((a) => a.value));
      assert.equal(o.count, want.count);
      close(o.mean, want.mean, `org ${o.organisation_id} ${o.question}/${o.column}`);
    }
    assert.equal(sum.organisation_means.filter((o) => o.organisation_id === w.orgs.D).length, 0, 'no draft means');
    const a = sum.organisation_means.find((o) => o.organisation_id === w.orgs.A && o.column === 'comprensione');
    close(a.mean, 3, 'A over its modules (4, 2)');
  });

  it('final tests: pass rate of the round\'s people and the weakest questions', () => {
    const [m1, m2] = sum.modules;
    assert.equal(m1.module_id, w.m1);
    assert.equal(m1.has_test, true);
    assert.equal(m1.enrolled, 4, 'A, A, B, C: F is not in the round');
    assert.equal(m1.graded, 3);
    assert.equal(m1.passed, 1);
    close(m1.pass_rate, 0.25, 'pass rate');
    // Facility over A, A, B: q1 (1, 1, 0) = 2/3, q2 (0, .5, 0) = 1/6, q3 (1, 0, 1) = 2/3.
    assert.deepEqual(m1.weakest_questions.map((x) => x.question_id), [w.qs[1], w.qs[0], w.qs[2]]);
    close(m1.weakest_questions[0].facility, 1 / 6, 'facility q2');
    assert.equal(m1.weakest_questions[0].attempts, 3);
    assert.equal(m2.has_test, false);
    assert.equal(m2.pass_rate, null);
  });
});

describe('who may see the dashboard', () => {
  it('coordination and trainers read; operators and referents are refused', async () => {
    assert.equal((await bearer(s, fmTok, 'GET', `/api/v1/feedback/rounds/${w.round}/summary`)).status, 200);
    assert.equal((await bearer(s, opTok, 'GET', `/api/v1/feedback/rounds/${w.round}/summary`)).status, 403);
    assert.equal((await bearer(s, refTok, 'GET', `/api/v1/feedback/rounds/${w.round}/summary`)).status, 403);
    assert.equal((await bearer(s, coTok, 'GET', '/api/v1/feedback/rounds/999999999/summary')).status, 404);
    assert.equal((await bearer(s, coTok, 'GET', '/api/v1/feedback/rounds/abc/summary')).status, 400);
    assert.equal((await op.get(`/gestione/segnalazioni/${w.round}`)).status, 403);
    assert.equal((await ref.get('/gestione/segnalazioni')).status, 403);
    assert.equal((await co.get('/gestione/segnalazioni/999999999')).status, 404);
  });

  it('the round page: charts named for assistive technology, hostile text escaped', async () => {
    const r = await co.get(`/gestione/segnalazioni/${w.round}`);
    assert.equal(r.status, 200);
    const svgs = r.text.match(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="chart"[^>]*>/g) ?? [];
    assert.ok(svgs.length >= 5, `charts drawn: ${svgs.length}`);
    for (const tag of svgs) assert.match(tag, /role="img" aria-labelledby="chart-\d+-title chart-\d+-desc"/);
    assert.match(r.text, /Comprensione: media per modulo \(scala da 1 a 5\)\. Modulo 1 – Segretariato sociale: 4,0 su 5 \(3 risposte\); Modulo 2 – Cartella sociale: 1,5 su 5 \(2 risposte\)\./);
    assert.ok(!r.text.includes('<script>alert(1)</script>'));
    assert.ok(r.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(r.text.includes('Rilevazione &lt;prova&gt; &amp; &quot;test&quot;'));
    assert.ok((r.text.match(/<details/g) ?? []).length >= 4, 'data tables behind disclosures');
    assert.match(r.text, /action="\/gestione\/segnalazioni\/\d+\/promemoria\/\d+"/);
    // A trainer reads the same page without any form.
    const f = await fm.get(`/gestione/segnalazioni/${w.round}`);
    assert.equal(f.status, 200);
    assert.ok(!f.text.includes('/promemoria/'), 'no reminder button for a trainer');
    assert.ok(!f.text.includes(`action="/gestione/segnalazioni/${w.round}/azioni"`), 'no action form for a trainer');
    const list = await co.get('/gestione/segnalazioni');
    assert.equal(list.status, 200);
    assert.ok(list.text.includes(`href="/gestione/segnalazioni/${w.round}"`));
  });
});

describe('exports', () => {
  it('every table as CSV: BOM, semicolons, formulas neutralised', async () => {
    for (const t of ['stato', 'comprensione', 'domande', 'scelte', 'testi', 'enti', 'test', 'azioni']) {
      const r = await co.get(`/gestione/segnalazioni/${w.round}/csv/${t}`);
      assert.equal(r.status, 200, t);
      assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
      assert.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], `${t} BOM`);
      assert.match(r.text.split('\r\n')[0], /;/, `${t} header with semicolons`);
      assert.match(r.headers.get('content-disposition'), new RegExp(`rilevazione-${w.round}-${t}\\.csv`));
    }
    const texts = (await co.get(`/gestione/segnalazioni/${w.round}/csv/testi`)).text;
    assert.ok(texts.includes(`"'=HYPERLINK(""http://x"")"`), 'formula neutralised');
    const comp = (await co.get(`/gestione/segnalazioni/${w.round}/csv/comprensione`)).text;
    assert.ok(comp.includes('Comprensione per modulo;Comprensione;Modulo 1 – Segretariato sociale;3;4,00;3;5;0;0;1;1;1'), comp);
    assert.equal((await co.get(`/gestione/segnalazioni/${w.round}/csv/altro`)).status, 400);
  });

  it('the PDF report opens in pdftoppm and states the figures', async () => {
    const r = await co.get(`/gestione/segnalazioni/${w.round}/report.pdf`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/pdf');
    assert.equal(r.bytes.subarray(0, 5).toString(), '%PDF-');
    const dir = mkdtempSync(join(tmpdir(), 'fb-pdf-'));
    try {
      const file = join(dir, 'r.pdf');
      writeFileSync(file, r.bytes);
      const err = execFileSync('pdftoppm', ['-r', '30', '-png', file, join(dir, 'p')], { stdio: ['ignore', 'pipe', 'pipe'] });
      assert.equal(err.toString(), '');
      const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
      assert.match(text, /Rilevazione <prova> & "test"/);
      assert.match(text, /4,0 su 5 \(3 risposte\)/);
      assert.match(text, /Stato delle schede/);
      assert.match(text, /25 % \(1 su 4\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the reminder of a late organisation', () => {
  it('mails its referents, records it and is audited; refused for others', async () => {
    const page = `/gestione/segnalazioni/${w.round}`;
    // Without the CSRF token: refused, nothing sent.
    const bare = await co.request('POST', `${page}/promemoria/${w.orgs.D}`, { form: {} });
    assert.equal(bare.status, 403);
    const r = await co.submit(page, `${page}/promemoria/${w.orgs.D}`, {});
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location'), /\?esito=promemoria#stato$/);
    const mail = await s.waitMail(w.refD.email, /Promemoria: scheda di segnalazione/);
    assert.ok(mail.text.includes(`${s.baseUrl}/segnalazioni/${w.round}/${w.orgs.D}`), 'the mail links to the form');
    assert.notEqual(q(`SELECT reminded_at FROM feedback_round_orgs WHERE round_id = ${w.round} AND org_id = ${w.orgs.D}`), '');
    assert.equal(q(`SELECT count(*) FROM audit_log WHERE action = 'feedback_remind' AND subject_id = ${w.round}
                    AND detail = 'org=${w.orgs.D} referents=1'`), '1');
    // A submitted organisation is not late; one without referents cannot be reached; a stranger is not in the round.
    assert.equal((await co.submit(page, `${page}/promemoria/${w.orgs.A}`, {})).status, 409);
    assert.equal((await co.submit(page, `${page}/promemoria/${w.orgs.E}`, {})).status, 409);
    assert.equal((await co.submit(page, `${page}/promemoria/${w.orgs.F}`, {})).status, 404);
    // A trainer may not send it.
    const fr = await fm.submit(page, `${page}/promemoria/${w.orgs.D}`, {});
    assert.equal(fr.status, 403);
  });
});

describe('actions on findings', () => {
  const page = () => `/gestione/segnalazioni/${w.round}`;

  it('a coordinator adds an action, marks it done and opens it again; all audited', async () => {
    const before = Number(q(`SELECT count(*) FROM feedback_actions WHERE round_id = ${w.round}`));
    const r = await co.submit(page(), `${page()}/azioni`, {
      testo: 'Nuovo webinar sul modulo 2 <b>subito</b>', modulo: String(w.m2), domanda: 'moduli',
      responsabile_testo: 'Formatrice esterna', scadenza: '2030-06-30',
    });
    assert.equal(r.status, 303, r.text);
    const row = q(`SELECT id, module_id, question_key, owner_name, due_date FROM feedback_actions
                   WHERE round_id = ${w.round} ORDER BY id DESC LIMIT 1`).split('|');
    assert.deepEqual(row.slice(1), [String(w.m2), 'moduli', 'Formatrice esterna', '2030-06-30']);
    assert.equal(Number(q(`SELECT count(*) FROM feedback_actions WHERE round_id = ${w.round}`)), before + 1);
    const html = (await co.get(page())).text;
    assert.ok(html.includes('Nuovo webinar sul modulo 2 &lt;b&gt;subito&lt;/b&gt;'));
    const actionId = row[0];
    assert.equal((await co.submit(page(), `${page()}/azioni/${actionId}`, { fatta: '1' })).status, 303);
    assert.notEqual(q(`SELECT done_at FROM feedback_actions WHERE id = ${actionId}`), '');
    const sum = (await bearer(s, coTok, 'GET', `/api/v1/feedback/rounds/${w.round}/summary`)).json();
    assert.equal(sum.actions.find((x) => String(x.id) === actionId).done, true);
    assert.equal((await co.submit(page(), `${page()}/azioni/${actionId}`, { fatta: '0' })).status, 303);
    assert.equal(q(`SELECT done_at IS NULL FROM feedback_actions WHERE id = ${actionId}`), 't');
    assert.equal(q(`SELECT count(*) FROM audit_log WHERE subject_id = ${w.round}
                    AND action IN ('feedback_action_add', 'feedback_action_done', 'feedback_action_reopen')`), '3');
    // An action of another round, or none at all: 404.
    assert.equal((await co.submit(page(), `${page()}/azioni/999999999`, { fatta: '1' })).status, 404);
  });

  it('hostile or wrong input comes back with a message and changes nothing', async () => {
    const count = () => q(`SELECT count(*) FROM feedback_actions WHERE round_id = ${w.round}`);
    const n = count();
    const cases = [
      [{ testo: '' }, /«Azione» è obbligatorio/],
      [{ testo: 'x'.repeat(2001) }, /Azione/],
      [{ testo: 'ok', modulo: String(w.otherModule) }, /Scegli un modulo del corso della rilevazione/],
      [{ testo: 'ok', domanda: 'inesistente' }, /Scegli una domanda della scheda/],
      [{ testo: 'ok', domanda: "x' OR 1=1 --" }, /Domanda/],
      [{ testo: 'ok', scadenza: '2030-02-30' }, /Scadenza/],
      [{ testo: 'ok', responsabile: '999999999' }, /Scegli una persona attiva/],
      [{ testo: 'ok', responsabile: String(id(`SELECT id FROM users WHERE email = ${lit(s.demo.formatore.email)}`)), responsabile_testo: 'Anche lei' }, /non entrambi/],
    ];
    for (const [fields, msg] of cases) {
      const r = await co.submit(page(), `${page()}/azioni`, fields);
      assert.equal(r.status, 400, JSON.stringify(fields).slice(0, 80));
      assert.match(r.text, msg);
      assert.match(r.text, /aria-invalid="true"/);
    }
    assert.equal(count(), n);
  });
});
