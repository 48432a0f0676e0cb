//! `concurrency/module-level-state`: per-process mutable state in server code (in-memory rate limiter, cache or store)
//!
//! ## What it does
//! Finds a module-level collection or counter that request-time code
//! mutates, in a file that is server code:
//! - JavaScript/TypeScript: an empty `const x = new Map()` / `new Set()` /
//!   `{}` / `[]` / `Object.create(null)`, or `let n = 0`, declared at the top level of the
//!   module and mutated inside a function (`x.set(…)`, `x.push(…)`,
//!   `x[k] = …`, `delete x[k]`, `n++`, `n += …`);
//! - Python: a module-level empty `{}`, `[]`, `set()`, `dict()`, `defaultdict(…)`,
//!   `OrderedDict()`, `Counter()` or `deque()` mutated inside a function
//!   (`x[k] = …`, `x.append(…)`, `x.setdefault(…)`, …), or an integer
//!   rebound through `global n`;
//! - Rust: a `static` collection behind a lock (`Lazy<Mutex<HashMap<…>>>`,
//!   `LazyLock<RwLock<Vec<…>>>`, `DashMap`) used from a function, in a file
//!   that uses a server crate (axum, actix-web, warp, tonic, hyper, …) or
//!   is a queue worker (`worker.rs`, `consumer.rs`).
//!
//! Counters are only reported when their name says the number matters
//! beyond one process (`requestCount`, `total_orders`, `nextInvoiceNumber`,
//! `seq`, …); a round-robin index or a tick counter is per-process by nature.
//!
//! A file is server code when it imports a server framework (express,
//! fastify, koa, hono, Next.js `next/server`, NestJS, Flask, FastAPI, Django,
//! aiohttp, Starlette, …) or a message-queue consumer or job-worker library
//! (kafkajs, amqplib, bullmq, sqs-consumer, Google Pub/Sub, Celery, pika,
//! aiokafka, dramatiq, …: consumers run as several replicas too), has a
//! `"use server"` directive (Next.js server actions, at the top of the file
//! or of a function), defines an Express-style `(req, res)` handler, or
//! lives under `api/`, `routes/`, `server/`,
//! `handlers/`, `middleware/` or `controllers/` (also `views.py`,
//! `route.ts`, `server.ts`), or is imported by a file of the same pull
//! request that is server code by those signs (a service module imported
//! by a route file).
//!
//! Deliberately not reported: client code (React/Vue imports,
//! `"use client"`), test files, CLI scripts (`scripts/`, `bin/`, a shebang),
//! collections that start with entries (configuration tables, even when
//! code later memoises into them), constants that are never mutated,
//! `WeakMap`/`WeakSet`, bounded caches
//! from libraries (`new LRUCache(…)`), lazily created singletons
//! (`let client = null`), values mutated only at import time (top-level
//! statements, functions called or used as decorators there — but not the
//! `@wraps(fn)` wrapper such a decorator returns, which runs per request —, start-up
//! hooks such as `@app.on_event("startup")`, `lifespan`, `warmup*`), registries
//! (`handlers`, `routes`, `plugins`, … and `register*`/`define*` functions),
//! collections of live connections or in-flight work that only exist in one
//! process anyway (`clients`, `sockets`, `pending`, `timers`, …), and locals
//! or parameters that shadow the module-level name.
//!
//! ## Why is this bad?
//! A server runs as several processes — replicas, workers, serverless
//! instances — and restarts on every deploy. State kept in a module variable
//! exists once per process: a rate limiter lets a client through N times
//! faster with N instances and forgets everything on restart; a cache is
//! never invalidated on the other instances and grows without bound; an
//! in-memory store silently loses data. It works perfectly on a developer's
//! single process, which is why agents write it.
//!
//! ## Example
//! ```ts
//! import express from "express";
//! const hits = new Map<string, number>();
//!
//! app.use((req, res, next) => {
//!   const count = (hits.get(req.ip) ?? 0) + 1;
//!   hits.set(req.ip, count);
//!   if (count > 100) return res.status(429).end();
//!   next();
//! });
//! ```
//!
//! Use instead:
//! ```ts
//! import express from "express";
//! import { redis } from "./redis";
//!
//! app.use(async (req, res, next) => {
//!   const key = `rate:${req.ip}`;
//!   const count = await redis.incr(key);
//!   if (count === 1) await redis.expire(key, 60);
//!   if (count > 100) return res.status(429).end();
//!   next();
//! });
//! ```

