//! The BaaS over its RPC API: reads, writes, aggregates, errors, the user/tenant rules and
//! schema handling — on the library schema below, seeded the same way for every test.

mod access;
mod bytes;
mod delegates;
mod enums;
mod errors;
mod grant_props;
mod grants;
mod many_to_many;
mod permissions;
mod pg_schemas;
mod policies;
mod reads;
mod rules;
mod scalar_lists;
mod schema;
mod search;
mod validate;
mod writes;

use serde_json::{Value, json};
use tandem_testkit::{Backend, TestApp, spawn_app_with_schema};

pub const LIBRARY: &str = r#"
model user {
  books    book[]
  nickname String?
}

model book {
  id         String    @id @default(uuid())
  title      String
  pages      Int       @default(0)
  price      Float?
  published  Boolean   @default(false)
  author_id  String
  author     user      @relation(fields: [author_id], references: [id])
  chapters   chapter[]
  created_at DateTime  @default(now())

  @@unique([title, author_id])
}

model chapter {
  id       String @id @default(cuid())
  title    String
  position Int
  book_id  String
  book     book   @relation(fields: [book_id], references: [id], onDelete: Cascade)
}

model metric {
  id       Int      @id @default(autoincrement())
  name     String   @unique
  big      BigInt?
  ratio    Decimal?
  data     Json?
  taken_at DateTime?
}
"#;

/// The seeded tenants' and users' ids (they sort in this order).
pub const T1: &str = "10000000-0000-4000-8000-000000000001";
pub const T2: &str = "10000000-0000-4000-8000-000000000002";
pub const U1: &str = "00000000-0000-4000-8000-000000000001";
pub const U2: &str = "00000000-0000-4000-8000-000000000002";
pub const U3: &str = "00000000-0000-4000-8000-000000000003";
pub const U4: &str = "00000000-0000-4000-8000-000000000004";
pub const U5: &str = "00000000-0000-4000-8000-000000000005";

/// A server with the library schema and this data: two tenants (besides the Platform's
/// default tenant), five users, four books, five chapters. Tenants and users are created on
/// the Platform and reach the BaaS through sync, as in production.
pub async fn library(backend: Backend) -> TestApp {
    let app = spawn_app_with_schema(backend, LIBRARY).await;
    app.seed_people(json!({
        "tenant": [
            {"id": T1, "name": "Acme", "created_at": "2020-01-01T00:00:00.000Z"},
            {"id": T2, "name": "Globex", "created_at": "2020-01-02T00:00:00.000Z"},
        ],
        "user": [
            {"id": U1, "email": "alice@example.com", "first_name": "Alice", "last_name": "Smith", "locale": "en", "tenant_id": T1, "created_at": "2020-02-01T00:00:00.000Z"},
            {"id": U2, "email": "bob@example.com", "first_name": "Bob", "locale": "fr", "tenant_id": T1, "created_at": "2020-02-02T00:00:00.000Z"},
            {"id": U3, "email": "carol@example.com", "first_name": "carol", "last_name": "Jones", "tenant_id": T2, "created_at": "2020-02-03T00:00:00.000Z"},
            {"id": U4, "email": "dave@example.org", "first_name": "Dave", "tenant_id": T2, "created_at": "2021-06-01T00:00:00.000Z"},
            {"id": U5, "email": "elodie@example.com", "first_name": "Élodie", "tenant_id": T2, "active": false, "created_at": "2022-01-01T00:00:00.000Z"},
        ],
    }))
    .await;
    let books = app
        .rpc_post("book", "createMany", json!({"data": [
            {"id": "b1", "title": "Rust Basics", "pages": 120, "price": 19.5, "published": true, "author_id": U1, "created_at": "2023-01-01T00:00:00.000Z"},
            {"id": "b2", "title": "Advanced Rust", "pages": 300, "author_id": U1, "created_at": "2023-01-02T00:00:00.000Z"},
            {"id": "b3", "title": "Cooking", "pages": 50, "price": 5, "author_id": U3, "created_at": "2023-01-03T00:00:00.000Z"},
            {"id": "b4", "title": "Gardening", "pages": 80, "published": true, "author_id": U4, "created_at": "2023-01-04T00:00:00.000Z"},
        ]}))
        .await;
    assert_eq!(books.body, json!({"data": {"count": 4}}), "seeding books");
    let chapters = app
        .rpc_post(
            "chapter",
            "createMany",
            json!({"data": [
                {"id": "c1", "title": "Intro", "position": 1, "book_id": "b1"},
                {"id": "c2", "title": "Ownership", "position": 2, "book_id": "b1"},
                {"id": "c3", "title": "Traits", "position": 1, "book_id": "b2"},
                {"id": "c4", "title": "Soil", "position": 1, "book_id": "b4"},
                {"id": "c5", "title": "Seeds", "position": 2, "book_id": "b4"},
            ]}),
        )
        .await;
    assert_eq!(
        chapters.body,
        json!({"data": {"count": 5}}),
        "seeding chapters"
    );
    app
}

/// The effective schema `GET /api/schema` serves.
pub async fn served_schema(app: &TestApp) -> String {
    let response = app
        .client
        .get(app.url("/api/schema"))
        .header("authorization", app.server_authorization())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    body["schema"].as_str().unwrap().to_owned()
}

/// `data` of a successful answer, failing with the body otherwise.
pub fn data(answer: &tandem_testkit::Answer) -> &Value {
    assert!(
        answer.status.is_success(),
        "expected success, got {}: {}",
        answer.status,
        answer.body
    );
    &answer.body["data"]
}

/// The ids of a list answer, in order.
pub fn ids(answer: &tandem_testkit::Answer) -> Vec<String> {
    data(answer)
        .as_array()
        .unwrap_or_else(|| panic!("expected a list: {}", answer.body))
        .iter()
        .map(|row| row["id"].as_str().unwrap().to_owned())
        .collect()
}

/// `(status, reason)` of an error answer.
pub fn error(answer: &tandem_testkit::Answer) -> (u16, String) {
    (
        answer.status.as_u16(),
        answer.body["error"]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}
