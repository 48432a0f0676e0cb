//! The App's webhook as GitHub runs it: signed deliveries to the configured
//! URL, the delivery log (`GET /app/hook/deliveries`, cursor-paginated, newest
//! first) and redelivery (`POST /app/hook/deliveries/{id}/attempts`).
//!
//! As on GitHub (reference §1.3): a delivery is recorded once its attempt is
//! over, with `status` `OK` for a 2xx answer, `Invalid HTTP Response: N`
//! otherwise, `failed to connect` or `timed out` (after 10 s) with
//! `status_code` 0 when no answer came; nothing is retried automatically; a
//! redelivery sends the same body under the same GUID (`X-GitHub-Delivery`),
//! signed with the current secret to the current URL, and is a new record with
//! `redelivery: true`; only deliveries of the past 3 days can be redelivered.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;

use crate::server::{Ctx, Reply};
use crate::util::{self, encode_component, iso};
use crate::{Shared, State, TEST_APP_ID};

/// GitHub gives up on a delivery that is not answered within 10 seconds.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries older than this cannot be redelivered (GitHub.com: 3 days).
pub(crate) const RETENTION_DAYS: i64 = 3;
/// The id of the App's webhook, sent as `X-GitHub-Hook-ID`.
const HOOK_ID: u64 = 292_430_182;

/// Where and how the App's webhook delivers.
pub(crate) struct WebhookConfig {
    pub url: String,
    pub secret: String,
}

/// One attempt to deliver an event, as GitHub's delivery log keeps it.
pub(crate) struct Delivery {
    pub id: u64,
    pub guid: String,
    pub delivered_at: DateTime<Utc>,
    pub redelivery: bool,
    pub duration: f64,
    pub status: String,
    pub status_code: u16,
    pub event: String,
    pub action: Option<String>,
    pub installation_id: Option<u64>,
    pub repository_id: Option<u64>,
    pub url: String,
    pub request_headers: Value,
    /// The exact bytes sent, so that a redelivery sends them again.
    pub body: Arc<Vec<u8>>,
    pub response_headers: Value,
    pub response_body: Option<String>,
}

impl Delivery {
    /// The `hook-delivery-item` shape of the list endpoint.
    pub(crate) fn item(&self) -> Value {
        json!({
            "id": self.id,
            "guid": self.guid,
            "delivered_at": iso(self.delivered_at),
            "redelivery": self.redelivery,
            "duration": self.duration,
            "status": self.status,
            "status_code": self.status_code,
            "event": self.event,
            "action": self.action,
            "installation_id": self.installation_id,
            "repository_id": self.repository_id,
            "throttled_at": null,
        })
    }

    /// The `hook-delivery` shape, with what was sent and received.
    fn full(&self) -> Value {
        let mut value = self.item();
        value["url"] = json!(self.url);
        value["request"] = json!({
            "headers": self.request_headers,
            "payload": serde_json::from_slice::<Value>(&self.body).unwrap_or(Value::Null),
        });
        value["response"] = json!({
            "headers": self.response_headers,
            "payload": self.response_body,
        });
        value
    }
}

/// A delivery to make once the current request is answered.
pub(crate) struct Outgoing {
    pub guid: String,
    pub event: String,
    pub body: Arc<Vec<u8>>,
    pub redelivery: bool,
}

