//! Access: who is asking, and which rows each operation may see or touch for them.
//!
//! A caller is the super admin (the environment's API key: no rules), a user (a verified
//! access token), or anonymous. For a user, every model and action (create, read, update,
//! delete) has a *rule*: a [`Filter`] a row must match, built from
//! - the built-in rights every user has: read and update their own `user` row, read their own
//!   `tenant`;
//! - their roles' permissions ([`Grants`]): entity × action × scope, where the scope is `all`
//!   (every row), `tenant` (rows of the caller's tenant) or `own` (rows the caller owns);
//! - `public` permissions, of any role: every row, for every caller, anonymous ones included
//!   (an anonymous caller has only these).
//!
//! Which rows belong to a tenant or an owner follows ROQ's convention, with no attribute in the
//! schema: a model is in a tenant through its relation to `tenant` (its foreign key), or else
//! through its relation to `user` (that user's tenant); its owner is its relation to `user`.
//! A model with several relations to `user` (or to `tenant`) is ambiguous: a scoped grant on
//! it refuses the request with a message naming the model.
//!
//! [`authorize`] rewrites a checked operation so that the rules are part of its SQL: every
//! read (nested selections, relation filters and `_count`s included) is ANDed with the read
//! rule of its model, many-row updates and deletes and nested writes with the rule of their
//! action. The row a single-row update, upsert or delete targets (403 when readable but not
//! changeable, 404 when not even readable), and every row a write creates or changes, are
//! checked by the engine (`engine::write`) inside the write's transaction, through
//! [`Guard::rule`]. Nothing is filtered in memory.

use std::collections::HashMap;
use std::sync::Arc;

use super::ast::{
    Cond, CreateData, FieldFilter, Filter, Masks, Operation, OrderItem, Quantifier, ReadArgs,
    RelationWrite, Selection, UpdateData,
};
use chrono::{DateTime, Utc};

use super::policy::{self, AuthRow, Env};
use crate::error::{BaasError, BaasResult};
use crate::schema::{Builtin, FieldId, ModelId, ScalarType, Schema};
use crate::value::Value;

/// The four operations a permission names (`Operation` in ROQ's words; here `Action`, since
/// the query AST has its own `Operation`).
pub use tandem_core::access::{Operation as Action, Rule, Scope};

/// What a user's roles permit: the widest scope per model and action.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    widest: HashMap<(String, Action), Scope>,
}

impl Grants {
    /// The union of permissions (of all the caller's roles). Entity names compare as model
    /// names do in the API: the first letter's case is ignored.
    pub fn new<'a>(permissions: impl IntoIterator<Item = &'a Rule>) -> Self {
        let mut widest: HashMap<(String, Action), Scope> = HashMap::new();
        for p in permissions {
            let key = (crate::schema::lower_first(&p.entity), p.operation);
            let entry = widest.entry(key).or_insert(p.scope);
            *entry = (*entry).max(p.scope);
        }
        Self { widest }
    }

    pub fn scope(&self, model_name: &str, action: Action) -> Option<Scope> {
        self.widest
            .get(&(crate::schema::lower_first(model_name), action))
            .copied()
    }
}

/// A user as the BaaS knows them: their synced row and their roles' grants, and (when the
/// schema has policies) their whole `user` row, which `auth()` reads.
#[derive(Debug, Clone)]
pub struct UserCaller {
    pub id: String,
    pub tenant_id: String,
    pub grants: Arc<Grants>,
    pub auth: Arc<AuthRow>,
}

#[derive(Debug, Clone)]
pub enum Caller {
    /// The environment's API key: no rules.
    SuperAdmin,
    User(UserCaller),
    /// No credentials: only what a `public` permission opens (these grants).
    Anonymous(Arc<Grants>),
}

/// The rules of one caller over one schema, for one request (at `now`).
pub struct Guard<'s> {
    schema: &'s Schema,
    caller: Caller,
    now: DateTime<Utc>,
    /// The request writes no field of a `user` row beyond the synced profile (first_name, …):
    /// only then does a user's built-in right to update their own row count. The fields an app
    /// adds to `user` (a `role`, say) need a role's permission or an `@@allow`.
    profile_writes_only: bool,
}

