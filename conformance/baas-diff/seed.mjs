// BigInt values are distinct across rows on purpose: ZenStack's superjson adds
// `referentialEqualities` for equal BigInts, which dedicated corpus entries test; values above
// 2^53 are likewise written by dedicated corpus entries, not here. Null Decimal/BigInt/Json
// columns are left out rather than sent as explicit nulls (those have their own entries).
//
// Deterministic seed data of the differential harness: explicit ids and explicit DateTime values
// everywhere (including the @updatedAt columns), so that both systems hold byte-identical rows.
//
// Tenants and users are Platform-owned on Tandem: they are created on its Platform and synced to
// the BaaS (see seedTandem); on ZenStack they are written with ordinary RPC createMany.
// Every other model goes through each system's own RPC API (createMany), with the same bodies.

import { createOnPlatform, waitForSync } from '../lib/tandem.mjs';

const d = (s) => `${s}.000Z`;

/**
 * Tenant and user ids are UUIDs (the Platform's ids); these keep the seed readable and sort in
 * the same order as the short names: `ID.u01` … `ID.u10`, `ID.t1` … `ID.t3`.
 */
export const ID = Object.fromEntries([
  ...Array.from({ length: 10 }, (_, i) => [`u${String(i + 1).padStart(2, '0')}`, `00000000-0000-4000-8000-0000000000${String(i + 1).padStart(2, '0')}`]),
  ...Array.from({ length: 3 }, (_, i) => [`t${i + 1}`, `00000000-0000-4000-8000-0000000001${String(i + 1).padStart(2, '0')}`]),
]);

export const tenants = [
  { id: ID.t1, name: 'Acme', created_at: d('2023-01-01T09:00:00'), updated_at: d('2023-01-01T09:00:00') },
  { id: ID.t2, name: 'globex', created_at: d('2023-01-02T09:00:00'), updated_at: d('2023-02-02T10:00:00') },
  { id: ID.t3, name: 'Ünïcorn Labs', created_at: d('2023-01-03T09:00:00'), updated_at: d('2023-01-03T09:00:00') },
];

const u = (id, email, first_name, last_name, locale, timezone, avatar_url, tenant_id, active, created, updated, nickname, karma) => ({
  id,
  email,
  first_name,
  last_name,
  locale,
  timezone,
  avatar_url,
  tenant_id,
  active,
  created_at: d(created),
  updated_at: d(updated),
  nickname,
  karma,
});

// prettier-ignore
export const users = [
  u(ID.u01, 'alice@example.com', 'Alice', 'Smith', 'en', 'Europe/Berlin', 'https://img.example.com/a.png', ID.t1, true, '2023-03-01T08:00:00', '2023-03-05T08:00:00', 'ally', 10),
  u(ID.u02, 'bob@example.com', 'Bob', null, 'fr', null, null, ID.t1, true, '2023-03-02T08:00:00', '2023-03-02T08:00:00', null, 0),
  u(ID.u03, 'carol@example.com', 'carol', 'Jones', null, 'America/New_York', null, ID.t2, true, '2023-03-02T08:00:00', '2023-04-01T12:30:00', null, 5),
  u(ID.u04, 'dave@example.org', 'Dave', null, null, null, null, ID.t2, false, '2023-03-04T08:00:00', '2023-03-04T08:00:00', 'D', 5),
  u(ID.u05, 'eve@example.com', 'Ève', 'Müller', 'de', 'Europe/Berlin', null, ID.t3, true, '2023-03-05T08:00:00', '2023-03-06T08:00:00', 'Évi', 7),
  u(ID.u06, 'frank@example.com', 'Frank', 'smith', 'en', null, null, ID.t1, true, '2023-03-06T08:00:00', '2023-03-06T08:00:00', null, 10),
  u(ID.u07, 'grace@example.net', 'Grace', "O'Brien", null, null, null, ID.t3, false, '2023-03-07T08:00:00', '2023-03-08T08:00:00', null, 3),
  u(ID.u08, 'heidi@example.com', 'heidi', 'Zhang', 'zh-CN', 'Asia/Shanghai', null, ID.t2, true, '2023-03-08T08:00:00', '2023-03-08T08:00:00', '小海', 0),
  u(ID.u09, 'ivan@example.com', 'Ivan', 'Smith', 'ru', null, null, ID.t3, true, '2023-03-09T08:00:00', '2023-03-09T08:00:00', null, 10),
  u(ID.u10, 'judy@example.com', null, null, null, null, null, ID.t1, true, '2023-03-10T08:00:00', '2023-03-10T08:00:00', 'JUDY', 1),
];

