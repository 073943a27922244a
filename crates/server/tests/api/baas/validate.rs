//! ZenStack's `@@validate`: conditions over a model's fields that what creates and updates
//! write must meet, evaluated on the input as ZenStack's zod refinement evaluates them.

use serde_json::json;
use tandem_testkit::{Backend, TestApp, spawn_app_with_schema, try_spawn_app_with_schema};

use super::{data, error, served_schema};

const EVENTS: &str = r#"
model event {
  id     Int     @id
  title  String
  starts Int
  ends   Int
  code   String?
  slug   String  @default("x")
  venue_id Int?
  venue    venue?  @relation("at", fields: [venue_id], references: [id])

  @@validate(ends > starts, "an event ends after it starts", ["ends"])
  @@validate(length(title) >= 3 && !contains(title, "spam", true))
  @@validate(code == null || regex(code, "^[A-Z]{3}$"), "code: three capitals")
}

model venue {
  id     Int     @id
  events event[] @relation("at")
}
"#;

async fn events(backend: Backend) -> TestApp {
    spawn_app_with_schema(backend, EVENTS).await
}

fn refusal(answer: &tandem_testkit::Answer) -> String {
    assert_eq!(error(answer).0, 422, "{}", answer.body);
    answer.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

on_both_backends! {
    with events;

    async fn creates_and_updates_must_meet_the_models_conditions(app: TestApp) {
        let ok = app.rpc_post("event", "create", json!({"data": {"id": 1, "title": "Launch", "starts": 1, "ends": 2, "code": "ABC"}})).await;
        assert_eq!(ok.status, 201, "{}", ok.body);
        let backwards = app.rpc_post("event", "create", json!({"data": {"id": 2, "title": "Launch", "starts": 5, "ends": 2}})).await;
        let message = refusal(&backwards);
        assert!(message.contains("an event ends after it starts") && message.contains("data.ends"), "{message}");
        let short = app.rpc_post("event", "create", json!({"data": {"id": 2, "title": "No", "starts": 1, "ends": 2}})).await;
        assert!(refusal(&short).contains("Invalid input"), "zod's message when the rule has none");
        let spam = app.rpc_post("event", "create", json!({"data": {"id": 2, "title": "Buy SPAM now", "starts": 1, "ends": 2}})).await;
        refusal(&spam);
        let code = app.rpc_post("event", "create", json!({"data": {"id": 2, "title": "Launch", "starts": 1, "ends": 2, "code": "abc"}})).await;
        assert!(refusal(&code).contains("code: three capitals"));
        let many = app.rpc_post("event", "createMany", json!({"data": [{"id": 3, "title": "Fine", "starts": 1, "ends": 2}, {"id": 4, "title": "Bad", "starts": 3, "ends": 1}]})).await;
        refusal(&many);
        assert_eq!(data(&app.rpc_get("event", "count", json!({})).await), &json!(1), "nothing of a refused write is kept");

        // An update is judged on what it sets: a field it leaves out passes `>`/`<`, is null
        // for `==`, and makes a function false — so `length(title) >= 3` refuses an update
        // without a title, as in ZenStack.
        let partial = app.rpc_put("event", "update", json!({"where": {"id": 1}, "data": {"ends": 9, "title": "Launch 2"}})).await;
        assert_eq!(partial.status, 200, "starts is left out: the comparison passes; code is null for `==`: {}", partial.body);
        let no_title = app.rpc_put("event", "update", json!({"where": {"id": 1}, "data": {"ends": 10}})).await;
        refusal(&no_title);
        let title = app.rpc_put("event", "update", json!({"where": {"id": 1}, "data": {"title": "Relaunch", "starts": 1, "ends": 0}})).await;
        refusal(&title);
        let nested = app.rpc_post("venue", "create", json!({"data": {"id": 1, "events": {"create": {"id": 5, "title": "Nested", "starts": 2, "ends": 1}}}})).await;
        assert!(refusal(&nested).contains("data.events.create.ends"), "{}", nested.body);

        let schema = served_schema(&app).await;
        assert!(schema.contains("  @@validate((ends > starts), \"an event ends after it starts\", [\"ends\"])\n"), "{schema}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validation_rule_names_only_the_models_scalar_fields() {
    for (rule, why) in [
        ("@@validate(venue.id > 1)", "no relations"),
        ("@@validate(nope > 1)", "`nope` is not one"),
        (
            "@@validate(shout(title))",
            "`shout()` is not a validation function",
        ),
        (
            "@@validate(regex(title, \"(\"))",
            "the pattern of `regex` does not compile",
        ),
    ] {
        let schema = format!(
            "model venue {{\n  id Int @id\n  e event[]\n}}\nmodel event {{\n  id Int @id\n  title String\n  venue_id Int\n  venue venue @relation(fields: [venue_id], references: [id])\n  {rule}\n}}\n"
        );
        let refused = try_spawn_app_with_schema(Backend::Sqlite, Some(&schema))
            .await
            .err()
            .expect("refused");
        assert!(refused.contains(why), "{rule}: {refused}");
    }
}
