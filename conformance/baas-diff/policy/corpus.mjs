// The access-policy corpus: the same requests sent to Tandem and to ZenStack v3 with its policy
// plugin, as each caller (anonymous; Alice, an admin of tenant 1; Bob, a member of tenant 1;
// Carol, an admin of tenant 2), over policy/schema.prisma and the rows below. Entries run in
// order, and writes change what later entries see, on both sides alike.

export const ID = {
  t1: '00000000-0000-4000-8000-000000000201',
  t2: '00000000-0000-4000-8000-000000000202',
  alice: '00000000-0000-4000-8000-000000000211',
  bob: '00000000-0000-4000-8000-000000000212',
  carol: '00000000-0000-4000-8000-000000000213',
};

const d = (s) => `${s}.000Z`;

export const tenants = [
  { id: ID.t1, name: 'Acme', created_at: d('2024-01-01T09:00:00'), updated_at: d('2024-01-01T09:00:00') },
  { id: ID.t2, name: 'Globex', created_at: d('2024-01-02T09:00:00'), updated_at: d('2024-01-02T09:00:00') },
];

const user = (id, email, first_name, tenant_id, role, created) => ({
  id,
  email,
  first_name,
  last_name: null,
  locale: null,
  timezone: null,
  avatar_url: null,
  tenant_id,
  active: true,
  created_at: d(created),
  updated_at: d(created),
  role,
});

export const users = [
  user(ID.alice, 'alice@policy.example', 'Alice', ID.t1, 'ADMIN', '2024-02-01T08:00:00'),
  user(ID.bob, 'bob@policy.example', 'Bob', ID.t1, null, '2024-02-02T08:00:00'),
  user(ID.carol, 'carol@policy.example', 'Carol', ID.t2, 'ADMIN', '2024-02-03T08:00:00'),
];

/** The callers of the corpus, by name; `null` is anonymous. */
export const CALLERS = { anon: null, alice: ID.alice, bob: ID.bob, carol: ID.carol };

const post = (id, title, tenant_id, author_id, extra = {}) => ({ id, title, tenant_id, author_id, published: false, secret: false, rank: 0, ...extra });