use std::collections::HashSet;

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{identifier_words, is_test_path, preorder};

pub static META: RuleMeta = RuleMeta {
    id: "concurrency/module-level-state",
    item: ChecklistItem::Concurrency,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Rust,
    ],
    summary: "A module-level Map/dict/array/counter mutated by request-time code in a server (per-process state)",
};

pub struct ModuleLevelState;

impl Rule for ModuleLevelState {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let (Some(root), Some(language)) = (ctx.root(), ctx.language) else {
            return;
        };
        if is_test_path(ctx.path) || is_script(ctx) {
            return;
        }
        if language == Language::Rust {
            rust_statics(ctx, root, out);
            return;
        }
        let python = language == Language::Python;
        if !is_server_file(ctx, root, python) {
            return;
        }
        let import_time = import_time_calls(ctx, language);
        for state in module_state(ctx, root, python) {
            let words = identifier_words(state.name);
            // `inFlight` and `in_flight` are the word `inflight` too.
            let joined = words.concat();
            if REGISTRY_WORDS
                .iter()
                .any(|w| *w == joined || words.iter().any(|n| n == w))
            {
                continue;
            }
            // A round-robin index or a tick is per-process by nature; only
            // counts and sequences that other instances should share matter.
            if state.shape == Shape::Counter
                && !words.iter().any(|w| COUNTER_WORDS.contains(&w.as_str()))
            {
                continue;
            }
            let mutation = ctx.nodes_in_order(MUTATION_KINDS).into_iter().find(|n| {
                mutates(ctx, *n, &state, python)
                    && request_time(ctx, *n, language, &import_time)
                    && !shadowed(ctx, *n, state.name, python)
            });
            if let Some(mutation) = mutation {
                out.push(report(ctx, &state, mutation, language));
            }
        }
    }
}

/// Names that say the collection is a registry filled at start-up.
const REGISTRY_WORDS: &[&str] = &[
    "registry",
    "handlers",
    "routes",
    "plugins",
    "hooks",
    "listeners",
    "subscribers",
    "commands",
    "callbacks",
    "middlewares",
    "validators",
    "serializers",
    "schemas",
    "extensions",
    // Live connections and in-flight work only exist in this process.
    "clients",
    "connections",
    "sockets",
    "conns",
    "peers",
    "streams",
    "timers",
    "intervals",
    "timeouts",
    "pending",
    "inflight",
    // `background_tasks = set()`: asyncio's documented way to keep tasks
    // alive until they finish.
    "tasks",
    "waiters",
    "watchers",
];

/// Words of a counter's name that say its value means something beyond this
/// process.
const COUNTER_WORDS: &[&str] = &[
    "count", "counter", "total", "seq", "sequence", "id", "number", "num", "hits", "requests",
    "orders", "visits", "views", "tickets", "invoice", "signups", "usage", "quota",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Collection,
    Counter,
}

struct State<'t> {
    name: &'t str,
    /// The declarator (JS) or assignment (Python) the finding anchors on.
    decl: Node<'t>,
    shape: Shape,
}

fn is_script(ctx: &RuleContext<'_>) -> bool {
    ctx.source.starts_with("#!")
        || ctx
            .path
            .split('/')
            .rev()
            .skip(1)
            .any(|d| matches!(d, "scripts" | "script" | "bin" | "cli" | "tools"))
}

