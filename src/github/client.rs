//! The GitHub App client: App JWTs, per-installation token cache, and JSON
//! requests with Link pagination, on octocrab's HTTP stack.
//!
//! prwarden attaches credentials itself instead of using octocrab's auth
//! states: octocrab only authenticates relative URIs or api.github.com, so
//! Link-header pages and GHES GraphQL (`/api/graphql`) would go out without a
//! token. Octocrab is built without its retry layer, which re-sends POSTs
//! (reviews, check runs) blindly; idempotent GETs are retried here instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use octocrab::Octocrab;
use serde::Serialize;
use serde_json::Value;
use tracing::{debug, warn};

use crate::config::ApiEndpoints;

/// Installation tokens live one hour; renew this long before they expire so
/// that no request in flight carries a token that dies on the way.
const TOKEN_RENEW_BEFORE: Duration = Duration::from_secs(5 * 60);
/// Attempts for idempotent requests on 5xx and transport errors.
const GET_ATTEMPTS: u32 = 3;
/// Longest `retry-after` honoured inline; longer waits fail the job, which is
/// retried later by the queue.
const MAX_INLINE_WAIT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum GitHubError {
    #[error("{method} {path}: GitHub answered {status}: {message}")]
    Status {
        method: Method,
        path: String,
        status: StatusCode,
        message: String,
    },
    #[error("{method} {path}: request failed: {source}")]
    Transport {
        method: Method,
        path: String,
        #[source]
        source: Box<octocrab::Error>,
    },
    #[error("{method} {path}: unreadable response: {detail}")]
    Decode {
        method: Method,
        path: String,
        detail: String,
    },
    #[error("invalid App private key: {0}")]
    Key(String),
    #[error("could not sign the App JWT: {0}")]
    Jwt(String),
    #[error("GraphQL error: {0}")]
    Graphql(String),
    #[error("GitHub rate limit: paused until {retry_at}")]
    RateLimited { retry_at: DateTime<Utc> },
    #[error("{method} {path}: not sent, the job's lease ran out (another worker may hold it)")]
    LeaseExpired { method: Method, path: String },
}

impl GitHubError {
    /// Worth another try later: GitHub or the network failed, not the request.
    pub fn is_transient(&self) -> bool {
        match self {
            GitHubError::Transport { .. } => true,
            GitHubError::Status { status, .. } => status.is_server_error(),
            _ => false,
        }
    }

    pub fn status(&self) -> Option<StatusCode> {
        match self {
            GitHubError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// One registered GitHub App: signs JWTs and hands out installation clients.
pub struct GitHubApp {
    http: Octocrab,
    endpoints: ApiEndpoints,
    app_id: u64,
    key: EncodingKey,
    installations: Mutex<HashMap<u64, Arc<Installation>>>,
}

impl std::fmt::Debug for GitHubApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHubApp")
            .field("app_id", &self.app_id)
            .field("api", &self.endpoints.rest)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct Claims {
    iat: i64,
    exp: i64,
    iss: String,
}

/// Builds the shared HTTP stack, with timeouts on every request.
pub fn http_client(endpoints: &ApiEndpoints) -> anyhow::Result<Octocrab> {
    use anyhow::Context;
    Octocrab::builder()
        .base_uri(endpoints.rest.as_str())
        .context("GITHUB_API_URL is not a valid URI")?
        .set_connect_timeout(Some(Duration::from_secs(10)))
        .set_read_timeout(Some(Duration::from_secs(60)))
        .set_write_timeout(Some(Duration::from_secs(60)))
        .build()
        .context("could not build the HTTP client")
}

impl GitHubApp {
    pub fn new(
        http: Octocrab,
        endpoints: ApiEndpoints,
        app_id: u64,
        private_key_pem: &str,
    ) -> Result<GitHubApp, GitHubError> {
        let key = EncodingKey::from_rsa_pem(private_key_pem.as_bytes())
            .map_err(|e| GitHubError::Key(e.to_string()))?;
        Ok(GitHubApp {
            http,
            endpoints,
            app_id,
            key,
            installations: Mutex::new(HashMap::new()),
        })
    }

    pub fn app_id(&self) -> u64 {
        self.app_id
    }

    /// An App JWT: issued 60 s in the past against clock drift, valid for
    /// 9 minutes (GitHub allows at most 10).
    pub fn app_jwt(&self) -> Result<String, GitHubError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            iat: now - 60,
            exp: now + 9 * 60,
            iss: self.app_id.to_string(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &self.key)
            .map_err(|e| GitHubError::Jwt(e.to_string()))
    }

    /// The one client of an installation, created on first use and reused so
    /// that its token is shared by every job of that installation.
    pub fn installation(self: &Arc<Self>, installation_id: u64) -> Arc<Installation> {
        let mut map = self
            .installations
            .lock()
            .expect("installation map poisoned");
        map.entry(installation_id)
            .or_insert_with(|| Arc::new(Installation::new(Arc::clone(self), installation_id)))
            .clone()
    }

    fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            path_or_url.to_owned()
        } else {
            format!("{}{}", self.endpoints.rest, path_or_url)
        }
    }

