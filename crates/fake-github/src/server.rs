//! The HTTP side of the fake: one axum fallback handler that records every
//! request and runs it through the same pipeline GitHub applies — injected
//! faults, rate limit, JSON parsing, authentication, repository visibility,
//! body validation against the OpenAPI description — before dispatching it.
//!
//! All state changes happen synchronously under one lock, so a request is
//! atomic with respect to the test's assertions; only injected delays await.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State as AxumState};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use crate::util::{self, parse_query, percent_decode};
use crate::{RecordedRequest, Shared, State, matches_rule, shared};

pub(crate) const DOCS: &str = "https://docs.github.com/rest";

/// A response before it becomes an HTTP response.
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub content_type: &'static str,
}

impl Reply {
    pub(crate) fn json(status: u16, value: Value) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: serde_json::to_vec(&value).unwrap_or_default(),
            content_type: "application/json; charset=utf-8",
        }
    }

    /// `{"message", "documentation_url"}`, GitHub's error shape.
    pub(crate) fn error(status: u16, message: &str) -> Reply {
        Reply::json(
            status,
            json!({"message": message, "documentation_url": DOCS}),
        )
    }

    pub(crate) fn not_found() -> Reply {
        Reply::error(404, "Not Found")
    }

    /// A 422 in the shape the pulls endpoints use: a generic message plus a list
    /// of error strings.
    pub(crate) fn unprocessable(errors: &[&str], doc: &str) -> Reply {
        Reply::json(
            422,
            json!({"message": "Unprocessable Entity", "errors": errors, "documentation_url": doc}),
        )
    }

    /// The checks API's 422: `Invalid request.\n\n<detail>`.
    pub(crate) fn invalid_request(detail: &str) -> Reply {
        Reply::error(422, &format!("Invalid request.\n\n{detail}"))
    }

    pub(crate) fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub(crate) fn raw(status: u16, body: Vec<u8>, content_type: &'static str) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body,
            content_type,
        }
    }
}

/// A request after parsing and authentication, as handlers see it.
pub(crate) struct Ctx<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub segs: Vec<String>,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    pub headers: &'a HeaderMap,
    /// The installation of the token, for token-authenticated routes.
    pub installation: Option<u64>,
    /// The App of the JWT, or the App that obtained the installation token.
    pub app_id: Option<u64>,
}

impl Ctx<'_> {
    pub(crate) fn q(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The JSON body, or `null` when there was none.
    pub(crate) fn body(&self) -> &Value {
        static NULL: Value = Value::Null;
        self.body.as_ref().unwrap_or(&NULL)
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

async fn handle(AxumState(shared): AxumState<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, 256 * 1024 * 1024).await.unwrap_or_default();
    let method = parts.method.as_str().to_uppercase();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let delay = {
        let mut st = shared.lock();
        st.arrivals.push((method.clone(), path.clone()));
        let chaos_delay = st.chaos.as_ref().map_or(Duration::ZERO, |c| {
            c.max_delay.mul_f64(rand::random::<f64>())
        });
        st.delays
            .iter()
            .filter(|d| matches_rule(&d.method, &d.path_contains, &method, &path))
            .map(|d| d.delay)
            .max()
            .unwrap_or(Duration::ZERO)
            .max(chaos_delay)
    };
    // Processed in its own task: a client that gives up during an injected
    // delay does not cancel the request, which GitHub would still carry out
    // (and the test can still see it recorded).
    let work = tokio::spawn(async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let (reply, outbox) = {
            let mut st = shared.lock();
            let reply = st.handle(&method, &path, query.as_deref(), &parts.headers, &bytes);
            (reply, std::mem::take(&mut st.outbox))
        };
        // Redeliveries are made after the request that asked for them, as
        // GitHub does: `202 Accepted` first, the delivery some time later.
        for out in outbox {
            tokio::spawn(crate::webhooks::deliver(Arc::clone(&shared), out));
        }
        reply
    });
    let reply = match work.await {
        Ok(reply) => reply,
        Err(_) => Reply::error(500, "Internal Server Error"),
    };
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(reply.content_type),
    );
    headers.insert(
        "x-github-api-version-selected",
        HeaderValue::from_static("2022-11-28"),
    );
    for (k, v) in reply.headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
            headers.append(k, v);
        }
    }
    response
}

