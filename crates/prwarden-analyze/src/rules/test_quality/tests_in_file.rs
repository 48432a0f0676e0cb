//! Finding the tests of a file and what their bodies check, shared by the
//! `test-quality` rules: which nodes are test cases in each framework, and
//! which calls are assertions, mock-call assertions or explicit failures.

use std::collections::HashSet;

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::Language;
use crate::syntax::NodeExt as _;
use crate::syntax::{is_test_path, preorder};

/// One test case.
pub(crate) struct TestCase<'t> {
    /// The whole test: the `it(…)` call, the function or method.
    pub node: Node<'t>,
    /// The node the finding is anchored on: the `it(`/`test(` call's callee,
    /// the function or method name.
    pub anchor: Node<'t>,
    /// The test's name: the string of `it("…")`, or the function name.
    pub name: String,
    /// The body whose statements are the test.
    pub body: Node<'t>,
    /// `#[should_panic]`, `@Test(expected = …)`, a mocha `done` callback the
    /// body hands on: the test checks its outcome by other means.
    pub expects_failure: bool,
    /// `xit`, `it.skip`, `@Disabled`, `#[ignore]`, `t.Skip()`, …
    pub skipped: bool,
    /// The describe block, class or module holding the test (for names that
    /// must be unique within it).
    pub group: Option<Node<'t>>,
}

/// Every test case of the file, in document order.
pub(crate) fn test_cases<'t>(ctx: &RuleContext<'t>) -> Vec<TestCase<'t>> {
    let (Some(_), Some(language)) = (ctx.root(), ctx.language) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match language {
        Language::TypeScript | Language::Tsx | Language::JavaScript => {
            if is_test_path(ctx.path) {
                for node in ctx.nodes_in_order(&["call_expression"]) {
                    out.extend(js_test(ctx, node));
                }
            }
        }
        Language::Python => {
            if is_test_path(ctx.path) {
                for node in ctx.nodes_in_order(&["function_definition"]) {
                    out.extend(python_test(ctx, node));
                }
            }
        }
        Language::Go => {
            if ctx.path.ends_with("_test.go") {
                for node in ctx.nodes_in_order(&["function_declaration"]) {
                    out.extend(go_test(ctx, node));
                }
            }
        }
        Language::Rust => {
            for node in ctx.nodes_in_order(&["function_item"]) {
                out.extend(rust_test(ctx, node));
            }
        }
        Language::Java => {
            for node in ctx.nodes_in_order(&["method_declaration"]) {
                out.extend(java_test(ctx, node));
            }
        }
        Language::Sql => {}
    }
    out
}

/// JS test functions: `it`, `test` and their `.only`/`.skip`/`.concurrent`/
/// `.each(table)` forms (jest, vitest, mocha, node:test, Playwright).
const JS_TEST_FNS: &[&str] = &["it", "test", "xit", "fit", "xtest", "specify"];
const JS_GROUP_FNS: &[&str] = &["describe", "context", "suite", "fdescribe", "xdescribe"];

/// `(base name, modifiers)` of a JS test-framework callee: `it` → (`it`, []),
/// `test.only` → (`test`, [`only`]), `test.each(rows)` → (`test`, [`each`]).
pub(crate) fn js_callee_parts<'s>(
    ctx: &RuleContext<'s>,
    callee: Node<'_>,
) -> Option<(&'s str, Vec<&'s str>)> {
    let mut node = callee;
    let mut modifiers = Vec::new();
    loop {
        match node.kind_str() {
            "identifier" => {
                modifiers.reverse();
                return Some((ctx.text(node), modifiers));
            }
            "member_expression" => {
                modifiers.push(ctx.text(node.field("property")?));
                node = node.field("object")?;
            }
            // `test.each(rows)("name", fn)`
            "call_expression" => node = node.field("function")?,
            _ => return None,
        }
        if modifiers.len() > 3 {
            return None;
        }
    }
}

