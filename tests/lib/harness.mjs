// The test stack: a private PostgreSQL, an SMTP sink writing a Maildir and
// the real portal binary on free ports, all torn down by stop().  Shared by
// the integration and browser tests; nothing here is a mock.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const PORTAL = resolve(ROOT, process.env.PORTAL_BIN ?? 'build/portal');
// The assets the binary under test serves: they are built beside it.
export const ASSETS = join(dirname(PORTAL), 'assets');

function freePort() {
  return Number(execFileSync(join(ROOT, 'scripts/free-port.sh')).toString().trim());
}

function sh(script, args, env = {}) {
  return execFileSync(join(ROOT, 'scripts', script), args, {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  }).toString().trim();
}

async function waitFor(url, ms = 15000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch { /* not up yet */ }
    await sleep(50);
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

// Starts everything; returns handles and helpers.  A failure part-way
// tears down what was started before it is reported.  options.env adds
// PORTAL_* overrides for the portal (e.g. PORTAL_PEERTUBE_HOSTS).
export async function startStack(options = {}) {
  mkdirSync(join(ROOT, 'build/tests'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, 'build/tests/stack-'));
  let portal = null;
  try {
    return await startIn(dir, (p) => { portal = p; }, options);
  } catch (e) {
    if (portal && portal.exitCode === null) portal.kill('SIGKILL');
    try { sh('smtp.sh', ['stop', join(dir, 'smtp.pid')]); } catch { /* not started */ }
    try { sh('pg.sh', ['destroy', join(dir, 'pg')]); } catch { /* not started */ }
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function startIn(dir, started, options) {
  const pgDir = join(dir, 'pg');
  const pgPort = freePort();
  const smtpPort = freePort();
  const httpPort = freePort();
  const maildir = join(dir, 'maildir');
  const varDir = join(dir, 'var');
  mkdirSync(varDir);
  sh('pg.sh', ['start', pgDir, String(pgPort)], { PG_FSYNC: 'off' });
  const dbUrl = sh('pg.sh', ['url', pgDir, String(pgPort)]);
  sh('smtp.sh', ['start', maildir, String(smtpPort), join(dir, 'smtp.pid')]);
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  const env = {
    ...process.env,
    PORTAL_DATABASE_URL: dbUrl,
    PORTAL_LISTEN: `127.0.0.1:${httpPort}`,
    PORTAL_BASE_URL: baseUrl,
    PORTAL_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    PORTAL_VAR_DIR: varDir,
    PORTAL_PASSWORD_COST: 'min',
    PORTAL_JOBS_INTERVAL: '1',
    PORTAL_ASSETS_DIR: ASSETS,
    PORTAL_VIEWS_DIR: ROOT,
    ...(options.env ?? {}),
  };
  // A command that hangs fails the test after a minute instead of stalling the run.
  const run = (...args) => execFileSync(PORTAL, args,
    { env, cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 }).toString();
  run('migrate');
  run('seed-demo');
  const demo = {};
  for (const line of readFileSync(join(varDir, 'demo-accounts.txt'), 'utf8').trim().split('\n')) {
    const [role, email, password] = line.split('\t');
    demo[role] = { email, password };
  }
  const log = [];
  const portal = spawn(PORTAL, ['serve'], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  started(portal);
  portal.stdout.on('data', (d) => log.push(d.toString()));
  portal.stderr.on('data', (d) => log.push(d.toString()));
  await waitFor(`${baseUrl}/healthz`);
  // The answer must come from this portal: one that lost the port to
  // another test's server exits, and that server would answer instead.
  for (const until = Date.now() + 15000; !log.join('').includes(' listening on '); await sleep(50)) {
    if (portal.exitCode !== null || Date.now() > until) {
      throw new Error(`the portal did not start on ${baseUrl}:\n${log.join('').slice(-2000)}`);
    }
  }

  const stack = {
    dir, baseUrl, dbUrl, maildir, varDir, demo, env, log, portal,
    run,
    // Runs SQL through psql against the stack's database (for assertions on stored state).
    sql(query) {
      return execFileSync('psql', [dbUrl, '-XAtq', '-c', query]).toString().trim();
    },
    pgStop() { sh('pg.sh', ['stop', pgDir]); },
    pgStart() { sh('pg.sh', ['start', pgDir, String(pgPort)], { PG_FSYNC: 'off' }); },
    // Messages delivered so far, parsed into headers and decoded text.
    mails() {
      let names = [];
      try { names = readdirSync(join(maildir, 'new')); } catch { return []; }
      return names.sort().map((n) => parseMail(readFileSync(join(maildir, 'new', n), 'utf8')));
    },
    // Waits for a message to `to` whose subject matches; returns it.
    async waitMail(to, subjectPattern, ms = 10000) {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        const m = stack.mails().find((x) => x.to.includes(to) && subjectPattern.test(x.subject));
        if (m) return m;
        await sleep(100);
      }
      throw new Error(`no mail to ${to} matching ${subjectPattern}`);
    },
    async stop() {
      // A portal killed by a signal keeps exitCode null: signalCode says it is gone.
      if (portal.exitCode === null && portal.signalCode === null) {
        portal.kill('SIGTERM');
        await new Promise((r) => portal.once('exit', r));
      }
      try { sh('smtp.sh', ['stop', join(dir, 'smtp.pid')]); } catch { /* already gone */ }
      try { sh('pg.sh', ['destroy', pgDir]); } catch { /* already gone */ }
      rmSync(dir, { recursive: true, force: true });
      // A sanitizer build reports memory errors and undefined behaviour on
      // stderr and goes on: any report fails the test file.
      const report = log.join('').match(/(ERROR: AddressSanitizer|runtime error:)[^\n]*/);
      if (report) throw new Error(`sanitizer report from the portal: ${report[0]}\n${log.join('').slice(-4000)}`);
    },
  };
  return stack;
}

// RFC 2047 encoded words and quoted-printable bodies, enough to read our own mail.
function decodeWords(s) {
  return s.replace(/\r?\n[ \t]+/g, ' ').replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=\s*/gi, (_, enc, text) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
}

function decodeQP(s) {
  const bytes = s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

export function parseMail(raw) {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const body = rest.join('\n\n');
  return {
    raw, headers,
    subject: decodeWords(headers.subject ?? ''),
    to: headers.to ?? '',
    text: decodeQP(body),
  };
}

// A browser-like client: keeps cookies, never follows redirects by itself.
export class Client {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.cookies = new Map();
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method, path, { form, json, headers = {} } = {}) {
    const h = { ...headers };
    if (this.cookies.size) h.cookie = this.cookieHeader();
    let body;
    if (form) {
      body = new URLSearchParams(form).toString();
      h['content-type'] = 'application/x-www-form-urlencoded';
    } else if (json !== undefined) {
      body = typeof json === 'string' ? json : JSON.stringify(json);
      h['content-type'] = 'application/json';
    }
    const res = await fetch(this.baseUrl + path, { method, headers: h, body, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (attrs.some((a) => /max-age=0/i.test(a.trim())) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    // Bytes decoded by hand: res.text() would drop a byte order mark.
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    return { status: res.status, headers: res.headers, bytes, text, json: () => JSON.parse(text) };
  }

  get(path, opts) { return this.request('GET', path, opts); }

  // GETs a page and returns the CSRF token of its first form.
  async csrf(path) {
    const r = await this.get(path);
    const m = r.text.match(/name="csrf_token" value="([^"]+)"/);
    if (!m) throw new Error(`no csrf_token on ${path} (status ${r.status})`);
    return m[1];
  }

  // Submits a form the way a browser does: fetch the page for its token, then post.
  async submit(pagePath, actionPath, fields) {
    const token = await this.csrf(pagePath);
    return this.request('POST', actionPath, { form: { csrf_token: token, ...fields } });
  }

  async login(email, password) {
    const r = await this.submit('/accedi', '/accedi', { email, password });
    if (r.status !== 303) throw new Error(`login of ${email} failed: ${r.status}`);
    return r;
  }
}
