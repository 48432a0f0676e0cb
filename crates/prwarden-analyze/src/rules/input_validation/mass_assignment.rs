//! `input-validation/mass-assignment`: every field of a request body copied onto a stored object.
//!
//! ## What it does
//! Finds request data written field by field onto a model without a list of
//! the fields a client may set:
//! - Python: `for key, value in changes.items(): setattr(obj, key, value)`
//!   where `changes` is request data (a route parameter typed as a plain
//!   `dict`, `request.json`, `request.get_json()`, `await request.json()`,
//!   `request.data`, …), with no check of `key` in the loop; and a model
//!   class imported from a `models` module built from the whole body,
//!   `Commission(**request.get_json())` (not a schema class, which
//!   validates);
//! - JavaScript/TypeScript: `Object.assign(user, req.body)` and an ORM call
//!   given the body as its data (`prisma.user.update({ where, data: req.body })`),
//!   or an object the client serialised into one field
//!   (`data: JSON.parse(formData.get("slot"))` in a server action taking
//!   `formData: FormData`).
//!
//! Not reported: a validated model's fields
//! (`for k, v in body.dict(exclude_unset=True).items()`,
//! `model_dump()`: the schema already limits the keys), loops that check the
//! key against an allow-list (`if key in EDITABLE:`), `Object.assign({}, …)`
//! copies, and test files.
//!
//! ## Why is this bad?
//! The client chooses the keys. A request meant to change a display name can
//! just as well send `{"is_admin": true}`, `{"owner_id": 1}` or
//! `{"balance": 1e9}`, and the handler writes them all: privilege escalation
//! and data tampering through an endpoint that looks harmless. It works in
//! every test that sends the expected fields.
//!
//! ## Example
//! ```python
//! @router.patch("/users/{user_id}")
//! def update_user(user_id: int, changes: dict[str, Any], session: Session = Depends(get_session)):
//!     user = session.get(User, user_id)
//!     for key, value in changes.items():
//!         setattr(user, key, value)
//!     session.commit()
//! ```
//!
//! Use instead:
//! ```python
//! class UserUpdate(BaseModel):
//!     name: str | None = None
//!     email: EmailStr | None = None
//!
//! @router.patch("/users/{user_id}")
//! def update_user(user_id: int, changes: UserUpdate, session: Session = Depends(get_session)):
//!     user = session.get(User, user_id)
//!     for key, value in changes.model_dump(exclude_unset=True).items():
//!         setattr(user, key, value)
//!     session.commit()
//! ```

use tree_sitter::Node;

use super::built::{RequestData, argument_nodes};
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_test_path, preorder, unwrap_expression};

pub static META: RuleMeta = RuleMeta {
    id: "input-validation/mass-assignment",
    item: ChecklistItem::InputValidation,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
    ],
    summary: "Every key of a request body written onto a model with no allow-list of editable fields",
};

pub struct MassAssignment;

impl Rule for MassAssignment {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(language) = ctx.language else {
            return;
        };
        if is_test_path(ctx.path) {
            return;
        }
        if language == Language::Python {
            for lp in ctx.nodes_in_order(&["for_statement"]) {
                if let Some((setattr, source)) = python_loop(ctx, lp) {
                    out.push(report(ctx, language, setattr, source));
                }
            }
            for call in ctx.nodes_in_order(&["call"]) {
                if let Some(source) = python_model_splat(ctx, call) {
                    out.push(report(ctx, language, call, source));
                }
            }
        } else if language.is_js_family() {
            for call in ctx.nodes_in_order(&["call_expression"]) {
                if let Some((source, at)) = js_call(ctx, language, call) {
                    out.push(report(ctx, language, at, source));
                }
            }
        }
    }
}

/// `for key, value in changes.items(): setattr(obj, key, value)`: the
/// `setattr` call and the mapping's text.
fn python_loop<'t, 's>(ctx: &RuleContext<'s>, lp: Node<'t>) -> Option<(Node<'t>, &'s str)> {
    let left = lp.field("left")?;
    let right = lp.field("right")?;
    let body = lp.field("body")?;
    let mut cursor = left.walk();
    let names: Vec<&str> = left
        .named_children(&mut cursor)
        .filter(|n| n.kind_str() == "identifier")
        .map(|n| ctx.text(n))
        .collect();
    let [key, value] = names.as_slice() else {
        return None;
    };
    // `changes.items()`, on request data that no schema has shaped.
    let function = right
        .field("function")
        .filter(|_| right.kind_str() == "call")?;
    if function.kind_str() != "attribute"
        || function.field("attribute").map(|a| ctx.text(a)) != Some("items")
    {
        return None;
    }
    let mapping = function.field("object")?;
    let mapping_text = ctx.text(mapping);
    if ["dict(", "model_dump(", "validated_data", "cleaned_data"]
        .iter()
        .any(|w| mapping_text.contains(w))
    {
        return None;
    }
    let request = RequestData::for_node(ctx, Language::Python, lp);
    if !request.contains(ctx, Language::Python, mapping_text) {
        return None;
    }
    // `if key in EDITABLE:`, `if key not in ("id", "role"): …`: an allow-list.
    let checks_key = preorder(body).any(|n| {
        matches!(n.kind_str(), "comparison_operator" | "boolean_operator")
            && preorder(n).any(|i| i.kind_str() == "identifier" && ctx.text(i) == *key)
    });
    if checks_key {
        return None;
    }
    let setattr = preorder(body).find(|n| {
        n.kind_str() == "call"
            && n.field("function").map(|f| ctx.text(f)) == Some("setattr")
            && n.field("arguments").is_some_and(|a| {
                let args = argument_nodes(a);
                args.len() == 3 && ctx.text(args[1]) == *key && ctx.text(args[2]) == *value
            })
    })?;
    Some((setattr, mapping_text))
}

