//! The published JSON Schema and the parser must agree: an editor that
//! validates with the schema should flag what the App will report, and never
//! flag what the App accepts. These tests convert YAML to JSON with the same
//! loader the parser uses and run both judges on the same examples.

use serde_json::{Map, Number, Value as Json};

use crate::parse_layer;
use crate::yaml::{self, Node, Value};

const SCHEMA: &str = include_str!("../../../schema/prwarden.schema.json");
const EXAMPLE: &str = include_str!("../examples/prwarden.yml");
const KNOWN: &[&str] = &[
    "type-safety/explicit-any",
    "error-handling/empty-catch",
    "query-efficiency/call-in-loop",
    "hardcoded-config/secret",
];

fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::Number((*i).into()),
        Value::Float(f) => Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::Str(s) => Json::String(s.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|e| (e.key.clone().unwrap_or_default(), to_json(&e.value)))
                .collect::<Map<_, _>>(),
        ),
    }
}

fn yaml_to_json(text: &str) -> Json {
    yaml::load(text)
        .expect("test YAML is well-formed")
        .root
        .as_ref()
        .map_or(Json::Null, to_json)
}

fn validator() -> jsonschema::Validator {
    let schema: Json = serde_json::from_str(SCHEMA).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

fn schema_errors(validator: &jsonschema::Validator, text: &str) -> Vec<String> {
    let instance = yaml_to_json(text);
    validator
        .iter_errors(&instance)
        .map(|e| e.to_string())
        .collect()
}

#[test]
fn schema_is_draft_07_and_closed() {
    let schema: Json = serde_json::from_str(SCHEMA).unwrap();
    assert!(jsonschema::draft7::meta::is_valid(&schema));
    assert_eq!(schema["additionalProperties"], Json::Bool(false));
    assert_eq!(
        schema["definitions"]["customRule"]["additionalProperties"],
        Json::Bool(false)
    );
    // Every key the parser knows is documented, and nothing more.
    let props = schema["properties"].as_object().unwrap();
    let mut keys: Vec<&str> = props.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected = crate::parse::TOP_LEVEL_KEYS.to_vec();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    for (key, prop) in props {
        assert!(
            prop["description"].as_str().is_some_and(|d| d.len() > 20),
            "{key} has no description"
        );
    }
    for (key, prop) in schema["definitions"]["customRule"]["properties"]
        .as_object()
        .unwrap()
    {
        assert!(
            prop["description"].is_string(),
            "custom_rules.{key} has no description"
        );
    }
}

#[test]
fn full_example_passes_both() {
    let v = validator();
    assert_eq!(schema_errors(&v, EXAMPLE), Vec::<String>::new());
    let layer = parse_layer(EXAMPLE, "example", KNOWN);
    assert_eq!(layer.problems, vec![]);
}

#[test]
fn valid_variants_pass_both() {
    let v = validator();
    for text in [
        "",
        "# only a comment\n",
        "scope: ai-authored\nfail_on: never\n",
        "max_inline_comments: 0\n",
        "max_inline_comments: 100\n",
        "max_inline_comments: 30.0\n",
        "ignore:\n",
        "rules:\n  # type-safety: off\n",
        "rules:\n  type-safety: 'off'\n  null-safety: info\n",
        "ai_authors: ['*', 'renovate[bot]', 'x*']\n",
        "custom_rules:\n  - {id: a-1, language: go, pattern: 'panic($X)', message: m, severity: warning, paths: ['**/*.go'], item: style}\n",
    ] {
        assert_eq!(schema_errors(&v, text), Vec::<String>::new(), "{text}");
        let layer = parse_layer(text, "t", KNOWN);
        assert_eq!(layer.problems, vec![], "{text}");
    }
}

#[test]
fn invalid_examples_fail_both() {
    let v = validator();
    let cases = [
        // unknown keys
        "fail-on: error\n",
        "custom_rules:\n  - {id: a, language: go, pattern: p, message: m, severity: info, severty: info}\n",
        // bad enums
        "scope: everything\n",
        "fail_on: critical\n",
        "fail_on: Error\n",
        "rules:\n  type-safety: disabled\n",
        "rules:\n  type-safety: false\n",
        "custom_rules:\n  - {id: a, language: cobol, pattern: p, message: m, severity: info}\n",
        "custom_rules:\n  - {id: a, language: go, pattern: p, message: m, severity: fatal}\n",
        "custom_rules:\n  - {id: a, language: go, pattern: p, message: m, severity: info, item: null-safety}\n",
        // bad types
        "scope: 1\n",
        "max_inline_comments: thirty\n",
        "max_inline_comments: '30'\n",
        "max_inline_comments: 2.5\n",
        "max_inline_comments: true\n",
        "ignore: dist/\n",
        "ignore: {dist: true}\n",
        "ignore: [1]\n",
        "rules: [type-safety]\n",
        "security_paths: src/auth\n",
        "ai_authors: bot\n",
        "custom_rules: {id: a}\n",
        "custom_rules: [rule]\n",
        "- scope: all\n",
        "just a string\n",
        // ranges and patterns
        "max_inline_comments: 101\n",
        "max_inline_comments: -1\n",
        "ai_authors: ['not a login']\n",
        "human_authors: ['a*b']\n",
        "ignore: ['']\n",
        "custom_rules:\n  - {id: Bad_Id, language: go, pattern: p, message: m, severity: info}\n",
        "custom_rules:\n  - {id: a, language: go, pattern: '  ', message: m, severity: info}\n",
        "custom_rules:\n  - {id: a, language: go, pattern: p, message: '', severity: info}\n",
        // required keys
        "custom_rules:\n  - {id: a, language: go, message: m, severity: info}\n",
        "custom_rules:\n  - {language: go, pattern: p, message: m, severity: info}\n",
    ];
    for text in cases {
        assert!(
            !schema_errors(&v, text).is_empty(),
            "schema accepted {text:?}"
        );
        let layer = parse_layer(text, "t", KNOWN);
        assert!(!layer.problems.is_empty(), "parser accepted {text:?}");
    }
}
