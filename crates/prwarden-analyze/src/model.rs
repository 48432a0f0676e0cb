//! The analyzer's vocabulary: checklist items, severities, languages, the
//! changed file that goes in and the findings that come out.

use std::collections::BTreeSet;

use serde::Serialize;

/// Severity of a finding. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// One item of the review checklist (SPEC §1). Every finding belongs to one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChecklistItem {
    NullSafety,
    ErrorMessages,
    ErrorHandling,
    QueryEfficiency,
    TypeSafety,
    HardcodedConfig,
    Concurrency,
    AsyncRaces,
    InputValidation,
    TestQuality,
    Performance,
    SecurityReview,
    Specification,
    /// The project's own conventions, from custom rules reported under
    /// `style` (SPEC §5).
    Style,
}

impl ChecklistItem {
    pub const ALL: [ChecklistItem; 14] = [
        ChecklistItem::NullSafety,
        ChecklistItem::ErrorMessages,
        ChecklistItem::ErrorHandling,
        ChecklistItem::QueryEfficiency,
        ChecklistItem::TypeSafety,
        ChecklistItem::HardcodedConfig,
        ChecklistItem::Concurrency,
        ChecklistItem::AsyncRaces,
        ChecklistItem::InputValidation,
        ChecklistItem::TestQuality,
        ChecklistItem::Performance,
        ChecklistItem::SecurityReview,
        ChecklistItem::Specification,
        ChecklistItem::Style,
    ];

    /// The stable id used in rule ids and configuration (`null-safety`, …).
    pub fn id(self) -> &'static str {
        match self {
            ChecklistItem::NullSafety => "null-safety",
            ChecklistItem::ErrorMessages => "error-messages",
            ChecklistItem::ErrorHandling => "error-handling",
            ChecklistItem::QueryEfficiency => "query-efficiency",
            ChecklistItem::TypeSafety => "type-safety",
            ChecklistItem::HardcodedConfig => "hardcoded-config",
            ChecklistItem::Concurrency => "concurrency",
            ChecklistItem::AsyncRaces => "async-races",
            ChecklistItem::InputValidation => "input-validation",
            ChecklistItem::TestQuality => "test-quality",
            ChecklistItem::Performance => "performance",
            ChecklistItem::SecurityReview => "security-review",
            ChecklistItem::Specification => "specification",
            ChecklistItem::Style => "style",
        }
    }

    pub fn from_id(id: &str) -> Option<ChecklistItem> {
        ChecklistItem::ALL.into_iter().find(|item| item.id() == id)
    }

    /// The question a reviewer asks for this item, as shown in the summary grid.
    pub fn question(self) -> &'static str {
        match self {
            ChecklistItem::NullSafety => "Does it handle null/undefined inputs?",
            ChecklistItem::ErrorMessages => "Are error messages helpful for debugging?",
            ChecklistItem::ErrorHandling => "Does it use the project's error-handling patterns?",
            ChecklistItem::QueryEfficiency => {
                "Are database queries efficient (no N+1, proper indexes)?"
            }
            ChecklistItem::TypeSafety => "Is the type safety complete (no `any` types)?",
            ChecklistItem::HardcodedConfig => {
                "Are there hard-coded values that should be config/env variables?"
            }
            ChecklistItem::Concurrency => "Does it handle concurrent access correctly?",
            ChecklistItem::AsyncRaces => "Are there race conditions in async code?",
            ChecklistItem::InputValidation => "Does input validation cover all attack vectors?",
            ChecklistItem::TestQuality => "Are the tests testing behavior, not implementation?",
            ChecklistItem::Performance => "Any O(n²) patterns hiding in loops?",
            ChecklistItem::SecurityReview => {
                "Security-critical code gets human line-by-line review"
            }
            ChecklistItem::Specification => "Specify before you generate",
            ChecklistItem::Style => "Does it follow the project's own conventions?",
        }
    }
}

/// A language the engine parses with a tree-sitter grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    TypeScript,
    Tsx,
    JavaScript,
    Python,
    Go,
    Rust,
    Java,
    /// SQL files; rules only look at migrations (see [`is_migration_path`]).
    Sql,
}

impl Language {
    /// Language by file extension; `None` for files the engine does not parse.
    pub fn from_path(path: &str) -> Option<Language> {
        let ext = path.rsplit_once('.').map(|(_, e)| e)?;
        match ext {
            "ts" | "mts" | "cts" => Some(Language::TypeScript),
            "tsx" => Some(Language::Tsx),
            "js" | "mjs" | "cjs" | "jsx" => Some(Language::JavaScript),
            "py" | "pyi" => Some(Language::Python),
            "go" => Some(Language::Go),
            "rs" => Some(Language::Rust),
            "java" => Some(Language::Java),
            "sql" => Some(Language::Sql),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Language::TypeScript => "TypeScript",
            Language::Tsx => "TSX",
            Language::JavaScript => "JavaScript",
            Language::Python => "Python",
            Language::Go => "Go",
            Language::Rust => "Rust",
            Language::Java => "Java",
            Language::Sql => "SQL",
        }
    }

    /// TypeScript and TSX share every TypeScript rule.
    pub fn is_typescript(self) -> bool {
        matches!(self, Language::TypeScript | Language::Tsx)
    }

