//! `query-efficiency/call-in-loop`: a database or HTTP round trip per loop
//! iteration (the N+1 pattern).
//!
//! ## What it does
//! In JavaScript and TypeScript, finds an `await`ed database, ORM or HTTP call
//! inside the body of a `for`, `for…of`, `for…in`, `while` or `do` loop, or
//! inside an async `forEach`/`map` callback. A call counts as database or HTTP
//! by its callee:
//! - HTTP: `fetch`, `axios(…)`/`axios.get(…)`, `got`, `ky`, `http(s).request`,
//!   `get`/`post`/… on an `http`/`api` client;
//! - database: `.query`/`.execute` on a database-like receiver or with an SQL
//!   string, Prisma's `$queryRaw`, `sql` tagged templates, and ORM methods
//!   (`findUnique`, `findMany`, `findOne`, `find`, `create`, `update`,
//!   `save`, `insert`, `select`, `count`, …) on a receiver named like a
//!   database handle (`db`, `prisma`, `knex`, `supabase`, `repo`,
//!   `repository`, `model`, `client`, `pool`, `tx`, `this.userRepository`…)
//!   or on a Mongoose/Sequelize-style model (`User.findById`).
//!
//! `users.find(u => …)` is an array method, not a query, and is not reported.
//! Loops that are sequential by nature are not reported either: pagination
//! and polling loops whose condition depends on what the body fetched
//! (`while (hasMore)`, `do … while (cursor)`), `while (true)` loops, retry
//! loops, loops over a literal array, and loops that `return` the call's
//! result. In `map` callbacks (already concurrent) only database calls are
//! reported.
//!
//! ## Why is this bad?
//! Every iteration pays a full network round trip. With ten rows in
//! development nobody notices; with ten thousand in production the endpoint
//! times out and the database is flooded with tiny queries. One batched query
//! (`WHERE id IN (…)`) does the same work in one round trip.
//!
//! ## Example
//! ```ts
//! for (const order of orders) {
//!   const customer = await prisma.customer.findUnique({ where: { id: order.customerId } });
//!   lines.push(`${customer?.name}: ${order.total}`);
//! }
//! ```
//!
//! Use instead:
//! ```ts
//! const ids = [...new Set(orders.map((o) => o.customerId))];
//! const customers = await prisma.customer.findMany({ where: { id: { in: ids } } });
//! const byId = new Map(customers.map((c) => [c.id, c]));
//! for (const order of orders) {
//!   lines.push(`${byId.get(order.customerId)?.name}: ${order.total}`);
//! }
//! ```

use std::collections::HashSet;

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::{
    identifier_words, is_js_function, is_js_loop, member_call, preorder, unwrap_expression,
};

pub static META: RuleMeta = RuleMeta {
    id: "query-efficiency/call-in-loop",
    item: ChecklistItem::QueryEfficiency,
    severity: Severity::Warning,
    languages: &[Language::TypeScript, Language::Tsx, Language::JavaScript],
    summary: "An awaited database or HTTP call inside a loop or an async map/forEach callback (N+1)",
};

pub struct CallInLoop;

