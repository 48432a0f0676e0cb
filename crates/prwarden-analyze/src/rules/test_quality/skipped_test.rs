//! `test-quality/skipped-test`: a test skipped without saying why.
//!
//! ## What it does
//! Finds tests switched off with no reason attached:
//! - JavaScript/TypeScript test files: `it.skip(…)`, `test.skip(…)`,
//!   `describe.skip(…)`, `xit(…)`, `xdescribe(…)`, `xtest(…)` declarations;
//! - Python test files: `@pytest.mark.skip` / `@pytest.mark.skip()` without a
//!   reason, `@pytest.mark.skipif(…)` without `reason=`, a bare
//!   `@unittest.skip`;
//! - Go `_test.go` files: `t.Skip()` with no message;
//! - Rust: `#[ignore]` on a test without `= "reason"`;
//! - Java: `@Disabled` / `@Ignore` without a reason on a test method or class.
//!
//! A comment on the line before or at the end of the line counts as the
//! reason. Skips with a reason (`@pytest.mark.skip(reason="…")`,
//! `t.Skip("needs docker")`, `#[ignore = "slow"]`, `@Disabled("…")`) are not
//! reported, nor are Playwright's conditional `test.skip(cond, "why")` calls.
//!
//! ## Why is this bad?
//! A skipped test is a hole in the suite that nobody sees: the run stays
//! green, and without a reason nobody knows whether it can be switched back
//! on, or what is broken. Agents skip tests to make a failing run pass.
//!
//! ## Example
//! ```py
//! @pytest.mark.skip
//! def test_refund_after_partial_shipment(client):
//!     ...
//! ```
//!
//! Use instead:
//! ```py
//! @pytest.mark.skip(reason="partial shipments land with #482; re-enable then")
//! def test_refund_after_partial_shipment(client):
//!     ...
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::test_quality::focused_test::has_callback;
use crate::rules::test_quality::tests_in_file::{java_annotations, js_callee_parts};
use crate::rules::{Rule, quote};
use crate::syntax::FieldExt as _;
use crate::syntax::is_test_path;

pub static META: RuleMeta = RuleMeta {
    id: "test-quality/skipped-test",
    item: ChecklistItem::TestQuality,
    severity: Severity::Info,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Go,
        Language::Rust,
        Language::Java,
    ],
    summary: "A test skipped (`.skip`, `xit`, `@Disabled`, `#[ignore]`, …) without a reason",
};

pub struct SkippedTest;

impl Rule for SkippedTest {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let (Some(_), Some(language)) = (ctx.root(), ctx.language) else {
            return;
        };
        let kinds: &[&str] = match language {
            Language::TypeScript | Language::Tsx | Language::JavaScript | Language::Go => {
                &["call_expression"]
            }
            Language::Python => &["decorator"],
            Language::Rust => &["attribute_item"],
            Language::Java => &["marker_annotation"],
            Language::Sql => &[],
        };
        for node in ctx.nodes_in_order(kinds) {
            let skip = match language {
                Language::TypeScript | Language::Tsx | Language::JavaScript => js_skip(ctx, node),
                Language::Python => python_skip(ctx, node),
                Language::Go => go_skip(ctx, node),
                Language::Rust => rust_skip(ctx, node),
                Language::Java => java_skip(ctx, node),
                Language::Sql => None,
            };
            let Some(skip) = skip else {
                continue;
            };
            let line = ctx.line(skip);
            if explained_by_comment(ctx, line) {
                continue;
            }
            let code = quote(ctx.text(skip), 60);
            out.push(
                ctx.finding(&META, line, ctx.symbol_for(skip), ctx.text(skip))
                    .title(format!("Test skipped without a reason: `{code}`"))
                    .message(format!(
                        "`{code}` switches a test off and does not say why. The suite stays \
                         green with a hole in it, and nobody can tell when the test may be \
                         switched back on."
                    ))
                    .symptom(format!("`{code}` skips a test with no stated reason."))
                    .root_cause(
                        "A test was disabled (often to get a failing run green) without \
                         recording why or what must happen before it is re-enabled.",
                    )
                    .fix(
                        "Either fix the test or the code and remove the skip, or keep the skip \
                         and give it a reason (the framework's reason argument, e.g. \
                         `reason=\"…\"`, `#[ignore = \"…\"]`, `@Disabled(\"…\")`, \
                         `t.Skip(\"…\")`) naming the issue or condition for re-enabling it.",
                    )
                    .scope("Touch only this skip and the test it disables.")
                    .build(),
            );
        }
    }
}

