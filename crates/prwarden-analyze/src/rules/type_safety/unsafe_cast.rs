//! `type-safety/unsafe-cast`: a double cast through `unknown` that forces any type onto a value.
//!
//! ## What it does
//! Finds TypeScript double casts `value as unknown as Target` (and the
//! angle-bracket form `<Target><unknown>value`): the first cast erases what
//! the compiler knows, the second asserts a type it never checked.
//! `as any` is reported by `type-safety/explicit-any`, not here.
//!
//! Not reported: test files (building partial mocks with
//! `as unknown as Repository` is the idiom there), `as unknown` alone (it
//! makes a value less specific, which is safe), and `as const`.
//!
//! ## Why is this bad?
//! A double cast tells the compiler "trust me" about a value whose shape it
//! had just proven to be different. Nothing checks the claim at runtime, so
//! a missing property becomes `undefined` somewhere far away. Agents use it
//! to silence an error they could not fix.
//!
//! ## Example
//! ```ts
//! const user = (await res.json()) as unknown as User;
//! ```
//!
//! Use instead:
//! ```ts
//! const user = UserSchema.parse(await res.json()); // validated at runtime
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::is_test_path;

pub static META: RuleMeta = RuleMeta {
    id: "type-safety/unsafe-cast",
    item: ChecklistItem::TypeSafety,
    severity: Severity::Warning,
    languages: &[Language::TypeScript, Language::Tsx],
    summary: "A double cast `x as unknown as T` that asserts an unchecked type",
};

pub struct UnsafeCast;

impl Rule for UnsafeCast {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(_) = ctx.root() else {
            return;
        };
        if is_test_path(ctx.path) {
            return;
        }
        for node in ctx.nodes_in_order(&["as_expression", "type_assertion"]) {
            if let Some((value, target)) = double_cast(ctx, node) {
                out.push(report(ctx, node, value, target));
            }
        }
    }
}

/// `(value, target type)` of `value as unknown as Target` /
/// `<Target><unknown>value`.
fn double_cast<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
    let (inner, target) = match node.kind_str() {
        "as_expression" => (node.named_child(0)?, node.named_child(1)?),
        "type_assertion" => (node.named_child(1)?, node.named_child(0)?),
        _ => return None,
    };
    if !matches!(inner.kind_str(), "as_expression" | "type_assertion") {
        return None;
    }
    let (value, middle) = if inner.kind_str() == "as_expression" {
        (inner.named_child(0)?, inner.named_child(1)?)
    } else {
        (inner.named_child(1)?, inner.named_child(0)?)
    };
    let middle = ctx
        .text(middle)
        .trim_start_matches('<')
        .trim_end_matches('>');
    let target_text = ctx.text(target);
    (middle == "unknown" && !matches!(target_text, "unknown" | "const" | "any"))
        .then_some((value, target))
}

fn report(ctx: &RuleContext<'_>, node: Node<'_>, value: Node<'_>, target: Node<'_>) -> Finding {
    let value = quote(ctx.text(value), 50);
    let target = quote(ctx.text(target), 50);
    ctx.node_finding(&META, node)
        .title(format!("Unchecked double cast to `{target}`"))
        .message(format!(
            "`{value}` is cast to `unknown` and then to `{target}`: the compiler's knowledge of \
             its real type is thrown away and replaced by a claim nobody checks. If the value \
             does not have that shape, the error appears later as `undefined` somewhere else.\
             \n\nValidate the value at runtime (a schema parse or a type guard) or fix the \
             declared types so that no cast is needed."
        ))
        .symptom(format!(
            "`{value}` is forced to `{target}` with `as unknown as`."
        ))
        .root_cause(
            "The value's declared type and the type the code needs disagree, and the \
             disagreement was silenced instead of resolved.",
        )
        .fix(format!(
            "Remove the double cast. Either make the types agree (correct the declaration or \
             the function's return type), or check the value at runtime with a type guard or \
             the project's schema library before treating it as `{target}`."
        ))
        .scope(
            "Do not replace the cast with `as any` or a `@ts-ignore`, and do not change the \
             runtime behaviour for values that already have the right shape.",
        )
        .build()
}