impl Rule for CallInLoop {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(root) = ctx.root() else {
            return;
        };
        for node in preorder(root) {
            let found = match node.kind() {
                "await_expression" => awaited(ctx, node),
                "call_expression" => returned_to_promise_all(ctx, node),
                _ => None,
            };
            if let Some(found) = found {
                out.push(report(ctx, &found));
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CallKind {
    DbRead,
    DbWrite,
    Http,
}

impl CallKind {
    fn is_db(self) -> bool {
        matches!(self, CallKind::DbRead | CallKind::DbWrite)
    }
}

/// What repeats the call.
enum Repetition<'t> {
    Loop(Node<'t>),
    /// `xs.forEach(async …)`: the call node of `forEach`.
    ForEach(Node<'t>),
    /// `xs.map(async …)` / `flatMap`: the call node of `map`.
    Map(Node<'t>),
}

struct Found<'t> {
    /// The awaited (or returned) call.
    call: Node<'t>,
    kind: CallKind,
    repetition: Repetition<'t>,
    line: u32,
}

/// `await <db or http call>` repeated by a loop or an iteration callback.
fn awaited<'t>(ctx: &RuleContext<'_>, await_expr: Node<'t>) -> Option<Found<'t>> {
    let outer = unwrap_expression(await_expr.named_child(0)?);
    let (call, kind) = round_trip_in_chain(ctx, outer)?;
    let repetition = repetition(ctx, await_expr)?;
    let reported = match repetition {
        Repetition::Loop(_) | Repetition::ForEach(_) => true,
        // `map` callbacks already run concurrently; only the N queries remain
        // a problem, N concurrent HTTP requests are the usual fix.
        Repetition::Map(_) => kind.is_db(),
    };
    reported.then(|| Found {
        call,
        kind,
        repetition,
        line: ctx.line(await_expr),
    })
}

/// The database or HTTP call an awaited expression consists of, looking
/// through calls chained on its result: `fetch(u).then(…)`,
/// `got(u).json()`, `db.find(q).catch(…)`.
fn round_trip_in_chain<'t>(ctx: &RuleContext<'_>, expr: Node<'t>) -> Option<(Node<'t>, CallKind)> {
    let mut call = expr;
    loop {
        if call.kind() != "call_expression" {
            return None;
        }
        let receiver = member_call(call);
        // Promise plumbing is never the round trip itself.
        let plumbing =
            receiver.is_some_and(|(_, m)| matches!(ctx.text(m), "then" | "catch" | "finally"));
        if !plumbing && let Some(kind) = classify(ctx, call) {
            return Some((call, kind));
        }
        call = unwrap_expression(receiver?.0);
    }
}

/// `Promise.all(ids.map((id) => db.user.findUnique(…)))`: the query is not
/// awaited by itself but by `Promise.all`, one per element.
fn returned_to_promise_all<'t>(ctx: &RuleContext<'_>, call: Node<'t>) -> Option<Found<'t>> {
    let parent = call.parent()?;
    let callback = match parent.kind() {
        "arrow_function" if parent.child_by_field_name("body") == Some(call) => parent,
        "return_statement" => {
            let block = parent.parent()?;
            let function = block.parent()?;
            if block.kind() != "statement_block" || !is_js_function(function) {
                return None;
            }
            function
        }
        _ => return None,
    };
    let kind = classify(ctx, call)?;
    if !kind.is_db() {
        return None;
    }
    let map_call = iteration_call(ctx, callback, &["map", "flatMap"])?;
    let all = map_call.parent()?.parent()?;
    let all_callee = all.child_by_field_name("function").map(|f| ctx.text(f));
    if all.kind() != "call_expression"
        || !matches!(all_callee, Some("Promise.all" | "Promise.allSettled"))
        || !matches!(
            all.parent().map(|p| p.kind()),
            Some("await_expression" | "return_statement" | "arrow_function")
        )
    {
        return None;
    }
    Some(Found {
        call,
        kind,
        repetition: Repetition::Map(map_call),
        line: ctx.line(call),
    })
}

/// What makes the code at `start` run repeatedly within its function, if
/// anything: the nearest enclosing loop body, or an iteration callback.
fn repetition<'t>(ctx: &RuleContext<'_>, start: Node<'t>) -> Option<Repetition<'t>> {
    let mut child = start;
    // A `return` between the call and the loop exits on the first result.
    let mut returns = false;
    while let Some(parent) = child.parent() {
        if parent.kind() == "return_statement" {
            returns = true;
        }
        if is_js_loop(parent) {
            if parent.child_by_field_name("body") == Some(child) {
                let repeats = !returns && !sequential_by_design(ctx, parent);
                return repeats.then_some(Repetition::Loop(parent));
            }
        } else if is_js_function(parent) {
            if let Some(call) = iteration_call(ctx, parent, &["forEach"]) {
                return Some(Repetition::ForEach(call));
            }
            return iteration_call(ctx, parent, &["map", "flatMap"]).map(Repetition::Map);
        }
        child = parent;
    }
    None
}

/// The `xs.<method>(callback)` call that `callback` is passed to.
fn iteration_call<'t>(
    ctx: &RuleContext<'_>,
    callback: Node<'t>,
    methods: &[&str],
) -> Option<Node<'t>> {
    let args = callback.parent()?;
    let call = args.parent()?;
    if args.kind() != "arguments" || call.kind() != "call_expression" {
        return None;
    }
    let (_, method) = member_call(call)?;
    let first_arg = args.named_child(0)?;
    (methods.contains(&ctx.text(method)) && first_arg == callback).then_some(call)
}

/// Loops that cannot be batched: each iteration needs the previous result
/// (pagination, polling, cursors), retries, or a fixed list of literals.
fn sequential_by_design(ctx: &RuleContext<'_>, lp: Node<'_>) -> bool {
    let body = lp.child_by_field_name("body");
    let mut controls: Vec<Node<'_>> = Vec::new();
    match lp.kind() {
        "for_in_statement" => {
            return lp
                .child_by_field_name("right")
                .is_some_and(|r| unwrap_expression(r).kind() == "array");
        }
        "for_statement" => {
            let condition = lp
                .child_by_field_name("condition")
                .filter(|c| c.kind() != "empty_statement" && !ctx.text(*c).trim().is_empty());
            let Some(condition) = condition else {
                return true; // `for (;;)` ends by `break`/`return`.
            };
            controls.push(condition);
            controls.extend(lp.child_by_field_name("increment"));
            controls.extend(lp.child_by_field_name("initializer"));
        }
        _ => controls.extend(lp.child_by_field_name("condition")),
    }
    let control_text: String = controls
        .iter()
        .map(|c| ctx.text(*c).to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    let bare = control_text
        .trim_matches(|c: char| c == '(' || c == ')' || c == ';' || c.is_whitespace())
        .to_string();
    if bare == "true" || bare == "1" {
        return true; // polling / worker loop ended by `break`.
    }
    const SEQUENTIAL_WORDS: &[&str] = &[
        "cursor",
        "hasmore",
        "has_more",
        "hasnext",
        "has_next",
        "nextpage",
        "next_page",
        "nexttoken",
        "next_token",
        "pagetoken",
        "page_token",
        "continuation",
        "nextlink",
        "next_link",
        "nexturl",
        "attempt",
        "retry",
        "retries",
        "tries",
    ];
    if SEQUENTIAL_WORDS.iter().any(|w| control_text.contains(w)) {
        return true;
    }
    if controls
        .iter()
        .any(|c| preorder(*c).any(|n| n.kind() == "await_expression"))
    {
        return true;
    }
    // `while (page)` … `page = res.next`: the condition reads what the body
    // wrote, so the next iteration depends on this one's result.
    let Some(body) = body else {
        return false;
    };
    let read: HashSet<&str> = controls
        .iter()
        .flat_map(|c| preorder(*c))
        .filter(|n| matches!(n.kind(), "identifier" | "member_expression"))
        .map(|n| ctx.text(n))
        .collect();
    let written = assigned_names(ctx, body);
    written.iter().any(|w| read.contains(w))
}

/// Names (and `a.b` paths) assigned anywhere in a loop body.
fn assigned_names<'s>(ctx: &RuleContext<'s>, body: Node<'_>) -> HashSet<&'s str> {
    let mut names = HashSet::new();
    for node in preorder(body) {
        let target = match node.kind() {
            "assignment_expression" | "augmented_assignment_expression" => {
                node.child_by_field_name("left")
            }
            // `var` is function-scoped, so the loop condition can read it.
            "variable_declarator"
                if node
                    .parent()
                    .is_some_and(|d| d.kind() == "variable_declaration") =>
            {
                node.child_by_field_name("name")
            }
            _ => None,
        };
        let Some(target) = target else {
            continue;
        };
        names.insert(ctx.text(target));
        for part in preorder(target) {
            if matches!(
                part.kind(),
                "identifier" | "shorthand_property_identifier_pattern" | "member_expression"
            ) {
                names.insert(ctx.text(part));
            }
        }
    }
    names
}

/// Whether a call is a database/ORM or HTTP round trip, judged by its callee.
fn classify(ctx: &RuleContext<'_>, call: Node<'_>) -> Option<CallKind> {
    let function = unwrap_expression(call.child_by_field_name("function")?);
    let args = call.child_by_field_name("arguments");
    match function.kind() {
        "identifier" => {
            let name = ctx.text(function);
            if HTTP_FUNCTIONS.contains(&name) {
                return Some(CallKind::Http);
            }
            let tagged = args.is_some_and(|a| a.kind() == "template_string");
            (tagged && name == "sql").then_some(CallKind::DbRead)
        }
        "member_expression" => {
            let method = ctx.text(function.child_by_field_name("property")?);
            let receiver = unwrap_expression(function.child_by_field_name("object")?);
            classify_method(ctx, receiver, method, args)
        }
        _ => None,
    }
}

const HTTP_FUNCTIONS: &[&str] = &[
    "fetch",
    "$fetch",
    "ofetch",
    "axios",
    "got",
    "ky",
    "superagent",
];
const HTTP_VERBS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request",
];
const HTTP_CLIENTS: &[&str] = &["axios", "got", "ky", "superagent"];
const DB_WORDS: &[&str] = &[
    "db",
    "database",
    "prisma",
    "knex",
    "supabase",
    "sequelize",
    "mongoose",
    "typeorm",
    "drizzle",
    "kysely",
    "repo",
    "repository",
    "repositories",
    "model",
    "models",
    "orm",
    "client",
    "pool",
    "conn",
    "connection",
    "tx",
    "trx",
    "transaction",
    "em",
    "collection",
    "dao",
    "datasource",
];
const DB_READS: &[&str] = &[
    "findOne",
    "findUnique",
    "findUniqueOrThrow",
    "findFirst",
    "findFirstOrThrow",
    "findMany",
    "findById",
    "findByPk",
    "findAll",
    "findOneBy",
    "findBy",
    "find",
    "select",
    "count",
    "countDocuments",
    "aggregate",
    "first",
    "query",
    "execute",
];
const DB_WRITES: &[&str] = &[
    "create",
    "createMany",
    "update",
    "updateMany",
    "updateOne",
    "upsert",
    "delete",
    "deleteMany",
    "deleteOne",
    "destroy",
    "save",
    "insert",
    "insertOne",
    "insertMany",
    "bulkCreate",
    "findOneAndUpdate",
    "findOneAndDelete",
];
/// Static methods that only ORMs define: `User.findById(id)` is a query even
/// without a database-like name. Generic names (`create`, `find`) are left
/// out: `Foo.create()` is as often a factory as a model.
const MODEL_STATICS: &[&str] = &[
    "findById",
    "findByPk",
    "findOne",
    "findAll",
    "findOneAndUpdate",
    "findOneAndDelete",
    "countDocuments",
    "updateOne",
    "updateMany",
    "deleteOne",
    "deleteMany",
    "insertMany",
    "bulkCreate",
];
const JS_GLOBALS: &[&str] = &[
    "Object", "Array", "Promise", "Reflect", "Math", "JSON", "Date", "Number", "String", "Symbol",
    "Map", "Set", "WeakMap", "WeakSet", "BigInt", "Intl", "URL", "Buffer", "Atomics", "Proxy",
    "Error",
];

fn db_kind(method: &str) -> Option<CallKind> {
    if DB_WRITES.contains(&method) {
        Some(CallKind::DbWrite)
    } else if DB_READS.contains(&method) {
        Some(CallKind::DbRead)
    } else {
        None
    }
}

fn classify_method(
    ctx: &RuleContext<'_>,
    receiver: Node<'_>,
    method: &str,
    args: Option<Node<'_>>,
) -> Option<CallKind> {
    let chain = receiver_chain(ctx, receiver);
    let nearest = chain.last().map(|(name, _)| *name).unwrap_or("");

    // HTTP
    if method == "fetch" && matches!(nearest, "window" | "globalThis" | "self") {
        return Some(CallKind::Http);
    }
    if HTTP_VERBS.contains(&method) && chain.len() <= 2 {
        let words = identifier_words(nearest);
        if HTTP_CLIENTS.contains(&nearest)
            || words
                .iter()
                .any(|w| matches!(w.as_str(), "http" | "https" | "api"))
        {
            return Some(CallKind::Http);
        }
    }

    // Database
    if method.starts_with("$query") || method.starts_with("$execute") {
        return Some(CallKind::DbRead);
    }
    let db_receiver = chain.iter().any(|(name, _)| {
        identifier_words(name)
            .iter()
            .any(|w| DB_WORDS.contains(&w.as_str()))
    });
    if db_receiver {
        if let Some(kind) = db_kind(method) {
            return Some(kind);
        }
        // Query builders: `supabase.from("t").select("*").eq("id", id)`,
        // `knex("t").where(…).del()` — the verb is earlier in the chain.
        let verb = chain
            .iter()
            .filter(|(_, called)| *called)
            .find_map(|(name, _)| {
                db_kind(name).or_else(|| (*name == "from").then_some(CallKind::DbRead))
            });
        if verb.is_some() {
            return verb;
        }
    }
    if matches!(method, "query" | "execute") && args.is_some_and(|a| first_arg_is_sql(ctx, a)) {
        return Some(CallKind::DbRead);
    }
    let pascal_model = chain.len() == 1
        && nearest.starts_with(|c: char| c.is_ascii_uppercase())
        && nearest.chars().any(|c| c.is_ascii_lowercase())
        && !JS_GLOBALS.contains(&nearest);
    if pascal_model && MODEL_STATICS.contains(&method) {
        return db_kind(method);
    }
    None
}

/// The names along a receiver expression, root first, each with whether it
/// was called: `knex("users").where(q)` → `knex`(called), `where`(called).
fn receiver_chain<'s>(ctx: &RuleContext<'s>, expr: Node<'_>) -> Vec<(&'s str, bool)> {
    let mut chain = Vec::new();
    let mut expr = unwrap_expression(expr);
    let mut called = false;
    loop {
        match expr.kind() {
            "call_expression" => {
                called = true;
                match expr.child_by_field_name("function") {
                    Some(f) => expr = unwrap_expression(f),
                    None => break,
                }
                continue;
            }
            "member_expression" => {
                if let Some(p) = expr.child_by_field_name("property") {
                    chain.push((ctx.text(p), called));
                }
                called = false;
                match expr.child_by_field_name("object") {
                    Some(o) => expr = unwrap_expression(o),
                    None => break,
                }
                continue;
            }
            "subscript_expression" => {
                called = false;
                match expr.child_by_field_name("object") {
                    Some(o) => expr = unwrap_expression(o),
                    None => break,
                }
                continue;
            }
            "identifier" | "this" => chain.push((ctx.text(expr), called)),
            _ => {}
        }
        break;
    }
    chain.reverse();
    chain
}

