//! Merging organisation defaults and the repository's file, and the
//! questions a review asks of the result.

use prwarden_analyze::Severity;
use prwarden_config::{Layer, RepoConfig, RuleSetting, Scope, parse_layer};

const ORG: &str = "acme/.github:.github/prwarden.yml";
const REPO: &str = ".github/prwarden.yml";
const KNOWN: &[&str] = &[
    "type-safety/explicit-any",
    "type-safety/ts-ignore",
    "error-handling/empty-catch",
    "query-efficiency/call-in-loop",
];

fn org(text: &str) -> Layer {
    parse_layer(text, ORG, KNOWN)
}

fn repo(text: &str) -> Layer {
    parse_layer(text, REPO, KNOWN)
}

fn resolve(org_text: &str, repo_text: &str) -> RepoConfig {
    RepoConfig::resolve(&[org(org_text), repo(repo_text)])
}

#[test]
fn no_layers_is_the_defaults() {
    let c = RepoConfig::resolve(&[]);
    assert!(c.is_default());
    assert_eq!(c.fail_on, Some(Severity::Error));
    assert_eq!(c.max_inline_comments, 30);
    assert!(c.sources.is_empty());
}

#[test]
fn scalars_later_layer_wins() {
    let c = resolve(
        "scope: ai-authored\nfail_on: warning\nmax_inline_comments: 10\n",
        "fail_on: never\n",
    );
    assert_eq!(c.scope, Scope::AiAuthored);
    assert_eq!(c.fail_on, None);
    assert_eq!(c.max_inline_comments, 10);
    assert_eq!(
        c.sources,
        vec![
            format!("scope: {ORG}"),
            format!("fail_on: {ORG}, {REPO}"),
            format!("max_inline_comments: {ORG}"),
        ]
    );
}

#[test]
fn an_invalid_repo_value_falls_back_to_the_org_value() {
    let c = resolve(
        "fail_on: warning\n",
        "fail_on: sometimes\nscope: ai-authored\n",
    );
    assert_eq!(c.fail_on, Some(Severity::Warning));
    assert_eq!(c.scope, Scope::AiAuthored);
    assert_eq!(c.problems.len(), 1);
    assert_eq!(c.problems[0].source, REPO);
    assert_eq!(c.problems[0].line, Some(1));
}

#[test]
fn lists_are_concatenated_without_repeats() {
    let c = resolve(
        "ignore: [dist/, vendor/]\nsecurity_paths: [src/auth/]\nai_authors: [devin*]\n",
        "ignore: [vendor/, '*.gen.ts']\nsecurity_paths: [src/pay/]\nhuman_authors: [octocat]\n",
    );
    assert_eq!(c.ignore, vec!["dist/", "vendor/", "*.gen.ts"]);
    assert_eq!(c.security_paths, vec!["src/auth/", "src/pay/"]);
    assert_eq!(c.ai_authors, vec!["devin*"]);
    assert_eq!(c.human_authors, vec!["octocat"]);
    assert!(c.sources.contains(&format!("ignore: {ORG}, {REPO}")));
    assert!(c.sources.contains(&format!("human_authors: {REPO}")));
}

#[test]
fn custom_rules_concatenate_and_same_id_later_wins() {
    let c = resolve(
        "custom_rules:\n  - {id: a, language: go, pattern: p, message: org, severity: info}\n  - {id: b, language: go, pattern: p, message: org, severity: info}\n",
        "custom_rules:\n  - {id: b, language: rust, pattern: q, message: repo, severity: error}\n  - {id: c, language: java, pattern: r, message: repo, severity: warning}\n",
    );
    let got: Vec<(&str, &str, Severity)> = c
        .custom_rules
        .iter()
        .map(|r| (r.id.as_str(), r.message.as_str(), r.severity))
        .collect();
    assert_eq!(
        got,
        vec![
            ("a", "org", Severity::Info),
            ("b", "repo", Severity::Error),
            ("c", "repo", Severity::Warning),
        ]
    );
    assert!(c.sources.contains(&format!("custom_rules: {ORG}, {REPO}")));
}

#[test]
fn rules_merge_per_key() {
    let c = resolve(
        "rules:\n  type-safety/explicit-any: warning\n  query-efficiency: info\n",
        "rules:\n  type-safety/explicit-any: error\n  error-handling: off\n",
    );
    assert_eq!(c.rules.len(), 3);
    assert_eq!(
        c.rules["type-safety/explicit-any"],
        RuleSetting::Severity(Severity::Error)
    );
    assert_eq!(
        c.rules["query-efficiency"],
        RuleSetting::Severity(Severity::Info)
    );
    assert_eq!(c.rules["error-handling"], RuleSetting::Off);
    assert!(
        c.sources
            .contains(&format!("rules.type-safety/explicit-any: {ORG}, {REPO}"))
    );
    assert!(
        c.sources
            .contains(&format!("rules.query-efficiency: {ORG}"))
    );
}

