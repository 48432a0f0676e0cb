//! One review job, start to finish: check run → PR files → hunks → contents
//! → analyzers → one review → completed check run.

use std::collections::{BTreeSet, HashMap, HashSet};

use anyhow::Context;
use prwarden_analyze::{Analyzer, ChangedFile, LineSet, Severity, SkipReason};
use serde_json::{Value, json};
use tracing::{info, warn};

use super::comment;
use super::diff::FileDiff;
use super::summary::{Report, Skipped, annotations};
use crate::github::rest::{self, BlobContent, PullFile};
use crate::github::{GitHubError, Installation};
use crate::intake::RERUN_ACTION;
use crate::queue::{Job, Store};

/// The check run's name on every commit.
pub const CHECK_NAME: &str = "prwarden";
/// Files larger than this are skipped, not fetched.
const MAX_FILE_BYTES: usize = 1024 * 1024;
/// GitHub accepts at most 50 annotations per check-run request.
const ANNOTATIONS_PER_REQUEST: usize = 50;

/// Settings a review runs with.
pub struct ReviewSettings {
    pub max_inline_comments: usize,
    pub fail_on: Option<Severity>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Reviewed {
        check_run_id: u64,
        posted_inline: usize,
        findings: usize,
    },
    /// Nothing to do for this job (closed PR, draft, superseded head, …).
    Skipped(String),
}

