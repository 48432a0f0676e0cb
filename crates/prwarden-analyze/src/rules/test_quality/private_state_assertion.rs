//! `test-quality/private-state-assertion`: a test that asserts on the code's
//! private internals instead of its behaviour.
//!
//! ## What it does
//! Finds, inside test cases:
//! - Python: an `assert` that reads a private attribute of the object under
//!   test (`assert "SPRING" in calculator._discount_cache`);
//! - JavaScript/TypeScript: an `expect(…)`, `assert(…)` or `assert.…(…)`
//!   whose subject (first argument) reads a private field
//!   (`expect(pricing._rateCache.get("FR")).toBe(0.2)`,
//!   `assert.deepEqual(builder._pages[0].links, […])`, TypeScript's
//!   `expect(cart["lineMap"].size)`);
//! - Java: reflection that opens a private member
//!   (`field.setAccessible(true)`, `ReflectionTestUtils.getField(…)`), and
//!   an `assert…(…)`/`assertThat(…)` on a field read directly (not through a
//!   getter) of the object under test (built with `new` from the class the
//!   test class is named after: `FindsConsumer` in `FindsConsumerTest`, not
//!   a hand-written fake), named like bookkeeping (`assertThat(consumer.processedIds)`: a package-private
//!   internal opened for the test).
//!
//! A private member has a single leading underscore and a name of internal
//! bookkeeping (`cache`, `index`, `map`, `count`, `queue`, `listeners`,
//! `seen`, `next`, …): libraries that expose other underscore members as
//! API (`schema._def`, `err.format()._errors`) are not reported. In
//! JavaScript/TypeScript any single-underscore member counts when its object
//! is one the test file builds with `new` (`builder = new SiteBuilder(…)`:
//! the object under test, whose underscore members are its internals); in
//! Python likewise when the object is built from a class in the test file
//! (`service = LoanService(…)`, or a `@pytest.fixture` named `service` that
//! returns `LoanService(…)`: `assert loan.id in service._loans_by_status[…]`).
//! Nor are the test's
//! own helpers (`self._client`), dunder names, public APIs that start with an
//! underscore (Django's `_meta`, namedtuple's `_asdict`/`_fields`/`_replace`,
//! mock internals `_mock_*`), JSON fields that conventionally carry one
//! (`_id`, `_links`, `_embedded`, `_source`, `_rev`, …), and Go, where tests
//! of the same package read unexported fields by design.
//!
//! In TypeScript it also finds the `obj["privateField"]` escape hatch for
//! reading a `private` member (`expect(cart["lineMap"].size).toBe(1)`,
//! `expect(scorer["lastScored"].get(id))`) when the string is an identifier
//! with a bookkeeping word or a camelCase name and the object is a
//! variable the test file builds with `new` (`cart = new Cart(…)`): a read
//! of a plain record (`totals["lineCount"]`) is not reported, nor a one-word
//! key of an indexable class (`tally["apple"]`).
//!
//! ## Why is this bad?
//! A test that checks a cache, an index or a counter inside the object pins
//! down how the code works, not what it does. It breaks on every refactoring
//! that keeps the behaviour, and it passes when the behaviour is wrong but
//! the internal bookkeeping looks right. Agents write such assertions when
//! the public result is awkward to observe.
//!
//! ## Example
//! ```py
//! def test_discount_is_cached(calculator):
//!     calculator.total([LineItem("seat", 2, Decimal("10"))], code="SPRING")
//!     assert "SPRING" in calculator._discount_cache
//! ```
//!
//! Use instead:
//! ```py
//! def test_discount_lookup_happens_once(calculator, discounts):
//!     calculator.total([LineItem("seat", 2, Decimal("10"))], code="SPRING")
//!     calculator.total([LineItem("seat", 1, Decimal("10"))], code="SPRING")
//!     assert discounts.lookups == ["SPRING"]
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::test_quality::tests_in_file::test_cases;
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{identifier_words, preorder, string_literal_value};

pub static META: RuleMeta = RuleMeta {
    id: "test-quality/private-state-assertion",
    item: ChecklistItem::TestQuality,
    severity: Severity::Info,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Java,
    ],
    summary: "A test asserting on private internals (`obj._cache`, `setAccessible(true)`) instead of behaviour",
};

pub struct PrivateStateAssertion;

