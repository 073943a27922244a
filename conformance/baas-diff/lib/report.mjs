// The allowlist (known-differences.json) and the Markdown report (REPORT.md).

import { readFileSync, writeFileSync } from 'node:fs';

import { describeRequest } from './runner.mjs';

// Same names as lib/tandem.mjs accepts in TANDEM_CONFORMANCE_BACKENDS.
const BACKEND_NAMES = ['sqlite', 'postgres'];
const ENTRY_KEYS = ['id', 'reason', 'backends', 'tandem', 'diffs'];

/**
 * known-differences.json: an array of entries, each allowing one corpus query to differ:
 *
 *   {
 *     "id": "<corpus id>",
 *     "reason": "<why this difference is legitimate>",
 *     "backends": ["sqlite" | "postgres"],          optional; all backends when absent
 *     "tandem": {"status": 403, "reason": "..."},   optional; what Tandem must answer instead
 *     "diffs": [                                      required; EVERY difference line, exactly
 *       {"line": "<one raw difference line, verbatim>", "count": 1},
 *       {"pattern": "^<regular expression over the whole line>$", "count": 2}
 *     ]
 *   }
 *
 * `diffs` is checked against the raw difference lines (one per differing value, as `differences`
 * in compare.mjs writes them; not the summarised lines of REPORT.md) and must describe them
 * exactly: each line matches one item (the first that fits), each item matches exactly `count`
 * lines, and no line is left over. So an extra wrong row or field under an allowlisted query fails
 * the test. `line` is compared verbatim; `pattern` (for parts that change from run to run, such
 * as ZenStack's timestamps) must be anchored with ^...$ and is matched against the whole line.
 */
export function loadAllowlist(file) {
  const list = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(list)) throw new Error(`${file}: expected a JSON array`);
  for (const [i, e] of list.entries()) {
    const where = `${file}[${i}]${typeof e?.id === 'string' ? ` (${e.id})` : ''}`;
    if (typeof e?.id !== 'string' || typeof e?.reason !== 'string' || e.reason.trim().length < 10) {
      throw new Error(`${where}: every entry needs an "id" and a written "reason"`);
    }
    if ('onlyDiffs' in e) {
      throw new Error(`${where}: "onlyDiffs" is no longer read; list every difference line in "diffs" (see lib/report.mjs)`);
    }
    const unknown = Object.keys(e).filter((k) => !ENTRY_KEYS.includes(k));
    if (unknown.length) throw new Error(`${where}: unknown key(s) ${unknown.join(', ')} (known: ${ENTRY_KEYS.join(', ')})`);
    if (e.backends !== undefined) {
      if (!Array.isArray(e.backends) || e.backends.length === 0 || !e.backends.every((b) => BACKEND_NAMES.includes(b))) {
        throw new Error(`${where}: "backends" must be a non-empty array of ${BACKEND_NAMES.join(', ')}`);
      }
    }
    if (e.tandem !== undefined) {
      const ok = e.tandem && typeof e.tandem === 'object' && Object.keys(e.tandem).every((k) => k === 'status' || k === 'reason');
      if (!ok) throw new Error(`${where}: "tandem" must be {"status"?, "reason"?}`);
    }
    if (!Array.isArray(e.diffs) || e.diffs.length === 0) {
      throw new Error(`${where}: "diffs" must list every difference line ([{"line" or "pattern", "count"}])`);
    }
    for (const [j, d] of e.diffs.entries()) {
      const problem = diffItemProblem(d);
      if (problem) throw new Error(`${where}.diffs[${j}]: ${problem}`);
    }
  }
  // Two entries for one query and backend: the second would never be checked.
  const seen = new Set();
  for (const e of list) {
    for (const b of e.backends ?? BACKEND_NAMES) {
      const key = `${e.id} (${b})`;
      if (seen.has(key)) throw new Error(`${file}: more than one entry for ${key}`);
      seen.add(key);
    }
  }
  return list;
}

