//! `async-races/async-foreach`: `forEach` with an async callback that nobody waits for
//!
//! ## What it does
//! Finds `xs.forEach(async (x) => { … await … })` (JavaScript/TypeScript):
//! an async function passed to `forEach` whose body awaits something. The
//! finding is on the `forEach` line.
//!
//! Deliberately not reported: async callbacks that never `await` (usually a
//! harmless leftover `async`), `map`/`filter` callbacks (a `map` whose
//! promises are collected is the fix), and `forEach` on a non-array such as
//! `for await` streams. When the awaited call is a database or HTTP call
//! among other statements of the callback, `query-efficiency/call-in-loop`
//! also reports the awaited call on its own line: that finding is about the
//! N round trips, this one about nobody awaiting them. A callback that is
//! only that call gets this finding alone (one loop, one finding).
//!
//! ## Why is this bad?
//! `forEach` ignores the promises its callback returns. The code after the
//! `forEach` runs before any of the work is done (the handler responds
//! "done" while the writes are still happening), all iterations run at once
//! with no limit, and a rejection in any of them is an unhandled rejection —
//! which crashes Node.js by default — instead of an error the caller can
//! catch.
//!
//! ## Example
//! ```ts
//! export async function notifyAll(users: User[]) {
//!   users.forEach(async (user) => {
//!     await mailer.send(user.email, "Your invoice is ready");
//!   });
//!   return { sent: users.length };
//! }
//! ```
//!
//! Use instead:
//! ```ts
//! export async function notifyAll(users: User[]) {
//!   for (const user of users) {
//!     await mailer.send(user.email, "Your invoice is ready");
//!   }
//!   return { sent: users.length };
//! }
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_async_function, is_js_function, member_call};

pub static META: RuleMeta = RuleMeta {
    id: "async-races/async-foreach",
    item: ChecklistItem::AsyncRaces,
    severity: Severity::Warning,
    languages: &[Language::TypeScript, Language::Tsx, Language::JavaScript],
    summary: "`forEach(async …)`: the awaits inside are never waited for and their errors are unhandled",
};

pub struct AsyncForeach;

impl Rule for AsyncForeach {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(_) = ctx.root() else {
            return;
        };
        for node in ctx.nodes_in_order(&["call_expression"]) {
            let Some((receiver, method)) = member_call(node) else {
                continue;
            };
            if ctx.text(method) != "forEach" {
                continue;
            }
            let Some(callback) = node
                .field("arguments")
                .and_then(|a| a.named_child(0))
                .filter(|cb| is_js_function(*cb) && is_async_function(*cb))
            else {
                continue;
            };
            if awaits_in_own_body(callback) {
                out.push(report(ctx, node, receiver));
            }
        }
    }
}

/// An `await` (or `for await`) of the callback itself, not of a nested
/// function.
fn awaits_in_own_body(callback: Node<'_>) -> bool {
    let Some(body) = callback.field("body") else {
        return false;
    };
    let mut stack = vec![body];
    while let Some(node) = stack.pop() {
        if node.kind_str() == "await_expression" {
            return true;
        }
        if node.kind_str() == "for_in_statement" {
            let mut c = node.walk();
            if node.children(&mut c).any(|k| k.kind_str() == "await") {
                return true;
            }
        }
        if is_js_function(node) {
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    false
}

fn report(ctx: &RuleContext<'_>, call: Node<'_>, receiver: Node<'_>) -> Finding {
    let receiver_text = quote(ctx.text(receiver), 40);
    let symbol = ctx.symbol_for(call);
    let in_symbol = symbol
        .as_deref()
        .map(|s| format!(" in `{s}`"))
        .unwrap_or_default();
    let code = format!("{}.forEach(async", ctx.text(receiver));
    ctx.finding(&META, ctx.line(call), symbol.clone(), &code)
        .title(format!(
            "`{receiver_text}.forEach(async …)` does not wait for its callbacks"
        ))
        .message(format!(
            "`forEach` ignores the promise returned by the async callback{in_symbol}: the code \
             after it runs before the work is done, every iteration runs at once, and a failure \
             in any of them becomes an unhandled rejection instead of an error the caller can \
             catch.\n\nUse `for (const x of {receiver_text}) {{ await … }}` when the iterations \
             must run in order, or `await Promise.all({receiver_text}.map(async (x) => …))` when \
             they may run concurrently."
        ))
        .symptom(format!(
            "`{receiver_text}.forEach` is given an async callback{in_symbol}; nothing awaits the \
             promises it returns."
        ))
        .root_cause(
            "`Array.prototype.forEach` calls the callback and discards its return value, so the \
             promises are never awaited and their rejections are never handled.",
        )
        .fix(format!(
            "Replace the `forEach` with a `for…of` loop that awaits each iteration, or with \
             `await Promise.all({receiver_text}.map(async …))` if the iterations are independent \
             (bounded with p-limit when the list can be large), so that the enclosing function \
             finishes only after the work and propagates its errors."
        ))
        .scope(
            "Keep the callback's body and the enclosing function's signature; change only how \
             the iterations are driven and awaited.",
        )
        .build()
}
