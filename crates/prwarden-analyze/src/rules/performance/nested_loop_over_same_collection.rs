//! `performance/nested-loop-over-same-collection`: a loop over a collection
//! nested in a loop over the same collection (O(n²)).
//!
//! ## What it does
//! Finds a `for … of/in/range/:` loop whose body contains, in the same
//! function, another loop over the very same collection (`for a of xs` …
//! `for b of xs`, `for a in self.items` … `for b in self.items`, Go `range`,
//! Java `for (X a : xs)`, Rust `for a in &xs` / `xs.iter().enumerate()`,
//! Python `enumerate(xs)`). The collection
//! is compared by its written name; calls are never treated as the same
//! collection. Loops over a literal list and test files are left alone.
//!
//! Not reported: counting loops (`for (let j = i + 1; …)`) — whether they
//! visit every pair cannot be told without evaluating bounds — and nested
//! loops over different collections (see `performance/lookup-in-loop` for
//! the searches among those). Pairwise work is sometimes the point (all
//! pairs of points, a small matrix), which is why this rule is only
//! informational.
//!
//! ## Why is this bad?
//! The inner loop runs n times for each of n outer elements: n² steps. Used
//! to find duplicates, matches or related elements, this grows from
//! unnoticeable at 100 elements to seconds at 10,000. Grouping the elements
//! by the compared key in a map once is linear.
//!
//! ## Example
//! ```python
//! duplicates = []
//! for a in users:
//!     for b in users:
//!         if a is not b and a.email == b.email:
//!             duplicates.append(a)
//! ```
//!
//! Use instead:
//! ```python
//! by_email = defaultdict(list)
//! for user in users:
//!     by_email[user.email].append(user)
//! duplicates = [u for group in by_email.values() if len(group) > 1 for u in group]
//! ```

use tree_sitter::Node;

use super::shapes::{Shape, prepare};
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::FieldExt as _;
use crate::syntax::{enclosing_loop, iterable_loop_kinds, loop_body, loop_iterable, preorder};

pub static META: RuleMeta = RuleMeta {
    id: "performance/nested-loop-over-same-collection",
    item: ChecklistItem::Performance,
    severity: Severity::Info,
    languages: Language::CODE,
    summary: "A loop over a collection nested inside a loop over the same collection (O(n²))",
};

pub struct NestedLoopOverSameCollection;

impl Rule for NestedLoopOverSameCollection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some((language, shapes)) = prepare(ctx) else {
            return;
        };
        for inner in ctx.nodes_in_order(iterable_loop_kinds(language)) {
            let Some(collection) =
                loop_iterable(language, inner).and_then(|i| collection_path(ctx, i))
            else {
                continue;
            };
            if shapes.of(&collection) == Some(Shape::LiteralList) {
                continue;
            }
            // Any loop around the inner one, up to the function boundary.
            let mut current = inner;
            while let Some(outer) = enclosing_loop(language, current) {
                let in_body = loop_body(language, outer).is_some_and(|b| {
                    b.start_byte() <= inner.start_byte() && inner.end_byte() <= b.end_byte()
                });
                let same = loop_iterable(language, outer)
                    .and_then(|i| collection_path(ctx, i))
                    .is_some_and(|c| c == collection);
                if in_body && same {
                    out.push(report(ctx, inner, outer, &collection));
                    break;
                }
                current = outer;
            }
        }
    }
}

/// The collection a loop iterates, as a plain path: `xs`, `this.items`,
/// `self.items`, `order.lines`; Rust `&xs`, `xs.iter()` → `xs`. `None` for
/// anything computed (calls other than `.iter()`, slices, literals).
fn collection_path(ctx: &RuleContext<'_>, iterable: Node<'_>) -> Option<String> {
    let mut node = iterable;
    loop {
        match node.kind() {
            "reference_expression" | "parenthesized_expression" => {
                node = node.named_child(node.named_child_count().checked_sub(1)?)?;
            }
            // `xs.iter()`, `xs.iter().enumerate()`, Python `enumerate(xs)`.
            "call_expression" | "call" => {
                let function = node.field("function")?;
                let args = node.field("arguments")?;
                let method = function.field("field").map(|f| ctx.text(f));
                if function.kind() == "field_expression"
                    && args.named_child_count() == 0
                    && matches!(
                        method,
                        Some("iter" | "iter_mut" | "into_iter" | "enumerate")
                    )
                {
                    node = function.field("value")?;
                } else if ctx.text(function) == "enumerate" && args.named_child_count() == 1 {
                    node = args.named_child(0)?;
                } else {
                    return None;
                }
            }
            _ => break,
        }
    }
    let plain = preorder(node).all(|n| {
        matches!(
            n.kind(),
            "identifier"
                | "property_identifier"
                | "field_identifier"
                | "member_expression"
                | "attribute"
                | "selector_expression"
                | "field_access"
                | "field_expression"
                | "this"
                | "self"
                | "."
        )
    });
    plain.then(|| crate::context::normalise_code(ctx.text(node)).replace(' ', ""))
}

fn report(ctx: &RuleContext<'_>, inner: Node<'_>, outer: Node<'_>, collection: &str) -> Finding {
    let head = ctx.text(inner).lines().next().unwrap_or("").trim();
    let outer_head = quote(ctx.text(outer).lines().next().unwrap_or(""), 50);
    ctx.finding(&META, ctx.line(inner), ctx.symbol_for(inner), head)
        .title(format!(
            "Nested loop over `{collection}` inside a loop over `{collection}` (O(n²))"
        ))
        .message(format!(
            "This loop visits every element of `{collection}` for each element of the \
             enclosing `{outer_head}` loop over the same collection: n² iterations. If it \
             looks for duplicates, matches or related elements, group the elements by the \
             compared key in a map (or sort once) and the work becomes linear. If every pair \
             really has to be visited, this note can be ignored."
        ))
        .symptom(format!(
            "A loop over `{collection}` is nested inside another loop over `{collection}`."
        ))
        .root_cause(
            "Each element is compared with every other element by rescanning the whole \
             collection, instead of indexing the elements once by the key being compared.",
        )
        .fix(format!(
            "If the inner loop searches for elements related to the outer one (same key, \
             duplicate, match), build a map from that key to the elements of `{collection}` \
             once and look them up; otherwise keep the nested loop. The result, including its \
             order and how duplicates are counted, must stay the same."
        ))
        .scope(
            "Change only these two loops. Do not change what they produce, the collection \
             itself or code outside the function.",
        )
        .build()
}