impl Rule for PrivateStateAssertion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(language) = ctx.language else {
            return;
        };
        for test in test_cases(ctx) {
            for node in preorder(test.body) {
                if let Some(member) = private_read(ctx, language, node) {
                    out.push(report(ctx, language, node, member));
                }
            }
        }
    }
}

/// Public names and conventional data fields that start with one underscore.
const NOT_PRIVATE: &[&str] = &[
    "_meta",
    "_asdict",
    "_fields",
    "_replace",
    "_make",
    "_field_defaults",
    "_id",
    "_links",
    "_embedded",
    "_source",
    "_rev",
    "_key",
    "_type",
    "_index",
    "_score",
];

/// Words of a member that keeps the object's bookkeeping.
const BOOKKEEPING: &[&str] = &[
    "cache",
    "cached",
    "count",
    "counts",
    "counter",
    "index",
    "map",
    "store",
    "state",
    "queue",
    "pending",
    "listeners",
    "subscribers",
    "lines",
    "seen",
    "processed",
    "registry",
    "buffer",
    "attempts",
    "calls",
    "entries",
    "items",
    "timers",
    "sessions",
    "next",
    "seq",
    "dirty",
    "memo",
    "lookup",
];

/// A single-underscore member named like internal bookkeeping: `_rateCache`,
/// `_discount_cache`, `_next_number`. Libraries that expose underscore
/// members as API (`schema._def`, `err._errors`) are left alone.
fn is_private(name: &str) -> bool {
    name.starts_with('_')
        && !name.starts_with("__")
        && !name.starts_with("_mock")
        && name.len() > 1
        && !NOT_PRIVATE.contains(&name)
        && identifier_words(name)
            .iter()
            .any(|w| BOOKKEEPING.contains(&w.as_str()))
}

/// `_pages`, `_loans_by_status`: a single-underscore name that is not a mock
/// or one of the underscore names libraries make public.
fn private_by_convention(name: &str) -> bool {
    name.len() > 1
        && name.starts_with('_')
        && !name.starts_with("__")
        && !name.starts_with("_mock")
        && !NOT_PRIVATE.contains(&name)
}

/// `builder._pages` with `builder = new SiteBuilder(…)` in the test file: an
/// underscore member (private by convention) of the object under test,
/// whatever its name.
fn private_of_constructed(ctx: &RuleContext<'_>, member: Node<'_>) -> bool {
    let (Some(object), Some(property)) = (member.field("object"), member.field("property")) else {
        return false;
    };
    let name = ctx.text(property);
    private_by_convention(name)
        && object.kind_str() == "identifier"
        && constructed_in_file(ctx, ctx.text(object))
}

/// `service._loans_by_status` where `service` is built from a class in the
/// test file (`service = LoanService(…)`, or a `@pytest.fixture def
/// service(…)` returning `LoanService(…)`): an underscore member of the
/// object under test, whatever its name.
fn python_private_of_built(ctx: &RuleContext<'_>, attribute: Node<'_>) -> bool {
    let (Some(object), Some(name)) = (attribute.field("object"), attribute.field("attribute"))
    else {
        return false;
    };
    let name = ctx.text(name);
    private_by_convention(name)
        && object.kind_str() == "identifier"
        && python_built_in_file(ctx, ctx.text(object))
}

/// `Name(…)` with a CapWords name (a class, not a factory function or a
/// mock): `LoanService(…)`, `loans.LoanService(…)`.
fn is_python_instantiation(ctx: &RuleContext<'_>, value: Node<'_>) -> bool {
    if value.kind_str() != "call" {
        return false;
    }
    let Some(function) = value.field("function") else {
        return false;
    };
    let name = ctx.text(function);
    let simple = name.rsplit('.').next().unwrap_or(name);
    simple.starts_with(|c: char| c.is_ascii_uppercase())
        && simple.chars().any(|c| c.is_ascii_lowercase())
        && !simple.contains("Mock")
        && !matches!(simple, "SimpleNamespace" | "Namespace")
}

