//! Catch-up: reviews for pull requests whose webhooks never arrived.
//!
//! GitHub does not retry a failed delivery (reference §1.3): a PR opened
//! while prwarden was down, restarting or unreachable would never be
//! reviewed. On start-up and then every `PRWARDEN_CATCHUP_SECS`, [`run_once`]
//! lists the App's recent deliveries (`GET /app/hook/deliveries`, App JWT,
//! newest first, `cursor` pagination through the `Link` header) and asks
//! GitHub to redeliver (`POST /app/hook/deliveries/{id}/attempts`) every event
//! that
//!
//! - is from the last 3 days (GitHub.com keeps and redelivers no older ones),
//! - failed on every attempt (`status_code` outside 200–399; 0 when prwarden
//!   could not be reached or did not answer in time). The list's own
//!   `status=failure` filter is not used: it covers only 400–599 and so
//!   misses exactly the deliveries of an outage,
//! - is an event and action prwarden handles, and
//! - was not stored by prwarden anyway (it may have accepted the delivery and
//!   answered too late).
//!
//! A redelivery carries the original GUID (`X-GitHub-Delivery`), so intake's
//! deduplication makes catch-up safe to repeat and to run on several replicas
//! at once. Attempts of one event are grouped by that GUID; the newest one is
//! redelivered. An event that keeps failing is given up after
//! [`MAX_ATTEMPTS`] attempts.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use http::Method;
use serde::Deserialize;
use serde_json::Value;
use tracing::{debug, info, warn};

use crate::github::{GitHubApp, next_link};
use crate::state::AppState;

/// GitHub.com redelivers deliveries of the past 3 days.
pub const WINDOW_DAYS: i64 = 3;
/// Pages of 100 deliveries read per run at most.
pub const MAX_PAGES: usize = 20;
/// An event delivered this many times without success is not redelivered
/// again (the original delivery plus four redeliveries).
pub const MAX_ATTEMPTS: usize = 5;
/// Delay of the first run after start-up, when the interval is longer.
pub const FIRST_RUN_DELAY: Duration = Duration::from_secs(5);
const PER_PAGE: usize = 100;

/// What one catch-up run found and did. Every field but `listed` and
/// `errors` counts events (GUIDs), not delivery attempts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatchUp {
    /// Delivery attempts listed.
    pub listed: usize,
    /// Events with a successful attempt: nothing to do.
    pub delivered: usize,
    /// Failed events that prwarden had stored all the same.
    pub already_processed: usize,
    /// Events redelivered by this run.
    pub redelivered: usize,
    /// Failed events older than the redelivery window.
    pub too_old: usize,
    /// Failed events of events or actions prwarden does not handle.
    pub unhandled: usize,
    /// Failed events that reached [`MAX_ATTEMPTS`].
    pub gave_up: usize,
    /// Redelivery requests that GitHub refused or that did not get through.
    pub errors: usize,
}

/// One entry of `GET /app/hook/deliveries` (`hook-delivery-item`).
#[derive(Debug, Deserialize)]
struct Attempt {
    id: u64,
    guid: String,
    #[serde(deserialize_with = "rfc3339")]
    delivered_at: DateTime<Utc>,
    status_code: i64,
    event: String,
    action: Option<String>,
}

fn rfc3339<'de, D: serde::Deserializer<'de>>(de: D) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(de)?;
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(serde::de::Error::custom)
}

impl Attempt {
    fn succeeded(&self) -> bool {
        (200..=399).contains(&self.status_code)
    }
}

/// Whether intake reviews anything for this event and action (see
/// `intake::decide`): redelivering anything else would only be ignored.
pub fn handles(event: &str, action: Option<&str>) -> bool {
    match (event, action) {
        ("pull_request", Some(action)) => matches!(
            action,
            "opened" | "reopened" | "synchronize" | "ready_for_review"
        ),
        ("check_suite", Some(action)) => matches!(action, "requested" | "rerequested"),
        ("check_run", Some(action)) => matches!(action, "rerequested" | "requested_action"),
        // These events always carry an action; without one, let intake decide.
        ("pull_request" | "check_suite" | "check_run", None) => true,
        _ => false,
    }
}

