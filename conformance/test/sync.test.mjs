// The user-data story of DESIGN.md ("The user data rules") end to end, against a freshly started
// tandem binary with the BaaS in its own store, once per storage backend and per deployment:
// all-in-one (one process running both halves) and split (`--only platform` and `--only baas`,
// two processes with their own stores, syncing over HTTP) — same engine, same tests. The Platform
// is driven only through ROQ's published SDK (@roq/nodejs, `graphqlRequest` for tenants) at
// `server.host`; the BaaS only through plain `fetch` on its ZenStack RPC API at `server.baasHost`.
// Every step writes on one side, waits until `GET /sync/v1/status` has nothing pending (asked of
// both processes when split), and then reads the OTHER side:
//   1. createUser on the Platform → the same user (id, lower-cased email, profile, tenant,
//      active, created_at) on the BaaS;
//   2. updateUser of the names on the Platform → the BaaS row;
//   3. BaaS user.update of profile fields → the Platform's userProfile;
//   4. deactivate / reactivate on the Platform → the BaaS `active` flag;
//   5. createTenant / updateTenant on the Platform → the BaaS tenant row, and a BaaS
//      tenant.update of the name → the Platform's tenant query;
//   6. the BaaS refuses to create or delete users (and tenants) with 403 and a stable code,
//      and nothing changes on either side;
//   7. the BaaS refuses writes of Platform-owned fields (email, …) with 403
//      PLATFORM_FIELD_READ_ONLY, nothing changes, and updateUser on the Platform is the way.
// The steps share one server and build on each other, so they run in order.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import { Platform } from '@roq/nodejs';

import { BACKENDS, DEPLOYMENTS, basicAuth, startTandem, waitForSync } from '../lib/tandem.mjs';

const CREATE_TENANT = `mutation createTenant($t: TenantCreateDto!) {
  createTenant(tenant: $t) { id name isDefault createdAt }
}`;
const TENANT = `query tenant($id: ID!) { tenant(id: $id) { id name isDefault } }`;

/** A short random suffix that keeps emails and tenant names unique. */
const sfx = () => crypto.randomUUID().slice(0, 8);

const cases = BACKENDS.flatMap((backend) => DEPLOYMENTS.map((deployment) => ({ backend, deployment })));

