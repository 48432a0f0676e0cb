//! `error-messages/generic-message`: an error created with an empty or
//! generic message ("error", "something went wrong").
//!
//! ## What it does
//! Finds errors constructed with no message or with a message that says
//! nothing beyond "an error happened":
//! - JavaScript/TypeScript: `new Error()`, `new Error("error")`, `Error("failed")`,
//!   and NestJS's `new BadRequestException()` /
//!   `new UnprocessableEntityException()` without a message (a 400 that does
//!   not say what to fix; likewise hapi's `Boom.badRequest()` /
//!   `Boom.badData()` and tRPC's `new TRPCError({ code: "BAD_REQUEST" })`
//!   without a `message`), Koa's `ctx.throw(400, "Bad request")` with a
//!   4xx status, Express's `res.status(400).json({ error: "Bad request" })`
//!   (a body with only such a message, or `.send("Invalid input")`, with
//!   400, 409, 412 or 422), and Redux Toolkit's `rejectWithValue("error")` (the
//!   payload the slice stores and the UI shows);
//! - Python: `raise Exception`, `raise ValueError()`, `raise RuntimeError("error")`
//!   (also `TypeError`), Flask's `abort(400)` given only a status that asks
//!   the client to fix something (400, 409, 412, 422), and any error class raised with a fixed literal as
//!   the only statement of `if v is None:` / `if not v:` right after
//!   `v = mapping.get(key)` with a variable key (`price =
//!   prices.get(lot.category)`, then `raise PricingError("no price")`: the
//!   key is at hand and not in the message);
//! - Java: `new RuntimeException()`, `new Exception("Error")`,
//!   `new IllegalStateException("failed")` (also `IllegalArgumentException`;
//!   without a message only `Exception`, `RuntimeException` and
//!   `IllegalArgumentException` — which argument, and what was wrong? —
//!   and an `IllegalStateException` thrown when a keyed lookup missed
//!   (`BigDecimal amount = pending.remove(id); if (amount == null) throw new
//!   IllegalStateException();`: the key is at hand) —
//!   since an empty `IllegalStateException`, `UnsupportedOperationException`
//!   or an iterator's `NoSuchElementException` is an established idiom — an
//!   empty `NoSuchElementException` thrown by any other method, such as a
//!   DAO lookup, is reported; an
//!   empty `IllegalArgumentException` is also left alone when the method's
//!   Javadoc states the contract, `@throws IllegalArgumentException if …`,
//!   or the method is an `@Override` of a documented one); JAX-RS
//!   `new WebApplicationException(Response.Status.CONFLICT)` and Spring
//!   `new ResponseStatusException(HttpStatus.BAD_REQUEST)` given only a
//!   status that asks the client to fix something (400, 409, 412, 422); and
//!   any exception with a fixed literal thrown from `if (!list.isEmpty())`
//!   where `list` is a local the method filled with `list.add(…)` (the
//!   problems were collected, and the message drops them);
//! - Go: `errors.New("error")`, `fmt.Errorf("failed")`, an `errors.New`
//!   literal returned when a map lookup missed (`v, ok := m[key]; if !ok {
//!   return errors.New("unknown gauge") }`: the key is at hand and not in
//!   the message), and
//!   `http.Error(w, "error", http.StatusBadRequest)` with a 4xx status (the
//!   client needs to know what to fix; a 5xx body is deliberately opaque),
//!   likewise Fiber's `fiber.NewError(fiber.StatusBadRequest, "bad request")`
//!   and Echo's `echo.NewHTTPError(http.StatusBadRequest, "invalid input")`;
//!   also an `error` value put as is into a JSON body, `c.JSON(500,
//!   gin.H{"error": err})` (also `fiber.Map`, `echo.Map`, `map[string]any`):
//!   `encoding/json` encodes the usual error types as `{}`, so the client
//!   gets no message at all;
//! - Rust: `anyhow!("error")`, `bail!("failed")`, `eyre!("oops")`, and a
//!   string error `Err("failed".to_string())` (also `.into()`,
//!   `.to_owned()`, `String::from(…)`, a bare literal), and a variant or
//!   `new` of an error type given only such a literal
//!   (`Err(LowerError::Other("error".into()))`,
//!   `.ok_or(ConfigError::Missing("failed".to_string()))`), unless a
//!   builder adds the context (`ParseError::new("invalid value")
//!   .with_context(span)`), and actix-web's 4xx helpers given only such a
//!   literal (`error::ErrorBadRequest("bad request")`, `ErrorNotFound(…)`),
//!   or an empty one (`ErrorBadRequest("")`, also a 4xx-named variant such
//!   as `AppError::Conflict(String::new())`; not 401/403),
//!   and Rocket's `Custom(Status::UnprocessableEntity, "invalid".to_string())`
//!   with a 4xx status.
//!
//! A message is generic when, ignoring case, surrounding spaces and final
//! punctuation, it is empty or one of "error", "an error occurred",
//! "something went wrong", "failed", "failure", "unknown error",
//! "unexpected error", "internal error", "oops", "exception", "not found"
//! (found what? — except as a Go package's sentinel, `var ErrNotFound =
//! errors.New("not found")`), … (the list is
//! in the rule's source: "parse failed", "validation failed", …), or
//! one word for the step followed by "failed" ("classification failed",
//! "delivery failed"; not "authentication failed", deliberately vague) in a
//! Python `raise` outside an `except` block or a Rust `bail!`/`anyhow!`
//! outside a closure (in a handler the dropped cause is reported by
//! `error-messages/errorf-drops-cause` and `map-err-drops-cause`), or
//! "invalid"/"bad" followed by a noun that could name any input: "Invalid
//! input", "invalid data", "bad request", "invalid record", "invalid
//! value(s)", "invalid argument(s)", "invalid parameters", "invalid
//! payload", "invalid format", "bad frame", ….
//!
//! Any other class named `…Error`/`…Exception` counts too when it is given a
//! generic literal (`new MemberDaoException("Error", e)`,
//! `new GraphQLError("Error")`), unless the message only repeats the type's
//! name (`new InvalidObjectException("invalid object")`). Python: a
//! catch-all exception class the file defines with an empty body
//! (`class DunningError(Exception): pass`, a one-word stem before
//! `Error`/`Exception`) raised with no message outside an `except` block
//! (`raise DunningError()`): the class names a module, not a failure.
//!
//! It deliberately does not report `new Error().stack` (a stack-trace
//! capture, not an error), other custom error types without a message
//! (`raise UserNotFound()`, `throw new NotFoundError()`: the type is the
//! message), `NotImplementedError`/`UnsupportedOperationException`, any
//! message with more words than the generic phrases (context is the point,
//! and "invalid email" already names what was wrong), a Python exception
//! raised inside a `try` whose own `except` catches it (control flow: the
//! message is never read), or test files, where
//! `new Error()` stands in for "some failure".
//!
//! ## Why is this bad?
//! The message is what appears in the log, the error tracker and the bug
//! report. "Something went wrong" does not say what was being done, on which
//! input, or what the caller should do — whoever debugs it has to reproduce
//! the failure to learn what the message should have said.
//!
//! ## Example
//! ```ts
//! if (!res.ok) {
//!   throw new Error("Something went wrong");
//! }
//! ```
//!
//! Use instead:
//! ```ts
//! if (!res.ok) {
//!   throw new Error(`fetching invoice ${invoiceId} failed: HTTP ${res.status}`);
//! }
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote, symbol_suffix};
use crate::syntax::NodeExt as _;
use crate::syntax::{in_rust_test, is_test_path, statements, string_literal_value};

pub static META: RuleMeta = RuleMeta {
    id: "error-messages/generic-message",
    item: ChecklistItem::ErrorMessages,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Go,
        Language::Rust,
        Language::Java,
    ],
    summary: "An error created with an empty or generic message (\"error\", \"something went wrong\")",
};