/// One catch-up run: lists recent deliveries and redelivers the failed ones
/// that prwarden never processed. Does nothing without App credentials.
pub async fn run_once(state: &AppState) -> anyhow::Result<CatchUp> {
    let Some(creds) = state.credentials() else {
        debug!("catch-up skipped: no App credentials");
        return Ok(CatchUp::default());
    };
    let github = &creds.github;
    let cutoff = Utc::now() - chrono::Duration::days(WINDOW_DAYS);
    let attempts = list_recent(github, cutoff).await?;
    let mut report = CatchUp {
        listed: attempts.len(),
        ..CatchUp::default()
    };

    let mut by_guid: HashMap<&str, Vec<&Attempt>> = HashMap::new();
    for attempt in &attempts {
        by_guid.entry(&attempt.guid).or_default().push(attempt);
    }
    // (first attempt id, guid, newest attempt id) of the events to redeliver.
    let mut candidates: Vec<(u64, String, u64)> = Vec::new();
    for (guid, tries) in &by_guid {
        let newest = tries
            .iter()
            .max_by_key(|a| (a.delivered_at, a.id))
            .expect("a group has at least one attempt");
        if tries.iter().any(|a| a.succeeded()) {
            report.delivered += 1;
        } else if !handles(&newest.event, newest.action.as_deref()) {
            report.unhandled += 1;
        } else if newest.delivered_at < cutoff {
            report.too_old += 1;
        } else if tries.len() >= MAX_ATTEMPTS {
            report.gave_up += 1;
            warn!(guid, event = %newest.event, attempts = tries.len(), "catch-up gives up on a delivery that keeps failing");
        } else {
            let first = tries.iter().map(|a| a.id).min().unwrap_or(newest.id);
            candidates.push((first, (*guid).to_owned(), newest.id));
        }
    }
    if candidates.is_empty() {
        return Ok(report);
    }

    let guids: Vec<String> = candidates.iter().map(|(_, g, _)| g.clone()).collect();
    let known = state
        .store
        .known_deliveries(&guids)
        .await
        .context("looking up stored deliveries")?;
    // Oldest event first, so that the events of one PR arrive in order.
    candidates.sort();
    for (_, guid, newest_id) in candidates {
        if known.contains(&guid) {
            report.already_processed += 1;
            continue;
        }
        let path = format!("/app/hook/deliveries/{newest_id}/attempts");
        match github.app_request(Method::POST, &path, None).await {
            Ok(_) => {
                info!(%guid, delivery = newest_id, "catch-up: redelivery requested");
                report.redelivered += 1;
            }
            Err(err) => {
                warn!(%guid, delivery = newest_id, error = %err, "catch-up: redelivery failed");
                report.errors += 1;
            }
        }
    }
    Ok(report)
}

/// The deliveries of the window, newest first: pages are read until one
/// reaches past `cutoff`, the list ends, or [`MAX_PAGES`] were read.
async fn list_recent(github: &GitHubApp, cutoff: DateTime<Utc>) -> anyhow::Result<Vec<Attempt>> {
    let mut attempts = Vec::new();
    let mut next = Some(format!("/app/hook/deliveries?per_page={PER_PAGE}"));
    let mut pages = 0;
    while let Some(url) = next.take() {
        let page = github
            .app_request(Method::GET, &url, None)
            .await
            .context("listing the App's webhook deliveries")?;
        pages += 1;
        let Value::Array(items) = page.value else {
            anyhow::bail!("GET /app/hook/deliveries did not answer a JSON array");
        };
        let mut past_cutoff = false;
        for item in items {
            match serde_json::from_value::<Attempt>(item) {
                Ok(attempt) => {
                    past_cutoff |= attempt.delivered_at < cutoff;
                    attempts.push(attempt);
                }
                Err(err) => warn!(error = %err, "catch-up: unreadable delivery entry skipped"),
            }
        }
        if past_cutoff {
            break;
        }
        next = next_link(&page.headers);
        if next.is_some() && pages >= MAX_PAGES {
            warn!(
                pages,
                "catch-up: delivery list truncated; older deliveries are not checked"
            );
            break;
        }
    }
    Ok(attempts)
}

/// The periodic task: a first run shortly after start-up, then one every
/// `interval`. Runs only while credentials are configured (the setup flow may
/// install them later); errors are logged, never fatal.
pub async fn run_periodically(state: Arc<AppState>, interval: Duration) {
    tokio::time::sleep(interval.min(FIRST_RUN_DELAY)).await;
    loop {
        if state.credentials().is_some() {
            match run_once(&state).await {
                Ok(report) if report.redelivered > 0 || report.errors > 0 => {
                    info!(?report, "catch-up done")
                }
                Ok(report) => debug!(?report, "catch-up: nothing to redeliver"),
                Err(err) => warn!(error = format!("{err:#}"), "catch-up failed"),
            }
        }
        tokio::time::sleep(interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reviewing_triggers_are_handled() {
        assert!(handles("pull_request", Some("opened")));
        assert!(handles("pull_request", Some("synchronize")));
        assert!(!handles("pull_request", Some("closed")));
        assert!(handles("check_suite", Some("rerequested")));
        assert!(!handles("check_suite", Some("completed")));
        assert!(handles("check_run", Some("requested_action")));
        assert!(!handles("check_run", Some("completed")));
        assert!(!handles("installation", Some("created")));
        assert!(!handles("ping", None));
    }

    #[test]
    fn attempts_read_githubs_item_shape() {
        let item = serde_json::json!({
            "id": 12345678, "guid": "0b989ba4-242f-11e5-81e1-c7b6966d2516",
            "delivered_at": "2019-06-03T00:57:16Z", "redelivery": false, "duration": 0.27,
            "status": "failed to connect", "status_code": 0, "event": "pull_request",
            "action": "opened", "installation_id": 123, "repository_id": 456,
            "throttled_at": null
        });
        let attempt: Attempt = serde_json::from_value(item).unwrap();
        assert_eq!(attempt.id, 12345678);
        assert!(!attempt.succeeded());
        assert_eq!(attempt.action.as_deref(), Some("opened"));
    }
}
