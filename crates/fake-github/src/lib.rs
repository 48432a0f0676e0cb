//! A stateful fake of the parts of GitHub's REST and GraphQL APIs that prwarden
//! uses, for integration tests on machines that cannot reach github.com.
//!
//! [`FakeGitHub::start`] binds a real TCP port on 127.0.0.1, so the app can talk
//! to it from the test's process (octocrab with `base_uri(fake.url())`) or from a
//! child process. The fake behaves like GitHub where prwarden's correctness
//! depends on it, as documented in `shared/reference/github-api.md`:
//!
//! - App JWTs (RS256, `iss`, 10-minute lifetime) and one-hour installation tokens,
//!   checked on every request; repositories are visible only to the tokens of the
//!   installation that owns them.
//! - Request bodies are validated against GitHub's OpenAPI description; invalid
//!   ones get GitHub's 422 and are recorded in [`FakeGitHub::schema_violations`].
//! - Check runs enforce the documented limits and *append* annotations.
//! - Reviews are all-or-nothing: one comment anchored outside the diff fails the
//!   whole request with GitHub's 422 and stores nothing.
//! - GraphQL documents are validated against GitHub's schema and executed for
//!   blobs (`object(expression:)`), review threads and their mutations.
//! - Pagination (`Link` headers), the 3000-file cap, rate-limit headers and
//!   injected faults ([`FakeGitHub::delay`], [`FakeGitHub::fail_next`]).
//! - The App's webhook: [`FakeGitHub::send_webhook`] makes signed deliveries
//!   and records them in a delivery log that the App lists and redelivers
//!   through `/app/hook/deliveries` (cursor pagination, same GUID again).
//!
//! Every request is recorded so tests can assert on what the app sent.
//!
//! ```no_run
//! use fake_github::{FakeFile, FakeGitHub, FakePr};
//!
//! # async fn example() {
//! let fake = FakeGitHub::start().await;
//! fake.add_repo(1, "Codertocat", "Hello-World");
//! fake.add_pull(
//!     "Codertocat",
//!     "Hello-World",
//!     FakePr::new(2, "ec26c3e57ca3a959ca5aad62de7213c562f8c821", vec![
//!         FakeFile::modified("src/lib.rs", "fn a() {}\n", "fn a() {}\nfn b() {}\n"),
//!     ]),
//! );
//! // … point the app at `fake.url()` with `fake_github::keys` and TEST_APP_ID,
//! // deliver a webhook, then assert on what it did:
//! assert!(fake.schema_violations().is_empty());
//! assert!(fake.invalid_graphql_queries().is_empty());
//! assert_eq!(fake.pending_reviews_created(), 0);
//! # }
//! ```
//!
//! The server runs as tasks of the test's tokio runtime. With the default
//! current-thread runtime it only makes progress while the test awaits, so a
//! test that waits for a child process must do so asynchronously
//! (`tokio::process`), or use `#[tokio::test(flavor = "multi_thread")]`.

// GitHub's objects are large; `json!` literals of them need deeper macro recursion.
#![recursion_limit = "256"]

mod checks;
mod files;
mod graphql;
pub mod keys;
mod render;
mod rest;
mod reviews;
mod server;
mod shared;
mod util;
mod webhooks;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;

pub use files::{FakeCommit, FakeFile, FakePr};

/// The App id of the test App (matches `app.id` in the reference payloads).
pub const TEST_APP_ID: u64 = 29310;
/// The test App's slug (as in the reference payloads), so the bot that posts
/// reviews is `octocoders-linter[bot]`.
pub const TEST_APP_SLUG: &str = "octocoders-linter";
/// Installations that exist from the start (ids used by the reference payloads).
pub const DEFAULT_INSTALLATIONS: [u64; 3] = [1, 957387, 690857];

/// One request the fake received, with the status it answered.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
    /// The JSON body; a body that is not JSON is recorded as a JSON string.
    pub body: Option<Value>,
    pub authorization: Option<String>,
}