fn js_test<'t>(ctx: &RuleContext<'t>, call: Node<'t>) -> Option<TestCase<'t>> {
    let callee = call.field("function")?;
    let (base, modifiers) = js_callee_parts(ctx, callee)?;
    if !JS_TEST_FNS.contains(&base) {
        return None;
    }
    if !modifiers.iter().all(|m| {
        matches!(
            *m,
            "only" | "skip" | "concurrent" | "each" | "failing" | "serial"
        )
    }) {
        // `test.describe`, `test.step`, `test.beforeEach`, `it.todo`, …
        return None;
    }
    if modifiers.contains(&"failing") {
        return None;
    }
    let args = call.field("arguments")?;
    let mut cursor = args.walk();
    let named: Vec<Node<'t>> = args
        .named_children(&mut cursor)
        .filter(|n| n.kind_str() != "comment")
        .collect();
    let first = named.first()?;
    if !matches!(first.kind_str(), "string" | "template_string") {
        return None;
    }
    let callback = named.iter().rev().find(|n| {
        matches!(
            n.kind_str(),
            "arrow_function" | "function_expression" | "function"
        )
    })?;
    let body = callback.field("body")?;
    let skipped = matches!(base, "xit" | "xtest") || modifiers.contains(&"skip");
    Some(TestCase {
        node: call,
        anchor: callee,
        name: ctx.text(*first).trim_matches(['"', '\'', '`']).to_string(),
        body,
        // Mocha's `done`: a test that passes only if the callback runs (and
        // fails on `done(err)`) asserts that it runs.
        expects_failure: js_done_callback(ctx, *callback).is_some_and(|done| {
            preorder(body).any(|n| n.kind_str() == "identifier" && ctx.text(n) == done)
        }),
        skipped,
        group: js_group(ctx, call),
    })
}

/// The name of a test callback's completion parameter (`function (done)`).
fn js_done_callback<'s>(ctx: &RuleContext<'s>, callback: Node<'_>) -> Option<&'s str> {
    let param = match callback.field("parameter") {
        Some(p) => p,
        None => callback.field("parameters")?.named_child(0)?,
    };
    let name = ctx.text(param.field("pattern").unwrap_or(param));
    matches!(name, "done" | "cb" | "callback" | "end" | "next").then_some(name)
}

/// The `describe(…)` call enclosing a JS test.
fn js_group<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Node<'t>> {
    let mut current = node.parent();
    while let Some(n) = current {
        if n.kind_str() == "call_expression"
            && let Some(callee) = n.field("function")
            && let Some((base, _)) = js_callee_parts(ctx, callee)
            && (JS_GROUP_FNS.contains(&base)
                || (base == "test" && ctx.text(callee).starts_with("test.describe")))
        {
            return Some(n);
        }
        current = n.parent();
    }
    None
}

/// Decorators of a Python definition, if it is decorated.
fn python_decorators<'t>(definition: Node<'t>) -> Vec<Node<'t>> {
    let Some(parent) = definition
        .parent()
        .filter(|p| p.kind_str() == "decorated_definition")
    else {
        return Vec::new();
    };
    let mut cursor = parent.walk();
    parent
        .named_children(&mut cursor)
        .filter(|n| n.kind_str() == "decorator")
        .collect()
}

fn python_test<'t>(ctx: &RuleContext<'t>, function: Node<'t>) -> Option<TestCase<'t>> {
    let name_node = function.field("name")?;
    let name = ctx.text(name_node);
    if !name.starts_with("test") {
        return None;
    }
    // Module level, or a method of a `Test…` class / `TestCase` subclass.
    let mut outer = function.parent()?;
    if outer.kind_str() == "decorated_definition" {
        outer = outer.parent()?;
    }
    let group = match outer.kind_str() {
        "module" => None,
        "block" => {
            let mut class = outer.parent()?;
            if class.kind_str() != "class_definition" {
                return None;
            }
            let class_name = ctx.text(class.field("name")?);
            let bases = class.field("superclasses").map_or("", |s| ctx.text(s));
            if !class_name.starts_with("Test") && !bases.contains("TestCase") {
                return None;
            }
            if class
                .parent()
                .is_some_and(|p| p.kind_str() == "decorated_definition")
            {
                class = class.parent()?;
            }
            Some(class)
        }
        _ => return None,
    };
    let decorators: Vec<&str> = python_decorators(function)
        .into_iter()
        .map(|d| ctx.text(d))
        .collect();
    if decorators.iter().any(|d| d.contains("fixture")) {
        return None;
    }
    let skipped = decorators
        .iter()
        .any(|d| d.contains(".skip") || d.contains("xfail"));
    Some(TestCase {
        node: function,
        anchor: name_node,
        name: name.to_string(),
        body: function.field("body")?,
        expects_failure: false,
        skipped,
        group,
    })
}

fn go_test<'t>(ctx: &RuleContext<'t>, function: Node<'t>) -> Option<TestCase<'t>> {
    let name_node = function.field("name")?;
    let name = ctx.text(name_node);
    let rest = name.strip_prefix("Test")?;
    // `TestMain` sets the package's tests up; `Testify` is not a test.
    if name == "TestMain" || rest.starts_with(|c: char| c.is_ascii_lowercase()) {
        return None;
    }
    let params = ctx.text(function.field("parameters")?);
    if !params.contains("*testing.T") {
        return None;
    }
    Some(TestCase {
        node: function,
        anchor: name_node,
        name: name.to_string(),
        body: function.field("body")?,
        expects_failure: false,
        skipped: false,
        group: None,
    })
}