function diffItemProblem(d) {
  const keys = Object.keys(d ?? {}).sort().join(',');
  if (keys !== 'count,line' && keys !== 'count,pattern') return 'expected {"line", "count"} or {"pattern", "count"}';
  if (!Number.isInteger(d.count) || d.count < 1) return '"count" must be a positive integer';
  if (d.line !== undefined && typeof d.line !== 'string') return '"line" must be a string';
  if (d.pattern !== undefined) {
    if (typeof d.pattern !== 'string' || !d.pattern.startsWith('^') || !d.pattern.endsWith('$')) {
      return '"pattern" must be a string anchored with ^...$ (it is matched against the whole line)';
    }
    try {
      new RegExp(d.pattern);
    } catch (err) {
      return `"pattern" is not a regular expression: ${err.message}`;
    }
  }
  return null;
}

/** Does one `diffs` item match this raw difference line (as a whole)? */
function diffItemMatches(d, line) {
  if (d.line !== undefined) return line === d.line;
  // Wrapped again so that an alternation (^a|b$) cannot match just part of the line.
  return new RegExp(`^(?:${d.pattern})$`).test(line);
}

export function allowlistEntry(allowlist, id, backend) {
  return allowlist.find((e) => e.id === id && (!e.backends || e.backends.includes(backend)));
}

/**
 * Checks an allowlisted mismatch: its raw difference lines (`rawDiff`) must be exactly the ones
 * its `diffs` describe, and Tandem's answer must be its `tandem` expectation. Returns the
 * problems found (empty when the mismatch is exactly the allowed one).
 */
export function checkAllowed(entry, actual, rawDiff) {
  const problems = [];
  const counts = entry.diffs.map(() => 0);
  const unlisted = [];
  for (const line of rawDiff) {
    const i = entry.diffs.findIndex((d) => diffItemMatches(d, line));
    if (i === -1) unlisted.push(line);
    else counts[i] += 1;
  }
  const SHOWN = 10;
  for (const line of unlisted.slice(0, SHOWN)) problems.push(`difference not in the allowlist entry: ${line}`);
  if (unlisted.length > SHOWN) problems.push(`... and ${unlisted.length - SHOWN} more differences not in the allowlist entry`);
  for (const [i, d] of entry.diffs.entries()) {
    if (counts[i] !== d.count) {
      const what = d.line !== undefined ? `line \`${d.line}\`` : `pattern \`${d.pattern}\``;
      problems.push(`${what} matched ${counts[i]} difference line(s), the allowlist expects ${d.count}`);
    }
  }

  if (entry.tandem) {
    let body = null;
    try {
      body = JSON.parse(actual.text);
    } catch {
      /* compared below */
    }
    if (entry.tandem.status !== undefined && actual.status !== entry.tandem.status) {
      problems.push(`status ${actual.status}, allowlist expects ${entry.tandem.status}`);
    }
    if (entry.tandem.reason !== undefined && body?.error?.reason !== entry.tandem.reason) {
      problems.push(`reason ${JSON.stringify(body?.error?.reason)}, allowlist expects ${JSON.stringify(entry.tandem.reason)}`);
    }
  }
  return problems;
}

/** A coarse kind of mismatch, to help triage. */
/**
 * Holds a run's results against an allowlist (`file` names it in messages): the mismatches it
 * allows (id → entry), the ones it does not (`unexpected`), and its `problems` — an allowed
 * mismatch whose differences are not exactly the listed ones, an entry whose query now matches,
 * an entry naming a query not in the corpus.
 */
export function judge(results, allowlist, backend, file) {
  const allowlisted = new Map();
  const problems = [];
  const unexpected = [];
  for (const r of results) {
    const allowed = allowlistEntry(allowlist, r.entry.id, backend);
    if (r.match) {
      if (allowed) problems.push(`allowlisted \`${r.entry.id}\` now matches ZenStack: remove it from ${file}`);
      continue;
    }
    if (!allowed) {
      unexpected.push(r);
      continue;
    }
    allowlisted.set(r.entry.id, allowed);
    for (const p of checkAllowed(allowed, r.actual, r.rawDiff)) problems.push(`allowlisted \`${r.entry.id}\`: ${p}`);
  }
  for (const e of allowlist) {
    if ((!e.backends || e.backends.includes(backend)) && !results.some((r) => r.entry.id === e.id)) {
      problems.push(`${file} names \`${e.id}\`, which is not in the corpus`);
    }
  }
  return { allowlisted, problems, unexpected };
}

