// Starts a fresh `tandem` deployment for one conformance run: all-in-one (one process) or split
// (a Platform-only and a BaaS-only process syncing over HTTP), each process on a free port with a
// new temporary data directory and, for the PostgreSQL backend, new uniquely named databases.
// Everything it creates is removed again by `stop()`.
//
// Environment:
//   TANDEM_BIN                      the binary (default <repo>/target/debug/tandem)
//   TANDEM_CONFORMANCE_BACKENDS     comma-separated backends to run (default sqlite,postgres)
//   TANDEM_CONFORMANCE_DEPLOYMENTS  comma-separated deployments for the tests that run per
//                                   deployment (default all-in-one,split)
//   TANDEM_TEST_PG_URL              PostgreSQL admin URL (default postgres://postgres@127.0.0.1:5432/postgres)

import { spawn, execFile, execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { Platform } from '@roq/nodejs';

const execFileAsync = promisify(execFile);

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..');

export const TANDEM_BIN = process.env.TANDEM_BIN
  ? path.resolve(process.env.TANDEM_BIN)
  : path.join(REPO_ROOT, 'target', 'debug', 'tandem');

export const PG_ADMIN_URL =
  process.env.TANDEM_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

const KNOWN_BACKENDS = ['sqlite', 'postgres'];
const KNOWN_DEPLOYMENTS = ['all-in-one', 'split'];

/** A comma-separated list from `envName`, each entry one of `known`; all of them when unset. */
function parseList(envName, known, what) {
  const raw = process.env[envName];
  if (raw === undefined || raw.trim() === '') return [...known];
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const b of list) {
    if (!known.includes(b)) {
      throw new Error(`${envName}: unknown ${what} '${b}' (known: ${known.join(', ')})`);
    }
  }
  if (list.length === 0) throw new Error(`${envName} names no ${what}`);
  return list;
}

export const BACKENDS = parseList('TANDEM_CONFORMANCE_BACKENDS', KNOWN_BACKENDS, 'backend');

/** Deployments for the tests that run per deployment (`startTandem`'s `deployment`). */
export const DEPLOYMENTS = parseList('TANDEM_CONFORMANCE_DEPLOYMENTS', KNOWN_DEPLOYMENTS, 'deployment');

const HEALTH_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
const MAX_CAPTURE = 256 * 1024;

/** Servers still running, killed if the test process exits without stopping them. */
const live = new Set();
process.on('exit', () => {
  for (const s of live) s.emergencyCleanup();
});

/** A port that was free a moment ago: bind port 0 on loopback, read it, close. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

export function pgUrlFor(adminUrl, dbName) {
  const u = new URL(adminUrl);
  u.pathname = '/' + dbName;
  return u.toString();
}

export async function psql(adminUrl, sql) {
  try {
    return await execFileAsync(
      'psql',
      ['--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-X', '-q', '-d', adminUrl, '-c', sql],
      { timeout: 30_000 },
    );
  } catch (err) {
    const detail = err.code === 'ENOENT' ? 'the psql command is not installed' : (err.stderr || err.message).trim();
    throw new Error(
      `PostgreSQL at ${adminUrl} (TANDEM_TEST_PG_URL) is not usable for the postgres conformance run: ${detail}`,
    );
  }
}

/** Keeps the last MAX_CAPTURE characters a stream wrote. */
function capture(stream) {
  const buf = { text: '' };
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buf.text += chunk;
    if (buf.text.length > MAX_CAPTURE) buf.text = buf.text.slice(-MAX_CAPTURE);
  });
  return buf;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A fresh environment for the child: nothing TANDEM_* leaks in from the caller; then `extra`. */
function childEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('TANDEM_')) env[k] = v;
  }
  return { ...env, ...extra };
}

/**
 * Spawns one `tandem` process listening at `host` and watches it: its output is captured, its
 * exit recorded. `name` (e.g. `tandem (sqlite)`) labels its logs and messages.
 */