const JS_SERVER_MODULES: &[&str] = &[
    "express",
    "fastify",
    "koa",
    "@koa/router",
    "koa-router",
    "hono",
    "next/server",
    "restify",
    "@hapi/hapi",
    "h3",
    "elysia",
    "polka",
    "micro",
    "@sveltejs/kit",
];
/// Message-queue consumers and job workers: they run as several replicas
/// (one per partition or per worker process), exactly like web servers.
const JS_QUEUE_MODULES: &[&str] = &[
    "kafkajs",
    "amqplib",
    "amqplib/callback_api",
    "amqp-connection-manager",
    "bullmq",
    "bull",
    "bee-queue",
    "sqs-consumer",
    "@aws-sdk/client-sqs",
    "@google-cloud/pubsub",
    "@azure/service-bus",
];
const PY_QUEUE_MODULES: &[&str] = &[
    "celery",
    "kombu",
    "pika",
    "aio_pika",
    "aiokafka",
    "confluent_kafka",
    "dramatiq",
];
const JS_CLIENT_MODULES: &[&str] = &["react", "react-dom", "preact", "vue", "svelte", "solid-js"];
const PY_SERVER_MODULES: &[&str] = &[
    "flask",
    "fastapi",
    "django",
    "aiohttp",
    "starlette",
    "sanic",
    "tornado",
    "quart",
    "litestar",
    "falcon",
    "bottle",
    "pyramid",
];

fn is_server_file(ctx: &RuleContext<'_>, root: Node<'_>, python: bool) -> bool {
    let modules = imported_modules(ctx, python);
    if !python {
        if modules
            .iter()
            .any(|m| JS_CLIENT_MODULES.contains(m) || m.starts_with("@remix-run/react"))
        {
            return false;
        }
        let use_client = root.named_child(0).is_some_and(|first| {
            ctx.text(first).trim_end_matches(';').trim() == "\"use client\""
                || ctx.text(first).trim_end_matches(';').trim() == "'use client'"
        });
        if use_client {
            return false;
        }
    }
    let framework = modules.iter().any(|m| is_server_module(m, python));
    framework
        || is_server_path(ctx.path)
        || (!python && (defines_request_handler(ctx) || uses_server_directive(ctx)))
        || imported_by_server_code(ctx, python)
}

/// A server framework or a queue consumer library.
fn is_server_module(module: &str, python: bool) -> bool {
    if python {
        let top = module.split('.').next().unwrap_or(module);
        PY_SERVER_MODULES.contains(&top) || PY_QUEUE_MODULES.contains(&top)
    } else {
        JS_SERVER_MODULES.contains(&module)
            || JS_QUEUE_MODULES.contains(&module)
            || module.starts_with("@nestjs/")
            || module.starts_with("@hono/")
    }
}

/// Another file of the pull request, in the same language, is server code
/// (by its path or its imports) and imports this module: the module's
/// state lives in the server process (`ingest.py` imported by a Tornado
/// handler, `permitService.js` by a Koa router).
fn imported_by_server_code(ctx: &RuleContext<'_>, python: bool) -> bool {
    let Some(stem) = crate::pr_facts::module_stem(ctx.path) else {
        return false;
    };
    ctx.pr.importers_of(&stem).any(|importer| {
        let same_language = Language::from_path(&importer.path).is_some_and(|l| {
            if python {
                l == Language::Python
            } else {
                l.is_js_family()
            }
        });
        same_language
            && !is_test_path(&importer.path)
            && (is_server_path(&importer.path)
                || importer.modules.iter().any(|m| is_server_module(m, python)))
    })
}

/// `"use server"` at the top of the file or of a function body: React
/// server actions (Next.js), which run on the server for every form post.
fn uses_server_directive(ctx: &RuleContext<'_>) -> bool {
    let is_directive = |stmt: Node<'_>| {
        stmt.kind_str() == "expression_statement"
            && matches!(
                ctx.text(stmt).trim_end_matches(';').trim(),
                "\"use server\"" | "'use server'"
            )
    };
    fn first_statement(block: Node<'_>) -> Option<Node<'_>> {
        let mut cursor = block.walk();
        block
            .named_children(&mut cursor)
            .find(|n| !crate::syntax::is_comment(*n))
    }
    ctx.root()
        .and_then(first_statement)
        .is_some_and(is_directive)
        || ctx
            .nodes_of_kind(&["statement_block"])
            .filter(|b| b.parent().is_some_and(crate::syntax::is_js_function))
            .any(|b| first_statement(b).is_some_and(is_directive))
}

