// The access-policy differential test: policy/schema.prisma's @@allow / @@deny, enforced by
// Tandem and by ZenStack v3 with its policy plugin, over the same rows, each request sent as the
// same caller to both (Tandem: the user's access token, or none; ZenStack: `$setAuth` with the
// user's row, or none), once per backend. Fails on any difference not in
// policy/known-differences.json (same rules as the main corpus: see lib/report.mjs); writes
// POLICY-REPORT.md.

import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Platform } from '@roq/nodejs';

import { BACKENDS, PG_ADMIN_URL, TANDEM_BIN, basicAuth, createOnPlatform, pgUrlFor, psql, startTandem, waitForSync } from '../lib/tandem.mjs';
import { judge, loadAllowlist, writeReport } from './lib/report.mjs';
import { compareAnswers, entryUrl } from './lib/runner.mjs';
import { startZenStack } from './lib/zenstack.mjs';
import { CALLERS, buildCorpus, rows, tenants, users } from './policy/corpus.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCHEMA = path.join(HERE, 'policy', 'schema.prisma');
const REPORT = process.env.BAAS_POLICY_REPORT || path.join(HERE, 'POLICY-REPORT.md');
// Set to a file name to get every request's two answers there (to read what was compared).
const DUMP = process.env.BAAS_POLICY_DUMP;
const dumped = [];
const ALLOWLIST = path.join(HERE, 'policy', 'known-differences.json');

const corpus = buildCorpus();
const allowlist = loadAllowlist(ALLOWLIST);
const runs = [];

async function call(host, method, urlPath, body, headers) {
  const res = await fetch(host + urlPath, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

async function must(host, method, urlPath, body, headers) {
  const r = await call(host, method, urlPath, body, headers);
  if (r.status >= 300) throw new Error(`${method} ${urlPath} on ${host}: ${r.status} ${r.text}`);
  return JSON.parse(r.text);
}

/** Starts and seeds both sides; returns {tandem, zenstack, as: {caller → {tandem, zenstack} headers}, stop()}. */
async function startPair(backend) {
  const stops = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    const tandem = await startTandem({ backend, schema: SCHEMA, separateBaasDb: true });
    stops.push(() => tandem.stop());
    const admin = { authorization: basicAuth(tandem) };
    const { schema } = await must(tandem.host, 'GET', '/api/schema', undefined, admin);
    let pgUrl;
    if (backend === 'postgres') {
      const name = `policy_diff_zs_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
      await psql(PG_ADMIN_URL, `CREATE DATABASE "${name}"`);
      stops.push(() => psql(PG_ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      pgUrl = pgUrlFor(PG_ADMIN_URL, name);
    }
    const zenstack = await startZenStack({ backend, prismaSchema: schema, pgUrl, policy: true });
    stops.push(() => zenstack.stop());
    const superuser = { 'x-zs-auth': 'superuser' };

    // Tenants and users: on Tandem's Platform (they reach the BaaS by sync), on ZenStack directly;
    // the Platform's default tenant goes to ZenStack as well.
    await waitForSync(tandem.host, admin.authorization);
    const existing = (await must(tandem.host, 'GET', `/api/model/tenant/findMany?q=${encodeURIComponent('{}')}`, undefined, admin)).data;
    for (const t of existing) await must(zenstack.host, 'POST', '/api/model/tenant/create', { data: t }, superuser);
    await createOnPlatform(tandem, { tenants, users });
    for (const t of tenants) {
      await must(tandem.host, 'PUT', '/api/model/tenant/update', { where: { id: t.id }, data: { updated_at: t.updated_at } }, admin);
    }
    for (const u of users) {
      await must(tandem.host, 'PUT', '/api/model/user/update', { where: { id: u.id }, data: { role: u.role, updated_at: u.updated_at } }, admin);
    }
    await must(zenstack.host, 'POST', '/api/model/tenant/createMany', { data: tenants }, superuser);
    await must(zenstack.host, 'POST', '/api/model/user/createMany', { data: users }, superuser);
    for (const [model, data] of rows) {
      await must(tandem.host, 'POST', `/api/model/${model}/createMany`, { data }, admin);
      await must(zenstack.host, 'POST', `/api/model/${model}/createMany`, { data }, superuser);
    }

    // Each caller as each side knows them.
    const platform = new Platform({ host: tandem.host, environmentId: tandem.environmentId, apiKey: tandem.apiKey });
    const as = {};
    for (const [name, id] of Object.entries(CALLERS)) {
      if (!id) {
        as[name] = { tandem: {}, zenstack: {} };
        continue;
      }
      const token = await platform.authorization.createUserToken(id);
      const row = (await must(zenstack.host, 'GET', `/api/model/user/findUnique?q=${encodeURIComponent(JSON.stringify({ where: { id } }))}`, undefined, superuser)).data;
      as[name] = { tandem: { authorization: `Bearer ${token}` }, zenstack: { 'x-zs-auth': JSON.stringify(row) } };
    }
    return { tandem, zenstack, as, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

for (const backend of BACKENDS) {
  describe(`access policies, differential: Tandem vs ZenStack + policy plugin (${backend})`, () => {
    let pair;

    before(async () => {
      pair = await startPair(backend);
    });

    after(async () => {
      if (pair) await pair.stop();
    });

    it(`answers all ${corpus.length} policy queries like ZenStack, as each caller`, async () => {
      const t0 = Date.now();
      await new Promise((r) => setTimeout(r, 1005 - (Date.now() % 1000)));
      const since = Math.floor(Date.now() / 1000) * 1000;
      const results = [];
      for (const entry of corpus) {
        const who = pair.as[entry.as];
        const url = entryUrl(entry);
        const expected = await call(pair.zenstack.host, entry.method, url, entry.body, who.zenstack);
        const actual = await call(pair.tandem.host, entry.method, url, entry.body, who.tandem);
        results.push(compareAnswers(entry, expected, actual, since));
        if (DUMP) dumped.push({ id: entry.id, backend, zenstack: expected, tandem: actual });
      }
      if (DUMP) await writeFile(DUMP, JSON.stringify(dumped, null, 1));
      const { allowlisted, problems, unexpected } = judge(results, allowlist, backend, 'policy/known-differences.json');
      runs.push({ backend, results, allowlisted, problems, durationMs: Date.now() - t0 });
      writeReport(REPORT, runs, { reference: 'ZenStack v3 + @zenstackhq/plugin-policy (policy/schema.prisma)', tandemBin: TANDEM_BIN });
      const matches = results.filter((r) => r.match).length;
      const summary =
        `${backend}: ${results.length} policy queries, ${matches} match, ${results.length - matches} differ ` +
        `(${allowlisted.size} allowlisted, ${unexpected.length} not), ${problems.length} allowlist problems; report: ${REPORT}`;
      console.log(summary);
      const failures = [
        ...unexpected.map((r) => `  ${r.entry.id}: ${r.diff[0] ?? ''}`),
        ...problems.map((p) => `  ${p}`),
      ];
      assert.equal(unexpected.length + problems.length, 0, `${summary}\n${failures.join('\n')}`);
    });
  });
}