for (const { backend, deployment } of cases) {
  describe(`user and tenant sync between the Platform and the BaaS (${backend}, ${deployment})`, () => {
    let server;
    let platform;
    let auth;

    // The story's state, filled in by the steps.
    let tenant; // the Platform's createTenant result the user lives in
    let user; // the Platform's createUser result
    let emailTyped; // the email as given to createUser (mixed case)

    before(async () => {
      server = await startTandem({ backend, deployment, separateBaasDb: true });
      platform = new Platform({ host: server.host, environmentId: server.environmentId, apiKey: server.apiKey });
      auth = basicAuth(server);
    });

    after(async () => {
      if (server) await server.stop();
    });

    const admin = () => platform.asSuperAdmin();
    /** The base URLs serving GET /sync/v1/status: one process all-in-one, both when split. */
    const statusHosts = () => [...new Set([server.host, server.baasHost])];

    /**
     * Until both sync directions have delivered everything, as every process reports it (split:
     * each process reports the direction it sends and asks its peer for the other); returns the
     * Platform process's status.
     */
    async function settle() {
      const [first, ...rest] = statusHosts();
      const status = await waitForSync(first, auth);
      for (const host of rest) await waitForSync(host, auth);
      return status;
    }

    // ---- Platform (SDK) -------------------------------------------------------------------

    async function gql(query, variables) {
      const res = await admin().graphqlRequest(query, variables);
      assert.ok(res && res.data, `graphqlRequest returned no data: ${JSON.stringify(res)}`);
      return res.data;
    }

    async function createTenant(name) {
      const { createTenant: created } = await gql(CREATE_TENANT, { t: { name } });
      assert.equal(created.name, name);
      assert.equal(created.isDefault, false);
      assert.equal(typeof created.id, 'string');
      return created;
    }

    const platformUser = async (id) => (await admin().userProfile({ id })).user;
    const platformTenant = async (id) => (await gql(TENANT, { id })).tenant;

    /** userProfiles' totalCount, deactivated users included (optionally within one tenant). */
    async function platformUserCount(tenantId) {
      const filter = { withDeactivated: { equalTo: true } };
      if (tenantId) filter.tenantId = { equalTo: tenantId };
      return (await admin().userProfiles({ filter })).users.totalCount;
    }

    /** The Platform users with this email, deactivated ones included. */
    async function platformIdsByEmail(email) {
      const res = await admin().userProfiles({
        filter: { email: { equalTo: email }, withDeactivated: { equalTo: true } },
      });
      return res.users.data.map((u) => u.id);
    }

    // ---- BaaS (fetch) ---------------------------------------------------------------------

    /**
     * One ZenStack RPC request: `args` go into `?q=` for GET and DELETE, into the JSON body
     * otherwise. Returns {status, body}.
     */
    async function rpc(method, model, op, args) {
      let url = `${server.baasHost}/api/model/${model}/${op}`;
      const init = { method, headers: { authorization: auth } };
      if (method === 'GET' || method === 'DELETE') {
        if (args !== undefined) url += `?q=${encodeURIComponent(JSON.stringify(args))}`;
      } else {
        init.headers['content-type'] = 'application/json';
        init.body = JSON.stringify(args);
      }
      const res = await fetch(url, init);
      const text = await res.text();
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        assert.fail(`${method} /api/model/${model}/${op}: ${res.status} with a non-JSON body: ${text}`);
      }
      return { status: res.status, body };
    }

    /** A request the BaaS must accept: 200 and `{data}`; returns `data`. */
    async function baas(method, model, op, args) {
      const { status, body } = await rpc(method, model, op, args);
      assert.equal(status, 200, `${method} ${model}.${op} ${JSON.stringify(args)}: ${JSON.stringify(body)}`);
      assert.ok('data' in body, `${model}.${op} answered without data: ${JSON.stringify(body)}`);
      return body.data;
    }

    /** A request the user rules refuse: 403, the stable `code`, a message, nothing else. */
    async function baasRefused(method, model, op, args, code) {
      const { status, body } = await rpc(method, model, op, args);
      const what = `${method} ${model}.${op} ${JSON.stringify(args)} → ${status} ${JSON.stringify(body)}`;
      assert.equal(status, 403, what);
      assert.ok(body.error, `an error body: ${what}`);
      assert.ok(!('data' in body), `no data next to the error: ${what}`);
      assert.equal(body.error.code, code, what);
      assert.equal(body.error.reason, 'rejected-by-policy', what);
      assert.equal(body.error.model, model, what);
      assert.equal(typeof body.error.message, 'string', what);
      assert.ok(body.error.message.length > 0, `the error has a message: ${what}`);
      return body.error;
    }

    const baasUser = (id) => baas('GET', 'user', 'findUnique', { where: { id } });
    const baasTenant = (id) => baas('GET', 'tenant', 'findUnique', { where: { id } });
    const baasUserCount = (where = {}) => baas('GET', 'user', 'count', { where });

    /** `delivered` per direction, from GET /sync/v1/status. */
    function deliveredOf(status) {
      const by = Object.fromEntries(status.directions.map((d) => [d.direction, d.delivered]));
      assert.equal(typeof by.platform_to_baas, 'number', `platform_to_baas in ${JSON.stringify(status)}`);
      assert.equal(typeof by.baas_to_platform, 'number', `baas_to_platform in ${JSON.stringify(status)}`);
      return by;
    }

    /** Everything steps 6 and 7 promise not to change, read from both sides. */
    async function snapshot() {
      return {
        platformUser: await platformUser(user.id),
        platformCountAll: await platformUserCount(),
        platformCountTenant: await platformUserCount(tenant.id),
        baasUser: await baasUser(user.id),
        baasCountAll: await baasUserCount(),
        baasCountTenant: await baasUserCount({ tenant_id: tenant.id }),
        baasTenant: await baasTenant(tenant.id),
        platformTenant: await platformTenant(tenant.id),
      };
    }

    /** Guards the later steps: they continue the story step 1 starts. */
    const storyUser = () => {
      assert.ok(user, 'step 1 did not create the user this step continues with');
      return user;
    };

    // ---- the story ------------------------------------------------------------------------

    it('1. createUser on the Platform creates the same user on the BaaS', async () => {
      const s = sfx();
      tenant = await createTenant(`Sync Co ${s}`);
      emailTyped = `Sync.User.${s}@Example.COM`;
      const before = deliveredOf(await settle());

      const { createUser: created } = await admin().createUser({
        user: {
          reference: crypto.randomUUID(),
          email: emailTyped,
          tenantId: tenant.id,
          firstName: 'Ada',
          lastName: 'Lovelace',
          locale: 'en-GB',
          timezone: 'Europe/London',
          avatarUrl: 'https://example.com/a.png',
        },
      });
      assert.equal(typeof created.id, 'string');
      assert.ok(created.id.length > 0);
      // The Platform stores emails lower-cased; the BaaS must carry that stored form.
      assert.equal(created.email, emailTyped.toLowerCase());
      assert.equal(created.tenantId, tenant.id);
      assert.equal(created.active, true);
      user = created;

      const after = deliveredOf(await settle());
      assert.ok(after.platform_to_baas > before.platform_to_baas, 'the creation was delivered to the BaaS');

      const rows = await baas('GET', 'user', 'findMany', { where: { tenant_id: tenant.id } });
      assert.equal(rows.length, 1, `one user in the new tenant on the BaaS: ${JSON.stringify(rows)}`);
      const { updated_at, ...row } = rows[0];
      assert.equal(typeof updated_at, 'string');
      assert.deepEqual(row, {
        id: created.id,
        email: created.email,
        first_name: 'Ada',
        last_name: 'Lovelace',
        locale: 'en-GB',
        timezone: 'Europe/London',
        avatar_url: 'https://example.com/a.png',
        tenant_id: tenant.id,
        active: true,
        created_at: created.createdAt,
      });
      // The user's tenant is on the BaaS too (the row its tenant_id points at).
      const t = await baasTenant(tenant.id);
      assert.equal(t?.name, tenant.name);
    });

    it('2. updateUser of the names on the Platform reaches the BaaS', async () => {
      const u = storyUser();
      const { updateUser: updated } = await admin().updateUser({
        id: u.id,
        user: { firstName: 'Grace', lastName: 'Hopper' },
      });
      assert.equal(updated.firstName, 'Grace');
      assert.equal(updated.lastName, 'Hopper');
      await settle();

      const row = await baasUser(u.id);
      assert.equal(row.first_name, 'Grace');
      assert.equal(row.last_name, 'Hopper');
      // Fields the update did not name are left as they were.
      assert.equal(row.email, u.email);
      assert.equal(row.locale, 'en-GB');
      assert.equal(row.timezone, 'Europe/London');
      assert.equal(row.avatar_url, 'https://example.com/a.png');
      assert.equal(row.active, true);
    });

    it('3. BaaS user.update of profile fields reaches the Platform', async () => {
      const u = storyUser();
      const before = deliveredOf(await settle());
      const written = await baas('PUT', 'user', 'update', {
        where: { id: u.id },
        data: { first_name: 'Katherine', last_name: 'Johnson', locale: 'fr-FR' },
      });
      assert.equal(written.id, u.id);
      assert.equal(written.first_name, 'Katherine');
      assert.equal(written.last_name, 'Johnson');
      assert.equal(written.locale, 'fr-FR');

      const after = deliveredOf(await settle());
      assert.ok(after.baas_to_platform > before.baas_to_platform, 'the update was delivered to the Platform');

      const profile = await platformUser(u.id);
      assert.equal(profile.firstName, 'Katherine');
      assert.equal(profile.lastName, 'Johnson');
      assert.equal(profile.locale, 'fr-FR');
      // Per-field sync: what the BaaS did not write stays as the Platform had it.
      assert.equal(profile.timezone, 'Europe/London');
      assert.equal(profile.avatarUrl, 'https://example.com/a.png');
      assert.equal(profile.email, u.email);
      assert.equal(profile.tenantId, tenant.id);
      assert.equal(profile.active, true);
      assert.equal(profile.reference, u.reference);
      // And the BaaS row is not overwritten by an echo of its own change.
      const row = await baasUser(u.id);
      assert.equal(row.first_name, 'Katherine');
      assert.equal(row.last_name, 'Johnson');
      assert.equal(row.locale, 'fr-FR');
    });

    it('4. deactivating and reactivating on the Platform flips `active` on the BaaS', async () => {
      const u = storyUser();
      const { updateUser: off } = await admin().updateUser({ id: u.id, user: { active: false } });
      assert.equal(off.active, false);
      await settle();
      const inactive = await baasUser(u.id);
      assert.equal(inactive?.active, false, `the BaaS row after deactivation: ${JSON.stringify(inactive)}`);
      // Deactivated, not deleted: the row and its profile are all still there.
      assert.equal(inactive.first_name, 'Katherine');
      assert.equal(await baasUserCount({ tenant_id: tenant.id }), 1);

      const { updateUser: on } = await admin().updateUser({ id: u.id, user: { active: true } });
      assert.equal(on.active, true);
      await settle();
      assert.equal((await baasUser(u.id)).active, true);
    });

    it('5. tenants: created and renamed on the Platform, renamed on the BaaS', async () => {
      const s = sfx();
      const created = await createTenant(`Second ${s}`);
      await settle();
      const row = await baasTenant(created.id);
      assert.ok(row, `tenant ${created.id} on the BaaS`);
      assert.equal(row.id, created.id);
      assert.equal(row.name, `Second ${s}`);
      assert.equal(row.created_at, created.createdAt);

      const { updateTenant: renamed } = await admin().updateTenant({
        id: created.id,
        tenant: { name: `Renamed on the Platform ${s}` },
      });
      assert.equal(renamed.name, `Renamed on the Platform ${s}`);
      await settle();
      assert.equal((await baasTenant(created.id)).name, `Renamed on the Platform ${s}`);

      const written = await baas('PUT', 'tenant', 'update', {
        where: { id: created.id },
        data: { name: `Renamed on the BaaS ${s}` },
      });
      assert.equal(written.name, `Renamed on the BaaS ${s}`);
      await settle();
      const onPlatform = await platformTenant(created.id);
      assert.equal(onPlatform.id, created.id);
      assert.equal(onPlatform.name, `Renamed on the BaaS ${s}`);
      assert.equal(onPlatform.isDefault, false);
      // The story's first tenant is untouched.
      assert.equal((await platformTenant(tenant.id)).name, tenant.name);
      assert.equal((await baasTenant(tenant.id)).name, tenant.name);
    });

    it('6. the BaaS refuses to create or delete users (and tenants), and nothing changes', async () => {
      const u = storyUser();
      const before = await snapshot();
      const deliveredBefore = deliveredOf(await settle());
      assert.equal(before.baasCountTenant, 1);
      assert.equal(before.platformCountTenant, 1);

      const newEmail = `baas.made.${sfx()}@example.com`;
      const newId = crypto.randomUUID();
      const newRow = { id: newId, email: newEmail, first_name: 'Nope', tenant_id: tenant.id };
      await baasRefused('POST', 'user', 'create', { data: newRow }, 'USER_CREATE_NOT_ALLOWED');
      await baasRefused('POST', 'user', 'createMany', { data: [newRow] }, 'USER_CREATE_NOT_ALLOWED');
      await baasRefused(
        'POST',
        'user',
        'upsert',
        { where: { id: newId }, create: newRow, update: { first_name: 'Nope' } },
        'USER_CREATE_NOT_ALLOWED',
      );
      await baasRefused('DELETE', 'user', 'delete', { where: { id: u.id } }, 'USER_DELETE_NOT_ALLOWED');
      await baasRefused('DELETE', 'user', 'deleteMany', { where: { tenant_id: tenant.id } }, 'USER_DELETE_NOT_ALLOWED');
      await baasRefused('DELETE', 'user', 'deleteMany', {}, 'USER_DELETE_NOT_ALLOWED');
      await baasRefused('POST', 'tenant', 'create', { data: { name: 'Nope' } }, 'TENANT_CREATE_NOT_ALLOWED');
      await baasRefused('DELETE', 'tenant', 'delete', { where: { id: tenant.id } }, 'TENANT_DELETE_NOT_ALLOWED');

      const deliveredAfter = deliveredOf(await settle());
      assert.deepEqual(deliveredAfter, deliveredBefore, 'a refused request sends nothing to sync');
      assert.deepEqual(await snapshot(), before, 'neither side changed');
      assert.equal(await baasUser(newId), null, 'no user was created on the BaaS');
      assert.equal(await baasUserCount({ email: newEmail }), 0);
      assert.deepEqual(await platformIdsByEmail(newEmail), [], 'no user was created on the Platform');
      assert.deepEqual(await platformIdsByEmail(u.email), [u.id], 'the user is still on the Platform');
    });

    it('7. the BaaS refuses writes of Platform-owned fields; updateUser is the way', async () => {
      const u = storyUser();
      const before = await snapshot();
      const deliveredBefore = deliveredOf(await settle());
      const otherEmail = `changed.${sfx()}@example.com`;

      const err = await baasRefused(
        'PUT',
        'user',
        'update',
        { where: { id: u.id }, data: { email: otherEmail } },
        'PLATFORM_FIELD_READ_ONLY',
      );
      assert.match(err.message, /email/, 'the message names the field');
      assert.match(err.message, /updateUser/, 'the message names the Platform operation to use');
      // Together with a writable field: the whole request is refused, the name is not written.
      await baasRefused(
        'PUT',
        'user',
        'update',
        { where: { id: u.id }, data: { email: otherEmail, first_name: 'Partial' } },
        'PLATFORM_FIELD_READ_ONLY',
      );
      await baasRefused(
        'PUT',
        'user',
        'updateMany',
        { where: { tenant_id: tenant.id }, data: { email: otherEmail } },
        'PLATFORM_FIELD_READ_ONLY',
      );
      // The other Platform-owned fields.
      for (const data of [{ active: false }, { tenant_id: tenant.id }, { id: crypto.randomUUID() }]) {
        await baasRefused('PUT', 'user', 'update', { where: { id: u.id }, data }, 'PLATFORM_FIELD_READ_ONLY');
      }

      const deliveredAfter = deliveredOf(await settle());
      assert.deepEqual(deliveredAfter, deliveredBefore, 'a refused request sends nothing to sync');
      assert.deepEqual(await snapshot(), before, 'neither side changed');
      assert.equal(await baasUserCount({ email: otherEmail }), 0);
      assert.deepEqual(await platformIdsByEmail(otherEmail), []);

      // The email belongs to the Platform: changed there, it reaches the BaaS.
      const { updateUser: updated } = await admin().updateUser({ id: u.id, user: { email: otherEmail } });
      assert.equal(updated.email, otherEmail);
      await settle();
      assert.equal((await baasUser(u.id)).email, otherEmail);
    });

    it('sync status: both directions delivered, nothing pending or failed', async () => {
      // All-in-one: one process, mode `all-in-one`. Split: each process names the half it runs
      // and reports both directions (its own, and its peer's as the peer reports it).
      const expectedModes =
        deployment === 'split'
          ? { [server.host]: 'platform', [server.baasHost]: 'baas' }
          : { [server.host]: 'all-in-one' };
      assert.deepEqual(statusHosts().sort(), Object.keys(expectedModes).sort());
      const views = [];
      for (const host of statusHosts()) {
        const res = await fetch(`${host}/sync/v1/status`, { headers: { authorization: auth } });
        const text = await res.text();
        assert.equal(res.status, 200, `${host}: ${text}`);
        const status = JSON.parse(text);
        assert.equal(status.mode, expectedModes[host], `mode at ${host}: ${text}`);
        assert.ok(!('unreachable' in status), `no unreachable direction at ${host}: ${text}`);
        const names = status.directions.map((d) => d.direction).sort();
        assert.deepEqual(names, ['baas_to_platform', 'platform_to_baas'], text);
        for (const d of status.directions) {
          assert.equal(d.pending, 0, `${d.direction} pending: ${text}`);
          assert.equal(d.retrying, 0, `${d.direction} retrying: ${text}`);
          assert.equal(d.failed, 0, `${d.direction} failed: ${text}`);
          assert.deepEqual(d.failedEvents, [], `${d.direction} failedEvents: ${text}`);
          assert.ok(d.delivered > 0, `${d.direction} delivered something: ${text}`);
        }
        const sorted = [...status.directions].sort((a, b) => a.direction.localeCompare(b.direction));
        views.push({ host, directions: sorted });
      }
      // Split: both processes tell the same story about both directions.
      for (const view of views.slice(1)) {
        assert.deepEqual(
          view.directions,
          views[0].directions,
          `${view.host} and ${views[0].host} report the same directions`,
        );
      }
    });
  });
}
