//! `async-races/floating-promise`: an async call whose result nobody awaits.
//!
//! ## What it does
//! - JavaScript/TypeScript: inside an `async` function, a call to an async
//!   function or method declared in the same file (`async function save…`,
//!   `const save = async (…) =>`, `async save()` called as `this.save()`) or
//!   exported as async by a file of the pull request it is imported from
//!   (`import { notifyOwner } from "./notify"` with the PR's `notify.ts`),
//!   or an `async` method of a class of the pull request called on a name
//!   the file binds to that class (an instance exported by a PR module, a
//!   `new C(…)`, a parameter or field typed `C`: `this.mailer.sendReceipt(…)`
//!   with `constructor(private readonly mailer: MailerService)`)
//!   used as a bare statement — not awaited, returned, assigned, passed on,
//!   `void`-ed or chained with `.then`/`.catch`; the same for the
//!   promise-only Node APIs (`fs.unlink(p)` with `fs` from
//!   `require("node:fs/promises")`, `import { promises as fs } from "fs"`,
//!   `timers/promises`, `dns/promises`, `stream/promises`).
//! - Python: a call to an `async def` of the same file (`notify(user)`,
//!   `self.notify(user)`) used as a bare statement, which creates a coroutine
//!   and never runs it — also for an imported function that the same file
//!   awaits (`await notify(…)`) or hands to `asyncio.gather`/`create_task`
//!   elsewhere, since awaiting anything but an awaitable raises, and for one
//!   imported from a module of the pull request that declares it `async def`
//!   (`from .alerts import publish` with the PR's `alerts.py`); a coroutine
//!   method of a parameter annotated `AsyncSession` (`session.commit()`,
//!   `session.execute(…)`; not `add`/`add_all`); and `asyncio.create_task(…)` /
//!   `asyncio.ensure_future(…)` / `loop.create_task(…)` whose task is
//!   dropped; and in an `async def`, `result = blender.age(…)` where the
//!   same file awaits `blender.age(…)` elsewhere (a coroutine method) and
//!   `result` is never awaited or handed on afterwards.
//! - Rust: `tokio::spawn(poll_feed(…));` as a statement, where `poll_feed` is
//!   an `async fn` of the same file returning a `Result`: the dropped
//!   `JoinHandle` was the only way to see the task's error.
//! - Java: a method of the same file declared to return a
//!   `CompletableFuture`, `CompletionStage`, `Future` or `ListenableFuture`
//!   (`pushToSupplier(summary);`, `this.pushToSupplier(…);`), or of a class
//!   of the pull request that every declaration of the method there does
//!   (`repo.markCompleted(id);` with `AppointmentRepository repo` and the
//!   PR's `AppointmentRepository.java` declaring `Future<Void> markCompleted`),
//!   `CompletableFuture.runAsync/supplyAsync(…)`, or `executor.submit(…)`
//!   (a receiver named like an executor, or one the file declares as an
//!   `ExecutorService`, `ThreadPoolExecutor` or `ForkJoinPool`:
//!   `io.submit(…)`) called as a bare statement — the future, and the exception it holds,
//!   is dropped (`executor.execute(…)`, which reports failures to the
//!   thread's handler, is fine). A method name the file also declares with
//!   another return type is left alone, and so is code inside a class that
//!   is itself a future (`extends CompletableFuture`), whose combinators
//!   track their dependents. Also a bare `publisher.subscribe();` with no
//!   error consumer inside a method that returns a Reactor `Mono`/`Flux`
//!   (`push.notify(c).subscribe();` in a `flatMap`): work detached from the
//!   returned chain, its failure lost.
//!
//! - JavaScript/TypeScript event handlers (a JSX `onClick={() => …}`-style
//!   attribute or an `addEventListener` listener), async or not: a bare call
//!   of a function of the same file whose promise can reject — an async
//!   function that awaits or throws outside `try`, or a function returning
//!   `fetch(…)` (or such a function's promise) with no `.catch`. The code
//!   after it treats the work as done, and a failure is never shown.
//!
//! - JavaScript/TypeScript outside tests: an RTK Query mutation trigger
//!   called as a bare statement (`approve({ id });`) when the file binds it
//!   alone from its hook (`const [approve] = useApproveMutation()`: the
//!   request state, `isError`/`error`, is not even destructured), so no
//!   failure is ever seen.
//!
//! - JavaScript/TypeScript, inside an async function: `xs.map(…)` as a bare
//!   statement whose callback is an async function that awaits, or returns
//!   such a call of an async function or method of the file
//!   (`rides.map((r) => this.assign(r));`): the array of promises is
//!   dropped.
//! - JavaScript/TypeScript tests: a Testing Library user-event v14
//!   interaction (`click`, `type`, `keyboard`, `hover`, `selectOptions`,
//!   `upload`, `clear`, `tab`, `paste`, `dblClick`, …) called as a bare
//!   statement on an instance from `userEvent.setup()` (`user.click(btn);`),
//!   or on `userEvent` itself in a file that calls `userEvent.setup()` or
//!   awaits another `userEvent` call. v13's synchronous `userEvent.click(…)`
//!   (a file with neither sign) is not reported. Also, in a file that
//!   imports `@testing-library/…`, a bare `waitFor(…)`,
//!   `waitForElementToBeRemoved(…)` or `findBy…`/`findAllBy…` query, which
//!   return promises in every version; and in any test, an assertion on a
//!   promise — `expect(p).rejects…`/`.resolves…`, chai-as-promised's
//!   `expect(p).to.be.rejectedWith(…)`/`.eventually…`, `node:assert`'s
//!   `assert.rejects(p, …)`/`assert.doesNotReject(p)` — neither awaited nor
//!   returned; in a Testing Library file, a `findBy…`/`waitFor` promise
//!   handed to a synchronous matcher (`expect(screen.findByText("Saved"))
//!   .toBeTruthy()`: a pending promise is always truthy); and in a test
//!   callback that takes no `done`
//!   (`it("…", () => {…})`), a promise chain as a bare statement — one with
//!   a `.then(…)` or a `.catch(…)` whose callback asserts, or a supertest chain (`request(app).get("/x").expect(200);`
//!   with `request` from `supertest`): the test ends, and passes, before the
//!   chain settles. (A `.catch(…)` that does not assert is not enough:
//!   schema libraries have one too.)
//!
//! - JavaScript/TypeScript, inside an async function: a bare call of a
//!   function imported from a module of the project (a relative import)
//!   that is handed a handle the same function awaits queries on
//!   (`notifySubscribers(sql, article.slug);` next to
//!   `await sql\`UPDATE …\``, `audit(db, …)` next to `await db.query(…)`):
//!   work done through an asynchronous database or client handle is a
//!   promise. Wiring calls (`register…`, `setup…`, `init…`, `use…`,
//!   `add…`, `log…`) are left alone.
//! - JavaScript/TypeScript, inside an async function: a bare
//!   `receiver.method(…)` on a name bound at the top of the module (an
//!   import, a require, a top-level `const`) when the file awaits the same
//!   method on it elsewhere (`await api.post(…)` … `api.post("/audit", …);`),
//!   or — for PascalCase names such as models — on another name of the same
//!   import of a project module (`await FeedingRound.create(…)` …
//!   `FeedingLog.create(…);` with both from `require("./models")`): the file
//!   itself shows the method returns a promise. Parameters and locals are left alone (`res.json(…)`
//!   in one handler, `await res.json()` after a `fetch` in another).
//!   Likewise an Objection query chain on an imported model as a bare
//!   statement (`Visit.query().patch({ … }).whereIn("id", ids);`) in a file
//!   that awaits other `Model.query()…` chains: the builder only runs when
//!   awaited or `then`-ed, so the write never happens.
//!
//! Deliberately not reported: other promise-returning functions from other files or
//! libraries (their return type is unknown without type information), a name
//! declared both as an async and a sync function in the file, calls in
//! other non-async JavaScript functions (often deliberate fire-and-forget at
//! the top level), async functions that catch their own errors when called
//! from a non-async handler, calls marked as deliberate by a comment
//! on the line or the line above ("fire and forget", "background", "no
//! await", "intentionally not awaited"), and `TaskGroup.create_task` /
//! nursery tasks, which their group keeps alive.
//!
//! ## Why is this bad?
//! The caller carries on as if the work were done: the response is sent
//! before the write happened, the next step reads stale data, and a failure
//! becomes an unhandled rejection (which crashes Node.js), a "coroutine was
//! never awaited" warning, or an exception nobody reads inside a dropped
//! Java future, instead of an error the caller handles. In Python
//! the coroutine does not run at all; a dropped `create_task` result can be
//! garbage-collected while the task is still running.
//!
//! ## Example
//! ```ts
//! export async function checkout(cart: Cart) {
//!   const order = await createOrder(cart);
//!   sendConfirmationEmail(order);
//!   return order;
//! }
//! ```
//!
//! Use instead:
//! ```ts
//! export async function checkout(cart: Cart) {
//!   const order = await createOrder(cart);
//!   await sendConfirmationEmail(order);
//!   return order;
//! }
//! ```

use std::collections::HashSet;

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::pr_facts::JAVA_FUTURE_TYPES;
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{
    enclosing_function, in_rust_test, is_async_function, is_js_function, is_test_path, preorder,
    unwrap_expression,
};

mod imports;

pub static META: RuleMeta = RuleMeta {
    id: "async-races/floating-promise",
    item: ChecklistItem::AsyncRaces,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Java,
        Language::Rust,
    ],
    summary: "An async function called without await (floating promise / never-awaited coroutine / dropped task or future)",
};

pub struct FloatingPromise;