/// The check run's `external_id`: lets a resumed job find the run it created
/// before it crashed, instead of creating a second one.
fn external_id(job: &Job) -> String {
    format!("prwarden-job-{}", job.id)
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn rerun_action() -> Value {
    json!({
        "label": "Re-run review",
        "description": "Review this commit again",
        "identifier": RERUN_ACTION,
    })
}

pub async fn run(
    gh: &Installation,
    store: &Store,
    analyzer: &Analyzer,
    settings: &ReviewSettings,
    job: &Job,
) -> anyhow::Result<Outcome> {
    let (owner, repo) = (job.owner.as_str(), job.repo.as_str());
    let number = match job.pr_number {
        Some(n) => n,
        None => match store.pr_for_head(owner, repo, &job.head_sha).await? {
            Some(n) => n,
            None => {
                return Ok(Outcome::Skipped(
                    "no known pull request for this commit".into(),
                ));
            }
        },
    };
    let pr = rest::get_pull(gh, owner, repo, number)
        .await
        .context("reading the pull request")?;
    if pr.state != "open" {
        return Ok(Outcome::Skipped(format!("pull request is {}", pr.state)));
    }
    if pr.head.sha != job.head_sha {
        // A newer push has its own trigger; the files API only shows the
        // newest head, so this commit can no longer be reviewed faithfully.
        return Ok(Outcome::Skipped("superseded by a newer head commit".into()));
    }
    if pr.draft && !job.manual {
        return Ok(Outcome::Skipped("draft pull request".into()));
    }
    store
        .remember_pull_head(owner, repo, &job.head_sha, number)
        .await?;

    let check_run_id = ensure_check_run(gh, store, job).await?;
    let result = review_and_complete(gh, analyzer, settings, job, number, check_run_id).await;
    match result {
        Ok((posted_inline, findings)) => Ok(Outcome::Reviewed {
            check_run_id,
            posted_inline,
            findings,
        }),
        Err(err) => {
            // Say so on the check run; the worker decides about retrying.
            let body = json!({
                "output": {
                    "title": "Review attempt failed",
                    "summary": format!(
                        "prwarden could not finish reviewing `{}` (attempt {}): {}\n\nIt will be retried.",
                        job.head_sha, job.attempts, err
                    ),
                },
            });
            if let Err(patch_err) =
                rest::update_check_run(gh, owner, repo, check_run_id, &body).await
            {
                warn!(error = %patch_err, "could not report the failure on the check run");
            }
            Err(err)
        }
    }
}

/// Marks a check run that will not be retried any more as failed, so it is
/// never left `in_progress`.
pub async fn give_up(gh: &Installation, job: &Job, check_run_id: u64, error: &str) {
    let body = json!({
        "status": "completed",
        "conclusion": "failure",
        "completed_at": now_rfc3339(),
        "output": {
            "title": "prwarden could not complete the review",
            "summary": super::summary::truncate_chars(
                &format!("The review of `{}` failed {} times; the last error was:\n\n{error}\n\nUse **Re-run review** to try again.", job.head_sha, job.attempts),
                super::summary::MAX_SUMMARY_CHARS,
            ),
        },
        "actions": [rerun_action()],
    });
    if let Err(err) = rest::update_check_run(gh, &job.owner, &job.repo, check_run_id, &body).await {
        warn!(error = %err, "could not complete the failed check run");
    }
}

async fn ensure_check_run(gh: &Installation, store: &Store, job: &Job) -> anyhow::Result<u64> {
    let (owner, repo) = (job.owner.as_str(), job.repo.as_str());
    let mut existing = job.check_run_id;
    if existing.is_none() && job.attempts > 1 {
        // A crash may have come between creating the run and recording it.
        let listed = gh
            .get(&format!(
                "/repos/{owner}/{repo}/commits/{}/check-runs?check_name={CHECK_NAME}&filter=all&per_page=100",
                job.head_sha
            ))
            .await
            .context("listing check runs")?
            .value;
        existing = listed["check_runs"].as_array().and_then(|runs| {
            runs.iter()
                .find(|r| r["external_id"].as_str() == Some(external_id(job).as_str()))
                .and_then(|r| r["id"].as_u64())
        });
    }
    let id = match existing {
        Some(id) => {
            rest::update_check_run(gh, owner, repo, id, &json!({ "status": "in_progress" }))
                .await
                .context("resuming the check run")?;
            id
        }
        None => rest::create_check_run(
            gh,
            owner,
            repo,
            &json!({
                "name": CHECK_NAME,
                "head_sha": job.head_sha,
                "status": "in_progress",
                "started_at": now_rfc3339(),
                "external_id": external_id(job),
                "output": {
                    "title": "Reviewing",
                    "summary": "prwarden is reviewing this commit against the checklist.",
                },
            }),
        )
        .await
        .context("creating the check run")?,
    };
    store.set_check_run(job.id, id).await?;
    Ok(id)
}

/// A changed file that will be analysed.
struct Candidate {
    path: String,
    blob_sha: Option<String>,
    diff: FileDiff,
    added: LineSet,
}

async fn review_and_complete(
    gh: &Installation,
    analyzer: &Analyzer,
    settings: &ReviewSettings,
    job: &Job,
    number: u64,
    check_run_id: u64,
) -> anyhow::Result<(usize, usize)> {
    let (owner, repo) = (job.owner.as_str(), job.repo.as_str());
    let files = rest::list_files(gh, owner, repo, number)
        .await
        .context("listing the pull request's files")?;
    let files_in_pr = files.len();
    let (candidates, mut skipped, mut reviewed_without_content) = triage(files);

    let paths: Vec<String> = candidates
        .iter()
        .filter(|c| !c.added.is_empty())
        .map(|c| c.path.clone())
        .collect();
    let by_path: HashMap<&str, &Candidate> =
        candidates.iter().map(|c| (c.path.as_str(), c)).collect();
    let blobs = match rest::fetch_blobs(gh, owner, repo, &job.head_sha, &paths).await {
        Ok(blobs) => blobs,
        Err(err) => {
            // GraphQL is an optimisation: the blobs REST API gives the same
            // content, one call per file.
            warn!(error = %err, "batched content fetch failed, falling back to REST");
            vec![BlobContent::Truncated; paths.len()]
        }
    };
    let mut contents: HashMap<String, String> = HashMap::new();
    for (path, blob) in paths.iter().zip(blobs) {
        let text = match blob {
            BlobContent::Text(text) => Some(text),
            BlobContent::Truncated => match by_path[path.as_str()].blob_sha.as_deref() {
                Some(sha) => rest::get_blob_text(gh, owner, repo, sha)
                    .await
                    .context("fetching a file through the blobs API")?,
                None => None,
            },
            BlobContent::Binary | BlobContent::Missing => None,
        };
        match text {
            Some(text) if text.len() > MAX_FILE_BYTES => skipped.push(Skipped {
                path: path.clone(),
                reason: format!("larger than {} KiB", MAX_FILE_BYTES / 1024),
            }),
            Some(text) => {
                contents.insert(path.clone(), text);
            }
            None => skipped.push(Skipped {
                path: path.clone(),
                reason: "binary or unavailable at the head commit".into(),
            }),
        }
    }
    // Files whose change only deletes lines have nothing to comment on.
    reviewed_without_content += candidates.iter().filter(|c| c.added.is_empty()).count();

    let inputs: Vec<ChangedFile<'_>> = candidates
        .iter()
        .filter_map(|c| {
            contents.get(&c.path).map(|content| ChangedFile {
                path: &c.path,
                content,
                added_lines: &c.added,
            })
        })
        .collect();
    let analysis = analyzer.analyze(&inputs);
    let mut applicable = BTreeSet::new();
    let mut analysed = 0;
    for report in &analysis.files {
        for meta in analyzer.rules() {
            let ran = match report.skipped {
                None => meta.applies_to(report.language),
                // Unparsed files still get the language-independent rules.
                Some(SkipReason::UnsupportedLanguage | SkipReason::ParseError) => {
                    meta.languages.is_empty()
                }
                Some(_) => false,
            };
            if ran {
                applicable.insert(meta.item);
            }
        }
        match report.skipped {
            None => analysed += 1,
            Some(reason) => skipped.push(Skipped {
                path: report.path.clone(),
                reason: match reason {
                    SkipReason::UnsupportedLanguage => {
                        "no parser for this file type (scanned for secrets only)".into()
                    }
                    other => other.describe().into(),
                },
            }),
        }
    }
    let findings = analysis.findings;

    // The markers on GitHub are the truth about what is already posted.
    let bodies = rest::list_review_comment_bodies(gh, owner, repo, number)
        .await
        .context("listing existing review comments")?;
    let existing = comment::markers_in(bodies.iter().map(String::as_str));
    let diffs: HashMap<&str, &FileDiff> = candidates
        .iter()
        .map(|c| (c.path.as_str(), &c.diff))
        .collect();
    let mut seen = HashSet::new();
    let mut to_post = Vec::new();
    let mut not_anchored = Vec::new();
    let mut already_on_pr = 0;
    let mut over_cap = 0;
    for finding in &findings {
        let key = comment::key(finding);
        if existing.contains(&key) {
            already_on_pr += 1;
        } else if !seen.insert(key) {
            // The engine makes repeated code's fingerprints distinct; this
            // only guards the one-review-per-fingerprint rule.
        } else if !diffs
            .get(finding.path.as_str())
            .is_some_and(|d| d.can_anchor(finding.line, finding.end_line))
        {
            not_anchored.push(finding);
        } else if to_post.len() >= settings.max_inline_comments {
            over_cap += 1;
        } else {
            to_post.push(finding);
        }
    }

    let mut review_error = None;
    if !to_post.is_empty() {
        let comments: Vec<Value> = to_post
            .iter()
            .map(|f| {
                let mut c = json!({
                    "path": f.path,
                    "line": f.end_line,
                    "side": "RIGHT",
                    "body": comment::body(f),
                });
                if f.line < f.end_line {
                    c["start_line"] = json!(f.line);
                    c["start_side"] = json!("RIGHT");
                }
                c
            })
            .collect();
        let body = json!({
            "commit_id": job.head_sha,
            "event": "COMMENT",
            "body": format!(
                "prwarden reviewed `{}` against the checklist: {} new finding{} below. The `{CHECK_NAME}` check run has the full checklist.",
                &job.head_sha[..job.head_sha.len().min(12)],
                to_post.len(),
                if to_post.len() == 1 { "" } else { "s" },
            ),
            "comments": comments,
        });
        match rest::create_review(gh, owner, repo, number, &body).await {
            Ok(_) => {}
            // Anchors were validated, so a 422 means GitHub disagrees with our
            // reading of the diff: report it rather than retry forever.
            Err(err @ GitHubError::Status { .. })
                if err.status() == Some(http::StatusCode::UNPROCESSABLE_ENTITY) =>
            {
                warn!(error = %err, "review rejected");
                review_error = Some(err.to_string());
            }
            Err(err) => return Err(err).context("posting the review"),
        }
    }
    let posted_inline = if review_error.is_some() {
        0
    } else {
        to_post.len()
    };

    let report = Report {
        head_sha: &job.head_sha,
        findings: &findings,
        files_in_pr,
        files_reviewed: analysed + reviewed_without_content,
        skipped,
        applicable,
        posted_inline,
        already_on_pr,
        not_anchored,
        over_cap,
        max_inline_comments: settings.max_inline_comments,
        fail_on: settings.fail_on,
        review_error,
    };
    complete_check_run(gh, job, check_run_id, &report).await?;
    info!(
        findings = findings.len(),
        posted_inline,
        already_on_pr,
        conclusion = report.conclusion(),
        "review complete"
    );
    Ok((posted_inline, findings.len()))
}

/// Splits the PR's files into those to analyse and those skipped, and counts
/// removed files (reviewed: nothing of theirs remains to comment on).
fn triage(files: Vec<PullFile>) -> (Vec<Candidate>, Vec<Skipped>, usize) {
    let mut candidates = Vec::new();
    let mut skipped = Vec::new();
    let mut removed = 0;
    for file in files {
        if file.status == "removed" {
            removed += 1;
            continue;
        }
        let Some(patch) = file.patch.as_deref() else {
            skipped.push(Skipped {
                path: file.filename,
                reason: "GitHub shows no diff (binary file or diff too large)".into(),
            });
            continue;
        };
        match FileDiff::parse(patch) {
            Ok(diff) => candidates.push(Candidate {
                added: diff.added_lines(),
                diff,
                path: file.filename,
                blob_sha: file.sha,
            }),
            Err(err) => skipped.push(Skipped {
                path: file.filename,
                reason: format!("unreadable diff: {err}"),
            }),
        }
    }
    (candidates, skipped, removed)
}

async fn complete_check_run(
    gh: &Installation,
    job: &Job,
    check_run_id: u64,
    report: &Report<'_>,
) -> anyhow::Result<()> {
    let (owner, repo) = (job.owner.as_str(), job.repo.as_str());
    let title = report.title();
    let summary = report.summary();
    let all = annotations(report.findings);
    let mut batches: Vec<&[Value]> = all.chunks(ANNOTATIONS_PER_REQUEST).collect();
    // The last batch rides on the completing request.
    let last = batches.pop().unwrap_or(&[]);
    for batch in batches {
        rest::update_check_run(
            gh,
            owner,
            repo,
            check_run_id,
            &json!({ "output": { "title": title, "summary": summary, "annotations": batch } }),
        )
        .await
        .context("adding annotations to the check run")?;
    }
    rest::update_check_run(
        gh,
        owner,
        repo,
        check_run_id,
        &json!({
            "status": "completed",
            "conclusion": report.conclusion(),
            "completed_at": now_rfc3339(),
            "output": { "title": title, "summary": summary, "annotations": last },
            "actions": [rerun_action()],
        }),
    )
    .await
    .context("completing the check run")?;
    Ok(())
}