/// Whether `operation` writes a field of the built-in `user` model that is not a synced
/// profile field, at the top or in any nested write.
pub fn writes_beyond_profile(schema: &Schema, operation: &Operation) -> bool {
    let user = schema.model_id(Builtin::User.name());
    let profile = |model: ModelId, field: FieldId| {
        let name = &schema.model(model).fields[field].name;
        tandem_core::merge::Entity::User
            .field(name)
            .is_some_and(|f| f.flow == tandem_core::merge::Flow::Both)
    };
    fn update(d: &UpdateData, beyond: &dyn Fn(&UpdateData) -> bool) -> bool {
        beyond(d)
            || d.relations
                .iter()
                .any(|(_, ws)| ws.iter().any(|w| write(w, beyond)))
    }
    fn create(d: &CreateData, beyond: &dyn Fn(&UpdateData) -> bool) -> bool {
        d.relations
            .iter()
            .any(|(_, ws)| ws.iter().any(|w| write(w, beyond)))
    }
    fn write(w: &RelationWrite, beyond: &dyn Fn(&UpdateData) -> bool) -> bool {
        match w {
            RelationWrite::Create(d) | RelationWrite::ConnectOrCreate { create: d, .. } => {
                create(d, beyond)
            }
            RelationWrite::CreateMany { data, .. } => data.iter().any(|d| create(d, beyond)),
            RelationWrite::Update { data, .. } | RelationWrite::UpdateMany { data, .. } => {
                update(data, beyond)
            }
            RelationWrite::Upsert {
                create: c,
                update: u,
                ..
            } => create(c, beyond) || update(u, beyond),
            _ => false,
        }
    }
    let beyond = |d: &UpdateData| {
        Some(d.model) == user && d.scalars.iter().any(|(f, _)| !profile(d.model, *f))
    };
    match operation {
        Operation::Update { data, .. } | Operation::UpdateMany { data, .. } => {
            update(data, &beyond)
        }
        Operation::Upsert {
            create: c,
            update: u,
            ..
        } => create(c, &beyond) || update(u, &beyond),
        Operation::Create { data, .. } => create(data, &beyond),
        Operation::CreateMany { data, .. } => data.iter().any(|d| create(d, &beyond)),
        _ => false,
    }
}

/// A rule that lets nothing through.
const NOTHING: Filter = Filter::Const(false);

fn eq(field: FieldId, value: &str) -> Filter {
    Filter::Field {
        field,
        ty: ScalarType::String,
        filter: FieldFilter {
            insensitive: false,
            conds: vec![Cond::Eq(Value::String(value.to_owned()))],
        },
    }
}

/// `filter` with its constant parts folded: `x AND false` is `false`, `x OR true` is `true`,
/// `NOT true` is `false`, and so on (constants are never unknown, so this holds in SQL too).
fn fold(filter: Filter) -> Filter {
    let negate = |items: Vec<Filter>, not_true: bool| match fold(Filter::And(items)) {
        Filter::Const(b) => Filter::Const(!b),
        inner if not_true => Filter::NotTrue(vec![inner]),
        inner => Filter::Not(vec![inner]),
    };
    match filter {
        Filter::And(items) => {
            let mut kept = Vec::new();
            for item in items {
                match fold(item) {
                    Filter::Const(true) => {}
                    Filter::Const(false) => return NOTHING,
                    other => kept.push(other),
                }
            }
            match kept.len() {
                0 => Filter::Const(true),
                1 => kept.pop().unwrap_or(NOTHING),
                _ => Filter::And(kept),
            }
        }
        Filter::Or(items) => or(items.into_iter().map(fold).collect()),
        Filter::Not(items) => negate(items, false),
        Filter::NotTrue(items) => negate(items, true),
        other => other,
    }
}

/// Rows one of `allows` lets through (every row when there is none) and none of `denies`
/// holds for (a deny a NULL leaves undecided does not deny): field-level and post-update
/// policies, as ZenStack combines them. `None` when that is every row.
fn allowed_unless_denied(allows: Vec<Filter>, denies: Vec<Filter>) -> Option<Filter> {
    let mut rule = vec![if allows.is_empty() {
        Filter::Const(true)
    } else {
        or(allows)
    }];
    if !denies.is_empty() {
        rule.push(Filter::NotTrue(vec![Filter::Or(denies)]));
    }
    match fold(Filter::And(rule)) {
        Filter::Const(true) => None,
        other => Some(other),
    }
}

