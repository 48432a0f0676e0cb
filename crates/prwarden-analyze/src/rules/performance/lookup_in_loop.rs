//! `performance/lookup-in-loop`: a linear search of a list on every
//! iteration of a loop (O(n·m)).
//!
//! ## What it does
//! Finds a membership test or search that scans a whole list, repeated by a
//! loop body, a per-element callback (`xs.map/filter/forEach/some/…(…)`, Java
//! stream lambdas, Rust iterator closures) or a Python comprehension:
//! - JavaScript/TypeScript: `list.includes/indexOf/lastIndexOf(…)`, and
//!   `list.find/findIndex/filter/some(…)` whose callback compares a key
//!   (`(c) => c.id === order.customerId`);
//! - Python: `x in list`, `x not in list`, `list.index(x)`, `list.count(x)`;
//! - Go: `slices.Contains/Index/ContainsFunc/IndexFunc(list, …)`, and a
//!   nested `for … range` over another collection whose body is an
//!   `if a == b { … break/return }` search for the outer element;
//! - Java: `list.contains/indexOf/lastIndexOf(…)`;
//! - Rust: `vec.contains(…)`, and `vec.iter().position/find/any(…)` whose
//!   closure compares a key (`|s| *s == item.sku`).
//!
//! The receiver must be known to be a list from the file itself: every
//! declaration and parameter of that name visible at the lookup (those of
//! the innermost function that declares it, else the whole file's) and
//! every assignment of it says so
//! (`const ids: string[]`, `= []`, `= xs.map(…)`, `new Array`; Python
//! `= []`, `list(…)`, `: list[str]`; Java `List<…>`/`ArrayList<…>`; Rust
//! `Vec<…>`, `&[T]`, `vec![…]`; Go `[]T`, `make([]T, …)`). In
//! JavaScript/TypeScript, a parameter typed with an interface or object
//! type of the same file gives its properties' types to `opts.ids` and to
//! destructured props (`function Page({ ids }: PageProps)`), and a React
//! `Component.propTypes` entry `PropTypes.arrayOf(…)`/`PropTypes.array`
//! marks that prop a list. It is not
//! reported when the type is unknown (an untyped parameter), a `Set`, `Map`,
//! `dict`, `set` or string (`name.includes("x")`), when the list is a short
//! literal (`["a", "b"].includes(x)`, `allowed = ("a", "b")`), when the list
//! is built inside the loop (per-iteration data), when a predicate is not a
//! key comparison (`patterns.some((re) => re.test(key))`), when the loop
//! itself runs over a literal list or a small literal bound (`range(3)`),
//! or in test files.
//!
//! ## Why is this bad?
//! A list lookup reads the list from the start until it finds a match. Done
//! once per element of another collection, the work is the product of both
//! sizes: 10,000 orders against 10,000 customers is 100 million comparisons,
//! instant in tests with ten rows and a stalled request in production. A
//! set or map built once before the loop answers each lookup in constant
//! time.
//!
//! ## Example
//! ```ts
//! const activeIds: string[] = await loadActiveIds();
//! const visible = orders.filter((o) => activeIds.includes(o.customerId));
//! ```
//!
//! Use instead:
//! ```ts
//! const activeIds = new Set(await loadActiveIds());
//! const visible = orders.filter((o) => activeIds.has(o.customerId));
//! ```

use tree_sitter::Node;

use super::shapes::{Shape, binds_within, prepare, repeating};
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::FieldExt as _;
use crate::syntax::{is_loop, loop_body, loop_iterable, preorder, statements};

pub static META: RuleMeta = RuleMeta {
    id: "performance/lookup-in-loop",
    item: ChecklistItem::Performance,
    severity: Severity::Warning,
    languages: Language::CODE,
    summary: "A linear list search (`includes`, `in list`, `contains`, …) repeated inside a loop",
};

pub struct LookupInLoop;

