// browser.mjs - what every browser walk needs: Chromium with the flags these
// machines want, a watch on console errors, CSP violations and failed
// requests, axe-core (WCAG 2.1 A/AA) with a screenshot of each page checked,
// and navigation helpers that record an unexpected status instead of
// stopping the walk.  Problems are collected and asserted once at the end.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { ROOT } from './harness.mjs';

export const OUT = join(ROOT, 'tests/browser/out');
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
export const DESKTOP = { width: 1280, height: 900 };

// Bootstrap Italia's stylesheet embeds video.js's icon font as a data: URL,
// which Chromium loads as soon as it parses the @font-face. While the CSP's
// font-src does not allow data: that one load is refused and logged; nothing
// on the pages uses the font. Only that font is excused, and only then.
const BI_CSS = readFileSync(join(ROOT, 'node_modules/bootstrap-italia/dist/css/bootstrap-italia.min.css'), 'utf8');
const VIDEOJS_FONT = BI_CSS.match(/font-family:VideoJS;src:url\((data:[^)]{0,80})/)?.[1];

// Opens Chromium on stack s; prefix names the screenshots (prefix-NN-name.png).
export async function openBrowser(s, prefix) {
  mkdirSync(OUT, { recursive: true });
  // Only this walk's screenshots of an earlier run: other walks keep theirs.
  for (const f of readdirSync(OUT)) if (f.startsWith(`${prefix}-`) && f.endsWith('.png')) rmSync(join(OUT, f));
  const csp = (await fetch(s.baseUrl + '/')).headers.get('content-security-policy') ?? '';
  const excuseDataFont = !/font-src[^;]*\bdata:/.test(csp) && VIDEOJS_FONT !== undefined;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const problems = [];
  const expectedDocFailures = new Set();	// documents answering 4xx on purpose
  const excuses = [];			// patterns excused by b.excusing()
  let shot = 0;
  // What the watchers of b.page() see goes through here (b.excusing()).
  const record = (text) => { if (!excuses.some((re) => re.test(text))) problems.push(text); };

  const b = {
    problems,
    // A page in a context of its own (its own cookies: one per person),
    // whose console errors, CSP violations, failed requests and dialogs
    // (alert, confirm...: dismissed) are recorded.  options go to
    // browser.newContext() over the defaults, e.g. { viewport: {...} }.
    // The page's own API stays available (page.route(), page.on('request')...).
    async page(who, options = {}) {
      const ctx = await browser.newContext({ viewport: DESKTOP, locale: 'it-IT', ...options });
      ctx.setDefaultTimeout(30_000);
      await ctx.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
        });
      });
      const page = await ctx.newPage();
      page.on('console', (msg) => {
        if (msg.type() !== 'error') return;
        const text = msg.text(), url = msg.location()?.url ?? '';
        if (excuseDataFont && (text.includes(`Loading the font '${VIDEOJS_FONT}`) ||
            text.startsWith('CSP violation: font-src blocked data'))) return;
        if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text) &&
            expectedDocFailures.has(url)) return;
        record(`[${who}] console error on ${page.url()}: ${text} (${url})`);
      });
      page.on('pageerror', (err) => record(`[${who}] script error on ${page.url()}: ${err.message}`));
      page.on('requestfailed', (req) =>
        record(`[${who}] request failed on ${page.url()}: ${req.url()} ${req.failure()?.errorText}`));
      page.on('dialog', async (d) => {
        record(`[${who}] a dialog opened on ${page.url()}: ${d.type()} ${d.message()}`);
        await d.dismiss();
      });
      return page;
    },
    // Runs fn; meanwhile what the page watchers record is dropped when it
    // matches pattern (a RegExp): errors a step provokes on purpose, e.g.
    // /status of (503|409)/ for answers faked with page.route().  Returns
    // what fn returns.
    async excusing(pattern, fn) {
      excuses.push(pattern);
      try {
        return await fn();
      } finally {
        excuses.splice(excuses.indexOf(pattern), 1);
      }
    },
    // Screenshot, then axe on the page as it is now.
    async check(page, name) {
      shot += 1;
      const file = `${prefix}-${String(shot).padStart(2, '0')}-${name}.png`;
      await page.screenshot({ path: join(OUT, file), fullPage: true });
      const res = await new AxeBuilder({ page }).withTags(WCAG_TAGS)
        .options({ resultTypes: ['violations'] }).analyze();
      for (const v of res.violations) {
        const targets = v.nodes.map((n) => n.target.join(' ')).join(' | ');
        problems.push(`[axe ${file}] ${v.id} (${v.impact}): ${v.help} -> ${targets}`);
      }
    },
    status(resp, want, what) {
      const got = resp ? resp.status() : 0;
      if (got !== want) problems.push(`${what}: status ${got}, expected ${want}`);
    },
    async go(page, path, want = 200) {
      if (want >= 400) expectedDocFailures.add(s.baseUrl + path);
      const resp = await page.goto(s.baseUrl + path);
      b.status(resp, want, `GET ${path}`);
      return resp;
    },
    // Clicks a submit control and waits for the page it leads to (redirects followed).
    async submit(page, locator, want, what) {
      if (want >= 400) expectedDocFailures.add(await locator.evaluate((el) => el.form?.action));
      const [resp] = await Promise.all([page.waitForNavigation(), locator.click()]);
      b.status(resp, want, what);
      return resp;
    },
    // Signs in through the login form.
    async login(page, account) {
      await b.go(page, '/accedi');
      await page.locator('#f-email').fill(account.email);
      await page.locator('#f-password').fill(account.password);
      await b.submit(page, page.locator('main button[type="submit"]'), 200, `login of ${account.email}`);
    },
    // Closes Chromium and fails with every problem seen.
    async close() {
      await browser.close();
      assert.deepEqual(problems, [], `problems found:\n${problems.join('\n')}`);
    },
  };
  return b;
}

// Ends a browser test: closes Chromium (failing with every problem seen)
// and stops the stack even then, since a portal left running would keep
// the test runner alive.
export async function closeAll(b, s) {
  try {
    if (b) await b.close();
  } finally {
    await s.stop();
  }
}