fn first_arg_is_sql(ctx: &RuleContext<'_>, args: Node<'_>) -> bool {
    let Some(first) = args.named_child(0) else {
        return false;
    };
    if !matches!(first.kind(), "string" | "template_string") {
        return false;
    }
    let text = ctx
        .text(first)
        .trim_start_matches(['"', '\'', '`'])
        .trim_start()
        .to_ascii_uppercase();
    [
        "SELECT ", "INSERT ", "UPDATE ", "DELETE ", "WITH ", "UPSERT ", "MERGE ",
    ]
    .iter()
    .any(|kw| text.starts_with(kw))
}

fn loop_label(ctx: &RuleContext<'_>, lp: Node<'_>) -> String {
    match lp.kind() {
        "for_in_statement" => {
            let mut cursor = lp.walk();
            let kinds: Vec<&str> = lp.children(&mut cursor).map(|c| c.kind()).collect();
            let form = if kinds.contains(&"of") {
                if kinds.contains(&"await") {
                    "for await…of"
                } else {
                    "for…of"
                }
            } else {
                "for…in"
            };
            match lp.child_by_field_name("right") {
                Some(right) => format!("`{form}` loop over `{}`", quote(ctx.text(right), 40)),
                None => format!("`{form}` loop"),
            }
        }
        "while_statement" => "`while` loop".to_string(),
        "do_statement" => "`do…while` loop".to_string(),
        _ => "`for` loop".to_string(),
    }
}

