//! `async-races/effect-without-cleanup`: a React effect that opens a connection, timer or listener and never closes it
//!
//! ## What it does
//! Finds a `useEffect` (or `useLayoutEffect`) callback that starts something
//! that keeps running on its own — `new WebSocket(…)`, `new EventSource(…)`,
//! `setInterval(…)`, `addEventListener(…)` on `window`/`document` or an
//! element, or `.subscribe(…)` on an observable or store — and returns
//! nothing at all, so React has no cleanup to run.
//!
//! Deliberately not reported: effects that return anything (a cleanup
//! function, `unsubscribe`, `() => ws.close()`), `setTimeout` (it ends by
//! itself), listeners and subscriptions on an object the effect itself
//! creates and drops (`new Image().addEventListener(…)`, `const img =
//! new Image()`), and effects that start the work inside a nested callback
//! (`.then(() => setInterval(…))`), where the author may hold the handle
//! elsewhere.
//!
//! ## Why is this bad?
//! React runs the effect again whenever its dependencies change, and twice on
//! mount in development Strict Mode: every run opens another socket or
//! interval and adds another listener, none of which is ever closed. After
//! unmount they keep firing and calling setters of a component that is gone.
//! The symptoms — duplicated messages, growing memory, a server counting
//! hundreds of connections per user — show up long after the code was
//! merged.
//!
//! ## Example
//! ```tsx
//! useEffect(() => {
//!   const ws = new WebSocket(url);
//!   ws.onmessage = (event) => setQuotes(JSON.parse(event.data));
//! }, [url]);
//! ```
//!
//! Use instead:
//! ```tsx
//! useEffect(() => {
//!   const ws = new WebSocket(url);
//!   ws.onmessage = (event) => setQuotes(JSON.parse(event.data));
//!   return () => ws.close();
//! }, [url]);
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote, symbol_suffix};
use crate::syntax::NodeExt as _;
use crate::syntax::{enclosing_function, preorder};

pub static META: RuleMeta = RuleMeta {
    id: "async-races/effect-without-cleanup",
    item: ChecklistItem::AsyncRaces,
    severity: Severity::Warning,
    languages: &[Language::TypeScript, Language::Tsx, Language::JavaScript],
    summary: "A React useEffect that opens a WebSocket/EventSource, interval, listener or subscription and returns no cleanup",
};

pub struct EffectWithoutCleanup;

impl Rule for EffectWithoutCleanup {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(_) = ctx.root() else {
            return;
        };
        for super::Effect {
            call: node,
            hook,
            callback: effect,
        } in super::effects(ctx)
        {
            // `useEffect(() => ws.close())`: an expression body returns its
            // value, which is not this rule's business.
            if effect
                .field("body")
                .is_none_or(|b| b.kind_str() != "statement_block")
            {
                continue;
            }
            if returns_anything(effect) {
                continue;
            }
            if let Some((start, what)) = long_lived(ctx, effect) {
                out.push(report(ctx, hook, node, start, what));
            }
        }
    }
}

/// Any `return <value>` of the effect itself: taken as a cleanup.
fn returns_anything(effect: Node<'_>) -> bool {
    preorder(effect).any(|n| {
        n.kind_str() == "return_statement"
            && n.named_child(0).is_some()
            && enclosing_function(Language::JavaScript, n) == Some(effect)
    })
}

/// The first thing the effect's own body starts that outlives it, with a
/// short description.
fn long_lived<'t>(ctx: &RuleContext<'_>, effect: Node<'t>) -> Option<(Node<'t>, &'static str)> {
    preorder(effect).find_map(|n| {
        let found = starts_long_lived(ctx, effect, n)?;
        // Only the effect's own statements: a callback may keep the handle.
        // (Asked last: finding the enclosing function walks up the tree.)
        (enclosing_function(Language::JavaScript, n) == Some(effect)).then_some(found)
    })
}

/// What `n` starts that outlives the effect, if anything.
fn starts_long_lived<'t>(
    ctx: &RuleContext<'_>,
    effect: Node<'t>,
    n: Node<'t>,
) -> Option<(Node<'t>, &'static str)> {
    match n.kind_str() {
        "new_expression" => {
            let ctor = ctx.text(n.field("constructor")?);
            match ctor {
                "WebSocket" => Some((n, "a WebSocket")),
                "EventSource" => Some((n, "an EventSource")),
                _ => None,
            }
        }
        "call_expression" => {
            let function = n.field("function")?;
            match function.kind_str() {
                "identifier" => match ctx.text(function) {
                    "setInterval" => Some((n, "an interval")),
                    _ => None,
                },
                "member_expression" => {
                    let object = function.field("object")?;
                    let property = ctx.text(function.field("property")?);
                    match property {
                        "setInterval" if matches!(ctx.text(object), "window" | "globalThis") => {
                            Some((n, "an interval"))
                        }
                        "addEventListener" if !created_here(ctx, effect, object) => {
                            Some((n, "an event listener"))
                        }
                        "subscribe" if !created_here(ctx, effect, object) => {
                            Some((n, "a subscription"))
                        }
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// `new Image().addEventListener(…)` or `const img = new Image();
/// img.addEventListener(…)`: the target dies with the effect's scope.
fn created_here(ctx: &RuleContext<'_>, effect: Node<'_>, object: Node<'_>) -> bool {
    if object.kind_str() == "new_expression" {
        return true;
    }
    if object.kind_str() != "identifier" {
        return false;
    }
    let name = ctx.text(object);
    preorder(effect).any(|n| {
        n.kind_str() == "variable_declarator"
            && n.field("name").is_some_and(|v| ctx.text(v) == name)
            && n.field("value").is_some_and(|v| {
                v.kind_str() == "new_expression"
                    && v.field("constructor")
                        .is_some_and(|c| !matches!(ctx.text(c), "WebSocket" | "EventSource"))
            })
    })
}

fn report(
    ctx: &RuleContext<'_>,
    hook: &str,
    effect_call: Node<'_>,
    start: Node<'_>,
    what: &str,
) -> Finding {
    let started = quote(ctx.text(start), 60);
    let symbol = ctx.symbol_for(effect_call);
    let in_symbol = symbol_suffix(symbol.as_deref());
    let code = format!("{hook} {what} {}", quote(ctx.text(start), 40));
    ctx.finding(&META, ctx.line(effect_call), symbol.clone(), &code)
        .title(format!("`{hook}` opens {what} and returns no cleanup"))
        .message(format!(
            "This effect{in_symbol} starts {what} (`{started}`) but returns no cleanup function, \
             so nothing ever closes it. React re-runs the effect whenever its dependencies \
             change (and twice on mount in Strict Mode): each run adds another one, and all of \
             them keep firing after the component unmounts.\n\nReturn a cleanup that undoes \
             it: `return () => ws.close()`, `clearInterval(id)`, `removeEventListener` with \
             the same handler, or the subscription's `unsubscribe()`."
        ))
        .symptom(format!(
            "A `{hook}`{in_symbol} starts {what} with `{started}` and never stops it."
        ))
        .root_cause(
            "The effect has no cleanup, so re-running it or unmounting the component leaves the \
             previous connection, timer or listener alive.",
        )
        .fix(format!(
            "Keep the handle `{started}` returns (the socket, the interval id, the handler \
             function, the subscription) and return a cleanup function from the effect that \
             closes, clears, removes or unsubscribes it."
        ))
        .scope(
            "Only this effect: keep its dependency array and what it does while mounted; only \
             add the cleanup.",
        )
        .build()
}