/// Messages that say only that something failed (normalised: lower case,
/// no final punctuation).
const GENERIC: &[&str] = &[
    "",
    "error",
    "err",
    "an error",
    "error occurred",
    "error occured",
    "an error occurred",
    "an error occured",
    "an error has occurred",
    "an unexpected error occurred",
    "an unknown error occurred",
    "unexpected error",
    "unknown error",
    "internal error",
    "something went wrong",
    "something went wrong, please try again",
    "something went wrong. please try again",
    "something bad happened",
    "oops",
    "oops, something went wrong",
    "whoops",
    "uh oh",
    "failed",
    "failure",
    "fail",
    "operation failed",
    "request failed",
    "unsupported",
    "parse failed",
    "parsing failed",
    "parse error",
    "decode failed",
    "decoding failed",
    "validation failed",
    "conversion failed",
    "exception",
    "an exception occurred",
    "invalid",
    "not found",
];

const JS_TYPES: &[&str] = &["Error"];
const PYTHON_TYPES: &[&str] = &["Exception", "ValueError", "RuntimeError", "TypeError"];
const JAVA_TYPES: &[&str] = &[
    "Exception",
    "RuntimeException",
    "IllegalStateException",
    "IllegalArgumentException",
];
/// `net/http`'s 4xx status constants, without the `Status` prefix (also
/// actix-web's `Error…` helpers, without the `Error` prefix).
const GO_CLIENT_ERRORS: &[&str] = &[
    "BadRequest",
    "Unauthorized",
    "PaymentRequired",
    "Forbidden",
    "NotFound",
    "MethodNotAllowed",
    "NotAcceptable",
    "ProxyAuthRequired",
    "RequestTimeout",
    "Conflict",
    "Gone",
    "LengthRequired",
    "PreconditionFailed",
    "RequestEntityTooLarge",
    "RequestURITooLong",
    "UnsupportedMediaType",
    "RequestedRangeNotSatisfiable",
    "ExpectationFailed",
    "MisdirectedRequest",
    "UnprocessableEntity",
    "Locked",
    "FailedDependency",
    "TooEarly",
    "UpgradeRequired",
    "PreconditionRequired",
    "TooManyRequests",
    "RequestHeaderFieldsTooLarge",
    "UnavailableForLegalReasons",
];
const RUST_MACROS: &[&str] = &["anyhow", "bail", "eyre", "format_err"];

pub struct GenericMessage;

impl Rule for GenericMessage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let (Some(_), Some(language)) = (ctx.root(), ctx.language) else {
            return;
        };
        if is_test_path(ctx.path) {
            return;
        }
        let kinds: &[&str] = match language {
            Language::Python => &["raise_statement", "call"],
            Language::Java => &["object_creation_expression"],
            Language::Go => &["call_expression"],
            Language::Rust => &["macro_invocation", "call_expression"],
            Language::Sql => &[],
            _ => &["new_expression", "call_expression"],
        };
        for node in ctx.nodes_in_order(kinds) {
            let found = match language {
                Language::Python => python_raise(ctx, node).or_else(|| flask_abort(ctx, node)),
                Language::Java => java_new(ctx, node),
                Language::Go => go_error(ctx, node),
                Language::Rust => rust_macro(ctx, node)
                    .or_else(|| rust_err(ctx, node))
                    .or_else(|| rust_error_variant(ctx, node))
                    .or_else(|| actix_client_error(ctx, node))
                    .or_else(|| rocket_client_error(ctx, node)),
                Language::Sql => None,
                _ => js_error(ctx, node)
                    .or_else(|| client_error_without_message(ctx, node))
                    .or_else(|| koa_throw(ctx, node))
                    .or_else(|| express_client_error(ctx, node))
                    .or_else(|| reject_with_value(ctx, node)),
            };
            if let Some((constructor, message)) = found {
                out.push(report(ctx, language, node, &constructor, message));
            } else if language == Language::Java
                && let Some((list, message)) = java_drops_collected(ctx, node)
            {
                out.push(report_dropped_list(ctx, node, list, message));
            } else if language == Language::Go
                && let Some(value) = go_error_value_in_json(ctx, node)
            {
                out.push(report_error_value_in_json(ctx, node, value));
            } else if language == Language::Go
                && let Some((key, message)) = go_missed_key(ctx, node)
            {
                out.push(report_missed_key(ctx, language, node, key, message));
            } else if language == Language::Python
                && node.kind_str() == "raise_statement"
                && let Some((key, message)) = python_missed_key(ctx, node)
            {
                out.push(report_missed_key(ctx, language, node, key, message));
            }
        }
    }
}

/// `limit, ok := a.limits[r.GaugeID]; if !ok { return nil, errors.New("unknown gauge") }`:
/// the error for a missed map lookup is a fixed literal, while the key that
/// was not found is right there. Returns the key's text and the message.
fn go_missed_key<'s>(ctx: &RuleContext<'s>, call: Node<'_>) -> Option<(&'s str, &'s str)> {
    if ctx.text(call.field("function")?) != "errors.New" {
        return None;
    }
    let args = call.field("arguments")?;
    if args.named_child_count() != 1 {
        return None;
    }
    let message = string_literal_value(args.named_child(0)?, ctx.source)?;
    // Returned as it is, from the block of `if !ok {`.
    let list = ctx
        .parent(call)
        .filter(|p| p.kind_str() == "expression_list")?;
    let ret = ctx
        .parent(list)
        .filter(|p| p.kind_str() == "return_statement")?;
    let mut block = ctx.parent(ret)?;
    if block.kind_str() == "statement_list" {
        block = ctx.parent(block)?;
    }
    let check = ctx
        .parent(block)
        .filter(|p| p.kind_str() == "if_statement" && p.field("consequence") == Some(block))?;
    let condition = check.field("condition")?;
    if condition.kind_str() != "unary_expression" || ctx.text(condition.field("operator")?) != "!" {
        return None;
    }
    let flag = condition
        .field("operand")
        .filter(|o| o.kind_str() == "identifier")?;
    let flag = ctx.text(flag);
    // `v, ok := m[key]` as the `if`'s initialiser or the statement before it.
    let mut previous = check.prev_named_sibling();
    while let Some(p) = previous.filter(|p| p.kind_str() == "comment") {
        previous = p.prev_named_sibling();
    }
    let lookup = check.field("initializer").or(previous)?;
    if lookup.kind_str() != "short_var_declaration" {
        return None;
    }
    let left = lookup.field("left")?;
    let right = lookup.field("right")?;
    if left.named_child_count() != 2
        || left.named_child(1).map(|n| ctx.text(n)) != Some(flag)
        || right.named_child_count() != 1
    {
        return None;
    }
    let index = right
        .named_child(0)
        .filter(|r| r.kind_str() == "index_expression")?;
    let key = index.field("index")?;
    // A constant key (`m["region"]`) is already in the message, or should be.
    if matches!(
        key.kind_str(),
        "interpreted_string_literal" | "raw_string_literal" | "int_literal"
    ) {
        return None;
    }
    Some((ctx.text(key), message))
}

