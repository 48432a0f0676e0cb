//! `test-quality/no-tests-changed`: source code changed in a package that has tests, and no test changed.
//!
//! ## What it does
//! A pull-request-level check (it has no line: it appears in the check run's
//! summary under `test-quality`, never as an inline comment). It reports each
//! package whose source files the pull request adds or modifies when
//! - the package already has tests at the head commit, and
//! - the pull request changes no test file at all (anywhere).
//!
//! A package is the nearest directory holding a manifest (`package.json`,
//! `pyproject.toml`, `setup.py`, `setup.cfg`, `go.mod`, `pom.xml`,
//! `build.gradle(.kts)`), or the repository root; for Go it is the file's own
//! directory, and "has tests" means a `_test.go` file beside it. Test files are
//! recognised by the usual conventions (`*.test.ts`, `*.spec.js`,
//! `__tests__/`, `test_*.py`, `tests/`, `*_test.go`, `src/test/java/`,
//! `*Test.java`).
//!
//! It deliberately does not report:
//! - documentation-, configuration- or test-only changes, deleted files and
//!   pure renames;
//! - files that are rarely unit-tested: type declarations (`.d.ts`, `.pyi`),
//!   tool configuration (`*.config.ts`, `setup.py`, `__init__.py`, …),
//!   Storybook stories, migrations, scripts, examples, benchmarks, generated
//!   and vendored code;
//! - Rust: unit tests live inside the source file (`#[cfg(test)]`), so the
//!   list of changed paths cannot tell whether the tests changed;
//! - anything when the repository's file list at the head commit is unknown
//!   or was truncated by GitHub (the package might or might not have tests).
//!
//! ## Why is this bad?
//! A package with tests has a team convention: behaviour changes come with
//! tests. A coding agent that changes behaviour without touching a single test
//! either left the new behaviour untested or broke an expectation nobody
//! noticed, and the next change will regress it silently.
//!
//! ## Example
//! ```text
//! src/pricing/discount.ts        modified
//! (src/pricing/discount.test.ts exists, unchanged)
//! ```
//!
//! Use instead:
//! ```text
//! src/pricing/discount.ts        modified
//! src/pricing/discount.test.ts   modified: covers the new tiered discount
//! ```

use std::collections::{BTreeMap, HashSet};

use crate::change::{Change, ChangeFinding, ChangeRule, ChangedPath};
use crate::context::fingerprint;
use crate::model::{AgentPrompt, ChecklistItem, Language, RuleMeta, Severity, is_migration_path};
use crate::syntax::is_test_path;

pub static META: RuleMeta = RuleMeta {
    id: "test-quality/no-tests-changed",
    item: ChecklistItem::TestQuality,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Go,
        Language::Java,
    ],
    summary: "PR-level: source changed in a package that has tests, and no test changed",
};

/// Changed source files listed by name in one finding.
const MAX_LISTED: usize = 10;

pub struct NoTestsChanged;

impl ChangeRule for NoTestsChanged {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn needs_head_paths(&self, files: &[ChangedPath]) -> bool {
        !touches_tests(files) && files.iter().any(is_changed_source)
    }

    fn check(&self, change: &Change<'_>, out: &mut Vec<ChangeFinding>) {
        if !self.needs_head_paths(change.files) {
            return;
        }
        let Some(head_paths) = change.head_paths else {
            return;
        };
        let manifests: HashSet<&str> = head_paths
            .iter()
            .filter(|p| is_manifest(file_name(p)))
            .map(|p| parent_dir(p))
            .collect();

        // Package root → the changed source files in it.
        let mut changed: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for file in change.files.iter().filter(|f| is_changed_source(f)) {
            changed
                .entry(package_root(&file.path, &manifests))
                .or_default()
                .push(&file.path);
        }
        // Package root → one of its test files, for the message.
        let mut tested: BTreeMap<String, &str> = BTreeMap::new();
        for path in head_paths.iter().filter(|p| is_test_file(p)) {
            let root = package_root(path, &manifests);
            if changed.contains_key(&root) {
                tested.entry(root).or_insert(path.as_str());
            }
        }

        for (root, files) in changed {
            let Some(example_test) = tested.get(&root) else {
                continue;
            };
            out.push(finding(&root, &files, example_test));
        }
    }
}

fn finding(root: &str, files: &[&str], example_test: &str) -> ChangeFinding {
    let package = if root.is_empty() {
        "the repository root package".to_string()
    } else {
        format!("`{root}/`")
    };
    let mut listed: Vec<String> = files
        .iter()
        .take(MAX_LISTED)
        .map(|f| format!("`{f}`"))
        .collect();
    if files.len() > MAX_LISTED {
        listed.push(format!("and {} more", files.len() - MAX_LISTED));
    }
    let listed = listed.join(", ");
    let count = files.len();
    let plural = if count == 1 { "" } else { "s" };
    ChangeFinding {
        rule_id: META.id,
        item: META.item,
        severity: META.severity,
        title: format!("{count} source file{plural} changed in {package} without a test change"),
        message: format!(
            "This pull request changes {listed} in {package}, which has tests (e.g. `{example_test}`), \
             but it changes no test. Changed behaviour without a test either is untested or \
             silently relies on tests that no longer describe it."
        ),
        paths: files.iter().map(|f| f.to_string()).collect(),
        prompt: AgentPrompt {
            symptom: format!(
                "Source code in {package} changed ({listed}) and no test file changed."
            ),
            location: if root.is_empty() {
                "repository root".to_string()
            } else {
                format!("{root}/")
            },
            root_cause: format!(
                "The change updates behaviour in a package that has a test suite (e.g. \
                 `{example_test}`) without adding or updating any test for it."
            ),
            fix: "Add or update tests, next to the package's existing ones and in their style, \
                  that exercise the behaviour this pull request changes: the new or changed \
                  cases, their edge cases and error paths, asserting on results, not on mocks. \
                  If the change really cannot affect behaviour (a pure refactoring), say so in \
                  the pull request description instead."
                .to_string(),
            scope: "Do not change the source files' behaviour to make tests pass, and do not \
                    delete, skip or loosen existing tests; touch only test files."
                .to_string(),
        },
        fingerprint: fingerprint(META.id, root, None, ""),
    }
}

