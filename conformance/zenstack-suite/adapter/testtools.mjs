// Stands in for `@zenstackhq/testtools` when ZenStack's own ORM client-API tests run against
// Tandem: `createTestClient(schema)` starts a fresh Tandem (embedded SQLite, or a new PostgreSQL
// database) with that schema and returns a client whose `client.<model>.<operation>(args)` is one
// request to Tandem's RPC API (`/api/model/<model>/<operation>`), with superjson as ZenStack's RPC
// clients send it. Errors come back as ZenStack's `ORMError` with the answer's `reason`.
//
// What the RPC API cannot carry (interactive transactions, the query builder, raw SQL, plugins,
// client options that change behaviour, …) throws a `NOT-CARRIED:` error; the runner counts
// those tests as skipped, with the reason, not as failures.
//
// Two transformations are applied to every schema, both because Tandem owns its people:
//   - a model named `User`/`user` or `Tenant`/`tenant` is renamed `<name>_` (Tandem's built-in
//     `user` and `tenant` models hold the Platform's people and refuse creates through the BaaS);
//     `client.user` is sent to `User_`. Nothing else changes.

import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { AnyNull, AnyNullClass, DbNull, DbNullClass, JsonNull, JsonNullClass, ORMError } from '@zenstackhq/orm';
import Decimal from 'decimal.js';
import SuperJSON from 'superjson';
import { afterAll, onTestFinished } from 'vitest';

import { basicAuth, startTandem } from '../../lib/tandem.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SCHEMAS_DIR = path.resolve(HERE, '..', 'upstream', 'tests', 'e2e', 'orm', 'schemas');

// The custom types ZenStack's RPC clients register (as @zenstackhq/server does).
SuperJSON.registerCustom(
  { isApplicable: (v) => Decimal.isDecimal(v), serialize: (v) => v.toJSON(), deserialize: (v) => new Decimal(v) },
  'Decimal',
);
for (const [name, cls, value] of [['DbNull', DbNullClass, DbNull], ['JsonNull', JsonNullClass, JsonNull], ['AnyNull', AnyNullClass, AnyNull]]) {
  SuperJSON.registerCustom({ isApplicable: (v) => v instanceof cls, serialize: () => name, deserialize: () => value }, name);
}
SuperJSON.registerCustom(
  { isApplicable: (v) => Buffer.isBuffer(v), serialize: (v) => v.toString('base64'), deserialize: (v) => Buffer.from(v, 'base64') },
  'Bytes',
);

import { NOT_CARRIED } from './marker.mjs';

export function notCarried(what) {
  return new Error(`${NOT_CARRIED}: ${what}`);
}

export function getTestDbProvider() {
  return process.env.TANDEM_SUITE_BACKEND === 'postgres' ? 'postgresql' : 'sqlite';
}

const lowerFirst = (s) => s.charAt(0).toLowerCase() + s.slice(1);
const RESERVED = ['user', 'tenant'];

/** The .zmodel source of a schema object the suite imported (found by identity). */
async function zmodelOf(schemaDef) {
  for (const dir of readdirSync(SCHEMAS_DIR)) {
    const file = path.join(SCHEMAS_DIR, dir, 'schema.ts');
    const source = path.join(SCHEMAS_DIR, dir, 'schema.zmodel');
    if (!existsSync(file) || !existsSync(source)) continue;
    const mod = await import(pathToFileURL(file).href);
    if (mod.schema === schemaDef) return { text: readFileSync(source, 'utf8'), dir: path.dirname(source) };
  }
  throw notCarried('a schema object that is none of the suite\'s schemas/*/schema.ts');
}

/** Renames the models Tandem reserves; returns the new text and the renames. */
export function renameReserved(text) {
  const renames = new Map();
  for (const m of text.matchAll(/^\s*model\s+(\w+)/gm)) {
    if (RESERVED.includes(lowerFirst(m[1]))) renames.set(m[1], `${m[1]}_`);
  }
  return { text: renameWith(text, renames), renames };
}

function renameWith(text, renames) {
  let out = text;
  for (const [from, to] of renames) {
    // Identifiers only: not inside a string literal.
    out = out.replace(new RegExp(`(?<!["'\\w])${from}(?![\\w"'])`, 'g'), to);
  }
  return out;
}

/** The key of the object `generateTsSchemaInPlace` returns as `schema`: its main file. */
const PROJECT_FILE = Symbol('zmodel project file');

/** ZenStack testtools' project directory, for tests that write .zmodel files themselves. */
export function createTestProject() {
  return mkdtempSync(path.join(os.tmpdir(), 'zs-project-'));
}