    /// Sends one request and reads the whole response.
    async fn send(
        &self,
        method: Method,
        url: &str,
        auth: &str,
        body: Option<&Value>,
        if_none_match: Option<&str>,
    ) -> Result<(StatusCode, HeaderMap, Vec<u8>), GitHubError> {
        let path = redact_query(url);
        let mut builder = Request::builder()
            .method(method.clone())
            .uri(url)
            .header(header::ACCEPT, "application/vnd.github+json");
        if let Some(etag) = if_none_match {
            builder = builder.header(header::IF_NONE_MATCH, etag);
        }
        if !auth.is_empty() {
            let mut value = HeaderValue::from_str(auth).map_err(|e| GitHubError::Decode {
                method: method.clone(),
                path: path.clone(),
                detail: e.to_string(),
            })?;
            value.set_sensitive(true);
            builder = builder.header(header::AUTHORIZATION, value);
        }
        let request = match body {
            Some(body) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(serde_json::to_vec(body).expect("JSON values serialize")),
            None => builder.body(Vec::new()),
        }
        .map_err(|e| GitHubError::Decode {
            method: method.clone(),
            path: path.clone(),
            detail: e.to_string(),
        })?;
        let response =
            self.http
                .execute(request)
                .await
                .map_err(|source| GitHubError::Transport {
                    method: method.clone(),
                    path: path.clone(),
                    source: Box::new(source),
                })?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|source| GitHubError::Transport {
                method: method.clone(),
                path: path.clone(),
                source: Box::new(source),
            })?
            .to_bytes()
            .to_vec();
        debug!(%method, %path, %status, "github request");
        Ok((status, headers, bytes))
    }

    /// Exchanges the App JWT for an installation token.
    async fn create_installation_token(
        &self,
        installation_id: u64,
    ) -> Result<CachedToken, GitHubError> {
        let url = self.url(&format!(
            "/app/installations/{installation_id}/access_tokens"
        ));
        // An extra token is harmless, so failures are simply retried; rate
        // limits are waited out when GitHub says for how long.
        let mut attempt = 0;
        let (status, bytes) = loop {
            attempt += 1;
            let jwt = self.app_jwt()?;
            let sent = self
                .send(Method::POST, &url, &format!("Bearer {jwt}"), None, None)
                .await;
            let last = attempt >= GET_ATTEMPTS + 2;
            match sent {
                Ok((status, headers, bytes)) if !last => {
                    if let Some(wait) = rate_limit_wait(status, &headers) {
                        if wait <= MAX_INLINE_WAIT {
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                    } else if status.is_server_error() {
                        tokio::time::sleep(backoff(attempt)).await;
                        continue;
                    }
                    break (status, bytes);
                }
                Ok((status, _, bytes)) => break (status, bytes),
                Err(GitHubError::Transport { .. }) if !last => {
                    tokio::time::sleep(backoff(attempt)).await;
                }
                Err(err) => return Err(err),
            }
        };
        let value = decode(Method::POST, &url, status, &bytes)?;
        let token = value["token"].as_str().unwrap_or_default().to_owned();
        let expires_at = value["expires_at"]
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc));
        match (token.is_empty(), expires_at) {
            (false, Some(expires_at)) => Ok(CachedToken { token, expires_at }),
            _ => Err(GitHubError::Decode {
                method: Method::POST,
                path: redact_query(&url),
                detail: "installation token response lacks token or expires_at".into(),
            }),
        }
    }

    /// A request as the App itself (JWT), e.g. `GET /app/hook/deliveries`.
    /// Idempotent GETs are retried on 5xx and transport errors like
    /// installation requests.
    pub async fn app_request(
        &self,
        method: Method,
        path_or_url: &str,
        body: Option<&Value>,
    ) -> Result<JsonResponse, GitHubError> {
        let url = self.url(path_or_url);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let auth = format!("Bearer {}", self.app_jwt()?);
            let retryable = method == Method::GET && attempt < GET_ATTEMPTS;
            match self.send(method.clone(), &url, &auth, body, None).await {
                Ok((status, _, _)) if retryable && status.is_server_error() => {}
                Ok((status, headers, bytes)) => {
                    let value = decode(method.clone(), &url, status, &bytes)?;
                    return Ok(JsonResponse {
                        status,
                        value,
                        headers,
                    });
                }
                Err(GitHubError::Transport { .. }) if retryable => {}
                Err(err) => return Err(err),
            }
            tokio::time::sleep(backoff(attempt)).await;
        }
    }

    /// `POST /app-manifests/{code}/conversions`: needs no authentication.
    pub async fn convert_manifest(
        http: &Octocrab,
        endpoints: &ApiEndpoints,
        code: &str,
    ) -> Result<Value, GitHubError> {
        let url = format!("{}/app-manifests/{code}/conversions", endpoints.rest);
        let path = "/app-manifests/{code}/conversions".to_owned();
        let request = Request::builder()
            .method(Method::POST)
            .uri(&url)
            .header(header::ACCEPT, "application/vnd.github+json")
            .body(Vec::new())
            .map_err(|e| GitHubError::Decode {
                method: Method::POST,
                path: path.clone(),
                detail: e.to_string(),
            })?;
        let response = http
            .execute(request)
            .await
            .map_err(|source| GitHubError::Transport {
                method: Method::POST,
                path: path.clone(),
                source: Box::new(source),
            })?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|source| GitHubError::Transport {
                method: Method::POST,
                path: path.clone(),
                source: Box::new(source),
            })?
            .to_bytes();
        decode(Method::POST, &path, status, &bytes)
    }
}

