//! `type-safety/python-any`: `Any` in a Python function signature.
//!
//! ## What it does
//! Finds `Any` (`typing.Any`, `t.Any`) in the parameter and return
//! annotations of a Python function, including inside other types
//! (`list[Any]`, `Optional[Any]`, `Callable[..., Any]`). Several on one line
//! are reported once.
//!
//! Not reported, because they are the idiomatic uses: `*args: Any` and
//! `**kwargs: Any` (forwarding wrappers), `Any` as the value type of a
//! mapping (`dict[str, Any]`, `Mapping[str, Any]` for JSON-like payloads),
//! dunder methods (`__getattr__`, `__exit__`, …), `.pyi` stubs and test
//! files.
//!
//! ## Why is this bad?
//! `Any` turns type checking off for the value and for everything it flows
//! into: mypy and pyright accept any attribute access or call on it, so the
//! mistakes they exist to catch reach production. A precise type, a
//! `Protocol`, a `TypeVar` or `object` (which forces a check before use) keep
//! the checker working.
//!
//! ## Example
//! ```py
//! def apply_discount(order: Any, rule: Any) -> Any:
//!     ...
//! ```
//!
//! Use instead:
//! ```py
//! def apply_discount(order: Order, rule: DiscountRule) -> Money:
//!     ...
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_test_path, preorder};

pub static META: RuleMeta = RuleMeta {
    id: "type-safety/python-any",
    item: ChecklistItem::TypeSafety,
    severity: Severity::Warning,
    languages: &[Language::Python],
    summary: "`Any` in a Python function's parameter or return annotation",
};

pub struct PythonAny;

impl Rule for PythonAny {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(_) = ctx.root() else {
            return;
        };
        if is_test_path(ctx.path) || ctx.path.ends_with(".pyi") {
            return;
        }
        for function in ctx.nodes_in_order(&["function_definition"]) {
            let Some(name) = function.field("name") else {
                continue;
            };
            let name = ctx.text(name);
            if name.starts_with("__") && name.ends_with("__") {
                continue;
            }
            let mut last_line = 0;
            for annotation in annotations(function) {
                for any in preorder(annotation).filter(|n| is_any(ctx, *n)) {
                    if mapping_value(ctx, any) {
                        continue;
                    }
                    let line = ctx.line(any);
                    if line == last_line {
                        continue;
                    }
                    last_line = line;
                    out.push(report(ctx, any, annotation, name));
                }
            }
        }
    }
}

/// Parameter annotations (not `*args`/`**kwargs`) and the return annotation.
fn annotations(function: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    if let Some(params) = function.field("parameters") {
        let mut cursor = params.walk();
        for param in params.named_children(&mut cursor) {
            if !matches!(
                param.kind_str(),
                "typed_parameter" | "typed_default_parameter"
            ) {
                continue;
            }
            let splat = param.named_child(0).is_some_and(|n| {
                matches!(
                    n.kind_str(),
                    "list_splat_pattern" | "dictionary_splat_pattern"
                )
            });
            if splat {
                continue;
            }
            if let Some(ty) = param.field("type") {
                out.push(ty);
            }
        }
    }
    if let Some(ret) = function.field("return_type") {
        out.push(ret);
    }
    out
}

fn is_any(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    match node.kind_str() {
        "identifier" => {
            ctx.text(node) == "Any" && node.parent().is_none_or(|p| p.kind_str() != "attribute")
        }
        "attribute" => matches!(
            ctx.text(node),
            "typing.Any" | "t.Any" | "typing_extensions.Any"
        ),
        _ => false,
    }
}

/// `dict[str, Any]`, `Mapping[str, Any]`: the value type of a mapping.
fn mapping_value(ctx: &RuleContext<'_>, any: Node<'_>) -> bool {
    let Some(mut container) = any.parent() else {
        return false;
    };
    // `type` wrappers around the identifier.
    let mut item = any;
    while container.kind_str() == "type" {
        item = container;
        let Some(p) = container.parent() else {
            return false;
        };
        container = p;
    }
    if !matches!(
        container.kind_str(),
        "generic_type" | "subscript" | "type_parameter"
    ) {
        return false;
    }
    let subscripted = std::iter::successors(Some(container), |n| n.parent())
        .take(3)
        .find(|n| matches!(n.kind_str(), "generic_type" | "subscript"));
    let Some(subscripted) = subscripted else {
        return false;
    };
    let head = subscripted
        .named_child(0)
        .map(|h| ctx.text(h))
        .unwrap_or("");
    let head = head.rsplit('.').next().unwrap_or(head);
    let mapping = matches!(
        head,
        "dict"
            | "Dict"
            | "Mapping"
            | "MutableMapping"
            | "DefaultDict"
            | "defaultdict"
            | "OrderedDict"
    );
    // The value type is the last argument.
    mapping && item.next_named_sibling().is_none()
}

fn report(ctx: &RuleContext<'_>, any: Node<'_>, annotation: Node<'_>, function: &str) -> Finding {
    let annotation_text = quote(ctx.text(annotation), 50);
    ctx.finding(
        &META,
        ctx.line(any),
        ctx.symbol_for(annotation),
        ctx.text(annotation),
    )
    .title(format!("`Any` in the signature of `{function}`"))
    .message(format!(
        "`{annotation_text}` lets any value through and switches type checking off for \
             everything it flows into; mypy/pyright will accept any attribute or call on it.\
             \n\nUse the precise type, a `Protocol` for duck-typed arguments, a `TypeVar` for \
             pass-through values, or `object` when the function really accepts anything and \
             checks it before use."
    ))
    .symptom(format!(
        "`{function}` is annotated with `{}` (`{annotation_text}`).",
        ctx.text(any)
    ))
    .root_cause("The signature does not say what the function accepts or returns.")
    .fix(
        "Replace `Any` with the type the function actually handles (look at its callers and \
             body), a `Protocol`, a `TypeVar` or `object`; keep `dict[str, Any]` only for \
             genuinely free-form JSON.",
    )
    .scope(
        "Change annotations only; do not change runtime behaviour, and do not add \
             `# type: ignore` or `cast` to make the new annotation pass.",
    )
    .build()
}
