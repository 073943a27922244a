//! The real `tandem` binary as separate processes, for fault tests: start, `kill -9`, restart on
//! the same data, two halves of a split deployment. [`Remote`] talks to one over HTTP with the
//! environment credentials, as an operator or the SDK would.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_platform::Credentials;

/// A free TCP port on 127.0.0.1 (bound, read and released), never one this test process
/// handed out before.
pub fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut given = GIVEN.lock().unwrap_or_else(|p| p.into_inner());
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// One `tandem serve` process: its command line, environment and log file. Dropping it kills
/// the process.
pub struct Node {
    pub name: String,
    pub binary: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub port: u16,
    pub log: PathBuf,
    child: Option<Child>,
}

impl Node {
    /// `tandem serve --listen 127.0.0.1:<free port>` plus `args`; its output goes to
    /// `<log_dir>/<name>.log`.
    pub fn new(
        name: &str,
        binary: &str,
        args: &[String],
        env: &[(String, String)],
        log_dir: &Path,
    ) -> Self {
        let port = free_port();
        let mut all = vec![
            "serve".to_owned(),
            "--listen".to_owned(),
            format!("127.0.0.1:{port}"),
        ];
        all.extend(args.iter().cloned());
        Self {
            name: name.to_owned(),
            binary: PathBuf::from(binary),
            args: all,
            env: env.to_vec(),
            port,
            log: log_dir.join(format!("{name}.log")),
            child: None,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts the process and waits for `GET /health` (60 s); panics with the log otherwise.
    pub async fn start(&mut self) {
        assert!(self.child.is_none(), "{} is already running", self.name);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("log file");
        let mut command = Command::new(&self.binary);
        command
            .args(&self.args)
            .env_remove("RUST_LOG")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log);
        for (key, _) in std::env::vars() {
            if key.starts_with("TANDEM_") {
                command.env_remove(key);
            }
        }
        for (key, value) in &self.env {
            command.env(key, value);
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", self.binary.display()));
        self.child = Some(child);
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.child = None;
                panic!(
                    "{} exited before answering /health ({status}):\n{}",
                    self.name,
                    self.log_text()
                );
            }
            let ok = client
                .get(format!("{}/health", self.url()))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not answer /health within 60 s:\n{}",
                self.name,
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `kill -9`: no shutdown, no flushing, whatever was in flight is cut off.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// What the process wrote so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Fixed environment credentials for processes that must share them (split deployments), as
/// the `TANDEM_ENVIRONMENT_ID`/`TANDEM_API_KEY` variables.
pub fn credentials_env(credentials: &Credentials) -> Vec<(String, String)> {
    vec![
        (
            "TANDEM_ENVIRONMENT_ID".to_owned(),
            credentials.environment_id.clone(),
        ),
        ("TANDEM_API_KEY".to_owned(), credentials.api_key.clone()),
    ]
}

/// A client of one running process: the Platform's GraphQL as the service account, the BaaS
/// RPC and the sync endpoints with `Basic` credentials.
#[derive(Clone)]
pub struct Remote {
    pub base: String,
    pub credentials: Credentials,
    pub client: reqwest::Client,
}

impl Remote {
    pub fn new(base: String, credentials: Credentials) -> Self {
        Self {
            base,
            credentials,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
        }
    }

    pub fn basic(&self) -> String {
        let raw = format!(
            "{}:{}",
            self.credentials.environment_id, self.credentials.api_key
        );
        format!("Basic {}", STANDARD.encode(raw))
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value), reqwest::Error> {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    /// The dev mailbox's messages (newest first), with their delivery state.
    pub async fn mailbox(&self) -> Vec<Value> {
        let (status, body) = self
            .send(
                Method::GET,
                "/dev/mailbox",
                &[
                    ("authorization", self.basic()),
                    ("accept", "application/json".into()),
                ],
                None,
            )
            .await
            .expect("GET /dev/mailbox");
        assert_eq!(status, StatusCode::OK, "{body}");
        body["messages"].as_array().cloned().unwrap_or_default()
    }

    pub async fn service_token(&self) -> Result<String, reqwest::Error> {
        let (status, body) = self
            .send(
                Method::POST,
                "/v01/authorize/serviceAccount",
                &[],
                Some(&json!({
                    "email": "project-service-account@roq.tech",
                    "environmentId": self.credentials.environment_id,
                    "apiKey": self.credentials.api_key,
                })),
            )
            .await?;
        assert_eq!(status, StatusCode::OK, "{body}");
        Ok(body["accessToken"]
            .as_str()
            .expect("accessToken")
            .to_owned())
    }

    /// A GraphQL request as the service account; `Err` only when the server cannot be reached.
    pub async fn graphql(&self, query: &str, variables: Value) -> Result<Value, reqwest::Error> {
        let token = self.service_token().await?;
        let (_, body) = self
            .send(
                Method::POST,
                "/v01/server/graphql",
                &[
                    ("roq-platform-authorization", format!("Bearer {token}")),
                    ("roq-platform-server-authorization", self.basic()),
                ],
                Some(&json!({"query": query, "variables": variables})),
            )
            .await?;
        Ok(body)
    }

    /// A BaaS RPC call: `GET …?q=` for reads (`body` is the query), `PUT` for update ops,
    /// `POST` otherwise.
    pub async fn rpc(
        &self,
        model: &str,
        op: &str,
        args: Value,
    ) -> Result<(StatusCode, Value), reqwest::Error> {
        let auth = [("authorization", self.basic())];
        let path = format!("/api/model/{model}/{op}");
        match op {
            "findMany" | "findUnique" | "findFirst" | "count" => {
                let q: String = url_encode(&args.to_string());
                self.send(Method::GET, &format!("{path}?q={q}"), &auth, None)
                    .await
            }
            "update" | "updateMany" => self.send(Method::PUT, &path, &auth, Some(&args)).await,
            _ => self.send(Method::POST, &path, &auth, Some(&args)).await,
        }
    }

    pub async fn sync_status(&self) -> Value {
        let (status, body) = self
            .send(
                Method::GET,
                "/sync/v1/status",
                &[("authorization", self.basic())],
                None,
            )
            .await
            .expect("sync status");
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Waits until both directions have nothing pending or failed (`within`); panics with the
    /// last status otherwise.
    pub async fn wait_for_sync(&self, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let status = self.sync_status().await;
            if crate::sync_idle(&status) {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "sync did not drain within {within:?}: {status}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