impl Rule for FloatingPromise {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let (Some(_), Some(language)) = (ctx.root(), ctx.language) else {
            return;
        };
        if language == Language::Java {
            java_floating_futures(ctx, out);
            return;
        }
        if language == Language::Rust {
            rust_dropped_spawns(ctx, out);
            return;
        }
        let python = language == Language::Python;
        if python {
            for call in python_unawaited_assignments(ctx) {
                out.push(report(ctx, call, Kind::AsyncCall, true));
            }
        }
        let functions = Functions::collect(ctx, python);
        let user_events = if python {
            HashSet::new()
        } else {
            user_event_receivers(ctx)
        };
        let testing_library = !python && ctx.source.contains("@testing-library/");
        let supertest = if python {
            HashSet::new()
        } else {
            supertest_names(ctx)
        };
        let triggers = if python || is_test_path(ctx.path) {
            HashSet::new()
        } else {
            mutation_triggers(ctx)
        };
        for node in ctx.nodes_in_order(&["expression_statement"]) {
            let Some(call) = node
                .named_child(0)
                .map(unwrap_expression)
                .filter(|c| matches!(c.kind_str(), "call_expression" | "call"))
            else {
                continue;
            };
            let Some(function) = ctx.enclosing_function(language, node) else {
                continue;
            };
            let mut target = call;
            let found = if python {
                python_floating(ctx, call, &functions)
            } else if is_user_event_action(ctx, call, &user_events) {
                Some(Kind::UserEvent)
            } else if testing_library && is_async_query(ctx, call) {
                Some(Kind::AsyncQuery)
            } else if testing_library && let Some(query) = expected_async_query(ctx, call) {
                target = query;
                Some(Kind::AsyncQuery)
            } else if is_async_assertion(ctx, call) {
                Some(Kind::AsyncAssertion)
            } else if is_test_path(ctx.path)
                && is_test_callback(ctx, function)
                && is_promise_chain(ctx, call, &supertest)
            {
                Some(Kind::TestPromise)
            } else if call
                .field("function")
                .is_some_and(|f| f.kind_str() == "identifier" && triggers.contains(ctx.text(f)))
            {
                Some(Kind::MutationTrigger)
            } else if is_async_function(function) {
                js_floating(ctx, call, &functions)
            } else if is_event_handler(ctx, function) {
                handler_floating(ctx, call, &functions)
            } else {
                continue;
            };
            if let Some(kind) = found
                && !marked_deliberate(ctx, call)
            {
                out.push(report(ctx, target, kind, python));
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Kind {
    /// A call of an async function of this file.
    AsyncCall,
    /// A task created and dropped.
    DroppedTask,
    /// A promise of this file that can reject, dropped in an event handler.
    HandlerCall,
    /// `xs.map(…)` whose callback returns promises, as a statement.
    DroppedMap,
    /// A user-event v14 interaction (`user.click(…)`) whose promise the
    /// test does not wait for.
    UserEvent,
    /// Testing Library's `waitFor(…)`, `waitForElementToBeRemoved(…)` or a
    /// `findBy…` query, whose promise the test does not wait for.
    AsyncQuery,
    /// `expect(p).rejects.toThrow(…)` (Jest, Vitest) or chai-as-promised's
    /// `expect(p).to.be.rejectedWith(…)`, neither awaited nor returned.
    AsyncAssertion,
    /// An RTK Query mutation trigger (`const [approve] = useApproveMutation()`)
    /// called bare, with the hook's result state never read.
    MutationTrigger,
    /// A promise chain (`….then(…)`, a supertest `request(app).get(…)…`)
    /// dropped in a test callback that takes no `done`.
    TestPromise,
}

/// RTK Query mutation triggers whose result nobody can observe: `const
/// [approve] = useApproveMutation()` — the hook's second element, the
/// request state (`isError`, `error`), is not even destructured.
fn mutation_triggers<'s>(ctx: &RuleContext<'s>) -> HashSet<&'s str> {
    let mut names = HashSet::new();
    if !ctx.source.contains("Mutation(") {
        return names;
    }
    for node in ctx.nodes_of_kind(&["variable_declarator"]) {
        let (Some(pattern), Some(value)) = (node.field("name"), node.field("value")) else {
            continue;
        };
        let hook = value
            .field("function")
            .filter(|f| value.kind_str() == "call_expression" && f.kind_str() == "identifier")
            .map(|f| ctx.text(f))
            .unwrap_or_default();
        let mutation_hook = hook.starts_with("use")
            && hook.ends_with("Mutation")
            && hook.len() > "useMutation".len();
        if !mutation_hook || pattern.kind_str() != "array_pattern" {
            continue;
        }
        let mut cursor = pattern.walk();
        let elements: Vec<Node<'_>> = pattern
            .named_children(&mut cursor)
            .filter(|c| c.kind_str() != "comment")
            .collect();
        if let [only] = elements.as_slice()
            && only.kind_str() == "identifier"
        {
            names.insert(ctx.text(*only));
        }
    }
    names
}

/// Local names of supertest's entry point (`const request =
/// require("supertest")`, `import request from "supertest"`).
fn supertest_names<'s>(ctx: &RuleContext<'s>) -> HashSet<&'s str> {
    let mut names = HashSet::new();
    if !ctx.source.contains("supertest") {
        return names;
    }
    for node in ctx.nodes_of_kind(&["variable_declarator", "import_statement"]) {
        let (target, source) = if node.kind_str() == "variable_declarator" {
            let Some(value) = node
                .field("value")
                .filter(|v| v.kind_str() == "call_expression")
            else {
                continue;
            };
            if value.field("function").map(|f| ctx.text(f)) != Some("require") {
                continue;
            }
            (
                node.field("name"),
                value.field("arguments").and_then(|a| a.named_child(0)),
            )
        } else {
            let mut cursor = node.walk();
            let clause = node
                .named_children(&mut cursor)
                .find(|c| c.kind_str() == "import_clause");
            (
                clause
                    .and_then(|c| c.named_child(0))
                    .filter(|c| c.kind_str() == "identifier"),
                node.field("source"),
            )
        };
        if let (Some(target), Some(source)) = (target, source)
            && target.kind_str() == "identifier"
            && ctx.text(source).trim_matches(['"', '\'', '`']) == "supertest"
        {
            names.insert(ctx.text(target));
        }
    }
    names
}

/// The callback of a Jest/Mocha/Vitest test (`it("…", () => {…})`,
/// `test.only(…)`) that takes no `done` callback: the test ends when the
/// callback returns (or its promise settles).
fn is_test_callback(ctx: &RuleContext<'_>, function: Node<'_>) -> bool {
    let Some(call) = ctx
        .parent(function)
        .filter(|a| a.kind_str() == "arguments")
        .and_then(|a| ctx.parent(a))
        .filter(|c| c.kind_str() == "call_expression")
    else {
        return false;
    };
    let name = call.field("function").map_or("", |f| ctx.text(f));
    let test = matches!(name.split('.').next(), Some("it" | "test" | "specify"))
        && !name.contains(".each")
        && !name.contains(".skip")
        && !name.contains(".todo");
    let takes_done = function
        .field("parameters")
        .or_else(|| function.field("parameter"))
        .is_some_and(|p| p.named_child_count() > 0 || p.kind_str() == "identifier");
    test && !takes_done
}

/// `fetchX().then((r) => expect(…))`, `request(app).get("/").expect(200)`:
/// a promise chain, by a `.then` anywhere along it, or a chain rooted at
/// supertest's `request(…)` (a thenable that sends nothing until awaited,
/// `.end(…)`ed or `.then`ed).
fn is_promise_chain(ctx: &RuleContext<'_>, call: Node<'_>, supertest: &HashSet<&str>) -> bool {
    let Some(callee) = call
        .field("function")
        .map(unwrap_expression)
        .filter(|f| f.kind_str() == "member_expression")
    else {
        return false;
    };
    let last = callee.field("property").map_or("", |p| ctx.text(p));
    if last == "end" {
        return false;
    }
    // Cypress commands (`cy.get(…).then(…)`) are queued, not promises.
    if ctx.path.contains("cypress/") || ctx.path.contains(".cy.") {
        return false;
    }
    // Down the chain to its root (`request(app)`, `cy`), noting any `.then`
    // — or a `.catch` whose callback asserts (`p.catch((err) =>
    // expect(err.message)…)`): a schema's `.catch(value)` takes no callback
    // that asserts.
    let mut saw_then = false;
    let mut node = callee;
    loop {
        if node.kind_str() == "member_expression"
            && node.field("property").is_some_and(|p| {
                ctx.text(p) == "then" || (ctx.text(p) == "catch" && catch_asserts(ctx, node))
            })
        {
            saw_then = true;
        }
        let next = match node.kind_str() {
            "member_expression" => node.field("object"),
            "call_expression" => {
                let f = node.field("function").map(unwrap_expression);
                if let Some(f) = f
                    && f.kind_str() == "identifier"
                {
                    return saw_then || supertest.contains(ctx.text(f));
                }
                f
            }
            // Cypress commands (`cy.get(…).then(…)`) are queued, not
            // promises.
            "identifier" => return saw_then && !matches!(ctx.text(node), "cy" | "Cypress"),
            _ => return saw_then,
        };
        match next.map(unwrap_expression) {
            Some(n) => node = n,
            None => return saw_then,
        }
    }
}

/// `….catch((err) => { expect(err…)… })`: the member `node` is called with a
/// function that makes an assertion.
fn catch_asserts(ctx: &RuleContext<'_>, member: Node<'_>) -> bool {
    ctx.parent(member)
        .filter(|c| c.kind_str() == "call_expression")
        .and_then(|c| c.field("arguments"))
        .and_then(|args| {
            let mut cursor = args.walk();
            args.named_children(&mut cursor)
                .find(|a| a.kind_str() != "comment")
        })
        .filter(|f| is_js_function(*f))
        .is_some_and(|f| {
            preorder(f).any(|n| {
                n.kind_str() == "call_expression"
                    && n.field("function").is_some_and(|callee| {
                        let text = ctx.text(callee);
                        text == "expect" || text == "assert" || text.starts_with("assert.")
                    })
            })
        })
}

/// Testing Library user-event interactions: asynchronous in v14.
const USER_EVENT_ACTIONS: &[&str] = &[
    "click",
    "dblClick",
    "tripleClick",
    "type",
    "keyboard",
    "hover",
    "unhover",
    "selectOptions",
    "deselectOptions",
    "upload",
    "clear",
    "tab",
    "paste",
    "pointer",
    "copy",
    "cut",
];

