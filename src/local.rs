//! Local mode (SPEC §6), `prwarden review`: owns reading a change from a
//! unified diff (a file, stdin, or `git diff REV` in a checkout), reading the
//! changed files from the working tree, running the App's analyzer under the
//! checkout's `.github/prwarden.yml`, and rendering the result as text, JSON
//! or SARIF 2.1.0 with an exit code for CI.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use prwarden_analyze::{
    Analyzer, Change, ChangeFinding, ChangedFile, ChangedPath, FileStatus, Finding, Language,
    RuleMeta, Severity,
};
use prwarden_config::{CONFIG_PATH, Problem, RepoConfig};
use serde::Serialize;
use serde_json::{Value, json};

use crate::review::diff::split_unified_diff;

/// Files larger than this are listed as skipped, as the App does.
const MAX_FILE_BYTES: usize = 1024 * 1024;

const INFORMATION_URI: &str = "https://github.com/prwarden/prwarden";

/// Where the change comes from.
#[derive(Clone, Debug)]
pub enum DiffSource {
    File(PathBuf),
    Stdin,
    /// `git diff REV` against the working tree.
    Base(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

/// `--fail-on`: the lowest severity that makes the exit code 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Options {
    pub source: DiffSource,
    /// The checkout the diff's paths are relative to; by default the git
    /// top level of the current directory, or the current directory.
    pub root: Option<PathBuf>,
    pub format: Format,
    /// `None`: the configuration's `fail_on` (by default `error`).
    pub fail_on: Option<FailOn>,
}

/// One changed file and what became of it. Serialised in the JSON output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileEntry {
    pub path: String,
    pub language: Option<Language>,
    /// Why the file was not (fully) analysed, as a stable kebab-case code:
    /// the analyzer's reasons (`generated`, `vendored`, `lock-file`,
    /// `minified`, `parse-error`, `unsupported-language`) or `ignored`,
    /// `binary`, `too-large`. `None` when fully analysed.
    pub skipped: Option<String>,
    /// The reason in words.
    pub reason: Option<String>,
}

/// Everything a local review produced.
pub struct LocalReview {
    /// Sorted by `(path, line, rule_id)`; severities as the configuration
    /// sets them.
    pub findings: Vec<Finding>,
    /// Findings about the change as a whole (no line), e.g.
    /// `test-quality/no-tests-changed`; severities as the configuration
    /// sets them.
    pub change_findings: Vec<ChangeFinding>,
    pub files: Vec<FileEntry>,
    pub problems: Vec<Problem>,
    /// Every enabled rule with its effective severity, for SARIF.
    pub rules: Vec<(&'static RuleMeta, Severity)>,
    pub fail_on: Option<Severity>,
}

impl LocalReview {
    /// 1 when a finding reaches the threshold, else 0.
    pub fn exit_code(&self) -> i32 {
        exit_code(
            self.findings
                .iter()
                .map(|f| f.severity)
                .chain(self.change_findings.iter().map(|f| f.severity)),
            self.fail_on,
        )
    }
}

fn exit_code(severities: impl IntoIterator<Item = Severity>, fail_on: Option<Severity>) -> i32 {
    match fail_on {
        Some(threshold) if severities.into_iter().any(|s| s >= threshold) => 1,
        _ => 0,
    }
}

/// Runs a local review and prints it; returns the exit code (0 or 1).
/// Errors (unreadable diff, git failure, missing files) are for exit code 2.
pub fn run(options: &Options) -> anyhow::Result<i32> {
    let review = review(options)?;
    let rendered = match options.format {
        Format::Text => render_text(&review),
        Format::Json => serde_json::to_string_pretty(&json_report(&review))? + "\n",
        Format::Sarif => serde_json::to_string_pretty(&sarif(&review))? + "\n",
    };
    for problem in &review.problems {
        eprintln!("prwarden: configuration problem: {problem}");
    }
    print!("{rendered}");
    Ok(review.exit_code())
}

/// Reads the change and analyses it, without printing.
pub fn review(options: &Options) -> anyhow::Result<LocalReview> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let (diff_text, root) = match &options.source {
        DiffSource::Base(rev) => {
            let root = match &options.root {
                Some(root) => root.clone(),
                None => git_toplevel(&cwd)?.context("--base needs a git checkout")?,
            };
            (git_diff(&root, rev)?, root)
        }
        DiffSource::File(path) => {
            let text = std::fs::read(path)
                .with_context(|| format!("reading the diff {}", path.display()))?;
            (
                String::from_utf8_lossy(&text).into_owned(),
                default_root(options, &cwd),
            )
        }
        DiffSource::Stdin => {
            let mut text = Vec::new();
            std::io::stdin()
                .read_to_end(&mut text)
                .context("reading the diff from stdin")?;
            (
                String::from_utf8_lossy(&text).into_owned(),
                default_root(options, &cwd),
            )
        }
    };
    let config = load_config(&root)?;
    let entries = split_unified_diff(&diff_text).context("reading the diff")?;

