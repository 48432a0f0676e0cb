//! `error-handling/discarded-error`: the error of a write, commit, decode or
//! awaited call is thrown away (`let _ = fs::write(…)`, `_ = tx.Commit()`,
//! `let _ = client.notify(id).await`).
//!
//! ## What it does
//! Finds calls whose only failure signal is the error they return, when that
//! error is explicitly discarded and the failure means lost or wrong data:
//! - Rust: `let _ = …;` on `fs::write`/`rename`/`copy`/`create_dir(_all)`/
//!   `set_permissions`/`hard_link` (also `std::fs`, `tokio::fs`, awaited or
//!   not), and on `.write_all(…)`, `.sync_all()`, `.sync_data()`,
//!   `.persist(…)` and a transaction's `.commit()`; and `let _ = ….await;`
//!   on any other awaited call (`let _ = audit.record_logout(id).await;`,
//!   `let _ = request.send().await;`): in async Rust an awaited call almost
//!   always returns a `Result`, and this is its only failure signal; the
//!   same calls discarded with a `….ok();` statement
//!   (`sqlx::query(…).execute(&pool).await.ok();`); and a response body
//!   decoded with `resp.json().await.unwrap_or_default()` (or `unwrap_or(…)`),
//!   where a body that does not decode becomes an empty value; and
//!   `if let Ok(v) = ….await { … }` with no `else` on such an awaited call
//!   (`if let Ok(wind) = fetch_wind(url).await { if wind.gust > max { … } }`:
//!   when the call fails, the check is skipped without a trace); and a
//!   write (`delete…`, `insert…`, `update…`, `save…`, … by name) whose
//!   `Err(_)` arm of a `match` stands in a literal (`Err(_) => 0`, `false`,
//!   `None`): a failed delete reads as "nothing deleted";
//! - Go: `_ = f(…)` or a bare call statement on `json.Unmarshal`,
//!   `os.WriteFile`/`Rename`/`Mkdir`/`MkdirAll`/`Chmod`,
//!   `ioutil.WriteFile`, `tx.Commit()` (a receiver named like a
//!   transaction), `rows.Scan(&a, &b)` (every argument a pointer, the
//!   `database/sql` shape), and `_, _ = db.ExecContext(ctx, "UPDATE …")` or
//!   a bare `db.Exec(…)` statement with a literal `INSERT`/`UPDATE`/`DELETE`
//!   on a `db`/`tx`/`conn`/`pool` handle in a file that imports
//!   `database/sql`, sqlx or pgx; and `_ = c.store.SaveBatch(ctx, batch)`:
//!   a single blank for the only result (so the error) of a method whose
//!   name starts with a write verb (`Save`, `Insert`, `Update`, `Upsert`,
//!   `Delete`, `Write`, `Send`, `Publish`, `Commit`, `Store`, `Put`, `Exec`,
//!   `Persist`, `Enqueue`, `Create`) on a value rather than a package.
//!
//! It deliberately does not report cleanup whose failure is harmless and
//! commonly ignored on purpose (`remove_file`, `Close()`, `Rollback()`,
//! `flush()` of a terminal; awaited `shutdown()`, `close()`, `kill()`,
//! `remove_file`, …), channel and sink sends (`let _ = tx.send(…)` is the
//! idiom for a receiver that may be gone: `send`/`send_timeout`/`reserve` on
//! a receiver named `tx`, `*_tx`, `*sender*` or `*sink`, and any
//! `.send(item)` with one argument), awaited waits and signals whose result
//! is not an error worth handling (`rx.recv()`, `rx.changed()`,
//! `interval.tick()`, `stream.next()`, `mutex.lock()`, `sleep(…)`,
//! `timeout(…)`, `ctrl_c()`), `json.NewEncoder(w).Encode(…)`
//! on a response already being written, calls inside `impl Drop` (a
//! destructor cannot return an error), test files, and Rust statements
//! without `let _ =` or `.ok();` (the compiler already warns about an unused `Result`).
//!
//! ## Why is this bad?
//! The write did not happen, the transaction did not commit, the payload
//! did not decode — and the code carries on as if it had, reporting success
//! to the caller. These are the failures that cost data, and the discarded
//! error was the only record of them.
//!
//! ## Example
//! ```go
//! var req CreateOrder
//! _ = json.Unmarshal(body, &req)
//! ```
//!
//! Use instead:
//! ```go
//! var req CreateOrder
//! if err := json.Unmarshal(body, &req); err != nil {
//!     return fmt.Errorf("decode create-order request: %w", err)
//! }
//! ```

