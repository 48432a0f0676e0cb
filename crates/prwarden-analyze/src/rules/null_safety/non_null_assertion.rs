//! `null-safety/non-null-assertion`: TypeScript's `x!` silences the compiler
//! instead of handling a missing value.
//!
//! ## What it does
//! Finds non-null assertions (`user!.email`, `map.get(id)!`,
//! `process.env.API_URL!`) in TypeScript and TSX production code.
//!
//! It deliberately does not report index accesses (`items[i]!`: under
//! `noUncheckedIndexedAccess` that is the idiom after a bounds check, and
//! without it the `!` changes nothing), `map.get(key)!` in a function that
//! checks `map.has(key)`, `stack.pop()!` in a function that checks
//! `stack.length`, DOM lookups at module level
//! (`createRoot(document.getElementById("root")!)` fails on every load if
//! wrong), test files (a failing assertion there is
//! a failing test, which is what the author wants), definite-assignment
//! declarations (`name!: string` on a class field, which asserts
//! initialisation, not a value), or `!` used as logical negation.
//!
//! ## Why is this bad?
//! `!` tells the compiler "this is never null or undefined" without checking
//! anything at run time. When the assumption is wrong — a lookup that
//! misses, an environment variable that is not set, an element that is not
//! rendered yet — the program fails later with `Cannot read properties of
//! undefined`, far from the place that made the assumption. Agents add `!`
//! to make a type error go away.
//!
//! ## Example
//! ```ts
//! const owner = members.find((m) => m.role === "owner")!;
//! await mailer.send(owner.email, summary);
//! ```
//!
//! Use instead:
//! ```ts
//! const owner = members.find((m) => m.role === "owner");
//! if (!owner) {
//!   throw new Error(`team ${team.id} has no owner; cannot send summary`);
//! }
//! await mailer.send(owner.email, summary);
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote, symbol_suffix};
use crate::syntax::NodeExt as _;
use crate::syntax::{enclosing_function, is_test_path, member_call};

pub static META: RuleMeta = RuleMeta {
    id: "null-safety/non-null-assertion",
    item: ChecklistItem::NullSafety,
    severity: Severity::Warning,
    languages: &[Language::TypeScript, Language::Tsx],
    summary: "A TypeScript non-null assertion `x!` that skips the check for a missing value",
};

pub struct NonNullAssertion;

impl Rule for NonNullAssertion {
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
        for node in ctx.nodes_in_order(&["non_null_expression"]) {
            let Some(inner) = node.named_child(0) else {
                continue;
            };
            // The grammar's error recovery can insert a zero-width `!` (a
            // MISSING token) where it fails to parse, e.g. a generic tagged
            // template ``sql<Row[]>`…` ``: no one wrote an assertion there.
            let written = node
                .child(node.child_count().saturating_sub(1))
                .is_some_and(|bang| !bang.is_missing() && ctx.text(bang) == "!");
            if !written {
                continue;
            }
            if checked_elsewhere(ctx, inner) {
                continue;
            }
            let asserted = quote(ctx.text(inner), 60);
            let in_symbol = symbol_suffix(ctx.symbol_for(node).as_deref());
            out.push(
                ctx.node_finding(&META, node)
                    .title(format!("Non-null assertion on `{asserted}`"))
                    .message(format!(
                        "`{asserted}!` tells the compiler the value is never `null` or \
                         `undefined`, but nothing checks it at run time. If the assumption is \
                         wrong the code fails later with `Cannot read properties of undefined`, \
                         far from here, instead of with a clear error at this point.\n\n\
                         Check the value and handle the missing case (return early, throw an \
                         error that says what was missing, or fall back to a default)."
                    ))
                    .symptom(format!(
                        "`{asserted}!`{in_symbol} asserts that the value is present without \
                         checking it."
                    ))
                    .root_cause(
                        "The type says the value may be missing; the assertion silences the \
                         compiler instead of handling that case.",
                    )
                    .fix(format!(
                        "Remove the `!` and narrow `{asserted}` with an explicit check: handle \
                         the missing case by returning early, throwing an error that names what \
                         was missing, or using a sensible default. Use optional chaining only \
                         where `undefined` is an acceptable result."
                    ))
                    .scope(
                        "Change only this expression and the check that guards it. Do not change \
                         the declared types, do not add `as` casts or `// @ts-` comments, and do \
                         not change behaviour when the value is present.",
                    )
                    .build(),
            );
        }
    }
}

/// Assertions whose premise the surrounding code visibly establishes.
fn checked_elsewhere(ctx: &RuleContext<'_>, inner: Node<'_>) -> bool {
    if inner.kind_str() == "subscript_expression" {
        return true;
    }
    if inner.kind_str() != "call_expression" {
        return false;
    }
    let Some((receiver, method)) = member_call(inner) else {
        return false;
    };
    let function = ctx.language.and_then(|l| enclosing_function(l, inner));
    let check = match ctx.text(method) {
        "get" => ".has(",
        "pop" | "shift" => ".length",
        // `createRoot(document.getElementById("root")!)` at start-up: a
        // missing element fails at once, on every load.
        "getElementById" | "querySelector" => return function.is_none(),
        _ => return false,
    };
    let scope = function.map_or(ctx.source, |f| ctx.text(f));
    scope.contains(&format!("{}{check}", ctx.text(receiver)))
}