#[derive(Clone)]
struct CachedToken {
    token: String,
    expires_at: DateTime<Utc>,
}

impl CachedToken {
    fn fresh(&self) -> bool {
        let renew_at = self.expires_at
            - chrono::Duration::from_std(TOKEN_RENEW_BEFORE).expect("small duration");
        Utc::now() < renew_at
    }
}

/// Requests on behalf of one installation.
pub struct Installation {
    app: Arc<GitHubApp>,
    id: u64,
    token: tokio::sync::Mutex<Option<CachedToken>>,
    /// Set when GitHub asked this installation to wait: its requests wait
    /// (or its jobs are put back) instead of hammering.
    paused_until: std::sync::Mutex<Option<DateTime<Utc>>>,
    /// Secondary limits hit in a row, for exponential waits.
    secondary_hits: std::sync::atomic::AtomicU32,
    /// Paces content-creating requests to GitHub's 80 per minute.
    pacer: tokio::sync::Mutex<Pacer>,
}

/// A token bucket: bursts of up to `CONTENT_PER_MINUTE` requests, then one
/// every 60/`CONTENT_PER_MINUTE` seconds.
struct Pacer {
    tokens: f64,
    last: tokio::time::Instant,
}

/// GitHub: "no more than 80 content-generating requests per minute".
const CONTENT_PER_MINUTE: f64 = 80.0;

impl Pacer {
    fn new() -> Pacer {
        Pacer {
            tokens: CONTENT_PER_MINUTE,
            last: tokio::time::Instant::now(),
        }
    }