/// `price = self._prices.get(grade.category)` then `if price is None: raise
/// GradingError("no price")`: the Python form of [`go_missed_key`] — a
/// fixed literal (no interpolation at all, so the key cannot be in it) for
/// a dictionary lookup that just missed a key held in a variable.
fn python_missed_key<'s>(ctx: &RuleContext<'s>, raise: Node<'_>) -> Option<(&'s str, &'s str)> {
    let raised = raise.named_child(0).filter(|r| r.kind_str() == "call")?;
    let args = raised.field("arguments")?;
    let mut cursor = args.walk();
    let positional: Vec<Node<'_>> = args.named_children(&mut cursor).collect();
    let [literal] = positional.as_slice() else {
        return None;
    };
    let message = string_literal_value(*literal, ctx.source)?;
    if message.trim().is_empty() || !is_error_type_name(ctx.text(raised.field("function")?)) {
        return None;
    }
    // The only statement of `if v is None:` / `if not v:`.
    let block = ctx.parent(raise).filter(|b| b.kind_str() == "block")?;
    if statements(block)
        .filter(|s| s.kind_str() != "comment")
        .count()
        != 1
    {
        return None;
    }
    let check = ctx
        .parent(block)
        .filter(|p| p.kind_str() == "if_statement" && p.field("consequence") == Some(block))?;
    let condition = check.field("condition")?;
    let variable = match condition.kind_str() {
        "comparison_operator" if ctx.text(condition).ends_with(" is None") => {
            condition.named_child(0)?
        }
        "not_operator" => condition.field("argument")?,
        _ => return None,
    };
    if variable.kind_str() != "identifier" {
        return None;
    }
    let variable = ctx.text(variable);
    // `v = mapping.get(key)` as the statement right before the `if`.
    let mut previous = check.prev_named_sibling();
    while let Some(p) = previous.filter(|p| p.kind_str() == "comment") {
        previous = p.prev_named_sibling();
    }
    let assign = previous
        .filter(|p| p.kind_str() == "expression_statement")?
        .named_child(0)
        .filter(|a| a.kind_str() == "assignment")?;
    if assign.field("left").map(|l| ctx.text(l)) != Some(variable) {
        return None;
    }
    let call = assign.field("right").filter(|r| r.kind_str() == "call")?;
    let function = call
        .field("function")
        .filter(|f| f.kind_str() == "attribute")?;
    if ctx.text(function.field("attribute")?) != "get" {
        return None;
    }
    let lookup_args = call.field("arguments")?;
    let mut cursor = lookup_args.walk();
    let keys: Vec<Node<'_>> = lookup_args.named_children(&mut cursor).collect();
    let [key] = keys.as_slice() else {
        return None;
    };
    // A constant key (`config.get("region")`) is already in the message, or should be.
    if !matches!(key.kind_str(), "identifier" | "attribute" | "subscript") {
        return None;
    }
    Some((ctx.text(*key), message))
}

fn report_missed_key(
    ctx: &RuleContext<'_>,
    language: Language,
    node: Node<'_>,
    key: &str,
    message: &str,
) -> Finding {
    let code = quote(ctx.text(node), 70);
    let key = quote(key, 40);
    let (remedy, fix) = if language == Language::Python {
        (
            format!(
                "Name the key: `f\"{message}: {{{key}!r}}\"` (and what was looked up, if \
                 the message does not say)."
            ),
            format!("Include `{key}` in the message (`f\"{message}: {{{key}!r}}\"`)"),
        )
    } else {
        (
            format!(
                "Name the key: `fmt.Errorf(\"{message} %q\", {key})`, or wrap a sentinel error \
                 (`fmt.Errorf(\"%w: %q\", ErrUnknown, {key})`) when callers branch on it."
            ),
            format!("Include `{key}` in the error (`fmt.Errorf(\"{message} %q\", {key})`)"),
        )
    };
    let in_symbol = symbol_suffix(ctx.symbol_for(node).as_deref());
    let what = format!("Error \"{message}\" does not say which key was not found");
    ctx.node_finding(&META, node)
        .title(what.clone())
        .message(format!(
            "{what}: the map lookup just missed `{key}`, and `{code}` drops it. The log and the \
             caller learn that something was unknown, not what — whoever debugs it has to \
             reproduce the request to find the value.\n\n{remedy}"
        ))
        .symptom(format!(
            "`{code}`{in_symbol} reports a missed lookup of `{key}` without the key."
        ))
        .root_cause(
            "The error path of the lookup was written with a fixed message; the value that \
             was looked up was not carried into it.",
        )
        .fix(format!("{fix}, keeping the rest of the message."))
        .scope(
            "Change only this error's message. Do not change when it is returned or its other \
             return values.",
        )
        .build()
}

/// Redux Toolkit's `rejectWithValue("error")` (also `thunkAPI.rejectWithValue`):
/// the rejected thunk's payload, which the slice stores and the UI shows, is
/// only a generic literal.
fn reject_with_value<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<(String, &'s str)> {
    if crate::syntax::call_name(node, ctx.source)? != "rejectWithValue" {
        return None;
    }
    let value = string_literal_value(
        node.field("arguments").and_then(first_named_arg)?,
        ctx.source,
    )?;
    (!value.trim().is_empty() && is_generic(value)).then(|| ("rejectWithValue".to_string(), value))
}

/// hapi's `Boom.badRequest()` / `Boom.badData()` and tRPC's `new
/// TRPCError({ code: "BAD_REQUEST" })` with no message (or a generic one):
/// like NestJS's bare `BadRequestException`, a 400/422 that does not say
/// what to fix.
fn client_error_without_message<'s>(
    ctx: &RuleContext<'s>,
    node: Node<'_>,
) -> Option<(String, &'s str)> {
    let args = node.field("arguments")?;
    match node.kind_str() {
        "call_expression" => {
            let callee = node.field("function")?;
            let object = ctx.text(callee.field("object")?);
            let method = ctx.text(callee.field("property")?);
            if !matches!(object, "Boom" | "boom") || !matches!(method, "badRequest" | "badData") {
                return None;
            }
            let message = generic_message(ctx, first_named_arg(args))?;
            Some((ctx.text(callee).to_string(), message))
        }
        "new_expression" => {
            if ctx.text(node.field("constructor")?) != "TRPCError" {
                return None;
            }
            let options = first_named_arg(args).filter(|a| a.kind_str() == "object")?;
            let value_of = |key: &str| {
                let mut cursor = options.walk();
                options
                    .named_children(&mut cursor)
                    .filter(|p| p.kind_str() == "pair")
                    .find(|p| {
                        p.field("key")
                            .is_some_and(|k| ctx.text(k).trim_matches(['"', '\'']) == key)
                    })
                    .and_then(|p| p.field("value"))
            };
            let code = value_of("code").and_then(|c| string_literal_value(c, ctx.source))?;
            if !matches!(code, "BAD_REQUEST" | "UNPROCESSABLE_CONTENT") {
                return None;
            }
            let message = match value_of("message") {
                // Not `{ code, message }` nor `{ ...rest }`.
                None if !ctx.text(options).contains("message")
                    && !ctx.text(options).contains("...") =>
                {
                    ""
                }
                None => return None,
                Some(m) => string_literal_value(m, ctx.source).filter(|v| is_generic(v))?,
            };
            Some(("TRPCError".to_string(), message))
        }
        _ => None,
    }
}

/// Koa's `ctx.throw(400, "Bad request")`: a 4xx answer whose message does
/// not tell the client what to fix (as Go's `http.Error` with a 4xx).
fn koa_throw<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<(String, &'s str)> {
    let callee = node.field("function")?;
    if callee.kind_str() != "member_expression"
        || ctx.text(callee.field("object")?) != "ctx"
        || ctx.text(callee.field("property")?) != "throw"
    {
        return None;
    }
    let args = node.field("arguments")?;
    let mut cursor = args.walk();
    let named: Vec<Node<'_>> = args.named_children(&mut cursor).collect();
    let [status, message] = named.as_slice() else {
        return None;
    };
    let client_error = ctx
        .text(*status)
        .parse::<u16>()
        .is_ok_and(|code| (400..500).contains(&code));
    if !client_error {
        return None;
    }
    let value = string_literal_value(*message, ctx.source)?;
    is_generic(value).then(|| ("ctx.throw".to_string(), value))
}