/// Whether the pull request touches any test file, in any way (a deleted or
/// moved test counts: the author did look at the tests).
fn touches_tests(files: &[ChangedPath]) -> bool {
    files.iter().any(|f| is_test_path(&f.path))
}

/// A file of production code whose content this pull request changed.
fn is_changed_source(file: &ChangedPath) -> bool {
    file.status.changes_content() && is_source_path(&file.path)
}

fn is_source_path(path: &str) -> bool {
    let Some(language) = Language::from_path(path) else {
        return false;
    };
    if !META.languages.contains(&language) || is_test_path(path) || is_migration_path(path) {
        return false;
    }
    if crate::engine::skip_reason(path, "").is_some() {
        return false;
    }
    let lower = path.to_ascii_lowercase();
    let name = file_name(&lower);
    const UNTESTED_DIRS: &[&str] = &[
        "scripts",
        "script",
        "examples",
        "example",
        "docs",
        "doc",
        "benches",
        "bench",
        "benchmarks",
        ".github",
        ".storybook",
        "stories",
    ];
    if lower
        .split('/')
        .rev()
        .skip(1)
        .any(|d| UNTESTED_DIRS.contains(&d))
    {
        return false;
    }
    const UNTESTED_FILES: &[&str] = &[
        "setup.py",
        "manage.py",
        "__init__.py",
        "__main__.py",
        "noxfile.py",
        "fabfile.py",
        "gulpfile.js",
        "gruntfile.js",
    ];
    let stem = name.split('.').next().unwrap_or(name);
    !(UNTESTED_FILES.contains(&name)
        || name.starts_with('.')
        || name.ends_with(".d.ts")
        || name.ends_with(".pyi")
        || name.contains(".config.")
        || name.contains(".conf.")
        || name.contains(".stories.")
        || matches!(stem, "webpack" | "rollup" | "vite" | "babel" | "jest"))
}

/// A test file at the head commit: test code by name or directory, not just
/// data that lives beside tests (`fixtures/`, `testdata/`, `__mocks__/`).
fn is_test_file(path: &str) -> bool {
    let Some(language) = Language::from_path(path) else {
        return false;
    };
    if language == Language::Sql || crate::engine::skip_reason(path, "").is_some() {
        return false;
    }
    let name = file_name(path);
    let by_name = is_test_path(name);
    let by_dir = path
        .split('/')
        .rev()
        .skip(1)
        .any(|d| matches!(d, "test" | "tests" | "__tests__" | "spec" | "e2e"));
    if language == Language::Go {
        return name.ends_with("_test.go");
    }
    by_name || by_dir
}

fn is_manifest(name: &str) -> bool {
    matches!(
        name,
        "package.json"
            | "pyproject.toml"
            | "setup.py"
            | "setup.cfg"
            | "go.mod"
            | "Cargo.toml"
            | "pom.xml"
            | "build.gradle"
            | "build.gradle.kts"
    )
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `a/b/c.ts` → `a/b`; `c.ts` → ``.
fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The package a path belongs to: its directory for Go, otherwise the nearest
/// ancestor directory holding a manifest, or the repository root (``).
fn package_root(path: &str, manifests: &HashSet<&str>) -> String {
    let mut dir = parent_dir(path);
    if path.ends_with(".go") {
        return dir.to_string();
    }
    loop {
        if manifests.contains(dir) || dir.is_empty() {
            return dir.to_string();
        }
        dir = parent_dir(dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_source_and_test_paths() {
        for path in [
            "src/pricing/discount.ts",
            "api/handlers.py",
            "pkg/store/store.go",
            "src/main/java/com/acme/Billing.java",
            "web/components/Cart.tsx",
        ] {
            assert!(is_source_path(path), "{path}");
        }
        for path in [
            "src/x.test.ts",
            "src/types.d.ts",
            "vite.config.ts",
            "jest.config.js",
            "setup.py",
            "pkg/__init__.py",
            "scripts/release.js",
            "docs/conf.py",
            "README.md",
            "src/lib.rs",
            "migrations/001_init.sql",
            "node_modules/a/index.js",
            "src/Button.stories.tsx",
            ".eslintrc.js",
        ] {
            assert!(!is_source_path(path), "{path}");
        }
        assert!(is_test_file("src/x.test.ts"));
        assert!(is_test_file("tests/test_api.py"));
        assert!(is_test_file("src/test/java/com/acme/BillingTest.java"));
        assert!(!is_test_file("tests/fixtures/data.json"));
        assert!(is_test_file("pkg/x_test.go"));
        assert!(!is_test_file("pkg/testdata/golden.go"));
    }

    #[test]
    fn package_roots() {
        let manifests: HashSet<&str> = ["", "web", "services/api"].into_iter().collect();
        assert_eq!(package_root("web/src/a.ts", &manifests), "web");
        assert_eq!(
            package_root("services/api/app/x.py", &manifests),
            "services/api"
        );
        assert_eq!(package_root("lib/a.ts", &manifests), "");
        assert_eq!(package_root("pkg/store/a.go", &manifests), "pkg/store");
    }
}
