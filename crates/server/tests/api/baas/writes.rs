//! create / createMany / update / upsert / delete, nested writes, transactions and rollback.

use serde_json::json;

use super::{T1, U1, U2, U4, data, error, ids, library, served_schema};

on_both_backends! {
    with library;

    async fn create_with_nested_writes(app: TestApp) {
        let created = app.rpc_post("book", "create", json!({
            "data": {"id": "b9", "title": "New", "pages": 10, "author": {"connect": {"id": U2}},
                     "chapters": {"create": [{"id": "c9", "title": "One", "position": 1}, {"id": "c10", "title": "Two", "position": 2}]}},
            "include": {"author": {"select": {"email": true}}, "chapters": {"orderBy": {"position": "asc"}, "select": {"id": true}}},
        })).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let book = data(&created);
        assert_eq!(book["author"], json!({"email": "bob@example.com"}));
        assert_eq!(book["chapters"], json!([{"id": "c9"}, {"id": "c10"}]));
        assert_eq!(book["published"], false, "defaults apply");

        let generated = app.rpc_post("chapter", "create", json!({"data": {"title": "Anon", "position": 3, "book": {"connect": {"id": "b9"}}}, "select": {"id": true}})).await;
        let id = data(&generated)["id"].as_str().unwrap().to_owned();
        assert!(id.starts_with('c') && id.len() == 25, "cuid(): {id}");
        let uuid = app.rpc_post("book", "create", json!({"data": {"title": "Auto", "author_id": U2}, "select": {"id": true, "created_at": true}})).await;
        assert!(uuid::Uuid::parse_str(data(&uuid)["id"].as_str().unwrap()).is_ok());
        assert_eq!(uuid.body["meta"]["serialization"]["values"], json!({"created_at": ["Date"]}));

        let or_create = app.rpc_post("chapter", "create", json!({"data": {"id": "c11", "title": "Three", "position": 3,
            "book": {"connectOrCreate": {"where": {"id": "b10"}, "create": {"id": "b10", "title": "Made", "author_id": U2}}}}})).await;
        assert_eq!(or_create.status, 201, "{}", or_create.body);
        let connected = app.rpc_post("chapter", "create", json!({"data": {"id": "c12", "title": "Four", "position": 4,
            "book": {"connectOrCreate": {"where": {"id": "b10"}, "create": {"id": "b11", "title": "Unused", "author_id": U2}}}}})).await;
        assert_eq!(data(&connected)["book_id"], "b10");
        assert_eq!(app.rpc_get("book", "exists", json!({"where": {"id": "b11"}})).await.body, json!({"data": false}));
    }

    async fn create_many_and_return(app: TestApp) {
        let many = app.rpc_post("chapter", "createMany", json!({"data": [{"id": "c1", "title": "Dup", "position": 9, "book_id": "b1"}, {"id": "c20", "title": "New", "position": 9, "book_id": "b1"}], "skipDuplicates": true})).await;
        assert_eq!(many.status, 201);
        assert_eq!(many.body, json!({"data": {"count": 1}}));
        let returned = app.rpc_post("chapter", "createManyAndReturn", json!({"data": [{"id": "c21", "title": "A", "position": 1, "book_id": "b3"}, {"id": "c22", "title": "B", "position": 2, "book_id": "b3"}], "select": {"id": true, "title": true}})).await;
        assert_eq!(returned.body, json!({"data": [{"id": "c21", "title": "A"}, {"id": "c22", "title": "B"}]}));
        // ZenStack's createManyAndReturn takes no arguments at all; createMany needs data.
        let nothing = app.rpc_post("chapter", "createManyAndReturn", json!(null)).await;
        assert_eq!(nothing.body, json!({"data": []}));
        let no_data = app.rpc_post("chapter", "createMany", json!({})).await;
        assert_eq!(no_data.status, 422, "{}", no_data.body);
    }

    async fn update_with_operators_and_nested_writes(app: TestApp) {
        let updated = app.rpc_send(reqwest::Method::PATCH, "user", "update", json!({
            "where": {"id": U1},
            "data": {"last_name": "Smithers", "books": {"create": {"id": "b5", "title": "New Book", "pages": 10}, "update": {"where": {"id": "b1"}, "data": {"pages": {"increment": 5}}}, "delete": {"id": "b2"}}},
            "include": {"books": {"orderBy": {"id": "asc"}, "select": {"id": true, "pages": true}}},
        })).await;
        let user = data(&updated);
        assert_eq!(user["last_name"], "Smithers");
        assert_eq!(user["books"], json!([{"id": "b1", "pages": 125}, {"id": "b5", "pages": 10}]));
        assert_eq!(app.rpc_get("chapter", "count", json!({"where": {"book_id": "b2"}})).await.body, json!({"data": 0}), "cascade removed b2's chapter");

        let math = app.rpc_put("book", "update", json!({"where": {"id": "b3"}, "data": {"price": {"multiply": 2}, "pages": {"decrement": 10}, "author": {"update": {"locale": "de"}}}, "select": {"price": true, "pages": true, "author": {"select": {"locale": true}}}})).await;
        assert_eq!(data(&math), &json!({"price": 10, "pages": 40, "author": {"locale": "de"}}));
        let divided = app.rpc_put("book", "update", json!({"where": {"id": "b3"}, "data": {"price": {"divide": 4}, "title": {"set": "Baking"}}, "select": {"price": true, "title": true}})).await;
        assert_eq!(data(&divided), &json!({"price": 2.5, "title": "Baking"}));
        let cleared = app.rpc_put("book", "update", json!({"where": {"id": "b3"}, "data": {"price": null}, "select": {"price": true}})).await;
        assert_eq!(data(&cleared), &json!({"price": null}));

        let moved = app.rpc_put("book", "update", json!({"where": {"id": "b5"}, "data": {"author": {"connect": {"id": U2}}}, "select": {"id": true, "author_id": true}})).await;
        assert_eq!(data(&moved), &json!({"id": "b5", "author_id": U2}));
        let chapters = app.rpc_put("book", "update", json!({"where": {"id": "b4"}, "data": {"chapters": {"updateMany": {"where": {"position": {"gt": 1}}, "data": {"title": "Later"}}, "upsert": {"where": {"id": "c30"}, "create": {"id": "c30", "title": "Extra", "position": 3}, "update": {"title": "never"}}, "deleteMany": {"title": "Soil"}}}, "include": {"chapters": {"orderBy": {"position": "asc"}, "select": {"id": true, "title": true}}}})).await;
        assert_eq!(data(&chapters)["chapters"], json!([{"id": "c5", "title": "Later"}, {"id": "c30", "title": "Later"}]), "upsert runs before updateMany, as in ZenStack");
    }

    async fn a_failing_nested_write_changes_nothing(app: TestApp) {
        let failed = app.rpc_put("user", "update", json!({"where": {"id": U1}, "data": {"first_name": "Changed", "books": {"create": {"id": "b1", "title": "Duplicate id", "pages": 1}}}})).await;
        assert_eq!(error(&failed), (400, "db-query-error".into()));
        assert!(failed.body["error"]["dbErrorCode"].is_string());
        let alice = app.rpc_get("user", "findUnique", json!({"where": {"id": U1}, "select": {"first_name": true}})).await;
        assert_eq!(data(&alice), &json!({"first_name": "Alice"}));
        let missing = app.rpc_put("user", "update", json!({"where": {"id": U1}, "data": {"first_name": "Changed", "books": {"update": {"where": {"id": "nope"}, "data": {"pages": 1}}}}})).await;
        assert_eq!(error(&missing), (404, "not-found".into()));
        assert_eq!(missing.body["error"]["model"], "book");
        assert_eq!(data(&app.rpc_get("user", "findUnique", json!({"where": {"id": U1}, "select": {"first_name": true}})).await), &json!({"first_name": "Alice"}));
    }

    async fn empty_updates_change_nothing(app: TestApp) {
        let answer = app.rpc_put("user", "update", json!({"where": {"id": U4}, "data": {}, "select": {"id": true, "updated_at": true}})).await;
        assert_eq!(data(&answer), &json!({"id": U4, "updated_at": "2021-06-01T00:00:00.000Z"}));
        let bumped = app.rpc_put("user", "update", json!({"where": {"id": U4}, "data": {"timezone": "UTC"}, "select": {"updated_at": true}})).await;
        assert_ne!(data(&bumped)["updated_at"], "2021-06-01T00:00:00.000Z", "@updatedAt moves on a real change");
    }

    async fn inputs_zenstack_refuses_or_accepts_are_answered_alike(app: TestApp) {
        // (Issue 7.) A relation given both by its key field and as the relation is refused.
        let both = app.rpc_post("chapter", "create", json!({"data": {"id": "c-both", "title": "Both", "position": 7, "book_id": "b1", "book": {"connect": {"id": "b2"}}}})).await;
        assert_eq!(both.status, 422, "{}", both.body);
        assert_eq!(both.body["error"]["reason"], "invalid-input");
        let changed = app.rpc_put("chapter", "update", json!({"where": {"id": "c1"}, "data": {"book_id": "b1", "book": {"connect": {"id": "b2"}}}})).await;
        assert_eq!(changed.status, 422, "{}", changed.body);
        // A to-one relation takes no `where` in an include.
        let filtered = app.rpc_get("chapter", "findMany", json!({"include": {"book": {"where": {"published": true}}}})).await;
        assert_eq!(filtered.status, 422, "{}", filtered.body);
        // `count` with `select: true` counts the rows.
        let counted = app.rpc_get("chapter", "count", json!({"select": true})).await;
        assert_eq!(counted.body, json!({"data": 5}));
    }

    async fn an_update_that_changes_the_key_returns_the_row_under_its_new_key(app: TestApp) {
        // (Issue 7: it used to answer {"data": null} although the row changed.)
        let renamed = app.rpc_put("chapter", "update", json!({"where": {"id": "c3"}, "data": {"id": "c3-new", "title": "Traits, again"}, "select": {"id": true, "title": true}})).await;
        assert_eq!(data(&renamed), &json!({"id": "c3-new", "title": "Traits, again"}));
        let upserted = app.rpc_post("chapter", "upsert", json!({"where": {"id": "c3-new"}, "create": {"id": "c9", "title": "Unused", "position": 9, "book_id": "b2"}, "update": {"id": "c3-newer"}, "select": {"id": true}})).await;
        assert_eq!(data(&upserted), &json!({"id": "c3-newer"}));
        assert_eq!(app.rpc_get("chapter", "count", json!({"where": {"id": {"in": ["c3", "c3-new", "c9"]}}})).await.body, json!({"data": 0}));
    }

    async fn many_row_updates(app: TestApp) {
        assert_eq!(app.rpc_put("book", "updateMany", json!({"where": {"published": false}, "data": {"published": true}})).await.body, json!({"data": {"count": 2}}));
        assert_eq!(app.rpc_put("user", "updateMany", json!({"where": {"tenant_id": T1}, "data": {"timezone": "UTC"}, "limit": 1})).await.body, json!({"data": {"count": 1}}));
        assert_eq!(app.rpc_get("user", "count", json!({"where": {"timezone": "UTC"}})).await.body, json!({"data": 1}));
        let returned = app.rpc_put("chapter", "updateManyAndReturn", json!({"where": {"book_id": "b4"}, "data": {"position": {"increment": 10}}, "select": {"id": true, "position": true}})).await;
        assert_eq!(data(&returned), &json!([{"id": "c4", "position": 11}, {"id": "c5", "position": 12}]));
    }

    async fn upserts_answer_201_on_both_paths(app: TestApp) {
        let create = app.rpc_post("book", "upsert", json!({"where": {"id": "b8"}, "create": {"id": "b8", "title": "Fresh", "author_id": U2}, "update": {"title": "Updated"}, "select": {"id": true, "title": true}})).await;
        assert_eq!(create.status, 201);
        assert_eq!(data(&create), &json!({"id": "b8", "title": "Fresh"}));
        let update = app.rpc_post("book", "upsert", json!({"where": {"id": "b8"}, "create": {"id": "b8", "title": "Fresh", "author_id": U2}, "update": {"title": "Updated"}, "select": {"id": true, "title": true}})).await;
        assert_eq!(update.status, 201);
        assert_eq!(data(&update), &json!({"id": "b8", "title": "Updated"}));
    }

    async fn deletes(app: TestApp) {
        let deleted = app.rpc_delete("chapter", "delete", json!({"where": {"id": "c5"}, "select": {"id": true, "title": true}})).await;
        assert_eq!(deleted.body, json!({"data": {"id": "c5", "title": "Seeds"}}));
        assert_eq!(app.rpc_delete("chapter", "deleteMany", json!({"where": {"position": {"gt": 1}}})).await.body, json!({"data": {"count": 1}}));
        assert_eq!(app.rpc_delete("chapter", "deleteMany", json!({"where": {"id": {"in": ["c1", "c3"]}}, "limit": 1})).await.body, json!({"data": {"count": 1}}));
        let url = app.url("/api/model/chapter/deleteMany");
        let all = app.client.delete(url).header("authorization", app.server_authorization()).send().await.unwrap();
        assert_eq!(all.json::<serde_json::Value>().await.unwrap(), json!({"data": {"count": 2}}), "no q deletes every row");
        let book = app.rpc_delete("book", "delete", json!({"where": {"id": "b3"}})).await;
        assert_eq!(data(&book)["title"], "Cooking");
        assert_eq!(data(&book)["created_at"], "2023-01-03T00:00:00.000Z");
        assert_eq!(ids(&app.rpc_get("book", "findMany", json!({"orderBy": {"id": "asc"}})).await), ["b1", "b2", "b4"]);
    }

    async fn sequential_transactions(app: TestApp) {
        let ops = json!([
            {"model": "chapter", "op": "create", "args": {"data": {"id": "c40", "title": "T", "position": 1, "book_id": "b3"}}},
            {"model": "chapter", "op": "count", "args": {}},
            {"model": "Chapter", "op": "findUnique", "args": {"where": {"id": "c40"}, "select": {"title": true}}},
        ]);
        let answer = app.post_json("/api/model/$transaction/sequential", &ops, &[("authorization", app.server_authorization())]).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body["data"], json!([{"id": "c40", "title": "T", "position": 1, "book_id": "b3"}, 6, {"title": "T"}]));
        let failing = json!([
            {"model": "chapter", "op": "create", "args": {"data": {"id": "c41", "title": "T", "position": 1, "book_id": "b3"}}},
            {"model": "chapter", "op": "create", "args": {"data": {"id": "c41", "title": "dup", "position": 1, "book_id": "b3"}}},
        ]);
        let answer = app.post_json("/api/model/$transaction/sequential", &failing, &[("authorization", app.server_authorization())]).await;
        assert_eq!(answer.status, 400);
        assert_eq!(app.rpc_get("chapter", "exists", json!({"where": {"id": "c41"}})).await.body, json!({"data": false}), "the whole transaction rolled back");
    }
}