fn or(filters: Vec<Filter>) -> Filter {
    let mut kept: Vec<Filter> = Vec::new();
    for f in filters {
        match f {
            Filter::Const(true) => return Filter::Const(true),
            Filter::Const(false) => {}
            other => kept.push(other),
        }
    }
    match kept.len() {
        0 => NOTHING,
        1 => kept.pop().unwrap_or(NOTHING),
        _ => Filter::Or(kept),
    }
}

impl<'s> Guard<'s> {
    pub fn new(schema: &'s Schema, caller: Caller, now: DateTime<Utc>) -> Self {
        Self {
            schema,
            caller,
            now,
            profile_writes_only: true,
        }
    }

    /// This guard for a request that runs `operations`.
    pub fn for_operations<'o>(&self, operations: impl IntoIterator<Item = &'o Operation>) -> Self {
        Self {
            schema: self.schema,
            caller: self.caller.clone(),
            now: self.now,
            profile_writes_only: !operations
                .into_iter()
                .any(|op| writes_beyond_profile(self.schema, op)),
        }
    }

    pub fn is_super_admin(&self) -> bool {
        matches!(self.caller, Caller::SuperAdmin)
    }

    /// The filter a row of `model` must match for `action`: `None` when every row may. A row
    /// passes when something allows it (a built-in right, a role's permission, an `@@allow`)
    /// and no `@@deny` of the action holds for it (a deny that cannot be decided, because of
    /// a NULL, does not deny: ZenStack's rule).
    pub fn rule(&self, model: ModelId, action: Action) -> BaasResult<Option<Filter>> {
        if self.is_super_admin() {
            return Ok(None);
        }
        let allowed = self.allowed(model, action, true)?;
        let denies = self.policies(model, action, false)?;
        let rule = if denies.is_empty() {
            allowed
        } else {
            let denied = Filter::NotTrue(vec![Filter::Or(denies)]);
            Some(match allowed {
                None => denied,
                Some(allowed) => Filter::And(vec![allowed, denied]),
            })
        };
        // Conditions decided before SQL (on `auth()`, constants) fold away, so a rule that lets
        // nothing through is plainly `false` (what `check` answers from) and one that lets
        // everything through is no rule.
        Ok(match rule.map(fold) {
            Some(Filter::Const(true)) => None,
            other => other,
        })
    }

    /// What a row must still match after an update: when a built-in right or a role's scope
    /// let the caller change it, that scope (a row cannot be moved out of it), unless an
    /// `@@allow('update')` holds for the row as changed. An update only policies allowed is
    /// checked before the change only, as ZenStack does.
    pub fn after_update_rule(&self, model: ModelId) -> BaasResult<Option<Filter>> {
        if self.is_super_admin() {
            return Ok(None);
        }
        let scope = match self.allowed(model, Action::Update, false)? {
            None => return Ok(None),
            Some(scope) if scope == NOTHING => return Ok(None),
            Some(scope) => scope,
        };
        let mut kept = vec![scope];
        kept.extend(self.policies(model, Action::Update, true)?);
        Ok(Some(fold(or(kept))))
    }

    /// The conditions of the model's `@@allow`s (`allow`) or `@@deny`s for `action`.
    fn policies(&self, model: ModelId, action: Action, allow: bool) -> BaasResult<Vec<Filter>> {
        self.conditions(&self.schema.model(model).policies, action, allow)
    }

    fn conditions(
        &self,
        policies: &[crate::schema::policy::Policy],
        action: Action,
        allow: bool,
    ) -> BaasResult<Vec<Filter>> {
        let env = self.env(None, Some(action));
        policies
            .iter()
            .filter(|p| p.allow == allow && p.operations.contains(&action))
            .map(|p| policy::filter(&p.condition, &env))
            .collect()
    }

    fn env<'e>(&'e self, before: Option<&'e AuthRow>, action: Option<Action>) -> Env<'e> {
        Env {
            auth: match &self.caller {
                Caller::User(user) => Some(user.auth.as_ref()),
                _ => None,
            },
            now: self.now,
            before,
            schema: Some(self.schema),
            action,
        }
    }

    /// Whether `model` has `post-update` policies (for every caller but the super admin).
    pub fn checks_post_update(&self, model: ModelId) -> bool {
        !self.is_super_admin()
            && self
                .schema
                .model(model)
                .policies
                .iter()
                .any(|p| p.post_update)
    }

    /// What a row an update changed must match, as changed, given the row `before` it
    /// (`before()`): one of the model's `post-update` allows (none declared allows) and none
    /// of its `post-update` denies. `None` when nothing is asked.
    pub fn post_update_rule(&self, model: ModelId, before: &AuthRow) -> BaasResult<Option<Filter>> {
        if !self.checks_post_update(model) {
            return Ok(None);
        }
        let env = self.env(Some(before), None);
        let mut allows = Vec::new();
        let mut denies = Vec::new();
        for p in self
            .schema
            .model(model)
            .policies
            .iter()
            .filter(|p| p.post_update)
        {
            let condition = policy::filter(&p.condition, &env)?;
            if p.allow {
                allows.push(condition);
            } else {
                denies.push(condition);
            }
        }
        Ok(allowed_unless_denied(allows, denies))
    }

    /// Where the caller may `action` (read or update) `field` of `model`'s rows, by the
    /// field's `@allow`s (any of them; none declared allows) and `@deny`s (none may hold, a
    /// deny a NULL leaves undecided does not deny): ZenStack's field-level rule. `None` when
    /// everywhere.
    pub fn field_rule(
        &self,
        model: ModelId,
        field: FieldId,
        action: Action,
    ) -> BaasResult<Option<Filter>> {
        let policies = &self.schema.model(model).fields[field].policies;
        if self.is_super_admin() || policies.is_empty() {
            return Ok(None);
        }
        let allows = self.conditions(policies, action, true)?;
        let denies = self.conditions(policies, action, false)?;
        Ok(allowed_unless_denied(allows, denies))
    }

    /// Every field the caller may not read on every row, with where they may: what reads
    /// answer with (NULL elsewhere), order, aggregate and filter on.
    pub fn read_masks(&self) -> BaasResult<Masks> {
        let mut masks = Masks::new();
        if self.is_super_admin() {
            return Ok(masks);
        }
        for (model, m) in self.schema.models.iter().enumerate() {
            for (field, _) in m
                .fields
                .iter()
                .enumerate()
                .filter(|(_, f)| !f.policies.is_empty())
            {
                if let Some(rule) = self.field_rule(model, field, Action::Read)? {
                    masks.insert((model, field), rule);
                }
            }
        }
        Ok(masks)
    }

    /// What the rows an update changes must match for the fields it sets: every set
    /// field's update rule. `None` when no set field has one.
    pub fn fields_update_rule(
        &self,
        model: ModelId,
        fields: impl IntoIterator<Item = FieldId>,
    ) -> BaasResult<Option<Filter>> {
        let mut rules = Vec::new();
        for field in fields {
            rules.extend(self.field_rule(model, field, Action::Update)?);
        }
        Ok(match rules.len() {
            0 => None,
            _ => Some(fold(Filter::And(rules))),
        })
    }

    /// What lets rows through for `action`: the built-in rights, the roles' permissions and,
    /// with `policies`, the `@@allow`s. `None` when every row may.
    fn allowed(
        &self,
        model: ModelId,
        action: Action,
        policies: bool,
    ) -> BaasResult<Option<Filter>> {
        let mut allowed = if policies {
            self.policies(model, action, true)?
        } else {
            Vec::new()
        };
        let user = match &self.caller {
            Caller::SuperAdmin => return Ok(None),
            Caller::Anonymous(public) => {
                let open = public.scope(&self.schema.model(model).name, action);
                if open == Some(Scope::Public) {
                    return Ok(None);
                }
                return Ok(Some(or(allowed)));
            }
            Caller::User(user) => user,
        };
        let m = self.schema.model(model);
        // The built-in rights: a user reads and updates their own row (the Platform-owned
        // fields stay refused by `rules`) and reads their own tenant.
        match (m.builtin, action) {
            (Some(Builtin::User), Action::Read) => allowed.push(eq(self.key(model)?, &user.id)),
            (Some(Builtin::User), Action::Update) if self.profile_writes_only => {
                allowed.push(eq(self.key(model)?, &user.id));
            }
            (Some(Builtin::Tenant), Action::Read) => {
                allowed.push(eq(self.key(model)?, &user.tenant_id));
            }
            _ => {}
        }
        match user.grants.scope(&m.name, action) {
            Some(Scope::All | Scope::Public) => return Ok(None),
            Some(scope) => allowed.push(self.scoped(model, scope, user)?),
            None => {}
        }
        Ok(Some(or(allowed)))
    }

    /// The single-column key of a built-in model.
    fn key(&self, model: ModelId) -> BaasResult<FieldId> {
        match self.schema.model(model).primary_key.as_slice() {
            [key] => Ok(*key),
            _ => Err(BaasError::internal(
                "a built-in model without a one-column key",
            )),
        }
    }

    /// The rows of `model` within `scope` (own or tenant) for `user`.
    fn scoped(&self, model: ModelId, scope: Scope, user: &UserCaller) -> BaasResult<Filter> {
        let m = self.schema.model(model);
        match (m.builtin, scope) {
            (Some(Builtin::User), Scope::Own) => return Ok(eq(self.key(model)?, &user.id)),
            (Some(Builtin::User), _) => {
                let (tenant_fk, _) = m
                    .field("tenant_id")
                    .ok_or_else(|| BaasError::internal("user model without tenant_id"))?;
                return Ok(eq(tenant_fk, &user.tenant_id));
            }
            (Some(Builtin::Tenant), _) => return Ok(eq(self.key(model)?, &user.tenant_id)),
            (None, _) => {}
        }
        let to_user = self.owning_relation(model, Builtin::User)?;
        match scope {
            Scope::Own => match to_user {
                Some((_, fk)) => Ok(eq(fk, &user.id)),
                None => Ok(NOTHING),
            },
            _ => {
                if let Some((_, fk)) = self.owning_relation(model, Builtin::Tenant)? {
                    return Ok(eq(fk, &user.tenant_id));
                }
                let Some((relation, _)) = to_user else {
                    return Ok(NOTHING);
                };
                let user_model = self
                    .schema
                    .model_id(Builtin::User.name())
                    .ok_or_else(|| BaasError::internal("no user model"))?;
                let (tenant_fk, _) = self
                    .schema
                    .model(user_model)
                    .field("tenant_id")
                    .ok_or_else(|| BaasError::internal("user model without tenant_id"))?;
                Ok(Filter::One {
                    relation,
                    negated: false,
                    filter: Some(Box::new(eq(tenant_fk, &user.tenant_id))),
                })
            }
        }
    }

    /// The relation of `model` that holds a one-column foreign key to the built-in `target`:
    /// (relation field, foreign-key field). Several are ambiguous.
    fn owning_relation(
        &self,
        model: ModelId,
        target: Builtin,
    ) -> BaasResult<Option<(FieldId, FieldId)>> {
        let m = self.schema.model(model);
        let declared = match target {
            Builtin::User => m.scope_owner,
            Builtin::Tenant => m.scope_tenant,
        };
        if let Some(relation) = declared
            && let Some(r) = m.fields[relation].relation()
            && let [fk] = r.local.as_slice()
        {
            return Ok(Some((relation, *fk)));
        }
        let found: Vec<(FieldId, FieldId)> = m
            .fields
            .iter()
            .enumerate()
            .filter_map(|(id, f)| {
                let r = f.relation()?;
                let to_target = self.schema.model(r.target).builtin == Some(target);
                match (to_target && r.owner && !r.many, r.local.as_slice()) {
                    (true, [fk]) => Some((id, *fk)),
                    _ => None,
                }
            })
            .collect();
        match found.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            _ => Err(BaasError::AmbiguousScope {
                model: m.name.clone(),
                target: target.name(),
            }),
        }
    }
}

