//! `error-messages/errorf-drops-cause`: Go `fmt.Errorf` formats an error
//! with `%v`/`%s` instead of wrapping it with `%w`.
//!
//! ## What it does
//! Finds `fmt.Errorf` calls whose format applies `%v` or `%s` to an error
//! value — an argument named like one (`err`, `e`, `readErr`, `parseError`)
//! or `err.Error()`. Verbs are matched to arguments by position; width and
//! precision `*` are accounted for. A call with explicit argument indexes
//! (`%[1]v`) is skipped. When the call fits on one line the finding carries
//! a suggestion that switches the verb to `%w` (and drops `.Error()`).
//!
//! It also finds `errors.New(…)` or `fmt.Errorf(…)` returned from an
//! `if err != nil {` block that never mentions `err` (`if err != nil {
//! return nil, errors.New("query failed") }`): the cause is replaced, not
//! wrapped — gone from the message and the chain alike.
//!
//! It deliberately does not report formats that already wrap something with
//! `%w` (`"%w: %v", ErrInvalid, err` wraps the sentinel on purpose),
//! `%q`/`%d`/`%+v` verbs, arguments that are
//! not named like errors, test files, or other formatting functions
//! (`fmt.Sprintf`, loggers), where wrapping does not apply.
//!
//! ## Why is this bad?
//! `%v` flattens the error into text: `errors.Is(err, sql.ErrNoRows)`,
//! `errors.As(err, &pathErr)` and every caller that branches on the cause
//! stop working, so a "not found" becomes a 500 two layers up. `%w` keeps
//! the same message and keeps the chain.
//!
//! ## Example
//! ```go
//! return fmt.Errorf("load user %d: %v", id, err)
//! ```
//!
//! Use instead:
//! ```go
//! return fmt.Errorf("load user %d: %w", id, err)
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, symbol_suffix};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_error_name, is_test_path, method_call, statements};

pub static META: RuleMeta = RuleMeta {
    id: "error-messages/errorf-drops-cause",
    item: ChecklistItem::ErrorMessages,
    severity: Severity::Warning,
    languages: &[Language::Go],
    summary: "Go `fmt.Errorf` formats an error with `%v`/`%s` instead of wrapping it with `%w`, \
              or `if err != nil` returns a new error that drops `err`",
};

pub struct ErrorfDropsCause;

impl Rule for ErrorfDropsCause {
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
        for node in ctx.nodes_in_order(&["call_expression"]) {
            if let Some(dropped) = dropped_causes(ctx, node)
                && let Some(first) = dropped.first()
            {
                out.push(report(ctx, node, first, &dropped));
            } else if let Some(err) = replaces_checked_error(ctx, node) {
                out.push(report_replaced(ctx, node, &err));
            }
        }
    }
}

/// One error argument formatted with `%v`/`%s`.
struct Dropped<'t> {
    /// Byte offset of the verb letter in the source.
    verb_at: usize,
    verb: char,
    arg: Node<'t>,
    /// `err` in `err.Error()`, when the argument is such a call.
    error_call_receiver: Option<Node<'t>>,
}

fn dropped_causes<'t>(ctx: &RuleContext<'_>, call: Node<'t>) -> Option<Vec<Dropped<'t>>> {
    if call.kind_str() != "call_expression" || ctx.text(call.field("function")?) != "fmt.Errorf" {
        return None;
    }
    let args = call.field("arguments")?;
    let args: Vec<Node<'t>> = statements(args).collect();
    let (format, rest) = args.split_first()?;
    if !matches!(
        format.kind_str(),
        "interpreted_string_literal" | "raw_string_literal"
    ) {
        return None;
    }
    let text = ctx.text(*format);
    // `fmt.Errorf("%w: %v", ErrInvalid, err)` already chose what to wrap
    // (before Go 1.20 only one `%w` was allowed).
    if text.contains("%w") {
        return None;
    }
    let verbs = parse_verbs(text)?;
    let mut dropped = Vec::new();
    for (offset, verb, arg_index) in verbs {
        if !matches!(verb, 'v' | 's') {
            continue;
        }
        let Some(arg) = rest.get(arg_index).copied() else {
            continue;
        };
        let error_call_receiver = error_method_receiver(ctx, arg);
        let is_error = error_call_receiver.is_some()
            || (arg.kind_str() == "identifier" && is_error_name(ctx.text(arg)));
        if is_error {
            dropped.push(Dropped {
                verb_at: format.start_byte() + offset,
                verb,
                arg,
                error_call_receiver,
            });
        }
    }
    Some(dropped)
}

