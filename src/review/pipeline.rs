//! One review job, start to finish: pull request, configuration and
//! authorship → check run → files, hunks and contents → analyzers and the
//! policy for agent-authored changes → threads converged → one review →
//! labels → completed check run.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use anyhow::Context;
use prwarden_analyze::{
    Analyzer, Change, ChangeFinding, ChangedFile, ChangedPath, FileStatus, Finding, LineSet,
    SkipReason,
};
use prwarden_authorship::{Authorship, Overrides};
use prwarden_config::{RepoConfig, Scope};
use serde_json::{Value, json};
use tracing::{info, warn};

use super::diff::FileDiff;
use super::repo_config::ConfigCache;
use super::summary::{Report, SecurityNote, Skipped, annotations};
use super::{authorship, comment, threads};
use crate::github::rest::{self, BlobContent, PullFile, PullRequest};
use crate::github::{GitHubError, Installation};
use crate::intake::{MARK_REVIEWED_ACTION, RERUN_ACTION};
use crate::queue::{Job, Store};

/// The check run's name on every commit.
pub const CHECK_NAME: &str = "prwarden";
/// Files larger than this are skipped, not fetched.
const MAX_FILE_BYTES: usize = 1024 * 1024;
/// GitHub accepts at most 50 annotations per check-run request.
const ANNOTATIONS_PER_REQUEST: usize = 50;

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

/// What a review needs beyond the job: shared, long-lived parts.
pub struct Services<'a> {
    pub store: &'a Store,
    /// Shared with the blocking thread that runs it.
    pub analyzer: &'a Arc<Analyzer>,
    pub configs: &'a ConfigCache,
}

/// The check run's `external_id`: lets a resumed job find the run it created
/// before it crashed, instead of creating a second one.
fn external_id(job: &Job) -> String {
    format!("prwarden-job-{}", job.id)
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The buttons of a completed run: always Re-run, and Mark reviewed while a
/// security-critical change waits for a human.
fn actions(report: &Report<'_>) -> Vec<Value> {
    let mut actions = vec![rerun_action()];
    if report.awaiting_signoff() {
        actions.push(json!({
            "label": "Mark reviewed",
            "description": "Sign off the security-critical changes",
            "identifier": MARK_REVIEWED_ACTION,
        }));
    }
    actions
}

fn rerun_action() -> Value {
    json!({
        "label": "Re-run review",
        "description": "Review this commit again",
        "identifier": RERUN_ACTION,
    })
}

pub async fn run(gh: &Installation, services: &Services<'_>, job: &Job) -> anyhow::Result<Outcome> {
    let store = services.store;
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

    let known_rules: Vec<&str> = services.analyzer.rules().map(|r| r.id).collect();
    let config = services
        .configs
        .load(gh, owner, repo, &pr.base.name, &known_rules)
        .await?;
    let commits = tolerate_missing(rest::list_commits(gh, owner, repo, number).await)
        .context("listing the pull request's commits")?
        .unwrap_or_default();
    let via_app = tolerate_missing(rest::opened_via_app(gh, owner, repo, number).await)
        .context("reading the pull request's issue")?
        .flatten();
    let authorship = prwarden_authorship::detect(
        &authorship::metadata(&pr, via_app, &commits),
        &Overrides {
            ai_authors: config.ai_authors.clone(),
            human_authors: config.human_authors.clone(),
        },
    );

    let check_run_id = ensure_check_run(gh, store, job).await?;
    let mut ctx = PrContext {
        number,
        pr,
        config,
        authorship,
        signed_off_by: None,
        signoff_note: None,
    };
    let result = async {
        if ctx.config.scope == Scope::AiAuthored && !ctx.authorship.is_agent_authored() {
            complete_out_of_scope(gh, job, check_run_id, &ctx).await?;
            return Ok((0, 0));
        }
        record_signoff(gh, store, job, &mut ctx).await?;
        review_and_complete(gh, services, job, &ctx, check_run_id).await
    }
    .await;
    match result {
        Ok((posted_inline, findings)) => Ok(Outcome::Reviewed {
            check_run_id,
            posted_inline,
            findings,
        }),
        Err(err) => {
            // Past the fence the check run is another worker's to report.
            if rate_limited(&err).is_none() && !crate::github::fence::refused(&err) {
                report_failed_attempt(gh, job, check_run_id, &err).await;
            }
            Err(err)
        }
    }
}

/// When GitHub asked this installation to wait, until when.
pub fn rate_limited(err: &anyhow::Error) -> Option<chrono::DateTime<chrono::Utc>> {
    err.chain()
        .find_map(|e| match e.downcast_ref::<GitHubError>() {
            Some(GitHubError::RateLimited { retry_at }) => Some(*retry_at),
            _ => None,
        })
}

/// A failed attempt completes its check run — never left `in_progress`,
/// never green — saying it will be retried; the retry takes the same run
/// back to `in_progress`.
async fn report_failed_attempt(
    gh: &Installation,
    job: &Job,
    check_run_id: u64,
    err: &anyhow::Error,
) {
    let body = json!({
        "status": "completed",
        "conclusion": "failure",
        "completed_at": now_rfc3339(),
        "output": {
            "title": "Review attempt failed; retrying",
            "summary": super::summary::truncate_chars(
                &format!(
                    "prwarden could not finish reviewing `{}` (attempt {}): {err:#}\n\nThe review is retried automatically; **Re-run review** retries now.",
                    job.head_sha, job.attempts
                ),
                super::summary::MAX_SUMMARY_CHARS,
            ),
        },
        "actions": [rerun_action()],
    });
    if let Err(patch_err) =
        rest::update_check_run(gh, &job.owner, &job.repo, check_run_id, &body).await
    {
        warn!(error = %patch_err, "could not report the failure on the check run");
    }
}

/// Authorship evidence is best effort: a GitHub (or GHES version) that does
/// not serve one of its sources gives less evidence, not a failed review.
fn tolerate_missing<T>(result: Result<T, GitHubError>) -> Result<Option<T>, GitHubError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(err) if err.status() == Some(http::StatusCode::NOT_FOUND) => {
            warn!(error = %err, "authorship source unavailable");
            Ok(None)
        }
        Err(err) => Err(err),
    }
}