/// The receivers of user-event v14 actions in this file: a name bound to
/// `userEvent.setup(…)` (`const user = userEvent.setup()`, `user =
/// userEvent.setup()` in a hook, `const { user } = renderWithUser(…)` next
/// to a `userEvent.setup()`), and `userEvent` itself when the file calls
/// `userEvent.setup()` or awaits one of its actions — v14 signs. v13's
/// synchronous `userEvent.click(…)` in a file without them is left alone.
fn user_event_receivers<'s>(ctx: &RuleContext<'s>) -> HashSet<&'s str> {
    let mut names = HashSet::new();
    if !ctx.source.contains("userEvent") {
        return names;
    }
    let sets_up = ctx.source.contains("userEvent.setup(");
    let awaits_action = ctx.nodes_of_kind(&["await_expression"]).any(|a| {
        a.named_child(0)
            .filter(|c| c.kind_str() == "call_expression")
            .and_then(|c| c.field("function"))
            .is_some_and(|f| ctx.text(f).starts_with("userEvent."))
    });
    if sets_up || awaits_action {
        names.insert("userEvent");
    }
    if !sets_up {
        return names;
    }
    for node in ctx.nodes_of_kind(&["variable_declarator", "assignment_expression"]) {
        let (target, value) = if node.kind_str() == "variable_declarator" {
            (node.field("name"), node.field("value"))
        } else {
            (node.field("left"), node.field("right"))
        };
        let (Some(target), Some(value)) = (target, value) else {
            continue;
        };
        match target.kind_str() {
            "identifier" if ctx.text(value).starts_with("userEvent.setup(") => {
                names.insert(ctx.text(target));
            }
            // `const { user } = setup(<Form />)`: a render helper handing
            // out the file's `userEvent.setup()` instance.
            "object_pattern" if value.kind_str() == "call_expression" => {
                for n in preorder(target) {
                    if n.kind_str() == "shorthand_property_identifier_pattern"
                        && ctx.text(n) == "user"
                    {
                        names.insert("user");
                    }
                }
            }
            _ => {}
        }
    }
    names
}

/// `user.click(button);` as a statement, with `user` a user-event v14
/// instance: the test goes on before the interaction has happened.
fn is_user_event_action(ctx: &RuleContext<'_>, call: Node<'_>, receivers: &HashSet<&str>) -> bool {
    let Some(callee) = call.field("function").map(unwrap_expression) else {
        return false;
    };
    callee.kind_str() == "member_expression"
        && callee
            .field("object")
            .is_some_and(|o| o.kind_str() == "identifier" && receivers.contains(ctx.text(o)))
        && callee
            .field("property")
            .is_some_and(|p| USER_EVENT_ACTIONS.contains(&ctx.text(p)))
}

/// An assertion on a promise — Jest/Vitest `expect(p).rejects…` /
/// `.resolves…`, chai-as-promised `expect(p).to.be.rejectedWith(…)`,
/// `.eventually…`, `.fulfilled`, `.rejected` — as a bare statement.
fn is_async_assertion(ctx: &RuleContext<'_>, call: Node<'_>) -> bool {
    // `node:assert`'s `assert.rejects(p, …)` / `assert.doesNotReject(p)`
    // return a promise of the verdict.
    if let Some(callee) = call.field("function").map(unwrap_expression)
        && callee.kind_str() == "member_expression"
        && callee
            .field("object")
            .is_some_and(|o| ctx.text(o) == "assert")
        && callee
            .field("property")
            .is_some_and(|p| matches!(ctx.text(p), "rejects" | "doesNotReject"))
    {
        return true;
    }
    let mut node = call;
    let mut on_promise = false;
    loop {
        let next = match node.kind_str() {
            "call_expression" => node.field("function"),
            "member_expression" => {
                if node.field("property").is_some_and(|p| {
                    matches!(
                        ctx.text(p),
                        "rejects"
                            | "resolves"
                            | "eventually"
                            | "rejectedWith"
                            | "rejected"
                            | "fulfilled"
                            | "become"
                    )
                }) {
                    on_promise = true;
                }
                node.field("object")
            }
            "identifier" => return on_promise && ctx.text(node) == "expect",
            _ => return false,
        };
        match next {
            Some(next) => node = next,
            None => return false,
        }
    }
}

/// Testing Library's asynchronous helpers, called bare: `waitFor(…)`,
/// `waitForElementToBeRemoved(…)`, and the `findBy…`/`findAllBy…` queries
/// (`screen.findByText(…)`, or destructured from `render(…)`). They have
/// returned promises in every version.
fn is_async_query(ctx: &RuleContext<'_>, call: Node<'_>) -> bool {
    let Some(callee) = call.field("function").map(unwrap_expression) else {
        return false;
    };
    let name = match callee.kind_str() {
        "identifier" => ctx.text(callee),
        "member_expression" => callee.field("property").map_or("", |p| ctx.text(p)),
        _ => return false,
    };
    matches!(name, "waitFor" | "waitForElementToBeRemoved")
        || ["findBy", "findAllBy"].iter().any(|prefix| {
            name.strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        })
}

/// `expect(screen.findByText("Saved")).toBeTruthy()`: a `findBy…` query
/// (or `waitFor(…)`) handed to a synchronous matcher without `await` — the
/// matcher sees a pending promise, which is always truthy and defined.
/// Returns the query call. `.resolves`/`.rejects` chains are left to
/// [`is_async_assertion`].
fn expected_async_query<'t>(ctx: &RuleContext<'_>, call: Node<'t>) -> Option<Node<'t>> {
    let mut node = call;
    loop {
        node = match node.kind_str() {
            "call_expression" => {
                let function = node.field("function").map(unwrap_expression)?;
                if function.kind_str() == "identifier" {
                    if ctx.text(function) != "expect" {
                        return None;
                    }
                    let args = node.field("arguments")?;
                    let mut cursor = args.walk();
                    let first = args
                        .named_children(&mut cursor)
                        .find(|a| a.kind_str() != "comment")
                        .map(unwrap_expression)?;
                    return (first.kind_str() == "call_expression" && is_async_query(ctx, first))
                        .then_some(first);
                }
                function
            }
            "member_expression" => {
                if node
                    .field("property")
                    .is_some_and(|p| matches!(ctx.text(p), "rejects" | "resolves"))
                {
                    return None;
                }
                node.field("object").map(unwrap_expression)?
            }
            _ => return None,
        };
    }
}

/// Java: a bare call statement whose `CompletableFuture`/`Future` result
/// is dropped — a method of the file declared to return one (`pushAll(x);`,
/// `this.pushAll(x);`), `CompletableFuture.runAsync/supplyAsync(…)`, or
/// `executor.submit(…)`.
fn java_floating_futures(ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    let mut future_methods: HashSet<&str> = HashSet::new();
    let mut other_methods: HashSet<&str> = HashSet::new();
    for method in ctx.nodes_in_order(&["method_declaration"]) {
        let (Some(name), Some(ty)) = (method.field("name"), method.field("type")) else {
            continue;
        };
        let ty = ctx.text(ty);
        let base = ty.split('<').next().unwrap_or(ty).trim();
        let base = base.rsplit('.').next().unwrap_or(base);
        if JAVA_FUTURE_TYPES.contains(&base) {
            future_methods.insert(ctx.text(name));
        } else {
            other_methods.insert(ctx.text(name));
        }
    }
    let executors = java_executor_names(ctx);
    let declared = java_declared_types(ctx);
    for node in ctx.nodes_in_order(&["expression_statement"]) {
        let Some(call) = node
            .named_child(0)
            .filter(|c| c.kind_str() == "method_invocation")
        else {
            continue;
        };
        let (Some(name), object) = (call.field("name"), call.field("object")) else {
            continue;
        };
        let name = ctx.text(name);
        let object = object.map(|o| ctx.text(o));
        let found = match object {
            None | Some("this") => future_methods.contains(name) && !other_methods.contains(name),
            Some("CompletableFuture") => matches!(name, "runAsync" | "supplyAsync"),
            Some(receiver) => {
                let last = receiver.rsplit('.').next().unwrap_or(receiver);
                let this_field = receiver.strip_prefix("this.").unwrap_or(receiver);
                let submit = name == "submit"
                    && (last.to_ascii_lowercase().ends_with("executor")
                        || executors.contains(this_field));
                // A method of a class of the pull request declared to
                // return a future: `repo.markCompleted(id);` with
                // `AppointmentRepository repo` and its file in the PR.
                // Not on a future itself: `status.whenComplete(…)` registers
                // a callback, its returned stage is routinely dropped.
                submit
                    || declared.get(this_field).is_some_and(|ty| {
                        !JAVA_FUTURE_TYPES.contains(ty)
                            && ctx.pr.java_method_returns_future(ty, name)
                    })
            }
        };
        if found && !marked_deliberate(ctx, call) && !inside_future_class(ctx, call) {
            out.push(report_java(ctx, call));
        } else if name == "subscribe"
            && call
                .field("arguments")
                .is_some_and(|a| a.named_child_count() == 0)
            && in_reactive_method(ctx, call)
            && !marked_deliberate(ctx, call)
        {
            out.push(report_nested_subscribe(ctx, call));
        }
    }
}

/// Whether `node` is in a method declared to return a Reactor `Mono`/`Flux`
/// (or a `Publisher`): reactive code whose work belongs in the returned
/// chain.
fn in_reactive_method(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    let mut current = ctx.parent(node);
    while let Some(n) = current {
        if n.kind_str() == "method_declaration" {
            return n.field("type").is_some_and(|t| {
                let ty = ctx.text(t);
                let base = ty.split('<').next().unwrap_or(ty).trim();
                matches!(
                    base.rsplit('.').next().unwrap_or(base),
                    "Mono" | "Flux" | "Publisher"
                )
            });
        }
        current = ctx.parent(n);
    }
    false
}

fn report_nested_subscribe(ctx: &RuleContext<'_>, call: Node<'_>) -> Finding {
    let code = quote(ctx.text(call), 80);
    ctx.node_finding(&META, call)
        .title("`subscribe()` inside a reactive method detaches the work from the request")
        .message(format!(
            "`{code}` starts a separate subscription inside a method that returns a \
             `Mono`/`Flux`. The returned chain does not wait for it, cancelling the request does \
             not cancel it, and with no error consumer its failure is only logged by Reactor as \
             an `ErrorCallbackNotImplemented` — the caller sees success either way.\n\nCompose \
             it into the returned chain (`.flatMap(…)`, `.then(…)`, `Mono.when(…)`), or, if it \
             really is fire-and-forget, subscribe with an error handler on a dedicated \
             scheduler and say so."
        ))
        .symptom(format!(
            "`{code}` is subscribed on its own inside a reactive method, without an error \
             consumer."
        ))
        .root_cause(
            "A nested `subscribe()` breaks the reactive chain: its completion, errors and \
             cancellation are no longer tied to the returned publisher.",
        )
        .fix(
            "Return the work as part of the chain (`flatMap`/`then`/`Mono.when`), or attach \
             `doOnError`/an error consumer when running it in the background is intended.",
        )
        .scope("Change only this statement and how its publisher joins the returned chain.")
        .build()
}

