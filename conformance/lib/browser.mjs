// Headless Chromium (puppeteer-core) for the tests that drive a person through Tandem's hosted
// pages: launching it, remembering what each page logged, describing a page for failure
// messages, and filling and submitting a form the way a person would.
//
// Needs Chromium at /usr/bin/chromium (Debian: `apt-get install chromium`; .ci/run installs it)
// or at TANDEM_CHROMIUM.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';

import puppeteer from 'puppeteer-core';

export const CHROMIUM = process.env.TANDEM_CHROMIUM || '/usr/bin/chromium';

/** Launches headless Chromium with `extraArgs` added; fails with how to install it when missing. */
export async function launchBrowser(extraArgs = []) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install it (Debian: \`apt-get install -y --no-install-recommends chromium\`) ` +
        'or set TANDEM_CHROMIUM to its path',
    );
  }
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/** The last messages each page logged to its console or threw (shown in failure messages). */
const consoleOf = new WeakMap();
export function watchConsole(page) {
  const lines = [];
  consoleOf.set(page, lines);
  const keep = (line) => {
    lines.push(line);
    if (lines.length > 20) lines.shift();
  };
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    const where = msg.location()?.url ?? '';
    if (where.endsWith('/favicon.ico')) return;
    keep(`console.${msg.type()}: ${msg.text()}${where ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (err) => keep(`uncaught: ${err.message}`));
}

/** Where the browser is and what it shows, for failure messages. */
export async function describePage(page) {
  let text = '';
  try {
    text = await page.evaluate(() => document.body?.innerText ?? '');
  } catch (err) {
    text = `(could not read the body: ${err.message})`;
  }
  text = text.replace(/\s+/g, ' ').trim();
  const logged = consoleOf.get(page) ?? [];
  return (
    `page URL: ${page.url()}\npage body: ${text.length > 800 ? `${text.slice(0, 800)}…` : text}` +
    (logged.length > 0 ? `\nbrowser console (last ${logged.length}):\n  ${logged.join('\n  ')}` : '')
  );
}

/** Fills the inputs (found by name), presses the button with this text and waits for the answer page. */
export async function submitForm(page, fields, buttonText) {
  for (const [name, value] of Object.entries(fields)) {
    const input = await page.$(`input[name="${name}"]`);
    assert.ok(input, `expected an input name="${name}"\n${await describePage(page)}`);
    await input.click({ count: 3 });
    await page.evaluate((el) => {
      el.value = '';
    }, input);
    await input.type(value);
  }
  const buttons = await page.$$('button, input[type="submit"]');
  let button = null;
  for (const b of buttons) {
    const text = await b.evaluate((el) => (el.tagName === 'INPUT' ? el.value : el.textContent).trim());
    if (text === buttonText) button = b;
  }
  assert.ok(button, `expected a button "${buttonText}" on the page\n${await describePage(page)}`);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

/**
 * A browser journey of dependent steps: `step(name, fn)` registers a test that runs only when
 * every step before it passed (a later step needs what an earlier one did), `shot(t, name)`
 * keeps a numbered full-page screenshot of `page()` in `artifacts` as `<prefix>-NN-name.png`,
 * and `failed()` names the first failed step (to dump logs after).
 */
export function journey({ it, artifacts, prefix, page }) {
  let failed = null;
  let shotNo = 0;
  return {
    failed: () => failed,
    step(name, fn) {
      it(name, async (t) => {
        if (failed) {
          t.skip(`an earlier step failed: ${failed}`);
          return;
        }
        try {
          await fn(t);
        } catch (err) {
          failed = name;
          throw err;
        }
      });
    },
    async shot(t, name) {
      shotNo += 1;
      const file = path.join(artifacts, `${prefix}-${String(shotNo).padStart(2, '0')}-${name}.png`);
      await page().screenshot({ path: file, fullPage: true });
      t.diagnostic(`screenshot: ${file}`);
      return file;
    },
  };
}