/// Express's `res.status(400).json({ error: "Bad request" })` (also
/// `.send("Invalid input")`): an answer asking the client to fix its request
/// (400, 409, 412, 422) whose body does not say what to fix. 401/403/404
/// bodies are often vague on purpose and are left alone.
fn express_client_error<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<(String, &'s str)> {
    let callee = node.field("function")?;
    if callee.kind_str() != "member_expression" {
        return None;
    }
    let method = ctx.text(callee.field("property")?);
    if !matches!(method, "json" | "send") {
        return None;
    }
    let status_call = callee.field("object")?;
    let status_callee = status_call.field("function")?;
    if status_call.kind_str() != "call_expression"
        || status_callee.kind_str() != "member_expression"
        || ctx.text(status_callee.field("property")?) != "status"
    {
        return None;
    }
    let status = first_named_arg(status_call.field("arguments")?)?;
    if !matches!(ctx.text(status), "400" | "409" | "412" | "422") {
        return None;
    }
    let body = first_named_arg(node.field("arguments")?)?;
    let message = if body.kind_str() == "object" {
        let mut cursor = body.walk();
        let pairs: Vec<Node<'_>> = body
            .named_children(&mut cursor)
            .filter(|c| c.kind_str() == "pair")
            .collect();
        // The only field, or the message next to nothing that could explain it.
        let [pair] = pairs.as_slice() else {
            return None;
        };
        let key = ctx.text(pair.field("key")?).trim_matches(['"', '\'']);
        if !matches!(key, "error" | "message" | "msg" | "detail") {
            return None;
        }
        pair.field("value")?
    } else {
        body
    };
    let value = string_literal_value(message, ctx.source)?;
    is_generic(value).then(|| (format!("res.{method}"), value))
}

/// `Some(message)` when a message argument is absent or a generic literal.
fn generic_message<'s>(ctx: &RuleContext<'s>, first_arg: Option<Node<'_>>) -> Option<&'s str> {
    let Some(arg) = first_arg else {
        return Some("");
    };
    let value = string_literal_value(arg, ctx.source)?;
    is_generic(value).then_some(value)
}

fn is_generic(message: &str) -> bool {
    let normalised = message
        .trim()
        .trim_end_matches(['.', '!', ':', '…'])
        .trim()
        .to_lowercase();
    if GENERIC.contains(&normalised.as_str()) {
        return true;
    }
    // "Invalid input", "invalid record": the adjective with a noun that
    // could name anything says nothing about what or why.
    normalised
        .strip_prefix("invalid ")
        .or_else(|| normalised.strip_prefix("bad "))
        .map(|noun| noun.trim())
        .is_some_and(|noun| {
            let singular = noun.strip_suffix('s').unwrap_or(noun);
            GENERIC_NOUNS.contains(&noun) || GENERIC_NOUNS.contains(&singular)
        })
}

/// "Classification failed", "delivery failed": one word for the step and
/// nothing on what, which input or why. Judged only where no cause is at
/// hand (outside `except` blocks and `map_err` closures, whose own rules
/// report the dropped cause). Not the deliberately vague answers of
/// authentication.
fn vague_failure(message: &str) -> bool {
    let normalised = message
        .trim()
        .trim_end_matches(['.', '!', ':', '…'])
        .trim()
        .to_lowercase();
    normalised.strip_suffix(" failed").is_some_and(|step| {
        !step.is_empty()
            && step.chars().all(|c| c.is_ascii_alphabetic())
            && !matches!(
                step,
                "authentication" | "authorization" | "auth" | "login" | "signin" | "verification"
            )
    })
}

/// Nouns that, after "invalid" or "bad", could name any input at all.
const GENERIC_NOUNS: &[&str] = &[
    "input",
    "data",
    "request",
    "record",
    "value",
    "argument",
    "arg",
    "parameter",
    "param",
    "payload",
    "entry",
    "object",
    "item",
    "field",
    "format",
    "operation",
    "line",
    "row",
    "frame",
    "packet",
    "response",
];

