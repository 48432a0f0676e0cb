//! prwarden's repository configuration: `.github/prwarden.yml`.
//!
//! The crate is pure — text in, settings and problems out — so the App, the
//! `prwarden config check FILE` command and the tests all read a file the
//! same way. Fetching the files (from the base branch, never the PR head,
//! and from the owner's `.github` repository) is the caller's job.
//!
//! Flow:
//! 1. [`parse_layer`] turns one file into a [`Layer`]: only the keys that file
//!    set, plus every [`Problem`] found in it, each with its line. A bad value
//!    is reported and dropped; the rest of the file still applies, so one typo
//!    never switches the whole configuration back to defaults.
//! 2. [`RepoConfig::resolve`] merges layers (organisation defaults first, the
//!    repository's file last) over the built-in defaults, remembering where
//!    each effective value came from.
//! 3. The [`RepoConfig`] answers the questions a review asks:
//!    [`is_ignored`](RepoConfig::is_ignored),
//!    [`is_security_path`](RepoConfig::is_security_path),
//!    [`severity_for`](RepoConfig::severity_for),
//!    [`author_override`](RepoConfig::author_override), and renders itself for
//!    the check run summary with [`describe`](RepoConfig::describe).
//!
//! The published JSON Schema (`schema/prwarden.schema.json` at the workspace
//! root) describes the same file for editors; a test keeps the two in step.

mod glob;
mod parse;
mod resolve;
mod suggest;
mod yaml;

#[cfg(test)]
mod schema_tests;

use std::collections::BTreeMap;
use std::fmt;

use prwarden_analyze::{
    ChecklistItem, CustomRuleSpec, Language, Pattern, PatternError, Rule, Severity, StructuralRule,
};
use serde::{Serialize, Serializer};

pub use glob::{GlobCache, PathMatcher};
pub use parse::parse_layer;

/// Where the repository's own configuration lives.
pub const CONFIG_PATH: &str = ".github/prwarden.yml";

/// Languages a custom rule may target, as written in the file.
pub const CUSTOM_RULE_LANGUAGES: [&str; 7] = [
    "typescript",
    "tsx",
    "javascript",
    "python",
    "go",
    "rust",
    "java",
];

/// Checklist items a custom rule may report under.
pub const CUSTOM_RULE_ITEMS: [&str; 2] = ["error-handling", "style"];

/// Something wrong in a configuration file, reported in the check run
/// summary instead of being silently ignored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file, e.g. `.github/prwarden.yml` or
    /// `acme/.github:.github/prwarden.yml`.
    pub source: String,
    /// 1-based line, when the problem is on one.
    pub line: Option<usize>,
    /// Dotted path of the setting, e.g. `rules.type-safety/explicit-any` or
    /// `custom_rules[0].language`; empty for the file as a whole.
    pub key: String,
    pub message: String,
}

impl fmt::Display for Problem {
    /// `<source>:<line>: <key>: <message>`, leaving out the parts that are
    /// not known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.key.is_empty() {
            write!(f, ": {}", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Which pull requests are reviewed (SPEC §3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Every PR; AI-authored ones get the stricter policy.
    #[default]
    All,
    /// Only AI-authored PRs; the others complete as `skipped`.
    AiAuthored,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::AiAuthored => "ai-authored",
        }
    }
}

/// A rule's or a checklist item's setting under `rules`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleSetting {
    Off,
    Severity(Severity),
}

impl RuleSetting {
    /// As written in the file: `off`, `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleSetting::Off => "off",
            RuleSetting::Severity(s) => s.as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<RuleSetting> {
        match s {
            "off" => Some(RuleSetting::Off),
            _ => Severity::parse(s).map(RuleSetting::Severity),
        }
    }
}

/// Serialised as written in the file (`"off"`, `"error"`, …) rather than as a
/// tagged enum, so JSON output reads like the configuration.
impl Serialize for RuleSetting {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One entry of `custom_rules` (SPEC §5): a structural pattern the team wants
/// flagged. [`parse_layer`] compiles the pattern with the analyzer and drops
/// the rule, with a problem on the pattern's line, when it does not compile;
/// [`CustomRule::compile`] turns a valid entry into an analyzer rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomRule {
    /// `[a-z0-9-]+`, unique across the merged configuration.
    pub id: String,
    /// One of [`CUSTOM_RULE_LANGUAGES`].
    pub language: String,
    pub pattern: String,
    pub message: String,
    pub severity: Severity,
    /// Globs limiting where the rule runs; empty means everywhere.
    pub paths: Vec<String>,
    /// `error-handling` (default) or `style`.
    pub item: String,
}

impl CustomRule {
    /// The id findings carry and `rules` can name: `<item>/<id>`, the same
    /// shape as built-in rule ids (`error-handling/throw-app-error`).
    pub fn rule_id(&self) -> String {
        format!("{}/{}", self.item, self.id)
    }

    /// The analyzer's language for this rule.
    pub fn analyzer_language(&self) -> Option<Language> {
        Language::from_id(&self.language)
    }

    /// Whether the rule runs on `path` (always, when it has no `paths`).
    /// Compiles the globs on each call; over many files, build a
    /// [`PathMatcher`] from `paths` once instead.
    pub fn applies_to_path(&self, path: &str) -> bool {
        self.paths.is_empty() || glob::PathMatcher::new(&self.paths).matches(path)
    }

