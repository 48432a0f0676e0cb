//! `test-quality/no-assertion`: a test that asserts nothing.
//!
//! ## What it does
//! Finds test cases whose body contains no assertion at all:
//! - JavaScript/TypeScript (jest, vitest, mocha, node:test, Playwright) in
//!   test files: `it(…)`/`test(…)` callbacks with no `expect(…)`, `assert…`,
//!   `.should`, `t.equal`-style call, no Testing Library `getBy…`/`findBy…`
//!   query (they throw when the element is missing) other than one that only
//!   finds the element to click or type into, no `fail(…)`/`throw`;
//! - Python (pytest, unittest) in test files: `def test_*` without `assert`,
//!   `self.assert…`, `pytest.raises`/`warns`/`fail`, `raise`;
//! - Go: `func TestX(t *testing.T)` in `_test.go` files that never calls
//!   `t.Error*`/`t.Fatal*`/`t.Fail*`, `assert.`/`require.`, gomega's
//!   `Expect`, nor passes `t` to a helper (a fixture builder whose result
//!   the test keeps, `l := newTestLedger(t)`, `db := setupDB(t)`, is not a
//!   check: it fails only when the setup breaks); and tests whose only
//!   failures are `if err != nil { t.Fatal(err) }` and that only log what
//!   the call under test returned (`readings, err := ReadAll(r)` …
//!   `t.Logf("%d readings", len(readings))`);
//! - Rust: `#[test]`/`#[tokio::test]`/`#[rstest]` functions without an
//!   `assert*!`/`panic!`, `unwrap()`/`expect()` or `?` (each fails the test),
//!   and tests whose only checks are `unwrap()`/`expect()` on the setup and
//!   that end by discarding the result of the call under test
//!   (`let _ = top_paths(&lines, 10);`) or by only printing it (`let table =
//!   by_route(&trips, &rows); println!("{table:#?}");`);
//! - Java: `@Test`/`@ParameterizedTest` methods without `assert…`, `fail`,
//!   MockMvc's `andExpect`, RestAssured's `then()`, `throw`.
//!
//! A call to a function of the same file whose body asserts, or to any
//! function named like an assertion (`assertValidOrder`, `expect_ok`,
//! `checkInvariants`, `verify_totals`), counts as an assertion; so do mock
//! verifications (those are reported by `test-quality/only-mock-assertions`
//! instead). `expect(() => f()).not.toThrow()` is an assertion.
//!
//! Not reported: skipped tests (`it.skip`, `@Disabled`, `#[ignore]`, a
//! run-time `t.Skip()`/`pytest.skip()`), tests that expect a failure
//! (`#[should_panic]`, `@Test(expected = …)`), `test.failing`, and JS files
//! whose `afterEach` hook asserts for every test.
//!
//! ## Why is this bad?
//! A test without an assertion passes whatever the code does, as long as it
//! does not crash. It shows up in the coverage report and the test count, so
//! the behaviour looks tested when it is not. Agents write such tests to
//! "add tests" quickly: they call the code and stop there.
//!
//! ## Example
//! ```ts
//! it("applies the member discount", async () => {
//!   const cart = await buildCart({ member: true });
//!   await checkout(cart);
//! });
//! ```
//!
//! Use instead:
//! ```ts
//! it("applies the member discount", async () => {
//!   const cart = await buildCart({ member: true });
//!   const receipt = await checkout(cart);
//!   expect(receipt.total).toBe(85);
//! });
//! ```

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::Rule;
use crate::rules::quote;
use crate::rules::test_quality::tests_in_file::{TestCase, js_callee_parts, judged_tests};
use crate::syntax::NodeExt as _;
use crate::syntax::preorder;

pub static META: RuleMeta = RuleMeta {
    id: "test-quality/no-assertion",
    item: ChecklistItem::TestQuality,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Go,
        Language::Rust,
        Language::Java,
    ],
    summary: "A test case whose body contains no assertion at all",
};

pub struct NoAssertion;

impl Rule for NoAssertion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        if hooks_assert(ctx) {
            return;
        }
        for (test, checks) in judged_tests(ctx) {
            if checks.real == 0 && checks.mock.is_empty() && !compile_time_check(ctx, &test) {
                out.push(report(ctx, &test, None));
            } else if checks.mock.is_empty()
                && let Some(discarded) = discards_result_after_setup(ctx, &test)
                    .or_else(|| go_prints_result_after_err_checks(ctx, &test))
            {
                out.push(report(ctx, &test, Some(discarded)));
            }
        }
    }
}

/// Rust tests that pass by compiling: `assert_send::<T>()`, `let _: B0 =
/// B0::new();`, a local `fn sync<T: Sync>(_: T) {}`. The type checker is
/// their assertion.
fn compile_time_check(ctx: &RuleContext<'_>, test: &TestCase<'_>) -> bool {
    ctx.language == Some(Language::Rust)
        && preorder(test.body).any(|n| match n.kind_str() {
            "generic_function" | "function_item" => true,
            "let_declaration" => n.field("type").is_some(),
            _ => false,
        })
}

