//! `error-handling/empty-catch`: errors caught and silently dropped.
//!
//! ## What it does
//! Finds handlers that do nothing with the error they catch:
//! - JavaScript/TypeScript: a `catch` block with no statements, and
//!   `.catch(() => {})` / `.catch(function () {})` with an empty body, and
//!   `.catch(() => undefined)` (or `null`, `void 0`) whose result nobody
//!   reads, and `await releaseNights(id).catch(() => 0)`: a handler that
//!   does not even take the error, standing in `null`, `undefined`, a
//!   number, `false` or `[]` for the result of one of the project's own
//!   functions (an async function of the file, or one imported from a
//!   relative module; library probes such as `request.json().catch(() =>
//!   null)` are left alone), and its try/catch form, `try { rate = await
//!   lookupRate(code); } catch { rate = null; }` (a `catch` without a
//!   binding whose only statement assigns such a stand-in);
//! - Python: an `except` clause (bare `except:` included) whose body is only
//!   `pass` or `...`, an `except Exception:` (or `BaseException`)
//!   whose body is only `return None` / `return` (every failure, bugs
//!   included, passed off as "no result"), an `except` whose body only rolls
//!   the transaction back (`except SQLAlchemyError: db.session.rollback()`:
//!   no `raise`, no log, so the caller answers as if the write succeeded),
//!   and `with suppress(Exception):` /
//!   `with contextlib.suppress(BaseException):` — `contextlib.suppress` of a
//!   catch-all type is the same silent `except Exception: pass` (suppressing
//!   a narrow type such as `FileNotFoundError` is the idiom and is fine);
//! - Java: a `catch` block with no statements, one whose only statement
//!   returns the object the `try` was writing (`try { return
//!   items.saveAndFlush(item); } catch (DataIntegrityViolationException e) {
//!   return item; }`: the unsaved entity passed off as saved), a catch-all
//!   (`Exception`, `Throwable`, …) whose only statement is `return true;`
//!   (the check fails open, silently), and an empty failure callback ending
//!   a statement: Vert.x `future.onFailure(err -> {})`,
//!   `CompletableFuture`'s `.exceptionally(e -> null)`; and Reactor's
//!   `.onErrorResume(e -> …)` for every error type (no class or predicate
//!   argument) whose handler never uses the error (no log, no mapping, no
//!   `Mono.error`/`throw`) and resumes with a value
//!   (`.onErrorResume(e -> ServerResponse.ok().bodyValue(List.of()))`);
//! - Go: `if err != nil {}` with an empty body (and no `else`), for any
//!   variable named like an error (`err`, `readErr`, …), and
//!   `if err != nil { return nil, nil }` (only `nil`s) in a function whose
//!   last result is an `error`: the failure reported as success.
//!
//! A comment alone does not make a handler non-empty, but a comment that says
//! the error is deliberately ignored (it mentions "ignore", "intentional",
//! "expected", "deliberate", "best effort", "no-op", …; in or just before
//! the handler, or on the line of its `try`) does, and so does
//! naming the caught exception `_`, `ignored`, `ignore`, `expected` or
//! `unused` (`catch (InterruptedIOException ignored) {}`, the Java
//! convention) — except in a Java catch-all: `catch (Exception ignored) {}`
//! (also `Throwable`, `RuntimeException`, `Error`) is still reported, since
//! it swallows every bug in the `try` body too, not just the failure the
//! name expected; only a comment saying why (in the handler, or on the
//! `try` line) makes it deliberate, or its being nested in another
//! `catch`/`finally` (a secondary failure such as `addSuppressed` while the
//! first is already being handled). Python's
//! `except ImportError: pass` around an optional import is idiomatic and not
//! reported.
//!
//! ## Why is this bad?
//! The failure still happens; only the evidence is gone. The program carries
//! on with missing data, and whoever debugs it later has no log, no metric
//! and no stack trace. Agents write empty handlers to make a crash or a test
//! failure go away.
//!
//! ## Example
//! ```ts
//! try {
//!   await sendWelcomeEmail(user);
//! } catch (err) {}
//! ```
//!
//! Use instead:
//! ```ts
//! try {
//!   await sendWelcomeEmail(user);
//! } catch (err) {
//!   logger.warn({ err, userId: user.id }, "welcome email failed; continuing signup");
//! }
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{
    comments_in, is_comment, is_error_name, member_call, preorder, statements, unwrap_expression,
};

pub static META: RuleMeta = RuleMeta {
    id: "error-handling/empty-catch",
    item: ChecklistItem::ErrorHandling,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Java,
        Language::Go,
    ],
    summary: "An empty `catch`, `.catch(() => {})`, `except: pass` or `if err != nil {}` that \
              swallows the error",
};

pub struct EmptyCatch;