/**
 * Stands in for generating `schema.ts` from a project's main .zmodel file: the schema object
 * names the file, and `createTestClient` gives Tandem the project's files as they are.
 */
export async function generateTsSchemaInPlace(file) {
  return { schema: { [PROJECT_FILE]: path.resolve(file), provider: { type: getTestDbProvider() } } };
}

/** Options of ZenStack's createTestClient that change behaviour the RPC API cannot reproduce. */
const NOT_CARRIED_OPTIONS = ['computedFields', 'plugins', 'procedures', 'extraSourceFiles', 'dbFile', 'log', 'dialect', 'omit', 'slicing', 'validateInput', 'fixPostgresTimezone', 'useCompactAliasNames'];

export async function createTestClient(schema, options = {}) {
  for (const key of NOT_CARRIED_OPTIONS) {
    if (options && options[key] !== undefined) throw notCarried(`createTestClient option \`${key}\``);
  }
  if (options?.provider && options.provider !== getTestDbProvider()) {
    throw notCarried(`a test for the ${options.provider} provider`);
  }
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'zs-suite-'));
  let text;
  let renames;
  let schemaFile = path.join(workDir, 'schema.zmodel');
  if (schema?.[PROJECT_FILE]) {
    // A project of .zmodel files that import each other (`generateTsSchemaInPlace`): all of
    // them, renamed alike, next to each other; Tandem reads the imports from the main one.
    const main = schema[PROJECT_FILE];
    const dir = path.dirname(main);
    const files = readdirSync(dir).filter((f) => f.endsWith('.zmodel'));
    const texts = files.map((f) => readFileSync(path.join(dir, f), 'utf8'));
    ({ renames } = renameReserved(texts.join('\n')));
    for (const [i, f] of files.entries()) {
      await writeFile(path.join(workDir, f), renameWith(texts[i], renames));
    }
    text = files.map((f) => readFileSync(path.join(workDir, f), 'utf8')).join('\n');
    schemaFile = path.join(workDir, path.basename(main));
  } else {
    const source = typeof schema === 'string' ? { text: schema, dir: null } : await zmodelOf(schema);
    ({ text, renames } = renameReserved(source.text));
    await writeFile(schemaFile, text);
  }
  for (const [name, content] of Object.entries(options?.extraZModelFiles ?? {})) {
    await writeFile(path.join(workDir, name.endsWith('.zmodel') ? name : `${name}.zmodel`), content);
  }
  let server;
  try {
    server = await startTandem({
      backend: process.env.TANDEM_SUITE_BACKEND === 'postgres' ? 'postgres' : 'sqlite',
      // On PostgreSQL the BaaS gets its own database too (all-in-one keeps it in SQLite otherwise).
      separateBaasDb: process.env.TANDEM_SUITE_BACKEND === 'postgres',
      schema: schemaFile,
    });
  } catch (err) {
    await rm(workDir, { recursive: true, force: true });
    // The schema did not load: the message names the construct (`enum`, `type`, …).
    const message = String(err?.message ?? err).split('\n').find((l) => /schema\.zmodel:\d+:\d+/.test(l)) ?? String(err?.message ?? err);
    throw new Error(`Tandem refused the schema: ${message.trim()}`);
  }
  // The client's models are the ones Tandem serves (its effective schema leaves out `@@ignore`d
  // models, as ZenStack's client has none for them).
  const effective = await fetch(`${server.host}/api/schema`, { headers: { authorization: basicAuth(server) } })
    .then((r) => r.json())
    .catch(async (err) => {
      await server.stop();
      await rm(workDir, { recursive: true, force: true });
      throw err;
    });
  const served = new Set([...String(effective.schema).matchAll(/^\s*model\s+(\w+)/gm)].map((m) => m[1]));
  // ZenStack's client has no create or upsert for a model with a required Unsupported field
  // and no default (Tandem refuses them with 422); the client here has none either.
  const noCreate = new Set();
  for (const [, name, body] of String(effective.schema).matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    if (/^\s*\w+\s+Unsupported\("[^"]*"\)(?!\?)(?![^\n]*@default)/m.test(body)) noCreate.add(lowerFirst(name));
  }
  const models = new Map();
  for (const m of text.matchAll(/^\s*model\s+(\w+)/gm)) if (served.has(m[1])) models.set(lowerFirst(m[1]), m[1]);
  for (const [from, to] of renames) models.set(lowerFirst(from), to);
  let stopped;
  const stop = () =>
    (stopped ??= (async () => {
      await server.stop();
      await rm(workDir, { recursive: true, force: true });
    })());
  // Upstream tests often leave a client open (harmless in-process there, a server here): each
  // one stops when its test ends, or, made in `beforeAll`, when its file ends.
  try {
    onTestFinished(stop);
  } catch {
    afterAll(stop);
  }
  return makeClient(server, schema, models, stop, { fuzzy: /@fuzzy\b/.test(text), noCreate });
}

