//! The environment row: the stored credentials digest and token-key salt.

use async_trait::async_trait;
use sea_query::{OnConflict, Query};

use super::tables::{Environment, EnvironmentRow, instant, millis};
use super::{EnvironmentStore, SqlPlatformStore, StoreResult};
use crate::environment::EnvironmentRecord;

#[async_trait]
impl EnvironmentStore for SqlPlatformStore {
    #[tracing::instrument(skip_all)]
    async fn environment(&self) -> StoreResult<Option<EnvironmentRecord>> {
        let select = Query::select()
            .from(Environment::Table)
            .columns([
                Environment::Id,
                Environment::ApiKeyHash,
                Environment::TokenKeySalt,
                Environment::CreatedAt,
                Environment::UpdatedAt,
            ])
            .limit(1)
            .to_owned();
        let row: Option<EnvironmentRow> = self.db.fetch_optional(&select).await?;
        row.map(|r| {
            Ok(EnvironmentRecord {
                id: r.id,
                api_key_hash: r.api_key_hash,
                token_key_salt: r.token_key_salt,
                created_at: instant(r.created_at)?,
                updated_at: instant(r.updated_at)?,
            })
        })
        .transpose()
    }

    #[tracing::instrument(skip_all, fields(environment = %env.id))]
    async fn save_environment(&self, env: &EnvironmentRecord) -> StoreResult<()> {
        let insert = Query::insert()
            .into_table(Environment::Table)
            .columns([
                Environment::Id,
                Environment::ApiKeyHash,
                Environment::TokenKeySalt,
                Environment::CreatedAt,
                Environment::UpdatedAt,
            ])
            .values_panic([
                env.id.clone().into(),
                env.api_key_hash.clone().into(),
                env.token_key_salt.clone().into(),
                millis(env.created_at).into(),
                millis(env.updated_at).into(),
            ])
            .on_conflict(
                OnConflict::column(Environment::Id)
                    .update_columns([Environment::ApiKeyHash, Environment::UpdatedAt])
                    .to_owned(),
            )
            .to_owned();
        self.db.execute(&insert).await?;
        Ok(())
    }
}
