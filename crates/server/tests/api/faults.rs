//! Sync under faults, with the real `tandem` binary in separate processes, on both backends:
//! `kill -9` in the middle of a stream of updates from both sides; the BaaS half of a split
//! deployment down while the Platform keeps taking writes; an event the other side cannot apply,
//! parked, visible in the status, and delivered by `tandem sync retry` once its cause is fixed.
//! And the mail queue: a message queued just before `kill -9` goes out once after the restart.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tandem_platform::Credentials;
use tandem_testkit::process::{Node, Remote, credentials_env, free_port};
use tandem_testkit::smtp::FakeSmtp;
use tandem_testkit::{Backend, TestDatabase};

const BIN: &str = env!("CARGO_BIN_EXE_tandem");
const SECRET: &str = "a-shared-sync-secret-of-at-least-32-characters";

/// Where one test keeps its data: a temporary directory and, on PostgreSQL, its databases.
struct Stores {
    dir: tempfile::TempDir,
    db: Option<TestDatabase>,
    credentials: Credentials,
}

impl Stores {
    async fn new(backend: Backend) -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            db: match backend {
                Backend::Sqlite => None,
                Backend::Postgres => Some(TestDatabase::create().await),
            },
            credentials: Credentials::generate().expect("credentials"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Store flags for an all-in-one process.
    fn all_in_one(&self) -> Vec<String> {
        let mut args = vec![
            "--data-dir".into(),
            self.path().join("data").display().to_string(),
        ];
        if let Some(db) = &self.db {
            args.extend([
                "--platform-db".into(),
                db.url.clone(),
                "--baas-db".into(),
                db.baas_url.clone(),
            ]);
        }
        args
    }

    /// Store flags for one half of a split deployment (its own data directory / database).
    fn half(&self, half: &str) -> Vec<String> {
        let mut args = vec![
            "--data-dir".into(),
            self.path().join(half).display().to_string(),
            "--only".into(),
            half.into(),
        ];
        match (&self.db, half) {
            (Some(db), "platform") => args.extend(["--platform-db".into(), db.url.clone()]),
            (Some(db), _) => args.extend(["--baas-db".into(), db.baas_url.clone()]),
            (None, _) => {}
        }
        args
    }

    fn env(&self) -> Vec<(String, String)> {
        let mut env = credentials_env(&self.credentials);
        env.push(("TANDEM_SYNC_SECRET".into(), SECRET.into()));
        env
    }

    fn node(&self, name: &str, args: Vec<String>) -> Node {
        Node::new(name, BIN, &args, &self.env(), self.path())
    }

    /// A split deployment on these stores, both halves started and pointed at each other.
    async fn split(&self) -> (Node, Node) {
        let mut platform = self.node("platform", self.half("platform"));
        let mut baas = self.node("baas", self.half("baas"));
        platform.args.extend(["--peer-url".into(), baas.url()]);
        baas.args.extend(["--peer-url".into(), platform.url()]);
        platform.start().await;
        baas.start().await;
        (platform, baas)
    }

    fn remote(&self, node: &Node) -> Remote {
        Remote::new(node.url(), self.credentials.clone())
    }
}

/// The GraphQL answer's `data.<field>`, or a panic naming the errors.
fn data<'a>(answer: &'a Value, field: &str) -> &'a Value {
    assert!(answer["errors"].is_null(), "GraphQL errors: {answer}");
    &answer["data"][field]
}