/// One GraphQL document the fake received.
#[derive(Clone, Debug)]
pub struct GraphqlCall {
    pub query: String,
    pub variables: Value,
    /// Parse and validation errors (GitHub's messages); empty when valid.
    pub errors: Vec<String>,
    /// Fields that are valid in GitHub's schema but that the fake does not
    /// implement (answered with `null`), as `Type.field`.
    pub unsupported: Vec<String>,
}

/// A handle to a running fake. Cloning shares the server; the server stops when
/// the last handle is dropped (or the test's runtime ends).
#[derive(Clone)]
pub struct FakeGitHub {
    shared: Arc<Shared>,
    _server: Arc<ServerGuard>,
}

struct ServerGuard(tokio::task::JoinHandle<()>);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub(crate) struct Shared {
    state: Mutex<State>,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not poison the fake for the others.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub(crate) struct AppInfo {
    pub id: u64,
    pub slug: String,
    pub name: String,
    pub client_id: String,
    pub key: Option<jsonwebtoken::DecodingKey>,
}

pub(crate) struct TokenInfo {
    pub installation_id: u64,
    /// The App whose JWT obtained the token (its bot authors what the token posts).
    pub app_id: u64,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

pub(crate) struct StoredComment {
    pub json: Value,
    pub resolved: bool,
    pub minimized: Option<String>,
}

pub(crate) struct Pull {
    pub pr: FakePr,
    pub id: u64,
    pub created_at: String,
    /// `(head sha, files)` for every head the PR has had, oldest first.
    pub snapshots: Vec<(String, Vec<FakeFile>)>,
    /// Overrides the generated commit list when set by the test.
    pub commits: Option<Vec<FakeCommit>>,
    pub reviews: Vec<Value>,
    pub comments: Vec<StoredComment>,
    pub labels: Vec<String>,
}

impl Pull {
    pub(crate) fn files_at(&self, sha: &str) -> Option<&[FakeFile]> {
        self.snapshots
            .iter()
            .rev()
            .find(|(s, _)| s == sha)
            .map(|(_, f)| f.as_slice())
    }

    pub(crate) fn has_commit(&self, sha: &str) -> bool {
        self.snapshots.iter().any(|(s, _)| s == sha)
            || self
                .commits
                .as_ref()
                .is_some_and(|c| c.iter().any(|c| c.sha == sha))
    }
}

pub(crate) struct CheckRun {
    pub id: u64,
    pub json: Value,
    pub annotations: Vec<Value>,
}

pub(crate) struct Repo {
    pub id: u64,
    pub owner: String,
    pub name: String,
    pub installation_id: u64,
    pub default_branch: String,
    pub pulls: BTreeMap<u64, Pull>,
    /// ref (branch or commit sha) → path → bytes; `None` marks a deleted file.
    pub trees: HashMap<String, BTreeMap<String, Option<Vec<u8>>>>,
    pub blobs: HashMap<String, Vec<u8>>,
    pub binary_blobs: HashSet<String>,
    /// Answer `GET /git/trees` with `truncated: true`, as GitHub does for
    /// very large repositories.
    pub truncate_trees: bool,
    pub check_runs: Vec<CheckRun>,
    pub suites: HashMap<String, u64>,
    pub permissions: HashMap<String, String>,
    pub issue_comments: BTreeMap<u64, Vec<Value>>,
}

impl Repo {
    pub(crate) fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// Whether `sha` names a commit: one the fake knows (PR heads, bases, set
    /// commits, refs with content), or any full 40-hex SHA, so tests need not
    /// register every commit a webhook fixture mentions.
    pub(crate) fn knows_commit(&self, sha: &str) -> bool {
        (sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()))
            || self.trees.contains_key(sha)
            || self
                .pulls
                .values()
                .any(|p| p.has_commit(sha) || p.pr.base_sha == sha)
    }

    /// Stores `bytes` as a blob and returns its git SHA.
    pub(crate) fn store_blob(&mut self, bytes: Vec<u8>, binary: bool) -> String {
        let sha = util::git_blob_sha(&bytes);
        if binary || bytes.contains(&0) {
            self.binary_blobs.insert(sha.clone());
        }
        self.blobs.insert(sha.clone(), bytes);
        sha
    }