fn iteration_label(ctx: &RuleContext<'_>, call: Node<'_>, method: &str) -> String {
    let receiver = member_call(call)
        .map(|(r, _)| quote(ctx.text(r), 40))
        .unwrap_or_default();
    let is_async = call
        .child_by_field_name("arguments")
        .and_then(|a| a.named_child(0))
        .is_some_and(|cb| ctx.text(cb).starts_with("async"));
    let head = if is_async { "async …" } else { "…" };
    format!("`{receiver}.{method}({head})` callback")
}

fn report(ctx: &RuleContext<'_>, found: &Found<'_>) -> Finding {
    let callee = found
        .call
        .child_by_field_name("function")
        .map(|f| quote(ctx.text(f), 60))
        .unwrap_or_default();
    let symbol = ctx.symbol_for(found.call);
    let in_symbol = symbol
        .as_deref()
        .map(|s| format!(" in `{s}`"))
        .unwrap_or_default();
    let (where_, short) = match found.repetition {
        Repetition::Loop(lp) => (loop_label(ctx, lp), "loop"),
        Repetition::ForEach(call) => (iteration_label(ctx, call, "forEach"), "forEach"),
        Repetition::Map(call) => {
            let method = member_call(call).map(|(_, m)| ctx.text(m)).unwrap_or("map");
            (iteration_label(ctx, call, method), "map")
        }
    };
    let unit = if found.kind.is_db() {
        "query"
    } else {
        "request"
    };

    let title = match found.repetition {
        Repetition::Loop(_) if found.kind.is_db() => {
            format!("`{callee}` awaited once per iteration of a loop (N+1 queries)")
        }
        Repetition::Loop(_) => format!("`{callee}` request awaited once per iteration of a loop"),
        Repetition::ForEach(_) => format!("`{callee}` runs once per element in `forEach(async …)`"),
        Repetition::Map(_) => format!("`{callee}` runs one query per element in `map` (N+1)"),
    };

    let cost = match (&found.repetition, found.kind) {
        (Repetition::Loop(_), CallKind::Http) => format!(
            "`{callee}(…)` is awaited inside this {where_}{in_symbol}: N elements make N HTTP \
             requests one after another, so the latency of the whole operation grows linearly \
             with the data."
        ),
        (Repetition::Loop(_), _) => format!(
            "`{callee}(…)` is awaited inside this {where_}{in_symbol}: N elements cost N \
             sequential database round trips — the N+1 query pattern. It is unnoticeable with \
             test data and the slowest part of the request in production."
        ),
        (Repetition::ForEach(_), _) => format!(
            "`{callee}(…)` runs once per element in this {where_}{in_symbol}. `forEach` does not \
             wait for async callbacks: all N {unit}s start at once, nothing awaits them, and \
             their failures become unhandled rejections."
        ),
        (Repetition::Map(_), _) => format!(
            "`{callee}(…)` runs once per element in this {where_}{in_symbol}. Even when the \
             promises are awaited together with `Promise.all`, it is still N queries instead of \
             one, taking up to N connections from the pool at the same time."
        ),
    };
    let remedy = match found.kind {
        CallKind::DbRead => {
            "Load everything in one query before iterating — `findMany({ where: { id: { in: ids } } })` \
             with Prisma, `WHERE id IN (…)` / `= ANY($1)` in SQL, `$in` with MongoDB — put the \
             rows in a `Map` keyed by id, and look each element's row up there."
        }
        CallKind::DbWrite => {
            "Use the bulk form — `createMany`/`insertMany`, one multi-row `INSERT … VALUES`, \
             `updateMany`/`deleteMany` with `IN (…)` — or at least run the writes in a single \
             transaction."
        }
        CallKind::Http => {
            "If the requests are independent, run them concurrently with a bounded limit (e.g. \
             `p-limit` with 5–10 in flight, then `Promise.all`), or use the API's batch endpoint \
             if it has one. Keep them sequential only if each request needs the previous \
             response."
        }
    };
    let message = format!("{cost}\n\n{remedy}");

    let fix = match found.kind {
        CallKind::DbRead => format!(
            "Collect the keys first, load all rows with one batched query instead of \
             `{callee}` per element, index them by key, and read each element's row from that \
             index. Preserve the current behaviour for keys that have no row and the order of \
             any results."
        ),
        CallKind::DbWrite => format!(
            "Replace the per-element `{callee}` calls with one bulk write (or a single \
             transaction around them if no bulk form fits), keeping all-or-nothing semantics if \
             the current code relies on them."
        ),
        CallKind::Http => format!(
            "Issue the independent `{callee}` requests concurrently with bounded concurrency \
             (or through a batch endpoint), preserving the order of results and the current \
             behaviour when one request fails."
        ),
    };

    // The callee identifies the finding within its symbol; the arguments may
    // be reworded without it becoming a different problem.
    let code = format!(
        "{short} {}",
        ctx.text(
            found
                .call
                .child_by_field_name("function")
                .unwrap_or(found.call)
        )
    );
    ctx.finding(&META, found.line, symbol.clone(), &code)
        .title(title)
        .message(message)
        .symptom(format!(
            "`{callee}` issues one {unit} per element inside the {where_}{in_symbol}."
        ))
        .root_cause(format!(
            "Data is fetched or written element by element instead of in one batch, so every \
             element pays a full {} round trip.",
            if found.kind.is_db() {
                "database"
            } else {
                "network"
            }
        ))
        .fix(fix)
        .scope(
            "Change only this loop and the data access it needs. Keep the function's signature, \
             its return value (including order) and its error behaviour; do not change the \
             query's filters or selected fields beyond batching, and do not touch unrelated \
             queries.",
        )
        .build()
}