    let mut files = Vec::new();
    let mut inputs = Vec::new();
    // What the App reads from the PR's file list, for the change-level rules.
    let changed_paths: Vec<ChangedPath> = entries
        .iter()
        .filter_map(|entry| {
            let path = entry.new_path.as_ref().or(entry.old_path.as_ref())?;
            // Ignored paths are not changed code; an ignored test file still
            // counts as a test change, as in the App.
            if config.is_ignored(path) && !prwarden_analyze::syntax::is_test_path(path) {
                return None;
            }
            // Any hunk means the content changed, not only the name.
            let changed_lines = !entry.diff.hunks.is_empty();
            let status = match (&entry.old_path, &entry.new_path) {
                (None, _) => FileStatus::Added,
                (_, None) => FileStatus::Removed,
                (Some(old), Some(new)) if old != new => FileStatus::Renamed {
                    content_changed: changed_lines,
                },
                _ => FileStatus::Modified,
            };
            Some(ChangedPath {
                path: path.clone(),
                status,
            })
        })
        .collect();
    for entry in entries {
        let Some(path) = entry.new_path else {
            // Deleted: nothing of the file remains to review.
            continue;
        };
        let skip = |code: &str, reason: &str| FileEntry {
            path: path.clone(),
            language: Language::from_path(&path),
            skipped: Some(code.to_string()),
            reason: Some(reason.to_string()),
        };
        if config.is_ignored(&path) {
            files.push(skip("ignored", "ignored by the configuration's `ignore`"));
            continue;
        }
        if entry.binary {
            files.push(skip("binary", "binary file"));
            continue;
        }
        let added = entry.diff.added_lines();
        if added.is_empty() {
            // Renames, mode changes and pure deletions add nothing to flag.
            continue;
        }
        let full = root.join(&path);
        let bytes = std::fs::read(&full).with_context(|| {
            format!(
                "reading {path} from {} (local mode reads changed files from the working tree)",
                root.display()
            )
        })?;
        if bytes.len() > MAX_FILE_BYTES {
            files.push(skip("too-large", "file over 1 MiB"));
            continue;
        }
        let Ok(content) = String::from_utf8(bytes) else {
            files.push(skip("binary", "not UTF-8 text"));
            continue;
        };
        inputs.push((path, content, added));
    }

