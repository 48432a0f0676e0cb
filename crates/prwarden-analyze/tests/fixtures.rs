//! Runs every rule fixture under `fixtures/rules/` with every line added and
//! requires the findings to be exactly the `expect:` markers in the file.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use prwarden_analyze::{Analyzer, ChangedFile, LineSet};

#[path = "support/placeholders.rs"]
mod placeholders;

use placeholders::{placeholders, substitute};

#[path = "support/markers.rs"]
mod markers;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/rules")
}

/// The path a fixture is analysed under: `fixture-path: src/api/users.ts` in a
/// comment on its first line, for rules that judge a file by its path (server
/// code, test code). Without it the fixture is analysed as production code
/// under `src/<dir>/<file>` (test-quality fixtures as test code under
/// `tests/<dir>/<file>`): the real `fixtures/` directory would make every
/// file a test file.
fn fixture_path(text: &str) -> Option<String> {
    let first = text.lines().next()?;
    let (_, path) = first.split_once("fixture-path:")?;
    let path = path.trim().trim_end_matches("*/").trim();
    (!path.is_empty()).then(|| path.to_string())
}

/// `(line, rule_id)` for every `expect: a, b` marker: the finding is on the
/// line after the marker.
fn expectations(text: &str) -> BTreeSet<(u32, String)> {
    let mut expected = BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        let Some((_, ids)) = line.split_once("expect:") else {
            continue;
        };
        let target = u32::try_from(index).unwrap() + 2;
        for id in ids.split(',') {
            let id = id.trim().trim_end_matches("*/").trim();
            if !id.is_empty() {
                expected.insert((target, id.to_string()));
            }
        }
    }
    expected
}

