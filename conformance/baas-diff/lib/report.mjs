// The allowlist (known-differences.json) and the Markdown report (REPORT.md).

import { readFileSync, writeFileSync } from 'node:fs';

import { describeRequest } from './runner.mjs';

/**
 * known-differences.json: [{id, reason, backends?: ['sqlite'|'postgres'], tandem?: {status, reason}}]
 * `tandem`, when given, is what Tandem must answer instead (checked, so that an allowlisted entry
 * cannot hide a different failure).
 */
export function loadAllowlist(file) {
  const list = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(list)) throw new Error(`${file}: expected a JSON array`);
  for (const [i, e] of list.entries()) {
    if (typeof e?.id !== 'string' || typeof e?.reason !== 'string' || e.reason.trim().length < 10) {
      throw new Error(`${file}[${i}]: every entry needs an "id" and a written "reason"`);
    }
  }
  return list;
}

export function allowlistEntry(allowlist, id, backend) {
  return allowlist.find((e) => e.id === id && (!e.backends || e.backends.includes(backend)));
}

/**
 * Checks an allowlisted mismatch against its `tandem` expectation and, with `onlyDiffs`, that
 * every difference is one of the listed ones (regular expressions over the diff lines);
 * returns a problem or null.
 */
export function checkAllowed(entry, actual, diff = []) {
  if (entry.onlyDiffs) {
    const patterns = entry.onlyDiffs.map((p) => new RegExp(p));
    const other = diff.filter((d) => !patterns.some((p) => p.test(d)));
    if (other.length) return `differs beyond the allowlisted difference: ${other.slice(0, 3).join('; ')}`;
  }
  if (!entry.tandem) return null;
  let body = null;
  try {
    body = JSON.parse(actual.text);
  } catch {
    /* compared below */
  }
  const problems = [];
  if (entry.tandem.status !== undefined && actual.status !== entry.tandem.status) {
    problems.push(`status ${actual.status}, allowlist expects ${entry.tandem.status}`);
  }
  if (entry.tandem.reason !== undefined && body?.error?.reason !== entry.tandem.reason) {
    problems.push(`reason ${JSON.stringify(body?.error?.reason)}, allowlist expects ${JSON.stringify(entry.tandem.reason)}`);
  }
  return problems.length ? problems.join('; ') : null;
}

/** A coarse kind of mismatch, to help triage. */
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
