//! `input-validation/xml-external-entities`: a Java XML parser created with its defaults and used to parse in the same method (XXE).
//!
//! ## What it does
//! Finds `DocumentBuilderFactory.newInstance()`, `SAXParserFactory.newInstance()`,
//! `XMLInputFactory.newInstance()`/`newFactory()` and
//! `TransformerFactory.newInstance()` in a method that then parses with it
//! (`parse`, `createXMLStreamReader`/`createXMLEventReader`,
//! `newTransformer`/`newTemplates`/`transform`) without hardening the factory
//! in that method:
//! - `setFeature("http://apache.org/xml/features/disallow-doctype-decl", true)`,
//!   the `external-general-entities`/`external-parameter-entities` features,
//!   or `XMLConstants.FEATURE_SECURE_PROCESSING`;
//! - `setExpandEntityReferences(false)`;
//! - `XMLInputFactory.SUPPORT_DTD` / `IS_SUPPORTING_EXTERNAL_ENTITIES` set to
//!   `false` (`"javax.xml.stream.supportDTD"`);
//! - `XMLConstants.ACCESS_EXTERNAL_DTD` / `ACCESS_EXTERNAL_SCHEMA` /
//!   `ACCESS_EXTERNAL_STYLESHEET` restricted.
//!
//! The finding is an **error** when the parsed data is request data of the
//! same handler (`@RequestBody String xml`), a **warning** otherwise.
//!
//! Not reported: a factory returned to the caller or stored in a field (it
//! is configured where it is used), a method that never parses, test files.
//!
//! ## Why is this bad?
//! The JDK's XML parsers resolve DTDs and external entities by default. A
//! document with `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>`
//! makes the server read local files or internal URLs into the parsed
//! document (and often back into the response), and nested entities expand
//! into gigabytes ("billion laughs").
//!
//! ## Example
//! ```java
//! DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
//! Document doc = factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
//! ```
//!
//! Use instead:
//! ```java
//! DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
//! factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
//! factory.setExpandEntityReferences(false);
//! Document doc = factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
//! ```

use tree_sitter::Node;

use super::built::RequestData;
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::Rule;
use crate::syntax::NodeExt as _;
use crate::syntax::{is_test_path, preorder};

pub static META: RuleMeta = RuleMeta {
    id: "input-validation/xml-external-entities",
    item: ChecklistItem::InputValidation,
    severity: Severity::Warning,
    languages: &[Language::Java],
    summary: "A Java XML parser factory used with its defaults, which resolve external entities (XXE)",
};

pub struct XmlExternalEntities;

/// Factory classes whose defaults resolve DTDs and external entities.
const FACTORIES: &[&str] = &[
    "DocumentBuilderFactory",
    "SAXParserFactory",
    "XMLInputFactory",
    "TransformerFactory",
];

/// Calls that read a document with the factory's settings.
const PARSES: &[&str] = &[
    "parse",
    "createXMLStreamReader",
    "createXMLEventReader",
    "newTransformer",
    "newTemplates",
    "transform",
];

/// Text that shows the factory was hardened (any one is enough).
const HARDENING: &[&str] = &[
    "disallow-doctype-decl",
    "external-general-entities",
    "external-parameter-entities",
    "load-external-dtd",
    "FEATURE_SECURE_PROCESSING",
    "setExpandEntityReferences",
    "SUPPORT_DTD",
    "IS_SUPPORTING_EXTERNAL_ENTITIES",
    "javax.xml.stream.supportDTD",
    "javax.xml.stream.isSupportingExternalEntities",
    "ACCESS_EXTERNAL_DTD",
    "ACCESS_EXTERNAL_SCHEMA",
    "ACCESS_EXTERNAL_STYLESHEET",
];

