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
//! Counting loops are reported when both run over the indices of the same
//! collection (`i < xs.length`, `j < xs.size()`, `j < len(xs)`,
//! `range(i + 1, len(xs))`, `i + 1..xs.len()`) and the inner one only
//! compares the two elements by equality (`if (xs[i].sku === xs[j].sku)`,
//! `xs.get(i).equals(xs.get(j))`) — a duplicate search that grouping by
//! the key makes linear.
//!
//! Go's `for j := 0; j < i; j++` inside `for i, x := range xs` is reported
//! the same way when the inner body only compares `xs[j]` with the outer
//! element by a key (`xs[j].ID == x.ID`, also as one operand of `&&`): a
//! search of the earlier elements for a duplicate.
//!
//! JavaScript/TypeScript: a scan of an array (`filter`, `find`, `some`,
//! `indexOf`, `map`, …) inside a per-element callback over the same array
//! (`results.map((r) => results.filter((o) => beats(o, r)).length)`,
//! `names.filter((n, i) => names.indexOf(n) === i)`), in the callback
//! itself. A scan whose predicate matches a key, and `indexOf`/`includes`
//! on an array declared as such, are left to `performance/lookup-in-loop`.
//!
//! Not reported: other counting loops — whether they visit every pair, and
//! whether each pair is real work (a distance matrix), cannot be told
//! without evaluating bounds — and nested loops over different collections
//! (see `performance/lookup-in-loop` for the searches among those).
//! Pairwise work is sometimes the point (all pairs of points, a small
//! matrix), which is why this rule is only informational.
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

use super::search::{collection_path, equality_sides, is_constant_name, search_conditions};
use super::shapes::{Shape, Shapes, prepare};
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{
    enclosing_loop, iterable_loop_kinds, loop_body, loop_iterable, preorder, unwrap_expression,
};

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
        // Counting loops over the indices of one collection, the inner one
        // only comparing elements: `for (let j = i + 1; j < xs.length; j++)
        // { if (xs[i].sku === xs[j].sku) … }` inside `for (let i = 0; i <
        // xs.length; i++)`.
        for inner in ctx.nodes_in_order(&["for_statement", "for_expression"]) {
            let Some((inner_index, collection)) = counting_over(ctx, language, inner) else {
                continue;
            };
            let Some(outer) = enclosing_loop(language, inner) else {
                continue;
            };
            let Some((outer_index, outer_collection)) = counting_over(ctx, language, outer) else {
                continue;
            };
            let in_body = loop_body(language, outer).is_some_and(|b| {
                b.start_byte() <= inner.start_byte() && inner.end_byte() <= b.end_byte()
            });
            if in_body
                && outer_collection == collection
                && outer_index != inner_index
                && shapes.of(&collection) != Some(Shape::LiteralList)
                && loop_body(language, inner).is_some_and(|body| {
                    compares_pairs(ctx, body, &collection, outer_index, inner_index)
                })
            {
                out.push(report(ctx, inner, outer, &collection));
            }
        }
        // Go: `for j := 0; j < i; j++ { if xs[j].Key == x.Key { … } }` inside
        // `for i, x := range xs`: each element compared with every earlier one.
        if language == Language::Go {
            for inner in ctx.nodes_in_order(&["for_statement"]) {
                let Some((inner_index, bound)) = go_counting_below(ctx, inner) else {
                    continue;
                };
                let Some(outer) = enclosing_loop(language, inner) else {
                    continue;
                };
                let Some((outer_index, element, collection)) = go_indexed_range(ctx, outer) else {
                    continue;
                };
                let in_body = loop_body(language, outer).is_some_and(|b| {
                    b.start_byte() <= inner.start_byte() && inner.end_byte() <= b.end_byte()
                });
                if in_body
                    && bound == outer_index
                    && inner_index != outer_index
                    && shapes.of(&collection) != Some(Shape::LiteralList)
                    && loop_body(language, inner).is_some_and(|body| {
                        compares_with_outer(
                            ctx,
                            body,
                            &collection,
                            inner_index,
                            outer_index,
                            element,
                        )
                    })
                {
                    out.push(report(ctx, inner, outer, &collection));
                }
            }
        }
        if language.is_js_family() {
            nested_callbacks(ctx, &shapes, out);
        }
    }
}

/// Array methods that run a callback once per element.
const PER_ELEMENT: &[&str] = &[
    "map",
    "flatMap",
    "filter",
    "forEach",
    "some",
    "every",
    "find",
    "findIndex",
    "reduce",
];
/// Array methods that walk the whole array (or up to a match).
const SCANS: &[&str] = &[
    "filter",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "some",
    "every",
    "map",
    "forEach",
    "reduce",
    "includes",
    "indexOf",
    "lastIndexOf",
];