impl Rule for EmptyCatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(_) = ctx.root() else {
            return;
        };
        let Some(language) = ctx.language else {
            return;
        };
        let kinds: &[&str] = match language {
            Language::Python => &["except_clause", "with_statement"],
            Language::Sql => &[],
            Language::Go => &["if_statement"],
            Language::Java => &["catch_clause", "method_invocation"],
            _ => &["catch_clause", "call_expression"],
        };
        for node in ctx.nodes_in_order(kinds) {
            let found = match (language, node.kind_str()) {
                (Language::Python, "except_clause") => python_except(ctx, node),
                (Language::Python, "with_statement") => python_suppress(ctx, node),
                (Language::Python | Language::Sql, _) => None,
                (Language::Go, "if_statement") => go_err_check(ctx, node),
                (Language::Go, _) => None,
                (Language::Java, "method_invocation") => java_failure_callback(ctx, node),
                (_, "catch_clause") => js_catch_clause(ctx, language, node),
                (_, "call_expression") => js_catch_call(ctx, node),
                _ => None,
            };
            if let Some(handler) = found {
                out.push(report(ctx, &handler));
            }
        }
    }
}

/// An empty handler, described for the report.
struct Handler<'t> {
    /// The node whose text identifies the handler in the fingerprint.
    node: Node<'t>,
    /// Line of the `catch` / `except` keyword.
    line: u32,
    /// `catch (err) {}`, `.catch(() => {})`, `except ValueError: pass`.
    form: String,
    /// What can fail: the first call in the `try` body, or the promise.
    source_of_error: Option<String>,
    language: Language,
    promise: bool,
}

/// A JavaScript/TypeScript or Java `catch` clause with an empty block.
fn js_catch_clause<'t>(
    ctx: &RuleContext<'_>,
    language: Language,
    clause: Node<'t>,
) -> Option<Handler<'t>> {
    let body = clause.field("body")?;
    if language == Language::Java
        && let Some(handler) =
            java_returns_unsaved(ctx, clause, body).or_else(|| java_fails_open(ctx, clause, body))
    {
        return Some(handler);
    }
    if language != Language::Java
        && let Some(handler) = js_catch_stand_in(ctx, language, clause, body)
    {
        return Some(handler);
    }
    if statements(body).next().is_some() || intentionally_ignored(ctx, clause) {
        return None;
    }
    // JS: `catch (err)`; Java: `catch (IOException | TimeoutException e)`.
    let mut cursor = clause.walk();
    let param = clause.field("parameter").or_else(|| {
        clause
            .named_children(&mut cursor)
            .find(|c| c.kind_str() == "catch_formal_parameter")
    });
    let param_name = param.map(|p| p.field("name").unwrap_or(p));
    // `catch (IOException ignored)` names a failure the author expected;
    // `catch (Exception ignored)` also swallows every bug in the `try` body
    // (a `NullPointerException`, a `ClassCastException`), which the name
    // cannot have meant.
    let catch_all = language == Language::Java
        && param.is_some_and(|p| java_catch_all(ctx, p))
        && !while_handling_another(clause);
    if !catch_all && param_name.is_some_and(|n| named_as_ignored(ctx.text(n))) {
        return None;
    }
    let param = param
        .map(|p| format!(" ({})", ctx.text(p)))
        .unwrap_or_default();
    let call_kind = if language == Language::Java {
        "method_invocation"
    } else {
        "call_expression"
    };
    let try_body = clause.parent().and_then(|t| t.field("body"));
    Some(Handler {
        node: clause,
        line: ctx.line(clause),
        form: format!("catch{param} {{}}"),
        source_of_error: try_body.and_then(|b| first_call(ctx, b, call_kind)),
        language,
        promise: false,
    })
}

/// `try { rate = await lookupRate(code); } catch { rate = null; }`: the
/// try/catch form of `.catch(() => null)` — a `catch` that does not even
/// bind the error, whose only statement replaces the result of one of the
/// project's own async operations (awaited in the `try`) with a stand-in
/// value (`null`, `undefined`, a number, `false`, `[]`).
fn js_catch_stand_in<'t>(
    ctx: &RuleContext<'_>,
    language: Language,
    clause: Node<'t>,
    body: Node<'_>,
) -> Option<Handler<'t>> {
    if clause.field("parameter").is_some() || intentionally_ignored(ctx, clause) {
        return None;
    }
    let mut stmts = statements(body);
    let (Some(only), None) = (stmts.next(), stmts.next()) else {
        return None;
    };
    let assignment = only.named_child(0).filter(|a| {
        only.kind_str() == "expression_statement" && a.kind_str() == "assignment_expression"
    })?;
    let target = ctx.text(assignment.field("left")?);
    let value = assignment.field("right")?;
    let stand_in = matches!(value.kind_str(), "null" | "undefined" | "number" | "false")
        || ctx.text(value).trim() == "[]";
    if !stand_in {
        return None;
    }
    let try_body = ctx.parent(clause)?.field("body")?;
    let call = statements(try_body).find_map(|s| {
        let a = s.named_child(0).filter(|a| {
            s.kind_str() == "expression_statement" && a.kind_str() == "assignment_expression"
        })?;
        if a.field("left").map(|l| ctx.text(l)) != Some(target) {
            return None;
        }
        let awaited = a
            .field("right")
            .filter(|r| r.kind_str() == "await_expression")?;
        let call = awaited
            .named_child(0)
            .map(unwrap_expression)
            .filter(|c| c.kind_str() == "call_expression")?;
        let function = call
            .field("function")
            .filter(|f| f.kind_str() == "identifier")?;
        project_function(ctx, ctx.text(function), clause).then_some(call)
    })?;
    Some(Handler {
        node: clause,
        line: ctx.line(clause),
        form: format!("catch {{ {} }}", ctx.text(only).trim()),
        source_of_error: Some(ctx.text(call.field("function")?).to_string()),
        language,
        promise: false,
    })
}