async fn create_user(platform: &Remote, fields: Value) -> String {
    let mut user =
        json!({"email": format!("{}@faults.example", uuid::Uuid::new_v4()), "reference": "faults"});
    for (k, v) in fields.as_object().unwrap() {
        user[k] = v.clone();
    }
    let answer = platform
        .graphql(
            "mutation($user: UserCreateDto!) { createUser(user: $user) { id } }",
            json!({"user": user}),
        )
        .await
        .expect("createUser");
    data(&answer, "createUser")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn platform_user(platform: &Remote, id: &str) -> Value {
    let answer = platform
        .graphql(
            "query($id: ID!) { user(id: $id) { id firstName lastName synced } }",
            json!({"id": id}),
        )
        .await
        .expect("user");
    data(&answer, "user").clone()
}

async fn baas_user(baas: &Remote, id: &str) -> Value {
    let (status, body) = baas
        .rpc("user", "findUnique", json!({"where": {"id": id}}))
        .await
        .expect("findUnique");
    assert!(status.is_success(), "{body}");
    body["data"].clone()
}

/// The last acknowledged write of one field of one user, and the one in flight, if any.
#[derive(Debug, Default, Clone, Copy)]
struct Tracked {
    acked: Option<u32>,
    in_flight: Option<u32>,
}

impl Tracked {
    /// Whether `value` (`<prefix><n>` or null) is what a crash may leave: the last acknowledged
    /// write, or the one in flight (it may have committed before the kill). Never older.
    fn allows(&self, prefix: &str, value: &Value) -> bool {
        let n = value
            .as_str()
            .and_then(|v| v.strip_prefix(prefix))
            .and_then(|n| n.parse::<u32>().ok());
        n == self.acked || (n.is_some() && n == self.in_flight)
    }
}

on_both_backends! {
    with Stores::new;

    async fn kill_9_during_a_stream_of_updates_then_restart_converges(stores: Stores) {
        let mut node = stores.node("tandem", stores.all_in_one());
        node.start().await;
        let remote = stores.remote(&node);
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(create_user(&remote, json!({})).await);
        }
        remote.wait_for_sync(Duration::from_secs(60)).await;

        // [user][0 = Platform firstName, 1 = BaaS last_name]
        let tracked = Arc::new(Mutex::new(vec![[Tracked::default(); 2]; ids.len()]));
        // Set just before the kill: a failed write before it is a bug, not the outage.
        let killed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stream = |side: usize| {
            let (remote, ids, tracked, killed) = (remote.clone(), ids.clone(), tracked.clone(), killed.clone());
            tokio::spawn(async move {
                for i in 0u32.. {
                    let user = i as usize % ids.len();
                    tracked.lock().unwrap()[user][side].in_flight = Some(i);
                    let failed = if side == 0 {
                        match remote.graphql("mutation($id: ID!, $user: UserUpdateDto!) { updateUser(id: $id, user: $user) { id } }", json!({"id": ids[user], "user": {"firstName": format!("p{i}")}})).await {
                            Ok(answer) => { data(&answer, "updateUser"); None }
                            Err(e) => Some(e),
                        }
                    } else {
                        match remote.rpc("user", "update", json!({"where": {"id": ids[user]}, "data": {"last_name": format!("b{i}")}})).await {
                            Ok((status, body)) => { assert!(status.is_success(), "{body}"); None }
                            Err(e) => Some(e),
                        }
                    };
                    if let Some(error) = failed {
                        assert!(killed.load(std::sync::atomic::Ordering::SeqCst), "write {i} failed while the server was up: {error}");
                        return; // the server is gone
                    }
                    let mut t = tracked.lock().unwrap();
                    t[user][side] = Tracked { acked: Some(i), in_flight: None };
                }
            })
        };
        let (a, b) = (stream(0), stream(1));
        let acked = |t: &Vec<[Tracked; 2]>| t.iter().flatten().filter(|x| x.acked.is_some()).count();
        // Let both streams get going (dozens of acknowledged writes), then pull the plug.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while acked(&tracked.lock().unwrap()) < 6 {
            assert!(std::time::Instant::now() < deadline, "the update streams made no progress:\n{}", node.log_text());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        killed.store(true, std::sync::atomic::Ordering::SeqCst);
        node.kill();
        a.await.unwrap();
        b.await.unwrap();

        node.start().await;
        remote.wait_for_sync(Duration::from_secs(60)).await;
        let tracked = tracked.lock().unwrap().clone();
        eprintln!("acknowledged before the kill: {tracked:?}");
        for (user, id) in ids.iter().enumerate() {
            let p = platform_user(&remote, id).await;
            let b = baas_user(&remote, id).await;
            assert_eq!(p["firstName"], b["first_name"], "user {user}: first name differs between the sides");
            assert_eq!(p["lastName"], b["last_name"], "user {user}: last name differs between the sides");
            assert!(tracked[user][0].allows("p", &p["firstName"]), "user {user}: first name {} after {:?}", p["firstName"], tracked[user][0]);
            assert!(tracked[user][1].allows("b", &p["lastName"]), "user {user}: last name {} after {:?}", p["lastName"], tracked[user][1]);
        }
    }

    async fn kill_9_right_after_mail_is_queued_then_restart_sends_it_exactly_once(stores: Stores) {
        // The SMTP server is down at first: the message cannot leave before the kill.
        let port = free_port();
        let mut node = stores.node("tandem", stores.all_in_one());
        node.env.push(("TANDEM_SMTP_URL".into(), format!("smtp://127.0.0.1:{port}")));
        node.start().await;
        let remote = stores.remote(&node);
        let inviter = create_user(&remote, json!({"firstName": "Ann"})).await;
        let email = format!("{}@faults.example", uuid::Uuid::new_v4());
        let answer = remote
            .graphql(
                "mutation($i: UserInvitesCreateDto!) { sendUserInvites(userInvites: $i) { success { id } errors { error } } }",
                json!({"i": {"userInvites": [{"email": email, "createdByUserId": inviter}]}}),
            )
            .await
            .expect("sendUserInvites");
        assert_eq!(data(&answer, "sendUserInvites")["errors"], json!([]), "{answer}");
        node.kill();

        let smtp = FakeSmtp::start(port).await;
        node.start().await;
        // Due at once, or when the lease of an attempt cut off by the kill ends (60 s).
        let got = smtp.wait_for(1, 90).await;
        assert_eq!(got[0].to, vec![email.clone()]);
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let messages = remote.mailbox().await;
            if messages[0]["delivery"]["status"] == "sent" {
                assert_eq!(messages[0]["delivery"]["transport"], "smtp");
                break;
            }
            assert!(std::time::Instant::now() < deadline, "not marked sent: {messages:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // And never again.
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(smtp.received().len(), 1, "{:?}", smtp.received());
    }

    async fn split_mode_the_platform_keeps_taking_writes_while_the_baas_is_down(stores: Stores) {
        let (platform, mut baas) = stores.split().await;
        let (p, b) = (stores.remote(&platform), stores.remote(&baas));

        let first = create_user(&p, json!({"firstName": "Ann"})).await;
        p.wait_for_sync(Duration::from_secs(60)).await;
        assert_eq!(baas_user(&b, &first).await["first_name"], "Ann");

        baas.kill();
        for i in 0..5 {
            let answer = p.graphql("mutation($id: ID!, $user: UserUpdateDto!) { updateUser(id: $id, user: $user) { id } }", json!({"id": first, "user": {"lastName": format!("L{i}")}})).await.expect("updateUser");
            data(&answer, "updateUser");
        }
        let second = create_user(&p, json!({"firstName": "Ben"})).await;
        let status = p.sync_status().await;
        let to_baas = status["directions"].as_array().unwrap().iter().find(|d| d["direction"] == "platform_to_baas").cloned().unwrap_or_else(|| panic!("{status}"));
        assert!(to_baas["pending"].as_i64().unwrap() >= 2, "the backlog waits on the Platform: {status}");
        assert_eq!(status["unreachable"][0]["direction"], "baas_to_platform", "the BaaS's direction is reported unreachable: {status}");

        baas.start().await;
        p.wait_for_sync(Duration::from_secs(60)).await;
        assert_eq!(baas_user(&b, &first).await["last_name"], "L4", "the last write while the BaaS was down");
        assert_eq!(baas_user(&b, &second).await["first_name"], "Ben", "the user created while the BaaS was down");
        assert_eq!(platform_user(&p, &second).await["synced"], true);

        // And the other way, over the same link.
        let (status, body) = b.rpc("user", "update", json!({"where": {"id": second}, "data": {"first_name": "Benjamin"}})).await.unwrap();
        assert!(status.is_success(), "{body}");
        b.wait_for_sync(Duration::from_secs(60)).await;
        assert_eq!(platform_user(&p, &second).await["firstName"], "Benjamin");
    }

    async fn an_event_the_baas_cannot_apply_is_parked_and_delivered_by_retry_after_the_fix(stores: Stores) {
        // The app's schema makes first names unique on the BaaS; the Platform does not know.
        let schema = stores.path().join("schema.prisma");
        std::fs::write(&schema, "model user {\n  @@unique([first_name])\n}\n").unwrap();
        let mut args = stores.all_in_one();
        args.extend(["--schema".into(), schema.display().to_string(), "--sync-max-attempts".into(), "2".into()]);
        let mut node = stores.node("tandem", args);
        node.start().await;
        let remote = stores.remote(&node);

        let first = create_user(&remote, json!({"firstName": "Sam"})).await;
        remote.wait_for_sync(Duration::from_secs(60)).await;
        let second = create_user(&remote, json!({"firstName": "Sam"})).await;

        // Parked after two attempts, with the database's reason, and visible in the status.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let status = loop {
            let status = remote.sync_status().await;
            if status["directions"].as_array().unwrap().iter().any(|d| d["failed"] == 1) {
                break status;
            }
            assert!(std::time::Instant::now() < deadline, "the event was not parked: {status}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let to_baas = status["directions"].as_array().unwrap().iter().find(|d| d["direction"] == "platform_to_baas").unwrap();
        let parked = &to_baas["failedEvents"][0];
        assert_eq!(parked["entityId"], second.as_str(), "{status}");
        assert!(parked["error"].as_str().unwrap().to_lowercase().contains("unique"), "{status}");
        let (_, body) = remote.rpc("user", "findMany", json!({"where": {"id": second}})).await.unwrap();
        assert_eq!(body["data"], json!([]), "not on the BaaS yet");
        assert_eq!(platform_user(&remote, &second).await["synced"], false);

        // Other users' events keep flowing meanwhile: this rename is the fix.
        let answer = remote.graphql("mutation($id: ID!, $user: UserUpdateDto!) { updateUser(id: $id, user: $user) { id } }", json!({"id": first, "user": {"firstName": "Samuel"}})).await.unwrap();
        data(&answer, "updateUser");
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while baas_user(&remote, &first).await["first_name"] != "Samuel" {
            assert!(std::time::Instant::now() < deadline, "the fix did not reach the BaaS");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        // `tandem sync retry`, as an operator runs it.
        let (url, env) = (remote.base.clone(), credentials_env(&stores.credentials));
        let output = tokio::task::spawn_blocking(move || {
            std::process::Command::new(BIN).args(["sync", "retry", "--url", &url]).envs(env).output().unwrap()
        }).await.unwrap();
        let printed = String::from_utf8_lossy(&output.stdout).to_string() + &String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "tandem sync retry: {printed}");
        assert!(printed.contains("re-queued 1 parked events"), "it says how many events it re-queued: {printed}");

        remote.wait_for_sync(Duration::from_secs(60)).await;
        assert_eq!(baas_user(&remote, &second).await["first_name"], "Sam");
        assert_eq!(platform_user(&remote, &second).await["synced"], true);
    }

    async fn split_mode_the_console_reads_the_baas_of_the_other_process(stores: Stores) {
        let (platform, _baas) = stores.split().await;
        let p = stores.remote(&platform);
        let email = format!("{}@faults.example", uuid::Uuid::new_v4());
        let id = create_user(&p, json!({"firstName": "Ann", "email": email})).await;
        p.wait_for_sync(Duration::from_secs(60)).await;

        // An admin, made as an operator would (the Platform half's store).
        let mut args = vec!["admin".to_owned(), "create".into(), "--email".into(), "ops@faults.example".into(), "--password-stdin".into()];
        args.extend(stores.half("platform").into_iter().filter(|a| a != "--only" && a != "platform"));
        let mut child = std::process::Command::new(BIN).args(&args).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).spawn().unwrap();
        {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"console-secret-1\n").unwrap();
        }
        assert!(child.wait().unwrap().success(), "tandem admin create failed");

        // Log in over HTTP, keeping the cookies by hand.
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let cookie_of = |r: &reqwest::Response, name: &str| {
            r.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|v| v.split(';').next().and_then(|kv| kv.strip_prefix(&format!("{name}="))).map(str::to_owned))
        };
        let form = client.get(format!("{}/console/login", p.base)).send().await.unwrap();
        let login_cookie = cookie_of(&form, "tandem_console_login").unwrap();
        let html = form.text().await.unwrap();
        let token = html.split("name=\"form\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let logged = client
            .post(format!("{}/console/login", p.base))
            .header("cookie", format!("tandem_console_login={login_cookie}"))
            .form(&[("form", token.as_str()), ("email", "ops@faults.example"), ("password", "console-secret-1")])
            .send()
            .await
            .unwrap();
        assert_eq!(logged.status(), 303);
        let session = cookie_of(&logged, "tandem_console").unwrap();
        let page = |path: String| {
            let (client, session) = (client.clone(), session.clone());
            async move {
                let r = client.get(path).header("cookie", format!("tandem_console={session}")).send().await.unwrap();
                (r.status(), r.text().await.unwrap())
            }
        };
        // The data browser reads the BaaS process's rows; the user page its copy of the fields.
        let (status, rows) = page(format!("{}/console/data/user", p.base)).await;
        assert_eq!(status, 200, "{rows}");
        assert!(rows.contains(&email), "the BaaS row in the data browser: {rows}");
        let (status, user) = page(format!("{}/console/users/{id}", p.base)).await;
        assert_eq!(status, 200);
        assert!(user.contains("Synced fields show the BaaS"), "{user}");
    }

    async fn split_mode_the_baas_verifies_user_tokens_with_the_platforms_keys(stores: Stores) {
        let (platform, baas) = stores.split().await;
        let (p, b) = (stores.remote(&platform), stores.remote(&baas));
        let id = create_user(&p, json!({"firstName": "Ann"})).await;
        p.wait_for_sync(Duration::from_secs(60)).await;
        let user_token = || async {
            let service = p.service_token().await.unwrap();
            let answer: Value = p.client.post(format!("{}/v01/authorize", p.base))
                .header("roq-platform-authorization", format!("Bearer {service}"))
                .json(&json!({"environmentId": stores.credentials.environment_id, "apiKey": stores.credentials.api_key, "userId": id}))
                .send().await.unwrap().json().await.unwrap();
            answer["accessToken"].as_str().unwrap().to_owned()
        };
        let read = |token: String| {
            let b = b.clone();
            async move {
                let response = b.client.get(format!("{}/api/model/user/findMany", b.base)).bearer_auth(token).send().await.unwrap();
                (response.status().as_u16(), response.json::<Value>().await.unwrap())
            }
        };
        let (status, body) = read(user_token().await).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"].as_array().unwrap().len(), 1, "only the user's own row: {body}");
        assert_eq!(body["data"][0]["id"], json!(id));
        let (status, _) = read("eyJhbGciOiJFZERTQSJ9.e30.AAAA".into()).await;
        assert_eq!(status, 401, "a forged token");
        // After a rotation the BaaS fetches the new key when a token names it.
        let service = p.service_token().await.unwrap();
        let rotated: Value = p.client.post(format!("{}/v01/server/graphql", p.base))
            .header("roq-platform-authorization", format!("Bearer {service}"))
            .header("roq-platform-server-authorization", p.basic())
            .json(&json!({"query": "mutation { rotateSigningKey(revokePrevious: false) { kid } }"}))
            .send().await.unwrap().json().await.unwrap();
        assert!(rotated["errors"].is_null(), "{rotated}");
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let (status, body) = read(user_token().await).await;
        assert_eq!(status, 200, "a token signed with the new key: {body}");
    }
}