/// Rewrites `operation` on `model` so that its reads, nested reads and nested writes carry
/// `guard`'s rules. The top-level write's own rows are the engine's to check (see the module
/// docs).
pub fn authorize(guard: &Guard<'_>, model: ModelId, operation: &mut Operation) -> BaasResult<()> {
    if guard.is_super_admin() {
        return Ok(());
    }
    let r = Rewriter { guard };
    match operation {
        Operation::FindMany(args)
        | Operation::FindOne(args)
        | Operation::Exists(args)
        | Operation::Count { args, .. }
        | Operation::Aggregate { args, .. } => r.read_args(args),
        Operation::GroupBy { filter, .. } => {
            let rewritten = r.filter_opt(model, filter.take())?;
            *filter = Filter::both(rewritten, guard.rule(model, Action::Read)?.as_ref());
            Ok(())
        }
        Operation::Create { data, selection } => {
            r.create_data(data)?;
            r.selection(model, selection)
        }
        Operation::CreateMany {
            data, returning, ..
        } => {
            for row in data.iter_mut() {
                r.create_data(row)?;
            }
            match returning {
                Some(selection) => r.selection(model, selection),
                None => Ok(()),
            }
        }
        Operation::Update {
            unique,
            data,
            selection,
        } => {
            *unique = r.filter(model, unique)?;
            r.update_data(data)?;
            r.selection(model, selection)
        }
        Operation::UpdateMany {
            filter,
            data,
            returning,
            ..
        } => {
            let rewritten = r.filter_opt(model, filter.take())?;
            *filter = Filter::both(rewritten, guard.rule(model, Action::Update)?.as_ref());
            r.update_data(data)?;
            match returning {
                Some(selection) => r.selection(model, selection),
                None => Ok(()),
            }
        }
        Operation::Upsert {
            unique,
            create,
            update,
            selection,
        } => {
            *unique = r.filter(model, unique)?;
            r.create_data(create)?;
            r.update_data(update)?;
            r.selection(model, selection)
        }
        Operation::Delete { unique, selection } => {
            *unique = r.filter(model, unique)?;
            r.selection(model, selection)
        }
        Operation::DeleteMany { filter, .. } => {
            let rewritten = r.filter_opt(model, filter.take())?;
            *filter = Filter::both(rewritten, guard.rule(model, Action::Delete)?.as_ref());
            Ok(())
        }
    }
}