/// JavaScript/TypeScript: a scan of a collection inside a per-element
/// callback over the same collection, in the callback itself (not in a
/// function nested in it): `results.map((r) => results.filter((o) =>
/// beats(o, r)).length)`, `xs.filter((x, i) => xs.indexOf(x) === i)`. A
/// scan whose predicate matches a key against the outer element is
/// `performance/lookup-in-loop`'s.
fn nested_callbacks(ctx: &RuleContext<'_>, shapes: &Shapes, out: &mut Vec<Finding>) {
    let scan_of = |call: Node<'_>, methods: &[&str]| -> Option<String> {
        let (receiver, method) = crate::syntax::member_call(call)?;
        methods
            .contains(&ctx.text(method))
            .then(|| collection_path(ctx, receiver))?
    };
    for inner in ctx.nodes_in_order(&["call_expression"]) {
        let Some(collection) = scan_of(inner, SCANS) else {
            continue;
        };
        if matches!(
            shapes.of(&collection),
            Some(Shape::LiteralList | Shape::Str)
        ) || is_constant_name(&collection)
        {
            continue;
        }
        let Some(callback) = ctx.enclosing_function(Language::JavaScript, inner) else {
            continue;
        };
        // The callback is the first argument of `collection.<per-element>(…)`.
        let Some(outer) = ctx
            .parent(callback)
            .filter(|a| a.kind_str() == "arguments" && a.named_child(0) == Some(callback))
            .and_then(|a| ctx.parent(a))
            .filter(|c| c.kind_str() == "call_expression")
        else {
            continue;
        };
        if scan_of(outer, PER_ELEMENT).as_deref() != Some(collection.as_str()) {
            continue;
        }
        let method = crate::syntax::member_call(inner).map_or("", |(_, m)| ctx.text(m));
        // `names.indexOf(n)` on a known list is `lookup-in-loop`'s.
        let list_lookup = matches!(method, "includes" | "indexOf" | "lastIndexOf")
            && shapes.of_at(&collection, inner.start_byte()) == Some(Shape::List);
        let keyed = matches!(method, "find" | "findIndex" | "filter" | "some")
            && inner
                .field("arguments")
                .and_then(|a| a.named_child(0))
                .and_then(|cb| super::lookup_in_loop::key_equality(ctx, cb))
                .is_some();
        if !keyed && !list_lookup {
            out.push(report(ctx, inner, outer, &collection));
        }
    }
}

/// Go `for j := 0; j < i; j++` as `(j, i)`: a counting loop bounded by
/// another variable.
fn go_counting_below<'s>(ctx: &RuleContext<'s>, lp: Node<'_>) -> Option<(&'s str, &'s str)> {
    let mut cursor = lp.walk();
    let clause = lp
        .named_children(&mut cursor)
        .find(|c| c.kind_str() == "for_clause")?;
    let condition = unwrap_expression(clause.field("condition")?);
    if condition.kind_str() != "binary_expression"
        || condition.field("operator").map(|o| ctx.text(o)) != Some("<")
    {
        return None;
    }
    let (left, right) = (condition.field("left")?, condition.field("right")?);
    (left.kind_str() == "identifier" && right.kind_str() == "identifier")
        .then(|| (ctx.text(left), ctx.text(right)))
}

/// Go `for i, x := range xs` as `(i, x, xs)` (`x` may be `_`).
fn go_indexed_range<'s>(ctx: &RuleContext<'s>, lp: Node<'_>) -> Option<(&'s str, &'s str, String)> {
    if lp.kind_str() != "for_statement" {
        return None;
    }
    let mut cursor = lp.walk();
    let clause = lp
        .named_children(&mut cursor)
        .find(|c| c.kind_str() == "range_clause")?;
    let left = clause.field("left")?;
    let mut cursor = left.walk();
    let names: Vec<Node<'_>> = left.named_children(&mut cursor).collect();
    let [index, element] = names.as_slice() else {
        return None;
    };
    (index.kind_str() == "identifier" && element.kind_str() == "identifier").then_some(())?;
    let collection = collection_path(ctx, clause.field("right")?)?;
    Some((ctx.text(*index), ctx.text(*element), collection))
}

/// Whether the inner loop's body only searches for an element equal to the
/// outer one by a key: `xs[j].Key == x.Key` (or `xs[i].Key`), possibly as
/// one operand of `&&`.
fn compares_with_outer(
    ctx: &RuleContext<'_>,
    body: Node<'_>,
    collection: &str,
    inner_index: &str,
    outer_index: &str,
    element: &str,
) -> bool {
    let text = |side: Node<'_>| crate::context::normalise_code(ctx.text(side)).replace(' ', "");
    let inner_element =
        |side: Node<'_>| text(side).contains(&format!("{collection}[{inner_index}]"));
    let outer_element = |side: Node<'_>| {
        let t = text(side);
        t.contains(&format!("{collection}[{outer_index}]"))
            || (element != "_" && (t == element || t.starts_with(&format!("{element}."))))
    };
    let mut conditions = search_conditions(body);
    while let Some(condition) = conditions.pop() {
        let condition = unwrap_expression(condition);
        if condition.kind_str() == "binary_expression"
            && condition.field("operator").map(|o| ctx.text(o)) == Some("&&")
        {
            conditions.extend(condition.field("left"));
            conditions.extend(condition.field("right"));
            continue;
        }
        let pair = equality_sides(ctx, condition).is_some_and(|(l, r)| {
            (inner_element(l) && outer_element(r) && !inner_element(r))
                || (inner_element(r) && outer_element(l) && !inner_element(l))
        });
        if pair {
            return true;
        }
    }
    false
}

