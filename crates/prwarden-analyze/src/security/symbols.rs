//! The named definitions (functions, methods, classes) and decorators of a
//! parsed JS-family or Python file, with the lines they span, so that the
//! detector can tell which of them a change defines or touches.

use tree_sitter::Node;

use crate::syntax::NodeExt as _;
use crate::syntax::{preorder, unwrap_expression};

/// A function, method or class with a name.
pub(super) struct Definition {
    /// The plain name (`verifyPassword`, `AuthService`), without `#` or
    /// quotes.
    pub name: String,
    /// 1-based line of the name.
    pub name_line: u32,
    /// 1-based first and last line of the whole definition.
    pub start_line: u32,
    pub end_line: u32,
    /// A class that extends an error type (`class PaymentFailed(Exception)`,
    /// `class AuthFailure extends HttpError`).
    pub extends_error: bool,
}

/// A decorator (`@login_required`, `@UseGuards(AuthGuard("jwt"))`).
pub(super) struct Decorator {
    /// What is applied, without `@` and arguments: `login_required`,
    /// `auth.login_required`, `UseGuards`.
    pub callee: String,
    pub start_line: u32,
    pub end_line: u32,
}

/// Every named definition and every decorator of the file, in document
/// order. Anonymous functions passed as callbacks have no name and are not
/// definitions.
pub(super) fn collect(root: Node<'_>, source: &str) -> (Vec<Definition>, Vec<Decorator>) {
    let mut definitions = Vec::new();
    let mut decorators = Vec::new();
    for node in preorder(root) {
        if node.kind_str() == "decorator" {
            if let Some(callee) = decorator_callee(node, source) {
                decorators.push(Decorator {
                    callee,
                    start_line: start_line(node),
                    end_line: end_line(node),
                });
            }
            continue;
        }
        if let Some((name_node, span)) = definition_name(node) {
            let name = text(name_node, source)
                .trim_start_matches('#')
                .trim_matches(['"', '\'', '`']);
            if !name.is_empty() {
                definitions.push(Definition {
                    name: name.to_string(),
                    name_line: start_line(name_node),
                    start_line: start_line(span),
                    end_line: end_line(span),
                    extends_error: extends_error(span, source),
                });
            }
        }
    }
    (definitions, decorators)
}

/// The name node of a definition and the node whose lines it spans.
fn definition_name(node: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    let name_of = |field: &str| node.field(field);
    match node.kind_str() {
        // JS family and Python declarations that carry their own name.
        "function_declaration"
        | "generator_function_declaration"
        | "method_definition"
        | "class_declaration"
        | "abstract_class_declaration"
        | "function_definition"
        | "class_definition" => {
            let name = name_of("name")?;
            plain_name(name).then_some((name, node))
        }
        // `const login = async () => …`, `class Foo { login = () => … }`,
        // `{ login: () => … }`, `exports.login = function () …`: the
        // function or class takes the name it is bound to.
        "variable_declarator" | "public_field_definition" | "field_definition" | "pair" => {
            let value = unwrap_expression(node.field("value")?);
            if !is_function_or_class(value) {
                return None;
            }
            let name = name_of("name")
                .or_else(|| name_of("property"))
                .or_else(|| name_of("key"))?;
            plain_name(name).then_some((name, node))
        }
        "assignment_expression" => {
            let value = unwrap_expression(node.field("right")?);
            if !is_function_or_class(value) {
                return None;
            }
            let left = node.field("left")?;
            let name = match left.kind_str() {
                "identifier" => left,
                "member_expression" => left.field("property")?,
                _ => return None,
            };
            plain_name(name).then_some((name, node))
        }
        _ => None,
    }
}

/// Whether a class lists a base whose name ends in `Error` or `Exception`.
fn extends_error(node: Node<'_>, source: &str) -> bool {
    let mut cursor = node.walk();
    let bases = node.field("superclasses").into_iter().chain(
        node.named_children(&mut cursor)
            .filter(|c| c.kind_str() == "class_heritage"),
    );
    bases
        .map(|b| text(b, source))
        .flat_map(|t| t.split(|c: char| !c.is_ascii_alphanumeric() && c != '_'))
        .any(|base| base.ends_with("Error") || base.ends_with("Exception"))
}

/// Identifiers and string keys name a definition; a computed key or a
/// destructuring pattern does not.
fn plain_name(node: Node<'_>) -> bool {
    matches!(
        node.kind_str(),
        "identifier"
            | "property_identifier"
            | "private_property_identifier"
            | "type_identifier"
            | "string"
    )
}

fn is_function_or_class(node: Node<'_>) -> bool {
    matches!(
        node.kind_str(),
        "arrow_function" | "function_expression" | "function" | "generator_function" | "class"
    )
}

/// `@a.b.c(…)` → `a.b.c`; `@name` → `name`.
fn decorator_callee(decorator: Node<'_>, source: &str) -> Option<String> {
    let mut cursor = decorator.walk();
    let mut expression = decorator
        .named_children(&mut cursor)
        .find(|n| !crate::syntax::is_comment(*n))?;
    if matches!(expression.kind_str(), "call_expression" | "call") {
        expression = expression.field("function")?;
    }
    matches!(
        expression.kind_str(),
        "identifier" | "member_expression" | "attribute"
    )
    .then(|| crate::context::normalise_code(text(expression, source)))
}

fn text<'s>(node: Node<'_>, source: &'s str) -> &'s str {
    source.get(node.byte_range()).unwrap_or("")
}

pub(super) fn start_line(node: Node<'_>) -> u32 {
    u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX)
}

pub(super) fn end_line(node: Node<'_>) -> u32 {
    u32::try_from(node.end_position().row + 1).unwrap_or(u32::MAX)
}
