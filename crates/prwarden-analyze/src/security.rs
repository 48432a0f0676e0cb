//! The security-critical change detector behind the `security-review`
//! checklist item (SPEC §1): does a pull request touch authentication,
//! authorization, payments, cryptography, secrets handling or input
//! validation?
//!
//! On an AI-authored pull request a yes makes the item `needs human` and the
//! check wait for a human sign-off, so a false positive blocks a merge. Every
//! rule here therefore prefers missing a marginal case to flagging a harmless
//! one, and every signal says exactly why it fired.
//!
//! Three kinds of evidence, each a [`SecuritySignal`]:
//!
//! 1. **Path** (any changed file, deleted and binary ones included): the
//!    words of its directories and file name (`src/auth/session.ts`,
//!    `billing/`, `PasswordReset.java`, `app/Policies/`) and key-material
//!    extensions (`.pem`, `.p12`, …). See `vocabulary` for the words and
//!    `paths` for what is not production code.
//! 2. **Symbols** on added lines (TS/TSX/JS/Python): a function, method or
//!    class whose name marks an area and that the change defines (its name
//!    is on an added line) or changes (an added line falls inside it), and
//!    decorators applied on added lines (`@login_required`,
//!    `@UseGuards(…)`).
//! 3. **Imports** on added lines (TS/TSX/JS/Python) of security libraries
//!    (`bcrypt`, `jsonwebtoken`, `stripe`, `passlib`, …); see `imports`.
//!
//! Only names count — never strings, comments or variable values — so a file
//! that merely mentions "password" counts for nothing. Tests, fixtures, docs,
//! examples, stories, translations, assets and type declarations never count;
//! neither do generated, vendored, lock and minified files, which the
//! analyzer skips too. Other languages (Go, Rust, Java, …) are judged by path.
//!
//! Paths configured as `security_paths` are the App's business: it matches
//! them against the changed paths itself.

mod imports;
mod paths;
mod symbols;
mod vocabulary;

use std::collections::HashSet;

use serde::Serialize;
use tree_sitter::Node;

use crate::engine;
use crate::model::{ChangedFile, Language, LineSet};
use crate::syntax::identifier_words;
use vocabulary::{DECORATOR_ONLY, SHARED, SYMBOL_ONLY};

/// What kind of security-critical code a change touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecurityArea {
    Authentication,
    Authorization,
    Payments,
    Cryptography,
    Secrets,
    InputValidation,
}

impl SecurityArea {
    pub const ALL: [SecurityArea; 6] = [
        SecurityArea::Authentication,
        SecurityArea::Authorization,
        SecurityArea::Payments,
        SecurityArea::Cryptography,
        SecurityArea::Secrets,
        SecurityArea::InputValidation,
    ];

    /// The stable id, as serialised: `authentication`, …, `input-validation`.
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityArea::Authentication => "authentication",
            SecurityArea::Authorization => "authorization",
            SecurityArea::Payments => "payments",
            SecurityArea::Cryptography => "cryptography",
            SecurityArea::Secrets => "secrets",
            SecurityArea::InputValidation => "input-validation",
        }
    }
}

/// One piece of evidence that a change touches security-critical code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecuritySignal {
    pub path: String,
    /// The added line carrying symbol or import evidence; `None` for path
    /// evidence.
    pub line: Option<u32>,
    pub area: SecurityArea,
    /// Why, in a few words: "path `src/auth/session.ts`", "imports
    /// `bcrypt`", "defines `verifyPassword`", "changes `AuthService`",
    /// "applies `@login_required`".
    pub reason: String,
}

