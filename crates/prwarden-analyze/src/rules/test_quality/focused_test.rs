//! `test-quality/focused-test`: `.only`, `fit` or `fdescribe` left in a test file.
//!
//! ## What it does
//! In JavaScript/TypeScript test files (jest, vitest, mocha, Playwright),
//! finds test declarations focused with `it.only(…)`, `test.only(…)`,
//! `describe.only(…)`, `context.only(…)`, `test.describe.only(…)`, `fit(…)`
//! or `fdescribe(…)` — a call with a test callback, so Playwright's in-test
//! `test.only` look-alikes and other `.only` methods are not reported.
//!
//! ## Why is this bad?
//! A focused test makes the runner skip every other test of the file (with
//! mocha and Playwright, of the whole run). CI stays green while almost
//! nothing is tested. It is a debugging aid that should never be merged;
//! agents leave it in after narrowing a failing run.
//!
//! ## Example
//! ```ts
//! it.only("applies the member discount", () => {
//!   expect(discount(200, { member: true })).toBe(170);
//! });
//! ```
//!
//! Use instead:
//! ```ts
//! it("applies the member discount", () => {
//!   expect(discount(200, { member: true })).toBe(170);
//! });
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::test_quality::tests_in_file::js_callee_parts;
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::is_test_path;

pub static META: RuleMeta = RuleMeta {
    id: "test-quality/focused-test",
    item: ChecklistItem::TestQuality,
    severity: Severity::Error,
    languages: &[Language::TypeScript, Language::Tsx, Language::JavaScript],
    summary: "`.only`, `fit` or `fdescribe` left in a test file: the rest of the suite is skipped",
};

pub struct FocusedTest;

/// Test and suite functions that accept `.only`.
const FOCUSABLE: &[&str] = &["it", "test", "describe", "context", "suite", "specify"];

impl Rule for FocusedTest {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(_) = ctx.root() else {
            return;
        };
        if !is_test_path(ctx.path) {
            return;
        }
        for call in ctx.nodes_in_order(&["call_expression"]) {
            let Some(callee) = call.field("function") else {
                continue;
            };
            let Some((base, modifiers)) = js_callee_parts(ctx, callee) else {
                continue;
            };
            let focused = match base {
                "fit" | "fdescribe" => modifiers.is_empty(),
                _ => {
                    FOCUSABLE.contains(&base)
                        && modifiers.last() == Some(&"only")
                        && modifiers[..modifiers.len() - 1]
                            .iter()
                            .all(|m| *m == "describe")
                }
            };
            if !focused || !has_callback(call) {
                continue;
            }
            out.push(report(ctx, call, callee, base));
        }
    }
}

/// `it.only("name", () => …)`: a declaration, not some other `.only(…)` call.
pub(crate) fn has_callback(call: Node<'_>) -> bool {
    let Some(args) = call.field("arguments") else {
        return false;
    };
    let mut cursor = args.walk();
    let named: Vec<Node<'_>> = args.named_children(&mut cursor).collect();
    named
        .first()
        .is_some_and(|n| matches!(n.kind_str(), "string" | "template_string"))
        && named.iter().any(|n| {
            matches!(
                n.kind_str(),
                "arrow_function" | "function_expression" | "function"
            )
        })
}

fn report(ctx: &RuleContext<'_>, call: Node<'_>, callee: Node<'_>, base: &str) -> Finding {
    let focused = quote(ctx.text(callee), 40);
    let plain = match base {
        "fit" => "it".to_string(),
        "fdescribe" => "describe".to_string(),
        _ => {
            let text = ctx.text(callee);
            text.strip_suffix(".only").unwrap_or(text).to_string()
        }
    };
    let line = ctx.line(callee);
    let line_text = ctx.line_text(line);
    // Mechanical: the callee is written on one line and occurs once in it.
    let suggestion = (line_text.matches(ctx.text(callee)).count() == 1
        && !ctx.text(callee).contains('\n'))
    .then(|| line_text.replacen(ctx.text(callee), &plain, 1));
    ctx.finding(&META, line, ctx.symbol_for(call), ctx.text(callee))
        .title(format!("Focused test `{focused}` left in"))
        .message(format!(
            "`{focused}` makes the runner run only this test or suite and silently skip the \
             others, so CI passes while the rest of the suite does not run."
        ))
        .suggestion(suggestion)
        .symptom(format!(
            "`{focused}` focuses the suite on one test or block."
        ))
        .root_cause("A debugging focus (`.only`/`fit`/`fdescribe`) was committed.".to_string())
        .fix(format!(
            "Replace `{focused}` with `{plain}` so the whole suite runs again."
        ))
        .scope("Change only the focus modifier; leave the test's name and body as they are.")
        .build()
}
