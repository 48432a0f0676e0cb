//! One file at a time: every key valid and invalid, with the lines problems
//! are reported on.

use prwarden_analyze::Severity;
use prwarden_config::{CustomRule, Layer, Problem, RepoConfig, RuleSetting, Scope, parse_layer};

const SRC: &str = ".github/prwarden.yml";
const KNOWN: &[&str] = &[
    "type-safety/explicit-any",
    "error-handling/empty-catch",
    "query-efficiency/call-in-loop",
    "hardcoded-config/secret",
];

fn parse(text: &str) -> Layer {
    parse_layer(text, SRC, KNOWN)
}

/// `(line, key, message)` of every problem, for compact assertions.
fn problems(layer: &Layer) -> Vec<(Option<usize>, &str, &str)> {
    layer
        .problems
        .iter()
        .map(|p| (p.line, p.key.as_str(), p.message.as_str()))
        .collect()
}

fn only_problem(layer: &Layer) -> &Problem {
    assert_eq!(layer.problems.len(), 1, "{:#?}", layer.problems);
    &layer.problems[0]
}

#[test]
fn built_in_defaults() {
    let c = RepoConfig::default();
    assert_eq!(c.scope, Scope::All);
    assert_eq!(c.fail_on, Some(Severity::Error));
    assert_eq!(c.max_inline_comments, 30);
    assert!(c.ignore.is_empty() && c.security_paths.is_empty());
    assert!(c.rules.is_empty() && c.custom_rules.is_empty());
    assert!(c.ai_authors.is_empty() && c.human_authors.is_empty());
    assert!(c.sources.is_empty() && c.problems.is_empty());
    assert!(c.is_default());
}

#[test]
fn empty_and_comment_only_files_are_fine() {
    for text in ["", "\n\n", "# nothing yet\n", "---\n", "---\n...\n"] {
        let layer = parse(text);
        assert_eq!(layer.problems, vec![], "{text:?}");
        let expected = Layer {
            source: SRC.to_string(),
            ..Layer::default()
        };
        assert_eq!(layer, expected, "{text:?}");
        assert!(RepoConfig::resolve(&[layer]).is_default());
    }
}

#[test]
fn scope() {
    assert_eq!(parse("scope: all\n").scope, Some(Scope::All));
    assert_eq!(parse("scope: ai-authored\n").scope, Some(Scope::AiAuthored));
    let layer = parse("fail_on: error\nscope: ai_authored\n");
    assert_eq!(layer.scope, None);
    assert_eq!(
        problems(&layer),
        vec![(
            Some(2),
            "scope",
            "\"ai_authored\" is not one of \"all\", \"ai-authored\" (did you mean \"ai-authored\"?); the setting is ignored"
        )]
    );
}

#[test]
fn fail_on() {
    assert_eq!(parse("fail_on: error").fail_on, Some(Some(Severity::Error)));
    assert_eq!(
        parse("fail_on: warning").fail_on,
        Some(Some(Severity::Warning))
    );
    assert_eq!(parse("fail_on: info").fail_on, Some(Some(Severity::Info)));
    assert_eq!(parse("fail_on: never").fail_on, Some(None));
    let layer = parse("\n\nfail_on: Warning\n");
    assert_eq!(layer.fail_on, None);
    let p = only_problem(&layer);
    assert_eq!(p.line, Some(3));
    assert!(
        p.message.contains("(did you mean \"warning\"?)"),
        "{}",
        p.message
    );
    let layer = parse("fail_on: [error]\n");
    assert_eq!(
        only_problem(&layer).message,
        "expected one of \"error\", \"warning\", \"info\", \"never\", found a list; the setting is ignored"
    );
}

#[test]
fn max_inline_comments() {
    assert_eq!(parse("max_inline_comments: 0").max_inline_comments, Some(0));
    assert_eq!(
        parse("max_inline_comments: 100").max_inline_comments,
        Some(100)
    );
    assert_eq!(
        parse("max_inline_comments: 12").max_inline_comments,
        Some(12)
    );
    for (text, message) in [
        (
            "max_inline_comments: 101",
            "101 is out of range (0 to 100); the setting is ignored",
        ),
        (
            "max_inline_comments: -3",
            "-3 is out of range (0 to 100); the setting is ignored",
        ),
        (
            "max_inline_comments: lots",
            "expected a whole number from 0 to 100, found a string (\"lots\"); the setting is ignored",
        ),
        (
            "max_inline_comments: 2.5",
            "expected a whole number from 0 to 100, found a fractional number; the setting is ignored",
        ),
        (
            "max_inline_comments:",
            "expected a whole number from 0 to 100, found nothing; the setting is ignored",
        ),
    ] {
        let layer = parse(&format!("# c\n{text}\n"));
        assert_eq!(layer.max_inline_comments, None, "{text}");
        assert_eq!(
            problems(&layer),
            vec![(Some(2), "max_inline_comments", message)]
        );
    }
}

