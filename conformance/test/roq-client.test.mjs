// The BaaS through @roq/client@0.0.12's own fetch helpers (`makeUrl`, `marshal`, `fetcher`,
// which unmarshals with superjson 1.x): the exact requests the ROQ/ZenStack v1 SWR hooks send
// (`useModelQuery` → GET `?q=&meta=`; `mutationRequest` → PUT with a marshalled body), against a
// freshly started tandem binary, once per storage backend.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { fetcher, makeUrl, marshal } from '@roq/client';
import { Platform } from '@roq/nodejs';
// Not re-exported by the package's main entry; the class `fetcher` throws.
import { RoqBaasError } from '@roq/client/build/src/utils/fetcher.util.js';

import { BACKENDS, basicAuth, createOnPlatform, startTandem, waitForSync } from '../lib/tandem.mjs';

// Created on the Platform with these ids and creation times (the migration extension of
// createTenant/createUser); they reach the BaaS through sync.
const TENANT = { id: '7d9c3f6e-1a2b-4c3d-8e4f-000000000001', name: 'Client Co', created_at: '2023-01-01T00:00:00.000Z' };
const U1 = '7d9c3f6e-1a2b-4c3d-8e4f-100000000001';
const U2 = '7d9c3f6e-1a2b-4c3d-8e4f-100000000002';
const USERS = [
  {
    id: U1,
    email: 'ann@client.example',
    first_name: 'Ann',
    last_name: 'Old',
    tenant_id: TENANT.id,
    active: true,
    created_at: '2023-02-01T10:00:00.000Z',
  },
  {
    id: U2,
    email: 'ben@client.example',
    first_name: 'Ben',
    last_name: null,
    tenant_id: TENANT.id,
    active: true,
    created_at: '2023-03-01T10:00:00.000Z',
  },
];