    /// The JavaScript family: TS, TSX and JS share most JS rules.
    pub fn is_js_family(self) -> bool {
        matches!(
            self,
            Language::TypeScript | Language::Tsx | Language::JavaScript
        )
    }
}

impl Language {
    /// Every language the engine parses, in documentation order.
    pub const ALL: [Language; 8] = [
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Go,
        Language::Rust,
        Language::Java,
        Language::Sql,
    ];

    /// The programming languages: every parsed language but SQL (the last
    /// of [`Language::ALL`]).
    pub const CODE: &'static [Language] = Language::ALL.split_at(Language::ALL.len() - 1).0;

    /// The name used in configuration files and `--language` style options
    /// (`typescript`, `tsx`, `javascript`, `python`, `go`, `rust`, `java`,
    /// `sql`).
    pub fn id(self) -> &'static str {
        match self {
            Language::TypeScript => "typescript",
            Language::Tsx => "tsx",
            Language::JavaScript => "javascript",
            Language::Python => "python",
            Language::Go => "go",
            Language::Rust => "rust",
            Language::Java => "java",
            Language::Sql => "sql",
        }
    }

    pub fn from_id(id: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.id() == id)
    }
}

/// Whether a path looks like a database migration (`migrations/`,
/// `db/migrate/`, `alembic/versions/`, `*.up.sql`, Flyway's `V1__x.sql`,
/// Drizzle's `drizzle/*.sql`).
pub fn is_migration_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let file = lower.rsplit('/').next().unwrap_or(&lower);
    lower.split('/').any(|d| {
        matches!(
            d,
            "migrations" | "migration" | "migrate" | "versions" | "changelog" | "schema"
        )
    }) || file.ends_with(".up.sql")
        || (file.starts_with('v') && file.contains("__"))
        // Drizzle Kit writes `drizzle/0007_name.sql`.
        || (file.ends_with(".sql") && lower.split('/').any(|d| d == "drizzle"))
}

/// 1-based line numbers on the new (RIGHT) side that the change added.
pub type LineSet = BTreeSet<u32>;

/// One file of a change: its full content at the head commit and the lines the
/// change added. Findings are only reported on `added_lines`; the rest of the
/// content is context.
#[derive(Clone, Copy, Debug)]
pub struct ChangedFile<'a> {
    pub path: &'a str,
    pub content: &'a str,
    pub added_lines: &'a LineSet,
}

/// The "Prompt for your coding agent" of a finding, written the way a good
/// prompt is: symptom, location, root cause, what the fix must do, and what it
/// must leave alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgentPrompt {
    pub symptom: String,
    /// `path:line`.
    pub location: String,
    pub root_cause: String,
    pub fix: String,
    /// What the fix must not touch.
    pub scope: String,
}

/// One problem found on an added line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable `item/rule` id, e.g. `query-efficiency/call-in-loop`.
    pub rule_id: &'static str,
    pub item: ChecklistItem,
    pub severity: Severity,
    pub path: String,
    /// First line of the offending code (1-based, new side).
    pub line: u32,
    /// Last line of the offending code (`>= line`).
    pub end_line: u32,
    /// One line: what is wrong.
    pub title: String,
    /// What is wrong and why it matters (Markdown).
    pub message: String,
    /// Replacement text for lines `line..=end_line`, when the fix is mechanical
    /// and safe.
    pub suggestion: Option<String>,
    pub prompt: AgentPrompt,
    /// Name of the enclosing function/method/class, if any.
    pub symbol: Option<String>,
    /// Hex hash of rule id, path, enclosing symbol and the normalised offending
    /// code. Never depends on line numbers or wording, so it is stable across
    /// pushes and rebases.
    pub fingerprint: String,
}

/// Why a file of the change was not analysed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// No grammar for this file type; only language-independent rules ran.
    UnsupportedLanguage,
    Generated,
    Vendored,
    LockFile,
    Minified,
    /// The parser could not build a usable tree.
    ParseError,
}

impl SkipReason {
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::UnsupportedLanguage => "no parser for this file type",
            SkipReason::Generated => "generated file",
            SkipReason::Vendored => "vendored dependency",
            SkipReason::LockFile => "lock file",
            SkipReason::Minified => "minified file",
            SkipReason::ParseError => "could not be parsed",
        }
    }
}

/// What happened to one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileReport {
    pub path: String,
    pub language: Option<Language>,
    /// `None` when the file was fully analysed.
    pub skipped: Option<SkipReason>,
    /// Rules that panicked on this file (a bug in the rule): their findings
    /// for the file are dropped, the other rules' kept, and the file is
    /// listed as not fully checked instead of failing the whole review.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed_rules: Vec<&'static str>,
}

/// Static description of a rule, listed by the registry.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub item: ChecklistItem,
    pub severity: Severity,
    /// Languages the rule runs on. Empty means every text file, parsed or not
    /// (e.g. secret detection).
    pub languages: &'static [Language],
    /// One-line description for `prwarden rules` and the docs.
    pub summary: &'static str,
}

impl RuleMeta {
    pub fn applies_to(&self, language: Option<Language>) -> bool {
        self.languages.is_empty() || language.is_some_and(|l| self.languages.contains(&l))
    }
}
