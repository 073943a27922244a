// Starts a fresh Tandem and a fresh ZenStack (same effective schema, same seed) for one backend,
// sends every corpus entry to both in order, and compares the responses.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { PG_ADMIN_URL, pgUrlFor, psql, startTandem } from '../../lib/tandem.mjs';
import { canonical, differences, normalise, summariseDifferences } from './compare.mjs';
import { startZenStack } from './zenstack.mjs';
import { seedTandem, seedZenStack } from '../seed.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SCHEMA_FILE = path.resolve(HERE, '..', 'schema.prisma');

/** Starts both systems for `backend` and seeds them. Returns {tandem, zenstack, auth, schema, stop()}. */
export async function startPair(backend) {
  const stops = [];
  const stop = async () => {
    const errors = [];
    for (const s of stops.reverse()) {
      try {
        await s();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) throw errors[0];
  };
  try {
    const tandem = await startTandem({ backend, schema: SCHEMA_FILE, separateBaasDb: true });
    stops.push(() => tandem.stop());
    const auth = `Basic ${Buffer.from(`${tandem.environmentId}:${tandem.apiKey}`).toString('base64')}`;
    const res = await fetch(`${tandem.host}/api/schema`, { headers: { authorization: auth } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET /api/schema on tandem: ${res.status} ${text}`);
    const schema = JSON.parse(text).schema;
    if (typeof schema !== 'string') throw new Error(`GET /api/schema on tandem: no schema in ${text}`);

    let pgUrl;
    if (backend === 'postgres') {
      const name = `baas_diff_zs_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
      await psql(PG_ADMIN_URL, `CREATE DATABASE "${name}"`);
      stops.push(() => psql(PG_ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      pgUrl = pgUrlFor(PG_ADMIN_URL, name);
    }
    const zenstack = await startZenStack({ backend, prismaSchema: schema, pgUrl });
    stops.push(() => zenstack.stop());

    // The Platform's default tenant reaches Tandem's BaaS too: ZenStack gets the same row first.
    const { defaultTenants } = await seedTandem(tandem, auth);
    await seedZenStack(zenstack.host, defaultTenants);
    return { tandem, zenstack, auth, schema, stop };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

/** The URL path + query of an entry. */
export function entryUrl(entry) {
  let url = entry.path;
  const params = [];
  if (entry.q !== undefined) {
    const q = typeof entry.q === 'string' ? entry.q : JSON.stringify(entry.q);
    params.push(`q=${encodeURIComponent(q)}`);
  }
  if (entry.meta !== undefined) {
    const m = typeof entry.meta === 'string' ? entry.meta : JSON.stringify(entry.meta);
    params.push(`meta=${encodeURIComponent(m)}`);
  }
  if (params.length) url += `?${params.join('&')}`;
  return url;
}

/** Sends one corpus entry; returns {status, text}. */
export async function send(host, entry, auth) {
  const headers = {};
  if (auth) headers.authorization = auth;
  let body;
  if (entry.rawBody !== undefined) body = entry.rawBody;
  else if (entry.body !== undefined) body = JSON.stringify(entry.body);
  const contentType = entry.contentType === undefined ? (body !== undefined ? 'application/json' : undefined) : entry.contentType;
  if (contentType) headers['content-type'] = contentType;
  const res = await fetch(host + entryUrl(entry), { method: entry.method, headers, body });
  return { status: res.status, text: await res.text() };
}

/** A printable request, for the report. */
export function describeRequest(entry) {
  const lines = [`${entry.method} ${entry.path}`];
  if (entry.q !== undefined) lines.push(`q: ${typeof entry.q === 'string' ? entry.q : JSON.stringify(entry.q)}`);
  if (entry.meta !== undefined) lines.push(`meta: ${typeof entry.meta === 'string' ? entry.meta : JSON.stringify(entry.meta)}`);
  if (entry.contentType !== undefined) lines.push(`content-type: ${entry.contentType ?? '(none)'}`);
  if (entry.rawBody !== undefined) lines.push(`body (raw): ${entry.rawBody}`);
  else if (entry.body !== undefined) lines.push(`body: ${JSON.stringify(entry.body)}`);
  return lines.join('\n');
}

/**
 * Runs the corpus against a started pair. Returns [{entry, expected, actual, match, rawDiff, diff}]:
 * `rawDiff` is every individual difference line (what the allowlist is checked against, so that
 * nothing can hide behind an allowed line), `diff` the same lines summarised for REPORT.md.
 * `updated_at` timestamps at or after the start of the corpus run are write times (normalised); a
 * seeded (explicit) `updated_at` that one side overwrote with the seeding time is still caught.
 */
export async function runCorpus(pair, corpus) {
  // Start on a fresh whole second: ZenStack may store write times truncated to the second, and a
  // seeded row must never fall in the normalised window.
  await new Promise((r) => setTimeout(r, 1005 - (Date.now() % 1000)));
  const since = Math.floor(Date.now() / 1000) * 1000;
  const results = [];
  for (const entry of corpus) {
    const expected = await send(pair.zenstack.host, entry, null);
    const actual = await send(pair.tandem.host, entry, pair.auth);
    results.push(compareAnswers(entry, expected, actual, since));
  }
  return results;
}

/**
 * One corpus entry's result: ZenStack's answer (`expected`) and Tandem's (`actual`), compared
 * after normalising (write times at or after `since`). `rawDiff` is every difference line.
 */
export function compareAnswers(entry, expected, actual, since) {
  const ne = normalise(expected, since);
  const na = normalise(actual, since);
  const match = canonical(ne) === canonical(na);
  const rawDiff = match ? [] : differences(ne, na, '$', [], Infinity);
  return { entry, expected, actual, match, rawDiff, diff: summariseDifferences(rawDiff) };
}