export const createPolicyTestClient = () => {
  throw notCarried('a policy test client ($setAuth is per request on Tandem)');
};

/** ZenStack client members an RPC client has no counterpart for. */
const CLIENT_MEMBERS_NOT_CARRIED = [
  '$qb', '$qbRaw', '$executeRaw', '$executeRawUnsafe', '$queryRaw', '$queryRawUnsafe', '$use',
  '$unuse', '$unuseAll', '$setAuth', '$auth', '$setOptions', '$options', '$setInputValidation',
  '$zod', '$diagnostics', '$procs', '$extends',
];

const CREATES = ['create', 'createMany', 'createManyAndReturn', 'upsert'];
const READS = new Set(['findMany', 'findFirst', 'findUnique', 'count', 'aggregate', 'groupBy', 'exists']);
const METHOD = {
  create: 'POST', createMany: 'POST', createManyAndReturn: 'POST', upsert: 'POST',
  update: 'PUT', updateMany: 'PUT', updateManyAndReturn: 'PUT',
  delete: 'DELETE', deleteMany: 'DELETE',
};

/** A function cannot travel as JSON (`$expr: (eb) => …` is a query-builder callback). */
function findFunction(value, at = 'args') {
  if (typeof value === 'function') return at;
  // Values superjson carries as they are (a Decimal holds its constructor as a property).
  if (Decimal.isDecimal(value) || ArrayBuffer.isView(value) || value instanceof Date) return null;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = findFunction(v, `${at}.${k}`);
      if (found) return found;
    }
  }
  return null;
}

function serialize(args) {
  const fn = findFunction(args);
  if (fn) throw notCarried(`a function in the arguments (${fn}), e.g. a query-builder \`$expr\``);
  if (args === undefined) return { json: undefined, meta: undefined };
  const { json, meta } = SuperJSON.serialize(args);
  return { json, meta };
}

function toError(status, error) {
  const err = new ORMError(error?.reason ?? 'internal-error', error?.message ?? `HTTP ${status}`);
  if (error?.model) err.model = error.model;
  if (error?.dbErrorCode !== undefined) err.dbErrorCode = error.dbErrorCode;
  if (error?.reason === 'db-query-error') {
    // ZenStack's RPC answer carries the database's text only inside `message` ("Failed to
    // execute query: <driver>: <text>"); in process, the error also has it as `dbErrorMessage`
    // and as its cause's message.
    const text = String(error.message ?? '').replace(/^Failed to execute query: (error: |SqliteError: )?/, '');
    err.dbErrorMessage = error.dbErrorMessage ?? text;
    err.cause = new Error(err.dbErrorMessage);
  }
  if (error?.rejectReason) err.rejectedByPolicyReason = error.rejectReason;
  return err;
}

function decode(body) {
  const serialization = body?.meta?.serialization;
  return serialization ? SuperJSON.deserialize({ json: body.data, meta: serialization }) : body?.data;
}

/**
 * The one raw statement the suite's setup sends that Tandem has already run: `@fuzzy` fields
 * need PostgreSQL's `pg_trgm` and `unaccent`, which Tandem installs when it starts with such a
 * schema (the fuzzy tests would fail without them). Any other raw SQL is not carried.
 */
function rawStatement(features) {
  return (strings, ...values) => {
    const sql = Array.isArray(strings) ? strings.join('?') : String(strings);
    if (values.length === 0 && features.fuzzy && /^\s*CREATE EXTENSION IF NOT EXISTS (pg_trgm|unaccent)\s*;?\s*$/i.test(sql)) {
      return Promise.resolve(0);
    }
    return Promise.reject(notCarried('client.$executeRaw'));
  };
}