fn first_named_arg(args: Node<'_>) -> Option<Node<'_>> {
    statements(args).next()
}

/// `new Error(…)` and `Error(…)`.
fn js_error<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<(String, &'s str)> {
    let callee = match node.kind_str() {
        "new_expression" => node.field("constructor")?,
        "call_expression" => node.field("function")?,
        _ => return None,
    };
    let name = ctx.text(callee);
    let custom = !JS_TYPES.contains(&name);
    // `new GraphQLError("Error")`: any error class with a generic literal
    // (without a message a custom type is its own message).
    if custom && (node.kind_str() != "new_expression" || !is_error_type_name(name)) {
        return None;
    }
    // `new Error().stack` captures a stack trace; nothing is thrown.
    if node
        .parent()
        .is_some_and(|p| p.kind_str() == "member_expression")
    {
        return None;
    }
    let first = node.field("arguments").and_then(first_named_arg);
    // NestJS's 400 and 422 without a message: the client is told only that
    // its input was wrong, not what to fix.
    if first.is_none() && matches!(name, "BadRequestException" | "UnprocessableEntityException") {
        return Some((name.to_string(), ""));
    }
    if custom && first.is_none() {
        return None;
    }
    let message = generic_message(ctx, first)?;
    if custom && restates_type(name, message) {
        return None;
    }
    Some((name.to_string(), message))
}

/// `new InvalidObjectException("invalid object")`: the message only repeats
/// the type's name, which is as good as no message on a custom type (the
/// type is the message) — not a generic "error".
fn restates_type(name: &str, message: &str) -> bool {
    let type_words = crate::syntax::identifier_words(name.rsplit('.').next().unwrap_or(name));
    let message_words = crate::syntax::identifier_words(message);
    // "Error" in `GraphQLError` repeats only the suffix every error has.
    message_words
        .iter()
        .any(|w| !matches!(w.as_str(), "error" | "exception"))
        && message_words.iter().all(|w| {
            type_words
                .iter()
                .any(|t| t == w || t.strip_suffix('s') == Some(w) || w.strip_suffix('s') == Some(t))
        })
}

/// `GraphQLError`, `MemberDaoException`, `errors.ApiError`: a class named as
/// an error or exception.
fn is_error_type_name(name: &str) -> bool {
    let simple = name.rsplit('.').next().unwrap_or(name);
    simple.len() > "Error".len()
        && simple.starts_with(|c: char| c.is_ascii_uppercase())
        && (simple.ends_with("Error") || simple.ends_with("Exception"))
}

/// Flask's (and Quart's) `abort(400)` given only a status that asks the
/// client to fix something (400, 409, 412, 422), no `description`: the
/// client gets the stock "Bad Request" page and nothing on what to fix.
fn flask_abort<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<(String, &'s str)> {
    if node.kind_str() != "call" {
        return None;
    }
    let function = ctx.text(node.field("function")?);
    if !matches!(function, "abort" | "flask.abort" | "quart.abort")
        || !(ctx.source.contains("flask") || ctx.source.contains("quart"))
    {
        return None;
    }
    let args = node.field("arguments")?;
    let mut cursor = args.walk();
    let arguments: Vec<Node<'_>> = args.named_children(&mut cursor).collect();
    let [status] = arguments.as_slice() else {
        return None;
    };
    let text = ctx.text(*status);
    let last = text.rsplit('.').next().unwrap_or(text).trim();
    JAVA_CLIENT_FIX_STATUSES
        .contains(&last)
        .then(|| (function.to_string(), ""))
}

/// `raise ValueError`, `raise ValueError()`, `raise Exception("error")`.
fn python_raise<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<(String, &'s str)> {
    if node.kind_str() != "raise_statement" {
        return None;
    }
    let raised = node.named_child(0)?;
    let (name, first) = match raised.kind_str() {
        "identifier" => (ctx.text(raised), None),
        "call" => {
            let args = raised.field("arguments")?;
            (ctx.text(raised.field("function")?), first_named_arg(args))
        }
        _ => return None,
    };
    if !PYTHON_TYPES.contains(&name) {
        // `raise DunningError()`: a catch-all exception class of the file's
        // own, raised with no message and outside an `except` (where the
        // chained cause would carry the detail).
        let bare = match raised.kind_str() {
            "identifier" => true,
            _ => raised
                .field("arguments")
                .is_some_and(|a| a.named_child_count() == 0),
        };
        if bare && is_catch_all_class(ctx, name) && !in_except_clause(node) {
            return Some((name.to_string(), ""));
        }
        return None;
    }
    let message = generic_message(ctx, first).or_else(|| {
        let value = string_literal_value(first?, ctx.source)?;
        (vague_failure(value) && !in_except_clause(node)).then_some(value)
    })?;
    if caught_by_own_try(ctx, node, name) {
        return None;
    }
    Some((name.to_string(), message))
}

/// `try: … raise ValueError("not found") … except (ImportError, ValueError):`:
/// raised inside a `try` whose own handler catches it — control flow within
/// the function, whose message nobody reads.
fn caught_by_own_try(ctx: &RuleContext<'_>, raise: Node<'_>, name: &str) -> bool {
    let mut child = raise;
    let mut current = ctx.parent(raise);
    while let Some(n) = current {
        match n.kind_str() {
            "function_definition" | "lambda" | "class_definition" => return false,
            "try_statement" if n.field("body") == Some(child) => {
                let mut cursor = n.walk();
                return n
                    .named_children(&mut cursor)
                    .filter(|c| c.kind_str() == "except_clause")
                    .any(|clause| {
                        let mut inner = clause.walk();
                        clause
                            .named_children(&mut inner)
                            .take_while(|c| c.kind_str() != "block")
                            .any(|types| {
                                crate::syntax::preorder(types).any(|t| {
                                    t.kind_str() == "identifier"
                                        && matches!(ctx.text(t), x if x == name || x == "Exception")
                                })
                            })
                    });
            }
            _ => {}
        }
        child = n;
        current = ctx.parent(n);
    }
    false
}

/// A class the file defines as `class DunningError(Exception): pass` (body
/// only `pass`, `...` or a docstring) whose name, without the `Error` /
/// `Exception` suffix, is a single word: an error *category* for a whole
/// module, which says nothing about what went wrong. A specific name
/// (`CustomerNotFoundError`) or a class that builds its own message is the
/// message.
fn is_catch_all_class(ctx: &RuleContext<'_>, name: &str) -> bool {
    let stem = name
        .strip_suffix("Error")
        .or_else(|| name.strip_suffix("Exception"));
    let Some(stem) = stem.filter(|s| !s.is_empty()) else {
        return false;
    };
    if crate::syntax::identifier_words(stem).len() != 1 {
        return false;
    }
    ctx.nodes_in_order(&["class_definition"])
        .iter()
        .any(|class| {
            class.field("name").is_some_and(|n| ctx.text(n) == name)
                && class.field("superclasses").is_some()
                && class.field("body").is_some_and(|body| {
                    statements(body).all(|s| {
                        matches!(s.kind_str(), "pass_statement" | "comment")
                            || (s.kind_str() == "expression_statement"
                                && s.named_child(0)
                                    .is_some_and(|e| matches!(e.kind_str(), "string" | "ellipsis")))
                    })
                })
        })
}

fn in_except_clause(node: Node<'_>) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        match n.kind_str() {
            "except_clause" | "except_group_clause" => return true,
            "function_definition" | "lambda" => return false,
            _ => {}
        }
        current = n.parent();
    }
    false
}

/// `new RuntimeException()`, `new Exception("Error")`.
fn java_new<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<(String, &'s str)> {
    if node.kind_str() != "object_creation_expression" {
        return None;
    }
    let name = ctx.text(node.field("type")?);
    let first = node.field("arguments").and_then(first_named_arg);
    // An empty `NoSuchElementException` is the contract of an iterator's
    // `next()` (or a deque's `getFirst()`); thrown by a lookup it says only
    // that something was not there — not what, nor where it was looked for.
    if name.rsplit('.').next() == Some("NoSuchElementException") && first.is_none() {
        let method = std::iter::successors(node.parent(), |p| p.parent())
            .find(|p| p.kind_str() == "method_declaration")
            .and_then(|m| m.field("name"))
            .map(|n| ctx.text(n));
        return method
            .is_some_and(|m| !is_collection_accessor(m) && !in_collection_type(ctx, node))
            .then(|| (name.to_string(), ""));
    }
    if let Some(status) = java_status_only(ctx, name, node) {
        return Some((format!("{name}({status})"), ""));
    }
    if !JAVA_TYPES.contains(&name) {
        // `new MemberDaoException("Error", e)`: any exception class given a
        // generic literal. (Without a message a custom type is the message.)
        if !is_error_type_name(name) {
            return None;
        }
        let value = string_literal_value(first?, ctx.source)?;
        return (is_generic(value) && !restates_type(name, value))
            .then(|| (name.to_string(), value));
    }
    // `throw new IllegalStateException()` guarding a state machine is a
    // long-standing idiom: the type carries the meaning. The catch-all
    // types need a message, and so does `IllegalArgumentException` (which
    // argument, and what was wrong with it?) unless the method's Javadoc
    // states the contract (`@throws IllegalArgumentException if …`).
    if first.is_none() {
        let needs_message = match name {
            "Exception" | "RuntimeException" => true,
            "IllegalArgumentException" => !documented_throw(ctx, node, name),
            // `if (amount == null) throw new IllegalStateException();` after
            // `amount = pending.remove(id)`: not a state machine's guard but
            // a missed lookup, whose key is at hand.
            "IllegalStateException" => after_missed_lookup(ctx, node),
            _ => false,
        };
        if !needs_message {
            return None;
        }
    }
    let message = generic_message(ctx, first)?;
    Some((name.to_string(), message))
}

/// Client-error statuses whose response must say what to change: JAX-RS
/// `Response.Status` and Spring `HttpStatus` names, and their codes.
/// (A bare 401/403/404 is the usual, often deliberate, answer.)
const JAVA_CLIENT_FIX_STATUSES: &[&str] = &[
    "BAD_REQUEST",
    "CONFLICT",
    "PRECONDITION_FAILED",
    "UNPROCESSABLE_ENTITY",
    "UNPROCESSABLE_CONTENT",
    "400",
    "409",
    "412",
    "422",
];

/// JAX-RS `new WebApplicationException(Response.Status.CONFLICT)` and Spring
/// `new ResponseStatusException(HttpStatus.BAD_REQUEST)`: a 4xx telling the
/// client to fix something with only the status — no reason. Returns the
/// status as written.
fn java_status_only<'s>(ctx: &RuleContext<'s>, name: &str, node: Node<'_>) -> Option<&'s str> {
    if !matches!(
        name.rsplit('.').next(),
        Some("WebApplicationException" | "ResponseStatusException")
    ) {
        return None;
    }
    let args = node.field("arguments")?;
    let mut arguments = statements(args);
    let status = arguments.next()?;
    if arguments.next().is_some() {
        return None;
    }
    let text = ctx.text(status);
    let last = text.rsplit('.').next().unwrap_or(text).trim();
    JAVA_CLIENT_FIX_STATUSES.contains(&last).then_some(text)
}