/// Java `try { return items.saveAndFlush(item); } catch (DataIntegrityViolationException e)
/// { return item; }`: the write failed and the handler hands back the very
/// object it was writing, unsaved, as if the write had succeeded.
fn java_returns_unsaved<'t>(
    ctx: &RuleContext<'_>,
    clause: Node<'t>,
    body: Node<'_>,
) -> Option<Handler<'t>> {
    let mut handler = statements(body);
    let only = handler.next()?;
    if handler.next().is_some() || only.kind_str() != "return_statement" {
        return None;
    }
    let returned = only
        .named_child(0)
        .filter(|r| r.kind_str() == "identifier")?;
    let name = ctx.text(returned);
    let try_body = ctx.parent(clause)?.field("body")?;
    let writes_it = preorder(try_body).any(|n| {
        n.kind_str() == "return_statement"
            && n.named_child(0).is_some_and(|call| {
                call.kind_str() == "method_invocation"
                    && call.field("object").is_some()
                    && call.field("name").is_some_and(|m| {
                        matches!(
                            ctx.text(m),
                            "save" | "saveAndFlush" | "insert" | "persist" | "merge" | "create"
                        )
                    })
                    && call.field("arguments").is_some_and(|a| {
                        a.named_child_count() == 1
                            && a.named_child(0).is_some_and(|arg| ctx.text(arg) == name)
                    })
            })
    });
    if !writes_it || intentionally_ignored(ctx, clause) {
        return None;
    }
    let mut cursor = clause.walk();
    let param = clause
        .named_children(&mut cursor)
        .find(|c| c.kind_str() == "catch_formal_parameter")
        .map(|p| format!(" ({})", ctx.text(p)))
        .unwrap_or_default();
    Some(Handler {
        node: clause,
        line: ctx.line(clause),
        form: format!("catch{param} {{ return {name}; }}"),
        source_of_error: first_call(ctx, try_body, "method_invocation"),
        language: Language::Java,
        promise: false,
    })
}

/// Java `catch (Exception e) { return true; }`: every failure of the check in
/// the `try` (and every bug in it) answered with "yes", without a log line.
fn java_fails_open<'t>(
    ctx: &RuleContext<'_>,
    clause: Node<'t>,
    body: Node<'_>,
) -> Option<Handler<'t>> {
    let mut handler = statements(body);
    let only = handler.next()?;
    if handler.next().is_some()
        || only.kind_str() != "return_statement"
        || only.named_child(0).is_none_or(|r| r.kind_str() != "true")
    {
        return None;
    }
    let mut cursor = clause.walk();
    let param = clause
        .named_children(&mut cursor)
        .find(|c| c.kind_str() == "catch_formal_parameter")?;
    if !java_catch_all(ctx, param) || while_handling_another(clause) {
        return None;
    }
    if intentionally_ignored(ctx, clause) {
        return None;
    }
    let try_body = ctx.parent(clause)?.field("body")?;
    Some(Handler {
        node: clause,
        line: ctx.line(clause),
        form: format!("catch ({}) {{ return true; }}", ctx.text(param)),
        source_of_error: first_call(ctx, try_body, "method_invocation"),
        language: Language::Java,
        promise: false,
    })
}

/// Vert.x `future.onFailure(err -> {})` and `CompletableFuture`'s
/// `.exceptionally(e -> null)` ending a statement: the failure callback that
/// was meant to handle the error does nothing, and nobody else sees it.
fn java_failure_callback<'t>(ctx: &RuleContext<'_>, call: Node<'t>) -> Option<Handler<'t>> {
    let method = call.field("name")?;
    if ctx.text(method) == "onErrorResume" {
        return reactor_swallowed(ctx, call, method);
    }
    if !matches!(ctx.text(method), "onFailure" | "exceptionally") || call.field("object").is_none()
    {
        return None;
    }
    let args = call.field("arguments")?;
    let mut cursor = args.walk();
    let callbacks: Vec<Node<'t>> = args
        .named_children(&mut cursor)
        .filter(|n| !is_comment(*n))
        .collect();
    let [callback] = callbacks.as_slice() else {
        return None;
    };
    if callback.kind_str() != "lambda_expression" {
        return None;
    }
    let body = callback.field("body")?;
    // `.exceptionally(e -> null)`: its callback must return a value, and
    // `null` is the empty one.
    let empty = body.kind_str() == "block" && statements(body).next().is_none();
    let null = body.kind_str() == "null_literal" && ctx.text(method) == "exceptionally";
    if !(empty || null) {
        return None;
    }
    if ctx
        .parent(call)
        .is_none_or(|p| p.kind_str() != "expression_statement")
    {
        return None;
    }
    let params = callback.field("parameters").map_or("()", |p| ctx.text(p));
    let name = params.trim_matches(|c| c == '(' || c == ')').trim();
    if named_as_ignored(name) || intentionally_ignored(ctx, *callback) {
        return None;
    }
    let source_of_error = java_chain_origin(ctx, call);
    Some(Handler {
        node: method,
        line: ctx.line(method),
        form: format!(
            ".{}({params} -> {})",
            ctx.text(method),
            if null { "null" } else { "{}" }
        ),
        source_of_error,
        language: Language::Java,
        promise: true,
    })
}

