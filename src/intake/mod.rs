//! Webhook intake: verify, parse, persist, acknowledge. It never calls GitHub;
//! the work it accepts is done by the queue's workers.

mod event;
mod lenient;
pub mod signature;

use std::borrow::Cow;

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tracing::{Instrument, info, info_span, warn};

pub use event::{
    Decision, Delivery, MARK_REVIEWED_ACTION, RERUN_ACTION, ReviewRequest, decide, decide_delivery,
};

use crate::queue::Enqueued;
use crate::state::AppState;

/// GitHub caps payloads at 25 MB; anything larger is not from GitHub.
pub const MAX_BODY_BYTES: usize = 25 * 1024 * 1024;

fn reply(status: StatusCode, outcome: &str, detail: &str) -> Response {
    (status, Json(json!({ "status": outcome, "detail": detail }))).into_response()
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
}

/// `POST /api/github/webhooks`.
pub async fn webhook(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(creds) = state.credentials() else {
        return reply(
            StatusCode::SERVICE_UNAVAILABLE,
            "not-configured",
            "no GitHub App credentials yet; finish the setup at /",
        );
    };
    let Some(signature) = header_str(&headers, "x-hub-signature-256") else {
        return reply(
            StatusCode::UNAUTHORIZED,
            "rejected",
            "missing X-Hub-Signature-256",
        );
    };
    if !signature::verify(&creds.webhook_secrets, signature, &body) {
        warn!("webhook signature mismatch");
        return reply(StatusCode::UNAUTHORIZED, "rejected", "signature mismatch");
    }
    let (Some(event), Some(delivery)) = (
        header_str(&headers, "x-github-event"),
        header_str(&headers, "x-github-delivery"),
    ) else {
        return reply(
            StatusCode::BAD_REQUEST,
            "rejected",
            "missing X-GitHub-Event or X-GitHub-Delivery",
        );
    };
    let span = info_span!("delivery", delivery = %delivery, event = %event);
    handle_verified(&state, creds.app_id, event, delivery, &headers, &body)
        .instrument(span)
        .await
}

async fn handle_verified(
    state: &AppState,
    app_id: u64,
    event: &str,
    delivery: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let json = match payload_json(headers, body) {
        Ok(json) => json,
        Err(detail) => return reply(StatusCode::BAD_REQUEST, "rejected", &detail),
    };
    let payload = match Delivery::from_json(&json) {
        Ok(payload) => payload,
        Err(detail) => return reply(StatusCode::BAD_REQUEST, "rejected", &detail),
    };
    let action = payload.action();
    match decide_delivery(event, &payload, app_id) {
        Decision::Ping => reply(StatusCode::OK, "pong", "ping received"),
        Decision::Ignore(reason) => {
            info!(action, %reason, "delivery ignored");
            reply(StatusCode::ACCEPTED, "ignored", &reason)
        }
        Decision::Review(request) => {
            match state
                .store
                .enqueue(delivery, event, action, body, &request)
                .await
            {
                Ok(Enqueued::Duplicate) => {
                    info!("redelivery of an accepted delivery");
                    reply(StatusCode::OK, "duplicate", "delivery already accepted")
                }
                Ok(outcome) => {
                    info!(?outcome, head_sha = %request.head_sha, pr = ?request.pr_number, "review queued");
                    state.wake.notify_waiters();
                    let status = if outcome == Enqueued::Queued {
                        "queued"
                    } else {
                        "collapsed"
                    };
                    reply(StatusCode::ACCEPTED, status, &request.trigger)
                }
                Err(err) => {
                    // Not acknowledged, so GitHub records a failure and the
                    // delivery can be redelivered.
                    tracing::error!(error = %err, "could not persist delivery");
                    reply(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "error",
                        "could not persist the delivery",
                    )
                }
            }
        }
    }
}

/// The JSON text of a delivery: the body, or the `payload` field of a
/// form-encoded one.
pub fn payload_json<'a>(headers: &HeaderMap, body: &'a [u8]) -> Result<Cow<'a, [u8]>, String> {
    let form = header_str(headers, header::CONTENT_TYPE.as_str())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return Ok(Cow::Borrowed(body));
    }
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|e| format!("malformed form body: {e}"))?;
    let json = fields
        .into_iter()
        .find(|(k, _)| k == "payload")
        .map(|(_, v)| v)
        .ok_or("form body has no payload field")?;
    Ok(Cow::Owned(json.into_bytes()))
}

/// JSON bodies, or the `payload` field of a form-encoded delivery.
pub fn parse_payload(headers: &HeaderMap, body: &[u8]) -> Result<Value, String> {
    let json = payload_json(headers, body)?;
    match serde_json::from_slice::<Value>(&json) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err("payload is not a JSON object".to_owned()),
        Err(e) => Err(format!("malformed JSON: {e}")),
    }
}