function spawnTandemProcess({ name, args, env, host }) {
  const child = spawn(TANDEM_BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout = capture(child.stdout);
  const stderr = capture(child.stderr);
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
    child.on('error', (err) => {
      exited = { code: null, signal: null, error: err };
      resolve(exited);
    });
  });
  const command = `${TANDEM_BIN} ${args.join(' ')}`;

  return {
    name,
    host,
    logs: () => `--- ${name} stderr ---\n${stderr.text}\n--- ${name} stdout ---\n${stdout.text}`,

    /**
     * Resolves once GET <host>/health answers 200 {"status":"ok"}; throws (without the logs,
     * which the caller adds) when the process exits first or the timeout passes. Returns quietly
     * as soon as `cancelled()` is true (another process of the deployment failed).
     */
    async waitHealthy(cancelled = () => false) {
      const deadline = Date.now() + HEALTH_TIMEOUT_MS;
      let lastProblem = 'no answer yet';
      for (;;) {
        if (cancelled()) return;
        if (exited) {
          throw new Error(
            `${name} exited before answering /health ` +
              `(code ${exited.code}, signal ${exited.signal}${exited.error ? `, ${exited.error.message}` : ''})\n` +
              `command: ${command}`,
          );
        }
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          await exitPromise;
          throw new Error(
            `${name} did not answer GET ${host}/health with 200 {"status":"ok"} within ` +
              `${HEALTH_TIMEOUT_MS / 1000} s (last: ${lastProblem})\n` +
              `command: ${command}`,
          );
        }
        try {
          const res = await fetch(`${host}/health`, { signal: AbortSignal.timeout(2000) });
          const body = await res.text();
          if (res.status === 200) {
            let json = null;
            try {
              json = JSON.parse(body);
            } catch {
              /* reported below */
            }
            if (json && json.status === 'ok') return;
            lastProblem = `200 with unexpected body ${body}`;
          } else {
            lastProblem = `HTTP ${res.status} ${body}`;
          }
        } catch (err) {
          lastProblem = err.cause?.code || err.message;
        }
        await sleep(100);
      }
    },

    /** SIGTERM, then waits for a graceful exit (code 0). Returns a problem description or null. */
    async stop() {
      if (exited) {
        return `${name} had already exited (code ${exited.code}, signal ${exited.signal}) before stop()`;
      }
      child.kill('SIGTERM');
      let timer;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS);
      });
      const result = await Promise.race([exitPromise, timeout]);
      clearTimeout(timer);
      if (result === null) {
        child.kill('SIGKILL');
        await exitPromise;
        return `${name} did not exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; killed`;
      }
      if (result.code !== 0) {
        // A graceful shutdown ends with exit code 0, not death by the signal.
        return `${name} did not shut down gracefully on SIGTERM (exit code ${result.code}, signal ${result.signal})`;
      }
      return null;
    },

    /** SIGKILL and wait for the exit. */
    async kill() {
      if (exited) return;
      child.kill('SIGKILL');
      await exitPromise;
    },

    /** SIGKILL without waiting (for the process's exit handler). */
    killNow() {
      if (!exited) child.kill('SIGKILL');
    },
  };
}

/** Two distinct ports that were free a moment ago. */
async function twoFreePorts() {
  const first = await freePort();
  for (;;) {
    const second = await freePort();
    if (second !== first) return [first, second];
  }
}

/**
 * Starts a fresh deployment. Returns {host, baasHost, environmentId, apiKey, backend,
 * deployment, dataDir, databaseName, logs(), stop()}: `host` is the Platform's base URL (GraphQL,
 * the SDK), `baasHost` the BaaS's (ZenStack RPC) — the same URL all-in-one.
 * Throws (never skips) when the binary, PostgreSQL or a process's health check fails.
 *
 * Options:
 * - `schema` — an app schema file passed as `--schema` (to the BaaS process when split);
 * - `separateBaasDb` — all-in-one on PostgreSQL: also put the BaaS store in its own new
 *   database (`--baas-db`). A split deployment always has one store per process;
 * - `deployment` — `all-in-one` (default): one `tandem serve` running both halves, with
 *   credentials it generates on first start; `split`: `tandem serve --only platform` and
 *   `tandem serve --only baas`, each with its own data directory (and, on PostgreSQL, its own
 *   database: `--platform-db` / `--baas-db`), each `--peer-url` the other, sharing a random
 *   `TANDEM_SYNC_SECRET` and credentials generated here (`TANDEM_ENVIRONMENT_ID` /
 *   `TANDEM_API_KEY`, passed to both);
 * - `env` — extra environment variables for every process (e.g. `TANDEM_SMTP_URL`).
 */
