//! `test-quality/skipped-test`: a test switched off everywhere — above all
//! without saying why, or because it is broken, flaky or unfinished.
//!
//! ## What it does
//! Finds tests switched off with no reason attached:
//! - JavaScript/TypeScript test files: `it.skip(…)`, `test.skip(…)`,
//!   `describe.skip(…)`, `xit(…)`, `xdescribe(…)`, `xtest(…)` declarations,
//!   and `node:test`'s `it("…", { skip: "reason" }, fn)` / `{ skip: true }`;
//! - Python test files: `@pytest.mark.skip` / `@pytest.mark.skip()` without a
//!   reason, `@pytest.mark.skipif(…)` without `reason=`, a bare
//!   `@unittest.skip`;
//! - Go `_test.go` files: `t.Skip()` with no message;
//! - Rust: `#[ignore]` on a test without `= "reason"`;
//! - Java: `@Disabled` / `@Ignore` without a reason on a test method or class.
//!
//! A comment on the line before or at the end of the line counts as the
//! reason. It also finds skips whose reason (argument or comment) says the
//! test is broken, flaky or unfinished — "flaky on CI", "fails after the
//! refactor", "TODO: decide …", "FIXME", "not implemented", "hangs":
//! `@pytest.mark.skip(reason="flaky on CI")`, `t.Skip("TODO: …")`,
//! `@Disabled("fails after …")`, `#[ignore = "flaky"]`, and `it.skip` under
//! a `// FIXME: broken` comment.
//!
//! Unconditional skips with any other reason are reported too, quoting the
//! reason (`@pytest.mark.skip(reason="partner sandbox is down")`,
//! `t.Skip("tie-break rules still under discussion")`,
//! `@Disabled("needs a real database")`): whatever the reason, a test
//! switched off everywhere tests nothing. Rust's `#[ignore = "slow"]` is the
//! exception: it is how projects keep slow or environment-bound tests out of
//! `cargo test` and run them with `--ignored`.
//!
//! Conditional skips are not reported when they give a reason:
//! `@pytest.mark.skipif(…, reason="…")`, `t.Skip("…")` inside an `if` or
//! `switch` (`if testing.Short() {…}`), and Playwright's
//! `test.skip(cond, "why")` calls — they switch a test off in one
//! environment, not everywhere.
//!
//! ## Why is this bad?
//! A skipped test is a hole in the suite that nobody sees: the run stays
//! green, and without a reason nobody knows whether it can be switched back
//! on, or what is broken. A test disabled because it fails or is unfinished
//! means the behaviour it covers ships untested. Agents skip tests to make a
//! failing run pass.
//!
//! ## Example
//! ```py
//! @pytest.mark.skip(reason="flaky on CI")
//! def test_refund_after_partial_shipment(client):
//!     ...
//! ```
//!
//! Use instead: fix the test (or the code) and drop the skip; if it cannot
//! run in some environment, skip it only there and say so:
//! ```py
//! @pytest.mark.skipif(not os.environ.get("PAYMENTS_SANDBOX_URL"),
//!                     reason="needs the payments sandbox")
//! def test_refund_after_partial_shipment(client):
//!     ...
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::test_quality::focused_test::has_callback;
use crate::rules::test_quality::tests_in_file::{java_annotations, js_callee_parts};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_test_path, string_literal_value};

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
    summary: "A test switched off unconditionally (`.skip`, `xit`, `@Disabled`, `#[ignore]`, \
              `t.Skip`, …), above all without a reason or because it is broken or unfinished",
};

pub struct SkippedTest;

/// A skip found in a test, before its reason is judged.
struct Skip<'t> {
    /// The node reported (the skip call, decorator or annotation).
    node: Node<'t>,
    /// The reason given in the skip itself (`reason="…"`, `t.Skip("…")`,
    /// `#[ignore = "…"]`, `@Disabled("…")`).
    reason: Option<String>,
    /// Skipped only under a condition (`skipif`, `t.Skip` inside an `if`):
    /// an environment switch, not a disabled test.
    conditional: bool,
}

