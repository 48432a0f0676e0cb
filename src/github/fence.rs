//! The write fence of a review job: the moment after which requests that
//! change something on GitHub are no longer sent on the job's behalf.
//!
//! A job runs under a lease. A worker that stops for longer than the lease (a
//! frozen VM, a starved host) cannot know on waking whether another worker
//! has meanwhile taken the job over and reviewed the commit; if it went on,
//! its review would be the second. Its heartbeat would tell it, but only at
//! the next renewal, and the review in flight may post first. So each job
//! carries a fence a margin short of its lease, moved forward by every
//! renewal; a write due after it fails with [`GitHubError::LeaseExpired`]
//! instead of being sent, and the job is left to whoever holds it now.
//!
//! The fence rides on the job's task (a task-local), so every write the
//! review makes, through any helper, is checked in one place: the client.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::GitHubError;

tokio::task_local! {
    static FENCE: Arc<WriteFence>;
}

/// Until when the current job may write to GitHub.
#[derive(Debug)]
pub struct WriteFence {
    /// Milliseconds since the Unix epoch, by this host's clock (the clock the
    /// lease's expiry was computed with).
    until_ms: AtomicI64,
}

impl WriteFence {
    /// A fence at `until`.
    pub fn at(until: SystemTime) -> Arc<WriteFence> {
        Arc::new(WriteFence {
            until_ms: AtomicI64::new(millis(until)),
        })
    }

    /// Where the fence of a lease granted (or renewed) by a request sent at
    /// `asked_at` stands: `margin` short of the lease's end. The request's
    /// send time, not its answer's, because the store computed the expiry
    /// no earlier than that.
    pub fn for_lease(asked_at: SystemTime, lease: Duration) -> SystemTime {
        asked_at + lease - margin(lease)
    }

    /// Moves the fence to `until` unless it already stands later: renewals
    /// answered out of order never move it back.
    pub fn extend_to(&self, until: SystemTime) {
        self.until_ms.fetch_max(millis(until), Ordering::AcqRel);
    }

    /// Whether a write may be sent now.
    pub fn is_open(&self) -> bool {
        millis(SystemTime::now()) < self.until_ms.load(Ordering::Acquire)
    }
}

/// What a write must leave of the lease: time for the request to reach
/// GitHub before another worker can have claimed the job.
fn margin(lease: Duration) -> Duration {
    lease / 4
}

fn millis(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Runs `work` with `fence` guarding every write it makes to GitHub.
pub async fn guarded<F: Future>(fence: Arc<WriteFence>, work: F) -> F::Output {
    FENCE.scope(fence, work).await
}

/// Whether a write may be sent from the current task: always outside a job
/// (setup, catch-up), else while the job's fence is open.
pub(crate) fn allows_write() -> bool {
    FENCE.try_with(|f| f.is_open()).unwrap_or(true)
}

/// Whether `err` (or its cause) is a write refused by the fence.
pub fn refused(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        matches!(
            e.downcast_ref::<GitHubError>(),
            Some(GitHubError::LeaseExpired { .. })
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_are_allowed_until_the_fence_and_refused_after() {
        let now = SystemTime::now();
        assert!(allows_write(), "no job, no fence");
        let fence = WriteFence::at(now + Duration::from_secs(60));
        assert!(guarded(Arc::clone(&fence), async { allows_write() }).await);
        let passed = WriteFence::at(now - Duration::from_millis(1));
        assert!(!guarded(Arc::clone(&passed), async { allows_write() }).await);
        passed.extend_to(now + Duration::from_secs(60));
        assert!(guarded(passed, async { allows_write() }).await);
    }

    /// The real client against the fake GitHub: past the fence a write is
    /// refused before it leaves (GitHub never sees it), a read still goes.
    #[tokio::test]
    async fn the_client_sends_no_write_past_the_fence() {
        use crate::config::ApiEndpoints;
        use crate::github::{GitHubApp, http_client};
        use fake_github::{FakeGitHub, TEST_APP_ID};

        let fake = FakeGitHub::start().await;
        fake.add_repo(1, "o", "r");
        let endpoints = ApiEndpoints::from_api_url(&fake.url());
        let app = Arc::new(
            GitHubApp::new(
                http_client(&endpoints).unwrap(),
                endpoints,
                TEST_APP_ID,
                &fake_github::keys::test_app_private_key_pem(),
            )
            .unwrap(),
        );
        let gh = app.installation(1);
        let passed = WriteFence::at(SystemTime::now() - Duration::from_millis(1));
        let (read, write) = guarded(passed, async {
            let read = gh.get("/repos/o/r").await.map(|r| r.status);
            let write = gh
                .post(
                    "/repos/o/r/issues/1/labels",
                    &serde_json::json!({"labels": ["x"]}),
                )
                .await;
            (read, write)
        })
        .await;
        assert_eq!(read.unwrap(), http::StatusCode::OK);
        let err = write.unwrap_err();
        assert!(matches!(err, GitHubError::LeaseExpired { .. }), "{err}");
        assert_eq!(fake.arrived("POST", "/labels"), 0, "never sent");
        assert!(refused(&anyhow::Error::new(err).context("labelling")));
    }

    #[test]
    fn the_fence_never_moves_back_and_stands_short_of_the_lease() {
        let now = SystemTime::now();
        let fence = WriteFence::at(now + Duration::from_secs(60));
        fence.extend_to(now - Duration::from_secs(1));
        assert!(fence.is_open(), "a late answer to an older renewal");
        let lease = Duration::from_secs(120);
        assert_eq!(
            WriteFence::for_lease(now, lease),
            now + Duration::from_secs(90)
        );
    }
}