/// `if (!problems.isEmpty()) { throw new IllegalStateException("Invalid crew"); }`:
/// the method collected what was wrong into a local list, and the exception
/// it throws because the list is not empty carries a fixed literal instead.
/// Returns the list's name and the literal.
fn java_drops_collected<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<(&'s str, &'s str)> {
    let name = ctx.text(node.field("type")?);
    if !is_error_type_name(name.rsplit('.').next().unwrap_or(name)) {
        return None;
    }
    let args = node.field("arguments")?;
    let mut arguments = statements(args);
    let message = string_literal_value(arguments.next()?, ctx.source)?;
    if arguments.next().is_some() {
        return None;
    }
    let throw = ctx
        .parent(node)
        .filter(|p| p.kind_str() == "throw_statement")?;
    let mut branch = throw;
    if let Some(block) = ctx.parent(throw).filter(|p| p.kind_str() == "block") {
        branch = block;
    }
    let check = ctx
        .parent(branch)
        .filter(|p| p.kind_str() == "if_statement" && p.field("consequence") == Some(branch))?;
    let condition = crate::syntax::unwrap_expression(check.field("condition")?);
    // `!list.isEmpty()`
    let list = match condition.kind_str() {
        "unary_expression" if condition.field("operator").map(|o| ctx.text(o)) == Some("!") => {
            let call = crate::syntax::unwrap_expression(condition.field("operand")?);
            (call.kind_str() == "method_invocation"
                && call.field("name").map(|n| ctx.text(n)) == Some("isEmpty")
                && call.field("arguments")?.named_child_count() == 0)
                .then_some(call.field("object")?)?
        }
        _ => return None,
    };
    if list.kind_str() != "identifier" {
        return None;
    }
    let list = ctx.text(list);
    // A local collection of the method, filled with `list.add(…)`.
    let method = ctx.enclosing_function(Language::Java, node)?;
    let declared = crate::syntax::preorder(method).any(|n| {
        n.kind_str() == "variable_declarator"
            && n.field("name").is_some_and(|d| ctx.text(d) == list)
            && n.field("value")
                .is_some_and(|v| v.kind_str() == "object_creation_expression")
    });
    let filled = crate::syntax::preorder(method).any(|n| {
        n.kind_str() == "method_invocation"
            && n.field("name").is_some_and(|m| ctx.text(m) == "add")
            && n.field("object").is_some_and(|o| ctx.text(o) == list)
    });
    // Nothing in the branch reads the list (a log line before the throw).
    let read_in_branch = crate::syntax::preorder(branch)
        .any(|n| n.kind_str() == "identifier" && ctx.text(n) == list);
    (declared && filled && !read_in_branch).then_some((list, message))
}

fn report_dropped_list(
    ctx: &RuleContext<'_>,
    node: Node<'_>,
    list: &str,
    message: &str,
) -> Finding {
    let code = quote(ctx.text(node), 70);
    let in_symbol = symbol_suffix(ctx.symbol_for(node).as_deref());
    let what = format!("Error \"{message}\" drops the problems collected in `{list}`");
    ctx.node_finding(&META, node)
        .title(what.clone())
        .message(format!(
            "{what}: the method gathered what was wrong into `{list}` and throws because it is \
             not empty, but `{code}` says only that something was wrong. The log and the caller \
             never learn which entries failed or why.\n\nPut the collected problems in the \
             message: `\"{message}: \" + String.join(\", \", {list})`."
        ))
        .symptom(format!(
            "`{code}`{in_symbol} is thrown when `{list}` is not empty, without its contents."
        ))
        .root_cause(
            "The problems were collected for the error, then the error was written with a fixed \
             message.",
        )
        .fix(format!(
            "Include the contents of `{list}` in the exception's message, keeping its type."
        ))
        .scope(
            "Change only this exception's message. Do not change when it is thrown or how the \
             problems are collected.",
        )
        .build()
}

/// `throw new X()` as (or as the only statement of) the branch of
/// `if (v == null)`, where `v` is a local the method assigned from a keyed
/// lookup (`map.get(k)`, `map.remove(k)`).
fn after_missed_lookup(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    let Some(throw) = ctx
        .parent(node)
        .filter(|p| p.kind_str() == "throw_statement")
    else {
        return false;
    };
    let mut branch = throw;
    if let Some(block) = ctx.parent(throw).filter(|p| p.kind_str() == "block") {
        if block.named_child_count() != 1 {
            return false;
        }
        branch = block;
    }
    let Some(check) = ctx
        .parent(branch)
        .filter(|p| p.kind_str() == "if_statement" && p.field("consequence") == Some(branch))
    else {
        return false;
    };
    let Some(condition) = check
        .field("condition")
        .map(crate::syntax::unwrap_expression)
    else {
        return false;
    };
    if condition.kind_str() != "binary_expression"
        || condition.field("operator").map(|o| ctx.text(o)) != Some("==")
    {
        return false;
    }
    let (Some(left), Some(right)) = (condition.field("left"), condition.field("right")) else {
        return false;
    };
    let variable = match (left.kind_str(), right.kind_str()) {
        ("identifier", "null_literal") => ctx.text(left),
        ("null_literal", "identifier") => ctx.text(right),
        _ => return false,
    };
    let Some(method) = ctx.enclosing_function(Language::Java, node) else {
        return false;
    };
    crate::syntax::preorder(method).any(|n| {
        n.kind_str() == "variable_declarator"
            && n.field("name").is_some_and(|d| ctx.text(d) == variable)
            && n.field("value").is_some_and(|v| {
                v.kind_str() == "method_invocation"
                    && v.field("object").is_some()
                    && v.field("name")
                        .is_some_and(|m| matches!(ctx.text(m), "get" | "remove"))
                    && v.field("arguments")
                        .is_some_and(|a| a.named_child_count() == 1)
            })
    })
}

/// Whether `node` is inside a class that is a collection, map or iterator
/// (`extends AbstractMap`, `implements Iterator<E>`, …), whose internals
/// throw an empty `NoSuchElementException` by contract.
fn in_collection_type(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    std::iter::successors(node.parent(), |p| p.parent())
        .filter(|p| {
            matches!(
                p.kind_str(),
                "class_declaration" | "enum_declaration" | "record_declaration"
            )
        })
        .any(|class| {
            ["superclass", "interfaces"].iter().any(|field| {
                class.field(field).is_some_and(|types| {
                    let text = ctx.text(types);
                    [
                        "Iterator",
                        "Iterable",
                        "Collection",
                        "List",
                        "Map",
                        "Set",
                        "Queue",
                        "Deque",
                        "Spliterator",
                        "Enumeration",
                        "Abstract",
                    ]
                    .iter()
                    .any(|t| text.contains(t))
                })
            })
        })
}

/// Methods of iterators and collections whose contract is an empty
/// `NoSuchElementException`.
fn is_collection_accessor(method: &str) -> bool {
    matches!(
        method,
        "next"
            | "previous"
            | "nextElement"
            | "element"
            | "remove"
            | "getFirst"
            | "getLast"
            | "removeFirst"
            | "removeLast"
            | "first"
            | "last"
            | "firstKey"
            | "lastKey"
            | "pop"
            | "peek"
            | "get"
            | "orElseThrow"
    ) || method.starts_with("next")
}