for (const backend of BACKENDS) {
  describe(`@roq/client fetch helpers against the tandem BaaS (${backend})`, () => {
    let server;
    let endpoint;
    /** What an app passes to the hooks' provider as `fetch`: adds the credentials. */
    let authedFetch;

    before(async () => {
      server = await startTandem({ backend, separateBaasDb: true });
      endpoint = `${server.host}/api/model`;
      const authorization = `Basic ${Buffer.from(`${server.environmentId}:${server.apiKey}`).toString('base64')}`;
      authedFetch = (url, init = {}) => fetch(url, { ...init, headers: { ...(init.headers ?? {}), authorization } });
      await createOnPlatform(server, { tenants: [TENANT], users: USERS });
    });

    after(async () => {
      if (server) await server.stop();
    });

    /** useModelQuery's request: GET makeUrl(endpoint/model/op, args), unmarshalled by fetcher. */
    const query = (model, op, args) => fetcher(makeUrl(`${endpoint}/${model}/${op}`, args), undefined, authedFetch, false);
    /** mutationRequest's request (non-DELETE): body = marshal(args), checkReadBack = true. */
    const mutate = (method, model, op, args) =>
      fetcher(
        `${endpoint}/${model}/${op}`,
        { method, headers: { 'content-type': 'application/json' }, body: args ? marshal(args) : undefined },
        authedFetch,
        true,
      );

    it('findMany returns DateTime fields as Date objects', async () => {
      const users = await query('user', 'findMany', {
        where: { tenant_id: TENANT.id },
        orderBy: { created_at: 'asc' },
        select: { id: true, email: true, created_at: true, updated_at: true },
      });
      assert.equal(users.length, 2);
      assert.deepEqual(
        users.map((u) => u.id),
        [U1, U2],
      );
      for (const u of users) {
        assert.ok(u.created_at instanceof Date, `created_at of ${u.id} is a Date, got ${typeof u.created_at}`);
        assert.ok(u.updated_at instanceof Date, `updated_at of ${u.id} is a Date`);
      }
      assert.equal(users[0].created_at.toISOString(), '2023-02-01T10:00:00.000Z');
      assert.equal(users[1].updated_at.toISOString(), '2023-03-01T10:00:00.000Z');
    });

    it('filters with Date objects and undefined values (superjson meta in the query string)', async () => {
      // makeUrl adds `&meta=` for the Date; superjson 1.x sends `undefined` as null + ["undefined"],
      // which the server must treat as an absent key (not as `last_name = null`).
      const users = await query('user', 'findMany', {
        where: { created_at: { gt: new Date('2023-02-15T00:00:00.000Z') }, last_name: undefined },
        select: { id: true },
      });
      assert.deepEqual(users, [{ id: U2 }]);
      const count = await query('user', 'count', { where: { created_at: { lte: new Date('2023-02-01T10:00:00.000Z') } } });
      assert.equal(count, 1);
    });

    it('user.update({data:{first_name, last_name}, where:{email}}) through the mutation path', async () => {
      const before = Date.now();
      const updated = await mutate('PUT', 'user', 'update', {
        data: { first_name: 'Annie', last_name: 'New' },
        where: { email: 'ann@client.example' },
      });
      assert.equal(updated.id, U1);
      assert.equal(updated.first_name, 'Annie');
      assert.equal(updated.last_name, 'New');
      assert.equal(updated.email, 'ann@client.example');
      assert.ok(updated.created_at instanceof Date);
      assert.equal(updated.created_at.toISOString(), '2023-02-01T10:00:00.000Z');
      assert.ok(updated.updated_at instanceof Date);
      assert.ok(updated.updated_at.getTime() >= before - 1000, 'updated_at is bumped by the write');

      const again = await query('user', 'findUnique', { where: { email: 'ann@client.example' }, select: { first_name: true, last_name: true } });
      assert.deepEqual(again, { first_name: 'Annie', last_name: 'New' });
    });

    it("as a logged-in user (the app's fetch adds roq-platform-authorization: Bearer <their access token>): their own row only", async () => {
      // The token a browser holds after logging in; server code gets the same kind from @roq/nodejs.
      const platform = new Platform({ host: server.host, environmentId: server.environmentId, apiKey: server.apiKey });
      const token = await platform.authorization.createUserToken(U2);
      const userFetch = (url, init = {}) =>
        fetch(url, { ...init, headers: { ...(init.headers ?? {}), 'roq-platform-authorization': `Bearer ${token}` } });
      const asUser = (model, op, args) => fetcher(makeUrl(`${endpoint}/${model}/${op}`, args), undefined, userFetch, false);
      assert.deepEqual(await asUser('user', 'findMany', { select: { id: true } }), [{ id: U2 }]);
      assert.equal(await asUser('user', 'count', {}), 1);
      assert.deepEqual(await asUser('tenant', 'findMany', { select: { id: true } }), [{ id: TENANT.id }]);
      const update = (where) =>
        fetcher(
          `${endpoint}/user/update`,
          { method: 'PUT', headers: { 'content-type': 'application/json' }, body: marshal({ where, data: { last_name: 'Mine' } }) },
          userFetch,
          true,
        );
      const mine = await update({ id: U2 });
      assert.equal(mine.last_name, 'Mine');
      // Another user of the same tenant is not readable to Ben, so it is not found.
      await assert.rejects(update({ id: U1 }), (err) => err instanceof RoqBaasError && err.data.reason === 'not-found');
      const ann = await query('user', 'findUnique', { where: { id: U1 }, select: { last_name: true } });
      assert.notEqual(ann.last_name, 'Mine');
      // Without credentials the page is anonymous: it sees no user.
      assert.deepEqual(await fetcher(makeUrl(`${endpoint}/user/findMany`, {}), undefined, fetch, false), []);
    });

    it("a role's permissions, set through @roq/nodejs (updateProjectPermissions), widen what the user's hooks see", async () => {
      const platform = new Platform({ host: server.host, environmentId: server.environmentId, apiKey: server.apiKey });
      const admin = platform.asSuperAdmin();
      const created = await admin.graphqlRequest(
        'mutation($role: RoleCreateDto!) { createRole(role: $role) { id key } }',
        { role: { key: 'member', name: 'Member', isSystemManaged: false, permissionAssignments: [] } },
      );
      const roleId = created.data.createRole.id;
      const updated = await admin.graphqlRequest(
        `mutation($roleId: ID!, $p: ProjectPermissionsDto!) {
          updateProjectPermissions(roleId: $roleId, projectPermissions: $p) { id key } }`,
        { roleId, p: { projectEntityId: 'user', permissionAssignments: [{ operation: 'read', scope: 'tenant' }], projectEntityPaths: [] } },
      );
      assert.equal(updated.data.updateProjectPermissions.key, 'member');
      assert.deepEqual((await admin.assignRolesToUser({ userId: U2, roleKeys: ['member'] })).assignRolesToUser, true);
      await waitForSync(server.host, basicAuth(server));

      const token = await platform.authorization.createUserToken(U2);
      const userFetch = (url, init = {}) =>
        fetch(url, { ...init, headers: { ...(init.headers ?? {}), 'roq-platform-authorization': `Bearer ${token}` } });
      const asUser = (model, op, args) => fetcher(makeUrl(`${endpoint}/${model}/${op}`, args), undefined, userFetch, false);
      // useUserFindMany() as Ben: his tenant's users now, not only himself.
      const users = await asUser('user', 'findMany', { select: { id: true }, orderBy: { created_at: 'asc' } });
      assert.deepEqual(users, [{ id: U1 }, { id: U2 }]);
      // Reading is all the role grants: Ann's row is readable now, yet not Ben's to change.
      await assert.rejects(
        fetcher(
          `${endpoint}/user/update`,
          { method: 'PUT', headers: { 'content-type': 'application/json' }, body: marshal({ where: { id: U1 }, data: { last_name: 'Ben was here' } }) },
          userFetch,
          true,
        ),
        (err) => err instanceof RoqBaasError && err.data.reason === 'rejected-by-policy',
      );
      const listed = await admin.graphqlRequest(
        'query($r: ID!) { permissions(filter: {roleId: {equalTo: $r}}) { totalCount data { operation scope projectEntityId } } }',
        { r: roleId },
      );
      assert.deepEqual(listed.data.permissions, { totalCount: 1, data: [{ operation: 'read', scope: 'tenant', projectEntityId: 'user' }] });
    });

    it('errors surface as RoqBaasError with the server message', async () => {
      await assert.rejects(
        mutate('PUT', 'user', 'update', { data: { first_name: 'X' }, where: { email: 'nobody@client.example' } }),
        (err) => {
          assert.ok(err instanceof RoqBaasError, `RoqBaasError, got ${err?.constructor?.name}: ${err?.message}`);
          assert.equal(err.data.reason, 'not-found');
          assert.equal(typeof err.message, 'string');
          return true;
        },
      );
    });
  });
}
