//! `type-safety/go-empty-interface`: `interface{}` / `any` as a parameter or result of an exported Go function.
//!
//! ## What it does
//! Finds exported functions and methods whose parameters or results are
//! exactly `interface{}` or `any`, and parameters that are maps of them
//! (`meta map[string]interface{}`: a bag of untyped values whose keys and
//! value types only the documentation states). Reported as **info**: a
//! heuristic, since some APIs are generic by design (renderers, encoders).
//!
//! Not reported: variadic `...interface{}` / `...any` (the `fmt.Printf`-style
//! logging wrapper), other containers (`[]any`, and results such as a
//! decoded JSON `map[string]any`), unexported functions, methods that implement standard
//! interfaces with an `any` in their signature (`Scan`, `Value`, `As`,
//! `MarshalYAML`, `UnmarshalYAML`; and as methods, echo's `Validate`,
//! `Render` and `Bind`, heap's `Push`/`Pop`, `Is`, codecs' `Marshal`,
//! `Unmarshal`, `Encode`, `Decode`), generics (`func F[T any]`), and test
//! files.
//!
//! ## Why is this bad?
//! An exported `any` moves type checking from the compiler to every caller's
//! runtime: callers may pass anything, and the function needs type switches
//! that panic or silently ignore what it did not foresee. Since Go 1.18 a
//! type parameter or a small interface usually says what is meant.
//!
//! ## Example
//! ```go
//! func Publish(topic string, payload interface{}) error
//! ```
//!
//! Use instead:
//! ```go
//! func Publish[T Event](topic string, payload T) error
//! ```

use tree_sitter::Node;

/// Methods whose `any` a well-known interface dictates: echo's `Validator`
/// (`Validate(i any) error`), `Renderer` and `Binder`, `container/heap`'s
/// `Push(x any)`/`Pop() any`, `errors.Is` targets, and the codecs of gRPC,
/// grpc-gateway and friends (`Marshal(v any)`, `Unmarshal(data, v any)`,
/// `Encode`/`Decode`). The author cannot choose another type.
fn implements_library_interface(method: &str) -> bool {
    matches!(
        method,
        "Validate"
            | "Render"
            | "Bind"
            | "Push"
            | "Pop"
            | "Is"
            | "Marshal"
            | "Unmarshal"
            | "Encode"
            | "Decode"
    )
}

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::Rule;
use crate::syntax::NodeExt as _;
use crate::syntax::is_test_path;

pub static META: RuleMeta = RuleMeta {
    id: "type-safety/go-empty-interface",
    item: ChecklistItem::TypeSafety,
    severity: Severity::Info,
    languages: &[Language::Go],
    summary: "`interface{}`/`any` parameter or result in an exported Go function",
};

pub struct GoEmptyInterface;

impl Rule for GoEmptyInterface {
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
        for function in ctx.nodes_in_order(&["function_declaration", "method_declaration"]) {
            let Some(name) = function.field("name") else {
                continue;
            };
            let name = ctx.text(name);
            let exported = name.chars().next().is_some_and(|c| c.is_ascii_uppercase());
            let method = function.kind_str() == "method_declaration";
            if !exported
                || matches!(
                    name,
                    "Scan" | "Value" | "As" | "MarshalYAML" | "UnmarshalYAML" | "Interface"
                )
                || (method && implements_library_interface(name))
            {
                continue;
            }
            let mut types = Vec::new();
            for field in ["parameters", "result"] {
                let Some(list) = function.field(field) else {
                    continue;
                };
                if list.kind_str() != "parameter_list" {
                    // A single unnamed result: `func F() any`.
                    if is_empty_interface(ctx, list) {
                        types.push(list);
                    }
                    continue;
                }
                let mut cursor = list.walk();
                for param in list.named_children(&mut cursor) {
                    if param.kind_str() == "parameter_declaration"
                        && let Some(ty) = param.field("type")
                    {
                        // `meta map[string]interface{}`: a parameter bag
                        // whose values the compiler cannot check.
                        let untyped_map = field == "parameters"
                            && ty.kind_str() == "map_type"
                            && ty
                                .field("value")
                                .is_some_and(|v| is_empty_interface(ctx, v));
                        if untyped_map || is_empty_interface(ctx, ty) {
                            types.push(ty);
                        }
                    }
                }
            }
            let mut last_line = 0;
            for ty in types {
                let line = ctx.line(ty);
                if line != last_line {
                    last_line = line;
                    out.push(report(ctx, ty, name));
                }
            }
        }
    }
}

fn is_empty_interface(ctx: &RuleContext<'_>, ty: Node<'_>) -> bool {
    match ty.kind_str() {
        "interface_type" => ty.named_child_count() == 0,
        "type_identifier" => ctx.text(ty) == "any",
        _ => false,
    }
}

fn report(ctx: &RuleContext<'_>, ty: Node<'_>, function: &str) -> Finding {
    let written = ctx.text(ty);
    ctx.node_finding(&META, ty)
        .title(format!(
            "`{written}` in the exported signature of `{function}`"
        ))
        .message(if ty.kind_str() == "map_type" {
            format!(
                "`{function}` accepts `{written}`: callers may put any key with any value in it, \
                 and the compiler checks neither; a misspelt key or a value of the wrong type \
                 only shows up at runtime, wherever the map is read.\n\nDefine a struct with the \
                 fields callers may set (with `json` tags if it is serialised), or a map with a \
                 concrete value type."
            )
        } else {
            format!(
                "`{function}` accepts or returns `{written}`, so the compiler cannot check what \
                 callers pass or receive; every use needs a type assertion or switch that fails \
                 at runtime.\n\nUse the concrete type, a small interface describing what the \
                 function needs, or a type parameter (`func {function}[T Constraint](…)`)."
            )
        })
        .symptom(format!(
            "Exported `{function}` uses `{written}` in its signature."
        ))
        .root_cause("The signature does not state which types the function supports.")
        .fix(
            "Replace the empty interface with the concrete type (for a map of options or \
             metadata: a struct with those fields), an interface with the methods the function \
             calls, or a type parameter with a constraint; update the callers.",
        )
        .scope(
            "Keep the function's behaviour for the types it already handles; do not change \
             unrelated exported APIs.",
        )
        .build()
}
