//! `null-safety/used-before-error-check`: a Go result used between the call
//! that returned it and the check of that call's error.
//!
//! ## What it does
//! Finds `v, err := f(…)` (or `=`) followed, before the statement that checks
//! `err` (`if err != nil`), by a statement that dereferences `v`: a field or
//! method of it (`v.Body`, `v.Close()`), most often `defer v.Close()` or
//! `defer resp.Body.Close()` written right after the call.
//!
//! Only statements of the same block between the call and the first
//! statement mentioning `err` count, and only when that statement is an
//! `if` testing `err` against `nil`. It deliberately does not report a use
//! guarded by a nil test of `v` itself (`if resp != nil { defer
//! resp.Body.Close() }`), uses inside a function literal that is not
//! deferred, plain uses of the value that do not dereference it
//! (`total += n` after `n, err := r.Read(buf)`, which `io.Reader` asks for),
//! `if v, err := f(); err != nil` initialisers, or test files.
//!
//! ## Why is this bad?
//! When the call fails its other results are zero values: `resp` is `nil`
//! when `client.Do` returns an error, and so is the `*os.File` of a failed
//! `os.Open` or the `*sql.Rows` of a failed `Query`. The dereference panics
//! with a nil pointer dereference before the error is ever looked at — a
//! crash on exactly the failure (a timeout, a missing file) the check below
//! was written to handle. A deferred `Close` panics when the function
//! returns the error.
//!
//! ## Example
//! ```go
//! resp, err := http.DefaultClient.Do(req)
//! defer resp.Body.Close()
//! if err != nil {
//!     return fmt.Errorf("post comment to %s: %w", url, err)
//! }
//! ```
//!
//! Use instead:
//! ```go
//! resp, err := http.DefaultClient.Do(req)
//! if err != nil {
//!     return fmt.Errorf("post comment to %s: %w", url, err)
//! }
//! defer resp.Body.Close()
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote, symbol_suffix};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_comment, is_test_path, preorder};

pub static META: RuleMeta = RuleMeta {
    id: "null-safety/used-before-error-check",
    item: ChecklistItem::NullSafety,
    severity: Severity::Warning,
    languages: &[Language::Go],
    summary: "Go `v, err := f()` then `v.X` (often `defer v.Close()`) before `err` is checked",
};

pub struct UsedBeforeErrorCheck;

impl Rule for UsedBeforeErrorCheck {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        if ctx.root().is_none() || is_test_path(ctx.path) {
            return;
        }
        for node in ctx.nodes_in_order(&["short_var_declaration", "assignment_statement"]) {
            if !matches!(
                node.kind_str(),
                "short_var_declaration" | "assignment_statement"
            ) {
                continue;
            }
            let Some((value, err)) = value_and_error(ctx, node) else {
                continue;
            };
            if let Some(usage) = use_before_check(ctx, node, value, err) {
                out.push(report(ctx, node, usage, value, err));
            }
        }
    }
}

/// `v, err := f(…)`: the first result's name and the error's name.
fn value_and_error<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<(&'s str, &'s str)> {
    let (left, right) = (node.field("left")?, node.field("right")?);
    if left.named_child_count() < 2
        || right.named_child_count() != 1
        || right.named_child(0)?.kind_str() != "call_expression"
    {
        return None;
    }
    let first = left
        .named_child(0)
        .filter(|v| v.kind_str() == "identifier")?;
    let last = left
        .named_child(left.named_child_count() - 1)
        .filter(|e| e.kind_str() == "identifier")?;
    let (value, err) = (ctx.text(first), ctx.text(last));
    (value != "_" && (err == "err" || err.ends_with("Err"))).then_some((value, err))
}

