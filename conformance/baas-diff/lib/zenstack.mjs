// The reference side of the differential harness: ZenStack v3 (`@zenstackhq/orm` +
// `@zenstackhq/server` RPCApiHandler) behind a tiny node:http server that behaves like the
// express adapter ZenStack documents (and that WIRE-sqlite.md was recorded with):
//   - `query` = the URL's search params as a plain object;
//   - the body is parsed as JSON when the request says `content-type: application/json`
//     (an empty JSON body becomes `{}`, as express.json() does), otherwise it is undefined;
//   - a body that is not JSON gets 400 before ZenStack sees it (express answers with an HTML
//     page there; we answer `{error:{message}}`, and the harness compares status + reason only).
//
// The schema is the effective schema Tandem serves (`GET /api/schema`) plus a datasource block,
// compiled by the real `zen generate` (@zenstackhq/cli) into schema.ts and loaded with tsx.
// Tables are created with `client.$pushSchema()` (no Prisma engine needed).

import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';

import { freePort } from '../../lib/tandem.mjs';

const execFileAsync = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const BAAS_DIFF = path.resolve(HERE, '..');
const CONFORMANCE = path.resolve(BAAS_DIFF, '..');
const require = createRequire(import.meta.url);

/** Node 20 lacks Object.groupBy, which the zen CLI uses. */
const POLYFILL = path.join(HERE, 'polyfill.cjs');

/**
 * Runs `zen generate` on `prismaSchema` + a datasource for `provider` ('sqlite' | 'postgresql')
 * into baas-diff/.generated/<name>/schema.ts (inside the package so that its imports resolve)
 * and returns the loaded `schema` object.
 */