/// A 1–1 relation with an optional foreign key on one side.
const LOCKERS: &str = r#"
model locker {
  id    String @id
  badge badge?
}

model badge {
  id        String  @id
  locker_id String? @unique
  locker    locker? @relation(fields: [locker_id], references: [id])
}
"#;

async fn lockers(backend: tandem_testkit::Backend) -> tandem_testkit::TestApp {
    let app = tandem_testkit::spawn_app_with_schema(backend, LOCKERS).await;
    for step in [
        ("locker", json!({"data": [{"id": "l1"}, {"id": "l2"}]})),
        (
            "badge",
            json!({"data": [{"id": "g1", "locker_id": "l1"}, {"id": "g2"}]}),
        ),
    ] {
        assert_eq!(app.rpc_post(step.0, "createMany", step.1).await.status, 201);
    }
    app
}

on_both_backends! {
    with lockers;

    async fn connecting_a_to_one_from_the_side_without_the_key_moves_it(app: TestApp) {
        let moved = app.rpc_put("locker", "update", json!({"where": {"id": "l1"}, "data": {"badge": {"connect": {"id": "g2"}}}, "include": {"badge": true}})).await;
        assert_eq!(data(&moved)["badge"]["id"], "g2", "{}", moved.body);
        assert_eq!(holders(&app).await, [("g1".into(), json!(null)), ("g2".into(), json!("l1"))], "the old badge is let go");
        let again = app.rpc_put("locker", "update", json!({"where": {"id": "l1"}, "data": {"badge": {"connect": {"id": "g2"}}}})).await;
        assert_eq!(again.status, 200, "connecting the linked row again changes nothing: {}", again.body);
        let existing = app.rpc_put("locker", "update", json!({"where": {"id": "l2"}, "data": {"badge": {"connectOrCreate": {"where": {"id": "g2"}, "create": {"id": "g2"}}}}})).await;
        assert_eq!(existing.status, 200, "{}", existing.body);
        assert_eq!(holders(&app).await, [("g1".into(), json!(null)), ("g2".into(), json!("l2"))]);
        let missing = app.rpc_put("locker", "update", json!({"where": {"id": "l2"}, "data": {"badge": {"connect": {"id": "nope"}}}})).await;
        assert_eq!((missing.status.as_u16(), &missing.body["error"]["reason"]), (404, &json!("not-found")), "{}", missing.body);
        assert_eq!(holders(&app).await[1], ("g2".into(), json!("l2")), "a failed connect lets nothing go");
        let created = app.rpc_post("locker", "create", json!({"data": {"id": "l3", "badge": null}})).await;
        assert_eq!(created.status, 201, "null for an optional to-one in a create: {}", created.body);
    }
}