/// The call a Java handler chain starts from, quoted (`repo.save(…)` for
/// `repo.save(x).map(…).onFailure(…)`): where the swallowed failure comes
/// from. `None` when the handler is called on the call itself.
fn java_chain_origin(ctx: &RuleContext<'_>, call: Node<'_>) -> Option<String> {
    let mut origin = call;
    while let Some(inner) = origin.field("object")
        && inner.kind_str() == "method_invocation"
    {
        origin = inner;
    }
    if origin.id() == call.id() {
        return None;
    }
    let name = origin.field("name")?;
    ctx.source
        .get(origin.start_byte()..name.end_byte())
        .map(|callee| format!("{}(…)", quote(callee, 50)))
}

/// Reactor's `.onErrorResume(e -> ServerResponse.ok().bodyValue(List.of()))`:
/// a handler for every error type (no class or predicate argument) that
/// never looks at the error (no log, no mapping, no `Mono.error`) and
/// resumes with a value — every failure, bugs included, answered as success.
fn reactor_swallowed<'t>(
    ctx: &RuleContext<'_>,
    call: Node<'t>,
    method: Node<'t>,
) -> Option<Handler<'t>> {
    let args = call.field("arguments")?;
    let mut cursor = args.walk();
    let callbacks: Vec<Node<'t>> = args
        .named_children(&mut cursor)
        .filter(|n| !is_comment(*n))
        .collect();
    let [callback] = callbacks.as_slice() else {
        return None;
    };
    if callback.kind_str() != "lambda_expression" {
        return None;
    }
    let params = callback.field("parameters").map_or("()", |p| ctx.text(p));
    let name = params.trim_matches(|c| c == '(' || c == ')').trim();
    let body = callback.field("body")?;
    let uses_error =
        crate::syntax::preorder(body).any(|n| n.kind_str() == "identifier" && ctx.text(n) == name);
    let body_text = ctx.text(body);
    let rethrows = body_text.contains(".error(") || body_text.contains("throw ");
    if name.is_empty()
        || uses_error
        || rethrows
        || named_as_ignored(name)
        || intentionally_ignored(ctx, *callback)
    {
        return None;
    }
    let source_of_error = java_chain_origin(ctx, call);
    Some(Handler {
        node: method,
        line: ctx.line(method),
        form: format!(".onErrorResume({name} -> …)"),
        source_of_error,
        language: Language::Java,
        promise: true,
    })
}

/// `catch (IOException ignored)`, `catch (_)`: the name states the intent.
pub(super) fn named_as_ignored(name: &str) -> bool {
    let name = name.trim_start_matches('_').to_ascii_lowercase();
    matches!(
        name.as_str(),
        "" | "ignored" | "ignore" | "expected" | "unused"
    )
}

/// `catch (Exception e)`, `catch (Throwable | IOException e)`: a Java catch
/// whose types include a catch-all.
fn java_catch_all(ctx: &RuleContext<'_>, param: Node<'_>) -> bool {
    let mut cursor = param.walk();
    let types = param
        .named_children(&mut cursor)
        .filter(|c| c.kind_str() == "catch_type");
    types.into_iter().any(|t| {
        let mut cursor = t.walk();
        t.named_children(&mut cursor).any(|ty| {
            let name = ctx.text(ty);
            let name = name.rsplit('.').next().unwrap_or(name);
            matches!(
                name,
                "Exception" | "Throwable" | "RuntimeException" | "Error"
            )
        })
    })
}

/// Inside a `catch` or `finally` of an enclosing `try`: a secondary failure
/// (closing, `addSuppressed`) while the first one is already being handled.
fn while_handling_another(clause: Node<'_>) -> bool {
    let mut current = clause.parent().and_then(|t| t.parent());
    while let Some(n) = current {
        match n.kind_str() {
            "catch_clause" | "finally_clause" => return true,
            "method_declaration"
            | "constructor_declaration"
            | "lambda_expression"
            | "class_body" => return false,
            _ => current = n.parent(),
        }
    }
    false
}

/// Go `if err != nil {}`: the error is checked and then dropped.
fn go_err_check<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Handler<'t>> {
    if node.field("alternative").is_some() {
        return None;
    }
    let condition = node.field("condition")?;
    if condition.kind_str() != "binary_expression" || ctx.text(condition.field("operator")?) != "!="
    {
        return None;
    }
    let (left, right) = (condition.field("left")?, condition.field("right")?);
    if left.kind_str() != "identifier"
        || !is_error_name(ctx.text(left))
        || right.kind_str() != "nil"
    {
        return None;
    }
    let body = node.field("consequence")?;
    let empty = preorder(body).all(|n| n == body || is_comment(n) || !n.is_named());
    let returns_success = !empty && returns_only_nil(ctx, node, body);
    if (!empty && !returns_success) || intentionally_ignored(ctx, node) {
        return None;
    }
    // `if err := save(x); err != nil {}` names the call; otherwise the
    // assignment just before the `if`.
    let mut previous = node.prev_named_sibling();
    while let Some(p) = previous.filter(|p| is_comment(*p)) {
        previous = p.prev_named_sibling();
    }
    let source_of_error = node
        .field("initializer")
        .or(previous)
        .and_then(|s| first_call(ctx, s, "call_expression"));
    let form = if returns_success {
        let ret = preorder(body).find(|n| n.kind_str() == "return_statement")?;
        format!("if {} {{ {} }}", ctx.text(condition), ctx.text(ret))
    } else {
        format!("if {} {{}}", ctx.text(condition))
    };
    Some(Handler {
        node,
        line: ctx.line(node),
        form,
        source_of_error,
        language: Language::Go,
        promise: false,
    })
}

