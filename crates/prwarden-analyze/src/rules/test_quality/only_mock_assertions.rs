//! `test-quality/only-mock-assertions`: a test whose only assertions are mock-call checks.
//!
//! ## What it does
//! Finds test cases that assert something, but only that mocks were called:
//! - JavaScript/TypeScript: `expect(fn).toHaveBeenCalled…`/`toBeCalled…`/
//!   `toHaveReturned…`, `expect(fn.mock.calls…)`, sinon's `sinon.assert.…`
//!   and sinon-chai's `calledWith`;
//! - Python: `mock.assert_called…`/`assert_awaited…`/`assert_has_calls`,
//!   `assert m.called`, `assert m.call_count == 1`, `m.call_args`;
//! - Go: gomock's `EXPECT()` (with `gomock.NewController(t)`) and testify's
//!   `mock.AssertExpectations(t)`/`AssertCalled`;
//! - Rust: mockall's `expect_…()` expectations;
//! - Java: Mockito's `verify(…)`/`verifyNoMoreInteractions`, BDDMockito's
//!   `then(mock).should()`, assertions on an `ArgumentCaptor`'s value.
//!
//! A Testing Library query that only finds the element to act on
//! (`userEvent.type(screen.getByLabelText(…), …)`) is not an assertion, nor
//! is an asymmetric matcher describing a mock's argument
//! (`toHaveBeenCalledWith(expect.objectContaining({ id }))`). A
//! test with any other assertion — on a returned value, a response, stored
//! state, a thrown error (`assertThrows`, `pytest.raises`), or an
//! `unwrap()`/`?` in Rust — is not reported, nor is a test calling an
//! asserting helper. Nor is a JavaScript/TypeScript test that makes the same
//! call (same arguments) twice and asserts only call counts
//! (`await svc.load(1); await svc.load(1);
//! expect(source.read).toHaveBeenCalledTimes(2)`): the number of reads behind
//! repeated calls is the observable behaviour of a cache (or of not caching). Interaction tests are sometimes the right tool (the
//! behaviour *is* "send one e-mail"), which is why this rule is `info`.
//!
//! ## Why is this bad?
//! A test that only checks which collaborators were called tests how the code
//! is written, not what it does: it passes when the result is wrong and fails
//! when the code is refactored without any change in behaviour. Agents
//! produce these by mocking every dependency and asserting the mocks.
//!
//! ## Example
//! ```py
//! def test_create_invoice(mocker):
//!     repo = mocker.Mock()
//!     service = InvoiceService(repo)
//!     service.create(customer_id=7, lines=[Line("pen", 2, 150)])
//!     repo.save.assert_called_once()
//! ```
//!
//! Use instead:
//! ```py
//! def test_create_invoice(mocker):
//!     repo = InMemoryInvoiceRepo()
//!     service = InvoiceService(repo)
//!     invoice = service.create(customer_id=7, lines=[Line("pen", 2, 150)])
//!     assert invoice.total == 300
//!     assert repo.get(invoice.id) == invoice
//! ```

use std::collections::HashSet;

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::test_quality::tests_in_file::judged_tests;
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::statements;

pub static META: RuleMeta = RuleMeta {
    id: "test-quality/only-mock-assertions",
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
    summary: "A test whose every assertion is a mock-call check, never a result or state",
};

pub struct OnlyMockAssertions;

impl Rule for OnlyMockAssertions {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for (test, checks) in judged_tests(ctx) {
            if checks.real > 0 || counts_repeated_calls(ctx, test.body, &checks.mock) {
                continue;
            }
            let Some(first) = checks.mock.first() else {
                continue;
            };
            let name = quote(&test.name, 80);
            let example = quote(ctx.text(*first), 80);
            let count = checks.mock.len();
            let plural = if count == 1 { "" } else { "s" };
            out.push(
                ctx.finding(
                    &META,
                    ctx.line(test.anchor),
                    ctx.symbol_for(test.node),
                    &format!("test {}", test.name),
                )
                .title(format!("Test `{name}` only checks that mocks were called"))
                .message(format!(
                    "The test `{name}` has {count} assertion{plural}, all on mock calls (e.g. \
                     `{example}`), and none on what the code returns or changes. It passes when \
                     the result is wrong, and breaks when the implementation is refactored \
                     without any change in behaviour."
                ))
                .symptom(format!(
                    "Every assertion in the test `{name}` checks a mock call (e.g. `{example}`); \
                     none checks a result or state."
                ))
                .root_cause(
                    "The test mirrors the implementation (which collaborators it calls) instead \
                     of specifying the behaviour (what comes out, what is stored, what is sent).",
                )
                .fix(
                    "Assert on the observable outcome: the returned value, the response, the \
                     state of a fake or in-memory collaborator, or the error raised. Keep a \
                     mock-call check only where the call itself is the behaviour (e.g. exactly \
                     one e-mail sent), next to an outcome assertion.",
                )
                .scope(
                    "Change only this test (and test helpers or fakes it needs). Do not change \
                     the code under test, and do not delete the test.",
                )
                .build(),
            );
        }
    }
}

/// A caching test: the test body makes the same call (same text, arguments
/// included) as a statement at least twice, and every mock check is a call
/// count (`toHaveBeenCalledTimes`/`toBeCalledTimes`).
fn counts_repeated_calls(ctx: &RuleContext<'_>, body: Node<'_>, mock: &[Node<'_>]) -> bool {
    if !matches!(
        ctx.language,
        Some(Language::TypeScript | Language::Tsx | Language::JavaScript)
    ) || !mock.iter().all(|m| {
        // The check is the `expect(…)` call; its matcher is up the chain.
        let mut chain = *m;
        while let Some(parent) = chain
            .parent()
            .filter(|p| matches!(p.kind_str(), "member_expression" | "call_expression"))
        {
            chain = parent;
        }
        let text = ctx.text(chain);
        text.contains(".toHaveBeenCalledTimes(") || text.contains(".toBeCalledTimes(")
    }) {
        return false;
    }
    let mut seen: HashSet<&str> = HashSet::new();
    for statement in statements(body) {
        if statement.kind_str() != "expression_statement" {
            continue;
        }
        let Some(mut expr) = statement.named_child(0) else {
            continue;
        };
        if expr.kind_str() == "await_expression" {
            match expr.named_child(0) {
                Some(inner) => expr = inner,
                None => continue,
            }
        }
        if expr.kind_str() != "call_expression"
            || expr
                .field("function")
                .is_none_or(|f| ctx.text(f).starts_with("expect"))
        {
            continue;
        }
        if !seen.insert(ctx.text(expr)) {
            return true;
        }
    }
    false
}
