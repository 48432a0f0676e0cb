//! `type-safety/explicit-any`: the `any` type written out in TypeScript.
//!
//! ## What it does
//! Finds `any` in every type position of TypeScript and TSX code — parameter,
//! variable, property and return type annotations, `as any` casts, generic
//! arguments (`Array<any>`, `Promise<any>`, `Record<string, any>`), array
//! types (`any[]`) and type aliases. It reads the syntax tree, so `any` in a
//! comment, a string or an identifier is not a finding, and neither is
//! `unknown`. Several `any`s on one line are reported once.
//!
//! ## Why is this bad?
//! `any` switches type checking off for every use of the value and spreads
//! silently to whatever it flows into. The bugs the compiler would have
//! caught — a misspelt property, a missing `await`, a wrong argument — show
//! up at runtime instead. Agents reach for `any` to make an error go away.
//!
//! ## Example
//! ```ts
//! function total(order: any): number {
//!   return order.items.reduce((sum: number, item: any) => sum + item.price, 0);
//! }
//! ```
//!
//! Use instead:
//! ```ts
//! interface OrderItem { price: number }
//! interface Order { items: OrderItem[] }
//!
//! function total(order: Order): number {
//!   return order.items.reduce((sum, item) => sum + item.price, 0);
//! }
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;

pub static META: RuleMeta = RuleMeta {
    id: "type-safety/explicit-any",
    item: ChecklistItem::TypeSafety,
    severity: Severity::Warning,
    languages: &[Language::TypeScript, Language::Tsx],
    summary: "The `any` type in a TypeScript type position",
};

pub struct ExplicitAny;

impl Rule for ExplicitAny {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(_) = ctx.root() else {
            return;
        };
        let anys: Vec<Node<'_>> = ctx
            .nodes_in_order(&["predefined_type"])
            .into_iter()
            .filter(|n| ctx.text(*n) == "any")
            .collect();
        // One comment per line: `(a: any, b: any)` is one decision to fix.
        let mut i = 0;
        while i < anys.len() {
            let line = ctx.line(anys[i]);
            let same_line = anys[i..]
                .iter()
                .take_while(|n| ctx.line(**n) == line)
                .count();
            out.push(report(ctx, anys[i], same_line - 1));
            i += same_line;
        }
    }
}

/// Where an `any` sits, in words a reviewer would use.
enum Position {
    Parameter(String),
    Variable(String),
    Property(String),
    CatchParameter(String),
    Return,
    Cast(String),
    TypeAlias(String),
    /// `new Map<string, any>()`, `useState<any>()`: what the argument is for.
    TypeArgument(String),
    /// `<T = any>`, `<T extends any>`.
    TypeParameter(String),
    Other,
}

impl Position {
    fn describe(&self) -> String {
        match self {
            Position::Parameter(name) => format!("parameter `{name}`"),
            Position::Variable(name) => format!("variable `{name}`"),
            Position::Property(name) => format!("property `{name}`"),
            Position::CatchParameter(name) => format!("catch parameter `{name}`"),
            Position::Return => "return type".to_string(),
            Position::Cast(expr) => format!("cast `{expr} as any`"),
            Position::TypeAlias(name) => format!("type alias `{name}`"),
            Position::TypeArgument(owner) => format!("type argument of `{owner}`"),
            Position::TypeParameter(name) => format!("type parameter `{name}`"),
            Position::Other => "type annotation".to_string(),
        }
    }

    fn advice(&self) -> &'static str {
        match self {
            Position::Cast(_) => {
                "A cast to `any` silences the compiler instead of fixing the mismatch it reported. \
                 Fix the types at their source, or narrow the value with a type guard; if a cast \
                 is truly unavoidable, cast to the precise target type."
            }
            Position::CatchParameter(_) => {
                "Type the caught value `unknown` (what `useUnknownInCatchVariables` gives you) \
                 and narrow it, e.g. `if (err instanceof Error)`, before reading its properties."
            }
            Position::TypeArgument(_) | Position::TypeParameter(_) => {
                "Pass the real element type (`Array<User>`, `Promise<Order>`), or `unknown` when \
                 the contents really are unknown and are narrowed before use."
            }
            _ => {
                "Give it its real type (import it or declare an interface). When the value really \
                 is untrusted — parsed JSON, a request body, a third-party payload — type it \
                 `unknown` and narrow it with a type guard or a schema (zod, valibot) before use."
            }
        }
    }
}

/// Type nodes that can wrap `any` without changing what it annotates:
/// `Array<any>`, `any[]`, `any | null`, …
const TYPE_WRAPPERS: &[&str] = &[
    "type_arguments",
    "generic_type",
    "array_type",
    "union_type",
    "intersection_type",
    "parenthesized_type",
    "tuple_type",
    "readonly_type",
    "optional_type",
    "rest_type",
];

