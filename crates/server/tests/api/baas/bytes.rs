//! `Bytes` fields: BLOB / BYTEA in the table, base64 text in the API with superjson's `Bytes`
//! annotation (as ZenStack's RPC handler sends them), or a `Uint8Array` from the client.

use serde_json::json;
use tandem_testkit::{Backend, TestApp, spawn_app_with_schema};

use super::{data, error, served_schema};

async fn files(backend: Backend) -> TestApp {
    spawn_app_with_schema(
        backend,
        "model file {\n  id      Int    @id\n  content Bytes\n  thumb   Bytes?\n}\n",
    )
    .await
}

on_both_backends! {
    with files;

    async fn bytes_are_stored_as_binary_and_travel_as_base64(app: TestApp) {
        let created = app.rpc_post("file", "create", json!({
            "data": {"id": 1, "content": "AQIDBA=="},
            "meta": {"serialization": {"values": {"data.content": [["custom", "Bytes"]]}}},
        })).await;
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(created.body, json!({
            "data": {"id": 1, "content": "AQIDBA==", "thumb": null},
            "meta": {"serialization": {"values": {"content": [["custom", "Bytes"]]}, "v": 1}},
        }));
        // A Uint8Array, as superjson sends a typed array.
        let typed = app.rpc_post("file", "create", json!({
            "data": {"id": 2, "content": [255, 0, 7], "thumb": [1]},
            "meta": {"serialization": {"values": {"data.content": [["typed-array", "Uint8Array"]], "data.thumb": [["typed-array", "Uint8Array"]]}}},
        })).await;
        assert_eq!((&data(&typed)["content"], &data(&typed)["thumb"]), (&json!("/wAH"), &json!("AQ==")), "{}", typed.body);

        let found = app.rpc_get("file", "findMany", json!({"where": {"content": {"in": ["/wAH"]}}, "select": {"id": true}})).await;
        assert_eq!(data(&found), &json!([{"id": 2}]));
        let equal = app.rpc_get("file", "findFirst", json!({"where": {"content": "AQIDBA=="}, "select": {"id": true}})).await;
        assert_eq!(data(&equal), &json!({"id": 1}));

        for bad in [json!("not base64!"), json!([256]), json!(12)] {
            let refused = app.rpc_post("file", "create", json!({"data": {"id": 3, "content": bad}})).await;
            assert_eq!(error(&refused).0, 422, "{bad}: {}", refused.body);
        }
        let ordered = app.rpc_get("file", "findMany", json!({"where": {"content": {"gt": "AA=="}}})).await;
        assert_eq!(error(&ordered).0, 422, "Bytes compare by equality only: {}", ordered.body);
        let max = app.rpc_get("file", "aggregate", json!({"_max": {"content": true}})).await;
        assert_eq!(error(&max).0, 422, "Bytes have no order: {}", max.body);
        assert!(served_schema(&app).await.contains("  content Bytes\n"));
    }
}
