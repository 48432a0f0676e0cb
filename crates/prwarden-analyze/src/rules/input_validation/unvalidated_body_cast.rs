//! `input-validation/unvalidated-body-cast`: a request body given a type by a cast instead of being validated.
//!
//! ## What it does
//! In TypeScript, finds a request body that a handler stores in a variable
//! through a type assertion — `const input = (await c.req.json()) as
//! ArticleInput`, `(await request.json()) as T`, `req.body as T`,
//! `<T>req.body`, `ctx.request.body as T`, and form fields read with
//! `const form = Object.fromEntries(await request.formData())` (Remix, React
//! Router, SvelteKit actions) and cast where they are stored or handed on
//! (`updateDive(id, form as DiveUpdate)`) — where the request object (`req`,
//! `request`, `c.req`, `ctx.req`, `ctx.request`) comes from a parameter of
//! the handler (also destructured: `({ request })`), and the handler never
//! validates the value: the variable is
//! not passed to a parsing or checking call (`Schema.parse`, `safeParse`,
//! `validate`, `assert…`, `is…` type guards, `plainToInstance`, `typia.…`,
//! `v.parse`, ajv's compiled validators, …), nor inspected with `typeof`,
//! `instanceof` or `Array.isArray`, nor tested by an `if` that rejects the
//! request (`if (!input.email) return res.status(400)…`, `throw`).
//!
//! Also tRPC's `.input((raw) => raw as T)`: an input "validator" that only
//! casts, so the procedure's `input` is whatever the client sent.
//!
//! Not reported: casts to `unknown`, `any` or `Record<string, unknown>`
//! (which force the code to check), a route whose other arguments validate
//! the body (`zValidator("json", schema)`, `validate(schema)`, Fastify's
//! `{ schema }` option), responses of outgoing requests
//! (`await res.json() as T`), and test files.
//!
//! ## Why is this bad?
//! `as T` only silences the compiler: at run time the body is whatever the
//! client sent. A missing field becomes `undefined` in a database write, a
//! string arrives where a number was assumed, an extra `role: "admin"` key
//! rides along into a spread — and the types claim all is well, so nobody
//! writes the checks. The handler works in every test that sends the
//! expected shape.
//!
//! ## Example
//! ```ts
//! app.put("/articles/:id", async (c) => {
//!   const input = (await c.req.json()) as ArticleInput;
//!   await sql`UPDATE articles SET headline = ${input.headline} WHERE id = ${c.req.param("id")}`;
//! });
//! ```
//!
//! Use instead:
//! ```ts
//! const ArticleInput = z.object({ headline: z.string().min(1) });
//!
//! app.put("/articles/:id", async (c) => {
//!   const input = ArticleInput.parse(await c.req.json());
//!   await sql`UPDATE articles SET headline = ${input.headline} WHERE id = ${c.req.param("id")}`;
//! });
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_function, is_test_path, member_call, preorder};

pub static META: RuleMeta = RuleMeta {
    id: "input-validation/unvalidated-body-cast",
    item: ChecklistItem::InputValidation,
    severity: Severity::Warning,
    languages: &[Language::TypeScript, Language::Tsx],
    summary: "A request body typed with `as T` and never validated at run time",
};

pub struct UnvalidatedBodyCast;

impl Rule for UnvalidatedBodyCast {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(language) = ctx.language else {
            return;
        };
        if !matches!(language, Language::TypeScript | Language::Tsx) || is_test_path(ctx.path) {
            return;
        }
        for cast in ctx.nodes_in_order(&["as_expression", "type_assertion"]) {
            if let Some((body, ty)) = body_cast(ctx, language, cast) {
                out.push(report(ctx, cast, body, ty));
            }
        }
    }
}

