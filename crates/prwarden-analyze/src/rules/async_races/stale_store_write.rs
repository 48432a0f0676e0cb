//! `async-races/stale-store-write`: a store action records which item it is loading, awaits, then writes the response without checking that item is still the one wanted
//!
//! ## What it does
//! In a Zustand store (`create((set, get) => ({ … }))` in a file that
//! imports `zustand`), finds an async action that takes a parameter, stores
//! that parameter in the state before its first `await` (`set({ season,
//! loading: true })`: the state now says which item is wanted), and after
//! the `await` writes the response with `set(…)` without ever comparing
//! the parameter with anything (`if (get().season !== season) return;`, a
//! `set((s) => s.season === season ? … : s)` updater) and without an
//! `AbortController`/`signal`. The finding is on the first `set(…)` after
//! the `await`.
//!
//! Only actions named for reading or selecting (`load…`, `fetch…`,
//! `select…`, `show…`, `search…`, `set…`, `switch…`, …) are checked: a newer
//! call of those supersedes an older one, while mutations (`save…`,
//! `login`, `create…`) are not superseded. Actions that do not record their
//! parameter in the state (`cancelDate(id)` updating one entry), and other
//! stores, are not reported: without the recorded key the file does not
//! show that a newer request can supersede this one.
//!
//! ## Why is this bad?
//! The action itself says the user can switch to another item while a load
//! is in flight. Two loads run at once — season 2025 then 2026 — and their
//! responses arrive in any order: when the older one arrives last, the store
//! shows 2025's data under the 2026 heading, and nothing corrects it until
//! the next reload. It works in every test and on every fast connection.
//!
//! ## Example
//! ```ts
//! loadSeason: async (season) => {
//!   set({ season, loading: true });
//!   const dates = await api.dates(season);
//!   set({ dates, loading: false });
//! },
//! ```
//!
//! Use instead:
//! ```ts
//! loadSeason: async (season) => {
//!   set({ season, loading: true });
//!   const dates = await api.dates(season);
//!   if (get().season !== season) return; // a newer load superseded this one
//!   set({ dates, loading: false });
//! },
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote, symbol_suffix};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_async_function, is_js_function, is_test_path, preorder};

pub static META: RuleMeta = RuleMeta {
    id: "async-races/stale-store-write",
    item: ChecklistItem::AsyncRaces,
    severity: Severity::Warning,
    languages: &[Language::TypeScript, Language::Tsx, Language::JavaScript],
    summary: "A Zustand action stores the key it loads, awaits, then writes the response without checking the key is still current",
};

pub struct StaleStoreWrite;

impl Rule for StaleStoreWrite {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        if ctx.root().is_none()
            || is_test_path(ctx.path)
            || !(ctx.source.contains("from \"zustand")
                || ctx.source.contains("from 'zustand")
                || ctx.source.contains("require(\"zustand")
                || ctx.source.contains("require('zustand"))
        {
            return;
        }
        for store in ctx.nodes_in_order(&["arrow_function", "function_expression"]) {
            let Some(set) = store_setter(ctx, store) else {
                continue;
            };
            for action in preorder(store).filter(|n| is_js_function(*n) && *n != store) {
                if !is_async_function(action)
                    || !is_action_of(action, store)
                    || !reads_by_name(ctx, action)
                {
                    continue;
                }
                if let Some((write, key)) = stale_write(ctx, action, set) {
                    out.push(report(ctx, action, write, key));
                }
            }
        }
    }
}

/// `(set, get) => ({ … })` passed (possibly through middleware such as
/// `devtools(…)`, `persist(…)`, `immer(…)`) to `create`: the name of its
/// setter. A store without `get` cannot check anything, so both are needed.
fn store_setter<'s>(ctx: &RuleContext<'s>, store: Node<'_>) -> Option<&'s str> {
    let params = store.field("parameters")?;
    let names: Vec<&str> = {
        let mut cursor = params.walk();
        params
            .named_children(&mut cursor)
            .map(|p| p.field("pattern").unwrap_or(p))
            .filter(|p| p.kind_str() == "identifier")
            .map(|p| ctx.text(p))
            .collect()
    };
    let [set, _get, ..] = names.as_slice() else {
        return None;
    };
    // Up through the middleware calls to `create(…)` / `create<T>()(…)`.
    let mut node = store;
    for _ in 0..6 {
        let args = node.parent().filter(|a| a.kind_str() == "arguments")?;
        let call = args
            .parent()
            .filter(|c| c.kind_str() == "call_expression")?;
        let callee = ctx.text(call.field("function")?);
        if callee == "create" || callee.starts_with("create<") || callee.starts_with("create(") {
            return Some(set);
        }
        node = call;
    }
    None
}

/// Whether the action's name says it loads or selects something to show
/// (`loadSeason`, `selectRegion`, `fetchItems`, `search`, `setCategory`):
/// a newer call supersedes an older one. Mutations (`save…`, `login`,
/// `create…`) are left alone.
fn reads_by_name(ctx: &RuleContext<'_>, action: Node<'_>) -> bool {
    let name = action
        .field("name")
        .or_else(|| action.parent().and_then(|p| p.field("key")))
        .map_or("", |k| ctx.text(k));
    crate::syntax::identifier_words(name)
        .first()
        .is_some_and(|w| {
            matches!(
                w.as_str(),
                "load"
                    | "fetch"
                    | "get"
                    | "select"
                    | "show"
                    | "open"
                    | "view"
                    | "search"
                    | "query"
                    | "filter"
                    | "find"
                    | "set"
                    | "change"
                    | "switch"
                    | "go"
                    | "navigate"
                    | "pick"
                    | "choose"
                    | "browse"
                    | "refresh"
                    | "reload"
            )
        })
}

