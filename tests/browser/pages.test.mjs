// Browser walk through the account and admin pages, the way a person uses
// them: real Chromium, the real portal, PostgreSQL and SMTP (tests/lib).
// Every page reached is checked with axe-core (WCAG 2.1 A and AA), must log
// no console error (CSP violations included) and is saved as a screenshot
// in tests/browser/out/ for a human to look at (tests/lib/browser.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startStack } from '../lib/harness.mjs';
import { OUT, closeAll, openBrowser } from '../lib/browser.mjs';

const MOBILE = { width: 390, height: 844 };

test('pages: accessible, no console or CSP errors, usable by keyboard', { timeout: 300_000 }, async () => {
  const s = await startStack();
  let b;
  try {
    const csp = (await fetch(s.baseUrl + '/')).headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/, 'the CSP is sent');
    b = await openBrowser(s, 'a');

    const page = await b.page('visitor');

    // ---- home, with the keyboard: the skip link comes first and lands on main.
    await b.go(page, '/');
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => ({
      text: document.activeElement?.textContent?.trim(),
      href: document.activeElement?.getAttribute('href'),
    }));
    assert.equal(first.href, '#contenuto', `first Tab focuses the skip link, not ${JSON.stringify(first)}`);
    const skipVisible = await page.locator('.skiplinks a').isVisible();
    assert.ok(skipVisible, 'the focused skip link is visible');
    await page.screenshot({ path: join(OUT, 'a-00-home-skiplink-focus.png') });
    await page.keyboard.press('Enter');
    const focused = await page.evaluate(() => document.activeElement?.id);
    assert.equal(focused, 'contenuto', 'activating the skip link moves focus to main');
    await b.check(page, 'home');

    // ---- public pages
    await b.go(page, '/accessibilita');
    await b.check(page, 'accessibilita');
    await b.go(page, '/accedi');
    await b.check(page, 'accedi');
    await b.go(page, '/registrati');
    await b.check(page, 'registrati');

    // ---- registration with errors: empty form, then a short password
    await b.submit(page, page.getByRole('button', { name: 'Registrati', exact: true }).last(), 400,
      'empty registration');
    assert.ok(await page.locator('.alert-danger').isVisible(), 'error summary shown');
    assert.ok(await page.locator('#f-name[aria-invalid="true"]').count(), 'name marked invalid');
    await b.check(page, 'registrati-vuoto');

    const email = `nuovo.utente.${Date.now()}@example.org`;
    const password = 'Una-password-lunga-42';
    await page.fill('#f-name', 'Giulia Verdi');
    await page.fill('#f-email', email);
    const orgValue = await page.locator('#f-org option').nth(1).getAttribute('value');
    await page.selectOption('#f-org', orgValue);
    await page.fill('#f-password', 'corta');
    await page.fill('#f-password_confirm', 'corta');
    await page.locator('label[for="f-privacy"]').click();   // BI draws the box on the label
    assert.ok(await page.isChecked('#f-privacy'), 'privacy box checked by its label');
    await b.submit(page, page.locator('main button[type="submit"]'), 400, 'short password');
    assert.equal(await page.locator('#f-password').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.inputValue('#f-name'), 'Giulia Verdi', 'typed values are kept');
    await b.check(page, 'registrati-password-corta');

    // ---- registration that succeeds
    await page.fill('#f-password', password);
    await page.fill('#f-password_confirm', password);
    if (!(await page.isChecked('#f-privacy'))) await page.locator('label[for="f-privacy"]').click();
    await b.submit(page, page.locator('main button[type="submit"]'), 200, 'registration');
    assert.match(page.url(), /\/accedi\?esito=registrato$/);
    await b.check(page, 'accedi-registrato');

    // ---- the confirmation email, its link and the confirm button
    const mail = await s.waitMail(email, /Conferma/);
    const link = mail.text.match(/https?:\/\/[^\s"<>]+\/conferma\?token=[A-Za-z0-9_-]+/);
    assert.ok(link, 'the mail holds the confirmation link');
    const confirmPath = new URL(link[0]).pathname + new URL(link[0]).search;
    await b.go(page, confirmPath);
    await b.check(page, 'conferma');
    await b.submit(page, page.getByRole('button', { name: /Conferma/ }), 200, 'confirm');
    assert.match(page.url(), /esito=confermato/);
    await b.check(page, 'accedi-confermato');

    // Signing in before approval is refused with a message.
    await page.fill('#f-email', email);
    await page.fill('#f-password', password);
    await b.submit(page, page.locator('main button[type="submit"]'), 403, 'login before approval');
    assert.match(await page.locator('main .alert-danger').innerText(), /attesa di approvazione/);
    await b.check(page, 'accedi-in-attesa');

    // ---- the admin approves, in a context of its own (its own cookie).
    {
      const admin = await b.page('admin');
      await b.go(admin, '/accedi');
      await admin.fill('#f-email', s.demo.admin.email);
      await admin.fill('#f-password', s.demo.admin.password);
      await b.submit(admin, admin.locator('main button[type="submit"]'), 200, 'admin login');
      assert.equal(new URL(admin.url()).pathname, '/');
      await b.check(admin, 'home-admin');

      await b.go(admin, '/admin/utenti');
      await b.check(admin, 'admin-utenti');
      await b.go(admin, `/admin/utenti?stato=pending&q=${encodeURIComponent('Giulia')}`);
      await Promise.all([admin.waitForNavigation(), admin.getByRole('link', { name: 'Giulia Verdi' }).click()]);
      assert.match(admin.url(), /\/admin\/utenti\/\d+$/);
      await b.check(admin, 'admin-utente');
      await b.submit(admin, admin.getByRole('button', { name: "Approva l'account" }), 200, 'approve');
      assert.match(admin.url(), /esito=salvato/);
      assert.equal(s.sql(`SELECT status FROM users WHERE email = '${email}'`), 'active');
      await b.check(admin, 'admin-utente-approvato');

      await b.go(admin, '/admin/enti');
      await b.check(admin, 'admin-enti');
      await b.submit(admin, admin.getByRole('button', { name: 'Aggiungi' }), 400, 'empty org');
      assert.equal(await admin.locator('#f-name').getAttribute('aria-invalid'), 'true');
      await b.check(admin, 'admin-enti-errore');

      await b.go(admin, '/pagina-che-non-esiste', 404);
      await b.check(admin, 'non-trovata');
    }

    // ---- the new user signs in, sees the profile, gets form errors, logs out
    await page.fill('#f-email', email);
    await page.fill('#f-password', password);
    await b.submit(page, page.locator('main button[type="submit"]'), 200, 'user login');
    assert.equal(new URL(page.url()).pathname, '/');
    await b.check(page, 'home-utente');
    await b.go(page, '/profilo');
    await b.check(page, 'profilo');
    await page.fill('#f-current_password', password);
    await page.fill('#f-password', 'corta');
    await page.fill('#f-password_confirm', 'diversa');
    await b.submit(page, page.getByRole('button', { name: 'Cambia la password' }), 400, 'short new password');
    assert.equal(await page.locator('#f-password').getAttribute('aria-invalid'), 'true');
    await b.check(page, 'profilo-errori');

    // A member is not an admin.
    await b.go(page, '/admin/utenti', 403);
    await b.check(page, 'accesso-negato');

    await b.submit(page, page.getByRole('button', { name: 'Esci' }), 200, 'logout');
    assert.match(page.url(), /esito=uscito/);
    await b.check(page, 'uscito');

    // ---- a phone-sized screen
    await page.setViewportSize(MOBILE);
    await b.go(page, '/');
    await b.check(page, 'mobile-home');
    await b.go(page, '/accedi');
    await b.check(page, 'mobile-accedi');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) b.problems.push(`mobile: page is ${overflow}px wider than the viewport`);
  } finally {
    await closeAll(b, s);
  }
});
