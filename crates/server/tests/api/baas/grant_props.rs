//! Property test of roles' permissions on the real stores (SQLite and PostgreSQL): random
//! permission sets (model × action × scope), random rows, a random caller and a random query
//! (list, count, include, `_count`, updateMany, deleteMany). The rows returned, counted,
//! included, changed or deleted are exactly those a naive in-memory evaluator of the same rules
//! permits. Cases are random on every run; a failing case is printed in full.

use std::collections::BTreeMap;
use std::sync::Arc;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use serde_json::{Value, json};
use tandem_baas::query::OpName;
use tandem_baas::query::access::{Action, Caller, Grants, Rule, Scope, UserCaller};
use tandem_testkit::Backend;

use super::grants::{World, world};

const ACTIONS: [Action; 3] = [Action::Read, Action::Update, Action::Delete];
const BODIES: [&str; 3] = ["x", "y", "z"];

#[derive(Debug, Clone)]
struct Case {
    /// Scope per (model, action): project then note, read / update / delete.
    scopes: [[Option<Scope>; 3]; 2],
    /// The caller: 0 = a1, 1 = a2 (tenant A), 2 = b1 (tenant B).
    caller: usize,
    /// Projects: their tenant (0 = A, 1 = B).
    projects: Vec<usize>,
    /// Notes: (author 0..3, project index or none, body).
    notes: Vec<(usize, Option<usize>, usize)>,
    query: Query,
}

#[derive(Debug, Clone, Copy)]
enum Query {
    Notes(usize),
    CountNotes,
    NotesWithProject,
    ProjectsWithCount,
    UpdateNotes(usize),
    DeleteNotes(usize),
}

