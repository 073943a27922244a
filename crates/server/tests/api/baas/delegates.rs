//! Delegate (polymorphic) models, as ZenStack v3 stores them: `model video extends asset`
//! keeps its own fields in its own table, in a row keyed by the id of the base's row; the
//! base's discriminator names each row's sub-model, and reads of the base show the sub-model's
//! fields.

use serde_json::{Value, json};
use tandem_testkit::{Backend, TestApp, spawn_app_with_schema};

use super::{data, error, served_schema};

const MEDIA: &str = r#"
enum AssetKind {
  VIDEO
  IMAGE
}

model member {
  id     Int           @id
  level  Int           @default(0)
  assets asset[]
  rated  rated_video[] @relation("direct")
}

model comment {
  id       Int    @id @default(autoincrement())
  content  String
  asset_id Int?
  asset    asset? @relation(fields: [asset_id], references: [id], onDelete: Cascade)
}

model asset {
  id         Int       @id @default(autoincrement())
  created_at DateTime  @default(now())
  updated_at DateTime  @updatedAt
  views      Int       @default(0)
  owner_id   Int?
  owner      member?   @relation(fields: [owner_id], references: [id], onDelete: Cascade)
  comments   comment[]
  kind       AssetKind

  @@delegate(kind)
}

model video extends asset {
  duration   Int
  url        String @unique
  video_kind String

  @@delegate(video_kind)
  @@delegateMap(VIDEO)
}

model rated_video extends video {
  rating    Int
  member_id Int?
  member    member? @relation("direct", fields: [member_id], references: [id], onDelete: Cascade)
}

model image extends asset {
  format String

  @@delegateMap(IMAGE)
}
"#;

async fn media(backend: Backend) -> TestApp {
    spawn_app_with_schema(backend, MEDIA).await
}

fn count(answer: &tandem_testkit::Answer) -> i64 {
    data(answer)
        .as_i64()
        .unwrap_or_else(|| panic!("a count: {}", answer.body))
}

async fn counts(app: &TestApp) -> [i64; 4] {
    let mut out = [0; 4];
    for (i, model) in ["asset", "video", "rated_video", "image"]
        .iter()
        .enumerate()
    {
        out[i] = count(&app.rpc_get(model, "count", json!({})).await);
    }
    out
}

fn field<'a>(value: &'a Value, name: &str) -> &'a Value {
    value
        .get(name)
        .unwrap_or_else(|| panic!("no `{name}` in {value}"))
}