export async function startTandem({
  backend = 'sqlite',
  schema,
  separateBaasDb = false,
  deployment = 'all-in-one',
  env: extraEnv = {},
} = {}) {
  if (!KNOWN_BACKENDS.includes(backend)) {
    throw new Error(`startTandem: unknown backend '${backend}'`);
  }
  if (!KNOWN_DEPLOYMENTS.includes(deployment)) {
    throw new Error(`startTandem: unknown deployment '${deployment}' (known: ${KNOWN_DEPLOYMENTS.join(', ')})`);
  }
  if (!existsSync(TANDEM_BIN)) {
    throw new Error(
      `tandem binary not found at ${TANDEM_BIN}: build it with \`cargo build -p tandem\` or set TANDEM_BIN`,
    );
  }
  const split = deployment === 'split';

  const rootDir = await mkdtemp(path.join(os.tmpdir(), `tandem-conf-${backend}-${split ? 'split-' : ''}`));
  const dataDir = split ? path.join(rootDir, 'platform') : rootDir;
  const baasDataDir = split ? path.join(rootDir, 'baas') : rootDir;
  const dbNames = []; // every database created, dropped again by stop()
  const procs = [];
  const cleanups = [];
  cleanups.push(() => rm(rootDir, { recursive: true, force: true }));
  const logs = () => procs.map((p) => p.logs()).join('\n');

  async function createDatabase(name) {
    await psql(PG_ADMIN_URL, `CREATE DATABASE "${name}"`);
    dbNames.push(name);
    cleanups.unshift(() => psql(PG_ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    return pgUrlFor(PG_ADMIN_URL, name);
  }

  try {
    let dbName = null;
    let baasDbName = null;
    let platformDbUrl = null;
    let baasDbUrl = null;
    if (backend === 'postgres') {
      dbName = `tandem_conf_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
      platformDbUrl = await createDatabase(dbName);
      if (split || separateBaasDb) {
        baasDbName = `${dbName}_baas`;
        baasDbUrl = await createDatabase(baasDbName);
      }
    }
    const schemaArgs = schema ? ['--schema', path.resolve(schema)] : [];

    let creds = null;
    if (split) {
      await mkdir(dataDir, { mode: 0o700 });
      await mkdir(baasDataDir, { mode: 0o700 });
      creds = { environmentId: randomUUID(), apiKey: randomBytes(32).toString('base64url') };
      const env = childEnv({
        ...extraEnv,
        TANDEM_ENVIRONMENT_ID: creds.environmentId,
        TANDEM_API_KEY: creds.apiKey,
        TANDEM_SYNC_SECRET: randomBytes(32).toString('base64url'),
      });
      // Each peer must know the other's URL before it starts.
      const [platformPort, baasPort] = await twoFreePorts();
      const platformHost = `http://127.0.0.1:${platformPort}`;
      const baasHost = `http://127.0.0.1:${baasPort}`;
      const platformArgs = ['serve', '--only', 'platform', '--peer-url', baasHost, '--data-dir', dataDir];
      if (platformDbUrl) platformArgs.push('--platform-db', platformDbUrl);
      platformArgs.push('--listen', `127.0.0.1:${platformPort}`);
      const baasArgs = ['serve', '--only', 'baas', '--peer-url', platformHost, '--data-dir', baasDataDir];
      if (baasDbUrl) baasArgs.push('--baas-db', baasDbUrl);
      baasArgs.push(...schemaArgs, '--listen', `127.0.0.1:${baasPort}`);
      procs.push(
        spawnTandemProcess({ name: `tandem platform (${backend})`, args: platformArgs, env, host: platformHost }),
        spawnTandemProcess({ name: `tandem baas (${backend})`, args: baasArgs, env, host: baasHost }),
      );
    } else {
      const args = ['serve', '--data-dir', dataDir];
      if (platformDbUrl) args.push('--platform-db', platformDbUrl);
      if (baasDbUrl) args.push('--baas-db', baasDbUrl);
      args.push(...schemaArgs);
      const port = await freePort();
      args.push('--listen', `127.0.0.1:${port}`);
      procs.push(
        spawnTandemProcess({ name: `tandem (${backend})`, args, env: childEnv(extraEnv), host: `http://127.0.0.1:${port}` }),
      );
    }

    // Wait for every process's /health; the first failure ends the wait for all of them.
    let failed = false;
    try {
      await Promise.all(
        procs.map((p) =>
          p.waitHealthy(() => failed).catch((err) => {
            failed = true;
            throw err;
          }),
        ),
      );
    } catch (err) {
      throw new Error(`${err.message}\n${logs()}`);
    }

    if (!split) {
      // Credentials generated on first start.
      try {
        const { stdout: out } = await execFileAsync(
          TANDEM_BIN,
          ['credentials', '--data-dir', dataDir, '--json'],
          { env: childEnv(), timeout: 30_000 },
        );
        creds = JSON.parse(out);
      } catch (err) {
        throw new Error(
          `\`tandem credentials --data-dir ${dataDir} --json\` failed: ${(err.stderr || err.message).trim()}`,
        );
      }
      if (typeof creds.environmentId !== 'string' || typeof creds.apiKey !== 'string') {
        throw new Error(`tandem credentials printed no environmentId/apiKey: ${JSON.stringify(creds)}`);
      }
    }

    let stopped = false;
    const server = {
      host: procs[0].host,
      baasHost: procs[procs.length - 1].host,
      environmentId: creds.environmentId,
      apiKey: creds.apiKey,
      backend,
      deployment,
      dataDir,
      baasDataDir,
      databaseName: dbName,
      baasDatabaseName: baasDbName,
      logs,
      async stop() {
        if (stopped) return;
        stopped = true;
        live.delete(server);
        const problems = (await Promise.all(procs.map((p) => p.stop()))).filter(Boolean);
        for (const c of cleanups) await c();
        if (problems.length > 0) throw new Error(`${problems.join('\n')}\n${logs()}`);
      },
      emergencyCleanup() {
        for (const p of procs) p.killNow();
        try {
          execFileSync('rm', ['-rf', rootDir]);
          for (const name of dbNames) {
            execFileSync('psql', ['-X', '-q', '-d', PG_ADMIN_URL, '-c', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`], {
              stdio: 'ignore',
              timeout: 10_000,
            });
          }
        } catch {
          /* best effort while exiting */
        }
      },
    };
    live.add(server);
    return server;
  } catch (err) {
    await Promise.all(procs.map((p) => p.kill()));
    for (const c of cleanups) {
      try {
        await c();
      } catch {
        /* the original error matters more */
      }
    }
    throw err;
  }
}

/**
 * Waits until both sync directions are reported and have nothing pending
 * (GET /sync/v1/status; in a split deployment either process answers, asking its peer for the
 * direction the peer sends — a peer it cannot reach shows up in `unreachable`, not as drained).
 */
export async function waitForSync(host, auth, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const res = await fetch(`${host}/sync/v1/status`, { headers: { authorization: auth } });
    last = await res.text();
    if (res.status !== 200) throw new Error(`GET /sync/v1/status: ${res.status} ${last}`);
    const status = JSON.parse(last);
    const names = status.directions.map((d) => d.direction).sort().join(',');
    if (
      names === 'baas_to_platform,platform_to_baas' &&
      (status.unreachable ?? []).length === 0 &&
      status.directions.every((d) => d.pending === 0 && d.failed === 0)
    ) {
      return status;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`sync did not drain within ${timeoutMs} ms: ${last}`);
}

/** `Authorization: Basic …` for a started server's environment credentials. */
export const basicAuth = (server) => `Basic ${Buffer.from(`${server.environmentId}:${server.apiKey}`).toString('base64')}`;

/**
 * Creates tenants and users on a started server's Platform, the way a migration would (the
 * `id`/`createdAt` extension of createTenant/createUser, through @roq/nodejs), from rows shaped
 * like the BaaS's (`first_name`, `tenant_id`, `created_at`, …), and waits until sync has put
 * them on the BaaS.
 */
export async function createOnPlatform(server, { tenants = [], users = [] }) {
  const admin = new Platform({ host: server.host, environmentId: server.environmentId, apiKey: server.apiKey }).asSuperAdmin();
  for (const t of tenants) {
    await admin.graphqlRequest('mutation($t: TenantCreateDto!) { createTenant(tenant: $t) { id } }', {
      t: { id: t.id, name: t.name, createdAt: t.created_at },
    });
  }
  for (const u of users) {
    await admin.createUser({
      user: {
        id: u.id,
        reference: `migrated-${u.id}`,
        email: u.email,
        firstName: u.first_name ?? null,
        lastName: u.last_name ?? null,
        locale: u.locale ?? null,
        timezone: u.timezone ?? null,
        avatarUrl: u.avatar_url ?? null,
        tenantId: u.tenant_id,
        active: u.active ?? true,
        createdAt: u.created_at,
      },
    });
  }
  await waitForSync(server.host, basicAuth(server));
}