    /// The file at `git_ref` (branch, sha or `HEAD`), looking through to the base
    /// branch for files a PR did not change.
    /// Every file at `git_ref` (branch or commit sha), with the same
    /// look-through to the base branch as [`Repo::lookup`]; `None` for a ref
    /// the fake does not know.
    pub(crate) fn files_at(&self, git_ref: &str) -> Option<BTreeMap<String, &Vec<u8>>> {
        let r = git_ref.strip_prefix("refs/heads/").unwrap_or(git_ref);
        let own = self.trees.get(r);
        let base = self.pulls.values().find_map(|p| {
            let pr = &p.pr;
            let at_head = p.snapshots.iter().any(|(s, _)| s == r) || pr.head_ref == r;
            (at_head || pr.base_sha == r).then(|| pr.base_ref.clone())
        });
        let base_tree = base.as_ref().and_then(|b| self.trees.get(b));
        if own.is_none() && base.is_none() {
            return None;
        }
        let mut files = BTreeMap::new();
        for tree in [base_tree, own].into_iter().flatten() {
            for (path, bytes) in tree {
                match bytes {
                    Some(bytes) => files.insert(path.clone(), bytes),
                    None => files.remove(path),
                };
            }
        }
        Some(files)
    }

    pub(crate) fn lookup(&self, git_ref: Option<&str>, path: &str) -> Option<&Vec<u8>> {
        let r = match git_ref {
            None | Some("HEAD") | Some("") => self.default_branch.as_str(),
            Some(r) => r,
        };
        let r = r.strip_prefix("refs/heads/").unwrap_or(r);
        if let Some(entry) = self.trees.get(r).and_then(|t| t.get(path)) {
            return entry.as_ref();
        }
        let base = self.pulls.values().find_map(|p| {
            let pr = &p.pr;
            let at_head = p.snapshots.iter().any(|(s, _)| s == r) || pr.head_ref == r;
            (at_head || pr.base_sha == r).then(|| pr.base_ref.clone())
        })?;
        self.trees.get(&base)?.get(path)?.as_ref()
    }
}

pub(crate) struct ManifestCode {
    pub app_id: u64,
    pub pem: String,
    pub webhook_secret: String,
}

pub(crate) struct DelayRule {
    pub method: String,
    pub path_contains: String,
    pub delay: Duration,
}

pub(crate) struct FailRule {
    pub method: String,
    pub path_contains: String,
    pub status: u16,
    /// Matching requests to let through before failing.
    pub skip: usize,
    pub remaining: usize,
}

pub(crate) struct RateBucket {
    pub limit: u64,
    pub remaining: u64,
    pub reset: i64,
}

/// Random faults for every request (see [`FakeGitHub::set_chaos`]).
#[derive(Clone, Debug)]
pub struct Chaos {
    /// Share of requests answered 500/502/503 without being processed.
    pub server_errors: f64,
    /// Share answered 429 with `retry-after: 1`.
    pub rate_limits: f64,
    /// Each answer is held up to this long.
    pub max_delay: Duration,
}

pub(crate) struct State {
    pub chaos: Option<Chaos>,
    pub base_url: String,
    pub seq: u64,
    pub apps: HashMap<u64, AppInfo>,
    pub installations: BTreeMap<u64, String>,
    pub tokens: HashMap<String, TokenInfo>,
    pub tokens_issued: usize,
    pub token_ttl: chrono::Duration,
    pub repos: HashMap<String, Repo>,
    pub manifest_codes: HashMap<String, ManifestCode>,
    pub requests: Vec<RecordedRequest>,
    /// `(method, path)` of every request as it arrived, before any injected
    /// delay (`requests` records them once answered).
    pub arrivals: Vec<(String, String)>,
    pub violations: Vec<String>,
    pub graphql_log: Vec<GraphqlCall>,
    pub pending_reviews: usize,
    pub delays: Vec<DelayRule>,
    pub failures: Vec<FailRule>,
    pub rate: HashMap<&'static str, RateBucket>,
    pub webhook: Option<webhooks::WebhookConfig>,
    /// Every delivery attempt, in id order.
    pub deliveries: Vec<webhooks::Delivery>,
    /// Deliveries to make once the current request is answered.
    pub outbox: Vec<webhooks::Outgoing>,
}

pub(crate) fn repo_key(owner: &str, name: &str) -> String {
    // GitHub treats owner and repository names case-insensitively.
    format!("{}/{}", owner.to_lowercase(), name.to_lowercase())
}

pub(crate) fn matches_rule(rule_method: &str, rule_path: &str, method: &str, path: &str) -> bool {
    (rule_method == "*" || rule_method.eq_ignore_ascii_case(method)) && path.contains(rule_path)
}

impl State {
    fn new(base_url: String) -> State {
        let reset = chrono::Utc::now().timestamp() + 3600;
        let mut apps = HashMap::new();
        apps.insert(
            TEST_APP_ID,
            AppInfo {
                id: TEST_APP_ID,
                slug: TEST_APP_SLUG.to_string(),
                name: TEST_APP_SLUG.to_string(),
                client_id: "Iv1.8a61f9b3a7aba766".to_string(),
                key: Some(
                    jsonwebtoken::DecodingKey::from_rsa_pem(
                        keys::test_app_public_key_pem().as_bytes(),
                    )
                    .expect("fake-github: test-app.pub.pem is not an RSA public key"),
                ),
            },
        );
        let installations = DEFAULT_INSTALLATIONS
            .iter()
            .map(|id| (*id, "Codertocat".to_string()))
            .collect();
        let mut rate = HashMap::new();
        for resource in ["core", "graphql"] {
            rate.insert(
                resource,
                RateBucket {
                    limit: 5000,
                    remaining: 5000,
                    reset,
                },
            );
        }
        State {
            base_url,
            chaos: None,
            seq: 1_000_000,
            apps,
            installations,
            tokens: HashMap::new(),
            tokens_issued: 0,
            token_ttl: chrono::Duration::hours(1),
            repos: HashMap::new(),
            manifest_codes: HashMap::new(),
            requests: Vec::new(),
            arrivals: Vec::new(),
            violations: Vec::new(),
            graphql_log: Vec::new(),
            pending_reviews: 0,
            delays: Vec::new(),
            failures: Vec::new(),
            rate,
            webhook: None,
            deliveries: Vec::new(),
            outbox: Vec::new(),
        }
    }