impl Rule for XmlExternalEntities {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        if ctx.root().is_none() || ctx.language != Some(Language::Java) || is_test_path(ctx.path) {
            return;
        }
        for node in ctx.nodes_in_order(&["method_invocation"]) {
            let Some(factory) = factory_call(ctx, node) else {
                continue;
            };
            if handed_on(node) {
                continue;
            }
            let Some(method) = ctx.enclosing_function(Language::Java, node) else {
                continue;
            };
            // A lambda is judged with the method around it.
            let method = outermost_method(method);
            let body = ctx.text(method);
            if HARDENING.iter().any(|h| body.contains(h)) {
                continue;
            }
            let Some(parse) = preorder(method).find(|n| {
                n.kind_str() == "method_invocation"
                    && n.end_byte() > node.end_byte()
                    && n.field("name")
                        .is_some_and(|name| PARSES.contains(&ctx.text(name)))
            }) else {
                continue;
            };
            out.push(report(ctx, node, factory, parse));
        }
    }
}

/// `DocumentBuilderFactory.newInstance()` (also fully qualified, and
/// `XMLInputFactory.newFactory()`): the factory's simple name.
fn factory_call<'s>(ctx: &RuleContext<'s>, node: Node<'_>) -> Option<&'s str> {
    let name = ctx.text(node.field("name")?);
    if !matches!(name, "newInstance" | "newFactory" | "newDefaultInstance") {
        return None;
    }
    let object = ctx.text(node.field("object")?);
    let simple = object.rsplit('.').next().unwrap_or(object);
    FACTORIES.iter().find(|f| **f == simple).copied()
}

/// `return DocumentBuilderFactory.newInstance();` or `this.factory = …`:
/// the factory leaves the method, to be configured where it is used.
fn handed_on(call: Node<'_>) -> bool {
    let Some(parent) = call.parent() else {
        return false;
    };
    match parent.kind_str() {
        "return_statement" => true,
        "assignment_expression" => parent
            .field("left")
            .is_some_and(|l| l.kind_str() == "field_access"),
        "variable_declarator" => parent
            .parent()
            .is_some_and(|d| d.kind_str() == "field_declaration"),
        _ => false,
    }
}

fn outermost_method(mut function: Node<'_>) -> Node<'_> {
    while function.kind_str() == "lambda_expression" {
        match crate::syntax::enclosing_function(Language::Java, function) {
            Some(outer) => function = outer,
            None => break,
        }
    }
    function
}

fn report(ctx: &RuleContext<'_>, node: Node<'_>, factory: &str, parse: Node<'_>) -> Finding {
    let request = RequestData::for_node(ctx, Language::Java, parse);
    let from_request = parse.field("arguments").is_some_and(|args| {
        preorder(args).any(|n| {
            matches!(
                n.kind_str(),
                "identifier" | "method_invocation" | "field_access"
            ) && request.contains(ctx, Language::Java, ctx.text(n))
        })
    });
    let fix = match factory {
        "XMLInputFactory" => {
            "factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);\n\
             factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);"
        }
        "TransformerFactory" => {
            "factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, \"\");\n\
             factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, \"\");"
        }
        _ => {
            "factory.setFeature(\"http://apache.org/xml/features/disallow-doctype-decl\", true);\n\
             factory.setXIncludeAware(false);"
        }
    };
    let source = if from_request {
        "request data"
    } else {
        "a document"
    };
    let mut finding = ctx
        .node_finding(&META, node)
        .title(format!(
            "`{factory}` parses {source} with external entities enabled (XXE)"
        ))
        .message(format!(
            "`{factory}.{}()` is used with its defaults, which resolve DTDs and external \
             entities, and the method parses {source} with it. A document declaring \
             `<!ENTITY x SYSTEM \"file:///etc/passwd\">` makes the server read local files or \
             internal URLs into the result, and nested entities can exhaust memory.\n\n\
             Harden the factory before use:\n```java\n{fix}\n```",
            node.field("name").map_or("newInstance", |n| ctx.text(n))
        ))
        .symptom(format!(
            "An XML parser from `{factory}` with default settings parses {source}."
        ))
        .root_cause(
            "The JDK XML factories resolve DTDs and external entities unless told not to, and \
             this one is never told.",
        )
        .fix(format!(
            "Configure the factory right after creating it so DTDs and external entities are \
             refused:\n{fix}"
        ))
        .scope(
            "Change only the factory's configuration; keep the parsing and how the document is \
             used unchanged.",
        )
        .build();
    if from_request {
        finding.severity = Severity::Error;
    }
    finding
}