    /// The analyzer rule that runs this entry. Fails only for a rule that
    /// did not come from [`parse_layer`], which already rejects bad
    /// patterns with their line.
    pub fn compile(&self) -> Result<Box<dyn Rule>, PatternError> {
        let language = self.analyzer_language().ok_or(PatternError::Syntax {
            language: "an unsupported language",
        })?;
        let pattern = Pattern::compile(language, &self.pattern)?;
        let item = ChecklistItem::from_id(&self.item).unwrap_or(ChecklistItem::ErrorHandling);
        let rule_id = self.rule_id();
        let applies: Box<dyn Fn(&str) -> bool + Send + Sync> = if self.paths.is_empty() {
            Box::new(|_| true)
        } else {
            let matcher = glob::PathMatcher::new(&self.paths);
            Box::new(move |path| matcher.matches(path))
        };
        Ok(Box::new(StructuralRule::new(
            CustomRuleSpec {
                rule_id: &rule_id,
                item,
                severity: self.severity,
                message: &self.message,
            },
            pattern,
            applies,
        )))
    }
}

/// A `rules` key that named no built-in rule but may name a custom rule
/// defined in another layer (an organisation's custom rule switched off by a
/// repository). Its `problem` is in the layer's problems too, so a file
/// checked on its own reports it; [`RepoConfig::resolve`] withdraws the
/// problem and applies the setting if some layer defines that custom rule.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingRule {
    pub key: String,
    pub setting: RuleSetting,
    pub problem: Problem,
}

/// One parsed file: only the keys it set (the others are `None` or empty),
/// plus its problems.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layer {
    /// The file this layer came from, as passed to [`parse_layer`].
    pub source: String,
    pub scope: Option<Scope>,
    /// `Some(None)` is `fail_on: never`.
    pub fail_on: Option<Option<Severity>>,
    pub max_inline_comments: Option<usize>,
    pub ignore: Vec<String>,
    /// Rule ids and checklist item ids → setting.
    pub rules: BTreeMap<String, RuleSetting>,
    /// `rules` keys that can only be checked once every layer's custom rules
    /// are known.
    pub pending_rules: Vec<PendingRule>,
    pub security_paths: Vec<String>,
    pub ai_authors: Vec<String>,
    pub human_authors: Vec<String>,
    pub custom_rules: Vec<CustomRule>,
    pub problems: Vec<Problem>,
}

/// The effective configuration of one repository.
#[derive(Clone, Debug)]
pub struct RepoConfig {
    pub scope: Scope,
    /// `None` = never fail.
    pub fail_on: Option<Severity>,
    pub max_inline_comments: usize,
    /// Globs of files never reviewed.
    pub ignore: Vec<String>,
    /// Rule ids and checklist item ids → setting.
    pub rules: BTreeMap<String, RuleSetting>,
    /// Globs of security-critical paths, on top of the built-in detection.
    pub security_paths: Vec<String>,
    /// Logins forced to count as AI authors (`*` suffix wildcard allowed).
    pub ai_authors: Vec<String>,
    /// Logins forced to count as human authors.
    pub human_authors: Vec<String>,
    pub custom_rules: Vec<CustomRule>,
    /// Where each effective value came from, one `"<key>: <source>[, <source>…]"`
    /// entry per key that a file set (`"fail_on: acme/.github:.github/prwarden.yml"`,
    /// `"rules.type-safety: .github/prwarden.yml"`). Keys not listed are
    /// built-in defaults.
    pub sources: Vec<String>,
    /// Every layer's problems, in layer order, then those found merging.
    pub problems: Vec<Problem>,
    /// Compiled `ignore` and `security_paths`; filled on first use. Build a
    /// config with `..RepoConfig::default()` and this takes care of itself.
    pub globs: GlobCache,
}

impl RepoConfig {
    /// The custom rules as analyzer rules, to run with the built-in ones
    /// ([`Analyzer::with_extra_rules`](prwarden_analyze::Analyzer::with_extra_rules)).
    /// Rules whose pattern does not compile were reported as problems by
    /// [`parse_layer`] and are left out.
    pub fn custom_rule_set(&self) -> Vec<Box<dyn Rule>> {
        self.custom_rules
            .iter()
            .filter_map(|rule| rule.compile().ok())
            .collect()
    }
}

pub const DEFAULT_FAIL_ON: Severity = Severity::Error;
pub const DEFAULT_MAX_INLINE_COMMENTS: usize = 30;
/// The largest `max_inline_comments` accepted: beyond it a review drowns the
/// PR, and GitHub slows down on reviews with very many comments.
pub const MAX_INLINE_COMMENTS_LIMIT: usize = 100;

impl Default for RepoConfig {
    fn default() -> Self {
        RepoConfig {
            scope: Scope::All,
            fail_on: Some(DEFAULT_FAIL_ON),
            max_inline_comments: DEFAULT_MAX_INLINE_COMMENTS,
            ignore: Vec::new(),
            rules: BTreeMap::new(),
            security_paths: Vec::new(),
            ai_authors: Vec::new(),
            human_authors: Vec::new(),
            custom_rules: Vec::new(),
            sources: Vec::new(),
            problems: Vec::new(),
            globs: GlobCache::default(),
        }
    }
}