#[test]
fn ignore_and_security_paths() {
    let layer = parse("ignore:\n  - dist/\n  - '*.min.js'\nsecurity_paths: [src/auth/**]\n");
    assert_eq!(layer.ignore, vec!["dist/", "*.min.js"]);
    assert_eq!(layer.security_paths, vec!["src/auth/**"]);
    assert_eq!(layer.problems, vec![]);

    // A bad entry is dropped with its line; the others still apply.
    let layer = parse("ignore:\n  - dist/\n  - src/[gen\n  - 42\n  - docs/\n");
    assert_eq!(layer.ignore, vec!["dist/", "docs/"]);
    let got = problems(&layer);
    assert_eq!(got.len(), 2, "{got:#?}");
    assert_eq!((got[0].0, got[0].1), (Some(3), "ignore[1]"));
    assert!(
        got[0].2.starts_with("invalid glob \"src/[gen\": "),
        "{}",
        got[0].2
    );
    assert!(got[0].2.ends_with("; this entry is ignored"));
    assert_eq!(
        got[1],
        (
            Some(4),
            "ignore[2]",
            "expected a string, found a number (quote it to make it one); this entry is ignored"
        )
    );

    let layer = parse("security_paths: src/auth/\n");
    assert_eq!(
        problems(&layer),
        vec![(
            Some(1),
            "security_paths",
            "expected a list, found a string (write it as a list: [\"src/auth/\"]); the setting is ignored"
        )]
    );
    // Every entry commented out leaves an empty value: an empty list.
    assert_eq!(parse("ignore:\n  # - dist/\n").problems, vec![]);
}

#[test]
fn unquoted_star_glob_gets_a_hint() {
    let layer = parse("scope: all\nignore:\n  - *.generated.ts\n");
    let p = only_problem(&layer);
    assert_eq!(p.line, Some(3));
    assert!(p.message.starts_with("not valid YAML: "), "{}", p.message);
    assert!(p.message.contains("must be quoted"), "{}", p.message);
}

#[test]
fn rules_by_rule_and_item() {
    let layer = parse(
        "rules:\n  type-safety: warning\n  type-safety/explicit-any: 'off'\n  null-safety: info\n  style: error\n",
    );
    assert_eq!(layer.problems, vec![]);
    assert_eq!(
        layer.rules.get("type-safety"),
        Some(&RuleSetting::Severity(Severity::Warning))
    );
    assert_eq!(
        layer.rules.get("type-safety/explicit-any"),
        Some(&RuleSetting::Off)
    );
    // Items without a built-in rule yet are still checklist items.
    assert_eq!(
        layer.rules.get("null-safety"),
        Some(&RuleSetting::Severity(Severity::Info))
    );
    assert_eq!(layer.rules.len(), 4);
}

#[test]
fn rules_problems() {
    let layer = parse(
        "rules:\n  type-safety/explict-any: off\n  type-safty: error\n  error-handling/empty-catch: disable\n  hardcoded-config/secret: warning\n  nonsense: off\n",
    );
    assert_eq!(
        layer.rules.get("hardcoded-config/secret"),
        Some(&RuleSetting::Severity(Severity::Warning))
    );
    assert_eq!(layer.rules.len(), 1);
    assert_eq!(
        problems(&layer),
        vec![
            (
                Some(2),
                "rules.type-safety/explict-any",
                "unknown rule or checklist item \"type-safety/explict-any\" (did you mean \"type-safety/explicit-any\"?); this entry is ignored"
            ),
            (
                Some(3),
                "rules.type-safty",
                "unknown rule or checklist item \"type-safty\" (did you mean \"type-safety\"?); this entry is ignored"
            ),
            (
                Some(4),
                "rules.error-handling/empty-catch",
                "\"disable\" is not one of \"off\", \"error\", \"warning\", \"info\"; this entry is ignored"
            ),
            (
                Some(6),
                "rules.nonsense",
                "unknown rule or checklist item \"nonsense\"; this entry is ignored"
            ),
        ]
    );
    let layer = parse("rules:\n  - type-safety\n");
    assert_eq!(only_problem(&layer).line, Some(2));
    assert!(
        only_problem(&layer)
            .message
            .starts_with("expected a mapping of rule ids")
    );
}

