// Auth.js (next-auth v4) as a second judge of Tandem's OpenID Connect: the Next.js test app
// (../nextjs-app, the same app hosted-auth.test.mjs drives) configures next-auth with Tandem as a
// generic OIDC provider (discovery, authorization code with PKCE + state + nonce, the API key as
// client secret, the profile from the RS256-signed ID token (no algorithm configured), verified against the JWKS by
// next-auth's openid-client v5). Headless Chromium opens /nextauth, signs in with Tandem, logs
// in on Tandem's hosted page and comes back authenticated; then signs out.
//
// Needs Chromium (lib/browser.mjs). The app is installed and built on the first run, and again
// only when its sources change (lib/nextjs-app.mjs). Screenshots go to ../artifacts/authjs/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Platform } from '@roq/nodejs';

import { BACKENDS, freePort, startTandem } from '../lib/tandem.mjs';
import { buildNextApp, startNextApp } from '../lib/nextjs-app.mjs';
import { describePage, journey, launchBrowser, submitForm, watchConsole } from '../lib/browser.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = path.resolve(HERE, '..', 'artifacts', 'authjs');

let browser;

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  const built = await buildNextApp();
  console.log(`nextjs-app (npm ci / next build): ${built}`);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
});

for (const backend of BACKENDS) {
  describe(`Auth.js (next-auth v4) with Tandem as its OpenID Connect provider (${backend})`, () => {
    let server;
    let app;
    let context;
    let page;
    const authorizeRequests = []; // every request the browser sends to Tandem's /oauth/authorize

    const s = crypto.randomUUID().slice(0, 8);
    const person = {
      firstName: 'Grace',
      lastName: `Hopper ${s}`,
      email: `grace.${s}@example.com`,
      password: `authjs-Secret-${s}-1`,
    };

    const { step, shot, failed } = journey({ it, artifacts: ARTIFACTS, prefix: backend, page: () => page });

    /** Asserts the browser is on the app's /nextauth page; returns what it shows. */
    async function expectNextAuthPage(after) {
      const here = new URL(page.url());
      assert.ok(
        here.origin === app.url && here.pathname === '/nextauth',
        `expected the browser on ${app.url}/nextauth after ${after}, it is elsewhere\n${await describePage(page)}`,
      );
      const status = await page.$('[data-testid="nextauth-status"]');
      assert.ok(status, `expected the /nextauth page to show its status (data-testid="nextauth-status") after ${after}\n${await describePage(page)}`);
      return page.evaluate(() => {
        const text = (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null;
        return { status: text('nextauth-status'), email: text('nextauth-email'), name: text('nextauth-name'), error: text('nextauth-error') };
      });
    }

    /** Clicks a button on the page and waits until the browser has landed (after every redirect) on a page that matches. */
    async function clickAndLand(selector, landed, what) {
      const button = await page.$(selector);
      assert.ok(button, `expected a button ${selector} on the page\n${await describePage(page)}`);
      await button.click();
      try {
        await page.waitForFunction(landed, { timeout: 20_000, polling: 100 });
      } catch {
        assert.fail(`${what}: the browser never got there\n${await describePage(page)}`);
      }
      await page.waitForNetworkIdle({ idleTime: 200, timeout: 10_000 }).catch(() => {});
    }

    /** GET /api/nextauth/session from the page (next-auth's own session endpoint). */
    async function nextAuthSession() {
      const res = await page.evaluate(async () => {
        const r = await fetch('/api/nextauth/session', { cache: 'no-store' });
        return { status: r.status, text: await r.text() };
      });
      let json = null;
      try {
        json = JSON.parse(res.text);
      } catch {
        /* reported by the callers' assertions */
      }
      return { ...res, json };
    }

    before(async () => {
      server = await startTandem({ backend });
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const served = await startNextApp({
        port,
        env: {
          TANDEM_URL: server.host,
          TANDEM_CLIENT_ID: server.environmentId,
          TANDEM_CLIENT_SECRET: server.apiKey,
          NEXTAUTH_URL: `${url}/api/nextauth`,
          NEXTAUTH_SECRET: crypto.randomBytes(32).toString('base64url'),
        },
      });
      app = { ...served, url };
      context = await browser.createBrowserContext();
      page = await context.newPage();
      watchConsole(page);
      page.setDefaultTimeout(30_000);
      page.on('request', (req) => {
        if (req.url().startsWith(`${server.host}/oauth/authorize`)) authorizeRequests.push(new URL(req.url()));
      });
    });

    after(async () => {
      if (failed()) {
        const tail = (text) => (text.length > 6000 ? `…${text.slice(-6000)}` : text);
        if (app) console.error(tail(app.logs()));
        if (server) console.error(tail(`--- tandem output ---\n${server.logs()}`));
      }
      if (context) await context.close();
      if (app) await app.stop();
      if (server) await server.stop();
    });

    step('a. setup: a user with a password, and the app registered as a redirect target', async () => {
      const admin = new Platform({ host: server.host, environmentId: server.environmentId, apiKey: server.apiKey }).asSuperAdmin();
      const created = await admin.createUser({
        user: {
          email: person.email,
          password: person.password,
          reference: crypto.randomUUID(),
          firstName: person.firstName,
          lastName: person.lastName,
        },
      });
      assert.equal(created?.createUser?.email, person.email, `createUser answered ${JSON.stringify(created)}`);
      // next-auth's callback, registered exactly (Tandem also accepts a bare origin for every
      // path on it; the exact URI is what an OIDC provider is usually given).
      const callback = `${app.url}/api/nextauth/callback/tandem`;
      const res = await admin.graphqlRequest(
        `mutation { updateAuthSettings(data: {redirectUris: ${JSON.stringify([callback])}}) { redirectUris } }`,
      );
      assert.deepEqual(
        res?.data?.updateAuthSettings,
        { redirectUris: [callback] },
        `expected updateAuthSettings to answer {redirectUris: ["${callback}"]}, it answered ${JSON.stringify(res)}`,
      );
    });

    step('b. /nextauth: a new visitor has no session', async (t) => {
      await page.goto(`${app.url}/nextauth`, { waitUntil: 'load' });
      const shown = await expectNextAuthPage('opening it');
      await shot(t, 'nextauth-signed-out');
      assert.equal(shown.status, 'unauthenticated', `expected status "unauthenticated", seen ${JSON.stringify(shown)}\n${await describePage(page)}`);
      const session = await nextAuthSession();
      assert.ok(
        session.status === 200 && session.json && Object.keys(session.json).length === 0,
        `expected GET /api/nextauth/session to answer 200 {}, seen ${session.status} ${session.text.slice(0, 300)}`,
      );
    });

    step("c. signIn('tandem') sends the browser to Tandem's hosted log-in page with PKCE, state and nonce", async (t) => {
      // The hosted log-in page answers the authorization request itself (OIDC), at /oauth/authorize.
      await clickAndLand(
        '[data-testid="nextauth-signin"]',
        `location.origin === ${JSON.stringify(server.host)} && !!document.querySelector('input[name="email"]') && !!document.querySelector('input[name="password"]')`,
        `expected "Sign in with Tandem" to end on Tandem's hosted log-in page (${server.host}/…, inputs email and password)`,
      );
      await shot(t, 'tandem-login-page');
      assert.equal(authorizeRequests.length, 1, `expected one request to ${server.host}/oauth/authorize, seen ${authorizeRequests.length}`);
      const q = authorizeRequests[0].searchParams;
      const expected = {
        client_id: server.environmentId,
        response_type: 'code',
        redirect_uri: `${app.url}/api/nextauth/callback/tandem`,
        scope: 'openid profile email',
        code_challenge_method: 'S256',
      };
      for (const [name, value] of Object.entries(expected)) {
        assert.equal(q.get(name), value, `expected ${name}=${value} in next-auth's authorization request, seen ${authorizeRequests[0]}`);
      }
      for (const name of ['code_challenge', 'state', 'nonce']) {
        assert.ok(q.get(name), `expected a ${name} in next-auth's authorization request, seen ${authorizeRequests[0]}`);
      }
    });

    step('d. log in on the hosted page: back on /nextauth, authenticated with the email and name from the ID token', async (t) => {
      await submitForm(page, { email: person.email, password: person.password }, 'Log in');
      try {
        await page.waitForFunction(
          (origin) => location.origin === origin && location.pathname !== '/api/nextauth/callback/tandem',
          { timeout: 20_000, polling: 100 },
          app.url,
        );
      } catch {
        assert.fail(`expected "Log in" to bring the browser back to ${app.url}\n${await describePage(page)}`);
      }
      await shot(t, 'nextauth-signed-in');
      const shown = await expectNextAuthPage('"Log in" on the hosted page');
      assert.equal(
        shown.status,
        'authenticated',
        `expected status "authenticated", seen ${JSON.stringify(shown)} (next-auth reports its errors as ?error=… in the URL)\n${await describePage(page)}`,
      );
      assert.equal(shown.email, person.email, `expected the email ${person.email} on the page, seen ${JSON.stringify(shown.email)}`);
      const name = `${person.firstName} ${person.lastName}`;
      assert.equal(shown.name, name, `expected the name "${name}" on the page, seen ${JSON.stringify(shown.name)}`);

      const session = await nextAuthSession();
      assert.ok(
        session.status === 200 && session.json?.user?.email === person.email,
        `expected GET /api/nextauth/session to answer 200 with user.email ${person.email}, seen ${session.status} ${session.text.slice(0, 300)}`,
      );
      assert.equal(authorizeRequests.length, 1, `expected still one authorization request, seen ${authorizeRequests.length}`);
    });

    step('e. signOut(): back on /nextauth without a session', async (t) => {
      await clickAndLand(
        '[data-testid="nextauth-signout"]',
        `location.pathname === '/nextauth' && document.querySelector('[data-testid="nextauth-status"]')?.textContent === 'unauthenticated'`,
        'expected "Sign out" to end on /nextauth with status "unauthenticated"',
      );
      const shown = await expectNextAuthPage('"Sign out"');
      await shot(t, 'nextauth-signed-out-again');
      assert.equal(shown.status, 'unauthenticated', `expected status "unauthenticated", seen ${JSON.stringify(shown)}`);
      const session = await nextAuthSession();
      assert.ok(
        session.status === 200 && session.json && Object.keys(session.json).length === 0,
        `expected GET /api/nextauth/session to answer 200 {} after signing out, seen ${session.status} ${session.text.slice(0, 300)}`,
      );
    });
  });
}
