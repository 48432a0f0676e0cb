//! `concurrency/go-global-written-by-handler`: a Go package-level variable assigned by an HTTP handler without a lock
//!
//! ## What it does
//! Finds a package-level `var` that an HTTP handler writes — a function or
//! method taking an `http.ResponseWriter`, a `*gin.Context`, an
//! `echo.Context` or a `*fiber.Ctx` — by assigning it (`rates = loaded`,
//! `rates.Field = v`, `count++`, `total += n`), when that handler takes no
//! lock (`mu.Lock()`). Reported once, on the declaration when the change
//! adds it, else on each handler's first write.
//!
//! Deliberately not reported: element writes (`m[k] = v`: a map's are
//! `concurrency/go-map-in-goroutine`'s, a slice's distinct indices do not
//! race), variables of a `sync` or `sync/atomic` type (`var mu sync.Mutex`,
//! `var hits atomic.Int64`), a local or parameter that shadows the name,
//! handlers that lock a mutex, writes outside handlers (`init`, `main`,
//! set-up functions), and test files.
//!
//! ## Why is this bad?
//! `net/http` (and every router built on it) serves each request on its own
//! goroutine. A handler that replaces or mutates a package-level variable
//! while other requests read it is a data race: readers may see a torn value
//! or a map in the middle of a write (`fatal error: concurrent map read and
//! map write`), and `go test -race` flags it at once. It passes every
//! single-request test.
//!
//! ## Example
//! ```go
//! var plazaRates = Rates{}
//!
//! func (h *Handler) reloadRates(w http.ResponseWriter, r *http.Request) {
//!     rates, err := h.store.LoadRates(r.Context())
//!     // …
//!     plazaRates = rates
//! }
//! ```
//!
//! Use instead:
//! ```go
//! var plazaRates atomic.Pointer[Rates]
//!
//! func (h *Handler) reloadRates(w http.ResponseWriter, r *http.Request) {
//!     rates, err := h.store.LoadRates(r.Context())
//!     // …
//!     plazaRates.Store(&rates)
//! }
//! ```

use std::collections::HashMap;

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_test_path, preorder};

use super::goroutines::{is_http_handler, takes_lock};

pub static META: RuleMeta = RuleMeta {
    id: "concurrency/go-global-written-by-handler",
    item: ChecklistItem::Concurrency,
    severity: Severity::Warning,
    languages: &[Language::Go],
    summary: "A Go package-level variable assigned by an HTTP handler without a lock (data race)",
};

pub struct GoGlobalWrittenByHandler;

impl Rule for GoGlobalWrittenByHandler {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(root) = ctx.root() else {
            return;
        };
        if is_test_path(ctx.path) {
            return;
        }
        let globals = package_vars(ctx, root);
        if globals.is_empty() {
            return;
        }
        let declared_here = |name: &str| {
            globals
                .get(name)
                .is_some_and(|spec| ctx.is_added(ctx.line(*spec)))
        };
        // The first unlocked write of each global, by handler.
        let mut written: Vec<(&str, Node<'_>, usize)> = Vec::new();
        for function in
            ctx.nodes_in_order(&["function_declaration", "method_declaration", "func_literal"])
        {
            if !is_http_handler(ctx, function) {
                continue;
            }
            let Some(body) = function.field("body") else {
                continue;
            };
            if takes_lock(ctx, body) {
                continue;
            }
            let handler = function.field("name").map_or_else(
                || "an HTTP handler".to_string(),
                |n| format!("`{}`", ctx.text(n)),
            );
            for statement in preorder(body) {
                let Some(name) = written_global(ctx, statement, &globals) else {
                    continue;
                };
                if shadowed(ctx, function, name)
                    || written
                        .iter()
                        .any(|(n, _, f)| *n == name && (*f == function.id() || declared_here(name)))
                {
                    continue;
                }
                written.push((name, statement, function.id()));
                // A global the change declares is reported once, on its
                // declaration (what lacks synchronisation); one declared
                // before the change, on each handler's first write.
                let anchor = match globals.get(name) {
                    Some(spec) if declared_here(name) => *spec,
                    _ => statement,
                };
                out.push(report(ctx, anchor, statement, name, &handler));
            }
        }
    }
}

