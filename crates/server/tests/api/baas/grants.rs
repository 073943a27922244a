//! Roles' permissions (entity × action × scope) enforced in the BaaS's SQL, driven through
//! the BaaS as a user caller with given grants: tenant scope through a model's `tenant`
//! relation or its `user` relation, own scope through its `user` relation, the rows a write
//! creates or changes checked afterwards, nested writes and reads, and an ambiguous model.

use std::sync::Arc;

use serde_json::{Value, json};
use tandem_baas::error::BaasError;
use tandem_baas::query::OpName;
use tandem_baas::query::access::{Action, Caller, Grants, Rule, Scope, UserCaller};
use tandem_platform::domain::input::{NewTenant, NewUser};
use tandem_platform::service::Principal;
use tandem_testkit::{Backend, build_stores_with_schema, sync_idle};

const SCHEMA: &str = r#"
model tenant {
  projects project[]
}

model user {
  notes    note[]
  assigned task[] @relation("assignee")
  created  task[] @relation("creator")
  chores   chore[] @relation("chore_assignee")
  made     chore[] @relation("chore_creator")
}

model project {
  id        String @id @default(uuid())
  name      String
  tenant_id String
  tenant    tenant @relation(fields: [tenant_id], references: [id])
  notes     note[]
}

model note {
  id         String   @id @default(uuid())
  body       String
  author_id  String
  author     user     @relation(fields: [author_id], references: [id])
  project_id String?
  project    project? @relation(fields: [project_id], references: [id])
}

model task {
  id          String @id @default(uuid())
  title       String
  assignee_id String
  assignee    user   @relation("assignee", fields: [assignee_id], references: [id])
  creator_id  String
  creator     user   @relation("creator", fields: [creator_id], references: [id])
}

model chore {
  id          String @id @default(uuid())
  title       String
  assignee_id String
  assignee    user   @relation("chore_assignee", fields: [assignee_id], references: [id])
  creator_id  String
  creator     user   @relation("chore_creator", fields: [creator_id], references: [id])

  @@owner(assignee)
}
"#;

fn grant(entity: &str, operation: Action, scope: Scope) -> Rule {
    Rule {
        entity: entity.into(),
        operation,
        scope,
    }
}

fn ids(value: &Value) -> Vec<&str> {
    let mut out: Vec<&str> = value
        .as_array()
        .unwrap_or_else(|| panic!("a list: {value}"))
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    out.sort_unstable();
    out
}

fn rejected(result: Result<Value, BaasError>, what: &str) {
    match result {
        Err(BaasError::PolicyRejected { .. }) => {}
        other => panic!("{what}: expected a policy refusal, got {other:?}"),
    }
}

/// The stores with SCHEMA, and two tenants' people, synced to the BaaS: A has a1 and a2, B has b1.
pub(super) struct World {
    pub stores: tandem_testkit::TestStores,
    pub baas: Arc<tandem_baas::Baas>,
    pub ta: String,
    pub tb: String,
    pub a1: String,
    pub a2: String,
    pub b1: String,
}

