//! `null-safety/ignored-error`: a Go call's error discarded with `_`, so the
//! value next to it is used even when it is the zero value of a failure.
//!
//! ## What it does
//! Finds `v, _ := f(…)` and `v, _ = f(…)` in Go production code where `f` is
//! a standard-library function whose second result is an `error` that
//! depends on the input: `strconv.Atoi`/`Parse*`, `os.Open`/`ReadFile`/
//! `Create`/`Stat`/`Getwd`, `io.ReadAll`, `ioutil.*`, `url.Parse`,
//! `time.Parse`/`ParseDuration`/`LoadLocation`, `http.NewRequest`,
//! `filepath.Abs`/`Rel`, `regexp.Compile`, `net.SplitHostPort`,
//! `hex.DecodeString`, `base64.*.DecodeString` and
//! `exec.Command(…).Output()`. The package is resolved through the file's
//! imports, aliases included. In a file that imports `database/sql`, sqlx or
//! pgx, it also reports `Begin`/`BeginTx`/`Prepare`/`Query`/`Conn` (and
//! their `Context`/sqlx forms) on a receiver named `db`, `tx`, `conn` or
//! `pool` (`tx, _ := s.db.BeginTx(ctx, nil)`): the handle is `nil` on error.
//! Any method of a value given `ctx` (or `r.Context()`,
//! `c.Request.Context()`) as its first argument is reported too
//! when the value is then dereferenced (`musher, _ := h.Store.Musher(ctx,
//! bib)` then `musher.Scratched`): by Go's
//! convention a method taking a `context.Context` does I/O and returns
//! `(T, error)` (comma-ok lookups take no context); not when the first
//! result is itself a context (`spanCtx, _ := tracer.Start(ctx, "op")`).
//!
//! It deliberately does not report other calls it cannot type (a project's
//! own functions may return a `bool` second), `json.Marshal` (fails only on
//! unsupported types, and ignoring it is a common, deliberate idiom),
//! values used only to describe another error (`msg, _ := io.ReadAll(resp.Body)`
//! then `fmt.Errorf("…: %s", msg)`: a best-effort detail),
//! `if v, _ := f(…); cond {` initialisers (the zero value is the chosen
//! default, tested on the spot), comma-ok forms (`v, ok := m[k]`, type assertions, channel receives),
//! `range` clauses, or test files.
//!
//! ## Why is this bad?
//! When the call fails, `v` is the zero value — `0`, `""`, `nil` — and the
//! program carries on with it: a page size of 0, an empty config, a nil file
//! that panics two functions later. The error that said what went wrong is
//! gone.
//!
//! ## Example
//! ```go
//! limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
//! ```
//!
//! Use instead:
//! ```go
//! limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
//! if err != nil {
//!     http.Error(w, fmt.Sprintf("invalid limit %q: %v", r.URL.Query().Get("limit"), err), http.StatusBadRequest)
//!     return
//! }
//! ```

use std::collections::HashMap;

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote, symbol_suffix};
use crate::syntax::NodeExt as _;
use crate::syntax::{go_imports, is_test_path};

pub static META: RuleMeta = RuleMeta {
    id: "null-safety/ignored-error",
    item: ChecklistItem::NullSafety,
    severity: Severity::Warning,
    languages: &[Language::Go],
    summary: "Go `v, _ := f()` discards the error of a standard-library call that can fail",
};

/// Import path → functions (or `Var.Method` chains) whose second result is
/// an input-dependent `error`.
const FALLIBLE: &[(&str, &[&str])] = &[
    (
        "strconv",
        &[
            "Atoi",
            "ParseInt",
            "ParseUint",
            "ParseFloat",
            "ParseBool",
            "Unquote",
        ],
    ),
    (
        "os",
        &[
            "Open",
            "OpenFile",
            "Create",
            "ReadFile",
            "ReadDir",
            "Stat",
            "Lstat",
            "Getwd",
            "Hostname",
            "UserHomeDir",
            "MkdirTemp",
            "CreateTemp",
        ],
    ),
    ("io", &["ReadAll"]),
    (
        "io/ioutil",
        &["ReadAll", "ReadFile", "ReadDir", "TempDir", "TempFile"],
    ),
    (
        "net/url",
        &[
            "Parse",
            "ParseRequestURI",
            "ParseQuery",
            "PathUnescape",
            "QueryUnescape",
        ],
    ),
    (
        "time",
        &["Parse", "ParseDuration", "ParseInLocation", "LoadLocation"],
    ),
    ("net/http", &["NewRequest", "NewRequestWithContext"]),
    ("path/filepath", &["Abs", "Rel", "EvalSymlinks"]),
    ("regexp", &["Compile"]),
    ("net", &["SplitHostPort", "ParseCIDR", "LookupHost"]),
    ("encoding/hex", &["DecodeString"]),
    (
        "encoding/base64",
        &[
            "StdEncoding.DecodeString",
            "URLEncoding.DecodeString",
            "RawStdEncoding.DecodeString",
            "RawURLEncoding.DecodeString",
        ],
    ),
];

