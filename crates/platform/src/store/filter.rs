//! How list queries become SQL: ROQ's filters, search and order (as [`crate::domain::list`]
//! holds them) compiled into sea-query conditions for either dialect, and paging with the
//! total count. Values are always bound, never spliced into the statement.

use sea_query::{
    Alias, Cond, Condition, Expr, IntoColumnRef, Order, Query, SelectStatement, SimpleExpr,
};
use tandem_core::UserId;
use tandem_sql::Dialect;
use tandem_sql::escape_like;

use super::tables::{CountRow, Permissions, Roles, Tenants, UserRoles, Users, convert_all, millis};
use super::{SqlPlatformStore, StoreError, StoreResult, postgres, sqlite};
use crate::domain::Page;
use crate::domain::list::{
    BoolFilter, DateFilter, DateOp, FilterId, IdFilter, PermissionQuery, RoleQuery, RoleSearchKey,
    SortOrder, StringFilter, TenantQuery, UserQuery, UserSearchKey,
};

impl SqlPlatformStore {
    pub(super) async fn count(&self, mut select: SelectStatement) -> StoreResult<i64> {
        select
            .clear_selects()
            .clear_order_by()
            .expr_as(Expr::col(sea_query::Asterisk).count(), Alias::new("count"));
        let row: CountRow = self.db.fetch_one(&select).await?;
        Ok(row.count)
    }

    pub(super) async fn page<R, T>(
        &self,
        select: SelectStatement,
        limit: u32,
        offset: u32,
    ) -> StoreResult<Page<T>>
    where
        R: tandem_sql::AnyRow,
        T: TryFrom<R, Error = StoreError>,
    {
        let total_count = self.count(select.clone()).await?;
        let mut select = select;
        select.limit(u64::from(limit)).offset(u64::from(offset));
        let rows: Vec<R> = self.db.fetch_all(&select).await?;
        Ok(Page {
            data: convert_all(rows)?,
            total_count,
        })
    }

    pub(super) fn like(&self, expr: SimpleExpr, pattern: &str) -> SimpleExpr {
        match self.dialect() {
            Dialect::Sqlite => sqlite::like(expr, pattern),
            Dialect::Postgres => postgres::like(expr, pattern),
        }
    }

    pub(super) fn ilike(&self, expr: SimpleExpr, pattern: &str) -> SimpleExpr {
        match self.dialect() {
            Dialect::Sqlite => sqlite::ilike(expr, pattern),
            Dialect::Postgres => postgres::ilike(expr, pattern),
        }
    }

    /// Case-insensitive "contains", the needle taken literally.
    pub(super) fn contains(&self, expr: SimpleExpr, needle: &str) -> SimpleExpr {
        self.ilike(expr, &format!("%{}%", escape_like(needle)))
    }

    pub(super) fn string_filter(
        &self,
        col: impl IntoColumnRef + Copy,
        f: &StringFilter,
        fold: bool,
    ) -> Condition {
        // Folded columns (email) are stored lower-cased, so every comparison folds its value.
        let norm = |v: &String| if fold { v.to_lowercase() } else { v.clone() };
        let mut cond = Cond::all();
        if let Some(v) = &f.equal_to {
            cond = cond.add(Expr::col(col).eq(norm(v)));
        }
        if let Some(v) = &f.not_equal_to {
            cond = cond.add(
                Cond::any()
                    .add(Expr::col(col).ne(norm(v)))
                    .add(Expr::col(col).is_null()),
            );
        }
        if let Some(vs) = &f.value_in {
            cond = cond.add(Expr::col(col).is_in(vs.iter().map(norm)));
        }
        if let Some(vs) = &f.value_not_in {
            cond = cond.add(
                Cond::any()
                    .add(Expr::col(col).is_not_in(vs.iter().map(norm)))
                    .add(Expr::col(col).is_null()),
            );
        }
        if let Some(p) = &f.like {
            cond = cond.add(self.like(Expr::col(col).into(), &norm(p)));
        }
        if let Some(p) = &f.i_like {
            cond = cond.add(self.ilike(Expr::col(col).into(), p));
        }
        cond
    }

