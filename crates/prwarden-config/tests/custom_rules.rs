//! Custom rules from a configuration file to findings: the file is parsed,
//! its patterns compiled, and the rules run with the built-in ones.

use prwarden_analyze::{Analyzer, ChangedFile, ChecklistItem, LineSet, Severity};
use prwarden_config::{RepoConfig, parse_layer};

const CONFIG: &str = r#"custom_rules:
  - id: app-error
    language: typescript
    pattern: throw new Error($MSG)
    message: throw AppError, not Error
    severity: error
  - id: raw-sql
    language: typescript
    pattern: db.query($SQL)
    message: use the data layer, not raw SQL
    severity: warning
    item: style
    paths: ["src/**", "!src/lib/data/**"]
  - id: broken
    language: python
    pattern: "def ("
    message: never runs
    severity: error
"#;

fn config() -> RepoConfig {
    let known: Vec<&str> = Analyzer::with_builtin_rules()
        .rules()
        .map(|r| r.id)
        .collect();
    RepoConfig::resolve(&[parse_layer(CONFIG, ".github/prwarden.yml", &known)])
}

fn findings(config: &RepoConfig, files: &[(&str, &str)]) -> Vec<(String, String, u32)> {
    let analyzer = Analyzer::with_builtin_rules().with_extra_rules(config.custom_rule_set());
    let added: Vec<LineSet> = files
        .iter()
        .map(|(_, content)| (1..=content.lines().count() as u32).collect())
        .collect();
    let inputs: Vec<ChangedFile<'_>> = files
        .iter()
        .zip(&added)
        .map(|((path, content), added_lines)| ChangedFile {
            path,
            content,
            added_lines,
        })
        .collect();
    analyzer
        .analyze(&inputs)
        .findings
        .into_iter()
        .map(|f| (f.rule_id.to_string(), f.path, f.line))
        .collect()
}

#[test]
fn custom_rules_report_with_their_id_message_severity_and_prompt() {
    let config = config();
    let code = "export function load(id: string) {\n  if (!id) {\n    throw new Error(\"missing id\");\n  }\n  return db.query(`select * from t where id = ${id}`);\n}\n";
    let analyzer = Analyzer::with_builtin_rules().with_extra_rules(config.custom_rule_set());
    let added: LineSet = (1..=6).collect();
    let analysis = analyzer.analyze(&[ChangedFile {
        path: "src/users.ts",
        content: code,
        added_lines: &added,
    }]);
    let ids: Vec<(&str, u32)> = analysis
        .findings
        .iter()
        .map(|f| (f.rule_id, f.line))
        .collect();
    // The built-in rules run alongside: the template-built SQL is also an
    // injection finding.
    assert_eq!(
        ids,
        [
            ("error-handling/app-error", 3),
            ("input-validation/sql-injection", 5),
            ("style/raw-sql", 5)
        ]
    );

    let app_error = &analysis.findings[0];
    assert_eq!(app_error.severity, Severity::Error);
    assert_eq!(app_error.item, ChecklistItem::ErrorHandling);
    assert_eq!(app_error.title, "throw AppError, not Error");
    assert_eq!(
        app_error.prompt.fix,
        "follow the project's convention: throw AppError, not Error"
    );
    assert_eq!(app_error.prompt.location, "src/users.ts:3");
    assert!(
        app_error
            .prompt
            .symptom
            .contains("throw new Error(\"missing id\")")
    );
    assert_eq!(app_error.symbol.as_deref(), Some("load"));
    assert_eq!(app_error.fingerprint.len(), 16);
    let raw_sql = &analysis.findings[2];
    assert_eq!(raw_sql.severity, Severity::Warning);
    assert_eq!(raw_sql.item, ChecklistItem::Style);
}

#[test]
fn path_globs_limit_where_a_custom_rule_runs() {
    let config = config();
    let query = "export const f = () => db.query(sql);\n";
    let found = findings(
        &config,
        &[
            ("src/api/users.ts", query),
            ("src/lib/data/users.ts", query),
            ("scripts/seed.ts", query),
            ("src/api/view.tsx", query),
        ],
    );
    assert_eq!(
        found,
        [
            (
                "style/raw-sql".to_string(),
                "src/api/users.ts".to_string(),
                1
            ),
            (
                "style/raw-sql".to_string(),
                "src/api/view.tsx".to_string(),
                1
            ),
        ]
    );
}

#[test]
fn an_invalid_pattern_is_a_problem_on_its_line_and_the_rule_is_skipped() {
    let config = config();
    let problems: Vec<String> = config.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            ".github/prwarden.yml:16: custom_rules[2].pattern: the pattern does not parse as Python code; this custom rule is skipped"
        ]
    );
    let ids: Vec<String> = config.custom_rules.iter().map(|r| r.rule_id()).collect();
    assert_eq!(ids, ["error-handling/app-error", "style/raw-sql"]);
    // The other rules still run.
    assert_eq!(
        findings(&config, &[("src/a.ts", "throw new Error(\"x\");\n")]).len(),
        1
    );
}

#[test]
fn rules_can_switch_a_custom_rule_off_or_change_its_severity() {
    let text = format!("{CONFIG}rules:\n  error-handling/app-error: off\n  style/raw-sql: error\n");
    let known: Vec<&str> = Analyzer::with_builtin_rules()
        .rules()
        .map(|r| r.id)
        .collect();
    let config = RepoConfig::resolve(&[parse_layer(&text, ".github/prwarden.yml", &known)]);
    assert_eq!(
        config.severity_for(
            "error-handling/app-error",
            "error-handling",
            Severity::Error
        ),
        None
    );
    assert_eq!(
        config.severity_for("style/raw-sql", "style", Severity::Warning),
        Some(Severity::Error)
    );
}
