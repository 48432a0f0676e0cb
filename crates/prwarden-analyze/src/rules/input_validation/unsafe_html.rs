//! `input-validation/unsafe-html`: markup built from values inserted into the page without sanitising.
//!
//! ## What it does
//! Finds HTML sinks given a value that is not a literal and not passed
//! through a sanitiser:
//! - `element.innerHTML = …` / `outerHTML = …` (and `+=`);
//! - `element.insertAdjacentHTML(position, …)` and `document.write(…)`;
//! - map popups that set their content as HTML — Leaflet's
//!   `marker.bindPopup(…)`/`bindTooltip`/`setPopupContent`/`setTooltipContent`,
//!   Mapbox's `popup.setHTML(…)` — given markup the code builds (a template
//!   or `+` concatenation with a tag in it);
//! - React `dangerouslySetInnerHTML={{ __html: … }}`.
//!
//! A value counts as sanitised when it is (or is a local variable assigned
//! from) a call to `DOMPurify.sanitize`, `sanitizeHtml`, `sanitize`,
//! `xss(…)` or an `escape…` function, when every value spliced into a
//! template is escaped that way, or when its name says so (`safeHtml`,
//! `sanitized`, `escaped`, `cleanHtml`).
//!
//! Not reported: string literals and templates without substitutions
//! (`el.innerHTML = ""`), `textContent`/`innerText`, and test files.
//!
//! ## Why is this bad?
//! Whatever reaches these sinks is parsed as HTML, so a `<img src=x
//! onerror=…>` inside a user's name, a comment or an API response runs
//! script in the page with the user's session (stored or reflected XSS).
//! Text APIs or a sanitiser make the value inert.
//!
//! ## Example
//! ```tsx
//! <div className="comment" dangerouslySetInnerHTML={{ __html: comment.body }} />
//! ```
//!
//! Use instead:
//! ```tsx
//! <div className="comment" dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(comment.body) }} />
//! ```

use tree_sitter::Node;

use super::built::local_initializer;
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{identifier_words, is_test_path, member_call, preorder, unwrap_expression};

pub static META: RuleMeta = RuleMeta {
    id: "input-validation/unsafe-html",
    item: ChecklistItem::InputValidation,
    severity: Severity::Warning,
    languages: &[Language::TypeScript, Language::Tsx, Language::JavaScript],
    summary: "innerHTML, insertAdjacentHTML, document.write or dangerouslySetInnerHTML with an unsanitised value",
};

pub struct UnsafeHtml;

impl Rule for UnsafeHtml {
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
        for node in ctx.nodes_in_order(&[
            "assignment_expression",
            "augmented_assignment_expression",
            "call_expression",
            "jsx_attribute",
        ]) {
            let Some((sink, value)) = sink(ctx, node) else {
                continue;
            };
            if is_safe(ctx, language, value) {
                continue;
            }
            out.push(report(ctx, value, sink));
        }
    }
}

fn sink<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<(&'static str, Node<'t>)> {
    match node.kind_str() {
        "assignment_expression" | "augmented_assignment_expression" => {
            let left = node.field("left")?;
            if left.kind_str() != "member_expression" {
                return None;
            }
            let property = ctx.text(left.field("property")?);
            let sink = match property {
                "innerHTML" => "innerHTML",
                "outerHTML" => "outerHTML",
                _ => return None,
            };
            Some((sink, node.field("right")?))
        }
        "call_expression" => {
            let (receiver, method) = member_call(node)?;
            let args = node.field("arguments")?;
            match ctx.text(method) {
                "insertAdjacentHTML" => Some(("insertAdjacentHTML", args.named_child(1)?)),
                "write" | "writeln" if ctx.text(receiver) == "document" => {
                    Some(("document.write", args.named_child(0)?))
                }
                // Leaflet's `marker.bindPopup(html)` / `bindTooltip` /
                // `setPopupContent`, Mapbox's `popup.setHTML(html)`: a
                // string is set as the popup's `innerHTML`. Only markup the
                // code builds (a template or `+` with a tag) is judged.
                name @ ("bindPopup" | "bindTooltip" | "setPopupContent" | "setTooltipContent"
                | "setHTML") => {
                    let value = args.named_child(0)?;
                    builds_markup(ctx, value).then_some((
                        match name {
                            "bindPopup" => "bindPopup",
                            "bindTooltip" => "bindTooltip",
                            "setPopupContent" => "setPopupContent",
                            "setTooltipContent" => "setTooltipContent",
                            _ => "setHTML",
                        },
                        value,
                    ))
                }
                _ => None,
            }
        }
        "jsx_attribute" => {
            let name = node.named_child(0)?;
            if ctx.text(name) != "dangerouslySetInnerHTML" {
                return None;
            }
            // `{{ __html: value }}`.
            let html = preorder(node).find(|n| {
                n.kind_str() == "pair"
                    && n.field("key")
                        .is_some_and(|k| ctx.text(k).trim_matches(['"', '\'']) == "__html")
            })?;
            Some(("dangerouslySetInnerHTML", html.field("value")?))
        }
        _ => None,
    }
}

