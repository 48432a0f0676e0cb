//! `error-messages/bare-error-log`: an error logged on its own, with no word
//! about what failed.
//!
//! ## What it does
//! Finds a log or print call whose only argument is the error just caught:
//! - JavaScript/TypeScript: `console.log(err)`/`error`/`warn`/`info` where
//!   `err` is the parameter of the enclosing `catch (err)` or
//!   `.catch((err) => …)` callback, or the first parameter of an `onError`
//!   callback in an object (`useMutation({ onError: (err) =>
//!   console.log(err) })`, SWR and Apollo options);
//! - Python: `print(e)`, `logging.error(e)`, `logger.warning(str(e))`, … where
//!   `e` is the alias of the enclosing `except … as e:`;
//! - Go: `log.Print(err)`, `log.Println(err)`, `log.Printf("%v", err)`,
//!   `log.Fatal(err)`, `fmt.Println(err)` with an argument named like an
//!   error;
//! - Java: `e.printStackTrace()` and `System.out/err.println(e)` on the
//!   caught exception;
//! - Rust: `println!`/`eprintln!`/`error!`/`warn!` whose format is only a
//!   placeholder for an error (`"{}", e`, `"{e:?}"`).
//!
//! It deliberately does not report a log call with any other argument or
//! text (that is context), `logger.exception(e)` (it records the traceback),
//! test files, and Go and Rust `main` functions, where printing the error
//! and exiting is how a command-line tool reports failure.
//!
//! ## Why is this bad?
//! The log line reads `ECONNRESET` or `invalid literal for int() with base
//! 10: ''` — with no operation, no id, no hint of which of the hundred call
//! sites produced it. In production logs such lines are unsearchable and
//! cannot be correlated with a request; `printStackTrace()` also bypasses
//! the logging framework (no level, no timestamp, no shipping).
//!
//! ## Example
//! ```js
//! try {
//!   await billing.charge(order);
//! } catch (err) {
//!   console.error(err);
//!   res.status(502).end();
//! }
//! ```
//!
//! Use instead:
//! ```js
//! try {
//!   await billing.charge(order);
//! } catch (err) {
//!   logger.error({ err, orderId: order.id }, "charging order failed");
//!   res.status(502).end();
//! }
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote, symbol_suffix};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_error_name, is_function, is_test_path, member_call, statements};

pub static META: RuleMeta = RuleMeta {
    id: "error-messages/bare-error-log",
    item: ChecklistItem::ErrorMessages,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Go,
        Language::Rust,
        Language::Java,
    ],
    summary: "An error logged or printed on its own, without saying what failed",
};

pub struct BareErrorLog;

impl Rule for BareErrorLog {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let (Some(_), Some(language)) = (ctx.root(), ctx.language) else {
            return;
        };
        if is_test_path(ctx.path) {
            return;
        }
        let kinds: &[&str] = match language {
            Language::Python => &["call"],
            Language::Rust => &["macro_invocation"],
            Language::Java => &["method_invocation"],
            Language::Sql => &[],
            _ => &["call_expression"],
        };
        for node in ctx.nodes_in_order(kinds) {
            let found = match language {
                Language::Python => python_log(ctx, node),
                Language::Go => go_log(ctx, node),
                Language::Rust => rust_log(ctx, node),
                Language::Java => java_log(ctx, node),
                Language::Sql => None,
                _ => js_log(ctx, node),
            };
            if let Some(error) = found {
                out.push(report(ctx, language, node, error));
            }
        }
    }
}