/// `tandem_sync_events_delivered_total{direction="…"}` of one process.
async fn delivered_by(remote: &Remote, direction: &str) -> u64 {
    let text = remote
        .client
        .get(format!("{}/metrics", remote.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let prefix = format!("tandem_sync_events_delivered_total{{direction=\"{direction}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
        .trim()
        .parse()
        .unwrap()
}

fn direction<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["directions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["direction"] == name)
        .unwrap_or_else(|| panic!("no {name} in {status}"))
}

/// The `i`th value the scale-out test writes to a profile field (a valid value of its shape).
fn written(field: &str, i: usize) -> String {
    match field {
        "locale" => format!("en-{i}"),
        "timezone" => format!("Etc/Zone-{i}"),
        _ => format!("{field}-{i}"),
    }
}

/// Scale-out is a PostgreSQL deployment: two processes on the same databases.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_out_two_processes_share_the_relay_work_without_delivering_twice() {
    let stores = Stores::new(Backend::Postgres).await;
    let db = stores.db.as_ref().unwrap();
    let args = |name: &str| {
        vec![
            "--data-dir".into(),
            stores.path().join(name).display().to_string(),
            "--platform-db".into(),
            db.url.clone(),
            "--baas-db".into(),
            db.baas_url.clone(),
        ]
    };
    let mut a = stores.node("a", args("a"));
    let mut b = stores.node("b", args("b"));
    a.start().await;
    b.start().await;
    let (ra, rb) = (stores.remote(&a), stores.remote(&b));
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(create_user(if i % 2 == 0 { &ra } else { &rb }, json!({})).await);
    }
    let before = ra.wait_for_sync(Duration::from_secs(60)).await;
    let p2b_before = direction(&before, "platform_to_baas")["delivered"]
        .as_i64()
        .unwrap();
    let b2p_before = direction(&before, "baas_to_platform")["delivered"]
        .as_i64()
        .unwrap();

    // Four writers, each the only writer of one field, through both processes at once.
    let writers = [
        (ra.clone(), "firstName", true),
        (rb.clone(), "lastName", true),
        (ra.clone(), "locale", false),
        (rb.clone(), "timezone", false),
    ];
    let mut tasks = Vec::new();
    for (remote, field, on_platform) in writers {
        let ids = ids.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..40usize {
                let id = &ids[i % ids.len()];
                let value = written(field, i);
                if on_platform {
                    let answer = remote.graphql("mutation($id: ID!, $user: UserUpdateDto!) { updateUser(id: $id, user: $user) { id } }", json!({"id": id, "user": {field: value}})).await.unwrap();
                    data(&answer, "updateUser");
                } else {
                    let (status, body) = remote.rpc("user", "update", json!({"where": {"id": id}, "data": {field: value}})).await.unwrap();
                    assert!(status.is_success(), "{body}");
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let after = ra.wait_for_sync(Duration::from_secs(60)).await;

    // Every write is one event, delivered exactly once between the two processes' relays.
    let p2b = direction(&after, "platform_to_baas")["delivered"]
        .as_i64()
        .unwrap()
        - p2b_before;
    let b2p = direction(&after, "baas_to_platform")["delivered"]
        .as_i64()
        .unwrap()
        - b2p_before;
    assert_eq!(
        (p2b, b2p),
        (80, 80),
        "events delivered per direction: {after}"
    );
    let by_a =
        delivered_by(&ra, "platform_to_baas").await + delivered_by(&ra, "baas_to_platform").await;
    let by_b =
        delivered_by(&rb, "platform_to_baas").await + delivered_by(&rb, "baas_to_platform").await;
    eprintln!("delivered by a: {by_a}, by b: {by_b}");
    // Each process's writes wake its own relay first, so both take a share of the work.
    assert!(
        by_a > 0 && by_b > 0,
        "both processes relay: a {by_a}, b {by_b}"
    );
    assert_eq!(
        by_a + by_b,
        u64::try_from(p2b + b2p + p2b_before + b2p_before).unwrap(),
        "the processes' own counts add up: a {by_a}, b {by_b}"
    );

    // Both sides hold each field's last write, whichever process relayed it.
    for (n, id) in ids.iter().enumerate() {
        let last = 36 + n; // the last i with i % 4 == n
        let answer = ra
            .graphql(
                "query($id: ID!) { user(id: $id) { firstName lastName locale timezone } }",
                json!({"id": id}),
            )
            .await
            .unwrap();
        let p = data(&answer, "user");
        let row = baas_user(&rb, id).await;
        for (platform, baas) in [
            ("firstName", "first_name"),
            ("lastName", "last_name"),
            ("locale", "locale"),
            ("timezone", "timezone"),
        ] {
            let want = written(platform, last);
            assert_eq!(
                p[platform],
                want.as_str(),
                "Platform {platform} of user {n}"
            );
            assert_eq!(row[baas], want.as_str(), "BaaS {baas} of user {n}");
        }
    }
}

on_both_backends! {
    with Stores::new;

    async fn the_peer_link_takes_only_fresh_requests_signed_for_this_side(stores: Stores) {
        use tandem_core::Side;
        use tandem_sync::link::{HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, sign};
        // A BaaS half on its own; its Platform peer is not running (not needed here).
        let mut args = stores.half("baas");
        args.extend(["--peer-url".into(), format!("http://127.0.0.1:{}", tandem_testkit::process::free_port())]);
        let mut baas = stores.node("baas", args);
        baas.start().await;
        let client = reqwest::Client::new();
        let url = format!("{}/sync/v1/apply", baas.url());
        let body = br#"{"events":[]}"#.to_vec();
        let now = || chrono::Utc::now().timestamp_millis();
        let send = |ts: i64, nonce: String, signature: Option<String>, body: Vec<u8>| {
            let (client, url) = (client.clone(), url.clone());
            async move {
                let mut request = client.post(url).header("content-type", "application/json").body(body);
                if let Some(signature) = signature {
                    request = request
                        .header(HEADER_TIMESTAMP, ts.to_string())
                        .header(HEADER_NONCE, nonce)
                        .header(HEADER_SIGNATURE, signature);
                }
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                let body: Value = response.json().await.unwrap_or(Value::Null);
                (status, body["errorCode"].as_str().unwrap_or_default().to_owned(), body)
            }
        };
        let secret = SECRET.as_bytes();
        let nonce = || uuid::Uuid::new_v4().simple().to_string();

        let (status, code, _) = send(now(), nonce(), None, body.clone()).await;
        assert_eq!((status, code.as_str()), (401, "SYNC_SIGNATURE_MISSING"));

        let (ts, n) = (now(), nonce());
        let good = sign(secret, Side::Baas, "POST", "/sync/v1/apply", ts, &n, &body);
        let (status, _, answer) = send(ts, n.clone(), Some(good.clone()), body.clone()).await;
        assert_eq!(status, 200, "a correctly signed request is served: {answer}");
        assert_eq!(answer["outcomes"], json!([]));
        let (status, code, _) = send(ts, n, Some(good), body.clone()).await;
        assert_eq!((status, code.as_str()), (401, "SYNC_REPLAYED"), "the same request again");

        let (ts, n) = (now(), nonce());
        let wrong_key = sign(b"another-secret-of-at-least-thirty-two-chars", Side::Baas, "POST", "/sync/v1/apply", ts, &n, &body);
        assert_eq!(send(ts, n, Some(wrong_key), body.clone()).await.1, "SYNC_SIGNATURE_INVALID", "another secret");

        let (ts, n) = (now(), nonce());
        let signed = sign(secret, Side::Baas, "POST", "/sync/v1/apply", ts, &n, &body);
        assert_eq!(send(ts, n, Some(signed), br#"{"events":[ ]}"#.to_vec()).await.1, "SYNC_SIGNATURE_INVALID", "a changed body");

        let (ts, n) = (now(), nonce());
        let for_platform = sign(secret, Side::Platform, "POST", "/sync/v1/apply", ts, &n, &body);
        assert_eq!(send(ts, n, Some(for_platform), body.clone()).await.1, "SYNC_SIGNATURE_INVALID", "signed for the other half");

        let (ts, n) = (now() - 10 * 60 * 1000, nonce());
        let stale = sign(secret, Side::Baas, "POST", "/sync/v1/apply", ts, &n, &body);
        assert_eq!(send(ts, n, Some(stale), body.clone()).await.1, "SYNC_STALE_REQUEST", "ten minutes old");

        let remote = stores.remote(&baas);
        let unauthenticated = remote.client.get(format!("{}/sync/v1/status", baas.url())).send().await.unwrap();
        assert_eq!(unauthenticated.status().as_u16(), 401, "operator endpoints need the environment's credentials");
        let message = unauthenticated.json::<serde_json::Value>().await.unwrap()["message"].as_str().unwrap().to_owned();
        assert!(message.contains("Basic base64(environmentId:apiKey)") && message.contains("takes no Bearer token"), "a BaaS-only process suggests only what it accepts: {message}");
    }
}
