//! The check run's output: title, the Markdown summary (checklist grid,
//! counts, verdict, coverage), the conclusion and the annotations.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use prwarden_analyze::{ChangeFinding, ChecklistItem, Finding, Severity};
use prwarden_authorship::{Authorship, Tier};
use prwarden_config::RepoConfig;
use serde_json::{Value, json};

/// GitHub's limit on `output.summary` and `output.text`, in characters.
pub const MAX_SUMMARY_CHARS: usize = 65_535;
/// GitHub's limit on annotation `title`.
const MAX_ANNOTATION_TITLE: usize = 255;
/// GitHub's 64 KB limit on annotation `message`, kept well clear of.
const MAX_ANNOTATION_MESSAGE: usize = 60_000;
/// Skipped files listed by name before the list is cut short.
const MAX_LISTED_FILES: usize = 100;

/// A file that was not reviewed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// Why a change counts as security-critical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityNote {
    pub path: String,
    pub line: Option<u32>,
    pub reason: String,
}

/// Evidence rows shown before the list is cut short.
const MAX_EVIDENCE_ROWS: usize = 20;

/// Everything the summary reports about one run.
#[derive(Debug, Default)]
pub struct Report<'a> {
    pub head_sha: &'a str,
    pub findings: &'a [Finding],
    /// Pull-request-level findings: no line, so never inline comments or
    /// annotations; shown in the summary under their checklist item.
    pub change_findings: &'a [ChangeFinding],
    pub files_in_pr: usize,
    pub files_reviewed: usize,
    pub skipped: Vec<Skipped>,
    /// Checklist items some enabled rule could check on the reviewed files.
    pub applicable: BTreeSet<ChecklistItem>,
    pub posted_inline: usize,
    pub already_on_pr: usize,
    /// Open threads of findings that are still there.
    pub still_open: usize,
    /// Threads resolved in this run because their finding is gone.
    pub fixed: usize,
    /// Findings not on a commentable line of the diff.
    pub not_anchored: Vec<&'a Finding>,
    /// Findings left out of the review by the inline-comment cap.
    pub over_cap: usize,
    pub max_inline_comments: usize,
    pub fail_on: Option<Severity>,
    /// Set when the review could not be posted.
    pub review_error: Option<String>,
    pub label_error: Option<String>,
    pub authorship: Option<&'a Authorship>,
    /// Security-critical changes of an agent-authored PR.
    pub security: Vec<SecurityNote>,
    pub signed_off_by: Option<String>,
    /// Why a sign-off click did not count.
    pub signoff_note: Option<String>,
    /// `None` when the item does not apply (not agent-authored).
    pub specification_missing: Option<bool>,
    pub config: Option<&'a RepoConfig>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ready,
    MeaningfulChanges,
    SubstantialRewrite,
}

impl Verdict {
    pub fn text(self) -> &'static str {
        match self {
            Verdict::Ready => "ready with minor comments",
            Verdict::MeaningfulChanges => "needs meaningful changes",
            Verdict::SubstantialRewrite => "needs substantial rewrite",
        }
    }
}