pub(super) async fn world(backend: Backend) -> World {
    let stores = build_stores_with_schema(backend, Some(SCHEMA)).await;
    let platform = stores.app.platform().expect("platform").clone();
    let baas = stores.app.baas().expect("baas").clone();
    let tenant = |name: &str| NewTenant {
        id: None,
        created_at: None,
        name: name.into(),
        reference: None,
    };
    let a = platform
        .create_tenant(&Principal::ServiceAccount, tenant("A"))
        .await
        .unwrap();
    let b = platform
        .create_tenant(&Principal::ServiceAccount, tenant("B"))
        .await
        .unwrap();
    let user = |email: &str, tenant_id: String| NewUser {
        email: Some(email.into()),
        tenant_id: Some(tenant_id),
        reference: Some("grants".into()),
        ..Default::default()
    };
    let mut made = Vec::new();
    for (email, t) in [
        ("a1@x.example", &a),
        ("a2@x.example", &a),
        ("b1@x.example", &b),
    ] {
        let u = platform
            .create_user(&Principal::ServiceAccount, user(email, t.id.to_string()))
            .await
            .unwrap();
        made.push(u.id.to_string());
    }
    let (a1, a2, b1) = (made[0].clone(), made[1].clone(), made[2].clone());
    let (ta, tb) = (a.id.to_string(), b.id.to_string());
    stores.app.sync().start();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !sync_idle(&serde_json::to_value(stores.app.sync().status().await).unwrap()) {
        assert!(std::time::Instant::now() < deadline, "sync did not finish");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    World {
        stores,
        baas,
        ta,
        tb,
        a1,
        a2,
        b1,
    }
}

async fn scoped_permissions_are_enforced(backend: Backend) {
    let World {
        stores,
        baas,
        ta,
        tb,
        a1,
        a2,
        b1,
    } = world(backend).await;
    let admin = |model: &'static str, op: &'static str, args: Value| {
        let baas = baas.clone();
        async move {
            baas.call(model, op, &args)
                .await
                .unwrap_or_else(|e| panic!("{model}.{op}: {e}"))
        }
    };
    admin(
        "project",
        "createMany",
        json!({"data": [
            {"id": "pa", "name": "A's", "tenant_id": ta},
            {"id": "pb", "name": "B's", "tenant_id": tb},
        ]}),
    )
    .await;
    admin(
        "note",
        "createMany",
        json!({"data": [
            {"id": "na1", "body": "a1's", "author_id": a1, "project_id": "pa"},
            {"id": "na2", "body": "a2's", "author_id": a2},
            {"id": "nb1", "body": "b1's", "author_id": b1, "project_id": "pb"},
        ]}),
    )
    .await;
    admin(
        "task",
        "create",
        json!({"data": {"id": "t1", "title": "t", "assignee_id": a1, "creator_id": a2}}),
    )
    .await;
    admin(
        "chore",
        "createMany",
        json!({"data": [
            {"id": "c1", "title": "mine", "assignee_id": a1, "creator_id": a2},
            {"id": "c2", "title": "made by me", "assignee_id": a2, "creator_id": a1},
        ]}),
    )
    .await;

    let permissions = [
        grant("project", Action::Read, Scope::Tenant),
        grant("project", Action::Create, Scope::Tenant),
        grant("project", Action::Update, Scope::Tenant),
        grant("note", Action::Read, Scope::Tenant),
        grant("note", Action::Create, Scope::Own),
        grant("note", Action::Update, Scope::Own),
        grant("note", Action::Delete, Scope::Own),
        grant("task", Action::Read, Scope::Own),
        grant("chore", Action::Read, Scope::Own),
    ];
    let caller = Caller::User(UserCaller {
        id: a1.clone(),
        tenant_id: ta.clone(),
        grants: Arc::new(Grants::new(&permissions)),
        auth: Default::default(),
    });
    let call = |model: &'static str, op: &'static str, args: Value| {
        let baas = baas.clone();
        let caller = caller.clone();
        async move {
            let model_id = baas.engine.schema.model_id(model).unwrap();
            baas.call_as(caller, model_id, OpName::parse(op).unwrap(), &args)
                .await
        }
    };

    // Tenant scope through the model's `tenant` relation, and through its `user` relation.
    assert_eq!(
        ids(&call("project", "findMany", json!({})).await.unwrap()),
        vec!["pa"]
    );
    assert_eq!(
        ids(&call("note", "findMany", json!({})).await.unwrap()),
        vec!["na1", "na2"]
    );
    assert_eq!(call("note", "count", json!({})).await.unwrap(), json!(2));
    assert_eq!(
        call("project", "aggregate", json!({"_count": {"_all": true}}))
            .await
            .unwrap(),
        json!({"_count": {"_all": 1}})
    );
    let via = call(
        "note",
        "findMany",
        json!({"where": {"project": {"is": {"name": "B's"}}}}),
    )
    .await
    .unwrap();
    assert_eq!(via, json!([]), "a relation filter sees only readable rows");
    let nested = call(
        "tenant",
        "findMany",
        json!({"include": {"projects": {"include": {"notes": true}}}}),
    )
    .await
    .unwrap();
    assert_eq!(ids(&nested), vec![ta.as_str()]);
    assert_eq!(ids(&nested[0]["projects"]), vec!["pa"]);
    assert_eq!(ids(&nested[0]["projects"][0]["notes"]), vec!["na1"]);
    let b_project = call("project", "findUnique", json!({"where": {"id": "pb"}}))
        .await
        .unwrap();
    assert_eq!(b_project, Value::Null);

    // Creates: the new row must be within the create scope; a refused create writes nothing.
    rejected(
        call(
            "project",
            "create",
            json!({"data": {"id": "px", "name": "X", "tenant_id": tb}}),
        )
        .await,
        "project in B",
    );
    assert_eq!(
        admin("project", "count", json!({"where": {"id": "px"}})).await,
        json!(0)
    );
    call(
        "project",
        "create",
        json!({"data": {"id": "pa2", "name": "A2", "tenant_id": ta}}),
    )
    .await
    .unwrap();
    rejected(
        call(
            "note",
            "create",
            json!({"data": {"body": "as a2", "author_id": a2}}),
        )
        .await,
        "a note of someone else",
    );
    call(
        "note",
        "create",
        json!({"data": {"id": "na1b", "body": "mine", "author_id": a1}}),
    )
    .await
    .unwrap();

    // Updates: readable but not one's own → refused; another tenant's → not found; a change
    // that moves one's row out of scope → refused and undone.
    rejected(
        call(
            "note",
            "update",
            json!({"where": {"id": "na2"}, "data": {"body": "x"}}),
        )
        .await,
        "a2's note",
    );
    assert!(matches!(
        call(
            "note",
            "update",
            json!({"where": {"id": "nb1"}, "data": {"body": "x"}})
        )
        .await,
        Err(BaasError::NotFound { .. })
    ));
    // (To a2 in the same tenant: still readable, so only the check of the changed row
    // refuses it; to b1, the result would not even be readable.)
    rejected(
        call(
            "note",
            "update",
            json!({"where": {"id": "na1"}, "data": {"author_id": a2}}),
        )
        .await,
        "giving a note away",
    );
    rejected(
        call(
            "note",
            "updateMany",
            json!({"where": {"id": "na1"}, "data": {"author_id": a2}}),
        )
        .await,
        "giving notes away",
    );
    rejected(
        call(
            "note",
            "update",
            json!({"where": {"id": "na1"}, "data": {"author_id": b1}}),
        )
        .await,
        "giving a note to another tenant",
    );
    assert_eq!(
        admin("note", "findUnique", json!({"where": {"id": "na1"}})).await["author_id"],
        json!(a1)
    );
    call(
        "note",
        "update",
        json!({"where": {"id": "na1"}, "data": {"body": "edited"}}),
    )
    .await
    .unwrap();
    assert_eq!(
        call("note", "updateMany", json!({"data": {"body": "all"}}))
            .await
            .unwrap(),
        json!({"count": 2})
    );
    assert_eq!(
        admin("note", "findUnique", json!({"where": {"id": "na2"}})).await["body"],
        "a2's"
    );

    // Nested writes carry the target's rules.
    rejected(call("project", "update", json!({"where": {"id": "pa"}, "data": {"notes": {"create": {"body": "n", "author_id": b1}}}})).await, "a nested create for b1");
    let moved = call(
        "note",
        "update",
        json!({"where": {"id": "na1"}, "data": {"project": {"connect": {"id": "pb"}}}}),
    )
    .await;
    assert!(
        moved.is_err(),
        "connecting another tenant's project: {moved:?}"
    );
    assert_eq!(
        admin("note", "findUnique", json!({"where": {"id": "na1"}})).await["project_id"],
        "pa"
    );
    call(
        "project",
        "update",
        json!({"where": {"id": "pa"}, "data": {"notes": {"deleteMany": {}}}}),
    )
    .await
    .unwrap();
    assert_eq!(
        ids(&admin("note", "findMany", json!({})).await),
        vec!["na1b", "na2", "nb1"],
        "only the caller's own note in pa was deleted"
    );
    assert_eq!(
        call("note", "deleteMany", json!({})).await.unwrap(),
        json!({"count": 1})
    );

    // Ordering by a relation's count counts only the rows the caller may read: pa has three
    // notes of another tenant's user, pa2 two of the caller's tenant.
    admin(
        "note",
        "createMany",
        json!({"data": [
            {"id": "x1", "body": "x", "author_id": a2, "project_id": "pa2"},
            {"id": "x2", "body": "x", "author_id": a2, "project_id": "pa2"},
            {"id": "y1", "body": "y", "author_id": b1, "project_id": "pa"},
            {"id": "y2", "body": "y", "author_id": b1, "project_id": "pa"},
            {"id": "y3", "body": "y", "author_id": b1, "project_id": "pa"},
        ]}),
    )
    .await;
    let by_count = call(
        "project",
        "findMany",
        json!({"orderBy": {"notes": {"_count": "desc"}}, "select": {"id": true}}),
    )
    .await
    .unwrap();
    assert_eq!(by_count, json!([{"id": "pa2"}, {"id": "pa"}]));
    let raw = admin("project", "findMany", json!({"where": {"tenant_id": ta}, "orderBy": {"notes": {"_count": "desc"}}, "select": {"id": true}})).await;
    assert_eq!(
        raw,
        json!([{"id": "pa"}, {"id": "pa2"}]),
        "the super admin counts every note"
    );

    // A model with two relations to `user` cannot be scoped to "own" by convention.
    match call("task", "findMany", json!({})).await {
        Err(e @ BaasError::AmbiguousScope { .. }) => assert!(e.to_string().contains("task")),
        other => panic!("expected an ambiguity error, got {other:?}"),
    }
    // `@@owner(assignee)` settles it: the caller's chores are those assigned to them.
    assert_eq!(
        ids(&call("chore", "findMany", json!({})).await.unwrap()),
        vec!["c1"]
    );
    // Another tenant's user with no grants sees nothing of this.
    let stranger = Caller::User(UserCaller {
        id: b1.clone(),
        tenant_id: tb.clone(),
        grants: Arc::new(Grants::default()),
        auth: Default::default(),
    });
    let model_id = baas.engine.schema.model_id("project").unwrap();
    assert_eq!(
        baas.call_as(stranger, model_id, OpName::FindMany, &json!({}))
            .await
            .unwrap(),
        json!([])
    );
    stores.app.sync().stop().await;
}

#[tokio::test]
async fn scoped_permissions_are_enforced_sqlite() {
    scoped_permissions_are_enforced(Backend::Sqlite).await;
}

#[tokio::test]
async fn scoped_permissions_are_enforced_postgres() {
    scoped_permissions_are_enforced(Backend::Postgres).await;
}