    /// How long to wait before the next request may go; takes its token.
    fn take(&mut self) -> Duration {
        let now = tokio::time::Instant::now();
        let rate = CONTENT_PER_MINUTE / 60.0;
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * rate)
            .min(CONTENT_PER_MINUTE);
        self.last = now;
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / rate)
        }
    }
}

/// Whether a failed request may simply be sent again.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// Sending it twice has the effect of sending it once (GET, PATCH of
    /// plain fields, adding labels, GraphQL queries and resolving).
    Safe,
    /// It creates something: the caller looks before it retries.
    Never,
}

/// A decoded JSON response with the headers callers may need (Link).
pub struct JsonResponse {
    /// `304 Not Modified` answers a conditional GET with `Value::Null`.
    pub status: StatusCode,
    pub value: Value,
    pub headers: HeaderMap,
}

/// Rate-limit waits taken inline for one request before giving up.
const RATE_LIMIT_RETRIES: u32 = 4;

impl Installation {
    fn new(app: Arc<GitHubApp>, id: u64) -> Installation {
        Installation {
            app,
            id,
            token: tokio::sync::Mutex::new(None),
            paused_until: std::sync::Mutex::new(None),
            secondary_hits: std::sync::atomic::AtomicU32::new(0),
            pacer: tokio::sync::Mutex::new(Pacer::new()),
        }
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    async fn auth_header(&self) -> Result<String, GitHubError> {
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| t.fresh()) {
            return Ok(format!("Bearer {}", token.token));
        }
        let token = self.app.create_installation_token(self.id).await?;
        let header = format!("Bearer {}", token.token);
        *cached = Some(token);
        Ok(header)
    }

    async fn forget_token(&self) {
        *self.token.lock().await = None;
    }

    /// Waits out a pause GitHub asked for, or says how long it still lasts
    /// when that is longer than a request should wait.
    async fn wait_if_paused(&self) -> Result<(), GitHubError> {
        let until = *self.paused_until.lock().expect("pause lock");
        let Some(until) = until else {
            return Ok(());
        };
        let left = (until - Utc::now()).to_std().unwrap_or_default();
        if left.is_zero() {
            return Ok(());
        }
        if left > MAX_INLINE_WAIT {
            return Err(GitHubError::RateLimited { retry_at: until });
        }
        tokio::time::sleep(left).await;
        Ok(())
    }

