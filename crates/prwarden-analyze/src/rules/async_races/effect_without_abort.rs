//! `async-races/effect-without-abort`: a React effect that fetches and sets state with no way to ignore a stale response
//!
//! ## What it does
//! Finds a `useEffect` (or `useLayoutEffect`) callback that starts an HTTP
//! request (`fetch`, `axios`, `ky`, `got`, `$fetch`, or `get`/`post`/… on a
//! client named `api`, `http`, `client`, …) or awaits a data-loading call
//! (`await fetchUser(id)`, `loadOrders().then(…)`: a name starting with
//! fetch/load/get/query/search/find/…) and later calls a state setter
//! (`setUser(…)`), directly, in a `.then`, or in an async function declared
//! and called inside the effect — when the effect does none of:
//! - pass an `AbortController` signal (any mention of `AbortController` or
//!   `signal`);
//! - check a cancellation flag (`ignore`, `cancelled`, `isMounted`,
//!   `stale`, a `let active = true` flag, a `mountedRef.current` or
//!   `latestRequestRef.current`, …) — state named like a flag
//!   (`activeTab`, `setCurrentUser`) does not count;
//! - return a cleanup function.
//!
//! Vue: an async `watch(source, async (v) => …)` callback that requests
//! (the same calls) and then assigns a ref (`details.value = …`), in a file
//! importing `vue`, when it takes no `onCleanup` parameter, calls no
//! `onWatcherCleanup` and has none of the guards above.
//!
//! Deliberately not reported: effects that call a fetching function defined
//! outside the effect (the request cannot be seen without following the
//! call), effects that never set state, and data-fetching libraries
//! (`useQuery`, `useSWR`), which handle this themselves.
//!
//! ## Why is this bad?
//! When the dependencies change quickly (typing in a search box, switching
//! tabs, navigating between ids) several requests are in flight and their
//! responses arrive in any order: the slow response for the old id lands last
//! and overwrites the state for the new one, so the screen shows the wrong
//! user. After unmount the setter still runs. Nothing fails in a quick local
//! test, which is why agents write it.
//!
//! ## Example
//! ```tsx
//! useEffect(() => {
//!   fetch(`/api/users/${id}`)
//!     .then((res) => res.json())
//!     .then((data) => setUser(data));
//! }, [id]);
//! ```
//!
//! Use instead:
//! ```tsx
//! useEffect(() => {
//!   const controller = new AbortController();
//!   fetch(`/api/users/${id}`, { signal: controller.signal })
//!     .then((res) => res.json())
//!     .then((data) => setUser(data))
//!     .catch((err) => {
//!       if (err.name !== "AbortError") setError(err);
//!     });
//!   return () => controller.abort();
//! }, [id]);
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{enclosing_function, identifier_words, member_call, preorder};

pub static META: RuleMeta = RuleMeta {
    id: "async-races/effect-without-abort",
    item: ChecklistItem::AsyncRaces,
    severity: Severity::Warning,
    languages: &[Language::TypeScript, Language::Tsx, Language::JavaScript],
    summary: "A React useEffect that fetches and sets state without an AbortController, ignore flag or cleanup",
};

pub struct EffectWithoutAbort;

impl Rule for EffectWithoutAbort {
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
            // `[]`: the effect never re-runs, so only unmounting can leave a
            // request behind.
            let mount_only = node
                .field("arguments")
                .and_then(|a| a.named_child(1))
                .is_some_and(|deps| deps.kind_str() == "array" && deps.named_child_count() == 0);
            if let Some((request, setter)) = racy_request(ctx, effect) {
                out.push(report(ctx, hook, request, setter, mount_only));
            }
        }
        if ctx.source.contains("from \"vue\"") || ctx.source.contains("from 'vue'") {
            for call in ctx.nodes_in_order(&["call_expression"]) {
                if let Some((request, write)) = vue_racy_watch(ctx, call) {
                    out.push(report_vue_watch(ctx, call, request, write));
                }
            }
        }
    }
}