/// `(await c.req.json()) as T` bound to a variable of a handler that never
/// validates it: the body expression's text and the type's.
fn body_cast<'s>(
    ctx: &RuleContext<'s>,
    language: Language,
    cast: Node<'_>,
) -> Option<(&'s str, &'s str)> {
    let (expression, ty) = match cast.kind_str() {
        "as_expression" => (cast.named_child(0)?, cast.named_child(1)?),
        // `<T>req.body`
        _ => {
            let ty = cast.named_child(0)?;
            let ty = if ty.kind_str() == "type_arguments" {
                ty.named_child(0)?
            } else {
                ty
            };
            (cast.named_child(1)?, ty)
        }
    };
    let ty_text = ctx.text(ty);
    if matches!(ty_text, "unknown" | "any" | "never" | "const" | "object")
        || ty_text.contains("unknown")
    {
        return None;
    }
    let expression = strip(expression);
    if trpc_cast_input(ctx, cast, expression) {
        return Some((ctx.text(expression), ty_text));
    }
    // `form as T` where `const form = Object.fromEntries(await
    // request.formData())`: the variable holding the body.
    let (request, held) = match request_object(ctx, expression) {
        Some(request) => (request, None),
        None => {
            let (request, name) = held_form_body(ctx, language, expression)?;
            (request, Some(name))
        }
    };
    let names: Vec<&str> = match cast.parent() {
        // `const input = … as T` (or a destructuring of it).
        Some(declarator) if declarator.kind_str() == "variable_declarator" => {
            preorder(declarator.field("name")?)
                .filter(|n| {
                    matches!(
                        n.kind_str(),
                        "identifier" | "shorthand_property_identifier_pattern"
                    )
                })
                .map(|n| ctx.text(n))
                .collect()
        }
        // `updateDive(id, form as DiveUpdate)`: handed on as it is.
        Some(arguments) if arguments.kind_str() == "arguments" => held.into_iter().collect(),
        _ => return None,
    };
    if names.is_empty() {
        return None;
    }
    let handler = handler_of(ctx, language, cast, request)?;
    if route_validates(ctx, handler) || validates(ctx, handler, &names) {
        return None;
    }
    Some((ctx.text(expression), ty_text))
}

fn strip(mut node: Node<'_>) -> Node<'_> {
    while node.kind_str() == "parenthesized_expression" {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// The request object of `await X.json()` / `X.body`, when `X` is `req`,
/// `request`, `c.req`, `ctx.req` or `ctx.request`: its root identifier.
fn request_object<'s>(ctx: &RuleContext<'s>, expression: Node<'_>) -> Option<&'s str> {
    let object = match expression.kind_str() {
        "await_expression" => {
            let call = strip(expression.named_child(0)?);
            if call.kind_str() != "call_expression"
                || call
                    .field("arguments")
                    .is_none_or(|a| a.named_child_count() != 0)
            {
                return None;
            }
            let function = call.field("function")?;
            (function.kind_str() == "member_expression"
                && function.field("property").map(|p| ctx.text(p)) == Some("json"))
            .then_some(())?;
            function.field("object")?
        }
        "member_expression" => {
            (expression.field("property").map(|p| ctx.text(p)) == Some("body")).then_some(())?;
            expression.field("object")?
        }
        _ => return None,
    };
    let text = ctx.text(object);
    let last = text.rsplit('.').next().unwrap_or(text);
    let segments = text.split('.').count();
    (matches!(last, "req" | "request") && segments <= 2).then_some(())?;
    Some(text.split('.').next().unwrap_or(text))
}

/// tRPC's `.input((raw) => raw as T)`: an input "validator" that returns
/// its argument cast, so the procedure's `input` is whatever the client sent.
fn trpc_cast_input(ctx: &RuleContext<'_>, cast: Node<'_>, expression: Node<'_>) -> bool {
    let Some(arrow) = cast.parent().filter(|p| p.kind_str() == "arrow_function") else {
        return false;
    };
    let param = arrow.field("parameter").or_else(|| {
        arrow
            .field("parameters")
            .filter(|p| p.named_child_count() == 1)
            .and_then(|p| p.named_child(0))
            .and_then(|p| p.field("pattern").or(Some(p)))
    });
    let Some(call) = arrow
        .parent()
        .filter(|a| a.kind_str() == "arguments" && a.named_child_count() == 1)
        .and_then(|a| a.parent())
    else {
        return false;
    };
    expression.kind_str() == "identifier"
        && param
            .is_some_and(|p| p.kind_str() == "identifier" && ctx.text(p) == ctx.text(expression))
        && member_call(call).is_some_and(|(_, method)| ctx.text(method) == "input")
}

/// `form` declared in the enclosing function as `Object.fromEntries(await
/// request.formData())` (Remix, SvelteKit, Next.js actions): the request's
/// root identifier and the variable's name.
fn held_form_body<'s>(
    ctx: &RuleContext<'s>,
    language: Language,
    expression: Node<'_>,
) -> Option<(&'s str, &'s str)> {
    if expression.kind_str() != "identifier" {
        return None;
    }
    let name = ctx.text(expression);
    let function = crate::syntax::enclosing_function(language, expression)?;
    let value = preorder(function)
        .filter(|d| {
            d.kind_str() == "variable_declarator" && d.start_byte() < expression.start_byte()
        })
        .find(|d| d.field("name").is_some_and(|n| ctx.text(n) == name))?
        .field("value")?;
    let call = strip(value);
    if call.kind_str() != "call_expression"
        || call.field("function").map(|f| ctx.text(f)) != Some("Object.fromEntries")
    {
        return None;
    }
    let awaited = strip(call.field("arguments")?.named_child(0)?);
    let form_data = strip(
        awaited
            .named_child(0)
            .filter(|_| awaited.kind_str() == "await_expression")?,
    );
    let function = form_data.field("function").filter(|_| {
        form_data.kind_str() == "call_expression"
            && form_data
                .field("arguments")
                .is_some_and(|a| a.named_child_count() == 0)
    })?;
    (function.kind_str() == "member_expression"
        && function.field("property").map(|p| ctx.text(p)) == Some("formData"))
    .then_some(())?;
    let object = ctx.text(function.field("object")?);
    let last = object.rsplit('.').next().unwrap_or(object);
    (matches!(last, "req" | "request") && object.split('.').count() <= 2).then_some(())?;
    Some((object.split('.').next().unwrap_or(object), name))
}

/// The function around `node` that takes `root` (`c`, `req`, `ctx`) as a
/// parameter: the handler.
fn handler_of<'t>(
    ctx: &RuleContext<'_>,
    language: Language,
    node: Node<'t>,
    root: &str,
) -> Option<Node<'t>> {
    let mut current = node.parent();
    while let Some(n) = current {
        if is_function(language, n) {
            let params = n.field("parameters").or_else(|| n.field("parameter"));
            // `(req)`, `(c: Context)`, Remix's `({ request, params })`.
            let takes = params.is_some_and(|p| {
                preorder(p).any(|i| {
                    matches!(
                        i.kind_str(),
                        "identifier" | "shorthand_property_identifier_pattern"
                    ) && ctx.text(i) == root
                })
            });
            if takes {
                return Some(n);
            }
        }
        current = n.parent();
    }
    None
}