/// The pull request as this run sees it.
struct PrContext {
    number: u64,
    pr: PullRequest,
    config: RepoConfig,
    authorship: Authorship,
    signed_off_by: Option<String>,
    /// Why a "Mark reviewed" click did not count.
    signoff_note: Option<String>,
}

/// A "Mark reviewed" click counts only from a user with write or admin
/// permission on the repository.
async fn record_signoff(
    gh: &Installation,
    store: &Store,
    job: &Job,
    ctx: &mut PrContext,
) -> anyhow::Result<()> {
    let (owner, repo) = (job.owner.as_str(), job.repo.as_str());
    if let Some(login) = &job.signoff_by {
        let permission = rest::permission(gh, owner, repo, login)
            .await
            .context("checking the sign-off's permission")?;
        if matches!(permission.as_str(), "admin" | "write") {
            store
                .record_signoff(owner, repo, ctx.number, &job.head_sha, login)
                .await?;
            info!(%login, "security sign-off recorded");
        } else {
            info!(%login, %permission, "sign-off refused");
            ctx.signoff_note = Some(format!(
                "@{login} clicked **Mark reviewed**, but has `{permission}` permission on this repository; a sign-off needs write or admin permission, so it was not recorded."
            ));
        }
    }
    ctx.signed_off_by = store
        .signoff(owner, repo, ctx.number, &job.head_sha)
        .await?;
    Ok(())
}

