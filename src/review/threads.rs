//! A review that converges across pushes: what prwarden already said on the
//! PR (its markers in review threads, the truth), and resolving the threads
//! of findings that are gone.
//!
//! A thread someone replied to, or that was resolved by hand, is left alone:
//! prwarden never reopens, resolves or duplicates it.

use std::collections::HashSet;

use anyhow::Context;
use tracing::warn;

use super::comment;
use crate::github::rest::{self, ReviewThread};
use crate::github::{GitHubError, Installation};
use crate::queue::Job;

/// Hidden marker of prwarden's "fixed" replies.
const RESOLVED_MARKER: &str = "<!-- prwarden:resolved -->";

/// prwarden's view of the PR's review threads.
pub struct Threads {
    /// `rule:fingerprint` keys of every finding prwarden ever posted here.
    pub posted: HashSet<String>,
    threads: Vec<ReviewThread>,
}

/// The finding key of a thread prwarden started, if it did.
fn thread_key(thread: &ReviewThread) -> Option<String> {
    let first = thread.comments.first()?;
    comment::markers_in([first.body.as_str()])
        .into_iter()
        .next()
}

/// Did anyone but prwarden write in the thread?
fn human_touched(thread: &ReviewThread) -> bool {
    thread.comments.iter().any(|c| {
        !c.body.contains(RESOLVED_MARKER) && comment::markers_in([c.body.as_str()]).is_empty()
    })
}

pub async fn load(
    gh: &Installation,
    owner: &str,
    repo: &str,
    number: u64,
) -> anyhow::Result<Threads> {
    match rest::review_threads(gh, owner, repo, number).await {
        Ok(threads) => {
            let posted = threads.iter().filter_map(thread_key).collect();
            Ok(Threads { posted, threads })
        }
        // Threads need GraphQL. Without it the REST comments still tell what
        // was posted, so nothing is duplicated; fixed threads stay open.
        Err(err)
            if matches!(err, GitHubError::Graphql(_))
                || err.status().is_some_and(|s| s.is_client_error()) =>
        {
            warn!(error = %err, "review threads unavailable, reading comments instead");
            let bodies = rest::list_review_comment_bodies(gh, owner, repo, number)
                .await
                .context("listing review comments")?;
            Ok(Threads {
                posted: comment::markers_in(bodies.iter().map(String::as_str)),
                threads: Vec::new(),
            })
        }
        Err(err) => Err(err).context("listing review threads"),
    }
}

impl Threads {
    /// Open threads of findings still present (for the summary).
    pub fn open_count(&self, current: &HashSet<String>) -> usize {
        self.threads
            .iter()
            .filter(|t| !t.is_resolved)
            .filter_map(thread_key)
            .filter(|k| current.contains(k))
            .count()
    }

    /// Resolves prwarden's open threads whose finding is gone, with a reply
    /// naming the commit. `reviewed` says whether a path was fully analysed
    /// in this run (or left the PR): only then is "gone" trustworthy.
    /// Returns how many threads were resolved.
    pub async fn resolve_fixed(
        &self,
        gh: &Installation,
        job: &Job,
        number: u64,
        current: &HashSet<String>,
        reviewed: impl Fn(&str) -> bool,
    ) -> anyhow::Result<usize> {
        let (owner, repo, head_sha) = (job.owner.as_str(), job.repo.as_str(), &job.head_sha);
        let mut resolved = 0;
        for thread in &self.threads {
            let Some(key) = thread_key(thread) else {
                continue;
            };
            if thread.is_resolved || current.contains(&key) || !reviewed(&thread.path) {
                continue;
            }
            if human_touched(thread) {
                continue;
            }
            // A retried job may have replied before it crashed: reply once.
            let replied = thread
                .comments
                .iter()
                .any(|c| c.body.contains(RESOLVED_MARKER));
            if !replied {
                let root = thread.comments[0].database_id;
                let body = format!(
                    "Fixed in `{}`: prwarden no longer finds this. Resolving.\n\n{RESOLVED_MARKER}",
                    &head_sha[..head_sha.len().min(12)]
                );
                rest::reply_to_comment(gh, owner, repo, number, root, &body)
                    .await
                    .context("replying to a fixed thread")?;
            }
            rest::resolve_thread(gh, &thread.id)
                .await
                .context("resolving a fixed thread")?;
            resolved += 1;
        }
        Ok(resolved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::rest::ThreadComment;

    fn thread(bodies: &[&str], resolved: bool) -> ReviewThread {
        ReviewThread {
            id: "T".into(),
            is_resolved: resolved,
            path: "a.ts".into(),
            comments: bodies
                .iter()
                .enumerate()
                .map(|(i, b)| ThreadComment {
                    database_id: i as u64 + 1,
                    body: (*b).to_owned(),
                })
                .collect(),
        }
    }

    const OURS: &str = "text\n<!-- prwarden:fingerprint x/y:abc -->";

    #[test]
    fn threads_are_ours_by_their_first_comments_marker() {
        assert_eq!(
            thread_key(&thread(&[OURS], false)).as_deref(),
            Some("x/y:abc")
        );
        assert_eq!(thread_key(&thread(&["human note", OURS], false)), None);
    }

    #[test]
    fn a_human_reply_marks_the_thread_as_touched() {
        assert!(!human_touched(&thread(&[OURS], false)));
        assert!(!human_touched(&thread(
            &[OURS, "Fixed\n<!-- prwarden:resolved -->"],
            false
        )));
        assert!(human_touched(&thread(&[OURS, "I disagree"], false)));
    }
}