    let analyzer = Analyzer::with_builtin_rules().with_extra_rules(config.custom_rule_set());
    let changed: Vec<ChangedFile<'_>> = inputs
        .iter()
        .map(|(path, content, added)| ChangedFile {
            path,
            content,
            added_lines: added,
        })
        .collect();
    let analysis = analyzer.analyze(&changed);
    // The repository's files come from git, like the App's tree listing;
    // outside a checkout they are unknown and package-level checks stay
    // silent.
    let head_paths = if analyzer.change_needs_head_paths(&changed_paths, |meta| {
        config
            .severity_for(meta.id, meta.item.id(), meta.severity)
            .is_some()
    }) {
        git_files(&root)
    } else {
        None
    };
    let change_findings = analyzer
        .analyze_change(&Change {
            files: &changed_paths,
            head_paths: head_paths.as_deref(),
        })
        .into_iter()
        .filter_map(|mut f| {
            f.severity = config.severity_for(f.rule_id, f.item.id(), f.severity)?;
            Some(f)
        })
        .collect();
    for report in analysis.files {
        let skipped = report.skipped.map(|reason| {
            serde_json::to_value(reason)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        });
        let failed = (!report.failed_rules.is_empty()).then(|| {
            format!(
                "not checked by {} (the rule failed on this file, a prwarden bug)",
                report.failed_rules.join(", ")
            )
        });
        files.push(FileEntry {
            reason: report.skipped.map(|r| r.describe().to_string()).or(failed),
            path: report.path,
            language: report.language,
            skipped,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    // The same override as the App: `rules` switches rules off or changes
    // their severity.
    let findings = analysis
        .findings
        .into_iter()
        .filter_map(|mut f| {
            f.severity = config.severity_for(f.rule_id, f.item.id(), f.severity)?;
            Some(f)
        })
        .collect();
    let rules = analyzer
        .rules()
        .filter_map(|meta| {
            let severity = config.severity_for(meta.id, meta.item.id(), meta.severity)?;
            Some((meta, severity))
        })
        .collect();
    Ok(LocalReview {
        findings,
        change_findings,
        files,
        fail_on: match options.fail_on {
            Some(flag) => flag.threshold(),
            None => config.fail_on,
        },
        problems: config.problems,
        rules,
    })
}

fn default_root(options: &Options, cwd: &Path) -> PathBuf {
    options
        .root
        .clone()
        .or_else(|| git_toplevel(cwd).ok().flatten())
        .unwrap_or_else(|| cwd.to_path_buf())
}

/// The checkout's `.github/prwarden.yml`, resolved the way the App resolves
/// a repository without organisation defaults.
fn load_config(root: &Path) -> anyhow::Result<RepoConfig> {
    let path = root.join(CONFIG_PATH);
    let layers = match std::fs::read_to_string(&path) {
        Ok(text) => {
            let known: Vec<&str> = Analyzer::with_builtin_rules()
                .rules()
                .map(|r| r.id)
                .collect();
            vec![prwarden_config::parse_layer(&text, CONFIG_PATH, &known)]
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
    };
    Ok(RepoConfig::resolve(&layers))
}

/// `git rev-parse --show-toplevel`; `None` outside a checkout.
fn git_toplevel(dir: &Path) -> anyhow::Result<Option<PathBuf>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .context("running git (is it installed?)")?;
    if !out.status.success() {
        return Ok(None);
    }
    let top = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Ok((!top.is_empty()).then(|| PathBuf::from(top)))
}

/// The working tree against `rev`, in a form the splitter reads whatever the
/// user's git configuration says (prefixes, external diff tools, colour).
/// Every tracked file of the checkout at `root`, or `None` outside a git
/// checkout.
fn git_files(root: &Path) -> Option<Vec<String>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-files", "-z"])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(
        output
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect(),
    )
}

fn git_diff(root: &Path, rev: &str) -> anyhow::Result<String> {
    if rev.starts_with('-') {
        bail!("--base {rev:?} is not a revision");
    }
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "-U0",
            rev,
            "--",
        ])
        .output()
        .context("running git diff (is git installed?)")?;
    if !out.status.success() {
        bail!(
            "git diff {rev} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn count(review: &LocalReview, severity: Severity) -> usize {
    review
        .findings
        .iter()
        .map(|f| f.severity)
        .chain(review.change_findings.iter().map(|f| f.severity))
        .filter(|s| *s == severity)
        .count()
}

/// `path:line: severity rule-id: title`, the message indented under it,
/// findings grouped by file, a total, then the skipped files.
pub fn render_text(review: &LocalReview) -> String {
    let mut out = String::new();
    let mut by_path: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in &review.findings {
        by_path.entry(&finding.path).or_default().push(finding);
    }
    for findings in by_path.values() {
        for f in findings {
            let _ = writeln!(
                out,
                "{}:{}: {} {}: {}",
                f.path,
                f.line,
                f.severity.as_str(),
                f.rule_id,
                f.title
            );
            for line in f.message.lines() {
                if line.trim().is_empty() {
                    out.push('\n');
                } else {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
        out.push('\n');
    }
    for f in &review.change_findings {
        let _ = writeln!(
            out,
            "(change): {} {}: {}",
            f.severity.as_str(),
            f.rule_id,
            f.title
        );
        for line in f.message.lines().filter(|l| !l.trim().is_empty()) {
            let _ = writeln!(out, "    {line}");
        }
        out.push('\n');
    }
    let analysed = review.files.iter().filter(|f| f.skipped.is_none()).count();
    let total = review.findings.len() + review.change_findings.len();
    let _ = writeln!(
        out,
        "{total} finding{} ({} error, {} warning, {} info) in {analysed} analysed file{}",
        if total == 1 { "" } else { "s" },
        count(review, Severity::Error),
        count(review, Severity::Warning),
        count(review, Severity::Info),
        if analysed == 1 { "" } else { "s" },
    );
    let skipped: Vec<&FileEntry> = review
        .files
        .iter()
        .filter(|f| f.skipped.is_some())
        .collect();
    if !skipped.is_empty() {
        out.push_str("\nSkipped:\n");
        for file in skipped {
            let _ = writeln!(
                out,
                "  {}: {}",
                file.path,
                file.reason.as_deref().unwrap_or("skipped")
            );
        }
    }
    out
}

/// The documented JSON shape: `{ "version": 1, "findings": [Finding…],
/// "change_findings": [ChangeFinding…], "files": [FileEntry…], "problems":
/// [Problem…] }`, each finding with every field of [`Finding`] (change
/// findings have no line).
pub fn json_report(review: &LocalReview) -> Value {
    json!({
        "version": 1,
        "findings": review.findings,
        "change_findings": review.change_findings,
        "files": review.files,
        "problems": review.problems,
    })
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// SARIF artifact URIs are URI references: spaces and non-ASCII bytes must
/// be percent-encoded, `/` kept as the separator.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Built-in rules have a page under `docs/rules/`; custom rules do not.
fn help_uri(meta: &RuleMeta) -> Option<String> {
    let builtin = prwarden_analyze::rules::builtin()
        .iter()
        .any(|r| r.meta().id == meta.id);
    builtin.then(|| {
        format!(
            "{INFORMATION_URI}/blob/main/docs/rules/{}.md",
            meta.id.replace('/', "-")
        )
    })
}

/// A SARIF 2.1.0 log GitHub code scanning accepts: one run, every enabled
/// rule in `tool.driver.rules`, results anchored repo-relative under
/// `%SRCROOT%`, the finding fingerprint as a partial fingerprint.
pub fn sarif(review: &LocalReview) -> Value {
    let rules: Vec<Value> = review
        .rules
        .iter()
        .map(|(meta, severity)| {
            let mut rule = json!({
                "id": meta.id,
                "shortDescription": { "text": meta.summary },
                "fullDescription": {
                    "text": format!("{} (checklist: {})", meta.summary, meta.item.question())
                },
                "defaultConfiguration": { "level": sarif_level(*severity) },
                "properties": { "tags": [meta.item.id(), "prwarden"] },
            });
            if let Some(uri) = help_uri(meta) {
                rule["helpUri"] = json!(uri);
            }
            rule
        })
        .collect();
    let index: BTreeMap<&str, usize> = review
        .rules
        .iter()
        .enumerate()
        .map(|(i, (meta, _))| (meta.id, i))
        .collect();
    let results: Vec<Value> = review
        .findings
        .iter()
        .map(|f| {
            let location = json!({
                "artifactLocation": { "uri": uri_path(&f.path), "uriBaseId": "%SRCROOT%" },
                "region": { "startLine": f.line, "endLine": f.end_line },
            });
            let mut result = json!({
                "ruleId": f.rule_id,
                "level": sarif_level(f.severity),
                "message": { "text": format!("{}\n\n{}", f.title, f.message) },
                "locations": [{ "physicalLocation": location }],
                "partialFingerprints": { "prwarden/v1": f.fingerprint },
            });
            if let Some(i) = index.get(f.rule_id) {
                result["ruleIndex"] = json!(i);
            }
            if let Some(suggestion) = &f.suggestion {
                // Whole lines `line..=end_line` are replaced, so the deleted
                // region is given by lines alone.
                result["fixes"] = json!([{
                    "description": { "text": f.prompt.fix },
                    "artifactChanges": [{
                        "artifactLocation": { "uri": uri_path(&f.path), "uriBaseId": "%SRCROOT%" },
                        "replacements": [{
                            "deletedRegion": { "startLine": f.line, "endLine": f.end_line },
                            "insertedContent": { "text": suggestion },
                        }],
                    }],
                }]);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "prwarden",
                    "informationUri": INFORMATION_URI,
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded_but_keep_slashes() {
        assert_eq!(uri_path("src/a b/café.ts"), "src/a%20b/caf%C3%A9.ts");
        assert_eq!(uri_path("src/x-y_z.~ts"), "src/x-y_z.~ts");
    }

    #[test]
    fn exit_code_follows_the_threshold() {
        let warning = [Severity::Warning];
        assert_eq!(exit_code(warning, Some(Severity::Error)), 0);
        assert_eq!(exit_code(warning, Some(Severity::Warning)), 1);
        assert_eq!(exit_code(warning, Some(Severity::Info)), 1);
        assert_eq!(exit_code(warning, None), 0);
        assert_eq!(exit_code([], Some(Severity::Info)), 0);
    }
}
