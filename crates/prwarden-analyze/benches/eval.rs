//! Precision and recall per checklist item on the blind evaluation corpus
//! (`fixtures/eval/`): realistic pull requests, written without looking at
//! the rules, with seeded defects labelled `expect-item: <item>` on the line
//! above the line a reviewer would comment on.
//!
//! ```sh
//! cargo bench -p prwarden-analyze --bench eval
//! ```
//!
//! A finding counts as a true positive when a label of its checklist item
//! sits on its line; every other finding is a false positive (clean
//! scenarios have no labels, so anything found there is one). A label with no
//! finding of its item on its line is a miss. `PRWARDEN_EVAL_SLACK` (default
//! 2) lets a finding land up to that many lines below its label, on the rest
//! of the same statement; `0` is the strict count. Every false positive and miss
//! is listed, so the numbers can be checked by reading them.
//! `PRWARDEN_EVAL` points at another corpus.

#[path = "../tests/support/placeholders.rs"]
mod placeholders;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use prwarden_analyze::{Analyzer, Language};

#[path = "support/tree.rs"]
mod tree;

#[path = "../tests/support/markers.rs"]
mod markers;

use tree::WholeFiles;

#[derive(Default)]
struct Score {
    tp: usize,
    fp: usize,
    missed: usize,
}

impl Score {
    fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.missed)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

fn main() {
    let root = std::env::var_os("PRWARDEN_EVAL").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/eval"),
        PathBuf::from,
    );
    let values = placeholders::placeholders();
    let mut scenarios: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    scenarios.sort();

    let analyzer = Analyzer::with_builtin_rules();
    let mut by_item: BTreeMap<String, Score> = BTreeMap::new();
    let mut by_language: BTreeMap<&'static str, Score> = BTreeMap::new();
    let mut clean_findings = 0;
    let mut clean_scenarios = 0;
    let mut notes = Vec::new();
    let mut duplicates = 0;
    let slack: u32 = std::env::var("PRWARDEN_EVAL_SLACK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    for scenario in &scenarios {
        // Labels come from the text as written; the analyzer sees it with
        // the label lines blanked, as in a real pull request.
        let labelled = WholeFiles::read(scenario, scenario, |path, raw| {
            placeholders::substitute(&raw, &values, path)
        });
        let tree = WholeFiles::read(scenario, scenario, |path, raw| {
            markers::blank_label_lines(
                &placeholders::substitute(&raw, &values, path),
                "expect-item:",
            )
        });
        let sources = &labelled.sources;
        let files = tree.files();
        let analysis = analyzer.analyze(&files);
        let name = scenario.file_name().unwrap_or_default().to_string_lossy();

        let mut labels: BTreeSet<(String, u32, String)> = BTreeSet::new();
        for (path, text) in sources {
            for (index, line) in text.lines().enumerate() {
                if let Some((_, item)) = line.split_once("expect-item:") {
                    let item = item.trim().trim_end_matches("*/}").trim_end_matches("*/");
                    let target = u32::try_from(index).unwrap_or(u32::MAX) + 2;
                    labels.insert((path.clone(), target, item.trim().to_string()));
                }
            }
        }
        if labels.is_empty() {
            clean_scenarios += 1;
            clean_findings += analysis.findings.len();
        }
        let language_of = |path: &str| Language::from_path(path).map_or("other", |l| l.name());
        // A finding matches a label of its item on the labelled line or on
        // the `slack` lines after it (the rest of the same statement: a
        // reviewer may anchor `useEffect(() => {` or the `fetch(` inside
        // it); each label is matched once, and a second finding on an
        // already matched label is a duplicate, not a false positive.
        let mut matched: BTreeSet<&(String, u32, String)> = BTreeSet::new();
        let mut seen: BTreeSet<(String, u32, String)> = BTreeSet::new();
        for f in &analysis.findings {
            let key = (f.path.clone(), f.line, f.item.id().to_string());
            if !seen.insert(key.clone()) {
                continue;
            }
            // The nearest label above the finding that is still unmatched
            // (two labelled lines within `slack` of each other each keep
            // their own finding), else the nearest one (a duplicate).
            let candidates = || {
                labels.iter().filter(|(path, line, item)| {
                    *path == f.path
                        && *item == key.2
                        && (*line..=line.saturating_add(slack)).contains(&f.line)
                })
            };
            let label = candidates()
                .filter(|l| !matched.contains(l))
                .max_by_key(|l| l.1)
                .or_else(|| candidates().max_by_key(|l| l.1));
            let score = by_item.entry(key.2.clone()).or_default();
            let lang = by_language.entry(language_of(&f.path)).or_default();
            match label {
                Some(label) if matched.insert(label) => {
                    score.tp += 1;
                    lang.tp += 1;
                }
                Some(_) => {
                    duplicates += 1;
                    notes.push(format!(
                        "duplicate       {name}/{}:{} {}: {}",
                        f.path, f.line, f.rule_id, f.title
                    ));
                }
                None => {
                    score.fp += 1;
                    lang.fp += 1;
                    notes.push(format!(
                        "false positive  {name}/{}:{} {}: {}",
                        f.path, f.line, f.rule_id, f.title
                    ));
                }
            }
        }
        for label in labels.iter().filter(|l| !matched.contains(l)) {
            by_item.entry(label.2.clone()).or_default().missed += 1;
            by_language.entry(language_of(&label.0)).or_default().missed += 1;
            notes.push(format!(
                "missed          {name}/{}:{} {}",
                label.0, label.1, label.2
            ));
        }
        for report in &analysis.files {
            if report.skipped == Some(prwarden_analyze::SkipReason::ParseError) {
                notes.push(format!("unparsed        {name}/{}", report.path));
            }
        }
    }

    for note in &notes {
        println!("{note}");
    }
    println!(
        "\n{} scenarios ({clean_scenarios} clean: {clean_findings} findings on clean code); \
         a finding matches a label on its line or up to {slack} lines below \
         (PRWARDEN_EVAL_SLACK); {duplicates} duplicate findings",
        scenarios.len()
    );
    let print = |title: &str, rows: &mut dyn Iterator<Item = (String, &Score)>| {
        println!("\n| {title} | labels | found | false positives | precision | recall |");
        println!("|---|---|---|---|---|---|");
        for (name, s) in rows {
            println!(
                "| {name} | {} | {} | {} | {:.2} | {:.2} |",
                s.tp + s.missed,
                s.tp,
                s.fp,
                s.precision(),
                s.recall()
            );
        }
    };
    print(
        "item",
        &mut by_item.iter().map(|(k, v)| (format!("`{k}`"), v)),
    );
    print(
        "language",
        &mut by_language.iter().map(|(k, v)| (k.to_string(), v)),
    );
    let total = by_item.values().fold(Score::default(), |acc, s| Score {
        tp: acc.tp + s.tp,
        fp: acc.fp + s.fp,
        missed: acc.missed + s.missed,
    });
    println!(
        "\nall items: precision {:.3}, recall {:.3} ({} labels, {} found, {} false positives)",
        total.precision(),
        total.recall(),
        total.tp + total.missed,
        total.tp,
        total.fp
    );
}
