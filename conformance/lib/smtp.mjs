// A real SMTP server for the tests that follow mail: Python's aiosmtpd (PyPI, pinned in
// ../requirements.txt), run by lib/smtp_sink.py. `scripts/test` installs it into
// conformance/.venv; TANDEM_PYTHON names another interpreter that has it.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const PYTHON = process.env.TANDEM_PYTHON || path.resolve(HERE, '..', '.venv', 'bin', 'python');

/**
 * Starts the sink on a free port. Returns `{ port, url, messages, waitFor(pred, what, ms), stop() }`;
 * `messages` fills with `{from, to, subject, messageId, text, html}` as mail arrives.
 */
export async function startSmtpSink() {
  if (!existsSync(PYTHON)) {
    throw new Error(
      `no Python with aiosmtpd at ${PYTHON}: run \`python3 -m venv conformance/.venv && ` +
        'conformance/.venv/bin/pip install -r conformance/requirements.txt` (scripts/test does), or set TANDEM_PYTHON',
    );
  }
  const child = spawn(PYTHON, [path.join(HERE, 'smtp_sink.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
  const messages = [];
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const lines = readline.createInterface({ input: child.stdout });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the SMTP sink did not start in 15 s\n${stderr}`)), 15_000);
    child.on('exit', (code) => reject(new Error(`the SMTP sink exited (${code})\n${stderr}`)));
    lines.on('line', (line) => {
      const listening = line.match(/^LISTENING (\d+)$/);
      if (listening) {
        clearTimeout(timer);
        resolve(Number(listening[1]));
      } else if (line.startsWith('{')) {
        messages.push(JSON.parse(line));
      }
    });
  });
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    /** The first message matching `pred`, waiting up to `ms`. */
    async waitFor(pred, what, ms = 15_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = messages.find(pred);
        if (found) return found;
        assert.ok(
          Date.now() < deadline,
          `no mail ${what} reached the SMTP server in ${ms} ms; it received: ${JSON.stringify(messages.map((m) => [m.to, m.subject]))}`,
        );
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      child.stdin.end();
      await new Promise((r) => {
        if (child.exitCode !== null) r();
        else child.on('exit', r);
        setTimeout(() => {
          child.kill('SIGKILL');
          r();
        }, 5000);
      });
    },
  };
}

/** The first http(s) link in a text. */
export function firstLink(text) {
  const m = String(text ?? '').match(/https?:\/\/\S+/);
  assert.ok(m, `expected a link in the message:\n${text}`);
  return m[0];
}