/// `scope: ai-authored` and no agent evidence: the check says why it skipped.
async fn complete_out_of_scope(
    gh: &Installation,
    job: &Job,
    check_run_id: u64,
    ctx: &PrContext,
) -> anyhow::Result<()> {
    let summary = super::summary::truncate_chars(
        &format!(
            "## prwarden: skipped\n\nThis repository's configuration has `scope: ai-authored`, and this pull request shows no evidence of an AI coding agent.\n\n{}\n{}",
            super::summary::authorship_section(&ctx.authorship),
            super::summary::config_section(&ctx.config),
        ),
        super::summary::MAX_SUMMARY_CHARS,
    );
    rest::update_check_run(
        gh,
        &job.owner,
        &job.repo,
        check_run_id,
        &json!({
            "status": "completed",
            "conclusion": "skipped",
            "completed_at": now_rfc3339(),
            "output": { "title": "Skipped: not AI-authored", "summary": summary },
            "actions": [rerun_action()],
        }),
    )
    .await
    .context("completing the skipped check run")?;
    Ok(())
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
        existing = rest::find_check_run(gh, owner, repo, &job.head_sha, &external_id(job))
            .await
            .context("listing check runs")?;
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
    services: &Services<'_>,
    job: &Job,
    ctx: &PrContext,
    check_run_id: u64,
) -> anyhow::Result<(usize, usize)> {
    let (owner, repo, number) = (job.owner.as_str(), job.repo.as_str(), ctx.number);
    let config = &ctx.config;
    // Custom rules belong to the repository's configuration, so they join
    // the shared built-in rules per review; compiling a pattern is one parse
    // of a short snippet.
    let custom_rules = config.custom_rule_set();
    let analyzer: Arc<Analyzer> = if custom_rules.is_empty() {
        Arc::clone(services.analyzer)
    } else {
        Arc::new(services.analyzer.with_extra_rules(custom_rules))
    };
    let files = rest::list_files(gh, owner, repo, number)
        .await
        .context("listing the pull request's files")?;
    let files_in_pr = files.len();
    let pr_paths: HashSet<String> = files.iter().map(|f| f.filename.clone()).collect();
    let change_findings = change_findings(gh, job, &analyzer, config, &files).await?;
    let (candidates, mut skipped, mut reviewed_without_content) = triage(files, config);

    let paths: Vec<String> = candidates
        .iter()
        .filter(|c| !c.added.is_empty())
        .map(|c| c.path.clone())
        .collect();
    let contents = fetch_contents(gh, job, &candidates, &paths, &mut skipped).await?;
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
    // Parsing and the rules are CPU-bound, up to seconds for a large PR. On
    // the runtime's threads they would stall every task queued behind them,
    // webhook intake included; a blocking thread leaves those to the OS
    // scheduler to share out.
    let owned: Vec<(String, String, LineSet)> = inputs
        .iter()
        .map(|f| {
            (
                f.path.to_owned(),
                f.content.to_owned(),
                f.added_lines.clone(),
            )
        })
        .collect();
    let shared = Arc::clone(&analyzer);
    let analysis = tokio::task::spawn_blocking(move || {
        let inputs: Vec<ChangedFile<'_>> = owned
            .iter()
            .map(|(path, content, added_lines)| ChangedFile {
                path,
                content,
                added_lines,
            })
            .collect();
        shared.analyze(&inputs)
    })
    .await
    .context("the analyzers failed")?;
    let mut applicable = BTreeSet::new();
    let mut analysed_paths: HashSet<&str> = HashSet::new();
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
            if ran
                && config
                    .severity_for(meta.id, meta.item.id(), meta.severity)
                    .is_some()
            {
                applicable.insert(meta.item);
            }
        }
        match report.skipped {
            None => {
                analysed_paths.insert(report.path.as_str());
            }
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
        if !report.failed_rules.is_empty() {
            skipped.push(Skipped {
                path: report.path.clone(),
                reason: format!(
                    "not checked by {} (the rule failed on this file, a prwarden bug; the other rules ran)",
                    report.failed_rules.join(", ")
                ),
            });
        }
    }
    // The repository's `rules` switch rules off or change their severity.
    let findings: Vec<Finding> = analysis
        .findings
        .into_iter()
        .filter_map(|mut f| {
            let severity = config.severity_for(f.rule_id, f.item.id(), f.severity)?;
            f.severity = severity;
            Some(f)
        })
        .collect();

    // A newer push makes this review stale: do not post or resolve anything
    // for an old head (the newer commit's job does that).
    if services.store.newer_head(job, number).await?.is_some() {
        let now = rest::get_pull(gh, owner, repo, number)
            .await
            .context("re-reading the pull request")?;
        if now.head.sha != job.head_sha {
            complete_superseded(gh, job, check_run_id, &now.head.sha).await?;
            return Ok((0, 0));
        }
    }

    // The stricter policy for agent-authored pull requests.
    let ai = ctx.authorship.is_agent_authored();
    let security = if ai {
        security_notes(&inputs, &pr_paths, config)
    } else {
        Vec::new()
    };
    let needs_human = !security.is_empty();
    let specification_missing =
        ai.then(|| authorship::description_is_missing(ctx.pr.body.as_deref()));

    // The markers on GitHub are the truth about what is already posted.
    let threads = threads::load(gh, owner, repo, number).await?;
    let current: HashSet<String> = findings.iter().map(comment::key).collect();
    let fixed = threads
        .resolve_fixed(gh, job, number, &current, |path| {
            analysed_paths.contains(path) || !pr_paths.contains(path)
        })
        .await?;
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
        if threads.posted.contains(&key) {
            already_on_pr += 1;
        } else if !seen.insert(key) {
            // The engine makes repeated code's fingerprints distinct; this
            // only guards the one-comment-per-fingerprint rule.
        } else if !diffs
            .get(finding.path.as_str())
            .is_some_and(|d| d.can_anchor(finding.line, finding.end_line))
        {
            not_anchored.push(finding);
        } else if to_post.len() >= config.max_inline_comments {
            over_cap += 1;
        } else {
            to_post.push(finding);
        }
    }

    let review_error = post_review(gh, job, number, &to_post).await?;
    let posted_inline = if review_error.is_some() {
        0
    } else {
        to_post.len()
    };
    let label_error = sync_labels(gh, job, ctx, needs_human).await;

    let report = Report {
        head_sha: &job.head_sha,
        findings: &findings,
        change_findings: &change_findings,
        files_in_pr,
        files_reviewed: analysed_paths.len() + reviewed_without_content,
        skipped,
        applicable,
        posted_inline,
        already_on_pr,
        still_open: threads.open_count(&current),
        fixed,
        not_anchored,
        over_cap,
        max_inline_comments: config.max_inline_comments,
        fail_on: config.fail_on,
        review_error,
        label_error,
        authorship: Some(&ctx.authorship),
        security,
        signed_off_by: ctx.signed_off_by.clone(),
        signoff_note: ctx.signoff_note.clone(),
        specification_missing,
        config: Some(config),
    };
    complete_check_run(gh, job, check_run_id, &report).await?;
    info!(
        findings = findings.len(),
        change_findings = change_findings.len(),
        posted_inline,
        already_on_pr,
        fixed,
        authorship = ctx.authorship.tier.as_str(),
        conclusion = report.conclusion(),
        "review complete"
    );
    Ok((posted_inline, findings.len() + change_findings.len()))
}