impl Report<'_> {
    /// Every finding's `(item, severity)`, line-anchored and pull-request-level.
    fn all_findings(&self) -> impl Iterator<Item = (ChecklistItem, Severity)> + '_ {
        self.findings
            .iter()
            .map(|f| (f.item, f.severity))
            .chain(self.change_findings.iter().map(|f| (f.item, f.severity)))
    }

    fn count(&self, severity: Severity) -> usize {
        self.all_findings().filter(|(_, s)| *s == severity).count()
    }

    fn total(&self) -> usize {
        self.findings.len() + self.change_findings.len()
    }

    pub fn verdict(&self) -> Verdict {
        let errors = self.count(Severity::Error);
        let warnings = self.count(Severity::Warning);
        let failing_items: BTreeSet<_> = self.all_findings().map(|(item, _)| item).collect();
        if errors >= 3 || (errors >= 2 && failing_items.len() >= 3) {
            Verdict::SubstantialRewrite
        } else if errors >= 1 || warnings >= 5 {
            Verdict::MeaningfulChanges
        } else {
            Verdict::Ready
        }
    }

    /// A security-critical change of an agent-authored PR without a sign-off.
    pub fn awaiting_signoff(&self) -> bool {
        !self.security.is_empty() && self.signed_off_by.is_none()
    }

    /// `action_required` while a human sign-off is missing (the issue puts it
    /// before everything else: a person must look either way), `failure` at
    /// or above `fail_on`, never `success` when nothing could be reviewed.
    pub fn conclusion(&self) -> &'static str {
        if self.awaiting_signoff() {
            return "action_required";
        }
        if let Some(threshold) = self.fail_on
            && self.all_findings().any(|(_, s)| s >= threshold)
        {
            return "failure";
        }
        if self.files_reviewed == 0 || self.review_error.is_some() {
            return "neutral";
        }
        "success"
    }

    pub fn title(&self) -> String {
        if self.awaiting_signoff() {
            return format!(
                "Needs human sign-off: security-critical changes, {} finding{}",
                self.total(),
                if self.total() == 1 { "" } else { "s" }
            );
        }
        if self.files_reviewed == 0 {
            return "Nothing could be reviewed".to_owned();
        }
        let total = self.total();
        if total == 0 {
            return format!("No findings in {} files", self.files_reviewed);
        }
        format!(
            "{total} finding{}: {} error, {} warning, {} info",
            if total == 1 { "" } else { "s" },
            self.count(Severity::Error),
            self.count(Severity::Warning),
            self.count(Severity::Info),
        )
    }

    pub fn summary(&self) -> String {
        let mut out = String::new();
        let verdict = if self.files_reviewed == 0 {
            "nothing could be reviewed".to_owned()
        } else if self.awaiting_signoff() {
            format!("needs a human sign-off (code: {})", self.verdict().text())
        } else {
            self.verdict().text().to_owned()
        };
        let _ = writeln!(out, "## prwarden: {verdict}\n");
        let _ = writeln!(
            out,
            "Reviewed commit `{}`: **{}** error, **{}** warning, **{}** info.\n",
            short_sha(self.head_sha),
            self.count(Severity::Error),
            self.count(Severity::Warning),
            self.count(Severity::Info),
        );
        if let Some(error) = &self.review_error {
            let _ = writeln!(
                out,
                "> **The inline review could not be posted:** {error}. The findings are in the annotations below.\n"
            );
        }

        out.push_str("### Checklist\n\n| item | verdict | findings |\n|---|---|---|\n");
        let mut per_item: BTreeMap<ChecklistItem, usize> = BTreeMap::new();
        for (item, _) in self.all_findings() {
            *per_item.entry(item).or_default() += 1;
        }
        for item in ChecklistItem::ALL {
            let mut n = per_item.get(&item).copied().unwrap_or(0);
            let policy = match item {
                ChecklistItem::SecurityReview => self.security_verdict(),
                ChecklistItem::Specification => self.specification_missing.map(|missing| {
                    n = usize::from(missing);
                    if missing { "❌ fail" } else { "✅ pass" }.to_owned()
                }),
                _ => None,
            };
            if item == ChecklistItem::SecurityReview {
                n = self.security.len();
            }
            let verdict = if let Some(policy) = policy {
                policy
            } else if n > 0 {
                "❌ fail".to_owned()
            } else if self.applicable.contains(&item) && self.files_reviewed > 0 {
                "✅ pass".to_owned()
            } else {
                "➖ not applicable".to_owned()
            };
            let _ = writeln!(
                out,
                "| {} `{}` | {verdict} | {n} |",
                item.question(),
                item.id()
            );
        }

        out.push_str(&self.change_findings_section());

        if let Some(authorship) = self.authorship {
            out.push('\n');
            out.push_str(&authorship_section(authorship));
        }
        if !self.security.is_empty() {
            out.push_str("\n### Security-critical changes\n\n");
            match &self.signed_off_by {
                Some(login) => {
                    let _ = writeln!(out, "Signed off by @{login} for this commit.\n");
                }
                None => out.push_str(
                    "This AI-authored pull request changes security-critical code: a person with write access must review it line by line, then press **Mark reviewed**.\n\n",
                ),
            }
            for note in self.security.iter().take(MAX_LISTED_FILES) {
                let location = match note.line {
                    Some(line) => format!("{}:{line}", note.path),
                    None => note.path.clone(),
                };
                let _ = writeln!(out, "- `{location}`: {}", note.reason);
            }
        }
        if let Some(note) = &self.signoff_note {
            let _ = writeln!(out, "\n> {note}");
        }
        if self.specification_missing == Some(true) {
            out.push_str("\n### Specification\n\nThis AI-authored pull request has an empty or one-line description. State the intent, the requirements and the scope, so that reviewers can check the code against them.\n");
        }

        let _ = writeln!(
            out,
            "\n### Inline comments\n\n{} new in this run, {} still open from earlier runs, {} fixed since the previous run (threads resolved).",
            self.posted_inline, self.still_open, self.fixed
        );
        if self.already_on_pr > self.still_open {
            let _ = writeln!(
                out,
                "{} findings were already on the pull request and are not posted again.",
                self.already_on_pr
            );
        }
        if let Some(error) = &self.label_error {
            let _ = writeln!(out, "\n> Labels could not be updated: {error}");
        }
        if self.over_cap > 0 {
            let _ = writeln!(
                out,
                "{} more are only in the annotations: a review holds at most {} inline comments.",
                self.over_cap, self.max_inline_comments
            );
        }
        if !self.not_anchored.is_empty() {
            out.push_str("\nFindings outside the diff's commentable lines:\n\n");
            for f in &self.not_anchored {
                let _ = writeln!(
                    out,
                    "- `{}:{}` `{}`: {}",
                    f.path, f.line, f.rule_id, f.title
                );
            }
        }

        let _ = writeln!(
            out,
            "\n### Coverage\n\n{} of {} changed files reviewed.",
            self.files_reviewed, self.files_in_pr
        );
        if !self.skipped.is_empty() {
            let _ = writeln!(out, "\n{} files skipped:\n", self.skipped.len());
            for s in self.skipped.iter().take(MAX_LISTED_FILES) {
                let _ = writeln!(out, "- `{}`: {}", s.path, s.reason);
            }
            if self.skipped.len() > MAX_LISTED_FILES {
                let _ = writeln!(
                    out,
                    "- … and {} more",
                    self.skipped.len() - MAX_LISTED_FILES
                );
            }
        }
        match self.config {
            Some(config) => out.push_str(&config_section(config)),
            None => {
                let _ = writeln!(
                    out,
                    "\n### Configuration\n\n`fail_on: {}`, `max_inline_comments: {}` (source: built-in defaults).",
                    self.fail_on.map_or("never", Severity::as_str),
                    self.max_inline_comments
                );
            }
        }
        truncate_chars(&out, MAX_SUMMARY_CHARS)
    }

    /// The pull-request-level findings, grouped under their checklist item,
    /// each with its agent prompt collapsed.
    fn change_findings_section(&self) -> String {
        let mut out = String::new();
        for item in ChecklistItem::ALL {
            let findings: Vec<&ChangeFinding> = self
                .change_findings
                .iter()
                .filter(|f| f.item == item)
                .collect();
            if findings.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "\n### `{}`: pull-request findings\n\n{}\n",
                item.id(),
                item.question()
            );
            for f in findings.iter().take(MAX_LISTED_FILES) {
                let p = &f.prompt;
                let _ = writeln!(
                    out,
                    "- **{}** `{}`: {}\n\n  {}\n\n  <details><summary>Prompt for your coding agent</summary>\n\n  {} Location: {}. Root cause: {} Fix: {} Scope: {}\n\n  </details>\n",
                    f.severity.as_str(),
                    f.rule_id,
                    f.title,
                    f.message,
                    p.symptom,
                    p.location,
                    p.root_cause,
                    p.fix,
                    p.scope,
                );
            }
        }
        out
    }

    fn security_verdict(&self) -> Option<String> {
        let ai = self.authorship.is_some_and(Authorship::is_agent_authored);
        if !ai {
            return None;
        }
        Some(match (&self.signed_off_by, self.security.is_empty()) {
            (_, true) => "✅ pass".to_owned(),
            (Some(login), false) => format!("✅ signed off by @{login}"),
            (None, false) => "🧑 needs human".to_owned(),
        })
    }
}