/** The app's rows, created by the super admin (both sides) in this order. */
export const rows = [
  ['post', [
    post('p1', 'Alice draft', ID.t1, ID.alice),
    post('p2', 'Alice published', ID.t1, ID.alice, { published: true, rank: 3 }),
    post('p3', 'Bob draft', ID.t1, ID.bob, { score: 4 }),
    post('p4', 'Bob published', ID.t1, ID.bob, { published: true, rank: 1, score: 2 }),
    post('p5', 'Bob secret', ID.t1, ID.bob, { published: true, secret: true }),
    post('p6', 'Bob downvoted', ID.t1, ID.bob, { published: true, score: -1 }),
    post('p7', 'Carol published', ID.t2, ID.carol, { published: true, rank: 5 }),
    post('p8', 'Carol draft', ID.t2, ID.carol),
  ]],
  ['comment', [
    { id: 'c1', body: 'on Alice draft', post_id: 'p1' },
    { id: 'c2', body: 'on Alice published', post_id: 'p2' },
    { id: 'c3', body: 'on Bob draft', post_id: 'p3' },
    { id: 'c4', body: 'on Carol published', post_id: 'p7' },
  ]],
  // Null columns are left out, not sent as null: ZenStack's createMany on PostgreSQL fails on
  // a null among numbers ("insufficient data left in message").
  ['topic', [
    { id: 't1', name: 'Alice and Bob write here', tags: 'a' },
    { id: 't2', name: 'Nobody writes here' },
    { id: 't3', name: 'Advanced', level: 3, tags: 'b' },
    { id: 't4', name: 'Beginners', level: 1, tags: 'a' },
    { id: 't5', name: 'Only Bob', level: 2, tags: 'c' },
  ]],
  ['doc', [
    { id: 'd1', title: 'pub notes' },
    { id: 'd2', title: 'Team plan' },
    { id: 'd3', title: 'TEAM secrets', expires_at: d('2000-01-01T00:00:00') },
    { id: 'd4', title: 'private', owner_email: 'alice@policy.example' },
    { id: 'd5', title: 'pub old', expires_at: d('2000-01-01T00:00:00') },
    { id: 'd6', title: 'pub future', expires_at: d('2999-01-01T00:00:00') },
    { id: 'd7', title: 'teams', owner_email: 'bob@policy.example' },
    { id: 'd8', title: 'Pub caps' },
    { id: 'd9', title: '50% pub', owner_email: 'x_bob@policy.example' },
  ]],
  ['memo', [
    { id: 'm1', text: 'Alice memo', owner_id: ID.alice },
    { id: 'm2', text: 'Bob memo', owner_id: ID.bob },
    { id: 'm3', text: 'nobody memo' },
    { id: 'm4', text: 'Carol memo', owner_id: ID.carol },
  ]],
  ['card', [
    { id: 'k1', title: 'Alice card', owner_id: ID.alice, pin: 1, memo: 'alice memo', color: 'red' },
    { id: 'k2', title: 'Bob card', owner_id: ID.bob, pin: 2, memo: 'bob memo', color: 'red' },
    { id: 'k3', title: 'Carol card', owner_id: ID.carol, pin: 3, color: 'blue' },
  ]],
  ['bid', [
    { id: 'b1', price: 5, cap: 10 },
    { id: 'b2', price: 15, cap: 10 },
    { id: 'b3', price: 5 },
    { id: 'b4', price: 10, cap: 10 },
  ]],
  ['note', [
    { id: 'o1', text: 'on Alice draft', post_id: 'p1' },
    { id: 'o2', text: 'on Bob draft', post_id: 'p3' },
    { id: 'o3', text: 'on Bob published', post_id: 'p4' },
    { id: 'o4', text: 'on Bob secret', post_id: 'p5' },
    { id: 'o5', text: 'on Carol published', post_id: 'p7' },
  ]],
  ['task', [
    { id: 'x1', title: 'Write', status: 'open', owner_id: ID.bob },
    { id: 'x2', title: 'Ship', status: 'done', owner_id: ID.bob },
    { id: 'x3', title: 'Plan', status: 'open', owner_id: ID.alice },
  ]],
  ['entry', [
    { id: 'e1', topic_id: 't1', author_id: ID.alice },
    { id: 'e2', topic_id: 't1', author_id: ID.bob },
    { id: 'e3', topic_id: 't4', author_id: ID.alice },
    { id: 'e4', topic_id: 't5', author_id: ID.bob },
  ]],
];

const get = (id, as, model, op, q = {}) => ({ id, as, method: 'GET', path: `/api/model/${model}/${op}`, q });
const post_ = (id, as, model, op, body) => ({ id, as, method: 'POST', path: `/api/model/${model}/${op}`, body });
const put = (id, as, model, op, body) => ({ id, as, method: 'PUT', path: `/api/model/${model}/${op}`, body });
const del = (id, as, model, op, q) => ({ id, as, method: 'DELETE', path: `/api/model/${model}/${op}`, q });

