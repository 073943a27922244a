// Normalisation and comparison of two RPC responses (ZenStack = expected, Tandem = actual).
//
// Compared exactly: the HTTP status, and the JSON body with object keys in any order (arrays
// keep their order). Normalised first, on both sides alike:
//   - `updated_at` values stamped by the harness's own writes (any `updated_at` at or after the
//     run started) become "<write-time>": both systems stamp the time of the write;
//   - error bodies: `message` is dropped (kept in the report), `dbErrorCode` is reduced to its
//     presence; every other error field (reason, model, rejectedByValidation, ...) is compared.
//   - superjson `meta`: key order does not matter (part of the key-order-insensitive compare).

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function normaliseTimes(value, since) {
  if (Array.isArray(value)) return value.map((v) => normaliseTimes(v, since));
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'updated_at' && typeof v === 'string' && ISO.test(v) && Date.parse(v) >= since) {
        out[k] = '<write-time>';
      } else {
        out[k] = normaliseTimes(v, since);
      }
    }
    return out;
  }
  return value;
}

/** The comparable form of a response {status, text}. `since`: ms timestamp when the run began. */
export function normalise(response, since) {
  const { status, text } = response;
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return { status, nonJsonBody: text };
  }
  if (body && typeof body === 'object' && !Array.isArray(body) && body.error && typeof body.error === 'object') {
    const error = { ...body.error };
    delete error.message;
    if ('dbErrorCode' in error) error.dbErrorCode = error.dbErrorCode !== undefined && error.dbErrorCode !== null ? '<present>' : error.dbErrorCode;
    return { status, body: { ...body, error } };
  }
  return { status, body: normaliseTimes(body, since) };
}

/** JSON text with object keys sorted recursively (array order kept). */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * One line per individual difference between two normalised values (path, then what differs), at
 * most `limit` lines; the harness passes Infinity, since the allowlist check needs every line.
 */
export function differences(a, b, path = '$', out = [], limit = 8) {
  if (out.length >= limit) return out;
  if (canonical(a) === canonical(b)) return out;
  const isObj = (x) => x && typeof x === 'object';
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) {
      out.push(`${path}: array length ${a.length} (expected) vs ${b.length} (actual)`);
    }
    for (let i = 0; i < Math.min(a.length, b.length); i++) differences(a[i], b[i], `${path}[${i}]`, out, limit);
    return out;
  }
  if (isObj(a) && isObj(b) && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of [...keys].sort()) {
      if (!(k in b)) out.push(`${path}.${k}: missing in actual (expected ${short(a[k])})`);
      else if (!(k in a)) out.push(`${path}.${k}: unexpected in actual (${short(b[k])})`);
      else differences(a[k], b[k], `${path}.${k}`, out, limit);
      if (out.length >= limit) break;
    }
    return out;
  }
  out.push(`${path}: expected ${short(a)}, actual ${short(b)}`);
  return out;
}

/**
 * Groups difference lines by their shape (array indexes and numeric superjson path segments
 * replaced by `*`): one example line per shape, with the count of lines of that shape. For the
 * human report only: the allowlist is checked against the raw lines, which this hides.
 */
export function summariseDifferences(lines, limit = 12) {
  const groups = new Map();
  for (const line of lines) {
    const [p] = line.split(':', 1);
    const shape = p.replace(/\[\d+\]/g, '[*]').replace(/\.\d+(?=\.|$)/g, '.*');
    if (!groups.has(shape)) groups.set(shape, { example: line, count: 0 });
    groups.get(shape).count += 1;
  }
  const out = [...groups.values()].map((g) => (g.count > 1 ? `${g.example} (and ${g.count - 1} more like it)` : g.example));
  return out.length > limit ? [...out.slice(0, limit), `... ${out.length - limit} more kinds of difference`] : out;
}

function short(v) {
  const s = canonical(v);
  return s === undefined ? 'undefined' : s.length > 160 ? `${s.slice(0, 157)}...` : s;
}
