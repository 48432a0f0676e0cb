//! `error-messages/map-err-drops-cause`: Rust `.map_err(|_| …)` replaces an error with a new message and throws the original away
//!
//! ## What it does
//! Finds `.map_err(|_| …)` — a closure that ignores the error it receives —
//! whose body builds a new application error from a message: `anyhow!("…")`,
//! `eyre!("…")`, `format_err!("…")`, `miette!("…")`, or a `String` error
//! (`format!("…")`, `"…".to_string()` / `.into()` / `.to_owned()`,
//! `String::from("…")`).
//!
//! Deliberately not reported: test code; closures that name the error
//! (`|e| anyhow!("…: {e}")`); typed errors (`AppError::Download(…)`,
//! `io::Error::new(kind, "…")`, `de::Error::custom(…)`, a unit variant, a
//! 4xx status code or an HTTP response for the client), which libraries use
//! on purpose to hide opaque causes; and errors with nothing worth keeping: a
//! channel `send`/`try_send`/`recv`/`try_recv` (the error only returns the
//! value or says the channel closed), a poisoned `lock()`/`read()`/
//! `write()`, `try_into`/`try_from` conversions, `parse` of a value the
//! message usually names, UTF-8 and C-string conversions (`from_utf8`,
//! `into_string`, `to_str`, `CString::new`) and `env::var`.
//!
//! A 500 for the client (`|_| StatusCode::INTERNAL_SERVER_ERROR`, alone or
//! with a body), or the application's own internal-error variant built from
//! a message (`|_| AppError::Internal("db error".into())`,
//! `|_| error::ErrorInternalServerError("…")`), is reported too, unless the error is one of those with
//! nothing worth keeping: the client must not see the cause, and with `|_|`
//! nobody else does either.
//!
//! ## Why is this bad?
//! The discarded error is the only record of what went wrong: a timeout, a
//! DNS failure, a 403, a full disk, a constraint violation. "download
//! failed" in the log sends whoever is on call to reproduce the problem
//! instead of reading it. `?` with `.context("…")` keeps both the message and
//! the cause (`{:#}` prints the chain).
//!
//! ## Example
//! ```rust
//! let body = client.get(url).send().await
//!     .map_err(|_| anyhow!("download failed"))?;
//! ```
//!
//! Use instead:
//! ```rust
//! let body = client.get(url).send().await
//!     .with_context(|| format!("downloading {url}"))?;
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote, symbol_suffix};
use crate::syntax::NodeExt as _;
use crate::syntax::{in_rust_test, is_test_path, unwrap_expression};

pub static META: RuleMeta = RuleMeta {
    id: "error-messages/map-err-drops-cause",
    item: ChecklistItem::ErrorMessages,
    severity: Severity::Warning,
    languages: &[Language::Rust],
    summary: "Rust `.map_err(|_| anyhow!(\"…\"))` replaces an error with a message and drops the original cause",
};

pub struct MapErrDropsCause;

impl Rule for MapErrDropsCause {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(_) = ctx.root() else {
            return;
        };
        if is_test_path(ctx.path) {
            return;
        }
        for call in ctx.nodes_in_order(&["call_expression"]) {
            let Some(function) = call
                .field("function")
                .filter(|f| f.kind_str() == "field_expression")
            else {
                continue;
            };
            if function
                .field("field")
                .is_none_or(|f| ctx.text(f) != "map_err")
            {
                continue;
            }
            let Some(closure) = call
                .field("arguments")
                .and_then(|a| a.named_child(0))
                .filter(|c| c.kind_str() == "closure_expression")
            else {
                continue;
            };
            let ignores_error = closure
                .field("parameters")
                .is_some_and(|p| ctx.text(p).replace(' ', "") == "|_|");
            if !ignores_error {
                continue;
            }
            let Some(body) = closure.field("body").and_then(result_expression) else {
                continue;
            };
            let server_error = is_internal_server_error(ctx, body);
            if !server_error && !builds_message(ctx, body) {
                continue;
            }
            if function
                .field("value")
                .is_some_and(|source| uninformative_source(ctx, source))
            {
                continue;
            }
            if in_rust_test(call, ctx.source) {
                continue;
            }
            out.push(report(ctx, closure, body));
        }
    }
}

