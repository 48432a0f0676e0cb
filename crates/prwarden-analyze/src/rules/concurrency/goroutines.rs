//! What the Go goroutine rules share: finding the function literals run as
//! goroutines, the locks they hold, and which of their writes to a shared
//! variable race — `go-map-in-goroutine` (maps) and
//! `go-append-in-goroutine` (slices) differ only in what a write is.

use std::collections::HashMap;

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::Language;
use crate::syntax::NodeExt as _;
use crate::syntax::{enclosing_loop, preorder};

/// An unlocked write to `name` inside the goroutine `literal`.
struct Write<'t> {
    statement: Node<'t>,
    name: &'t str,
    literal: Node<'t>,
    /// The goroutine is started in a loop and `name` is not the loop's own.
    in_loop: bool,
    /// Start of the function that starts the goroutine.
    scope: usize,
}

/// The writes that race: for every goroutine of the file, the statements
/// `writes_in(literal)` finds outside the literal's locks, to a variable
/// declared outside the literal that `shared(function starting it, name)`
/// accepts; kept when several goroutines make them — the goroutine is
/// started in a loop, or more than one goroutine of the function writes the
/// variable. One per goroutine and variable (its first write), with how the
/// goroutines come to be several.
pub(super) fn racing_writes<'t>(
    ctx: &RuleContext<'t>,
    writes_in: impl Fn(Node<'t>) -> Vec<(Node<'t>, &'t str)>,
    shared: impl Fn(Option<Node<'t>>, &str) -> bool,
) -> Vec<(Node<'t>, &'t str, &'static str)> {
    let mut writes: Vec<Write<'t>> = Vec::new();
    for node in ctx.nodes_in_order(&["go_statement", "call_expression"]) {
        let Some(literal) = goroutine_literal(ctx, node) else {
            continue;
        };
        let sections = if takes_lock(ctx, literal) {
            // Writes outside every `Lock()`…`Unlock()` pair still race; a
            // lock held in a way the sections cannot follow (deferred
            // unlock, a branch) is taken to cover everything.
            match critical_sections(ctx, literal) {
                Some(sections) => sections,
                None => continue,
            }
        } else {
            Vec::new()
        };
        let enclosing = enclosing_loop(Language::Go, node);
        let outer = ctx.enclosing_function(Language::Go, node);
        for (statement, name) in writes_in(literal) {
            let locked = sections
                .iter()
                .any(|&(from, to)| from <= statement.start_byte() && statement.end_byte() <= to);
            if locked || declared_inside(ctx, literal, name) || !shared(outer, name) {
                continue;
            }
            // A variable declared inside the loop is a new one per
            // iteration, written by that iteration's goroutine only.
            let in_loop = enclosing.is_some_and(|lp| !declared_inside(ctx, lp, name));
            writes.push(Write {
                statement,
                name,
                literal,
                in_loop,
                scope: outer.map_or(0, |f| f.start_byte()),
            });
        }
    }
    let mut goroutines: HashMap<(usize, &str), Vec<usize>> = HashMap::new();
    for w in &writes {
        let starts = goroutines.entry((w.scope, w.name)).or_default();
        if !starts.contains(&w.literal.start_byte()) {
            starts.push(w.literal.start_byte());
        }
    }
    let mut reported: Vec<(usize, &str)> = Vec::new();
    let mut racing = Vec::new();
    for w in &writes {
        let several = goroutines
            .get(&(w.scope, w.name))
            .is_some_and(|g| g.len() > 1);
        let key = (w.literal.start_byte(), w.name);
        if (w.in_loop || several) && !reported.contains(&key) {
            reported.push(key);
            let how = if w.in_loop {
                "a goroutine started in a loop"
            } else {
                "several goroutines"
            };
            racing.push((w.statement, w.name, how));
        }
    }
    racing
}

/// The function literal run as a goroutine by `go func(){…}()` or
/// `x.Go(func() error {…})`.
fn goroutine_literal<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Node<'t>> {
    match node.kind_str() {
        "go_statement" => {
            let call = node.named_child(0)?;
            let function = call.field("function")?;
            (function.kind_str() == "func_literal").then_some(function)
        }
        "call_expression" => {
            let function = node.field("function")?;
            if function.kind_str() != "selector_expression"
                || function.field("field").is_none_or(|f| ctx.text(f) != "Go")
            {
                return None;
            }
            node.field("arguments")?
                .named_child(0)
                .filter(|a| a.kind_str() == "func_literal")
        }
        _ => None,
    }
}

