//! What a loop body looks like when its only job is to find the elements
//! that match something: the syntax both `performance` rules use to tell a
//! search (replaceable by a set or map) from real work done per pair.

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::Language;
use crate::syntax::NodeExt as _;
use crate::syntax::{is_loop, preorder, statements, unwrap_expression};

/// The collection a loop iterates, as a plain path: `xs`, `this.items`,
/// `self.items`, `order.lines`; Rust `&xs`, `xs.iter()` → `xs`. `None` for
/// anything computed (calls other than `.iter()`, slices, literals).
pub(super) fn collection_path(ctx: &RuleContext<'_>, iterable: Node<'_>) -> Option<String> {
    let mut node = iterable;
    loop {
        match node.kind_str() {
            "reference_expression" | "parenthesized_expression" => {
                node = node.named_child(node.named_child_count().checked_sub(1)?)?;
            }
            // `xs.iter()`, `xs.iter().enumerate()`, Python `enumerate(xs)`.
            "call_expression" | "call" => {
                let function = node.field("function")?;
                let args = node.field("arguments")?;
                let method = function.field("field").map(|f| ctx.text(f));
                if function.kind_str() == "field_expression"
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
            n.kind_str(),
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

/// `STATUSES`, `Config.DEFAULT_ROLES`: a constant, by convention a small
/// fixed table rather than data that grows.
pub(super) fn is_constant_name(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.len() > 1
        && last.chars().any(|c| c.is_ascii_uppercase())
        && last
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The names a loop binds for each element (`x` in `for x of xs`, `_, c` in
/// Go's `range`, Rust's pattern), or a per-element callback's parameters
/// (`o` in `orders.map((o) => …)`). Empty for counting and condition loops.
pub(super) fn element_names<'s>(
    ctx: &RuleContext<'s>,
    language: Language,
    repeat: Node<'_>,
) -> Vec<&'s str> {
    let binder = if is_loop(language, repeat) {
        match (language, repeat.kind_str()) {
            (Language::Go, "for_statement") => {
                let mut cursor = repeat.walk();
                let clause = repeat
                    .named_children(&mut cursor)
                    .find(|c| c.kind_str() == "range_clause");
                clause.and_then(|c| c.field("left"))
            }
            (Language::Java, "enhanced_for_statement") => repeat.field("name"),
            (Language::Rust, "for_expression") => repeat.field("pattern"),
            (_, "for_in_statement" | "for_statement") => repeat.field("left"),
            _ => None,
        }
    } else {
        // A per-element callback: the call whose first argument is the
        // function.
        repeat
            .field("arguments")
            .and_then(|a| a.named_child(0))
            .and_then(|f| f.field("parameters").or_else(|| f.field("parameter")))
    };
    binder
        .map(|b| {
            preorder(b)
                .filter(|n| {
                    matches!(
                        n.kind_str(),
                        "identifier" | "shorthand_property_identifier_pattern"
                    ) && ctx.text(*n) != "_"
                })
                .map(|n| ctx.text(n))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `node` mentions one of `names` as a variable.
pub(super) fn mentions(ctx: &RuleContext<'_>, node: Node<'_>, names: &[&str]) -> bool {
    preorder(node).any(|n| n.kind_str() == "identifier" && names.contains(&ctx.text(n)))
}

/// The identifiers `node` mentions.
pub(super) fn identifiers<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Vec<&'s str> {
    preorder(node)
        .filter(|n| n.kind_str() == "identifier")
        .map(|n| ctx.text(n))
        .collect()
}

/// The two sides of an equality test: `a == b`, `a === b`, Python `a == b`,
/// Java `a.equals(b)` / `Objects.equals(a, b)`.
pub(super) fn equality_sides<'t>(
    ctx: &RuleContext<'_>,
    condition: Node<'t>,
) -> Option<(Node<'t>, Node<'t>)> {
    let condition = unwrap_expression(condition);
    if condition.kind_str() != "method_invocation" {
        return comparison_sides(ctx, condition, &["==", "==="]);
    }
    let name = ctx.text(condition.field("name")?);
    let args = condition.field("arguments")?;
    match (name, condition.field("object"), args.named_child_count()) {
        ("equals", Some(object), 1) if ctx.text(object) != "Objects" => {
            Some((object, args.named_child(0)?))
        }
        ("equals", Some(object), 2) if ctx.text(object) == "Objects" => {
            Some((args.named_child(0)?, args.named_child(1)?))
        }
        _ => None,
    }
}

/// The two sides of a binary comparison whose operator is one of
/// `operators` (`binary_expression`; Python's `comparison_operator` with
/// the first of them).
fn comparison_sides<'t>(
    ctx: &RuleContext<'_>,
    condition: Node<'t>,
    operators: &[&str],
) -> Option<(Node<'t>, Node<'t>)> {
    match condition.kind_str() {
        "binary_expression" => {
            let operator = ctx.text(condition.field("operator")?);
            operators.contains(&operator).then_some(())?;
            Some((condition.field("left")?, condition.field("right")?))
        }
        "comparison_operator" => {
            let mut cursor = condition.walk();
            let children: Vec<Node<'t>> = condition.children(&mut cursor).collect();
            match children.as_slice() {
                [a, op, b] if Some(&op.kind_str()) == operators.first() => Some((*a, *b)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A membership test, as `(set, key)`: `set.has(key)`, `set.contains(key)`,
/// `set.includes(key)`, `map.containsKey(key)`, Python `key in set`.
pub(super) fn membership_sides<'t>(
    ctx: &RuleContext<'_>,
    condition: Node<'t>,
) -> Option<(Node<'t>, Node<'t>)> {
    let condition = unwrap_expression(condition);
    if condition.kind_str() == "comparison_operator" {
        let mut cursor = condition.walk();
        let children: Vec<Node<'t>> = condition.children(&mut cursor).collect();
        return match children.as_slice() {
            [key, op, set] if op.kind_str() == "in" => Some((*set, *key)),
            _ => None,
        };
    }
    let (set, method) = crate::syntax::method_call(condition)?;
    let args = condition.field("arguments")?;
    (args.named_child_count() == 1
        && matches!(
            ctx.text(method),
            "has" | "contains" | "includes" | "containsKey"
        ))
    .then_some(())?;
    Some((set, args.named_child(0)?))
}

/// The operands of a chain of logical ANDs (`a == b && c != d` → `a == b`,
/// `c != d`; Python `and`), or the condition itself.
pub(super) fn conjuncts<'t>(ctx: &RuleContext<'_>, condition: Node<'t>) -> Vec<Node<'t>> {
    let condition = unwrap_expression(condition);
    let is_and = match condition.kind_str() {
        "binary_expression" => condition
            .field("operator")
            .is_some_and(|o| ctx.text(o) == "&&"),
        "boolean_operator" => condition
            .field("operator")
            .is_some_and(|o| ctx.text(o) == "and"),
        _ => false,
    };
    if !is_and {
        return vec![condition];
    }
    let mut out = Vec::new();
    for side in [condition.field("left"), condition.field("right")]
        .into_iter()
        .flatten()
    {
        out.extend(conjuncts(ctx, side));
    }
    out
}

/// The statements of a loop body (a bare statement body is its only one).
fn body_statements<'t>(body: Node<'t>) -> Vec<Node<'t>> {
    let block = matches!(
        body.kind_str(),
        "statement_block" | "block" | "compound_statement"
    );
    if !block {
        return vec![body];
    }
    let mut out = Vec::new();
    for stmt in statements(body) {
        // Go wraps a block's statements in a `statement_list`.
        if stmt.kind_str() == "statement_list" {
            out.extend(statements(stmt));
        } else {
            out.push(stmt);
        }
    }
    out.into_iter()
        .map(|s| {
            if s.kind_str() == "expression_statement" {
                s.named_child(0).unwrap_or(s)
            } else {
                s
            }
        })
        .collect()
}

/// The conditions of the `if`s that make a loop body a search: an `if`
/// whose branch leaves the loop (`break`/`return`: a find-first), or an `if`
/// without `else` that is the body's only statement (a filter or join: the
/// loop does nothing for the elements that do not match).
pub(super) fn search_conditions<'t>(body: Node<'t>) -> Vec<Node<'t>> {
    let stmts = body_statements(body);
    let only = stmts.len() == 1;
    stmts
        .into_iter()
        .filter(|s| matches!(s.kind_str(), "if_statement" | "if_expression"))
        .filter(|s| {
            let Some(consequence) = s.field("consequence") else {
                return false;
            };
            let exits = preorder(consequence).any(|n| {
                matches!(
                    n.kind_str(),
                    "break_statement"
                        | "return_statement"
                        | "break_expression"
                        | "return_expression"
                )
            });
            exits || (only && s.field("alternative").is_none())
        })
        .filter_map(|s| s.field("condition"))
        .collect()
}

/// The operands of a skip guard opening a loop body, `if x.k != key {
/// continue }` (Python `if … or x.k != key: continue`): the loop works only
/// on the elements that pass every operand — a filter written inside out.
/// Operands of `||`/`or`, or the condition itself.
pub(super) fn skip_guard_operands<'t>(ctx: &RuleContext<'_>, body: Node<'t>) -> Vec<Node<'t>> {
    let Some(first) = body_statements(body).into_iter().next() else {
        return Vec::new();
    };
    if !matches!(first.kind_str(), "if_statement" | "if_expression")
        || first.field("alternative").is_some()
    {
        return Vec::new();
    }
    let (Some(consequence), Some(condition)) =
        (first.field("consequence"), first.field("condition"))
    else {
        return Vec::new();
    };
    let only_continue = matches!(
        body_statements(consequence)
            .iter()
            .map(|s| s.kind_str())
            .collect::<Vec<_>>()
            .as_slice(),
        ["continue_statement" | "continue_expression"]
    );
    if !only_continue {
        return Vec::new();
    }
    disjuncts(ctx, condition)
}

fn disjuncts<'t>(ctx: &RuleContext<'_>, condition: Node<'t>) -> Vec<Node<'t>> {
    let condition = unwrap_expression(condition);
    let is_or = match condition.kind_str() {
        "binary_expression" => condition
            .field("operator")
            .is_some_and(|o| ctx.text(o) == "||"),
        "boolean_operator" => condition
            .field("operator")
            .is_some_and(|o| ctx.text(o) == "or"),
        _ => false,
    };
    if !is_or {
        return vec![condition];
    }
    [condition.field("left"), condition.field("right")]
        .into_iter()
        .flatten()
        .flat_map(|side| disjuncts(ctx, side))
        .collect()
}

/// The two sides of an inequality test: `a != b`, `a !== b`, Python `a != b`.
pub(super) fn inequality_sides<'t>(
    ctx: &RuleContext<'_>,
    condition: Node<'t>,
) -> Option<(Node<'t>, Node<'t>)> {
    comparison_sides(ctx, unwrap_expression(condition), &["!=", "!=="])
}

/// Whether `name` is a variadic or rest parameter of a function around
/// `node` (Go `ids ...int`, `...ids`, Java `String... ids`, Python `*ids`):
/// arguments written out at each call site, a handful by construction.
pub(super) fn is_variadic_parameter(
    ctx: &RuleContext<'_>,
    language: Language,
    node: Node<'_>,
    name: &str,
) -> bool {
    let mut current = crate::syntax::enclosing_function(language, node);
    while let Some(function) = current {
        let params = function
            .field("parameters")
            .or_else(|| function.field("parameter"));
        let variadic = params.is_some_and(|p| {
            preorder(p).any(|n| {
                matches!(
                    n.kind_str(),
                    "variadic_parameter_declaration"
                        | "rest_pattern"
                        | "spread_parameter"
                        | "list_splat_pattern"
                ) && preorder(n).any(|i| i.kind_str() == "identifier" && ctx.text(i) == name)
            })
        });
        if variadic {
            return true;
        }
        current = crate::syntax::enclosing_function(language, function);
    }
    false
}
