// The Console end to end, in headless Chromium, per backend: an admin created with
// `tandem admin create` logs in, invites a user (read from the Console's mailbox), the user
// accepts through the link, the admin finds them, renames them (the BaaS row shows it),
// deactivates them (the BaaS row shows active = false, and their log-in is refused); a sync event
// the BaaS cannot apply (an app schema constraint) appears on the Sync page and "Retry" delivers
// it after the fix. Every page is screenshotted at 1280 and 390 px (../artifacts/console/) and
// checked with axe-core: no serious or critical violations.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { Platform } from '@roq/nodejs';

import { BACKENDS, TANDEM_BIN, startTandem } from '../lib/tandem.mjs';
import { describePage, journey, launchBrowser, submitForm, watchConsole } from '../lib/browser.mjs';
import { firstLink } from '../lib/smtp.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = path.resolve(HERE, '..', 'artifacts', 'console');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const execFileAsync = promisify(execFile);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let browser;

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
});

for (const backend of BACKENDS) {
  describe(`the Console in a browser (${backend})`, () => {
    let server;
    let platform;
    let context;
    let page;
    const s = crypto.randomUUID().slice(0, 8);
    const seen = { admin: `ops.${s}@example.com`, adminPassword: `Console-Secret-${s}` };
    const { step, failed } = journey({ it, artifacts: ARTIFACTS, prefix: backend, page: () => page });
    const checked = [];

    /** Screenshots the page at 1280 and 390 px and runs axe-core on it. */
    async function look(t, name) {
      for (const width of [1280, 390]) {
        await page.setViewport({ width, height: 900 });
        const file = path.join(ARTIFACTS, `${backend}-${name}-${width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        t.diagnostic(`screenshot: ${file}`);
      }
      await page.setViewport({ width: 1280, height: 900 });
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => {
        // eslint-disable-next-line no-undef
        const result = await axe.run(document, { resultTypes: ['violations'] });
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      });
      checked.push(name);
      assert.deepEqual(violations, [], `accessibility problems on ${name}`);
    }

    async function go(pathname) {
      const response = await page.goto(`${server.host}${pathname}`, { waitUntil: 'load' });
      return response.status();
    }

    async function text() {
      return (await page.evaluate(() => document.body.innerText)).replace(/\s+/g, ' ');
    }

    /** Reloads `pathname` until its text matches `pattern` (sync takes a moment). */
    async function until(pathname, pattern, what, ms = 20_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        await go(pathname);
        if (pattern.test(await text())) return;
        assert.ok(Date.now() < deadline, `${what}: ${pathname} never showed ${pattern}\n${await describePage(page)}`);
        await sleep(250);
      }
    }

    /** Presses the submit button with this text inside the form whose action ends with `action`. */
    async function press(action, label) {
      const button = await page.evaluateHandle(
        (action, label) =>
          [...document.querySelectorAll('form')]
            .filter((f) => f.getAttribute('action').endsWith(action))
            .flatMap((f) => [...f.querySelectorAll('button')])
            .find((b) => b.textContent.trim() === label) ?? null,
        action,
        label,
      );
      assert.ok(button.asElement(), `no button "${label}" in a form to ${action}\n${await describePage(page)}`);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.asElement().click()]);
    }

    before(async () => {
      const dir = await mkdtempSchema();
      server = await startTandem({ backend, schema: dir.schema, env: { TANDEM_SYNC_MAX_ATTEMPTS: '2' } });
      platform = new Platform({ environmentId: server.environmentId, apiKey: server.apiKey, host: server.host });
      context = await browser.createBrowserContext();
      page = await context.newPage();
      await page.setBypassCSP(true); // to inject axe-core; the pages themselves load no script
      watchConsole(page);
      await page.setViewport({ width: 1280, height: 900 });
    });

    after(async () => {
      if (failed() && server) console.log(`tandem logs (${backend}):\n${server.logs()}`);
      if (context) await context.close();
      if (server) await server.stop();
    });

    step('c1: without a session every Console page sends the browser to log in', async (t) => {
      for (const p of ['/console/users', '/console/sync', '/console/settings']) {
        assert.equal(await go(p), 200);
        assert.ok(page.url().startsWith(`${server.host}/console/login?next=`), `${p} → ${page.url()}`);
      }
      assert.equal(await go('/'), 200);
      assert.ok(page.url().startsWith(`${server.host}/console/login`), page.url());
      await look(t, 'login');
    });

    step('c2: `tandem admin create` makes an admin, who logs in (a wrong password is refused first)', async (t) => {
      const args = ['admin', 'create', '--email', seen.admin, '--password-stdin', '--data-dir', server.dataDir];
      if (backend === 'postgres') args.push('--platform-db', `postgres://postgres@127.0.0.1:5432/${server.databaseName}`);
      const child = execFile(TANDEM_BIN, args);
      child.stdin.end(`${seen.adminPassword}\n`);
      const out = await new Promise((resolve, reject) => {
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`admin create: ${code}\n${stderr}`))));
      });
      assert.match(out, /password set/);
      await go('/console/users');
      await submitForm(page, { email: seen.admin, password: 'not-the-password' }, 'Log in');
      assert.match(await text(), /email or password is not correct/);
      await submitForm(page, { email: seen.admin, password: seen.adminPassword }, 'Log in');
      assert.equal(new URL(page.url()).pathname, '/console/users', await describePage(page));
      await look(t, 'users');
    });

    step('c3: the admin invites a user; the mail is in the Console mailbox; the user accepts through its link', async (t) => {
      seen.email = `nia.${s}@example.com`;
      await go('/console/invitations');
      await page.type('#people', `Nia Newcomer <${seen.email}>`);
      await press('/console/invitations', 'Send invitations');
      assert.match(await text(), /Sent 1 invitation/);
      await look(t, 'invitations');
      await go('/console/mailbox');
      await look(t, 'mailbox');
      const mail = await page.$$eval('article', (as, email) => as.find((a) => a.innerText.includes(email))?.innerText, seen.email);
      assert.ok(mail, `no message to ${seen.email} in the mailbox`);
      const link = firstLink(mail);
      const other = await context.newPage();
      try {
        await other.goto(link, { waitUntil: 'load' });
        await submitForm(other, { password: `Nia-Secret-${s}` }, 'Accept invitation');
        assert.match(await other.evaluate(() => document.body.innerText), /Welcome aboard/);
      } finally {
        await other.close();
      }
    });

    step('c4: the admin finds the user, renames them, and the BaaS row shows the new name', async (t) => {
      await go(`/console/users?q=${encodeURIComponent(seen.email)}`);
      assert.match(await text(), /Users 1–1 of 1/);
      const href = await page.$eval('tbody a', (a) => a.getAttribute('href'));
      seen.userPath = href;
      await go(href);
      await page.$eval('#firstName', (el) => (el.value = ''));
      await page.type('#firstName', 'Nina');
      await press(href, 'Save profile');
      assert.match(await text(), /Profile saved/);
      // The BaaS column catches up with the Platform's.
      await until(href, /First name Nina Nina/, 'the rename on the BaaS');
      await look(t, 'user');
      assert.match(await text(), /changed first name "Nia" → "Nina"/, 'the audit line');
    });

    step('c5: deactivating (after a confirm step) reaches the BaaS and refuses the user\'s log-in', async (t) => {
      await go(`${seen.userPath}/active`);
      await look(t, 'deactivate-confirm');
      await press(`${seen.userPath}/active`, 'Deactivate');
      assert.match(await text(), /User deactivated/);
      await until(seen.userPath, /Active false false/, 'active = false on the BaaS');
      const q = new URLSearchParams({
        clientId: server.environmentId,
        redirect_uri: 'http://localhost:3000/api/auth/callback',
        response_type: 'code',
        state: 'x',
        initialScreen: 'login',
      });
      const login = await context.newPage();
      try {
        await login.goto(`${server.host}/authorize?${q}`, { waitUntil: 'load' });
        await submitForm(login, { email: seen.email, password: `Nia-Secret-${s}` }, 'Log in');
        assert.match(await login.evaluate(() => document.body.innerText), /deactivated/i);
      } finally {
        await login.close();
      }
    });

    step('c6: an event the BaaS cannot apply shows on the Sync page, and Retry delivers it after the fix', async (t) => {
      // The app's schema makes first names unique on the BaaS; the Platform does not know.
      const sam = (await platform.asSuperAdmin().createUser({ user: { email: `sam.${s}@example.com`, reference: 'sam', firstName: 'Sam' } })).createUser;
      const max = (await platform.asSuperAdmin().createUser({ user: { email: `max.${s}@example.com`, reference: 'max', firstName: 'Max' } })).createUser;
      await until(`/console/users/${max.id}`, /First name Max Max/, 'Max on the BaaS');
      await page.$eval('#firstName', (el) => (el.value = ''));
      await page.type('#firstName', 'Sam');
      await press(`/console/users/${max.id}`, 'Save profile');
      await until('/console/sync', /Failed events/, 'the parked event', 30_000);
      assert.match(await text(), new RegExp(max.id));
      await look(t, 'sync-failed');
      // The fix: the other Sam gets another name; then Retry.
      await go(`/console/users/${sam.id}`);
      await page.$eval('#firstName', (el) => (el.value = ''));
      await page.type('#firstName', 'Samuel');
      await press(`/console/users/${sam.id}`, 'Save profile');
      await until(`/console/users/${sam.id}`, /First name Samuel Samuel/, 'the fix on the BaaS');
      // The parked event's own Retry button (the other one retries every failed event).
      await go('/console/sync');
      await press('/console/sync/retry', 'Retry');
      assert.match(await text(), /Re-queued 1 failed event/);
      await until(`/console/users/${max.id}`, /First name Sam Sam/, 'the retried event on the BaaS');
      await until('/console/sync', /Up to date.*Up to date/, 'both directions drained');
      await look(t, 'sync');
    });

    step('c7: the other pages render for people too', async (t) => {
      for (const [p, name] of [
        ['/console/tenants', 'tenants'],
        ['/console/roles', 'roles'],
        ['/console/settings', 'settings'],
        ['/console/data', 'data'],
        ['/console/data/user', 'data-user'],
      ]) {
        assert.equal(await go(p), 200, p);
        await look(t, name);
      }
      // A user's tenant_id leads to the tenant's row.
      await go('/console/data/user');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('td a[href^="/console/data/tenant?field=id"]')]);
      assert.match(await text(), /1 row\(s\)/);
      // The Sync page's lag chart has the last hour's deliveries.
      await go('/console/sync');
      assert.match(await text(), /Last hour: \d+ event\(s\) delivered/);
      // A role, and its permissions grid.
      await go('/console/roles');
      await page.type('#key', 'member');
      await page.type('#name', 'Member');
      await press('/console/roles', 'Create role');
      assert.match(await text(), /Created the role Member/);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('tbody a')]);
      await page.select('select[name="user:read"]', 'tenant');
      await press(new URL(page.url()).pathname, 'Save permissions');
      assert.match(await text(), /Permissions saved/);
      await look(t, 'role-permissions');
      t.diagnostic(`checked with axe-core: ${checked.join(', ')}`);
    });

    step('c8: log out ends the session', async () => {
      await go('/console/users');
      await press('/console/logout', 'Log out');
      assert.equal(new URL(page.url()).pathname, '/console/login');
      await go('/console/users');
      assert.ok(page.url().startsWith(`${server.host}/console/login`), page.url());
    });
  });
}

/** A schema file that makes BaaS first names unique (so the Platform can send what it refuses). */
async function mkdtempSchema() {
  const dir = await import('node:fs/promises').then((fs) => fs.mkdtemp(path.join(os.tmpdir(), 'tandem-console-')));
  const schema = path.join(dir, 'schema.prisma');
  await writeFile(schema, 'model user {\n  @@unique([first_name])\n}\n');
  return { dir, schema };
}
