// End-user log-in, end to end: a real Next.js App Router app (../nextjs-app, using
// @roq/nextjs@2.0.3's RoqAuth exactly as ROQ's docs set it up) served by `next start`, driven by
// headless Chromium (puppeteer-core), against a freshly started tandem binary per backend.
// The user signs up and logs in on Tandem's hosted pages, the app's session carries what the
// ID token says (email, tenant, roles), the user and tenant reach the BaaS, the app's /team page
// (ZenStack's TanStack Query hooks, calling the BaaS from the browser with the user's own access
// token) lists only the user's tenant and renames the user all the way to the Platform, the app
// refreshes its tokens, the password changes, and a deactivated user is shut out.
//
// Needs Chromium at /usr/bin/chromium (Debian: `apt-get install chromium`; .ci/run installs it)
// or at TANDEM_CHROMIUM. The app is installed (`npm ci`) and built (`next build`) on the first
// run, and again only when its sources change (lib/nextjs-app.mjs). Screenshots of every page
// the browser visits go to ../artifacts/hosted-auth/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Platform } from '@roq/nodejs';

import { BACKENDS, basicAuth, freePort, startTandem } from '../lib/tandem.mjs';
import { buildNextApp, startNextApp } from '../lib/nextjs-app.mjs';
import { describePage, journey, launchBrowser, submitForm, watchConsole } from '../lib/browser.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = path.resolve(HERE, '..', 'artifacts', 'hosted-auth');
const BAAS_SYNC_TIMEOUT_MS = 15_000;
// A second copy of the app is served to the browser under this name (mapped to 127.0.0.1 by
// Chromium's host resolver), a different site from Tandem's 127.0.0.1: log-in from there
// crosses sites the way a deployed app and its Tandem do (127.0.0.1:A and 127.0.0.1:B are the
// same site, since ports do not count for SameSite).
const OTHER_SITE = 'app-on-another-site.test';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Decodes a JWT's payload without verifying it (as @roq/nextjs does). */
function jwtClaims(token) {
  const parts = String(token).split('.');
  assert.equal(parts.length, 3, `expected a compact JWT (three dot-separated parts), got ${String(token).slice(0, 80)}`);
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
}

let browser;

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  // Build the app once for every backend (and not at all when the build is current).
  const built = await buildNextApp();
  console.log(`nextjs-app (npm ci / next build): ${built}`);
  browser = await launchBrowser([`--host-resolver-rules=MAP ${OTHER_SITE} 127.0.0.1`]);
});

after(async () => {
  if (browser) await browser.close();
});