fn scope() -> impl Strategy<Value = Option<Scope>> {
    prop_oneof![
        Just(None),
        Just(Some(Scope::Own)),
        Just(Some(Scope::Tenant)),
        Just(Some(Scope::All)),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    let scopes = [[scope(), scope(), scope()], [scope(), scope(), scope()]];
    let query = prop_oneof![
        (0..3usize).prop_map(Query::Notes),
        Just(Query::CountNotes),
        Just(Query::NotesWithProject),
        Just(Query::ProjectsWithCount),
        (0..3usize).prop_map(Query::UpdateNotes),
        (0..3usize).prop_map(Query::DeleteNotes),
    ];
    (
        scopes,
        0..3usize,
        proptest::collection::vec(0..2usize, 0..5),
        proptest::collection::vec(
            (0..3usize, proptest::option::of(0..5usize), 0..3usize),
            0..9,
        ),
        query,
    )
        .prop_map(|(scopes, caller, projects, notes, query)| {
            let notes = notes
                .into_iter()
                .map(|(author, project, body)| {
                    (author, project.filter(|p| *p < projects.len()), body)
                })
                .collect();
            Case {
                scopes,
                caller,
                projects,
                notes,
                query,
            }
        })
}

struct Harness {
    world: World,
    users: [String; 3],
    tenants: [String; 2],
}

impl Harness {
    /// The tenant of each user (by index).
    fn tenant_of_user(&self, user: usize) -> usize {
        usize::from(user == 2)
    }

    /// Whether the naive evaluator lets `case.caller` do `action` to the row of `model`
    /// (0 = project with `tenant`, 1 = note by `author`).
    fn permits(
        &self,
        case: &Case,
        model: usize,
        action: usize,
        tenant: usize,
        owner: Option<usize>,
    ) -> bool {
        match case.scopes[model][action] {
            None => false,
            Some(Scope::All | Scope::Public) => true,
            Some(Scope::Tenant) => tenant == self.tenant_of_user(case.caller),
            Some(Scope::Own) => owner == Some(case.caller),
        }
    }

    fn note_permits(&self, case: &Case, action: usize, note: usize) -> bool {
        let author = case.notes[note].0;
        self.permits(case, 1, action, self.tenant_of_user(author), Some(author))
    }

    fn project_permits(&self, case: &Case, action: usize, project: usize) -> bool {
        self.permits(case, 0, action, case.projects[project], None)
    }

    async fn admin(&self, model: &str, op: &str, args: Value) -> Value {
        self.world
            .baas
            .call(model, op, &args)
            .await
            .unwrap_or_else(|e| panic!("{model}.{op}: {e}"))
    }

    async fn seed(&self, case: &Case) {
        self.admin("note", "deleteMany", json!({})).await;
        self.admin("project", "deleteMany", json!({})).await;
        let projects: Vec<Value> = case
            .projects
            .iter()
            .enumerate()
            .map(
                |(i, t)| json!({"id": format!("p{i}"), "name": "p", "tenant_id": self.tenants[*t]}),
            )
            .collect();
        let notes: Vec<Value> = case
            .notes
            .iter()
            .enumerate()
            .map(|(i, (author, project, body))| {
                json!({"id": format!("n{i}"), "body": BODIES[*body], "author_id": self.users[*author], "project_id": project.map(|p| format!("p{p}"))})
            })
            .collect();
        self.admin("project", "createMany", json!({"data": projects}))
            .await;
        self.admin("note", "createMany", json!({"data": notes}))
            .await;
    }

    fn caller(&self, case: &Case) -> Caller {
        let mut rules = Vec::new();
        for (m, model) in ["project", "note"].into_iter().enumerate() {
            for (a, action) in ACTIONS.into_iter().enumerate() {
                if let Some(scope) = case.scopes[m][a] {
                    rules.push(Rule {
                        entity: model.into(),
                        operation: action,
                        scope,
                    });
                }
            }
        }
        Caller::User(UserCaller {
            id: self.users[case.caller].clone(),
            tenant_id: self.tenants[self.tenant_of_user(case.caller)].clone(),
            grants: Arc::new(Grants::new(&rules)),
            auth: Default::default(),
        })
    }

    async fn call(&self, case: &Case, model: &str, op: &str, args: Value) -> Value {
        let baas = &self.world.baas;
        let model_id = baas.engine.schema.model_id(model).unwrap();
        baas.call_as(
            self.caller(case),
            model_id,
            OpName::parse(op).unwrap(),
            &args,
        )
        .await
        .unwrap_or_else(|e| panic!("{model}.{op} as the caller: {e}"))
    }

    async fn bodies(&self) -> BTreeMap<String, String> {
        let rows = self
            .admin(
                "note",
                "findMany",
                json!({"select": {"id": true, "body": true}}),
            )
            .await;
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["id"].as_str().unwrap().to_owned(),
                    r["body"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// Runs one case; `Err` says what differed from the naive evaluator.
    async fn run(&self, case: &Case) -> Result<(), String> {
        self.seed(case).await;
        let note_ids = |pick: &dyn Fn(usize) -> bool| -> Vec<String> {
            (0..case.notes.len())
                .filter(|i| pick(*i))
                .map(|i| format!("n{i}"))
                .collect()
        };
        let readable = |i: usize| self.note_permits(case, 0, i);
        let check = |what: &str, got: Value, want: Value| {
            if got == want {
                Ok(())
            } else {
                Err(format!("{what}: got {got}, the evaluator says {want}"))
            }
        };
        match case.query {
            Query::Notes(body) => {
                let got = self
                    .call(case, "note", "findMany", json!({"where": {"body": BODIES[body]}, "select": {"id": true}, "orderBy": {"id": "asc"}}))
                    .await;
                let mut want = note_ids(&|i| readable(i) && case.notes[i].2 == body);
                want.sort();
                check(
                    "note.findMany",
                    got,
                    json!(want.iter().map(|id| json!({"id": id})).collect::<Vec<_>>()),
                )
            }
            Query::CountNotes => {
                let got = self.call(case, "note", "count", json!({})).await;
                check("note.count", got, json!(note_ids(&readable).len()))
            }
            Query::NotesWithProject => {
                let got = self
                    .call(case, "note", "findMany", json!({"select": {"id": true, "project": {"select": {"id": true}}}, "orderBy": {"id": "asc"}}))
                    .await;
                let mut want: Vec<(String, Value)> = (0..case.notes.len())
                    .filter(|i| readable(*i))
                    .map(|i| {
                        let project = match case.notes[i].1 {
                            Some(p) if self.project_permits(case, 0, p) => {
                                json!({"id": format!("p{p}")})
                            }
                            _ => Value::Null,
                        };
                        (format!("n{i}"), project)
                    })
                    .collect();
                want.sort_by(|a, b| a.0.cmp(&b.0));
                let want: Vec<Value> = want
                    .into_iter()
                    .map(|(id, project)| json!({"id": id, "project": project}))
                    .collect();
                check("note.findMany include project", got, json!(want))
            }
            Query::ProjectsWithCount => {
                let got = self
                    .call(case, "project", "findMany", json!({"select": {"id": true, "_count": {"select": {"notes": true}}}, "orderBy": {"id": "asc"}}))
                    .await;
                let mut want: Vec<(String, usize)> = (0..case.projects.len())
                    .filter(|p| self.project_permits(case, 0, *p))
                    .map(|p| {
                        let count = (0..case.notes.len())
                            .filter(|i| case.notes[*i].1 == Some(p) && readable(*i))
                            .count();
                        (format!("p{p}"), count)
                    })
                    .collect();
                want.sort();
                let want: Vec<Value> = want
                    .into_iter()
                    .map(|(id, n)| json!({"id": id, "_count": {"notes": n}}))
                    .collect();
                check("project.findMany _count notes", got, json!(want))
            }
            Query::UpdateNotes(body) => {
                let before = self.bodies().await;
                let got = self
                    .call(
                        case,
                        "note",
                        "updateMany",
                        json!({"where": {"body": BODIES[body]}, "data": {"body": "w"}}),
                    )
                    .await;
                let changed =
                    note_ids(&|i| self.note_permits(case, 1, i) && case.notes[i].2 == body);
                check("note.updateMany", got, json!({"count": changed.len()}))?;
                let mut want = before;
                for id in &changed {
                    want.insert(id.clone(), "w".into());
                }
                check(
                    "the notes after updateMany",
                    json!(self.bodies().await),
                    json!(want),
                )
            }
            Query::DeleteNotes(body) => {
                let got = self
                    .call(
                        case,
                        "note",
                        "deleteMany",
                        json!({"where": {"body": BODIES[body]}}),
                    )
                    .await;
                let gone = note_ids(&|i| self.note_permits(case, 2, i) && case.notes[i].2 == body);
                check("note.deleteMany", got, json!({"count": gone.len()}))?;
                let left: Vec<String> = self.bodies().await.into_keys().collect();
                let mut want = note_ids(&|i| !gone.contains(&format!("n{i}")));
                want.sort();
                check("the notes after deleteMany", json!(left), json!(want))
            }
        }
    }
}

async fn property(backend: Backend) {
    let world = world(backend).await;
    let harness = Harness {
        users: [world.a1.clone(), world.a2.clone(), world.b1.clone()],
        tenants: [world.ta.clone(), world.tb.clone()],
        world,
    };
    let mut runner = TestRunner::new(RunnerConfig::with_cases(48));
    let strategy = case();
    for n in 0..48 {
        let case = strategy.new_tree(&mut runner).expect("a case").current();
        if let Err(problem) = harness.run(&case).await {
            panic!("case {n} on {backend:?}: {problem}\n{case:#?}");
        }
    }
    harness.world.stores.app.sync().stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_permissions_let_through_exactly_what_a_naive_evaluator_permits_sqlite() {
    property(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_permissions_let_through_exactly_what_a_naive_evaluator_permits_postgres() {
    property(Backend::Postgres).await;
}
