//! Runs the fixtures of pull-request-level rules: one directory per case under
//! `fixtures/rules/<item>__<rule>/<case>/` with
//! - `changed.txt`: the PR's paths, one per line, as `git diff --name-status`
//!   prints them: `A path`, `M path`, `D path`, `R100 old new` (a pure
//!   rename), `R087 old new` (renamed and edited);
//! - `repo.txt` (optional): every file path at the head commit; a missing
//!   file, or a line `# truncated`, means the listing is unknown;
//! - `expect.txt`: one `<rule-id> <location>` line per expected finding (the
//!   finding's prompt location: `repository root` or `dir/`), nothing for
//!   none. Lines starting with `#` are comments.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use prwarden_analyze::{Analyzer, Change, ChangedPath, FileStatus};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/rules")
}

fn content_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn parse_changed(text: &str, case: &Path) -> Vec<ChangedPath> {
    content_lines(text)
        .map(|line| {
            let parts: Vec<&str> = line.split_whitespace().collect();
            let (status, path) = match parts.as_slice() {
                ["A", p] => (FileStatus::Added, p),
                ["M", p] => (FileStatus::Modified, p),
                ["D", p] => (FileStatus::Removed, p),
                [r, _old, new] if r.starts_with('R') => (
                    FileStatus::Renamed {
                        content_changed: *r != "R100",
                    },
                    new,
                ),
                _ => panic!("{}: bad changed.txt line {line:?}", case.display()),
            };
            ChangedPath {
                path: path.to_string(),
                status,
            }
        })
        .collect()
}

#[test]
fn every_change_fixture_produces_exactly_its_expected_findings() {
    let analyzer = Analyzer::with_builtin_rules();
    let mut cases_run = 0;
    let mut failures = Vec::new();
    for meta in analyzer.change_rules() {
        let dir = fixtures_dir().join(meta.id.replace('/', "__"));
        let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("missing fixtures {}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        cases.sort();
        let (mut positives, mut negatives) = (0, 0);
        for case in cases {
            let read = |name: &str| fs::read_to_string(case.join(name)).ok();
            let changed = parse_changed(&read("changed.txt").expect("changed.txt exists"), &case);
            let repo = read("repo.txt");
            let head_paths: Option<Vec<String>> = repo
                .filter(|r| !r.lines().any(|l| l.trim() == "# truncated"))
                .map(|r| content_lines(&r).map(String::from).collect());
            let expected: BTreeSet<String> = content_lines(&read("expect.txt").unwrap_or_default())
                .map(String::from)
                .collect();
            if expected.iter().any(|e| e.starts_with(meta.id)) {
                positives += 1;
            } else {
                negatives += 1;
            }
            let findings = analyzer.analyze_change(&Change {
                files: &changed,
                head_paths: head_paths.as_deref(),
            });
            let actual: BTreeSet<String> = findings
                .iter()
                .map(|f| format!("{} {}", f.rule_id, f.prompt.location))
                .collect();
            if actual != expected {
                failures.push(format!(
                    "{}:\n  expected: {expected:?}\n  actual:   {actual:?}",
                    case.display()
                ));
            }
            for f in &findings {
                for text in [
                    &f.title,
                    &f.message,
                    &f.prompt.symptom,
                    &f.prompt.root_cause,
                    &f.prompt.fix,
                    &f.prompt.scope,
                ] {
                    assert!(!text.trim().is_empty(), "{}: empty text", case.display());
                }
                assert_eq!(f.fingerprint.len(), 16);
                assert!(!f.paths.is_empty());
            }
            cases_run += 1;
        }
        assert!(
            positives > 0 && negatives > 0,
            "{}: needs positive and negative cases",
            meta.id
        );
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(cases_run > 0);
}