/// The attributes written before a Rust item.
pub(crate) fn rust_attributes<'s>(ctx: &RuleContext<'s>, item: Node<'_>) -> Vec<&'s str> {
    let mut out = Vec::new();
    let mut sibling = item.prev_sibling();
    while let Some(s) = sibling {
        match s.kind_str() {
            "attribute_item" => out.push(ctx.text(s)),
            "line_comment" | "block_comment" => {}
            _ => break,
        }
        sibling = s.prev_sibling();
    }
    out
}

fn rust_test<'t>(ctx: &RuleContext<'t>, function: Node<'t>) -> Option<TestCase<'t>> {
    let attributes = rust_attributes(ctx, function);
    let is_test = attributes.iter().any(|a| {
        let inner = a.trim_start_matches("#[").trim_end_matches(']');
        let path = inner.split(['(', ' ']).next().unwrap_or("");
        path == "test"
            || path.ends_with("::test")
            || matches!(
                path,
                "rstest" | "test_case" | "test_log::test" | "sqlx::test"
            )
    });
    if !is_test {
        return None;
    }
    let name_node = function.field("name")?;
    let group = function
        .parent()
        .and_then(|p| p.parent())
        .filter(|m| m.kind_str() == "mod_item");
    Some(TestCase {
        node: function,
        anchor: name_node,
        name: ctx.text(name_node).to_string(),
        body: function.field("body")?,
        expects_failure: attributes.iter().any(|a| a.contains("should_panic")),
        skipped: attributes.iter().any(|a| a.starts_with("#[ignore")),
        group,
    })
}

/// The annotations of a Java method, as written (`@Test`, `@Disabled("…")`).
pub(crate) fn java_annotations<'s>(
    ctx: &RuleContext<'s>,
    method: Node<'_>,
) -> Vec<(String, &'s str)> {
    let mut cursor = method.walk();
    let Some(modifiers) = method
        .named_children(&mut cursor)
        .find(|n| n.kind_str() == "modifiers")
    else {
        return Vec::new();
    };
    let mut cursor = modifiers.walk();
    modifiers
        .named_children(&mut cursor)
        .filter(|n| matches!(n.kind_str(), "marker_annotation" | "annotation"))
        .filter_map(|n| {
            let name = ctx.text(n.field("name")?);
            let simple = name.rsplit('.').next().unwrap_or(name).to_string();
            Some((simple, ctx.text(n)))
        })
        .collect()
}

fn java_test<'t>(ctx: &RuleContext<'t>, method: Node<'t>) -> Option<TestCase<'t>> {
    let annotations = java_annotations(ctx, method);
    if !annotations
        .iter()
        .any(|(name, _)| matches!(name.as_str(), "Test" | "ParameterizedTest" | "RepeatedTest"))
    {
        return None;
    }
    let name_node = method.field("name")?;
    let expects_failure = annotations.iter().any(|(name, text)| {
        name == "Test" && (text.contains("expected") || text.contains("expectedExceptions"))
    });
    let skipped = annotations.iter().any(|(name, text)| {
        matches!(name.as_str(), "Disabled" | "Ignore")
            || text.contains("enabled = false")
            || text.contains("enabled=false")
    });
    let group = method.parent().and_then(|body| body.parent());
    Some(TestCase {
        node: method,
        anchor: name_node,
        name: ctx.text(name_node).to_string(),
        body: method.field("body")?,
        expects_failure,
        skipped,
        group,
    })
}

/// What a test body checks.
#[derive(Default)]
pub(crate) struct Checks<'t> {
    /// Assertions on values or state (and explicit failures).
    pub real: usize,
    /// Assertions on mock calls.
    pub mock: Vec<Node<'t>>,
    /// `t.Skip()`, `pytest.skip()`, …: the test opts out at run time.
    pub skips_itself: bool,
}

/// `assertFoo`, `expect_ok`, `checkInvariants`, `verifyOrder`: a custom helper
/// named like an assertion (a word boundary after the prefix, so `checkout`
/// and `expectation` do not count).
pub(crate) fn assertion_like_name(name: &str) -> bool {
    ["assert", "expect", "check", "verify", "ensure", "should"]
        .iter()
        .any(|prefix| {
            let lower = name.to_ascii_lowercase();
            lower.starts_with(prefix)
                && match name[prefix.len()..].chars().next() {
                    // A bare `check()`/`verify()` is as often an action
                    // (Playwright's `locator.check()`) as an assertion.
                    None => matches!(*prefix, "assert" | "expect"),
                    Some(c) => c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit(),
                }
        })
}