/// The enclosing method's Javadoc documents the exception
/// (`@throws IllegalArgumentException if {@code permits} is negative`): the
/// condition is stated where callers read it.
fn documented_throw(ctx: &RuleContext<'_>, node: Node<'_>, name: &str) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        if matches!(
            n.kind_str(),
            "method_declaration" | "constructor_declaration"
        ) {
            // `@Override`: the contract is documented on the overridden method.
            let mut cursor = n.walk();
            let overrides = n
                .named_children(&mut cursor)
                .filter(|c| c.kind_str() == "modifiers")
                .any(|m| ctx.text(m).contains("@Override"));
            if overrides {
                return true;
            }
            let mut previous = n.prev_sibling();
            while let Some(p) = previous {
                match p.kind_str() {
                    "block_comment" => {
                        let doc = ctx.text(p);
                        return doc.starts_with("/**")
                            && ["@throws", "@exception"].iter().any(|tag| {
                                doc.split(tag).skip(1).any(|rest| {
                                    rest.split_whitespace()
                                        .next()
                                        .is_some_and(|ty| ty.rsplit('.').next() == Some(name))
                                })
                            });
                    }
                    "line_comment" => previous = p.prev_sibling(),
                    _ => return false,
                }
            }
            return false;
        }
        current = n.parent();
    }
    false
}

/// `errors.New("error")`, `fmt.Errorf("failed")` (a format with no
/// arguments), and `http.Error(w, "error", http.StatusBadRequest)`: a
/// client error (4xx) whose body says nothing about what to fix. (A 5xx
/// body is deliberately opaque to clients, so it is not judged.)
fn go_error<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<(String, &'s str)> {
    if node.kind_str() != "call_expression" {
        return None;
    }
    let name = ctx.text(node.field("function")?);
    let args = node.field("arguments")?;
    if name == "http.Error" && args.named_child_count() == 3 {
        let status = ctx.text(args.named_child(2)?);
        let client_error = status.parse::<u16>().is_ok_and(|s| (400..500).contains(&s))
            || status
                .strip_prefix("http.Status")
                .is_some_and(|s| GO_CLIENT_ERRORS.contains(&s));
        if !client_error {
            return None;
        }
        let value = string_literal_value(args.named_child(1)?, ctx.source)?;
        return is_generic(value).then(|| (name.to_string(), value));
    }
    // Fiber's `fiber.NewError(fiber.StatusBadRequest, "bad request")` and
    // Echo's `echo.NewHTTPError(http.StatusBadRequest, "invalid input")`:
    // the same 4xx answer as `http.Error`.
    if matches!(name, "fiber.NewError" | "echo.NewHTTPError") && args.named_child_count() == 2 {
        let status = ctx.text(args.named_child(0)?);
        let status = status.rsplit('.').next().unwrap_or(status);
        let client_error = status.parse::<u16>().is_ok_and(|s| (400..500).contains(&s))
            || status
                .strip_prefix("Status")
                .is_some_and(|s| GO_CLIENT_ERRORS.contains(&s));
        if !client_error {
            return None;
        }
        let value = string_literal_value(args.named_child(1)?, ctx.source)?;
        return is_generic(value).then(|| (name.to_string(), value));
    }
    if !matches!(name, "errors.New" | "fmt.Errorf") {
        return None;
    }
    if args.named_child_count() != 1 {
        return None;
    }
    let value = string_literal_value(args.named_child(0)?, ctx.source)?;
    // `var ErrNotFound = errors.New("not found")`: a package's sentinel,
    // which callers compare with `errors.Is` and wrap with the key.
    let sentinel = value.trim().eq_ignore_ascii_case("not found")
        && ctx
            .parent(node)
            .is_some_and(|p| p.kind_str() == "expression_list")
        && ctx
            .parent(node)
            .and_then(|p| ctx.parent(p))
            .is_some_and(|spec| spec.kind_str() == "var_spec");
    (is_generic(value) && !sentinel).then(|| (name.to_string(), value))
}

/// `anyhow!("error")`, `bail!("failed")`: a single literal argument.
fn rust_macro<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<(String, &'s str)> {
    if node.kind_str() != "macro_invocation" {
        return None;
    }
    let path = node.field("macro")?;
    let name = ctx.text(path).rsplit("::").next()?;
    if !RUST_MACROS.contains(&name) {
        return None;
    }
    let tokens = node
        .named_children(&mut node.walk())
        .find(|n| n.kind_str() == "token_tree")?;
    let mut cursor = tokens.walk();
    let args: Vec<Node<'_>> = tokens.named_children(&mut cursor).collect();
    let [literal] = args.as_slice() else {
        return None;
    };
    let value = string_literal_value(*literal, ctx.source)?;
    let in_closure = std::iter::successors(ctx.parent(node), |p| ctx.parent(*p))
        .take_while(|p| p.kind_str() != "function_item")
        .any(|p| p.kind_str() == "closure_expression");
    (is_generic(value) || (vague_failure(value) && !in_closure))
        .then(|| (format!("{name}!"), value))
}

/// `Err("invalid record".to_string())`, `Err("failed".into())`,
/// `Err(String::from("error"))`, `Err("oops")`: a string error built from a
/// generic literal.
fn rust_err<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<(String, &'s str)> {
    if node.kind_str() != "call_expression" || ctx.text(node.field("function")?) != "Err" {
        return None;
    }
    let args = node.field("arguments")?;
    if args.named_child_count() != 1 {
        return None;
    }
    let value = rust_string_arg(ctx, args.named_child(0)?)?;
    if in_rust_test(node, ctx.source) {
        return None;
    }
    // `Err("")` is a placeholder of another kind; only generic words count.
    (!value.trim().is_empty() && is_generic(value)).then(|| ("Err".to_string(), value))
}

/// `LowerError::Other("error".into())`, `ConfigError::Invalid(String::from("failed"))`:
/// a variant (or constructor) of an error type given only a generic literal.
fn rust_error_variant<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<(String, &'s str)> {
    if node.kind_str() != "call_expression" {
        return None;
    }
    let function = node.field("function")?;
    if function.kind_str() != "scoped_identifier" {
        return None;
    }
    let path = ctx.text(function);
    let mut segments = path.rsplit("::");
    let variant = segments.next()?;
    let type_name = segments.next()?;
    let error_type =
        type_name.starts_with(|c: char| c.is_ascii_uppercase()) && type_name.ends_with("Error");
    if !error_type || !(variant.starts_with(|c: char| c.is_ascii_uppercase()) || variant == "new") {
        return None;
    }
    // `ParseError::new("invalid value").with_context(span)`: a builder that
    // adds the context after the fact.
    if node
        .parent()
        .is_some_and(|p| p.kind_str() == "field_expression")
    {
        return None;
    }
    let args = node.field("arguments")?;
    if args.named_child_count() != 1 {
        return None;
    }
    let value = rust_string_arg(ctx, args.named_child(0)?)?;
    // An empty message is reported only for a variant named after a 4xx
    // answer (`AppError::Conflict(String::new())`): the client is told
    // nothing about what to fix.
    let empty_allowed = empty_client_error(variant);
    if (value.trim().is_empty() && !empty_allowed)
        || !is_generic(value)
        || in_rust_test(node, ctx.source)
    {
        return None;
    }
    // `ParseError::Invalid("invalid")`: the variant already names the failure
    // as well as the message would.
    if restates_type(variant, value) {
        return None;
    }
    Some((path.to_string(), value))
}

/// actix-web's `error::ErrorBadRequest("bad request")` (any 4xx helper,
/// `ErrorNotFound`, `ErrorConflict`, …) given only a generic literal: the
/// client is told nothing about what to fix. (A 5xx body is deliberately
/// opaque, as for Go's `http.Error`.)
fn actix_client_error<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<(String, &'s str)> {
    let name = crate::syntax::call_name(node, ctx.source)?;
    let function = node.field("function")?;
    if !name
        .strip_prefix("Error")
        .is_some_and(|status| GO_CLIENT_ERRORS.contains(&status))
    {
        return None;
    }
    let args = node.field("arguments")?;
    if args.named_child_count() != 1 {
        return None;
    }
    let value = rust_string_arg(ctx, args.named_child(0)?)?;
    let status = name.strip_prefix("Error").unwrap_or(name);
    if (value.trim().is_empty() && !empty_client_error(status))
        || !is_generic(value)
        || in_rust_test(node, ctx.source)
    {
        return None;
    }
    Some((ctx.text(function).to_string(), value))
}