pub struct IgnoredError;

impl Rule for IgnoredError {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(root) = ctx.root() else {
            return;
        };
        if is_test_path(ctx.path) {
            return;
        }
        let imports = go_imports(root, ctx.source);
        for node in ctx.nodes_in_order(&["short_var_declaration", "assignment_statement"]) {
            if !matches!(
                node.kind_str(),
                "short_var_declaration" | "assignment_statement"
            ) {
                continue;
            }
            let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
                continue;
            };
            // `if ok, _ := strconv.ParseBool(v); ok {`: the zero value is the
            // chosen default, used right where it is tested.
            if node.parent().is_some_and(|p| {
                p.kind_str() == "if_statement" && p.field("initializer") == Some(node)
            }) {
                continue;
            }
            if left.named_child_count() != 2
                || left.named_child(1).is_none_or(|b| ctx.text(b) != "_")
                || right.named_child_count() != 1
            {
                continue;
            }
            let Some(call) = right
                .named_child(0)
                .filter(|c| c.kind_str() == "call_expression")
            else {
                continue;
            };
            if only_describes_another_error(ctx, node, left) {
                continue;
            }
            let callee = fallible_callee(ctx, call, &imports)
                .or_else(|| context_method(ctx, call, left, &imports));
            if let Some(callee) = callee {
                out.push(report(ctx, node, left, &callee));
            }
        }
    }
}

/// `msg, _ := io.ReadAll(resp.Body)` on an error path, with `msg` used only
/// in the error being built (`fmt.Errorf("…: %s", status, msg)`): a detail
/// read on a best-effort basis, whose absence costs nothing.
fn only_describes_another_error(
    ctx: &RuleContext<'_>,
    assignment: Node<'_>,
    left: Node<'_>,
) -> bool {
    let Some(value) = left.named_child(0).filter(|v| v.kind_str() == "identifier") else {
        return false;
    };
    let name = ctx.text(value);
    let Some(block) = assignment.parent() else {
        return false;
    };
    let uses: Vec<Node<'_>> = crate::syntax::preorder(block)
        .filter(|n| {
            n.kind_str() == "identifier" && ctx.text(*n) == name && n.start_byte() > left.end_byte()
        })
        .collect();
    !uses.is_empty()
        && uses.iter().all(|u| {
            std::iter::successors(u.parent(), |p| p.parent())
                .take_while(|p| p.id() != block.id())
                .any(|p| {
                    p.kind_str() == "call_expression"
                        && p.field("function").is_some_and(|f| {
                            matches!(
                                ctx.text(f),
                                "fmt.Errorf" | "errors.New" | "fmt.Sprintf" | "http.Error"
                            ) || ctx.text(f).starts_with("log.")
                        })
                })
        })
}

/// `tx, _ := s.db.BeginTx(ctx, nil)`: a `database/sql` (or sqlx/pgx) method
/// that opens a transaction, statement or result set, on a receiver named
/// like a database handle in a file that imports the driver package. The
/// ignored error means a nil handle and a panic on first use.
fn sql_handle_call(
    ctx: &RuleContext<'_>,
    operand: Node<'_>,
    method: &str,
    imports: &HashMap<&str, &str>,
) -> Option<String> {
    const METHODS: &[&str] = &[
        "Begin",
        "BeginTx",
        "Beginx",
        "BeginTxx",
        "Prepare",
        "PrepareContext",
        "Preparex",
        "PreparexContext",
        "Query",
        "QueryContext",
        "Queryx",
        "QueryxContext",
        "Conn",
    ];
    (METHODS.contains(&method) && crate::syntax::go_sql_handle(ctx.source, imports, operand))
        .then(|| format!("{}.{method}", ctx.text(operand)))
}

/// `strconv.Atoi`, `base64.StdEncoding.DecodeString`,
/// `exec.Command(…).Output` — when the call is a known fallible one.
fn fallible_callee(
    ctx: &RuleContext<'_>,
    call: Node<'_>,
    imports: &HashMap<&str, &str>,
) -> Option<String> {
    let function = call.field("function")?;
    if function.kind_str() != "selector_expression" {
        return None;
    }
    let operand = function.field("operand")?;
    let field = ctx.text(function.field("field")?);
    // `exec.Command("git", "rev-parse", "HEAD").Output()`.
    if operand.kind_str() == "call_expression" && matches!(field, "Output" | "CombinedOutput") {
        let inner = operand.field("function")?;
        let (pkg, name) = ctx.text(inner).split_once('.')?;
        return (name == "Command" && imports.get(pkg) == Some(&"os/exec"))
            .then(|| format!("exec.Command(…).{field}"));
    }
    if let Some(callee) = sql_handle_call(ctx, operand, field, imports) {
        return Some(callee);
    }
    let text = ctx.text(function);
    let (pkg, member) = text.split_once('.')?;
    let path = imports.get(pkg)?;
    FALLIBLE
        .iter()
        .any(|(p, names)| p == path && names.contains(&member))
        .then(|| text.to_string())
}