/// Mock-call vocabulary inside an assertion's text: `.mock.calls`,
/// `.call_count`, ArgumentCaptor values; and, in Python where every `Mock`
/// has it, `.called`.
fn mentions_mock_calls(text: &str) -> bool {
    mentions_js_mock_calls(text)
        || text.ends_with(".called")
        || text.contains(".called ")
        || text.contains(".called)")
        || text.contains(".called,")
}

/// [`mentions_mock_calls`] without the bare `.called`, a common plain field
/// name in JavaScript (`req.called = true`).
fn mentions_js_mock_calls(text: &str) -> bool {
    [
        ".mock.calls",
        ".mock.results",
        ".mock.lastCall",
        ".callCount",
        ".calledOnce",
        ".calledWith",
        ".calledTwice",
        ".notCalled",
        ".call_count",
        ".call_args",
        ".await_count",
        ".await_args",
        ".mock_calls",
        ".method_calls",
        "aptor.getValue",
        "aptor.getAllValues",
    ]
    .iter()
    .any(|m| text.contains(m))
}

/// The functions of the file (by name) whose bodies assert, directly or
/// through other such functions: calls to them count as assertions.
/// `l := newTestLedger(t)`, `srv, db := setupServer(t)`: a fixture builder
/// whose value the test goes on to use. It receives `t` only to fail when
/// the setup breaks, which checks nothing about the code under test.
fn go_setup_call(name: &str, call: Node<'_>) -> bool {
    const SETUP: &[&str] = &[
        "new", "setup", "make", "create", "build", "open", "start", "seed", "fake", "mock", "stub",
    ];
    let lower = name.to_ascii_lowercase();
    let builder = SETUP.iter().any(|prefix| {
        lower.starts_with(prefix)
            && name[prefix.len()..]
                .chars()
                .next()
                .is_none_or(|c| c.is_ascii_uppercase())
    });
    let value_used = call.parent().is_some_and(|p| {
        p.kind_str() == "expression_list"
            && p.parent().is_some_and(|d| {
                matches!(
                    d.kind_str(),
                    "short_var_declaration" | "assignment_statement"
                ) && d.field("right") == Some(p)
            })
    });
    builder && value_used
}

fn asserting_helpers(ctx: &RuleContext<'_>) -> HashSet<String> {
    let (Some(_), Some(language)) = (ctx.root(), ctx.language) else {
        return HashSet::new();
    };
    let functions = functions_of(ctx, language);
    let mut out = HashSet::new();
    // `roundtrip` → `roundtrip_with` → `assert_eq!`: a few rounds reach the
    // helpers real test files have.
    for _ in 0..4 {
        let before = out.len();
        for (name, body, t_names) in &functions {
            if out.contains(name) {
                continue;
            }
            let checks = checks_in(ctx, *body, &out, t_names);
            if checks.real > 0 || !checks.mock.is_empty() {
                out.insert(name.clone());
            }
        }
        if out.len() == before {
            break;
        }
    }
    out
}

/// `(name, body, *testing.T parameter names)` of every named function.
fn functions_of<'t>(
    ctx: &RuleContext<'t>,
    language: Language,
) -> Vec<(String, Node<'t>, HashSet<String>)> {
    let mut out = Vec::new();
    let kinds: &[&str] = match language {
        Language::TypeScript | Language::Tsx | Language::JavaScript => {
            &["function_declaration", "variable_declarator"]
        }
        Language::Python => &["function_definition"],
        Language::Go => &["function_declaration", "method_declaration"],
        Language::Rust => &["function_item"],
        Language::Java => &["method_declaration"],
        Language::Sql => &[],
    };
    for node in ctx.nodes_in_order(kinds) {
        let (name, body) = match (language, node.kind_str()) {
            (
                Language::TypeScript | Language::Tsx | Language::JavaScript,
                "function_declaration",
            ) => (node.field("name"), node.field("body")),
            (
                Language::TypeScript | Language::Tsx | Language::JavaScript,
                "variable_declarator",
            ) => {
                let value = node.field("value");
                let is_fn = value.is_some_and(|v| {
                    matches!(
                        v.kind_str(),
                        "arrow_function" | "function_expression" | "function"
                    )
                });
                if !is_fn {
                    continue;
                }
                (node.field("name"), value.and_then(|v| v.field("body")))
            }
            (Language::Python, "function_definition")
            | (Language::Go, "function_declaration" | "method_declaration")
            | (Language::Rust, "function_item")
            | (Language::Java, "method_declaration") => (node.field("name"), node.field("body")),
            _ => continue,
        };
        let (Some(name), Some(body)) = (name, body) else {
            continue;
        };
        let t_names = if language == Language::Go {
            go_t_names(ctx, node)
        } else {
            HashSet::new()
        };
        out.push((ctx.text(name).to_string(), body, t_names));
    }
    out
}