#[test]
fn authors() {
    let layer = parse(
        "ai_authors:\n  - devin-ai-integration[bot]\n  - 'codex*'\n  - not a login\nhuman_authors: [octocat, 'a*b', 7]\n",
    );
    assert_eq!(
        layer.ai_authors,
        vec!["devin-ai-integration[bot]", "codex*"]
    );
    assert_eq!(layer.human_authors, vec!["octocat"]);
    let got = problems(&layer);
    assert_eq!(got.len(), 3, "{got:#?}");
    assert_eq!((got[0].0, got[0].1), (Some(4), "ai_authors[2]"));
    assert!(
        got[0]
            .2
            .starts_with("\"not a login\" is not a GitHub login")
    );
    assert_eq!((got[1].0, got[1].1), (Some(5), "human_authors[1]"));
    assert_eq!((got[2].0, got[2].1), (Some(5), "human_authors[2]"));

    let layer = parse("ai_authors: [bob]\nhuman_authors: [Bob]\n");
    assert_eq!(
        problems(&layer),
        vec![(
            Some(2),
            "human_authors",
            "\"Bob\" is listed in both ai_authors and human_authors; it counts as AI-authored"
        )]
    );
}

const CUSTOM: &str = "\
custom_rules:
  - id: throw-app-error
    language: typescript
    pattern: throw new Error($MSG)
    message: Throw AppError instead.
    severity: error
    paths: ['src/**']
  - id: no-print
    language: python
    pattern: print($$$A)
    message: |
      Use the logger.
    severity: info
    item: style
";

#[test]
fn custom_rules_valid() {
    let layer = parse(CUSTOM);
    assert_eq!(layer.problems, vec![]);
    assert_eq!(
        layer.custom_rules,
        vec![
            CustomRule {
                id: "throw-app-error".into(),
                language: "typescript".into(),
                pattern: "throw new Error($MSG)".into(),
                message: "Throw AppError instead.".into(),
                severity: Severity::Error,
                paths: vec!["src/**".into()],
                item: "error-handling".into(),
            },
            CustomRule {
                id: "no-print".into(),
                language: "python".into(),
                pattern: "print($$$A)".into(),
                message: "Use the logger.".into(),
                severity: Severity::Info,
                paths: vec![],
                item: "style".into(),
            },
        ]
    );
    assert_eq!(
        layer.custom_rules[0].rule_id(),
        "error-handling/throw-app-error"
    );
    assert_eq!(layer.custom_rules[1].rule_id(), "style/no-print");
    assert!(layer.custom_rules[0].applies_to_path("src/a/b.ts"));
    assert!(!layer.custom_rules[0].applies_to_path("test/b.ts"));
    assert!(layer.custom_rules[1].applies_to_path("anything.py"));
    assert_eq!(
        layer.custom_rules[0].analyzer_language(),
        Some(prwarden_analyze::Language::TypeScript)
    );
}

#[test]
fn custom_rules_invalid_fields_skip_the_rule_with_lines() {
    let text = "\
custom_rules:
  - id: Bad_Id
    language: typescript
    pattern: p
    message: m
    severity: error
  - id: ok-rule
    language: cobol
    pattern: ''
    message: m
    severity: fatal
    item: security
  - id: no-pattern
    language: go
    message: m
    severity: info
  - id: bad-paths
    language: go
    pattern: p
    message: m
    severity: info
    paths: ['src/[x', 'lib/**']
  - id: extra
    language: go
    pattern: p
    message: m
    severity: info
    descripton: ignored but reported
  - just a string
";
    let layer = parse(text);
    // Only the rule whose sole fault is an unknown key is kept.
    assert_eq!(
        layer
            .custom_rules
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>(),
        vec!["extra"]
    );
    let got: Vec<(Option<usize>, &str)> = problems(&layer).iter().map(|p| (p.0, p.1)).collect();
    assert_eq!(
        got,
        vec![
            (Some(2), "custom_rules[0].id"),
            (Some(8), "custom_rules[1].language"),
            (Some(9), "custom_rules[1].pattern"),
            (Some(11), "custom_rules[1].severity"),
            (Some(12), "custom_rules[1].item"),
            (Some(13), "custom_rules[2]"),
            (Some(22), "custom_rules[3].paths[0]"),
            (Some(28), "custom_rules[4].descripton"),
            (Some(29), "custom_rules[5]"),
        ]
    );
    let messages: Vec<&str> = problems(&layer).iter().map(|p| p.2).collect();
    assert_eq!(
        messages[0],
        "\"Bad_Id\" is not a valid id (lowercase letters, digits and \"-\" only); this custom rule is skipped"
    );
    assert_eq!(
        messages[1],
        "\"cobol\" is not one of \"typescript\", \"tsx\", \"javascript\", \"python\", \"go\", \"rust\", \"java\"; this custom rule is skipped"
    );
    assert_eq!(
        messages[2],
        "must not be empty; this custom rule is skipped"
    );
    assert_eq!(
        messages[5],
        "missing required key \"pattern\"; this custom rule is skipped"
    );
    assert_eq!(messages[7], "unknown key \"descripton\"");
}

