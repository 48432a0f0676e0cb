//! `query-efficiency/call-in-loop`: a database or HTTP round trip per loop
//! iteration (the N+1 pattern).
//!
//! ## What it does
//! In JavaScript and TypeScript, finds an `await`ed database, ORM or HTTP call
//! inside the body of a `for`, `for…of`, `for…in`, `while` or `do` loop, or
//! inside an async `forEach`/`map` callback (not a `forEach(async …)` callback
//! whose only statement is the call: that loop is reported once, by
//! `async-races/async-foreach`). A call counts as database or HTTP by its
//! callee:
//! - HTTP: `fetch`, a wrapper named with the word `fetch` given a URL
//!   (`apiFetch("/api/contacts", …)`, ``fetchJson(`${BASE}/users`)``),
//!   `axios(…)`/`axios.get(…)`, `got`, `ky`, `http(s).request`,
//!   `get`/`post`/… on an `http`/`api` client;
//! - database: `.query`/`.execute` on a database-like receiver or with an SQL
//!   string, Prisma's `$queryRaw`, `sql` tagged templates, and ORM methods
//!   (`findUnique`, `findMany`, `findOne`, `find`, `create`, `update`,
//!   `save`, `insert`, `select`, `count`, …) on a receiver named like a
//!   database handle (`db`, `prisma`, `knex`, `supabase`, `repo`,
//!   `repository`, `model`, `client`, `pool`, `tx`, `this.userRepository`…)
//!   or on a Mongoose/Sequelize-style model (`User.findById`; with the
//!   generic names too, `Item.update(…)`, when the file shows `Item` is a
//!   model: it calls an ORM-only static such as `Item.bulkCreate` on it, or
//!   imports it from a `models` module of the project). A receiver
//!   whose every typed declaration in the file names a repository or DAO
//!   type (`constructor(private readonly orders: OrderRepository)`) counts
//!   as a database handle whatever its name, and its derived queries
//!   (`findBy…`, `findAllBy…`, `countBy…`) count as reads.
//!
//! A call of an async function of the same file (the only one of that name)
//! whose body awaits such a call counts as that call inside a loop body:
//! `await fetchProduct(sku)` in a `for`, with `fetchProduct` awaiting
//! `fetch` (not in callbacks, where the missing await is reported by
//! `async-races`).
//!
//! Type arguments do not hide the call (`await client.query<Row>(sql, …)`),
//! and a transaction around the whole loop (`BEGIN` … `COMMIT`) does not
//! excuse it: it is still one round trip per element.
//!
//! `Promise.all(ids.map((id) => db.user.findUnique(…)))` is reported too: the
//! queries run concurrently, but it is still one query per element.
//!
//! In the other languages the call does not need to be awaited (their
//! clients block), and it is reported inside a loop body, a Python
//! comprehension or a Java `forEach`/`map` stream lambda:
//! - Python: Django `Model.objects.<anything>(…)`, Flask-SQLAlchemy
//!   `Model.query.…`, SQLAlchemy `session.query/execute/scalar(s)` and
//!   `session.get(Model, id)`, DB-API/asyncpg `cursor.execute`,
//!   `conn.fetchrow`…, PyMongo `find_one`/`update_one`…, `requests.get`,
//!   `httpx.post`, `urlopen`, and `get`/`post`/… on an `http`/`api` client, or
//!   on a `client`/`session` when awaited, opened with `async with` (aiohttp)
//!   or given a URL. Comprehensions passed to `asyncio.gather` are concurrent:
//!   only database calls are reported there.
//! - Go: `database/sql`, sqlx, pgx and GORM methods (`Query`, `QueryRow`,
//!   `Exec`, `Get`, `Select`, `First`, `Find`, `Create`, `Save`, `Update`, …
//!   and their `Context` forms) on a `db`/`tx`/`conn`/`pool`/`orm`/`repo`
//!   receiver, sqlc `queries.X(…)` (also any name the file declares as
//!   `*db.Queries`: `h.q.GetCrane(ctx, id)`), `http.Get/Post`, and `Do`/`Get`/`Post`
//!   on an HTTP client. Goroutines and `errgroup` callbacks are not the loop.
//! - Java: Spring Data repository methods (`findById`, `findBy…`, `save`,
//!   `deleteById`, …) on a `…Repository`/`…Dao`/`…Mapper` (by name, or by
//!   the declared type of the field, parameter or local), `JdbcTemplate`
//!   (`query…`, `update`, `execute`), `EntityManager` (`find`,
//!   `createQuery(…).getResultList()`), `RestTemplate` (`getForObject`,
//!   `exchange`, …), `WebClient` chains ending in `block()`, `HttpClient.send`
//!   and OkHttp `newCall(…).execute()`, a MyBatis mapper's `find…`/`select…`
//!   methods (any name after the prefix, on a receiver named or typed
//!   `…Mapper`, not Jackson's `ObjectMapper` and kin), and Quarkus Panache
//!   entity statics (`Entity.list(…)`, `find`, `findById`, `count`,
//!   `delete`, …) in a file that imports Panache. On a receiver named or
//!   typed as a repository or DAO, any method named after a reading verb
//!   (`find…`, `count…`, `exists…`, `search…`, `select…`:
//!   `countAvailableInZone`) is a read. `parallelStream()` is not
//!   reported, nor callbacks that run once at most: `map`/`flatMap` on an
//!   `Optional` or a `Mono` (`findById(id).map(…)`, `Mono.just(x)`,
//!   `flux.next().flatMap(…)`). A loop that loads an entity through a
//!   repository and `save`s it back through the same one is reported once,
//!   on the load.
//!   A call of a method of the same class (`findById(id)`, `this.touch(id)`,
//!   same name and arity) whose body makes one of these calls, or runs a
//!   JDBC statement (`executeQuery`, `executeUpdate`, `executeBatch`), counts
//!   as that call; the helper's own calls of local methods are not followed.
//! - Rust: sqlx `query…(…).fetch_*(…)`/`.execute(…)` (functions and macros),
//!   tokio-postgres `client.query*(…).await`, diesel `.load/.get_result(s)/
//!   .first(conn)`, sea-orm `.one/.all(&db)`, and reqwest `….send().await`.
//!   An awaited call of the only `async fn` of the file with that name and
//!   arity (`self.fetch_day(course, date).await?`, `load(id).await`) whose
//!   body makes exactly one of these calls counts as that call (one making
//!   several is a unit of work per item).
//!   Database calls in iterator closures (`orders.iter().map(|o| sqlx::query(…)
//!   .fetch_one(&pool))` collected into `join_all`) are reported like
//!   `Promise.all(ids.map(…))`; HTTP requests there
//!   (`stream::iter(…).map(…).buffer_unordered(n)`) are not.
//!
//! `users.find(u => …)` is an array method, not a query, and is not reported;
//! neither is a service-layer call (`userService.findById`) that may or may
//! not hit the database. Loops that are sequential by nature are not reported
//! either: pagination and polling loops whose condition depends on what the
//! body fetched (`while (hasMore)`, `do … while (cursor)`, `while next_url:`),
//! `while True`/`for {}`/`loop` worker loops, loops whose condition awaits
//! (`while let Some(job) = rx.recv().await`), retry loops, loops over a
//! literal list (`for t in ("a", "b")`, `List.of("a", "b")`), loops whose
//! body opens a transaction per element (`with transaction.atomic():`,
//! `db.BeginTx`: one unit of work per item, on purpose), and loops that
//! `return` the call's result. In JavaScript `map` callbacks (already
//! concurrent) only database calls are reported. Loops that already work in
//! batches (`for (i = 0; i < n; i += batchSize)`, loops over
//! `chunk(rows, 500)`/`batches`, a call given a slice
//! `rows[i:end]`) are not reported, nor loops that execute the loop variable
//! as SQL (`for stmt in statements: cursor.execute(stmt)`: a script). Test files and migrations (one-off data
//! migrations run row by row on purpose) are not checked.
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
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity, is_migration_path};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{
    identifier_words, is_js_function, is_js_loop, is_test_file, loop_iterable, member_call,
    preorder, unwrap_expression,
};