/// `app.post("/x", zValidator("json", schema), async (c) => …)`,
/// `router.post("/x", validate(schema), handler)`, Fastify's
/// `{ schema: … }` route option, or `route({ schema, handler })`.
fn route_validates(ctx: &RuleContext<'_>, handler: Node<'_>) -> bool {
    let Some(parent) = handler.parent() else {
        return false;
    };
    let siblings = match parent.kind_str() {
        "arguments" => parent,
        "pair" => match parent.parent() {
            Some(object) if object.kind_str() == "object" => object,
            _ => return false,
        },
        _ => return false,
    };
    let mut cursor = siblings.walk();
    siblings
        .named_children(&mut cursor)
        .filter(|s| *s != handler && *s != parent)
        .any(|s| {
            let text = ctx.text(s).to_ascii_lowercase();
            text.contains("validat") || text.contains("schema") || text.contains("celebrate")
        })
}

/// Calls that check a value at run time.
fn is_validation_call(callee: &str) -> bool {
    let last = callee.rsplit('.').next().unwrap_or(callee);
    let lower = last.to_ascii_lowercase();
    callee.starts_with("typia.")
        || ["parse", "validat", "assert", "check", "ensure", "verify", "decode", "sanitiz"]
            .iter()
            .any(|w| lower.contains(w))
        || matches!(
            last,
            "plainToInstance" | "plainToClass" | "create" | "is" | "mask" | "transform"
        )
        || (last.starts_with("is") && last[2..].starts_with(|c: char| c.is_ascii_uppercase()))
        // ajv: `const validateX = ajv.compile(…)` is caught by its name;
        // `schema(body)` of arktype.
        || lower.ends_with("schema")
}