#[test]
fn rule_level_beats_item_level_in_one_file() {
    let c = RepoConfig::resolve(&[repo(
        "rules:\n  type-safety: off\n  type-safety/explicit-any: warning\n",
    )]);
    assert_eq!(
        c.severity_for("type-safety/explicit-any", "type-safety", Severity::Error),
        Some(Severity::Warning)
    );
    assert_eq!(
        c.severity_for("type-safety/ts-ignore", "type-safety", Severity::Error),
        None
    );
    assert_eq!(
        c.severity_for(
            "error-handling/empty-catch",
            "error-handling",
            Severity::Error
        ),
        Some(Severity::Error)
    );
}

#[test]
fn a_later_item_setting_replaces_earlier_rule_settings_of_that_item() {
    // The organisation tuned one rule; the repository switches the whole
    // item off, and means all of it.
    let c = resolve(
        "rules:\n  type-safety/explicit-any: warning\n  error-handling/empty-catch: info\n",
        "rules:\n  type-safety: off\n",
    );
    assert_eq!(
        c.severity_for("type-safety/explicit-any", "type-safety", Severity::Error),
        None
    );
    assert_eq!(
        c.severity_for(
            "error-handling/empty-catch",
            "error-handling",
            Severity::Error
        ),
        Some(Severity::Info)
    );
    assert!(!c.rules.contains_key("type-safety/explicit-any"));
    assert!(
        !c.sources
            .iter()
            .any(|s| s.starts_with("rules.type-safety/"))
    );
    // The other way round, the org's item setting stays under the repo's rule.
    let c = resolve(
        "rules:\n  type-safety: off\n",
        "rules:\n  type-safety/explicit-any: warning\n",
    );
    assert_eq!(
        c.severity_for("type-safety/explicit-any", "type-safety", Severity::Error),
        Some(Severity::Warning)
    );
    assert_eq!(
        c.severity_for("type-safety/ts-ignore", "type-safety", Severity::Error),
        None
    );
}

#[test]
fn severity_for_defaults_and_item_from_rule_id() {
    let c = RepoConfig::default();
    assert_eq!(
        c.severity_for("type-safety/explicit-any", "type-safety", Severity::Warning),
        Some(Severity::Warning)
    );
    let c = RepoConfig::resolve(&[repo("rules:\n  query-efficiency: error\n")]);
    assert_eq!(
        c.severity_for("query-efficiency/call-in-loop", "", Severity::Info),
        Some(Severity::Error)
    );
}

#[test]
fn repo_can_switch_off_an_org_custom_rule() {
    let c = resolve(
        "custom_rules:\n  - {id: app-error, language: typescript, pattern: 'throw new Error($M)', message: m, severity: error}\n",
        "rules:\n  error-handling/app-error: off\n  error-handling/app-eror: off\n  style/nope: info\n",
    );
    assert_eq!(
        c.rules.get("error-handling/app-error"),
        Some(&RuleSetting::Off)
    );
    let rule = &c.custom_rules[0];
    assert_eq!(
        c.severity_for(&rule.rule_id(), &rule.item, rule.severity),
        None
    );
    // Names that match no custom rule in any layer are still reported.
    let keys: Vec<(&str, Option<usize>)> = c
        .problems
        .iter()
        .map(|p| (p.key.as_str(), p.line))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("rules.error-handling/app-eror", Some(3)),
            ("rules.style/nope", Some(4)),
        ]
    );
    assert_eq!(
        c.problems[0].message,
        "unknown rule or checklist item \"error-handling/app-eror\" (did you mean \"error-handling/app-error\"?); this entry is ignored"
    );
    assert_eq!(
        c.problems[1].message,
        "unknown rule or checklist item \"style/nope\"; this entry is ignored"
    );
}

#[test]
fn a_file_checked_alone_reports_rules_naming_unknown_custom_rules() {
    // `prwarden config check` sees one file: a rule it cannot find is a
    // problem there, and the merge withdraws it once the org defines it.
    let layer = repo("rules:\n  error-handling/app-error: off\n");
    assert_eq!(layer.problems.len(), 1);
    assert_eq!(layer.problems[0].line, Some(2));
    assert_eq!(
        RepoConfig::resolve(std::slice::from_ref(&layer)).problems,
        layer.problems
    );
    let c = RepoConfig::resolve(&[
        org(
            "custom_rules:\n  - {id: app-error, language: go, pattern: p, message: m, severity: info}\n",
        ),
        layer,
    ]);
    assert_eq!(c.problems, vec![]);
    assert_eq!(
        c.rules.get("error-handling/app-error"),
        Some(&RuleSetting::Off)
    );
}

#[test]
fn problems_keep_layer_order() {
    let c = resolve("bad_org_key: 1\n", "scope: x\n");
    let sources: Vec<&str> = c.problems.iter().map(|p| p.source.as_str()).collect();
    assert_eq!(sources, vec![ORG, REPO]);
    assert_eq!(
        c.problems[0].to_string(),
        format!("{ORG}:1: bad_org_key: unknown key \"bad_org_key\"")
    );
}