/// `if err != nil { return nil, nil }` in a function whose last result is an
/// `error`: the failure is turned into success (a nil value and a nil
/// error), which the caller reads as "nothing there".
fn returns_only_nil(ctx: &RuleContext<'_>, node: Node<'_>, body: Node<'_>) -> bool {
    // Newer Go grammars wrap a block's statements in a `statement_list`.
    let mut cursor = body.walk();
    let list = body
        .named_children(&mut cursor)
        .find(|n| n.kind_str() == "statement_list");
    let body = list.unwrap_or(body);
    let mut cursor = body.walk();
    let statements: Vec<Node<'_>> = body
        .named_children(&mut cursor)
        .filter(|n| !is_comment(*n))
        .collect();
    let [ret] = statements.as_slice() else {
        return false;
    };
    if ret.kind_str() != "return_statement" {
        return false;
    }
    let Some(values) = ret
        .named_child(0)
        .filter(|v| v.kind_str() == "expression_list")
    else {
        return false;
    };
    let mut cursor = values.walk();
    if !values
        .named_children(&mut cursor)
        .all(|v| v.kind_str() == "nil")
    {
        return false;
    }
    let Some(function) = ctx.enclosing_function(Language::Go, node) else {
        return false;
    };
    let Some(result) = function.field("result") else {
        return false;
    };
    let last_type = match result.kind_str() {
        "parameter_list" => {
            let mut cursor = result.walk();
            result
                .named_children(&mut cursor)
                .filter(|p| p.kind_str() == "parameter_declaration")
                .last()
                .and_then(|p| p.field("type"))
        }
        _ => Some(result),
    };
    last_type.is_some_and(|t| ctx.text(t) == "error")
}

/// `promise.catch(() => {})` and `promise.catch(function () {})`.
fn js_catch_call<'t>(ctx: &RuleContext<'_>, call: Node<'t>) -> Option<Handler<'t>> {
    let (receiver, method) = member_call(call)?;
    if ctx.text(method) != "catch" {
        return None;
    }
    let args = call.field("arguments")?;
    let mut cursor = args.walk();
    let callbacks: Vec<Node<'t>> = args
        .named_children(&mut cursor)
        .filter(|n| n.kind_str() != "comment")
        .collect();
    let [callback] = callbacks.as_slice() else {
        return None;
    };
    if !matches!(
        callback.kind_str(),
        "arrow_function" | "function_expression" | "function"
    ) {
        return None;
    }
    let body = callback.field("body")?;
    let empty = body.kind_str() == "statement_block" && statements(body).next().is_none();
    // `promise.catch(() => undefined);` as a statement: the same empty
    // handler, spelt as a value nobody reads.
    let nothing = callback.kind_str() == "arrow_function"
        && matches!(ctx.text(body).trim(), "undefined" | "null" | "void 0")
        && result_discarded(call);
    if !(empty || nothing || project_call_faked(ctx, receiver, *callback, body)) {
        return None;
    }
    if intentionally_ignored(ctx, *callback) {
        return None;
    }
    // `fetchUser(id).then(render).catch(…)`: the rejection comes from the
    // start of the chain.
    let mut origin = unwrap_expression(receiver);
    while let Some((inner, _)) = member_call(origin)
        && unwrap_expression(inner).kind_str() == "call_expression"
    {
        origin = unwrap_expression(inner);
    }
    let receiver_call = if origin.kind_str() == "call_expression" {
        origin
            .field("function")
            .map(|f| format!("{}(…)", quote(ctx.text(f), 50)))
    } else {
        Some(quote(ctx.text(origin), 50))
    };
    Some(Handler {
        // From `catch` to the end of the call: the chain before it may be
        // rewritten without this handler changing.
        node: method,
        line: ctx.line(method),
        form: if empty {
            format!(".catch({} {{}})", callback_head(ctx, *callback))
        } else {
            format!(
                ".catch({} {})",
                callback_head(ctx, *callback),
                ctx.text(body).trim()
            )
        },
        source_of_error: receiver_call,
        language: ctx.language.unwrap_or(Language::JavaScript),
        promise: true,
    })
}

/// `const gust = await currentWindKmh(site).catch(() => null);`: the
/// failure of one of the project's own operations (an async function of
/// this file, or a function imported from a relative module) replaced by a
/// stand-in value (`null`, `undefined`, a number, `false`, `[]`) by a
/// handler that does not even take the error. Library probes
/// (`request.json().catch(() => null)`, `fs.stat(p).catch(() => null)`)
/// are method calls and are left alone.
fn project_call_faked(
    ctx: &RuleContext<'_>,
    receiver: Node<'_>,
    callback: Node<'_>,
    body: Node<'_>,
) -> bool {
    let no_error = callback
        .field("parameters")
        .is_some_and(|p| p.named_child_count() == 0);
    let stand_in = matches!(body.kind_str(), "null" | "undefined" | "number" | "false")
        || ctx.text(body).trim() == "[]";
    let callee = unwrap_expression(receiver);
    let Some(function) = (callee.kind_str() == "call_expression")
        .then(|| callee.field("function"))
        .flatten()
        .filter(|f| f.kind_str() == "identifier")
    else {
        return false;
    };
    if callback.kind_str() != "arrow_function" || !no_error || !stand_in {
        return false;
    }
    project_function(ctx, ctx.text(function), callback)
}

