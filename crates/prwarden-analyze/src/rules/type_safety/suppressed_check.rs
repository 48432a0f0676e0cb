//! `type-safety/suppressed-check`: the type checker told to look away.
//!
//! ## What it does
//! Finds comments and annotations that silence type errors instead of fixing
//! them:
//! - TypeScript/JavaScript: `// @ts-ignore`, `// @ts-nocheck`, and
//!   `eslint-disable` directives for the type-safety rules of
//!   typescript-eslint (`no-explicit-any`, `no-unsafe-*`, `ban-ts-comment`,
//!   `no-non-null-assertion`);
//! - Python: `# type: ignore` / `# pyright: ignore` without an error code;
//! - Java: `@SuppressWarnings("unchecked")` / `"rawtypes"` (reported as
//!   **info**: mature generic code uses it deliberately around a checked cast).
//!
//! Not reported: `@ts-expect-error` (it fails once the error is gone),
//! `# type: ignore[code]` (the code names the one error that is accepted),
//! `eslint-disable` directives that carry a `-- reason`, directives in
//! comments that only mention them, and test files.
//!
//! ## Why is this bad?
//! A suppression hides the error it was written for and every error that
//! later appears on the same line or file. Agents add them to make the build
//! green; the mismatch the checker found is still there and surfaces at
//! runtime. A `@ts-nocheck` switches checking off for the whole file.
//!
//! ## Example
//! ```ts
//! // @ts-ignore
//! const user: User = await res.json();
//! ```
//!
//! Use instead:
//! ```ts
//! const user = UserSchema.parse(await res.json());
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::is_test_path;

pub static META: RuleMeta = RuleMeta {
    id: "type-safety/suppressed-check",
    item: ChecklistItem::TypeSafety,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Java,
    ],
    summary: "@ts-ignore, @ts-nocheck, eslint-disable of type rules, bare # type: ignore, @SuppressWarnings(\"unchecked\")",
};

pub struct SuppressedCheck;

impl Rule for SuppressedCheck {
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
        let kinds: &[&str] = match language {
            Language::Python => &["comment"],
            Language::Java => &["annotation"],
            l if l.is_js_family() => &["comment"],
            _ => &[],
        };
        for node in ctx.nodes_in_order(kinds) {
            let found = match language {
                Language::Python if node.kind_str() == "comment" => python(ctx.text(node)),
                Language::Java if node.kind_str() == "annotation" => java(ctx, node),
                l if l.is_js_family() && node.kind_str() == "comment" => js(ctx.text(node)),
                _ => None,
            };
            if let Some(kind) = found {
                out.push(report(ctx, language, node, kind));
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Kind {
    TsIgnore,
    TsNoCheck,
    EslintDisable,
    PythonIgnore,
    JavaUnchecked,
}

const TYPE_RULES: &[&str] = &[
    "@typescript-eslint/no-explicit-any",
    "@typescript-eslint/no-unsafe-",
    "@typescript-eslint/ban-ts-comment",
    "@typescript-eslint/ban-ts-ignore",
    "@typescript-eslint/no-non-null-assertion",
];

fn js(comment: &str) -> Option<Kind> {
    let body = comment
        .trim_start_matches("//")
        .trim_start_matches("/*")
        .trim_start_matches(['*', ' ', '\t']);
    if body.starts_with("@ts-ignore") {
        return Some(Kind::TsIgnore);
    }
    if body.starts_with("@ts-nocheck") {
        return Some(Kind::TsNoCheck);
    }
    if body.starts_with("eslint-disable") {
        let (rules, reason) = body.split_once(" --").unwrap_or((body, ""));
        if reason.trim().trim_end_matches("*/").trim().is_empty()
            && TYPE_RULES.iter().any(|r| rules.contains(r))
        {
            return Some(Kind::EslintDisable);
        }
    }
    None
}

fn python(comment: &str) -> Option<Kind> {
    let body = comment.trim_start_matches('#').trim_start();
    for directive in ["type: ignore", "type:ignore", "pyright: ignore"] {
        if let Some(rest) = body.strip_prefix(directive) {
            return (!rest.trim_start().starts_with('[')).then_some(Kind::PythonIgnore);
        }
    }
    None
}

fn java(ctx: &RuleContext<'_>, annotation: Node<'_>) -> Option<Kind> {
    let name = ctx.text(annotation.field("name")?);
    if name != "SuppressWarnings" && name != "java.lang.SuppressWarnings" {
        return None;
    }
    let args = ctx.text(annotation.field("arguments")?);
    (args.contains("\"unchecked\"") || args.contains("\"rawtypes\"")).then_some(Kind::JavaUnchecked)
}

fn report(ctx: &RuleContext<'_>, language: Language, node: Node<'_>, kind: Kind) -> Finding {
    let line = ctx.line(node);
    let directive = quote(ctx.text(node), 80);
    let (what, fix) = match kind {
        Kind::TsIgnore => (
            "`@ts-ignore` hides the type error on the next line, and any error added to that \
             line later",
            "Remove `@ts-ignore` and fix the type error it hides (narrow the type, validate the \
             data at the boundary, or correct the declaration). If the error is a known library \
             bug, use `// @ts-expect-error <reason>` so the suppression fails once it is fixed.",
        ),
        Kind::TsNoCheck => (
            "`@ts-nocheck` switches type checking off for the whole file",
            "Remove `@ts-nocheck` and fix the type errors in this file; suppress a single \
             unavoidable error with `// @ts-expect-error <reason>` on its line.",
        ),
        Kind::EslintDisable => (
            "This `eslint-disable` turns off a type-safety rule without saying why",
            "Remove the directive and fix what the rule reports (replace `any` with a real \
             type or `unknown` plus narrowing). If it must stay, add `-- <reason>` to the \
             directive and limit it to the one line.",
        ),
        Kind::PythonIgnore => (
            "A bare `# type: ignore` hides every type error on this line, present and future",
            "Fix the type error (a correct annotation, a `cast` after a real check, or a typed \
             stub). If it must stay, narrow it to the one error code: `# type: ignore[code]`.",
        ),
        Kind::JavaUnchecked => (
            "`@SuppressWarnings(\"unchecked\")`/`\"rawtypes\"` hides unchecked generic \
             conversions that can fail with a `ClassCastException` far from the cause",
            "Use parameterised types instead of raw ones; where an unchecked cast is truly \
             needed, put it on the narrowest declaration with a comment explaining why it is \
             safe.",
        ),
    };
    let symbol = ctx.symbol_at(node.start_byte(), node.end_byte());
    let code = format!("{} {}", ctx.text(node).trim(), ctx.line_text(line).trim());
    let mut finding = ctx
        .finding(&META, line, symbol, &code)
        .title(format!(
            "Type check suppressed: `{}`",
            quote(&directive, 50)
        ))
        .message(format!(
            "{what}. The mismatch the checker found is still there and will surface at \
             runtime instead.\n\n{fix}"
        ))
        .symptom(format!("`{directive}` suppresses type checking."))
        .root_cause(
            "A type error was silenced instead of being fixed, so the code's types no longer \
             describe what it does.",
        )
        .fix(fix)
        .scope(format!(
            "Fix only the error this suppression hides; do not change runtime behaviour, do \
             not add new suppressions elsewhere, and do not loosen the {} configuration.",
            if language == Language::Python {
                "mypy/pyright"
            } else if language == Language::Java {
                "compiler"
            } else {
                "tsconfig/eslint"
            }
        ))
        .build();
    if matches!(kind, Kind::JavaUnchecked) {
        finding.severity = Severity::Info;
    }
    finding
}
