//! `input-validation/dynamic-code`: code built from a string at run time (`eval`, `new Function`, `exec`).
//!
//! ## What it does
//! Finds calls that compile and run a string whose value is not a literal:
//! - JavaScript/TypeScript: `eval(x)`, `new Function(…, x)` / `Function(x)`,
//!   and `setTimeout`/`setInterval` given a string or template literal
//!   instead of a function, and MongoDB's `$where` operator given a string
//!   built at run time (`{ $where: \`this.species === '${species}'\` }`,
//!   `filter.$where = "this.n > " + n`), which the database server runs as
//!   JavaScript;
//! - Python: the built-ins `eval(x)` and `exec(x)`.
//!
//! The finding is an **error** when the string is request data in the same
//! handler (see `input-validation/sql-injection` for what counts), a
//! **warning** otherwise.
//!
//! Not reported: string literals (`new Function("return this")`, a fixed
//! `exec("import readline")`), Python files run on purpose
//! (`exec(compile(f.read(), path, "exec"))`, as config loaders do),
//! `ast.literal_eval`, methods that share the
//! name (`model.eval()`, `regex.exec(s)`, `cursor.execute`), and test files.
//!
//! ## Why is this bad?
//! Whoever controls the string controls the process: it runs with the
//! service's permissions, can read its secrets and environment, and reach
//! everything it can reach. Even when the string is trusted today, `eval`
//! hides the code from review, type checking and bundlers. Parsing the data
//! (`JSON.parse`, `ast.literal_eval`) or a lookup table of allowed operations
//! does the same job safely.
//!
//! ## Example
//! ```ts
//! const total = eval(req.body.expression);
//! ```
//!
//! Use instead:
//! ```ts
//! const total = evaluateArithmetic(parseExpression(req.body.expression)); // a parser, not eval
//! ```

use tree_sitter::Node;

use super::built::{RequestData, argument_nodes};
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_test_path, unwrap_expression};

pub static META: RuleMeta = RuleMeta {
    id: "input-validation/dynamic-code",
    item: ChecklistItem::InputValidation,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
    ],
    summary: "eval, new Function, exec or setTimeout(string) run a string that is not a literal",
};

pub struct DynamicCode;

impl Rule for DynamicCode {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let (Some(_), Some(language)) = (ctx.root(), ctx.language) else {
            return;
        };
        if is_test_path(ctx.path) {
            return;
        }
        let kinds: &[&str] = if language == Language::Python {
            &["call"]
        } else {
            &[
                "call_expression",
                "new_expression",
                "pair",
                "assignment_expression",
            ]
        };
        for node in ctx.nodes_in_order(kinds) {
            let found = if language == Language::Python {
                python(ctx, node)
            } else {
                js(ctx, node)
            };
            if let Some((api, code)) = found {
                out.push(report(ctx, language, node, api, code));
            }
        }
    }
}

fn arguments(node: Node<'_>) -> Vec<Node<'_>> {
    node.field("arguments")
        .map(argument_nodes)
        .unwrap_or_default()
}

fn is_js_literal(node: Node<'_>) -> bool {
    match node.kind_str() {
        "string" => true,
        "template_string" => {
            let mut cursor = node.walk();
            !node
                .named_children(&mut cursor)
                .any(|c| c.kind_str() == "template_substitution")
        }
        _ => false,
    }
}

/// MongoDB's `$where` operator: `{ $where: \`this.species === '${s}'\` }` or
/// `filter.$where = …`, given a string built at run time (a template with
/// substitutions, or `+` with a non-literal). The server runs it as
/// JavaScript; a function or a literal string is left alone.
fn mongo_where<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Node<'t>> {
    let (key, value) = match node.kind_str() {
        "pair" => {
            let key = node.field("key")?;
            let name = match key.kind_str() {
                "property_identifier" => ctx.text(key),
                "string" => ctx.text(key).trim_matches(['"', '\'']),
                _ => return None,
            };
            (name, node.field("value")?)
        }
        "assignment_expression" => {
            let left = node.field("left")?;
            let name = match left.kind_str() {
                "member_expression" => ctx.text(left.field("property")?),
                "subscript_expression" => ctx.text(left.field("index")?).trim_matches(['"', '\'']),
                _ => return None,
            };
            (name, node.field("right")?)
        }
        _ => return None,
    };
    if key != "$where" {
        return None;
    }
    let value = unwrap_expression(value);
    let built = match value.kind_str() {
        "template_string" => !is_js_literal(value),
        "binary_expression" => {
            value.field("operator").is_some_and(|o| ctx.text(o) == "+")
                && crate::syntax::preorder(value).any(|n| {
                    matches!(
                        n.kind_str(),
                        "identifier" | "member_expression" | "call_expression"
                    )
                })
        }
        _ => false,
    };
    built.then_some(value)
}