/// Why a skip is reported.
enum Verdict {
    NoReason,
    /// The reason says the test is broken, flaky or unfinished.
    Broken(String),
    /// Switched off everywhere for another stated reason ("partner sandbox
    /// is down", "rules still under discussion").
    Disabled(String),
}

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
            Language::Python => &["decorator", "call"],
            Language::Rust => &["attribute_item"],
            Language::Java => &["marker_annotation", "annotation"],
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
            let line = ctx.line(skip.node);
            let comment = reason_comment(ctx, line);
            let verdict = match (skip.reason.as_deref(), comment.as_deref()) {
                (None, None) => Verdict::NoReason,
                _ if skip.conditional => continue,
                (reason, comment) => {
                    match [reason, comment]
                        .into_iter()
                        .flatten()
                        .find(|r| says_broken(r))
                    {
                        Some(reason) => Verdict::Broken(reason.trim().to_string()),
                        // Rust's `#[ignore = "needs a database"]` is how a
                        // project keeps slow or environment-bound tests out
                        // of `cargo test` and runs them with `--ignored`.
                        None if language == Language::Rust => continue,
                        // Any other reason: the test is still switched off
                        // everywhere.
                        None => Verdict::Disabled(
                            reason.or(comment).unwrap_or_default().trim().to_string(),
                        ),
                    }
                }
            };
            out.push(report(ctx, skip.node, line, &verdict));
        }
    }
}

fn report(ctx: &RuleContext<'_>, skip: Node<'_>, line: u32, verdict: &Verdict) -> Finding {
    let code = quote(ctx.text(skip), 60);
    let builder = ctx.finding(&META, line, ctx.symbol_for(skip), ctx.text(skip));
    let builder = match verdict {
        Verdict::NoReason => builder
            .title(format!("Test skipped without a reason: `{code}`"))
            .message(format!(
                "`{code}` switches a test off and does not say why. The suite stays green \
                 with a hole in it, and nobody can tell when the test may be switched back on."
            ))
            .symptom(format!("`{code}` skips a test with no stated reason."))
            .root_cause(
                "A test was disabled (often to get a failing run green) without recording why \
                 or what must happen before it is re-enabled.",
            )
            .fix(
                "Either fix the test or the code and remove the skip, or keep the skip and give \
                 it a reason (the framework's reason argument, e.g. `reason=\"…\"`, \
                 `#[ignore = \"…\"]`, `@Disabled(\"…\")`, `t.Skip(\"…\")`) naming the issue or \
                 condition for re-enabling it.",
            ),
        Verdict::Disabled(reason) => {
            let reason = quote(clean_reason(reason), 80);
            builder
                .title(format!("Test switched off unconditionally: `{code}`"))
                .message(format!(
                    "`{code}` switches a test off in every environment (\"{reason}\"). A \
                     skipped test tests nothing: the behaviour it covers ships untested while \
                     the suite stays green, and a disabled test is rarely switched back on."
                ))
                .symptom(format!(
                    "`{code}` disables a test everywhere: \"{reason}\"."
                ))
                .root_cause(
                    "The test was added or kept switched off instead of being made to run; the \
                     skip has no condition, so it applies on every machine and in CI.",
                )
                .fix(
                    "Make the test run and remove the skip. If it depends on something only \
                     some environments have, skip it only when that is missing with a \
                     conditional skip (`skipif(…)`, `if os.Getenv(…) == \"\" { t.Skip(…) }`, \
                     `@EnabledIf…`) that names the condition. If the behaviour is undecided, \
                     leave the test out of this change instead of adding it disabled.",
                )
        }
        Verdict::Broken(reason) => {
            let reason = quote(reason, 80);
            builder
                .title(format!("Test disabled as broken or unfinished: `{code}`"))
                .message(format!(
                    "`{code}` switches a test off because it is broken, flaky or unfinished \
                     (\"{reason}\"). The behaviour it covers ships untested while the suite \
                     stays green, and a disabled test is rarely switched back on."
                ))
                .symptom(format!(
                    "`{code}` disables a test that fails or is unfinished: \"{reason}\"."
                ))
                .root_cause(
                    "The test (or the code it covers) is broken or unfinished, and the test was \
                     switched off to get the run green instead of being fixed.",
                )
                .fix(
                    "Fix the test or the code and remove the skip. If the test really cannot \
                     run in some environment, skip it only there with a conditional skip \
                     (`skipif`, `@DisabledOnOs`, `if testing.Short()`) that names the \
                     condition. If the behaviour is still undecided, leave the test out of \
                     this change instead of adding it disabled.",
                )
        }
    };
    builder
        .scope("Touch only this skip and the test it disables.")
        .build()
}