export function kindOf(result) {
  const { expected, actual, diff } = result;
  if (expected.status !== actual.status) return `status ${expected.status} → ${actual.status}`;
  if (expected.status >= 400) return 'error fields';
  const onlyMeta = diff.every((d) => d.startsWith('$.body.meta'));
  if (onlyMeta) return 'superjson meta only';
  return 'data';
}

const clip = (s, n = 3000) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/**
 * Writes REPORT.md for the backends run so far.
 * runs: [{backend, results, allowlisted: Map(id → entry), problems: [...], durationMs, versions}]
 */
export function writeReport(file, runs, meta) {
  const out = [];
  out.push('# BaaS differential report: Tandem vs ZenStack v3');
  out.push('');
  out.push(`Generated ${new Date().toISOString()} by \`node --test baas-diff/\` (conformance/). Reference: ${meta.reference}. Tandem: \`${meta.tandemBin}\`.`);
  out.push('Expected = ZenStack, actual = Tandem. Compared: HTTP status and JSON body (object keys in any order, arrays in order);');
  out.push('normalised: `updated_at` stamped by the run\'s writes, error `message` (not compared; shown below) and `dbErrorCode` (presence only).');
  out.push('');
  out.push('| backend | queries | matches | mismatches | allowlisted | not allowlisted | time |');
  out.push('|---|---|---|---|---|---|---|');
  for (const r of runs) {
    const mism = r.results.filter((x) => !x.match);
    const allowed = mism.filter((x) => r.allowlisted.has(x.entry.id));
    out.push(`| ${r.backend} | ${r.results.length} | ${r.results.length - mism.length} | ${mism.length} | ${allowed.length} | ${mism.length - allowed.length} | ${(r.durationMs / 1000).toFixed(1)} s |`);
  }
  out.push('');
  for (const r of runs) {
    const mism = r.results.filter((x) => !x.match);
    out.push(`## ${r.backend}`);
    out.push('');
    if (r.problems.length) {
      out.push('Problems:');
      for (const p of r.problems) out.push(`- ${p}`);
      out.push('');
    }
    const byKind = new Map();
    for (const x of mism) {
      const k = r.allowlisted.has(x.entry.id) ? 'allowlisted' : kindOf(x);
      if (!byKind.has(k)) byKind.set(k, []);
      byKind.get(k).push(x.entry.id);
    }
    out.push('Mismatches by kind:');
    out.push('');
    for (const [k, ids] of [...byKind].sort((a, b) => b[1].length - a[1].length)) {
      out.push(`- **${k}** (${ids.length}): ${ids.map((i) => `\`${i}\``).join(', ')}`);
    }
    out.push('');
    for (const x of mism) {
      const allowed = r.allowlisted.get(x.entry.id);
      out.push(`### ${x.entry.id} (${r.backend}${allowed ? ', allowlisted' : ''})`);
      out.push('');
      if (allowed) out.push(`Allowlisted: ${allowed.reason}`, '');
      out.push('```');
      out.push(describeRequest(x.entry));
      out.push('```');
      out.push('');
      out.push('Differences (normalised):');
      for (const d of x.diff) out.push(`- \`${d}\``);
      out.push('');
      out.push(`Expected (ZenStack) **${x.expected.status}**:`);
      out.push('```json');
      out.push(clip(pretty(x.expected.text)));
      out.push('```');
      out.push(`Actual (Tandem) **${x.actual.status}**:`);
      out.push('```json');
      out.push(clip(pretty(x.actual.text)));
      out.push('```');
      out.push('');
    }
  }
  writeFileSync(file, out.join('\n'));
}