impl Rule for LookupInLoop {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some((language, shapes)) = prepare(ctx) else {
            return;
        };
        let kinds: &[&str] = match language {
            Language::Python => &["comparison_operator", "call"],
            // `for_statement`: `go_nested_search`.
            Language::Go => &["call_expression", "for_statement"],
            Language::Java => &["method_invocation"],
            _ => &["call_expression"],
        };
        for node in ctx.nodes_in_order(kinds) {
            let lookup = match language {
                Language::Python => python_lookup(ctx, node),
                Language::Go => go_lookup(ctx, node),
                Language::Java => java_lookup(ctx, node),
                Language::Rust => rust_lookup(ctx, node),
                _ => js_lookup(ctx, node),
            };
            if let Some(lookup) = lookup
                && shapes.of_at(&lookup.receiver, node.start_byte()) == Some(Shape::List)
                && let Some(repeat) = repeating(ctx, language, node)
                // A list built inside the loop is per-iteration data.
                && !binds_within(ctx, repeat, &lookup.receiver, None)
            {
                out.push(report(ctx, language, node, &lookup, repeat));
            } else if language == Language::Go
                && let Some((inner, outer)) = go_nested_search(ctx, node)
            {
                out.push(report_nested(ctx, inner, outer));
            }
        }
    }
}

struct Lookup {
    /// The list's name as bound in the file (`ids`, `this.ids`, `self.ids`).
    receiver: String,
    /// `includes`, `in`, `contains`, `slices.Contains`, …
    operation: String,
}