/// Every signal of a change: each changed file's path, content at the head
/// commit and added lines (the same [`ChangedFile`] the analyzer takes), plus
/// the paths that changed without content (deleted or binary files), which
/// are judged by path only.
///
/// Pure and deterministic. Sorted by `(path, line)` (path evidence first),
/// then area and reason; at most one signal per `(path, area, reason)`, the
/// first.
pub fn security_signals(
    files: &[ChangedFile<'_>],
    other_changed_paths: &[&str],
) -> Vec<SecuritySignal> {
    let mut signals = Vec::new();
    for file in files {
        file_signals(*file, &mut signals);
    }
    for path in other_changed_paths {
        if engine::skip_reason(path, "").is_none() && paths::is_production(path) {
            path_signals(path, &mut signals);
        }
    }
    signals.sort_by(|a, b| {
        (&a.path, a.line, a.area, &a.reason).cmp(&(&b.path, b.line, b.area, &b.reason))
    });
    let mut seen = HashSet::new();
    signals.retain(|s| seen.insert((s.path.clone(), s.area, s.reason.clone())));
    signals
}

fn path_signals(path: &str, out: &mut Vec<SecuritySignal>) {
    for area in paths::path_areas(path) {
        out.push(SecuritySignal {
            path: path.to_string(),
            line: None,
            area,
            reason: format!("path `{path}`"),
        });
    }
}

fn file_signals(file: ChangedFile<'_>, out: &mut Vec<SecuritySignal>) {
    if engine::skip_reason(file.path, file.content).is_some() || !paths::is_production(file.path) {
        return;
    }
    let path_areas = paths::path_areas(file.path);
    path_signals(file.path, out);

    // Symbols and imports only ever come from added lines: nothing to parse
    // when the change added none.
    if file.added_lines.is_empty() {
        return;
    }
    let Some(language) = Language::from_path(file.path) else {
        return;
    };
    let Some(tree) = engine::parse(language, file.content)
        .filter(|t| !engine::mostly_errors(t.root_node(), file.content))
    else {
        return;
    };
    let evidence = Evidence {
        path: file.path,
        added: file.added_lines,
        ui: paths::is_ui(file.path),
    };
    let root = tree.root_node();
    let (definitions, decorators) = symbols::collect(root, file.content);
    evidence.symbols(&definitions, &decorators, out);

    // Schema libraries count only where validation is the file's purpose:
    // its path says so, or it defines an input-validation function.
    let validation_file = path_areas.contains(&SecurityArea::InputValidation)
        || definitions.iter().any(|d| {
            let words = identifier_words(&d.name);
            vocabulary::areas_of(&words, &words, &[SHARED]).contains(&SecurityArea::InputValidation)
        });
    evidence.imports(root, file.content, language, validation_file, out);
}

/// Turns one parsed file's definitions, decorators and imports into signals
/// on its added lines.
struct Evidence<'a> {
    path: &'a str,
    added: &'a LineSet,
    /// A UI file: component names and event handlers do not count.
    ui: bool,
}

impl Evidence<'_> {
    fn first_added(&self, start: u32, end: u32) -> Option<u32> {
        self.added.range(start..=end.max(start)).next().copied()
    }

    fn push(&self, line: u32, area: SecurityArea, reason: String, out: &mut Vec<SecuritySignal>) {
        out.push(SecuritySignal {
            path: self.path.to_string(),
            line: Some(line),
            area,
            reason,
        });
    }

    fn symbols(
        &self,
        definitions: &[symbols::Definition],
        decorators: &[symbols::Decorator],
        out: &mut Vec<SecuritySignal>,
    ) {
        for definition in definitions {
            let words = identifier_words(&definition.name);
            if definition.extends_error
                || vocabulary::is_error_type(&words)
                || (self.ui && vocabulary::is_ui_name(&words))
            {
                continue;
            }
            let areas = vocabulary::areas_of(&words, &words, &[SHARED, SYMBOL_ONLY]);
            if areas.is_empty() {
                continue;
            }
            // A new or renamed definition is anchored on its name; an edit
            // inside an existing one on the first line the change added.
            let (line, verb) = if self.added.contains(&definition.name_line) {
                (definition.name_line, "defines")
            } else if let Some(line) = self.first_added(definition.start_line, definition.end_line)
            {
                (line, "changes")
            } else {
                continue;
            };
            for area in areas {
                self.push(line, area, format!("{verb} `{}`", definition.name), out);
            }
        }
        for decorator in decorators {
            let Some(line) = self.first_added(decorator.start_line, decorator.end_line) else {
                continue;
            };
            let words = identifier_words(&decorator.callee);
            let areas =
                vocabulary::areas_of(&words, &words, &[SHARED, SYMBOL_ONLY, DECORATOR_ONLY]);
            for area in areas {
                self.push(line, area, format!("applies `@{}`", decorator.callee), out);
            }
        }
    }

    fn imports(
        &self,
        root: Node<'_>,
        source: &str,
        language: Language,
        validation_file: bool,
        out: &mut Vec<SecuritySignal>,
    ) {
        for import in imports::collect(root, source, language) {
            if import.validation_only && !validation_file {
                continue;
            }
            if let Some(line) = self.first_added(import.start_line, import.end_line) {
                self.push(
                    line,
                    import.area,
                    format!("imports `{}`", import.module),
                    out,
                );
            }
        }
    }
}
