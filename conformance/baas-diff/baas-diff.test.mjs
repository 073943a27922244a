// The BaaS differential test: every corpus entry (corpus.mjs) is sent to a fresh ZenStack v3
// server and a fresh Tandem (same effective schema, same seed), once per backend. The test fails
// on any response that differs and is not in known-differences.json, on an allowlisted response
// whose differences are not exactly the ones its entry lists (an allowlisted query must not hide a
// second difference), and on a stale entry (its query now matches, or is not in the corpus), so
// that the allowlist always describes today's differences. REPORT.md lists every mismatch with
// its request, the expected (ZenStack) and the actual (Tandem) response.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { BACKENDS, TANDEM_BIN } from '../lib/tandem.mjs';
import { buildCorpus } from './corpus.mjs';
import { judge, loadAllowlist, writeReport } from './lib/report.mjs';
import { runCorpus, startPair } from './lib/runner.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPORT = process.env.BAAS_DIFF_REPORT || path.join(HERE, 'REPORT.md');
const ALLOWLIST = path.join(HERE, 'known-differences.json');
const require = createRequire(import.meta.url);
const version = (p) => require(`${p}/package.json`).version;
const REFERENCE = `@zenstackhq/orm ${version('@zenstackhq/orm')} + @zenstackhq/server ${version('@zenstackhq/server')} (RPCApiHandler), better-sqlite3 ${version('better-sqlite3')} / pg ${version('pg')}`;

const corpus = buildCorpus();
const allowlist = loadAllowlist(ALLOWLIST);
const runs = [];

for (const backend of BACKENDS) {
  describe(`BaaS differential: Tandem vs ZenStack (${backend})`, () => {
    let pair;
    let run;

    before(async () => {
      pair = await startPair(backend);
    });

    after(async () => {
      if (pair) await pair.stop();
    });

    it(`answers all ${corpus.length} corpus queries like ZenStack`, async () => {
      const t0 = Date.now();
      const results = await runCorpus(pair, corpus);
      const { allowlisted, problems, unexpected } = judge(results, allowlist, backend, 'known-differences.json');
      run = { backend, results, allowlisted, problems, durationMs: Date.now() - t0 };
      runs.push(run);
      writeReport(REPORT, runs, { reference: REFERENCE, tandemBin: TANDEM_BIN });

      const matches = results.filter((r) => r.match).length;
      const summary =
        `${backend}: ${results.length} queries, ${matches} match, ${results.length - matches} differ ` +
        `(${allowlisted.size} allowlisted, ${unexpected.length} not), ${problems.length} allowlist problems; report: ${REPORT}`;
      console.log(summary);
      for (const p of problems) console.log(`  ${p}`);
      const failures = [];
      if (unexpected.length) {
        failures.push('Mismatches not in known-differences.json:', ...unexpected.map((r) => `  ${r.entry.id}: ${r.diff[0] ?? ''}`));
      }
      if (problems.length) {
        failures.push('known-differences.json does not describe today\'s differences:', ...problems.map((p) => `  ${p}`));
      }
      assert.equal(unexpected.length + problems.length, 0, `${summary}\n${failures.join('\n')}`);
    });
  });
}