/// `function refresh(req, res)`, `(req, res, next) => …`: Express-style
/// handlers (or middleware) defined in the file make it server code even
/// when the router that mounts them lives elsewhere.
fn defines_request_handler(ctx: &RuleContext<'_>) -> bool {
    ctx.nodes_of_kind(&["formal_parameters"]).any(|params| {
        let mut cursor = params.walk();
        let names: Vec<&str> = params
            .named_children(&mut cursor)
            .take(2)
            .map(|p| {
                let p = p.field("pattern").unwrap_or(p);
                ctx.text(p)
            })
            .collect();
        names == ["req", "res"]
    })
}

/// Rust: a `static` collection behind a lock (`Lazy<Mutex<HashMap<…>>>`,
/// `LazyLock<RwLock<Vec<…>>>`, `DashMap`) used from a function of a server
/// or queue-worker file.
fn rust_statics(ctx: &RuleContext<'_>, root: Node<'_>, out: &mut Vec<Finding>) {
    const SERVER_CRATES: &[&str] = &[
        "axum",
        "actix_web",
        "warp",
        "rocket",
        "poem",
        "tonic",
        "hyper",
        "salvo",
        "tide",
        "lambda_http",
        "lapin",
        "rdkafka",
    ];
    let uses_server_crate = SERVER_CRATES.iter().any(|c| {
        ctx.source.contains(&format!("use {c}::")) || ctx.source.contains(&format!("use {c};"))
    });
    let lower = ctx.path.to_ascii_lowercase();
    let worker_path = lower.rsplit('/').any(|part| {
        matches!(
            part.split('.').next(),
            Some("worker" | "workers" | "consumer")
        )
    });
    if !(uses_server_crate || worker_path || is_server_path(ctx.path)) {
        return;
    }
    let mut cursor = root.walk();
    for item in root.named_children(&mut cursor) {
        if item.kind_str() != "static_item" {
            continue;
        }
        let (Some(name), Some(ty)) = (item.field("name"), item.field("type")) else {
            continue;
        };
        let name = ctx.text(name);
        let ty = ctx.text(ty);
        let locked = ["Mutex<", "RwLock<", "DashMap<"]
            .iter()
            .any(|l| ty.contains(l));
        let collection = [
            "HashMap<",
            "BTreeMap<",
            "HashSet<",
            "BTreeSet<",
            "Vec<",
            "VecDeque<",
            "DashMap<",
        ]
        .iter()
        .any(|c| ty.contains(c));
        let words = identifier_words(name);
        let joined = words.concat();
        if !locked
            || !collection
            || REGISTRY_WORDS
                .iter()
                .any(|w| *w == joined || words.iter().any(|n| n == w))
        {
            continue;
        }
        // `NAME.lock()`, `NAME.insert(…)` inside a function other than `main`.
        let mutation = ctx
            .nodes_in_order(&["call_expression"])
            .into_iter()
            .find(|call| {
                let receiver = call
                    .field("function")
                    .filter(|f| f.kind_str() == "field_expression")
                    .and_then(|f| f.field("value"));
                let mut function = call.parent();
                while let Some(f) = function.filter(|f| f.kind_str() != "function_item") {
                    function = f.parent();
                }
                receiver.is_some_and(|r| ctx.text(r) == name)
                    && function
                        .and_then(|f| f.field("name"))
                        .is_some_and(|f| ctx.text(f) != "main")
            });
        if let Some(mutation) = mutation {
            let state = State {
                name,
                decl: item,
                shape: Shape::Collection,
            };
            out.push(report(ctx, &state, mutation, Language::Rust));
        }
    }
}

fn is_server_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let mut parts = lower.rsplit('/');
    let file = parts.next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or(file);
    parts.any(|d| {
        matches!(
            d,
            "api" | "routes" | "server" | "handlers" | "middleware" | "middlewares" | "controllers"
        )
    }) || matches!(
        stem,
        "route" | "server" | "middleware" | "views" | "+server"
    )
}

