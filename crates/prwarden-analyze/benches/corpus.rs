//! Precision on real code (issue #3, "Quality"): every line of mature
//! open-source projects is treated as added, and the built-in checklist's
//! findings are counted per 10,000 lines. Error-severity findings are printed
//! one by one so that each can be inspected by hand.
//!
//! ```sh
//! bash benches/corpus/fetch.sh            # once: fetches into target/corpus
//! cargo bench -p prwarden-analyze --bench corpus
//! ```
//!
//! `PRWARDEN_CORPUS` points at another corpus directory (layout:
//! `<language>/<project>/…`). `PRWARDEN_CORPUS_SHOW=warning` also lists the
//! warnings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use prwarden_analyze::{Analyzer, Severity};

#[path = "support/tree.rs"]
mod tree;

use tree::WholeFiles;

fn main() {
    let root = std::env::var_os("PRWARDEN_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/corpus"),
        PathBuf::from,
    );
    let show = std::env::var("PRWARDEN_CORPUS_SHOW")
        .ok()
        .and_then(|s| Severity::parse(&s))
        .unwrap_or(Severity::Error);
    let Ok(languages) = std::fs::read_dir(&root) else {
        eprintln!(
            "no corpus at {}: run `bash benches/corpus/fetch.sh` first",
            root.display()
        );
        std::process::exit(2);
    };
    let mut projects: Vec<PathBuf> = languages
        .flatten()
        .filter(|l| l.path().is_dir())
        .flat_map(|l| std::fs::read_dir(l.path()).into_iter().flatten().flatten())
        .map(|p| p.path())
        .filter(|p| p.is_dir())
        .collect();
    projects.sort();

    let analyzer = Analyzer::with_builtin_rules();
    let mut rows = Vec::new();
    let mut by_rule: BTreeMap<(&'static str, Severity), usize> = BTreeMap::new();
    let (mut all_lines, mut all_errors) = (0usize, 0usize);
    for project in &projects {
        let name = project
            .strip_prefix(&root)
            .unwrap_or(project)
            .display()
            .to_string();
        let tree = WholeFiles::read(project, &root, |_, text| text);
        let sources = &tree.sources;
        let files = tree.files();
        let analysis = analyzer.analyze(&files);
        // Lines of the files the checklist actually read.
        let lines: usize = analysis
            .files
            .iter()
            .zip(sources)
            .filter(|(report, _)| report.skipped.is_none())
            .map(|(_, (_, text))| text.lines().count())
            .sum();
        let analysed = analysis
            .files
            .iter()
            .filter(|f| f.skipped.is_none())
            .count();
        let unparsed = analysis
            .files
            .iter()
            .filter(|f| f.skipped == Some(prwarden_analyze::SkipReason::ParseError))
            .count();
        let count = |s: Severity| analysis.findings.iter().filter(|f| f.severity == s).count();
        let (errors, warnings, infos) = (
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info),
        );
        for finding in &analysis.findings {
            *by_rule
                .entry((finding.rule_id, finding.severity))
                .or_default() += 1;
            if finding.severity >= show {
                let text = sources
                    .iter()
                    .find(|(p, _)| *p == finding.path)
                    .and_then(|(_, s)| s.lines().nth(finding.line as usize - 1))
                    .unwrap_or("")
                    .trim();
                println!(
                    "{}:{}: {} {}: {}\n    {}",
                    finding.path,
                    finding.line,
                    finding.severity.as_str(),
                    finding.rule_id,
                    finding.title,
                    text
                );
            }
        }
        all_lines += lines;
        all_errors += errors;
        rows.push((name, analysed, unparsed, lines, errors, warnings, infos));
    }

    println!(
        "\n| project | files | unparsed | lines | errors | per 10k | warnings | per 10k | info |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (name, files, unparsed, lines, errors, warnings, infos) in &rows {
        let per = |n: usize| n as f64 * 10_000.0 / (*lines).max(1) as f64;
        println!(
            "| {name} | {files} | {unparsed} | {lines} | {errors} | {:.2} | {warnings} | {:.1} | {infos} |",
            per(*errors),
            per(*warnings)
        );
    }
    println!(
        "\nall: {all_lines} lines, {all_errors} error findings = {:.2} per 10,000 lines (target ≤ 1)",
        all_errors as f64 * 10_000.0 / all_lines.max(1) as f64
    );
    println!("\n| rule | severity | findings |\n|---|---|---|");
    for ((rule, severity), n) in by_rule {
        println!("| {rule} | {} | {n} |", severity.as_str());
    }
}