/// Whether `name` is one of the project's own operations: an async function
/// of this file, or a function imported from a relative module.
fn project_function(ctx: &RuleContext<'_>, name: &str, any: Node<'_>) -> bool {
    let root = ctx.root().unwrap_or(any);
    preorder(root).any(|n| match n.kind_str() {
        "function_declaration" => {
            n.field("name").is_some_and(|f| ctx.text(f) == name)
                && crate::syntax::is_async_function(n)
        }
        "variable_declarator" => {
            let named = n.field("name").is_some_and(|f| {
                preorder(f).any(|i| {
                    matches!(
                        i.kind_str(),
                        "identifier" | "shorthand_property_identifier_pattern"
                    ) && ctx.text(i) == name
                })
            });
            named
                && n.field("value").is_some_and(|v| {
                    crate::syntax::is_async_function(v)
                        || (ctx.text(v).starts_with("require(")
                            && ctx.text(v)[8..]
                                .trim_start_matches(['"', '\''])
                                .starts_with('.'))
                })
        }
        "import_statement" => {
            n.field("source")
                .is_some_and(|s| ctx.text(s).trim_matches(['"', '\'']).starts_with('.'))
                && preorder(n).any(|i| i.kind_str() == "identifier" && ctx.text(i) == name)
        }
        _ => false,
    })
}

/// Whether the value of `call` is thrown away: it is (awaited and) a
/// statement of its own.
fn result_discarded(call: Node<'_>) -> bool {
    let mut node = call;
    while let Some(parent) = node.parent() {
        match parent.kind_str() {
            "await_expression" | "parenthesized_expression" => node = parent,
            "expression_statement" => return true,
            _ => return false,
        }
    }
    false
}

fn callback_head(ctx: &RuleContext<'_>, callback: Node<'_>) -> String {
    let params = callback
        .field("parameters")
        .or_else(|| callback.field("parameter"))
        .map(|p| ctx.text(p))
        .unwrap_or("()");
    if callback.kind_str() == "arrow_function" {
        format!("{params} =>")
    } else {
        format!("function {params}")
    }
}

fn python_except<'t>(ctx: &RuleContext<'_>, clause: Node<'t>) -> Option<Handler<'t>> {
    let mut cursor = clause.walk();
    let body = clause
        .named_children(&mut cursor)
        .find(|n| n.kind_str() == "block")?;
    let filler = statements(body)
        .next()
        .map_or("pass", |s| ctx.text(s).trim());
    let caught = clause.field("value");
    if !(only_filler(body) || catch_all_to_none(ctx, caught, body) || only_rollback(ctx, body))
        || intentionally_ignored(ctx, clause)
    {
        return None;
    }
    if caught.is_some_and(|c| optional_import(ctx, c)) {
        return None;
    }
    let caught_text = caught
        .map(|c| format!(" {}", ctx.text(c)))
        .unwrap_or_default();
    let try_body = clause.parent().and_then(|t| t.field("body"));
    Some(Handler {
        node: clause,
        line: ctx.line(clause),
        form: format!("except{caught_text}: {filler}"),
        source_of_error: try_body.and_then(|b| first_call(ctx, b, "call")),
        language: Language::Python,
        promise: false,
    })
}

/// `with suppress(Exception):` / `with contextlib.suppress(BaseException):`
/// — `contextlib.suppress` of a catch-all type is `except Exception: pass`
/// written as a context manager. Narrow types (`FileNotFoundError`) are the
/// idiomatic, deliberate use and are left alone.
fn python_suppress<'t>(ctx: &RuleContext<'_>, with: Node<'t>) -> Option<Handler<'t>> {
    let imported = ctx.source.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("from contextlib import")
            && l.split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|w| w == "suppress")
    });
    let call = preorder(with)
        .take_while(|n| n.kind_str() != "block")
        .filter(|n| n.kind_str() == "with_item")
        .filter_map(|item| {
            let value = item.field("value")?;
            let value = if value.kind_str() == "as_pattern" {
                value.named_child(0)?
            } else {
                value
            };
            (value.kind_str() == "call").then_some(value)
        })
        .find(|call| {
            call.field("function").is_some_and(|f| match ctx.text(f) {
                "contextlib.suppress" => true,
                "suppress" => imported,
                _ => false,
            })
        })?;
    let catch_all = statements(call.field("arguments")?)
        .any(|a| matches!(ctx.text(a), "Exception" | "BaseException"));
    if !catch_all || intentionally_ignored(ctx, with) {
        return None;
    }
    let body = with.field("body");
    Some(Handler {
        node: call,
        line: ctx.line(with),
        form: format!("with {}", ctx.text(call)),
        source_of_error: body.and_then(|b| first_call(ctx, b, "call")),
        language: Language::Python,
        promise: false,
    })
}

