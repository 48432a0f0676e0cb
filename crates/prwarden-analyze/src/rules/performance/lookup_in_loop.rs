//! `performance/lookup-in-loop`: a linear search of a list on every
//! iteration of a loop (O(n·m)).
//!
//! ## What it does
//! Finds a membership test or search that scans a whole list, repeated by a
//! loop body, a per-element callback (`xs.map/filter/forEach/some/…(…)`, Java
//! stream lambdas, Rust iterator closures) or a Python comprehension:
//! - JavaScript/TypeScript: `list.includes/indexOf/lastIndexOf(…)`, and
//!   `list.find/findIndex/filter/some(…)` (also on a slice of the list,
//!   `log.slice(0, i).some(…)`, unless both bounds are literals) whose
//!   callback compares a key
//!   (`(c) => c.id === order.customerId`, or a composite key joined with
//!   `&&`: `(p) => p.food === item.food && p.prep === item.prep`, or a
//!   keyed search of the element's own list: `(l) => l.slots.some((s) =>
//!   s.riderId === r.id)`);
//! - Python: `x in list`, `x not in list`, `list.index(x)`, `list.count(x)`,
//!   and `x not in [s.id for s in offline]`: a list comprehension as the
//!   operand, rebuilt and scanned for every element (unless it iterates the
//!   loop's own element or a constant table);
//! - Go: `slices.Contains/Index/ContainsFunc/IndexFunc(list, …)`;
//! - Java: `list.contains/indexOf/lastIndexOf(…)`, and
//!   `coll.stream().filter/anyMatch/noneMatch(…)` whose lambda compares a
//!   key (`e -> e.code.equals(d.drugCode)`, also as one operand of `&&`)
//!   with the loop's current element
//!   — reported whatever the collection's declared type, like the
//!   JavaScript keyed predicate below;
//! - Rust: `vec.contains(…)`, and `vec.iter().position/find/any/filter(…)`
//!   whose closure compares a key (`|s| *s == item.sku`,
//!   `all.iter().filter(|s| s.user == user).count()` per user), also as one
//!   operand of `&&` (`|o| o.tank_id == r.tank_id && o.taken_at <= cutoff`,
//!   likewise for the JavaScript callbacks below);
//! - every language: a `for … of/in/range/:` loop over another collection,
//!   nested in the loop, whose body is only a search for the outer element —
//!   an `if` comparing the inner element with the outer one (`c.ID ==
//!   o.CustomerID`, `a.equals(b)`) or testing it against a set built from
//!   the outer element (`userRoles.has(role.id)`), which either leaves the
//!   loop (`break`/`return`: find-first) or is the body's only statement
//!   (filter/join). The comparison may be one operand of `&&`/`and`
//!   (`e.Reference == b.Reference && e.Cents != b.Cents`): a join on the key
//!   narrowed by other conditions. The same join written inside out is
//!   reported too: a body opening with a guard that skips every element
//!   whose key differs from the outer element's (`if sh.BandID != band {
//!   continue }`, Python `if b.id in used or b.profile != c.profile:
//!   continue`), whatever work follows.
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
//! marks that prop a list. A JavaScript `find/findIndex/filter/some` whose
//! callback compares the element's key with the loop's current element
//! (`products.some((p) => p.sku === sku)` in `for (const sku of skus)`) is
//! reported whatever the receiver's declared type, since only arrays and
//! other linear iterables have those methods. It is not
//! reported when the type is unknown (an untyped parameter, except for that
//! keyed predicate), a `Set`, `Map`,
//! `dict`, `set` or string (`name.includes("x")`), when the list is a short
//! literal (`["a", "b"].includes(x)`, `allowed = ("a", "b")`), a constant
//! (`STATUSES`) or a variadic/rest parameter (`...ids`), when the list is
//! built inside the loop or belongs to the loop's element (`order.items`:
//! per-iteration data), when a predicate is not a
//! key comparison (`patterns.some((re) => re.test(key))`), when a nested
//! loop does other work for each pair, when the loop
//! itself runs over a literal list, a constant table
//! (`REQUIRED_COLUMNS.filter((c) => !header.includes(c))`) or a small literal
//! bound (`range(3)`),
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

