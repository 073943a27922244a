// Builds and serves the Next.js test app in ../nextjs-app (a real App Router app using
// @roq/nextjs's RoqAuth, and ZenStack's TanStack Query hooks on its /team page), for the tests
// that drive Tandem's hosted log-in and the BaaS as the logged-in user through it.
//
// `buildNextApp()` runs `npm ci` when node_modules does not match package-lock.json, and
// `zen generate` + `next build` when .next is missing or was built from other sources (both are recorded as a
// SHA-256 stamp next to what they produced), so a test run on a fresh checkout does both and a
// second run does neither. `startNextApp()` serves the build with `next start` on a given port,
// with the environment of one Tandem instance (ROQ_* for RoqAuth, TANDEM_* and NEXTAUTH_* for
// next-auth; the app reads it at request time).

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const NEXT_APP_DIR = path.resolve(HERE, '..', 'nextjs-app');

const NEXT_BIN = path.join(NEXT_APP_DIR, 'node_modules', 'next', 'dist', 'bin', 'next');
// The app's ZModel, compiled by the conformance package's `zen generate` into schema.ts (the
// schema object ZenStack's hooks take) before each build.
const ZMODEL = path.join(NEXT_APP_DIR, 'zenstack', 'schema.zmodel');
const ZEN_CLI = path.join(path.dirname(createRequire(import.meta.url).resolve('@zenstackhq/cli/package.json')), 'bin', 'cli');
/** Node 20 lacks Object.groupBy, which the zen CLI uses. */
const ZEN_POLYFILL = path.resolve(HERE, '..', 'baas-diff', 'lib', 'polyfill.cjs');
const LOCK_STAMP = path.join(NEXT_APP_DIR, 'node_modules', '.tandem-lock-sha256');
const BUILD_STAMP = path.join(NEXT_APP_DIR, '.next', 'tandem-sources-sha256');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const MAX_CAPTURE = 256 * 1024;

/** The environment for npm and next: the caller's, minus every ROQ_*, TANDEM_*, NEXT_*, NEXTAUTH_* (the app must not bake any in). */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('ROQ_') && !k.startsWith('TANDEM_') && !k.startsWith('NEXT_') && !k.startsWith('NEXTAUTH_') && k !== 'PORT') env[k] = v;
  }
  return { ...env, NEXT_TELEMETRY_DISABLED: '1', ...extra };
}

/** Keeps the last MAX_CAPTURE characters a child prints (stdout and stderr); returns a reader. */
function captureTail(child) {
  let out = '';
  const keep = (chunk) => {
    out += chunk;
    if (out.length > MAX_CAPTURE) out = out.slice(-MAX_CAPTURE);
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  return () => out;
}

/** Runs a command in the app folder; resolves with its output, rejects with it on failure. */
function run(command, args, { env = cleanEnv(), timeoutMs = 15 * 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: NEXT_APP_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = captureTail(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`\`${command} ${args.join(' ')}\` in ${NEXT_APP_DIR} could not start: ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output());
      else {
        reject(
          new Error(
            `\`${command} ${args.join(' ')}\` in ${NEXT_APP_DIR} failed (exit code ${code}, signal ${signal}):\n${output()}`,
          ),
        );
      }
    });
  });
}

async function sha256OfFiles(files) {
  const hash = createHash('sha256');
  for (const f of files) {
    hash.update(path.relative(NEXT_APP_DIR, f));
    hash.update('\0');
    hash.update(await readFile(f));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Every file the build depends on: manifest, lockfile, config, the ZModel and everything under app/. */
async function sourceFiles() {
  const files = ['package.json', 'package-lock.json', 'next.config.js', ZMODEL].map((f) =>
    path.resolve(NEXT_APP_DIR, f),
  );
  const walk = async (dir) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else files.push(p);
    }
  };
  await walk(path.join(NEXT_APP_DIR, 'app'));
  return files.sort();
}

const readStamp = async (file) => (existsSync(file) ? (await readFile(file, 'utf8')).trim() : null);

/**
 * Makes sure ../nextjs-app has its dependencies installed (`npm ci`) and a production build of
 * its current sources (`next build`). Returns what it did, for the test log.
 */
export async function buildNextApp() {
  const done = [];
  const lockHash = await sha256OfFiles([path.join(NEXT_APP_DIR, 'package-lock.json')]);
  if ((await readStamp(LOCK_STAMP)) !== lockHash || !existsSync(NEXT_BIN)) {
    const started = Date.now();
    await run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
    await writeFile(LOCK_STAMP, `${lockHash}\n`);
    done.push(`npm ci (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  const srcHash = await sha256OfFiles(await sourceFiles());
  if ((await readStamp(BUILD_STAMP)) !== srcHash || !existsSync(path.join(NEXT_APP_DIR, '.next', 'BUILD_ID'))) {
    const started = Date.now();
    await run(process.execPath, [
      '-r', ZEN_POLYFILL, ZEN_CLI, 'generate', '--schema', ZMODEL, '-o', path.dirname(ZMODEL), '--silent',
      '--no-version-check', '--no-tips', '--generate-models', 'false', '--generate-input', 'false',
    ], { env: cleanEnv({ DO_NOT_TRACK: '1' }) });
    await run(process.execPath, [NEXT_BIN, 'build']);
    await writeFile(BUILD_STAMP, `${srcHash}\n`);
    done.push(`next build (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  return done.length > 0 ? done.join(', ') : 'up to date';
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Serves the built app with `next start -p <port> -H 127.0.0.1` and `env` (the ROQ_* variables)
 * added to a clean environment. Resolves once GET / answers; returns {url, logs(), stop()}.
 */
export async function startNextApp({ port, env }) {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: NEXT_APP_DIR,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = captureTail(child);
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
    child.on('error', (error) => {
      exited = { code: null, signal: null, error };
      resolve(exited);
    });
  });
  const logs = () => `--- next start (${url}) output ---\n${output()}`;
  const onExit = () => child.kill('SIGKILL');
  process.on('exit', onExit);

  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = '';
  for (;;) {
    if (exited) {
      throw new Error(`next start exited before answering (code ${exited.code}, signal ${exited.signal})\n${logs()}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exitPromise;
      throw new Error(`next start did not answer GET ${url}/ within ${START_TIMEOUT_MS / 1000} s (last: ${last})\n${logs()}`);
    }
    try {
      const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code || err.message;
    }
    await sleep(100);
  }

  return {
    url,
    logs,
    async stop() {
      process.off('exit', onExit);
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}