/// Module names imported with `import … from "m"`, `require("m")`,
/// `import m` / `from m import …`.
fn imported_modules<'s>(ctx: &RuleContext<'s>, python: bool) -> Vec<&'s str> {
    let mut modules = Vec::new();
    for node in ctx.nodes_in_order(&[
        "import_statement",
        "call_expression",
        "import_from_statement",
    ]) {
        let module = match node.kind_str() {
            "import_statement" if !python => node.field("source"),
            "call_expression" if !python => {
                let callee = node.field("function");
                if callee.is_some_and(|c| ctx.text(c) == "require") {
                    node.field("arguments").and_then(|a| a.named_child(0))
                } else {
                    None
                }
            }
            "import_statement" => node.field("name"),
            "import_from_statement" => node.field("module_name"),
            _ => None,
        };
        if let Some(module) = module {
            let text = ctx.text(module).trim_matches(['"', '\'', '`']);
            let text = text.split(" as ").next().unwrap_or(text).trim();
            modules.push(text);
        }
    }
    modules
}

/// Module-level declarations of an empty (or literal) collection or a numeric
/// counter.
fn module_state<'t>(ctx: &RuleContext<'t>, root: Node<'t>, python: bool) -> Vec<State<'t>> {
    let mut found = Vec::new();
    let mut cursor = root.walk();
    for stmt in root.named_children(&mut cursor) {
        if python {
            let Some(assign) = stmt
                .named_child(0)
                .filter(|_| stmt.kind_str() == "expression_statement")
            else {
                continue;
            };
            if assign.kind_str() != "assignment" {
                continue;
            }
            let (Some(left), Some(right)) = (assign.field("left"), assign.field("right")) else {
                continue;
            };
            if left.kind_str() != "identifier" {
                continue;
            }
            if let Some(shape) = python_shape(ctx, right) {
                found.push(State {
                    name: ctx.text(left),
                    decl: assign,
                    shape,
                });
            }
            continue;
        }
        let decl = if stmt.kind_str() == "export_statement" {
            stmt.field("declaration")
        } else {
            Some(stmt)
        };
        let Some(decl) =
            decl.filter(|d| matches!(d.kind_str(), "lexical_declaration" | "variable_declaration"))
        else {
            continue;
        };
        let is_let = decl.child(0).is_some_and(|k| ctx.text(k) != "const");
        let mut inner = decl.walk();
        for declarator in decl.named_children(&mut inner) {
            if declarator.kind_str() != "variable_declarator" {
                continue;
            }
            let (Some(name), Some(value)) = (declarator.field("name"), declarator.field("value"))
            else {
                continue;
            };
            if name.kind_str() != "identifier" {
                continue;
            }
            let shape = js_shape(ctx, value, is_let);
            if let Some(shape) = shape {
                found.push(State {
                    name: ctx.text(name),
                    decl: declarator,
                    shape,
                });
            }
        }
    }
    found
}

/// Only collections that start empty: a literal with entries is a
/// configuration table, and writing to it later is memoisation of that
/// configuration, not request state.
fn js_shape(ctx: &RuleContext<'_>, value: Node<'_>, is_let: bool) -> Option<Shape> {
    let value = crate::syntax::unwrap_expression(value);
    match value.kind_str() {
        "new_expression" => {
            let ctor = value.field("constructor")?;
            let empty = value.field("arguments").is_none_or(|a| is_empty(a));
            (matches!(ctx.text(ctor), "Map" | "Set") && empty).then_some(Shape::Collection)
        }
        "object" | "array" if is_empty(value) => Some(Shape::Collection),
        "call_expression" => {
            (ctx.text(value).replace(' ', "") == "Object.create(null)").then_some(Shape::Collection)
        }
        "number" if is_let => Some(Shape::Counter),
        _ => None,
    }
}

fn python_shape(ctx: &RuleContext<'_>, value: Node<'_>) -> Option<Shape> {
    match value.kind_str() {
        "dictionary" | "list" if is_empty(value) => Some(Shape::Collection),
        "integer" => Some(Shape::Counter),
        "call" => {
            let callee = ctx.text(value.field("function")?);
            let callee = callee.rsplit('.').next().unwrap_or(callee);
            // `defaultdict(list)` names a factory, not initial content.
            let starts_empty = callee == "defaultdict"
                || value.field("arguments").is_none_or(|args| {
                    let mut c = args.walk();
                    args.named_children(&mut c)
                        .all(|a| a.kind_str() == "keyword_argument" || crate::syntax::is_comment(a))
                });
            (starts_empty
                && matches!(
                    callee,
                    "dict" | "list" | "set" | "defaultdict" | "OrderedDict" | "Counter" | "deque"
                ))
            .then_some(Shape::Collection)
        }
        _ => None,
    }
}