/// Markdown table cells must not contain a bare `|` or a newline.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The authorship verdict and every piece of evidence, with its commit.
pub fn authorship_section(authorship: &Authorship) -> String {
    let mut out = String::new();
    let tools = if authorship.tools.is_empty() {
        String::new()
    } else {
        format!(" ({})", authorship.tools.join(", "))
    };
    let _ = writeln!(
        out,
        "### AI authorship: {}{tools}\n",
        authorship.tier.as_str()
    );
    if authorship.evidence.is_empty() {
        out.push_str("No evidence of an AI coding agent was found in the author, branch, labels, description or commits.\n");
        return out;
    }
    if authorship.tier == Tier::AgentAuthored {
        out.push_str("The stricter policy for agent-authored changes applies (`security-review`, `specification`).\n\n");
    }
    out.push_str("| evidence | tool | where | matched |\n|---|---|---|---|\n");
    for e in authorship.evidence.iter().take(MAX_EVIDENCE_ROWS) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | `{}` |",
            cell(&e.family),
            cell(&e.tool),
            cell(&e.location),
            cell(&e.matched).replace('`', "'")
        );
    }
    if authorship.evidence.len() > MAX_EVIDENCE_ROWS {
        let _ = writeln!(
            out,
            "\n… and {} more pieces of evidence.",
            authorship.evidence.len() - MAX_EVIDENCE_ROWS
        );
    }
    out
}