/// The pull-request-level findings (no line: summary only), with the
/// repository's `rules` severities applied. The repository's file list at the
/// head commit is fetched only when an enabled rule could use it.
async fn change_findings(
    gh: &Installation,
    job: &Job,
    analyzer: &Analyzer,
    config: &RepoConfig,
    files: &[PullFile],
) -> anyhow::Result<Vec<ChangeFinding>> {
    let enabled = |id: &str, item: &str, severity| config.severity_for(id, item, severity);
    // Ignored paths do not count as changed code; an ignored test file still
    // counts as a test change (the conservative reading).
    let changed: Vec<ChangedPath> = files
        .iter()
        .filter(|f| {
            !config.is_ignored(&f.filename) || prwarden_analyze::syntax::is_test_path(&f.filename)
        })
        .map(|f| ChangedPath {
            path: f.filename.clone(),
            status: FileStatus::from_github(&f.status, f.changes),
        })
        .collect();
    let head_paths = if analyzer.change_needs_head_paths(&changed, |meta| {
        enabled(meta.id, meta.item.id(), meta.severity).is_some()
    }) {
        match rest::list_tree_paths(gh, &job.owner, &job.repo, &job.head_sha).await {
            Ok(paths) => {
                if paths.is_none() {
                    info!("repository tree truncated; package-level test checks skipped");
                }
                paths
            }
            // An empty or unreachable tree only means less context.
            Err(err)
                if matches!(
                    err.status(),
                    Some(
                        http::StatusCode::NOT_FOUND
                            | http::StatusCode::CONFLICT
                            | http::StatusCode::UNPROCESSABLE_ENTITY
                    )
                ) =>
            {
                warn!(error = %err, "repository tree unavailable");
                None
            }
            Err(err) => return Err(err).context("listing the repository's files"),
        }
    } else {
        None
    };
    Ok(analyzer
        .analyze_change(&Change {
            files: &changed,
            head_paths: head_paths.as_deref(),
        })
        .into_iter()
        .filter_map(|mut f| {
            f.severity = enabled(f.rule_id, f.item.id(), f.severity)?;
            Some(f)
        })
        .collect())
}