/// The only argument of a call, if there is exactly one.
fn only_arg(args: Node<'_>) -> Option<Node<'_>> {
    let mut named = statements(args);
    let only = named.next()?;
    named.next().is_none().then_some(only)
}

/// `console.error(err)` inside `catch (err)` / `.catch((err) => …)`.
fn js_log<'s>(ctx: &RuleContext<'s>, call: Node<'_>) -> Option<&'s str> {
    if call.kind_str() != "call_expression" {
        return None;
    }
    let (receiver, method) = member_call(call)?;
    if ctx.text(receiver) != "console"
        || !matches!(ctx.text(method), "log" | "error" | "warn" | "info")
    {
        return None;
    }
    let arg = only_arg(call.field("arguments")?)?;
    if arg.kind_str() != "identifier" {
        return None;
    }
    let name = ctx.text(arg);
    (js_caught_name(ctx, call)? == name).then_some(name)
}

/// The name the nearest handler binds the error to: a `catch (e)` clause in
/// the same function, or the single parameter of a `.catch(…)` callback.
fn js_caught_name<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<&'s str> {
    let mut current = node.parent();
    while let Some(n) = current {
        if n.kind_str() == "catch_clause" {
            return n.field("parameter").map(|p| ctx.text(p));
        }
        if is_function(Language::JavaScript, n) {
            // `onError: (err) => …` / `onError(err) { … }`: the error
            // callback of a data-fetching hook or client (React Query, SWR,
            // Apollo), whose first parameter is the error.
            let on_error = match n.kind_str() {
                "method_definition" => n.field("name").is_some_and(|k| ctx.text(k) == "onError"),
                _ => n.parent().is_some_and(|p| {
                    p.kind_str() == "pair"
                        && p.field("value") == Some(n)
                        && p.field("key")
                            .is_some_and(|k| ctx.text(k).trim_matches(['"', '\'']) == "onError")
                }),
            };
            if on_error {
                let param = n
                    .field("parameter")
                    .or_else(|| n.field("parameters").and_then(|p| statements(p).next()))?;
                let param = param.field("pattern").unwrap_or(param);
                return (param.kind_str() == "identifier").then(|| ctx.text(param));
            }
            let args = n.parent()?;
            let call = args.parent()?;
            let (_, method) = member_call(call)?;
            if ctx.text(method) != "catch" {
                return None;
            }
            let param = n
                .field("parameter")
                .or_else(|| n.field("parameters").and_then(only_arg))?;
            let param = param.field("pattern").unwrap_or(param);
            return (param.kind_str() == "identifier").then(|| ctx.text(param));
        }
        current = n.parent();
    }
    None
}

/// `print(e)`, `logger.error(e)`, `logging.warning(str(e))` in
/// `except … as e:`.
fn python_log<'s>(ctx: &RuleContext<'s>, call: Node<'_>) -> Option<&'s str> {
    if call.kind_str() != "call" {
        return None;
    }
    let function = call.field("function")?;
    let is_log = match function.kind_str() {
        "identifier" => ctx.text(function) == "print",
        "attribute" => {
            let object = ctx.text(function.field("object")?);
            let method = ctx.text(function.field("attribute")?);
            matches!(
                method,
                "error" | "warning" | "warn" | "info" | "debug" | "critical"
            ) && (object == "logging" || object.ends_with("logger") || object.ends_with("log"))
        }
        _ => false,
    };
    if !is_log {
        return None;
    }
    let mut arg = only_arg(call.field("arguments")?)?;
    // `str(e)` / `repr(e)` say no more than `e`.
    if arg.kind_str() == "call"
        && arg
            .field("function")
            .is_some_and(|f| matches!(ctx.text(f), "str" | "repr"))
    {
        arg = only_arg(arg.field("arguments")?)?;
    }
    if arg.kind_str() != "identifier" {
        return None;
    }
    let name = ctx.text(arg);
    (python_caught_name(ctx, call)? == name).then_some(name)
}

fn python_caught_name<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<&'s str> {
    let mut current = node.parent();
    while let Some(n) = current {
        if n.kind_str() == "except_clause" {
            let value = n.field("value")?;
            let alias = value.field("alias")?;
            let alias = alias.named_child(0).unwrap_or(alias);
            return Some(ctx.text(alias));
        }
        if is_function(Language::Python, n) {
            return None;
        }
        current = n.parent();
    }
    None
}

/// `log.Println(err)`, `log.Printf("%v", err)`, `fmt.Println(err)` outside
/// `main`.
fn go_log<'s>(ctx: &RuleContext<'s>, call: Node<'_>) -> Option<&'s str> {
    if call.kind_str() != "call_expression" {
        return None;
    }
    let function = ctx.text(call.field("function")?);
    let args = call.field("arguments")?;
    let arg = match function {
        "log.Print" | "log.Println" | "log.Fatal" | "log.Fatalln" | "fmt.Println" => {
            only_arg(args)?
        }
        "log.Printf" | "log.Fatalf" => {
            let mut cursor = args.walk();
            let named: Vec<Node<'_>> = args.named_children(&mut cursor).collect();
            let [format, arg] = named.as_slice() else {
                return None;
            };
            let format = ctx.text(*format).trim_matches(['"', '`']);
            let format = format.strip_suffix("\\n").unwrap_or(format);
            if !matches!(format, "%v" | "%s" | "%+v") {
                return None;
            }
            *arg
        }
        _ => return None,
    };
    let name = ctx.text(arg);
    if arg.kind_str() != "identifier" || !is_error_name(name) || in_main(ctx, Language::Go, call) {
        return None;
    }
    Some(name)
}

/// Inside `func main()` / `fn main()`.
fn in_main(ctx: &RuleContext<'_>, language: Language, node: Node<'_>) -> bool {
    let mut current = ctx.enclosing_function(language, node);
    while let Some(f) = current {
        if f.field("name").is_some_and(|n| ctx.text(n) == "main") {
            return true;
        }
        current = ctx.enclosing_function(language, f);
    }
    false
}