/// The effective configuration, where it came from, and its problems.
pub fn config_section(config: &RepoConfig) -> String {
    let mut out = String::from("\n### Configuration\n\n");
    out.push_str(&config.describe());
    out.push('\n');
    if !config.problems.is_empty() {
        out.push_str("\n**Configuration problems** (the rest of the configuration applies):\n\n");
        for problem in &config.problems {
            let _ = writeln!(out, "- {problem}");
        }
    }
    if !config.custom_rules.is_empty() {
        let ids: Vec<String> = config
            .custom_rules
            .iter()
            .map(|r| format!("`{}`", r.rule_id()))
            .collect();
        let _ = writeln!(out, "\nCustom rules: {}.", ids.join(", "));
    }
    out
}

fn short_sha(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

/// `text` cut to at most `max` characters, marking the cut.
pub fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    const MARK: &str = "\n\n… (truncated)";
    let keep = max.saturating_sub(MARK.chars().count());
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(MARK);
    out
}

/// One check-run annotation per finding.
pub fn annotations(findings: &[Finding]) -> Vec<Value> {
    findings
        .iter()
        .map(|f| {
            let level = match f.severity {
                Severity::Error => "failure",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            json!({
                "path": f.path,
                "start_line": f.line,
                "end_line": f.end_line.max(f.line),
                "annotation_level": level,
                "title": truncate_chars(&format!("{}: {}", f.rule_id, f.title), MAX_ANNOTATION_TITLE),
                "message": truncate_chars(&f.message, MAX_ANNOTATION_MESSAGE),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use prwarden_analyze::AgentPrompt;

    fn finding(severity: Severity, item: ChecklistItem) -> Finding {
        Finding {
            rule_id: "x/y",
            item,
            severity,
            path: "a.ts".into(),
            line: 1,
            end_line: 1,
            title: "t".into(),
            message: "m".into(),
            suggestion: None,
            prompt: AgentPrompt {
                symptom: String::new(),
                location: String::new(),
                root_cause: String::new(),
                fix: String::new(),
                scope: String::new(),
            },
            symbol: None,
            fingerprint: "f".into(),
        }
    }

    #[test]
    fn conclusion_fails_at_threshold_and_is_never_green_without_review() {
        let warn = [finding(Severity::Warning, ChecklistItem::TypeSafety)];
        let mut report = Report {
            findings: &warn,
            files_reviewed: 1,
            fail_on: Some(Severity::Error),
            ..Report::default()
        };
        assert_eq!(report.conclusion(), "success");
        report.fail_on = Some(Severity::Warning);
        assert_eq!(report.conclusion(), "failure");
        let nothing = Report {
            files_reviewed: 0,
            files_in_pr: 3,
            fail_on: Some(Severity::Error),
            ..Report::default()
        };
        assert_eq!(nothing.conclusion(), "neutral");
        assert_eq!(nothing.title(), "Nothing could be reviewed");
    }

    #[test]
    fn verdict_scales_with_severity_and_spread() {
        let errors: Vec<_> = (0..3)
            .map(|_| finding(Severity::Error, ChecklistItem::HardcodedConfig))
            .collect();
        let report = Report {
            findings: &errors,
            files_reviewed: 1,
            ..Report::default()
        };
        assert_eq!(report.verdict(), Verdict::SubstantialRewrite);
        let one = [finding(Severity::Error, ChecklistItem::HardcodedConfig)];
        let report = Report {
            findings: &one,
            files_reviewed: 1,
            ..Report::default()
        };
        assert_eq!(report.verdict(), Verdict::MeaningfulChanges);
        let report = Report {
            findings: &[],
            files_reviewed: 1,
            ..Report::default()
        };
        assert_eq!(report.verdict(), Verdict::Ready);
    }

    #[test]
    fn grid_marks_fail_pass_and_not_applicable() {
        let f = [finding(Severity::Warning, ChecklistItem::TypeSafety)];
        let report = Report {
            findings: &f,
            files_reviewed: 1,
            files_in_pr: 2,
            applicable: BTreeSet::from([ChecklistItem::TypeSafety, ChecklistItem::ErrorHandling]),
            skipped: vec![Skipped {
                path: "logo.png".into(),
                reason: "binary file".into(),
            }],
            ..Report::default()
        };
        let summary = report.summary();
        assert!(summary.contains("`type-safety` | ❌ fail | 1 |"));
        assert!(summary.contains("`error-handling` | ✅ pass | 0 |"));
        assert!(summary.contains("`concurrency` | ➖ not applicable | 0 |"));
        assert!(summary.contains("- `logo.png`: binary file"));
        assert!(summary.contains("1 of 2 changed files reviewed"));
    }

    #[test]
    fn pr_level_findings_count_in_the_grid_verdict_and_conclusion() {
        let change = [ChangeFinding {
            rule_id: "test-quality/no-tests-changed",
            item: ChecklistItem::TestQuality,
            severity: Severity::Warning,
            title: "1 source file changed in `web/` without a test change".into(),
            message: "This pull request changes `web/a.ts`.".into(),
            paths: vec!["web/a.ts".into()],
            prompt: AgentPrompt {
                symptom: "Source changed.".into(),
                location: "web/".into(),
                root_cause: "No test.".into(),
                fix: "Add tests.".into(),
                scope: "Only tests.".into(),
            },
            fingerprint: "0123456789abcdef".into(),
        }];
        let mut report = Report {
            change_findings: &change,
            files_reviewed: 1,
            fail_on: Some(Severity::Error),
            applicable: BTreeSet::from([ChecklistItem::TestQuality]),
            ..Report::default()
        };
        let summary = report.summary();
        assert!(
            summary.contains("`test-quality` | ❌ fail | 1 |"),
            "{summary}"
        );
        assert!(summary.contains("### `test-quality`: pull-request findings"));
        assert!(summary.contains("**warning** `test-quality/no-tests-changed`"));
        assert!(summary.contains("**0** error, **1** warning"));
        assert_eq!(report.title(), "1 finding: 0 error, 1 warning, 0 info");
        assert_eq!(report.conclusion(), "success");
        report.fail_on = Some(Severity::Warning);
        assert_eq!(report.conclusion(), "failure");
        assert!(annotations(report.findings).is_empty());
    }

    #[test]
    fn long_text_is_cut_to_githubs_limit() {
        let long = "é".repeat(70_000);
        let cut = truncate_chars(&long, MAX_SUMMARY_CHARS);
        assert_eq!(cut.chars().count(), MAX_SUMMARY_CHARS);
        assert!(cut.ends_with("(truncated)"));
    }
}