/// No entries (comments aside).
fn is_empty(node: Node<'_>) -> bool {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .all(crate::syntax::is_comment)
}

const JS_MUTATORS: &[&str] = &[
    "set", "push", "unshift", "splice", "add", "delete", "clear", "pop", "shift",
];
const PY_MUTATORS: &[&str] = &[
    "append",
    "appendleft",
    "extend",
    "insert",
    "add",
    "update",
    "setdefault",
    "pop",
    "popitem",
    "remove",
    "discard",
    "clear",
];

/// Whether `node` mutates the module-level value.
/// Every kind [`mutates`] can accept.
const MUTATION_KINDS: &[&str] = &[
    "call_expression",
    "call",
    "assignment_expression",
    "augmented_assignment_expression",
    "assignment",
    "augmented_assignment",
    "unary_expression",
    "delete_statement",
    "update_expression",
];

fn mutates(ctx: &RuleContext<'_>, node: Node<'_>, state: &State<'_>, python: bool) -> bool {
    let is_name = |n: Option<Node<'_>>| n.is_some_and(|n| root_name(ctx, n) == Some(state.name));
    match (state.shape, node.kind_str()) {
        (Shape::Collection, "call_expression" | "call") => {
            let Some(function) = node.field("function") else {
                return false;
            };
            let (object, method, mutators) = if python {
                (
                    function.field("object"),
                    function.field("attribute"),
                    PY_MUTATORS,
                )
            } else {
                (
                    function.field("object"),
                    function.field("property"),
                    JS_MUTATORS,
                )
            };
            method.is_some_and(|m| mutators.contains(&ctx.text(m))) && is_name(object)
        }
        (Shape::Collection, "assignment_expression" | "augmented_assignment_expression")
        | (Shape::Collection, "assignment" | "augmented_assignment") => {
            let left = node.field("left");
            left.is_some_and(|l| {
                matches!(
                    l.kind_str(),
                    "subscript_expression" | "member_expression" | "subscript"
                )
            }) && is_name(left)
        }
        (Shape::Collection, "unary_expression") => {
            ctx.text(node).starts_with("delete") && is_name(node.field("argument"))
        }
        (Shape::Collection, "delete_statement") => node
            .named_child(0)
            .is_some_and(|t| preorder(t).any(|n| n.kind_str() == "subscript" && is_name(Some(n)))),
        (Shape::Counter, "update_expression") => node
            .field("argument")
            .is_some_and(|a| ctx.text(a) == state.name),
        (Shape::Counter, "augmented_assignment_expression" | "augmented_assignment") => {
            let target = node
                .field("left")
                .is_some_and(|l| ctx.text(l) == state.name);
            // A Python function rebinds a module name only through `global`.
            target && (!python || declares_global(ctx, node, state.name))
        }
        _ => false,
    }
}

/// The identifier at the root of `x`, `x[k]`, `x.y`, `x.get(k)`, `x[k].y`.
fn root_name<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<&'s str> {
    let mut node = node;
    loop {
        match node.kind_str() {
            "identifier" => return Some(ctx.text(node)),
            "subscript_expression" | "member_expression" | "attribute" => {
                node = node.field("object")?;
            }
            "subscript" => node = node.field("value")?,
            "call_expression" | "call" => {
                let function = node.field("function")?;
                let method = function
                    .field("property")
                    .or_else(|| function.field("attribute"))?;
                if !matches!(ctx.text(method), "get" | "setdefault") {
                    return None;
                }
                node = function.field("object")?;
            }
            "non_null_expression" | "parenthesized_expression" => node = node.named_child(0)?,
            _ => return None,
        }
    }
}

