//! Tenants: create, rename (recorded in the outbox for the BaaS), read, list, count users.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_query::{Alias, Expr, Order, Query};
use tandem_core::TenantId;
use tandem_core::merge::Entity;
use tandem_sql::Tx;

use super::filter::order_of;
use super::outbox;
use super::tables::{
    GroupCountRow, TENANT_COLUMNS, TenantRow, Tenants, Users, convert_all, millis, parse_id,
};
use super::{SqlPlatformStore, StoreError, StoreResult, TenantStore, is_primary_key};
use crate::domain::list::TenantQuery;
use crate::domain::{Change, Page, Tenant};

#[async_trait]
impl TenantStore for SqlPlatformStore {
    #[tracing::instrument(skip_all, fields(tenant = %tenant.id))]
    async fn insert_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        let mut tx = self.db.begin().await?;
        self.insert_tenant_in(&mut tx, tenant).await?;
        tx.commit().await?;
        self.signal_outbox();
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(tenant = %id))]
    async fn update_tenant(
        &self,
        id: TenantId,
        name: &str,
        reference: Change<Option<String>>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Tenant>> {
        let mut update = Query::update();
        update
            .table(Tenants::Table)
            .value(Tenants::Name, name)
            .value(Tenants::UpdatedAt, millis(now))
            .and_where(Expr::col(Tenants::Id).eq(id.to_string()))
            .returning(Query::returning().columns(TENANT_COLUMNS));
        if let Change::Set(reference) = reference {
            update.value(Tenants::Reference, reference);
        }
        let mut tx = self.db.begin().await?;
        let row: Option<TenantRow> = tx.fetch_optional(&update).await?;
        let Some(tenant) = row.map(Tenant::try_from).transpose()? else {
            return Ok(None);
        };
        let id = tenant.id.to_string();
        self.record(
            &mut tx,
            Entity::Tenant,
            &id,
            outbox::tenant_values(&tenant),
            &["name"],
            now,
        )
        .await?;
        tx.commit().await?;
        self.signal_outbox();
        Ok(Some(tenant))
    }

    #[tracing::instrument(skip_all, fields(tenant = %id))]
    async fn tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>> {
        let select = Query::select()
            .from(Tenants::Table)
            .columns(TENANT_COLUMNS)
            .and_where(Expr::col(Tenants::Id).eq(id.to_string()))
            .to_owned();
        let row: Option<TenantRow> = self.db.fetch_optional(&select).await?;
        row.map(Tenant::try_from).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn default_tenant(&self) -> StoreResult<Option<Tenant>> {
        let select = Query::select()
            .from(Tenants::Table)
            .columns(TENANT_COLUMNS)
            .and_where(Expr::col(Tenants::IsDefault).eq(true))
            .to_owned();
        let row: Option<TenantRow> = self.db.fetch_optional(&select).await?;
        row.map(Tenant::try_from).transpose()
    }

    #[tracing::instrument(skip_all, fields(tenants = ids.len()))]
    async fn tenants_by_ids(&self, ids: &[TenantId]) -> StoreResult<Vec<Tenant>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let select = Query::select()
            .from(Tenants::Table)
            .columns(TENANT_COLUMNS)
            .and_where(Expr::col(Tenants::Id).is_in(ids.iter().map(ToString::to_string)))
            .to_owned();
        let rows: Vec<TenantRow> = self.db.fetch_all(&select).await?;
        convert_all(rows)
    }

    #[tracing::instrument(skip_all, fields(scope = ?query.tenant_scope, window = ?query.window))]
    async fn list_tenants(&self, query: &TenantQuery) -> StoreResult<Page<Tenant>> {
        let cond = self.tenant_condition(query);
        let order = query.order.map(|o| order_of(o.order)).unwrap_or(Order::Asc);
        let select = Query::select()
            .from(Tenants::Table)
            .columns(TENANT_COLUMNS)
            .cond_where(cond)
            .order_by(Tenants::CreatedAt, order.clone())
            .order_by(Tenants::Id, order)
            .to_owned();
        self.page::<TenantRow, Tenant>(select, query.window.limit, query.window.offset)
            .await
    }

    #[tracing::instrument(skip_all, fields(tenants = ids.len()))]
    async fn count_users_by_tenant(&self, ids: &[TenantId]) -> StoreResult<HashMap<TenantId, i64>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let select = Query::select()
            .from(Users::Table)
            .expr_as(Expr::col(Users::TenantId), Alias::new("id"))
            .expr_as(Expr::col(sea_query::Asterisk).count(), Alias::new("count"))
            .and_where(Expr::col(Users::TenantId).is_in(ids.iter().map(ToString::to_string)))
            .group_by_col(Users::TenantId)
            .to_owned();
        let rows: Vec<GroupCountRow> = self.db.fetch_all(&select).await?;
        rows.into_iter()
            .map(|r| Ok((parse_id(&r.id, TenantId::parse)?, r.count)))
            .collect()
    }
}

impl SqlPlatformStore {
    /// Inserts the tenant and its outbox record inside `tx`.
    pub(super) async fn insert_tenant_in(&self, tx: &mut Tx, tenant: &Tenant) -> StoreResult<()> {
        let insert = Query::insert()
            .into_table(Tenants::Table)
            .columns(TENANT_COLUMNS)
            .values_panic([
                tenant.id.to_string().into(),
                tenant.reference.clone().into(),
                tenant.name.clone().into(),
                tenant.is_default.into(),
                millis(tenant.created_at).into(),
                millis(tenant.updated_at).into(),
            ])
            .to_owned();
        tx.execute(&insert).await.map_err(|e| {
            if is_primary_key(&e) {
                StoreError::DuplicateId("tenant", tenant.id.to_string())
            } else {
                StoreError::Db(e)
            }
        })?;
        let id = tenant.id.to_string();
        self.record(
            tx,
            Entity::Tenant,
            &id,
            outbox::tenant_values(tenant),
            &outbox::all_fields(Entity::Tenant),
            tenant.created_at,
        )
        .await?;
        Ok(())
    }
}
