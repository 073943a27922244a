// The documented @roq/nodejs flows, run unchanged against a freshly started tandem binary, once
// per storage backend. Only the published SDK talks to the server: typed operations where the
// SDK has them, `graphqlRequest` for the rest (roles and tenants are created that way).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import { Platform } from '@roq/nodejs';

import { BACKENDS, startTandem } from '../lib/tandem.mjs';

const CREATE_ROLE = `mutation createRole($role: RoleCreateDto!) {
  createRole(role: $role) { id key name isSystemManaged }
}`;
const CREATE_TENANT = `mutation createTenant($t: TenantCreateDto!) {
  createTenant(tenant: $t) { id name isDefault }
}`;
const TENANTS = `query { tenants { data { id name isDefault } totalCount } }`;

/** A short random suffix that keeps emails, role keys and tenant names unique per test. */
const sfx = () => crypto.randomUUID().slice(0, 8);

/** Asserts that `promise` rejects with the SDK's HttpException carrying this status and code. */
async function rejectsWithHttp(promise, statusCode, errorCode) {
  await assert.rejects(promise, (err) => {
    assert.equal(
      err?.constructor?.name,
      'HttpException',
      `expected the SDK's HttpException, got ${err?.constructor?.name}: ${err?.message}\n` +
        `response: ${JSON.stringify(err?.response)}`,
    );
    assert.equal(err.statusCode, statusCode, `statusCode (message: ${err.message})`);
    assert.equal(err.errorCode, errorCode, `errorCode (message: ${err.message})`);
    assert.equal(typeof err.message, 'string');
    assert.ok(err.message.length > 0, 'the error has a message');
    return true;
  });
}