use super::search::{
    collection_path, conjuncts, element_names, equality_sides, identifiers, inequality_sides,
    is_constant_name, is_variadic_parameter, membership_sides, mentions, search_conditions,
    skip_guard_operands,
};
use super::shapes::{Shape, Shapes, binds_within, prepare, repeating};
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_loop, loop_body, loop_iterable, preorder};

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
        // Each language's call kinds, and its `for … of/in/range/:` loops
        // for `nested_search`.
        let kinds: &[&str] = match language {
            Language::Python => &["comparison_operator", "call", "for_statement"],
            Language::Go => &["call_expression", "for_statement"],
            Language::Java => &["method_invocation", "enhanced_for_statement"],
            Language::Rust => &["call_expression", "for_expression"],
            _ => &["call_expression", "for_in_statement"],
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
                && let Some(repeat) = repeating(ctx, language, node)
                && searches_list(ctx, language, &shapes, node, &lookup, repeat)
                // A list built inside the loop is per-iteration data.
                && !binds_within(ctx, repeat, &lookup.receiver, None)
            {
                out.push(report(ctx, language, node, &lookup, repeat));
            } else if is_loop(language, node)
                && let Some((inner, outer)) = nested_search(ctx, language, &shapes, node)
            {
                out.push(report_nested(ctx, language, inner, outer));
            } else if language == Language::Python
                && let Some((lookup, repeat)) = rebuilt_list_lookup(ctx, node)
            {
                out.push(report(ctx, language, node, &lookup, repeat));
            }
        }
    }
}

/// Whether the lookup scans a list: its receiver is known to be one, or —
/// JavaScript — a `find`/`some`/`filter`/`findIndex` whose callback matches
/// a key against the loop's current element (`products.some((p) => p.sku
/// === sku)` in `for (const sku of skus)`), which only arrays (and other
/// linear iterables) offer, unless the receiver is a constant or a literal.
fn searches_list(
    ctx: &RuleContext<'_>,
    language: Language,
    shapes: &Shapes,
    node: Node<'_>,
    lookup: &Lookup,
    repeat: Node<'_>,
) -> bool {
    // `SUPPORTED_CATEGORIES.includes(c)`: a constant table is as long as the
    // code makes it, whatever its declared type.
    if is_constant_name(&lookup.receiver) {
        return false;
    }
    let shape = shapes.of_at(&lookup.receiver, node.start_byte());
    // A Java stream's predicate must compare with the current element,
    // whatever the collection (`entries.stream().filter(e ->
    // e.status.equals(code))` is loop-invariant work, not a lookup).
    let java_stream = language == Language::Java && lookup.operation.starts_with("stream().");
    if shape == Some(Shape::List) && !java_stream {
        return true;
    }
    let Some(key) = lookup.key else {
        return false;
    };
    // Only arrays (JavaScript) and collections' streams (Java) offer these
    // keyed scans.
    let js = matches!(
        language,
        Language::TypeScript | Language::Tsx | Language::JavaScript
    ) || java_stream;
    let per_element = element_names(ctx, language, repeat);
    let per_iteration = |name: &str| {
        per_element.contains(&name) || binds_within(ctx, repeat, name, Some(node.start_byte()))
    };
    // `order.items.find(…)` in a loop over orders: each order's own items.
    let root = lookup.receiver.split('.').next().unwrap_or_default();
    js && !matches!(shape, Some(Shape::LiteralList | Shape::Str))
        && !per_iteration(root)
        && !is_variadic_parameter(ctx, language, node, root)
        && identifiers(ctx, key).iter().any(|name| per_iteration(name))
}

struct Lookup<'t> {
    /// The list's name as bound in the file (`ids`, `this.ids`, `self.ids`).
    receiver: String,
    /// `includes`, `in`, `contains`, `slices.Contains`, …
    operation: String,
    /// For a predicate search, the value the element's key is compared with
    /// (`order.customerId` in `(c) => c.id === order.customerId`).
    key: Option<Node<'t>>,
}