    /// Records a rate-limit answer: how long this installation must wait.
    /// GitHub's order: `retry-after` if present; else the reset time when
    /// `x-ratelimit-remaining` is 0; else (secondary limits) at least a
    /// minute, growing exponentially while the limit keeps being hit.
    fn pause_for(&self, status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Option<Duration> {
        let wait = match rate_limit_wait(status, headers) {
            Some(wait) if headers.contains_key("retry-after") => wait,
            Some(wait) if !is_secondary_limit(status, headers, body) => wait,
            _ if is_secondary_limit(status, headers, body) => {
                let hits = self
                    .secondary_hits
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Duration::from_secs(60 << hits.min(5))
            }
            _ => return None,
        };
        let until = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
        *self.paused_until.lock().expect("pause lock") = Some(until);
        Some(wait)
    }

    /// One request with installation auth.
    ///
    /// - A 401 means the token was revoked or expired early: renew it once
    ///   and resend (the request was not processed, so this is safe even for
    ///   POSTs).
    /// - A rate-limit answer (403/429 per GitHub's rules) pauses the whole
    ///   installation; the request was not processed either, so it is sent
    ///   again after the wait, or fails with `RateLimited` when the wait is
    ///   long, so that the job is put back instead of holding a worker.
    /// - 5xx answers and transport errors are retried with exponential
    ///   backoff and jitter when `retry` says that is safe.
    async fn request(
        &self,
        method: Method,
        path_or_url: &str,
        body: Option<&Value>,
        if_none_match: Option<&str>,
        retry: Retry,
    ) -> Result<JsonResponse, GitHubError> {
        let url = self.app.url(path_or_url);
        let creates_content =
            method != Method::GET && !is_graphql_query(&url, body, &self.app.endpoints);
        let mut attempt = 0;
        let mut limited = 0;
        let mut renewed = false;
        loop {
            self.wait_if_paused().await?;
            if creates_content {
                let wait = self.pacer.lock().await.take();
                if !wait.is_zero() {
                    debug!(?wait, "pacing content creation");
                    tokio::time::sleep(wait).await;
                }
            }
            attempt += 1;
            let retryable = retry == Retry::Safe && attempt < GET_ATTEMPTS;
            let auth = self.auth_header().await?;
            // Checked last, after every wait above: the write goes out now
            // or not at all.
            if creates_content && !super::fence::allows_write() {
                return Err(GitHubError::LeaseExpired {
                    method,
                    path: redact_query(&url),
                });
            }
            let sent = self
                .app
                .send(method.clone(), &url, &auth, body, if_none_match)
                .await;
            let (status, headers, bytes) = match sent {
                Ok(parts) => parts,
                Err(err @ GitHubError::Transport { .. }) if retryable => {
                    warn!(error = %err, attempt, "transport error, retrying");
                    tokio::time::sleep(backoff(attempt)).await;
                    continue;
                }
                Err(err) => return Err(err),
            };
            if status == StatusCode::UNAUTHORIZED && !renewed {
                renewed = true;
                attempt -= 1;
                self.forget_token().await;
                continue;
            }
            if let Some(wait) = self.pause_for(status, &headers, &bytes) {
                limited += 1;
                attempt -= 1;
                warn!(?wait, %status, installation = self.id, "rate limited: pausing this installation");
                if limited > RATE_LIMIT_RETRIES {
                    let retry_at =
                        Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                    return Err(GitHubError::RateLimited { retry_at });
                }
                continue;
            }
            if status.is_success() {
                self.secondary_hits
                    .store(0, std::sync::atomic::Ordering::Relaxed);
            }
            if retryable && status.is_server_error() {
                warn!(%status, attempt, "server error, retrying");
                tokio::time::sleep(backoff(attempt)).await;
                continue;
            }
            let value = decode(method.clone(), &url, status, &bytes)?;
            return Ok(JsonResponse {
                status,
                value,
                headers,
            });
        }
    }

    pub async fn get(&self, path_or_url: &str) -> Result<JsonResponse, GitHubError> {
        self.request(Method::GET, path_or_url, None, None, Retry::Safe)
            .await
    }

    /// A GET that answers `304` with `Value::Null` when `etag` still matches;
    /// GitHub does not count such answers against the rate limit.
    pub async fn get_if_changed(
        &self,
        path: &str,
        etag: Option<&str>,
    ) -> Result<JsonResponse, GitHubError> {
        self.request(Method::GET, path, None, etag, Retry::Safe)
            .await
    }

    /// A POST that creates something: never resent blindly; the caller looks
    /// before it retries.
    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, GitHubError> {
        Ok(self
            .request(Method::POST, path, Some(body), None, Retry::Never)
            .await?
            .value)
    }

    /// A POST whose repetition is harmless (e.g. adding labels).
    pub async fn post_idempotent(&self, path: &str, body: &Value) -> Result<Value, GitHubError> {
        Ok(self
            .request(Method::POST, path, Some(body), None, Retry::Safe)
            .await?
            .value)
    }

    /// A PATCH of plain fields: sending it twice sets them twice.
    pub async fn patch(&self, path: &str, body: &Value) -> Result<Value, GitHubError> {
        Ok(self
            .request(Method::PATCH, path, Some(body), None, Retry::Safe)
            .await?
            .value)
    }

    /// A PATCH with an appending effect (check-run annotations): never
    /// resent blindly.
    pub async fn patch_once(&self, path: &str, body: &Value) -> Result<Value, GitHubError> {
        Ok(self
            .request(Method::PATCH, path, Some(body), None, Retry::Never)
            .await?
            .value)
    }

    pub async fn delete(&self, path: &str) -> Result<(), GitHubError> {
        self.request(Method::DELETE, path, None, None, Retry::Safe)
            .await?;
        Ok(())
    }

    /// Every item of a paginated list, following `Link: rel="next"` until it
    /// ends or `max_items` is reached.
    pub async fn get_all(
        &self,
        first_page: &str,
        max_items: usize,
    ) -> Result<Vec<Value>, GitHubError> {
        let mut items = Vec::new();
        let mut next = Some(first_page.to_owned());
        while let Some(url) = next.take() {
            let page = self.get(&url).await?;
            let Value::Array(page_items) = page.value else {
                return Err(GitHubError::Decode {
                    method: Method::GET,
                    path: redact_query(&url),
                    detail: "expected a JSON array".into(),
                });
            };
            items.extend(page_items);
            if items.len() >= max_items {
                items.truncate(max_items);
                break;
            }
            next = next_link(&page.headers);
        }
        Ok(items)
    }

    /// A GraphQL query; any `errors` entry fails it.
    pub async fn graphql(&self, query: &str, variables: Value) -> Result<Value, GitHubError> {
        let url = self.app.endpoints.graphql.clone();
        let body = serde_json::json!({ "query": query, "variables": variables });
        // Queries and the mutations prwarden sends (resolving a thread) have
        // the same effect when repeated.
        let response = self
            .request(Method::POST, &url, Some(&body), None, Retry::Safe)
            .await?
            .value;
        if let Some(errors) = response.get("errors").and_then(Value::as_array)
            && !errors.is_empty()
        {
            let messages: Vec<&str> = errors
                .iter()
                .filter_map(|e| e["message"].as_str())
                .collect();
            return Err(GitHubError::Graphql(messages.join("; ")));
        }
        Ok(response.get("data").cloned().unwrap_or(Value::Null))
    }
}

fn decode(
    method: Method,
    url: &str,
    status: StatusCode,
    bytes: &[u8],
) -> Result<Value, GitHubError> {
    if status == StatusCode::NOT_MODIFIED {
        return Ok(Value::Null);
    }
    if !status.is_success() {
        let message = serde_json::from_slice::<Value>(bytes)
            .ok()
            .map(|v| {
                let mut message = v["message"].as_str().unwrap_or_default().to_owned();
                if let Some(errors) = v.get("errors") {
                    message.push_str(&format!(" {errors}"));
                }
                message
            })
            .unwrap_or_else(|| {
                String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned()
            });
        return Err(GitHubError::Status {
            method,
            path: redact_query(url),
            status,
            message,
        });
    }
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes).map_err(|e| GitHubError::Decode {
        method,
        path: redact_query(url),
        detail: e.to_string(),
    })
}