#[test]
fn every_fixture_produces_exactly_its_expected_findings() {
    let analyzer = Analyzer::with_builtin_rules();
    let rule_ids: BTreeSet<&str> = analyzer.rules().map(|m| m.id).collect();
    // Pull-request-level rules have directory-based fixtures, run by
    // tests/change_fixtures.rs.
    let change_rule_ids: BTreeSet<&str> = analyzer.change_rules().map(|m| m.id).collect();
    let values = placeholders();
    let mut dirs: Vec<PathBuf> = fs::read_dir(fixtures_dir())
        .expect("fixtures/rules exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no fixture directories");

    let mut failures = Vec::new();
    let mut files_checked = 0;
    let mut covered_rules = BTreeSet::new();
    for dir in &dirs {
        let dir_name = dir.file_name().unwrap().to_str().unwrap();
        let rule_id = dir_name.replace("__", "/");
        assert!(
            rule_ids.contains(rule_id.as_str()),
            "fixture directory {dir_name} names no registered rule"
        );
        covered_rules.insert(rule_id.clone());
        if change_rule_ids.contains(rule_id.as_str()) {
            continue;
        }
        let mut files: Vec<PathBuf> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let (mut positives, mut negatives) = (0, 0);
        for file in files {
            let name = file.file_name().unwrap().to_str().unwrap().to_string();
            if file.is_dir() {
                // A whole pull request: rules that read one file in the
                // light of the others.
                let positive = name.starts_with("positive");
                if positive {
                    positives += 1;
                } else if name.starts_with("negative") {
                    negatives += 1;
                } else {
                    continue;
                }
                files_checked += check_pull_request(
                    &analyzer,
                    &file,
                    &rule_id,
                    positive,
                    &values,
                    &mut failures,
                );
                continue;
            }
            let raw = fs::read_to_string(&file).unwrap();
            let content = substitute(&raw, &values, &file);
            let expected = expectations(&content);
            if name.starts_with("positive") {
                positives += 1;
                assert!(
                    expected.iter().any(|(_, id)| *id == rule_id),
                    "{dir_name}/{name}: a positive fixture needs an expect marker for {rule_id}"
                );
            } else if name.starts_with("negative") {
                negatives += 1;
                assert!(
                    expected.is_empty(),
                    "{dir_name}/{name}: a negative fixture has expect markers"
                );
            } else {
                continue;
            }

            let line_count = u32::try_from(content.lines().count()).unwrap();
            let added: LineSet = (1..=line_count).collect();
            // A fixture named like a test (`negative_test.go`,
            // `negative.test.ts`) is still one; test-quality fixtures are
            // test code.
            let default_dir = if dir_name.starts_with("test-quality__") {
                "tests"
            } else {
                "src"
            };
            let path = fixture_path(&content)
                .unwrap_or_else(|| format!("{default_dir}/{dir_name}/{name}"));
            // The markers are test data: the rules see blank lines instead.
            let analysed = markers::blank_label_lines(&content, "expect:");
            let (report, findings) = Analyzer::analyze_file(
                &analyzer,
                ChangedFile {
                    path: &path,
                    content: &analysed,
                    added_lines: &added,
                },
            );
            assert_ne!(
                report.skipped,
                Some(prwarden_analyze::SkipReason::ParseError),
                "{path} does not parse"
            );
            let actual: BTreeSet<(u32, String)> = findings
                .iter()
                .map(|f| (f.line, f.rule_id.to_string()))
                .collect();
            if actual != expected {
                let missing: Vec<_> = expected.difference(&actual).collect();
                let unexpected: Vec<_> = actual.difference(&expected).collect();
                failures.push(format!(
                    "{path}:\n  missing:    {missing:?}\n  unexpected: {unexpected:?}"
                ));
            }
            for f in &findings {
                check_finding_is_complete(f, &path, &values);
            }
            files_checked += 1;
        }
        assert!(
            positives > 0 && negatives > 0,
            "{dir_name}: needs positive and negative fixtures"
        );
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert_eq!(
        covered_rules
            .iter()
            .map(String::as_str)
            .collect::<BTreeSet<_>>(),
        rule_ids,
        "every rule needs a fixture directory"
    );
    assert!(files_checked >= 8);
}

/// Runs a directory of files as one pull request (each file under its path
/// inside the directory, every line added) and compares each file's findings
/// with its markers; returns how many files it checked.
fn check_pull_request(
    analyzer: &Analyzer,
    dir: &Path,
    rule_id: &str,
    positive: bool,
    values: &BTreeMap<&'static str, String>,
    failures: &mut Vec<String>,
) -> usize {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(dir, &mut paths);
    paths.sort();
    let mut inputs = Vec::new();
    for file in &paths {
        let raw = fs::read_to_string(file).unwrap();
        let content = substitute(&raw, values, file);
        let relative = file
            .strip_prefix(dir)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let expected = expectations(&content);
        let analysed = markers::blank_label_lines(&content, "expect:");
        let added: LineSet = (1..=u32::try_from(content.lines().count()).unwrap()).collect();
        inputs.push((relative, analysed, added, expected));
    }
    let case = dir.display();
    let all_expected: BTreeSet<&String> = inputs
        .iter()
        .flat_map(|(_, _, _, e)| e.iter().map(|(_, id)| id))
        .collect();
    if positive {
        assert!(
            all_expected.iter().any(|id| *id == rule_id),
            "{case}: a positive case needs an expect marker for {rule_id}"
        );
    } else {
        assert!(
            all_expected.is_empty(),
            "{case}: a negative case has expect markers"
        );
    }
    let files: Vec<ChangedFile<'_>> = inputs
        .iter()
        .map(|(path, content, added, _)| ChangedFile {
            path,
            content,
            added_lines: added,
        })
        .collect();
    let analysis = analyzer.analyze(&files);
    for (path, _, _, expected) in &inputs {
        let actual: BTreeSet<(u32, String)> = analysis
            .findings
            .iter()
            .filter(|f| f.path == *path)
            .map(|f| (f.line, f.rule_id.to_string()))
            .collect();
        if actual != *expected {
            let missing: Vec<_> = expected.difference(&actual).collect();
            let unexpected: Vec<_> = actual.difference(expected).collect();
            failures.push(format!(
                "{case} {path}:\n  missing:    {missing:?}\n  unexpected: {unexpected:?}"
            ));
        }
    }
    for f in &analysis.findings {
        check_finding_is_complete(f, &f.path, values);
    }
    inputs.len()
}

fn check_finding_is_complete(
    f: &prwarden_analyze::Finding,
    path: &str,
    values: &BTreeMap<&'static str, String>,
) {
    let at = format!("{path}:{} {}", f.line, f.rule_id);
    assert_eq!(f.line, f.end_line, "{at}: single-line anchor");
    assert_eq!(f.prompt.location, format!("{path}:{}", f.line), "{at}");
    for (field, text) in [
        ("title", &f.title),
        ("message", &f.message),
        ("symptom", &f.prompt.symptom),
        ("root_cause", &f.prompt.root_cause),
        ("fix", &f.prompt.fix),
        ("scope", &f.prompt.scope),
    ] {
        assert!(!text.trim().is_empty(), "{at}: empty {field}");
    }
    assert_eq!(f.fingerprint.len(), 16, "{at}");
    assert!(f.fingerprint.bytes().all(|b| b.is_ascii_hexdigit()), "{at}");
    // Secrets are never repeated in what gets posted.
    for (name, secret) in values {
        if name.starts_with("PEM_") || secret.len() < 16 {
            continue;
        }
        let posted = format!(
            "{} {} {:?} {} {} {} {}",
            f.title,
            f.message,
            f.suggestion,
            f.prompt.symptom,
            f.prompt.root_cause,
            f.prompt.fix,
            f.prompt.scope
        );
        assert!(!posted.contains(&secret[..12]), "{at}: echoes {name}");
    }
}
