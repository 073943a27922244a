// Starts a fresh `tandem` binary for one conformance run: a free port, a new temporary data
// directory and, for the PostgreSQL backend, a new uniquely named database. Everything it
// creates is removed again by `stop()`.
//
// Environment:
//   TANDEM_BIN                   the binary (default <repo>/target/debug/tandem)
//   TANDEM_CONFORMANCE_BACKENDS  comma-separated backends to run (default sqlite,postgres)
//   TANDEM_TEST_PG_URL           PostgreSQL admin URL (default postgres://postgres@127.0.0.1:5432/postgres)

import { spawn, execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..');

export const TANDEM_BIN = process.env.TANDEM_BIN
  ? path.resolve(process.env.TANDEM_BIN)
  : path.join(REPO_ROOT, 'target', 'debug', 'tandem');

export const PG_ADMIN_URL =
  process.env.TANDEM_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

const KNOWN_BACKENDS = ['sqlite', 'postgres'];

function parseBackends(raw) {
  if (raw === undefined || raw.trim() === '') return [...KNOWN_BACKENDS];
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const b of list) {
    if (!KNOWN_BACKENDS.includes(b)) {
      throw new Error(
        `TANDEM_CONFORMANCE_BACKENDS: unknown backend '${b}' (known: ${KNOWN_BACKENDS.join(', ')})`,
      );
    }
  }
  if (list.length === 0) throw new Error('TANDEM_CONFORMANCE_BACKENDS names no backend');
  return list;
}

export const BACKENDS = parseBackends(process.env.TANDEM_CONFORMANCE_BACKENDS);

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

/** A fresh environment for the child: nothing TANDEM_* leaks in from the caller. */
function childEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('TANDEM_')) env[k] = v;
  }
  return env;
}

/**
 * Starts a fresh server. Returns {host, environmentId, apiKey, backend, dataDir, logs(), stop()}.
 * Throws (never skips) when the binary, PostgreSQL or the server's health check fails.
 *
 * Options: `schema` — an app schema file passed as `--schema`; `separateBaasDb` —
 * on PostgreSQL, also put the BaaS store in its own new database (`--baas-db`).
 */
export async function startTandem({ backend = 'sqlite', schema, separateBaasDb = false } = {}) {
  if (!KNOWN_BACKENDS.includes(backend)) {
    throw new Error(`startTandem: unknown backend '${backend}'`);
  }
  if (!existsSync(TANDEM_BIN)) {
    throw new Error(
      `tandem binary not found at ${TANDEM_BIN}: build it with \`cargo build -p tandem\` or set TANDEM_BIN`,
    );
  }

  const dataDir = await mkdtemp(path.join(os.tmpdir(), `tandem-conf-${backend}-`));
  let dbName = null;
  const extraDbNames = [];
  let child = null;
  const cleanups = [];
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

  const args = ['serve', '--data-dir', dataDir];
  try {
    if (backend === 'postgres') {
      dbName = `tandem_conf_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
      await psql(PG_ADMIN_URL, `CREATE DATABASE "${dbName}"`);
      cleanups.unshift(() => psql(PG_ADMIN_URL, `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
      args.push('--platform-db', pgUrlFor(PG_ADMIN_URL, dbName));
      if (separateBaasDb) {
        const baasDbName = `${dbName}_baas`;
        await psql(PG_ADMIN_URL, `CREATE DATABASE "${baasDbName}"`);
        cleanups.unshift(() => psql(PG_ADMIN_URL, `DROP DATABASE IF EXISTS "${baasDbName}" WITH (FORCE)`));
        extraDbNames.push(baasDbName);
        args.push('--baas-db', pgUrlFor(PG_ADMIN_URL, baasDbName));
      }
    }
    if (schema) args.push('--schema', path.resolve(schema));

    const port = await freePort();
    const host = `http://127.0.0.1:${port}`;
    args.push('--listen', `127.0.0.1:${port}`);

    const env = childEnv();
    child = spawn(TANDEM_BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
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
    const logs = () => `--- tandem stderr ---\n${stderr.text}\n--- tandem stdout ---\n${stdout.text}`;

    // Wait for /health.
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    let lastProblem = 'no answer yet';
    for (;;) {
      if (exited) {
        throw new Error(
          `tandem (${backend}) exited before answering /health ` +
            `(code ${exited.code}, signal ${exited.signal}${exited.error ? `, ${exited.error.message}` : ''})\n` +
            `command: ${TANDEM_BIN} ${args.join(' ')}\n${logs()}`,
        );
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        await exitPromise;
        throw new Error(
          `tandem (${backend}) did not answer GET ${host}/health with 200 {"status":"ok"} within ` +
            `${HEALTH_TIMEOUT_MS / 1000} s (last: ${lastProblem})\n` +
            `command: ${TANDEM_BIN} ${args.join(' ')}\n${logs()}`,
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
          if (json && json.status === 'ok') break;
          lastProblem = `200 with unexpected body ${body}`;
        } else {
          lastProblem = `HTTP ${res.status} ${body}`;
        }
      } catch (err) {
        lastProblem = err.cause?.code || err.message;
      }
      await sleep(100);
    }

    // Credentials generated on first start.
    let creds;
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

    let stopped = false;
    const server = {
      host,
      environmentId: creds.environmentId,
      apiKey: creds.apiKey,
      backend,
      dataDir,
      databaseName: dbName,
      logs,
      async stop() {
        if (stopped) return;
        stopped = true;
        live.delete(server);
        let problem = null;
        if (!exited) {
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
            problem = `tandem (${backend}) did not exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; killed`;
          } else if (result.code !== 0) {
            // A graceful shutdown ends with exit code 0, not death by the signal.
            problem = `tandem (${backend}) did not shut down gracefully on SIGTERM (exit code ${result.code}, signal ${result.signal})`;
          }
        } else {
          problem = `tandem (${backend}) had already exited (code ${exited.code}, signal ${exited.signal}) before stop()`;
        }
        for (const c of cleanups) await c();
        if (problem) throw new Error(`${problem}\n${logs()}`);
      },
      emergencyCleanup() {
        if (!exited) child.kill('SIGKILL');
        try {
          execFileSync('rm', ['-rf', dataDir]);
          for (const name of [...extraDbNames, dbName].filter(Boolean)) {
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
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
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

/** Waits until both sync directions have nothing pending (GET /sync/v1/status). */
export async function waitForSync(host, auth, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const res = await fetch(`${host}/sync/v1/status`, { headers: { authorization: auth } });
    last = await res.text();
    if (res.status !== 200) throw new Error(`GET /sync/v1/status: ${res.status} ${last}`);
    const status = JSON.parse(last);
    if (status.directions.every((d) => d.pending === 0 && d.failed === 0)) return status;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`sync did not drain within ${timeoutMs} ms: ${last}`);
}

/** `Authorization: Basic …` for a started server's environment credentials. */
export const basicAuth = (server) => `Basic ${Buffer.from(`${server.environmentId}:${server.apiKey}`).toString('base64')}`;