/// `ids`, `this.ids`, `self.ids`, `opts.ids`: a receiver whose bindings the
/// file may show (a field of `opts` is bound only when `opts` is typed with
/// one of the file's own interfaces).
fn receiver_name(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<String> {
    match node.kind_str() {
        "identifier" => Some(ctx.text(node).to_string()),
        "member_expression" | "attribute" | "field_access" | "field_expression" => {
            let object = node.field("object").or_else(|| node.field("value"))?;
            let typed_param =
                node.kind_str() == "member_expression" && object.kind_str() == "identifier";
            matches!(object.kind_str(), "this" | "self" | "identifier")
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

fn js_lookup<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Lookup<'t>> {
    if node.kind_str() != "call_expression" {
        return None;
    }
    let (receiver, method) = crate::syntax::member_call(node)?;
    let method = ctx.text(method);
    JS_METHODS.contains(&method).then_some(())?;
    let mut key = None;
    if PREDICATE_METHODS.contains(&method) {
        let callback = node.field("arguments")?.named_child(0)?;
        key = Some(key_equality(ctx, callback)?);
    }
    Some(Lookup {
        receiver: receiver_name(ctx, unsliced(ctx, receiver))?,
        operation: method.to_string(),
        key,
    })
}

/// `log.slice(0, i)` → `log`: a slice of a list is a scan of that list
/// (`log.slice(0, i).some(…)` searches every earlier element), unless its
/// bounds are both literals (`recent.slice(0, 5)`: a fixed handful).
fn unsliced<'t>(ctx: &RuleContext<'_>, receiver: Node<'t>) -> Node<'t> {
    let Some((list, method)) = crate::syntax::member_call(receiver) else {
        return receiver;
    };
    let bounded = receiver.field("arguments").is_some_and(|args| {
        let mut cursor = args.walk();
        let bounds: Vec<Node<'_>> = args.named_children(&mut cursor).collect();
        bounds.len() == 2 && bounds.iter().all(|b| b.kind_str() == "number")
    });
    if ctx.text(method) == "slice" && !bounded {
        list
    } else {
        receiver
    }
}

/// Methods that take a predicate: a lookup only when the predicate compares
/// a key (`c => c.id === order.customerId`); `patterns.some(r => r.test(k))`
/// cannot be replaced by a set.
const PREDICATE_METHODS: &[&str] = &["find", "findIndex", "filter", "some"];

/// `(c) => c.id === id`, `function (c) { return c.id == id; }`,
/// `|s| *s == sku`: an equality between the element (or one of its fields)
/// and a value from outside the callback, which is returned.
pub(super) fn key_equality<'t>(ctx: &RuleContext<'_>, callback: Node<'t>) -> Option<Node<'t>> {
    if !matches!(
        callback.kind_str(),
        "arrow_function" | "function_expression" | "function" | "closure_expression"
    ) {
        return None;
    }
    let params: Vec<&str> = callback
        .field("parameters")
        .or_else(|| callback.field("parameter"))
        .map(|p| {
            preorder(p)
                .filter(|n| n.kind_str() == "identifier")
                .map(|n| ctx.text(n))
                .collect()
        })
        .unwrap_or_default();
    let mut body = callback.field("body")?;
    if matches!(body.kind_str(), "statement_block" | "block") {
        let mut cursor = body.walk();
        let stmts: Vec<Node<'_>> = body
            .named_children(&mut cursor)
            .filter(|n| n.kind_str() != "comment")
            .collect();
        match stmts.as_slice() {
            [only] => match only.kind_str() {
                "return_statement" | "expression_statement" => body = only.named_child(0)?,
                _ => body = *only,
            },
            _ => return None,
        }
    }
    element_key_equality(ctx, crate::syntax::unwrap_expression(body), &params)
}

/// `c.id === id` between the element (named by one of `params`) and an
/// outside value, or one such equality among the operands of `&&`: a
/// composite key (`p.food === item.food && p.prep === item.prep`) is still a
/// key, and a map keyed by it replaces the scan.
fn element_key_equality<'t>(
    ctx: &RuleContext<'_>,
    body: Node<'t>,
    params: &[&str],
) -> Option<Node<'t>> {
    // `(l) => l.slots.some((s) => s.jumperId === j.id)`: a keyed search of
    // the element's own list is a search of the outer list too.
    if body.kind_str() == "call_expression"
        && let Some((receiver, method)) = crate::syntax::member_call(body)
        && matches!(ctx.text(method), "some" | "find" | "findIndex")
        && params.contains(&ctx.text(receiver).split('.').next().unwrap_or_default())
    {
        let inner = body.field("arguments")?.named_child(0)?;
        let key = key_equality(ctx, inner)?;
        let outer_free =
            !preorder(key).any(|n| n.kind_str() == "identifier" && params.contains(&ctx.text(n)));
        return outer_free.then_some(key);
    }
    if body.kind_str() != "binary_expression" {
        return None;
    }
    let operator = body.field("operator").map(|o| ctx.text(o));
    if operator == Some("&&") {
        let (left, right) = (body.field("left")?, body.field("right")?);
        return element_key_equality(ctx, crate::syntax::unwrap_expression(left), params).or_else(
            || element_key_equality(ctx, crate::syntax::unwrap_expression(right), params),
        );
    }
    if !matches!(operator, Some("===" | "==")) {
        return None;
    }
    let mentions = |side: Option<Node<'_>>| {
        side.is_some_and(|s| {
            preorder(s).any(|n| n.kind_str() == "identifier" && params.contains(&ctx.text(n)))
        })
    };
    let (left, right) = (body.field("left")?, body.field("right")?);
    match (mentions(Some(left)), mentions(Some(right))) {
        _ if params.is_empty() => None,
        (true, false) => Some(right),
        (false, true) => Some(left),
        _ => None,
    }
}