    pub(crate) fn next_id(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn ensure_repo(&mut self, installation_id: u64, owner: &str, name: &str) -> &mut Repo {
        let key = repo_key(owner, name);
        if !self.repos.contains_key(&key) {
            let id = self.next_id();
            self.installations
                .entry(installation_id)
                .or_insert_with(|| owner.to_string());
            self.repos.insert(
                key.clone(),
                Repo {
                    id,
                    owner: owner.to_string(),
                    name: name.to_string(),
                    installation_id,
                    default_branch: "main".to_string(),
                    pulls: BTreeMap::new(),
                    trees: HashMap::new(),
                    blobs: HashMap::new(),
                    truncate_trees: false,
                    binary_blobs: HashSet::new(),
                    check_runs: Vec::new(),
                    suites: HashMap::new(),
                    permissions: HashMap::new(),
                    issue_comments: BTreeMap::new(),
                },
            );
        }
        self.repos.get_mut(&key).expect("just inserted")
    }

    pub(crate) fn repo(&self, owner: &str, name: &str) -> Option<&Repo> {
        self.repos.get(&repo_key(owner, name))
    }

    pub(crate) fn repo_mut(&mut self, owner: &str, name: &str) -> Option<&mut Repo> {
        self.repos.get_mut(&repo_key(owner, name))
    }

    /// Makes `files` the head tree of `head_sha` (and of the PR's branch).
    fn index_files(repo: &mut Repo, head_sha: &str, head_ref: &str, files: &[FakeFile]) {
        let mut tree = BTreeMap::new();
        for f in files {
            match f.head_bytes() {
                Some(bytes) => {
                    repo.store_blob(bytes.clone(), f.binary);
                    tree.insert(f.filename.clone(), Some(bytes));
                }
                None => {
                    tree.insert(f.filename.clone(), None);
                }
            }
            if let Some(prev) = &f.previous_filename {
                tree.insert(prev.clone(), None);
            }
        }
        repo.trees.insert(head_sha.to_string(), tree.clone());
        repo.trees.insert(head_ref.to_string(), tree);
    }
}

impl FakeGitHub {
    /// Starts a fake on a fresh port of 127.0.0.1. Installations 1, 957387 and
    /// 690857 exist; the App [`TEST_APP_ID`] signs with the key in `keys`.
    pub async fn start() -> FakeGitHub {
        // Load the OpenAPI description now so a missing shared folder fails the
        // test at once with a clear message instead of inside a request.
        shared::openapi();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake-github: cannot bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let url = format!("http://127.0.0.1:{port}");
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(url)),
        });
        let app = server::router(shared.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!("fake-github server stopped: {e}");
            }
        });
        FakeGitHub {
            shared,
            _server: Arc::new(ServerGuard(task)),
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        self.shared.lock().base_url.clone()
    }

    /// Adds an installation (owned by `account`) that any known App may use.
    pub fn add_installation(&self, installation_id: u64, account: &str) {
        self.shared
            .lock()
            .installations
            .insert(installation_id, account.to_string());
    }

    /// Adds a repository owned by an installation (created if it does not exist).
    pub fn add_repo(&self, installation_id: u64, owner: &str, name: &str) {
        self.shared.lock().ensure_repo(installation_id, owner, name);
    }

    /// Adds or replaces a pull request. The repository is created under
    /// installation 1 if the test did not add it.
    pub fn add_pull(&self, owner: &str, repo: &str, pr: FakePr) {
        let mut st = self.shared.lock();
        let id = st.next_id();
        let repo = st.ensure_repo(1, owner, repo);
        State::index_files(repo, &pr.head_sha, &pr.head_ref, &pr.files);
        let pull = Pull {
            id,
            created_at: util::now_iso(),
            snapshots: vec![(pr.head_sha.clone(), pr.files.clone())],
            commits: None,
            reviews: Vec::new(),
            comments: Vec::new(),
            labels: pr.labels.clone(),
            pr,
        };
        repo.pulls.insert(pull.pr.number, pull);
    }

    /// A new head commit with the PR's full new file list. Earlier heads remain
    /// valid `commit_id`s for reviews (their comments then become outdated).
    pub fn push(&self, owner: &str, repo: &str, number: u64, head_sha: &str, files: Vec<FakeFile>) {
        let mut st = self.shared.lock();
        let repo = st
            .repo_mut(owner, repo)
            .unwrap_or_else(|| panic!("fake-github: push to unknown repository {owner}/{repo}"));
        let head_ref = {
            let pull = repo
                .pulls
                .get_mut(&number)
                .unwrap_or_else(|| panic!("fake-github: push to unknown PR #{number}"));
            pull.pr.head_sha = head_sha.to_string();
            pull.pr.files = files.clone();
            pull.snapshots.push((head_sha.to_string(), files.clone()));
            pull.pr.head_ref.clone()
        };
        State::index_files(repo, head_sha, &head_ref, &files);
    }

    /// Sets a file on a branch or commit (e.g. `.github/prwarden.yml` on `main`),
    /// creating the repository under installation 1 if needed.
    pub fn add_content(&self, owner: &str, repo: &str, git_ref: &str, path: &str, content: &str) {
        let mut st = self.shared.lock();
        let repo = st.ensure_repo(1, owner, repo);
        repo.store_blob(content.as_bytes().to_vec(), false);
        repo.trees
            .entry(git_ref.to_string())
            .or_default()
            .insert(path.to_string(), Some(content.as_bytes().to_vec()));
    }

    /// Makes `GET /git/trees` of this repository answer `truncated: true`.
    pub fn set_trees_truncated(&self, owner: &str, repo: &str, truncated: bool) {
        let mut st = self.shared.lock();
        st.ensure_repo(1, owner, repo).truncate_trees = truncated;
    }

    /// Replaces the commit list of a PR (messages, trailers, author e-mails).
    /// Their SHAs become valid review `commit_id`s too.
    pub fn set_commits(&self, owner: &str, repo: &str, number: u64, commits: Vec<FakeCommit>) {
        let mut st = self.shared.lock();
        if let Some(pull) = st
            .repo_mut(owner, repo)
            .and_then(|r| r.pulls.get_mut(&number))
        {
            pull.commits = Some(commits);
        }
    }

    /// Sets a user's permission on a repository (`admin`, `maintain`, `write`,
    /// `triage`, `read` or `none`); users not set have `none`.
    pub fn set_permission(&self, owner: &str, repo: &str, user: &str, permission: &str) {
        let mut st = self.shared.lock();
        let repo = st.ensure_repo(1, owner, repo);
        repo.permissions
            .insert(user.to_lowercase(), permission.to_string());
    }

    /// Registers a manifest code for `POST /app-manifests/{code}/conversions`. The
    /// App becomes known, so JWTs signed with `pem` for `app_id` are accepted.
    pub fn add_manifest_code(&self, code: &str, app_id: u64, pem: &str, webhook_secret: &str) {
        let mut st = self.shared.lock();
        if let Some(key) = server::decoding_key_from_private_pem(pem) {
            let slug = format!("prwarden-{app_id}");
            st.apps.entry(app_id).or_insert(AppInfo {
                id: app_id,
                name: slug.clone(),
                slug,
                client_id: format!("Iv1.{}", util::random_hex(16)),
                key: Some(key),
            });
        }
        st.manifest_codes.insert(
            code.to_string(),
            ManifestCode {
                app_id,
                pem: pem.to_string(),
                webhook_secret: webhook_secret.to_string(),
            },
        );
    }

    /// All reviews of a PR, including pending ones (`state: "PENDING"`).
    pub fn reviews(&self, owner: &str, repo: &str, number: u64) -> Vec<Value> {
        self.with_pull(owner, repo, number, |p| p.reviews.clone())
    }

    /// All review comments of a PR, as the REST API shows them.
    pub fn review_comments(&self, owner: &str, repo: &str, number: u64) -> Vec<Value> {
        self.with_pull(owner, repo, number, |p| {
            p.comments.iter().map(|c| c.json.clone()).collect()
        })
    }

    /// Review threads as GraphQL sees them: `{id, path, line, is_resolved,
    /// comment_ids, minimized}` per thread (one per top-level comment).
    pub fn review_threads(&self, owner: &str, repo: &str, number: u64) -> Vec<Value> {
        self.with_pull(owner, repo, number, graphql::threads_summary)
    }

    /// Labels currently on a PR.
    pub fn labels(&self, owner: &str, repo: &str, number: u64) -> Vec<String> {
        self.with_pull(owner, repo, number, |p| p.labels.clone())
    }

    /// Issue (conversation) comments on a PR.
    pub fn issue_comments(&self, owner: &str, repo: &str, number: u64) -> Vec<Value> {
        let st = self.shared.lock();
        st.repo(owner, repo)
            .and_then(|r| r.issue_comments.get(&number).cloned())
            .unwrap_or_default()
    }

    /// The current state of each check run of a repository, with an extra
    /// `annotations` array holding every annotation appended so far.
    pub fn check_runs(&self, owner: &str, repo: &str) -> Vec<Value> {
        let st = self.shared.lock();
        let Some(r) = st.repo(owner, repo) else {
            return Vec::new();
        };
        r.check_runs
            .iter()
            .map(|run| {
                let mut v = checks::render(&st, r, run);
                v["annotations"] = Value::Array(run.annotations.clone());
                v
            })
            .collect()
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Recorded requests with this method (`*` for any) whose path contains
    /// `path_contains` (the query string is not searched).
    pub fn count(&self, method: &str, path_contains: &str) -> usize {
        self.shared
            .lock()
            .requests
            .iter()
            .filter(|r| matches_rule(method, path_contains, &r.method, &r.path))
            .count()
    }

    /// Like [`FakeGitHub::count`], counting requests from when they arrive,
    /// so a test can act while one is held by [`FakeGitHub::delay`].
    pub fn arrived(&self, method: &str, path_contains: &str) -> usize {
        self.shared
            .lock()
            .arrivals
            .iter()
            .filter(|(m, p)| matches_rule(method, path_contains, m, p))
            .count()
    }

    /// Request bodies that broke GitHub's OpenAPI schema, and query parameters or
    /// fields that broke limits GitHub states only in prose.
    pub fn schema_violations(&self) -> Vec<String> {
        self.shared.lock().violations.clone()
    }

    /// Every GraphQL document received, with its validation errors.
    pub fn graphql_queries(&self) -> Vec<GraphqlCall> {
        self.shared.lock().graphql_log.clone()
    }

    /// Validation errors of all GraphQL documents received (empty when all were valid).
    pub fn invalid_graphql_queries(&self) -> Vec<String> {
        self.shared
            .lock()
            .graphql_log
            .iter()
            .flat_map(|c| c.errors.iter().map(move |e| format!("{e} in: {}", c.query)))
            .collect()
    }

    /// How many reviews were created without `event` (left PENDING on GitHub).
    pub fn pending_reviews_created(&self) -> usize {
        self.shared.lock().pending_reviews
    }

    pub fn tokens_issued(&self) -> usize {
        self.shared.lock().tokens_issued
    }

    /// Makes every installation token issued so far expire now (the next use
    /// gets 401), to exercise the app's token refresh.
    pub fn expire_tokens(&self) {
        let past = chrono::Utc::now() - chrono::Duration::seconds(1);
        for t in self.shared.lock().tokens.values_mut() {
            t.expires_at = past;
        }
    }

    /// Lifetime of tokens issued from now on (GitHub: one hour).
    pub fn set_token_ttl(&self, ttl: Duration) {
        self.shared.lock().token_ttl =
            chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(1));
    }

    /// Sets the primary rate limit's remaining budget for `core` or `graphql`;
    /// at 0 requests get GitHub's 403 "API rate limit exceeded".
    pub fn set_rate_limit_remaining(&self, resource: &str, remaining: u64) {
        let mut st = self.shared.lock();
        if let Some(b) = st.rate.iter_mut().find(|(k, _)| **k == resource) {
            b.1.remaining = remaining;
        }
    }

    pub fn responses_with_status(&self, status: u16) -> usize {
        self.shared
            .lock()
            .requests
            .iter()
            .filter(|r| r.status == status)
            .count()
    }

    /// Faults: hold matching requests (method or `*`, path substring) for
    /// `delay` before answering them.
    pub fn delay(&self, method: &str, path_contains: &str, delay: Duration) {
        self.shared.lock().delays.push(DelayRule {
            method: method.to_string(),
            path_contains: path_contains.to_string(),
            delay,
        });
    }

    /// Faults: answer the next `times` matching requests with `status` and a
    /// GitHub-style error body (403/429 carry `retry-after: 1`, like a
    /// secondary rate limit).
    pub fn fail_next(&self, method: &str, path_contains: &str, status: u16, times: usize) {
        self.fail_after(method, path_contains, status, 0, times);
    }

    /// Like [`FakeGitHub::fail_next`], after letting `skip` matching requests
    /// through: a step that fails after an earlier one has taken effect.
    pub fn fail_after(
        &self,
        method: &str,
        path_contains: &str,
        status: u16,
        skip: usize,
        times: usize,
    ) {
        self.shared.lock().failures.push(FailRule {
            method: method.to_string(),
            path_contains: path_contains.to_string(),
            status,
            skip,
            remaining: times,
        });
    }

    /// Faults at random on every request from now on (`None` stops them),
    /// like an unreliable GitHub: server errors, rate limits with
    /// `retry-after`, and slow answers.
    pub fn set_chaos(&self, chaos: Option<Chaos>) {
        self.shared.lock().chaos = chaos;
    }

    /// A person's reply in the thread of review comment `root_id`, as if they
    /// had typed it on GitHub.
    pub fn human_reply(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
        root_id: u64,
        login: &str,
        body: &str,
    ) {
        let mut st = self.shared.lock();
        let id = st.next_id();
        let base = st.base_url.clone();
        let pull = st
            .repo_mut(owner, repo)
            .and_then(|r| r.pulls.get_mut(&number))
            .expect("unknown pull request");
        let root = pull
            .comments
            .iter()
            .find(|c| c.json["id"].as_u64() == Some(root_id))
            .expect("unknown review comment")
            .json
            .clone();
        let mut reply = root;
        reply["id"] = serde_json::json!(id);
        reply["node_id"] = serde_json::json!(format!("PRRC_human{id}"));
        reply["body"] = serde_json::json!(body);
        reply["in_reply_to_id"] = serde_json::json!(root_id);
        reply["user"] = render::user(&base, login, "User");
        pull.comments.push(StoredComment {
            json: reply,
            resolved: false,
            minimized: None,
        });
    }

    /// Resolves the thread of review comment `root_id` as a person would
    /// with the "Resolve conversation" button.
    pub fn resolve_by_hand(&self, owner: &str, repo: &str, number: u64, root_id: u64) {
        let mut st = self.shared.lock();
        let pull = st
            .repo_mut(owner, repo)
            .and_then(|r| r.pulls.get_mut(&number))
            .expect("unknown pull request");
        for c in pull.comments.iter_mut() {
            if c.json["id"].as_u64() == Some(root_id) {
                c.resolved = true;
            }
        }
    }

    /// Configures the App's webhook: where deliveries go and the secret that
    /// signs them (`X-Hub-Signature-256`). Redeliveries use the settings in
    /// force when they are made, as on GitHub.
    pub fn set_webhook(&self, url: &str, secret: &str) {
        self.shared.lock().webhook = Some(webhooks::WebhookConfig {
            url: url.to_string(),
            secret: secret.to_string(),
        });
    }

    /// Delivers `payload` as GitHub would: a POST to the webhook URL with the
    /// exact JSON bytes, `X-GitHub-Event`, a fresh GUID in
    /// `X-GitHub-Delivery`, `X-Hub-Signature-256`, `Content-Type:
    /// application/json` and `User-Agent: GitHub-Hookshot/fake`. The attempt is
    /// recorded in the delivery log (`GET /app/hook/deliveries`). Returns the
    /// HTTP status, or 0 when the URL could not be reached or did not answer
    /// within 10 seconds.
    ///
    /// # Panics
    ///
    /// When no webhook was configured with [`FakeGitHub::set_webhook`].
    pub async fn send_webhook(&self, event: &str, payload: &Value) -> u16 {
        assert!(
            self.shared.lock().webhook.is_some(),
            "fake-github: call set_webhook before send_webhook"
        );
        let body = serde_json::to_vec(payload).expect("JSON values serialize");
        let out = webhooks::Outgoing {
            guid: webhooks::new_guid(),
            event: event.to_string(),
            body: Arc::new(body),
            redelivery: false,
        };
        webhooks::deliver(Arc::clone(&self.shared), out).await
    }

    /// The delivery log, oldest first, in the `hook-delivery-item` shape of
    /// `GET /app/hook/deliveries` plus the target `url`. Redeliveries appear
    /// once their attempt is over (they are made after `202 Accepted`).
    pub fn deliveries(&self) -> Vec<Value> {
        self.shared
            .lock()
            .deliveries
            .iter()
            .map(|d| {
                let mut item = d.item();
                item["url"] = Value::String(d.url.clone());
                item
            })
            .collect()
    }

    /// Moves every recorded delivery `age` into the past, e.g. beyond the
    /// 3-day window in which GitHub can redeliver it.
    pub fn backdate_deliveries(&self, age: Duration) {
        let age = chrono::Duration::from_std(age).unwrap_or(chrono::Duration::zero());
        for d in self.shared.lock().deliveries.iter_mut() {
            d.delivered_at -= age;
        }
    }

    fn with_pull<T: Default>(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
        f: impl FnOnce(&Pull) -> T,
    ) -> T {
        let st = self.shared.lock();
        st.repo(owner, repo)
            .and_then(|r| r.pulls.get(&number))
            .map(f)
            .unwrap_or_default()
    }
}