const b = (id, title, subtitle, pages, price, published, isbn, copies, weight, author_id, created, updated) => {
  const row = { id, title, subtitle, pages, price, published, isbn, author_id, created_at: d(created), updated_at: d(updated) };
  if (copies !== null) row.copies = copies;
  if (weight !== undefined) row.weight = weight;
  return row;
};

// prettier-ignore
export const books = [
  b('b01', 'Rust Basics', 'A gentle start', 120, 19.5, true, '978-0-00-000001-1', 1500, '0.45', ID.u01, '2023-05-01T10:00:00', '2023-05-01T10:00:00'),
  b('b02', 'Advanced Rust', null, 300, 39.99, true, '978-0-00-000002-8', 800, '1.20', ID.u01, '2023-05-02T10:00:00', '2023-06-01T10:00:00'),
  b('b03', 'rust basics', 'lower-case twin', 120, null, false, null, null, undefined, ID.u02, '2023-05-03T10:00:00', '2023-05-03T10:00:00'),
  b('b04', 'Cooking for Engineers', null, 250, 25, true, '978-0-00-000004-2', 3000, '0.90', ID.u03, '2023-05-03T10:00:00', '2023-05-04T10:00:00'),
  b('b05', 'Gardening', 'Soil & seeds', 80, 12.25, false, null, 0, '0.30', ID.u04, '2023-05-05T10:00:00', '2023-05-05T10:00:00'),
  b('b06', 'Café Society', null, 180, 15, true, '978-0-00-000006-6', 420, '0.55', ID.u05, '2023-05-06T10:00:00', '2023-05-06T10:00:00'),
  b('b07', 'Über Rust', 'Deutsch', 210, 29.9, true, '978-0-00-000007-3', 9000, '0.70', ID.u05, '2023-05-07T10:00:00', '2023-05-07T10:00:00'),
  b('b08', 'The Art of SQL', null, 420, 45, true, '978-0-00-000008-0', 250, '1.05', ID.u06, '2023-05-08T10:00:00', '2023-05-09T10:00:00'),
  b('b09', 'the art of sql', 'copy', 420, 45, false, null, null, undefined, ID.u06, '2023-05-08T10:00:00', '2023-05-08T10:00:00'),
  b('b10', 'Zen and Go', null, 150, 9.99, true, '978-0-00-000010-3', 77, '0.35', ID.u08, '2023-05-10T10:00:00', '2023-05-10T10:00:00'),
  b('b11', '机器学习', '入门', 330, 59, true, '978-0-00-000011-0', 60, '1.30', ID.u08, '2023-05-11T10:00:00', '2023-05-11T10:00:00'),
  b('b12', 'Poetry', null, 60, 7.5, false, null, null, undefined, ID.u09, '2023-05-12T10:00:00', '2023-05-12T10:00:00'),
  b('b13', 'Prose', null, 60, 7.5, true, '978-0-00-000013-4', 5, '0.20', ID.u09, '2023-05-13T10:00:00', '2023-05-13T10:00:00'),
  b('b14', 'Drama', '100% tragic', 95, null, true, null, 12, '0.25', ID.u09, '2023-05-14T10:00:00', '2023-05-14T10:00:00'),
  b('b15', 'Alpha', null, 10, 1, true, '978-0-00-000015-8', 1, '0.05', ID.u10, '2023-05-15T10:00:00', '2023-05-15T10:00:00'),
  b('b16', 'beta', null, 20, 2, false, null, 2, '0.06', ID.u10, '2023-05-16T10:00:00', '2023-05-16T10:00:00'),
  b('b17', 'Gamma_ray', 'under_score', 30, 3, true, '978-0-00-000017-2', 3, '0.07', ID.u10, '2023-05-17T10:00:00', '2023-05-17T10:00:00'),
  b('b18', 'Ownership Patterns', null, 300, 39.99, false, null, 801, '1.20', ID.u02, '2023-05-18T10:00:00', '2023-05-18T10:00:00'),
  b('b19', 'Empty Book', null, 0, 0, false, null, null, '0', ID.u03, '2023-05-19T10:00:00', '2023-05-19T10:00:00'),
  b('b20', 'Last Words', 'Épilogue', 200, 19.5, true, '978-0-00-000020-2', 99, '0.60', ID.u07, '2023-05-20T10:00:00', '2023-05-20T10:00:00'),
];