/// Vue's `watch(id, async (id) => { const res = await fetch(…); details.value
/// = … })`: an async watcher that requests and then writes a ref, with no
/// `onCleanup` parameter (or `onWatcherCleanup`), abort signal or staleness
/// check. Returns the request and the ref write.
fn vue_racy_watch<'t>(ctx: &RuleContext<'_>, call: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
    let function = call.field("function")?;
    if function.kind_str() != "identifier" || ctx.text(function) != "watch" {
        return None;
    }
    let args = call.field("arguments")?;
    let callback = args.named_child(1)?;
    if !matches!(
        callback.kind_str(),
        "arrow_function" | "function_expression"
    ) || !ctx.text(callback).starts_with("async")
    {
        return None;
    }
    let takes_cleanup = callback
        .field("parameters")
        .is_some_and(|p| p.named_child_count() >= 3);
    let text = ctx.text(callback);
    if takes_cleanup
        || text.contains("onWatcherCleanup")
        || text.contains("onCleanup")
        || is_guarded(ctx, callback)
    {
        return None;
    }
    let request = preorder(callback).find(|n| {
        n.kind_str() == "call_expression" && (is_request(ctx, *n) || is_async_data_call(ctx, *n))
    })?;
    let write = preorder(callback)
        .filter(|n| n.start_byte() > request.end_byte())
        .find(|n| {
            n.kind_str() == "assignment_expression"
                && n.field("left").is_some_and(|l| {
                    l.kind_str() == "member_expression"
                        && l.field("property").is_some_and(|p| ctx.text(p) == "value")
                })
        })?;
    Some((request, write))
}

fn report_vue_watch(
    ctx: &RuleContext<'_>,
    watch: Node<'_>,
    request: Node<'_>,
    write: Node<'_>,
) -> Finding {
    let callee = request
        .field("function")
        .map(|f| quote(ctx.text(f), 40))
        .unwrap_or_default();
    let target = write
        .field("left")
        .map(|l| quote(ctx.text(l), 40))
        .unwrap_or_default();
    let symbol = ctx.symbol_for(watch);
    let code = format!("watch {callee} {target}");
    ctx.finding(&META, ctx.line(watch), symbol, &code)
        .title(format!(
            "Async `watch` callback awaits `{callee}` and writes `{target}`: a stale response can win"
        ))
        .message(format!(
            "This watcher starts `{}` and then assigns `{target}`, but nothing cancels or              ignores the request when the source changes again: responses can arrive out of              order and the older one overwrites the newer state.

Take the `onCleanup`              parameter (`async (id, _old, onCleanup) => …`, or `onWatcherCleanup` in Vue 3.5),              abort the request there with an `AbortController`, or set a flag that the callback              checks before writing.",
            quote(ctx.text(request), 60)
        ))
        .symptom(format!(
            "An async `watch` callback fetches with `{callee}` and assigns `{target}` without              any cancellation."
        ))
        .root_cause(
            "Each change of the watched source starts another request; the callback of an              earlier one still runs and writes its (stale) result.",
        )
        .fix(format!(
            "In this watcher, create an `AbortController`, pass its `signal` to `{callee}`, and              abort it in `onCleanup` (ignore `AbortError`), or check a flag the cleanup sets              before assigning `{target}`."
        ))
        .scope(
            "Only this watcher: keep its source, options, URL and the state it sets.",
        )
        .build()
}