/// The `*testing.T` parameter names in a Go test and its subtest closures.
fn go_t_names(ctx: &RuleContext<'_>, test: Node<'_>) -> HashSet<String> {
    let mut names = HashSet::new();
    for node in preorder(test).filter(|n| n.kind_str() == "parameter_declaration") {
        let is_t = node
            .field("type")
            .is_some_and(|t| ctx.text(t) == "*testing.T");
        if !is_t {
            continue;
        }
        let mut cursor = node.walk();
        for name in node.children_by_field_name("name", &mut cursor) {
            names.insert(ctx.text(name).to_string());
        }
    }
    names
}

/// The tests of the file that run and must check their own outcome (not
/// skipped, not expecting a failure), each with what it checks.
pub(crate) fn judged_tests<'t>(ctx: &RuleContext<'t>) -> Vec<(TestCase<'t>, Checks<'t>)> {
    let tests = test_cases(ctx);
    if tests.is_empty() {
        return Vec::new();
    }
    let helpers = asserting_helpers(ctx);
    tests
        .into_iter()
        .filter(|t| !t.skipped && !t.expects_failure)
        .map(|t| {
            let checks = checks_of(ctx, &t, &helpers);
            (t, checks)
        })
        .filter(|(_, checks)| !checks.skips_itself)
        .collect()
}

/// What a test checks. `helpers` are the file's asserting functions;
/// `t_names` (Go) the `*testing.T` parameters in scope.
fn checks_of<'t>(
    ctx: &RuleContext<'t>,
    test: &TestCase<'t>,
    helpers: &HashSet<String>,
) -> Checks<'t> {
    let t_names = if ctx.language == Some(Language::Go) {
        go_t_names(ctx, test.node)
    } else {
        HashSet::new()
    };
    checks_in(ctx, test.body, helpers, &t_names)
}

fn checks_in<'t>(
    ctx: &RuleContext<'t>,
    body: Node<'t>,
    helpers: &HashSet<String>,
    t_names: &HashSet<String>,
) -> Checks<'t> {
    let mut checks = Checks::default();
    let Some(language) = ctx.language else {
        return checks;
    };
    for node in preorder(body) {
        let verdict = match language {
            Language::TypeScript | Language::Tsx | Language::JavaScript => {
                js_check(ctx, node, helpers)
            }
            Language::Python => python_check(ctx, node, helpers),
            Language::Go => go_check(ctx, node, helpers, t_names),
            Language::Rust => rust_check(ctx, node, helpers),
            Language::Java => java_check(ctx, node, helpers),
            Language::Sql => None,
        };
        match verdict {
            Some(Check::Real) => checks.real += 1,
            Some(Check::Mock) => checks.mock.push(node),
            Some(Check::Skip) => checks.skips_itself = true,
            None => {}
        }
    }
    checks
}

enum Check {
    Real,
    Mock,
    Skip,
}

const JS_MOCK_MATCHERS: &[&str] = &[
    "toHaveBeenCalled",
    "toHaveBeenCalledWith",
    "toHaveBeenCalledTimes",
    "toHaveBeenCalledOnce",
    "toHaveBeenCalledOnceWith",
    "toHaveBeenLastCalledWith",
    "toHaveBeenNthCalledWith",
    "toBeCalled",
    "toBeCalledWith",
    "toBeCalledTimes",
    "lastCalledWith",
    "nthCalledWith",
    "toHaveReturned",
    "toHaveReturnedWith",
    "toHaveReturnedTimes",
    "toHaveLastReturnedWith",
    "toHaveNthReturnedWith",
    "called",
    "calledOnce",
    "calledTwice",
    "calledWith",
    "calledOnceWith",
    "calledWithExactly",
    "callCount",
];

/// `expect.<matcher>(…)` values that stand for "any argument like this"
/// inside another assertion, not assertions themselves.
const JS_ASYMMETRIC_MATCHERS: &[&str] = &[
    "objectContaining",
    "arrayContaining",
    "stringContaining",
    "stringMatching",
    "any",
    "anything",
    "closeTo",
];