fn python_lookup<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Lookup<'t>> {
    match node.kind_str() {
        "comparison_operator" => {
            let mut cursor = node.walk();
            let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
            let at = children
                .iter()
                .position(|c| matches!(c.kind_str(), "in" | "not in"))?;
            let negated = children[at].kind_str() == "not in";
            let right = children[at + 1..].iter().find(|c| c.is_named())?;
            Some(Lookup {
                receiver: receiver_name(ctx, *right)?,
                operation: if negated { "not in" } else { "in" }.to_string(),
                key: None,
            })
        }
        "call" => {
            let function = node.field("function")?;
            if function.kind_str() != "attribute" {
                return None;
            }
            let method = ctx.text(function.field("attribute")?);
            matches!(method, "index" | "count").then_some(())?;
            Some(Lookup {
                receiver: receiver_name(ctx, function.field("object")?)?,
                key: None,
                operation: method.to_string(),
            })
        }
        _ => None,
    }
}

/// `r.id not in [s.id for s in offline]` inside a loop or comprehension: a
/// list comprehension as the right operand of `in`/`not in` is built anew
/// and scanned for every element. Not when it iterates the loop's own
/// element (`[c.id for c in order.items]`: per-iteration data).
fn rebuilt_list_lookup<'t>(
    ctx: &RuleContext<'_>,
    node: Node<'t>,
) -> Option<(Lookup<'t>, Node<'t>)> {
    if node.kind_str() != "comparison_operator" {
        return None;
    }
    let mut cursor = node.walk();
    let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
    let at = children
        .iter()
        .position(|c| matches!(c.kind_str(), "in" | "not in"))?;
    let negated = children[at].kind_str() == "not in";
    let list = children[at + 1..]
        .iter()
        .find(|c| c.is_named())
        .filter(|c| c.kind_str() == "list_comprehension")?;
    let repeat = repeating(ctx, Language::Python, node)?;
    let mut per_element: Vec<&str> = element_names(ctx, Language::Python, repeat);
    if is_comprehension(repeat) {
        let mut inner = repeat.walk();
        for clause in repeat
            .named_children(&mut inner)
            .filter(|c| c.kind_str() == "for_in_clause")
        {
            if let Some(left) = clause.field("left") {
                per_element.extend(identifiers(ctx, left));
            }
        }
    }
    let mut inner = list.walk();
    let sources: Vec<Node<'_>> = list
        .named_children(&mut inner)
        .filter(|c| c.kind_str() == "for_in_clause")
        .filter_map(|c| c.field("right"))
        .collect();
    if sources.is_empty() {
        return None;
    }
    let per_iteration = sources.iter().any(|source| {
        identifiers(ctx, *source).iter().any(|name| {
            per_element.contains(name) || binds_within(ctx, repeat, name, Some(node.start_byte()))
        })
    });
    let constant = sources
        .iter()
        .all(|source| is_constant_name(ctx.text(*source)));
    if per_iteration || constant {
        return None;
    }
    Some((
        Lookup {
            receiver: quote(ctx.text(*list), 50),
            operation: if negated { "not in" } else { "in" }.to_string(),
            key: None,
        },
        repeat,
    ))
}

fn is_comprehension(node: Node<'_>) -> bool {
    matches!(
        node.kind_str(),
        "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression"
    )
}

fn go_lookup<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Lookup<'t>> {
    if node.kind_str() != "call_expression" {
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
        key: None,
        operation: callee.to_string(),
    })
}

