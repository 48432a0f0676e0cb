//! `async-races/mutex-guard-across-await`: a blocking mutex guard held across an `.await`
//!
//! ## What it does
//! In Rust, finds `let guard = m.lock().unwrap();` (also `.expect(…)`,
//! `.unwrap_or_else(…)`, and `.read()`/`.write()` of an `RwLock` — named in
//! the file, or recognised by its poisoning being recovered,
//! `.write().unwrap_or_else(PoisonError::into_inner)`, which only a
//! `std::sync` lock has, when the lock is declared elsewhere; a bare
//! `.lock()` when the file uses `parking_lot`) inside an `async fn` or
//! `async` block, followed in the same block by an `.await` while the guard
//! is still alive (not passed to `drop(…)`, or moved into another call,
//! before the await).
//!
//! `.unwrap()` on the result of `lock()` is what identifies a
//! `std::sync::Mutex`: `tokio::sync::Mutex::lock()` returns a future and is
//! awaited (`m.lock().await`), which is fine and never reported. Also not
//! reported: guards confined to an inner block `{ … }` that ends before the
//! await, temporaries (`m.lock().unwrap().get(k).cloned()`), `let _ = …`,
//! awaits inside closures or nested async blocks, and test code.
//!
//! ## Why is this bad?
//! A `std::sync::Mutex` blocks the thread, not the task. While the task is
//! suspended at the `.await`, the guard keeps the lock; any other task on the
//! same worker thread that calls `lock()` blocks that thread, and the task
//! holding the lock can never be polled again to release it — a deadlock of
//! the executor under load. The guard also makes the future `!Send`, so the
//! code cannot be passed to `tokio::spawn`, which is often how it surfaces
//! as a confusing compile error far from the cause.
//!
//! ## Example
//! ```rs
//! async fn record(&self, id: u64) -> Result<()> {
//!     let mut seen = self.seen.lock().unwrap();
//!     seen.insert(id);
//!     self.store.save(id).await?;
//!     Ok(())
//! }
//! ```
//!
//! Use instead:
//! ```rs
//! async fn record(&self, id: u64) -> Result<()> {
//!     {
//!         let mut seen = self.seen.lock().unwrap();
//!         seen.insert(id);
//!     } // guard dropped before the await
//!     self.store.save(id).await?;
//!     Ok(())
//! }
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{in_rust_test, is_test_path, preorder, statements};

pub static META: RuleMeta = RuleMeta {
    id: "async-races/mutex-guard-across-await",
    item: ChecklistItem::AsyncRaces,
    severity: Severity::Error,
    languages: &[Language::Rust],
    summary: "A std::sync::Mutex/RwLock guard still alive across an `.await` (deadlock risk, !Send future)",
};

pub struct MutexGuardAcrossAwait;

impl Rule for MutexGuardAcrossAwait {
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
        let parking_lot = ctx.source.contains("parking_lot");
        let rw_lock = ctx.source.contains("RwLock");
        for node in ctx.nodes_in_order(&["let_declaration"]) {
            let Some(guard) = guard_name(ctx, node, parking_lot, rw_lock) else {
                continue;
            };
            if !in_async_context(ctx, node) || in_rust_test(node, ctx.source) {
                continue;
            }
            if let Some(await_expr) = await_while_alive(ctx, node, guard) {
                out.push(report(ctx, node, guard, await_expr));
            }
        }
    }
}

/// The guard's name when `let` binds the guard of a blocking lock.
fn guard_name<'s>(
    ctx: &RuleContext<'s>,
    let_decl: Node<'_>,
    parking_lot: bool,
    rw_lock: bool,
) -> Option<&'s str> {
    let pattern = let_decl.field("pattern")?;
    let name = match pattern.kind_str() {
        "identifier" => pattern,
        "mut_pattern" => pattern
            .named_child(0)
            .filter(|n| n.kind_str() == "identifier")?,
        _ => return None,
    };
    let name = ctx.text(name);
    if name == "_" {
        return None;
    }
    let mut value = let_decl.field("value")?;
    if value.kind_str() == "try_expression" {
        value = value.named_child(0)?;
    }
    let (receiver_call, method) = method_call(ctx, value)?;
    let unwrapped = matches!(method, "unwrap" | "expect" | "unwrap_or_else");
    let lock_call = if unwrapped { receiver_call? } else { value };
    let (_, lock_method) = method_call(ctx, lock_call)?;
    let args_empty = lock_call
        .field("arguments")
        .is_some_and(|a| a.named_child_count() == 0);
    // `.unwrap_or_else(PoisonError::into_inner)` (or `|e| e.into_inner()`):
    // only a `std::sync` lock can be poisoned, whatever the file imports.
    let poison_recovered = method == "unwrap_or_else"
        && value.field("arguments").is_some_and(|a| {
            let text = ctx.text(a);
            text.contains("PoisonError") || text.contains("into_inner()")
        });
    let is_lock = match lock_method {
        "lock" => unwrapped || parking_lot,
        "read" | "write" => poison_recovered || (rw_lock && (unwrapped || parking_lot)),
        _ => false,
    };
    (is_lock && args_empty).then_some(name)
}