/// The text of a comment at the end of the line or on the line before: the
/// reason for the skip.
fn reason_comment(ctx: &RuleContext<'_>, line: u32) -> Option<String> {
    let previous = if line > 1 {
        ctx.line_text(line - 1).trim_start()
    } else {
        ""
    };
    if ["//", "#", "/*", "*"]
        .iter()
        .any(|c| previous.starts_with(c) && !previous.starts_with("#["))
    {
        return Some(previous.to_string());
    }
    let current = ctx.line_text(line);
    [" // ", "  # "]
        .iter()
        .find_map(|c| current.split_once(c))
        .map(|(_, comment)| comment.to_string())
}

/// `reason="partner sandbox is down"` → `partner sandbox is down`: the
/// reason without its keyword, quotes or comment marker.
fn clean_reason(reason: &str) -> &str {
    let reason = reason.trim();
    let reason = reason
        .strip_prefix("reason")
        .or_else(|| reason.strip_prefix("value"))
        .map(|r| r.trim_start().trim_start_matches('=').trim_start())
        .unwrap_or(reason);
    let reason = reason
        .trim_start_matches(['/', '#', '*'])
        .trim_end_matches("*/")
        .trim();
    reason.trim_matches(['"', '\'']).trim()
}

/// Words of a reason that say the test is broken, flaky or unfinished
/// rather than that it needs an environment.
const BROKEN_WORDS: &[&str] = &[
    "flaky",
    "flakey",
    "flake",
    "flakes",
    "flaking",
    "flakiness",
    "fail",
    "fails",
    "failing",
    "failed",
    "broken",
    "breaks",
    "todo",
    "fixme",
    "wip",
    "hangs",
    "hanging",
    "intermittent",
    "intermittently",
    "unstable",
    "unfinished",
    "unimplemented",
    "decide",
];

const BROKEN_PHRASES: &[&str] = &[
    "not implemented",
    "not yet implemented",
    "not working",
    "doesn't work",
    "does not work",
    "times out",
    "timing out",
    "known issue",
    "known bug",
];

/// `"flaky on CI"`, `"fails after the currency refactor"`, `"TODO: …"`.
fn says_broken(reason: &str) -> bool {
    let lower = reason.to_lowercase().replace('\u{2019}', "'");
    lower
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| BROKEN_WORDS.contains(&w))
        || BROKEN_PHRASES.iter().any(|p| lower.contains(p))
}

fn js_skip<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Skip<'t>> {
    if node.kind_str() != "call_expression" || !is_test_path(ctx.path) {
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
    if !skipped
        && modifiers.is_empty()
        && matches!(base, "it" | "test" | "describe" | "suite")
        && has_callback(node)
    {
        return node_test_skip_option(ctx, node);
    }
    // The reason of a JavaScript skip can only be a comment.
    (skipped && has_callback(node)).then_some(Skip {
        node: callee,
        reason: None,
        conditional: false,
    })
}

/// `node:test`'s `it("…", { skip: "reason" }, () => …)` (also `skip: true`):
/// the options object switches the test off. A computed value
/// (`skip: process.platform === "win32"`) skips it in one environment only
/// and is left alone.
fn node_test_skip_option<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Skip<'t>> {
    let args = node.field("arguments")?;
    let mut cursor = args.walk();
    let options = args
        .named_children(&mut cursor)
        .filter(|a| a.kind_str() != "comment")
        .nth(1)
        .filter(|a| a.kind_str() == "object")?;
    let mut cursor = options.walk();
    let pair = options.named_children(&mut cursor).find(|p| {
        p.kind_str() == "pair"
            && p.field("key")
                .is_some_and(|k| ctx.text(k).trim_matches(['"', '\'']) == "skip")
    })?;
    let value = pair.field("value")?;
    let reason = match value.kind_str() {
        "true" => None,
        "string" | "template_string" => {
            Some(ctx.text(value).trim_matches(['"', '\'', '`']).to_string())
        }
        _ => return None,
    };
    Some(Skip {
        node: pair,
        reason,
        conditional: false,
    })
}

fn python_skip<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Skip<'t>> {
    if !is_test_path(ctx.path) {
        return None;
    }
    if node.kind_str() == "call" {
        return python_skip_call(ctx, node);
    }
    if node.kind_str() != "decorator" {
        return None;
    }
    let text = ctx.text(node).trim_start_matches('@').trim();
    let (name, args) = match text.split_once('(') {
        Some((name, args)) => (name.trim(), Some(args.trim_end_matches(')').trim())),
        None => (text, None),
    };
    let given = args.filter(|a| !a.is_empty()).map(str::to_string);
    let (reason, conditional) = match name {
        "pytest.mark.skip" | "mark.skip" | "unittest.skip" => (given, false),
        // `skipif(cond, reason=…)`: only the reason counts, and the skip is
        // conditional.
        "pytest.mark.skipif" | "mark.skipif" => (given.filter(|a| a.contains("reason")), true),
        _ => return None,
    };
    Some(Skip {
        node,
        reason,
        conditional,
    })
}