/// How a route authenticates.
#[derive(PartialEq, Eq)]
enum AuthKind {
    None,
    Jwt,
    Token,
    /// Either kind, or none (`/rate_limit`).
    Any,
}

fn auth_kind(segs: &[&str]) -> AuthKind {
    match segs {
        ["app-manifests", ..] => AuthKind::None,
        ["app", ..] => AuthKind::Jwt,
        // Finding a repository's installation is an App-level call.
        ["repos", _, _, "installation"] => AuthKind::Jwt,
        ["repos", ..] | ["graphql"] => AuthKind::Token,
        ["rate_limit"] => AuthKind::Any,
        _ => AuthKind::None,
    }
}

/// Splits `Authorization: <scheme> <credential>`.
fn credential(authorization: Option<&str>) -> Option<(String, &str)> {
    let (scheme, value) = authorization?.trim().split_once(' ')?;
    Some((scheme.to_lowercase(), value.trim()))
}

pub(crate) fn decoding_key_from_private_pem(pem: &str) -> Option<jsonwebtoken::DecodingKey> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::traits::PublicKeyParts;
    let key = rsa::RsaPrivateKey::from_pkcs1_pem(pem)
        .or_else(|_| rsa::RsaPrivateKey::from_pkcs8_pem(pem))
        .ok()?;
    Some(jsonwebtoken::DecodingKey::from_rsa_raw_components(
        &key.n().to_bytes_be(),
        &key.e().to_bytes_be(),
    ))
}

/// Seconds of clock drift tolerated on top of the 600-second JWT lifetime.
const JWT_LIFETIME_LEEWAY: i64 = 5;