/// Each badge's id and the locker holding it.
async fn holders(app: &tandem_testkit::TestApp) -> Vec<(String, serde_json::Value)> {
    let all = app
        .rpc_get("badge", "findMany", json!({"orderBy": {"id": "asc"}}))
        .await;
    data(&all)
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["id"].as_str().unwrap().to_owned(), b["locker_id"].clone()))
        .collect()
}

/// A compound key, and an optional relation over two Int columns.
const COMPOUND: &str = r#"
model writer {
  id1   Int
  id2   Int
  name  String
  posts post[]
  notes note[]

  @@id([id1, id2])
}

model note {
  a          Int
  b          Int
  writer_id1 Int?
  writer_id2 Int?
  writer     writer? @relation(fields: [writer_id1, writer_id2], references: [id1, id2])

  @@id([a, b])
}

model post {
  id        Int     @id
  title     String
  authorId1 Int?
  authorId2 Int?
  author    writer? @relation(fields: [authorId1, authorId2], references: [id1, id2])
}
"#;

async fn compound(backend: tandem_testkit::Backend) -> tandem_testkit::TestApp {
    tandem_testkit::spawn_app_with_schema(backend, COMPOUND).await
}

on_both_backends! {
    with compound;

    // PostgreSQL prepares each statement once per connection with the parameter types of
    // its first use: a null bound as INT8 and later an INT4 value for the same SQL failed
    // with 08P01 "insufficient data left in message", depending on which pooled connection
    // ran it. Repeating the pair reaches every connection.
    async fn a_relation_over_int_keys_is_cleared_and_set_again_by_the_same_statements(app: TestApp) {
    let writer = app
        .rpc_post(
            "writer",
            "create",
            json!({"data": {"id1": 1, "id2": 2, "name": "W"}}),
        )
        .await;
    assert_eq!(writer.status, 201, "{}", writer.body);
    let post = app.rpc_post("post", "create", json!({"data": {"id": 1, "title": "P", "author": {"connect": {"id1_id2": {"id1": 1, "id2": 2}}}}})).await;
    assert_eq!(post.status, 201, "{}", post.body);
    for round in 0..12 {
        let off = app
            .rpc_put(
                "post",
                "update",
                json!({"where": {"id": 1}, "data": {"author": {"disconnect": true}}}),
            )
            .await;
        assert_eq!(off.status, 200, "round {round}: {}", off.body);
        assert_eq!(data(&off)["authorId1"], json!(null));
        let on = app.rpc_put("post", "update", json!({"where": {"id": 1}, "data": {"author": {"connectOrCreate": {"where": {"id1_id2": {"id1": 1, "id2": 2}}, "create": {"id1": 1, "id2": 2, "name": "W"}}}}})).await;
        assert_eq!(on.status, 200, "round {round}: {}", on.body);
        assert_eq!(
            (&data(&on)["authorId1"], &data(&on)["authorId2"]),
            (&json!(1), &json!(2))
        );
    }
}

    // A compound key names no key field itself: the row is looked up (404), where a one-field
    // key would be used as is and checked by the foreign key (400) — as ZenStack does.
    async fn connecting_a_missing_row_by_compound_key_is_not_found(app: TestApp) {
        let post = app.rpc_post("post", "create", json!({"data": {"id": 1, "title": "P", "author": {"connect": {"id1_id2": {"id1": 1, "id2": 2}}}}})).await;
        assert_eq!(error(&post), (404, "not-found".into()));
        let none = app.rpc_get("post", "count", json!({})).await;
        assert_eq!(none.body, json!({"data": 0}), "nothing was written");
    }

    async fn a_to_one_disconnect_takes_a_filter_on_the_related_row(app: TestApp) {
        for (model, body) in [
            ("writer", json!({"data": {"id1": 1, "id2": 2, "name": "W"}})),
            ("post", json!({"data": {"id": 1, "title": "P", "author": {"connect": {"id1_id2": {"id1": 1, "id2": 2}}}}})),
        ] {
            assert_eq!(app.rpc_post(model, "create", body).await.status, 201);
        }
        let other = app.rpc_put("post", "update", json!({"where": {"id": 1}, "data": {"author": {"disconnect": {"id1": 1, "id2": 9}}}})).await;
        assert_eq!((&data(&other)["authorId1"], &data(&other)["authorId2"]), (&json!(1), &json!(2)), "another row: nothing to let go");
        let it = app.rpc_put("post", "update", json!({"where": {"id": 1}, "data": {"author": {"disconnect": {"id1": 1, "id2": 2}}}})).await;
        assert_eq!((&data(&it)["authorId1"], &data(&it)["authorId2"]), (&json!(null), &json!(null)));
    }

    async fn a_to_many_disconnect_names_rows_by_their_unique_key(app: TestApp) {
        let created = app.rpc_post("writer", "create", json!({"data": {"id1": 1, "id2": 2, "name": "W", "notes": {"create": [{"a": 1, "b": 1}, {"a": 1, "b": 2}]}}})).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let key = json!({"id1_id2": {"id1": 1, "id2": 2}});
        let flat = app.rpc_put("writer", "update", json!({"where": key, "data": {"notes": {"disconnect": {"a": 1, "b": 1}}}})).await;
        assert_eq!(flat.status, 422, "a compound key is given as `a_b`, as in ZenStack: {}", flat.body);
        let named = app.rpc_put("writer", "update", json!({"where": key, "data": {"notes": {"disconnect": {"a_b": {"a": 1, "b": 1}}}}, "include": {"notes": true}})).await;
        assert_eq!(data(&named)["notes"], json!([{"a": 1, "b": 2, "writer_id1": 1, "writer_id2": 2}]), "{}", named.body);
    }
}

