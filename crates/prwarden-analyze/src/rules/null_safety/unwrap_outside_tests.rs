//! `null-safety/unwrap-outside-tests`: Rust `.unwrap()` in production code
//! turns a missing value or an error into a panic.
//!
//! ## What it does
//! Finds `.unwrap()` calls in Rust code that is not test code.
//!
//! It deliberately does not report:
//! - tests (`tests/`, `#[cfg(test)]` modules, `#[test]` functions),
//!   examples, benches, build scripts and `fn main`;
//! - `.expect("…")`: the message documents the invariant the author relies
//!   on, which is the accepted way to state "this cannot fail" — except on
//!   the `Option` of a fallible lookup, `find_by_code(c, &code)?.expect("…")`
//!   (a `Result<Option<_>>`, whose `None` is an ordinary answer), which is
//!   reported;
//! - `lock()`, `read()`, `write()`, `join()` and a condition variable's
//!   `wait(…)`/`wait_timeout(…)` followed by `.unwrap()`: a poisoned lock or
//!   a panicked thread re-raises a panic that already happened (the
//!   standard idiom);
//! - `write!(…)`/`writeln!(…).unwrap()`: formatting into a `String` cannot
//!   fail, and the macro does not tell a `String` from a socket;
//! - procedural macros (files using `proc_macro` or `syn`), where a panic is
//!   how misuse is reported at compile time;
//! - values known at compile time: `"127.0.0.1".parse::<IpAddr>().unwrap()`,
//!   `Regex::new(r"…").unwrap()`, `NonZeroU32::new(8).unwrap()` — calls whose
//!   arguments are all literals;
//! - code inside `const` and `static` items.
//!
//! ## Why is this bad?
//! `unwrap()` panics on `None` or `Err`, and the panic message
//! (`called Option::unwrap() on a None value`) says nothing about which value
//! was missing or why. In a server one bad request takes down the worker
//! task, in a library the caller loses the chance to handle the error.
//! Agents use `unwrap()` to get past the type checker.
//!
//! ## Example
//! ```rs
//! pub fn load(path: &Path) -> Result<Config, ConfigError> {
//!     let text = fs::read_to_string(path).unwrap();
//!     Ok(toml::from_str(&text).unwrap())
//! }
//! ```
//!
//! Use instead:
//! ```rs
//! pub fn load(path: &Path) -> Result<Config, ConfigError> {
//!     let text = fs::read_to_string(path).map_err(|e| ConfigError::Read(path.into(), e))?;
//!     toml::from_str(&text).map_err(|e| ConfigError::Parse(path.into(), e))
//! }
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote, symbol_suffix};
use crate::syntax::NodeExt as _;
use crate::syntax::{in_rust_test, is_test_path, method_call, statements};

pub static META: RuleMeta = RuleMeta {
    id: "null-safety/unwrap-outside-tests",
    item: ChecklistItem::NullSafety,
    severity: Severity::Warning,
    languages: &[Language::Rust],
    summary: "Rust `.unwrap()` in production code: a panic instead of handling `None`/`Err`",
};

pub struct UnwrapOutsideTests;

impl Rule for UnwrapOutsideTests {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(_) = ctx.root() else {
            return;
        };
        if is_test_path(ctx.path) || is_non_production_path(ctx.path) || is_proc_macro(ctx.source) {
            return;
        }
        for node in ctx.nodes_in_order(&["call_expression"]) {
            if let Some(receiver) = expect_on_fallible_lookup(ctx, node) {
                if !in_main_or_const(ctx, node) && !in_rust_test(node, ctx.source) {
                    out.push(report_expect(ctx, node, receiver));
                }
                continue;
            }
            let Some(receiver) = unwrap_receiver(ctx, node) else {
                continue;
            };
            if idiomatic_receiver(ctx, receiver)
                || in_main_or_const(ctx, node)
                || in_rust_test(node, ctx.source)
            {
                continue;
            }
            out.push(report(ctx, node, receiver));
        }
    }
}

