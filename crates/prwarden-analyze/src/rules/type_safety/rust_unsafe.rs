//! `type-safety/rust-unsafe`: `unsafe` code without a `SAFETY:` justification.
//!
//! ## What it does
//! Finds `unsafe { … }` blocks, `unsafe fn` and `unsafe impl` in Rust code
//! that carry no `// SAFETY:` comment (in the comment block just above, on
//! the three lines above, or first in the block) and, for `unsafe fn`, no `# Safety` doc section. A block that
//! calls `mem::transmute` says so in the finding; a justified block that
//! calls `transmute` is still reported, as transmute deserves its own look.
//! Reported as **info**: unsafe code may be perfectly right; the finding
//! asks for the proof to be written down.
//!
//! Not reported: test code (`#[cfg(test)]`, `#[test]`, test paths).
//!
//! ## Why is this bad?
//! Inside `unsafe` the compiler stops checking memory safety and the
//! programmer takes over. Without a written argument for why each invariant
//! holds (aliasing, alignment, lifetimes, initialisation), nobody can review
//! it and the next change silently breaks it — with undefined behaviour, not
//! a panic. `transmute` reinterprets bits with no check at all.
//!
//! ## Example
//! ```rust,ignore
//! let header = unsafe { &*(buf.as_ptr() as *const Header) };
//! ```
//!
//! Use instead:
//! ```rust,ignore
//! // SAFETY: `buf` is at least `size_of::<Header>()` bytes (checked above) and
//! // `Header` is `#[repr(C)]` with alignment 1.
//! let header = unsafe { &*(buf.as_ptr() as *const Header) };
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::Rule;
use crate::syntax::NodeExt as _;
use crate::syntax::{in_rust_test, is_test_path, preorder};

pub static META: RuleMeta = RuleMeta {
    id: "type-safety/rust-unsafe",
    item: ChecklistItem::TypeSafety,
    severity: Severity::Info,
    languages: &[Language::Rust],
    summary: "`unsafe` block, fn or impl without a `SAFETY:` comment; `mem::transmute`",
};

pub struct RustUnsafe;

impl Rule for RustUnsafe {
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
        for node in ctx.nodes_in_order(&[
            "unsafe_block",
            "function_item",
            "impl_item",
            "call_expression",
        ]) {
            let what = match node.kind_str() {
                "unsafe_block" => Some("unsafe block"),
                "function_item" if has_unsafe_modifier(ctx, node) => Some("unsafe fn"),
                "impl_item" if starts_with_unsafe(ctx, node) => Some("unsafe impl"),
                "call_expression" if is_transmute(ctx, node) => Some("transmute"),
                _ => None,
            };
            let Some(what) = what else {
                continue;
            };
            if in_rust_test(node, ctx.source) {
                continue;
            }
            if what == "transmute" {
                // An unjustified block around it is reported already.
                if enclosing_unsafe(node).is_none_or(|b| !justified(ctx, b)) {
                    continue;
                }
            } else if justified(ctx, node) {
                continue;
            }
            out.push(report(ctx, node, what));
        }
    }
}

fn has_unsafe_modifier(ctx: &RuleContext<'_>, function: Node<'_>) -> bool {
    let mut cursor = function.walk();
    function
        .children(&mut cursor)
        .any(|c| c.kind_str() == "function_modifiers" && ctx.text(c).contains("unsafe"))
}

fn starts_with_unsafe(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    ctx.text(node).starts_with("unsafe")
}

fn is_transmute(ctx: &RuleContext<'_>, call: Node<'_>) -> bool {
    call.field("function").is_some_and(|f| {
        let text = ctx.text(f);
        let head = text.split("::<").next().unwrap_or(text);
        head == "transmute" || head.ends_with("::transmute")
    })
}

fn enclosing_unsafe(node: Node<'_>) -> Option<Node<'_>> {
    std::iter::successors(node.parent(), Node::parent).find(|n| n.kind_str() == "unsafe_block")
}

/// A `SAFETY:` comment on the three lines above the construct (or its
/// statement), or first inside the block; a `# Safety` doc section for an
/// `unsafe fn`.
fn justified(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    let line = ctx.line(node);
    let mut context = ctx.line_text(line).to_string();
    // The comment block right above (any length), or the three lines above
    // when the construct sits inside a longer statement.
    let mut l = line.saturating_sub(1);
    let mut taken = 0;
    while l > 0 {
        let text = ctx.line_text(l).trim_start();
        let comment = text.starts_with("//")
            || text.starts_with("#[")
            || text.starts_with("/*")
            || text.starts_with('*');
        if !comment && taken >= 3 {
            break;
        }
        context.push('\n');
        context.push_str(text);
        taken += 1;
        l -= 1;
    }
    // First lines inside the block.
    let body = ctx.text(node);
    context.push_str(&body.chars().take(200).collect::<String>());
    let lower = context.to_ascii_lowercase();
    if lower.contains("safety:") || lower.contains("# safety") {
        return true;
    }
    // Doc comments of an `unsafe fn` can be long: look further up.
    if node.kind_str() == "function_item" {
        let mut l = line.saturating_sub(1);
        while l > 0 {
            let text = ctx.line_text(l).trim_start();
            if !(text.starts_with("///") || text.starts_with("#[")) {
                break;
            }
            if text.to_ascii_lowercase().contains("# safety") {
                return true;
            }
            l -= 1;
        }
    }
    false
}

fn report(ctx: &RuleContext<'_>, node: Node<'_>, what: &str) -> Finding {
    let transmute = what == "transmute"
        || preorder(node).any(|n| n.kind_str() == "call_expression" && is_transmute(ctx, n));
    let code = ctx.line_text(ctx.line(node)).trim().to_string();
    let (title, detail) = if what == "transmute" {
        (
            "`mem::transmute` reinterprets bits unchecked".to_string(),
            "`transmute` reinterprets the bits of one type as another with no check of size \
             validity, alignment or lifetimes; a safe conversion (`from_ne_bytes`, `as`, \
             `bytemuck::cast`, `TryFrom`) usually exists.",
        )
    } else {
        (
            format!("`{what}` without a `SAFETY:` comment"),
            "Inside `unsafe` the compiler no longer checks memory safety; the invariants it \
             relies on must be stated so that reviewers can check them and later changes do \
             not silently break them.",
        )
    };
    ctx.finding(&META, ctx.line(node), ctx.symbol_for(node), &code)
        .title(title)
        .message(format!(
            "{detail}{}\n\nPrefer a safe API; if `unsafe` is required, document why it is sound \
             with a `// SAFETY:` comment (a `# Safety` doc section for an `unsafe fn`).",
            if transmute && what != "transmute" {
                " This block also calls `mem::transmute`."
            } else {
                ""
            }
        ))
        .symptom(format!(
            "`{}` has no written safety argument.",
            crate::rules::quote(&code, 60)
        ))
        .root_cause("Unsafe code was added without stating the invariants that make it sound.")
        .fix(
            "Replace the unsafe code with a safe equivalent if one exists; otherwise add a \
             `// SAFETY:` comment explaining why every requirement of the unsafe operation \
             holds here, and keep the unsafe region as small as possible.",
        )
        .scope("Do not change behaviour or widen the unsafe region; touch only this code.")
        .build()
}