/// ZenStack's validation attributes.
const CHECKED: &str = r#"
model member {
  id     Int     @id
  email  String  @email
  handle String  @trim @lower @length(3, 12) @regex("^[a-z0-9_]+$")
  site   String? @url("a web address, please")
  age    Int?    @gte(0) @lt(150)
}
"#;

async fn checked(backend: tandem_testkit::Backend) -> tandem_testkit::TestApp {
    tandem_testkit::spawn_app_with_schema(backend, CHECKED).await
}

on_both_backends! {
    with checked;

    async fn validation_attributes_check_and_shape_what_is_written(app: TestApp) {
        let refused = |answer: tandem_testkit::Answer, needle: &str| {
            assert_eq!(answer.status, 422, "{}", answer.body);
            let message = answer.body["error"]["message"].as_str().unwrap().to_owned();
            assert!(message.contains(needle), "{needle} in {message}");
        };
        refused(app.rpc_post("member", "create", json!({"data": {"id": 1, "email": "foo", "handle": "abc"}})).await, r#"Invalid email address at "data.email""#);
        refused(app.rpc_post("member", "create", json!({"data": {"id": 1, "email": "a@b.co", "handle": "ab"}})).await, "Too small: expected string to have >=3 characters");
        refused(app.rpc_post("member", "create", json!({"data": {"id": 1, "email": "a@b.co", "handle": "a-b-c"}})).await, "must match pattern");
        refused(app.rpc_post("member", "create", json!({"data": {"id": 1, "email": "a@b.co", "handle": "abc", "site": "nope"}})).await, "a web address, please");
        refused(app.rpc_post("member", "create", json!({"data": {"id": 1, "email": "a@b.co", "handle": "abc", "age": 150}})).await, "Too big: expected number to be <150");
        assert_eq!(app.rpc_get("member", "count", json!({})).await.body, json!({"data": 0}), "nothing was written");

        let created = app.rpc_post("member", "create", json!({"data": {"id": 1, "email": "a@b.co", "handle": "  Ada_L ", "site": "https://ada.dev", "age": 36}})).await;
        assert_eq!(data(&created)["handle"], "ada_l", "trimmed and lower-cased before the checks");
        refused(app.rpc_put("member", "update", json!({"where": {"id": 1}, "data": {"age": -1}})).await, "Too small: expected number to be >=0");
        refused(app.rpc_put("member", "updateMany", json!({"data": {"email": "x"}})).await, "Invalid email address");
        let updated = app.rpc_put("member", "update", json!({"where": {"id": 1}, "data": {"handle": {"set": "GRACE"}}})).await;
        assert_eq!(data(&updated)["handle"], "grace");
    }
}

/// `@updatedAt(ignore: […])`: an update that sets only the ignored fields leaves the time.
const DOCS: &str = r#"
model doc {
  id      Int      @id
  title   String
  views   Int      @default(0)
  touched DateTime @updatedAt(ignore: [views, id])
}
"#;

async fn docs(backend: tandem_testkit::Backend) -> tandem_testkit::TestApp {
    tandem_testkit::spawn_app_with_schema(backend, DOCS).await
}

on_both_backends! {
    with docs;

    async fn updated_at_leaves_the_time_when_only_ignored_fields_change(app: TestApp) {
        let created = app.rpc_post("doc", "create", json!({"data": {"id": 1, "title": "T"}})).await;
        let first = data(&created)["touched"].clone();
        app.clock.advance(chrono::Duration::seconds(5));
        let viewed = app.rpc_put("doc", "update", json!({"where": {"id": 1}, "data": {"views": {"increment": 1}}})).await;
        assert_eq!(data(&viewed)["touched"], first, "views is ignored");
        let moved = app.rpc_put("doc", "update", json!({"where": {"id": 1}, "data": {"id": 2, "views": 7}})).await;
        assert_eq!((&data(&moved)["id"], &data(&moved)["touched"]), (&json!(2), &first), "id and views are ignored");
        let edited = app.rpc_put("doc", "update", json!({"where": {"id": 2}, "data": {"title": "U", "views": 8}})).await;
        assert_ne!(data(&edited)["touched"], first, "title is not ignored");

        let schema = served_schema(&app).await;
        assert!(schema.contains("@updatedAt(ignore: [views, id])"), "{schema}");
    }
}

on_both_backends! {
    with library;

    // ZenStack's `JsonNull` / `DbNull` / `AnyNull`, as its RPC clients send them (superjson
    // custom types): JSON `null` and no value are told apart in writes and filters.
    async fn json_null_markers_tell_json_null_from_no_value(app: TestApp) {
        let marker = |path: &str, name: &str| json!({"serialization": {"values": {path: [["custom", name]]}, "v": 1}});
        for (name, data, meta) in [
            ("json-null", json!("JsonNull"), Some(marker("data.data", "JsonNull"))),
            ("db-null", json!("DbNull"), Some(marker("data.data", "DbNull"))),
            ("object", json!({"a": 1}), None),
            ("text", json!("JsonNull"), None),
        ] {
            let mut body = json!({"data": {"name": name, "data": data}});
            if let Some(meta) = meta {
                body["meta"] = meta;
            }
            let created = app.rpc_post("metric", "create", body).await;
            assert_eq!(created.status, 201, "{}", created.body);
        }
        let names = |filter: serde_json::Value, name: &'static str| {
            let app = &app;
            async move {
                let q = json!({"where": {"data": filter}, "orderBy": {"name": "asc"}, "select": {"name": true, "data": true}});
                let meta = json!({"serialization": {"values": {format!("where.data.{}", if q["where"]["data"].get("equals").is_some() { "equals" } else { "not" }): [["custom", name]]}}});
                let answer = app.client.get(app.url("/api/model/metric/findMany")).header("authorization", app.server_authorization()).query(&[("q", q.to_string()), ("meta", meta.to_string())]).send().await.unwrap();
                let body: serde_json::Value = answer.json().await.unwrap();
                body["data"].as_array().unwrap_or_else(|| panic!("{body}")).iter().map(|m| (m["name"].as_str().unwrap().to_owned(), m["data"].clone())).collect::<Vec<_>>()
            }
        };
        let json_null = names(json!({"equals": "JsonNull"}), "JsonNull").await;
        assert_eq!(json_null, [("json-null".to_owned(), json!(null))], "read back as null");
        assert_eq!(names(json!({"equals": "DbNull"}), "DbNull").await, [("db-null".to_owned(), json!(null))]);
        let any: Vec<String> = names(json!({"equals": "AnyNull"}), "AnyNull").await.into_iter().map(|(n, _)| n).collect();
        assert_eq!(any, ["db-null", "json-null"]);
        let not_json: Vec<String> = names(json!({"not": "JsonNull"}), "JsonNull").await.into_iter().map(|(n, _)| n).collect();
        assert_eq!(not_json, ["db-null", "object", "text"], "no value is not JSON null");
        let not_any: Vec<String> = names(json!({"not": "AnyNull"}), "AnyNull").await.into_iter().map(|(n, _)| n).collect();
        assert_eq!(not_any, ["object", "text"]);
        // The string "JsonNull" without the annotation is just a string.
        let text = app.rpc_get("metric", "findUnique", json!({"where": {"name": "text"}, "select": {"data": true}})).await;
        assert_eq!(data(&text)["data"], "JsonNull");

        let refused = app.rpc_post("metric", "create", json!({"data": {"name": "any", "data": "AnyNull"}, "meta": marker("data.data", "AnyNull")})).await;
        assert_eq!(error(&refused), (422, "invalid-input".into()), "{}", refused.body);
        // A marker stands for a whole value; inside one it is refused, not stored.
        let inside = app.rpc_post("metric", "create", json!({"data": {"name": "inside", "data": {"a": "JsonNull"}}, "meta": marker("data.data.a", "JsonNull")})).await;
        assert_eq!(error(&inside), (422, "invalid-input".into()), "{}", inside.body);
        let count = app.rpc_get("metric", "count", json!({"where": {"name": "inside"}})).await;
        assert_eq!(data(&count), &json!(0));
    }
}

