//! `test-quality/duplicate-test-name`: two tests with the same name in the same scope.
//!
//! ## What it does
//! Finds a test whose name repeats an earlier test's name in the same scope:
//! - Python (pytest, unittest) in test files: two `def test_x` at module level
//!   or in the same class — the later definition replaces the earlier one, so
//!   the first test never runs;
//! - JavaScript/TypeScript (jest, vitest, mocha, node:test, Playwright) in
//!   test files: two `it`/`test` calls with the same literal name directly in
//!   the same `describe` block (or at the top level of the file).
//!
//! The later test is reported. Names built at run time (template literals
//! with `${…}`, `it.each` tables) are not compared. Go, Rust and Java are not
//! checked: the compiler already rejects two functions or methods with the
//! same name and signature.
//!
//! ## Why is this bad?
//! In Python the first test silently disappears: the suite stays green while
//! the behaviour it covered is no longer tested. In JavaScript both run, but a
//! failure report names a test that exists twice, and `-t "name"` filters,
//! snapshots keyed by name and CI dashboards mix them up. Agents produce both
//! by pasting a test and editing only its body.
//!
//! ## Example
//! ```py
//! def test_refund_rejected_after_30_days(client):
//!     ...
//!
//! def test_refund_rejected_after_30_days(client):  # meant: for a used gift card
//!     ...
//! ```
//!
//! Use instead:
//! ```py
//! def test_refund_rejected_after_30_days(client):
//!     ...
//!
//! def test_refund_rejected_for_used_gift_card(client):
//!     ...
//! ```

use std::collections::HashMap;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::test_quality::tests_in_file::test_cases;
use crate::rules::{Rule, quote};

pub static META: RuleMeta = RuleMeta {
    id: "test-quality/duplicate-test-name",
    item: ChecklistItem::TestQuality,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
    ],
    summary: "Two tests with the same name in one scope (Python: the first never runs)",
};

pub struct DuplicateTestName;

impl Rule for DuplicateTestName {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let python = ctx.language == Some(Language::Python);
        // (scope, name) → line of the first test with that name.
        let mut seen: HashMap<(Option<usize>, String), u32> = HashMap::new();
        for test in test_cases(ctx) {
            let runtime_name = test.name.contains("${")
                || ctx.text(test.anchor).contains(".each")
                || test.name.trim().is_empty();
            if runtime_name {
                continue;
            }
            let scope = test.group.map(|g| g.id());
            let line = ctx.line(test.anchor);
            let Some(&first_line) = seen.get(&(scope, test.name.clone())) else {
                seen.insert((scope, test.name.clone()), line);
                continue;
            };
            let name = quote(&test.name, 80);
            let (consequence, fix) = if python {
                (
                    format!(
                        "Python keeps only the last definition, so the test on line {first_line} \
                         is replaced by this one and never runs."
                    ),
                    "Give each test a distinct name that says what it checks; if one of them is \
                     an accidental copy, merge the two into one test.",
                )
            } else {
                (
                    format!(
                        "Both run, but reports, `-t` filters and snapshots keyed by the name \
                         cannot tell this test from the one on line {first_line}."
                    ),
                    "Rename this test so that its name states the case it checks; if it is an \
                     accidental copy of the earlier test, merge or remove the copy.",
                )
            };
            out.push(
                ctx.finding(
                    &META,
                    line,
                    ctx.symbol_for(test.node),
                    &format!("duplicate test {}", test.name),
                )
                .title(format!("Duplicate test name `{name}`"))
                .message(format!(
                    "A test named `{name}` already exists in this scope (line {first_line}). \
                     {consequence}"
                ))
                .symptom(format!(
                    "Two tests are named `{name}` in the same scope (lines {first_line} and \
                     {line})."
                ))
                .root_cause(
                    "A test was copied and its body changed without renaming it.".to_string(),
                )
                .fix(fix.to_string())
                .scope(
                    "Rename or merge only these two tests; do not change what other tests or \
                     the code under test do.",
                )
                .build(),
            );
        }
    }
}