/// `variable = Class(…)` in the file, or a `@pytest.fixture` function named
/// `variable` that returns or yields `Class(…)`.
fn python_built_in_file(ctx: &RuleContext<'_>, variable: &str) -> bool {
    ctx.nodes_in_order(&["assignment", "function_definition"])
        .into_iter()
        .any(|n| match n.kind_str() {
            "assignment" => {
                n.field("left").is_some_and(|l| ctx.text(l) == variable)
                    && n.field("right")
                        .is_some_and(|r| is_python_instantiation(ctx, r))
            }
            _ => {
                let fixture = n.parent().is_some_and(|p| {
                    p.kind_str() == "decorated_definition" && ctx.text(p).contains("fixture")
                });
                fixture
                    && n.field("name")
                        .is_some_and(|name| ctx.text(name) == variable)
                    && n.field("body").is_some_and(|body| {
                        preorder(body).any(|s| {
                            matches!(s.kind_str(), "return_statement" | "yield")
                                && s.named_child(0)
                                    .is_some_and(|v| is_python_instantiation(ctx, v))
                        })
                    })
            }
        })
}

/// The private member an assertion (or reflection call) reads, if any.
fn private_read<'t>(ctx: &RuleContext<'_>, language: Language, node: Node<'t>) -> Option<Node<'t>> {
    match language {
        Language::Python => {
            if node.kind_str() != "assert_statement" {
                return None;
            }
            preorder(node).find(|n| {
                n.kind_str() == "attribute"
                    && n.field("object")
                        .is_some_and(|o| !matches!(ctx.text(o), "self" | "cls"))
                    && n.field("attribute").is_some_and(|a| {
                        is_private(ctx.text(a)) || python_private_of_built(ctx, *n)
                    })
            })
        }
        Language::TypeScript | Language::Tsx | Language::JavaScript => {
            if node.kind_str() != "call_expression" {
                return None;
            }
            let callee = node.field("function")?;
            // `expect(subject)…`, node:assert's and chai's `assert(subject)`,
            // `assert.deepEqual(subject, expected)`.
            let asserting = match callee.kind_str() {
                "identifier" => matches!(ctx.text(callee), "expect" | "assert"),
                "member_expression" => callee
                    .field("object")
                    .is_some_and(|o| o.kind_str() == "identifier" && ctx.text(o) == "assert"),
                _ => false,
            };
            if !asserting {
                return None;
            }
            let subject = node.field("arguments")?.named_child(0)?;
            let typescript = matches!(language, Language::TypeScript | Language::Tsx);
            preorder(subject).find(|n| {
                (n.kind_str() == "member_expression"
                    && n.field("object").is_some_and(|o| o.kind_str() != "this")
                    && n.field("property").is_some_and(|p| {
                        p.kind_str() == "property_identifier"
                            && (is_private(ctx.text(p)) || private_of_constructed(ctx, *n))
                    }))
                    || (typescript && bracket_private_read(ctx, *n))
            })
        }
        Language::Java => {
            if node.kind_str() != "method_invocation" {
                return None;
            }
            let name = ctx.text(node.field("name")?);
            let args = node.field("arguments")?;
            let reflective = (name == "setAccessible" && ctx.text(args).contains("true"))
                || (node
                    .field("object")
                    .is_some_and(|o| ctx.text(o) == "ReflectionTestUtils")
                    && matches!(name, "getField" | "setField" | "invokeMethod"));
            if reflective {
                return Some(node);
            }
            java_field_of_constructed(ctx, node, name, args)
        }
        _ => None,
    }
}

/// `assertThat(consumer.processedIds)`: an assertion on a field (not a
/// getter) of the object under test, one the test file builds with
/// `new FindsConsumer(…)`, named like bookkeeping — a package-private
/// internal opened for the test.
fn java_field_of_constructed<'t>(
    ctx: &RuleContext<'_>,
    call: Node<'t>,
    name: &str,
    args: Node<'t>,
) -> Option<Node<'t>> {
    if !(name.starts_with("assert") || name == "expectThat") {
        return None;
    }
    // The class under test is the one the test class is named after
    // (`FindsConsumerTest` tests `FindsConsumer`), not a hand-written fake.
    let mut class = ctx.parent(call);
    while let Some(c) = class.filter(|c| c.kind_str() != "class_declaration") {
        class = ctx.parent(c);
    }
    let test_class = ctx.text(class?.field("name")?);
    let under_test = ["Tests", "Test", "IT"]
        .iter()
        .find_map(|s| test_class.strip_suffix(s))
        .filter(|n| !n.is_empty())?;
    let mut cursor = args.walk();
    let subject = args.named_children(&mut cursor).find_map(|arg| {
        preorder(arg).find(|n| {
            n.kind_str() == "field_access"
                && n.field("object").is_some_and(|o| {
                    o.kind_str() == "identifier"
                        && java_constructed_in_file(ctx, ctx.text(o), under_test)
                })
                && n.field("field").is_some_and(|f| {
                    let field = ctx.text(f);
                    field.starts_with(|c: char| c.is_ascii_lowercase())
                        && identifier_words(field)
                            .iter()
                            .any(|w| BOOKKEEPING.contains(&w.as_str()))
                })
        })
    });
    let _ = call;
    subject
}