fn java_lookup<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Lookup<'t>> {
    if node.kind_str() != "method_invocation" {
        return None;
    }
    let method = ctx.text(node.field("name")?);
    // `entries.stream().filter(e -> e.code.equals(d.drugCode))`: a keyed
    // scan of the collection, whatever consumes it.
    if matches!(method, "filter" | "anyMatch" | "noneMatch") {
        let stream = node.field("object")?;
        (stream.kind_str() == "method_invocation"
            && stream
                .field("name")
                .is_some_and(|n| ctx.text(n) == "stream")
            && stream
                .field("arguments")
                .is_some_and(|a| a.named_child_count() == 0))
        .then_some(())?;
        let callback = node.field("arguments")?.named_child(0)?;
        return Some(Lookup {
            receiver: receiver_name(ctx, stream.field("object")?)?,
            operation: format!("stream().{method}"),
            key: Some(java_key_equality(ctx, callback)?),
        });
    }
    matches!(method, "contains" | "indexOf" | "lastIndexOf").then_some(())?;
    Some(Lookup {
        receiver: receiver_name(ctx, node.field("object")?)?,
        key: None,
        operation: method.to_string(),
    })
}

/// `e -> e.code.equals(code)`, `e -> code.equals(e.code)`, `e -> e.id ==
/// id`, `e -> Objects.equals(e.sku, sku)`: the lambda's single expression
/// compares the element (or one of its fields) with a value from outside.
fn java_key_equality<'t>(ctx: &RuleContext<'_>, callback: Node<'t>) -> Option<Node<'t>> {
    if callback.kind_str() != "lambda_expression" {
        return None;
    }
    let params: Vec<&str> = callback
        .field("parameters")
        .map(|p| {
            preorder(p)
                .filter(|n| n.kind_str() == "identifier")
                .map(|n| ctx.text(n))
                .collect()
        })
        .unwrap_or_default();
    if params.is_empty() {
        return None;
    }
    java_element_key_equality(ctx, callback.field("body")?, &params)
}

/// One side of an equality between the element and an outside value, or of
/// one such equality among the operands of `&&` (`a -> a.blockId().equals(
/// b.id()) && a.code().equals(code)`: a composite key is still a key).
fn java_element_key_equality<'t>(
    ctx: &RuleContext<'_>,
    body: Node<'t>,
    params: &[&str],
) -> Option<Node<'t>> {
    let body = crate::syntax::unwrap_expression(body);
    if body.kind_str() == "binary_expression"
        && body.field("operator").map(|o| ctx.text(o)) == Some("&&")
    {
        return java_element_key_equality(ctx, body.field("left")?, params)
            .or_else(|| java_element_key_equality(ctx, body.field("right")?, params));
    }
    let (left, right) = equality_sides(ctx, body)?;
    match (mentions(ctx, left, params), mentions(ctx, right, params)) {
        (true, false) => Some(right),
        (false, true) => Some(left),
        _ => None,
    }
}

fn rust_lookup<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Lookup<'t>> {
    if node.kind_str() != "call_expression" {
        return None;
    }
    let function = node.field("function")?;
    if function.kind_str() != "field_expression" {
        return None;
    }
    let method = ctx.text(function.field("field")?);
    let receiver = function.field("value")?;
    if method == "contains" {
        return Some(Lookup {
            receiver: receiver_name(ctx, receiver)?,
            key: None,
            operation: method.to_string(),
        });
    }
    // `ids.iter().position(|s| *s == sku)`, `subs.iter().filter(|s| s.user
    // == user).count()`: a keyed scan, whatever consumes it.
    matches!(method, "position" | "find" | "any" | "filter").then_some(())?;
    let callback = node.field("arguments")?.named_child(0)?;
    let key = Some(key_equality(ctx, callback)?);
    let iter_fn = (receiver.kind_str() == "call_expression")
        .then(|| receiver.field("function"))
        .flatten()
        .filter(|f| f.kind_str() == "field_expression")?;
    let iter_name = ctx.text(iter_fn.field("field")?);
    (iter_name == "iter").then_some(())?;
    Some(Lookup {
        receiver: receiver_name(ctx, iter_fn.field("value")?)?,
        operation: format!("iter().{method}"),
        key,
    })
}

