//! Review workers: claim a job, keep its lease alive while reviewing, and
//! record the outcome. A worker that dies simply stops renewing its lease.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tracing::{Instrument, error, info, info_span, warn};

use super::{Job, MAX_ATTEMPTS};
use crate::github::fence::{self, WriteFence};
use crate::review::{Outcome, pipeline};
use crate::state::AppState;

/// Runs one worker until the process stops.
pub async fn run(state: Arc<AppState>, worker_id: String) {
    loop {
        // Register interest before looking, so that a job enqueued between the
        // look and the wait still wakes us.
        let notified = state.wake.notified();
        let asked_at = SystemTime::now();
        let claimed = match state.credentials() {
            Some(_) => state.store.claim(&worker_id, state.config.lease()).await,
            None => Ok(None),
        };
        match claimed {
            Ok(Some(job)) => {
                let span = info_span!(
                    "review_job",
                    job = job.id,
                    repo = %format!("{}/{}", job.owner, job.repo),
                    pr = ?job.pr_number,
                    sha = %job.head_sha,
                    attempt = job.attempts,
                    trigger = %job.trigger,
                );
                let fence = WriteFence::at(WriteFence::for_lease(asked_at, state.config.lease()));
                process(&state, &worker_id, job, fence)
                    .instrument(span)
                    .await;
            }
            Ok(None) => {
                let _ = tokio::time::timeout(state.config.poll_interval(), notified).await;
            }
            Err(err) => {
                error!(error = %err, "could not claim a job");
                tokio::time::sleep(state.config.poll_interval()).await;
            }
        }
    }
}

async fn process(state: &Arc<AppState>, worker_id: &str, job: Job, fence: Arc<WriteFence>) {
    let Some(creds) = state.credentials() else {
        return;
    };
    let gh = creds.github.installation(job.installation_id);
    // The review runs only while this worker holds the lease: once another
    // worker has taken the job over, this one stops instead of racing it,
    // and no write goes to GitHub after the lease could have run out (the
    // fence), even before a renewal has said so.
    let services = state.services();
    let review = fence::guarded(Arc::clone(&fence), pipeline::run(&gh, &services, &job));
    let result = tokio::select! {
        result = review => result,
        () = keep_lease(Arc::clone(state), job.id, worker_id.to_owned(), fence) => {
            warn!("lease lost to another worker: abandoning this attempt");
            return;
        }
    };
    match result {
        Ok(outcome) => {
            match &outcome {
                Outcome::Skipped(reason) => info!(%reason, "job skipped"),
                Outcome::Reviewed { .. } => info!(?outcome, "job done"),
            }
            if let Err(err) = state.store.complete(job.id, worker_id).await {
                error!(error = %err, "could not mark the job done");
            }
        }
        Err(err) if fence::refused(&err) => {
            // Whoever claims the expired lease (maybe this worker) runs it.
            warn!(error = %format!("{err:#}"), "lease ran out mid-review: abandoning this attempt");
        }
        Err(err) if pipeline::rate_limited(&err).is_some() => {
            let until = pipeline::rate_limited(&err).expect("checked");
            warn!(%until, "GitHub rate limit: job put back until the installation may continue");
            if let Err(store_err) = state
                .store
                .defer(&job, worker_id, until.timestamp_millis())
                .await
            {
                error!(error = %store_err, "could not put the job back");
            }
        }
        Err(err) => {
            let message = format!("{err:#}");
            let retry_in = retry_delay(state.config.retry_base_ms, job.attempts);
            match state.store.fail(&job, worker_id, &message, retry_in).await {
                Ok(true) => warn!(error = %message, ?retry_in, "review failed, will retry"),
                Ok(false) => {
                    error!(error = %message, attempts = MAX_ATTEMPTS, "review failed for good");
                    // Never leave the check run in progress.
                    let check_run = state.store.check_run_of(job.id).await.ok().flatten();
                    if let Some(check_run_id) = check_run {
                        pipeline::give_up(&gh, &job, check_run_id, &message).await;
                    }
                }
                Err(store_err) => error!(error = %store_err, "could not record the failure"),
            }
        }
    }
}

/// Renews the lease at a third of its length, moving the write fence with
/// it; returns only when the lease was lost to another worker.
async fn keep_lease(state: Arc<AppState>, job_id: i64, worker_id: String, fence: Arc<WriteFence>) {
    let lease = state.config.lease();
    loop {
        tokio::time::sleep(lease / 3).await;
        let asked_at = SystemTime::now();
        match state.store.heartbeat(job_id, &worker_id, lease).await {
            Ok(true) => fence.extend_to(WriteFence::for_lease(asked_at, lease)),
            Ok(false) => {
                warn!(job = job_id, "lease lost to another worker");
                return;
            }
            Err(err) => warn!(job = job_id, error = %err, "lease renewal failed"),
        }
    }
}

/// Exponential backoff between attempts: `base`, 2×, 4×, …, at most 10 min.
fn retry_delay(base_ms: u64, attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 7) as u32 - 1;
    Duration::from_millis((base_ms << exp).min(600_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delay_grows_and_is_capped() {
        assert_eq!(retry_delay(10_000, 1), Duration::from_secs(10));
        assert_eq!(retry_delay(10_000, 2), Duration::from_secs(20));
        assert_eq!(retry_delay(10_000, 10), Duration::from_secs(600));
    }
}
