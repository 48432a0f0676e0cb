//! What a file's imports and declarations say about other files of the
//! pull request: coroutine functions it imports (`from .alerts import
//! publish` when the PR's `alerts.py` declares `async def publish`, `import
//! { notifyOwner } from "./notify"` when its `notify.ts` exports `async
//! function notifyOwner`), and which of its names hold instances of the PR's
//! classes (whose `async` methods return promises).

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::syntax::NodeExt as _;
use crate::syntax::preorder;

/// Local names (aliases included) of the async functions the file imports
/// from modules of the pull request.
pub(super) fn imported_pr_coroutines<'s>(ctx: &RuleContext<'s>, python: bool) -> HashSet<&'s str> {
    let mut names = HashSet::new();
    if python {
        for node in ctx.nodes_of_kind(&["import_from_statement"]) {
            let Some(module) = node.field("module_name") else {
                continue;
            };
            let Some(stem) = ctx
                .text(module)
                .rsplit('.')
                .next()
                .filter(|s| !s.is_empty())
            else {
                continue;
            };
            let mut cursor = node.walk();
            for imported in node.children_by_field_name("name", &mut cursor) {
                let (name, local) = match imported.kind_str() {
                    "aliased_import" => (imported.field("name"), imported.field("alias")),
                    _ => (Some(imported), Some(imported)),
                };
                add(ctx, &mut names, stem, name, local);
            }
        }
    } else {
        for node in ctx.nodes_of_kind(&["import_statement"]) {
            let Some(stem) = relative_module_stem(ctx, node) else {
                continue;
            };
            for n in preorder(node) {
                if n.kind_str() == "import_specifier" {
                    let name = n.field("name");
                    let local = n.field("alias").or(name);
                    add(ctx, &mut names, stem, name, local);
                }
            }
        }
    }
    names
}

fn add<'s>(
    ctx: &RuleContext<'s>,
    names: &mut HashSet<&'s str>,
    stem: &str,
    name: Option<Node<'s>>,
    local: Option<Node<'s>>,
) {
    if let (Some(name), Some(local)) = (name, local)
        && ctx.pr.async_function_of(stem, ctx.text(name))
    {
        names.insert(ctx.text(local));
    }
}

/// The class of each name the file binds to one class of the pull request
/// only: an instance imported from a PR module (`import { sms } from
/// "../lib/notify"` with `export const sms = new SmsClient(…)` there), a
/// `new C(…)`, or a parameter or field typed `C` (`constructor(private
/// readonly mailer: MailerService)`, `mailer: MailerService;`). Names bound
/// two ways are left out.
pub(super) fn js_bound_classes<'s>(ctx: &RuleContext<'s>) -> HashMap<&'s str, String> {
    let mut bound: HashMap<&'s str, Option<String>> = HashMap::new();
    let mut bind = |name: &'s str, class: Option<String>| {
        bound
            .entry(name)
            .and_modify(|c| {
                if *c != class {
                    *c = None;
                }
            })
            .or_insert(class);
    };
    for node in ctx.nodes_of_kind(&[
        "import_statement",
        "variable_declarator",
        "required_parameter",
        "optional_parameter",
        "public_field_definition",
    ]) {
        match node.kind_str() {
            "import_statement" => {
                let Some(stem) = relative_module_stem(ctx, node) else {
                    continue;
                };
                for n in preorder(node) {
                    if n.kind_str() == "import_specifier"
                        && let Some(name) = n.field("name")
                    {
                        let local = n.field("alias").unwrap_or(name);
                        if let Some(class) = ctx.pr.js_instance_class(stem, ctx.text(name)) {
                            bind(ctx.text(local), Some(class.to_string()));
                        }
                    }
                }
            }
            _ => {
                let name = node
                    .field("name")
                    .or_else(|| node.field("pattern"))
                    .filter(|n| matches!(n.kind_str(), "identifier" | "property_identifier"));
                let Some(name) = name else {
                    continue;
                };
                let constructed = node
                    .field("value")
                    .filter(|v| v.kind_str() == "new_expression")
                    .and_then(|v| v.field("constructor"));
                let annotated = node
                    .field("type")
                    .and_then(|t| t.named_child(0))
                    .filter(|t| t.kind_str() == "type_identifier");
                let class = constructed
                    .or(annotated)
                    .filter(|c| matches!(c.kind_str(), "identifier" | "type_identifier"))
                    .map(|c| ctx.text(c).to_string());
                bind(ctx.text(name), class);
            }
        }
    }
    bound
        .into_iter()
        .filter_map(|(name, class)| class.map(|c| (name, c)))
        .collect()
}

/// The module stem of an import of the project (`./x`, `@/x`, `~/x`).
fn relative_module_stem<'s>(ctx: &RuleContext<'s>, import: Node<'_>) -> Option<&'s str> {
    let source = import.field("source")?;
    let source = ctx.text(source).trim_matches(['"', '\'', '`']);
    if !(source.starts_with('.') || source.starts_with("@/") || source.starts_with("~/")) {
        return None;
    }
    source
        .rsplit('/')
        .next()
        .and_then(|file| file.split('.').next())
        .filter(|s| !s.is_empty())
}
