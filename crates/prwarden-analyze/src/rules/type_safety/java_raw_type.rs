//! `type-safety/java-raw-type`: a generic Java collection used without type arguments.
//!
//! ## What it does
//! Finds raw uses of the standard generic types (`List`, `ArrayList`,
//! `Map`, `HashMap`, `Set`, `Optional`, `Iterator`, `Comparator`,
//! `Function`, `Stream`, …) as the type of a variable, field, parameter or
//! return value, in `new ArrayList()` and in casts, also as a type argument
//! of another type (`List<Map>`, the usual shape of an untyped MyBatis or
//! JDBC-template row list).
//!
//! Not reported: the diamond (`new ArrayList<>()`), `Class` (raw `Class` is
//! common and mostly harmless), `List` in files that import `java.awt.List`,
//! and test files.
//!
//! ## Why is this bad?
//! A raw type switches generic type checking off: the compiler accepts any
//! element going in and inserts unchecked casts coming out, so a wrong
//! element fails with a `ClassCastException` far from where it was added.
//! Raw types exist only for compatibility with pre-Java-5 code.
//!
//! ## Example
//! ```java
//! List names = new ArrayList();
//! ```
//!
//! Use instead:
//! ```java
//! List<String> names = new ArrayList<>();
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::Rule;
use crate::syntax::NodeExt as _;
use crate::syntax::is_test_path;

pub static META: RuleMeta = RuleMeta {
    id: "type-safety/java-raw-type",
    item: ChecklistItem::TypeSafety,
    severity: Severity::Warning,
    languages: &[Language::Java],
    summary: "A generic collection type (`List`, `Map`, `new ArrayList()`, …) used without type arguments",
};

pub struct JavaRawType;

const GENERIC_TYPES: &[&str] = &[
    "List",
    "ArrayList",
    "LinkedList",
    "Map",
    "HashMap",
    "LinkedHashMap",
    "TreeMap",
    "ConcurrentHashMap",
    "Set",
    "HashSet",
    "LinkedHashSet",
    "TreeSet",
    "Collection",
    "Iterable",
    "Iterator",
    "Optional",
    "Queue",
    "Deque",
    "ArrayDeque",
    "Comparator",
    "Future",
    "CompletableFuture",
    "Supplier",
    "Function",
    "Consumer",
    "Predicate",
    "Stream",
];

impl Rule for JavaRawType {
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
        let awt_list = ctx.source.contains("import java.awt.List;")
            || ctx.source.contains("import java.awt.*;");
        for node in ctx.nodes_in_order(&[
            "local_variable_declaration",
            "field_declaration",
            "formal_parameter",
            "method_declaration",
            "object_creation_expression",
            "cast_expression",
        ]) {
            let ty = match node.kind_str() {
                "local_variable_declaration"
                | "field_declaration"
                | "formal_parameter"
                | "method_declaration"
                | "object_creation_expression"
                | "cast_expression" => node.field("type"),
                _ => None,
            };
            let Some(ty) = ty else {
                continue;
            };
            let Some(raw) = raw_type_in(ctx, ty, awt_list) else {
                continue;
            };
            out.push(report(ctx, raw, node, ctx.text(raw)));
        }
    }
}

/// The first raw generic type in `ty`: `ty` itself, or one of its type
/// arguments at any depth (`List<Map>`, `Map<String, List>`). Wildcards and
/// parameterised arguments are not raw.
fn raw_type_in<'t>(ctx: &RuleContext<'_>, ty: Node<'t>, awt_list: bool) -> Option<Node<'t>> {
    match ty.kind_str() {
        "type_identifier" => {
            let name = ctx.text(ty);
            (GENERIC_TYPES.contains(&name) && !(awt_list && name == "List")).then_some(ty)
        }
        "generic_type" => {
            let args = ty
                .named_children(&mut ty.walk())
                .find(|c| c.kind_str() == "type_arguments")?;
            let mut cursor = args.walk();
            let mut arguments = args.named_children(&mut cursor);
            arguments.find_map(|arg| raw_type_in(ctx, arg, awt_list))
        }
        _ => None,
    }
}

fn report(ctx: &RuleContext<'_>, ty: Node<'_>, context: Node<'_>, name: &str) -> Finding {
    let example = match name {
        "Map" | "HashMap" | "LinkedHashMap" | "TreeMap" | "ConcurrentHashMap" => {
            format!("{name}<String, Order>")
        }
        "Comparator" | "Supplier" | "Consumer" | "Predicate" | "Optional" | "Future"
        | "CompletableFuture" | "Stream" | "Iterator" | "Iterable" => format!("{name}<Order>"),
        "Function" => "Function<Order, Invoice>".to_string(),
        _ => format!("{name}<String>"),
    };
    let place = if context.kind_str() == "object_creation_expression" {
        format!("`new {name}()` without `<>`")
    } else {
        format!("raw `{name}`")
    };
    ctx.finding(&META, ctx.line(ty), ctx.symbol_for(ty), ctx.text(context))
        .title(format!("Raw type: {place}"))
        .message(format!(
            "{place} switches generic type checking off: the compiler accepts any element and \
             inserts unchecked casts, so a wrong element fails later with a \
             `ClassCastException`.\n\nGive it its type arguments (`{example}`), or use the \
             diamond `new {name}<>()` when the declared type already has them."
        ))
        .symptom(format!("`{name}` is used without type arguments."))
        .root_cause("A generic type is used raw, so its element types are not checked.")
        .fix(format!(
            "Add the element type arguments (`{example}`) here and wherever the value flows, \
             removing the casts that become unnecessary."
        ))
        .scope("Change types only; do not change behaviour or unrelated declarations.")
        .build()
}