// prettier-ignore
const chapterSpecs = {
  b01: [['Intro', 1200], ['Ownership', 3400], ['Borrowing', null], ['Lifetimes', 5000]],
  b02: [['Traits', 4200], ['Generics', 4200], ['Unsafe', 6100]],
  b03: [['intro', 300]],
  b04: [['Knives', 2000], ['Heat', 2500], ['Timing', null]],
  b05: [['Soil', 900], ['Seeds', 1100]],
  b06: [['Espresso', 1500], ['Crème brûlée', 1800], ['Tea', null]],
  b07: [['Einführung', 2100], ['Ownership', 3300]],
  b08: [['SELECT', 2800], ['JOIN', 3900], ['Window functions', 5200], ['Indexes', 4100]],
  b10: [['Goroutines', 2600], ['Channels', 2600]],
  b11: [['神经网络', 7000], ['梯度下降', 6500]],
  b12: [['Sonnet', 140]],
  b13: [['Chapter One', 2000], ['Chapter Two', 2000]],
  b14: [['Act I', 3000], ['Act II', 3000], ['Act III', null]],
  b15: [['A', 10]],
  b17: [['Photons', 1000], ['Decay', 1200]],
  b18: [['Moves', 3100], ['Rc and Arc', 2900]],
  b20: [['The End', 500], ['Afterword', null]],
};

export const chapters = [];
{
  let n = 0;
  for (const [book_id, list] of Object.entries(chapterSpecs)) {
    list.forEach(([title, words], i) => {
      n += 1;
      chapters.push({ id: `c${String(n).padStart(2, '0')}`, title, position: i + 1, words, book_id });
    });
  }
}

const p = (id, sku, name, category, qty, stock, rating, price, active, released, attributes, created, updated) => {
  const row = { id, sku, name, category, qty, stock, rating, price, active, released: released && d(released), created_at: d(created), updated_at: d(updated) };
  if (attributes !== undefined) row.attributes = attributes;
  return row;
};

