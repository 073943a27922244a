//! PostgreSQL schemas: `@@schema("billing")` and the datasource's `schemas` / `defaultSchema`
//! place tables in schemas of their own, checked as ZenStack checks them.

use serde_json::json;
use tandem_testkit::{Backend, spawn_app_with_schema, try_spawn_app_with_schema};

use super::{data, served_schema};

const BILLING: &str = r#"
datasource db {
  provider      = "postgresql"
  url           = env("DATABASE_URL")
  schemas       = ["public", "billing", "ops"]
  defaultSchema = "ops"
}

enum Currency {
  EUR
  USD
  @@schema("billing")
}

model customer {
  id       Int       @id
  name     String
  invoices invoice[]
  @@schema("public")
}

model invoice {
  id          Int      @id
  amount      Int
  currency    Currency
  customer_id Int
  customer    customer @relation(fields: [customer_id], references: [id], onDelete: Cascade)
  lines       line[]
  @@schema("billing")
}

model line {
  id         Int     @id
  text       String
  invoice_id Int
  invoice    invoice @relation(fields: [invoice_id], references: [id], onDelete: Cascade)
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_live_in_the_postgres_schemas_they_name() {
    let app = spawn_app_with_schema(Backend::Postgres, BILLING).await;
    let created = app.rpc_post("customer", "create", json!({
        "data": {"id": 1, "name": "Acme", "invoices": {"create": {"id": 10, "amount": 5, "currency": "EUR", "lines": {"create": [{"id": 100, "text": "a"}]}}}},
        "include": {"invoices": {"include": {"lines": true}}},
    })).await;
    assert_eq!(
        data(&created)["invoices"][0]["lines"][0]["text"],
        "a",
        "{}",
        created.body
    );

    // The tables are where the schema says: `invoice` in `billing`, `line` in the default
    // `ops`, `customer` in `public` (rows written there by SQL are read through the API).
    let store = tandem_sql::Db::connect(&app.config.baas_db, Default::default())
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.execute_ddl(r#"INSERT INTO "billing"."invoice" ("id", "amount", "currency", "customer_id") VALUES (11, 7, 'USD', 1); INSERT INTO "ops"."line" ("id", "text", "invoice_id") VALUES (101, 'b', 11); INSERT INTO "public"."customer" ("id", "name") VALUES (2, 'Globex')"#).await.unwrap();
    tx.commit().await.unwrap();
    store.close().await;
    let invoices = app.rpc_get("invoice", "findMany", json!({"orderBy": {"id": "asc"}, "select": {"id": true, "lines": {"select": {"id": true}}}})).await;
    assert_eq!(
        data(&invoices),
        &json!([{"id": 10, "lines": [{"id": 100}]}, {"id": 11, "lines": [{"id": 101}]}])
    );
    assert_eq!(
        data(&app.rpc_get("customer", "count", json!({})).await),
        &json!(2)
    );

    // Updates, filters across schemas, and cascading deletes.
    let updated = app
        .rpc_put(
            "invoice",
            "updateMany",
            json!({"where": {"customer": {"name": "Acme"}}, "data": {"amount": {"increment": 1}}}),
        )
        .await;
    assert_eq!(data(&updated), &json!({"count": 2}));
    let deleted = app
        .rpc_delete("customer", "delete", json!({"where": {"id": 1}}))
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(
        data(&app.rpc_get("line", "count", json!({})).await),
        &json!(0),
        "the delete cascaded across schemas"
    );

    let schema = served_schema(&app).await;
    assert!(schema.contains("  @@schema(\"billing\")\n"), "{schema}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemas_are_checked_as_zenstack_checks_them() {
    let model = "model a {\n  id Int @id\n}\n";
    for (datasource, extra, why) in [
        (
            "provider = \"sqlite\"\n  defaultSchema = \"x\"",
            "",
            "\"defaultSchema\" is only supported for \"postgresql\" provider",
        ),
        (
            "provider = \"postgresql\"\n  schemas = [\"public\"]",
            "model b {\n  id Int @id\n  @@schema(\"x\")\n}\n",
            "Schema \"x\" is not defined in the datasource",
        ),
        (
            "provider = \"postgresql\"\n  defaultSchema = \"x\"\n  schemas = [\"public\"]",
            "",
            "\"x\" must be included in the \"schemas\" array",
        ),
        (
            "provider = \"postgresql\"\n  schemas = [\"x\"]",
            "",
            "\"public\" must be included in the \"schemas\" array",
        ),
    ] {
        let schema = format!("datasource db {{\n  {datasource}\n}}\n{model}{extra}");
        let refused = try_spawn_app_with_schema(Backend::Postgres, Some(&schema))
            .await
            .err()
            .expect("refused");
        assert!(refused.contains(why), "{schema}: {refused}");
    }
    // SQLite has no schemas.
    let sqlite = try_spawn_app_with_schema(Backend::Sqlite, Some(BILLING))
        .await
        .err()
        .expect("refused on SQLite");
    assert!(
        sqlite.contains("`invoice` is in the PostgreSQL schema `billing`"),
        "{sqlite}"
    );
}