const HTTP_FUNCTIONS: &[&str] = &["fetch", "axios", "ky", "got", "$fetch", "ofetch"];
const HTTP_CLIENTS: &[&str] = &[
    "axios",
    "ky",
    "got",
    "api",
    "http",
    "client",
    "apiclient",
    "httpclient",
    "request",
];
const HTTP_VERBS: &[&str] = &["get", "post", "put", "patch", "delete", "request"];
/// Words of identifiers that show the effect guards against stale responses,
/// wherever they appear (`controller.signal`, `ignore`, `isMounted`).
const GUARD_WORDS: &[&str] = &[
    "abort",
    "aborted",
    "signal",
    "ignore",
    "cancel",
    "cancelled",
    "canceled",
    "mounted",
    "unmounted",
    "stale",
    "alive",
    "subscribed",
];
/// Words that only mark a guard on a `let` flag of the effect (`let active =
/// true`) or a ref (`latestRequestRef.current`): as part of a state name
/// (`activeTab`, `currentUser`) they mean nothing.
const FLAG_WORDS: &[&str] = &[
    "active", "current", "latest", "valid", "done", "request", "version", "seq",
];

/// Whether the effect checks anything that can tell a stale response apart.
fn is_guarded(ctx: &RuleContext<'_>, effect: Node<'_>) -> bool {
    let has = |n: Node<'_>, words: &[&str]| {
        identifier_words(ctx.text(n))
            .iter()
            .any(|w| words.contains(&w.as_str()))
    };
    preorder(effect).any(|n| match n.kind_str() {
        "identifier" | "property_identifier" | "shorthand_property_identifier" => {
            !is_setter(ctx.text(n)) && has(n, GUARD_WORDS)
        }
        "variable_declarator" => {
            let is_let = n
                .parent()
                .and_then(|d| d.child(0))
                .is_some_and(|k| matches!(ctx.text(k), "let" | "var"));
            is_let && n.field("name").is_some_and(|v| has(v, FLAG_WORDS))
        }
        "member_expression" => {
            n.field("property")
                .is_some_and(|p| ctx.text(p) == "current")
                && n.field("object").is_some_and(|o| has(o, FLAG_WORDS))
        }
        _ => false,
    })
}

/// The first HTTP request in the effect followed by a state setter call, if
/// the effect has no cancellation of any kind.
fn racy_request<'t>(ctx: &RuleContext<'_>, effect: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
    if returns_cleanup(effect) {
        return None;
    }
    let guarded = is_guarded(ctx, effect);
    if guarded {
        return None;
    }
    let request = preorder(effect).find(|n| {
        n.kind_str() == "call_expression" && (is_request(ctx, *n) || is_async_data_call(ctx, *n))
    })?;
    let setter = preorder(effect)
        .filter(|n| n.start_byte() > request.start_byte())
        .find_map(|n| setter_name(ctx, n))?;
    Some((request, setter))
}

/// The setter's name node of `setUser(…)`, or of `.then(setUser)`.
fn setter_name<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Node<'t>> {
    match node.kind_str() {
        "call_expression" => node
            .field("function")
            .filter(|f| f.kind_str() == "identifier" && is_setter(ctx.text(*f))),
        "identifier" if is_setter(ctx.text(node)) => {
            let call = node.parent()?.parent()?;
            let (_, method) = member_call(call)?;
            (ctx.text(method) == "then").then_some(node)
        }
        _ => None,
    }
}

fn is_setter(name: &str) -> bool {
    if matches!(name, "setTimeout" | "setInterval" | "setImmediate") {
        return false;
    }
    name.strip_prefix("set")
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c.is_ascii_uppercase())
}

fn is_request(ctx: &RuleContext<'_>, call: Node<'_>) -> bool {
    let Some(function) = call.field("function") else {
        return false;
    };
    match function.kind_str() {
        "identifier" => HTTP_FUNCTIONS.contains(&ctx.text(function)),
        "member_expression" => {
            let (Some(object), Some(property)) =
                (function.field("object"), function.field("property"))
            else {
                return false;
            };
            let object = ctx.text(object).to_ascii_lowercase();
            HTTP_CLIENTS.contains(&object.as_str()) && HTTP_VERBS.contains(&ctx.text(property))
        }
        _ => false,
    }
}