mod polyglot;

pub static META: RuleMeta = RuleMeta {
    id: "query-efficiency/call-in-loop",
    item: ChecklistItem::QueryEfficiency,
    severity: Severity::Warning,
    languages: Language::CODE,
    summary: "A database or HTTP call inside a loop, comprehension or per-element callback (N+1)",
};

pub struct CallInLoop;

impl Rule for CallInLoop {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let (Some(_), Some(language)) = (ctx.root(), ctx.language) else {
            return;
        };
        // Tests call the database and HTTP fakes in loops on purpose; data
        // migrations (Django `migrations/*.py`) run once, row by row.
        if is_test_file(ctx.path) || is_migration_path(ctx.path) {
            return;
        }
        if !language.is_js_family() {
            for found in polyglot::find(ctx, language) {
                out.push(report(ctx, &found));
            }
            return;
        }
        for node in ctx.nodes_in_order(&["await_expression", "call_expression"]) {
            let found = match node.kind_str() {
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
    /// `xs.map(async …)` / `flatMap`: the call node of `map` (in Java,
    /// the `forEach`/`map` a lambda is passed to).
    Map(Node<'t>),
    /// A Python list/set/dict comprehension or generator expression.
    Comprehension(Node<'t>),
}

struct Found<'t> {
    /// The awaited (or returned) call.
    call: Node<'t>,
    kind: CallKind,
    repetition: Repetition<'t>,
    line: u32,
    /// Whether the call is awaited; Go, Java and synchronous Python and
    /// Rust calls block instead.
    awaited: bool,
}

/// `await <db or http call>` repeated by a loop or an iteration callback.
fn awaited<'t>(ctx: &RuleContext<'_>, await_expr: Node<'t>) -> Option<Found<'t>> {
    let outer = match generic_call_of_await(await_expr) {
        Some(call) => call,
        None => unwrap_expression(await_expr.named_child(0)?),
    };
    let (call, kind) = round_trip_in_chain(ctx, outer)?;
    let repetition = repetition(ctx, await_expr)?;
    // A local helper's round trip is reported in plain loops only: in an
    // `async` callback the missing await is `async-races`' finding.
    let via_helper = callee_of(call).is_some_and(|f| {
        f.kind_str() == "identifier"
            && !HTTP_FUNCTIONS.contains(&ctx.text(f))
            && ctx.text(f) != "sql"
    });
    if via_helper && !matches!(repetition, Repetition::Loop(_)) {
        return None;
    }
    let reported = match repetition {
        Repetition::Loop(_) | Repetition::ForEach(_) | Repetition::Comprehension(_) => true,
        // `map` callbacks already run concurrently; only the N queries remain
        // a problem, N concurrent HTTP requests are the usual fix.
        Repetition::Map(_) => kind.is_db(),
    };
    reported.then(|| Found {
        call,
        kind,
        repetition,
        line: ctx.line(await_expr),
        awaited: true,
    })
}

/// tree-sitter-typescript reads `await client.query<Row>(sql)` as a call
/// of `await client.query` with type arguments: the call whose callee is
/// the `await`, which is the awaited call.
fn generic_call_of_await(await_expr: Node<'_>) -> Option<Node<'_>> {
    let parent = await_expr.parent()?;
    (parent.kind_str() == "call_expression"
        && parent.field("function") == Some(await_expr)
        && parent.field("type_arguments").is_some())
    .then_some(parent)
}

/// The callee of a call, seen through that misparse.
fn callee_of(call: Node<'_>) -> Option<Node<'_>> {
    let function = unwrap_expression(call.field("function")?);
    if function.kind_str() == "await_expression" && call.field("type_arguments").is_some() {
        return function.named_child(0).map(unwrap_expression);
    }
    Some(function)
}

/// The database or HTTP call an awaited expression consists of, looking
/// through calls chained on its result: `fetch(u).then(…)`,
/// `got(u).json()`, `db.find(q).catch(…)`.
fn round_trip_in_chain<'t>(ctx: &RuleContext<'_>, expr: Node<'t>) -> Option<(Node<'t>, CallKind)> {
    let mut call = expr;
    loop {
        if call.kind_str() != "call_expression" {
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
    // Most calls stop here: ask the context's parent table first, cheaper
    // than `Node::parent`.
    if let Some(parent) = ctx.parent(call)
        && !matches!(ctx.kind(parent), "arrow_function" | "return_statement")
    {
        return None;
    }
    let parent = call.parent()?;
    let callback = match parent.kind_str() {
        "arrow_function" if parent.field("body") == Some(call) => parent,
        "return_statement" => {
            let block = parent.parent()?;
            let function = block.parent()?;
            if block.kind_str() != "statement_block" || !is_js_function(function) {
                return None;
            }
            function
        }
        _ => return None,
    };
    let kind = classify_call(ctx, call, false)?;
    if !kind.is_db() {
        return None;
    }
    let map_call = iteration_call(ctx, callback, &["map", "flatMap"])?;
    let all = map_call.parent()?.parent()?;
    let all_callee = all.field("function").map(|f| ctx.text(f));
    if all.kind_str() != "call_expression"
        || !matches!(all_callee, Some("Promise.all" | "Promise.allSettled"))
        || !matches!(
            all.parent().map(|p| p.kind_str()),
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
        awaited: false,
    })
}

/// What makes the code at `start` run repeatedly within its function, if
/// anything: the nearest enclosing loop body, or an iteration callback.
fn repetition<'t>(ctx: &RuleContext<'_>, start: Node<'t>) -> Option<Repetition<'t>> {
    let mut child = start;
    // A `return` between the call and the loop exits on the first result.
    let mut returns = false;
    while let Some(parent) = child.parent() {
        if parent.kind_str() == "return_statement" {
            returns = true;
        }
        if is_js_loop(parent) {
            if parent.field("body") == Some(child) {
                let repeats = !returns && !sequential_by_design(ctx, parent);
                return repeats.then_some(Repetition::Loop(parent));
            }
        } else if is_js_function(parent) {
            let batched = |call: &Node<'_>| {
                member_call(*call).is_some_and(|(receiver, _)| over_batches(ctx.text(receiver)))
            };
            if let Some(call) = iteration_call(ctx, parent, &["forEach"]) {
                // `chunk(rows, 500).forEach(async (batch) => …)` still does
                // not await its callbacks: that is `async-races`' finding.
                // So is a callback that is nothing but the awaited call: one
                // loop, one finding (`async-foreach`'s, on the line above).
                let only_statement = parent.field("body").is_some_and(|body| {
                    body.kind_str() != "statement_block"
                        || (body.named_children(&mut body.walk()))
                            .filter(|s| s.kind_str() != "comment")
                            .count()
                            == 1
                });
                return (!batched(&call) && !only_statement).then_some(Repetition::ForEach(call));
            }
            return iteration_call(ctx, parent, &["map", "flatMap"])
                .filter(|call| !batched(call))
                .map(Repetition::Map);
        }
        child = parent;
    }
    None
}

/// `chunk(rows, 500)`, `batches`, `itertools.batched(ids, 100)`,
/// `lo.Chunk(ids, 200)`: a collection of batches, so a round trip per
/// element is one per batch — the fix this rule asks for, already made. A
/// single `chunk`/`batch` is a batch of items: iterating it is per item.
pub(super) fn over_batches(collection: &str) -> bool {
    let callee = collection.split('(').next().unwrap_or("");
    let called_batcher = collection.contains('(')
        && callee
            .rsplit(['.', ':'])
            .next()
            .map(crate::syntax::identifier_words)
            .is_some_and(|words| {
                words.last().is_some_and(|w| {
                    matches!(
                        w.as_str(),
                        "chunk" | "chunks" | "chunked" | "batch" | "batches" | "batched"
                    )
                })
            });
    let plural = collection
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .flat_map(crate::syntax::identifier_words)
        .any(|w| matches!(w.as_str(), "chunks" | "batches"));
    called_batcher || plural
}

/// The `xs.<method>(callback)` call that `callback` is passed to.
fn iteration_call<'t>(
    ctx: &RuleContext<'_>,
    callback: Node<'t>,
    methods: &[&str],
) -> Option<Node<'t>> {
    let args = callback.parent()?;
    let call = args.parent()?;
    if args.kind_str() != "arguments" || call.kind_str() != "call_expression" {
        return None;
    }
    let (_, method) = member_call(call)?;
    let first_arg = args.named_child(0)?;
    (methods.contains(&ctx.text(method)) && first_arg == callback).then_some(call)
}

/// Loops that cannot be batched: each iteration needs the previous result
/// (pagination, polling, cursors), retries, or a fixed list of literals.
fn sequential_by_design(ctx: &RuleContext<'_>, lp: Node<'_>) -> bool {
    if lp.kind_str() == "for_in_statement"
        && lp.field("right").is_some_and(|r| over_batches(ctx.text(r)))
    {
        return true;
    }
    let body = lp.field("body");
    let mut controls: Vec<Node<'_>> = Vec::new();
    match lp.kind_str() {
        "for_in_statement" => {
            return lp
                .field("right")
                .is_some_and(|r| unwrap_expression(r).kind_str() == "array");
        }
        "for_statement" => {
            let condition = lp
                .field("condition")
                .filter(|c| c.kind_str() != "empty_statement" && !ctx.text(*c).trim().is_empty());
            let Some(condition) = condition else {
                return true; // `for (;;)` ends by `break`/`return`.
            };
            controls.push(condition);
            controls.extend(lp.field("increment"));
            controls.extend(lp.field("initializer"));
        }
        _ => controls.extend(lp.field("condition")),
    }
    if controls_are_sequential(ctx, &controls) {
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
        .filter(|n| matches!(n.kind_str(), "identifier" | "member_expression"))
        .map(|n| ctx.text(n))
        .collect();
    let written = assigned_names(ctx, body);
    written.iter().any(|w| read.contains(w))
}

/// Loop controls (condition, counter, iterable) that mark a loop as
/// sequential by design: `true` (worker/polling loops ended by `break`),
/// cursors and page tokens, retry counters, batch steps, or an `await` in
/// the condition (`while (job = await queue.next())`).
fn controls_are_sequential(ctx: &RuleContext<'_>, controls: &[Node<'_>]) -> bool {
    let control_text: String = controls
        .iter()
        .map(|c| ctx.text(*c).to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    is_sequential_control_text(&control_text)
        || controls
            .iter()
            .flat_map(|c| preorder(*c))
            .any(|n| matches!(n.kind_str(), "await_expression" | "await"))
}

fn is_sequential_control_text(control_text: &str) -> bool {
    let bare = control_text
        .trim_matches(|c: char| c == '(' || c == ')' || c == ';' || c.is_whitespace())
        .to_string();
    if bare == "true" || bare == "1" {
        return true;
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
    // `i += batchSize`: the loop already works in batches.
    let batched = control_text.split("+=").skip(1).any(|step| {
        let step = step.split([';', ')']).next().unwrap_or("");
        ["batch", "chunk", "size", "limit"]
            .iter()
            .any(|w| step.contains(w))
    });
    batched || SEQUENTIAL_WORDS.iter().any(|w| control_text.contains(w))
}

/// Names (and `a.b` paths) assigned anywhere in a loop body.
fn assigned_names<'s>(ctx: &RuleContext<'s>, body: Node<'_>) -> HashSet<&'s str> {
    let mut names = HashSet::new();
    for node in preorder(body) {
        let target = match node.kind_str() {
            "assignment_expression" | "augmented_assignment_expression" => node.field("left"),
            // `var` is function-scoped, so the loop condition can read it.
            "variable_declarator"
                if node
                    .parent()
                    .is_some_and(|d| d.kind_str() == "variable_declaration") =>
            {
                node.field("name")
            }
            _ => None,
        };
        let Some(target) = target else {
            continue;
        };
        names.insert(ctx.text(target));
        for part in preorder(target) {
            if matches!(
                part.kind_str(),
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
    classify_call(ctx, call, true)
}

/// `follow_local`: also look into an async function of the same file that
/// the call names (`await fetchProduct(sku)` whose body awaits `fetch`).
fn classify_call(ctx: &RuleContext<'_>, call: Node<'_>, follow_local: bool) -> Option<CallKind> {
    let function = callee_of(call)?;
    let args = call.field("arguments");
    match function.kind_str() {
        "identifier" => {
            let name = ctx.text(function);
            if HTTP_FUNCTIONS.contains(&name) || fetch_wrapper(ctx, name, args) {
                return Some(CallKind::Http);
            }
            let tagged = args.is_some_and(|a| a.kind_str() == "template_string");
            if tagged && name == "sql" {
                return Some(CallKind::DbRead);
            }
            if follow_local {
                local_round_trip(ctx, name)
            } else {
                None
            }
        }
        "member_expression" => {
            let method = ctx.text(function.field("property")?);
            let receiver = unwrap_expression(function.field("object")?);
            classify_method(ctx, receiver, method, args)
        }
        _ => None,
    }
}

/// `apiFetch("/api/contacts", …)`, ``fetchJson(`${BASE}/users/${id}`)``: a
/// project's wrapper around `fetch` (named with the word `fetch`) called with
/// a URL — an absolute path or an `http(s)://` address.
fn fetch_wrapper(ctx: &RuleContext<'_>, name: &str, args: Option<Node<'_>>) -> bool {
    if !identifier_words(name).iter().any(|w| w == "fetch") {
        return false;
    }
    let Some(url) = args.and_then(|a| a.named_child(0)) else {
        return false;
    };
    if !matches!(url.kind_str(), "string" | "template_string") {
        return false;
    }
    let text = ctx.text(url).trim_start_matches(['"', '\'', '`']);
    // `${API_BASE}/orders/${id}`: a base URL followed by a path.
    let after_base = text
        .strip_prefix("${")
        .and_then(|rest| rest.split_once('}'))
        .map(|(_, path)| path);
    text.starts_with('/')
        || text.starts_with("http://")
        || text.starts_with("https://")
        || after_base.is_some_and(|p| p.starts_with('/'))
}

/// The round trip made by the file's only async function called `name`
/// (`async function fetchProduct(sku) { return (await fetch(…)).json(); }`):
/// a call of it is that round trip. Its own calls of other local functions
/// are not followed.
fn local_round_trip(ctx: &RuleContext<'_>, name: &str) -> Option<CallKind> {
    let mut functions = ctx
        .nodes_of_kind(&["function_declaration", "variable_declarator"])
        .filter(|d| d.field("name").is_some_and(|n| ctx.text(n) == name))
        .map(|d| {
            if d.kind_str() == "variable_declarator" {
                d.field("value").map(unwrap_expression)
            } else {
                Some(d)
            }
        });
    let function = functions.next()??;
    if functions.next().is_some()
        || !crate::syntax::is_js_function(function)
        || !crate::syntax::is_async_function(function)
    {
        return None;
    }
    let body = function.field("body")?;
    preorder(body)
        .filter(|n| n.kind_str() == "await_expression")
        .filter_map(|a| a.named_child(0).map(unwrap_expression))
        .find_map(|expr| {
            let mut call = expr;
            loop {
                if call.kind_str() != "call_expression" {
                    return None;
                }
                if let Some(kind) = classify_call(ctx, call, false) {
                    return Some(kind);
                }
                call = unwrap_expression(member_call(call)?.0);
            }
        })
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

/// Derived-query methods of a repository class (`findByCustomer`).
const REPOSITORY_PREFIXES: &[&str] = &[
    "findBy",
    "findAllBy",
    "findOneBy",
    "getBy",
    "countBy",
    "existsBy",
    "deleteBy",
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
    // `this.orders.findByCustomer(id)` with `orders: OrderRepository`.
    let typed_repository = ctx.language.is_some_and(|language| match chain.as_slice() {
        [(name, false)] => polyglot::declared_as_repository(ctx, language, name),
        [("this", false), (name, false)] => {
            polyglot::declared_as_repository(ctx, language, &format!("this.{name}"))
        }
        _ => false,
    });
    if typed_repository
        && (db_kind(method).is_some()
            || REPOSITORY_PREFIXES
                .iter()
                .any(|p| method.starts_with(p) && method.len() > p.len()))
    {
        return Some(
            if method.starts_with("delete") || DB_WRITES.contains(&method) {
                CallKind::DbWrite
            } else {
                CallKind::DbRead
            },
        );
    }
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
    // `Item.update(…)` where the file shows `Item` is a model: it calls an
    // ORM-only static on it elsewhere (`Item.bulkCreate(…)`), or imports it
    // from a `models` module.
    if pascal_model && db_kind(method).is_some() && file_models(ctx).0.contains(nearest) {
        return db_kind(method);
    }
    None
}

/// PascalCase names the file shows to be ORM models (see `classify_method`).
struct FileModels(HashSet<String>);

fn file_models(ctx: &RuleContext<'_>) -> std::rc::Rc<FileModels> {
    ctx.memo(|| {
        let mut names = HashSet::new();
        let pascal = |name: &str| {
            name.starts_with(|c: char| c.is_ascii_uppercase())
                && name.chars().any(|c| c.is_ascii_lowercase())
                && !JS_GLOBALS.contains(&name)
        };
        if !ctx.language.is_some_and(|l| l.is_js_family()) {
            return FileModels(names);
        }
        for call in ctx.nodes_of_kind(&["call_expression"]) {
            if let Some((receiver, method)) = crate::syntax::member_call(call)
                && receiver.kind_str() == "identifier"
                && pascal(ctx.text(receiver))
                && MODEL_STATICS.contains(&ctx.text(method))
            {
                names.insert(ctx.text(receiver).to_string());
            }
            // `const { Loan, Item } = require("../models")`.
            let required = call
                .field("function")
                .is_some_and(|f| ctx.text(f) == "require")
                && call
                    .field("arguments")
                    .and_then(|a| a.named_child(0))
                    .is_some_and(|m| is_models_module(ctx.text(m)));
            if required
                && let Some(declarator) = ctx
                    .parent(call)
                    .filter(|d| d.kind_str() == "variable_declarator")
                && let Some(pattern) = declarator.field("name")
            {
                for n in preorder(pattern) {
                    if matches!(
                        n.kind_str(),
                        "shorthand_property_identifier_pattern" | "identifier"
                    ) && pascal(ctx.text(n))
                    {
                        names.insert(ctx.text(n).to_string());
                    }
                }
            }
        }
        // `import { Loan, Item } from "../models"`.
        for import in ctx.nodes_of_kind(&["import_statement"]) {
            if !import
                .field("source")
                .is_some_and(|m| is_models_module(ctx.text(m)))
            {
                continue;
            }
            for n in preorder(import) {
                if n.kind_str() == "identifier" && pascal(ctx.text(n)) {
                    names.insert(ctx.text(n).to_string());
                }
            }
        }
        FileModels(names)
    })
}

/// `"../models"`, `'./models/index.js'`, `"./models.js"`: a project module
/// of ORM models.
fn is_models_module(literal: &str) -> bool {
    let path = literal.trim_matches(['"', '\'', '`']);
    path.starts_with('.')
        && path.split('/').any(|segment| {
            matches!(
                segment.trim_end_matches(".js").trim_end_matches(".ts"),
                "models"
            )
        })
}

/// The names along a receiver expression, root first, each with whether it
/// was called: `knex("users").where(q)` → `knex`(called), `where`(called).
fn receiver_chain<'s>(ctx: &RuleContext<'s>, expr: Node<'_>) -> Vec<(&'s str, bool)> {
    let mut chain = Vec::new();
    let mut expr = unwrap_expression(expr);
    let mut called = false;
    loop {
        match expr.kind_str() {
            "call_expression" => {
                called = true;
                match expr.field("function") {
                    Some(f) => expr = unwrap_expression(f),
                    None => break,
                }
                continue;
            }
            "member_expression" => {
                if let Some(p) = expr.field("property") {
                    chain.push((ctx.text(p), called));
                }
                called = false;
                match expr.field("object") {
                    Some(o) => expr = unwrap_expression(o),
                    None => break,
                }
                continue;
            }
            "subscript_expression" => {
                called = false;
                match expr.field("object") {
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
    if !matches!(first.kind_str(), "string" | "template_string") {
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
    let language = ctx.language.unwrap_or(Language::TypeScript);
    let over = |form: &str| match loop_iterable(language, lp) {
        Some(iterable) => format!("`{form}` loop over `{}`", quote(ctx.text(iterable), 40)),
        None => format!("`{form}` loop"),
    };
    match lp.kind_str() {
        "for_in_statement" => {
            let mut cursor = lp.walk();
            let kinds: Vec<&str> = lp.children(&mut cursor).map(|c| c.kind_str()).collect();
            let form = if kinds.contains(&"of") {
                if kinds.contains(&"await") {
                    "for await…of"
                } else {
                    "for…of"
                }
            } else {
                "for…in"
            };
            over(form)
        }
        "for_statement" if language == Language::Python => over("for"),
        "for_statement" if language == Language::Go => over("for … range"),
        "enhanced_for_statement" | "for_expression" => over("for"),
        "while_statement" | "while_expression" => "`while` loop".to_string(),
        "do_statement" => "`do…while` loop".to_string(),
        "loop_expression" => "`loop`".to_string(),
        _ => "`for` loop".to_string(),
    }
}

fn iteration_label(ctx: &RuleContext<'_>, call: Node<'_>, method: &str) -> String {
    let receiver = member_call(call)
        .map(|(r, _)| quote(ctx.text(r), 40))
        .unwrap_or_default();
    let is_async = call
        .field("arguments")
        .and_then(|a| a.named_child(0))
        .is_some_and(|cb| ctx.text(cb).starts_with("async"));
    let head = if is_async { "async …" } else { "…" };
    format!("`{receiver}.{method}({head})` callback")
}

/// The callee of a call as written: `prisma.user.findUnique`,
/// `session.query`, `this.userRepository.findById`.
fn callee_text<'s>(ctx: &RuleContext<'s>, call: Node<'_>) -> &'s str {
    if let Some(function) = callee_of(call) {
        return ctx.text(function);
    }
    match call.field("arguments") {
        Some(args) => ctx
            .source
            .get(call.start_byte()..args.start_byte())
            .unwrap_or(""),
        None => ctx.text(call),
    }
}

fn report(ctx: &RuleContext<'_>, found: &Found<'_>) -> Finding {
    let language = ctx.language.unwrap_or(Language::TypeScript);
    let callee = quote(callee_text(ctx, found.call), 60);
    let symbol = ctx.symbol_for(found.call);
    let in_symbol = symbol
        .as_deref()
        .map(|s| format!(" in `{s}`"))
        .unwrap_or_default();
    let (where_, short) = match found.repetition {
        Repetition::Loop(lp) => (loop_label(ctx, lp), "loop"),
        Repetition::ForEach(call) => (iteration_label(ctx, call, "forEach"), "forEach"),
        Repetition::Map(call) if !language.is_js_family() => {
            // Java names the method `name`; Rust calls a `field_expression`.
            let method = call
                .field("name")
                .or_else(|| call.field("function").and_then(|f| f.field("field")))
                .map(|m| ctx.text(m))
                .unwrap_or("map");
            (format!("`.{method}(…)` lambda"), "map")
        }
        Repetition::Map(call) => {
            let method = member_call(call).map(|(_, m)| ctx.text(m)).unwrap_or("map");
            (iteration_label(ctx, call, method), "map")
        }
        Repetition::Comprehension(comprehension) => {
            let mut cursor = comprehension.walk();
            let iterable = comprehension
                .named_children(&mut cursor)
                .find(|c| c.kind_str() == "for_in_clause")
                .and_then(|c| c.field("right"));
            let label = match iterable {
                Some(it) => format!("comprehension over `{}`", quote(ctx.text(it), 40)),
                None => "comprehension".to_string(),
            };
            (label, "comprehension")
        }
    };
    let unit = if found.kind.is_db() {
        "query"
    } else {
        "request"
    };
    let runs = if found.awaited { "awaited" } else { "called" };
    // Java stream lambdas run one after another, like a loop body.
    let sequential_map =
        matches!(found.repetition, Repetition::Map(_)) && language == Language::Java;

    let title = match found.repetition {
        Repetition::Loop(_) if found.kind.is_db() => {
            format!("`{callee}` {runs} once per iteration of a loop (N+1 queries)")
        }
        Repetition::Loop(_) => format!("`{callee}` request {runs} once per iteration of a loop"),
        Repetition::ForEach(_) => format!("`{callee}` runs once per element in `forEach(async …)`"),
        Repetition::Map(_) if sequential_map => {
            format!("`{callee}` runs one {unit} per element in a stream lambda (N+1)")
        }
        Repetition::Map(_) => format!("`{callee}` runs one query per element in `map` (N+1)"),
        Repetition::Comprehension(_) => {
            format!("`{callee}` runs one {unit} per element of a comprehension (N+1)")
        }
    };

    let cost = match (&found.repetition, found.kind) {
        (Repetition::ForEach(_), _) => format!(
            "`{callee}(…)` runs once per element in this {where_}{in_symbol}. `forEach` does not \
             wait for async callbacks: all N {unit}s start at once, nothing awaits them, and \
             their failures become unhandled rejections."
        ),
        (Repetition::Map(_), _) if !sequential_map => format!(
            "`{callee}(…)` runs once per element in this {where_}{in_symbol}. Even when the \
             promises are awaited together with `Promise.all`, it is still N queries instead of \
             one, taking up to N connections from the pool at the same time."
        )
        .replace(
            "promises are awaited together with `Promise.all`",
            if language == Language::Rust {
                "futures are awaited together with `join_all`"
            } else {
                "promises are awaited together with `Promise.all`"
            },
        ),
        (_, CallKind::Http) => format!(
            "`{callee}(…)` is {runs} inside this {where_}{in_symbol}: N elements make N HTTP \
             requests one after another, so the latency of the whole operation grows linearly \
             with the data."
        ),
        _ => format!(
            "`{callee}(…)` is {runs} inside this {where_}{in_symbol}: N elements cost N \
             sequential database round trips — the N+1 query pattern. It is unnoticeable with \
             test data and the slowest part of the request in production."
        ),
    };
    let remedy = match (found.kind, language) {
        (CallKind::DbRead, Language::Python) => {
            "Load everything in one query before iterating — `Model.objects.filter(id__in=ids)` \
             or `in_bulk(ids)` in Django, `select(Model).where(Model.id.in_(ids))` in \
             SQLAlchemy, `WHERE id = ANY(%s)` in SQL; `select_related`/`prefetch_related` or \
             `selectinload` for relations — then look each element up in a dict keyed by id."
        }
        (CallKind::DbRead, Language::Go) => {
            "Load everything in one query before iterating — `WHERE id = ANY($1)` with \
             `pq.Array(ids)`/pgx, `sqlx.In` for `IN (?)`, `db.Where(\"id IN ?\", ids).Find(&rows)` \
             with GORM — then look each element up in a map keyed by id."
        }
        (CallKind::DbRead, Language::Java) => {
            "Load everything in one query before iterating — `findAllById(ids)` or a \
             `findByIdIn(Collection)` repository method, `WHERE id IN (:ids)` in JPQL/SQL, a \
             fetch join or `@EntityGraph` for relations — then look each element up in a `Map` \
             keyed by id."
        }
        (CallKind::DbRead, Language::Rust) => {
            "Load everything in one query before iterating — `WHERE id = ANY($1)` binding a \
             slice with sqlx/tokio-postgres, `.filter(id.eq_any(ids))` with diesel, \
             `is_in(ids)` with sea-orm — then look each element up in a `HashMap` keyed by id."
        }
        (CallKind::DbRead, _) => {
            "Load everything in one query before iterating — `findMany({ where: { id: { in: ids } } })` \
             with Prisma, `WHERE id IN (…)` / `= ANY($1)` in SQL, `$in` with MongoDB — put the \
             rows in a `Map` keyed by id, and look each element's row up there."
        }
        (CallKind::DbWrite, Language::Python) => {
            "Use the bulk form — `bulk_create`/`bulk_update`, `QuerySet.update()` with \
             `id__in`, `executemany` or one multi-row `INSERT … VALUES`, `insert_many` with \
             MongoDB — or at least run the writes in a single transaction."
        }
        (CallKind::DbWrite, Language::Java) => {
            "Use the bulk form — `saveAll(entities)`, `jdbcTemplate.batchUpdate(…)`, one \
             `UPDATE … WHERE id IN (:ids)` — or at least run the writes in a single transaction \
             with JDBC batching enabled."
        }
        (CallKind::DbWrite, _) => {
            "Use the bulk form — `createMany`/`insertMany`, one multi-row `INSERT … VALUES`, \
             `updateMany`/`deleteMany` with `IN (…)` — or at least run the writes in a single \
             transaction."
        }
        (CallKind::Http, Language::Python) => {
            "If the requests are independent, run them concurrently with a bounded limit \
             (`asyncio.gather` behind an `asyncio.Semaphore`, or a `ThreadPoolExecutor` with a \
             few workers for `requests`), or use the API's batch endpoint if it has one. Keep \
             them sequential only if each request needs the previous response."
        }
        (CallKind::Http, Language::Go) => {
            "If the requests are independent, run them concurrently with a bounded limit \
             (`errgroup.Group` with `SetLimit`), or use the API's batch endpoint if it has one. \
             Keep them sequential only if each request needs the previous response."
        }
        (CallKind::Http, Language::Java) => {
            "If the requests are independent, run them concurrently with a bounded executor \
             (`CompletableFuture.supplyAsync` on a fixed pool, or `Flux.flatMap` with a \
             concurrency limit), or use the API's batch endpoint if it has one. Keep them \
             sequential only if each request needs the previous response."
        }
        (CallKind::Http, Language::Rust) => {
            "If the requests are independent, run them concurrently with a bounded limit \
             (`futures::stream::iter(…).buffer_unordered(8)`), or use the API's batch endpoint \
             if it has one. Keep them sequential only if each request needs the previous \
             response."
        }
        (CallKind::Http, _) => {
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
    let code = format!("{short} {}", callee_text(ctx, found.call));
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

#[cfg(test)]
mod tests {
    use crate::{Analyzer, ChangedFile, LineSet};

    fn findings(path: &str, content: &str) -> usize {
        let added: LineSet = (1..=content.lines().count() as u32).collect();
        let analyzer = Analyzer::with_rules(vec![Box::new(super::CallInLoop)]);
        let (_, found) = analyzer.analyze_file(ChangedFile {
            path,
            content,
            added_lines: &added,
        });
        found.len()
    }

    #[test]
    fn data_migrations_and_tests_are_not_checked() {
        let source = "def forwards(apps, schema_editor):\n    for c in Check.objects.all():\n        Check.objects.filter(id=c.id).update(slug=c.name)\n";
        assert_eq!(findings("app/services/fill.py", source), 1);
        assert_eq!(findings("app/migrations/0080_fill_slug.py", source), 0);
        assert_eq!(findings("tests/test_fill.py", source), 0);
    }
}