/// `pytest.skip("…")` / `self.skipTest("…")` as a statement of a test
/// function's own body (not under an `if`, `with`, `try` or loop): the test
/// stops there on every run.
fn python_skip_call<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Skip<'t>> {
    let callee = ctx.text(node.field("function")?);
    if !matches!(callee, "pytest.skip" | "self.skipTest") {
        return None;
    }
    let statement = node.parent()?;
    let block = statement.parent()?;
    let function = block.parent()?;
    if statement.kind_str() != "expression_statement"
        || block.kind_str() != "block"
        || function.kind_str() != "function_definition"
        || !ctx.text(function.field("name")?).starts_with("test")
    {
        return None;
    }
    let args = node.field("arguments")?;
    let reason = args
        .named_child(0)
        .filter(|a| a.kind_str() != "keyword_argument")
        .map(|a| {
            string_literal_value(a, ctx.source)
                .unwrap_or_else(|| ctx.text(a))
                .to_string()
        });
    Some(Skip {
        node,
        reason,
        conditional: false,
    })
}

fn go_skip<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Skip<'t>> {
    if node.kind_str() != "call_expression" || !ctx.path.ends_with("_test.go") {
        return None;
    }
    let function = node.field("function")?;
    if function.kind_str() != "selector_expression" {
        return None;
    }
    let field = ctx.text(function.field("field")?);
    let operand = function.field("operand")?;
    let args = node.field("arguments")?;
    if field != "Skip" || operand.kind_str() != "identifier" {
        return None;
    }
    let reason = (args.named_child_count() > 0).then(|| {
        args.named_child(0)
            .and_then(|a| string_literal_value(a, ctx.source))
            .unwrap_or_else(|| ctx.text(args))
            .to_string()
    });
    Some(Skip {
        node,
        reason,
        conditional: go_conditional(node),
    })
}

/// Inside an `if`/`switch`/`select` of the test function
/// (`if testing.Short() { t.Skip(…) }`).
fn go_conditional(node: Node<'_>) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        match n.kind_str() {
            "if_statement"
            | "expression_switch_statement"
            | "type_switch_statement"
            | "select_statement" => return true,
            "function_declaration" | "method_declaration" | "func_literal" => return false,
            _ => current = n.parent(),
        }
    }
    false
}

fn rust_skip<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Skip<'t>> {
    if node.kind_str() != "attribute_item" {
        return None;
    }
    let attribute = ctx.text(node).replace(' ', "");
    let reason = if attribute == "#[ignore]" {
        None
    } else if attribute.starts_with("#[ignore=") {
        // `#[ignore = "flaky"]`: the value as written.
        let text = ctx.text(node);
        let value = &text[text.find('=')? + 1..];
        Some(value.trim().trim_end_matches(']').trim().to_string())
    } else {
        return None;
    };
    // Only on a test function: the attributes before the same item.
    let mut sibling = node.next_sibling();
    while let Some(s) = sibling {
        match s.kind_str() {
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
            match n.kind_str() {
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
    is_test.then_some(Skip {
        node,
        reason,
        conditional: false,
    })
}

fn java_skip<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Skip<'t>> {
    if !matches!(node.kind_str(), "marker_annotation" | "annotation") {
        return None;
    }
    let name = ctx.text(node.field("name")?);
    let name = name.rsplit('.').next().unwrap_or(name);
    if !matches!(name, "Disabled" | "Ignore") {
        return None;
    }
    // `@Disabled("…")`, `@Disabled(value = "…")`.
    let reason = node
        .field("arguments")
        .map(|a| ctx.text(a).trim_matches(['(', ')']).trim().to_string())
        .filter(|a| !a.is_empty());
    let declaration = node.parent()?.parent()?;
    let applies = match declaration.kind_str() {
        "method_declaration" => java_annotations(ctx, declaration)
            .iter()
            .any(|(n, _)| matches!(n.as_str(), "Test" | "ParameterizedTest" | "RepeatedTest")),
        "class_declaration" => is_test_path(ctx.path),
        _ => false,
    };
    applies.then_some(Skip {
        node,
        reason,
        conditional: false,
    })
}