/// The first statement after `assignment`, before the `if err != nil` that
/// checks its error, that dereferences `value`.
fn use_before_check<'t>(
    ctx: &RuleContext<'_>,
    assignment: Node<'t>,
    value: &str,
    err: &str,
) -> Option<Node<'t>> {
    let mentions = |n: Node<'_>, name: &str| {
        preorder(n).any(|i| i.kind_str() == "identifier" && ctx.text(i) == name)
    };
    let mut usage = None;
    let mut next = assignment.next_named_sibling();
    while let Some(statement) = next {
        next = statement.next_named_sibling();
        if is_comment(statement) {
            continue;
        }
        if mentions(statement, err) {
            let checks_err = statement.kind_str() == "if_statement"
                && statement
                    .field("condition")
                    .is_some_and(|c| tests_nil(ctx, c, err));
            return usage.filter(|_| checks_err);
        }
        // `if resp != nil { defer resp.Body.Close() }`: guarded by hand.
        if statement.kind_str() == "if_statement"
            && statement
                .field("condition")
                .is_some_and(|c| tests_nil(ctx, c, value))
        {
            continue;
        }
        // A new value for the name ends the window.
        if reassigns(ctx, statement, value) {
            return None;
        }
        if usage.is_none() && dereferences(ctx, statement, value) {
            usage = Some(statement);
        }
    }
    None
}

/// `name != nil` / `name == nil` in a condition.
fn tests_nil(ctx: &RuleContext<'_>, condition: Node<'_>, name: &str) -> bool {
    preorder(condition).any(|n| {
        n.kind_str() == "binary_expression"
            && matches!(n.field("operator").map(|o| ctx.text(o)), Some("!=" | "=="))
            && n.field("left").is_some_and(|l| ctx.text(l) == name)
            && n.field("right").is_some_and(|r| ctx.text(r) == "nil")
    })
}

fn reassigns(ctx: &RuleContext<'_>, statement: Node<'_>, name: &str) -> bool {
    matches!(
        statement.kind_str(),
        "short_var_declaration" | "assignment_statement"
    ) && statement.field("left").is_some_and(|l| {
        let mut cursor = l.walk();
        l.named_children(&mut cursor).any(|t| ctx.text(t) == name)
    })
}

/// `name.field` / `name.Method(…)` in the statement, outside function
/// literals unless the statement defers them (a deferred closure runs on
/// the error path too).
fn dereferences(ctx: &RuleContext<'_>, statement: Node<'_>, name: &str) -> bool {
    let deferred = statement.kind_str() == "defer_statement";
    preorder(statement).any(|n| {
        n.kind_str() == "selector_expression"
            && n.field("operand")
                .is_some_and(|o| o.kind_str() == "identifier" && ctx.text(o) == name)
            && (deferred
                || !std::iter::successors(n.parent(), |p| p.parent())
                    .take_while(|p| p.id() != statement.id())
                    .any(|p| p.kind_str() == "func_literal"))
    })
}

fn report(
    ctx: &RuleContext<'_>,
    assignment: Node<'_>,
    usage: Node<'_>,
    value: &str,
    err: &str,
) -> Finding {
    let call = quote(ctx.text(assignment), 70);
    let used = quote(ctx.text(usage), 60);
    let in_symbol = symbol_suffix(ctx.symbol_for(usage).as_deref());
    ctx.node_finding(&META, usage)
        .title(format!("`{value}` used before `{err}` is checked"))
        .message(format!(
            "`{used}` dereferences `{value}`, but the error of `{call}` is only checked after \
             it. When the call fails, `{value}` is a zero value (`nil` for a pointer, a \
             response, a file or a rows handle), so this line panics with a nil pointer \
             dereference on exactly the failure the check below was written for{}.\n\n\
             Move the use after `if {err} != nil {{ … }}`.",
            if usage.kind_str() == "defer_statement" {
                " — a deferred call panics when the function returns the error"
            } else {
                ""
            }
        ))
        .symptom(format!(
            "`{used}`{in_symbol} uses `{value}` before the error of the call that returned it \
             is checked."
        ))
        .root_cause(
            "The cleanup or the use was written right after the call, before the error check, \
             assuming the call succeeds.",
        )
        .fix(format!(
            "Check `{err}` first and return (or handle) it, then use `{value}` — for cleanup, \
             `defer {value}.Close()` goes right after the `if {err} != nil` block."
        ))
        .scope(
            "Only reorder this statement and the error check; keep both statements and the \
             function's behaviour on success unchanged.",
        )
        .build()
}