/// Typed JSON: a Json field typed by a `type` takes what fits it (other keys kept).
const PROFILES: &str = r#"
enum Gender {
  MALE
  FEMALE
}

type Profile {
  age     Int
  name    String
  gender  Gender?
  jobs    Job[]
  address Address?
  tags    String[]?
}

type Address {
  country String
  zip     String?
}

type Job {
  title String
}

model person {
  id      Int       @id
  profile Profile   @json
  past    Job[]     @json
  extra   Json?
}
"#;

async fn profiles(backend: tandem_testkit::Backend) -> tandem_testkit::TestApp {
    tandem_testkit::spawn_app_with_schema(backend, PROFILES).await
}

on_both_backends! {
    with profiles;

    async fn typed_json_fields_take_what_fits_their_type(app: TestApp) {
        let profile = json!({"age": 30, "name": "Ada", "jobs": [{"title": "Engineer", "since": 2020}], "address": {"country": "UK"}, "nickname": "A"});
        let created = app.rpc_post("person", "create", json!({"data": {"id": 1, "profile": profile, "past": [{"title": "Clerk"}]}})).await;
        assert_eq!(data(&created)["profile"], profile, "other keys are kept: {}", created.body);
        for (bad, needle) in [
            (json!({"age": 30, "jobs": []}), r#"expected string, received undefined at "data.profile.name""#),
            (json!({"age": "30", "name": "A", "jobs": []}), r#"expected number, received string at "data.profile.age""#),
            (json!({"age": 1, "name": "A", "jobs": [{"title": "x"}, {}]}), r#"expected string, received undefined at "data.profile.jobs[1].title""#),
            (json!({"age": 1, "name": "A", "jobs": [], "gender": "OTHER"}), r#"expected one of "MALE" | "FEMALE" at "data.profile.gender""#),
            (json!({"age": 1, "name": "A", "jobs": [], "address": {"zip": "1"}}), r#"received undefined at "data.profile.address.country""#),
            (json!({"age": 1, "name": "A", "jobs": [], "tags": "a"}), r#"expected array, received string at "data.profile.tags""#),
        ] {
            let answer = app.rpc_post("person", "create", json!({"data": {"id": 2, "profile": bad, "past": []}})).await;
            assert_eq!(answer.status, 422, "{}", answer.body);
            let message = answer.body["error"]["message"].as_str().unwrap();
            assert!(message.contains(needle), "{needle} in {message}");
        }
        let list = app.rpc_post("person", "create", json!({"data": {"id": 2, "profile": {"age": 1, "name": "B", "jobs": [], "tags": null}, "past": [{"title": 3}]}})).await;
        assert_eq!(error(&list), (422, "invalid-input".into()), "{}", list.body);
        assert!(list.body["error"]["message"].as_str().unwrap().contains(r#"at "data.past[0].title""#), "{}", list.body);
        let update = app.rpc_put("person", "update", json!({"where": {"id": 1}, "data": {"profile": {"name": "No age", "jobs": []}}})).await;
        assert_eq!(error(&update), (422, "invalid-input".into()), "{}", update.body);
        // A Json field's null must be JsonNull or DbNull, as in ZenStack.
        let null = app.rpc_put("person", "update", json!({"where": {"id": 1}, "data": {"extra": null}})).await;
        assert_eq!(error(&null), (422, "invalid-input".into()), "{}", null.body);
        let count = app.rpc_get("person", "count", json!({})).await;
        assert_eq!(data(&count), &json!(1), "nothing refused was written");
        let found = app.rpc_get("person", "findFirst", json!({"where": {"profile": {"equals": profile}}})).await;
        assert_eq!(data(&found)["id"], 1);

        let schema = served_schema(&app).await;
        assert!(schema.contains("type Profile {\n  age     Int\n  name    String\n  gender  Gender?\n  jobs    Job[]\n  address Address?\n  tags    String[]?\n}"), "{schema}");
        assert!(schema.contains("profile Profile @json") && schema.contains("past    Job[] @json"), "{schema}");
    }

    async fn typed_json_fields_are_filtered_by_their_types_fields(app: TestApp) {
        for (id, profile, past) in [
            (1, json!({"age": 30, "name": "Ada", "jobs": [{"title": "Engineer"}, {"title": "Designer"}], "address": {"country": "UK"}}), json!([{"title": "Clerk"}])),
            (2, json!({"age": 17, "name": "Bo", "jobs": [], "address": {"country": "US", "zip": "10001"}, "gender": "MALE"}), json!([])),
            (3, json!({"age": 45, "name": "Cy", "jobs": [{"title": "Designer"}], "address": null}), json!([{"title": "Designer"}])),
        ] {
            let made = app.rpc_post("person", "create", json!({"data": {"id": id, "profile": profile, "past": past}})).await;
            assert_eq!(made.status, 201, "{}", made.body);
        }
        let ids = |q: serde_json::Value| {
            let app = &app;
            async move {
                let found = app.rpc_get("person", "findMany", json!({"where": q, "orderBy": {"id": "asc"}, "select": {"id": true}})).await;
                assert!(found.status.is_success(), "{q}: {}", found.body);
                data(&found).as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect::<Vec<_>>()
            }
        };
        assert_eq!(ids(json!({"profile": {"name": "Ada"}})).await, [1]);
        assert_eq!(ids(json!({"profile": {"age": {"lt": 20}}})).await, [2]);
        assert_eq!(ids(json!({"profile": {"age": {"gte": 30}, "name": {"startsWith": "C"}}})).await, [3]);
        assert_eq!(ids(json!({"profile": {"gender": "MALE"}})).await, [2]);
        assert_eq!(ids(json!({"profile": {"address": {"country": "US"}}})).await, [2]);
        assert_eq!(ids(json!({"profile": {"address": {"zip": null}}})).await, [1, 3], "a missing value is null");
        assert_eq!(ids(json!({"profile": {"address": null}})).await, [3]);
        // As in SQL (and ZenStack's): a row without an address is in neither `is` nor `isNot`.
        assert_eq!(ids(json!({"profile": {"isNot": {"address": {"country": "UK"}}}})).await, [2]);
        assert_eq!(ids(json!({"profile": {"jobs": {"some": {"title": "Designer"}}}})).await, [1, 3]);
        assert_eq!(ids(json!({"profile": {"jobs": {"every": {"title": {"startsWith": "De"}}}}})).await, [2, 3], "every holds for no jobs");
        assert_eq!(ids(json!({"profile": {"jobs": {"none": {"title": "Designer"}}}})).await, [2]);
        let list = app.rpc_get("person", "findMany", json!({"where": {"past": {"some": {"title": "Clerk"}}}})).await;
        assert_eq!(error(&list), (422, "invalid-input".into()), "a typed list field takes the Json filters, as in ZenStack: {}", list.body);
        let mixed = app.rpc_get("person", "findMany", json!({"where": {"profile": {"name": "Ada", "path": "$.name", "equals": "Ada"}}})).await;
        assert_eq!(error(&mixed), (422, "invalid-input".into()), "{}", mixed.body);
        let unknown = app.rpc_get("person", "findMany", json!({"where": {"profile": {"age": 1, "height": 2}}})).await;
        assert_eq!(error(&unknown), (422, "invalid-input".into()), "{}", unknown.body);
    }
}