/// A `throw` in the implementation of a fake (`jest.fn(async () => { …
/// throw … })`, `.mockImplementation(…)`, sinon's `.callsFake(…)`): the
/// fake's behaviour, not a check of the test (nor of a helper building it).
fn js_in_fake_implementation(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    std::iter::successors(node.parent(), |p| p.parent())
        .filter(|p| p.kind_str() == "call_expression")
        .any(|call| {
            call.field("function").is_some_and(|f| {
                let name = match f.kind_str() {
                    "member_expression" => f.field("property").map_or("", |p| ctx.text(p)),
                    _ => ctx.text(f),
                };
                matches!(
                    name,
                    "fn" | "mockImplementation" | "mockImplementationOnce" | "callsFake"
                )
            })
        })
}

/// `const buttons = await screen.findAllByRole(…)` whose variable is then
/// only clicked or typed into (`await user.click(buttons[1])`): the lookup
/// finds a target, it checks nothing the interaction would not.
fn js_only_interacted_with(ctx: &RuleContext<'_>, lookup: Node<'_>) -> bool {
    let Some(name) = lookup
        .parent()
        .filter(|p| p.kind_str() == "variable_declarator")
        .and_then(|d| d.field("name"))
        .filter(|n| n.kind_str() == "identifier")
    else {
        return false;
    };
    let Some(scope) = std::iter::successors(lookup.parent(), |p| p.parent())
        .find(|p| p.kind_str() == "statement_block")
    else {
        return false;
    };
    let variable = ctx.text(name);
    let uses: Vec<Node<'_>> = crate::syntax::preorder(scope)
        .filter(|n| n.kind_str() == "identifier" && n.id() != name.id() && ctx.text(*n) == variable)
        .collect();
    !uses.is_empty()
        && uses.iter().all(|u| {
            std::iter::successors(u.parent(), |p| p.parent())
                .take_while(|p| p.id() != scope.id())
                .filter(|p| p.kind_str() == "call_expression")
                .any(|call| {
                    call.field("function")
                        .filter(|f| f.kind_str() == "member_expression")
                        .and_then(|f| f.field("object"))
                        .is_some_and(|o| matches!(ctx.text(o), "userEvent" | "user" | "fireEvent"))
                })
        })
}