    /// Users whose set of roles matches: positive parts ask for a matching role, negative
    /// parts (`notEqualTo`, `valueNotIn`) for no matching role.
    pub(super) fn role_membership(
        &self,
        role_cond_pos: Condition,
        role_cond_neg: Option<Condition>,
    ) -> Condition {
        let assigned = |cond: Condition| {
            Query::select()
                .column((UserRoles::Table, UserRoles::UserId))
                .from(UserRoles::Table)
                .inner_join(
                    Roles::Table,
                    Expr::col((Roles::Table, Roles::Id))
                        .equals((UserRoles::Table, UserRoles::RoleId)),
                )
                .cond_where(cond)
                .to_owned()
        };
        let mut out = Cond::all();
        if !role_cond_pos.is_empty() {
            out =
                out.add(Expr::col((Users::Table, Users::Id)).in_subquery(assigned(role_cond_pos)));
        }
        if let Some(neg) = role_cond_neg {
            out = out.add(Expr::col((Users::Table, Users::Id)).not_in_subquery(assigned(neg)));
        }
        out
    }

    pub(super) fn user_condition(&self, query: &UserQuery) -> Condition {
        let f = &query.filter;
        let mut cond = Cond::all();
        if let Some(tenant) = query.tenant_scope {
            cond = cond.add(Expr::col((Users::Table, Users::TenantId)).eq(tenant.to_string()));
        }
        if let Some(id) = &f.id {
            cond = cond.add(id_filter((Users::Table, Users::Id), id));
        }
        if let Some(tenant) = &f.tenant_id {
            cond = cond.add(id_filter((Users::Table, Users::TenantId), tenant));
        }
        for (col, filter, fold) in [
            (Users::Email, &f.email, true),
            (Users::FirstName, &f.first_name, false),
            (Users::LastName, &f.last_name, false),
            (Users::Locale, &f.locale, false),
            (Users::Phone, &f.phone, false),
            (Users::Reference, &f.reference, false),
            (Users::Timezone, &f.timezone, false),
        ] {
            if let Some(filter) = filter {
                cond = cond.add(self.string_filter((Users::Table, col), filter, fold));
            }
        }
        match (&f.active, &f.with_deactivated) {
            (Some(active), _) => {
                cond = cond.add(bool_filter((Users::Table, Users::Active), active))
            }
            (None, Some(with))
                if with.equal_to == Some(true) || with.not_equal_to == Some(false) => {}
            _ => cond = cond.add(Expr::col((Users::Table, Users::Active)).eq(true)),
        }
        if let Some(dates) = &f.opted_in_at {
            cond = cond.add(date_filter((Users::Table, Users::OptedInAt), dates));
        }
        if let Some(role_id) = &f.role_id {
            let (pos, neg) = split_id_filter(role_id);
            cond = cond.add(
                self.role_membership(
                    pos.map(|p| id_filter((Roles::Table, Roles::Id), &p))
                        .unwrap_or_else(Cond::all),
                    neg.map(|n| id_filter((Roles::Table, Roles::Id), &n)),
                ),
            );
        }
        if let Some(role_key) = &f.role_key {
            let (pos, neg) = split_string_filter(role_key);
            cond = cond.add(
                self.role_membership(
                    pos.map(|p| self.string_filter((Roles::Table, Roles::Key), &p, false))
                        .unwrap_or_else(Cond::all),
                    neg.map(|n| self.string_filter((Roles::Table, Roles::Key), &n, false)),
                ),
            );
        }
        if let Some(text) = f.search.as_deref().filter(|s| !s.is_empty()) {
            cond = cond.add(
                Cond::any()
                    .add(self.contains(Expr::col((Users::Table, Users::Email)).into(), text))
                    .add(self.contains(Expr::col((Users::Table, Users::FirstName)).into(), text))
                    .add(self.contains(Expr::col((Users::Table, Users::LastName)).into(), text)),
            );
        }
        if let Some(search) = &query.search {
            let col = match search.key {
                UserSearchKey::Email => Users::Email,
                UserSearchKey::FirstName => Users::FirstName,
                UserSearchKey::LastName => Users::LastName,
                UserSearchKey::Locale => Users::Locale,
                UserSearchKey::Phone => Users::Phone,
                UserSearchKey::Timezone => Users::Timezone,
            };
            cond = cond.add(self.contains(Expr::col((Users::Table, col)).into(), &search.value));
        }
        cond
    }