for (const backend of BACKENDS) {
  describe(`hosted log-in through a Next.js app on @roq/nextjs against tandem (${backend})`, () => {
    let server;
    let app;
    let otherApp; // the same app, reached by the browser at http://OTHER_SITE:<port>
    let context;
    let page;
    let admin;

    const s = crypto.randomUUID().slice(0, 8);
    const person = {
      firstName: 'Ada',
      lastName: `Lovelace ${s}`,
      tenantName: `Analytical Engines ${s}`,
      email: `ada.${s}@example.com`,
      password: `first-Secret-${s}-1`,
    };
    const newPassword = `second-Secret-${s}-2`;
    // What the steps learn and later steps check against.
    const seen = { userId: null, tenantId: null, accessToken: null, ownerRoleId: null };
    // Created by the admin for the team page: one in the new user's tenant, one in another.
    const colleague = { email: `grace.${s}@example.com`, firstName: 'Grace', lastName: `Hopper ${s}` };
    const stranger = { email: `alan.${s}@example.com`, firstName: 'Alan', lastName: `Turing ${s}` };

    const { step, shot, failed } = journey({ it, artifacts: ARTIFACTS, prefix: backend, page: () => page });

    /** Follows a link on the current page and waits for the navigation (redirects included) to end. */
    async function follow(selector) {
      const link = await page.$(selector);
      assert.ok(link, `expected a link ${selector} on the page\n${await describePage(page)}`);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
    }

    /** Asserts the browser is on Tandem's hosted /authorize page with these inputs. */
    async function expectHostedPage(what, inputs) {
      const here = page.url();
      assert.ok(
        here.startsWith(`${server.host}/authorize`),
        `expected the browser on Tandem's hosted ${what} page (${server.host}/authorize…)\n${await describePage(page)}`,
      );
      for (const name of inputs) {
        const input = await page.$(`input[name="${name}"]`);
        assert.ok(input, `expected an input name="${name}" on the hosted ${what} page\n${await describePage(page)}`);
      }
    }

    /** Fills the inputs (found by name) and presses the button with this text; waits for the answer page. */
    const submitHosted = (fields, buttonText) => submitForm(page, fields, buttonText);

    /** Asserts the browser is back on the app's home page; returns what it shows once loaded. */
    async function expectAppHome(after, appUrl = app.url) {
      const here = new URL(page.url());
      assert.ok(
        here.origin === appUrl && here.pathname === '/',
        `expected the browser back on the app's home page ${appUrl}/ after ${after}\n${await describePage(page)}`,
      );
      try {
        await page.waitForFunction(
          () => {
            const s = document.querySelector('[data-testid="status"]')?.textContent;
            return s && s !== 'loading';
          },
          { timeout: 15_000 },
        );
      } catch {
        assert.fail(`the app's home page never finished loading its session after ${after}\n${await describePage(page)}`);
      }
      return page.evaluate(() => {
        const text = (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null;
        return {
          status: text('status'),
          error: text('error'),
          email: text('email'),
          tenantId: text('tenant-id'),
          roles: text('roles'),
          userId: text('user-id'),
          cookieToken: document.querySelector('[data-testid="cookie-token"]')?.dataset.token ?? null,
        };
      });
    }

    /** Waits for the /team page's list (ZenStack's useFindMany) and returns its members. */
    async function teamMembers(when) {
      try {
        await page.waitForFunction(
          () => ['ready', 'error'].includes(document.querySelector('[data-testid="list-status"]')?.textContent),
          { timeout: 15_000 },
        );
      } catch {
        assert.fail(`the team list never loaded ${when}\n${await describePage(page)}`);
      }
      const error = await page.evaluate(() => document.querySelector('[data-testid="list-error"]')?.textContent ?? null);
      assert.equal(error, null, `the team list failed ${when}\n${await describePage(page)}`);
      return page.evaluate(() =>
        [...document.querySelectorAll('[data-testid="member"]')].map((li) => ({
          id: li.dataset.id,
          email: li.dataset.email,
          firstName: li.dataset.firstName,
        })),
      );
    }

    /** A same-origin request from the page (so the SameSite=Strict session cookie goes along). */
    async function appFetch(method, urlPath, body) {
      const res = await page.evaluate(
        async (method, urlPath, body) => {
          const init = { method, cache: 'no-store', headers: {} };
          if (body !== undefined) {
            init.headers['content-type'] = 'application/json';
            init.body = JSON.stringify(body);
          }
          const r = await fetch(urlPath, init);
          return { status: r.status, text: await r.text() };
        },
        method,
        urlPath,
        body,
      );
      let json = null;
      try {
        json = JSON.parse(res.text);
      } catch {
        /* reported by the callers' assertions */
      }
      return { status: res.status, text: res.text, json };
    }

    /** GET /api/auth/session must answer 200 with this status; returns the body. */
    async function expectSession(status, when) {
      const res = await appFetch('GET', '/api/auth/session');
      assert.ok(
        res.status === 200 && res.json?.status === status,
        `expected GET /api/auth/session to answer 200 {status: "${status}"} ${when}, ` +
          `got ${res.status} ${res.text.slice(0, 500)}\n${await describePage(page)}`,
      );
      return res.json;
    }

    /** Asserts an authenticated session belongs to the person who signed up. */
    function assertSessionUser(body, when) {
      const user = body.session?.user ?? {};
      const got = JSON.stringify(body.session).slice(0, 1500);
      assert.equal(user.email, person.email, `session.user.email ${when} (session: ${got})`);
      assert.equal(user.firstName, person.firstName, `session.user.firstName ${when} (session: ${got})`);
      assert.equal(user.lastName, person.lastName, `session.user.lastName ${when} (session: ${got})`);
      assert.ok(
        typeof user.tenantId === 'string' && user.tenantId.length > 0,
        `expected a non-empty session.user.tenantId ${when} (session: ${got})`,
      );
      assert.ok(
        Array.isArray(user.roles) && user.roles.includes('owner'),
        `expected session.user.roles to include "owner" (the sign-up role) ${when} (session: ${got})`,
      );
      assert.ok(
        typeof body.session.roqUserId === 'string' && body.session.roqUserId.length > 0,
        `expected session.roqUserId ${when} (session: ${got})`,
      );
      assert.ok(typeof body.session.roqAccessToken === 'string', `expected session.roqAccessToken ${when} (session: ${got})`);
      const claims = jwtClaims(body.session.roqAccessToken);
      assert.equal(claims.roqUserId, body.session.roqUserId, `the access token's roqUserId ${when}`);
      assert.equal(typeof claims.exp, 'number', `the access token has a numeric exp ${when}: ${JSON.stringify(claims)}`);
    }

    /** Asserts the browser stayed on Tandem's hosted page, which shows a visible role="alert". */
    async function expectHostedRefusal(what) {
      const where = await describePage(page);
      assert.ok(
        page.url().startsWith(server.host),
        `expected ${what} to be refused on Tandem's hosted page (${server.host}/…), but the browser left it\n${where}`,
      );
      const alert = await page.$('[role="alert"]');
      assert.ok(alert, `expected an element role="alert" on the hosted page after ${what}\n${where}`);
      assert.ok(await alert.isVisible(), `expected the role="alert" element to be visible after ${what}\n${where}`);
      const message = (await alert.evaluate((el) => el.textContent)).trim();
      assert.ok(message.length > 0, `expected the role="alert" element to say why, after ${what}\n${where}`);
      return message;
    }

    /** Polls a BaaS findUnique until it returns a row. */
    async function baasRow(model, id) {
      const q = encodeURIComponent(JSON.stringify({ where: { id } }));
      const url = `${server.baasHost}/api/model/${model}/findUnique?q=${q}`;
      const deadline = Date.now() + BAAS_SYNC_TIMEOUT_MS;
      let last = '';
      for (;;) {
        const res = await fetch(url, { headers: { authorization: basicAuth(server) } });
        last = `${res.status} ${await res.text()}`;
        if (res.status === 200) {
          const body = JSON.parse(last.slice(4));
          if (body.data) return body.data;
        }
        if (Date.now() > deadline) {
          assert.fail(
            `expected the ${model} ${id} on the BaaS within ${BAAS_SYNC_TIMEOUT_MS / 1000} s ` +
              `(GET /api/model/${model}/findUnique), last answer: ${last.slice(0, 500)}`,
          );
        }
        await sleep(100);
      }
    }

    /** `next start` on a free port, configured for this Tandem; the browser reaches it at http://<host>:<port>. */
    async function serveApp(host) {
      const port = await freePort();
      const appUrl = `http://${host}:${port}`;
      const served = await startNextApp({
        port,
        env: {
          ROQ_AUTH_URL: server.host,
          ROQ_PLATFORM_URL: server.host,
          ROQ_CLIENT_ID: server.environmentId,
          ROQ_CLIENT_SECRET: server.apiKey,
          ROQ_API_KEY: crypto.randomBytes(32).toString('base64url'),
          ROQ_BASE_URL: appUrl,
          ROQ_AUTH_CALLBACK_URL: `${appUrl}/api/auth/callback`,
          TANDEM_BAAS_URL: server.baasHost,
        },
      });
      return { ...served, url: appUrl };
    }

    before(async () => {
      server = await startTandem({ backend });
      [app, otherApp] = await Promise.all([serveApp('127.0.0.1'), serveApp(OTHER_SITE)]);
      admin = new Platform({ host: server.host, environmentId: server.environmentId, apiKey: server.apiKey }).asSuperAdmin();
      // A fresh cookie jar per backend.
      context = await browser.createBrowserContext();
      page = await context.newPage();
      watchConsole(page);
      page.setDefaultTimeout(30_000);
    });

    after(async () => {
      if (failed()) {
        const tail = (text) => (text.length > 6000 ? `…${text.slice(-6000)}` : text);
        if (app) console.error(tail(app.logs()));
        if (otherApp) console.error(tail(otherApp.logs()));
        if (server) console.error(tail(`--- tandem output ---\n${server.logs()}`));
      }
      if (context) await context.close();
      if (app) await app.stop();
      if (otherApp) await otherApp.stop();
      if (server) await server.stop();
    });

    step('a. setup: an "owner" role, and the apps allowed as redirect targets with "owner" as the sign-up role', async () => {
      const role = await admin.graphqlRequest(
        'mutation createRole($role: RoleCreateDto!) { createRole(role: $role) { id key name } }',
        { role: { key: 'owner', name: 'Owner', isSystemManaged: false, permissionAssignments: [] } },
      );
      assert.equal(role?.data?.createRole?.key, 'owner', `createRole answered ${JSON.stringify(role)}`);
      seen.ownerRoleId = role.data.createRole.id;
      // Redirect URIs match exactly: each app's @roq/nextjs callback.
      const callbacks = [app, otherApp].map((a) => `${a.url}/api/auth/callback`);
      const res = await admin.graphqlRequest(
        `mutation { updateAuthSettings(data: {redirectUris: ${JSON.stringify(callbacks)}, ` +
          'signUpRoleKeys: ["owner"]}) { redirectUris signUpRoleKeys } }',
      );
      assert.deepEqual(
        res?.data?.updateAuthSettings,
        { redirectUris: callbacks, signUpRoleKeys: ['owner'] },
        `updateAuthSettings answered ${JSON.stringify(res)}`,
      );
    });

    step('b. sign up on the hosted page: back in the app, authenticated as the new owner of a new tenant', async (t) => {
      await page.goto(`${app.url}/`, { waitUntil: 'load' });
      let home = await expectAppHome('opening the app');
      assert.equal(home.status, 'unauthenticated', `a new visitor has no session\n${await describePage(page)}`);

      await follow('#signup');
      await expectHostedPage('sign-up', ['firstName', 'lastName', 'tenantName', 'email', 'password']);
      const authorize = new URL(page.url());
      assert.equal(authorize.searchParams.get('initialScreen'), 'signUp', `the sign-up link asks for the sign-up screen: ${page.url()}`);
      assert.equal(authorize.searchParams.get('clientId'), server.environmentId, `clientId in ${page.url()}`);
      await shot(t, 'signup-page');

      await submitHosted(
        {
          firstName: person.firstName,
          lastName: person.lastName,
          tenantName: person.tenantName,
          email: person.email,
          password: person.password,
        },
        'Create account',
      );
      home = await expectAppHome('"Create account"');
      await shot(t, 'home-after-signup');
      assert.equal(home.status, 'authenticated', `the home page after sign-up\n${await describePage(page)}`);
      assert.equal(home.email, person.email, `the home page shows the email\n${await describePage(page)}`);
      assert.ok(
        home.roles.split(',').includes('owner'),
        `expected the home page to show the role "owner", it shows roles "${home.roles}"\n${await describePage(page)}`,
      );
      assert.ok(home.tenantId, `expected the home page to show a tenant id, it shows none\n${await describePage(page)}`);

      const body = await expectSession('authenticated', 'after sign-up');
      assert.equal(
        home.cookieToken,
        body.session.roqAccessToken,
        "@roq/client's BrowserCookieAuth reads the session's access token out of the session cookie",
      );
      assertSessionUser(body, 'after sign-up');
      seen.userId = body.session.roqUserId;
      seen.tenantId = body.session.user.tenantId;
      seen.accessToken = body.session.roqAccessToken;
      assert.equal(home.tenantId, seen.tenantId, 'the page and /api/auth/session agree on the tenant');
    });

    step('c. the new user and its tenant are on the BaaS', async () => {
      const user = await baasRow('user', seen.userId);
      assert.equal(user.email, person.email, `the BaaS user row's email (row: ${JSON.stringify(user)})`);
      assert.equal(user.tenant_id, seen.tenantId, `the BaaS user row's tenant_id (row: ${JSON.stringify(user)})`);
      assert.equal(user.first_name, person.firstName, `the BaaS user row's first_name (row: ${JSON.stringify(user)})`);
      assert.equal(user.last_name, person.lastName, `the BaaS user row's last_name (row: ${JSON.stringify(user)})`);
      const tenant = await baasRow('tenant', seen.tenantId);
      assert.equal(tenant.id, seen.tenantId);
      assert.equal(tenant.name, person.tenantName, `the BaaS tenant row's name (row: ${JSON.stringify(tenant)})`);
    });

    step('d. log out, then log in again on the hosted log-in page', async (t) => {
      await follow('#logout');
      let home = await expectAppHome('logging out');
      assert.equal(home.status, 'unauthenticated', `the home page after logging out\n${await describePage(page)}`);
      await expectSession('unauthenticated', 'after logging out');
      await shot(t, 'home-after-logout');

      await follow('#login');
      await expectHostedPage('log-in', ['email', 'password']);
      assert.equal(new URL(page.url()).searchParams.get('initialScreen'), 'login', `the log-in link asks for the log-in screen: ${page.url()}`);
      await shot(t, 'login-page');
      await submitHosted({ email: person.email, password: person.password }, 'Log in');
      home = await expectAppHome('"Log in"');
      await shot(t, 'home-after-login');
      assert.equal(home.status, 'authenticated', `the home page after logging in\n${await describePage(page)}`);
      const body = await expectSession('authenticated', 'after logging in again');
      assertSessionUser(body, 'after logging in again');
      assert.equal(body.session.roqUserId, seen.userId, 'the same user logs in again');
      assert.equal(body.session.user.tenantId, seen.tenantId, 'in the same tenant');
      seen.accessToken = body.session.roqAccessToken;
    });

    step('d2. log in from an app on another site (the SameSite=Strict session cookie after a cross-site redirect chain)', async (t) => {
      await page.goto(`${otherApp.url}/`, { waitUntil: 'load' });
      let home = await expectAppHome('opening the app on another site', otherApp.url);
      assert.equal(home.status, 'unauthenticated', `no session yet on ${otherApp.url}\n${await describePage(page)}`);
      await follow('#login');
      await expectHostedPage('log-in', ['email', 'password']);
      await submitHosted({ email: person.email, password: person.password }, 'Log in');
      // The session cookie is set on a response to a navigation Tandem's site started, and the
      // redirect to the home page belongs to that navigation: the browser does not send the
      // SameSite=Strict cookie with it, but does with the page's own same-origin fetch.
      home = await expectAppHome('"Log in" from another site', otherApp.url);
      await shot(t, 'home-after-login-from-another-site');
      assert.equal(home.status, 'authenticated', `the home page on ${otherApp.url} after logging in\n${await describePage(page)}`);
      const body = await expectSession('authenticated', `on ${otherApp.url} after logging in`);
      assertSessionUser(body, `on ${otherApp.url} after logging in`);
      assert.equal(body.session.roqUserId, seen.userId, 'the same user');

      // Back to the first app, whose session is still there.
      await page.goto(`${app.url}/`, { waitUntil: 'load' });
      home = await expectAppHome('going back to the first app');
      assert.equal(home.status, 'authenticated', `the first app's session outlives the other app's log-in\n${await describePage(page)}`);
      const first = await expectSession('authenticated', 'back on the first app');
      seen.accessToken = first.session.roqAccessToken;
    });

    step('e. refetch-session twice in a row: new access tokens from the same refresh token', async () => {
      for (const round of [1, 2]) {
        // Tokens carry iat/exp in whole seconds: let the clock move so a new token can differ.
        await sleep(1100);
        const res = await appFetch('POST', '/api/auth/refetch-session');
        assert.ok(
          res.status === 200 && res.json?.status === 'authenticated',
          `expected POST /api/auth/refetch-session #${round} to answer 200 {status: "authenticated"} ` +
            `(it answers {success:false} when POST /v01/authorize/refreshToken refuses), got ${res.status} ${res.text.slice(0, 500)}`,
        );
        assertSessionUser(res.json, `after refetch-session #${round}`);
        assert.equal(res.json.session.roqUserId, seen.userId, `the same user after refetch-session #${round}`);
        assert.notEqual(
          res.json.session.roqAccessToken,
          seen.accessToken,
          `refetch-session #${round} should bring a new access token, got the previous one again`,
        );
        seen.accessToken = res.json.session.roqAccessToken;
        const now = await expectSession('authenticated', `after refetch-session #${round}`);
        assert.equal(now.session.roqAccessToken, seen.accessToken, `the session cookie holds the new access token after #${round}`);
      }
    });

    step('e2. setup: "owner" may read its tenant\'s users; a colleague joins the tenant, a stranger another tenant', async () => {
      const res = await admin.graphqlRequest(
        `mutation($roleId: ID!, $p: ProjectPermissionsDto!) {
          updateProjectPermissions(roleId: $roleId, projectPermissions: $p) { id key } }`,
        {
          roleId: seen.ownerRoleId,
          p: { projectEntityId: 'user', permissionAssignments: [{ operation: 'read', scope: 'tenant' }], projectEntityPaths: [] },
        },
      );
      assert.equal(res?.data?.updateProjectPermissions?.key, 'owner', `updateProjectPermissions answered ${JSON.stringify(res)}`);
      const other = await admin.graphqlRequest('mutation($t: TenantCreateDto!) { createTenant(tenant: $t) { id } }', {
        t: { name: `Bletchley ${s}` },
      });
      assert.ok(other?.data?.createTenant?.id, `createTenant answered ${JSON.stringify(other)}`);
      for (const [who, tenantId] of [
        [colleague, seen.tenantId],
        [stranger, other.data.createTenant.id],
      ]) {
        const created = await admin.createUser({ user: { reference: crypto.randomUUID(), ...who, tenantId, roles: ['owner'] } });
        assert.ok(created?.createUser?.id, `createUser(${who.email}) answered ${JSON.stringify(created)}`);
        who.id = created.createUser.id;
        await baasRow('user', who.id);
      }
    });

    step('e3. the ZenStack hooks page lists the tenant\'s users, as the logged-in user, with no API key in the page', async (t) => {
      // Everything the browser sends to the BaaS, and everything the app serves it.
      const baasRequests = [];
      const appBodies = [];
      const onRequest = (req) => {
        // (CORS preflights carry no credentials by design: only the requests themselves count.)
        if (req.url().startsWith(`${server.baasHost}/api/model/`) && req.method() !== 'OPTIONS') {
          baasRequests.push({ url: req.url(), method: req.method(), authorization: req.headers().authorization ?? null });
        }
      };
      const onResponse = async (res) => {
        if (res.url().startsWith(app.url) && res.request().method() === 'GET') {
          try {
            appBodies.push({ url: res.url(), text: await res.text() });
          } catch {
            /* redirects have no body */
          }
        }
      };
      page.on('request', onRequest);
      page.on('response', onResponse);
      try {
        await page.goto(`${app.url}/`, { waitUntil: 'load' });
        await expectAppHome('opening the app');
        await follow('#team');
        const members = await teamMembers('opening the team page');
        await shot(t, 'team-page');
        assert.deepEqual(
          members.map((m) => m.email),
          [person.email, colleague.email].sort(),
          `the team page lists the user and the colleague (their tenant), never the stranger of another tenant\n${await describePage(page)}`,
        );
      } finally {
        page.off('request', onRequest);
        page.off('response', onResponse);
      }
      assert.ok(baasRequests.length > 0, 'the hooks called the BaaS from the browser');
      for (const r of baasRequests) {
        assert.match(
          r.authorization ?? '',
          /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/,
          `every BaaS request from the page carries the user's access token, not a key: ${r.method} ${r.url} had ${r.authorization}`,
        );
      }
      assert.ok(appBodies.some((b) => /\.js(\?|$)/.test(b.url)), `the page's scripts were seen: ${appBodies.map((b) => b.url).join(', ')}`);
      for (const b of appBodies) {
        assert.ok(!b.text.includes(server.apiKey), `the API key must never reach the browser, but ${b.url} contains it`);
      }
    });

    step('e4. the user renames themself through the hook: the list shows it, the Platform has it, the next ID token says it', async (t) => {
      const newFirstName = `Augusta ${s}`;
      await page.type('#first-name', newFirstName);
      const [button] = await page.$$('xpath/.//button[normalize-space(.)="Save name"]');
      assert.ok(button, `expected a "Save name" button\n${await describePage(page)}`);
      await button.click();
      try {
        await page.waitForFunction(
          () => ['success', 'error'].includes(document.querySelector('[data-testid="save-status"]')?.textContent),
          { timeout: 15_000 },
        );
      } catch {
        assert.fail(`the update never finished\n${await describePage(page)}`);
      }
      const saved = await page.evaluate(() => ({
        status: document.querySelector('[data-testid="save-status"]')?.textContent,
        error: document.querySelector('[data-testid="save-error"]')?.textContent ?? null,
      }));
      assert.equal(saved.status, 'success', `useUpdate() on the user's own row: ${saved.error}\n${await describePage(page)}`);
      // The hooks invalidate the user queries after the mutation: the list refetches.
      try {
        await page.waitForFunction(
          (id, name) => document.querySelector(`[data-testid="member"][data-id="${id}"]`)?.dataset.firstName === name,
          { timeout: 15_000 },
          seen.userId,
          newFirstName,
        );
      } catch {
        assert.fail(`the list never showed the new name ${newFirstName}\n${await describePage(page)}`);
      }
      await shot(t, 'team-page-after-rename');

      // BaaS → Platform: the profile change flows back.
      const deadline = Date.now() + BAAS_SYNC_TIMEOUT_MS;
      let profile;
      for (;;) {
        profile = await admin.userProfile({ id: seen.userId });
        if (profile?.user?.firstName === newFirstName) break;
        if (Date.now() > deadline) {
          assert.fail(`the Platform user never got firstName ${newFirstName}; it has ${JSON.stringify(profile?.user)}`);
        }
        await sleep(100);
      }
      // From now on the ID token (and so the app's session) carries the new name.
      person.firstName = newFirstName;
      await page.goto(`${app.url}/`, { waitUntil: 'load' });
      await expectAppHome('going back from the team page');
    });

    step('f. change the password through the app: the old one is refused, the new one works', async (t) => {
      const wrong = await appFetch('POST', '/api/change-password', {
        currentPassword: `not-the-password-${s}`,
        newPassword,
      });
      assert.equal(
        wrong.json?.success,
        false,
        `a password change with a wrong current password must fail, got ${wrong.status} ${wrong.text.slice(0, 500)}`,
      );

      const res = await appFetch('POST', '/api/change-password', { currentPassword: person.password, newPassword });
      assert.ok(
        res.status === 200 && res.json?.success === true,
        `expected POST /api/change-password to answer 200 {success: true}, got ${res.status} ${res.text.slice(0, 500)}`,
      );

      const refetch = await appFetch('POST', '/api/auth/refetch-session');
      assert.equal(
        refetch.json?.success,
        false,
        'after a password change the refresh token is refused, so refetch-session answers {success:false}; ' +
          `got ${refetch.status} ${refetch.text.slice(0, 500)}`,
      );

      await follow('#logout');
      const home = await expectAppHome('logging out');
      assert.equal(home.status, 'unauthenticated', `the home page after logging out\n${await describePage(page)}`);

      await follow('#login');
      await expectHostedPage('log-in', ['email', 'password']);
      await submitHosted({ email: person.email, password: person.password }, 'Log in');
      const message = await expectHostedRefusal('logging in with the old password');
      t.diagnostic(`refusal shown: ${message}`);
      await shot(t, 'login-error-old-password');

      // Retyped on the page that showed the error, the way a person would.
      await expectHostedPage('log-in (after an error)', ['email', 'password']);
      await submitHosted({ email: person.email, password: newPassword }, 'Log in');
      const back = await expectAppHome('"Log in" with the new password');
      await shot(t, 'home-after-new-password');
      assert.equal(back.status, 'authenticated', `the home page after logging in with the new password\n${await describePage(page)}`);
      const body = await expectSession('authenticated', 'after logging in with the new password');
      assertSessionUser(body, 'after logging in with the new password');
      assert.equal(body.session.roqUserId, seen.userId, 'the same user');
    });

    step('g. a deactivated user can neither refresh nor log in', async (t) => {
      const res = await admin.updateUser({ id: seen.userId, user: { active: false } });
      assert.equal(res?.updateUser?.active, false, `updateUser({active:false}) answered ${JSON.stringify(res)}`);

      const refetch = await appFetch('POST', '/api/auth/refetch-session');
      assert.equal(
        refetch.json?.success,
        false,
        "a deactivated user's refresh token is refused, so refetch-session answers {success:false}; " +
          `got ${refetch.status} ${refetch.text.slice(0, 500)}`,
      );

      await follow('#logout');
      await expectAppHome('logging out');
      await follow('#login');
      await expectHostedPage('log-in', ['email', 'password']);
      await submitHosted({ email: person.email, password: newPassword }, 'Log in');
      const message = await expectHostedRefusal('logging in as a deactivated user');
      t.diagnostic(`refusal shown: ${message}`);
      await shot(t, 'login-refused-deactivated');
    });
  });
}