/// A comment at the end of the line or on the line before says why.
fn explained_by_comment(ctx: &RuleContext<'_>, line: u32) -> bool {
    let previous = if line > 1 {
        ctx.line_text(line - 1).trim_start()
    } else {
        ""
    };
    let current = ctx.line_text(line);
    ["//", "#", "/*", "*"]
        .iter()
        .any(|c| previous.starts_with(c) && !previous.starts_with("#["))
        || current.contains(" // ")
        || current.contains("  # ")
}

fn js_skip<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Node<'t>> {
    if node.kind() != "call_expression" || !is_test_path(ctx.path) {
        return None;
    }
    let callee = node.field("function")?;
    let (base, modifiers) = js_callee_parts(ctx, callee)?;
    let skipped = match base {
        "xit" | "xdescribe" | "xtest" | "xcontext" | "xspecify" => modifiers.is_empty(),
        "it" | "test" | "describe" | "context" | "suite" | "specify" => {
            modifiers.last() == Some(&"skip")
                && modifiers[..modifiers.len() - 1]
                    .iter()
                    .all(|m| *m == "describe")
        }
        _ => false,
    };
    (skipped && has_callback(node)).then_some(callee)
}

fn python_skip<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Node<'t>> {
    if node.kind() != "decorator" || !is_test_path(ctx.path) {
        return None;
    }
    let text = ctx.text(node).trim_start_matches('@').trim();
    let (name, args) = match text.split_once('(') {
        Some((name, args)) => (name.trim(), Some(args.trim_end_matches(')').trim())),
        None => (text, None),
    };
    let unexplained = match name {
        "pytest.mark.skip" | "mark.skip" => args.is_none_or(str::is_empty),
        "pytest.mark.skipif" | "mark.skipif" => args.is_some_and(|a| !a.contains("reason")),
        "unittest.skip" => args.is_none(),
        _ => false,
    };
    unexplained.then_some(node)
}

fn go_skip<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Node<'t>> {
    if node.kind() != "call_expression" || !ctx.path.ends_with("_test.go") {
        return None;
    }
    let function = node.field("function")?;
    if function.kind() != "selector_expression" {
        return None;
    }
    let field = ctx.text(function.field("field")?);
    let operand = function.field("operand")?;
    let args = node.field("arguments")?;
    (field == "Skip" && operand.kind() == "identifier" && args.named_child_count() == 0)
        .then_some(node)
}

fn rust_skip<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Node<'t>> {
    if node.kind() != "attribute_item" || ctx.text(node).replace(' ', "") != "#[ignore]" {
        return None;
    }
    // Only on a test function: the attributes before the same item.
    let mut sibling = node.next_sibling();
    while let Some(s) = sibling {
        match s.kind() {
            "attribute_item" | "line_comment" | "block_comment" => sibling = s.next_sibling(),
            "function_item" => break,
            _ => return None,
        }
    }
    sibling?;
    // The attributes of the same item, on both sides of `#[ignore]`.
    let mut attributes = Vec::new();
    for forward in [false, true] {
        let step = |n: Node<'t>| {
            if forward {
                n.next_sibling()
            } else {
                n.prev_sibling()
            }
        };
        let mut current = step(node);
        while let Some(n) = current {
            match n.kind() {
                "attribute_item" => attributes.push(ctx.text(n)),
                "line_comment" | "block_comment" => {}
                _ => break,
            }
            current = step(n);
        }
    }
    let is_test = attributes
        .iter()
        .any(|a| a.contains("test]") || a.contains("::test") || a.contains("rstest"));
    is_test.then_some(node)
}

fn java_skip<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Node<'t>> {
    if node.kind() != "marker_annotation" {
        return None;
    }
    let name = ctx.text(node.field("name")?);
    let name = name.rsplit('.').next().unwrap_or(name);
    if !matches!(name, "Disabled" | "Ignore") {
        return None;
    }
    let declaration = node.parent()?.parent()?;
    let applies = match declaration.kind() {
        "method_declaration" => java_annotations(ctx, declaration)
            .iter()
            .any(|(n, _)| matches!(n.as_str(), "Test" | "ParameterizedTest" | "RepeatedTest")),
        "class_declaration" => is_test_path(ctx.path),
        _ => false,
    };
    applies.then_some(node)
}