fn position<'t>(ctx: &RuleContext<'_>, any: Node<'t>) -> (Position, Node<'t>) {
    let mut outer = any;
    while let Some(parent) = outer.parent() {
        if !TYPE_WRAPPERS.contains(&parent.kind_str()) {
            break;
        }
        // `foo<any>()`: the type arguments belong to a call, stop there.
        if parent.kind_str() == "type_arguments"
            && let Some(owner) = parent.parent()
            && !TYPE_WRAPPERS.contains(&owner.kind_str())
        {
            let callee = owner
                .field("function")
                .or_else(|| owner.field("constructor"))
                .or_else(|| owner.named_child(0))
                .filter(|n| *n != parent)
                .map(|n| quote(ctx.text(n), 40))
                .unwrap_or_default();
            return (Position::TypeArgument(callee), parent);
        }
        outer = parent;
    }
    let Some(parent) = outer.parent() else {
        return (Position::Other, outer);
    };
    let name_of = |node: Node<'_>, field: &str| {
        node.field(field)
            .map(|n| quote(ctx.text(n), 40))
            .unwrap_or_default()
    };
    let position = match parent.kind_str() {
        "type_annotation" => match parent.parent() {
            Some(owner) => match owner.kind_str() {
                "required_parameter" | "optional_parameter" => {
                    Position::Parameter(name_of(owner, "pattern"))
                }
                "variable_declarator" => Position::Variable(name_of(owner, "name")),
                "public_field_definition" | "property_signature" => {
                    Position::Property(name_of(owner, "name"))
                }
                "catch_clause" => Position::CatchParameter(name_of(owner, "parameter")),
                _ if owner.field("return_type") == Some(parent) => Position::Return,
                _ => Position::Other,
            },
            None => Position::Other,
        },
        "as_expression" => Position::Cast(
            parent
                .named_child(0)
                .map(|n| quote(ctx.text(n), 40))
                .unwrap_or_default(),
        ),
        "type_alias_declaration" => Position::TypeAlias(name_of(parent, "name")),
        "default_type" | "constraint" => match parent.parent() {
            Some(param) if param.kind_str() == "type_parameter" => {
                Position::TypeParameter(name_of(param, "name"))
            }
            _ => Position::Other,
        },
        _ => Position::Other,
    };
    (position, outer)
}

fn report(ctx: &RuleContext<'_>, any: Node<'_>, more_on_line: usize) -> Finding {
    let (position, outer) = position(ctx, any);
    let described = position.describe();
    let type_text = quote(ctx.text(outer), 60);
    let symbol = ctx.symbol_for(any);
    // A type alias is its own symbol: "`Handler` in `Handler`" says nothing.
    let in_symbol = match (&position, symbol.as_deref()) {
        (Position::TypeAlias(_), _) | (_, None) => String::new(),
        (Position::Return, Some(s)) => format!(" of `{s}`"),
        (_, Some(s)) => format!(" in `{s}`"),
    };

    let (title, opening) = match &position {
        Position::Cast(expr) => (
            format!("`{expr}` is cast to `any`"),
            format!(
                "`{expr}` is cast to `any`{in_symbol}, which switches type checking off for \
                 everything that uses the result."
            ),
        ),
        Position::Return => (
            format!("`any` in the return type{in_symbol}"),
            format!(
                "The return type{in_symbol} is `{type_text}`, so every caller receives an \
                 unchecked value and the `any` spreads into their code."
            ),
        ),
        Position::TypeAlias(name) => (
            format!("Type alias `{name}` is `any`"),
            format!(
                "`{name}` is an alias of `{type_text}`: every value declared with it is \
                 unchecked, and the `any` spreads into all code that uses them."
            ),
        ),
        Position::TypeArgument(owner) => (
            format!("`any` as a type argument of `{owner}`"),
            format!(
                "`{owner}` is instantiated with `{type_text}`{in_symbol}: every value it stores \
                 or returns is unchecked, and the `any` spreads into the code that reads them."
            ),
        ),
        Position::TypeParameter(name) => (
            format!("`any` as the default or bound of type parameter `{name}`"),
            format!(
                "Type parameter `{name}`{in_symbol} falls back to `any` when callers do not \
                 specify it, so uses without an explicit type argument are unchecked."
            ),
        ),
        Position::Other => (
            "`any` in a type annotation".to_string(),
            format!(
                "This type annotation{in_symbol} uses `{type_text}`, which switches type checking \
                 off for every use of the value."
            ),
        ),
        _ => (
            format!("`any` in the type of {described}"),
            format!(
                "The {described}{in_symbol} is typed `{type_text}`. `any` switches type checking \
                 off for every use of the value — property accesses, calls and assignments are \
                 unchecked — and spreads silently into whatever it flows into."
            ),
        ),
    };
    let more = match more_on_line {
        0 => String::new(),
        1 => " This line has one more `any`; the same applies to it.".to_string(),
        n => format!(" This line has {n} more `any`s; the same applies to them."),
    };
    let message = format!("{opening}\n\n{}{more}", position.advice());

    // The annotated name plus the type identifies the finding within its
    // symbol; line numbers never enter it.
    let code = format!("{described}: {}", ctx.text(outer));
    ctx.finding(&META, ctx.line(any), symbol.clone(), &code)
        .title(title)
        .message(message)
        .symptom(format!(
            "The {described}{in_symbol} is typed `{type_text}`, so the compiler does not check how \
             it is used."
        ))
        .root_cause(
            "The real type was not modelled; `any` was used to make the compiler accept the code, \
             so type errors involving this value will only show up at runtime.",
        )
        .fix(format!(
            "Replace `any` in the {described} with its precise type (import or declare it), or \
             with `unknown` narrowed by a type guard or schema before use. Fix any type errors \
             this reveals in the code that uses it properly, without new casts.{}",
            if more_on_line > 0 {
                " Do the same for the other `any`s on this line."
            } else {
                ""
            }
        ))
        .scope(
            "Change only the types at this location and what is strictly needed to compile with \
             them. Do not change runtime behaviour. Do not replace `any` with `as unknown as …`, \
             `@ts-ignore`, `@ts-expect-error` or an eslint-disable comment. Leave other lines' \
             `any`s to their own findings.",
        )
        .build()
}