struct Rewriter<'g, 's> {
    guard: &'g Guard<'s>,
}

impl Rewriter<'_, '_> {
    fn schema(&self) -> &Schema {
        self.guard.schema
    }

    fn target(&self, model: ModelId, relation: FieldId) -> BaasResult<ModelId> {
        self.schema().model(model).fields[relation]
            .relation()
            .map(|r| r.target)
            .ok_or_else(|| BaasError::internal("a relation filter on a scalar field"))
    }

    fn read_args(&self, args: &mut ReadArgs) -> BaasResult<()> {
        for item in &mut args.order_by {
            self.order_item(args.model, item)?;
        }
        let rule = self.guard.rule(args.model, Action::Read)?;
        let rewritten = self.filter_opt(args.model, args.filter.take())?;
        args.filter = Filter::both(rewritten, rule.as_ref());
        // The cursor's row is looked up too: only among readable rows (else it would tell what
        // an unreadable row holds).
        let cursor = self.filter_opt(args.model, args.cursor.take())?;
        args.cursor = cursor.map(|c| c.and(rule.as_ref()));
        self.selection(args.model, &mut args.selection)
    }

    /// Ordering by a related row's field or a relation's count sees only readable rows.
    fn order_item(&self, model: ModelId, item: &mut OrderItem) -> BaasResult<()> {
        match item {
            OrderItem::Field { .. } | OrderItem::Relevance { .. } => Ok(()),
            OrderItem::Count {
                relation, visible, ..
            } => {
                *visible = self
                    .guard
                    .rule(self.target(model, *relation)?, Action::Read)?;
                Ok(())
            }
            OrderItem::Relation {
                relation,
                inner,
                visible,
            } => {
                let target = self.target(model, *relation)?;
                *visible = self.guard.rule(target, Action::Read)?;
                self.order_item(target, inner)
            }
        }
    }