/// The expression a closure body evaluates to: the body itself, or the last
/// expression of a block.
fn result_expression(body: Node<'_>) -> Option<Node<'_>> {
    if body.kind_str() != "block" {
        return Some(unwrap_expression(body));
    }
    let mut cursor = body.walk();
    let last = body
        .named_children(&mut cursor)
        .filter(|n| !crate::syntax::is_comment(*n))
        .last()?;
    // A trailing `expression_statement` ends with `;`: the block is `()`.
    (last.kind_str() != "expression_statement" || !body_ends_with_semicolon(last))
        .then_some(last)
        .map(|n| {
            if n.kind_str() == "expression_statement" {
                n.named_child(0).unwrap_or(n)
            } else {
                n
            }
        })
}

fn body_ends_with_semicolon(statement: Node<'_>) -> bool {
    let count = statement.child_count();
    count > 0
        && statement
            .child(count - 1)
            .is_some_and(|c| c.kind_str() == ";")
}

const MESSAGE_MACROS: &[&str] = &["anyhow", "eyre", "format_err", "miette", "format"];

/// Whether `node` is a new error built from a message.
fn builds_message(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    let node = unwrap_expression(node);
    match node.kind_str() {
        "macro_invocation" => node.field("macro").is_some_and(|m| {
            let name = ctx.text(m);
            MESSAGE_MACROS.contains(&name.rsplit("::").next().unwrap_or(name))
        }),
        "call_expression" => {
            let Some(function) = node.field("function") else {
                return false;
            };
            let args = node.field("arguments");
            match function.kind_str() {
                // `"…".to_string()`, `"…".into()`, `"…".to_owned()`
                "field_expression" => {
                    function
                        .field("value")
                        .is_some_and(|v| v.kind_str() == "string_literal")
                        && function.field("field").is_some_and(|f| {
                            matches!(ctx.text(f), "to_string" | "into" | "to_owned")
                        })
                }
                // `String::from("…")`
                "scoped_identifier" => {
                    function
                        .field("path")
                        .is_some_and(|p| ctx.text(p) == "String")
                        && function
                            .field("name")
                            .is_some_and(|n| ctx.text(n) == "from")
                        && args.is_some_and(|a| {
                            a.named_child(0)
                                .is_some_and(|m| m.kind_str() == "string_literal")
                        })
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// A 500 answer for the client (`StatusCode::INTERNAL_SERVER_ERROR`, alone
/// or in a tuple with a body): hiding the cause from the client is right,
/// but with `|_|` nothing records it anywhere, so the server's own failure
/// leaves no trace.
fn is_internal_server_error(ctx: &RuleContext<'_>, body: Node<'_>) -> bool {
    let body = unwrap_expression(body);
    let status = match body.kind_str() {
        "tuple_expression" => body.named_child(0),
        _ => Some(body),
    };
    if status.is_some_and(|s| {
        matches!(s.kind_str(), "scoped_identifier" | "field_expression")
            && ctx.text(s).ends_with("INTERNAL_SERVER_ERROR")
    }) {
        return true;
    }
    // `AppError::Internal("db error".into())`, `ApiError::InternalServerError(…)`,
    // actix's `error::ErrorInternalServerError("…")`: the application's own
    // "internal error" built from a message, with the real cause thrown away.
    if body.kind_str() != "call_expression" {
        return false;
    }
    let Some(function) = body
        .field("function")
        .filter(|f| f.kind_str() == "scoped_identifier")
    else {
        return false;
    };
    let Some(name) = function.field("name").map(|n| ctx.text(n)) else {
        return false;
    };
    let internal = name == "ErrorInternalServerError"
        || (name.starts_with("Internal")
            && function.field("path").is_some_and(|p| {
                ctx.text(p)
                    .rsplit("::")
                    .next()
                    .is_some_and(|t| t.starts_with(|c: char| c.is_ascii_uppercase()))
            }));
    internal
        && body
            .field("arguments")
            .and_then(|a| a.named_child(0))
            .is_some_and(|arg| builds_message(ctx, arg) || arg.kind_str() == "string_literal")
}

/// Errors with nothing worth keeping: channel send/receive errors, lock
/// poisoning, integer conversions and `parse`.
fn uninformative_source(ctx: &RuleContext<'_>, source: Node<'_>) -> bool {
    let mut node = unwrap_expression(source);
    loop {
        // `.await` on the result: look at the call awaited; `.map(Some)`
        // keeps the error of the call before it.
        let inner = match node.kind_str() {
            "await_expression" => node.named_child(0),
            "call_expression" => node
                .field("function")
                .filter(|f| f.kind_str() == "field_expression")
                .filter(|f| f.field("field").is_some_and(|m| ctx.text(m) == "map"))
                .and_then(|f| f.field("value")),
            _ => None,
        };
        match inner {
            Some(inner) => node = unwrap_expression(inner),
            None => break,
        }
    }
    if node.kind_str() != "call_expression" {
        return false;
    }
    let Some(function) = node.field("function") else {
        return false;
    };
    let no_args = node
        .field("arguments")
        .is_some_and(|a| a.named_child_count() == 0);
    let method = match function.kind_str() {
        "field_expression" => function.field("field"),
        "scoped_identifier" => function.field("name"),
        "generic_function" => function
            .field("function")
            .and_then(|f| f.field("field").or_else(|| f.field("name"))),
        _ => None,
    };
    let Some(method) = method.map(|m| ctx.text(m)) else {
        return false;
    };
    // A channel's `send(value)` takes the value; an HTTP client's `send()`
    // takes nothing and its error is worth keeping.
    let channel_send = !no_args
        && matches!(
            method,
            "send" | "try_send" | "send_timeout" | "blocking_send"
        );
    channel_send
        || matches!(
            method,
            "recv"
            | "try_recv"
            | "recv_timeout"
            | "blocking_recv"
            | "lock"
            | "try_lock"
            | "try_into"
            | "try_from"
            | "parse"
            | "set"
            // Text that is not UTF-8 (or has a NUL): the position adds nothing.
            | "from_utf8"
            | "into_string"
            | "to_str"
            | "from_str_radix"
            // `env::var("X")`: missing or not Unicode, which the message says.
            | "var"
        )
        || (method == "new" && function_path(ctx, function) == Some("CString"))
        || (no_args && matches!(method, "read" | "write" | "try_read" | "try_write"))
}

fn function_path<'s>(ctx: &RuleContext<'s>, function: Node<'_>) -> Option<&'s str> {
    (function.kind_str() == "scoped_identifier")
        .then(|| function.field("path"))
        .flatten()
        .map(|p| ctx.text(p))
}

fn report(ctx: &RuleContext<'_>, closure: Node<'_>, body: Node<'_>) -> Finding {
    let built = quote(ctx.text(body), 60);
    let in_symbol = symbol_suffix(ctx.symbol_for(closure).as_deref());
    ctx.node_finding(&META, closure)
        .title(format!("`map_err(|_| {built})` drops the original error"))
        .message(format!(
            "The closure ignores the error it is given (`|_|`) and replaces it with \
             `{built}`. The original error — the only record of what actually failed (a \
             timeout, a refused connection, a 403, a full disk) — is thrown away, so the log \
             says only that something failed.\n\nKeep the cause: `.context(\"…\")` / \
             `.with_context(|| …)` with anyhow or eyre, or name the error and include or wrap \
             it (`.map_err(|e| AppError::Download(e))`, `|e| anyhow!(\"…: {{e}}\")`)."
        ))
        .symptom(format!(
            "`map_err(|_| …)`{in_symbol} replaces the error with `{built}` and discards the \
             original."
        ))
        .root_cause(
            "The error is mapped with a closure that ignores its argument, so the cause never \
             reaches the log or the caller.",
        )
        .fix(
            "Bind the error in the closure and keep it as the source of the new error \
             (`.context(\"…\")`, `.with_context(|| format!(\"…\"))`, an error variant that \
             wraps it with `#[from]`/`#[source]`), keeping the message text.",
        )
        .scope(
            "Change only this `map_err` call; keep the message and the error type the function \
             returns.",
        )
        .build()
}