#[test]
fn ignore_globs() {
    let c = resolve(
        "ignore:\n  - '*.generated.ts'\n  - 'src/legacy/**'\n",
        "ignore:\n  - dist/\n  - '!src/legacy/keep.ts'\n  - 'docs/*.md'\n",
    );
    for path in [
        "a.generated.ts",
        "src/deep/b.generated.ts",
        "src/legacy/old.ts",
        "src/legacy/x/y.ts",
        "dist/index.js",
        "packages/web/dist/index.js",
        "docs/intro.md",
    ] {
        assert!(c.is_ignored(path), "{path}");
    }
    for path in [
        "src/a.ts",
        "src/legacy/keep.ts",
        "docs/api/intro.md",
        "a.generated.tsx",
        "distribution/x.js",
    ] {
        assert!(!c.is_ignored(path), "{path}");
    }
    assert!(!RepoConfig::default().is_ignored("anything"));
}

#[test]
fn security_path_globs() {
    let c = resolve(
        "security_paths: ['**/auth/**']\n",
        "security_paths: ['src/billing/', 'services/*/crypto.go']\n",
    );
    assert!(c.is_security_path("src/auth/login.ts"));
    assert!(c.is_security_path("auth/x.py"));
    assert!(c.is_security_path("src/billing/charge.ts"));
    assert!(c.is_security_path("services/api/crypto.go"));
    assert!(!c.is_security_path("services/api/v2/crypto.go"));
    assert!(!c.is_security_path("src/author.ts"));
    assert!(!c.is_ignored("src/auth/login.ts"));
}

#[test]
fn edited_glob_lists_are_honoured() {
    let mut c = resolve("", "ignore: [dist/]\n");
    assert!(c.is_ignored("dist/a.js"));
    c.ignore = vec!["build/".into()];
    assert!(!c.is_ignored("dist/a.js"));
    assert!(c.is_ignored("build/a.js"));
    let c = RepoConfig {
        security_paths: vec!["keys/".into()],
        ..RepoConfig::default()
    };
    assert!(c.is_security_path("keys/prod.pem"));
}

#[test]
fn author_overrides() {
    let c = resolve(
        "ai_authors: ['devin*', bob, 'eve*']\nhuman_authors: [alice]\n",
        "human_authors: ['devin-human', Bob]\nai_authors: [alice]\n",
    );
    assert_eq!(c.author_override("devin-ai-integration[bot]"), Some(true));
    // An exact login beats a wildcard.
    assert_eq!(c.author_override("devin-human"), Some(false));
    // A later layer forcing a login the other way replaces the earlier one.
    assert_eq!(c.author_override("bob"), Some(false));
    assert_eq!(c.author_override("ALICE"), Some(true));
    assert_eq!(c.author_override("eve-bot"), Some(true));
    assert_eq!(c.author_override("carol"), None);
    assert_eq!(c.ai_authors, vec!["devin*", "eve*", "alice"]);
    assert_eq!(c.human_authors, vec!["devin-human", "Bob"]);
}

#[test]
fn describe_lists_values_and_sources() {
    let c = resolve(
        "fail_on: warning\nrules:\n  type-safety: info\nignore: ['*.gen.ts']\n",
        "max_inline_comments: 5\nrules:\n  query-efficiency/call-in-loop: off\nscpoe: all\ncustom_rules:\n  - {id: app-error, language: typescript, pattern: p, message: Use AppError., severity: error, paths: ['src/**']}\n",
    );
    let text = c.describe();
    let expected = format!(
        "\
- `scope`: `all` (default)
- `fail_on`: `warning` (from `{ORG}`)
- `max_inline_comments`: `5` (from `{REPO}`)
- `ignore`: `*.gen.ts` (from `{ORG}`)
- `security_paths`: none
- `ai_authors`: none
- `human_authors`: none
- `rules`:
  - `query-efficiency/call-in-loop`: `off` (from `{REPO}`)
  - `type-safety`: `info` (from `{ORG}`)
- `custom_rules` (from `{REPO}`):
  - `error-handling/app-error` (typescript, error, in `src/**`): Use AppError.
"
    );
    assert_eq!(text, expected);
    // Problems are the caller's to list.
    assert!(!text.contains("scpoe"));
    assert_eq!(c.problems.len(), 1);
}

#[test]
fn describe_defaults() {
    let text = RepoConfig::default().describe();
    assert!(text.starts_with("- `scope`: `all` (default)\n- `fail_on`: `error` (default)\n"));
    assert!(text.contains("- `rules`: built-in severities\n"));
    assert!(text.contains("- `custom_rules`: none\n"));
    let c = resolve("", "fail_on: never\n");
    assert!(
        c.describe()
            .contains("- `fail_on`: `never` (from `.github/prwarden.yml`)\n")
    );
}