/// The PR moved on while this commit was being reviewed.
async fn complete_superseded(
    gh: &Installation,
    job: &Job,
    check_run_id: u64,
    new_head: &str,
) -> anyhow::Result<()> {
    info!(%new_head, "review superseded by a newer push");
    rest::update_check_run(
        gh,
        &job.owner,
        &job.repo,
        check_run_id,
        &json!({
            "status": "completed",
            "conclusion": "cancelled",
            "completed_at": now_rfc3339(),
            "output": {
                "title": "Superseded by a newer push",
                "summary": format!(
                    "The pull request moved on to `{new_head}` while this commit was being reviewed; that commit is reviewed instead."
                ),
            },
            "actions": [rerun_action()],
        }),
    )
    .await
    .context("completing the superseded check run")?;
    Ok(())
}

/// Changed files' contents at the head commit, by path.
async fn fetch_contents(
    gh: &Installation,
    job: &Job,
    candidates: &[Candidate],
    paths: &[String],
    skipped: &mut Vec<Skipped>,
) -> anyhow::Result<HashMap<String, String>> {
    let (owner, repo) = (job.owner.as_str(), job.repo.as_str());
    let by_path: HashMap<&str, &Candidate> =
        candidates.iter().map(|c| (c.path.as_str(), c)).collect();
    let blobs = match rest::fetch_blobs(gh, owner, repo, &job.head_sha, paths).await {
        Ok(blobs) => blobs,
        Err(err) => {
            // GraphQL is an optimisation: the blobs REST API gives the same
            // content, one call per file.
            warn!(error = %err, "batched content fetch failed, falling back to REST");
            vec![BlobContent::Truncated; paths.len()]
        }
    };
    let mut contents = HashMap::new();
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
    Ok(contents)
}

