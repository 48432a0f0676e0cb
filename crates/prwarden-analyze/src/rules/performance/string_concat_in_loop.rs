//! `performance/string-concat-in-loop`: a string built with `+=` inside a
//! loop.
//!
//! ## What it does
//! Finds `s += …` inside a loop body (or a per-element callback, or a
//! Python comprehension) when the file shows that `s` is a string and that
//! it lives across iterations:
//! - Python: `s = ""`, `s: str`, `s = str(…)`;
//! - Java: `String s`;
//! - Go: `var s string`, `s := ""`.
//!
//! Not reported: a variable of unknown type (`total += price` may be a
//! number), a string declared or reset inside the loop body (bounded per
//! iteration), loops over a literal list or with a small literal bound
//! (`for i := 0; i < 3; i++`, `range(3)`), and test files.
//!
//! JavaScript/TypeScript and Rust are not checked: JS engines represent
//! concatenations as ropes, so `s += x` in a loop is amortised linear there,
//! and Rust's `String += &str` appends in place.
//!
//! ## Why is this bad?
//! Strings are immutable in Java, Go and Python: each `+=` copies everything
//! built so far, so building a string of n pieces costs O(n²) time and
//! allocations. It is invisible for ten rows and dominates the request for a
//! 50,000-row export. CPython avoids the copy in some cases (PEP 8 still
//! asks for `"".join`), which is why this rule is informational.
//!
//! ## Example
//! ```java
//! String csv = "";
//! for (Order order : orders) {
//!     csv += order.getId() + "," + order.getTotal() + "\n";
//! }
//! ```
//!
//! Use instead:
//! ```java
//! StringBuilder csv = new StringBuilder();
//! for (Order order : orders) {
//!     csv.append(order.getId()).append(',').append(order.getTotal()).append('\n');
//! }
//! ```

use tree_sitter::Node;

use super::shapes::{Shape, binds_within, prepare, repeating};
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::is_loop;

pub static META: RuleMeta = RuleMeta {
    id: "performance/string-concat-in-loop",
    item: ChecklistItem::Performance,
    severity: Severity::Info,
    languages: &[Language::Python, Language::Go, Language::Java],
    summary: "A string built with `+=` inside a loop (quadratic copying)",
};

pub struct StringConcatInLoop;

impl Rule for StringConcatInLoop {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some((language, shapes)) = prepare(ctx) else {
            return;
        };
        let assignment = match language {
            Language::Python => "augmented_assignment",
            Language::Go => "assignment_statement",
            Language::Java => "assignment_expression",
            _ => return,
        };
        for node in ctx.nodes_in_order(&[assignment]) {
            if node.kind_str() != assignment {
                continue;
            }
            let operator = node.field("operator").map(|o| ctx.text(o));
            let Some(left) = node.field("left") else {
                continue;
            };
            // Go wraps the target in an expression list.
            let target = if left.kind_str() == "expression_list" && left.named_child_count() == 1 {
                left.named_child(0).unwrap_or(left)
            } else {
                left
            };
            if operator != Some("+=") || target.kind_str() != "identifier" {
                continue;
            }
            let name = ctx.text(target);
            if shapes.of(name) != Some(Shape::Str) {
                continue;
            }
            let Some(repeat) = repeating(ctx, language, node) else {
                continue;
            };
            // Declared or reset in the loop body: it only grows within one
            // iteration.
            if is_loop(language, repeat) && binds_within(ctx, repeat, name, Some(node.start_byte()))
            {
                continue;
            }
            out.push(report(ctx, language, node, name));
        }
    }
}

fn report(ctx: &RuleContext<'_>, language: Language, node: Node<'_>, name: &str) -> Finding {
    let code = quote(ctx.text(node), 60);
    let remedy = match language {
        Language::Java => format!(
            "Use a `StringBuilder` (`sb.append(…)` in the loop, `sb.toString()` after it), or \
             `String.join`/`Collectors.joining` over the parts, instead of `{name} += …`."
        ),
        Language::Go => format!(
            "Use a `strings.Builder` (`b.WriteString(…)` in the loop, `b.String()` after it; \
             `b.Grow(n)` if the size is known), or collect the parts in a `[]string` and \
             `strings.Join` them, instead of `{name} += …`."
        ),
        _ => format!(
            "Collect the parts in a list and `\"\".join(parts)` after the loop (or use \
             `io.StringIO`), instead of `{name} += …`."
        ),
    };
    ctx.node_finding(&META, node)
        .title(format!("String `{name}` built with `+=` inside a loop"))
        .message(format!(
            "`{code}` appends to the string `{name}` on every iteration. Each `+=` copies the \
             whole string built so far, so n pieces cost O(n²) copying and allocation — \
             noticeable for large exports, reports and generated files.\n\n{remedy}"
        ))
        .symptom(format!(
            "`{name}` is built by repeated string concatenation (`{code}`) inside a loop."
        ))
        .root_cause(
            "Strings are immutable: every concatenation allocates a new string and copies the \
             old content into it.",
        )
        .fix(format!(
            "{remedy} The resulting string must be byte-for-byte identical, separators and \
             trailing newline included."
        ))
        .scope(
            "Change only how this string is accumulated. Do not change the content, the loop's \
             other work or the function's signature.",
        )
        .build()
}