use std::collections::HashMap;

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote, symbol_suffix};
use crate::syntax::NodeExt as _;
use crate::syntax::{go_imports, in_rust_test, is_test_path, method_call};

pub static META: RuleMeta = RuleMeta {
    id: "error-handling/discarded-error",
    item: ChecklistItem::ErrorHandling,
    severity: Severity::Warning,
    languages: &[Language::Go, Language::Rust],
    summary: "The error of a write, commit, decode or awaited call discarded \
              (`let _ = fs::write(…)`, `let _ = client.send().await`, `_ = json.Unmarshal(…)`)",
};

const RUST_FS: &[&str] = &[
    "write",
    "rename",
    "copy",
    "create_dir",
    "create_dir_all",
    "set_permissions",
    "hard_link",
];
const RUST_METHODS: &[&str] = &["write_all", "sync_all", "sync_data", "persist"];

/// Import path → functions whose only result is an `error`.
const GO_FUNCS: &[(&str, &[&str])] = &[
    ("encoding/json", &["Unmarshal"]),
    (
        "os",
        &["WriteFile", "Rename", "Mkdir", "MkdirAll", "Chmod", "Chown"],
    ),
    ("io/ioutil", &["WriteFile"]),
];

pub struct DiscardedError;

/// What is lost when the discarded call fails.
#[derive(Clone, Copy)]
enum Loss {
    Write,
    Commit,
    Decode,
    Scan,
    Statement,
    Awaited,
    Skipped,
}

impl Loss {
    fn consequence(self) -> &'static str {
        match self {
            Loss::Write => {
                "the data is not on disk (disk full, permission denied, a missing directory) \
                 and the code carries on and reports success"
            }
            Loss::Commit => {
                "the transaction is rolled back (a constraint or serialization failure at \
                 commit) and every change in it is silently lost while the caller is told it \
                 succeeded"
            }
            Loss::Decode => {
                "the payload is not decoded and the target keeps its zero values, which the \
                 code then processes as if the input had been valid"
            }
            Loss::Statement => {
                "the change is not made (a constraint violation, a lost connection, a lock \
                 timeout) and the code carries on as if the rows had been written"
            }
            Loss::Awaited => {
                "the operation did not happen (a lost connection, a timeout, a rejected \
                 request) and nothing records it: no log line, no metric, no retry, and the \
                 code carries on as if it had succeeded"
            }
            Loss::Skipped => {
                "the block that needed its result is skipped without a trace: whatever it \
                 was to check or do silently does not happen, and no log line, metric or \
                 error says so"
            }
            Loss::Scan => {
                "the row is not read (no rows, a type mismatch) and the variables keep their \
                 zero values, which the code then uses as real data"
            }
        }
    }
}

impl Rule for DiscardedError {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let (Some(root), Some(language)) = (ctx.root(), ctx.language) else {
            return;
        };
        if is_test_path(ctx.path) {
            return;
        }
        let imports = if language == Language::Go {
            go_imports(root, ctx.source)
        } else {
            HashMap::new()
        };
        let kinds: &[&str] = match language {
            Language::Go => &["assignment_statement", "expression_statement"],
            Language::Rust => &[
                "let_declaration",
                "expression_statement",
                "call_expression",
                "if_expression",
                "match_expression",
            ],
            _ => &[],
        };
        for node in ctx.nodes_in_order(kinds) {
            let found = match language {
                Language::Go => go_discarded(ctx, node, &imports),
                Language::Rust if node.kind_str() == "match_expression" => {
                    write_error_defaulted(ctx, node)
                }
                Language::Rust => rust_discarded(ctx, node),
                _ => None,
            };
            if let Some((callee, loss)) = found {
                out.push(report(ctx, language, node, &callee, loss));
            }
        }
    }
}

