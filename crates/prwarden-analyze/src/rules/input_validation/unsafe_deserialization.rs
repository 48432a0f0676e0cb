//! `input-validation/unsafe-deserialization`: deserializers that can run code chosen by the data.
//!
//! ## What it does
//! Finds deserialization of formats that can instantiate arbitrary objects:
//! - Python: `yaml.load(…)` without a safe loader (no `Loader=`, or
//!   `Loader=yaml.Loader`/`UnsafeLoader`), `yaml.unsafe_load`, and
//!   `pickle`/`cPickle`/`dill` `loads`/`load`, `marshal.loads`;
//! - Java: `new ObjectInputStream(…)` (the stream `readObject` is then
//!   called on), unless the file installs an `ObjectInputFilter` or the
//!   stream overrides `resolveClass`.
//!
//! The finding is an **error** when the data is request data in the same
//! handler (`pickle.loads(request.data)`), a **warning** otherwise.
//!
//! Not reported: `yaml.safe_load`, `yaml.load(…, Loader=yaml.SafeLoader)` /
//! `CSafeLoader`, JSON, and test files. `joblib.load`/`torch.load` of model
//! files are not reported: loading a model the project trained is their
//! purpose.
//!
//! ## Why is this bad?
//! A pickle, an unsafe YAML document or a Java serialized object can name any
//! class and call its methods while it is being read: whoever can supply the
//! bytes runs code in the service (the Java "gadget chain" exploits behind
//! many remote-code-execution CVEs). Data formats that only build plain
//! values (JSON, safe YAML) cannot do that.
//!
//! ## Example
//! ```py
//! config = yaml.load(request.files["config"].read())
//! ```
//!
//! Use instead:
//! ```py
//! config = yaml.safe_load(request.files["config"].read())
//! ```

use tree_sitter::Node;

use super::built::{RequestData, argument_nodes};
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_test_path, preorder};

pub static META: RuleMeta = RuleMeta {
    id: "input-validation/unsafe-deserialization",
    item: ChecklistItem::InputValidation,
    severity: Severity::Warning,
    languages: &[Language::Python, Language::Java],
    summary: "yaml.load without a safe loader, pickle.loads, Java ObjectInputStream",
};

pub struct UnsafeDeserialization;

impl Rule for UnsafeDeserialization {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let (Some(_), Some(language)) = (ctx.root(), ctx.language) else {
            return;
        };
        if is_test_path(ctx.path) {
            return;
        }
        let kinds: &[&str] = match language {
            Language::Python => &["call"],
            Language::Java => &["object_creation_expression"],
            _ => &[],
        };
        for node in ctx.nodes_in_order(kinds) {
            let found = match language {
                Language::Python => python(ctx, node),
                Language::Java => java(ctx, node),
                _ => None,
            };
            if let Some(found) = found {
                out.push(report(ctx, language, node, &found));
            }
        }
    }
}

struct Found<'t> {
    api: String,
    data: Option<Node<'t>>,
    yaml: bool,
}

fn python<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Found<'t>> {
    if node.kind_str() != "call" {
        return None;
    }
    let api = ctx.text(node.field("function")?);
    let args = argument_nodes(node.field("arguments")?);
    let data = args
        .iter()
        .copied()
        .find(|a| a.kind_str() != "keyword_argument");
    let loader = args
        .iter()
        .filter(|a| a.kind_str() == "keyword_argument")
        .find(|a| a.field("name").is_some_and(|n| ctx.text(n) == "Loader"))
        .and_then(|a| a.field("value"))
        .map(|v| ctx.text(v))
        // `yaml.load(stream, SafeLoader)`: the loader positionally.
        .or_else(|| {
            args.iter()
                .filter(|a| a.kind_str() != "keyword_argument")
                .nth(1)
                .map(|a| ctx.text(*a))
        });
    match api {
        "yaml.load" | "yaml.load_all" => {
            let safe = loader.is_some_and(|l| {
                let l = l.rsplit('.').next().unwrap_or(l);
                matches!(
                    l,
                    "SafeLoader" | "CSafeLoader" | "BaseLoader" | "CBaseLoader"
                )
            });
            (!safe).then(|| Found {
                api: api.to_string(),
                data,
                yaml: true,
            })
        }
        "yaml.unsafe_load" | "yaml.unsafe_load_all" => Some(Found {
            api: api.to_string(),
            data,
            yaml: true,
        }),
        "pickle.loads" | "pickle.load" | "cPickle.loads" | "cPickle.load" | "dill.loads"
        | "dill.load" | "marshal.loads" | "marshal.load" => Some(Found {
            api: api.to_string(),
            data,
            yaml: false,
        }),
        _ => None,
    }
}

