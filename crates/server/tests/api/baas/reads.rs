//! findMany / findFirst / findUnique / exists / count / aggregate / groupBy, with every filter,
//! ordering, paging and selection argument.

use serde_json::json;
use tandem_testkit::Backend;

use super::{T1, T2, U1, U2, U3, U4, U5, data, error, ids, library};

on_both_backends! {
    with library;

    async fn scalar_filters(app: TestApp) {
        let users = |q| { let app = &app; async move { ids(&app.rpc_get("user", "findMany", q).await) } };
        assert_eq!(users(json!({"where": {"first_name": "Alice"}})).await, [U1]);
        assert_eq!(users(json!({"where": {"locale": {"equals": "en"}, "first_name": {"not": "Bob"}}})).await, [U1]);
        assert_eq!(users(json!({"where": {"locale": {"not": null}}})).await, [U1, U2]);
        assert_eq!(users(json!({"where": {"locale": null}})).await, [U3, U4, U5]);
        assert_eq!(users(json!({"where": {"id": {"in": [U1, U3, U5, "zz"]}, "tenant_id": {"notIn": [T2]}}})).await, [U1]);
        assert_eq!(users(json!({"where": {"id": {"in": []}}})).await, Vec::<String>::new());
        assert_eq!(users(json!({"where": {"id": {"notIn": []}}})).await.len(), 5);
        assert_eq!(users(json!({"where": {"email": {"contains": "example", "startsWith": "c", "endsWith": ".com"}}})).await, [U3]);
        assert_eq!(users(json!({"where": {"email": {"contains": "_"}}})).await, Vec::<String>::new(), "pattern characters are literal");
        assert_eq!(users(json!({"where": {"created_at": {"lt": "2022-01-01T00:00:00.000Z"}}})).await, [U1, U2, U3, U4]);
        assert_eq!(users(json!({"where": {"active": false}})).await, [U5]);
        let books = |q| { let app = &app; async move { ids(&app.rpc_get("book", "findMany", q).await) } };
        assert_eq!(books(json!({"where": {"pages": {"gt": 50, "lte": 300}}})).await, ["b1", "b2", "b4"]);
        assert_eq!(books(json!({"where": {"price": {"lt": 20, "gte": 5}}})).await, ["b1", "b3"]);
        assert_eq!(books(json!({"where": {"pages": {"between": [80, 120]}}})).await, ["b1", "b4"]);
        assert_eq!(books(json!({"where": {"published": false}})).await, ["b2", "b3"]);
        assert_eq!(books(json!({"where": {"title": {"not": {"contains": "Rust"}}}})).await, ["b3", "b4"]);
    }

    async fn case_sensitivity_follows_each_dialect(app: TestApp) {
        let upper = app.rpc_get("user", "findMany", json!({"where": {"email": {"contains": "EXAMPLE"}}})).await;
        let insensitive = app.rpc_get("user", "findMany", json!({"where": {"email": {"contains": "EXAMPLE.COM", "mode": "insensitive"}}})).await;
        let equals = app.rpc_get("user", "findMany", json!({"where": {"first_name": {"equals": "CAROL", "mode": "insensitive"}}})).await;
        match app.backend {
            // SQLite's LIKE ignores ASCII case, and ZenStack refuses `mode` there.
            Backend::Sqlite => {
                assert_eq!(ids(&upper), [U1, U2, U3, U4, U5]);
                assert_eq!(error(&insensitive), (422, "invalid-input".into()));
                assert_eq!(error(&equals), (422, "invalid-input".into()));
            }
            Backend::Postgres => {
                assert!(ids(&upper).is_empty());
                assert_eq!(ids(&insensitive), [U1, U2, U3, U5]);
                assert_eq!(ids(&equals), [U3]);
            }
        }
    }

    async fn boolean_combinators(app: TestApp) {
        let users = |q| { let app = &app; async move { ids(&app.rpc_get("user", "findMany", q).await) } };
        assert_eq!(users(json!({"where": {"AND": [{"tenant_id": T1}, {"OR": [{"first_name": "Alice"}, {"first_name": "Eve"}]}], "NOT": {"email": {"endsWith": ".org"}}}})).await, [U1]);
        assert_eq!(users(json!({"where": {"NOT": [{"tenant_id": T1}, {"locale": "en"}]}})).await, [U2, U3, U4, U5]);
        assert_eq!(users(json!({"where": {"OR": []}})).await, Vec::<String>::new());
        assert_eq!(users(json!({"where": {"AND": []}})).await.len(), 5);
        // Empty branches are dropped, as ZenStack drops them: NOT of nothing changes nothing,
        // OR of nothing matches nothing.
        assert_eq!(users(json!({"where": {"NOT": []}})).await.len(), 5);
        assert_eq!(users(json!({"where": {"NOT": [{}]}})).await.len(), 5);
        assert_eq!(users(json!({"where": {"NOT": {}}})).await.len(), 5);
        assert_eq!(users(json!({"where": {"NOT": [{}, {"tenant_id": T1}]}})).await, [U3, U4, U5]);
        assert_eq!(users(json!({"where": {"OR": [{}]}})).await, Vec::<String>::new());
    }

    async fn relation_filters(app: TestApp) {
        let users = |q| { let app = &app; async move { ids(&app.rpc_get("user", "findMany", q).await) } };
        assert_eq!(users(json!({"where": {"books": {"some": {"published": true}}}})).await, [U1, U4]);
        assert_eq!(users(json!({"where": {"books": {"every": {"published": true}}}})).await, [U2, U4, U5], "every is vacuously true");
        assert_eq!(users(json!({"where": {"books": {"none": {}}}})).await, [U2, U5]);
        assert_eq!(users(json!({"where": {"books": {"some": {"chapters": {"some": {"title": "Soil"}}}}}})).await, [U4]);
        let books = |q| { let app = &app; async move { ids(&app.rpc_get("book", "findMany", q).await) } };
        assert_eq!(books(json!({"where": {"author": {"is": {"tenant_id": T2}}}})).await, ["b3", "b4"]);
        assert_eq!(books(json!({"where": {"author": {"isNot": {"tenant_id": T2}}}})).await, ["b1", "b2"]);
        assert_eq!(books(json!({"where": {"author": {"email": {"startsWith": "alice"}}}})).await, ["b1", "b2"]);
        let chapters = app.rpc_get("chapter", "findMany", json!({"where": {"book": {"author": {"id": U1}}}})).await;
        assert_eq!(ids(&chapters), ["c1", "c2", "c3"]);
    }

    async fn dates_come_and_go_with_superjson_annotations(app: TestApp) {
        let url = app.url("/api/model/user/findMany");
        let q = json!({"where": {"created_at": {"gte": "2021-01-01T00:00:00.000Z", "lt": "2022-01-01T00:00:00.000Z"}}, "select": {"id": true, "created_at": true}});
        let meta = json!({"serialization": {"values": {"where.created_at.gte": ["Date"], "where.created_at.lt": ["Date"]}}});
        let response = app.client.get(url).header("authorization", app.server_authorization()).query(&[("q", q.to_string()), ("meta", meta.to_string())]).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body, json!({
            "data": [{"id": U4, "created_at": "2021-06-01T00:00:00.000Z"}],
            "meta": {"serialization": {"values": {"0.created_at": ["Date"]}, "v": 1}},
        }));
        let undefined = app.client.get(app.url("/api/model/user/count")).header("authorization", app.server_authorization())
            .query(&[("q", json!({"where": {"locale": null}}).to_string()), ("meta", json!({"serialization": {"values": {"where.locale": ["undefined"]}}}).to_string())])
            .send().await.unwrap();
        assert_eq!(undefined.json::<serde_json::Value>().await.unwrap(), json!({"data": 5}), "undefined drops the filter");
    }

    async fn ordering(app: TestApp) {
        let users = |q| { let app = &app; async move { ids(&app.rpc_get("user", "findMany", q).await) } };
        assert_eq!(users(json!({"orderBy": {"email": "desc"}})).await, [U5, U4, U3, U2, U1]);
        assert_eq!(users(json!({"orderBy": [{"tenant_id": "desc"}, {"email": "asc"}]})).await, [U3, U4, U5, U1, U2]);
        assert_eq!(users(json!({"orderBy": [{"locale": {"sort": "asc", "nulls": "last"}}, {"id": "asc"}]})).await, [U1, U2, U3, U4, U5]);
        assert_eq!(users(json!({"orderBy": [{"locale": {"sort": "asc", "nulls": "first"}}, {"id": "desc"}]})).await, [U5, U4, U3, U1, U2]);
        assert_eq!(users(json!({"orderBy": [{"books": {"_count": "desc"}}, {"id": "asc"}]})).await, [U1, U3, U4, U2, U5]);
        let books = app.rpc_get("book", "findMany", json!({"orderBy": [{"author": {"email": "desc"}}, {"id": "asc"}]})).await;
        assert_eq!(ids(&books), ["b4", "b3", "b1", "b2"]);
    }

    async fn paging(app: TestApp) {
        let users = |q| { let app = &app; async move { ids(&app.rpc_get("user", "findMany", q).await) } };
        assert_eq!(users(json!({"orderBy": {"id": "asc"}, "skip": 1, "take": 2})).await, [U2, U3]);
        assert_eq!(users(json!({"orderBy": {"id": "asc"}, "take": -2})).await, [U4, U5]);
        assert_eq!(users(json!({"orderBy": {"id": "asc"}, "cursor": {"id": U3}, "skip": 1, "take": 2})).await, [U4, U5]);
        assert_eq!(users(json!({"orderBy": {"id": "asc"}, "cursor": {"id": U3}, "take": 2})).await, [U3, U4]);
        assert_eq!(users(json!({"orderBy": {"id": "desc"}, "cursor": {"id": U3}})).await, [U3, U2, U1]);
        assert_eq!(users(json!({"cursor": {"id": "nobody"}})).await, Vec::<String>::new());
        assert_eq!(users(json!({"skip": 10})).await, Vec::<String>::new());
    }

    async fn selections(app: TestApp) {
        let answer = app.rpc_get("user", "findUnique", json!({"where": {"id": U1}, "select": {"email": true, "books": {"where": {"pages": {"gt": 100}}, "orderBy": {"title": "asc"}, "take": 5, "select": {"title": true, "chapters": {"select": {"title": true}, "orderBy": {"position": "desc"}}}}}})).await;
        assert_eq!(data(&answer), &json!({"email": "alice@example.com", "books": [
            {"title": "Advanced Rust", "chapters": [{"title": "Traits"}]},
            {"title": "Rust Basics", "chapters": [{"title": "Ownership"}, {"title": "Intro"}]},
        ]}));
        let per_parent = app.rpc_get("user", "findMany", json!({"select": {"id": true, "books": {"select": {"id": true}, "orderBy": {"title": "asc"}, "take": 1}}, "orderBy": {"id": "asc"}})).await;
        assert_eq!(data(&per_parent), &json!([
            {"id": U1, "books": [{"id": "b2"}]}, {"id": U2, "books": []}, {"id": U3, "books": [{"id": "b3"}]},
            {"id": U4, "books": [{"id": "b4"}]}, {"id": U5, "books": []},
        ]), "take applies per parent");
        let skipped = app.rpc_get("user", "findUnique", json!({"where": {"id": U1}, "select": {"books": {"select": {"id": true}, "orderBy": {"id": "asc"}, "skip": 1}}})).await;
        assert_eq!(data(&skipped), &json!({"books": [{"id": "b2"}]}));
        let include = app.rpc_get("book", "findMany", json!({"where": {"id": "b1"}, "include": {"author": {"select": {"email": true}}, "chapters": {"orderBy": {"position": "asc"}, "select": {"id": true}}}})).await;
        let b1 = &data(&include)[0];
        assert_eq!(b1["author"], json!({"email": "alice@example.com"}));
        assert_eq!(b1["chapters"], json!([{"id": "c1"}, {"id": "c2"}]));
        assert_eq!(b1["pages"], 120, "include keeps every scalar");
        let counts = app.rpc_get("user", "findMany", json!({"where": {"id": {"in": [U1, U3]}}, "include": {"_count": {"select": {"books": true}}}, "orderBy": {"id": "asc"}})).await;
        assert_eq!(data(&counts)[0]["_count"], json!({"books": 2}));
        assert_eq!(data(&counts)[1]["_count"], json!({"books": 1}));
        let filtered = app.rpc_get("user", "findUnique", json!({"where": {"id": U1}, "select": {"id": true, "_count": {"select": {"books": {"where": {"published": true}}}}}})).await;
        assert_eq!(data(&filtered), &json!({"id": U1, "_count": {"books": 1}}));
        let all_counts = app.rpc_get("book", "findUnique", json!({"where": {"id": "b1"}, "select": {"id": true, "_count": true}})).await;
        assert_eq!(data(&all_counts), &json!({"id": "b1", "_count": {"chapters": 2}}));
        let omit = app.rpc_get("user", "findUnique", json!({"where": {"id": U1}, "omit": {"created_at": true, "updated_at": true, "tenant_id": true, "active": true, "avatar_url": true, "nickname": true}})).await;
        assert_eq!(data(&omit), &json!({"id": U1, "email": "alice@example.com", "first_name": "Alice", "last_name": "Smith", "locale": "en", "timezone": null}));
    }

    async fn distinct_follows_each_dialect(app: TestApp) {
        let answer = app.rpc_get("book", "findMany", json!({"distinct": ["author_id"], "select": {"author_id": true}, "orderBy": {"author_id": "asc"}})).await;
        match app.backend {
            Backend::Sqlite => assert_eq!(error(&answer), (400, "not-supported".into())),
            Backend::Postgres => assert_eq!(data(&answer), &json!([{"author_id": U1}, {"author_id": U3}, {"author_id": U4}])),
        }
    }

    async fn single_rows_and_existence(app: TestApp) {
        let first = app.rpc_get("book", "findFirst", json!({"where": {"published": true}, "orderBy": {"pages": "desc"}})).await;
        assert_eq!(data(&first)["id"], "b1");
        assert_eq!(data(&first)["created_at"], "2023-01-01T00:00:00.000Z");
        assert_eq!(first.body["meta"], json!({"serialization": {"values": {"created_at": ["Date"]}, "v": 1}}));
        assert_eq!(app.rpc_get("book", "findFirst", json!({"where": {"title": "nope"}})).await.body, json!({"data": null}));
        assert_eq!(data(&app.rpc_get("user", "findUnique", json!({"where": {"email": "bob@example.com"}, "select": {"first_name": true}})).await), &json!({"first_name": "Bob"}));
        assert_eq!(data(&app.rpc_get("book", "findUnique", json!({"where": {"title_author_id": {"title": "Cooking", "author_id": U3}}, "select": {"id": true}})).await), &json!({"id": "b3"}));
        assert_eq!(app.rpc_get("user", "findUnique", json!({"where": {"id": "nope"}})).await.body, json!({"data": null}));
        assert_eq!(error(&app.rpc_get("user", "findUnique", json!({"where": {"first_name": "Alice"}})).await), (422, "invalid-input".into()));
        assert_eq!(app.rpc_get("user", "exists", json!({"where": {"email": "alice@example.com"}})).await.body, json!({"data": true}));
        assert_eq!(app.rpc_get("user", "exists", json!({"where": {"email": "zzz"}})).await.body, json!({"data": false}));
    }

    async fn counts_and_aggregates(app: TestApp) {
        assert_eq!(app.rpc_get("user", "count", json!(null)).await.body, json!({"data": 5}));
        assert_eq!(app.rpc_get("book", "count", json!({"where": {"published": true}})).await.body, json!({"data": 2}));
        assert_eq!(data(&app.rpc_get("user", "count", json!({"select": {"_all": true, "first_name": true, "locale": true}})).await), &json!({"_all": 5, "first_name": 5, "locale": 2}));
        assert_eq!(app.rpc_get("user", "count", json!({"take": 2, "orderBy": {"id": "asc"}})).await.body, json!({"data": 2}));
        let aggregate = app.rpc_get("book", "aggregate", json!({"where": {"pages": {"gt": 0}}, "_count": {"_all": true, "price": true}, "_sum": {"pages": true, "price": true}, "_avg": {"pages": true, "price": true}, "_min": {"pages": true, "title": true}, "_max": {"pages": true, "created_at": true}})).await;
        assert_eq!(data(&aggregate), &json!({
            "_count": {"_all": 4, "price": 2},
            "_sum": {"pages": 550, "price": 24.5},
            "_avg": {"pages": 137.5, "price": 12.25},
            "_min": {"pages": 50, "title": "Advanced Rust"},
            "_max": {"pages": 300, "created_at": "2023-01-04T00:00:00.000Z"},
        }));
        // As ZenStack: SQLite answers an aggregated date as its stored text, PostgreSQL as a date.
        match app.backend {
            Backend::Sqlite => assert!(aggregate.body.get("meta").is_none(), "{}", aggregate.body),
            Backend::Postgres => assert_eq!(aggregate.body["meta"]["serialization"]["values"], json!({"_max.created_at": ["Date"]})),
        }
        let windowed = app.rpc_get("book", "aggregate", json!({"orderBy": {"pages": "asc"}, "skip": 1, "take": 2, "_sum": {"pages": true}, "_count": true})).await;
        assert_eq!(data(&windowed), &json!({"_count": 2, "_sum": {"pages": 200}}));
        let empty = app.rpc_get("book", "aggregate", json!({"where": {"pages": {"gt": 1000}}, "_sum": {"pages": true}, "_count": true})).await;
        assert_eq!(data(&empty), &json!({"_count": 0, "_sum": {"pages": null}}));
    }

    async fn group_by(app: TestApp) {
        let by_published = app.rpc_get("book", "groupBy", json!({"by": ["published"], "_count": {"_all": true}, "_sum": {"pages": true}, "_avg": {"price": true}, "orderBy": {"published": "asc"}})).await;
        assert_eq!(data(&by_published), &json!([
            {"published": false, "_count": {"_all": 2}, "_sum": {"pages": 350}, "_avg": {"price": 5}},
            {"published": true, "_count": {"_all": 2}, "_sum": {"pages": 200}, "_avg": {"price": 19.5}},
        ]));
        let by_sum = app.rpc_get("book", "groupBy", json!({"by": ["author_id"], "_sum": {"pages": true}, "orderBy": {"_sum": {"pages": "desc"}}})).await;
        assert_eq!(data(&by_sum), &json!([
            {"author_id": U1, "_sum": {"pages": 420}}, {"author_id": U4, "_sum": {"pages": 80}}, {"author_id": U3, "_sum": {"pages": 50}},
        ]));
        let having = app.rpc_get("user", "groupBy", json!({"by": ["tenant_id"], "_count": {"id": true}, "having": {"id": {"_count": {"gte": 3}}}, "orderBy": {"tenant_id": "asc"}})).await;
        assert_eq!(data(&having), &json!([{"tenant_id": T2, "_count": {"id": 3}}]));
        // A negative take: the last groups of the order, still in that order (as findMany).
        let last_two = app.rpc_get("book", "groupBy", json!({"by": ["author_id"], "_sum": {"pages": true}, "orderBy": {"_sum": {"pages": "desc"}}, "take": -2})).await;
        assert_eq!(data(&last_two), &json!([{"author_id": U4, "_sum": {"pages": 80}}, {"author_id": U3, "_sum": {"pages": 50}}]));
        let skipped = app.rpc_get("book", "groupBy", json!({"by": ["author_id"], "_sum": {"pages": true}, "orderBy": {"_sum": {"pages": "desc"}}, "skip": 1, "take": -2})).await;
        assert_eq!(data(&skipped), &json!([{"author_id": U1, "_sum": {"pages": 420}}, {"author_id": U4, "_sum": {"pages": 80}}]));
        let taken = app.rpc_get("book", "groupBy", json!({"by": ["published"], "take": 1})).await;
        assert_eq!(data(&taken).as_array().unwrap().len(), 1, "take without orderBy is accepted, as in ZenStack");
        // ZenStack's texts, which clients match on, then the field that broke the rule.
        for (args, text) in [
            (json!({"by": ["published"], "orderBy": {"pages": "asc"}}), r#"fields in "orderBy" must be in "by" ("pages" is not)"#),
            (json!({"by": ["published"], "having": {"pages": {"gt": 1}}}), r#"fields in "having" must be in "by" ("pages" is not)"#),
        ] {
            let refused = app.rpc_get("book", "groupBy", args).await;
            assert_eq!(refused.status, 422, "{}", refused.body);
            let message = refused.body["error"]["message"].as_str().unwrap();
            assert!(message.contains(text), "{message}");
        }
    }

    async fn every_scalar_type_round_trips(app: TestApp) {
        let created = app.rpc_post("metric", "create", json!({
            "data": {"name": "m1", "big": "9007199254740993", "ratio": "1.25", "data": {"tags": ["a", "b"], "n": 1}, "taken_at": "2024-02-29T12:34:56.789Z"},
            "meta": {"serialization": {"values": {"data.big": ["bigint"], "data.taken_at": ["Date"], "data.ratio": [["custom", "Decimal"]]}}},
        })).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let row = data(&created);
        assert_eq!(row["id"], 1, "autoincrement");
        assert_eq!(row["big"], "9007199254740993");
        assert_eq!(row["ratio"], "1.25");
        assert_eq!(row["data"], json!({"tags": ["a", "b"], "n": 1}));
        assert_eq!(row["taken_at"], "2024-02-29T12:34:56.789Z");
        assert_eq!(created.body["meta"]["serialization"]["values"], json!({"big": ["bigint"], "ratio": [["custom", "Decimal"]], "taken_at": ["Date"]}));
        let bare = app.rpc_post("metric", "create", json!({"data": {"name": "m3", "big": "7"}})).await;
        assert_eq!(bare.status, 422, "a big integer as a bare string needs its superjson annotation");
        let second = app.rpc_post("metric", "create", json!({"data": {"name": "m2", "big": 7, "ratio": 2}})).await;
        assert_eq!(data(&second)["id"], 2);
        for (filter, expected) in [
            (json!({"path": "$.n", "equals": 1}), json!([{"name": "m1"}])),
            (json!({"path": "$.tags", "array_contains": "b"}), json!([{"name": "m1"}])),
            (json!({"path": "$.tags", "array_starts_with": "a"}), json!([{"name": "m1"}])),
            (json!({"path": "$.tags", "array_ends_with": "a"}), json!([])),
            (json!({"equals": {"tags": ["a", "b"], "n": 1}}), json!([{"name": "m1"}])),
            (json!({"equals": null}), json!([{"name": "m2"}])),
        ] {
            let answer = app.rpc_get("metric", "findMany", json!({"where": {"data": filter}, "select": {"name": true}, "orderBy": {"name": "asc"}})).await;
            assert_eq!(data(&answer), &expected, "{filter}");
        }
        let found = app.rpc_get("metric", "findMany", json!({"where": {"big": {"gt": 9007199254740992i64}}, "select": {"name": true}})).await;
        assert_eq!(data(&found), &json!([{"name": "m1"}]));
        let sum = app.rpc_get("metric", "aggregate", json!({"_sum": {"ratio": true, "big": true}})).await;
        assert_eq!(data(&sum)["_sum"]["ratio"], 3.25, "decimal aggregates are numbers, as in ZenStack");
        match app.backend {
            Backend::Sqlite => assert_eq!(data(&sum)["_sum"]["big"], 9007199254741000i64),
            Backend::Postgres => assert_eq!(data(&sum)["_sum"]["big"], "9007199254741000"),
        }
    }
}