/// The simple type name of each name the file declares (field, parameter
/// or local) with one type only.
fn java_declared_types<'s>(ctx: &RuleContext<'s>) -> std::collections::HashMap<&'s str, &'s str> {
    let mut types: std::collections::HashMap<&'s str, Option<&'s str>> = Default::default();
    for node in ctx.nodes_in_order(&[
        "field_declaration",
        "formal_parameter",
        "local_variable_declaration",
    ]) {
        let Some((base, names)) = crate::syntax::java_declaration(node, ctx.source) else {
            continue;
        };
        for name in names {
            types
                .entry(name)
                .and_modify(|t| {
                    if *t != Some(base) {
                        *t = None;
                    }
                })
                .or_insert(Some(base));
        }
    }
    types
        .into_iter()
        .filter_map(|(name, ty)| ty.map(|ty| (name, ty)))
        .collect()
}

/// Names the file declares (field, parameter or local) only with an
/// executor type: `ExecutorService`, `ScheduledExecutorService`,
/// `ThreadPoolExecutor`, `ForkJoinPool`, … (`private final ExecutorService io;`).
fn java_executor_names<'s>(ctx: &RuleContext<'s>) -> HashSet<&'s str> {
    let mut executors = HashSet::new();
    let mut others = HashSet::new();
    for node in ctx.nodes_in_order(&[
        "field_declaration",
        "formal_parameter",
        "local_variable_declaration",
    ]) {
        let Some((base, names)) = crate::syntax::java_declaration(node, ctx.source) else {
            continue;
        };
        let executor = base.ends_with("ExecutorService")
            || base.ends_with("ThreadPoolExecutor")
            || base == "ForkJoinPool";
        for name in names {
            if executor {
                executors.insert(name);
            } else {
                others.insert(name);
            }
        }
    }
    executors.retain(|name| !others.contains(name));
    executors
}

/// Inside a class that is itself a future (`CompletableFuture`'s own
/// source, a `class RetryingFuture<T> extends CompletableFuture<T>`): its
/// methods returning futures are combinators whose dependents the
/// implementation tracks itself.
fn inside_future_class(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        if matches!(n.kind_str(), "class_declaration" | "interface_declaration") {
            let name = n.field("name").map(|n| ctx.text(n)).unwrap_or_default();
            let supertypes = ["superclass", "interfaces"]
                .iter()
                .filter_map(|f| n.field(f))
                .map(|t| ctx.text(t))
                .collect::<Vec<_>>()
                .join(" ");
            let is_future = |text: &str| {
                text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                    .any(|word| JAVA_FUTURE_TYPES.contains(&word))
            };
            if is_future(name) || is_future(&supertypes) {
                return true;
            }
        }
        current = n.parent();
    }
    false
}

fn report_java(ctx: &RuleContext<'_>, call: Node<'_>) -> Finding {
    let callee = call
        .field("name")
        .map(|f| quote(ctx.text(f), 50))
        .unwrap_or_default();
    let code = quote(ctx.text(call), 80);
    ctx.node_finding(&META, call)
        .title(format!("Future from `{callee}(…)` is dropped"))
        .message(format!(
            "`{code}` starts work that completes later and returns its future, which this \
             statement throws away. Nothing waits for it, and when it fails the exception stays \
             inside the dropped future: no log line, no retry, no error for the caller — the \
             code after it carries on as if the work had succeeded.\n\nJoin or return the \
             future (`{code}.join()`, `return {code};`), or keep it running in the background \
             with an explicit failure handler: `{code}.exceptionally(e -> {{ log.error(…, e); \
             return null; }});`."
        ))
        .symptom(format!(
            "`{code}` returns a future that is neither stored, returned, joined nor given a \
             failure handler."
        ))
        .root_cause(
            "A `CompletableFuture`/`Future` holds the outcome of asynchronous work, including its \
             exception; dropping it means the outcome is never observed.",
        )
        .fix(format!(
            "Wait for `{callee}(…)` where the result matters (`join()`/`get()` or compose it into \
             the returned future), or attach `exceptionally`/`whenComplete` that logs the \
             failure if running it in the background is intended."
        ))
        .scope(
            "Change only this call statement; keep the called method and the enclosing method's \
             signature as they are unless returning the future is the fix.",
        )
        .build()
}