fn js<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<(&'static str, Node<'t>)> {
    if matches!(node.kind_str(), "pair" | "assignment_expression") {
        return mongo_where(ctx, node).map(|code| ("$where", code));
    }
    let callee = match node.kind_str() {
        "call_expression" => node.field("function")?,
        "new_expression" => node.field("constructor")?,
        _ => return None,
    };
    let name = ctx.text(unwrap_expression(callee));
    let args = arguments(node);
    match name {
        "eval" | "window.eval" | "globalThis.eval" => {
            let code = *args.first()?;
            (!is_js_literal(code)).then_some(("eval", code))
        }
        "Function" | "window.Function" | "globalThis.Function" => {
            // The body is the last argument; parameters come first.
            let code = *args.last()?;
            (!args.iter().all(|a| is_js_literal(*a))).then_some(("new Function", code))
        }
        "setTimeout" | "setInterval" | "window.setTimeout" | "window.setInterval" => {
            let code = *args.first()?;
            matches!(code.kind_str(), "string" | "template_string")
                .then_some(("setTimeout(string)", code))
        }
        _ => None,
    }
}

fn python<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<(&'static str, Node<'t>)> {
    if node.kind_str() != "call" {
        return None;
    }
    let function = node.field("function")?;
    if function.kind_str() != "identifier" {
        return None;
    }
    let api = match ctx.text(function) {
        "eval" => "eval",
        "exec" => "exec",
        _ => return None,
    };
    let code = *arguments(node).first()?;
    let literal = code.kind_str() == "string" && {
        let mut cursor = code.walk();
        !code
            .named_children(&mut cursor)
            .any(|c| c.kind_str() == "interpolation")
    };
    // `exec(compile(f.read(), filename, "exec"))` runs a Python file (a
    // config module, a startup script): executing code is its purpose.
    let compiled_file = code.kind_str() == "call"
        && code
            .field("function")
            .is_some_and(|f| ctx.text(f) == "compile");
    (!literal && !compiled_file && code.kind_str() != "keyword_argument").then_some((api, code))
}

fn report(
    ctx: &RuleContext<'_>,
    language: Language,
    call: Node<'_>,
    api: &str,
    code: Node<'_>,
) -> Finding {
    let shown = quote(ctx.text(code), 60);
    let request = RequestData::for_node(ctx, language, call);
    let is_request = request.contains(ctx, language, ctx.text(code))
        || matches!(
            code.kind_str(),
            "template_string" | "string" | "binary_expression"
        ) && crate::syntax::preorder(code).any(|n| {
            matches!(
                n.kind_str(),
                "identifier" | "member_expression" | "attribute"
            ) && request.contains(ctx, language, ctx.text(n))
        });
    let (why, fix) = if api == "$where" {
        (
            "MongoDB runs a `$where` string as JavaScript on the database server, for every \
             document scanned.",
            "Express the condition with query operators instead (`{ species: value }`, \
             `$regex` with escaped input or a collation for case-insensitive matches), and \
             never splice values into `$where`.",
        )
    } else if api == "setTimeout(string)" {
        (
            "A string passed to `setTimeout`/`setInterval` is compiled like `eval` every time \
             it fires.",
            "Pass a function instead of a string: `setTimeout(() => refresh(id), 1000)`.",
        )
    } else if language == Language::Python {
        (
            "`eval`/`exec` run arbitrary Python with the service's permissions.",
            "Parse the data instead: `ast.literal_eval` for Python literals, `json.loads` for \
             JSON, or a dict of allowed operations for commands.",
        )
    } else {
        (
            "`eval`/`new Function` run arbitrary JavaScript with the service's permissions.",
            "Parse the data instead (`JSON.parse`, a small expression parser) or dispatch \
             through an object of allowed operations.",
        )
    };
    let mut finding = ctx
        .node_finding(&META, code)
        .title(if is_request {
            format!("Request data `{shown}` executed as code by `{api}`")
        } else {
            format!("`{api}` runs code built at run time: `{shown}`")
        })
        .message(format!(
            "`{shown}` is compiled and executed as code. {why} Whoever controls that string \
             controls the process{}.\n\n{fix}",
            if is_request {
                ", and here it comes from the request"
            } else {
                ""
            }
        ))
        .symptom(format!("`{api}` executes `{shown}` as code."))
        .root_cause(
            "Data is turned into code at run time instead of being parsed or mapped to a fixed \
             set of operations.",
        )
        .fix(fix)
        .scope(
            "Keep the feature's accepted inputs and results the same for legitimate values; do \
             not add a sandbox library or touch unrelated code.",
        )
        .build();
    if is_request {
        finding.severity = Severity::Error;
    }
    finding
}