fn java<'t>(ctx: &RuleContext<'_>, node: Node<'t>) -> Option<Found<'t>> {
    if node.kind_str() != "object_creation_expression" {
        return None;
    }
    let ty = ctx.text(node.field("type")?);
    if ty != "ObjectInputStream" && ty != "java.io.ObjectInputStream" {
        return None;
    }
    // An anonymous subclass overriding `resolveClass`, or a filter set on the
    // stream, restricts what may be instantiated.
    let mut cursor = node.walk();
    let subclassed = node
        .named_children(&mut cursor)
        .any(|c| c.kind_str() == "class_body");
    if subclassed
        || ctx.source.contains("setObjectInputFilter")
        || ctx.source.contains("ObjectInputFilter")
    {
        return None;
    }
    let data = node.field("arguments").and_then(|a| a.named_child(0));
    Some(Found {
        api: "new ObjectInputStream".to_string(),
        data,
        yaml: false,
    })
}

fn report(ctx: &RuleContext<'_>, language: Language, node: Node<'_>, found: &Found<'_>) -> Finding {
    let request = RequestData::for_node(ctx, language, node);
    let data_text = found.data.map(|d| ctx.text(d)).unwrap_or("");
    let is_request = found.data.is_some_and(|d| {
        preorder(d).any(|n| {
            matches!(
                n.kind_str(),
                "identifier" | "attribute" | "call" | "method_invocation" | "field_access"
            ) && request.contains(ctx, language, ctx.text(n))
        })
    });
    let data = if data_text.is_empty() {
        "the data".to_string()
    } else {
        format!("`{}`", quote(data_text, 50))
    };
    let api = &found.api;
    let fix = if found.yaml {
        "Use `yaml.safe_load(…)` (or `Loader=yaml.SafeLoader`): it builds only plain values."
            .to_string()
    } else if language == Language::Java {
        "Do not deserialize Java objects from outside the process: exchange JSON (Jackson with \
         explicit types) instead. If the stream must stay, install an `ObjectInputFilter` that \
         allows only the expected classes."
            .to_string()
    } else {
        "Exchange the data as JSON (or another plain-data format) and validate it; if pickle \
         must stay, only load bytes this process wrote itself and authenticate them (HMAC) \
         before loading."
            .to_string()
    };
    let mut finding = ctx
        .node_finding(&META, node)
        .title(if is_request {
            format!("`{api}` deserializes request data")
        } else {
            format!("`{api}` can instantiate arbitrary objects")
        })
        .message(format!(
            "`{api}` reads {data} with a format that can name any class and run its code while \
             loading{}. Whoever can supply those bytes runs code in this process.\n\n{fix}",
            if is_request {
                ", and here the bytes come from the request"
            } else {
                ""
            }
        ))
        .symptom(format!(
            "`{api}` deserializes {data} with an unsafe loader."
        ))
        .root_cause(
            "An object-serialization format is used for data that may come from outside the \
             process, so the data decides which code runs.",
        )
        .fix(fix)
        .scope(
            "Keep the loaded structure and its consumers unchanged; do not change unrelated \
             serialization code or stored data formats beyond this call.",
        )
        .build();
    if is_request {
        finding.severity = Severity::Error;
    }
    finding
}
