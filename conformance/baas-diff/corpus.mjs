// The corpus of the differential harness: RPC requests, each with a stable id, sent in this
// order to ZenStack and to Tandem. Reads first (on the seeded data), then writes in an order that
// keeps both systems' state identical, each followed by reads that observe it, then error cases,
// and last the writes that Tandem's user/tenant rules refuse (they change ZenStack's state only).
//
// Entry: {id, method, path, q?, meta?, body?, rawBody?, contentType?}
//   q / meta: an object (JSON-encoded) or a raw string; sent as ?q=...&meta=...
//   body: an object sent as JSON; rawBody: a string sent verbatim; contentType: overrides the
//   content type (null = none).

import { ID } from './seed.mjs';

const ISO = (s) => `${s}.000Z`;

export function buildCorpus() {
  const corpus = [];
  const ids = new Set();
  const add = (id, entry) => {
    if (ids.has(id)) throw new Error(`duplicate corpus id ${id}`);
    ids.add(id);
    corpus.push({ id, ...entry });
  };
  const path = (model, op) => `/api/model/${model}/${op}`;
  const get = (id, model, op, q, extra = {}) => add(id, { method: 'GET', path: path(model, op), ...(q === undefined ? {} : { q }), ...extra });
  const post = (id, model, op, body, extra = {}) => add(id, { method: 'POST', path: path(model, op), body, ...extra });
  const put = (id, model, op, body, extra = {}) => add(id, { method: 'PUT', path: path(model, op), body, ...extra });
  const patch = (id, model, op, body, extra = {}) => add(id, { method: 'PATCH', path: path(model, op), body, ...extra });
  const del = (id, model, op, q, extra = {}) => add(id, { method: 'DELETE', path: path(model, op), ...(q === undefined ? {} : { q }), ...extra });
  const tx = (id, ops, extra = {}) => add(id, { method: 'POST', path: '/api/model/$transaction/sequential', body: ops, ...extra });
  /** findMany with a where, selecting the id (and `also` fields), ordered by id. */
  const where = (id, model, w, also = []) =>
    get(id, model, 'findMany', { where: w, select: Object.fromEntries([['id', true], ...also.map((f) => [f, true])]), orderBy: { id: 'asc' } });

  // ───────────────────────────── basics ─────────────────────────────
  const models = ['tenant', 'user', 'product', 'book', 'chapter', 'employee', 'profile', 'ticket', 'locker', 'badge', 'signup'];
  for (const m of models) {
    get(`basic.${m}.findMany.noq`, m, 'findMany');
    get(`basic.${m}.count.noq`, m, 'count');
  }
  get('basic.user.findMany.emptyq', 'user', 'findMany', '');
  get('basic.book.findMany.q{}', 'book', 'findMany', {});
  get('basic.book.findMany.ordered', 'book', 'findMany', { orderBy: { id: 'desc' } });
  get('basic.chapter.findMany.ordered', 'chapter', 'findMany', { orderBy: [{ book_id: 'asc' }, { position: 'desc' }] });
  get('basic.User.capitalised', 'User', 'count');
  get('basic.Book.capitalised.findMany', 'Book', 'findMany', { where: { id: 'b01' }, select: { title: true } });

  // ───────────────────────────── scalar filters ─────────────────────────────
  // String
  const s = (id, model, field, filter) => where(`filter.${model}.${field}.${id}`, model, { [field]: filter }, [field]);
  s('implicit', 'user', 'first_name', 'Alice');
  s('equals', 'user', 'first_name', { equals: 'Alice' });
  s('equals-case', 'user', 'first_name', { equals: 'alice' });
  s('not', 'user', 'first_name', { not: 'Alice' });
  s('not-obj', 'user', 'first_name', { not: { equals: 'Alice' } });
  s('not-contains', 'user', 'last_name', { not: { contains: 'mith' } });
  s('null', 'user', 'first_name', null);
  s('equals-null', 'user', 'last_name', { equals: null });
  s('not-null', 'user', 'last_name', { not: null });
  s('in', 'user', 'first_name', { in: ['Alice', 'Bob', 'nobody'] });
  s('in-empty', 'user', 'first_name', { in: [] });
  s('notIn', 'user', 'first_name', { notIn: ['Alice', 'Bob'] });
  s('notIn-empty', 'user', 'first_name', { notIn: [] });
  s('lt', 'user', 'first_name', { lt: 'F' });
  s('lte', 'user', 'first_name', { lte: 'Frank' });
  s('gt', 'user', 'first_name', { gt: 'heidi' });
  s('gte-lt', 'user', 'first_name', { gte: 'B', lt: 'G' });
  s('contains', 'user', 'email', { contains: 'example.com' });
  s('contains-upper', 'user', 'email', { contains: 'EXAMPLE' });
  s('startsWith', 'user', 'email', { startsWith: 'a' });
  s('startsWith-upper', 'user', 'email', { startsWith: 'A' });
  s('endsWith', 'user', 'email', { endsWith: '.org' });
  s('endsWith-upper', 'user', 'email', { endsWith: '.COM' });
  s('contains-mode-insensitive', 'user', 'email', { contains: 'EXAMPLE', mode: 'insensitive' });
  s('startsWith-mode-insensitive', 'user', 'first_name', { startsWith: 'h', mode: 'insensitive' });
  s('endsWith-mode-insensitive', 'user', 'last_name', { endsWith: 'SMITH', mode: 'insensitive' });
  s('equals-mode-insensitive', 'user', 'first_name', { equals: 'ALICE', mode: 'insensitive' });
  s('mode-default', 'user', 'email', { contains: 'EXAMPLE', mode: 'default' });
  s('in-mode-insensitive', 'user', 'first_name', { in: ['alice', 'BOB'], mode: 'insensitive' });
  s('not-mode-insensitive', 'user', 'first_name', { not: 'alice', mode: 'insensitive' });
  s('nonascii-equals', 'user', 'first_name', 'Ève');
  s('nonascii-contains', 'user', 'last_name', { contains: 'ü' });
  s('nonascii-mode-insensitive', 'user', 'first_name', { equals: 'ève', mode: 'insensitive' });
  s('cjk', 'user', 'nickname', { contains: '海' });
  s('apostrophe', 'user', 'last_name', "O'Brien");
  s('nickname-null', 'user', 'nickname', null);
  s('nickname-not-null-startsWith', 'user', 'nickname', { not: null, startsWith: 'J' });
  s('contains-percent', 'product', 'name', { contains: '%' });
  s('contains-underscore', 'book', 'title', { contains: '_' });
  s('startsWith-underscore', 'book', 'subtitle', { startsWith: 'under_' });
  s('endsWith-percent', 'book', 'subtitle', { endsWith: '%' });
  s('contains-percent-mid', 'book', 'subtitle', { contains: '0% t' });
  s('contains-backslash', 'book', 'title', { contains: '\\' });
  s('contains-empty', 'book', 'subtitle', { contains: '' });
  s('mapped-equals', 'product', 'name', 'Widget');
  s('mapped-contains', 'product', 'name', { contains: 'get' });
  s('mapped-in', 'product', 'name', { in: ['Widget', 'flange'] });
  s('mapped-lt', 'product', 'name', { lt: 'G' });
  s('sku-startsWith', 'product', 'sku', { startsWith: 'SKU-00' });
  s('sku-insensitive', 'product', 'sku', { startsWith: 'sku', mode: 'insensitive' });
  s('category-null', 'product', 'category', null);
  s('category-notIn', 'product', 'category', { notIn: ['tools'] });
  s('title-gte', 'book', 'title', { gte: 'T' });
  s('title-contains-cjk', 'book', 'title', { contains: '机器' });
  s('title-contains-accent', 'book', 'title', { contains: 'é' });
  s('role-equals-insensitive', 'employee', 'role', { equals: 'ENGINEER', mode: 'insensitive' });
  s('role-not-null', 'employee', 'role', { not: null });
  s('name-in', 'tenant', 'name', { in: ['Acme', 'Globex'] });
  s('name-contains-nonascii', 'tenant', 'name', { contains: 'Ünï' });
  s('bio-null', 'profile', 'bio', null);
  s('bio-contains', 'profile', 'bio', { contains: '&' });
  s('chapter-title-eq', 'chapter', 'title', 'Ownership');
  s('chapter-title-lt', 'chapter', 'title', { lt: 'C' });
  s('not-in-nested-not', 'user', 'first_name', { not: { in: ['Alice', 'Bob'] } });
  s('not-not', 'user', 'first_name', { not: { not: 'Alice' } });
  // Int
  s('equals', 'book', 'pages', 120);
  s('equals-obj', 'book', 'pages', { equals: 420 });
  s('not', 'book', 'pages', { not: 120 });
  s('in', 'book', 'pages', { in: [60, 120, 999] });
  s('notIn', 'book', 'pages', { notIn: [60, 120] });
  s('lt', 'book', 'pages', { lt: 60 });
  s('lte', 'book', 'pages', { lte: 60 });
  s('gt', 'book', 'pages', { gt: 300 });
  s('gte', 'book', 'pages', { gte: 300 });
  s('range', 'book', 'pages', { gt: 50, lte: 150 });
  s('zero', 'book', 'pages', 0);
  s('not-range', 'book', 'pages', { not: { gt: 100 } });
  s('null', 'chapter', 'words', null);
  s('not-null', 'chapter', 'words', { not: null });
  s('gte', 'chapter', 'words', { gte: 5000 });
  s('in', 'chapter', 'position', { in: [3, 4] });
  s('karma-equals', 'user', 'karma', 10);
  s('karma-lt', 'user', 'karma', { lt: 5 });
  s('level-gte', 'employee', 'level', { gte: 3 });
  s('id-int-in', 'product', 'id', { in: [1, 3, 5, 99] });
  s('id-int-gt', 'product', 'id', { gt: 9 });
  s('qty-zero', 'product', 'qty', 0);
  s('int-as-float', 'book', 'pages', 120.5);
  // Float
  s('price-equals', 'book', 'price', 19.5);
  s('price-lt', 'book', 'price', { lt: 10 });
  s('price-gte', 'book', 'price', { gte: 39.99 });
  s('price-null', 'book', 'price', null);
  s('price-not-null', 'book', 'price', { not: null });
  s('price-in', 'book', 'price', { in: [7.5, 45] });
  s('price-int-literal', 'book', 'price', 25);
  s('rating-gt', 'product', 'rating', { gt: 3.5 });
  s('rating-lte-zero', 'product', 'rating', { lte: 0 });
  // BigInt
  s('stock-equals-number', 'product', 'stock', 1000);
  s('stock-gt', 'product', 'stock', { gt: 100 });
  s('stock-lt-negative', 'product', 'stock', { lt: 0 });
  s('stock-in', 'product', 'stock', { in: [0, 7, 30] });
  s('stock-big', 'product', 'stock', { gte: 123456789012 });
  s('copies-null', 'book', 'copies', null);
  s('copies-not', 'book', 'copies', { not: 800 });
  s('stock-string', 'product', 'stock', '1000');
  get('filter.product.stock.meta-bigint', 'product', 'findMany', { where: { stock: { gt: '500' } }, select: { id: true, stock: true }, orderBy: { id: 'asc' } }, { meta: { serialization: { values: { 'where.stock.gt': ['bigint'] } } } });
  // Decimal
  s('price-string', 'product', 'price', '9.99');
  s('price-number', 'product', 'price', 12);
  s('price-gt', 'product', 'price', { gt: 100 });
  s('price-lte-string', 'product', 'price', { lte: '0.10' });
  s('price-in', 'product', 'price', { in: ['9.99', '12.345', 7.77] });
  s('price-not', 'product', 'price', { not: '9.99' });
  s('weight-null', 'book', 'weight', null);
  s('weight-gte', 'book', 'weight', { gte: '1' });
  s('salary-lt', 'employee', 'salary', { lt: 100000 });
  s('salary-null', 'employee', 'salary', null);
  s('salary-equals-trailing-zero', 'employee', 'salary', '180000.50');
  get('filter.product.price.meta-decimal', 'product', 'findMany', { where: { price: { gt: '10' } }, select: { id: true }, orderBy: { id: 'asc' } }, { meta: { serialization: { values: { 'where.price.gt': [['custom', 'Decimal']] } } } });
  // DateTime
  s('created-equals', 'book', 'created_at', ISO('2023-05-03T10:00:00'));
  s('created-gt', 'book', 'created_at', { gt: ISO('2023-05-15T10:00:00') });
  s('created-lte', 'book', 'created_at', { lte: ISO('2023-05-03T10:00:00') });
  s('created-in', 'book', 'created_at', { in: [ISO('2023-05-08T10:00:00'), ISO('2023-05-20T10:00:00')] });
  s('created-not', 'book', 'created_at', { not: ISO('2023-05-08T10:00:00') });
  s('created-range', 'book', 'created_at', { gte: ISO('2023-05-05T00:00:00'), lt: ISO('2023-05-10T00:00:00') });
  s('created-offset', 'book', 'created_at', { gte: '2023-05-19T12:00:00+02:00' });
  s('released-null', 'product', 'released', null);
  s('released-not-null', 'product', 'released', { not: null });
  s('released-lt', 'product', 'released', { lt: ISO('2022-01-10T00:00:00') });
  s('hired-gte', 'employee', 'hired_at', { gte: ISO('2019-01-01T00:00:00') });
  s('hired-equals-ties', 'employee', 'hired_at', ISO('2018-01-15T00:00:00'));
  s('updated-gt', 'user', 'updated_at', { gt: ISO('2023-03-05T00:00:00') });
  s('birthday-lt', 'profile', 'birthday', { lt: ISO('1986-01-01T00:00:00') });
  s('date-only', 'book', 'created_at', { gt: '2023-05-15' });
  get('filter.book.created_at.meta-date', 'book', 'findMany', { where: { created_at: { gt: ISO('2023-05-17T10:00:00') } }, select: { id: true }, orderBy: { id: 'asc' } }, { meta: { serialization: { values: { 'where.created_at.gt': ['Date'] } } } });
  get('filter.book.created_at.meta-date-in', 'book', 'findMany', { where: { created_at: { in: [ISO('2023-05-01T10:00:00'), ISO('2023-05-02T10:00:00')] } }, select: { id: true }, orderBy: { id: 'asc' } }, { meta: { serialization: { values: { 'where.created_at.in.0': ['Date'], 'where.created_at.in.1': ['Date'] } } } });
  // Boolean
  s('true', 'book', 'published', true);
  s('equals-false', 'book', 'published', { equals: false });
  s('not-true', 'book', 'published', { not: true });
  s('active-false', 'user', 'active', false);
  s('active-true', 'product', 'active', true);
  // Json
  s('json-equals-object', 'product', 'attributes', { equals: { color: 'blue', size: 5 } });
  s('json-equals-array', 'product', 'attributes', { equals: [1, 2, 3] });
  s('json-equals-scalar', 'product', 'attributes', { equals: 42 });
  s('json-not', 'product', 'attributes', { not: 42 });
  s('json-path', 'product', 'attributes', { path: '$.color', equals: 'red' });
  s('json-string-contains', 'product', 'attributes', { string_contains: 'string' });
  // superjson `undefined` (superjson 1.x clients send undefined as null + ["undefined"])
  get('filter.superjson.undefined', 'user', 'findMany', { where: { first_name: null, active: true }, select: { id: true }, orderBy: { id: 'asc' } }, { meta: { serialization: { values: { 'where.first_name': ['undefined'] } } } });
  // a branch whose only field is undefined is dropped (ZenStack): OR → no branch, NOT → none
  const undef = (paths) => ({ meta: { serialization: { values: Object.fromEntries(paths.map((p) => [p, ['undefined']])) } } });
  get('filter.superjson.undefined-or-branch', 'user', 'findMany', { where: { OR: [{ id: null }] }, select: { id: true }, orderBy: { id: 'asc' } }, undef(['where.OR.0.id']));
  get('filter.superjson.undefined-or-mixed', 'user', 'findMany', { where: { OR: [{ id: null }, { active: false }, { id: null }] }, select: { id: true }, orderBy: { id: 'asc' } }, undef(['where.OR.0.id', 'where.OR.2.id']));
  get('filter.superjson.undefined-not-branch', 'user', 'findMany', { where: { NOT: [{ id: null }] }, select: { id: true }, orderBy: { id: 'asc' } }, undef(['where.NOT.0.id']));
  get('filter.superjson.undefined-and-branch', 'user', 'findMany', { where: { AND: [{ id: null }], active: true }, select: { id: true }, orderBy: { id: 'asc' } }, undef(['where.AND.0.id']));
  // undefined values (absent) and empty objects
  where('filter.empty-where', 'tenant', {});
  where('filter.empty-field-filter', 'user', { first_name: {} });

  // ───────────────────────────── AND / OR / NOT ─────────────────────────────
  where('logic.and-array', 'user', { AND: [{ tenant_id: ID.t1 }, { karma: { gte: 5 } }] });
  where('logic.and-object', 'user', { AND: { tenant_id: ID.t1, active: true } });
  where('logic.and-empty', 'user', { AND: [] });
  where('logic.or', 'user', { OR: [{ first_name: 'Alice' }, { last_name: 'Jones' }] });
  where('logic.or-empty', 'user', { OR: [] });
  where('logic.or-single-object', 'user', { OR: { first_name: 'Bob' } });
  where('logic.not-object', 'user', { NOT: { tenant_id: ID.t1 } });
  where('logic.not-array', 'user', { NOT: [{ tenant_id: ID.t1 }, { active: false }] });
  where('logic.not-empty', 'user', { NOT: [] });
  where('logic.not-null-semantics', 'user', { NOT: { last_name: 'Smith' } });
  where('logic.nested', 'book', { OR: [{ AND: [{ published: true }, { pages: { gt: 200 } }] }, { NOT: { price: { not: null } } }] });
  where('logic.deep', 'book', { AND: [{ OR: [{ title: { startsWith: 'R' } }, { title: { startsWith: 'r' } }] }, { NOT: [{ author_id: ID.u02 }] }] });
  where('logic.mixed-with-fields', 'book', { published: true, OR: [{ pages: { lt: 100 } }, { pages: { gt: 400 } }] });
  where('logic.or-with-nulls', 'user', { OR: [{ nickname: null }, { nickname: { startsWith: 'J' } }] });
  where('logic.not-or', 'product', { NOT: { OR: [{ category: 'tools' }, { category: null }] } });
  where('logic.and-or-not-relations', 'user', { AND: [{ books: { some: {} } }, { NOT: { profile: null } }], OR: [{ tenant_id: ID.t1 }, { tenant_id: ID.t3 }] });

  // ───────────────────────────── relation filters ─────────────────────────────
  where('rel.some', 'user', { books: { some: { published: true } } });
  where('rel.some-empty', 'user', { books: { some: {} } });
  where('rel.every', 'user', { books: { every: { published: true } } });
  where('rel.every-empty', 'user', { books: { every: {} } });
  where('rel.none', 'user', { books: { none: { pages: { gt: 200 } } } });
  where('rel.none-empty', 'user', { books: { none: {} } });
  where('rel.some-and-none', 'user', { books: { some: { published: true }, none: { published: false } } });
  where('rel.some.chapters.some', 'user', { books: { some: { chapters: { some: { words: { gte: 5000 } } } } } });
  where('rel.every.chapters.every', 'user', { books: { every: { chapters: { every: { words: { not: null } } } } } });
  where('rel.book.chapters.none-null', 'book', { chapters: { none: { words: null } } });
  where('rel.book.chapters.every-position', 'book', { chapters: { every: { position: { lte: 2 } } } });
  where('rel.is', 'book', { author: { is: { tenant_id: ID.t1 } } });
  where('rel.isNot', 'book', { author: { isNot: { tenant_id: ID.t1 } } });
  where('rel.direct', 'book', { author: { first_name: 'Alice' } });
  where('rel.is-nested-3', 'chapter', { book: { is: { author: { is: { tenant: { is: { name: 'Acme' } } } } } } });
  where('rel.direct-nested-3', 'chapter', { book: { author: { tenant: { name: { startsWith: 'Ü' } } } } });
  where('rel.tenant.users.some.books.some', 'tenant', { users: { some: { books: { some: { chapters: { some: { title: 'Ownership' } } } } } } });
  where('rel.tenant.users.every', 'tenant', { users: { every: { active: true } } });
  where('rel.tenant.users.none', 'tenant', { users: { none: { karma: 0 } } });
  where('rel.self.manager.is-null', 'employee', { manager: null });
  where('rel.self.manager.is-null-explicit', 'employee', { manager: { is: null } });
  where('rel.self.manager.isNot-null', 'employee', { manager: { isNot: null } });
  where('rel.self.manager.is', 'employee', { manager: { is: { name: 'Ben' } } });
  where('rel.self.manager.manager', 'employee', { manager: { manager: { name: 'Ada' } } });
  where('rel.self.reports.some', 'employee', { reports: { some: {} } });
  where('rel.self.reports.none', 'employee', { reports: { none: {} } });
  where('rel.self.reports.every-level', 'employee', { reports: { every: { level: { lte: 2 } } } });
  where('rel.self.reports.some.reports.some', 'employee', { reports: { some: { reports: { some: {} } } } });
  where('rel.one-to-one.profile-null', 'user', { profile: null });
  where('rel.one-to-one.profile-is', 'user', { profile: { is: { bio: { not: null } } } });
  where('rel.one-to-one.profile-isNot', 'user', { profile: { isNot: { bio: null } } });
  where('rel.one-to-one.profile-direct', 'user', { profile: { website: { contains: 'example' } } });
  where('rel.one-to-one.user-is', 'profile', { user: { is: { tenant_id: ID.t2 } } });
  where('rel.one-to-one.user-books', 'profile', { user: { books: { some: { title: { contains: 'Rust' } } } } });
  where('rel.combined-scalar', 'book', { published: true, author: { active: true }, chapters: { some: { position: 3 } } });
  where('rel.fk-scalar', 'chapter', { book_id: { in: ['b01', 'b08'] }, position: { gt: 2 } });
  where('rel.not-some', 'user', { NOT: { books: { some: { published: false } } } });
  where('rel.or-relations', 'book', { OR: [{ author: { nickname: null } }, { chapters: { none: {} } }] });

  // ───────────────────────────── orderBy ─────────────────────────────
  const ob = (id, model, orderBy, extra = {}) => get(`order.${id}`, model, 'findMany', { orderBy, select: { id: true }, ...extra });
  ob('single-asc', 'book', { title: 'asc' });
  ob('single-desc', 'book', { title: 'desc' });
  ob('int-ties-then-id', 'book', [{ pages: 'desc' }, { id: 'asc' }]);
  ob('float-nulls-default-asc', 'book', [{ price: 'asc' }, { id: 'asc' }]);
  ob('float-nulls-default-desc', 'book', [{ price: 'desc' }, { id: 'asc' }]);
  ob('nulls-first', 'book', [{ price: { sort: 'asc', nulls: 'first' } }, { id: 'asc' }]);
  ob('nulls-last', 'book', [{ price: { sort: 'asc', nulls: 'last' } }, { id: 'asc' }]);
  ob('nulls-first-desc', 'user', [{ last_name: { sort: 'desc', nulls: 'first' } }, { id: 'asc' }]);
  ob('nulls-last-desc', 'user', [{ last_name: { sort: 'desc', nulls: 'last' } }, { id: 'asc' }]);
  ob('sort-object-no-nulls', 'user', [{ first_name: { sort: 'asc' } }, { id: 'asc' }]);
  ob('multi-object', 'chapter', { book_id: 'asc', position: 'desc' });
  ob('multi-array', 'chapter', [{ words: 'desc' }, { title: 'asc' }, { id: 'asc' }]);
  ob('mixed-case-strings', 'book', [{ title: 'asc' }, { id: 'asc' }]);
  ob('nonascii', 'user', [{ first_name: 'asc' }, { id: 'asc' }]);
  ob('bigint', 'product', [{ stock: 'desc' }]);
  ob('decimal', 'product', [{ price: 'asc' }, { id: 'asc' }]);
  ob('datetime', 'employee', [{ hired_at: 'desc' }, { id: 'asc' }]);
  ob('boolean', 'book', [{ published: 'asc' }, { id: 'desc' }]);
  ob('mapped-column', 'product', [{ name: 'asc' }, { id: 'asc' }]);
  ob('to-one', 'book', [{ author: { email: 'asc' } }, { id: 'asc' }]);
  ob('to-one-desc-nested', 'chapter', [{ book: { title: 'desc' } }, { position: 'asc' }]);
  ob('to-one-2-levels', 'book', [{ author: { tenant: { name: 'asc' } } }, { id: 'asc' }]);
  ob('to-one-nullable-self', 'employee', [{ manager: { name: 'asc' } }, { id: 'asc' }]);
  ob('to-one-nulls', 'employee', [{ manager: { name: { sort: 'asc', nulls: 'last' } } }, { id: 'asc' }]);
  ob('relation-count', 'user', [{ books: { _count: 'desc' } }, { id: 'asc' }]);
  ob('relation-count-asc', 'book', [{ chapters: { _count: 'asc' } }, { id: 'asc' }]);
  ob('self-relation-count', 'employee', [{ reports: { _count: 'desc' } }, { id: 'asc' }]);
  ob('one-to-one-back', 'user', [{ profile: { bio: 'asc' } }, { id: 'asc' }]);
  ob('with-where', 'book', { pages: 'asc' }, { where: { published: true } });
  ob('empty-object', 'tenant', {});
  ob('empty-array', 'tenant', []);
  ob('fk-then-id', 'profile', [{ user_id: 'desc' }]);
  ob('int-id', 'product', { id: 'desc' });
  ob('tenant-name-case', 'tenant', { name: 'asc' });
  get('order.invalid-direction', 'book', 'findMany', { orderBy: { title: 'up' } });
  get('order.unknown-field', 'book', 'findMany', { orderBy: { nope: 'asc' } });

  // ───────────────────────────── skip / take / cursor ─────────────────────────────
  const pg = (id, model, args) => get(`page.${id}`, model, 'findMany', { select: { id: true }, ...args });
  pg('take', 'book', { orderBy: { id: 'asc' }, take: 3 });
  pg('skip', 'book', { orderBy: { id: 'asc' }, skip: 17 });
  pg('skip-take', 'book', { orderBy: { id: 'asc' }, skip: 5, take: 4 });
  pg('take-0', 'book', { orderBy: { id: 'asc' }, take: 0 });
  pg('skip-beyond', 'book', { orderBy: { id: 'asc' }, skip: 100 });
  pg('take-negative', 'book', { orderBy: { id: 'asc' }, take: -3 });
  pg('take-negative-skip', 'book', { orderBy: { id: 'asc' }, take: -3, skip: 2 });
  pg('take-negative-multi-order', 'chapter', { orderBy: [{ words: 'desc' }, { id: 'asc' }], take: -4 });
  pg('take-negative-no-order', 'tenant', { take: -1 });
  pg('take-no-order', 'tenant', { take: 2 });
  pg('skip-no-take', 'user', { orderBy: { email: 'asc' }, skip: 8 });
  pg('take-float', 'book', { orderBy: { id: 'asc' }, take: 1.5 });
  pg('skip-negative', 'book', { orderBy: { id: 'asc' }, skip: -1 });
  pg('take-string', 'book', { orderBy: { id: 'asc' }, take: '2' });
  pg('cursor', 'book', { orderBy: { id: 'asc' }, cursor: { id: 'b05' }, take: 3 });
  pg('cursor-skip-1', 'book', { orderBy: { id: 'asc' }, cursor: { id: 'b05' }, skip: 1, take: 3 });
  pg('cursor-negative-take', 'book', { orderBy: { id: 'asc' }, cursor: { id: 'b05' }, take: -2 });
  pg('cursor-desc', 'book', { orderBy: { id: 'desc' }, cursor: { id: 'b05' }, take: 3 });
  pg('cursor-other-order', 'book', { orderBy: [{ pages: 'asc' }, { id: 'asc' }], cursor: { id: 'b13' }, take: 4 });
  pg('cursor-unique-field', 'user', { orderBy: { email: 'asc' }, cursor: { email: 'dave@example.org' }, take: 2 });
  pg('cursor-compound', 'chapter', { orderBy: [{ book_id: 'asc' }, { position: 'asc' }], cursor: { book_id_position: { book_id: 'b02', position: 2 } }, take: 3 });
  pg('cursor-missing', 'book', { orderBy: { id: 'asc' }, cursor: { id: 'nope' }, take: 3 });
  pg('cursor-no-take', 'book', { orderBy: { id: 'asc' }, cursor: { id: 'b18' } });
  pg('cursor-with-where', 'book', { where: { published: true }, orderBy: { id: 'asc' }, cursor: { id: 'b06' }, take: 3 });
  pg('cursor-int-id', 'product', { orderBy: { id: 'asc' }, cursor: { id: 10 } });

  // ───────────────────────────── distinct (400 not-supported on sqlite) ─────────────────────────────
  get('distinct.single', 'book', 'findMany', { distinct: ['author_id'], select: { author_id: true }, orderBy: { author_id: 'asc' } });
  get('distinct.multi', 'book', 'findMany', { distinct: ['pages', 'price'], select: { pages: true, price: true }, orderBy: [{ pages: 'asc' }, { price: 'asc' }] });
  get('distinct.string', 'book', 'findMany', { distinct: 'published', select: { published: true }, orderBy: { published: 'asc' } });
  get('distinct.with-where', 'user', 'findMany', { distinct: ['tenant_id'], where: { active: true }, select: { tenant_id: true }, orderBy: { tenant_id: 'asc' } });
  get('distinct.findFirst', 'chapter', 'findFirst', { distinct: ['book_id'], orderBy: { book_id: 'desc' }, select: { book_id: true } });
  get('distinct.unknown-field', 'book', 'findMany', { distinct: ['nope'] });
  // An order that does not start with the distinct fields: ZenStack puts them first.
  get('distinct.other-order', 'book', 'findMany', { distinct: ['author_id'], select: { author_id: true, title: true }, orderBy: { title: 'desc' } });
  get('distinct.other-order.take', 'book', 'findMany', { distinct: ['published'], select: { published: true, id: true }, orderBy: [{ pages: 'asc' }], take: -2 });

  // ───────────────────────────── select / include / omit ─────────────────────────────
  const sel = (id, model, args) => get(`select.${id}`, model, 'findMany', args);
  sel('scalars', 'book', { select: { id: true, title: true, price: true }, orderBy: { id: 'asc' }, take: 5 });
  sel('false-values', 'book', { select: { id: true, title: false }, orderBy: { id: 'asc' }, take: 3 });
  sel('all-types', 'product', { select: { id: true, stock: true, price: true, released: true, attributes: true, rating: true, active: true }, orderBy: { id: 'asc' } });
  sel('mapped', 'chapter', { select: { id: true, book_id: true }, orderBy: { id: 'asc' }, take: 4 });
  sel('to-one', 'book', { select: { id: true, author: true }, orderBy: { id: 'asc' }, take: 3 });
  sel('to-one-select', 'book', { select: { id: true, author: { select: { email: true, tenant: { select: { name: true } } } } }, orderBy: { id: 'asc' }, take: 4 });
  sel('to-many', 'user', { select: { id: true, books: true }, where: { id: { in: [ID.u01, ID.u04] } }, orderBy: { id: 'asc' } });
  sel('to-many-args', 'user', { select: { id: true, books: { where: { published: true }, orderBy: { pages: 'desc' }, take: 1, select: { id: true, pages: true } } }, orderBy: { id: 'asc' } });
  sel('to-many-skip', 'book', { select: { id: true, chapters: { orderBy: { position: 'asc' }, skip: 1, take: 2, select: { title: true } } }, where: { id: { in: ['b01', 'b08', 'b12'] } }, orderBy: { id: 'asc' } });
  sel('to-many-negative-take', 'book', { select: { id: true, chapters: { orderBy: { position: 'asc' }, take: -1, select: { position: true } } }, where: { id: { in: ['b01', 'b02'] } }, orderBy: { id: 'asc' } });
  sel('to-many-cursor', 'book', { select: { id: true, chapters: { orderBy: { id: 'asc' }, cursor: { id: 'c02' }, take: 2, select: { id: true } } }, where: { id: 'b01' } });
  sel('to-many-distinct', 'user', { select: { id: true, books: { distinct: ['pages'], select: { pages: true }, orderBy: { pages: 'asc' } } }, where: { id: ID.u09 } });
  sel('nested-3', 'tenant', { select: { name: true, users: { select: { email: true, books: { select: { title: true, chapters: { select: { title: true }, orderBy: { position: 'asc' } } }, orderBy: { id: 'asc' } } }, orderBy: { id: 'asc' } } }, orderBy: { id: 'asc' } });
  sel('self', 'employee', { select: { id: true, manager: { select: { name: true } }, reports: { select: { id: true }, orderBy: { id: 'asc' } } }, orderBy: { id: 'asc' } });
  sel('one-to-one', 'user', { select: { id: true, profile: { select: { bio: true } } }, orderBy: { id: 'asc' } });
  sel('one-to-one-back', 'profile', { select: { id: true, user: { select: { email: true, nickname: true } } }, orderBy: { id: 'asc' } });
  sel('count-true', 'user', { select: { id: true, _count: true }, orderBy: { id: 'asc' } });
  sel('count-select', 'user', { select: { id: true, _count: { select: { books: true } } }, orderBy: { id: 'asc' } });
  sel('count-filtered', 'user', { select: { id: true, _count: { select: { books: { where: { published: true } } } } }, orderBy: { id: 'asc' } });
  sel('count-filtered-relation', 'user', { select: { id: true, _count: { select: { books: { where: { chapters: { some: {} } } } } } }, orderBy: { id: 'asc' } });
  sel('count-self', 'employee', { select: { id: true, _count: { select: { reports: true } } }, orderBy: { id: 'asc' } });
  sel('count-nested', 'tenant', { select: { id: true, users: { select: { id: true, _count: { select: { books: true } } }, orderBy: { id: 'asc' } } }, orderBy: { id: 'asc' } });
  sel('relation-false', 'user', { select: { id: true, books: false }, orderBy: { id: 'asc' }, take: 2 });
  sel('empty-select', 'tenant', { select: {} });
  sel('all-false', 'tenant', { select: { id: false } });
  const inc = (id, model, args) => get(`include.${id}`, model, 'findMany', args);
  inc('to-many', 'book', { include: { chapters: true }, where: { id: { in: ['b01', 'b09'] } }, orderBy: { id: 'asc' } });
  inc('to-many-args', 'book', { include: { chapters: { where: { words: { not: null } }, orderBy: { words: 'desc' }, take: 2 } }, where: { id: { in: ['b01', 'b14'] } }, orderBy: { id: 'asc' } });
  inc('to-one', 'chapter', { include: { book: true }, where: { id: { in: ['c01', 'c05'] } }, orderBy: { id: 'asc' } });
  // A `where` on an optional to-one: the related row, or null when it does not match.
  inc('to-one-optional-where', 'user', { select: { id: true, profile: { where: { bio: { not: null } } } }, orderBy: { id: 'asc' } });
  inc('to-one-optional-where-include', 'profile', { include: { user: { where: { first_name: 'Alice' } } }, orderBy: { id: 'asc' } });
  inc('nested', 'user', { include: { books: { include: { chapters: { select: { id: true } } }, orderBy: { id: 'asc' } }, tenant: true }, where: { tenant_id: ID.t3 }, orderBy: { id: 'asc' } });
  inc('self', 'employee', { include: { manager: true, reports: { orderBy: { id: 'asc' } } }, orderBy: { id: 'asc' } });
  inc('one-to-one-null', 'user', { include: { profile: true }, orderBy: { id: 'asc' } });
  inc('count-true', 'book', { include: { _count: true }, where: { author_id: ID.u01 }, orderBy: { id: 'asc' } });
  inc('count-select', 'tenant', { include: { _count: { select: { users: true } } }, orderBy: { id: 'asc' } });
  inc('count-filtered', 'tenant', { include: { _count: { select: { users: { where: { active: true } } } } }, orderBy: { id: 'asc' } });
  inc('false', 'book', { include: { chapters: false }, where: { id: 'b01' } });
  inc('select-inside-include', 'chapter', { include: { book: { select: { title: true, author: { select: { email: true } } } } }, where: { book_id: 'b07' }, orderBy: { id: 'asc' } });
  inc('omit-inside-include', 'user', { include: { books: { omit: { created_at: true, updated_at: true, copies: true, weight: true }, orderBy: { id: 'asc' } } }, where: { id: ID.u06 } });
  const om = (id, model, args) => get(`omit.${id}`, model, 'findMany', args);
  om('scalar', 'user', { omit: { email: true, created_at: true }, orderBy: { id: 'asc' }, take: 3 });
  om('false', 'user', { omit: { email: false }, orderBy: { id: 'asc' }, take: 2 });
  om('with-include', 'book', { omit: { subtitle: true, isbn: true }, include: { author: { select: { email: true } } }, where: { id: 'b02' } });
  om('decimal-bigint', 'product', { omit: { price: true, stock: true }, orderBy: { id: 'asc' }, take: 3 });
  om('with-select', 'user', { omit: { email: true }, select: { id: true } });
  om('unknown', 'user', { omit: { nope: true } });
  om('relation', 'user', { omit: { books: true } });

  // ───────────────────────────── findFirst / findUnique / exists ─────────────────────────────
  get('first.order', 'book', 'findFirst', { orderBy: { pages: 'desc' }, select: { id: true, pages: true } });
  get('first.where', 'book', 'findFirst', { where: { published: false }, orderBy: { id: 'asc' } });
  get('first.none', 'book', 'findFirst', { where: { pages: { gt: 10000 } } });
  get('first.noq', 'tenant', 'findFirst');
  get('first.skip', 'chapter', 'findFirst', { orderBy: { id: 'asc' }, skip: 10, select: { id: true } });
  get('first.take-ignored', 'chapter', 'findFirst', { orderBy: { id: 'asc' }, take: 5, select: { id: true } });
  get('first.negative-take', 'chapter', 'findFirst', { orderBy: { id: 'asc' }, take: -1, select: { id: true } });
  get('first.cursor', 'book', 'findFirst', { orderBy: { id: 'asc' }, cursor: { id: 'b10' }, skip: 1, select: { id: true } });
  get('first.include', 'user', 'findFirst', { where: { email: { endsWith: '.net' } }, include: { books: { include: { chapters: true } }, profile: true, tenant: true } });
  get('unique.id', 'book', 'findUnique', { where: { id: 'b01' } });
  get('unique.id-int', 'product', 'findUnique', { where: { id: 4 } });
  get('unique.field', 'user', 'findUnique', { where: { email: 'carol@example.com' }, select: { id: true } });
  get('unique.field-case', 'user', 'findUnique', { where: { email: 'CAROL@example.com' } });
  get('unique.compound', 'book', 'findUnique', { where: { title_author_id: { title: 'Rust Basics', author_id: ID.u01 } }, select: { id: true } });
  get('unique.compound-mapped', 'chapter', 'findUnique', { where: { book_id_position: { book_id: 'b08', position: 3 } } });
  get('unique.compound-category', 'product', 'findUnique', { where: { category_name: { category: 'tools', name: 'Widget' } }, select: { id: true } });
  get('unique.nullable-unique', 'book', 'findUnique', { where: { isbn: '978-0-00-000008-0' }, select: { id: true } });
  get('unique.fk-unique', 'profile', 'findUnique', { where: { user_id: ID.u05 }, include: { user: true } });
  get('unique.extra-filters', 'book', 'findUnique', { where: { id: 'b01', published: true }, select: { id: true } });
  get('unique.extra-filters-miss', 'book', 'findUnique', { where: { id: 'b01', published: false } });
  get('unique.not-found', 'book', 'findUnique', { where: { id: 'zzz' } });
  get('unique.relation-include', 'employee', 'findUnique', { where: { id: 'e02' }, include: { reports: { orderBy: { id: 'asc' } }, manager: true, _count: true } });
  get('unique.non-unique-where', 'book', 'findUnique', { where: { title: 'Rust Basics' } });
  get('unique.no-where', 'book', 'findUnique');
  get('unique.empty-where', 'book', 'findUnique', { where: {} });
  get('unique.id-wrong-type', 'product', 'findUnique', { where: { id: 'one' } });
  get('exists.true', 'book', 'exists', { where: { author_id: ID.u01 } });
  get('exists.false', 'book', 'exists', { where: { author_id: ID.u04, published: true } });
  get('exists.noq', 'profile', 'exists');
  get('exists.relation', 'user', 'exists', { where: { books: { some: { chapters: { some: { title: 'Sonnet' } } } } } });
  get('exists.invalid', 'user', 'exists', { where: { nope: 1 } });

  // ───────────────────────────── count / aggregate / groupBy ─────────────────────────────
  get('count.where', 'book', 'count', { where: { published: true } });
  get('count.select-fields', 'book', 'count', { select: { _all: true, price: true, subtitle: true, copies: true } });
  get('count.relation-where', 'chapter', 'count', { where: { book: { published: false } } });
  get('count.select-true', 'book', 'count', { select: true });
  get('count.select-false', 'book', 'count', { select: false });
  get('include.to-one-where', 'chapter', 'findMany', { include: { book: { where: { published: true } } }, orderBy: { id: 'asc' }, take: 2 });
  post('w.create.chapter.fk-and-relation', 'chapter', 'create', { data: { id: 'c-both', title: 'Both', position: 7, book_id: 'b01', book: { connect: { id: 'b02' } } } });
  put('w.update.chapter.fk-and-relation', 'chapter', 'update', { where: { id: 'c01' }, data: { book_id: 'b01', book: { connect: { id: 'b02' } } } });
  get('count.skip-take', 'book', 'count', { skip: 5, take: 10 });
  get('count.orderBy-take', 'book', 'count', { orderBy: { pages: 'desc' }, take: 3 });
  get('count.cursor', 'book', 'count', { cursor: { id: 'b15' }, orderBy: { id: 'asc' } });
  get('count.zero', 'book', 'count', { where: { id: 'nope' } });
  get('count.distinct', 'book', 'count', { distinct: ['author_id'] });
  get('count.invalid-select', 'book', 'count', { select: { nope: true } });
  const agg = (id, model, args) => get(`agg.${id}`, model, 'aggregate', args);
  agg('count-all', 'book', { _count: { _all: true } });
  agg('count-true', 'book', { _count: true });
  agg('count-fields', 'book', { _count: { price: true, isbn: true, _all: true } });
  agg('int', 'book', { _sum: { pages: true }, _avg: { pages: true }, _min: { pages: true }, _max: { pages: true } });
  agg('float', 'book', { _sum: { price: true }, _avg: { price: true }, _min: { price: true }, _max: { price: true } });
  agg('bigint', 'product', { _sum: { stock: true }, _avg: { stock: true }, _min: { stock: true }, _max: { stock: true } });
  agg('decimal', 'product', { _sum: { price: true }, _avg: { price: true }, _min: { price: true }, _max: { price: true } });
  agg('decimal-nulls', 'employee', { _sum: { salary: true }, _avg: { salary: true }, _count: { salary: true } });
  agg('datetime', 'book', { _min: { created_at: true }, _max: { created_at: true } });
  agg('string', 'user', { _min: { first_name: true, email: true }, _max: { first_name: true, last_name: true } });
  agg('bool', 'book', { _min: { published: true }, _max: { published: true } });
  agg('where', 'book', { where: { published: true }, _sum: { pages: true }, _count: true });
  agg('empty-set', 'book', { where: { id: 'nope' }, _sum: { pages: true }, _avg: { price: true }, _min: { title: true }, _count: true });
  agg('order-skip-take', 'book', { orderBy: { pages: 'desc' }, skip: 2, take: 5, _sum: { pages: true }, _count: true });
  agg('negative-take', 'book', { orderBy: { id: 'asc' }, take: -3, _max: { id: true }, _min: { id: true } });
  agg('cursor', 'book', { orderBy: { id: 'asc' }, cursor: { id: 'b17' }, _count: true });
  agg('relation-where', 'chapter', { where: { book: { author: { tenant_id: ID.t1 } } }, _avg: { words: true }, _sum: { words: true } });
  agg('nullable-int', 'chapter', { _avg: { words: true }, _min: { words: true }, _count: { words: true } });
  agg('avg-string-invalid', 'book', { _avg: { title: true } });
  const gb = (id, model, args) => get(`group.${id}`, model, 'groupBy', args);
  gb('single', 'book', { by: ['author_id'], _count: { _all: true }, orderBy: { author_id: 'asc' } });
  gb('single-string-by', 'book', { by: 'published', _count: true, orderBy: { published: 'asc' } });
  gb('multi', 'book', { by: ['published', 'pages'], _count: { _all: true }, orderBy: [{ published: 'asc' }, { pages: 'asc' }] });
  gb('sum-avg', 'book', { by: ['author_id'], _sum: { pages: true, price: true }, _avg: { pages: true }, orderBy: { author_id: 'asc' } });
  gb('min-max', 'chapter', { by: ['book_id'], _min: { position: true, title: true }, _max: { words: true }, orderBy: { book_id: 'asc' } });
  gb('where', 'user', { by: ['tenant_id'], where: { active: true }, _count: { _all: true }, orderBy: { tenant_id: 'asc' } });
  gb('having-sum', 'book', { by: ['author_id'], _sum: { pages: true }, having: { pages: { _sum: { gt: 300 } } }, orderBy: { author_id: 'asc' } });
  gb('having-count', 'chapter', { by: ['book_id'], _count: { _all: true }, having: { book_id: { _count: { gte: 3 } } }, orderBy: { book_id: 'asc' } });
  gb('having-avg', 'book', { by: ['published'], _avg: { price: true }, having: { price: { _avg: { lt: 30 } } }, orderBy: { published: 'asc' } });
  gb('having-scalar', 'book', { by: ['author_id'], _count: true, having: { author_id: { in: [ID.u01, ID.u09] } }, orderBy: { author_id: 'asc' } });
  gb('order-by-count', 'book', { by: ['author_id'], _count: { id: true }, orderBy: [{ _count: { id: 'desc' } }, { author_id: 'asc' }] });
  gb('order-by-sum', 'book', { by: ['author_id'], _sum: { pages: true }, orderBy: [{ _sum: { pages: 'desc' } }, { author_id: 'asc' }] });
  gb('order-by-avg', 'chapter', { by: ['book_id'], _avg: { words: true }, orderBy: [{ _avg: { words: 'asc' } }, { book_id: 'asc' }] });
  gb('skip-take', 'chapter', { by: ['book_id'], _count: true, orderBy: { book_id: 'asc' }, skip: 3, take: 4 });
  gb('negative-take', 'chapter', { by: ['book_id'], _count: true, orderBy: { book_id: 'asc' }, take: -3 });
  gb('negative-take-skip', 'book', { by: ['author_id'], _sum: { pages: true }, orderBy: [{ _sum: { pages: 'desc' } }, { author_id: 'asc' }], skip: 1, take: -2 });
  gb('nullable-key', 'product', { by: ['category'], _count: { _all: true }, _sum: { qty: true }, orderBy: { category: 'asc' } });
  gb('bigint-decimal', 'product', { by: ['active'], _sum: { stock: true, price: true }, _avg: { price: true }, _max: { stock: true }, orderBy: { active: 'asc' } });
  gb('datetime-key', 'employee', { by: ['hired_at'], _count: true, orderBy: { hired_at: 'asc' } });
  gb('mapped-key', 'chapter', { by: ['book_id', 'position'], where: { position: 1 }, orderBy: { book_id: 'desc' } });
  gb('no-aggregates', 'user', { by: ['locale'], orderBy: { locale: 'asc' } });
  gb('self-fk', 'employee', { by: ['manager_id'], _count: true, _avg: { level: true }, orderBy: { manager_id: 'asc' } });
  gb('no-order', 'tenant', { by: ['id'] });
  gb('order-not-in-by', 'book', { by: ['author_id'], orderBy: { title: 'asc' } });
  gb('missing-by', 'book', { _count: true });
  // One group only: without orderBy the order of groups is unspecified (PostgreSQL hashes).
  gb('take-without-order', 'book', { by: ['author_id'], take: 2, where: { author_id: ID.u01 } });

  // ───────────────────────────── enums (reads, then writes on `ticket` alone) ─────────────────────────────
  const en = (id, w) => where(`enum.filter.${id}`, 'ticket', w, ['priority', 'status']);
  en('implicit', { priority: 'HIGH' });
  en('equals', { priority: { equals: 'URGENT' } });
  en('in', { priority: { in: ['LOW', 'HIGH'] } });
  en('in-empty', { priority: { in: [] } });
  en('notIn', { priority: { notIn: ['LOW', 'MEDIUM'] } });
  en('not', { priority: { not: 'URGENT' } });
  en('not-nested', { priority: { not: { in: ['LOW', 'URGENT'] } } });
  en('null', { status: null });
  en('not-null', { status: { not: null } });
  en('and-or', { OR: [{ status: 'CLOSED' }, { priority: 'HIGH' }] });
  en('bad-value', { priority: 'CRITICAL' });
  en('bad-value-in', { priority: { in: ['LOW', 'nope'] } });
  en('lowercase', { priority: 'high' });
  en('number', { priority: 1 });
  en('contains', { priority: { contains: 'IGH' } });
  en('gt', { priority: { gt: 'LOW' } });
  en('mode', { priority: { equals: 'HIGH', mode: 'insensitive' } });
  get('enum.order.asc', 'ticket', 'findMany', { orderBy: [{ priority: 'asc' }, { id: 'asc' }], select: { id: true, priority: true } });
  get('enum.order.desc', 'ticket', 'findMany', { orderBy: [{ priority: 'desc' }, { id: 'asc' }], select: { id: true, priority: true } });
  get('enum.order.nulls', 'ticket', 'findMany', { orderBy: [{ status: { sort: 'asc', nulls: 'first' } }, { id: 'asc' }], select: { id: true, status: true } });
  get('enum.cursor', 'ticket', 'findMany', { orderBy: [{ priority: 'asc' }, { id: 'asc' }], cursor: { id: 'k03' }, take: 3, select: { id: true } });
  get('enum.groupBy', 'ticket', 'groupBy', { by: ['priority'], _count: { _all: true }, orderBy: { priority: 'asc' } });
  get('enum.groupBy.having', 'ticket', 'groupBy', { by: ['status'], _count: { id: true }, having: { status: { in: ['OPEN', 'CLOSED'] } }, orderBy: { status: 'desc' } });
  get('enum.aggregate.count', 'ticket', 'aggregate', { _count: { status: true, priority: true } });
  get('enum.aggregate.minmax', 'ticket', 'aggregate', { _min: { priority: true }, _max: { priority: true } });
  get('enum.distinct', 'ticket', 'findMany', { distinct: ['priority'], orderBy: { id: 'asc' }, select: { priority: true } });
  post('enum.create.default', 'ticket', 'create', { data: { id: 'k10', title: 'Defaults' } });
  post('enum.create.values', 'ticket', 'create', { data: { id: 'k11', title: 'Given', priority: 'LOW', status: 'OPEN' } });
  post('enum.create.bad', 'ticket', 'create', { data: { id: 'k12', title: 'Bad', priority: 'SOON' } });
  post('enum.create.null-required', 'ticket', 'create', { data: { id: 'k12', title: 'Bad', priority: null } });
  post('enum.createMany.bad', 'ticket', 'createMany', { data: [{ id: 'k13', title: 'ok' }, { id: 'k14', title: 'bad', status: 'PENDING' }] });
  put('enum.update.set', 'ticket', 'update', { where: { id: 'k04' }, data: { priority: { set: 'URGENT' }, status: 'OPEN' } });
  put('enum.update.null', 'ticket', 'update', { where: { id: 'k04' }, data: { status: null } });
  put('enum.update.bad', 'ticket', 'update', { where: { id: 'k04' }, data: { priority: 'urgent' } });
  put('enum.update.increment', 'ticket', 'update', { where: { id: 'k04' }, data: { priority: { increment: 1 } } });
  put('enum.updateMany', 'ticket', 'updateMany', { where: { priority: 'HIGH' }, data: { status: 'CLOSED' } });
  post('enum.upsert', 'ticket', 'upsert', { where: { id: 'k15' }, create: { id: 'k15', title: 'Upserted', priority: 'HIGH' }, update: {} });
  del('enum.deleteMany', 'ticket', 'deleteMany', { where: { status: 'CLOSED', priority: { in: ['LOW'] } } });
  get('enum.after-writes', 'ticket', 'findMany', { orderBy: { id: 'asc' } });

  // ───────────────────────────── 1-1 connect from the side without the key (`locker` / `badge` alone) ─────────────────────────────
  const badges = (id) => get(`${id}.badges`, 'badge', 'findMany', { orderBy: { id: 'asc' } });
  put('one.connect.moves', 'locker', 'update', { where: { id: 'l1' }, data: { badge: { connect: { id: 'g2' } } }, include: { badge: true } });
  badges('one.connect.moves');
  put('one.connect.same', 'locker', 'update', { where: { id: 'l1' }, data: { badge: { connect: { id: 'g2' } } }, include: { badge: true } });
  put('one.connectOrCreate.existing', 'locker', 'update', { where: { id: 'l2' }, data: { badge: { connectOrCreate: { where: { id: 'g2' }, create: { id: 'g2' } } } }, include: { badge: true } });
  badges('one.connectOrCreate.existing');
  put('one.connectOrCreate.new', 'locker', 'update', { where: { id: 'l2' }, data: { badge: { connectOrCreate: { where: { id: 'g3' }, create: { id: 'g3' } } } }, include: { badge: true } });
  badges('one.connectOrCreate.new');
  put('one.connect.missing', 'locker', 'update', { where: { id: 'l2' }, data: { badge: { connect: { id: 'nope' } } } });
  put('one.connect.missing-owner', 'badge', 'update', { where: { id: 'g1' }, data: { locker: { connect: { id: 'nope' } } } });
  post('one.create.connect', 'locker', 'create', { data: { id: 'l3', label: 'three', badge: { connect: { id: 'g3' } } }, include: { badge: true } });
  badges('one.create.connect');
  post('one.create.null', 'locker', 'create', { data: { id: 'l4', label: 'four', badge: null } });
  put('one.disconnect', 'locker', 'update', { where: { id: 'l3' }, data: { badge: { disconnect: true } }, include: { badge: true } });
  badges('one.disconnect');

  // ───────────────────────────── implicit many-to-many (`course` / `student` alone) ─────────────────────────────
  const students = { students: { orderBy: { id: 'asc' } } };
  const roster = (id) => get(`${id}.roster`, 'course', 'findMany', { orderBy: { id: 'asc' }, include: students });
  post('m2m.create.nested', 'course', 'create', { data: { id: 'c1', title: 'Algebra', students: { create: [{ id: 's1', name: 'Ann' }, { id: 's2', name: 'Ben' }] } }, include: students });
  post('m2m.create.connect', 'course', 'create', { data: { id: 'c2', title: 'Biology', students: { connect: [{ id: 's1' }], connectOrCreate: [{ where: { id: 's3' }, create: { id: 's3', name: 'Cat' } }] } }, include: students });
  post('m2m.create.connect-missing', 'course', 'create', { data: { id: 'c3', title: 'Chemistry', students: { connect: { id: 'nope' } } } });
  post('m2m.create.plain', 'course', 'create', { data: { id: 'c3', title: 'Chemistry' } });
  roster('m2m.create');
  get('m2m.include.reverse', 'student', 'findMany', { orderBy: { id: 'asc' }, include: { courses: { orderBy: { id: 'desc' } } } });
  get('m2m.include.take', 'student', 'findMany', { orderBy: { id: 'asc' }, include: { courses: { orderBy: { id: 'asc' }, take: 1 } } });
  get('m2m.include.skip', 'course', 'findMany', { orderBy: { id: 'asc' }, include: { students: { orderBy: { id: 'desc' }, skip: 1 } } });
  get('m2m.include.where', 'course', 'findMany', { orderBy: { id: 'asc' }, include: { students: { where: { name: { startsWith: 'A' } } } } });
  where('m2m.filter.some', 'course', { students: { some: { name: 'Ann' } } });
  where('m2m.filter.every', 'course', { students: { every: { name: { in: ['Ann', 'Ben'] } } } });
  where('m2m.filter.none', 'course', { students: { none: {} } });
  where('m2m.filter.reverse', 'student', { courses: { some: { title: 'Biology' } } });
  get('m2m.count', 'course', 'findMany', { orderBy: { id: 'asc' }, select: { id: true, _count: { select: { students: true } } } });
  get('m2m.count.where', 'course', 'findMany', { orderBy: { id: 'asc' }, select: { id: true, _count: { select: { students: { where: { name: 'Ann' } } } } } });
  get('m2m.order.count', 'course', 'findMany', { orderBy: [{ students: { _count: 'desc' } }, { id: 'asc' }], select: { id: true } });
  put('m2m.connect.again', 'course', 'update', { where: { id: 'c1' }, data: { students: { connect: { id: 's1' } } }, include: students });
  put('m2m.connect.missing', 'course', 'update', { where: { id: 'c1' }, data: { students: { connect: { id: 'nope' } } } });
  put('m2m.disconnect', 'course', 'update', { where: { id: 'c1' }, data: { students: { disconnect: [{ id: 's2' }] } }, include: students });
  put('m2m.disconnect.unpaired', 'course', 'update', { where: { id: 'c1' }, data: { students: { disconnect: { id: 's3' } } }, include: students });
  put('m2m.set', 'course', 'update', { where: { id: 'c3' }, data: { students: { set: [{ id: 's2' }, { id: 's3' }] } }, include: students });
  put('m2m.update.nested', 'course', 'update', { where: { id: 'c3' }, data: { students: { update: { where: { id: 's2' }, data: { name: 'Benjamin' } } } }, include: students });
  put('m2m.update.unpaired', 'course', 'update', { where: { id: 'c3' }, data: { students: { update: { where: { id: 's1' }, data: { name: 'X' } } } } });
  put('m2m.updateMany.nested', 'course', 'update', { where: { id: 'c2' }, data: { students: { updateMany: { where: { name: { startsWith: 'C' } }, data: { name: 'Cathy' } } } }, include: students });
  put('m2m.upsert.create', 'course', 'update', { where: { id: 'c3' }, data: { students: { upsert: { where: { id: 's4' }, create: { id: 's4', name: 'Dan' }, update: { name: 'no' } } } }, include: students });
  put('m2m.create.in-update', 'course', 'update', { where: { id: 'c1' }, data: { students: { create: { id: 's5', name: 'Eve' } } }, include: students });
  put('m2m.delete.nested', 'course', 'update', { where: { id: 'c1' }, data: { students: { delete: { id: 's5' } } }, include: students });
  put('m2m.deleteMany.nested', 'course', 'update', { where: { id: 'c3' }, data: { students: { deleteMany: { name: 'Dan' } } }, include: students });
  put('m2m.self.connect', 'student', 'update', { where: { id: 's1' }, data: { mentees: { connect: [{ id: 's2' }, { id: 's3' }] } }, include: { mentees: { orderBy: { id: 'asc' } }, mentors: true } });
  get('m2m.self.reverse', 'student', 'findMany', { orderBy: { id: 'asc' }, select: { id: true, mentors: { select: { id: true } }, _count: { select: { mentees: true } } } });
  del('m2m.delete.row', 'student', 'delete', { where: { id: 's2' } });
  roster('m2m.delete.row');
  get('m2m.after.students', 'student', 'findMany', { orderBy: { id: 'asc' }, include: { courses: { select: { id: true }, orderBy: { id: 'asc' } }, mentors: { select: { id: true } } } });

  // ───────────────────────────── delegate models (`media` and its sub-models alone) ─────────────────────────────
  const notes = { notes: { orderBy: { id: 'asc' } } };
  post('delegate.create.two-levels', 'short_clip', 'create', { data: { id: 1, title: 'Intro', seconds: 30, notes: { create: [{ id: 1, text: 'n1' }] } }, include: notes });
  post('delegate.create.one-level', 'photo', 'create', { data: { id: 2, title: 'Cover', width: 800, views: 5 } });
  post('delegate.create.second', 'short_clip', 'create', { data: { id: 3, title: 'Outro', seconds: 10, looped: true, views: 2 } });
  post('delegate.create.delegate', 'clip', 'create', { data: { id: 9, title: 'No', seconds: 1 } });
  post('delegate.create.discriminator', 'short_clip', 'create', { data: { id: 9, title: 'No', seconds: 1, clip_kind: 'x' } });
  post('delegate.create.nested-delegate', 'media_note', 'create', { data: { id: 9, text: 'No', media: { create: { id: 9, title: 'No' } } } });
  post('delegate.createMany', 'photo', 'createMany', { data: [{ id: 4, title: 'A', width: 10 }, { id: 5, title: 'B', width: 20, views: 7 }] });
  post('delegate.createMany.skipDuplicates', 'photo', 'createMany', { data: [{ id: 4, title: 'A', width: 10 }], skipDuplicates: true });
  get('delegate.read.base', 'media', 'findMany', { orderBy: { id: 'asc' } });
  get('delegate.read.base-select', 'media', 'findMany', { orderBy: { id: 'asc' }, select: { id: true, kind: true } });
  get('delegate.read.middle', 'clip', 'findMany', { orderBy: { id: 'asc' } });
  get('delegate.read.leaf', 'short_clip', 'findUnique', { where: { id: 1 }, include: notes });
  get('delegate.read.omit', 'short_clip', 'findMany', { orderBy: { id: 'asc' }, omit: { title: true, seconds: true } });
  get('delegate.read.through-relation', 'media_note', 'findMany', { include: { media: true } });
  where('delegate.filter.base-field', 'short_clip', { views: { gt: 0 }, seconds: { lt: 20 } });
  where('delegate.filter.relation', 'clip', { notes: { some: { text: 'n1' } } });
  get('delegate.order.across', 'short_clip', 'findMany', { orderBy: [{ views: 'desc' }, { seconds: 'asc' }], select: { id: true } });
  get('delegate.count.base', 'media', 'count', { where: { views: { gte: 2 } } });
  get('delegate.aggregate', 'clip', 'aggregate', { _avg: { views: true, seconds: true }, _max: { title: true }, _count: true });
  get('delegate.groupBy', 'photo', 'groupBy', { by: ['width'], _sum: { views: true }, orderBy: { width: 'asc' } });
  put('delegate.update.levels', 'short_clip', 'update', { where: { id: 1 }, data: { views: { increment: 3 }, seconds: 31, looped: true } });
  put('delegate.update.discriminator', 'short_clip', 'update', { where: { id: 1 }, data: { kind: 'PHOTO' } });
  put('delegate.updateMany.base', 'media', 'updateMany', { where: { views: { gte: 5 } }, data: { title: 'Popular' } });
  put('delegate.updateMany.limit', 'clip', 'updateMany', { data: { views: 0 }, limit: 1 });
  put('delegate.update.id', 'photo', 'update', { where: { id: 5 }, data: { id: 6 }, select: { id: true, width: true } });
  get('delegate.after-updates', 'media', 'findMany', { orderBy: { id: 'asc' } });
  del('delegate.delete.leaf', 'short_clip', 'delete', { where: { id: 3 } });
  del('delegate.delete.base', 'media', 'delete', { where: { id: 2 } });
  del('delegate.deleteMany.middle', 'clip', 'deleteMany', { where: { seconds: { gt: 30 } } });
  get('delegate.after-deletes', 'media', 'findMany', { orderBy: { id: 'asc' }, include: notes });
  get('delegate.after-deletes.notes', 'media_note', 'count', {});

  // ───────────────────────────── Json null markers (`doc` alone) ─────────────────────────────
  const marker = (path, name) => ({ serialization: { values: { [path]: [['custom', name]] } } });
  post('jsonnull.create.jsonnull', 'doc', 'create', { data: { id: 1, body: 'JsonNull' }, meta: marker('data.body', 'JsonNull') });
  post('jsonnull.create.dbnull-optional', 'doc', 'create', { data: { id: 2, body: { a: 1 }, note: 'DbNull' }, meta: marker('data.note', 'DbNull') });
  post('jsonnull.create.jsonnull-optional', 'doc', 'create', { data: { id: 3, body: { a: 2 }, note: 'JsonNull' }, meta: marker('data.note', 'JsonNull') });
  post('jsonnull.create.value', 'doc', 'create', { data: { id: 4, body: [1, null], note: { k: 'v' } } });
  post('jsonnull.create.dbnull-required', 'doc', 'create', { data: { id: 5, body: 'DbNull' }, meta: marker('data.body', 'DbNull') });
  post('jsonnull.create.plain-null', 'doc', 'create', { data: { id: 5, body: { a: 3 }, note: null } });
  post('jsonnull.create.anynull', 'doc', 'create', { data: { id: 5, body: 'AnyNull' }, meta: marker('data.body', 'AnyNull') });
  post('jsonnull.create.string', 'doc', 'create', { data: { id: 6, body: 'JsonNull' } });
  const jn = (id, field, op, name) => get(`jsonnull.filter.${id}`, 'doc', 'findMany', { where: { [field]: { [op]: name } }, orderBy: { id: 'asc' } }, { meta: marker(`where.${field}.${op}`, name) });
  jn('body-equals-jsonnull', 'body', 'equals', 'JsonNull');
  jn('note-equals-jsonnull', 'note', 'equals', 'JsonNull');
  jn('note-equals-dbnull', 'note', 'equals', 'DbNull');
  jn('note-equals-anynull', 'note', 'equals', 'AnyNull');
  jn('note-not-jsonnull', 'note', 'not', 'JsonNull');
  jn('note-not-dbnull', 'note', 'not', 'DbNull');
  jn('note-not-anynull', 'note', 'not', 'AnyNull');
  put('jsonnull.update.dbnull', 'doc', 'update', { where: { id: 4 }, data: { note: 'DbNull' }, meta: marker('data.note', 'DbNull') });
  put('jsonnull.update.jsonnull', 'doc', 'update', { where: { id: 4 }, data: { body: 'JsonNull' }, meta: marker('data.body', 'JsonNull') });
  put('jsonnull.update.plain-null', 'doc', 'update', { where: { id: 4 }, data: { note: null } });
  get('jsonnull.after', 'doc', 'findMany', { orderBy: { id: 'asc' } });

  // ───────────────────────────── validation attributes (`signup` alone) ─────────────────────────────
  const su = (id, data) => post(`check.${id}`, 'signup', 'create', { data });
  su('email', { id: 1, email: 'foo', handle: 'abc' });
  su('length-min', { id: 1, email: 'a@b.co', handle: 'ab' });
  su('length-max', { id: 1, email: 'a@b.co', handle: 'abcdefghijklm' });
  su('regex', { id: 1, email: 'a@b.co', handle: 'a-b-c' });
  su('url', { id: 1, email: 'a@b.co', handle: 'abc', site: 'nope' });
  su('lt', { id: 1, email: 'a@b.co', handle: 'abc', age: 150 });
  su('gte', { id: 1, email: 'a@b.co', handle: 'abc', age: -1 });
  su('ok-transformed', { id: 1, email: 'a@b.co', handle: '  Ada_L ', site: 'https://ada.dev', age: 36 });
  put('check.update-bad', 'signup', 'update', { where: { id: 1 }, data: { age: 200 } });
  put('check.update-transformed', 'signup', 'update', { where: { id: 1 }, data: { handle: ' GRACE ' } });
  put('check.updateMany-bad', 'signup', 'updateMany', { data: { email: 'x' } });
  post('check.createMany-bad', 'signup', 'createMany', { data: [{ id: 2, email: 'c@d.co', handle: 'ok_one' }, { id: 3, email: 'e@f.co', handle: 'x' }] });

  // ───────────────────────────── typed JSON filters (`persona` alone) ─────────────────────────────
  post('typed.seed', 'persona', 'createMany', { data: [
    { id: 1, profile: { name: 'Ada', age: 30, addr: { country: 'UK' }, roles: [{ title: 'Engineer', years: 3 }, { title: 'Designer' }] } },
    { id: 2, profile: { name: 'Bo', age: 17, addr: { country: 'US', zip: '10001' }, roles: [] } },
    { id: 3, profile: { name: 'Cy', age: 45, addr: null, roles: [{ title: 'Designer', years: 10 }] } },
    { id: 4, profile: { name: 'Di', age: 22, roles: [{ title: 'Engineer' }] } },
  ] });
  const tw = (id, w) => get(`typed.${id}`, 'persona', 'findMany', { where: w, orderBy: { id: 'asc' }, select: { id: true } });
  tw('scalar', { profile: { name: 'Ada' } });
  tw('lt', { profile: { age: { lt: 20 } } });
  tw('in', { profile: { age: { in: [17, 45] } } });
  tw('string-op', { profile: { name: { startsWith: 'C' }, age: { gte: 30 } } });
  tw('nested', { profile: { addr: { country: 'US' } } });
  tw('nested-null', { profile: { addr: { zip: null } } });
  tw('null', { profile: { addr: null } });
  tw('is', { profile: { is: { addr: { country: 'UK' } } } });
  tw('isNot', { profile: { isNot: { addr: { country: 'UK' } } } });
  tw('some', { profile: { roles: { some: { title: 'Designer' } } } });
  tw('every', { profile: { roles: { every: { title: { startsWith: 'E' } } } } });
  tw('none', { profile: { roles: { none: { title: 'Designer' } } } });
  tw('some-nullable', { profile: { roles: { some: { years: null } } } });
  tw('some-gt', { profile: { roles: { some: { years: { gt: 5 } } } } });
  tw('mixed-json-keys', { profile: { name: 'Ada', path: '$.name', equals: 'Ada' } });
  tw('unknown-key', { profile: { height: 1 } });
  tw('plain-json-filter', { profile: { path: '$.name', equals: 'Bo' } });

  // ───────────────────────────── @@validate (`booking` alone) ─────────────────────────────
  const bk = (id, data) => post(`validate.${id}`, 'booking', 'create', { data });
  bk('ok', { id: 1, title: 'Launch', starts: 1, ends: 2, code: 'ABC' });
  bk('backwards', { id: 2, title: 'Launch', starts: 5, ends: 2 });
  bk('equal', { id: 2, title: 'Launch', starts: 2, ends: 2 });
  bk('short-title', { id: 2, title: 'No', starts: 1, ends: 2 });
  bk('spam', { id: 2, title: 'Buy SPAM', starts: 1, ends: 2 });
  bk('bad-code', { id: 2, title: 'Launch', starts: 1, ends: 2, code: 'abc' });
  bk('null-code', { id: 2, title: 'Launch', starts: 1, ends: 2, code: null });
  post('validate.createMany-bad', 'booking', 'createMany', { data: [{ id: 3, title: 'Fine', starts: 1, ends: 2 }, { id: 4, title: 'Bad', starts: 3, ends: 1 }] });
  put('validate.update.partial', 'booking', 'update', { where: { id: 1 }, data: { ends: 9, title: 'Relaunch' } });
  put('validate.update.no-title', 'booking', 'update', { where: { id: 1 }, data: { ends: 10 } });
  put('validate.update.backwards', 'booking', 'update', { where: { id: 1 }, data: { title: 'Again', starts: 5, ends: 1 } });
  put('validate.update.increment', 'booking', 'update', { where: { id: 1 }, data: { title: 'Again', ends: { increment: 1 } } });
  put('validate.updateMany.bad', 'booking', 'updateMany', { data: { title: 'x' } });
  get('validate.after', 'booking', 'findMany', { orderBy: { id: 'asc' } });

  // ───────────────────────────── writes (each followed by reads that observe it) ─────────────────────────────
  const check = (id, model, op, q) => get(`${id}.check`, model, op, q);
  const bookSel = { id: true, title: true, pages: true, price: true, published: true, author_id: true, copies: true, weight: true, created_at: true, updated_at: true };

  // create
  post('w.create.book.nested', 'book', 'create', {
    data: {
      id: 'b21', title: 'Nested Writes', pages: 99, price: 11.5, created_at: ISO('2024-01-01T00:00:00'), author: { connect: { id: ID.u02 } },
      chapters: { create: [{ id: 'c90', title: 'One', position: 1, words: 100 }, { id: 'c91', title: 'Two', position: 2 }] },
    },
    include: { chapters: { orderBy: { position: 'asc' } }, author: { select: { email: true } } },
  });
  check('w.create.book.nested', 'book', 'findUnique', { where: { id: 'b21' }, include: { chapters: { orderBy: { id: 'asc' } } } });
  post('w.create.book.fk-scalar', 'book', 'create', { data: { id: 'b22', title: 'FK Scalar', author_id: ID.u04, created_at: ISO('2024-01-02T00:00:00') }, select: { id: true, author_id: true, pages: true, published: true, price: true, copies: true } });
  post('w.create.book.connectOrCreate-create', 'book', 'create', {
    data: { id: 'b23', title: 'CoC', created_at: ISO('2024-01-03T00:00:00'), author: { connect: { email: 'heidi@example.com' } }, chapters: { connectOrCreate: [{ where: { id: 'c92' }, create: { id: 'c92', title: 'Made', position: 1 } }] } },
    select: { id: true, chapters: { select: { id: true, title: true, book_id: true } } },
  });
  post('w.create.book.connectOrCreate-connect', 'book', 'create', {
    data: { id: 'b24', title: 'CoC 2', created_at: ISO('2024-01-04T00:00:00'), author_id: ID.u08, chapters: { connectOrCreate: [{ where: { id: 'c92' }, create: { id: 'c93', title: 'Unused', position: 1 } }] } },
    select: { id: true, chapters: { select: { id: true, title: true, book_id: true } } },
  });
  check('w.create.book.connectOrCreate', 'chapter', 'findMany', { where: { id: { in: ['c92', 'c93'] } }, orderBy: { id: 'asc' } });
  post('w.create.book.connect-chapters', 'book', 'create', {
    data: { id: 'b25', title: 'Moved In', created_at: ISO('2024-01-05T00:00:00'), author_id: ID.u08, chapters: { connect: [{ id: 'c92' }] } },
    include: { chapters: true },
  });
  post('w.create.book.connect-missing', 'book', 'create', {
    data: { id: 'b26', title: 'Nobody Wrote', created_at: ISO('2024-01-06T00:00:00'), author: { connect: { id: '00000000-0000-4000-8000-0000000000ff' } } },
  });
  post('w.create.book.connect-missing-many', 'book', 'create', {
    data: { id: 'b27', title: 'No Chapters', created_at: ISO('2024-01-07T00:00:00'), author_id: ID.u08, chapters: { connect: [{ id: 'c-missing' }] } },
  });
  check('w.create.book.connect-missing', 'book', 'findMany', { where: { id: { in: ['b26', 'b27'] } } });
  put('w.update.chapter.change-id', 'chapter', 'update', { where: { id: 'c92' }, data: { id: 'c92-renamed', title: 'Renamed Key' } });
  check('w.update.chapter.change-id', 'chapter', 'findMany', { where: { id: { in: ['c92', 'c92-renamed'] } } });
  post('w.upsert.chapter.change-id', 'chapter', 'upsert', { where: { id: 'c92-renamed' }, create: { id: 'c94', title: 'Not Made', position: 9, book_id: 'b25' }, update: { id: 'c92-again' }, select: { id: true, title: true } });
  put('w.update.book.connect-missing', 'book', 'update', { where: { id: 'b21' }, data: { author: { connect: { id: '00000000-0000-4000-8000-0000000000ff' } } } });
  put('w.update.author.connect-missing-books', 'user', 'update', { where: { id: ID.u08 }, data: { books: { connect: [{ id: 'b-missing' }] } } });
  check('w.create.book.connect-chapters', 'book', 'findMany', { where: { id: { in: ['b23', 'b24', 'b25'] } }, select: { id: true, _count: { select: { chapters: true } } }, orderBy: { id: 'asc' } });
  post('w.create.product.all-types', 'product', 'create', {
    data: { id: 100, sku: 'SKU-100', name: 'Everything', category: 'misc', qty: 3, stock: '9007199254740993', rating: 0.1, price: '12345678.123456', active: false, released: ISO('2024-02-29T23:59:59'), attributes: { a: [1, { b: null }], 'é': 'ü', n: 1.5 }, created_at: ISO('2024-03-01T00:00:00') },
    meta: { serialization: { values: { 'data.stock': ['bigint'], 'data.released': ['Date'] } } },
  });
  check('w.create.product.all-types', 'product', 'findUnique', { where: { id: 100 } });
  post('w.create.product.defaults', 'product', 'create', { data: { id: 101, sku: 'SKU-101', name: 'Defaults', price: 1, created_at: ISO('2024-03-02T00:00:00') } });
  post('w.create.product.explicit-nulls', 'product', 'create', { data: { id: 102, sku: 'SKU-102', name: 'Nulls', category: null, rating: null, released: null, price: '2.50', created_at: ISO('2024-03-03T00:00:00') } });
  post('w.create.product.decimal-number', 'product', 'create', { data: { id: 103, sku: 'SKU-103', name: 'Num', price: 0.3, stock: 42, created_at: ISO('2024-03-04T00:00:00') }, select: { id: true, price: true, stock: true } });
  post('w.create.product.bigint-number-equal', 'product', 'create', { data: { id: 104, sku: 'SKU-104', name: 'Twin stock', price: 3, stock: 42, created_at: ISO('2024-03-05T00:00:00') }, select: { id: true, stock: true } });
  check('w.create.product.more', 'product', 'findMany', { where: { id: { gte: 100 } }, orderBy: { id: 'asc' } });
  get('w.read.bigint-equal-values', 'product', 'findMany', { where: { id: { in: [103, 104] } }, select: { id: true, stock: true }, orderBy: { id: 'asc' } });
  get('w.read.bigint-above-2^53', 'product', 'findMany', { where: { stock: { gt: '9007199254740992' } }, select: { id: true, stock: true } }, { meta: { serialization: { values: { 'where.stock.gt': ['bigint'] } } } });
  post('w.create.employee.decimal-null', 'employee', 'create', { data: { id: 'e11', name: 'Kai', salary: null, hired_at: ISO('2024-01-01T00:00:00'), manager: { connect: { id: 'e09' } } }, include: { manager: { select: { name: true } } } });
  post('w.create.employee.nested-reports', 'employee', 'create', {
    data: { id: 'e12', name: 'Lea', role: 'Lead', salary: '99999.99', level: 3, hired_at: ISO('2024-02-01T00:00:00'), reports: { create: [{ id: 'e13', name: 'Max', hired_at: ISO('2024-02-02T00:00:00') }], connect: [{ id: 'e11' }] } },
    include: { reports: { orderBy: { id: 'asc' } } },
  });
  check('w.create.employee', 'employee', 'findMany', { where: { hired_at: { gte: ISO('2024-01-01T00:00:00') } }, include: { manager: true, _count: true }, orderBy: { id: 'asc' } });
  post('w.create.profile.nested-user-connect', 'profile', 'create', { data: { id: 'p10', bio: 'Judy', user: { connect: { id: ID.u10 } } }, include: { user: { select: { id: true, nickname: true } } } });
  check('w.create.profile', 'user', 'findUnique', { where: { id: ID.u10 }, include: { profile: true } });
  post('w.create.chapter.date-string', 'chapter', 'create', { data: { id: 'c94', title: 'Late', position: 9, book: { connect: { title_author_id: { title: 'Poetry', author_id: ID.u09 } } } }, include: { book: { select: { id: true } } } });

  // createMany / createManyAndReturn
  post('w.createMany.basic', 'chapter', 'createMany', { data: [{ id: 'c95', title: 'M1', position: 3, book_id: 'b21' }, { id: 'c96', title: 'M2', position: 4, book_id: 'b21', words: 10 }] });
  post('w.createMany.single-object', 'chapter', 'createMany', { data: { id: 'c97', title: 'M3', position: 5, book_id: 'b21' } });
  post('w.createMany.skipDuplicates', 'chapter', 'createMany', { data: [{ id: 'c95', title: 'dup', position: 30, book_id: 'b21' }, { id: 'c98', title: 'M4', position: 6, book_id: 'b21' }, { id: 'c99', title: 'dup compound', position: 6, book_id: 'b21' }], skipDuplicates: true });
  post('w.createMany.duplicate-fails', 'chapter', 'createMany', { data: [{ id: 'c100', title: 'ok', position: 7, book_id: 'b21' }, { id: 'c95', title: 'dup', position: 8, book_id: 'b21' }] });
  check('w.createMany', 'chapter', 'findMany', { where: { book_id: 'b21' }, orderBy: { position: 'asc' } });
  post('w.createMany.empty', 'chapter', 'createMany', { data: [] });
  post('w.createManyAndReturn.select', 'book', 'createManyAndReturn', {
    data: [
      { id: 'b26', title: 'Batch A', pages: 10, author_id: ID.u06, created_at: ISO('2024-01-06T00:00:00') },
      { id: 'b27', title: 'Batch B', pages: 20, author_id: ID.u06, created_at: ISO('2024-01-07T00:00:00'), copies: 5, weight: '2.5' },
    ],
    select: { id: true, title: true, pages: true, copies: true, weight: true },
  });
  post('w.createManyAndReturn.full', 'employee', 'createManyAndReturn', { data: [{ id: 'e14', name: 'Nia', hired_at: ISO('2024-03-01T00:00:00'), manager_id: 'e12', salary: 5 }] });
  post('w.createManyAndReturn.skipDuplicates', 'employee', 'createManyAndReturn', { data: [{ id: 'e14', name: 'dup', hired_at: ISO('2024-03-01T00:00:00') }, { id: 'e15', name: 'Oz', hired_at: ISO('2024-03-02T00:00:00') }], skipDuplicates: true, select: { id: true, name: true } });
  post('w.createManyAndReturn.omit', 'profile', 'createManyAndReturn', { data: [{ id: 'p06', user_id: ID.u06, bio: 'F' }], omit: { birthday: true } });
  check('w.createManyAndReturn', 'employee', 'findMany', { where: { id: { in: ['e14', 'e15'] } }, orderBy: { id: 'asc' } });

  // update
  put('w.update.scalars', 'book', 'update', { where: { id: 'b21' }, data: { title: 'Nested Writes 2e', subtitle: 'revised', price: null, published: true }, select: bookSel });
  check('w.update.scalars', 'book', 'findUnique', { where: { id: 'b21' }, select: bookSel });
  patch('w.update.patch', 'book', 'update', { where: { id: 'b22' }, data: { pages: 5 }, select: { id: true, pages: true, updated_at: true } });
  put('w.update.increment', 'book', 'update', { where: { id: 'b21' }, data: { pages: { increment: 11 }, copies: { increment: 7 } }, select: { id: true, pages: true, copies: true } });
  put('w.update.decrement', 'book', 'update', { where: { id: 'b21' }, data: { pages: { decrement: 10 } }, select: { id: true, pages: true } });
  put('w.update.multiply', 'book', 'update', { where: { id: 'b01' }, data: { pages: { multiply: 2 }, price: { multiply: 2 } }, select: { id: true, pages: true, price: true } });
  put('w.update.divide', 'book', 'update', { where: { id: 'b01' }, data: { pages: { divide: 3 }, price: { divide: 4 } }, select: { id: true, pages: true, price: true } });
  put('w.update.set', 'book', 'update', { where: { id: 'b01' }, data: { pages: { set: 120 }, price: { set: 19.5 } }, select: { id: true, pages: true, price: true } });
  put('w.update.decimal-ops', 'product', 'update', { where: { id: 1 }, data: { price: { increment: 0.01 }, stock: { decrement: 1 }, rating: { multiply: 2 } }, select: { id: true, price: true, stock: true, rating: true } });
  put('w.update.decimal-divide', 'product', 'update', { where: { id: 2 }, data: { price: { divide: 3 } }, select: { id: true, price: true } });
  put('w.update.null-increment', 'book', 'update', { where: { id: 'b03' }, data: { price: { increment: 1 } }, select: { id: true, price: true } });
  put('w.update.set-null', 'product', 'update', { where: { id: 3 }, data: { category: null, rating: null, released: null }, select: { id: true, category: true, rating: true, released: true } });
  put('w.update.json', 'product', 'update', { where: { id: 4 }, data: { attributes: { replaced: true, list: [] } }, select: { id: true, attributes: true } });
  put('w.update.datetime-meta', 'employee', 'update', { where: { id: 'e09' }, data: { hired_at: ISO('2022-10-01T00:00:00') }, meta: { serialization: { values: { 'data.hired_at': ['Date'] } } } });
  put('w.update.by-unique', 'user', 'update', { where: { email: 'bob@example.com' }, data: { first_name: 'Robert', last_name: 'Builder' }, select: { id: true, first_name: true, last_name: true, updated_at: true } });
  put('w.update.user-app-fields', 'user', 'update', { where: { id: ID.u04 }, data: { nickname: 'Davey', karma: { increment: 2 } }, select: { id: true, nickname: true, karma: true } });
  put('w.update.user-locale-null', 'user', 'update', { where: { id: ID.u01 }, data: { locale: null, timezone: 'UTC' }, select: { id: true, locale: true, timezone: true } });
  check('w.update.users', 'user', 'findMany', { where: { id: { in: [ID.u01, ID.u02, ID.u04] } }, orderBy: { id: 'asc' } });
  put('w.update.empty-data', 'book', 'update', { where: { id: 'b10' }, data: {}, select: { id: true, updated_at: true } });
  check('w.update.empty-data', 'book', 'findUnique', { where: { id: 'b10' }, select: { updated_at: true } });
  put('w.update.compound-where', 'chapter', 'update', { where: { book_id_position: { book_id: 'b02', position: 3 } }, data: { words: 6200 } });
  put('w.update.unique-plus-filter', 'book', 'update', { where: { id: 'b09', published: false }, data: { subtitle: 'still a copy' }, select: { id: true, subtitle: true } });
  put('w.update.nested-to-many', 'book', 'update', {
    where: { id: 'b21' },
    data: {
      chapters: {
        create: { id: 'c101', title: 'Nine', position: 9 },
        update: { where: { id: 'c90' }, data: { title: 'One (rev)' } },
        updateMany: { where: { position: { gte: 5 } }, data: { words: 555 } },
        delete: { id: 'c91' },
        upsert: { where: { id: 'c102' }, create: { id: 'c102', title: 'Upserted', position: 10 }, update: { title: 'never' } },
      },
    },
    include: { chapters: { orderBy: { position: 'asc' } } },
  });
  put('w.update.nested-deleteMany', 'book', 'update', { where: { id: 'b21' }, data: { chapters: { deleteMany: { position: { gte: 9 } } } }, select: { id: true, chapters: { select: { id: true, position: true, words: true }, orderBy: { position: 'asc' } } } });
  put('w.update.nested-to-one-update', 'chapter', 'update', { where: { id: 'c95' }, data: { book: { update: { subtitle: 'via chapter', pages: { increment: 1 } } } }, include: { book: { select: { id: true, subtitle: true, pages: true } } } });
  put('w.update.nested-connect-move', 'book', 'update', { where: { id: 'b22' }, data: { author: { connect: { id: ID.u05 } } }, select: { id: true, author_id: true } });
  put('w.update.self-disconnect', 'employee', 'update', { where: { id: 'e11' }, data: { manager: { disconnect: true } }, select: { id: true, manager_id: true } });
  put('w.update.self-connect', 'employee', 'update', { where: { id: 'e11' }, data: { manager: { connect: { id: 'e01' } } }, select: { id: true, manager_id: true } });
  put('w.update.self-reports-set', 'employee', 'update', { where: { id: 'e12' }, data: { reports: { set: [{ id: 'e13' }, { id: 'e15' }] } }, include: { reports: { orderBy: { id: 'asc' }, select: { id: true } } } });
  check('w.update.self', 'employee', 'findMany', { where: { id: { in: ['e11', 'e12', 'e13', 'e14', 'e15'] } }, select: { id: true, manager_id: true }, orderBy: { id: 'asc' } });
  put('w.update.one-to-one-nested-update', 'user', 'update', { where: { id: ID.u01 }, data: { profile: { update: { bio: 'Rustacean 🦀' } } }, select: { id: true, profile: { select: { bio: true } } } });
  put('w.update.one-to-one-upsert-create', 'user', 'update', { where: { id: ID.u07 }, data: { profile: { upsert: { create: { id: 'p07', bio: 'new' }, update: { bio: 'never' } } } }, include: { profile: true } });
  put('w.update.one-to-one-upsert-update', 'user', 'update', { where: { id: ID.u07 }, data: { profile: { upsert: { create: { id: 'p77', bio: 'never' }, update: { bio: 'updated' } } } }, select: { profile: { select: { id: true, bio: true } } } });
  put('w.update.user-nested-books', 'user', 'update', { where: { id: ID.u10 }, data: { books: { create: { id: 'b28', title: 'By Judy', created_at: ISO('2024-01-08T00:00:00') }, updateMany: { where: { pages: { lt: 15 } }, data: { published: false } } } }, select: { id: true, books: { select: { id: true, published: true }, orderBy: { id: 'asc' } } } });
  put('w.update.profile-user-update', 'profile', 'update', { where: { id: 'p05' }, data: { user: { update: { nickname: 'Evi', first_name: 'Eve' } } }, include: { user: { select: { nickname: true, first_name: true } } } });
  put('w.update.tenant-name', 'tenant', 'update', { where: { id: ID.t2 }, data: { name: 'Globex Corp' } });
  check('w.update.tenant-name', 'tenant', 'findMany', { orderBy: { name: 'asc' }, select: { id: true, name: true, updated_at: true } });

  // updateMany / updateManyAndReturn
  put('w.updateMany.where', 'book', 'updateMany', { where: { author_id: ID.u09 }, data: { published: true } });
  check('w.updateMany.where', 'book', 'findMany', { where: { author_id: ID.u09 }, select: { id: true, published: true, updated_at: true }, orderBy: { id: 'asc' } });
  put('w.updateMany.limit', 'chapter', 'updateMany', { where: { book_id: 'b08' }, data: { words: 1 }, limit: 2 });
  check('w.updateMany.limit', 'chapter', 'count', { where: { book_id: 'b08', words: 1 } });
  put('w.updateMany.none', 'book', 'updateMany', { where: { id: 'nope' }, data: { pages: 1 } });
  put('w.updateMany.no-where', 'profile', 'updateMany', { data: { website: 'https://x.example' } });
  check('w.updateMany.no-where', 'profile', 'findMany', { select: { id: true, website: true }, orderBy: { id: 'asc' } });
  put('w.updateMany.increment', 'employee', 'updateMany', { where: { manager_id: 'e02' }, data: { level: { increment: 1 }, salary: { multiply: 1.1 } } });
  check('w.updateMany.increment', 'employee', 'findMany', { where: { manager_id: 'e02' }, select: { id: true, level: true, salary: true }, orderBy: { id: 'asc' } });
  put('w.updateMany.relation-filter', 'chapter', 'updateMany', { where: { book: { author: { tenant_id: ID.t3 } } }, data: { words: { increment: 1 } } });
  check('w.updateMany.relation-filter', 'chapter', 'findMany', { where: { book: { author: { tenant_id: ID.t3 } } }, select: { id: true, words: true }, orderBy: { id: 'asc' } });
  patch('w.updateManyAndReturn', 'product', 'updateManyAndReturn', { where: { category: 'parts' }, data: { qty: { increment: 1 } }, select: { id: true, qty: true } });
  put('w.updateManyAndReturn.limit', 'product', 'updateManyAndReturn', { where: { active: true }, data: { rating: 4 }, limit: 2, select: { id: true, rating: true } });
  put('w.updateManyAndReturn.full', 'chapter', 'updateManyAndReturn', { where: { id: 'c15' }, data: { title: 'Espresso!' } });
  check('w.updateManyAndReturn', 'product', 'findMany', { select: { id: true, qty: true, rating: true }, orderBy: { id: 'asc' } });

  // upsert
  post('w.upsert.create', 'book', 'upsert', { where: { id: 'b29' }, create: { id: 'b29', title: 'Upserted', author_id: ID.u03, created_at: ISO('2024-01-09T00:00:00') }, update: { title: 'never' }, select: { id: true, title: true } });
  post('w.upsert.update', 'book', 'upsert', { where: { id: 'b29' }, create: { id: 'b29x', title: 'never', author_id: ID.u03 }, update: { title: 'Upserted again', pages: { increment: 3 } }, select: { id: true, title: true, pages: true } });
  post('w.upsert.compound', 'chapter', 'upsert', { where: { book_id_position: { book_id: 'b29', position: 1 } }, create: { id: 'c103', title: 'U1', position: 1, book_id: 'b29' }, update: { title: 'never' } });
  post('w.upsert.int-id', 'product', 'upsert', { where: { id: 105 }, create: { id: 105, sku: 'SKU-105', name: 'Up', price: '5.55', created_at: ISO('2024-03-06T00:00:00') }, update: { qty: 1 } });
  post('w.upsert.int-id-update', 'product', 'upsert', { where: { sku: 'SKU-105' }, create: { id: 106, sku: 'SKU-106', name: 'never', price: 0 }, update: { qty: { increment: 5 } }, select: { id: true, qty: true } });
  check('w.upsert', 'book', 'findUnique', { where: { id: 'b29' }, include: { chapters: true } });

  // delete / deleteMany
  del('w.delete', 'chapter', 'delete', { where: { id: 'c103' } });
  del('w.delete.select', 'product', 'delete', { where: { id: 105 }, select: { sku: true, price: true } });
  del('w.delete.include', 'book', 'delete', { where: { id: 'b29' }, include: { author: { select: { id: true } } } });
  del('w.delete.cascade', 'book', 'delete', { where: { id: 'b21' }, select: { id: true, chapters: { select: { id: true }, orderBy: { id: 'asc' } } } });
  check('w.delete.cascade', 'chapter', 'findMany', { where: { id: { in: ['c90', 'c95', 'c96', 'c97', 'c98', 'c99'] } } });
  del('w.delete.compound', 'chapter', 'delete', { where: { book_id_position: { book_id: 'b25', position: 1 } }, select: { id: true } });
  del('w.delete.self-set-null', 'employee', 'delete', { where: { id: 'e12' }, select: { id: true } });
  check('w.delete.self-set-null', 'employee', 'findMany', { where: { id: { in: ['e13', 'e14', 'e15'] } }, select: { id: true, manager_id: true }, orderBy: { id: 'asc' } });
  del('w.deleteMany.where', 'chapter', 'deleteMany', { where: { book_id: 'b17' } });
  check('w.deleteMany.where', 'book', 'findUnique', { where: { id: 'b17' }, include: { _count: true } });
  del('w.deleteMany.limit', 'employee', 'deleteMany', { where: { id: { in: ['e13', 'e14', 'e15'] } }, limit: 2 });
  check('w.deleteMany.limit', 'employee', 'count', { where: { id: { in: ['e13', 'e14', 'e15'] } } });
  del('w.deleteMany.relation-filter', 'chapter', 'deleteMany', { where: { book: { title: 'Prose' } } });
  del('w.deleteMany.none', 'chapter', 'deleteMany', { where: { id: 'nope' } });
  del('w.deleteMany.noq', 'profile', 'deleteMany');
  check('w.deleteMany.noq', 'profile', 'count');
  del('w.delete.body-ignored', 'chapter', 'delete', { where: { id: 'c01' }, select: { id: true } }, { body: { where: { id: 'c02' } } });
  check('w.delete.body-ignored', 'chapter', 'findMany', { where: { id: { in: ['c01', 'c02'] } }, select: { id: true } });

  // $transaction/sequential
  tx('w.tx.mixed', [
    { model: 'book', op: 'create', args: { data: { id: 'b30', title: 'Tx Book', author_id: ID.u05, created_at: ISO('2024-01-10T00:00:00') }, select: { id: true } } },
    { model: 'chapter', op: 'createMany', args: { data: [{ id: 'c104', title: 'T1', position: 1, book_id: 'b30' }] } },
    { model: 'book', op: 'update', args: { where: { id: 'b30' }, data: { pages: 7 }, select: { id: true, pages: true } } },
    { model: 'book', op: 'count', args: { where: { author_id: ID.u05 } } },
    { model: 'Book', op: 'findUnique', args: { where: { id: 'b30' }, include: { chapters: true } } },
    { model: 'book', op: 'aggregate', args: { _sum: { pages: true } } },
  ]);
  tx('w.tx.rollback', [
    { model: 'book', op: 'create', args: { data: { id: 'b31', title: 'Rolled back', author_id: ID.u05 } } },
    { model: 'book', op: 'create', args: { data: { id: 'b31', title: 'Dup id', author_id: ID.u05 } } },
  ]);
  check('w.tx.rollback', 'book', 'findUnique', { where: { id: 'b31' } });
  tx('w.tx.not-found-rollback', [
    { model: 'chapter', op: 'update', args: { where: { id: 'c104' }, data: { title: 'changed' } } },
    { model: 'chapter', op: 'delete', args: { where: { id: 'nope' } } },
  ]);
  check('w.tx.not-found-rollback', 'chapter', 'findUnique', { where: { id: 'c104' }, select: { title: true } });
  tx('w.tx.meta-args', [{ model: 'product', op: 'findMany', args: { where: { stock: { gt: '100' } }, select: { id: true }, orderBy: { id: 'asc' }, meta: { serialization: { values: { 'where.stock.gt': ['bigint'] } } } } }]);
  tx('w.tx.args-null', [{ model: 'tenant', op: 'count', args: null }]);
  tx('w.tx.empty', []);
  tx('w.tx.not-array', { model: 'book', op: 'count' });
  tx('w.tx.unknown-model', [{ model: 'nope', op: 'count', args: {} }]);
  tx('w.tx.invalid-op', [{ model: 'book', op: 'findUniqueOrThrow', args: {} }]);
  tx('w.tx.missing-model', [{ op: 'count' }]);
  tx('w.tx.item-not-object', ['x']);
  tx('w.tx.args-array', [{ model: 'book', op: 'count', args: [] }]);
  tx('w.tx.invalid-args', [{ model: 'book', op: 'findMany', args: { where: { nope: 1 } } }]);
  add('w.tx.wrong-type', { method: 'POST', path: '/api/model/$transaction/interactive', body: [{ model: 'book', op: 'count' }] });
  add('w.tx.wrong-method', { method: 'GET', path: '/api/model/$transaction/sequential' });

  // ───────────────────────────── state after the writes ─────────────────────────────
  for (const m of models) get(`state.after-writes.${m}`, m, 'findMany', { orderBy: { id: 'asc' } });

  // ───────────────────────────── error cases ─────────────────────────────
  post('err.unique.create', 'book', 'create', { data: { id: 'b01', title: 'dup id', author_id: ID.u01 } });
  // A compound unique is named (`title_author_id: {…}`); its fields one by one do not single out a row.
  get('err.unique-where.flat-compound', 'book', 'findUnique', { where: { title: 'Rust Basics', author_id: ID.u01 } });
  get('ok.unique-where.named-compound', 'book', 'findUnique', { where: { title_author_id: { title: 'Rust Basics', author_id: ID.u01 } }, select: { id: true } });
  put('err.unique-where.flat-compound-nested', 'book', 'update', { where: { id: 'b01' }, data: { chapters: { disconnect: { book_id: 'b01', position: 1 } } } });
  post('err.unique.field', 'book', 'create', { data: { id: 'b40', title: 'dup isbn', isbn: '978-0-00-000001-1', author_id: ID.u01 } });
  post('err.unique.compound', 'book', 'create', { data: { id: 'b41', title: 'Rust Basics', author_id: ID.u01 } });
  put('err.unique.update', 'book', 'update', { where: { id: 'b02' }, data: { isbn: '978-0-00-000001-1' } });
  put('err.unique.updateMany', 'product', 'updateMany', { where: { category: 'tools' }, data: { sku: 'SAME' } });
  post('err.fk.create-scalar', 'book', 'create', { data: { id: 'b42', title: 'Orphan', author_id: 'nope' } });
  post('err.fk.connect-missing', 'book', 'create', { data: { id: 'b43', title: 'Orphan 2', author: { connect: { id: 'nope' } } } });
  put('err.fk.update-scalar', 'chapter', 'update', { where: { id: 'c03' }, data: { book_id: 'nope' } });
  put('err.fk.connect-missing-update', 'employee', 'update', { where: { id: 'e02' }, data: { manager: { connect: { id: 'nope' } } } });
  put('err.notfound.update', 'book', 'update', { where: { id: 'nope' }, data: { pages: 1 } });
  del('err.notfound.delete', 'book', 'delete', { where: { id: 'nope' } });
  put('err.notfound.nested-update', 'book', 'update', { where: { id: 'b02' }, data: { chapters: { update: { where: { id: 'nope' }, data: { words: 1 } } } } });
  put('err.notfound.nested-delete', 'book', 'update', { where: { id: 'b02' }, data: { chapters: { delete: { id: 'c01' } } } });
  put('err.notfound.to-one-update-null', 'user', 'update', { where: { id: ID.u04 }, data: { profile: { update: { bio: 'x' } } } });
  put('err.notfound.disconnect-required', 'chapter', 'update', { where: { id: 'c03' }, data: { book: { disconnect: true } } });
  put('err.unique.one-to-one-create', 'user', 'update', { where: { id: ID.u01 }, data: { profile: { create: { id: 'p99', bio: 'second' } } } });
  post('err.missing-required', 'book', 'create', { data: { id: 'b44', title: 'No author' } });
  post('err.missing-required-int', 'chapter', 'create', { data: { id: 'c200', title: 'x', book_id: 'b02' } });
  post('err.missing-data', 'book', 'create', {});
  post('err.wrong-type.int', 'book', 'create', { data: { id: 'b45', title: 't', pages: 'many', author_id: ID.u01 } });
  post('err.wrong-type.bool', 'book', 'create', { data: { id: 'b46', title: 't', published: 'yes', author_id: ID.u01 } });
  post('err.wrong-type.datetime', 'book', 'create', { data: { id: 'b47', title: 't', created_at: 'yesterday', author_id: ID.u01 } });
  post('err.wrong-type.decimal', 'product', 'create', { data: { id: 200, sku: 'x', name: 'x', price: 'abc' } });
  post('err.wrong-type.bigint', 'product', 'create', { data: { id: 201, sku: 'y', name: 'y', price: 1, stock: 1.5 } });
  post('err.wrong-type.int-float', 'book', 'create', { data: { id: 'b48', title: 't', pages: 1.5, author_id: ID.u01 } });
  post('err.wrong-type.id', 'product', 'create', { data: { id: 'x', sku: 'z', name: 'z', price: 1 } });
  post('err.wrong-type.data-array', 'book', 'create', { data: [] });
  post('err.unknown-field.data', 'book', 'create', { data: { id: 'b49', title: 't', author_id: ID.u01, nope: 1 } });
  post('err.unknown-field.nested', 'book', 'create', { data: { id: 'b50', title: 't', author_id: ID.u01, chapters: { create: { id: 'c201', title: 'x', position: 1, nope: 1 } } } });
  post('err.null-required', 'book', 'create', { data: { id: 'b51', title: null, author_id: ID.u01 } });
  put('err.update.null-required', 'book', 'update', { where: { id: 'b02' }, data: { title: null } });
  put('err.update.missing-where', 'book', 'update', { data: { pages: 1 } });
  put('err.update.non-unique-where', 'book', 'update', { where: { title: 'Poetry' }, data: { pages: 1 } });
  put('err.update.unknown-field', 'book', 'update', { where: { id: 'b02' }, data: { nope: 1 } });
  put('err.update.bad-op', 'book', 'update', { where: { id: 'b02' }, data: { pages: { add: 1 } } });
  put('err.update.increment-string', 'book', 'update', { where: { id: 'b02' }, data: { title: { increment: 1 } } });
  // (product 1 was already updated above; should Tandem accept this, nothing visible changes)
  put('err.update.decimal-increment-string', 'product', 'update', { where: { id: 1 }, data: { price: { increment: '0' } } });
  put('err.updateMany.limit-negative', 'book', 'updateMany', { data: { pages: 1 }, limit: -1 });
  del('err.deleteMany.limit-string', 'book', 'deleteMany', { where: { id: 'nope' }, limit: 'x' });
  post('err.upsert.missing-create', 'book', 'upsert', { where: { id: 'b52' }, update: { pages: 1 } });
  post('err.createMany.not-array-item', 'chapter', 'createMany', { data: [1] });
  post('err.createMany.nested-relation', 'book', 'createMany', { data: [{ id: 'b53', title: 't', author: { connect: { id: ID.u01 } } }] });
  post('err.select-include', 'book', 'create', { data: { id: 'b54', title: 't', author_id: ID.u01 }, select: { id: true }, include: { author: true } });
  where('err.where.unknown-field', 'book', { nope: 1 });
  where('err.where.unknown-operator', 'book', { title: { like: 'R%' } });
  where('err.where.wrong-type', 'book', { pages: 'many' });
  where('err.where.wrong-type-in', 'book', { pages: { in: 5 } });
  where('err.where.mode-on-int', 'book', { pages: { equals: 1, mode: 'insensitive' } });
  where('err.where.mode-invalid', 'book', { title: { equals: 'x', mode: 'loud' } });
  where('err.where.relation-scalar', 'book', { author: ID.u01 });
  where('err.where.some-on-to-one', 'book', { author: { some: {} } });
  where('err.where.is-on-to-many', 'user', { books: { is: {} } });
  where('err.where.AND-scalar', 'book', { AND: 5 });
  where('err.where.contains-on-int', 'book', { pages: { contains: 1 } });
  where('err.where.datetime-garbage', 'book', { created_at: { gt: 'not a date' } });
  where('err.where.null-in', 'book', { title: { in: null } });
  get('err.where-not-object', 'book', 'findMany', { where: 'x' });
  get('err.select.unknown', 'book', 'findMany', { select: { nope: true } });
  get('err.select.include-together', 'book', 'findMany', { select: { id: true }, include: { author: true } });
  get('err.include.scalar', 'book', 'findMany', { include: { title: true } });
  get('err.include.unknown', 'book', 'findMany', { include: { nope: true } });
  get('err.unknown-arg', 'book', 'findMany', { nope: 1 });
  get('err.take-string', 'book', 'findMany', { take: 'x' });
  get('err.orderBy-relation-direct', 'book', 'findMany', { orderBy: { author: 'asc' } });
  get('err.cursor-non-unique', 'book', 'findMany', { cursor: { title: 'Poetry' } });
  get('err.q-malformed', 'book', 'findMany', 'not-json');
  get('err.q-array', 'book', 'findMany', '[1,2]');
  get('err.q-number', 'book', 'count', '5');
  get('err.q-null', 'book', 'count', 'null');
  get('err.meta-malformed', 'book', 'findMany', {}, { meta: 'not-json' });
  get('err.meta-bad-type', 'book', 'findMany', { where: { pages: 1 } }, { meta: { serialization: { values: { 'where.pages': ['nope'] } } } });
  del('err.delete.q-malformed', 'book', 'delete', '{');
  del('err.delete.no-where', 'book', 'delete');
  post('err.body.malformed', 'book', 'create', undefined, { rawBody: '{"data":' });
  post('err.body.empty-json', 'book', 'create', undefined, { rawBody: '', contentType: 'application/json' });
  post('err.body.none', 'book', 'create', undefined, { contentType: null });
  put('err.body.update-none', 'book', 'update', undefined, { contentType: null });
  post('err.body.array', 'book', 'create', [{ data: {} }]);
  post('err.body.meta-bad', 'book', 'create', { data: { id: 'b55', title: 't', author_id: ID.u01 }, meta: { serialization: { values: { 'data.title': ['nope'] } } } });
  add('err.method.get-create', { method: 'GET', path: path('book', 'create'), q: { data: {} } });
  add('err.method.post-findMany', { method: 'POST', path: path('book', 'findMany'), body: {} });
  add('err.method.put-count', { method: 'PUT', path: path('book', 'count'), body: {} });
  add('err.method.post-update', { method: 'POST', path: path('book', 'update'), body: { where: { id: 'b01' }, data: {} } });
  add('err.method.get-delete', { method: 'GET', path: path('book', 'delete'), q: { where: { id: 'b01' } } });
  add('err.method.post-deleteMany', { method: 'POST', path: path('book', 'deleteMany'), body: {} });
  add('err.method.delete-updateMany', { method: 'DELETE', path: path('book', 'updateMany'), q: {} });
  add('err.method.patch-upsert', { method: 'PATCH', path: path('book', 'upsert'), body: {} });
  add('err.method.get-createManyAndReturn', { method: 'GET', path: path('book', 'createManyAndReturn') });
  add('err.method.post-exists', { method: 'POST', path: path('book', 'exists'), body: {} });
  get('err.op.unknown', 'book', 'findUniqueOrThrow', { where: { id: 'b01' } });
  get('err.op.case', 'book', 'FindMany');
  get('err.op.aggregateRaw', 'book', 'aggregateRaw');
  get('err.model.unknown', 'nosuch', 'findMany');
  get('err.model.unknown-with-bad-args', 'nosuch', 'findMany', { nope: 1 });
  post('err.model.unknown-create', 'nosuch', 'create', { data: {} });
  get('err.model.mapped-table-name', 'chapters', 'count');
  get('err.model.uppercase', 'BOOK', 'count');
  add('err.path.no-op', { method: 'GET', path: '/api/model/book' });
  add('err.path.too-deep', { method: 'GET', path: '/api/model/book/findMany/extra' });
  add('err.path.trailing-slash', { method: 'GET', path: '/api/model/tenant/count/' });

  // ───────────────────────────── state after the error cases (they must change nothing) ─────────────────────────────
  for (const m of models) get(`state.after-errors.${m}`, m, 'findMany', { orderBy: { id: 'asc' } });

  // ───────────────────────────── Tandem's user/tenant rules (ZenStack allows these) ─────────────────────────────
  // Placed last: on ZenStack they change the state, on Tandem they are refused.
  put('rule.user.update-email', 'user', 'update', { where: { id: ID.u02 }, data: { email: 'robert@example.com' } });
  put('rule.user.update-tenant', 'user', 'update', { where: { id: ID.u02 }, data: { tenant_id: ID.t2 } });
  put('rule.user.update-tenant-connect', 'user', 'update', { where: { id: ID.u02 }, data: { tenant: { connect: { id: ID.t3 } } } });
  put('rule.user.update-active', 'user', 'update', { where: { id: ID.u02 }, data: { active: false } });
  put('rule.user.update-id', 'user', 'update', { where: { id: ID.u02 }, data: { id: 'u02b' } });
  put('rule.user.updateMany-active', 'user', 'updateMany', { where: { tenant_id: ID.t1 }, data: { active: true } });
  post('rule.user.create', 'user', 'create', { data: { id: 'u90', email: 'new@example.com', tenant_id: ID.t1 } });
  post('rule.user.createMany', 'user', 'createMany', { data: [{ id: 'u91', email: 'new1@example.com', tenant_id: ID.t1 }] });
  post('rule.user.createManyAndReturn', 'user', 'createManyAndReturn', { data: [{ id: 'u92', email: 'new2@example.com', tenant_id: ID.t1 }] });
  post('rule.user.upsert-create', 'user', 'upsert', { where: { id: 'u93' }, create: { id: 'u93', email: 'new3@example.com', tenant_id: ID.t1 }, update: {} });
  put('rule.user.nested-create-via-tenant', 'tenant', 'update', { where: { id: ID.t1 }, data: { users: { create: { id: 'u94', email: 'new4@example.com' } } } });
  post('rule.user.nested-connectOrCreate-via-book', 'book', 'create', { data: { id: 'b60', title: 'CoC user', author: { connectOrCreate: { where: { id: 'u95' }, create: { id: 'u95', email: 'new5@example.com', tenant_id: ID.t1 } } } } });
  post('rule.tenant.create', 'tenant', 'create', { data: { id: 't9', name: 'New tenant' } });
  post('rule.tenant.createMany', 'tenant', 'createMany', { data: [{ id: 't10', name: 'New tenant 2' }] });
  post('rule.tenant.upsert-create', 'tenant', 'upsert', { where: { id: 't11' }, create: { id: 't11', name: 'x' }, update: {} });
  del('rule.user.delete', 'user', 'delete', { where: { id: ID.u07 } });
  del('rule.user.deleteMany', 'user', 'deleteMany', { where: { id: 'u91' } });
  del('rule.tenant.delete', 'tenant', 'delete', { where: { id: 't9' } });
  del('rule.tenant.deleteMany', 'tenant', 'deleteMany', { where: { id: 't10' } });

  // ───────────────────────────── last: where Tandem answers and ZenStack fails ─────────────────────────────
  post('one.create.null-owner', 'badge', 'create', { data: { id: 'g4', locker: null } });

  return corpus;
}