/// `let _ = fs::write(…);` → `fs::write`; also `client.notify(id).await.ok();`
/// (the same discard, spelled as a statement), and
/// `resp.json().await.unwrap_or_default()` (a decode failure turned into an
/// empty value).
fn rust_discarded(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<(String, Loss)> {
    let mut value = match node.kind_str() {
        "let_declaration" => {
            let pattern = node.field("pattern")?;
            if ctx.text(pattern) != "_" {
                return None;
            }
            node.field("value")?
        }
        "expression_statement" => ok_statement(ctx, node)?,
        "call_expression" => return json_defaulted(ctx, node),
        "if_expression" => return if_let_ok(ctx, node),
        _ => return None,
    };
    let awaited = value.kind_str() == "await_expression";
    if awaited {
        value = value.named_child(0)?;
    }
    if value.kind_str() != "call_expression" {
        return None;
    }
    let function = value.field("function")?;
    let arg_count = value
        .field("arguments")
        .map_or(0, |a| a.named_child_count());
    let known = match function.kind_str() {
        "scoped_identifier" => {
            let path = ctx.text(function);
            let (module, name) = path.rsplit_once("::")?;
            let fs_module = module == "fs" || module.ends_with("::fs");
            (fs_module && RUST_FS.contains(&name)).then(|| (format!("fs::{name}"), Loss::Write))
        }
        "field_expression" => {
            let name = ctx.text(function.field("field")?);
            if name == "commit" && arg_count == 0 {
                Some((".commit()".to_string(), Loss::Commit))
            } else {
                RUST_METHODS
                    .contains(&name)
                    .then(|| (format!(".{name}(…)"), Loss::Write))
            }
        }
        _ => None,
    };
    let callee = match known {
        Some(known) => known,
        None if awaited && awaited_result(ctx, function, arg_count) => (
            format!("{}(…).await", quote(ctx.text(function), 50)),
            Loss::Awaited,
        ),
        None => return None,
    };
    if in_rust_test(node, ctx.source) || in_drop(ctx, node) {
        return None;
    }
    Some(callee)
}

/// `if let Ok(wind) = fetch_wind(…).await { … }` with no `else`: the awaited
/// call's error skips the block without a trace — a check that should have
/// run (a limit, a permission) silently does not.
fn if_let_ok(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<(String, Loss)> {
    if node.field("alternative").is_some() {
        return None;
    }
    let condition = node.field("condition")?;
    if condition.kind_str() != "let_condition" {
        return None;
    }
    let pattern = condition.field("pattern")?;
    if pattern.kind_str() != "tuple_struct_pattern"
        || pattern.field("type").map(|t| ctx.text(t)) != Some("Ok")
    {
        return None;
    }
    let value = condition.field("value")?;
    if value.kind_str() != "await_expression" {
        return None;
    }
    let call = value
        .named_child(0)
        .filter(|c| c.kind_str() == "call_expression")?;
    let function = call.field("function")?;
    let arg_count = call.field("arguments").map_or(0, |a| a.named_child_count());
    if !awaited_result(ctx, function, arg_count)
        || in_rust_test(node, ctx.source)
        || in_drop(ctx, node)
    {
        return None;
    }
    Some((
        format!("{}(…).await", quote(ctx.text(function), 50)),
        Loss::Skipped,
    ))
}

/// `match plots::delete_claim(c, id) { Ok(n) => n, Err(_) => 0 }`: the
/// error of a write (a function named `delete…`, `insert…`, `update…`,
/// `upsert…`, `save…`, `write…`, `persist…`, `store…`, `commit`) replaced by
/// a literal (`0`, `false`, `None`, `()`, `Default::default()`), so a failed
/// write reads as "nothing to do".
fn write_error_defaulted(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<(String, Loss)> {
    let value = node.field("value")?;
    let call = if value.kind_str() == "await_expression" {
        value.named_child(0)?
    } else {
        value
    };
    if call.kind_str() != "call_expression" {
        return None;
    }
    let function = call.field("function")?;
    let name = ctx
        .text(function)
        .rsplit([':', '.'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let write = [
        "delete", "insert", "update", "upsert", "save", "write", "persist", "store", "commit",
    ]
    .iter()
    .any(|verb| name == *verb || name.starts_with(&format!("{verb}_")));
    if !write || in_rust_test(node, ctx.source) {
        return None;
    }
    let body = node.field("body")?;
    let mut cursor = body.walk();
    let defaulted = body.named_children(&mut cursor).any(|arm| {
        if arm.kind_str() != "match_arm" {
            return false;
        }
        let pattern = arm
            .field("pattern")
            .map(|p| ctx.text(p).split_whitespace().collect::<String>());
        let value = arm.field("value");
        pattern.as_deref() == Some("Err(_)")
            && value.is_some_and(|v| {
                matches!(
                    v.kind_str(),
                    "integer_literal" | "boolean_literal" | "unit_expression"
                ) || matches!(ctx.text(v), "None" | "Default::default()")
            })
    });
    defaulted.then(|| {
        (
            format!("{}(…)", quote(ctx.text(function), 50)),
            Loss::Statement,
        )
    })
}

/// `….ok();` as a statement: the `Result` turned into an `Option` nobody
/// reads, which is `let _ = …;` without the compiler's unused-result warning.
/// Returns the expression whose result is dropped.
fn ok_statement<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Node<'t>> {
    let count = node.child_count();
    if count == 0 || node.child(count - 1).is_none_or(|c| c.kind_str() != ";") {
        return None;
    }
    let call = node.named_child(0)?;
    if call.kind_str() != "call_expression"
        || call
            .field("arguments")
            .is_none_or(|a| a.named_child_count() != 0)
    {
        return None;
    }
    let function = call.field("function")?;
    if function.kind_str() != "field_expression" || ctx.text(function.field("field")?) != "ok" {
        return None;
    }
    function.field("value")
}

/// `resp.json().await.unwrap_or_default()` (or `.unwrap_or(…)`): a response
/// body that does not decode becomes an empty value the caller takes for
/// real data.
fn json_defaulted(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<(String, Loss)> {
    let function = node.field("function")?;
    if function.kind_str() != "field_expression"
        || !matches!(
            ctx.text(function.field("field")?),
            "unwrap_or_default" | "unwrap_or"
        )
    {
        return None;
    }
    let awaited = function.field("value")?;
    if awaited.kind_str() != "await_expression" {
        return None;
    }
    let call = awaited.named_child(0)?;
    let mut json = call.field("function")?;
    // `resp.json::<Vec<TeeTime>>()`
    if json.kind_str() == "generic_function" {
        json = json.field("function")?;
    }
    if call.kind_str() != "call_expression"
        || json.kind_str() != "field_expression"
        || ctx.text(json.field("field")?) != "json"
        || call
            .field("arguments")
            .is_none_or(|a| a.named_child_count() != 0)
    {
        return None;
    }
    if in_rust_test(node, ctx.source) {
        return None;
    }
    Some((
        format!("{}().await", quote(ctx.text(json), 50)),
        Loss::Decode,
    ))
}

/// Awaited calls whose result is not an error worth handling: waits and
/// signals (`rx.recv()`, `interval.tick()`, `sleep(…)`, `timeout(…)`,
/// `ctrl_c()`), guards and items (`lock()`, `next()`), and cleanup whose
/// failure is harmless (`shutdown()`, `close()`, `kill()`, `remove_file`).
const AWAITED_NOT_ERRORS: &[&str] = &[
    "recv",
    "recv_many",
    "recv_async",
    "changed",
    "notified",
    "closed",
    "tick",
    "next",
    "lock",
    "sleep",
    "sleep_until",
    "timeout",
    "timeout_at",
    "yield_now",
    "ctrl_c",
    "wait",
    "wait_for",
    "as_mut",
    "shutdown",
    "close",
    "flush",
    "rollback",
    "abort",
    "cancel",
    "kill",
    "remove_file",
    "remove_dir",
    "remove_dir_all",
    "disconnect",
    "terminate",
];

/// `let _ = client.notify(id).await;`: an awaited call in async Rust
/// almost always returns a `Result`, and this one is dropped. Channel and
/// sink sends (`tx.send(msg).await`: one item, or a receiver named `tx`,
/// `*_tx`, `sender`) are left alone — a receiver that is gone is the usual
/// reason for their error and dropping it is the idiom.
fn awaited_result(ctx: &RuleContext<'_>, function: Node<'_>, arg_count: usize) -> bool {
    let (receiver, name) = match function.kind_str() {
        "field_expression" => (
            function.field("value").map(|v| ctx.text(v)),
            ctx.text(function.field("field").unwrap_or(function)),
        ),
        "scoped_identifier" | "identifier" => {
            (None, ctx.text(function).rsplit("::").next().unwrap_or(""))
        }
        _ => return false,
    };
    if AWAITED_NOT_ERRORS.contains(&name) || (matches!(name, "read" | "write") && arg_count == 0) {
        return false;
    }
    if matches!(name, "send" | "send_timeout" | "reserve") {
        let channel = receiver.is_some_and(|r| {
            let last = r
                .rsplit(['.', ' ', '&', '*', '('])
                .next()
                .unwrap_or(r)
                .to_ascii_lowercase();
            last == "tx"
                || last.ends_with("_tx")
                || last.contains("sender")
                || last.ends_with("sink")
        });
        // `sink.send(item)`: one item into a channel or sink.
        if channel || (name == "send" && arg_count == 1) {
            return false;
        }
    }
    true
}

/// Inside `fn drop(&mut self)`: a destructor has nowhere to send an error.
fn in_drop(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        if n.kind_str() == "function_item" {
            return n.field("name").is_some_and(|name| ctx.text(name) == "drop");
        }
        current = n.parent();
    }
    false
}

/// `_ = json.Unmarshal(…)` or `json.Unmarshal(…)` as a statement.
fn go_discarded(
    ctx: &RuleContext<'_>,
    node: Node<'_>,
    imports: &HashMap<&str, &str>,
) -> Option<(String, Loss)> {
    let call = match node.kind_str() {
        "assignment_statement" => {
            let left = node.field("left")?;
            let right = node.field("right")?;
            let mut cursor = left.walk();
            let blanks = left.named_children(&mut cursor).all(|n| ctx.text(n) == "_");
            if !blanks || right.named_child_count() != 1 {
                return None;
            }
            let call = right.named_child(0)?;
            // `_, _ = db.ExecContext(…)`: only a statement returns two.
            if left.named_child_count() == 2 {
                return sql_write(ctx, call, imports);
            }
            if left.named_child_count() != 1 {
                return None;
            }
            if let Some(found) = go_blank_write(ctx, right.named_child(0)?, imports) {
                return Some(found);
            }
            call
        }
        "expression_statement" => node.named_child(0)?,
        _ => return None,
    };
    if call.kind_str() != "call_expression" {
        return None;
    }
    if let Some(found) = sql_write(ctx, call, imports) {
        return Some(found);
    }
    let (operand, name) = method_call(call)?;
    let name = ctx.text(name);
    let args = call.field("arguments")?;
    if operand.kind_str() == "identifier" {
        let pkg = ctx.text(operand);
        if let Some(path) = imports.get(pkg)
            && GO_FUNCS
                .iter()
                .any(|(p, names)| p == path && names.contains(&name))
        {
            let loss = if name == "Unmarshal" {
                Loss::Decode
            } else {
                Loss::Write
            };
            return Some((format!("{pkg}.{name}"), loss));
        }
        let receiver = pkg.to_ascii_lowercase();
        if name == "Commit"
            && args.named_child_count() == 0
            && (receiver == "tx" || receiver == "txn" || receiver.ends_with("tx"))
        {
            return Some((format!("{pkg}.Commit"), Loss::Commit));
        }
    }
    // `rows.Scan(&id, &email)`: the database/sql shape.
    if name == "Scan" && args.named_child_count() > 0 {
        let mut cursor = args.walk();
        let all_pointers = args
            .named_children(&mut cursor)
            .all(|a| a.kind_str() == "unary_expression" && ctx.text(a).starts_with('&'));
        if all_pointers {
            return Some((format!("{}.Scan", quote(ctx.text(operand), 40)), Loss::Scan));
        }
    }
    None
}

/// Leading words of a method that writes, sends or deletes data.
const GO_WRITE_VERBS: &[&str] = &[
    "save", "insert", "update", "upsert", "delete", "write", "send", "publish", "commit", "store",
    "put", "exec", "persist", "enqueue", "create",
];

/// `_ = c.store.SaveBatch(ctx, batch)`: a single blank for the only result
/// (so an `error`) of a method named as a write (`Save…`, `Insert…`,
/// `Publish…`, …) on a value, not a package. Cleanup (`Close`, `Rollback`,
/// `Remove`) is not a write.
fn go_blank_write(
    ctx: &RuleContext<'_>,
    call: Node<'_>,
    imports: &HashMap<&str, &str>,
) -> Option<(String, Loss)> {
    if call.kind_str() != "call_expression" {
        return None;
    }
    let (operand, name) = method_call(call)?;
    if operand.kind_str() == "identifier" && imports.contains_key(ctx.text(operand)) {
        return None;
    }
    let name = ctx.text(name);
    let first = crate::syntax::identifier_words(name).into_iter().next()?;
    if !GO_WRITE_VERBS.contains(&first.as_str()) {
        return None;
    }
    let loss = if first == "commit" {
        Loss::Commit
    } else {
        Loss::Statement
    };
    Some((format!("{}.{name}", quote(ctx.text(operand), 40)), loss))
}

/// `db.ExecContext(ctx, "UPDATE …")` on a `database/sql`, sqlx or pgx
/// handle (a receiver named `db`, `tx`, `conn` or `pool`) with a literal
/// `INSERT`/`UPDATE`/`DELETE`: a write whose failure is the error.
fn sql_write(
    ctx: &RuleContext<'_>,
    call: Node<'_>,
    imports: &HashMap<&str, &str>,
) -> Option<(String, Loss)> {
    if call.kind_str() != "call_expression" {
        return None;
    }
    let (operand, name) = method_call(call)?;
    let name = ctx.text(name);
    if !matches!(name, "Exec" | "ExecContext")
        || !crate::syntax::go_sql_handle(ctx.source, imports, operand)
    {
        return None;
    }
    let args = call.field("arguments")?;
    let mut cursor = args.walk();
    let sql = args.named_children(&mut cursor).find(|a| {
        matches!(
            a.kind_str(),
            "interpreted_string_literal" | "raw_string_literal"
        )
    })?;
    let statement = ctx
        .text(sql)
        .trim_matches(['"', '`'])
        .trim_start()
        .to_ascii_uppercase();
    ["INSERT", "UPDATE", "DELETE"]
        .iter()
        .any(|verb| statement.starts_with(verb))
        .then(|| {
            (
                format!("{}.{name}", quote(ctx.text(operand), 40)),
                Loss::Statement,
            )
        })
}

fn report(
    ctx: &RuleContext<'_>,
    language: Language,
    node: Node<'_>,
    callee: &str,
    loss: Loss,
) -> Finding {
    let code = quote(ctx.text(node), 80);
    let in_symbol = symbol_suffix(ctx.symbol_for(node).as_deref());
    let remedy = if language == Language::Go {
        "check it: `if err := …; err != nil { return fmt.Errorf(\"…: %w\", err) }`"
    } else {
        "propagate it with `?` (adding context with `map_err` or `.context(…)`) or handle it"
    };
    ctx.node_finding(&META, node)
        .title(format!("Error from `{callee}` discarded"))
        .message(format!(
            "`{code}` throws away the only signal that `{callee}` failed. When it does, {}.\n\n\
             Instead, {remedy}.",
            loss.consequence()
        ))
        .symptom(format!(
            "`{code}`{in_symbol} ignores the error returned by `{callee}`."
        ))
        .root_cause(
            "The failure case of the call was not considered; the error was discarded to \
             satisfy the compiler.",
        )
        .fix(format!(
            "Handle the error of `{callee}`: {remedy}. If the caller cannot do anything \
             about it, at least log it with the key or path involved."
        ))
        .scope(
            "Change only this statement and the error check after it; extend the enclosing \
             function's error return only if needed to propagate. Do not change what is \
             written, committed or decoded.",
        )
        .build()
}