/// `receiver.method(…)`: the receiver (when it is itself a call) and the
/// method name.
fn method_call<'t, 's>(
    ctx: &RuleContext<'s>,
    call: Node<'t>,
) -> Option<(Option<Node<'t>>, &'s str)> {
    if call.kind_str() != "call_expression" {
        return None;
    }
    let function = call.field("function")?;
    if function.kind_str() != "field_expression" {
        return None;
    }
    let receiver = function
        .field("value")
        .filter(|v| v.kind_str() == "call_expression");
    Some((receiver, ctx.text(function.field("field")?)))
}

/// Whether the code runs in an `async fn` or `async` block (closures and
/// plain functions in between end the search).
fn in_async_context(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        match n.kind_str() {
            "async_block" => return true,
            "function_item" => {
                let mut cursor = n.walk();
                return n.children(&mut cursor).any(|c| {
                    c.kind_str() == "function_modifiers" && ctx.text(c).contains("async")
                });
            }
            "closure_expression" => return ctx.text(n).starts_with("async"),
            _ => {}
        }
        current = n.parent();
    }
    false
}

/// The first `.await` after the `let` in the same block, in code of the same
/// future, before the guard is dropped.
fn await_while_alive<'t>(
    ctx: &RuleContext<'_>,
    let_decl: Node<'t>,
    guard: &str,
) -> Option<Node<'t>> {
    let block = let_decl.parent()?;
    for stmt in statements(block).filter(|s| s.start_byte() > let_decl.start_byte()) {
        if drops(ctx, stmt, guard) {
            return None;
        }
        if let Some(found) = own_await(stmt) {
            return Some(found);
        }
    }
    None
}

/// `drop(guard)`, or the guard moved by value into any call
/// (`consume(guard)`), which ends its life there.
fn drops(ctx: &RuleContext<'_>, stmt: Node<'_>, guard: &str) -> bool {
    preorder(stmt).any(|n| {
        n.kind_str() == "arguments" && {
            let mut c = n.walk();
            n.named_children(&mut c)
                .any(|a| a.kind_str() == "identifier" && ctx.text(a) == guard)
        }
    })
}

/// An `.await` evaluated by this future (not inside a closure or a nested
/// async block, whose awaits belong to another future).
fn own_await(node: Node<'_>) -> Option<Node<'_>> {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match n.kind_str() {
            "await_expression" => return Some(n),
            "closure_expression" | "async_block" | "function_item" => continue,
            _ => {}
        }
        let mut cursor = n.walk();
        let children: Vec<Node<'_>> = n.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    None
}

fn report(ctx: &RuleContext<'_>, let_decl: Node<'_>, guard: &str, await_expr: Node<'_>) -> Finding {
    let lock_code = let_decl
        .field("value")
        .map(|v| quote(ctx.text(v), 60))
        .unwrap_or_default();
    let await_code = quote(ctx.text(await_expr), 60);
    let await_line = ctx.line(await_expr);
    ctx.node_finding(&META, let_decl)
        .title(format!(
            "Blocking lock guard `{guard}` is held across `.await`"
        ))
        .message(format!(
            "`{guard}` holds the lock taken by `{lock_code}` (a blocking `std::sync`/`parking_lot` \
             lock) and is still alive at `{await_code}` (line {await_line}). While the task is \
             suspended it keeps the lock: another task on the same worker thread that locks it \
             blocks the thread, and the executor can deadlock under load. The guard also makes \
             this future `!Send`.\n\nDrop the guard before awaiting — put the locked section in \
             its own block `{{ … }}` or call `drop({guard})` — and copy out what the code after \
             the await needs. If the lock really must be held across the await, use \
             `tokio::sync::Mutex`."
        ))
        .symptom(format!(
            "The guard `{guard}` from `{lock_code}` is alive across `{await_code}`."
        ))
        .root_cause(
            "A blocking mutex guard lives until the end of its block, and the block contains an \
             `.await`, so the lock is held while the task is suspended.",
        )
        .fix(format!(
            "End the guard's lifetime before the `.await`: scope the critical section in an inner \
             block or `drop({guard})` right after the last use, cloning the data needed later. \
             Switch to `tokio::sync::Mutex` only if the lock must be held across the await."
        ))
        .scope(
            "Keep what the critical section does and the order of the side effects; do not \
             change the function's signature or replace the lock type elsewhere in the crate.",
        )
        .build()
}