/// `if err != nil { return nil, errors.New("query failed") }`: a new error
/// returned from the block that checked `err`, which never mentions `err`
/// (not formatted, not logged). Returns the name of the dropped error.
fn replaces_checked_error(ctx: &RuleContext<'_>, call: Node<'_>) -> Option<String> {
    let function = ctx.text(call.field("function")?);
    if !matches!(function, "errors.New" | "fmt.Errorf") {
        return None;
    }
    // Returned as it is: `return nil, errors.New(…)`.
    let list = ctx
        .parent(call)
        .filter(|p| p.kind_str() == "expression_list")?;
    ctx.parent(list)
        .filter(|p| p.kind_str() == "return_statement")?;
    let mut current = list;
    let (check, block) = loop {
        let parent = ctx.parent(current)?;
        match parent.kind_str() {
            "func_literal" | "function_declaration" | "method_declaration" => return None,
            "if_statement" if parent.field("consequence") == Some(current) => {
                break (parent, current);
            }
            _ => current = parent,
        }
    };
    let condition = check.field("condition")?;
    if condition.kind_str() != "binary_expression" || ctx.text(condition.field("operator")?) != "!="
    {
        return None;
    }
    let (left, right) = (condition.field("left")?, condition.field("right")?);
    if left.kind_str() != "identifier" || right.kind_str() != "nil" {
        return None;
    }
    let err = ctx.text(left);
    if !is_error_name(err) {
        return None;
    }
    let mentioned =
        crate::syntax::preorder(block).any(|n| n.kind_str() == "identifier" && ctx.text(n) == err);
    (!mentioned).then(|| err.to_string())
}

fn report_replaced(ctx: &RuleContext<'_>, call: Node<'_>, err: &str) -> Finding {
    let code = crate::rules::quote(ctx.text(call), 90);
    let in_symbol = symbol_suffix(ctx.symbol_for(call).as_deref());
    ctx.node_finding(&META, call)
        .title(format!("`{code}` replaces `{err}` instead of wrapping it"))
        .message(format!(
            "This block runs because `{err}` is not nil, and returns a new error that never \
             mentions it: the real cause (a timeout, a constraint violation, `sql.ErrNoRows`) \
             is gone from the message and from the chain, so neither the log nor \
             `errors.Is`/`errors.As` in the callers can see it.\n\n\
             Wrap it: `fmt.Errorf(\"<what was being done, with which values>: %w\", …, {err})`."
        ))
        .symptom(format!(
            "`{code}`{in_symbol} is returned when `{err} != nil` and drops `{err}`."
        ))
        .root_cause(
            "The error path was written as a placeholder message; the error that caused it was \
             not carried along.",
        )
        .fix(format!(
            "Return `fmt.Errorf(\"…: %w\", {err})` with a message naming the operation and the \
             values it was applied to."
        ))
        .scope(
            "Change only this returned error. Do not change the condition or the other return \
             values — unless this is an API boundary that must deliberately hide the cause, in \
             which case leave it and say so in a comment.",
        )
        .build()
}

/// `err` of `err.Error()` when it is named like an error.
fn error_method_receiver<'t>(ctx: &RuleContext<'_>, arg: Node<'t>) -> Option<Node<'t>> {
    if arg.kind_str() != "call_expression" || arg.field("arguments")?.named_child_count() != 0 {
        return None;
    }
    let (operand, method) = method_call(arg)?;
    (ctx.text(method) == "Error"
        && operand.kind_str() == "identifier"
        && is_error_name(ctx.text(operand)))
    .then_some(operand)
}

/// `(byte offset of the verb letter, verb, argument index)` for every verb
/// of a format string (quotes included in `text`); `None` when the format
/// uses explicit argument indexes, which this rule does not follow.
fn parse_verbs(text: &str) -> Option<Vec<(usize, char, usize)>> {
    let bytes = text.as_bytes();
    let mut verbs = Vec::new();
    let mut arg = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            i += 1;
            continue;
        }
        i += 1;
        if bytes.get(i) == Some(&b'%') {
            i += 1;
            continue;
        }
        while i < bytes.len() && matches!(bytes[i], b'+' | b'-' | b'#' | b' ' | b'0') {
            i += 1;
        }
        // Width and precision: digits, or `*` taking an argument.
        for part in 0..2 {
            if part == 1 {
                if bytes.get(i) != Some(&b'.') {
                    break;
                }
                i += 1;
            }
            match bytes.get(i) {
                Some(b'*') => {
                    arg += 1;
                    i += 1;
                }
                Some(b'[') => return None,
                _ => {
                    while i < bytes.len() && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
        }
        match bytes.get(i) {
            Some(b'[') => return None,
            Some(&b) if b.is_ascii_alphabetic() => {
                verbs.push((i, b as char, arg));
                arg += 1;
                i += 1;
            }
            _ => {}
        }
    }
    Some(verbs)
}