    pub(super) fn tenant_condition(&self, query: &TenantQuery) -> Condition {
        let mut cond = Cond::all();
        if let Some(tenant) = query.tenant_scope {
            cond = cond.add(Expr::col(Tenants::Id).eq(tenant.to_string()));
        }
        if let Some(id) = &query.filter.id {
            cond = cond.add(id_filter(Tenants::Id, id));
        }
        if let Some(reference) = &query.filter.reference {
            cond = cond.add(self.string_filter(Tenants::Reference, reference, false));
        }
        cond
    }

    pub(super) fn role_condition(&self, query: &RoleQuery) -> Condition {
        let f = &query.filter;
        let mut cond = Cond::all();
        if let Some(id) = &f.id {
            cond = cond.add(id_filter((Roles::Table, Roles::Id), id));
        }
        for (col, filter) in [
            (Roles::Key, &f.key),
            (Roles::Name, &f.name),
            (Roles::Description, &f.description),
        ] {
            if let Some(filter) = filter {
                cond = cond.add(self.string_filter((Roles::Table, col), filter, false));
            }
        }
        if let Some(managed) = &f.is_system_managed {
            cond = cond.add(bool_filter((Roles::Table, Roles::IsSystemManaged), managed));
        }
        if let Some(user_id) = &f.user_id {
            let (pos, neg) = split_id_filter(user_id);
            let assigned = |filter: &IdFilter<UserId>| {
                let mut select = Query::select()
                    .column((UserRoles::Table, UserRoles::RoleId))
                    .from(UserRoles::Table)
                    .cond_where(id_filter((UserRoles::Table, UserRoles::UserId), filter))
                    .to_owned();
                if let Some(tenant) = query.tenant_scope {
                    select
                        .inner_join(
                            Users::Table,
                            Expr::col((Users::Table, Users::Id))
                                .equals((UserRoles::Table, UserRoles::UserId)),
                        )
                        .and_where(
                            Expr::col((Users::Table, Users::TenantId)).eq(tenant.to_string()),
                        );
                }
                select
            };
            if let Some(pos) = pos {
                cond = cond.add(Expr::col((Roles::Table, Roles::Id)).in_subquery(assigned(&pos)));
            }
            if let Some(neg) = neg {
                cond =
                    cond.add(Expr::col((Roles::Table, Roles::Id)).not_in_subquery(assigned(&neg)));
            }
        }
        if let Some(search) = &query.search {
            let col = match search.key {
                RoleSearchKey::Description => Roles::Description,
                RoleSearchKey::Key => Roles::Key,
                RoleSearchKey::Name => Roles::Name,
            };
            cond = cond.add(self.contains(Expr::col((Roles::Table, col)).into(), &search.value));
        }
        cond
    }
}

impl SqlPlatformStore {
    pub(super) fn permission_condition(&self, query: &PermissionQuery) -> Condition {
        let f = &query.filter;
        let mut cond = Cond::all();
        if let Some(id) = &f.id {
            cond = cond.add(id_filter((Permissions::Table, Permissions::Id), id));
        }
        if let Some(role_id) = &f.role_id {
            cond = cond.add(id_filter(
                (Permissions::Table, Permissions::RoleId),
                role_id,
            ));
        }
        for (col, filter) in [
            (Permissions::Key, &f.key),
            (Permissions::Scope, &f.scope),
            (Permissions::Type, &f.kind),
        ] {
            if let Some(filter) = filter {
                cond = cond.add(self.string_filter((Permissions::Table, col), filter, false));
            }
        }
        if let Some(value) = &query.key_search {
            cond = cond.add(self.contains(
                Expr::col((Permissions::Table, Permissions::Key)).into(),
                value,
            ));
        }
        cond
    }
}