/// `ids`, `this.ids`, `self.ids`, `opts.ids`: a receiver whose bindings the
/// file may show (a field of `opts` is bound only when `opts` is typed with
/// one of the file's own interfaces).
fn receiver_name(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<String> {
    match node.kind() {
        "identifier" => Some(ctx.text(node).to_string()),
        "member_expression" | "attribute" | "field_access" | "field_expression" => {
            let object = node.field("object").or_else(|| node.field("value"))?;
            let typed_param = node.kind() == "member_expression" && object.kind() == "identifier";
            matches!(object.kind(), "this" | "self" | "identifier")
                .then(|| ctx.text(object))
                .filter(|o| matches!(*o, "this" | "self") || typed_param)?;
            Some(crate::context::normalise_code(ctx.text(node)).replace(' ', ""))
        }
        _ => None,
    }
}

const JS_METHODS: &[&str] = &[
    "includes",
    "indexOf",
    "lastIndexOf",
    "find",
    "findIndex",
    "filter",
    "some",
];

fn js_lookup(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<Lookup> {
    if node.kind() != "call_expression" {
        return None;
    }
    let (receiver, method) = crate::syntax::member_call(node)?;
    let method = ctx.text(method);
    JS_METHODS.contains(&method).then_some(())?;
    if PREDICATE_METHODS.contains(&method) {
        let callback = node.field("arguments")?.named_child(0)?;
        key_equality(ctx, callback).then_some(())?;
    }
    Some(Lookup {
        receiver: receiver_name(ctx, receiver)?,
        operation: method.to_string(),
    })
}

/// Methods that take a predicate: a lookup only when the predicate compares
/// a key (`c => c.id === order.customerId`); `patterns.some(r => r.test(k))`
/// cannot be replaced by a set.
const PREDICATE_METHODS: &[&str] = &["find", "findIndex", "filter", "some"];

/// `(c) => c.id === id`, `function (c) { return c.id == id; }`,
/// `|s| *s == sku`: an equality between the element (or one of its fields)
/// and a value from outside the callback.
fn key_equality(ctx: &RuleContext<'_>, callback: Node<'_>) -> bool {
    if !matches!(
        callback.kind(),
        "arrow_function" | "function_expression" | "function" | "closure_expression"
    ) {
        return false;
    }
    let params: Vec<&str> = callback
        .field("parameters")
        .or_else(|| callback.field("parameter"))
        .map(|p| {
            preorder(p)
                .filter(|n| n.kind() == "identifier")
                .map(|n| ctx.text(n))
                .collect()
        })
        .unwrap_or_default();
    let Some(mut body) = callback.field("body") else {
        return false;
    };
    if matches!(body.kind(), "statement_block" | "block") {
        let mut cursor = body.walk();
        let stmts: Vec<Node<'_>> = body
            .named_children(&mut cursor)
            .filter(|n| n.kind() != "comment")
            .collect();
        match stmts.as_slice() {
            [only] => match only.kind() {
                "return_statement" => match only.named_child(0) {
                    Some(value) => body = value,
                    None => return false,
                },
                "expression_statement" => match only.named_child(0) {
                    Some(value) => body = value,
                    None => return false,
                },
                _ => body = *only,
            },
            _ => return false,
        }
    }
    let body = crate::syntax::unwrap_expression(body);
    if body.kind() != "binary_expression" {
        return false;
    }
    let operator = body.field("operator").map(|o| ctx.text(o));
    if !matches!(operator, Some("===" | "==")) {
        return false;
    }
    let mentions = |side: Option<Node<'_>>| {
        side.is_some_and(|s| {
            preorder(s).any(|n| n.kind() == "identifier" && params.contains(&ctx.text(n)))
        })
    };
    let left = mentions(body.field("left"));
    let right = mentions(body.field("right"));
    !params.is_empty() && left != right
}

fn python_lookup(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<Lookup> {
    match node.kind() {
        "comparison_operator" => {
            let mut cursor = node.walk();
            let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
            let at = children
                .iter()
                .position(|c| matches!(c.kind(), "in" | "not in"))?;
            let negated = children[at].kind() == "not in";
            let right = children[at + 1..].iter().find(|c| c.is_named())?;
            Some(Lookup {
                receiver: receiver_name(ctx, *right)?,
                operation: if negated { "not in" } else { "in" }.to_string(),
            })
        }
        "call" => {
            let function = node.field("function")?;
            if function.kind() != "attribute" {
                return None;
            }
            let method = ctx.text(function.field("attribute")?);
            matches!(method, "index" | "count").then_some(())?;
            Some(Lookup {
                receiver: receiver_name(ctx, function.field("object")?)?,
                operation: method.to_string(),
            })
        }
        _ => None,
    }
}

fn go_lookup(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<Lookup> {
    if node.kind() != "call_expression" {
        return None;
    }
    let callee = ctx.text(node.field("function")?);
    matches!(
        callee,
        "slices.Contains" | "slices.Index" | "slices.ContainsFunc" | "slices.IndexFunc"
    )
    .then_some(())?;
    let first = node.field("arguments")?.named_child(0)?;
    Some(Lookup {
        receiver: receiver_name(ctx, first)?,
        operation: callee.to_string(),
    })
}

fn java_lookup(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<Lookup> {
    if node.kind() != "method_invocation" {
        return None;
    }
    let method = ctx.text(node.field("name")?);
    matches!(method, "contains" | "indexOf" | "lastIndexOf").then_some(())?;
    Some(Lookup {
        receiver: receiver_name(ctx, node.field("object")?)?,
        operation: method.to_string(),
    })
}

fn rust_lookup(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<Lookup> {
    if node.kind() != "call_expression" {
        return None;
    }
    let function = node.field("function")?;
    if function.kind() != "field_expression" {
        return None;
    }
    let method = ctx.text(function.field("field")?);
    let receiver = function.field("value")?;
    if method == "contains" {
        return Some(Lookup {
            receiver: receiver_name(ctx, receiver)?,
            operation: method.to_string(),
        });
    }
    // `ids.iter().position(|s| *s == sku)`
    matches!(method, "position" | "find" | "any").then_some(())?;
    let callback = node.field("arguments")?.named_child(0)?;
    key_equality(ctx, callback).then_some(())?;
    let iter_fn = (receiver.kind() == "call_expression")
        .then(|| receiver.field("function"))
        .flatten()
        .filter(|f| f.kind() == "field_expression")?;
    let iter_name = ctx.text(iter_fn.field("field")?);
    (iter_name == "iter").then_some(())?;
    Some(Lookup {
        receiver: receiver_name(ctx, iter_fn.field("value")?)?,
        operation: format!("iter().{method}"),
    })
}

/// Go: `for _, c := range customers { if c.ID == o.CustomerID { …; break } }`
/// inside a loop over `orders`: the inner loop and the outer loop.
fn go_nested_search<'t>(ctx: &RuleContext<'_>, inner: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
    let iterable = loop_iterable(Language::Go, inner)?;
    let outer = repeating(ctx, Language::Go, inner)?;
    if !is_loop(Language::Go, outer) {
        return None;
    }
    let outer_iterable = loop_iterable(Language::Go, outer)?;
    // `for _, b := range xs[i+1:]` inside `range xs` is pairwise work on one
    // collection, not a lookup in another.
    let base = |mut n: Node<'t>| {
        while n.kind() == "slice_expression" {
            match n.field("operand") {
                Some(o) => n = o,
                None => break,
            }
        }
        ctx.text(n)
    };
    if base(outer_iterable) == base(iterable) {
        return None;
    }
    let inner_vars = range_vars(ctx, inner);
    let outer_vars = range_vars(ctx, outer);
    let body = loop_body(Language::Go, inner)?;
    let list = statements(body)
        .find(|s| s.kind() == "statement_list")
        .unwrap_or(body);
    let search = statements(list).any(|stmt| {
        if stmt.kind() != "if_statement" {
            return false;
        }
        let (Some(condition), Some(consequence)) =
            (stmt.field("condition"), stmt.field("consequence"))
        else {
            return false;
        };
        let exits = preorder(consequence)
            .any(|n| matches!(n.kind(), "break_statement" | "return_statement"));
        let compares = condition.kind() == "binary_expression"
            && condition
                .field("operator")
                .is_some_and(|o| ctx.text(o) == "==")
            && {
                let mentions = |side: Option<Node<'_>>, vars: &[&str]| {
                    side.is_some_and(|s| {
                        preorder(s).any(|n| n.kind() == "identifier" && vars.contains(&ctx.text(n)))
                    })
                };
                let (l, r) = (condition.field("left"), condition.field("right"));
                (mentions(l, &inner_vars) && mentions(r, &outer_vars) && !mentions(r, &inner_vars))
                    || (mentions(r, &inner_vars)
                        && mentions(l, &outer_vars)
                        && !mentions(l, &inner_vars))
            };
        exits && compares
    });
    search.then_some((inner, outer))
}

fn range_vars<'s>(ctx: &RuleContext<'s>, lp: Node<'_>) -> Vec<&'s str> {
    let mut cursor = lp.walk();
    let clause = lp
        .named_children(&mut cursor)
        .find(|c| c.kind() == "range_clause");
    clause
        .and_then(|c| c.field("left"))
        .map(|left| {
            preorder(left)
                .filter(|n| n.kind() == "identifier" && ctx.text(*n) != "_")
                .map(|n| ctx.text(n))
                .collect()
        })
        .unwrap_or_default()
}

fn fix_for(language: Language) -> &'static str {
    match language {
        Language::Python => {
            "Build a `set` (or a `dict` keyed by the looked-up field) from the list once before \
             the loop and test membership against it."
        }
        Language::Go => {
            "Build a `map[K]struct{}` (or `map[K]V` keyed by the compared field) from the slice \
             once before the loop and look each element up in it."
        }
        Language::Java => {
            "Build a `HashSet` (or a `Map` keyed by the looked-up field, e.g. with \
             `Collectors.toMap`) from the list once before the loop and use `contains`/`get` on it."
        }
        Language::Rust => {
            "Build a `HashSet` (or a `HashMap` keyed by the looked-up field) from the vector once \
             before the loop and look each element up in it."
        }
        _ => {
            "Build a `Set` (or a `Map` keyed by the looked-up field) from the array once before \
             the loop and use `has`/`get` on it."
        }
    }
}

fn repeat_label(ctx: &RuleContext<'_>, language: Language, repeat: Node<'_>) -> String {
    if is_loop(language, repeat) {
        return match loop_iterable(language, repeat) {
            Some(it) => format!("loop over `{}`", quote(ctx.text(it), 40)),
            None => "loop".to_string(),
        };
    }
    if repeat.kind().contains("comprehension") || repeat.kind() == "generator_expression" {
        return "comprehension".to_string();
    }
    let callee = repeat
        .field("function")
        .or_else(|| repeat.field("name"))
        .map(|f| quote(ctx.text(f), 40))
        .unwrap_or_default();
    format!("`{callee}(…)` callback")
}

fn report(
    ctx: &RuleContext<'_>,
    language: Language,
    node: Node<'_>,
    lookup: &Lookup,
    repeat: Node<'_>,
) -> Finding {
    let list = &lookup.receiver;
    let op = &lookup.operation;
    let code = quote(ctx.text(node), 60);
    let where_ = repeat_label(ctx, language, repeat);
    let symbol = ctx.symbol_for(node);
    ctx.finding(&META, ctx.line(node), symbol, &format!("{op} {list}"))
        .title(format!(
            "`{code}` scans the whole list `{list}` on every iteration (O(n·m))"
        ))
        .message(format!(
            "`{code}` searches the list `{list}` element by element, and it runs once per \
             element of this {where_}. The cost is the product of both sizes — invisible with \
             test data, seconds of CPU with a few thousand rows on each side.\n\n{}",
            fix_for(language)
        ))
        .symptom(format!(
            "`{code}` does a linear search of `{list}` inside a {where_}."
        ))
        .root_cause(format!(
            "`{list}` is a list, so `{op}` is O(m), and it is evaluated for each of the n \
             iterations."
        ))
        .fix(format!(
            "{} Keep the result identical, including duplicates and order where the code \
             depends on them.",
            fix_for(language)
        ))
        .scope(
            "Change only how the lookup is done. Keep the list itself if other code uses it, \
             and do not change the loop's logic, output or order.",
        )
        .build()
}

fn report_nested(ctx: &RuleContext<'_>, inner: Node<'_>, outer: Node<'_>) -> Finding {
    let inner_over = loop_iterable(Language::Go, inner)
        .map(|i| quote(ctx.text(i), 40))
        .unwrap_or_default();
    let outer_over = loop_iterable(Language::Go, outer)
        .map(|i| quote(ctx.text(i), 40))
        .unwrap_or_default();
    let head = ctx
        .text(inner)
        .lines()
        .next()
        .unwrap_or("")
        .trim_end_matches('{')
        .trim()
        .to_string();
    ctx.finding(&META, ctx.line(inner), ctx.symbol_for(inner), &head)
        .title(format!(
            "Linear search of `{inner_over}` for every element of `{outer_over}` (O(n·m))"
        ))
        .message(format!(
            "This `for … range {inner_over}` loop looks for the element that matches the current \
             element of `{outer_over}`, so every outer iteration scans `{inner_over}` from the \
             start. The cost is the product of both sizes.\n\n{}",
            fix_for(Language::Go)
        ))
        .symptom(format!(
            "A nested `for … range {inner_over}` searches for a match inside the loop over \
             `{outer_over}`."
        ))
        .root_cause(
            "A slice is searched linearly once per outer element instead of being indexed once."
                .to_string(),
        )
        .fix(format!(
            "{} Keep the behaviour for elements without a match and for duplicate keys (the \
             current loop takes the first match).",
            fix_for(Language::Go)
        ))
        .scope(
            "Change only the lookup. Do not change what the outer loop produces, its order or \
             its error handling.",
        )
        .build()
}