/// `eprintln!("{}", e)`, `println!("{e}")`, `error!("{:?}", err)`.
fn rust_log<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<&'s str> {
    if node.kind_str() != "macro_invocation" {
        return None;
    }
    let name = ctx.text(node.field("macro")?).rsplit("::").next()?;
    if !matches!(
        name,
        "println" | "eprintln" | "print" | "eprint" | "error" | "warn" | "info"
    ) {
        return None;
    }
    let mut cursor = node.walk();
    let tokens = node
        .named_children(&mut cursor)
        .find(|n| n.kind_str() == "token_tree")?;
    let mut cursor = tokens.walk();
    let args: Vec<Node<'_>> = tokens.named_children(&mut cursor).collect();
    let format = args.first()?;
    if format.kind_str() != "string_literal" {
        return None;
    }
    let format = ctx.text(*format).trim_matches('"');
    let error = match args.as_slice() {
        [_, arg] if arg.kind_str() == "identifier" => {
            if !matches!(format, "{}" | "{:?}" | "{:#}" | "{:#?}") {
                return None;
            }
            ctx.text(*arg)
        }
        [_] => {
            let inner = format.strip_prefix('{')?.strip_suffix('}')?;
            let name = inner.split(':').next()?;
            if !matches!(
                inner.split_once(':').map(|(_, s)| s),
                None | Some("?" | "#" | "#?")
            ) {
                return None;
            }
            name
        }
        _ => return None,
    };
    if !is_error_name(error) || in_main(ctx, Language::Rust, node) {
        return None;
    }
    Some(error)
}

/// `e.printStackTrace()` / `System.err.println(e)` on a caught exception.
fn java_log<'s>(ctx: &RuleContext<'s>, call: Node<'_>) -> Option<&'s str> {
    if call.kind_str() != "method_invocation" {
        return None;
    }
    let object = call.field("object")?;
    let method = ctx.text(call.field("name")?);
    let args = call.field("arguments")?;
    let error = match (ctx.text(object), method) {
        (_, "printStackTrace") if args.named_child_count() == 0 => object,
        ("System.out" | "System.err", "println") => only_arg(args)?,
        _ => return None,
    };
    if error.kind_str() != "identifier" {
        return None;
    }
    let name = ctx.text(error);
    (java_caught_name(ctx, call)? == name).then_some(name)
}

fn java_caught_name<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<&'s str> {
    let mut current = node.parent();
    while let Some(n) = current {
        if n.kind_str() == "catch_clause" {
            let mut cursor = n.walk();
            let param = n
                .named_children(&mut cursor)
                .find(|c| c.kind_str() == "catch_formal_parameter")?;
            return param.field("name").map(|p| ctx.text(p));
        }
        if is_function(Language::Java, n) {
            return None;
        }
        current = n.parent();
    }
    None
}

fn report(ctx: &RuleContext<'_>, language: Language, call: Node<'_>, error: &str) -> Finding {
    let code = quote(ctx.text(call), 70);
    let example = match language {
        Language::Python => {
            format!("logger.error(\"importing invoices from %s failed: %s\", path, {error})")
        }
        Language::Go => format!("log.Printf(\"sync account %s: %v\", accountID, {error})"),
        Language::Rust => {
            format!("tracing::error!(error = %{error}, account = %id, \"sync failed\")")
        }
        Language::Java => format!("log.error(\"sync of account {{}} failed\", accountId, {error})"),
        _ => format!("logger.error({{ err: {error}, orderId }}, \"charging order failed\")"),
    };
    let in_symbol = symbol_suffix(ctx.symbol_for(call).as_deref());
    let stack_trace = if language == Language::Java {
        " `printStackTrace()` and `System.err` also bypass the logging framework: no level, no \
         timestamp, nothing shipped to the log store."
    } else {
        ""
    };
    ctx.node_finding(&META, call)
        .title(format!(
            "`{code}` logs the error without saying what failed"
        ))
        .message(format!(
            "`{code}` records only the error's own text (`ECONNRESET`, `invalid literal for \
             int()`), not which operation failed or for which input. In production logs the \
             line cannot be traced back to a request or a record.{stack_trace}\n\n\
             Log a message naming the operation and the identifying values, with the error \
             attached, e.g. `{example}`."
        ))
        .symptom(format!(
            "`{code}`{in_symbol} logs `{error}` with no context about the failed operation."
        ))
        .root_cause(
            "The error was logged to make it visible, without deciding what a reader of the log \
             needs to act on it.",
        )
        .fix(format!(
            "Use the project's logger with a message that names the operation and the values \
             that identify it (ids, names — never secrets), and pass `{error}` as the error \
             field so its stack/cause is kept."
        ))
        .scope(
            "Change only this log call. Do not change how the error is handled (rethrown, \
             returned or swallowed) and do not add new logging elsewhere.",
        )
        .build()
}