fn declares_global(ctx: &RuleContext<'_>, node: Node<'_>, name: &str) -> bool {
    let Some(function) = ctx.enclosing_function(Language::Python, node) else {
        return false;
    };
    preorder(function).any(|n| {
        n.kind_str() == "global_statement" && {
            let mut c = n.walk();
            n.named_children(&mut c).any(|i| ctx.text(i) == name)
        }
    })
}

/// Names of functions that run at import time: called from top-level
/// statements or used as decorators.
fn import_time_calls<'s>(ctx: &RuleContext<'s>, language: Language) -> HashSet<&'s str> {
    let mut names = HashSet::new();
    for node in ctx.nodes_in_order(&["call_expression", "call", "decorator"]) {
        let callee = match node.kind_str() {
            "call_expression" | "call" if ctx.enclosing_function(language, node).is_none() => {
                node.field("function")
            }
            "decorator" => node.named_child(0),
            _ => None,
        };
        if let Some(callee) = callee {
            let text = ctx.text(callee);
            let name = text.split('(').next().unwrap_or(text);
            names.insert(name.rsplit('.').next().unwrap_or(name).trim());
        }
    }
    names
}

/// Whether the mutation runs after start-up: inside a function that is not
/// called at import time and is not a registration helper.
fn request_time(
    ctx: &RuleContext<'_>,
    node: Node<'_>,
    language: Language,
    import_time: &HashSet<&str>,
) -> bool {
    let Some(mut function) = ctx.enclosing_function(language, node) else {
        return false;
    };
    loop {
        let name = function_name(ctx, function);
        if let Some(name) = name {
            let lower = name.to_ascii_lowercase();
            if import_time.contains(name)
                || [
                    "register",
                    "define",
                    "init",
                    "setup",
                    "configure",
                    "load_",
                    "bootstrap",
                    "startup",
                    "on_startup",
                    "onstartup",
                    "lifespan",
                    "warm",
                ]
                .iter()
                .any(|p| lower.starts_with(p))
            {
                return false;
            }
        }
        // `@app.on_event("startup")`, `@app.before_serving`, lifespan hooks.
        let decorators = function
            .parent()
            .filter(|p| p.kind_str() == "decorated_definition")
            .map(|p| {
                ctx.text(p)
                    .split("def ")
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase()
            });
        // `@wraps(fn) def wrapper(…)`: the wrapper a decorator returns runs
        // on every call of the decorated view, not when it is decorated.
        if decorators
            .as_deref()
            .is_some_and(|d| d.contains("@wraps(") || d.contains("@functools.wraps("))
        {
            return true;
        }
        if decorators.is_some_and(|d| {
            [
                "startup",
                "lifespan",
                "before_serving",
                "before_first_request",
            ]
            .iter()
            .any(|w| d.contains(w))
        }) {
            return false;
        }
        match ctx.enclosing_function(language, function) {
            Some(outer) => function = outer,
            None => return true,
        }
    }
}

fn function_name<'s>(ctx: &RuleContext<'s>, function: Node<'_>) -> Option<&'s str> {
    if let Some(name) = function.field("name") {
        return Some(ctx.text(name));
    }
    let parent = function.parent()?;
    (parent.kind_str() == "variable_declarator")
        .then(|| parent.field("name"))
        .flatten()
        .map(|n| ctx.text(n))
}

/// Whether a function between `node` and the module declares its own
/// `name` (parameter or local), so the mutation does not touch the module
/// value.
fn shadowed(ctx: &RuleContext<'_>, node: Node<'_>, name: &str, python: bool) -> bool {
    let language = if python {
        Language::Python
    } else {
        Language::JavaScript
    };
    let mut current = ctx.enclosing_function(language, node);
    while let Some(function) = current {
        let in_params = function
            .field("parameters")
            .or_else(|| function.field("parameter"))
            .is_some_and(|params| {
                preorder(params).any(|n| n.kind_str() == "identifier" && ctx.text(n) == name)
            });
        if in_params {
            return true;
        }
        let local = preorder(function).any(|n| {
            let target = match n.kind_str() {
                "variable_declarator" => n.field("name"),
                "assignment" if python => n.field("left"),
                _ => None,
            };
            target.is_some_and(|t| t.kind_str() == "identifier" && ctx.text(t) == name)
        });
        if local && !(python && declares_global(ctx, node, name)) {
            return true;
        }
        current = ctx.enclosing_function(language, function);
    }
    false
}