function makeClient(server, schemaDef, models, stop, features = {}) {
  const auth = basicAuth(server);
  const request = async (method, urlPath, { json, meta } = {}, asQuery = false) => {
    let url = `${server.host}${urlPath}`;
    const init = { method, headers: { authorization: auth } };
    if (asQuery) {
      const params = new URLSearchParams();
      if (json !== undefined) params.set('q', JSON.stringify(json));
      if (meta) params.set('meta', JSON.stringify({ serialization: meta }));
      const qs = params.toString();
      if (qs) url += `?${qs}`;
    } else {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(meta ? { ...(json ?? {}), meta: { serialization: meta } } : (json ?? {}));
    }
    const res = await fetch(url, init);
    const text = await res.text();
    let body;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      throw new ORMError('internal-error', `HTTP ${res.status}: ${text.slice(0, 200)}`);
    }
    if (!res.ok || body?.error) throw toError(res.status, body?.error);
    return decode(body);
  };
  const call = (model, op, args) => {
    if (READS.has(op)) return request('GET', `/api/model/${model}/${op}`, serialize(args), true);
    if (op === 'delete' || op === 'deleteMany') return request('DELETE', `/api/model/${model}/${op}`, serialize(args), true);
    return request(METHOD[op], `/api/model/${model}/${op}`, serialize(args));
  };
  const REQUEST = Symbol('rpc request');
  // Lazy like ZenStack's own promises: nothing is sent until awaited, so `$transaction([...])`
  // can send the operations together instead.
  const lazy = (spec, run) => {
    let started;
    const go = () => (started ??= run());
    return {
      [REQUEST]: spec,
      then: (a, b) => go().then(a, b),
      catch: (f) => go().catch(f),
      finally: (f) => go().finally(f),
    };
  };
  const orThrow = (model, base, args) =>
    call(model, base, args).then((r) => {
      if (r === null || r === undefined) throw new ORMError('not-found', `Record not found in ${model}`);
      return r;
    });
  const modelClient = (name) =>
    new Proxy(
      {},
      {
        get(_, op) {
          if (typeof op !== 'string') return undefined;
          if (op === 'findUniqueOrThrow' || op === 'findFirstOrThrow') {
            const base = op.replace('OrThrow', '');
            return (args) => lazy({ model: name, op: base, args, orThrow: true }, () => orThrow(name, base, args));
          }
          if (CREATES.includes(op) && features.noCreate?.has(lowerFirst(name))) return undefined;
          if (READS.has(op) || METHOD[op]) return (args) => lazy({ model: name, op, args }, () => call(name, op, args));
          return undefined;
        },
      },
    );
  const sequential = async (items) => {
    // As ZenStack's client: nothing to send, nothing to do.
    if (items.length === 0) return [];
    const ops = items.map((p) => {
      const spec = p?.[REQUEST];
      if (!spec) throw notCarried('$transaction over something other than client operations');
      const { json, meta } = serialize(spec.args);
      return { model: spec.model, op: spec.op, args: meta ? { ...(json ?? {}), meta: { serialization: meta } } : (json ?? {}) };
    });
    const results = await request('POST', '/api/model/$transaction/sequential', { json: ops });
    items.forEach((p, i) => {
      if (p[REQUEST].orThrow && (results[i] === null || results[i] === undefined)) {
        throw new ORMError('not-found', `Record not found in ${p[REQUEST].model}`);
      }
    });
    return results;
  };
  const clientModels = new Map();
  return new Proxy(
    {},
    {
      get(_, prop) {
        if (typeof prop !== 'string') return undefined;
        switch (prop) {
          case 'then':
            return undefined;
          case '$disconnect':
            return stop;
          case '$connect':
          case '$pushSchema':
            return async () => {};
          case '$schema':
            // A schema given as text has no object: what tests read of it is the provider —
            // the database under test, as ZenStack's testtools set it (the generated schema.ts
            // files say sqlite).
            return typeof schemaDef === 'string'
              ? { provider: { type: getTestDbProvider() } }
              : { ...schemaDef, provider: { ...schemaDef.provider, type: getTestDbProvider() } };
          case '$executeRaw':
            return rawStatement(features);
          case '$transaction':
            return (arg) =>
              Array.isArray(arg)
                ? sequential(arg)
                : Promise.reject(notCarried('$transaction(callback): an interactive transaction'));
          default:
            break;
        }
        if (CLIENT_MEMBERS_NOT_CARRIED.includes(prop)) throw notCarried(`client.${prop}`);
        // Anything else is not a model (vitest's printer asks for `$$typeof`, `toJSON`, …).
        if (prop.startsWith('$')) return undefined;
        const model = models.get(lowerFirst(prop));
        if (!model) return undefined;
        if (!clientModels.has(model)) clientModels.set(model, modelClient(model));
        return clientModels.get(model);
      },
    },
  );
}