/// Whether the literal takes a lock anywhere (`mu.Lock()`, `RLock`, `TryLock`).
pub(super) fn takes_lock(ctx: &RuleContext<'_>, literal: Node<'_>) -> bool {
    preorder(literal).any(|n| {
        n.kind_str() == "call_expression"
            && n.field("function")
                .and_then(|f| f.field("field"))
                .is_some_and(|f| matches!(ctx.text(f), "Lock" | "RLock" | "TryLock"))
    })
}

/// The byte ranges a literal holds its locks over, when each one is
/// explicit: every `x.Lock()`/`x.RLock()` is a statement followed in the
/// same block by `x.Unlock()`/`x.RUnlock()` (the first such release ends
/// the section). `None` — treat the whole literal as locked — for a
/// deferred unlock, `TryLock`, a lock released in another block or by a
/// helper, or a lock taken by a helper.
fn critical_sections(ctx: &RuleContext<'_>, literal: Node<'_>) -> Option<Vec<(usize, usize)>> {
    let lock_call = |n: Node<'_>| -> Option<(String, String)> {
        if n.kind_str() != "call_expression" {
            return None;
        }
        let function = n.field("function")?;
        let method = ctx.text(function.field("field")?).to_string();
        let receiver = ctx.text(function.field("operand")?).to_string();
        Some((receiver, method))
    };
    // A lock call as its own statement: `mu.Lock()`.
    let statement_call = |stmt: Node<'_>| {
        (stmt.kind_str() == "expression_statement")
            .then(|| stmt.named_child(0))
            .flatten()
            .and_then(lock_call)
    };
    let mut sections = Vec::new();
    for n in preorder(literal) {
        let Some((receiver, method)) = lock_call(n) else {
            continue;
        };
        let release = match method.as_str() {
            "Lock" => "Unlock",
            "RLock" => "RUnlock",
            "TryLock" | "TryRLock" => return None,
            "Unlock" | "RUnlock" => {
                if n.parent()
                    .is_some_and(|p| p.kind_str() == "defer_statement")
                {
                    return None;
                }
                continue;
            }
            _ => continue,
        };
        let stmt = n
            .parent()
            .filter(|p| p.kind_str() == "expression_statement")?;
        let mut next = stmt.next_named_sibling();
        let mut end = None;
        while let Some(sibling) = next {
            if statement_call(sibling).is_some_and(|(r, m)| r == receiver && m == release) {
                end = Some(sibling.end_byte());
                break;
            }
            next = sibling.next_named_sibling();
        }
        sections.push((stmt.start_byte(), end?));
    }
    // Every release must close one of those sections (none in a branch).
    let releases = preorder(literal)
        .filter(|n| lock_call(*n).is_some_and(|(_, m)| matches!(m.as_str(), "Unlock" | "RUnlock")))
        .count();
    (releases == sections.len()).then_some(sections)
}

/// Whether the literal declares its own `name` (parameter or local).
pub(super) fn declared_inside(ctx: &RuleContext<'_>, literal: Node<'_>, name: &str) -> bool {
    preorder(literal).any(|n| {
        let names = match n.kind_str() {
            "parameter_declaration" | "var_spec" | "const_spec" => Some(n),
            "short_var_declaration" | "range_clause" => n.field("left"),
            _ => None,
        };
        names.is_some_and(|names| {
            let mut c = names.walk();
            names
                .named_children(&mut c)
                .any(|i| i.kind_str() == "identifier" && ctx.text(i) == name)
                || (names.kind_str() == "identifier" && ctx.text(names) == name)
        })
    })
}

/// Parameter types that make a function an HTTP handler, which net/http (and
/// every framework on top of it) runs on one goroutine per request.
const HANDLER_TYPES: &[&str] = &[
    "http.ResponseWriter",
    "*http.Request",
    "*gin.Context",
    "echo.Context",
    "*fiber.Ctx",
    "fiber.Ctx",
    "*fasthttp.RequestCtx",
];

/// Whether a Go function serves HTTP requests: one of its parameters has a
/// handler type (net/http, gin, echo, fiber, fasthttp). Each request runs
/// on its own goroutine.
pub(super) fn is_http_handler(ctx: &RuleContext<'_>, function: Node<'_>) -> bool {
    function.field("parameters").is_some_and(|params| {
        let mut cursor = params.walk();
        params.named_children(&mut cursor).any(|p| {
            p.field("type")
                .is_some_and(|t| HANDLER_TYPES.contains(&ctx.text(t)))
        })
    })
}
