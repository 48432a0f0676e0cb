//! `concurrency/go-append-in-goroutine`: a Go slice appended to by several goroutines without a lock
//!
//! ## What it does
//! Finds `xs = append(xs, …)` inside a function literal started as a
//! goroutine — `go func() { … }()` or `g.Go(func() error { … })` (errgroup,
//! conc) — when
//! - `xs` is declared outside the literal (a local of the enclosing
//!   function, a parameter, or a package-level variable), and
//! - several goroutines append to it: the goroutine is started inside a loop
//!   (and `xs` is not declared inside that loop), or more than one goroutine
//!   of the function appends to `xs`, and
//! - the append is not under a lock: the literal takes none, or the append
//!   lies outside every `mu.Lock()` … `mu.Unlock()` section of the literal.
//!
//! Deliberately not reported: writes by index into a pre-sized slice
//! (`results[i] = r`: distinct indices do not race), a slice declared inside
//! the loop or the literal, a single goroutine, and appends under a lock or
//! in a helper the literal calls.
//!
//! ## Why is this bad?
//! `append` reads the slice header (pointer, length, capacity), may copy the
//! backing array, and writes the header back. Two goroutines doing that at
//! once lose elements, duplicate them, or write into an array the other has
//! just replaced — silently: unlike a map, a slice has no runtime check. The
//! result is a response missing some items, on some requests, under load.
//!
//! ## Example
//! ```go
//! var results []Quota
//! for _, wb := range waterbodies {
//!     wg.Add(1)
//!     go func(wb string) {
//!         defer wg.Done()
//!         results = append(results, lookup(wb))
//!     }(wb)
//! }
//! wg.Wait()
//! ```
//!
//! Use instead:
//! ```go
//! results := make([]Quota, len(waterbodies))
//! for i, wb := range waterbodies {
//!     wg.Add(1)
//!     go func(i int, wb string) {
//!         defer wg.Done()
//!         results[i] = lookup(wb)
//!     }(i, wb)
//! }
//! wg.Wait()
//! ```

use tree_sitter::Node;

use super::goroutines::racing_writes;
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::preorder;

pub static META: RuleMeta = RuleMeta {
    id: "concurrency/go-append-in-goroutine",
    item: ChecklistItem::Concurrency,
    severity: Severity::Warning,
    languages: &[Language::Go],
    summary: "A slice appended to from several goroutines without a mutex (lost or duplicated elements)",
};

pub struct GoAppendInGoroutine;

impl Rule for GoAppendInGoroutine {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(_) = ctx.root() else {
            return;
        };
        for (statement, slice, how) in
            racing_writes(ctx, |literal| self_appends(ctx, literal), |_, _| true)
        {
            out.push(report(ctx, statement, slice, how));
        }
    }
}

/// `xs = append(xs, …)` statements in `literal` (not in goroutines nested
/// inside it, which are found on their own), with the slice's name.
fn self_appends<'t>(ctx: &RuleContext<'t>, literal: Node<'t>) -> Vec<(Node<'t>, &'t str)> {
    preorder(literal)
        .filter(|n| n.kind_str() == "assignment_statement")
        .filter(|n| {
            // Innermost goroutine literal owns the statement.
            std::iter::successors(n.parent(), |p| p.parent())
                .find(|p| p.kind_str() == "func_literal")
                .is_some_and(|f| f.id() == literal.id())
        })
        .filter_map(|n| {
            let left = n.field("left")?;
            let right = n.field("right")?;
            if left.named_child_count() != 1 || right.named_child_count() != 1 {
                return None;
            }
            let target = left.named_child(0)?;
            let call = right.named_child(0)?;
            if target.kind_str() != "identifier"
                || call.kind_str() != "call_expression"
                || call
                    .field("function")
                    .is_none_or(|f| ctx.text(f) != "append")
            {
                return None;
            }
            let first = call.field("arguments")?.named_child(0)?;
            let slice = ctx.text(target);
            (ctx.text(first) == slice).then_some((n, slice))
        })
        .collect()
}

fn report(ctx: &RuleContext<'_>, statement: Node<'_>, slice: &str, how: &str) -> Finding {
    let code = quote(ctx.text(statement), 60);
    ctx.node_finding(&META, statement)
        .title(format!(
            "Slice `{slice}` appended to from {how} without a lock"
        ))
        .message(format!(
            "`{code}` appends to `{slice}` from {how}, and nothing synchronises the appends. \
             `append` reads the slice header, may copy the backing array and writes the header \
             back: two goroutines doing it at once lose or duplicate elements, silently (Go \
             has no runtime check for slices).\n\nWrite each result by index into a slice \
             made with its final length (`results[i] = r`), send results over a channel and \
             append in one goroutine, or lock a `sync.Mutex` around the append."
        ))
        .symptom(format!(
            "`{code}` appends to the shared slice `{slice}` from {how} without a mutex."
        ))
        .root_cause(format!(
            "`{slice}` is shared by the goroutines, and `append` is a read-modify-write of its \
             header."
        ))
        .fix(format!(
            "Give each goroutine its own index in a pre-sized `{slice}`, or collect through a \
             channel, or guard the append with a mutex shared by the goroutines."
        ))
        .scope(
            "Keep the goroutines and the work each does; change only how the results reach the \
             shared slice.",
        )
        .build()
}
