//! `error-handling/bare-except`: a Python `except:` without an exception
//! type catches everything, including Ctrl-C and `sys.exit()`.
//!
//! ## What it does
//! Finds bare `except:` clauses that handle the exception in some way
//! (log, fall back, return) without re-raising it.
//!
//! It deliberately does not report a bare `except:` whose body is only
//! `pass`/`...` (`error-handling/empty-catch` reports those, with the bare
//! clause called out), handlers that re-raise with a bare `raise` (cleanup
//! then propagate is the one legitimate use), or `except Exception:` and
//! `except BaseException:`, which state their breadth explicitly.
//!
//! ## Why is this bad?
//! A bare `except:` also catches `KeyboardInterrupt`, `SystemExit` and
//! `GeneratorExit`: Ctrl-C stops being able to stop the program, `sys.exit()`
//! in a callee is turned into a fallback value, and a worker being shut down
//! keeps running. It also hides programming errors (`NameError`,
//! `AttributeError`) behind the same fallback as the failure it was meant
//! for.
//!
//! ## Example
//! ```python
//! try:
//!     rate = fetch_exchange_rate(currency)
//! except:
//!     rate = DEFAULT_RATES[currency]
//! ```
//!
//! Use instead:
//! ```python
//! try:
//!     rate = fetch_exchange_rate(currency)
//! except (requests.RequestException, KeyError) as exc:
//!     logger.warning("exchange rate for %s unavailable, using default: %s", currency, exc)
//!     rate = DEFAULT_RATES[currency]
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::error_handling::empty_catch::only_filler;
use crate::rules::{Rule, quote, symbol_suffix};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_function, preorder};

pub static META: RuleMeta = RuleMeta {
    id: "error-handling/bare-except",
    item: ChecklistItem::ErrorHandling,
    severity: Severity::Warning,
    languages: &[Language::Python],
    summary: "A bare `except:` that also catches `KeyboardInterrupt` and `SystemExit`",
};

pub struct BareExcept;

impl Rule for BareExcept {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(_) = ctx.root() else {
            return;
        };
        for node in ctx.nodes_in_order(&["except_clause"]) {
            if node.field("value").is_some() {
                continue;
            }
            let mut cursor = node.walk();
            let Some(body) = node
                .named_children(&mut cursor)
                .find(|n| n.kind_str() == "block")
            else {
                continue;
            };
            // `except: pass` is `error-handling/empty-catch`'s to report.
            if only_filler(body) || reraises(body) {
                continue;
            }
            out.push(report(ctx, node));
        }
    }
}

/// A bare `raise` in the handler itself (not in a nested function).
fn reraises(body: Node<'_>) -> bool {
    let mut stack = vec![body];
    while let Some(node) = stack.pop() {
        if node.kind_str() == "raise_statement" && node.named_child_count() == 0 {
            return true;
        }
        if is_function(Language::Python, node) {
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    false
}

fn report(ctx: &RuleContext<'_>, clause: Node<'_>) -> Finding {
    let line = ctx.line(clause);
    let line_text = ctx.line_text(line);
    // `except:` → `except Exception:` keeps every handled error handled and
    // lets only interpreter exits through.
    let suggestion = (line_text.matches("except:").count() == 1)
        .then(|| line_text.replacen("except:", "except Exception:", 1));
    let guarded = clause
        .parent()
        .and_then(|t| t.field("body"))
        .and_then(|b| preorder(b).find(|n| n.kind_str() == "call"))
        .and_then(|c| c.field("function"))
        .map(|f| format!("`{}(…)`", quote(ctx.text(f), 50)))
        .unwrap_or_else(|| "the `try` body".to_string());
    let symbol = ctx.symbol_for(clause);
    let in_symbol = symbol_suffix(symbol.as_deref());
    ctx.finding(&META, line, symbol.clone(), line_text.trim())
        .title(format!(
            "Bare `except:` around {guarded} also catches Ctrl-C and `sys.exit()`"
        ))
        .message(format!(
            "This bare `except:` catches every exception raised by {guarded} — including \
             `KeyboardInterrupt`, `SystemExit` and `GeneratorExit`, so Ctrl-C and `sys.exit()` \
             are turned into this fallback, and programming errors (`NameError`, \
             `AttributeError`) are handled as if they were the expected failure.\n\n\
             Catch the exceptions this code can actually handle \
             (`except (requests.RequestException, KeyError) as exc:`), or at least \
             `except Exception:`."
        ))
        .suggestion(suggestion)
        .symptom(format!(
            "A bare `except:`{in_symbol} catches every exception from {guarded}, including \
             interpreter exits."
        ))
        .root_cause(
            "The handler was written to stop any failure, without deciding which failures are \
             expected here.",
        )
        .fix(
            "Replace `except:` with the specific exception types the `try` body is expected to \
             raise (bind them with `as exc` and log them if the handler continues), or with \
             `except Exception:` when any ordinary error really must be handled.",
        )
        .scope(
            "Change only the `except` line (and logging inside the handler if you bind the \
             exception). Do not change the `try` body or what the handler does on failure.",
        )
        .build()
}