// prettier-ignore
export const products = [
  p(1, 'SKU-001', 'Widget', 'tools', 10, 1000, 4.5, '9.99', true, '2022-01-10T00:00:00', { color: 'red', tags: ['a', 'b'], size: 3 }, '2023-02-01T00:00:00', '2023-02-01T00:00:00'),
  p(2, 'SKU-002', 'Gadget', 'tools', 0, 0, null, '19.99', true, '2022-02-10T00:00:00', { color: 'blue', size: 5 }, '2023-02-02T00:00:00', '2023-02-03T00:00:00'),
  p(3, 'SKU-003', 'gizmo', 'toys', 25, 900719925474099, 3.25, '0.10', false, null, undefined, '2023-02-03T00:00:00', '2023-02-03T00:00:00'),
  p(4, 'SKU-004', 'Doohickey', null, 5, -42, 2, '1000.00', true, '2021-12-31T23:59:59', [1, 2, 3], '2023-02-04T00:00:00', '2023-02-04T00:00:00'),
  p(5, 'sku-005', 'Thingamajig', 'toys', 10, 500, 4.5, '12.345', true, null, 'just a string', '2023-02-05T00:00:00', '2023-02-05T00:00:00'),
  p(6, 'SKU-006', 'Ünïcode Gizmo', 'gadgets', 1, 1, 5, '0.01', false, '2024-02-29T12:00:00', { nested: { deep: true } }, '2023-02-06T00:00:00', '2023-02-06T00:00:00'),
  p(7, 'SKU-007', 'Widget', 'gadgets', 10, 75, 1.5, '9.99', true, '2022-01-10T00:00:00', 42, '2023-02-07T00:00:00', '2023-02-07T00:00:00'),
  p(8, 'SKU-008', 'Sprocket', null, 100, 123456789012, null, '250.5', true, null, true, '2023-02-08T00:00:00', '2023-02-08T00:00:00'),
  p(9, 'SKU-009', 'Cog', 'tools', 3, 30, 3.75, '3.5', false, '2023-06-15T08:30:00', { color: 'red', size: 1 }, '2023-02-09T00:00:00', '2023-02-09T00:00:00'),
  p(10, 'SKU-010', 'Flange', 'parts', 0, 10, 0, '0', true, null, undefined, '2023-02-10T00:00:00', '2023-02-10T00:00:00'),
  p(11, 'SKU-011', 'flange', 'parts', 7, 7, 2.5, '7.77', true, '2023-01-01T00:00:00', { color: 'Red' }, '2023-02-11T00:00:00', '2023-02-11T00:00:00'),
  p(12, 'SKU-012', 'Bracket 100%', 'parts', 12, 12, 4, '12', false, '2023-01-01T00:00:00', [], '2023-02-12T00:00:00', '2023-02-12T00:00:00'),
];

const e = (id, name, role, salary, level, hired, manager_id) => {
  const row = { id, name, role, level, hired_at: d(hired), manager_id };
  if (salary !== null) row.salary = salary;
  return row;
};

// prettier-ignore
export const employees = [
  // level by level, so that every manager exists before its reports
  [
    e('e01', 'Ada', 'CEO', '250000.00', 5, '2015-01-01T00:00:00', null),
    e('e09', 'Ivy', null, null, 1, '2022-09-01T00:00:00', null),
  ],
  [
    e('e02', 'Ben', 'CTO', '180000.50', 4, '2016-03-01T00:00:00', 'e01'),
    e('e03', 'Cleo', 'CFO', '175000', 4, '2016-04-01T00:00:00', 'e01'),
  ],
  [
    e('e04', 'Dan', 'Engineer', '120000', 2, '2018-01-15T00:00:00', 'e02'),
    e('e05', 'Ema', 'Engineer', '125000', 3, '2018-01-15T00:00:00', 'e02'),
    e('e06', 'Finn', 'engineer', null, 1, '2021-07-01T00:00:00', 'e02'),
    e('e07', 'Gus', 'Accountant', '90000', 2, '2019-11-11T00:00:00', 'e03'),
  ],
  [
    e('e08', 'Hana', 'Intern', '30000', 1, '2023-06-01T00:00:00', 'e07'),
    e('e10', 'Jon', 'Intern', '30000', 1, '2023-06-01T00:00:00', 'e04'),
  ],
];

// prettier-ignore
export const profiles = [
  { id: 'p01', bio: 'Rustacean', website: 'https://alice.dev', birthday: d('1990-04-01T00:00:00'), user_id: ID.u01 },
  { id: 'p02', bio: null, website: null, birthday: null, user_id: ID.u02 },
  { id: 'p03', bio: 'Cook & writer', website: 'https://carol.example.com', birthday: d('1985-12-24T00:00:00'), user_id: ID.u03 },
  { id: 'p05', bio: 'Café lover ☕', website: null, birthday: d('1999-02-28T00:00:00'), user_id: ID.u05 },
  { id: 'p08', bio: '你好', website: 'https://heidi.example.com', birthday: null, user_id: ID.u08 },
  { id: 'p09', bio: 'poet', website: null, birthday: d('1970-01-01T00:00:00'), user_id: ID.u09 },
];