/// The path of a URL without host or query, for logs and errors.
fn redact_query(url: &str) -> String {
    let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = without_scheme
        .find('/')
        .map_or("/", |i| &without_scheme[i..]);
    path.split('?').next().unwrap_or(path).to_owned()
}

fn backoff(attempt: u32) -> Duration {
    let base = Duration::from_millis(200 * 2u64.pow(attempt.min(6)));
    let jitter = Duration::from_millis(rand::random_range(0..200));
    base + jitter
}

/// GitHub's secondary limits answer 403 (or 429) with a message saying so
/// and often no rate-limit headers.
fn is_secondary_limit(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> bool {
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return false;
    }
    let says_so = String::from_utf8_lossy(&body[..body.len().min(2048)])
        .to_ascii_lowercase()
        .contains("secondary rate limit");
    let remaining_zero = headers
        .get("x-ratelimit-remaining")
        .and_then(|v| v.to_str().ok())
        == Some("0");
    says_so
        || (status == StatusCode::TOO_MANY_REQUESTS
            && !remaining_zero
            && !headers.contains_key("retry-after"))
}

/// A GraphQL query (not a mutation) reads; it creates no content.
fn is_graphql_query(url: &str, body: Option<&Value>, endpoints: &ApiEndpoints) -> bool {
    url == endpoints.graphql
        && body
            .and_then(|b| b["query"].as_str())
            .is_some_and(|q| !q.trim_start().starts_with("mutation"))
}