fn js_check(ctx: &RuleContext<'_>, node: Node<'_>, helpers: &HashSet<String>) -> Option<Check> {
    match node.kind_str() {
        "throw_statement" if js_in_fake_implementation(ctx, node) => return None,
        "throw_statement" => return Some(Check::Real),
        "call_expression" => {}
        // `.then(expectSuccess)`: an assertion helper handed on as a callback.
        "identifier" => {
            let name = ctx.text(node);
            let argument = node.parent().is_some_and(|p| p.kind_str() == "arguments");
            return (argument && (assertion_like_name(name) || helpers.contains(name)))
                .then_some(Check::Real);
        }
        _ => return None,
    }
    let callee = node.field("function")?;
    let (base, modifiers) = js_callee_parts(ctx, callee).unwrap_or(("", Vec::new()));
    let method = match callee.kind_str() {
        "identifier" => ctx.text(callee),
        "member_expression" => callee.field("property").map_or("", |p| ctx.text(p)),
        _ => "",
    };
    // `expect(x)…`: judged once, at the `expect(…)` call, by its whole chain.
    if callee.kind_str() == "identifier" && base == "expect" || ctx.text(callee) == "expect.soft" {
        let mut top = node;
        while let Some(parent) = top.parent() {
            let continues = parent.kind_str() == "member_expression"
                || (parent.kind_str() == "call_expression"
                    && parent.field("function") == Some(top));
            if !continues {
                break;
            }
            top = parent;
        }
        let subject = node.field("arguments").map_or("", |a| ctx.text(a));
        let chain = ctx.text(top);
        let chain_words = chain
            .get(ctx.text(node).len()..)
            .unwrap_or("")
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_');
        let mut mock = mentions_js_mock_calls(subject);
        for word in chain_words {
            if JS_MOCK_MATCHERS.contains(&word) {
                mock = true;
            }
        }
        return Some(if mock { Check::Mock } else { Check::Real });
    }
    if base == "expect" {
        // `expect.assertions(1)`, `expect.hasAssertions()`; `expect(x).toBe`
        // chains are counted at their `expect(…)` call above. Asymmetric
        // matchers (`expect.objectContaining({ id })`, `expect.any(Date)`)
        // only describe an argument of another assertion.
        if JS_ASYMMETRIC_MATCHERS.contains(&method) {
            return None;
        }
        return (callee.kind_str() == "member_expression"
            && callee
                .field("object")
                .is_some_and(|o| o.kind_str() == "identifier"))
        .then_some(Check::Real);
    }
    if base == "sinon" && modifiers.first() == Some(&"assert") {
        return Some(Check::Mock);
    }
    if base == "assert" || ctx.text(callee).contains(".should") || base == "should" {
        let args = node.field("arguments").map_or("", |a| ctx.text(a));
        return Some(if mentions_js_mock_calls(args) {
            Check::Mock
        } else {
            Check::Real
        });
    }
    // Testing Library's `getBy…`/`findBy…` throw when nothing matches: a
    // statement of its own is an implicit assertion that the element is
    // there. One that only finds the element to click or type into
    // (`userEvent.type(screen.getByLabelText(…), …)`) asserts nothing.
    let query = method.starts_with("getBy")
        || method.starts_with("getAllBy")
        || method.starts_with("findBy")
        || method.starts_with("findAllBy");
    if query {
        let mut outer = node;
        if let Some(parent) = outer
            .parent()
            .filter(|p| p.kind_str() == "await_expression")
        {
            outer = parent;
        }
        let statement = outer
            .parent()
            .is_some_and(|p| p.kind_str() == "expression_statement");
        let handed_to_call = outer.parent().is_some_and(|p| p.kind_str() == "arguments");
        if !statement && js_only_interacted_with(ctx, outer) {
            return None;
        }
        return (statement || !handed_to_call).then_some(Check::Real);
    }
    if method == "fail"
        || matches!(
            method,
            "waitForURL" | "waitForSelector" | "waitForResponse" | "toMatchSnapshot"
        )
        || assertion_like_name(method)
        || (callee.kind_str() == "identifier" && helpers.contains(method))
    {
        return Some(Check::Real);
    }
    // tap / ava / node:test's `t.assert`-style context.
    if callee.kind_str() == "member_expression"
        && matches!(base, "t")
        && matches!(
            method,
            "ok" | "notOk"
                | "equal"
                | "equals"
                | "not"
                | "is"
                | "same"
                | "strictSame"
                | "deepEqual"
                | "truthy"
                | "falsy"
                | "throws"
                | "rejects"
                | "match"
                | "snapshot"
                | "like"
        )
    {
        return Some(Check::Real);
    }
    None
}

fn python_check(ctx: &RuleContext<'_>, node: Node<'_>, helpers: &HashSet<String>) -> Option<Check> {
    match node.kind_str() {
        "assert_statement" => {
            return Some(if mentions_mock_calls(ctx.text(node)) {
                Check::Mock
            } else {
                Check::Real
            });
        }
        "raise_statement" => return Some(Check::Real),
        "call" => {}
        _ => return None,
    }
    let function = node.field("function")?;
    let (receiver, name) = match function.kind_str() {
        "identifier" => ("", ctx.text(function)),
        "attribute" => (
            function.field("object").map_or("", |o| ctx.text(o)),
            ctx.text(function.field("attribute")?),
        ),
        _ => return None,
    };
    if matches!(name, "skip" | "skipTest") && matches!(receiver, "pytest" | "self") {
        return Some(Check::Skip);
    }
    if name.starts_with("assert_called")
        || name.starts_with("assert_awaited")
        || matches!(
            name,
            "assert_not_called"
                | "assert_any_call"
                | "assert_has_calls"
                | "assert_not_awaited"
                | "assert_any_await"
                | "assert_has_awaits"
        )
    {
        return Some(Check::Mock);
    }
    if receiver == "pytest" && matches!(name, "raises" | "warns" | "fail" | "deprecated_call") {
        return Some(Check::Real);
    }
    if name == "fail" || assertion_like_name(name) || helpers.contains(name) {
        let args = node.field("arguments").map_or("", |a| ctx.text(a));
        return Some(if mentions_mock_calls(args) {
            Check::Mock
        } else {
            Check::Real
        });
    }
    None
}