// prettier-ignore
export const tickets = [
  { id: 'k01', title: 'Login fails', priority: 'URGENT', status: 'OPEN' },
  { id: 'k02', title: 'Typo', priority: 'LOW', status: 'CLOSED' },
  { id: 'k03', title: 'Slow page', priority: 'HIGH', status: 'OPEN' },
  { id: 'k04', title: 'Dark mode', status: null },
  { id: 'k05', title: 'Export CSV', priority: 'HIGH' },
  { id: 'k06', title: 'Crash on save', priority: 'URGENT', status: 'CLOSED' },
];

/**
 * A minimal superjson serializer for request payloads (the RPC accepts `meta.serialization`):
 * BigInt values become strings annotated `bigint`. Returns the body to send.
 */
export function withMeta(args) {
  const values = {};
  const walk = (v, pathParts) => {
    if (typeof v === 'bigint') {
      values[pathParts.join('.')] = ['bigint'];
      return v.toString();
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...pathParts, String(i)]));
    if (v && typeof v === 'object') {
      const out = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, [...pathParts, k.replaceAll('.', '\\.')]);
      return out;
    }
    return v;
  };
  const json = walk(args, []);
  return Object.keys(values).length ? { ...json, meta: { serialization: { values } } } : json;
}

/** The seed steps for the models that both systems write through their RPC API. */
export function rpcSeedSteps() {
  return [
    ['product', { data: products }],
    ['book', { data: books }],
    ['chapter', { data: chapters }],
    ...employees.map((level) => ['employee', { data: level }]),
    ['profile', { data: profiles }],
    ['ticket', { data: tickets }],
    ['locker', { data: [{ id: 'l1', label: 'one' }, { id: 'l2', label: 'two' }] }],
    ['badge', { data: [{ id: 'g1', locker_id: 'l1' }, { id: 'g2', locker_id: null }] }],
  ];
}

async function call(host, auth, method, path, body) {
  const res = await fetch(host + path, {
    method,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`seed ${method} ${path} on ${host} failed: ${res.status} ${text}`);
  return text;
}

/**
 * Seeds Tandem the way an app migrating its users would: tenants and users are created on the
 * Platform (`createTenant` / `createUser` with their existing ids and creation times, through
 * @roq/nodejs) and reach the BaaS only through sync; then the BaaS sets the app's own user fields
 * and the exact `updated_at` values; every other model goes through RPC createMany.
 */
export async function seedTandem(server, auth) {
  const { host } = server;
  // Tenants that exist before seeding (the Platform's default tenant), as the BaaS has them.
  await waitForSync(host, auth);
  const existing = JSON.parse(await call(host, auth, 'GET', `/api/model/tenant/findMany?q=${encodeURIComponent('{}')}`)).data;
  await createOnPlatform(server, { tenants, users });
  for (const t of tenants) {
    await call(host, auth, 'PUT', '/api/model/tenant/update', { where: { id: t.id }, data: { updated_at: t.updated_at } });
  }
  for (const u of users) {
    await call(host, auth, 'PUT', '/api/model/user/update', {
      where: { id: u.id },
      data: { nickname: u.nickname, karma: u.karma, updated_at: u.updated_at },
    });
  }
  for (const [model, args] of rpcSeedSteps()) {
    await call(host, auth, 'POST', `/api/model/${model}/createMany`, withMeta(args));
  }
  return { defaultTenants: existing };
}

/** Seeds ZenStack: everything through RPC createMany. */
export async function seedZenStack(host, defaultTenants = []) {
  for (const t of defaultTenants) await call(host, null, 'POST', '/api/model/tenant/create', { data: t });
  await call(host, null, 'POST', '/api/model/tenant/createMany', { data: tenants });
  await call(host, null, 'POST', '/api/model/user/createMany', { data: users });
  for (const [model, args] of rpcSeedSteps()) {
    await call(host, null, 'POST', `/api/model/${model}/createMany`, withMeta(args));
  }
}