#[test]
fn custom_rule_ids_are_unique_and_not_built_in() {
    let text = "\
custom_rules:
  - {id: a, language: go, pattern: p, message: m, severity: info}
  - {id: a, language: go, pattern: q, message: m, severity: info}
  - {id: empty-catch, language: go, pattern: p, message: m, severity: info}
  - {id: empty-catch, language: go, pattern: p, message: m, severity: info, item: style}
";
    let layer = parse(text);
    let ids: Vec<String> = layer.custom_rules.iter().map(|r| r.rule_id()).collect();
    assert_eq!(ids, vec!["error-handling/a", "style/empty-catch"]);
    assert_eq!(
        problems(&layer),
        vec![
            (
                Some(3),
                "custom_rules[1].id",
                "duplicate custom rule id \"a\" (first defined on line 2); this custom rule is skipped"
            ),
            (
                Some(4),
                "custom_rules[2].id",
                "\"empty-catch\" would be reported as \"error-handling/empty-catch\", which is a built-in rule; choose another id; this custom rule is skipped"
            ),
        ]
    );
}

#[test]
fn rules_can_name_custom_rules_of_the_same_file() {
    let text = format!(
        "rules:\n  error-handling/throw-app-error: warning\n  style/no-print: off\n{CUSTOM}"
    );
    let layer = parse(&text);
    assert_eq!(layer.problems, vec![]);
    assert_eq!(layer.rules.len(), 2);
    assert!(layer.pending_rules.is_empty());
}

#[test]
fn unknown_keys_get_suggestions() {
    let text = "\
# prwarden
scope: all

ignore:
  - dist/

fail-on: warning
maxInlineComments: 10
colour: blue
";
    let layer = parse(text);
    assert_eq!(layer.scope, Some(Scope::All));
    assert_eq!(layer.ignore, vec!["dist/"]);
    assert_eq!(layer.fail_on, None);
    assert_eq!(
        problems(&layer),
        vec![
            (
                Some(7),
                "fail-on",
                "unknown key \"fail-on\" (did you mean \"fail_on\"?)"
            ),
            (
                Some(8),
                "maxInlineComments",
                "unknown key \"maxInlineComments\" (did you mean \"max_inline_comments\"?)"
            ),
            (Some(9), "colour", "unknown key \"colour\""),
        ]
    );
    assert_eq!(
        layer.problems[0].to_string(),
        ".github/prwarden.yml:7: fail-on: unknown key \"fail-on\" (did you mean \"fail_on\"?)"
    );
}

#[test]
fn invalid_yaml_is_one_problem_and_defaults_apply() {
    let text = "scope: ai-authored\nfail_on: warning\nignore:\n  - dist/\n - bad indent\n";
    let layer = parse(text);
    let p = only_problem(&layer);
    assert_eq!(p.line, Some(5));
    assert_eq!(p.key, "");
    assert!(p.message.starts_with("not valid YAML: "), "{}", p.message);
    assert!(p.message.ends_with("; none of this file's settings apply"));
    assert_eq!(
        layer,
        Layer {
            source: SRC.into(),
            problems: layer.problems.clone(),
            ..Layer::default()
        }
    );
    let config = RepoConfig::resolve(&[layer]);
    assert!(config.is_default());
    assert_eq!(config.problems.len(), 1);
    assert!(
        config.problems[0]
            .to_string()
            .starts_with(".github/prwarden.yml:5: not valid YAML: ")
    );

    let layer = parse("scope: \"all\n");
    assert_eq!(only_problem(&layer).line, Some(1));
    let layer = parse("scope: all\nignore:\n\t- dist/\n");
    assert_eq!(only_problem(&layer).line, Some(3));
}