/// `Commission(**request.get_json())`: a model class the file imports from a
/// `models` module, built from every key of the request body. (A schema
/// class — pydantic, marshmallow — validates, and is not imported from
/// `models`.) Returns the request expression's text.
fn python_model_splat<'s>(ctx: &RuleContext<'s>, call: Node<'_>) -> Option<&'s str> {
    let function = call.field("function")?;
    if function.kind_str() != "identifier" {
        return None;
    }
    let class = ctx.text(function);
    if !class.starts_with(|c: char| c.is_ascii_uppercase()) || !imported_from_models(ctx, class) {
        return None;
    }
    let args = call.field("arguments")?;
    let splat = argument_nodes(args)
        .into_iter()
        .find(|a| a.kind_str() == "dictionary_splat")?;
    let value = splat.named_child(0)?;
    let text = ctx.text(value);
    let request = RequestData::for_node(ctx, Language::Python, call);
    request
        .contains(ctx, Language::Python, text)
        .then_some(text)
}

/// `from app.models import Commission, Smith` (also `from .models import …`,
/// `from models.commission import …`).
fn imported_from_models(ctx: &RuleContext<'_>, class: &str) -> bool {
    ctx.source.lines().any(|line| {
        let Some(rest) = line.trim_start().strip_prefix("from ") else {
            return false;
        };
        let Some((module, names)) = rest.split_once(" import ") else {
            return false;
        };
        module
            .split('.')
            .any(|part| part == "models" || part == "model")
            && names
                .split([',', '(', ')'])
                .any(|n| n.split_whitespace().next() == Some(class))
    })
}

/// `Object.assign(user, req.body)`, `orm.update({ data: req.body })`: the
/// request expression written onto the model, and where to report it (the
/// call, or its `data` entry).
fn js_call<'s, 't>(
    ctx: &RuleContext<'s>,
    language: Language,
    call: Node<'t>,
) -> Option<(&'s str, Node<'t>)> {
    let callee = ctx.text(unwrap_expression(call.field("function")?));
    let args = argument_nodes(call.field("arguments")?);
    let mut at = call;
    let candidate = if callee == "Object.assign" {
        let target = unwrap_expression(*args.first()?);
        // `Object.assign({}, defaults, req.body)` builds a new object.
        if target.kind_str() == "object" {
            return None;
        }
        args.get(1..)?
            .iter()
            .copied()
            .find(|a| is_whole_body(ctx, *a))?
    } else {
        let object = unwrap_expression(*args.first()?);
        if object.kind_str() != "object" {
            return None;
        }
        let mut cursor = object.walk();
        let data = object.named_children(&mut cursor).find(|p| {
            p.kind_str() == "pair" && p.field("key").map(|k| ctx.text(k)) == Some("data")
        })?;
        let value = unwrap_expression(data.field("value")?);
        at = data;
        is_whole_body(ctx, value).then_some(value)?
    };
    let request = RequestData::for_node(ctx, language, call);
    let text = ctx.text(candidate);
    // `JSON.parse(String(formData.get("slot")))`: what is parsed must be
    // request data.
    let mut source = candidate;
    while source.kind_str() == "call_expression"
        && matches!(
            source.field("function").map(|f| ctx.text(f)),
            Some("JSON.parse" | "String")
        )
    {
        match source
            .field("arguments")
            .and_then(|a| argument_nodes(a).first().copied())
        {
            Some(inner) => source = unwrap_expression(inner),
            None => return None,
        }
    }
    request
        .contains(ctx, language, ctx.text(source))
        .then_some((text, at))
}

/// `req.body`, `request.body`, `ctx.request.body`: the whole parsed body,
/// not one field of it.
fn is_whole_body(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    let node = unwrap_expression(node);
    (node.kind_str() == "member_expression"
        && node.field("property").map(|p| ctx.text(p)) == Some("body"))
        // `JSON.parse(String(formData.get("slot")))`: a whole object the
        // client serialised into one field.
        || (node.kind_str() == "call_expression"
            && node.field("function").map(|f| ctx.text(f)) == Some("JSON.parse"))
}

fn report(ctx: &RuleContext<'_>, language: Language, at: Node<'_>, source: &str) -> Finding {
    let source = quote(source, 50);
    let code = quote(ctx.text(at), 60);
    let fix = if language == Language::Python {
        "Declare the editable fields in a schema (a Pydantic model, a DRF serializer, a form) \
         and copy only those (`changes.model_dump(exclude_unset=True)`), or check every key \
         against an explicit allow-list before `setattr`."
    } else {
        "Validate the body with a schema that lists the editable fields (zod, joi, a DTO with \
         class-validator and `whitelist: true`) and copy only those fields: `const { name, email } \
         = schema.parse(req.body)`."
    };
    ctx.node_finding(&META, at)
        .title(format!(
            "Every key of `{source}` is written onto the model (mass assignment)"
        ))
        .message(format!(
            "`{code}` copies whatever keys the client sent in `{source}`: a request can set \
             fields the endpoint never meant to expose (`role`, `is_admin`, `owner_id`, \
             `balance`).\n\n{fix}"
        ))
        .symptom(format!(
            "`{code}` writes every client-supplied key of `{source}` onto a stored object."
        ))
        .root_cause(
            "The request body is trusted to contain only editable fields; nothing limits which \
             attributes it can set.",
        )
        .fix(fix)
        .scope(
            "Keep the endpoint's accepted fields, status codes and response; only restrict what \
             the body can write. Do not change the model or other endpoints.",
        )
        .build()
}