/// `except Exception: return None` (also `BaseException`, `as e` with `e`
/// unused, a bare `return`; a bare `except:` is `error-handling/bare-except`'s): every failure of the `try`,
/// bugs included, turned into an absent result that the caller cannot tell
/// from a real "nothing", with no log line.
fn catch_all_to_none(ctx: &RuleContext<'_>, caught: Option<Node<'_>>, body: Node<'_>) -> bool {
    let catch_all = caught.is_some_and(|c| {
        let types = if c.kind_str() == "as_pattern" {
            c.named_child(0)
        } else {
            Some(c)
        };
        types.is_some_and(|t| matches!(ctx.text(t), "Exception" | "BaseException"))
    });
    let mut body_statements = statements(body).filter(|s| s.kind_str() != "comment");
    let (Some(only), None) = (body_statements.next(), body_statements.next()) else {
        return false;
    };
    catch_all
        && only.kind_str() == "return_statement"
        && only.named_child(0).is_none_or(|v| v.kind_str() == "none")
}

/// `except SQLAlchemyError: db.session.rollback()`: a block that only rolls
/// the transaction back — no `raise`, no log, no error answer — so the
/// caller carries on as if the write had succeeded.
fn only_rollback(ctx: &RuleContext<'_>, body: Node<'_>) -> bool {
    let mut any = false;
    let all = statements(body)
        .filter(|s| s.kind_str() != "comment")
        .all(|s| {
            let Some(mut expr) = s
                .named_child(0)
                .filter(|_| s.kind_str() == "expression_statement")
            else {
                return false;
            };
            if expr.kind_str() == "await" {
                match expr.named_child(0) {
                    Some(inner) => expr = inner,
                    None => return false,
                }
            }
            let is_rollback = expr.kind_str() == "call"
                && expr
                    .field("arguments")
                    .is_some_and(|a| a.named_child_count() == 0)
                && expr.field("function").is_some_and(|f| {
                    f.kind_str() == "attribute"
                        && f.field("attribute")
                            .is_some_and(|a| ctx.text(a) == "rollback")
                });
            any |= is_rollback;
            is_rollback
        });
    all && any
}

/// A Python block of nothing but `pass` / `...`.
pub(crate) fn only_filler(body: Node<'_>) -> bool {
    statements(body).all(|s| match s.kind_str() {
        "pass_statement" => true,
        "expression_statement" => {
            s.named_child_count() == 1
                && s.named_child(0).is_some_and(|e| e.kind_str() == "ellipsis")
        }
        _ => false,
    })
}

/// `except ImportError:` / `except (ImportError, ModuleNotFoundError):`
/// around an optional dependency.
fn optional_import(ctx: &RuleContext<'_>, caught: Node<'_>) -> bool {
    // `except ImportError as e:` — the alias does not matter.
    let caught = if caught.kind_str() == "as_pattern" {
        match caught.named_child(0) {
            Some(inner) => inner,
            None => return false,
        }
    } else {
        caught
    };
    let types = match caught.kind_str() {
        "tuple" | "parenthesized_expression" => {
            let mut cursor = caught.walk();
            caught
                .named_children(&mut cursor)
                .map(|n| ctx.text(n))
                .collect::<Vec<_>>()
        }
        _ => vec![ctx.text(caught)],
    };
    types
        .iter()
        .all(|t| matches!(*t, "ImportError" | "ModuleNotFoundError"))
}

/// A comment in or right around the handler that says the error is ignored
/// on purpose turns an oversight into a decision.
pub(super) fn intentionally_ignored(ctx: &RuleContext<'_>, handler: Node<'_>) -> bool {
    let Some(root) = ctx.root() else {
        return false;
    };
    let first_line = ctx.line(handler).saturating_sub(1).max(1);
    let last_line = u32::try_from(handler.end_position().row + 1).unwrap_or(u32::MAX);
    let start = ctx.line_start(first_line);
    let end = ctx.line_start(last_line.saturating_add(1));
    // `try {  // ignore exceptions in parsing the property`: the intent
    // stated where the `try` opens.
    let try_line = handler
        .parent()
        .filter(|p| matches!(p.kind_str(), "try_statement"))
        .map(|t| {
            let line = ctx.line(t);
            (ctx.line_start(line), ctx.line_start(line.saturating_add(1)))
        });
    let mut comments = comments_in(root, ctx.source, start, end);
    if let Some((try_start, try_end)) = try_line {
        comments.extend(comments_in(root, ctx.source, try_start, try_end));
    }
    comments.iter().any(|c| says_intentional(c))
}

fn says_intentional(comment: &str) -> bool {
    let lower = comment.to_ascii_lowercase();
    const MARKERS: &[&str] = &[
        "ignore",
        "intentional",
        "deliberate",
        "on purpose",
        "expected",
        "best effort",
        "best-effort",
        "no-op",
        "noop",
        "safe to",
        "swallow",
        "no-empty",
    ];
    MARKERS.iter().any(|m| lower.contains(m))
}

/// The callee of the first call in a `try` body: what the handler hides.
fn first_call(ctx: &RuleContext<'_>, body: Node<'_>, call_kind: &str) -> Option<String> {
    let call = preorder(body).find(|n| n.kind_str() == call_kind)?;
    let callee = match call.field("function") {
        Some(function) => ctx.text(function),
        // Java's `obj.method(…)` has no `function` node: receiver to name.
        None => {
            let name = call.field("name")?;
            ctx.source.get(call.start_byte()..name.end_byte())?
        }
    };
    Some(format!("{}(…)", quote(callee, 50)))
}