/// `first` is the first of `dropped`: the one the title names.
fn report(
    ctx: &RuleContext<'_>,
    call: Node<'_>,
    first: &Dropped<'_>,
    dropped: &[Dropped<'_>],
) -> Finding {
    let arg = ctx.text(first.arg);
    let verb = first.verb;
    let code = ctx.text(call);
    let in_symbol = symbol_suffix(ctx.symbol_for(call).as_deref());
    ctx.node_finding(&META, call)
        .title(format!(
            "`fmt.Errorf` formats `{arg}` with `%{verb}`: use `%w` to keep the cause"
        ))
        .message(format!(
            "`%{verb}` turns `{arg}` into plain text. The message reads the same, but the error \
             chain is cut: `errors.Is`/`errors.As` in every caller can no longer see the \
             underlying error (`sql.ErrNoRows`, `fs.ErrNotExist`, `context.Canceled`, a typed \
             error), so a condition the caller would handle becomes a generic failure.\n\n\
             Use `%w` for the error argument; the text stays identical."
        ))
        .suggestion(suggestion(ctx, call, dropped))
        .symptom(format!(
            "`{}`{in_symbol} formats the error `{arg}` with `%{verb}`, dropping it from the \
             error chain.",
            crate::rules::quote(code, 90)
        ))
        .root_cause(
            "The error is formatted as text instead of wrapped, so its identity is lost on the \
             way up.",
        )
        .fix(
            "Replace the `%v`/`%s` verb of the error argument with `%w` (and pass the error \
             itself, not `err.Error()`). Keep the rest of the message as it is.",
        )
        .scope(
            "Change only this `fmt.Errorf` call. Do not change the message text, the other \
             arguments, or callers — unless this is an API boundary that must deliberately hide \
             the cause, in which case leave it and say so in a comment.",
        )
        .build()
}

/// The anchored line with every dropped verb turned into `%w` and
/// `err.Error()` into `err`; only for calls on one line.
fn suggestion(ctx: &RuleContext<'_>, call: Node<'_>, dropped: &[Dropped<'_>]) -> Option<String> {
    if call.start_position().row != call.end_position().row {
        return None;
    }
    let line_start = ctx.line_start(ctx.line(call));
    let line = ctx.line_text(ctx.line(call));
    let mut edits: Vec<(usize, usize, &str)> = Vec::new();
    for d in dropped {
        edits.push((d.verb_at, d.verb_at + 1, "w"));
        if let Some(receiver) = d.error_call_receiver {
            edits.push((d.arg.start_byte(), d.arg.end_byte(), ctx.text(receiver)));
        }
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut fixed = line.to_string();
    for (start, end, replacement) in edits {
        let (start, end) = (start.checked_sub(line_start)?, end.checked_sub(line_start)?);
        if end > fixed.len() || !fixed.is_char_boundary(start) || !fixed.is_char_boundary(end) {
            return None;
        }
        fixed.replace_range(start..end, replacement);
    }
    Some(fixed)
}

#[cfg(test)]
mod tests {
    use super::parse_verbs;
    use crate::{Analyzer, ChangedFile, LineSet};

    #[test]
    fn suggests_wrapping_on_the_same_line() {
        let source = "package p\n\nimport \"fmt\"\n\nfunc f(id int, err error) error {\n\treturn fmt.Errorf(\"load %d: %s\", id, err.Error())\n}\n";
        let added: LineSet = (1..=7).collect();
        let (_, findings) = Analyzer::with_builtin_rules().analyze_file(ChangedFile {
            path: "svc/users.go",
            content: source,
            added_lines: &added,
        });
        let finding = findings
            .iter()
            .find(|f| f.rule_id == super::META.id)
            .expect("a finding");
        assert_eq!(
            finding.suggestion.as_deref(),
            Some("\treturn fmt.Errorf(\"load %d: %w\", id, err)")
        );
    }

    #[test]
    fn matches_verbs_to_arguments() {
        let verbs: Vec<(char, usize)> = parse_verbs("\"%d%% of %*s: %-8.2f %v\"")
            .unwrap()
            .into_iter()
            .map(|(_, v, a)| (v, a))
            .collect();
        assert_eq!(verbs, [('d', 0), ('s', 2), ('f', 3), ('v', 4)]);
        assert!(parse_verbs("\"%[1]v\"").is_none());
    }
}