/// Words of a function name that says it loads data.
const DATA_WORDS: &[&str] = &[
    "fetch", "load", "get", "query", "request", "search", "retrieve", "list", "download", "lookup",
    "find", "read",
];

/// `await fetchUser(id)` / `loadOrders().then(…)`: a call whose result is
/// awaited or chained, so it is asynchronous, and whose name says it loads
/// data.
fn is_async_data_call(ctx: &RuleContext<'_>, call: Node<'_>) -> bool {
    let Some(parent) = call.parent() else {
        return false;
    };
    let awaited = parent.kind_str() == "await_expression"
        || (parent.kind_str() == "member_expression"
            && parent
                .field("property")
                .is_some_and(|p| ctx.text(p) == "then"));
    let Some(function) = call.field("function") else {
        return false;
    };
    let name = match function.kind_str() {
        "identifier" => Some(function),
        "member_expression" => function.field("property"),
        _ => None,
    };
    awaited
        && name.is_some_and(|n| {
            identifier_words(ctx.text(n))
                .first()
                .is_some_and(|w| DATA_WORDS.contains(&w.as_str()))
        })
}

/// `return () => …`, `return cleanup`, or `return unsubscribe()` at the top
/// level of the effect: any returned value is taken as a cleanup.
fn returns_cleanup(effect: Node<'_>) -> bool {
    preorder(effect).any(|n| {
        n.kind_str() == "return_statement"
            && n.named_child(0).is_some()
            && enclosing_function(Language::JavaScript, n) == Some(effect)
    })
}

fn report(
    ctx: &RuleContext<'_>,
    hook: &str,
    request: Node<'_>,
    setter: Node<'_>,
    mount_only: bool,
) -> Finding {
    let callee = request
        .field("function")
        .map(|f| quote(ctx.text(f), 40))
        .unwrap_or_default();
    let setter_name = ctx.text(setter);
    let symbol = ctx.symbol_for(request);
    let in_symbol = symbol
        .as_deref()
        .map(|s| format!(" in `{s}`"))
        .unwrap_or_default();
    let code = format!("{hook} {callee} {setter_name}");
    ctx.finding(&META, ctx.line(request), symbol.clone(), &code)
        .title(format!(
            "`{callee}` in `{hook}` can set stale state: no AbortController or cleanup"
        ))
        .message(format!(
            "This effect{in_symbol} starts `{}` and then calls `{setter_name}(…)`, but it \
             neither aborts the request nor ignores its response when {}. {}\n\nCreate an \
             `AbortController` in the effect, pass its `signal` to the request and return \
             `() => controller.abort()` (or use a `let ignore = false` flag that the cleanup \
             sets and the callback checks).",
            quote(ctx.text(request), 60),
            if mount_only {
                "the component unmounts"
            } else {
                "the effect is re-run or the component unmounts"
            },
            if mount_only {
                "The request keeps running after the user has left the view, and its callback \
                 still runs against an unmounted component; in development Strict Mode the \
                 effect runs twice and both responses set the state."
            } else {
                "When the dependencies change while a request is in flight, responses can \
                 arrive out of order and the older one overwrites the newer state; after \
                 unmount the setter still runs."
            }
        ))
        .symptom(format!(
            "A `{hook}`{in_symbol} fetches with `{callee}` and calls `{setter_name}` without \
             any cancellation, so a stale response can overwrite newer state."
        ))
        .root_cause(
            "The effect has no cleanup: re-running it (dependency change) or unmounting the \
             component does not cancel or invalidate the request already in flight.",
        )
        .fix(format!(
            "In this effect, create an `AbortController`, pass `controller.signal` to `{callee}`, \
             return a cleanup `() => controller.abort()`, and ignore `AbortError` in the error \
             handling so an aborted request does not show an error."
        ))
        .scope(
            "Only this effect: keep its dependency array, the URL and the state it sets; do not \
             introduce a data-fetching library or move the fetch elsewhere.",
        )
        .build()
}