/// A template literal or `+` concatenation whose text holds an HTML tag
/// (`<strong>${name}</strong>`).
fn builds_markup(ctx: &RuleContext<'_>, value: Node<'_>) -> bool {
    let value = unwrap_expression(value);
    matches!(value.kind_str(), "template_string" | "binary_expression")
        && ctx
            .text(value)
            .split('<')
            .skip(1)
            .any(|rest| rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/'))
}

fn sanitiser_call(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("sanitize")
        || lower.contains("sanitise")
        || lower.contains("purify")
        || lower.contains("escape")
        || lower.starts_with("xss(")
        || lower.contains("filterxss(")
}

fn safe_name(name: &str) -> bool {
    identifier_words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "safe" | "sanitized" | "sanitised" | "escaped" | "clean" | "purified" | "trusted"
        )
    })
}

fn is_safe(ctx: &RuleContext<'_>, language: Language, value: Node<'_>) -> bool {
    let value = unwrap_expression(value);
    match value.kind_str() {
        "string" | "number" | "null" | "undefined" => true,
        "template_string" => {
            let mut cursor = value.walk();
            value
                .named_children(&mut cursor)
                .filter(|c| c.kind_str() == "template_substitution")
                .all(|c| c.named_child(0).is_some_and(|e| is_safe(ctx, language, e)))
        }
        "binary_expression" => {
            let parts = [value.field("left"), value.field("right")];
            parts
                .into_iter()
                .all(|p| p.is_some_and(|p| is_safe(ctx, language, p)))
        }
        "call_expression" => value
            .field("function")
            .is_some_and(|f| sanitiser_call(ctx.text(f)) || safe_name(ctx.text(f))),
        "identifier" => {
            let name = ctx.text(value);
            safe_name(name)
                || name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                || local_initializer(ctx, language, value)
                    .is_some_and(|init| init != value && is_safe(ctx, language, init))
        }
        "member_expression" => {
            let property = value.field("property").map(|p| ctx.text(p)).unwrap_or("");
            safe_name(property)
        }
        "ternary_expression" => ["consequence", "alternative"]
            .into_iter()
            .all(|f| value.field(f).is_some_and(|v| is_safe(ctx, language, v))),
        _ => false,
    }
}

fn report(ctx: &RuleContext<'_>, value: Node<'_>, sink: &str) -> Finding {
    let shown = quote(ctx.text(value), 60);
    ctx.node_finding(&META, value)
        .title(format!("`{shown}` inserted as HTML through `{sink}`"))
        .message(format!(
            "`{shown}` is parsed as HTML by `{sink}` without being sanitised. If any part of \
             it comes from a user or an API, markup like `<img src=x onerror=…>` in it runs \
             script in the page with the user's session (XSS).\n\nInsert text with \
             `textContent` / normal JSX children, or sanitise the markup first with \
             `DOMPurify.sanitize(…)`."
        ))
        .symptom(format!("`{sink}` receives `{shown}` without sanitising."))
        .root_cause(
            "A value is inserted into the DOM as markup instead of as text, and nothing \
             removes active content from it.",
        )
        .fix(
            "If the value is plain text, render it as text (`textContent`, JSX children). If \
             it must be HTML (rendered Markdown, rich text), pass it through \
             `DOMPurify.sanitize` (or the project's sanitiser) right before insertion.",
        )
        .scope(
            "Keep the rendered output the same for legitimate content; do not add a new \
             sanitiser dependency if the project already has one, and do not touch other sinks.",
        )
        .build()
}