/// A loop over another collection nested in a loop (or per-element
/// callback), whose body only looks for the elements matching the outer
/// element: `for _, c := range customers { if c.ID == o.CustomerID { …;
/// break } }`, `for (const r of roles) { if (userRoles.has(r.id)) … }`.
/// Returns the inner loop and what repeats it.
fn nested_search<'t>(
    ctx: &RuleContext<'_>,
    language: Language,
    shapes: &Shapes,
    inner: Node<'t>,
) -> Option<(Node<'t>, Node<'t>)> {
    let iterable = loop_iterable(language, inner)?;
    let collection = collection_path(ctx, iterable)?;
    if is_constant_name(&collection)
        || is_variadic_parameter(ctx, language, inner, &collection)
        || matches!(
            shapes.of_at(&collection, inner.start_byte()),
            Some(Shape::LiteralList | Shape::Str)
        )
    {
        return None;
    }
    let outer = repeating(ctx, language, inner)?;
    // `for b of xs` inside `for a of xs` is pairwise work on one collection
    // (`nested-loop-over-same-collection`), not a lookup in another.
    if loop_iterable(language, outer).and_then(|i| collection_path(ctx, i))
        == Some(collection.clone())
    {
        return None;
    }
    let inner_vars = element_names(ctx, language, inner);
    let outer_vars = element_names(ctx, language, outer);
    if inner_vars.is_empty() || outer_vars.is_empty() {
        return None;
    }
    // Per-outer-element data: the outer element, and names bound from it in
    // the outer body before the inner loop (`const mine = new Set(u.ids)`).
    let per_outer = |side: Node<'_>| {
        identifiers(ctx, side).iter().any(|name| {
            outer_vars.contains(name)
                || (!inner_vars.contains(name)
                    && binds_within(ctx, outer, name, Some(inner.start_byte())))
        })
    };
    // `for (const l of order.lines)`: the outer element's own children.
    if per_outer(iterable) {
        return None;
    }
    let body = loop_body(language, inner)?;
    // `if e.Reference == b.Reference && e.Cents != b.Cents`: a key equality
    // narrowed by further conditions is still a join on that key.
    let conditions = search_conditions(body)
        .into_iter()
        .flat_map(|c| conjuncts(ctx, c));
    let search = conditions.into_iter().any(|condition| {
        if let Some((l, r)) = equality_sides(ctx, condition) {
            let keyed = |inner_side: Node<'_>, outer_side: Node<'_>| {
                mentions(ctx, inner_side, &inner_vars)
                    && per_outer(outer_side)
                    && !mentions(ctx, outer_side, &inner_vars)
            };
            keyed(l, r) || keyed(r, l)
        } else if let Some((set, key)) = membership_sides(ctx, condition) {
            mentions(ctx, key, &inner_vars) && per_outer(set) && !mentions(ctx, set, &inner_vars)
        } else {
            false
        }
    });
    // `for _, sh := range sheets { if sh.BandID != band { continue } … }`:
    // the same join, written as a guard that skips the other elements.
    let guarded = || {
        skip_guard_operands(ctx, body).into_iter().any(|operand| {
            inequality_sides(ctx, operand).is_some_and(|(l, r)| {
                let keyed = |inner_side: Node<'_>, outer_side: Node<'_>| {
                    mentions(ctx, inner_side, &inner_vars)
                        && per_outer(outer_side)
                        && !mentions(ctx, outer_side, &inner_vars)
                };
                keyed(l, r) || keyed(r, l)
            })
        })
    };
    (search || guarded()).then_some((inner, outer))
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
    if repeat.kind_str().contains("comprehension") || repeat.kind_str() == "generator_expression" {
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

fn report_nested(
    ctx: &RuleContext<'_>,
    language: Language,
    inner: Node<'_>,
    outer: Node<'_>,
) -> Finding {
    let inner_over = loop_iterable(language, inner)
        .map(|i| quote(ctx.text(i), 40))
        .unwrap_or_default();
    // `invoices` for a loop over it, `orders.map(…)` for a callback.
    let outer_over = match loop_iterable(language, outer) {
        Some(i) => quote(ctx.text(i), 40),
        None => outer
            .field("function")
            .or_else(|| outer.field("name"))
            .map(|f| format!("{}(…)", quote(ctx.text(f), 40)))
            .unwrap_or_default(),
    };
    let found = if matches!(language, Language::Go) {
        "slice"
    } else {
        "collection"
    };
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
            "This loop over `{inner_over}` looks for the elements that match the current \
             element of `{outer_over}`, so every outer iteration scans `{inner_over}` from the \
             start. The cost is the product of both sizes.\n\n{}",
            fix_for(language)
        ))
        .symptom(format!(
            "A nested loop over `{inner_over}` searches for a match for each element of \
             `{outer_over}`."
        ))
        .root_cause(format!(
            "A {found} is searched linearly once per outer element instead of being indexed once."
        ))
        .fix(format!(
            "{} Keep the behaviour for elements without a match and for duplicate keys (a loop \
             that stops at a match takes the first one).",
            fix_for(language)
        ))
        .scope(
            "Change only the lookup. Do not change what the outer loop produces, its order or \
             its error handling.",
        )
        .build()
}