pub(super) fn id_filter<T: std::fmt::Display>(
    col: impl IntoColumnRef + Copy,
    f: &IdFilter<T>,
) -> Condition {
    // Ids are stored in canonical form, which is how a parsed id prints: `{…}` or upper-case
    // spellings of a UUID still match.
    let text = |v: &FilterId<T>| match v {
        FilterId::Id(id) => id.to_string(),
        FilterId::NotAnId(raw) => raw.clone(),
    };
    let mut cond = Cond::all();
    if let Some(v) = &f.equal_to {
        cond = cond.add(Expr::col(col).eq(text(v)));
    }
    if let Some(v) = &f.not_equal_to {
        cond = cond.add(Expr::col(col).ne(text(v)));
    }
    if let Some(vs) = &f.value_in {
        cond = cond.add(Expr::col(col).is_in(vs.iter().map(text)));
    }
    if let Some(vs) = &f.value_not_in {
        cond = cond.add(Expr::col(col).is_not_in(vs.iter().map(text)));
    }
    cond
}

pub(super) fn bool_filter(col: impl IntoColumnRef + Copy, f: &BoolFilter) -> Condition {
    let mut cond = Cond::all();
    if let Some(v) = f.equal_to {
        cond = cond.add(Expr::col(col).eq(v));
    }
    if let Some(v) = f.not_equal_to {
        cond = cond.add(Expr::col(col).ne(v));
    }
    cond
}

pub(super) fn date_filter(col: impl IntoColumnRef + Copy, f: &DateFilter) -> Condition {
    f.bounds().into_iter().fold(Cond::all(), |cond, (op, at)| {
        let v = millis(at);
        let c = Expr::col(col);
        cond.add(match op {
            DateOp::Eq => c.eq(v),
            DateOp::Ne => c.ne(v),
            DateOp::Lt => c.lt(v),
            DateOp::Lte => c.lte(v),
            DateOp::Gt => c.gt(v),
            DateOp::Gte => c.gte(v),
        })
    })
}

/// Splits a filter over a to-many relation into "has a match" and "has no match" parts.
pub(super) fn split_id_filter<T: Clone>(
    f: &IdFilter<T>,
) -> (Option<IdFilter<T>>, Option<IdFilter<T>>) {
    let pos = IdFilter {
        equal_to: f.equal_to.clone(),
        value_in: f.value_in.clone(),
        ..IdFilter::default()
    };
    let neg_values: Vec<_> = f
        .not_equal_to
        .iter()
        .cloned()
        .chain(f.value_not_in.iter().flatten().cloned())
        .collect();
    let neg = IdFilter {
        value_in: Some(neg_values.clone()),
        ..IdFilter::default()
    };
    (
        (pos.equal_to.is_some() || pos.value_in.is_some()).then_some(pos),
        (!neg_values.is_empty()).then_some(neg),
    )
}

pub(super) fn split_string_filter(
    f: &StringFilter,
) -> (Option<StringFilter>, Option<StringFilter>) {
    let pos = StringFilter {
        equal_to: f.equal_to.clone(),
        value_in: f.value_in.clone(),
        like: f.like.clone(),
        i_like: f.i_like.clone(),
        ..StringFilter::default()
    };
    let neg_values: Vec<_> = f
        .not_equal_to
        .iter()
        .cloned()
        .chain(f.value_not_in.iter().flatten().cloned())
        .collect();
    let has_pos = pos.equal_to.is_some()
        || pos.value_in.is_some()
        || pos.like.is_some()
        || pos.i_like.is_some();
    (
        has_pos.then_some(pos),
        (!neg_values.is_empty()).then(|| StringFilter {
            value_in: Some(neg_values),
            ..StringFilter::default()
        }),
    )
}

pub(super) fn order_of(order: SortOrder) -> Order {
    match order {
        SortOrder::Asc => Order::Asc,
        SortOrder::Desc => Order::Desc,
    }
}