#[test]
fn partial_validity_one_bad_key_the_rest_applies() {
    let text = "\
scope: ai-authored
fail_on: sometimes
max_inline_comments: 10
rules:
  type-safety: off
";
    let layer = parse(text);
    assert_eq!(layer.scope, Some(Scope::AiAuthored));
    assert_eq!(layer.fail_on, None);
    assert_eq!(layer.max_inline_comments, Some(10));
    assert_eq!(layer.rules.get("type-safety"), Some(&RuleSetting::Off));
    assert_eq!(only_problem(&layer).line, Some(2));
    let config = RepoConfig::resolve(&[layer]);
    assert_eq!(
        config.fail_on,
        Some(Severity::Error),
        "falls back to the default"
    );
    assert_eq!(config.scope, Scope::AiAuthored);
}

#[test]
fn the_file_must_be_a_mapping() {
    for (text, kind) in [
        ("- scope: all\n", "a list"),
        ("all\n", "a string"),
        ("42\n", "a number"),
    ] {
        let layer = parse(text);
        assert_eq!(
            only_problem(&layer).message,
            format!(
                "expected a mapping of settings (key: value), found {kind}; none of this file's settings apply"
            )
        );
        assert_eq!(only_problem(&layer).line, Some(1));
    }
}

#[test]
fn duplicate_keys_keep_the_first() {
    let layer = parse("fail_on: warning\nscope: all\nfail_on: never\n");
    assert_eq!(layer.fail_on, Some(Some(Severity::Warning)));
    assert_eq!(
        problems(&layer),
        vec![(
            Some(3),
            "fail_on",
            "duplicate key \"fail_on\" (first set on line 1); this one is ignored"
        )]
    );
}

#[test]
fn only_the_first_document_is_read() {
    let layer = parse("fail_on: warning\n---\nfail_on: info\n");
    assert_eq!(layer.fail_on, Some(Some(Severity::Warning)));
    assert_eq!(only_problem(&layer).line, Some(2));
    assert!(
        only_problem(&layer)
            .message
            .starts_with("only the first YAML document is read")
    );
}

#[test]
fn anchors_and_aliases_work() {
    let text = "ignore: &generated\n  - '*.gen.ts'\nsecurity_paths: *generated\n";
    let layer = parse(text);
    assert_eq!(layer.problems, vec![]);
    assert_eq!(layer.security_paths, vec!["*.gen.ts"]);
}

#[test]
fn problems_are_sorted_by_line() {
    // `rules` is checked after `custom_rules` (it may name them), yet its
    // problems still come in file order.
    let text = "rules:\n  nope: off\nscope: x\ncustom_rules: []\nbad: 1\n";
    let lines: Vec<Option<usize>> = parse(text).problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![Some(2), Some(3), Some(5)]);
}

#[test]
fn problem_display() {
    let p = Problem {
        source: "acme/.github:.github/prwarden.yml".into(),
        line: Some(4),
        key: "rules.type-safety/explicit-any".into(),
        message: "m".into(),
    };
    assert_eq!(
        p.to_string(),
        "acme/.github:.github/prwarden.yml:4: rules.type-safety/explicit-any: m"
    );
    let p = Problem {
        line: None,
        key: String::new(),
        ..p
    };
    assert_eq!(p.to_string(), "acme/.github:.github/prwarden.yml: m");
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["line"], serde_json::Value::Null);
}

#[test]
fn huge_files_are_refused() {
    let text = format!("# {}\n", "x".repeat(1024 * 1024));
    let layer = parse(&text);
    assert_eq!(only_problem(&layer).line, None);
}

#[test]
fn annotated_example_parses_cleanly_against_the_real_rules() {
    let rules = prwarden_analyze::rules::builtin();
    let known: Vec<&str> = rules.iter().map(|r| r.meta().id).collect();
    let layer = parse_layer(include_str!("../examples/prwarden.yml"), SRC, &known);
    assert_eq!(layer.problems, vec![]);
    assert_eq!(layer.scope, Some(Scope::All));
    assert_eq!(layer.fail_on, Some(Some(Severity::Error)));
    assert_eq!(layer.max_inline_comments, Some(30));
    assert_eq!(layer.ignore.len(), 4);
    assert_eq!(layer.rules.len(), 4);
    assert_eq!(layer.security_paths.len(), 2);
    assert_eq!(layer.ai_authors.len(), 2);
    assert_eq!(layer.human_authors, vec!["octocat"]);
    assert_eq!(layer.custom_rules.len(), 2);
}