/// Whether `action` is a property value of the object `store` returns.
fn is_action_of(action: Node<'_>, store: Node<'_>) -> bool {
    // `load: async (id) => …` or the method `async load(id) { … }`.
    let member = if action.kind_str() == "method_definition" {
        Some(action)
    } else {
        action.parent().filter(|p| p.kind_str() == "pair")
    };
    let Some(object) = member
        .and_then(|m| m.parent())
        .filter(|o| o.kind_str() == "object")
    else {
        return false;
    };
    let mut up = object.parent();
    while let Some(n) = up.filter(|n| n.kind_str() == "parenthesized_expression") {
        up = n.parent();
    }
    match up {
        Some(n) if n == store => true,
        Some(n) if n.kind_str() == "return_statement" => {
            crate::syntax::enclosing_function(Language::TypeScript, n) == Some(store)
        }
        _ => false,
    }
}

/// The first `set(…)` after the action's first `await`, when the action
/// stored one of its parameters with `set(…)` before that `await` and never
/// compares that parameter (nor uses an abort signal): the write and the
/// stored key.
fn stale_write<'s, 't>(
    ctx: &RuleContext<'s>,
    action: Node<'t>,
    set: &str,
) -> Option<(Node<'t>, &'s str)> {
    let params: Vec<&str> = {
        let params = action
            .field("parameters")
            .or_else(|| action.field("parameter"))?;
        preorder(params)
            .filter(|p| p.kind_str() == "identifier")
            .map(|p| ctx.text(p))
            .collect()
    };
    if params.is_empty() {
        return None;
    }
    let body = action.field("body")?;
    let first_await = preorder(body).find(|n| n.kind_str() == "await_expression")?;
    let set_calls: Vec<Node<'t>> = preorder(body)
        .filter(|n| {
            n.kind_str() == "call_expression"
                && n.field("function")
                    .is_some_and(|f| f.kind_str() == "identifier" && ctx.text(f) == set)
        })
        .collect();
    // `set({ season, loading: true })` before the await.
    let key = set_calls
        .iter()
        .filter(|c| c.end_byte() <= first_await.start_byte())
        .find_map(|c| stored_parameter(ctx, *c, &params))?;
    let write = *set_calls
        .iter()
        .find(|c| c.start_byte() >= first_await.end_byte())?;
    // Any comparison of the key (`get().season !== season`), or an abort
    // signal, is a staleness check.
    let compares = preorder(body).any(|n| {
        n.kind_str() == "binary_expression"
            && n.field("operator")
                .is_some_and(|o| matches!(ctx.text(o), "===" | "!==" | "==" | "!="))
            && [n.field("left"), n.field("right")]
                .into_iter()
                .flatten()
                .any(|side| ctx.text(side) == key)
    });
    let text = ctx.text(body);
    if compares || text.contains("signal") || text.contains("AbortController") {
        return None;
    }
    Some((write, key))
}

/// The parameter a `set({ season, … })` call stores (shorthand `season` or
/// `key: season`).
fn stored_parameter<'s>(ctx: &RuleContext<'s>, call: Node<'_>, params: &[&str]) -> Option<&'s str> {
    let object = call
        .field("arguments")?
        .named_child(0)
        .filter(|o| o.kind_str() == "object")?;
    let mut cursor = object.walk();
    object.named_children(&mut cursor).find_map(|p| {
        let value = match p.kind_str() {
            "shorthand_property_identifier" => p,
            "pair" => p.field("value").filter(|v| v.kind_str() == "identifier")?,
            _ => return None,
        };
        let name = ctx.text(value);
        params.contains(&name).then_some(name)
    })
}

fn report(ctx: &RuleContext<'_>, action: Node<'_>, write: Node<'_>, key: &str) -> Finding {
    let name = action
        .field("name")
        .or_else(|| action.parent().and_then(|p| p.field("key")))
        .map_or("this action", |k| ctx.text(k));
    let code = quote(ctx.text(write), 60);
    let in_symbol = symbol_suffix(ctx.symbol_for(write).as_deref());
    ctx.node_finding(&META, write)
        .title(format!(
            "`{name}` writes its response without checking `{key}` is still the one wanted"
        ))
        .message(format!(
            "`{name}` stores `{key}` in the store before it awaits, so the user can start another \
             load for a different `{key}` meanwhile. `{code}` then writes this response whatever \
             happened in between: when an older load finishes last, the store shows its data \
             under the newer `{key}`.\n\nAfter the await, compare `{key}` with the store's \
             current value (`if (get().{key} !== {key}) return;`) before writing, or cancel the \
             superseded request with an `AbortController`."
        ))
        .symptom(format!(
            "`{code}`{in_symbol} writes a response after an `await` without checking that \
             `{key}` is still current."
        ))
        .root_cause(
            "The action assumes responses arrive in the order the requests were made; \
             concurrent loads can finish in any order.",
        )
        .fix(format!(
            "Right after the await, return early when `get().{key}` no longer equals `{key}` \
             (or abort the previous request when a new one starts); keep the write otherwise \
             unchanged."
        ))
        .scope(
            "Change only this action. Do not change the store's shape, the request it makes, \
             or what it writes for a current response.",
        )
        .build()
}