/// Security-critical changes: detected from paths, symbols and imports, plus
/// the repository's own `security_paths`.
fn security_notes(
    inputs: &[ChangedFile<'_>],
    pr_paths: &HashSet<String>,
    config: &RepoConfig,
) -> Vec<SecurityNote> {
    let with_content: HashSet<&str> = inputs.iter().map(|f| f.path).collect();
    let others: Vec<&str> = pr_paths
        .iter()
        .map(String::as_str)
        .filter(|p| !with_content.contains(p))
        .collect();
    let mut notes: Vec<SecurityNote> = prwarden_analyze::security_signals(inputs, &others)
        .into_iter()
        .map(|s| SecurityNote {
            path: s.path,
            line: s.line,
            reason: format!("{}: {}", s.area.as_str(), s.reason),
        })
        .collect();
    let mut sorted_paths: Vec<&String> = pr_paths.iter().collect();
    sorted_paths.sort();
    for path in sorted_paths {
        if config.is_security_path(path) {
            notes.push(SecurityNote {
                path: path.clone(),
                line: None,
                reason: "listed in the configuration's `security_paths`".into(),
            });
        }
    }
    notes
}

/// Posts the one review of this run. Returns the reason when GitHub
/// rejected it.
async fn post_review(
    gh: &Installation,
    job: &Job,
    number: u64,
    to_post: &[&Finding],
) -> anyhow::Result<Option<String>> {
    if to_post.is_empty() {
        return Ok(None);
    }
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
    match rest::create_review(gh, &job.owner, &job.repo, number, &body).await {
        Ok(_) => Ok(None),
        // Anchors were validated, so a 422 means GitHub disagrees with our
        // reading of the diff: report it rather than retry forever.
        Err(err @ GitHubError::Status { .. })
            if err.status() == Some(http::StatusCode::UNPROCESSABLE_ENTITY) =>
        {
            warn!(error = %err, "review rejected");
            Ok(Some(err.to_string()))
        }
        Err(err) => Err(err).context("posting the review"),
    }
}

pub const AI_LABEL: &str = "ai-authored";
pub const NEEDS_HUMAN_LABEL: &str = "needs-human-review";

/// `ai-authored` on agent-authored PRs; `needs-human-review` while a
/// security-critical change lacks a sign-off. Label trouble (e.g. the App was
/// installed without `issues: write`) is reported, not fatal.
async fn sync_labels(
    gh: &Installation,
    job: &Job,
    ctx: &PrContext,
    needs_human: bool,
) -> Option<String> {
    let (owner, repo, number) = (job.owner.as_str(), job.repo.as_str(), ctx.number);
    let has = |name: &str| {
        ctx.pr
            .labels
            .iter()
            .any(|l| l.name.eq_ignore_ascii_case(name))
    };
    let mut add = Vec::new();
    if ctx.authorship.is_agent_authored() && !has(AI_LABEL) {
        add.push(AI_LABEL);
    }
    let waiting = needs_human && ctx.signed_off_by.is_none();
    if waiting && !has(NEEDS_HUMAN_LABEL) {
        add.push(NEEDS_HUMAN_LABEL);
    }
    let mut result = Ok(());
    if !add.is_empty() {
        result = rest::add_labels(gh, owner, repo, number, &add).await;
    }
    if result.is_ok() && !waiting && has(NEEDS_HUMAN_LABEL) {
        result = rest::remove_label(gh, owner, repo, number, NEEDS_HUMAN_LABEL).await;
    }
    result.err().map(|err| {
        warn!(error = %err, "could not update labels");
        err.to_string()
    })
}

/// Splits the PR's files into those to analyse and those skipped, and counts
/// removed files (reviewed: nothing of theirs remains to comment on).
fn triage(files: Vec<PullFile>, config: &RepoConfig) -> (Vec<Candidate>, Vec<Skipped>, usize) {
    let mut candidates = Vec::new();
    let mut skipped = Vec::new();
    let mut removed = 0;
    for file in files {
        if config.is_ignored(&file.filename) {
            skipped.push(Skipped {
                path: file.filename,
                reason: "ignored by the configuration's `ignore`".into(),
            });
            continue;
        }
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
    // A resumed run may already carry annotations from an earlier attempt
    // that added them and then failed (completing the run, say). Findings
    // are a pure function of the commit, so those are the first `existing`
    // of `all`: adding them again would show every finding twice.
    let existing = gh
        .get(&format!("/repos/{owner}/{repo}/check-runs/{check_run_id}"))
        .await
        .context("reading the check run")?
        .value["output"]["annotations_count"]
        .as_u64()
        .unwrap_or(0) as usize;
    let mut total = existing;
    let missing = all.get(existing.min(all.len())..).unwrap_or_default();
    for batch in missing.chunks(ANNOTATIONS_PER_REQUEST) {
        total += batch.len();
        rest::append_annotations(
            gh,
            owner,
            repo,
            check_run_id,
            &json!({ "output": { "title": title, "summary": summary, "annotations": batch } }),
            total,
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
            "output": { "title": title, "summary": summary },
            "actions": actions(report),
        }),
    )
    .await
    .context("completing the check run")?;
    Ok(())
}