    fn selection(&self, model: ModelId, selection: &mut Selection) -> BaasResult<()> {
        for (_, nested) in &mut selection.relations {
            self.read_args(nested)?;
        }
        for (relation, filter) in &mut selection.counts {
            let target = self.target(model, *relation)?;
            let rewritten = self.filter_opt(target, filter.take())?;
            *filter = Filter::both(rewritten, self.guard.rule(target, Action::Read)?.as_ref());
        }
        Ok(())
    }

    fn filter_opt(&self, model: ModelId, filter: Option<Filter>) -> BaasResult<Option<Filter>> {
        filter.map(|f| self.filter(model, &f)).transpose()
    }

    /// A filter whose relation conditions see only the related rows the caller may read.
    fn filter(&self, model: ModelId, filter: &Filter) -> BaasResult<Filter> {
        let list = |items: &[Filter]| -> BaasResult<Vec<Filter>> {
            items.iter().map(|f| self.filter(model, f)).collect()
        };
        Ok(match filter {
            Filter::And(items) => Filter::And(list(items)?),
            Filter::Or(items) => Filter::Or(list(items)?),
            Filter::Not(items) => Filter::Not(list(items)?),
            Filter::NotTrue(items) => Filter::NotTrue(list(items)?),
            Filter::Many {
                relation,
                quantifier,
                filter,
            } => {
                let target = self.target(model, *relation)?;
                let inner = self.filter(target, filter)?;
                let rule = self.guard.rule(target, Action::Read)?;
                let filter = match (rule, quantifier) {
                    (None, _) => inner,
                    // Every readable related row matches: unreadable rows do not count.
                    (Some(rule), Quantifier::Every) => {
                        Filter::Or(vec![Filter::NotTrue(vec![rule]), inner])
                    }
                    (Some(rule), _) => Filter::And(vec![rule, inner]),
                };
                Filter::Many {
                    relation: *relation,
                    quantifier: *quantifier,
                    filter: Box::new(filter),
                }
            }
            Filter::One {
                relation,
                negated,
                filter,
            } => {
                let target = self.target(model, *relation)?;
                let rule = self.guard.rule(target, Action::Read)?;
                let owner = self.schema().model(model).fields[*relation]
                    .relation()
                    .is_some_and(|r| r.owner);
                match (filter, rule) {
                    (Some(f), rule) => {
                        let inner = self.filter(target, f)?;
                        Filter::One {
                            relation: *relation,
                            negated: *negated,
                            filter: Some(Box::new(inner.and(rule.as_ref()))),
                        }
                    }
                    // `is: null` on the side without the key: no readable related row.
                    (None, Some(rule)) if !owner => Filter::One {
                        relation: *relation,
                        negated: true,
                        filter: Some(Box::new(rule)),
                    },
                    (None, _) => Filter::One {
                        relation: *relation,
                        negated: *negated,
                        filter: None,
                    },
                }
            }
            Filter::Field { field, .. }
            | Filter::Json { field, .. }
            | Filter::Typed { field, .. } => {
                match self.guard.field_rule(model, *field, Action::Read)? {
                    // The caller filters on the field as they see it.
                    Some(mask) => Filter::Masked {
                        mask: Box::new(mask),
                        filter: Box::new(filter.clone()),
                    },
                    None => filter.clone(),
                }
            }
            other => other.clone(),
        })
    }