/// A counting loop over a collection's indices, as `(index, collection)`:
/// `for (let j = i + 1; j < xs.length; j++)`, Java `j < xs.size()`, Go
/// `j < len(xs)`, Python `for j in range(i + 1, len(xs))`, Rust
/// `for j in i + 1..xs.len()`.
fn counting_over<'s>(
    ctx: &RuleContext<'s>,
    language: Language,
    lp: Node<'_>,
) -> Option<(&'s str, String)> {
    let plain = |n: Node<'_>| {
        preorder(n)
            .all(|p| {
                matches!(
                    p.kind_str(),
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
            })
            .then(|| crate::context::normalise_code(ctx.text(n)).replace(' ', ""))
    };
    // `xs.length`, `xs.size()`, `len(xs)`, `xs.len()`: the collection.
    let length_of = |bound: Node<'_>| -> Option<String> {
        let bound = unwrap_expression(bound);
        match bound.kind_str() {
            "member_expression" | "field_access"
                if bound
                    .field("property")
                    .or_else(|| bound.field("field"))
                    .is_some_and(|p| ctx.text(p) == "length") =>
            {
                plain(bound.field("object")?)
            }
            "method_invocation"
                if bound.field("name").is_some_and(|n| ctx.text(n) == "size")
                    && bound.field("arguments")?.named_child_count() == 0 =>
            {
                plain(bound.field("object")?)
            }
            "call_expression" | "call" => {
                let function = bound.field("function")?;
                let args = bound.field("arguments")?;
                if ctx.text(function) == "len" && args.named_child_count() == 1 {
                    plain(args.named_child(0)?)
                } else if function.kind_str() == "field_expression"
                    && function
                        .field("field")
                        .is_some_and(|f| ctx.text(f) == "len")
                    && args.named_child_count() == 0
                {
                    plain(function.field("value")?)
                } else {
                    None
                }
            }
            _ => None,
        }
    };
    match (language, lp.kind_str()) {
        (Language::Python, "for_statement") => {
            let index = lp.field("left").filter(|l| l.kind_str() == "identifier")?;
            let range = lp.field("right").filter(|r| r.kind_str() == "call")?;
            (range.field("function").map(|f| ctx.text(f)) == Some("range")).then_some(())?;
            let args = range.field("arguments")?;
            let count = args.named_child_count();
            (1..=2).contains(&count).then_some(())?;
            Some((ctx.text(index), length_of(args.named_child(count - 1)?)?))
        }
        (Language::Rust, "for_expression") => {
            let index = lp
                .field("pattern")
                .filter(|p| p.kind_str() == "identifier")?;
            let range = lp
                .field("value")
                .filter(|v| v.kind_str() == "range_expression")?;
            // `a..xs.len()`: the last operand is the bound (not `..=`).
            (!ctx.text(range).contains("..=")).then_some(())?;
            let bound = range.named_child(range.named_child_count().checked_sub(1)?)?;
            Some((ctx.text(index), length_of(bound)?))
        }
        (_, "for_statement") => {
            let condition = if language == Language::Go {
                let mut cursor = lp.walk();
                let clause = lp
                    .named_children(&mut cursor)
                    .find(|c| c.kind_str() == "for_clause");
                clause?.field("condition")?
            } else {
                lp.field("condition")?
            };
            let condition = if condition.kind_str() == "expression_statement" {
                condition.named_child(0)?
            } else {
                condition
            };
            (condition.kind_str() == "binary_expression"
                && condition
                    .field("operator")
                    .is_some_and(|o| ctx.text(o) == "<"))
            .then_some(())?;
            let index = condition
                .field("left")
                .filter(|l| l.kind_str() == "identifier")?;
            Some((ctx.text(index), length_of(condition.field("right")?)?))
        }
        _ => None,
    }
}

/// Whether the body of the inner counting loop only compares an element
/// with the outer one by equality: `if (xs[i].sku === xs[j].sku) …`.
fn compares_pairs(
    ctx: &RuleContext<'_>,
    body: Node<'_>,
    collection: &str,
    outer_index: &str,
    inner_index: &str,
) -> bool {
    let element = |side: Node<'_>, index: &str| {
        let text = crate::context::normalise_code(ctx.text(side)).replace(' ', "");
        text.contains(&format!("{collection}[{index}]"))
            || text.contains(&format!("{collection}.get({index})"))
    };
    search_conditions(body).into_iter().any(|condition| {
        equality_sides(ctx, condition).is_some_and(|(l, r)| {
            (element(l, outer_index) && element(r, inner_index) && !element(l, inner_index))
                || (element(r, outer_index) && element(l, inner_index) && !element(r, inner_index))
        })
    })
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