/// A 4xx answer that must say what to fix, so an empty message is reported:
/// not 401/403, whose bodies are often left vague on purpose.
fn empty_client_error(status: &str) -> bool {
    GO_CLIENT_ERRORS.contains(&status) && !matches!(status, "Unauthorized" | "Forbidden")
}

/// Rocket's `Custom(Status::UnprocessableEntity, "invalid".to_string())`
/// (also `status::Custom`) with a 4xx status and only a generic literal: the
/// client is told nothing about what to fix, as with actix's helpers.
fn rocket_client_error<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<(String, &'s str)> {
    if node.kind_str() != "call_expression" {
        return None;
    }
    let function = ctx.text(node.field("function")?);
    if function != "Custom" && !function.ends_with("::Custom") {
        return None;
    }
    let args = node.field("arguments")?;
    if args.named_child_count() != 2 {
        return None;
    }
    let status = ctx.text(args.named_child(0)?);
    if !status
        .strip_prefix("Status::")
        .is_some_and(|s| GO_CLIENT_ERRORS.contains(&s))
    {
        return None;
    }
    let value = rust_string_arg(ctx, args.named_child(1)?)?;
    if value.trim().is_empty() || !is_generic(value) || in_rust_test(node, ctx.source) {
        return None;
    }
    Some((function.to_string(), value))
}

/// The literal of `"…"`, `"…".to_string()`, `"…".into()`, `"…".to_owned()`
/// or `String::from("…")`; `""` for `String::new()`.
fn rust_string_arg<'s>(ctx: &RuleContext<'s>, arg: Node<'_>) -> Option<&'s str> {
    let mut arg = arg;
    // `"…".to_string()`, `"…".into()`, `"…".to_owned()`, `String::from("…")`.
    if arg.kind_str() == "call_expression" {
        let function = arg.field("function")?;
        let inner_args = arg.field("arguments")?;
        arg = match function.kind_str() {
            "field_expression"
                if inner_args.named_child_count() == 0
                    && matches!(
                        ctx.text(function.field("field")?),
                        "to_string" | "into" | "to_owned"
                    ) =>
            {
                function.field("value")?
            }
            "scoped_identifier"
                if ctx.text(function) == "String::from" && inner_args.named_child_count() == 1 =>
            {
                inner_args.named_child(0)?
            }
            "scoped_identifier"
                if ctx.text(function) == "String::new" && inner_args.named_child_count() == 0 =>
            {
                return Some("");
            }
            _ => return None,
        };
    }
    if arg.kind_str() != "string_literal" {
        return None;
    }
    string_literal_value(arg, ctx.source)
}

fn report(
    ctx: &RuleContext<'_>,
    language: Language,
    node: Node<'_>,
    constructor: &str,
    message: &str,
) -> Finding {
    let code = quote(ctx.text(node), 70);
    let what = if message.trim().is_empty() {
        format!("`{constructor}` created without a message")
    } else {
        format!("Generic error message \"{message}\" in `{constructor}`")
    };
    let example = match language {
        Language::Python => {
            "raise ValueError(f\"invoice {invoice_id}: amount {amount} is negative\")"
        }
        Language::Go => "fmt.Errorf(\"load invoice %s: %w\", id, err)",
        Language::Rust => "bail!(\"invoice {id}: amount {amount} is negative\")",
        Language::Java => "new IllegalStateException(\"invoice \" + id + \" has no customer\")",
        _ => "new Error(`invoice ${id}: amount ${amount} is negative`, { cause: err })",
    };
    let in_symbol = symbol_suffix(ctx.symbol_for(node).as_deref());
    ctx.node_finding(&META, node)
        .title(what.clone())
        .message(format!(
            "{what}. This text is all that reaches the log, the error tracker and the bug \
             report, and it does not say what was being done, with which input, or why it \
             failed — debugging it starts with reproducing it.\n\nSay what failed and with \
             which values (ids, names, sizes; never secrets), and keep the underlying error as \
             the cause, e.g. `{example}`."
        ))
        .symptom(format!("`{code}`{in_symbol}: {what}."))
        .root_cause(
            "The error path was written as a placeholder; the message was never made specific \
             to the failure.",
        )
        .fix(format!(
            "Replace the message with one that names the operation that failed and the values \
             that identify it, and attach the underlying error as the cause where there is one \
             (e.g. `{example}`)."
        ))
        .scope(
            "Change only the message (and the cause argument) of this error. Do not change the \
             error's type, when it is raised, or how callers handle it, and do not include \
             secrets or whole request bodies in the message.",
        )
        .build()
}

/// `c.JSON(http.StatusInternalServerError, gin.H{"error": err})`: an `error`
/// value put as is into a JSON body (`gin.H`, `fiber.Map`, `echo.Map`,
/// `map[string]any`). `encoding/json` serializes the usual error types
/// (`*errors.errorString`, wrapped errors) as `{}`: the client receives
/// `{"error":{}}`. Returns the error's node.
fn go_error_value_in_json<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Node<'t>> {
    let function = node.field("function")?;
    if function.kind_str() != "selector_expression"
        || !matches!(
            ctx.text(function.field("field")?),
            "JSON" | "IndentedJSON" | "AbortWithStatusJSON" | "PureJSON"
        )
    {
        return None;
    }
    let args = node.field("arguments")?;
    let body = args.named_child(args.named_child_count().checked_sub(1)?)?;
    if body.kind_str() != "composite_literal" {
        return None;
    }
    let map_type = ctx.text(body.field("type")?);
    if !matches!(
        map_type,
        "gin.H" | "fiber.Map" | "echo.Map" | "map[string]any" | "map[string]interface{}"
    ) {
        return None;
    }
    let literal = body.field("body")?;
    let mut cursor = literal.walk();
    let elements: Vec<Node<'t>> = literal.named_children(&mut cursor).collect();
    elements.into_iter().find_map(|element| {
        if element.kind_str() != "keyed_element" {
            return None;
        }
        let mut value = element.named_child(element.named_child_count().checked_sub(1)?)?;
        if value.kind_str() == "literal_element" {
            value = value.named_child(0)?;
        }
        (value.kind_str() == "identifier" && ctx.text(value) == "err").then_some(value)
    })
}

fn report_error_value_in_json(ctx: &RuleContext<'_>, node: Node<'_>, value: Node<'_>) -> Finding {
    let code = quote(ctx.text(node), 70);
    let name = ctx.text(value);
    ctx.node_finding(&META, node)
        .title(format!(
            "The error value `{name}` is put as is into a JSON response"
        ))
        .message(format!(
            "`{code}` puts the `error` value `{name}` into the JSON body. `encoding/json` \
             serializes the usual error types (`errors.New`, `fmt.Errorf`, driver errors) as \
             `{{}}`, so the client receives `{{\"error\":{{}}}}` and no message at all.\n\n\
             Log the error with context and answer with a message written for the client, e.g. \
             `log.Printf(\"list jobs: %v\", err); c.JSON(500, gin.H{{\"error\": \"could not \
             load jobs\"}})` (or `err.Error()` for a 4xx whose text is meant for the client)."
        ))
        .symptom(format!(
            "The response carries `{{\"error\":{{}}}}` instead of a message: `{name}` is an \
             `error` value, which JSON encodes as an empty object."
        ))
        .root_cause("An `error` interface value was passed where a string was needed.")
        .fix(
            "Put a message string in the body (a fixed text for 5xx answers after logging the \
             error, `err.Error()` only where the text is meant for clients).",
        )
        .scope("Change only this response body and, if missing, add a log line for the error.")
        .build()
}