on_both_backends! {
    with media;

    async fn sub_models_are_created_with_their_discriminators_and_read_from_every_level(app: TestApp) {
        let member = app.rpc_post("member", "create", json!({"data": {"id": 1}})).await;
        assert_eq!(member.status, 201, "{}", member.body);
        let created = app.rpc_post("rated_video", "create", json!({
            "data": {"duration": 100, "url": "v1", "rating": 5, "owner": {"connect": {"id": 1}}, "member": {"connect": {"id": 1}}, "comments": {"create": {"content": "c1"}}},
            "include": {"owner": true, "comments": true},
        })).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let video = data(&created);
        let id = field(video, "id").clone();
        assert_eq!((field(video, "kind"), field(video, "video_kind")), (&json!("VIDEO"), &json!("rated_video")), "the discriminators name the sub-models");
        assert_eq!((field(video, "duration"), field(video, "rating"), field(video, "views")), (&json!(100), &json!(5), &json!(0)));
        assert_eq!(field(video, "owner")["id"], 1);
        assert_eq!(field(video, "comments")[0]["content"], "c1");
        let image = app.rpc_post("image", "create", json!({"data": {"format": "png", "views": 3}})).await;
        assert_eq!(image.status, 201, "{}", image.body);
        assert_eq!(counts(&app).await, [2, 1, 1, 1]);

        // A base's rows show the fields of the sub-model each is, and no other's.
        let assets = app.rpc_get("asset", "findMany", json!({"orderBy": {"id": "asc"}})).await;
        let rows = data(&assets).as_array().unwrap();
        assert_eq!((field(&rows[0], "url"), field(&rows[0], "rating")), (&json!("v1"), &json!(5)));
        assert!(rows[0].get("format").is_none(), "{}", rows[0]);
        assert_eq!(field(&rows[1], "format"), "png");
        assert!(rows[1].get("url").is_none() && rows[1].get("rating").is_none(), "{}", rows[1]);
        // With `select`, only what is selected; as a relation, the same merge.
        let selected = app.rpc_get("asset", "findMany", json!({"select": {"id": true, "kind": true}, "orderBy": {"id": "asc"}})).await;
        assert_eq!(data(&selected), &json!([{"id": id, "kind": "VIDEO"}, {"id": field(data(&image), "id"), "kind": "IMAGE"}]));
        let through = app.rpc_get("member", "findUnique", json!({"where": {"id": 1}, "include": {"assets": true, "rated": {"select": {"url": true, "rating": true}}}})).await;
        assert_eq!(field(&data(&through)["assets"][0], "duration"), 100);
        assert_eq!(data(&through)["rated"], json!([{"url": "v1", "rating": 5}]));

        // Filters, orderings and aggregates reach fields of every level.
        let found = app.rpc_get("rated_video", "findMany", json!({"where": {"views": 0, "url": "v1", "rating": {"gt": 4}, "owner": {"id": 1}, "comments": {"some": {"content": "c1"}}}})).await;
        assert_eq!(data(&found).as_array().unwrap().len(), 1, "{}", found.body);
        let none = app.rpc_get("video", "findMany", json!({"where": {"views": {"gt": 0}}})).await;
        assert_eq!(data(&none), &json!([]));
        let viewed = app.rpc_get("asset", "count", json!({"where": {"views": {"gt": 0}}})).await;
        assert_eq!(count(&viewed), 1);
        let avg = app.rpc_get("rated_video", "aggregate", json!({"_avg": {"duration": true, "rating": true}, "_count": true})).await;
        assert_eq!(data(&avg), &json!({"_avg": {"duration": 100, "rating": 5}, "_count": 1}));
        let unique = app.rpc_get("rated_video", "findUnique", json!({"where": {"url": "v1"}, "select": {"id": true}})).await;
        assert_eq!(data(&unique), &json!({"id": id}));

        // The effective schema prints the hierarchy as declared.
        let schema = served_schema(&app).await;
        assert!(schema.contains("model rated_video extends video {\n  rating    Int\n"), "{schema}");
        assert!(schema.contains("  @@delegate(video_kind)\n  @@delegateMap(VIDEO)\n"), "{schema}");
    }

    async fn writes_that_would_break_the_hierarchy_are_refused(app: TestApp) {
        let direct = app.rpc_post("video", "create", json!({"data": {"duration": 1, "url": "x"}})).await;
        assert_eq!(error(&direct), (400, "not-supported".into()), "{}", direct.body);
        assert!(direct.body.to_string().contains("Model \\\"video\\\" is a delegate and cannot be created directly."), "{}", direct.body);
        let upsert = app.rpc_post("asset", "upsert", json!({"where": {"id": 1}, "create": {}, "update": {}})).await;
        assert_eq!(error(&upsert), (400, "not-supported".into()), "{}", upsert.body);
        let nested = app.rpc_post("member", "create", json!({"data": {"id": 1, "assets": {"create": {}}}})).await;
        assert_eq!(error(&nested).0, 422, "{}", nested.body);
        assert!(nested.body.to_string().contains("Unrecognized key: \\\"create\\\""), "{}", nested.body);
        let discriminator = app.rpc_post("rated_video", "create", json!({"data": {"duration": 1, "url": "x", "rating": 1, "video_kind": "other"}})).await;
        assert_eq!(error(&discriminator).0, 422, "{}", discriminator.body);
        assert!(discriminator.body.to_string().contains("video_kind"), "{}", discriminator.body);
        let skip = app.rpc_post("image", "createMany", json!({"data": [{"format": "a"}], "skipDuplicates": true})).await;
        assert_eq!(error(&skip), (400, "not-supported".into()), "{}", skip.body);
        assert_eq!(counts(&app).await, [0, 0, 0, 0], "nothing was written");

        // A failing level undoes the levels above it.
        let first = app.rpc_post("rated_video", "create", json!({"data": {"duration": 1, "url": "same", "rating": 1}})).await;
        assert_eq!(first.status, 201, "{}", first.body);
        let clash = app.rpc_post("rated_video", "create", json!({"data": {"duration": 2, "url": "same", "rating": 2}})).await;
        assert_eq!(error(&clash).0, 400, "{}", clash.body);
        assert_eq!(counts(&app).await, [1, 1, 1, 0]);
        let limited = app.rpc_put("video", "updateMany", json!({"data": {"views": 1}, "limit": 1})).await;
        assert_eq!(error(&limited), (400, "not-supported".into()), "{}", limited.body);
    }

    async fn updates_change_each_table_and_deletes_take_every_level(app: TestApp) {
        assert_eq!(app.rpc_post("member", "create", json!({"data": {"id": 1}})).await.status, 201);
        let made = app.rpc_post("rated_video", "createMany", json!({"data": [
            {"id": 1, "duration": 100, "url": "v1", "rating": 5, "owner_id": 1},
            {"id": 2, "duration": 200, "url": "v2", "rating": 4, "views": 1},
        ]})).await;
        assert_eq!(data(&made), &json!({"count": 2}));

        // One update changes fields held by three tables, increments included.
        let updated = app.rpc_put("rated_video", "update", json!({"where": {"url": "v1"}, "data": {"views": {"increment": 2}, "duration": 150, "rating": {"set": 3}}})).await;
        let row = data(&updated);
        assert_eq!((field(row, "views"), field(row, "duration"), field(row, "rating")), (&json!(2), &json!(150), &json!(3)), "{}", updated.body);
        let many = app.rpc_put("video", "updateMany", json!({"where": {"duration": {"gt": 100}}, "data": {"views": 10, "duration": {"increment": 1}}})).await;
        assert_eq!(data(&many), &json!({"count": 2}));
        let back = app.rpc_get("rated_video", "findMany", json!({"orderBy": {"id": "asc"}, "select": {"id": true, "views": true, "duration": true}})).await;
        assert_eq!(data(&back), &json!([{"id": 1, "views": 10, "duration": 151}, {"id": 2, "views": 10, "duration": 201}]));
        let discriminator = app.rpc_put("rated_video", "update", json!({"where": {"id": 1}, "data": {"video_kind": "x"}})).await;
        assert_eq!(error(&discriminator).0, 422, "{}", discriminator.body);

        // A changed id moves every level's row.
        let moved = app.rpc_put("rated_video", "update", json!({"where": {"id": 2}, "data": {"id": 20}, "select": {"id": true, "rating": true, "url": true}})).await;
        assert_eq!(data(&moved), &json!({"id": 20, "rating": 4, "url": "v2"}));
        let as_asset = app.rpc_get("asset", "findUnique", json!({"where": {"id": 20}})).await;
        assert_eq!(field(data(&as_asset), "rating"), 4);

        // A base's nested update reaches a sub-model's row through the base's relation.
        let nested = app.rpc_put("member", "update", json!({"where": {"id": 1}, "data": {"assets": {"update": {"where": {"id": 1}, "data": {"views": {"increment": 1}}}}}, "include": {"assets": true}})).await;
        assert_eq!(field(&data(&nested)["assets"][0], "views"), 11, "{}", nested.body);

        // Deleting at any level deletes the row at every level.
        let deleted = app.rpc_delete("asset", "delete", json!({"where": {"id": 20}})).await;
        assert_eq!(field(data(&deleted), "url"), "v2", "the answer shows the deleted row as it was");
        assert_eq!(counts(&app).await, [1, 1, 1, 0]);
        let gone = app.rpc_delete("video", "deleteMany", json!({"where": {"duration": {"gt": 150}, "views": 11}})).await;
        assert_eq!(data(&gone), &json!({"count": 1}));
        assert_eq!(counts(&app).await, [0, 0, 0, 0]);

        // Deleting a row a sub-model's own relation cascades from removes the bases' rows too.
        let made = app.rpc_post("rated_video", "create", json!({"data": {"id": 3, "duration": 1, "url": "v3", "rating": 1, "member": {"connect": {"id": 1}}}})).await;
        assert_eq!(made.status, 201, "{}", made.body);
        assert_eq!(app.rpc_post("image", "create", json!({"data": {"format": "png"}})).await.status, 201);
        assert_eq!(counts(&app).await, [2, 1, 1, 1]);
        let member = app.rpc_delete("member", "delete", json!({"where": {"id": 1}})).await;
        assert_eq!(member.status, 200, "{}", member.body);
        assert_eq!(counts(&app).await, [1, 0, 0, 1], "the rated video is gone at every level; the image stays");

        // deleteMany finds its rows before the cascade removes what its filter names.
        for id in [2, 3] {
            assert_eq!(app.rpc_post("member", "create", json!({"data": {"id": id}})).await.status, 201);
        }
        let rated = app.rpc_post("rated_video", "create", json!({"data": {"id": 40, "duration": 1, "url": "v4", "rating": 5, "member": {"connect": {"id": 2}}}})).await;
        assert_eq!(rated.status, 201, "{}", rated.body);
        let gone = app.rpc_delete("member", "deleteMany", json!({"where": {"rated": {"some": {"rating": 5}}}})).await;
        assert_eq!(data(&gone), &json!({"count": 1}));
        let left = app.rpc_get("member", "findMany", json!({"select": {"id": true}})).await;
        assert_eq!(data(&left), &json!([{"id": 3}]));
        assert_eq!(counts(&app).await, [1, 0, 0, 1]);
        let limited = app.rpc_delete("member", "deleteMany", json!({"limit": 1})).await;
        assert_eq!(data(&limited), &json!({"count": 1}), "a plain model may delete with a limit: {}", limited.body);
        let id_op = app.rpc_put("image", "updateMany", json!({"data": {"id": {"increment": 100}}})).await;
        assert_eq!(error(&id_op), (400, "not-supported".into()), "{}", id_op.body);
    }
}