    fn create_data(&self, data: &mut CreateData) -> BaasResult<()> {
        for (relation, writes) in &mut data.relations {
            let target = self.target(data.model, *relation)?;
            for write in writes.iter_mut() {
                self.relation_write(target, write)?;
            }
        }
        Ok(())
    }

    fn update_data(&self, data: &mut UpdateData) -> BaasResult<()> {
        for (relation, writes) in &mut data.relations {
            let target = self.target(data.model, *relation)?;
            for write in writes.iter_mut() {
                self.relation_write(target, write)?;
            }
        }
        Ok(())
    }

    /// `filter` (rewritten) AND the rule of `action` on `target`.
    fn scoped(
        &self,
        target: ModelId,
        filter: Option<&Filter>,
        action: Action,
    ) -> BaasResult<Option<Filter>> {
        let rewritten = filter.map(|f| self.filter(target, f)).transpose()?;
        Ok(Filter::both(
            rewritten,
            self.guard.rule(target, action)?.as_ref(),
        ))
    }

    fn required(&self, target: ModelId, filter: &Filter, action: Action) -> BaasResult<Filter> {
        Ok(self
            .scoped(target, Some(filter), action)?
            .unwrap_or(Filter::Const(true)))
    }

    /// A nested write through a relation to `target`: the related rows it touches must pass
    /// the rule of what it does to them. Connecting or disconnecting a row changes it (or its
    /// link), so it needs `update` on it; created rows are checked by the engine.
    fn relation_write(&self, target: ModelId, write: &mut RelationWrite) -> BaasResult<()> {
        use Action::{Delete, Update};
        match write {
            RelationWrite::Create(data) => self.create_data(data)?,
            RelationWrite::CreateMany { data, .. } => {
                for row in data.iter_mut() {
                    self.create_data(row)?;
                }
            }
            RelationWrite::Connect(filter) => *filter = self.required(target, filter, Update)?,
            RelationWrite::ConnectOrCreate { unique, create } => {
                *unique = self.required(target, unique, Update)?;
                self.create_data(create)?;
            }
            RelationWrite::Set(filters) => {
                for filter in filters.iter_mut() {
                    *filter = self.required(target, filter, Update)?;
                }
            }
            RelationWrite::Disconnect(filter) => {
                *filter = self.scoped(target, filter.as_ref(), Update)?;
            }
            RelationWrite::Update { filter, data } | RelationWrite::UpdateMany { filter, data } => {
                *filter = self.scoped(target, filter.as_ref(), Update)?;
                self.update_data(data)?;
            }
            RelationWrite::Upsert {
                unique,
                create,
                update,
            } => {
                *unique = self.scoped(target, unique.as_ref(), Update)?;
                self.create_data(create)?;
                self.update_data(update)?;
            }
            RelationWrite::Delete(filter) | RelationWrite::DeleteMany(filter) => {
                *filter = self.scoped(target, filter.as_ref(), Delete)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_widest_scope_of_all_roles_wins_per_model_and_action() {
        let p = |entity: &str, operation, scope| Rule {
            entity: entity.into(),
            operation,
            scope,
        };
        let grants = Grants::new(&[
            p("Project", Action::Read, Scope::Own),
            p("project", Action::Read, Scope::Tenant),
            p("project", Action::Update, Scope::Own),
        ]);
        assert_eq!(grants.scope("project", Action::Read), Some(Scope::Tenant));
        assert_eq!(grants.scope("Project", Action::Update), Some(Scope::Own));
        assert_eq!(grants.scope("project", Action::Delete), None);
        assert_eq!(grants.scope("note", Action::Read), None);
    }

    #[test]
    fn constant_parts_of_a_rule_fold_away() {
        let own = eq(0, "u1");
        let t = || Filter::Const(true);
        assert_eq!(fold(Filter::And(vec![own.clone(), NOTHING])), NOTHING);
        assert_eq!(fold(Filter::And(vec![own.clone(), t()])), own);
        assert_eq!(
            fold(Filter::NotTrue(vec![Filter::Or(vec![NOTHING, t()])])),
            NOTHING
        );
        assert_eq!(
            fold(Filter::And(vec![
                NOTHING,
                Filter::NotTrue(vec![own.clone()])
            ])),
            NOTHING,
            "nothing allowed stays nothing whatever the deny"
        );
        assert_eq!(
            fold(Filter::NotTrue(vec![own.clone()])),
            Filter::NotTrue(vec![own.clone()])
        );
        assert_eq!(fold(Filter::Not(vec![NOTHING])), t());
    }

    #[test]
    fn rules_that_let_nothing_through_fold_away_in_an_or() {
        assert_eq!(or(vec![NOTHING, NOTHING]), NOTHING);
        assert_eq!(or(vec![NOTHING, Filter::Const(true)]), Filter::Const(true));
        let own = eq(0, "u1");
        assert_eq!(or(vec![NOTHING, own.clone()]), own);
    }
}