/// Rust: a test whose only checks are `unwrap()`/`expect()` on its setup
/// and that ends by throwing away the result of the call it is about
/// (`let parsed = parse(SAMPLE).unwrap(); let _ = top_paths(&lines, 10);`):
/// the function under test can return anything. Returns the discarded
/// call.
fn discards_result_after_setup<'t>(
    ctx: &RuleContext<'t>,
    test: &TestCase<'t>,
) -> Option<tree_sitter::Node<'t>> {
    if ctx.language != Some(Language::Rust) {
        return None;
    }
    let checks_elsewhere = preorder(test.body).any(|n| match n.kind_str() {
        "try_expression" => true,
        "macro_invocation" => n.field("macro").is_none_or(|m| {
            !matches!(
                ctx.text(m),
                "vec"
                    | "format"
                    | "println"
                    | "eprintln"
                    | "print"
                    | "eprint"
                    | "dbg"
                    | "include_str"
            )
        }),
        "call_expression" => n
            .field("function")
            .and_then(|f| f.field("field").or_else(|| f.field("name")).or(Some(f)))
            .is_some_and(|f| {
                let name = ctx.text(f);
                !matches!(name, "unwrap" | "expect")
                    && crate::rules::test_quality::tests_in_file::assertion_like_name(name)
            }),
        _ => false,
    });
    if checks_elsewhere {
        return None;
    }
    let statements: Vec<tree_sitter::Node<'t>> = crate::syntax::statements(test.body)
        .filter(|n| !crate::syntax::is_comment(*n))
        .collect();
    // `println!("{table:#?}");` at the end: the result is shown, not checked.
    let printed = statements
        .iter()
        .rev()
        .take_while(|s| is_print_statement(ctx, **s))
        .count();
    let last = *statements.get(statements.len().checked_sub(printed + 1)?)?;
    let pattern = last.field("pattern").map(|p| ctx.text(p));
    let bound = if printed > 0 {
        last.field("pattern")
            .is_some_and(|p| p.kind_str() == "identifier")
    } else {
        pattern == Some("_")
    };
    if last.kind_str() != "let_declaration" || !bound {
        return None;
    }
    let value = last.field("value")?;
    let value = if value.kind_str() == "await_expression" {
        value.named_child(0)?
    } else {
        value
    };
    let unwrapped = preorder(value)
        .any(|n| n.kind_str() == "field_identifier" && matches!(ctx.text(n), "unwrap" | "expect"));
    (value.kind_str() == "call_expression" && !unwrapped).then_some(value)
}

/// Go: a test whose only failures are `if err != nil { t.Fatal(err) }` and
/// that only logs the value the call under test returned
/// (`readings, err := ReadAll(r)` … `t.Logf("read %d", len(readings))`):
/// it fails when the call errors, whatever it returns. Returns that call.
fn go_prints_result_after_err_checks<'t>(
    ctx: &RuleContext<'t>,
    test: &TestCase<'t>,
) -> Option<tree_sitter::Node<'t>> {
    if ctx.language != Some(Language::Go) {
        return None;
    }
    let is_err = |name: &str| name == "err" || name.ends_with("Err") || name.ends_with("err");
    let err_guard = |n: tree_sitter::Node<'_>| {
        std::iter::successors(n.parent(), |p| p.parent())
            .take_while(|p| p.id() != test.body.id())
            .any(|p| {
                p.kind_str() == "if_statement"
                    && p.field("condition").is_some_and(|c| {
                        let text = ctx.text(c).replace(' ', "");
                        text.strip_suffix("!=nil").is_some_and(is_err)
                    })
            })
    };
    let callee = |call: tree_sitter::Node<'_>| -> Option<(&'t str, &'t str)> {
        let f = call.field("function")?;
        Some((ctx.text(f.field("operand")?), ctx.text(f.field("field")?)))
    };
    let prints = |call: tree_sitter::Node<'_>| {
        callee(call).is_some_and(|(object, method)| {
            (object == "t" && matches!(method, "Log" | "Logf"))
                || (matches!(object, "fmt" | "log") && method.starts_with("Print"))
        })
    };
    for call in preorder(test.body).filter(|n| n.kind_str() == "call_expression") {
        let Some(function) = call.field("function") else {
            continue;
        };
        let name = function
            .field("field")
            .map_or_else(|| ctx.text(function), |f| ctx.text(f));
        let (object, _) = callee(call).unwrap_or(("", ""));
        let fails = object == "t"
            && ["Error", "Fatal", "Fail"]
                .iter()
                .any(|f| name.starts_with(f));
        // A check other than an error guard, or `t` handed to a helper
        // that may check: not this case.
        if (fails && !err_guard(call))
            || (!fails
                && (matches!(object, "assert" | "require")
                    || name == "Expect"
                    || crate::rules::test_quality::tests_in_file::assertion_like_name(name)
                    || call.field("arguments").is_some_and(|args| {
                        let mut c = args.walk();
                        args.named_children(&mut c).any(|a| ctx.text(a) == "t")
                    })))
        {
            return None;
        }
    }
    for declaration in preorder(test.body).filter(|n| n.kind_str() == "short_var_declaration") {
        let (Some(left), Some(right)) = (declaration.field("left"), declaration.field("right"))
        else {
            continue;
        };
        let names: Vec<&str> = {
            let mut c = left.walk();
            left.named_children(&mut c).map(|n| ctx.text(n)).collect()
        };
        let Some(call) = right
            .named_child(0)
            .filter(|c| c.kind_str() == "call_expression")
        else {
            continue;
        };
        if names.len() < 2 || !names.last().is_some_and(|n| is_err(n)) {
            continue;
        }
        let values: Vec<&str> = names[..names.len() - 1]
            .iter()
            .copied()
            .filter(|n| *n != "_")
            .collect();
        let uses: Vec<tree_sitter::Node<'_>> = preorder(test.body)
            .filter(|n| {
                n.kind_str() == "identifier"
                    && n.start_byte() > declaration.end_byte()
                    && values.contains(&ctx.text(*n))
            })
            .collect();
        let only_printed = !uses.is_empty()
            && uses.iter().all(|u| {
                std::iter::successors(u.parent(), |p| p.parent())
                    .find(|p| p.kind_str() == "call_expression" && prints(*p))
                    .is_some()
            });
        if only_printed {
            return Some(call);
        }
    }
    None
}