for (const backend of BACKENDS) {
  describe(`@roq/nodejs Platform against tandem (${backend})`, () => {
    let server;
    let platform;

    before(async () => {
      server = await startTandem({ backend });
      platform = new Platform({
        host: server.host,
        environmentId: server.environmentId,
        apiKey: server.apiKey,
      });
    });

    after(async () => {
      if (server) await server.stop();
    });

    const admin = () => platform.asSuperAdmin();

    async function gql(query, variables) {
      const res = await admin().graphqlRequest(query, variables);
      assert.ok(res && res.data, `graphqlRequest returned no data: ${JSON.stringify(res)}`);
      return res.data;
    }

    async function createRole(key, name = key) {
      const { createRole: role } = await gql(CREATE_ROLE, {
        role: { key, name, isSystemManaged: false, permissionAssignments: [] },
      });
      assert.equal(role.key, key);
      assert.equal(role.name, name);
      assert.equal(typeof role.id, 'string');
      return role;
    }

    async function createTenant(name) {
      const { createTenant: tenant } = await gql(CREATE_TENANT, { t: { name } });
      assert.equal(tenant.name, name);
      assert.equal(tenant.isDefault, false);
      assert.equal(typeof tenant.id, 'string');
      return tenant;
    }

    async function defaultTenant() {
      const { tenants } = await gql(TENANTS);
      const defaults = tenants.data.filter((t) => t.isDefault);
      assert.equal(defaults.length, 1, `exactly one default tenant: ${JSON.stringify(tenants)}`);
      assert.ok(tenants.totalCount >= 1);
      return defaults[0];
    }

    async function createUser(user) {
      const res = await admin().createUser({
        user: { reference: crypto.randomUUID(), ...user },
      });
      assert.ok(res.createUser, `createUser returned ${JSON.stringify(res)}`);
      return res.createUser;
    }

    async function roleKeysOf(id) {
      const res = await admin().userProfile({ id, withRoles: true });
      const keys = res.user.roles.data.map((r) => r.key).sort();
      assert.equal(res.user.roles.totalCount, keys.length, 'roles.totalCount matches roles.data');
      return keys;
    }

    /** userProfiles narrowed to one email; returns {ids, totalCount, data}. */
    async function byEmail(email, extraFilter = {}) {
      const res = await admin().userProfiles({ filter: { email: { equalTo: email }, ...extraFilter } });
      return { ids: res.users.data.map((u) => u.id), totalCount: res.users.totalCount, data: res.users.data };
    }

    it('a. quick start: createUser with a role in a tenant, read it back, verify the password', async () => {
      const freelancer = await createRole('freelancer', 'Freelancer');
      const tenant = await defaultTenant();
      const reference = crypto.randomUUID();

      const { createUser: user } = await admin().createUser({
        user: {
          email: 'Francis.99@roq.dev',
          reference,
          tenantId: tenant.id,
          roles: ['freelancer'],
          password: 'secret-pass-1',
        },
      });
      assert.equal(typeof user.id, 'string');
      assert.ok(user.id.length > 0);
      assert.equal(user.email, 'francis.99@roq.dev');
      assert.equal(user.reference, reference);
      assert.equal(user.tenantId, tenant.id);
      assert.equal(user.active, true);

      const { user: profile } = await admin().userProfile({ id: user.id, withTenant: true, withRoles: true });
      assert.equal(profile.id, user.id);
      assert.equal(profile.email, 'francis.99@roq.dev');
      assert.equal(profile.reference, reference);
      assert.equal(profile.tenantId, tenant.id);
      assert.equal(profile.active, true);
      assert.equal(profile.tenant.id, tenant.id);
      assert.equal(profile.tenant.name, tenant.name);
      assert.equal(profile.tenant.isDefault, true);
      assert.equal(profile.roles.totalCount, 1);
      assert.equal(profile.roles.data.length, 1);
      assert.equal(profile.roles.data[0].key, 'freelancer');
      assert.equal(profile.roles.data[0].id, freelancer.id);
      assert.equal(profile.roles.data[0].name, 'Freelancer');

      const ok = await admin().verifyPassword({ userId: user.id, password: 'secret-pass-1' });
      assert.equal(ok.verifyPassword, true);
      const wrong = await admin().verifyPassword({ userId: user.id, password: 'secret-pass-2' });
      assert.equal(wrong.verifyPassword, false);
    });

    it('b. updateUser changes firstName and lastName', async () => {
      const email = `update.${sfx()}@roq.dev`;
      const user = await createUser({ email, firstName: 'Ada', lastName: 'Lovelace' });
      assert.equal(user.firstName, 'Ada');
      assert.equal(user.lastName, 'Lovelace');

      const { updateUser: updated } = await admin().updateUser({
        id: user.id,
        user: { firstName: 'Grace', lastName: 'Hopper' },
      });
      assert.equal(updated.id, user.id);
      assert.equal(updated.firstName, 'Grace');
      assert.equal(updated.lastName, 'Hopper');
      assert.equal(updated.email, email);
      assert.equal(updated.reference, user.reference);

      const { user: reread } = await admin().userProfile({ id: user.id });
      assert.equal(reread.firstName, 'Grace');
      assert.equal(reread.lastName, 'Hopper');
      assert.equal(reread.email, email);
      assert.equal(reread.active, true);
    });

    it('c. deactivate hides a user from userProfiles unless asked for; reactivate shows it again', async () => {
      const email = `deact.${sfx()}@roq.dev`;
      const user = await createUser({ email, password: 'secret-pass-1' });
      const unfilteredIds = async (filter) =>
        (await admin().userProfiles({ filter, limit: 1000 })).users.data.map((u) => u.id);

      assert.deepEqual((await byEmail(email)).ids, [user.id]);
      assert.ok((await unfilteredIds(undefined)).includes(user.id));

      const { updateUser: off } = await admin().updateUser({ id: user.id, user: { active: false } });
      assert.equal(off.id, user.id);
      assert.equal(off.active, false);
      assert.equal((await admin().userProfile({ id: user.id })).user.active, false);

      // Hidden by default…
      assert.deepEqual(await byEmail(email), { ids: [], totalCount: 0, data: [] });
      assert.ok(!(await unfilteredIds(undefined)).includes(user.id), 'hidden from the unfiltered list');
      // …shown when asked for.
      const withDeactivated = await byEmail(email, { withDeactivated: { equalTo: true } });
      assert.deepEqual(withDeactivated.ids, [user.id]);
      assert.equal(withDeactivated.totalCount, 1);
      assert.equal(withDeactivated.data[0].active, false);
      const inactive = await byEmail(email, { active: { equalTo: false } });
      assert.deepEqual(inactive.ids, [user.id]);
      assert.equal(inactive.totalCount, 1);
      assert.ok((await unfilteredIds({ withDeactivated: { equalTo: true } })).includes(user.id));
      // A deactivated user's password no longer verifies.
      assert.equal(
        (await admin().verifyPassword({ userId: user.id, password: 'secret-pass-1' })).verifyPassword,
        false,
      );

      const { updateUser: on } = await admin().updateUser({ id: user.id, user: { active: true } });
      assert.equal(on.active, true);
      const visible = await byEmail(email);
      assert.deepEqual(visible.ids, [user.id]);
      assert.equal(visible.totalCount, 1);
      assert.equal(visible.data[0].active, true);
      assert.ok((await unfilteredIds(undefined)).includes(user.id));
      assert.deepEqual((await byEmail(email, { active: { equalTo: false } })).ids, []);
      assert.equal(
        (await admin().verifyPassword({ userId: user.id, password: 'secret-pass-1' })).verifyPassword,
        true,
      );
    });

    it('d. userProfiles filters by tenant and by active, and pages with limit/offset', async () => {
      const s = sfx();
      const tenantA = await createTenant(`Tenant A ${s}`);
      const tenantB = await createTenant(`Tenant B ${s}`);
      const usersA = [];
      for (const n of [1, 2, 3]) {
        usersA.push(await createUser({ email: `p${n}.${s}@roq.dev`, tenantId: tenantA.id }));
      }
      const usersB = [];
      for (const n of [4, 5]) {
        usersB.push(await createUser({ email: `p${n}.${s}@roq.dev`, tenantId: tenantB.id }));
      }
      for (const u of usersA) assert.equal(u.tenantId, tenantA.id);
      for (const u of usersB) assert.equal(u.tenantId, tenantB.id);

      const order = { sort: 'email', order: 'ASC' };
      const list = async (filter, extra = {}) => (await admin().userProfiles({ filter, order, ...extra })).users;

      const inA = await list({ tenantId: { equalTo: tenantA.id } });
      assert.equal(inA.totalCount, 3);
      assert.deepEqual(inA.data.map((u) => u.id), usersA.map((u) => u.id));
      for (const u of inA.data) assert.equal(u.tenantId, tenantA.id);

      const inB = await list({ tenantId: { equalTo: tenantB.id } });
      assert.equal(inB.totalCount, 2);
      assert.deepEqual(inB.data.map((u) => u.id), usersB.map((u) => u.id));

      // Pagination keeps totalCount at the full count.
      const page1 = await list({ tenantId: { equalTo: tenantA.id } }, { limit: 2, offset: 0 });
      assert.equal(page1.totalCount, 3);
      assert.deepEqual(page1.data.map((u) => u.id), usersA.slice(0, 2).map((u) => u.id));
      const page2 = await list({ tenantId: { equalTo: tenantA.id } }, { limit: 2, offset: 2 });
      assert.equal(page2.totalCount, 3);
      assert.deepEqual(page2.data.map((u) => u.id), [usersA[2].id]);
      const page3 = await list({ tenantId: { equalTo: tenantA.id } }, { limit: 2, offset: 4 });
      assert.equal(page3.totalCount, 3);
      assert.deepEqual(page3.data, []);

      const desc = (await admin().userProfiles({
        filter: { tenantId: { equalTo: tenantA.id } },
        order: { sort: 'email', order: 'DESC' },
        limit: 1,
      })).users;
      assert.equal(desc.totalCount, 3);
      assert.deepEqual(desc.data.map((u) => u.id), [usersA[2].id]);

      // By active.
      await admin().updateUser({ id: usersB[0].id, user: { active: false } });
      const bDefault = await list({ tenantId: { equalTo: tenantB.id } });
      assert.equal(bDefault.totalCount, 1);
      assert.deepEqual(bDefault.data.map((u) => u.id), [usersB[1].id]);
      const bActive = await list({ tenantId: { equalTo: tenantB.id }, active: { equalTo: true } });
      assert.equal(bActive.totalCount, 1);
      assert.deepEqual(bActive.data.map((u) => u.id), [usersB[1].id]);
      const bInactive = await list({ tenantId: { equalTo: tenantB.id }, active: { equalTo: false } });
      assert.equal(bInactive.totalCount, 1);
      assert.deepEqual(bInactive.data.map((u) => u.id), [usersB[0].id]);
      assert.equal(bInactive.data[0].active, false);
      const bAll = await list({ tenantId: { equalTo: tenantB.id }, withDeactivated: { equalTo: true } });
      assert.equal(bAll.totalCount, 2);
      assert.deepEqual(bAll.data.map((u) => u.id), usersB.map((u) => u.id));
      // Tenant A is untouched by B's deactivation.
      assert.equal((await list({ tenantId: { equalTo: tenantA.id }, active: { equalTo: false } })).totalCount, 0);
    });

    it('e. assignRolesToUser / unassignRolesFromUser, and unknown role keys', async () => {
      const s = sfx();
      const editor = `editor-${s}`;
      const viewer = `viewer-${s}`;
      await createRole(editor);
      await createRole(viewer);
      const user = await createUser({ email: `roles.${s}@roq.dev` });
      assert.deepEqual(await roleKeysOf(user.id), []);

      const assigned = await admin().assignRolesToUser({ userId: user.id, roleKeys: [editor, viewer] });
      assert.equal(assigned.assignRolesToUser, true);
      assert.deepEqual(await roleKeysOf(user.id), [editor, viewer].sort());

      const unassigned = await admin().unassignRolesFromUser({ userId: user.id, roleKeys: [editor] });
      assert.equal(unassigned.unassignRolesFromUser, true);
      assert.deepEqual(await roleKeysOf(user.id), [viewer]);

      const unknown = `no-such-role-${s}`;
      await rejectsWithHttp(
        admin().assignRolesToUser({ userId: user.id, roleKeys: [unknown] }),
        404,
        'ROLE_KEY_NOT_FOUND',
      );
      // A request naming an unknown key changes nothing, not even the known keys in it.
      await rejectsWithHttp(
        admin().assignRolesToUser({ userId: user.id, roleKeys: [editor, unknown] }),
        404,
        'ROLE_KEY_NOT_FOUND',
      );
      assert.deepEqual(await roleKeysOf(user.id), [viewer]);

      // createUser with an unknown role key is refused and creates no user.
      const email = `roles2.${s}@roq.dev`;
      await rejectsWithHttp(createUser({ email, roles: [unknown] }), 404, 'ROLE_KEY_NOT_FOUND');
      assert.equal((await byEmail(email, { withDeactivated: { equalTo: true } })).totalCount, 0);
    });

    it('f. a duplicate email, differing only in case, is refused with 409 USER_EMAIL_ALREADY_EXISTS', async () => {
      const s = sfx();
      const email = `dup.${s}@roq.dev`;
      const first = await createUser({ email: `Dup.${s}@roq.dev` });
      assert.equal(first.email, email);

      await rejectsWithHttp(
        createUser({ email: `DUP.${s.toUpperCase()}@ROQ.DEV` }),
        409,
        'USER_EMAIL_ALREADY_EXISTS',
      );
      await rejectsWithHttp(createUser({ email }), 409, 'USER_EMAIL_ALREADY_EXISTS');

      // Changing another user's email to it (in another case) is refused too, and changes nothing.
      const other = await createUser({ email: `other.${s}@roq.dev` });
      await rejectsWithHttp(
        admin().updateUser({ id: other.id, user: { email: `dUp.${s}@Roq.Dev` } }),
        409,
        'USER_EMAIL_ALREADY_EXISTS',
      );
      assert.equal((await admin().userProfile({ id: other.id })).user.email, `other.${s}@roq.dev`);

      const found = await byEmail(email, { withDeactivated: { equalTo: true } });
      assert.deepEqual(found.ids, [first.id]);
      assert.equal(found.totalCount, 1);
    });

    it('g. asUser(id) gets a token that reads that user', async () => {
      const email = `asuser.${sfx()}@roq.dev`;
      const user = await createUser({ email, firstName: 'Una', password: 'secret-pass-1' });
      const res = await platform.asUser(user.id).userProfile({ id: user.id });
      assert.equal(res.user.id, user.id);
      assert.equal(res.user.email, email);
      assert.equal(res.user.firstName, 'Una');
    });

    it('h. a wrong apiKey or environmentId gets 401 UNAUTHORIZED_EXCEPTION', async () => {
      const wrongKey = new Platform({
        host: server.host,
        environmentId: server.environmentId,
        apiKey: `wrong-api-key-${crypto.randomUUID()}`,
      });
      await rejectsWithHttp(wrongKey.asSuperAdmin().userProfiles({}), 401, 'UNAUTHORIZED_EXCEPTION');
      const email = `unauth.${sfx()}@roq.dev`;
      await rejectsWithHttp(
        wrongKey.asSuperAdmin().createUser({ user: { email, reference: crypto.randomUUID() } }),
        401,
        'UNAUTHORIZED_EXCEPTION',
      );
      assert.equal((await byEmail(email, { withDeactivated: { equalTo: true } })).totalCount, 0);

      const wrongEnv = new Platform({
        host: server.host,
        environmentId: crypto.randomUUID(),
        apiKey: server.apiKey,
      });
      await rejectsWithHttp(wrongEnv.asSuperAdmin().userProfiles({}), 401, 'UNAUTHORIZED_EXCEPTION');
    });

    it('changeUserPassword replaces the password only when the current one is given', async () => {
      const user = await createUser({ email: `chpw.${sfx()}@roq.dev`, password: 'old-secret-1' });
      const res = await admin().changeUserPassword({
        data: { userId: user.id, password: 'old-secret-1', newPassword: 'new-secret-2' },
      });
      assert.equal(res.changeUserPasswordV2, true);
      const verify = async (password) =>
        (await admin().verifyPassword({ userId: user.id, password })).verifyPassword;
      assert.equal(await verify('new-secret-2'), true);
      assert.equal(await verify('old-secret-1'), false);

      await rejectsWithHttp(
        admin().changeUserPassword({
          data: { userId: user.id, password: 'not-the-password', newPassword: 'other-secret-3' },
        }),
        400,
        'WRONG_PASSWORD',
      );
      assert.equal(await verify('new-secret-2'), true);
      assert.equal(await verify('other-secret-3'), false);
    });

    it('updateTenant renames a tenant', async () => {
      const s = sfx();
      const tenant = await createTenant(`Before ${s}`);
      const { updateTenant: renamed } = await admin().updateTenant({ id: tenant.id, tenant: { name: `After ${s}` } });
      assert.equal(renamed.id, tenant.id);
      assert.equal(renamed.name, `After ${s}`);
      assert.equal(renamed.isDefault, false);
      const user = await createUser({ email: `tenant.${s}@roq.dev`, tenantId: tenant.id });
      const { user: profile } = await admin().userProfile({ id: user.id, withTenant: true });
      assert.equal(profile.tenant.id, tenant.id);
      assert.equal(profile.tenant.name, `After ${s}`);
    });
  });
}