/// Package-level `var` names (not of a `sync`/`atomic` type) → their spec.
fn package_vars<'t>(ctx: &RuleContext<'t>, root: Node<'t>) -> HashMap<&'t str, Node<'t>> {
    let mut vars = HashMap::new();
    let mut cursor = root.walk();
    for declaration in root
        .named_children(&mut cursor)
        .filter(|n| n.kind_str() == "var_declaration")
    {
        for spec in preorder(declaration).filter(|n| n.kind_str() == "var_spec") {
            let text = ctx.text(spec);
            if text.contains("sync.") || text.contains("atomic.") {
                continue;
            }
            let mut cursor = spec.walk();
            for name in spec.children_by_field_name("name", &mut cursor) {
                let name = ctx.text(name);
                if name != "_" {
                    vars.insert(name, spec);
                }
            }
        }
    }
    vars
}

/// `g = …`, `g.F = …`, `g += …`, `g++`: the global written.
fn written_global<'t>(
    ctx: &RuleContext<'t>,
    statement: Node<'_>,
    globals: &HashMap<&'t str, Node<'t>>,
) -> Option<&'t str> {
    let targets: Vec<Node<'_>> = match statement.kind_str() {
        "assignment_statement" => {
            let left = statement.field("left")?;
            let mut cursor = left.walk();
            left.named_children(&mut cursor).collect()
        }
        "inc_statement" | "dec_statement" => vec![statement.named_child(0)?],
        _ => return None,
    };
    targets.into_iter().find_map(|target| {
        let base = match target.kind_str() {
            "identifier" => target,
            "selector_expression" => target.field("operand")?,
            _ => return None,
        };
        if base.kind_str() != "identifier" {
            return None;
        }
        globals.get_key_value(ctx.text(base)).map(|(name, _)| *name)
    })
}

/// A parameter, `var` or `:=` of the function (or its literals) with the
/// global's name.
fn shadowed(ctx: &RuleContext<'_>, function: Node<'_>, name: &str) -> bool {
    preorder(function).any(|n| match n.kind_str() {
        "parameter_declaration" | "var_spec" | "const_spec" => {
            let mut cursor = n.walk();
            n.children_by_field_name("name", &mut cursor)
                .any(|d| ctx.text(d) == name)
        }
        "short_var_declaration" | "range_clause" => {
            n.field("left").is_some_and(|left| {
                let mut cursor = left.walk();
                left.named_children(&mut cursor)
                    .any(|d| d.kind_str() == "identifier" && ctx.text(d) == name)
            }) && (n.kind_str() == "short_var_declaration" || ctx.text(n).contains(":="))
        }
        _ => false,
    })
}

fn report(
    ctx: &RuleContext<'_>,
    spec: Node<'_>,
    statement: Node<'_>,
    name: &str,
    handler: &str,
) -> Finding {
    let code = quote(ctx.text(statement), 60);
    let line = ctx.line(statement);
    ctx.node_finding(&META, spec)
        .title(format!(
            "Package-level `{name}` is written by the HTTP handler {handler} without a lock"
        ))
        .message(format!(
            "`{code}` (line {line}) writes the package-level variable `{name}` from {handler}. \
             Every request runs on its own goroutine, so this write races with every request \
             reading `{name}` at the same time: readers can see a half-written value, and a map \
             written while read crashes the process (`concurrent map read and map write`).\
             \n\nPublish the new value atomically (`atomic.Pointer[T]` with `Store`/`Load`, or a \
             `sync.RWMutex` around every read and write), or keep the state in a struct the \
             handlers share that owns the lock."
        ))
        .symptom(format!(
            "`{name}` is shared by all requests and written by {handler} without \
             synchronisation."
        ))
        .root_cause(
            "A package-level variable is used as shared mutable state between concurrent \
             requests, with nothing ordering its writes and reads.",
        )
        .fix(format!(
            "Make every access to `{name}` synchronised: store it in an `atomic.Pointer` (or \
             `atomic.Value`) and swap whole values, or guard all reads and writes with one \
             `sync.RWMutex`."
        ))
        .scope(format!(
            "Change only how `{name}` is stored and accessed; keep what the handlers compute \
             and return."
        ))
        .build()
}