/// Async and sync function names declared in the file; methods keyed by
/// their class so that `this.f()` / `self.f()` resolve within the class.
struct Functions<'s> {
    async_fns: HashSet<&'s str>,
    sync_fns: HashSet<&'s str>,
    async_methods: HashSet<(usize, &'s str)>,
    sync_methods: HashSet<(usize, &'s str)>,
    /// Python: names the file awaits or hands to `asyncio.gather` elsewhere
    /// (`await send_email(…)`): awaiting a non-awaitable raises, so they are
    /// coroutine functions even when imported.
    awaited_fns: HashSet<&'s str>,
    /// JavaScript: local names of promise-only modules (`fs` from
    /// `require("node:fs/promises")`) and functions destructured from them.
    promise_modules: HashSet<&'s str>,
    /// JavaScript: plain functions of the file whose promise can reject: an
    /// async function that awaits or throws outside any `try`, or a function
    /// that returns `fetch(…)` or such a function's promise without `.catch`.
    rejecting_fns: HashSet<&'s str>,
    /// JavaScript: names imported from a module of the project.
    relative_imports: HashSet<&'s str>,
    /// JavaScript: `(receiver, method)` of every `await receiver.method(…)`
    /// in the file.
    awaited_members: HashSet<(&'s str, &'s str)>,
    /// JavaScript: names bound at the top of the module (imports, requires,
    /// top-level `const`s), each with the index of its declaration when
    /// that declaration imports a module of the project (`./models`): such
    /// names come from one module.
    module_bindings: std::collections::HashMap<&'s str, Option<usize>>,
    /// JavaScript: names bound to an instance of a class of the pull
    /// request, with that class (see [`imports::js_bound_classes`]).
    pr_classes: std::collections::HashMap<&'s str, String>,
}

impl<'s> Functions<'s> {
    fn collect(ctx: &RuleContext<'s>, python: bool) -> Functions<'s> {
        let mut f = Functions {
            async_fns: HashSet::new(),
            sync_fns: HashSet::new(),
            async_methods: HashSet::new(),
            sync_methods: HashSet::new(),
            awaited_fns: HashSet::new(),
            promise_modules: HashSet::new(),
            rejecting_fns: HashSet::new(),
            relative_imports: HashSet::new(),
            awaited_members: HashSet::new(),
            module_bindings: std::collections::HashMap::new(),
            pr_classes: std::collections::HashMap::new(),
        };
        let mut plain: Vec<(&'s str, Node<'s>)> = Vec::new();
        if python {
            f.awaited_fns = python_awaited_names(ctx);
            f.awaited_fns
                .extend(imports::imported_pr_coroutines(ctx, true));
        } else {
            f.async_fns
                .extend(imports::imported_pr_coroutines(ctx, false));
            f.pr_classes = imports::js_bound_classes(ctx);
            f.promise_modules = js_promise_modules(ctx);
            f.relative_imports = js_relative_imports(ctx);
            f.awaited_members = js_awaited_members(ctx);
            f.module_bindings = js_module_bindings(ctx);
        }
        for node in ctx.nodes_in_order(&[
            "function_declaration",
            "function_definition",
            "method_definition",
            "variable_declarator",
        ]) {
            let (name, function) = match node.kind_str() {
                "function_declaration" | "function_definition" | "method_definition" => {
                    (node.field("name"), node)
                }
                "variable_declarator" => match node.field("value") {
                    Some(v) if is_js_function(v) => (node.field("name"), v),
                    _ => continue,
                },
                _ => continue,
            };
            let Some(name) = name.map(|n| ctx.text(n)) else {
                continue;
            };
            let is_async = is_async_function(function);
            let class = enclosing_class(node, python);
            let is_method = node.kind_str() == "method_definition" || (python && class.is_some());
            match (is_method, class) {
                (true, Some(class)) => {
                    let key = (class.start_byte(), name);
                    if is_async {
                        f.async_methods.insert(key);
                    } else {
                        f.sync_methods.insert(key);
                    }
                }
                _ => {
                    if is_async {
                        f.async_fns.insert(name);
                    } else {
                        f.sync_fns.insert(name);
                    }
                    plain.push((name, function));
                }
            }
        }
        if !python {
            f.rejecting_fns = js_rejecting_functions(ctx, &plain);
        }
        f
    }

    fn is_async_fn(&self, name: &str) -> bool {
        (self.async_fns.contains(name)
            || self.awaited_fns.contains(name)
            || self.promise_modules.contains(name))
            && !self.sync_fns.contains(name)
    }

    fn is_async_method(&self, class: Node<'_>, name: &'s str) -> bool {
        let key = (class.start_byte(), name);
        self.async_methods.contains(&key) && !self.sync_methods.contains(&key)
    }
}

/// The class a method belongs to (directly: a function nested in a method is
/// not a method).
fn enclosing_class(node: Node<'_>, python: bool) -> Option<Node<'_>> {
    let mut current = node.parent();
    while let Some(n) = current {
        match n.kind_str() {
            "class_declaration" | "class" | "abstract_class_declaration" | "class_definition" => {
                return Some(n);
            }
            "class_body" | "block" | "decorated_definition" => {}
            _ if python => return None,
            _ if is_js_function(n) => return None,
            _ => {}
        }
        current = n.parent();
    }
    None
}

fn js_floating(ctx: &RuleContext<'_>, call: Node<'_>, functions: &Functions<'_>) -> Option<Kind> {
    let callee = unwrap_expression(call.field("function")?);
    match callee.kind_str() {
        "identifier" => {
            let name = ctx.text(callee);
            ((functions.is_async_fn(name) || passes_awaited_handle(ctx, call, name, functions))
                && !is_parameter(ctx, call, name, Language::JavaScript))
            .then_some(Kind::AsyncCall)
        }
        "member_expression" => {
            let object = callee.field("object")?;
            let property = callee.field("property")?;
            // `fs.unlink(p)` with `fs` from `node:fs/promises`.
            if object.kind_str() == "identifier"
                && functions.promise_modules.contains(ctx.text(object))
                && !is_parameter(ctx, call, ctx.text(object), Language::JavaScript)
            {
                return Some(Kind::AsyncCall);
            }
            if matches!(ctx.text(property), "map" | "flatMap") {
                return maps_to_promises(ctx, call, functions).then_some(Kind::DroppedMap);
            }
            if object.kind_str() == "identifier"
                && awaited_elsewhere(ctx, call, ctx.text(object), ctx.text(property), functions)
            {
                return Some(Kind::AsyncCall);
            }
            // `sms.send(…)` / `this.mailer.sendReceipt(…)` on an instance of
            // a class of the pull request whose method is `async`.
            let bound = match object.kind_str() {
                "identifier" => Some(ctx.text(object)),
                "member_expression"
                    if object
                        .field("object")
                        .is_some_and(|o| o.kind_str() == "this") =>
                {
                    object.field("property").map(|p| ctx.text(p))
                }
                _ => None,
            };
            if let Some(class) = bound.and_then(|name| functions.pr_classes.get(name))
                && ctx.pr.js_async_method(class, ctx.text(property))
            {
                return Some(Kind::AsyncCall);
            }
            if unawaited_query_builder(ctx, call, functions) {
                return Some(Kind::AsyncCall);
            }
            if object.kind_str() != "this" {
                return None;
            }
            let class = enclosing_class_of(call, false)?;
            functions
                .is_async_method(class, ctx.text(property))
                .then_some(Kind::AsyncCall)
        }
        _ => None,
    }
}

/// The model of an Objection query chain, `Visit.query()…`: the chain's
/// root is `Model.query(…)` on a PascalCase name bound at the top of the
/// module. `None` for anything else, or when the chain runs or hands on the
/// query itself (`then`, `catch`, `execute`, …).
fn query_builder_model<'s>(ctx: &RuleContext<'s>, call: Node<'_>) -> Option<&'s str> {
    let mut current = call;
    loop {
        let callee = unwrap_expression(current.field("function")?);
        if callee.kind_str() != "member_expression" {
            return None;
        }
        let object = unwrap_expression(callee.field("object")?);
        let method = ctx.text(callee.field("property")?);
        if matches!(
            method,
            "then" | "catch" | "finally" | "execute" | "exec" | "stream" | "toKnexQuery"
        ) {
            return None;
        }
        if method == "query" && object.kind_str() == "identifier" {
            let model = ctx.text(object);
            let pascal = model.starts_with(|c: char| c.is_ascii_uppercase())
                && model.chars().any(|c| c.is_ascii_lowercase());
            return (pascal && current != call).then_some(model);
        }
        if object.kind_str() != "call_expression" {
            return None;
        }
        current = object;
    }
}

/// `Visit.query().patch({ … }).whereIn("id", ids);` as a statement, in a
/// file that awaits other `Model.query()…` chains: an Objection (knex) query
/// builder only runs when awaited or `then`-ed, so this write never happens.
fn unawaited_query_builder(
    ctx: &RuleContext<'_>,
    call: Node<'_>,
    functions: &Functions<'_>,
) -> bool {
    let Some(model) = query_builder_model(ctx, call) else {
        return false;
    };
    functions.module_bindings.contains_key(model)
        && ctx
            .nodes_of_kind(&["await_expression"])
            .into_iter()
            .any(|a| {
                a.named_child(0)
                    .map(unwrap_expression)
                    .filter(|c| c.kind_str() == "call_expression")
                    .is_some_and(|c| query_builder_model(ctx, c).is_some())
            })
}

/// Leading words of imported functions that wire things up rather than do
/// the work (`registerRoutes(app, db)`, `setupListeners(db)`).
const WIRING_VERBS: &[&str] = &[
    "register",
    "setup",
    "set",
    "init",
    "initialize",
    "mount",
    "use",
    "attach",
    "configure",
    "add",
    "on",
    "log",
    "assert",
    "validate",
];

/// `notifySubscribers(sql, article.section)` in an async function that
/// itself awaits queries on `sql` (`await sql\`…\``, `await db.query(…)`):
/// a function of another module of the project (a relative import) handed
/// an asynchronous database or client handle does its work through it, and
/// in JavaScript that work is a promise.
fn passes_awaited_handle(
    ctx: &RuleContext<'_>,
    call: Node<'_>,
    name: &str,
    functions: &Functions<'_>,
) -> bool {
    if !functions.relative_imports.contains(name)
        || functions.sync_fns.contains(name)
        || crate::syntax::identifier_words(name)
            .first()
            .is_some_and(|w| WIRING_VERBS.contains(&w.as_str()))
    {
        return false;
    }
    let (Some(args), Some(function)) = (
        call.field("arguments"),
        ctx.enclosing_function(Language::JavaScript, call),
    ) else {
        return false;
    };
    let mut cursor = args.walk();
    let handles: Vec<&str> = args
        .named_children(&mut cursor)
        .filter(|a| a.kind_str() == "identifier")
        .map(|a| ctx.text(a))
        .collect();
    !handles.is_empty()
        && preorder(function).any(|n| {
            // `await sql<Row[]>\`…\``: the TypeScript grammar reads the type
            // arguments as applying to `await sql`.
            let typed_tag = n.kind_str() == "await_expression"
                && n.parent()
                    .is_some_and(|p| p.kind_str() == "instantiation_expression")
                && n.named_child(0).is_some_and(|h| {
                    h.kind_str() == "identifier" && handles.contains(&ctx.text(h))
                });
            typed_tag
                || n.kind_str() == "await_expression"
                    && n.named_child(0)
                        .map(unwrap_expression)
                        .filter(|c| c.kind_str() == "call_expression")
                        .and_then(|c| c.field("function"))
                        .map(unwrap_expression)
                        .is_some_and(|f| {
                            let handle = match f.kind_str() {
                                "identifier" => Some(f),
                                "member_expression" => {
                                    f.field("object").filter(|o| o.kind_str() == "identifier")
                                }
                                _ => None,
                            };
                            handle.is_some_and(|h| handles.contains(&ctx.text(h)))
                        })
        })
}

/// `api.post("/audit", …);` as a statement where the file awaits
/// `api.post(…)` elsewhere, or `FeedingLog.create(…);` where it awaits
/// `FeedingRound.create(…)` and both models come from one import: the file
/// itself shows the method returns a promise. Only for receivers bound at
/// the top of the module (an import, a require, a top-level `const`), not
/// parameters or locals, whose name may stand for different objects in
/// different functions (`res.json(…)` in a handler, `await res.json()`
/// after a `fetch`).
fn awaited_elsewhere(
    ctx: &RuleContext<'_>,
    call: Node<'_>,
    receiver: &str,
    method: &str,
    functions: &Functions<'_>,
) -> bool {
    let Some(&group) = functions.module_bindings.get(receiver) else {
        return false;
    };
    if is_parameter(ctx, call, receiver, Language::JavaScript) {
        return false;
    }
    let pascal = |name: &str| {
        name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.chars().any(|c| c.is_ascii_lowercase())
    };
    functions.awaited_members.contains(&(receiver, method))
        || pascal(receiver)
            && functions.awaited_members.iter().any(|(other, m)| {
                *m == method
                    && *other != receiver
                    && pascal(other)
                    && group.is_some()
                    && functions.module_bindings.get(other) == Some(&group)
            })
}

fn js_awaited_members<'s>(ctx: &RuleContext<'s>) -> HashSet<(&'s str, &'s str)> {
    let mut pairs = HashSet::new();
    for node in ctx.nodes_of_kind(&["await_expression"]) {
        let Some(inner) = node.named_child(0).map(unwrap_expression) else {
            continue;
        };
        let callee = match inner.kind_str() {
            "call_expression" => inner.field("function").map(unwrap_expression),
            // `await api.post<T>(…)`: the TypeScript grammar reads the type
            // arguments as applying to `await api.post`.
            "member_expression"
                if ctx.parent(node).is_some_and(|p| {
                    p.kind_str() == "call_expression" && p.field("function") == Some(node)
                }) =>
            {
                Some(inner)
            }
            _ => None,
        };
        let Some(callee) = callee.filter(|f| f.kind_str() == "member_expression") else {
            continue;
        };
        if let (Some(object), Some(property)) = (callee.field("object"), callee.field("property"))
            && object.kind_str() == "identifier"
        {
            pairs.insert((ctx.text(object), ctx.text(property)));
        }
    }
    pairs
}

fn js_module_bindings<'s>(
    ctx: &RuleContext<'s>,
) -> std::collections::HashMap<&'s str, Option<usize>> {
    let mut names = std::collections::HashMap::new();
    let Some(root) = ctx.root() else {
        return names;
    };
    let mut cursor = root.walk();
    for (index, statement) in root.named_children(&mut cursor).enumerate() {
        // `import … from "./models"`, `const { … } = require("../models")`.
        let relative = preorder(statement)
            .find(|n| {
                n.kind_str() == "string"
                    && ctx.parent(*n).is_some_and(|p| {
                        p.kind_str() == "import_statement"
                            || p.kind_str() == "arguments"
                                && ctx
                                    .parent(p)
                                    .and_then(|c| c.field("function"))
                                    .is_some_and(|f| ctx.text(f) == "require")
                    })
            })
            .is_some_and(|m| ctx.text(m).trim_matches(['"', '\'', '`']).starts_with('.'));
        let group = relative.then_some(index);
        let targets: Vec<Node<'_>> = match statement.kind_str() {
            "import_statement" => statement
                .named_children(&mut statement.walk())
                .filter(|c| c.kind_str() == "import_clause")
                .collect(),
            "lexical_declaration" | "variable_declaration" => {
                let mut inner = statement.walk();
                statement
                    .named_children(&mut inner)
                    .filter(|d| d.kind_str() == "variable_declarator")
                    .filter_map(|d| d.field("name"))
                    .collect()
            }
            _ => continue,
        };
        for target in targets {
            for n in preorder(target) {
                let bound = matches!(
                    n.kind_str(),
                    "identifier" | "shorthand_property_identifier_pattern"
                );
                // `import { a as b }`: `b` is the local name.
                let renamed_from = ctx.parent(n).is_some_and(|p| {
                    p.kind_str() == "import_specifier"
                        && p.field("alias").is_some()
                        && p.field("name") == Some(n)
                });
                if bound && !renamed_from {
                    names.insert(ctx.text(n), group);
                }
            }
        }
    }
    names
}