/// A JS `afterEach(…)` hook that asserts checks every test of the file.
/// `println!(…);`, `dbg!(…);`: a statement that only shows a value.
fn is_print_statement(ctx: &RuleContext<'_>, statement: tree_sitter::Node<'_>) -> bool {
    let statement = if statement.kind_str() == "expression_statement" {
        statement.named_child(0)
    } else {
        Some(statement)
    };
    statement.is_some_and(|m| {
        m.kind_str() == "macro_invocation"
            && m.field("macro").is_some_and(|name| {
                matches!(
                    ctx.text(name),
                    "println" | "print" | "eprintln" | "eprint" | "dbg"
                )
            })
    })
}

fn hooks_assert(ctx: &RuleContext<'_>) -> bool {
    if !ctx.language.is_some_and(Language::is_js_family) {
        return false;
    }
    let Some(_) = ctx.root() else {
        return false;
    };
    ctx.nodes_of_kind(&["call_expression"]).any(|node| {
        node.field("function")
            .and_then(|f| js_callee_parts(ctx, f))
            .is_some_and(|(base, _)| base == "afterEach")
            && ctx.text(node).contains("expect")
    })
}

fn report(
    ctx: &RuleContext<'_>,
    test: &TestCase<'_>,
    discarded: Option<tree_sitter::Node<'_>>,
) -> Finding {
    let (assertion, example) = match ctx.language {
        Some(Language::Python) => ("`assert`", "`assert result.total == 85`"),
        Some(Language::Go) => (
            "`t.Errorf`/`t.Fatalf` (or testify's `assert`/`require`)",
            "`if got != want { t.Errorf(\"total = %v, want %v\", got, want) }`",
        ),
        Some(Language::Rust) => ("`assert_eq!`/`assert!`", "`assert_eq!(receipt.total, 85);`"),
        Some(Language::Java) => (
            "`assertEquals`/`assertThat`",
            "`assertThat(receipt.total()).isEqualTo(85);`",
        ),
        _ => ("`expect(…)`", "`expect(receipt.total).toBe(85)`"),
    };
    let name = quote(&test.name, 80);
    let empty = crate::syntax::statements(test.body).next().is_none();
    let what = match discarded {
        Some(call) => format!(
            "{} the result of `{}`, and its only checks are {}",
            if std::iter::successors(call.parent(), |p| p.parent())
                .find(|p| p.kind_str() == "let_declaration")
                .and_then(|l| l.field("pattern"))
                .is_some_and(|p| ctx.text(p) == "_")
            {
                "throws away (`let _ =`)"
            } else {
                "only prints"
            },
            quote(ctx.text(call), 50),
            if ctx.language == Some(Language::Go) {
                "that nothing returned an error (`if err != nil`)"
            } else {
                "`unwrap()`/`expect()` on the setup"
            }
        ),
        None if empty => "has an empty body".to_string(),
        None => "runs code but never checks a result".to_string(),
    };
    ctx.finding(
        &META,
        ctx.line(test.anchor),
        ctx.symbol_for(test.node),
        &format!("test {}", test.name),
    )
    .title(format!("Test `{name}` asserts nothing"))
    .message(format!(
        "The test `{name}` {what}: there is no {assertion} in it. It passes whatever the code \
         under test returns, as long as nothing throws, so the behaviour it is named after is \
         not actually tested."
    ))
    .symptom(format!(
        "The test `{name}` {what} and contains no assertion."
    ))
    .root_cause(
        "The test exercises the code without stating what the correct outcome is, so it can \
         never fail on a wrong result.",
    )
    .fix(format!(
        "Add assertions on the observable outcome the test's name promises: the returned \
         value, the response, the persisted state or the raised error (e.g. {example}). If \
         the point is that the call does not fail, assert that explicitly."
    ))
    .scope(
        "Change only this test. Do not modify the code under test, do not delete the test, \
         and do not replace the missing assertion with a mock-call check.",
    )
    .build()
}