/// Whether the handler validates one of `names`: passes it to a checking
/// call, or inspects it with `typeof`/`instanceof`/`Array.isArray`.
fn validates(ctx: &RuleContext<'_>, handler: Node<'_>, names: &[&str]) -> bool {
    let is_name = |n: Node<'_>| {
        let root = preorder(n).next().map(|r| {
            let text = ctx.text(r);
            text.split(['.', '[', '?']).next().unwrap_or(text)
        });
        root.is_some_and(|r| names.contains(&r))
    };
    preorder(handler).any(|n| match n.kind_str() {
        "call_expression" => {
            let callee = n.field("function").map(|f| ctx.text(f)).unwrap_or("");
            is_validation_call(callee)
                && n.field("arguments").is_some_and(|args| {
                    let mut c = args.walk();
                    args.named_children(&mut c).any(&is_name)
                })
        }
        "unary_expression" => {
            n.child(0).is_some_and(|o| o.kind_str() == "typeof")
                && n.named_child(0).is_some_and(&is_name)
        }
        "binary_expression" => {
            n.field("operator")
                .is_some_and(|o| ctx.text(o) == "instanceof")
                && n.field("left").is_some_and(&is_name)
        }
        // `if (!priceId || !quantity) throw …` / `return res.status(400)…`:
        // a hand-written check of the body's fields — of them alone (and
        // constants): `if (sailing.seatsLeft < body.passengers.length)` is
        // a business rule about valid input, not a check of its shape.
        "if_statement" => {
            let checks = n.field("condition").is_some_and(|c| {
                let mut mentions_body = false;
                let mut mentions_other = false;
                for i in preorder(c) {
                    let root = match i.kind_str() {
                        "identifier"
                            if i.parent().is_none_or(|p| {
                                p.kind_str() != "member_expression"
                                    || p.field("object").is_some_and(|o| o.id() == i.id())
                            }) =>
                        {
                            ctx.text(i)
                        }
                        _ => continue,
                    };
                    if names.contains(&root) {
                        mentions_body = true;
                    } else if !is_check_vocabulary(root) {
                        mentions_other = true;
                    }
                }
                mentions_body && !mentions_other
            });
            let rejects = n.field("consequence").is_some_and(|c| {
                preorder(c).any(|i| matches!(i.kind_str(), "throw_statement" | "return_statement"))
            });
            checks && rejects
        }
        _ => false,
    })
}

/// Names a shape check may use besides the body: globals that test types
/// and values, and constants (`EMAIL_RE`, `MAX_ITEMS`).
fn is_check_vocabulary(name: &str) -> bool {
    matches!(
        name,
        "undefined"
            | "null"
            | "NaN"
            | "Number"
            | "String"
            | "Boolean"
            | "Array"
            | "Object"
            | "Date"
            | "Math"
            | "isNaN"
            | "isFinite"
            | "RegExp"
    ) || (name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
}

fn report(ctx: &RuleContext<'_>, cast: Node<'_>, body: &str, ty: &str) -> Finding {
    let code = quote(ctx.text(cast), 60);
    let body = quote(body, 40);
    let ty = quote(ty, 40);
    ctx.node_finding(&META, cast)
        .title(format!(
            "Request body `{body}` is cast to `{ty}` without validation"
        ))
        .message(format!(
            "`{code}` tells the compiler the request body is a `{ty}`, but nothing checks it at \
             run time: the client can send missing fields, wrong types or extra keys, and the \
             handler uses them as if they matched `{ty}`.\n\nParse the body with a schema \
             (zod `Schema.parse`/`safeParse`, valibot, yup, class-validator, typia, ajv) and \
             answer 400 when it does not match, or use the framework's validator middleware."
        ))
        .symptom(format!(
            "`{body}` is given the type `{ty}` by a type assertion and never validated."
        ))
        .root_cause(
            "A type assertion has no run-time effect; the body's shape is whatever the client \
             sent.",
        )
        .fix(format!(
            "Declare a schema for `{ty}` (or reuse an existing one), validate the body with it \
             before use, and return a 400 response with the validation errors when it fails."
        ))
        .scope(
            "Change only how this handler reads its body; keep the accepted fields, the \
             responses for valid input and the rest of the handler unchanged.",
        )
        .build()
}