export function buildCorpus() {
  const out = [];
  const everyone = Object.keys(CALLERS);
  // Reads, as every caller.
  for (const as of everyone) {
    out.push(get(`read.post.all.${as}`, as, 'post', 'findMany', { orderBy: { id: 'asc' } }));
    out.push(get(`read.post.count.${as}`, as, 'post', 'count', {}));
    out.push(get(`read.post.aggregate.${as}`, as, 'post', 'aggregate', { _count: { _all: true }, _sum: { rank: true }, _max: { rank: true } }));
    out.push(get(`read.post.group.${as}`, as, 'post', 'groupBy', { by: ['author_id'], _count: { _all: true }, orderBy: { author_id: 'asc' } }));
    out.push(get(`read.post.unique-secret.${as}`, as, 'post', 'findUnique', { where: { id: 'p5' } }));
    out.push(get(`read.post.filtered.${as}`, as, 'post', 'findMany', { where: { rank: { gt: 0 } }, select: { id: true }, orderBy: { id: 'asc' } }));
    out.push(get(`read.post.with-comments.${as}`, as, 'post', 'findMany', { include: { comments: { orderBy: { id: 'asc' } }, _count: { select: { comments: true } } }, orderBy: { id: 'asc' } }));
    out.push(get(`read.post.by-comment.${as}`, as, 'post', 'findMany', { where: { comments: { some: {} } }, select: { id: true }, orderBy: { id: 'asc' } }));
    out.push(get(`read.comment.all.${as}`, as, 'comment', 'findMany', { orderBy: { id: 'asc' } }));
    out.push(get(`read.comment.with-post.${as}`, as, 'comment', 'findMany', { include: { post: { select: { id: true } } }, orderBy: { id: 'asc' } }));
    out.push(get(`read.user.all.${as}`, as, 'user', 'findMany', { select: { id: true, role: true }, orderBy: { id: 'asc' } }));
    out.push(get(`read.user.posts.${as}`, as, 'user', 'findMany', { select: { id: true, posts: { select: { id: true }, orderBy: { id: 'asc' } } }, orderBy: { id: 'asc' } }));
    out.push(get(`read.tenant.all.${as}`, as, 'tenant', 'findMany', { select: { id: true, name: true, _count: { select: { posts: true } } }, where: { id: { in: [ID.t1, ID.t2] } }, orderBy: { id: 'asc' } }));
    out.push(get(`read.topic.all.${as}`, as, 'topic', 'findMany', { orderBy: { id: 'asc' } }));
    out.push(get(`read.entry.topics.${as}`, as, 'entry', 'findMany', { include: { topic: { select: { id: true } } }, orderBy: { id: 'asc' } }));
    out.push(get(`read.post.exists.${as}`, as, 'post', 'exists', { where: { id: 'p8' } }));
    out.push(get(`read.doc.all.${as}`, as, 'doc', 'findMany', { select: { id: true }, orderBy: { id: 'asc' } }));
    out.push(get(`read.memo.all.${as}`, as, 'memo', 'findMany', { select: { id: true }, orderBy: { id: 'asc' } }));
    out.push(get(`read.note.all.${as}`, as, 'note', 'findMany', { select: { id: true }, orderBy: { id: 'asc' } }));
    out.push(get(`read.bid.all.${as}`, as, 'bid', 'findMany', { orderBy: { id: 'asc' } }));
    out.push(get(`read.note.count.${as}`, as, 'note', 'count', {}));
    // Field-level policies.
    out.push(get(`read.card.all.${as}`, as, 'card', 'findMany', { orderBy: { id: 'asc' } }));
    out.push(get(`read.card.unique.${as}`, as, 'card', 'findUnique', { where: { id: 'k2' }, select: { pin: true, memo: true, color: true } }));
    out.push(get(`read.card.filter-hidden.${as}`, as, 'card', 'findMany', { where: { pin: { gt: 1 } }, select: { id: true }, orderBy: { id: 'asc' } }));
    out.push(get(`read.card.filter-null.${as}`, as, 'card', 'findMany', { where: { memo: null }, select: { id: true }, orderBy: { id: 'asc' } }));
    out.push(get(`read.card.order.${as}`, as, 'card', 'findMany', { orderBy: [{ pin: { sort: 'desc', nulls: 'last' } }, { id: 'asc' }], select: { id: true } }));
    out.push(get(`read.card.aggregate.${as}`, as, 'card', 'aggregate', { _sum: { pin: true }, _max: { pin: true }, _count: { memo: true, _all: true } }));
    out.push(get(`read.card.group.${as}`, as, 'card', 'groupBy', { by: ['color'], _count: { _all: true }, orderBy: { color: 'asc' } }));
    out.push(get(`read.card.count-pin.${as}`, as, 'card', 'count', { where: { pin: { not: null } } }));
    out.push(get(`read.user.emails.${as}`, as, 'user', 'findMany', { select: { id: true, email: true }, orderBy: { id: 'asc' } }));
    out.push(get(`read.user.cards.${as}`, as, 'user', 'findMany', { select: { id: true, cards: { select: { id: true, pin: true, memo: true } } }, orderBy: { id: 'asc' } }));
    out.push(get(`read.user.by-card-pin.${as}`, as, 'user', 'findMany', { where: { cards: { some: { pin: { gte: 2 } } } }, select: { id: true }, orderBy: { id: 'asc' } }));
  }
  // Creates.
  out.push(post_('create.post.own', 'bob', 'post', 'create', { data: { id: 'n1', title: 'New by Bob', tenant_id: ID.t1, author_id: ID.bob } }));
  out.push(post_('create.post.forged-author', 'bob', 'post', 'create', { data: { id: 'n2', title: 'Forged', tenant_id: ID.t1, author_id: ID.alice } }));
  out.push(post_('create.post.other-tenant', 'bob', 'post', 'create', { data: { id: 'n3', title: 'Elsewhere', tenant_id: ID.t2, author_id: ID.bob } }));
  out.push(post_('create.post.anon', 'anon', 'post', 'create', { data: { id: 'n4', title: 'Anon', tenant_id: ID.t1, author_id: ID.bob } }));
  out.push(post_('create.post.many-one-bad', 'bob', 'post', 'createMany', { data: [
    { id: 'n5', title: 'Good', tenant_id: ID.t1, author_id: ID.bob },
    { id: 'n6', title: 'Bad', tenant_id: ID.t1, author_id: ID.alice },
  ] }));
  out.push(post_('create.comment.own-post', 'alice', 'comment', 'create', { data: { id: 'c9', body: 'mine', post_id: 'p2' } }));
  out.push(post_('create.comment.other-post', 'alice', 'comment', 'create', { data: { id: 'c10', body: 'theirs', post_id: 'p4' } }));
  out.push(post_('create.topic.tag-ok', 'carol', 'topic', 'create', { data: { id: 't6', name: 'Tagged', tags: 'b', level: 4 } }));
  out.push(post_('create.topic.tag-bad', 'carol', 'topic', 'create', { data: { id: 't7', name: 'Untagged', tags: 'z', level: 4 } }));
  // Updates: checked on the row before the change.
  out.push(put('update.post.own-draft', 'bob', 'post', 'update', { where: { id: 'p3' }, data: { title: 'Bob draft, edited', published: true } }));
  out.push(put('update.post.own-published', 'bob', 'post', 'update', { where: { id: 'p4' }, data: { title: 'again' } }));
  out.push(put('update.post.invisible', 'bob', 'post', 'update', { where: { id: 'p8' }, data: { title: 'not mine' } }));
  out.push(put('update.post.many', 'bob', 'post', 'updateMany', { data: { rank: 9 } }));
  out.push(put('update.user.self', 'bob', 'user', 'update', { where: { id: ID.bob }, data: { first_name: 'Robert' } }));
  out.push(put('update.topic.every-entry', 'bob', 'topic', 'updateMany', { data: { name: 'Renamed' } }));
  out.push(put('update.memo.not-mine.alice', 'alice', 'memo', 'updateMany', { data: { text: 'touched by Alice' } }));
  out.push(put('update.memo.not-mine.anon', 'anon', 'memo', 'updateMany', { data: { text: 'touched by nobody' } }));
  out.push(put('update.card.pin.member', 'bob', 'card', 'update', { where: { id: 'k2' }, data: { pin: 20 } }));
  out.push(put('update.card.pin.admin', 'alice', 'card', 'update', { where: { id: 'k2' }, data: { pin: 22 } }));
  out.push(put('update.card.memo.not-owner', 'alice', 'card', 'update', { where: { id: 'k2' }, data: { memo: 'by Alice' } }));
  out.push(put('update.card.memo.owner', 'bob', 'card', 'update', { where: { id: 'k2' }, data: { memo: 'by Bob' } }));
  out.push(put('update.card.title.other', 'bob', 'card', 'update', { where: { id: 'k1' }, data: { title: 'Alice card, by Bob' } }));
  out.push(put('update.card.many.member', 'bob', 'card', 'updateMany', { data: { title: 'all', pin: 0 } }));
  out.push(put('update.card.many.title', 'carol', 'card', 'updateMany', { where: { id: { in: ['k2', 'k3'] } }, data: { title: 'by Carol' } }));
  out.push(post_('create.card.for-other', 'bob', 'card', 'create', { data: { id: 'k4', title: 'For Alice', owner_id: ID.alice, pin: 4, memo: 'psst', color: 'green' } }));
  out.push(put('post-update.task.close', 'bob', 'task', 'update', { where: { id: 'x1' }, data: { status: 'done' } }));
  out.push(put('post-update.task.reopen', 'bob', 'task', 'update', { where: { id: 'x1' }, data: { status: 'open' } }));
  out.push(put('post-update.task.reopen-admin', 'alice', 'task', 'update', { where: { id: 'x2' }, data: { status: 'open' } }));
  out.push(put('post-update.task.rename-done', 'bob', 'task', 'update', { where: { id: 'x2' }, data: { title: 'Shipped' } }));
  out.push(put('post-update.task.hand-over', 'bob', 'task', 'update', { where: { id: 'x2' }, data: { owner_id: ID.alice } }));
  out.push(put('post-update.task.hand-over-admin', 'alice', 'task', 'update', { where: { id: 'x3' }, data: { owner_id: ID.bob } }));
  out.push(put('post-update.task.many-reopen', 'bob', 'task', 'updateMany', { data: { status: 'open' } }));
  out.push(put('post-update.task.many-rename', 'bob', 'task', 'updateMany', { where: { owner_id: ID.bob }, data: { title: 'Bob task' } }));
  out.push(put('post-update.task.anon', 'anon', 'task', 'updateMany', { data: { title: 'nobody' } }));
  out.push(post_('columns.bid.over-cap', 'bob', 'bid', 'create', { data: { id: 'b5', price: 20, cap: 10 } }));
  out.push(post_('columns.bid.no-cap', 'bob', 'bid', 'create', { data: { id: 'b6', price: 20 } }));
  out.push(post_('columns.bid.under-cap', 'bob', 'bid', 'create', { data: { id: 'b7', price: 1, cap: 2 } }));
  out.push(put('columns.bid.update-many', 'bob', 'bid', 'updateMany', { data: { price: 3 } }));
  out.push(post_('check.note.on-own-draft', 'bob', 'note', 'create', { data: { id: 'o6', text: 'Bob on his new draft', post_id: 'n1' } }));
  out.push(post_('check.note.on-published', 'bob', 'note', 'create', { data: { id: 'o7', text: 'Bob on his published', post_id: 'p4' } }));
  out.push(post_('check.note.anon', 'anon', 'note', 'create', { data: { id: 'o8', text: 'nobody', post_id: 'p1' } }));
  out.push(del('check.note.delete-many.bob', 'bob', 'note', 'deleteMany', {}));
  // Deletes.
  out.push(del('delete.post.admin', 'alice', 'post', 'delete', { where: { id: 'p4' } }));
  out.push(del('delete.post.admin-other-tenant', 'alice', 'post', 'delete', { where: { id: 'p7' } }));
  out.push(del('delete.post.many-admin', 'carol', 'post', 'deleteMany', { where: { title: { contains: 'Carol' } } }));
  out.push(del('delete.entry.co-author', 'alice', 'entry', 'deleteMany', {}));
  // And what every caller reads afterwards.
  for (const as of everyone) {
    out.push(get(`after.post.all.${as}`, as, 'post', 'findMany', { select: { id: true, title: true, rank: true }, orderBy: { id: 'asc' } }));
    out.push(get(`after.topic.all.${as}`, as, 'topic', 'findMany', { select: { id: true, name: true }, orderBy: { id: 'asc' } }));
    out.push(get(`after.entry.all.${as}`, as, 'entry', 'findMany', { select: { id: true }, orderBy: { id: 'asc' } }));
    out.push(get(`after.memo.all.${as}`, as, 'memo', 'findMany', { select: { id: true, text: true }, orderBy: { id: 'asc' } }));
    out.push(get(`after.card.all.${as}`, as, 'card', 'findMany', { orderBy: { id: 'asc' } }));
    out.push(get(`after.task.all.${as}`, as, 'task', 'findMany', { orderBy: { id: 'asc' } }));
    out.push(get(`after.note.all.${as}`, as, 'note', 'findMany', { select: { id: true }, orderBy: { id: 'asc' } }));
    out.push(get(`after.bid.all.${as}`, as, 'bid', 'findMany', { orderBy: { id: 'asc' } }));
  }
  return out;
}