/// How long GitHub asks us to wait, for a rate-limited response (403/429).
fn rate_limit_wait(status: StatusCode, headers: &HeaderMap) -> Option<Duration> {
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let header_num = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
    };
    if let Some(seconds) = header_num("retry-after") {
        return Some(Duration::from_secs(seconds.max(0) as u64));
    }
    if header_num("x-ratelimit-remaining") == Some(0) {
        let reset = header_num("x-ratelimit-reset")?;
        let wait = (reset - Utc::now().timestamp()).max(1);
        return Some(Duration::from_secs(wait as u64));
    }
    // A 403 without rate-limit headers is a permission error, not a limit.
    (status == StatusCode::TOO_MANY_REQUESTS).then(|| Duration::from_secs(60))
}

/// The `rel="next"` target of a `Link` header.
pub fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get(header::LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        is_next.then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_link_is_found_among_other_relations() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::LINK,
            HeaderValue::from_static(
                "<https://api.github.com/repositories/1/pulls/2/files?per_page=100&page=1>; rel=\"prev\", \
                 <https://api.github.com/repositories/1/pulls/2/files?per_page=100&page=3>; rel=\"next\", \
                 <https://api.github.com/repositories/1/pulls/2/files?per_page=100&page=4>; rel=\"last\"",
            ),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://api.github.com/repositories/1/pulls/2/files?per_page=100&page=3")
        );
        headers.insert(
            header::LINK,
            HeaderValue::from_static("<https://x/a?page=1>; rel=\"first\""),
        );
        assert_eq!(next_link(&headers), None);
    }

    #[test]
    fn rate_limit_wait_follows_githubs_rules() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(
            rate_limit_wait(StatusCode::TOO_MANY_REQUESTS, &headers),
            Some(Duration::from_secs(7))
        );
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        let reset = (Utc::now().timestamp() + 30).to_string();
        headers.insert("x-ratelimit-reset", HeaderValue::from_str(&reset).unwrap());
        let wait = rate_limit_wait(StatusCode::FORBIDDEN, &headers).unwrap();
        assert!(wait <= Duration::from_secs(30) && wait >= Duration::from_secs(28));
        // A plain 403 is a permission problem, not something to wait out.
        assert_eq!(
            rate_limit_wait(StatusCode::FORBIDDEN, &HeaderMap::new()),
            None
        );
        assert_eq!(rate_limit_wait(StatusCode::OK, &headers), None);
    }

    #[test]
    fn errors_name_the_path_without_host_or_query() {
        assert_eq!(
            redact_query("http://127.0.0.1:9/repos/o/r/pulls/2/files?per_page=100&page=2"),
            "/repos/o/r/pulls/2/files"
        );
    }
}

#[cfg(test)]
mod jwt_tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    #[derive(serde::Deserialize)]
    struct Decoded {
        iat: i64,
        exp: i64,
        iss: String,
    }

    // Building the HTTP stack needs a runtime.
    #[tokio::test]
    async fn app_jwt_is_rs256_backdated_and_short_lived() {
        let endpoints = ApiEndpoints::from_api_url("http://127.0.0.1:1");
        let app = GitHubApp::new(
            http_client(&endpoints).unwrap(),
            endpoints,
            29310,
            &fake_github::keys::test_app_private_key_pem(),
        )
        .unwrap();
        let jwt = app.app_jwt().unwrap();
        let key =
            DecodingKey::from_rsa_pem(fake_github::keys::test_app_public_key_pem().as_bytes())
                .unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<Decoded>(&jwt, &key, &validation)
            .unwrap()
            .claims;
        let now = Utc::now().timestamp();
        assert!(
            (now - 62..=now - 58).contains(&claims.iat),
            "iat 60 s in the past"
        );
        assert!(claims.exp - claims.iat <= 600, "at most 10 minutes");
        assert!(claims.exp > now);
        assert_eq!(claims.iss, "29310");
    }

    #[tokio::test]
    async fn a_bad_key_is_a_clear_error() {
        let endpoints = ApiEndpoints::from_api_url("http://127.0.0.1:1");
        let err = GitHubApp::new(http_client(&endpoints).unwrap(), endpoints, 1, "not a key")
            .unwrap_err();
        assert!(matches!(err, GitHubError::Key(_)));
    }
}