/// `examples/`, `benches/`, `build.rs`: code that is allowed to panic.
fn is_non_production_path(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    file == "build.rs"
        || path
            .split('/')
            .any(|d| matches!(d, "examples" | "benches" | "xtask"))
}

/// A panic in a procedural macro is a compile error at the macro's call
/// site, which is how such macros report misuse.
fn is_proc_macro(source: &str) -> bool {
    source.contains("extern crate proc_macro")
        || source.contains("use proc_macro")
        || source.contains("use syn::")
        || source.contains("use syn;")
}

/// The receiver of `receiver.unwrap()`.
fn unwrap_receiver<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Node<'t>> {
    if node.kind_str() != "call_expression" || node.field("arguments")?.named_child_count() != 0 {
        return None;
    }
    let (receiver, method) = method_call(node)?;
    (ctx.text(method) == "unwrap").then_some(receiver)
}

/// `find_by_code(c, id, &code)?.expect("plot exists")`: the `Option` of a
/// fallible lookup (`Result<Option<T>, E>`, unwrapped with `?`) — a row that
/// may legitimately be missing, so the message states no invariant.
fn expect_on_fallible_lookup<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Node<'t>> {
    if node.field("arguments")?.named_child_count() != 1 {
        return None;
    }
    let (receiver, method) = method_call(node)?;
    if ctx.text(method) != "expect" || receiver.kind_str() != "try_expression" {
        return None;
    }
    let inner = receiver.named_child(0)?;
    if inner.kind_str() != "call_expression" {
        return None;
    }
    // Only calls named as lookups: `try_wait()?.expect("exited")` after the
    // exit was signalled states an invariant.
    let function = inner.field("function")?;
    let name = match function.kind_str() {
        "identifier" => function,
        "field_expression" => function.field("field")?,
        "scoped_identifier" => function.field("name")?,
        _ => return None,
    };
    let name = ctx.text(name);
    ["find", "get", "lookup", "fetch", "load", "select", "query"]
        .iter()
        .any(|verb| name == *verb || name.strip_prefix(verb).is_some_and(|r| r.starts_with('_')))
        .then_some(receiver)
}

fn report_expect(ctx: &RuleContext<'_>, node: Node<'_>, receiver: Node<'_>) -> Finding {
    let value = quote(ctx.text(receiver), 60);
    let in_symbol = symbol_suffix(ctx.symbol_for(node).as_deref());
    ctx.node_finding(&META, node)
        .title(format!("`{value}.expect(…)` panics when the lookup finds nothing"))
        .message(format!(
            "`{value}` is a fallible lookup returning `Result<Option<_>>`: `None` is one of              its ordinary answers (an unknown id, a row deleted meanwhile), not a broken              invariant. `.expect(…)` turns that answer into a panic of the request's task              instead of a 404 or a domain error.\n\nHandle `None`:              `.ok_or_else(|| AppError::NotFound(format!(\"… {{id}} not found\")))?`."
        ))
        .symptom(format!(
            "`{value}.expect(…)`{in_symbol} panics when the looked-up value does not exist."
        ))
        .root_cause("The missing case of a lookup was treated as impossible.")
        .fix(
            "Convert `None` into an error the caller can answer with (`ok_or_else(…)?`), or \
             handle it here.",
        )
        .scope("Change only this expression and, if needed, the error type it returns.")
        .build()
}

