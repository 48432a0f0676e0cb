//! `error-handling/logged-without-error`: an error caught, logged without itself, and dropped.
//!
//! ## What it does
//! Finds handlers that bind the caught error to a name, never use that name,
//! and only write a log line before carrying on:
//! - Java: `catch (SQLException e) { log.debug("addPoints failed"); }`;
//! - JavaScript/TypeScript: `catch (err) { console.error("sync failed"); }`;
//! - Python: `except requests.RequestException as exc: logger.warning("sync failed")`.
//!
//! A log call is a call on `log`, `logger`, `LOG`, `LOGGER`, `logging` or
//! `console` (printing with `System.err.println`/`print` is a program talking
//! to its user, and is left alone). Not reported: a
//! handler that uses the error (`log.warn("…", e)`, `logger.exception(…)`,
//! `console.error(err)`), rethrows, returns or does anything besides
//! logging, a name that says it is ignored (`ignored`, `_`), a comment that
//! says the error is expected, and handlers without a binding
//! (`catch {}`/`except X:` say so on purpose).
//!
//! ## Why is this bad?
//! The code goes on as if the call had worked, and the only trace is a line
//! with no exception type, message or stack trace: "addPoints failed", at
//! debug level. Whoever investigates missing data finds a log that cannot
//! tell a constraint violation from a lost connection. Agents write it to
//! make a failing path "handled".
//!
//! ## Example
//! ```java
//! try {
//!     jdbc.update("UPDATE members SET points = points + ? WHERE id = ?", points, id);
//! } catch (DataAccessException e) {
//!     log.debug("addPoints failed");
//! }
//! ```
//!
//! Use instead:
//! ```java
//! try {
//!     jdbc.update("UPDATE members SET points = points + ? WHERE id = ?", points, id);
//! } catch (DataAccessException e) {
//!     throw new LoyaltyException("adding " + points + " points to member " + id + " failed", e);
//! }
//! ```

use tree_sitter::Node;

use super::empty_catch::{intentionally_ignored, named_as_ignored};
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_test_path, preorder, statements, unwrap_expression};

pub static META: RuleMeta = RuleMeta {
    id: "error-handling/logged-without-error",
    item: ChecklistItem::ErrorHandling,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Java,
    ],
    summary: "A caught error is logged without itself (no type, message or stack trace) and dropped",
};

pub struct LoggedWithoutError;

impl Rule for LoggedWithoutError {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(language) = ctx.language else {
            return;
        };
        if is_test_path(ctx.path) {
            return;
        }
        let kinds: &[&str] = match language {
            Language::Python => &["except_clause"],
            Language::Java | Language::TypeScript | Language::Tsx | Language::JavaScript => {
                &["catch_clause"]
            }
            _ => return,
        };
        for clause in ctx.nodes_in_order(kinds) {
            let Some((name, body)) = binding_and_body(ctx, language, clause) else {
                continue;
            };
            if named_as_ignored(name) {
                continue;
            }
            let body_statements: Vec<Node<'_>> = statements(body).collect();
            if body_statements.is_empty()
                || !body_statements
                    .iter()
                    .all(|s| is_log_statement(ctx, language, *s))
            {
                continue;
            }
            // `logger.warn({ err, path }, "…")` uses it through a shorthand property.
            let uses_error = preorder(body).any(|n| {
                matches!(n.kind_str(), "identifier" | "shorthand_property_identifier")
                    && ctx.text(n) == name
            });
            if uses_error || intentionally_ignored(ctx, clause) {
                continue;
            }
            out.push(report(ctx, clause, body_statements[0], name));
        }
    }
}

/// The caught error's name and the handler's body.
fn binding_and_body<'s, 't>(
    ctx: &RuleContext<'s>,
    language: Language,
    clause: Node<'t>,
) -> Option<(&'s str, Node<'t>)> {
    match language {
        Language::Python => {
            // `except X as e:` — the alias of an `as_pattern`.
            let mut cursor = clause.walk();
            let children: Vec<Node<'t>> = clause.named_children(&mut cursor).collect();
            let alias = children
                .iter()
                .find(|c| c.kind_str() == "as_pattern")
                .and_then(|p| p.field("alias"))?;
            let name = preorder(alias).find(|n| n.kind_str() == "identifier")?;
            let body = children.iter().rev().find(|c| c.kind_str() == "block")?;
            Some((ctx.text(name), *body))
        }
        Language::Java => {
            let mut cursor = clause.walk();
            let param = clause
                .named_children(&mut cursor)
                .find(|c| c.kind_str() == "catch_formal_parameter")?;
            let name = param.field("name")?;
            Some((ctx.text(name), clause.field("body")?))
        }
        _ => {
            let param = clause.field("parameter")?;
            if param.kind_str() != "identifier" {
                return None;
            }
            Some((ctx.text(param), clause.field("body")?))
        }
    }
}

/// `log.debug("…")`, `console.error("…")`, `logger.warning("…")`. Printing
/// to the terminal (`System.err.println`, `print`) is a program talking to
/// its user, often with a message that names the failure: not counted.
fn is_log_statement(ctx: &RuleContext<'_>, language: Language, statement: Node<'_>) -> bool {
    if statement.kind_str() != "expression_statement" {
        return false;
    }
    let Some(expr) = statement.named_child(0).map(unwrap_expression) else {
        return false;
    };
    let callee = match (language, expr.kind_str()) {
        (Language::Java, "method_invocation") => {
            expr.field("object").map(|o| ctx.text(o)).unwrap_or("")
        }
        (Language::Python, "call") => expr.field("function").map(|f| ctx.text(f)).unwrap_or(""),
        (_, "call_expression") => expr.field("function").map(|f| ctx.text(f)).unwrap_or(""),
        _ => return false,
    };
    let root = callee.split('.').next().unwrap_or("");
    let root = root.trim_start_matches("this.");
    matches!(
        root,
        "log" | "logger" | "LOG" | "LOGGER" | "Log" | "logging" | "console" | "_logger" | "_log"
    ) || callee.starts_with("this.log")
        || callee.starts_with("self.log")
        || callee.starts_with("self._log")
}

fn report(ctx: &RuleContext<'_>, clause: Node<'_>, log: Node<'_>, name: &str) -> Finding {
    let log_code = quote(ctx.text(log), 60);
    ctx.node_finding(&META, clause)
        .title(format!(
            "`{name}` is caught, logged without itself, and dropped"
        ))
        .message(format!(
            "This handler catches `{name}`, writes `{log_code}` — with no exception type, \
             message or stack trace — and carries on as if nothing failed. The failure is \
             hidden from callers and the log cannot say what went wrong.\n\nPropagate it \
             (rethrow, wrapped with context), or handle it for real (fallback, retry, an \
             error response); if continuing is right, log `{name}` itself so the cause is kept."
        ))
        .symptom(format!(
            "The caught error `{name}` is never used: the handler only logs `{log_code}` and \
             continues."
        ))
        .root_cause(
            "The failure path was written to stop the error from propagating, not to handle \
             it; the log line does not include the error.",
        )
        .fix(format!(
            "Either rethrow `{name}` wrapped in an error that names the operation and its \
             inputs, or keep going deliberately and include `{name}` in the log call (as the \
             logger's error/exception argument) at warning level or above."
        ))
        .scope(
            "Change only this handler; keep the try block and the function's signature, and do \
             not add handling for other errors.",
        )
        .build()
}