/// Whether the file assigns `name = new Type(…)` (a field set in `@BeforeEach`
/// or a local) with `Type` the class under test.
fn java_constructed_in_file(ctx: &RuleContext<'_>, name: &str, under_test: &str) -> bool {
    let constructed = |value: Option<Node<'_>>| {
        value.is_some_and(|v| {
            v.kind_str() == "object_creation_expression"
                && v.field("type").is_some_and(|t| {
                    let ty = ctx.text(t);
                    ty.split('<').next().unwrap_or(ty).rsplit('.').next() == Some(under_test)
                })
        })
    };
    ctx.nodes_of_kind(&["assignment_expression", "variable_declarator"])
        .any(|n| match n.kind_str() {
            "assignment_expression" => {
                n.field("left").is_some_and(|l| {
                    let left = ctx.text(l);
                    left == name || left.strip_prefix("this.") == Some(name)
                }) && constructed(n.field("right"))
            }
            _ => {
                n.field("name").is_some_and(|l| ctx.text(l) == name)
                    && constructed(n.field("value"))
            }
        })
}

/// `cart["lineMap"]`: TypeScript's escape hatch for reading a `private`
/// member, on an object the test file builds with `new Cart(…)` (not a
/// record), with a bookkeeping name.
fn bracket_private_read(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    if node.kind_str() != "subscript_expression" {
        return false;
    }
    let (Some(object), Some(index)) = (node.field("object"), node.field("index")) else {
        return false;
    };
    let Some(name) = string_literal_value(index, ctx.source) else {
        return false;
    };
    let identifier = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    // `scorer["lastScored"]`: a camelCase member name, which a public
    // member would be read with `.lastScored`; a one-word key
    // (`tally["apple"]`) may be data of an indexable class.
    let camel_member = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().any(|c| c.is_ascii_uppercase());
    let bookkeeping = camel_member
        || identifier_words(name)
            .iter()
            .any(|w| BOOKKEEPING.contains(&w.as_str()));
    object.kind_str() == "identifier"
        && identifier
        && index.kind_str() == "string"
        && bookkeeping
        && constructed_in_file(ctx, ctx.text(object))
}

/// `cart = new Cart(…)` or `const cart = new Cart(…)` somewhere in the file.
fn constructed_in_file(ctx: &RuleContext<'_>, variable: &str) -> bool {
    ctx.nodes_in_order(&["variable_declarator", "assignment_expression"])
        .into_iter()
        .any(|n| {
            let (target, value) = match n.kind_str() {
                "variable_declarator" => (n.field("name"), n.field("value")),
                _ => (n.field("left"), n.field("right")),
            };
            target.is_some_and(|t| ctx.text(t) == variable)
                && value.is_some_and(|v| v.kind_str() == "new_expression")
        })
}

fn report(ctx: &RuleContext<'_>, language: Language, node: Node<'_>, member: Node<'_>) -> Finding {
    let code = quote(ctx.text(member), 60);
    let (title, what) = if language == Language::Java && member.kind_str() != "field_access" {
        (
            format!("Test opens private state by reflection: `{code}`"),
            format!("`{code}` reaches into a private member of the class under test"),
        )
    } else {
        (
            format!("Test asserts on private state: `{code}`"),
            format!("The assertion reads `{code}`, a private member of the object under test"),
        )
    };
    ctx.node_finding(&META, node)
        .title(title)
        .message(format!(
            "{what}. The test pins down how the code keeps its bookkeeping, not what it does: \
             it breaks on refactorings that keep the behaviour, and passes when the behaviour \
             is wrong but the internals look right."
        ))
        .symptom(format!("{what}."))
        .root_cause(
            "The test checks an implementation detail (a cache, an index, a counter) because \
             the observable result was harder to reach.",
        )
        .fix(
            "Assert on behaviour visible through the public API: the returned value, the \
             state a public getter reports, or the calls made to a collaborator (e.g. that a \
             second lookup does not hit the backing service). If the detail matters, expose \
             it deliberately and test that.",
        )
        .scope("Change only this test's assertions; do not change the code under test.")
        .build()
}
