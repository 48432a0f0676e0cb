//! Test harness: the real prwarden router and workers on a loopback port,
//! talking to a stateful fake GitHub, driven by signed deliveries of GitHub's
//! real example payloads.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_github::{FakeFile, FakeGitHub, FakePr, TEST_APP_ID};
use prwarden::config::ServeConfig;
use prwarden::intake::signature;
use prwarden::state::AppState;
use serde_json::Value;
use serde_json::json;

pub const SECRET: &str = "test-webhook-secret";
pub const OWNER: &str = "Codertocat";
pub const REPO: &str = "Hello-World";
pub const PR: u64 = 2;
/// Head of PR #2 in the reference payloads.
pub const HEAD: &str = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
pub const INSTALLATION: u64 = 1;

pub fn shared_dir() -> PathBuf {
    std::env::var_os("PRWARDEN_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// A reference payload, parsed.
pub fn payload(name: &str) -> Value {
    let path = shared_dir().join(format!("reference/github/webhook-payloads/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("reference payload")).unwrap()
}

/// A reference payload's exact bytes.
pub fn payload_bytes(name: &str) -> Vec<u8> {
    std::fs::read(shared_dir().join(format!("reference/github/webhook-payloads/{name}.json")))
        .unwrap()
}

/// A TypeScript file with one finding per rule of the first milestone. The
/// token is assembled at run time so that no key-shaped literal is committed.
pub fn risky_ts() -> String {
    let token = format!("gh{}_{}", "p", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8");
    format!(
        r#"import {{ db }} from "./db";

const GITHUB_TOKEN = "{token}";

export async function loadUsers(ids: string[]): Promise<any> {{
  const users = [];
  for (const id of ids) {{
    const user = await db.user.findUnique({{ where: {{ id }} }});
    users.push(user);
  }}
  try {{
    await notify(users);
  }} catch (e) {{}}
  return users;
}}
"#
    )
}

pub fn clean_ts() -> String {
    "export function add(a: number, b: number): number {\n  return a + b;\n}\n".to_owned()
}

pub fn config(api_url: &str, dir: &std::path::Path) -> ServeConfig {
    ServeConfig {
        github_app_id: Some(TEST_APP_ID),
        github_private_key_path: None,
        github_private_key: Some(fake_github::keys::test_app_private_key_pem()),
        github_webhook_secret: Some(SECRET.to_owned()),
        github_api_url: api_url.to_owned(),
        github_web_url: "https://github.example".to_owned(),
        database_url: format!("sqlite://{}", dir.join("prwarden.db").display()),
        port: 0,
        bind_address: "127.0.0.1".to_owned(),
        public_url: None,
        key_file: dir.join("prwarden-app.pem"),
        workers: 2,
        job_lease_secs: 10,
        poll_ms: 100,
        catchup_secs: 0,
        retry_base_ms: 200,
    }
}

pub struct TestApp {
    pub fake: FakeGitHub,
    /// The PostgreSQL database of a test on that backend.
    pub scratch: Option<prwarden::queue::scratch::ScratchDatabase>,
    pub url: String,
    pub state: Arc<AppState>,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
    /// The review workers, stopped when the app is dropped.
    _workers: prwarden::server::Workers,
}

impl TestApp {
    /// A fake GitHub with PR #2 of Codertocat/Hello-World holding `files`,
    /// and prwarden configured against it.
    pub async fn with_pr(files: Vec<FakeFile>) -> TestApp {
        let fake = FakeGitHub::start().await;
        fake.add_repo(INSTALLATION, OWNER, REPO);
        fake.add_pull(OWNER, REPO, FakePr::new(PR, HEAD, files));
        let dir = tempfile::tempdir().unwrap();
        let cfg = config(&fake.url(), dir.path());
        TestApp::start(fake, dir, cfg).await
    }

    /// A fake GitHub with `pr` on Codertocat/Hello-World, changed by `setup`
    /// (base-branch files, organisation repositories) before prwarden starts.
    pub async fn with_pr_and(pr: FakePr, setup: impl FnOnce(&FakeGitHub)) -> TestApp {
        let fake = FakeGitHub::start().await;
        fake.add_repo(INSTALLATION, OWNER, REPO);
        fake.add_pull(OWNER, REPO, pr);
        setup(&fake);
        let dir = tempfile::tempdir().unwrap();
        let cfg = config(&fake.url(), dir.path());
        TestApp::start(fake, dir, cfg).await
    }

    pub async fn start(fake: FakeGitHub, dir: tempfile::TempDir, cfg: ServeConfig) -> TestApp {
        let state = AppState::new(cfg).await.expect("app state");
        let workers = prwarden::server::spawn_workers(&state).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let router = prwarden::server::router(Arc::clone(&state));
        tokio::spawn(async move { axum::serve(listener, router).await });
        TestApp {
            fake,
            scratch: None,
            url,
            state,
            dir,
            http: reqwest::Client::new(),
            _workers: workers,
        }
    }

    /// Like [`TestApp::with_pr`], on a fresh PostgreSQL database.
    pub async fn with_pr_on_postgres(files: Vec<FakeFile>) -> TestApp {
        let fake = FakeGitHub::start().await;
        fake.add_repo(INSTALLATION, OWNER, REPO);
        fake.add_pull(OWNER, REPO, FakePr::new(PR, HEAD, files));
        let scratch = prwarden::queue::scratch::ScratchDatabase::create(
            &prwarden::queue::scratch::admin_url(),
        )
        .await
        .expect("PostgreSQL for the tests (set PRWARDEN_TEST_POSTGRES)");
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = config(&fake.url(), dir.path());
        cfg.database_url = scratch.url.clone();
        let mut app = TestApp::start(fake, dir, cfg).await;
        app.scratch = Some(scratch);
        app
    }

    /// Drops the PostgreSQL database, if any.
    pub async fn cleanup(self) {
        self.state.store.close().await;
        if let Some(scratch) = self.scratch {
            scratch.drop_database().await.unwrap();
        }
    }

    /// POSTs a delivery signed with the test secret.
    pub async fn deliver(&self, event: &str, delivery: &str, body: &[u8]) -> reqwest::Response {
        self.deliver_signed(event, delivery, body, &signature::sign(SECRET, body))
            .await
    }

    pub async fn deliver_signed(
        &self,
        event: &str,
        delivery: &str,
        body: &[u8],
        signature: &str,
    ) -> reqwest::Response {
        self.http
            .post(format!("{}/api/github/webhooks", self.url))
            .header("content-type", "application/json")
            .header("x-github-event", event)
            .header("x-github-delivery", delivery)
            .header("x-hub-signature-256", signature)
            .header("user-agent", "GitHub-Hookshot/test")
            .body(body.to_vec())
            .send()
            .await
            .unwrap()
    }

    /// Waits until no job is queued or running.
    pub async fn settle(&self) {
        wait_until(Duration::from_secs(60), || async {
            let c = self.state.store.counts().await.unwrap();
            c.queued == 0 && c.running == 0
        })
        .await;
    }

    pub fn reviews(&self) -> Vec<Value> {
        self.fake.reviews(OWNER, REPO, PR)
    }

    pub fn comments(&self) -> Vec<Value> {
        self.fake.review_comments(OWNER, REPO, PR)
    }

    pub fn check_runs(&self) -> Vec<Value> {
        self.fake.check_runs(OWNER, REPO)
    }

    /// Every request prwarden sent was valid for GitHub's published schemas
    /// and none was rejected with 422.
    pub fn assert_github_happy(&self) {
        assert!(
            self.fake.schema_violations().is_empty(),
            "schema violations: {:#?}",
            self.fake.schema_violations()
        );
        assert_eq!(self.fake.responses_with_status(422), 0, "422 responses");
        assert!(
            self.fake.invalid_graphql_queries().is_empty(),
            "invalid GraphQL: {:#?}",
            self.fake.invalid_graphql_queries()
        );
        assert_eq!(self.fake.pending_reviews_created(), 0, "pending reviews");
    }
}

pub async fn wait_until<F, Fut>(timeout: Duration, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !condition().await {
        assert!(
            start.elapsed() < timeout,
            "condition not met within {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Rule ids in the comment bodies, sorted.
pub fn rule_ids(comments: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = comments
        .iter()
        .filter_map(|c| {
            let body = c["body"].as_str()?;
            let start = body.find("· `")? + "· `".len();
            let end = body[start..].find('`')? + start;
            Some(body[start..end].to_owned())
        })
        .collect();
    ids.sort();
    ids
}

/// Pushes `content` as the only file of PR #2 at `new_head`, delivers the
/// `synchronize` event and waits for the review.
pub async fn push_and_sync(app: &TestApp, new_head: &str, content: &str) {
    app.fake.push(
        OWNER,
        REPO,
        PR,
        new_head,
        vec![FakeFile::added("src/users.ts", content)],
    );
    let mut sync = payload("pull_request.synchronize");
    sync["before"] = json!(HEAD);
    sync["after"] = json!(new_head);
    sync["pull_request"]["head"]["sha"] = json!(new_head);
    app.deliver(
        "pull_request",
        &format!("sync-{new_head}"),
        &serde_json::to_vec(&sync).unwrap(),
    )
    .await;
    app.settle().await;
}