/// `ctx`, or a request's context taken on the spot: `r.Context()`,
/// `c.Request.Context()` (gin), `c.UserContext()` (fiber).
fn is_context_argument(ctx: &RuleContext<'_>, first: Node<'_>) -> bool {
    match first.kind_str() {
        "identifier" => ctx.text(first) == "ctx",
        "call_expression" => {
            first
                .field("arguments")
                .is_some_and(|a| a.named_child_count() == 0)
                && first.field("function").is_some_and(|f| {
                    f.kind_str() == "selector_expression"
                        && f.field("field")
                            .is_some_and(|m| matches!(ctx.text(m), "Context" | "UserContext"))
                })
        }
        _ => false,
    }
}

/// `musher, _ := h.Store.Musher(ctx, bib)`: a method of a value (not a
/// package function) given `ctx` first. By Go's convention a method that
/// takes a `context.Context` does I/O and returns `(T, error)`; comma-ok
/// lookups do not take a context. Not when the first result is itself a
/// context (`ctx2, _ := tracer.Start(ctx, "op")` drops a span, not an error).
fn context_method(
    ctx: &RuleContext<'_>,
    call: Node<'_>,
    left: Node<'_>,
    imports: &HashMap<&str, &str>,
) -> Option<String> {
    let function = call.field("function")?;
    if function.kind_str() != "selector_expression" {
        return None;
    }
    let operand = function.field("operand")?;
    let root = ctx
        .text(operand)
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()?;
    if imports.contains_key(root) {
        return None;
    }
    let first = call.field("arguments")?.named_child(0)?;
    if !is_context_argument(ctx, first) {
        return None;
    }
    let value = left
        .named_child(0)
        .filter(|v| v.kind_str() == "identifier")
        .map(|v| ctx.text(v))?;
    if value == "_" || value.to_ascii_lowercase().ends_with("ctx") {
        return None;
    }
    // Only when the value is then dereferenced (`musher.Scratched`): the
    // zero value read as if it were the record.
    let function_node = ctx.enclosing_function(Language::Go, call)?;
    let after = call.end_byte();
    let dereferenced = crate::syntax::preorder(function_node).any(|n| {
        n.start_byte() >= after
            && n.kind_str() == "selector_expression"
            && n.field("operand")
                .is_some_and(|o| o.kind_str() == "identifier" && ctx.text(o) == value)
    });
    dereferenced.then(|| format!("{}(ctx, …)", quote(ctx.text(function), 50)))
}

fn report(ctx: &RuleContext<'_>, node: Node<'_>, left: Node<'_>, callee: &str) -> Finding {
    let value = left.named_child(0).map_or("v", |v| ctx.text(v));
    let code = quote(ctx.text(node), 80);
    let in_symbol = symbol_suffix(ctx.symbol_for(node).as_deref());
    ctx.node_finding(&META, node)
        .title(format!(
            "Error from `{callee}` discarded; `{value}` may be a zero value"
        ))
        .message(format!(
            "`{code}` throws away the error of `{callee}`. When the call fails, `{value}` is the \
             zero value (`0`, `\"\"` or `nil`) and the code carries on with it as if it were \
             real data — a silent wrong result or a nil dereference later, with the error that \
             explained it gone.\n\nCheck the error: return it wrapped with context \
             (`fmt.Errorf(\"…: %w\", err)`) or handle it where it happens."
        ))
        .symptom(format!(
            "`{code}`{in_symbol} ignores the error of `{callee}` and uses `{value}` regardless."
        ))
        .root_cause(
            "The failure case of the call was not considered; `_` was used to satisfy the \
             compiler's unused-variable check.",
        )
        .fix(format!(
            "Bind the error (`{value}, err := …`), check `if err != nil`, and return it wrapped \
             with what was being done (e.g. `fmt.Errorf(\"parse limit %q: %w\", raw, err)`) or \
             handle it (a 400 response for bad input, a documented default)."
        ))
        .scope(
            "Change only this statement and the error check after it. Do not change the \
             function's signature unless returning the error requires it, and keep the \
             behaviour on success unchanged.",
        )
        .build()
}