fn report(ctx: &RuleContext<'_>, handler: &Handler<'_>) -> Finding {
    let symbol = ctx.symbol_for(handler.node);
    let code = if handler.promise {
        // `catch(() => {})` — from the method name to the end of the call.
        let call = if handler.language == Language::Java {
            handler.node.parent()
        } else {
            handler.node.parent().and_then(|m| m.parent())
        };
        let call_end = call.map_or(handler.node.end_byte(), |c| c.end_byte());
        ctx.source
            .get(handler.node.start_byte()..call_end)
            .unwrap_or("")
    } else {
        ctx.text(handler.node)
    };
    let form = &handler.form;
    let hidden = handler
        .source_of_error
        .as_deref()
        .map(|s| format!("`{s}`"))
        .unwrap_or_else(|| "the code it guards".to_string());

    let (title, what) = if form.starts_with(".onErrorResume") {
        (
            format!("`{form}` turns every failure of {hidden} into success"),
            format!(
                "`{form}` catches every error of {hidden}, never looks at it (no log, no \
                 mapping) and resumes with a normal value"
            ),
        )
    } else if handler.promise && handler.language == Language::Java {
        (
            format!("`{form}` swallows the failure of {hidden}"),
            format!("`{form}` ends the chain with a failure handler that does nothing"),
        )
    } else if handler.promise {
        (
            format!("`{form}` swallows the rejection of {hidden}"),
            format!("`{form}` turns every rejection of {hidden} into success"),
        )
    } else if handler.language == Language::Python {
        (
            format!("`{form}` swallows errors from {hidden}"),
            format!("`{form}` discards every matching exception raised by {hidden}"),
        )
    } else if handler.language == Language::Go {
        (
            format!("`{form}` checks the error of {hidden} and then drops it"),
            format!("`{form}` detects the error returned by {hidden} and does nothing with it"),
        )
    } else if handler.language.is_js_family() && form.starts_with("catch { ") {
        (
            format!("`{form}` replaces every failure of {hidden} with a stand-in value"),
            format!(
                "`{form}` passes off every failure of {hidden}, an outage or a bug alike, as an \
                 ordinary result, and leaves no log line"
            ),
        )
    } else if form.ends_with("{ return true; }") {
        (
            format!("`{form}` turns every failure of {hidden} into success"),
            format!(
                "`{form}` answers \"yes\" whenever {hidden} throws, for an outage and for a bug \
                 alike, and leaves no log line"
            ),
        )
    } else if form.ends_with("; }") {
        (
            format!("`{form}` swallows the failure of {hidden}"),
            format!(
                "`{form}` hands back the object {hidden} failed to write, as if it had been \
                 written"
            ),
        )
    } else {
        (
            format!("Empty `catch` swallows errors from {hidden}"),
            format!("This empty `{form}` discards every error thrown by {hidden}"),
        )
    };
    let how = if handler.language == Language::Go {
        "return it wrapped with context (`return fmt.Errorf(\"saving %s: %w\", id, err)`), \
         handle it, or log it with context. If ignoring it really is correct, drop the `if` \
         and assign the error to `_` with a comment saying why"
    } else if handler.language == Language::Java {
        "handle it (recover, retry or fall back), log it with context through the project's \
         logger, or rethrow it wrapped with a message and the cause. If ignoring it really is \
         correct, name the exception `ignored` or say why in a comment inside the block"
    } else if handler.language == Language::Python {
        "handle the specific exception you expect (narrow the `except` to it), log it with \
         context via `logger.exception(…)`, or let it propagate. If ignoring it really is \
         correct, use `contextlib.suppress(SpecificError)` or say why in a comment"
    } else {
        "handle it (recover, retry or return a meaningful fallback), log it with context, or \
         rethrow it — wrapped with a message and `{ cause: err }`. If ignoring it really is \
         correct, say why in a comment inside the handler"
    };
    let bare = handler.language == Language::Python && handler.form.starts_with("except:");
    let bare_note = if bare {
        " A bare `except:` also catches `KeyboardInterrupt` and `SystemExit`, so even Ctrl-C \
         and `sys.exit()` are swallowed."
    } else {
        ""
    };
    let message = format!(
        "{what}: the failure still happens, but the program carries on as if it had not, and \
         nobody gets a log line, a metric or a stack trace to debug it with.{bare_note}\n\n\
         Instead, {how}."
    );

    ctx.finding(&META, handler.line, symbol.clone(), code)
        .title(title)
        .message(message)
        .symptom(format!(
            "{what}{}.",
            symbol
                .as_deref()
                .map(|s| format!(" (in `{s}`)"))
                .unwrap_or_default()
        ))
        .root_cause(
            "The error path was not designed: the handler was added to stop a crash or a failing \
             test, not to deal with the failure.",
        )
        .fix(format!(
            "Decide what a failure of {hidden} should mean here, then {how}. Keep the handler's \
             scope: catch only what this code can actually handle."
        ))
        .scope(
            "Change only this handler (and a narrower exception type, if needed). Do not change \
             the code inside the `try` or the promise chain, do not change the function's \
             signature or return value on success, and do not add a catch-all elsewhere.",
        )
        .build()
}