/// A fresh GUID in the 8-4-4-4-12 form of `X-GitHub-Delivery`.
pub(crate) fn new_guid() -> String {
    let hex = util::random_hex(32);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// `sha256=` + the HMAC-SHA256 hex digest of `body` under `secret`.
pub(crate) fn signature_256(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// Makes one delivery attempt and records it; returns the HTTP status (0 when
/// no answer came).
pub(crate) async fn deliver(shared: Arc<Shared>, out: Outgoing) -> u16 {
    // The id is taken when the attempt starts, so ids follow delivery order.
    let (id, webhook) = {
        let mut st = shared.lock();
        let id = st.next_id();
        let webhook = st
            .webhook
            .as_ref()
            .map(|w| (w.url.clone(), w.secret.clone()));
        (id, webhook)
    };
    let delivered_at = Utc::now();
    let started = Instant::now();
    let payload: Value = serde_json::from_slice(&out.body).unwrap_or(Value::Null);
    let (url, secret) = webhook.unwrap_or_default();
    let mut headers: Vec<(&str, String)> = vec![
        ("Accept", "*/*".to_string()),
        ("Content-Type", "application/json".to_string()),
        ("User-Agent", "GitHub-Hookshot/fake".to_string()),
        ("X-GitHub-Delivery", out.guid.clone()),
        ("X-GitHub-Event", out.event.clone()),
        ("X-GitHub-Hook-ID", HOOK_ID.to_string()),
        (
            "X-GitHub-Hook-Installation-Target-ID",
            TEST_APP_ID.to_string(),
        ),
        (
            "X-GitHub-Hook-Installation-Target-Type",
            "integration".to_string(),
        ),
    ];
    if !secret.is_empty() {
        headers.push(("X-Hub-Signature-256", signature_256(&secret, &out.body)));
    }
    let (status_code, status, response_headers, response_body) =
        post(&url, &headers, out.body.as_ref().clone()).await;
    let mut request_headers = Map::new();
    for (name, value) in &headers {
        request_headers.insert((*name).to_string(), json!(value));
    }
    let record = Delivery {
        id,
        guid: out.guid,
        delivered_at,
        redelivery: out.redelivery,
        duration: (started.elapsed().as_secs_f64() * 100.0).round() / 100.0,
        status,
        status_code,
        action: payload["action"].as_str().map(str::to_string),
        installation_id: payload["installation"]["id"].as_u64(),
        repository_id: payload["repository"]["id"].as_u64(),
        event: out.event,
        url,
        request_headers: Value::Object(request_headers),
        body: out.body,
        response_headers,
        response_body,
    };
    let mut st = shared.lock();
    // Keep the log in id order even when attempts overlap.
    let at = st.deliveries.partition_point(|d| d.id < record.id);
    st.deliveries.insert(at, record);
    status_code
}

/// POSTs the body without following redirects; returns the status code, the
/// log's `status` text, and the response's headers and body.
async fn post(
    url: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> (u16, String, Value, Option<String>) {
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(DELIVERY_TIMEOUT)
        .build()
    {
        Ok(client) => client,
        Err(_) => return (0, "failed to connect".into(), json!({}), None),
    };
    let mut request = client.post(url).body(body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    match request.send().await {
        Ok(response) => {
            let code = response.status().as_u16();
            let mut response_headers = Map::new();
            for (name, value) in response.headers() {
                response_headers.insert(
                    name.as_str().to_string(),
                    json!(String::from_utf8_lossy(value.as_bytes())),
                );
            }
            let text = response.text().await.ok();
            let status = if (200..300).contains(&code) {
                "OK".to_string()
            } else {
                format!("Invalid HTTP Response: {code}")
            };
            (code, status, Value::Object(response_headers), text)
        }
        Err(e) if e.is_timeout() => (0, "timed out".into(), json!({}), None),
        Err(e) if e.is_connect() || e.is_builder() || e.is_request() => {
            (0, "failed to connect".into(), json!({}), None)
        }
        Err(_) => (0, "Invalid HTTP Response".into(), json!({}), None),
    }
}

impl State {
    /// `GET /app/hook/deliveries`: newest first, `per_page` (≤ 100), an
    /// optional `status` filter and an opaque `cursor` from the `Link` header.
    pub(crate) fn list_deliveries(&self, ctx: &Ctx) -> Reply {
        let per_page = util::paging(&ctx.query).per_page;
        let filter: fn(u16) -> bool = match ctx.q("status") {
            None => |_| true,
            Some("success") => |c| (200..=399).contains(&c),
            // As documented: 400–599 only, so unreachable endpoints (status
            // code 0) are in neither list.
            Some("failure") => |c| (400..=599).contains(&c),
            Some(_) => {
                return Reply::unprocessable(
                    &["status must be one of: success, failure"],
                    "https://docs.github.com/rest/apps/webhooks#list-deliveries-for-an-app-webhook",
                );
            }
        };
        let start = match ctx.q("cursor") {
            None => u64::MAX,
            Some(c) => match c.strip_prefix("v1_").and_then(|n| n.parse::<u64>().ok()) {
                Some(id) => id,
                None => return Reply::error(400, "Invalid cursor"),
            },
        };
        let mut matching = self
            .deliveries
            .iter()
            .rev()
            .filter(|d| d.id <= start && filter(d.status_code));
        let page: Vec<Value> = matching
            .by_ref()
            .take(per_page)
            .map(Delivery::item)
            .collect();
        let reply = Reply::json(200, Value::Array(page));
        match matching.next() {
            Some(next) => {
                let mut params: Vec<String> = ctx
                    .query
                    .iter()
                    .filter(|(k, _)| k != "cursor")
                    .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
                    .collect();
                params.push(format!("cursor=v1_{}", next.id));
                let link = format!(
                    "<{}{}?{}>; rel=\"next\"",
                    self.base_url,
                    ctx.path,
                    params.join("&")
                );
                reply.header("link", &link)
            }
            None => reply,
        }
    }

    fn delivery(&self, id: &str) -> Option<&Delivery> {
        let id: u64 = id.parse().ok()?;
        self.deliveries.iter().find(|d| d.id == id)
    }

    /// `GET /app/hook/deliveries/{delivery_id}`.
    pub(crate) fn get_delivery(&self, id: &str) -> Reply {
        match self.delivery(id) {
            Some(d) => Reply::json(200, d.full()),
            None => Reply::not_found(),
        }
    }

    /// `POST /app/hook/deliveries/{delivery_id}/attempts`: accepted at once,
    /// delivered after the answer (see `server::handle`).
    pub(crate) fn redeliver(&mut self, id: &str) -> Reply {
        let Some(d) = self.delivery(id) else {
            return Reply::not_found();
        };
        if d.delivered_at < Utc::now() - chrono::Duration::days(RETENTION_DAYS) {
            return Reply::unprocessable(
                &["Deliveries older than 3 days cannot be redelivered"],
                "https://docs.github.com/rest/apps/webhooks#redeliver-a-delivery-for-an-app-webhook",
            );
        }
        let out = Outgoing {
            guid: d.guid.clone(),
            event: d.event.clone(),
            body: Arc::clone(&d.body),
            redelivery: true,
        };
        self.outbox.push(out);
        Reply::json(202, json!({}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_githubs_test_vector() {
        assert_eq!(
            signature_256("It's a Secret to Everybody", b"Hello, World!"),
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        );
    }

    #[test]
    fn guids_have_the_uuid_shape() {
        let guid = new_guid();
        let lengths: Vec<usize> = guid.split('-').map(str::len).collect();
        assert_eq!(lengths, [8, 4, 4, 4, 12]);
        assert_ne!(guid, new_guid());
    }
}