#[derive(Clone, Copy)]
enum Role {
    RateLimiter,
    Cache,
    Store,
    Counter,
}

fn role(name: &str, shape: Shape) -> Role {
    let words = identifier_words(name);
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    if has(&[
        "rate", "limit", "limiter", "limits", "hits", "attempts", "throttle", "requests",
        "buckets", "bucket", "quota",
    ]) {
        Role::RateLimiter
    } else if has(&["cache", "cached", "memo", "memoized", "lru"]) {
        Role::Cache
    } else if shape == Shape::Counter {
        Role::Counter
    } else {
        Role::Store
    }
}

fn report(
    ctx: &RuleContext<'_>,
    state: &State<'_>,
    mutation: Node<'_>,
    language: Language,
) -> Finding {
    let name = state.name;
    let mutation_code = quote(ctx.text(mutation), 50);
    let in_fn = ctx
        .enclosing_function(language, mutation)
        .and_then(|f| function_name(ctx, f))
        .map(|f| format!(" in `{f}`"))
        .unwrap_or_default();
    let kind = "module-level";
    let (title, harm, fix) = match role(name, state.shape) {
        Role::RateLimiter => (
            format!("In-memory rate-limit state `{name}` lives in one process"),
            "Every replica, worker and serverless instance keeps its own counts, so with N \
             instances a client gets N times the limit; every deploy or restart resets the \
             counts; and keys that are never evicted make the map grow with every new client.",
            format!(
                "Move the rate-limit state of `{name}` to a store shared by all instances (Redis \
                 `INCR` + `EXPIRE`, the database, or the platform's rate limiter / the project's \
                 rate-limit utility) so that the limit holds across replicas and restarts."
            ),
        ),
        Role::Cache => (
            format!("In-memory cache `{name}` is per process and unbounded"),
            "Each instance has its own copy, so an invalidation or update on one instance never \
             reaches the others (stale reads); nothing is ever evicted, so memory grows with \
             every distinct key; and the cache is lost on every restart.",
            format!(
                "Replace `{name}` with a bounded cache with a TTL (e.g. an LRU with `max` and \
                 `ttl`) when per-instance staleness is acceptable, or with a shared cache (Redis) \
                 when it is not; state which in a comment."
            ),
        ),
        Role::Store => (
            format!("Request data kept in the {kind} variable `{name}`"),
            "It exists once per process: data written through one instance is invisible to the \
             others, it is lost on every restart or deploy, and it grows without bound.",
            format!(
                "Persist what `{name}` holds in the database or a shared store (Redis), or \
                 scope it to the request if it does not need to outlive it."
            ),
        ),
        Role::Counter => (
            format!("Counter `{name}` kept in a {kind} variable"),
            "Each process counts on its own and starts again from zero on every restart, so the \
             value is wrong as soon as there is more than one instance.",
            format!(
                "Keep the `{name}` count in a shared store (an atomic `INCR` in Redis or an \
                 `UPDATE … SET n = n + 1` in the database) or in the metrics system if it is a \
                 metric."
            ),
        ),
    };
    let decl_code = ctx.text(state.decl);
    ctx.node_finding(&META, state.decl)
        .title(title)
        .message(format!(
            "`{}` is declared at module level and mutated at request time (`{mutation_code}`{in_fn}). \
             {harm}",
            quote(decl_code, 60)
        ))
        .symptom(format!(
            "Server code keeps mutable state in the {kind} variable `{name}`, mutated by \
             `{mutation_code}`{in_fn}."
        ))
        .root_cause(
            "Module-level variables live in one process; servers run several processes and \
             restart on deploy, so the state is neither shared nor durable.",
        )
        .fix(fix)
        .scope(format!(
            "Change only how `{name}` is stored and accessed; keep the handler's responses, \
             status codes and limits/TTLs as they are, and do not change unrelated module \
             variables or constants."
        ))
        .build()
}