/// Names imported from a module of the project (`import { notify } from
/// "../services/notifications"`).
fn js_relative_imports<'s>(ctx: &RuleContext<'s>) -> HashSet<&'s str> {
    let mut names = HashSet::new();
    for node in ctx.nodes_of_kind(&["import_statement"]) {
        let Some(source) = node.field("source") else {
            continue;
        };
        let source = ctx.text(source).trim_matches(['"', '\'', '`']);
        if !(source.starts_with('.') || source.starts_with("@/") || source.starts_with("~/")) {
            continue;
        }
        for n in preorder(node) {
            if n.kind_str() == "import_specifier"
                && let Some(local) = n.field("alias").or_else(|| n.field("name"))
            {
                names.insert(ctx.text(local));
            }
        }
    }
    names
}

/// `rides.map((r) => this.assign(r));` as a statement: the callback is an
/// async function that awaits, or returns a call this rule would report on
/// its own (an async function or method of the file), so the statement
/// builds an array of promises and drops it.
fn maps_to_promises(ctx: &RuleContext<'_>, call: Node<'_>, functions: &Functions<'_>) -> bool {
    let Some(callback) = call
        .field("arguments")
        .and_then(|a| a.named_child(0))
        .filter(|c| is_js_function(*c))
    else {
        return false;
    };
    let Some(body) = callback.field("body") else {
        return false;
    };
    if is_async_function(callback) {
        return preorder(body).any(|n| {
            n.kind_str() == "await_expression"
                && enclosing_function(Language::JavaScript, n) == Some(callback)
        });
    }
    let returned = if body.kind_str() == "statement_block" {
        let mut cursor = body.walk();
        let statements: Vec<Node<'_>> = body
            .named_children(&mut cursor)
            .filter(|n| n.kind_str() != "comment")
            .collect();
        match statements.as_slice() {
            [only] if only.kind_str() == "return_statement" => only.named_child(0),
            _ => None,
        }
    } else {
        Some(body)
    };
    returned
        .map(unwrap_expression)
        .filter(|r| r.kind_str() == "call_expression")
        .is_some_and(|inner| matches!(js_floating(ctx, inner, functions), Some(Kind::AsyncCall)))
}

/// The coroutine methods of SQLAlchemy's `AsyncSession` (`add`, `add_all`
/// and `expunge` are plain methods).
const ASYNC_SESSION_COROUTINES: &[&str] = &[
    "commit", "rollback", "flush", "refresh", "execute", "scalar", "scalars", "get", "delete",
    "close", "merge", "stream",
];

/// Whether `name` is a parameter of the function around `node` annotated
/// as SQLAlchemy's `AsyncSession` (`session: AsyncSession = Depends(…)`).
fn annotated_async_session(ctx: &RuleContext<'_>, node: Node<'_>, name: &str) -> bool {
    let Some(function) = std::iter::successors(node.parent(), |p| p.parent())
        .find(|p| p.kind_str() == "function_definition")
    else {
        return false;
    };
    let Some(parameters) = function.field("parameters") else {
        return false;
    };
    let mut cursor = parameters.walk();
    parameters.named_children(&mut cursor).any(|p| {
        matches!(p.kind_str(), "typed_parameter" | "typed_default_parameter")
            && p.field("type")
                .is_some_and(|t| ctx.text(t).rsplit('.').next() == Some("AsyncSession"))
            && (p.field("name").is_some_and(|n| ctx.text(n) == name)
                || p.named_child(0)
                    .is_some_and(|n| n.kind_str() == "identifier" && ctx.text(n) == name))
    })
}

fn python_floating(
    ctx: &RuleContext<'_>,
    call: Node<'_>,
    functions: &Functions<'_>,
) -> Option<Kind> {
    let callee = call.field("function")?;
    match callee.kind_str() {
        "identifier" => (functions.is_async_fn(ctx.text(callee))
            && !is_parameter(ctx, call, ctx.text(callee), Language::Python))
        .then_some(Kind::AsyncCall),
        "attribute" => {
            let object = ctx.text(callee.field("object")?);
            let attribute = ctx.text(callee.field("attribute")?);
            let task = match attribute {
                "create_task" | "ensure_future" => {
                    object == "asyncio" || object.ends_with("loop") || object.ends_with("loop()")
                }
                _ => false,
            };
            if task {
                return Some(Kind::DroppedTask);
            }
            if ASYNC_SESSION_COROUTINES.contains(&attribute)
                && annotated_async_session(ctx, call, object)
            {
                return Some(Kind::AsyncCall);
            }
            if object != "self" && object != "cls" {
                return None;
            }
            let class = enclosing_class_of(call, true)?;
            functions
                .is_async_method(class, attribute)
                .then_some(Kind::AsyncCall)
        }
        _ => None,
    }
}

/// The plain functions of the file whose returned promise can reject, by
/// name; a name declared twice is left out.
fn js_rejecting_functions<'s>(
    ctx: &RuleContext<'s>,
    plain: &[(&'s str, Node<'s>)],
) -> HashSet<&'s str> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (name, _) in plain {
        *counts.entry(name).or_default() += 1;
    }
    let unique: Vec<(&'s str, Node<'s>)> = plain
        .iter()
        .copied()
        .filter(|(name, _)| counts.get(name) == Some(&1))
        .collect();
    let mut rejecting: HashSet<&'s str> = unique
        .iter()
        .filter(|(_, function)| is_async_function(*function) && rejects_outside_try(*function))
        .map(|(name, _)| *name)
        .collect();
    // `function submit(x) { return request(…); }` with `request` returning
    // `fetch(…).then(…)`: follow returns through a few levels.
    for _ in 0..3 {
        for (name, function) in &unique {
            if is_async_function(*function) || rejecting.contains(name) {
                continue;
            }
            if returns_rejecting_promise(ctx, *function, &rejecting) {
                rejecting.insert(name);
            }
        }
    }
    rejecting
}

/// An `await` or `throw` of the function's own body (not of a nested
/// function) outside the body of any `try`.
fn rejects_outside_try(function: Node<'_>) -> bool {
    let Some(body) = function.field("body") else {
        return false;
    };
    if body.kind_str() != "statement_block" {
        return preorder(body).any(|n| n.kind_str() == "await_expression");
    }
    preorder(body).any(|n| {
        matches!(n.kind_str(), "await_expression" | "throw_statement")
            && enclosing_function(Language::JavaScript, n) == Some(function)
            && !std::iter::successors(n.parent(), |p| p.parent())
                .take_while(|p| *p != function)
                .any(|p| {
                    p.kind_str() == "statement_block"
                        && p.parent().is_some_and(|t| {
                            t.kind_str() == "try_statement" && t.field("body") == Some(p)
                        })
                })
    })
}

/// `return fetch(…).then(…)`, `return request(…)`: the function hands back a
/// promise that can reject and has no `.catch`.
fn returns_rejecting_promise(
    ctx: &RuleContext<'_>,
    function: Node<'_>,
    rejecting: &HashSet<&str>,
) -> bool {
    let Some(body) = function.field("body") else {
        return false;
    };
    let returned: Vec<Node<'_>> = if body.kind_str() == "statement_block" {
        preorder(body)
            .filter(|n| {
                n.kind_str() == "return_statement"
                    && enclosing_function(Language::JavaScript, *n) == Some(function)
            })
            .filter_map(|r| r.named_child(0))
            .collect()
    } else {
        vec![body]
    };
    returned.into_iter().any(|value| {
        let mut call = unwrap_expression(value);
        loop {
            if call.kind_str() != "call_expression" {
                return false;
            }
            let Some(callee) = call.field("function").map(unwrap_expression) else {
                return false;
            };
            match callee.kind_str() {
                "identifier" => {
                    let name = ctx.text(callee);
                    return name == "fetch" || rejecting.contains(name);
                }
                "member_expression" => {
                    let method = callee.field("property").map(|p| ctx.text(p)).unwrap_or("");
                    if !matches!(method, "then" | "finally") {
                        return false;
                    }
                    match callee.field("object") {
                        Some(object) => call = unwrap_expression(object),
                        None => return false,
                    }
                }
                _ => return false,
            }
        }
    })
}

/// An inline DOM or React event handler: the value of a JSX `onClick={…}`
/// attribute (any `on` + capital letter), or the listener passed to
/// `addEventListener`. Nothing waits for what it starts.
fn is_event_handler(ctx: &RuleContext<'_>, function: Node<'_>) -> bool {
    if !is_js_function(function) {
        return false;
    }
    let Some(parent) = function.parent() else {
        return false;
    };
    match parent.kind_str() {
        "jsx_expression" => parent
            .parent()
            .filter(|a| a.kind_str() == "jsx_attribute")
            .and_then(|a| a.named_child(0))
            .is_some_and(|name| {
                let name = ctx.text(name);
                name.strip_prefix("on")
                    .and_then(|rest| rest.chars().next())
                    .is_some_and(|c| c.is_ascii_uppercase())
            }),
        "arguments" => parent.parent().is_some_and(|call| {
            call.kind_str() == "call_expression"
                && call
                    .field("function")
                    .and_then(|f| f.field("property"))
                    .is_some_and(|p| ctx.text(p) == "addEventListener")
        }),
        _ => false,
    }
}

/// A bare call, in an event handler, of a function of this file whose
/// promise can reject (`importRows(rows); onClose();`).
fn handler_floating(
    ctx: &RuleContext<'_>,
    call: Node<'_>,
    functions: &Functions<'_>,
) -> Option<Kind> {
    let callee = unwrap_expression(call.field("function")?);
    if callee.kind_str() != "identifier" {
        return None;
    }
    let name = ctx.text(callee);
    (functions.rejecting_fns.contains(name) && !is_parameter(ctx, call, name, Language::JavaScript))
        .then_some(Kind::HandlerCall)
}

