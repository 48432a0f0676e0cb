//! `test-quality/sleep-in-test`: a test that waits a fixed time.
//!
//! ## What it does
//! Finds fixed sleeps inside test bodies:
//! - JavaScript/TypeScript: `await new Promise((r) => setTimeout(r, 500))`,
//!   `await sleep(…)`/`delay(…)`/`wait(…)` with a number, Playwright's
//!   `page.waitForTimeout(…)`; not under fake timers (`jest.useFakeTimers`,
//!   `vi.useFakeTimers`, sinon's `useFakeTimers`) — installed by a hook,
//!   a helper or the module they cover every test of the file, installed
//!   inside one test only that test;
//! - Python: `time.sleep(…)`, `sleep(…)` imported from `time`,
//!   `asyncio.sleep(…)` with a non-zero delay;
//! - Go: `time.Sleep(…)`;
//! - Rust: `thread::sleep(…)`, `tokio::time::sleep(…)` (not when the file pauses
//!   tokio's clock: `time::pause`, `start_paused`);
//! - Java: `Thread.sleep(…)`, `TimeUnit.….sleep(…)`.
//!
//! Only code inside a test case counts (helpers, fixtures and servers in test
//! files are not reported); `asyncio.sleep(0)` (a yield) is not a wait.
//!
//! ## Why is this bad?
//! A fixed sleep is a guess about how long something takes. On a loaded CI
//! machine the guess is too short and the test flakes; everywhere else it is
//! too long and the suite gets slower with every test that copies it. Agents
//! add sleeps to make a race "go away".
//!
//! ## Example
//! ```ts
//! await queue.publish(job);
//! await new Promise((r) => setTimeout(r, 1000));
//! expect(await jobs.status(job.id)).toBe("done");
//! ```
//!
//! Use instead:
//! ```ts
//! await queue.publish(job);
//! await vi.waitFor(async () => expect(await jobs.status(job.id)).toBe("done"));
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::test_quality::tests_in_file::{TestCase, test_cases};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::preorder;

pub static META: RuleMeta = RuleMeta {
    id: "test-quality/sleep-in-test",
    item: ChecklistItem::TestQuality,
    severity: Severity::Info,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Go,
        Language::Rust,
        Language::Java,
    ],
    summary: "A fixed sleep inside a test body (flaky and slow)",
};

pub struct SleepInTest;

impl Rule for SleepInTest {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(language) = ctx.language else {
            return;
        };
        if ctx.source.contains("time::pause") || ctx.source.contains("start_paused") {
            return;
        }
        let tests = test_cases(ctx);
        // Fake timers installed by a hook, a helper or at the top level
        // apply to every test; installed inside one test, only to that one
        // (its neighbours run on the real clock).
        let fake_timers: Vec<usize> = ctx
            .source
            .match_indices("useFakeTimers")
            .map(|(at, _)| at)
            .collect();
        let in_test = |at: usize, test: &TestCase<'_>| test.body.byte_range().contains(&at);
        if fake_timers
            .iter()
            .any(|at| !tests.iter().any(|t| in_test(*at, t)))
        {
            return;
        }
        for test in &tests {
            if fake_timers.iter().any(|at| in_test(*at, test)) {
                continue;
            }
            for node in preorder(test.body) {
                if is_sleep(ctx, language, node) {
                    out.push(report(ctx, node));
                }
            }
        }
    }
}

fn is_sleep(ctx: &RuleContext<'_>, language: Language, node: Node<'_>) -> bool {
    let call_kind = match language {
        Language::Java => "method_invocation",
        Language::Python => "call",
        _ => "call_expression",
    };
    if node.kind_str() == "new_expression" && language.is_js_family() {
        // `new Promise((r) => setTimeout(r, 500))`
        let text = ctx.text(node);
        return text.starts_with("new Promise") && text.contains("setTimeout");
    }
    if node.kind_str() != call_kind {
        return false;
    }
    let args = node.field("arguments").map_or("", |a| ctx.text(a));
    let callee = match language {
        Language::Java => {
            let object = node
                .field("object")
                .map_or(String::new(), |o| format!("{}.", ctx.text(o)));
            let name = node.field("name").map_or("", |n| ctx.text(n));
            format!("{object}{name}")
        }
        _ => node
            .field("function")
            .map_or(String::new(), |f| ctx.text(f).to_string()),
    };
    let callee = callee.as_str();
    match language {
        Language::TypeScript | Language::Tsx | Language::JavaScript => {
            let numeric = args
                .trim_matches(['(', ')'])
                .trim()
                .starts_with(|c: char| c.is_ascii_digit());
            callee.ends_with(".waitForTimeout")
                || (matches!(
                    callee,
                    "sleep" | "delay" | "wait" | "setTimeoutPromise" | "timeout"
                ) && numeric
                    && node
                        .parent()
                        .is_some_and(|p| p.kind_str() == "await_expression"))
        }
        Language::Python => {
            let imported_sleep = callee == "sleep" && ctx.source.contains("from time import");
            (callee == "time.sleep" || imported_sleep)
                || (callee == "asyncio.sleep" && !matches!(args, "(0)" | "(0.0)"))
        }
        Language::Go => callee == "time.Sleep",
        Language::Rust => {
            callee.ends_with("thread::sleep")
                || callee.ends_with("time::sleep")
                || (callee == "sleep" && ctx.source.contains("::sleep;"))
        }
        Language::Java => {
            callee == "Thread.sleep"
                || (callee.starts_with("TimeUnit.") && callee.ends_with(".sleep"))
        }
        Language::Sql => false,
    }
}

fn report(ctx: &RuleContext<'_>, node: Node<'_>) -> Finding {
    let code = quote(ctx.text(node), 60);
    ctx.node_finding(&META, node)
        .title(format!("Fixed sleep in a test: `{code}`"))
        .message(format!(
            "`{code}` makes the test wait a fixed time for something to happen. On a slow CI \
             machine the wait is too short and the test flakes; everywhere else it only makes \
             the suite slower."
        ))
        .symptom(format!("The test waits with `{code}`."))
        .root_cause(
            "The test guesses how long an asynchronous effect takes instead of waiting for the \
             effect itself.",
        )
        .fix(
            "Wait for the condition, not the clock: await the promise, future or channel that \
             completes the work, poll with a bounded helper (`vi.waitFor`, `waitFor`, \
             Awaitility, `assert.Eventually`, `tokio::time::timeout` around the real signal), \
             or use fake timers / a paused clock.",
        )
        .scope("Change only how this test waits; keep its assertions and the code under test.")
        .build()
}
