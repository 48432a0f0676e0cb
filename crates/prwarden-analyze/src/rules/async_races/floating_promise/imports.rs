//! Coroutine functions a file imports from another file of the pull request:
//! `from .alerts import publish` when the PR's `alerts.py` declares
//! `async def publish`, `import { notifyOwner } from "./notify"` when its
//! `notify.ts` exports `async function notifyOwner`.

use std::collections::HashSet;

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::syntax::preorder;

/// Local names (aliases included) of the async functions the file imports
/// from modules of the pull request.
pub(super) fn imported_pr_coroutines<'s>(ctx: &RuleContext<'s>, python: bool) -> HashSet<&'s str> {
    let mut names = HashSet::new();
    if python {
        for node in ctx.nodes_of_kind(&["import_from_statement"]) {
            let Some(module) = node.child_by_field_name("module_name") else {
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
                let (name, local) = match imported.kind() {
                    "aliased_import" => (
                        imported.child_by_field_name("name"),
                        imported.child_by_field_name("alias"),
                    ),
                    _ => (Some(imported), Some(imported)),
                };
                add(ctx, &mut names, stem, name, local);
            }
        }
    } else {
        for node in ctx.nodes_of_kind(&["import_statement"]) {
            let Some(source) = node.child_by_field_name("source") else {
                continue;
            };
            let source = ctx.text(source).trim_matches(['"', '\'', '`']);
            if !(source.starts_with('.') || source.starts_with("@/") || source.starts_with("~/")) {
                continue;
            }
            let Some(stem) = source
                .rsplit('/')
                .next()
                .and_then(|file| file.split('.').next())
                .filter(|s| !s.is_empty())
            else {
                continue;
            };
            for n in preorder(node) {
                if n.kind() == "import_specifier" {
                    let name = n.child_by_field_name("name");
                    let local = n.child_by_field_name("alias").or(name);
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