/// `await notify(…)`, `asyncio.gather(notify(a), *(notify(x) for x in xs))`:
/// the plain names called there.
fn python_awaited_names<'s>(ctx: &RuleContext<'s>) -> HashSet<&'s str> {
    let mut names = HashSet::new();
    let mut add = |call: Node<'_>| {
        if call.kind_str() == "call"
            && let Some(f) = call.field("function")
            && f.kind_str() == "identifier"
        {
            names.insert(ctx.text(f));
        }
    };
    for node in ctx.nodes_of_kind(&["await", "call"]) {
        if node.kind_str() == "await" {
            if let Some(value) = node.named_child(0) {
                add(value);
            }
            continue;
        }
        let gathered = node.field("function").is_some_and(|f| {
            matches!(
                ctx.text(f),
                "asyncio.gather"
                    | "asyncio.create_task"
                    | "asyncio.ensure_future"
                    | "asyncio.wait_for"
            )
        });
        let Some(args) = node.field("arguments").filter(|_| gathered) else {
            continue;
        };
        let mut cursor = args.walk();
        for arg in args.named_children(&mut cursor) {
            let arg = match arg.kind_str() {
                "list_splat" => arg.named_child(0).unwrap_or(arg),
                _ => arg,
            };
            let arg = match arg.kind_str() {
                "parenthesized_expression" => arg.named_child(0).unwrap_or(arg),
                _ => arg,
            };
            match arg.kind_str() {
                "generator_expression" | "list_comprehension" => {
                    if let Some(body) = arg.field("body") {
                        add(body);
                    }
                }
                _ => add(arg),
            }
        }
    }
    names
}

const JS_PROMISE_MODULES: &[&str] = &[
    "fs/promises",
    "node:fs/promises",
    "dns/promises",
    "node:dns/promises",
    "timers/promises",
    "node:timers/promises",
    "stream/promises",
    "node:stream/promises",
];