impl State {
    pub(crate) fn handle(
        &mut self,
        method: &str,
        path: &str,
        raw_query: Option<&str>,
        headers: &HeaderMap,
        bytes: &[u8],
    ) -> Reply {
        let resource: &'static str = if path == "/graphql" {
            "graphql"
        } else {
            "core"
        };
        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = String::from_utf8_lossy(bytes);
        let parsed: Result<Option<Value>, ()> = if text.trim().is_empty() {
            Ok(None)
        } else {
            serde_json::from_slice(bytes).map(Some).map_err(|_| ())
        };
        let mut reply = self.process(
            method,
            path,
            raw_query,
            headers,
            &parsed,
            authorization.as_deref(),
            resource,
        );
        if let Some(b) = self.rate.get(resource) {
            reply.headers.extend([
                ("x-ratelimit-limit".to_string(), b.limit.to_string()),
                ("x-ratelimit-remaining".to_string(), b.remaining.to_string()),
                (
                    "x-ratelimit-used".to_string(),
                    (b.limit - b.remaining.min(b.limit)).to_string(),
                ),
                ("x-ratelimit-reset".to_string(), b.reset.to_string()),
                ("x-ratelimit-resource".to_string(), resource.to_string()),
            ]);
        }
        reply.headers.push((
            "x-github-request-id".to_string(),
            util::random_hex(8).to_uppercase(),
        ));
        self.requests.push(RecordedRequest {
            method: method.to_string(),
            path: path.to_string(),
            query: raw_query.map(str::to_string),
            status: reply.status,
            body: match parsed {
                Ok(v) => v,
                Err(()) => Some(Value::String(text.into_owned())),
            },
            authorization,
        });
        reply
    }

    #[allow(clippy::too_many_arguments)]
    fn process(
        &mut self,
        method: &str,
        path: &str,
        raw_query: Option<&str>,
        headers: &HeaderMap,
        parsed: &Result<Option<Value>, ()>,
        authorization: Option<&str>,
        resource: &'static str,
    ) -> Reply {
        if let Some(reply) = self.take_failure(method, path) {
            return reply;
        }
        if let Some(reply) = self.chaos_failure() {
            return reply;
        }
        if let Some(b) = self.rate.get_mut(resource) {
            if b.remaining == 0 {
                return Reply::error(
                    403,
                    "API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID.",
                );
            }
            b.remaining -= 1;
        }
        let segs: Vec<String> = path
            .trim_start_matches('/')
            .split('/')
            .map(|s| percent_decode(s, false))
            .collect();
        let seg_refs: Vec<&str> = segs.iter().map(String::as_str).collect();
        let query = parse_query(raw_query);
        let body = match parsed {
            Ok(b) => b.clone(),
            Err(()) => {
                self.violations
                    .push(format!("{method} {path}: body is not valid JSON"));
                return Reply::error(400, "Problems parsing JSON");
            }
        };
        let mut ctx = Ctx {
            method,
            path,
            segs: segs.clone(),
            query,
            body,
            headers,
            installation: None,
            app_id: None,
        };

        match auth_kind(&seg_refs) {
            AuthKind::None => {}
            AuthKind::Jwt => match self.verify_jwt(authorization) {
                Ok(app) => ctx.app_id = Some(app),
                Err(reply) => return reply,
            },
            AuthKind::Token => match self.check_token(authorization) {
                Ok((inst, app)) => {
                    ctx.installation = Some(inst);
                    ctx.app_id = Some(app);
                }
                Err(reply) => return reply,
            },
            AuthKind::Any => {
                if let Ok((inst, app)) = self.check_token(authorization) {
                    ctx.installation = Some(inst);
                    ctx.app_id = Some(app);
                }
            }
        }
        // A repository outside the token's installation is invisible, as on
        // GitHub: 404, not 401/403.
        if let (["repos", owner, name, ..], Some(inst)) = (seg_refs.as_slice(), ctx.installation) {
            match self.repo(owner, name) {
                Some(r) if r.installation_id == inst => {}
                _ => return Reply::not_found(),
            }
        }

        // `per_page` above 100 is silently clamped by GitHub; the app asking for
        // more is a bug worth surfacing.
        if let Some(pp) = ctx.q("per_page") {
            match pp.parse::<u64>() {
                Ok(n) if (1..=100).contains(&n) => {}
                _ => self.violations.push(format!(
                    "{method} {path}: per_page={pp} is outside 1..=100 (GitHub clamps it)"
                )),
            }
        }

        if let Some(op) = shared::openapi().find(method, &segs) {
            let has_body_method = matches!(method, "POST" | "PATCH" | "PUT");
            let body = match &ctx.body {
                Some(b) => Some(b.clone()),
                None if has_body_method => Some(json!({})),
                None => None,
            };
            if let Some(body) = body {
                let errors = shared::openapi().validate(op, &body);
                if !errors.is_empty() {
                    for (pointer, _, plain) in &errors {
                        self.violations.push(format!(
                            "{method} {path} ({}): {pointer}: {plain}",
                            op.operation_id
                        ));
                    }
                    let detail: Vec<&str> = errors.iter().map(|(_, g, _)| g.as_str()).collect();
                    return Reply::invalid_request(&detail.join("\n"));
                }
            }
        }

        self.dispatch(&ctx)
    }

    /// A random fault when chaos is on; the request is then not processed,
    /// as GitHub does not process what it answers 5xx or 429 to (mostly).
    fn chaos_failure(&mut self) -> Option<Reply> {
        let chaos = self.chaos.as_ref()?;
        let roll: f64 = rand::random();
        if roll < chaos.server_errors {
            let status = [500, 502, 503][rand::random_range(0..3)];
            return Some(Reply::error(status, "Server Error"));
        }
        if roll < chaos.server_errors + chaos.rate_limits {
            return Some(
                Reply::error(
                    429,
                    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                )
                .header("retry-after", "1"),
            );
        }
        None
    }

    fn take_failure(&mut self, method: &str, path: &str) -> Option<Reply> {
        let rule = self
            .failures
            .iter_mut()
            .find(|f| f.remaining > 0 && matches_rule(&f.method, &f.path_contains, method, path))?;
        if rule.skip > 0 {
            rule.skip -= 1;
            return None;
        }
        rule.remaining -= 1;
        let status = rule.status;
        let message = match status {
            401 => "Bad credentials",
            403 | 429 => {
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
            }
            404 => "Not Found",
            422 => "Unprocessable Entity",
            502 => "Server Error",
            503 => "Service Unavailable",
            _ => "Internal Server Error",
        };
        let reply = Reply::error(status, message);
        Some(if status == 403 || status == 429 {
            reply.header("retry-after", "1")
        } else {
            reply
        })
    }

    /// An installation token from `Authorization: token X` or `Bearer X`.
    pub(crate) fn check_token(&self, authorization: Option<&str>) -> Result<(u64, u64), Reply> {
        let Some((scheme, value)) = credential(authorization) else {
            return Err(Reply::error(401, "Requires authentication"));
        };
        if scheme != "token" && scheme != "bearer" {
            return Err(Reply::error(401, "Bad credentials"));
        }
        match self.tokens.get(value) {
            Some(t) if t.expires_at > chrono::Utc::now() => Ok((t.installation_id, t.app_id)),
            _ => Err(Reply::error(401, "Bad credentials")),
        }
    }

    /// An App JWT as GitHub checks it (§2.1 of the reference).
    pub(crate) fn verify_jwt(&self, authorization: Option<&str>) -> Result<u64, Reply> {
        let undecodable = || Reply::error(401, "A JSON web token could not be decoded");
        let Some((scheme, token)) = credential(authorization) else {
            return Err(Reply::error(401, "Requires authentication"));
        };
        if scheme != "bearer" {
            return Err(undecodable());
        }
        // Find the App from the unverified claims, then verify with its key.
        let payload = token.split('.').nth(1).ok_or_else(undecodable)?;
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|_| undecodable())?;
        let claims: Value = serde_json::from_slice(&raw).map_err(|_| undecodable())?;
        let app = match &claims["iss"] {
            Value::Number(n) => n.as_u64().and_then(|id| self.apps.get(&id)),
            Value::String(s) => match s.parse::<u64>() {
                Ok(id) => self.apps.get(&id),
                Err(_) => self.apps.values().find(|a| &a.client_id == s),
            },
            _ => {
                return Err(Reply::error(
                    401,
                    "'Issuer' claim ('iss') must be an Integer",
                ));
            }
        };
        let Some(app) = app else {
            return Err(Reply::error(401, "Integration not found"));
        };
        let key = app.key.as_ref().ok_or_else(undecodable)?;
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<Value>(token, key, &validation).map_err(|_| undecodable())?;

        let num = |k: &str| {
            claims[k]
                .as_i64()
                .or_else(|| claims[k].as_f64().map(|f| f as i64))
        };
        let now = chrono::Utc::now().timestamp();
        let exp_msg = "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
        let (Some(exp), Some(iat)) = (num("exp"), num("iat")) else {
            return Err(Reply::error(401, exp_msg));
        };
        if exp <= now {
            return Err(Reply::error(401, exp_msg));
        }
        if iat > now + 60 {
            return Err(Reply::error(
                401,
                "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
            ));
        }
        if exp - iat > 600 + JWT_LIFETIME_LEEWAY {
            return Err(Reply::error(
                401,
                "'Expiration time' claim ('exp') is too far in the future",
            ));
        }
        Ok(app.id)
    }
}