fn idiomatic_receiver(ctx: &RuleContext<'_>, receiver: Node<'_>) -> bool {
    // `write!(s, …).unwrap()`: formatting into a `String` cannot fail, and
    // the macro does not say whether the target is a `String` or a socket.
    if receiver.kind_str() == "macro_invocation" {
        return receiver
            .field("macro")
            .is_some_and(|m| matches!(ctx.text(m), "write" | "writeln"));
    }
    if receiver.kind_str() != "call_expression" {
        return false;
    }
    let Some(function) = receiver.field("function") else {
        return false;
    };
    let args = receiver.field("arguments");
    let arg_count = args.map_or(0, |a| a.named_child_count());
    // `m.lock().unwrap()`, `rw.read().unwrap()`, `handle.join().unwrap()`.
    let method = match function.kind_str() {
        "field_expression" => function.field("field"),
        "generic_function" => function.field("function").and_then(|f| f.field("field")),
        _ => None,
    };
    if arg_count == 0
        && method.is_some_and(|m| matches!(ctx.text(m), "lock" | "read" | "write" | "join"))
    {
        return true;
    }
    // `cvar.wait(guard).unwrap()`: poisoning again, with the guard passed in.
    if method.is_some_and(|m| matches!(ctx.text(m), "wait" | "wait_timeout" | "wait_while")) {
        return true;
    }
    // `"127.0.0.1".parse::<IpAddr>().unwrap()`.
    if method.is_some_and(|m| ctx.text(m) == "parse") && arg_count == 0 {
        let value = match function.kind_str() {
            "generic_function" => function.field("function").and_then(|f| f.field("value")),
            _ => function.field("value"),
        };
        return value.is_some_and(is_literal);
    }
    // `Regex::new(r"…")`, `NonZeroU32::new(8)`: a path call on literals only.
    let path_call = matches!(function.kind_str(), "scoped_identifier" | "identifier")
        || (function.kind_str() == "generic_function"
            && function
                .field("function")
                .is_some_and(|f| matches!(f.kind_str(), "scoped_identifier" | "identifier")));
    if path_call && arg_count > 0 {
        let Some(args) = args else {
            return false;
        };
        return statements(args).all(is_literal);
    }
    false
}

fn is_literal(node: Node<'_>) -> bool {
    matches!(
        node.kind_str(),
        "string_literal"
            | "raw_string_literal"
            | "integer_literal"
            | "float_literal"
            | "char_literal"
            | "boolean_literal"
    ) || (node.kind_str() == "reference_expression" && node.field("value").is_some_and(is_literal))
}

/// Inside `fn main`, a `const`/`static` item: panicking there is reporting.
fn in_main_or_const(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        match n.kind_str() {
            "const_item" | "static_item" => return true,
            "function_item" => {
                return n.field("name").is_some_and(|name| ctx.text(name) == "main")
                    && n.parent().is_some_and(|p| p.kind_str() == "source_file");
            }
            _ => {}
        }
        current = n.parent();
    }
    false
}

fn report(ctx: &RuleContext<'_>, node: Node<'_>, receiver: Node<'_>) -> Finding {
    let value = quote(ctx.text(receiver), 60);
    let in_symbol = symbol_suffix(ctx.symbol_for(node).as_deref());
    ctx.node_finding(&META, node)
        .title(format!(
            "`{value}.unwrap()` panics when the value is missing"
        ))
        .message(format!(
            "`.unwrap()` on `{value}` panics on `None`/`Err` with a message that names neither \
             the value nor the cause. In a server that is a crashed task or worker per bad \
             input; in a library the caller loses the chance to handle the failure.\n\n\
             Propagate the error with `?` (adding context with `map_err`, `ok_or_else` or \
             `.context(…)`), handle the missing case, or — when it truly cannot fail — use \
             `.expect(\"why this cannot fail\")`."
        ))
        .symptom(format!(
            "`{value}.unwrap()`{in_symbol} panics instead of handling a missing value or an \
             error."
        ))
        .root_cause(
            "The failure case of this `Option`/`Result` was not handled; `unwrap()` was used to \
             get past the type checker.",
        )
        .fix(
            "Return the error to the caller with `?` (convert it with `map_err`/`ok_or_else` or \
             `anyhow::Context` so it says what failed), or handle `None`/`Err` here. If the \
             value provably cannot be missing, replace `unwrap()` with `expect(\"…\")` stating \
             the invariant.",
        )
        .scope(
            "Change only this expression and, if `?` needs it, the error type of the enclosing \
             function and its direct callers. Do not change behaviour on the success path and \
             do not add `unwrap_or_default()` where a missing value is a real error.",
        )
        .build()
}