fn go_check(
    ctx: &RuleContext<'_>,
    node: Node<'_>,
    helpers: &HashSet<String>,
    t_names: &HashSet<String>,
) -> Option<Check> {
    if node.kind_str() != "call_expression" {
        return None;
    }
    let function = node.field("function")?;
    let (operand, name) = match function.kind_str() {
        "identifier" => ("", ctx.text(function)),
        "selector_expression" => (
            function.field("operand").map_or("", |o| ctx.text(o)),
            ctx.text(function.field("field")?),
        ),
        _ => return None,
    };
    if name == "EXPECT" {
        return Some(Check::Mock);
    }
    if t_names.contains(operand) {
        return match name {
            "Error" | "Errorf" | "Fatal" | "Fatalf" | "Fail" | "FailNow" => Some(Check::Real),
            "Skip" | "Skipf" | "SkipNow" => Some(Check::Skip),
            _ => None,
        };
    }
    if matches!(
        operand,
        "assert" | "require" | "is" | "qt" | "check" | "must"
    ) || name == "Expect"
        || name == "Ω"
    {
        return Some(Check::Real);
    }
    if name.starts_with("Assert") && !operand.is_empty() && !matches!(operand, "assert" | "require")
    {
        // testify's `mockStore.AssertExpectations(t)` / `AssertCalled`.
        return Some(Check::Mock);
    }
    if name == "NewController" {
        // gomock verifies the EXPECT() calls when the test ends.
        return Some(Check::Mock);
    }
    if go_setup_call(name, node) {
        return None;
    }
    // A helper that receives the test's `t` can fail it.
    let args = node.field("arguments")?;
    let mut cursor = args.walk();
    let passes_t = args
        .named_children(&mut cursor)
        .any(|a| t_names.contains(ctx.text(a)));
    if passes_t && name != "Run" && name != "Parallel" && name != "Cleanup" && name != "Helper" {
        return Some(Check::Real);
    }
    if assertion_like_name(name) || helpers.contains(name) {
        return Some(Check::Real);
    }
    None
}

fn rust_check(ctx: &RuleContext<'_>, node: Node<'_>, helpers: &HashSet<String>) -> Option<Check> {
    match node.kind_str() {
        "macro_invocation" => {
            let name = ctx.text(node.field("macro")?);
            let name = name.rsplit("::").next().unwrap_or(name);
            // Any macro but the standard ones that cannot fail a test may be
            // a project's assertion macro (`snapshot!`, `check_parse!`).
            let harmless = matches!(
                name,
                "println"
                    | "print"
                    | "eprintln"
                    | "eprint"
                    | "format"
                    | "format_args"
                    | "vec"
                    | "write"
                    | "writeln"
                    | "dbg"
                    | "concat"
                    | "stringify"
                    | "include_str"
                    | "include_bytes"
                    | "env"
                    | "matches"
                    | "cfg"
                    | "line"
                    | "file"
                    | "column"
                    | "json"
                    | "quote"
                    | "parse_quote"
                    | "info"
                    | "debug"
                    | "trace"
                    | "warn"
                    | "error"
                    | "todo"
                    | "unimplemented"
            );
            (!harmless).then_some(Check::Real)
        }
        // `?` in a test returning `Result` fails the test on an error.
        "try_expression" => Some(Check::Real),
        "call_expression" => {
            let mut function = node.field("function")?;
            if function.kind_str() == "generic_function" {
                function = function.field("function")?;
            }
            let name = match function.kind_str() {
                "field_expression" => ctx.text(function.field("field")?),
                "identifier" => ctx.text(function),
                "scoped_identifier" => ctx.text(function.field("name")?),
                _ => return None,
            };
            if function.kind_str() == "field_expression" && name.starts_with("expect_") {
                // mockall expectations.
                return Some(Check::Mock);
            }
            if matches!(name, "unwrap" | "expect" | "unwrap_err" | "expect_err")
                || assertion_like_name(name)
                || helpers.contains(name)
            {
                return Some(Check::Real);
            }
            None
        }
        _ => None,
    }
}

fn java_check(ctx: &RuleContext<'_>, node: Node<'_>, helpers: &HashSet<String>) -> Option<Check> {
    match node.kind_str() {
        "throw_statement" => return Some(Check::Real),
        "method_invocation" => {}
        _ => return None,
    }
    let name = ctx.text(node.field("name")?);
    let args = node.field("arguments").map_or("", |a| ctx.text(a));
    if matches!(
        name,
        "verify" | "verifyNoMoreInteractions" | "verifyNoInteractions" | "verifyZeroInteractions"
    ) || matches!(
        name,
        "should"
            | "shouldHaveNoMoreInteractions"
            | "shouldHaveNoInteractions"
            | "shouldHaveZeroInteractions"
    ) {
        return Some(Check::Mock);
    }
    if name == "fail"
        || name == "andExpect"
        || (name == "then" && args == "()")
        || assertion_like_name(name)
        || (node.field("object").is_none() && helpers.contains(name))
    {
        return Some(if mentions_mock_calls(args) {
            Check::Mock
        } else {
            Check::Real
        });
    }
    None
}
