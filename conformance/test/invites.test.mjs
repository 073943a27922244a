// Invitations, end to end: the admin invites people with @roq/nodejs@1.0.20's own
// `sendUserInvites` (sendUserInvitesV2 on the wire); Tandem mails the link through a real SMTP
// server (aiosmtpd, lib/smtp.mjs); headless Chromium opens the link from the mail and accepts;
// the user exists on the Platform with the invited tenant and roles, and on the BaaS; the link
// works once; a canceled, an expired and a replaced (resent) invitation each get a page that
// says so. Per backend, all-in-one.
//
// Needs Chromium (see lib/browser.mjs) and aiosmtpd (scripts/test installs it into
// conformance/.venv). Screenshots go to ../artifacts/invites/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Database from 'better-sqlite3';
import { Platform } from '@roq/nodejs';

import { BACKENDS, PG_ADMIN_URL, basicAuth, pgUrlFor, psql, startTandem } from '../lib/tandem.mjs';
import { describePage, journey, launchBrowser, submitForm, watchConsole } from '../lib/browser.mjs';
import { firstLink, startSmtpSink } from '../lib/smtp.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = path.resolve(HERE, '..', 'artifacts', 'invites');
const BAAS_SYNC_TIMEOUT_MS = 15_000;
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
  describe(`invitations by mail through a real SMTP server, accepted in a browser (${backend})`, () => {
    let smtp;
    let server;
    let platform;
    let context;
    let page;
    const s = crypto.randomUUID().slice(0, 8);
    const seen = {};
    const admin = () => platform.asSuperAdmin();
    const { step, shot, failed } = journey({ it, artifacts: ARTIFACTS, prefix: backend, page: () => page });

    async function gql(query, variables) {
      const res = await admin().graphqlRequest(query, variables);
      assert.ok(res && res.data, `graphqlRequest returned no data: ${JSON.stringify(res)}`);
      return res.data;
    }

    /** Invites one address; returns the invite. */
    async function invite(email, firstName) {
      const res = await admin().sendUserInvites({
        data: {
          tenantId: seen.tenantId,
          userInvites: [{ email, firstName, roles: ['member'], createdByUserId: seen.inviterId }],
        },
      });
      const sent = res.sendUserInvitesV2;
      assert.deepEqual(sent.errors, [], `inviting ${email} failed: ${JSON.stringify(sent.errors)}`);
      assert.equal(sent.success.length, 1);
      return sent.success[0];
    }

    /** Opens a link in the browser; returns the HTTP status of the page. */
    async function open(link) {
      const response = await page.goto(link, { waitUntil: 'load' });
      return response.status();
    }

    async function bodyText() {
      return (await page.evaluate(() => document.body.innerText)).replace(/\s+/g, ' ');
    }

    /** Moves an invitation's expiry into the past, as if its lifetime had passed. */
    async function expire(id) {
      const past = Date.now() - 60_000;
      if (backend === 'postgres') {
        await psql(
          pgUrlFor(PG_ADMIN_URL, server.databaseName),
          `UPDATE user_invites SET expires_at = ${past} WHERE id = '${id}'`,
        );
      } else {
        const db = new Database(path.join(server.dataDir, 'platform.db'));
        try {
          db.pragma('busy_timeout = 5000');
          db.prepare('UPDATE user_invites SET expires_at = ? WHERE id = ?').run(past, id);
        } finally {
          db.close();
        }
      }
    }

    before(async () => {
      smtp = await startSmtpSink();
      server = await startTandem({
        backend,
        env: { TANDEM_SMTP_URL: smtp.url, TANDEM_MAIL_FROM: `Acme ${s} <no-reply@acme.test>` },
      });
      platform = new Platform({ environmentId: server.environmentId, apiKey: server.apiKey, host: server.host });
      context = await browser.createBrowserContext();
      page = await context.newPage();
      watchConsole(page);
      await page.setViewport({ width: 1280, height: 900 });
    });

    after(async () => {
      if (failed() && server) console.log(`tandem logs (${backend}):\n${server.logs()}`);
      if (context) await context.close();
      if (server) await server.stop();
      if (smtp) await smtp.stop();
    });

    step('i1: sendUserInvites for three emails: one is sent, the invalid one and the existing user come back as errors', async () => {
      const { createTenant } = await gql('mutation($t: TenantCreateDto!) { createTenant(tenant: $t) { id name } }', {
        t: { name: `Acme ${s}` },
      });
      seen.tenantId = createTenant.id;
      await gql(
        'mutation($r: RoleCreateDto!) { createRole(role: $r) { id } }',
        { r: { key: 'member', name: 'Member', isSystemManaged: false, permissionAssignments: [] } },
      );
      const inviter = (
        await admin().createUser({
          user: { email: `ann.${s}@example.com`, reference: `ann-${s}`, firstName: 'Ann', lastName: 'Admin', tenantId: seen.tenantId },
        })
      ).createUser;
      seen.inviterId = inviter.id;
      seen.email = `nia.${s}@example.com`;

      const res = await admin().sendUserInvites({
        data: {
          tenantId: seen.tenantId,
          userInvites: [
            { email: seen.email, firstName: 'Nia', lastName: 'Newcomer', roles: ['member'], createdByUserId: inviter.id },
            { email: 'not-an-email', firstName: 'Bad', createdByUserId: inviter.id },
            { email: inviter.email, firstName: 'Ann', createdByUserId: inviter.id },
          ],
        },
      });
      const { success, errors } = res.sendUserInvitesV2;
      assert.equal(success.length, 1, JSON.stringify(res));
      assert.equal(success[0].email, seen.email);
      assert.equal(success[0].status, 'pending');
      assert.equal(success[0].tenantId, seen.tenantId);
      assert.deepEqual(success[0].roleKeys, ['member']);
      assert.equal(success[0].createdByUserId, inviter.id);
      seen.inviteId = success[0].id;
      const codes = Object.fromEntries(errors.map((e) => [e.email, e.error]));
      assert.deepEqual(codes, { 'not-an-email': 'INVALID_EMAIL', [inviter.email]: 'USER_EMAIL_ALREADY_EXISTS' });
    });

    step('i2: the invitation arrives at the SMTP server, from the configured sender, with a link', async () => {
      const mail = await smtp.waitFor((m) => m.to.includes(seen.email), `to ${seen.email}`);
      assert.match(mail.subject, new RegExp(`Ann Admin invited you to Acme ${s}`));
      assert.equal(mail.from, 'no-reply@acme.test');
      assert.match(mail.messageId, /^<[0-9a-f-]+@tandem>$/);
      assert.match(mail.html, /Accept the invitation/);
      seen.link = firstLink(mail.text);
      assert.ok(seen.link.startsWith(`${server.host}/authorize/invite?token=`), seen.link);
      // Only the one valid invitation was mailed.
      assert.equal(smtp.messages.length, 1, JSON.stringify(smtp.messages.map((m) => m.to)));
    });

    step('i3: the link from the mail opens the accept page in the browser, naming the inviter and the tenant', async (t) => {
      assert.equal(await open(seen.link), 200, await describePage(page));
      const text = await bodyText();
      assert.match(text, new RegExp(`Join Acme ${s}`));
      assert.match(text, /Ann Admin invited you/);
      assert.match(text, new RegExp(`log in as ${seen.email.replace('.', '\\.')}`));
      // The invitation's names are filled in.
      assert.equal(await page.$eval('input[name="firstName"]', (el) => el.value), 'Nia');
      await shot(t, 'accept-page');
    });

    step('i4: a password the policy refuses is shown next to the field; then accepting creates the account', async (t) => {
      await submitForm(page, { password: 'short' }, 'Accept invitation');
      assert.match(await bodyText(), /password/i);
      assert.ok(await page.$('[aria-invalid="true"][name="password"]'), await describePage(page));
      await shot(t, 'accept-error');
      seen.password = `Invited-Secret-${s}`;
      await submitForm(page, { firstName: 'Nia', lastName: 'Newcomer', password: seen.password }, 'Accept invitation');
      assert.match(await bodyText(), /Welcome aboard/, await describePage(page));
      await shot(t, 'accepted');
    });

    step('i5: the user exists on the Platform in the invited tenant with the invited roles, and the password works', async () => {
      const { users } = await gql(
        'query($f: UserFilterArgType) { users(filter: $f) { data { id email firstName lastName tenantId roles { data { key } } } } }',
        { f: { email: { equalTo: seen.email } } },
      );
      assert.equal(users.data.length, 1, JSON.stringify(users));
      const user = users.data[0];
      assert.equal(user.tenantId, seen.tenantId);
      assert.deepEqual(user.roles.data.map((r) => r.key), ['member']);
      assert.equal(user.lastName, 'Newcomer');
      seen.userId = user.id;
      const { verifyPassword } = await gql('mutation($u: ID!, $p: String!) { verifyPassword(userId: $u, password: $p) }', {
        u: user.id,
        p: seen.password,
      });
      assert.equal(verifyPassword, true);
      const { userInvite } = await admin().userInvite({ id: seen.inviteId });
      assert.equal(userInvite.status, 'accepted');
      assert.equal(userInvite.acceptedByUserId, user.id);
    });

    step('i6: the user reaches the BaaS (sync)', async (t) => {
      const q = encodeURIComponent(JSON.stringify({ where: { id: seen.userId } }));
      const started = Date.now();
      for (;;) {
        const res = await fetch(`${server.baasHost}/api/model/user/findUnique?q=${q}`, {
          headers: { authorization: basicAuth(server) },
        });
        const body = await res.json();
        if (res.status === 200 && body.data) {
          assert.equal(body.data.email, seen.email);
          assert.equal(body.data.tenant_id, seen.tenantId);
          t.diagnostic(`on the BaaS ${Date.now() - started} ms after the Platform answered`);
          break;
        }
        assert.ok(Date.now() - started < BAAS_SYNC_TIMEOUT_MS, `not on the BaaS: ${JSON.stringify(body)}`);
        await sleep(20);
      }
    });

    step('i7: the link works once: the page says it was accepted, and accepting it through the API is refused', async (t) => {
      assert.equal(await open(seen.link), 200);
      assert.match(await bodyText(), /already accepted/);
      await shot(t, 'link-used');
      const token = new URL(seen.link).searchParams.get('token');
      await assert.rejects(
        admin().acceptUserInvite({ data: { token } }),
        (err) => /already accepted/.test(err.message) || /USER_INVITE_CLOSED/.test(JSON.stringify(err)),
      );
    });

    step('i8: a canceled invitation\'s link shows a clear "canceled" page', async (t) => {
      const email = `carl.${s}@example.com`;
      const inv = await invite(email, 'Carl');
      const mail = await smtp.waitFor((m) => m.to.includes(email), `to ${email}`);
      const { cancelUserInvite } = await admin().cancelUserInvite({ userInviteId: inv.id });
      assert.equal(cancelUserInvite.status, 'canceled');
      assert.equal(await open(firstLink(mail.text)), 410);
      assert.match(await bodyText(), /This invitation was canceled/);
      await shot(t, 'canceled');
    });

    step('i9: an expired invitation\'s link shows "expired"', async (t) => {
      const email = `eve.${s}@example.com`;
      const inv = await invite(email, 'Eve');
      const mail = await smtp.waitFor((m) => m.to.includes(email), `to ${email}`);
      await expire(inv.id);
      assert.equal(await open(firstLink(mail.text)), 410);
      assert.match(await bodyText(), /This invitation has expired/);
      await shot(t, 'expired');
      const { userInvite } = await admin().userInvite({ id: inv.id });
      assert.equal(userInvite.status, 'expired');
    });

    step('i10: resending mails a new link and the old one stops working', async (t) => {
      const email = `rey.${s}@example.com`;
      const inv = await invite(email, 'Rey');
      const first = await smtp.waitFor((m) => m.to.includes(email), `to ${email}`);
      const { resendUserInvite } = await admin().resendUserInvite({ userInviteId: inv.id });
      assert.notEqual(resendUserInvite.userTokenId, inv.userTokenId);
      const second = await smtp.waitFor(
        (m) => m.to.includes(email) && firstLink(m.text) !== firstLink(first.text),
        `with a new link to ${email}`,
      );
      assert.equal(await open(firstLink(first.text)), 404);
      assert.match(await bodyText(), /This invitation link is not valid/);
      await shot(t, 'replaced');
      assert.equal(await open(firstLink(second.text)), 200);
      assert.match(await bodyText(), /Accept invitation/);
    });

    step('i11: userInvites lists every invitation with its status; a second pending invite to an address is refused', async () => {
      const { userInvites } = await admin().userInvites({ filter: { tenantId: { equalTo: seen.tenantId } }, limit: 50 });
      const statuses = Object.fromEntries(userInvites.data.map((i) => [i.email.split('.')[0], i.status]));
      assert.deepEqual(statuses, { nia: 'accepted', carl: 'canceled', eve: 'expired', rey: 'pending' });
      assert.equal(userInvites.totalCount, 4);
      const res = await admin().sendUserInvites({
        data: { tenantId: seen.tenantId, userInvites: [{ email: `rey.${s}@example.com`, createdByUserId: seen.inviterId }] },
      });
      assert.deepEqual(res.sendUserInvitesV2.errors.map((e) => e.error), ['USER_INVITE_PENDING']);
    });
  });
}