export async function generateSchema(prismaSchema, provider, name, { policy = false } = {}) {
  const dir = path.join(BAAS_DIFF, '.generated', name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const zmodel = path.join(dir, 'schema.zmodel');
  const url = provider === 'sqlite' ? 'file:./unused.db' : 'postgres://unused';
  await writeFile(
    zmodel,
    `datasource db {\n  provider = "${provider}"\n  url      = "${url}"\n}\n\n` +
      (policy ? 'plugin policy {\n  provider = "@zenstackhq/plugin-policy"\n}\n\n' : '') +
      prismaSchema,
  );
  const cli = path.join(path.dirname(require.resolve('@zenstackhq/cli/package.json')), 'bin', 'cli');
  try {
    await execFileAsync(
      process.execPath,
      ['-r', POLYFILL, cli, 'generate', '--schema', zmodel, '-o', dir, '--silent',
        '--no-version-check', '--no-tips', '--generate-models', 'false', '--generate-input', 'false'],
      { cwd: CONFORMANCE, env: { ...process.env, DO_NOT_TRACK: '1' }, timeout: 120_000 },
    );
  } catch (err) {
    throw new Error(`zen generate failed for ${zmodel}:\n${err.stdout ?? ''}\n${err.stderr ?? err.message}`);
  }
  const { tsImport } = await import('tsx/esm/api');
  const mod = await tsImport(pathToFileURL(path.join(dir, 'schema.ts')).href, import.meta.url);
  return mod.schema;
}

/**
 * `$pushSchema()` leaves out the join tables of implicit many-to-many relations (ZenStack's tests
 * create them with Prisma's `db push`): made here as Prisma makes them — `_AToB` (or
 * `_<relation name>`), `A`/`B` referencing the two ids with cascades, a pair once, an index on B.
 */
async function createJoinTables(client, schema, backend) {
  const { QueryUtils } = await import('@zenstackhq/orm');
  const columnType = (model, field) => {
    const type = schema.models[model].fields[field].type;
    if (backend === 'postgres') return { String: 'text', Int: 'integer', BigInt: 'bigint' }[type] ?? 'text';
    return { String: 'TEXT', Int: 'INTEGER', BigInt: 'INTEGER' }[type] ?? 'TEXT';
  };
  const tableOf = (model) => {
    const map = schema.models[model].attributes?.find((a) => a.name === '@@map');
    return map?.args?.[0]?.value?.value ?? model;
  };
  const done = new Set();
  for (const [model, def] of Object.entries(schema.models)) {
    for (const field of Object.keys(def.fields)) {
      const m2m = QueryUtils.getManyToManyRelation(schema, model, field);
      if (!m2m || done.has(m2m.joinTable)) continue;
      done.add(m2m.joinTable);
      const ends = [
        [m2m.parentFkName, model, m2m.parentPKName],
        [m2m.otherFkName, m2m.otherModel, m2m.otherPKName],
      ].sort((a, b) => a[0].localeCompare(b[0]));
      const columns = ends.map(
        ([fk, target, pk]) =>
          `"${fk}" ${columnType(target, pk)} NOT NULL REFERENCES "${tableOf(target)}"("${pk}") ON DELETE CASCADE ON UPDATE CASCADE`,
      );
      await client.$executeRawUnsafe(`CREATE TABLE "${m2m.joinTable}" (${columns.join(', ')}, PRIMARY KEY ("A", "B"))`);
      await client.$executeRawUnsafe(`CREATE INDEX "${m2m.joinTable}_B_index" ON "${m2m.joinTable}"("B")`);
    }
  }
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(text);
}

/**
 * Starts ZenStack for `backend` ('sqlite' | 'postgres') with the given effective Prisma schema.
 * For postgres, `pgUrl` is the (already created, empty) database to use.
 *
 * With `policy`, the schema's `@@allow`/`@@deny` are enforced by ZenStack's policy plugin, and
 * each request says who is calling in the `x-zs-auth` header: `superuser` (the plugin-free
 * client, for seeding), the JSON of a user row (`$setAuth`), or nothing (anonymous).
 * Returns {host, stop()}.
 */
export async function startZenStack({ backend, prismaSchema, pgUrl, policy = false }) {
  const { ZenStackClient } = await import('@zenstackhq/orm');
  const { RPCApiHandler } = await import('@zenstackhq/server/api');
  const provider = backend === 'postgres' ? 'postgresql' : 'sqlite';
  const schema = await generateSchema(prismaSchema, provider, policy ? `${backend}-policy` : backend, { policy });

  let dialect;
  if (backend === 'sqlite') {
    const { SqliteDialect } = await import('@zenstackhq/orm/dialects/sqlite');
    const SQLite = (await import('better-sqlite3')).default;
    const db = new SQLite(':memory:');
    dialect = new SqliteDialect({ database: db });
  } else {
    const { PostgresDialect } = await import('@zenstackhq/orm/dialects/postgres');
    const pg = (await import('pg')).default;
    const pool = new pg.Pool({ connectionString: pgUrl, max: 4 });
    dialect = new PostgresDialect({ pool });
  }
  const client = new ZenStackClient(schema, { dialect });
  await client.$pushSchema();
  await createJoinTables(client, schema, backend);
  const handler = new RPCApiHandler({ schema });
  let guarded = null;
  if (policy) {
    const { PolicyPlugin } = await import('@zenstackhq/plugin-policy');
    guarded = client.$use(new PolicyPlugin());
  }
  /** The client a request runs as (see x-zs-auth above). */
  const clientFor = (req) => {
    if (!guarded) return client;
    const who = req.headers['x-zs-auth'];
    if (who === 'superuser') return client;
    return who ? guarded.$setAuth(JSON.parse(who)) : guarded;
  };

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost');
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const raw = Buffer.concat(chunks).toString('utf8');
      let requestBody;
      const isJson = /^application\/json\b/i.test(req.headers['content-type'] ?? '');
      if (isJson) {
        if (raw.trim() === '') {
          requestBody = {};
        } else {
          try {
            requestBody = JSON.parse(raw);
          } catch (err) {
            return send(res, 400, { error: { message: `invalid JSON body: ${err.message}` } });
          }
        }
      }
      if (!url.pathname.startsWith('/api/model')) {
        return send(res, 404, { error: { message: 'not found' } });
      }
      const r = await handler.handleRequest({
        method: req.method,
        path: url.pathname.slice('/api/model'.length) || '/',
        query: Object.fromEntries(url.searchParams),
        requestBody,
        client: clientFor(req),
      });
      send(res, r.status, r.body);
    } catch (err) {
      send(res, 500, { message: 'An internal server error occurred', detail: String(err?.message ?? err) });
    }
  });
  const port = await freePort();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    host: `http://127.0.0.1:${port}`,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      server.closeAllConnections?.();
      await client.$disconnect(); // closes the SQLite database / ends the pg pool
    },
  };
}