/// `const fs = require("node:fs/promises")`, `import * as fs from
/// "fs/promises"`, `import { promises as fs } from "fs"`, `const { unlink }
/// = require("fs/promises")`: the local names bound to promise-only APIs.
fn js_promise_modules<'s>(ctx: &RuleContext<'s>) -> HashSet<&'s str> {
    let mut names = HashSet::new();
    let source_of = |n: Node<'_>| {
        let text = ctx.text(n);
        text.trim_matches(|c| c == '"' || c == '\'' || c == '`')
            .to_string()
    };
    for node in ctx.nodes_of_kind(&["variable_declarator", "import_statement"]) {
        if node.kind_str() == "variable_declarator" {
            let (Some(name), Some(value)) = (node.field("name"), node.field("value")) else {
                continue;
            };
            let value = unwrap_expression(value);
            // `require("fs/promises")` or `require("fs").promises`
            let (call, via_promises) = match value.kind_str() {
                "member_expression"
                    if value
                        .field("property")
                        .is_some_and(|p| ctx.text(p) == "promises") =>
                {
                    (value.field("object"), true)
                }
                _ => (Some(value), false),
            };
            let Some(call) = call.filter(|c| c.kind_str() == "call_expression") else {
                continue;
            };
            let is_require = call
                .field("function")
                .is_some_and(|f| ctx.text(f) == "require");
            let Some(source) = call
                .field("arguments")
                .and_then(|a| a.named_child(0))
                .filter(|a| a.kind_str() == "string")
                .map(source_of)
            else {
                continue;
            };
            let promise_api = if via_promises {
                matches!(source.as_str(), "fs" | "node:fs" | "dns" | "node:dns")
            } else {
                JS_PROMISE_MODULES.contains(&source.as_str())
            };
            if !is_require || !promise_api {
                continue;
            }
            match name.kind_str() {
                "identifier" => {
                    names.insert(ctx.text(name));
                }
                "object_pattern" => {
                    for n in preorder(name) {
                        if n.kind_str() == "shorthand_property_identifier_pattern" {
                            names.insert(ctx.text(n));
                        }
                    }
                }
                _ => {}
            }
        } else {
            let Some(source) = node.field("source").map(source_of) else {
                continue;
            };
            let whole_module = JS_PROMISE_MODULES.contains(&source.as_str());
            let base_module = matches!(source.as_str(), "fs" | "node:fs" | "dns" | "node:dns");
            for n in preorder(node) {
                match n.kind_str() {
                    // `import * as fs from "fs/promises"`, `import fs from …`
                    "namespace_import" if whole_module => {
                        if let Some(id) = preorder(n).find(|c| c.kind_str() == "identifier") {
                            names.insert(ctx.text(id));
                        }
                    }
                    "import_clause" if whole_module => {
                        if let Some(id) = n.named_child(0).filter(|c| c.kind_str() == "identifier")
                        {
                            names.insert(ctx.text(id));
                        }
                    }
                    "import_specifier" => {
                        let imported = n.field("name").map(|i| ctx.text(i));
                        let local = n
                            .field("alias")
                            .or_else(|| n.field("name"))
                            .map(|i| ctx.text(i));
                        let promise_api =
                            whole_module || (base_module && imported == Some("promises"));
                        if promise_api && let Some(local) = local {
                            names.insert(local);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    names
}

/// Whether an enclosing function takes a parameter called `name`, which
/// hides the file's async function of that name (`async function run(save)
/// { save(); }`).
fn is_parameter(ctx: &RuleContext<'_>, node: Node<'_>, name: &str, language: Language) -> bool {
    let mut current = ctx.enclosing_function(language, node);
    while let Some(function) = current {
        let params = function
            .field("parameters")
            .or_else(|| function.field("parameter"));
        if params.is_some_and(|p| {
            preorder(p).any(|n| n.kind_str() == "identifier" && ctx.text(n) == name)
        }) {
            return true;
        }
        current = ctx.enclosing_function(language, function);
    }
    false
}

/// The class whose method contains `node`.
fn enclosing_class_of(node: Node<'_>, python: bool) -> Option<Node<'_>> {
    let language = if python {
        Language::Python
    } else {
        Language::JavaScript
    };
    let mut function = enclosing_function(language, node)?;
    // Arrow functions inside a method keep its `this`.
    while !python && function.kind_str() == "arrow_function" {
        function = enclosing_function(language, function)?;
    }
    enclosing_class(function, python)
}

fn marked_deliberate(ctx: &RuleContext<'_>, call: Node<'_>) -> bool {
    let line = ctx.line(call);
    let text = format!(
        "{}\n{}",
        ctx.line_text(line.saturating_sub(1)),
        ctx.line_text(line)
    )
    .to_ascii_lowercase();
    [
        "fire and forget",
        "fire-and-forget",
        "background",
        "no await",
        "not awaited",
        "don't await",
        "do not await",
        "eslint-disable",
        "noqa",
    ]
    .iter()
    .any(|w| text.contains(w))
}

fn report(ctx: &RuleContext<'_>, call: Node<'_>, kind: Kind, python: bool) -> Finding {
    let callee = call
        .field("function")
        .map(|f| quote(ctx.text(f), 50))
        .unwrap_or_default();
    let code = quote(ctx.text(call), 80);
    let builder = ctx.node_finding(&META, call);
    let builder = match (kind, python) {
        (Kind::DroppedTask, _) => builder
            .title(format!("Task from `{callee}` is created and dropped"))
            .message(format!(
                "`{code}` starts a task and throws away the only reference to it. The event \
                 loop keeps only a weak reference, so the task can be garbage-collected before \
                 it finishes, and its exception is never retrieved (it is only logged as \"Task \
                 exception was never retrieved\").\n\nKeep a reference — `await` it, add it to a \
                 `set` of background tasks with `task.add_done_callback(tasks.discard)`, or use \
                 an `asyncio.TaskGroup`."
            ))
            .symptom(format!(
                "`{code}`: the created task is not stored or awaited."
            ))
            .root_cause(
                "asyncio holds tasks weakly; without a strong reference a running task can be \
                 collected, and nobody observes its result or exception.",
            )
            .fix(
                "Keep a strong reference to the task until it completes (await it, store it in a \
                 background-task set with a done-callback that removes it, or create it in an \
                 `asyncio.TaskGroup`) and make sure its exception is logged or propagated.",
            ),
        (Kind::AsyncCall, true) => builder
            .title(format!("Coroutine `{callee}(…)` is never awaited"))
            .message(format!(
                "`{callee}` is an `async def`, so `{code}` only creates a coroutine object: the \
                 body never runs, and Python prints \"coroutine was never awaited\" at some later \
                 point. The code after it carries on as if the work had been done.\n\nWrite \
                 `await {code}`, or `asyncio.create_task(…)` (keeping a reference) if it should \
                 run in the background."
            ))
            .symptom(format!(
                "`{code}` calls a coroutine function without `await`."
            ))
            .root_cause(
                "Calling an `async def` returns a coroutine; nothing runs until it is awaited or \
                 scheduled.",
            )
            .fix(format!(
                "Await `{callee}(…)` here (making the enclosing function async if it is not), or \
                 schedule it as a task that is kept and whose errors are logged, whichever the \
                 caller's contract needs."
            )),
        (Kind::DroppedMap, _) => builder
            .title(format!("Promises from `{callee}(…)` are dropped"))
            .message(format!(
                "Each call of the `{callee}` callback returns a promise, and `{code}` throws \
                 the array of them away: nothing waits for the work, the function carries on \
                 (and returns) while it is still running, all elements run at once, and a \
                 rejection becomes an unhandled rejection instead of an error this function can \
                 handle.\n\nWrite `await Promise.all({code})`, or a `for…of` loop with `await` \
                 if the elements must be processed one after another."
            ))
            .symptom(format!(
                "`{code}` builds an array of promises and drops it."
            ))
            .root_cause(
                "`map` with an async callback only starts the work; its result, the promises, \
                 is the only handle on completion and failure.",
            )
            .fix(
                "Await the promises (`await Promise.all(…)`, or `Promise.allSettled` when one \
                 failure must not stop the others), or process the elements sequentially in a \
                 `for…of` loop with `await`, whichever the order requirements need.",
            ),
        (Kind::UserEvent, _) => builder
            .title(format!(
                "`{callee}(…)` is not awaited: the test races the interaction"
            ))
            .message(format!(
                "In user-event v14 every interaction returns a promise, and `{code}` drops it: \
                 the next line of the test runs before the events have been dispatched and \
                 React has re-rendered. The assertions then pass or fail depending on timing, \
                 and an error thrown by the interaction is lost.\n\nWrite `await {code}`."
            ))
            .symptom(format!(
                "`{code}` is a user-event v14 interaction called without `await`."
            ))
            .root_cause(
                "`userEvent.setup()` instances (and v14's `userEvent.*` calls) are asynchronous; \
                 the test treats the interaction as synchronous.",
            )
            .fix(format!(
                "Await `{callee}(…)` (the test callback is, or becomes, `async`)."
            )),
        (Kind::TestPromise, _) => builder
            .title(format!(
                "`{callee}(…)` is neither returned nor awaited: the test ends before it settles"
            ))
            .message(format!(
                "`{code}` is a promise chain, and the test callback drops it: the test                  finishes (and passes) before the request or promise settles, so the                  assertions in the chain decide nothing, and a late failure surfaces as an                  unhandled rejection in another test or nowhere.\n\nReturn the chain, or make                  the test `async` and `await` it."
            ))
            .symptom(format!(
                "`{code}` is a promise chain in a test that neither returns nor awaits it."
            ))
            .root_cause(
                "The test runner waits only for a promise the test callback returns (or a \
                 `done` call); a chain built and dropped runs after the test is over.",
            )
            .fix(format!(
                "Return the chain (`return {callee}(…)`) or `await` it in an `async` test \
                 callback, keeping the assertions the same."
            )),
        (Kind::AsyncAssertion, _) => builder
            .title(format!(
                "`{callee}(…)` asserts on a promise without awaiting it"
            ))
            .message(format!(
                "`{code}` builds an assertion on a promise and drops it: the test ends \
                 before the promise settles, so the assertion never decides anything — the \
                 test passes whether the call rejects or not, and a failure that comes late \
                 surfaces as an unhandled rejection, in another test or nowhere.\n\nWrite \
                 `await {code}` (or return it)."
            ))
            .symptom(format!(
                "`{code}` is an assertion on a promise that is neither awaited nor returned."
            ))
            .root_cause(
                "`.rejects`/`.resolves` (and chai-as-promised's matchers) return a promise; \
                 only awaiting it makes the test wait for the verdict.",
            )
            .fix(format!(
                "Await the assertion (`await {code}`) in an `async` test, or return it."
            )),
        (Kind::AsyncQuery, _) => builder
            .title(format!(
                "`{callee}(…)` is not awaited: its assertion never holds the test up"
            ))
            .message(format!(
                "Testing Library's `waitFor`, `waitForElementToBeRemoved` and `findBy…` queries \
                 return promises, and `{code}` drops it: the test goes on (or ends) at once, \
                 so what it waits for is never checked — the test passes whether or not the \
                 UI ever gets there, and a late failure surfaces in another test or not at \
                 all.\n\nWrite `await {code}`."
            ))
            .symptom(format!(
                "`{code}` is an asynchronous Testing Library call without `await`."
            ))
            .root_cause(
                "The helper retries until its callback passes or it times out, which only \
                 happens while someone awaits the promise it returns.",
            )
            .fix(format!(
                "Await `{callee}(…)` (the test callback is, or becomes, `async`)."
            )),
        (Kind::MutationTrigger, _) => builder
            .title(format!(
                "Mutation `{callee}(…)` is fired and forgotten: its failure is never seen"
            ))
            .message(format!(
                "`{code}` starts an RTK Query mutation without awaiting it, and the hook's \
                 result state (`isError`, `error`) is not destructured either: when the request \
                 fails nothing shows it, while the code after the call goes on as if it had \
                 succeeded.\n\nWrite `await {callee}(…).unwrap()` in a `try`/`catch` (in an \
                 `async` handler) and report the error, running the follow-up only on success."
            ))
            .symptom(format!(
                "`{code}` is a mutation trigger called without `await`/`.unwrap()`, and its \
                 result state is not read."
            ))
            .root_cause(
                "The trigger returns a promise of the result (which `.unwrap()` turns into a \
                 rejection on failure); the caller drops it and the hook's error state is unused.",
            )
            .fix(format!(
                "Await `{callee}(…).unwrap()` inside `try`/`catch`, show the error, and run the \
                 success steps after it; or destructure and render the hook's `error` state."
            )),
        (Kind::HandlerCall, _) => builder
            .title(format!(
                "Promise from `{callee}(…)` is dropped in an event handler"
            ))
            .message(format!(
                "`{callee}` returns a promise that rejects when its request or await fails, and \
                 this event handler neither awaits nor catches it: the code after it runs at \
                 once (closing the dialog, showing \"thanks\") as if the work had succeeded, \
                 and a failure becomes an unhandled rejection the user never hears about.\n\n\
                 Make the handler `async`, `await {code}` inside `try`/`catch` and show the \
                 error (or keep it in the background with `{code}.catch(showError)`)."
            ))
            .symptom(format!(
                "`{code}` is called in an event handler without `await` or `.catch`."
            ))
            .root_cause(
                "The handler fires the async work and moves on; nothing observes its completion \
                 or its failure.",
            )
            .fix(format!(
                "Await `{callee}(…)` in an async handler and handle its error (state, toast, \
                 message), running the follow-up steps only after it succeeded; or attach a \
                 `.catch` that reports the failure."
            )),
        (Kind::AsyncCall, false) => builder
            .title(format!("Promise from `{callee}(…)` is not awaited"))
            .message(format!(
                "`{callee}` is async, and `{code}` neither awaits nor handles the promise it \
                 returns. The function carries on (and may respond or return) before the work \
                 is done, and a rejection becomes an unhandled rejection — which terminates \
                 Node.js by default — instead of an error this function can handle.\n\nWrite \
                 `await {code}`; if it must run in the background, make that explicit with \
                 `void {code}.catch(logError)`."
            ))
            .symptom(format!(
                "`{code}` is called inside an async function without `await`."
            ))
            .root_cause(
                "The promise returned by an async function is dropped, so completion and \
                 failure are never observed.",
            )
            .fix(format!(
                "Await `{callee}(…)` where it is called, or, if running it in the background is \
                 intended, attach a `.catch` that logs the error and mark it with `void`."
            )),
    };
    builder
        .scope(
            "Change only this call statement; keep the called function and the enclosing \
             function's signature and return value as they are.",
        )
        .build()
}

/// `tokio::spawn(poll_feed(client, tx));` as a statement, where `poll_feed`
/// is an `async fn` of the same file returning a `Result`: the `JoinHandle`
/// is dropped, and with it the only way to see the task's error.
fn rust_dropped_spawns(ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    if is_test_path(ctx.path) {
        return;
    }
    let fallible: HashSet<&str> = ctx
        .nodes_in_order(&["function_item"])
        .into_iter()
        .filter(|f| {
            let head = f
                .field("name")
                .map_or("", |n| &ctx.source[f.start_byte()..n.start_byte()]);
            let returns_result = f.field("return_type").is_some_and(|t| {
                let text = ctx.text(t);
                text.starts_with("Result") || text.contains("::Result<") || text == "anyhow::Result"
            });
            head.split_whitespace().any(|w| w == "async") && returns_result
        })
        .filter_map(|f| f.field("name").map(|n| ctx.text(n)))
        .collect();
    if fallible.is_empty() {
        return;
    }
    for statement in ctx.nodes_in_order(&["expression_statement"]) {
        let Some(call) = statement
            .named_child(0)
            .filter(|c| c.kind_str() == "call_expression")
        else {
            continue;
        };
        let Some(function) = call.field("function") else {
            continue;
        };
        if !matches!(
            ctx.text(function),
            "tokio::spawn" | "tokio::task::spawn" | "task::spawn"
        ) {
            continue;
        }
        let Some(task) = call
            .field("arguments")
            .filter(|a| a.named_child_count() == 1)
            .and_then(|a| a.named_child(0))
            .filter(|t| t.kind_str() == "call_expression")
        else {
            continue;
        };
        let Some(name) = task
            .field("function")
            .filter(|f| f.kind_str() == "identifier")
            .map(|f| ctx.text(f))
        else {
            continue;
        };
        if !fallible.contains(name) || in_rust_test(call, ctx.source) {
            continue;
        }
        let code = quote(ctx.text(call), 80);
        out.push(
            ctx.node_finding(&META, call)
                .title(format!(
                    "The `Result` of `{name}` is dropped with its task's `JoinHandle`"
                ))
                .message(format!(
                    "`{code}` spawns `{name}`, which returns a `Result`, and drops the \
                     `JoinHandle`: when the task fails, its error (and a panic) is discarded \
                     with the handle — the work just stops, with no log and no restart.\n\n\
                     Keep the handle and await it where the task is supervised, or handle the \
                     error inside the task: `tokio::spawn(async move {{ if let Err(e) = \
                     {name}(…).await {{ tracing::error!(error = ?e, \"{name} stopped\"); }} }})`."
                ))
                .symptom(format!(
                    "When `{name}` returns an error, the task ends silently."
                ))
                .root_cause(
                    "The spawned future's `Result` has no reader once the handle is dropped.",
                )
                .fix(
                    "Log or handle the error inside the spawned block, or keep the `JoinHandle` \
                     and check its result.",
                )
                .scope("Change only this spawn and, if needed, where its handle is kept.")
                .build(),
        );
    }
}

/// `result = blender.age(batch, days=14)` in an `async def`, where the same
/// file awaits `blender.age(…)` elsewhere (so it is a coroutine function),
/// and `result` is never awaited or handed on afterwards: the coroutine is
/// created and never run.
fn python_unawaited_assignments<'t>(ctx: &RuleContext<'t>) -> Vec<Node<'t>> {
    let awaited: HashSet<&str> = ctx
        .nodes_of_kind(&["await"])
        .filter_map(|a| a.named_child(0))
        .filter(|c| c.kind_str() == "call")
        .filter_map(|c| c.field("function"))
        .filter(|f| f.kind_str() == "attribute")
        .map(|f| ctx.text(f))
        .collect();
    if awaited.is_empty() {
        return Vec::new();
    }
    let mut found = Vec::new();
    for assignment in ctx.nodes_in_order(&["assignment"]) {
        let (Some(left), Some(call)) = (assignment.field("left"), assignment.field("right")) else {
            continue;
        };
        if left.kind_str() != "identifier"
            || call.kind_str() != "call"
            || !call
                .field("function")
                .is_some_and(|f| f.kind_str() == "attribute" && awaited.contains(ctx.text(f)))
        {
            continue;
        }
        let Some(function) = ctx.enclosing_function(Language::Python, assignment) else {
            continue;
        };
        if !ctx.text(function).starts_with("async ") {
            continue;
        }
        let name = ctx.text(left);
        let after = assignment.end_byte();
        let handed_on = preorder(function).any(|n| {
            n.start_byte() >= after
                && n.kind_str() == "identifier"
                && ctx.text(n) == name
                && n.parent().is_some_and(|p| {
                    matches!(
                        p.kind_str(),
                        "await"
                            | "argument_list"
                            | "list"
                            | "tuple"
                            | "set"
                            | "return_statement"
                            | "assignment"
                            | "keyword_argument"
                    )
                })
        });
        if !handed_on && !marked_deliberate(ctx, call) {
            found.push(call);
        }
    }
    found
}
